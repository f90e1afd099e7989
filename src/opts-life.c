/* Options of `nook run`: lifecycle (detached runs, --rm, joining the
   namespaces of other sandboxes).  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "lib/utils.h"
#include "options.h"

enum
{
  OPT_DETACH = 1,
  OPT_RM,
  OPT_LOG_SIZE,
  OPT_PID,
  OPT_NET,
  OPT_IPC,
  OPT_UTS,
  OPT_INTERACTIVE,
  OPT_TIMEOUT,
};

static const struct nook_option life_options[] = {
  { "detach", 'd', 0, OPT_DETACH, "", "run in the background; print the id (see nook logs, nook wait)" },
  { "interactive", 'i', 0, OPT_INTERACTIVE, "",
    "keep stdin open (always so in the foreground; podman's -i)" },
  { "rm", 0, 0, OPT_RM, "", "remove the state when the command ends (the default in the foreground)" },
  { "log-size", 0, 1, OPT_LOG_SIZE, "SIZE", "cap of a detached sandbox's log (default 1m; twice kept)" },
  { "pid", 0, 1, OPT_PID, "MODE", "host, or container:ID|NAME to join that sandbox's PID namespace" },
  { "ipc", 0, 1, OPT_IPC, "MODE", "host, or container:ID|NAME to join that sandbox's IPC namespace" },
  { "uts", 0, 1, OPT_UTS, "MODE", "host, or container:ID|NAME to join that sandbox's hostname" },
  { "timeout", 0, 1, OPT_TIMEOUT, "DURATION",
    "kill the sandbox once its command ran DURATION (90, 90s, 5m, 2h, 1d; 500ms); nook exits 124" },
  { NULL, 0, 0, 0, NULL, NULL },
};

/* --pid host is --share-pid; --pid container:ID joins ID's.  */
int
nook_join_option (const char *opt, const char *mode, enum nook_join_kind kind, struct nook_spec *spec,
                  struct nook_error *err)
{
  unsigned bit = (unsigned[]){ NOOK_NS_PID, NOOK_NS_NET, NOOK_NS_IPC, NOOK_NS_UTS }[kind];

  if (strcmp (mode, "host") == 0)
    {
      spec->share |= bit;
      return 0;
    }
  if (strncmp (mode, "container:", 10) == 0 && mode[10])
    {
      nook_option_string (&spec->life.join[kind], mode + 10);
      return 0;
    }
  return nook_error_set (err, 0, "--%s takes `host` or `container:ID`, not `%s`", opt, mode);
}

/* DURATION: a number of seconds, or with a unit: ms, s, m, h, d.  */
static int
apply_timeout (const char *value, struct nook_spec *spec, struct nook_error *err)
{
  static const struct
  {
    const char *unit;
    uint64_t ms;
  } units[]
      = { { "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 }, { "h", 3600000 }, { "d", 86400000 } };
  size_t digits = strspn (value, "0123456789");
  cleanup_free char *number = strndup (value, digits);
  uint64_t n;

  for (size_t i = 0; i < sizeof units / sizeof *units; i++)
    if (digits > 0 && strcmp (value + digits, units[i].unit) == 0
        && nook_parse_uint (number, UINT64_MAX / units[i].ms / 1000, &n) == 0 && n > 0)
      {
        spec->life.timeout_ms = n * units[i].ms;
        return 0;
      }
  return nook_error_set (err, 0, "--timeout needs a duration above 0, like 90, 30s, 5m or 2h, not `%s`",
                         value);
}

static int
life_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
            struct nook_error *err)
{
  switch (o->id)
    {
    case OPT_DETACH:
      spec->life.detach = true;
      return 0;
    case OPT_RM:
      spec->life.remove = 1;
      return 0;
    case OPT_INTERACTIVE:
      parser->interactive = true;
      return 0;
    case OPT_LOG_SIZE:
      if (nook_parse_size (val[0], &spec->life.log_size) < 0 || spec->life.log_size < 4096)
        return nook_error_set (err, 0, "--log-size needs a size of at least 4k, like 512k or 10m, not `%s`",
                               val[0]);
      return 0;
    case OPT_PID:
      return nook_join_option (o->name, val[0], NOOK_JOIN_PID, spec, err);
    case OPT_NET:
      return nook_join_option (o->name, val[0], NOOK_JOIN_NET, spec, err);
    case OPT_IPC:
      return nook_join_option (o->name, val[0], NOOK_JOIN_IPC, spec, err);
    case OPT_UTS:
      return nook_join_option (o->name, val[0], NOOK_JOIN_UTS, spec, err);
    case OPT_TIMEOUT:
      return apply_timeout (val[0], spec, err);
    }
  return nook_error_set (err, 0, "option --%s is not handled", o->name);
}

static int
life_check (const struct nook_spec *spec, const struct nook_parser *parser, struct nook_error *err)
{
  static const char *const names[NOOK_JOIN_N] = { "pid", "net", "ipc", "uts" };
  bool joins = false;

  /* podman attaches to a detached container later (podman attach); nook
     has no attach, so a terminal or stdin of its own would stay unread.  */
  if (spec->life.detach && (spec->security.tty || parser->interactive))
    {
      nook_error_set (err, 0,
                      "-d cannot be combined with %s: nook has no attach, so a detached sandbox has no %s "
                      "(its stdin is /dev/null)",
                      spec->security.tty ? "-t" : "-i", spec->security.tty ? "terminal" : "stdin");
      return nook_error_hint (err,
                              "drop -d to run it in this terminal, or drop -%s and read its output with "
                              "`nook logs`",
                              spec->security.tty ? (parser->interactive ? "it" : "t") : "i");
    }
  for (int k = 0; k < NOOK_JOIN_N; k++)
    {
      unsigned bit = (unsigned[]){ NOOK_NS_PID, NOOK_NS_NET, NOOK_NS_IPC, NOOK_NS_UTS }[k];
      if (spec->life.join[k] == NULL)
        continue;
      joins = true;
      if (spec->share & bit)
        return nook_error_set (err, 0, "--%s container:%s cannot be used with the host's %s namespace",
                               names[k], spec->life.join[k], names[k]);
    }
  /* Killing the sandbox's PID 1 ends every process of a PID namespace of
     its own; in the host's or another sandbox's, processes would stay.  */
  if (spec->life.timeout_ms && ((spec->share & NOOK_NS_PID) || spec->life.join[NOOK_JOIN_PID]))
    return nook_error_set (err, 0,
                           "--timeout needs the sandbox's own PID namespace (not --share-pid or --pid): "
                           "killing its PID 1 is what ends every process in it");
  if (spec->life.join[NOOK_JOIN_UTS] && spec->hostname)
    return nook_error_set (err, 0, "--hostname cannot be used with --uts container:%s: the hostname is its",
                           spec->life.join[NOOK_JOIN_UTS]);
  /* A joined sandbox lives in the other's user namespace: its ids are
     that one's.  */
  if (joins && spec->map_mode != NOOK_MAP_SELF)
    return nook_error_set (err, 0,
                           "--map-users cannot be used when joining another sandbox's namespaces: its "
                           "user namespace and id maps are used");
  return 0;
}

const struct nook_option_group nook_life_options = { "Lifecycle", life_options, life_apply, life_check };
