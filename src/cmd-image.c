/* nook image ls|rm|prune|inspect|import|load ...  */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "cmd.h"
#include "lib/image.h"
#include "lib/utils.h"
#include "options.h"

static const struct nook_option prune_options[] = {
  { "all", 'a', 0, 1, "", "every image no sandbox uses, not only those without a name" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
prune_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
             struct nook_error *err)
{
  *(bool *)parser->cmd = true;
  return 0;
}

static const struct nook_option_group prune_group = { "Options", prune_options, prune_apply, NULL };
static const struct nook_option_group *const prune_groups[] = { &prune_group, NULL };

const struct nook_command nook_image_prune_command = {
  .name = "image prune",
  .synopsis = "nook image prune [-a|--all]",
  .summary = "Removes the images that have no name (--all: every image no sandbox uses), then the layers and "
             "blobs no image has, and what killed loads left behind.",
  .groups = prune_groups,
  .interspersed = true,
  .opts_size = sizeof (bool),
};

const struct nook_command nook_image_inspect_command = {
  .name = "image inspect",
  .synopsis = "nook image inspect IMAGE...",
  .summary
  = "Prints a JSON array of the images' descriptions (podman's fields: Id, RepoTags, Config, RootFS, "
    "Size...).",
  .interspersed = true,
};

const struct nook_command nook_image_cli_command = {
  .name = "image",
  .synopsis = "nook image ls|rm|prune|inspect|import|load [ARGS]",
  .summary
  = "Manages images: ls (nook images), rm (nook rmi), prune, inspect, import (nook import), load (nook "
    "load); see nook image COMMAND --help.",
};

static int
open_locked (struct nook_images *s, int how, struct nook_error *err)
{
  if (nook_images_open (s, err) < 0 || nook_images_lock (s, how, err) < 0)
    {
      nook_images_close (s);
      return -1;
    }
  return 0;
}

/* Removes images with no name (--all: every image) that no sandbox uses,
   then every layer and blob no image has, and leftovers of killed loads.  */
static int
prune (int argc, char **argv, struct nook_error *err)
{
  struct nook_images s;
  struct nook_image *imgs = NULL;
  cleanup_strv char **layers = NULL;
  bool all = false;
  uint64_t freed = 0;
  char human[32];
  size_t n = 0;
  int r = 0;

  int first = nook_command_parse (&nook_image_prune_command, argc, argv, NULL, &all, err);

  if (first <= 0)
    return first;
  if (nook_cli_operands (&nook_image_prune_command, argc, first, 0, 0, err) < 0)
    return -1;
  if (open_locked (&s, LOCK_EX, err) < 0)
    return -1;
  nook_images_list (&s, &imgs, &n, err);
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      cleanup_strv char **users = NULL;
      if (!all && imgs[i].names && imgs[i].names[0])
        continue;
      if ((r = nook_image_users (&s, imgs[i].id, &users, err)) == 0 && users == NULL
          && (r = nook_images_forget (&s, imgs[i].id, err)) == 0)
        printf ("Deleted: %s\n", imgs[i].id + 7);
    }
  nook_image_list_free (imgs, n);
  if (r == 0)
    r = nook_images_prune (&s, &freed, &layers, err);
  nook_images_close (&s);
  if (r < 0)
    return -1;
  nook_cli_human_size (freed, human, sizeof human);
  printf ("Removed %zu layer%s, freed %s\n", strv_len (layers), strv_len (layers) == 1 ? "" : "s", human);
  return 0;
}

static int
inspect (int argc, char **argv, struct nook_error *err)
{
  struct nook_images s;
  json_object *arr;
  int i = nook_command_parse (&nook_image_inspect_command, argc, argv, NULL, NULL, err);

  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_image_inspect_command, argc, i, 1, -1, err) < 0)
    return -1;
  if (open_locked (&s, LOCK_SH, err) < 0)
    return -1;
  arr = json_object_new_array ();
  for (; i < argc; i++)
    {
      struct nook_error one = { 0 };
      struct nook_image img;
      json_object *doc = NULL;
      if (nook_images_find (&s, argv[i], &img, &one) == 0)
        {
          doc = nook_image_inspect (&s, &img, &one);
          nook_image_release (&img);
        }
      if (doc == NULL)
        nook_cli_error_add (err, &one);
      else
        json_object_array_add (arr, doc);
    }
  nook_images_close (&s);
  printf ("%s\n",
          json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return err->msg ? -1 : 0;
}

int
nook_cmd_image (int argc, char **argv, struct nook_error *err)
{
  int i = nook_command_parse (&nook_image_cli_command, argc, argv, NULL, NULL, err);
  const char *sub;

  if (i <= 0)
    return i;
  if (i >= argc)
    return nook_error_set (err, 0, "image: no command given (usage: %s)", nook_image_cli_command.synopsis);
  argc -= i, argv += i, sub = argv[0];
  if (strcmp (sub, "ls") == 0 || strcmp (sub, "list") == 0)
    return nook_cmd_images (argc, argv, err);
  if (strcmp (sub, "rm") == 0)
    return nook_cmd_rmi (argc, argv, err);
  if (strcmp (sub, "import") == 0)
    return nook_cmd_import (argc, argv, err);
  if (strcmp (sub, "load") == 0)
    return nook_cmd_load (argc, argv, err);
  if (strcmp (sub, "prune") == 0)
    return prune (argc, argv, err);
  if (strcmp (sub, "inspect") == 0)
    return inspect (argc, argv, err);
  return nook_error_set (err, 0, "image: unknown command `%s` (ls, rm, prune, inspect, import or load)", sub);
}
