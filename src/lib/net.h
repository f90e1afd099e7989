/* nook: the sandbox's network.
 *
 * Modes: `none` (a private network namespace with lo up), `host` (the
 * host's stack), user-mode networking through an external helper that
 * nook starts for the sandbox's namespace and stops with it (slirp4netns or
 * passt's pasta; published ports go through the helper), and shared
 * networks (netshare.h).  Each mode is a backend (net-backend.h); this is
 * the interface spawn.c drives, in the order the functions are declared.
 * The spec's part is in net-spec.h.
 */
#ifndef NOOK_NET_H
#define NOOK_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "net-spec.h"

#define IFNAMSIZ_NOOK 16

struct nook_spec;
struct nook_root_plan;

/* A running helper (slirp4netns or pasta) and what it said.  */
struct nook_net_helper
{
  const char *name;
  pid_t pid;
  int pidfd;
  int exit_fd;  /* slirp4netns: closing it stops the helper */
  int ready_fd; /* readable once it is ready, until the ready step read it */
  int log_fd;   /* a memfd holding the helper's stderr */
  bool died;    /* exited on its own while the sandbox ran */
  int wait_status;
  /* It holds published host ports: reaped before the run ends.  */
  bool publishes;
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
  char *api_dir, *api_sock; /* slirp4netns's API socket, until the ports are published */
  int member_fd;            /* the registration with the holder, held while the sandbox runs */
  bool holder_died;         /* the registration hung up while the sandbox ran */
  char holder_why[256];     /* what the holder said before it hung up */
  int holder_userns;
  int holder_netns;
  char veth[IFNAMSIZ_NOOK], peer[IFNAMSIZ_NOOK];
};

/**
 * nook_net_init - initializes NET with no helper and no network
 * @net: the run's network; release with nook_net_release() from here on
 */
void nook_net_init (struct nook_net *net);

/**
 * nook_net_prepare - the network's checks, before any process exists
 * @spec: the sandbox
 * @net: gets the resolved mode and what the mode took (a helper's path,
 *       a shared network's registration)
 * @plan: gets the generated /etc/resolv.conf and /etc/hosts
 * @err: set on failure: `auto` with no helper installed, a missing helper,
 *       /dev/net/tun, a published host port already taken, a network that
 *       does not exist or whose holder cannot start
 *
 * Resolves `auto`, then runs the mode's prepare and etc_files steps.
 * Returns 0 or -1; nook_net_release() frees what was taken either way.
 */
int nook_net_prepare (const struct nook_spec *spec, struct nook_net *net, struct nook_root_plan *plan,
                      struct nook_error *err);

/**
 * nook_net_before_clone - the mode's step right before clone3
 * @net: as prepared
 * @err: set on failure
 *
 * A shared network enters its holder's user namespace here, which cannot
 * be undone.  Returns 0 or -1.
 */
int nook_net_before_clone (struct nook_net *net, struct nook_error *err);

/**
 * nook_net_start - plugs the network in, after the sandbox's id maps
 * @spec: the sandbox
 * @net: as prepared; gets the helper process it starts
 * @pid: the sandbox's PID 1, still waiting for NOOK_SYNC_GO
 * @err: set on failure, with a helper's last message when it died
 *
 * Starts the helper for the namespaces of PID, waits until it is ready and
 * publishes the ports, or plugs a shared network's veth in.  Returns 0 or -1.
 */
int nook_net_start (const struct nook_spec *spec, struct nook_net *net, pid_t pid, struct nook_error *err);

/**
 * nook_net_configure_inside - configures what nook plugged in
 * @net: as prepared (the sandbox's copy after the clone)
 * @err: set on failure
 *
 * In the sandbox, with its capabilities.  Returns 0 or -1.
 */
int nook_net_configure_inside (const struct nook_net *net, struct nook_error *err);

/**
 * nook_net_watch_fd - the fd to poll for the helper's exit
 * @net: the run's network
 *
 * Returns a pidfd NET owns, the registration with a shared network's
 * holder (readable when the holder goes), or -1 when there is nothing to
 * watch.
 */
int nook_net_watch_fd (const struct nook_net *net);

/**
 * nook_net_helper_exited - the helper's pidfd polled readable
 * @net: the run's network
 *
 * Reaps the helper and remembers that it died while the sandbox ran, for
 * the warning of nook_net_release().
 */
void nook_net_helper_exited (struct nook_net *net);

/**
 * nook_net_awaits_ready - whether the mode has a ready step
 * @net: as prepared (the mode resolved), in nook or in the sandbox
 *
 * Then nook_net_start() only starts the helper, nook calls
 * nook_net_ready() after NOOK_SYNC_GO before it sends NOOK_SYNC_READY,
 * which the sandbox waits for before its security step.
 */
bool nook_net_awaits_ready (const struct nook_net *net);

/**
 * nook_net_ready - waits until the started helper is ready
 * @spec: the sandbox
 * @net: the run's network, started
 * @sync_fd: nook's end of the sync socket: when it polls readable first
 *           (the sandbox's setup failed, or it died), the wait ends
 * @err: set when the helper exits or times out first, or a port cannot be
 *       published
 *
 * Returns 0 when ready, 1 when the sandbox spoke first (the supervisor
 * reads why), -1 with ERR set.
 */
int nook_net_ready (const struct nook_spec *spec, struct nook_net *net, int sync_fd, struct nook_error *err);

/**
 * nook_net_halt - the sandbox is gone: its network's helper may stop
 * @net: the run's network
 *
 * Signals the helper to stop and returns at once; nook_net_release() waits
 * for it when it publishes host ports.  Call it before the rest of the
 * cleanup, so that the helper's exit runs beside it.  Safe with no helper
 * and more than once.
 */
void nook_net_halt (struct nook_net *net);

/**
 * nook_net_release - stops what runs and releases NET
 * @net: the run's network, initialized by nook_net_init()
 *
 * Stops the helper when it still runs, leaves a shared network.  When the
 * helper had died while the sandbox ran, warns with its last message.
 * Safe after a failed or missing nook_net_prepare().
 */
void nook_net_release (struct nook_net *net);

/**
 * nook_net_loopback_up - brings up lo in the current network namespace
 * @err: set when the ioctls fail
 *
 * Returns 0 or -1.
 */
int nook_net_loopback_up (struct nook_error *err);

/**
 * nook_net_allow_ping - lets the sandbox's groups open ICMP echo sockets
 * @err: scratch; a failure is logged, never returned
 *
 * Writes net.ipv4.ping_group_range for the gids mapped in this user
 * namespace, as podman does for rootless containers: ping then works
 * without CAP_NET_RAW, which the default capabilities leave out.  Needs
 * the namespace's /proc mounted at /proc.  Returns 0.
 */
int nook_net_allow_ping (struct nook_error *err);

/**
 * nook_net_find_helper - finds a helper program in PATH
 * @name: "slirp4netns" or "pasta"
 *
 * Relative PATH entries are skipped.  Returns a newly allocated path, or
 * NULL when there is none.
 */
char *nook_net_find_helper (const char *name);

/**
 * nook_net_auto_mode - the mode `--net auto` picks on this host
 *
 * pasta when installed, else slirp4netns; NOOK_NET_NONE when neither is.
 */
enum nook_net_mode nook_net_auto_mode (void);

/**
 * nook_cidr_parse - parses an IPv4 network, such as 10.89.0.0/24
 * @s: the text
 * @net: the network's address
 * @prefix: its prefix length, from 16 to 29
 *
 * The address must be the network's (no host bits).  Returns 0, or -1.
 */
int nook_cidr_parse (const char *s, struct in_addr *net, int *prefix);

#endif
