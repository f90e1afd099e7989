/* nook: pushing images to a registry that speaks the OCI distribution API.  */
#ifndef NOOK_PUSH_H
#define NOOK_PUSH_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "imgstore.h"

struct nook_push_opts
{
  bool tls_verify; /* false: also a registry without valid TLS, or plain HTTP */
  /* Called after each blob is in the registry (may be NULL); CACHED: it
     was there already.  */
  void (*progress) (const char *digest, uint64_t bytes, bool cached, void *data);
  void *data;
};

/**
 * nook_push - push an image of the store to a registry
 * @s: the store (not locked)
 * @image: the image's name or id
 * @dest: REGISTRY/NAME[:TAG]
 * @opts: options
 * @id: filled with the id of the image as pushed (its config's digest)
 * @digest: filled with the digest of the manifest pushed
 * @err: set on failure
 *
 * Each layer is packed again from the store (canonical tar, gzip), each
 * blob sent unless the registry has it, then the manifest, with the
 * credentials of auth.json (Basic, or for a Bearer token with the push
 * scope).
 *
 * Return: 0, or -1 with @err set.
 */
int nook_push (struct nook_images *s, const char *image, const char *dest, const struct nook_push_opts *opts,
               char id[NOOK_DIGEST_LEN + 1], char digest[NOOK_DIGEST_LEN + 1], struct nook_error *err);

#endif
