/* nook: the sandbox being made, as nook's side (spawn.c) and the
   sandbox's own setup (spawn-child.c) share it.  */
#ifndef NOOK_SPAWN_SANDBOX_H
#define NOOK_SPAWN_SANDBOX_H

#include <stdbool.h>
#include <sys/types.h>

#include "caller.h"
#include "cgroup.h"
#include "desktop.h"
#include "join.h"
#include "logfile.h"
#include "mount.h"
#include "net.h"
#include "security.h"
#include "state.h"
#include "tty.h"
#include "userns.h"

struct nook_run_io;    /* spawn.h */
struct nook_create_io; /* spawn.h */

struct sandbox
{
  struct nook_spec *spec;    /* what was asked for: only read */
  struct nook_caller caller; /* who asked: ids, cwd, home, name */
  struct nook_root_plan plan;
  struct nook_filters filters; /* compiled from the spec's policy */
  int landlock;                /* nook_landlock_wanted's answer */
  char **landlock_writable;    /* and where the command may write (landlock.h) */
  struct nook_idmaps maps;
  char **env;
  int init_fd;
  bool init_sealed; /* init_fd is nook_init_sealed's copy */
  int sync_parent, sync_child;
  int sigfd;
  pid_t pid;
  int pidfd;
  struct nook_tty tty;            /* --tty: nook's side */
  int tty_child;                  /* --tty: the sandbox's end of the terminal socket */
  unsigned outer;                 /* NOOK_NS_* not created: the host's or a joined sandbox's */
  bool own_netns;                 /* the sandbox unshares its network namespace (spawn.c) */
  struct nook_join join;          /* namespaces of other sandboxes */
  struct nook_state state;        /* what `nook ps` and the others read */
  struct nook_run_io *io;         /* a detached supervisor's log and caller, or NULL */
  struct nook_create_io *handoff; /* nook_create: built, then handed over; or NULL */
  struct nook_logfile log;
  struct nook_cgroup cg; /* with limits only */
  struct nook_net net;
  struct nook_desktop desktop; /* --app, --socket, the D-Bus proxy: inactive unless asked */
  int timer_fd;                /* --timeout: fires when the command has run that long */
  int shed_fd;                 /* fires once the sandbox has run NOOK_SHED_DELAY_MS (shed.h) */
  bool timed_out;              /* and it fired: the sandbox was killed */
  int sysctl_fd, self_fd;      /* --disable-userns: opened in the sandbox before its root */
  int mntns_fd;                /* in the sandbox: the mount namespace given by path, or -1 */
  pid_t self_pid;              /* in the sandbox (nook_create): its pid as nook sees it */
};

/* One step of the sandbox's or nook's setup: named, so -v times it and a
   test build can stop at it (fault.h).  */
struct setup_step
{
  const char *name;
  int (*run) (struct sandbox *sb, struct nook_error *err);
};

/**
 * nook_spawn_child_main - the sandbox's side, from its clone to its exec (spawn-child.c)
 * @sb: the sandbox (the child's copy)
 *
 * Waits for NOOK_SYNC_GO, runs the sandbox's setup steps and execs
 * nook-init (or the command); never returns.
 */
void nook_spawn_child_main (struct sandbox *sb) __attribute__ ((noreturn));

/**
 * nook_spawn_write_sysctls - the spec's sysctls of namespaces (spawn-child.c)
 * @spec: its sysctls
 * @joined_ns: NOOK_NS_* the sandbox joins rather than makes
 * @joined: true: write those of the joined namespaces (from nook, which
 *          owns them); false: those of the sandbox's own (inside it)
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set.
 */
int nook_spawn_write_sysctls (const struct nook_spec *spec, unsigned joined_ns, bool joined,
                              struct nook_error *err);

#endif
