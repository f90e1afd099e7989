/* nook: stored images: their configs, podman's inspect document, the
 * sandboxes that use them, and the image as a front end of struct
 * nook_spec (nook run --image).
 */
#include <config.h>

#include <ctype.h>
#include <dirent.h>
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
#include <time.h>
#include <unistd.h>

#include "image.h"
#include "passwd.h"
#include "layer.h"
#include "spec.h"
#include "state.h"
#include "utils.h"

void
nook_image_spec_free (struct nook_image_spec *image)
{
  free (image->ref);
  free (image->id);
  free (image->own_upper);
  strv_free (image->entrypoint);
  strv_free (image->cmd);
  strv_free (image->exposed);
  image->exposed = NULL;
  image->ref = image->id = image->own_upper = NULL;
  image->entrypoint = image->cmd = NULL;
}

json_object *
nook_image_state_json (const struct nook_image_spec *image)
{
  json_object *o;

  if (image->ref == NULL)
    return NULL;
  o = json_object_new_object ();
  json_object_object_add (o, "ref", json_object_new_string (image->ref));
  json_object_object_add (o, "id", image->id ? json_object_new_string (image->id) : NULL);
  json_object_object_add (o, "upper", image->own_upper ? json_object_new_string (image->own_upper) : NULL);
  return o;
}

/* ---- reading stored images -------------------------------------------------------------- */

json_object *
nook_image_config (struct nook_images *s, const struct nook_image *img, struct nook_error *err)
{
  cleanup_free char *path = nook_images_blob_path (s, img->id);
  /* Verified when it was stored; the store is the caller's, 0700.  */
  json_object *o = json_object_from_file (path);

  if (o && !json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      o = NULL;
    }
  if (o == NULL)
    return nook_error_set (err, 0, "image %s: its config cannot be read", img->id), NULL;
  return o;
}

json_object *
nook_image_inspect (struct nook_images *s, const struct nook_image *img, struct nook_error *err)
{
  json_object *config = nook_image_config (s, img, err), *doc, *tags, *layers, *rootfs, *cfg, *v;
  uint64_t size = 0;
  char created[64];
  struct tm tm;
  time_t t = img->created;

  if (config == NULL)
    return NULL;
  doc = json_object_new_object ();
  json_object_object_add (doc, "Id", json_object_new_string (img->id + 7));
  tags = json_object_new_array ();
  for (size_t i = 0; img->names && img->names[i]; i++)
    json_object_array_add (tags, json_object_new_string (img->names[i]));
  json_object_object_add (doc, "RepoTags", tags);
  gmtime_r (&t, &tm);
  strftime (created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
  json_object_object_add (doc, "Stored", json_object_new_string (created));
  if (json_object_object_get_ex (config, "created", &v))
    json_object_object_add (doc, "Created", json_object_get (v));
  json_object_object_add (doc, "Architecture",
                          json_object_new_string (nook_json_str (config, "architecture") ?: ""));
  json_object_object_add (doc, "Os", json_object_new_string (nook_json_str (config, "os") ?: ""));
  cfg = json_object_object_get_ex (config, "config", &v) ? json_object_get (v) : json_object_new_object ();
  json_object_object_add (doc, "Config", cfg);
  layers = json_object_new_array ();
  for (size_t i = 0; img->layers && img->layers[i]; i++)
    {
      json_object_array_add (layers, json_object_new_string (img->layers[i]));
      size += nook_images_layer_size (s, img->layers[i]);
    }
  rootfs = json_object_new_object ();
  json_object_object_add (rootfs, "Type", json_object_new_string ("layers"));
  json_object_object_add (rootfs, "Layers", layers);
  json_object_object_add (doc, "RootFS", rootfs);
  json_object_object_add (doc, "Size", json_object_new_int64 (size));
  json_object_put (config);
  return doc;
}

/* The --image REF a sandbox's recorded options name.  */
static const char *
options_image (json_object *options)
{
  for (size_t i = 0; options && i < json_object_array_length (options); i++)
    {
      const char *o = json_object_get_string (json_object_array_get_idx (options, i));
      if (strcmp (o, "--") == 0)
        break;
      if (strcmp (o, "--image") == 0 && i + 1 < json_object_array_length (options))
        return json_object_get_string (json_object_array_get_idx (options, i + 1));
      if (strncmp (o, "--image=", 8) == 0)
        return o + 8;
    }
  return NULL;
}

int
nook_image_users (struct nook_images *s, const char *id, char ***users, struct nook_error *err)
{
  struct nook_store store;
  cleanup_strv char **ids = NULL;

  if (nook_store_open (&store, err) < 0)
    return -1;
  ids = nook_sandbox_list (&store);
  for (size_t i = 0; ids && ids[i]; i++)
    {
      struct nook_sandbox sb;
      json_object *options;
      const char *ref;
      struct nook_image img;
      struct nook_error ignored = { 0 };

      if (nook_sandbox_load (&store, ids[i], &sb) < 0)
        continue;
      json_object *image;
      /* A kept sandbox counts too: its upper lies on the image's layers.  */
      if (sb.doc && json_object_object_get_ex (sb.doc, "image", &image) && nook_json_str (image, "id"))
        {
          if (strcmp (nook_json_str (image, "id"), id) == 0)
            strv_append (users, nook_sandbox_str (&sb, "name") ?: sb.id);
        }
      else if ((sb.running || sb.supervised) && sb.doc
               && json_object_object_get_ex (sb.doc, "options", &options) && (ref = options_image (options))
               && nook_images_find (s, ref, &img, &ignored) == 0)
        {
          if (strcmp (img.id, id) == 0)
            strv_append (users, nook_sandbox_str (&sb, "name") ?: sb.id);
          nook_image_release (&img);
        }
      nook_error_release (&ignored);
      nook_sandbox_release (&sb);
    }
  nook_store_close (&store);
  return 0;
}

/* ---- the image as a front end of struct nook_spec ------------------------------------------ */

/* The root's stack of layers: the one --layer opened, or a new one.  */
static struct nook_overlay *
root_stack (struct nook_spec *spec)
{
  for (size_t i = spec->n_mounts; i-- > 0;)
    if (spec->mounts[i].kind == NOOK_MNT_OVERLAY && spec->mounts[i].dest == NULL)
      return spec->mounts[i].overlay;
  return nook_spec_add_overlay (spec, NULL);
}

static void
add_layers (struct nook_spec *spec, struct nook_images *s, char *const *diff_ids)
{
  struct nook_overlay *ov = root_stack (spec);
  char **lowers = NULL;

  /* The image's layers below any --layer given before --image.  */
  for (size_t i = 0; diff_ids && diff_ids[i]; i++)
    {
      cleanup_free char *p = nook_images_layer_path (s, diff_ids[i]);
      strv_append (&lowers, p);
    }
  for (size_t i = 0; ov->lowers && ov->lowers[i]; i++)
    strv_append (&lowers, ov->lowers[i]);
  strv_free (ov->lowers);
  ov->lowers = lowers;
}

/* The image's Env, before the --env options given so far.  */
static void
add_env (struct nook_spec *spec, char *const *env, bool add_home)
{
  size_t before = spec->n_env_ops, added;
  struct nook_env_op *moved;

  /* The caller's USER names nobody in the image.  */
  nook_spec_add_env (spec, "USER", NULL);
  if (add_home)
    nook_spec_add_env (spec, "HOME", "/root");
  for (size_t i = 0; env && env[i]; i++)
    {
      cleanup_free char *key = xstrdup (env[i]);
      char *eq = strchr (key, '=');
      if (eq == NULL || eq == key)
        continue;
      *eq = '\0';
      nook_spec_add_env (spec, key, eq + 1);
    }
  added = spec->n_env_ops - before;
  moved = xmalloc ((added + 1) * sizeof *moved);
  memcpy (moved, spec->env_ops + before, added * sizeof *moved);
  memmove (spec->env_ops + added, spec->env_ops, before * sizeof *moved);
  memcpy (spec->env_ops, moved, added * sizeof *moved);
  free (moved);
}

/* A User of a name: its ids from the image's /etc/passwd (or /etc/group),
   read from the highest layer that has the file, inside that layer
   (passwd.h).  */
static int
lookup_id (char *const *lowers, const char *file, const char *name, uint32_t *id, uint32_t *gid)
{
  cleanup_strv char **roots = NULL;

  for (size_t i = strv_len (lowers); i-- > 0;)
    strv_append (&roots, lowers[i]);
  return nook_passwd_lookup (roots, file, name, id, gid);
}

static int
apply_user (struct nook_spec *spec, const char *user, struct nook_error *err)
{
  char *const *lowers = root_stack (spec)->lowers;
  cleanup_free char *u = xstrdup (user);
  char *g = strchr (u, ':');
  uint64_t v;
  uint32_t uid = 0, gid = 0;

  if (g)
    *g++ = '\0';
  if (nook_parse_uint (u, UINT32_MAX - 1, &v) == 0)
    uid = v;
  else if (lookup_id (lowers, "etc/passwd", u, &uid, g ? NULL : &gid) < 0)
    return nook_error_set (err, 0, "the image's User `%s` is not in its /etc/passwd", user);
  if (g && nook_parse_uint (g, UINT32_MAX - 1, &v) == 0)
    gid = v;
  else if (g && lookup_id (lowers, "etc/group", g, &gid, NULL) < 0)
    return nook_error_set (err, 0, "the image's User `%s`: group not in its /etc/group", user);
  /* A non-zero --uid or --gid before --image wins; one after overrides.  */
  if (spec->uid == 0 && spec->gid == 0)
    {
      spec->uid = uid;
      spec->gid = gid;
    }
  return 0;
}

static int
apply_config (struct nook_spec *spec, json_object *config, struct nook_error *err)
{
  json_object *cfg = NULL, *ports;
  cleanup_strv char **env = NULL;
  const char *wd, *user;
  bool home = true;

  json_object_object_get_ex (config, "config", &cfg);
  env = cfg ? nook_json_strv (cfg, "Env") : NULL;
  for (size_t i = 0; env && env[i]; i++)
    home &= strncmp (env[i], "HOME=", 5) != 0;
  add_env (spec, env, home);
  wd = cfg ? nook_json_str (cfg, "WorkingDir") : NULL;
  if (spec->chdir == NULL)
    spec->chdir = xstrdup (wd && wd[0] == '/' ? wd : "/");
  strv_free (spec->image.entrypoint);
  strv_free (spec->image.cmd);
  spec->image.entrypoint = cfg ? nook_json_strv (cfg, "Entrypoint") : NULL;
  spec->image.cmd = cfg ? nook_json_strv (cfg, "Cmd") : NULL;
  strv_free (spec->image.exposed);
  spec->image.exposed = NULL;
  if (cfg && json_object_object_get_ex (cfg, "ExposedPorts", &ports)
      && json_object_is_type (ports, json_type_object))
    {
      json_object_object_foreach (ports, port, ignored)
      {
        (void)ignored;
        strv_append (&spec->image.exposed, port);
      }
    }
  user = cfg ? nook_json_str (cfg, "User") : NULL;
  return user && *user ? apply_user (spec, user, err) : 0;
}

int
nook_image_apply (struct nook_spec *spec, const char *ref, struct nook_error *err)
{
  struct nook_images s;
  struct nook_image img = { 0 };
  json_object *config = NULL;
  int r = -1;

  if (spec->image.ref)
    return nook_error_set (err, 0, "--image: one image only (`%s` and `%s`)", spec->image.ref, ref);
  if (nook_images_open (&s, err) < 0 || nook_images_lock (&s, LOCK_SH, err) < 0)
    goto out;
  if (nook_images_find (&s, ref, &img, err) < 0 || (config = nook_image_config (&s, &img, err)) == NULL)
    goto out;
  for (size_t i = 0; img.layers && img.layers[i]; i++)
    {
      cleanup_free char *p = nook_images_layer_path (&s, img.layers[i]);
      if (access (p, F_OK) < 0)
        {
          nook_error_errno (err, "image `%s`: layer %s", ref, img.layers[i]);
          goto out;
        }
    }
  add_layers (spec, &s, img.layers);
  spec->image.ref = xstrdup (ref);
  spec->image.id = xstrdup (img.id);
  r = apply_config (spec, config, err);
out:
  if (config)
    json_object_put (config);
  nook_image_release (&img);
  nook_images_close (&s);
  return r < 0 ? nook_error_wrap (err, "--image") : 0;
}

int
nook_image_command (const struct nook_spec *spec, char *const *args, char ***argv, struct nook_error *err)
{
  char *const *tail = args && args[0] ? args : spec->image.cmd;

  for (size_t i = 0; spec->image.entrypoint && spec->image.entrypoint[i]; i++)
    strv_append (argv, spec->image.entrypoint[i]);
  for (size_t i = 0; tail && tail[i]; i++)
    strv_append (argv, tail[i]);
  if (*argv == NULL)
    {
      nook_error_set (err, 0, "run: image `%s` has no Entrypoint or Cmd", spec->image.ref);
      return nook_error_hint (err, "give the command after the options: nook run --image %s -- CMD",
                              spec->image.ref);
    }
  return 0;
}

/* Every layer directory of the store, whether an image lists it or not.  */
static void
count_layers (struct nook_images *s, char *const *used, struct nook_images_usage *u)
{
  cleanup_close int lfd = openat (s->fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  struct dirent *de;
  DIR *d;

  if (lfd < 0 || (d = fdopendir (lfd)) == NULL)
    return;
  lfd = -1;
  while ((de = readdir (d)))
    if (de->d_name[0] != '.')
      {
        cleanup_free char *digest = xasprintf ("sha256:%s", de->d_name);
        uint64_t size = nook_images_layer_size (s, digest);
        u->layers++;
        u->layers_size += size;
        if (!strv_has (used, digest))
          u->layers_reclaimable += size;
      }
  closedir (d);
}

int
nook_images_usage (struct nook_images *s, struct nook_images_usage *u, struct nook_error *err)
{
  struct nook_image *imgs = NULL;
  cleanup_strv char **used = NULL, **active = NULL;
  size_t n = 0;
  int r = 0;

  *u = (struct nook_images_usage){ 0 };
  if (nook_images_list (s, &imgs, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n && r == 0; i++)
    {
      cleanup_strv char **users = NULL;
      uint64_t size = 0;
      if ((r = nook_image_users (s, imgs[i].id, &users, err)) < 0)
        break;
      /* A layer two images share counts once, with the first.  */
      for (size_t k = 0; imgs[i].layers && imgs[i].layers[k]; k++)
        {
          if (!strv_has (used, imgs[i].layers[k]))
            {
              strv_append (&used, imgs[i].layers[k]);
              size += nook_images_layer_size (s, imgs[i].layers[k]);
            }
          if (users && !strv_has (active, imgs[i].layers[k]))
            strv_append (&active, imgs[i].layers[k]);
        }
      u->images++;
      u->images_size += size;
      u->images_active += users != NULL;
      if (users == NULL)
        u->images_reclaimable += size;
    }
  nook_image_list_free (imgs, n);
  if (r < 0)
    return -1;
  u->layers_active = strv_len (active);
  count_layers (s, used, u);
  return 0;
}
