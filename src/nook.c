/* nook: a rootless sandbox.  Dispatches to one subcommand each, and prints
   the error a subcommand returns: the one place that does.  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/utils.h"
#include "options.h"

static void
usage (FILE *out)
{
  fprintf (out, "Usage: nook [--version] [--help] COMMAND [OPTIONS]\n\nCommands:\n");
  for (const struct nook_subcommand *c = nook_subcommands; c->def; c++)
    if (!c->hidden)
      fprintf (out, "  %-8s %s\n", c->def->name, c->def->summary);
  fprintf (out, "\nSee `nook COMMAND --help` and man nook-COMMAND.\n");
}

static int
dispatch (int argc, char **argv, struct nook_error *err)
{
  if (argc < 2)
    return nook_error_set (err, 0, "no command given (see `nook --help`)");
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "version") == 0)
    {
      printf ("nook %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return 0;
    }
  for (const struct nook_subcommand *c = nook_subcommands; c->def; c++)
    if (strcmp (argv[1], c->def->name) == 0)
      return c->fn (argc - 1, argv + 1, err);
  return nook_error_set (err, 0, "unknown command `%s` (see `nook --help`)", argv[1]);
}

int
main (int argc, char **argv)
{
  struct nook_error err = { 0 };
  int r;

  nook_log_init ();
  r = dispatch (argc, argv, &err);
  fflush (stdout);
  if (err.msg)
    {
      int status = nook_error_report (&err);
      return r < 0 ? status : r;
    }
  return r < 0 ? NOOK_EXIT_ERROR : r;
}
