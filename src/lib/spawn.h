/* nook: starting and supervising a sandbox.  */
#ifndef NOOK_SPAWN_H
#define NOOK_SPAWN_H

#include "error.h"
#include "spec.h"

/**
 * nook_run - run SPEC's command in a new sandbox
 * @spec: what the user asked for; read only
 * @err: set when the command could not be started
 *
 * Creates the sandbox, forwards signals to it and waits for it; nothing of
 * the sandbox (processes, mounts, helpers, cgroups, state) outlives the call.
 *
 * Return: the command's exit status (128+N when killed by signal N), or -1
 * with ERR set (ERR->status 125, 126 or 127).
 */
int nook_run (struct nook_spec *spec, struct nook_error *err);

/* What a detached sandbox's supervisor adds to a run.  */
struct nook_run_io
{
  int log_fd;   /* read end (non-blocking) of the pipe that is the command's stdout and stderr */
  int ready_fd; /* a socket; gets a NUL byte and the sandbox's id once the command runs; then closed (-1) */
};

/**
 * nook_run_supervised - nook_run, for a detached sandbox's supervisor
 * @spec: as for nook_run
 * @io: the log pipe and the report socket (detach.h), or NULL in the foreground
 * @err: as for nook_run
 *
 * Return: as nook_run.
 */
int nook_run_supervised (struct nook_spec *spec, struct nook_run_io *io, struct nook_error *err);

/* Where the sandbox calls back into its creator (nook_create_io.in_sandbox).  */
enum nook_create_stage
{
  NOOK_CREATE_AT_ROOT,  /* the root's mounts made, before pivot_root: the host's paths still visible */
  NOOK_CREATE_AT_START, /* the gate opened, before the exec: in the final root, with the command's
                           credentials and filter */
};

/* What an OCI runtime's create asks of a run: the sandbox is built, then
   handed over to the caller instead of supervised.  */
struct nook_create_io
{
  /* The sandbox reads one byte from it (an exec fifo opened read-write),
     after its whole setup and just before it executes its init: the
     command runs only once someone writes that byte (`start`).  */
  int gate_fd;
  /* Called once the sandbox's pid is known, its ids mapped, before its
     setup starts: records the pid (the caller's state), runs hooks.  */
  int (*created) (void *ctx, pid_t pid, struct nook_error *err);
  /* Or NULL: called in the sandbox, by its own process (in all its
     namespaces) at each stage; PID is the sandbox's pid as the caller
     sees it.  A failure fails the sandbox: at NOOK_CREATE_AT_START it
     writes a byte to its gate and ends before its command runs; the gate
     closes with nothing left in it only on success.  */
  int (*in_sandbox) (void *ctx, enum nook_create_stage stage, pid_t pid, struct nook_error *err);
  void *ctx;
  /* The cgroup the sandbox is born in (CLONE_INTO_CGROUP), made and
     removed by the caller, or -1.  */
  int cgroup_fd;
  /* Out: the sandbox's init, left running (not killed when the caller
     exits), and with spec->security.tty the terminal's master, or -1.  */
  pid_t pid;
  int console_fd;
};

/**
 * nook_create - create a sandbox that waits at its gate, and hand it over
 * @spec: as for nook_run; no nook state is written, no cgroup made
 * @io: the gate, the callback and what comes out
 * @err: set when the sandbox could not be created; nothing is left then
 *
 * The sandbox's init is a child of the caller; it no longer dies with the
 * caller once this returns 0.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_create (struct nook_spec *spec, struct nook_create_io *io, struct nook_error *err);

/**
 * nook_open_init - find nook-init
 * @err: set when it is in neither place
 *
 * Next to the running nook (a build tree), else in PKGLIBEXECDIR.
 *
 * Return: an O_PATH fd the caller owns, or -1.
 */
int nook_open_init (struct nook_error *err);

/**
 * nook_init_sealed - a sealed copy of nook-init in memory, to exec
 * @init_fd: what nook_open_init returned; only read
 * @err: set on failure
 *
 * For a nook-init that runs in a PID namespace where it may not be PID 1
 * (an exec's holder, a joining run), as runc answered CVE-2019-5736: the
 * sandbox may open its /proc/PID/exe, and were it nook-init's file, a
 * process there could keep it open past nook-init's end, reopen it for
 * writing wherever the caller may write it (nook installed in a home),
 * and replace the nook-init of every later sandbox.  While a sandbox's
 * own PID 1 runs nook-init's file, the kernel refuses that (ETXTBSY).
 * Landlock needs no rule for the copy: it leaves internal filesystems'
 * files alone (and takes no rule on them).
 *
 * Return: a memfd (close-on-exec, sealed against any write), or -1.
 */
int nook_init_sealed (int init_fd, struct nook_error *err);

#endif
