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
 *   uppers/X/upper            the changes of a sandbox run from an image
 *                             without --upper (and .upper.nook/, the
 *                             overlay's work directory); removed with the
 *                             sandbox's state
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

struct sha256_ctx;

/**
 * nook_sha256_text - finish a SHA-256 as a digest string
 * @ctx: nettle's context, fed with the data; reset by the call
 * @out: gets "sha256:" and 64 hex digits
 */
void nook_sha256_text (struct sha256_ctx *ctx, char out[NOOK_DIGEST_LEN + 1]);

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

/**
 * nook_images_dir - the image store's directory
 * @err: set on failure
 *
 * Return: $XDG_DATA_HOME/nook or ~/.local/share/nook, which the caller
 * frees; NULL with @err set when neither is an absolute path.
 */
char *nook_images_dir (struct nook_error *err);

/**
 * nook_images_open - open the image store, creating it when missing
 * @s: filled; release with nook_images_close
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set when the store cannot be made or opened.
 */
int nook_images_open (struct nook_images *s, struct nook_error *err);

/**
 * nook_images_close - close the image store
 * @s: its lock is dropped and its fds closed
 */
void nook_images_close (struct nook_images *s);

/**
 * nook_images_lock - lock the store and read its index
 * @s: an open store; s->index holds images.json until the unlock
 * @how: LOCK_SH to read, LOCK_EX to change it
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set when flock failed or images.json cannot
 * be read.
 */
int nook_images_lock (struct nook_images *s, int how, struct nook_error *err);

/**
 * nook_images_unlock - drop the store's lock
 * @s: an open store; nothing happens when it is not locked
 */
void nook_images_unlock (struct nook_images *s);

/**
 * nook_digest_is_valid - whether a string is a "sha256:HEX" digest
 * @s: the string
 *
 * Return: true for a digest, which is then safe as a file name.
 */
bool nook_digest_is_valid (const char *s);

/**
 * nook_images_mktemp - a new directory under the store's tmp/
 * @s: an open store
 * @err: set on failure
 *
 * Return: its absolute path, which the caller frees (and removes), or
 * NULL with @err set.
 */
char *nook_images_mktemp (struct nook_images *s, struct nook_error *err);

/**
 * nook_rm_rf - remove a tree
 * @path: the tree; symlinks in it are removed, never followed
 *
 * Read-only directories (as layers hold) are made writable first.
 *
 * Return: 0 (also when @path does not exist), or -1 with errno set.
 */
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
/**
 * nook_images_put_blob_mem - store a blob from memory, verified
 * @s: the store (not locked)
 * @data: the bytes
 * @len: how many
 * @expect: the digest they must have, or NULL to compute it
 * @digest: filled with their digest
 * @err: filled on failure
 *
 * As nook_images_put_blob.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_images_put_blob_mem (struct nook_images *s, const void *data, size_t len, const char *expect,
                              char digest[NOOK_DIGEST_LEN + 1], struct nook_error *err);
/**
 * nook_images_blob_path - where a blob is stored
 * @s: an open store
 * @digest: the blob's digest, already checked with nook_digest_is_valid
 *
 * Return: the absolute path blobs/sha256/HEX, which the caller frees.
 */
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
/**
 * nook_images_layer_path - where a layer's files are stored
 * @s: an open store
 * @diff_id: the layer's diff_id, already checked
 *
 * Return: the absolute path layers/HEX/root, which the caller frees.
 */
char *nook_images_layer_path (struct nook_images *s, const char *diff_id);

/**
 * nook_images_layer_size - the bytes of a stored layer's files
 * @s: an open store
 * @diff_id: the layer's diff_id, already checked
 *
 * Return: the size recorded when the layer was unpacked; 0 when none was.
 */
uint64_t nook_images_layer_size (struct nook_images *s, const char *diff_id);

/**
 * nook_images_record - record an image in the index
 * @s: the store, with LOCK_EX held
 * @id: the image's id (its config's digest)
 * @layers: its diff_ids, the lowest first; copied
 * @name: a name to give it, taken from any image that had it; or NULL
 * @err: set on failure
 *
 * An image already recorded gets @name added.
 *
 * Return: 0, or -1 with @err set when images.json cannot be written.
 */
int nook_images_record (struct nook_images *s, const char *id, char *const *layers, const char *name,
                        struct nook_error *err);
/**
 * nook_images_find - find an image a user named
 * @s: the store, with its lock held
 * @ref: a name (":latest" when no tag), an id, or a unique id prefix of
 *       at least 4 hex digits
 * @img: filled; release with nook_image_release
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set (with a hint) when @ref is unknown or
 * ambiguous.
 */
int nook_images_find (struct nook_images *s, const char *ref, struct nook_image *img, struct nook_error *err);
/**
 * nook_images_list - every image of the store
 * @s: the store, with its lock held
 * @imgs: gets the images, oldest first; free with nook_image_list_free
 * @n: gets how many
 * @err: set on failure
 *
 * A malformed entry of the index is passed over.
 *
 * Return: 0; never fails today (the error is for what may come).
 */
int nook_images_list (struct nook_images *s, struct nook_image **imgs, size_t *n, struct nook_error *err);
/**
 * nook_images_forget - remove an image's record
 * @s: the store, with LOCK_EX held
 * @id: the image's id
 * @err: set on failure
 *
 * Its layers and blobs stay, for nook_images_prune.
 *
 * Return: 0, or -1 with @err set when there is no such image or
 * images.json cannot be written.
 */
int nook_images_forget (struct nook_images *s, const char *id, struct nook_error *err);
/**
 * nook_images_prune - remove the layers and blobs no image refers to
 * @s: the store, with LOCK_EX held
 * @freed: gets the bytes freed
 * @removed: gets what was removed, a vector the caller frees
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set when the images cannot be listed.
 */
int nook_images_prune (struct nook_images *s, uint64_t *freed, char ***removed, struct nook_error *err);

/**
 * nook_images_upper_remove - remove a sandbox's own upper
 * @dir: uppers/X of the caller's store, as spec->image.own_upper or a
 *       sandbox's state names it; anything else is left alone
 */
void nook_images_upper_remove (const char *dir);

/**
 * nook_json_str - a string member of a JSON object
 * @o: the object, or NULL
 * @key: the member
 *
 * Return: the string, owned by @o, or NULL when it is missing or not a
 * string.
 */
const char *nook_json_str (json_object *o, const char *key);

/**
 * nook_json_strv - the strings of an array member of a JSON object
 * @o: the object, or NULL
 * @key: the member
 *
 * Return: a copy of its strings, a vector the caller frees; NULL when
 * there are none.
 */
char **nook_json_strv (json_object *o, const char *key);

/**
 * nook_image_release - free an image's names and layers
 * @img: zeroed
 */
void nook_image_release (struct nook_image *img);

/**
 * nook_image_list_free - free what nook_images_list returned
 * @imgs: the array, and each image's strings; may be NULL
 * @n: how many images it holds
 */
void nook_image_list_free (struct nook_image *imgs, size_t n);

/**
 * nook_image_name_normalize - check and complete an image name
 * @name: [a-z0-9] then [a-zA-Z0-9._/:@-], at most 255 characters, no `..`
 *        or `//`
 *
 * Return: @name with ":latest" added when it has no tag, which the caller
 * frees; NULL when it is not an acceptable name.
 */
char *nook_image_name_normalize (const char *name);

#endif
