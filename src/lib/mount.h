/* nook: composing the sandbox's root.  */
#ifndef NOOK_MOUNT_H
#define NOOK_MOUNT_H

#include <stdbool.h>

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
};

/* In the parent: turns SPEC into a plan and checks what can be checked
   before any process exists (a --rootfs that is not a directory, a bind
   source that does not exist), so such errors leave nothing behind.  */
int nook_root_plan_build (const struct nook_spec *spec, struct nook_root_plan *plan, struct nook_error *err);
void nook_root_plan_free (struct nook_root_plan *plan);

/* Adds a generated read-only file DEST with CONTENT (e.g. /etc/hosts) after
   the base root's operations and before the user's, so a user's own bind
   on DEST still wins.  */
void nook_root_plan_add_file (struct nook_root_plan *plan, const char *dest, const char *content);
/* The same for a read-only bind of the host's SRC on DEST.  */
void nook_root_plan_add_bind (struct nook_root_plan *plan, const char *src, const char *dest);

/* In the sandbox, with CAP_SYS_ADMIN in its new user and mount namespace:
   composes the root, pivots into it, detaches the host's root and enters the
   working directory.  */
int nook_root_setup (const struct nook_spec *spec, struct nook_root_plan *plan, struct nook_error *err);

/* Opens PATH inside the tree at ROOTFD, never leaving it through "..",
   absolute symlinks or magic links.  */
int nook_open_in_root (int rootfd, const char *path, int flags, struct nook_error *err);

/* Creates the directory PATH and its parents inside the tree at ROOTFD.
   Returns an O_PATH fd of it.  */
int nook_mkdir_in_root (int rootfd, const char *path, mode_t mode, struct nook_error *err);

#endif
