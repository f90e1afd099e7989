/* nook: getting images into the store: `nook import` of a root filesystem
 * tarball, `nook load` of a `docker save` archive or an OCI image layout.
 *
 * An archive or layout is hostile data like a layer: its files are opened
 * beneath its directory (openat2 RESOLVE_BENEATH), every digest in it is
 * checked, and the store changes only after every blob of an image was
 * verified.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "image-load.h"
#include "layer.h"
#include "utils.h"

/* Manifests, indexes and configs are small: a bigger one is not an image.  */
#define JSON_MAX (4 << 20)

/* ---- reading an archive's files ----------------------------------------------------- */

/* Opens REL beneath DIRFD: symlinks in a layout may point to its other
   files (docker save links repeated layers), never out of it.  */
static int
open_beneath (int dirfd, const char *rel, struct nook_error *err)
{
  struct open_how how
      = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS };
  int fd = syscall (SYS_openat2, dirfd, rel, &how, sizeof how);

  if (fd < 0)
    return nook_error_errno (err, "`%s`", rel);
  return fd;
}

static char *
fd_path (int fd)
{
  return xasprintf ("/proc/self/fd/%d", fd);
}

static json_object *
read_json_fd (int fd, const char *what, char **raw, size_t *rawlen, struct nook_error *err)
{
  cleanup_free char *buf = xmalloc (JSON_MAX + 1);
  ssize_t n = nook_read_all (fd, buf, JSON_MAX + 1);
  json_object *o;

  if (n < 0)
    return nook_error_errno (err, "read `%s`", what), NULL;
  if (n > JSON_MAX)
    return nook_error_set (err, 0, "`%s`: over %d bytes: not an image's JSON", what, JSON_MAX), NULL;
  buf[n] = '\0';
  o = json_tokener_parse (buf);
  if (o == NULL)
    return nook_error_set (err, 0, "`%s`: not JSON", what), NULL;
  if (raw)
    {
      *raw = steal_pointer (&buf);
      *rawlen = n;
    }
  return o;
}

static json_object *
read_json_beneath (int dirfd, const char *rel, char **raw, size_t *rawlen, struct nook_error *err)
{
  cleanup_close int fd = open_beneath (dirfd, rel, err);
  return fd < 0 ? NULL : read_json_fd (fd, rel, raw, rawlen, err);
}

static int
fd_sha256 (int fd, char out[NOOK_DIGEST_LEN + 1], struct nook_error *err)
{
  struct sha256_ctx ctx;
  char buf[1 << 16];
  ssize_t n;

  sha256_init (&ctx);
  while ((n = read (fd, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return nook_error_errno (err, "read a blob");
      sha256_update (&ctx, n, (const uint8_t *)buf);
    }
  nook_sha256_text (&ctx, out);
  return 0;
}

static json_object *
jarr (json_object *o, const char *key)
{
  json_object *v;
  return json_object_object_get_ex (o, key, &v) && json_object_is_type (v, json_type_array) ? v : NULL;
}

/* ---- one image: verify everything, then store it ------------------------------------- */

/* An image found in an archive: its files, opened, and what they must be.  */
struct pending
{
  int config_fd;
  char config_digest[NOOK_DIGEST_LEN + 1];
  int *layer_fds;
  char **diff_ids;
  char **names;
  size_t n_layers;
};

static void
pending_free (struct pending *p)
{
  if (p->config_fd >= 0)
    close (p->config_fd);
  for (size_t i = 0; i < p->n_layers; i++)
    if (p->layer_fds[i] >= 0)
      close (p->layer_fds[i]);
  free (p->layer_fds);
  strv_free (p->diff_ids);
  strv_free (p->names);
  memset (p, 0, sizeof *p);
  p->config_fd = -1;
}

/* The config's rootfs.diff_ids, checked to be digests, one per layer.  */
static int
config_diff_ids (int config_fd, size_t n_layers, char ***diff_ids, struct nook_error *err)
{
  json_object *config, *rootfs;
  int r = 0;

  lseek (config_fd, 0, SEEK_SET);
  config = read_json_fd (config_fd, "the image's config", NULL, NULL, err);
  if (config == NULL)
    return -1;
  if (!json_object_object_get_ex (config, "rootfs", &rootfs)
      || (*diff_ids = nook_json_strv (rootfs, "diff_ids")) == NULL)
    r = nook_error_set (err, 0, "the image's config has no rootfs.diff_ids");
  else if (strv_len (*diff_ids) != n_layers)
    r = nook_error_set (err, 0, "the image's config names %zu layers, its manifest %zu", strv_len (*diff_ids),
                        n_layers);
  for (size_t i = 0; r == 0 && i < n_layers; i++)
    if (!nook_digest_is_valid ((*diff_ids)[i]))
      r = nook_error_set (err, 0, "the image's config: `%s` is not a sha256 digest", (*diff_ids)[i]);
  json_object_put (config);
  return r;
}

static int
store_pending (struct nook_images *s, struct pending *p, char *id, struct nook_error *err)
{
  cleanup_strv char **layers = NULL;
  cleanup_free char *config = fd_path (p->config_fd);
  char digest[NOOK_DIGEST_LEN + 1];

  /* Checked before anything is stored: a blob that does not match leaves
     the store as it was.  */
  lseek (p->config_fd, 0, SEEK_SET);
  if (fd_sha256 (p->config_fd, digest, err) < 0)
    return -1;
  if (strcmp (digest, p->config_digest) != 0)
    return nook_error_set (err, 0, "config %s: its content has digest %s: corrupted or tampered with",
                           p->config_digest, digest);
  for (size_t i = 0; i < p->n_layers; i++)
    {
      cleanup_free char *path = fd_path (p->layer_fds[i]);
      char hex[65];
      if (nook_archive_sha256 (path, hex, err) < 0)
        return nook_error_wrap (err, "layer %zu", i + 1);
      if (strcmp (hex, p->diff_ids[i] + 7) != 0)
        return nook_error_set (err, 0,
                               "layer %s: its uncompressed content has digest sha256:%s: corrupted or "
                               "tampered with",
                               p->diff_ids[i], hex);
    }
  if (nook_images_put_blob (s, config, p->config_digest, digest, err) < 0)
    return -1;
  for (size_t i = 0; i < p->n_layers; i++)
    {
      cleanup_free char *path = fd_path (p->layer_fds[i]);
      char diff_id[NOOK_DIGEST_LEN + 1];
      if (nook_images_put_layer (s, path, p->diff_ids[i], diff_id, err) < 0)
        return -1;
      strv_append (&layers, diff_id);
    }
  if (nook_images_lock (s, LOCK_EX, err) < 0)
    return -1;
  if (nook_images_record (s, p->config_digest, layers, NULL, err) < 0)
    return -1;
  for (size_t i = 0; p->names && p->names[i]; i++)
    if (nook_images_record (s, p->config_digest, layers, p->names[i], err) < 0)
      return -1;
  nook_images_lock (s, LOCK_SH, err);
  memcpy (id, p->config_digest, NOOK_DIGEST_LEN + 1);
  return 0;
}

static void
add_name (struct pending *p, const char *name)
{
  cleanup_free char *n = name ? nook_image_name_normalize (name) : NULL;
  if (n)
    strv_append (&p->names, n);
}

/* ---- docker save --------------------------------------------------------------------- */

/* The digest a docker save file name carries: "HEX.json" (docker < 25) or
   "blobs/sha256/HEX" (docker 25+).  NULL when it carries none.  */
static bool
docker_name_digest (const char *rel, char out[NOOK_DIGEST_LEN + 1])
{
  const char *base = strrchr (rel, '/') ? strrchr (rel, '/') + 1 : rel;
  char d[NOOK_DIGEST_LEN + 16];

  snprintf (d, sizeof d, "sha256:%.64s", base);
  if (!nook_digest_is_valid (d) || (base[64] != '\0' && strcmp (base + 64, ".json") != 0))
    return false;
  memcpy (out, d, NOOK_DIGEST_LEN + 1);
  return true;
}

static int
docker_pending (int dfd, json_object *entry, const char *name, struct pending *p, struct nook_error *err)
{
  const char *config = nook_json_str (entry, "Config");
  cleanup_strv char **layers = nook_json_strv (entry, "Layers"), **tags = nook_json_strv (entry, "RepoTags");
  char digest[NOOK_DIGEST_LEN + 1];
  cleanup_free char *path = NULL;

  if (config == NULL || layers == NULL)
    return nook_error_set (err, 0, "manifest.json: an entry without Config or Layers");
  if ((p->config_fd = open_beneath (dfd, config, err)) < 0)
    return -1;
  /* A config without its digest in its name is named by its content.  */
  if (!docker_name_digest (config, p->config_digest)
      && (fd_sha256 (p->config_fd, digest, err) < 0 || !memcpy (p->config_digest, digest, sizeof digest)))
    return -1;
  p->n_layers = strv_len (layers);
  p->layer_fds = xcalloc (p->n_layers + 1, sizeof (int));
  for (size_t i = 0; i < p->n_layers; i++)
    p->layer_fds[i] = -1;
  for (size_t i = 0; i < p->n_layers; i++)
    if ((p->layer_fds[i] = open_beneath (dfd, layers[i], err)) < 0)
      return -1;
  if (config_diff_ids (p->config_fd, p->n_layers, &p->diff_ids, err) < 0)
    return -1;
  if (name)
    add_name (p, name);
  else
    for (size_t i = 0; tags && tags[i]; i++)
      add_name (p, tags[i]);
  return 0;
}

/* ---- OCI layouts ----------------------------------------------------------------------- */

static const char *
oci_arch (void)
{
  static struct utsname u;
  static const char *const map[][2]
      = { { "x86_64", "amd64" },    { "aarch64", "arm64" }, { "armv7l", "arm" },     { "i686", "386" },
          { "ppc64le", "ppc64le" }, { "s390x", "s390x" },   { "riscv64", "riscv64" } };
  uname (&u);
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp (u.machine, map[i][0]) == 0)
      return map[i][1];
  return u.machine;
}

static int
open_blob (int dfd, const char *digest, struct nook_error *err)
{
  cleanup_free char *rel = NULL;

  if (!nook_digest_is_valid (digest))
    return nook_error_set (err, 0, "`%s` is not a sha256 digest", digest ? digest : "(none)");
  rel = xasprintf ("blobs/sha256/%s", digest + 7);
  return open_beneath (dfd, rel, err);
}

/* A blob's JSON, verified against its digest.  */
static json_object *
read_blob_json (int dfd, const char *digest, struct nook_error *err)
{
  cleanup_close int fd = open_blob (dfd, digest, err);
  cleanup_free char *raw = NULL;
  char actual[NOOK_DIGEST_LEN + 1];
  struct sha256_ctx ctx;
  json_object *o;
  size_t len;

  if (fd < 0 || (o = read_json_fd (fd, digest, &raw, &len, err)) == NULL)
    return NULL;
  sha256_init (&ctx);
  sha256_update (&ctx, len, (const uint8_t *)raw);
  nook_sha256_text (&ctx, actual);
  if (strcmp (actual, digest) != 0)
    {
      json_object_put (o);
      nook_error_set (err, 0, "blob %s: its content has digest %s: corrupted or tampered with", digest,
                      actual);
      return NULL;
    }
  return o;
}

json_object *
nook_oci_choose_platform (json_object *manifests)
{
  for (size_t i = 0; i < json_object_array_length (manifests); i++)
    {
      json_object *m = json_object_array_get_idx (manifests, i), *plat;
      if (!json_object_object_get_ex (m, "platform", &plat))
        return m;
      if (strcmp (nook_json_str (plat, "os") ?: "", "linux") == 0
          && strcmp (nook_json_str (plat, "architecture") ?: "", oci_arch ()) == 0)
        return m;
    }
  return NULL;
}

static int
oci_pending (int dfd, json_object *desc, const char *name, struct pending *p, int depth,
             struct nook_error *err)
{
  const char *digest = nook_json_str (desc, "digest"), *type = nook_json_str (desc, "mediaType") ?: "";
  json_object *m, *config, *layers, *ann;
  const char *ref;
  int r = -1;

  if ((m = read_blob_json (dfd, digest, err)) == NULL)
    return -1;
  if (strstr (type, "index") || strstr (type, "manifest.list") || jarr (m, "manifests"))
    {
      json_object *pick = jarr (m, "manifests") ? nook_oci_choose_platform (jarr (m, "manifests")) : NULL;
      if (depth > 2 || pick == NULL)
        r = nook_error_set (err, 0, "index %s: no image for linux/%s", digest, oci_arch ());
      else
        r = oci_pending (dfd, pick, name, p, depth + 1, err);
      json_object_put (m);
      return r;
    }
  if (!json_object_object_get_ex (m, "config", &config) || (layers = jarr (m, "layers")) == NULL)
    {
      nook_error_set (err, 0, "manifest %s: no config or layers", digest);
      goto out;
    }
  if ((p->config_fd = open_blob (dfd, nook_json_str (config, "digest"), err)) < 0)
    goto out;
  memcpy (p->config_digest, nook_json_str (config, "digest"), NOOK_DIGEST_LEN + 1);
  p->n_layers = json_object_array_length (layers);
  p->layer_fds = xcalloc (p->n_layers + 1, sizeof (int));
  for (size_t i = 0; i < p->n_layers; i++)
    p->layer_fds[i] = -1;
  for (size_t i = 0; i < p->n_layers; i++)
    {
      const char *ld = nook_json_str (json_object_array_get_idx (layers, i), "digest");
      char actual[NOOK_DIGEST_LEN + 1];
      if ((p->layer_fds[i] = open_blob (dfd, ld, err)) < 0 || fd_sha256 (p->layer_fds[i], actual, err) < 0)
        goto out;
      if (strcmp (actual, ld) != 0)
        {
          nook_error_set (err, 0, "blob %s: its content has digest %s: corrupted or tampered with", ld,
                          actual);
          goto out;
        }
    }
  if (config_diff_ids (p->config_fd, p->n_layers, &p->diff_ids, err) < 0)
    goto out;
  ref = json_object_object_get_ex (desc, "annotations", &ann)
            ? nook_json_str (ann, "org.opencontainers.image.ref.name")
            : NULL;
  /* A bare tag ("latest") names no repository: only NAME can.  */
  add_name (p, name ? name : (ref && strpbrk (ref, ":/") ? ref : NULL));
  r = 0;
out:
  json_object_put (m);
  return r;
}

/* ---- load ------------------------------------------------------------------------------ */

static int
load_entries (struct nook_images *s, int dfd, bool oci, json_object *list, const char *name, char ***ids,
              char ***names, struct nook_error *err)
{
  size_t n = json_object_array_length (list);

  if (n == 0)
    return nook_error_set (err, 0, "the archive holds no image");
  if (name && n > 1)
    return nook_error_set (err, 0, "the archive holds %zu images: a NAME names one only", n);
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (list, i);
      struct pending p = { .config_fd = -1 };
      char id[NOOK_DIGEST_LEN + 1];
      int r = oci ? oci_pending (dfd, e, name, &p, 0, err) : docker_pending (dfd, e, name, &p, err);

      if (r == 0)
        r = store_pending (s, &p, id, err);
      if (r == 0)
        {
          strv_append (ids, id);
          for (size_t k = 0; p.names && p.names[k]; k++)
            strv_append (names, p.names[k]);
        }
      pending_free (&p);
      if (r < 0)
        return -1;
    }
  return 0;
}

static int
load_dir (struct nook_images *s, const char *dir, const char *name, char ***ids, char ***names,
          struct nook_error *err)
{
  cleanup_close int dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  json_object *doc, *list;
  bool oci;
  int r;

  if (dfd < 0)
    return nook_error_errno (err, "`%s`", dir);
  oci = faccessat (dfd, "index.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0;
  if (!oci && faccessat (dfd, "manifest.json", F_OK, AT_SYMLINK_NOFOLLOW) < 0)
    {
      nook_error_set (err, 0,
                      "not an image: neither a `docker save` archive (manifest.json) nor an OCI layout "
                      "(index.json)");
      return nook_error_hint (err, "a root filesystem tarball is imported with nook import");
    }
  doc = read_json_beneath (dfd, oci ? "index.json" : "manifest.json", NULL, NULL, err);
  if (doc == NULL)
    return -1;
  list = oci ? jarr (doc, "manifests") : (json_object_is_type (doc, json_type_array) ? doc : NULL);
  r = list ? load_entries (s, dfd, oci, list, name, ids, names, err)
           : nook_error_set (err, 0, "%s: not a list of images", oci ? "index.json" : "manifest.json");
  json_object_put (doc);
  return r;
}

int
nook_image_load (struct nook_images *s, const char *path, const char *name, char ***ids, char ***names,
                 struct nook_error *err)
{
  cleanup_free char *tmp = NULL;
  struct stat st;
  int r;

  if (name && (tmp = nook_image_name_normalize (name)) == NULL)
    return nook_error_set (err, 0, "`%s` is not an image name (Hint: lowercase letters, digits and ._/:- )",
                           name);
  free (steal_pointer (&tmp));
  if (stat (path, &st) < 0)
    return nook_error_errno (err, "load `%s`", path);
  if (nook_images_lock (s, LOCK_SH, err) < 0)
    return -1;
  if (S_ISDIR (st.st_mode))
    r = load_dir (s, path, name, ids, names, err);
  else if ((tmp = nook_images_mktemp (s, err)) == NULL)
    r = -1;
  else
    {
      r = nook_unpack (path, tmp, NOOK_UNPACK_PLAIN, NULL, err);
      if (r == 0)
        r = load_dir (s, tmp, name, ids, names, err);
      nook_rm_rf (tmp);
    }
  nook_images_unlock (s);
  return r < 0 ? nook_error_wrap (err, "load `%s`", path) : 0;
}

/* ---- import -------------------------------------------------------------------------- */

static json_object *
import_config (const char *diff_id)
{
  json_object *c = json_object_new_object (), *cfg = json_object_new_object ();
  json_object *env = json_object_new_array (), *cmd = json_object_new_array ();
  json_object *rootfs = json_object_new_object (), *ids = json_object_new_array ();

  json_object_array_add (
      env, json_object_new_string ("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
  json_object_array_add (cmd, json_object_new_string ("/bin/sh"));
  json_object_object_add (cfg, "Env", env);
  json_object_object_add (cfg, "Cmd", cmd);
  json_object_object_add (c, "architecture", json_object_new_string (oci_arch ()));
  json_object_object_add (c, "os", json_object_new_string ("linux"));
  json_object_object_add (c, "config", cfg);
  json_object_array_add (ids, json_object_new_string (diff_id));
  json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
  json_object_object_add (rootfs, "diff_ids", ids);
  json_object_object_add (c, "rootfs", rootfs);
  return c;
}

int
nook_image_import (struct nook_images *s, const char *tarball, const char *name, char id[NOOK_DIGEST_LEN + 1],
                   struct nook_error *err)
{
  cleanup_free char *norm = NULL;
  char diff_id[NOOK_DIGEST_LEN + 1];
  char *layers[2] = { diff_id, NULL };
  json_object *config;
  const char *text;
  int r;

  if (name && (norm = nook_image_name_normalize (name)) == NULL)
    return nook_error_set (err, 0, "`%s` is not an image name (Hint: lowercase letters, digits and ._/:- )",
                           name);
  if (access (tarball, R_OK) < 0)
    return nook_error_errno (err, "import `%s`", tarball);
  if (nook_images_lock (s, LOCK_SH, err) < 0)
    return -1;
  r = nook_images_put_layer (s, tarball, NULL, diff_id, err);
  if (r == 0)
    {
      /* No creation time: the same tarball imports as the same image.  */
      config = import_config (diff_id);
      text = json_object_to_json_string_ext (config, JSON_C_TO_STRING_PLAIN);
      r = nook_images_put_blob_mem (s, text, strlen (text), NULL, id, err);
      json_object_put (config);
    }
  if (r == 0)
    r = nook_images_lock (s, LOCK_EX, err);
  if (r == 0)
    r = nook_images_record (s, id, layers, norm, err);
  nook_images_unlock (s);
  return r < 0 ? nook_error_wrap (err, "import `%s`", tarball) : 0;
}
