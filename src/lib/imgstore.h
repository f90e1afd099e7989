/* nook: the content-addressed image store.
 *
 * Under $XDG_DATA_HOME/nook (default ~/.local/share/nook), 0700:
 *
 *   lock                      flock: LOCK_SH to read images.json and use
 *                             layers, LOCK_EX to change either
 *   images.json               every image: id, names, layers; replaced
 *                             atomically (write + rename)
 *   blobs/sha256/HEX          image configs and manifests, named by the
 *                             sha256 of their content (0444)
 *   layers/HEX/root/          a layer, unpacked once, named by its diff_id
 *                             (the sha256 of its uncompressed tar) and
 *                             shared by every image that has it
 *   layers/HEX/size           the bytes of its files
 *   tmp/                      work in progress: blobs are written and
 *                             verified here, layers unpacked here, then
 *                             renamed into place, so a half-written blob
 *                             or layer is never visible; cleared of
 *                             entries older than a day on open
 *
 * An image's id is the digest of its config, as in podman and docker.
 */
#ifndef NOOK_IMGSTORE_H
#define NOOK_IMGSTORE_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* "sha256:" and 64 lowercase hex digits.  */
#define NOOK_DIGEST_LEN 71

struct nook_images
{
  char *path;         /* the store's directory */
  int fd;             /* it, opened */
  int lockfd;         /* the lock file */
  int locked;         /* 0, LOCK_SH or LOCK_EX */
  json_object *index; /* images.json as last read under the lock */
};

/* One image, as images.json records it.  */
struct nook_image
{
  char id[NOOK_DIGEST_LEN + 1]; /* the config's digest */
  char **names;                 /* name:tag, each on one image only */
  char **layers;                /* diff_ids, the lowest first */
  int64_t created;              /* when it entered the store (Unix time) */
};

/* The store's directory: $XDG_DATA_HOME/nook or ~/.local/share/nook.  */
char *nook_images_dir (struct nook_error *err);

/* Opens (creating) the store.  */
int nook_images_open (struct nook_images *s, struct nook_error *err);
void nook_images_close (struct nook_images *s);
/* Takes the store's lock (LOCK_SH or LOCK_EX) and reads images.json.  */
int nook_images_lock (struct nook_images *s, int how, struct nook_error *err);
void nook_images_unlock (struct nook_images *s);

/* Whether S is a digest "sha256:HEX" (so safe as a file name).  */
bool nook_digest_is_valid (const char *s);

/* A new directory under tmp/ (malloc'd path).  */
char *nook_images_mktemp (struct nook_images *s, struct nook_error *err);
/* Removes a tree, making read-only directories writable first.  */
int nook_rm_rf (const char *path);

/**
 * nook_images_put_blob - store a blob, verified
 * @s: the store (not locked)
 * @src: the file to copy
 * @expect: the digest it must have, or NULL to compute it
 * @digest: filled with its digest
 * @err: filled on failure
 *
 * Copies @src to tmp/, hashing it, and renames it to blobs/sha256/HEX only
 * when the digest matches: a mismatch leaves nothing behind.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_images_put_blob (struct nook_images *s, const char *src, const char *expect,
                          char digest[NOOK_DIGEST_LEN + 1], struct nook_error *err);
/* The same for a blob in memory.  */
int nook_images_put_blob_mem (struct nook_images *s, const void *data, size_t len, const char *expect,
                              char digest[NOOK_DIGEST_LEN + 1], struct nook_error *err);
/* blobs/sha256/HEX (malloc'd absolute path).  */
char *nook_images_blob_path (struct nook_images *s, const char *digest);

/**
 * nook_images_put_layer - unpack a layer into the store once
 * @s: the store (not locked)
 * @archive: the layer's tar (compressed or not)
 * @expect_diff_id: the diff_id the image's config names, or NULL
 * @diff_id: filled with the layer's diff_id
 * @err: filled on failure
 *
 * A layer already in the store is not unpacked again.  Two callers that
 * race unpack it both, each in its own directory under tmp/; the first
 * rename wins and the other's copy is removed.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_images_put_layer (struct nook_images *s, const char *archive, const char *expect_diff_id,
                           char diff_id[NOOK_DIGEST_LEN + 1], struct nook_error *err);
/* layers/HEX/root (malloc'd absolute path).  */
char *nook_images_layer_path (struct nook_images *s, const char *diff_id);
/* The bytes of a stored layer's files.  */
uint64_t nook_images_layer_size (struct nook_images *s, const char *diff_id);

/* With the lock held: records an image (or adds NAME to it), and takes
   NAME (may be NULL) from any image that had it.  */
int nook_images_record (struct nook_images *s, const char *id, char *const *layers, const char *name,
                        struct nook_error *err);
/* With the lock held: finds an image by name (":latest" when no tag),
   id, or unique id prefix of at least 4 hex digits.  */
int nook_images_find (struct nook_images *s, const char *ref, struct nook_image *img, struct nook_error *err);
/* With the lock held: every image, oldest first.  */
int nook_images_list (struct nook_images *s, struct nook_image **imgs, size_t *n, struct nook_error *err);
/* With LOCK_EX: removes an image's record (its layers stay for prune).  */
int nook_images_forget (struct nook_images *s, const char *id, struct nook_error *err);
/* With LOCK_EX: removes layers and blobs no image refers to.  */
int nook_images_prune (struct nook_images *s, uint64_t *freed, char ***removed, struct nook_error *err);

/* KEY of O when it is a string (NULL otherwise).  */
const char *nook_json_str (json_object *o, const char *key);
/* The strings of the array KEY of O (NULL when none).  */
char **nook_json_strv (json_object *o, const char *key);

void nook_image_release (struct nook_image *img);
void nook_image_list_free (struct nook_image *imgs, size_t n);

/* Whether NAME is an acceptable image name: [a-z0-9] then [a-zA-Z0-9._/:@-],
   at most 255 characters, no `..` or `//`.  Returns it with ":latest"
   added when it has no tag (malloc'd), or NULL.  */
char *nook_image_name_normalize (const char *name);

#endif
