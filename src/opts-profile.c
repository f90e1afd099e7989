/* Options of `nook run` and `nook try`: --profile, --cache.
 *
 * A profile's keys are the long names of the command's options, applied
 * where --profile stands, through the same tables and apply functions as
 * the command line: an option added to any group is a profile key too,
 * options given after --profile override it, and the groups' checks see
 * the combination once everything is parsed.  */
#include <config.h>

#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/escape.h"
#include "lib/profile.h"
#include "lib/utils.h"
#include "options.h"
#include "opts-profile.h"

enum
{
  OPT_PROFILE = 1,
  OPT_CACHE,
};

static const struct nook_option profile_options[] = {
  { "profile", 0, 1, OPT_PROFILE, "NAME|FILE",
    "apply a profile's options here (later options override them; see nook profile ls)" },
  { "cache", 0, 1, OPT_CACHE, "NAME",
    "bind your toolchain cache NAME read-write: cargo, rustup, npm, yarn, pip, ccache, go, gradle, maven" },
  { NULL, 0, 0, 0, NULL, NULL },
};

/* The caches --cache binds, as paths under the caller's home; a cache
   that does not exist yet is skipped, as --bind-try skips it.  */
static const struct
{
  const char *name;
  const char *paths[3];
} caches[] = {
  { "cargo", { ".cargo", NULL } },
  { "rustup", { ".rustup", NULL } },
  { "npm", { ".npm", NULL } },
  { "yarn", { ".cache/yarn", ".yarn", NULL } },
  { "pip", { ".cache/pip", NULL } },
  { "ccache", { ".cache/ccache", ".ccache", NULL } },
  { "go", { "go/pkg/mod", ".cache/go-build", NULL } },
  { "gradle", { ".gradle", NULL } },
  { "maven", { ".m2", NULL } },
  { NULL, { NULL } },
};

static const char *
caller_home (void)
{
  const char *home = getenv ("HOME");
  struct passwd *pw;

  if (home && home[0] == '/')
    return home;
  pw = getpwuid (getuid ());
  return pw && pw->pw_dir[0] == '/' ? pw->pw_dir : NULL;
}

static int
apply_cache (const char *name, struct nook_spec *spec, struct nook_error *err)
{
  const char *home = caller_home ();
  cleanup_free char *shown = NULL, *names = xstrdup ("");
  const char *best = NULL;
  size_t best_d = 3;

  for (size_t i = 0; caches[i].name; i++)
    if (strcmp (caches[i].name, name) == 0)
      {
        if (home == NULL)
          return nook_error_set (err, 0, "--cache %s: your home is not known (HOME is not set)", name);
        for (size_t k = 0; caches[i].paths[k]; k++)
          {
            cleanup_free char *path = xasprintf ("%s/%s", strcmp (home, "/") ? home : "", caches[i].paths[k]);
            nook_spec_add_mount (spec, NOOK_MNT_BIND, path, path, NOOK_MNT_F_TRY);
          }
        return 0;
      }
  for (size_t i = 0; caches[i].name; i++)
    {
      char *more = xasprintf ("%s%s%s", names, i ? ", " : "", caches[i].name);
      size_t d = nook_edit_distance (name, caches[i].name);
      free (names);
      names = more;
      if (d < best_d)
        best_d = d, best = caches[i].name;
    }
  shown = nook_escape_name (name);
  nook_error_set (err, 0, "--cache `%s`: no such cache (%s)", shown, names);
  return best ? nook_error_hint (err, "did you mean `%s`?", best) : -1;
}

/* ---- a profile's keys as options ------------------------------------------------ */

/* Applies O once with VAL (and records it in ARGS, the command line the
   profile stands for).  */
static int
apply_once (const struct nook_command *cmd, const struct nook_option *o, char **val, struct nook_spec *spec,
            struct nook_parser *parser, char ***args, struct nook_error *err)
{
  const struct nook_option_group *group = nook_command_option_group (cmd, o);
  char saved[sizeof parser->given];

  if (args && o->nargs < 0 && val[0])
    {
      cleanup_free char *arg = xasprintf ("--%s=%s", o->name, val[0]);
      strv_append (args, arg);
    }
  else if (args)
    {
      cleanup_free char *arg = xasprintf ("--%s", o->name);
      strv_append (args, arg);
      for (int k = 0; k < o->nargs; k++)
        strv_append (args, val[k]);
    }
  if (spec == NULL)
    return 0;
  memcpy (saved, parser->given, sizeof saved);
  snprintf (parser->given, sizeof parser->given, "--%s", o->name);
  if (group->apply (o, val, spec, parser, err) < 0)
    return -1;
  memcpy (parser->given, saved, sizeof saved);
  return 0;
}

/* What E's value must look like for O, when it does not.  */
static int
shape_error (const struct nook_option *o, const struct nook_profile_entry *e, struct nook_error *err)
{
  if (o->nargs == 0)
    return nook_error_set (err, 0, "a flag: write `true` (or leave the key out)");
  if (o->nargs < 0)
    return nook_error_set (err, 0, "true, false or a string");
  if (o->nargs == 1)
    return nook_error_set (err, 0, "takes %s: a string, or a list of them (one per use)", o->args);
  (void)e;
  return nook_error_set (err, 0, "takes %s: a list of %d strings, or a list of such lists (one per use)",
                         o->args, o->nargs);
}

/* Applies one key by the shape of its value: a flag, one use, or a use
   per item of a list.  */
static int
apply_entry (const struct nook_command *cmd, const struct nook_option *o, const struct nook_profile_entry *e,
             struct nook_spec *spec, struct nook_parser *parser, char ***args, struct nook_error *err)
{
  char *val[2] = { NULL, NULL };

  if (o->nargs == 0 && e->form == NOOK_PROFILE_FLAG && e->flag)
    return apply_once (cmd, o, val, spec, parser, args, err);
  if (o->nargs < 0 && (e->form == NOOK_PROFILE_FLAG || e->form == NOOK_PROFILE_SCALAR))
    {
      val[0] = e->form == NOOK_PROFILE_FLAG ? (char *)(e->flag ? "true" : "false") : e->values[0];
      return apply_once (cmd, o, val, spec, parser, args, err);
    }
  if (o->nargs == 1 && (e->form == NOOK_PROFILE_SCALAR || e->form == NOOK_PROFILE_LIST))
    {
      for (size_t i = 0; e->values[i]; i++)
        {
          val[0] = e->values[i];
          if (apply_once (cmd, o, val, spec, parser, args, err) < 0)
            return -1;
        }
      return 0;
    }
  if (o->nargs == 2 && e->form == NOOK_PROFILE_LIST && strv_len (e->values) == 2)
    return apply_once (cmd, o, e->values, spec, parser, args, err);
  if (o->nargs == 2 && e->form == NOOK_PROFILE_LISTS)
    {
      for (size_t i = 0; i < e->n_lists; i++)
        if (strv_len (e->lists[i]) != 2)
          return shape_error (o, e, err);
      for (size_t i = 0; i < e->n_lists; i++)
        if (apply_once (cmd, o, e->lists[i], spec, parser, args, err) < 0)
          return -1;
      return 0;
    }
  return shape_error (o, e, err);
}

static const char *const format_keys[] = { "version", "description", "include", NULL };

/* The option a key names, or an error with a "did you mean".  */
static const struct nook_option *
key_option (const struct nook_command *cmd, const char *key, struct nook_error *err)
{
  const struct nook_option *o = nook_command_find_option (cmd, key);
  const char *near;

  if (o && o->id == OPT_PROFILE && strcmp (o->name, "profile") == 0)
    {
      nook_error_set (err, 0, "a profile names others in \"include\"");
      nook_error_hint (err, "\"include\": [\"NAME\"]");
      return NULL;
    }
  if (o)
    return o;
  if (nook_command_has_excluded (cmd, key))
    {
      nook_error_set (err, 0, "--%s does not apply to nook %s", key, cmd->name);
      return NULL;
    }
  nook_error_set (err, 0, "no such option of nook %s", cmd->name);
  near = nook_command_nearest_option (cmd, key);
  /* The format's own keys are near misses too: "includes".  */
  for (size_t i = 0; format_keys[i]; i++)
    if (nook_edit_distance (key, format_keys[i]) <= 2)
      near = format_keys[i];
  if (near)
    nook_error_hint (err, "did you mean `%s`?", near);
  else
    nook_error_hint (err, "a key is a long option of `nook %s --help`, or version, description, include",
                     cmd->name);
  return NULL;
}

int
nook_profile_apply (const struct nook_command *cmd, const struct nook_profile_set *set,
                    struct nook_spec *spec, struct nook_parser *parser, char ***args, struct nook_error *err)
{
  for (size_t p = 0; p < set->n; p++)
    for (size_t i = 0; i < set->profiles[p].n_entries; i++)
      {
        const struct nook_profile_entry *e = &set->profiles[p].entries[i];
        const struct nook_option *o = key_option (cmd, e->key, err);
        if (o == NULL || apply_entry (cmd, o, e, spec, parser, args, err) < 0)
          {
            cleanup_free char *key = nook_escape_name (e->key);
            return nook_error_wrap (err, "profile `%s`: key `%s`", set->profiles[p].file, key);
          }
      }
  return 0;
}

static int
apply_profile (const char *ref, struct nook_spec *spec, struct nook_parser *parser, struct nook_error *err)
{
  struct nook_profile_set set;
  int r;

  if (parser->command == NULL)
    return nook_error_set (err, 0, "--profile is not read here");
  r = nook_profile_resolve (ref, &set, err);
  if (r == 0)
    r = nook_profile_apply (parser->command, &set, spec, parser, NULL, err);
  nook_profile_set_free (&set);
  return r;
}

static int
profile_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
               struct nook_error *err)
{
  switch (o->id)
    {
    case OPT_PROFILE:
      return apply_profile (val[0], spec, parser, err);
    case OPT_CACHE:
      return apply_cache (val[0], spec, err);
    }
  return nook_error_set (err, 0, "option --%s is not handled", o->name);
}

const struct nook_option_group nook_profile_options = { "Profiles", profile_options, profile_apply, NULL };
