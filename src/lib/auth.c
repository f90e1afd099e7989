/* The user's secret (kernel keyring) and the MACs made with it; see
 * auth.h for what they protect.  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "auth.h"
#include "utils.h"

#define SECRET_NAME "nook:seccomp-cache"
#define SECRET_FILE "secret"

/* Reads the secret file of DIRFD: a regular file of the caller's, 0600,
   of the secret's size.  1: read; 0: none yet; -1: refused.  */
static int
secret_file_read (int dirfd, uint8_t secret[NOOK_AUTH_SECRET_SIZE])
{
  cleanup_close int fd = openat (dirfd, SECRET_FILE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  struct stat st;

  if (fd < 0)
    return errno == ENOENT ? 0 : -1;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != getuid () || (st.st_mode & 077)
      || st.st_size != NOOK_AUTH_SECRET_SIZE
      || nook_read_all (fd, secret, NOOK_AUTH_SECRET_SIZE) != NOOK_AUTH_SECRET_SIZE)
    return -1;
  return 1;
}

/* Where the kernel refuses the keyring to this process (inside a sandbox
   started with --allow-nested, whose policy still refuses keyctl; a kernel
   without CONFIG_KEYS), the secret is a 0600 file in the runtime
   directory: no sandbox that nook starts can reach that directory
   (state-guard.c), so it holds what the keyring would.  Created once, by
   link() of a complete file, so two nooks never disagree on it.  */
static int
secret_from_file (uint8_t secret[NOOK_AUTH_SECRET_SIZE])
{
  struct nook_error err = { 0 };
  cleanup_free char *dir = nook_runtime_dir (&err);
  cleanup_close int dirfd = -1, fd = -1;
  char tmp[32];
  int r;

  nook_error_release (&err);
  if (dir == NULL || (dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
    return -1;
  if ((r = secret_file_read (dirfd, secret)) != 0)
    return r > 0 ? 0 : -1;
  snprintf (tmp, sizeof tmp, ".secret.%d", (int)getpid ());
  unlinkat (dirfd, tmp, 0);
  fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || getrandom (secret, NOOK_AUTH_SECRET_SIZE, 0) != NOOK_AUTH_SECRET_SIZE
      || nook_write_all (fd, secret, NOOK_AUTH_SECRET_SIZE) != NOOK_AUTH_SECRET_SIZE)
    {
      unlinkat (dirfd, tmp, 0);
      return -1;
    }
  r = linkat (dirfd, tmp, dirfd, SECRET_FILE, 0);
  unlinkat (dirfd, tmp, 0);
  if (r < 0 && errno != EEXIST)
    return -1;
  /* Another nook made it first: its secret is the one.  */
  return secret_file_read (dirfd, secret) > 0 ? 0 : -1;
}

int
nook_auth_secret (uint8_t secret[NOOK_AUTH_SECRET_SIZE])
{
  long id = syscall (SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", SECRET_NAME, 0);

  if (id < 0 && (errno == EPERM || errno == EACCES || errno == ENOSYS))
    return secret_from_file (secret);

  /* The key keeps the name it had when only the seccomp cache used it:
     a new name would orphan the secret of sandboxes running now.  */
  if (id >= 0)
    {
      if (syscall (SYS_keyctl, KEYCTL_READ, id, secret, NOOK_AUTH_SECRET_SIZE) == NOOK_AUTH_SECRET_SIZE)
        return 0;
      /* Found but not possessed (see below): the file holds the secret.  */
      if (errno == EACCES)
        return secret_from_file (secret);
    }
  if (getrandom (secret, NOOK_AUTH_SECRET_SIZE, 0) != NOOK_AUTH_SECRET_SIZE)
    return -1;
  id = syscall (SYS_add_key, "user", SECRET_NAME, secret, NOOK_AUTH_SECRET_SIZE, KEY_SPEC_USER_KEYRING);
  if (id < 0)
    return -1;
  /* Possessor: view, read, write, search, link, setattr; nothing for the
     mere owner uid, which a sandbox shares.  */
  if (syscall (SYS_keyctl, KEYCTL_SETPERM, id, 0x3f000000) < 0)
    {
      /* In a user namespace of its own (as under rootless podman), the
         namespace's user keyring is not linked from the session keyring
         the caller inherited: the key is not possessed, so it can be
         neither made possessor-only nor read back, and every run would
         miss the caches.  The new key stays unreadable to the owner uid
         (the default permissions) and its bytes are never used: the
         secret lives in the file, as where the keyring is refused.  */
      int e = errno;
      syscall (SYS_keyctl, KEYCTL_INVALIDATE, id);
      return e == EACCES ? secret_from_file (secret) : -1;
    }
  return 0;
}

void
nook_auth_mac (const uint8_t secret[NOOK_AUTH_SECRET_SIZE], const struct nook_auth_part *parts, size_t n,
               uint8_t mac[NOOK_AUTH_MAC_SIZE])
{
  struct hmac_sha256_ctx ctx;

  hmac_sha256_set_key (&ctx, NOOK_AUTH_SECRET_SIZE, secret);
  for (size_t i = 0; i < n; i++)
    hmac_sha256_update (&ctx, parts[i].len, parts[i].data);
  hmac_sha256_digest (&ctx, NOOK_AUTH_MAC_SIZE, mac);
  /* The context holds the key, padded: not left on the stack.  */
  explicit_bzero (&ctx, sizeof ctx);
}

bool
nook_auth_equal (const uint8_t a[NOOK_AUTH_MAC_SIZE], const uint8_t b[NOOK_AUTH_MAC_SIZE])
{
  unsigned diff = 0;

  for (size_t i = 0; i < NOOK_AUTH_MAC_SIZE; i++)
    diff |= a[i] ^ b[i];
  return diff == 0;
}
