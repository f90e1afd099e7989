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

#include "mount.h"
#include "net.h"
#include "spawn.h"
#include "sync.h"
#include "userns.h"
#include "utils.h"

extern char **environ;

/* Signals nook passes on to the sandbox's init, which passes them on to the
   command.  They stay blocked from before the clone until the command's
   exec, so one that arrives during setup waits instead of being lost
   (an init ignores signals it has no handler for).  */
static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, 0 };

struct sandbox
{
  struct nook_spec *spec;
  struct nook_root_plan plan;
  struct nook_idmaps maps;
  char **env;
  int init_fd;
  int sync_parent, sync_child;
  int sigfd;
  pid_t pid;
  int pidfd;
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
  nook_sync_send (sb->sync_child, NOOK_SYNC_ERROR, err->errnum, err->status ? err->status : NOOK_EXIT_ERROR,
                  err->msg);
  _exit (NOOK_EXIT_ERROR);
}

static int
wait_for_go (int fd)
{
  struct nook_sync_msg msg;
  char text[NOOK_SYNC_MAX_TEXT + 1];
  return nook_sync_recv (fd, &msg, text) == 1 && msg.type == NOOK_SYNC_GO ? 0 : -1;
}

static int
setup_namespaces (const struct nook_spec *spec, struct nook_error *err)
{
  if (!(spec->share & NOOK_NS_UTS))
    {
      const char *name = nook_spec_hostname (spec);
      if (sethostname (name, strlen (name)) < 0)
        return nook_error_errno (err, "set the hostname to `%s`", name);
    }
  if (!(spec->share & NOOK_NS_NET) && nook_net_loopback_up (err) < 0)
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

static int
step_root (struct sandbox *sb, struct nook_error *err)
{
  return nook_root_setup (sb->spec, &sb->plan, err);
}

static int
step_namespaces (struct sandbox *sb, struct nook_error *err)
{
  return setup_namespaces (sb->spec, err);
}

static int
step_network_inside (struct sandbox *sb, struct nook_error *err)
{
  return nook_net_configure_inside (&sb->net, err);
}

static const struct setup_step sandbox_steps[] = {
  { "root", step_root },
  { "hostname and loopback", step_namespaces },
  { "network", step_network_inside },
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
  if (sb->spec->share & NOOK_NS_PID)
    argv[a++] = (char *)"--no-pidns";
  argv[a++] = (char *)"--";
  for (size_t i = 0; i < n; i++)
    argv[a++] = sb->spec->argv[i];

  /* Only 0-2 and the sync socket cross into the sandbox: an fd inherited
     from the caller could reach anything on the host.  */
  if (fcntl (fd, F_SETFD, 0) < 0)
    return nook_error_errno (err, "sync socket");
  close_range (3, fd - 1, CLOSE_RANGE_CLOEXEC);
  close_range (fd + 1, ~0U, CLOSE_RANGE_CLOEXEC);
  nook_log ("sandbox: exec nook-init");
  syscall (SYS_execveat, sb->init_fd, "", argv, sb->env, AT_EMPTY_PATH);
  return nook_error_errno (err, "exec the sandbox init");
}

static void __attribute__ ((noreturn)) child_main (struct sandbox *sb)
{
  struct nook_error err = { 0 };

  close (sb->sync_parent);
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
  if (sandbox_setup (sb, &err) < 0)
    child_fail (sb, &err);
  exec_init (sb, &err);
  child_fail (sb, &err);
}

/* ---- in nook ----------------------------------------------------------------- */

static unsigned long
clone_flags (const struct nook_spec *spec)
{
  unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_PIDFD;
  if (!(spec->share & NOOK_NS_PID))
    flags |= CLONE_NEWPID;
  if (!(spec->share & NOOK_NS_NET))
    flags |= CLONE_NEWNET;
  if (!(spec->share & NOOK_NS_IPC))
    flags |= CLONE_NEWIPC;
  if (!(spec->share & NOOK_NS_UTS))
    flags |= CLONE_NEWUTS;
  if (!(spec->share & NOOK_NS_CGROUP))
    flags |= CLONE_NEWCGROUP;
  return flags;
}

static int
block_signals (struct sandbox *sb, sigset_t *old, struct nook_error *err)
{
  sigset_t set;

  sigemptyset (&set);
  for (size_t i = 0; forwarded_signals[i]; i++)
    sigaddset (&set, forwarded_signals[i]);
  if (sigprocmask (SIG_BLOCK, &set, old) < 0)
    return nook_error_errno (err, "sigprocmask");
  sb->sigfd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (sb->sigfd < 0)
    return nook_error_errno (err, "signalfd");
  return 0;
}

static int
spawn_sandbox (struct sandbox *sb, struct nook_error *err)
{
  struct clone_args args = { 0 };
  int pidfd = -1;
  long pid;

  args.flags = clone_flags (sb->spec);
  args.pidfd = (uintptr_t)&pidfd;
  args.exit_signal = SIGCHLD;
  pid = syscall (SYS_clone3, &args, sizeof args);
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
  nook_log ("sandbox pid %ld created", pid);
  return 0;
}

static int
step_idmaps (struct sandbox *sb, struct nook_error *err)
{
  return nook_idmaps_write (sb->pid, sb->spec, &sb->maps, err);
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

/* Waits for the sandbox, forwarding signals, and collects its first error
   message.  Returns the exit status, or -1 with ERR set when the command
   could not be started.  */
static int
supervise (struct sandbox *sb, struct nook_error *err)
{
  struct nook_sync_msg msg;
  char text[NOOK_SYNC_MAX_TEXT + 1];
  bool started = false, failed = false;
  siginfo_t info;

  for (;;)
    {
      /* The network helper's pidfd is polled too: a helper that dies is
         reaped and reported when the sandbox ends.  */
      struct pollfd pfd[4] = { { sb->pidfd, POLLIN, 0 },
                               { sb->sigfd, POLLIN, 0 },
                               { nook_net_watch_fd (&sb->net), POLLIN, 0 },
                               { sb->sync_parent, POLLIN, 0 } };
      if (poll (pfd, sb->sync_parent >= 0 ? 4 : 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return nook_error_errno (err, "poll");
        }
      if (pfd[2].fd >= 0 && (pfd[2].revents & POLLIN))
        nook_net_helper_exited (&sb->net);
      if (sb->sync_parent >= 0 && (pfd[3].revents & (POLLIN | POLLHUP | POLLERR)))
        {
          int r = nook_sync_recv (sb->sync_parent, &msg, text);
          if (r == 1 && !failed)
            {
              failed = true;
              nook_error_set (err, 0, "%s", text);
              nook_error_status (err, msg.status);
              err->errnum = msg.errnum;
            }
          else if (r <= 0)
            {
              close (sb->sync_parent);
              sb->sync_parent = -1;
              started = !failed;
              if (started)
                nook_log ("command started");
            }
        }
      if (pfd[1].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          while (read (sb->sigfd, &si, sizeof si) == sizeof si)
            syscall (SYS_pidfd_send_signal, sb->pidfd, si.ssi_signo, NULL, 0);
        }
      if (pfd[0].revents & POLLIN)
        break;
    }
  if (waitid (P_PIDFD, sb->pidfd, &info, WEXITED) < 0)
    return nook_error_errno (err, "wait for the sandbox");
  sb->pid = -1;
  /* A last message may still be queued behind the exit.  */
  if (sb->sync_parent >= 0 && !failed && nook_sync_recv (sb->sync_parent, &msg, text) == 1)
    {
      failed = true;
      nook_error_set (err, 0, "%s", text);
      nook_error_status (err, msg.status);
    }
  if (failed)
    return -1;
  if (!started && info.si_code != CLD_EXITED)
    return nook_error_set (err, 0, "the sandbox was killed by signal %d during setup", info.si_status);
  nook_log ("sandbox exited");
  return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

static void
sandbox_release (struct sandbox *sb)
{
  if (sb->pid > 0)
    nook_pid_killp (&sb->pid);
  nook_net_release (&sb->net);
  nook_root_plan_free (&sb->plan);
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
  struct sandbox sb = {
    .spec = spec,
    .init_fd = -1,
    .sync_parent = -1,
    .sync_child = -1,
    .sigfd = -1,
    .pid = -1,
    .pidfd = -1,
  };
  sigset_t old_mask;
  int sv[2], status = -1;

  nook_net_init (&sb.net);
  /* Everything that can be checked is checked before a process exists.  */
  if (nook_spec_resolve (spec, err) < 0 || nook_idmaps_for_spec (spec, &sb.maps, err) < 0
      || nook_root_plan_build (spec, &sb.plan, err) < 0
      || nook_net_prepare (spec, &sb.net, &sb.plan, err) < 0)
    goto out;
  /* On a shared network the sandbox's user namespace is created inside the
     holder's, where the caller is uid and gid 0.  */
  if (sb.net.mode == NOOK_NET_SHARED)
    sb.maps.uid[0].outside = sb.maps.gid[0].outside = 0;
  sb.env = nook_spec_build_env (spec, environ);
  sb.init_fd = nook_open_init (err);
  if (sb.init_fd < 0)
    goto out;
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      nook_error_errno (err, "socketpair");
      goto out;
    }
  sb.sync_parent = sv[0];
  sb.sync_child = sv[1];
  if (block_signals (&sb, &old_mask, err) < 0 || nook_net_before_clone (&sb.net, err) < 0
      || spawn_sandbox (&sb, err) < 0)
    goto out;

  if (parent_setup (&sb, err) < 0)
    goto out;
  if (nook_sync_send (sb.sync_parent, NOOK_SYNC_GO, 0, 0, NULL) < 0)
    {
      nook_error_errno (err, "start the sandbox");
      goto out;
    }
  status = supervise (&sb, err);
out:
  sandbox_release (&sb);
  return status;
}
