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
 * What is writable is read from the sandbox's own mount table once its
 * root is final, so `nook run` and `nook exec` derive the same rules from
 * the same mounts.
 */
#ifndef NOOK_LANDLOCK_H
#define NOOK_LANDLOCK_H

#include <stdbool.h>

#include "error.h"

struct nook_spec;

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
 * nook_landlock_apply - restrict the calling process
 * @exec_fd: a file outside the root that may still be executed (nook-init,
 *           whose exec follows), or -1
 * @err: the reason it failed
 *
 * Called in the sandbox after its root is final and before the
 * capabilities are dropped, when nook_landlock_wanted said so.  Returns: 0, or -1 with @err.
 */
int nook_landlock_apply (int exec_fd, struct nook_error *err);

#endif
