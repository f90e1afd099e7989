/* An OCI bundle's config.json read into struct nook_spec; see oci-config.h.
 *
 * Every field of the runtime-spec's config schema that nook acts on is
 * typed and range-checked here; a field of the wrong type is an error (an
 * engine's bug must not start a container other than the one it meant),
 * an unknown one is left alone as the schema allows.  Mounts map onto the
 * engine's mount operations: a /dev tmpfs becomes nook's minimal /dev
 * (which brings its own devpts), sysfs and cgroup mounts become read-only
 * binds of the host's, as runc and crun do without a network namespace of
 * the user namespace's own.
 */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>

#include "caps.h"
#include "oci-config-internal.h"
#include "oci-config.h"
#include "utils.h"

static const char *const hook_names[NOOK_HOOK_N]
    = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" };
const char *const oci_cfg_ns_names[NOOK_OCI_NS_N]
    = { "pid", "network", "ipc", "uts", "mount", "user", "cgroup", "time" };

const char *
nook_oci_hook_name (enum nook_oci_hook_kind kind)
{
  return kind < NOOK_HOOK_N ? hook_names[kind] : "?";
}

void
oci_cfg_note (struct parser *p, const char *fmt, ...)
{
  cleanup_free char *line = NULL;
  va_list ap;

  va_start (ap, fmt);
  if (vasprintf (&line, fmt, ap) < 0)
    line = NULL;
  va_end (ap);
  if (line)
    strv_append (&p->cfg->notes, line);
}

int
oci_cfg_bad (struct parser *p, const char *field, const char *why)
{
  nook_error_set (p->err, 0, "config.json: `%s` %s", field, why);
  return nook_error_hint (p->err, "see the OCI runtime-spec's config schema");
}

json_object *
oci_cfg_get (json_object *o, const char *key, json_type type, bool *failed, const char **why)
{
  json_object *v = NULL;

  *why = NULL;
  if (o == NULL || !json_object_object_get_ex (o, key, &v) || v == NULL)
    return NULL;
  if (json_object_is_type (v, type))
    return v;
  *failed = true;
  *why = type == json_type_array     ? "must be an array"
         : type == json_type_object  ? "must be an object"
         : type == json_type_string  ? "must be a string"
         : type == json_type_boolean ? "must be true or false"
                                     : "must be an integer";
  return NULL;
}

/* The member KEY of O when it has TYPE; NULL when absent or null; sets
 *FAILED (and the error) when it has another type.  */
json_object *
oci_cfg_member (struct parser *p, json_object *o, const char *key, json_type type, bool *failed)
{
  const char *why;
  json_object *v = oci_cfg_get (o, key, type, failed, &why);

  if (why)
    oci_cfg_bad (p, key, why);
  return v;
}

int
oci_cfg_uint (struct parser *p, json_object *o, const char *key, uint64_t max, uint64_t *out, bool *found)
{
  bool failed = false;
  json_object *v = oci_cfg_member (p, o, key, json_type_int, &failed);
  int64_t n;

  if (failed)
    return -1;
  *found = v != NULL;
  if (v == NULL)
    return 0;
  /* json-c keeps values above INT64_MAX as uint64.  */
  if (json_object_get_int64 (v) < 0 && json_object_get_uint64 (v) <= (uint64_t)INT64_MAX)
    return oci_cfg_bad (p, key, "must not be negative");
  n = json_object_get_int64 (v);
  *out = n >= 0 ? (uint64_t)n : json_object_get_uint64 (v);
  if (*out > max)
    return oci_cfg_bad (p, key, "is out of range");
  return 0;
}

/* An array of strings as a NULL-terminated vector (NULL when absent).  */
int
oci_cfg_strv (struct parser *p, json_object *o, const char *key, char ***out)
{
  bool failed = false;
  json_object *a = oci_cfg_member (p, o, key, json_type_array, &failed);

  *out = NULL;
  if (failed)
    return -1;
  for (size_t i = 0; a && i < json_object_array_length (a); i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      if (!json_object_is_type (e, json_type_string))
        {
          strv_free (*out);
          *out = NULL;
          return oci_cfg_bad (p, key, "must hold strings only");
        }
      strv_append (out, json_object_get_string (e));
    }
  if (a && *out == NULL)
    *out = xcalloc (1, sizeof (char *));
  return 0;
}

int
oci_cfg_str (struct parser *p, json_object *o, const char *key, const char **out)
{
  bool failed = false;
  json_object *v = oci_cfg_member (p, o, key, json_type_string, &failed);

  *out = v ? json_object_get_string (v) : NULL;
  return failed ? -1 : 0;
}

/* ---- process --------------------------------------------------------------- */

static int
parse_user (struct parser *p, json_object *user)
{
  struct nook_spec *spec = p->spec;
  uint64_t v;
  bool found, failed = false;
  json_object *groups = oci_cfg_member (p, user, "additionalGids", json_type_array, &failed);
  const char *name;

  if (failed || oci_cfg_uint (p, user, "uid", UINT32_MAX - 1, &v, &found) < 0)
    return -1;
  spec->uid = found ? v : 0;
  if (oci_cfg_uint (p, user, "gid", UINT32_MAX - 1, &v, &found) < 0)
    return -1;
  spec->gid = found ? v : 0;
  for (size_t i = 0; groups && i < json_object_array_length (groups); i++)
    {
      json_object *g = json_object_array_get_idx (groups, i);
      int64_t n = json_object_get_int64 (g);
      if (!json_object_is_type (g, json_type_int) || n < 0 || n >= UINT32_MAX)
        return oci_cfg_bad (p, "additionalGids", "must hold gids");
      spec->groups = xrealloc (spec->groups, (spec->n_groups + 1) * sizeof *spec->groups);
      spec->groups[spec->n_groups++] = n;
    }
  if (oci_cfg_uint (p, user, "umask", 0777, &v, &found) < 0 || oci_cfg_str (p, user, "username", &name) < 0)
    return -1;
  if (found)
    oci_cfg_note (p, "process.user.%s: ignored (the umask is inherited)", "umask");
  return 0;
}

static int
cap_set (struct parser *p, json_object *caps, const char *key, uint64_t *out, bool *given)
{
  cleanup_strv char **names = NULL;

  if (oci_cfg_strv (p, caps, key, &names) < 0)
    return -1;
  *given = names != NULL;
  *out = 0;
  for (size_t i = 0; names && names[i]; i++)
    {
      int cap;
      if (nook_cap_parse (names[i], &cap) < 0)
        {
          oci_cfg_note (p, "process.capabilities: `%s` is unknown to this kernel's libcap: ignored",
                        names[i]);
          continue;
        }
      *out |= UINT64_C (1) << cap;
    }
  return 0;
}

/* nook gives the command one set (bounding, permitted, effective and, for
   a non-root user, ambient): what the config lets it hold and use.  */
static int
parse_caps (struct parser *p, json_object *caps)
{
  uint64_t bounding, effective, permitted, other;
  bool b, e, pe, o;

  if (cap_set (p, caps, "bounding", &bounding, &b) < 0 || cap_set (p, caps, "effective", &effective, &e) < 0
      || cap_set (p, caps, "permitted", &permitted, &pe) < 0
      || cap_set (p, caps, "inheritable", &other, &o) < 0 || cap_set (p, caps, "ambient", &other, &o) < 0)
    return -1;
  p->spec->security.cap_drop_all = true;
  p->spec->security.cap_add = (b ? bounding : ~UINT64_C (0)) & ((e ? effective : 0) | (pe ? permitted : 0));
  return 0;
}

static int
parse_rlimits (struct parser *p, json_object *list)
{
  static const struct
  {
    const char *name;
    int resource;
  } names[] = { { "RLIMIT_AS", RLIMIT_AS },
                { "RLIMIT_CORE", RLIMIT_CORE },
                { "RLIMIT_CPU", RLIMIT_CPU },
                { "RLIMIT_DATA", RLIMIT_DATA },
                { "RLIMIT_FSIZE", RLIMIT_FSIZE },
                { "RLIMIT_LOCKS", RLIMIT_LOCKS },
                { "RLIMIT_MEMLOCK", RLIMIT_MEMLOCK },
                { "RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE },
                { "RLIMIT_NICE", RLIMIT_NICE },
                { "RLIMIT_NOFILE", RLIMIT_NOFILE },
                { "RLIMIT_NPROC", RLIMIT_NPROC },
                { "RLIMIT_RSS", RLIMIT_RSS },
                { "RLIMIT_RTPRIO", RLIMIT_RTPRIO },
                { "RLIMIT_RTTIME", RLIMIT_RTTIME },
                { "RLIMIT_SIGPENDING", RLIMIT_SIGPENDING },
                { "RLIMIT_STACK", RLIMIT_STACK } };
  struct nook_limits *l = &p->spec->limits;

  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *r = json_object_array_get_idx (list, i);
      const char *type = NULL;
      size_t at = 0;
      uint64_t soft, hard;
      bool fs, fh;
      size_t k;

      if (!json_object_is_type (r, json_type_object) || oci_cfg_str (p, r, "type", &type) < 0
          || oci_cfg_uint (p, r, "soft", UINT64_MAX, &soft, &fs) < 0
          || oci_cfg_uint (p, r, "hard", UINT64_MAX, &hard, &fh) < 0)
        return p->err->msg ? -1 : oci_cfg_bad (p, "process.rlimits", "must hold objects");
      for (k = 0; type && k < sizeof names / sizeof names[0] && strcmp (names[k].name, type) != 0; k++)
        ;
      if (type == NULL || k == sizeof names / sizeof names[0])
        return oci_cfg_bad (p, "process.rlimits", "names an unknown type");
      if (!fs || !fh || soft > hard)
        return oci_cfg_bad (p, "process.rlimits", "needs soft <= hard");
      /* The same limits as --ulimit's, one per resource: a type given
         twice keeps its last values.  */
      while (at < l->n_rlimits && l->rlimits[at].resource != names[k].resource)
        at++;
      if (at == NOOK_MAX_RLIMITS)
        return oci_cfg_bad (p, "process.rlimits", "has too many entries");
      l->rlimits[at] = (struct nook_rlimit){ names[k].resource, soft, hard };
      l->n_rlimits += at == l->n_rlimits;
    }
  return 0;
}

static int
parse_env (struct parser *p, json_object *process)
{
  cleanup_strv char **env = NULL;

  if (oci_cfg_strv (p, process, "env", &env) < 0)
    return -1;
  p->spec->clear_env = true;
  for (size_t i = 0; env && env[i]; i++)
    {
      char *eq = strchr (env[i], '=');
      if (eq == NULL || eq == env[i])
        return oci_cfg_bad (p, "process.env", "must hold KEY=VALUE entries");
      *eq = '\0';
      nook_spec_add_env (p->spec, env[i], eq + 1);
    }
  return 0;
}

/* process.consoleSize: the terminal's size, set before the engine gets
   it.  */
static int
parse_console_size (struct parser *p, json_object *size)
{
  uint64_t v;
  bool found;

  if (oci_cfg_uint (p, size, "width", UINT16_MAX, &v, &found) < 0)
    return -1;
  p->cfg->console_width = found ? v : 0;
  if (oci_cfg_uint (p, size, "height", UINT16_MAX, &v, &found) < 0)
    return -1;
  p->cfg->console_height = found ? v : 0;
  return 0;
}

static int
parse_oom_score_adj (struct parser *p, json_object *process)
{
  bool failed = false;
  json_object *oom = oci_cfg_member (p, process, "oomScoreAdj", json_type_int, &failed);
  int64_t n;

  if (failed)
    return -1;
  if (oom == NULL)
    return 0;
  n = json_object_get_int64 (oom);
  if (n < -1000 || n > 1000)
    return oci_cfg_bad (p, "process.oomScoreAdj", "must be between -1000 and 1000");
  p->spec->security.oom_score_adj_set = true;
  p->spec->security.oom_score_adj = n;
  return 0;
}

/* AppArmor and SELinux labels: nook confines otherwise, and says so.  */
static int
note_ignored_labels (struct parser *p, json_object *process)
{
  static const char *const fields[] = { "apparmorProfile", "selinuxLabel" };
  const char *s;

  for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
    {
      if (oci_cfg_str (p, process, fields[i], &s) < 0)
        return -1;
      if (s && *s)
        oci_cfg_note (p, "process.%s: ignored (nook confines with seccomp and namespaces)", fields[i]);
    }
  return 0;
}

static int
parse_process_object (struct parser *p, json_object *process)
{
  struct nook_spec *spec = p->spec;
  bool failed = false;
  json_object *user = oci_cfg_member (p, process, "user", json_type_object, &failed);
  json_object *caps = oci_cfg_member (p, process, "capabilities", json_type_object, &failed);
  json_object *rlimits = oci_cfg_member (p, process, "rlimits", json_type_array, &failed);
  json_object *terminal = oci_cfg_member (p, process, "terminal", json_type_boolean, &failed);
  json_object *nnp = oci_cfg_member (p, process, "noNewPrivileges", json_type_boolean, &failed);
  json_object *size = oci_cfg_member (p, process, "consoleSize", json_type_object, &failed);
  const char *cwd = NULL;

  if (failed || oci_cfg_strv (p, process, "args", &spec->argv) < 0
      || oci_cfg_str (p, process, "cwd", &cwd) < 0)
    return -1;
  if (spec->argv == NULL || spec->argv[0] == NULL || spec->argv[0][0] == '\0')
    return oci_cfg_bad (p, "process.args", "must name a command");
  if (cwd == NULL || cwd[0] != '/')
    return oci_cfg_bad (p, "process.cwd", "must be an absolute path");
  spec->chdir = xstrdup (cwd);
  if (parse_env (p, process) < 0 || (user && parse_user (p, user) < 0) || (caps && parse_caps (p, caps) < 0)
      || parse_rlimits (p, rlimits) < 0)
    return -1;
  if (caps == NULL)
    {
      /* No capabilities object: none at all, as the spec says.  */
      spec->security.cap_drop_all = true;
      spec->security.cap_add = 0;
    }
  spec->security.tty = terminal && json_object_get_boolean (terminal);
  if (nnp && !json_object_get_boolean (nnp))
    oci_cfg_note (p, "process.%s: false ignored: nook always sets no_new_privs", "noNewPrivileges");
  if ((size && parse_console_size (p, size) < 0) || parse_oom_score_adj (p, process) < 0)
    return -1;
  return note_ignored_labels (p, process);
}

/* ---- hooks -------------------------------------------------------------------- */

static int
parse_hooks (struct parser *p, json_object *hooks)
{
  for (int k = 0; k < NOOK_HOOK_N; k++)
    {
      bool failed = false;
      json_object *list = oci_cfg_member (p, hooks, hook_names[k], json_type_array, &failed);

      if (failed)
        return -1;
      for (size_t i = 0; list && i < json_object_array_length (list); i++)
        {
          json_object *h = json_object_array_get_idx (list, i);
          struct nook_oci_hook hook = { 0 };
          const char *path = NULL;
          uint64_t t = 0;
          bool found;

          if (!json_object_is_type (h, json_type_object) || oci_cfg_str (p, h, "path", &path) < 0
              || oci_cfg_strv (p, h, "args", &hook.args) < 0 || oci_cfg_strv (p, h, "env", &hook.env) < 0
              || oci_cfg_uint (p, h, "timeout", INT32_MAX, &t, &found) < 0)
            {
              strv_free (hook.args);
              strv_free (hook.env);
              return p->err->msg ? -1 : oci_cfg_bad (p, "hooks", "must hold objects");
            }
          if (path == NULL || path[0] != '/' || (found && t == 0))
            {
              strv_free (hook.args);
              strv_free (hook.env);
              return oci_cfg_bad (p, "hooks", "need an absolute path and a timeout above 0");
            }
          hook.path = xstrdup (path);
          hook.timeout = t;
          p->cfg->hooks[k]
              = xrealloc (p->cfg->hooks[k], (p->cfg->n_hooks[k] + 1) * sizeof (struct nook_oci_hook));
          p->cfg->hooks[k][p->cfg->n_hooks[k]++] = hook;
        }
    }
  return 0;
}

/* ---- the document ------------------------------------------------------------- */

static json_object *
parse_text (const char *text, const char *what, struct nook_error *err)
{
  enum json_tokener_error jerr = json_tokener_success;
  json_object *doc = json_tokener_parse_verbose (text, &jerr);

  if (doc == NULL || !json_object_is_type (doc, json_type_object))
    {
      json_object_put (doc);
      return nook_error_set (err, 0, "%s is not a JSON object: %s", what,
                             jerr != json_tokener_success ? json_tokener_error_desc (jerr) : "wrong type"),
             NULL;
    }
  return doc;
}

static int
parse_document (struct parser *p, json_object *doc, const char *bundle, const struct nook_oci_caller *caller)
{
  struct nook_spec *spec = p->spec;
  bool failed = false;
  json_object *process = oci_cfg_member (p, doc, "process", json_type_object, &failed);
  json_object *root = oci_cfg_member (p, doc, "root", json_type_object, &failed);
  json_object *mounts = oci_cfg_member (p, doc, "mounts", json_type_array, &failed);
  json_object *hooks = oci_cfg_member (p, doc, "hooks", json_type_object, &failed);
  json_object *linux_ = oci_cfg_member (p, doc, "linux", json_type_object, &failed);
  const char *version = NULL, *hostname = NULL, *domain = NULL;

  if (failed || oci_cfg_str (p, doc, "ociVersion", &version) < 0
      || oci_cfg_str (p, doc, "hostname", &hostname) < 0 || oci_cfg_str (p, doc, "domainname", &domain) < 0)
    return -1;
  if (version == NULL || strncmp (version, "1.", 2) != 0)
    return oci_cfg_bad (p, "ociVersion", "must be a 1.x version");
  p->cfg->oci_version = xstrdup (version);
  /* No Landlock, as runc and crun have none: a container may mount (a
     nested engine, systemd), which a process under Landlock cannot.  */
  spec->security.landlock = NOOK_LANDLOCK_OFF;
  /* The process is the container's first, PID 1 of its PID namespace, as
     with runc and crun: a created container has no supervisor for a
     nook-init to report to, and the engine (conmon, the shim) waits for
     the process itself.  */
  spec->life.direct_exec = true;
  if (process == NULL)
    return oci_cfg_bad (p, "process", "is needed to create a container");
  if (root == NULL)
    return oci_cfg_bad (p, "root", "is needed on Linux");
  if (parse_process_object (p, process) < 0 || oci_cfg_root (p, root, bundle) < 0)
    return -1;
  /* The namespaces first: an mqueue mount depends on the IPC one.  */
  {
    json_object *ns = oci_cfg_member (p, linux_, "namespaces", json_type_array, &failed);
    if (failed || oci_cfg_namespaces (p, ns) < 0)
      return -1;
  }
  for (size_t i = 0; mounts && i < json_object_array_length (mounts); i++)
    if (oci_cfg_add_mount (p, json_object_array_get_idx (mounts, i)) < 0)
      return -1;
  if (oci_cfg_linux (p, linux_, caller) < 0 || (hooks && parse_hooks (p, hooks) < 0))
    return -1;
  oci_cfg_apply_namespaces (p);
  if (hostname && *hostname)
    {
      if (!p->cfg->ns[NOOK_OCI_NS_UTS])
        return oci_cfg_bad (p, "hostname", "needs a uts namespace of the container's own");
      spec->hostname = xstrdup (hostname);
    }
  if (domain && *domain)
    spec->domainname = xstrdup (domain);
  return 0;
}

int
nook_oci_config_parse (const char *text, const char *bundle, const struct nook_oci_caller *caller,
                       struct nook_spec *spec, struct nook_oci_config *cfg, struct nook_error *err)
{
  struct parser p = { spec, cfg, err };
  json_object *doc;
  int r;

  memset (cfg, 0, sizeof *cfg);
  doc = parse_text (text, "config.json", err);
  if (doc == NULL)
    return -1;
  r = parse_document (&p, doc, bundle, caller);
  json_object_put (doc);
  return r;
}

int
nook_oci_process_parse (const char *text, struct nook_spec *spec, struct nook_oci_config *cfg,
                        struct nook_error *err)
{
  struct parser p = { spec, cfg, err };
  json_object *doc = parse_text (text, "the process file", err);
  int r;

  if (doc == NULL)
    return -1;
  r = parse_process_object (&p, doc);
  json_object_put (doc);
  return r;
}

void
nook_oci_config_free (struct nook_oci_config *cfg)
{
  free (cfg->oci_version);
  for (int k = 0; k < NOOK_HOOK_N; k++)
    {
      for (size_t i = 0; i < cfg->n_hooks[k]; i++)
        {
          free (cfg->hooks[k][i].path);
          strv_free (cfg->hooks[k][i].args);
          strv_free (cfg->hooks[k][i].env);
        }
      free (cfg->hooks[k]);
    }
  for (int k = 0; k < NOOK_OCI_NS_N; k++)
    free (cfg->ns_path[k]);
  free (cfg->seccomp);
  free (cfg->cgroups_path);
  strv_free (cfg->notes);
  memset (cfg, 0, sizeof *cfg);
}
