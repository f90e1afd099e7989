/* nook: the network part of the data model (--net, --publish, --dns).
 *
 * Kept apart from net.h so spec.h can include it without the engine's
 * functions: only basic types and error.h here.
 */
#ifndef NOOK_NET_SPEC_H
#define NOOK_NET_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

enum nook_net_mode
{
  NOOK_NET_NONE = 0,    /* private namespace, lo only (the default) */
  NOOK_NET_HOST,        /* the host's namespace (same as --share-net) */
  NOOK_NET_SLIRP4NETNS, /* slirp4netns on a tap device */
  NOOK_NET_PASTA,       /* passt's pasta on a tap device */
  NOOK_NET_AUTO,        /* pasta, else slirp4netns (nook_net_auto_mode); resolved before the clone */
  NOOK_NET_SHARED,      /* a network created with `nook network create` (netshare.h) */
  NOOK_NET_N_MODES
};

/* The most ports one sandbox publishes (a range counts each port).  */
#define NOOK_MAX_PORTS 256

/* One published port: HOST_IP:HOST_PORT on the host to PORT inside.  A
   -p range is one of these per port.  */
struct nook_port_map
{
  char host_ip[46];   /* IPv4 or IPv6 text (INET6_ADDRSTRLEN); "" means every IPv4 address */
  uint16_t host_port; /* 0 until nook_net_pick_host_ports() chose one */
  uint16_t port;
  bool udp;
};

/* The network part of struct nook_spec.  `--net container:NAME` is no
   mode: it joins that sandbox's namespace (spec->life.join) and leaves
   MODE at NOOK_NET_NONE.  */
struct nook_net_spec
{
  enum nook_net_mode mode;
  bool mode_set; /* --net was given */
  struct nook_port_map *ports;
  size_t n_ports;
  bool allow_host_loopback;
  char **dns;    /* --dns servers written to /etc/resolv.conf instead of the helper's */
  char *network; /* NOOK_NET_SHARED: the network's name */
};

/**
 * nook_port_parse - parses a --publish value, as podman takes it
 * @s: [[HOST_IP:][HOST_PORT]:]PORT[/tcp|/udp]; HOST_IP is IPv4 or a
 *     bracketed IPv6 address ([::1]); HOST_PORT and PORT may be ranges
 *     (8000-8010) of the same length; without HOST_PORT the host port is
 *     chosen when the sandbox starts (host_port 0)
 * @out: the first port of the range
 * @count: how many consecutive ports the range has (1 for one port): the
 *         Nth maps OUT->host_port + N to OUT->port + N
 * @err: set on failure, naming the value and the expected form
 *
 * Returns 0, or -1 when S is malformed.  Owns nothing.
 */
int nook_port_parse (const char *s, struct nook_port_map *out, unsigned *count, struct nook_error *err);

/**
 * nook_net_pick_host_ports - chooses the host ports that -p left open
 * @ns: the network spec; each port with host_port 0 gets a free port
 * @err: set when no port can be bound
 *
 * The kernel picks a free ephemeral port, as podman does for `-p PORT`.
 * Returns 0 or -1.
 */
int nook_net_pick_host_ports (struct nook_net_spec *ns, struct nook_error *err);

/**
 * nook_port_map_text - a published port as `nook ps` shows it
 * @p: the first port
 * @count: how many consecutive ports follow P's pattern
 *
 * "127.0.0.1:8080->80/tcp", "[::1]:8080->80/tcp",
 * "0.0.0.0:8000-8002->8000-8002/tcp".  Returns a new string.
 */
char *nook_port_map_text (const struct nook_port_map *p, unsigned count);

/**
 * nook_port_maps_text - every published port of a spec, comma-separated
 * @ns: the network spec; consecutive ports of one range are shown as one
 *
 * Returns a new string, or NULL when no port is published.
 */
char *nook_port_maps_text (const struct nook_net_spec *ns);

/**
 * nook_net_mode_parse - parses a --net mode name
 * @name: "none", "host", "slirp4netns", "pasta" or "auto"
 * @out: the mode
 *
 * A network's name is not a mode.  Returns 0, or -1 when NAME is no mode.
 */
int nook_net_mode_parse (const char *name, enum nook_net_mode *out);

/**
 * nook_net_mode_name - the name of a mode, as --net takes it
 * @mode: the mode
 *
 * Returns static storage ("network" for NOOK_NET_SHARED, "?" out of range).
 */
const char *nook_net_mode_name (enum nook_net_mode mode);

/**
 * nook_net_spec_free - frees the fields of the network part of a spec
 * @ns: the network spec; zeroed afterwards
 */
void nook_net_spec_free (struct nook_net_spec *ns);

#endif
