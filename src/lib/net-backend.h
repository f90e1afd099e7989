/* nook: one networking mode, as net.c drives it.  Internal to the library.
 *
 * net.c knows no mode: each is a table of steps, called in this order
 * (a NULL step does nothing):
 *
 *   in nook, before any process exists:
 *     prepare           find and check what the mode needs; fail early
 *     etc_files         add /etc/resolv.conf and /etc/hosts to the root plan
 *   in nook, right before clone3:
 *     before_clone      e.g. enter the user namespace the sandbox's belongs in
 *   in nook, after the sandbox's id maps, before NOOK_SYNC_GO (sync.h):
 *     start             plug the sandbox's network namespace in (a helper:
 *                       start it, without waiting)
 *   in nook, after NOOK_SYNC_GO, while the sandbox sets itself up:
 *     ready             wait until what start launched is ready; then nook
 *                       sends NOOK_SYNC_READY, which the sandbox waits
 *                       for before its security step.  The helper's
 *                       start-up (tens of ms for pasta) and the sandbox's
 *                       own setup run side by side.
 *   in the sandbox, with its capabilities, before the command:
 *     configure_inside  configure what start plugged in
 *   in nook, while the sandbox runs, when nook_net_watch_fd polls readable:
 *     exited            the mode's helper process died
 *   in nook, as soon as the sandbox is gone:
 *     halt              make the helper stop, without waiting for it: its
 *                       exit (the kernel unregisters its tap device, tens
 *                       of ms of RCU grace periods) runs while nook cleans
 *                       up the rest
 *   in nook, always, also after a failed prepare:
 *     stop              stop what runs and release what prepare took
 *
 * The modes: `none` and `host` have no step (spawn.c makes or keeps the
 * namespace and brings lo up); slirp4netns and pasta (slirp.c, pasta.c, on
 * the helper machinery of nethelper.c); a shared network (netshare.c).
 * `--net container:NAME` is no mode: spawn.c joins that sandbox's
 * namespace like its others.
 */
#ifndef NOOK_NET_BACKEND_H
#define NOOK_NET_BACKEND_H

#include <sys/types.h>

#include "error.h"

struct nook_spec;
struct nook_net;
struct nook_root_plan;

struct nook_net_backend
{
  int (*prepare) (const struct nook_spec *spec, struct nook_net *net, struct nook_error *err);
  int (*etc_files) (const struct nook_spec *spec, const struct nook_net *net, struct nook_root_plan *plan,
                    struct nook_error *err);
  int (*before_clone) (struct nook_net *net, struct nook_error *err);
  int (*start) (const struct nook_spec *spec, struct nook_net *net, pid_t pid, struct nook_error *err);
  /* 0 when ready, 1 when SYNC_FD (the sandbox's end) spoke or hung up
     first, -1 with ERR set.  */
  int (*ready) (const struct nook_spec *spec, struct nook_net *net, int sync_fd, struct nook_error *err);
  int (*configure_inside) (const struct nook_net *net, struct nook_error *err);
  void (*exited) (struct nook_net *net);
  void (*halt) (struct nook_net *net);
  void (*stop) (struct nook_net *net);
};

extern const struct nook_net_backend nook_net_slirp4netns; /* slirp.c */
extern const struct nook_net_backend nook_net_pasta;       /* pasta.c */
extern const struct nook_net_backend nook_net_shared;      /* netshare.c */

#endif
