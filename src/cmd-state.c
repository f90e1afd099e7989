/* The lifecycle commands' common steps: the state directory and finding
   a sandbox.  */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>

#include "cmd.h"
#include "lib/state.h"
#include "lib/utils.h"

int
nook_cli_store (struct nook_store *store, struct nook_error *err)
{
  if (nook_store_open (store, err) < 0)
    return -1;
  if (nook_store_lock (store, err) < 0)
    {
      nook_store_close (store);
      return -1;
    }
  nook_store_sweep (store);
  nook_store_unlock (store);
  return 0;
}

int
nook_cli_find (struct nook_store *store, const char *ref, struct nook_sandbox *sb, struct nook_error *err)
{
  if (nook_cli_store (store, err) < 0)
    return -1;
  if (nook_sandbox_find (store, ref, sb, err) < 0)
    {
      nook_store_close (store);
      return -1;
    }
  return 0;
}

int
nook_cli_usage_error (const char *cmd, const char *usage)
{
  fprintf (stderr, "nook: %s: wrong arguments (usage: %s)\n", cmd, usage);
  return NOOK_EXIT_ERROR;
}

int
nook_cli_bad_option (const char *cmd, const char *usage, const char *arg)
{
  fprintf (stderr, "nook: %s: unknown option, or one missing its value: `%s` (usage: %s)\n", cmd, arg, usage);
  return NOOK_EXIT_ERROR;
}
