/* The per-user cache of compiled seccomp policies.
 *
 * libseccomp takes several milliseconds to compile a policy like the
 * default one for three ABIs, more than the rest of a sandbox's start.
 * The result depends only on the policy's text, what its includes and
 * excludes were decided by, the running kernel (minKernel), libseccomp and
 * nook, so it is kept in nook's runtime directory:
 *
 *   $XDG_RUNTIME_DIR/nook/seccomp/HASH.bpf   (or /tmp/nook-UID/seccomp)
 *
 * The directory is 0700 and the user's; sandboxes never see it (it is
 * under /run or the host's /tmp, neither of which the sandbox's root has).
 * Each file holds the whole key (that text included) and is used only
 * when the key matches byte for byte and its checksum holds, so neither a
 * hash collision nor a torn or stale file can load the wrong filter.
 * Files are written anonymously (O_TMPFILE) and linked into place whole.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "seccomp.h"
#include "utils.h"

#define CACHE_MAGIC "NOOKBPF1"

struct cache_header
{
  char magic[8];
  uint32_t key_len;
  uint32_t insns; /* BPF instructions that follow the key */
  uint32_t flags;
  uint32_t reserved;
  uint64_t checksum; /* FNV-1a over key and program */
};

/* FNV-1a, 64 bits.  It names files and catches torn writes; it needs no
   strength against an attacker, since a hit is confirmed by comparing
   the whole key.  */
static uint64_t
fnv1a (uint64_t h, const void *data, size_t len)
{
  const unsigned char *p = data;
  for (size_t i = 0; i < len; i++)
    {
      h ^= p[i];
      h *= UINT64_C (0x100000001b3);
    }
  return h;
}

#define FNV_BASIS UINT64_C (0xcbf29ce484222325)

/* What the compiled program depends on, policy text last.  */
static char *
cache_key (const char *text, size_t len, const struct nook_seccomp_params *params, size_t *key_len)
{
  const struct scmp_version *v = seccomp_version ();
  struct utsname u;
  char *head, *key;
  size_t n;

  if (uname (&u) < 0)
    u.release[0] = '\0';
  head = xasprintf ("nook %s\nlibseccomp %u.%u.%u api %u\nkernel %s\ncaps %llx nested %d\n", PACKAGE_VERSION,
                    v->major, v->minor, v->micro, seccomp_api_get (), u.release,
                    (unsigned long long)params->caps, params->allow_nested);
  n = strlen (head);
  key = xmalloc (n + len);
  memcpy (key, head, n);
  memcpy (key + n, text, len);
  free (head);
  *key_len = n + len;
  return key;
}

/* The cache directory, created 0700; NULL when it cannot be trusted.  */
static char *
cache_dir (void)
{
  struct nook_error err = { 0 };
  cleanup_free char *runtime = nook_runtime_dir (&err);
  struct stat st;
  char *dir;

  if (runtime == NULL)
    {
      nook_error_release (&err);
      return NULL;
    }
  dir = xasprintf ("%s/seccomp", runtime);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    goto bad;
  if (lstat (dir, &st) < 0 || !S_ISDIR (st.st_mode) || st.st_uid != getuid () || (st.st_mode & 077))
    goto bad;
  return dir;
bad:
  free (dir);
  return NULL;
}

static char *
cache_path (const char *key, size_t key_len)
{
  cleanup_free char *dir = cache_dir ();
  if (dir == NULL)
    return NULL;
  return xasprintf ("%s/%016llx.bpf", dir, (unsigned long long)fnv1a (FNV_BASIS, key, key_len));
}

int
nook_seccomp_cache_load (const char *text, size_t len, const struct nook_seccomp_params *params,
                         struct nook_bpf *out)
{
  size_t key_len;
  cleanup_free char *key = cache_key (text, len, params, &key_len);
  cleanup_free char *path = cache_path (key, key_len);
  cleanup_free char *data = NULL;
  cleanup_close int fd = -1;
  struct cache_header h;
  struct stat st;
  size_t prog_len;

  if (path == NULL)
    return 0;
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0)
    return 0;
  /* Only a file of the user's, that nobody else could have written.  */
  if (!S_ISREG (st.st_mode) || st.st_uid != getuid () || (st.st_mode & 022)
      || (size_t)st.st_size < sizeof h + key_len)
    return 0;
  prog_len = st.st_size - sizeof h - key_len;
  if (prog_len == 0 || prog_len % sizeof (struct sock_filter)
      || prog_len / sizeof (struct sock_filter) > BPF_MAXINSNS)
    return 0;
  data = xmalloc (st.st_size);
  if (nook_read_all (fd, data, st.st_size) != st.st_size)
    return 0;
  memcpy (&h, data, sizeof h);
  if (memcmp (h.magic, CACHE_MAGIC, sizeof h.magic) != 0 || h.key_len != key_len
      || h.insns != prog_len / sizeof (struct sock_filter) || memcmp (data + sizeof h, key, key_len) != 0
      || h.checksum != fnv1a (FNV_BASIS, data + sizeof h, key_len + prog_len))
    return 0;
  out->insns = xmalloc (prog_len);
  memcpy (out->insns, data + sizeof h + key_len, prog_len);
  out->len = h.insns;
  out->flags = h.flags;
  return 1;
}

/* Links the anonymous file FD in as PATH, replacing a stale entry.  */
static int
link_in (int fd, const char *path)
{
  char proc[64];

  snprintf (proc, sizeof proc, "/proc/self/fd/%d", fd);
  if (linkat (AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0)
    return 0;
  if (errno != EEXIST || unlink (path) < 0)
    return -1;
  return linkat (AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

void
nook_seccomp_cache_store (const char *text, size_t len, const struct nook_seccomp_params *params,
                          const struct nook_bpf *bpf)
{
  size_t key_len, prog_len = bpf->len * sizeof (struct sock_filter);
  cleanup_free char *key = cache_key (text, len, params, &key_len);
  cleanup_free char *path = cache_path (key, key_len);
  cleanup_free char *dir = NULL;
  cleanup_close int fd = -1;
  struct cache_header h = { .key_len = key_len, .insns = bpf->len, .flags = bpf->flags };
  uint64_t sum;

  if (path == NULL)
    return;
  memcpy (h.magic, CACHE_MAGIC, sizeof h.magic);
  sum = fnv1a (FNV_BASIS, key, key_len);
  h.checksum = fnv1a (sum, bpf->insns, prog_len);
  /* Written as an anonymous file and linked in whole: a reader never sees
     half an entry, and a nook killed meanwhile leaves nothing behind.  */
  dir = xstrdup (path);
  *strrchr (dir, '/') = '\0';
  fd = open (dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0)
    return;
  if (nook_write_all (fd, &h, sizeof h) < 0 || nook_write_all (fd, key, key_len) < 0
      || nook_write_all (fd, bpf->insns, prog_len) < 0)
    return;
  link_in (fd, path);
}
