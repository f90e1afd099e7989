/* nook: image layers and image archives, read with libarchive.
 *
 * Unpacking runs as the caller, on the host, with no privilege: every file
 * is owned by the caller (root inside a sandbox with the default id map).
 * The archive's entries are hostile: libarchive's ARCHIVE_EXTRACT_SECURE_*
 * checks and nook's own (no absolute name, no `..`, whiteouts created
 * through a parent opened with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS) keep
 * every write inside the target directory.
 */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "layer.h"
#include "utils.h"

/* ---- libarchive, opened on first use ----------------------------------------- */

#define ARCHIVE_FUNCS(X)                                                                                     \
  X (archive_read_new)                                                                                       \
  X (archive_read_support_filter_all)                                                                        \
  X (archive_read_support_format_tar)                                                                        \
  X (archive_read_support_format_empty)                                                                      \
  X (archive_read_support_format_raw)                                                                        \
  X (archive_read_open_filename)                                                                             \
  X (archive_read_open)                                                                                      \
  X (archive_read_next_header)                                                                               \
  X (archive_read_data_block)                                                                                \
  X (archive_read_free)                                                                                      \
  X (archive_error_string)                                                                                   \
  X (archive_entry_pathname)                                                                                 \
  X (archive_entry_set_pathname)                                                                             \
  X (archive_entry_hardlink)                                                                                 \
  X (archive_entry_set_hardlink)                                                                             \
  X (archive_entry_filetype)                                                                                 \
  X (archive_entry_perm)                                                                                     \
  X (archive_entry_set_perm)                                                                                 \
  X (archive_entry_uid)                                                                                      \
  X (archive_entry_gid)                                                                                      \
  X (archive_entry_xattr_clear)                                                                              \
  X (archive_entry_xattr_add_entry)                                                                          \
  X (archive_write_disk_new)                                                                                 \
  X (archive_write_disk_set_options)                                                                         \
  X (archive_write_header)                                                                                   \
  X (archive_write_data_block)                                                                               \
  X (archive_write_finish_entry)                                                                             \
  X (archive_write_close)                                                                                    \
  X (archive_write_free)

static struct
{
#define X(f) __typeof__ (f) *f;
  ARCHIVE_FUNCS (X)
#undef X
} la;

static int
load_libarchive (struct nook_error *err)
{
  void *h;

  if (la.archive_read_new)
    return 0;
  h = dlopen ("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    {
      nook_error_set (err, 0, "cannot load libarchive.so.13 to read archives: %s", dlerror ());
      return nook_error_hint (err, "install the package libarchive13 (apt install libarchive13)");
    }
#define X(f)                                                                                                 \
  if ((la.f = (__typeof__ (f) *)dlsym (h, #f)) == NULL)                                                      \
    return nook_error_set (err, 0, "libarchive.so.13 lacks %s", #f);
  ARCHIVE_FUNCS (X)
#undef X
  return 0;
}

static void
archive_readp (struct archive **a)
{
  if (*a)
    la.archive_read_free (*a);
}
#define cleanup_archive_read __attribute__ ((cleanup (archive_readp)))

static void
archive_writep (struct archive **a)
{
  if (*a)
    la.archive_write_free (*a);
}
#define cleanup_archive_write __attribute__ ((cleanup (archive_writep)))

static struct archive *
open_reader (const char *path, bool raw, struct nook_error *err)
{
  struct archive *a = la.archive_read_new ();

  la.archive_read_support_filter_all (a);
  if (raw)
    la.archive_read_support_format_raw (a);
  else
    {
      la.archive_read_support_format_tar (a);
      la.archive_read_support_format_empty (a);
    }
  if (la.archive_read_open_filename (a, path, 1 << 16) != ARCHIVE_OK)
    {
      nook_error_set (err, 0, "`%s`: %s", path, la.archive_error_string (a));
      nook_error_hint (err, "a tar, uncompressed or compressed with gzip, zstd, xz or bzip2");
      la.archive_read_free (a);
      return NULL;
    }
  return a;
}

int
nook_archive_sha256 (const char *archive, char hex[65], struct nook_error *err)
{
  cleanup_archive_read struct archive *a = NULL;
  struct archive_entry *e;
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  int r;

  if (load_libarchive (err) < 0 || (a = open_reader (archive, true, err)) == NULL)
    return -1;
  sha256_init (&ctx);
  r = la.archive_read_next_header (a, &e);
  if (r == ARCHIVE_OK)
    for (;;)
      {
        const void *buf;
        size_t len;
        la_int64_t off;

        r = la.archive_read_data_block (a, &buf, &len, &off);
        if (r == ARCHIVE_EOF)
          break;
        if (r != ARCHIVE_OK)
          return nook_error_set (err, 0, "`%s`: %s", archive, la.archive_error_string (a));
        sha256_update (&ctx, len, buf);
      }
  else if (r != ARCHIVE_EOF)
    return nook_error_set (err, 0, "`%s`: %s", archive, la.archive_error_string (a));
  sha256_digest (&ctx, sizeof digest, digest);
  for (size_t i = 0; i < sizeof digest; i++)
    snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  return 0;
}

/* ---- names ----------------------------------------------------------------------- */

/* Normalises an entry's name in place ("./a//b/" -> "a/b"): "" is the
   archive's root.  Returns -1 for a name that leaves it: absolute, or with
   a `..` component.  */
static int
clean_name (char *name)
{
  char *out = name, *p = name;

  if (*name == '/')
    return -1;
  while (*p)
    {
      char *end = strchrnul (p, '/');
      size_t n = end - p;

      if (n == 2 && p[0] == '.' && p[1] == '.')
        return -1;
      if (n > 0 && !(n == 1 && p[0] == '.'))
        {
          if (out != name)
            *out++ = '/';
          memmove (out, p, n);
          out += n;
        }
      p = *end ? end + 1 : end;
    }
  *out = '\0';
  return 0;
}

static int
openat_beneath (int dirfd, const char *path, int flags)
{
  struct open_how how = { .flags = flags | O_CLOEXEC,
                          .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  return syscall (SYS_openat2, dirfd, *path ? path : ".", &how, sizeof how);
}

/* Opens the directory REL under ROOT, creating missing components (0755),
   never through a symlink.  */
static int
open_dir_beneath (int rootfd, const char *rel, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (rel);
  int fd = openat_beneath (rootfd, "", O_PATH | O_DIRECTORY);

  for (char *save = NULL, *c = strtok_r (copy, "/", &save); fd >= 0 && c; c = strtok_r (NULL, "/", &save))
    {
      int next;
      if (mkdirat (fd, c, 0755) < 0 && errno != EEXIST)
        {
          close (fd);
          return nook_error_errno (err, "create `%s`", rel);
        }
      next = openat_beneath (fd, c, O_PATH | O_DIRECTORY);
      close (fd);
      fd = next;
    }
  if (fd < 0)
    return nook_error_errno (err, "`%s` (a directory, not reached through a symlink)", rel);
  return fd;
}

/* ---- OCI whiteouts ------------------------------------------------------------- */

/* .wh.NAME deletes NAME of lower layers: overlayfs reads a 0/0 character
   device, which Linux 5.8+ lets an unprivileged user create.  .wh..wh..opq
   hides the lower layers' content of its directory: overlayfs in a user
   namespace (userxattr) reads user.overlay.opaque, and so does
   fuse-overlayfs.  Both keep kernel overlayfs usable: nook sends layers that
   still hold .wh. files to fuse-overlayfs.  */
static int
write_whiteout (int rootfd, char *name, struct nook_error *err)
{
  char *slash = strrchr (name, '/');
  const char *base = slash ? slash + 1 : name;
  cleanup_close int dfd = -1;

  if (slash)
    *slash = '\0';
  dfd = open_dir_beneath (rootfd, slash ? name : "", err);
  if (dfd < 0)
    return -1;
  if (strcmp (base, ".wh..wh..opq") == 0)
    {
      cleanup_free char *proc = xasprintf ("/proc/self/fd/%d", dfd);
      if (setxattr (proc, "user.overlay.opaque", "y", 1, 0) < 0)
        return nook_error_errno (err, "mark `%s` opaque", slash ? name : "/");
      return 0;
    }
  base += 4;
  if (*base == '\0' || strcmp (base, ".") == 0 || strcmp (base, "..") == 0)
    return nook_error_set (err, 0, "whiteout `%s/.wh.%s`: not a name", slash ? name : "", base);
  if (unlinkat (dfd, base, 0) < 0 && errno == EISDIR)
    unlinkat (dfd, base, AT_REMOVEDIR);
  if (mknodat (dfd, base, S_IFCHR | 0, makedev (0, 0)) < 0)
    return nook_error_errno (err, "whiteout `%s`", base);
  return 0;
}

/* ---- entries ------------------------------------------------------------------ */

/* Files are the caller's: set-id bits of another owner would make them
   the caller's set-id files, so they are dropped, and the archive's owner
   and mode kept in NOOK_OVERRIDE_STAT_XATTR (symlinks cannot hold user
   xattrs).  */
static void
apply_ownership (struct archive_entry *e)
{
  la_int64_t uid = la.archive_entry_uid (e), gid = la.archive_entry_gid (e);
  mode_t perm = la.archive_entry_perm (e), kept = perm;
  char value[64];

  la.archive_entry_xattr_clear (e);
  if (uid != 0)
    kept &= ~S_ISUID;
  if (gid != 0)
    kept &= ~S_ISGID;
  la.archive_entry_set_perm (e, kept);
  /* On every directory and file, root's too: fuse-overlayfs, once a
     layer's root has the xattr, reads it from each entry and fails one
     without it.  */
  if (la.archive_entry_filetype (e) != AE_IFDIR && la.archive_entry_filetype (e) != AE_IFREG)
    return;
  snprintf (value, sizeof value, "%lld:%lld:0%o", (long long)uid, (long long)gid, (unsigned)perm);
  la.archive_entry_xattr_add_entry (e, NOOK_OVERRIDE_STAT_XATTR, value, strlen (value));
}

static int
copy_data (struct archive *in, struct archive *out, const char *name, uint64_t *bytes, struct nook_error *err)
{
  for (;;)
    {
      const void *buf;
      size_t len;
      la_int64_t off;
      int r = la.archive_read_data_block (in, &buf, &len, &off);

      if (r == ARCHIVE_EOF)
        return 0;
      if (r != ARCHIVE_OK)
        return nook_error_set (err, 0, "read `%s`: %s", name, la.archive_error_string (in));
      if (la.archive_write_data_block (out, buf, len, off) != ARCHIVE_OK)
        return nook_error_set (err, 0, "write `%s`: %s", name, la.archive_error_string (out));
      *bytes += len;
    }
}

static int
write_entry (struct archive *in, struct archive *out, struct archive_entry *e, int rootfd,
             enum nook_unpack_mode mode, struct nook_unpack_stats *st, struct nook_error *err)
{
  cleanup_free char *name = xstrdup (la.archive_entry_pathname (e) ?: "");
  const char *link = la.archive_entry_hardlink (e), *base;
  unsigned type = la.archive_entry_filetype (e);

  if (clean_name (name) < 0)
    return nook_error_set (err, 0, "entry `%s` leaves the archive's root", la.archive_entry_pathname (e));
  if (*name == '\0')
    return 0;
  base = strrchr (name, '/') ? strrchr (name, '/') + 1 : name;
  if (mode == NOOK_UNPACK_LAYER && strncmp (base, ".wh.", 4) == 0)
    return write_whiteout (rootfd, name, err);
  if (link)
    {
      cleanup_free char *target = xstrdup (link);
      if (clean_name (target) < 0 || *target == '\0')
        return nook_error_set (err, 0, "hard link `%s` -> `%s` leaves the archive's root", name, link);
      la.archive_entry_set_hardlink (e, target);
    }
  else if (type == AE_IFCHR || type == AE_IFBLK)
    {
      st->skipped++;
      return 0;
    }
  la.archive_entry_set_pathname (e, name);
  if (mode == NOOK_UNPACK_LAYER)
    apply_ownership (e);
  else
    la.archive_entry_xattr_clear (e);
  if (la.archive_write_header (out, e) != ARCHIVE_OK)
    return nook_error_set (err, 0, "`%s`: %s", name, la.archive_error_string (out));
  if (copy_data (in, out, name, &st->bytes, err) < 0)
    return -1;
  if (la.archive_write_finish_entry (out) != ARCHIVE_OK)
    return nook_error_set (err, 0, "`%s`: %s", name, la.archive_error_string (out));
  st->entries++;
  return 0;
}

static int
unpack_entries (struct archive *in, struct archive *out, int rootfd, enum nook_unpack_mode mode,
                struct nook_unpack_stats *st, struct nook_error *err)
{
  for (;;)
    {
      struct archive_entry *e;
      int r = la.archive_read_next_header (in, &e);

      if (r == ARCHIVE_EOF)
        break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN)
        return nook_error_set (err, 0, "%s", la.archive_error_string (in));
      if (write_entry (in, out, e, rootfd, mode, st, err) < 0)
        return -1;
    }
  /* Directories' modes and times are set last, at close.  */
  if (la.archive_write_close (out) != ARCHIVE_OK)
    return nook_error_set (err, 0, "%s", la.archive_error_string (out));
  return 0;
}

/* A layer's tar read through a second reader that only decompresses, so
   that the tar stream is hashed (the diff_id) as it is unpacked: one pass
   over the layer instead of two.  */
struct chain
{
  struct archive *raw;
  struct sha256_ctx sha;
  bool empty;  /* the file has no data at all */
  char *error; /* the decompressor's, when it failed */
};

static la_ssize_t
chain_read (struct archive *a, void *data, const void **buf)
{
  struct chain *c = data;
  size_t len;
  la_int64_t off;
  int r = c->empty ? ARCHIVE_EOF : la.archive_read_data_block (c->raw, buf, &len, &off);

  if (r == ARCHIVE_EOF)
    return 0;
  if (r != ARCHIVE_OK)
    {
      free (c->error);
      c->error = xstrdup (la.archive_error_string (c->raw) ?: "decompression failed");
      return -1;
    }
  sha256_update (&c->sha, len, *buf);
  return len;
}

static int unpack_from (struct archive *in, const char *archive, const char *dir, enum nook_unpack_mode mode,
                        struct nook_unpack_stats *stats, struct nook_error *err);

int
nook_unpack_hashed (const char *archive, const char *dir, enum nook_unpack_mode mode,
                    struct nook_unpack_stats *stats, char hex[65], struct nook_error *err)
{
  cleanup_archive_read struct archive *in = NULL;
  struct chain c = { 0 };
  struct archive_entry *e;
  uint8_t digest[SHA256_DIGEST_SIZE];
  const void *buf;
  la_ssize_t n;
  int r = -1;

  if (load_libarchive (err) < 0 || (c.raw = open_reader (archive, true, err)) == NULL)
    return -1;
  sha256_init (&c.sha);
  r = la.archive_read_next_header (c.raw, &e);
  if (r != ARCHIVE_OK && r != ARCHIVE_EOF)
    {
      nook_error_set (err, 0, "`%s`: %s", archive, la.archive_error_string (c.raw));
      goto out;
    }
  c.empty = r == ARCHIVE_EOF;
  r = -1;
  in = la.archive_read_new ();
  la.archive_read_support_format_tar (in);
  la.archive_read_support_format_empty (in);
  if (la.archive_read_open (in, &c, NULL, chain_read, NULL) != ARCHIVE_OK)
    {
      nook_error_set (err, 0, "`%s`: %s", archive, c.error ?: la.archive_error_string (in));
      goto out;
    }
  if (unpack_from (in, archive, dir, mode, stats, err) < 0)
    goto out;
  /* What follows the tar's end (its padding) is part of the diff_id.  */
  while ((n = chain_read (NULL, &c, &buf)) > 0)
    ;
  if (n < 0)
    {
      nook_error_set (err, 0, "`%s`: %s", archive, c.error);
      goto out;
    }
  sha256_digest (&c.sha, sizeof digest, digest);
  for (size_t i = 0; i < sizeof digest; i++)
    snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  r = 0;
out:
  la.archive_read_free (c.raw);
  free (c.error);
  return r;
}

int
nook_unpack (const char *archive, const char *dir, enum nook_unpack_mode mode,
             struct nook_unpack_stats *stats, struct nook_error *err)
{
  cleanup_archive_read struct archive *in = NULL;

  if (load_libarchive (err) < 0)
    return -1;
  if ((in = open_reader (archive, false, err)) == NULL)
    return -1;
  return unpack_from (in, archive, dir, mode, stats, err);
}

static int
unpack_from (struct archive *in, const char *archive, const char *dir, enum nook_unpack_mode mode,
             struct nook_unpack_stats *stats, struct nook_error *err)
{
  cleanup_archive_write struct archive *out = NULL;
  cleanup_close int rootfd = -1, cwd = -1;
  struct nook_unpack_stats st = { 0 };
  int r;

  rootfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  cwd = open (".", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0 || cwd < 0)
    return nook_error_errno (err, "unpack into `%s`", dir);
  out = la.archive_write_disk_new ();
  /* No ARCHIVE_EXTRACT_OWNER: the caller owns every file.  XATTR writes
     only what apply_ownership left in the entry.  No ARCHIVE_EXTRACT_UNLINK:
     with it SECURE_SYMLINKS removes a symlink in the way instead of
     refusing the archive.  */
  la.archive_write_disk_set_options (out, ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_XATTR
                                              | ARCHIVE_EXTRACT_SECURE_SYMLINKS
                                              | ARCHIVE_EXTRACT_SECURE_NODOTDOT
                                              | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
  /* archive_write_disk writes relative to the working directory.  */
  if (fchdir (rootfd) < 0)
    return nook_error_errno (err, "unpack into `%s`", dir);
  r = unpack_entries (in, out, rootfd, mode, &st, err);
  if (fchdir (cwd) < 0 && r == 0)
    r = nook_error_errno (err, "return to the working directory");
  if (r < 0)
    return nook_error_wrap (err, "unpack `%s`", archive);
  if (stats)
    *stats = st;
  return 0;
}
