/* nook: putting a new sandbox into another sandbox's namespaces
   (`--pid container:ID`, `--net container:ID`, ...).  */
#ifndef NOOK_JOIN_H
#define NOOK_JOIN_H

#include "error.h"
#include "spec.h"
#include "state.h"

struct nook_join
{
  bool active;                           /* some namespace is joined */
  int pidfd[NOOK_JOIN_N];                /* the PID 1 of each target, or -1 */
  char id[NOOK_JOIN_N][NOOK_ID_LEN + 1]; /* and its id */
  const char *ids[NOOK_JOIN_N];          /* id[k] or NULL, as nook_state_running takes them */
  pid_t target;                          /* a target's PID 1, 0 when none is joined */
  int nsfd[NOOK_JOIN_N];                 /* a namespace joined by its path, or -1 */
  int path_fd[NOOK_NSPATH_N];            /* the user, mount, cgroup namespace given by path, or -1 */
};

/**
 * nook_join_init - an empty join: nothing joined, no pidfd
 * @join: initialised; release with nook_join_release
 */
void nook_join_init (struct nook_join *join);

/**
 * nook_join_release - close a join's pidfds
 * @join: its pidfds are closed; it can be released twice
 */
void nook_join_release (struct nook_join *join);

/**
 * nook_join_ns_bit - the NOOK_NS_* bit of a kind of namespace
 * @kind: the kind
 *
 * Return: the bit; never fails.
 */
unsigned nook_join_ns_bit (enum nook_join_kind kind);

/**
 * nook_join_ns_bits - the namespaces a join takes from other sandboxes
 * @join: only read
 *
 * Return: their NOOK_NS_* bits, 0 when nothing is joined.
 */
unsigned nook_join_ns_bits (const struct nook_join *join);

/**
 * nook_join_resolve - find the sandboxes a spec joins
 * @spec: only read
 * @join: filled with a pidfd (which it owns) and the id of each target's
 *        PID 1; release with nook_join_release, on failure too
 * @err: set on failure
 *
 * Runs before any process exists.
 *
 * Return: 0, or -1 with @err set when a target is unknown, not running,
 * or the targets do not share one user namespace.
 */
int nook_join_resolve (const struct nook_spec *spec, struct nook_join *join, struct nook_error *err);

/**
 * nook_join_enter - move the calling process into the targets' namespaces
 * @join: what nook_join_resolve filled; only read
 * @err: set on failure
 *
 * Enters the targets' user namespace with the namespaces joined (setns on
 * their pidfds), so that clone3 creates the sandbox there.  Namespaces
 * given by path: the user namespace first (it owns the others and gives
 * the capabilities to enter them), then the others but the mount
 * namespace, which the sandbox enters itself (nook_join_enter_mount).
 *
 * Return: 0, or -1 with @err set when setns failed.
 */
int nook_join_enter (const struct nook_join *join, struct nook_error *err);

/**
 * nook_join_enter_mount - enter the mount namespace given by path, in the sandbox
 * @fd: its fd (struct nook_join.path_fd[NOOK_NSPATH_MOUNT]); closed
 * @err: set on failure
 *
 * Called by the sandbox before it sets up its root there, as runc does:
 * the root is composed and pivoted into in that namespace.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_join_enter_mount (int fd, struct nook_error *err);

/**
 * nook_join_check_helpers - refuse a host PID view beside slirp4netns
 * @spec: only read
 * @join: what nook_join_resolve filled; only read
 * @net: the network mode, resolved (--net auto is a backend by now)
 * @err: set on failure
 *
 * slirp4netns joins its sandbox's user namespace and stays dumpable: a
 * process of that user namespace that sees it (--pid host) may ptrace
 * it, and use through it the host's network namespace, where it lives
 * (the host's loopback, its abstract sockets).  pasta makes itself
 * non-dumpable.  Refused when the new sandbox, or a running one in the
 * user namespace it joins, sees the host's processes while it, or one of
 * those, has slirp4netns.  Likewise fuse-overlayfs, which holds host
 * directories (root-plan.h, nook_root_plan_check_tracers), beside a
 * command that may trace it: @tracer says this one's may (CAP_SYS_PTRACE,
 * no Landlock), @fuse that this one has layers through fuse-overlayfs.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_join_check_helpers (const struct nook_spec *spec, const struct nook_join *join,
                             enum nook_net_mode net, bool tracer, bool fuse, struct nook_error *err);

#endif
