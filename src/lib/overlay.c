/* nook: image layers, merged by kernel overlayfs inside the user namespace
 * where the kernel allows it (userxattr, Linux 5.11+), by fuse-overlayfs
 * otherwise.
 *
 * Both are mounted by the sandbox in its own user and mount namespace,
 * before the staging root covers /tmp (the layers' host paths must still be
 * visible), as detached mounts that nook_root_setup then places like any
 * other mount.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <sys/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "overlay.h"
#include "utils.h"

#ifndef FUSE_SUPER_MAGIC
#define FUSE_SUPER_MAGIC 0x65735546
#endif

/* How long fuse-overlayfs may take to mount before nook gives up.  */
#define FUSE_READY_TIMEOUT_MS 10000

char *
nook_overlay_meta_dir (const char *upper)
{
  cleanup_free char *copy = xstrdup (upper);
  char *slash = strrchr (copy, '/');

  if (slash == NULL)
    return xasprintf (".%s.nook", copy);
  *slash = '\0';
  return xasprintf ("%s/.%s.nook", copy, slash + 1);
}

/* ---- the probe: once per host and kernel ------------------------------------ */

static int
write_proc_self (const char *file, const char *data)
{
  cleanup_close int fd = open (file, O_WRONLY | O_CLOEXEC);
  return fd < 0 || nook_write_all (fd, data, strlen (data)) < 0 ? -1 : 0;
}

/* In a forked child: becomes root of a new user namespace, mounts an
   overlay with userxattr on a private tmpfs over DIR and deletes a lower
   file through it (a whiteout).  Exits 0 when all of that works.  */
static void __attribute__ ((noreturn)) probe_child (const char *dir, uid_t uid, gid_t gid)
{
  char map[64], opts[PATH_MAX * 4], path[PATH_MAX];
  struct stat st;

  snprintf (map, sizeof map, "0 %u 1", (unsigned)uid);
  if (unshare (CLONE_NEWUSER | CLONE_NEWNS) < 0 || write_proc_self ("/proc/self/setgroups", "deny") < 0
      || write_proc_self ("/proc/self/uid_map", map) < 0)
    _exit (2);
  snprintf (map, sizeof map, "0 %u 1", (unsigned)gid);
  if (write_proc_self ("/proc/self/gid_map", map) < 0
      || mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0
      || mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0 || chdir (dir) < 0)
    _exit (2);
  if (mkdir ("l", 0755) < 0 || mkdir ("u", 0755) < 0 || mkdir ("w", 0755) < 0 || mkdir ("m", 0755) < 0
      || close (open ("l/f", O_CREAT | O_WRONLY | O_CLOEXEC, 0644)) < 0)
    _exit (2);
  snprintf (opts, sizeof opts, "lowerdir=%s/l,upperdir=%s/u,workdir=%s/w,userxattr", dir, dir, dir);
  snprintf (path, sizeof path, "%s/m", dir);
  if (mount ("overlay", path, "overlay", MS_NOSUID | MS_NODEV, opts) < 0)
    _exit (1);
  if (unlink ("m/f") < 0 || lstat ("u/f", &st) < 0 || !S_ISCHR (st.st_mode) || st.st_rdev != makedev (0, 0))
    _exit (1);
  _exit (0);
}

static int
run_probe (const char *dir, struct nook_error *err)
{
  int status;
  pid_t pid = fork ();

  if (pid < 0)
    return nook_error_errno (err, "fork the overlay probe");
  if (pid == 0)
    probe_child (dir, getuid (), getgid ());
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return nook_error_errno (err, "wait for the overlay probe");
  return WIFEXITED (status) && WEXITSTATUS (status) == 0;
}

int
nook_overlay_probe_kernel (struct nook_error *err)
{
  cleanup_free char *dir = nook_runtime_dir (err), *cache = NULL, *text = NULL, *line = NULL;
  cleanup_close int dirfd = -1;
  struct utsname u;
  size_t len;
  int works;

  if (dir == NULL)
    return -1;
  uname (&u);
  /* The answer depends on the kernel only: a new kernel asks again.  */
  dirfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd >= 0 && nook_read_file_at (dirfd, "overlay-kernel", &text, &len, NULL) == 0)
    {
      char release[sizeof u.release + 1], answer[8];
      if (sscanf (text, "%64s %7s", release, answer) == 2 && strcmp (release, u.release) == 0)
        return strcmp (answer, "yes") == 0;
    }
  works = run_probe (dir, err);
  if (works < 0)
    return -1;
  line = xasprintf ("%s %s\n", u.release, works ? "yes" : "no");
  cache = xasprintf ("%s/overlay-kernel", dir);
  {
    cleanup_free char *tmp = xasprintf ("%s.%d", cache, (int)getpid ());
    cleanup_close int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    /* A cache that cannot be written only costs the next run a probe.  */
    if (fd >= 0 && nook_write_all (fd, line, strlen (line)) >= 0 && rename (tmp, cache) == 0)
      return works;
    unlink (tmp);
  }
  return works;
}

/* ---- in nook: resolving and checking a stack -------------------------------- */

static bool
is_oci_whiteout_name (const char *name)
{
  return strncmp (name, ".wh.", 4) == 0;
}

/* Whether the tree at FD holds OCI whiteouts (.wh.NAME files): the kernel's
   overlayfs does not read them.  Only names are read (getdents), not
   inodes, so even a large layer is walked quickly.  */
static bool
tree_has_oci_whiteouts (int fd, int depth)
{
  DIR *d;
  struct dirent *de;
  bool found = false;

  if (depth > 64 || (d = fdopendir (fd)) == NULL)
    {
      close (fd);
      return false;
    }
  while (!found && (de = readdir (d)))
    {
      if (strcmp (de->d_name, ".") == 0 || strcmp (de->d_name, "..") == 0)
        continue;
      if (is_oci_whiteout_name (de->d_name))
        found = true;
      else if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN)
        {
          /* DT_UNKNOWN: a filesystem that does not say; O_DIRECTORY
             sorts it out.  */
          int sub = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
          if (sub >= 0)
            found = tree_has_oci_whiteouts (sub, depth + 1);
        }
    }
  closedir (d);
  return found;
}

static bool
layers_have_oci_whiteouts (char *const *lowers)
{
  /* Whiteouts in the lowest layer hide nothing: it is not walked.  */
  for (size_t i = 1; lowers[0] && lowers[i]; i++)
    {
      int fd = open (lowers[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd >= 0 && tree_has_oci_whiteouts (fd, 0))
        return true;
    }
  return false;
}

static char *
find_in_path (const char *name)
{
  const char *path = getenv ("PATH");
  cleanup_free char *copy = xstrdup (path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
  char *save = NULL;

  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *full = xasprintf ("%s/%s", dir, name);
      if (dir[0] == '/' && access (full, X_OK) == 0)
        return full;
      free (full);
    }
  return NULL;
}

static int
check_fuse (struct nook_overlay_mount *m, const char *upper, struct nook_error *err)
{
  int fd;

  m->fuse_path = find_in_path ("fuse-overlayfs");
  if (m->fuse_path == NULL)
    {
      nook_error_set (err, 0, "fuse-overlayfs is not installed");
      return nook_error_hint (err,
                              "install the package fuse-overlayfs (apt install fuse-overlayfs, dnf install "
                              "fuse-overlayfs), or use --overlay=kernel");
    }
  fd = open ("/dev/fuse", O_RDWR | O_CLOEXEC);
  if (fd < 0)
    {
      nook_error_errno (err, "fuse-overlayfs needs /dev/fuse");
      return nook_error_hint (err, errno == ENOENT
                                       ? "load the fuse module: modprobe fuse"
                                       : "distributions ship /dev/fuse with mode 0666 (chmod 0666 "
                                         "/dev/fuse as root), or use --overlay=kernel");
    }
  close (fd);
  for (size_t i = 0; m->lowers[i]; i++)
    if (strpbrk (m->lowers[i], ":,"))
      return nook_error_set (err, 0, "--layer `%s`: fuse-overlayfs cannot take a path with `:` or `,`",
                             m->lowers[i]);
  if (m->upper && strpbrk (m->upper, ":,"))
    return nook_error_set (err, 0, "--upper `%s`: fuse-overlayfs cannot take a path with `:` or `,`",
                           m->upper);
  return 0;
}

static int
choose_kind (struct nook_overlay_mount *m, const char *upper, enum nook_overlay_kind want,
             struct nook_error *err)
{
  bool oci;
  int kernel;

  if (want == NOOK_OVERLAY_FUSE)
    {
      m->kind = NOOK_OVERLAY_FUSE;
      return check_fuse (m, upper, err);
    }
  oci = layers_have_oci_whiteouts (m->lowers);
  kernel = oci ? 0 : nook_overlay_probe_kernel (err);
  if (kernel < 0)
    return -1;
  if (want == NOOK_OVERLAY_KERNEL && !kernel)
    {
      if (oci)
        {
          nook_error_set (err, 0,
                          "--overlay=kernel: the layers hold OCI whiteouts (.wh. files), which "
                          "kernel overlayfs does not read");
          return nook_error_hint (err, "use --overlay=fuse or --overlay=auto");
        }
      nook_error_set (err, 0, "--overlay=kernel: this kernel does not mount overlayfs in a user namespace");
      return nook_error_hint (err, "Linux 5.11 or later is needed (userxattr); use --overlay=fuse or "
                                   "--overlay=auto");
    }
  m->kind = kernel ? NOOK_OVERLAY_KERNEL : NOOK_OVERLAY_FUSE;
  if (m->kind == NOOK_OVERLAY_FUSE && check_fuse (m, upper, err) < 0)
    return nook_error_wrap (err, "layers need fuse-overlayfs (%s)",
                            oci ? "they hold OCI whiteouts" : "kernel overlayfs is not usable here");
  return 0;
}

/* UPPER as an absolute path without symlinks, whether it exists yet or
   not (then through its parent); NULL when neither resolves.  */
static char *
resolve_maybe_missing (const char *upper)
{
  cleanup_free char *copy = xstrdup (upper), *parent = NULL;
  char *abs = realpath (upper, NULL), *slash;

  if (abs || errno != ENOENT)
    return abs;
  while ((slash = strrchr (copy, '/')) && slash[1] == '\0' && slash != copy)
    *slash = '\0';
  slash = strrchr (copy, '/');
  parent = realpath (slash == NULL ? "." : slash == copy ? "/" : (*slash = '\0', copy), NULL);
  if (parent == NULL)
    return NULL;
  return xasprintf ("%s/%s", strcmp (parent, "/") == 0 ? "" : parent, slash ? slash + 1 : copy);
}

/* An upper that is a layer, inside one or holds one: overlayfs refuses
   the mount (or, inside a layer, the sandbox would write into its own
   lower), so nook says it before creating anything.  */
static int
check_upper_outside_layers (const struct nook_overlay *ov, char *const *lowers, struct nook_error *err)
{
  cleanup_free char *upper = resolve_maybe_missing (ov->upper);

  if (upper == NULL)
    return 0; /* plan_upper reports it */
  for (size_t i = 0; lowers[i]; i++)
    {
      const char *what = strcmp (upper, lowers[i]) == 0            ? "is"
                         : nook_path_is_beneath (upper, lowers[i]) ? "is inside"
                         : nook_path_is_beneath (lowers[i], upper) ? "holds"
                                                                   : NULL;
      if (what == NULL)
        continue;
      nook_error_set (err, 0, "--upper `%s` %s --layer `%s`: an upper must be apart from every layer",
                      ov->upper, what, ov->lowers[i]);
      return nook_error_hint (err, "give an upper outside the layers, e.g. beside them");
    }
  return 0;
}

/* layers.json beside the upper: what nook diff compares the upper with.
   Written into META's fd under a new name and renamed over the old one:
   a symlink there is replaced, never written through.  */
static int
write_layers_json (int meta_fd, const char *meta, char *const *lowers, const char *upper,
                   struct nook_error *err)
{
  json_object *root = json_object_new_object (), *arr = json_object_new_array ();
  cleanup_close int fd = -1;
  const char *text;
  int r = 0;

  for (size_t i = 0; lowers[i]; i++)
    json_object_array_add (arr, json_object_new_string (lowers[i]));
  json_object_object_add (root, "layers", arr);
  json_object_object_add (root, "upper", json_object_new_string (upper));
  text = json_object_to_json_string_ext (root, JSON_C_TO_STRING_PRETTY);
  unlinkat (meta_fd, "layers.json.new", 0);
  fd = openat (meta_fd, "layers.json.new", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0 || nook_write_all (fd, text, strlen (text)) < 0
      || renameat (meta_fd, "layers.json.new", meta_fd, "layers.json") < 0)
    r = nook_error_errno (err, "write `%s/layers.json`", meta);
  json_object_put (root);
  return r;
}

/* A directory of nook's beside the upper, made if missing.  It lies in
   the upper's parent, which a sandbox may have been able to write (a
   project bound read-write, the upper inside it): what is there must be a
   directory of the caller's, not a symlink that would steer overlayfs's
   clean-up of its work directory, or nook's writes, onto another one.
   Returns an fd of it, or -1 with ERR set.  */
static int
own_dir (int dirfd, const char *name, const char *path, struct nook_error *err)
{
  struct stat st;
  int fd;

  if (mkdirat (dirfd, name, 0700) < 0 && errno != EEXIST)
    {
      nook_error_errno (err, "create the work directory `%s` beside the upper", path);
      return nook_error_hint (err, "the upper's parent directory must be writable");
    }
  fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0 || st.st_uid != geteuid ())
    {
      if (fd >= 0)
        close (fd);
      nook_error_set (err, 0, "`%s` beside the upper is not a directory of nook's (a symlink, or not yours)",
                      path);
      return nook_error_hint (err, "remove it: nook makes it again");
    }
  return fd;
}

static int
plan_upper (const struct nook_overlay *ov, struct nook_overlay_mount *m, struct nook_error *err)
{
  cleanup_free char *meta = NULL;
  cleanup_close int meta_fd = -1, work_fd = -1;
  bool created = mkdir (ov->upper, 0755) == 0;

  if (!created && errno != EEXIST)
    return nook_error_errno (err, "--upper `%s`", ov->upper);
  m->upper = realpath (ov->upper, NULL);
  if (m->upper == NULL)
    return nook_error_errno (err, "--upper `%s`", ov->upper);
  /* Overlayfs keeps its whiteouts and opaque marks in user.* xattrs.  */
  if (setxattr (m->upper, "user.nook.probe", "1", 1, 0) < 0)
    {
      nook_error_errno (err, "--upper `%s`: the filesystem cannot hold overlay xattrs", ov->upper);
      if (created)
        rmdir (m->upper);
      return nook_error_hint (err, "put the upper on ext4, xfs, btrfs or tmpfs");
    }
  removexattr (m->upper, "user.nook.probe");
  if (ov->work)
    {
      m->work = realpath (ov->work, NULL);
      if (m->work == NULL)
        return nook_error_errno (err, "work directory `%s`", ov->work);
      return 0;
    }
  meta = nook_overlay_meta_dir (m->upper);
  m->work = xasprintf ("%s/work", meta);
  meta_fd = own_dir (AT_FDCWD, meta, meta, err);
  if (meta_fd < 0 || (work_fd = own_dir (meta_fd, "work", m->work, err)) < 0)
    return -1;
  return write_layers_json (meta_fd, meta, m->lowers, m->upper, err);
}

int
nook_overlay_plan (const struct nook_overlay *ov, enum nook_overlay_kind want, struct nook_overlay_mount *m,
                   struct nook_error *err)
{
  memset (m, 0, sizeof *m);
  for (size_t i = 0; ov->lowers && ov->lowers[i]; i++)
    {
      struct stat st;
      char *abs = realpath (ov->lowers[i], NULL);

      if (abs == NULL)
        return nook_error_errno (err, "--layer `%s`", ov->lowers[i]);
      strv_append (&m->lowers, abs);
      free (abs);
      if (stat (m->lowers[i], &st) < 0)
        return nook_error_errno (err, "--layer `%s`", ov->lowers[i]);
      if (!S_ISDIR (st.st_mode))
        return nook_error_set (err, ENOTDIR, "--layer `%s`", ov->lowers[i]);
    }
  if (m->lowers == NULL)
    return nook_error_set (err, 0, "layers: no --layer given");
  /* The implementation first: a refusal there leaves no upper behind.  */
  if ((ov->upper && check_upper_outside_layers (ov, m->lowers, err) < 0)
      || choose_kind (m, ov->upper, want, err) < 0 || (ov->upper && plan_upper (ov, m, err) < 0))
    return -1;
  nook_log ("layers: %zu lower%s, %s upper, %s overlay", strv_len (m->lowers), m->lowers[1] ? "s" : "",
            m->upper ? "persistent" : "ephemeral",
            m->kind == NOOK_OVERLAY_KERNEL ? "kernel" : "fuse-overlayfs");
  return 0;
}

void
nook_overlay_mount_release (struct nook_overlay_mount *m)
{
  /* overlayfs leaves WORK/work with mode 0: without this a plain rm -rf
     of the upper's work directory fails.  WORK was resolved when planned:
     a symlink in it now was planted since, by a sandbox that could write
     beside the upper, and is not followed.  */
  if (m->work)
    {
      struct open_how how = { .flags = O_PATH | O_DIRECTORY | O_CLOEXEC, .resolve = RESOLVE_NO_SYMLINKS };
      cleanup_free char *inner = xasprintf ("%s/work", m->work);
      cleanup_close int fd = syscall (SYS_openat2, AT_FDCWD, inner, &how, sizeof how);
      char magic[64];

      snprintf (magic, sizeof magic, "/proc/self/fd/%d", fd);
      if (fd >= 0)
        chmod (magic, 0700);
    }
  strv_free (m->lowers);
  free (m->upper);
  free (m->work);
  free (m->fuse_path);
  memset (m, 0, sizeof *m);
}

/* ---- in the sandbox: mounting ------------------------------------------------- */

/* The kernel keeps the reason for a refused overlay in the fs context's
   log: "e overlay: ...".  Appends its last line to ERR.  */
static int
overlay_error (int fsfd, const char *what, struct nook_error *err)
{
  char buf[512], last[512] = "";
  ssize_t n;

  nook_error_errno (err, "kernel overlayfs: %s", what);
  while ((n = read (fsfd, buf, sizeof buf - 1)) > 0)
    {
      buf[n] = '\0';
      snprintf (last, sizeof last, "%s", buf[1] == ' ' ? buf + 2 : buf);
    }
  if (last[0])
    nook_error_wrap (err, "%s", last);
  return -1;
}

/* "top:...:lowest", with `:` and `\` in paths escaped as overlayfs reads them.  */
static char *
lowerdir_list (char *const *lowers)
{
  size_t n = strv_len (lowers), len = 1;
  char *list, *p;

  for (size_t i = 0; i < n; i++)
    len += 2 * strlen (lowers[i]) + 1;
  p = list = xmalloc (len);
  for (size_t i = n; i-- > 0;)
    {
      for (const char *c = lowers[i]; *c; c++)
        {
          if (*c == ':' || *c == '\\')
            *p++ = '\\';
          *p++ = *c;
        }
      if (i > 0)
        *p++ = ':';
    }
  *p = '\0';
  return list;
}

static int
mount_kernel (char *const *lowers, const char *upper, const char *work, struct nook_error *err)
{
  cleanup_close int fsfd = fsopen ("overlay", FSOPEN_CLOEXEC);
  size_t n = strv_len (lowers);
  int mfd;

  if (fsfd < 0)
    return nook_error_errno (err, "kernel overlayfs");
  /* lowerdir+ (Linux 6.8) takes one layer per call, top first, with no
     escaping of `:` in paths; older kernels take one list.  */
  for (size_t i = n; i-- > 0;)
    if (fsconfig (fsfd, FSCONFIG_SET_STRING, "lowerdir+", lowers[i], 0) < 0)
      {
        cleanup_free char *list = NULL;
        if (errno != EINVAL || i != n - 1)
          return overlay_error (fsfd, lowers[i], err);
        list = lowerdir_list (lowers);
        if (fsconfig (fsfd, FSCONFIG_SET_STRING, "lowerdir", list, 0) < 0)
          return overlay_error (fsfd, list, err);
        break;
      }
  if (fsconfig (fsfd, FSCONFIG_SET_STRING, "upperdir", upper, 0) < 0)
    return overlay_error (fsfd, upper, err);
  if (fsconfig (fsfd, FSCONFIG_SET_STRING, "workdir", work, 0) < 0)
    return overlay_error (fsfd, work, err);
  /* In a user namespace overlayfs keeps whiteouts and opaque marks in
     user.overlay.* instead of trusted.overlay.*, which needs init root.  */
  if (fsconfig (fsfd, FSCONFIG_SET_FLAG, "userxattr", NULL, 0) < 0
      || fsconfig (fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
    return overlay_error (fsfd, "mount", err);
  mfd = fsmount (fsfd, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
  if (mfd < 0)
    return nook_error_errno (err, "kernel overlayfs: mount");
  return mfd;
}

/* The first line fuse-overlayfs wrote that says something.  */
static void
fuse_stderr (int fd, char *line, size_t size)
{
  char buf[4096];
  ssize_t n = pread (fd, buf, sizeof buf - 1, 0);
  char *save = NULL;

  snprintf (line, size, "it exited without a message");
  if (n <= 0)
    return;
  buf[n] = '\0';
  for (char *l = strtok_r (buf, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    if (*l && strncmp (l, "unknown argument ignored", 24) != 0)
      {
        snprintf (line, size, "%s", l);
        return;
      }
}

static int
wait_fuse_ready (pid_t pid, int errfd, const char *mnt, struct nook_error *err)
{
  struct timespec delay = { 0, 100 * 1000 };
  long waited_us = 0;

  for (;;)
    {
      struct statfs sfs;
      char line[512];
      int status;

      if (statfs (mnt, &sfs) == 0 && (unsigned long)sfs.f_type == FUSE_SUPER_MAGIC)
        return 0;
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          fuse_stderr (errfd, line, sizeof line);
          if (WIFEXITED (status) && WEXITSTATUS (status) == 127)
            return nook_error_set (err, 0,
                                   "fuse-overlayfs could not be started: %s (Hint: install the "
                                   "package fuse-overlayfs)",
                                   line);
          return nook_error_set (err, 0, "fuse-overlayfs failed: %s", line);
        }
      if (waited_us > FUSE_READY_TIMEOUT_MS * 1000L)
        {
          kill (pid, SIGKILL);
          return nook_error_set (err, ETIMEDOUT, "fuse-overlayfs did not mount within %d s",
                                 FUSE_READY_TIMEOUT_MS / 1000);
        }
      nanosleep (&delay, NULL);
      waited_us += delay.tv_nsec / 1000;
      if (delay.tv_nsec < 5 * 1000 * 1000)
        delay.tv_nsec *= 2;
    }
}

/* The sandbox holds every capability in its user namespace but may run as
   a uid other than 0 (--uid): the kernel drops them at exec then, and
   fuse-overlayfs could neither mount nor serve files of other owners.
   Ambient capabilities carry them across its exec.  */
static int
keep_caps_across_exec (void)
{
  cap_t caps = cap_get_proc ();
  int r = 0;

  if (caps == NULL)
    return -1;
  for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits (); c++)
    if (cap_set_flag (caps, CAP_INHERITABLE, 1, &c, CAP_SET) < 0)
      r = -1;
  if (r == 0 && cap_set_proc (caps) < 0)
    r = -1;
  cap_free (caps);
  for (cap_value_t c = 0; r == 0 && c < (cap_value_t)cap_max_bits (); c++)
    if (cap_set_ambient (c, CAP_SET) < 0)
      r = -1;
  return r;
}

/* Starts fuse-overlayfs in the foreground as a child of the sandbox's
   PID 1: nook-init reaps it and kills it with everything else when the
   command ends, and the kernel kills it with the PID namespace when nook
   dies.  Its output goes to a memfd, which never fills or breaks like a
   pipe, and is read only when it fails.  */
static int
spawn_fuse (const struct nook_overlay_mount *m, char *const *layers, const char *upper, const char *work,
            const char *mnt, struct nook_error *err)
{
  cleanup_free char *opts = NULL, *lowers = NULL;
  cleanup_close int out = memfd_create ("fuse-overlayfs", MFD_CLOEXEC);
  pid_t pid;

  for (size_t i = strv_len (layers); i-- > 0;)
    {
      char *l = lowers ? xasprintf ("%s:%s", lowers, layers[i]) : xstrdup (layers[i]);
      free (lowers);
      lowers = l;
    }
  opts = xasprintf ("lowerdir=%s,upperdir=%s,workdir=%s,allow_other,nosuid,nodev", lowers, upper, work);
  if (out < 0)
    return nook_error_errno (err, "memfd for fuse-overlayfs");
  pid = fork ();
  if (pid < 0)
    return nook_error_errno (err, "fork fuse-overlayfs");
  if (pid == 0)
    {
      sigset_t none;
      int null = open ("/dev/null", O_RDWR);

      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (null < 0 || dup2 (null, 0) < 0 || dup2 (out, 1) < 0 || dup2 (out, 2) < 0)
        _exit (126);
      if (getuid () != 0 && keep_caps_across_exec () < 0)
        {
          dprintf (2, "keep the capabilities for fuse-overlayfs: %s\n", strerror (errno));
          _exit (126);
        }
      close_range (3, ~0U, 0);
      execl (m->fuse_path, "fuse-overlayfs", "-f", "-o", opts, mnt, (char *)NULL);
      dprintf (2, "exec %s: %s\n", m->fuse_path, strerror (errno));
      _exit (127);
    }
  nook_log ("sandbox: fuse-overlayfs started (pid %d in the sandbox)", (int)pid);
  nook_fault_point ("sandbox: fuse-overlayfs started");
  if (wait_fuse_ready (pid, out, mnt, err) < 0)
    return -1;
  nook_log ("sandbox: fuse-overlayfs mounted");
  return 0;
}

static int
mount_fuse (const struct nook_overlay_mount *m, char *const *lowers, const char *upper, const char *work,
            const char *mnt, struct nook_error *err)
{
  struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
  cleanup_close int fd = -1;

  if (spawn_fuse (m, lowers, upper, work, mnt, err) < 0)
    return -1;
  fd = open_tree (AT_FDCWD, mnt, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
  if (fd < 0)
    return nook_error_errno (err, "clone the fuse-overlayfs mount");
  if (mount_setattr (fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) < 0)
    return nook_error_errno (err, "set the attributes of the fuse-overlayfs mount");
  return steal_fd (&fd);
}

/* Under layers that make the root, a lowest layer holds the mount points
   nook needs (/proc, /dev, /tmp), as docker's init layer does: created in
   the merged tree they would land in the upper and show in nook diff.  */
static int
make_init_layer (const char *base, char ***lowers, struct nook_error *err)
{
  static const char *const dirs[] = { "proc", "dev", "tmp", NULL };
  cleanup_free char *init = xasprintf ("%s/init", base);

  if (mkdir (init, 0755) < 0)
    return nook_error_errno (err, "layers: create `%s`", init);
  for (size_t i = 0; dirs[i]; i++)
    {
      cleanup_free char *d = xasprintf ("%s/%s", init, dirs[i]);
      if (mkdir (d, 0755) < 0)
        return nook_error_errno (err, "layers: create `%s`", d);
    }
  strv_append (lowers, init);
  return 0;
}

int
nook_overlay_mount (const struct nook_overlay_mount *m, const char *scratch, size_t index,
                    struct nook_error *err)
{
  cleanup_free char *base = xasprintf ("%s/%zu", scratch, index);
  cleanup_free char *upper = NULL, *work = NULL, *mnt = NULL;
  cleanup_strv char **lowers = NULL;

  if (mkdir (base, 0755) < 0)
    return nook_error_errno (err, "layers: create `%s`", base);
  if (m->root && make_init_layer (base, &lowers, err) < 0)
    return -1;
  for (size_t i = 0; m->lowers[i]; i++)
    strv_append (&lowers, m->lowers[i]);
  upper = m->upper ? xstrdup (m->upper) : xasprintf ("%s/upper", base);
  work = m->work ? xstrdup (m->work) : xasprintf ("%s/work", base);
  if (m->upper == NULL && (mkdir (upper, 0755) < 0 || mkdir (work, 0700) < 0))
    return nook_error_errno (err, "layers: create the ephemeral upper");
  if (m->kind == NOOK_OVERLAY_KERNEL)
    return mount_kernel (lowers, upper, work, err);
  mnt = xasprintf ("%s/merged", base);
  if (mkdir (mnt, 0755) < 0)
    return nook_error_errno (err, "layers: create `%s`", mnt);
  return mount_fuse (m, lowers, upper, work, mnt, err);
}
