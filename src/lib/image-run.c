/* nook: what nook run does with an image besides the config: reading the
 * positional operand (nook run IMAGE), pulling it on demand (--pull), and
 * the sandbox's own upper in the store (uppers/X), which lives as long as
 * the sandbox's state.
 */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-run.h"
#include "image.h"
#include "pull.h"
#include "registry.h"
#include "spec.h"
#include "utils.h"

static bool
all_hex (const char *s)
{
  for (; *s; s++)
    if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
      return false;
  return true;
}

/* Whether WORD names a stored image, without creating a store that is not
   there (a plain `nook run make` must not make one).  A word of fewer than
   12 hex digits is never read as an id: `bc`, `dd` and `cafe` are commands.  */
static bool
stored (const char *word)
{
  cleanup_free char *dir = NULL, *index = NULL;
  struct nook_images s;
  struct nook_image img = { 0 };
  struct nook_error ignored = { 0 };
  bool found = false;

  if ((dir = nook_images_dir (&ignored)) == NULL)
    goto out;
  index = xasprintf ("%s/images.json", dir);
  if (access (index, F_OK) < 0)
    goto out;
  if (nook_images_open (&s, &ignored) == 0 && nook_images_lock (&s, LOCK_SH, &ignored) == 0
      && nook_images_find (&s, word, &img, &ignored) == 0)
    found = !(all_hex (word) && strlen (word) < 12 && strncmp (img.id + 7, word, strlen (word)) == 0);
  nook_image_release (&img);
  nook_images_close (&s);
out:
  nook_error_release (&ignored);
  return found;
}

/* A file of that name in one of PATH's directories.  */
static bool
on_path (const char *word)
{
  const char *path = getenv ("PATH");
  cleanup_free char *copy = xstrdup (path ? path : "/usr/bin:/bin");
  char *save = NULL;

  for (char *d = strtok_r (copy, ":", &save); d; d = strtok_r (NULL, ":", &save))
    {
      cleanup_free char *p = xasprintf ("%s/%s", *d ? d : ".", word);
      if (access (p, X_OK) == 0)
        return true;
    }
  return false;
}

/* A reference that names its registry (localhost/x, quay.io/x, host:5000/x)
   or a digest: never a command's name.  */
static bool
qualified (const char *word)
{
  const char *slash = strchr (word, '/');
  size_t n = slash ? (size_t)(slash - word) : 0;

  if (strstr (word, "@sha256:"))
    return true;
  return slash && n > 0
         && (memchr (word, '.', n) || memchr (word, ':', n)
             || (n == 9 && strncmp (word, "localhost", 9) == 0));
}

int
nook_image_operand (const char *word, bool pull_given, struct nook_error *err)
{
  cleanup_free char *name = NULL;

  if (stored (word))
    return NOOK_OPERAND_IMAGE;
  if (pull_given)
    return NOOK_OPERAND_IMAGE;
  /* A path, or a word with neither `/` nor `:`: a command, as always.  */
  if (word[0] == '/' || word[0] == '.' || strpbrk (word, "/:@") == NULL)
    return NOOK_OPERAND_COMMAND;
  if (qualified (word))
    return NOOK_OPERAND_IMAGE;
  /* alpine:3, library/alpine: a short image name, or a file of that name.  */
  if (strchr (word, '/') ? access (word, F_OK) == 0 : on_path (word))
    {
      nook_error_set (err, 0,
                      "run: `%s` is both a command (%s) and an image name (not in the store): nook does "
                      "not guess",
                      word, strchr (word, '/') ? "a file here" : "on PATH");
      return nook_error_hint (
          err, "`nook run -- %s` runs the command; `nook run --pull=missing %s` the image", word, word);
    }
  if ((name = nook_image_name_normalize (word)) == NULL)
    return NOOK_OPERAND_COMMAND;
  return NOOK_OPERAND_IMAGE;
}

static int
in_store (struct nook_images *s, const char *ref, char id[NOOK_DIGEST_LEN + 1])
{
  struct nook_image img = { 0 };
  struct nook_error ignored = { 0 };
  int r = -1;

  if (nook_images_lock (s, LOCK_SH, &ignored) == 0 && nook_images_find (s, ref, &img, &ignored) == 0)
    {
      memcpy (id, img.id, NOOK_DIGEST_LEN + 1);
      r = 0;
    }
  nook_images_unlock (s);
  nook_image_release (&img);
  nook_error_release (&ignored);
  return r;
}

int
nook_image_ensure (const char *ref, enum nook_pull_policy policy, bool tls_verify,
                   const struct nook_pull_opts *shown, char id[NOOK_DIGEST_LEN + 1], struct nook_error *err)
{
  struct nook_images s;
  struct nook_pull_opts opts = { .tls_verify = tls_verify };
  cleanup_free char *name = NULL;
  int r = -1;

  if (shown)
    {
      opts.progress = shown->progress;
      opts.transfer = shown->transfer;
      opts.data = shown->data;
    }
  if (nook_images_open (&s, err) < 0)
    goto out;
  if (policy != NOOK_PULL_ALWAYS && in_store (&s, ref, id) == 0)
    r = 0;
  else if (policy == NOOK_PULL_NEVER)
    {
      nook_error_set (err, 0, "image `%s`: not in the store, and --pull=never", ref);
      nook_error_hint (err, "`nook pull %s` first, or drop --pull=never", ref);
    }
  else
    r = nook_pull (&s, ref, &opts, id, &name, err);
out:
  nook_images_close (&s);
  return r;
}

int
nook_image_run_apply (struct nook_spec *spec, const char *ref, const struct nook_pull_opts *shown,
                      struct nook_error *err)
{
  char id[NOOK_DIGEST_LEN + 1];
  enum nook_pull_policy policy = spec->image.pull ?: NOOK_PULL_MISSING;

  if (nook_image_ensure (ref, policy, !spec->image.tls_verify_off, shown, id, err) < 0)
    return -1;
  /* Found by its id (a pull by digest gives the image no name); shown,
     and recorded, as the user named it.  */
  if (nook_image_apply (spec, id, err) < 0)
    return -1;
  free (spec->image.ref);
  spec->image.ref = xstrdup (ref);
  return 0;
}

/* ---- the sandbox's own upper ---------------------------------------------------------- */

int
nook_image_own_upper (struct nook_spec *spec, struct nook_error *err)
{
  struct nook_overlay *ov = NULL;
  cleanup_free char *store = NULL, *dir = NULL;

  for (size_t i = spec->n_mounts; i-- > 0 && ov == NULL;)
    if (spec->mounts[i].kind == NOOK_MNT_OVERLAY && spec->mounts[i].dest == NULL)
      ov = spec->mounts[i].overlay;
  /* A foreground run that nook forgets when it ends keeps its changes on
     a tmpfs, gone with it: no directory to make and remove on the way
     (startup stays as `nook run -- true`'s).  */
  if (spec->image.ref == NULL || ov == NULL || ov->upper || (!spec->life.detach && spec->life.remove != 0))
    return 0;
  if ((store = nook_images_dir (err)) == NULL)
    return -1;
  dir = xasprintf ("%s/uppers", store);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return nook_error_errno (err, "image store: create `%s`", dir);
  free (dir);
  dir = xasprintf ("%s/uppers/XXXXXX", store);
  if (mkdtemp (dir) == NULL)
    return nook_error_errno (err, "image store: create the sandbox's upper in `%s/uppers`", store);
  ov->upper = xasprintf ("%s/upper", dir);
  spec->image.own_upper = steal_pointer (&dir);
  return 0;
}

/* ---- -P: the image's ExposedPorts ----------------------------------------------------- */

int
nook_image_publish_all (struct nook_spec *spec, struct nook_error *err)
{
  struct nook_net_spec *ns = &spec->net;

  if (!spec->image.publish_all)
    return 0;
  if (spec->image.ref == NULL)
    {
      nook_error_set (err, 0, "-P publishes the ExposedPorts of an image, and the run has none");
      return nook_error_hint (err, "give an image (nook run -P IMAGE), or publish ports with -p PORT");
    }
  for (size_t i = 0; spec->image.exposed && spec->image.exposed[i]; i++)
    {
      struct nook_port_map p;
      struct nook_error ignored = { 0 };
      unsigned count;
      bool given = false;
      int bad;

      /* An entry that is not PORT[/tcp|/udp] is the image's mistake:
         passed over, as podman does.  */
      bad = strchr (spec->image.exposed[i], ':')
            || nook_port_parse (spec->image.exposed[i], &p, &count, &ignored) < 0 || count != 1;
      nook_error_release (&ignored);
      if (bad)
        continue;
      /* A -p of the same port says where it goes.  */
      for (size_t k = 0; k < ns->n_ports; k++)
        given |= ns->ports[k].port == p.port && ns->ports[k].udp == p.udp;
      if (given)
        continue;
      if (ns->n_ports >= NOOK_MAX_PORTS)
        return nook_error_set (err, 0, "-P: at most %d ports can be published", NOOK_MAX_PORTS);
      p.host_port = 0;
      ns->ports = xrealloc (ns->ports, (ns->n_ports + 1) * sizeof *ns->ports);
      ns->ports[ns->n_ports++] = p;
    }
  return 0;
}

void
nook_image_choose_overlay (struct nook_spec *spec)
{
  /* Kernel overlayfs shows every file of the layers as the caller's; with
     the ids of --map-users auto, fuse-overlayfs shows the owners the store
     kept in override_stat (uid N in the image is N inside).  */
  if (spec->image.ref && spec->map_mode == NOOK_MAP_AUTO && spec->fs.overlay_kind == NOOK_OVERLAY_AUTO)
    spec->fs.overlay_kind = NOOK_OVERLAY_FUSE;
}
