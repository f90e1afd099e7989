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
#include "oci-config.h"
#include "utils.h"

struct parser
{
  struct nook_spec *spec;
  struct nook_oci_config *cfg;
  struct nook_error *err;
};

static const char *const hook_names[NOOK_HOOK_N]
    = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop" };
static const char *const ns_names[NOOK_OCI_NS_N]
    = { "pid", "network", "ipc", "uts", "mount", "user", "cgroup", "time" };

const char *
nook_oci_hook_name (enum nook_oci_hook_kind kind)
{
  return kind < NOOK_HOOK_N ? hook_names[kind] : "?";
}

const char *
nook_oci_ns_name (enum nook_oci_ns ns)
{
  return ns < NOOK_OCI_NS_N ? ns_names[ns] : "?";
}

static void note (struct parser *p, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

static void
note (struct parser *p, const char *fmt, ...)
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

static int
bad (struct parser *p, const char *field, const char *why)
{
  nook_error_set (p->err, 0, "config.json: `%s` %s", field, why);
  return nook_error_hint (p->err, "see the OCI runtime-spec's config schema");
}

/* The member KEY of O when it has TYPE; NULL when absent or null; sets
 *FAILED (and the error) when it has another type.  */
static json_object *
member (struct parser *p, json_object *o, const char *key, json_type type, bool *failed)
{
  json_object *v = NULL;

  if (o == NULL || !json_object_object_get_ex (o, key, &v) || v == NULL)
    return NULL;
  if (!json_object_is_type (v, type))
    {
      *failed = true;
      bad (p, key,
           type == json_type_array     ? "must be an array"
           : type == json_type_object  ? "must be an object"
           : type == json_type_string  ? "must be a string"
           : type == json_type_boolean ? "must be true or false"
                                       : "must be a number");
      return NULL;
    }
  return v;
}

static int
get_uint (struct parser *p, json_object *o, const char *key, uint64_t max, uint64_t *out, bool *found)
{
  bool failed = false;
  json_object *v = member (p, o, key, json_type_int, &failed);
  int64_t n;

  if (failed)
    return -1;
  *found = v != NULL;
  if (v == NULL)
    return 0;
  /* json-c keeps values above INT64_MAX as uint64.  */
  if (json_object_get_int64 (v) < 0 && json_object_get_uint64 (v) <= (uint64_t)INT64_MAX)
    return bad (p, key, "must not be negative");
  n = json_object_get_int64 (v);
  *out = n >= 0 ? (uint64_t)n : json_object_get_uint64 (v);
  if (*out > max)
    return bad (p, key, "is out of range");
  return 0;
}

/* An array of strings as a NULL-terminated vector (NULL when absent).  */
static int
get_strv (struct parser *p, json_object *o, const char *key, char ***out)
{
  bool failed = false;
  json_object *a = member (p, o, key, json_type_array, &failed);

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
          return bad (p, key, "must hold strings only");
        }
      strv_append (out, json_object_get_string (e));
    }
  if (a && *out == NULL)
    *out = xcalloc (1, sizeof (char *));
  return 0;
}

static int
get_str (struct parser *p, json_object *o, const char *key, const char **out)
{
  bool failed = false;
  json_object *v = member (p, o, key, json_type_string, &failed);

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
  json_object *groups = member (p, user, "additionalGids", json_type_array, &failed);
  const char *name;

  if (failed || get_uint (p, user, "uid", UINT32_MAX - 1, &v, &found) < 0)
    return -1;
  spec->uid = found ? v : 0;
  if (get_uint (p, user, "gid", UINT32_MAX - 1, &v, &found) < 0)
    return -1;
  spec->gid = found ? v : 0;
  for (size_t i = 0; groups && i < json_object_array_length (groups); i++)
    {
      json_object *g = json_object_array_get_idx (groups, i);
      int64_t n = json_object_get_int64 (g);
      if (!json_object_is_type (g, json_type_int) || n < 0 || n >= UINT32_MAX)
        return bad (p, "additionalGids", "must hold gids");
      spec->groups = xrealloc (spec->groups, (spec->n_groups + 1) * sizeof *spec->groups);
      spec->groups[spec->n_groups++] = n;
    }
  if (get_uint (p, user, "umask", 0777, &v, &found) < 0 || get_str (p, user, "username", &name) < 0)
    return -1;
  if (found)
    note (p, "process.user.%s: ignored (the umask is inherited)", "umask");
  return 0;
}

static int
cap_set (struct parser *p, json_object *caps, const char *key, uint64_t *out, bool *given)
{
  cleanup_strv char **names = NULL;

  if (get_strv (p, caps, key, &names) < 0)
    return -1;
  *given = names != NULL;
  *out = 0;
  for (size_t i = 0; names && names[i]; i++)
    {
      int cap;
      if (nook_cap_parse (names[i], &cap) < 0)
        {
          note (p, "process.capabilities: `%s` is unknown to this kernel's libcap: ignored", names[i]);
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
  struct nook_security *sec = &p->spec->security;

  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *r = json_object_array_get_idx (list, i);
      const char *type = NULL;
      uint64_t soft, hard;
      bool fs, fh;
      size_t k;

      if (!json_object_is_type (r, json_type_object) || get_str (p, r, "type", &type) < 0
          || get_uint (p, r, "soft", UINT64_MAX, &soft, &fs) < 0
          || get_uint (p, r, "hard", UINT64_MAX, &hard, &fh) < 0)
        return p->err->msg ? -1 : bad (p, "process.rlimits", "must hold objects");
      for (k = 0; type && k < sizeof names / sizeof names[0] && strcmp (names[k].name, type) != 0; k++)
        ;
      if (type == NULL || k == sizeof names / sizeof names[0])
        return bad (p, "process.rlimits", "names an unknown type");
      if (!fs || !fh || soft > hard)
        return bad (p, "process.rlimits", "needs soft <= hard");
      sec->rlimits = xrealloc (sec->rlimits, (sec->n_rlimits + 1) * sizeof *sec->rlimits);
      sec->rlimits[sec->n_rlimits++] = (struct nook_rlimit){ names[k].resource, soft, hard };
    }
  return 0;
}

static int
parse_env (struct parser *p, json_object *process)
{
  cleanup_strv char **env = NULL;

  if (get_strv (p, process, "env", &env) < 0)
    return -1;
  p->spec->clear_env = true;
  for (size_t i = 0; env && env[i]; i++)
    {
      char *eq = strchr (env[i], '=');
      if (eq == NULL || eq == env[i])
        return bad (p, "process.env", "must hold KEY=VALUE entries");
      *eq = '\0';
      nook_spec_add_env (p->spec, env[i], eq + 1);
    }
  return 0;
}

static int
parse_process_object (struct parser *p, json_object *process)
{
  struct nook_spec *spec = p->spec;
  bool failed = false, found;
  json_object *user = member (p, process, "user", json_type_object, &failed);
  json_object *caps = member (p, process, "capabilities", json_type_object, &failed);
  json_object *rlimits = member (p, process, "rlimits", json_type_array, &failed);
  json_object *terminal = member (p, process, "terminal", json_type_boolean, &failed);
  json_object *nnp = member (p, process, "noNewPrivileges", json_type_boolean, &failed);
  json_object *size = member (p, process, "consoleSize", json_type_object, &failed);
  const char *cwd = NULL, *s;
  uint64_t v;

  if (failed || get_strv (p, process, "args", &spec->argv) < 0 || get_str (p, process, "cwd", &cwd) < 0)
    return -1;
  if (spec->argv == NULL || spec->argv[0] == NULL || spec->argv[0][0] == '\0')
    return bad (p, "process.args", "must name a command");
  if (cwd == NULL || cwd[0] != '/')
    return bad (p, "process.cwd", "must be an absolute path");
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
    note (p, "process.%s: false ignored: nook always sets no_new_privs", "noNewPrivileges");
  if (size)
    {
      if (get_uint (p, size, "width", UINT16_MAX, &v, &found) < 0)
        return -1;
      p->cfg->console_width = found ? v : 0;
      if (get_uint (p, size, "height", UINT16_MAX, &v, &found) < 0)
        return -1;
      p->cfg->console_height = found ? v : 0;
    }
  {
    json_object *oom = member (p, process, "oomScoreAdj", json_type_int, &failed);
    if (failed)
      return -1;
    if (oom)
      {
        int64_t n = json_object_get_int64 (oom);
        if (n < -1000 || n > 1000)
          return bad (p, "process.oomScoreAdj", "must be between -1000 and 1000");
        spec->security.oom_score_adj_set = true;
        spec->security.oom_score_adj = n;
      }
  }
  if (get_str (p, process, "apparmorProfile", &s) < 0)
    return -1;
  if (s && *s)
    note (p, "process.%s: ignored (nook confines with seccomp and namespaces)", "apparmorProfile");
  if (get_str (p, process, "selinuxLabel", &s) < 0)
    return -1;
  if (s && *s)
    note (p, "process.%s: ignored (nook confines with seccomp and namespaces)", "selinuxLabel");
  return 0;
}

/* ---- root and mounts ---------------------------------------------------------- */

/* Reads a mount's options into OP; returns -1 for a malformed value.  */
static int
mount_options (struct parser *p, char **opts, struct nook_mount_op *op, bool *bind)
{
  for (size_t i = 0; opts && opts[i]; i++)
    {
      const char *o = opts[i];
      if (strcmp (o, "bind") == 0 || strcmp (o, "rbind") == 0)
        *bind = true;
      else if (strcmp (o, "ro") == 0 || strcmp (o, "rro") == 0)
        op->flags |= NOOK_MNT_F_RDONLY;
      else if (strcmp (o, "rw") == 0 || strcmp (o, "rrw") == 0)
        op->flags &= ~NOOK_MNT_F_RDONLY;
      else if (strcmp (o, "dev") == 0)
        op->flags |= NOOK_MNT_F_DEVICES;
      else if (strcmp (o, "nodev") == 0)
        op->flags &= ~NOOK_MNT_F_DEVICES;
      else if (strncmp (o, "mode=", 5) == 0)
        {
          char *end;
          unsigned long m = strtoul (o + 5, &end, 8);
          if (*end || end == o + 5 || m > 07777)
            return bad (p, "mounts.options", "has a bad mode=");
          op->mode = m;
        }
      else if (strncmp (o, "size=", 5) == 0)
        {
          if (nook_parse_size (o + 5, &op->size) < 0)
            return bad (p, "mounts.options", "has a bad size=");
        }
      /* Everything nook does anyway (nosuid, private propagation), or
         cannot change per mount: accepted as runc accepts them.  */
    }
  return 0;
}

static bool
has_dev_op (const struct nook_spec *spec)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    if (spec->mounts[i].kind == NOOK_MNT_DEV)
      return true;
  return false;
}

static int
add_mount (struct parser *p, json_object *m)
{
  struct nook_spec *spec = p->spec;
  const char *dest = NULL, *type = NULL, *source = NULL;
  cleanup_strv char **opts = NULL;
  struct nook_mount_op tmp = { 0 }, *op;
  bool bind = false;

  if (!json_object_is_type (m, json_type_object) || get_str (p, m, "destination", &dest) < 0
      || get_str (p, m, "type", &type) < 0 || get_str (p, m, "source", &source) < 0
      || get_strv (p, m, "options", &opts) < 0)
    return p->err->msg ? -1 : bad (p, "mounts", "must hold objects");
  if (dest == NULL || dest[0] != '/')
    return bad (p, "mounts.destination", "must be an absolute path");
  if (mount_options (p, opts, &tmp, &bind) < 0)
    return -1;
  if (type == NULL)
    type = bind ? "bind" : "";
  if (bind || strcmp (type, "bind") == 0)
    {
      if (source == NULL || source[0] != '/')
        return bad (p, "mounts.source", "of a bind must be an absolute path");
      op = nook_spec_add_mount (spec, NOOK_MNT_BIND, source, dest, tmp.flags);
    }
  else if (strcmp (type, "tmpfs") == 0 && strcmp (dest, "/dev") == 0)
    op = nook_spec_add_mount (spec, NOOK_MNT_DEV, NULL, dest, 0);
  else if (strcmp (type, "tmpfs") == 0)
    {
      op = nook_spec_add_mount (spec, NOOK_MNT_TMPFS, NULL, dest, 0);
      op->mode = tmp.mode ? tmp.mode : 01777;
      op->size = tmp.size;
    }
  else if (strcmp (type, "proc") == 0)
    op = nook_spec_add_mount (spec, NOOK_MNT_PROC, NULL, dest, 0);
  else if (strcmp (type, "mqueue") == 0 && p->cfg->ns[NOOK_OCI_NS_IPC])
    op = nook_spec_add_mount (spec, NOOK_MNT_MQUEUE, NULL, dest, 0);
  else if (strcmp (type, "mqueue") == 0)
    /* An mqueue belongs to an IPC namespace: the host's, as crun does.  */
    op = nook_spec_add_mount (spec, NOOK_MNT_BIND, "/dev/mqueue", dest, NOOK_MNT_F_TRY);
  else if (strcmp (type, "sysfs") == 0)
    op = nook_spec_add_mount (spec, NOOK_MNT_BIND, "/sys", dest, NOOK_MNT_F_RDONLY);
  else if (strcmp (type, "cgroup") == 0 || strcmp (type, "cgroup2") == 0)
    op = nook_spec_add_mount (spec, NOOK_MNT_BIND, "/sys/fs/cgroup", dest,
                              NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  else if (strcmp (type, "devpts") == 0 && has_dev_op (spec))
    {
      note (p, "mounts: devpts on `%s`: the /dev nook makes has its own devpts", dest);
      return 0;
    }
  else
    {
      nook_error_set (p->err, 0, "config.json: mount of type `%s` on `%s` is not supported", type, dest);
      return nook_error_hint (p->err, "nook mounts bind, tmpfs, proc, sysfs, mqueue, devpts and cgroup");
    }
  (void)op;
  return 0;
}

static int
parse_root (struct parser *p, json_object *root, const char *bundle)
{
  struct nook_spec *spec = p->spec;
  bool failed = false;
  json_object *ro = member (p, root, "readonly", json_type_boolean, &failed);
  const char *path = NULL;

  if (failed || get_str (p, root, "path", &path) < 0)
    return -1;
  if (path == NULL || *path == '\0')
    return bad (p, "root.path", "must name the root filesystem");
  spec->rootfs = path[0] == '/' ? xstrdup (path) : xasprintf ("%s/%s", bundle, path);
  spec->rootfs_rw = !(ro && json_object_get_boolean (ro));
  spec->fs.bare_root = true;
  return 0;
}

/* ---- linux ------------------------------------------------------------------- */

static int
parse_namespaces (struct parser *p, json_object *list)
{
  struct nook_oci_config *cfg = p->cfg;

  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *n = json_object_array_get_idx (list, i);
      const char *type = NULL, *path = NULL;
      size_t k;

      if (!json_object_is_type (n, json_type_object) || get_str (p, n, "type", &type) < 0
          || get_str (p, n, "path", &path) < 0)
        return p->err->msg ? -1 : bad (p, "linux.namespaces", "must hold objects");
      for (k = 0; type && k < NOOK_OCI_NS_N && strcmp (ns_names[k], type) != 0; k++)
        ;
      if (type == NULL || k == NOOK_OCI_NS_N)
        return bad (p, "linux.namespaces", "names an unknown type");
      if (cfg->ns[k])
        return bad (p, "linux.namespaces", "names a type twice");
      cfg->ns[k] = true;
      if (path && *path)
        {
          if (path[0] != '/')
            return bad (p, "linux.namespaces.path", "must be absolute");
          cfg->ns_path[k] = xstrdup (path);
        }
    }
  return 0;
}

static int
parse_idmap (struct parser *p, json_object *list, const char *what, struct nook_id_extent *out, size_t *n)
{
  *n = 0;
  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *e = json_object_array_get_idx (list, i);
      uint64_t c, h, s;
      bool f1, f2, f3;

      if (*n == NOOK_MAX_EXTENTS)
        return bad (p, what, "has more extents than nook maps (4)");
      if (!json_object_is_type (e, json_type_object)
          || get_uint (p, e, "containerID", UINT32_MAX, &c, &f1) < 0
          || get_uint (p, e, "hostID", UINT32_MAX, &h, &f2) < 0
          || get_uint (p, e, "size", UINT32_MAX, &s, &f3) < 0)
        return p->err->msg ? -1 : bad (p, what, "must hold objects");
      if (!f1 || !f2 || !f3 || s == 0)
        return bad (p, what, "needs containerID, hostID and a size above 0");
      out[(*n)++] = (struct nook_id_extent){ c, h, s };
    }
  return 0;
}

/* The user namespace: the config's maps, else one made as runc does
   (rootless: the caller as the process's ids; root: every id as itself).  */
static int
choose_maps (struct parser *p, json_object *linux_, const struct nook_oci_caller *caller)
{
  struct nook_spec *spec = p->spec;
  bool failed = false;
  json_object *um = member (p, linux_, "uidMappings", json_type_array, &failed);
  json_object *gm = member (p, linux_, "gidMappings", json_type_array, &failed);

  if (failed || parse_idmap (p, um, "linux.uidMappings", spec->uid_map, &spec->n_uid_map) < 0
      || parse_idmap (p, gm, "linux.gidMappings", spec->gid_map, &spec->n_gid_map) < 0)
    return -1;
  if (p->cfg->ns_path[NOOK_OCI_NS_USER])
    return 0;
  if (p->cfg->ns[NOOK_OCI_NS_USER] && (spec->n_uid_map || spec->n_gid_map))
    {
      spec->map_mode = NOOK_MAP_EXPLICIT;
      return 0;
    }
  if (caller->uid == 0)
    {
      spec->map_mode = NOOK_MAP_EXPLICIT;
      spec->uid_map[0] = spec->gid_map[0] = (struct nook_id_extent){ 0, 0, UINT32_MAX };
      spec->n_uid_map = spec->n_gid_map = 1;
      /* Root of a user namespace (rootless podman's): what it maps.  */
      for (size_t i = 0; i < caller->n_uid_map && caller->n_gid_map; i++)
        {
          uint32_t in = caller->uid_map[i].inside;
          spec->uid_map[i] = (struct nook_id_extent){ in, in, caller->uid_map[i].count };
          spec->n_uid_map = i + 1;
        }
      for (size_t i = 0; i < caller->n_gid_map && caller->n_uid_map; i++)
        {
          uint32_t in = caller->gid_map[i].inside;
          spec->gid_map[i] = (struct nook_id_extent){ in, in, caller->gid_map[i].count };
          spec->n_gid_map = i + 1;
        }
      return 0;
    }
  /* Rootless: the caller, as the process's uid and gid.  Supplementary
     groups cannot be set with one gid mapped.  */
  spec->map_mode = NOOK_MAP_SELF;
  if (spec->n_groups)
    {
      note (p, "process.user.%s: ignored: one gid is mapped (give linux.gidMappings for more)",
            "additionalGids");
      free (spec->groups);
      spec->groups = NULL;
      spec->n_groups = 0;
    }
  return 0;
}

static int
parse_paths (struct parser *p, json_object *linux_, const char *key, enum nook_mount_kind kind)
{
  cleanup_strv char **paths = NULL;

  if (get_strv (p, linux_, key, &paths) < 0)
    return -1;
  for (size_t i = 0; paths && paths[i]; i++)
    {
      if (paths[i][0] != '/')
        return bad (p, key, "must hold absolute paths");
      nook_spec_add_mount (p->spec, kind, NULL, paths[i], kind == NOOK_MNT_REMOUNT_RO ? NOOK_MNT_F_TRY : 0);
    }
  return 0;
}

/* linux.devices: the host's node bound in (a user namespace cannot
   mknod), unless nook's /dev has it already.  */
static int
parse_devices (struct parser *p, json_object *list)
{
  static const char *const have[]
      = { "/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", NULL };

  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *d = json_object_array_get_idx (list, i);
      const char *path = NULL;
      bool known = false;

      if (!json_object_is_type (d, json_type_object) || get_str (p, d, "path", &path) < 0)
        return p->err->msg ? -1 : bad (p, "linux.devices", "must hold objects");
      if (path == NULL || path[0] != '/')
        return bad (p, "linux.devices.path", "must be absolute");
      for (size_t k = 0; have[k]; k++)
        known |= strcmp (have[k], path) == 0;
      if (!known)
        nook_spec_add_mount (p->spec, NOOK_MNT_BIND, path, path, NOOK_MNT_F_DEVICES);
    }
  return 0;
}

static int
parse_sysctl (struct parser *p, json_object *o)
{
  json_object_object_foreach (o, key, val)
  {
    cleanup_free char *kv = NULL;
    if (!json_object_is_type (val, json_type_string))
      return bad (p, "linux.sysctl", "must map names to strings");
    if (*key == '\0' || strchr (key, '/') || strstr (key, ".."))
      return bad (p, "linux.sysctl", "names a bad key");
    kv = xasprintf ("%s=%s", key, json_object_get_string (val));
    strv_append (&p->spec->sysctl, kv);
  }
  return 0;
}

static int
parse_personality (struct parser *p, json_object *o)
{
  const char *domain = NULL;

  if (get_str (p, o, "domain", &domain) < 0)
    return -1;
  if (domain == NULL || strcmp (domain, "LINUX") == 0)
    p->spec->security.personality = PER_LINUX;
  else if (strcmp (domain, "LINUX32") == 0)
    p->spec->security.personality = PER_LINUX32;
  else
    return bad (p, "linux.personality.domain", "must be LINUX or LINUX32");
  p->spec->security.personality_set = true;
  return 0;
}

static int
parse_linux (struct parser *p, json_object *linux_, const struct nook_oci_caller *caller)
{
  struct nook_oci_config *cfg = p->cfg;
  bool failed = false;
  json_object *ns = member (p, linux_, "namespaces", json_type_array, &failed);
  json_object *devices = member (p, linux_, "devices", json_type_array, &failed);
  json_object *sysctl = member (p, linux_, "sysctl", json_type_object, &failed);
  json_object *seccomp = member (p, linux_, "seccomp", json_type_object, &failed);
  json_object *res = member (p, linux_, "resources", json_type_object, &failed);
  json_object *pers = member (p, linux_, "personality", json_type_object, &failed);
  json_object *offsets = member (p, linux_, "timeOffsets", json_type_object, &failed);
  const char *s;

  (void)ns; /* read before the mounts (parse_document) */
  if (failed || choose_maps (p, linux_, caller) < 0 || parse_devices (p, devices) < 0
      || parse_paths (p, linux_, "maskedPaths", NOOK_MNT_MASK) < 0
      || parse_paths (p, linux_, "readonlyPaths", NOOK_MNT_REMOUNT_RO) < 0
      || (sysctl && parse_sysctl (p, sysctl) < 0) || (pers && parse_personality (p, pers) < 0))
    return -1;
  if (seccomp)
    cfg->seccomp = xstrdup (json_object_to_json_string_ext (seccomp, JSON_C_TO_STRING_PLAIN));
  cfg->has_resources = res && json_object_object_length (res) > 0;
  if (offsets && json_object_object_length (offsets) > 0)
    note (p, "linux.%s: ignored (no time namespace)", "timeOffsets");
  if (get_str (p, linux_, "cgroupsPath", &s) < 0)
    return -1;
  cfg->cgroups_path = s ? xstrdup (s) : NULL;
  if (get_str (p, linux_, "rootfsPropagation", &s) < 0)
    return -1;
  if (s && *s && strcmp (s, "private") != 0 && strcmp (s, "rprivate") != 0)
    note (p, "linux.rootfsPropagation `%s`: ignored (the root is always private)", s);
  if (get_str (p, linux_, "mountLabel", &s) < 0)
    return -1;
  if (s && *s)
    note (p, "linux.%s: ignored (no SELinux labels)", "mountLabel");
  return 0;
}

/* The namespaces the config does not list are the host's (the runtime's).  */
static void
apply_namespaces (struct parser *p)
{
  static const struct
  {
    enum nook_oci_ns ns;
    unsigned bit;
  } map[] = { { NOOK_OCI_NS_PID, NOOK_NS_PID },
              { NOOK_OCI_NS_NET, NOOK_NS_NET },
              { NOOK_OCI_NS_IPC, NOOK_NS_IPC },
              { NOOK_OCI_NS_UTS, NOOK_NS_UTS },
              { NOOK_OCI_NS_CGROUP, NOOK_NS_CGROUP } };

  static const struct
  {
    enum nook_oci_ns ns;
    enum nook_join_kind kind;
  } joins[] = { { NOOK_OCI_NS_PID, NOOK_JOIN_PID },
                { NOOK_OCI_NS_NET, NOOK_JOIN_NET },
                { NOOK_OCI_NS_IPC, NOOK_JOIN_IPC },
                { NOOK_OCI_NS_UTS, NOOK_JOIN_UTS } };

  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!p->cfg->ns[map[i].ns])
      p->spec->share |= map[i].bit;
  /* A path: that namespace, entered before the container is created.  */
  for (size_t i = 0; i < sizeof joins / sizeof joins[0]; i++)
    if (p->cfg->ns_path[joins[i].ns])
      p->spec->life.join_path[joins[i].kind] = xstrdup (p->cfg->ns_path[joins[i].ns]);
  if (p->spec->share & NOOK_NS_NET)
    p->spec->net.mode = NOOK_NET_HOST;
  if (!p->cfg->ns[NOOK_OCI_NS_MOUNT])
    note (p, "linux.namespaces: no %s namespace listed: nook always makes one", "mount");
}

/* ---- hooks -------------------------------------------------------------------- */

static int
parse_hooks (struct parser *p, json_object *hooks)
{
  for (int k = 0; k < NOOK_HOOK_N; k++)
    {
      bool failed = false;
      json_object *list = member (p, hooks, hook_names[k], json_type_array, &failed);

      if (failed)
        return -1;
      for (size_t i = 0; list && i < json_object_array_length (list); i++)
        {
          json_object *h = json_object_array_get_idx (list, i);
          struct nook_oci_hook hook = { 0 };
          const char *path = NULL;
          uint64_t t = 0;
          bool found;

          if (!json_object_is_type (h, json_type_object) || get_str (p, h, "path", &path) < 0
              || get_strv (p, h, "args", &hook.args) < 0 || get_strv (p, h, "env", &hook.env) < 0
              || get_uint (p, h, "timeout", INT32_MAX, &t, &found) < 0)
            {
              strv_free (hook.args);
              strv_free (hook.env);
              return p->err->msg ? -1 : bad (p, "hooks", "must hold objects");
            }
          if (path == NULL || path[0] != '/' || (found && t == 0))
            {
              strv_free (hook.args);
              strv_free (hook.env);
              return bad (p, "hooks", "need an absolute path and a timeout above 0");
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
  json_object *process = member (p, doc, "process", json_type_object, &failed);
  json_object *root = member (p, doc, "root", json_type_object, &failed);
  json_object *mounts = member (p, doc, "mounts", json_type_array, &failed);
  json_object *hooks = member (p, doc, "hooks", json_type_object, &failed);
  json_object *linux_ = member (p, doc, "linux", json_type_object, &failed);
  const char *version = NULL, *hostname = NULL, *domain = NULL;

  if (failed || get_str (p, doc, "ociVersion", &version) < 0 || get_str (p, doc, "hostname", &hostname) < 0
      || get_str (p, doc, "domainname", &domain) < 0)
    return -1;
  if (version == NULL || strncmp (version, "1.", 2) != 0)
    return bad (p, "ociVersion", "must be a 1.x version");
  p->cfg->oci_version = xstrdup (version);
  if (process == NULL)
    return bad (p, "process", "is needed to create a container");
  if (root == NULL)
    return bad (p, "root", "is needed on Linux");
  if (parse_process_object (p, process) < 0 || parse_root (p, root, bundle) < 0)
    return -1;
  /* The namespaces first: an mqueue mount depends on the IPC one.  */
  {
    json_object *ns = member (p, linux_, "namespaces", json_type_array, &failed);
    if (failed || parse_namespaces (p, ns) < 0)
      return -1;
  }
  for (size_t i = 0; mounts && i < json_object_array_length (mounts); i++)
    if (add_mount (p, json_object_array_get_idx (mounts, i)) < 0)
      return -1;
  if (parse_linux (p, linux_, caller) < 0 || (hooks && parse_hooks (p, hooks) < 0))
    return -1;
  apply_namespaces (p);
  if (hostname && *hostname)
    {
      if (!p->cfg->ns[NOOK_OCI_NS_UTS])
        return bad (p, "hostname", "needs a uts namespace of the container's own");
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
