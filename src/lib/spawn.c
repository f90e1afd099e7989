/* nook run: creating a sandbox — the parent's and the sandbox's setup
   steps in order (sync.h names their protocol) — and supervising it.  */
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
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caller.h"
#include "enter.h"
#include "join.h"
#include "logfile.h"
#include "cgroup.h"
#include "mount.h"
#include "net.h"
#include "security.h"
#include "spawn.h"
#include "supervise.h"
#include "sync.h"
#include "tty.h"
#include "userns.h"
#include "utils.h"

extern char **environ;

struct sandbox
{
  struct nook_spec *spec;    /* what was asked for: only read */
  struct nook_caller caller; /* who asked: ids, cwd, home, name */
  struct nook_root_plan plan;
  struct nook_filters filters; /* compiled from the spec's policy */
  struct nook_idmaps maps;
  char **env;
  int init_fd;
  int sync_parent, sync_child;
  int sigfd;
  pid_t pid;
  int pidfd;
  struct nook_tty tty;            /* --tty: nook's side */
  int tty_child;                  /* --tty: the sandbox's end of the terminal socket */
  unsigned outer;                 /* NOOK_NS_* not created: the host's or a joined sandbox's */
  struct nook_join join;          /* namespaces of other sandboxes */
  bool net_by_path;               /* the network namespace is joined by its path */
  struct nook_state state;        /* what `nook ps` and the others read */
  struct nook_run_io *io;         /* a detached supervisor's log and caller, or NULL */
  struct nook_create_io *handoff; /* nook_create: built, then handed over; or NULL */
  struct nook_logfile log;
  struct nook_cgroup cg; /* with limits only */
  struct nook_net net;
};

int
nook_open_init (struct nook_error *err)
{
  char exe[PATH_MAX], path[PATH_MAX + 16];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);
  int fd;

  if (n > 0)
    {
      char *slash;
      exe[n] = '\0';
      slash = strrchr (exe, '/');
      if (slash)
        {
          *slash = '\0';
          snprintf (path, sizeof path, "%s/nook-init", exe);
          fd = open (path, O_PATH | O_CLOEXEC);
          if (fd >= 0)
            return fd;
        }
    }
  fd = open (PKGLIBEXECDIR "/nook-init", O_PATH | O_CLOEXEC);
  if (fd < 0)
    {
      nook_error_errno (err, "cannot find the sandbox init `%s`", PKGLIBEXECDIR "/nook-init");
      return nook_error_hint (err, "reinstall nook (make install)");
    }
  return fd;
}

/* ---- in the sandbox ------------------------------------------------------- */

static void __attribute__ ((noreturn)) child_fail (struct sandbox *sb, struct nook_error *err)
{
  nook_supervise_child_fail (sb->sync_child, NOOK_SYNC_ERROR, err->status ? err->status : NOOK_EXIT_ERROR,
                             err);
}

static int
wait_for_go (int fd)
{
  struct nook_sync_msg msg;
  char text[NOOK_SYNC_MAX_TEXT + 1];
  return nook_sync_recv (fd, &msg, text) == 1 && msg.type == NOOK_SYNC_GO ? 0 : -1;
}

/* KEY=VALUE under /proc/sys (a.b.c is a/b/c), before the root is built
   (whose /proc/sys may be read-only): the host's /proc shows the
   namespaced sysctls of the process that opens them, the sandbox's own,
   and the kernel lets a user namespace's root write only those.  */
enum sysctl_set
{
  SYSCTL_ALL,
  SYSCTL_NET,     /* only net.*: those of a network namespace */
  SYSCTL_NOT_NET, /* all but net.* */
};

static int
write_sysctls (const struct nook_spec *spec, enum sysctl_set which, struct nook_error *err)
{
  for (size_t i = 0; spec->sysctl && spec->sysctl[i]; i++)
    {
      cleanup_free char *key = xstrdup (spec->sysctl[i]);
      char *eq = strchr (key, '='), *path;
      bool net = strncmp (key, "net.", 4) == 0;

      if ((which == SYSCTL_NET && !net) || (which == SYSCTL_NOT_NET && net))
        continue;
      if (eq == NULL)
        return nook_error_set (err, EINVAL, "sysctl `%s`", key);
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
   belongs to the sandbox that made it.  */
static int
setup_namespaces (const struct nook_spec *spec, unsigned outer, struct nook_error *err)
{
  if (!(outer & NOOK_NS_UTS))
    {
      const char *name = nook_spec_hostname (spec);
      if (sethostname (name, strlen (name)) < 0)
        return nook_error_errno (err, "set the hostname to `%s`", name);
      if (spec->domainname && setdomainname (spec->domainname, strlen (spec->domainname)) < 0)
        return nook_error_errno (err, "set the domain name to `%s`", spec->domainname);
    }
  if (!(outer & NOOK_NS_NET) && (nook_net_loopback_up (err) < 0 || nook_net_allow_ping (err) < 0))
    return -1;
  return 0;
}

/* The sandbox's setup sequence, in the order the kernel's rules want it:
   the root first (it needs every capability), then the namespaces'
   identity; whatever drops privileges comes last.  Each step is one named
   function; -v times them.  */
struct setup_step
{
  const char *name;
  int (*run) (struct sandbox *sb, struct nook_error *err);
};

/* A network namespace joined by its path (an engine's, such as rootless
   podman's) belongs to the caller's user namespace, not to the one the
   sandbox makes: its net.* sysctls are the parent's to write, before the
   clone (start_sandbox); the sandbox writes the others.  */
static int
step_sysctl (struct sandbox *sb, struct nook_error *err)
{
  return write_sysctls (sb->spec, sb->net_by_path ? SYSCTL_NOT_NET : SYSCTL_ALL, err);
}

static int
step_root (struct sandbox *sb, struct nook_error *err)
{
  return nook_root_setup (sb->spec, &sb->plan, err);
}

static int
step_namespaces (struct sandbox *sb, struct nook_error *err)
{
  return setup_namespaces (sb->spec, sb->outer, err);
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
  size_t n = 0;
  int keep[sec->n_pass_fds + 3];

  keep[n++] = sb->sync_child;
  keep[n++] = sb->init_fd;
  if (sb->handoff)
    keep[n++] = sb->handoff->gate_fd;
  for (size_t i = 0; i < sec->n_pass_fds; i++)
    keep[n++] = sec->pass_fds[i];
  if (nook_enter_close_fds (keep, n, err) < 0)
    return -1;
  if (fcntl (sb->sync_child, F_SETFD, 0) < 0)
    return nook_error_errno (err, "sync socket");
  for (size_t i = 0; i < sb->spec->security.n_pass_fds; i++)
    if (fcntl (sb->spec->security.pass_fds[i], F_SETFD, 0) < 0)
      return nook_error_errno (err, "--pass-fd %d", sb->spec->security.pass_fds[i]);
  return 0;
}

static int
step_network_inside (struct sandbox *sb, struct nook_error *err)
{
  return nook_net_configure_inside (&sb->net, err);
}

static const struct setup_step sandbox_steps[] = {
  { "sysctl", step_sysctl },
  { "root", step_root },
  { "hostname and loopback", step_namespaces },
  { "network", step_network_inside },
  { "terminal", step_terminal },
  { "file descriptors", step_fds },
  { "security", step_security },
  { NULL, NULL },
};

static int
sandbox_setup (struct sandbox *sb, struct nook_error *err)
{
  for (const struct setup_step *s = sandbox_steps; s->name; s++)
    {
      if (s->run (sb, err) < 0)
        return -1;
      nook_log ("sandbox: %s done", s->name);
    }
  return 0;
}

static int
exec_init (struct sandbox *sb, struct nook_error *err)
{
  size_t n = strv_len (sb->spec->argv), a = 0;
  cleanup_free char **argv = xcalloc (n + 6, sizeof (char *));
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
  close (sb->handoff->gate_fd);
  return 0;
}

static void __attribute__ ((noreturn)) child_main (struct sandbox *sb)
{
  struct nook_error err = { 0 };

  close_parent_fds (sb);
  /* The sandbox must not outlive nook: when nook dies, even by SIGKILL,
     PID 1 is killed and the kernel kills the whole PID namespace.  If nook
     died before this line, wait_for_go sees EOF.  */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  /* A new session: the command gets no controlling terminal, so it cannot
     push input into the caller's (CVE-2017-5226), and terminal signals
     reach nook, which forwards them once.  */
  setsid ();
  if (wait_for_go (sb->sync_child) < 0)
    _exit (NOOK_EXIT_ERROR);
  if (sandbox_setup (sb, &err) < 0 || (sb->handoff && wait_at_gate (sb, &err) < 0))
    child_fail (sb, &err);
  exec_init (sb, &err);
  child_fail (sb, &err);
}

/* ---- in nook ----------------------------------------------------------------- */

static unsigned long
clone_flags (const struct sandbox *sb)
{
  const struct nook_spec *spec = sb->spec;
  unsigned long flags = CLONE_NEWNS | CLONE_PIDFD;
  /* A sandbox that joins another's namespaces is created inside that
     one's user namespace (nook_join_enter), with no user namespace or id
     map of its own.  */
  if (!sb->join.active)
    flags |= CLONE_NEWUSER;
  if (!(sb->outer & NOOK_NS_PID))
    flags |= CLONE_NEWPID;
  if (!(sb->outer & NOOK_NS_NET))
    flags |= CLONE_NEWNET;
  if (!(sb->outer & NOOK_NS_IPC))
    flags |= CLONE_NEWIPC;
  if (!(sb->outer & NOOK_NS_UTS))
    flags |= CLONE_NEWUTS;
  if (!(spec->share & NOOK_NS_CGROUP))
    flags |= CLONE_NEWCGROUP;
  return flags;
}

static int
spawn_sandbox (struct sandbox *sb, struct nook_error *err)
{
  struct clone_args args = { 0 };
  int pidfd = -1;
  long pid;

  args.flags = clone_flags (sb);
  args.pidfd = (uintptr_t)&pidfd;
  args.exit_signal = SIGCHLD;
  /* Born in its cgroup: the command never runs an instruction outside
     its limits, and no window exists to escape them.  */
  if (sb->cg.leaf_fd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = sb->cg.leaf_fd;
    }
  pid = syscall (SYS_clone3, &args, sizeof args);
  if (pid < 0 && sb->cg.leaf_fd >= 0 && errno != ENOSPC)
    return nook_error_errno (err, "start the sandbox in its cgroup `%s`", sb->cg.dir);
  if (pid < 0 && errno == ENOSYS)
    return nook_userns_refused (err); /* the kernel has clone3: a filter refused it */
  if (pid < 0)
    {
      nook_error_errno (err, "create the sandbox's namespaces");
      if (errno == EPERM || errno == ENOSPC || errno == EINVAL)
        nook_error_hint (err, "unprivileged user namespaces may be disabled; run `nook check`");
      return -1;
    }
  if (pid == 0)
    child_main (sb);
  sb->pid = pid;
  sb->pidfd = pidfd;
  close (sb->sync_child);
  sb->sync_child = -1;
  nook_closep (&sb->tty_child);
  sb->tty_child = -1;
  nook_log ("sandbox pid %ld created", pid);
  return 0;
}

static int
step_idmaps (struct sandbox *sb, struct nook_error *err)
{
  if (sb->join.active)
    return 0;
  return nook_idmaps_write (sb->pid, sb->spec, &sb->maps, err);
}

static int
step_state (struct sandbox *sb, struct nook_error *err)
{
  if (sb->handoff)
    return sb->handoff->created ? sb->handoff->created (sb->handoff->ctx, sb->pid, err) : 0;
  return nook_state_running (&sb->state, sb->spec, &sb->filters, sb->pid, sb->join.ids, err);
}

/* A network helper joins the sandbox's user namespace, so it can only
   start once the maps are written.  */
static int
step_network (struct sandbox *sb, struct nook_error *err)
{
  return nook_net_start (sb->spec, &sb->net, sb->pid, err);
}

/* What nook does for the sandbox between the clone and NOOK_SYNC_GO, while
   the sandbox waits: everything that needs the sandbox's pid from outside.  */
static const struct setup_step parent_steps[] = {
  { "id maps", step_idmaps },
  { "state", step_state },
  { "network", step_network },
  { NULL, NULL },
};

static int
parent_setup (struct sandbox *sb, struct nook_error *err)
{
  for (const struct setup_step *s = parent_steps; s->name; s++)
    {
      if (s->run (sb, err) < 0)
        return -1;
      nook_log ("%s done", s->name);
    }
  return 0;
}

/* A detached caller waits for the id, which says that the command runs.  */
static void
tell_started (struct sandbox *sb)
{
  char msg[NOOK_ID_LEN + 1] = { 0 };

  if (sb->io == NULL || sb->io->ready_fd < 0)
    return;
  memcpy (msg + 1, sb->state.id, NOOK_ID_LEN);
  /* MSG_NOSIGNAL: a caller that is gone must not take the supervisor
     with it (SIGPIPE), nor may SIGPIPE be ignored: the command would
     inherit that.  */
  send (sb->io->ready_fd, msg, sizeof msg, MSG_NOSIGNAL);
  nook_closep (&sb->io->ready_fd);
}

static int
extra_ready (void *ctx, int i)
{
  struct sandbox *sb = ctx;

  if (i == 0)
    {
      nook_logfile_pump (&sb->log, sb->io->log_fd);
      return sb->io->log_fd;
    }
  /* Reported once: the helper is reaped, or the holder's word is kept.  */
  nook_net_helper_exited (&sb->net);
  return nook_net_watch_fd (&sb->net);
}

static void
command_started (void *ctx)
{
  nook_log ("command started");
  tell_started (ctx);
}

/* Waits for the sandbox, forwarding signals, and collects its first error
   message.  Returns the exit status, or -1 with ERR set when the command
   could not be started.  */
static int
supervise (struct sandbox *sb, struct nook_error *err)
{
  /* The network helper's pidfd is polled too: a helper that dies is
     reaped and reported when the sandbox ends.  */
  struct nook_supervisor sv = { .pid = sb->pid,
                                .pidfd = sb->pidfd,
                                .sigfd = sb->sigfd,
                                .sync_fd = sb->sync_parent,
                                .tty = &sb->tty,
                                .procfd = AT_FDCWD,
                                .extra = { sb->io ? sb->io->log_fd : -1, nook_net_watch_fd (&sb->net) },
                                .extra_ready = extra_ready,
                                .started = command_started,
                                .ctx = sb };
  siginfo_t info;
  int r = nook_supervise (&sv, &info, err);

  sb->sync_parent = sv.sync_fd;
  if (r < 0)
    return -1;
  /* What the sandbox wrote before it ended.  */
  if (sb->io && sb->io->log_fd >= 0)
    nook_logfile_pump (&sb->log, sb->io->log_fd);
  sb->pid = -1;
  if (r == 1)
    return -1;
  if (!sv.started_ok && info.si_code != CLD_EXITED)
    return nook_error_set (err, 0, "the sandbox was killed by signal %d during setup", info.si_status);
  nook_log ("sandbox exited");
  return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

static void
sandbox_release (struct sandbox *sb, int status)
{
  if (sb->pid > 0)
    nook_pid_killp (&sb->pid);
  nook_cgroup_destroy (&sb->cg);
  nook_tty_release (&sb->tty);
  nook_closep (&sb->tty_child);
  /* Once the sandbox is gone: its exit status, or nothing with --rm.  */
  nook_state_finish (&sb->state, status);
  nook_logfile_close (&sb->log);
  nook_join_release (&sb->join);
  nook_net_release (&sb->net);
  nook_root_plan_free (&sb->plan);
  nook_caller_free (&sb->caller);
  nook_filters_free (&sb->filters);
  strv_free (sb->env);
  nook_closep (&sb->init_fd);
  nook_closep (&sb->sync_parent);
  nook_closep (&sb->sync_child);
  nook_closep (&sb->sigfd);
  nook_closep (&sb->pidfd);
}

int
nook_run (struct nook_spec *spec, struct nook_error *err)
{
  return nook_run_supervised (spec, NULL, err);
}

/* Everything that can be checked is checked before a process exists;
   the sandboxes to join are found, and the id and name reserved.  */
static int
check_and_reserve (struct sandbox *sb, struct nook_error *err)
{
  struct nook_spec *spec = sb->spec;

  nook_log ("checking the spec");
  if (nook_caller_resolve (&sb->caller, spec->map_mode == NOOK_MAP_AUTO, err) < 0
      || nook_join_resolve (spec, &sb->join, err) < 0
      || (!sb->join.active && nook_idmaps_for_spec (spec, &sb->caller, &sb->maps, err) < 0)
      || nook_root_plan_build (spec, &sb->caller, &sb->plan, err) < 0
      || nook_net_prepare (spec, &sb->net, &sb->plan, err) < 0
      || nook_security_prepare (spec, &sb->filters, err) < 0
      || (!sb->handoff && nook_state_reserve (&sb->state, spec, err) < 0))
    return -1;
  if (spec->security.tty && nook_tty_prepare (&sb->tty, &sb->tty_child, sb->handoff == NULL, err) < 0)
    return -1;
  sb->outer = spec->share | nook_join_ns_bits (&sb->join);
  if (sb->io && sb->io->log_fd >= 0
      && nook_logfile_open (&sb->log, sb->state.dirfd, spec->life.log_size, err) < 0)
    return -1;
  /* On a shared network the sandbox's user namespace is created inside the
     holder's, where the caller is uid and gid 0.  */
  if (sb->net.mode == NOOK_NET_SHARED)
    sb->maps.uid[0].outside = sb->maps.gid[0].outside = 0;
  return 0;
}

/* What the parent holds before the clone: the command's environment,
   nook-init, the cgroup (without limits, no cgroup work at all), the sync
   socket and the blocked signals.  */
static int
prepare_parent (struct sandbox *sb, sigset_t *old_mask, struct nook_error *err)
{
  int sv[2];

  sb->env = nook_spec_build_env (sb->spec, &sb->caller, environ);
  sb->init_fd = nook_open_init (err);
  if (sb->init_fd < 0)
    return -1;
  if (sb->spec->limits.set && !sb->handoff && nook_cgroup_create (sb->spec, &sb->cg, err) < 0)
    return -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return nook_error_errno (err, "socketpair");
  sb->sync_parent = sv[0];
  sb->sync_child = sv[1];
  sb->sigfd = nook_supervise_block_signals (false, old_mask, err);
  return sb->sigfd < 0 ? -1 : 0;
}

/* The clone, the parent's steps, NOOK_SYNC_GO.  Joining: non-dumpable
   before the first setns, so that the child, visible in the joined PID
   namespace from its clone, never is dumpable before its exec (enter.h).  */
static int
start_sandbox (struct sandbox *sb, struct nook_error *err)
{
  bool joining = sb->join.active || nook_join_ns_bits (&sb->join);

  /* The child closes the join's fds first thing: it learns it here.  */
  sb->net_by_path = sb->join.nsfd[NOOK_JOIN_NET] >= 0;
  if ((joining && nook_enter_begin (err) < 0) || nook_join_enter (&sb->join, err) < 0
      || (sb->net_by_path && write_sysctls (sb->spec, SYSCTL_NET, err) < 0)
      || nook_net_before_clone (&sb->net, err) < 0 || spawn_sandbox (sb, err) < 0
      || parent_setup (sb, err) < 0)
    return -1;
  if (nook_sync_send (sb->sync_parent, NOOK_SYNC_GO, 0, 0, NULL) < 0)
    return nook_error_errno (err, "start the sandbox");
  return 0;
}

int
nook_run_supervised (struct nook_spec *spec, struct nook_run_io *io, struct nook_error *err)
{
  struct sandbox sb = { .spec = spec,
                        .init_fd = -1,
                        .sync_parent = -1,
                        .sync_child = -1,
                        .sigfd = -1,
                        .pid = -1,
                        .pidfd = -1,
                        .tty_child = -1,
                        .io = io,
                        .state = { .dirfd = -1 },
                        .log = { .fd = -1 },
                        .cg = NOOK_CGROUP_INIT };
  sigset_t old_mask;
  int status = -1;

  nook_tty_init (&sb.tty);
  nook_net_init (&sb.net);
  nook_join_init (&sb.join);
  if (check_and_reserve (&sb, err) < 0 || prepare_parent (&sb, &old_mask, err) < 0
      || start_sandbox (&sb, err) < 0)
    goto out;
  status = supervise (&sb, err);
  if (status >= 0)
    status = nook_cgroup_exit_status (&sb.cg, spec, status);
out:
  sandbox_release (&sb, status);
  return status;
}

/* nook_create: waits for the sandbox to say it is set up and waiting at
   its gate, or for its error, or for its end.  */
static int
wait_created (struct sandbox *sb, struct nook_error *err)
{
  struct pollfd pfd[2] = { { sb->sync_parent, POLLIN, 0 }, { sb->pidfd, POLLIN, 0 } };
  struct nook_sync_msg msg;
  char text[NOOK_SYNC_MAX_TEXT + 1];

  while (poll (pfd, 2, -1) < 0)
    if (errno != EINTR)
      return nook_error_errno (err, "wait for the sandbox");
  /* The sync socket first: a sandbox that failed has sent why before it
     exited.  */
  if (nook_sync_recv (sb->sync_parent, &msg, text) == 1)
    {
      if (msg.type == NOOK_SYNC_CREATED)
        return 0;
      nook_error_set (err, 0, "%s", text);
      nook_error_status (err, msg.status);
      err->errnum = msg.errnum;
      return -1;
    }
  return nook_error_set (err, 0, "the sandbox ended during its setup");
}

int
nook_create (struct nook_spec *spec, struct nook_create_io *io, struct nook_error *err)
{
  struct sandbox sb = { .spec = spec,
                        .init_fd = -1,
                        .sync_parent = -1,
                        .sync_child = -1,
                        .sigfd = -1,
                        .pid = -1,
                        .pidfd = -1,
                        .tty_child = -1,
                        .handoff = io,
                        .state = { .dirfd = -1 },
                        .log = { .fd = -1 },
                        .cg = NOOK_CGROUP_INIT };
  sigset_t old_mask;
  bool masked = false;
  int r = -1;

  io->pid = -1;
  io->console_fd = -1;
  nook_tty_init (&sb.tty);
  nook_net_init (&sb.net);
  nook_join_init (&sb.join);
  if (check_and_reserve (&sb, err) < 0 || prepare_parent (&sb, &old_mask, err) < 0)
    goto out;
  masked = true;
  if (start_sandbox (&sb, err) < 0 || wait_created (&sb, err) < 0)
    goto out;
  if (spec->security.tty)
    {
      io->console_fd = nook_tty_receive (sb.tty.sock);
      if (io->console_fd < 0)
        {
          nook_error_errno (err, "receive the sandbox's terminal");
          goto out;
        }
    }
  io->pid = sb.pid;
  sb.pid = -1; /* handed over: not killed on the way out */
  r = 0;
out:
  sandbox_release (&sb, r);
  if (masked)
    sigprocmask (SIG_SETMASK, &old_mask, NULL);
  return r;
}
