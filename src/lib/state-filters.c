/* nook: a sandbox's seccomp programs as its state keeps them: seccomp.bpf
   in a directory entry, the head of a file entry (docs/state.md).  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <nettle/sha2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "security.h"
#include "state-internal.h"
#include "state.h"
#include "utils.h"

#define FILTER_MAGIC "NOOKFLT1"
#define FILTER_MAX_SIZE (2 * (BPF_MAXINSNS * 8) + 64)

static void
hex_digest (const uint8_t *d, size_t n, char *out)
{
  for (size_t i = 0; i < n; i++)
    sprintf (out + 2 * i, "%02x", d[i]);
}

/* The programs as seccomp.bpf holds them: IOV gets the header H and the
   programs; SHA256 their digest.  Returns their size.  */
size_t
nook_state_filters_iov (const struct nook_bpf *filters, struct nook_filter_header *h,
                        struct iovec iov[1 + NOOK_FILTER_PROGS], char sha256[65])
{
  struct sha256_ctx ctx;
  uint8_t digest[SHA256_DIGEST_SIZE];
  size_t total = sizeof *h;

  *h = (struct nook_filter_header){ FILTER_MAGIC, { { 0 } } };
  iov[0] = (struct iovec){ h, sizeof *h };
  sha256_init (&ctx);
  for (size_t i = 0; i < NOOK_FILTER_PROGS; i++)
    {
      h->progs[i].insns = filters[i].len;
      h->progs[i].flags = filters[i].flags;
    }
  sha256_update (&ctx, sizeof *h, (const uint8_t *)h);
  for (size_t i = 0; i < NOOK_FILTER_PROGS; i++)
    {
      iov[1 + i] = (struct iovec){ filters[i].insns, filters[i].len * sizeof (struct sock_filter) };
      sha256_update (&ctx, iov[1 + i].iov_len, filters[i].insns);
      total += iov[1 + i].iov_len;
    }
  sha256_digest (&ctx, sizeof digest, digest);
  hex_digest (digest, sizeof digest, sha256);
  return total;
}

size_t
nook_state_filters_size (const void *data, size_t len)
{
  struct nook_filter_header h;
  size_t total = sizeof h;

  if (len < sizeof h.magic || memcmp (data, FILTER_MAGIC, sizeof h.magic) != 0)
    return 0;
  if (len < sizeof h)
    return SIZE_MAX;
  memcpy (&h, data, sizeof h);
  for (size_t i = 0; i < NOOK_FILTER_PROGS; i++)
    {
      if (h.progs[i].insns > BPF_MAXINSNS)
        return SIZE_MAX;
      total += (size_t)h.progs[i].insns * sizeof (struct sock_filter);
    }
  return total;
}

int
nook_state_write_filters (int dirfd, const struct nook_bpf *filters, char sha256[65], struct nook_error *err)
{
  struct nook_filter_header h;
  struct iovec iov[1 + NOOK_FILTER_PROGS];
  size_t total = nook_state_filters_iov (filters, &h, iov, sha256);
  cleanup_close int fd = -1;

  fd = openat (dirfd, NOOK_FILTER_FILE, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0)
    return nook_error_errno (err, "write the sandbox's seccomp filter");
  /* One write: on a regular file a short one only means a full disk.  */
  errno = ENOSPC;
  if (writev (fd, iov, 1 + NOOK_FILTER_PROGS) != (ssize_t)total)
    return nook_error_errno (err, "write the sandbox's seccomp filter");
  return 0;
}

/* The bytes of the programs: DIRFD/seccomp.bpf, or the head of a file
   entry (written once, never after).  Returns their size, or -1.  */
static ssize_t
filters_data (int dirfd, char **data)
{
  cleanup_close int fd = -1;
  struct nook_filter_header h;
  struct stat st;
  size_t len;

  *data = NULL;
  if (fstat (dirfd, &st) < 0)
    return -1;
  if (S_ISREG (st.st_mode))
    {
      if (pread (dirfd, &h, sizeof h, 0) != (ssize_t)sizeof h)
        return -1;
      len = nook_state_filters_size (&h, sizeof h);
      if (len < sizeof h || len > FILTER_MAX_SIZE || len > (size_t)st.st_size)
        return -1;
      *data = xmalloc (len);
      return pread (dirfd, *data, len, 0) == (ssize_t)len ? (ssize_t)len : -1;
    }
  fd = openat (dirfd, NOOK_FILTER_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size < (off_t)sizeof h
      || st.st_size > FILTER_MAX_SIZE)
    return -1;
  *data = xmalloc (st.st_size);
  return nook_read_all (fd, *data, st.st_size) == st.st_size ? st.st_size : -1;
}

/* The programs of the sandbox DIRFD, when their SHA-256 is SHA256.  */
int
nook_state_read_filters (int dirfd, const char *sha256, struct nook_bpf *out)
{
  cleanup_free char *data = NULL;
  uint8_t digest[SHA256_DIGEST_SIZE];
  char hex[2 * SHA256_DIGEST_SIZE + 1];
  struct nook_filter_header h;
  struct sha256_ctx ctx;
  size_t off = sizeof h;
  struct stat st;

  st.st_size = filters_data (dirfd, &data);
  if (st.st_size < (off_t)sizeof h)
    return -1;
  sha256_init (&ctx);
  sha256_update (&ctx, st.st_size, (const uint8_t *)data);
  sha256_digest (&ctx, sizeof digest, digest);
  hex_digest (digest, sizeof digest, hex);
  memcpy (&h, data, sizeof h);
  if (strcmp (hex, sha256) != 0 || memcmp (h.magic, FILTER_MAGIC, sizeof h.magic) != 0)
    return -1;
  for (size_t i = 0; i < NOOK_FILTER_PROGS; i++)
    {
      size_t bytes = (size_t)h.progs[i].insns * sizeof (struct sock_filter);
      /* The terminal filter's slot is empty when it was merged into the policy.  */
      if ((h.progs[i].insns == 0 && i > 0) || h.progs[i].insns > BPF_MAXINSNS
          || off + bytes > (size_t)st.st_size)
        return -1;
      out[i].insns = xmalloc (bytes);
      memcpy (out[i].insns, data + off, bytes);
      out[i].len = h.progs[i].insns;
      out[i].flags = h.progs[i].flags;
      off += bytes;
    }
  return off == (size_t)st.st_size ? 0 : -1;
}
