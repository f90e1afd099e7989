/* nook: images in and out of the store: import, load, inspect, and the
 * image as a front end of struct nook_spec (nook run --image).
 */
#ifndef NOOK_IMAGE_H
#define NOOK_IMAGE_H

#include <json-c/json.h>

#include "error.h"
#include "imgstore.h"

struct nook_spec;
struct nook_image_spec;

/**
 * nook_image_config - an image's config document
 * @s: the open image store, with its lock held
 * @img: the image; only read
 * @err: set on failure
 *
 * Return: the config (a new reference the caller puts), or NULL with @err
 * set when its blob is missing or not JSON.
 */
json_object *nook_image_config (struct nook_images *s, const struct nook_image *img, struct nook_error *err);

/**
 * nook_image_inspect - podman's `image inspect` document of an image
 * @s: the open image store, with its lock held
 * @img: the image; only read
 * @err: set on failure
 *
 * Return: a new object the caller puts, or NULL with @err set when the
 * image's config cannot be read.
 */
json_object *nook_image_inspect (struct nook_images *s, const struct nook_image *img, struct nook_error *err);

/**
 * nook_image_users - the sandboxes that use an image
 * @s: the open image store
 * @id: the image's id
 * @users: gets the ids of sandboxes (running or being set up) whose
 *         --image names it, a vector the caller frees (NULL for none)
 * @err: set on failure
 *
 * A sandbox whose state cannot be read is passed over.
 *
 * Return: 0, or -1 with @err set when the sandboxes cannot be listed.
 */
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

/**
 * nook_image_command - the command of a run with an image
 * @spec: gives the image's Entrypoint and Cmd; only read
 * @args: the command given after the options, or NULL
 * @argv: gets Entrypoint, then @args or else Cmd: a vector the caller frees
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set (and a hint) when that is empty.
 */
int nook_image_command (const struct nook_spec *spec, char *const *args, char ***argv,
                        struct nook_error *err);

/**
 * nook_image_state_json - what a sandbox's state records of its image
 * @image: only read
 *
 * Return: {"ref", "id", "upper"} (upper: its own upper's directory, or
 * null), a new object; NULL when the run has no image.
 */
json_object *nook_image_state_json (const struct nook_image_spec *image);

/* What the image store holds, as `nook system df` shows it.  */
struct nook_images_usage
{
  size_t images, images_active; /* active: used by a sandbox */
  uint64_t images_size, images_reclaimable;
  size_t layers, layers_active;
  uint64_t layers_size, layers_reclaimable; /* reclaimable: in no image */
};

/**
 * nook_images_usage - the image store's disk use
 * @s: the open store, locked (LOCK_SH at least)
 * @u: filled
 * @err: set on failure
 *
 * An image's size counts each of its layers that no image before it has
 * counted; it is reclaimable when no sandbox uses it.  A layer is
 * reclaimable when no image lists it.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_images_usage (struct nook_images *s, struct nook_images_usage *u, struct nook_error *err);

#endif
