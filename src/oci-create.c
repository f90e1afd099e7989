/* nook-oci create: the bundle's config.json read into a spec
 * (oci-config.h) and handed to the engine's nook_create.  The container
 * is built exactly as `nook run` builds a sandbox, then waits at its exec
 * fifo, a child of nobody once this runtime exits (conmon or containerd's
 * shim, as its subreaper, reaps it) until start writes the fifo's byte.
 * The config's copy, and its seccomp section, stay in the container's
 * state directory for exec and the later hooks.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/cgroup-path.h"
#include "lib/escape.h"
#include "lib/oci-config.h"
#include "lib/spawn.h"
#include "lib/utils.h"
#include "oci-bundle.h"
#include "oci-cli.h"
#include "oci-console.h"
#include "oci-create.h"
#include "oci-hooks.h"

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

#define CREATE_OPTIONS                                                                                       \
  { "bundle", 'b', true, C_BUNDLE, "DIR", "the bundle: config.json and the root (default: .)" },             \
      { "config", 'f', true, C_CONFIG, "FILE", "the config, instead of the bundle's config.json" },          \
      { "console-socket", 0, true, C_CONSOLE, "SOCKET", "where the terminal's master is sent" },             \
      { "preserve-fds", 0, true, C_PRESERVE, "N", "pass fds 3 to 3+N-1 to the container" },                  \
      { "pid-file", 0, true, C_PIDFILE, "FILE", "write the container's init's pid there" },                  \
      { "no-pivot", 0, false, C_IGNORED, NULL, NULL }, { "no-subreaper", 0, false, C_IGNORED, NULL, NULL },  \
  {                                                                                                          \
    "no-new-keyring", 0, false, C_IGNORED, NULL, NULL                                                        \
  }

const struct oci_opt oci_create_options[] = {
  CREATE_OPTIONS,
  { NULL, 0, false, 0, NULL, NULL },
};

const struct oci_opt oci_run_options[] = {
  CREATE_OPTIONS,
  { "detach", 'd', false, C_DETACH, NULL, "return once the command runs" },
  { "keep", 0, false, C_KEEP, NULL, "keep the container's state once it ends" },
  { NULL, 0, false, 0, NULL, NULL },
};

int
oci_parse_create (int argc, char **argv, bool run, struct oci_create_opts *o, const char **id,
                  struct nook_error *err)
{
  struct oci_arg args[32];
  size_t n;
  int first = oci_parse (run ? oci_run_options : oci_create_options, argc, argv, args, 32, &n, err);

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
      case C_DETACH: /* run's only (oci_run_options) */
        o->detach = true;
        break;
      case C_KEEP:
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
  if (oci_run_hooks_of (ctx->cfg, ctx->c, NOOK_HOOK_PRESTART, "creating", err) < 0
      || oci_run_hooks_of (ctx->cfg, ctx->c, NOOK_HOOK_CREATE_RUNTIME, "creating", err) < 0)
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
  r = oci_run_hooks_with (ctx->cfg, ctx->state, kind, stage == NOOK_CREATE_AT_ROOT ? "creating" : "created",
                          pid, stage == NOOK_CREATE_AT_ROOT ? ctx->create_fds : NULL, err);
  /* Nobody waits on the sync socket after create: the container's
     output (the engine's log) is where this reaches someone.  */
  if (r < 0 && stage == NOOK_CREATE_AT_START)
    {
      cleanup_free char *shown = nook_escape_text (err->msg);
      dprintf (STDERR_FILENO, "nook-oci: %s\n", shown);
    }
  return r;
}

/* The spec of the bundle's config; the copy of the config and its seccomp
   section go to the container's state directory.  */
static int
prepare (struct nook_oci_root *root, struct nook_oci_container *c, const struct oci_create_opts *o,
         struct nook_spec *spec, struct nook_oci_config *cfg, struct nook_error *err)
{
  cleanup_free char *text = NULL;
  struct nook_oci_caller caller = oci_caller_ids ();
  cleanup_close int bundlefd = open (c->bundle, O_PATH | O_DIRECTORY | O_CLOEXEC);

  if (bundlefd < 0)
    return nook_error_errno (err, "the bundle `%s`", c->bundle);
  if (oci_read_config_file (bundlefd, o->config ? o->config : "config.json", &text, err) < 0
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

/* The container's directory in the state root, for the bundle's real
   path.  Nothing is left when it fails: a directory made is removed,
   unless it was there already (another container's).  */
static int
new_container (struct nook_oci_root *root, const char *id, const struct oci_create_opts *o,
               struct nook_oci_container *c, struct nook_error *err)
{
  cleanup_free char *bundle = realpath (o->bundle ? o->bundle : ".", NULL);

  if (bundle == NULL)
    return nook_error_errno (err, "the bundle `%s`", o->bundle ? o->bundle : ".");
  if (nook_oci_container_new (root, id, bundle, c, err) < 0)
    {
      bool exists = c->dirfd < 0 && errno == EEXIST;
      if (!exists && c->dirfd >= 0)
        nook_oci_container_remove (root, c, NULL);
      return -1;
    }
  return 0;
}

/* The exec fifo the container waits at until start.  Read-write: the
   open does not wait for a writer, and the container holds a reader
   until start writes.  */
static int
open_exec_fifo (struct nook_oci_container *c, int *gate, struct nook_error *err)
{
  if (mkfifoat (c->dirfd, "exec.fifo", 0600) < 0)
    return nook_error_errno (err, "create the exec fifo of container `%s`", c->id);
  *gate = openat (c->dirfd, "exec.fifo", O_RDWR | O_CLOEXEC);
  if (*gate < 0)
    return nook_error_errno (err, "open the exec fifo of container `%s`", c->id);
  return 0;
}

/* The container is made: its terminal goes to the engine (or, run in
   the foreground, to the caller's relay), its pid to --pid-file, and the
   state says "created".  */
static int
hand_over_created (struct oci_create_opts *o, struct nook_oci_container *c, const struct nook_oci_config *cfg,
                   const struct nook_create_io *io, struct nook_error *err)
{
  cleanup_close int console = io->console_fd;

  if (console >= 0 && o->console_socket == NULL && o->relay)
    o->console_out = steal_fd (&console);
  if ((console >= 0
       && oci_send_console (-1, o->console_socket, console, cfg->console_width, cfg->console_height, err) < 0)
      || (o->pid_file && oci_write_pid_file (AT_FDCWD, o->pid_file, io->pid, err) < 0)
      || nook_oci_container_record (c, 0, "created", err) < 0)
    return -1;
  return 0;
}

/* What create holds only while it runs.  The cgroup stays, named in the
   state: delete removes it.  */
static void
release_create (struct create_ctx *ctx, struct nook_cgroup *cg, struct nook_create_io *io)
{
  nook_closep (&io->gate_fd);
  nook_closep (&cg->lock_fd);
  nook_closep (&cg->leaf_fd);
  free (cg->dir);
  free (cg->name);
  if (ctx->state)
    json_object_put (ctx->state);
  for (size_t i = 0; ctx->create_fds && i < ctx->cfg->n_hooks[NOOK_HOOK_CREATE_CONTAINER]; i++)
    nook_closep (&ctx->create_fds[i]);
  free (ctx->create_fds);
}

/* A create that failed: its init (if it got one) killed and reaped, its
   state directory and cgroup removed.  */
static void
undo_create (struct nook_oci_root *root, struct nook_oci_container *c, pid_t pid)
{
  if (pid > 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
    }
  nook_oci_container_remove (root, c, NULL);
}

/* create's steps: the container's directory; its spec from the bundle
   and its cgroup; the exec fifo; the engine's nook_create, with the
   hooks of the runtime's and the container's namespaces on the way; the
   hand-over.  */
int
oci_create_container (struct nook_oci_root *root, const char *id, struct oci_create_opts *o,
                      struct nook_oci_container *c, struct nook_error *err)
{
  struct nook_spec spec;
  struct nook_oci_config cfg = { 0 };
  struct create_ctx ctx = { c, &cfg, NULL, NULL };
  struct nook_create_io io
      = { .gate_fd = -1, .created = on_created, .in_sandbox = in_container, .ctx = &ctx, .cgroup_fd = -1 };
  struct nook_cgroup cg = NOOK_CGROUP_INIT;
  int r = -1;

  if (new_container (root, id, o, c, err) < 0)
    return -1;
  nook_spec_init (&spec);
  if (prepare (root, c, o, &spec, &cfg, err) < 0 || make_cgroup (c, &spec, &cfg, &cg, err) < 0)
    goto out;
  io.cgroup_fd = cg.leaf_fd;
  if (open_exec_fifo (c, &io.gate_fd, err) < 0)
    goto out;
  ctx.state = nook_oci_container_state_json (c);
  if (open_create_hooks (&cfg, &ctx.create_fds, err) < 0 || nook_create (&spec, &io, err) < 0
      || hand_over_created (o, c, &cfg, &io, err) < 0)
    goto out;
  oci_log (OCI_LOG_DEBUG, "container `%s` created", id);
  r = 0;
out:
  release_create (&ctx, &cg, &io);
  if (r < 0)
    undo_create (root, c, io.pid);
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
  return r;
}

int
oci_check_create (int argc, char **argv, struct nook_error *err)
{
  struct oci_create_opts o = { .console_out = -1 };
  const char *id;

  return oci_parse_create (argc, argv, false, &o, &id, err);
}

int
oci_check_run (int argc, char **argv, struct nook_error *err)
{
  struct oci_create_opts o = { .console_out = -1 };
  const char *id;

  return oci_parse_create (argc, argv, true, &o, &id, err);
}

int
oci_cmd_create (int argc, char **argv, struct nook_error *err)
{
  struct oci_create_opts o = { .console_out = -1 };
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  const char *id;
  int r = -1;

  if (oci_parse_create (argc, argv, false, &o, &id, err) < 0 || oci_open_root (&root, err) < 0)
    goto out;
  r = oci_create_container (&root, id, &o, &c, err);
out:
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}
