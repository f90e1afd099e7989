/* nook: user namespace id maps.  */
#ifndef NOOK_USERNS_H
#define NOOK_USERNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

#define NOOK_AUTO_RANGE 65536 /* ids 0..65535 inside with --map-users auto */
#define NOOK_MAX_EXTENTS 4

struct nook_idmap
{
  uint32_t inside, outside, count;
};

struct nook_idmaps
{
  struct nook_idmap uid[NOOK_MAX_EXTENTS];
  size_t n_uid;
  struct nook_idmap gid[NOOK_MAX_EXTENTS];
  size_t n_gid;
};

/* Finds the first "NAME:START:COUNT" or "ID:START:COUNT" line of an
   /etc/subuid-style CONTENT for USER or ID.  Returns 0, or -1 when none.  */
int nook_subid_find (const char *content, const char *user, uint32_t id, uint32_t *start, uint32_t *count);

/* Builds the extents for one kind of id: INSIDE maps to HOST (the caller),
   and in NOOK_MAP_AUTO mode the subordinate range fills the rest of
   0..65535.  WHAT is "uid" or "gid" for messages.  */
int nook_idmap_build (enum nook_map_mode mode, const char *what, uint32_t inside, uint32_t host,
                      uint32_t sub_start, uint32_t sub_count, struct nook_idmap *out, size_t *n_out,
                      struct nook_error *err);

/* Formats extents the way uid_map takes them ("IN OUT COUNT\n"...).  */
char *nook_idmap_format (const struct nook_idmap *map, size_t n);

/**
 * nook_subid_free_range - a range of subordinate ids that no one has
 * @contents: the text of /etc/subuid, /etc/subgid... (entries NULL for a
 *            file that does not exist)
 * @n: how many
 * @min: the lowest first id (useradd's SUB_UID_MIN)
 * @count: the range's size (SUB_UID_COUNT)
 * @start: set to the lowest first id from @min on whose @count ids
 *         overlap no range in any of @contents, as useradd allocates
 *
 * Return: 0, or -1 when none fits below 2^32 - 1.
 */
int nook_subid_free_range (const char *const *contents, size_t n, uint32_t min, uint32_t count,
                           uint32_t *start);

/**
 * nook_userns_refused_by_filter - whether a seccomp filter refuses new user namespaces
 *
 * Probes clone3 and unshare(CLONE_NEWUSER) with calls the kernel rejects
 * as invalid without creating anything: only a filter answers otherwise.
 * Cheap (two system calls), so every run asks.
 *
 * Return: true inside a sandbox (or container) whose seccomp policy
 * refuses them, as nook's default does without --allow-nested.
 */
bool nook_userns_refused_by_filter (void);

/**
 * nook_userns_refused - the error for a user namespace a filter refuses
 * @err: set to "creating a user namespace is refused by the sandbox's
 *       seccomp policy" with the --allow-nested hint
 *
 * Return: -1.
 */
int nook_userns_refused (struct nook_error *err);

/* Computes the maps for SPEC run by CALLER (reads /etc/subuid and
   /etc/subgid in auto mode).  */
int nook_idmaps_for_spec (const struct nook_spec *spec, const struct nook_caller *caller,
                          struct nook_idmaps *maps, struct nook_error *err);

/* Writes MAPS for the user namespace of PID: directly for a single id,
   through newuidmap/newgidmap for ranges.  Called by the parent while the
   child waits.  */
int nook_idmaps_write (pid_t pid, const struct nook_spec *spec, const struct nook_idmaps *maps,
                       struct nook_error *err);

/**
 * nook_userns_run_mapped - run a function in a user namespace mapped as --map-users auto maps
 * @fn: runs in a forked helper, as uid 0 of a new user namespace that maps
 *      the caller to 0 and its subordinate ids above (newuidmap and
 *      newgidmap), with every capability there, so that it reads and
 *      writes files owned by any of those ids (an upper written with
 *      --map-users auto); it writes its answer to @outfd and returns 0 or -1
 * @arg: for @fn
 * @out: set to what @fn wrote (free it): data from a process that read
 *       what a sandbox wrote, to be validated by the caller
 * @len: its length
 * @err: set when the helper cannot be started or its answer is too large
 *
 * Return: 0, or -1 with @err set.
 */
int nook_userns_run_mapped (int (*fn) (int outfd, void *arg), void *arg, char **out, size_t *len,
                            struct nook_error *err);

#endif
