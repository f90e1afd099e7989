/* nook: the content-addressed image store (layout in imgstore.h).
 *
 * Concurrency: every writer builds in tmp/ without the lock and makes its
 * work visible with one rename; images.json changes only under LOCK_EX.  A
 * load holds LOCK_SH while it unpacks, so prune (LOCK_EX) never removes a
 * layer that a load is about to record, and a record checks under LOCK_EX
 * that its layers are still there.
 */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "diff.h"
#include "imgstore.h"
#include "layer.h"
#include "utils.h"

/* tmp/ entries older than this are left over by a killed load: prune
   removes them.  */
#define TMP_MAX_AGE (24 * 3600)

char *
nook_images_dir (struct nook_error *err)
{
  const char *xdg = getenv ("XDG_DATA_HOME"), *home = getenv ("HOME");

  if (xdg && xdg[0] == '/')
    return xasprintf ("%s/nook", xdg);
  if (home == NULL || home[0] != '/')
    {
      nook_error_set (err, 0, "image store: neither XDG_DATA_HOME nor HOME is an absolute path");
      nook_error_hint (err, "set HOME or XDG_DATA_HOME");
      return NULL;
    }
  return xasprintf ("%s/.local/share/nook", home);
}

/* mkdir -p, the last component with MODE.  */
static int
mkdir_parents (const char *path, mode_t mode)
{
  cleanup_free char *copy = xstrdup (path);

  for (char *p = copy + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        if (mkdir (copy, 0755) < 0 && errno != EEXIST)
          return -1;
        *p = '/';
      }
  return mkdir (copy, mode) < 0 && errno != EEXIST ? -1 : 0;
}

int
nook_images_open (struct nook_images *s, struct nook_error *err)
{
  static const char *const subdirs[] = { "blobs", "blobs/sha256", "layers", "tmp", NULL };
  struct stat st;

  memset (s, 0, sizeof *s);
  s->fd = s->lockfd = -1;
  s->path = nook_images_dir (err);
  if (s->path == NULL)
    return -1;
  if (mkdir_parents (s->path, 0700) < 0 || (s->fd = open (s->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return nook_error_errno (err, "image store `%s`", s->path);
  if (fstat (s->fd, &st) < 0 || st.st_uid != getuid ())
    return nook_error_set (err, 0, "image store `%s`: owned by another user", s->path);
  for (size_t i = 0; subdirs[i]; i++)
    if (mkdirat (s->fd, subdirs[i], 0700) < 0 && errno != EEXIST)
      return nook_error_errno (err, "image store: create `%s/%s`", s->path, subdirs[i]);
  s->lockfd = openat (s->fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (s->lockfd < 0)
    return nook_error_errno (err, "image store: `%s/lock`", s->path);
  return 0;
}

void
nook_images_close (struct nook_images *s)
{
  nook_images_unlock (s);
  if (s->fd >= 0)
    close (s->fd);
  if (s->lockfd >= 0)
    close (s->lockfd);
  free (s->path);
  memset (s, 0, sizeof *s);
  s->fd = s->lockfd = -1;
}

int
nook_images_lock (struct nook_images *s, int how, struct nook_error *err)
{
  cleanup_free char *path = xasprintf ("%s/images.json", s->path);

  while (flock (s->lockfd, how) < 0)
    if (errno != EINTR)
      return nook_error_errno (err, "image store: lock");
  s->locked = how;
  if (s->index)
    json_object_put (s->index);
  s->index = NULL;
  if (faccessat (s->fd, "images.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    s->index = json_object_from_file (path);
  else if (errno == ENOENT)
    s->index = json_object_new_object ();
  if (s->index == NULL || !json_object_is_type (s->index, json_type_object))
    {
      nook_images_unlock (s);
      return nook_error_set (err, 0, "image store: `%s` cannot be read", path);
    }
  return 0;
}

void
nook_images_unlock (struct nook_images *s)
{
  if (s->locked)
    flock (s->lockfd, LOCK_UN);
  s->locked = 0;
  if (s->index)
    json_object_put (s->index);
  s->index = NULL;
}

static int
save_index (struct nook_images *s, struct nook_error *err)
{
  cleanup_free char *tmp = xasprintf ("%s/tmp/images.json.%d", s->path, (int)getpid ());
  cleanup_free char *path = xasprintf ("%s/images.json", s->path);

  if (json_object_to_file_ext (tmp, s->index, JSON_C_TO_STRING_PRETTY) < 0 || rename (tmp, path) < 0)
    {
      nook_error_errno (err, "image store: write `%s`", path);
      unlink (tmp);
      return -1;
    }
  return 0;
}

bool
nook_digest_is_valid (const char *s)
{
  if (s == NULL || strncmp (s, "sha256:", 7) != 0 || strlen (s) != NOOK_DIGEST_LEN)
    return false;
  for (const char *p = s + 7; *p; p++)
    if (!isdigit ((unsigned char)*p) && !(*p >= 'a' && *p <= 'f'))
      return false;
  return true;
}

char *
nook_images_mktemp (struct nook_images *s, struct nook_error *err)
{
  char *dir = xasprintf ("%s/tmp/XXXXXX", s->path);

  if (mkdtemp (dir) == NULL)
    {
      nook_error_errno (err, "image store: create a directory in `%s/tmp`", s->path);
      free (dir);
      return NULL;
    }
  return dir;
}

static int
rm_rf_at (int parent, const char *name, int depth)
{
  struct stat st;
  DIR *d;
  struct dirent *de;
  int fd, r = 0;

  if (fstatat (parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT ? 0 : -1;
  if (!S_ISDIR (st.st_mode))
    return unlinkat (parent, name, 0);
  if (depth > 256)
    return -1;
  /* Layers keep their directories' modes: 0555 (or 0) cannot be emptied.
     When the mode cannot be changed, the open and unlinks below say
     whether the directory can be removed all the same.  */
  if (fchmodat (parent, name, 0700, 0) < 0 && errno != EPERM)
    return -1;
  fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return -1;
    }
  while ((de = readdir (d)))
    if (strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0
        && rm_rf_at (dirfd (d), de->d_name, depth + 1) < 0)
      r = -1;
  closedir (d);
  if (unlinkat (parent, name, AT_REMOVEDIR) < 0)
    r = -1;
  return r;
}

int
nook_rm_rf (const char *path)
{
  return rm_rf_at (AT_FDCWD, path, 0);
}

/* ---- blobs --------------------------------------------------------------------- */

void
nook_sha256_text (struct sha256_ctx *ctx, char out[NOOK_DIGEST_LEN + 1])
{
  uint8_t d[SHA256_DIGEST_SIZE];

  sha256_digest (ctx, sizeof d, d);
  memcpy (out, "sha256:", 7);
  for (size_t i = 0; i < sizeof d; i++)
    snprintf (out + 7 + 2 * i, 3, "%02x", d[i]);
}

char *
nook_images_blob_path (struct nook_images *s, const char *digest)
{
  return xasprintf ("%s/blobs/sha256/%s", s->path, digest + 7);
}

/* Renames the verified TMP to its digest's name, or removes it.  */
static int
commit_blob (struct nook_images *s, const char *tmp, const char *digest, const char *expect,
             struct nook_error *err)
{
  cleanup_free char *dest = NULL;

  if (expect && strcmp (digest, expect) != 0)
    {
      unlink (tmp);
      return nook_error_set (err, 0, "blob %s: its content has digest %s: corrupted or tampered with", expect,
                             digest);
    }
  dest = nook_images_blob_path (s, digest);
  if (chmod (tmp, 0444) < 0 || rename (tmp, dest) < 0)
    {
      nook_error_errno (err, "image store: store blob %s", digest);
      unlink (tmp);
      return -1;
    }
  return 0;
}

static int
open_blob_tmp (struct nook_images *s, char **tmp, struct nook_error *err)
{
  int fd;

  *tmp = xasprintf ("%s/tmp/blob-XXXXXX", s->path);
  fd = mkostemp (*tmp, O_CLOEXEC);
  if (fd < 0)
    return nook_error_errno (err, "image store: create a file in `%s/tmp`", s->path);
  return fd;
}

int
nook_images_put_blob (struct nook_images *s, const char *src, const char *expect,
                      char digest[NOOK_DIGEST_LEN + 1], struct nook_error *err)
{
  cleanup_close int in = open (src, O_RDONLY | O_CLOEXEC | O_NOCTTY), out = -1;
  cleanup_free char *tmp = NULL;
  struct sha256_ctx ctx;
  char buf[1 << 16];
  ssize_t n;

  if (in < 0)
    return nook_error_errno (err, "`%s`", src);
  if ((out = open_blob_tmp (s, &tmp, err)) < 0)
    return -1;
  sha256_init (&ctx);
  while ((n = read (in, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || nook_write_all (out, buf, n) < 0)
        {
          nook_error_errno (err, n < 0 ? "read `%s`" : "image store: write a copy of `%s`", src);
          unlink (tmp);
          return -1;
        }
      sha256_update (&ctx, n, (const uint8_t *)buf);
    }
  if (close (steal_fd (&out)) < 0)
    {
      nook_error_errno (err, "image store: write a copy of `%s`", src);
      unlink (tmp);
      return -1;
    }
  nook_sha256_text (&ctx, digest);
  return commit_blob (s, tmp, digest, expect, err);
}

int
nook_images_put_blob_mem (struct nook_images *s, const void *data, size_t len, const char *expect,
                          char digest[NOOK_DIGEST_LEN + 1], struct nook_error *err)
{
  cleanup_free char *tmp = NULL;
  cleanup_close int out = open_blob_tmp (s, &tmp, err);
  struct sha256_ctx ctx;

  if (out < 0)
    return -1;
  if (nook_write_all (out, data, len) < 0 || close (steal_fd (&out)) < 0)
    {
      nook_error_errno (err, "image store: write a blob");
      unlink (tmp);
      return -1;
    }
  sha256_init (&ctx);
  sha256_update (&ctx, len, data);
  nook_sha256_text (&ctx, digest);
  return commit_blob (s, tmp, digest, expect, err);
}

/* ---- layers -------------------------------------------------------------------- */

char *
nook_images_layer_path (struct nook_images *s, const char *diff_id)
{
  return xasprintf ("%s/layers/%s/root", s->path, diff_id + 7);
}

uint64_t
nook_images_layer_size (struct nook_images *s, const char *diff_id)
{
  cleanup_free char *rel = xasprintf ("layers/%s/size", diff_id + 7), *text = NULL;
  uint64_t v = 0;
  size_t len;

  if (nook_read_file_at (s->fd, rel, &text, &len, NULL) == 0)
    {
      text[strcspn (text, "\n")] = '\0';
      nook_parse_uint (text, UINT64_MAX, &v);
    }
  return v;
}

static bool
layer_exists (struct nook_images *s, const char *diff_id)
{
  cleanup_free char *rel = xasprintf ("layers/%s/size", diff_id + 7);
  return faccessat (s->fd, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

/* fuse-overlayfs reads the owners a layer keeps in override_stat only
   when the layer's root directory has one too: then files of other ids
   in the image are theirs inside a sandbox with --map-users auto.  */
static int
mark_owners (const char *root, struct nook_error *err)
{
  struct stat st;
  char value[64];
  int n;

  if (stat (root, &st) < 0)
    return nook_error_errno (err, "image store: `%s`", root);
  n = snprintf (value, sizeof value, "0:0:0%o", (unsigned)(st.st_mode & 07777));
  /* The root of the tar may have come read-only: writable for a moment.  */
  if (chmod (root, (st.st_mode & 07777) | S_IWUSR) < 0
      || (setxattr (root, NOOK_OVERRIDE_STAT_XATTR, value, n, XATTR_CREATE) < 0 && errno != EEXIST)
      || chmod (root, st.st_mode & 07777) < 0)
    return nook_error_errno (err, "image store: mark the owners of `%s`", root);
  return 0;
}

int
nook_images_put_layer (struct nook_images *s, const char *archive, const char *expect_diff_id,
                       char diff_id[NOOK_DIGEST_LEN + 1], struct nook_error *err)
{
  cleanup_free char *tmp = NULL, *root = NULL, *size = NULL, *dest = NULL;
  struct nook_unpack_stats st;
  cleanup_close int fd = -1;
  char hex[65];

  /* A layer whose diff_id the config names is looked for first; then one
     pass unpacks it and hashes it, and a digest that is not the one
     expected keeps nothing.  */
  if (expect_diff_id && layer_exists (s, expect_diff_id))
    {
      memcpy (diff_id, expect_diff_id, NOOK_DIGEST_LEN + 1);
      return 0;
    }
  if ((tmp = nook_images_mktemp (s, err)) == NULL)
    return -1;
  root = xasprintf ("%s/root", tmp);
  size = xasprintf ("%s/size", tmp);
  if (mkdir (root, 0755) < 0)
    {
      nook_error_errno (err, "image store: create `%s`", root);
      goto fail;
    }
  if (nook_unpack_hashed (archive, root, NOOK_UNPACK_LAYER, &st, hex, err) < 0)
    goto fail;
  memcpy (diff_id, "sha256:", 7);
  memcpy (diff_id + 7, hex, sizeof hex);
  if (expect_diff_id && strcmp (diff_id, expect_diff_id) != 0)
    {
      nook_error_set (err, 0, "layer %s: its uncompressed content has digest %s: corrupted or tampered with",
                      expect_diff_id, diff_id);
      goto fail;
    }
  if (layer_exists (s, diff_id))
    {
      nook_rm_rf (tmp);
      return 0;
    }
  if (mark_owners (root, err) < 0)
    goto fail;
  fd = open (size, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0 || dprintf (fd, "%llu\n", (unsigned long long)st.bytes) < 0)
    {
      nook_error_errno (err, "image store: write `%s`", size);
      goto fail;
    }
  dest = xasprintf ("%s/layers/%s", s->path, diff_id + 7);
  /* A directory cannot be renamed over a non-empty one: when another load
     stored this layer first, its copy stays and this one goes.  */
  if (rename (tmp, dest) < 0 && errno != ENOTEMPTY && errno != EEXIST)
    {
      nook_error_errno (err, "image store: store layer %s", diff_id);
      goto fail;
    }
  nook_rm_rf (tmp);
  return 0;
fail:
  nook_rm_rf (tmp);
  return -1;
}

/* ---- images.json ----------------------------------------------------------------- */

static json_object *
index_images (struct nook_images *s)
{
  json_object *arr;

  if (!json_object_object_get_ex (s->index, "images", &arr) || !json_object_is_type (arr, json_type_array))
    {
      arr = json_object_new_array ();
      json_object_object_add (s->index, "images", arr);
    }
  return arr;
}

char **
nook_json_strv (json_object *o, const char *key)
{
  json_object *arr;
  char **v = NULL;

  if (json_object_object_get_ex (o, key, &arr) && json_object_is_type (arr, json_type_array))
    for (size_t i = 0; i < json_object_array_length (arr); i++)
      {
        json_object *e = json_object_array_get_idx (arr, i);
        if (json_object_is_type (e, json_type_string))
          strv_append (&v, json_object_get_string (e));
      }
  return v;
}

const char *
nook_json_str (json_object *o, const char *key)
{
  json_object *v;
  return json_object_object_get_ex (o, key, &v) && json_object_is_type (v, json_type_string)
             ? json_object_get_string (v)
             : NULL;
}

static int
image_from_json (json_object *o, struct nook_image *img)
{
  const char *id = nook_json_str (o, "id");
  json_object *c;

  memset (img, 0, sizeof *img);
  if (!nook_digest_is_valid (id))
    return -1;
  memcpy (img->id, id, NOOK_DIGEST_LEN + 1);
  img->names = nook_json_strv (o, "names");
  img->layers = nook_json_strv (o, "layers");
  for (size_t i = 0; img->layers && img->layers[i]; i++)
    if (!nook_digest_is_valid (img->layers[i]))
      {
        nook_image_release (img);
        return -1;
      }
  img->created = json_object_object_get_ex (o, "created", &c) ? json_object_get_int64 (c) : 0;
  return 0;
}

void
nook_image_release (struct nook_image *img)
{
  strv_free (img->names);
  strv_free (img->layers);
  memset (img, 0, sizeof *img);
}

void
nook_image_list_free (struct nook_image *imgs, size_t n)
{
  for (size_t i = 0; i < n; i++)
    nook_image_release (&imgs[i]);
  free (imgs);
}

static void
strip_name (json_object *images, const char *name)
{
  for (size_t i = 0; i < json_object_array_length (images); i++)
    {
      json_object *names;
      if (!json_object_object_get_ex (json_object_array_get_idx (images, i), "names", &names))
        continue;
      for (size_t k = json_object_array_length (names); k-- > 0;)
        if (strcmp (json_object_get_string (json_object_array_get_idx (names, k)), name) == 0)
          json_object_array_del_idx (names, k, 1);
    }
}

int
nook_images_record (struct nook_images *s, const char *id, char *const *layers, const char *name,
                    struct nook_error *err)
{
  json_object *images = index_images (s), *img = NULL, *names;
  cleanup_free char *config = nook_images_blob_path (s, id);

  for (size_t i = 0; layers[i]; i++)
    if (!layer_exists (s, layers[i]))
      return nook_error_set (err, 0, "layer %s was removed while it was stored (Hint: try again)", layers[i]);
  if (access (config, F_OK) < 0)
    return nook_error_errno (err, "image %s: its config", id);
  if (name)
    strip_name (images, name);
  for (size_t i = 0; i < json_object_array_length (images); i++)
    if (strcmp (nook_json_str (json_object_array_get_idx (images, i), "id") ?: "", id) == 0)
      img = json_object_array_get_idx (images, i);
  if (img == NULL)
    {
      json_object *arr = json_object_new_array ();
      img = json_object_new_object ();
      json_object_object_add (img, "id", json_object_new_string (id));
      json_object_object_add (img, "names", json_object_new_array ());
      for (size_t i = 0; layers[i]; i++)
        json_object_array_add (arr, json_object_new_string (layers[i]));
      json_object_object_add (img, "layers", arr);
      json_object_object_add (img, "created", json_object_new_int64 (time (NULL)));
      json_object_array_add (images, img);
    }
  if (name && json_object_object_get_ex (img, "names", &names))
    json_object_array_add (names, json_object_new_string (name));
  return save_index (s, err);
}

int
nook_images_list (struct nook_images *s, struct nook_image **imgs, size_t *n, struct nook_error *err)
{
  json_object *images = index_images (s);
  size_t len = json_object_array_length (images);

  *imgs = xcalloc (len + 1, sizeof **imgs);
  *n = 0;
  for (size_t i = 0; i < len; i++)
    if (image_from_json (json_object_array_get_idx (images, i), &(*imgs)[*n]) == 0)
      (*n)++;
  return 0;
}

char *
nook_image_name_normalize (const char *name)
{
  const char *slash, *colon;
  size_t len = strlen (name);

  if (len == 0 || len > 255 || !(islower ((unsigned char)name[0]) || isdigit ((unsigned char)name[0]))
      || strstr (name, "..") || strstr (name, "//") || name[len - 1] == '/' || name[len - 1] == ':')
    return NULL;
  for (const char *p = name; *p; p++)
    if (!isalnum ((unsigned char)*p) && !strchr ("._/:-", *p))
      return NULL;
  slash = strrchr (name, '/');
  colon = strrchr (name, ':');
  if (colon && (slash == NULL || colon > slash))
    return xstrdup (name);
  return xasprintf ("%s:latest", name);
}

static bool
is_hex (const char *s)
{
  for (; *s; s++)
    if (!isdigit ((unsigned char)*s) && !(*s >= 'a' && *s <= 'f'))
      return false;
  return true;
}

int
nook_images_find (struct nook_images *s, const char *ref, struct nook_image *img, struct nook_error *err)
{
  cleanup_free char *name = nook_image_name_normalize (ref);
  const char *prefix = strncmp (ref, "sha256:", 7) == 0 ? ref + 7 : ref;
  struct nook_image *imgs = NULL;
  size_t n, found = 0, match = 0;

  nook_images_list (s, &imgs, &n, err);
  /* A short name matches as podman resolves it in local storage: as
     given, then under localhost/ and docker.io/library/.  */
  for (size_t p = 0; name && p < 3 && !found; p++)
    {
      cleanup_free char *full
          = xasprintf ("%s%s", (const char *[]){ "", "localhost/", "docker.io/library/" }[p], name);
      for (size_t i = 0; i < n && !found; i++)
        for (size_t k = 0; imgs[i].names && imgs[i].names[k]; k++)
          if (strcmp (imgs[i].names[k], full) == 0)
            found = 1, match = i;
    }
  /* Then on any registry, as a short name that only one image has.  */
  if (!found && name && strchr (ref, '/') == NULL)
    {
      cleanup_free char *suffix = xasprintf ("/%s", name);
      size_t ls = strlen (suffix);
      for (size_t i = 0; i < n; i++)
        for (size_t k = 0; imgs[i].names && imgs[i].names[k]; k++)
          {
            size_t ln = strlen (imgs[i].names[k]);
            if (ln > ls && strcmp (imgs[i].names[k] + ln - ls, suffix) == 0 && !(found && match == i))
              found++, match = i;
          }
      if (found > 1)
        {
          nook_image_list_free (imgs, n);
          return nook_error_set (
              err, 0, "image `%s`: the short name matches %zu images (Hint: give the registry)", ref, found);
        }
    }
  if (!found && strlen (prefix) >= 4 && is_hex (prefix))
    for (size_t i = 0; i < n; i++)
      if (strncmp (imgs[i].id + 7, prefix, strlen (prefix)) == 0)
        found++, match = i;
  if (found == 1)
    {
      *img = imgs[match];
      memset (&imgs[match], 0, sizeof imgs[match]);
    }
  nook_image_list_free (imgs, n);
  if (found > 1)
    return nook_error_set (err, 0, "image `%s`: the id prefix names %zu images (Hint: give more digits)", ref,
                           found);
  if (found == 0)
    {
      nook_error_set (err, 0, "image `%s`: not in the store", ref);
      return nook_error_hint (err,
                              "`nook images` lists the stored images; nook import or nook load adds one");
    }
  return 0;
}

int
nook_images_forget (struct nook_images *s, const char *id, struct nook_error *err)
{
  json_object *images = index_images (s);

  for (size_t i = 0; i < json_object_array_length (images); i++)
    if (strcmp (nook_json_str (json_object_array_get_idx (images, i), "id") ?: "", id) == 0)
      {
        json_object_array_del_idx (images, i, 1);
        return save_index (s, err);
      }
  return nook_error_set (err, ENOENT, "image %s", id);
}

/* ---- prune ------------------------------------------------------------------------- */

/* Removes entries of SUB (under the store) that KEEP does not name
   ("sha256:" + the entry's name); with MAX_AGE, only entries older.  */
static void
prune_dir (struct nook_images *s, const char *sub, char *const *keep, time_t max_age, uint64_t *freed,
           char ***removed)
{
  cleanup_close int fd = openat (s->fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *de;

  if (d == NULL)
    return;
  steal_fd (&fd);
  while ((de = readdir (d)))
    {
      cleanup_free char *digest = xasprintf ("sha256:%s", de->d_name);
      struct stat st;

      if (de->d_name[0] == '.' || fstatat (dirfd (d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
        continue;
      if (max_age ? st.st_mtime > time (NULL) - max_age : strv_has (keep, digest))
        continue;
      if (strcmp (sub, "layers") == 0)
        *freed += nook_images_layer_size (s, digest);
      else if (S_ISREG (st.st_mode))
        *freed += st.st_size;
      if (rm_rf_at (dirfd (d), de->d_name, 0) == 0 && removed && strcmp (sub, "tmp") != 0)
        strv_append (removed, digest);
    }
  closedir (d);
}

int
nook_images_prune (struct nook_images *s, uint64_t *freed, char ***removed, struct nook_error *err)
{
  cleanup_strv char **layers = NULL, **blobs = NULL;
  struct nook_image *imgs = NULL;
  size_t n;

  *freed = 0;
  if (nook_images_list (s, &imgs, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      strv_append (&blobs, imgs[i].id);
      for (size_t k = 0; imgs[i].layers && imgs[i].layers[k]; k++)
        strv_append (&layers, imgs[i].layers[k]);
    }
  nook_image_list_free (imgs, n);
  prune_dir (s, "layers", layers, 0, freed, removed);
  prune_dir (s, "blobs/sha256", blobs, 0, freed, NULL);
  prune_dir (s, "tmp", NULL, TMP_MAX_AGE, freed, NULL);
  return 0;
}

void
nook_images_upper_remove (const char *dir)
{
  struct nook_error ignored = { 0 };
  cleanup_free char *store = nook_images_dir (&ignored);
  cleanup_free char *prefix = store ? xasprintf ("%s/uppers/", store) : NULL;
  size_t n = prefix ? strlen (prefix) : 0;

  nook_error_release (&ignored);
  /* Only uppers/NAME of this user's store: the path came from a state
     file, authenticated, but a remove is no place to trust a path.  */
  if (dir == NULL || prefix == NULL || strncmp (dir, prefix, n) != 0 || dir[n] == '\0' || dir[n] == '.'
      || strchr (dir + n, '/'))
    return;
  /* A run with --map-users auto left files of subordinate ids: removed
     from a user namespace with that mapping.  */
  if (nook_rm_rf (dir) < 0)
    nook_remove_tree_mapped (dir);
}
