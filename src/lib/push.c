/* nook: pushing an image of the store to a registry (the OCI distribution
 * API: blobs, then the manifest).
 *
 * The store keeps layers unpacked, not their archives: each is packed
 * again (nook_pack_layer: canonical, so the same layer always gives the
 * same tar and the same gzip blob).  A layer that was unpacked from a tar
 * nook did not write packs to other bytes than that tar: its diff_id then
 * changes, and the config pushed names the new ones (the image pushed has
 * another id than the one in the store; nook push says it).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image.h"
#include "layer.h"
#include "push.h"
#include "registry.h"
#include "utils.h"

struct blob
{
  char digest[NOOK_DIGEST_LEN + 1];
  char diff_id[NOOK_DIGEST_LEN + 1];
  uint64_t size;
  char *path;
};

struct push
{
  struct nook_registry reg;
  const struct nook_push_opts *opts;
  struct blob *layers;
  size_t n;
  char *config;
  char config_digest[NOOK_DIGEST_LEN + 1];
  char *tmp;
};

/* Packs stored layer I into TMP: its tar (for the diff_id), then gzip.  */
static int
pack (struct nook_images *s, struct push *p, const char *diff_id, size_t i, struct nook_error *err)
{
  struct nook_pack_ids ids = { getuid (), getgid (), 0, 0, false };
  cleanup_free char *dir = nook_images_layer_path (s, diff_id);
  cleanup_free char *tar = xasprintf ("%s/%zu.tar", p->tmp, i);
  struct blob *b = &p->layers[i];

  b->path = xasprintf ("%s/%zu.tar.gz", p->tmp, i);
  if (nook_pack_layer (dir, &ids, tar, b->diff_id, NULL, err) < 0
      || nook_gzip_file (tar, b->path, b->digest, &b->size, err) < 0)
    return -1;
  unlink (tar);
  return 0;
}

/* The config to push: the stored one, or a copy naming the diff_ids of
   the layers as packed.  */
static int
make_config (struct nook_images *s, struct push *p, const struct nook_image *img, struct nook_error *err)
{
  json_object *c = nook_image_config (s, img, err), *rootfs, *ids;
  bool same = true;
  struct sha256_ctx ctx;

  if (c == NULL)
    return -1;
  for (size_t i = 0; i < p->n; i++)
    same &= strcmp (p->layers[i].diff_id, img->layers[i]) == 0;
  if (same)
    {
      cleanup_free char *path = nook_images_blob_path (s, img->id);
      size_t len;
      json_object_put (c);
      memcpy (p->config_digest, img->id, sizeof p->config_digest);
      return nook_read_file_at (AT_FDCWD, path, &p->config, &len, err);
    }
  if (!json_object_object_get_ex (c, "rootfs", &rootfs))
    {
      rootfs = json_object_new_object ();
      json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
      json_object_object_add (c, "rootfs", rootfs);
    }
  ids = json_object_new_array ();
  for (size_t i = 0; i < p->n; i++)
    json_object_array_add (ids, json_object_new_string (p->layers[i].diff_id));
  json_object_object_add (rootfs, "diff_ids", ids);
  p->config = xstrdup (json_object_to_json_string_ext (c, JSON_C_TO_STRING_PLAIN));
  json_object_put (c);
  sha256_init (&ctx);
  sha256_update (&ctx, strlen (p->config), (const uint8_t *)p->config);
  nook_sha256_text (&ctx, p->config_digest);
  return 0;
}

static int
status_error (struct push *p, const char *what, const struct nook_http_resp *r, struct nook_error *err)
{
  if (r->status == 401 || r->status == 403)
    {
      nook_error_set (err, 0, "%s refused to let %s be written (HTTP %ld)", p->reg.ref.domain,
                      p->reg.ref.path, r->status);
      return nook_error_hint (err, "log in with push rights: podman login writes auth.json");
    }
  return nook_error_set (err, 0, "%s: HTTP %ld for %s", p->reg.ref.domain, r->status, what);
}

/* HEAD, then POST an upload and PUT its content with the digest.  */
static int
upload (struct push *p, const char *digest, uint64_t size, const char *path, const void *data,
        struct nook_error *err)
{
  cleanup_free char *head = xasprintf ("/v2/%s/blobs/%s", p->reg.ref.path, digest);
  cleanup_free char *start = xasprintf ("/v2/%s/blobs/uploads/", p->reg.ref.path), *put = NULL;
  cleanup_close int fd = path ? open (path, O_RDONLY | O_CLOEXEC) : -1;
  struct nook_http_body body = { .data = data, .len = size, .fd = fd, .size = size };
  struct nook_http_resp r;

  if (path && fd < 0)
    return nook_error_errno (err, "push: `%s`", path);
  if (nook_registry_send (&p->reg, "HEAD", head, NULL, NULL, &r, err) < 0)
    return -1;
  if (r.status == 200)
    {
      nook_http_resp_release (&r);
      if (p->opts->progress)
        p->opts->progress (digest, size, true, p->opts->data);
      return 0;
    }
  nook_http_resp_release (&r);
  if (nook_registry_send (&p->reg, "POST", start, NULL, NULL, &r, err) < 0)
    return -1;
  if (r.status != 202 || r.location == NULL)
    {
      status_error (p, "starting an upload", &r, err);
      nook_http_resp_release (&r);
      return -1;
    }
  put = xasprintf ("%s%sdigest=%s", r.location, strchr (r.location, '?') ? "&" : "?", digest);
  nook_http_resp_release (&r);
  if (nook_registry_send (&p->reg, "PUT", put, "application/octet-stream", &body, &r, err) < 0)
    return -1;
  if (r.status != 201)
    {
      status_error (p, digest, &r, err);
      nook_http_resp_release (&r);
      return -1;
    }
  nook_http_resp_release (&r);
  if (p->opts->progress)
    p->opts->progress (digest, size, false, p->opts->data);
  return 0;
}

static char *
manifest (struct push *p)
{
  json_object *m = json_object_new_object (), *c = json_object_new_object (),
              *layers = json_object_new_array ();
  char *text;

  json_object_object_add (m, "schemaVersion", json_object_new_int (2));
  json_object_object_add (m, "mediaType",
                          json_object_new_string ("application/vnd.oci.image.manifest.v1+json"));
  json_object_object_add (c, "mediaType",
                          json_object_new_string ("application/vnd.oci.image.config.v1+json"));
  json_object_object_add (c, "digest", json_object_new_string (p->config_digest));
  json_object_object_add (c, "size", json_object_new_int64 (strlen (p->config)));
  json_object_object_add (m, "config", c);
  for (size_t i = 0; i < p->n; i++)
    {
      json_object *l = json_object_new_object ();
      json_object_object_add (l, "mediaType",
                              json_object_new_string ("application/vnd.oci.image.layer.v1.tar+gzip"));
      json_object_object_add (l, "digest", json_object_new_string (p->layers[i].digest));
      json_object_object_add (l, "size", json_object_new_int64 (p->layers[i].size));
      json_object_array_add (layers, l);
    }
  json_object_object_add (m, "layers", layers);
  text = xstrdup (json_object_to_json_string_ext (m, JSON_C_TO_STRING_PLAIN));
  json_object_put (m);
  return text;
}

static int
send_all (struct push *p, char digest[NOOK_DIGEST_LEN + 1], struct nook_error *err)
{
  cleanup_free char *text = NULL, *url = NULL;
  struct nook_http_body body;
  struct nook_http_resp r;
  struct sha256_ctx ctx;

  for (size_t i = 0; i < p->n; i++)
    if (upload (p, p->layers[i].digest, p->layers[i].size, p->layers[i].path, NULL, err) < 0)
      return -1;
  if (upload (p, p->config_digest, strlen (p->config), NULL, p->config, err) < 0)
    return -1;
  text = manifest (p);
  body = (struct nook_http_body){ .data = text, .len = strlen (text), .fd = -1 };
  url = xasprintf ("/v2/%s/manifests/%s", p->reg.ref.path, p->reg.ref.tag);
  if (nook_registry_send (&p->reg, "PUT", url, "application/vnd.oci.image.manifest.v1+json", &body, &r, err)
      < 0)
    return -1;
  if (r.status != 201)
    {
      status_error (p, "the manifest", &r, err);
      nook_http_resp_release (&r);
      return -1;
    }
  nook_http_resp_release (&r);
  sha256_init (&ctx);
  sha256_update (&ctx, strlen (text), (const uint8_t *)text);
  nook_sha256_text (&ctx, digest);
  return 0;
}

static int
prepare (struct nook_images *s, struct push *p, const char *image, char id[NOOK_DIGEST_LEN + 1],
         struct nook_error *err)
{
  struct nook_image img = { 0 };
  int r = -1;

  /* Shared: no prune removes a layer while it is packed.  */
  if (nook_images_lock (s, LOCK_SH, err) < 0 || nook_images_find (s, image, &img, err) < 0)
    goto out;
  if ((p->tmp = nook_images_mktemp (s, err)) == NULL)
    goto out;
  p->n = strv_len (img.layers);
  p->layers = xcalloc (p->n + 1, sizeof *p->layers);
  for (size_t i = 0; i < p->n; i++)
    if (pack (s, p, img.layers[i], i, err) < 0)
      goto out;
  if (make_config (s, p, &img, err) < 0)
    goto out;
  memcpy (id, p->config_digest, NOOK_DIGEST_LEN + 1);
  r = 0;
out:
  nook_images_unlock (s);
  nook_image_release (&img);
  return r;
}

int
nook_push (struct nook_images *s, const char *image, const char *dest, const struct nook_push_opts *opts,
           char id[NOOK_DIGEST_LEN + 1], char digest[NOOK_DIGEST_LEN + 1], struct nook_error *err)
{
  struct push p = { .reg = { .scheme = "https", .tls_verify = opts->tls_verify, .actions = "pull,push" },
                    .opts = opts };
  int r = -1;

  if (nook_ref_parse (dest, &p.reg.ref, err) < 0)
    return nook_error_wrap (err, "push");
  if (p.reg.ref.digest || !p.reg.ref.qualified)
    {
      nook_error_set (err, 0, "push: `%s`: give a registry and a tag, not a digest or a short name", dest);
      nook_ref_release (&p.reg.ref);
      return nook_error_hint (err, "REGISTRY/NAME[:TAG], as localhost:5000/app:1");
    }
  p.reg.basic = nook_registry_credentials (p.reg.ref.domain);
  if (nook_registry_load_libcurl (err) < 0 || prepare (s, &p, image, id, err) < 0)
    goto out;
  r = send_all (&p, digest, err);
out:
  if (p.tmp)
    nook_rm_rf (p.tmp);
  for (size_t i = 0; i < p.n; i++)
    free (p.layers[i].path);
  free (p.layers);
  free (p.tmp);
  free (p.config);
  free (p.reg.auth);
  free (p.reg.basic);
  nook_ref_release (&p.reg.ref);
  return r < 0 ? nook_error_wrap (err, "push `%s` to `%s`", image, dest) : 0;
}
