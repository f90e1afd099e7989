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
#include "options.h"

const struct nook_command nook_top_command = {
  .name = "top",
  .synopsis = "nook top ID|NAME",
  .summary = "Lists the sandbox's processes: host pid, pid inside, command.",
  .interspersed = true,
};

int
nook_cmd_top (int argc, char **argv, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  cleanup_free pid_t *pids = NULL;
  pid_t inner;
  size_t n;
  int i;

  i = nook_command_parse (&nook_top_command, argc, argv, NULL, NULL, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_top_command, argc, i, 1, 1, err) < 0)
    return -1;
  if (nook_cli_find (&store, argv[i], &sb, err) < 0)
    return -1;
  nook_store_close (&store);
  if (nook_sandbox_processes (&sb, &pids, &n, err) < 0)
    {
      nook_sandbox_release (&sb);
      return -1;
    }
  printf ("%-10s %-10s %s\n", "HOST PID", "PID", "COMMAND");
  for (size_t k = 0; k < n; k++)
    {
      cleanup_free char *cmd = nook_proc_cmdline (pids[k]);
      cleanup_free char *shown = NULL;
      if (nook_proc_inner_pid (pids[k], &inner) < 0)
        continue;
      /* A process sets its own command line: escaped, ESC and all.  */
      shown = nook_escape_name (cmd);
      printf ("%-10d %-10d %s\n", (int)pids[k], (int)inner, shown);
    }
  nook_sandbox_release (&sb);
  return 0;
}
