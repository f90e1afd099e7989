/* nook import TARBALL [NAME]  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/image-load.h"
#include "lib/utils.h"
#include "options.h"

const struct nook_command nook_import_command = {
  .name = "import",
  .synopsis = "nook import TARBALL [NAME]",
  .summary = "Stores a root filesystem tarball (tar, optionally gzip, zstd, xz or bzip2) as an image of one "
             "layer, named NAME (default: no name; `latest` when NAME has no tag).  Prints the image's id.",
  .interspersed = true,
};

int
nook_cmd_import (int argc, char **argv, struct nook_error *err)
{
  struct nook_images s;
  char id[NOOK_DIGEST_LEN + 1];
  int i, r;

  i = nook_command_parse (&nook_import_command, argc, argv, NULL, NULL, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_import_command, argc, i, 1, 2, err) < 0)
    return -1;
  if (nook_images_open (&s, err) < 0)
    return -1;
  r = nook_image_import (&s, argv[i], i + 1 < argc ? argv[i + 1] : NULL, id, err);
  nook_images_close (&s);
  if (r < 0)
    return -1;
  printf ("%s\n", id);
  return 0;
}
