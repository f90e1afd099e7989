/* nook: `nook inspect`: a sandbox's state and spec as JSON.  */
#include <config.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include "inspect.h"
#include "landlock.h"
#include "spec.h"
#include "proc.h"
#include "sandbox.h"
#include "timens.h"
#include "utils.h"

/* One function per section; a running sandbox's namespaces, maps, mounts
   and privileges are read live from /proc, the rest from its state.  */
struct section
{
  const char *name;
  void (*add) (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec);
};

static json_object *
state_value (const struct nook_sandbox *sb, const char *key)
{
  json_object *v = NULL;
  json_object_object_get_ex (sb->doc, key, &v);
  return json_object_get (v);
}

static char *
proc_file (pid_t pid, const char *name)
{
  char path[64];
  char *buf = NULL;
  snprintf (path, sizeof path, "/proc/%d/%s", (int)pid, name);
  if (nook_read_file_at (AT_FDCWD, path, &buf, NULL, NULL) < 0)
    return NULL;
  return buf;
}

static void
add_identity (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  json_object_object_add (doc, "id", json_object_new_string (sb->id));
  json_object_object_add (doc, "name", state_value (sb, "name"));
  json_object_object_add (doc, "command", state_value (sb, "command"));
  json_object_object_add (doc, "options", state_value (sb, "options"));
}

static void
add_status (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  bool paused = nook_sandbox_paused (sb);

  json_object_object_add (doc, "status",
                          json_object_new_string (paused ? "paused" : nook_sandbox_status (sb)));
  json_object_object_add (doc, "paused", json_object_new_boolean (paused));
  json_object_object_add (doc, "exit_code", state_value (sb, "exit_code"));
  json_object_object_add (doc, "pid", sb->running ? json_object_new_int64 (sb->pid) : NULL);
  json_object_object_add (doc, "detached", state_value (sb, "detached"));
  json_object_object_add (doc, "created", state_value (sb, "created"));
  json_object_object_add (doc, "started", state_value (sb, "started"));
  json_object_object_add (doc, "finished", state_value (sb, "finished"));
}

static void
add_namespaces (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  json_object *ns = json_object_new_object ();

  /* The inode numbers lsns shows, as of now; `shared` names the ones
     that are not the sandbox's own.  */
  for (size_t i = 0; sb->running && nook_ns_types[i]; i++)
    {
      uint64_t ino;
      if (nook_proc_ns_inode (sb->pid, nook_ns_types[i], &ino) == 0)
        json_object_object_add (ns, nook_ns_types[i], json_object_new_int64 (ino));
    }
  json_object_object_add (doc, "namespaces", sb->running ? ns : (json_object_put (ns), NULL));
  json_object_object_add (doc, "joined", state_value (sb, "joined"));
  /* As recorded: the clocks' offsets of the time namespace it was given.  */
  json_object_object_add (doc, "time_offsets", spec ? nook_timens_json (&spec->timens) : NULL);
}

static json_object *
idmap (pid_t pid, const char *file)
{
  cleanup_free char *text = proc_file (pid, file);
  json_object *a = json_object_new_array ();
  unsigned long in, out, count;
  int used;

  for (const char *p = text; p && sscanf (p, " %lu %lu %lu%n", &in, &out, &count, &used) == 3; p += used)
    {
      json_object *e = json_object_new_object ();
      json_object_object_add (e, "inside", json_object_new_int64 (in));
      json_object_object_add (e, "outside", json_object_new_int64 (out));
      json_object_object_add (e, "count", json_object_new_int64 (count));
      json_object_array_add (a, e);
    }
  return a;
}

static void
add_idmaps (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  json_object *maps = NULL;

  if (sb->running)
    {
      maps = json_object_new_object ();
      json_object_object_add (maps, "uid", idmap (sb->pid, "uid_map"));
      json_object_object_add (maps, "gid", idmap (sb->pid, "gid_map"));
    }
  json_object_object_add (doc, "idmaps", maps);
  if (spec)
    {
      json_object_object_add (doc, "uid", json_object_new_int64 (spec->uid));
      json_object_object_add (doc, "gid", json_object_new_int64 (spec->gid));
    }
}

/* /proc/PID/mountinfo shows the mounts relative to the process' root:
   the sandbox's own view.  */
static json_object *
mounts (pid_t pid)
{
  cleanup_free char *text = proc_file (pid, "mountinfo");
  json_object *a = json_object_new_array ();

  for (char *line = text, *next; line && *line; line = next)
    {
      char dest[4096], opts[1024], type[64], source[4096];
      char *sep;
      json_object *m;

      next = strchr (line, '\n');
      if (next)
        *next++ = '\0';
      /* ID PARENT MAJ:MIN ROOT DEST OPTS [TAGS...] - TYPE SOURCE SUPER  */
      sep = strstr (line, " - ");
      if (sep == NULL || sscanf (line, "%*s %*s %*s %*s %4095s %1023s", dest, opts) != 2
          || sscanf (sep + 3, "%63s %4095s", type, source) != 2)
        continue;
      m = json_object_new_object ();
      json_object_object_add (m, "destination", json_object_new_string (dest));
      json_object_object_add (m, "type", json_object_new_string (type));
      json_object_object_add (m, "source", json_object_new_string (source));
      json_object_object_add (m, "options", json_object_new_string (opts));
      json_object_array_add (a, m);
    }
  return a;
}

static void
add_root (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  json_object_object_add (doc, "root", state_value (sb, "root"));
  json_object_object_add (doc, "mounts", sb->running ? mounts (sb->pid) : NULL);
  json_object_object_add (doc, "hostname", state_value (sb, "hostname"));
}

static json_object *
cap_names (const char *hex)
{
  json_object *a = json_object_new_array ();
  unsigned long long set = strtoull (hex, NULL, 16);

  for (cap_value_t c = 0; c <= CAP_LAST_CAP && c < 64; c++)
    if (set & (1ULL << c))
      {
        char *name = cap_to_name (c);
        json_object_array_add (a, json_object_new_string (name ? name : "?"));
        cap_free (name);
      }
  return a;
}

static const char *
status_field (const char *status, const char *key)
{
  const char *p = status ? strstr (status, key) : NULL;
  return p ? p + strlen (key) : NULL;
}

/* The privileges the sandbox's command holds, from its /proc/PID/status
   (the command is nook-init's first child; nook-init has the same).  */
static void
add_security (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  cleanup_free pid_t *tree = NULL;
  cleanup_free char *status = NULL;
  json_object *sec = json_object_new_object (), *caps = json_object_new_object ();
  static const char *const sets[][2]
      = { { "effective", "\nCapEff:\t" }, { "permitted", "\nCapPrm:\t" }, { "bounding", "\nCapBnd:\t" } };
  struct nook_error lerr = { 0 };
  const char *v;
  size_t n;

  if (!sb->running)
    {
      json_object_put (sec);
      json_object_put (caps);
      json_object_object_add (doc, "security", NULL);
      return;
    }
  n = nook_proc_tree (sb->pid, &tree);
  status = proc_file (n > 1 ? tree[1] : sb->pid, "status");
  for (size_t i = 0; i < 3; i++)
    if ((v = status_field (status, sets[i][1])))
      json_object_object_add (caps, sets[i][0], cap_names (v));
  json_object_object_add (sec, "capabilities", caps);
  if ((v = status_field (status, "\nNoNewPrivs:\t")))
    json_object_object_add (sec, "no_new_privs", json_object_new_boolean (atoi (v) != 0));
  if ((v = status_field (status, "\nSeccomp:\t")))
    json_object_object_add (sec, "seccomp",
                            json_object_new_string (atoi (v) == 2   ? "filter"
                                                    : atoi (v) == 1 ? "strict"
                                                                    : "none"));
  if ((v = status_field (status, "\nSeccomp_filters:\t")))
    json_object_object_add (sec, "seccomp_filters", json_object_new_int (atoi (v)));
  /* Not in /proc: what run decided from the recorded spec, and exec
     decides again the same way.  */
  json_object_object_add (sec, "landlock", json_object_new_boolean (nook_landlock_wanted (spec, &lerr) > 0));
  nook_error_release (&lerr);
  json_object_object_add (doc, "security", sec);
}

/* Where the sandbox is in the cgroup v2 hierarchy (as the caller's
   cgroup namespace names it).  */
static void
add_cgroup (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  cleanup_free char *path = sb->running ? nook_proc_cgroup (sb->pid) : NULL;
  json_object *cg = NULL;

  if (path)
    {
      cg = json_object_new_object ();
      json_object_object_add (cg, "path", json_object_new_string (path));
    }
  json_object_object_add (doc, "cgroup", cg);
}

/* The network as the sandbox's options set it up: mode and published
   ports (addresses on a shared network are in `nook network ls`).  */
static void
add_network (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  json_object *net, *ports;

  if (spec == NULL)
    {
      json_object_object_add (doc, "network", NULL);
      return;
    }
  net = json_object_new_object ();
  ports = json_object_new_array ();
  if (spec->life.join[NOOK_JOIN_NET])
    json_object_object_add (net, "mode", json_object_new_string ("container"));
  else
    json_object_object_add (net, "mode", json_object_new_string (nook_net_mode_name (spec->net.mode)));
  json_object_object_add (net, "network",
                          spec->net.network ? json_object_new_string (spec->net.network) : NULL);
  for (size_t i = 0; i < spec->net.n_ports; i++)
    {
      const struct nook_port_map *p = &spec->net.ports[i];
      json_object *o = json_object_new_object ();
      json_object_object_add (o, "host_ip", json_object_new_string (p->host_ip[0] ? p->host_ip : "0.0.0.0"));
      json_object_object_add (o, "host_port", json_object_new_int (p->host_port));
      json_object_object_add (o, "port", json_object_new_int (p->port));
      json_object_object_add (o, "protocol", json_object_new_string (p->udp ? "udp" : "tcp"));
      json_object_array_add (ports, o);
    }
  json_object_object_add (net, "ports", ports);
  json_object_object_add (doc, "network", net);
}

static void
add_u64 (json_object *o, const char *key, unsigned set, unsigned bit, uint64_t v)
{
  if (set & bit)
    json_object_object_add (o, key, json_object_new_uint64 (v));
}

/* The limits given (null without any): the values nook wrote.  */
static void
add_limits (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  const struct nook_limits *l = spec ? &spec->limits : NULL;
  json_object *o;

  if (l == NULL || !l->set)
    {
      json_object_object_add (doc, "limits", NULL);
      return;
    }
  o = json_object_new_object ();
  add_u64 (o, "memory_max", l->set, NOOK_LIM_MEMORY, l->memory_max);
  add_u64 (o, "memory_swap_max", l->set, NOOK_LIM_MEMORY_SWAP, l->memory_swap_max);
  add_u64 (o, "memory_high", l->set, NOOK_LIM_MEMORY_HIGH, l->memory_high);
  if (l->set & NOOK_LIM_CPUS)
    json_object_object_add (o, "cpus", json_object_new_double ((double)l->cpu_quota_us / NOOK_CPU_PERIOD_US));
  add_u64 (o, "cpu_weight", l->set, NOOK_LIM_CPU_WEIGHT, l->cpu_weight);
  add_u64 (o, "pids_max", l->set, NOOK_LIM_PIDS, l->pids_max);
  add_u64 (o, "io_weight", l->set, NOOK_LIM_IO_WEIGHT, l->io_weight);
  if (l->cpuset_cpus)
    json_object_object_add (o, "cpuset_cpus", json_object_new_string (l->cpuset_cpus));
  json_object_object_add (doc, "limits", o);
}

/* The overlay implementation in use at DEST: read from the sandbox's own
   mount table (the "mounts" section), since `auto` is decided at start;
   the requested one when the sandbox no longer runs.  */
static json_object *
overlay_kind (json_object *doc, const char *dest, enum nook_overlay_kind requested)
{
  json_object *mounts = NULL, *m, *v;
  const char *type = NULL;

  if (json_object_object_get_ex (doc, "mounts", &mounts) && mounts)
    for (size_t k = 0; k < json_object_array_length (mounts); k++)
      {
        m = json_object_array_get_idx (mounts, k);
        /* The last one mounted at DEST is the one in use.  */
        if (json_object_object_get_ex (m, "destination", &v)
            && strcmp (json_object_get_string (v), dest ? dest : "/") == 0
            && json_object_object_get_ex (m, "type", &v))
          type = json_object_get_string (v);
      }
  if (type && strcmp (type, "overlay") == 0)
    return json_object_new_string ("kernel");
  if (type && strncmp (type, "fuse", 4) == 0)
    return json_object_new_string ("fuse-overlayfs");
  return json_object_new_string (requested == NOOK_OVERLAY_FUSE     ? "fuse-overlayfs"
                                 : requested == NOOK_OVERLAY_KERNEL ? "kernel"
                                                                    : "auto");
}

/* Layer stacks: lower dirs (lowest first), upper, work, where merged.  */
static void
add_layers (json_object *doc, const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  json_object *stacks = json_object_new_array ();

  for (size_t i = 0; spec && i < spec->n_mounts; i++)
    {
      const struct nook_overlay *ov = spec->mounts[i].overlay;
      json_object *o, *lowers;

      if (spec->mounts[i].kind != NOOK_MNT_OVERLAY || ov == NULL)
        continue;
      o = json_object_new_object ();
      lowers = json_object_new_array ();
      for (size_t k = 0; ov->lowers && ov->lowers[k]; k++)
        json_object_array_add (lowers, json_object_new_string (ov->lowers[k]));
      json_object_object_add (o, "lower", lowers);
      json_object_object_add (o, "upper", ov->upper ? json_object_new_string (ov->upper) : NULL);
      json_object_object_add (o, "work", ov->work ? json_object_new_string (ov->work) : NULL);
      json_object_object_add (o, "merged",
                              json_object_new_string (spec->mounts[i].dest ? spec->mounts[i].dest : "/"));
      json_object_object_add (o, "overlay", overlay_kind (doc, spec->mounts[i].dest, spec->fs.overlay_kind));
      json_object_array_add (stacks, o);
    }
  json_object_object_add (doc, "layers", stacks);
}

static const struct section sections[] = {
  { "identity", add_identity }, { "status", add_status }, { "namespaces", add_namespaces },
  { "id maps", add_idmaps },    { "root", add_root },     { "layers", add_layers },
  { "network", add_network },   { "cgroup", add_cgroup }, { "limits", add_limits },
  { "security", add_security }, { NULL, NULL },
};

json_object *
nook_inspect (const struct nook_sandbox *sb, const struct nook_spec *spec)
{
  json_object *doc = json_object_new_object ();

  for (const struct section *s = sections; s->name; s++)
    s->add (doc, sb, spec);
  return doc;
}
