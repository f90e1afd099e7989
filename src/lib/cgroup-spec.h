/* nook: the resource-limit part of the data model (--memory, --cpus, ...).
 *
 * Kept apart from cgroup.h so spec.h can include it without the engine's
 * functions: only basic types and error.h here.
 */
#ifndef NOOK_CGROUP_SPEC_H
#define NOOK_CGROUP_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

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
  NOOK_LIM_MEMORY_LOW = 1 << 10,
  NOOK_LIM_CPUSET_MEMS = 1 << 11,
  NOOK_LIM_FILES = 1 << 12,
};

/* NOOK_LIM_FILES: one interface file of the cgroup written as given (an
   OCI config's linux.resources.unified, its hugepage limits).  */
struct nook_cg_file
{
  char *name; /* one file name: checked by nook_cg_file_name_valid */
  char *value;
};

/* One device's io.max line.  */
struct nook_io_max
{
  unsigned major, minor;
  uint64_t rbps, wbps; /* 0: no limit */
};

/* --ulimit: one setrlimit of the sandbox (no cgroup needed).  */
struct nook_rlimit
{
  int resource;        /* RLIMIT_* */
  uint64_t soft, hard; /* UINT64_MAX: unlimited */
};

#define NOOK_MAX_RLIMITS 16

/* The resource limits of a sandbox (struct nook_spec.limits).  A value
   of NOOK_LIM_MAX is written as "max" (no limit).  */
struct nook_limits
{
  unsigned set; /* NOOK_LIM_* given */
  uint64_t memory_max, memory_swap_max, memory_high, memory_low;
  uint64_t cpu_quota_us;  /* per cpu_period_us */
  uint64_t cpu_period_us; /* 0: NOOK_CPU_PERIOD_US */
  uint64_t cpu_weight, pids_max, io_weight;
  struct nook_io_max *io_max;
  size_t n_io_max;
  char *cpuset_cpus, *cpuset_mems;
  struct nook_cg_file *files;
  size_t n_files;
  struct nook_rlimit rlimits[NOOK_MAX_RLIMITS]; /* --ulimit, one per resource: not in SET */
  size_t n_rlimits;
};

#define NOOK_CPU_PERIOD_US 100000
#define NOOK_LIM_MAX UINT64_MAX

/**
 * nook_cg_file_name_valid - whether NAME may name a cgroup interface file
 * @name: e.g. "memory.high"
 *
 * One file name of the form CONTROLLER.KEY: not empty, no `/`, no `..`,
 * none of the files that move processes or change the tree (cgroup.procs,
 * cgroup.threads, cgroup.subtree_control, cgroup.type, cgroup.kill).
 * Whether the kernel has it is known only when it is written.
 */
bool nook_cg_file_name_valid (const char *name);

/**
 * nook_limits_add_file - NOOK_LIM_FILES: write VALUE to NAME
 * @limits: gets the file; a second value for NAME replaces the first
 * @name: valid by nook_cg_file_name_valid
 * @value: written as given
 */
void nook_limits_add_file (struct nook_limits *limits, const char *name, const char *value);

/**
 * nook_limits_free - frees what LIMITS owns (the io.max lines, the cpuset)
 * @limits: zeroed afterwards
 */
void nook_limits_free (struct nook_limits *limits);

/**
 * nook_limits_add_io_max - adds a read or write rate for a block device
 * @limits: gets the device's io.max line (one per device, shared by both rates)
 * @path: the block device, e.g. /dev/sda
 * @rate: bytes per second
 * @write: false: rbps (--device-read-bps); true: wbps (--device-write-bps)
 * @err: set when PATH cannot be stat'ed or is no block device
 *
 * Returns 0 or -1.
 */
int nook_limits_add_io_max (struct nook_limits *limits, const char *path, uint64_t rate, bool write,
                            struct nook_error *err);

#endif
