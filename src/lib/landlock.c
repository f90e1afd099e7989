/* nook: Landlock rules from the sandbox's root plan (landlock.h).  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/landlock.h>
#include <linux/openat2.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caps.h"
#include "landlock.h"
#include "root-plan.h"
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

/* ---- where writes are allowed: from the root plan ----------------------- */

/* The most paths a state may name: a plan has far fewer operations.  */
#define WRITABLE_MAX 4096

/* DEST as a path without `.` or `..` components or repeated slashes,
   `..` taken lexically and never above /: the key under which the mount
   is recorded and looked for again.  A mount point reached through a
   symlink that `..` then leaves is placed elsewhere than this says: it
   gets no rule, never a rule on something else (allow_writes).  */
static char *
normalize (const char *dest)
{
  size_t len = strlen (dest), n = 0;
  char *out = xmalloc (len + 2);
  const char *p = dest;

  out[n++] = '/';
  while (*p)
    {
      const char *end;
      size_t k;

      while (*p == '/')
        p++;
      /* Not strcspn: its code lies in a block of the C library that
         nothing else of `nook run` touches (64 KiB more of a supervisor's
         peak, docs/design.md).  */
      end = strchrnul (p, '/');
      k = (size_t)(end - p);
      if (k == 0 || (k == 1 && p[0] == '.'))
        ;
      else if (k == 2 && p[0] == '.' && p[1] == '.')
        {
          while (n > 1 && out[n - 1] != '/')
            n--;
          if (n > 1)
            n--;
        }
      else
        {
          if (n > 1)
            out[n++] = '/';
          memcpy (out + n, p, k);
          n += k;
        }
      p = end;
    }
  out[n] = '\0';
  return out;
}

/* Whether OP, carried out, leaves a read-write mount on its dest, as
   mount.c makes each kind: binds and files as their flags say, every new
   tmpfs, /dev and mqueue, a proc but the host's read-only one (the PID
   namespace shared), layers and an overlayfs with an upper.  A directory,
   symlink, chmod, remount or mask makes none.  */
static bool
op_writable (const struct nook_spec *spec, const struct nook_mount_op *op)
{
  bool host_proc = (spec->share & NOOK_NS_PID) && spec->life.pidns_fd < 0;

  if (op->dest == NULL)
    return false;
  switch (op->kind)
    {
    case NOOK_MNT_BIND:
    case NOOK_MNT_FILE:
      return !(op->flags & NOOK_MNT_F_RDONLY);
    case NOOK_MNT_TMPFS:
    case NOOK_MNT_DEV:
    case NOOK_MNT_MQUEUE:
    case NOOK_MNT_OVERLAY:
      return true;
    case NOOK_MNT_PROC:
      return !(host_proc && (op->flags & NOOK_MNT_F_RDONLY));
    case NOOK_MNT_OVERLAYFS:
      return (op->overlay && op->overlay->upper) || !(op->flags & NOOK_MNT_F_RDONLY);
    default:
      return false;
    }
}

/* Whether the root itself is writable: the layers made the root, an empty
   root's tmpfs, a --rootfs-rw; not the composed root (made read-only
   after the pivot) nor a read-only --rootfs.  */
static bool
root_writable (const struct nook_spec *spec, const struct nook_root_plan *plan)
{
  if (plan->n_ops && plan->ops[0].kind == NOOK_MNT_OVERLAY && plan->ops[0].dest == NULL)
    return true;
  if (spec->rootfs)
    return spec->rootfs_rw;
  return !plan->root_tmpfs;
}

static int
compare_paths (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* Sorts the N paths of PATHS and frees the repeats; PATHS has room for
   its NULL.  */
static void
sort_unique (char **paths, size_t n)
{
  size_t kept = 0;

  qsort (paths, n, sizeof *paths, compare_paths);
  for (size_t i = 0; i < n; i++)
    if (kept && strcmp (paths[kept - 1], paths[i]) == 0)
      free (paths[i]);
    else
      paths[kept++] = paths[i];
  paths[kept] = NULL;
}

char **
nook_landlock_writable (const struct nook_spec *spec, const struct nook_root_plan *plan)
{
  char **paths = xcalloc (plan->n_ops + 2, sizeof *paths);
  size_t n = 0;

  if (root_writable (spec, plan))
    paths[n++] = xstrdup ("/");
  for (size_t i = 0; i < plan->n_ops; i++)
    if (op_writable (spec, &plan->ops[i]))
      paths[n++] = normalize (plan->ops[i].dest);
  sort_unique (paths, n);
  return paths;
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

/* A mountinfo line's mount point (its 5th field, unescaped, in place),
   when the mount is read-write; NULL otherwise.  */
static char *
rw_mount_point (char *line)
{
  char *field[6];
  char *save = NULL, *p = line;

  for (int i = 0; i < 6; i++, p = NULL)
    if ((field[i] = strtok_r (p, " ", &save)) == NULL)
      return NULL;
  if (strncmp (field[5], "rw", 2) != 0 || (field[5][2] != ',' && field[5][2] != '\0'))
    return NULL;
  unescape (field[4]);
  return field[4];
}

void
nook_landlock_add_submounts (const struct nook_root_plan *plan, char ***writable)
{
  cleanup_free char **src = xcalloc (plan->n_ops + 1, sizeof *src);
  cleanup_free char *line = NULL;
  FILE *f = NULL;
  size_t n_ro = 0, len = 0;

  /* Only a bind whose source lies on a read-only mount: its own mount
     stays read-only in the sandbox, and the rule its destination would
     get is refused (allow_writes); the rest need no mount table.  */
  for (size_t i = 0; i < plan->n_ops; i++)
    {
      const struct nook_mount_op *op = &plan->ops[i];
      struct statvfs v;

      if (op->kind != NOOK_MNT_BIND || (op->flags & NOOK_MNT_F_RDONLY) || op->src == NULL || op->dest == NULL
          || statvfs (op->src, &v) < 0 || !(v.f_flag & ST_RDONLY))
        continue;
      src[i] = realpath (op->src, NULL);
      n_ro += src[i] != NULL;
    }
  if (n_ro == 0 || (f = fopen ("/proc/self/mountinfo", "re")) == NULL)
    goto out;
  while (getline (&line, &len, f) > 0)
    {
      char *mp;

      line[strcspn (line, "\n")] = '\0';
      if ((mp = rw_mount_point (line)) == NULL)
        continue;
      for (size_t i = 0; i < plan->n_ops; i++)
        if (src[i] && strcmp (mp, src[i]) != 0 && nook_path_is_beneath (mp, src[i]))
          {
            cleanup_free char *dest = xasprintf ("%s/%s", plan->ops[i].dest, mp + strlen (src[i]));
            cleanup_free char *path = normalize (dest);
            strv_append (writable, path);
          }
    }
  sort_unique (*writable, strv_len (*writable));
out:
  if (f)
    fclose (f);
  for (size_t i = 0; i < plan->n_ops; i++)
    free (src[i]);
}

json_object *
nook_landlock_writable_json (char *const *writable)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; writable && writable[i]; i++)
    json_object_array_add (a, json_object_new_string (writable[i]));
  return a;
}

/* What normalize makes: absolute, no empty, `.` or `..` component.  */
static bool
path_is_plain (const char *path, size_t len)
{
  if (len == 0 || len >= PATH_MAX || path[0] != '/' || strlen (path) != len)
    return false;
  if (len == 1)
    return true;
  for (const char *p = path + 1;;)
    {
      size_t k = strcspn (p, "/");
      if (k == 0 || (k == 1 && p[0] == '.') || (k == 2 && p[0] == '.' && p[1] == '.'))
        return false;
      if (p[k] == '\0')
        return true;
      p += k + 1;
    }
}

int
nook_landlock_writable_from_json (json_object *a, char ***writable, struct nook_error *err)
{
  cleanup_strv char **paths = NULL;
  size_t n;

  *writable = NULL;
  if (a == NULL || !json_object_is_type (a, json_type_array))
    return nook_error_set (err, 0, "the state names no places the command may write under Landlock");
  n = json_object_array_length (a);
  if (n > WRITABLE_MAX)
    return nook_error_set (err, 0, "the state names %zu places to write under Landlock, more than %d", n,
                           WRITABLE_MAX);
  paths = xcalloc (n + 1, sizeof *paths);
  for (size_t i = 0; i < n; i++)
    {
      json_object *s = json_object_array_get_idx (a, i);
      const char *path = json_object_get_string (s);

      if (!json_object_is_type (s, json_type_string)
          || !path_is_plain (path, (size_t)json_object_get_string_len (s)))
        return nook_error_set (err, 0,
                               "the state's Landlock paths hold one that is not a plain absolute path");
      paths[i] = xstrdup (path);
    }
  *writable = steal_pointer (&paths);
  return 0;
}

static int
add_rule (int ruleset, int fd, uint64_t access, const char *what, struct nook_error *err)
{
  struct landlock_path_beneath_attr rule = { .allowed_access = access, .parent_fd = fd };

  if (syscall (SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) < 0)
    return nook_error_errno (err, "landlock: a rule for `%s`", what);
  return 0;
}

/* Write access beneath PATH, resolved inside the sandbox's root as the
   mount was placed (symlinks followed, never out of the root, no magic
   link), and only when PATH leads to the root of a read-write mount.
   nook exec resolves the paths again in a running sandbox, whose
   processes may have renamed a mount point's parent or put a symlink
   there: what they can steer a rule to is then still the root of one of
   the sandbox's read-write mounts, never a plain directory nor a
   read-only mount (a host directory bound read-only, whose inode a
   descriptor from the host could reach read-write).  A path that leads
   nowhere (a bind whose source was missing) or to a mount made
   read-only since (--remount-ro, a read-only bind over it) gets no
   rule: the kernel refuses those writes anyway.  Returns 1 when PATH is a
   directory that got its rule, 0 otherwise.  */
static int
allow_writes (int ruleset, int root, const char *path, uint64_t handled, struct nook_error *err)
{
  struct open_how how = { .flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  cleanup_close int fd = (int)syscall (SYS_openat2, root, path[1] ? path + 1 : ".", &how, sizeof how);
  struct statx stx;
  struct statfs sfs;
  bool dir;

  if (fd < 0 || statx (fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE, &stx) < 0
      || !(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) || fstatfs (fd, &sfs) < 0 || (sfs.f_flags & ST_RDONLY))
    return 0;
  dir = S_ISDIR (stx.stx_mode);
  if (add_rule (ruleset, fd, (dir ? ACCESS_FILE_WRITE | ACCESS_DIR_WRITE : ACCESS_FILE_WRITE) & handled, path,
                err)
      < 0)
    return -1;
  return dir;
}

/* One rule per place of WRITABLE.  A rule on a directory grants its
   access to everything beneath it, across the mounts there, and a
   directory's write access holds a file's: a place beneath one that
   already has its rule (/dev/pts beneath /dev, the working directory
   beneath the home's tmpfs) needs none, and is not opened.  WRITABLE is
   sorted: a directory comes before what lies beneath it.  */
static int
allow_writable (int ruleset, int root, char *const *writable, uint64_t handled, struct nook_error *err)
{
  size_t n = strv_len (writable), n_covered = 0;
  cleanup_free const char **covered = xcalloc (n + 1, sizeof *covered);

  for (size_t i = 0; i < n; i++)
    {
      bool skip = false;
      int r;

      for (size_t j = 0; j < n_covered && !skip; j++)
        skip = nook_path_is_beneath (writable[i], covered[j]);
      if (skip)
        continue;
      r = allow_writes (ruleset, root, writable[i], handled, err);
      if (r < 0)
        return -1;
      if (r == 1)
        covered[n_covered++] = writable[i];
    }
  return 0;
}

int
nook_landlock_apply (char *const *writable, int exec_fd, struct nook_error *err)
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
      || allow_writable (ruleset, root, writable, handled, err) < 0)
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
