/* nook rm [-f] ID|NAME...: removes the state (and log) of ended
   sandboxes; -f kills running ones first.  */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/sandbox.h"
#include "lib/utils.h"
#include "options.h"

static int
rm_one (struct nook_store *store, const char *ref, bool force, struct nook_error *err)
{
  struct nook_sandbox sb;
  int r;

  /* A forged state is found too: it can be removed, never obeyed.  */
  r = nook_sandbox_find_any (store, ref, &sb, err);
  if (r == 0)
    {
      r = nook_sandbox_rm (store, &sb, force, err);
      nook_sandbox_release (&sb);
    }
  return r;
}

/* With -f and several sandboxes, every running one is killed before the
   first is waited for: their supervisors then record their ends at the same
   time, not one after another.  killed[I] gets the id of REFS[I] when it was
   killed here.  What cannot be killed here is left to nook_sandbox_rm, which
   says why.  */
static void
kill_all (struct nook_store *store, char **refs, int n, char (*killed)[NOOK_ID_LEN + 1])
{
  for (int i = 0; i < n; i++)
    {
      struct nook_error ignored = { 0 };
      struct nook_sandbox sb;

      if (nook_sandbox_find_any (store, refs[i], &sb, &ignored) == 0)
        {
          if (sb.supervised && !sb.forged && sb.doc && nook_sandbox_kill (&sb, SIGKILL, NULL) == 0)
            memcpy (killed[i], sb.id, sizeof killed[i]);
          nook_sandbox_release (&sb);
        }
      nook_error_release (&ignored);
    }
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
  .opts_size = sizeof (bool),
};

int
nook_cmd_rm (int argc, char **argv, struct nook_error *err)
{
  char (*killed)[NOOK_ID_LEN + 1];
  struct nook_store store;
  bool force = false;
  int i;

  i = nook_command_parse (&nook_rm_command, argc, argv, NULL, &force, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_rm_command, argc, i, 1, -1, err) < 0)
    return -1;
  /* One store, swept once, for every operand.  */
  if (nook_cli_store (&store, err) < 0)
    return -1;
  killed = calloc (argc - i, sizeof *killed);
  if (killed == NULL)
    {
      nook_store_close (&store);
      return nook_error_errno (err, "remove sandboxes");
    }
  if (force && argc - i > 1)
    kill_all (&store, argv + i, argc - i, killed);
  for (int k = 0; i + k < argc; k++)
    {
      struct nook_error one = { 0 };
      if (killed[k][0] && nook_sandbox_wait_gone (&store, killed[k]))
        continue;
      if (rm_one (&store, argv[i + k], force, &one) < 0)
        nook_cli_error_add (err, &one);
    }
  free (killed);
  nook_store_close (&store);
  return err->msg ? -1 : 0;
}
