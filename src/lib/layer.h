/* nook: image layers and image archives, read with libarchive.
 *
 * libarchive is opened with dlopen on first use: linked in, it and what it
 * pulls (libxml2, ICU, libstdc++) would be mapped by every `nook run`.
 */
#ifndef NOOK_LAYER_H
#define NOOK_LAYER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

enum nook_unpack_mode
{
  /* An image layer: OCI whiteouts become what overlayfs reads (a 0/0
     character device for .wh.NAME, user.overlay.opaque for .wh..wh..opq).  */
  NOOK_UNPACK_LAYER,
  /* An archive of an image (docker save, an OCI layout): names are kept.  */
  NOOK_UNPACK_PLAIN,
};

/* What an unpack wrote.  */
struct nook_unpack_stats
{
  uint64_t bytes;   /* regular file contents */
  uint64_t entries; /* entries written */
  uint64_t skipped; /* device nodes, which an unprivileged user cannot make */
};

/* The xattr that keeps an entry's owner and mode from the archive when they
   differ from what the file on disk has (the caller's ids; set-id bits of
   other owners dropped), in the format fuse-overlayfs and containers/storage
   read: "UID:GID:0MODE".  */
#define NOOK_OVERRIDE_STAT_XATTR "user.containers.override_stat"

/**
 * nook_unpack - unpack an archive (tar, optionally compressed) into a directory
 * @archive: the archive's path
 * @dir: an existing, empty directory that nothing else writes
 * @mode: how to read whiteouts
 * @stats: filled with counts (may be NULL)
 * @err: filled on failure
 *
 * Entries are hostile data: an absolute name, a `..` component, a hard link
 * outside @dir or an entry reached through a symlink is refused, and the
 * whole archive with it.  Files are owned by the caller; xattrs in the
 * archive are not restored (user.overlay.* could forge overlay metadata).
 *
 * Return: 0, or -1 with @err set (@dir may then hold part of the archive).
 */
int nook_unpack (const char *archive, const char *dir, enum nook_unpack_mode mode,
                 struct nook_unpack_stats *stats, struct nook_error *err);

/**
 * nook_unpack_hashed - nook_unpack, hashing the decompressed stream
 * @archive: the archive's path
 * @dir: as nook_unpack
 * @mode: as nook_unpack
 * @stats: as nook_unpack
 * @hex: filled with the sha256 of the decompressed stream (64 hex digits),
 *       the layer's diff_id, as nook_archive_sha256 gives it
 * @err: filled on failure
 *
 * One pass over the layer instead of two.
 *
 * Return: 0, or -1 with @err set (@dir may then hold part of the archive).
 */
int nook_unpack_hashed (const char *archive, const char *dir, enum nook_unpack_mode mode,
                        struct nook_unpack_stats *stats, char hex[65], struct nook_error *err);

/**
 * nook_archive_sha256 - the sha256 of an archive's decompressed stream
 * @archive: the archive's path (gzip, zstd, xz, bzip2 or uncompressed)
 * @hex: filled with 64 lowercase hex digits
 * @err: filled on failure
 *
 * An OCI layer's diff_id: what identifies a layer whatever its compression.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_archive_sha256 (const char *archive, char hex[65], struct nook_error *err);

/* Whose files are whose in a layer being packed: files of the caller are
   written as owned by UID:GID (the ids the caller maps to inside).  */
struct nook_pack_ids
{
  uid_t caller_uid;
  gid_t caller_gid;
  uid_t uid;
  gid_t gid;
  /* A file of another owner is an error (EPERM): on the host, such a file
     of an upper is a subordinate id, packed from a mapped namespace.  */
  bool callers_only;
};

/**
 * nook_pack_layer - a directory as an OCI layer tar (layer-pack.c)
 * @dir: an overlay upper or a stored layer
 * @ids: how owners are written
 * @out: the tar to create (must not exist)
 * @diff_id: filled with its sha256, "sha256:HEX"
 * @size: filled with its size (may be NULL)
 * @err: set on failure
 *
 * Canonical: entries sorted, whole-second times, no xattrs, so the same
 * tree gives the same tar.  Whiteouts and opaque directories of overlayfs
 * become OCI's `.wh.` entries; user.containers.override_stat gives an
 * entry's owner and mode.  Sockets and device nodes are left out.
 *
 * Return: 0, or -1 with @err set (@out may then hold part of the tar).
 */
int nook_pack_layer (const char *dir, const struct nook_pack_ids *ids, const char *out, char diff_id[72],
                     uint64_t *size, struct nook_error *err);

/**
 * nook_gzip_file - compress a file with gzip, through libarchive
 * @in: the file
 * @out: the gzip file to create (must not exist)
 * @digest: filled with the sha256 of @out, "sha256:HEX"
 * @size: filled with the size of @out (may be NULL)
 * @err: set on failure
 *
 * No time in the header: the same input gives the same blob.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_gzip_file (const char *in, const char *out, char digest[72], uint64_t *size, struct nook_error *err);

#endif
