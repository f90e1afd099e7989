/* nook rm [-f] ID|NAME...: removes the state (and log) of ended
   sandboxes; -f kills running ones first.  */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/sandbox.h"
#include "lib/utils.h"

#define RM_USAGE "nook rm [-f|--force] ID|NAME..."

static int
rm_one (const char *ref, bool force, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  int r;

  if (nook_cli_store (&store, err) < 0)
    return -1;
  /* A forged state is found too: it can be removed, never obeyed.  */
  r = nook_sandbox_find_any (&store, ref, &sb, err);
  if (r == 0)
    {
      r = nook_sandbox_rm (&store, &sb, force, err);
      nook_sandbox_release (&sb);
    }
  nook_store_close (&store);
  return r;
}

int
nook_cmd_rm (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "force", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct nook_error err = { 0 };
  bool force = false;
  int c, status = 0;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+fh", longopts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case 'h':
        printf ("Usage: %s\n\nRemoves ended sandboxes' state and logs; -f kills running ones first.\n",
                RM_USAGE);
        return 0;
      default:
        return nook_cli_bad_option ("rm", RM_USAGE, argv[optind - 1]);
      }
  if (optind >= argc)
    return nook_cli_usage_error ("rm", RM_USAGE);
  for (int i = optind; i < argc; i++)
    if (rm_one (argv[i], force, &err) < 0)
      status = nook_error_report (&err);
  return status;
}
