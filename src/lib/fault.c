/* nook: fault points of the test build (fault.h).  */
#include <config.h>

#ifdef NOOK_TESTING
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fault.h"

static pid_t owner;
static int report = -1;

/* The report file, opened before anything can move nook away from the
   caller's mounts (nook exec joins the sandbox's): a high number a
   detached supervisor's own fds will not take; where the process has
   closed it, it is opened again by its path.  */
static int
open_again (const char *file)
{
  int fd = open (file, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
  int high = fd >= 0 ? fcntl (fd, F_DUPFD_CLOEXEC, 900) : -1;

  if (fd >= 0)
    close (fd);
  return high;
}

__attribute__ ((constructor)) static void
open_report (void)
{
  const char *file = getenv ("NOOK_FAULT_FILE");
  int fd;

  if (getenv ("NOOK_FAULT") == NULL || file == NULL || file[0] != '/')
    return;
  fd = open (file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0)
    close (fd);
  report = open_again (file);
}

void
nook_fault_owner (void)
{
  owner = getpid ();
}

void
nook_fault_point (const char *fmt, ...)
{
  const char *want = getenv ("NOOK_FAULT"), *file = getenv ("NOOK_FAULT_FILE");
  char name[128];
  va_list ap;
  bool stop;
  int fd = report;

  va_start (ap, fmt);
  vsnprintf (name, sizeof name, fmt, ap);
  va_end (ap);
  if (want == NULL || (strcmp (want, "list") != 0 && strcmp (want, name) != 0))
    return;
  stop = strcmp (want, name) == 0;
  if (fd >= 0 && fcntl (fd, F_GETFD) < 0)
    fd = report = file ? open_again (file) : -1;
  dprintf (fd >= 0 ? fd : 2, "fault point: %s pid %d\n", name,
           owner && owner != getpid () ? owner : getpid ());
  while (stop)
    pause ();
}
#endif
