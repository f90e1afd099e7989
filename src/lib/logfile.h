/* nook: the size-capped log of a detached sandbox's stdout and stderr.
 *
 * The supervisor copies the command's output from a pipe into
 * sandboxes/ID/log; when that reaches the cap it becomes log.1 (replacing
 * the previous one) and a new log begins, so a sandbox never holds more
 * than twice the cap.  Readers print log.1 then log.
 */
#ifndef NOOK_LOGFILE_H
#define NOOK_LOGFILE_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct nook_logfile
{
  int dirfd; /* the sandbox's state directory (not owned) */
  int fd;
  uint64_t size, cap;
};

int nook_logfile_open (struct nook_logfile *log, int dirfd, uint64_t cap, struct nook_error *err);
/* Copies what can be read from FD without blocking.  Returns 0 at EOF,
   1 when FD may have more later.  */
int nook_logfile_pump (struct nook_logfile *log, int fd);
void nook_logfile_close (struct nook_logfile *log);

/* Writes the log in DIRFD to OUT; with FOLLOW, goes on writing what is
   added until DONE(DATA) says the writer has finished.  */
int nook_logfile_print (int dirfd, int out, bool follow, bool (*done) (int dirfd), struct nook_error *err);

#endif
