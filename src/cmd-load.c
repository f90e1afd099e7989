/* nook load [-i] ARCHIVE [NAME]  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/image-load.h"
#include "lib/utils.h"

#define LOAD_USAGE "nook load [-i] ARCHIVE [NAME]"

int
nook_cmd_load (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_images s;
  cleanup_strv char **ids = NULL, **names = NULL;
  const char *args[2] = { NULL, NULL };
  size_t n = 0;
  int r;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          printf ("Usage: %s\n\nStores the images of a `docker save` archive or of an OCI image layout (a "
                  "directory, or a tar\nof one), every blob checked against its digest.  NAME names the "
                  "image (default: the\nnames the archive gives).  Prints one line per image: Loaded "
                  "image: NAME or ID.\n",
                  LOAD_USAGE);
          return 0;
        }
      /* -i / --input as podman spells it.  */
      if ((strcmp (argv[i], "-i") == 0 || strcmp (argv[i], "--input") == 0) && i + 1 < argc && n == 0)
        args[n++] = argv[++i];
      else if (argv[i][0] == '-' || n == 2)
        return nook_cli_usage_error ("load", LOAD_USAGE);
      else
        args[n++] = argv[i];
    }
  if (n == 0)
    return nook_cli_usage_error ("load", LOAD_USAGE);
  if (nook_images_open (&s, &err) < 0)
    return nook_error_report (&err);
  r = nook_image_load (&s, args[0], args[1], &ids, &names, &err);
  nook_images_close (&s);
  if (r < 0)
    return nook_error_report (&err);
  for (size_t i = 0; names && names[i]; i++)
    printf ("Loaded image: %s\n", names[i]);
  if (names == NULL)
    for (size_t i = 0; ids && ids[i]; i++)
      printf ("Loaded image: %s\n", ids[i]);
  return 0;
}
