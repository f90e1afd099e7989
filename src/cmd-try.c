/* nook try [OPTIONS] [--] CMD [ARG...]  */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/diff.h"
#include "lib/escape.h"
#include "lib/spawn.h"
#include "lib/try.h"
#include "lib/utils.h"
#include "options.h"
#include "opts-profile.h"

enum
{
  OPT_PATH = 1,
  OPT_COMMIT,
  OPT_KEEP,
  OPT_ALLOW_SETUID,
};

/* nook try's own options; the rest of its options fill the spec.  */
struct try_opts
{
  char **paths; /* --path (default: the working directory) */
  char *keep;   /* --keep DIR */
  bool commit;  /* --commit */
  bool allow_setuid;
};

static void
try_opts_free (void *p)
{
  struct try_opts *opts = p;

  strv_free (opts->paths);
  free (opts->keep);
}

static const struct nook_option try_options[] = {
  { "path", 0, 1, OPT_PATH, "DIR", "try changes to DIR (repeat; default: the current directory)" },
  { "commit", 0, 0, OPT_COMMIT, "", "apply the changes when CMD succeeds, without asking" },
  { "keep", 0, 1, OPT_KEEP, "DIR", "keep the changes as an upper layer in DIR instead of applying them" },
  { "allow-setuid", 0, 0, OPT_ALLOW_SETUID, "",
    "also apply setuid and setgid files and device nodes (refused by default)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
try_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
           struct nook_error *err)
{
  struct try_opts *opts = parser->cmd;

  switch (o->id)
    {
    case OPT_PATH:
      strv_append (&opts->paths, val[0]);
      return 0;
    case OPT_COMMIT:
      opts->commit = true;
      return 0;
    case OPT_KEEP:
      nook_option_string (&opts->keep, val[0]);
      return 0;
    case OPT_ALLOW_SETUID:
      opts->allow_setuid = true;
      return 0;
    }
  return nook_error_set (err, 0, "option --%s is not handled", o->name);
}

static int
try_check (const struct nook_spec *spec, const struct nook_parser *parser, struct nook_error *err)
{
  const struct try_opts *opts = parser->cmd;

  if (opts->commit && opts->keep)
    return nook_error_set (err, 0, "--commit applies the changes, --keep saves them: choose one");
  return 0;
}

static const struct nook_option_group try_group
    = { "Options of nook try", try_options, try_apply, try_check };

/* nook run's groups; what does not apply is excluded below.  */
static const struct nook_option_group *const try_groups[] = {
  &try_group,          &nook_core_options,     &nook_profile_options,
  &nook_mount_options, &nook_security_options, &nook_limit_options,
  &nook_net_options,   &nook_life_options,     NULL,
};

/* A try composes its root from the host's, with the tried directories as
   the layers of their own overlays; it runs in the foreground, waits for
   its command and then asks, so it is never detached or kept.  */
static const char *const try_excluded[] = {
  "rootfs", "rootfs-rw", "layer", "upper", "layers-at", "detach", "rm", "log-size", "pid", "ipc", "uts", NULL,
};

const struct nook_command nook_try_command = {
  .name = "try",
  .synopsis = "nook try [OPTIONS] [--] CMD [ARG...]",
  .summary = "Runs CMD over an overlay of this directory, shows what it changed, then applies or drops it.",
  .groups = try_groups,
  .excluded = try_excluded,
  .epilog = "Exit status: the command's; 125 when nook fails.",
  .opts_size = sizeof (struct try_opts),
  .opts_free = try_opts_free,
};

/* Prints the changes of every tried directory (names escaped: the command
   chose them); returns how many.  REFUSED is filled with the first setuid,
   setgid or device entry, which only --allow-setuid applies.  */
static int
show_changes (const struct nook_try *t, struct nook_error *refused, struct nook_error *err)
{
  size_t total = 0;

  for (size_t i = 0; t->paths[i]; i++)
    {
      char *const lowers[] = { t->paths[i], NULL };
      struct nook_changes c;

      if (nook_diff (t->uppers[i], lowers, &c, err) < 0)
        {
          cleanup_free char *shown = nook_escape_name (t->paths[i]);
          return nook_error_wrap (err, "try: `%s`", shown);
        }
      for (size_t j = 0; j < c.n; j++)
        {
          cleanup_free char *line = nook_change_line (&c.v[j], t->paths[i]);
          printf ("%s\n", line);
        }
      if (refused->msg == NULL)
        nook_changes_check_special (&c, t->paths[i], refused);
      total += c.n;
      nook_changes_free (&c);
    }
  fflush (stdout);
  return total;
}

static bool
ask (void)
{
  char line[16];

  if (!isatty (STDIN_FILENO))
    return false;
  nook_cli_note ("Apply these changes? [y/N] ");
  return fgets (line, sizeof line, stdin) && (line[0] == 'y' || line[0] == 'Y');
}

/* Whether the changes, shown, are to be applied.  */
static int
decide (const struct try_opts *opts, int n, int status, struct nook_error *refused, struct nook_error *err)
{
  if (n == 0)
    {
      nook_cli_note ("try: no changes\n");
      return 0;
    }
  if (opts->keep)
    {
      nook_cli_note ("try: changes kept in `%s` (see nook diff)\n", opts->keep);
      return 0;
    }
  if (status != 0)
    {
      nook_cli_note ("try: the command failed (status %d): changes not applied\n", status);
      return 0;
    }
  /* Refused before the question: there is nothing to approve.  */
  if (refused->msg && !opts->allow_setuid)
    {
      *err = *refused;
      *refused = (struct nook_error){ 0 };
      return nook_error_wrap (err, "try");
    }
  if (!opts->commit && !ask ())
    {
      nook_cli_note ("try: changes not applied (use --commit to apply them, --keep DIR to save them)\n");
      return 0;
    }
  return 1;
}

static int
finish (const struct try_opts *opts, const struct nook_try *t, int status, struct nook_error *err)
{
  struct nook_error refused = { 0 };
  int n = show_changes (t, &refused, err);
  int apply = n < 0 ? -1 : decide (opts, n, status, &refused, err);

  nook_error_release (&refused);
  if (apply <= 0)
    return apply;
  for (size_t i = 0; t->paths[i]; i++)
    if (nook_diff_apply (t->uppers[i], t->paths[i], opts->allow_setuid, err) < 0)
      return nook_error_wrap (err, "try");
  nook_cli_note ("try: changes applied\n");
  return 0;
}

int
nook_cmd_try (int argc, char **argv, struct nook_error *err)
{
  struct nook_spec spec;
  struct nook_try t = { 0 };
  struct try_opts opts = { 0 };
  int i, status = -1;

  nook_spec_init (&spec);
  i = nook_command_parse (&nook_try_command, argc, argv, &spec, &opts, err);
  if (i == 0)
    {
      status = 0;
      goto out;
    }
  if (i > 0 && i >= argc)
    nook_error_set (err, 0, "try: no command given (usage: %s)", nook_try_command.synopsis);
  if (err->msg)
    goto out;
  for (; i < argc; i++)
    strv_append (&spec.argv, argv[i]);
  nook_verbose = spec.verbose;
  if (nook_cli_publish_ports (&spec, err) < 0 || nook_try_prepare (&spec, opts.paths, opts.keep, &t, err) < 0)
    goto out;
  status = nook_run (&spec, err);
  if (status >= 0 && finish (&opts, &t, status, err) < 0)
    status = -1;
out:
  nook_try_release (&t);
  try_opts_free (&opts);
  nook_spec_free (&spec);
  return status;
}
