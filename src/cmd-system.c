/* nook system df  */
#include <config.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/image.h"
#include "lib/utils.h"
#include "options.h"

static bool
strv_contains (char *const *v, const char *s)
{
  for (size_t i = 0; v && v[i]; i++)
    if (strcmp (v[i], s) == 0)
      return true;
  return false;
}

static void
row (const char *type, size_t total, size_t active, uint64_t size, uint64_t reclaimable)
{
  char h1[32], h2[32];

  nook_cli_human_size (size, h1, sizeof h1);
  nook_cli_human_size (reclaimable, h2, sizeof h2);
  printf ("%-10s %-8zu %-8zu %-12s %s\n", type, total, active, h1, h2);
}

static int
df (struct nook_images *s, struct nook_error *err)
{
  struct nook_image *imgs = NULL;
  cleanup_strv char **used = NULL, **active_layers = NULL;
  cleanup_close int lfd = openat (s->fd, "layers", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  size_t n = 0, active = 0, n_layers = 0;
  uint64_t layers_size = 0, unused_size = 0, img_size = 0, img_reclaim = 0;
  DIR *d;
  struct dirent *de;

  nook_images_list (s, &imgs, &n, err);
  for (size_t i = 0; i < n; i++)
    {
      cleanup_strv char **users = NULL;
      uint64_t size = 0;
      if (nook_image_users (s, imgs[i].id, &users, err) < 0)
        break;
      for (size_t k = 0; imgs[i].layers && imgs[i].layers[k]; k++)
        {
          if (!strv_contains (used, imgs[i].layers[k]))
            {
              strv_append (&used, imgs[i].layers[k]);
              size += nook_images_layer_size (s, imgs[i].layers[k]);
            }
          if (users && !strv_contains (active_layers, imgs[i].layers[k]))
            strv_append (&active_layers, imgs[i].layers[k]);
        }
      img_size += size;
      active += users != NULL;
      if (users == NULL)
        img_reclaim += size;
    }
  nook_image_list_free (imgs, n);
  if (lfd >= 0 && (d = fdopendir (steal_fd (&lfd))))
    {
      while ((de = readdir (d)))
        if (de->d_name[0] != '.')
          {
            cleanup_free char *digest = xasprintf ("sha256:%s", de->d_name);
            uint64_t size = nook_images_layer_size (s, digest);
            n_layers++;
            layers_size += size;
            if (!strv_contains (used, digest))
              unused_size += size;
          }
      closedir (d);
    }
  printf ("%-10s %-8s %-8s %-12s %s\n", "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
  row ("Images", n, active, img_size, img_reclaim);
  row ("Layers", n_layers, strv_len (active_layers), layers_size, unused_size);
  printf ("(store: %s)\n", s->path);
  return 0;
}

const struct nook_command nook_system_command = {
  .name = "system",
  .synopsis = "nook system df",
  .summary
  = "Shows the image store's disk use: images (ACTIVE: used by a sandbox) and layers; RECLAIMABLE is "
    "what nook image prune --all (images) or nook image prune (layers no image has) frees.",
  .interspersed = true,
};

int
nook_cmd_system (int argc, char **argv, struct nook_error *err)
{
  struct nook_images s;
  int i, r;

  i = nook_command_parse (&nook_system_command, argc, argv, NULL, NULL, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_system_command, argc, i, 1, 1, err) < 0)
    return -1;
  if (strcmp (argv[i], "df") != 0)
    return nook_error_set (err, 0, "system: unknown command `%s` (usage: %s)", argv[i],
                           nook_system_command.synopsis);
  if (nook_images_open (&s, err) < 0 || nook_images_lock (&s, LOCK_SH, err) < 0)
    {
      nook_images_close (&s);
      return -1;
    }
  r = df (&s, err);
  nook_images_close (&s);
  return r < 0 ? -1 : 0;
}
