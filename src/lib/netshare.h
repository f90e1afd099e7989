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
 * The holder is a small process started on demand (by the first `nook run
 * --net NAME`) that creates its user and network namespaces and the
 * bridge, hands out addresses and keeps the member registry; it exits when
 * the last member's connection closes (nook holds one for each sandbox,
 * which the kernel closes even when nook is SIGKILLed), or on `nook
 * network rm`.  nook creates each sandbox's user namespace from inside the
 * holder's (setns before clone3), so the holder's root, the caller, keeps
 * CAP_NET_ADMIN over every sandbox's network namespace and plugs the veth
 * in, while a sandbox is root only in its own namespaces and has no
 * capability over the holder's network namespace, its bridge, or another
 * sandbox's.
 */
#ifndef NOOK_NETSHARE_H
#define NOOK_NETSHARE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

struct nook_spec;
struct nook_net;
struct nook_root_plan;

#define NOOK_NETSHARE_BRIDGE "nook0"

struct nook_network_info
{
  char *name;
  char *subnet; /* "10.89.0.0/24" */
  pid_t holder; /* 0: not running */
  int members;
};

/* `nook network create NAME [--subnet CIDR]`: SUBNET NULL picks the first
   free 10.89.N.0/24.  Refuses a subnet that overlaps another network's.  */
int nook_network_create (const char *name, const char *subnet, struct nook_error *err);

/* `nook network rm NAME`: stops the holder (its members lose the network)
   and removes the network.  */
int nook_network_remove (const char *name, struct nook_error *err);

/* `nook network ls`: every network, sorted by name.  */
int nook_network_list (struct nook_network_info **out, size_t *n, struct nook_error *err);
void nook_network_info_free (struct nook_network_info *list, size_t n);

/* Whether network NAME exists.  */
bool nook_network_exists (const char *name);

/* Parses an IPv4 CIDR; the address must be the network's.  */
int nook_cidr_parse (const char *s, struct in_addr *net, int *prefix);

/* In nook, before any process exists: starts the holder when needed,
   registers the sandbox and gets its address, and binds the network's
   /etc/hosts into the root PLAN.  */
int nook_netshare_join (const struct nook_spec *spec, struct nook_net *net, struct nook_root_plan *plan,
                        struct nook_error *err);

/* In nook, right before the clone: enters the holder's user namespace, so
   the sandbox's user namespace is created as its child.  Irreversible.  */
int nook_netshare_enter (struct nook_net *net, struct nook_error *err);

/* In nook, after the id maps: a veth pair from the holder's bridge into the
   network namespace of PID.  */
int nook_netshare_attach (struct nook_net *net, pid_t pid, struct nook_error *err);

/* In the sandbox: names the veth eth0, gives it the address and the
   default route through the bridge.  */
int nook_netshare_configure (const struct nook_net *net, struct nook_error *err);

/* Leaves the network (closes the registration).  */
void nook_netshare_release (struct nook_net *net);

#endif
