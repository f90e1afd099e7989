/* nook load [-i] ARCHIVE [NAME]  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/image-load.h"
#include "lib/utils.h"
#include "options.h"

static const struct nook_option load_options[] = {
  { "input", 'i', 1, 1, "ARCHIVE", "the archive (podman's spelling; the same as the ARCHIVE operand)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
load_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
            struct nook_error *err)
{
  *(const char **)parser->cmd = val[0];
  return 0;
}

static const struct nook_option_group load_group = { "Options", load_options, load_apply, NULL };
static const struct nook_option_group *const load_groups[] = { &load_group, NULL };

const struct nook_command nook_load_command = {
  .name = "load",
  .synopsis = "nook load [-i] ARCHIVE [NAME]",
  .summary
  = "Stores the images of a `docker save` archive or of an OCI image layout (a directory, or a tar of "
    "one), every blob checked against its digest.  NAME names the image (default: the names the "
    "archive gives).  Prints one line per image: Loaded image: NAME or ID.",
  .groups = load_groups,
  .interspersed = true,
  .opts_size = sizeof (const char *),
};

int
nook_cmd_load (int argc, char **argv, struct nook_error *err)
{
  struct nook_images s;
  cleanup_strv char **ids = NULL, **names = NULL;
  const char *input = NULL, *args[2] = { NULL, NULL };
  size_t n = 0;
  int i, r;

  i = nook_command_parse (&nook_load_command, argc, argv, NULL, &input, err);
  if (i <= 0)
    return i;
  if (input)
    args[n++] = input;
  if (nook_cli_operands (&nook_load_command, argc, i, input ? 0 : 1, input ? 1 : 2, err) < 0)
    return -1;
  for (; i < argc; i++)
    args[n++] = argv[i];
  if (nook_images_open (&s, err) < 0)
    return -1;
  r = nook_image_load (&s, args[0], args[1], &ids, &names, err);
  nook_images_close (&s);
  if (r < 0)
    return -1;
  for (size_t k = 0; names && names[k]; k++)
    printf ("Loaded image: %s\n", names[k]);
  if (names == NULL)
    for (size_t k = 0; ids && ids[k]; k++)
      printf ("Loaded image: %s\n", ids[k]);
  return 0;
}
