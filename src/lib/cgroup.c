/* nook: resource limits in a delegated cgroup v2 subtree (cgroupfs).
 *
 * The layout and the rules it follows are described in cgroup.h.  Every
 * file is reached through a directory fd of the subtree, never through a
 * path built from what a sandbox could have created.  */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-systemd.h"
#include "cgroup.h"
#include "spec.h"
#include "utils.h"

#define CALLER_LEAF "nook-caller"
#define SANDBOXES NOOK_CGROUP_SANDBOXES
#define SANDBOX_LEAF "sandbox"

static const char *const controller_names[] = { "cpu", "memory", "pids", "io", "cpuset", "hugetlb", NULL };

/* Each limit: its option (for messages), its file, its controller.  */
static const struct
{
  unsigned bit;
  const char *option;
  const char *file;
  unsigned controller;
} limit_table[] = {
  { NOOK_LIM_MEMORY, "--memory", "memory.max", NOOK_CG_MEMORY },
  { NOOK_LIM_MEMORY_SWAP, "--memory-swap", "memory.swap.max", NOOK_CG_MEMORY },
  { NOOK_LIM_MEMORY_HIGH, "--memory-high", "memory.high", NOOK_CG_MEMORY },
  { NOOK_LIM_CPUS, "--cpus", "cpu.max", NOOK_CG_CPU },
  { NOOK_LIM_CPU_WEIGHT, "--cpu-weight", "cpu.weight", NOOK_CG_CPU },
  { NOOK_LIM_PIDS, "--pids-limit", "pids.max", NOOK_CG_PIDS },
  { NOOK_LIM_IO_WEIGHT, "--io-weight", "io.weight", NOOK_CG_IO },
  { NOOK_LIM_IO_RBPS, "--device-read-bps", "io.max", NOOK_CG_IO },
  { NOOK_LIM_IO_WBPS, "--device-write-bps", "io.max", NOOK_CG_IO },
  { NOOK_LIM_CPUSET, "--cpuset-cpus", "cpuset.cpus", NOOK_CG_CPUSET },
  { NOOK_LIM_MEMORY_LOW, "memory.reservation", "memory.low", NOOK_CG_MEMORY },
  { NOOK_LIM_CPUSET_MEMS, "cpuset.mems", "cpuset.mems", NOOK_CG_CPUSET },
  { NOOK_LIM_FILES, "unified", "", 0 }, /* each file's controller: file_controller */
  { 0, NULL, NULL, 0 },
};

/* ---- limits ------------------------------------------------------------------ */

/* The controller of an interface file: the name before its dot.  */
static unsigned
file_controller (const char *name)
{
  size_t len = strcspn (name, ".");
  for (size_t i = 0; controller_names[i]; i++)
    if (strlen (controller_names[i]) == len && strncmp (name, controller_names[i], len) == 0)
      return 1u << i;
  return 0;
}

unsigned
nook_limits_controllers (const struct nook_limits *limits)
{
  unsigned need = 0;
  for (size_t i = 0; limit_table[i].bit; i++)
    if (limits->set & limit_table[i].bit)
      need |= limit_table[i].controller;
  for (size_t i = 0; (limits->set & NOOK_LIM_FILES) && i < limits->n_files; i++)
    need |= file_controller (limits->files[i].name);
  return need;
}

/* ---- probing ----------------------------------------------------------------- */

const char *
nook_cgroup_controller_names (unsigned mask)
{
  static char buf[64];
  buf[0] = '\0';
  for (size_t i = 0; controller_names[i]; i++)
    if (mask & (1u << i))
      {
        if (buf[0])
          strcat (buf, " ");
        strcat (buf, controller_names[i]);
      }
  return buf;
}

static unsigned
parse_controllers (const char *s)
{
  unsigned mask = 0;
  cleanup_free char *copy = xstrdup (s);
  char *save = NULL;

  for (char *w = strtok_r (copy, " \n", &save); w; w = strtok_r (NULL, " \n", &save))
    for (size_t i = 0; controller_names[i]; i++)
      if (strcmp (w, controller_names[i]) == 0)
        mask |= 1u << i;
  return mask;
}

static bool
is_fs (const char *path, long magic)
{
  struct statfs sfs;
  return statfs (path, &sfs) == 0 && sfs.f_type == magic;
}

/* The caller's cgroup v2 path from /proc/self/cgroup ("0::/a/b").  */
static char *
own_cgroup_path (struct nook_error *err)
{
  cleanup_free char *text = NULL;
  char *line, *save = NULL;

  if (nook_read_file_at (AT_FDCWD, "/proc/self/cgroup", &text, NULL, err) < 0)
    return NULL;
  for (line = strtok_r (text, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    if (strncmp (line, "0::", 3) == 0)
      {
        char *p = xstrdup (line + 3);
        char *slash = strrchr (p, '/');
        /* A caller moved into nook's leaf is still the caller of C.  */
        if (slash && slash != p && strcmp (slash + 1, CALLER_LEAF) == 0)
          *slash = '\0';
        return p;
      }
  nook_error_set (err, 0, "no cgroup v2 entry in /proc/self/cgroup");
  return NULL;
}

int
nook_cgroup_probe (struct nook_cgroup_info *info, struct nook_error *err)
{
  cleanup_free char *dir = NULL, *controllers = NULL;
  cleanup_close int dfd = -1;
  struct stat st;

  memset (info, 0, sizeof *info);
  if (is_fs ("/sys/fs/cgroup", CGROUP2_SUPER_MAGIC))
    {
      info->mode = NOOK_CGROUP_V2;
      info->mount = xstrdup ("/sys/fs/cgroup");
    }
  else if (is_fs ("/sys/fs/cgroup/unified", CGROUP2_SUPER_MAGIC))
    {
      info->mode = NOOK_CGROUP_HYBRID;
      info->mount = xstrdup ("/sys/fs/cgroup/unified");
    }
  else
    {
      info->mode = is_fs ("/sys/fs/cgroup", TMPFS_MAGIC) ? NOOK_CGROUP_V1 : NOOK_CGROUP_NONE;
      return 0;
    }
  info->path = own_cgroup_path (err);
  if (info->path == NULL)
    return -1;
  info->systemd_user = nook_systemd_available ();
  dir = xasprintf ("%s%s", info->mount, info->path);
  dfd = open (dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0)
    return 0;
  if (nook_read_file_at (dfd, "cgroup.controllers", &controllers, NULL, NULL) == 0)
    info->available = parse_controllers (controllers);
  /* Delegated the way systemd's Delegate=yes does it: the directory and
     the files /sys/kernel/cgroup/delegate lists belong to the caller.  */
  info->delegated = fstat (dfd, &st) == 0 && st.st_uid == getuid ()
                    && faccessat (dfd, "cgroup.procs", W_OK, 0) == 0
                    && faccessat (dfd, "cgroup.subtree_control", W_OK, 0) == 0;
  return 0;
}

void
nook_cgroup_info_free (struct nook_cgroup_info *info)
{
  free (info->mount);
  free (info->path);
  memset (info, 0, sizeof *info);
}

/* The one line for a limit that cannot be enforced: which option, which
   controller, why, and what to do.  */
static int
unenforceable (const struct nook_limits *limits, unsigned missing, const struct nook_cgroup_info *info,
               struct nook_error *err)
{
  const char *option = "a limit", *controller = "";

  for (size_t i = 0; limit_table[i].bit; i++)
    if ((limits->set & limit_table[i].bit) && (missing & limit_table[i].controller))
      {
        option = limit_table[i].option;
        controller = nook_cgroup_controller_names (limit_table[i].controller);
        break;
      }
  switch (info->mode)
    {
    case NOOK_CGROUP_HYBRID:
      nook_error_set (
          err, 0,
          "%s needs the %s controller delegated to you (cgroup v2), but this host runs cgroups in "
          "hybrid mode, where the controllers belong to cgroup v1",
          option, controller);
      return nook_error_hint (err, "boot with systemd.unified_cgroup_hierarchy=1; see `nook check`");
    case NOOK_CGROUP_V1:
    case NOOK_CGROUP_NONE:
      nook_error_set (
          err, 0,
          "%s needs the %s controller delegated to you (cgroup v2), but this host has no cgroup v2 "
          "hierarchy",
          option, controller);
      return nook_error_hint (err, "boot with systemd.unified_cgroup_hierarchy=1; see `nook check`");
    case NOOK_CGROUP_V2:
      break;
    }
  if (!info->delegated)
    {
      nook_error_set (err, 0,
                      "%s needs the %s controller delegated to you (cgroup v2), but your cgroup `%s` is not "
                      "delegated to you",
                      option, controller, info->path);
      return nook_error_hint (err,
                              "start nook in a delegated scope: systemd-run --user --scope -p Delegate=yes "
                              "nook run ...; see `nook check`");
    }
  nook_error_set (err, 0,
                  "%s needs the %s controller delegated to you (cgroup v2), but your cgroup `%s` has %s%s",
                  option, controller, info->path, info->available ? "only " : "no controllers",
                  nook_cgroup_controller_names (info->available));
  return nook_error_hint (err, "delegate it, e.g. `Delegate=cpu cpuset io memory pids` in a drop-in for "
                               "user@.service; see `nook check`");
}

/* ---- helpers on cgroup directories ------------------------------------------ */

static int
write_at (int dirfd, const char *file, const char *value, struct nook_error *err)
{
  return nook_write_file_at (dirfd, file, value, strlen (value), err);
}

static bool
cgroup_populated (int dirfd)
{
  cleanup_free char *text = NULL;
  char *p;
  if (nook_read_file_at (dirfd, "cgroup.events", &text, NULL, NULL) < 0)
    return false;
  p = strstr (text, "populated ");
  return p && p[10] == '1';
}

/* Waits until no process is left in DIRFD's subtree, up to a few seconds:
   the processes of a killed PID namespace take a moment to exit.  */
static void
wait_unpopulated (int dirfd)
{
  cleanup_close int fd = openat (dirfd, "cgroup.events", O_RDONLY | O_CLOEXEC);
  for (int i = 0; i < 100 && cgroup_populated (dirfd); i++)
    {
      struct pollfd pfd = { fd, POLLPRI, 0 };
      /* cgroup.events signals a change with POLLPRI.  */
      if (fd < 0 || poll (&pfd, 1, 50) < 0)
        usleep (50000);
    }
}

/* Kills every process in DIRFD's subtree: cgroup.kill (Linux 5.14), else
   one SIGKILL per process listed.  */
static void
kill_all (int dirfd)
{
  if (write_at (dirfd, "cgroup.kill", "1", NULL) < 0)
    {
      cleanup_free char *procs = NULL;
      char *save = NULL;
      if (nook_read_file_at (dirfd, "cgroup.procs", &procs, NULL, NULL) == 0)
        for (char *l = strtok_r (procs, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
          kill (atoi (l), SIGKILL);
    }
  wait_unpopulated (dirfd);
}

/* Removes the cgroup NAME in PARENT and every cgroup under it (a sandbox
   may have made its own), deepest first.  */
static int
remove_tree (int parent, const char *name)
{
  int fd = openat (parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;
  struct dirent *de;

  if (fd < 0)
    return errno == ENOENT ? 0 : -1;
  d = fdopendir (fd);
  if (d == NULL)
    {
      close (fd);
      return -1;
    }
  while ((de = readdir (d)))
    if (de->d_type == DT_DIR && strcmp (de->d_name, ".") != 0 && strcmp (de->d_name, "..") != 0)
      remove_tree (dirfd (d), de->d_name);
  closedir (d);
  for (int i = 0; i < 50; i++)
    {
      if (unlinkat (parent, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
        return 0;
      if (errno != EBUSY)
        return -1;
      usleep (20000);
    }
  return -1;
}

/* Kills what is left in the sandbox cgroup NAME of SANDBOXES_FD and
   removes it.  */
static void
destroy_at (int sandboxes_fd, const char *name, int fd)
{
  kill_all (fd);
  if (remove_tree (sandboxes_fd, name) < 0)
    nook_warn ("cannot remove the cgroup `%s`: %s", name, strerror (errno));
}

/* Removes the sandbox cgroups of nooks that were killed: a live nook holds
   a lock on its sandbox's cgroup for as long as it runs, the kernel drops
   it when nook dies.  Creation holds a shared lock on C/nook, so a cgroup
   made but not yet locked is never taken for a dead one.  */
void
nook_cgroup_clean_stale (int sandboxes_fd)
{
  cleanup_close int scan = openat (sandboxes_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  DIR *d;
  struct dirent *de;

  if (scan < 0 || flock (sandboxes_fd, LOCK_EX) < 0)
    return;
  d = fdopendir (steal_fd (&scan));
  if (d == NULL)
    goto out;
  while ((de = readdir (d)))
    {
      cleanup_close int fd = -1;
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      fd = openat (dirfd (d), de->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) < 0)
        continue;
      nook_log ("removing the cgroup of a sandbox whose nook died: %s", de->d_name);
      destroy_at (sandboxes_fd, de->d_name, fd);
    }
  closedir (d);
out:
  flock (sandboxes_fd, LOCK_UN);
}

/* ---- the caller's subtree ------------------------------------------------------ */

/* Moves every process of BASE into BASE/nook-caller: a cgroup with
   processes cannot enable controllers for its children (the kernel's
   no-internal-processes rule).  systemd's user manager does the same with
   init.scope.  Processes forked meanwhile are caught by the next pass.  */
int
nook_cgroup_move_caller (int base, struct nook_error *err)
{
  cleanup_close int leaf = -1;

  if (mkdirat (base, CALLER_LEAF, 0755) < 0 && errno != EEXIST)
    return nook_error_errno (err, "create the cgroup `%s`", CALLER_LEAF);
  leaf = openat (base, CALLER_LEAF, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (leaf < 0)
    return nook_error_errno (err, "open the cgroup `%s`", CALLER_LEAF);
  for (int pass = 0; pass < 10; pass++)
    {
      cleanup_free char *procs = NULL;
      char *save = NULL;
      bool moved = false;

      if (nook_read_file_at (base, "cgroup.procs", &procs, NULL, err) < 0)
        return -1;
      for (char *l = strtok_r (procs, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
        {
          if (write_at (leaf, "cgroup.procs", l, NULL) < 0 && errno != ESRCH)
            return nook_error_errno (err, "move process %s into the cgroup `%s`", l, CALLER_LEAF);
          moved = true;
        }
      if (!moved)
        return 0;
    }
  return nook_error_set (err, EBUSY, "empty your cgroup of processes");
}

/* Enables the controllers NEED in DIRFD's cgroup.subtree_control, only the
   ones not already enabled.  */
int
nook_cgroup_enable (int dirfd, unsigned need, struct nook_error *err)
{
  cleanup_free char *text = NULL;
  unsigned missing;
  char buf[128] = "";

  if (nook_read_file_at (dirfd, "cgroup.subtree_control", &text, NULL, err) < 0)
    return -1;
  missing = need & ~parse_controllers (text);
  if (missing == 0)
    return 0;
  for (size_t i = 0; controller_names[i]; i++)
    if (missing & (1u << i))
      {
        strcat (buf, buf[0] ? " +" : "+");
        strcat (buf, controller_names[i]);
      }
  if (write_at (dirfd, "cgroup.subtree_control", buf, err) < 0)
    return nook_error_wrap (err, "enable %s", nook_cgroup_controller_names (missing));
  return 0;
}

/* Opens C (the caller's delegated cgroup) and C/nook, creating C/nook with
   NEED enabled on the way.  With NEED 0, only opens what exists.  */
static int
open_subtree (const struct nook_cgroup_info *info, unsigned need, int *basep, int *sandboxesp,
              struct nook_error *err)
{
  cleanup_free char *dir = xasprintf ("%s%s", info->mount, info->path);
  cleanup_close int base = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  cleanup_close int sandboxes = -1;

  if (base < 0)
    return nook_error_errno (err, "open your cgroup `%s`", dir);
  if (need)
    {
      cleanup_free char *procs = NULL;
      /* Processes go first, even where the kernel would let threaded
         controllers (pids, cpu) be enabled next to them: that would make
         C a thread root and every domain cgroup below it invalid.  */
      if (nook_read_file_at (base, "cgroup.procs", &procs, NULL, err) < 0)
        return -1;
      if (procs[0] && nook_cgroup_move_caller (base, err) < 0)
        return nook_error_wrap (err, "cgroup `%s`", info->path);
      if (nook_cgroup_enable (base, need, err) < 0)
        return nook_error_wrap (err, "cgroup `%s`", info->path);
      if (mkdirat (base, SANDBOXES, 0755) < 0 && errno != EEXIST)
        return nook_error_errno (err, "create the cgroup `%s/%s`", info->path, SANDBOXES);
    }
  sandboxes = openat (base, SANDBOXES, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (sandboxes < 0)
    return nook_error_errno (err, "open the cgroup `%s/%s`", info->path, SANDBOXES);
  if (need && nook_cgroup_enable (sandboxes, need, err) < 0)
    return nook_error_wrap (err, "cgroup `%s/%s`", info->path, SANDBOXES);
  *basep = steal_fd (&base);
  *sandboxesp = steal_fd (&sandboxes);
  return 0;
}

/* ---- a sandbox's cgroup ------------------------------------------------------- */

/* The name of a sandbox's cgroup: its --name, else a random id.  */
static char *
sandbox_cgroup_name (const struct nook_spec *spec)
{
  unsigned char r[6];
  if (spec->name)
    return xstrdup (spec->name);
  if (getrandom (r, sizeof r, 0) != sizeof r)
    return xasprintf ("%d-%ld", getpid (), (long)time (NULL));
  return xasprintf ("%02x%02x%02x%02x%02x%02x", r[0], r[1], r[2], r[3], r[4], r[5]);
}

/* Writes PREFIX followed by V in decimal, or "max".  */
static int
write_u64 (int dirfd, const char *file, const char *prefix, uint64_t v, struct nook_error *err)
{
  char buf[64];
  if (v == NOOK_LIM_MAX)
    snprintf (buf, sizeof buf, "%smax", prefix);
  else
    snprintf (buf, sizeof buf, "%s%llu", prefix, (unsigned long long)v);
  return write_at (dirfd, file, buf, err);
}

/* NOOK_LIM_FILES: a file the kernel lacks is named in the error.  */
static int
write_files (int dirfd, const struct nook_limits *l, struct nook_error *err)
{
  for (size_t i = 0; i < l->n_files; i++)
    if (write_at (dirfd, l->files[i].name, l->files[i].value, err) < 0)
      {
        if (err->errnum == ENOENT)
          nook_error_set (err, 0, "this kernel or cgroup has no file `%s`", l->files[i].name);
        return nook_error_wrap (err, "%s", l->files[i].name);
      }
  return 0;
}

static int
write_limit (int dirfd, const struct nook_limits *l, unsigned bit, struct nook_error *err)
{
  switch (bit)
    {
    case NOOK_LIM_MEMORY:
      return write_u64 (dirfd, "memory.max", "", l->memory_max, err);
    case NOOK_LIM_MEMORY_SWAP:
      return write_u64 (dirfd, "memory.swap.max", "", l->memory_swap_max, err);
    case NOOK_LIM_MEMORY_HIGH:
      return write_u64 (dirfd, "memory.high", "", l->memory_high, err);
    case NOOK_LIM_MEMORY_LOW:
      return write_u64 (dirfd, "memory.low", "", l->memory_low, err);
    case NOOK_LIM_CPUS:
      {
        char buf[64], quota[32] = "max";
        if (l->cpu_quota_us != NOOK_LIM_MAX)
          snprintf (quota, sizeof quota, "%llu", (unsigned long long)l->cpu_quota_us);
        snprintf (buf, sizeof buf, "%s %llu", quota,
                  (unsigned long long)(l->cpu_period_us ? l->cpu_period_us : NOOK_CPU_PERIOD_US));
        return write_at (dirfd, "cpu.max", buf, err);
      }
    case NOOK_LIM_CPUSET_MEMS:
      return write_at (dirfd, "cpuset.mems", l->cpuset_mems, err);
    case NOOK_LIM_FILES:
      return write_files (dirfd, l, err);
    case NOOK_LIM_CPU_WEIGHT:
      return write_u64 (dirfd, "cpu.weight", "", l->cpu_weight, err);
    case NOOK_LIM_PIDS:
      return write_u64 (dirfd, "pids.max", "", l->pids_max, err);
    case NOOK_LIM_IO_WEIGHT:
      return write_u64 (dirfd, "io.weight", "default ", l->io_weight, err);
    case NOOK_LIM_CPUSET:
      return write_at (dirfd, "cpuset.cpus", l->cpuset_cpus, err);
    case NOOK_LIM_IO_RBPS:
    case NOOK_LIM_IO_WBPS:
      /* One line per device holds both rates; writing it twice is harmless.  */
      for (size_t i = 0; i < l->n_io_max; i++)
        {
          char buf[128], r[32] = "max", w[32] = "max";
          if (l->io_max[i].rbps)
            snprintf (r, sizeof r, "%llu", (unsigned long long)l->io_max[i].rbps);
          if (l->io_max[i].wbps)
            snprintf (w, sizeof w, "%llu", (unsigned long long)l->io_max[i].wbps);
          snprintf (buf, sizeof buf, "%u:%u rbps=%s wbps=%s", l->io_max[i].major, l->io_max[i].minor, r, w);
          if (write_at (dirfd, "io.max", buf, err) < 0)
            return -1;
        }
      return 0;
    }
  return 0;
}

/* Writes every limit into the sandbox's cgroup; the kernel has the last
   word on values (a CPU list naming absent CPUs, a partition for io.max).  */
int
nook_cgroup_write_limits (int dirfd, const struct nook_limits *limits, struct nook_error *err)
{
  for (size_t i = 0; limit_table[i].bit; i++)
    if ((limits->set & limit_table[i].bit) && write_limit (dirfd, limits, limit_table[i].bit, err) < 0)
      {
        if (limit_table[i].bit == NOOK_LIM_FILES)
          return -1;
        if (err->errnum == ENOENT)
          nook_error_set (err, 0, "this kernel has no %s", limit_table[i].file);
        return nook_error_wrap (err, "%s", limit_table[i].option);
      }
  return 0;
}

/* Finds the caller's delegated cgroup: the one nook runs in, else a
   transient systemd scope with Delegate=yes.  */
static int
find_delegated (const char *name, struct nook_cgroup_info *info, struct nook_error *err)
{
  if (nook_cgroup_probe (info, err) < 0)
    return -1;
  if (info->mode == NOOK_CGROUP_V2 && !info->delegated && nook_systemd_available ())
    {
      if (nook_systemd_enter_scope (name, err) < 0)
        return -1;
      nook_cgroup_info_free (info);
      if (nook_cgroup_probe (info, err) < 0)
        return -1;
    }
  return 0;
}

static int
create_sandbox_cgroup (int sandboxes, const struct nook_spec *spec, struct nook_cgroup *cg,
                       struct nook_error *err)
{
  cleanup_close int dfd = -1;

  if (mkdirat (sandboxes, cg->name, 0755) < 0)
    {
      if (errno == EEXIST)
        return nook_error_set (err, 0, "a sandbox named `%s` is already running", cg->name);
      return nook_error_errno (err, "create the cgroup `%s`", cg->dir);
    }
  cg->lock_fd = openat (sandboxes, cg->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg->lock_fd < 0 || flock (cg->lock_fd, LOCK_EX | LOCK_NB) < 0)
    return nook_error_errno (err, "lock the cgroup `%s`", cg->dir);
  if (nook_cgroup_write_limits (cg->lock_fd, &spec->limits, err) < 0)
    return -1;
  /* The sandbox may use the same controllers for cgroups of its own.  */
  if (nook_cgroup_enable (cg->lock_fd, cg->need & ~NOOK_CG_CPUSET, err) < 0)
    return -1;
  if (mkdirat (cg->lock_fd, SANDBOX_LEAF, 0755) < 0)
    return nook_error_errno (err, "create the cgroup `%s/%s`", cg->dir, SANDBOX_LEAF);
  cg->leaf_fd = openat (cg->lock_fd, SANDBOX_LEAF, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cg->leaf_fd < 0)
    return nook_error_errno (err, "open the cgroup `%s/%s`", cg->dir, SANDBOX_LEAF);
  return 0;
}

int
nook_cgroup_create (const struct nook_spec *spec, struct nook_cgroup *cg, struct nook_error *err)
{
  struct nook_cgroup_info info = { 0 };
  cleanup_close int base = -1, sandboxes = -1;
  unsigned missing;
  int r = -1;

  cg->need = nook_limits_controllers (&spec->limits);
  cg->name = sandbox_cgroup_name (spec);
  if (find_delegated (cg->name, &info, err) < 0)
    goto out;
  missing = cg->need & ~(info.mode == NOOK_CGROUP_V2 && info.delegated ? info.available : 0);
  if (missing)
    {
      unenforceable (&spec->limits, missing, &info, err);
      goto out;
    }
  if (open_subtree (&info, cg->need, &base, &sandboxes, err) < 0)
    goto out;
  nook_cgroup_clean_stale (sandboxes);
  cg->dir = xasprintf ("%s%s/%s/%s", info.mount, info.path, SANDBOXES, cg->name);
  /* Shared: creators run side by side; clean_stale waits for them.  */
  if (flock (sandboxes, LOCK_SH) < 0)
    {
      nook_error_errno (err, "lock `%s/%s`", info.path, SANDBOXES);
      goto out;
    }
  r = create_sandbox_cgroup (sandboxes, spec, cg, err);
  flock (sandboxes, LOCK_UN);
  if (r < 0 && cg->lock_fd >= 0)
    destroy_at (sandboxes, cg->name, cg->lock_fd);
  if (r == 0)
    nook_log ("cgroup %s created", cg->dir);
out:
  nook_cgroup_info_free (&info);
  if (r < 0)
    {
      nook_closep (&cg->lock_fd);
      nook_closep (&cg->leaf_fd);
      free (steal_pointer (&cg->dir));
      free (steal_pointer (&cg->name));
    }
  return r;
}

uint64_t
nook_cgroup_read_key (int dirfd, const char *file, const char *key)
{
  cleanup_free char *text = NULL;
  size_t klen = strlen (key);
  char *save = NULL;

  if (nook_read_file_at (dirfd, file, &text, NULL, NULL) < 0)
    return NOOK_CG_UNSET;
  for (char *l = strtok_r (text, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    if (strncmp (l, key, klen) == 0 && l[klen] == ' ')
      return strtoull (l + klen + 1, NULL, 10);
  return NOOK_CG_UNSET;
}

int
nook_cgroup_exit_status (const struct nook_cgroup *cg, const struct nook_spec *spec, int status)
{
  uint64_t kills;
  char size[32] = "";

  if (cg->lock_fd < 0 || !(cg->need & NOOK_CG_MEMORY))
    return status;
  kills = nook_cgroup_read_key (cg->lock_fd, "memory.events", "oom_kill");
  if (kills == 0 || kills == NOOK_CG_UNSET)
    return status;
  if (spec->limits.set & NOOK_LIM_MEMORY)
    {
      /* As the user would write it: the largest unit that divides it.  */
      static const char units[] = "bkmgt";
      uint64_t v = spec->limits.memory_max;
      size_t u = 0;
      while (u < 4 && v % 1024 == 0)
        v /= 1024, u++;
      snprintf (size, sizeof size, " (--memory %llu%c)", (unsigned long long)v, units[u]);
    }
  fprintf (stderr, "nook: the sandbox ran out of memory%s: the kernel killed %llu process%s\n", size,
           (unsigned long long)kills, kills == 1 ? "" : "es");
  return status == 0 ? 0 : 128 + SIGKILL;
}

void
nook_cgroup_destroy (struct nook_cgroup *cg)
{
  if (cg->lock_fd >= 0)
    {
      cleanup_close int sandboxes = openat (cg->lock_fd, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      nook_closep (&cg->leaf_fd);
      if (sandboxes >= 0)
        destroy_at (sandboxes, cg->name, cg->lock_fd);
      nook_log ("cgroup %s removed", cg->dir);
    }
  nook_closep (&cg->lock_fd);
  nook_closep (&cg->leaf_fd);
  free (steal_pointer (&cg->dir));
  free (steal_pointer (&cg->name));
}
