/* nook: Landlock, a second wall behind the mount namespace.
 *
 * The mount namespace decides what a sandbox sees and which mounts are
 * read-only.  Landlock (kernel 5.13 and later) restricts the process
 * itself, whatever it reaches: files are read and executed only beneath
 * the sandbox's root, written only beneath its read-write mounts, so a
 * host directory reached through an inherited fd is neither read nor
 * written, and no mount can be made or changed (a restricted process
 * cannot mount).  Abstract unix sockets outside the sandbox (the host's,
 * with --net host) cannot be connected to where the kernel can scope them
 * (ABI 6).
 *
 * What is writable comes from the root plan (root-plan.h): the root
 * itself when it is writable, and every operation that leaves a
 * read-write mount (a bind or file without ro, a tmpfs, /dev, a proc,
 * mqueue, layers, an overlay with an upper).  nook records that list in
 * the sandbox's state, so `nook exec` applies the very rules `nook run`
 * did, and neither reads a mount table.
 */
#ifndef NOOK_LANDLOCK_H
#define NOOK_LANDLOCK_H

#include <stdbool.h>

#include <json-c/json.h>

#include "error.h"

struct nook_spec;
struct nook_root_plan;

/**
 * nook_landlock_abi - the kernel's Landlock ABI version
 *
 * Returns: 1 or more, or 0 when the kernel has no Landlock (or it is
 * disabled at boot).
 */
int nook_landlock_abi (void);

/**
 * nook_landlock_wanted - whether SPEC's sandbox is restricted
 * @spec: --landlock; auto leaves it off where the sandbox may mount
 *        (--allow-nested, CAP_SYS_ADMIN) and where the kernel lacks it
 * @err: set when --landlock=on cannot be honoured
 *
 * Returns: 1 (restrict), 0 (do not), -1 with @err.
 */
int nook_landlock_wanted (const struct nook_spec *spec, struct nook_error *err);

/**
 * nook_landlock_writable - where SPEC's command may write, from its plan
 * @spec: the run (its root, its PID namespace)
 * @plan: the root plan, complete: with what the network and the desktop
 *        added
 *
 * No system call: "/" when the root itself is writable, and the
 * destination of every operation that leaves a read-write mount, each
 * without `.`, `..` or repeated slashes, sorted, each once.
 *
 * Returns: a NULL-terminated vector the caller frees (strv_free).
 */
char **nook_landlock_writable (const struct nook_spec *spec, const struct nook_root_plan *plan);

/**
 * nook_landlock_add_submounts - add the read-write mounts beneath read-only bind sources
 * @plan: the root plan, as for nook_landlock_writable
 * @writable: from nook_landlock_writable; may be reallocated
 *
 * A read-write bind whose source lies on a read-only mount stays
 * read-only in the sandbox, and the mounts beneath its source come along
 * with it: each of those that is read-write gets its place in the
 * sandbox (the bind's destination and the rest of its path).  Costs a
 * statvfs() per read-write bind, and a read of the caller's mount table
 * only when one of them is on a read-only mount.  Cannot fail: a source
 * that cannot be looked at adds nothing.
 */
void nook_landlock_add_submounts (const struct nook_root_plan *plan, char ***writable);

/**
 * nook_landlock_writable_json - the list as the state records it
 * @writable: from nook_landlock_writable
 *
 * Returns: a new JSON array of strings.
 */
json_object *nook_landlock_writable_json (char *const *writable);

/**
 * nook_landlock_writable_from_json - the list read back from a state
 * @a: the state's array, or NULL when it has none
 * @writable: gets a NULL-terminated vector the caller frees (strv_free)
 * @err: set when @a is missing, too long or holds anything but absolute
 *       paths without empty, `.` or `..` components
 *
 * Returns: 0, or -1 with @err set and *@writable NULL.
 */
int nook_landlock_writable_from_json (json_object *a, char ***writable, struct nook_error *err);

/**
 * nook_landlock_apply - restrict the calling process
 * @writable: where writes are allowed (nook_landlock_writable), as paths
 *            of the sandbox: each gets a rule when it leads to the root of
 *            a read-write mount there
 * @exec_fd: a file outside the root that may still be executed (nook-init,
 *           whose exec follows), or -1
 * @err: the reason it failed
 *
 * Called in the sandbox after its root is final and before the
 * capabilities are dropped, when nook_landlock_wanted said so.  Returns: 0, or -1 with @err.
 */
int nook_landlock_apply (char *const *writable, int exec_fd, struct nook_error *err);

#endif
