/* nook port ID|NAME [PORT[/tcp|/udp]]: the host addresses of a running
   sandbox's published ports, as podman port prints them.  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/escape.h"
#include "lib/state.h"
#include "lib/utils.h"
#include "options.h"

const struct nook_command nook_port_command = {
  .name = "port",
  .synopsis = "nook port ID|NAME [PORT[/tcp|/udp]]",
  .summary = "Lists the published ports of a running sandbox (PORT/PROTO -> HOST_IP:HOST_PORT); with PORT, "
             "prints the host address it is published on.",
  .interspersed = true,
};

/* PORT[/tcp|/udp] of the command line.  */
static int
parse_filter (const char *arg, unsigned *port, int *udp, struct nook_error *err)
{
  const char *slash = strchr (arg, '/');
  size_t len = slash ? (size_t)(slash - arg) : strlen (arg);
  char num[8] = "";
  uint64_t v;

  *udp = -1;
  if (slash && strcmp (slash, "/tcp") != 0 && strcmp (slash, "/udp") != 0)
    return nook_error_set (err, 0, "port `%s`: use PORT, PORT/tcp or PORT/udp", arg);
  if (slash)
    *udp = strcmp (slash, "/udp") == 0;
  if (len < sizeof num)
    memcpy (num, arg, len), num[len] = '\0';
  if (len >= sizeof num || nook_parse_uint (num, 65535, &v) < 0 || v == 0)
    return nook_error_set (err, 0, "port `%s`: use PORT, PORT/tcp or PORT/udp", arg);
  *port = v;
  return 0;
}

static int
print_ports (const struct nook_sandbox *sb, const char *filter, struct nook_error *err)
{
  struct nook_spec spec;
  unsigned port = 0;
  int udp = -1, found = 0;

  if (filter && parse_filter (filter, &port, &udp, err) < 0)
    return -1;
  nook_spec_init (&spec);
  if (nook_sandbox_spec (sb, &spec, err) < 0)
    return -1;
  for (size_t i = 0; i < spec.net.n_ports; i++)
    {
      const struct nook_port_map *p = &spec.net.ports[i];
      bool v6 = strchr (p->host_ip, ':') != NULL;
      const char *ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";
      if (filter && (p->port != port || (udp >= 0 && p->udp != udp)))
        continue;
      if (!filter)
        printf ("%u/%s -> ", p->port, p->udp ? "udp" : "tcp");
      printf ("%s%s%s:%u\n", v6 ? "[" : "", ip, v6 ? "]" : "", p->host_port);
      found++;
    }
  nook_spec_free (&spec);
  if (filter && found == 0)
    return nook_error_set (err, 0, "port %s is not published by this sandbox (see `nook port` without it)",
                           filter);
  return 0;
}

int
nook_cmd_port (int argc, char **argv, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  int i, r;

  i = nook_command_parse (&nook_port_command, argc, argv, NULL, NULL, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_port_command, argc, i, 1, 2, err) < 0)
    return -1;
  if (nook_cli_find (&store, argv[i], &sb, err) < 0)
    return -1;
  if (!sb.running)
    {
      cleanup_free char *name = nook_escape_name (argv[i]);
      r = nook_error_set (err, 0, "sandbox `%s` has ended: its ports are released", name);
    }
  else
    r = print_ports (&sb, i + 1 < argc ? argv[i + 1] : NULL, err);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  return r < 0 ? -1 : 0;
}
