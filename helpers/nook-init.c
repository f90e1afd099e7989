/* nook-init: the sandbox's PID 1, and the holder of each `nook exec`.
 *
 *   nook-init [--sync-fd N] [--no-pidns | --exec] [--argv0 NAME] -- CMD [ARG...]
 *
 * It starts CMD in a process group of its own, reaps every process that
 * ends in the sandbox, passes on the signals a user sends to nook (those
 * a terminal generates to CMD's whole group, as a terminal would), and when
 * CMD ends kills whatever is left and exits with CMD's status (128+N when
 * CMD was killed by signal N).
 *
 * With --exec it is what `nook exec` starts in a running sandbox: a
 * subreaper, so everything CMD starts stays below it, even a daemon that
 * leaves its session.  When `nook exec` dies, however it dies (SIGKILL
 * too), its death signal (NOOK_INIT_ORPHANED) makes this holder kill all
 * of that, which no process of nook's outside could do any more.  When
 * CMD ends, what it left behind runs on, as a process started in the
 * sandbox does (it goes to the sandbox's init).
 *
 * It is linked statically and started through an fd, so it runs in any
 * root, with or without a C library of the host's version.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/error.h"
#include "lib/shed.h"
#include "lib/supervise.h"
#include "lib/sync.h"
#include "lib/tracee.h"

static const int forwarded[] = { NOOK_FORWARDED_SIGNALS, 0 };

/* --exec: the death signal that `nook exec`'s end sends.  None that a
   user forwards: SIGRTMIN+3, past those a C library keeps for itself.  */
#define NOOK_INIT_ORPHANED (SIGRTMIN + 3)

/* --argv0: what the command sees as its name (the file run is still CMD).  */
static const char *opt_argv0;

static void __attribute__ ((noreturn)) die (const char *what)
{
  dprintf (STDERR_FILENO, "nook-init: %s: %s\n", what, strerror (errno));
  _exit (NOOK_EXIT_ERROR);
}

#ifndef __GLIBC__
/* A file without a #! line runs through /bin/sh, as POSIX asks of execvp
   and glibc does; musl's execvp stops at ENOEXEC.  FILE is found again on
   PATH the way execvp found it: the first executable candidate.  */
static void
exec_script (const char *file, char **argv)
{
  const char *path = getenv ("PATH") ? getenv ("PATH") : "/usr/local/bin:/bin:/usr/bin";
  char found[4096];
  size_t n = 0;

  if (strchr (file, '/'))
    snprintf (found, sizeof found, "%s", file);
  else
    for (const char *p = path, *end;; p = end + 1)
      {
        end = strchrnul (p, ':');
        snprintf (found, sizeof found, "%.*s%s%s", (int)(end - p), p, end > p ? "/" : "", file);
        if (access (found, X_OK) == 0 || *end == '\0')
          break;
      }
  while (argv[n])
    n++;
  char *args[n + 2];
  args[0] = (char *)"/bin/sh";
  args[1] = found;
  for (size_t i = 1; i <= n; i++)
    args[i + 1] = argv[i];
  execv ("/bin/sh", args);
  errno = ENOEXEC;
}
#endif

/* Runs in the command's process (start_command), on its parent's memory:
   becomes the command.  */
static void __attribute__ ((noreturn)) run_command (char **argv, int sync_fd, bool pidns)
{
  char msg[NOOK_SYNC_MAX_TEXT];
  const char *file = argv[0];
  sigset_t none;
  int errnum, status;

  /* The command leads its own process group, the one a terminal's
     signals reach (Ctrl-C must stop a shell's or make's children too).
     With --tty the sandbox's terminal is init's controlling one: make
     this group its foreground, SIGTTOU blocked (a background group's
     tcsetpgrp stops it otherwise).  Without one there is no controlling
     terminal and tcsetpgrp fails harmlessly.  */
  sigemptyset (&none);
  sigaddset (&none, SIGTTOU);
  sigprocmask (SIG_BLOCK, &none, NULL);
  setpgid (0, 0);
  tcsetpgrp (STDIN_FILENO, getpid ());
  sigemptyset (&none);
  sigprocmask (SIG_SETMASK, &none, NULL);
  if (!pidns)
    prctl (PR_SET_PDEATHSIG, SIGKILL);
  if (sync_fd >= 0)
    fcntl (sync_fd, F_SETFD, FD_CLOEXEC);
  if (opt_argv0)
    argv[0] = (char *)opt_argv0;
  execvp (file, argv);
#ifndef __GLIBC__
  if (errno == ENOEXEC)
    exec_script (file, argv);
#endif

  errnum = errno;
  status = errnum == ENOENT ? NOOK_EXIT_NOT_FOUND : NOOK_EXIT_CANNOT_EXEC;
  if (errnum == ENOENT && strchr (file, '/') == NULL)
    snprintf (msg, sizeof msg, "`%s`: command not found in the sandbox (Hint: PATH is %s)", file,
              getenv ("PATH") ? getenv ("PATH") : "unset");
  else if (errnum == ENOENT)
    snprintf (msg, sizeof msg,
              "exec `%s`: %s (Hint: the file, or the interpreter its #! line names, is "
              "missing in the sandbox)",
              file, strerror (errnum));
  else
    snprintf (msg, sizeof msg, "exec `%s`: %s", file, strerror (errnum));
  if (sync_fd < 0 || nook_sync_send (sync_fd, NOOK_SYNC_EXEC_ERROR, errnum, status, msg) < 0)
    dprintf (STDERR_FILENO, "nook: %s\n", msg);
  _exit (status);
}

struct command
{
  char **argv;
  int sync_fd;
  bool pidns;
};

static int
command_main (void *arg)
{
  struct command *c = arg;
  run_command (c->argv, c->sync_fd, c->pidns);
}

/* The command's process, as posix_spawn makes one: CLONE_VFORK, so this
   process waits until the command has exec'd (or failed to), and the
   command runs at once, on this CPU; CLONE_VM on a stack of its own, so
   no page table is copied.  run_command changes only what is the
   child's own (its signal mask, fds, process group), so that group exists
   before any signal is forwarded to it.  */
static pid_t
start_command (char **argv, int sync_fd, bool pidns)
{
  static char stack[64 * 1024] __attribute__ ((aligned (16)));
  struct command c = { argv, sync_fd, pidns };

  return clone (command_main, stack + sizeof stack, CLONE_VM | CLONE_VFORK | SIGCHLD, &c);
}

/* Without a PID namespace of its own, init cannot kill(-1): it kills the
   orphans that were reparented to it (it is their subreaper) instead.  */
static void
kill_children (void)
{
  char path[64], buf[4096];
  ssize_t n;
  int fd;

  snprintf (path, sizeof path, "/proc/self/task/%d/children", getpid ());
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return;
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  if (n <= 0)
    return;
  buf[n] = '\0';
  for (char *p = buf, *end; *p; p = end)
    {
      long pid = strtol (p, &end, 10);
      if (end == p)
        break;
      if (pid > 0)
        kill (pid, SIGKILL);
    }
}

/* A terminal signals its foreground process group, not one process: so
   do these, or a shell's or make's children would run on after a Ctrl-C
   the user typed at nook.  The others are the command's alone.  */
static void
forward (pid_t cmd, int sig)
{
  if ((sig == SIGINT || sig == SIGQUIT || sig == SIGHUP || sig == SIGTSTP || sig == SIGCONT)
      && kill (-cmd, sig) == 0)
    return;
  kill (cmd, sig);
}

/* The status of an ended command; -1 while it has not ended.  */
static int
exit_status (int wstatus)
{
  if (WIFEXITED (wstatus))
    return WEXITSTATUS (wstatus);
  if (WIFSIGNALED (wstatus))
    return 128 + WTERMSIG (wstatus);
  return -1;
}

/* Its arguments; returns the index of CMD, or -1 for a usage error.  */
static int
parse_args (int argc, char **argv, int *sync_fd, bool *pidns, bool *holder)
{
  int i;

  for (i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--sync-fd") == 0 && i + 1 < argc)
        *sync_fd = atoi (argv[++i]);
      else if (strcmp (argv[i], "--no-pidns") == 0)
        *pidns = false;
      else if (strcmp (argv[i], "--exec") == 0)
        *pidns = false, *holder = true;
      else if (strcmp (argv[i], "--argv0") == 0 && i + 1 < argc)
        opt_argv0 = argv[++i];
      else if (strcmp (argv[i], "--") == 0)
        {
          i++;
          break;
        }
      else
        break;
    }
  /* kill(-1) reaches every process the caller may signal: it is only
     confined to the sandbox when this really is PID 1 of its own PID
     namespace.  Anywhere else, act as a subreaper instead.  */
  if (getpid () != 1)
    *pidns = false;
  return i < argc ? i : -1;
}

/* The forwarded signals and SIGCHLD, blocked and read from a signalfd:
   none is lost between the fork and the loop.  */
static int
block_signals (void)
{
  sigset_t set;
  int sfd;

  sigemptyset (&set);
  sigaddset (&set, SIGCHLD);
  sigaddset (&set, NOOK_INIT_ORPHANED);
  for (int s = 0; forwarded[s]; s++)
    sigaddset (&set, forwarded[s]);
  if (sigprocmask (SIG_BLOCK, &set, NULL) < 0)
    die ("sigprocmask");
  sfd = signalfd (-1, &set, SFD_CLOEXEC);
  if (sfd < 0)
    die ("signalfd");
  return sfd;
}

/* WIFSTOPPED, on the kernel's encoding (0x7f in the low byte): musl's
   macro multiplies the status as a signed int, which overflows for an exit
   status of 128 or more.  */
static bool
stopped (int ws)
{
  return (ws & 0xff) == 0x7f;
}

/* Reaps what ended; returns CMD's status once it has ended, else -1.  */
static int
reap (pid_t cmd)
{
  int status = -1;

  for (;;)
    {
      int ws;
      pid_t p = waitpid (-1, &ws, WNOHANG);
      if (p <= 0)
        return status;
      /* Without WUNTRACED only a ptrace stop is reported: a child that
         made init its tracer (PTRACE_TRACEME) took a signal.  It has not
         ended; it runs on untraced.  */
      if (stopped (ws))
        nook_tracee_release (p, p, WSTOPSIG (ws));
      else if (p == cmd)
        status = exit_status (ws);
    }
}

/* Forwards signals and reaps until the command has ended.  PID 1 must
   not exit before that: its exit would kill every process in the
   sandbox.  NOOK_INIT_ORPHANED (--exec: `nook exec` died) ends the wait
   with -2.  */
static int
wait_for_command (int sfd, pid_t cmd)
{
  int status = -1;
  bool shed = false;

  while (status < 0)
    {
      struct signalfd_siginfo si;
      ssize_t n;

      /* Once the command has run a while, PID 1 only waits: its code need
         not stay resident for as long as the sandbox runs (shed.h).  */
      if (!shed && poll (&(struct pollfd){ sfd, POLLIN, 0 }, 1, NOOK_SHED_DELAY_MS) == 0)
        {
          nook_shed_program ();
          shed = true;
          continue;
        }
      n = read (sfd, &si, sizeof si);
      if (n < 0 && errno == EINTR)
        continue;
      if (n != sizeof si)
        die ("read signalfd");
      if ((int)si.ssi_signo == NOOK_INIT_ORPHANED)
        return -2;
      if (si.ssi_signo != SIGCHLD)
        forward (cmd, si.ssi_signo);
      else
        status = reap (cmd);
    }
  return status;
}

/* The command is gone: nothing else in the sandbox may outlive it.  PID 1
   of its own PID namespace has nothing to do: its exit makes the kernel
   kill every other process of the namespace and wait until all are gone
   before the exit is reported (zap_pid_ns_processes), those `nook exec`
   started included; kill(-1) would walk every process of the host.  */
static void
end_the_rest (bool pidns)
{
  if (pidns)
    return;
  kill_children ();
  for (;;)
    {
      pid_t p = waitpid (-1, NULL, 0);
      if (p < 0 && errno == EINTR)
        continue;
      if (p < 0)
        break;
      kill_children ();
    }
}

/* --exec: from now on `nook exec`'s death is a signal read like the
   others.  Until this point the death signal was SIGKILL (exec.c), so a
   nook exec that died earlier took this process with it; one that died
   while the signal was changed has closed its end of SYNC_FD.  */
static void
hold (int sync_fd)
{
  struct pollfd pfd = { sync_fd, POLLIN, 0 };

  if (prctl (PR_SET_PDEATHSIG, NOOK_INIT_ORPHANED) < 0)
    die ("PR_SET_PDEATHSIG");
  if (sync_fd < 0 || (poll (&pfd, 1, 0) > 0 && (pfd.revents & (POLLHUP | POLLERR))))
    _exit (NOOK_EXIT_ERROR);
}

int
main (int argc, char **argv)
{
  int sync_fd = -1, sfd, status, i;
  bool pidns = true, holder = false;
  pid_t cmd;

  i = parse_args (argc, argv, &sync_fd, &pidns, &holder);
  if (i < 0)
    {
      dprintf (STDERR_FILENO,
               "usage: nook-init [--sync-fd N] [--no-pidns | --exec] [--argv0 NAME] -- CMD [ARG...]\n");
      return NOOK_EXIT_ERROR;
    }
  sfd = block_signals ();
  if (!pidns && prctl (PR_SET_CHILD_SUBREAPER, 1) < 0)
    die ("subreaper");
  if (holder)
    hold (sync_fd);

  cmd = start_command (argv + i, sync_fd, pidns);
  if (cmd < 0)
    die ("clone");
  if (sync_fd >= 0)
    close (sync_fd);

  status = wait_for_command (sfd, cmd);
  /* --exec: what CMD left runs on, unless nook exec is gone.  */
  if (!holder || status == -2)
    end_the_rest (pidns);
  return status == -2 ? 128 + SIGKILL : status;
}
