/* nook: pulling images from a registry that speaks the OCI distribution API.  */
#ifndef NOOK_PULL_H
#define NOOK_PULL_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "imgstore.h"

struct nook_pull_opts
{
  bool tls_verify; /* false: also accept a registry without valid TLS, or plain HTTP */
  /* Called after each blob is in place (may be NULL).  */
  void (*progress) (const char *digest, uint64_t bytes, bool cached, void *data);
  /* Called as a blob arrives (may be NULL): its bytes so far and its size
     (0 when not known).  */
  void (*transfer) (const char *digest, uint64_t now, uint64_t total, void *data);
  void *data;
};

/**
 * nook_pull - pull an image into the store
 * @s: the store (not locked)
 * @ref: the image reference
 * @opts: options
 * @id: filled with the image's id
 * @name: filled with the name it got (NULL for a pull by digest)
 * @err: filled on failure
 *
 * Blobs are downloaded into tmp/pull-HASH/, checked against their digests
 * as they arrive, then loaded as an OCI layout (nook_image_load checks them
 * again).  A pull that is killed leaves the blobs it completed there: the
 * next pull of the same reference starts from them.
 *
 * Return: 0, or -1 with @err set and the store as before.
 */
int nook_pull (struct nook_images *s, const char *ref, const struct nook_pull_opts *opts,
               char id[NOOK_DIGEST_LEN + 1], char **name, struct nook_error *err);

#endif
