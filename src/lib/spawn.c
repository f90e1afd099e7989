/* nook run: creating a sandbox — the parent's and the sandbox's setup
   steps in order (sync.h names their protocol) — and supervising it.  */
#include <config.h>

#include <errno.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sched.h>
#include <malloc.h>
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
#include "pause.h"
#include "sandbox.h"
#include "security.h"
#include "shed.h"
#include "spawn-sandbox.h"
#include "spawn.h"
#include "supervise.h"
#include "sync.h"
#include "timens.h"
#include "tty.h"
#include "userns.h"
#include "utils.h"

extern char **environ;

#ifndef MFD_EXEC
#define NOOK_MFD_EXEC 0x0010U
#else
#define NOOK_MFD_EXEC MFD_EXEC
#endif

int
nook_init_sealed (int init_fd, struct nook_error *err)
{
  char path[64];
  cleanup_close int src = -1;
  cleanup_close int mfd = -1;
  struct stat st;

  snprintf (path, sizeof path, "/proc/self/fd/%d", init_fd);
  src = open (path, O_RDONLY | O_CLOEXEC);
  if (src < 0 || fstat (src, &st) < 0)
    return nook_error_errno (err, "read nook-init");
  /* MFD_EXEC: where vm.memfd_noexec would make it non-executable; older
     kernels know no such flag, and their memfds are executable.  */
  mfd = memfd_create ("nook-init", MFD_CLOEXEC | MFD_ALLOW_SEALING | NOOK_MFD_EXEC);
  if (mfd < 0 && errno == EINVAL)
    mfd = memfd_create ("nook-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  if (mfd < 0)
    return nook_error_errno (err, "a sealed copy of nook-init");
  for (off_t done = 0; done < st.st_size;)
    {
      ssize_t n = sendfile (mfd, src, &done, st.st_size - done);
      if (n <= 0)
        return nook_error_errno (err, "copy nook-init");
    }
  if (fcntl (mfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0)
    return nook_error_errno (err, "seal the copy of nook-init");
  return steal_fd (&mfd);
}

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

/* ---- in nook ----------------------------------------------------------------- */

/* The sandbox is made in a user namespace that exists: no id map.  */
static bool
in_given_userns (const struct sandbox *sb)
{
  return sb->join.active || sb->spec->life.userns_fd >= 0 || sb->join.path_fd[NOOK_NSPATH_USER] >= 0;
}

static unsigned long
clone_flags (const struct sandbox *sb)
{
  unsigned long flags = CLONE_PIDFD;
  /* A sandbox that joins another's namespaces is created inside that
     one's user namespace (nook_join_enter), with no user namespace or id
     map of its own; so is one given a user namespace.  A mount namespace
     given by path is entered by the sandbox (nook_join_enter_mount).  */
  if (!in_given_userns (sb))
    flags |= CLONE_NEWUSER;
  if (sb->join.path_fd[NOOK_NSPATH_MOUNT] < 0)
    flags |= CLONE_NEWNS;
  if (!(sb->outer & NOOK_NS_PID))
    flags |= CLONE_NEWPID;
  if (!(sb->outer & NOOK_NS_NET) && !sb->own_netns)
    flags |= CLONE_NEWNET;
  if (!(sb->outer & NOOK_NS_IPC))
    flags |= CLONE_NEWIPC;
  if (!(sb->outer & NOOK_NS_UTS))
    flags |= CLONE_NEWUTS;
  if (!(sb->outer & NOOK_NS_CGROUP))
    flags |= CLONE_NEWCGROUP;
  return flags;
}

static int
spawn_sandbox (struct sandbox *sb, struct nook_error *err)
{
  struct clone_args args = { 0 };
  int pidfd = -1, cgroup = sb->cg.leaf_fd >= 0 ? sb->cg.leaf_fd : sb->handoff ? sb->handoff->cgroup_fd : -1;
  long pid;

  args.flags = clone_flags (sb);
  args.pidfd = (uintptr_t)&pidfd;
  args.exit_signal = SIGCHLD;
  /* Born in its cgroup: the command never runs an instruction outside
     its limits, and no window exists to escape them.  */
  if (cgroup >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = cgroup;
    }
  nook_fault_point ("parent: clone");
  nook_fault_owner ();
  pid = syscall (SYS_clone3, &args, sizeof args);
  if (pid < 0 && cgroup >= 0 && errno != ENOSPC)
    return sb->cg.dir ? nook_error_errno (err, "start the sandbox in its cgroup `%s`", sb->cg.dir)
                      : nook_error_errno (err, "start the sandbox in the cgroup it was given");
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
    nook_spawn_child_main (sb);
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
  if (in_given_userns (sb))
    return 0;
  return nook_idmaps_write (sb->pid, sb->spec, &sb->maps, err);
}

/* The state: nook run's (state.json, seccomp.bpf) is written after
   NOOK_SYNC_GO, while the sandbox builds its root, which needs none of it;
   the sandbox waits for NOOK_SYNC_READY before its security step, so no
   command runs that `nook ps` or `nook exec` could miss.  nook_create's
   record is written before NOOK_SYNC_GO: the hooks that run in the
   sandbox's setup may read it.  */
static int
step_state (struct sandbox *sb, struct nook_error *err)
{
  if (sb->spec->life.unlisted)
    return 0;
  if (sb->handoff)
    return sb->handoff->created ? sb->handoff->created (sb->handoff->ctx, sb->pid, err) : 0;
  /* Reserved only now: nothing but its state goes in its entry (a run
     whose terminal socket, log or desktop proxy does reserved before the
     clone), so it is a file entry, made whole in one write.  */
  if (sb->state.dirfd < 0)
    {
      sb->state.file = true;
      if (nook_state_reserve (&sb->state, sb->spec, err) < 0)
        return -1;
    }
  /* What nook exec restricts itself to: the very list the sandbox does.  */
  if (sb->landlock)
    json_object_object_add (sb->state.doc, "landlock_writable",
                            nook_landlock_writable_json (sb->landlock_writable));
  return nook_state_running (&sb->state, sb->spec, &sb->filters, sb->pid, sb->join.ids, err);
}

/* Whether nook enters other namespaces before the clone (start_sandbox).  */
static bool
joins_namespaces (const struct sandbox *sb)
{
  return sb->join.active || nook_join_ns_bits (&sb->join) || sb->spec->timens.path
         || sb->join.path_fd[NOOK_NSPATH_USER] >= 0 || sb->join.path_fd[NOOK_NSPATH_MOUNT] >= 0;
}

/* Whether nook run reserves the id and name before the clone: when its
   terminal socket, log or desktop proxy lives in the state directory, and
   when nook leaves its own namespaces before the clone (the user keyring
   that holds the state's secret is its user namespace's).  Any other run
   reserves them in step_state, beside the sandbox's setup (nook_create
   has no state of nook's).  */
static bool
reserve_first (const struct sandbox *sb)
{
  const struct nook_life_spec *life = &sb->spec->life;

  return !life->unlisted && !sb->handoff
         && (sb->io || sb->spec->security.tty || sb->desktop.active || joins_namespaces (sb)
             || sb->net.mode == NOOK_NET_SHARED || life->userns_fd >= 0 || life->pidns_fd >= 0);
}

/* A network helper joins the sandbox's user namespace, so it can only
   start once the maps are written; start_sandbox waits for it after
   NOOK_SYNC_GO.  */
static int
step_network (struct sandbox *sb, struct nook_error *err)
{
  return nook_net_start (sb->spec, &sb->net, sb->pid, err);
}

/* The caller's reports (--info-fd, --json-status-fd), once the maps are
   written; then its word, when it asked to give one.  */
static int
step_reports (struct sandbox *sb, struct nook_error *err)
{
  (void)err;
  nook_report_started (sb->spec, sb->pid);
  if (sb->spec->life.userns_block_fd >= 0)
    nook_wait_block_fd (sb->spec->life.userns_block_fd);
  return 0;
}

/* What nook does for the sandbox between the clone and NOOK_SYNC_GO, while
   the sandbox waits: what the sandbox's setup needs from outside.  */
static const struct setup_step parent_steps[] = {
  { "id maps", step_idmaps },
  { "network", step_network },
  { "reports", step_reports },
  { NULL, NULL },
};

/* What nook does after NOOK_SYNC_GO, while the sandbox sets itself up,
   and before NOOK_SYNC_READY lets it go on to its command.  */
static const struct setup_step parent_steps_beside[] = {
  { "state", step_state },
  { NULL, NULL },
};

/* nook_create's: its record before NOOK_SYNC_GO, none beside.  */
static const struct setup_step create_steps[] = {
  { "id maps", step_idmaps },  { "state", step_state }, { "network", step_network },
  { "reports", step_reports }, { NULL, NULL },
};

static int
parent_setup (struct sandbox *sb, const struct setup_step *steps, struct nook_error *err)
{
  for (const struct setup_step *s = steps; s->name; s++)
    {
      nook_fault_point ("parent: %s", s->name);
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

/* The sandbox has run for a while: what only the setup read goes, and the
   heap's free pages and the program's code go back to the kernel, so that
   a supervisor that waits for hours holds little (bench/memory).  A run
   shorter than that never pays for it.  */
static void
shed_setup (struct sandbox *sb)
{
  nook_filters_free (&sb->filters);
  strv_free (sb->env);
  sb->env = NULL;
  malloc_trim (0);
  nook_shed_program ();
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
  if (i == 3)
    {
      shed_setup (sb);
      nook_closep (&sb->shed_fd);
      return -1;
    }
  if (i == 2)
    {
      /* --timeout: PID 1 of the sandbox's PID namespace killed, the kernel
         kills every other process in it.  */
      sb->timed_out = true;
      nook_log ("--timeout reached: killing the sandbox");
      syscall (SYS_pidfd_send_signal, sb->pidfd, SIGKILL, NULL, 0);
      return -1;
    }
  /* Reported once: the helper is reaped, or the holder's word is kept.  */
  nook_net_helper_exited (&sb->net);
  return nook_net_watch_fd (&sb->net);
}

static void
command_started (void *ctx)
{
  nook_log ("command started");
  nook_fault_point ("parent: command started");
  tell_started (ctx);
}

/* A SIGCONT passed on to a sandbox that `nook pause` paused resumes it
   as `nook kill -s CONT` does (pause.h): the freezer thawed, every
   process continued, the record cleared; the state never says paused of
   a sandbox that runs.  Only a paused sandbox costs a look at its state.  */
static void
continued (void *ctx)
{
  struct sandbox *sb = ctx;
  struct nook_sandbox self;
  struct nook_error err = { 0 };

  if (sb->state.id[0] == '\0' || nook_sandbox_find (&sb->state.store, sb->state.id, &self, &err) < 0)
    goto out;
  if (nook_sandbox_paused (&self))
    nook_sandbox_pause (&sb->state.store, &self, false, &err);
  nook_sandbox_release (&self);
out:
  if (err.msg)
    nook_warn ("SIGCONT: %s", err.msg);
  nook_error_release (&err);
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
                                .extra = { sb->io ? sb->io->log_fd : -1, nook_net_watch_fd (&sb->net),
                                           sb->timer_fd, (sb->shed_fd = nook_shed_timer ()) },
                                .extra_ready = extra_ready,
                                .started = command_started,
                                .continued = continued,
                                .ctx = sb };
  siginfo_t info;
  int r = nook_supervise (&sv, &info, err);

  sb->sync_parent = sv.sync_fd;
  if (r < 0)
    return -1;
  /* What the sandbox wrote before it ended; with -d -t its terminal's
     last output first, which reaches the log through the same pipe.  */
  if (sb->tty.detached)
    nook_tty_release (&sb->tty);
  if (sb->io && sb->io->log_fd >= 0)
    nook_logfile_pump (&sb->log, sb->io->log_fd);
  sb->pid = -1;
  if (r == 1)
    return -1;
  if (!sv.started_ok && info.si_code != CLD_EXITED)
    return nook_error_set (err, 0, "the sandbox was killed by signal %d during setup", info.si_status);
  nook_log ("sandbox exited");
  if (sb->timed_out)
    {
      uint64_t ms = sb->spec->life.timeout_ms;
      nook_error_set (err, 0, "the command ran longer than --timeout %llu%s: the sandbox was killed",
                      (unsigned long long)(ms % 1000 ? ms : ms / 1000), ms % 1000 ? "ms" : "s");
      nook_error_status (err, NOOK_EXIT_TIMEOUT);
      return -1;
    }
  return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

static void
sandbox_release (struct sandbox *sb, int status)
{
  if (sb->pid > 0)
    nook_pid_killp (&sb->pid);
  /* The helper's exit is slow (its tap device goes): it runs while the
     rest is cleaned up, and nook_net_release() reaps it only when it
     holds published ports.  */
  nook_net_halt (&sb->net);
  nook_cgroup_destroy (&sb->cg);
  /* No attach once the sandbox is gone.  */
  if (sb->spec->security.tty && sb->spec->life.detach && sb->state.dirfd >= 0)
    unlinkat (sb->state.dirfd, NOOK_ATTACH_SOCKET, 0);
  nook_tty_release (&sb->tty);
  nook_closep (&sb->tty_child);
  /* Once the sandbox is gone: its exit status, or nothing with --rm.  */
  nook_state_finish (&sb->state, status);
  nook_logfile_close (&sb->log);
  nook_join_release (&sb->join);
  nook_net_release (&sb->net);
  nook_desktop_release (&sb->desktop);
  nook_root_plan_free (&sb->plan);
  strv_free (sb->landlock_writable);
  nook_caller_free (&sb->caller);
  nook_filters_free (&sb->filters);
  strv_free (sb->env);
  nook_closep (&sb->init_fd);
  nook_closep (&sb->sync_parent);
  nook_closep (&sb->sync_child);
  nook_closep (&sb->sigfd);
  nook_closep (&sb->pidfd);
  nook_closep (&sb->timer_fd);
  nook_closep (&sb->shed_fd);
  nook_closep (&sb->sysctl_fd);
  nook_closep (&sb->self_fd);
}

int
nook_run (struct nook_spec *spec, struct nook_error *err)
{
  return nook_run_supervised (spec, NULL, err);
}

/* Everything that can be checked is checked before a process exists;
   the sandboxes to join are found, and, when reserve_first, the id and
   name reserved.  */
static int
check_and_reserve (struct sandbox *sb, struct nook_error *err)
{
  struct nook_spec *spec = sb->spec;

  nook_log ("checking the spec");
  if (nook_caller_resolve (&sb->caller, spec->map_mode == NOOK_MAP_AUTO, err) < 0
      || nook_join_resolve (spec, &sb->join, err) < 0 || nook_user_resolve (spec, err) < 0
      || (!sb->join.active && sb->join.path_fd[NOOK_NSPATH_USER] < 0
          && nook_idmaps_for_spec (spec, &sb->caller, &sb->maps, err) < 0)
      || nook_root_plan_build (spec, &sb->caller, &sb->plan, err) < 0
      || nook_net_prepare (spec, &sb->net, &sb->plan, err) < 0
      || nook_desktop_prepare (spec, &sb->caller, &sb->desktop, &sb->plan, err) < 0
      || nook_security_prepare (spec, &sb->filters, err) < 0
      || (sb->landlock = nook_landlock_wanted (spec, err)) < 0
      || nook_root_plan_check_tracers (spec, &sb->plan, sb->landlock, err) < 0
      || nook_join_check_helpers (spec, &sb->join, sb->net.mode,
                                  nook_root_plan_may_trace (spec, sb->landlock),
                                  nook_root_plan_uses_fuse (&sb->plan), err)
             < 0
      || (reserve_first (sb) && nook_state_reserve (&sb->state, spec, err) < 0))
    return -1;
  /* -d -t: the supervisor keeps the terminal, for `nook attach`.  */
  sb->tty.detached = spec->life.detach;
  if (spec->security.tty && nook_tty_prepare (&sb->tty, &sb->tty_child, sb->handoff == NULL, err) < 0)
    return -1;
  if (spec->security.tty && spec->life.detach
      && (sb->tty.listen = nook_attach_listen (sb->state.dirfd, err)) < 0)
    return -1;
  sb->outer = spec->share | nook_join_ns_bits (&sb->join);
  /* A process that entered a PID namespace by setns cannot make a new one
     (the kernel's EINVAL): the sandbox is made in the given one.  */
  if (spec->life.pidns_fd >= 0)
    sb->outer |= NOOK_NS_PID;
  if (sb->io && sb->io->log_fd >= 0
      && nook_logfile_open (&sb->log, sb->state.dirfd, spec->life.log_size, err) < 0)
    return -1;
  /* A private network namespace with nothing plugged in from outside is
     made by the sandbox itself, while nook writes its id maps: of all the
     namespaces it costs the most to make, and it belongs to the sandbox's
     user namespace either way.  Not when nook needs it before
     NOOK_SYNC_GO: a helper or a report names it, nook_create's runtime
     may.  */
  sb->own_netns = !(sb->outer & NOOK_NS_NET) && sb->net.mode == NOOK_NET_NONE && !in_given_userns (sb)
                  && !sb->handoff && spec->life.info_fd < 0 && spec->life.json_status_fd < 0;
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

  if (sb->desktop.active)
    {
      cleanup_free char *dir = xasprintf ("%s/sandboxes/%s", sb->state.store.path, sb->state.id);
      if (nook_desktop_start (sb->spec, &sb->desktop, dir, &sb->plan, err) < 0)
        return -1;
    }
  /* The plan is complete: the sandbox's Landlock rules and the state's
     record of them come from this one list.  */
  if (sb->landlock)
    {
      sb->landlock_writable = nook_landlock_writable (sb->spec, &sb->plan);
      nook_landlock_add_submounts (&sb->plan, &sb->landlock_writable);
    }
  sb->env = nook_spec_build_env (sb->spec, &sb->caller, environ);
  nook_desktop_env (sb->spec, &sb->desktop, &sb->env);
  sb->init_fd = nook_open_init (err);
  if (sb->init_fd < 0)
    return -1;
  /* In another sandbox's PID namespace, nook-init's exe outlives this
     sandbox only as a sealed copy (nook_init_sealed).  */
  if (!sb->spec->life.direct_exec && (joins_namespaces (sb) || sb->spec->life.pidns_fd >= 0))
    {
      int sealed = nook_init_sealed (sb->init_fd, err);
      if (sealed < 0)
        return -1;
      close (sb->init_fd);
      sb->init_fd = sealed;
      sb->init_sealed = true;
    }
  if (sb->spec->limits.set && !sb->handoff && nook_cgroup_create (sb->spec, &sb->cg, err) < 0)
    return -1;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return nook_error_errno (err, "socketpair");
  sb->sync_parent = sv[0];
  sb->sync_child = sv[1];
  sb->sigfd = nook_supervise_block_signals (false, old_mask, err);
  return sb->sigfd < 0 ? -1 : 0;
}

/* --timeout counts from the start of the sandbox's own work (GO), the
   wall clock (CLOCK_MONOTONIC also runs while the host is busy or the
   sandbox is paused, as a CI job's limit should).  */
static int
arm_timeout (struct sandbox *sb, struct nook_error *err)
{
  uint64_t ms = sb->spec->life.timeout_ms;
  struct itimerspec its = { .it_value = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000L } };

  if (ms == 0)
    return 0;
  sb->timer_fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
  if (sb->timer_fd < 0 || timerfd_settime (sb->timer_fd, 0, &its, NULL) < 0)
    return nook_error_errno (err, "--timeout: timerfd");
  return 0;
}

/* Namespaces the caller gave as fds: the user namespace first, as it owns
   the PID namespace and gives the capabilities to enter it.  */
static int
enter_given_namespaces (struct sandbox *sb, struct nook_error *err)
{
  const struct nook_life_spec *life = &sb->spec->life;

  if (life->userns_fd < 0 && life->pidns_fd < 0)
    return 0;
  if (nook_enter_begin (err) < 0)
    return -1;
  if (life->userns_fd >= 0 && setns (life->userns_fd, CLONE_NEWUSER) < 0)
    return nook_error_errno (err, "Setting userns failed");
  if (life->pidns_fd >= 0 && setns (life->pidns_fd, CLONE_NEWPID) < 0)
    return nook_error_errno (err, "Setting pidns failed");
  return 0;
}

/* The PID 1 of a sandbox whose namespaces this one joins (the PID
   namespace's first), or -1.  */
static int
joined_pidfd (const struct nook_join *join)
{
  for (int k = 0; k < NOOK_JOIN_N; k++)
    if (join->pidfd[k] >= 0)
      return join->pidfd[k];
  return -1;
}

/* The clone, the parent's steps, NOOK_SYNC_GO, the steps beside the
   sandbox's, NOOK_SYNC_READY.  Joining: non-dumpable
   before the first setns, so that the child, visible in the joined PID
   namespace from its clone, never is dumpable before its exec (enter.h).  */
static int
start_sandbox (struct sandbox *sb, struct nook_error *err)
{
  bool joining = joins_namespaces (sb);
  int r = 0;

  /* The time namespace after the user namespace that owns it.  */
  if ((joining && nook_enter_begin (err) < 0) || nook_join_enter (&sb->join, err) < 0
      || nook_timens_join (&sb->spec->timens, joined_pidfd (&sb->join), err) < 0
      || enter_given_namespaces (sb, err) < 0 || nook_spawn_write_sysctls (sb->spec, sb->outer, true, err) < 0
      || nook_net_before_clone (&sb->net, err) < 0 || spawn_sandbox (sb, err) < 0
      || parent_setup (sb, sb->handoff ? create_steps : parent_steps, err) < 0)
    return -1;
  if (nook_sync_send (sb->sync_parent, NOOK_SYNC_GO, 0, 0, NULL) < 0)
    return nook_error_errno (err, "start the sandbox");
  /* The state's write, the helper's start-up and the sandbox's setup run
     side by side; the sandbox waits for NOOK_SYNC_READY before its
     security step.  When it speaks first, its setup failed: the
     supervisor reads why.  */
  if (!sb->handoff && parent_setup (sb, parent_steps_beside, err) < 0)
    return -1;
  if (nook_net_awaits_ready (&sb->net))
    {
      r = nook_net_ready (sb->spec, &sb->net, sb->sync_parent, err);
      if (r < 0)
        return -1;
      nook_fault_point ("parent: network ready");
    }
  /* A sandbox that ended meanwhile (EPIPE): the supervisor says why.  */
  if (r == 0 && nook_sync_send (sb->sync_parent, NOOK_SYNC_READY, 0, 0, NULL) < 0 && errno != EPIPE
      && errno != ECONNRESET)
    return nook_error_errno (err, "start the sandbox");
  return arm_timeout (sb, err);
}

/* Every fd -1 and every part idle, so that a release after any failure
   closes only what was opened (an fd left 0 would close stdin).  */
static void
sandbox_init (struct sandbox *sb, struct nook_spec *spec)
{
  *sb = (struct sandbox){ .spec = spec,
                          .init_fd = -1,
                          .sync_parent = -1,
                          .sync_child = -1,
                          .sigfd = -1,
                          .pid = -1,
                          .pidfd = -1,
                          .tty_child = -1,
                          .timer_fd = -1,
                          .shed_fd = -1,
                          .state
                          = { .dirfd = -1, .store = { .fd = -1, .boxes = -1, .names = -1, .lockfd = -1 } },
                          .log = { .fd = -1 },
                          .cg = NOOK_CGROUP_INIT,
                          .sysctl_fd = -1,
                          .self_fd = -1,
                          .mntns_fd = -1 };
  nook_tty_init (&sb->tty);
  nook_net_init (&sb->net);
  nook_desktop_init (&sb->desktop);
  nook_join_init (&sb->join);
}

int
nook_run_supervised (struct nook_spec *spec, struct nook_run_io *io, struct nook_error *err)
{
  struct sandbox sb;
  sigset_t old_mask;
  int status = -1;

  sandbox_init (&sb, spec);
  sb.io = io;
  if (check_and_reserve (&sb, err) < 0 || prepare_parent (&sb, &old_mask, err) < 0
      || start_sandbox (&sb, err) < 0)
    goto out;
  status = supervise (&sb, err);
  if (status >= 0)
    status = nook_cgroup_exit_status (&sb.cg, spec, status);
  if (status >= 0)
    nook_report_exited (spec, status);
out:
  /* A timed-out sandbox is recorded with timeout(1)'s status.  */
  sandbox_release (&sb, sb.timed_out ? NOOK_EXIT_TIMEOUT : status);
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
  struct sandbox sb;
  sigset_t old_mask;
  bool masked = false;
  int r = -1;

  io->pid = -1;
  io->console_fd = -1;
  sandbox_init (&sb, spec);
  sb.handoff = io;
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
