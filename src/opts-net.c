/* Options of `nook run`: the network.  */
#include <config.h>

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utils.h"
#include "options.h"

enum
{
  OPT_NET = 1,
  OPT_PUBLISH,
  OPT_ALLOW_HOST_LOOPBACK,
  OPT_DNS,
};

static const struct nook_option net_options[] = {
  { "net", 0, 1, OPT_NET, "MODE",
    "none (default), host, slirp4netns, pasta, auto, a network's name, or container:ID" },
  { "publish", 'p', 1, OPT_PUBLISH, "[[IP:][HPORT]:]PORT[/udp]",
    "forward a host port (or range; random without HPORT) to PORT inside (repeatable)" },
  { "allow-host-loopback", 0, 0, OPT_ALLOW_HOST_LOOPBACK, "",
    "let the sandbox reach the host's 127.0.0.1 through the gateway" },
  { "dns", 0, 1, OPT_DNS, "ADDR", "nameserver for /etc/resolv.conf instead of the helper's (repeatable)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
add_port (struct nook_net_spec *ns, const char *value, struct nook_error *err)
{
  struct nook_port_map p;
  unsigned count;

  if (nook_port_parse (value, &p, &count, err) < 0)
    return -1;
  if (ns->n_ports + count > NOOK_MAX_PORTS)
    return nook_error_set (err, 0, "--publish `%s`: at most %d ports can be published", value,
                           NOOK_MAX_PORTS);
  for (size_t i = 0; i < ns->n_ports; i++)
    if (p.host_port && ns->ports[i].udp == p.udp && ns->ports[i].host_port >= p.host_port
        && ns->ports[i].host_port < p.host_port + count)
      return nook_error_set (err, 0, "--publish: host port %u/%s is given twice", ns->ports[i].host_port,
                             p.udp ? "udp" : "tcp");
  ns->ports = xrealloc (ns->ports, (ns->n_ports + count) * sizeof *ns->ports);
  for (unsigned k = 0; k < count; k++)
    {
      ns->ports[ns->n_ports] = p;
      if (p.host_port)
        ns->ports[ns->n_ports].host_port += k;
      ns->ports[ns->n_ports++].port += k;
    }
  return 0;
}

static int
net_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
           struct nook_error *err)
{
  unsigned char addr[16];

  switch (o->id)
    {
    case OPT_NET:
      /* Another sandbox's network is joined like its other namespaces.  */
      if (strncmp (val[0], "container:", 10) == 0)
        {
          spec->net.mode = NOOK_NET_NONE;
          spec->net.mode_set = false;
          return nook_join_option (o->name, val[0], NOOK_JOIN_NET, spec, err);
        }
      free (spec->life.join[NOOK_JOIN_NET]);
      spec->life.join[NOOK_JOIN_NET] = NULL;
      spec->net.mode_set = true;
      if (nook_net_mode_parse (val[0], &spec->net.mode) < 0)
        {
          /* Anything else that could be a name is a network (nook network
             create); whether it exists is checked when the sandbox starts.  */
          if (!nook_name_is_valid (val[0]))
            return nook_error_set (
                err, 0, "--net `%s`: use none, host, slirp4netns, pasta, auto or a network's name", val[0]);
          spec->net.mode = NOOK_NET_SHARED;
          nook_option_string (&spec->net.network, val[0]);
        }
      if (spec->net.mode == NOOK_NET_HOST)
        spec->share |= NOOK_NS_NET;
      return 0;
    case OPT_PUBLISH:
      return add_port (&spec->net, val[0], err);
    case OPT_ALLOW_HOST_LOOPBACK:
      spec->net.allow_host_loopback = true;
      return 0;
    case OPT_DNS:
      if (inet_pton (AF_INET, val[0], addr) != 1 && inet_pton (AF_INET6, val[0], addr) != 1)
        return nook_error_set (err, 0, "--dns `%s` is not an IPv4 or IPv6 address", val[0]);
      strv_append (&spec->net.dns, val[0]);
      return 0;
    }
  return nook_error_set (err, 0, "option --%s is not handled", o->name);
}

static int
net_check (const struct nook_spec *spec, const struct nook_parser *parser, struct nook_error *err)
{
  const struct nook_net_spec *ns = &spec->net;
  bool helper = ns->mode == NOOK_NET_SLIRP4NETNS || ns->mode == NOOK_NET_PASTA || ns->mode == NOOK_NET_AUTO;
  bool shared = ns->mode == NOOK_NET_SHARED;

  if ((spec->share & NOOK_NS_NET) && ns->mode_set && ns->mode != NOOK_NET_HOST)
    return nook_error_set (err, 0,
                           "--share-net keeps the host's network: it cannot be combined with --net %s",
                           shared ? ns->network : nook_net_mode_name (ns->mode));
  if (shared)
    for (int k = 0; k < NOOK_JOIN_N; k++)
      if (spec->life.join[k])
        return nook_error_set (err, 0,
                               "--net %s: a shared network cannot be combined with joining another "
                               "sandbox's namespaces (container:%s)",
                               ns->network, spec->life.join[k]);
  if (spec->life.join[NOOK_JOIN_NET] && (ns->n_ports || ns->allow_host_loopback || ns->dns))
    return nook_error_set (err, 0,
                           "--net container:%s uses that sandbox's network: --publish, --dns and "
                           "--allow-host-loopback belong to it",
                           spec->life.join[NOOK_JOIN_NET]);
  if (shared && spec->map_mode == NOOK_MAP_AUTO)
    return nook_error_set (err, 0, "--net %s: a shared network cannot be used with --map-users auto",
                           ns->network);
  if (helper)
    return 0;
  if (ns->n_ports && !shared)
    return nook_error_set (err, 0, "--publish needs --net slirp4netns, pasta, auto or a network's name");
  if (ns->allow_host_loopback)
    return nook_error_set (err, 0, "--allow-host-loopback needs --net slirp4netns, pasta or auto");
  if (ns->dns && !shared)
    return nook_error_set (err, 0, "--dns needs --net slirp4netns, pasta, auto or a network's name");
  return 0;
}

const struct nook_option_group nook_net_options = { "Network options", net_options, net_apply, net_check };
