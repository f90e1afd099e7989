/* nook: the seccomp filters nook loads.
 *
 * A policy (seccomp-policy.c reads its JSON into a libseccomp filter)
 * becomes a classic-BPF program here, exported once in nook and kept in
 * the cache (seccomp-cache.c); nook adds a terminal filter of its own;
 * the sandbox loads both as its last step before exec.  Also: where a
 * policy named on the command line is found.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "seccomp.h"
#include "utils.h"

/* Exports the compiled filter CTX of the policy FILE through a memfd:
   libseccomp 2.5 writes BPF only to a file descriptor.  */
static int
export_bpf (scmp_filter_ctx ctx, const char *file, unsigned flags, struct nook_bpf *out,
            struct nook_error *err)
{
  cleanup_close int fd = memfd_create ("nook-seccomp", MFD_CLOEXEC);
  off_t size;
  int r;

  if (fd < 0)
    return nook_error_errno (err, "memfd_create");
  r = seccomp_export_bpf (ctx, fd);
  if (r < 0)
    return nook_error_set (err, -r, "seccomp policy `%s`: compile", file);
  size = lseek (fd, 0, SEEK_END);
  if (size <= 0 || size % sizeof (struct sock_filter) != 0
      || size / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return nook_error_set (err, 0,
                           "seccomp policy `%s`: the compiled filter has %lld bytes, more than the "
                           "kernel takes",
                           file, (long long)size);
  out->insns = xmalloc (size);
  if (pread (fd, out->insns, size, 0) != size)
    {
      nook_bpf_free (out);
      return nook_error_errno (err, "read the compiled seccomp filter");
    }
  out->len = size / sizeof (struct sock_filter);
  out->flags = flags;
  /* The kernel checks, converts and compiles the whole program at every
     start: a shorter one with the same decisions loads faster.  */
  {
    struct sock_filter *shorter = NULL;
    size_t n = nook_bpf_shorten (out->insns, out->len, &shorter);
    if (n > 0)
      {
        free (out->insns);
        out->insns = shorter;
        out->len = n;
      }
  }
  return 0;
}

int
nook_seccomp_compile (const char *text, size_t len, const char *file,
                      const struct nook_seccomp_params *params, struct nook_bpf *out, struct nook_error *err)
{
  scmp_filter_ctx ctx;
  unsigned flags;
  int r;

  memset (out, 0, sizeof *out);
  if (nook_seccomp_policy_read (text, len, file, params, &ctx, &flags, err) < 0)
    return -1;
  const unsigned guard = NOOK_SECCOMP_SOCKET_BY_ARGS | NOOK_SECCOMP_X86_SOCKET_LOST;

  r = export_bpf (ctx, file, flags & ~guard, out, err);
  out->socket_guard = flags & guard;
  seccomp_release (ctx);
  return r;
}

/* An empty filter that allows every call, of ARCH alone when given.  */
static scmp_filter_ctx
allow_ctx (uint32_t arch)
{
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ALLOW);

  if (ctx == NULL)
    return NULL;
  /* Other architectures are the policy's to refuse.  */
  seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
  if (arch && (seccomp_arch_add (ctx, arch) < 0 || seccomp_arch_remove (ctx, SCMP_ARCH_NATIVE) < 0))
    {
      seccomp_release (ctx);
      return NULL;
    }
  return ctx;
}

static int
add_terminal_rules (scmp_filter_ctx ctx)
{
  static const unsigned long cmds[] = { TIOCSTI, TIOCLINUX };
  int r = 0;

  /* The kernel reads an ioctl's command as 32 bits: the mask ignores the
     upper half, which would otherwise slip past a 64-bit comparison.  */
  for (size_t i = 0; i < sizeof cmds / sizeof cmds[0] && r == 0; i++)
    r = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (ioctl), 1,
                          SCMP_A1 (SCMP_CMP_MASKED_EQ, 0xffffffffUL, cmds[i]));
  return r;
}

/* The 32-bit x86 part, in a filter of its own (merged by the caller): its
   socket rules must not reach the other ABIs.  */
static int
add_x86_rules (scmp_filter_ctx ctx, unsigned socket_guard)
{
  int r = add_terminal_rules (ctx);

  if (r == 0 && (socket_guard & NOOK_SECCOMP_SOCKET_BY_ARGS))
    r = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (socketcall), 1,
                          SCMP_A0 (SCMP_CMP_EQ, 1 /* SYS_SOCKET */));
  /* libseccomp adds the direct call and socketcall(SYS_SOCKET) together:
     both refused, for every family.  */
  if (r == 0 && (socket_guard & NOOK_SECCOMP_X86_SOCKET_LOST))
    {
      r = seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EPERM), SCMP_SYS (socket), 0);
      r = r == -EEXIST ? 0 : r;
    }
  return r;
}

int
nook_seccomp_terminal_filter (unsigned socket_guard, struct nook_bpf *out, struct nook_error *err)
{
  static const uint32_t compat[] = { SCMP_ARCH_X32, SCMP_ARCH_ARM };
  scmp_filter_ctx ctx, x86 = NULL;
  int r;

  memset (out, 0, sizeof *out);
  ctx = allow_ctx (0);
  if (ctx == NULL)
    return nook_error_set (err, ENOMEM, "seccomp_init");
  for (size_t i = 0; i < sizeof compat / sizeof compat[0]; i++)
    if (nook_seccomp_arch_is_ours (compat[i]))
      seccomp_arch_add (ctx, compat[i]);
  r = add_terminal_rules (ctx);
  if (r == 0 && nook_seccomp_arch_is_ours (SCMP_ARCH_X86))
    {
      x86 = allow_ctx (SCMP_ARCH_X86);
      r = x86 == NULL ? -ENOMEM : add_x86_rules (x86, socket_guard);
      if (r == 0)
        r = seccomp_merge (ctx, x86);
      if (r < 0 && x86)
        seccomp_release (x86);
    }
  if (r < 0)
    nook_error_set (err, -r, "seccomp: terminal filter");
  else
    r = export_bpf (ctx, "terminal filter", 0, out, err);
  seccomp_release (ctx);
  return r;
}

int
nook_seccomp_install (const struct nook_bpf *bpf, struct nook_error *err)
{
  struct sock_fprog prog = { .len = bpf->len, .filter = bpf->insns };

  if (syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, bpf->flags, &prog) < 0)
    return nook_error_errno (err, "load the seccomp filter");
  return 0;
}

void
nook_bpf_free (struct nook_bpf *bpf)
{
  free (bpf->insns);
  memset (bpf, 0, sizeof *bpf);
}

bool
nook_seccomp_builtin (const char *what, char **name, const char **text, size_t *len)
{
  if (strcmp (what, "default") != 0)
    return false;
  *name = xstrdup ("default (built in)");
  *text = nook_seccomp_default_policy;
  *len = nook_seccomp_default_policy_len;
  return true;
}

static bool
policy_name_is_valid (const char *name)
{
  for (const char *p = name; *p; p++)
    if (!strchr ("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.", *p))
      return false;
  return name[0] != '\0' && name[0] != '.';
}

int
nook_seccomp_find (const char *what, char **path, struct nook_error *err)
{
  char exe[PATH_MAX];
  ssize_t n;

  if (strchr (what, '/') || (strlen (what) > 5 && strcmp (what + strlen (what) - 5, ".json") == 0))
    {
      if (access (what, R_OK) < 0)
        return nook_error_errno (err, "--seccomp `%s`", what);
      *path = xstrdup (what);
      return 0;
    }
  if (!policy_name_is_valid (what))
    return nook_error_set (err, 0, "--seccomp `%s`: not a policy name or a path", what);

  /* In a build tree or a test stage the policies sit next to bin/.  */
  n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0)
    {
      char *slash;
      exe[n] = '\0';
      slash = strrchr (exe, '/');
      if (slash)
        {
          *slash = '\0';
          *path = xasprintf ("%s/../policy/seccomp/%s.json", exe, what);
          if (access (*path, R_OK) == 0)
            return 0;
          free (*path);
          *path = xasprintf ("%s/policy/seccomp/%s.json", exe, what);
          if (access (*path, R_OK) == 0)
            return 0;
          free (*path);
        }
    }
  *path = xasprintf ("%s/seccomp/%s.json", PKGDATADIR, what);
  if (access (*path, R_OK) == 0)
    return 0;
  nook_error_set (err, 0, "--seccomp `%s`: no such policy in %s/seccomp", what, PKGDATADIR);
  free (*path);
  *path = NULL;
  return nook_error_hint (err, "give a path to a policy file, `default` or `unconfined`");
}
