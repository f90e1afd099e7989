/* nook: what mount.c shares with mount-hide.c: paths resolved inside the
   new root, and new mounts.  */
#ifndef NOOK_MOUNT_INTERNAL_H
#define NOOK_MOUNT_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* PATH inside the tree at ROOTFD, never leaving it; -1 with errno.  */
int nook_mount_openat2_in_root (int rootfd, const char *path, int flags);
/* The same, with ERR set on failure.  */
int nook_mount_open_in_root (int rootfd, const char *path, int flags, struct nook_error *err);
/* A tmpfs of MODE and SIZE (0: the kernel's) with ATTRS on DEST.  */
int nook_mount_tmpfs (int rootfd, const char *dest, mode_t mode, uint64_t size, unsigned attrs,
                      struct nook_error *err);
/* A detached recursive clone of SRC with nosuid (and nodev, read-only as
   FLAGS say); -1 with errno, or with ERR set.  */
int nook_mount_clone_tree (const char *src, unsigned flags, struct nook_error *err);

int nook_mount_remount_ro (int rootfd, const struct nook_mount_op *op, struct nook_error *err);
int nook_mount_mask_in_root (int rootfd, const char *dest, struct nook_error *err);
int nook_mount_chmod_in_root (int rootfd, const char *dest, mode_t mode, struct nook_error *err);

#endif
