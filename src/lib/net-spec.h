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
  NOOK_NET_AUTO,        /* pasta, else slirp4netns; resolved before the clone */
  NOOK_NET_SHARED,      /* a network created with `nook network create` (netshare.h) */
  NOOK_NET_N_MODES
};

/* One -p/--publish: HOST_IP:HOST_PORT on the host to PORT inside.  */
struct nook_port_map
{
  char host_ip[16]; /* dotted IPv4; "" means every address */
  uint16_t host_port;
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
 * nook_port_parse - parses a --publish value
 * @s: [HOST_IP:]HOST_PORT:PORT[/tcp|/udp]
 * @out: filled
 * @err: set on failure, naming the value and the expected form
 *
 * Returns 0, or -1 when S is malformed (ports 1-65535, an IPv4 host
 * address).  Owns nothing.
 */
int nook_port_parse (const char *s, struct nook_port_map *out, struct nook_error *err);

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
