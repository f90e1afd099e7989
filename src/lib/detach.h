/* nook: detached sandboxes (`nook run -d`).  */
#ifndef NOOK_DETACH_H
#define NOOK_DETACH_H

#include "error.h"
#include "spec.h"

/* Starts SPEC's sandbox under a supervisor of its own that outlives the
   caller and its terminal, and returns once the command runs, with its id
   in *ID; or -1 with ERR set (status 125, 126 or 127) when it could not
   start.  The command's stdout and stderr go to the sandbox's log.  */
int nook_run_detached (struct nook_spec *spec, char **id, struct nook_error *err);

#endif
