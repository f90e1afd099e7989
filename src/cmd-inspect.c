/* nook inspect ID|NAME: the sandbox as JSON.  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/inspect.h"
#include "lib/state.h"
#include "lib/utils.h"

#define INSPECT_USAGE "nook inspect ID|NAME"

int
nook_cmd_inspect (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_store store;
  struct nook_sandbox sb;
  struct nook_spec spec;
  json_object *doc;
  bool have_spec;

  if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf (
          "Usage: %s\n\nPrints the sandbox's id, status, namespaces, id maps, root, mounts and privileges as "
          "JSON.\n",
          INSPECT_USAGE);
      return 0;
    }
  if (argc != 2)
    return nook_cli_usage_error ("inspect", INSPECT_USAGE);
  if (nook_cli_find (&store, argv[1], &sb, &err) < 0)
    return nook_error_report (&err);
  nook_spec_init (&spec);
  have_spec = sb.doc != NULL;
  if (have_spec && nook_sandbox_spec (&sb, &spec, &err) < 0)
    {
      nook_spec_free (&spec);
      nook_sandbox_release (&sb);
      nook_store_close (&store);
      return nook_error_report (&err);
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
