/* nook: user namespace id maps.  */
#ifndef NOOK_USERNS_H
#define NOOK_USERNS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

#define NOOK_AUTO_RANGE 65536 /* ids 0..65535 inside with --map-users auto */

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

/**
 * nook_subid_find - find a user's subordinate range
 * @content: the text of /etc/subuid or /etc/subgid; only read
 * @user: the user's name, or NULL to match by @id only
 * @id: the user's numeric id
 * @start: gets the first id of the range
 * @count: gets how many ids it holds
 *
 * Takes the first "NAME:START:COUNT" or "ID:START:COUNT" line that names
 * @user or @id; malformed lines are passed over.
 *
 * Return: 0, or -1 when no line matches.
 */
int nook_subid_find (const char *content, const char *user, uint32_t id, uint32_t *start, uint32_t *count);

/**
 * nook_idmap_build - build the extents of one id map
 * @mode: NOOK_MAP_SELF (one id) or NOOK_MAP_AUTO (the subordinate range too)
 * @what: "uid" or "gid", for messages
 * @inside: the id the caller has inside
 * @host: the caller's id outside
 * @sub_start: the first id of the caller's subordinate range (auto mode)
 * @sub_count: how many ids it holds (auto mode)
 * @out: the caller's array of NOOK_MAX_EXTENTS extents; filled
 * @n_out: gets how many extents were filled
 * @err: set on failure
 *
 * @inside maps to @host; in auto mode the subordinate range fills the rest
 * of 0..65535.
 *
 * Return: 0, or -1 with @err set when @inside is not a valid id or lies
 * outside the mapped range.
 */
int nook_idmap_build (enum nook_map_mode mode, const char *what, uint32_t inside, uint32_t host,
                      uint32_t sub_start, uint32_t sub_count, struct nook_idmap *out, size_t *n_out,
                      struct nook_error *err);

/**
 * nook_idmap_format - format extents the way uid_map takes them
 * @map: the extents; only read
 * @n: how many
 *
 * Return: "IN OUT COUNT\n" lines in a string the caller frees; never
 * fails (allocation failure aborts).
 */
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

/**
 * nook_idmaps_for_spec - compute the id maps of a sandbox
 * @spec: the sandbox's spec (its map mode, uid and gid); only read
 * @caller: who runs it; only read
 * @maps: filled with the uid and gid extents (no allocation)
 * @err: set on failure
 *
 * Reads /etc/subuid and /etc/subgid in auto mode.
 *
 * Return: 0, or -1 with @err set: user namespaces are refused, the
 * caller's subordinate range cannot be found, or an id lies outside the
 * maps.
 */
int nook_idmaps_for_spec (const struct nook_spec *spec, const struct nook_caller *caller,
                          struct nook_idmaps *maps, struct nook_error *err);

/**
 * nook_idmaps_write - write the id maps of a child's user namespace
 * @pid: the child, which waits in its new user namespace
 * @spec: the sandbox's spec; only read
 * @maps: what nook_idmaps_for_spec computed; only read
 * @err: set on failure
 *
 * Writes directly for a single id (setgroups denied first), through
 * newuidmap/newgidmap for ranges.  Called by the parent while the child
 * waits.
 *
 * Return: 0, or -1 with @err set when a write or a helper failed.
 */
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
