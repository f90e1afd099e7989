/* nook: the helper processes of user-mode networking (slirp4netns, pasta):
 * checks before the clone, starting one as nook's child, waiting until it
 * is ready, its last message, stopping it.  What the slirp4netns and pasta
 * backends (slirp.c, pasta.c) and the shared networks' holder share.
 * Internal to the library.
 */
#ifndef NOOK_NETHELPER_H
#define NOOK_NETHELPER_H

#include <stddef.h>

#include "error.h"
#include "net-spec.h"
#include "net.h"

struct nook_spec;
struct nook_root_plan;

/* Addresses slirp4netns gives the sandbox with --configure.  */
#define NOOK_SLIRP_GUEST "10.0.2.100"
#define NOOK_SLIRP_GATEWAY "10.0.2.2"
#define NOOK_SLIRP_DNS "10.0.2.3"
/* The address pasta is told to forward DNS queries from (--dns-forward):
   link-local, so it never collides with a real network.  */
#define NOOK_PASTA_DNS "169.254.1.1"

/**
 * nook_net_check_tun - whether the caller can open /dev/net/tun
 * @err: set when not, with a hint naming the fix
 *
 * The helpers need it.  Returns 0 or -1.
 */
int nook_net_check_tun (struct nook_error *err);

/**
 * nook_net_check_port_free - a published host port must be free
 * @p: the port
 * @err: set when something holds it (or binding it needs privileges)
 *
 * Before any process exists, so the failure names the port.  Returns 0 or -1.
 */
int nook_net_check_port_free (const struct nook_port_map *p, struct nook_error *err);

/**
 * nook_net_check_ipv4_ports - refuses IPv6 host addresses a helper cannot bind
 * @ns: the network spec
 * @who: the helper, for the message ("slirp4netns")
 * @err: set when a port names an IPv6 host address
 *
 * slirp4netns's API takes IPv4 host addresses only.  Returns 0 or -1.
 */
int nook_net_check_ipv4_ports (const struct nook_net_spec *ns, const char *who, struct nook_error *err);

/**
 * nook_helper_prepare - the prepare step of the helper backends
 * @spec: the sandbox; its published ports are checked
 * @net: gets the helper's name and path (owned by NET)
 * @err: set when the helper is not installed, /dev/net/tun cannot be
 *       opened, or a published host port is taken
 *
 * Returns 0 or -1.
 */
int nook_helper_prepare (const struct nook_spec *spec, struct nook_net *net, struct nook_error *err);

/**
 * nook_helper_etc_files - /etc/resolv.conf and /etc/hosts for a helper mode
 * @spec: the sandbox: --dns servers, hostname and name
 * @plan: gets both files
 * @dns: the helper's DNS address, used when no --dns was given
 * @self: the address the hostname resolves to
 */
void nook_helper_etc_files (const struct nook_spec *spec, struct nook_root_plan *plan, const char *dns,
                            const char *self);

/**
 * nook_helper_spawn - starts a helper as a child of nook that dies with nook
 * @h: gets the helper's pid, pidfd and log memfd (owned by H)
 * @path: the program
 * @argv: its arguments
 * @fds: passed as fds 3, 4, ... in that order; every other fd is closed
 * @n_fds: how many (at most 16)
 * @err: set when the memfd, the fork or the pidfd fail
 *
 * The helper gets PR_SET_PDEATHSIG, a process group of its own (^C is for
 * nook), stdin and stdout on /dev/null and stderr in the memfd.  Returns 0
 * or -1; nook_helper_stop() releases H either way.
 */
int nook_helper_spawn (struct nook_net_helper *h, const char *path, char *const *argv, const int *fds,
                       size_t n_fds, struct nook_error *err);

/**
 * nook_helper_wait_ready - waits until the helper says it is ready
 * @h: the helper
 * @ready_fd: readable (or hung up) once it is
 * @timeout_ms: how long to wait
 * @err: set on a timeout, or when the helper exits first (with its last message)
 *
 * Returns 0 or -1.
 */
int nook_helper_wait_ready (struct nook_net_helper *h, int ready_fd, int timeout_ms, struct nook_error *err);

/**
 * nook_helper_wait_ready_or - nook_helper_wait_ready(), or until OTHER_FD
 *                             polls readable (or hangs up) first
 * @h: the helper
 * @ready_fd: readable (or hung up) once it is ready
 * @other_fd: ends the wait first with 1; -1 for none
 * @timeout_ms: how long to wait
 * @err: set on a timeout, or when the helper exits first
 *
 * Returns 0, 1 or -1.
 */
int nook_helper_wait_ready_or (struct nook_net_helper *h, int ready_fd, int other_fd, int timeout_ms,
                               struct nook_error *err);

/**
 * nook_helper_last_message - the helper's last line of output
 * @h: the helper
 *
 * Lines that say nothing about a failure are skipped.  Returns "" when it
 * said nothing; static storage, overwritten by the next call.
 */
const char *nook_helper_last_message (const struct nook_net_helper *h);

/**
 * nook_helper_exited - the exited step of the helper backends
 * @net: the run's network: its helper is reaped and marked as died
 */
void nook_helper_exited (struct nook_net *net);

/**
 * nook_helper_halt - the halt step of the helper backends
 * @net: the run's network: its helper, when it still runs, is sent SIGKILL
 *       (and slirp4netns's exit fd closed); nook_helper_stop() follows
 */
void nook_helper_halt (struct nook_net *net);

/**
 * nook_helper_stop - the stop step of the helper backends
 * @net: the run's network: its helper is killed when it still runs, and
 *       its fds and path are released
 *
 * A helper that publishes host ports is reaped before this returns, so
 * they are free again; any other is left to finish dying, reaped by a
 * later start or stop or, once nook exits, by the process it is
 * reparented to.  Warns, with the helper's last message, when it had died
 * while the sandbox ran.
 */
void nook_helper_stop (struct nook_net *net);

/**
 * nook_slirp_add_hostfwd - publishes a port through slirp4netns's API
 * @sock: the API socket
 * @p: the port
 * @guest_addr: the address to forward to; NULL: the --configure address
 * @id: gets the forward's id (may be NULL)
 * @err: set when slirp4netns cannot be asked or refuses
 *
 * Returns 0 or -1.
 */
int nook_slirp_add_hostfwd (const char *sock, const struct nook_port_map *p, const char *guest_addr, int *id,
                            struct nook_error *err);

/**
 * nook_slirp_remove_hostfwd - removes a forward; errors are ignored
 * @sock: the API socket
 * @id: the forward's id from nook_slirp_add_hostfwd()
 */
void nook_slirp_remove_hostfwd (const char *sock, int id);

#endif
