/* nook: getting images into the store (nook import, nook load).  */
#ifndef NOOK_IMAGE_LOAD_H
#define NOOK_IMAGE_LOAD_H

#include <json-c/json.h>

#include "error.h"
#include "imgstore.h"

/**
 * nook_image_import - a root filesystem tarball as a one-layer image
 * @s: the store (not locked)
 * @tarball: a tar, compressed or not
 * @name: the image's name (may be NULL)
 * @id: filled with the image's id
 * @err: filled on failure
 *
 * Return: 0, or -1 with @err set and the store as before (but for a layer
 * that a later prune removes).
 */
int nook_image_import (struct nook_images *s, const char *tarball, const char *name,
                       char id[NOOK_DIGEST_LEN + 1], struct nook_error *err);

/**
 * nook_image_load - the images of a `docker save` archive or an OCI layout
 * @s: the store (not locked)
 * @path: a tar (docker save, OCI layout) or an OCI layout directory
 * @name: a name for the image (may be NULL: the archive's names)
 * @ids: filled with the loaded images' ids
 * @names: filled with the names given to them
 * @err: filled on failure
 *
 * Every blob is verified against its digest before it is used.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_image_load (struct nook_images *s, const char *path, const char *name, char ***ids, char ***names,
                     struct nook_error *err);

/**
 * nook_oci_choose_platform - the manifest of an index that fits this host
 * @manifests: the index's "manifests" array; only read
 *
 * Return: the entry for linux and this host's architecture (or one without
 * a platform), owned by @manifests; NULL when none fits.
 */
json_object *nook_oci_choose_platform (json_object *manifests);

#endif
