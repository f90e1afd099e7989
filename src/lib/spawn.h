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

/* Finds nook-init: next to the running nook (a build tree), else in
   PKGLIBEXECDIR.  Returns an O_PATH fd.  */
int nook_open_init (struct nook_error *err);

#endif
