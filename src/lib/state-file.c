/* The state file: state.json, authenticated.
 *
 * A state is a JSON object whose last member is its MAC:
 *   {...,"mac":"HEX"}
 * The MAC is the HMAC-SHA256 (auth.h) of a label, the sandbox's id and the
 * file's bytes with that member taken out ({...}): a state is valid for
 * its own sandbox only, and what is parsed is exactly what was
 * authenticated.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "auth.h"
#include "state.h"
#include "utils.h"

#define STATE_FILE "state.json"
#define STATE_TMP "state.json.tmp"
/* A state file is a few kilobytes.  */
#define STATE_MAX_SIZE (1 << 20)

#define STATE_LABEL "nook state 1\n"
#define MAC_HEAD ",\"mac\":\""
#define MAC_TAIL "\"}"
#define MAC_SUFFIX_LEN (sizeof MAC_HEAD - 1 + 2 * NOOK_AUTH_MAC_SIZE + sizeof MAC_TAIL - 1)

static void
state_mac (const uint8_t secret[NOOK_AUTH_SECRET_SIZE], const char *id, const char *text, size_t len,
           const char *tail, uint8_t mac[NOOK_AUTH_MAC_SIZE])
{
  const struct nook_auth_part parts[] = {
    { STATE_LABEL, sizeof STATE_LABEL - 1 }, { id, NOOK_ID_LEN }, { text, len }, { tail, strlen (tail) }
  };
  nook_auth_mac (secret, parts, sizeof parts / sizeof parts[0], mac);
}

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* N bytes from the 2N hex digits at HEX, which need not end with a NUL
   (sscanf would look for one past them).  */
static int
parse_hex (const char *hex, uint8_t *out, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      int hi = hex_value (hex[2 * i]), lo = hi < 0 ? -1 : hex_value (hex[2 * i + 1]);
      if (lo < 0)
        return -1;
      out[i] = (uint8_t)(hi << 4 | lo);
    }
  return 0;
}

/* A new open file description of what FD is open on (a file entry is
   opened O_RDONLY by readers, and its offset is shared with whoever
   holds it): through /proc, as a file entry has no name of its own to
   open relative to.  */
static int
open_again (int fd, int flags)
{
  char path[64];

  snprintf (path, sizeof path, "/proc/self/fd/%d", fd);
  return open (path, flags | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
}

/* Checks the MAC of the state TEXT (LEN bytes) of sandbox ID and parses
   it.  Returns the document, or NULL when it is not as nook wrote it.  */
static json_object *
verify_doc (const char *id, const char *text, size_t len)
{
  uint8_t secret[NOOK_AUTH_SECRET_SIZE], mac[NOOK_AUTH_MAC_SIZE], want[NOOK_AUTH_MAC_SIZE];
  size_t body = len - MAC_SUFFIX_LEN;
  json_tokener *tok;
  json_object *doc;
  bool ok;

  if (len <= MAC_SUFFIX_LEN || memcmp (text + body, MAC_HEAD, sizeof MAC_HEAD - 1) != 0
      || memcmp (text + len - 2, MAC_TAIL, 2) != 0
      || parse_hex (text + body + sizeof MAC_HEAD - 1, want, sizeof want) < 0
      || nook_auth_secret (secret) < 0)
    return NULL;
  state_mac (secret, id, text, body, "}", mac);
  explicit_bzero (secret, sizeof secret);
  if (!nook_auth_equal (mac, want))
    return NULL;
  /* What was authenticated is what is parsed: the body and its brace.  */
  tok = json_tokener_new ();
  doc = json_tokener_parse_ex (tok, text, body);
  if (doc == NULL && json_tokener_get_error (tok) == json_tokener_continue)
    doc = json_tokener_parse_ex (tok, "}", 1);
  ok = doc && json_tokener_get_error (tok) == json_tokener_success
       && json_object_is_type (doc, json_type_object);
  json_tokener_free (tok);
  if (!ok)
    {
      json_object_put (doc);
      return NULL;
    }
  return doc;
}

/* The state record of a file entry (docs/state.md): after the filter
   programs and a newline, one line per write, the last complete one
   current.  A line still being appended (no newline yet) is not one: the
   reader sees the state as it was before that write.  */
static int
read_file_entry_once (int fd, const struct stat *st, const char *id, json_object **doc)
{
  cleanup_free char *text = NULL;
  const char *end, *start;
  size_t skip;
  ssize_t n;

  if (st->st_size > STATE_MAX_SIZE + NOOK_STATE_FILTERS_MAX)
    return -1;
  text = xmalloc (st->st_size + 1);
  /* What is there now: a line appended meanwhile is read whole, or not.  */
  n = nook_read_all (fd, text, st->st_size);
  if (n < 0)
    return -1;
  text[n] = '\0';
  /* The programs, and the newline after them.  */
  skip = nook_state_filters_size (text, n);
  if (skip > 0 && (skip >= (size_t)n || text[skip] != '\n'))
    return -1;
  skip += skip > 0;
  end = memrchr (text + skip, '\n', n - skip);
  if (end == NULL)
    return -1;
  start = memrchr (text + skip, '\n', end - (text + skip));
  start = start ? start + 1 : text + skip;
  *doc = verify_doc (id, start, end - start);
  return *doc ? 0 : -1;
}

/* A state that is not authentic is one, unless the entry was rewritten
   while it was read (compact_entry cuts it shorter): then it is read
   again.  */
static int
read_file_entry (int fd, struct stat st, const char *id, json_object **doc)
{
  for (int i = 0; i < 4; i++)
    {
      struct stat now;

      if (read_file_entry_once (fd, &st, id, doc) == 0)
        return 0;
      if (fstat (fd, &now) < 0 || now.st_size == st.st_size)
        return -1;
      st = now;
    }
  return -1;
}

/* Reads the state of sandbox ID from DIRFD, its entry (a directory or a
   file entry).  Returns 0 with *DOC NULL when there is none yet, or -1
   when there is one that is not authentic.  */
int
nook_state_read (int dirfd, const char *id, json_object **doc)
{
  cleanup_close int fd = -1;
  cleanup_free char *text = NULL;
  struct stat st;

  *doc = NULL;
  if (fstat (dirfd, &st) < 0)
    return -1;
  if (S_ISREG (st.st_mode))
    {
      fd = open_again (dirfd, O_RDONLY);
      return fd < 0 ? -1 : read_file_entry (fd, st, id, doc);
    }
  fd = openat (dirfd, STATE_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
  if (fd < 0)
    return errno == ENOENT ? 0 : -1;
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > STATE_MAX_SIZE)
    return -1;
  text = xmalloc (st.st_size + 1);
  if (nook_read_all (fd, text, st.st_size) != st.st_size)
    return -1;
  text[st.st_size] = '\0';
  *doc = verify_doc (id, text, st.st_size);
  return *doc ? 0 : -1;
}

void
nook_state_secret_release (uint8_t **secret)
{
  if (*secret == NULL)
    return;
  explicit_bzero (*secret, NOOK_AUTH_SECRET_SIZE);
  munmap (*secret, sysconf (_SC_PAGESIZE));
  *secret = NULL;
}

int
nook_state_secret (uint8_t **secret, struct nook_error *err)
{
  long page = sysconf (_SC_PAGESIZE);
  void *mem = mmap (NULL, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

  *secret = NULL;
  if (mem == MAP_FAILED)
    return nook_error_errno (err, "state: mmap");
  /* The sandbox's setup child is a fork of this process and runs in the
     sandbox until its exec: it must not carry the secret there.  */
  if (madvise (mem, page, MADV_WIPEONFORK) < 0)
    {
      munmap (mem, page);
      return nook_error_errno (err, "state: madvise");
    }
  *secret = mem;
  if (nook_auth_secret (*secret) < 0)
    {
      nook_error_errno (err, "state: no secret in the user keyring to authenticate the sandbox's state");
      nook_state_secret_release (secret);
      return nook_error_hint (err, "nook needs the kernel's keyrings (CONFIG_KEYS, keyctl allowed)");
    }
  return 0;
}

/* The fault point between a state's write and the moment readers see it
   (fault.h): "state: write running"…  */
static void
fault_state_write (json_object *doc)
{
  json_object *status = NULL;

  json_object_object_get_ex (doc, "status", &status);
  nook_fault_point ("state: write %s", status ? json_object_get_string (status) : "");
}

/* The state DOC as written: {...,"mac":"HEX"}, as TEXT (the document but
   its closing brace) and SUFFIX (the MAC member and the brace).  */
static int
state_text (const struct nook_state *st, json_object *doc, struct iovec out[2],
            char suffix[MAC_SUFFIX_LEN + 1], struct nook_error *err)
{
  const char *text
      = json_object_to_json_string_ext (doc, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
  size_t len = strlen (text);
  uint8_t mac[NOOK_AUTH_MAC_SIZE];
  char *p;

  if (len < 2 || text[len - 1] != '}' || st->secret == NULL)
    return nook_error_set (err, EINVAL, "write the sandbox state");
  /* The MAC becomes the last member: {...} is written as {...,"mac":"HEX"}.  */
  state_mac (st->secret, st->id, text, len - 1, "}", mac);
  p = suffix + sprintf (suffix, "%s", MAC_HEAD);
  for (size_t i = 0; i < sizeof mac; i++)
    p += sprintf (p, "%02x", mac[i]);
  sprintf (p, "%s", MAC_TAIL);
  out[0] = (struct iovec){ (void *)text, len - 1 };
  out[1] = (struct iovec){ suffix, MAC_SUFFIX_LEN };
  return 0;
}

ssize_t
nook_state_write_record (int fd, off_t off, const struct iovec *head, int n_head, const struct nook_state *st,
                         json_object *doc, struct nook_error *err)
{
  struct iovec iov[8];
  char suffix[MAC_SUFFIX_LEN + 1];
  ssize_t total = 0;
  int n = 0;

  if (n_head > 4)
    return nook_error_set (err, EINVAL, "write the sandbox state");
  for (int i = 0; i < n_head; i++)
    iov[n++] = head[i];
  if (state_text (st, doc, iov + n, suffix, err) < 0)
    return -1;
  n += 2;
  iov[n++] = (struct iovec){ "\n", 1 };
  for (int i = 0; i < n; i++)
    total += iov[i].iov_len;
  if (off + total > STATE_MAX_SIZE + NOOK_STATE_FILTERS_MAX)
    return nook_error_set (err, EFBIG, "write the sandbox state: its entry is full");
  /* One write: on a regular file a short one only means a full disk.  */
  errno = ENOSPC;
  if (pwritev (fd, iov, n, off) != total)
    return nook_error_errno (err, "write the sandbox state");
  return total;
}

/* A file entry that holds as many states as it may (a sandbox paused and
   resumed hundreds of times): the new state is written over the old ones,
   right after the programs, and the file cut after it.  The caller holds
   the store's lock, so no other write is under way.  A reader that reads
   meanwhile finds, in all it read, the old last state whole (the new one,
   a kilobyte or so, overwrites the start of a megabyte of old ones), or a
   file that changed size under it, which it reads again
   (read_file_entry).  */
static ssize_t
compact_entry (int fd, const struct nook_state *st, json_object *doc, struct nook_error *err)
{
  char head[256];
  ssize_t n = pread (fd, head, sizeof head, 0), written;
  size_t skip;
  char nl;

  if (n < 0)
    return nook_error_errno (err, "write the sandbox state");
  skip = nook_state_filters_size (head, n);
  if (skip > 0 && (skip == SIZE_MAX || pread (fd, &nl, 1, skip) != 1 || nl != '\n'))
    return nook_error_set (err, EINVAL, "write the sandbox state: its entry is not one nook wrote");
  skip += skip > 0;
  written = nook_state_write_record (fd, skip, NULL, 0, st, doc, err);
  if (written < 0)
    return -1;
  if (ftruncate (fd, skip + written) < 0)
    return nook_error_errno (err, "write the sandbox state");
  return written;
}

/* The fault point before a state becomes visible: "state: write running"…  */
void
nook_state_fault_write (json_object *doc)
{
  fault_state_write (doc);
}

int
nook_state_write (const struct nook_state *st, json_object *doc, struct nook_error *err)
{
  struct iovec iov[2];
  char suffix[MAC_SUFFIX_LEN + 1];
  cleanup_close int fd = -1;
  int dirfd = st->dirfd;
  struct stat sb;

  if (fstat (dirfd, &sb) < 0)
    return nook_error_errno (err, "write the sandbox state");
  /* A file entry: its new state is appended as a line (the caller holds
     the store's lock, so no other write is under way); a reader sees the
     line once it is whole.  */
  if (S_ISREG (sb.st_mode))
    {
      fd = open_again (dirfd, O_RDWR);
      if (fd < 0)
        return nook_error_errno (err, "write the sandbox state");
      fault_state_write (doc);
      if (sb.st_size < STATE_MAX_SIZE)
        return nook_state_write_record (fd, sb.st_size, NULL, 0, st, doc, err) < 0 ? -1 : 0;
      return compact_entry (fd, st, doc, err) < 0 ? -1 : 0;
    }
  if (state_text (st, doc, iov, suffix, err) < 0)
    return -1;
  fd = openat (dirfd, STATE_TMP, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  /* Readers see the old file or the new one, never half of one.  No
     fsync: the state describes processes, which do not survive a power
     loss either.  */
  if (fd < 0)
    return nook_error_errno (err, "write the sandbox state");
  /* One write: on a regular file a short one only means a full disk.  */
  errno = ENOSPC;
  if (writev (fd, iov, 2) != (ssize_t)(iov[0].iov_len + iov[1].iov_len))
    return nook_error_errno (err, "write the sandbox state");
  fault_state_write (doc);
  if (renameat (dirfd, STATE_TMP, dirfd, STATE_FILE) < 0)
    return nook_error_errno (err, "write the sandbox state");
  return 0;
}

/* ---- times ------------------------------------------------------------------------ */

char *
nook_time_now (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[40];

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  return xasprintf ("%s.%09ldZ", buf, ts.tv_nsec);
}

int64_t
nook_time_parse (const char *s)
{
  struct tm tm = { 0 };

  if (s == NULL || strptime (s, "%Y-%m-%dT%H:%M:%S", &tm) == NULL)
    return 0;
  return timegm (&tm);
}
