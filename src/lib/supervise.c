/* The one supervision loop of nook run and nook exec: forwarded signals
   through a signalfd, the child's failure report, the parent-death
   check.  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "supervise.h"
#include "tracee.h"
#include "tty.h"
#include "utils.h"

static const int forwarded_signals[] = { NOOK_FORWARDED_SIGNALS };

int
nook_supervise_block_signals (bool watch_children, sigset_t *old, struct nook_error *err)
{
  sigset_t set;
  int fd;

  sigemptyset (&set);
  for (size_t i = 0; i < sizeof forwarded_signals / sizeof forwarded_signals[0]; i++)
    sigaddset (&set, forwarded_signals[i]);
  if (watch_children)
    sigaddset (&set, SIGCHLD);
  if (sigprocmask (SIG_BLOCK, &set, old) < 0)
    return nook_error_errno (err, "sigprocmask");
  fd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (fd < 0)
    return nook_error_errno (err, "signalfd");
  return fd;
}

void
nook_supervise_unblock_signals (void)
{
  sigset_t none;

  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
}

void __attribute__ ((noreturn))
nook_supervise_child_fail (int sync_fd, enum nook_sync_type type, int status, const struct nook_error *err)
{
  nook_sync_send (sync_fd, type, err->errnum, status, err->msg);
  _exit (status);
}

void
nook_supervise_check_parent (int sync_fd)
{
  struct pollfd pfd = { sync_fd, POLLIN, 0 };

  if (poll (&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR)))
    _exit (NOOK_EXIT_ERROR);
}

/* The pid of PID in its own PID namespace (the last NSpid of its status,
   from the host's /proc, PROCFD).  */
static pid_t
inner_pid (int procfd, pid_t pid)
{
  char path[64];
  cleanup_free char *status = NULL;
  const char *line;
  pid_t inner = pid;

  snprintf (path, sizeof path, "%d/status", (int)pid);
  if (nook_read_file_at (procfd, path, &status, NULL, NULL) < 0)
    return pid;
  line = strstr (status, "\nNSpid:");
  if (line == NULL)
    return pid;
  for (const char *p = line + 7; *p && *p != '\n'; p++)
    if ((p[-1] == '\t' || p[-1] == ' ' || p[-1] == ':') && *p >= '0' && *p <= '9')
      inner = (pid_t)atol (p);
  return inner;
}

/* SIGCHLD: the child may have stopped in a ptrace stop, nook being its
   tracer by its own PTRACE_TRACEME (tracee.h).  */
static void
child_changed (struct nook_supervisor *sv)
{
  siginfo_t info = { 0 };

  if (waitid (P_PIDFD, sv->pidfd, &info, WSTOPPED | WNOHANG) == 0 && info.si_pid > 0
      && info.si_code == CLD_TRAPPED)
    nook_tracee_release (sv->pid, inner_pid (sv->procfd, sv->pid), info.si_status);
}

/* Adds to PIDS (N of them, pidfds in FDS) the descendants of PID not
   listed yet, from the host's /proc; returns the new count.  */
static size_t
add_children (int procfd, pid_t pid, pid_t *pids, int *fds, size_t n, size_t max)
{
  char path[64];
  cleanup_free char *list = NULL;

  snprintf (path, sizeof path, "%d/task/%d/children", (int)pid, (int)pid);
  if (nook_read_file_at (procfd, path, &list, NULL, NULL) < 0)
    return n;
  for (char *p = list, *end; *p && n < max; p = end)
    {
      long child = strtol (p, &end, 10);
      bool listed = false;

      if (end == p)
        break;
      for (size_t i = 0; i < n; i++)
        listed |= pids[i] == child;
      if (listed || child <= 0)
        continue;
      pids[n] = (pid_t)child;
      fds[n] = (int)syscall (SYS_pidfd_open, (pid_t)child, 0);
      if (fds[n] >= 0)
        syscall (SYS_pidfd_send_signal, fds[n], SIGSTOP, NULL, 0);
      n = add_children (procfd, (pid_t)child, pids, fds, n + 1, max);
    }
  return n;
}

static bool
stopped (int procfd, pid_t pid)
{
  char path[64];
  cleanup_free char *stat = NULL;
  const char *p;

  snprintf (path, sizeof path, "%d/stat", (int)pid);
  if (nook_read_file_at (procfd, path, &stat, NULL, NULL) < 0)
    return true;
  p = strrchr (stat, ')');
  return p == NULL || p[1] == '\0' || p[2] == 'T' || p[2] == 't' || p[2] == 'Z' || p[2] == 'X';
}

/* `nook exec` interrupted: what its command started must not live on in
   the sandbox.  The command is a child subreaper (exec.c), so even a
   daemon that forked twice and left its session is still below it; but a
   process group would miss that daemon, and once the command ends its
   orphans go to the sandbox's init, out of reach.  So: stop the whole
   tree (a stopped process cannot fork), until a walk finds nothing new
   and every process is stopped, then kill it all by pidfd (no pid is
   recycled under it).  */
static void
kill_tree (struct nook_supervisor *sv)
{
  enum
  {
    MAX = 4096
  };
  cleanup_free pid_t *pids = calloc (MAX, sizeof *pids);
  cleanup_free int *fds = calloc (MAX, sizeof *fds);
  size_t n = 1, before;
  bool all_stopped;

  if (pids == NULL || fds == NULL)
    {
      syscall (SYS_pidfd_send_signal, sv->pidfd, SIGKILL, NULL, 0);
      return;
    }
  pids[0] = sv->pid;
  fds[0] = -1;
  syscall (SYS_pidfd_send_signal, sv->pidfd, SIGSTOP, NULL, 0);
  for (int round = 0; round < 10000; round++)
    {
      before = n;
      for (size_t i = 0; i < n; i++)
        n = add_children (sv->procfd, pids[i], pids, fds, n, MAX);
      all_stopped = true;
      for (size_t i = 0; i < n; i++)
        all_stopped &= stopped (sv->procfd, pids[i]);
      if (n == before && all_stopped)
        break;
    }
  syscall (SYS_pidfd_send_signal, sv->pidfd, SIGKILL, NULL, 0);
  for (size_t i = 1; i < n; i++)
    if (fds[i] >= 0)
      {
        syscall (SYS_pidfd_send_signal, fds[i], SIGKILL, NULL, 0);
        close (fds[i]);
      }
}

/* The child leads its own process group (a new session): a terminal's
   signals go to that whole group, as a terminal sends them (nook-init
   passes them on to the command's group in turn; `nook exec`'s command
   leads its own).  The pidfd pins the pid while the child is unreaped,
   so -pid is its group; before it has one, the child alone.  */
static void
pass_on (struct nook_supervisor *sv, int sig)
{
  bool terminal = sig == SIGINT || sig == SIGQUIT || sig == SIGHUP || sig == SIGTSTP || sig == SIGCONT;

  if (sv->kill_tree && (sig == SIGINT || sig == SIGQUIT || sig == SIGHUP || sig == SIGTERM))
    {
      kill_tree (sv);
      return;
    }

  if (!terminal || kill (-sv->pid, sig) < 0)
    syscall (SYS_pidfd_send_signal, sv->pidfd, sig, NULL, 0);
  if (sig == SIGCONT && sv->continued)
    sv->continued (sv->ctx);
  /* Ctrl-Z: once the sandbox has it, stop nook too, as the shell expects
     of its job; its `fg` sends SIGCONT, passed on in turn.  */
  if (sig == SIGTSTP)
    raise (SIGSTOP);
}

static void
forward_signals (struct nook_supervisor *sv)
{
  struct signalfd_siginfo si;

  while (read (sv->sigfd, &si, sizeof si) == sizeof si)
    {
      if (si.ssi_signo == SIGCHLD)
        child_changed (sv);
      /* With --tty the window size goes to the sandbox's terminal, whose
         kernel side signals its foreground.  */
      else if (si.ssi_signo == SIGWINCH && sv->tty && sv->tty->master >= 0)
        nook_tty_resize (sv->tty);
      else
        pass_on (sv, si.ssi_signo);
    }
}

/* One message or the EOF on the sync socket; returns true on a report.
   FINAL: the child is gone, and an EOF says nothing about the command.  */
static bool
read_sync (struct nook_supervisor *sv, bool final, bool *failed, struct nook_error *err)
{
  struct nook_sync_msg msg;
  char text[NOOK_SYNC_MAX_TEXT + 1];
  int r = nook_sync_recv (sv->sync_fd, &msg, text);

  if (r == 1)
    {
      if (*failed)
        return true;
      *failed = true;
      nook_error_set (err, 0, "%s", text);
      nook_error_status (err, msg.status);
      err->errnum = msg.errnum;
      return true;
    }
  nook_closep (&sv->sync_fd);
  sv->sync_fd = -1;
  if (final)
    return false;
  sv->started_ok = !*failed;
  if (sv->started_ok && sv->started)
    sv->started (sv->ctx);
  return false;
}

int
nook_supervise (struct nook_supervisor *sv, siginfo_t *info, struct nook_error *err)
{
  bool failed = false;

  for (;;)
    {
      struct pollfd pfd[3 + NOOK_SUPERVISE_EXTRA + NOOK_TTY_POLLFDS]
          = { { sv->pidfd, POLLIN, 0 }, { sv->sigfd, POLLIN, 0 }, { sv->sync_fd, POLLIN, 0 } };
      int n_tty;

      for (int i = 0; i < NOOK_SUPERVISE_EXTRA; i++)
        pfd[3 + i] = (struct pollfd){ sv->extra[i], POLLIN, 0 };
      n_tty = sv->tty ? nook_tty_pollfds (sv->tty, pfd + 3 + NOOK_SUPERVISE_EXTRA) : 0;
      if (poll (pfd, 3 + NOOK_SUPERVISE_EXTRA + n_tty, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return nook_error_errno (err, "poll");
        }
      for (int i = 0; i < NOOK_SUPERVISE_EXTRA; i++)
        if (pfd[3 + i].fd >= 0 && pfd[3 + i].revents)
          sv->extra[i] = sv->extra_ready (sv->ctx, i);
      if (sv->sync_fd >= 0 && (pfd[2].revents & (POLLIN | POLLHUP | POLLERR)))
        read_sync (sv, false, &failed, err);
      if (pfd[1].revents & POLLIN)
        forward_signals (sv);
      if (sv->tty)
        nook_tty_handle (sv->tty, pfd + 3 + NOOK_SUPERVISE_EXTRA, n_tty);
      if (pfd[0].revents & POLLIN)
        break;
    }
  if (waitid (P_PIDFD, sv->pidfd, info, WEXITED) < 0)
    return nook_error_errno (err, "wait for the sandbox");
  /* A last report may still be queued behind the exit.  */
  if (sv->sync_fd >= 0 && !failed)
    read_sync (sv, true, &failed, err);
  return failed ? 1 : 0;
}
