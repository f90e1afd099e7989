/* nook: resource limits in a delegated cgroup v2 subtree.
 *
 * Rootless users can only limit what runs in a cgroup v2 subtree delegated
 * to them (owned by them, with controllers enabled by its parent).  nook
 * keeps its sandboxes under the caller's cgroup C:
 *
 *   C/                       the caller's delegated cgroup
 *   C/nook-caller/           the processes that were in C, moved there once
 *                            because a cgroup with processes cannot enable
 *                            controllers for its children
 *   C/nook/NAME/             one sandbox: its limits, locked by its nook
 *   C/nook/NAME/sandbox/     the sandbox's processes and cgroup namespace root
 *
 * The limits sit one level above the sandbox's cgroup namespace root, where
 * the sandbox cannot see them, so it cannot raise them even when cgroup2 is
 * mounted without nsdelegate.  No limit given: no cgroup work at all.
 */
#ifndef NOOK_CGROUP_H
#define NOOK_CGROUP_H

#include <stdbool.h>
#include <stdint.h>

#include "cgroup-spec.h"
#include "error.h"

struct nook_spec;

/* Controllers nook may need, as bits.  */
enum
{
  NOOK_CG_CPU = 1 << 0,
  NOOK_CG_MEMORY = 1 << 1,
  NOOK_CG_PIDS = 1 << 2,
  NOOK_CG_IO = 1 << 3,
  NOOK_CG_CPUSET = 1 << 4,
  NOOK_CG_HUGETLB = 1 << 5,
};

/* ---- what this host offers ------------------------------------------------ */

enum nook_cgroup_mode
{
  NOOK_CGROUP_NONE = 0, /* no cgroup filesystem mounted */
  NOOK_CGROUP_V1,       /* only cgroup v1 */
  NOOK_CGROUP_HYBRID,   /* v1 controllers, a v2 tree without them (/sys/fs/cgroup/unified) */
  NOOK_CGROUP_V2,       /* unified: everything in cgroup v2 */
};

struct nook_cgroup_info
{
  enum nook_cgroup_mode mode;
  char *mount;        /* the cgroup2 mount point, or NULL */
  char *path;         /* the caller's cgroup, relative to MOUNT ("/user.slice/…") */
  bool delegated;     /* owned by the caller, cgroup.procs and cgroup.subtree_control writable */
  unsigned available; /* NOOK_CG_* in its cgroup.controllers */
  bool systemd_user;  /* a systemd user manager answers on the user bus: not delegated is not final */
};

/**
 * nook_cgroup_probe - what cgroups offer the calling process
 * @info: filled; release with nook_cgroup_info_free()
 * @err: set on failure
 *
 * Reads the mount table's cgroup filesystems and /proc/self/cgroup.  Changes
 * nothing.  For `nook check` and for the error messages of limits.
 * Returns 0, or -1 when /proc/self/cgroup cannot be read.
 */
int nook_cgroup_probe (struct nook_cgroup_info *info, struct nook_error *err);

/**
 * nook_cgroup_info_free - frees the strings of INFO
 * @info: as filled by nook_cgroup_probe(); zeroed afterwards
 */
void nook_cgroup_info_free (struct nook_cgroup_info *info);

/**
 * nook_cgroup_controller_names - "cpu memory pids" for MASK
 * @mask: NOOK_CG_* bits
 *
 * Returns a static buffer, overwritten by the next call.
 */
const char *nook_cgroup_controller_names (unsigned mask);

/* ---- a sandbox's cgroup ----------------------------------------------------- */

struct nook_cgroup
{
  char *dir;     /* absolute path of C/nook/NAME, or NULL */
  char *name;    /* NAME */
  int lock_fd;   /* C/nook/NAME, flock'ed while the sandbox lives */
  int leaf_fd;   /* C/nook/NAME/sandbox, for CLONE_INTO_CGROUP */
  unsigned need; /* NOOK_CG_* the limits need */
};

#define NOOK_CGROUP_INIT                                                                                     \
  {                                                                                                          \
    NULL, NULL, -1, -1, 0                                                                                    \
  }

/**
 * nook_limits_controllers - the controllers LIMITS need
 * @limits: the spec's limits
 *
 * Returns NOOK_CG_* bits; 0 when no limit was given.  Pure.
 */
unsigned nook_limits_controllers (const struct nook_limits *limits);

/**
 * nook_cgroup_create - the cgroup a limited sandbox starts in
 * @spec: the sandbox; its limits are written
 * @cg: filled; cg->leaf_fd is for clone3's CLONE_INTO_CGROUP
 * @err: set on failure; nothing is left behind then
 *
 * Finds the caller's delegated cgroup v2, checks that every controller the
 * limits need is delegated (a limit that cannot be enforced is an error),
 * cleans cgroups left by a nook that was killed, enables the controllers,
 * creates C/nook/NAME with the limits and C/nook/NAME/sandbox.
 */
int nook_cgroup_create (const struct nook_spec *spec, struct nook_cgroup *cg, struct nook_error *err);

/**
 * nook_cgroup_exit_status - reports an OOM kill after the sandbox exited
 * @cg: the sandbox's cgroup
 * @spec: the sandbox's spec, for the --memory value in the message
 * @status: the command's exit status
 *
 * When memory.events counts an OOM kill, prints one line saying so and
 * returns 137 for a failed command; otherwise returns STATUS.
 */
int nook_cgroup_exit_status (const struct nook_cgroup *cg, const struct nook_spec *spec, int status);

/**
 * nook_cgroup_destroy - kills whatever is left in the sandbox's cgroup and removes it
 * @cg: the sandbox's cgroup; released (and reset) even when the removal fails,
 *      which is logged as a warning
 */
void nook_cgroup_destroy (struct nook_cgroup *cg);

/* ---- shared with cgroup-stats.c and cgroup-path.c ---------------------------- */

/**
 * nook_cgroup_write_limits - writes LIMITS into a cgroup's files
 * @dirfd: the cgroup's directory fd
 * @limits: every limit in limits->set is written, in a fixed order
 * @err: set when the kernel refuses one; names the option or the file
 *
 * Return: 0, or -1 with @err set.
 */
int nook_cgroup_write_limits (int dirfd, const struct nook_limits *limits, struct nook_error *err);

/**
 * nook_cgroup_move_caller - moves every process of BASE into BASE/nook-caller
 * @base: a delegated cgroup's directory fd
 * @err: set when a process cannot be moved
 *
 * A cgroup with processes cannot enable controllers for its children (the
 * kernel's no-internal-processes rule).
 *
 * Return: 0, or -1 with @err set.
 */
int nook_cgroup_move_caller (int base, struct nook_error *err);

/**
 * nook_cgroup_enable - enables controllers for a cgroup's children
 * @dirfd: the cgroup's directory fd
 * @need: NOOK_CG_* bits; only those not enabled yet are written
 * @err: set when cgroup.subtree_control refuses them
 *
 * Return: 0, or -1 with @err set.
 */
int nook_cgroup_enable (int dirfd, unsigned need, struct nook_error *err);

/* The cgroup under the caller's that holds one cgroup per sandbox.  */
#define NOOK_CGROUP_SANDBOXES "nook"

#define NOOK_CG_UNSET UINT64_MAX /* a value the kernel does not report, or "max" */

/**
 * nook_cgroup_clean_stale - removes the sandbox cgroups of nooks that died
 * @sandboxes_fd: a directory fd of a C/nook
 *
 * A live nook holds a lock on its sandbox's cgroup; any cgroup under
 * SANDBOXES_FD whose lock can be taken belonged to a nook that was killed:
 * its processes are killed and the cgroup removed.  Failures are logged
 * and skipped.
 */
void nook_cgroup_clean_stale (int sandboxes_fd);

/**
 * nook_cgroup_read_key - one "KEY VALUE" line of a flat-keyed cgroup file
 * @dirfd: the cgroup's directory fd
 * @file: e.g. "memory.events"
 * @key: e.g. "oom_kill"
 *
 * Returns the value, or NOOK_CG_UNSET when the file or the key is missing.
 */
uint64_t nook_cgroup_read_key (int dirfd, const char *file, const char *key);

#endif
