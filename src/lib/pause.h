/* nook: `nook pause` and `nook unpause`.
 *
 * A sandbox that has a cgroup of nook's (one started with limits, in a
 * delegated cgroup or a systemd scope) is frozen through cgroup v2's
 * freezer: `cgroup.freeze` of that cgroup, which holds every process of
 * the sandbox and every one `nook exec` started there, and the kernel
 * says when all are frozen (`frozen 1` in cgroup.events).  A frozen
 * process is not stopped: no SIGSTOP reaches it, and its parent sees no
 * change.  Elsewhere every process gets SIGSTOP (sandbox.c).
 *
 * The state records `paused` (state.c), so `nook ps` and `nook inspect`
 * show it whichever way the sandbox was paused: a frozen process looks
 * like a sleeping one in /proc.
 */
#ifndef NOOK_PAUSE_H
#define NOOK_PAUSE_H

#include <stdbool.h>

#include "error.h"
#include "state.h"

/**
 * nook_sandbox_pause - freeze or thaw every process of a sandbox
 * @store: the open store (its lock serialises the state's update)
 * @sb: a running sandbox; its document is the updated one afterwards
 * @pause: true to freeze, false to thaw
 * @err: set when it is not running, or the freezer failed
 *
 * Return: 0, or -1 with @err set.
 */
int nook_sandbox_pause (struct nook_store *store, struct nook_sandbox *sb, bool pause,
                        struct nook_error *err);

/**
 * nook_sandbox_signal - send a signal to a sandbox as `nook kill` does
 * @store: the open store
 * @sb: a running sandbox
 * @sig: the signal (nook_sandbox_kill)
 * @err: set when it is not running, or the signal cannot be sent
 *
 * SIGCONT to a sandbox `nook pause` paused resumes it as `nook unpause`
 * does (thawed, every process continued, the record cleared): the state
 * never says paused of a sandbox that runs.  SIGSTOP records nothing,
 * as podman's kill leaves its container running.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_sandbox_signal (struct nook_store *store, struct nook_sandbox *sb, int sig, struct nook_error *err);

#endif
