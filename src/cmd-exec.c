/* nook exec [OPTIONS] ID|NAME [--] CMD [ARG...]  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/exec.h"
#include "lib/state.h"
#include "lib/utils.h"
#include "options.h"

struct exec_cli
{
  struct nook_exec_opts opts;
  char **env;      /* -e, in order */
  char **env_file; /* --env-file entries: before -e's, which win */
};

enum
{
  OPT_ENV = 1,
  OPT_ENV_FILE,
  OPT_WORKDIR,
  OPT_TTY,
  OPT_INTERACTIVE,
};

static const struct nook_option exec_options[] = {
  { "env", 'e', 1, OPT_ENV, "K=V|K", "set K (K alone: the caller's value)" },
  { "env-file", 0, 1, OPT_ENV_FILE, "FILE", "read K=V lines from FILE (-e wins over it)" },
  { "workdir", 'w', 1, OPT_WORKDIR, "DIR", "working directory inside (absolute; default: the command's)" },
  { "cwd", 0, 1, OPT_WORKDIR, "DIR", "the same as --workdir" },
  { "tty", 't', 0, OPT_TTY, "", "a terminal of the sandbox's own for the command" },
  { "interactive", 'i', 0, OPT_INTERACTIVE, "", "keep stdin open (always so; podman's -i)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
exec_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
            struct nook_error *err)
{
  struct exec_cli *c = parser->cmd;
  cleanup_strv char **entries = NULL;

  switch (o->id)
    {
    case OPT_ENV:
      if (val[0][0] == '\0' || val[0][0] == '=')
        return nook_error_set (err, 0, "%s `%s` is not K=V or K", parser->given, val[0]);
      strv_append (&c->env, val[0]);
      return 0;
    case OPT_ENV_FILE:
      if (nook_env_file_read (val[0], &entries, err) < 0)
        return -1;
      for (size_t i = 0; entries && entries[i]; i++)
        strv_append (&c->env_file, entries[i]);
      return 0;
    case OPT_WORKDIR:
      if (val[0][0] != '/')
        return nook_error_set (err, 0, "%s needs an absolute path, not `%s`", parser->given, val[0]);
      c->opts.cwd = val[0];
      return 0;
    case OPT_TTY:
      c->opts.tty = true;
      return 0;
    case OPT_INTERACTIVE:
      return 0;
    }
  return nook_error_set (err, 0, "option --%s is not handled", o->name);
}

static void
exec_cli_free (void *opts)
{
  struct exec_cli *c = opts;

  strv_free (c->env);
  strv_free (c->env_file);
}

static const struct nook_option_group exec_group = { "Options", exec_options, exec_apply, NULL };
static const struct nook_option_group *const exec_groups[] = { &exec_group, NULL };

const struct nook_command nook_exec_command = {
  .name = "exec",
  .synopsis = "nook exec [OPTIONS] ID|NAME [--] CMD [ARG...]",
  .summary = "Runs CMD in the running sandbox ID|NAME and returns its exit status.",
  .groups = exec_groups,
  .opts_size = sizeof (struct exec_cli),
  .opts_free = exec_cli_free,
};

static int
exec_in (const char *ref, struct exec_cli *c, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  struct nook_spec spec;
  int r;

  if (nook_cli_find (&store, ref, &sb, err) < 0)
    return -1;
  nook_spec_init (&spec);
  /* What the sandbox's command got, as `nook run` recorded it: its ids,
     capabilities and the very seccomp programs, not a policy compiled
     again from a file that may have changed since.  */
  r = nook_sandbox_spec (&sb, &spec, err);
  nook_store_close (&store);
  if (r == 0)
    r = nook_exec (&sb, &spec, &c->opts, err);
  nook_spec_free (&spec);
  nook_sandbox_release (&sb);
  return r;
}

int
nook_cmd_exec (int argc, char **argv, struct nook_error *err)
{
  struct exec_cli c = { 0 };
  const char *ref = NULL;
  int i, r = -1;

  i = nook_command_parse (&nook_exec_command, argc, argv, NULL, &c, err);
  if (i <= 0)
    {
      r = i;
      goto out;
    }
  if (i < argc)
    ref = argv[i++];
  if (i < argc && strcmp (argv[i], "--") == 0)
    i++;
  if (i >= argc)
    {
      nook_error_set (err, 0, "exec: no %s given (usage: %s)", ref ? "command" : "sandbox",
                      nook_exec_command.synopsis);
      goto out;
    }
  c.opts.argv = argv + i;
  for (size_t k = 0; c.env && c.env[k]; k++)
    strv_append (&c.env_file, c.env[k]);
  c.opts.setenv = c.env_file;
  r = exec_in (ref, &c, err);
out:
  exec_cli_free (&c);
  return r;
}
