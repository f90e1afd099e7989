/* libFuzzer target: nook diff's walk of an upper layer, and nook try
   --commit's application of it, over a tree the input describes.  The
   upper is what a sandboxed command wrote: every name, whiteout, opaque
   mark, symlink and mode in it is hostile.

   The input is lines "WHERE KIND MODE PATH[ TARGET]":
     WHERE  u (the upper) or l (the lower it covered)
     KIND   d directory, f file, l symlink to TARGET, p fifo, w the
            kernel's whiteout (a 0/0 character device: only as root),
            o a directory with the opaque xattr user.overlay.opaque=y
     MODE   octal permissions (directories keep u+rwx: the harness must
            fill and remove them)
     PATH   names separated by '/', any byte but NUL and newline (".wh.x",
            ".wh..wh..opq", ".wh...", escapes); its directories are made
            as needed, "", "." and ".." are skipped.
   Each input is built in a directory of its own: upper/, lower/ and
   outside/ (one file).  Then, as nook diff does, the upper is walked with
   the lower; every change must be a path "/NAME/..." of names that are
   names, its line (nook_change_line) must hold no control byte, and its
   JSON must read back to the same path.  Then, as nook try --commit does,
   the upper is applied to the lower: whether it is refused or applied,
   nothing may appear or change outside the lower (outside/ is compared,
   and the directory holds nothing else).  Never a crash, a leak or a
   hang.  */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "lib/diff-internal.h"
#include "lib/diff.h"
#include "lib/error.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_ENTRIES 64
#define MAX_DEPTH 12
#define OUTSIDE_TEXT "not to be touched\n"

static char base[4096];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  fuzz_workdir ("diff", base, sizeof base);
  return 0;
}

/* Opens (making it when missing) the directory of PATH's last name, beneath
   ROOT without following a symlink; sets *LAST to that name.  Returns the
   fd, or -1 when PATH names nothing to make.  */
static int
open_parent (int root, char *path, char **last)
{
  int fd = dup (root), depth = 0;
  char *save = NULL, *name = strtok_r (path, "/", &save), *next;

  for (; name; name = next)
    {
      next = strtok_r (NULL, "/", &save);
      if (strcmp (name, ".") == 0 || strcmp (name, "..") == 0)
        continue;
      if (next == NULL || ++depth > MAX_DEPTH)
        {
          *last = name;
          return fd;
        }
      int sub = openat (fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (sub < 0 && errno == ENOENT && mkdirat (fd, name, 0755) == 0)
        sub = openat (fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      close (fd);
      if (sub < 0)
        return -1;
      fd = sub;
    }
  close (fd);
  return -1;
}

static void
make_entry (int root, char kind, mode_t mode, char *path, const char *target)
{
  char *name = NULL;
  int dir = open_parent (root, path, &name), fd;

  if (dir < 0)
    return;
  switch (kind)
    {
    case 'd':
    case 'o':
      if (mkdirat (dir, name, 0700) == 0 || errno == EEXIST)
        {
          fchmodat (dir, name, (mode & 07777) | 0700, AT_SYMLINK_NOFOLLOW);
          fd = openat (dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (fd >= 0 && kind == 'o')
            fsetxattr (fd, "user.overlay.opaque", "y", 1, 0);
          if (fd >= 0)
            close (fd);
        }
      break;
    case 'f':
      fd = openat (dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          if (write (fd, name, strlen (name)) < 0)
            abort ();
          fchmod (fd, mode & 07777);
          close (fd);
        }
      break;
    case 'l':
      symlinkat (target ? target : "", dir, name);
      break;
    case 'p':
      mkfifoat (dir, name, mode & 0777);
      break;
    case 'w':
      mknodat (dir, name, S_IFCHR | 0, makedev (0, 0));
      break;
    }
  close (dir);
}

/* Builds the lines of TEXT into DIRFD's upper and lower.  */
static void
build (int dirfd, char *text)
{
  int upper = openat (dirfd, "upper", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  int lower = openat (dirfd, "lower", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char *save = NULL, *line = strtok_r (text, "\n", &save);

  for (int n = 0; line && n < MAX_ENTRIES; line = strtok_r (NULL, "\n", &save), n++)
    {
      char where, kind, *rest, *target;
      unsigned long mode;

      if (strlen (line) < 4 || (line[0] != 'u' && line[0] != 'l') || line[1] != ' ' || line[3] != ' ')
        continue;
      where = line[0], kind = line[2];
      mode = strtoul (line + 4, &rest, 8);
      if (*rest != ' ')
        continue;
      rest++;
      target = strchr (rest, ' ');
      if (target)
        *target++ = '\0';
      make_entry (where == 'u' ? upper : lower, kind, (mode_t)mode, rest, target);
    }
  close (upper);
  close (lower);
}

static bool
has_control (const char *s)
{
  for (; *s; s++)
    if ((unsigned char)*s < 0x20 || *s == 0x7f)
      return true;
  return false;
}

/* Checks a change as nook diff would show it.  */
static void
check_change (const struct nook_change *c)
{
  char *copy, *save = NULL, *line;

  if ((c->kind != 'A' && c->kind != 'C' && c->kind != 'D') || c->path == NULL || c->path[0] != '/')
    abort ();
  copy = strdup (c->path);
  if (copy == NULL)
    abort ();
  /* Every name between the slashes, none empty: strtok_r would skip "//".  */
  if (strstr (c->path, "//") || c->path[strlen (c->path) - 1] == '/')
    abort ();
  for (char *name = strtok_r (copy, "/", &save); name; name = strtok_r (NULL, "/", &save))
    if (!nook_diff_name_ok (name))
      abort ();
  free (copy);
  line = nook_change_line (c, "/prefix");
  if (line == NULL || has_control (line))
    abort ();
  free (line);
}

static void
check_json (const struct nook_changes *changes)
{
  char *text = nook_changes_to_json (changes);
  json_object *arr = json_tokener_parse (text);

  if (arr == NULL || !json_object_is_type (arr, json_type_array)
      || json_object_array_length (arr) != changes->n)
    abort ();
  for (size_t i = 0; i < changes->n; i++)
    {
      json_object *path = NULL;
      if (!json_object_object_get_ex (json_object_array_get_idx (arr, i), "path", &path)
          || strcmp (json_object_get_string (path), changes->v[i].path) != 0)
        abort ();
    }
  json_object_put (arr);
  free (text);
}

/* Nothing but upper, lower and outside in DIRFD, and outside/ as it was.  */
static void
check_outside (int dirfd)
{
  DIR *d = fdopendir (dup (dirfd));
  struct dirent *e;
  char buf[sizeof OUTSIDE_TEXT + 1];
  int fd;
  ssize_t n;

  if (d == NULL)
    abort ();
  while ((e = readdir (d)))
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0 && strcmp (e->d_name, "upper") != 0
        && strcmp (e->d_name, "lower") != 0 && strcmp (e->d_name, "outside") != 0)
      abort (); /* written beside the target */
  closedir (d);
  d = fdopendir (openat (dirfd, "outside", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (d == NULL)
    abort ();
  while ((e = readdir (d)))
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0 && strcmp (e->d_name, "file") != 0)
      abort (); /* written through a symlink out of the target */
  closedir (d);
  fd = openat (dirfd, "outside/file", O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0)
    abort ();
  n = read (fd, buf, sizeof buf);
  close (fd);
  if (n != (ssize_t)strlen (OUTSIDE_TEXT) || memcmp (buf, OUTSIDE_TEXT, (size_t)n) != 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char dir[sizeof base + 32], upper[sizeof dir + 8], lower[sizeof dir + 8];
  char *lowers[] = { lower, NULL };
  char *text;
  struct nook_changes changes;
  struct nook_error err = { 0 };
  int dirfd, fd;

  if (size > 16384)
    return 0;
  snprintf (dir, sizeof dir, "%s/t.XXXXXX", base);
  if (mkdtemp (dir) == NULL || (dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    abort ();
  snprintf (upper, sizeof upper, "%s/upper", dir);
  snprintf (lower, sizeof lower, "%s/lower", dir);
  if (mkdirat (dirfd, "upper", 0755) < 0 || mkdirat (dirfd, "lower", 0755) < 0
      || mkdirat (dirfd, "outside", 0755) < 0)
    abort ();
  fd = openat (dirfd, "outside/file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 || write (fd, OUTSIDE_TEXT, strlen (OUTSIDE_TEXT)) < 0)
    abort ();
  close (fd);

  text = malloc (size + 1);
  if (text == NULL)
    abort ();
  memcpy (text, data, size);
  text[size] = '\0';
  build (dirfd, text);
  free (text);

  if (nook_diff_walk (upper, lowers, &changes, &err) == 0)
    {
      for (size_t i = 0; i < changes.n; i++)
        check_change (&changes.v[i]);
      check_json (&changes);
      nook_changes_free (&changes);
    }
  else if (err.msg == NULL || has_control (err.msg))
    abort (); /* a refusal says why, escaped */
  nook_error_release (&err);

  if (nook_diff_apply_walk (upper, lower, false, &err) < 0 && (err.msg == NULL || has_control (err.msg)))
    abort ();
  nook_error_release (&err);
  check_outside (dirfd);

  if (nook_remove_tree_at (dirfd, "upper") < 0 || nook_remove_tree_at (dirfd, "lower") < 0
      || nook_remove_tree_at (dirfd, "outside") < 0)
    abort ();
  close (dirfd);
  if (rmdir (dir) < 0)
    abort ();
  return 0;
}
