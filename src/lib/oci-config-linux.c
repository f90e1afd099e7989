/* An OCI config's root, mounts and linux section into struct nook_spec;
 * see oci-config.h.  The mounts map onto the engine's operations: a /dev
 * tmpfs becomes nook's minimal /dev (with its own devpts), sysfs and
 * cgroup mounts read-only binds of the host's, as runc and crun do in a
 * user namespace.
 */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>

#include "oci-config-internal.h"
#include "oci-config.h"
#include "oci-resources.h"
#include "utils.h"

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
            return oci_cfg_bad (p, "mounts.options", "has a bad mode=");
          op->mode = m;
        }
      else if (strncmp (o, "size=", 5) == 0)
        {
          if (nook_parse_size (o + 5, &op->size) < 0)
            return oci_cfg_bad (p, "mounts.options", "has a bad size=");
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

int
oci_cfg_add_mount (struct parser *p, json_object *m)
{
  struct nook_spec *spec = p->spec;
  const char *dest = NULL, *type = NULL, *source = NULL;
  cleanup_strv char **opts = NULL;
  struct nook_mount_op tmp = { 0 }, *op;
  bool bind = false;

  if (!json_object_is_type (m, json_type_object) || oci_cfg_str (p, m, "destination", &dest) < 0
      || oci_cfg_str (p, m, "type", &type) < 0 || oci_cfg_str (p, m, "source", &source) < 0
      || oci_cfg_strv (p, m, "options", &opts) < 0)
    return p->err->msg ? -1 : oci_cfg_bad (p, "mounts", "must hold objects");
  if (dest == NULL || dest[0] != '/')
    return oci_cfg_bad (p, "mounts.destination", "must be an absolute path");
  if (mount_options (p, opts, &tmp, &bind) < 0)
    return -1;
  if (type == NULL)
    type = bind ? "bind" : "";
  if (bind || strcmp (type, "bind") == 0)
    {
      if (source == NULL || source[0] != '/')
        return oci_cfg_bad (p, "mounts.source", "of a bind must be an absolute path");
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
      oci_cfg_note (p, "mounts: devpts on `%s`: the /dev nook makes has its own devpts", dest);
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

int
oci_cfg_root (struct parser *p, json_object *root, const char *bundle)
{
  struct nook_spec *spec = p->spec;
  bool failed = false;
  json_object *ro = oci_cfg_member (p, root, "readonly", json_type_boolean, &failed);
  const char *path = NULL;

  if (failed || oci_cfg_str (p, root, "path", &path) < 0)
    return -1;
  if (path == NULL || *path == '\0')
    return oci_cfg_bad (p, "root.path", "must name the root filesystem");
  spec->rootfs = path[0] == '/' ? xstrdup (path) : xasprintf ("%s/%s", bundle, path);
  spec->rootfs_rw = !(ro && json_object_get_boolean (ro));
  spec->fs.bare_root = true;
  return 0;
}

/* ---- linux ------------------------------------------------------------------- */

int
oci_cfg_namespaces (struct parser *p, json_object *list)
{
  struct nook_oci_config *cfg = p->cfg;

  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      json_object *n = json_object_array_get_idx (list, i);
      const char *type = NULL, *path = NULL;
      size_t k;

      if (!json_object_is_type (n, json_type_object) || oci_cfg_str (p, n, "type", &type) < 0
          || oci_cfg_str (p, n, "path", &path) < 0)
        return p->err->msg ? -1 : oci_cfg_bad (p, "linux.namespaces", "must hold objects");
      for (k = 0; type && k < NOOK_OCI_NS_N && strcmp (oci_cfg_ns_names[k], type) != 0; k++)
        ;
      if (type == NULL || k == NOOK_OCI_NS_N)
        return oci_cfg_bad (p, "linux.namespaces", "names an unknown type");
      if (cfg->ns[k])
        return oci_cfg_bad (p, "linux.namespaces", "names a type twice");
      cfg->ns[k] = true;
      if (path && *path)
        {
          if (path[0] != '/')
            return oci_cfg_bad (p, "linux.namespaces.path", "must be absolute");
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
        return oci_cfg_bad (p, what, "has more extents than the kernel maps (340)");
      if (!json_object_is_type (e, json_type_object)
          || oci_cfg_uint (p, e, "containerID", UINT32_MAX, &c, &f1) < 0
          || oci_cfg_uint (p, e, "hostID", UINT32_MAX, &h, &f2) < 0
          || oci_cfg_uint (p, e, "size", UINT32_MAX, &s, &f3) < 0)
        return p->err->msg ? -1 : oci_cfg_bad (p, what, "must hold objects");
      if (!f1 || !f2 || !f3 || s == 0)
        return oci_cfg_bad (p, what, "needs containerID, hostID and a size above 0");
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
  json_object *um = oci_cfg_member (p, linux_, "uidMappings", json_type_array, &failed);
  json_object *gm = oci_cfg_member (p, linux_, "gidMappings", json_type_array, &failed);

  if (failed || parse_idmap (p, um, "linux.uidMappings", spec->uid_map, &spec->n_uid_map) < 0
      || parse_idmap (p, gm, "linux.gidMappings", spec->gid_map, &spec->n_gid_map) < 0)
    return -1;
  /* A user namespace given by path has its maps already.  */
  if (p->cfg->ns_path[NOOK_OCI_NS_USER])
    {
      if (spec->n_uid_map || spec->n_gid_map)
        oci_cfg_note (p, "linux.%s: ignored: the user namespace is joined by path", "uidMappings");
      spec->n_uid_map = spec->n_gid_map = 0;
      return 0;
    }
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
      oci_cfg_note (p, "process.user.%s: ignored: one gid is mapped (give linux.gidMappings for more)",
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

  if (oci_cfg_strv (p, linux_, key, &paths) < 0)
    return -1;
  for (size_t i = 0; paths && paths[i]; i++)
    {
      if (paths[i][0] != '/')
        return oci_cfg_bad (p, key, "must hold absolute paths");
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

      if (!json_object_is_type (d, json_type_object) || oci_cfg_str (p, d, "path", &path) < 0)
        return p->err->msg ? -1 : oci_cfg_bad (p, "linux.devices", "must hold objects");
      if (path == NULL || path[0] != '/')
        return oci_cfg_bad (p, "linux.devices.path", "must be absolute");
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
      return oci_cfg_bad (p, "linux.sysctl", "must map names to strings");
    if (*key == '\0' || strchr (key, '/') || strstr (key, ".."))
      return oci_cfg_bad (p, "linux.sysctl", "names a bad key");
    kv = xasprintf ("%s=%s", key, json_object_get_string (val));
    strv_append (&p->spec->sysctl, kv);
  }
  return 0;
}

/* linux.timeOffsets: {"monotonic": {"secs", "nanosecs"}, "boottime": ...},
   for the time namespace the config lists (and makes: offsets cannot be
   given to one that exists).  */
static int
parse_time_offsets (struct parser *p, json_object *o)
{
  if (json_object_object_length (o) == 0)
    return 0;
  if (!p->cfg->ns[NOOK_OCI_NS_TIME] || p->cfg->ns_path[NOOK_OCI_NS_TIME])
    return oci_cfg_bad (p, "linux.timeOffsets", "needs a time namespace without a path in linux.namespaces");
  json_object_object_foreach (o, key, val)
  {
    json_object *s = NULL, *ns = NULL;
    struct nook_clock_offset *off = strcmp (key, "monotonic") == 0  ? &p->spec->timens.monotonic
                                    : strcmp (key, "boottime") == 0 ? &p->spec->timens.boottime
                                                                    : NULL;
    int64_t secs, nsecs;

    if (off == NULL)
      return oci_cfg_bad (p, "linux.timeOffsets", "names a clock other than monotonic and boottime");
    if (!json_object_is_type (val, json_type_object) || !json_object_object_get_ex (val, "secs", &s)
        || !json_object_is_type (s, json_type_int)
        || (json_object_object_get_ex (val, "nanosecs", &ns) && !json_object_is_type (ns, json_type_int)))
      return oci_cfg_bad (p, "linux.timeOffsets", "needs {\"secs\": N, \"nanosecs\": N} for each clock");
    secs = json_object_get_int64 (s);
    nsecs = ns ? json_object_get_int64 (ns) : 0;
    if (secs > NOOK_TIME_OFFSET_SEC_MAX || secs < -NOOK_TIME_OFFSET_SEC_MAX || nsecs < 0 || nsecs > 999999999)
      return oci_cfg_bad (p, "linux.timeOffsets", "is out of range");
    *off = (struct nook_clock_offset){ secs, (uint32_t)nsecs, true };
  }
  return 0;
}

static int
parse_personality (struct parser *p, json_object *o)
{
  const char *domain = NULL;

  if (oci_cfg_str (p, o, "domain", &domain) < 0)
    return -1;
  if (domain == NULL || strcmp (domain, "LINUX") == 0)
    p->spec->security.personality = PER_LINUX;
  else if (strcmp (domain, "LINUX32") == 0)
    p->spec->security.personality = PER_LINUX32;
  else
    return oci_cfg_bad (p, "linux.personality.domain", "must be LINUX or LINUX32");
  p->spec->security.personality_set = true;
  return 0;
}

/* rootfsPropagation: the root's, once pivoted into (private: nook's own).  */
static int
parse_propagation (struct parser *p, const char *s)
{
  static const struct
  {
    const char *name;
    unsigned long flags;
  } kinds[] = { { "shared", MS_SHARED },
                { "rshared", MS_SHARED | MS_REC },
                { "slave", MS_SLAVE },
                { "rslave", MS_SLAVE | MS_REC },
                { "unbindable", MS_UNBINDABLE },
                { "runbindable", MS_UNBINDABLE | MS_REC },
                { "private", 0 },
                { "rprivate", 0 },
                { "", 0 } };

  for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
    if (strcmp (kinds[i].name, s) == 0)
      {
        p->spec->fs.root_propagation = kinds[i].flags;
        return 0;
      }
  return oci_cfg_bad (p, "linux.rootfsPropagation",
                      "must be [r]shared, [r]slave, [r]private or [r]unbindable");
}

int
oci_cfg_linux (struct parser *p, json_object *linux_, const struct nook_oci_caller *caller)
{
  struct nook_oci_config *cfg = p->cfg;
  bool failed = false;
  json_object *ns = oci_cfg_member (p, linux_, "namespaces", json_type_array, &failed);
  json_object *devices = oci_cfg_member (p, linux_, "devices", json_type_array, &failed);
  json_object *sysctl = oci_cfg_member (p, linux_, "sysctl", json_type_object, &failed);
  json_object *seccomp = oci_cfg_member (p, linux_, "seccomp", json_type_object, &failed);
  json_object *res = oci_cfg_member (p, linux_, "resources", json_type_object, &failed);
  json_object *pers = oci_cfg_member (p, linux_, "personality", json_type_object, &failed);
  json_object *offsets = oci_cfg_member (p, linux_, "timeOffsets", json_type_object, &failed);
  const char *s;

  (void)ns; /* read before the mounts (parse_document) */
  if (failed || choose_maps (p, linux_, caller) < 0 || parse_devices (p, devices) < 0
      || parse_paths (p, linux_, "maskedPaths", NOOK_MNT_MASK) < 0
      || parse_paths (p, linux_, "readonlyPaths", NOOK_MNT_REMOUNT_RO) < 0
      || (sysctl && parse_sysctl (p, sysctl) < 0) || (pers && parse_personality (p, pers) < 0)
      || (offsets && parse_time_offsets (p, offsets) < 0))
    return -1;
  if (seccomp)
    cfg->seccomp = xstrdup (json_object_to_json_string_ext (seccomp, JSON_C_TO_STRING_PLAIN));
  if (res && nook_oci_resources_parse (res, "linux.resources", &p->spec->limits, p->err) < 0)
    return nook_error_wrap (p->err, "config.json");
  cfg->has_resources = p->spec->limits.set != 0;
  if (oci_cfg_str (p, linux_, "cgroupsPath", &s) < 0)
    return -1;
  cfg->cgroups_path = s ? xstrdup (s) : NULL;
  if (oci_cfg_str (p, linux_, "rootfsPropagation", &s) < 0 || (s && parse_propagation (p, s) < 0))
    return -1;
  if (oci_cfg_str (p, linux_, "mountLabel", &s) < 0)
    return -1;
  if (s && *s)
    oci_cfg_note (p, "linux.%s: ignored (no SELinux labels)", "mountLabel");
  return 0;
}

/* The namespaces the config does not list are the host's (the runtime's).  */
void
oci_cfg_apply_namespaces (struct parser *p)
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

  static const struct
  {
    enum nook_oci_ns ns;
    enum nook_ns_path_kind kind;
  } by_path[] = { { NOOK_OCI_NS_USER, NOOK_NSPATH_USER },
                  { NOOK_OCI_NS_MOUNT, NOOK_NSPATH_MOUNT },
                  { NOOK_OCI_NS_CGROUP, NOOK_NSPATH_CGROUP } };

  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (!p->cfg->ns[map[i].ns])
      p->spec->share |= map[i].bit;
  /* A path: that namespace, entered before the container is created.  */
  for (size_t i = 0; i < sizeof joins / sizeof joins[0]; i++)
    if (p->cfg->ns_path[joins[i].ns])
      p->spec->life.join_path[joins[i].kind] = xstrdup (p->cfg->ns_path[joins[i].ns]);
  for (size_t i = 0; i < sizeof by_path / sizeof by_path[0]; i++)
    if (p->cfg->ns_path[by_path[i].ns])
      p->spec->life.ns_path[by_path[i].kind] = xstrdup (p->cfg->ns_path[by_path[i].ns]);
  /* Time: the host's unless listed (nook makes none by default).  */
  if (p->cfg->ns_path[NOOK_OCI_NS_TIME])
    p->spec->timens.path = xstrdup (p->cfg->ns_path[NOOK_OCI_NS_TIME]);
  else
    p->spec->timens.create = p->cfg->ns[NOOK_OCI_NS_TIME];
  if (p->spec->share & NOOK_NS_NET)
    p->spec->net.mode = NOOK_NET_HOST;
  if (!p->cfg->ns[NOOK_OCI_NS_MOUNT])
    oci_cfg_note (p, "linux.namespaces: no %s namespace listed: nook always makes one", "mount");
}
