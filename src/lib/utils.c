/* nook: small helpers shared by every module: strv, whole-file I/O
   through directory fds, allocation that cannot fail, the verbose log.  */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"
#include "utils.h"

int nook_verbose;
static struct timespec log_start;

void
nook_freep (void *p)
{
  free (*(void **)p);
}

void
nook_closep (int *fd)
{
  if (*fd >= 0)
    {
      int saved = errno;
      close (*fd);
      errno = saved;
    }
  /* Reset, so that a field closed early is not closed twice.  */
  *fd = -1;
}

void
nook_strv_freep (char ***strv)
{
  strv_free (*strv);
}

void
nook_pid_killp (pid_t *pid)
{
  if (*pid > 0)
    {
      int saved = errno;
      kill (*pid, SIGKILL);
      while (waitpid (*pid, NULL, 0) < 0 && errno == EINTR)
        ;
      errno = saved;
    }
}

static void *
oom_check (void *p)
{
  if (p == NULL)
    {
      fputs ("nook: out of memory\n", stderr);
      abort ();
    }
  return p;
}

void *
xmalloc (size_t size)
{
  return oom_check (malloc (size ? size : 1));
}

void *
xcalloc (size_t n, size_t size)
{
  return oom_check (calloc (n ? n : 1, size ? size : 1));
}

void *
xrealloc (void *p, size_t size)
{
  return oom_check (realloc (p, size ? size : 1));
}

char *
xstrdup (const char *s)
{
  return s ? oom_check (strdup (s)) : NULL;
}

char *
xasprintf (const char *fmt, ...)
{
  va_list ap;
  char *s;
  int r;

  va_start (ap, fmt);
  r = vasprintf (&s, fmt, ap);
  va_end (ap);
  return oom_check (r < 0 ? NULL : s);
}

size_t
strv_len (char *const *strv)
{
  size_t n = 0;
  while (strv && strv[n])
    n++;
  return n;
}

bool
strv_has (char *const *strv, const char *s)
{
  for (size_t i = 0; strv && strv[i]; i++)
    if (strcmp (strv[i], s) == 0)
      return true;
  return false;
}

void
strv_append (char ***strv, const char *s)
{
  size_t n = strv_len (*strv);
  *strv = xrealloc (*strv, (n + 2) * sizeof (char *));
  (*strv)[n] = xstrdup (s);
  (*strv)[n + 1] = NULL;
}

void
strv_free (char **strv)
{
  for (size_t i = 0; strv && strv[i]; i++)
    free (strv[i]);
  free (strv);
}

ssize_t
nook_write_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = write (fd, p + done, len - done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      done += r;
    }
  return done;
}

ssize_t
nook_read_all (int fd, void *buf, size_t len)
{
  char *p = buf;
  size_t done = 0;
  while (done < len)
    {
      ssize_t r = read (fd, p + done, len - done);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return -1;
      if (r == 0)
        break;
      done += r;
    }
  return done;
}

int
nook_copy_fd (int in, int out)
{
  char buf[65536];
  ssize_t n;

  while ((n = read (in, buf, sizeof buf)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0 || nook_write_all (out, buf, n) < 0)
        return -1;
    }
  return 0;
}

int
nook_write_file_at (int dirfd, const char *path, const char *data, size_t len, struct nook_error *err)
{
  cleanup_close int fd = openat (dirfd, path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0)
    return nook_error_errno (err, "open `%s`", path);
  if (nook_write_all (fd, data, len) < 0)
    return nook_error_errno (err, "write `%s`", path);
  return 0;
}

int
nook_read_file_at (int dirfd, const char *path, char **out, size_t *len, struct nook_error *err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  cleanup_free char *buf = NULL;
  size_t size = 0, alloc = 0;

  if (fd < 0)
    return nook_error_errno (err, "open `%s`", path);
  for (;;)
    {
      ssize_t r;
      if (alloc - size < 4096)
        buf = xrealloc (buf, alloc = alloc ? alloc * 2 : 8192);
      r = read (fd, buf + size, alloc - size - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0)
        return nook_error_errno (err, "read `%s`", path);
      if (r == 0)
        break;
      size += r;
    }
  buf[size] = '\0';
  if (len)
    *len = size;
  *out = steal_pointer (&buf);
  return 0;
}

int
nook_parse_uint (const char *s, uint64_t max, uint64_t *out)
{
  uint64_t v = 0;
  if (s == NULL || *s == '\0')
    return -1;
  for (const char *p = s; *p; p++)
    {
      if (!isdigit ((unsigned char)*p))
        return -1;
      if (v > (UINT64_MAX - (*p - '0')) / 10)
        return -1;
      v = v * 10 + (*p - '0');
    }
  if (v > max)
    return -1;
  *out = v;
  return 0;
}

int
nook_parse_signal (const char *s)
{
  uint64_t n;

  if (nook_parse_uint (s, SIGRTMAX, &n) == 0)
    return n > 0 ? (int)n : -1;
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (int sig = 1; sig < SIGRTMIN; sig++)
    {
      const char *name = sigabbrev_np (sig);
      if (name && strcasecmp (name, s) == 0)
        return sig;
    }
  return -1;
}

int
nook_parse_size (const char *s, uint64_t *out)
{
  cleanup_free char *num = NULL;
  size_t n;
  uint64_t v, mult = 1;

  if (s == NULL || *s == '\0')
    return -1;
  n = strlen (s);
  switch (tolower ((unsigned char)s[n - 1]))
    {
    case 'b':
      mult = 1;
      n--;
      break;
    case 'k':
      mult = 1ULL << 10;
      n--;
      break;
    case 'm':
      mult = 1ULL << 20;
      n--;
      break;
    case 'g':
      mult = 1ULL << 30;
      n--;
      break;
    case 't':
      mult = 1ULL << 40;
      n--;
      break;
    default:
      break;
    }
  num = strndup (s, n);
  if (num == NULL || nook_parse_uint (num, UINT64_MAX / mult, &v) < 0)
    return -1;
  *out = v * mult;
  return 0;
}

/* The runtime directory a login session has (pam_systemd makes
   /run/user/UID, on tmpfs, 0700, owned by the user) also where a shell
   without XDG_RUNTIME_DIR runs (su, runuser, cron, a CI runner's
   service): the state is then on tmpfs, not on the disk /tmp may be,
   where each of a run's few file creates waits for the journal.  Only a
   directory of the caller's, closed to everyone else, and not a symlink.  */
static bool
login_runtime_dir_is_ours (void)
{
  char path[64];
  struct stat st;
  snprintf (path, sizeof path, "/run/user/%u", (unsigned)getuid ());
  return lstat (path, &st) == 0 && S_ISDIR (st.st_mode) && st.st_uid == getuid () && (st.st_mode & 077) == 0;
}

char *
nook_runtime_dir (struct nook_error *err)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");
  char *dir;
  struct stat st;

  if (xdg && xdg[0] == '/')
    dir = xasprintf ("%s/nook", xdg);
  else if (login_runtime_dir_is_ours ())
    dir = xasprintf ("/run/user/%u/nook", (unsigned)getuid ());
  else
    dir = xasprintf ("/tmp/nook-%u", (unsigned)getuid ());
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    {
      nook_error_errno (err, "create the state directory `%s`", dir);
      free (dir);
      return NULL;
    }
  /* lstat: a symlink planted by another user in /tmp is refused too.  */
  if (lstat (dir, &st) < 0 || !S_ISDIR (st.st_mode) || st.st_uid != getuid () || (st.st_mode & 077))
    {
      nook_error_set (err, 0, "the state directory `%s` is not a directory of yours with mode 0700", dir);
      nook_error_hint (err, "remove it, or set XDG_RUNTIME_DIR to a private directory");
      free (dir);
      return NULL;
    }
  return dir;
}

bool
nook_path_is_beneath (const char *path, const char *dir)
{
  size_t n = strlen (dir);

  if (strcmp (dir, "/") == 0)
    return true;
  return strncmp (path, dir, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

bool
nook_name_is_valid (const char *name)
{
  size_t n = strlen (name);
  if (n == 0 || n > 63 || !isalnum ((unsigned char)name[0]))
    return false;
  for (size_t i = 1; i < n; i++)
    if (!isalnum ((unsigned char)name[i]) && !strchr ("_.-", name[i]))
      return false;
  return true;
}

void
nook_log_init (void)
{
  clock_gettime (CLOCK_MONOTONIC, &log_start);
}

void
nook_log (const char *fmt, ...)
{
  struct timespec now;
  double ms;
  va_list ap;
  char line[1024], *shown;

  if (!nook_verbose)
    return;
  clock_gettime (CLOCK_MONOTONIC, &now);
  ms = (now.tv_sec - log_start.tv_sec) * 1e3 + (now.tv_nsec - log_start.tv_nsec) / 1e6;
  va_start (ap, fmt);
  vsnprintf (line, sizeof line, fmt, ap);
  va_end (ap);
  /* One write per line, so lines from the parent and the sandbox do not mix.  */
  shown = nook_escape_text (line);
  dprintf (STDERR_FILENO, "nook: [%8.3f ms] %s\n", ms, shown);
  free (shown);
}

void
nook_warn (const char *fmt, ...)
{
  va_list ap;
  char line[1024], *shown;

  va_start (ap, fmt);
  vsnprintf (line, sizeof line, fmt, ap);
  va_end (ap);
  shown = nook_escape_text (line);
  dprintf (STDERR_FILENO, "nook: warning: %s\n", shown);
  free (shown);
}
