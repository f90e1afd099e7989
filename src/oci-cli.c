/* nook-oci: the global options, the log, and the commands that only read
 * or signal a container (state, kill, list, ps, pause, resume, update,
 * features, spec).  create, start, run, exec and delete are in
 * oci-create.c.
 *
 * The command line is runc's and crun's: engines (conmon, containerd's
 * shim, buildah) find the runtime by path and speak it.  Options a runtime
 * must take and nook has no use for are accepted and ignored exactly
 * where crun ignores them (--no-pivot, --no-new-keyring, --rootless, ...);
 * an unknown one is an error.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cgroup-path.h"
#include "lib/escape.h"
#include "lib/proc.h"
#include "lib/utils.h"
#include "oci-cli.h"

struct oci_globals oci_globals = { .log_fd = -1, .level = OCI_LOG_WARNING };

static const char *const level_names[] = { "error", "warning", "info", "debug" };

void
oci_log (enum oci_level level, const char *fmt, ...)
{
  cleanup_free char *msg = NULL;
  va_list ap;

  if (level > oci_globals.level)
    return;
  va_start (ap, fmt);
  if (vasprintf (&msg, fmt, ap) < 0)
    msg = NULL;
  va_end (ap);
  if (msg == NULL)
    return;
  if (oci_globals.log_fd < 0)
    {
      /* One line, escaped: a message may carry a container's bytes.  */
      cleanup_free char *shown = nook_escape_text (msg);
      dprintf (STDERR_FILENO, "nook-oci: %s%s%s\n", level == OCI_LOG_ERROR ? "" : level_names[level],
               level == OCI_LOG_ERROR ? "" : ": ", shown);
      return;
    }
  if (oci_globals.json)
    {
      struct timespec ts;
      struct tm tm;
      char when[64];
      size_t n;
      json_object *o = json_object_new_object ();
      const char *line;

      clock_gettime (CLOCK_REALTIME, &ts);
      gmtime_r (&ts.tv_sec, &tm);
      n = strftime (when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
      snprintf (when + n, sizeof when - n, ".%06ldZ", ts.tv_nsec / 1000);
      json_object_object_add (o, "msg", json_object_new_string (msg));
      json_object_object_add (o, "level", json_object_new_string (level_names[level]));
      json_object_object_add (o, "time", json_object_new_string (when));
      line = json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN);
      dprintf (oci_globals.log_fd, "%s\n", line);
      json_object_put (o);
    }
  else
    {
      cleanup_free char *shown = nook_escape_text (msg);
      dprintf (oci_globals.log_fd, "%s: %s\n", level_names[level], shown);
    }
}

/* ---- options ------------------------------------------------------------------ */

static const struct oci_opt *
find_opt (const struct oci_opt *opts, const char *name, size_t len, char short_name)
{
  for (const struct oci_opt *o = opts; o->name; o++)
    if ((short_name && o->short_name == short_name)
        || (!short_name && strlen (o->name) == len && strncmp (o->name, name, len) == 0))
      return o;
  return NULL;
}

/* strconv.ParseBool's words.  */
static int
parse_go_bool (const char *s, bool *on)
{
  static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True", NULL };
  static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False", NULL };

  for (size_t i = 0; yes[i]; i++)
    if (strcmp (s, yes[i]) == 0 || strcmp (s, no[i]) == 0)
      {
        *on = strcmp (s, yes[i]) == 0;
        return 0;
      }
  return -1;
}

int
oci_parse (const struct oci_opt *opts, int argc, char **argv, struct oci_arg *out, size_t max, size_t *n_out,
           struct nook_error *err)
{
  int i;

  *n_out = 0;
  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i], *name, *eq, *value = NULL;
      const struct oci_opt *o;
      size_t len;

      if (strcmp (a, "--") == 0)
        return i + 1;
      if (a[0] != '-' || a[1] == '\0')
        return i;
      /* --name, --name=V, and Go's -name (runc's flag package takes both);
         -x and -xV for a one-letter option.  */
      name = a + (a[1] == '-' ? 2 : 1);
      eq = strchr (name, '=');
      len = eq ? (size_t)(eq - name) : strlen (name);
      o = find_opt (opts, name, len, 0);
      if (o == NULL && a[1] != '-')
        {
          o = find_opt (opts, NULL, 0, a[1]);
          eq = NULL;
          if (o && a[2])
            {
              if (!o->arg)
                o = NULL; /* -dt: not taken */
              else
                value = a + 2;
            }
        }
      if (o == NULL && strcmp (argv[0], "nook-oci") == 0)
        {
          nook_error_set (err, 0, "unknown global option `%s`", a);
          return nook_error_hint (err, "see `nook-oci --help` and man nook-oci");
        }
      if (o == NULL)
        {
          nook_error_set (err, 0, "%s: unknown option `%s`", argv[0], a);
          return nook_error_hint (err, "see man nook-oci, COMMANDS");
        }
      if (eq)
        value = eq + 1;
      /* A flag with a value: Go's flag package (runc's) reads it as a
         boolean, so --detach=false is no --detach.  */
      if (!o->arg && value)
        {
          bool on;
          if (parse_go_bool (value, &on) < 0)
            return nook_error_set (err, 0, "%s: option `%s`: a flag is true or false", argv[0], a);
          if (!on)
            continue;
          value = NULL;
        }
      if (o->arg && value == NULL)
        {
          if (i + 1 >= argc)
            return nook_error_set (err, 0, "%s: option `%s` needs a value", argv[0], a);
          value = argv[++i];
        }
      /* Never drop one silently: an engine's option must act or fail.  */
      if (*n_out >= max)
        return nook_error_set (err, 0, "%s: more than %zu options", argv[0], max);
      out[(*n_out)++] = (struct oci_arg){ o->id, value };
    }
  return i;
}

int
oci_check_args (const char *cmd, int n, int min, int max, struct nook_error *err)
{
  if (n < min)
    {
      nook_error_set (err, 0, "%s: missing container id", cmd);
      return nook_error_hint (err, "usage: nook-oci %s [OPTIONS] CONTAINER-ID", cmd);
    }
  if (max == 0 && n > 0)
    return nook_error_set (err, 0, "%s: takes no arguments", cmd);
  if (max >= 0 && n > max)
    return nook_error_set (err, 0, "%s: takes at most %d arguments", cmd, max);
  return 0;
}

static const struct oci_opt no_opts[] = { { NULL, 0, false, 0 } };

int
oci_parse_plain (int argc, char **argv, int min, int max, struct nook_error *err)
{
  struct oci_arg args[1];
  size_t n;
  int first = oci_parse (no_opts, argc, argv, args, 1, &n, err);

  if (first < 0 || oci_check_args (argv[0], argc - first, min, max, err) < 0)
    return -1;
  return first;
}

int
oci_open_root (struct nook_oci_root *root, struct nook_error *err)
{
  cleanup_free char *dflt = oci_globals.root ? NULL : nook_oci_default_root ();

  if (nook_oci_root_open (root, oci_globals.root ? oci_globals.root : dflt, err) < 0)
    return -1;
  nook_oci_root_sweep (root);
  return 0;
}

int
oci_write_pid_file (int dirfd, const char *path, pid_t pid, struct nook_error *err)
{
  cleanup_free char *tmp = xasprintf ("%s.nook-tmp", path);
  cleanup_close int fd = openat (dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
  char buf[16];
  int n = snprintf (buf, sizeof buf, "%d", (int)pid);

  if (fd < 0 || nook_write_all (fd, buf, n) < 0 || renameat (dirfd, tmp, dirfd, path) < 0)
    {
      nook_error_errno (err, "write the pid file `%s`", path);
      unlinkat (dirfd, tmp, 0);
      return -1;
    }
  return 0;
}

/* ---- state, kill, list, ps, pause, resume ------------------------------------------ */

static int
load (const char *id, struct nook_oci_root *root, struct nook_oci_container *c, struct nook_error *err)
{
  if (oci_open_root (root, err) < 0)
    return -1;
  return nook_oci_container_load (root, id, c, err);
}

static int
print_json (json_object *o)
{
  printf ("%s\n",
          json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
  return 0;
}

int
oci_check_id (int argc, char **argv, struct nook_error *err)
{
  return oci_parse_plain (argc, argv, 1, 1, err) < 0 ? -1 : 0;
}

static int
check_none (int argc, char **argv, struct nook_error *err)
{
  return oci_parse_plain (argc, argv, 0, 0, err) < 0 ? -1 : 0;
}

static int
cmd_state (int argc, char **argv, struct nook_error *err)
{
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int first = oci_parse_plain (argc, argv, 1, 1, err), r = -1;

  if (first < 0)
    return -1;
  if (load (argv[first], &root, &c, err) == 0)
    r = print_json (nook_oci_container_state_json (&c));
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

/* The container's processes: its init and every descendant, and with a
   PID namespace of its own what exec started in it.  */
static size_t
container_pids (const struct nook_oci_container *c, pid_t **pids)
{
  size_t n = nook_proc_tree (c->pid, pids);
  pid_t inner;
  uint64_t ino;

  if (nook_proc_inner_pid (c->pid, &inner) == 0 && inner == 1
      && nook_proc_ns_inode (c->pid, "pid", &ino) == 0)
    n = nook_proc_add_pidns (ino, pids, n);
  return n;
}

static int
signal_container (const struct nook_oci_container *c, int sig, bool all, struct nook_error *err)
{
  cleanup_close int fd = nook_pidfd_open_checked (c->pid, c->start);
  cleanup_free pid_t *pids = NULL;
  size_t n;

  if (fd < 0 || !nook_oci_container_alive (c))
    return nook_error_set (err, 0, "container `%s` is not running", c->id);
  if (!all)
    {
      if (syscall (SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
        return nook_error_errno (err, "send signal %d to container `%s`", sig, c->id);
      return 0;
    }
  /* Every process in the container's cgroup, as runc signals them.  */
  if (c->cgroup)
    return nook_cgroup_signal (c->cgroup, sig, err);
  /* The init's pidfd is held: the pids read are this container's.  */
  n = container_pids (c, &pids);
  for (size_t i = 0; i < n; i++)
    {
      int pfd = (int)syscall (SYS_pidfd_open, pids[i], 0);
      if (pfd >= 0)
        {
          syscall (SYS_pidfd_send_signal, pfd, sig, NULL, 0);
          close (pfd);
        }
    }
  return 0;
}

struct kill_cli
{
  const char *id;
  int sig;
  bool all;
};

static int
parse_kill (int argc, char **argv, struct kill_cli *k, struct nook_error *err)
{
  enum
  {
    O_ALL,
    O_PID,
  };
  static const struct oci_opt opts[]
      = { { "all", 'a', false, O_ALL }, { "pid", 'p', true, O_PID }, { NULL, 0, false, 0 } };
  struct oci_arg args[8];
  size_t n;
  int first = oci_parse (opts, argc, argv, args, 8, &n, err);

  if (first < 0 || oci_check_args ("kill", argc - first, 1, 2, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (args[i].id == O_ALL)
      k->all = true;
    else
      return nook_error_set (err, 0, "kill: --pid is not supported");
  k->id = argv[first];
  k->sig = SIGTERM;
  if (argc - first == 2 && (k->sig = nook_parse_signal (argv[first + 1])) < 0)
    {
      nook_error_set (err, 0, "kill: unknown signal `%s`", argv[first + 1]);
      return nook_error_hint (err, "give a name (TERM, SIGKILL) or a number");
    }
  return 0;
}

static int
check_kill (int argc, char **argv, struct nook_error *err)
{
  struct kill_cli k = { 0 };

  return parse_kill (argc, argv, &k, err);
}

static int
cmd_kill (int argc, char **argv, struct nook_error *err)
{
  struct kill_cli k = { 0 };
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int r = -1;

  if (parse_kill (argc, argv, &k, err) < 0)
    return -1;
  if (load (k.id, &root, &c, err) == 0)
    r = signal_container (&c, k.sig, k.all, err);
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

static int
cmd_pause (int argc, char **argv, struct nook_error *err)
{
  bool pause = strcmp (argv[0], "pause") == 0;
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int first = oci_parse_plain (argc, argv, 1, 1, err), r = -1;

  if (first < 0)
    return -1;
  if (load (argv[first], &root, &c, err) == 0 && c.cgroup)
    {
      /* The freezer: every process at once, none forking past it.  */
      if (nook_oci_container_alive (&c))
        r = nook_cgroup_freeze (c.cgroup, pause, err);
      else
        nook_error_set (err, 0, "container `%s` is not running", c.id);
    }
  else if (c.doc)
    {
      /* A stopped process cannot fork: stop every one, walking again
         until no new one appears.  */
      r = 0;
      for (int round = 0; r == 0 && round < (pause ? 100 : 1); round++)
        {
          r = signal_container (&c, pause ? SIGSTOP : SIGCONT, true, err);
          if (!pause || strcmp (nook_oci_container_status (&c), "paused") == 0)
            break;
          usleep (1000);
        }
    }
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

/* --format of ps and list: whether it is json.  */
static int
parse_format (const char *cmd, const char *value, bool *json, struct nook_error *err)
{
  if (strcmp (value, "json") != 0 && strcmp (value, "table") != 0)
    return nook_error_set (err, 0, "%s: unknown format `%s` (json or table)", cmd, value);
  *json = strcmp (value, "json") == 0;
  return 0;
}

/* ps's options: the index of the container id.  */
static int
parse_ps (int argc, char **argv, bool *json, struct nook_error *err)
{
  static const struct oci_opt opts[] = { { "format", 'f', true, 0 }, { NULL, 0, false, 0 } };
  struct oci_arg args[4];
  size_t n;
  int first = oci_parse (opts, argc, argv, args, 4, &n, err);

  if (first < 0 || oci_check_args ("ps", argc - first, 1, 1, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (parse_format ("ps", args[i].value, json, err) < 0)
      return -1;
  return first;
}

static int
check_ps (int argc, char **argv, struct nook_error *err)
{
  bool json;

  return parse_ps (argc, argv, &json, err) < 0 ? -1 : 0;
}

static int
cmd_ps (int argc, char **argv, struct nook_error *err)
{
  size_t np;
  bool json = false;
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  cleanup_free pid_t *pids = NULL;
  int first = parse_ps (argc, argv, &json, err), r = -1;

  if (first < 0)
    return -1;
  if (load (argv[first], &root, &c, err) == 0)
    {
      json_object *a = json_object_new_array ();
      np = nook_oci_container_alive (&c) ? container_pids (&c, &pids) : 0;
      for (size_t i = 0; i < np; i++)
        json_object_array_add (a, json_object_new_int (pids[i]));
      if (json)
        print_json (a);
      else
        {
          printf ("PID\n");
          for (size_t i = 0; i < np; i++)
            printf ("%d\n", (int)pids[i]);
          json_object_put (a);
        }
      r = 0;
    }
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

static int
parse_list (int argc, char **argv, bool *json, bool *quiet, struct nook_error *err)
{
  enum
  {
    O_FORMAT,
    O_QUIET
  };
  static const struct oci_opt opts[]
      = { { "format", 'f', true, O_FORMAT }, { "quiet", 'q', false, O_QUIET }, { NULL, 0, false, 0 } };
  struct oci_arg args[4];
  size_t n;
  int first = oci_parse (opts, argc, argv, args, 4, &n, err);

  if (first < 0 || oci_check_args ("list", argc - first, 0, 0, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (args[i].id == O_QUIET)
      *quiet = true;
    else if (parse_format ("list", args[i].value, json, err) < 0)
      return -1;
  return 0;
}

static int
check_list (int argc, char **argv, struct nook_error *err)
{
  bool json, quiet;

  return parse_list (argc, argv, &json, &quiet, err);
}

static int
cmd_list (int argc, char **argv, struct nook_error *err)
{
  bool json = false, quiet = false;
  struct nook_oci_root root = { 0 };
  cleanup_strv char **ids = NULL;
  json_object *a;

  if (parse_list (argc, argv, &json, &quiet, err) < 0)
    return -1;
  if (oci_open_root (&root, err) < 0)
    return -1;
  ids = nook_oci_root_list (&root);
  a = json_object_new_array ();
  if (!json && !quiet)
    printf ("%-20s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
  for (size_t i = 0; ids[i]; i++)
    {
      struct nook_oci_container c;
      struct nook_error ignored = { 0 };
      json_object *s;

      if (nook_oci_container_load (&root, ids[i], &c, &ignored) < 0)
        {
          nook_error_release (&ignored);
          nook_oci_container_release (&c);
          continue;
        }
      s = nook_oci_container_state_json (&c);
      /* The table is for a terminal: the id and the bundle's path are
         shown escaped (the JSON keeps them exact).  */
      cleanup_free char *e_id = nook_escape_name (c.id), *e_bundle = nook_escape_name (c.bundle);
      if (quiet)
        printf ("%s\n", e_id);
      else if (!json)
        printf ("%-20s %-8d %-10s %-40s %s\n", e_id, json_object_get_int (json_object_object_get (s, "pid")),
                json_object_get_string (json_object_object_get (s, "status")), e_bundle, c.created);
      json_object_array_add (a, s);
      nook_oci_container_release (&c);
    }
  if (json && !quiet)
    print_json (a);
  else
    json_object_put (a);
  nook_oci_root_close (&root);
  return 0;
}

/* The runtime-spec's features document (features.md): what this runtime
   accepts in config.json.  */
static int
cmd_features (int argc, char **argv, struct nook_error *err)
{
  static const char *const hooks[]
      = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL };
  static const char *const mounts[] = { "bind",   "rbind",   "ro",       "rw",   "dev",  "nodev", "nosuid",
                                        "noexec", "private", "rprivate", "mode", "size", NULL };
  static const char *const ns[] = { "pid", "network", "ipc", "uts", "mount", "user", "cgroup", "time", NULL };
  static const char *const actions[]
      = { "SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
          "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",   "SCMP_ACT_TRAP", NULL };
  static const char *const ops[] = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
                                     "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL };
  json_object *o, *linux_, *seccomp, *cg;

#define STRV_JSON(list)                                                                                      \
  ({                                                                                                         \
    json_object *a_ = json_object_new_array ();                                                              \
    for (size_t k_ = 0; (list)[k_]; k_++)                                                                    \
      json_object_array_add (a_, json_object_new_string ((list)[k_]));                                       \
    a_;                                                                                                      \
  })
  if (check_none (argc, argv, err) < 0)
    return -1;
  o = json_object_new_object ();
  json_object_object_add (o, "ociVersionMin", json_object_new_string ("1.0.0"));
  json_object_object_add (o, "ociVersionMax", json_object_new_string ("1.2.0"));
  json_object_object_add (o, "hooks", STRV_JSON (hooks));
  json_object_object_add (o, "mountOptions", STRV_JSON (mounts));
  linux_ = json_object_new_object ();
  json_object_object_add (linux_, "namespaces", STRV_JSON (ns));
  {
    json_object *a = json_object_new_array ();
    for (int cap = 0; cap < cap_max_bits (); cap++)
      {
        char *cn = cap_to_name (cap);
        char buf[64];
        if (cn && strncmp (cn, "cap_", 4) == 0)
          {
            snprintf (buf, sizeof buf, "CAP_%s", cn + 4);
            for (char *p = buf; *p; p++)
              if (*p >= 'a' && *p <= 'z')
                *p -= 32;
            json_object_array_add (a, json_object_new_string (buf));
          }
        cap_free (cn);
      }
    json_object_object_add (linux_, "capabilities", a);
  }
  cg = json_object_new_object ();
  json_object_object_add (cg, "v1", json_object_new_boolean (0));
  json_object_object_add (cg, "v2", json_object_new_boolean (1));
  json_object_object_add (cg, "systemd", json_object_new_boolean (1));
  json_object_object_add (cg, "systemdUser", json_object_new_boolean (1));
  json_object_object_add (linux_, "cgroup", cg);
  seccomp = json_object_new_object ();
  json_object_object_add (seccomp, "enabled", json_object_new_boolean (1));
  json_object_object_add (seccomp, "actions", STRV_JSON (actions));
  json_object_object_add (seccomp, "operators", STRV_JSON (ops));
  json_object_object_add (linux_, "seccomp", seccomp);
  {
    json_object *a = json_object_new_object ();
    json_object_object_add (a, "enabled", json_object_new_boolean (0));
    json_object_object_add (linux_, "apparmor", a);
    a = json_object_new_object ();
    json_object_object_add (a, "enabled", json_object_new_boolean (0));
    json_object_object_add (linux_, "selinux", a);
  }
  json_object_object_add (o, "linux", linux_);
  {
    json_object *ann = json_object_new_object ();
    json_object_object_add (ann, "org.opencontainers.runc.checkpoint.enabled",
                            json_object_new_string ("false"));
    json_object_object_add (ann, "io.github.nook.oci.cgroups", json_object_new_string ("v2-where-delegated"));
    json_object_object_add (o, "annotations", ann);
  }
#undef STRV_JSON
  return print_json (o);
}

/* The default config of `runc spec`, for busybox-like bundles: rootfs,
   sh, the usual mounts, masked and read-only paths.  */
static const char default_spec[]
    = "{\n"
      "  \"ociVersion\": \"1.2.0\",\n"
      "  \"process\": {\n"
      "    \"terminal\": true,\n"
      "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
      "    \"args\": [ \"sh\" ],\n"
      "    \"env\": [ \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\" "
      "],\n"
      "    \"cwd\": \"/\",\n"
      "    \"capabilities\": {\n"
      "      \"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
      "      \"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
      "      \"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
      "    },\n"
      "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
      "    \"noNewPrivileges\": true\n"
      "  },\n"
      "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
      "  \"hostname\": \"nook\",\n"
      "  \"mounts\": [\n"
      "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
      "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [ "
      "\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
      "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [ "
      "\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\" ] },\n"
      "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": [ "
      "\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
      "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", \"options\": [ "
      "\"nosuid\", \"noexec\", \"nodev\" ] },\n"
      "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [ "
      "\"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }\n"
      "  ],\n"
      "  \"linux\": {\n"
      "    \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" }, { "
      "\"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" } ],\n"
      "    \"maskedPaths\": [ \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", "
      "\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", "
      "\"/sys/firmware\", \"/proc/scsi\" ],\n"
      "    \"readonlyPaths\": [ \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
      "\"/proc/sysrq-trigger\" ]\n"
      "  }\n"
      "}\n";

static int
parse_spec (int argc, char **argv, const char **bundle, const char **file, struct nook_error *err)
{
  enum
  {
    O_BUNDLE,
    O_FILE,
    O_ROOTLESS
  };
  static const struct oci_opt opts[] = { { "bundle", 'b', true, O_BUNDLE },
                                         { "file", 'f', true, O_FILE },
                                         { "rootless", 0, false, O_ROOTLESS },
                                         { NULL, 0, false, 0 } };
  struct oci_arg args[8];
  size_t n;
  int first = oci_parse (opts, argc, argv, args, 8, &n, err);

  if (first < 0 || oci_check_args ("spec", argc - first, 0, 0, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (args[i].id == O_BUNDLE)
      *bundle = args[i].value;
    else if (args[i].id == O_FILE)
      *file = args[i].value;
  return 0;
}

static int
check_spec (int argc, char **argv, struct nook_error *err)
{
  const char *bundle, *file;

  return parse_spec (argc, argv, &bundle, &file, err);
}

static int
cmd_spec (int argc, char **argv, struct nook_error *err)
{
  const char *bundle = ".", *file = NULL;
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;

  if (parse_spec (argc, argv, &bundle, &file, err) < 0)
    return -1;
  /* --rootless: the same config; a user gets a user namespace anyway.  */
  path = file && strcmp (file, "-") != 0 ? xstrdup (file) : xasprintf ("%s/config.json", bundle);
  if (file && strcmp (file, "-") == 0)
    {
      fputs (default_spec, stdout);
      return 0;
    }
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST)
    return nook_error_set (err, 0, "spec: `%s` exists already", path);
  if (fd < 0 || nook_write_all (fd, default_spec, sizeof default_spec - 1) < 0)
    return nook_error_errno (err, "spec: write `%s`", path);
  return 0;
}

/* ---- the command line ---------------------------------------------------------------- */

/* Each command: FN parses its command line and acts; CHECK only parses
   it, the same way (the same parse function), touching nothing.  */
static const struct
{
  const char *name;
  int (*fn) (int argc, char **argv, struct nook_error *err);
  int (*check) (int argc, char **argv, struct nook_error *err);
} commands[] = {
  { "create", oci_cmd_create, oci_check_create },
  { "start", oci_cmd_start, oci_check_id },
  { "run", oci_cmd_run, oci_check_run },
  { "state", cmd_state, oci_check_id },
  { "kill", cmd_kill, check_kill },
  { "delete", oci_cmd_delete, oci_check_delete },
  { "exec", oci_cmd_exec, oci_check_exec },
  { "ps", cmd_ps, check_ps },
  { "list", cmd_list, check_list },
  { "pause", cmd_pause, oci_check_id },
  { "resume", cmd_pause, oci_check_id },
  { "update", oci_cmd_update, oci_check_update },
  { "features", cmd_features, check_none },
  { "spec", cmd_spec, check_spec },
  { NULL, NULL, NULL },
};

static void
usage (void)
{
  printf (
      "Usage: nook-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
      "An OCI runtime (the command line of runc and crun) on nook's sandbox.\n\n"
      "Commands: create, start, run, state, kill, delete, exec, ps, list, pause, resume,\n"
      "          update, features, spec\n\n"
      "Global options:\n"
      "  --root DIR             the state root (default $XDG_RUNTIME_DIR/nook-oci, /run/nook-oci as root)\n"
      "  --log FILE             write the log there (errors otherwise go to stderr)\n"
      "  --log-format text|json the log's format\n"
      "  --log-level LEVEL      error, warning, info or debug\n"
      "  --debug                the same as --log-level debug\n"
      "  --systemd-cgroup, --cgroup-manager M   how cgroups are made (see man nook-oci)\n"
      "  --rootless V                           accepted\n"
      "  --version, --help\n");
}

enum
{
  G_ROOT,
  G_LOG,
  G_LOG_FORMAT,
  G_LOG_LEVEL,
  G_DEBUG,
  G_SYSTEMD_CGROUP,
  G_CGROUP_MANAGER,
  G_ROOTLESS,
  G_VERSION,
  G_HELP,
  G_CRIU,
};

static const struct oci_opt global_opts[] = {
  { "root", 0, true, G_ROOT },
  { "log", 0, true, G_LOG },
  { "log-format", 0, true, G_LOG_FORMAT },
  { "log-level", 0, true, G_LOG_LEVEL },
  { "debug", 0, false, G_DEBUG },
  { "systemd-cgroup", 0, false, G_SYSTEMD_CGROUP },
  { "cgroup-manager", 0, true, G_CGROUP_MANAGER },
  { "rootless", 0, true, G_ROOTLESS },
  { "version", 'v', false, G_VERSION },
  { "help", 'h', false, G_HELP },
  { "criu", 0, true, G_CRIU },
  { NULL, 0, false, 0 },
};

static int
apply_global (struct oci_globals *g, const struct oci_arg *a, struct nook_error *err)
{
  switch (a->id)
    {
    case G_ROOT:
      g->root = a->value;
      break;
    case G_LOG:
      /* crun's form "file:PATH" too.  */
      g->log = strncmp (a->value, "file:", 5) == 0 ? a->value + 5 : a->value;
      break;
    case G_LOG_FORMAT:
      if (strcmp (a->value, "json") != 0 && strcmp (a->value, "text") != 0)
        return nook_error_set (err, 0, "--log-format `%s`: json or text", a->value);
      g->json = strcmp (a->value, "json") == 0;
      break;
    case G_LOG_LEVEL:
      for (int l = 0; l <= OCI_LOG_DEBUG; l++)
        if (strcmp (a->value, level_names[l]) == 0)
          {
            g->level = l;
            return 0;
          }
      return nook_error_set (err, 0, "--log-level `%s`: error, warning, info or debug", a->value);
    case G_DEBUG:
      g->level = OCI_LOG_DEBUG;
      break;
    case G_CGROUP_MANAGER:
      if (strcmp (a->value, "systemd") == 0)
        g->cgroup_manager = OCI_CGROUP_SYSTEMD;
      else if (strcmp (a->value, "cgroupfs") == 0)
        g->cgroup_manager = OCI_CGROUP_CGROUPFS;
      else if (strcmp (a->value, "disabled") == 0)
        g->cgroup_manager = OCI_CGROUP_DISABLED;
      else
        return nook_error_set (err, 0, "--cgroup-manager `%s`: systemd, cgroupfs or disabled", a->value);
      break;
    case G_SYSTEMD_CGROUP:
      g->cgroup_manager = OCI_CGROUP_SYSTEMD;
      break;
    default:
      /* --rootless, --criu: accepted, as crun does.  */
      break;
    }
  return 0;
}

/* What the command line asks for once parsed.  */
enum oci_action
{
  A_COMMAND,
  A_HELP,
  A_VERSION,
};

/* The global options into G; *FIRST the command's index.  Nothing is
   opened.  */
static int
parse_globals (int argc, char **argv, struct oci_globals *g, int *first, struct nook_error *err)
{
  struct oci_arg args[32];
  size_t n;

  /* The global options come before the command.  */
  argv[0] = (char *)"nook-oci";
  *first = oci_parse (global_opts, argc, argv, args, 32, &n, err);
  if (*first < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      if (args[i].id == G_HELP)
        return A_HELP;
      if (args[i].id == G_VERSION)
        return A_VERSION;
      if (apply_global (g, &args[i], err) < 0)
        return -1;
    }
  return A_COMMAND;
}

/* The command at FIRST: *CMD its entry.  */
static int
find_command (int argc, char **argv, int first, int *cmd, struct nook_error *err)
{
  if (first >= argc)
    {
      nook_error_set (err, 0, "no command given");
      return nook_error_hint (err, "see nook-oci --help");
    }
  for (*cmd = 0; commands[*cmd].name; (*cmd)++)
    if (strcmp (argv[first], commands[*cmd].name) == 0)
      {
        if (argc - first >= 2
            && (strcmp (argv[first + 1], "--help") == 0 || strcmp (argv[first + 1], "-h") == 0))
          return A_HELP;
        return A_COMMAND;
      }
  *cmd = -1;
  nook_error_set (err, 0, "unknown command `%s`", argv[first]);
  return nook_error_hint (err, "see nook-oci --help");
}

int
nook_oci_check_command_line (int argc, char **argv, struct nook_error *err)
{
  struct oci_globals g = { .log_fd = -1, .level = OCI_LOG_WARNING };
  int first, cmd = -1;
  int a = parse_globals (argc, argv, &g, &first, err);

  if (a == A_COMMAND)
    a = find_command (argc, argv, first, &cmd, err);
  if (a != A_COMMAND)
    return a < 0 ? -1 : 0;
  return commands[cmd].check (argc - first, argv + first, err);
}

static int
dispatch (int argc, char **argv, struct nook_error *err)
{
  int first, cmd = -1;
  int a = parse_globals (argc, argv, &oci_globals, &first, err);

  /* Open before the command is looked up: an engine reads what went
     wrong from the log.  */
  if (a == A_COMMAND && oci_globals.log)
    {
      oci_globals.log_fd = open (oci_globals.log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
      if (oci_globals.log_fd < 0)
        return nook_error_errno (err, "open the log `%s`", oci_globals.log);
    }
  if (a == A_COMMAND)
    a = find_command (argc, argv, first, &cmd, err);
  if (a == A_HELP && cmd < 0)
    usage ();
  else if (a == A_HELP)
    printf ("Usage: nook-oci %s [OPTIONS] ... (see man nook-oci)\n", commands[cmd].name);
  else if (a == A_VERSION)
    printf ("nook-oci version %s\nspec: 1.2.0\n+SECCOMP +CAP +JSON_C\n", PACKAGE_VERSION);
  if (a != A_COMMAND)
    return a < 0 ? -1 : 0;
  return commands[cmd].fn (argc - first, argv + first, err);
}

int
nook_oci_main (int argc, char **argv)
{
  struct nook_error err = { 0 };
  int r = dispatch (argc, argv, &err);

  fflush (stdout);
  if (err.msg)
    {
      oci_log (OCI_LOG_ERROR, "%s", err.msg);
      r = r < 0 ? (err.status ? err.status : NOOK_EXIT_ERROR) : r;
      nook_error_release (&err);
      return r;
    }
  return r < 0 ? NOOK_EXIT_ERROR : r;
}
