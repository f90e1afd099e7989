/* The user's secret (kernel keyring) and the MACs made with it; see
 * auth.h for what they protect.  */
#include <config.h>

#include <linux/keyctl.h>
#include <nettle/hmac.h>
#include <nettle/sha2.h>
#include <string.h>
#include <sys/random.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "auth.h"

#define SECRET_NAME "nook:seccomp-cache"

int
nook_auth_secret (uint8_t secret[NOOK_AUTH_SECRET_SIZE])
{
  long id = syscall (SYS_keyctl, KEYCTL_SEARCH, KEY_SPEC_USER_KEYRING, "user", SECRET_NAME, 0);

  /* The key keeps the name it had when only the seccomp cache used it:
     a new name would orphan the secret of sandboxes running now.  */
  if (id >= 0
      && syscall (SYS_keyctl, KEYCTL_READ, id, secret, NOOK_AUTH_SECRET_SIZE) == NOOK_AUTH_SECRET_SIZE)
    return 0;
  if (getrandom (secret, NOOK_AUTH_SECRET_SIZE, 0) != NOOK_AUTH_SECRET_SIZE)
    return -1;
  id = syscall (SYS_add_key, "user", SECRET_NAME, secret, NOOK_AUTH_SECRET_SIZE, KEY_SPEC_USER_KEYRING);
  if (id < 0)
    return -1;
  /* Possessor: view, read, write, search, link, setattr; nothing for the
     mere owner uid, which a sandbox shares.  */
  if (syscall (SYS_keyctl, KEYCTL_SETPERM, id, 0x3f000000) < 0)
    {
      syscall (SYS_keyctl, KEYCTL_INVALIDATE, id);
      return -1;
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
