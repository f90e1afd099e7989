/* nook: the holder of a shared network, and its protocol.
 *
 * One holder runs per network while sandboxes use it (see netshare.h for
 * why it exists).  It owns a user namespace, a network namespace with the
 * bridge nook0, and the network's slirp4netns (the bridge's way out); it
 * hands out addresses, publishes members' ports and keeps the network's
 * /etc/hosts.  Its files live in the network's directory DIR:
 *
 *   lock         flock: a joining nook holds it from "is there a holder?"
 *                until its join is answered; the holder takes it (never
 *                waiting) before it exits, so no join meets a dying holder
 *   holder.sock  the holder's listening socket (SOCK_STREAM)
 *   holder.pid   the holder's pid, once it is ready
 *   hosts        the network's /etc/hosts, rewritten in place
 *   hosts-ADDR   the same with the hostname of the member at ADDR, bound
 *                into that member
 *   slirp.sock   the network's slirp4netns API socket
 *
 * The whole sequence, in order:
 *
 *   starter (nook run --net NAME)    holder                       slirp4netns
 *   -----------------------------    ------                       -----------
 *   flock(lock)
 *   fork, setsid, fork  ───────────► fork ──────────────────────► waits for GO
 *   (the middle child exits:         unshare(USER | NET), maps
 *    the holder belongs to no        the caller to root, lo and
 *    sandbox and no terminal)        nook0 up
 *                                    GO, a byte on a pipe  ─────► exec: joins the
 *                                                                 holder's netns,
 *                                                                 creates tap0
 *                                          ◄──────────────────── "1" on --ready-fd
 *                                    tap0 into nook0, listens on
 *                                    holder.sock, writes hosts
 *                                    and holder.pid
 *             ◄───────────────────── NOOK_NETHOLDER_READY, or
 *                                    NOOK_NETHOLDER_FAILED and exit
 *   (every later joiner starts here, with the lock held)
 *   connect(holder.sock)
 *   NOOK_NETHOLDER_JOIN  ──────────► allocates an address, publishes
 *                                    the ports through slirp.sock,
 *                                    rewrites hosts
 *             ◄───────────────────── NOOK_NETHOLDER_WELCOME, or
 *                                    NOOK_NETHOLDER_REFUSE and close
 *   funlock(lock); the connection
 *   stays open while the sandbox runs
 *   NOOK_NETHOLDER_LEAVE  ─────────► unpublishes the ports, frees the
 *   (the kernel closes it when       address, rewrites hosts; with no
 *    nook exits or is killed)        member left and the lock free:
 *                                    stops slirp4netns, removes its
 *                                    files, exits
 *   `nook network rm`:
 *   NOOK_NETHOLDER_STOP  ──────────► dies; slirp4netns follows through
 *                                    its exit fd and PR_SET_PDEATHSIG
 *                                    slirp4netns dies:
 *             ◄───────────────────── NOOK_NETHOLDER_GONE to every
 *                                    member, exits
 *
 * A holder that nobody joins within HOLDER_IDLE_MS (its starter died)
 * exits too.
 */
#ifndef NOOK_NETHOLDER_H
#define NOOK_NETHOLDER_H

#include <netinet/in.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "net-spec.h"

/* The bridge in the holder's network namespace.  */
#define NOOK_NETSHARE_BRIDGE "nook0"

/* The holder's files in the network's directory (see above).  */
#define NOOK_NETHOLDER_LOCK "lock"
#define NOOK_NETHOLDER_SOCK "holder.sock"
#define NOOK_NETHOLDER_PID "holder.pid"
#define NOOK_NETHOLDER_HOSTS "hosts"
#define NOOK_NETHOLDER_SLIRP_SOCK "slirp.sock"

/* The messages, and how each travels.  */
enum nook_netholder_msg
{
  /* holder → starter, on the ready pipe: "ok".  */
  NOOK_NETHOLDER_READY = 1,
  /* holder → starter, on the ready pipe: the error's text (then EOF).  */
  NOOK_NETHOLDER_FAILED,
  /* member → holder, one write on a new connection:
     {"name": NAME or "", "hostname": HOSTNAME,
      "ports": [[HOST_IP, HOST_PORT, PORT, UDP], ...]}.  */
  NOOK_NETHOLDER_JOIN,
  /* holder → member: {"address": A, "prefix": N, "gateway": G, "dns": D}.  */
  NOOK_NETHOLDER_WELCOME,
  /* holder → member: {"error": TEXT}, then the holder closes.  */
  NOOK_NETHOLDER_REFUSE,
  /* member → holder: the connection's EOF or hang-up.  */
  NOOK_NETHOLDER_LEAVE,
  /* `nook network rm` → holder: SIGTERM.  */
  NOOK_NETHOLDER_STOP,
  /* holder → every member, when the network's slirp4netns died: one line
     of text saying so, then the holder exits (each member's connection
     hangs up, which its nook reports when the sandbox ends, as it reports
     a dying helper of its own; a holder killed outright just hangs up).  */
  NOOK_NETHOLDER_GONE,
};

/* What a member gets for joining.  */
struct nook_netholder_lease
{
  struct in_addr addr, gateway, dns;
  int prefix;
  int fd; /* the membership: the network is left when it is closed */
};

/**
 * nook_netholder_start - starts the holder of a network
 * @dir: the network's directory
 * @subnet: its subnet, "10.89.0.0/24"
 * @err: set when the holder could not start, with the holder's own error
 *
 * The caller holds the network's lock.  The holder is a grandchild in a
 * session of its own and holds no fd of the caller's; this returns once it
 * sent NOOK_NETHOLDER_READY (0) or NOOK_NETHOLDER_FAILED (-1).
 */
int nook_netholder_start (const char *dir, const char *subnet, struct nook_error *err);

/**
 * nook_netholder_pid - the running holder of a network
 * @dir: the network's directory
 *
 * Returns its pid from holder.pid when that process exists, else 0.
 */
pid_t nook_netholder_pid (const char *dir);

/**
 * nook_netholder_stop - sends NOOK_NETHOLDER_STOP and waits up to a second
 * @dir: the network's directory
 *
 * Does nothing when no holder runs.  The caller removes the files.
 */
void nook_netholder_stop (const char *dir);

/**
 * nook_netholder_join - joins a network: NOOK_NETHOLDER_JOIN, then the answer
 * @dir: the network's directory; its holder runs
 * @name: the sandbox's name for the network's hosts, or NULL
 * @hostname: the sandbox's hostname, for its own hosts file
 * @ports: the ports to publish to the member's address
 * @n_ports: how many
 * @lease: filled on success; the caller owns lease->fd
 * @err: set on failure: the holder's refusal, or why it could not be asked
 *
 * Returns 0 or -1; on failure no fd is left open.
 */
int nook_netholder_join (const char *dir, const char *name, const char *hostname,
                         const struct nook_port_map *ports, size_t n_ports,
                         struct nook_netholder_lease *lease, struct nook_error *err);

#endif
