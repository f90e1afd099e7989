/* nook: layers out of directories, written with libarchive: a sandbox's
 * upper (nook commit) and a stored layer (nook push).
 *
 * The tar is canonical: entries sorted by name, times in whole seconds,
 * no xattrs, pax restricted format; so the same tree always gives the same
 * bytes, and a layer committed, unpacked into the store and packed again
 * for a push keeps its diff_id.  What overlayfs wrote is turned back into
 * OCI's forms: a 0/0 character device into `.wh.NAME`, an opaque directory
 * into `DIR/.wh..wh..opq`; an owner kept in user.containers.override_stat
 * is the entry's owner.
 */
#include <config.h>

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "diff.h"
#include "escape.h"
#include "imgstore.h"
#include "layer.h"
#include "utils.h"

#define PACK_FUNCS(X)                                                                                        \
  X (archive_write_new)                                                                                      \
  X (archive_write_set_format_pax_restricted)                                                                \
  X (archive_write_set_format_raw)                                                                           \
  X (archive_write_add_filter_gzip)                                                                          \
  X (archive_write_set_options)                                                                              \
  X (archive_write_set_bytes_in_last_block)                                                                  \
  X (archive_write_open)                                                                                     \
  X (archive_write_header)                                                                                   \
  X (archive_write_data)                                                                                     \
  X (archive_write_close)                                                                                    \
  X (archive_write_free)                                                                                     \
  X (archive_error_string)                                                                                   \
  X (archive_entry_new)                                                                                      \
  X (archive_entry_free)                                                                                     \
  X (archive_entry_set_pathname)                                                                             \
  X (archive_entry_set_filetype)                                                                             \
  X (archive_entry_set_perm)                                                                                 \
  X (archive_entry_set_uid)                                                                                  \
  X (archive_entry_set_gid)                                                                                  \
  X (archive_entry_set_size)                                                                                 \
  X (archive_entry_set_mtime)                                                                                \
  X (archive_entry_set_symlink)                                                                              \
  X (archive_entry_set_hardlink)

static struct
{
#define X(f) __typeof__ (f) *f;
  PACK_FUNCS (X)
#undef X
} lw;

static int
load (struct nook_error *err)
{
  void *h;

  if (lw.archive_write_new)
    return 0;
  h = dlopen ("libarchive.so.13", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    {
      nook_error_set (err, 0, "cannot load libarchive.so.13 to write a layer: %s", dlerror ());
      return nook_error_hint (err, "install the package libarchive13 (apt install libarchive13)");
    }
#define X(f)                                                                                                 \
  if ((lw.f = (__typeof__ (f) *)dlsym (h, #f)) == NULL)                                                      \
    return nook_error_set (err, 0, "libarchive.so.13 lacks %s", #f);
  PACK_FUNCS (X)
#undef X
  return 0;
}

/* Where the archive's bytes go: a file, hashed on the way.  */
struct sink
{
  int fd;
  struct sha256_ctx sha;
  uint64_t bytes;
};

static la_ssize_t
sink_write (struct archive *a, void *data, const void *buf, size_t len)
{
  struct sink *s = data;

  if (nook_write_all (s->fd, buf, len) < 0)
    return -1;
  sha256_update (&s->sha, len, buf);
  s->bytes += len;
  return len;
}

/* A hard link's first name, by device and inode.  */
struct links
{
  dev_t *dev;
  ino_t *ino;
  char **name;
  size_t n;
};

struct pack
{
  struct archive *a;
  const struct nook_pack_ids *ids;
  struct links links;
  struct nook_error *err;
};

static int
write_entry (struct pack *p, const char *name, mode_t type, mode_t perm, uid_t uid, gid_t gid, int64_t mtime,
             int64_t size, const char *symlink, const char *hardlink)
{
  struct archive_entry *e = lw.archive_entry_new ();
  int r;

  lw.archive_entry_set_pathname (e, name);
  lw.archive_entry_set_filetype (e, type);
  lw.archive_entry_set_perm (e, perm);
  lw.archive_entry_set_uid (e, uid);
  lw.archive_entry_set_gid (e, gid);
  lw.archive_entry_set_mtime (e, mtime, 0);
  lw.archive_entry_set_size (e, size);
  if (symlink)
    lw.archive_entry_set_symlink (e, symlink);
  if (hardlink)
    {
      lw.archive_entry_set_hardlink (e, hardlink);
      lw.archive_entry_set_size (e, 0);
    }
  r = lw.archive_write_header (p->a, e);
  lw.archive_entry_free (e);
  if (r < ARCHIVE_WARN)
    return nook_error_set (p->err, 0, "layer: `%s`: %s", name, lw.archive_error_string (p->a));
  return 0;
}

static int
copy_data (struct pack *p, int fd, const char *name)
{
  char buf[1 << 16];
  ssize_t n;

  while ((n = read (fd, buf, sizeof buf)) > 0)
    if (lw.archive_write_data (p->a, buf, n) < 0)
      return nook_error_set (p->err, 0, "layer: `%s`: %s", name, lw.archive_error_string (p->a));
  return n < 0 ? nook_error_errno (p->err, "layer: read `%s`", name) : 0;
}

/* The entry's owner and mode inside: user.containers.override_stat when the
   unpack kept one, else the caller's files are the ids the caller maps to.  */
static void
owner (struct pack *p, int fd, const struct stat *st, uid_t *uid, gid_t *gid, mode_t *perm)
{
  char v[64];
  ssize_t n = fd >= 0 ? fgetxattr (fd, NOOK_OVERRIDE_STAT_XATTR, v, sizeof v - 1) : -1;
  unsigned u, g, m;

  *perm = st->st_mode & 07777;
  *uid = st->st_uid == p->ids->caller_uid ? p->ids->uid : st->st_uid;
  *gid = st->st_gid == p->ids->caller_gid ? p->ids->gid : st->st_gid;
  /* Trusted only as the unpack left it: the caller's file, with the kept
     mode less the set-id bits of other owners.  A file changed since
     (chmod in the sandbox, copied up with the xattr) has its own.  */
  if (n > 0 && st->st_uid == p->ids->caller_uid)
    {
      v[n] = '\0';
      if (sscanf (v, "%u:%u:%o", &u, &g, &m) == 3
          && (st->st_mode & 07777) == (m & 07777 & ~(u ? S_ISUID : 0) & ~(g ? S_ISGID : 0)))
        *uid = u, *gid = g, *perm = m & 07777;
    }
}

static bool
opaque (int fd)
{
  static const char *const names[] = { "user.overlay.opaque", "user.fuse_overlayfs.opaque", NULL };
  char v[4];

  for (size_t i = 0; names[i]; i++)
    {
      ssize_t n = fgetxattr (fd, names[i], v, sizeof v);
      if (n > 0 && v[0] == 'y')
        return true;
    }
  return false;
}

static int pack_dir (struct pack *p, int dirfd, const char *prefix, int depth);

static const char *
first_link (struct pack *p, const struct stat *st, const char *name)
{
  struct links *l = &p->links;

  for (size_t i = 0; i < l->n; i++)
    if (l->dev[i] == st->st_dev && l->ino[i] == st->st_ino)
      return l->name[i];
  l->dev = xrealloc (l->dev, (l->n + 1) * sizeof *l->dev);
  l->ino = xrealloc (l->ino, (l->n + 1) * sizeof *l->ino);
  l->name = xrealloc (l->name, (l->n + 1) * sizeof *l->name);
  l->dev[l->n] = st->st_dev;
  l->ino[l->n] = st->st_ino;
  l->name[l->n++] = xstrdup (name);
  return NULL;
}

/* NAME's whiteout entry: .wh.BASE beside it, as a tar layer marks a
   deletion.  */
static int
pack_whiteout (struct pack *p, const char *name)
{
  const char *slash = strrchr (name, '/');
  cleanup_free char *wh
      = slash ? xasprintf ("%.*s/.wh.%s", (int)(slash - name), name, slash + 1) : xasprintf (".wh.%s", name);

  /* Time 0: a whiteout's own time is when it was made, here or by an
     unpack, and would change the tar from one pack to the next.  */
  return write_entry (p, wh, AE_IFREG, 0644, 0, 0, 0, 0, NULL, NULL);
}

/* The directory FD (NAME, ST): its entry, its opaque marker when
   overlayfs made it opaque, then what it holds.  */
static int
pack_subdir (struct pack *p, int fd, const char *name, const struct stat *st, mode_t perm, uid_t uid,
             gid_t gid, int depth)
{
  if (write_entry (p, name, AE_IFDIR, perm, uid, gid, st->st_mtime, 0, NULL, NULL) < 0)
    return -1;
  if (opaque (fd))
    {
      cleanup_free char *wh = xasprintf ("%s/.wh..wh..opq", name);
      if (write_entry (p, wh, AE_IFREG, 0644, 0, 0, 0, 0, NULL, NULL) < 0)
        return -1;
    }
  return pack_dir (p, fd, name, depth + 1);
}

static int
pack_one (struct pack *p, int dirfd, const char *base, const char *name, int depth)
{
  cleanup_close int fd = -1;
  struct stat st;
  uid_t uid;
  gid_t gid;
  mode_t perm;

  /* The sandbox chose the names in its upper: `.wh...` would be a whiteout
     of `..` in the layer.  A `.wh.NAME` file is fuse-overlayfs's
     whiteout of NAME, which must be a name too.  */
  if (strncmp (base, ".wh.", 4) == 0 && strcmp (base, ".wh..wh..opq") != 0 && !nook_diff_name_ok (base + 4))
    {
      cleanup_free char *shown = nook_escape_name (name);
      nook_error_set (p->err, 0, "layer: `/%s` in the upper: a whiteout of a name that is not a name", shown);
      return nook_error_hint (p->err, "the sandboxed command wrote it to reach outside its directory");
    }
  if (fstatat (dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
    return nook_error_errno (p->err, "layer: `%s`", name);
  /* A whiteout, as overlayfs makes it.  */
  if (S_ISCHR (st.st_mode) && st.st_rdev == makedev (0, 0))
    return pack_whiteout (p, name);
  if (S_ISREG (st.st_mode) || S_ISDIR (st.st_mode))
    {
      fd = openat (dirfd, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | (S_ISDIR (st.st_mode) ? O_DIRECTORY : 0));
      if (fd < 0)
        return nook_error_errno (p->err, "layer: open `%s`", name);
    }
  if (p->ids->callers_only && (st.st_uid != p->ids->caller_uid || st.st_gid != p->ids->caller_gid))
    return nook_error_set (p->err, EPERM, "layer: `%s` is owned by %u:%u, another id", name,
                           (unsigned)st.st_uid, (unsigned)st.st_gid);
  owner (p, fd, &st, &uid, &gid, &perm);
  if (S_ISDIR (st.st_mode))
    return pack_subdir (p, fd, name, &st, perm, uid, gid, depth);
  if (S_ISLNK (st.st_mode))
    {
      char target[PATH_MAX];
      ssize_t n = readlinkat (dirfd, base, target, sizeof target - 1);
      if (n < 0)
        return nook_error_errno (p->err, "layer: readlink `%s`", name);
      target[n] = '\0';
      return write_entry (p, name, AE_IFLNK, 0777, uid, gid, st.st_mtime, 0, target, NULL);
    }
  if (S_ISREG (st.st_mode))
    {
      const char *link = st.st_nlink > 1 ? first_link (p, &st, name) : NULL;
      if (write_entry (p, name, AE_IFREG, perm, uid, gid, st.st_mtime, st.st_size, NULL, link) < 0)
        return -1;
      return link ? 0 : copy_data (p, fd, name);
    }
  if (S_ISFIFO (st.st_mode))
    return write_entry (p, name, AE_IFIFO, perm, uid, gid, st.st_mtime, 0, NULL, NULL);
  /* Sockets and device nodes have no place in a layer an unprivileged
     user makes.  */
  return 0;
}

static int
by_name (const struct dirent **a, const struct dirent **b)
{
  return strcmp ((*a)->d_name, (*b)->d_name);
}

static int
pack_dir (struct pack *p, int dirfd, const char *prefix, int depth)
{
  struct dirent **names = NULL;
  cleanup_free char *self = xasprintf ("/proc/self/fd/%d", dirfd);
  int n, r = 0;

  if (depth > 256)
    return nook_error_set (p->err, ELOOP, "layer: `%s`: too deep", prefix);
  /* Sorted: the tar is canonical.  Through the fd: a rename in the tree
     cannot send the walk elsewhere.  */
  n = scandir (self, &names, NULL, by_name);
  if (n < 0)
    return nook_error_errno (p->err, "layer: list `%s`", prefix);
  for (int i = 0; i < n; i++)
    {
      const char *base = names[i]->d_name;
      if (r == 0 && strcmp (base, ".") != 0 && strcmp (base, "..") != 0)
        {
          cleanup_free char *name = *prefix ? xasprintf ("%s/%s", prefix, base) : xstrdup (base);
          r = pack_one (p, dirfd, base, name, depth);
        }
      free (names[i]);
    }
  free (names);
  return r;
}

int
nook_pack_layer (const char *dir, const struct nook_pack_ids *ids, const char *out, char diff_id[72],
                 uint64_t *size, struct nook_error *err)
{
  struct sink sink = { .fd = -1 };
  struct pack p = { .ids = ids, .err = err };
  cleanup_close int root = -1;
  int r = -1;

  if (load (err) < 0)
    return -1;
  if ((root = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    return nook_error_errno (err, "layer: `%s`", dir);
  if ((sink.fd = open (out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
    return nook_error_errno (err, "layer: create `%s`", out);
  sha256_init (&sink.sha);
  p.a = lw.archive_write_new ();
  lw.archive_write_set_format_pax_restricted (p.a);
  lw.archive_write_set_bytes_in_last_block (p.a, 1);
  if (lw.archive_write_open (p.a, &sink, NULL, sink_write, NULL) != ARCHIVE_OK)
    nook_error_set (err, 0, "layer: %s", lw.archive_error_string (p.a));
  else if (pack_dir (&p, root, "", 0) == 0)
    {
      if (lw.archive_write_close (p.a) != ARCHIVE_OK)
        nook_error_set (err, 0, "layer: %s", lw.archive_error_string (p.a));
      else
        r = 0;
    }
  lw.archive_write_free (p.a);
  for (size_t i = 0; i < p.links.n; i++)
    free (p.links.name[i]);
  free (p.links.name);
  free (p.links.dev);
  free (p.links.ino);
  if (r == 0 && close (sink.fd) < 0)
    r = nook_error_errno (err, "layer: write `%s`", out);
  else if (r < 0)
    close (sink.fd);
  if (r == 0)
    {
      nook_sha256_text (&sink.sha, diff_id);
      if (size)
        *size = sink.bytes;
    }
  return r;
}

int
nook_gzip_file (const char *in, const char *out, char digest[72], uint64_t *size, struct nook_error *err)
{
  struct sink sink = { .fd = -1 };
  struct archive *a;
  struct archive_entry *e;
  cleanup_close int src = -1;
  char buf[1 << 16];
  ssize_t n = 0;
  int r = -1;

  if (load (err) < 0)
    return -1;
  if ((src = open (in, O_RDONLY | O_CLOEXEC)) < 0)
    return nook_error_errno (err, "compress `%s`", in);
  if ((sink.fd = open (out, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
    return nook_error_errno (err, "compress into `%s`", out);
  sha256_init (&sink.sha);
  a = lw.archive_write_new ();
  lw.archive_write_set_format_raw (a);
  lw.archive_write_add_filter_gzip (a);
  /* No time in the gzip header: the same layer compresses to the same blob.  */
  lw.archive_write_set_options (a, "gzip:!timestamp");
  lw.archive_write_set_bytes_in_last_block (a, 1);
  e = lw.archive_entry_new ();
  lw.archive_entry_set_filetype (e, AE_IFREG);
  lw.archive_entry_set_pathname (e, "layer");
  if (lw.archive_write_open (a, &sink, NULL, sink_write, NULL) != ARCHIVE_OK
      || lw.archive_write_header (a, e) != ARCHIVE_OK)
    nook_error_set (err, 0, "compress `%s`: %s", in, lw.archive_error_string (a));
  else
    {
      while ((n = read (src, buf, sizeof buf)) > 0)
        if (lw.archive_write_data (a, buf, n) < 0)
          break;
      if (n != 0)
        nook_error_set (err, 0, "compress `%s`: %s", in,
                        n < 0 ? strerror (errno) : lw.archive_error_string (a));
      else if (lw.archive_write_close (a) != ARCHIVE_OK)
        nook_error_set (err, 0, "compress `%s`: %s", in, lw.archive_error_string (a));
      else
        r = 0;
    }
  lw.archive_entry_free (e);
  lw.archive_write_free (a);
  if (close (sink.fd) < 0 && r == 0)
    r = nook_error_errno (err, "compress into `%s`", out);
  if (r == 0)
    {
      nook_sha256_text (&sink.sha, digest);
      if (size)
        *size = sink.bytes;
    }
  return r;
}
