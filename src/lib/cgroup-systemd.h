/* nook: a delegated cgroup from the systemd user manager (sd-bus).  */
#ifndef NOOK_CGROUP_SYSTEMD_H
#define NOOK_CGROUP_SYSTEMD_H

#include <stdbool.h>

#include "error.h"

/**
 * nook_systemd_available - whether a systemd user manager can be asked
 *
 * Looks for the user bus of $DBUS_SESSION_BUS_ADDRESS or
 * $XDG_RUNTIME_DIR/bus.
 *
 * Return: true when one can be asked over D-Bus; false otherwise, never
 * an error.
 */
bool nook_systemd_available (void);

/**
 * nook_systemd_enter_scope - move nook into a transient scope with Delegate=yes
 * @name: the sandbox's name: the scope is nook-NAME.scope
 * @err: set on failure
 *
 * Asks the user manager for a transient scope unit holding nook itself,
 * with Delegate=yes, as crun and podman do, and waits until the job is
 * done.  nook's cgroup is then delegated to the caller; the manager
 * removes the scope once nook has exited.
 */
int nook_systemd_enter_scope (const char *name, struct nook_error *err);

/**
 * nook_systemd_enter_unit - nook_systemd_enter_scope with the unit's name given
 * @unit: e.g. "libpod-ID.scope"
 * @slice: the slice it goes in, or NULL for the manager's default
 * @err: set on failure
 *
 * As root, asks the system manager; otherwise the user manager.
 */
int nook_systemd_enter_unit (const char *unit, const char *slice, struct nook_error *err);

#endif
