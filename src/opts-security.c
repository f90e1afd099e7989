/* Options of `nook run`: capabilities, seccomp, nesting, fds.  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "lib/caps.h"
#include "lib/utils.h"
#include "options.h"

enum
{
  OPT_CAP_ADD = 1,
  OPT_CAP_DROP,
  OPT_SECCOMP,
  OPT_ALLOW_NESTED,
  OPT_PASS_FD,
  OPT_TTY,
  OPT_LANDLOCK,
};

static const struct nook_option security_options[] = {
  { "cap-add", 0, 1, OPT_CAP_ADD, "CAP", "add a capability (NET_ADMIN, CAP_NET_ADMIN, or ALL)" },
  { "cap-drop", 0, 1, OPT_CAP_DROP, "CAP", "drop a capability (or ALL)" },
  { "seccomp", 0, 1, OPT_SECCOMP, "POLICY", "seccomp policy: a file, a name (default) or `unconfined`" },
  { "allow-nested", 0, 0, OPT_ALLOW_NESTED, "", "allow user namespaces (nested sandboxes) inside" },
  { "landlock", 0, 1, OPT_LANDLOCK, "MODE",
    "Landlock behind the mounts: auto (where the kernel has it and nothing mounts inside), on, off" },
  { "pass-fd", 0, 1, OPT_PASS_FD, "N", "keep file descriptor N open into the command" },
  { "tty", 't', 0, OPT_TTY, "", "a terminal of its own, with job control, for interactive shells" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
apply_cap (const struct nook_option *o, const char *name, struct nook_security *sec, struct nook_error *err)
{
  bool add = o->id == OPT_CAP_ADD;
  int cap;

  if (strcasecmp (name, "ALL") == 0)
    {
      *(add ? &sec->cap_add_all : &sec->cap_drop_all) = true;
      return 0;
    }
  if (nook_cap_parse (name, &cap) < 0)
    {
      nook_error_set (err, 0, "--%s: unknown capability `%s`", o->name, name);
      return nook_error_hint (err,
                              "names as in capabilities(7), e.g. NET_BIND_SERVICE or CAP_NET_BIND_SERVICE");
    }
  if (add)
    {
      sec->cap_add |= UINT64_C (1) << cap;
      sec->cap_drop &= ~(UINT64_C (1) << cap);
    }
  else
    {
      sec->cap_drop |= UINT64_C (1) << cap;
      sec->cap_add &= ~(UINT64_C (1) << cap);
    }
  return 0;
}

static int
apply_pass_fd (const char *value, struct nook_security *sec, struct nook_error *err)
{
  uint64_t fd;

  if (nook_parse_uint (value, INT32_MAX, &fd) < 0)
    return nook_error_set (err, 0, "--pass-fd needs a file descriptor number, not `%s`", value);
  if (fd <= 2)
    return nook_error_set (err, 0, "--pass-fd %s: 0, 1 and 2 are always passed", value);
  if (fcntl ((int)fd, F_GETFD) < 0)
    {
      nook_error_errno (err, "--pass-fd %s", value);
      return nook_error_hint (err, "open it for nook, e.g. `nook run --pass-fd 3 -- CMD 3<FILE`");
    }
  sec->pass_fds = xrealloc (sec->pass_fds, (sec->n_pass_fds + 1) * sizeof *sec->pass_fds);
  sec->pass_fds[sec->n_pass_fds++] = (int)fd;
  return 0;
}

static int
apply_landlock (const char *value, struct nook_security *sec, struct nook_error *err)
{
  static const char *const modes[] = NOOK_LANDLOCK_MODES;

  for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
    if (strcmp (value, modes[m]) == 0)
      {
        sec->landlock = (enum nook_landlock_mode)m;
        return 0;
      }
  nook_error_set (err, 0, "--landlock: unknown mode `%s`", value);
  return nook_error_hint (err, "auto, on or off");
}

static int
security_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
                struct nook_error *err)
{
  struct nook_security *sec = &spec->security;

  switch (o->id)
    {
    case OPT_CAP_ADD:
    case OPT_CAP_DROP:
      return apply_cap (o, val[0], sec, err);
    case OPT_SECCOMP:
      if (val[0][0] == '\0')
        return nook_error_set (err, 0, "--seccomp needs a file, a policy name or `unconfined`");
      nook_option_string (&sec->seccomp, val[0]);
      return 0;
    case OPT_ALLOW_NESTED:
      sec->allow_nested = true;
      return 0;
    case OPT_PASS_FD:
      return apply_pass_fd (val[0], sec, err);
    case OPT_TTY:
      sec->tty = true;
      return 0;
    case OPT_LANDLOCK:
      return apply_landlock (val[0], sec, err);
    }
  return nook_error_set (err, 0, "option --%s is not handled", o->name);
}

const struct nook_option_group nook_security_options
    = { "Security options", security_options, security_apply, NULL };
