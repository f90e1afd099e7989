/* nook: the sandbox's network.
 *
 * Modes: `none` (a private network namespace with lo up), `host` (the
 * host's stack), and user-mode networking through an external helper that
 * nook starts for the sandbox's namespace and stops with it: slirp4netns or
 * passt's pasta.  Published ports go through the helper.
 */
#ifndef NOOK_NET_H
#define NOOK_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

#define IFNAMSIZ_NOOK 16

struct nook_spec;
struct nook_root_plan;

enum nook_net_mode
{
  NOOK_NET_NONE = 0,    /* private namespace, lo only (the default) */
  NOOK_NET_HOST,        /* the host's namespace (same as --share-net) */
  NOOK_NET_SLIRP4NETNS, /* slirp4netns on a tap device */
  NOOK_NET_PASTA,       /* passt's pasta on a tap device */
  NOOK_NET_AUTO,        /* pasta, else slirp4netns; resolved before the clone */
  NOOK_NET_SHARED,      /* a network created with `nook network create` (netshare.h) */
};

/* One -p/--publish: HOST_IP:HOST_PORT on the host to PORT inside.  */
struct nook_port_map
{
  char host_ip[16]; /* dotted IPv4; "" means every address */
  uint16_t host_port;
  uint16_t port;
  bool udp;
};

/* The network part of struct nook_spec.  */
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

/* A running helper (slirp4netns or pasta) and what it said.  */
struct nook_net_helper
{
  const char *name;
  pid_t pid;
  int pidfd;
  int exit_fd; /* slirp4netns: closing it stops the helper */
  int log_fd;  /* a memfd holding the helper's stderr */
  bool died;   /* exited on its own while the sandbox ran */
  int wait_status;
};

/* The network of one run, as nook prepares and supervises it.  */
struct nook_net
{
  enum nook_net_mode mode; /* resolved: never AUTO */
  char *helper_path;
  struct nook_net_helper helper;

  /* NOOK_NET_SHARED (netshare.c).  */
  char *network;
  struct in_addr addr, gateway, dns;
  int prefix;
  pid_t holder;
  int member_fd; /* the registration with the holder, held while the sandbox runs */
  int holder_userns;
  int holder_netns;
  char veth[IFNAMSIZ_NOOK], peer[IFNAMSIZ_NOOK];
};

/* Brings up the loopback interface of the current network namespace.  */
int nook_net_loopback_up (struct nook_error *err);

/* Lets every group of the current network namespace open ICMP echo
   ("ping") sockets, as podman does for rootless containers: ping then
   works without CAP_NET_RAW, which the default capabilities leave out.
   Needs the namespace's /proc mounted at /proc.  */
int nook_net_allow_ping (struct nook_error *err);

/* Parses a --publish value, [HOST_IP:]HOST_PORT:PORT[/tcp|/udp].  */
int nook_port_parse (const char *s, struct nook_port_map *out, struct nook_error *err);

/* Parses a --net mode name.  Returns 0, or -1 when NAME is no mode.  */
int nook_net_mode_parse (const char *name, enum nook_net_mode *out);
const char *nook_net_mode_name (enum nook_net_mode mode);

/* Finds the helper program NAME ("slirp4netns" or "pasta") in PATH.
   Returns a newly allocated path, or NULL.  */
char *nook_net_find_helper (const char *name);

/* The mode `--net auto` picks on this host: pasta when installed, else
   slirp4netns, else NOOK_NET_NONE when neither is.  */
enum nook_net_mode nook_net_auto_mode (void);

/* Whether /dev/net/tun can be opened by the caller (the helpers need it).
   Returns 0, or -1 with ERR naming the fix.  */
int nook_net_check_tun (struct nook_error *err);

/* In nook, before any process exists: resolves `auto`, finds the helper,
   checks /dev/net/tun and that every published host port is free, and adds
   the generated /etc/resolv.conf and /etc/hosts to the root PLAN.  */
int nook_net_prepare (const struct nook_spec *spec, struct nook_net *net, struct nook_root_plan *plan,
                      struct nook_error *err);

/* In nook, after the sandbox's id maps are written and before it goes on:
   starts the helper for the namespaces of PID, waits until it is ready and
   publishes the ports.  */
int nook_net_start (const struct nook_spec *spec, struct nook_net *net, pid_t pid, struct nook_error *err);

/* The fd to poll for the helper's exit, or -1 when there is no helper.  */
int nook_net_watch_fd (const struct nook_net *net);

/* Called when nook_net_watch_fd polls readable: reaps the helper and
   remembers that it died while the sandbox ran.  */
void nook_net_helper_exited (struct nook_net *net);

/* Stops the helper (when it still runs) and releases NET.  When the helper
   had died while the sandbox ran, prints a warning with its last message.  */
void nook_net_release (struct nook_net *net);

/* Initializes NET with no helper and no network.  */
void nook_net_init (struct nook_net *net);

/* In nook, right before the clone (see nook_netshare_enter).  */
int nook_net_before_clone (struct nook_net *net, struct nook_error *err);

/* In the sandbox, with its capabilities: configures what nook plugged in.  */
int nook_net_configure_inside (const struct nook_net *net, struct nook_error *err);

/* Frees the fields of SPEC's network part.  */
void nook_net_spec_free (struct nook_net_spec *ns);

#endif
