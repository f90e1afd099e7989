/* nook: `nook check`: each host diagnostic (user namespaces, id ranges,
   helpers, overlayfs, seccomp, cgroups) as a result with a fix.  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <pwd.h>

#include "check.h"
#include "landlock.h"
#include "overlay.h"
#include "seccomp.h"
#include "timens.h"
#include "userns.h"
#include "utils.h"

struct results
{
  struct nook_check_result *v;
  size_t n;
};

static void __attribute__ ((format (printf, 4, 5)))
add (struct results *r, const char *name, enum nook_check_status status, const char *fmt, ...)
{
  va_list ap;
  char *detail;

  va_start (ap, fmt);
  if (vasprintf (&detail, fmt, ap) < 0)
    detail = NULL;
  va_end (ap);
  r->v = xrealloc (r->v, (r->n + 1) * sizeof *r->v);
  r->v[r->n++] = (struct nook_check_result){ name, status, detail, NULL };
}

static void __attribute__ ((format (printf, 2, 3))) fix (struct results *r, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  if (vasprintf (&r->v[r->n - 1].fix, fmt, ap) < 0)
    r->v[r->n - 1].fix = NULL;
  va_end (ap);
}

static long
read_sysctl (const char *path)
{
  cleanup_free char *s = NULL;
  struct nook_error err = { 0 };
  if (nook_read_file_at (AT_FDCWD, path, &s, NULL, &err) < 0)
    {
      nook_error_release (&err);
      return -1;
    }
  return strtol (s, NULL, 10);
}

/* Runs FN in a forked child and returns its exit status (0 = success).  */
static int
in_child (int (*fn) (void *), void *arg)
{
  int status;
  pid_t pid = fork ();
  if (pid < 0)
    return -1;
  if (pid == 0)
    _exit (fn (arg));
  while (waitpid (pid, &status, 0) < 0)
    if (errno != EINTR)
      return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : -1;
}

static int
try_userns (void *arg)
{
  return unshare (CLONE_NEWUSER) == 0 ? 0 : errno;
}

static void
check_userns (struct results *r)
{
  long clone_ok = read_sysctl ("/proc/sys/kernel/unprivileged_userns_clone");
  long max_ns = read_sysctl ("/proc/sys/user/max_user_namespaces");
  long apparmor = read_sysctl ("/proc/sys/kernel/apparmor_restrict_unprivileged_userns");
  int e = in_child (try_userns, NULL);

  if (e == 0)
    {
      add (r, "user namespaces", NOOK_CHECK_PASS, "an unprivileged user namespace can be created");
      if (apparmor == 1)
        {
          add (r, "apparmor", NOOK_CHECK_WARN,
               "kernel.apparmor_restrict_unprivileged_userns=1 restricts them");
          fix (r,
               "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for nook");
        }
      return;
    }
  add (r, "user namespaces", NOOK_CHECK_FAIL, "unshare(CLONE_NEWUSER): %s", e > 0 ? strerror (e) : "failed");
  if (clone_ok == 0)
    fix (r, "sysctl -w kernel.unprivileged_userns_clone=1 (and in /etc/sysctl.d/ to keep it)");
  else if (max_ns == 0)
    fix (r, "sysctl -w user.max_user_namespaces=28633 (and in /etc/sysctl.d/ to keep it)");
  else if (apparmor == 1)
    fix (r, "sysctl -w kernel.apparmor_restrict_unprivileged_userns=0, or an AppArmor profile for nook");
  else
    fix (r, "enable CONFIG_USER_NS in the kernel, or check seccomp/LSM policies of this session");
}

static void
check_subid (struct results *r, const char *file, const char *name)
{
  struct passwd *pw = getpwuid (getuid ());
  cleanup_free char *content = NULL;
  struct nook_error err = { 0 };
  uint32_t start, count;
  const char *user = pw ? pw->pw_name : NULL;

  if (nook_read_file_at (AT_FDCWD, file, &content, NULL, &err) < 0
      || nook_subid_find (content, user, getuid (), &start, &count) < 0)
    {
      nook_error_release (&err);
      add (r, name, NOOK_CHECK_WARN, "no range for %s in %s: --map-users auto will not work",
           user ? user : "you", file);
      fix (r, "as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s",
           user ? user : "USER");
      return;
    }
  if (count < NOOK_AUTO_RANGE - 1)
    {
      add (r, name, NOOK_CHECK_WARN,
           "%s has %u ids from %u for %s: fewer than the 65535 --map-users auto maps", file, count, start,
           user ? user : "you");
      fix (r, "as root: give %s a range of 65536 ids in %s", user ? user : "USER", file);
      return;
    }
  add (r, name, NOOK_CHECK_PASS, "%u ids from %u in %s", count, start, file);
}

static char *
find_in_path (const char *prog)
{
  const char *path = getenv ("PATH");
  cleanup_free char *copy = xstrdup (path ? path : "/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin");
  char *save = NULL;

  for (char *dir = strtok_r (copy, ":", &save); dir; dir = strtok_r (NULL, ":", &save))
    {
      char *full = xasprintf ("%s/%s", dir, prog);
      if (access (full, X_OK) == 0)
        return full;
      free (full);
    }
  return NULL;
}

static void
check_idmap_tool (struct results *r, const char *tool)
{
  cleanup_free char *path = find_in_path (tool);
  struct stat st;

  if (path == NULL)
    {
      add (r, tool, NOOK_CHECK_WARN, "not found in PATH: --map-users auto will not work");
      fix (r, "apt-get install uidmap");
      return;
    }
  if (stat (path, &st) == 0 && (st.st_mode & S_ISUID) && st.st_uid == 0)
    add (r, tool, NOOK_CHECK_PASS, "%s is setuid root", path);
  else if (getxattr (path, "security.capability", NULL, 0) > 0)
    add (r, tool, NOOK_CHECK_PASS, "%s has file capabilities", path);
  else
    {
      add (r, tool, NOOK_CHECK_FAIL, "%s is neither setuid root nor has file capabilities", path);
      fix (r, "as root: setcap cap_set%cid+ep %s (or chmod u+s %s)", tool[3] == 'u' ? 'u' : 'g', path, path);
    }
}

static void
check_device (struct results *r, const char *dev, const char *needed_for)
{
  int e;

  if (access (dev, R_OK | W_OK) == 0)
    {
      add (r, dev, NOOK_CHECK_PASS, "readable and writable");
      return;
    }
  e = errno; /* add() allocates, which may change errno */
  add (r, dev, NOOK_CHECK_WARN, "%s: %s is needed for %s", dev, strerror (e), needed_for);
  if (e == ENOENT)
    fix (r, "as root: modprobe %s", strstr (dev, "fuse") ? "fuse" : "tun");
  else
    fix (r, "as root: chmod 0666 %s (distributions ship it so)", dev);
}

/* The line of a tool's --version output that names the tool (fuse-overlayfs
   prints its FUSE library's version first), else the first line.  */
static char *
tool_version (const char *path)
{
  cleanup_free char *cmd = xasprintf ("'%s' --version 2>&1", path);
  const char *name = strrchr (path, '/') ? strrchr (path, '/') + 1 : path;
  char line[256], first[256] = "";
  FILE *p = popen (cmd, "r");

  if (p == NULL)
    return xstrdup ("?");
  while (fgets (line, sizeof line, p))
    {
      line[strcspn (line, "\n")] = '\0';
      if (first[0] == '\0')
        snprintf (first, sizeof first, "%s", line);
      if (strstr (line, name))
        {
          snprintf (first, sizeof first, "%s", line);
          break;
        }
    }
  pclose (p);
  return xstrdup (first[0] ? first : "?");
}

static void
check_helper (struct results *r, const char *tool, const char *package, const char *needed_for)
{
  cleanup_free char *path = find_in_path (tool);
  cleanup_free char *version = NULL;

  if (path == NULL)
    {
      add (r, tool, NOOK_CHECK_WARN, "not installed: needed for %s", needed_for);
      fix (r, "apt-get install %s", package);
      return;
    }
  version = tool_version (path);
  add (r, tool, NOOK_CHECK_PASS, "%s (%s)", path, version);
}

/* The same probe (and cached answer) that layers use to choose.  */
static void
check_overlay (struct results *r)
{
  struct nook_error err = { 0 };
  int works = nook_overlay_probe_kernel (&err);

  if (works > 0)
    add (r, "kernel overlayfs", NOOK_CHECK_PASS, "usable inside a user namespace (userxattr): layers use it");
  else if (works == 0)
    {
      add (r, "kernel overlayfs", NOOK_CHECK_WARN,
           "not usable inside a user namespace: layers use fuse-overlayfs");
      fix (r, "a kernel >= 5.11 allows it; otherwise apt-get install fuse-overlayfs");
    }
  else
    {
      add (r, "kernel overlayfs", NOOK_CHECK_WARN, "could not be tested: %s",
           err.msg ? err.msg : "unknown error");
      nook_error_release (&err);
    }
}

/* Finds the cgroup v2 mount and says whether the host is v1 only or
   hybrid.  Returns the mount point (the caller frees it), or NULL when
   there is none, already reported.  */
static char *
cgroup_v2_root (struct results *r)
{
  cleanup_free char *mounts = NULL;
  struct nook_error err = { 0 };
  char *v2root = NULL;
  bool v1 = false;
  char *line, *save = NULL;

  if (nook_read_file_at (AT_FDCWD, "/proc/self/mounts", &mounts, NULL, &err) < 0)
    {
      nook_error_release (&err);
      add (r, "cgroups", NOOK_CHECK_WARN, "cannot read /proc/self/mounts");
      return NULL;
    }
  for (line = strtok_r (mounts, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char dev[64], dir[PATH_MAX], type[32];
      if (sscanf (line, "%63s %4095s %31s", dev, dir, type) != 3)
        continue;
      if (strcmp (type, "cgroup2") == 0 && v2root == NULL)
        v2root = xstrdup (dir);
      else if (strcmp (type, "cgroup") == 0)
        v1 = true;
    }
  if (v2root == NULL)
    {
      add (r, "cgroups", NOOK_CHECK_WARN,
           "cgroup v1 only: resource limits (--memory, --cpus, ...) are unavailable");
      fix (r, "boot with systemd.unified_cgroup_hierarchy=1 for cgroup v2");
      return NULL;
    }
  if (v1)
    {
      add (r, "cgroups", NOOK_CHECK_WARN,
           "hybrid mode: cgroup v2 at %s beside v1 controllers; resource limits "
           "(--memory, --cpus, ...) need controllers on v2",
           v2root);
      fix (r, "boot with systemd.unified_cgroup_hierarchy=1 for a pure cgroup v2 host");
    }
  return v2root;
}

/* Says whether this process's cgroup under V2ROOT is delegated to the
   caller, and which controllers it has.  */
static void
check_cgroup_delegation (struct results *r, const char *v2root)
{
  cleanup_free char *self = NULL, *controllers = NULL, *dir = NULL, *ctl = NULL, *sub = NULL;
  struct nook_error err = { 0 };
  struct stat st;
  char *path;

  if (nook_read_file_at (AT_FDCWD, "/proc/self/cgroup", &self, NULL, &err) < 0
      || (path = strstr (self, "0::")) == NULL)
    {
      nook_error_release (&err);
      add (r, "cgroup delegation", NOOK_CHECK_WARN, "this process has no cgroup v2 path");
      return;
    }
  path += 3;
  path[strcspn (path, "\n")] = '\0';
  dir = xasprintf ("%s%s", v2root, path);
  ctl = xasprintf ("%s/cgroup.controllers", dir);
  sub = xasprintf ("%s/cgroup.subtree_control", dir);
  if (nook_read_file_at (AT_FDCWD, ctl, &controllers, NULL, &err) < 0)
    nook_error_release (&err);
  if (controllers)
    controllers[strcspn (controllers, "\n")] = '\0';
  if (stat (dir, &st) == 0 && st.st_uid == getuid () && access (sub, W_OK) == 0)
    add (r, "cgroup delegation", controllers && *controllers ? NOOK_CHECK_PASS : NOOK_CHECK_WARN,
         "%s is delegated to you; controllers: %s", path, controllers && *controllers ? controllers : "none");
  else
    add (r, "cgroup delegation", NOOK_CHECK_WARN, "%s (controllers: %s) is not delegated to you", path,
         controllers && *controllers ? controllers : "none");
  if (r->v[r->n - 1].status == NOOK_CHECK_WARN)
    fix (r, "run nook in a systemd user session with Delegate=yes (systemd-run --user --scope -p "
            "Delegate=yes)");
}

static void
check_cgroup (struct results *r)
{
  cleanup_free char *v2root = cgroup_v2_root (r);

  if (v2root)
    check_cgroup_delegation (r, v2root);
}

/* The policy every sandbox gets: nook refuses to run without it.  It is
   built into nook, so it is never missing, but it must compile with this
   libseccomp for this kernel (a system call name it does not know, an
   architecture it lacks), or no sandbox starts: a FAIL.  */
static void
check_seccomp (struct results *r)
{
  struct nook_seccomp_params params = { 0, false };
  cleanup_free char *name = NULL;
  const char *text = NULL;
  struct nook_error err = { 0 };
  struct nook_bpf bpf = { 0 };
  size_t len = 0;

  nook_seccomp_builtin ("default", &name, &text, &len);
  if (nook_seccomp_compile (text, len, name, &params, &bpf, &err) < 0)
    {
      add (r, "seccomp policy", NOOK_CHECK_FAIL, "%s",
           err.msg ? err.msg : "the default policy does not compile");
      fix (r, "install libseccomp 2.5 or later and rebuild nook");
      nook_error_release (&err);
      return;
    }
  add (r, "seccomp policy", NOOK_CHECK_PASS, "the default policy (built in) compiles: %zu instructions",
       bpf.len);
  nook_bpf_free (&bpf);
}

static int
try_timens (void *arg)
{
  (void)arg;
  return nook_timens_probe ();
}

/* Only --time-offset needs one: a WARN without it.  */
static void
check_timens (struct results *r)
{
  int e = in_child (try_timens, NULL);

  if (e == 0)
    {
      add (r, "time namespaces", NOOK_CHECK_PASS, "a time namespace with clock offsets can be created");
      return;
    }
  add (r, "time namespaces", NOOK_CHECK_WARN,
       "unshare(CLONE_NEWTIME) and its offsets: %s: --time-offset will not work",
       e > 0 ? strerror (e) : "failed");
  fix (r, "Linux 5.6 or later built with CONFIG_TIME_NS");
}

/* Landlock is a second wall, not a requirement: a WARN without it.  */
static void
check_landlock (struct results *r)
{
  int abi = nook_landlock_abi ();

  if (abi == 0)
    {
      add (r, "landlock", NOOK_CHECK_WARN,
           "this kernel has no Landlock: sandboxes rely on their mounts alone");
      fix (r, "Linux 5.13 or later with landlock in the lsm= boot parameter");
      return;
    }
  add (r, "landlock", NOOK_CHECK_PASS, "ABI %d: writes only beneath read-write mounts%s", abi,
       abi >= 6 ? ", abstract unix sockets scoped" : "");
}

size_t
nook_check_run (struct nook_check_result **out)
{
  struct results r = { NULL, 0 };

  check_userns (&r);
  check_subid (&r, "/etc/subuid", "subuid");
  check_subid (&r, "/etc/subgid", "subgid");
  check_idmap_tool (&r, "newuidmap");
  check_idmap_tool (&r, "newgidmap");
  check_device (&r, "/dev/fuse", "fuse-overlayfs layers");
  check_device (&r, "/dev/net/tun", "--net slirp4netns and pasta");
  check_helper (&r, "fuse-overlayfs", "fuse-overlayfs", "layers where kernel overlayfs is not usable");
  check_helper (&r, "slirp4netns", "slirp4netns", "--net slirp4netns");
  check_helper (&r, "pasta", "passt", "--net pasta");
  check_overlay (&r);
  check_seccomp (&r);
  check_landlock (&r);
  check_timens (&r);
  check_cgroup (&r);
  *out = r.v;
  return r.n;
}

void
nook_check_free (struct nook_check_result *results, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (results[i].detail);
      free (results[i].fix);
    }
  free (results);
}

const char *
nook_check_status_name (enum nook_check_status status)
{
  return status == NOOK_CHECK_PASS ? "PASS" : status == NOOK_CHECK_WARN ? "WARN" : "FAIL";
}
