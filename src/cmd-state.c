/* The lifecycle commands' common steps: the state directory, finding a
   sandbox, and its spec parsed again from the options it was run with.  */
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
nook_cli_sandbox_spec (const struct nook_sandbox *sb, struct nook_spec *spec, struct nook_error *err)
{
  json_object *opts = NULL, *cmd = NULL;
  cleanup_strv char **argv = NULL;
  int r;

  if (sb->doc == NULL || !json_object_object_get_ex (sb->doc, "options", &opts)
      || !json_object_object_get_ex (sb->doc, "command", &cmd))
    return nook_error_set (err, 0, "sandbox `%s` has no recorded options", sb->id);
  strv_append (&argv, "run");
  for (size_t i = 0; i < json_object_array_length (opts); i++)
    strv_append (&argv, json_object_get_string (json_object_array_get_idx (opts, i)));
  for (size_t i = 0; i < json_object_array_length (cmd); i++)
    strv_append (&argv, json_object_get_string (json_object_array_get_idx (cmd, i)));
  /* The same parser and option groups as `nook run`: the same spec.  */
  r = nook_run_parse (strv_len (argv), argv, spec, err);
  if (r != 0)
    return r < 0 ? nook_error_wrap (err, "the options of sandbox `%s`", sb->id)
                 : nook_error_set (err, 0, "the options of sandbox `%s` ask for help", sb->id);
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
