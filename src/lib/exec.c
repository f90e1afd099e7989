/* nook exec: entering a running sandbox and running a command there, in
   the order enter.h writes down, supervised by supervise.c.  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "enter.h"
#include "exec.h"
#include "fault.h"
#include "landlock.h"
#include "security.h"
#include "spawn.h"
#include "proc.h"
#include "supervise.h"
#include "sync.h"
#include "tty.h"
#include "utils.h"

extern char **environ;

struct exec
{
  const struct nook_spec *spec;
  struct nook_filters filters; /* the sandbox's, from its state */
  int landlock;                /* the sandbox's command is under Landlock */
  char **landlock_writable;    /* and where it may write, from its state */
  const struct nook_exec_opts *opts;
  pid_t target;        /* the sandbox's PID 1 */
  int pidfd;           /* of the target */
  char **env;          /* the command's environment */
  int cwdfd;           /* the sandbox command's working directory */
  int cgroupfd;        /* the sandbox's cgroup when it is not ours, else -1 */
  bool cgroupns_late;  /* the child enters the cgroup namespace, once born in CGROUPFD */
  int procfd;          /* the host's /proc, read once nook is in the sandbox's root */
  int init_fd;         /* nook-init (O_PATH), which holds the command (see below) */
  int ptmx;            /* --tty: the terminal's master side, until the command runs */
  int pty;             /* and the command's side */
  struct nook_tty tty; /* --tty: the relay, once the command runs */
  int sync_parent, sync_child;
  int sigfd;
  pid_t pid;
  int child_pidfd;
};

/* ---- before entering ---------------------------------------------------------- */

/* The environment of the sandbox's command: nook-init got it at its exec
   and passed it on; /proc/PID/environ keeps it.  */
static int
read_environment (struct exec *ex, struct nook_error *err)
{
  char path[64];
  cleanup_free char *buf = NULL;
  size_t len;

  snprintf (path, sizeof path, "/proc/%d/environ", (int)ex->target);
  if (nook_read_file_at (AT_FDCWD, path, &buf, &len, err) < 0)
    return nook_error_wrap (err, "read the sandbox's environment");
  for (size_t i = 0; i < len && !ex->opts->env_exact; i += strlen (buf + i) + 1)
    if (buf[i])
      strv_append (&ex->env, buf + i);
  for (size_t i = 0; ex->opts->setenv && ex->opts->setenv[i]; i++)
    {
      const char *kv = ex->opts->setenv[i], *eq = strchr (kv, '=');
      size_t klen = eq ? (size_t)(eq - kv) : strlen (kv);
      cleanup_free char *taken = NULL;

      if (eq == NULL)
        {
          const char *v = getenv (kv);
          if (v == NULL)
            continue;
          kv = taken = xasprintf ("%s=%s", kv, v);
        }
      for (size_t j = 0; ex->env && ex->env[j]; j++)
        if (strncmp (ex->env[j], kv, klen) == 0 && ex->env[j][klen] == '=')
          {
            free (ex->env[j]);
            ex->env[j] = xstrdup (kv);
            kv = NULL;
            break;
          }
      if (kv)
        strv_append (&ex->env, kv);
    }
  return 0;
}

/* The command is started in the sandbox's cgroup when the sandbox has
   one of its own (CLONE_INTO_CGROUP: no moment outside it), or in the
   one below it the caller opened.  */
static int
open_cgroup (struct exec *ex, struct nook_error *err)
{
  cleanup_free char *theirs = nook_proc_cgroup (ex->target);
  cleanup_free char *ours = nook_proc_cgroup (0);
  cleanup_free char *dir = NULL;
  struct statfs sfs;
  const char *mnt = "/sys/fs/cgroup";

  if (ex->opts->in_sub_cgroup)
    {
      ex->cgroupfd = fcntl (ex->opts->sub_cgroup_fd, F_DUPFD_CLOEXEC, 3);
      return ex->cgroupfd < 0 ? nook_error_errno (err, "the cgroup to start the command in") : 0;
    }
  if (theirs == NULL || ours == NULL || strcmp (theirs, ours) == 0)
    return 0;
  /* The unified hierarchy is /sys/fs/cgroup, or /sys/fs/cgroup/unified on
     a host in hybrid mode.  */
  if (statfs (mnt, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
    mnt = "/sys/fs/cgroup/unified";
  dir = xasprintf ("%s%s", mnt, theirs);
  ex->cgroupfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (ex->cgroupfd < 0)
    return nook_error_errno (err, "open the sandbox's cgroup `%s`", dir);
  return 0;
}

/* The namespaces of the target that are not already ours.  A sandbox
   has a time namespace of its own only with offsets: otherwise it is
   ours, and not entered.  */
static int
namespaces_to_join (pid_t target)
{
  static const struct
  {
    const char *name;
    int flag;
  } ns[] = {
    { "user", CLONE_NEWUSER },     { "mnt", CLONE_NEWNS },    { "pid", CLONE_NEWPID },
    { "net", CLONE_NEWNET },       { "ipc", CLONE_NEWIPC },   { "uts", CLONE_NEWUTS },
    { "cgroup", CLONE_NEWCGROUP }, { "time", CLONE_NEWTIME },
  };
  int flags = 0;

  for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++)
    {
      uint64_t a, b;
      if (nook_proc_ns_inode (target, ns[i].name, &a) == 0
          && nook_proc_ns_inode (getpid (), ns[i].name, &b) == 0 && a != b)
        flags |= ns[i].flag;
    }
  return flags;
}

/* ---- entering ------------------------------------------------------------------ */

/* All of the sandbox's namespaces in one step (enter.h, steps 2 and 3):
   setns through the pidfd enters the user namespace first, which gives
   the capabilities the others need, and is all-or-nothing.  Entering the
   mount namespace puts this process at the sandbox's root; the cwd fd
   and the pidfd are not needed after it.  */
static int
enter (struct exec *ex, struct nook_error *err)
{
  int flags = namespaces_to_join (ex->target);

  /* With cgroup2's nsdelegate, CLONE_INTO_CGROUP from a cgroup outside
     our cgroup namespace is refused (ENOENT): the child enters it after
     its birth in the sandbox's cgroup, through the pidfd kept until then.  */
  if (ex->cgroupfd >= 0 && (flags & CLONE_NEWCGROUP))
    {
      ex->cgroupns_late = true;
      flags &= ~CLONE_NEWCGROUP;
    }
  if (nook_enter_begin (err) < 0)
    return -1;
  if (setns (ex->pidfd, flags) < 0)
    return nook_error_errno (err, "enter the sandbox's namespaces");
  if (ex->opts->cwd ? chdir (ex->opts->cwd) : fchdir (ex->cwdfd))
    {
      nook_error_errno (err, "working directory `%s`", ex->opts->cwd ? ex->opts->cwd : "(the command's)");
      return ex->opts->cwd ? nook_error_hint (err, "--cwd names a directory inside the sandbox") : -1;
    }
  nook_closep (&ex->cwdfd);
  ex->cwdfd = -1;
  if (!ex->cgroupns_late)
    {
      nook_closep (&ex->pidfd);
      ex->pidfd = -1;
    }
  return 0;
}

/* The sandbox's own terminal: opened from its /dev/ptmx (its devpts),
   after entering, so `tty` names a device the sandbox has.  */
static int
open_tty (struct exec *ex, struct nook_error *err)
{
  struct winsize ws;

  ex->ptmx = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (ex->ptmx < 0)
    return nook_error_errno (err, "--tty: open the sandbox's /dev/ptmx");
  if (unlockpt (ex->ptmx) < 0)
    return nook_error_errno (err, "--tty: unlockpt");
  ex->pty = ioctl (ex->ptmx, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (ex->pty < 0)
    return nook_error_errno (err, "--tty: open the terminal");
  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl (ex->ptmx, TIOCSWINSZ, &ws);
  return 0;
}

/* ---- in the command's process ----------------------------------------------------- */

static void __attribute__ ((noreturn)) child_fail (struct exec *ex, int status, struct nook_error *err)
{
  nook_supervise_child_fail (ex->sync_child, NOOK_SYNC_EXEC_ERROR, status, err);
}

/* The holder's exec: nook-init --exec, which starts the command, reports
   its exec failure over the sync socket and passes on signals.  It is a
   subreaper, so even a daemon that leaves its session stays below it, and
   it kills all of that when nook exec dies, even by SIGKILL (its death
   signal, helpers/nook-init.c): nothing outside the sandbox is left to do
   it then.  */
static int
exec_holder (struct exec *ex, struct nook_error *err)
{
  size_t n = strv_len (ex->opts->argv), a = 0;
  cleanup_free char **argv = xcalloc (n + 6, sizeof (char *));
  char fdstr[16];

  snprintf (fdstr, sizeof fdstr, "%d", ex->sync_child);
  if (fcntl (ex->sync_child, F_SETFD, 0) < 0)
    return nook_error_errno (err, "sync socket");
  argv[a++] = (char *)"nook-init";
  argv[a++] = (char *)"--sync-fd";
  argv[a++] = fdstr;
  argv[a++] = (char *)"--exec";
  argv[a++] = (char *)"--";
  for (size_t i = 0; i < n; i++)
    argv[a++] = ex->opts->argv[i];
  syscall (SYS_execveat, ex->init_fd, "", argv, ex->env, AT_EMPTY_PATH);
  return nook_error_errno (err, "exec the sandbox init");
}

/* A detached command's own exec, without a holder: its pid is the one
   an engine is told.  execvp looks PATH up in environ: the sandbox's.  */
static void __attribute__ ((noreturn)) exec_command (struct exec *ex)
{
  struct nook_error err = { 0 };
  const char *cmd = ex->opts->argv[0];

  environ = ex->env;
  execvp (cmd, ex->opts->argv);
  if (errno == ENOENT && strchr (cmd, '/') == NULL)
    {
      nook_error_set (&err, 0, "`%s`: command not found in the sandbox", cmd);
      nook_error_hint (&err, "PATH is %s", getenv ("PATH") ? getenv ("PATH") : "unset");
    }
  else
    nook_error_errno (&err, "exec `%s`", cmd);
  child_fail (ex, errno == ENOENT ? NOOK_EXIT_NOT_FOUND : NOOK_EXIT_CANNOT_EXEC, &err);
}

/* While nothing inside can read them (non-dumpable): every fd of nook's
   but the sync socket, the terminal and nook-init's, closed for real (the
   pidfd too); the caller's passed fds are the command's.  */
static void
close_host_fds (struct exec *ex)
{
  struct nook_error err = { 0 };
  int n = ex->opts->n_pass_fds, keep[3 + n];

  keep[0] = ex->sync_child;
  keep[1] = ex->pty;
  keep[2] = ex->init_fd;
  for (int i = 0; i < n; i++)
    keep[3 + i] = 3 + i;
  if (nook_enter_close_fds (keep, 3 + n, &err) < 0)
    child_fail (ex, NOOK_EXIT_ERROR, &err);
  for (int i = 0; i < n; i++)
    if (fcntl (3 + i, F_SETFD, 0) < 0)
      {
        nook_error_errno (&err, "pass fd %d", 3 + i);
        child_fail (ex, NOOK_EXIT_ERROR, &err);
      }
}

/* No controlling terminal of the caller's (CVE-2017-5226), or one of the
   sandbox's own with --tty.  */
static void
take_terminal (struct exec *ex)
{
  struct nook_error err = { 0 };

  setsid ();
  if (ex->pty < 0)
    return;
  if (ioctl (ex->pty, TIOCSCTTY, 0) < 0 || dup2 (ex->pty, 0) < 0 || dup2 (ex->pty, 1) < 0
      || dup2 (ex->pty, 2) < 0)
    {
      nook_error_errno (&err, "--tty: set up the terminal");
      child_fail (ex, NOOK_EXIT_ERROR, &err);
    }
  close (ex->pty);
}

/* The command's process, from its clone into the sandbox's PID namespace
   to its exec: enter.h, steps 5 to 9.  It execs nook-init as the
   command's holder (exec_holder), from an O_PATH fd, after the filter.  */
static void __attribute__ ((noreturn)) child_main (struct exec *ex)
{
  struct nook_error err = { 0 };

  if (ex->cgroupns_late && setns (ex->pidfd, CLONE_NEWCGROUP) < 0)
    {
      nook_error_errno (&err, "enter the sandbox's cgroup namespace");
      child_fail (ex, NOOK_EXIT_ERROR, &err);
    }
  close_host_fds (ex);
  /* Until nook-init sets a death signal of its own: a nook exec that dies
     before takes the holder with it, before any command runs.  Detached
     (nook-oci exec --detach), the command is handed over and outlives
     nook: no holder, no death signal.  */
  if (!ex->opts->detach)
    prctl (PR_SET_PDEATHSIG, SIGKILL);
  take_terminal (ex);
  /* The same Landlock rules, identity, capabilities, no_new_privs and
     seccomp filter as the sandbox's command, applied the same way; the
     holder, nook-init, is outside the root and may still be exec'd, as
     the sandbox's own is.  */
  nook_fault_point ("exec: security");
  /* The holder's sealed copy needs no rule: Landlock leaves the files of
     internal filesystems (a memfd's) alone, and takes no rule on them.  */
  if (ex->landlock
      && nook_landlock_apply (ex->landlock_writable, ex->opts->detach ? ex->init_fd : -1, &err) < 0)
    child_fail (ex, NOOK_EXIT_ERROR, &err);
  if (nook_security_apply (ex->spec, &ex->filters, &err) < 0)
    child_fail (ex, NOOK_EXIT_ERROR, &err);
  nook_supervise_check_parent (ex->sync_child);
  nook_supervise_unblock_signals ();
  /* The exec makes the process dumpable again, as nook-init, under the
     filter; nook-init looks the command up in the sandbox's PATH.  */
  if (ex->opts->detach)
    exec_command (ex);
  exec_holder (ex, &err);
  child_fail (ex, NOOK_EXIT_ERROR, &err);
}

/* ---- waiting ----------------------------------------------------------------------- */

static int
spawn_command (struct exec *ex, struct nook_error *err)
{
  struct clone_args args = { 0 };
  int fd = -1;
  long pid;

  args.flags = CLONE_PIDFD;
  args.pidfd = (uintptr_t)&fd;
  args.exit_signal = SIGCHLD;
  if (ex->cgroupfd >= 0)
    {
      args.flags |= CLONE_INTO_CGROUP;
      args.cgroup = ex->cgroupfd;
    }
  /* Forked after setns(CLONE_NEWPID): the command is inside the sandbox's
     PID namespace, this process is not.  */
  nook_fault_point ("exec: clone");
  nook_fault_owner ();
  pid = syscall (SYS_clone3, &args, sizeof args);
  if (pid < 0)
    return nook_error_errno (err, "start the command in the sandbox");
  if (pid == 0)
    child_main (ex);
  ex->pid = pid;
  ex->child_pidfd = fd;
  nook_closep (&ex->sync_child);
  nook_closep (&ex->pty);
  nook_closep (&ex->cgroupfd);
  if (ex->cgroupns_late)
    nook_closep (&ex->pidfd);
  nook_closep (&ex->init_fd);
  ex->sync_child = ex->pty = ex->cgroupfd = ex->init_fd = -1;
  return 0;
}

/* The command runs: with --tty, the caller's terminal goes raw and is
   relayed to the sandbox's.  */
static void
command_started (void *ctx)
{
  struct exec *ex = ctx;

  if (ex->ptmx >= 0)
    nook_tty_adopt (&ex->tty, ex->ptmx);
  ex->ptmx = -1;
  nook_fault_point ("exec: command started");
}

/* Forwards signals and, with --tty, copies between the caller's terminal
   and the sandbox's, until the command ends.  */
static int
supervise (struct exec *ex, struct nook_error *err)
{
  struct nook_supervisor sv = { .pid = ex->pid,
                                .pidfd = ex->child_pidfd,
                                .sigfd = ex->sigfd,
                                .sync_fd = ex->sync_parent,
                                .tty = &ex->tty,
                                .procfd = ex->procfd,
                                .extra = { -1, -1, -1, -1 },
                                .started = command_started,
                                .ctx = ex,
                                .kill_tree = true };
  siginfo_t info;
  int r = nook_supervise (&sv, &info, err);

  ex->sync_parent = sv.sync_fd;
  if (r < 0)
    return -1;
  ex->pid = -1;
  if (r == 1)
    return -1;
  return info.si_code == CLD_EXITED ? info.si_status : 128 + info.si_status;
}

static void
exec_release (struct exec *ex)
{
  if (ex->pid > 0)
    nook_pid_killp (&ex->pid);
  nook_tty_release (&ex->tty);
  nook_filters_free (&ex->filters);
  strv_free (ex->landlock_writable);
  strv_free (ex->env);
  nook_closep (&ex->pidfd);
  nook_closep (&ex->cwdfd);
  nook_closep (&ex->cgroupfd);
  nook_closep (&ex->procfd);
  nook_closep (&ex->ptmx);
  nook_closep (&ex->pty);
  nook_closep (&ex->init_fd);
  nook_closep (&ex->sync_parent);
  nook_closep (&ex->sync_child);
  nook_closep (&ex->sigfd);
  nook_closep (&ex->child_pidfd);
}

/* Detached: waits for the command's exec (EOF on the sync socket) or its
   error, and hands it over.  */
static int
wait_started (struct exec *ex, struct nook_error *err)
{
  struct nook_sync_msg msg;
  char text[NOOK_SYNC_MAX_TEXT + 1];
  int r = nook_sync_recv (ex->sync_parent, &msg, text);

  if (r == 1)
    {
      nook_error_set (err, 0, "%s", text);
      nook_error_status (err, msg.status);
      err->errnum = msg.errnum;
      return -1;
    }
  if (r < 0)
    return nook_error_errno (err, "wait for the command");
  return 0;
}

static int exec_in (struct exec *ex, struct nook_error *err);

/* Every fd -1, so that a release after any failure closes only what was
   opened (an fd left 0 would close stdin).  */
static void
exec_init (struct exec *ex, const struct nook_spec *spec, const struct nook_exec_opts *opts, pid_t target)
{
  *ex = (struct exec){ .spec = spec,
                       .opts = opts,
                       .target = target,
                       .pidfd = -1,
                       .cwdfd = -1,
                       .cgroupfd = -1,
                       .procfd = -1,
                       .init_fd = -1,
                       .ptmx = -1,
                       .pty = -1,
                       .sync_parent = -1,
                       .sync_child = -1,
                       .sigfd = -1,
                       .pid = -1,
                       .child_pidfd = -1 };
  nook_tty_init (&ex->tty);
}

int
nook_exec_pid (pid_t target, uint64_t start, struct nook_filters *filters, const struct nook_spec *spec,
               struct nook_exec_opts *opts, struct nook_error *err)
{
  struct exec ex;
  int status;

  exec_init (&ex, spec, opts, target);
  ex.filters = *filters;
  memset (filters, 0, sizeof *filters);
  opts->pid = -1;
  opts->console_fd = -1;
  ex.pidfd = nook_pidfd_open_checked (target, start);
  if (ex.pidfd < 0)
    {
      nook_error_set (err, 0, "the container's process %d is not running", (int)target);
      exec_release (&ex);
      return -1;
    }
  status = exec_in (&ex, err);
  if (status >= 0 && opts->detach)
    {
      opts->pid = ex.pid;
      opts->console_fd = ex.ptmx;
      ex.pid = -1;
      ex.ptmx = -1;
    }
  exec_release (&ex);
  return status;
}

int
nook_exec (const struct nook_sandbox *sb, const struct nook_spec *spec, const struct nook_exec_opts *opts,
           struct nook_error *err)
{
  struct exec ex;
  int status = -1;

  exec_init (&ex, spec, opts, sb->pid);
  /* The very programs the sandbox's command was loaded with.  */
  if (nook_sandbox_filters (sb, &ex.filters, err) < 0
      || (ex.landlock = nook_landlock_wanted (ex.spec, err)) < 0)
    goto out;
  /* The places nook run allowed writes under, as it recorded them: the
     mount table of a running sandbox is not read again.  */
  if (ex.landlock)
    {
      json_object *writable = json_object_object_get (sb->doc, "landlock_writable");

      if (nook_landlock_writable_from_json (writable, &ex.landlock_writable, err) < 0)
        {
          nook_error_wrap (err, "sandbox `%s`", sb->id);
          if (writable == NULL)
            nook_error_hint (err, "it was started by an older nook: start it again");
          goto out;
        }
    }
  ex.pidfd = nook_sandbox_pidfd (sb, err);
  if (ex.pidfd < 0)
    goto out;
  status = exec_in (&ex, err);
out:
  exec_release (&ex);
  return status;
}

/* From the target's pidfd to the command's end (or, detached, its start).  */
static int
exec_in (struct exec *ex_, struct nook_error *err)
{
  struct exec ex = *ex_;
  const struct nook_exec_opts *opts = ex.opts;
  int sv[2], status = -1;
  char path[64];
  pid_t target = ex.target;

  snprintf (path, sizeof path, "/proc/%d/cwd", (int)target);
  ex.cwdfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ex.cwdfd < 0 && opts->cwd == NULL)
    {
      nook_error_errno (err, "find the working directory of the sandbox's command");
      goto out;
    }
  if (read_environment (&ex, err) < 0 || open_cgroup (&ex, err) < 0)
    goto out;
  ex.init_fd = nook_open_init (err);
  if (ex.init_fd < 0)
    goto out;
  if (!opts->detach)
    {
      /* Its holder's exe: a sealed copy (spawn.h, nook_init_sealed).  */
      int sealed = nook_init_sealed (ex.init_fd, err);
      if (sealed < 0)
        goto out;
      close (ex.init_fd);
      ex.init_fd = sealed;
    }
  ex.procfd = open ("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (ex.procfd < 0)
    {
      nook_error_errno (err, "open /proc");
      goto out;
    }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    {
      nook_error_errno (err, "socketpair");
      goto out;
    }
  ex.sync_parent = sv[0];
  ex.sync_child = sv[1];
  if (enter (&ex, err) < 0 || (opts->tty && open_tty (&ex, err) < 0))
    goto out;
  if (opts->detach)
    {
      if (spawn_command (&ex, err) < 0 || wait_started (&ex, err) < 0)
        goto out;
      status = 0;
      goto out;
    }
  ex.sigfd = nook_supervise_block_signals (true, NULL, err);
  if (ex.sigfd < 0 || spawn_command (&ex, err) < 0)
    goto out;
  status = supervise (&ex, err);
out:
  *ex_ = ex;
  return status;
}
