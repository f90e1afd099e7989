/* nook: Landlock rules from the sandbox's own mount table (landlock.h).  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "landlock.h"
#include "spec.h"
#include "utils.h"

/* Debian 12's kernel headers stop at ABI 2; the kernel may speak more.  */
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif
#ifndef LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
#define LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET (1ULL << 0)
#endif

/* The kernel's struct landlock_ruleset_attr as of ABI 6; a kernel that
   knows fewer fields takes it as long as the unknown ones are zero.  */
struct ruleset_attr
{
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

#define ACCESS_READ (LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR)
#define ACCESS_FILE_WRITE (LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE)
#define ACCESS_DIR_WRITE                                                                                     \
  (LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR             \
   | LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK                \
   | LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM              \
   | LANDLOCK_ACCESS_FS_REFER)
/* What a rule on a file (not a directory) may hold.  */
#define ACCESS_ON_FILE (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | ACCESS_FILE_WRITE)

int
nook_landlock_abi (void)
{
  /* The kernel's answer cannot change while it runs: asked once, by nook
     (nook_landlock_wanted), and known to the sandbox it forks.  */
  static int abi = -1;

  if (abi < 0)
    {
      long r = syscall (SYS_landlock_create_ruleset, NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
      abi = r > 0 ? (int)r : 0;
    }
  return abi;
}

int
nook_landlock_wanted (const struct nook_spec *spec, struct nook_error *err)
{
  const struct nook_security *sec = &spec->security;
  bool may_mount = sec->allow_nested || (nook_caps_for_spec (spec) & (UINT64_C (1) << CAP_SYS_ADMIN));

  switch (sec->landlock)
    {
    case NOOK_LANDLOCK_OFF:
      return 0;
    case NOOK_LANDLOCK_ON:
      if (may_mount)
        {
          nook_error_set (err, 0, "--landlock=on: a process under Landlock cannot mount, which %s asks for",
                          sec->allow_nested ? "--allow-nested" : "CAP_SYS_ADMIN");
          return nook_error_hint (err, "leave --landlock at its default (auto) or drop %s",
                                  sec->allow_nested ? "--allow-nested" : "--cap-add SYS_ADMIN");
        }
      if (nook_landlock_abi () == 0)
        {
          nook_error_set (err, 0, "--landlock=on: this kernel has no Landlock");
          return nook_error_hint (err,
                                  "Linux 5.13 or later with `landlock` in its lsm= list; or --landlock=auto");
        }
      return 1;
    case NOOK_LANDLOCK_AUTO:
    default:
      return !may_mount && nook_landlock_abi () > 0;
    }
}

/* Undoes mountinfo's octal escapes (\040 for a space…) in place.  */
static void
unescape (char *s)
{
  char *w = s;
  for (; *s; s++)
    if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' && s[3] >= '0'
        && s[3] <= '7')
      {
        *w++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
        s += 3;
      }
    else
      *w++ = *s;
  *w = '\0';
}

static int
add_rule (int ruleset, int fd, uint64_t access, const char *what, struct nook_error *err)
{
  struct landlock_path_beneath_attr rule = { .allowed_access = access, .parent_fd = fd };

  if (syscall (SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
    return nook_error_errno (err, "landlock: a rule for `%s`", what);
  return 0;
}

/* Write access beneath the mount point PATH.  It is opened without
   following a symlink: a process of a running sandbox (nook exec) could
   have put one where a mount point's parent was, and the rule would then
   widen what it can write.  A mount point that cannot be opened so gets
   no rule: less access, never more.  Returns 1 when PATH is a directory
   that got its rule, 0 otherwise.  */
static int
allow_writes (int ruleset, const char *path, uint64_t handled, struct nook_error *err)
{
  struct open_how how
      = { .flags = O_PATH | O_CLOEXEC | O_NOFOLLOW, .resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
  cleanup_close int fd = (int)syscall (SYS_openat2, AT_FDCWD, path, &how, sizeof how);
  struct stat st;
  bool dir;

  if (fd < 0 || fstat (fd, &st) < 0)
    return 0;
  dir = S_ISDIR (st.st_mode);
  if (add_rule (ruleset, fd, (dir ? ACCESS_FILE_WRITE | ACCESS_DIR_WRITE : ACCESS_FILE_WRITE) & handled, path,
                err)
      < 0)
    return -1;
  return dir;
}

static int
compare_paths (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* One rule per read-write mount of the calling process's mount
   namespace, as /proc/self/mountinfo lists them relative to its root.
   A rule on a directory grants its access to everything beneath it,
   across the mounts there, and a directory's write access holds a
   file's: a mount point beneath one that already has its rule (/dev/pts
   beneath /dev) needs none, and is not opened.  In sorted order a
   directory comes before what lies beneath it.  */
static int
allow_rw_mounts (int ruleset, uint64_t handled, struct nook_error *err)
{
  cleanup_free char *text = NULL;
  cleanup_free char **rw = NULL, **covered = NULL;
  size_t n_rw = 0, n_covered = 0, size = 0;
  char *line, *save = NULL;

  if (nook_read_file_at (AT_FDCWD, "/proc/self/mountinfo", &text, NULL, err) < 0)
    return nook_error_hint (err, "the sandbox needs /proc for Landlock; or --landlock=off");
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS ...  */
      char *field[6], *f, *fsave = NULL;
      size_t n = 0;

      for (f = strtok_r (line, " ", &fsave); f && n < 6; f = strtok_r (NULL, " ", &fsave))
        field[n++] = f;
      if (n < 6 || strncmp (field[5], "rw", 2) != 0 || (field[5][2] != ',' && field[5][2] != '\0'))
        continue;
      unescape (field[4]);
      if (field[4][0] != '/')
        continue;
      if (n_rw == size)
        rw = xrealloc (rw, (size = size ? size * 2 : 32) * sizeof *rw);
      rw[n_rw++] = field[4];
    }
  if (n_rw == 0)
    return 0;
  qsort (rw, n_rw, sizeof *rw, compare_paths);
  covered = xcalloc (n_rw, sizeof *covered);
  for (size_t i = 0; i < n_rw; i++)
    {
      bool skip = false;
      int r;

      for (size_t j = 0; j < n_covered && !skip; j++)
        skip = nook_path_is_beneath (rw[i], covered[j]);
      if (skip)
        continue;
      r = allow_writes (ruleset, rw[i], handled, err);
      if (r < 0)
        return -1;
      if (r == 1)
        covered[n_covered++] = rw[i];
    }
  return 0;
}

int
nook_landlock_apply (int exec_fd, struct nook_error *err)
{
  int abi = nook_landlock_abi ();
  uint64_t handled = LANDLOCK_ACCESS_FS_EXECUTE | ACCESS_READ | ACCESS_FILE_WRITE | ACCESS_DIR_WRITE;
  struct ruleset_attr attr = { 0 };
  cleanup_close int ruleset = -1, root = -1;

  /* What each ABI added: REFER in 2, TRUNCATE in 3.  IOCTL_DEV (5) is not
     handled: a terminal's ioctls must keep working, and the devices a
     sandbox has are those its root gives it.  */
  if (abi < 2)
    handled &= ~LANDLOCK_ACCESS_FS_REFER;
  if (abi < 3)
    handled &= ~LANDLOCK_ACCESS_FS_TRUNCATE;
  attr.handled_access_fs = handled;
  if (abi >= 6)
    attr.scoped = LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
  ruleset = (int)syscall (SYS_landlock_create_ruleset, &attr, sizeof attr, 0);
  if (ruleset < 0)
    return nook_error_errno (err, "landlock: create a ruleset");
  root = open ("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0)
    return nook_error_errno (err, "landlock: open the root");
  if (add_rule (ruleset, root, (LANDLOCK_ACCESS_FS_EXECUTE | ACCESS_READ) & handled, "/", err) < 0
      || allow_rw_mounts (ruleset, handled, err) < 0)
    return -1;
  if (exec_fd >= 0
      && add_rule (ruleset, exec_fd, (LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE) & handled,
                   "nook-init", err)
             < 0)
    return -1;
  if (syscall (SYS_landlock_restrict_self, ruleset, 0) < 0)
    return nook_error_errno (err, "landlock: restrict the sandbox");
  return 0;
}
