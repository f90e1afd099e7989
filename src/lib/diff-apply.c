/* nook: applying an overlay's upper layer to the directory it covered
 * (nook try --commit), and removing a tree.
 *
 * The upper is read as diff.c reads it, every name checked before it is
 * used; the target is changed only through directory fds opened beneath
 * it without following a symlink, and a file is written under a temporary
 * name and renamed into place, never written through a hard link.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "diff.h"
#include "diff-internal.h"
#include "escape.h"
#include "utils.h"

static int remove_children (int fd);

int
nook_remove_tree_at (int dirfd, const char *name)
{
  int fd;

  if (unlinkat (dirfd, name, 0) == 0 || errno == ENOENT)
    return 0;
  if (errno != EISDIR && errno != EPERM)
    return -1;
  /* A directory: made writable first (overlayfs's work dir is mode 0).  */
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 && errno == EACCES)
    {
      int p = openat (dirfd, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      char path[64];
      if (p >= 0)
        {
          snprintf (path, sizeof path, "/proc/self/fd/%d", p);
          chmod (path, 0700);
          close (p);
        }
      fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    }
  if (fd < 0)
    return -1;
  fchmod (fd, 0700);
  if (remove_children (fd) < 0)
    {
      close (fd);
      return -1;
    }
  close (fd);
  return unlinkat (dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -1 : 0;
}

static int
remove_children (int fd)
{
  cleanup_strv char **names = nook_diff_read_names (fd);

  for (size_t i = 0; names && names[i]; i++)
    if (nook_remove_tree_at (fd, names[i]) < 0)
      return -1;
  return 0;
}

static int
copy_data (int in, int out)
{
  for (;;)
    {
      ssize_t c = copy_file_range (in, NULL, out, NULL, 1 << 30, 0);
      if (c == 0)
        return 0;
      if (c < 0)
        break;
    }
  /* Across filesystems on older kernels: a plain copy.  */
  return nook_copy_fd (in, out);
}

/* Refuses ST at PATH when it is special (nook_change_special) and not
   allowed.  Checked again as each entry is applied: the upper may have
   changed since it was listed.  */
static int
check_special (const struct stat *st, const char *path, bool allow_special, struct nook_error *err)
{
  struct nook_change c = { .kind = 'A', .mode = st->st_mode };
  const char *special = nook_change_special (&c);

  return special && !allow_special ? nook_diff_special_error (err, path, st->st_mode, special) : 0;
}

/* The symlink NAME of UFD as TMP in TFD, with its times.  */
static int
copy_symlink (int ufd, int tfd, const char *name, const char *tmp, const struct timespec times[2])
{
  char target[PATH_MAX];
  ssize_t n = readlinkat (ufd, name, target, sizeof target - 1);

  if (n < 0)
    return -1;
  target[n] = '\0';
  if (symlinkat (target, tfd, tmp) < 0)
    return -1;
  utimensat (tfd, tmp, times, AT_SYMLINK_NOFOLLOW);
  return 0;
}

/* Writes the non-directory NAME of the upper as a temporary file in the
   target directory, with its mode and times, then renames it over.  */
static int
apply_leaf (int ufd, int tfd, const char *name, const struct stat *st, const char *path,
            struct nook_error *err)
{
  cleanup_free char *tmp = xasprintf (".nook-try.%d.%s", (int)getpid (), name);
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  struct stat cur;
  int r = 0;

  if (strlen (tmp) > NAME_MAX)
    {
      free (tmp);
      tmp = xasprintf (".nook-try.%d", (int)getpid ());
    }
  unlinkat (tfd, tmp, 0);
  if (S_ISREG (st->st_mode))
    {
      cleanup_close int in = openat (ufd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
      cleanup_close int out = openat (tfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (in < 0 || out < 0 || copy_data (in, out) < 0 || fchmod (out, st->st_mode & 07777) < 0
          || futimens (out, times) < 0)
        r = -1;
    }
  else if (S_ISLNK (st->st_mode))
    r = copy_symlink (ufd, tfd, name, tmp, times);
  else if (S_ISFIFO (st->st_mode))
    r = mkfifoat (tfd, tmp, st->st_mode & 07777);
  else if (S_ISCHR (st->st_mode) || S_ISBLK (st->st_mode))
    /* Allowed by the caller (check_special); the kernel still decides.  */
    r = mknodat (tfd, tmp, st->st_mode & (S_IFMT | 07777), st->st_rdev);
  else
    {
      cleanup_free char *shown = nook_escape_name (path);
      nook_warn ("try: `%s` is a socket: not applied", shown);
      return 0;
    }
  if (r < 0)
    {
      int saved = errno;
      unlinkat (tfd, tmp, 0);
      return nook_diff_path_error (err, saved, "apply", path);
    }
  /* A directory in the way is replaced, as the command replaced it.  */
  if (fstatat (tfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (cur.st_mode))
    nook_remove_tree_at (tfd, name);
  if (renameat (tfd, tmp, tfd, name) < 0)
    {
      int saved = errno;
      unlinkat (tfd, tmp, 0);
      return nook_diff_path_error (err, saved, "apply", path);
    }
  return 0;
}

static int apply_dir (int ufd, int tfd, const char *rel, bool allow_special, struct nook_error *err);

static int
apply_subdir (int ufd, int tfd, const char *name, const struct stat *st, const char *path, bool allow_special,
              struct nook_error *err)
{
  struct timespec times[2] = { st->st_atim, st->st_mtim };
  cleanup_close int usub = openat (ufd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  cleanup_close int tsub = -1;
  struct stat cur;

  if (usub < 0)
    return nook_diff_path_error (err, errno, "apply", path);
  /* A symlink where the upper has a directory is replaced, never entered:
     the symlink may point anywhere on the host.  */
  if (fstatat (tfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0
      && (!S_ISDIR (cur.st_mode) || nook_diff_dir_is_opaque (usub)))
    if (nook_remove_tree_at (tfd, name) < 0)
      return nook_diff_path_error (err, errno, "replace", path);
  if (mkdirat (tfd, name, 0700) < 0 && errno != EEXIST)
    return nook_diff_path_error (err, errno, "apply", path);
  tsub = openat (tfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (tsub < 0)
    return nook_diff_path_error (err, errno, "apply", path);
  /* Writable while it is filled; its own mode and times come last.  */
  fchmod (tsub, 0700);
  if (apply_dir (usub, tsub, path, allow_special, err) < 0)
    return -1;
  if (fchmod (tsub, st->st_mode & 07777) < 0 || futimens (tsub, times) < 0)
    return nook_diff_path_error (err, errno, "apply", path);
  return 0;
}

/* Applies the upper directory UFD to the target directory TFD, entry by
   entry.  Every name is checked again here, not only when the upper was
   listed: each one becomes a single path component under TFD, so nothing
   lands outside it.  */
static int
apply_dir (int ufd, int tfd, const char *rel, bool allow_special, struct nook_error *err)
{
  cleanup_strv char **names = nook_diff_read_names (ufd);

  for (size_t i = 0; names && names[i]; i++)
    {
      const char *name = names[i];
      cleanup_free char *path = xasprintf ("%s/%s", rel, name);
      struct stat st;

      if (strcmp (name, OPAQUE_MARK) == 0)
        continue;
      if (nook_diff_check_name (rel, name, err) < 0)
        return -1;
      if (fstatat (ufd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return nook_diff_path_error (err, errno, "apply", path);
      if (strncmp (name, WH_PREFIX, 4) == 0 || nook_diff_is_whiteout_dev (&st))
        {
          const char *victim = strncmp (name, WH_PREFIX, 4) == 0 ? name + 4 : name;
          cleanup_free char *deleted = NULL;
          if (strncmp (name, WH_PREFIX, 4) == 0 && nook_diff_is_whiteout_dev (&st))
            continue; /* fuse-overlayfs's own marks */
          if (nook_remove_tree_at (tfd, victim) == 0)
            continue;
          deleted = xasprintf ("%s/%s", rel, victim);
          return nook_diff_path_error (err, errno, "delete", deleted);
        }
      if (check_special (&st, path, allow_special, err) < 0)
        return -1;
      if ((S_ISDIR (st.st_mode) ? apply_subdir (ufd, tfd, name, &st, path, allow_special, err)
                                : apply_leaf (ufd, tfd, name, &st, path, err))
          < 0)
        return -1;
    }
  return 0;
}

int
nook_diff_apply_walk (const char *upper, const char *target, bool allow_special, struct nook_error *err)
{
  cleanup_close int ufd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int tfd = open (target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct nook_changes changes;
  int r;

  if (ufd < 0)
    return nook_error_errno (err, "upper `%s`", upper);
  if (tfd < 0)
    return nook_error_errno (err, "`%s`", target);
  /* The whole upper first: a bad name or a refused entry anywhere in it
     stops everything before the first change is made.  */
  if (nook_diff_walk (upper, NULL, &changes, err) < 0)
    return -1;
  r = allow_special ? 0 : nook_changes_check_special (&changes, target, err);
  nook_changes_free (&changes);
  if (r < 0)
    return -1;
  return apply_dir (ufd, tfd, target, allow_special, err);
}
