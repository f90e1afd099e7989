/* nook: shared networks: the registry of networks (`nook network
 * create/ls/rm`) and the `--net NAME` backend that joins a sandbox to one.
 * The holder process that runs each network is netholder.c's; the
 * ownership design is described in netshare.h.
 */
#include <config.h>

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "mount.h"
#include "net-backend.h"
#include "net.h"
#include "nethelper.h"
#include "netholder.h"
#include "netshare.h"
#include "rtnl.h"
#include "spec.h"
#include "utils.h"

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
      (*out)[*n].holder = nook_netholder_pid (sub);
      (*out)[*n].members = 0;
      if ((*out)[*n].holder)
        {
          cleanup_free char *hosts_path = xasprintf ("%s/" NOOK_NETHOLDER_HOSTS, sub);
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
  static const char *const files[] = { NOOK_NETHOLDER_SOCK,
                                       NOOK_NETHOLDER_PID,
                                       NOOK_NETHOLDER_HOSTS,
                                       NOOK_NETHOLDER_SLIRP_SOCK,
                                       NOOK_NETHOLDER_LOCK,
                                       "config.json",
                                       NULL };
  DIR *d = opendir (dir);
  struct dirent *e;

  for (size_t i = 0; files[i]; i++)
    {
      cleanup_free char *p = xasprintf ("%s/%s", dir, files[i]);
      unlink (p);
    }
  /* The members' own hosts files, hosts-ADDR.  */
  while (d && (e = readdir (d)))
    if (strncmp (e->d_name, NOOK_NETHOLDER_HOSTS "-", strlen (NOOK_NETHOLDER_HOSTS) + 1) == 0)
      unlinkat (dirfd (d), e->d_name, 0);
  if (d)
    closedir (d);
  rmdir (dir);
}

int
nook_network_remove (const char *name, struct nook_error *err)
{
  cleanup_free char *dir = NULL;

  if (!nook_network_exists (name))
    return nook_error_set (err, 0, "no network `%s` (see `nook network ls`)", name);
  dir = network_dir (name, err);
  if (dir == NULL)
    return -1;
  nook_netholder_stop (dir);
  remove_dir_files (dir);
  return 0;
}

/* ---- the `--net NAME` backend ----------------------------------------------- */

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

/* Under the network's lock: the holder, started when none runs, answers
   the join before it could decide to exit.  */
static int
join_locked (const struct nook_spec *spec, struct nook_net *net, const char *dir, struct nook_error *err)
{
  struct nook_netholder_lease lease = { .fd = -1 };
  cleanup_free char *subnet = read_subnet (dir);

  net->holder = nook_netholder_pid (dir);
  if (net->holder == 0)
    {
      if (nook_netholder_start (dir, subnet, err) < 0)
        return nook_error_wrap (err, "network `%s`", net->network);
      net->holder = nook_netholder_pid (dir);
    }
  for (size_t i = 0; i < spec->net.n_ports; i++)
    if (nook_net_check_port_free (&spec->net.ports[i], err) < 0)
      return -1;
  if (nook_netholder_join (dir, spec->name, nook_spec_hostname (spec), spec->net.ports, spec->net.n_ports,
                           &lease, err)
          < 0
      || open_holder_ns (net, err) < 0)
    {
      nook_closep (&lease.fd);
      return nook_error_wrap (err, "network `%s`", net->network);
    }
  net->addr = lease.addr;
  net->gateway = lease.gateway;
  net->dns = lease.dns;
  net->prefix = lease.prefix;
  net->member_fd = lease.fd;
  return 0;
}

/* Before any process exists: starts the holder when needed, registers the
   sandbox and gets its address.  */
static int
shared_prepare (const struct nook_spec *spec, struct nook_net *net, struct nook_error *err)
{
  const char *name = spec->net.network;
  cleanup_free char *dir = NULL;
  cleanup_free char *lock = NULL;
  cleanup_close int lock_fd = -1;
  int r;

  net->network = xstrdup (name);
  if (!nook_network_exists (name))
    {
      nook_error_set (
          err, 0, "--net `%s`: no such mode or network (modes: none, host, slirp4netns, pasta, auto)", name);
      return nook_error_hint (err, "create the network with `nook network create %s`", name);
    }
  if (nook_net_check_ipv4_ports (&spec->net, "a network's slirp4netns", err) < 0)
    return -1;
  dir = network_dir (name, err);
  if (dir == NULL)
    return -1;
  lock = xasprintf ("%s/" NOOK_NETHOLDER_LOCK, dir);
  lock_fd = open (lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (lock_fd < 0 || flock (lock_fd, LOCK_EX) < 0)
    return nook_error_errno (err, "lock network `%s`", name);
  r = join_locked (spec, net, dir, err);
  flock (lock_fd, LOCK_UN);
  if (r < 0)
    return -1;
  snprintf (net->veth, sizeof net->veth, "nk%d", (int)getpid ());
  snprintf (net->peer, sizeof net->peer, "nkp%d", (int)getpid ());
  return 0;
}

static int
shared_etc_files (const struct nook_spec *spec, const struct nook_net *net, struct nook_root_plan *plan,
                  struct nook_error *err)
{
  cleanup_free char *dir = network_dir (net->network, err);
  cleanup_free char *hosts = NULL;
  cleanup_free char *resolv = NULL;
  char a[INET_ADDRSTRLEN];

  if (dir == NULL)
    return -1;
  hosts = xasprintf ("%s/" NOOK_NETHOLDER_HOSTS "-%s", dir, inet_ntop (AF_INET, &net->addr, a, sizeof a));
  /* Bound, not copied: the holder rewrites it in place as members come and
     go, so names of later members resolve too.  */
  nook_root_plan_add_bind (plan, hosts, "/etc/hosts");
  resolv = xasprintf ("# Generated by nook for network %s.\n", net->network);
  for (size_t i = 0; spec->net.dns && spec->net.dns[i]; i++)
    {
      char *next = xasprintf ("%snameserver %s\n", resolv, spec->net.dns[i]);
      free (resolv);
      resolv = next;
    }
  if (spec->net.dns == NULL)
    {
      char *next = xasprintf ("%snameserver %s\n", resolv, inet_ntop (AF_INET, &net->dns, a, sizeof a));
      free (resolv);
      resolv = next;
    }
  nook_root_plan_add_file (plan, "/etc/resolv.conf", resolv);
  return 0;
}

/* Right before the clone: the sandbox's user namespace is created as a
   child of the holder's.  Irreversible.  */
static int
shared_before_clone (struct nook_net *net, struct nook_error *err)
{
  if (setns (net->holder_userns, CLONE_NEWUSER) < 0)
    return nook_error_errno (err, "enter the network's user namespace");
  return 0;
}

/* After the id maps: a veth pair from the holder's bridge into the network
   namespace of PID.  */
static int
shared_start (const struct nook_spec *spec, struct nook_net *net, pid_t pid, struct nook_error *err)
{
  /* The member's MAC follows from its address (locally administered,
     02:6e then the IPv4 address, as Docker derives its own).  When a member
     ends and the next one gets its address, the network's slirp4netns
     still holds the address's ARP entry, which it updates only when the
     member sends something: with a MAC of its own the new member would
     get no frame of a published port's connections until it spoke first.
     The same goes for the other members' neighbour caches.  */
  unsigned char mac[6] = { 0x02, 0x6e };

  (void)spec;
  memcpy (mac + 2, &net->addr.s_addr, 4);
  if (setns (net->holder_netns, CLONE_NEWNET) < 0)
    return nook_error_errno (err, "enter the network's namespace");
  if (nook_rtnl_veth_add (net->veth, net->peer, pid, mac, err) < 0
      || nook_rtnl_link_setup (net->veth, NOOK_NETSHARE_BRIDGE, NULL, err) < 0)
    return nook_error_wrap (err, "network `%s`", net->network);
  return 0;
}

/* In the sandbox: names the veth eth0, gives it the address and the
   default route through the bridge.  */
static int
shared_configure_inside (const struct nook_net *net, struct nook_error *err)
{
  if (nook_rtnl_link_setup (net->peer, NULL, "eth0", err) < 0
      || nook_rtnl_addr_add ("eth0", net->addr, net->prefix, err) < 0
      || nook_rtnl_route_default (net->gateway, err) < 0)
    return nook_error_wrap (err, "network `%s`", net->network);
  return 0;
}

/* The registration polled readable while the sandbox ran: the holder is
   gone (NOOK_NETHOLDER_GONE), maybe with a word about why.  Reported when
   the sandbox ends, as a dying helper is (nethelper.c).  */
static void
shared_exited (struct nook_net *net)
{
  ssize_t n = recv (net->member_fd, net->holder_why, sizeof net->holder_why - 1, MSG_DONTWAIT);

  net->holder_why[n > 0 ? n : 0] = '\0';
  net->holder_why[strcspn (net->holder_why, "\n")] = '\0';
  net->holder_died = true;
}

/* Leaves the network: closing the registration is NOOK_NETHOLDER_LEAVE.  */
static void
shared_stop (struct nook_net *net)
{
  if (net->holder_died)
    {
      /* What came from the holder is the caller's own process, but is
         printed escaped all the same.  */
      cleanup_free char *why = nook_escape_name (net->holder_why);
      nook_warn ("network `%s`: %s while the sandbox ran: the sandbox lost its network", net->network,
                 net->holder_why[0] ? why : "the network's holder exited");
    }
  nook_closep (&net->member_fd);
  nook_closep (&net->holder_userns);
  nook_closep (&net->holder_netns);
  net->member_fd = net->holder_userns = net->holder_netns = -1;
  free (net->network);
  net->network = NULL;
}

const struct nook_net_backend nook_net_shared = {
  .prepare = shared_prepare,
  .etc_files = shared_etc_files,
  .before_clone = shared_before_clone,
  .start = shared_start,
  .configure_inside = shared_configure_inside,
  .exited = shared_exited,
  .stop = shared_stop,
};
