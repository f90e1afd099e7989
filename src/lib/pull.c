/* nook: pulling images from a registry.
 *
 * A pull downloads the manifest (choosing this platform from an index), the
 * config and the layers into an OCI layout under the store's tmp/, checking
 * each blob's digest as it arrives, and loads that layout: the same checks
 * and the same single rename into the store as nook load.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-load.h"
#include "pull.h"
#include "registry.h"
#include "utils.h"

/* A pull: the registry, the options, and the layout being filled.  */
struct pull
{
  struct nook_registry reg;
  const struct nook_pull_opts *opts;
  int dirfd;
  const char *blob; /* the blob being downloaded */
};

#define MANIFEST_TYPES                                                                                       \
  "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "                    \
  "application/vnd.docker.distribution.manifest.list.v2+json, "                                              \
  "application/vnd.docker.distribution.manifest.v2+json"

static int
write_blob_file (struct pull *p, const char *digest, const void *data, size_t len, struct nook_error *err)
{
  cleanup_free char *tmp = xasprintf ("blobs/sha256/%s.%d", digest + 7, (int)getpid ());
  cleanup_free char *dest = xasprintf ("blobs/sha256/%s", digest + 7);
  cleanup_close int fd = openat (p->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0 || nook_write_all (fd, data, len) < 0 || renameat (p->dirfd, tmp, p->dirfd, dest) < 0)
    return nook_error_errno (err, "write blob %s", digest);
  return 0;
}

/* Gets a manifest (or index) by tag or digest, checks its digest, keeps it
   as a blob; fills DIGEST and returns its JSON.  */
static json_object *
get_manifest (struct pull *p, const char *ref, char digest[NOOK_DIGEST_LEN + 1], char **type,
              struct nook_error *err)
{
  struct sha256_ctx ctx;
  uint8_t d[SHA256_DIGEST_SIZE];
  json_object *doc;
  struct nook_http_resp r;

  if (nook_registry_get (&p->reg, "manifests", ref, MANIFEST_TYPES, -1, &r, err) < 0)
    return NULL;
  sha256_init (&ctx);
  sha256_update (&ctx, r.len, (const uint8_t *)(r.body ? r.body : ""));
  sha256_digest (&ctx, sizeof d, d);
  memcpy (digest, "sha256:", 7);
  for (size_t i = 0; i < sizeof d; i++)
    snprintf (digest + 7 + 2 * i, 3, "%02x", d[i]);
  if (strncmp (ref, "sha256:", 7) == 0 && strcmp (ref, digest) != 0)
    {
      nook_http_resp_release (&r);
      return nook_error_set (err, 0, "manifest %s: its content has digest %s: corrupted or tampered with",
                             ref, digest),
             NULL;
    }
  doc = r.body ? json_tokener_parse (r.body) : NULL;
  if (doc == NULL || !json_object_is_type (doc, json_type_object)
      || write_blob_file (p, digest, r.body, r.len, err) < 0)
    {
      if (doc == NULL)
        nook_error_set (err, 0, "manifest %s of %s: not JSON", ref, p->reg.ref.path);
      if (doc)
        json_object_put (doc);
      nook_http_resp_release (&r);
      return NULL;
    }
  *type = xstrdup (nook_json_str (doc, "mediaType") ?: r.content_type ?: "");
  nook_http_resp_release (&r);
  return doc;
}

static void
blob_transfer (uint64_t now, uint64_t total, void *data)
{
  struct pull *p = data;

  p->opts->transfer (p->blob, now, total, p->opts->data);
}

/* Downloads a blob unless a complete one is there: a killed pull keeps
   the blobs it finished.  Checked against DIGEST as it arrives.  */
static int
get_blob (struct pull *p, const char *digest, struct nook_error *err)
{
  cleanup_free char *dest = NULL, *tmp = NULL;
  cleanup_close int fd = -1;
  char got[NOOK_DIGEST_LEN + 1];
  uint8_t d[SHA256_DIGEST_SIZE];
  struct stat st;
  struct nook_http_resp r;
  int r_get;

  if (!nook_digest_is_valid (digest))
    return nook_error_set (err, 0, "`%s` is not a sha256 digest", digest ? digest : "(none)");
  dest = xasprintf ("blobs/sha256/%s", digest + 7);
  if (fstatat (p->dirfd, dest, &st, 0) == 0)
    {
      if (p->opts->progress)
        p->opts->progress (digest, st.st_size, true, p->opts->data);
      return 0;
    }
  tmp = xasprintf ("%s.%d", dest, (int)getpid ());
  fd = openat (p->dirfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return nook_error_errno (err, "image store: create a download");
  p->blob = digest;
  p->reg.transfer = p->opts->transfer ? blob_transfer : NULL;
  p->reg.transfer_data = p;
  r_get = nook_registry_get (&p->reg, "blobs", digest, NULL, fd, &r, err);
  p->reg.transfer = NULL;
  if (r_get < 0)
    {
      unlinkat (p->dirfd, tmp, 0);
      return -1;
    }
  sha256_digest (&r.sha, sizeof d, d);
  memcpy (got, "sha256:", 7);
  for (size_t i = 0; i < sizeof d; i++)
    snprintf (got + 7 + 2 * i, 3, "%02x", d[i]);
  if (strcmp (got, digest) != 0 || renameat (p->dirfd, tmp, p->dirfd, dest) < 0)
    {
      unlinkat (p->dirfd, tmp, 0);
      nook_http_resp_release (&r);
      if (strcmp (got, digest) != 0)
        return nook_error_set (err, 0, "blob %s: its content has digest %s: corrupted or tampered with",
                               digest, got);
      return nook_error_errno (err, "image store: keep blob %s", digest);
    }
  if (p->opts->progress)
    p->opts->progress (digest, r.written, false, p->opts->data);
  nook_http_resp_release (&r);
  return 0;
}

/* The blobs of an image manifest: its config and layers.  */
static int
get_image_blobs (struct pull *p, json_object *manifest, struct nook_error *err)
{
  json_object *config, *layers;

  if (!json_object_object_get_ex (manifest, "config", &config)
      || !json_object_object_get_ex (manifest, "layers", &layers)
      || !json_object_is_type (layers, json_type_array))
    return nook_error_set (err, 0, "%s: the manifest has no config or layers (a schema 1 manifest?)",
                           p->reg.ref.path);
  if (get_blob (p, nook_json_str (config, "digest"), err) < 0)
    return -1;
  for (size_t i = 0; i < json_object_array_length (layers); i++)
    if (get_blob (p, nook_json_str (json_object_array_get_idx (layers, i), "digest"), err) < 0)
      return -1;
  return 0;
}

/* index.json of the layout: the manifest (or index) pulled.  */
static int
write_index (struct pull *p, const char *type, const char *digest, struct nook_error *err)
{
  cleanup_free char *text
      = xasprintf ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\"}]}",
                   strpbrk (type, "\"\\") ? "" : type, digest);
  cleanup_free char *tmp = xasprintf ("index.json.%d", (int)getpid ());
  cleanup_close int fd = openat (p->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0 || nook_write_all (fd, text, strlen (text)) < 0
      || renameat (p->dirfd, tmp, p->dirfd, "index.json") < 0)
    return nook_error_errno (err, "write the layout's index.json");
  return 0;
}

static int
download (struct pull *p, struct nook_error *err)
{
  char top[NOOK_DIGEST_LEN + 1], sub[NOOK_DIGEST_LEN + 1];
  cleanup_free char *type = NULL, *subtype = NULL;
  json_object *doc, *m = NULL;
  int r = -1;

  doc = get_manifest (p, p->reg.ref.digest ? p->reg.ref.digest : p->reg.ref.tag, top, &type, err);
  if (doc == NULL)
    return -1;
  if (json_object_object_get_ex (doc, "manifests", &m))
    {
      json_object *pick = json_object_is_type (m, json_type_array) ? nook_oci_choose_platform (m) : NULL;
      const char *d = pick ? nook_json_str (pick, "digest") : NULL;
      json_object *sm;

      if (d == NULL || !nook_digest_is_valid (d))
        nook_error_set (err, 0, "%s: the index has no image for this platform", p->reg.ref.path);
      else if ((sm = get_manifest (p, d, sub, &subtype, err)) != NULL)
        {
          r = get_image_blobs (p, sm, err);
          json_object_put (sm);
        }
    }
  else
    r = get_image_blobs (p, doc, err);
  json_object_put (doc);
  if (r == 0)
    r = write_index (p, type, top, err);
  return r;
}

static int
open_layout (struct nook_images *s, const char *ref, char **dir, struct nook_error *err)
{
  struct sha256_ctx ctx;
  uint8_t d[SHA256_DIGEST_SIZE];
  char hex[17];
  int fd;

  sha256_init (&ctx);
  sha256_update (&ctx, strlen (ref), (const uint8_t *)ref);
  sha256_digest (&ctx, sizeof d, d);
  for (size_t i = 0; i < 8; i++)
    snprintf (hex + 2 * i, 3, "%02x", d[i]);
  *dir = xasprintf ("%s/tmp/pull-%s", s->path, hex);
  /* One pull of a reference at a time fills its layout; another waits,
     and when the first removed the layout after loading it, makes a new
     one (a deleted directory has no links).  */
  for (;;)
    {
      struct stat st;

      if ((mkdir (*dir, 0700) < 0 && errno != EEXIST)
          || (fd = open (*dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return nook_error_errno (err, "image store: `%s`", *dir);
      if (flock (fd, LOCK_EX) < 0 || fstat (fd, &st) < 0)
        {
          close (fd);
          return nook_error_errno (err, "image store: `%s`", *dir);
        }
      if (st.st_nlink > 0)
        break;
      close (fd);
    }
  if ((mkdirat (fd, "blobs", 0700) < 0 && errno != EEXIST)
      || (mkdirat (fd, "blobs/sha256", 0700) < 0 && errno != EEXIST))
    {
      close (fd);
      return nook_error_errno (err, "image store: `%s`", *dir);
    }
  return fd;
}

static int
pull_from (struct nook_images *s, struct pull *p, const char *dir, char id[NOOK_DIGEST_LEN + 1], char **name,
           struct nook_error *err)
{
  cleanup_free char *full = NULL;
  cleanup_strv char **ids = NULL, **names = NULL;

  free (p->reg.auth);
  free (p->reg.basic);
  p->reg.auth = NULL;
  p->reg.scheme = "https";
  p->reg.basic = nook_registry_credentials (p->reg.ref.domain);
  if (download (p, err) < 0)
    return -1;
  full = p->reg.ref.tag ? xasprintf ("%s/%s:%s", p->reg.ref.domain, p->reg.ref.path, p->reg.ref.tag) : NULL;
  if (nook_image_load (s, dir, full, &ids, &names, err) < 0)
    return -1;
  if (ids == NULL)
    return nook_error_set (err, 0, "no image in what %s sent", p->reg.ref.domain);
  memcpy (id, ids[0], NOOK_DIGEST_LEN + 1);
  *name = steal_pointer (&full);
  return 0;
}

int
nook_pull (struct nook_images *s, const char *ref, const struct nook_pull_opts *opts,
           char id[NOOK_DIGEST_LEN + 1], char **name, struct nook_error *err)
{
  struct pull p = { .reg = { .scheme = "https", .tls_verify = opts->tls_verify }, .opts = opts, .dirfd = -1 };
  cleanup_free char *dir = NULL;
  cleanup_strv char **domains = NULL;
  int r = -1;

  *name = NULL;
  if (nook_ref_parse (ref, &p.reg.ref, err) < 0)
    return nook_error_wrap (err, "pull");
  if (nook_registry_load_libcurl (err) < 0 || (p.dirfd = open_layout (s, ref, &dir, err)) < 0)
    goto out;
  if (faccessat (p.dirfd, "oci-layout", F_OK, 0) < 0)
    {
      const char *layout = "{\"imageLayoutVersion\":\"1.0.0\"}";
      cleanup_close int fd = openat (p.dirfd, "oci-layout", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0 || nook_write_all (fd, layout, strlen (layout)) < 0)
        {
          nook_error_errno (err, "image store: `%s/oci-layout`", dir);
          goto out;
        }
    }
  /* A short name is tried on each search registry in turn, as podman does
     without a prompt; the error of the last one is reported.  */
  if (p.reg.ref.qualified)
    strv_append (&domains, p.reg.ref.domain);
  else
    domains = nook_search_registries ();
  for (size_t i = 0; domains[i] && r < 0; i++)
    {
      if (i > 0)
        nook_error_release (err);
      nook_ref_set_domain (&p.reg.ref, domains[i]);
      r = pull_from (s, &p, dir, id, name, err);
    }
  /* Loaded: the layout is not needed any more.  A failed pull keeps it
     for the next one.  */
  if (r == 0)
    nook_rm_rf (dir);
out:
  if (p.dirfd >= 0)
    close (p.dirfd);
  free (p.reg.auth);
  free (p.reg.basic);
  nook_ref_release (&p.reg.ref);
  return r < 0 ? nook_error_wrap (err, "pull `%s`", ref) : 0;
}
