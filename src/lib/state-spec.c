/* The resolved spec in a sandbox's state: what `nook run` decided, written
 * once, and read back by `exec`, `inspect` and `ps`.
 *
 * Nothing here parses a command line again: relative paths, policy files
 * and defaults were resolved when the sandbox started, and the seccomp
 * filter is stored as the very programs its command got, so a policy file
 * edited or a directory changed since cannot change what `nook exec`
 * applies.  The state file is authenticated (state.c), so every value is
 * one that nook wrote; it is still checked for type and range, as a state
 * of another nook version could differ.
 *
 * The "spec" object of state.json:
 *
 *   uid, gid          the command's ids inside
 *   shared            namespaces kept from the host: "net", "pid", ...
 *   time_offsets      null, or the time namespace's offsets (timens.h;
 *                     absent in the states of older nooks)
 *   security          capabilities (hex mask: bounding = permitted =
 *                     effective = inheritable), ambient, no_new_privs,
 *                     allow_nested, landlock ("auto", "on", "off"),
 *                     seccomp: null (unconfined) or
 *                     { policy, file, sha256 }
 *
 * The seccomp programs (most of the bytes) are kept apart, written once,
 * raw (state-filters.c): sandboxes/ID/seccomp.bpf, or the head of a file
 * entry.  The state carries their SHA-256, so the state's MAC covers them,
 * and a later state (the exit status, a pause) never rewrites them.
 *   network           mode, network, ports
 *   limits            null, or the cgroup limits given
 *   rlimits           the --ulimit limits: [resource, soft, hard] each
 *                     (absent in the states of older nooks)
 *   layers, overlay   the layer stacks and the overlay implementation asked for
 *   binds             host paths bound (absolute), for inspect
 *
 * nook_state_running, at the end, writes it with the rest of what a
 * running sandbox's state holds (pids, root, joined namespaces).
 */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "caps.h"
#include "image.h"
#include "proc.h"
#include "seccomp.h"
#include "security.h"
#include "spec.h"
#include "state-internal.h"
#include "state.h"
#include "timens.h"
#include "utils.h"

static const struct
{
  const char *name;
  unsigned bit;
} shared_ns[] = {
  { "net", NOOK_NS_NET }, { "pid", NOOK_NS_PID },       { "ipc", NOOK_NS_IPC },
  { "uts", NOOK_NS_UTS }, { "cgroup", NOOK_NS_CGROUP },
};

static const char *const overlay_kinds[] = { "auto", "kernel", "fuse" };

/* ---- writing ------------------------------------------------------------------------ */

static json_object *
json_str_or_null (const char *s)
{
  return s ? json_object_new_string (s) : NULL;
}

/* A path as the host names it, absolute: relative ones were relative to
   the caller's working directory at the start.  */
static json_object *
json_abs_path (const char *path)
{
  char buf[PATH_MAX];

  if (path == NULL)
    return NULL;
  if (path[0] != '/' && realpath (path, buf))
    return json_object_new_string (buf);
  return json_object_new_string (path);
}

/* enum nook_landlock_mode's values as the state spells them.  */
static const char *const landlock_modes[] = NOOK_LANDLOCK_MODES;

static json_object *
security_json (const struct nook_spec *spec, const char *filter_sha256)
{
  const struct nook_security *sec = &spec->security;
  uint64_t caps = nook_caps_for_spec (spec);
  json_object *o = json_object_new_object (), *seccomp = NULL;
  char hex[20];
  const char *policy = sec->seccomp ? sec->seccomp : "default";
  size_t n = strlen (policy);

  snprintf (hex, sizeof hex, "%016llx", (unsigned long long)caps);
  json_object_object_add (o, "capabilities", json_object_new_string (hex));
  json_object_object_add (o, "ambient", json_object_new_boolean (spec->uid != 0 && caps != 0));
  /* nook_security_apply sets it for every command.  */
  json_object_object_add (o, "no_new_privs", json_object_new_boolean (true));
  json_object_object_add (o, "allow_nested", json_object_new_boolean (sec->allow_nested));
  json_object_object_add (o, "landlock", json_object_new_string (landlock_modes[sec->landlock]));
  if (filter_sha256)
    {
      bool is_path = strchr (policy, '/') || (n > 5 && strcmp (policy + n - 5, ".json") == 0);

      seccomp = json_object_new_object ();
      json_object_object_add (seccomp, "policy",
                              is_path ? json_abs_path (policy) : json_object_new_string (policy));
      json_object_object_add (seccomp, "file", json_object_new_string (NOOK_FILTER_FILE));
      json_object_object_add (seccomp, "sha256", json_object_new_string (filter_sha256));
    }
  json_object_object_add (o, "seccomp", seccomp);
  return o;
}

static json_object *
network_json (const struct nook_spec *spec)
{
  json_object *o = json_object_new_object (), *ports = json_object_new_array ();

  json_object_object_add (o, "mode",
                          json_object_new_string (spec->life.join[NOOK_JOIN_NET]
                                                      ? "container"
                                                      : nook_net_mode_name (spec->net.mode)));
  json_object_object_add (o, "network", json_str_or_null (spec->net.network));
  for (size_t i = 0; i < spec->net.n_ports; i++)
    {
      const struct nook_port_map *p = &spec->net.ports[i];
      json_object *e = json_object_new_object ();
      json_object_object_add (e, "host_ip", json_object_new_string (p->host_ip));
      json_object_object_add (e, "host_port", json_object_new_int (p->host_port));
      json_object_object_add (e, "port", json_object_new_int (p->port));
      json_object_object_add (e, "protocol", json_object_new_string (p->udp ? "udp" : "tcp"));
      json_object_array_add (ports, e);
    }
  json_object_object_add (o, "ports", ports);
  return o;
}

static json_object *
limits_json (const struct nook_limits *l)
{
  json_object *o, *io;

  if (!l->set)
    return NULL;
  o = json_object_new_object ();
  io = json_object_new_array ();
  json_object_object_add (o, "set", json_object_new_int64 (l->set));
  json_object_object_add (o, "memory_max", json_object_new_uint64 (l->memory_max));
  json_object_object_add (o, "memory_swap_max", json_object_new_uint64 (l->memory_swap_max));
  json_object_object_add (o, "memory_high", json_object_new_uint64 (l->memory_high));
  json_object_object_add (o, "cpu_quota_us", json_object_new_uint64 (l->cpu_quota_us));
  json_object_object_add (o, "cpu_weight", json_object_new_uint64 (l->cpu_weight));
  json_object_object_add (o, "pids_max", json_object_new_uint64 (l->pids_max));
  json_object_object_add (o, "io_weight", json_object_new_uint64 (l->io_weight));
  for (size_t i = 0; i < l->n_io_max; i++)
    {
      json_object *e = json_object_new_object ();
      json_object_object_add (e, "major", json_object_new_int64 (l->io_max[i].major));
      json_object_object_add (e, "minor", json_object_new_int64 (l->io_max[i].minor));
      json_object_object_add (e, "rbps", json_object_new_uint64 (l->io_max[i].rbps));
      json_object_object_add (e, "wbps", json_object_new_uint64 (l->io_max[i].wbps));
      json_object_array_add (io, e);
    }
  json_object_object_add (o, "io_max", io);
  json_object_object_add (o, "cpuset_cpus", json_str_or_null (l->cpuset_cpus));
  return o;
}

static json_object *
rlimits_json (const struct nook_limits *l)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; i < l->n_rlimits; i++)
    {
      json_object *e = json_object_new_array ();
      json_object_array_add (e, json_object_new_int64 (l->rlimits[i].resource));
      json_object_array_add (e, json_object_new_uint64 (l->rlimits[i].soft));
      json_object_array_add (e, json_object_new_uint64 (l->rlimits[i].hard));
      json_object_array_add (a, e);
    }
  return a;
}

static void
add_mounts_json (json_object *o, const struct nook_spec *spec)
{
  json_object *layers = json_object_new_array (), *binds = json_object_new_array ();

  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct nook_mount_op *op = &spec->mounts[i];
      json_object *e = json_object_new_object ();

      if (op->kind == NOOK_MNT_OVERLAY && op->overlay)
        {
          json_object *lowers = json_object_new_array ();
          for (size_t k = 0; op->overlay->lowers && op->overlay->lowers[k]; k++)
            json_object_array_add (lowers, json_abs_path (op->overlay->lowers[k]));
          json_object_object_add (e, "lower", lowers);
          json_object_object_add (e, "upper", json_abs_path (op->overlay->upper));
          json_object_object_add (e, "work", json_abs_path (op->overlay->work));
          json_object_object_add (e, "merged", json_str_or_null (op->dest));
          json_object_array_add (layers, e);
        }
      else if (op->kind == NOOK_MNT_BIND)
        {
          json_object_object_add (e, "source", json_abs_path (op->src));
          json_object_object_add (e, "destination", json_str_or_null (op->dest));
          json_object_object_add (e, "readonly", json_object_new_boolean (op->flags & NOOK_MNT_F_RDONLY));
          json_object_array_add (binds, e);
        }
      else
        json_object_put (e);
    }
  json_object_object_add (o, "layers", layers);
  json_object_object_add (o, "overlay", json_object_new_string (overlay_kinds[spec->fs.overlay_kind]));
  json_object_object_add (o, "binds", binds);
}

json_object *
nook_state_spec_json (const struct nook_spec *spec, const char *filter_sha256)
{
  json_object *o = json_object_new_object (), *shared = json_object_new_array ();

  json_object_object_add (o, "uid", json_object_new_int64 (spec->uid));
  json_object_object_add (o, "gid", json_object_new_int64 (spec->gid));
  for (size_t i = 0; i < sizeof shared_ns / sizeof shared_ns[0]; i++)
    if (spec->share & shared_ns[i].bit)
      json_object_array_add (shared, json_object_new_string (shared_ns[i].name));
  json_object_object_add (o, "shared", shared);
  json_object_object_add (o, "time_offsets", nook_timens_json (&spec->timens));
  json_object_object_add (o, "security", security_json (spec, filter_sha256));
  json_object_object_add (o, "network", network_json (spec));
  json_object_object_add (o, "limits", limits_json (&spec->limits));
  json_object_object_add (o, "rlimits", rlimits_json (&spec->limits));
  add_mounts_json (o, spec);
  return o;
}

/* ---- reading ------------------------------------------------------------------------ */

/* The reader of one sandbox's "spec": the first bad field names itself.  */
struct reader
{
  const char *id;
  const char *bad; /* the first field that is missing or of the wrong type */
};

static json_object *
get (struct reader *r, json_object *o, const char *key, json_type type, bool nullable)
{
  json_object *v = NULL;

  if (o && json_object_object_get_ex (o, key, &v) && (v ? json_object_is_type (v, type) : nullable))
    return v;
  if (r->bad == NULL)
    r->bad = key;
  return NULL;
}

static uint64_t
get_u64 (struct reader *r, json_object *o, const char *key, uint64_t max)
{
  json_object *v = get (r, o, key, json_type_int, false);
  uint64_t n;

  if (v == NULL)
    return 0;
  n = json_object_get_uint64 (v);
  if (n > max || (json_object_get_int64 (v) < 0 && n == 0))
    {
      if (r->bad == NULL)
        r->bad = key;
      return 0;
    }
  return n;
}

static char *
get_str (struct reader *r, json_object *o, const char *key, bool nullable)
{
  json_object *v = get (r, o, key, json_type_string, nullable);
  return v ? xstrdup (json_object_get_string (v)) : NULL;
}

static bool
get_bool (struct reader *r, json_object *o, const char *key)
{
  json_object *v = get (r, o, key, json_type_boolean, false);
  return v && json_object_get_boolean (v);
}

/* An unknown mode is a state this nook did not write: refused, and
   meanwhile the strictest.  */
static enum nook_landlock_mode
get_landlock (struct reader *r, json_object *o)
{
  cleanup_free char *mode = get_str (r, o, "landlock", false);

  for (size_t m = 0; mode && m < sizeof landlock_modes / sizeof *landlock_modes; m++)
    if (strcmp (mode, landlock_modes[m]) == 0)
      return (enum nook_landlock_mode)m;
  if (r->bad == NULL)
    r->bad = "landlock";
  return NOOK_LANDLOCK_ON;
}

static void
read_security (struct reader *r, json_object *o, int dirfd, struct nook_spec *spec)
{
  struct nook_security *sec = &spec->security;
  cleanup_free char *caps = get_str (r, o, "capabilities", false);
  json_object *seccomp = get (r, o, "seccomp", json_type_object, true);
  cleanup_free char *sha256 = NULL;
  char *end = NULL;

  /* Exactly these capabilities, whatever the uid: none but the added.  */
  sec->cap_drop_all = true;
  if (caps)
    sec->cap_add = strtoull (caps, &end, 16);
  if (caps && (end == caps || *end != '\0'))
    r->bad = r->bad ? r->bad : "capabilities";
  /* nook sets no_new_privs for every command; a state that says
     otherwise is not one this nook wrote.  */
  if (!get_bool (r, o, "no_new_privs") && r->bad == NULL)
    r->bad = "no_new_privs";
  sec->allow_nested = get_bool (r, o, "allow_nested");
  sec->landlock = get_landlock (r, o);
  if (seccomp == NULL)
    {
      sec->seccomp = xstrdup ("unconfined");
      return;
    }
  sec->seccomp = get_str (r, seccomp, "policy", false);
  sha256 = get_str (r, seccomp, "sha256", false);
  /* Checked against the state's digest for every reader: a forged
     seccomp.bpf makes the whole sandbox forged.  nook_sandbox_filters
     reads them again for exec.  */
  if (sha256)
    {
      struct nook_filters check = { 0 };
      if (nook_state_read_filters (dirfd, sha256, check.bpf) < 0 && r->bad == NULL)
        r->bad = "seccomp.bpf";
      nook_filters_free (&check);
    }
}

static void
read_network (struct reader *r, json_object *o, json_object *joined, struct nook_spec *spec)
{
  cleanup_free char *mode = get_str (r, o, "mode", false);
  json_object *ports = get (r, o, "ports", json_type_array, false);
  enum nook_net_mode m = NOOK_NET_NONE;

  spec->net.network = get_str (r, o, "network", true);
  if (mode && strcmp (mode, "container") == 0)
    spec->life.join[NOOK_JOIN_NET] = get_str (r, joined, "net", false);
  else if (mode && strcmp (mode, "network") == 0)
    m = NOOK_NET_SHARED;
  else if (mode && nook_net_mode_parse (mode, &m) < 0)
    r->bad = r->bad ? r->bad : "mode";
  spec->net.mode = m;
  spec->net.n_ports = ports ? json_object_array_length (ports) : 0;
  spec->net.ports = xcalloc (spec->net.n_ports + 1, sizeof *spec->net.ports);
  for (size_t i = 0; i < spec->net.n_ports; i++)
    {
      json_object *e = json_object_array_get_idx (ports, i);
      struct nook_port_map *p = &spec->net.ports[i];
      cleanup_free char *ip = get_str (r, e, "host_ip", false);
      cleanup_free char *proto = get_str (r, e, "protocol", false);

      snprintf (p->host_ip, sizeof p->host_ip, "%s", ip ? ip : "");
      p->host_port = get_u64 (r, e, "host_port", 65535);
      p->port = get_u64 (r, e, "port", 65535);
      p->udp = proto && strcmp (proto, "udp") == 0;
    }
}

static void
read_limits (struct reader *r, json_object *o, struct nook_limits *l)
{
  json_object *io;

  if (o == NULL)
    return;
  l->set = get_u64 (r, o, "set", UINT_MAX);
  l->memory_max = get_u64 (r, o, "memory_max", UINT64_MAX);
  l->memory_swap_max = get_u64 (r, o, "memory_swap_max", UINT64_MAX);
  l->memory_high = get_u64 (r, o, "memory_high", UINT64_MAX);
  l->cpu_quota_us = get_u64 (r, o, "cpu_quota_us", UINT64_MAX);
  l->cpu_weight = get_u64 (r, o, "cpu_weight", UINT64_MAX);
  l->pids_max = get_u64 (r, o, "pids_max", UINT64_MAX);
  l->io_weight = get_u64 (r, o, "io_weight", UINT64_MAX);
  l->cpuset_cpus = get_str (r, o, "cpuset_cpus", true);
  io = get (r, o, "io_max", json_type_array, false);
  l->n_io_max = io ? json_object_array_length (io) : 0;
  l->io_max = xcalloc (l->n_io_max + 1, sizeof *l->io_max);
  for (size_t i = 0; i < l->n_io_max; i++)
    {
      json_object *e = json_object_array_get_idx (io, i);
      l->io_max[i].major = get_u64 (r, e, "major", UINT_MAX);
      l->io_max[i].minor = get_u64 (r, e, "minor", UINT_MAX);
      l->io_max[i].rbps = get_u64 (r, e, "rbps", UINT64_MAX);
      l->io_max[i].wbps = get_u64 (r, e, "wbps", UINT64_MAX);
    }
}

/* --ulimit, so that nook exec applies them as the sandbox's command got
   them.  */
static void
read_rlimits (struct reader *r, json_object *a, struct nook_limits *l)
{
  size_t n = a ? json_object_array_length (a) : 0;

  if (n > NOOK_MAX_RLIMITS)
    {
      r->bad = r->bad ? r->bad : "rlimits";
      return;
    }
  for (size_t i = 0; i < n; i++)
    {
      json_object *e = json_object_array_get_idx (a, i);
      if (!json_object_is_type (e, json_type_array) || json_object_array_length (e) != 3)
        {
          r->bad = r->bad ? r->bad : "rlimits";
          return;
        }
      l->rlimits[i].resource = json_object_get_int (json_object_array_get_idx (e, 0));
      l->rlimits[i].soft = json_object_get_uint64 (json_object_array_get_idx (e, 1));
      l->rlimits[i].hard = json_object_get_uint64 (json_object_array_get_idx (e, 2));
      if (l->rlimits[i].resource < 0 || l->rlimits[i].resource >= RLIM_NLIMITS
          || l->rlimits[i].soft > l->rlimits[i].hard)
        {
          r->bad = r->bad ? r->bad : "rlimits";
          return;
        }
    }
  l->n_rlimits = n;
}

static void
read_layers (struct reader *r, json_object *o, struct nook_spec *spec)
{
  json_object *layers = get (r, o, "layers", json_type_array, false);
  cleanup_free char *kind = get_str (r, o, "overlay", false);

  for (size_t k = 0; kind && k < sizeof overlay_kinds / sizeof overlay_kinds[0]; k++)
    if (strcmp (kind, overlay_kinds[k]) == 0)
      spec->fs.overlay_kind = k;
  for (size_t i = 0; layers && i < json_object_array_length (layers); i++)
    {
      json_object *e = json_object_array_get_idx (layers, i);
      json_object *lowers = get (r, e, "lower", json_type_array, false);
      cleanup_free char *merged = get_str (r, e, "merged", true);
      struct nook_overlay *ov = nook_spec_add_overlay (spec, merged);

      for (size_t k = 0; lowers && k < json_object_array_length (lowers); k++)
        {
          json_object *v = json_object_array_get_idx (lowers, k);
          if (json_object_is_type (v, json_type_string))
            strv_append (&ov->lowers, json_object_get_string (v));
        }
      ov->upper = get_str (r, e, "upper", true);
      ov->work = get_str (r, e, "work", true);
    }
}

int
nook_sandbox_spec (const struct nook_sandbox *sb, struct nook_spec *spec, struct nook_error *err)
{
  struct reader r = { sb->id, NULL };
  json_object *doc = sb->doc, *o, *cmd, *joined = NULL;

  if (doc == NULL)
    return nook_error_set (err, 0, "sandbox `%s` is still starting", sb->id);
  o = get (&r, doc, "spec", json_type_object, false);
  cmd = get (&r, doc, "command", json_type_array, false);
  json_object_object_get_ex (doc, "joined", &joined);
  for (size_t i = 0; cmd && i < json_object_array_length (cmd); i++)
    strv_append (&spec->argv, json_object_get_string (json_object_array_get_idx (cmd, i)) ?: "");
  spec->name = get_str (&r, doc, "name", true);
  spec->hostname = get_str (&r, doc, "hostname", true);
  if (o)
    {
      json_object *shared = get (&r, o, "shared", json_type_array, false);
      spec->uid = get_u64 (&r, o, "uid", UINT32_MAX - 1);
      spec->gid = get_u64 (&r, o, "gid", UINT32_MAX - 1);
      for (size_t i = 0; shared && i < json_object_array_length (shared); i++)
        for (size_t k = 0; k < sizeof shared_ns / sizeof shared_ns[0]; k++)
          if (strcmp (json_object_get_string (json_object_array_get_idx (shared, i)) ?: "", shared_ns[k].name)
              == 0)
            spec->share |= shared_ns[k].bit;
      if (json_object_object_get_ex (o, "time_offsets", NULL)
          && nook_timens_from_json (get (&r, o, "time_offsets", json_type_object, true), &spec->timens) < 0)
        r.bad = r.bad ? r.bad : "time_offsets";
      read_security (&r, get (&r, o, "security", json_type_object, false), sb->dirfd, spec);
      read_network (&r, get (&r, o, "network", json_type_object, false), joined, spec);
      read_limits (&r, get (&r, o, "limits", json_type_object, true), &spec->limits);
      if (json_object_object_get_ex (o, "rlimits", NULL))
        read_rlimits (&r, get (&r, o, "rlimits", json_type_array, true), &spec->limits);
      read_layers (&r, o, spec);
    }
  if (r.bad && strcmp (r.bad, "seccomp.bpf") == 0)
    return nook_sandbox_forged_error (sb, err);
  if (r.bad)
    {
      nook_error_set (err, 0, "the state of sandbox `%s` has no valid `%s`", sb->id, r.bad);
      return nook_error_hint (
          err, "it was written by another version of nook: remove it with `nook rm -f %s`", sb->id);
    }
  return 0;
}

int
nook_sandbox_filters (const struct nook_sandbox *sb, struct nook_filters *filters, struct nook_error *err)
{
  struct reader r = { sb->id, NULL };
  json_object *o = NULL, *sec = NULL, *seccomp = NULL;
  cleanup_free char *sha256 = NULL;

  memset (filters, 0, sizeof *filters);
  if (sb->doc == NULL)
    return nook_error_set (err, 0, "sandbox `%s` is still starting", sb->id);
  o = get (&r, sb->doc, "spec", json_type_object, false);
  sec = get (&r, o, "security", json_type_object, false);
  seccomp = get (&r, sec, "seccomp", json_type_object, true);
  if (r.bad == NULL && seccomp)
    {
      sha256 = get_str (&r, seccomp, "sha256", false);
      /* Checked against the state's digest: the state is authenticated,
         so the programs are too.  */
      if (sha256 && nook_state_read_filters (sb->dirfd, sha256, filters->bpf) < 0)
        {
          nook_filters_free (filters);
          return nook_sandbox_forged_error (sb, err);
        }
    }
  if (r.bad)
    return nook_error_set (err, 0, "the state of sandbox `%s` has no valid `%s`", sb->id, r.bad);
  filters->ready = true;
  return 0;
}

/* ---- the record of a sandbox that runs ---------------------------------------------- */

static json_object *
json_take_string (char *s)
{
  json_object *o = json_object_new_string (s);
  free (s);
  return o;
}

static json_object *
json_strv (char *const *v)
{
  json_object *a = json_object_new_array ();
  for (size_t i = 0; v && v[i]; i++)
    json_object_array_add (a, json_object_new_string (v[i]));
  return a;
}

static json_object *
json_process (pid_t pid)
{
  json_object *o = json_object_new_object ();
  uint64_t start = 0;

  nook_proc_start_time (pid == getpid () ? 0 : pid, &start);
  json_object_object_add (o, "pid", json_object_new_int64 (pid));
  json_object_object_add (o, "start", json_object_new_int64 (start));
  return o;
}

int
nook_state_running (struct nook_state *st, const struct nook_spec *spec, const struct nook_filters *filters,
                    pid_t pid, const char *const joined[NOOK_JOIN_N], struct nook_error *err)
{
  static const char *const join_keys[NOOK_JOIN_N] = { "pid", "net", "ipc", "uts" };
  json_object *doc = st->doc, *root = json_object_new_object (), *join = json_object_new_object ();
  bool own_uts = !(spec->share & NOOK_NS_UTS) && !joined[NOOK_JOIN_UTS];
  bool unconfined = spec->security.seccomp && strcmp (spec->security.seccomp, "unconfined") == 0;
  struct iovec iov[2 + NOOK_FILTER_PROGS];
  struct nook_filter_header h;
  char sha256[65];

  /* The options as given, a record for the user: nothing reads them back
     (a relative path in them meant the caller's directory of then).  */
  json_object_object_add (doc, "options", json_strv (spec->life.run_args));
  json_object_object_add (doc, "command", json_strv (spec->argv));
  json_object_object_add (doc, "detached", json_object_new_boolean (spec->life.detach));
  json_object_object_add (doc, "remove", json_object_new_boolean (st->remove));
  json_object_object_add (doc, "supervisor", json_process (getpid ()));
  json_object_object_add (doc, "init", json_process (pid));
  json_object_object_add (doc, "hostname",
                          own_uts ? json_object_new_string (nook_spec_hostname (spec)) : NULL);
  json_object_object_add (root, "type", json_object_new_string (spec->rootfs ? "rootfs" : "composed"));
  if (spec->rootfs)
    {
      char abs[PATH_MAX];
      json_object_object_add (root, "path",
                              json_object_new_string (realpath (spec->rootfs, abs) ? abs : spec->rootfs));
    }
  json_object_object_add (doc, "root", root);
  json_object_object_add (doc, "image", nook_image_state_json (&spec->image));
  for (int k = 0; k < NOOK_JOIN_N; k++)
    if (joined[k])
      json_object_object_add (join, join_keys[k], json_object_new_string (joined[k]));
  json_object_object_add (doc, "joined", join);
  /* What exec applies must be what the command got: never a filter
     compiled later, never none for lack of one.  */
  if (!unconfined && (!filters->ready || filters->bpf[1].len == 0))
    return nook_error_set (err, EINVAL, "state: the sandbox's seccomp filter is not compiled");
  /* A file entry holds the programs ahead of its state, in the one write
     that creates it.  */
  if (st->file)
    {
      /* And a newline: each state is a line of its own.  */
      if (!unconfined)
        {
          nook_state_filters_iov (filters->bpf, &h, iov, sha256);
          iov[1 + NOOK_FILTER_PROGS] = (struct iovec){ "\n", 1 };
        }
    }
  else if (!unconfined && nook_state_write_filters (st->dirfd, filters->bpf, sha256, err) < 0)
    return -1;
  json_object_object_add (doc, "spec", nook_state_spec_json (spec, unconfined ? NULL : sha256));
  json_object_object_add (doc, "status", json_object_new_string ("running"));
  json_object_object_add (doc, "started", json_take_string (nook_time_now ()));
  if (st->file)
    return nook_state_create (st, unconfined ? NULL : iov, unconfined ? 0 : 2 + NOOK_FILTER_PROGS, err);
  return nook_state_write (st, doc, err);
}
