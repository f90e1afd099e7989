/* nook: entering a running sandbox — the protocol every path in follows.
 *
 * These paths put a new process into namespaces where a sandbox's
 * processes already live: `nook exec` and `nook-oci exec` (exec.c), a
 * `nook run` that joins another sandbox with --pid/--net/--ipc/--uts
 * container:NAME (join.c, spawn.c) and `nook-bwrap --userns/--pidns`
 * (spawn.c, enter_given_namespaces).  `nook attach` enters nothing: it
 * talks to the supervisor through a socket in the state directory
 * (attach.h).  Helpers that join a sandbox's user namespace are outside
 * this protocol: pasta makes itself non-dumpable; slirp4netns does not,
 * so no sandbox of its user namespace may see the host's processes
 * (nook_join_check_helpers, join.h).  fuse-overlayfs lives in the
 * sandbox's PID namespace with the layers' host directories open and is
 * dumpable too: no command of its user namespace may trace it (with
 * CAP_SYS_PTRACE and without Landlock; root-plan.h).
 * Inside, an attacker may be watching /proc for new pids and ptrace(2)ing
 * or opening /proc/PID/{fd,cwd,root,environ,mem} of each one, as the same
 * kernel uid as nook.  runc's CVE-2016-9962 (its init joined the container
 * while dumpable and holding a host directory fd, so a process inside
 * could ptrace it or use /proc/PID/fd/N and climb `..` to the host's /)
 * and CVE-2019-5736 (/proc/PID/exe of the entering runtime let the
 * container rewrite the host's binary) are the precedent.  The sequence:
 *
 *   nook (outside)                         the entering child (inside)
 *   -------------------------------------  --------------------------------------
 *   1. everything read from the host
 *      first: pidfd, cwd, environment,
 *      cgroup fd, the compiled filter
 *   2. nook_enter_begin: PR_SET_DUMPABLE 0
 *      BEFORE the first setns
 *   3. setns (user first: it owns the
 *      others), fchdir to the sandbox's
 *      cwd; the pidfd and cwd fd closed
 *   4. clone3 into the PID namespace
 *      (CLONE_INTO_CGROUP: the cgroup fd ── 5. born non-dumpable (the flag is
 *      stays in nook, then is closed)         copied with the mm), so from its
 *                                             first instruction the sandbox sees
 *                                             its pid but cannot ptrace it, nor
 *                                             open its /proc/PID/fd, cwd, root,
 *                                             environ, mem, maps, ns or exe, nor
 *                                             take its fds with pidfd_getfd
 *                                          6. nook_enter_close_fds: every fd but
 *                                             0-2 and the few it must pass is
 *                                             closed for real (not close-on-exec)
 *                                          7. nook_security_apply: ids, caps,
 *                                             no_new_privs, the seccomp filter
 *                                          8. nook_supervise_check_parent
 *                                          9. execve: the only step that makes it
 *                                             dumpable again, and only as the
 *                                             command, under its filter, with
 *                                             none of nook's memory (environ,
 *                                             argv) left
 *
 * Why this order.  Non-dumpable must come before setns: the kernel keeps a
 * process dumpable through setns into a user namespace its uid owns, and
 * from that moment the sandbox's root holds capabilities over it.  The
 * flag is set on nook itself, so that the child inherits it at clone and
 * no instant exists in which it is visible and dumpable (a child that set
 * it itself would race the watcher).  The mm keeps nook's user namespace
 * until the exec, so no capability inside the sandbox overrides it.  A
 * change of ids at step 7 sets the flag to fs.suid_dumpable, which a host
 * may have set to 1: security.c clears it again at once.  The
 * fds are closed before the filter, which might refuse close_range, and
 * after the last step that needs one (fchdir happens in nook; the cgroup
 * fd is only clone3's).  The filter is loaded before exec, so a tracer
 * attached to the command afterwards cannot skip seccomp(): the kernel
 * runs the filter after every ptrace stop.  Until the exec the sandbox
 * sees the child's pid, `comm` and cmdline (nook's argv), never its fds,
 * memory or environment.
 *
 * The joining `nook run` child builds its root from host directories, so
 * it needs host fds (bind sources, nook-init's O_PATH) until its last
 * setup step: there non-dumpable is what keeps them out of reach, the fds
 * nook holds for itself (state, cgroup, log, signalfd, pidfds) are closed
 * as the child's first act, and the rest at step 6.  `nook exec` keeps
 * one host fd past step 6 as well: nook-init's O_PATH, which its step 9
 * execs as the command's holder (`nook-init --exec`, which then starts
 * the command, and kills what it started when nook exec dies, even by
 * SIGKILL).  In both paths nook-init is exec'd from a fd after the
 * filter is loaded, and the sandbox can open its /proc/PID/exe.  The
 * joining run's is nook-init's file: writing it is refused while it runs
 * (ETXTBSY), and so while the PID 1 of a nook sandbox runs it.  The exec
 * holder's is a sealed memfd copy (runc's answer to CVE-2019-5736): a
 * sandbox whose PID 1 is not nook-init (nook-oci's) could otherwise keep
 * the file open past the holder's end and rewrite it where the caller
 * may write it.
 */
#ifndef NOOK_ENTER_H
#define NOOK_ENTER_H

#include <stddef.h>

#include "error.h"

/**
 * nook_enter_begin - make the calling process non-dumpable
 * @err: set on failure
 *
 * Step 2: called in nook before its first setns into a sandbox's
 * namespaces; every child cloned afterwards inherits the flag until it
 * execs.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_enter_begin (struct nook_error *err);

/**
 * nook_enter_close_fds - close every fd but 0-2 and @keep, for real
 * @keep: the fds to keep (any order; -1 entries are ignored)
 * @n: how many
 * @err: set on failure
 *
 * Step 6.  The kept fds keep their numbers and their flags.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_enter_close_fds (const int *keep, size_t n, struct nook_error *err);

#endif
