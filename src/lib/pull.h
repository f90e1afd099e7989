/* nook: pulling images from a registry that speaks the OCI distribution API.
 *
 * libcurl is opened with dlopen on first use, as libarchive is: linked in, it
 * and its TLS and GSSAPI libraries would be mapped by every `nook run`.
 */
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
  void *data;
};

/* A reference split as the distribution API needs it.  */
struct nook_ref
{
  char *domain; /* as written: docker.io, localhost:5000 */
  char *host;   /* where to connect: registry-1.docker.io for docker.io */
  char *path;   /* library/busybox */
  char *tag;    /* NULL when pulled by digest */
  char *digest; /* NULL when pulled by tag */
};

/* Parses [DOMAIN/]PATH[:TAG][@DIGEST]: a first component with `.` or `:`,
   or `localhost`, is a registry; else docker.io (and library/ for one
   component).  */
int nook_ref_parse (const char *ref, struct nook_ref *r, struct nook_error *err);
void nook_ref_release (struct nook_ref *r);

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
