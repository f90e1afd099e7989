/* nook: composing the sandbox's root.
 *
 * In nook, nook_root_plan_build reads what the default root depends on
 * (the host's top-level directories, the cwd rule's answer), has
 * root-plan.c compose the operations, and checks what can be checked
 * before any process exists.  In the sandbox, nook_root_setup carries the
 * operations out with the new mount API (open_tree, fsopen, move_mount,
 * mount_setattr), every path resolved inside the new root through
 * openat2, then pivots into it.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "caller.h"
#include "inroot.h"
#include "cwd.h"
#include "mount-internal.h"
#include "mount.h"
#include "state.h"
#include "utils.h"

/* Where the new root is assembled: inside the sandbox's private mount
   namespace, so covering it hides nothing from the host.  Every bind source
   was opened as a detached clone before this is covered.  */
#define STAGING "/tmp"

/* The host's tops that may be merged-/usr symlinks (root-plan.h).  */
static const char *const host_maybe_links[NOOK_ROOT_HOST_TOPS]
    = { "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32" };

/* What the default root depends on: which of the tops exist, as
   directories or as symlinks, and the cwd rule's answer (which fails for
   a --bind-cwd that cannot be honoured).  */
static int
read_facts (const struct nook_spec *spec, const struct nook_caller *caller, struct nook_root_facts *facts,
            struct nook_error *err)
{
  char target[PATH_MAX];

  memset (facts, 0, sizeof *facts);
  if (nook_cwd_for_spec (spec, caller, &facts->cwd_why, err) < 0)
    return -1;
  for (size_t i = 0; i < NOOK_ROOT_HOST_TOPS; i++)
    {
      struct nook_root_host_top *top = &facts->tops[facts->n_tops];
      const char *path = host_maybe_links[i];
      struct stat st;
      ssize_t n;

      if (lstat (path, &st) < 0)
        continue;
      if (S_ISLNK (st.st_mode) && (n = readlink (path, target, sizeof target - 1)) > 0)
        {
          target[n] = '\0';
          top->link = xstrdup (target);
        }
      else if (!S_ISDIR (st.st_mode))
        continue;
      top->path = path;
      facts->n_tops++;
    }
  {
    cleanup_free char *resolv = realpath ("/etc/resolv.conf", NULL);
    if (resolv && strncmp (resolv, "/run/", 5) == 0)
      facts->resolv_in_run = steal_pointer (&resolv);
  }
  return 0;
}

static int
check_user_op (const struct nook_mount_op *op, struct nook_error *err)
{
  if (op->kind == NOOK_MNT_OVERLAY && op->dest == NULL)
    return 0;
  if (op->dest == NULL || op->dest[0] != '/')
    return nook_error_set (err, 0, "mount destination `%s` is not an absolute path",
                           op->dest ? op->dest : "");
  if (op->kind == NOOK_MNT_BIND && !(op->flags & NOOK_MNT_F_TRY) && access (op->src, F_OK) < 0)
    return nook_error_errno (err, "bind `%s` on `%s`", op->src, op->dest);
  if (op->kind == NOOK_MNT_FILE && fcntl (op->fd, F_GETFD) < 0)
    {
      nook_error_set (err, 0, "file `%s`: fd %d is not open", op->dest, op->fd);
      return nook_error_hint (err, "open it for nook, e.g. --file 3 %s 3<SOURCE", op->dest);
    }
  return 0;
}

/* Resolves every overlay op (paths, implementation) while nothing exists
   yet; their ephemeral uppers and fuse mount points go on a tmpfs that the
   sandbox mounts on RUNTIME/mnt, in its own mount namespace.  */
static int
plan_overlays (const struct nook_spec *spec, struct nook_root_plan *plan, struct nook_error *err)
{
  for (size_t i = 0; i < plan->n_ops; i++)
    {
      if (plan->ops[i].kind != NOOK_MNT_OVERLAY)
        continue;
      if (plan->scratch == NULL)
        {
          cleanup_free char *runtime = nook_runtime_dir (err);
          if (runtime == NULL)
            return -1;
          /* A fixed, empty mount point: uppers may live elsewhere in the
             runtime directory (nook try), so it is not covered whole.  */
          plan->scratch = xasprintf ("%s/mnt", runtime);
          if (mkdir (plan->scratch, 0700) < 0 && errno != EEXIST)
            return nook_error_errno (err, "create `%s`", plan->scratch);
        }
      if (nook_overlay_plan (plan->ops[i].overlay, spec->fs.overlay_kind, &plan->overlays[i], err) < 0)
        return -1;
      plan->overlays[i].root = plan->ops[i].dest == NULL;
    }
  return 0;
}

/* What the filesystem must confirm about the spec: a --rootfs that is a
   directory, bind sources that exist, --file fds that are open.  */
static int
check_spec (const struct nook_spec *spec, struct nook_error *err)
{
  struct stat st;

  if (spec->rootfs && stat (spec->rootfs, &st) < 0)
    return nook_error_errno (err, "--rootfs `%s`", spec->rootfs);
  if (spec->rootfs && !S_ISDIR (st.st_mode))
    return nook_error_set (err, ENOTDIR, "--rootfs `%s`", spec->rootfs);
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (check_user_op (&spec->mounts[i], err) < 0)
      return -1;
  return 0;
}

int
nook_root_plan_build (const struct nook_spec *spec, const struct nook_caller *caller,
                      struct nook_root_plan *plan, struct nook_error *err)
{
  struct nook_root_facts facts = { 0 };
  int r;

  memset (plan, 0, sizeof *plan);
  /* The refusals in the order a user meets them: the choice of root,
     then paths that would expose nook's state, then the cwd rule.  */
  if (nook_root_plan_check (spec, err) < 0)
    return -1;
  /* An unlisted run has no state to guard: its caller (bubblewrap's
     command line) hands it whatever host paths it means to.  */
  if (!spec->life.unlisted && nook_state_check_binds (spec, err) < 0)
    return -1;
  /* Only the default root depends on the host's facts.  */
  if (nook_root_plan_is_default (spec) && read_facts (spec, caller, &facts, err) < 0)
    return -1;
  r = nook_root_plan_compose (spec, caller, &facts, plan, err);
  if (r == 0 && plan->root_tmpfs)
    nook_log ("root: `%s` %s (%s); the command starts in `%s`", caller->cwd,
              nook_cwd_is_bound (facts.cwd_why) ? "is bound read-write" : "is not bound",
              nook_cwd_why_text (facts.cwd_why), plan->workdir);
  nook_root_facts_release (&facts);
  if (r < 0 || check_spec (spec, err) < 0)
    return -1;
  return plan_overlays (spec, plan, err);
}

void
nook_root_plan_free (struct nook_root_plan *plan)
{
  for (size_t i = 0; i < plan->n_ops; i++)
    {
      free (plan->ops[i].src);
      free (plan->ops[i].dest);
      if (plan->srcfds && plan->srcfds[i] >= 0)
        close (plan->srcfds[i]);
      if (plan->overlays)
        nook_overlay_mount_release (&plan->overlays[i]);
    }
  free (plan->ops);
  free (plan->srcfds);
  free (plan->overlays);
  free (plan->scratch);
  free (plan->workdir);
  free (plan->home);
  memset (plan, 0, sizeof *plan);
}

/* An op's mode: as given with NOOK_MNT_F_MODE (0 included), else DFLT
   for 0.  */
static mode_t
op_mode (const struct nook_mount_op *op, mode_t dflt)
{
  return (op->flags & NOOK_MNT_F_MODE) || op->mode ? op->mode : dflt;
}

/* ---- mounting --------------------------------------------------------------- */

static int
attach (int mntfd, int rootfd, const char *dest, bool is_dir, struct nook_error *err)
{
  cleanup_close int destfd
      = is_dir ? nook_inroot_mkdir (rootfd, dest, 0755, err) : nook_inroot_mkfile (rootfd, dest, err);
  if (destfd < 0)
    return -1;
  if (move_mount (mntfd, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return nook_error_errno (err, "mount on `%s`", dest);
  return 0;
}

/* Creates a new filesystem instance as a detached mount.  OPTIONS is a
   NULL-terminated list of key, value pairs (value NULL for a flag).  */
static int
new_fs (const char *type, const char *const *options, unsigned attrs, struct nook_error *err)
{
  cleanup_close int fsfd = fsopen (type, FSOPEN_CLOEXEC);
  int mfd;

  if (fsfd < 0)
    return nook_error_errno (err, "create a %s", type);
  for (size_t i = 0; options && options[i]; i += 2)
    if (fsconfig (fsfd, options[i + 1] ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, options[i], options[i + 1],
                  0)
        < 0)
      return nook_error_errno (err, "create a %s with %s=%s", type, options[i],
                               options[i + 1] ? options[i + 1] : "");
  if (fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return nook_error_errno (err, "create a %s", type);
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, attrs);
  if (mfd < 0)
    return nook_error_errno (err, "mount a %s", type);
  return mfd;
}

int
nook_mount_tmpfs (int rootfd, const char *dest, mode_t mode, uint64_t size, unsigned attrs,
                  struct nook_error *err)
{
  char modestr[16], sizestr[32];
  const char *opts[] = { "mode", modestr, size ? "size" : NULL, sizestr, NULL };
  cleanup_close int mfd = -1;

  snprintf (modestr, sizeof modestr, "%o", mode);
  snprintf (sizestr, sizeof sizestr, "%llu", (unsigned long long)size);
  mfd = new_fs ("tmpfs", opts, attrs, err);
  if (mfd < 0 || attach (mfd, rootfd, dest, true, err) < 0)
    return nook_error_wrap (err, "tmpfs on `%s`", dest);
  return 0;
}

/* A bind source becomes a detached clone with its attributes already set,
   recursively, so submounts do not keep a writability the op took away.  */
int
nook_mount_clone_tree (const char *src, unsigned flags, struct nook_error *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID };
  cleanup_close int fd = open_tree (AT_FDCWD, src, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);

  if (fd < 0)
    return -1;
  if (!(flags & NOOK_MNT_F_DEVICES))
    attr.attr_set |= MOUNT_ATTR_NODEV;
  if (flags & NOOK_MNT_F_RDONLY)
    attr.attr_set |= MOUNT_ATTR_RDONLY;
  if (mount_setattr (fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return nook_error_errno (err, "set the attributes of `%s`", src);
  return steal_fd (&fd);
}

/* One layer of a plain overlayfs: by fd where the kernel takes it (no
   escaping of `:`, `,` or `\\` in the path), else by path.  */
static int
overlay_layer (int fsfd, const char *key, const char *path, int base, struct nook_error *err)
{
  cleanup_close int fd = openat (base, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  if (fd < 0)
    return nook_error_errno (err, "overlay: `%s`", path);
  if (fsconfig (fsfd, FSCONFIG_SET_FD, key, NULL, fd) == 0)
    return 0;
  if (fsconfig (fsfd, FSCONFIG_SET_STRING, key, path, 0) == 0)
    return 0;
  return nook_error_errno (err, "overlay: %s `%s`", key, path);
}

/* A plain overlayfs (NOOK_MNT_OVERLAYFS), made while the host's paths
   are visible: the lowers (the last given on top), then the upper and
   work directories given, or a private tmpfs for them, or none.  */
static int
open_overlayfs (const struct nook_mount_op *op, struct nook_error *err)
{
  const struct nook_overlay *ov = op->overlay;
  cleanup_close int fsfd = fsopen ("overlay", FSOPEN_CLOEXEC), tmp = -1;
  size_t n = strv_len (ov->lowers);
  int mfd;

  if (fsfd < 0)
    return nook_error_errno (err, "create an overlay");
  for (size_t i = n; i > 0; i--)
    if (overlay_layer (fsfd, "lowerdir+", ov->lowers[i - 1], AT_FDCWD, err) < 0)
      return -1;
  if (ov->upper
      && (overlay_layer (fsfd, "upperdir", ov->upper, AT_FDCWD, err) < 0
          || overlay_layer (fsfd, "workdir", ov->work, AT_FDCWD, err) < 0))
    return -1;
  if (!ov->upper && !(op->flags & NOOK_MNT_F_RDONLY))
    {
      tmp = new_fs ("tmpfs", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
      if (tmp < 0)
        return -1;
      if (mkdirat (tmp, "upper", 0755) < 0 || mkdirat (tmp, "work", 0755) < 0)
        return nook_error_errno (err, "overlay: its tmpfs");
      if (overlay_layer (fsfd, "upperdir", "upper", tmp, err) < 0
          || overlay_layer (fsfd, "workdir", "work", tmp, err) < 0)
        return -1;
    }
  /* Whiteouts as user.* xattrs: what a user namespace may write.  */
  if (fsconfig (fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0
      || fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return nook_error_errno (err, "mount an overlay on `%s`", op->dest);
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (mfd < 0)
    return nook_error_errno (err, "mount an overlay on `%s`", op->dest);
  return mfd;
}

static bool
same_file (int a, int b)
{
  struct stat sa, sb;
  return fstat (a, &sa) == 0 && fstat (b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

static int
open_bind_sources (struct nook_root_plan *plan, struct nook_error *err)
{
  for (size_t i = 0; i < plan->n_ops; i++)
    {
      struct nook_mount_op *op = &plan->ops[i];
      if (op->kind == NOOK_MNT_OVERLAYFS)
        {
          plan->srcfds[i] = open_overlayfs (op, err);
          if (plan->srcfds[i] < 0)
            return -1;
          continue;
        }
      if (op->kind != NOOK_MNT_BIND)
        continue;
      plan->srcfds[i] = nook_mount_clone_tree (op->src, op->flags, err);
      if (plan->srcfds[i] >= 0 && op->fd >= 0 && !same_file (plan->srcfds[i], op->fd))
        return nook_error_set (err, 0, "Race condition binding dirfd");
      if (plan->srcfds[i] >= 0)
        continue;
      if (err->msg)
        return -1;
      if (errno == ENOENT && (op->flags & NOOK_MNT_F_TRY))
        continue;
      return nook_error_errno (err, "bind `%s` on `%s`", op->src, op->dest);
    }
  return 0;
}

static int
mount_bind (int rootfd, const struct nook_mount_op *op, int srcfd, struct nook_error *err)
{
  struct stat st;

  if (srcfd < 0)
    return 0; /* a --*-try source that does not exist */
  if (fstat (srcfd, &st) < 0)
    return nook_error_errno (err, "stat `%s`", op->src);
  if (attach (srcfd, rootfd, op->dest, S_ISDIR (st.st_mode), err) < 0)
    return nook_error_wrap (err, "bind `%s` on `%s`", op->src, op->dest);
  return 0;
}

/* What a writable host /proc keeps read-only, as bubblewrap covers it.  */
static int
cover_proc (int rootfd, const char *dest, struct nook_error *err)
{
  static const char *const covered[] = { "sys", "sysrq-trigger", "irq", "bus", NULL };
  char path[PATH_MAX];

  for (size_t i = 0; covered[i]; i++)
    {
      snprintf (path, sizeof path, "%s/%s", dest, covered[i]);
      if (nook_inroot_remount_ro (rootfd, path, err) < 0)
        {
          if (err->errnum != ENOENT)
            return -1;
          nook_error_release (err);
        }
    }
  return 0;
}

static int
mount_proc (const struct nook_spec *spec, const struct nook_mount_op *op, int rootfd, struct nook_error *err)
{
  const char *dest = op->dest;
  /* A PID namespace given as an fd gets a proc of its own too.  */
  bool host = (spec->share & NOOK_NS_PID) && spec->life.pidns_fd < 0;
  cleanup_close int mfd = -1;

  /* A proc instance belongs to a PID namespace: with the host's PID
     namespace kept, the host's /proc is the only truthful one: read-only
     with F_RDONLY, else with its system parts covered.  */
  if (host)
    mfd = nook_mount_clone_tree ("/proc", op->flags & NOOK_MNT_F_RDONLY, err);
  else
    mfd = new_fs ("proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);
  if (mfd < 0)
    {
      if (err->msg == NULL)
        nook_error_errno (err, "clone /proc");
      return nook_error_hint (
          err, "the kernel refuses a new proc when the host's /proc has filesystems mounted over "
               "parts of it");
    }
  if (attach (mfd, rootfd, dest, true, err) < 0)
    return nook_error_wrap (err, "proc on `%s`", dest);
  if (host && !(op->flags & NOOK_MNT_F_RDONLY))
    return cover_proc (rootfd, dest, err);
  return 0;
}

/* A minimal /dev: the harmless character devices bound from the host, a
   private devpts instance (so the sandbox sees only its own terminals), a
   tmpfs /dev/shm and the usual symlinks into /proc/self.  */
static int
mount_dev (int rootfd, const char *dest, struct nook_error *err)
{
  static const char *const nodes[] = { "null", "zero", "full", "random", "urandom", "tty", NULL };
  static const char *const links[][2]
      = { { "fd", "/proc/self/fd" },       { "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
          { "stderr", "/proc/self/fd/2" }, { "ptmx", "pts/ptmx" },         { NULL, NULL } };
  static const char *const pts_opts[] = { "newinstance", NULL, "ptmxmode", "0666", "mode", "620", NULL };
  char path[PATH_MAX], host[32];

  if (nook_mount_tmpfs (rootfd, dest, 0755, 0, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, err) < 0)
    return -1;
  for (size_t i = 0; nodes[i]; i++)
    {
      cleanup_close int fd = -1;
      snprintf (host, sizeof host, "/dev/%s", nodes[i]);
      snprintf (path, sizeof path, "%s/%s", dest, nodes[i]);
      fd = nook_mount_clone_tree (host, NOOK_MNT_F_DEVICES, err);
      if (fd < 0)
        return err->msg ? -1 : nook_error_errno (err, "bind `%s`", host);
      if (attach (fd, rootfd, path, false, err) < 0)
        return -1;
    }
  {
    cleanup_close int pts = new_fs ("devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, err);
    snprintf (path, sizeof path, "%s/pts", dest);
    if (pts < 0 || attach (pts, rootfd, path, true, err) < 0)
      return -1;
  }
  /* /dev/shm: a directory of /dev's tmpfs, bound with exec allowed, as a
     tmpfs of its own would be, without a superblock of its own.  */
  snprintf (path, sizeof path, "%s/shm", dest);
  if (nook_inroot_bind_self (rootfd, path, 01777, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err) < 0)
    return -1;
  for (size_t i = 0; links[i][0]; i++)
    {
      snprintf (path, sizeof path, "%s/%s", dest, links[i][0]);
      if (nook_inroot_symlink (rootfd, links[i][1], path, err) < 0)
        return -1;
    }
  return 0;
}

static int
mount_mqueue (const struct nook_spec *spec, int rootfd, const char *dest, struct nook_error *err)
{
  cleanup_close int mfd
      = new_fs ("mqueue", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, err);

  if (mfd < 0 && (spec->share & NOOK_NS_IPC))
    /* An mqueue instance belongs to an IPC namespace, which must be ours.  */
    return nook_error_hint (err, "--mqueue needs the sandbox's own IPC namespace: drop --share-ipc");
  if (mfd < 0 || attach (mfd, rootfd, dest, true, err) < 0)
    return nook_error_wrap (err, "mqueue on `%s`", dest);
  return 0;
}

/* Places a read-only bind of the file at FD over itself.  */
static int
make_file_readonly (int fd, const char *dest, struct nook_error *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
  cleanup_close int clone = open_tree (fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH);

  if (clone < 0 || mount_setattr (clone, "", AT_EMPTY_PATH, &attr, sizeof attr) < 0
      || move_mount (clone, "", fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return nook_error_errno (err, "make `%s` read-only", dest);
  return 0;
}

static int
fill_file (int fd, const struct nook_mount_op *op, mode_t mode, struct nook_error *err)
{
  size_t len = op->src ? strlen (op->src) : 0;

  /* Generated content (op->src) or what the caller's fd reads.  */
  if (op->fd < 0)
    {
      if (nook_write_all (fd, op->src ? op->src : "", len) < 0)
        return nook_error_errno (err, "file `%s`", op->dest);
    }
  else if (nook_copy_fd (op->fd, fd) < 0)
    {
      nook_error_errno (err, "file `%s`: copy from fd %d", op->dest, op->fd);
      return errno == ENOSPC ? nook_error_hint (err, "the tmpfs it is on is full; give it a larger --size")
                             : -1;
    }
  if (fchmod (fd, mode) < 0)
    return nook_error_errno (err, "file `%s`: chmod", op->dest);
  return 0;
}

/* Where DEST's directory is read-only (a file in /etc of the composed
   root), the file is written on a private tmpfs and bound over DEST,
   which must exist.  */
static int
bind_new_file (int rootfd, const struct nook_mount_op *op, mode_t mode, struct nook_error *err)
{
  cleanup_close int mfd = new_fs ("tmpfs", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
  cleanup_close int fd = -1, clone = -1, destfd = -1;

  if (mfd < 0)
    return -1;
  fd = openat (mfd, "file", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0)
    return nook_error_errno (err, "file `%s`", op->dest);
  if (fill_file (fd, op, mode, err) < 0)
    return -1;
  destfd = nook_inroot_mkfile (rootfd, op->dest, err);
  if (destfd < 0)
    return nook_error_wrap (err, "file `%s` (its directory is read-only, so it must exist to be covered)",
                            op->dest);
  clone = open_tree (mfd, "file", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (clone < 0 || move_mount (clone, "", destfd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
    return nook_error_errno (err, "file `%s`", op->dest);
  return 0;
}

/* --file FD DEST: a new file with what the caller's FD reads (a pipe, a
   file, a here-document), written in the sandbox so nook never holds it.  */
static int
mount_file (int rootfd, const struct nook_mount_op *op, struct nook_error *err)
{
  const char *name;
  cleanup_close int parent = nook_inroot_open_parent (rootfd, op->dest, &name, err);
  cleanup_close int fd = -1, path = -1;
  mode_t mode = op_mode (op, 0644);

  if (parent < 0)
    return nook_error_wrap (err, "file `%s`", op->dest);
  /* Generated files (fd -1) are never written into the root, which may be
     the user's --rootfs-rw: they go on a private tmpfs, bound over DEST.  */
  fd = op->fd < 0 || (op->flags & NOOK_MNT_F_PRIVATE)
           ? -1
           : openat (parent, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
  if (op->fd < 0 || (op->flags & NOOK_MNT_F_PRIVATE) || (fd < 0 && errno == EROFS))
    {
      if (bind_new_file (rootfd, op, mode, err) < 0)
        {
          /* A read-only --rootfs without the file keeps its own (absent)
             one rather than failing the run.  */
          if (!(op->flags & NOOK_MNT_F_TRY))
            return -1;
          nook_log ("root: no `%s` in a read-only root, not generated", op->dest);
          nook_error_release (err);
          return 0;
        }
    }
  else if (fd < 0)
    return nook_error_errno (err, "file `%s`", op->dest);
  else if (fill_file (fd, op, mode, err) < 0)
    return -1;
  if (!(op->flags & NOOK_MNT_F_RDONLY))
    return 0;
  path = nook_inroot_open (rootfd, op->dest, O_PATH, err);
  if (path < 0)
    return nook_error_wrap (err, "file `%s`", op->dest);
  return make_file_readonly (path, op->dest, err);
}

static int
mount_layers (int rootfd, const struct nook_mount_op *op, int srcfd, struct nook_error *err)
{
  if (op->dest == NULL)
    return 0; /* the root itself: mounted as the staging root */
  if (attach (srcfd, rootfd, op->dest, true, err) < 0)
    return nook_error_wrap (err, "layers on `%s`", op->dest);
  return 0;
}

static int
apply_op (const struct nook_spec *spec, int rootfd, const struct nook_mount_op *op, int srcfd,
          struct nook_error *err)
{
  switch (op->kind)
    {
    case NOOK_MNT_BIND:
      return mount_bind (rootfd, op, srcfd, err);
    case NOOK_MNT_TMPFS:
      if (op->flags & NOOK_MNT_F_SHARED)
        return nook_inroot_bind_self (rootfd, op->dest, op_mode (op, 0755),
                                      MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
      return nook_mount_tmpfs (rootfd, op->dest, op_mode (op, 0755), op->size,
                               MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, err);
    case NOOK_MNT_DIR:
      {
        int fd = nook_inroot_mkdir (rootfd, op->dest, op_mode (op, 0755), err);
        if (fd < 0)
          return -1;
        close (fd);
        return 0;
      }
    case NOOK_MNT_SYMLINK:
      return nook_inroot_symlink (rootfd, op->src, op->dest, err);
    case NOOK_MNT_PROC:
      return mount_proc (spec, op, rootfd, err);
    case NOOK_MNT_DEV:
      return mount_dev (rootfd, op->dest, err);
    case NOOK_MNT_MQUEUE:
      return mount_mqueue (spec, rootfd, op->dest, err);
    case NOOK_MNT_FILE:
      return mount_file (rootfd, op, err);
    case NOOK_MNT_REMOUNT_RO:
      if (op->flags & NOOK_MNT_F_TRY)
        {
          /* readonlyPaths of an OCI config: a missing one needs nothing.  */
          int fd = nook_inroot_openat2 (rootfd, op->dest, O_PATH);
          if (fd < 0 && errno == ENOENT)
            return 0;
          if (fd >= 0)
            close (fd);
        }
      return nook_inroot_remount_ro (rootfd, op->dest, err);
    case NOOK_MNT_CHMOD:
      return nook_inroot_chmod (rootfd, op->dest, op->mode, err);
    case NOOK_MNT_OVERLAY:
      return mount_layers (rootfd, op, srcfd, err);
    case NOOK_MNT_OVERLAYFS:
      if (attach (srcfd, rootfd, op->dest, true, err) < 0)
        return nook_error_wrap (err, "overlay on `%s`", op->dest);
      return 0;
    case NOOK_MNT_MASK:
      return nook_mount_mask_in_root (rootfd, op->dest, err);
    }
  return nook_error_set (err, EINVAL, "unknown mount operation %d", op->kind);
}

/* Every overlay is mounted, detached, while the host's paths are still
   visible: overlayfs and fuse-overlayfs resolve their layers by path.  */
static int
mount_overlays (struct nook_root_plan *plan, struct nook_error *err)
{
  bool fuse = false;

  if (plan->scratch == NULL)
    return 0;
  /* Ephemeral uppers and fuse mount points: a tmpfs on RUNTIME/mnt, seen
     only in this mount namespace and gone with it.  */
  if (mount ("tmpfs", plan->scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
    return nook_error_errno (err, "mount the layers' scratch tmpfs on `%s`", plan->scratch);
  for (size_t i = 0; i < plan->n_ops; i++)
    {
      if (plan->ops[i].kind != NOOK_MNT_OVERLAY)
        continue;
      plan->srcfds[i] = nook_overlay_mount (&plan->overlays[i], plan->scratch, i, err);
      if (plan->srcfds[i] < 0)
        return nook_error_wrap (err, "layers");
      fuse |= plan->overlays[i].kind == NOOK_OVERLAY_FUSE;
    }
  /* pivot_root moves every process of the mount namespace whose root is
     the old root into the new one: fuse-overlayfs would then find its own
     mount where its paths lead, and deadlock on itself.  The sandbox goes
     on in a mount namespace of its own instead, a copy of this one, which
     fuse-overlayfs keeps alive until it dies with the sandbox.  */
  if (fuse && unshare (CLONE_NEWNS) < 0)
    return nook_error_errno (err, "layers: a mount namespace apart from fuse-overlayfs");
  return 0;
}

/* The root's own mount: a fresh tmpfs, the layers, or a clone of --rootfs.  */
static int
mount_staging (const struct nook_spec *spec, const struct nook_root_plan *plan, struct nook_error *err)
{
  cleanup_close int fd = -1;

  if (plan->n_ops && plan->ops[0].kind == NOOK_MNT_OVERLAY && plan->ops[0].dest == NULL)
    {
      if (move_mount (plan->srcfds[0], "", AT_FDCWD, STAGING, MOVE_MOUNT_F_EMPTY_PATH) < 0)
        return nook_error_errno (err, "mount the layers as the root");
      return 0;
    }
  if (spec->rootfs == NULL)
    {
      if (mount ("tmpfs", STAGING, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755") < 0)
        return nook_error_errno (err, "mount the root tmpfs");
      return 0;
    }
  fd = nook_mount_clone_tree (spec->rootfs, spec->rootfs_rw ? 0 : NOOK_MNT_F_RDONLY, err);
  if (fd < 0)
    return err->msg ? -1 : nook_error_errno (err, "--rootfs `%s`", spec->rootfs);
  if (move_mount (fd, "", AT_FDCWD, STAGING, MOVE_MOUNT_F_EMPTY_PATH) < 0)
    return nook_error_errno (err, "mount --rootfs `%s`", spec->rootfs);
  return 0;
}

static int
pivot (const struct nook_root_plan *plan, struct nook_error *err)
{
  if (chdir (STAGING) < 0)
    return nook_error_errno (err, "chdir to the new root");
  /* pivot_root(".", ".") stacks the old root on top of the new one; the
     detach below then removes every host mount from the namespace.  */
  if (syscall (SYS_pivot_root, ".", ".") < 0)
    return nook_error_errno (err, "pivot_root");
  if (umount2 (".", MNT_DETACH) < 0)
    return nook_error_errno (err, "detach the host's root");
  if (chdir ("/") < 0)
    return nook_error_errno (err, "chdir /");
  if (plan->root_tmpfs)
    {
      struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
      if (mount_setattr (AT_FDCWD, "/", 0, &attr, sizeof attr) < 0)
        return nook_error_errno (err, "make the root read-only");
    }
  return 0;
}

int
nook_root_setup (const struct nook_spec *spec, struct nook_root_plan *plan, struct nook_error *err)
{
  cleanup_close int rootfd = -1;

  /* Nothing done from here on may propagate back to the host.  */
  if (mount (NULL, "/", NULL,
             MS_REC | (spec->fs.root_propagation & (MS_SLAVE | MS_SHARED) ? MS_SLAVE : MS_PRIVATE), NULL)
      < 0)
    return nook_error_errno (err, "make / private");
  if (open_bind_sources (plan, err) < 0 || mount_overlays (plan, err) < 0)
    return -1;
  if (mount_staging (spec, plan, err) < 0)
    return -1;
  rootfd = open (STAGING, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (rootfd < 0)
    return nook_error_errno (err, "open the new root");
  nook_log ("root: %zu mount operations", plan->n_ops);
  for (size_t i = 0; i < plan->n_ops; i++)
    {
      if (apply_op (spec, rootfd, &plan->ops[i], plan->srcfds[i], err) < 0)
        return -1;
      /* A mount on the root itself (bubblewrap's --bind / /) covers the
         tree ROOTFD holds: the next operations go on top of it.  */
      if (plan->ops[i].dest && plan->ops[i].dest[strspn (plan->ops[i].dest, "/")] == '\0')
        {
          close (rootfd);
          rootfd = open (STAGING, O_PATH | O_DIRECTORY | O_CLOEXEC);
          if (rootfd < 0)
            return nook_error_errno (err, "open the new root");
        }
    }
  if ((plan->before_pivot && plan->before_pivot (plan->before_pivot_ctx, err) < 0) || pivot (plan, err) < 0)
    return -1;
  /* An empty root's command starts in the caller's directory if the
     operations made it, else in the home, else in /.  */
  if (plan->home && chdir (plan->workdir) < 0 && chdir (plan->home) < 0 && chdir ("/") < 0)
    return nook_error_errno (err, "chdir /");
  if (!plan->home && chdir (plan->workdir) < 0)
    {
      nook_error_errno (err, "working directory `%s`", plan->workdir);
      return nook_error_hint (err, "it must exist inside the sandbox; see --chdir");
    }
  return 0;
}
