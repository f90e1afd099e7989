/* nook: composing the sandbox's root.  */
#ifndef NOOK_MOUNT_H
#define NOOK_MOUNT_H

#include <stdbool.h>

#include "error.h"
#include "root-plan.h"
#include "spec.h"

/**
 * nook_root_plan_build - the root plan of a run, checked, in nook
 * @spec: the run
 * @caller: who runs it (the cwd rule reads its cwd, home and uid)
 * @plan: filled (nook_root_plan_compose); free with nook_root_plan_free,
 *        on failure too
 * @err: set on failure
 *
 * Reads the host's facts, composes the plan and checks what can be
 * checked before any process exists (a --rootfs that is not a directory,
 * a bind source that does not exist, a --file fd that is not open, a
 * layer or upper that cannot be used), so such errors leave nothing
 * behind.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_root_plan_build (const struct nook_spec *spec, const struct nook_caller *caller,
                          struct nook_root_plan *plan, struct nook_error *err);

/**
 * nook_root_plan_free - release a plan
 * @plan: the plan; its opened sources are closed, and it is zeroed
 */
void nook_root_plan_free (struct nook_root_plan *plan);

/**
 * nook_root_setup - compose the root and enter it, in the sandbox
 * @spec: the run
 * @plan: the plan built in nook; its bind sources and overlays are opened
 *        here and kept in @plan
 * @err: set on failure
 *
 * Runs with CAP_SYS_ADMIN in the sandbox's new user and mount namespace:
 * makes / private, opens every bind source and overlay while the host's
 * paths are visible, composes the root on a staging mount, pivots into
 * it, detaches the host's root and enters the working directory.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_root_setup (const struct nook_spec *spec, struct nook_root_plan *plan, struct nook_error *err);

#endif
