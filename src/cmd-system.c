/* nook system df  */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "cmd.h"
#include "lib/image.h"
#include "lib/utils.h"
#include "options.h"

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
  struct nook_images_usage u;

  if (nook_images_usage (s, &u, err) < 0)
    return -1;
  printf ("%-10s %-8s %-8s %-12s %s\n", "TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE");
  row ("Images", u.images, u.images_active, u.images_size, u.images_reclaimable);
  row ("Layers", u.layers, u.layers_active, u.layers_size, u.layers_reclaimable);
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
