/* nook: running a command in a running sandbox (`nook exec`).  */
#ifndef NOOK_EXEC_H
#define NOOK_EXEC_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"
#include "state.h"

struct nook_exec_opts
{
  char **argv;    /* the command */
  char **setenv;  /* K=V to set, or K to take from the caller */
  char *cwd;      /* NULL: the working directory of the sandbox's command */
  bool tty;       /* a terminal of the sandbox's own for the command */
  bool env_exact; /* the environment is setenv alone, nothing of the sandbox's command's */
  /* Return once the command runs, leaving it running (an OCI runtime's
     exec --detach); with tty, its master comes out in console_fd instead
     of being relayed.  */
  bool detach;
  /* The caller's fds 3 to 2 + n_pass_fds, passed on to the command under
     the same numbers (an OCI runtime's exec --preserve-fds); every other
     fd of the caller's stays out.  */
  int n_pass_fds;
  /* Start the command in SUB_CGROUP_FD (nook_cgroup_open_sub: a cgroup
     below the sandbox's own) instead of the sandbox's cgroup (an OCI
     runtime's exec --cgroup); the caller keeps the fd.  */
  bool in_sub_cgroup;
  int sub_cgroup_fd;
  pid_t pid;      /* out, with detach: the command's pid */
  int console_fd; /* out, with detach and tty: the master, or -1 */
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

/**
 * nook_exec_pid - nook_exec for a sandbox known by its init's pid
 * @target: the sandbox's init
 * @start: its start time (a recycled pid is refused)
 * @filters: the programs to load, as prepared for the sandbox's own
 *           command (nook_security_prepare); taken over and freed
 * @spec: the identity and capabilities of the command
 * @opts: as for nook_exec, with detach and the outputs it fills
 * @err: set when it could not run
 *
 * Return: as nook_exec; with @opts->detach, 0 once the command runs.
 */
int nook_exec_pid (pid_t target, uint64_t start, struct nook_filters *filters, const struct nook_spec *spec,
                   struct nook_exec_opts *opts, struct nook_error *err);

#endif
