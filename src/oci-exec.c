/* nook-oci exec: a new process in a running container, through the
 * engine's nook_exec_pid, the one way into a running sandbox (enter.h):
 * non-dumpable before its first setns, no host fd, under the container's
 * seccomp policy before the container can see it.  The process is the
 * container's own (its config.json copy) with exec's options laid over
 * it, or the --process document's.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/caps.h"
#include "lib/cgroup-path.h"
#include "lib/exec.h"
#include "lib/oci-config.h"
#include "lib/security.h"
#include "lib/utils.h"
#include "oci-bundle.h"
#include "oci-cli.h"
#include "oci-console.h"

/* ---- exec ------------------------------------------------------------------------ */

enum
{
  E_CONSOLE,
  E_TTY,
  E_PROCESS,
  E_CWD,
  E_CGROUP,
  E_DETACH,
  E_USER,
  E_ENV,
  E_CAP,
  E_PIDFILE,
  E_PRESERVE,
  E_NNP,
  E_IGNORED,
};

const struct oci_opt oci_exec_options[] = {
  { "process", 'p', true, E_PROCESS, "FILE", "the process, as config.json's process object" },
  { "tty", 't', false, E_TTY, NULL, "give the process a terminal" },
  { "detach", 'd', false, E_DETACH, NULL, "return once the process runs" },
  { "console-socket", 0, true, E_CONSOLE, "SOCKET", "where the terminal's master is sent" },
  { "cwd", 0, true, E_CWD, "DIR", "the working directory inside" },
  { "env", 'e', true, E_ENV, "KEY=VALUE", "set a variable (again for more)" },
  { "user", 'u', true, E_USER, "UID[:GID]", "the ids inside" },
  { "cap", 'c', true, E_CAP, "CAP", "add a capability (again for more)" },
  { "cgroup", 0, true, E_CGROUP, "[CONTROLLERS:]PATH", "a sub-cgroup of the container's to run in" },
  { "pid-file", 0, true, E_PIDFILE, "FILE", "write the process's pid there" },
  { "preserve-fds", 0, true, E_PRESERVE, "N", "pass fds 3 to 3+N-1 to the process" },
  { "no-new-privs", 0, false, E_NNP, NULL, "set no_new_privs (always set)" },
  { "process-label", 0, true, E_IGNORED, "LABEL", NULL },
  { "apparmor", 0, true, E_IGNORED, "PROFILE", NULL },
  { NULL, 0, false, 0, NULL, NULL },
};

struct exec_cli
{
  const char *console_socket, *process, *cwd, *pid_file, *user;
  const char *cgroup; /* --cgroup: the path below the container's cgroup */
  bool tty, detach;
  char **env, **caps;
  int preserve_fds;
};

/* --preserve-fds N: fds 3 to N + 2, the caller's, go to the process.  Each
   must be open, and none be the runtime's own (its log), or a file of the
   runtime's would reach the container.  Before anything else is opened.  */
static int
parse_preserve (const char *value, int *n, struct nook_error *err)
{
  uint64_t v;

  if (nook_parse_uint (value, 1000, &v) < 0)
    return nook_error_set (err, 0, "exec: --preserve-fds `%s`: a number of fds", value);
  for (int fd = 3; fd < 3 + (int)v; fd++)
    if (fcntl (fd, F_GETFD) < 0 || fd == oci_globals.log_fd)
      {
        nook_error_set (err, 0, "exec: --preserve-fds %d: fd %d is not one the caller passed", (int)v, fd);
        return nook_error_hint (err, "open fds 3 to %d before calling nook-oci exec", 2 + (int)v);
      }
  *n = (int)v;
  return 0;
}

/* --cgroup [CONTROLLER[,CONTROLLER...]:]PATH, runc's form: cgroup v2 has
   one hierarchy, so every controller names the same PATH, relative to
   the container's cgroup.  */
static int
parse_exec_cgroup (const char *value, const char **path, struct nook_error *err)
{
  const char *colon = strchr (value, ':');
  const char *p = colon ? colon + 1 : value;

  if (colon && (colon == value || strspn (value, "abcdefghijklmnopqrstuvwxyz_,") != (size_t)(colon - value)))
    {
      nook_error_set (err, 0, "exec: --cgroup `%s`: `%.*s` is no list of controllers", value,
                      (int)(colon - value), value);
      return nook_error_hint (err, "give PATH or CONTROLLER[,CONTROLLER]:PATH, e.g. memory:sub");
    }
  if (!nook_cgroup_sub_valid (p))
    {
      nook_error_set (err, 0, "exec: --cgroup `%s`: `%s` is no path below the container's cgroup", value, p);
      return nook_error_hint (err, "give a relative path of plain names, such as `a/b`: no `.`, `..` or "
                                   "leading `/`");
    }
  if (*path && strcmp (*path, p) != 0)
    {
      nook_error_set (err, 0, "exec: --cgroup `%s`: another path than `%s`", value, *path);
      return nook_error_hint (err, "cgroup v2 has one hierarchy: give every controller the same path");
    }
  *path = p;
  return 0;
}

static int
apply_exec_overrides (struct exec_cli *x, struct nook_spec *spec, struct nook_error *err)
{
  if (x->cwd)
    {
      free (spec->chdir);
      spec->chdir = xstrdup (x->cwd);
    }
  if (x->tty)
    spec->security.tty = true;
  for (size_t i = 0; x->env && x->env[i]; i++)
    {
      char *eq = strchr (x->env[i], '=');
      cleanup_free char *key = eq ? strndup (x->env[i], eq - x->env[i]) : xstrdup (x->env[i]);
      nook_spec_add_env (spec, key, eq ? eq + 1 : getenv (key));
    }
  if (x->user)
    {
      unsigned long uid, gid = 0;
      char *end;
      uid = strtoul (x->user, &end, 10);
      if (end == x->user || (*end && *end != ':'))
        return nook_error_set (err, 0, "exec: --user `%s`: UID[:GID] as numbers", x->user);
      if (*end == ':')
        {
          char *g = end + 1;
          gid = strtoul (g, &end, 10);
          if (end == g || *end)
            return nook_error_set (err, 0, "exec: --user `%s`: UID[:GID] as numbers", x->user);
        }
      spec->uid = uid;
      spec->gid = gid;
    }
  for (size_t i = 0; x->caps && x->caps[i]; i++)
    {
      int cap;
      if (nook_cap_parse (x->caps[i], &cap) < 0)
        return nook_error_set (err, 0, "exec: --cap `%s` is no capability", x->caps[i]);
      spec->security.cap_add |= UINT64_C (1) << cap;
    }
  return 0;
}

/* The process' fields of exec --process FILE, the container's namespaces
   and policy kept: FRESH's argv, cwd, env, user, groups, capabilities,
   terminal and rlimits replace SPEC's.  */
static void
take_process_fields (struct nook_spec *fresh, struct nook_spec *spec)
{
  strv_free (spec->argv);
  spec->argv = steal_pointer (&fresh->argv);
  free (spec->chdir);
  spec->chdir = steal_pointer (&fresh->chdir);
  for (size_t i = 0; i < spec->n_env_ops; i++)
    {
      free (spec->env_ops[i].key);
      free (spec->env_ops[i].value);
    }
  free (spec->env_ops);
  spec->env_ops = steal_pointer (&fresh->env_ops);
  spec->n_env_ops = fresh->n_env_ops;
  fresh->n_env_ops = 0;
  spec->uid = fresh->uid;
  spec->gid = fresh->gid;
  free (spec->groups);
  spec->groups = steal_pointer (&fresh->groups);
  spec->n_groups = fresh->n_groups;
  fresh->n_groups = 0;
  spec->security.cap_add = fresh->security.cap_add;
  spec->security.cap_drop_all = fresh->security.cap_drop_all;
  spec->security.tty = fresh->security.tty;
  memcpy (spec->limits.rlimits, fresh->limits.rlimits, sizeof spec->limits.rlimits);
  spec->limits.n_rlimits = fresh->limits.n_rlimits;
}

/* --process FILE: an OCI process object replaces the container's.  */
static int
take_process_file (const char *path, struct nook_spec *spec, struct nook_error *err)
{
  cleanup_free char *text = NULL;
  struct nook_oci_config cfg = { 0 };
  struct nook_spec fresh;
  int r;

  nook_spec_init (&fresh);
  r = oci_read_config_file (AT_FDCWD, path, &text, err);
  if (r == 0)
    r = nook_oci_process_parse (text, &fresh, &cfg, err);
  if (r == 0)
    take_process_fields (&fresh, spec);
  nook_oci_config_free (&cfg);
  nook_spec_free (&fresh);
  return r;
}

/* exec's operands: the command, in place of the container's.  */
static int
take_command (char **cmd, struct nook_spec *spec, struct nook_error *err)
{
  if (cmd == NULL || cmd[0] == NULL)
    return nook_error_set (err, 0, "exec: give a command, or --process FILE");
  strv_free (spec->argv);
  spec->argv = NULL;
  for (size_t i = 0; cmd[i]; i++)
    strv_append (&spec->argv, cmd[i]);
  return 0;
}

/* The same policy the container's command was loaded with: the copy of
   the config's seccomp section in its state directory, if it had one.  */
static void
take_container_seccomp (const struct nook_oci_container *c, struct nook_spec *spec)
{
  free (spec->security.seccomp);
  spec->security.seccomp = NULL;
  if (faccessat (c->dirfd, "seccomp.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    {
      char path[PATH_MAX];
      snprintf (path, sizeof path, "/proc/self/fd/%d/seccomp.json", c->dirfd);
      spec->security.seccomp = xstrdup (path);
    }
}

/* The process' spec: the container's own process is the template (user,
   capabilities, env), as runc does; --process or the command replaces
   it; exec's options are laid over it.  */
static int
exec_spec (struct nook_oci_container *c, struct exec_cli *x, char **cmd, struct nook_spec *spec,
           struct nook_error *err)
{
  struct nook_oci_config cfg = { 0 };
  int r;

  r = oci_load_saved_config (c, spec, &cfg, err);
  nook_oci_config_free (&cfg);
  if (r < 0)
    return -1;
  r = x->process ? take_process_file (x->process, spec, err) : take_command (cmd, spec, err);
  if (r < 0)
    return -1;
  take_container_seccomp (c, spec);
  spec->security.oom_score_adj_set = false;
  return apply_exec_overrides (x, spec, err);
}

static int
parse_exec (int argc, char **argv, struct exec_cli *x, int *first, struct nook_error *err)
{
  struct oci_arg args[256];
  size_t n;

  *first = oci_parse (oci_exec_options, argc, argv, args, 256, &n, err);
  if (*first < 0 || oci_check_args ("exec", argc - *first, 1, -1, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    switch (args[i].id)
      {
      case E_CONSOLE:
        x->console_socket = args[i].value;
        break;
      case E_TTY:
        x->tty = true;
        break;
      case E_PROCESS:
        x->process = args[i].value;
        break;
      case E_CWD:
        x->cwd = args[i].value;
        break;
      case E_DETACH:
        x->detach = true;
        break;
      case E_USER:
        x->user = args[i].value;
        break;
      case E_ENV:
        strv_append (&x->env, args[i].value);
        break;
      case E_CAP:
        strv_append (&x->caps, args[i].value);
        break;
      case E_PIDFILE:
        x->pid_file = args[i].value;
        break;
      case E_PRESERVE:
        if (parse_preserve (args[i].value, &x->preserve_fds, err) < 0)
          return -1;
        break;
      case E_CGROUP:
        if (parse_exec_cgroup (args[i].value, &x->cgroup, err) < 0)
          return -1;
        break;
      default:
        break;
      }
  return 0;
}

/* --cgroup's PATH below the container's cgroup, which it must have.  */
static int
open_exec_cgroup (const struct nook_oci_container *c, const char *path, struct nook_error *err)
{
  int fd;

  if (c->cgroup == NULL)
    {
      nook_error_set (err, 0, "exec: --cgroup `%s`: container `%s` has no cgroup of its own", path, c->id);
      return nook_error_hint (err,
                              "it runs without one where no cgroup v2 tree is delegated to the caller (see "
                              "man nook-oci, CGROUPS)");
    }
  fd = nook_cgroup_open_sub (c->cgroup, path, err);
  if (fd < 0)
    nook_error_wrap (err, "exec: --cgroup `%s`", path);
  return fd;
}

/* What exec opens before it enters the container: once the command runs
   the runtime is in the container's mount namespace, where these paths
   mean nothing.  */
struct exec_outside
{
  int sub_cgroup;   /* --cgroup's, or -1 */
  int pid_dir;      /* --pid-file's directory, or -1 */
  char *pid_base;   /* --pid-file's name in it */
  int console_sock; /* --console-socket, connected for a terminal with --detach, or -1 */
};

static void
exec_outside_release (struct exec_outside *out)
{
  nook_closep (&out->sub_cgroup);
  nook_closep (&out->pid_dir);
  nook_closep (&out->console_sock);
  free (out->pid_base);
}

static int
check_exec_status (const struct nook_oci_container *c, struct nook_error *err)
{
  const char *status = nook_oci_container_status (c);

  if (strcmp (status, "running") != 0 && strcmp (status, "created") != 0)
    return nook_error_set (err, 0, "container `%s` is %s: exec needs it running", c->id, status);
  return 0;
}

/* A detached process' terminal has nobody to relay it but the engine.  */
static int
check_exec_terminal (const struct nook_spec *spec, const struct exec_cli *x, struct nook_error *err)
{
  if (spec->security.tty && x->detach && x->console_socket == NULL)
    return nook_error_set (err, 0, "exec: a terminal with --detach needs --console-socket");
  return 0;
}

/* --pid-file's directory and name; --console-socket, connected.  */
static int
open_outside (const struct exec_cli *x, const struct nook_spec *spec, struct exec_outside *out,
              struct nook_error *err)
{
  if (x->pid_file)
    {
      cleanup_free char *copy = xstrdup (x->pid_file);
      char *slash = strrchr (copy, '/');
      out->pid_base = xstrdup (slash ? slash + 1 : copy);
      if (slash)
        *slash = '\0';
      out->pid_dir = open (slash ? (*copy ? copy : "/") : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (out->pid_dir < 0)
        return nook_error_errno (err, "the pid file's directory `%s`", x->pid_file);
    }
  if (x->detach && spec->security.tty
      && (out->console_sock = oci_connect_console (x->console_socket, err)) < 0)
    return -1;
  return 0;
}

/* The process' environment, exactly the spec's: KEY=VALUE each.  */
static char **
exec_env (const struct nook_spec *spec)
{
  char **env = NULL;

  for (size_t i = 0; i < spec->n_env_ops; i++)
    {
      cleanup_free char *kv
          = xasprintf ("%s=%s", spec->env_ops[i].key, spec->env_ops[i].value ? spec->env_ops[i].value : "");
      strv_append (&env, kv);
    }
  return env;
}

static void
fill_exec_opts (const struct nook_spec *spec, const struct exec_cli *x, char **env,
                const struct exec_outside *out, struct nook_exec_opts *opts)
{
  opts->in_sub_cgroup = out->sub_cgroup >= 0;
  opts->sub_cgroup_fd = out->sub_cgroup;
  opts->argv = spec->argv;
  opts->setenv = env;
  opts->env_exact = true;
  opts->cwd = spec->chdir;
  opts->tty = spec->security.tty;
  opts->detach = x->detach;
  opts->n_pass_fds = x->preserve_fds;
}

/* --detach: the process runs on; the engine gets its terminal and its
   pid, or the process is killed: nobody could reach it.  */
static int
hand_over (const struct exec_cli *x, const struct nook_exec_opts *opts, struct exec_outside *out,
           struct nook_error *err)
{
  cleanup_close int console = opts->console_fd;
  int sock = out->console_sock;

  out->console_sock = -1; /* closed by oci_send_console */
  if ((console >= 0 && oci_send_console (sock, x->console_socket, console, 0, 0, err) < 0)
      || (out->pid_dir >= 0 && oci_write_pid_file (out->pid_dir, out->pid_base, opts->pid, err) < 0))
    {
      kill (opts->pid, SIGKILL);
      return -1;
    }
  return 0;
}

/* exec's steps: the container must run; what the process needs from
   outside is opened; its spec and filters are made; it enters
   (nook_exec_pid) and, detached, is handed over.  */
static int
exec_in_container (struct nook_oci_container *c, struct exec_cli *x, char **cmd, struct nook_error *err)
{
  struct nook_spec spec;
  struct nook_filters filters = { 0 };
  struct nook_exec_opts opts = { 0 };
  struct exec_outside out = { .sub_cgroup = -1, .pid_dir = -1, .console_sock = -1 };
  cleanup_strv char **env = NULL;
  int r = -1;

  nook_spec_init (&spec);
  if (check_exec_status (c, err) < 0
      || (x->cgroup && (out.sub_cgroup = open_exec_cgroup (c, x->cgroup, err)) < 0)
      || exec_spec (c, x, cmd, &spec, err) < 0 || check_exec_terminal (&spec, x, err) < 0
      || nook_security_prepare (&spec, &filters, err) < 0 || open_outside (x, &spec, &out, err) < 0)
    goto out;
  env = exec_env (&spec);
  fill_exec_opts (&spec, x, env, &out, &opts);
  r = nook_exec_pid (c->pid, c->start, &filters, &spec, &opts, err);
  if (r >= 0 && x->detach && hand_over (x, &opts, &out, err) < 0)
    r = -1;
out:
  exec_outside_release (&out);
  nook_filters_free (&filters);
  nook_spec_free (&spec);
  return r;
}

int
oci_check_exec (int argc, char **argv, struct nook_error *err)
{
  struct exec_cli x = { 0 };
  int first, r = parse_exec (argc, argv, &x, &first, err);

  strv_free (x.env);
  strv_free (x.caps);
  return r;
}

int
oci_cmd_exec (int argc, char **argv, struct nook_error *err)
{
  struct exec_cli x = { 0 };
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int first, r = -1;

  if (parse_exec (argc, argv, &x, &first, err) < 0)
    goto out;
  if (oci_open_root (&root, err) < 0 || nook_oci_container_load (&root, argv[first], &c, err) < 0)
    goto out;
  r = exec_in_container (&c, &x, argv + first + 1, err);
out:
  strv_free (x.env);
  strv_free (x.caps);
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}
