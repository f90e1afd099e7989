/* Masks: what is in the root hidden from the command (an OCI config's
   maskedPaths).  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "inroot.h"
#include "mount-internal.h"
#include "utils.h"

/* maskedPaths: what the command must not read.  A missing path needs no
   mask; a directory gets an empty read-only tmpfs, anything else the
   host's /dev/null.  */
int
nook_mount_mask_in_root (int rootfd, const char *dest, struct nook_error *err)
{
  cleanup_close int fd = nook_inroot_openat2 (rootfd, dest, O_PATH | O_CLOEXEC);
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
