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

/**
 * nook_exec - run a command in a running sandbox
 * @sb: the sandbox, as the state names it
 * @spec: what its state recorded (nook_sandbox_spec): the ids, capabilities
 *        and no_new_privs its command got
 * @opts: the command, -e, --cwd, --tty
 * @err: set on failure
 *
 * Runs OPTS->argv in all of SB's namespaces (one setns through a pidfd),
 * its cgroup, its root and its environment, entering in the order enter.h
 * writes down, under the filter the state recorded.  Owns nothing of SB.
 *
 * Return: the command's exit status (128+N for signal N), or -1 with ERR
 * set (status 125, 126 or 127).
 */
int nook_exec (const struct nook_sandbox *sb, const struct nook_spec *spec, const struct nook_exec_opts *opts,
               struct nook_error *err);

#endif
