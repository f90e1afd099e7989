/* nook-oci create, start, run, exec and delete, and the config's hooks.
 *
 * create reads the bundle's config.json into a spec (oci-config.h) and
 * hands it to the engine's nook_create: the container is built exactly as
 * `nook run` builds a sandbox, then waits at its exec fifo, a child of
 * nobody once this runtime exits (conmon or containerd's shim, as its
 * subreaper, reaps it).  start writes the fifo's byte; the container then
 * executes its init and command.  exec enters it through the engine's
 * nook_exec_pid, the one way into a running sandbox (enter.h).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "lib/caps.h"
#include "lib/cgroup-path.h"
#include "lib/exec.h"
#include "lib/oci-config.h"
#include "lib/proc.h"
#include "lib/security.h"
#include "lib/spawn.h"
#include "lib/tty.h"
#include "lib/utils.h"
#include "oci-cli.h"

/* config.json is read whole; more than this is no config.  */
#define CONFIG_MAX (4 << 20)

static int
read_small_file (int dirfd, const char *path, char **out, struct nook_error *err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  cleanup_free char *buf = NULL;
  struct stat st;
  ssize_t n;

  if (fd < 0)
    return nook_error_errno (err, "open `%s`", path);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > CONFIG_MAX)
    return nook_error_set (err, 0, "`%s` is not a config file of at most 4 MiB", path);
  buf = xmalloc (st.st_size + 1);
  n = nook_read_all (fd, buf, st.st_size);
  if (n < 0)
    return nook_error_errno (err, "read `%s`", path);
  buf[n] = '\0';
  *out = steal_pointer (&buf);
  return 0;
}

/* The extents of /proc/self/uid_map or gid_map; none when it maps every
   id (the initial user namespace) or cannot be read.  */
static size_t
own_map (const char *file, struct nook_id_extent *out)
{
  cleanup_free char *text = NULL;
  size_t n = 0;
  const char *p;

  if (nook_read_file_at (AT_FDCWD, file, &text, NULL, NULL) < 0)
    return 0;
  for (p = text; *p && n < NOOK_MAX_EXTENTS;)
    {
      unsigned long in, out_, count;
      int used = 0;
      if (sscanf (p, " %lu %lu %lu%n", &in, &out_, &count, &used) != 3)
        break;
      out[n++] = (struct nook_id_extent){ in, in, count };
      p += used;
    }
  if (n == 1 && out[0].inside == 0 && out[0].count == UINT32_MAX)
    return 0;
  return n;
}

static struct nook_oci_caller
caller_ids (void)
{
  struct nook_oci_caller c = { .uid = geteuid (), .gid = getegid () };

  if (c.uid == 0)
    {
      c.n_uid_map = own_map ("/proc/self/uid_map", c.uid_map);
      c.n_gid_map = own_map ("/proc/self/gid_map", c.gid_map);
    }
  return c;
}

/* Reads the container's copy of config.json (state dir).  */
static int
load_saved_config (struct nook_oci_container *c, struct nook_spec *spec, struct nook_oci_config *cfg,
                   struct nook_error *err)
{
  cleanup_free char *text = NULL;
  struct nook_oci_caller caller = caller_ids ();

  if (read_small_file (c->dirfd, "config.json", &text, err) < 0)
    return -1;
  return nook_oci_config_parse (text, c->bundle, &caller, spec, cfg, err);
}

/* ---- hooks ---------------------------------------------------------------------- */

/* Runs H with STATE on its stdin; EXEC_FD: H's file, opened where its
   path resolves (a createContainer hook's, in the runtime's mount
   namespace), or -1 to execute it by path.  */
static int
run_hook (const struct nook_oci_hook *h, int exec_fd, const char *state, struct nook_error *err)
{
  int pipefd[2], status;
  pid_t pid;
  cleanup_close int pidfd = -1;
  char *const empty[] = { NULL };
  char *argv0[] = { h->path, NULL };
  struct pollfd pfd;
  struct sigaction ignore = { .sa_handler = SIG_IGN }, old_pipe;
  int r;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return nook_error_errno (err, "hook `%s`", h->path);
  pid = fork ();
  if (pid < 0)
    return nook_error_errno (err, "hook `%s`", h->path);
  if (pid == 0)
    {
      sigset_t none;
      dup2 (pipefd[0], STDIN_FILENO);
      /* The hook's stdout is no part of the runtime's output (state's
         JSON, a pid): it goes where errors go.  */
      dup2 (STDERR_FILENO, STDOUT_FILENO);
      /* Only 0-2, as runc gives them: a hook run in the container must
         not get the runtime's fds; nor its blocked signals.  */
      if (exec_fd >= 0 && (dup2 (exec_fd, 3) < 0 || fcntl (3, F_SETFD, 0) < 0))
        _exit (127);
      /* A script run from an fd is read by its interpreter as
         /dev/fd/3: that one stays open.  */
      syscall (SYS_close_range, exec_fd >= 0 ? 4 : 3, ~0U, 0);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      if (exec_fd >= 0)
        syscall (SYS_execveat, 3, "", h->args ? h->args : argv0, h->env ? h->env : empty, AT_EMPTY_PATH);
      else
        execve (h->path, h->args ? h->args : argv0, h->env ? h->env : empty);
      _exit (127);
    }
  close (pipefd[0]);
  /* A hook that ends without reading its stdin must not take the runtime
     (or the container) with it by SIGPIPE.  */
  sigaction (SIGPIPE, &ignore, &old_pipe);
  nook_write_all (pipefd[1], state, strlen (state));
  sigaction (SIGPIPE, &old_pipe, NULL);
  close (pipefd[1]);
  pidfd = (int)syscall (SYS_pidfd_open, pid, 0);
  pfd = (struct pollfd){ pidfd, POLLIN, 0 };
  do
    r = pidfd < 0 ? 1 : poll (&pfd, 1, h->timeout > 0 ? h->timeout * 1000 : -1);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return nook_error_set (err, 0, "hook `%s` timed out after %d s", h->path, h->timeout);
    }
  if (waitpid (pid, &status, 0) < 0)
    return nook_error_errno (err, "hook `%s`", h->path);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return nook_error_set (err, 0, "hook `%s` failed (status %d)", h->path,
                           WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  return 0;
}

/* The hooks of KIND with STATE (its status and pid set here) on stdin.  */
static int
run_hooks_with (const struct nook_oci_config *cfg, json_object *state, int kind, const char *status,
                pid_t pid, const int *fds, struct nook_error *err)
{
  const char *text;
  int r = 0;

  json_object_object_add (state, "status", json_object_new_string (status));
  if (pid > 0)
    json_object_object_add (state, "pid", json_object_new_int (pid));
  text = json_object_to_json_string_ext (state, JSON_C_TO_STRING_PLAIN);
  for (size_t i = 0; i < cfg->n_hooks[kind] && r == 0; i++)
    {
      oci_log (OCI_LOG_DEBUG, "%s hook `%s`", nook_oci_hook_name (kind), cfg->hooks[kind][i].path);
      r = run_hook (&cfg->hooks[kind][i], fds ? fds[i] : -1, text, err);
    }
  return r < 0 ? nook_error_wrap (err, "%s", nook_oci_hook_name (kind)) : 0;
}

static int
run_hooks_of (const struct nook_oci_config *cfg, struct nook_oci_container *c, int kind, const char *status,
              struct nook_error *err)
{
  json_object *state;
  int r;

  if (cfg->n_hooks[kind] == 0)
    return 0;
  state = nook_oci_container_state_json (c);
  r = run_hooks_with (cfg, state, kind, status, c->pid, NULL, err);
  json_object_put (state);
  return r;
}

int
oci_run_hooks (struct nook_oci_container *c, int kind, const char *status, struct nook_error *err)
{
  struct nook_spec spec;
  struct nook_oci_config cfg = { 0 };
  int r;

  nook_spec_init (&spec);
  r = load_saved_config (c, &spec, &cfg, err);
  if (r == 0)
    r = run_hooks_of (&cfg, c, kind, status, err);
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
  return r;
}

/* ---- the console socket ---------------------------------------------------------- */

/* Connects to the engine's console socket.  */
static int
connect_console (const char *path, struct nook_error *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (strlen (path) >= sizeof addr.sun_path)
    return nook_error_set (err, ENAMETOOLONG, "--console-socket `%s`", path);
  strcpy (addr.sun_path, path);
  if (sock < 0 || connect (sock, (struct sockaddr *)&addr, sizeof addr) < 0)
    return nook_error_errno (err, "connect to the console socket `%s`", path);
  return steal_fd (&sock);
}

/* The terminal's master goes to the engine (conmon) over its unix socket,
   as SCM_RIGHTS, as runc sends it.  SOCK: connected, or -1 to connect to
   PATH now.  */
static int
send_console (int sock_, const char *path, int master, unsigned width, unsigned height,
              struct nook_error *err)
{
  cleanup_close int sock = sock_ >= 0 ? sock_ : connect_console (path, err);
  char name[] = "/dev/ptmx", cbuf[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov = { name, sizeof name - 1 };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *cm = CMSG_FIRSTHDR (&msg);

  if (width && height)
    {
      struct winsize ws = { .ws_row = height, .ws_col = width };
      ioctl (master, TIOCSWINSZ, &ws);
    }
  if (sock < 0)
    return -1;
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cm), &master, sizeof master);
  if (sendmsg (sock, &msg, MSG_NOSIGNAL) < 0)
    return nook_error_errno (err, "send the terminal to `%s`", path);
  return 0;
}

/* ---- create ---------------------------------------------------------------------- */

struct create_opts
{
  const char *bundle;
  const char *config; /* -f: the config's file name in the bundle */
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  bool detach, keep; /* run */
  bool relay;        /* run in the foreground: a terminal is relayed to the caller's */
  int console_out;   /* with relay: the terminal's master, or -1 */
};

enum
{
  C_BUNDLE,
  C_CONFIG,
  C_CONSOLE,
  C_PRESERVE,
  C_PIDFILE,
  C_IGNORED,
  C_DETACH,
  C_KEEP,
};

static const struct oci_opt create_opts_table[] = {
  { "bundle", 'b', true, C_BUNDLE },
  { "config", 'f', true, C_CONFIG },
  { "console-socket", 0, true, C_CONSOLE },
  { "preserve-fds", 0, true, C_PRESERVE },
  { "pid-file", 0, true, C_PIDFILE },
  { "no-pivot", 0, false, C_IGNORED },
  { "no-subreaper", 0, false, C_IGNORED },
  { "no-new-keyring", 0, false, C_IGNORED },
  { "detach", 'd', false, C_DETACH },
  { "keep", 0, false, C_KEEP },
  { NULL, 0, false, 0 },
};

static int
parse_create (int argc, char **argv, bool run, struct create_opts *o, const char **id, struct nook_error *err)
{
  struct oci_arg args[32];
  size_t n;
  int first = oci_parse (create_opts_table, argc, argv, args, 32, &n, err);

  if (first < 0 || oci_check_args (argv[0], argc - first, 1, 1, err) < 0)
    return -1;
  *id = argv[first];
  for (size_t i = 0; i < n; i++)
    switch (args[i].id)
      {
      case C_BUNDLE:
        o->bundle = args[i].value;
        break;
      case C_CONFIG:
        o->config = args[i].value;
        break;
      case C_CONSOLE:
        o->console_socket = args[i].value;
        break;
      case C_PIDFILE:
        o->pid_file = args[i].value;
        break;
      case C_PRESERVE:
        {
          uint64_t v;
          if (nook_parse_uint (args[i].value, 1000, &v) < 0)
            return nook_error_set (err, 0, "--preserve-fds `%s`: a number of fds", args[i].value);
          o->preserve_fds = v;
          break;
        }
      case C_DETACH:
      case C_KEEP:
        if (!run)
          return nook_error_set (err, 0, "create: unknown option `--%s`",
                                 args[i].id == C_DETACH ? "detach" : "keep");
        if (args[i].id == C_DETACH)
          o->detach = true;
        else
          o->keep = true;
        break;
      default:
        break;
      }
  return 0;
}

struct create_ctx
{
  struct nook_oci_container *c;
  struct nook_oci_config *cfg;
  json_object *state; /* the container's state, made before the container: its hooks' stdin */
  int *create_fds;    /* the createContainer hooks' files, opened in the runtime's namespace */
};

/* The pid is known, the id maps written, nothing of the container set up:
   record the pid (a create killed from now on is swept by it), run the
   hooks of the runtime's namespace.  */
static int
on_created (void *ctx_, pid_t pid, struct nook_error *err)
{
  struct create_ctx *ctx = ctx_;

  if (nook_oci_container_record (ctx->c, pid, "creating", err) < 0)
    return -1;
  oci_log (OCI_LOG_DEBUG, "container `%s`: init pid %d", ctx->c->id, (int)pid);
  if (run_hooks_of (ctx->cfg, ctx->c, NOOK_HOOK_PRESTART, "creating", err) < 0
      || run_hooks_of (ctx->cfg, ctx->c, NOOK_HOOK_CREATE_RUNTIME, "creating", err) < 0)
    return -1;
  return 0;
}

/* In the container's own process, in its namespaces (the runtime-spec's
   "container namespace"): createContainer before the pivot, its paths
   still the runtime's; startContainer once started, before the process,
   its paths the container's.  */
static int
in_container (void *ctx_, enum nook_create_stage stage, pid_t pid, struct nook_error *err)
{
  struct create_ctx *ctx = ctx_;
  int kind = stage == NOOK_CREATE_AT_ROOT ? NOOK_HOOK_CREATE_CONTAINER : NOOK_HOOK_START_CONTAINER;
  int r;

  if (ctx->cfg->n_hooks[kind] == 0)
    return 0;
  r = run_hooks_with (ctx->cfg, ctx->state, kind, stage == NOOK_CREATE_AT_ROOT ? "creating" : "created", pid,
                      stage == NOOK_CREATE_AT_ROOT ? ctx->create_fds : NULL, err);
  /* Nobody waits on the sync socket after create: the container's
     output (the engine's log) is where this reaches someone.  */
  if (r < 0 && stage == NOOK_CREATE_AT_START)
    dprintf (STDERR_FILENO, "nook-oci: %s\n", err->msg);
  return r;
}

/* The spec of the bundle's config; the copy of the config and its seccomp
   section go to the container's state directory.  */
static int
prepare (struct nook_oci_root *root, struct nook_oci_container *c, const struct create_opts *o,
         struct nook_spec *spec, struct nook_oci_config *cfg, struct nook_error *err)
{
  cleanup_free char *text = NULL;
  struct nook_oci_caller caller = caller_ids ();
  cleanup_close int bundlefd = open (c->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (bundlefd < 0)
    return nook_error_errno (err, "the bundle `%s`", c->bundle);
  if (read_small_file (bundlefd, o->config ? o->config : "config.json", &text, err) < 0
      || nook_oci_config_parse (text, c->bundle, &caller, spec, cfg, err) < 0)
    return -1;
  for (size_t i = 0; cfg->notes && cfg->notes[i]; i++)
    oci_log (OCI_LOG_INFO, "%s", cfg->notes[i]);
  /* The copies below are what exec applies: no mount of the container
     may reach them (state-guard.c).  */
  spec->life.guarded_dir = root->path;
  {
    cleanup_close int fd = openat (c->dirfd, "config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0 || nook_write_all (fd, text, strlen (text)) < 0)
      return nook_error_errno (err, "save the config of container `%s`", c->id);
  }
  if (cfg->seccomp)
    {
      cleanup_close int fd = openat (c->dirfd, "seccomp.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0 || nook_write_all (fd, cfg->seccomp, strlen (cfg->seccomp)) < 0)
        return nook_error_errno (err, "save the seccomp policy of container `%s`", c->id);
      free (spec->security.seccomp);
      spec->security.seccomp = xasprintf ("%s/%s/seccomp.json", root->path, c->id);
    }
  if (spec->security.tty && o->console_socket == NULL && !o->relay)
    {
      nook_error_set (err, 0, "process.terminal is true but no --console-socket was given");
      return nook_error_hint (err, "give --console-socket, or set process.terminal to false");
    }
  if (o->preserve_fds)
    {
      spec->security.pass_fds = xcalloc (o->preserve_fds, sizeof (int));
      for (int i = 0; i < o->preserve_fds; i++)
        spec->security.pass_fds[i] = 3 + i;
      spec->security.n_pass_fds = o->preserve_fds;
    }
  return 0;
}

/* The container's cgroup (cgroup-path.h) when the config sets limits or
   names a cgroupsPath.  Where no cgroup v2 tree is delegated (a hybrid
   host) the container runs without one, with one warning, as runc runs a
   rootless container: an engine on such a host still works.  */
static int
make_cgroup (struct nook_oci_container *c, const struct nook_spec *spec, const struct nook_oci_config *cfg,
             struct nook_cgroup *cg, struct nook_error *err)
{
  struct nook_cgroup_where where = { 0 };
  cleanup_free char *why = NULL;
  int r;

  if (!cfg->has_resources && cfg->cgroups_path == NULL)
    return 0;
  if (oci_globals.cgroup_manager == OCI_CGROUP_DISABLED)
    why = xstrdup ("--cgroup-manager disabled");
  else if (nook_cgroup_locate (cfg->cgroups_path, c->id, oci_globals.cgroup_manager == OCI_CGROUP_SYSTEMD,
                               &where, &why, err)
           < 0)
    return -1;
  if (why)
    {
      oci_log (OCI_LOG_WARNING, "cgroups: %s: the container runs without a cgroup of its own%s", why,
               cfg->has_resources ? " and linux.resources is not applied" : "");
      return 0;
    }
  /* Recorded first: a create killed from here on leaves a state whose
     sweep removes the cgroup.  */
  r = nook_oci_container_set_cgroup (c, where.dir, err);
  if (r == 0 && (r = nook_cgroup_make (&where, &spec->limits, cg, err)) < 0)
    {
      struct nook_error ignored = { 0 };
      nook_oci_container_set_cgroup (c, NULL, &ignored);
      nook_error_release (&ignored);
    }
  if (r == 0)
    oci_log (OCI_LOG_DEBUG, "container `%s`: cgroup %s", c->id, where.dir);
  nook_cgroup_where_free (&where);
  return r;
}

/* The createContainer hooks run in the container before its pivot, where
   the composed root may cover their paths: their files are opened here,
   where the spec says their paths resolve.  */
static int
open_create_hooks (const struct nook_oci_config *cfg, int **fds, struct nook_error *err)
{
  size_t n = cfg->n_hooks[NOOK_HOOK_CREATE_CONTAINER];

  if (n == 0)
    return 0;
  *fds = xcalloc (n, sizeof (int));
  for (size_t i = 0; i < n; i++)
    (*fds)[i] = -1;
  for (size_t i = 0; i < n; i++)
    {
      const char *path = cfg->hooks[NOOK_HOOK_CREATE_CONTAINER][i].path;
      (*fds)[i] = open (path, O_PATH | O_CLOEXEC);
      if ((*fds)[i] < 0)
        return nook_error_errno (err, "createContainer: hook `%s`", path);
    }
  return 0;
}

/* create: returns the init's pid, a child of this process, waiting at its
   gate; C stays loaded for run.  Nothing is left when it fails.  */
static int
create_container (struct nook_oci_root *root, const char *id, struct create_opts *o,
                  struct nook_oci_container *c, struct nook_error *err)
{
  struct nook_spec spec;
  struct nook_oci_config cfg = { 0 };
  struct create_ctx ctx = { c, &cfg, NULL, NULL };
  struct nook_create_io io
      = { .gate_fd = -1, .created = on_created, .in_sandbox = in_container, .ctx = &ctx, .cgroup_fd = -1 };
  struct nook_cgroup cg = NOOK_CGROUP_INIT;
  cleanup_free char *bundle = realpath (o->bundle ? o->bundle : ".", NULL);
  cleanup_close int console = -1;
  int r = -1;

  nook_spec_init (&spec);
  if (bundle == NULL)
    return nook_error_errno (err, "the bundle `%s`", o->bundle ? o->bundle : ".");
  if (nook_oci_container_new (root, id, bundle, c, err) < 0)
    {
      bool exists = c->dirfd < 0 && errno == EEXIST;
      if (!exists && c->dirfd >= 0)
        nook_oci_container_remove (root, c, NULL);
      return -1;
    }
  if (prepare (root, c, o, &spec, &cfg, err) < 0 || make_cgroup (c, &spec, &cfg, &cg, err) < 0)
    goto out;
  io.cgroup_fd = cg.leaf_fd;
  if (mkfifoat (c->dirfd, "exec.fifo", 0600) < 0)
    {
      nook_error_errno (err, "create the exec fifo of container `%s`", id);
      goto out;
    }
  /* Read-write: the open does not wait for a writer, and the container
     holds a reader until start writes.  */
  io.gate_fd = openat (c->dirfd, "exec.fifo", O_RDWR | O_CLOEXEC);
  if (io.gate_fd < 0)
    {
      nook_error_errno (err, "open the exec fifo of container `%s`", id);
      goto out;
    }
  ctx.state = nook_oci_container_state_json (c);
  if (open_create_hooks (&cfg, &ctx.create_fds, err) < 0 || nook_create (&spec, &io, err) < 0)
    goto out;
  console = io.console_fd;
  if (console >= 0 && o->console_socket == NULL && o->relay)
    o->console_out = steal_fd (&console);
  if ((console >= 0
       && send_console (-1, o->console_socket, console, cfg.console_width, cfg.console_height, err) < 0)
      || (o->pid_file && oci_write_pid_file (AT_FDCWD, o->pid_file, io.pid, err) < 0)
      || nook_oci_container_record (c, 0, "created", err) < 0)
    goto out;
  oci_log (OCI_LOG_DEBUG, "container `%s` created", id);
  r = 0;
out:
  nook_closep (&io.gate_fd);
  /* The cgroup stays, named in the state: delete removes it.  */
  nook_closep (&cg.lock_fd);
  nook_closep (&cg.leaf_fd);
  free (cg.dir);
  free (cg.name);
  if (ctx.state)
    json_object_put (ctx.state);
  for (size_t i = 0; ctx.create_fds && i < cfg.n_hooks[NOOK_HOOK_CREATE_CONTAINER]; i++)
    nook_closep (&ctx.create_fds[i]);
  free (ctx.create_fds);
  if (r < 0)
    {
      if (io.pid > 0)
        {
          kill (io.pid, SIGKILL);
          waitpid (io.pid, NULL, 0);
        }
      nook_oci_container_remove (root, c, NULL);
    }
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
  return r;
}

int
oci_check_create (int argc, char **argv, struct nook_error *err)
{
  struct create_opts o = { .console_out = -1 };
  const char *id;

  return parse_create (argc, argv, false, &o, &id, err);
}

int
oci_check_run (int argc, char **argv, struct nook_error *err)
{
  struct create_opts o = { .console_out = -1 };
  const char *id;

  return parse_create (argc, argv, true, &o, &id, err);
}

int
oci_cmd_create (int argc, char **argv, struct nook_error *err)
{
  struct create_opts o = { .console_out = -1 };
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  const char *id;
  int r = -1;

  if (parse_create (argc, argv, false, &o, &id, err) < 0 || oci_open_root (&root, err) < 0)
    goto out;
  r = create_container (&root, id, &o, &c, err);
out:
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

/* ---- start ---------------------------------------------------------------------- */

/* The container closes its end of the exec fifo (GATE, this process's
   write end) once its startContainer hooks ran, right before its
   process (a write end with no reader left polls POLLERR), or it ends.
   A byte still in the fifo then: it never got that far (a hook failed,
   and said why on the container's stderr).  */
static int
wait_started (struct nook_oci_container *c, int gate, struct nook_error *err)
{
  cleanup_close int pidfd = nook_pidfd_open_checked (c->pid, c->start);
  struct pollfd pfd[2] = { { gate, 0, 0 }, { pidfd, POLLIN, 0 } };
  int left = 0;

  while (poll (pfd, 2, -1) < 0)
    if (errno != EINTR)
      return nook_error_errno (err, "start container `%s`", c->id);
  if (ioctl (gate, FIONREAD, &left) < 0)
    return nook_error_errno (err, "start container `%s`", c->id);
  if (left == 0)
    return 0;
  return nook_error_set (err, 0,
                         "container `%s` ended before its process ran (a startContainer hook failed: "
                         "see the container's output)",
                         c->id);
}

static int
start_container (struct nook_oci_container *c, struct nook_error *err)
{
  const char *status = nook_oci_container_status (c);
  cleanup_close int fd = -1;
  struct nook_error hook_err = { 0 };

  if (strcmp (status, "created") != 0)
    return nook_error_set (err, 0, "container `%s` is %s, not created: it cannot be started", c->id, status);
  /* Non-blocking: with no reader (the container died) the open fails
     rather than waiting.  */
  fd = openat (c->dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return nook_error_errno (err, "start container `%s`", c->id);
  if (write (fd, "0", 1) != 1)
    return nook_error_errno (err, "start container `%s`", c->id);
  unlinkat (c->dirfd, "exec.fifo", 0);
  if (wait_started (c, fd, err) < 0)
    return -1;
  /* A failing poststart hook is logged; the container runs on (the
     runtime-spec's rule).  */
  if (oci_run_hooks (c, NOOK_HOOK_POSTSTART, "running", &hook_err) < 0)
    {
      oci_log (OCI_LOG_WARNING, "%s", hook_err.msg);
      nook_error_release (&hook_err);
    }
  return 0;
}

int
oci_cmd_start (int argc, char **argv, struct nook_error *err)
{
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int first = oci_parse_plain (argc, argv, 1, 1, err), r = -1;

  if (first < 0)
    return -1;
  if (oci_open_root (&root, err) == 0 && nook_oci_container_load (&root, argv[first], &c, err) == 0)
    r = start_container (&c, err);
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

/* ---- delete --------------------------------------------------------------------- */

/* Kills the whole container and waits for its init to end.  */
static int
kill_and_wait (struct nook_oci_container *c, struct nook_error *err)
{
  cleanup_close int fd = nook_pidfd_open_checked (c->pid, c->start);
  struct pollfd pfd = { fd, POLLIN, 0 };

  if (fd < 0)
    return 0;
  /* SIGKILL to PID 1 of its own namespace ends every process in it.  */
  syscall (SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
  /* The init is reaped by its parent (a subreaper, or run): the pidfd
     turns readable when it ends.  */
  if (poll (&pfd, 1, 10000) <= 0)
    return nook_error_set (err, 0, "container `%s` did not end within 10 s of SIGKILL", c->id);
  return 0;
}

static int
delete_container (struct nook_oci_root *root, struct nook_oci_container *c, bool force,
                  struct nook_error *err)
{
  const char *status = nook_oci_container_status (c);
  struct nook_error hook_err = { 0 };

  if ((strcmp (status, "running") == 0 || strcmp (status, "paused") == 0) && !force)
    {
      nook_error_set (err, 0, "container `%s` is %s", c->id, status);
      return nook_error_hint (err, "stop it with `nook-oci kill %s KILL`, or use delete --force", c->id);
    }
  if (strcmp (status, "creating") == 0)
    return nook_error_set (err, 0, "container `%s` is being created", c->id);
  if (strcmp (status, "stopped") != 0 && kill_and_wait (c, err) < 0)
    return -1;
  if (oci_run_hooks (c, NOOK_HOOK_POSTSTOP, "stopped", &hook_err) < 0)
    {
      oci_log (OCI_LOG_WARNING, "%s", hook_err.msg);
      nook_error_release (&hook_err);
    }
  return nook_oci_container_remove (root, c, err);
}

/* delete's options: the index of the container id.  */
static int
parse_delete (int argc, char **argv, bool *force, struct nook_error *err)
{
  static const struct oci_opt opts[]
      = { { "force", 'f', false, 0 }, { "regex", 'r', false, 1 }, { NULL, 0, false, 0 } };
  struct oci_arg args[4];
  size_t n;
  int first = oci_parse (opts, argc, argv, args, 4, &n, err);

  if (first < 0 || oci_check_args ("delete", argc - first, 1, 1, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (args[i].id == 0)
      *force = true;
    else
      return nook_error_set (err, 0, "delete: --regex is not supported");
  return first;
}

int
oci_check_delete (int argc, char **argv, struct nook_error *err)
{
  bool force;

  return parse_delete (argc, argv, &force, err) < 0 ? -1 : 0;
}

int
oci_cmd_delete (int argc, char **argv, struct nook_error *err)
{
  bool force = false;
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int first = parse_delete (argc, argv, &force, err), r = -1;

  if (first < 0)
    return -1;
  if (oci_open_root (&root, err) < 0)
    goto out;
  if (nook_oci_container_load (&root, argv[first], &c, err) < 0)
    {
      /* runc: deleting what does not exist, forced, is no error.  */
      if (force && c.dirfd < 0)
        {
          nook_error_release (err);
          r = 0;
        }
      goto out;
    }
  r = delete_container (&root, &c, force, err);
out:
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

/* ---- run ------------------------------------------------------------------------- */

static pid_t run_pid = -1;

static void
forward_signal (int sig)
{
  if (run_pid > 0)
    kill (run_pid, sig);
}

/* With a terminal and no console socket (`nook-oci run` from a shell), the
   caller's terminal is relayed to the container's until it ends.  */
static void
relay_terminal (pid_t pid, int master)
{
  struct nook_tty tty;
  cleanup_close int pidfd = (int)syscall (SYS_pidfd_open, pid, 0);

  nook_tty_init (&tty);
  nook_tty_adopt (&tty, master);
  while (pidfd >= 0)
    {
      struct pollfd pfd[4] = { { pidfd, POLLIN, 0 } };
      int n = nook_tty_pollfds (&tty, pfd + 1);
      if (poll (pfd, 1 + n, -1) < 0)
        {
          if (errno != EINTR)
            break;
          nook_tty_resize (&tty);
          continue;
        }
      if (pfd[0].revents)
        break;
      nook_tty_handle (&tty, pfd + 1, n);
    }
  nook_tty_release (&tty);
}

/* In the foreground: the container is this process' child; signals are
   passed on, its status is ours, and it is deleted when it ends.  */
static int
wait_foreground (struct nook_oci_root *root, struct nook_oci_container *c, bool keep, int master,
                 struct nook_error *err)
{
  static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
  int status;
  pid_t r;

  run_pid = c->pid;
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction (sigs[i], &sa, NULL);
  if (master >= 0)
    relay_terminal (c->pid, master);
  do
    r = waitpid (c->pid, &status, 0);
  while (r < 0 && errno == EINTR);
  run_pid = -1;
  if (r < 0)
    return nook_error_errno (err, "wait for container `%s`", c->id);
  if (!keep && delete_container (root, c, true, err) < 0)
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

int
oci_cmd_run (int argc, char **argv, struct nook_error *err)
{
  struct create_opts o = { .console_out = -1 };
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  const char *id;
  int r = -1;

  if (parse_create (argc, argv, true, &o, &id, err) < 0 || oci_open_root (&root, err) < 0)
    goto out;
  o.relay = !o.detach && isatty (STDIN_FILENO);
  if (create_container (&root, id, &o, &c, err) < 0)
    goto out;
  nook_closep (&c.lockfd);
  c.lockfd = -1;
  if (start_container (&c, err) < 0)
    {
      struct nook_error ignored = { 0 };
      delete_container (&root, &c, true, &ignored);
      nook_error_release (&ignored);
      goto out;
    }
  r = o.detach ? 0 : wait_foreground (&root, &c, o.keep, o.console_out, err);
  o.console_out = -1; /* the relay's */
out:
  nook_closep (&o.console_out);
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

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

static const struct oci_opt exec_opts_table[] = {
  { "console-socket", 0, true, E_CONSOLE },
  { "tty", 't', false, E_TTY },
  { "process", 'p', true, E_PROCESS },
  { "cwd", 0, true, E_CWD },
  { "cgroup", 0, true, E_CGROUP },
  { "detach", 'd', false, E_DETACH },
  { "user", 'u', true, E_USER },
  { "env", 'e', true, E_ENV },
  { "cap", 'c', true, E_CAP },
  { "pid-file", 0, true, E_PIDFILE },
  { "preserve-fds", 0, true, E_PRESERVE },
  { "no-new-privs", 0, false, E_NNP },
  { "process-label", 0, true, E_IGNORED },
  { "apparmor", 0, true, E_IGNORED },
  { NULL, 0, false, 0 },
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

static int
exec_spec (struct nook_oci_container *c, struct exec_cli *x, char **cmd, struct nook_spec *spec,
           struct nook_error *err)
{
  struct nook_oci_config cfg = { 0 };
  int r;

  /* The container's own process is the template (user, capabilities,
     env), as runc does; --process replaces it.  */
  r = load_saved_config (c, spec, &cfg, err);
  nook_oci_config_free (&cfg);
  if (r < 0)
    return -1;
  if (x->process)
    {
      cleanup_free char *text = NULL;
      struct nook_spec fresh;
      nook_spec_init (&fresh);
      if (read_small_file (AT_FDCWD, x->process, &text, err) < 0
          || nook_oci_process_parse (text, &fresh, &cfg, err) < 0)
        {
          nook_oci_config_free (&cfg);
          nook_spec_free (&fresh);
          return -1;
        }
      nook_oci_config_free (&cfg);
      /* The process' fields, the container's namespaces and policy.  */
      strv_free (spec->argv);
      spec->argv = steal_pointer (&fresh.argv);
      free (spec->chdir);
      spec->chdir = steal_pointer (&fresh.chdir);
      for (size_t i = 0; i < spec->n_env_ops; i++)
        {
          free (spec->env_ops[i].key);
          free (spec->env_ops[i].value);
        }
      free (spec->env_ops);
      spec->env_ops = steal_pointer (&fresh.env_ops);
      spec->n_env_ops = fresh.n_env_ops;
      fresh.n_env_ops = 0;
      spec->uid = fresh.uid;
      spec->gid = fresh.gid;
      free (spec->groups);
      spec->groups = steal_pointer (&fresh.groups);
      spec->n_groups = fresh.n_groups;
      fresh.n_groups = 0;
      spec->security.cap_add = fresh.security.cap_add;
      spec->security.cap_drop_all = fresh.security.cap_drop_all;
      spec->security.tty = fresh.security.tty;
      memcpy (spec->limits.rlimits, fresh.limits.rlimits, sizeof spec->limits.rlimits);
      spec->limits.n_rlimits = fresh.limits.n_rlimits;
      nook_spec_free (&fresh);
    }
  else
    {
      if (cmd == NULL || cmd[0] == NULL)
        return nook_error_set (err, 0, "exec: give a command, or --process FILE");
      strv_free (spec->argv);
      spec->argv = NULL;
      for (size_t i = 0; cmd[i]; i++)
        strv_append (&spec->argv, cmd[i]);
    }
  /* The same policy the container's command was loaded with.  */
  free (spec->security.seccomp);
  spec->security.seccomp = NULL;
  if (faccessat (c->dirfd, "seccomp.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
    {
      char path[PATH_MAX];
      snprintf (path, sizeof path, "/proc/self/fd/%d/seccomp.json", c->dirfd);
      spec->security.seccomp = xstrdup (path);
    }
  spec->security.oom_score_adj_set = false;
  return apply_exec_overrides (x, spec, err);
}

static int
parse_exec (int argc, char **argv, struct exec_cli *x, int *first, struct nook_error *err)
{
  struct oci_arg args[256];
  size_t n;

  *first = oci_parse (exec_opts_table, argc, argv, args, 256, &n, err);
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

static int
exec_in_container (struct nook_oci_container *c, struct exec_cli *x, char **cmd, struct nook_error *err)
{
  struct nook_spec spec;
  struct nook_filters filters = { 0 };
  struct nook_exec_opts opts = { 0 };
  cleanup_strv char **env = NULL;
  const char *status = nook_oci_container_status (c);
  cleanup_close int pid_dir = -1;
  cleanup_close int console_sock = -1;
  cleanup_close int sub_cgroup = -1;
  cleanup_free char *pid_base = NULL;
  int r = -1;

  nook_spec_init (&spec);
  if (strcmp (status, "running") != 0 && strcmp (status, "created") != 0)
    {
      nook_error_set (err, 0, "container `%s` is %s: exec needs it running", c->id, status);
      goto out;
    }
  if (x->cgroup && (sub_cgroup = open_exec_cgroup (c, x->cgroup, err)) < 0)
    goto out;
  opts.in_sub_cgroup = sub_cgroup >= 0;
  opts.sub_cgroup_fd = sub_cgroup;
  if (exec_spec (c, x, cmd, &spec, err) < 0)
    goto out;
  if (spec.security.tty && x->detach && x->console_socket == NULL)
    {
      nook_error_set (err, 0, "exec: a terminal with --detach needs --console-socket");
      goto out;
    }
  if (nook_security_prepare (&spec, &filters, err) < 0)
    goto out;
  for (size_t i = 0; i < spec.n_env_ops; i++)
    {
      cleanup_free char *kv
          = xasprintf ("%s=%s", spec.env_ops[i].key, spec.env_ops[i].value ? spec.env_ops[i].value : "");
      strv_append (&env, kv);
    }
  opts.argv = spec.argv;
  opts.setenv = env;
  opts.env_exact = true;
  opts.cwd = spec.chdir;
  opts.tty = spec.security.tty;
  opts.detach = x->detach;
  opts.n_pass_fds = x->preserve_fds;
  /* Opened before entering: the runtime is in the container's mount
     namespace once the command runs, where these paths mean nothing.  */
  if (x->pid_file)
    {
      cleanup_free char *copy = xstrdup (x->pid_file);
      char *slash = strrchr (copy, '/');
      pid_base = xstrdup (slash ? slash + 1 : copy);
      if (slash)
        *slash = '\0';
      pid_dir = open (slash ? (*copy ? copy : "/") : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
      if (pid_dir < 0)
        {
          nook_error_errno (err, "the pid file's directory `%s`", x->pid_file);
          goto out;
        }
    }
  if (x->detach && spec.security.tty && (console_sock = connect_console (x->console_socket, err)) < 0)
    goto out;
  r = nook_exec_pid (c->pid, c->start, &filters, &spec, &opts, err);
  if (r >= 0 && x->detach)
    {
      cleanup_close int console = opts.console_fd;
      if ((console >= 0 && send_console (console_sock, x->console_socket, console, 0, 0, err) < 0)
          || (pid_dir >= 0 && oci_write_pid_file (pid_dir, pid_base, opts.pid, err) < 0))
        {
          kill (opts.pid, SIGKILL);
          r = -1;
        }
      console_sock = -1; /* closed by send_console */
    }
out:
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
