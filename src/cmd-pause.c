/* nook pause ID|NAME...  and  nook unpause ID|NAME...  */
#include <config.h>

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/sandbox.h"
#include "lib/utils.h"

static int
pause_one (const char *ref, bool pause, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  int r;

  if (nook_cli_find (&store, ref, &sb, err) < 0)
    return -1;
  r = nook_sandbox_pause (&sb, pause, err);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  return r;
}

static int
pause_main (int argc, char **argv, bool pause)
{
  static const struct option longopts[] = {
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  const char *cmd = pause ? "pause" : "unpause";
  const char *usage = pause ? "nook pause ID|NAME..." : "nook unpause ID|NAME...";
  struct nook_error err = { 0 };
  int c, status = 0;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+h", longopts, NULL)) != -1)
    switch (c)
      {
      case 'h':
        printf ("Usage: %s\n\n%s\n", usage,
                pause ? "Stops every process of the sandboxes (nook ps shows them paused)."
                      : "Resumes every process of paused sandboxes.");
        return 0;
      default:
        return nook_cli_bad_option (cmd, usage, argv[optind - 1]);
      }
  if (optind >= argc)
    return nook_cli_usage_error (cmd, usage);
  for (int i = optind; i < argc; i++)
    if (pause_one (argv[i], pause, &err) < 0)
      status = nook_error_report (&err);
  return status;
}

int
nook_cmd_pause (int argc, char **argv)
{
  return pause_main (argc, argv, true);
}

int
nook_cmd_unpause (int argc, char **argv)
{
  return pause_main (argc, argv, false);
}
