/* Keeping nook's runtime directory out of every sandbox.
 *
 * The runtime directory (nook_runtime_dir: $XDG_RUNTIME_DIR/nook, else
 * /run/user/UID/nook, else /tmp/nook-UID) holds what decides how nook treats a sandbox: the state
 * that `nook exec` applies, the seccomp cache, the sockets of shared
 * networks and of slirp4netns.  A sandbox that could write there, or only
 * connect to a socket there, could weaken itself or another one.  Its state
 * is authenticated (state.c) and so is the cache, but the first line of
 * defence is that no sandbox ever sees the directory: a host path that
 * would give it to one (the directory, something inside it, or an
 * ancestor such as /tmp or $XDG_RUNTIME_DIR) is refused as a bind source,
 * a layer or a --rootfs, and the working directory is then not bound.
 *
 * Paths are compared after realpath (symlinks, "..") and, for the
 * ancestors, by device and inode too, so another mount of the same /tmp
 * counts as /tmp.
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "spec.h"
#include "state.h"
#include "utils.h"

/* The runtime directory and its ancestors (the directory first).  */
struct guard
{
  const char *name; /* for messages: "nook's state directory" */
  char path[PATH_MAX];
  struct stat dirs[64]; /* deeper ancestors are not checked by inode, only by path */
  size_t n_dirs;
};

/* G for the directory DIR: its real path and its ancestors' inodes.  */
static int
guard_build (struct guard *g, const char *dir, struct nook_error *err)
{
  char up[PATH_MAX];

  g->n_dirs = 0;
  if (realpath (dir, g->path) == NULL)
    return nook_error_errno (err, "%s `%s`", g->name, dir);
  snprintf (up, sizeof up, "%s", g->path);
  for (;;)
    {
      char *slash = strrchr (up, '/');
      if (stat (up[0] ? up : "/", &g->dirs[g->n_dirs]) == 0
          && g->n_dirs < sizeof g->dirs / sizeof g->dirs[0] - 1)
        g->n_dirs++;
      if (up[0] == '\0' || slash == NULL)
        break;
      *slash = '\0';
    }
  return 0;
}

/* Computed once per process: the runtime directory does not move while
   nook runs, and `nook run` asks for the working directory and again for
   the binds.  */
static const struct guard *
guard_get (struct nook_error *err)
{
  static struct guard g = { .name = "nook's state directory" };
  static bool ready;
  cleanup_free char *dir = NULL;

  if (ready)
    return &g;
  dir = nook_runtime_dir (err);
  if (dir == NULL || guard_build (&g, dir, err) < 0)
    return NULL;
  ready = true;
  return &g;
}

/* resolve() for a path that does not exist: its deepest existing
   ancestor resolved, the rest appended.  A function of its own, so that
   its buffers are no part of the frame of every run's check of its
   current directory: the deepest point of the supervisor's stack, which
   stays resident as long as it runs.  */
static __attribute__ ((noinline)) int
resolve_missing (const char *path, char real[PATH_MAX])
{
  char full[PATH_MAX], head[PATH_MAX], cwd[PATH_MAX];
  char *slash;
  int n;

  if (path[0] == '/')
    n = snprintf (full, sizeof full, "%s", path);
  else if (getcwd (cwd, sizeof cwd))
    n = snprintf (full, sizeof full, "%s/%s", cwd, path);
  else
    return -1;
  if (n >= (int)sizeof full)
    return -1;
  memcpy (head, full, n + 1);
  while ((slash = strrchr (head, '/')) && slash != head)
    {
      *slash = '\0';
      if (realpath (head, real))
        {
          size_t len = strlen (real);
          n = snprintf (real + len, PATH_MAX - len, "%s", full + (slash - head));
          return n < (int)(PATH_MAX - len) ? 0 : -1;
        }
    }
  return -1;
}

/* realpath, for a path that may not exist yet (an --upper nook creates).  */
static int
resolve (const char *path, char real[PATH_MAX])
{
  if (realpath (path, real))
    return 0;
  if (errno != ENOENT)
    return -1;
  return resolve_missing (path, real);
}

static bool
guard_exposes (const struct guard *g, const char *path)
{
  char real[PATH_MAX];
  struct stat st;

  /* A path that cannot be resolved gives nothing (a --*-try bind is
     skipped, anything else fails to mount).  */
  if (resolve (path, real) < 0)
    return false;
  if (nook_path_is_beneath (real, g->path) || nook_path_is_beneath (g->path, real))
    return true;
  if (stat (real, &st) < 0)
    return false;
  for (size_t i = 0; i < g->n_dirs; i++)
    if (st.st_dev == g->dirs[i].st_dev && st.st_ino == g->dirs[i].st_ino)
      return true;
  return false;
}

static bool
is_try_upper (const struct guard *g, const char *path)
{
  char real[PATH_MAX];
  size_t n = strlen (g->path);

  return resolve (path, real) == 0 && strncmp (real, g->path, n) == 0 && strncmp (real + n, "/try-", 5) == 0
         && strchr (real + n + 5, '/');
}

bool
nook_state_path_exposes (const char *path)
{
  struct nook_error err = { 0 };
  const struct guard *g = guard_get (&err);

  /* Without a state directory nothing runs anyway; the answer that binds
     nothing is the safe one.  */
  if (g == NULL)
    {
      nook_error_release (&err);
      return true;
    }
  return guard_exposes (g, path);
}

static int
refuse (const struct guard *g, const char *what, const char *path, struct nook_error *err)
{
  nook_error_set (err, 0, "%s `%s` would give the sandbox %s `%s`", what, path, g->name, g->path);
  return nook_error_hint (err, "give a directory that does not contain it, or keep the state elsewhere: %s",
                          strcmp (g->name, "nook's state directory") == 0
                              ? "nook uses $XDG_RUNTIME_DIR/nook, else /run/user/UID/nook, else /tmp/nook-UID"
                              : "nook-oci's --root");
}

/* Whether SPEC gives the sandbox any host path of the user's choosing.  */
static bool
has_host_paths (const struct nook_spec *spec)
{
  if (spec->rootfs)
    return true;
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (spec->mounts[i].kind == NOOK_MNT_BIND || spec->mounts[i].kind == NOOK_MNT_OVERLAY)
      return true;
  return false;
}

static int
check_binds (const struct guard *g, const struct nook_spec *spec, struct nook_error *err)
{
  if (spec->rootfs && guard_exposes (g, spec->rootfs))
    return refuse (g, "--rootfs", spec->rootfs, err);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct nook_mount_op *op = &spec->mounts[i];
      const struct nook_overlay *ov = op->kind == NOOK_MNT_OVERLAY ? op->overlay : NULL;

      if (op->kind == NOOK_MNT_BIND && op->src && guard_exposes (g, op->src))
        return refuse (g, "bind source", op->src, err);
      for (size_t k = 0; ov && ov->lowers && ov->lowers[k]; k++)
        if (guard_exposes (g, ov->lowers[k]))
          return refuse (g, "layer", ov->lowers[k], err);
      /* An upper is written through by the sandbox.  `nook try` keeps its
         own in RUNTIME/try-*, which hold nothing but that.  */
      if (ov && ov->upper && guard_exposes (g, ov->upper) && !is_try_upper (g, ov->upper))
        return refuse (g, "--upper", ov->upper, err);
    }
  return 0;
}

int
nook_state_check_binds (const struct nook_spec *spec, struct nook_error *err)
{
  const struct guard *g;
  cleanup_free struct guard *other = NULL;

  if (!has_host_paths (spec))
    return 0;
  g = guard_get (err);
  if (g == NULL || check_binds (g, spec, err) < 0)
    return -1;
  /* nook-oci's root holds each container's config and seccomp policy,
     which `nook-oci exec` applies: guarded the same way.  */
  if (spec->life.guarded_dir == NULL)
    return 0;
  other = xcalloc (1, sizeof *other);
  other->name = "nook-oci's state root";
  if (guard_build (other, spec->life.guarded_dir, err) < 0)
    return -1;
  return check_binds (other, spec, err);
}
