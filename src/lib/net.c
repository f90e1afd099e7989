/* nook: the sandbox's network, as spawn.c drives it: the modes' backend
 * table and the steps that call it, loopback and ping inside, and the
 * parsers of --net, --publish and subnets.  The helper processes are
 * nethelper.c's, each mode's steps its backend's (net-backend.h).
 */
#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net-backend.h"
#include "net.h"
#include "spec.h"
#include "utils.h"

/* The lowest and highest gid mapped in this user namespace: the kernel
   takes only mapped gids at the ends of ping_group_range.  */
static void
mapped_gid_range (unsigned long *low, unsigned long *high)
{
  cleanup_free char *map = NULL;
  struct nook_error ignored = { 0 };
  unsigned long in, out, count;

  *low = *high = getgid ();
  if (nook_read_file_at (AT_FDCWD, "/proc/self/gid_map", &map, NULL, &ignored) < 0)
    {
      nook_error_release (&ignored);
      return;
    }
  *low = ~0UL;
  *high = 0;
  for (char *line = map; sscanf (line, "%lu %lu %lu", &in, &out, &count) == 3; line++)
    {
      if (in < *low)
        *low = in;
      if (in + count - 1 > *high)
        *high = in + count - 1;
      line = strchr (line, '\n');
      if (line == NULL)
        break;
    }
  if (*low > *high)
    *low = *high = getgid ();
}

int
nook_net_allow_ping (struct nook_error *err)
{
  unsigned long low, high;
  char range[48];
  int r;

  mapped_gid_range (&low, &high);
  if (high > 2147483647UL) /* the highest gid the kernel takes here */
    high = 2147483647UL;
  snprintf (range, sizeof range, "%lu %lu", low, high);
  r = nook_write_file_at (AT_FDCWD, "/proc/sys/net/ipv4/ping_group_range", range, strlen (range), err);
  if (r < 0 && err->errnum == EINVAL)
    {
      /* Extents whose outside ids run the other way: the caller's own gid.  */
      nook_error_release (err);
      snprintf (range, sizeof range, "%u %u", (unsigned)getgid (), (unsigned)getgid ());
      r = nook_write_file_at (AT_FDCWD, "/proc/sys/net/ipv4/ping_group_range", range, strlen (range), err);
    }
  /* A kernel without IPv4 ping sockets, or a /proc that is not the
     sandbox's own: ping needs CAP_NET_RAW there, as without nook.  */
  if (r < 0)
    {
      nook_log ("ping sockets not enabled: %s", err->msg);
      nook_error_release (err);
    }
  return 0;
}

int
nook_net_loopback_up (struct nook_error *err)
{
  struct ifreq ifr;
  cleanup_close int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  if (fd < 0)
    return nook_error_errno (err, "socket");
  memset (&ifr, 0, sizeof ifr);
  strcpy (ifr.ifr_name, "lo");
  if (ioctl (fd, SIOCGIFFLAGS, &ifr) < 0)
    return nook_error_errno (err, "read the flags of lo");
  ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
  if (ioctl (fd, SIOCSIFFLAGS, &ifr) < 0)
    return nook_error_errno (err, "bring lo up");
  return 0;
}

/* ---- parsing --------------------------------------------------------------- */

static const char *const mode_names[] = {
  [NOOK_NET_NONE] = "none",   [NOOK_NET_HOST] = "host", [NOOK_NET_SLIRP4NETNS] = "slirp4netns",
  [NOOK_NET_PASTA] = "pasta", [NOOK_NET_AUTO] = "auto", [NOOK_NET_SHARED] = "network",
};

int
nook_net_mode_parse (const char *name, enum nook_net_mode *out)
{
  for (size_t i = 0; i < NOOK_NET_SHARED; i++) /* a network is named, not a mode */
    if (strcmp (name, mode_names[i]) == 0)
      {
        *out = i;
        return 0;
      }
  return -1;
}

const char *
nook_net_mode_name (enum nook_net_mode mode)
{
  return mode < sizeof mode_names / sizeof mode_names[0] ? mode_names[mode] : "?";
}

static int
parse_port (const char *s, size_t len, uint16_t *out)
{
  char buf[8];
  uint64_t v;

  if (len == 0 || len >= sizeof buf)
    return -1;
  memcpy (buf, s, len);
  buf[len] = '\0';
  if (nook_parse_uint (buf, 65535, &v) < 0 || v == 0)
    return -1;
  *out = v;
  return 0;
}

/* PORT or LOW-HIGH: the first port and how many.  */
static int
parse_port_range (const char *s, size_t len, uint16_t *first, unsigned *count)
{
  const char *dash = memchr (s, '-', len);
  uint16_t last;

  if (dash == NULL)
    {
      *count = 1;
      return parse_port (s, len, first);
    }
  if (parse_port (s, dash - s, first) < 0 || parse_port (dash + 1, s + len - dash - 1, &last) < 0
      || last < *first)
    return -1;
  *count = last - *first + 1;
  return 0;
}

/* HOST_IP, bracketed when IPv6, at the start of S; *REST is what follows
   the colon after it.  Returns 0 when S has no address, 1 when it has one,
   -1 when it is malformed.  */
static int
parse_host_ip (const char *s, const char *end, struct nook_port_map *out, const char **rest)
{
  unsigned char addr[16];
  const char *colon;
  size_t n;

  if (*s == '[')
    {
      const char *close = memchr (s, ']', end - s);
      if (close == NULL || close + 1 >= end || close[1] != ':')
        return -1;
      n = close - s - 1;
      if (n == 0 || n >= sizeof out->host_ip)
        return -1;
      memcpy (out->host_ip, s + 1, n);
      out->host_ip[n] = '\0';
      *rest = close + 2;
      return inet_pton (AF_INET6, out->host_ip, addr) == 1 ? 1 : -1;
    }
  /* IP:HOST_PORT:PORT or IP::PORT: two colons.  */
  colon = memchr (s, ':', end - s);
  if (colon == NULL || memchr (colon + 1, ':', end - colon - 1) == NULL)
    {
      *rest = s;
      return 0;
    }
  n = colon - s;
  if (n == 0 || n >= sizeof out->host_ip)
    return -1;
  memcpy (out->host_ip, s, n);
  out->host_ip[n] = '\0';
  *rest = colon + 1;
  return inet_pton (AF_INET, out->host_ip, addr) == 1 ? 1 : -1;
}

int
nook_port_parse (const char *s, struct nook_port_map *out, unsigned *count, struct nook_error *err)
{
  const char *slash = strchr (s, '/'), *end = slash ? slash : s + strlen (s);
  const char *rest, *colon;
  unsigned host_count = 0;
  int ip;

  memset (out, 0, sizeof *out);
  *count = 0;
  if (slash && strcmp (slash, "/udp") == 0)
    out->udp = true;
  else if (slash && strcmp (slash, "/tcp") != 0)
    goto bad;
  ip = parse_host_ip (s, end, out, &rest);
  if (ip < 0)
    {
      if (out->host_ip[0] && strchr (out->host_ip, ':') == NULL)
        return nook_error_set (err, 0, "--publish `%s`: `%s` is not an IPv4 address", s, out->host_ip);
      return nook_error_set (err, 0,
                             "--publish `%s`: the host address is not IPv4 or a bracketed IPv6 (Hint: %s)", s,
                             "write an IPv6 address in brackets: [::1]:8080:80");
    }
  colon = memchr (rest, ':', end - rest);
  if (colon && memchr (colon + 1, ':', end - colon - 1))
    goto bad;
  if (parse_port_range (colon ? colon + 1 : rest, end - (colon ? colon + 1 : rest), &out->port, count) < 0)
    goto bad;
  /* PORT alone, or IP::PORT: the host port is chosen at start.  */
  if (colon == NULL || colon == rest)
    {
      if (colon == rest && !ip)
        goto bad; /* ":80" */
      if (*count > 1)
        return nook_error_set (err, 0, "--publish `%s`: a range of ports needs its host ports (Hint: %s)", s,
                               "-p 8000-8010:8000-8010");
      return 0;
    }
  if (parse_port_range (rest, colon - rest, &out->host_port, &host_count) < 0)
    goto bad;
  if (host_count != *count)
    return nook_error_set (err, 0, "--publish `%s`: the host range has %u ports, the sandbox's %u", s,
                           host_count, *count);
  if (out->host_port + *count - 1 > 65535 || out->port + *count - 1 > 65535)
    goto bad;
  return 0;
bad:
  return nook_error_set (err, 0,
                         "--publish `%s`: use [[HOST_IP:][HOST_PORT]:]PORT[/tcp|/udp] with ports 1-65535 or "
                         "ranges such as 8000-8010",
                         s);
}

int
nook_net_pick_host_ports (struct nook_net_spec *ns, struct nook_error *err)
{
  int fds[NOOK_MAX_PORTS];
  size_t n_fds = 0;
  int r = 0;

  /* Every socket stays bound until all are chosen: no two get one port.  */
  for (size_t i = 0; r == 0 && i < ns->n_ports && n_fds < NOOK_MAX_PORTS; i++)
    {
      struct nook_port_map *p = &ns->ports[i];
      struct sockaddr_storage ss = { 0 };
      socklen_t len;
      bool v6 = strchr (p->host_ip, ':') != NULL;
      int fd;

      if (p->host_port != 0)
        continue;
      ss.ss_family = v6 ? AF_INET6 : AF_INET;
      if (v6)
        inet_pton (AF_INET6, p->host_ip, &((struct sockaddr_in6 *)&ss)->sin6_addr);
      else if (p->host_ip[0])
        inet_pton (AF_INET, p->host_ip, &((struct sockaddr_in *)&ss)->sin_addr);
      len = v6 ? sizeof (struct sockaddr_in6) : sizeof (struct sockaddr_in);
      fd = socket (ss.ss_family, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
      if (fd < 0 || bind (fd, (struct sockaddr *)&ss, len) < 0
          || getsockname (fd, (struct sockaddr *)&ss, &len) < 0)
        r = nook_error_errno (err, "--publish: choose a host port for %u/%s", p->port,
                              p->udp ? "udp" : "tcp");
      else
        p->host_port
            = ntohs (v6 ? ((struct sockaddr_in6 *)&ss)->sin6_port : ((struct sockaddr_in *)&ss)->sin_port);
      if (fd >= 0)
        fds[n_fds++] = fd;
    }
  for (size_t i = 0; i < n_fds; i++)
    close (fds[i]);
  return r;
}

char *
nook_port_map_text (const struct nook_port_map *p, unsigned count)
{
  bool v6 = strchr (p->host_ip, ':') != NULL;
  const char *proto = p->udp ? "udp" : "tcp";
  const char *ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";

  if (count > 1)
    return xasprintf ("%s%s%s:%u-%u->%u-%u/%s", v6 ? "[" : "", ip, v6 ? "]" : "", p->host_port,
                      p->host_port + count - 1, p->port, p->port + count - 1, proto);
  return xasprintf ("%s%s%s:%u->%u/%s", v6 ? "[" : "", ip, v6 ? "]" : "", p->host_port, p->port, proto);
}

char *
nook_port_maps_text (const struct nook_net_spec *ns)
{
  char *text = NULL;

  for (size_t i = 0; i < ns->n_ports;)
    {
      const struct nook_port_map *p = &ns->ports[i];
      unsigned count = 1;
      /* The ports of one range follow each other.  */
      while (i + count < ns->n_ports && ns->ports[i + count].host_port == p->host_port + count
             && ns->ports[i + count].port == p->port + count && ns->ports[i + count].udp == p->udp
             && strcmp (ns->ports[i + count].host_ip, p->host_ip) == 0)
        count++;
      cleanup_free char *one = nook_port_map_text (p, count);
      char *next = xasprintf ("%s%s%s", text ? text : "", text ? "," : "", one);
      free (text);
      text = next;
      i += count;
    }
  return text;
}

int
nook_cidr_parse (const char *s, struct in_addr *net, int *prefix)
{
  char buf[32];
  char *slash;
  uint64_t p;
  uint32_t mask;

  if (strlen (s) >= sizeof buf)
    return -1;
  strcpy (buf, s);
  slash = strchr (buf, '/');
  if (slash == NULL)
    return -1;
  *slash = '\0';
  if (inet_pton (AF_INET, buf, net) != 1 || nook_parse_uint (slash + 1, 32, &p) < 0 || p < 16 || p > 29)
    return -1;
  mask = htonl (~0U << (32 - p));
  if ((net->s_addr & ~mask) != 0)
    return -1;
  *prefix = p;
  return 0;
}

void
nook_net_spec_free (struct nook_net_spec *ns)
{
  free (ns->ports);
  strv_free (ns->dns);
  free (ns->network);
  memset (ns, 0, sizeof *ns);
}

/* ---- the host --------------------------------------------------------------- */

char *
nook_net_find_helper (const char *name)
{
  const char *path = getenv ("PATH");
  cleanup_free char *copy = xstrdup (path && *path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
  char *save = NULL;

  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *candidate;
      if (dir[0] != '/')
        continue; /* a relative PATH entry would depend on the cwd */
      candidate = xasprintf ("%s/%s", dir, name);
      if (access (candidate, X_OK) == 0)
        return candidate;
      free (candidate);
    }
  return NULL;
}

enum nook_net_mode
nook_net_auto_mode (void)
{
  /* pasta first: it moves two to three times slirp4netns's data from the
     host into the sandbox, gives the sandbox IPv6 and publishes on IPv6
     host addresses, and adds 25-30 ms to a run now that nook does not
     wait for its exit (slirp4netns 3-5 ms; bench/startup, bench/net).
     Its start costs more CPU (it faults in tens of MB of buffers), and
     this Debian 12 build's sandbox-to-host throughput varies widely from
     run to run.  */
  static const enum nook_net_mode order[] = { NOOK_NET_PASTA, NOOK_NET_SLIRP4NETNS };

  for (size_t i = 0; i < 2; i++)
    {
      cleanup_free char *path = nook_net_find_helper (nook_net_mode_name (order[i]));
      if (path)
        return order[i];
    }
  return NOOK_NET_NONE;
}

/* ---- the modes ------------------------------------------------------------------ */

static const struct nook_net_backend no_steps = { 0 };

/* `none` and `host` have no step: spawn.c makes the namespace (and brings
   lo up) or keeps the host's.  */
static const struct nook_net_backend *const backends[NOOK_NET_N_MODES] = {
  [NOOK_NET_NONE] = &no_steps,
  [NOOK_NET_HOST] = &no_steps,
  [NOOK_NET_SLIRP4NETNS] = &nook_net_slirp4netns,
  [NOOK_NET_PASTA] = &nook_net_pasta,
  [NOOK_NET_AUTO] = &no_steps, /* resolved by nook_net_prepare before any step */
  [NOOK_NET_SHARED] = &nook_net_shared,
};

static const struct nook_net_backend *
backend (const struct nook_net *net)
{
  return (unsigned)net->mode < NOOK_NET_N_MODES ? backends[net->mode] : &no_steps;
}

void
nook_net_init (struct nook_net *net)
{
  memset (net, 0, sizeof *net);
  net->helper.pid = -1;
  net->helper.pidfd = net->helper.exit_fd = net->helper.log_fd = net->helper.ready_fd = -1;
  net->member_fd = net->holder_userns = net->holder_netns = -1;
}

int
nook_net_prepare (const struct nook_spec *spec, struct nook_net *net, struct nook_root_plan *plan,
                  struct nook_error *err)
{
  const struct nook_net_backend *b;

  net->mode = spec->net.mode;
  if (net->mode == NOOK_NET_AUTO)
    {
      net->mode = nook_net_auto_mode ();
      if (net->mode == NOOK_NET_NONE)
        {
          nook_error_set (err, 0, "--net auto: neither pasta nor slirp4netns is installed");
          return nook_error_hint (err, "install the passt or the slirp4netns package");
        }
      nook_log ("--net auto: %s", nook_net_mode_name (net->mode));
    }
  b = backend (net);
  if (b->prepare && b->prepare (spec, net, err) < 0)
    return -1;
  return b->etc_files ? b->etc_files (spec, net, plan, err) : 0;
}

int
nook_net_before_clone (struct nook_net *net, struct nook_error *err)
{
  const struct nook_net_backend *b = backend (net);
  return b->before_clone ? b->before_clone (net, err) : 0;
}

int
nook_net_start (const struct nook_spec *spec, struct nook_net *net, pid_t pid, struct nook_error *err)
{
  const struct nook_net_backend *b = backend (net);
  return b->start ? b->start (spec, net, pid, err) : 0;
}

int
nook_net_configure_inside (const struct nook_net *net, struct nook_error *err)
{
  const struct nook_net_backend *b = backend (net);
  return b->configure_inside ? b->configure_inside (net, err) : 0;
}

int
nook_net_watch_fd (const struct nook_net *net)
{
  if (net->mode == NOOK_NET_SHARED)
    return net->holder_died ? -1 : net->member_fd;
  return net->helper.pid > 0 ? net->helper.pidfd : -1;
}

void
nook_net_helper_exited (struct nook_net *net)
{
  const struct nook_net_backend *b = backend (net);
  if (b->exited)
    b->exited (net);
}

bool
nook_net_awaits_ready (const struct nook_net *net)
{
  return backend (net)->ready != NULL;
}

int
nook_net_ready (const struct nook_spec *spec, struct nook_net *net, int sync_fd, struct nook_error *err)
{
  const struct nook_net_backend *b = backend (net);
  return b->ready ? b->ready (spec, net, sync_fd, err) : 0;
}

void
nook_net_halt (struct nook_net *net)
{
  const struct nook_net_backend *b = backend (net);
  if (b->halt)
    b->halt (net);
}

void
nook_net_release (struct nook_net *net)
{
  const struct nook_net_backend *b = backend (net);
  if (b->stop)
    b->stop (net);
}
