/* nook logs [-f] ID|NAME: a detached sandbox's stdout and stderr.  */
#include <config.h>

#include <stdio.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/sandbox.h"
#include "lib/state.h"
#include "lib/utils.h"
#include "options.h"

static const struct nook_option logs_options[] = {
  { "follow", 'f', 0, 1, "", "go on printing until the sandbox ends" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
logs_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
            struct nook_error *err)
{
  *(bool *)parser->cmd = true;
  return 0;
}

static const struct nook_option_group logs_group = { "Options", logs_options, logs_apply, NULL };
static const struct nook_option_group *const logs_groups[] = { &logs_group, NULL };

const struct nook_command nook_logs_command = {
  .name = "logs",
  .synopsis = "nook logs [-f|--follow] ID|NAME",
  .summary = "Prints what a detached sandbox wrote; -f goes on until it ends.",
  .groups = logs_groups,
  .interspersed = true,
  .opts_size = sizeof (bool),
};

int
nook_cmd_logs (int argc, char **argv, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  bool follow = false;
  int i, r;

  i = nook_command_parse (&nook_logs_command, argc, argv, NULL, &follow, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_logs_command, argc, i, 1, 1, err) < 0)
    return -1;
  if (nook_cli_find (&store, argv[i], &sb, err) < 0)
    return -1;
  nook_store_close (&store);
  fflush (stdout);
  r = nook_sandbox_logs (&sb, STDOUT_FILENO, follow, err);
  nook_sandbox_release (&sb);
  return r < 0 ? -1 : 0;
}
