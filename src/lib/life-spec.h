/* nook: the lifecycle part of the data model (-d, --rm, --log-size,
 * --pid container:ID, ...).
 *
 * Kept apart from state.h so spec.h can include it without the state
 * directory's functions: only basic types and error.h here.
 */
#ifndef NOOK_LIFE_SPEC_H
#define NOOK_LIFE_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Namespaces a sandbox can join (`--pid container:ID`, ...).  */
enum nook_join_kind
{
  NOOK_JOIN_PID,
  NOOK_JOIN_NET,
  NOOK_JOIN_IPC,
  NOOK_JOIN_UTS,
  NOOK_JOIN_N,
};

/* Namespaces a sandbox can only be put in by path (an OCI config's): the
   user namespace it is created in (no id map is written then), the mount
   namespace its root is set up in, the cgroup namespace.  */
enum nook_ns_path_kind
{
  NOOK_NSPATH_USER,
  NOOK_NSPATH_MOUNT,
  NOOK_NSPATH_CGROUP,
  NOOK_NSPATH_N,
};

/* The lifecycle part of struct nook_spec: what `nook run` records and how
   the sandbox is supervised.  */
struct nook_life_spec
{
  char **run_args;              /* the options of `nook run` as given: a record, never read back */
  bool detach;                  /* -d: supervise in the background */
  int remove;                   /* --rm: 1, --rm=false: 0, default -1 (foreground yes, detached no) */
  uint64_t log_size;            /* the cap of a detached sandbox's log (each of two files) */
  char *join[NOOK_JOIN_N];      /* ID or NAME of the sandbox whose namespace to join */
  char *join_path[NOOK_JOIN_N]; /* a namespace file to join (an OCI config's namespace path) */
  char *ns_path[NOOK_NSPATH_N]; /* the same for user, mount and cgroup */
  uint64_t timeout_ms; /* --timeout: the sandbox is killed once its command ran this long; 0: never */

  /* Runs that are not sandboxes of nook's own (bubblewrap's command line):
     not registered in the state directory, so not seen by nook ps.  */
  bool unlisted;
  /* Another state directory no sandbox may reach, as nook's own may not
     (nook-oci's --root; borrowed, never recorded).  */
  const char *guarded_dir;
  /* The command is the sandbox's first process, without nook-init: PID 1
     of its own PID namespace (bubblewrap's --as-pid-1), or a plain child
     in the caller's.  */
  bool direct_exec;
  /* Namespaces given as fds (-1: none): a user namespace to create the
     sandbox in, one to switch to once the sandbox is set up (a child of
     the first), a PID namespace to create it in (no new one below it).  */
  int userns_fd, userns2_fd, pidns_fd;
  /* Reports as bubblewrap writes them (-1: none): info_fd gets one JSON
     object (child-pid, the namespaces' ids) once the sandbox is set up;
     json_status_fd gets it as a line, then {"exit-code": N} at the end.  */
  int info_fd, json_status_fd;
  /* The sandbox waits for a byte (or EOF) on block_fd before it execs the
     command, on userns_block_fd right after its user namespace exists.  */
  int block_fd, userns_block_fd;
  int sync_fd;       /* kept open in the sandbox (its end tells the caller it is gone) */
  char **lock_files; /* paths inside, opened and read-locked (fcntl) before the command runs */
};

/* nook's exit status when --timeout killed the sandbox, as timeout(1)'s.  */
#define NOOK_EXIT_TIMEOUT 124

#define NOOK_LOG_SIZE_DEFAULT (1024 * 1024)

/**
 * nook_life_spec_free - release a lifecycle spec (defined in state.c)
 * @life: its strings are freed
 */
void nook_life_spec_free (struct nook_life_spec *life);

#endif
