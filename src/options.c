/* nook: the option parser of every subcommand (see options.h).  */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/utils.h"
#include "options.h"

extern char **environ;

enum
{
  PARSE_HELP = 1, /* --help was given */
};

static bool
excluded (const struct nook_command *cmd, const char *name)
{
  for (size_t i = 0; cmd->excluded && cmd->excluded[i]; i++)
    if (strcmp (cmd->excluded[i], name) == 0)
      return true;
  return false;
}

/* The option of GROUPS whose long name is NAME[0..LEN) (SHORT_NAME 0) or
   whose short name is SHORT_NAME, and its group.  */
static const struct nook_option *
find_option (const struct nook_command *cmd, const char *name, size_t len, char short_name,
             const struct nook_option_group **group)
{
  for (size_t g = 0; cmd->groups && cmd->groups[g]; g++)
    for (const struct nook_option *o = cmd->groups[g]->options; o->name; o++)
      {
        bool match = short_name ? o->short_name == short_name
                                : strlen (o->name) == len && strncmp (o->name, name, len) == 0;
        if (match)
          {
            *group = cmd->groups[g];
            return o;
          }
      }
  return NULL;
}

const struct nook_option *
nook_command_find_option (const struct nook_command *cmd, const char *name)
{
  const struct nook_option_group *group;
  const struct nook_option *o = find_option (cmd, name, strlen (name), 0, &group);

  return o && !excluded (cmd, o->name) ? o : NULL;
}

const struct nook_option_group *
nook_command_option_group (const struct nook_command *cmd, const struct nook_option *o)
{
  for (size_t g = 0; cmd->groups && cmd->groups[g]; g++)
    for (const struct nook_option *p = cmd->groups[g]->options; p->name; p++)
      if (p == o)
        return cmd->groups[g];
  return NULL;
}

bool
nook_command_has_excluded (const struct nook_command *cmd, const char *name)
{
  const struct nook_option_group *group;

  return find_option (cmd, name, strlen (name), 0, &group) && excluded (cmd, name);
}

size_t
nook_edit_distance (const char *a, const char *b)
{
  size_t la = strlen (a), lb = strlen (b);
  cleanup_free size_t *d = xcalloc ((la + 1) * (lb + 1), sizeof *d);
#define D(i, j) d[(i) * (lb + 1) + (j)]

  for (size_t i = 0; i <= la; i++)
    D (i, 0) = i;
  for (size_t j = 0; j <= lb; j++)
    D (0, j) = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++)
      {
        size_t cost = a[i - 1] != b[j - 1], best = D (i - 1, j - 1) + cost;
        if (D (i - 1, j) + 1 < best)
          best = D (i - 1, j) + 1;
        if (D (i, j - 1) + 1 < best)
          best = D (i, j - 1) + 1;
        if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && D (i - 2, j - 2) + 1 < best)
          best = D (i - 2, j - 2) + 1;
        D (i, j) = best;
      }
  return D (la, lb);
#undef D
}

/* podman's (and docker's) spellings of options nook has under another
   name, for the hint on an unknown option.  */
static const struct
{
  const char *podman;
  const char *nook; /* a long name, suggested when the command has it */
  const char *note; /* what to write, when more than the name */
} podman_names[] = {
  { "network", "net", NULL },
  { "userns", "map-users", "--map-users self|auto" },
  { "mount", "bind", "--bind SRC DEST or -v SRC:DEST" },
  { "env-host", "keep-env", NULL },
  { "device", "dev-bind", "--dev-bind DEV DEV" },
  { "log-opt", "log-size", "--log-size SIZE" },
  { "memory-reservation", "memory-high", NULL },
  { "cpu-shares", "cpu-weight", NULL },
  { "security-opt", "seccomp", "--seccomp POLICY or --cap-drop CAP" },
  { "privileged", "cap-add", "--cap-add ALL --seccomp unconfined" },
  { "add-host", NULL, NULL },
  { "cwd", "workdir", NULL },
  { "uidmap", "map-users", "--map-users auto" },
  { "subuidname", "map-users", "--map-users auto" },
  { NULL, NULL, NULL },
};

const char *
nook_command_nearest_option (const struct nook_command *cmd, const char *given)
{
  size_t len = strlen (given), best_d = (size_t)-1;
  const char *best = NULL;

  for (size_t g = 0; cmd->groups && cmd->groups[g]; g++)
    for (const struct nook_option *o = cmd->groups[g]->options; o->name; o++)
      {
        size_t d;
        if (excluded (cmd, o->name))
          continue;
        d = nook_edit_distance (given, o->name);
        /* A prefix is a near miss too: --pub for --publish.  */
        if (len >= 3 && strncmp (o->name, given, len) == 0)
          d = 1;
        if (d < best_d)
          best_d = d, best = o->name;
      }
  return best && (best_d <= 1 || (best_d <= 2 && len >= 5)) ? best : NULL;
}

/* "did you mean" for the unknown long option NAME[0..LEN).  */
static void
suggest (const struct nook_command *cmd, const char *name, size_t len, struct nook_error *err)
{
  cleanup_free char *given = strndup (name, len);
  const char *best;

  for (size_t i = 0; podman_names[i].podman; i++)
    if (strcmp (podman_names[i].podman, given) == 0 && podman_names[i].nook
        && nook_command_find_option (cmd, podman_names[i].nook))
      {
        if (podman_names[i].note)
          nook_error_hint (err, "nook spells it %s", podman_names[i].note);
        else
          nook_error_hint (err, "did you mean `--%s`?", podman_names[i].nook);
        return;
      }
  best = nook_command_nearest_option (cmd, given);
  if (best)
    nook_error_hint (err, "did you mean `--%s`?", best);
}

static int
unknown (const struct nook_command *cmd, const char *arg, const char *name, size_t len, char short_name,
         struct nook_error *err)
{
  const struct nook_option_group *group;
  const struct nook_option *o = find_option (cmd, name, len, short_name, &group);

  /* An option of the groups that this command does not take.  */
  if (o)
    {
      if (short_name)
        return nook_error_set (err, 0, "%s: -%c (--%s) does not apply to nook %s (see `nook %s --help`)",
                               cmd->name, short_name, o->name, cmd->name, cmd->name);
      return nook_error_set (err, 0, "%s: --%s does not apply to nook %s (see `nook %s --help`)", cmd->name,
                             o->name, cmd->name, cmd->name);
    }
  if (short_name)
    {
      if (strlen (arg) > 2)
        nook_error_set (err, 0, "%s: unknown option `-%c` in `%s`", cmd->name, short_name, arg);
      else
        nook_error_set (err, 0, "%s: unknown option `%s`", cmd->name, arg);
    }
  else
    {
      nook_error_set (err, 0, "%s: unknown option `--%.*s`", cmd->name, (int)len, name);
      suggest (cmd, name, len, err);
    }
  if (strstr (err->msg, "(Hint:") == NULL)
    nook_error_hint (err, "see `nook %s --help`", cmd->name);
  return -1;
}

static int
apply (const struct nook_command *cmd, const struct nook_option_group *group, const struct nook_option *o,
       char **val, struct nook_spec *spec, struct nook_parser *parser, struct nook_error *err)
{
  if (group->apply (o, val, spec, parser, err) < 0)
    return nook_error_wrap (err, "%s", cmd->name);
  return 0;
}

/* Takes O's NARGS values from ARGV after *I.  */
static int
take_values (const struct nook_command *cmd, const struct nook_option *o, const char *given, int argc,
             char **argv, int *i, char **val, struct nook_error *err)
{
  if (*i + o->nargs >= argc)
    return nook_error_set (err, 0, "%s: %s needs %s", cmd->name, given, o->args);
  for (int k = 0; k < o->nargs; k++)
    val[k] = argv[++*i];
  return 0;
}

/* --name, --name=VALUE, --name VALUE [VALUE].  */
static int
parse_long (const struct nook_command *cmd, struct nook_parser *parser, int argc, char **argv, int *i,
            struct nook_spec *spec, struct nook_error *err)
{
  const char *arg = argv[*i], *name = arg + 2, *eq = strchr (name, '=');
  size_t len = eq ? (size_t)(eq - name) : strlen (name);
  const struct nook_option_group *group = NULL;
  const struct nook_option *o;
  char *val[2] = { NULL, NULL };

  if (len == 4 && strncmp (name, "help", 4) == 0 && eq == NULL)
    return PARSE_HELP;
  o = find_option (cmd, name, len, 0, &group);
  if (o == NULL || excluded (cmd, o->name))
    return unknown (cmd, arg, name, len, 0, err);
  snprintf (parser->given, sizeof parser->given, "--%s", o->name);
  if (o->nargs < 0)
    {
      val[0] = eq ? (char *)eq + 1 : NULL;
      return apply (cmd, group, o, val, spec, parser, err);
    }
  /* podman's --rm=true: a flag given as true is the flag.  */
  if (eq && o->nargs == 0 && strcmp (eq, "=true") == 0)
    eq = NULL;
  if (eq)
    {
      if (o->nargs == 2)
        return nook_error_set (err, 0, "%s: --%s takes two values, as separate arguments: --%s %s", cmd->name,
                               o->name, o->name, o->args);
      if (o->nargs != 1)
        return nook_error_set (err, 0, "%s: --%s takes no value (or `=true`; leave it out for false)",
                               cmd->name, o->name);
      val[0] = (char *)eq + 1;
    }
  else if (take_values (cmd, o, parser->given, argc, argv, i, val, err) < 0)
    return -1;
  return apply (cmd, group, o, val, spec, parser, err);
}

/* -a, -abc, -eK=V, -e K=V, -e=K=V (as podman's pflag reads them).  */
static int
parse_short (const struct nook_command *cmd, struct nook_parser *parser, int argc, char **argv, int *i,
             struct nook_spec *spec, struct nook_error *err)
{
  const char *arg = argv[*i];

  for (const char *c = arg + 1; *c; c++)
    {
      const struct nook_option_group *group = NULL;
      const struct nook_option *o;
      char *val[2] = { NULL, NULL };
      const char *rest = c + 1;

      if (*c == 'h')
        return PARSE_HELP;
      o = find_option (cmd, NULL, 0, *c, &group);
      if (o == NULL || excluded (cmd, o->name))
        return unknown (cmd, arg, NULL, 0, *c, err);
      snprintf (parser->given, sizeof parser->given, "-%c", *c);
      if (o->nargs <= 0)
        {
          if (apply (cmd, group, o, val, spec, parser, err) < 0)
            return -1;
          continue;
        }
      /* An option with a value ends the cluster: the rest is its value.  */
      if (*rest == '=')
        rest++;
      if (*rest && o->nargs == 1)
        val[0] = (char *)rest;
      else if (*rest)
        return nook_error_set (err, 0, "%s: -%c takes %s as separate arguments", cmd->name, *c, o->args);
      else if (take_values (cmd, o, parser->given, argc, argv, i, val, err) < 0)
        return -1;
      return apply (cmd, group, o, val, spec, parser, err);
    }
  return 0;
}

static int
parse_all (const struct nook_command *cmd, int argc, char **argv, struct nook_spec *spec,
           struct nook_parser *parser, struct nook_error *err)
{
  cleanup_free char **operands = xcalloc (argc + 1, sizeof *operands);
  size_t n = 0;
  int i, r;

  for (i = 1; i < argc; i++)
    {
      const char *arg = argv[i];

      /* "--" ends the options; the groups' checks still run below.  */
      if (strcmp (arg, "--") == 0)
        {
          i++;
          break;
        }
      if (arg[0] != '-' || arg[1] == '\0')
        {
          if (!cmd->interspersed)
            break;
          operands[n++] = argv[i];
          continue;
        }
      r = arg[1] == '-' ? parse_long (cmd, parser, argc, argv, &i, spec, err)
                        : parse_short (cmd, parser, argc, argv, &i, spec, err);
      if (r != 0)
        return r < 0 ? -1 : 0;
    }
  for (size_t g = 0; cmd->groups && cmd->groups[g]; g++)
    if (cmd->groups[g]->check && cmd->groups[g]->check (spec, parser, err) < 0)
      return nook_error_wrap (err, "%s", cmd->name);
  /* The operands go just before the arguments after "--", in order: the
     slots they fill held options (or operands) already read.  */
  memcpy (argv + i - n, operands, n * sizeof *operands);
  return i - (int)n;
}

static int
parse_quiet (const struct nook_command *cmd, int argc, char **argv, struct nook_spec *spec, void *cmd_opts,
             struct nook_error *err)
{
  struct nook_parser parser = { .cmd = cmd_opts, .command = cmd };
  int r = parse_all (cmd, argc, argv, spec, &parser, err);

  strv_free (parser.env_set);
  return r;
}

int
nook_command_parse (const struct nook_command *cmd, int argc, char **argv, struct nook_spec *spec,
                    void *cmd_opts, struct nook_error *err)
{
  int r = parse_quiet (cmd, argc, argv, spec, cmd_opts, err);

  if (r == 0)
    {
      nook_command_usage (stdout, cmd);
      fflush (stdout);
    }
  return r;
}

static void
print_option (FILE *out, const struct nook_option *o)
{
  char left[80];

  /* An optional =VALUE sticks to the name.  */
  const char *sep = o->nargs < 0 ? "" : " ";

  if (o->short_name)
    snprintf (left, sizeof left, "-%c, --%s%s%s", o->short_name, o->name, sep, o->args);
  else
    snprintf (left, sizeof left, "    --%s%s%s", o->name, sep, o->args);
  fprintf (out, "  %-32s %s\n", left, o->help);
}

void
nook_command_usage (FILE *out, const struct nook_command *cmd)
{
  static const struct nook_option help = { "help", 'h', 0, 0, "", "show this help" };
  const char *s = cmd->synopsis;

  /* Continuation lines of the synopsis line up under the first.  */
  fprintf (out, "Usage: ");
  for (; *s; s++)
    fprintf (out, *s == '\n' ? "\n       " : "%c", *s);
  fprintf (out, "\n\n%s\n", cmd->summary);
  if (cmd->groups == NULL || cmd->groups[0] == NULL)
    {
      fprintf (out, "\nOptions:\n");
      print_option (out, &help);
    }
  for (size_t g = 0; cmd->groups && cmd->groups[g]; g++)
    {
      fprintf (out, "\n%s:\n", cmd->groups[g]->title);
      if (g == 0)
        print_option (out, &help);
      for (const struct nook_option *o = cmd->groups[g]->options; o->name; o++)
        if (!excluded (cmd, o->name))
          print_option (out, o);
    }
  if (cmd->epilog)
    fprintf (out, "\n%s\n", cmd->epilog);
}

int
nook_options_parse_cmd (const char *name, const struct nook_option_group *const *groups, int argc,
                        char **argv, struct nook_spec *spec, void *cmd_opts, struct nook_error *err)
{
  const struct nook_command cmd = { .name = name, .synopsis = name, .summary = "", .groups = groups };

  return parse_quiet (&cmd, argc, argv, spec, cmd_opts, err);
}

int
nook_options_parse (const char *name, const struct nook_option_group *const *groups, int argc, char **argv,
                    struct nook_spec *spec, struct nook_error *err)
{
  return nook_options_parse_cmd (name, groups, argc, argv, spec, NULL, err);
}

void
nook_options_usage (FILE *out, const char *synopsis, const struct nook_option_group *const *groups)
{
  const struct nook_command cmd = { .name = "", .synopsis = synopsis, .summary = "", .groups = groups };

  nook_command_usage (out, &cmd);
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

static bool
env_name_is_valid (const char *s, size_t len)
{
  if (len == 0)
    return false;
  for (size_t i = 0; i < len; i++)
    if (s[i] == '=' || s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\0')
      return false;
  return true;
}

static void
env_set (struct nook_spec *spec, struct nook_parser *parser, const char *key, const char *value,
         bool from_file)
{
  if (from_file && strv_has (parser->env_set, key))
    return;
  if (!from_file)
    strv_append (&parser->env_set, key);
  nook_spec_add_env (spec, key, value);
}

int
nook_env_entry (struct nook_spec *spec, struct nook_parser *parser, const char *entry, bool from_file,
                struct nook_error *err)
{
  const char *eq = strchr (entry, '=');
  size_t len = eq ? (size_t)(eq - entry) : strlen (entry);
  cleanup_free char *key = strndup (entry, len);

  if (!env_name_is_valid (entry, len))
    return nook_error_set (err, 0, "%s `%s`: not K=V, K or K*", from_file ? "--env-file" : parser->given,
                           entry);
  if (eq)
    {
      env_set (spec, parser, key, eq + 1, from_file);
      return 0;
    }
  /* K* takes every variable of the caller named K...: podman's glob.  */
  if (key[len - 1] == '*')
    {
      for (char **e = environ; e && *e; e++)
        if (strncmp (*e, key, len - 1) == 0 && strchr (*e, '='))
          {
            cleanup_free char *name = strndup (*e, strchr (*e, '=') - *e);
            env_set (spec, parser, name, strchr (*e, '=') + 1, from_file);
          }
      return 0;
    }
  /* K alone: the caller's value, and nothing when the caller has none.  */
  if (getenv (key))
    env_set (spec, parser, key, getenv (key), from_file);
  return 0;
}

int
nook_env_file_read (const char *path, char ***entries, struct nook_error *err)
{
  cleanup_free char *line = NULL;
  size_t size = 0, lineno = 0;
  ssize_t n;
  FILE *f = fopen (path, "re");

  *entries = NULL;
  if (f == NULL)
    return nook_error_errno (err, "--env-file `%s`", path);
  while ((n = getline (&line, &size, f)) >= 0)
    {
      char *s = line;
      lineno++;
      if (n > 0 && s[n - 1] == '\n')
        s[--n] = '\0';
      while (*s == ' ' || *s == '\t')
        s++;
      if (*s == '\0' || *s == '#')
        continue;
      if (!env_name_is_valid (s, strchr (s, '=') ? (size_t)(strchr (s, '=') - s) : strlen (s)))
        {
          fclose (f);
          strv_free (*entries);
          *entries = NULL;
          return nook_error_set (err, 0, "--env-file `%s`, line %zu: `%s` is not K=V, K or K*", path, lineno,
                                 s);
        }
      strv_append (entries, s);
    }
  if (ferror (f))
    {
      int saved = errno;
      fclose (f);
      strv_free (*entries);
      *entries = NULL;
      return nook_error_set (err, saved, "--env-file `%s`", path);
    }
  fclose (f);
  return 0;
}
