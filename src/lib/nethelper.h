/* nook: what the network helpers' drivers (slirp.c, pasta.c) share with
   net.c.  Internal to the library.  */
#ifndef NOOK_NETHELPER_H
#define NOOK_NETHELPER_H

#include "error.h"
#include "net.h"
#include "spec.h"

/* Addresses slirp4netns gives the sandbox with --configure.  */
#define NOOK_SLIRP_GUEST "10.0.2.100"
#define NOOK_SLIRP_GATEWAY "10.0.2.2"
#define NOOK_SLIRP_DNS "10.0.2.3"
/* The address pasta is told to forward DNS queries from (--dns-forward):
   link-local, so it never collides with a real network.  */
#define NOOK_PASTA_DNS "169.254.1.1"

/* Starts PATH with ARGV as a child of nook that dies with nook
   (PR_SET_PDEATHSIG), its stdin and stdout on /dev/null and its stderr in a
   memfd (H->log_fd).  The N_FDS fds in FDS are passed as fds 3, 4, ... in
   that order; every other fd is closed.  Fills H->pid and H->pidfd.  */
int nook_helper_spawn (struct nook_net_helper *h, const char *path, char *const *argv, const int *fds,
                       size_t n_fds, struct nook_error *err);

/* Waits up to TIMEOUT_MS for READY_FD to become readable (or hang up),
   watching the helper: when it exits first, ERR carries its last message.  */
int nook_helper_wait_ready (struct nook_net_helper *h, int ready_fd, int timeout_ms, struct nook_error *err);

/* The helper's last line of output ("" when it said nothing); static storage.  */
const char *nook_helper_last_message (const struct nook_net_helper *h);

/* slirp4netns's API: publishes P to GUEST_ADDR (NULL: the --configure
   address); *ID (may be NULL) gets the forward's id.  */
int nook_slirp_add_hostfwd (const char *sock, const struct nook_port_map *p, const char *guest_addr, int *id,
                            struct nook_error *err);
void nook_slirp_remove_hostfwd (const char *sock, int id);

/* A published host port that something already holds fails before any
   process exists, naming the port.  */
int nook_net_check_port_free (const struct nook_port_map *p, struct nook_error *err);

/* The drivers: start the helper for the namespaces of PID and publish
   SPEC's ports; return once the sandbox's network is configured.  */
int nook_slirp_start (const struct nook_spec *spec, struct nook_net *net, pid_t pid, struct nook_error *err);
int nook_pasta_start (const struct nook_spec *spec, struct nook_net *net, pid_t pid, struct nook_error *err);

#endif
