/* Shared networks: the registry, the holder process, and joining a sandbox
   to a network.  The ownership design is described in netshare.h.  */
#include <config.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mount.h"
#include "nethelper.h"
#include "net.h"
#include "netshare.h"
#include "rtnl.h"
#include "spec.h"
#include "utils.h"

#define MAX_MEMBERS 253
/* A holder nobody joins (its starter died) does not stay around.  */
#define HOLDER_IDLE_MS 10000

/* ---- the registry ------------------------------------------------------------- */

static char *
networks_dir (struct nook_error *err)
{
  cleanup_free char *runtime = nook_runtime_dir (err);
  char *dir;

  if (runtime == NULL)
    return NULL;
  dir = xasprintf ("%s/networks", runtime);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    {
      nook_error_errno (err, "create `%s`", dir);
      free (dir);
      return NULL;
    }
  return dir;
}

static char *
network_dir (const char *name, struct nook_error *err)
{
  cleanup_free char *dir = networks_dir (err);
  return dir ? xasprintf ("%s/%s", dir, name) : NULL;
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

static bool
overlaps (struct in_addr a, int pa, struct in_addr b, int pb)
{
  int p = pa < pb ? pa : pb;
  uint32_t mask = htonl (~0U << (32 - p));
  return (a.s_addr & mask) == (b.s_addr & mask);
}

static char *
read_subnet (const char *dir)
{
  cleanup_free char *path = xasprintf ("%s/config.json", dir);
  json_object *cfg = json_object_from_file (path), *v;
  char *subnet = NULL;

  if (cfg && json_object_object_get_ex (cfg, "subnet", &v))
    subnet = xstrdup (json_object_get_string (v));
  json_object_put (cfg);
  return subnet;
}

bool
nook_network_exists (const char *name)
{
  struct nook_error ignored = { 0 };
  cleanup_free char *dir = nook_name_is_valid (name) ? network_dir (name, &ignored) : NULL;
  cleanup_free char *subnet = dir ? read_subnet (dir) : NULL;
  nook_error_release (&ignored);
  return subnet != NULL;
}

static pid_t
holder_pid (const char *dir)
{
  cleanup_free char *path = xasprintf ("%s/holder.pid", dir);
  cleanup_free char *text = NULL;
  struct nook_error ignored = { 0 };
  uint64_t pid;

  if (nook_read_file_at (AT_FDCWD, path, &text, NULL, &ignored) < 0)
    {
      nook_error_release (&ignored);
      return 0;
    }
  text[strcspn (text, "\n")] = '\0';
  if (nook_parse_uint (text, INT32_MAX, &pid) < 0 || pid == 0 || kill ((pid_t)pid, 0) < 0)
    return 0;
  return pid;
}

int
nook_network_list (struct nook_network_info **out, size_t *n, struct nook_error *err)
{
  cleanup_free char *dir = networks_dir (err);
  struct dirent **names = NULL;
  int count;

  *out = NULL;
  *n = 0;
  if (dir == NULL)
    return -1;
  count = scandir (dir, &names, NULL, alphasort);
  if (count < 0)
    return nook_error_errno (err, "read `%s`", dir);
  for (int i = 0; i < count; i++)
    {
      cleanup_free char *sub = xasprintf ("%s/%s", dir, names[i]->d_name);
      char *subnet = names[i]->d_name[0] != '.' ? read_subnet (sub) : NULL;
      free (names[i]);
      if (subnet == NULL)
        continue;
      *out = xrealloc (*out, (*n + 1) * sizeof **out);
      (*out)[*n].name = xstrdup (strrchr (sub, '/') + 1);
      (*out)[*n].subnet = subnet;
      (*out)[*n].holder = holder_pid (sub);
      (*out)[*n].members = 0;
      if ((*out)[*n].holder)
        {
          cleanup_free char *hosts_path = xasprintf ("%s/hosts", sub);
          FILE *f = fopen (hosts_path, "re");
          char line[256];
          while (f && fgets (line, sizeof line, f))
            (*out)[*n].members += strstr (line, "# member") != NULL;
          if (f)
            fclose (f);
        }
      (*n)++;
    }
  free (names);
  return 0;
}

void
nook_network_info_free (struct nook_network_info *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (list[i].name);
      free (list[i].subnet);
    }
  free (list);
}

static int
check_overlap (struct in_addr net, int prefix, const char *self, struct nook_error *err)
{
  struct nook_network_info *list;
  size_t n;
  int r = 0;

  if (nook_network_list (&list, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && r == 0; i++)
    {
      struct in_addr other;
      int op;
      if (strcmp (list[i].name, self) == 0 || nook_cidr_parse (list[i].subnet, &other, &op) < 0)
        continue;
      if (overlaps (net, prefix, other, op))
        r = nook_error_set (err, 0, "the subnet overlaps network `%s` (%s)", list[i].name, list[i].subnet);
    }
  nook_network_info_free (list, n);
  return r;
}

int
nook_network_create (const char *name, const char *subnet, struct nook_error *err)
{
  cleanup_free char *dir = NULL;
  cleanup_free char *path = NULL;
  cleanup_free char *chosen = NULL;
  struct in_addr net;
  int prefix;
  json_object *cfg;

  if (!nook_name_is_valid (name))
    return nook_error_set (err, 0,
                           "network name `%s`: use 1 to 63 letters, digits, `_`, `.` or `-`, starting "
                           "with a letter or digit",
                           name);
  if (subnet && nook_cidr_parse (subnet, &net, &prefix) < 0)
    return nook_error_set (err, 0,
                           "--subnet `%s`: use an IPv4 network address with a prefix from /16 to /29, "
                           "such as 10.89.0.0/24",
                           subnet);
  for (int i = 0; subnet == NULL && i < 256; i++)
    {
      struct nook_error ignored = { 0 };
      free (chosen);
      chosen = xasprintf ("10.89.%d.0/24", i);
      nook_cidr_parse (chosen, &net, &prefix);
      if (check_overlap (net, prefix, name, &ignored) == 0)
        subnet = chosen;
      nook_error_release (&ignored);
    }
  if (subnet == NULL)
    return nook_error_set (err, 0, "no free subnet in 10.89.0.0/16: give one with --subnet");
  if (check_overlap (net, prefix, name, err) < 0)
    return nook_error_wrap (err, "--subnet %s", subnet);
  dir = network_dir (name, err);
  if (dir == NULL)
    return -1;
  if (mkdir (dir, 0700) < 0)
    {
      if (errno == EEXIST)
        return nook_error_set (err, 0, "network `%s` already exists", name);
      return nook_error_errno (err, "create `%s`", dir);
    }
  path = xasprintf ("%s/config.json", dir);
  cfg = json_object_new_object ();
  json_object_object_add (cfg, "name", json_object_new_string (name));
  json_object_object_add (cfg, "subnet", json_object_new_string (subnet));
  if (json_object_to_file_ext (path, cfg, JSON_C_TO_STRING_PRETTY) < 0)
    {
      json_object_put (cfg);
      rmdir (dir);
      return nook_error_errno (err, "write `%s`", path);
    }
  json_object_put (cfg);
  return 0;
}

static void
remove_dir_files (const char *dir)
{
  static const char *const files[]
      = { "holder.sock", "holder.pid", "hosts", "slirp.sock", "lock", "config.json", NULL };
  for (size_t i = 0; files[i]; i++)
    {
      cleanup_free char *p = xasprintf ("%s/%s", dir, files[i]);
      unlink (p);
    }
  rmdir (dir);
}

int
nook_network_remove (const char *name, struct nook_error *err)
{
  cleanup_free char *dir = NULL;
  pid_t holder;

  if (!nook_network_exists (name))
    return nook_error_set (err, 0, "no network `%s` (see `nook network ls`)", name);
  dir = network_dir (name, err);
  if (dir == NULL)
    return -1;
  holder = holder_pid (dir);
  if (holder > 0)
    {
      kill (holder, SIGTERM);
      for (int i = 0; i < 100 && kill (holder, 0) == 0; i++)
        usleep (10000);
    }
  remove_dir_files (dir);
  return 0;
}

/* ---- the holder --------------------------------------------------------------- */

#define MAX_MEMBER_PORTS 16

struct member
{
  int fd;
  struct in_addr addr;
  char name[64];
  int fwd[MAX_MEMBER_PORTS]; /* slirp4netns forward ids of the member's published ports */
  size_t n_fwd;
};

/* Addresses in a network's subnet: the bridge is .1; slirp4netns, whose
   tap0 is a port of the bridge, answers as the gateway on .2 and DNS on .3
   (its --cidr layout); members get .4 on.  */
struct holder
{
  const char *dir;
  char *api_sock; /* the network's slirp4netns */
  pid_t slirp;
  struct in_addr net, gw;
  int prefix;
  int listen_fd;
  struct member members[MAX_MEMBERS];
  size_t n_members;
};

/* The network's /etc/hosts, rewritten in place (same inode) so every
   sandbox's read-only bind of it sees the change.  */
static void
holder_write_hosts (struct holder *h)
{
  cleanup_free char *path = xasprintf ("%s/hosts", h->dir);
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  char buf[64 * (MAX_MEMBERS + 4)];
  char a[INET_ADDRSTRLEN];
  size_t len;

  if (fd < 0)
    return;
  len = snprintf (buf, sizeof buf,
                  "# Generated by nook for this network.\n127.0.0.1\tlocalhost\n::1\tlocalhost "
                  "ip6-localhost ip6-loopback\n%s\tgateway\n",
                  inet_ntop (AF_INET, &h->gw, a, sizeof a));
  for (size_t i = 0; i < h->n_members; i++)
    if (h->members[i].name[0])
      len += snprintf (buf + len, sizeof buf - len, "%s\t%s\t# member\n",
                       inet_ntop (AF_INET, &h->members[i].addr, a, sizeof a), h->members[i].name);
  if (ftruncate (fd, 0) == 0)
    nook_write_all (fd, buf, len);
}

static bool
addr_taken (struct holder *h, uint32_t host_addr)
{
  for (size_t i = 0; i < h->n_members; i++)
    if (ntohl (h->members[i].addr.s_addr) == host_addr)
      return true;
  return host_addr <= ntohl (h->net.s_addr) + 3;
}

static int
holder_allocate (struct holder *h, struct in_addr *out)
{
  uint32_t base = ntohl (h->net.s_addr), size = 1U << (32 - h->prefix);

  for (uint32_t a = base + 2; a < base + size - 1; a++)
    if (!addr_taken (h, a))
      {
        out->s_addr = htonl (a);
        return 0;
      }
  return -1;
}

static void
holder_reply (int fd, const char *error, struct holder *h, struct in_addr addr)
{
  json_object *r = json_object_new_object ();
  char a[INET_ADDRSTRLEN];
  const char *text;

  if (error)
    json_object_object_add (r, "error", json_object_new_string (error));
  else
    {
      json_object_object_add (r, "address", json_object_new_string (inet_ntop (AF_INET, &addr, a, sizeof a)));
      json_object_object_add (r, "prefix", json_object_new_int (h->prefix));
      struct in_addr slirp_gw = { htonl (ntohl (h->net.s_addr) + 2) };
      struct in_addr slirp_dns = { htonl (ntohl (h->net.s_addr) + 3) };
      json_object_object_add (r, "gateway",
                              json_object_new_string (inet_ntop (AF_INET, &slirp_gw, a, sizeof a)));
      json_object_object_add (r, "dns",
                              json_object_new_string (inet_ntop (AF_INET, &slirp_dns, a, sizeof a)));
    }
  text = json_object_to_json_string_ext (r, JSON_C_TO_STRING_PLAIN);
  nook_write_all (fd, text, strlen (text));
  json_object_put (r);
}

/* Publishes the member's ports ("ports": [[HOST_IP, HOST_PORT, PORT, UDP]...])
   to its address through the network's slirp4netns.  */
static int
holder_publish (struct holder *h, struct member *m, json_object *req, char *error, size_t len)
{
  json_object *ports;
  char a[INET_ADDRSTRLEN];

  if (req == NULL || !json_object_object_get_ex (req, "ports", &ports))
    return 0;
  inet_ntop (AF_INET, &m->addr, a, sizeof a);
  for (size_t i = 0; i < json_object_array_length (ports) && i < MAX_MEMBER_PORTS; i++)
    {
      json_object *e = json_object_array_get_idx (ports, i);
      struct nook_port_map p = { 0 };
      struct nook_error err = { 0 };
      snprintf (p.host_ip, sizeof p.host_ip, "%s", json_object_get_string (json_object_array_get_idx (e, 0)));
      p.host_port = json_object_get_int (json_object_array_get_idx (e, 1));
      p.port = json_object_get_int (json_object_array_get_idx (e, 2));
      p.udp = json_object_get_boolean (json_object_array_get_idx (e, 3));
      if (nook_slirp_add_hostfwd (h->api_sock, &p, a, &m->fwd[m->n_fwd], &err) < 0)
        {
          snprintf (error, len, "%s", err.msg);
          nook_error_release (&err);
          return -1;
        }
      m->n_fwd++;
    }
  return 0;
}

static void
holder_unpublish (struct holder *h, struct member *m)
{
  for (size_t i = 0; i < m->n_fwd; i++)
    nook_slirp_remove_hostfwd (h->api_sock, m->fwd[i]);
  m->n_fwd = 0;
}

/* A join request: {"name": NAME or "", "ports": [...]}.  The connection stays open for as
   long as the sandbox is a member.  */
static void
holder_accept (struct holder *h)
{
  int fd = accept4 (h->listen_fd, NULL, NULL, SOCK_CLOEXEC);
  char buf[512];
  ssize_t n;
  json_object *req, *v;
  const char *name = "";
  struct member *m;
  char error[512];

  if (fd < 0)
    return;
  n = read (fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  req = json_tokener_parse (buf);
  if (req && json_object_object_get_ex (req, "name", &v))
    name = json_object_get_string (v);
  for (size_t i = 0; *name && i < h->n_members; i++)
    if (strcmp (h->members[i].name, name) == 0)
      {
        holder_reply (fd, "a sandbox with this name is already on the network", h, h->gw);
        goto drop;
      }
  if (h->n_members == MAX_MEMBERS)
    {
      holder_reply (fd, "the network is full", h, h->gw);
      goto drop;
    }
  m = &h->members[h->n_members];
  if (holder_allocate (h, &m->addr) < 0)
    {
      holder_reply (fd, "no free address in the subnet", h, h->gw);
      goto drop;
    }
  m->fd = fd;
  m->n_fwd = 0;
  snprintf (m->name, sizeof m->name, "%s", name);
  if (holder_publish (h, m, req, error, sizeof error) < 0)
    {
      holder_unpublish (h, m);
      holder_reply (fd, error, h, h->gw);
      goto drop;
    }
  h->n_members++;
  holder_write_hosts (h);
  holder_reply (fd, NULL, h, m->addr);
  json_object_put (req);
  return;
drop:
  json_object_put (req);
  close (fd);
}

static void
holder_drop (struct holder *h, size_t i)
{
  holder_unpublish (h, &h->members[i]);
  close (h->members[i].fd);
  h->members[i] = h->members[--h->n_members];
  holder_write_hosts (h);
}

/* Whether the holder may exit: no member, and nobody waiting to join.  The
   caller holds the network's lock, which a joining nook takes too.  */
static bool
holder_idle (struct holder *h)
{
  struct pollfd p = { h->listen_fd, POLLIN, 0 };
  return h->n_members == 0 && poll (&p, 1, 0) == 0;
}

static void
holder_loop (struct holder *h, int lock_fd)
{
  bool ever = false;

  for (;;)
    {
      struct pollfd pfd[MAX_MEMBERS + 1];
      int r;

      pfd[0] = (struct pollfd){ h->listen_fd, POLLIN, 0 };
      for (size_t i = 0; i < h->n_members; i++)
        pfd[i + 1] = (struct pollfd){ h->members[i].fd, POLLIN, 0 };
      /* Without members, look again soon: a nook that holds the lock may
         be about to connect, or may have given up.  */
      r = poll (pfd, h->n_members + 1, !ever ? HOLDER_IDLE_MS : h->n_members ? -1 : 100);
      if (r < 0 && errno != EINTR)
        return;
      for (size_t i = h->n_members; i > 0; i--)
        if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR))
          holder_drop (h, i - 1);
      if (pfd[0].revents & POLLIN)
        {
          holder_accept (h);
          ever = true;
        }
      /* Never wait for the lock: the nook holding it waits for this
         process to answer its join.  */
      if (h->n_members == 0 && (ever || r == 0) && flock (lock_fd, LOCK_EX | LOCK_NB) == 0)
        {
          if (holder_idle (h))
            return; /* the lock is released at exit, after the cleanup */
          flock (lock_fd, LOCK_UN);
        }
    }
}

/* The holder maps the caller to root of its user namespace: a process may
   map its own ids without privileges (setgroups denied first).  */
static int
write_self_maps (uid_t uid, gid_t gid, struct nook_error *err)
{
  char map[64];
  int n;

  if (nook_write_file_at (AT_FDCWD, "/proc/self/setgroups", "deny", 4, err) < 0)
    return -1;
  n = snprintf (map, sizeof map, "0 %u 1\n", (unsigned)uid);
  if (nook_write_file_at (AT_FDCWD, "/proc/self/uid_map", map, n, err) < 0)
    return -1;
  n = snprintf (map, sizeof map, "0 %u 1\n", (unsigned)gid);
  return nook_write_file_at (AT_FDCWD, "/proc/self/gid_map", map, n, err);
}

static void __attribute__ ((noreturn))
slirp_child (struct holder *h, const char *path, int go, int ready, int exit_fd)
{
  char cidr[32], pidstr[16], addr[INET_ADDRSTRLEN], c;
  char *argv[] = { (char *)"slirp4netns",
                   (char *)"--mtu=1500",
                   (char *)"--disable-host-loopback",
                   (char *)"--enable-sandbox",
                   (char *)"--enable-seccomp",
                   (char *)"--cidr",
                   cidr,
                   (char *)"--ready-fd=3",
                   (char *)"--exit-fd=4",
                   (char *)"--api-socket",
                   h->api_sock,
                   pidstr,
                   (char *)"tap0",
                   NULL };
  pid_t holder = getppid ();
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

  if (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () != holder)
    _exit (1);
  if (read (go, &c, 1) != 1)
    _exit (1);
  snprintf (cidr, sizeof cidr, "%s/%d", inet_ntop (AF_INET, &h->net, addr, sizeof addr), h->prefix);
  snprintf (pidstr, sizeof pidstr, "%d", (int)holder);
  if (dup2 (ready, 100) < 0 || dup2 (exit_fd, 101) < 0 || dup2 (100, 3) < 0 || dup2 (101, 4) < 0)
    _exit (1);
  dup2 (null, 0);
  dup2 (null, 1);
  dup2 (null, 2);
  close_range (5, ~0U, 0);
  execv (path, argv);
  _exit (127);
}

static int
holder_setup (struct holder *h, struct nook_error *err)
{
  cleanup_free char *sock = xasprintf ("%s/holder.sock", h->dir);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  uid_t uid = getuid ();
  gid_t gid = getgid ();

  int go[2], ready[2], exitp[2];
  cleanup_free char *slirp = nook_net_find_helper ("slirp4netns");

  if (slirp == NULL)
    {
      nook_error_set (err, 0, "`slirp4netns` is not installed (not found in PATH)");
      return nook_error_hint (err, "install the slirp4netns package");
    }
  if (pipe2 (go, O_CLOEXEC) < 0 || pipe2 (ready, O_CLOEXEC) < 0 || pipe2 (exitp, O_CLOEXEC) < 0)
    return nook_error_errno (err, "pipe");
  /* slirp4netns must run in the host's namespaces: fork it before
     unsharing; it starts once the namespaces exist.  */
  h->slirp = fork ();
  if (h->slirp < 0)
    return nook_error_errno (err, "fork");
  if (h->slirp == 0)
    slirp_child (h, slirp, go[0], ready[1], exitp[0]);
  close (go[0]);
  close (ready[1]);
  close (exitp[0]);
  if (unshare (CLONE_NEWUSER | CLONE_NEWNET) < 0)
    return nook_error_errno (err, "create the network's namespaces");
  if (write_self_maps (uid, gid, err) < 0)
    return nook_error_wrap (err, "map the network's user namespace");
  if (nook_net_loopback_up (err) < 0 || nook_rtnl_bridge_add (NOOK_NETSHARE_BRIDGE, err) < 0
      || nook_rtnl_addr_add (NOOK_NETSHARE_BRIDGE, h->gw, h->prefix, err) < 0
      || nook_rtnl_link_setup (NOOK_NETSHARE_BRIDGE, NULL, NULL, err) < 0)
    return -1;
  /* The exit fd's write end stays open in the holder only: slirp4netns
     stops when the holder does.  */
  if (nook_write_all (go[1], "g", 1) != 1)
    return nook_error_errno (err, "start slirp4netns");
  close (go[1]);
  {
    struct pollfd p = { ready[0], POLLIN, 0 };
    char c;
    if (poll (&p, 1, 10000) != 1 || read (ready[0], &c, 1) != 1)
      return nook_error_set (err, 0, "slirp4netns for the network did not start");
    close (ready[0]);
  }
  if (nook_rtnl_link_setup ("tap0", NOOK_NETSHARE_BRIDGE, NULL, err) < 0)
    return nook_error_wrap (err, "plug slirp4netns into the bridge");
  h->listen_fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (h->listen_fd < 0 || strlen (sock) >= sizeof sa.sun_path)
    return nook_error_errno (err, "holder socket");
  strcpy (sa.sun_path, sock);
  unlink (sock);
  if (bind (h->listen_fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen (h->listen_fd, 64) < 0)
    return nook_error_errno (err, "listen on `%s`", sock);
  holder_write_hosts (h);
  return 0;
}

/* The holder: a grandchild of the nook that starts it (so it belongs to no
   sandbox and no terminal), reporting "ok" or an error on READY_FD.  */
static void __attribute__ ((noreturn)) holder_main (const char *dir, const char *subnet, int ready_fd)
{
  /* Its own open file description: flock locks belong to one.  */
  cleanup_free char *lock = xasprintf ("%s/lock", dir);
  int lock_fd = open (lock, O_RDWR | O_CLOEXEC);
  struct holder h = { .dir = dir, .listen_fd = -1 };
  struct nook_error err = { 0 };
  cleanup_free char *pidfile = xasprintf ("%s/holder.pid", dir);
  cleanup_free char *sock = xasprintf ("%s/holder.sock", dir);
  cleanup_free char *hosts = xasprintf ("%s/hosts", dir);
  char pid[16];
  int null = open ("/dev/null", O_RDWR | O_CLOEXEC);

  prctl (PR_SET_NAME, "nook-netholder");
  h.api_sock = xasprintf ("%s/slirp.sock", dir);
  unlink (h.api_sock);
  nook_cidr_parse (subnet, &h.net, &h.prefix);
  h.gw.s_addr = htonl (ntohl (h.net.s_addr) + 1);
  if (holder_setup (&h, &err) < 0)
    {
      nook_write_all (ready_fd, err.msg, strlen (err.msg));
      _exit (1);
    }
  snprintf (pid, sizeof pid, "%d\n", (int)getpid ());
  {
    cleanup_close int pfd = open (pidfile, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (pfd >= 0)
      nook_write_all (pfd, pid, strlen (pid));
  }
  nook_write_all (ready_fd, "ok", 2);
  close (ready_fd);
  dup2 (null, 0);
  dup2 (null, 1);
  dup2 (null, 2);
  close (null);
  signal (SIGTERM, SIG_DFL);
  holder_loop (&h, lock_fd);
  /* Stop and reap the network's slirp4netns here rather than leave it to
     the exit fd and an init that may reap late.  */
  kill (h.slirp, SIGKILL);
  waitpid (h.slirp, NULL, 0);
  unlink (sock);
  unlink (pidfile);
  unlink (hosts);
  unlink (h.api_sock);
  _exit (0);
}

static int
holder_start (const char *dir, const char *subnet, struct nook_error *err)
{
  int p[2];
  pid_t child;
  char buf[1024];
  ssize_t n;
  int status;

  if (pipe2 (p, O_CLOEXEC) < 0)
    return nook_error_errno (err, "pipe");
  child = fork ();
  if (child < 0)
    return nook_error_errno (err, "start the network's holder");
  if (child == 0)
    {
      setsid ();
      if (fork () != 0)
        _exit (0);
      /* Nothing of the caller's crosses into a process that outlives it.  */
      if (dup2 (p[1], 3) < 0)
        _exit (1);
      close_range (4, ~0U, 0);
      holder_main (dir, subnet, 3);
    }
  close (p[1]);
  waitpid (child, &status, 0);
  n = read (p[0], buf, sizeof buf - 1);
  close (p[0]);
  buf[n > 0 ? n : 0] = '\0';
  if (strcmp (buf, "ok") != 0)
    return nook_error_set (err, 0, "start the network's holder: %s", n > 0 ? buf : "it exited");
  return 0;
}

/* ---- joining ------------------------------------------------------------------- */

static json_object *
join_request (const struct nook_spec *spec)
{
  json_object *req = json_object_new_object (), *ports = json_object_new_array ();

  json_object_object_add (req, "name", json_object_new_string (spec->name ? spec->name : ""));
  for (size_t i = 0; i < spec->net.n_ports; i++)
    {
      const struct nook_port_map *p = &spec->net.ports[i];
      json_object *e = json_object_new_array ();
      json_object_array_add (e, json_object_new_string (p->host_ip[0] ? p->host_ip : "0.0.0.0"));
      json_object_array_add (e, json_object_new_int (p->host_port));
      json_object_array_add (e, json_object_new_int (p->port));
      json_object_array_add (e, json_object_new_boolean (p->udp));
      json_object_array_add (ports, e);
    }
  json_object_object_add (req, "ports", ports);
  return req;
}

static int
holder_connect (const char *dir, const struct nook_spec *spec, struct nook_net *net, struct nook_error *err)
{
  cleanup_free char *sock = xasprintf ("%s/holder.sock", dir);
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  json_object *req = join_request (spec), *resp, *v;
  const char *text;
  char buf[512];
  ssize_t n;

  snprintf (sa.sun_path, sizeof sa.sun_path, "%s", sock);
  if (fd < 0 || connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    {
      json_object_put (req);
      return nook_error_errno (err, "connect to the network's holder");
    }
  text = json_object_to_json_string_ext (req, JSON_C_TO_STRING_PLAIN);
  nook_write_all (fd, text, strlen (text));
  json_object_put (req);
  n = read (fd, buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = '\0';
  resp = json_tokener_parse (buf);
  if (resp == NULL)
    return nook_error_set (err, 0, "the network's holder did not answer");
  if (json_object_object_get_ex (resp, "error", &v))
    {
      nook_error_set (err, 0, "%s", json_object_get_string (v));
      json_object_put (resp);
      return -1;
    }
  if (!json_object_object_get_ex (resp, "address", &v)
      || inet_pton (AF_INET, json_object_get_string (v), &net->addr) != 1
      || !json_object_object_get_ex (resp, "gateway", &v)
      || inet_pton (AF_INET, json_object_get_string (v), &net->gateway) != 1
      || !json_object_object_get_ex (resp, "dns", &v)
      || inet_pton (AF_INET, json_object_get_string (v), &net->dns) != 1
      || !json_object_object_get_ex (resp, "prefix", &v))
    {
      json_object_put (resp);
      return nook_error_set (err, 0, "the network's holder answered `%s`", buf);
    }
  net->prefix = json_object_get_int (v);
  json_object_put (resp);
  net->member_fd = steal_fd (&fd);
  return 0;
}

static int
open_holder_ns (struct nook_net *net, struct nook_error *err)
{
  char path[64];

  snprintf (path, sizeof path, "/proc/%d/ns/user", (int)net->holder);
  net->holder_userns = open (path, O_RDONLY | O_CLOEXEC);
  snprintf (path, sizeof path, "/proc/%d/ns/net", (int)net->holder);
  net->holder_netns = open (path, O_RDONLY | O_CLOEXEC);
  if (net->holder_userns < 0 || net->holder_netns < 0)
    return nook_error_errno (err, "open the network's namespaces");
  return 0;
}

int
nook_netshare_join (const struct nook_spec *spec, struct nook_net *net, struct nook_root_plan *plan,
                    struct nook_error *err)
{
  const char *name = spec->net.network;
  cleanup_free char *dir = NULL;
  cleanup_free char *subnet = NULL;
  cleanup_free char *lock = NULL;
  cleanup_free char *hosts = NULL;
  cleanup_close int lock_fd = -1;
  int r;

  net->network = xstrdup (name);
  if (!nook_network_exists (name))
    {
      nook_error_set (
          err, 0, "--net `%s`: no such mode or network (modes: none, host, slirp4netns, pasta, auto)", name);
      return nook_error_hint (err, "create the network with `nook network create %s`", name);
    }
  dir = network_dir (name, err);
  if (dir == NULL)
    return -1;
  subnet = read_subnet (dir);
  lock = xasprintf ("%s/lock", dir);
  lock_fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) < 0)
    return nook_error_errno (err, "lock network `%s`", name);
  net->holder = holder_pid (dir);
  if (net->holder == 0)
    {
      if (holder_start (dir, subnet, err) < 0)
        return nook_error_wrap (err, "network `%s`", name);
      net->holder = holder_pid (dir);
    }
  for (size_t i = 0; i < spec->net.n_ports; i++)
    if (nook_net_check_port_free (&spec->net.ports[i], err) < 0)
      return -1;
  r = holder_connect (dir, spec, net, err);
  if (r == 0)
    r = open_holder_ns (net, err);
  flock (lock_fd, LOCK_UN);
  if (r < 0)
    return nook_error_wrap (err, "network `%s`", name);
  snprintf (net->veth, sizeof net->veth, "nk%d", (int)getpid ());
  snprintf (net->peer, sizeof net->peer, "nkp%d", (int)getpid ());
  hosts = xasprintf ("%s/hosts", dir);
  /* Bound, not copied: the holder rewrites it in place as members come and
     go, so names of later members resolve too.  */
  nook_root_plan_add_bind (plan, hosts, "/etc/hosts");
  {
    char a[INET_ADDRSTRLEN];
    cleanup_free char *resolv = xasprintf ("# Generated by nook for network %s.\nnameserver %s\n", name,
                                           inet_ntop (AF_INET, &net->dns, a, sizeof a));
    nook_root_plan_add_file (plan, "/etc/resolv.conf", resolv);
  }
  return 0;
}

int
nook_netshare_enter (struct nook_net *net, struct nook_error *err)
{
  if (setns (net->holder_userns, CLONE_NEWUSER) < 0)
    return nook_error_errno (err, "enter the network's user namespace");
  return 0;
}

int
nook_netshare_attach (struct nook_net *net, pid_t pid, struct nook_error *err)
{
  if (setns (net->holder_netns, CLONE_NEWNET) < 0)
    return nook_error_errno (err, "enter the network's namespace");
  if (nook_rtnl_veth_add (net->veth, net->peer, pid, err) < 0
      || nook_rtnl_link_setup (net->veth, NOOK_NETSHARE_BRIDGE, NULL, err) < 0)
    return nook_error_wrap (err, "network `%s`", net->network);
  return 0;
}

int
nook_netshare_configure (const struct nook_net *net, struct nook_error *err)
{
  if (nook_rtnl_link_setup (net->peer, NULL, "eth0", err) < 0
      || nook_rtnl_addr_add ("eth0", net->addr, net->prefix, err) < 0
      || nook_rtnl_route_default (net->gateway, err) < 0)
    return nook_error_wrap (err, "network `%s`", net->network);
  return 0;
}

void
nook_netshare_release (struct nook_net *net)
{
  nook_closep (&net->member_fd);
  nook_closep (&net->holder_userns);
  nook_closep (&net->holder_netns);
  net->member_fd = net->holder_userns = net->holder_netns = -1;
  free (net->network);
  net->network = NULL;
}
