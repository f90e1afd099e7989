/* nook rm [-f] ID|NAME...: removes the state (and log) of ended
   sandboxes; -f kills running ones first.  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/sandbox.h"
#include "lib/utils.h"
#include "options.h"

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

static const struct nook_option rm_options[] = {
  { "force", 'f', 0, 1, "", "kill running sandboxes first" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
rm_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
          struct nook_error *err)
{
  *(bool *)parser->cmd = true;
  return 0;
}

static const struct nook_option_group rm_group = { "Options", rm_options, rm_apply, NULL };
static const struct nook_option_group *const rm_groups[] = { &rm_group, NULL };

const struct nook_command nook_rm_command = {
  .name = "rm",
  .synopsis = "nook rm [-f|--force] ID|NAME...",
  .summary = "Removes ended sandboxes' state and logs; -f kills running ones first.",
  .groups = rm_groups,
  .interspersed = true,
};

int
nook_cmd_rm (int argc, char **argv, struct nook_error *err)
{
  bool force = false;
  int i;

  i = nook_command_parse (&nook_rm_command, argc, argv, NULL, &force, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_rm_command, argc, i, 1, -1, err) < 0)
    return -1;
  for (; i < argc; i++)
    {
      struct nook_error one = { 0 };
      if (rm_one (argv[i], force, &one) < 0)
        nook_cli_error_add (err, &one);
    }
  return err->msg ? -1 : 0;
}
