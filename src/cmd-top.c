/* nook top ID|NAME: the sandbox's processes, with host and inner pids.  */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/escape.h"
#include "lib/proc.h"
#include "lib/sandbox.h"
#include "lib/utils.h"

#define TOP_USAGE "nook top ID|NAME"

int
nook_cmd_top (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_store store;
  struct nook_sandbox sb;
  cleanup_free pid_t *pids = NULL;
  pid_t inner;
  size_t n;

  if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: %s\n\nLists the sandbox's processes: host pid, pid inside, command.\n", TOP_USAGE);
      return 0;
    }
  if (argc != 2)
    return nook_cli_usage_error ("top", TOP_USAGE);
  if (nook_cli_find (&store, argv[1], &sb, &err) < 0)
    return nook_error_report (&err);
  nook_store_close (&store);
  if (nook_sandbox_processes (&sb, &pids, &n, &err) < 0)
    {
      nook_sandbox_release (&sb);
      return nook_error_report (&err);
    }
  printf ("%-10s %-10s %s\n", "HOST PID", "PID", "COMMAND");
  for (size_t i = 0; i < n; i++)
    {
      cleanup_free char *cmd = nook_proc_cmdline (pids[i]);
      cleanup_free char *shown = NULL;
      if (nook_proc_inner_pid (pids[i], &inner) < 0)
        continue;
      /* A process sets its own command line: escaped, ESC and all.  */
      shown = nook_escape_name (cmd);
      printf ("%-10d %-10d %s\n", (int)pids[i], (int)inner, shown);
    }
  nook_sandbox_release (&sb);
  return 0;
}
