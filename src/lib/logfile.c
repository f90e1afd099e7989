/* nook: the size-capped log of a detached sandbox: the supervisor's
   copy from the output pipe, and `nook logs`' reading of it.  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logfile.h"
#include "utils.h"

#define LOG_FILE "log"
#define LOG_OLD "log.1"

static int
open_log (struct nook_logfile *log)
{
  log->fd = openat (log->dirfd, LOG_FILE, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
  log->size = 0;
  return log->fd;
}

int
nook_logfile_open (struct nook_logfile *log, int dirfd, uint64_t cap, struct nook_error *err)
{
  log->dirfd = dirfd;
  log->cap = cap;
  if (open_log (log) < 0)
    return nook_error_errno (err, "create the sandbox's log");
  return 0;
}

static void
rotate (struct nook_logfile *log)
{
  nook_closep (&log->fd);
  renameat (log->dirfd, LOG_FILE, log->dirfd, LOG_OLD);
  open_log (log);
}

int
nook_logfile_pump (struct nook_logfile *log, int fd)
{
  char buf[65536];

  for (;;)
    {
      ssize_t n = read (fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errno == EAGAIN ? 1 : 0;
      if (n == 0)
        return 0;
      if (log->size > 0 && log->size + n > log->cap)
        rotate (log);
      /* A full disk must not stop the sandbox: its output is dropped.  */
      if (log->fd >= 0 && nook_write_all (log->fd, buf, n) > 0)
        log->size += n;
    }
}

void
nook_logfile_close (struct nook_logfile *log)
{
  nook_closep (&log->fd);
}

static bool
rotated (int dirfd, int fd)
{
  struct stat a, b;
  return fstatat (dirfd, LOG_FILE, &a, AT_SYMLINK_NOFOLLOW) == 0 && fstat (fd, &b) == 0
         && a.st_ino != b.st_ino;
}

int
nook_logfile_print (int dirfd, int out, bool follow, bool (*done) (int dirfd), struct nook_error *err)
{
  cleanup_close int old = openat (dirfd, LOG_OLD, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  cleanup_close int fd = openat (dirfd, LOG_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

  if (fd < 0)
    return nook_error_set (err, 0, "this sandbox keeps no log (only `nook run -d` does)");
  if ((old >= 0 && nook_copy_fd (old, out) < 0) || nook_copy_fd (fd, out) < 0)
    return nook_error_errno (err, "print the log");
  while (follow)
    {
      /* Checked before the last read: whatever was written before the
         writer finished is then printed.  */
      bool finished = done (dirfd);
      const struct timespec tick = { 0, 50 * 1000 * 1000 };

      if (nook_copy_fd (fd, out) < 0)
        return nook_error_errno (err, "print the log");
      if (rotated (dirfd, fd))
        {
          int next = openat (dirfd, LOG_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
          if (next >= 0)
            {
              /* What was written before the rename is still to be read.  */
              nook_copy_fd (fd, out);
              close (fd);
              fd = next;
              continue;
            }
        }
      if (finished)
        break;
      nanosleep (&tick, NULL);
    }
  return 0;
}
