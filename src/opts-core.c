/* Options of `nook run`: identity, namespaces, root, environment.  */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/timens.h"
#include "lib/utils.h"
#include "options.h"

enum
{
  OPT_VERBOSE = 1,
  OPT_UID,
  OPT_GID,
  OPT_MAP_USERS,
  OPT_SHARE_NET,
  OPT_SHARE_PID,
  OPT_SHARE_IPC,
  OPT_SHARE_UTS,
  OPT_HOSTNAME,
  OPT_TIME_OFFSET,
  OPT_ROOTFS,
  OPT_ROOTFS_RW,
  OPT_SETENV,
  OPT_UNSETENV,
  OPT_KEEP_ENV,
  OPT_CHDIR,
  OPT_BIND_CWD,
  OPT_NO_BIND_CWD,
  OPT_NAME,
  OPT_ENV,
  OPT_ENV_FILE,
  OPT_WORKDIR,
  OPT_USER,
};

static const struct nook_option core_options[] = {
  { "verbose", 0, 0, OPT_VERBOSE, "", "show each setup step with its time (-v is --volume)" },
  { "name", 0, 1, OPT_NAME, "NAME", "name the sandbox (also its default hostname)" },
  { "user", 'u', 1, OPT_USER, "USER[:GROUP]",
    "run as USER (and GROUP) inside: names from the root's /etc/passwd and /etc/group, or numbers" },
  { "uid", 0, 1, OPT_UID, "N", "run as uid N inside (default 0)" },
  { "gid", 0, 1, OPT_GID, "N", "run as gid N inside (default 0)" },
  { "map-users", 0, 1, OPT_MAP_USERS, "MODE",
    "self: your own ids only (default); auto: 0-65535 from /etc/subuid" },
  { "share-net", 0, 0, OPT_SHARE_NET, "", "keep the host's network namespace" },
  { "share-pid", 0, 0, OPT_SHARE_PID, "", "keep the host's PID namespace" },
  { "share-ipc", 0, 0, OPT_SHARE_IPC, "", "keep the host's IPC namespace" },
  { "share-uts", 0, 0, OPT_SHARE_UTS, "", "keep the host's hostname" },
  { "hostname", 0, 1, OPT_HOSTNAME, "NAME", "the sandbox's hostname (default nook)" },
  { "time-offset", 0, 1, OPT_TIME_OFFSET, "CLOCK=SECS",
    "a time namespace: monotonic=SECS,boottime=SECS shift those clocks (and uptime)" },
  { "rootfs", 0, 1, OPT_ROOTFS, "DIR", "use DIR as the root instead of composing one from the host" },
  { "rootfs-rw", 0, 0, OPT_ROOTFS_RW, "", "make --rootfs writable" },
  { "env", 'e', 1, OPT_ENV, "K=V|K|K*", "set K; K alone or K* pass the caller's value(s)" },
  { "env-file", 0, 1, OPT_ENV_FILE, "FILE", "read K=V lines from FILE (-e wins over it)" },
  { "setenv", 0, 2, OPT_SETENV, "KEY VALUE", "set an environment variable" },
  { "unsetenv", 0, 1, OPT_UNSETENV, "KEY", "unset an environment variable" },
  { "keep-env", 0, 0, OPT_KEEP_ENV, "", "keep the caller's whole environment" },
  { "workdir", 'w', 1, OPT_WORKDIR, "DIR", "working directory inside (absolute)" },
  { "chdir", 0, 1, OPT_CHDIR, "DIR", "the same as --workdir" },
  { "bind-cwd", 0, 0, OPT_BIND_CWD, "", "bind the current directory read-write, wherever it is" },
  { "no-bind-cwd", 0, 0, OPT_NO_BIND_CWD, "", "never bind the current directory (start in an empty /tmp)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

/* A user or group name as useradd and groupadd take them.  */
static bool
user_name_valid (const char *s)
{
  size_t n = strlen (s);

  if (n == 0 || n > 256 || s[0] == '-')
    return false;
  for (size_t i = 0; i < n; i++)
    if ((unsigned char)s[i] <= ' ' || s[i] == '/' || s[i] == ':' || s[i] == 0x7f)
      return false;
  return true;
}

/* -u USER[:GROUP]: numbers are ids; a name is looked up in the
   sandbox's root when it is known, before the clone (passwd.h).  */
static int
apply_user (const char *value, struct nook_spec *spec, struct nook_error *err)
{
  cleanup_free char *uid = xstrdup (value);
  char *gid = strchr (uid, ':');
  uint64_t v;
  bool uid_num, gid_num;

  if (gid)
    *gid++ = '\0';
  uid_num = nook_parse_uint (uid, UINT32_MAX - 1, &v) == 0;
  gid_num = gid == NULL || nook_parse_uint (gid, UINT32_MAX - 1, &v) == 0;
  free (spec->user);
  spec->user = NULL;
  if (!uid_num || !gid_num)
    {
      /* Names as useradd allows them: no `/`, `:` or blank, not empty.  */
      if (!user_name_valid (uid) || (gid && !user_name_valid (gid)))
        {
          nook_error_set (err, 0, "--user `%s`: use USER or USER:GROUP, names or numbers from 0 to %u", value,
                          UINT32_MAX - 1);
          return nook_error_hint (err, "-u 1000:1000, -u nobody or -u www-data:www-data");
        }
      spec->user = xstrdup (value);
      if (uid_num && nook_option_id ("user", uid, &spec->uid, err) < 0)
        return -1;
      return 0;
    }
  if (nook_option_id ("user", uid, &spec->uid, err) < 0)
    return -1;
  return gid ? nook_option_id ("user", gid, &spec->gid, err) : 0;
}

static int
apply_env_file (const char *path, struct nook_spec *spec, struct nook_parser *parser, struct nook_error *err)
{
  cleanup_strv char **entries = NULL;

  if (nook_env_file_read (path, &entries, err) < 0)
    return -1;
  for (size_t i = 0; entries && entries[i]; i++)
    if (nook_env_entry (spec, parser, entries[i], true, err) < 0)
      return -1;
  return 0;
}

static int
apply_map_users (const char *value, struct nook_spec *spec, struct nook_error *err)
{
  if (strcmp (value, "auto") == 0)
    spec->map_mode = NOOK_MAP_AUTO;
  else if (strcmp (value, "self") == 0)
    spec->map_mode = NOOK_MAP_SELF;
  else
    return nook_error_set (err, 0, "--map-users takes `self` or `auto`, not `%s`", value);
  return 0;
}

static int
apply_hostname (const char *value, struct nook_spec *spec, struct nook_error *err)
{
  if (value[0] == '\0' || strlen (value) > 64)
    return nook_error_set (err, 0, "--hostname must be 1 to 64 characters");
  nook_option_string (&spec->hostname, value);
  return 0;
}

static int
apply_name (const char *value, struct nook_spec *spec, struct nook_error *err)
{
  if (!nook_name_is_valid (value))
    return nook_error_set (err, 0,
                           "--name `%s`: use 1 to 63 letters, digits, `_`, `.` or `-`, starting with a "
                           "letter or digit",
                           value);
  nook_option_string (&spec->name, value);
  return 0;
}

/* --setenv NAME VALUE, --unsetenv NAME.  */
static int
apply_setenv (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
              struct nook_error *err)
{
  if (val[0][0] == '\0' || strchr (val[0], '='))
    return nook_error_set (err, 0, "--%s: `%s` is not a variable name", o->name, val[0]);
  nook_spec_add_env (spec, val[0], o->id == OPT_SETENV ? val[1] : NULL);
  strv_append (&parser->env_set, val[0]);
  return 0;
}

/* --chdir and -w: PARSER->given says which one the user typed.  */
static int
apply_chdir (const char *value, struct nook_spec *spec, struct nook_parser *parser, struct nook_error *err)
{
  if (value[0] != '/')
    return nook_error_set (err, 0, "%s needs an absolute path, not `%s`", parser->given, value);
  nook_option_string (&spec->chdir, value);
  return 0;
}

static const unsigned share_bits[] = {
  [OPT_SHARE_NET] = NOOK_NS_NET,
  [OPT_SHARE_PID] = NOOK_NS_PID,
  [OPT_SHARE_IPC] = NOOK_NS_IPC,
  [OPT_SHARE_UTS] = NOOK_NS_UTS,
};

static int
core_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
            struct nook_error *err)
{
  switch (o->id)
    {
    case OPT_VERBOSE:
      spec->verbose++;
      return 0;
    case OPT_USER:
      return apply_user (val[0], spec, err);
    case OPT_ENV:
      return nook_env_entry (spec, parser, val[0], false, err);
    case OPT_ENV_FILE:
      return apply_env_file (val[0], spec, parser, err);
    case OPT_UID:
      return nook_option_id ("uid", val[0], &spec->uid, err);
    case OPT_GID:
      return nook_option_id ("gid", val[0], &spec->gid, err);
    case OPT_MAP_USERS:
      return apply_map_users (val[0], spec, err);
    case OPT_SHARE_NET:
    case OPT_SHARE_PID:
    case OPT_SHARE_IPC:
    case OPT_SHARE_UTS:
      spec->share |= share_bits[o->id];
      return 0;
    case OPT_HOSTNAME:
      return apply_hostname (val[0], spec, err);
    case OPT_TIME_OFFSET:
      return nook_timens_parse (val[0], &spec->timens, err);
    case OPT_NAME:
      return apply_name (val[0], spec, err);
    case OPT_ROOTFS:
      nook_option_string (&spec->rootfs, val[0]);
      return 0;
    case OPT_ROOTFS_RW:
      spec->rootfs_rw = true;
      return 0;
    case OPT_SETENV:
    case OPT_UNSETENV:
      return apply_setenv (o, val, spec, parser, err);
    case OPT_KEEP_ENV:
      spec->keep_env = true;
      return 0;
    case OPT_CHDIR:
    case OPT_WORKDIR:
      return apply_chdir (val[0], spec, parser, err);
    case OPT_BIND_CWD:
    case OPT_NO_BIND_CWD:
      /* The last one given wins, so a wrapper's choice can be overridden.  */
      spec->cwd_mode = o->id == OPT_BIND_CWD ? NOOK_CWD_FORCE : NOOK_CWD_NEVER;
      return 0;
    }
  return nook_error_set (err, 0, "option --%s is not handled", o->name);
}

static int
core_check (const struct nook_spec *spec, const struct nook_parser *parser, struct nook_error *err)
{
  if (spec->hostname && (spec->share & NOOK_NS_UTS))
    return nook_error_set (err, 0, "--hostname cannot be used with --share-uts");
  if (spec->rootfs_rw && spec->rootfs == NULL)
    return nook_error_set (err, 0, "--rootfs-rw needs --rootfs");
  /* A sandbox that joins another's namespaces reads that one's clocks
     (timens.h): processes sharing a PID or IPC namespace compare
     timestamps.  */
  for (int k = 0; k < NOOK_JOIN_N && spec->timens.create; k++)
    if (spec->life.join[k])
      {
        nook_error_set (err, 0,
                        "--time-offset cannot be used with --%s container:%s: the sandbox reads its clocks",
                        (const char *[]){ "pid", "net", "ipc", "uts" }[k], spec->life.join[k]);
        return nook_error_hint (err, "give --time-offset to `%s` when it starts", spec->life.join[k]);
      }
  return 0;
}

const struct nook_option_group nook_core_options = { "Options", core_options, core_apply, core_check };
