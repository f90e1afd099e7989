/* nook: acting on a sandbox found in the state: signalling it, listing its
 * processes, removing it.
 *
 * `nook kill`, `top` and `rm` call these, as a later OCI runtime's `kill`,
 * `state` and `delete` will.  Each acts through a pidfd of the sandbox's
 * init checked against its recorded start time (a recycled pid is never
 * touched), and only on a sandbox whose state is authentic: a forged one
 * can only be removed, once its supervisor is gone.
 */
#ifndef NOOK_SANDBOX_H
#define NOOK_SANDBOX_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "state.h"

/**
 * nook_sandbox_kill - send a signal to a sandbox's init
 * @sb: a running sandbox (nook_sandbox_find)
 * @sig: the signal; nook-init passes the ones it forwards on to the
 *       command, SIGKILL ends the sandbox; SIGSTOP and SIGCONT go to
 *       every process of the sandbox (nook_sandbox_processes)
 * @err: set when it is not running or the signal cannot be sent
 *
 * Return: 0, or -1 with @err set.
 */
int nook_sandbox_kill (const struct nook_sandbox *sb, int sig, struct nook_error *err);

/**
 * nook_sandbox_signal_stop - stop or resume every process of a sandbox
 * @sb: a running sandbox
 * @stop: true to stop (SIGSTOP to each process, again until all are
 *        stopped and no new one appeared), false to resume (SIGCONT)
 * @err: set when it is not running
 *
 * What `nook pause` does where no cgroup freezer is at hand (pause.h).
 *
 * Return: 0, or -1 with @err set.
 */
int nook_sandbox_signal_stop (const struct nook_sandbox *sb, bool stop, struct nook_error *err);

/**
 * nook_sandbox_paused - what `nook ps` shows as `paused`
 * @sb: a sandbox
 *
 * Only `nook pause` pauses: a sandbox whose processes `nook kill -s STOP`
 * stopped still runs, as podman's state says of a container its kill
 * stopped.
 *
 * Return: true when it runs and `nook pause` recorded it paused.
 */
bool nook_sandbox_paused (const struct nook_sandbox *sb);

/**
 * nook_sandbox_processes - the host pids of a sandbox's processes
 * @sb: a running sandbox
 * @pids: its init and every descendant, then (with a PID namespace of its
 *        own) what else lives in that namespace, such as `nook exec`'s
 *        commands; free it
 * @n: how many
 * @err: set when it is not running
 *
 * The init's pidfd is held while the tree is read, so the pids are this
 * sandbox's.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_sandbox_processes (const struct nook_sandbox *sb, pid_t **pids, size_t *n, struct nook_error *err);

/**
 * nook_sandbox_rm - remove a sandbox's state, name and log
 * @store: the open store
 * @sb: from nook_sandbox_find_any (a forged state is removed too, never
 *      obeyed); released by the caller
 * @force: kill a running sandbox first (SIGKILL), and wait for its
 *         supervisor to record the end
 * @err: set when it runs (without @force), is still starting, or is
 *       forged while its supervisor runs
 *
 * Return: 0, or -1 with @err set.
 */
int nook_sandbox_rm (struct nook_store *store, struct nook_sandbox *sb, bool force, struct nook_error *err);

/**
 * nook_sandbox_wait_gone - wait for a killed sandbox's supervisor to finish
 * @store: the open store
 * @id: the sandbox's id
 *
 * Waits until the supervisor of sandbox @id (killed by the caller) is done
 * with its entry: it holds the entry's lock until then, and with --rm it
 * removes the entry itself.  Ids are never reused.
 *
 * Return: whether the entry is gone.
 */
bool nook_sandbox_wait_gone (struct nook_store *store, const char *id);

/**
 * nook_sandbox_logs - write a detached sandbox's log, as `nook logs` shows it
 * @sb: the sandbox, from nook_sandbox_find; only read
 * @out: where to write (not closed)
 * @follow: go on writing what is added until the supervisor has finished
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set when the sandbox keeps no log or a read
 * or write failed.
 */
int nook_sandbox_logs (const struct nook_sandbox *sb, int out, bool follow, struct nook_error *err);

#endif
