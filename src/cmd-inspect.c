/* nook inspect ID|NAME: the sandbox as JSON.  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/inspect.h"
#include "lib/state.h"
#include "lib/utils.h"
#include "options.h"

const struct nook_command nook_inspect_command = {
  .name = "inspect",
  .synopsis = "nook inspect ID|NAME",
  .summary = "Prints the sandbox's id, status, namespaces, id maps, root, mounts and privileges as JSON.",
  .interspersed = true,
};

int
nook_cmd_inspect (int argc, char **argv, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  struct nook_spec spec;
  json_object *doc;
  bool have_spec;
  int i;

  i = nook_command_parse (&nook_inspect_command, argc, argv, NULL, NULL, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_inspect_command, argc, i, 1, 1, err) < 0)
    return -1;
  if (nook_cli_find (&store, argv[i], &sb, err) < 0)
    return -1;
  nook_spec_init (&spec);
  have_spec = sb.doc != NULL;
  if (have_spec && nook_sandbox_spec (&sb, &spec, err) < 0)
    {
      nook_spec_free (&spec);
      nook_sandbox_release (&sb);
      nook_store_close (&store);
      return -1;
    }
  doc = nook_inspect (&sb, have_spec ? &spec : NULL);
  printf ("%s\n",
          json_object_to_json_string_ext (doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (doc);
  nook_spec_free (&spec);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  return 0;
}
