/* nook: authenticating what nook wrote to disk.
 *
 * nook keeps files that decide how a sandbox is confined in its runtime
 * directory: the cache of compiled seccomp filters (seccomp-cache.c) and
 * each sandbox's state (state.c).  A file there is trusted only when its
 * HMAC-SHA256 checks out under a random secret kept in the user's kernel
 * keyring, which no sandbox reaches: user keyrings belong to a user
 * namespace, the default policy refuses keyctl, and a sandbox whose policy
 * allows it gets a session keyring of its own (nook_security_apply).
 *
 * One secret serves every kind of file; each kind puts a label of its own
 * first in what it authenticates, so a MAC of one kind is never valid for
 * another.
 */
#ifndef NOOK_AUTH_H
#define NOOK_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NOOK_AUTH_SECRET_SIZE 32
#define NOOK_AUTH_MAC_SIZE 32

/* One piece of what a MAC covers.  */
struct nook_auth_part
{
  const void *data;
  size_t len;
};

/**
 * nook_auth_secret - the user's secret
 * @secret: filled with it
 *
 * Read from the user keyring, or created there the first time, with
 * permissions for its possessors only (the user's processes outside any
 * sandbox).  Callers wipe their copy (explicit_bzero) once done with it:
 * a process that forks must not hand it to a sandbox.
 *
 * Return: 0, or -1 when the kernel has no keyring for the caller.
 */
int nook_auth_secret (uint8_t secret[NOOK_AUTH_SECRET_SIZE]);

/**
 * nook_auth_mac - HMAC-SHA256 of PARTS, in order, under SECRET
 * @secret: from nook_auth_secret
 * @parts: what is covered; a part's length is not covered, so the label
 *         and fixed-size headers go first
 * @n: how many
 * @mac: the result
 */
void nook_auth_mac (const uint8_t secret[NOOK_AUTH_SECRET_SIZE], const struct nook_auth_part *parts, size_t n,
                    uint8_t mac[NOOK_AUTH_MAC_SIZE]);

/**
 * nook_auth_equal - compare two MACs in constant time
 * @a: one MAC
 * @b: the other
 *
 * Return: true when they are equal; the time taken does not depend on
 * where they differ.
 */
bool nook_auth_equal (const uint8_t a[NOOK_AUTH_MAC_SIZE], const uint8_t b[NOOK_AUTH_MAC_SIZE]);

#endif
