#include <config.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mount.h"
#include "net.h"
#include "nethelper.h"
#include "netshare.h"
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
  for (size_t i = 0; i < NOOK_NET_SHARED; i++)
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

int
nook_port_parse (const char *s, struct nook_port_map *out, struct nook_error *err)
{
  const char *slash = strchr (s, '/'), *end = slash ? slash : s + strlen (s);
  const char *colon = memrchr (s, ':', end - s), *first;
  struct in_addr addr;

  memset (out, 0, sizeof *out);
  if (slash && strcmp (slash, "/udp") == 0)
    out->udp = true;
  else if (slash && strcmp (slash, "/tcp") != 0)
    goto bad;
  if (colon == NULL || parse_port (colon + 1, end - colon - 1, &out->port) < 0)
    goto bad;
  first = memrchr (s, ':', colon - s);
  if (first)
    {
      size_t n = first - s;
      if (n == 0 || n >= sizeof out->host_ip)
        goto bad;
      memcpy (out->host_ip, s, n);
      out->host_ip[n] = '\0';
      if (inet_pton (AF_INET, out->host_ip, &addr) != 1)
        return nook_error_set (err, 0, "--publish `%s`: `%s` is not an IPv4 address", s, out->host_ip);
    }
  if (parse_port (first ? first + 1 : s, colon - (first ? first + 1 : s), &out->host_port) < 0)
    goto bad;
  return 0;
bad:
  return nook_error_set (err, 0, "--publish `%s`: use [HOST_IP:]HOST_PORT:PORT[/tcp|/udp] with ports 1-65535",
                         s);
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
  static const enum nook_net_mode order[] = { NOOK_NET_PASTA, NOOK_NET_SLIRP4NETNS };

  for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
    {
      cleanup_free char *path = nook_net_find_helper (nook_net_mode_name (order[i]));
      if (path)
        return order[i];
    }
  return NOOK_NET_NONE;
}

int
nook_net_check_tun (struct nook_error *err)
{
  cleanup_close int fd = open ("/dev/net/tun", O_RDWR | O_CLOEXEC);

  if (fd >= 0)
    return 0;
  nook_error_errno (err, "/dev/net/tun is not accessible");
  if (errno == ENOENT)
    return nook_error_hint (err, "load the tun module: `sudo modprobe tun`");
  return nook_error_hint (err, "distributions ship it with mode 0666: `sudo chmod 0666 /dev/net/tun`");
}

/* A published host port that something already holds fails here, before
   any process exists, naming the port.  SO_REUSEADDR as the helpers use it:
   only a listener (or a bound UDP socket) counts as taken, not a
   connection in TIME_WAIT.  */
int
nook_net_check_port_free (const struct nook_port_map *p, struct nook_error *err)
{
  struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons (p->host_port) };
  cleanup_close int fd = socket (AF_INET, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
  int one = 1;

  if (fd < 0)
    return nook_error_errno (err, "socket");
  if (p->host_ip[0])
    inet_pton (AF_INET, p->host_ip, &sa.sin_addr);
  if (!p->udp)
    setsockopt (fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (bind (fd, (struct sockaddr *)&sa, sizeof sa) == 0)
    return 0;
  nook_error_errno (err, "--publish: host port %u/%s%s%s", p->host_port, p->udp ? "udp" : "tcp",
                    p->host_ip[0] ? " on " : "", p->host_ip);
  if (errno == EADDRINUSE)
    return nook_error_hint (err, "another process listens on it; choose another host port");
  if (errno == EACCES)
    return nook_error_hint (err, "ports below %s need privileges; choose a higher host port",
                            "net.ipv4.ip_unprivileged_port_start");
  return -1;
}

/* ---- /etc/resolv.conf and /etc/hosts ----------------------------------------- */

static char *
resolv_conf (const struct nook_spec *spec, enum nook_net_mode mode)
{
  char *out = xstrdup ("# Generated by nook for this sandbox.\n");

  if (spec->net.dns)
    for (size_t i = 0; spec->net.dns[i]; i++)
      {
        char *next = xasprintf ("%snameserver %s\n", out, spec->net.dns[i]);
        free (out);
        out = next;
      }
  else
    {
      char *next
          = xasprintf ("%snameserver %s\n", out, mode == NOOK_NET_PASTA ? NOOK_PASTA_DNS : NOOK_SLIRP_DNS);
      free (out);
      out = next;
    }
  return out;
}

static char *
etc_hosts (const struct nook_spec *spec, enum nook_net_mode mode)
{
  const char *host = nook_spec_hostname (spec);
  const char *name = spec->name && strcmp (spec->name, host) != 0 ? spec->name : "";
  /* pasta copies the host's address, which nook does not choose: the
     hostname gets the loopback alias Debian uses for it.  */
  const char *self = mode == NOOK_NET_SLIRP4NETNS ? NOOK_SLIRP_GUEST : "127.0.1.1";

  return xasprintf ("# Generated by nook for this sandbox.\n"
                    "127.0.0.1\tlocalhost\n"
                    "::1\tlocalhost ip6-localhost ip6-loopback\n"
                    "%s\t%s%s%s\n",
                    self, host, *name ? " " : "", name);
}

int
nook_net_prepare (const struct nook_spec *spec, struct nook_net *net, struct nook_root_plan *plan,
                  struct nook_error *err)
{
  const char *helper;
  cleanup_free char *resolv = NULL;
  cleanup_free char *hosts = NULL;

  net->mode = spec->net.mode;
  if (net->mode == NOOK_NET_SHARED)
    return nook_netshare_join (spec, net, plan, err);
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
  if (net->mode != NOOK_NET_SLIRP4NETNS && net->mode != NOOK_NET_PASTA)
    return 0;

  helper = nook_net_mode_name (net->mode);
  net->helper.name = helper;
  net->helper_path = nook_net_find_helper (helper);
  if (net->helper_path == NULL)
    {
      nook_error_set (err, 0, "--net %s: `%s` is not installed (not found in PATH)", helper, helper);
      return nook_error_hint (err, "install the %s package", net->mode == NOOK_NET_PASTA ? "passt" : helper);
    }
  if (nook_net_check_tun (err) < 0)
    return nook_error_wrap (err, "--net %s", helper);
  for (size_t i = 0; i < spec->net.n_ports; i++)
    if (nook_net_check_port_free (&spec->net.ports[i], err) < 0)
      return -1;

  resolv = resolv_conf (spec, net->mode);
  hosts = etc_hosts (spec, net->mode);
  nook_root_plan_add_file (plan, "/etc/resolv.conf", resolv);
  nook_root_plan_add_file (plan, "/etc/hosts", hosts);
  return 0;
}

/* ---- helper processes ----------------------------------------------------------- */

static void __attribute__ ((noreturn))
helper_child (const char *path, char *const *argv, const int *fds, size_t n_fds, int log_fd, pid_t parent)
{
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  int moved[16];

  /* The helper must not outlive nook, even when nook is SIGKILLed; if nook
     died before the prctl, the parent is already someone else.  */
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != parent)
    _exit (127);
  /* A signal for nook's process group (^C) is for nook to handle: it stops
     the helper itself, after the sandbox.  */
  setpgid (0, 0);
  if (null < 0 || n_fds > 16)
    _exit (127);
  /* Move first, then place: a source may sit where a target goes.  */
  for (size_t i = 0; i < n_fds; i++)
    if ((moved[i] = fcntl (fds[i], F_DUPFD_CLOEXEC, 64)) < 0)
      _exit (127);
  if (dup2 (null, 0) < 0 || dup2 (null, 1) < 0 || dup2 (log_fd, 2) < 0)
    _exit (127);
  for (size_t i = 0; i < n_fds; i++)
    if (dup2 (moved[i], 3 + i) < 0)
      _exit (127);
  close_range (3 + n_fds, ~0U, 0);
  execv (path, argv);
  dprintf (2, "cannot execute %s: %s\n", path, strerror (errno));
  _exit (127);
}

int
nook_helper_spawn (struct nook_net_helper *h, const char *path, char *const *argv, const int *fds,
                   size_t n_fds, struct nook_error *err)
{
  pid_t parent = getpid ();
  pid_t pid;

  h->log_fd = memfd_create ("nook-net-helper-log", MFD_CLOEXEC);
  if (h->log_fd < 0)
    return nook_error_errno (err, "memfd_create");
  pid = fork ();
  if (pid < 0)
    return nook_error_errno (err, "start %s", h->name);
  if (pid == 0)
    helper_child (path, argv, fds, n_fds, h->log_fd, parent);
  h->pid = pid;
  h->pidfd = syscall (SYS_pidfd_open, pid, 0);
  if (h->pidfd < 0)
    return nook_error_errno (err, "pidfd_open %s", h->name);
  nook_log ("%s started (pid %d)", h->name, pid);
  return 0;
}

/* Lines helpers print that say nothing about a failure.  */
static bool
is_noise (const char *line)
{
  return strncmp (line, "Failed to send", 14) == 0 || strncmp (line, "WARNING: Support for seccomp", 28) == 0
         || strncmp (line, "sent tapfd", 10) == 0 || strncmp (line, "received tapfd", 14) == 0;
}

const char *
nook_helper_last_message (const struct nook_net_helper *h)
{
  static char last[512];
  char buf[8192];
  ssize_t n;
  off_t size;

  last[0] = '\0';
  if (h->log_fd < 0 || (size = lseek (h->log_fd, 0, SEEK_END)) <= 0)
    return last;
  n = pread (h->log_fd, buf, sizeof buf - 1, size > (off_t)sizeof buf - 1 ? size - (off_t)sizeof buf + 1 : 0);
  if (n <= 0)
    return last;
  buf[n] = '\0';
  for (char *save = NULL, *line = strtok_r (buf, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (*line && !is_noise (line))
      snprintf (last, sizeof last, "%s", line);
  return last;
}

static void
describe_status (int status, char *buf, size_t len)
{
  if (WIFEXITED (status))
    snprintf (buf, len, "status %d", WEXITSTATUS (status));
  else
    snprintf (buf, len, "killed by signal %d", WTERMSIG (status));
}

static void
helper_reap (struct nook_net_helper *h)
{
  siginfo_t info = { 0 };

  if (h->pid <= 0)
    return;
  if (waitid (P_PIDFD, h->pidfd, &info, WEXITED) == 0)
    h->wait_status = info.si_code == CLD_EXITED ? W_EXITCODE (info.si_status, 0) : info.si_status;
  h->pid = -1;
}

int
nook_helper_wait_ready (struct nook_net_helper *h, int ready_fd, int timeout_ms, struct nook_error *err)
{
  struct pollfd pfd[2] = { { ready_fd, POLLIN, 0 }, { h->pidfd, POLLIN, 0 } };
  const char *last;
  char why[64];
  int r;

  do
    r = poll (pfd, 2, timeout_ms);
  while (r < 0 && errno == EINTR);
  if (r < 0)
    return nook_error_errno (err, "wait for %s", h->name);
  if (r == 0)
    return nook_error_set (err, 0, "%s did not get ready within %d ms", h->name, timeout_ms);
  if (pfd[0].revents & POLLIN)
    return 0;
  /* The ready fd hung up without a word, or the helper exited.  */
  helper_reap (h);
  describe_status (h->wait_status, why, sizeof why);
  last = nook_helper_last_message (h);
  return nook_error_set (err, 0, "%s exited during setup (%s)%s%s", h->name, why, *last ? ": " : "", last);
}

void
nook_net_init (struct nook_net *net)
{
  memset (net, 0, sizeof *net);
  net->helper.pid = -1;
  net->helper.pidfd = net->helper.exit_fd = net->helper.log_fd = -1;
  net->member_fd = net->holder_userns = net->holder_netns = -1;
}

int
nook_net_before_clone (struct nook_net *net, struct nook_error *err)
{
  return net->mode == NOOK_NET_SHARED ? nook_netshare_enter (net, err) : 0;
}

int
nook_net_configure_inside (const struct nook_net *net, struct nook_error *err)
{
  return net->mode == NOOK_NET_SHARED ? nook_netshare_configure (net, err) : 0;
}

int
nook_net_start (const struct nook_spec *spec, struct nook_net *net, pid_t pid, struct nook_error *err)
{
  switch (net->mode)
    {
    case NOOK_NET_SLIRP4NETNS:
      return nook_slirp_start (spec, net, pid, err);
    case NOOK_NET_PASTA:
      return nook_pasta_start (spec, net, pid, err);
    case NOOK_NET_SHARED:
      return nook_netshare_attach (net, pid, err);
    default:
      return 0;
    }
}

int
nook_net_watch_fd (const struct nook_net *net)
{
  return net->helper.pid > 0 ? net->helper.pidfd : -1;
}

void
nook_net_helper_exited (struct nook_net *net)
{
  helper_reap (&net->helper);
  net->helper.died = true;
}

void
nook_net_release (struct nook_net *net)
{
  struct nook_net_helper *h = &net->helper;

  if (h->died)
    {
      char why[64];
      const char *last = nook_helper_last_message (h);
      describe_status (h->wait_status, why, sizeof why);
      nook_warn ("%s exited while the sandbox ran (%s)%s%s: the sandbox lost its network", h->name, why,
                 *last ? ": " : "", last);
    }
  nook_closep (&h->exit_fd);
  h->exit_fd = -1;
  if (h->pid > 0)
    {
      /* It keeps no state worth flushing: stop it at once.  */
      syscall (SYS_pidfd_send_signal, h->pidfd, SIGKILL, NULL, 0);
      helper_reap (h);
    }
  nook_closep (&h->pidfd);
  nook_closep (&h->log_fd);
  h->pidfd = h->log_fd = -1;
  free (net->helper_path);
  net->helper_path = NULL;
  nook_netshare_release (net);
}
