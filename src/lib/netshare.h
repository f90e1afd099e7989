/* nook: shared networks, several sandboxes on one bridge.
 *
 * A network is a directory under nook_runtime_dir()/networks/NAME holding
 * its configuration (config.json: the subnet) and, while sandboxes use it,
 * the holder's socket and pid and the members' /etc/hosts.
 *
 * Ownership, which is what keeps sandboxes from touching each other:
 *
 *   host user ns (the caller)
 *   └── holder's user ns  ── owns ── holder's net ns: bridge nook0 (gateway)
 *       ├── sandbox A's user ns ── owns ── A's net ns: eth0 (veth peer)
 *       └── sandbox B's user ns ── owns ── B's net ns: eth0 (veth peer)
 *
 * The holder (netholder.h, where its protocol is written down) is a small
 * process started on demand (by the first `nook run --net NAME`) that
 * creates its user and network namespaces and the bridge, hands out
 * addresses and keeps the member registry; it exits when the last member's
 * connection closes (nook holds one for each sandbox, which the kernel
 * closes even when nook is SIGKILLed), or on `nook network rm`.  nook
 * creates each sandbox's user namespace from inside the holder's (setns
 * before clone3), so the holder's root, the caller, keeps
 * CAP_NET_ADMIN over every sandbox's network namespace and plugs the veth
 * in, while a sandbox is root only in its own namespaces and has no
 * capability over the holder's network namespace, its bridge, or another
 * sandbox's.
 *
 * Joining is the NOOK_NET_SHARED backend of net.c (nook_net_shared in
 * net-backend.h): prepare starts the holder and joins, /etc/hosts is the
 * network's (bound), before_clone enters the holder's user namespace,
 * start plugs the veth in, configure_inside names it eth0 and routes.
 */
#ifndef NOOK_NETSHARE_H
#define NOOK_NETSHARE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

struct nook_network_info
{
  char *name;
  char *subnet; /* "10.89.0.0/24" */
  pid_t holder; /* 0: not running */
  int members;
};

/**
 * nook_network_create - `nook network create NAME [--subnet CIDR]`
 * @name: the network's name (validated: a name, never a path)
 * @subnet: an IPv4 CIDR from /16 to /29, or NULL for the first free
 *          10.89.N.0/24
 * @err: set on failure: a bad name or subnet, one that overlaps another
 *       network's, a network that exists, or the runtime directory
 *
 * Writes the network's config.json; starts nothing.  Returns 0 or -1, and
 * leaves nothing behind on failure.
 */
int nook_network_create (const char *name, const char *subnet, struct nook_error *err);

/**
 * nook_network_remove - `nook network rm NAME`
 * @name: the network
 * @err: set when there is no such network
 *
 * Stops the holder (its members lose the network) and removes the
 * network's directory.  Returns 0 or -1.
 */
int nook_network_remove (const char *name, struct nook_error *err);

/**
 * nook_network_list - `nook network ls`: every network, sorted by name
 * @out: filled with a new array; free with nook_network_info_free()
 * @n: its length
 * @err: set when the runtime directory cannot be read
 *
 * Returns 0 or -1.
 */
int nook_network_list (struct nook_network_info **out, size_t *n, struct nook_error *err);

/**
 * nook_network_info_free - frees a list from nook_network_list()
 * @list: the array
 * @n: its length
 */
void nook_network_info_free (struct nook_network_info *list, size_t n);

/**
 * nook_network_exists - whether network NAME exists
 * @name: any string; an invalid name is no network
 */
bool nook_network_exists (const char *name);

#endif
