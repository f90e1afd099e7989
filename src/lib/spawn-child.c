/* nook run: the sandbox's own setup, from its clone to the exec of
   nook-init (or the command): its steps in order (sync.h names the
   protocol with nook's side, spawn.c).  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attach.h"
#include "caller.h"
#include "caller-fds.h"
#include "desktop.h"
#include "enter.h"
#include "fault.h"
#include "join.h"
#include "landlock.h"
#include "logfile.h"
#include "cgroup.h"
#include "mount.h"
#include "net.h"
#include "passwd.h"
#include "security.h"
#include "spawn-sandbox.h"
#include "spawn.h"
#include "supervise.h"
#include "sync.h"
#include "timens.h"
#include "tty.h"
#include "userns.h"
#include "utils.h"

extern char **environ;

/* ---- in the sandbox ------------------------------------------------------- */

static void __attribute__ ((noreturn)) child_fail (struct sandbox *sb, struct nook_error *err)
{
  nook_supervise_child_fail (sb->sync_child, NOOK_SYNC_ERROR, err->status ? err->status : NOOK_EXIT_ERROR,
                             err);
}

static int
wait_for (int fd, enum nook_sync_type type)
{
  struct nook_sync_msg msg;
  char text[NOOK_SYNC_MAX_TEXT + 1];
  return nook_sync_recv (fd, &msg, text) == 1 && msg.type == type ? 0 : -1;
}

static int
wait_for_go (int fd)
{
  return wait_for (fd, NOOK_SYNC_GO);
}

/* The namespace a sysctl belongs to (NOOK_NS_*), 0 for none known.  */
static unsigned
sysctl_ns (const char *key)
{
  if (strncmp (key, "net.", 4) == 0)
    return NOOK_NS_NET;
  if (strncmp (key, "kernel.shm", 10) == 0 || strncmp (key, "kernel.msg", 10) == 0
      || strncmp (key, "kernel.sem", 10) == 0 || strncmp (key, "fs.mqueue.", 10) == 0)
    return NOOK_NS_IPC;
  if (strcmp (key, "kernel.hostname=") == 0 || strncmp (key, "kernel.domainname", 17) == 0)
    return NOOK_NS_UTS;
  return 0;
}

/* KEY=VALUE under /proc/sys (a.b.c is a/b/c), before the root is built
   (whose /proc/sys may be read-only): the host's /proc shows the
   namespaced sysctls of the process that opens them.  The kernel lets a
   user namespace's root write only those of the namespaces it owns: the
   sandbox writes those of the namespaces it made, nook (in them by then)
   those of the ones it joined or kept (JOINED: only those; else only the
   others).  */
int
nook_spawn_write_sysctls (const struct nook_spec *spec, unsigned joined_ns, bool joined,
                          struct nook_error *err)
{
  for (size_t i = 0; spec->sysctl && spec->sysctl[i]; i++)
    {
      cleanup_free char *key = xstrdup (spec->sysctl[i]);
      char *eq = strchr (key, '='), *path;

      if (eq == NULL)
        return nook_error_set (err, EINVAL, "sysctl `%s`", key);
      if (((sysctl_ns (key) & joined_ns) != 0) != joined)
        continue;
      *eq = '\0';
      for (char *p = key; *p; p++)
        if (*p == '.')
          *p = '/';
      path = xasprintf ("/proc/sys/%s", key);
      if (nook_write_file_at (AT_FDCWD, path, eq + 1, strlen (eq + 1), err) < 0)
        {
          free (path);
          return nook_error_wrap (err, "sysctl");
        }
      free (path);
    }
  return 0;
}

/* Only the namespaces the sandbox made itself are set up: a joined one
   belongs to the sandbox that made it.  LO_UP: lo is up already.  */
static int
setup_namespaces (const struct nook_spec *spec, unsigned outer, bool lo_up, struct nook_error *err)
{
  if (!(outer & NOOK_NS_UTS))
    {
      const char *name = nook_spec_hostname (spec);
      if (sethostname (name, strlen (name)) < 0)
        return nook_error_errno (err, "set the hostname to `%s`", name);
      if (spec->domainname && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
        return nook_error_errno (err, "set the domain name to `%s`", spec->domainname);
    }
  if (!(outer & NOOK_NS_NET) && ((!lo_up && nook_net_loopback_up (err) < 0) || nook_net_allow_ping (err) < 0))
    return -1;
  return 0;
}

/* Sets KEY=VALUE in the command's environment (the sandbox's copy).  */
static void
env_set (char ***env, const char *key, const char *value)
{
  size_t n = strlen (key);

  for (char **e = *env; e && *e; e++)
    if (strncmp (*e, key, n) == 0 && (*e)[n] == '=')
      {
        free (*e);
        *e = xasprintf ("%s=%s", key, value);
        return;
      }
  strv_append (env, xasprintf ("%s=%s", key, value));
}

/* --disable-userns: the sysctl and this process's maps are written once
   the root hides the host's /proc, so both are opened first.  */
static int
open_userns_files (struct sandbox *sb, struct nook_error *err)
{
  if (!sb->spec->security.disable_userns)
    return 0;
  sb->sysctl_fd = open ("/proc/sys/user/max_user_namespaces", O_WRONLY | O_CLOEXEC);
  if (sb->sysctl_fd < 0)
    return nook_error_errno (err, "cannot open /proc/sys/user/max_user_namespaces");
  sb->self_fd = open ("/proc/self", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (sb->self_fd < 0)
    return nook_error_errno (err, "open /proc/self");
  return 0;
}

/* The first step: the time namespace's offsets can only be written
   before any process is in it, so before this process forks anything
   (timens.h); its exec moves it in.  */
static int
step_timens (struct sandbox *sb, struct nook_error *err)
{
  return nook_timens_create (&sb->spec->timens, err);
}

/* A mount namespace given by path (an OCI config's): the root is set up
   in it, as runc does, rather than in a new one.  */
static int
step_mount_ns (struct sandbox *sb, struct nook_error *err)
{
  return sb->mntns_fd < 0 ? 0 : nook_join_enter_mount (steal_fd (&sb->mntns_fd), err);
}

static int
step_sysctl (struct sandbox *sb, struct nook_error *err)
{
  return nook_spawn_write_sysctls (sb->spec, sb->outer, false, err);
}

/* nook_create's moment before the pivot: the root is made in the
   sandbox's mount namespace, the host's paths are still there.  */
static int
at_root (void *ctx, struct nook_error *err)
{
  struct sandbox *sb = ctx;
  return sb->handoff->in_sandbox (sb->handoff->ctx, NOOK_CREATE_AT_ROOT, sb->self_pid, err);
}

static int
step_root (struct sandbox *sb, struct nook_error *err)
{
  char cwd[PATH_MAX];

  if (sb->handoff && sb->handoff->in_sandbox)
    {
      sb->plan.before_pivot = at_root;
      sb->plan.before_pivot_ctx = sb;
    }

  if (open_userns_files (sb, err) < 0 || nook_root_setup (sb->spec, &sb->plan, err) < 0)
    return -1;
  /* Once the host's root is detached: a shared root is a peer group of
     its own, never the host's.  */
  if (sb->spec->fs.root_propagation && mount (NULL, "/", NULL, sb->spec->fs.root_propagation, NULL) < 0)
    return nook_error_errno (err, "set the root's propagation");
  /* An empty root's command starts where the engine found a place: PWD
     says where, as bubblewrap sets it.  */
  if (sb->spec->root_empty && getcwd (cwd, sizeof cwd))
    env_set (&sb->env, "PWD", cwd);
  return 0;
}

static int
step_namespaces (struct sandbox *sb, struct nook_error *err)
{
  return setup_namespaces (sb->spec, sb->outer, sb->own_netns, err);
}

/* Landlock, once the root is final: writes beneath the read-write mounts
   the plan made (the list nook records for nook exec too).  nook-init's
   fd lies outside the root; it may still be executed.  Before the
   capabilities go: restricting needs no_new_privs or CAP_SYS_ADMIN, and
   the sandbox still has the latter.  */
static int
step_landlock (struct sandbox *sb, struct nook_error *err)
{
  return sb->landlock ? nook_landlock_apply (sb->landlock_writable, sb->init_sealed ? -1 : sb->init_fd, err)
                      : 0;
}

/* Capabilities, credentials, no_new_privs, seccomp: the last step, so the
   filter need not allow what the setup does.  */
static int
step_security (struct sandbox *sb, struct nook_error *err)
{
  if (nook_security_apply (sb->spec, &sb->filters, err) < 0)
    return -1;
  nook_supervise_check_parent (sb->sync_child);
  return 0;
}

/* --tty: a terminal of the sandbox's own, from its devpts.  */
static int
step_terminal (struct sandbox *sb, struct nook_error *err)
{
  if (sb->tty_child < 0)
    return 0;
  if (nook_tty_setup_in_sandbox (sb->tty_child, err) < 0)
    return -1;
  close (sb->tty_child);
  sb->tty_child = -1;
  return 0;
}

/* Only 0-2, the sync socket and the --pass-fd ones cross into the
   sandbox: an fd inherited from the caller could reach anything on the
   host.  Closed for real (enter.h, step 6), but for nook-init's own fd,
   which its exec closes; before the seccomp filter, which might refuse
   close_range.  */
static int
step_fds (struct sandbox *sb, struct nook_error *err)
{
  const struct nook_security *sec = &sb->spec->security;
  const struct nook_life_spec *life = &sb->spec->life;
  size_t n = 0;
  int keep[sec->n_pass_fds + 8];

  keep[n++] = sb->sync_child;
  keep[n++] = sb->init_fd;
  if (sb->handoff)
    keep[n++] = sb->handoff->gate_fd;
  for (size_t i = 0; i < sec->n_pass_fds; i++)
    keep[n++] = sec->pass_fds[i];
  /* The caller's fds that later steps use, and the one it watches.  */
  int extra[] = { life->block_fd, life->userns2_fd, life->sync_fd, sb->sysctl_fd, sb->self_fd };

  for (size_t i = 0; i < sizeof extra / sizeof extra[0]; i++)
    if (extra[i] >= 0)
      keep[n++] = extra[i];
  if (nook_enter_close_fds (keep, n, err) < 0)
    return -1;
  /* nook-init reports through the socket; a command run directly must
     not hold it (its close on exec tells nook the exec happened).  */
  if (!sb->spec->life.direct_exec && fcntl (sb->sync_child, F_SETFD, 0) < 0)
    return nook_error_errno (err, "sync socket");
  for (size_t i = 0; i < sb->spec->security.n_pass_fds; i++)
    if (fcntl (sb->spec->security.pass_fds[i], F_SETFD, 0) < 0)
      return nook_error_errno (err, "--pass-fd %d", sb->spec->security.pass_fds[i]);
  if (life->sync_fd >= 0 && fcntl (life->sync_fd, F_SETFD, 0) < 0)
    return nook_error_errno (err, "sync fd %d", life->sync_fd);
  return 0;
}

/* What the caller asked of the sandbox's last moments before the
   command: locks, the user namespace to end in and whether more may be
   made, a wait for its word.  After step_fds, so the locks' fds stay.  */
static int
step_caller_requests (struct sandbox *sb, struct nook_error *err)
{
  const struct nook_spec *spec = sb->spec;
  const struct nook_life_spec *life = &spec->life;

  if (nook_lock_files (life->lock_files, err) < 0)
    return -1;
  if (life->userns2_fd >= 0 && setns (life->userns2_fd, CLONE_NEWUSER) < 0)
    return nook_error_errno (err, "Setting userns2 failed");
  /* The caller's fd of a namespace is no fd for the command to hold.  */
  if (life->userns2_fd >= 0)
    close (life->userns2_fd);
  if (spec->security.disable_userns
      && nook_userns_disable_nested (sb->sysctl_fd, sb->self_fd, spec->uid, spec->gid, err) < 0)
    return -1;
  nook_closep (&sb->sysctl_fd);
  nook_closep (&sb->self_fd);
  if ((spec->security.disable_userns || spec->security.assert_userns_disabled)
      && nook_userns_assert_disabled (err) < 0)
    return -1;
  if (life->block_fd >= 0)
    nook_wait_block_fd (life->block_fd);
  return 0;
}

static int
step_network_inside (struct sandbox *sb, struct nook_error *err)
{
  return nook_net_configure_inside (&sb->net, err);
}

/* What nook does beside the sandbox's setup: the state that `nook ps`
   and `nook exec` read, a network helper's start-up.  The command must be
   listed and find the network configured at its first instruction: nook
   sends NOOK_SYNC_READY once both are done, or kills the sandbox when
   either fails; EOF means nook is gone.  Before the security step, whose
   filter might refuse the wait.  */
static int
step_parent_ready (struct sandbox *sb, struct nook_error *err)
{
  if (wait_for (sb->sync_child, NOOK_SYNC_READY) < 0)
    return nook_error_set (err, 0,
                           nook_net_awaits_ready (&sb->net) ? "the network helper did not get ready"
                                                            : "nook did not record the sandbox");
  return 0;
}

/* The sandbox's setup sequence, in the order the kernel's rules want it:
   the root first (it needs every capability), then the namespaces'
   identity; whatever drops privileges comes last.  */
static const struct setup_step sandbox_steps[] = {
  { "time namespace", step_timens },
  { "mount namespace", step_mount_ns },
  { "sysctl", step_sysctl },
  { "root", step_root },
  { "hostname and loopback", step_namespaces },
  { "network", step_network_inside },
  { "terminal", step_terminal },
  { "file descriptors", step_fds },
  { "caller's requests", step_caller_requests },
  { "landlock", step_landlock },
  { "nook ready", step_parent_ready },
  { "security", step_security },
  { NULL, NULL },
};

static int
sandbox_setup (struct sandbox *sb, struct nook_error *err)
{
  for (const struct setup_step *s = sandbox_steps; s->name; s++)
    {
      nook_fault_point ("sandbox: %s", s->name);
      if (s->run (sb, err) < 0)
        return -1;
      nook_log ("sandbox: %s done", s->name);
    }
  return 0;
}

/* Without nook-init (struct nook_life_spec.direct_exec): the command is
   this process.  PATH is looked up in the command's environment.  */
static int
exec_direct (struct sandbox *sb, struct nook_error *err)
{
  char **argv = sb->spec->argv;
  const char *file = argv[0];

  if (sb->spec->argv0)
    argv[0] = sb->spec->argv0;
  environ = sb->env;
  nook_log ("sandbox: exec %s", file);
  /* The signals nook blocks to forward them are no part of the
     command's mask (nook-init, when there is one, clears it too).  */
  nook_supervise_unblock_signals ();
  execvp (file, argv);
  nook_error_errno (err, "execvp %s", file);
  err->status = errno == ENOENT ? NOOK_EXIT_NOT_FOUND : NOOK_EXIT_CANNOT_EXEC;
  return -1;
}

/* nook_create, the command as the sandbox's own process: nobody hears
   of a failed exec once the creator has returned, so the command is
   looked up before the gate, as runc does before its exec fifo: a
   missing one fails create.  Looked up as execvp will: in the command's
   PATH, with the command's credentials.  */
static int
check_command (struct sandbox *sb, struct nook_error *err)
{
  const char *cmd = sb->spec->argv[0], *path = "/bin:/usr/bin";
  int errnum = ENOENT;

  for (char **e = sb->env; e && *e; e++)
    if (strncmp (*e, "PATH=", 5) == 0)
      path = *e + 5;
  if (strchr (cmd, '/'))
    errnum = access (cmd, X_OK) == 0 ? 0 : errno;
  else
    for (const char *p = path; errnum && *p;)
      {
        size_t n = strcspn (p, ":");
        cleanup_free char *full = xasprintf ("%.*s%s%s", (int)n, p, n ? "/" : "", cmd);
        if (access (full, X_OK) == 0)
          errnum = 0;
        else if (errno == EACCES)
          errnum = EACCES;
        p += n + (p[n] == ':');
      }
  if (errnum == 0)
    return 0;
  nook_error_set (err, errnum, "`%s`: %s", cmd,
                  errnum == ENOENT && !strchr (cmd, '/') ? "command not found in the container's PATH"
                                                         : strerror (errnum));
  return nook_error_status (err, errnum == ENOENT ? NOOK_EXIT_NOT_FOUND : NOOK_EXIT_CANNOT_EXEC);
}

static int
exec_init (struct sandbox *sb, struct nook_error *err)
{
  size_t n = strv_len (sb->spec->argv), a = 0;
  cleanup_free char **argv = xcalloc (n + 8, sizeof (char *));
  char fdstr[16];
  int fd = sb->sync_child;

  snprintf (fdstr, sizeof fdstr, "%d", fd);
  argv[a++] = (char *)"nook-init";
  argv[a++] = (char *)"--sync-fd";
  argv[a++] = fdstr;
  /* In the host's PID namespace or a joined sandbox's, nook-init is not
     PID 1: it reaps as a subreaper and kills what it started by hand.  */
  if (sb->outer & NOOK_NS_PID)
    argv[a++] = (char *)"--no-pidns";
  if (sb->spec->argv0)
    {
      argv[a++] = (char *)"--argv0";
      argv[a++] = sb->spec->argv0;
    }
  argv[a++] = (char *)"--";
  for (size_t i = 0; i < n; i++)
    argv[a++] = sb->spec->argv[i];

  nook_log ("sandbox: exec nook-init");
  syscall (SYS_execveat, sb->init_fd, "", argv, sb->env, AT_EMPTY_PATH);
  return nook_error_errno (err, "exec the sandbox init");
}

/* The fds nook holds for itself, closed as the child's first act: in a
   joined PID namespace the child is visible from its first instruction
   (enter.h).  Plain close(): the parent's copies keep their locks.  */
static void
close_parent_fds (struct sandbox *sb)
{
  int *fds[] = { &sb->sync_parent,
                 &sb->tty.sock,
                 &sb->tty.listen,
                 &sb->tty.client,
                 &sb->sigfd,
                 &sb->state.dirfd,
                 &sb->state.store.fd,
                 &sb->state.store.boxes,
                 &sb->state.store.names,
                 &sb->state.store.lockfd,
                 &sb->log.fd,
                 &sb->cg.lock_fd,
                 &sb->cg.leaf_fd,
                 sb->io ? &sb->io->log_fd : NULL,
                 sb->io ? &sb->io->ready_fd : NULL };

  /* The mount namespace given by path is the sandbox's to enter.  */
  sb->mntns_fd = steal_fd (&sb->join.path_fd[NOOK_NSPATH_MOUNT]);
  for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
    if (fds[i] && *fds[i] >= 0)
      {
        close (*fds[i]);
        *fds[i] = -1;
      }
  nook_join_release (&sb->join);
}

/* nook_create: the sandbox no longer dies with its creator, tells it that
   it is ready, and waits at its gate until `start` writes a byte.  The
   gate is closed before the exec: nothing of it reaches the command.  */
static int
wait_at_gate (struct sandbox *sb, struct nook_error *err)
{
  char byte;
  ssize_t n;

  prctl (PR_SET_PDEATHSIG, 0);
  /* A creator killed before the line above took the sandbox with it; one
     killed since has closed its end: leave nothing either way.  */
  nook_supervise_check_parent (sb->sync_child);
  if (nook_sync_send (sb->sync_child, NOOK_SYNC_CREATED, 0, 0, NULL) < 0)
    return nook_error_errno (err, "tell the runtime the sandbox is created");
  do
    n = read (sb->handoff->gate_fd, &byte, 1);
  while (n < 0 && errno == EINTR);
  if (n != 1)
    return nook_error_errno (err, "wait to be started");
  /* The gate stays open until then: `start` sees it close only once the
     command is about to run.  */
  if (sb->handoff->in_sandbox
      && sb->handoff->in_sandbox (sb->handoff->ctx, NOOK_CREATE_AT_START, sb->self_pid, err) < 0)
    {
      /* A byte left in the fifo once the gate closes says it failed.  */
      if (write (sb->handoff->gate_fd, "E", 1) < 0)
        nook_log ("gate: %s", strerror (errno));
      return -1;
    }
  close (sb->handoff->gate_fd);
  return 0;
}

/* The sandbox's pid in nook's PID namespace, from the /proc it still
   shares with nook (the root is not built yet).  */
static pid_t
pid_outside (void)
{
  char buf[32];
  ssize_t n = readlink ("/proc/self", buf, sizeof buf - 1);

  if (n <= 0)
    return getpid ();
  buf[n] = '\0';
  return (pid_t)strtol (buf, NULL, 10);
}

/* struct sandbox.own_netns: the network namespace, and lo up in it, while
   nook writes the id maps (neither needs them: the capabilities of a new
   user namespace are its creator's from the clone on).  */
static int
own_netns (struct sandbox *sb, struct nook_error *err)
{
  if (!sb->own_netns)
    return 0;
  nook_fault_point ("sandbox: network namespace");
  if (unshare (CLONE_NEWNET) < 0)
    return nook_error_errno (err, "create the sandbox's network namespace");
  return nook_net_loopback_up (err);
}

void
nook_spawn_child_main (struct sandbox *sb)
{
  struct nook_error err = { 0 };
  int netns;

  close_parent_fds (sb);
  /* The sandbox must not outlive nook: when nook dies, even by SIGKILL,
     PID 1 is killed and the kernel kills the whole PID namespace.  If nook
     died before this line, wait_for_go sees EOF.  */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* A new session: the command gets no controlling terminal, so it cannot
     push input into the caller's (CVE-2017-5226), and terminal signals
     reach nook, which forwards them once.  */
  if (!sb->spec->security.same_session)
    setsid ();
  netns = own_netns (sb, &err);
  if (wait_for_go (sb->sync_child) < 0)
    _exit (NOOK_EXIT_ERROR);
  /* Told once nook listens.  */
  if (netns < 0)
    child_fail (sb, &err);
  if (sb->handoff)
    sb->self_pid = pid_outside ();
  if (sandbox_setup (sb, &err) < 0
      || (sb->handoff && sb->spec->life.direct_exec && check_command (sb, &err) < 0)
      || (sb->handoff && wait_at_gate (sb, &err) < 0))
    child_fail (sb, &err);
  if (sb->spec->life.direct_exec)
    exec_direct (sb, &err);
  else
    exec_init (sb, &err);
  child_fail (sb, &err);
}
