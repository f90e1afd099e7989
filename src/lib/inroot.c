/* nook: paths inside a root being composed (inroot.h).  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "inroot.h"
#include "utils.h"

int
nook_inroot_openat2 (int rootfd, const char *path, int flags)
{
  struct open_how how = { .flags = flags | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  while (*path == '/')
    path++;
  return syscall (SYS_openat2, rootfd, *path ? path : ".", &how, sizeof how);
}

/* Opens PATH inside the tree at ROOTFD, never leaving it through "..",
   absolute symlinks or magic links.  */
int
nook_inroot_open (int rootfd, const char *path, int flags, struct nook_error *err)
{
  int fd = nook_inroot_openat2 (rootfd, path, flags);
  if (fd < 0)
    return nook_error_errno (err, "open `%s` in the sandbox", path);
  return fd;
}

/* The mode of a parent made on the way to a directory of MODE, as
   bubblewrap makes them: the owner may always enter it, and group and
   others may read and enter it when MODE gives them anything at all.  */
static mode_t
parent_mode (mode_t mode)
{
  mode_t m = 0700;

  if (mode & 0070)
    m |= 0050;
  if (mode & 0007)
    m |= 0005;
  return m;
}

/* Creates the directory PATH and its parents inside the tree at ROOTFD;
   a directory it creates gets exactly MODE (the umask is the command's),
   its parents parent_mode (MODE).  Returns an O_PATH fd of it.  */
int
nook_inroot_mkdir (int rootfd, const char *path, mode_t mode, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (path);
  char *p = copy;
  int fd = nook_inroot_openat2 (rootfd, path, O_PATH | O_DIRECTORY);

  if (fd >= 0 || errno != ENOENT)
    return fd >= 0 ? fd : nook_error_errno (err, "`%s` in the sandbox", path);
  /* Walk down, creating what is missing.  Each parent is resolved inside
     the root first, so a symlink planted on the way cannot lead out.  */
  while (*p == '/')
    p++;
  for (;;)
    {
      char *slash = strchr (p, '/');
      cleanup_close int parent = -1;
      char *name;

      if (slash)
        *slash = '\0';
      name = strrchr (copy, '/');
      if (name)
        {
          *name = '\0';
          parent = nook_inroot_openat2 (rootfd, copy, O_PATH | O_DIRECTORY);
          *name = '/';
          name++;
        }
      else
        {
          parent = nook_inroot_openat2 (rootfd, "", O_PATH | O_DIRECTORY);
          name = copy;
        }
      if (parent < 0)
        return nook_error_errno (err, "create `%s` in the sandbox", path);
      if (*name)
        {
          mode_t m = slash ? parent_mode (mode) : mode;
          int r = mkdirat (parent, name, m);

          if (r < 0 && errno != EEXIST)
            return nook_error_errno (err, "create `%s` in the sandbox", path);
          /* Only a directory made just now gets its mode (mkdirat's is
             cut by the umask): an existing one keeps its own.  */
          if (r == 0 && fchmodat (parent, name, m, 0) < 0)
            return nook_error_errno (err, "set the mode of `%s` in the sandbox", path);
        }
      if (slash == NULL)
        break;
      *slash = '/';
      p = slash + 1;
    }
  fd = nook_inroot_openat2 (rootfd, path, O_PATH | O_DIRECTORY);
  if (fd < 0)
    return nook_error_errno (err, "create `%s` in the sandbox", path);
  return fd;
}

/* Splits PATH into a parent directory fd (created as needed) and a name.  */
int
nook_inroot_open_parent (int rootfd, const char *path, const char **name, struct nook_error *err)
{
  cleanup_free char *dir = xstrdup (path);
  char *slash = strrchr (dir, '/');

  *name = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
  if (slash)
    *slash = '\0';
  return nook_inroot_mkdir (rootfd, slash ? dir : "", 0755, err);
}

int
nook_inroot_mkfile (int rootfd, const char *path, struct nook_error *err)
{
  const char *name;
  cleanup_close int parent = nook_inroot_open_parent (rootfd, path, &name, err);
  int fd;

  if (parent < 0)
    return -1;
  /* An existing file is a mount point as it is, even on a read-only mount
     (such as a generated /etc/hosts over the host's read-only /etc).  */
  fd = nook_inroot_openat2 (rootfd, path, O_PATH);
  if (fd >= 0)
    return fd;
  /* A mount point: its own mode is never seen (bubblewrap's is 0444).  */
  fd = openat (parent, name, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
  if (fd < 0 && errno != EEXIST && errno != EISDIR && errno != ETXTBSY)
    return nook_error_errno (err, "create `%s` in the sandbox", path);
  if (fd >= 0)
    close (fd);
  return nook_inroot_open (rootfd, path, O_PATH, err);
}

int
nook_inroot_symlink (int rootfd, const char *target, const char *dest, struct nook_error *err)
{
  const char *name;
  cleanup_close int parent = nook_inroot_open_parent (rootfd, dest, &name, err);
  char existing[PATH_MAX];
  ssize_t n;

  if (parent < 0)
    return -1;
  if (symlinkat (target, parent, name) == 0)
    return 0;
  if (errno == EEXIST && (n = readlinkat (parent, name, existing, sizeof existing - 1)) >= 0)
    {
      existing[n] = '\0';
      if (strcmp (existing, target) == 0)
        return 0;
      /* Worded as bubblewrap's, which tools match.  */
      return nook_error_set (err, 0, "Can't make symlink at %s: existing destination is %s", dest, existing);
    }
  return nook_error_errno (err, "symlink `%s` -> `%s`", dest, target);
}

/* DEST and every mount under it become read-only: a recursive clone with
   the attribute set is placed over DEST, so a DEST that is not a mount
   point is covered too, and nothing under it keeps write access.  */
int
nook_inroot_remount_ro (int rootfd, const char *dest, struct nook_error *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
  cleanup_close int fd = nook_inroot_open (rootfd, dest, O_PATH, err);
  cleanup_close int clone = -1;

  if (fd < 0)
    return nook_error_wrap (err, "remount `%s` read-only", dest);
  clone = open_tree (fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | AT_RECURSIVE);
  if (clone < 0 || mount_setattr (clone, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0
      || move_mount (clone, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return nook_error_errno (err, "remount `%s` read-only", dest);
  return 0;
}

int
nook_inroot_chmod (int rootfd, const char *dest, mode_t mode, struct nook_error *err)
{
  cleanup_close int fd = nook_inroot_open (rootfd, dest, O_PATH, err);
  char path[64];

  if (fd < 0)
    return nook_error_wrap (err, "chmod `%s`", dest);
  /* fchmod() refuses O_PATH fds; the magic link reaches the same inode.  */
  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  if (chmod (path, mode) < 0)
    return nook_error_errno (err, "chmod `%s`", dest);
  return 0;
}

int
nook_inroot_bind_self (int rootfd, const char *dest, mode_t mode, unsigned attrs, struct nook_error *err)
{
  struct mount_attr attr = { .attr_set = attrs, .attr_clr = MOUNT_ATTR_NOEXEC };
  cleanup_close int dirfd = nook_inroot_mkdir (rootfd, dest, mode, err);
  cleanup_close int mfd = -1;

  if (dirfd < 0)
    return -1;
  mfd = open_tree (dirfd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);
  if (mfd < 0 || mount_setattr (mfd, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0
      || move_mount (mfd, "", dirfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return nook_error_errno (err, "bind `%s` on itself", dest);
  return 0;
}
