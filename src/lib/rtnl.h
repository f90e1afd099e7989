/* nook: the few rtnetlink requests nook makes, through libmnl: links
   (bridge, veth), addresses and the default route of the current network
   namespace.  */
#ifndef NOOK_RTNL_H
#define NOOK_RTNL_H

#include <netinet/in.h>
#include <sys/types.h>

#include "error.h"

/* Creates a bridge NAME (down).  */
int nook_rtnl_bridge_add (const char *name, struct nook_error *err);

/* Creates a veth pair NAME <-> PEER, the peer moved at once into the
   network namespace of PEER_PID, with the 6-byte PEER_MAC unless NULL.  */
int nook_rtnl_veth_add (const char *name, const char *peer, pid_t peer_pid, const unsigned char *peer_mac,
                        struct nook_error *err);

/* Sets NAME's master (a bridge) when MASTER is not NULL, renames it to
   NEWNAME when not NULL, and brings it up.  */
int nook_rtnl_link_setup (const char *name, const char *master, const char *newname, struct nook_error *err);

/* Adds ADDR/PREFIX to NAME.  */
int nook_rtnl_addr_add (const char *name, struct in_addr addr, int prefix, struct nook_error *err);

/* Adds a default route through GW.  */
int nook_rtnl_route_default (struct in_addr gw, struct nook_error *err);

#endif
