/* Options of `nook run`: an image as the root (--image, --pull), and
   keeping a sandbox after its command (--keep).  */
#include <config.h>

#include <string.h>

#include "lib/image-run.h"
#include "lib/image.h"
#include "options.h"

enum
{
  OPT_IMAGE = 1,
  OPT_PULL,
  OPT_TLS_VERIFY,
  OPT_KEEP,
  OPT_PUBLISH_ALL,
};

static const struct nook_option image_options[] = {
  { "image", 0, 1, OPT_IMAGE, "IMAGE",
    "an image of the store as the root: its layers, Env, WorkingDir, User, Entrypoint and Cmd" },
  { "pull", 0, 1, OPT_PULL, "POLICY",
    "missing (default for nook run IMAGE), always or never: when to pull the image first" },
  { "tls-verify", 0, -1, OPT_TLS_VERIFY, "[=false]", "false: pull from a registry without valid TLS" },
  { "publish-all", 'P', 0, OPT_PUBLISH_ALL, "",
    "publish every port of the image's ExposedPorts on a free host port (needs --net)" },
  { "keep", 0, 0, OPT_KEEP, "",
    "keep the sandbox (and an image's upper) after the command ends, for nook diff and nook commit" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
pull_option (const char *val, struct nook_spec *spec, struct nook_error *err)
{
  static const char *const names[] = { "missing", "always", "never", NULL };

  for (int k = 0; names[k]; k++)
    if (strcmp (val, names[k]) == 0)
      {
        spec->image.pull = NOOK_PULL_MISSING + k;
        return 0;
      }
  return nook_error_set (err, 0, "--pull takes missing, always or never, not `%s`", val);
}

static int
image_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
             struct nook_error *err)
{
  switch (o->id)
    {
    case OPT_PULL:
      return pull_option (val[0], spec, err);
    case OPT_TLS_VERIFY:
      if (val[0] && strcmp (val[0], "true") != 0 && strcmp (val[0], "false") != 0)
        return nook_error_set (err, 0, "--tls-verify takes `true` or `false`, not `%s`", val[0]);
      spec->image.tls_verify_off = val[0] && strcmp (val[0], "false") == 0;
      return 0;
    case OPT_KEEP:
      spec->life.remove = 0;
      return 0;
    case OPT_PUBLISH_ALL:
      spec->image.publish_all = true;
      return 0;
    }
  /* --pull before --image applies to it; without, --image takes the store's.  */
  if (spec->image.pull ? nook_image_run_apply (spec, val[0], NULL, err) < 0
                       : nook_image_apply (spec, val[0], err) < 0)
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
