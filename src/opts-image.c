/* Options of `nook run`: an image as the root (--image).  */
#include <config.h>

#include "lib/image.h"
#include "options.h"

enum
{
  OPT_IMAGE = 1,
};

static const struct nook_option image_options[] = {
  { "image", 0, 1, OPT_IMAGE, "IMAGE",
    "an image of the store as the root: its layers, Env, WorkingDir, User, Entrypoint and Cmd" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
image_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
             struct nook_error *err)
{
  if (nook_image_apply (spec, val[0], err) < 0)
    return -1;
  /* A --layer after --image adds to the stack the image's layers are in.  */
  for (size_t i = spec->n_mounts; i-- > 0;)
    if (spec->mounts[i].kind == NOOK_MNT_OVERLAY && spec->mounts[i].dest == NULL)
      {
        parser->layers_op = i + 1;
        break;
      }
  return 0;
}

static int
image_check (const struct nook_spec *spec, const struct nook_parser *parser, struct nook_error *err)
{
  if (spec->image.ref && spec->rootfs)
    return nook_error_set (err, 0, "--image and --rootfs both make the root: give one");
  return 0;
}

const struct nook_option_group nook_image_options = {
  "Image",
  image_options,
  image_apply,
  image_check,
};
