/* nook: detached sandboxes (`nook run -d`), and the supervisor's report.
 *
 * A detached sandbox runs under a supervisor of its own that outlives the
 * caller and its terminal.  One SOCK_STREAM socketpair (a socket, not a
 * pipe, for send (MSG_NOSIGNAL)) joins the caller to the supervisor; the
 * supervisor sends one report on it and closes it.  The report's first
 * byte is its type (enum nook_detach_report); the caller reads to EOF.
 * The whole sequence, in order:
 *
 *   caller (nook run -d)              supervisor                     command
 *   --------------------              ----------                     -------
 *   socketpair, fork  ──────────────► setsid, fork (the middle
 *   waitpid (the middle child)        child exits: the supervisor
 *                                     is nobody's child and has no
 *                                     terminal); closes every fd but
 *                                     its end; stdin /dev/null,
 *                                     stdout and stderr the log pipe
 *                                     nook_run_supervised  ────────► execvpe(CMD)
 *            ◄─────────────────────── NOOK_DETACH_RUNNING and the id,
 *                                     once the command runs (spawn.c,
 *                                     tell_started); or
 *                                     NOOK_DETACH_FAILED: the exit
 *                                     status (125, 126 or 127) as the
 *                                     byte, then the error message,
 *                                     and exit
 *   EOF: reads the report; nothing    copies the log until the
 *   at all means the supervisor       command exits
 *   died before the command started
 *
 * The caller never blocks on a supervisor that died: the kernel closes
 * its end, and the caller reads EOF.
 */
#ifndef NOOK_DETACH_H
#define NOOK_DETACH_H

#include "error.h"
#include "spec.h"

enum nook_detach_report
{
  NOOK_DETACH_RUNNING = 0, /* supervisor → caller: the command runs; the id follows */
  /* supervisor → caller: the command could not start; the byte is the
     exit status itself (NOOK_EXIT_ERROR, NOOK_EXIT_CANNOT_EXEC or
     NOOK_EXIT_NOT_FOUND), and the error message follows.  */
  NOOK_DETACH_FAILED = NOOK_EXIT_ERROR,
};

/**
 * nook_run_detached - start a sandbox that outlives its caller
 * @spec: what to run; only read
 * @id: gets the sandbox's id (the caller frees it) once the command runs
 * @err: set on failure
 *
 * Starts @spec's sandbox under a supervisor of its own that outlives the
 * caller and its terminal.  The command's stdout and stderr go to the
 * sandbox's log.
 *
 * Return: 0 once the command runs; -1 with @err set (status 125, 126 or
 * 127) when it could not start.
 */
int nook_run_detached (struct nook_spec *spec, char **id, struct nook_error *err);

#endif
