/* The per-user cache of compiled seccomp policies.
 *
 * libseccomp takes several milliseconds to compile a policy like the
 * default one for three ABIs, more than the rest of a sandbox's start.
 * The result depends only on the policy's text, what its includes and
 * excludes were decided by, the running kernel (minKernel, what
 * libseccomp finds it supports, and since its boot whether it runs x32
 * system calls), libseccomp and nook, so it is kept in
 * nook's runtime directory:
 *
 *   $XDG_RUNTIME_DIR/nook/seccomp/NAME.bpf   (or under nook_runtime_dir())
 *
 * No sandbox reaches that directory (nook refuses binds that would expose
 * it), but an entry planted there would weaken every later sandbox, so an
 * entry is used only when its HMAC-SHA256 under the user's secret checks
 * out (auth.h).  The entry also holds its whole key, compared byte for
 * byte; the key holds the policy's SHA-256 (the built-in policy's is
 * computed at build time: no pass over its 16 KB at each start).  Files are written anonymously (O_TMPFILE)
 * and linked into place whole; the directory is 0700.  Without a keyring there is no cache: the policy is
 * compiled each time.
 */
#include <config.h>

#include <elf.h>
#include <errno.h>
#include <link.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <nettle/sha2.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "auth.h"
#include "seccomp.h"
#include "utils.h"

/* Bumped whenever the policy reader refuses what it used to accept
   (4: keys given twice, policies under which no command starts) or the
   compiled programs change (5: shortened, seccomp-shorten.c; 6: the
   terminal filter merged into the policy, its own slot then empty; 7: the
   terminal filter refuses the 32-bit socketcall(SYS_SOCKET) under a
   policy that refuses socket families), so that a
   policy compiled by an older nook of the same version is read again.  */
#define CACHE_MAGIC "NOOKBPF7"

/* A file: the header, the key, then the programs one after the other.  */
struct cache_header
{
  char magic[8];
  uint32_t key_len;
  uint32_t n_progs;
  struct
  {
    uint32_t insns;
    uint32_t flags;
  } progs[NOOK_SECCOMP_CACHE_PROGS];
  uint8_t mac[NOOK_AUTH_MAC_SIZE]; /* HMAC-SHA256 of key and programs */
};

/* The ELF build id of the running program (the main object: libnook is
   linked into it), as hex; "" when it has none.  Two builds of the same
   version with different compilers or different policy code get different
   ids, so neither reads the other's programs.  No system call: the note is
   in memory already.  */
static int
build_id_note (struct dl_phdr_info *info, size_t size, void *data)
{
  char *hex = data;

  (void)size;
  for (int i = 0; i < info->dlpi_phnum; i++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[i];
      const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;

      if (ph->p_type != PT_NOTE)
        continue;
      while (p + sizeof (ElfW (Nhdr)) <= end)
        {
          const ElfW (Nhdr) *n = (const ElfW (Nhdr) *)p;
          const unsigned char *desc = (const unsigned char *)p + sizeof *n + ((n->n_namesz + 3) & ~3u);

          if (n->n_type == NT_GNU_BUILD_ID && n->n_namesz == 4 && memcmp (p + sizeof *n, "GNU", 4) == 0
              && (const char *)desc + n->n_descsz <= end)
            {
              for (size_t j = 0; j < n->n_descsz && j < 32; j++)
                sprintf (hex + 2 * j, "%02x", desc[j]);
              return 1;
            }
          p = (const char *)desc + ((n->n_descsz + 3) & ~3u);
        }
    }
  return 1; /* only the first object, the program itself */
}

/* The SHA-256 of a policy's text, in hex.  */
static void
text_digest (const char *text, size_t len, char hex[2 * SHA256_DIGEST_SIZE + 1])
{
  uint8_t digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx ctx;

  /* The built-in policy by its address first (nook_seccomp_builtin): its
     text is not read.  */
  if (text == nook_seccomp_default_policy
      || (len == nook_seccomp_default_policy_len && memcmp (text, nook_seccomp_default_policy, len) == 0))
    {
      snprintf (hex, 2 * SHA256_DIGEST_SIZE + 1, "%s", nook_seccomp_default_policy_sha256);
      return;
    }
  sha256_init (&ctx);
  sha256_update (&ctx, len, (const uint8_t *)text);
  sha256_digest (&ctx, sizeof digest, digest);
  for (size_t i = 0; i < sizeof digest; i++)
    snprintf (hex + 2 * i, 3, "%02x", digest[i]);
}

/* What the compiled programs depend on: the policy by its SHA-256.  */
static char *
cache_key (const char *text, size_t len, const struct nook_seccomp_params *params, size_t *key_len)
{
  const struct scmp_version *v = seccomp_version ();
  struct nook_error err = { 0 };
  cleanup_free char *boot = NULL;
  struct utsname u;
  char *key, build_id[65] = "", policy[2 * SHA256_DIGEST_SIZE + 1];

  /* The kernel's release and build stand for what libseccomp finds it
     supports (its API level), without the system calls that probe it; the
     boot, for whether it runs x32 system calls (syscall.x32=).  */
  if (uname (&u) < 0)
    u.release[0] = u.version[0] = '\0';
  dl_iterate_phdr (build_id_note, build_id);
  if (nook_read_file_at (AT_FDCWD, "/proc/sys/kernel/random/boot_id", &boot, NULL, &err) < 0)
    nook_error_release (&err);
  text_digest (text, len, policy);
  key = xasprintf ("nook %s build %s\nlibseccomp %u.%u.%u\nkernel %s %s\nboot %s\ncaps %llx nested %d\n"
                   "policy sha256 %s\n",
                   PACKAGE_VERSION, build_id, v->major, v->minor, v->micro, u.release, u.version,
                   boot ? boot : "", (unsigned long long)params->caps, params->allow_nested, policy);
  *key_len = strlen (key);
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

/* DIR/NAME.bpf, NAME from the SHA-256 of the key.  */
static char *
cache_path (const char *key, size_t key_len)
{
  cleanup_free char *dir = cache_dir ();
  uint8_t digest[SHA256_DIGEST_SIZE];
  struct sha256_ctx ctx;
  char name[33];

  if (dir == NULL)
    return NULL;
  sha256_init (&ctx);
  sha256_update (&ctx, key_len, (const uint8_t *)key);
  sha256_digest (&ctx, sizeof digest, digest);
  for (size_t i = 0; i < 16; i++)
    snprintf (name + 2 * i, 3, "%02x", digest[i]);
  return xasprintf ("%s/%s.bpf", dir, name);
}

/* The MAC of KEY and the programs.  */
static void
entry_mac (const uint8_t secret[NOOK_AUTH_SECRET_SIZE], const struct cache_header *h, const char *key,
           const struct nook_bpf *progs, uint8_t mac[NOOK_AUTH_MAC_SIZE])
{
  struct cache_header bare = *h;
  struct nook_auth_part parts[2 + NOOK_SECCOMP_CACHE_PROGS] = { { &bare, sizeof bare }, { key, h->key_len } };

  /* The header begins with the magic: the label of this kind of file.  */
  memset (bare.mac, 0, sizeof bare.mac);
  for (size_t i = 0; i < NOOK_SECCOMP_CACHE_PROGS; i++)
    parts[2 + i] = (struct nook_auth_part){ progs[i].insns, progs[i].len * sizeof (struct sock_filter) };
  nook_auth_mac (secret, parts, 2 + NOOK_SECCOMP_CACHE_PROGS, mac);
}

/* Checks a whole entry in DATA (SIZE bytes) against KEY and SECRET and
   copies its programs out.  */
static int
parse_entry (const char *data, size_t size, const char *key, size_t key_len,
             const uint8_t secret[NOOK_AUTH_SECRET_SIZE], struct nook_bpf *out)
{
  struct nook_bpf progs[NOOK_SECCOMP_CACHE_PROGS];
  uint8_t mac[NOOK_AUTH_MAC_SIZE];
  struct cache_header h;
  size_t off = sizeof h + key_len, total = 0;

  if (size < off)
    return 0;
  memcpy (&h, data, sizeof h);
  if (memcmp (h.magic, CACHE_MAGIC, sizeof h.magic) != 0 || h.key_len != key_len
      || h.n_progs != NOOK_SECCOMP_CACHE_PROGS || memcmp (data + sizeof h, key, key_len) != 0)
    return 0;
  for (size_t i = 0; i < NOOK_SECCOMP_CACHE_PROGS; i++)
    {
      if ((h.progs[i].insns == 0 && i > 0) || h.progs[i].insns > BPF_MAXINSNS)
        return 0;
      progs[i].insns = (void *)(data + off + total);
      progs[i].len = h.progs[i].insns;
      total += h.progs[i].insns * sizeof (struct sock_filter);
    }
  if (size != off + total)
    return 0;
  entry_mac (secret, &h, key, progs, mac);
  if (!nook_auth_equal (mac, h.mac))
    return 0;
  for (size_t i = 0; i < NOOK_SECCOMP_CACHE_PROGS; i++)
    {
      size_t bytes = progs[i].len * sizeof (struct sock_filter);
      out[i].insns = xmalloc (bytes);
      memcpy (out[i].insns, progs[i].insns, bytes);
      out[i].len = progs[i].len;
      out[i].flags = h.progs[i].flags;
    }
  return 1;
}

int
nook_seccomp_cache_load (const char *text, size_t len, const struct nook_seccomp_params *params,
                         struct nook_bpf *out)
{
  size_t key_len;
  cleanup_free char *key = cache_key (text, len, params, &key_len);
  cleanup_free char *path = NULL;
  cleanup_free char *data = NULL;
  cleanup_close int fd = -1;
  uint8_t secret[NOOK_AUTH_SECRET_SIZE];
  struct stat st;

  int r;

  path = cache_path (key, key_len);
  if (path == NULL)
    return 0;
  fd = open (path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0)
    return 0;
  if (!S_ISREG (st.st_mode) || st.st_uid != getuid () || (st.st_mode & 022) || st.st_size > (16 << 20))
    return 0;
  data = xmalloc (st.st_size);
  if (nook_read_all (fd, data, st.st_size) != st.st_size || nook_auth_secret (secret) < 0)
    return 0;
  r = parse_entry (data, st.st_size, key, key_len, secret, out);
  explicit_bzero (secret, sizeof secret);
  return r;
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
                          const struct nook_bpf *progs)
{
  size_t key_len;
  cleanup_free char *key = cache_key (text, len, params, &key_len);
  cleanup_free char *path = NULL;
  cleanup_free char *dir = NULL;
  cleanup_close int fd = -1;
  struct cache_header h = { .key_len = key_len, .n_progs = NOOK_SECCOMP_CACHE_PROGS };
  uint8_t secret[NOOK_AUTH_SECRET_SIZE];

  path = cache_path (key, key_len);
  if (path == NULL || nook_auth_secret (secret) < 0)
    return;
  memcpy (h.magic, CACHE_MAGIC, sizeof h.magic);
  for (size_t i = 0; i < NOOK_SECCOMP_CACHE_PROGS; i++)
    {
      h.progs[i].insns = progs[i].len;
      h.progs[i].flags = progs[i].flags;
    }
  entry_mac (secret, &h, key, progs, h.mac);
  explicit_bzero (secret, sizeof secret);
  /* Written as an anonymous file and linked in whole: a reader never sees
     half an entry, and a nook killed meanwhile leaves nothing behind.  */
  dir = xstrdup (path);
  *strrchr (dir, '/') = '\0';
  fd = open (dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0 || nook_write_all (fd, &h, sizeof h) < 0 || nook_write_all (fd, key, key_len) < 0)
    return;
  for (size_t i = 0; i < NOOK_SECCOMP_CACHE_PROGS; i++)
    if (nook_write_all (fd, progs[i].insns, progs[i].len * sizeof (struct sock_filter)) < 0)
      return;
  link_in (fd, path);
}
