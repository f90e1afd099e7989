/* nook attach [--detach-keys KEYS] ID|NAME: this terminal to a sandbox
   started with -d -t, until the detach keys or its end.  */
#include <config.h>

#include "cmd.h"
#include "lib/attach.h"
#include "lib/state.h"
#include "lib/utils.h"
#include "options.h"

static const struct nook_option attach_options[] = {
  { "detach-keys", 0, 1, 1, "KEYS",
    "the keys that detach, podman's form (default ctrl-p,ctrl-q; \"\" for none)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
attach_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
              struct nook_error *err)
{
  *(const char **)parser->cmd = val[0];
  return 0;
}

static const struct nook_option_group attach_group = { "Options", attach_options, attach_apply, NULL };
static const struct nook_option_group *const attach_groups[] = { &attach_group, NULL };

const struct nook_command nook_attach_command = {
  .name = "attach",
  .synopsis = "nook attach [--detach-keys KEYS] ID|NAME",
  .summary = "Connects this terminal to a sandbox started with -d -t; ctrl-p ctrl-q detaches.",
  .groups = attach_groups,
  .interspersed = true,
  .opts_size = sizeof (const char *),
};

int
nook_cmd_attach (int argc, char **argv, struct nook_error *err)
{
  const char *spec = NOOK_ATTACH_DEFAULT_KEYS;
  char keys[NOOK_ATTACH_MAX_KEYS];
  struct nook_store store;
  struct nook_sandbox sb;
  size_t n_keys;
  int i, r;

  i = nook_command_parse (&nook_attach_command, argc, argv, NULL, &spec, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_attach_command, argc, i, 1, 1, err) < 0
      || nook_attach_parse_keys (spec, keys, &n_keys, err) < 0)
    return -1;
  if (nook_cli_find (&store, argv[i], &sb, err) < 0)
    return -1;
  r = sb.running ? nook_attach (&store, &sb, keys, n_keys, err)
                 : nook_error_set (err, 0, "sandbox `%s` is not running", argv[i]);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  return r;
}
