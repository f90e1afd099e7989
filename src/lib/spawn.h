/* nook: starting and supervising a sandbox.  */
#ifndef NOOK_SPAWN_H
#define NOOK_SPAWN_H

#include "error.h"
#include "spec.h"

/* Runs SPEC's command in a new sandbox, forwards signals to it, and returns
   its exit status (128+N when killed by signal N).  Returns -1 with ERR set
   (ERR->status is 125, 126 or 127) when the command could not be started.
   Nothing of the sandbox outlives this call.  */
int nook_run (struct nook_spec *spec, struct nook_error *err);

/* What a detached sandbox's supervisor adds to a run.  */
struct nook_run_io
{
  int log_fd;   /* read end (non-blocking) of the pipe that is the command's stdout and stderr */
  int ready_fd; /* a socket; gets a NUL byte and the sandbox's id once the command runs; then closed (-1) */
};

/* nook_run, with IO for a detached sandbox (NULL: in the foreground).  */
int nook_run_supervised (struct nook_spec *spec, struct nook_run_io *io, struct nook_error *err);

/* Finds nook-init: next to the running nook (a build tree), else in
   PKGLIBEXECDIR.  Returns an O_PATH fd.  */
int nook_open_init (struct nook_error *err);

#endif
