/* nook: building the root plan, purely.
 *
 * The spec and the host's facts (root-plan.h) in, the ordered list of
 * mount operations out; no system call, so that the default root's shape
 * for any caller (merged /usr or not, a cwd bound or not) is unit-tested
 * without a filesystem.  mount.c reads the facts, checks what needs the
 * filesystem and carries the operations out.
 */
#include <config.h>

#include <linux/capability.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "caller.h"
#include "caps.h"
#include "root-plan.h"
#include "utils.h"

/* The host's directories that the default root binds read-only.  */
static const char *const host_system_dirs[] = { "/usr", "/etc", NULL };

/* What else programs look for, read-only and only where the host has it:
   /opt and /srv, and of /var just what `dpkg -l` and apt's reading
   commands (apt list, apt-cache policy) need: dpkg's database, apt's
   lists and state, apt's package cache.  The rest of /var stays out: the
   state of other services (/var/lib/NAME: databases, keys), mail, spools
   and /var/log belong to nobody in the sandbox.  */
static const char *const host_optional_dirs[]
    = { "/opt", "/srv", "/var/lib/dpkg", "/var/lib/apt", "/var/cache/apt", NULL };

static void
plan_add (struct nook_root_plan *plan, const struct nook_mount_op *op)
{
  plan->ops = xrealloc (plan->ops, (plan->n_ops + 1) * sizeof *plan->ops);
  plan->ops[plan->n_ops] = *op;
  plan->ops[plan->n_ops].src = xstrdup (op->src);
  plan->ops[plan->n_ops].dest = xstrdup (op->dest);
  plan->n_ops++;
}

static void
plan_add_simple (struct nook_root_plan *plan, enum nook_mount_kind kind, const char *src, const char *dest,
                 unsigned flags, mode_t mode)
{
  struct nook_mount_op op = { kind, flags, (char *)src, (char *)dest, mode, 0, -1, NULL };
  plan_add (plan, &op);
}

static bool
path_is_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Whether a user mount puts something at the caller's working directory
   or above it (nook try's overlay, a --bind of it): then the command
   starts there even when the default root does not bind it.  */
static bool
user_mount_covers (const struct nook_spec *spec, const char *cwd)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if ((spec->mounts[i].kind == NOOK_MNT_BIND || spec->mounts[i].kind == NOOK_MNT_OVERLAY)
        && spec->mounts[i].dest && path_is_under (cwd, spec->mounts[i].dest))
      return true;
  return false;
}

/* A fresh /proc, /dev and /tmp: every root has them.  */
static void
plan_kernel_dirs (struct nook_root_plan *plan)
{
  /* The host's /proc, when the PID namespace is shared, read-only.  */
  plan_add_simple (plan, NOOK_MNT_PROC, NULL, "/proc", NOOK_MNT_F_RDONLY, 0);
  plan_add_simple (plan, NOOK_MNT_DEV, NULL, "/dev", 0, 0);
  plan_add_simple (plan, NOOK_MNT_TMPFS, NULL, "/tmp", 0, 01777);
}

/* Whether one of the user's mounts goes strictly inside DIR: its mount
   point may not exist there, and a read-only bind of the host's DIR
   would leave no way to make it (--layers-at /srv/merged).  The user's
   mounts then get the root's own directory instead of the host's.  */
static bool
user_mount_inside (const struct nook_spec *spec, const char *dir)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (spec->mounts[i].dest && strcmp (spec->mounts[i].dest, dir) != 0
        && path_is_under (spec->mounts[i].dest, dir))
      return true;
  return false;
}

/* With --share-ipc the sandbox shares the host's POSIX shared memory
   too: /dev/shm is where glibc's shm_open and sem_open look for it.  */
static void
plan_shared_shm (const struct nook_spec *spec, struct nook_root_plan *plan)
{
  if (spec->share & NOOK_NS_IPC)
    plan_add_simple (plan, NOOK_MNT_BIND, "/dev/shm", "/dev/shm", NOOK_MNT_F_TRY, 0);
}

/* The writable places programs expect besides /tmp (private tmpfs: /var/tmp
   outlives reboots on a host, not here; /run holds pid files and sockets),
   the host's optional directories read-only, and /var/run as the usual
   symlink.  A host /etc/resolv.conf that points into /run (systemd-resolved's
   stub file) keeps working: its target is bound into the private /run.
   /var/tmp and /run are directories of the root's own tmpfs, each bound
   read-write on itself (the root is made read-only): a tmpfs instance each
   would cost a superblock to set up and another to shut down at the exit,
   for nothing a program sees (rename and link across them still fail with
   EXDEV, as the kernel compares mounts, not superblocks).  */
static void
plan_default_extras (const struct nook_spec *spec, const struct nook_root_facts *facts,
                     struct nook_root_plan *plan)
{
  plan_add_simple (plan, NOOK_MNT_TMPFS, NULL, "/var/tmp", NOOK_MNT_F_SHARED, 01777);
  plan_add_simple (plan, NOOK_MNT_TMPFS, NULL, "/run", NOOK_MNT_F_SHARED, 0755);
  plan_add_simple (plan, NOOK_MNT_SYMLINK, "/run", "/var/run", 0, 0);
  if (facts->resolv_in_run)
    plan_add_simple (plan, NOOK_MNT_BIND, facts->resolv_in_run, facts->resolv_in_run,
                     NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY, 0);
  for (size_t i = 0; host_optional_dirs[i]; i++)
    if (!user_mount_inside (spec, host_optional_dirs[i]))
      plan_add_simple (plan, NOOK_MNT_BIND, host_optional_dirs[i], host_optional_dirs[i],
                       NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY, 0);
}

/* The default root: the host's system directories read-only (merged-/usr
   symlinks reproduced as symlinks), fresh /proc, /dev and /tmp, /var/tmp
   and /run, /opt, /srv and apt's and dpkg's state read-only, the home
   directory hidden under an empty tmpfs and the working directory bound
   read-write at its own path when the cwd rule says so; otherwise the
   command starts in the sandbox's own empty /tmp.  */
static void
plan_default_root (const struct nook_spec *spec, const struct nook_caller *caller,
                   const struct nook_root_facts *facts, struct nook_root_plan *plan)
{
  const char *cwd = caller->cwd, *home = caller->home;
  bool bound = nook_cwd_is_bound (facts->cwd_why);

  for (size_t i = 0; host_system_dirs[i]; i++)
    plan_add_simple (plan, NOOK_MNT_BIND, host_system_dirs[i], host_system_dirs[i],
                     NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY, 0);
  for (size_t i = 0; i < facts->n_tops; i++)
    {
      const struct nook_root_host_top *top = &facts->tops[i];
      if (top->link)
        plan_add_simple (plan, NOOK_MNT_SYMLINK, top->link, top->path, 0, 0);
      else
        plan_add_simple (plan, NOOK_MNT_BIND, top->path, top->path, NOOK_MNT_F_RDONLY, 0);
    }
  plan_kernel_dirs (plan);
  plan_shared_shm (spec, plan);
  plan_default_extras (spec, facts, plan);

  /* The home is covered whatever the cwd: a bind of the cwd, even of the
     home itself with --bind-cwd, goes on top.  A home in /tmp is hidden
     by the fresh /tmp already.  */
  if (home && strcmp (home, "/") != 0 && !path_is_under (home, "/tmp"))
    plan_add_simple (plan, NOOK_MNT_TMPFS, NULL, home, 0, 0700);
  if (bound)
    plan_add_simple (plan, NOOK_MNT_BIND, cwd, cwd, spec->fs.cwd_readonly ? NOOK_MNT_F_RDONLY : 0, 0);
  plan->workdir = xstrdup (bound || user_mount_covers (spec, cwd) ? cwd : "/tmp");
}

/* The overlay op that is the root itself (no --layers-at), or NULL.  */
static const struct nook_mount_op *
root_overlay (const struct nook_spec *spec)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (spec->mounts[i].kind == NOOK_MNT_OVERLAY && spec->mounts[i].dest == NULL)
      return &spec->mounts[i];
  return NULL;
}

bool
nook_root_plan_is_default (const struct nook_spec *spec)
{
  return spec->rootfs == NULL && root_overlay (spec) == NULL && !spec->root_empty;
}

int
nook_root_plan_check (const struct nook_spec *spec, struct nook_error *err)
{
  if (!nook_root_plan_is_default (spec) && spec->cwd_mode == NOOK_CWD_FORCE)
    {
      nook_error_set (err, 0, "--bind-cwd: only the composed root binds the current directory");
      return nook_error_hint (err, "with --rootfs or --layer, share it with --bind \"$PWD\" DEST");
    }
  return 0;
}

int
nook_root_plan_compose (const struct nook_spec *spec, const struct nook_caller *caller,
                        const struct nook_root_facts *facts, struct nook_root_plan *plan,
                        struct nook_error *err)
{
  const struct nook_mount_op *root_ov = root_overlay (spec);

  memset (plan, 0, sizeof *plan);
  if (nook_root_plan_check (spec, err) < 0)
    return -1;
  if (spec->root_empty)
    {
      /* Nothing but the user's operations, on a writable tmpfs; the
         command starts in the caller's directory when they made it, else
         in the home, else in / (nook_root_setup falls back).  */
      plan->workdir = xstrdup (caller->cwd ? caller->cwd : "/");
      plan->home = xstrdup (caller->home ? caller->home : "/");
    }
  else if (spec->rootfs || root_ov)
    {
      /* The root overlay comes first: it is the staging mount itself.  */
      if (root_ov)
        plan_add (plan, root_ov);
      if (!spec->fs.bare_root)
        {
          plan_kernel_dirs (plan);
          plan_shared_shm (spec, plan);
        }
      plan->workdir = xstrdup ("/");
    }
  else
    {
      plan->root_tmpfs = true;
      plan_default_root (spec, caller, facts, plan);
    }
  plan->n_base = plan->n_ops;
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (&spec->mounts[i] != root_ov)
      plan_add (plan, &spec->mounts[i]);
  if (spec->chdir)
    {
      free (plan->workdir);
      plan->workdir = xstrdup (spec->chdir);
      free (plan->home);
      plan->home = NULL;
    }
  plan->srcfds = xmalloc (plan->n_ops * sizeof (int));
  for (size_t i = 0; i < plan->n_ops; i++)
    plan->srcfds[i] = -1;
  plan->overlays = xcalloc (plan->n_ops, sizeof *plan->overlays);
  return 0;
}

/* Inserts OP after the base root's operations, before the user's.  Only
   called before any bind source is opened: every srcfd is still -1.  */
static void
plan_insert_base (struct nook_root_plan *plan, const struct nook_mount_op *op)
{
  struct nook_mount_op added;
  size_t at = plan->n_base, after;

  plan_add (plan, op);
  after = plan->n_ops - 1 - at;
  added = plan->ops[plan->n_ops - 1];
  memmove (&plan->ops[at + 1], &plan->ops[at], after * sizeof *plan->ops);
  plan->ops[at] = added;
  /* The arrays kept per op move with the ops.  */
  plan->srcfds = xrealloc (plan->srcfds, plan->n_ops * sizeof (int));
  memmove (&plan->srcfds[at + 1], &plan->srcfds[at], after * sizeof (int));
  plan->srcfds[at] = -1;
  plan->overlays = xrealloc (plan->overlays, plan->n_ops * sizeof *plan->overlays);
  memmove (&plan->overlays[at + 1], &plan->overlays[at], after * sizeof *plan->overlays);
  memset (&plan->overlays[at], 0, sizeof *plan->overlays);
  plan->n_base++;
}

void
nook_root_plan_add_file (struct nook_root_plan *plan, const char *dest, const char *content)
{
  struct nook_mount_op op = { .kind = NOOK_MNT_FILE,
                              .flags = NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY,
                              .src = (char *)content,
                              .dest = (char *)dest,
                              .mode = 0644,
                              .fd = -1 };
  plan_insert_base (plan, &op);
}

void
nook_root_plan_add_op (struct nook_root_plan *plan, const struct nook_mount_op *op)
{
  plan_insert_base (plan, op);
}

void
nook_root_plan_add_bind (struct nook_root_plan *plan, const char *src, const char *dest)
{
  struct nook_mount_op op = {
    .kind = NOOK_MNT_BIND, .flags = NOOK_MNT_F_RDONLY, .src = (char *)src, .dest = (char *)dest, .fd = -1
  };
  plan_insert_base (plan, &op);
}

void
nook_root_facts_release (struct nook_root_facts *facts)
{
  for (size_t i = 0; i < facts->n_tops; i++)
    free (facts->tops[i].link);
  free (facts->resolv_in_run);
  memset (facts, 0, sizeof *facts);
}

bool
nook_root_plan_may_trace (const struct nook_spec *spec, bool landlock)
{
  return !landlock && (nook_caps_for_spec (spec) & (UINT64_C (1) << CAP_SYS_PTRACE));
}

bool
nook_root_plan_uses_fuse (const struct nook_root_plan *plan)
{
  for (size_t i = 0; i < plan->n_ops; i++)
    if (plan->ops[i].kind == NOOK_MNT_OVERLAY && plan->overlays[i].kind == NOOK_OVERLAY_FUSE)
      return true;
  return false;
}

int
nook_root_plan_check_tracers (const struct nook_spec *spec, const struct nook_root_plan *plan, bool landlock,
                              struct nook_error *err)
{
  if (!nook_root_plan_may_trace (spec, landlock) || !nook_root_plan_uses_fuse (plan))
    return 0;
  nook_error_set (err, 0,
                  "layers through fuse-overlayfs with CAP_SYS_PTRACE and without Landlock: the command could "
                  "trace fuse-overlayfs, which holds the layers' host directories");
  return nook_error_hint (err, "keep Landlock on (it is off with --landlock off, --allow-nested or "
                               "--cap-add SYS_ADMIN), drop SYS_PTRACE, or use --overlay kernel");
}
