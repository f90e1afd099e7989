/* nook: reading an overlay's upper layer (nook diff): its changes, both
 * forms of whiteout, opaque directories, and the names in it checked.
 * diff-apply.c applies an upper (nook try --commit); diff-mapped.c reads
 * and applies one of subordinate ids through a helper in a user namespace.
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
#include "diff-internal.h"
#include "escape.h"
#include "overlay.h"
#include "userns.h"
#include "utils.h"

static const char *const opaque_xattrs[]
    = { "user.overlay.opaque", "trusted.overlay.opaque", "user.fuseoverlayfs.opaque", NULL };
static const char *const origin_xattrs[]
    = { "user.overlay.origin", "trusted.overlay.origin", "user.fuseoverlayfs.origin", NULL };
/* A setcap in the sandbox writes it; nook try never copies an xattr.  */
static const char *const fcaps_xattrs[] = { "security.capability", NULL };

bool
nook_diff_is_whiteout_dev (const struct stat *st)
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
      /* Without WANT_Y, only whether it is there: its size, since a value
         longer than VAL (an origin's file handle, a capability set)
         fails with ERANGE.  */
      ssize_t n = want_y ? lgetxattr (path, names[i], val, sizeof val) : lgetxattr (path, names[i], NULL, 0);
      if (n >= 0 && (!want_y || (n >= 1 && val[0] == 'y')))
        return true;
    }
  return false;
}

/* Whether the directory at FD hides what lower layers have in it.  */
bool
nook_diff_dir_is_opaque (int fd)
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
char **
nook_diff_read_names (int fd)
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

/* "WHAT `PATH`: ERRNO", PATH escaped: it names what the sandbox made.  */
int
nook_diff_path_error (struct nook_error *err, int errnum, const char *what, const char *path)
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
int
nook_diff_check_name (const char *rel, const char *name, struct nook_error *err)
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
  int depth; /* of the directory walked, the upper's root 0 */
  struct nook_changes *out;
};

static struct nook_change *
emit (struct walk *w, char kind, const char *path, mode_t mode, mode_t old_mode)
{
  w->out->v = xrealloc (w->out->v, (w->out->n + 1) * sizeof *w->out->v);
  w->out->v[w->out->n]
      = (struct nook_change){ .kind = kind, .path = xstrdup (path), .mode = mode, .old_mode = old_mode };
  return &w->out->v[w->out->n++];
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
          return !nook_diff_is_whiteout_dev (&st);
        }
      if (fstatat (fd, wh, &st, AT_SYMLINK_NOFOLLOW) == 0 || nook_diff_dir_is_opaque (fd))
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
      cleanup_strv char **names = fd >= 0 ? nook_diff_read_names (fd) : NULL;

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
  int r;

  if (nook_diff_check_name (rel, name, err) < 0)
    return -1;
  if (fstatat (fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return nook_diff_path_error (err, errno, "diff", path);
  if (strncmp (name, WH_PREFIX, 4) == 0)
    {
      /* .wh.NAME deletes NAME; fuse-overlayfs also keeps whiteout
         devices of its own under .wh. names, which say nothing.  */
      if (!nook_diff_is_whiteout_dev (&st))
        {
          cleanup_free char *deleted = xasprintf ("%s/%s", rel, name + 4);
          emit (w, 'D', deleted, 0, 0);
        }
      return 0;
    }
  if (nook_diff_is_whiteout_dev (&st))
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
  emit (w, existed ? 'C' : 'A', path, st.st_mode, existed ? old_mode : 0)->fcaps
      = S_ISREG (st.st_mode) && has_xattr_at (fd, name, fcaps_xattrs, false);
  if (!S_ISDIR (st.st_mode))
    return 0;
  /* Applying holds two descriptors a level, listing one: a tree the walk
     could list but not apply would be applied in part.  */
  if (w->depth >= NOOK_DIFF_MAX_DEPTH)
    {
      cleanup_free char *shown = nook_escape_name (path);
      nook_error_set (err, 0, "`%.64s...` in the upper is too deep: more than %d directories", shown,
                      NOOK_DIFF_MAX_DEPTH);
      return nook_error_hint (err, "nothing was applied");
    }
  sub = openat (fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (sub < 0)
    return nook_diff_path_error (err, errno, "diff", path);
  w->depth++;
  r = walk_dir (w, sub, path, existed, err);
  w->depth--;
  return r;
}

static int
walk_dir (struct walk *w, int fd, const char *rel, bool existed, struct nook_error *err)
{
  cleanup_strv char **names = nook_diff_read_names (fd);
  /* The upper's top is the tried directory itself, which an overlay never
     makes opaque: a mark there is a file the command made, and
     nook_diff_apply deletes nothing for it either.  */
  bool opaque = *rel != '\0' && nook_diff_dir_is_opaque (fd);

  if (existed && opaque && w->have_lowers)
    emit_hidden (w, rel, names);
  for (size_t i = 0; names && names[i]; i++)
    if (strcmp (names[i], OPAQUE_MARK) != 0 && walk_entry (w, fd, rel, names[i], !existed || opaque, err) < 0)
      return -1;
  return 0;
}

int
nook_diff_compare_changes (const void *a, const void *b)
{
  return strcmp (((const struct nook_change *)a)->path, ((const struct nook_change *)b)->path);
}

int
nook_diff_walk (const char *upper, char *const *lowers, struct nook_changes *out, struct nook_error *err)
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
  /* No change: out->v is NULL, which qsort must not be given, even for
     zero elements.  */
  if (r == 0 && out->n > 0)
    qsort (out->v, out->n, sizeof *out->v, nook_diff_compare_changes);
out:
  /* A refused name half-way: what was listed so far goes, so that OUT
     is empty whenever this fails and no caller must free it then.  */
  if (r < 0)
    nook_changes_free (out);
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
  const char *what = nook_change_special (c);
  char perms[16] = "";

  /* A setgid directory is applied (its files get its group, the
     caller's), but shown: a mode the user did not expect.  */
  if (what == NULL && c->kind != 'D' && S_ISDIR (c->mode) && (c->mode & S_ISGID))
    what = "setgid directory";
  if (perms_changed (c))
    snprintf (perms, sizeof perms, "%04o -> %04o", (unsigned)(c->old_mode & 07777),
              (unsigned)(c->mode & 07777));
  else if (what || (c->kind != 'D' && c->fcaps))
    snprintf (perms, sizeof perms, "%04o", (unsigned)(c->mode & 07777));
  if (perms[0] == '\0')
    return xasprintf ("%c %s", c->kind, shown);
  return xasprintf ("%c %s (%s%s%s%s)", c->kind, shown, perms, what ? ", " : "", what ? what : "",
                    c->kind != 'D' && c->fcaps ? ", file capabilities not applied" : "");
}

/* The message for a special entry at PATH (not yet escaped).  */
int
nook_diff_special_error (struct nook_error *err, const char *path, mode_t mode, const char *special)
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
          return nook_diff_special_error (err, path, changes->v[i].mode, special);
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
      if (c->kind != 'D' && c->fcaps)
        json_object_object_add (o, "file_capabilities", json_object_new_boolean (true));
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
  cleanup_close int fd = -1;
  json_object *root, *arr;

  *lowers = NULL;
  if (abs == NULL)
    return nook_error_errno (err, "upper `%s`", upper);
  meta = nook_overlay_meta_dir (abs);
  path = xasprintf ("%s/layers.json", meta);
  /* Beside an upper the sandbox may have written: a symlink is no record.  */
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT)
    return 0;
  root = fd >= 0 ? json_object_from_fd (fd) : NULL;
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
