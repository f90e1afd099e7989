/* nook run [OPTIONS] [--] CMD [ARG...]  */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/spawn.h"
#include "lib/utils.h"

enum
{
  OPT_HELP = 1,
  OPT_VERBOSE,
  OPT_UID,
  OPT_GID,
  OPT_MAP_USERS,
  OPT_SHARE_NET,
  OPT_SHARE_PID,
  OPT_SHARE_IPC,
  OPT_SHARE_UTS,
  OPT_HOSTNAME,
  OPT_ROOTFS,
  OPT_ROOTFS_RW,
  OPT_SETENV,
  OPT_UNSETENV,
  OPT_KEEP_ENV,
  OPT_CHDIR,
};

struct run_option
{
  const char *name; /* long name, without "--" */
  char short_name;  /* 0: none */
  int nargs;        /* 0, 1 or 2 */
  int id;
  const char *args; /* for --help */
  const char *help;
};

static const struct run_option run_options[] = {
  { "help", 'h', 0, OPT_HELP, "", "show this help" },
  { "verbose", 'v', 0, OPT_VERBOSE, "", "show each setup step with its time" },
  { "uid", 0, 1, OPT_UID, "N", "run as uid N inside (default 0)" },
  { "gid", 0, 1, OPT_GID, "N", "run as gid N inside (default 0)" },
  { "map-users", 0, 1, OPT_MAP_USERS, "MODE",
    "self: only your own ids (default); auto: 0-65535 from /etc/subuid" },
  { "share-net", 0, 0, OPT_SHARE_NET, "", "keep the host's network namespace" },
  { "share-pid", 0, 0, OPT_SHARE_PID, "", "keep the host's PID namespace" },
  { "share-ipc", 0, 0, OPT_SHARE_IPC, "", "keep the host's IPC namespace" },
  { "share-uts", 0, 0, OPT_SHARE_UTS, "", "keep the host's hostname" },
  { "hostname", 0, 1, OPT_HOSTNAME, "NAME", "the sandbox's hostname (default nook)" },
  { "rootfs", 0, 1, OPT_ROOTFS, "DIR", "use DIR as the root instead of composing one from the host" },
  { "rootfs-rw", 0, 0, OPT_ROOTFS_RW, "", "make --rootfs writable" },
  { "setenv", 0, 2, OPT_SETENV, "KEY VALUE", "set an environment variable" },
  { "unsetenv", 0, 1, OPT_UNSETENV, "KEY", "unset an environment variable" },
  { "keep-env", 0, 0, OPT_KEEP_ENV, "", "keep the whole environment of the caller" },
  { "chdir", 0, 1, OPT_CHDIR, "DIR", "working directory inside" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static void
run_usage (FILE *out)
{
  fprintf (out, "Usage: nook run [OPTIONS] [--] CMD [ARG...]\n\nOptions:\n");
  for (const struct run_option *o = run_options; o->name; o++)
    {
      char left[64];
      snprintf (left, sizeof left, "%s%c%s--%s %s", o->short_name ? "-" : "",
                o->short_name ? o->short_name : ' ', o->short_name ? ", " : "  ", o->name, o->args);
      fprintf (out, "  %-30s %s\n", o->short_name ? left : left + 2, o->help);
    }
  fprintf (out,
           "\nExit status: the command's; 125 when nook fails, 126 when CMD cannot be executed, 127 when "
           "it is not found.\n");
}

static const struct run_option *
find_option (const char *arg, const char **inline_value)
{
  *inline_value = NULL;
  if (arg[0] == '-' && arg[1] != '-' && arg[1] && !arg[2])
    {
      for (const struct run_option *o = run_options; o->name; o++)
        if (o->short_name == arg[1])
          return o;
      return NULL;
    }
  if (strncmp (arg, "--", 2) != 0)
    return NULL;
  arg += 2;
  for (const struct run_option *o = run_options; o->name; o++)
    {
      size_t n = strlen (o->name);
      if (strncmp (arg, o->name, n) != 0)
        continue;
      if (arg[n] == '\0')
        return o;
      if (arg[n] == '=' && o->nargs == 1)
        {
          *inline_value = arg + n + 1;
          return o;
        }
    }
  return NULL;
}

static int
parse_id (const char *opt, const char *value, uint32_t *out, struct nook_error *err)
{
  uint64_t v;
  if (nook_parse_uint (value, UINT32_MAX - 1, &v) < 0)
    return nook_error_set (err, 0, "run: --%s needs a number from 0 to %u, not `%s`", opt, UINT32_MAX - 1,
                           value);
  *out = v;
  return 0;
}

static void
set_string (char **field, const char *value)
{
  free (*field);
  *field = xstrdup (value);
}

static int
apply_option (const struct run_option *o, char **val, struct nook_spec *spec, struct nook_error *err)
{
  switch (o->id)
    {
    case OPT_VERBOSE:
      spec->verbose++;
      return 0;
    case OPT_UID:
      return parse_id ("uid", val[0], &spec->uid, err);
    case OPT_GID:
      return parse_id ("gid", val[0], &spec->gid, err);
    case OPT_MAP_USERS:
      if (strcmp (val[0], "auto") == 0)
        spec->map_mode = NOOK_MAP_AUTO;
      else if (strcmp (val[0], "self") == 0)
        spec->map_mode = NOOK_MAP_SELF;
      else
        return nook_error_set (err, 0, "run: --map-users takes `self` or `auto`, not `%s`", val[0]);
      return 0;
    case OPT_SHARE_NET:
      spec->share |= NOOK_NS_NET;
      return 0;
    case OPT_SHARE_PID:
      spec->share |= NOOK_NS_PID;
      return 0;
    case OPT_SHARE_IPC:
      spec->share |= NOOK_NS_IPC;
      return 0;
    case OPT_SHARE_UTS:
      spec->share |= NOOK_NS_UTS;
      return 0;
    case OPT_HOSTNAME:
      if (val[0][0] == '\0' || strlen (val[0]) > 64)
        return nook_error_set (err, 0, "run: --hostname must be 1 to 64 characters");
      set_string (&spec->hostname, val[0]);
      return 0;
    case OPT_ROOTFS:
      set_string (&spec->rootfs, val[0]);
      return 0;
    case OPT_ROOTFS_RW:
      spec->rootfs_rw = true;
      return 0;
    case OPT_SETENV:
    case OPT_UNSETENV:
      if (val[0][0] == '\0' || strchr (val[0], '='))
        return nook_error_set (err, 0, "run: --%s: `%s` is not a variable name", o->name, val[0]);
      nook_spec_add_env (spec, val[0], o->id == OPT_SETENV ? val[1] : NULL);
      return 0;
    case OPT_KEEP_ENV:
      spec->keep_env = true;
      return 0;
    case OPT_CHDIR:
      if (val[0][0] != '/')
        return nook_error_set (err, 0, "run: --chdir needs an absolute path, not `%s`", val[0]);
      set_string (&spec->chdir, val[0]);
      return 0;
    }
  return nook_error_set (err, 0, "run: option --%s is not handled", o->name);
}

static int
check_spec (const struct nook_spec *spec, struct nook_error *err)
{
  if (spec->hostname && (spec->share & NOOK_NS_UTS))
    return nook_error_set (err, 0, "run: --hostname cannot be used with --share-uts");
  if (spec->rootfs_rw && spec->rootfs == NULL)
    return nook_error_set (err, 0, "run: --rootfs-rw needs --rootfs");
  return 0;
}

int
nook_run_parse (int argc, char **argv, struct nook_spec *spec, struct nook_error *err)
{
  int i;

  for (i = 1; i < argc; i++)
    {
      const char *arg = argv[i], *inline_value;
      const struct run_option *o;
      char *val[2] = { NULL, NULL };

      if (strcmp (arg, "--") == 0)
        {
          i++;
          break;
        }
      if (arg[0] != '-' || arg[1] == '\0')
        break;
      o = find_option (arg, &inline_value);
      if (o == NULL)
        return nook_error_set (err, 0, "run: unknown option `%s` (see `nook run --help`)", arg);
      if (o->id == OPT_HELP)
        {
          run_usage (stdout);
          return 1;
        }
      if (inline_value)
        val[0] = (char *)inline_value;
      else
        {
          if (i + o->nargs >= argc)
            return nook_error_set (err, 0, "run: --%s needs %s", o->name, o->args);
          for (int k = 0; k < o->nargs; k++)
            val[k] = argv[++i];
        }
      if (apply_option (o, val, spec, err) < 0)
        return -1;
    }
  if (i >= argc)
    return nook_error_set (err, 0, "run: no command given (usage: nook run [OPTIONS] [--] CMD [ARG...])");
  for (; i < argc; i++)
    strv_append (&spec->argv, argv[i]);
  return check_spec (spec, err);
}

int
nook_cmd_run (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_spec spec;
  int r;

  nook_spec_init (&spec);
  r = nook_run_parse (argc, argv, &spec, &err);
  if (r != 0)
    {
      nook_spec_free (&spec);
      return r > 0 ? 0 : nook_error_report (&err);
    }
  nook_verbose = spec.verbose;
  r = nook_run (&spec, &err);
  nook_spec_free (&spec);
  return r < 0 ? nook_error_report (&err) : r;
}
