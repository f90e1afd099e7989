/* nook pause ID|NAME...  and  nook unpause ID|NAME...  */
#include <config.h>

#include <stdbool.h>

#include "cmd.h"
#include "lib/pause.h"
#include "lib/sandbox.h"
#include "lib/utils.h"
#include "options.h"

static int
pause_one (const char *ref, bool pause, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  int r;

  if (nook_cli_find (&store, ref, &sb, err) < 0)
    return -1;
  r = nook_sandbox_pause (&store, &sb, pause, err);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  return r;
}

const struct nook_command nook_pause_command = {
  .name = "pause",
  .synopsis = "nook pause ID|NAME...",
  .summary = "Stops every process of the sandboxes (nook ps shows them paused).",
  .interspersed = true,
};

const struct nook_command nook_unpause_command = {
  .name = "unpause",
  .synopsis = "nook unpause ID|NAME...",
  .summary = "Resumes every process of paused sandboxes.",
  .interspersed = true,
};

static int
pause_main (const struct nook_command *def, int argc, char **argv, bool pause, struct nook_error *err)
{
  int i = nook_command_parse (def, argc, argv, NULL, NULL, err);

  if (i <= 0)
    return i;
  if (nook_cli_operands (def, argc, i, 1, -1, err) < 0)
    return -1;
  for (; i < argc; i++)
    {
      struct nook_error one = { 0 };
      if (pause_one (argv[i], pause, &one) < 0)
        nook_cli_error_add (err, &one);
    }
  return err->msg ? -1 : 0;
}

int
nook_cmd_pause (int argc, char **argv, struct nook_error *err)
{
  return pause_main (&nook_pause_command, argc, argv, true, err);
}

int
nook_cmd_unpause (int argc, char **argv, struct nook_error *err)
{
  return pause_main (&nook_unpause_command, argc, argv, false, err);
}
