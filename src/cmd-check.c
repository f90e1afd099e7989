/* nook check [--json]  */
#include <config.h>

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/check.h"

static void
print_json (const struct nook_check_result *res, size_t n, int fails, int warns)
{
  json_object *root = json_object_new_object (), *checks = json_object_new_array ();

  for (size_t i = 0; i < n; i++)
    {
      json_object *c = json_object_new_object ();
      json_object_object_add (c, "name", json_object_new_string (res[i].name));
      json_object_object_add (c, "status", json_object_new_string (nook_check_status_name (res[i].status)));
      json_object_object_add (c, "detail", json_object_new_string (res[i].detail ? res[i].detail : ""));
      json_object_object_add (c, "fix", res[i].fix ? json_object_new_string (res[i].fix) : NULL);
      json_object_array_add (checks, c);
    }
  json_object_object_add (root, "checks", checks);
  json_object_object_add (root, "fail", json_object_new_int (fails));
  json_object_object_add (root, "warn", json_object_new_int (warns));
  json_object_object_add (root, "ok", json_object_new_boolean (fails == 0));
  puts (json_object_to_json_string_ext (root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (root);
}

int
nook_cmd_check (int argc, char **argv)
{
  struct nook_check_result *res;
  bool json = false;
  int fails = 0, warns = 0;
  size_t n;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--json") == 0)
        json = true;
      else if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          printf ("Usage: nook check [--json]\n\nTells whether this host is ready for rootless sandboxes.\n");
          return 0;
        }
      else
        {
          fprintf (stderr, "nook: check: unknown option `%s` (see `nook check --help`)\n", argv[i]);
          return NOOK_EXIT_ERROR;
        }
    }
  n = nook_check_run (&res);
  for (size_t i = 0; i < n; i++)
    {
      fails += res[i].status == NOOK_CHECK_FAIL;
      warns += res[i].status == NOOK_CHECK_WARN;
    }
  if (json)
    print_json (res, n, fails, warns);
  else
    {
      for (size_t i = 0; i < n; i++)
        {
          printf ("%s  %-18s %s\n", nook_check_status_name (res[i].status), res[i].name, res[i].detail);
          if (res[i].fix)
            printf ("      %-18s fix: %s\n", "", res[i].fix);
        }
      printf ("%d failed, %d warnings\n", fails, warns);
    }
  nook_check_free (res, n);
  return fails ? 1 : 0;
}
