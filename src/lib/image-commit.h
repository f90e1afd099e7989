/* nook: a sandbox's layers, and its changes as an image (nook diff NAME,
 * nook commit).
 */
#ifndef NOOK_IMAGE_COMMIT_H
#define NOOK_IMAGE_COMMIT_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "imgstore.h"

/* The root's stack of a sandbox, as its state recorded it.  */
struct nook_sandbox_layers
{
  char *upper;    /* where its changes are */
  char **lowers;  /* its layers, the lowest first */
  char *image_id; /* the image it was run from, or NULL */
  char *label;    /* its name, else its id */
  uid_t uid;      /* the ids the caller was inside */
  gid_t gid;
  bool running;
};

/**
 * nook_sandbox_layers - the upper and layers of a sandbox
 * @ref: the sandbox's name, id or id prefix
 * @out: filled; release with nook_sandbox_layers_release
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set when there is no such sandbox or it
 * keeps no changes on disk (an ephemeral upper, or the default root).
 */
int nook_sandbox_layers (const char *ref, struct nook_sandbox_layers *out, struct nook_error *err);

/**
 * nook_sandbox_layers_release - free what nook_sandbox_layers filled
 * @l: zeroed
 */
void nook_sandbox_layers_release (struct nook_sandbox_layers *l);

/**
 * nook_image_commit - a sandbox's changes as a new image
 * @sandbox: a sandbox run from an image (running or kept)
 * @name: the new image's name (":latest" added), or NULL
 * @id: filled with the new image's id
 * @err: set on failure
 *
 * The upper is packed as one more layer (nook_pack_layer: whiteouts and
 * owners as OCI writes them), unpacked into the store, and put on top of
 * the image's layers, with the image's config (Env, Cmd...) and a history
 * entry.  A running sandbox is read as it is: pause it first (nook pause)
 * for a consistent layer.
 *
 * Return: 0, or -1 with @err set and no image recorded.
 */
int nook_image_commit (const char *sandbox, const char *name, char id[NOOK_DIGEST_LEN + 1],
                       struct nook_error *err);

#endif
