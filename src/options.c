#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utils.h"
#include "options.h"

void
nook_options_usage (FILE *out, const char *synopsis, const struct nook_option_group *const *groups)
{
  fprintf (out, "Usage: %s\n", synopsis);
  for (size_t g = 0; groups[g]; g++)
    {
      fprintf (out, "\n%s:\n", groups[g]->title);
      for (const struct nook_option *o = groups[g]->options; o->name; o++)
        {
          char left[80];
          if (o->short_name)
            snprintf (left, sizeof left, "-%c, --%s %s", o->short_name, o->name, o->args);
          else
            snprintf (left, sizeof left, "    --%s %s", o->name, o->args);
          fprintf (out, "  %-32s %s\n", left, o->help);
        }
    }
}

static const struct nook_option *
find_option (const struct nook_option_group *const *groups, const char *arg, const char **inline_value,
             const struct nook_option_group **group)
{
  *inline_value = NULL;
  for (size_t g = 0; groups[g]; g++)
    for (const struct nook_option *o = groups[g]->options; o->name; o++)
      {
        *group = groups[g];
        if (arg[1] != '-')
          {
            if (o->short_name && o->short_name == arg[1] && arg[2] == '\0')
              return o;
            continue;
          }
        size_t n = strlen (o->name);
        if (strncmp (arg + 2, o->name, n) != 0)
          continue;
        if (arg[2 + n] == '\0')
          return o;
        if (arg[2 + n] == '=' && o->nargs == 1)
          {
            *inline_value = arg + 3 + n;
            return o;
          }
      }
  return NULL;
}

int
nook_options_parse_cmd (const char *cmd, const struct nook_option_group *const *groups, int argc, char **argv,
                        struct nook_spec *spec, void *cmd_opts, struct nook_error *err)
{
  struct nook_parser parser = { .cmd = cmd_opts };
  int i;

  for (i = 1; i < argc; i++)
    {
      const char *arg = argv[i], *inline_value;
      const struct nook_option_group *group = NULL;
      const struct nook_option *o;
      char *val[2] = { NULL, NULL };

      /* "--" ends the options; the groups' checks still run below.  */
      if (strcmp (arg, "--") == 0)
        {
          i++;
          break;
        }
      if (arg[0] != '-' || arg[1] == '\0')
        break;
      o = find_option (groups, arg, &inline_value, &group);
      if (o == NULL)
        return nook_error_set (err, 0, "%s: unknown option `%s` (see `nook %s --help`)", cmd, arg, cmd);
      if (strcmp (o->name, "help") == 0)
        return 0;
      if (inline_value)
        val[0] = (char *)inline_value;
      else
        {
          if (i + o->nargs >= argc)
            return nook_error_set (err, 0, "%s: --%s needs %s", cmd, o->name, o->args);
          for (int k = 0; k < o->nargs; k++)
            val[k] = argv[++i];
        }
      if (group->apply (o, val, spec, &parser, err) < 0)
        return nook_error_wrap (err, "%s", cmd);
    }
  for (size_t g = 0; groups[g]; g++)
    if (groups[g]->check && groups[g]->check (spec, &parser, err) < 0)
      return nook_error_wrap (err, "%s", cmd);
  return i;
}

int
nook_options_parse (const char *cmd, const struct nook_option_group *const *groups, int argc, char **argv,
                    struct nook_spec *spec, struct nook_error *err)
{
  return nook_options_parse_cmd (cmd, groups, argc, argv, spec, NULL, err);
}

int
nook_option_id (const char *opt, const char *value, uint32_t *out, struct nook_error *err)
{
  uint64_t v;
  if (nook_parse_uint (value, UINT32_MAX - 1, &v) < 0)
    return nook_error_set (err, 0, "--%s needs a number from 0 to %u, not `%s`", opt, UINT32_MAX - 1, value);
  *out = v;
  return 0;
}

void
nook_option_string (char **field, const char *value)
{
  free (*field);
  *field = xstrdup (value);
}
