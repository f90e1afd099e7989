/* Capabilities of the command.
 *
 * Inside its user namespace the sandbox starts with every capability; they
 * only act on what the namespace owns, but each one is kernel code the
 * command can reach (CAP_NET_ADMIN: netfilter, CAP_SYS_ADMIN: mount and
 * the filesystems' parsers).  The command keeps a small set, like rootless
 * podman's; everything else leaves all five sets, the bounding set first
 * so that no exec can bring it back.  */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "caps.h"
#include "spec.h"
#include "utils.h"

#define BIT(c) (UINT64_C (1) << (c))

uint64_t
nook_caps_default (void)
{
  return BIT (CAP_CHOWN) | BIT (CAP_DAC_OVERRIDE) | BIT (CAP_FOWNER) | BIT (CAP_FSETID) | BIT (CAP_KILL)
         | BIT (CAP_NET_BIND_SERVICE) | BIT (CAP_SETFCAP) | BIT (CAP_SETGID) | BIT (CAP_SETPCAP)
         | BIT (CAP_SETUID) | BIT (CAP_SYS_CHROOT);
}

uint64_t
nook_caps_all (void)
{
  int n = cap_max_bits ();
  if (n <= 0 || n > 64)
    n = CAP_LAST_CAP + 1;
  return n == 64 ? ~UINT64_C (0) : BIT (n) - 1;
}

int
nook_cap_parse (const char *name, int *cap)
{
  char buf[64];
  cap_value_t v;
  size_t n = strlen (name);

  /* libcap also takes numbers; a number is no name.  */
  if (n == 0 || n + 4 >= sizeof buf || isdigit ((unsigned char)name[0]))
    return -1;
  snprintf (buf, sizeof buf, "%s%s", strncasecmp (name, "cap_", 4) == 0 ? "" : "cap_", name);
  for (char *p = buf; *p; p++)
    *p = tolower ((unsigned char)*p);
  if (cap_from_name (buf, &v) < 0 || v < 0 || v > 63)
    return -1;
  *cap = v;
  return 0;
}

uint64_t
nook_caps_for_spec (const struct nook_spec *spec)
{
  const struct nook_security *sec = &spec->security;
  uint64_t base = spec->uid == 0 ? nook_caps_default () : 0;

  if (sec->cap_drop_all)
    base = 0;
  if (sec->cap_add_all)
    base = nook_caps_all ();
  return ((base & ~sec->cap_drop) | sec->cap_add) & nook_caps_all ();
}

/* A capability's name for messages ("cap_sys_admin").  */
static void
cap_name (int cap, char *buf, size_t size)
{
  char *name = cap_to_name (cap);
  snprintf (buf, size, "%s", name ? name : "?");
  cap_free (name);
}

int
nook_caps_bound (uint64_t caps, struct nook_error *err)
{
  int last = cap_max_bits ();

  for (int c = 0; c < last; c++)
    {
      if (c < 64 && (caps & BIT (c)))
        continue;
      if (cap_drop_bound (c) < 0 && errno != EINVAL)
        {
          char name[64];
          cap_name (c, name, sizeof name);
          return nook_error_errno (err, "drop %s from the bounding set", name);
        }
    }
  return 0;
}

static int
set_flag (cap_t c, cap_flag_t which, uint64_t caps)
{
  int last = cap_max_bits ();
  for (int v = 0; v < last && v < 64; v++)
    if (caps & BIT (v))
      {
        cap_value_t one = v;
        if (cap_set_flag (c, which, 1, &one, CAP_SET) < 0)
          return -1;
      }
  return 0;
}

int
nook_caps_set (uint64_t caps, bool ambient, struct nook_error *err)
{
  cap_t c = cap_init ();
  int r = 0;

  if (c == NULL)
    return nook_error_errno (err, "capabilities");
  if (set_flag (c, CAP_PERMITTED, caps) < 0 || set_flag (c, CAP_EFFECTIVE, caps) < 0
      || set_flag (c, CAP_INHERITABLE, caps) < 0)
    r = nook_error_errno (err, "capabilities");
  else if (cap_set_proc (c) < 0)
    r = nook_error_errno (err, "set the capabilities");
  cap_free (c);
  if (r < 0)
    return r;

  /* Ambient capabilities are what a non-root exec keeps; they must be
     permitted and inheritable, set just above.  One prctl: libcap's
     cap_reset_ambient first asks about each capability in turn (41
     system calls at every start).  EINVAL: a kernel before 4.3, which
     has none to clear.  */
  if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
    return nook_error_errno (err, "clear the ambient capabilities");
  if (!ambient)
    return 0;
  for (int v = 0; v < cap_max_bits () && v < 64; v++)
    if ((caps & BIT (v)) && cap_set_ambient (v, CAP_SET) < 0)
      {
        char name[64];
        cap_name (v, name, sizeof name);
        return nook_error_errno (err, "raise the ambient capability %s", name);
      }
  return 0;
}
