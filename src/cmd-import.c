/* nook import TARBALL [NAME]  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/image-load.h"
#include "lib/utils.h"

#define IMPORT_USAGE "nook import TARBALL [NAME]"

int
nook_cmd_import (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_images s;
  char id[NOOK_DIGEST_LEN + 1];
  int r;

  if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf (
          "Usage: %s\n\nStores a root filesystem tarball (tar, optionally gzip, zstd, xz or bzip2) as an "
          "image of one layer,\nnamed NAME (default: no name; `latest` when NAME has no tag).  Prints the "
          "image's id.\n",
          IMPORT_USAGE);
      return 0;
    }
  if (argc < 2 || argc > 3 || argv[1][0] == '-')
    return nook_cli_usage_error ("import", IMPORT_USAGE);
  if (nook_images_open (&s, &err) < 0)
    return nook_error_report (&err);
  r = nook_image_import (&s, argv[1], argc == 3 ? argv[2] : NULL, id, &err);
  nook_images_close (&s);
  if (r < 0)
    return nook_error_report (&err);
  printf ("%s\n", id);
  return 0;
}
