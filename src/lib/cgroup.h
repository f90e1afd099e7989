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
};

/* Which limits were given (bits of struct nook_limits.set).  */
enum
{
  NOOK_LIM_MEMORY = 1 << 0,
  NOOK_LIM_MEMORY_SWAP = 1 << 1,
  NOOK_LIM_MEMORY_HIGH = 1 << 2,
  NOOK_LIM_CPUS = 1 << 3,
  NOOK_LIM_CPU_WEIGHT = 1 << 4,
  NOOK_LIM_PIDS = 1 << 5,
  NOOK_LIM_IO_WEIGHT = 1 << 6,
  NOOK_LIM_IO_RBPS = 1 << 7,
  NOOK_LIM_IO_WBPS = 1 << 8,
  NOOK_LIM_CPUSET = 1 << 9,
};

/* One device's io.max line.  */
struct nook_io_max
{
  unsigned major, minor;
  uint64_t rbps, wbps; /* 0: no limit */
};

/* The resource limits of a sandbox (struct nook_spec.limits).  */
struct nook_limits
{
  unsigned set; /* NOOK_LIM_* given */
  uint64_t memory_max, memory_swap_max, memory_high;
  uint64_t cpu_quota_us; /* per NOOK_CPU_PERIOD_US */
  uint64_t cpu_weight, pids_max, io_weight;
  struct nook_io_max *io_max;
  size_t n_io_max;
  char *cpuset_cpus;
};

#define NOOK_CPU_PERIOD_US 100000

void nook_limits_free (struct nook_limits *limits);

/* Adds rbps (WRITE false) or wbps (WRITE true) for the block device PATH.  */
int nook_limits_add_io_max (struct nook_limits *limits, const char *path, uint64_t rate, bool write,
                            struct nook_error *err);

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
void nook_cgroup_info_free (struct nook_cgroup_info *info);
const char *nook_cgroup_mode_name (enum nook_cgroup_mode mode);
/* "cpu memory pids" for MASK (a static buffer).  */
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

/* The controllers SPEC's limits need; 0 when no limit was given.  */
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
 * @status: the command's exit status
 *
 * When memory.events counts an OOM kill, prints one line saying so and
 * returns 137 for a failed command; otherwise returns STATUS.
 */
int nook_cgroup_exit_status (const struct nook_cgroup *cg, const struct nook_spec *spec, int status);

/* Kills whatever is left in the sandbox's cgroup and removes it.  */
void nook_cgroup_destroy (struct nook_cgroup *cg);

/* ---- statistics ---------------------------------------------------------------- */

#define NOOK_CG_UNSET UINT64_MAX /* a value the kernel does not report, or "max" */

struct nook_cgroup_stats
{
  char *name;
  char *dir;
  uint64_t cpu_usage_us;
  uint64_t memory_current, memory_peak, memory_max;
  uint64_t pids_current, pids_max;
  uint64_t io_read_bytes, io_write_bytes;
  uint64_t oom_kills;
};

/**
 * nook_cgroup_list - the sandboxes that have a cgroup
 * @names: filled with a NULL-terminated list of names (free with strv_free)
 * @err: set on failure
 *
 * Lists C/nook of the caller's delegated cgroup, after removing cgroups left
 * by a nook that was killed.  An empty list when there is none.
 */
int nook_cgroup_list (char ***names, struct nook_error *err);

/**
 * nook_cgroup_find_sandbox - the cgroup directory of a sandbox
 * @name: the sandbox's name (or id)
 * @err: set when no running sandbox has that name
 *
 * The one place that maps a sandbox to its cgroup.  Returns a newly
 * allocated absolute path, or NULL.
 */
char *nook_cgroup_find_sandbox (const char *name, struct nook_error *err);

/* Reads the statistics of the sandbox cgroup DIR.  */
int nook_cgroup_stats_read (const char *dir, struct nook_cgroup_stats *stats, struct nook_error *err);
void nook_cgroup_stats_free (struct nook_cgroup_stats *stats);

#endif
