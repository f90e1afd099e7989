/* nook: a cgroup at a path its caller names; see cgroup-path.h.  */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-path.h"
#include "cgroup-systemd.h"
#include "utils.h"

#define SANDBOX_LEAF "sandbox"
#define DEFAULT_PARENT "nook-oci"

/* The controllers nook enables on the way down: all it knows of, so that
   `update` can set any limit later.  */
#define KNOWN_CTL                                                                                            \
  (NOOK_CG_CPU | NOOK_CG_MEMORY | NOOK_CG_PIDS | NOOK_CG_IO | NOOK_CG_CPUSET | NOOK_CG_HUGETLB)

void
nook_cgroup_where_free (struct nook_cgroup_where *where)
{
  free (where->dir);
  free (where->top);
  memset (where, 0, sizeof *where);
}

/* PATH's components, checked: none empty after collapsing slashes, none
   `.` or `..`, none a name nook's own layout uses.  Returns PATH without
   leading, trailing or doubled slashes.  */
static char *
clean_path (const char *path, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (path);
  char *out = xcalloc (1, strlen (path) + 1), *save = NULL;

  for (char *c = strtok_r (copy, "/", &save); c; c = strtok_r (NULL, "/", &save))
    {
      if (strcmp (c, ".") == 0 || strcmp (c, "..") == 0 || strcmp (c, "nook") == 0
          || strcmp (c, "nook-caller") == 0 || strchr (c, '\n'))
        {
          free (out);
          nook_error_set (err, 0, "cgroupsPath `%s`: the component `%s` is not allowed", path, c);
          nook_error_hint (err, "use plain names: no `.`, `..`, `nook` or `nook-caller`");
          return NULL;
        }
      if (*out)
        strcat (out, "/");
      strcat (out, c);
    }
  return out;
}

/* systemd's form, SLICE:PREFIX:NAME: the scope PREFIX-NAME.scope in SLICE.  */
static int
enter_systemd_scope (const char *path, const char *id, char **why, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (path ? path : "");
  cleanup_free char *unit = NULL;
  char *prefix = NULL, *name = NULL, *slice = copy;
  struct nook_error serr = { 0 };

  if (*copy)
    {
      prefix = strchr (copy, ':');
      name = prefix ? strchr (prefix + 1, ':') : NULL;
      if (name == NULL)
        return nook_error_set (err, 0, "cgroupsPath `%s`: with --systemd-cgroup, SLICE:PREFIX:NAME", path);
      *prefix++ = '\0';
      *name++ = '\0';
    }
  unit = xasprintf ("%s%s%s.scope", prefix && *prefix ? prefix : "nook-oci", "-", name && *name ? name : id);
  if (strchr (unit, '/')
      || (*slice
          && (strchr (slice, '/') || strlen (slice) < 6 || strcmp (slice + strlen (slice) - 6, ".slice"))))
    return nook_error_set (err, 0, "cgroupsPath `%s`: not a systemd slice and scope name", path);
  if (geteuid () != 0 && !nook_systemd_available ())
    {
      *why = xstrdup ("no systemd user manager answers (--systemd-cgroup)");
      return 0;
    }
  if (nook_systemd_enter_unit (unit, *slice ? slice : NULL, &serr) < 0)
    {
      *why = xstrdup (serr.msg ? serr.msg : "the systemd manager made no scope");
      nook_error_release (&serr);
    }
  return 0;
}

/* Whether a cgroup v2 tree with controllers is there for this caller;
   WHY says what is missing otherwise.  */
static bool
usable (const struct nook_cgroup_info *info, char **why)
{
  if (info->mode == NOOK_CGROUP_HYBRID)
    *why = xstrdup ("this host runs cgroups in hybrid mode: the controllers belong to cgroup v1");
  else if (info->mode != NOOK_CGROUP_V2)
    *why = xstrdup ("this host has no cgroup v2 hierarchy");
  else if (geteuid () != 0 && !info->delegated)
    *why = xasprintf ("your cgroup `%s` is not delegated to you", info->path);
  else if ((info->available & KNOWN_CTL) == 0)
    *why = xasprintf ("your cgroup `%s` has no controllers", info->path);
  return *why == NULL;
}

/* runc's and crun's places: absolute from the cgroup2 root, relative
   beside the runtime's cgroup (its parent, which has no processes).  A
   caller who is not root can only use its delegated cgroup C: both go
   there, and a path already inside C stays as it is.  */
static void
place (const struct nook_cgroup_info *info, const char *path, const char *rel, const char *id,
       struct nook_cgroup_where *where)
{
  bool root = geteuid () == 0;
  cleanup_free char *base = xstrdup (info->path);
  size_t blen;

  if (root)
    {
      char *slash = strrchr (base, '/');
      if (slash)
        *slash = '\0';
    }
  blen = strlen (base);
  if (*rel == '\0')
    rel = NULL;
  if (root && path && path[0] == '/')
    {
      where->top = xstrdup ("");
      where->dir = xasprintf ("/%s", rel ? rel : id);
    }
  else if (rel && path[0] == '/' && strncmp (path, base, blen) == 0 && path[blen] == '/' && blen > 1)
    {
      where->top = xstrdup (base);
      where->dir = xasprintf ("/%s", rel);
    }
  else
    {
      where->top = xstrdup (base);
      where->dir = rel ? xasprintf ("%s/%s", strcmp (base, "/") ? base : "", rel)
                       : xasprintf ("%s/%s/%s", strcmp (base, "/") ? base : "", DEFAULT_PARENT, id);
    }
  where->move_top = !root;
}

int
nook_cgroup_locate (const char *path, const char *id, bool systemd, struct nook_cgroup_where *where,
                    char **why, struct nook_error *err)
{
  struct nook_cgroup_info info = { 0 };
  cleanup_free char *rel = NULL;
  int r = -1;

  memset (where, 0, sizeof *where);
  *why = NULL;
  /* A bad path is an error wherever the container runs.  */
  if (!systemd && (rel = clean_path (path ? path : "", err)) == NULL)
    return -1;
  if (nook_cgroup_probe (&info, err) < 0)
    return -1;
  if (!usable (&info, why) && !(systemd && info.mode == NOOK_CGROUP_V2))
    goto done;
  free (steal_pointer (why));
  if (systemd)
    {
      /* In the scope, the cgroup is a child of it: the scope itself
         belongs to systemd, which sets no limits of ours.  */
      if (enter_systemd_scope (path, id, why, err) < 0 || *why)
        goto out;
      nook_cgroup_info_free (&info);
      if (nook_cgroup_probe (&info, err) < 0 || !usable (&info, why))
        goto out;
      where->top = xstrdup (info.path);
      where->dir = xasprintf ("%s/container", strcmp (info.path, "/") ? info.path : "");
      where->move_top = true;
    }
  else
    place (&info, path, rel, id, where);
  where->ctl = info.available & KNOWN_CTL;
  {
    char *dir = xasprintf ("%s%s", info.mount, where->dir), *top = xasprintf ("%s%s", info.mount, where->top);
    free (where->dir);
    free (where->top);
    where->dir = dir;
    where->top = top;
  }
done:
  r = 0;
out:
  nook_cgroup_info_free (&info);
  if (r < 0 || *why)
    {
      free (where->dir);
      free (where->top);
      where->dir = where->top = NULL;
    }
  return r;
}

/* The cgroups from TOP down to DIR's parent exist, each with the
   controllers enabled; returns DIR's parent open.  */
static int
open_parent (const struct nook_cgroup_where *where, struct nook_error *err)
{
  cleanup_close int fd = open (where->top, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const char *rest = where->dir + strlen (where->top);
  cleanup_free char *copy = NULL;
  char *save = NULL, *c, *next;

  if (fd < 0)
    return nook_error_errno (err, "open the cgroup `%s`", where->top);
  if (where->move_top)
    {
      cleanup_free char *procs = NULL;
      if (nook_read_file_at (fd, "cgroup.procs", &procs, NULL, err) < 0)
        return -1;
      if (procs[0] && nook_cgroup_move_caller (fd, err) < 0)
        return nook_error_wrap (err, "cgroup `%s`", where->top);
    }
  copy = xstrdup (rest);
  for (c = strtok_r (copy, "/", &save); c; c = next)
    {
      int sub;
      next = strtok_r (NULL, "/", &save);
      if (nook_cgroup_enable (fd, where->ctl, err) < 0)
        return nook_error_wrap (err, "cgroup `%s`", where->dir);
      if (next == NULL)
        break;
      if (mkdirat (fd, c, 0755) < 0 && errno != EEXIST)
        return nook_error_errno (err, "create the cgroup `%s` of `%s`", c, where->dir);
      sub = openat (fd, c, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (sub < 0)
        return nook_error_errno (err, "open the cgroup `%s` of `%s`", c, where->dir);
      close (fd);
      fd = sub;
    }
  return steal_fd (&fd);
}

int
nook_cgroup_make (const struct nook_cgroup_where *where, const struct nook_limits *limits,
                  struct nook_cgroup *cg, struct nook_error *err)
{
  cleanup_close int parent = open_parent (where, err);
  const char *name = strrchr (where->dir, '/') + 1;

  if (parent < 0)
    return -1;
  if (mkdirat (parent, name, 0755) < 0)
    {
      if (errno == EEXIST)
        {
          nook_error_set (err, 0, "the cgroup `%s` exists already", where->dir);
          return nook_error_hint (err, "another container may use it: give each its own cgroupsPath");
        }
      return nook_error_errno (err, "create the cgroup `%s`", where->dir);
    }
  cg->dir = xstrdup (where->dir);
  cg->name = xstrdup (name);
  cg->need = where->ctl;
  cg->lock_fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (cg->lock_fd < 0)
    nook_error_errno (err, "open the cgroup `%s`", where->dir);
  else if (nook_cgroup_write_limits (cg->lock_fd, limits, err) < 0
           || nook_cgroup_enable (cg->lock_fd, where->ctl & ~NOOK_CG_CPUSET, err) < 0)
    nook_error_wrap (err, "cgroup `%s`", where->dir);
  else if (mkdirat (cg->lock_fd, SANDBOX_LEAF, 0755) < 0
           || (cg->leaf_fd = openat (cg->lock_fd, SANDBOX_LEAF, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    nook_error_errno (err, "create the cgroup `%s/%s`", where->dir, SANDBOX_LEAF);
  else
    return 0;
  if (cg->lock_fd < 0)
    unlinkat (parent, name, AT_REMOVEDIR);
  nook_cgroup_destroy (cg);
  return -1;
}

int
nook_cgroup_open_dir (const char *dir, struct nook_error *err)
{
  cleanup_close int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  struct statfs sfs;

  if (fd < 0)
    return nook_error_errno (err, "open the cgroup `%s`", dir);
  if (fstatfs (fd, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
    return nook_error_set (err, 0, "`%s` is no cgroup v2 directory", dir);
  return steal_fd (&fd);
}

bool
nook_cgroup_sub_valid (const char *sub)
{
  size_t len = strlen (sub);

  if (len == 0 || len >= PATH_MAX || sub[0] == '/' || strchr (sub, '\n'))
    return false;
  for (const char *c = sub; c <= sub + len; c += strcspn (c, "/") + 1)
    {
      size_t n = strcspn (c, "/");
      if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
        return false;
    }
  return true;
}

int
nook_cgroup_open_sub (const char *dir, const char *sub, struct nook_error *err)
{
  struct open_how how
      = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC,
          .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV };
  cleanup_close int top = nook_cgroup_open_dir (dir, err);
  cleanup_close int leaf = -1, fd = -1;
  struct statfs sfs;

  if (!nook_cgroup_sub_valid (sub))
    {
      nook_error_set (err, 0, "`%s` is no path below the container's cgroup", sub);
      return nook_error_hint (err, "give a relative path of plain names, such as `a/b`: no `.`, `..` or "
                                   "leading `/`");
    }
  if (top < 0)
    return -1;
  leaf = openat (top, SANDBOX_LEAF, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (leaf < 0)
    return nook_error_errno (err, "open the cgroup `%s/%s`", dir, SANDBOX_LEAF);
  fd = (int)syscall (SYS_openat2, leaf, sub, &how, sizeof how);
  if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
    {
      nook_error_set (err, 0, "no cgroup `%s` below the container's cgroup", sub);
      return nook_error_hint (err, "make it first (mkdir in the container's /sys/fs/cgroup, or %s/%s/%s)",
                              dir, SANDBOX_LEAF, sub);
    }
  if (fd < 0)
    return nook_error_errno (err, "open the cgroup `%s` below the container's", sub);
  if (fstatfs (fd, &sfs) < 0 || sfs.f_type != CGROUP2_SUPER_MAGIC)
    return nook_error_set (err, 0, "`%s` below the container's cgroup is no cgroup", sub);
  return steal_fd (&fd);
}

int
nook_cgroup_update (const char *dir, const struct nook_limits *limits, struct nook_error *err)
{
  cleanup_close int fd = nook_cgroup_open_dir (dir, err);

  if (fd < 0 || nook_cgroup_write_limits (fd, limits, err) < 0)
    return -1;
  return 0;
}

/* Sends SIG to the processes of DIRFD's cgroup and of every one below.  */
static void
signal_tree (int fd, int sig)
{
  cleanup_free char *procs = NULL;
  cleanup_close int scan = openat (fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  char *save = NULL;
  DIR *d;
  struct dirent *de;

  if (nook_read_file_at (fd, "cgroup.procs", &procs, NULL, NULL) == 0)
    for (char *l = strtok_r (procs, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
      kill (atoi (l), sig);
  d = scan >= 0 ? fdopendir (steal_fd (&scan)) : NULL;
  if (d == NULL)
    return;
  while ((de = readdir (d)))
    if (de->d_type == DT_DIR && de->d_name[0] != '.')
      {
        cleanup_close int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (sub >= 0)
          signal_tree (sub, sig);
      }
  closedir (d);
}

int
nook_cgroup_signal (const char *dir, int sig, struct nook_error *err)
{
  cleanup_close int fd = nook_cgroup_open_dir (dir, err);

  if (fd < 0)
    return -1;
  if (sig == SIGKILL && nook_write_file_at (fd, "cgroup.kill", "1", 1, NULL) == 0)
    return 0;
  signal_tree (fd, sig);
  return 0;
}

void
nook_cgroup_remove (const char *dir)
{
  struct nook_cgroup cg = NOOK_CGROUP_INIT;
  const char *slash = strrchr (dir, '/');

  if (slash == NULL || (cg.lock_fd = nook_cgroup_open_dir (dir, NULL)) < 0)
    return;
  cg.dir = xstrdup (dir);
  cg.name = xstrdup (slash + 1);
  nook_cgroup_destroy (&cg);
}

bool
nook_cgroup_frozen (const char *dir)
{
  cleanup_close int fd = nook_cgroup_open_dir (dir, NULL);
  cleanup_free char *text = NULL;

  return fd >= 0 && nook_read_file_at (fd, "cgroup.events", &text, NULL, NULL) == 0
         && strstr (text, "frozen 1") != NULL;
}

/* Whether cgroup.events, open as FD, says `frozen WANT`.  Reading it
   also arms the next POLLPRI.  */
static bool
frozen_is (int fd, bool want)
{
  char buf[512];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);

  if (n <= 0)
    return false;
  buf[n] = '\0';
  return strstr (buf, want ? "frozen 1" : "frozen 0") != NULL;
}

int
nook_cgroup_freeze (const char *dir, bool freeze, struct nook_error *err)
{
  cleanup_close int dirfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int events = -1;
  struct timespec start, now;

  if (dirfd < 0)
    return nook_error_errno (err, "open the sandbox's cgroup `%s`", dir);
  events = openat (dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
  if (events < 0)
    return nook_error_errno (err, "open `%s/cgroup.events`", dir);
  if (nook_write_file_at (dirfd, "cgroup.freeze", freeze ? "1" : "0", 1, err) < 0)
    return nook_error_wrap (err, "%s the sandbox's cgroup `%s`", freeze ? "freeze" : "thaw", dir);
  /* The kernel notifies a change of cgroup.events with POLLPRI.  */
  clock_gettime (CLOCK_MONOTONIC, &start);
  do
    {
      struct pollfd pfd = { events, POLLPRI, 0 };
      if (frozen_is (events, freeze))
        return 0;
      poll (&pfd, 1, 100);
      clock_gettime (CLOCK_MONOTONIC, &now);
    }
  while (now.tv_sec - start.tv_sec < 10);
  return nook_error_set (err, 0, "the sandbox's cgroup `%s` was not %s within 10 s", dir,
                         freeze ? "frozen" : "thawed");
}
