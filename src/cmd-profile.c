/* nook profile ls | show NAME [--json]  */
#include <config.h>

#include <dirent.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/escape.h"
#include "lib/profile.h"
#include "lib/utils.h"
#include "options.h"
#include "opts-profile.h"

static const struct nook_option show_options[] = {
  { "json", 0, 0, 1, "", "print the resolved profile as JSON" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
show_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
            struct nook_error *err)
{
  *(bool *)parser->cmd = true;
  return 0;
}

static const struct nook_option_group show_group = { "Options", show_options, show_apply, NULL };
static const struct nook_option_group *const show_groups[] = { &show_group, NULL };

const struct nook_command nook_profile_ls_command = {
  .name = "profile ls",
  .synopsis = "nook profile ls",
  .summary = "Lists the profiles: name, file and description; the first of a name on the search path wins.",
  .interspersed = true,
};

const struct nook_command nook_profile_show_command = {
  .name = "profile show",
  .synopsis = "nook profile show [--json] NAME|FILE",
  .summary = "Shows a profile with its includes resolved: the options of nook run it stands for.",
  .groups = show_groups,
  .interspersed = true,
  .opts_size = sizeof (bool),
};

const struct nook_command nook_profile_command = {
  .name = "profile",
  .synopsis = "nook profile ls\nnook profile show [--json] NAME|FILE",
  .summary = "Lists and shows profiles, the named sets of options of nook run --profile (nook-profile(5)).",
};

/* The profile's one-line description, or why it cannot be read.  */
static char *
describe (const char *path)
{
  struct nook_profile p;
  struct nook_error err = { 0 };
  char *text;

  if (nook_profile_load (path, &p, &err) < 0)
    text = xstrdup ("(broken: see nook profile show)");
  else
    text = p.description ? nook_escape_name (p.description) : xstrdup ("-");
  nook_profile_free (&p);
  nook_error_release (&err);
  return text;
}

static int
by_name (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

/* The profile names in DIR, sorted.  */
static char **
dir_names (const char *dir)
{
  DIR *d = opendir (dir);
  char **names = NULL;
  struct dirent *de;

  if (d == NULL)
    return NULL;
  while ((de = readdir (d)))
    {
      size_t len = strlen (de->d_name);
      cleanup_free char *name = NULL;
      if (len <= 5 || strcmp (de->d_name + len - 5, ".json") != 0)
        continue;
      name = strndup (de->d_name, len - 5);
      if (name && nook_profile_name_is_valid (name))
        strv_append (&names, name);
    }
  closedir (d);
  if (names)
    qsort (names, strv_len (names), sizeof *names, by_name);
  return names;
}

static int
profile_ls (int argc, char **argv, struct nook_error *err)
{
  cleanup_strv char **seen = NULL;
  int i = nook_command_parse (&nook_profile_ls_command, argc, argv, NULL, NULL, err);

  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_profile_ls_command, argc, i, 0, 0, err) < 0)
    return -1;
  printf ("%-16s %-44s %s\n", "NAME", "FILE", "DESCRIPTION");
  for (int o = 0; o < NOOK_PROFILE_N; o++)
    {
      cleanup_free char *dir = nook_profile_dir (o);
      cleanup_strv char **names = dir ? dir_names (dir) : NULL;
      for (size_t k = 0; names && names[k]; k++)
        {
          cleanup_free char *path = NULL, *shown = NULL, *desc = NULL;
          if (strv_has (seen, names[k]))
            continue;
          strv_append (&seen, names[k]);
          path = xasprintf ("%s/%s.json", dir, names[k]);
          shown = nook_escape_name (path);
          desc = describe (path);
          printf ("%-16s %-44s %s\n", names[k], shown, desc);
        }
    }
  return 0;
}

/* ARG quoted for a shell, when it must be; escaped for the terminal.  */
static void
print_arg (const char *arg)
{
  cleanup_free char *shown = nook_escape_name (arg);

  if (shown[0]
      && strspn (shown, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_./:=,@%+-")
             == strlen (shown))
    {
      printf (" %s", shown);
      return;
    }
  putchar (' ');
  putchar ('\'');
  for (const char *c = shown; *c; c++)
    fputs (*c == '\'' ? "'\\''" : (char[]){ *c, 0 }, stdout);
  putchar ('\'');
}

static void
print_json (const char *ref, const struct nook_profile_set *set, char **args)
{
  const struct nook_profile *top = &set->profiles[set->n - 1];
  json_object *o = json_object_new_object (), *inc = json_object_new_array (), *a = json_object_new_array ();

  json_object_object_add (o, "profile", json_object_new_string (ref));
  json_object_object_add (o, "file", json_object_new_string (set->paths[set->n - 1]));
  json_object_object_add (o, "version", json_object_new_int (top->version));
  json_object_object_add (o, "description",
                          top->description ? json_object_new_string (top->description) : NULL);
  for (size_t i = 0; i + 1 < set->n; i++)
    json_object_array_add (inc, json_object_new_string (set->paths[i]));
  json_object_object_add (o, "includes", inc);
  for (size_t i = 0; args && args[i]; i++)
    json_object_array_add (a, json_object_new_string (args[i]));
  json_object_object_add (o, "args", a);
  printf ("%s\n",
          json_object_to_json_string_ext (o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (o);
}

static void
print_text (const struct nook_profile_set *set, char **args)
{
  const struct nook_profile *top = &set->profiles[set->n - 1];

  for (size_t i = 0; i < set->n; i++)
    {
      cleanup_free char *shown = nook_escape_name (set->paths[i]);
      printf ("# %s %s\n", i + 1 < set->n ? "includes" : "file", shown);
    }
  if (top->description)
    {
      cleanup_free char *shown = nook_escape_name (top->description);
      printf ("# %s\n", shown);
    }
  printf ("nook run");
  for (size_t i = 0; args && args[i]; i++)
    print_arg (args[i]);
  printf ("\n");
}

static int
profile_show (int argc, char **argv, struct nook_error *err)
{
  bool json = false;
  struct nook_profile_set set;
  struct nook_spec scratch;
  struct nook_parser parser = { .command = &nook_run_command };
  cleanup_strv char **args = NULL;
  int r, i = nook_command_parse (&nook_profile_show_command, argc, argv, NULL, &json, err);

  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_profile_show_command, argc, i, 1, 1, err) < 0)
    return -1;
  /* Applied to a spec that is then dropped: every value is checked as
     nook run would check it.  */
  nook_spec_init (&scratch);
  r = nook_profile_resolve (argv[i], &set, err);
  if (r == 0)
    r = nook_profile_apply (&nook_run_command, &set, &scratch, &parser, &args, err);
  if (r == 0 && json)
    print_json (argv[i], &set, args);
  else if (r == 0)
    print_text (&set, args);
  strv_free (parser.env_set);
  nook_spec_free (&scratch);
  nook_profile_set_free (&set);
  return r < 0 ? nook_error_wrap (err, "profile show") : 0;
}

int
nook_cmd_profile (int argc, char **argv, struct nook_error *err)
{
  int i = nook_command_parse (&nook_profile_command, argc, argv, NULL, NULL, err);

  if (i <= 0)
    return i;
  if (i >= argc)
    return nook_error_set (err, 0, "profile: no command given (usage: nook profile ls|show NAME)");
  argc -= i, argv += i;
  if (strcmp (argv[0], "ls") == 0 || strcmp (argv[0], "list") == 0)
    return profile_ls (argc, argv, err);
  if (strcmp (argv[0], "show") == 0)
    return profile_show (argc, argv, err);
  return nook_error_set (err, 0, "profile: unknown command `%s` (ls or show)", argv[0]);
}
