/* nook: what `nook stats` reads: the sandboxes that have a cgroup and the
 * counters of each (cpu.stat, memory.*, pids.*, io.stat).  Reads only:
 * setting limits is cgroup.c's.
 */
#ifndef NOOK_CGROUP_STATS_H
#define NOOK_CGROUP_STATS_H

#include <stdint.h>

#include "cgroup.h"
#include "error.h"
#include "state.h"

/* Where a sandbox's counters come from.  */
enum nook_stats_source
{
  NOOK_STATS_CGROUP, /* its own cgroup (started with limits) */
  NOOK_STATS_PROC,   /* no cgroup: summed over its processes in /proc */
};

struct nook_cgroup_stats
{
  enum nook_stats_source source;
  char *name;
  char *dir; /* the cgroup, NULL for NOOK_STATS_PROC */
  uint64_t cpu_usage_us;
  uint64_t memory_current, memory_peak, memory_max;
  uint64_t pids_current, pids_max;
  uint64_t io_read_bytes, io_write_bytes;
  uint64_t oom_kills;
};

/**
 * nook_cgroup_list - the sandboxes that have a cgroup
 * @names: filled with a NULL-terminated list of names (free with strv_free),
 *         empty when there is none; allocated even on failure
 * @err: set when the caller's cgroup cannot be found
 *
 * Lists C/nook of the caller's delegated cgroup and of nook's systemd
 * scopes, after removing cgroups left by a nook that was killed.
 * Returns 0 or -1.
 */
int nook_cgroup_list (char ***names, struct nook_error *err);

/**
 * nook_cgroup_find_sandbox - the cgroup directory of a sandbox
 * @name: the sandbox's name (or id); validated before it becomes a path
 * @err: set when NAME is no valid name or no running sandbox has it
 *
 * The one place that maps a sandbox to its cgroup.  Returns a newly
 * allocated absolute path, or NULL.
 */
char *nook_cgroup_find_sandbox (const char *name, struct nook_error *err);

/**
 * nook_cgroup_stats_read - reads the counters of one sandbox cgroup
 * @dir: the cgroup's absolute path (from nook_cgroup_find_sandbox())
 * @stats: filled; a counter the kernel does not report is NOOK_CG_UNSET;
 *         release with nook_cgroup_stats_free()
 * @err: set when DIR cannot be opened (the sandbox is gone)
 *
 * Returns 0 or -1.
 */
int nook_cgroup_stats_read (const char *dir, struct nook_cgroup_stats *stats, struct nook_error *err);

/**
 * nook_cgroup_of_sandbox - the cgroup nook made for a running sandbox
 * @sb: a running sandbox
 *
 * Found through the cgroup its init is in (/proc/PID/cgroup), so that an
 * unnamed sandbox, whose cgroup has a name of its own, is found too.
 *
 * Return: a newly allocated absolute path, or NULL when the sandbox has
 * no cgroup of nook's (it was started without limits).
 */
char *nook_cgroup_of_sandbox (const struct nook_sandbox *sb);

/**
 * nook_proc_stats_read - the counters of a sandbox without a cgroup
 * @sb: a running sandbox
 * @name: its name for @stats
 * @stats: filled from /proc, summed over the sandbox's processes: CPU time
 *         (utime + stime), memory (resident set sizes: pages shared
 *         between them count once per process) and threads; the limits,
 *         the peak and I/O are NOOK_CG_UNSET (only a cgroup has them)
 * @err: set when the sandbox is not running any more
 *
 * Return: 0, or -1 with @err set.
 */
int nook_proc_stats_read (const struct nook_sandbox *sb, const char *name, struct nook_cgroup_stats *stats,
                          struct nook_error *err);

/**
 * nook_cgroup_stats_free - frees the strings of STATS
 * @stats: zeroed afterwards
 */
void nook_cgroup_stats_free (struct nook_cgroup_stats *stats);

#endif
