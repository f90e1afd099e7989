/* Signalling, listing and removing a sandbox; see sandbox.h.  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "logfile.h"
#include "proc.h"
#include "sandbox.h"
#include "utils.h"

static const char *
label (const struct nook_sandbox *sb)
{
  const char *name = nook_sandbox_str (sb, "name");
  return name ? name : sb->id;
}

/* SIGSTOP and SIGCONT act on every process of the sandbox, not on its
   init alone (which would leave the command running).  A process may fork
   while the others stop: walk again until a walk finds nothing new.  */
static int
signal_all (const struct nook_sandbox *sb, int sig, struct nook_error *err)
{
  cleanup_free pid_t *done = NULL;
  size_t n_done = 0;

  for (int round = 0; round < 1000; round++)
    {
      cleanup_free pid_t *pids = NULL;
      size_t n, fresh = 0;
      pid_t *grown;

      if (nook_sandbox_processes (sb, &pids, &n, err) < 0)
        return -1;
      grown = realloc (done, (n_done + n) * sizeof *done + 1);
      if (grown == NULL)
        return nook_error_errno (err, "send signal %d to `%s`", sig, label (sb));
      done = grown;
      for (size_t i = 0; i < n; i++)
        {
          bool seen = false;
          int fd;

          for (size_t j = 0; j < n_done && !seen; j++)
            seen = done[j] == pids[i];
          if (seen)
            continue;
          done[n_done++] = pids[i];
          fresh++;
          fd = (int)syscall (SYS_pidfd_open, pids[i], 0);
          if (fd >= 0)
            {
              syscall (SYS_pidfd_send_signal, fd, sig, NULL, 0);
              close (fd);
            }
        }
      if (fresh == 0)
        return 0;
    }
  return 0;
}

int
nook_sandbox_kill (const struct nook_sandbox *sb, int sig, struct nook_error *err)
{
  cleanup_close int fd = nook_sandbox_pidfd (sb, err);

  if (fd < 0)
    return -1;
  if (sig == SIGSTOP || sig == SIGCONT)
    return signal_all (sb, sig, err);
  if (syscall (SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
    return nook_error_errno (err, "send signal %d to `%s`", sig, label (sb));
  return 0;
}

/* Whether every process of a running sandbox is stopped.  */
static bool
all_stopped (const struct nook_sandbox *sb)
{
  cleanup_free pid_t *pids = NULL;
  size_t n;

  if (nook_sandbox_processes (sb, &pids, &n, NULL) < 0 || n == 0)
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char path[64];
      cleanup_free char *stat = NULL;
      const char *p;

      snprintf (path, sizeof path, "/proc/%d/stat", (int)pids[i]);
      if (nook_read_file_at (AT_FDCWD, path, &stat, NULL, NULL) < 0)
        continue;
      p = strrchr (stat, ')');
      if (p && p[1] && p[2] != 'T' && p[2] != 'Z')
        return false;
    }
  return true;
}

bool
nook_sandbox_paused (const struct nook_sandbox *sb)
{
  json_object *v = NULL;

  if (!sb->running)
    return false;
  /* As `nook pause` recorded it: a frozen process looks like any sleeping
     one in /proc, and a stopped one may have been stopped by anyone.  */
  return sb->doc && json_object_object_get_ex (sb->doc, "paused", &v) && json_object_get_boolean (v);
}

int
nook_sandbox_signal_stop (const struct nook_sandbox *sb, bool stop, struct nook_error *err)
{
  /* A stopped process cannot fork: stopping every process, walking
     again until no new one appears, leaves none running.  */
  if (nook_sandbox_kill (sb, stop ? SIGSTOP : SIGCONT, err) < 0)
    return -1;
  for (int i = 0; stop && i < 2000 && !all_stopped (sb); i++)
    {
      if (i % 100 == 99 && nook_sandbox_kill (sb, SIGSTOP, err) < 0)
        return -1;
      usleep (1000);
    }
  return 0;
}

int
nook_sandbox_processes (const struct nook_sandbox *sb, pid_t **pids, size_t *n, struct nook_error *err)
{
  cleanup_close int fd = nook_sandbox_pidfd (sb, err);
  uint64_t ino;
  pid_t inner;

  *pids = NULL;
  *n = 0;
  if (fd < 0)
    return -1;
  /* The sandbox is its init and every descendant: that holds with a PID
     namespace of its own, a joined one or the host's.  */
  *n = nook_proc_tree (sb->pid, pids);
  /* With a PID namespace of its own (its init is PID 1 there), also what
     `nook exec` started: those are children of nook exec, outside.  */
  if (nook_proc_inner_pid (sb->pid, &inner) == 0 && inner == 1
      && nook_proc_ns_inode (sb->pid, "pid", &ino) == 0)
    *n = nook_proc_add_pidns (ino, pids, *n);
  return 0;
}

int
nook_sandbox_rm (struct nook_store *store, struct nook_sandbox *sb, bool force, struct nook_error *err)
{
  int r;

  if (sb->forged && sb->supervised)
    {
      nook_error_set (
          err, 0, "the state of sandbox %s is not as nook wrote it, and its supervisor still runs", sb->id);
      return nook_error_hint (err,
                              "stop the nook process that has `%s/sandboxes/%s` open (fuser names it), then "
                              "`nook rm %s`",
                              store->path, sb->id, sb->id);
    }
  if (sb->supervised && sb->doc == NULL)
    return nook_error_set (err, 0, "sandbox `%s` is still starting: try again", label (sb));
  if (sb->supervised)
    {
      if (!force)
        {
          nook_error_set (err, 0, "sandbox `%s` is running", label (sb));
          return nook_error_hint (err, "stop it with `nook kill %s`, or use `nook rm -f`", label (sb));
        }
      nook_sandbox_kill (sb, SIGKILL, NULL);
      /* Its supervisor records the end (or removes it, with --rm).  */
      nook_sandbox_wait (store, sb, NULL);
    }
  if (nook_store_lock (store, err) < 0)
    return -1;
  r = nook_sandbox_remove (store, sb, err);
  nook_store_unlock (store);
  return r;
}

bool
nook_sandbox_wait_gone (struct nook_store *store, const char *id)
{
  cleanup_close int fd = nook_store_open_entry (store, id);
  struct stat st;

  /* Its supervisor holds the entry's lock until it is done with it.  */
  if (fd >= 0)
    while (flock (fd, LOCK_SH) < 0 && errno == EINTR)
      ;
  return fstatat (store->boxes, id, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT;
}

/* The supervisor writes the log while it holds the lock on the
   sandbox's directory.  */
static bool
log_writer_done (int dirfd)
{
  if (flock (dirfd, LOCK_SH | LOCK_NB) == 0)
    {
      flock (dirfd, LOCK_UN);
      return true;
    }
  return false;
}

int
nook_sandbox_logs (const struct nook_sandbox *sb, int out, bool follow, struct nook_error *err)
{
  return nook_logfile_print (sb->dirfd, out, follow, log_writer_done, err);
}
