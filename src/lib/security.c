/* The last steps before the command: capabilities, credentials,
 * no_new_privs, seccomp.
 *
 * The order is the kernel's: the bounding set needs CAP_SETPCAP, so it is
 * lowered first; a uid change clears the capability sets unless
 * PR_SET_KEEPCAPS holds, so the sets are written after it; a seccomp
 * filter needs no_new_privs (or CAP_SYS_ADMIN), and must come last so
 * that it does not have to allow what the setup itself does.  A sandbox
 * under a policy other than the default one first gets a session keyring
 * of its own.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/keyctl.h>
#include <grp.h>
#include <linux/seccomp.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caps.h"
#include "seccomp.h"
#include "security.h"
#include "spec.h"
#include "utils.h"

/* Policies are small; this keeps `--seccomp /dev/zero` from eating memory.  */
#define POLICY_MAX_SIZE (4 << 20)

void
nook_security_free (struct nook_security *sec)
{
  free (sec->seccomp);
  free (sec->pass_fds);
  free (sec->bpf_fds);
  memset (sec, 0, sizeof *sec);
}

void
nook_filters_free (struct nook_filters *filters)
{
  nook_bpf_free (&filters->bpf[0]);
  nook_bpf_free (&filters->bpf[1]);
  for (size_t i = 0; i < filters->n_extra; i++)
    nook_bpf_free (&filters->extra[i]);
  free (filters->extra);
  memset (filters, 0, sizeof *filters);
}

static bool
is_unconfined (const struct nook_spec *spec)
{
  return spec->security.seccomp && strcmp (spec->security.seccomp, "unconfined") == 0;
}

static int
read_policy (const char *path, char **text, size_t *len, struct nook_error *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  cleanup_free char *buf = NULL;
  struct stat st;
  ssize_t n;

  if (fd < 0)
    return nook_error_errno (err, "--seccomp: open `%s`", path);
  if (fstat (fd, &st) < 0)
    return nook_error_errno (err, "--seccomp: `%s`", path);
  if (!S_ISREG (st.st_mode))
    return nook_error_set (err, 0, "--seccomp: `%s` is not a regular file", path);
  if (st.st_size > POLICY_MAX_SIZE)
    return nook_error_set (err, EFBIG, "--seccomp: `%s`", path);
  buf = xmalloc (st.st_size + 1);
  n = nook_read_all (fd, buf, st.st_size);
  if (n < 0)
    return nook_error_errno (err, "--seccomp: read `%s`", path);
  buf[n] = '\0';
  *len = n;
  *text = steal_pointer (&buf);
  return 0;
}

/* The terminal filter and the policy as one program where it answers
   every call as the two filters stacked would (nook_bpf_merge): the
   kernel's cost of loading a filter has a large fixed part.  FILTERS[0]
   is then empty.  */
static void
merge_terminal_filter (struct nook_bpf *filters)
{
  struct nook_bpf merged;

  if (nook_bpf_merge (&filters[0], &filters[1], &merged) != 1)
    return;
  nook_bpf_free (&filters[0]);
  nook_bpf_free (&filters[1]);
  filters[1] = merged;
}

/* Compiles the terminal filter and the policy into FILTERS, through the
   cache.  */
static int
compile_filters (const struct nook_spec *spec, struct nook_bpf *filters, struct nook_error *err)
{
  struct nook_seccomp_params params = { nook_caps_for_spec (spec), spec->security.allow_nested };
  cleanup_free char *path = NULL, *file_text = NULL;
  const char *what = spec->security.seccomp ? spec->security.seccomp : "default", *text = NULL;
  size_t len = 0;

  if (!nook_seccomp_builtin (what, &path, &text, &len))
    {
      if (nook_seccomp_find (what, &path, err) < 0 || read_policy (path, &file_text, &len, err) < 0)
        return -1;
      text = file_text;
    }
  if (nook_seccomp_cache_load (text, len, &params, filters) == 1)
    {
      nook_log ("seccomp: `%s` from the cache (%zu instructions)", path, filters[1].len);
      return 0;
    }
  if (nook_seccomp_compile (text, len, path, &params, &filters[1], err) < 0
      || nook_seccomp_terminal_filter (filters[1].socket_guard, &filters[0], err) < 0)
    {
      nook_bpf_free (&filters[1]);
      return -1;
    }
  merge_terminal_filter (filters);
  nook_log ("seccomp: `%s` compiled (%zu instructions)", path, filters[1].len);
  nook_seccomp_cache_store (text, len, &params, filters);
  return 0;
}

/* A compiled program from the caller's fd, read whole before any process
   exists; the kernel checks it when it is loaded.  */
static int
read_bpf_fd (int fd, struct nook_bpf *out, struct nook_error *err)
{
  cleanup_free char *buf = NULL;
  size_t len = 0, size = 0;
  ssize_t n;

  do
    {
      if (len == size)
        buf = xrealloc (buf, size = size ? size * 2 : 4096);
      n = read (fd, buf + len, size - len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return nook_error_errno (err, "Can't read seccomp data");
      len += n;
    }
  while (n > 0 && len <= POLICY_MAX_SIZE);
  /* Consumed, as bubblewrap consumes it: the same fd given twice is an
     error, not the same program twice.  */
  close (fd);
  if (len % 8 != 0 || len > POLICY_MAX_SIZE)
    return nook_error_set (err, 0, "Invalid seccomp data, must be multiple of 8");
  out->insns = steal_pointer (&buf);
  out->len = len / 8;
  out->flags = 0;
  return 0;
}

int
nook_security_prepare (const struct nook_spec *spec, struct nook_filters *filters, struct nook_error *err)
{
  const struct nook_security *sec = &spec->security;

  memset (filters, 0, sizeof *filters);
  if (!is_unconfined (spec) && compile_filters (spec, filters->bpf, err) < 0)
    return -1;
  if (sec->n_bpf_fds)
    filters->extra = xcalloc (sec->n_bpf_fds, sizeof *filters->extra);
  for (size_t i = 0; i < sec->n_bpf_fds; i++, filters->n_extra++)
    if (read_bpf_fd (sec->bpf_fds[i], &filters->extra[i], err) < 0)
      return -1;
  filters->ready = true;
  return 0;
}

/* setresgid/setresuid to the spec's ids when the process is not there
   yet (`nook exec`, a shared user namespace); capabilities are kept
   through it and set again right after.  */
static int
change_ids (const struct nook_spec *spec, struct nook_error *err)
{
  uid_t ruid, euid, suid;
  gid_t rgid, egid, sgid;
  int pdeathsig = 0, dumpable;

  /* Supplementary groups only when asked for: in a user namespace with
     setgroups denied (one id mapped) the kernel refuses the call.  */
  if (spec->n_groups && setgroups (spec->n_groups, spec->groups) < 0)
    {
      nook_error_errno (err, "set %zu supplementary groups", spec->n_groups);
      return nook_error_hint (err, "a user namespace that maps only one gid cannot have them: map a range");
    }
  getresuid (&ruid, &euid, &suid);
  getresgid (&rgid, &egid, &sgid);
  if (ruid == spec->uid && euid == spec->uid && suid == spec->uid && rgid == spec->gid && egid == spec->gid
      && sgid == spec->gid)
    return 0;
  prctl (PR_GET_PDEATHSIG, &pdeathsig);
  dumpable = prctl (PR_GET_DUMPABLE, 0, 0, 0, 0);
  if (prctl (PR_SET_KEEPCAPS, 1) < 0)
    return nook_error_errno (err, "keep capabilities");
  if (setresgid (spec->gid, spec->gid, spec->gid) < 0)
    return nook_error_errno (err, "setresgid to %u", (unsigned)spec->gid);
  if (setresuid (spec->uid, spec->uid, spec->uid) < 0)
    return nook_error_errno (err, "setresuid to %u", (unsigned)spec->uid);
  /* A change of ids sets the dumpable flag to fs.suid_dumpable, which a
     host may have set to 1: a process entering a sandbox (enter.h) stays
     non-dumpable until its exec all the same.  */
  if (dumpable == 0 && prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return nook_error_errno (err, "stay non-dumpable");
  prctl (PR_SET_KEEPCAPS, 0);
  /* The kernel clears the parent-death signal when the effective ids
     change: armed again, the sandbox still dies with nook.  A nook that
     died in between is the caller's to notice.  */
  if (pdeathsig && prctl (PR_SET_PDEATHSIG, pdeathsig) < 0)
    return nook_error_errno (err, "PR_SET_PDEATHSIG");
  return 0;
}

/* A sandbox whose policy may allow keyctl gets a session keyring of its
   own: the one it inherits links the user keyring, whose secret
   authenticates the cache of compiled filters (seccomp-cache.c).  Only
   then, since each one counts against the user's key quota.  */
static int
own_session_keyring (const struct nook_spec *spec, struct nook_error *err)
{
  const char *policy = spec->security.seccomp;

  if (policy == NULL || strcmp (policy, "default") == 0)
    return 0;
  if (syscall (SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0)
    {
      nook_error_errno (err, "create the sandbox's session keyring");
      return nook_error_hint (err, "the user's key quota may be used up: see /proc/key-users and "
                                   "/proc/sys/kernel/keys/maxkeys");
    }
  return 0;
}

/* --ulimit (and an OCI config's rlimits), the OOM score and the
   personality: inherited through exec by every process of the sandbox
   (and by a nook exec into it), set while the capabilities to raise a
   hard limit are still there.  */
static int
process_attributes (const struct nook_spec *spec, struct nook_error *err)
{
  const struct nook_limits *l = &spec->limits;
  const struct nook_security *sec = &spec->security;

  for (size_t i = 0; i < l->n_rlimits; i++)
    {
      struct rlimit rl = { l->rlimits[i].soft == UINT64_MAX ? RLIM_INFINITY : l->rlimits[i].soft,
                           l->rlimits[i].hard == UINT64_MAX ? RLIM_INFINITY : l->rlimits[i].hard };
      if (setrlimit (l->rlimits[i].resource, &rl) < 0)
        return nook_error_errno (err, "set resource limit %d to %llu/%llu", l->rlimits[i].resource,
                                 (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
    }
  if (sec->oom_score_adj_set)
    {
      char buf[16];
      int n = snprintf (buf, sizeof buf, "%d", sec->oom_score_adj);
      if (nook_write_file_at (AT_FDCWD, "/proc/self/oom_score_adj", buf, n, err) < 0)
        return nook_error_hint (err, "lowering it below the caller's needs root on the host");
    }
  if (sec->personality_set && personality (sec->personality) < 0)
    return nook_error_errno (err, "set personality %#lx", sec->personality);
  return 0;
}

/* The caller's own programs, after nook's: the kernel runs every filter,
   and the strictest answer wins, so none of them can loosen another.  */
static int
install_extra (const struct nook_filters *filters, struct nook_error *err)
{
  for (size_t i = 0; filters && i < filters->n_extra; i++)
    {
      struct sock_fprog prog = { .len = filters->extra[i].len, .filter = filters->extra[i].insns };
      /* Through prctl, as bubblewrap loads them: a program that allows
         prctl but not seccomp() must not stop the next one.  */
      if (prctl (PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
        return nook_error_errno (err, "Unable to set up system call filtering");
    }
  return 0;
}

int
nook_security_apply (const struct nook_spec *spec, const struct nook_filters *filters, struct nook_error *err)
{
  uint64_t caps = nook_caps_for_spec (spec);
  int r = 0;

  if (process_attributes (spec, err) < 0 || own_session_keyring (spec, err) < 0
      || nook_caps_bound (caps, err) < 0 || change_ids (spec, err) < 0)
    return -1;
  /* A non-zero uid loses every capability at exec unless they are
     ambient; root keeps its bounding set anyway.  */
  if (nook_caps_set (caps, spec->uid != 0 && caps != 0, err) < 0)
    return -1;
  /* From here on no exec gains a privilege: setuid bits and file
     capabilities are ignored.  */
  if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
    return nook_error_errno (err, "set no_new_privs");
  if (is_unconfined (spec))
    return install_extra (filters, err);
  /* Both ways in (spawn.c, and exec.c through the recorded state) prepare
     the filters before any process exists; without them, refuse rather
     than run unfiltered.  */
  if (filters == NULL || !filters->ready)
    return nook_error_set (err, 0, "seccomp: the filter was not prepared");
  /* The terminal filter first, unless merged into the policy: the policy
     may refuse seccomp() itself.  */
  for (size_t i = 0; i < 2 && r == 0; i++)
    if (filters->bpf[i].len > 0)
      r = nook_seccomp_install (&filters->bpf[i], err);
  return r < 0 ? -1 : install_extra (filters, err);
}
