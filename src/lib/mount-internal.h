/* nook: what mount.c shares with mount-hide.c: new mounts (paths inside
   the new root are inroot.h's).  */
#ifndef NOOK_MOUNT_INTERNAL_H
#define NOOK_MOUNT_INTERNAL_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "spec.h"

/* A tmpfs of MODE and SIZE (0: the kernel's) with ATTRS on DEST.  */
int nook_mount_tmpfs (int rootfd, const char *dest, mode_t mode, uint64_t size, unsigned attrs,
                      struct nook_error *err);
/* A detached recursive clone of SRC with nosuid (and nodev, read-only as
   FLAGS say); -1 with errno, or with ERR set.  */
int nook_mount_clone_tree (const char *src, unsigned flags, struct nook_error *err);

/* maskedPaths (mount-hide.c): DEST hidden.  */
int nook_mount_mask_in_root (int rootfd, const char *dest, struct nook_error *err);

#endif
