/* nook commit SANDBOX [IMAGE]  */
#include <config.h>

#include <stdio.h>

#include "cmd.h"
#include "lib/image-commit.h"
#include "options.h"

const struct nook_command nook_commit_command = {
  .name = "commit",
  .synopsis = "nook commit SANDBOX [IMAGE]",
  .summary = "Makes a new image of a sandbox's changes on top of the image it was run from; prints its id.",
  .interspersed = true,
  .epilog = "SANDBOX: a sandbox run from an image, running (pause it for a consistent layer) or kept\n"
            "(nook run --keep, or -d). IMAGE: the new image's name (:latest when no tag).",
};

int
nook_cmd_commit (int argc, char **argv, struct nook_error *err)
{
  char id[NOOK_DIGEST_LEN + 1];
  int i = nook_command_parse (&nook_commit_command, argc, argv, NULL, NULL, err);

  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_commit_command, argc, i, 1, 2, err) < 0)
    return -1;
  if (nook_image_commit (argv[i], i + 1 < argc ? argv[i + 1] : NULL, id, err) < 0)
    return -1;
  printf ("%s\n", id + 7);
  return fflush (stdout) == 0 ? 0 : NOOK_EXIT_ERROR;
}
