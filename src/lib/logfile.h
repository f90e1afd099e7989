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

/**
 * nook_logfile_open - begin a sandbox's log
 * @log: filled; release with nook_logfile_close
 * @dirfd: the sandbox's state directory; borrowed, not closed
 * @cap: the size at which the log rotates
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set when the log cannot be created.
 */
int nook_logfile_open (struct nook_logfile *log, int dirfd, uint64_t cap, struct nook_error *err);

/**
 * nook_logfile_pump - copy what the command wrote into the log
 * @log: an open log
 * @fd: the non-blocking read end of the command's output pipe; not closed
 *
 * Copies what can be read without blocking, rotating at the cap.  A write
 * that fails loses output, never the command.
 *
 * Return: 0 at EOF (or a read error), 1 when @fd may have more later.
 */
int nook_logfile_pump (struct nook_logfile *log, int fd);

/**
 * nook_logfile_close - close a log
 * @log: its fd is closed; the files stay for `nook logs`
 */
void nook_logfile_close (struct nook_logfile *log);

/**
 * nook_logfile_print - write a sandbox's log, as `nook logs` shows it
 * @dirfd: the sandbox's state directory; not closed
 * @out: where to write (not closed)
 * @follow: go on writing what is added
 * @done: with @follow, says (given @dirfd) when the writer has finished
 * @err: set on failure
 *
 * Writes log.1, then log: the sandbox's bytes, unchanged.
 *
 * Return: 0, or -1 with @err set when the sandbox keeps no log or a read
 * or write failed.
 */
int nook_logfile_print (int dirfd, int out, bool follow, bool (*done) (int dirfd), struct nook_error *err);

#endif
