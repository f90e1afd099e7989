/* nook: running a command in a running sandbox (`nook exec`).  */
#ifndef NOOK_EXEC_H
#define NOOK_EXEC_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"
#include "state.h"

struct nook_exec_opts
{
  char **argv;   /* the command */
  char **setenv; /* K=V to set, or K to take from the caller */
  char *cwd;     /* NULL: the working directory of the sandbox's command */
  bool tty;      /* a terminal of the sandbox's own for the command */
};

/* Runs OPTS->argv in the running sandbox SB: in all of its namespaces (one
   setns through a pidfd), its cgroup, its root, with its environment and
   with the identity and privileges SPEC (the sandbox's `nook run` options,
   parsed again) gives its command.  Returns the command's exit status
   (128+N for signal N), or -1 with ERR set (125, 126 or 127).  */
int nook_exec (const struct nook_sandbox *sb, const struct nook_spec *spec, const struct nook_exec_opts *opts,
               struct nook_error *err);

#endif
