/* nook check [--json]  */
#include <config.h>

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/check.h"
#include "options.h"

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

enum
{
  OPT_JSON = 1,
};

static const struct nook_option check_options[] = {
  { "json", 0, 0, OPT_JSON, "", "print the checks as JSON (see nook-check(1))" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
check_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
             struct nook_error *err)
{
  *(bool *)parser->cmd = true;
  return 0;
}

static const struct nook_option_group check_group = { "Options", check_options, check_apply, NULL };
static const struct nook_option_group *const check_groups[] = { &check_group, NULL };

const struct nook_command nook_check_command = {
  .name = "check",
  .synopsis = "nook check [--json]",
  .summary = "Tells whether this host is ready for rootless sandboxes; exits 1 when a check fails.",
  .groups = check_groups,
  .interspersed = true,
  .opts_size = sizeof (bool),
};

int
nook_cmd_check (int argc, char **argv, struct nook_error *err)
{
  struct nook_check_result *res;
  bool json = false;
  int fails = 0, warns = 0, first;
  size_t n;

  first = nook_command_parse (&nook_check_command, argc, argv, NULL, &json, err);
  if (first <= 0)
    return first;
  if (nook_cli_operands (&nook_check_command, argc, first, 0, 0, err) < 0)
    return -1;
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
