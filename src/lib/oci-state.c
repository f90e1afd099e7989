/* The OCI runtime's state directory; see oci-state.h.  */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup-path.h"
#include "oci-state.h"
#include "proc.h"
#include "utils.h"

/* A state file is small; more is not ours.  */
#define STATE_MAX (64 * 1024)

/* Whether this process is in a user namespace other than the initial one,
   which maps every id.  */
static bool
in_user_namespace (void)
{
  cleanup_free char *map = NULL;
  unsigned long in, out, count;

  if (nook_read_file_at (AT_FDCWD, "/proc/self/uid_map", &map, NULL, NULL) < 0)
    return false;
  return !(sscanf (map, " %lu %lu %lu", &in, &out, &count) == 3 && in == 0 && out == 0
           && count == 4294967295UL && strchr (map, '\n') == strrchr (map, '\n'));
}

char *
nook_oci_default_root (void)
{
  const char *xdg = getenv ("XDG_RUNTIME_DIR");

  /* Root of the initial user namespace; root of another one (rootless
     podman's) cannot write /run, and has its user's runtime directory.  */
  if (geteuid () == 0 && (!in_user_namespace () || xdg == NULL || xdg[0] != '/'))
    return xstrdup ("/run/nook-oci");
  if (xdg && xdg[0] == '/')
    return xasprintf ("%s/nook-oci", xdg);
  return xasprintf ("/tmp/nook-oci-%u", (unsigned)geteuid ());
}

/* The directory at FD must be the caller's and writable by nobody else:
   what is in it is then what a runtime of the caller's wrote.  */
static int
check_owned (int fd, const char *what, struct nook_error *err)
{
  struct stat st;

  if (fstat (fd, &st) < 0)
    return nook_error_errno (err, "stat `%s`", what);
  if (st.st_uid != geteuid () || (st.st_mode & 022))
    {
      nook_error_set (err, 0, "`%s` is not owned by uid %u alone", what, (unsigned)geteuid ());
      return nook_error_hint (err, "the state root must be the caller's, mode 0700: use another --root");
    }
  return 0;
}

static int
mkdir_parents (const char *path, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (path);

  for (char *p = copy + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        if (mkdir (copy, 0700) < 0 && errno != EEXIST)
          return nook_error_errno (err, "create `%s`", copy);
        *p = '/';
      }
  if (mkdir (copy, 0700) < 0 && errno != EEXIST)
    return nook_error_errno (err, "create the state root `%s`", copy);
  return 0;
}

int
nook_oci_root_open (struct nook_oci_root *root, const char *path, struct nook_error *err)
{
  char cwd[4096];

  root->fd = -1;
  if (path[0] == '/')
    root->path = xstrdup (path);
  else if (getcwd (cwd, sizeof cwd))
    root->path = xasprintf ("%s/%s", cwd, path);
  else
    return nook_error_errno (err, "--root `%s`", path);
  if (mkdir_parents (root->path, err) < 0)
    return -1;
  root->fd = open (root->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (root->fd < 0)
    return nook_error_errno (err, "open the state root `%s`", root->path);
  return check_owned (root->fd, root->path, err);
}

void
nook_oci_root_close (struct nook_oci_root *root)
{
  nook_closep (&root->fd);
  root->fd = -1;
  free (root->path);
  root->path = NULL;
}

bool
nook_oci_id_valid (const char *id)
{
  size_t n = strlen (id);

  if (n == 0 || n > NOOK_OCI_ID_MAX || strcmp (id, ".") == 0 || strcmp (id, "..") == 0)
    return false;
  for (const char *p = id; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '_'
          || *p == '+' || *p == '-' || *p == '.'))
      return false;
  return true;
}

static int
bad_id (const char *id, struct nook_error *err)
{
  nook_error_set (err, 0, "container id `%.64s` is not valid", id);
  return nook_error_hint (err, "an id holds letters, digits, `_`, `+`, `-` and `.`");
}

static char *
time_now (void)
{
  struct timespec ts;
  struct tm tm;
  char buf[64];
  size_t n;

  clock_gettime (CLOCK_REALTIME, &ts);
  gmtime_r (&ts.tv_sec, &tm);
  n = strftime (buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (buf + n, sizeof buf - n, ".%09ldZ", ts.tv_nsec);
  return xstrdup (buf);
}

/* state.json replaced whole: a reader sees the old one or the new one.  */
static int
write_doc (struct nook_oci_container *c, struct nook_error *err)
{
  const char *text = json_object_to_json_string_ext (c->doc, JSON_C_TO_STRING_PLAIN);
  cleanup_close int fd
      = openat (c->dirfd, "state.json.tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);

  if (fd < 0 || nook_write_all (fd, text, strlen (text)) < 0)
    return nook_error_errno (err, "write the state of container `%s`", c->id);
  if (renameat (c->dirfd, "state.json.tmp", c->dirfd, "state.json") < 0)
    return nook_error_errno (err, "write the state of container `%s`", c->id);
  return 0;
}

static void
take_fields (struct nook_oci_container *c)
{
  json_object *v;

  c->pid = json_object_object_get_ex (c->doc, "pid", &v) ? json_object_get_int (v) : 0;
  c->start = json_object_object_get_ex (c->doc, "start", &v) ? (uint64_t)json_object_get_int64 (v) : 0;
  c->bundle = json_object_object_get_ex (c->doc, "bundle", &v) ? json_object_get_string (v) : NULL;
  c->created = json_object_object_get_ex (c->doc, "created", &v) ? json_object_get_string (v) : NULL;
  c->creating = json_object_object_get_ex (c->doc, "phase", &v)
                && strcmp (json_object_get_string (v), "creating") == 0;
  c->cgroup = json_object_object_get_ex (c->doc, "cgroup", &v) ? json_object_get_string (v) : NULL;
}

int
nook_oci_container_new (struct nook_oci_root *root, const char *id, const char *bundle,
                        struct nook_oci_container *c, struct nook_error *err)
{
  memset (c, 0, sizeof *c);
  c->dirfd = c->lockfd = -1;
  if (!nook_oci_id_valid (id))
    return bad_id (id, err);
  c->id = xstrdup (id);
  if (mkdirat (root->fd, id, 0700) < 0)
    {
      if (errno == EEXIST)
        return nook_error_set (err, 0, "container `%s` already exists", id);
      return nook_error_errno (err, "create the state of container `%s`", id);
    }
  c->dirfd = openat (root->fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (c->dirfd < 0)
    return nook_error_errno (err, "open the state of container `%s`", id);
  c->lockfd = openat (c->dirfd, "lock", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (c->lockfd < 0 || flock (c->lockfd, LOCK_EX) < 0)
    return nook_error_errno (err, "lock the state of container `%s`", id);
  c->doc = json_object_new_object ();
  json_object_object_add (c->doc, "id", json_object_new_string (id));
  json_object_object_add (c->doc, "bundle", json_object_new_string (bundle));
  {
    cleanup_free char *now = time_now ();
    json_object_object_add (c->doc, "created", json_object_new_string (now));
  }
  json_object_object_add (c->doc, "phase", json_object_new_string ("creating"));
  json_object_object_add (c->doc, "pid", json_object_new_int (0));
  take_fields (c);
  return write_doc (c, err);
}

int
nook_oci_container_record (struct nook_oci_container *c, pid_t pid, const char *phase, struct nook_error *err)
{
  if (pid > 0)
    {
      uint64_t start = 0;
      if (nook_proc_start_time (pid, &start) < 0)
        return nook_error_errno (err, "read the start time of process %d", (int)pid);
      json_object_object_add (c->doc, "pid", json_object_new_int (pid));
      json_object_object_add (c->doc, "start", json_object_new_int64 ((int64_t)start));
    }
  json_object_object_add (c->doc, "phase", json_object_new_string (phase));
  take_fields (c);
  return write_doc (c, err);
}

int
nook_oci_container_set_cgroup (struct nook_oci_container *c, const char *dir, struct nook_error *err)
{
  if (dir)
    json_object_object_add (c->doc, "cgroup", json_object_new_string (dir));
  else
    json_object_object_del (c->doc, "cgroup");
  take_fields (c);
  return write_doc (c, err);
}

/* Every field typed; anything else makes the state not valid.  */
static bool
doc_valid (json_object *doc)
{
  json_object *v;
  const char *s;

  if (!json_object_is_type (doc, json_type_object))
    return false;
  if (!json_object_object_get_ex (doc, "pid", &v) || !json_object_is_type (v, json_type_int)
      || json_object_get_int64 (v) < 0 || json_object_get_int64 (v) > 4194304)
    return false;
  if (json_object_get_int64 (v) > 0
      && (!json_object_object_get_ex (doc, "start", &v) || !json_object_is_type (v, json_type_int)
          || json_object_get_int64 (v) < 0))
    return false;
  if (!json_object_object_get_ex (doc, "bundle", &v) || !json_object_is_type (v, json_type_string)
      || json_object_get_string (v)[0] != '/')
    return false;
  if (!json_object_object_get_ex (doc, "created", &v) || !json_object_is_type (v, json_type_string))
    return false;
  if (json_object_object_get_ex (doc, "cgroup", &v)
      && (!json_object_is_type (v, json_type_string)
          || strncmp (json_object_get_string (v), "/sys/fs/cgroup/", 15) != 0
          || strstr (json_object_get_string (v), "/..")))
    return false;
  if (!json_object_object_get_ex (doc, "phase", &v) || !json_object_is_type (v, json_type_string))
    return false;
  s = json_object_get_string (v);
  return strcmp (s, "creating") == 0 || strcmp (s, "created") == 0;
}

static int
read_doc (struct nook_oci_container *c, struct nook_error *err)
{
  cleanup_close int fd = openat (c->dirfd, "state.json", O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  cleanup_free char *buf = NULL;
  struct stat st;
  ssize_t n;

  if (fd < 0)
    return nook_error_errno (err, "read the state of container `%s`", c->id);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_uid != geteuid () || (st.st_mode & 022)
      || st.st_size > STATE_MAX)
    return nook_error_set (err, 0, "the state of container `%s` is not as nook-oci wrote it", c->id);
  buf = xmalloc (st.st_size + 1);
  n = nook_read_all (fd, buf, st.st_size);
  if (n < 0)
    return nook_error_errno (err, "read the state of container `%s`", c->id);
  buf[n] = '\0';
  c->doc = json_tokener_parse (buf);
  if (!doc_valid (c->doc))
    {
      json_object_put (c->doc);
      c->doc = NULL;
      return nook_error_set (err, 0, "the state of container `%s` is not as nook-oci wrote it", c->id);
    }
  take_fields (c);
  return 0;
}

int
nook_oci_container_load (struct nook_oci_root *root, const char *id, struct nook_oci_container *c,
                         struct nook_error *err)
{
  memset (c, 0, sizeof *c);
  c->dirfd = c->lockfd = -1;
  if (!nook_oci_id_valid (id))
    return bad_id (id, err);
  c->id = xstrdup (id);
  c->dirfd = openat (root->fd, id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (c->dirfd < 0 && errno == ENOENT)
    return nook_error_set (err, 0, "container `%s` does not exist", id);
  if (c->dirfd < 0)
    return nook_error_errno (err, "open the state of container `%s`", id);
  if (check_owned (c->dirfd, id, err) < 0)
    return -1;
  return read_doc (c, err);
}

/* Whether the lock is held by a runtime that is creating the container.  */
static bool
lock_held (const struct nook_oci_container *c)
{
  cleanup_close int fd = -1;

  if (c->lockfd >= 0)
    return true;
  fd = openat (c->dirfd, "lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0)
    return false;
  if (flock (fd, LOCK_EX | LOCK_NB) < 0)
    return errno == EWOULDBLOCK;
  flock (fd, LOCK_UN);
  return false;
}

/* The state letter of /proc/PID/stat (R, S, T, Z, ...), or 0.  */
static char
proc_state (pid_t pid)
{
  char path[64];
  cleanup_free char *stat = NULL;
  const char *p;

  snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
  if (nook_read_file_at (AT_FDCWD, path, &stat, NULL, NULL) < 0)
    return 0;
  p = strrchr (stat, ')');
  return p && p[1] && p[2] ? p[2] : 0;
}

bool
nook_oci_container_alive (const struct nook_oci_container *c)
{
  int fd;

  if (c->pid <= 0)
    return false;
  fd = nook_pidfd_open_checked (c->pid, c->start);
  if (fd < 0)
    return false;
  close (fd);
  /* Ended, not yet reaped by whoever it was handed to.  */
  return proc_state (c->pid) != 'Z';
}

/* Whether every process of the container is stopped (pause).  */
static bool
all_stopped (pid_t pid)
{
  cleanup_free pid_t *pids = NULL;
  size_t n = nook_proc_tree (pid, &pids);

  for (size_t i = 0; i < n; i++)
    if (proc_state (pids[i]) != 'T')
      return false;
  return n > 0;
}

const char *
nook_oci_container_status (const struct nook_oci_container *c)
{
  struct stat st;

  if (c->creating && lock_held (c))
    return "creating";
  if (!nook_oci_container_alive (c))
    return "stopped";
  if (c->creating)
    return "stopped"; /* a remnant: its runtime died */
  if (fstatat (c->dirfd, "exec.fifo", &st, AT_SYMLINK_NOFOLLOW) == 0)
    return "created";
  if (c->cgroup)
    return nook_cgroup_frozen (c->cgroup) ? "paused" : "running";
  return all_stopped (c->pid) ? "paused" : "running";
}

json_object *
nook_oci_container_state_json (const struct nook_oci_container *c)
{
  json_object *o = json_object_new_object ();
  const char *status = nook_oci_container_status (c);
  struct passwd *pw = getpwuid (geteuid ());
  bool alive = strcmp (status, "stopped") != 0;

  json_object_object_add (o, "ociVersion", json_object_new_string ("1.2.0"));
  json_object_object_add (o, "id", json_object_new_string (c->id));
  json_object_object_add (o, "pid", json_object_new_int (alive ? c->pid : 0));
  json_object_object_add (o, "status", json_object_new_string (status));
  json_object_object_add (o, "bundle", json_object_new_string (c->bundle ? c->bundle : ""));
  json_object_object_add (o, "rootfs", json_object_new_string (""));
  json_object_object_add (o, "created", json_object_new_string (c->created ? c->created : ""));
  json_object_object_add (o, "owner", json_object_new_string (pw ? pw->pw_name : ""));
  json_object_object_add (o, "annotations", json_object_new_object ());
  return o;
}

int
nook_oci_container_remove (struct nook_oci_root *root, struct nook_oci_container *c, struct nook_error *err)
{
  static const char *const files[]
      = { "state.json", "state.json.tmp", "config.json", "seccomp.json", "exec.fifo", "lock", NULL };

  /* The cgroup first: killing what is left in it, while the state still
     names it.  */
  if (c->cgroup)
    nook_cgroup_remove (c->cgroup);

  for (size_t i = 0; files[i]; i++)
    if (unlinkat (c->dirfd, files[i], 0) < 0 && errno != ENOENT)
      return nook_error_errno (err, "remove `%s` of container `%s`", files[i], c->id);
  if (unlinkat (root->fd, c->id, AT_REMOVEDIR) < 0 && errno != ENOENT)
    return nook_error_errno (err, "remove the state of container `%s`", c->id);
  return 0;
}

void
nook_oci_container_release (struct nook_oci_container *c)
{
  json_object_put (c->doc);
  nook_closep (&c->dirfd);
  nook_closep (&c->lockfd);
  free (c->id);
  memset (c, 0, sizeof *c);
  c->dirfd = c->lockfd = -1;
}

static int
compare_strings (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

char **
nook_oci_root_list (struct nook_oci_root *root)
{
  char **ids = xcalloc (1, sizeof (char *));
  int fd = dup (root->fd);
  DIR *d = fd >= 0 ? fdopendir (fd) : NULL;
  struct dirent *e;

  if (d == NULL)
    {
      if (fd >= 0)
        close (fd);
      return ids;
    }
  rewinddir (d);
  while ((e = readdir (d)))
    if (e->d_type == DT_DIR && nook_oci_id_valid (e->d_name))
      strv_append (&ids, e->d_name);
  closedir (d);
  if (ids)
    qsort (ids, strv_len (ids), sizeof *ids, compare_strings);
  return ids;
}

void
nook_oci_root_sweep (struct nook_oci_root *root)
{
  cleanup_strv char **ids = nook_oci_root_list (root);

  for (size_t i = 0; ids[i]; i++)
    {
      struct nook_oci_container c;
      struct nook_error err = { 0 };

      if (nook_oci_container_load (root, ids[i], &c, &err) == 0 && c.creating && !lock_held (&c))
        {
          int fd = c.pid > 0 ? nook_pidfd_open_checked (c.pid, c.start) : -1;
          if (fd >= 0)
            {
              syscall (SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
              close (fd);
            }
          nook_oci_container_remove (root, &c, &err);
        }
      nook_error_release (&err);
      nook_oci_container_release (&c);
    }
}
