/* nook: a sandbox's layers (nook diff NAME) and its changes as a new
 * image (nook commit NAME IMAGE).
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include "image-commit.h"
#include "image.h"
#include "layer.h"
#include "spec.h"
#include "state.h"
#include "userns.h"
#include "utils.h"

void
nook_sandbox_layers_release (struct nook_sandbox_layers *l)
{
  free (l->upper);
  strv_free (l->lowers);
  free (l->image_id);
  free (l->label);
  memset (l, 0, sizeof *l);
}

static int
layers_of (const struct nook_sandbox *sb, const char *ref, struct nook_sandbox_layers *out,
           struct nook_error *err)
{
  struct nook_spec spec;
  json_object *image;
  int r = -1;

  nook_spec_init (&spec);
  if (nook_sandbox_spec (sb, &spec, err) < 0)
    goto out;
  for (size_t i = spec.n_mounts; i-- > 0;)
    if (spec.mounts[i].kind == NOOK_MNT_OVERLAY && spec.mounts[i].dest == NULL
        && spec.mounts[i].overlay->upper)
      {
        out->upper = xstrdup (spec.mounts[i].overlay->upper);
        for (size_t k = 0; spec.mounts[i].overlay->lowers && spec.mounts[i].overlay->lowers[k]; k++)
          strv_append (&out->lowers, spec.mounts[i].overlay->lowers[k]);
        break;
      }
  if (out->upper == NULL)
    {
      nook_error_set (err, 0, "sandbox `%s` keeps no changes on disk", ref);
      nook_error_hint (
          err, "run an image (its changes are kept while the sandbox is listed), or give --upper DIR");
      goto out;
    }
  out->uid = spec.uid;
  out->gid = spec.gid;
  out->running = sb->running || sb->supervised;
  if (sb->doc && json_object_object_get_ex (sb->doc, "image", &image) && nook_json_str (image, "id"))
    out->image_id = xstrdup (nook_json_str (image, "id"));
  out->label = xstrdup (nook_sandbox_str (sb, "name") ?: sb->id);
  r = 0;
out:
  nook_spec_free (&spec);
  return r;
}

int
nook_sandbox_layers (const char *ref, struct nook_sandbox_layers *out, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  int r;

  memset (out, 0, sizeof *out);
  if (nook_store_open (&store, err) < 0)
    return -1;
  nook_store_sweep (&store);
  if (nook_sandbox_find (&store, ref, &sb, err) < 0)
    {
      nook_store_close (&store);
      return -1;
    }
  r = layers_of (&sb, ref, out, err);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  if (r < 0)
    nook_sandbox_layers_release (out);
  return r;
}

/* The base image's config with the new layer on top, a history entry
   for it, and the time of the commit.  */
static json_object *
new_config (json_object *base, const char *diff_id, const char *label)
{
  json_object *c = NULL, *rootfs, *ids, *history, *h;
  char created[64];
  time_t now = time (NULL);
  struct tm tm;

  json_object_deep_copy (base, &c, NULL);
  gmtime_r (&now, &tm);
  strftime (created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_object_object_add (c, "created", json_object_new_string (created));
  if (!json_object_object_get_ex (c, "rootfs", &rootfs) || !json_object_is_type (rootfs, json_type_object))
    {
      rootfs = json_object_new_object ();
      json_object_object_add (rootfs, "type", json_object_new_string ("layers"));
      json_object_object_add (c, "rootfs", rootfs);
    }
  if (!json_object_object_get_ex (rootfs, "diff_ids", &ids) || !json_object_is_type (ids, json_type_array))
    {
      ids = json_object_new_array ();
      json_object_object_add (rootfs, "diff_ids", ids);
    }
  json_object_array_add (ids, json_object_new_string (diff_id));
  if (!json_object_object_get_ex (c, "history", &history) || !json_object_is_type (history, json_type_array))
    {
      history = json_object_new_array ();
      json_object_object_add (c, "history", history);
    }
  cleanup_free char *by = xasprintf ("nook commit %s", label);
  h = json_object_new_object ();
  json_object_object_add (h, "created", json_object_new_string (created));
  json_object_object_add (h, "created_by", json_object_new_string (by));
  json_object_array_add (history, h);
  return c;
}

/* The base image's config and layers, under the store's lock.  */
static int
base_image (struct nook_images *s, const char *id, json_object **config, char ***layers,
            struct nook_error *err)
{
  struct nook_image img = { 0 };
  int r = -1;

  if (nook_images_lock (s, LOCK_SH, err) < 0)
    return -1;
  if (nook_images_find (s, id, &img, err) == 0 && (*config = nook_image_config (s, &img, err)) != NULL)
    {
      for (size_t i = 0; img.layers && img.layers[i]; i++)
        strv_append (layers, img.layers[i]);
      r = 0;
    }
  nook_images_unlock (s);
  nook_image_release (&img);
  return r;
}

static int
store_commit (struct nook_images *s, const struct nook_sandbox_layers *l, const char *tar, const char *name,
              char id[NOOK_DIGEST_LEN + 1], struct nook_error *err)
{
  json_object *base = NULL, *config = NULL;
  cleanup_strv char **layers = NULL;
  char diff_id[NOOK_DIGEST_LEN + 1];
  const char *text;
  int r = -1;

  if (base_image (s, l->image_id, &base, &layers, err) < 0)
    {
      nook_error_wrap (err, "the image sandbox `%s` was run from", l->label);
      goto out;
    }
  if (nook_images_put_layer (s, tar, NULL, diff_id, err) < 0)
    goto out;
  config = new_config (base, diff_id, l->label);
  text = json_object_to_json_string_ext (config, JSON_C_TO_STRING_PLAIN);
  if (nook_images_put_blob_mem (s, text, strlen (text), NULL, id, err) < 0)
    goto out;
  strv_append (&layers, diff_id);
  if (nook_images_lock (s, LOCK_EX, err) < 0)
    goto out;
  r = nook_images_record (s, id, layers, name, err);
  nook_images_unlock (s);
out:
  if (base)
    json_object_put (base);
  if (config)
    json_object_put (config);
  return r;
}

/* ---- an upper of subordinate ids ------------------------------------------------------ */

struct pack_job
{
  const char *dir;
  const char *out;
  struct nook_pack_ids ids;
};

/* In the mapped helper: packs, and answers "Z" and the diff_id, or "E"
   and the error's text.  */
static int
pack_job (int fd, void *arg)
{
  const struct pack_job *job = arg;
  struct nook_error e = { 0 };
  char diff_id[NOOK_DIGEST_LEN + 1];
  cleanup_free char *answer = NULL;

  if (nook_pack_layer (job->dir, &job->ids, job->out, diff_id, NULL, &e) < 0)
    answer = xasprintf ("E%s", e.msg ? e.msg : "?");
  else
    answer = xasprintf ("Z%s", diff_id);
  nook_error_release (&e);
  return nook_write_all (fd, answer, strlen (answer)) < 0 ? -1 : 0;
}

/* An upper written with --map-users auto holds directories of other ids
   that the caller cannot read: packed again from a user namespace with
   that mapping (where the caller is 0 and the subordinate ids 1 and up,
   as in the sandbox).  Its answer is data from a walk of what the sandbox
   wrote: checked, and its text made printable.  */
static int
pack_mapped (const struct nook_sandbox_layers *l, const char *tar, char diff_id[NOOK_DIGEST_LEN + 1],
             struct nook_error *err)
{
  struct pack_job job = { l->upper, tar, { 0, 0, l->uid, l->gid, false } };
  struct nook_error helper = { 0 };
  cleanup_free char *buf = NULL;
  size_t len = 0;

  nook_error_release (err);
  if (nook_userns_run_mapped (pack_job, &job, &buf, &len, &helper) < 0)
    {
      nook_error_set (
          err, helper.errnum,
          "the upper holds files of subordinate ids (--map-users auto), read in a user namespace, "
          "which failed: %s",
          helper.msg ? helper.msg : "?");
      nook_error_release (&helper);
      return -1;
    }
  if (len == 1 + NOOK_DIGEST_LEN && buf[0] == 'Z')
    {
      memcpy (diff_id, buf + 1, NOOK_DIGEST_LEN);
      diff_id[NOOK_DIGEST_LEN] = '\0';
      if (nook_digest_is_valid (diff_id))
        return 0;
    }
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
      buf[i] = '?';
  return nook_error_set (err, 0, "%.*s", len > 1 && buf[0] == 'E' ? (int)(len - 1) : (int)len,
                         len > 1 && buf[0] == 'E' ? buf + 1 : buf ?: "");
}

int
nook_image_commit (const char *sandbox, const char *name, char id[NOOK_DIGEST_LEN + 1],
                   struct nook_error *err)
{
  struct nook_sandbox_layers l;
  struct nook_images s;
  cleanup_free char *tmp = NULL, *tar = NULL, *full = NULL;
  struct nook_pack_ids ids;
  char diff_id[NOOK_DIGEST_LEN + 1];
  int r = -1;

  if (name && (full = nook_image_name_normalize (name)) == NULL)
    {
      nook_error_set (err, 0, "commit: `%s` is not an image name", name);
      return nook_error_hint (err, "lowercase letters, digits and ._-/ then an optional :TAG");
    }
  if (nook_sandbox_layers (sandbox, &l, err) < 0)
    return -1;
  if (l.image_id == NULL)
    {
      nook_error_set (err, 0, "commit: sandbox `%s` was not run from an image", sandbox);
      nook_sandbox_layers_release (&l);
      return nook_error_hint (err, "nook commit takes a sandbox of nook run IMAGE or --image IMAGE");
    }
  ids = (struct nook_pack_ids){ getuid (), getgid (), l.uid, l.gid, true };
  if (nook_images_open (&s, err) < 0 || (tmp = nook_images_mktemp (&s, err)) == NULL)
    goto out;
  tar = xasprintf ("%s/layer.tar", tmp);
  /* Files of other ids in an upper are subordinate ids (--map-users
     auto): packed again where they are the sandbox's ids.  */
  if (nook_pack_layer (l.upper, &ids, tar, diff_id, NULL, err) < 0
      && ((err->errnum != EACCES && err->errnum != EPERM)
          || (unlink (tar), pack_mapped (&l, tar, diff_id, err)) < 0))
    goto out;
  r = store_commit (&s, &l, tar, full, id, err);
out:
  if (tmp)
    nook_rm_rf (tmp);
  nook_images_close (&s);
  nook_sandbox_layers_release (&l);
  return r < 0 ? nook_error_wrap (err, "commit `%s`", sandbox) : 0;
}
