/* nook image ls|rm|prune|inspect|import|load ...  */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "cmd.h"
#include "lib/image.h"
#include "lib/utils.h"

#define IMAGE_USAGE "nook image ls|rm|prune|inspect|import|load [ARGS]"
#define PRUNE_USAGE "nook image prune [-a|--all]"
#define INSPECT_USAGE "nook image inspect IMAGE..."

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
prune (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_images s;
  struct nook_image *imgs = NULL;
  cleanup_strv char **layers = NULL;
  bool all = false;
  uint64_t freed = 0;
  char human[32];
  size_t n = 0;
  int r = 0;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "-a") == 0 || strcmp (argv[i], "--all") == 0)
      all = true;
    else if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
      {
        printf ("Usage: %s\n\nRemoves the images that have no name (--all: every image no sandbox uses), "
                "then the\nlayers and blobs no image has, and what killed loads left behind.\n",
                PRUNE_USAGE);
        return 0;
      }
    else
      return nook_cli_bad_option ("image prune", PRUNE_USAGE, argv[i]);
  if (open_locked (&s, LOCK_EX, &err) < 0)
    return nook_error_report (&err);
  nook_images_list (&s, &imgs, &n, &err);
  for (size_t i = 0; r == 0 && i < n; i++)
    {
      cleanup_strv char **users = NULL;
      if (!all && imgs[i].names && imgs[i].names[0])
        continue;
      if ((r = nook_image_users (&s, imgs[i].id, &users, &err)) == 0 && users == NULL
          && (r = nook_images_forget (&s, imgs[i].id, &err)) == 0)
        printf ("Deleted: %s\n", imgs[i].id + 7);
    }
  nook_image_list_free (imgs, n);
  if (r == 0)
    r = nook_images_prune (&s, &freed, &layers, &err);
  nook_images_close (&s);
  if (r < 0)
    return nook_error_report (&err);
  nook_cli_human_size (freed, human, sizeof human);
  printf ("Removed %zu layer%s, freed %s\n", strv_len (layers), strv_len (layers) == 1 ? "" : "s", human);
  return 0;
}

static int
inspect (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_images s;
  json_object *arr;
  int status = 0;

  if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: %s\n\nPrints a JSON array of the images' descriptions (podman's fields: Id, RepoTags, "
              "Config,\nRootFS, Size...).\n",
              INSPECT_USAGE);
      return 0;
    }
  if (argc < 2)
    return nook_cli_usage_error ("image inspect", INSPECT_USAGE);
  if (open_locked (&s, LOCK_SH, &err) < 0)
    return nook_error_report (&err);
  arr = json_object_new_array ();
  for (int i = 1; i < argc; i++)
    {
      struct nook_image img;
      json_object *doc = NULL;
      if (nook_images_find (&s, argv[i], &img, &err) == 0)
        {
          doc = nook_image_inspect (&s, &img, &err);
          nook_image_release (&img);
        }
      if (doc == NULL)
        status = nook_error_report (&err);
      else
        json_object_array_add (arr, doc);
    }
  nook_images_close (&s);
  printf ("%s\n",
          json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (arr);
  return status;
}

int
nook_cmd_image (int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : "";

  if (strcmp (sub, "ls") == 0 || strcmp (sub, "list") == 0)
    return nook_cmd_images (argc - 1, argv + 1);
  if (strcmp (sub, "rm") == 0)
    return nook_cmd_rmi (argc - 1, argv + 1);
  if (strcmp (sub, "import") == 0)
    return nook_cmd_import (argc - 1, argv + 1);
  if (strcmp (sub, "load") == 0)
    return nook_cmd_load (argc - 1, argv + 1);
  if (strcmp (sub, "prune") == 0)
    return prune (argc - 1, argv + 1);
  if (strcmp (sub, "inspect") == 0)
    return inspect (argc - 1, argv + 1);
  if (strcmp (sub, "--help") == 0 || strcmp (sub, "-h") == 0)
    {
      printf ("Usage: %s\n\n  ls       list images (nook images)\n  rm       remove images (nook rmi)\n"
              "  prune    remove unnamed images and unused layers\n  inspect  describe images as JSON\n"
              "  import   store a root filesystem tarball (nook import)\n"
              "  load     store a docker save archive or an OCI layout (nook load)\n",
              IMAGE_USAGE);
      return 0;
    }
  return nook_cli_usage_error ("image", IMAGE_USAGE);
}
