/* nook: the few rtnetlink requests nook makes, through libmnl: links
   (bridge, veth), addresses and the default route of the current network
   namespace.  */
#ifndef NOOK_RTNL_H
#define NOOK_RTNL_H

#include <netinet/in.h>
#include <sys/types.h>

#include "error.h"

/**
 * nook_rtnl_bridge_add - create a bridge in the current network namespace
 * @name: its name
 * @err: set on failure
 *
 * The bridge is left down.
 *
 * Return: 0, or -1 with @err set (with errno) when a name is unknown or
 * the kernel refuses.
 */
int nook_rtnl_bridge_add (const char *name, struct nook_error *err);

/**
 * nook_rtnl_veth_add - create a veth pair, its peer in another namespace
 * @name: the end that stays in the current network namespace
 * @peer: the other end's name
 * @peer_pid: a process whose network namespace the peer moves into at once
 * @peer_mac: the peer's 6-byte address, or NULL for the kernel's choice
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set (with errno) when a name is unknown or
 * the kernel refuses.
 */
int nook_rtnl_veth_add (const char *name, const char *peer, pid_t peer_pid, const unsigned char *peer_mac,
                        struct nook_error *err);

/**
 * nook_rtnl_link_setup - attach, rename and bring up a link
 * @name: the link
 * @master: a bridge to attach it to, or NULL
 * @newname: its new name, or NULL
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set (with errno) when a name is unknown or
 * the kernel refuses.
 */
int nook_rtnl_link_setup (const char *name, const char *master, const char *newname, struct nook_error *err);

/**
 * nook_rtnl_addr_add - add an IPv4 address to a link
 * @name: the link
 * @addr: the address
 * @prefix: its prefix length
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set (with errno) when a name is unknown or
 * the kernel refuses.
 */
int nook_rtnl_addr_add (const char *name, struct in_addr addr, int prefix, struct nook_error *err);

/**
 * nook_rtnl_route_default - add the IPv4 default route
 * @gw: the gateway
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set (with errno) when a name is unknown or
 * the kernel refuses.
 */
int nook_rtnl_route_default (struct in_addr gw, struct nook_error *err);

#endif
