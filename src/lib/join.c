/* nook: joining another sandbox's namespaces (`--pid container:ID`, ...):
   finding it, checking it is the caller's, and opening its namespaces.  */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <linux/capability.h>
#include <stdlib.h>
#include <fcntl.h>
#include <stdio.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/nsfs.h>
#include <unistd.h>

#include "caps.h"
#include "join.h"
#include "landlock.h"
#include "net.h"
#include "proc.h"
#include "utils.h"

/* What a running sandbox's recorded spec says of the two halves of the
   --pid host / slirp4netns conflict (nook_join_check_helpers).  */
static void
recorded_pid_and_net (json_object *doc, bool *host_pids, bool *slirp)
{
  json_object *spec = json_object_object_get (doc, "spec");
  json_object *shared = json_object_object_get (spec, "shared");
  json_object *net = json_object_object_get (json_object_object_get (spec, "network"), "mode");

  for (size_t i = 0; json_object_is_type (shared, json_type_array) && i < json_object_array_length (shared);
       i++)
    *host_pids |= strcmp (json_object_get_string (json_object_array_get_idx (shared, i)), "pid") == 0;
  *slirp |= json_object_is_type (net, json_type_string)
            && strcmp (json_object_get_string (net), nook_net_mode_name (NOOK_NET_SLIRP4NETNS)) == 0;
}

static const char *const kind_names[NOOK_JOIN_N] = { "pid", "net", "ipc", "uts" };
static const int kind_clone[NOOK_JOIN_N] = { CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS };
static const char *const path_names[NOOK_NSPATH_N] = { "user", "mount", "cgroup" };
static const int path_clone[NOOK_NSPATH_N] = { CLONE_NEWUSER, CLONE_NEWNS, CLONE_NEWCGROUP };

void
nook_join_init (struct nook_join *join)
{
  memset (join, 0, sizeof *join);
  for (int k = 0; k < NOOK_JOIN_N; k++)
    join->pidfd[k] = join->nsfd[k] = -1;
  for (int k = 0; k < NOOK_NSPATH_N; k++)
    join->path_fd[k] = -1;
}

void
nook_join_release (struct nook_join *join)
{
  for (int k = 0; k < NOOK_JOIN_N; k++)
    {
      nook_closep (&join->pidfd[k]);
      nook_closep (&join->nsfd[k]);
    }
  for (int k = 0; k < NOOK_NSPATH_N; k++)
    nook_closep (&join->path_fd[k]);
}

unsigned
nook_join_ns_bit (enum nook_join_kind kind)
{
  static const unsigned bits[NOOK_JOIN_N] = { NOOK_NS_PID, NOOK_NS_NET, NOOK_NS_IPC, NOOK_NS_UTS };
  return bits[kind];
}

unsigned
nook_join_ns_bits (const struct nook_join *join)
{
  unsigned bits = 0;
  for (int k = 0; k < NOOK_JOIN_N; k++)
    if (join->pidfd[k] >= 0 || join->nsfd[k] >= 0)
      bits |= nook_join_ns_bit (k);
  if (join->path_fd[NOOK_NSPATH_CGROUP] >= 0)
    bits |= NOOK_NS_CGROUP;
  return bits;
}

/* The id the caller's HOST id has in the user namespace of PID, from its
   uid_map or gid_map (FILE); -1 when unmapped.  */
static int64_t
id_inside (pid_t pid, const char *file, uint32_t host)
{
  char path[64];
  cleanup_free char *map = NULL;
  unsigned long in, out, count;
  int used;

  snprintf (path, sizeof path, "/proc/%d/%s", (int)pid, file);
  if (nook_read_file_at (AT_FDCWD, path, &map, NULL, NULL) < 0)
    return -1;
  for (const char *p = map; sscanf (p, " %lu %lu %lu%n", &in, &out, &count, &used) == 3; p += used)
    if (host >= out && host - out < count)
      return in + (host - out);
  return -1;
}

/* In a joined user namespace the caller's ids are what its maps make of
   them: --uid and --gid must say so, so that the spec (which `nook exec`
   reads again) tells the truth.  */
static int
check_ids (const struct nook_spec *spec, pid_t pid, const char *ref, struct nook_error *err)
{
  int64_t uid = id_inside (pid, "uid_map", geteuid ()), gid = id_inside (pid, "gid_map", getegid ());

  if (uid < 0 || gid < 0)
    return nook_error_set (err, 0, "you have no id in the user namespace of sandbox `%s`", ref);
  if (uid != spec->uid || gid != spec->gid)
    {
      nook_error_set (err, 0, "in the user namespace of sandbox `%s` you are uid %lld, gid %lld", ref,
                      (long long)uid, (long long)gid);
      return nook_error_hint (err, "give --uid %lld --gid %lld", (long long)uid, (long long)gid);
    }
  return 0;
}

static int
open_target (const struct nook_spec *spec, struct nook_store *store, const char *ref, enum nook_join_kind k,
             struct nook_join *join, uint64_t *userns, struct nook_error *err)
{
  struct nook_sandbox sb;
  int fd;

  if (nook_sandbox_find (store, ref, &sb, err) < 0)
    return nook_error_wrap (err, "--%s container:%s", kind_names[k], ref);
  fd = nook_sandbox_pidfd (&sb, err);
  if (fd < 0 || nook_proc_ns_inode (sb.pid, "user", userns) < 0 || check_ids (spec, sb.pid, ref, err) < 0)
    {
      if (fd >= 0 && err->msg == NULL)
        nook_error_errno (err, "read the user namespace of `%s`", ref);
      nook_closep (&fd);
      nook_sandbox_release (&sb);
      return nook_error_wrap (err, "--%s container:%s", kind_names[k], ref);
    }
  join->pidfd[k] = fd;
  join->target = sb.pid;
  memcpy (join->id[k], sb.id, sizeof join->id[k]);
  join->ids[k] = join->id[k];
  nook_sandbox_release (&sb);
  return 0;
}

/* Opens the namespace file PATH, which must be one of type CLONE_TYPE.  */
static int
open_ns (const char *path, const char *name, int clone_type, struct nook_error *err)
{
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  int type;

  if (fd < 0)
    return nook_error_errno (err, "open the %s namespace `%s`", name, path);
  type = ioctl (fd, NS_GET_NSTYPE);
  if (type < 0 && errno != ENOTTY)
    return nook_error_errno (err, "the %s namespace `%s`", name, path);
  if (type != clone_type)
    {
      nook_error_set (err, 0, "`%s` is no %s namespace", path, name);
      return nook_error_hint (err, "give a /proc/PID/ns/ file of that type, or a bind mount of one");
    }
  return steal_fd (&fd);
}

int
nook_join_resolve (const struct nook_spec *spec, struct nook_join *join, struct nook_error *err)
{
  struct nook_store store;
  uint64_t userns = 0, first = 0;
  int r = 0;

  /* Namespace files (an OCI config's paths): opened and checked now,
     entered before the clone (the mount namespace: by the sandbox).  */
  for (int k = 0; k < NOOK_JOIN_N; k++)
    if (spec->life.join_path[k]
        && (join->nsfd[k] = open_ns (spec->life.join_path[k], kind_names[k], kind_clone[k], err)) < 0)
      return -1;
  for (int k = 0; k < NOOK_NSPATH_N; k++)
    if (spec->life.ns_path[k]
        && (join->path_fd[k] = open_ns (spec->life.ns_path[k], path_names[k], path_clone[k], err)) < 0)
      return -1;
  /* A sandbox made in a user namespace of its own has no capability over
     any mount namespace that exists already.  */
  if (join->path_fd[NOOK_NSPATH_MOUNT] >= 0 && join->path_fd[NOOK_NSPATH_USER] < 0)
    {
      nook_error_set (err, 0,
                      "the mount namespace `%s` can only be joined in the user namespace that owns it",
                      spec->life.ns_path[NOOK_NSPATH_MOUNT]);
      return nook_error_hint (err, "give that user namespace's path too");
    }
  for (int k = 0; k < NOOK_JOIN_N; k++)
    join->active |= spec->life.join[k] != NULL;
  if (!join->active)
    return 0;
  if (nook_store_open (&store, err) < 0)
    return -1;
  for (int k = 0; k < NOOK_JOIN_N && r == 0; k++)
    {
      if (spec->life.join[k] == NULL)
        continue;
      r = open_target (spec, &store, spec->life.join[k], k, join, &userns, err);
      /* Namespaces belong to a user namespace, and a process is in one
         user namespace: two sandboxes with their own cannot both be joined.  */
      if (r == 0 && first && userns != first)
        r = nook_error_set (err, 0,
                            "--%s container:%s: it has another user namespace than the other joined "
                            "sandbox, and a sandbox can only be in one",
                            kind_names[k], spec->life.join[k]);
      if (first == 0)
        first = userns;
    }
  nook_store_close (&store);
  return r;
}

int
nook_join_enter (const struct nook_join *join, struct nook_error *err)
{
  bool in_userns = false;
  int user = join->path_fd[NOOK_NSPATH_USER], cgroup = join->path_fd[NOOK_NSPATH_CGROUP];

  if (user >= 0 && setns (user, CLONE_NEWUSER) < 0)
    {
      nook_error_errno (err, "enter the user namespace given by path");
      return nook_error_hint (err, "it must be one that you own, or a child of yours");
    }
  for (int k = 0; k < NOOK_JOIN_N; k++)
    if (join->nsfd[k] >= 0 && setns (join->nsfd[k], kind_clone[k]) < 0)
      {
        nook_error_errno (err, "enter the %s namespace given by path", kind_names[k]);
        return nook_error_hint (
            err, "the caller needs CAP_SYS_ADMIN over it: create it in the same user namespace");
      }
  if (cgroup >= 0 && setns (cgroup, CLONE_NEWCGROUP) < 0)
    {
      nook_error_errno (err, "enter the cgroup namespace given by path");
      return nook_error_hint (err,
                              "the caller needs CAP_SYS_ADMIN over it: give its user namespace's path too");
    }
  if (!join->active)
    return 0;
  for (int k = 0; k < NOOK_JOIN_N; k++)
    {
      int flags = kind_clone[k];
      if (join->pidfd[k] < 0)
        continue;
      /* The user namespace first, in the same call: it owns the others,
         and it gives this process the capabilities to enter them.  The
         sandbox is then created inside it, with no id map of its own.  */
      if (!in_userns)
        flags |= CLONE_NEWUSER;
      if (setns (join->pidfd[k], flags) < 0)
        return nook_error_errno (err, "enter the %s namespace of sandbox %s", kind_names[k], join->id[k]);
      in_userns = true;
    }
  return 0;
}

int
nook_join_enter_mount (int fd, struct nook_error *err)
{
  int r = setns (fd, CLONE_NEWNS);

  close (fd);
  if (r < 0)
    {
      nook_error_errno (err, "enter the mount namespace given by path");
      return nook_error_hint (err, "it must belong to the user namespace given by path");
    }
  return 0;
}

/* Whether the command of a sandbox, as recorded, may trace a process of
   its user namespace that holds more capabilities than it does:
   CAP_SYS_PTRACE and no Landlock (root-plan.h, check_tracers).  */
static bool
recorded_tracer (const struct nook_sandbox *sb)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };
  bool tracer = false;
  int landlock;

  nook_spec_init (&spec);
  if (nook_sandbox_spec (sb, &spec, &err) == 0 && (landlock = nook_landlock_wanted (&spec, &err)) >= 0)
    tracer = !landlock && (nook_caps_for_spec (&spec) & (UINT64_C (1) << CAP_SYS_PTRACE));
  nook_error_release (&err);
  nook_spec_free (&spec);
  return tracer;
}

/* Whether a fuse-overlayfs process lives in the user namespace USERNS.  */
static bool
fuse_in_userns (uint64_t userns)
{
  DIR *d = opendir ("/proc");
  struct dirent *e;
  bool found = false;

  while (d && !found && (e = readdir (d)))
    {
      char *end, path[300];
      cleanup_free char *comm = NULL;
      long pid = strtol (e->d_name, &end, 10);
      uint64_t ino;

      if (*end != '\0' || pid <= 0)
        continue;
      snprintf (path, sizeof path, "/proc/%ld/comm", pid);
      if (nook_read_file_at (AT_FDCWD, path, &comm, NULL, NULL) < 0 || strcmp (comm, "fuse-overlayfs\n") != 0)
        continue;
      found = nook_proc_ns_inode ((pid_t)pid, "user", &ino) == 0 && ino == userns;
    }
  if (d)
    closedir (d);
  return found;
}

/* The running sandboxes in the user namespace USERNS: what they record
   of their PID namespace and network, and whether one may trace.  */
static void
scan_userns (uint64_t userns, bool *host_pids, bool *slirp, bool *tracer)
{
  struct nook_store store;
  struct nook_error ignored = { 0 };
  cleanup_strv char **ids = NULL;

  if (nook_store_open (&store, &ignored) < 0)
    {
      nook_error_release (&ignored);
      return;
    }
  ids = nook_sandbox_list (&store);
  for (size_t i = 0; ids && ids[i]; i++)
    {
      struct nook_sandbox sb;
      uint64_t ino;

      if (nook_sandbox_load (&store, ids[i], &sb) < 0)
        continue;
      if (sb.doc && sb.running && nook_proc_ns_inode (sb.pid, "user", &ino) == 0 && ino == userns)
        {
          recorded_pid_and_net (sb.doc, host_pids, slirp);
          *tracer |= recorded_tracer (&sb);
        }
      nook_sandbox_release (&sb);
    }
  nook_store_close (&store);
}

int
nook_join_check_helpers (const struct nook_spec *spec, const struct nook_join *join, enum nook_net_mode net,
                         bool tracer, bool fuse, struct nook_error *err)
{
  bool host_pids = spec->share & NOOK_NS_PID, slirp = net == NOOK_NET_SLIRP4NETNS, their_tracer = false;
  uint64_t userns;

  /* Every sandbox already in the user namespace this one joins counts:
     one that sees the host's processes sees a helper another started.  */
  if (join->target > 0 && nook_proc_ns_inode (join->target, "user", &userns) == 0)
    {
      scan_userns (userns, &host_pids, &slirp, &their_tracer);
      /* fuse-overlayfs: one of theirs that this command could trace, or
         ours that one of their commands could.  Any sandbox of the user
         namespace counts, whether it shares the PID namespace or not.  */
      if ((tracer && fuse_in_userns (userns)) || (fuse && their_tracer))
        {
          nook_error_set (err, 0,
                          "fuse-overlayfs in the user namespace joined, beside a command with CAP_SYS_PTRACE "
                          "and without Landlock: it could trace fuse-overlayfs, which holds the layers' host "
                          "directories");
          return nook_error_hint (err, "keep Landlock on (it is off with --landlock off, --allow-nested or "
                                       "--cap-add SYS_ADMIN), drop SYS_PTRACE, or use --overlay kernel");
        }
    }
  if (!host_pids || !slirp)
    return 0;
  nook_error_set (err, 0,
                  "--pid host with slirp4netns in the same user namespace: slirp4netns joins that user "
                  "namespace and stays traceable, so a process that sees the host's processes could take "
                  "over the host's network through it");
  return nook_error_hint (err, "use --net pasta (it makes itself non-dumpable), or drop --pid host");
}
