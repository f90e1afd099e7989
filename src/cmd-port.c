/* nook port ID|NAME [PORT[/tcp|/udp]]: the host addresses of a running
   sandbox's published ports, as podman port prints them.  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/escape.h"
#include "lib/state.h"
#include "lib/utils.h"

#define PORT_USAGE "nook port ID|NAME [PORT[/tcp|/udp]]"

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
nook_cmd_port (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_store store;
  struct nook_sandbox sb;
  int r;

  if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf (
          "Usage: %s\n\nLists the published ports of a running sandbox (PORT/PROTO -> HOST_IP:HOST_PORT);\n"
          "with PORT, prints the host address it is published on.\n",
          PORT_USAGE);
      return 0;
    }
  if (argc != 2 && argc != 3)
    return nook_cli_usage_error ("port", PORT_USAGE);
  if (nook_cli_find (&store, argv[1], &sb, &err) < 0)
    return nook_error_report (&err);
  if (!sb.running)
    {
      cleanup_free char *name = nook_escape_name (argv[1]);
      r = nook_error_set (&err, 0, "sandbox `%s` has ended: its ports are released", name);
    }
  else
    r = print_ports (&sb, argc == 3 ? argv[2] : NULL, &err);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  return r < 0 ? nook_error_report (&err) : 0;
}
