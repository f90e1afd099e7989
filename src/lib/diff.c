/* nook: reading an overlay's upper layer (nook diff) and applying it to
 * the directory it covered (nook try --commit).
 *
 * Every walk goes through directory fds with O_NOFOLLOW: the upper was
 * written by the sandboxed command, so a symlink in it is data, never a
 * way into the rest of the host.  Its names are data too: the kernel's
 * overlay lets the command create a file named `.wh...`, which as an OCI
 * whiteout would delete `..`; every name is checked (nook_diff_name_ok)
 * before it is listed or applied, and escaped before it is shown.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "diff.h"
#include "escape.h"
#include "overlay.h"
#include "userns.h"
#include "utils.h"

/* OCI's opaque mark; fuse-overlayfs writes it too.  */
#define OPAQUE_MARK ".wh..wh..opq"
#define WH_PREFIX ".wh."

static const char *const opaque_xattrs[]
    = { "user.overlay.opaque", "trusted.overlay.opaque", "user.fuseoverlayfs.opaque", NULL };
static const char *const origin_xattrs[]
    = { "user.overlay.origin", "trusted.overlay.origin", "user.fuseoverlayfs.origin", NULL };

static bool
is_whiteout_dev (const struct stat *st)
{
  return S_ISCHR (st->st_mode) && st->st_rdev == makedev (0, 0);
}

/* Whether DIRFD/NAME (not followed when a symlink) has one of NAMES; with
   WANT_Y, set to "y".  */
static bool
has_xattr_at (int dirfd, const char *name, const char *const *names, bool want_y)
{
  char path[PATH_MAX], val[8];

  snprintf (path, sizeof path, "/proc/self/fd/%d/%s", dirfd, name);
  for (size_t i = 0; names[i]; i++)
    {
      ssize_t n = lgetxattr (path, names[i], val, sizeof val);
      if (n >= 0 && (!want_y || (n >= 1 && val[0] == 'y')))
        return true;
    }
  return false;
}

/* Whether the directory at FD hides what lower layers have in it.  */
static bool
dir_is_opaque (int fd)
{
  struct stat st;
  return has_xattr_at (fd, ".", opaque_xattrs, true)
         || fstatat (fd, OPAQUE_MARK, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static int
compare_names (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* The names in the directory at FD, sorted, without "." and "..".  */
static char **
read_names (int fd)
{
  int copy = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = copy >= 0 ? fdopendir (copy) : NULL;
  struct dirent *de;
  char **names = NULL;

  if (d == NULL)
    {
      if (copy >= 0)
        close (copy);
      return NULL;
    }
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      strv_append (&names, de->d_name);
  closedir (d);
  if (names)
    qsort (names, strv_len (names), sizeof *names, compare_names);
  return names;
}

static bool
strv_has (char *const *v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

/* "WHAT `PATH`: ERRNO", PATH escaped: it names what the sandbox made.  */
static int
path_error (struct nook_error *err, int errnum, const char *what, const char *path)
{
  cleanup_free char *shown = nook_escape_name (path);
  return nook_error_set (err, errnum, "%s `%s`", what, shown);
}

static int
open_dir_beneath (int rootfd, const char *rel)
{
  struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
                          .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  while (*rel == '/')
    rel++;
  return syscall (SYS_openat2, rootfd, *rel ? rel : ".", &how, sizeof how);
}

bool
nook_diff_name_ok (const char *name)
{
  return name[0] != '\0' && strcmp (name, ".") != 0 && strcmp (name, "..") != 0 && strchr (name, '/') == NULL;
}

/* REL/NAME is an entry of the upper: NAME, and the name it deletes when it
   is an OCI whiteout, must each name an entry of the directory.  */
static int
check_name (const char *rel, const char *name, struct nook_error *err)
{
  bool whiteout = strncmp (name, WH_PREFIX, 4) == 0;
  cleanup_free char *path = NULL, *shown = NULL, *victim = NULL;

  if (nook_diff_name_ok (name) && (!whiteout || nook_diff_name_ok (name + 4)))
    return 0;
  path = xasprintf ("%s/%s", rel, name);
  shown = nook_escape_name (path);
  if (nook_diff_name_ok (name))
    {
      victim = nook_escape_name (name + 4);
      nook_error_set (err, 0, "`%s` in the upper: a whiteout of `%s`, which is not a name in its directory",
                      shown, victim);
    }
  else
    nook_error_set (err, 0, "`%s` in the upper: not a name in its directory", shown);
  return nook_error_hint (err, "the sandboxed command wrote it to reach outside the directory; nothing was "
                               "applied");
}

/* ---- nook diff ------------------------------------------------------------------ */

struct walk
{
  int *lowerfds; /* first the lowest */
  size_t n_lowers;
  bool have_lowers;
  struct nook_changes *out;
};

static void
emit (struct walk *w, char kind, const char *path, mode_t mode, mode_t old_mode)
{
  w->out->v = xrealloc (w->out->v, (w->out->n + 1) * sizeof *w->out->v);
  w->out->v[w->out->n]
      = (struct nook_change){ .kind = kind, .path = xstrdup (path), .mode = mode, .old_mode = old_mode };
  w->out->n++;
}

/* Whether the lowers, merged, have DIR/NAME (DIR relative to their root);
   OLD_MODE is set to its mode there.  */
static bool
lowers_have (struct walk *w, const char *dir, const char *name, mode_t *old_mode)
{
  cleanup_free char *wh = xasprintf (WH_PREFIX "%s", name);

  for (size_t i = w->n_lowers; i-- > 0;)
    {
      cleanup_close int fd = open_dir_beneath (w->lowerfds[i], dir);
      struct stat st;

      if (fd < 0)
        continue;
      if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        {
          *old_mode = st.st_mode;
          return !is_whiteout_dev (&st);
        }
      if (fstatat (fd, wh, &st, AT_SYMLINK_NOFOLLOW) == 0 || dir_is_opaque (fd))
        return false;
    }
  return false;
}

/* An opaque directory that replaced a lower one deletes the lower's
   entries that the upper does not have again.  */
static void
emit_hidden (struct walk *w, const char *rel, char *const *upper_names)
{
  cleanup_strv char **seen = NULL;

  for (size_t i = 0; i < w->n_lowers; i++)
    {
      cleanup_close int fd = open_dir_beneath (w->lowerfds[i], rel);
      cleanup_strv char **names = fd >= 0 ? read_names (fd) : NULL;

      for (size_t j = 0; names && names[j]; j++)
        if (strncmp (names[j], WH_PREFIX, 4) != 0 && !strv_has (upper_names, names[j])
            && !strv_has (seen, names[j]))
          {
            cleanup_free char *path = xasprintf ("%s/%s", rel, names[j]);
            strv_append (&seen, names[j]);
            emit (w, 'D', path, 0, 0);
          }
    }
}

static int walk_dir (struct walk *w, int fd, const char *rel, bool existed, struct nook_error *err);

static int
walk_entry (struct walk *w, int fd, const char *rel, const char *name, bool below_new, struct nook_error *err)
{
  cleanup_free char *path = xasprintf ("%s/%s", rel, name);
  cleanup_close int sub = -1;
  struct stat st;
  mode_t old_mode = 0;
  bool existed;

  if (check_name (rel, name, err) < 0)
    return -1;
  if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return path_error (err, errno, "diff", path);
  if (strncmp (name, WH_PREFIX, 4) == 0)
    {
      /* .wh.NAME deletes NAME; fuse-overlayfs also keeps whiteout
         devices of its own under .wh. names, which say nothing.  */
      if (!is_whiteout_dev (&st))
        {
          cleanup_free char *deleted = xasprintf ("%s/%s", rel, name + 4);
          emit (w, 'D', deleted, 0, 0);
        }
      return 0;
    }
  if (is_whiteout_dev (&st))
    {
      emit (w, 'D', path, 0, 0);
      return 0;
    }
  if (below_new)
    existed = false;
  else if (w->have_lowers)
    existed = lowers_have (w, rel, name, &old_mode);
  else
    existed = has_xattr_at (fd, name, origin_xattrs, false);
  emit (w, existed ? 'C' : 'A', path, st.st_mode, existed ? old_mode : 0);
  if (!S_ISDIR (st.st_mode))
    return 0;
  sub = openat (fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0)
    return path_error (err, errno, "diff", path);
  return walk_dir (w, sub, path, existed, err);
}

static int
walk_dir (struct walk *w, int fd, const char *rel, bool existed, struct nook_error *err)
{
  cleanup_strv char **names = read_names (fd);
  bool opaque = dir_is_opaque (fd);

  if (existed && opaque && w->have_lowers)
    emit_hidden (w, rel, names);
  for (size_t i = 0; names && names[i]; i++)
    if (strcmp (names[i], OPAQUE_MARK) != 0 && walk_entry (w, fd, rel, names[i], !existed || opaque, err) < 0)
      return -1;
  return 0;
}

static int
compare_changes (const void *a, const void *b)
{
  return strcmp (((const struct nook_change *)a)->path, ((const struct nook_change *)b)->path);
}

static int
diff_walk (const char *upper, char *const *lowers, struct nook_changes *out, struct nook_error *err)
{
  struct walk w = { .out = out, .have_lowers = lowers != NULL };
  cleanup_close int fd = open (upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int r = -1;

  memset (out, 0, sizeof *out);
  if (fd < 0)
    return nook_error_errno (err, "upper `%s`", upper);
  w.n_lowers = strv_len (lowers);
  w.lowerfds = xcalloc (w.n_lowers + 1, sizeof (int));
  for (size_t i = 0; i < w.n_lowers; i++)
    {
      w.lowerfds[i] = open (lowers[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (w.lowerfds[i] < 0)
        {
          nook_error_errno (err, "layer `%s`", lowers[i]);
          goto out;
        }
    }
  r = walk_dir (&w, fd, "", true, err);
  if (r == 0)
    qsort (out->v, out->n, sizeof *out->v, compare_changes);
out:
  for (size_t i = 0; i < w.n_lowers; i++)
    if (w.lowerfds[i] >= 0)
      close (w.lowerfds[i]);
  free (w.lowerfds);
  return r;
}

void
nook_changes_free (struct nook_changes *changes)
{
  for (size_t i = 0; i < changes->n; i++)
    free (changes->v[i].path);
  free (changes->v);
  memset (changes, 0, sizeof *changes);
}

const char *
nook_change_special (const struct nook_change *c)
{
  if (c->kind == 'D')
    return NULL;
  if (S_ISCHR (c->mode))
    return "character device";
  if (S_ISBLK (c->mode))
    return "block device";
  /* On a directory setgid only sets the group of what is created in it,
     and setuid means nothing.  */
  if (S_ISDIR (c->mode))
    return NULL;
  switch (c->mode & (S_ISUID | S_ISGID))
    {
    case S_ISUID | S_ISGID:
      return "setuid and setgid";
    case S_ISUID:
      return "setuid";
    case S_ISGID:
      return "setgid";
    }
  return NULL;
}

/* Whether C changed the permissions of an entry that kept its type.  */
static bool
perms_changed (const struct nook_change *c)
{
  return c->kind == 'C' && c->old_mode != 0 && !S_ISLNK (c->mode)
         && (c->old_mode & S_IFMT) == (c->mode & S_IFMT) && (c->old_mode & 07777) != (c->mode & 07777);
}

char *
nook_change_line (const struct nook_change *c, const char *prefix)
{
  cleanup_free char *path = xasprintf ("%s%s", prefix ? prefix : "", c->path);
  cleanup_free char *shown = nook_escape_name (path);
  const char *special = nook_change_special (c);
  char note[64] = "";

  if (perms_changed (c))
    snprintf (note, sizeof note, " (%04o -> %04o%s%s)", (unsigned)(c->old_mode & 07777),
              (unsigned)(c->mode & 07777), special ? ", " : "", special ? special : "");
  else if (special)
    snprintf (note, sizeof note, " (%04o, %s)", (unsigned)(c->mode & 07777), special);
  return xasprintf ("%c %s%s", c->kind, shown, note);
}

/* The message for a special entry at PATH (not yet escaped).  */
static int
special_error (struct nook_error *err, const char *path, mode_t mode, const char *special)
{
  cleanup_free char *shown = nook_escape_name (path);

  if (S_ISCHR (mode) || S_ISBLK (mode))
    nook_error_set (err, 0, "`%s`: a %s: nothing was applied", shown, special);
  else
    nook_error_set (err, 0, "`%s`: a %s file (mode %04o): nothing was applied", shown, special,
                    (unsigned)(mode & 07777));
  return nook_error_hint (err,
                          "look at what the command made; --allow-setuid applies setuid and setgid files "
                          "and device nodes");
}

int
nook_changes_check_special (const struct nook_changes *changes, const char *prefix, struct nook_error *err)
{
  for (size_t i = 0; i < changes->n; i++)
    {
      const char *special = nook_change_special (&changes->v[i]);
      if (special)
        {
          cleanup_free char *path = xasprintf ("%s%s", prefix ? prefix : "", changes->v[i].path);
          return special_error (err, path, changes->v[i].mode, special);
        }
    }
  return 0;
}

char *
nook_changes_to_json (const struct nook_changes *changes)
{
  json_object *arr = json_object_new_array ();
  char *text;

  for (size_t i = 0; i < changes->n; i++)
    {
      const struct nook_change *c = &changes->v[i];
      json_object *o = json_object_new_object ();
      char kind[2] = { c->kind, '\0' }, mode[8];
      const char *special = nook_change_special (c);

      json_object_object_add (o, "kind", json_object_new_string (kind));
      json_object_object_add (o, "path", json_object_new_string (c->path));
      if (c->kind != 'D')
        {
          snprintf (mode, sizeof mode, "%04o", (unsigned)(c->mode & 07777));
          json_object_object_add (o, "mode", json_object_new_string (mode));
        }
      if (perms_changed (c))
        {
          snprintf (mode, sizeof mode, "%04o", (unsigned)(c->old_mode & 07777));
          json_object_object_add (o, "old_mode", json_object_new_string (mode));
        }
      if (special)
        json_object_object_add (o, "special", json_object_new_string (special));
      json_object_array_add (arr, o);
    }
  text = xstrdup (
      json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return text;
}

int
nook_diff_read_layers (const char *upper, char ***lowers, struct nook_error *err)
{
  cleanup_free char *abs = realpath (upper, NULL), *meta = NULL, *path = NULL;
  json_object *root, *arr;

  *lowers = NULL;
  if (abs == NULL)
    return nook_error_errno (err, "upper `%s`", upper);
  meta = nook_overlay_meta_dir (abs);
  path = xasprintf ("%s/layers.json", meta);
  if (access (path, F_OK) < 0)
    return 0;
  root = json_object_from_file (path);
  if (root == NULL || !json_object_object_get_ex (root, "layers", &arr)
      || !json_object_is_type (arr, json_type_array))
    {
      if (root)
        json_object_put (root);
      return nook_error_set (err, 0, "`%s` is not a layer record of nook", path);
    }
  for (size_t i = 0; i < json_object_array_length (arr); i++)
    strv_append (lowers, json_object_get_string (json_object_array_get_idx (arr, i)));
  json_object_put (root);
  return 0;
}

/* ---- applying an upper ---------------------------------------------------------- */

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
  cleanup_strv char **names = read_names (fd);

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

  return special && !allow_special ? special_error (err, path, st->st_mode, special) : 0;
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
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (ufd, name, target, sizeof target - 1);
      if (n < 0)
        r = -1;
      else
        {
          target[n] = '\0';
          r = symlinkat (target, tfd, tmp);
          if (r == 0)
            utimensat (tfd, tmp, times, AT_SYMLINK_NOFOLLOW);
        }
    }
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
      return path_error (err, saved, "apply", path);
    }
  /* A directory in the way is replaced, as the command replaced it.  */
  if (fstatat (tfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR (cur.st_mode))
    nook_remove_tree_at (tfd, name);
  if (renameat (tfd, tmp, tfd, name) < 0)
    {
      int saved = errno;
      unlinkat (tfd, tmp, 0);
      return path_error (err, saved, "apply", path);
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
    return path_error (err, errno, "apply", path);
  /* A symlink where the upper has a directory is replaced, never entered:
     the symlink may point anywhere on the host.  */
  if (fstatat (tfd, name, &cur, AT_SYMLINK_NOFOLLOW) == 0 && (!S_ISDIR (cur.st_mode) || dir_is_opaque (usub)))
    if (nook_remove_tree_at (tfd, name) < 0)
      return path_error (err, errno, "replace", path);
  if (mkdirat (tfd, name, 0700) < 0 && errno != EEXIST)
    return path_error (err, errno, "apply", path);
  tsub = openat (tfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (tsub < 0)
    return path_error (err, errno, "apply", path);
  /* Writable while it is filled; its own mode and times come last.  */
  fchmod (tsub, 0700);
  if (apply_dir (usub, tsub, path, allow_special, err) < 0)
    return -1;
  if (fchmod (tsub, st->st_mode & 07777) < 0 || futimens (tsub, times) < 0)
    return path_error (err, errno, "apply", path);
  return 0;
}

/* Applies the upper directory UFD to the target directory TFD, entry by
   entry.  Every name is checked again here, not only when the upper was
   listed: each one becomes a single path component under TFD, so nothing
   lands outside it.  */
static int
apply_dir (int ufd, int tfd, const char *rel, bool allow_special, struct nook_error *err)
{
  cleanup_strv char **names = read_names (ufd);

  for (size_t i = 0; names && names[i]; i++)
    {
      const char *name = names[i];
      cleanup_free char *path = xasprintf ("%s/%s", rel, name);
      struct stat st;

      if (strcmp (name, OPAQUE_MARK) == 0)
        continue;
      if (check_name (rel, name, err) < 0)
        return -1;
      if (fstatat (ufd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        return path_error (err, errno, "apply", path);
      if (strncmp (name, WH_PREFIX, 4) == 0 || is_whiteout_dev (&st))
        {
          const char *victim = strncmp (name, WH_PREFIX, 4) == 0 ? name + 4 : name;
          cleanup_free char *deleted = NULL;
          if (strncmp (name, WH_PREFIX, 4) == 0 && is_whiteout_dev (&st))
            continue; /* fuse-overlayfs's own marks */
          if (nook_remove_tree_at (tfd, victim) == 0)
            continue;
          deleted = xasprintf ("%s/%s", rel, victim);
          return path_error (err, errno, "delete", deleted);
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

static int
apply_walk (const char *upper, const char *target, bool allow_special, struct nook_error *err)
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
  if (diff_walk (upper, NULL, &changes, err) < 0)
    return -1;
  r = allow_special ? 0 : nook_changes_check_special (&changes, target, err);
  nook_changes_free (&changes);
  if (r < 0)
    return -1;
  return apply_dir (ufd, tfd, target, allow_special, err);
}

/* ---- uppers of subordinate ids ---------------------------------------------------
 *
 * An upper written with --map-users auto holds files of the caller's
 * subordinate ids, such as apt's 0700 directories of uid 100 (_apt), that
 * the caller cannot read.  They are read, applied or removed by a helper
 * in a user namespace with the same mapping (nook_userns_run_mapped), where
 * the caller is root over them.  The helper walks what the sandbox wrote,
 * so its answer is data: a stream of records, each length-checked, each
 * path checked name by name, and its error text stripped of control
 * characters, before anything is used or shown.
 *
 *   'C' KIND(1) MODE(u32) OLD_MODE(u32) LEN(u32) PATH   a change (diff)
 *   'E' ERRNUM(u32) LEN(u32) TEXT                       the walk failed
 *   'Z'                                                 the end: all was sent
 */

#define RECORD_MAX_TEXT (1u << 20)

static bool
send_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      p += n;
      len -= n;
    }
  return true;
}

static bool
send_u32 (int fd, uint32_t v)
{
  return send_all (fd, &v, sizeof v);
}

static bool
send_text (int fd, const char *text)
{
  size_t len = strlen (text);
  return len <= RECORD_MAX_TEXT && send_u32 (fd, len) && send_all (fd, text, len);
}

/* The helper's answer when it failed: the error, then the end.  */
static int
send_error (int fd, const struct nook_error *err)
{
  send_all (fd, "E", 1);
  send_u32 (fd, err->errnum);
  send_text (fd, err->msg ? err->msg : "failed");
  send_all (fd, "Z", 1);
  return -1;
}

struct reader
{
  const char *p, *end;
};

static bool
take (struct reader *r, void *out, size_t n)
{
  if ((size_t)(r->end - r->p) < n)
    return false;
  memcpy (out, r->p, n);
  r->p += n;
  return true;
}

/* A text of the stream: at most RECORD_MAX_TEXT bytes; NULL when short.  */
static char *
take_text (struct reader *r)
{
  uint32_t len;
  char *text;

  if (!take (r, &len, sizeof len) || len > RECORD_MAX_TEXT || (size_t)(r->end - r->p) < len)
    return NULL;
  text = xmalloc (len + 1);
  memcpy (text, r->p, len);
  text[len] = '\0';
  r->p += len;
  return text;
}

/* A path of the helper's: "/NAME/NAME...", each a name nook_diff_name_ok
   accepts, with no NUL inside.  */
static bool
helper_path_ok (const char *path, size_t len)
{
  if (len == 0 || path[0] != '/' || strlen (path) != len)
    return false;
  for (const char *p = path + 1;;)
    {
      const char *slash = strchrnul (p, '/');
      char name[NAME_MAX + 1];
      if ((size_t)(slash - p) > NAME_MAX)
        return false;
      memcpy (name, p, slash - p);
      name[slash - p] = '\0';
      if (!nook_diff_name_ok (name))
        return false;
      if (*slash == '\0')
        return true;
      p = slash + 1;
    }
}

/* Turns an 'E' record into ERR: nook's own words, but made by a process
   that read hostile names, so no control character reaches a terminal.  */
static int
helper_error (struct reader *r, struct nook_error *err)
{
  uint32_t errnum;
  cleanup_free char *text = NULL;

  if (!take (r, &errnum, sizeof errnum) || (text = take_text (r)) == NULL)
    return nook_error_set (err, 0, "the helper in the user namespace sent a malformed error");
  for (char *c = text; *c; c++)
    if ((unsigned char)*c < 0x20 || *c == 0x7f)
      *c = '?';
  nook_error_set (err, 0, "%s", text);
  err->errnum = errnum < 4096 ? (int)errnum : 0;
  return -1;
}

int
nook_diff_read_stream (const char *buf, size_t len, struct nook_changes *out, struct nook_error *err)
{
  struct reader r = { buf, buf + len };
  char tag;

  while (take (&r, &tag, 1))
    {
      if (tag == 'Z')
        return r.p == r.end
                   ? 0
                   : nook_error_set (err, 0, "the helper in the user namespace sent more than its answer");
      if (tag == 'E')
        return helper_error (&r, err);
      if (tag == 'C' && out)
        {
          char kind;
          uint32_t mode, old_mode;
          char *path;
          if (!take (&r, &kind, 1) || !take (&r, &mode, sizeof mode) || !take (&r, &old_mode, sizeof old_mode)
              || (path = take_text (&r)) == NULL)
            break;
          if ((kind != 'A' && kind != 'C' && kind != 'D') || !helper_path_ok (path, strlen (path)))
            {
              cleanup_free char *shown = nook_escape_name (path);
              free (path);
              return nook_error_set (err, 0, "the helper in the user namespace sent a bad entry `%s`", shown);
            }
          out->v = xrealloc (out->v, (out->n + 1) * sizeof *out->v);
          out->v[out->n++]
              = (struct nook_change){ .kind = kind, .path = path, .mode = mode, .old_mode = old_mode };
          continue;
        }
      break;
    }
  return nook_error_set (err, 0, "the helper in the user namespace ended before its answer");
}

struct mapped_job
{
  const char *upper, *target;
  char *const *lowers;
  bool allow_special;
  enum
  {
    JOB_DIFF,
    JOB_APPLY,
    JOB_REMOVE,
  } kind;
};

static int
mapped_job (int fd, void *arg)
{
  const struct mapped_job *job = arg;
  struct nook_error err = { 0 };
  struct nook_changes changes;

  switch (job->kind)
    {
    case JOB_DIFF:
      if (diff_walk (job->upper, job->lowers, &changes, &err) < 0)
        return send_error (fd, &err);
      for (size_t i = 0; i < changes.n; i++)
        {
          const struct nook_change *c = &changes.v[i];
          if (!send_all (fd, "C", 1) || !send_all (fd, &c->kind, 1) || !send_u32 (fd, c->mode)
              || !send_u32 (fd, c->old_mode) || !send_text (fd, c->path))
            return -1;
        }
      nook_changes_free (&changes);
      break;
    case JOB_APPLY:
      if (apply_walk (job->upper, job->target, job->allow_special, &err) < 0)
        return send_error (fd, &err);
      break;
    case JOB_REMOVE:
      if (nook_remove_tree_at (AT_FDCWD, job->upper) < 0)
        {
          nook_error_errno (&err, "remove `%s`", job->upper);
          return send_error (fd, &err);
        }
      break;
    }
  return send_all (fd, "Z", 1) ? 0 : -1;
}

/* Runs JOB in the mapped helper.  ERR holds the caller's own failure
   (EACCES): it stays the message when no helper can run, with why.  */
static int
run_mapped (const struct mapped_job *job, struct nook_changes *out, struct nook_error *err)
{
  struct nook_error helper_err = { 0 };
  cleanup_free char *buf = NULL;
  size_t len;

  if (nook_userns_run_mapped (mapped_job, (void *)job, &buf, &len, &helper_err) < 0)
    {
      nook_error_hint (err,
                       "files of subordinate ids (--map-users auto) are read in a user namespace, which "
                       "failed: %s",
                       helper_err.msg ? helper_err.msg : "?");
      nook_error_release (&helper_err);
      return -1;
    }
  nook_error_release (err);
  if (out)
    memset (out, 0, sizeof *out);
  if (nook_diff_read_stream (buf, len, out, err) < 0)
    {
      if (out)
        nook_changes_free (out);
      return -1;
    }
  return 0;
}

/* Whether a failure of the caller's own walk is one the mapped helper may
   not meet: a permission refused on files of other ids.  */
static bool
worth_mapping (const struct nook_error *err)
{
  return (err->errnum == EACCES || err->errnum == EPERM) && getuid () != 0;
}

int
nook_diff (const char *upper, char *const *lowers, struct nook_changes *out, struct nook_error *err)
{
  struct mapped_job job = { .upper = upper, .lowers = lowers, .kind = JOB_DIFF };

  if (diff_walk (upper, lowers, out, err) == 0)
    return 0;
  if (!worth_mapping (err))
    return -1;
  nook_changes_free (out);
  if (run_mapped (&job, out, err) < 0)
    return -1;
  qsort (out->v, out->n, sizeof *out->v, compare_changes);
  return 0;
}

int
nook_diff_apply (const char *upper, const char *target, bool allow_special, struct nook_error *err)
{
  struct mapped_job job
      = { .upper = upper, .target = target, .allow_special = allow_special, .kind = JOB_APPLY };

  if (apply_walk (upper, target, allow_special, err) == 0)
    return 0;
  if (!worth_mapping (err))
    return -1;
  return run_mapped (&job, NULL, err);
}

int
nook_remove_tree_mapped (const char *path)
{
  struct mapped_job job = { .upper = path, .kind = JOB_REMOVE };
  struct nook_error err = { 0 };
  int r;

  if (nook_remove_tree_at (AT_FDCWD, path) == 0)
    return 0;
  if (errno != EACCES && errno != EPERM)
    return -1;
  err.errnum = errno;
  r = run_mapped (&job, NULL, &err);
  nook_error_release (&err);
  return r;
}
