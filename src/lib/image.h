/* nook: images in and out of the store: import, load, inspect, and the
 * image as a front end of struct nook_spec (nook run --image).
 */
#ifndef NOOK_IMAGE_H
#define NOOK_IMAGE_H

#include <json-c/json.h>

#include "error.h"
#include "imgstore.h"

struct nook_spec;

/* With the lock held: the image's config (a new reference).  */
json_object *nook_image_config (struct nook_images *s, const struct nook_image *img, struct nook_error *err);

/* With the lock held: podman's `image inspect` document of IMG.  */
json_object *nook_image_inspect (struct nook_images *s, const struct nook_image *img, struct nook_error *err);

/* The ids of sandboxes (running or being set up) whose --image names the
   image ID.  */
int nook_image_users (struct nook_images *s, const char *id, char ***users, struct nook_error *err);

/**
 * nook_image_apply - fill a spec from an image (nook run --image)
 * @spec: the spec being parsed
 * @ref: the image's name or id
 * @err: filled on failure
 *
 * The image's layers become the lowest layers of the root's stack (a
 * --layer adds above them, --upper keeps the changes); its Env comes
 * before the options' --env, its WorkingDir and User apply unless
 * --chdir and --uid say otherwise; its Entrypoint and Cmd wait in
 * spec->image for the command line.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_image_apply (struct nook_spec *spec, const char *ref, struct nook_error *err);

/* The command of a run with an image: Entrypoint, then ARGS or else Cmd.
   An error when that is empty.  */
int nook_image_command (const struct nook_spec *spec, char *const *args, char ***argv,
                        struct nook_error *err);

#endif
