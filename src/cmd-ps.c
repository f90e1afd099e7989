/* nook ps [-a] [--format table|json]: the sandboxes of this user.  */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd.h"
#include "lib/escape.h"
#include "lib/sandbox.h"
#include "lib/state.h"
#include "lib/utils.h"
#include "options.h"

static void
format_duration (int64_t s, char *buf, size_t size)
{
  if (s < 60)
    snprintf (buf, size, "%llds", (long long)s);
  else if (s < 3600)
    snprintf (buf, size, "%lldm%02llds", (long long)s / 60, (long long)s % 60);
  else if (s < 86400)
    snprintf (buf, size, "%lldh%02lldm", (long long)s / 3600, (long long)s / 60 % 60);
  else
    snprintf (buf, size, "%lldd%02lldh", (long long)s / 86400, (long long)s / 3600 % 24);
}

static char *
command_line (const struct nook_sandbox *sb)
{
  json_object *cmd;
  char *line = xstrdup ("");

  if (!json_object_object_get_ex (sb->doc, "command", &cmd))
    return line;
  for (size_t i = 0; i < json_object_array_length (cmd); i++)
    {
      char *next = xasprintf ("%s%s%s", line, i ? " " : "",
                              json_object_get_string (json_object_array_get_idx (cmd, i)));
      free (line);
      line = next;
    }
  return line;
}

static char *
status_text (const struct nook_sandbox *sb)
{
  const char *status = nook_sandbox_paused (sb) ? "paused" : nook_sandbox_status (sb);
  int64_t code = nook_sandbox_int (sb, "exit_code", -1);

  if (strcmp (status, "exited") == 0 && code >= 0)
    return xasprintf ("exited %lld", (long long)code);
  return xstrdup (status);
}

static int64_t
uptime (const struct nook_sandbox *sb)
{
  int64_t started = nook_time_parse (nook_sandbox_str (sb, "started"));
  return sb->running && started ? (int64_t)time (NULL) - started : -1;
}

/* The published ports of a running sandbox, from its recorded spec:
   "127.0.0.1:8080->80/tcp", comma-separated; NULL when there are none or
   the sandbox ended (its ports are free again).  */
static char *
ports_text (const struct nook_sandbox *sb)
{
  struct nook_error err = { 0 };
  struct nook_spec spec;
  char *text;

  if (!sb->running)
    return NULL;
  nook_spec_init (&spec);
  if (nook_sandbox_spec (sb, &spec, &err) < 0)
    nook_error_release (&err);
  text = nook_port_maps_text (&spec.net);
  nook_spec_free (&spec);
  return text;
}

static json_object *
ps_json (const struct nook_sandbox *sb)
{
  json_object *o = json_object_new_object (), *cmd = NULL;
  const char *name = nook_sandbox_str (sb, "name");
  int64_t code = nook_sandbox_int (sb, "exit_code", -1), up = uptime (sb);

  json_object_object_add (o, "id", json_object_new_string (sb->id));
  json_object_object_add (o, "name", name ? json_object_new_string (name) : NULL);
  json_object_object_add (o, "pid", sb->running ? json_object_new_int64 (sb->pid) : NULL);
  json_object_object_get_ex (sb->doc, "command", &cmd);
  json_object_object_add (o, "command", json_object_get (cmd));
  json_object_object_add (o, "created", json_object_new_string (nook_sandbox_str (sb, "created") ?: ""));
  json_object_object_add (
      o, "status", json_object_new_string (nook_sandbox_paused (sb) ? "paused" : nook_sandbox_status (sb)));
  json_object_object_add (o, "exit_code", code >= 0 ? json_object_new_int64 (code) : NULL);
  json_object_object_add (o, "uptime", up >= 0 ? json_object_new_int64 (up) : NULL);
  {
    cleanup_free char *ports = ports_text (sb);
    json_object_object_add (o, "ports", ports ? json_object_new_string (ports) : NULL);
  }
  return o;
}

static void
ps_line (const struct nook_sandbox *sb)
{
  cleanup_free char *cmd = command_line (sb), *status = status_text (sb), *ports = ports_text (sb);
  char up[32] = "-", pid[16] = "-", created[20];
  const char *name = nook_sandbox_str (sb, "name");
  int64_t u = uptime (sb);

  if (u >= 0)
    format_duration (u, up, sizeof up);
  if (sb->running)
    snprintf (pid, sizeof pid, "%d", (int)sb->pid);
  /* "2026-01-02T10:11:12": the date and time, UTC, to the second.  */
  snprintf (created, sizeof created, "%s", nook_sandbox_str (sb, "created") ?: "-");
  if (strlen (created) > 10)
    created[10] = ' ';
  /* What comes from the state (the command line above all) may hold any
     byte: escaped.  */
  {
    cleanup_free char *e_id = nook_escape_name (sb->id), *e_name = nook_escape_name (name ? name : "-");
    cleanup_free char *e_created = nook_escape_name (created), *e_status = nook_escape_name (status);
    cleanup_free char *e_cmd = nook_escape_name (cmd);
    printf ("%-12s  %-16s  %-8s  %-19s  %-10s  %-8s  %-22s  %s\n", e_id, e_name, pid, e_created, e_status, up,
            ports ? ports : "-", e_cmd);
  }
}

struct ps_opts
{
  bool all, quiet, json;
};

enum
{
  OPT_ALL = 1,
  OPT_QUIET,
  OPT_FORMAT,
};

static const struct nook_option ps_options[] = {
  { "all", 'a', 0, OPT_ALL, "", "list the exited sandboxes too" },
  { "quiet", 'q', 0, OPT_QUIET, "", "print the ids only" },
  { "format", 0, 1, OPT_FORMAT, "table|json", "output format (default table)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
ps_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
          struct nook_error *err)
{
  struct ps_opts *p = parser->cmd;

  switch (o->id)
    {
    case OPT_ALL:
      p->all = true;
      return 0;
    case OPT_QUIET:
      p->quiet = true;
      return 0;
    case OPT_FORMAT:
      if (strcmp (val[0], "json") != 0 && strcmp (val[0], "table") != 0)
        return nook_error_set (err, 0, "--format takes `table` or `json`, not `%s`", val[0]);
      p->json = strcmp (val[0], "json") == 0;
      return 0;
    }
  return nook_error_set (err, 0, "option --%s is not handled", o->name);
}

static const struct nook_option_group ps_group = { "Options", ps_options, ps_apply, NULL };
static const struct nook_option_group *const ps_groups[] = { &ps_group, NULL };

const struct nook_command nook_ps_command = {
  .name = "ps",
  .synopsis = "nook ps [-a|--all] [-q|--quiet] [--format table|json]",
  .summary = "Lists running sandboxes; -a also the exited ones.",
  .groups = ps_groups,
  .interspersed = true,
  .opts_size = sizeof (struct ps_opts),
};

int
nook_cmd_ps (int argc, char **argv, struct nook_error *err)
{
  struct nook_store store;
  struct ps_opts p = { 0 };
  cleanup_strv char **ids = NULL;
  json_object *list = NULL;
  bool all, json, quiet;
  int i;

  i = nook_command_parse (&nook_ps_command, argc, argv, NULL, &p, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_ps_command, argc, i, 0, 0, err) < 0)
    return -1;
  all = p.all, json = p.json, quiet = p.quiet;
  if (nook_cli_store (&store, err) < 0)
    return -1;
  ids = nook_sandbox_list (&store);
  if (json)
    list = json_object_new_array ();
  else if (!quiet)
    printf ("%-12s  %-16s  %-8s  %-19s  %-10s  %-8s  %-22s  %s\n", "ID", "NAME", "PID", "CREATED", "STATUS",
            "UPTIME", "PORTS", "COMMAND");
  for (size_t k = 0; ids && ids[k]; k++)
    {
      struct nook_sandbox sb;
      if (nook_sandbox_load (&store, ids[k], &sb) < 0)
        continue;
      /* Not listed, and never read: only a line on stderr says it is
         there (a warning main prints; the status stays 0).  */
      if (sb.forged)
        {
          struct nook_error one = { 0 };
          nook_sandbox_forged_error (&sb, &one);
          nook_cli_error_add (err, &one);
          nook_sandbox_release (&sb);
          continue;
        }
      /* A sandbox still being set up has no state yet: it is not listed.  */
      if (sb.doc && (all || strcmp (nook_sandbox_status (&sb), "running") == 0))
        {
          if (json)
            json_object_array_add (list, ps_json (&sb));
          else if (quiet)
            printf ("%s\n", sb.id);
          else
            ps_line (&sb);
        }
      nook_sandbox_release (&sb);
    }
  if (json)
    {
      printf ("%s\n", json_object_to_json_string_ext (list, JSON_C_TO_STRING_PRETTY
                                                                | JSON_C_TO_STRING_NOSLASHESCAPE));
      json_object_put (list);
    }
  nook_store_close (&store);
  return 0;
}
