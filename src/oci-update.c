/* nook-oci update: new limits for a container's cgroup, as runc's update.
 *
 * --resources FILE (`-`: stdin) gives an OCI LinuxResources document; the
 * single-value flags (runc's) are laid over it; the result is read by the
 * same parser as config.json's linux.resources (oci-resources.h) and
 * written into the container's cgroup.  A container that runs without a
 * cgroup (a host with no delegated cgroup v2 tree) has nothing to update:
 * that is an error, never a silent success.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/cgroup-path.h"
#include "lib/oci-resources.h"
#include "lib/utils.h"
#include "oci-cli.h"

#define RESOURCES_MAX (1 << 20)

enum kind
{
  K_SIZE,    /* bytes with an optional k/m/g suffix, or -1 */
  K_INT,     /* an integer, -1 allowed */
  K_STRING,  /* as given */
  K_IGNORED, /* cgroup v1 or Intel RDT: no cgroup v2 file */
};

/* Each option (but --resources) sets KEY of SECTION in the document.  */
const struct oci_opt oci_update_options[] = {
  { "resources", 'r', true, 0, "FILE",
    "an OCI LinuxResources document (- for stdin); the options below override it" },
  { "memory", 0, true, 1, "SIZE", "memory.limit" },
  { "memory-reservation", 0, true, 2, "SIZE", "memory.reservation" },
  { "memory-swap", 0, true, 3, "SIZE", "memory.swap (memory plus swap)" },
  { "cpu-shares", 0, true, 4, "N", "cpu.shares" },
  { "cpu-share", 0, true, 5, "N", "cpu.shares" },
  { "cpu-quota", 0, true, 6, "N", "cpu.quota" },
  { "cpu-period", 0, true, 7, "N", "cpu.period" },
  { "cpu-rt-runtime", 0, true, 8, "N", "cpu.realtimeRuntime" },
  { "cpu-rt-period", 0, true, 9, "N", "cpu.realtimePeriod" },
  { "cpuset-cpus", 0, true, 10, "LIST", "cpu.cpus" },
  { "cpuset-mems", 0, true, 11, "LIST", "cpu.mems" },
  { "pids-limit", 0, true, 12, "N", "pids.limit" },
  { "blkio-weight", 0, true, 13, "N", "blockIO.weight" },
  { "kernel-memory", 0, true, 14, "SIZE", NULL },
  { "kernel-memory-tcp", 0, true, 15, "SIZE", NULL },
  { "l3-cache-schema", 0, true, 16, "SCHEMA", NULL },
  { "mem-bw-schema", 0, true, 17, "SCHEMA", NULL },
  { NULL, 0, false, 0, NULL, NULL },
};

/* Where each option of oci_update_options goes, by its id.  */
static const struct
{
  const char *section, *key;
  enum kind kind;
} flags[] = {
  { NULL, NULL, K_STRING },           { "memory", "limit", K_SIZE },  { "memory", "reservation", K_SIZE },
  { "memory", "swap", K_SIZE },       { "cpu", "shares", K_INT },     { "cpu", "shares", K_INT },
  { "cpu", "quota", K_INT },          { "cpu", "period", K_INT },     { "cpu", "realtimeRuntime", K_INT },
  { "cpu", "realtimePeriod", K_INT }, { "cpu", "cpus", K_STRING },    { "cpu", "mems", K_STRING },
  { "pids", "limit", K_INT },         { "blockIO", "weight", K_INT }, { NULL, NULL, K_IGNORED },
  { NULL, NULL, K_IGNORED },          { NULL, NULL, K_IGNORED },      { NULL, NULL, K_IGNORED },
};

#define N_FLAGS (sizeof flags / sizeof flags[0])

/* --resources: the document, from a file or stdin.  */
static json_object *
read_resources (const char *path, struct nook_error *err)
{
  cleanup_close int fd = strcmp (path, "-") == 0 ? dup (STDIN_FILENO) : open (path, O_RDONLY | O_CLOEXEC);
  cleanup_free char *buf = xmalloc (RESOURCES_MAX + 1);
  ssize_t n;
  json_object *o;

  if (fd < 0)
    {
      nook_error_errno (err, "update: --resources `%s`", path);
      return NULL;
    }
  n = nook_read_all (fd, buf, RESOURCES_MAX + 1);
  if (n < 0 || n > RESOURCES_MAX)
    {
      nook_error_set (err, n < 0 ? errno : 0, "update: --resources `%s`: %s", path,
                      n < 0 ? "cannot be read" : "more than 1 MiB");
      return NULL;
    }
  buf[n] = '\0';
  o = json_tokener_parse (buf);
  if (!json_object_is_type (o, json_type_object))
    {
      json_object_put (o);
      nook_error_set (err, 0, "update: --resources `%s` is no JSON object", path);
      nook_error_hint (err, "give the OCI LinuxResources, e.g. {\"pids\": {\"limit\": 100}}");
      return NULL;
    }
  return o;
}

/* One flag's value into RES.SECTION.KEY.  */
static int
set_flag (json_object *res, size_t f, const char *value, struct nook_error *err)
{
  json_object *section, *v;
  uint64_t u;

  if (flags[f].kind == K_IGNORED)
    {
      oci_log (OCI_LOG_WARNING, "update: --%s ignored: cgroup v2 has no such limit",
               oci_update_options[f].name);
      return 0;
    }
  if (flags[f].kind == K_STRING)
    v = json_object_new_string (value);
  else if (strcmp (value, "-1") == 0)
    v = json_object_new_int64 (-1);
  else if ((flags[f].kind == K_SIZE ? nook_parse_size (value, &u) : nook_parse_uint (value, INT64_MAX, &u))
               == 0
           && u <= INT64_MAX)
    v = json_object_new_int64 ((int64_t)u);
  else
    {
      nook_error_set (err, 0, "update: --%s `%s`: %s", oci_update_options[f].name, value,
                      flags[f].kind == K_SIZE ? "a size (e.g. 512m) or -1" : "a number or -1");
      return -1;
    }
  if (!json_object_object_get_ex (res, flags[f].section, &section)
      || !json_object_is_type (section, json_type_object))
    {
      section = json_object_new_object ();
      json_object_object_add (res, flags[f].section, section);
    }
  json_object_object_add (section, flags[f].key, v);
  return 0;
}

/* memory.swap is memory plus swap: without a new memory.limit, the
   cgroup's current memory.max is the memory part, as runc reads it.  */
static void
add_current_memory (json_object *res, const char *dir)
{
  json_object *memory, *v;
  cleanup_close int fd = -1;
  cleanup_free char *text = NULL;
  uint64_t cur;

  if (!json_object_object_get_ex (res, "memory", &memory) || !json_object_is_type (memory, json_type_object)
      || !json_object_object_get_ex (memory, "swap", &v) || json_object_object_get_ex (memory, "limit", &v))
    return;
  fd = nook_cgroup_open_dir (dir, NULL);
  if (fd < 0 || nook_read_file_at (fd, "memory.max", &text, NULL, NULL) < 0)
    return;
  text[strcspn (text, "\n")] = '\0';
  if (strcmp (text, "max") == 0)
    json_object_object_add (memory, "limit", json_object_new_int64 (-1));
  else if (nook_parse_uint (text, INT64_MAX, &cur) == 0)
    json_object_object_add (memory, "limit", json_object_new_int64 ((int64_t)cur));
}

/* The document the options describe; with READ false, the flags' only
   (--resources not read).  */
static json_object *
parse_update (int argc, char **argv, bool read, int *first, struct nook_error *err)
{
  struct oci_arg args[64];
  json_object *res = NULL;
  size_t n;

  _Static_assert(N_FLAGS + 1 == sizeof oci_update_options / sizeof oci_update_options[0],
                 "every option of update has its place in flags[]");
  *first = oci_parse (oci_update_options, argc, argv, args, 64, &n, err);
  if (*first < 0 || oci_check_args ("update", argc - *first, 1, 1, err) < 0)
    return NULL;
  for (size_t i = 0; i < n; i++)
    if (args[i].id == 0 && read)
      {
        json_object_put (res);
        if ((res = read_resources (args[i].value, err)) == NULL)
          return NULL;
      }
  if (res == NULL)
    res = json_object_new_object ();
  for (size_t i = 0; i < n; i++)
    if (args[i].id != 0 && set_flag (res, args[i].id, args[i].value, err) < 0)
      {
        json_object_put (res);
        return NULL;
      }
  return res;
}

int
oci_check_update (int argc, char **argv, struct nook_error *err)
{
  int first;
  json_object *res = parse_update (argc, argv, false, &first, err);

  json_object_put (res);
  return res ? 0 : -1;
}

int
oci_cmd_update (int argc, char **argv, struct nook_error *err)
{
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  struct nook_limits limits = { 0 };
  int first, r = -1;
  json_object *res = parse_update (argc, argv, true, &first, err);

  if (res == NULL)
    return -1;
  if (oci_open_root (&root, err) < 0 || nook_oci_container_load (&root, argv[first], &c, err) < 0)
    goto out;
  if (c.cgroup)
    add_current_memory (res, c.cgroup);
  /* Bad values first: they are wrong wherever the container runs.  */
  if (nook_oci_resources_parse (res, "resources", &limits, err) < 0)
    {
      nook_error_wrap (err, "update");
      goto out;
    }
  if (c.cgroup == NULL)
    {
      nook_error_set (err, 0, "update: container `%s` has no cgroup of its own to update", c.id);
      nook_error_hint (err, "it runs without one where no cgroup v2 tree is delegated to the caller (see man "
                            "nook-oci, CGROUPS)");
      goto out;
    }
  if (nook_cgroup_update (c.cgroup, &limits, err) < 0)
    {
      nook_error_wrap (err, "update: container `%s`", c.id);
      goto out;
    }
  oci_log (OCI_LOG_DEBUG, "container `%s`: cgroup %s updated", c.id, c.cgroup);
  r = 0;
out:
  nook_limits_free (&limits);
  json_object_put (res);
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}
