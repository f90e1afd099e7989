/* nook: the root plan, the ordered list of mount operations of one run.
 *
 * Building the list is pure (root-plan.c): the spec and a few facts about
 * the host go in, the operations come out, and no system call is made, so
 * every choice can be unit-tested.  Reading those facts and carrying the
 * operations out is mount.c's.
 */
#ifndef NOOK_ROOT_PLAN_H
#define NOOK_ROOT_PLAN_H

#include <stdbool.h>
#include <stddef.h>

#include "cwd.h"
#include "error.h"
#include "overlay.h"
#include "spec.h"

/* The mount operations of one run: the default root's, then the user's.  */
struct nook_root_plan
{
  struct nook_mount_op *ops; /* owned deep copies */
  int *srcfds;               /* per op: a detached clone of a bind source, or an overlay's mount, or -1 */
  struct nook_overlay_mount *overlays; /* per op: the plan of an overlay op */
  size_t n_ops;
  char *scratch;   /* overlays' private tmpfs in the sandbox (over the runtime dir) */
  size_t n_base;   /* ops of the default root (or --rootfs); the user's follow */
  bool root_tmpfs; /* composed root: a tmpfs made read-only at the end */
  char *workdir;
  char *home; /* spec->root_empty: where the command starts when workdir is missing */
  /* Or NULL: called in the sandbox once every operation is made, before
     the pivot (an OCI createContainer hook's moment).  */
  int (*before_pivot) (void *ctx, struct nook_error *err);
  void *before_pivot_ctx;
};

/* The host's top-level directories that the default root reproduces:
   each is bound read-only, or, when it is a symlink (a merged /usr's /bin
   -> usr/bin), made the same symlink.  */
#define NOOK_ROOT_HOST_TOPS 6

struct nook_root_host_top
{
  const char *path; /* "/bin", ... */
  char *link;       /* owned: the symlink's target; NULL: a directory */
};

/* What the default root depends on besides the spec, read from the host
   by nook_root_plan_build (mount.h).  */
struct nook_root_facts
{
  enum nook_cwd_why cwd_why; /* the cwd rule's answer (cwd.h) */
  struct nook_root_host_top tops[NOOK_ROOT_HOST_TOPS];
  size_t n_tops;       /* the tops that exist, in the order they are planned */
  char *resolv_in_run; /* owned: /etc/resolv.conf's target when it lies in /run, or NULL */
};

/**
 * nook_root_facts_release - free the facts' links
 * @facts: the facts; zeroed
 */
void nook_root_facts_release (struct nook_root_facts *facts);

/**
 * nook_root_plan_is_default - whether a run gets the default root
 * @spec: the run
 *
 * Return: true without --rootfs and without layers made the root: only
 * then does the plan depend on struct nook_root_facts.
 */
bool nook_root_plan_is_default (const struct nook_spec *spec);

/**
 * nook_root_plan_check - the refusals of a spec that need no filesystem
 * @spec: the run
 * @err: set for --bind-cwd with --rootfs or layers made the root (only
 *       the default root binds the working directory)
 *
 * Return: 0, or -1 with @err set.
 */
int nook_root_plan_check (const struct nook_spec *spec, struct nook_error *err);

/**
 * nook_root_plan_compose - the mount operations of a run, without a system call
 * @spec: the run: --rootfs, the layers, the user's mount operations,
 *        --chdir and the cwd mode
 * @caller: the caller's home and working directory (caller.h)
 * @facts: the host's tops and the cwd rule's answer (used only for the
 *         default root)
 * @plan: zeroed, then filled with owned copies of the operations (the
 *        base root's first, n_base of them, then the user's in order), the
 *        working directory and the per-op arrays, every srcfd -1
 * @err: set when nook_root_plan_check refuses @spec
 *
 * The root is --rootfs, the layers made the root (their overlay op comes
 * first: it is the staging mount itself), or else the default root: the
 * host's /usr and /etc read-only, its tops, fresh /proc, /dev and /tmp
 * (the host's /dev/shm with --share-ipc, whatever the root), private
 * /var/tmp and /run, /opt, /srv, /var/lib/dpkg, /var/lib/apt and
 * /var/cache/apt read-only where the host has them, the home hidden under a tmpfs, and the working directory
 * bound when
 * @facts says so (read-only with spec->fs.cwd_readonly).  The user's
 * operations are neither checked nor resolved here.
 *
 * Return: 0, or -1 with @err set (@plan is then still to be freed).
 */
int nook_root_plan_compose (const struct nook_spec *spec, const struct nook_caller *caller,
                            const struct nook_root_facts *facts, struct nook_root_plan *plan,
                            struct nook_error *err);

/**
 * nook_root_plan_add_file - add a generated read-only file
 * @plan: a composed plan whose bind sources are not opened yet
 * @dest: the file's path in the sandbox (e.g. /etc/hosts)
 * @content: what it holds; copied
 *
 * The file goes after the base root's operations and before the user's,
 * so a user's own bind on @dest still wins.
 */
void nook_root_plan_add_file (struct nook_root_plan *plan, const char *dest, const char *content);

/**
 * nook_root_plan_add_op - add an operation of nook's own to the base root
 * @plan: as composed, before any bind source is opened
 * @op: copied (its strings too; an fd stays the caller's), inserted after
 *      the base root's operations and the ones added before it, before
 *      the user's
 */
void nook_root_plan_add_op (struct nook_root_plan *plan, const struct nook_mount_op *op);

/**
 * nook_root_plan_add_bind - add a read-only bind of a host file
 * @plan: a composed plan whose bind sources are not opened yet
 * @src: the host's path; copied
 * @dest: its path in the sandbox; copied
 *
 * Placed as nook_root_plan_add_file places a file.
 */
void nook_root_plan_add_bind (struct nook_root_plan *plan, const char *src, const char *dest);

/**
 * nook_root_plan_may_trace - whether a command may trace a process of its
 * user namespace that holds more capabilities than it does
 * @spec: only read
 * @landlock: whether the command runs under Landlock
 *
 * Return: true with CAP_SYS_PTRACE and without Landlock.
 */
bool nook_root_plan_may_trace (const struct nook_spec *spec, bool landlock);

/**
 * nook_root_plan_uses_fuse - whether a plan mounts layers through fuse-overlayfs
 * @plan: a built plan; only read
 *
 * Return: true when one of its overlays is fuse-overlayfs.
 */
bool nook_root_plan_uses_fuse (const struct nook_root_plan *plan);

/**
 * nook_root_plan_check_tracers - refuse fuse-overlayfs to a sandbox that could trace it
 * @spec: only read
 * @plan: a built plan; only read
 * @landlock: whether the command runs under Landlock
 * @err: set on failure
 *
 * fuse-overlayfs runs in the sandbox's PID and user namespaces, with the
 * layers' host directories open and the mount namespace from before the
 * pivot: a process that may trace it (or open its /proc/PID/fd) climbs
 * `..` from there to the host.  Landlock keeps the sandbox off any
 * process outside its domain; without it, a command with CAP_SYS_PTRACE
 * in the sandbox's user namespace would reach it (without that
 * capability it never does: fuse-overlayfs holds every capability, more
 * than the command).
 *
 * Return: 0, or -1 with @err set.
 */
int nook_root_plan_check_tracers (const struct nook_spec *spec, const struct nook_root_plan *plan,
                                  bool landlock, struct nook_error *err);

#endif
