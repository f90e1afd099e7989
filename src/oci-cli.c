/* nook-oci: the global options, the log, the option parser every
 * command uses, and the table that dispatches to the commands (one file
 * per family: oci-create.c, oci-start.c for start, run and delete,
 * oci-exec.c, oci-container.c for state, list, ps, kill, pause and
 * resume, oci-update.c, oci-features.c for features and spec).
 *
 * The command line is runc's and crun's: engines (conmon, containerd's
 * shim, buildah) find the runtime by path and speak it.  Options a runtime
 * must take and nook has no use for are accepted and ignored exactly
 * where crun ignores them (--no-pivot, --no-new-keyring, --rootless, ...);
 * an unknown one is an error.
 */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/escape.h"
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

/* The option word A (it starts with `-`) in OPTS, and its value when the
   word carries one: --name, --name=V, and Go's -name (runc's flag package
   takes both); -x and -xV for a one-letter option.  NULL: no option.  */
static const struct oci_opt *
match_option (const struct oci_opt *opts, const char *a, const char **value)
{
  const char *name = a + (a[1] == '-' ? 2 : 1), *eq = strchr (name, '=');
  size_t len = eq ? (size_t)(eq - name) : strlen (name);
  const struct oci_opt *o = find_opt (opts, name, len, 0);

  *value = NULL;
  if (o == NULL && a[1] != '-')
    {
      o = find_opt (opts, NULL, 0, a[1]);
      eq = NULL;
      if (o && a[2])
        {
          if (!o->arg)
            o = NULL; /* -dt: not taken */
          else
            *value = a + 2;
        }
    }
  if (o && eq)
    *value = eq + 1;
  return o;
}

static int
unknown_option (const char *cmd, const char *a, struct nook_error *err)
{
  if (strcmp (cmd, "nook-oci") == 0)
    {
      nook_error_set (err, 0, "unknown global option `%s`", a);
      return nook_error_hint (err, "see `nook-oci --help` and man nook-oci");
    }
  nook_error_set (err, 0, "%s: unknown option `%s`", cmd, a);
  return nook_error_hint (err, "see man nook-oci, COMMANDS");
}

/* A flag with a value: Go's flag package (runc's) reads it as a boolean,
   so --detach=false is no --detach.  Return: 1 for a flag given, 0 for
   one not given, -1 with ERR set for no boolean.  */
static int
flag_value (const char *cmd, const char *a, const char *value, struct nook_error *err)
{
  bool on;

  if (parse_go_bool (value, &on) < 0)
    return nook_error_set (err, 0, "%s: option `%s`: a flag is true or false", cmd, a);
  return on;
}

int
oci_parse (const struct oci_opt *opts, int argc, char **argv, struct oci_arg *out, size_t max, size_t *n_out,
           struct nook_error *err)
{
  int i;

  *n_out = 0;
  for (i = 1; i < argc; i++)
    {
      const char *a = argv[i], *value;
      const struct oci_opt *o;

      if (strcmp (a, "--") == 0)
        return i + 1;
      if (a[0] != '-' || a[1] == '\0')
        return i;
      o = match_option (opts, a, &value);
      if (o == NULL)
        return unknown_option (argv[0], a, err);
      if (!o->arg && value)
        {
          int on = flag_value (argv[0], a, value, err);
          if (on < 0)
            return -1;
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

static const struct oci_opt no_opts[] = { { NULL, 0, false, 0, NULL, NULL } };

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

int
oci_print_json (json_object *o)
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

int
oci_check_none (int argc, char **argv, struct nook_error *err)
{
  return oci_parse_plain (argc, argv, 0, 0, err) < 0 ? -1 : 0;
}

/* ---- the command line ---------------------------------------------------------------- */

/* Each command: FN parses its command line and acts; CHECK only parses
   it, the same way (the same parse function), touching nothing.  OPTS,
   OPERANDS and SUMMARY are what --help says.  */
static const struct
{
  const char *name;
  int (*fn) (int argc, char **argv, struct nook_error *err);
  int (*check) (int argc, char **argv, struct nook_error *err);
  const struct oci_opt *opts;
  const char *operands, *summary;
} commands[] = {
  { "create", oci_cmd_create, oci_check_create, oci_create_options, "ID",
    "build the container; its command waits for start" },
  { "start", oci_cmd_start, oci_check_id, NULL, "ID", "let a created container run its command" },
  { "run", oci_cmd_run, oci_check_run, oci_run_options, "ID", "create and start, then wait and delete" },
  { "state", oci_cmd_state, oci_check_id, NULL, "ID", "the runtime-spec's state document" },
  { "kill", oci_cmd_kill, oci_check_kill, oci_kill_options, "ID [SIGNAL]", "signal the container (TERM)" },
  { "delete", oci_cmd_delete, oci_check_delete, oci_delete_options, "ID",
    "remove a stopped or created container" },
  { "exec", oci_cmd_exec, oci_check_exec, oci_exec_options, "ID [COMMAND...]",
    "run a process in the container" },
  { "ps", oci_cmd_ps, oci_check_ps, oci_ps_options, "ID", "the host pids of the container's processes" },
  { "list", oci_cmd_list, oci_check_list, oci_list_options, "", "the containers under --root" },
  { "pause", oci_cmd_pause, oci_check_id, NULL, "ID", "freeze every process of the container" },
  { "resume", oci_cmd_pause, oci_check_id, NULL, "ID", "thaw them" },
  { "update", oci_cmd_update, oci_check_update, oci_update_options, "ID",
    "new limits for the container's cgroup" },
  { "features", oci_cmd_features, oci_check_none, NULL, "", "the runtime-spec's features document" },
  { "spec", oci_cmd_spec, oci_check_spec, oci_spec_options, "", "write a default config.json" },
  { NULL, NULL, NULL, NULL, NULL, NULL },
};

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
  { "root", 0, true, G_ROOT, "DIR",
    "the state root (default $XDG_RUNTIME_DIR/nook-oci, /run/nook-oci as root)" },
  { "log", 0, true, G_LOG, "FILE", "write the log there (errors otherwise go to stderr)" },
  { "log-format", 0, true, G_LOG_FORMAT, "text|json", "the log's format" },
  { "log-level", 0, true, G_LOG_LEVEL, "LEVEL", "error, warning, info or debug" },
  { "debug", 0, false, G_DEBUG, NULL, "the same as --log-level debug" },
  { "systemd-cgroup", 0, false, G_SYSTEMD_CGROUP, NULL, "the same as --cgroup-manager systemd" },
  { "cgroup-manager", 0, true, G_CGROUP_MANAGER, "MANAGER",
    "systemd, cgroupfs or disabled (see man nook-oci)" },
  { "rootless", 0, true, G_ROOTLESS, "VALUE", NULL },
  { "version", 'v', false, G_VERSION, NULL, "print the version" },
  { "help", 'h', false, G_HELP, NULL, "print this help (COMMAND --help: a command's)" },
  { "criu", 0, true, G_CRIU, "PATH", NULL },
  { NULL, 0, false, 0, NULL, NULL },
};

void
oci_print_options (const struct oci_opt *opts)
{
  bool ignored = false;

  for (const struct oci_opt *o = opts; o->name; o++)
    {
      char left[80];
      if (o->help == NULL)
        {
          ignored = true;
          continue;
        }
      if (o->short_name)
        snprintf (left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name, o->value ? " " : "",
                  o->value ? o->value : "");
      else
        snprintf (left, sizeof left, "    --%s%s%s", o->name, o->value ? " " : "", o->value ? o->value : "");
      printf ("  %-32s %s\n", left, o->help);
    }
  if (!ignored)
    return;
  printf ("  accepted and ignored:");
  for (const struct oci_opt *o = opts; o->name; o++)
    if (o->help == NULL)
      printf (" --%s", o->name);
  printf ("\n");
}

/* --help: the whole program's (CMD < 0), or a command's.  */
static void
usage (int cmd)
{
  if (cmd >= 0)
    {
      printf ("Usage: nook-oci [GLOBAL OPTIONS] %s%s%s%s\n\n%c%s.\n", commands[cmd].name,
              commands[cmd].opts ? " [OPTIONS]" : "", *commands[cmd].operands ? " " : "",
              commands[cmd].operands, toupper ((unsigned char)commands[cmd].summary[0]),
              commands[cmd].summary + 1);
      if (commands[cmd].opts)
        {
          printf ("\nOptions:\n");
          oci_print_options (commands[cmd].opts);
        }
      printf ("\nSee man nook-oci, COMMANDS.\n");
      return;
    }
  printf ("Usage: nook-oci [GLOBAL OPTIONS] COMMAND [OPTIONS] [ARGS]\n\n"
          "An OCI runtime (the command line of runc and crun) on nook's sandbox.\n\nCommands:\n");
  for (int i = 0; commands[i].name; i++)
    printf ("  %-10s %s\n", commands[i].name, commands[i].summary);
  printf ("\nGlobal options:\n");
  oci_print_options (global_opts);
  printf ("\nnook-oci COMMAND --help: a command's options.  See man nook-oci.\n");
}

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
  if (a == A_HELP)
    usage (cmd);
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
