/* The mount operations that hide or restrict what is already in the root:
   read-only remounts, masks (an OCI config's maskedPaths) and modes.  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mount-internal.h"
#include "utils.h"

/* DEST and every mount under it become read-only: a recursive clone with
   the attribute set is placed over DEST, so a DEST that is not a mount
   point is covered too, and nothing under it keeps write access.  */
int
nook_mount_remount_ro (int rootfd, const struct nook_mount_op *op, struct nook_error *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  const char *dest = op->dest;
  cleanup_close int fd = nook_mount_openat2_in_root (rootfd, dest, O_PATH | O_CLOEXEC);
  cleanup_close int clone = -1;

  if (fd < 0 && errno == ENOENT && (op->flags & NOOK_MNT_F_TRY))
    return 0;
  if (fd < 0)
    fd = nook_mount_open_in_root (rootfd, dest, O_PATH, err);
  if (fd < 0)
    return nook_error_wrap (err, "remount `%s` read-only", dest);
  clone = open_tree (fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (clone < 0 || mount_setattr (clone, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0
      || move_mount (clone, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return nook_error_errno (err, "remount `%s` read-only", dest);
  return 0;
}

/* maskedPaths: what the command must not read.  A missing path needs no
   mask; a directory gets an empty read-only tmpfs, anything else the
   host's /dev/null.  */
int
nook_mount_mask_in_root (int rootfd, const char *dest, struct nook_error *err)
{
  cleanup_close int fd = nook_mount_openat2_in_root (rootfd, dest, O_PATH | O_CLOEXEC);
  cleanup_close int null = -1;
  struct stat st;

  if (fd < 0 && errno == ENOENT)
    return 0;
  if (fd < 0 || fstat (fd, &st) < 0)
    return nook_error_errno (err, "mask `%s`", dest);
  if (S_ISDIR (st.st_mode))
    return nook_mount_tmpfs (rootfd, dest, 0755, 0, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV,
                             err);
  null = nook_mount_clone_tree ("/dev/null", NOOK_MNT_F_RDONLY | NOOK_MNT_F_DEVICES, err);
  if (null < 0)
    return err->msg ? -1 : nook_error_errno (err, "mask `%s`: bind /dev/null", dest);
  if (move_mount (null, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return nook_error_errno (err, "mask `%s`", dest);
  return 0;
}

int
nook_mount_chmod_in_root (int rootfd, const char *dest, mode_t mode, struct nook_error *err)
{
  cleanup_close int fd = nook_mount_open_in_root (rootfd, dest, O_PATH, err);
  char path[64];

  if (fd < 0)
    return nook_error_wrap (err, "chmod `%s`", dest);
  /* fchmod() refuses O_PATH fds; the magic link reaches the same inode.  */
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  if (chmod (path, mode) < 0)
    return nook_error_errno (err, "chmod `%s`", dest);
  return 0;
}
