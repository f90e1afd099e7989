/* nook-oci features and spec: the runtime-spec's features document
 * (what this runtime accepts in config.json), and the default config
 * `runc spec` writes for a new bundle.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/utils.h"
#include "oci-cli.h"

/* What the features document lists: the hooks run, the mount options,
   namespaces and seccomp actions and operators config.json may use.  */
static const char *const hooks[]
    = { "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop", NULL };
static const char *const mount_options[]
    = { "bind",   "rbind",   "ro",       "rw",   "dev",  "nodev", "nosuid",
        "noexec", "private", "rprivate", "mode", "size", NULL };
static const char *const namespaces[]
    = { "pid", "network", "ipc", "uts", "mount", "user", "cgroup", "time", NULL };
static const char *const seccomp_actions[]
    = { "SCMP_ACT_ALLOW",       "SCMP_ACT_ERRNO", "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS",
        "SCMP_ACT_KILL_THREAD", "SCMP_ACT_LOG",   "SCMP_ACT_TRAP", NULL };
static const char *const seccomp_operators[]
    = { "SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",        "SCMP_CMP_EQ",
        "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ", NULL };

static json_object *
strv_json (const char *const *list)
{
  json_object *a = json_object_new_array ();

  for (size_t i = 0; list[i]; i++)
    json_object_array_add (a, json_object_new_string (list[i]));
  return a;
}

/* {"enabled": ON}  */
static json_object *
enabled_json (bool on)
{
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "enabled", json_object_new_boolean (on));
  return o;
}

/* Every capability libcap knows, named as config.json names them
   (CAP_SYS_ADMIN).  */
static json_object *
capabilities_json (void)
{
  json_object *a = json_object_new_array ();

  for (int cap = 0; cap < cap_max_bits (); cap++)
    {
      char *cn = cap_to_name (cap);
      char buf[64];
      if (cn && strncmp (cn, "cap_", 4) == 0)
        {
          snprintf (buf, sizeof buf, "CAP_%s", cn + 4);
          for (char *p = buf; *p; p++)
            if (*p >= 'a' && *p <= 'z')
              *p -= 32;
          json_object_array_add (a, json_object_new_string (buf));
        }
      cap_free (cn);
    }
  return a;
}

/* cgroup v2 only, made by cgroupfs or systemd.  */
static json_object *
cgroup_json (void)
{
  json_object *cg = json_object_new_object ();

  json_object_object_add (cg, "v1", json_object_new_boolean (0));
  json_object_object_add (cg, "v2", json_object_new_boolean (1));
  json_object_object_add (cg, "systemd", json_object_new_boolean (1));
  json_object_object_add (cg, "systemdUser", json_object_new_boolean (1));
  return cg;
}

/* The features' "linux" section; AppArmor and SELinux are not used.  */
static json_object *
linux_json (void)
{
  json_object *linux_ = json_object_new_object ();
  json_object *seccomp = enabled_json (true);

  json_object_object_add (linux_, "namespaces", strv_json (namespaces));
  json_object_object_add (linux_, "capabilities", capabilities_json ());
  json_object_object_add (linux_, "cgroup", cgroup_json ());
  json_object_object_add (seccomp, "actions", strv_json (seccomp_actions));
  json_object_object_add (seccomp, "operators", strv_json (seccomp_operators));
  json_object_object_add (linux_, "seccomp", seccomp);
  json_object_object_add (linux_, "apparmor", enabled_json (false));
  json_object_object_add (linux_, "selinux", enabled_json (false));
  return linux_;
}

/* The runtime-spec's features document (features.md): what this runtime
   accepts in config.json.  */
int
oci_cmd_features (int argc, char **argv, struct nook_error *err)
{
  json_object *o, *ann;

  if (oci_check_none (argc, argv, err) < 0)
    return -1;
  o = json_object_new_object ();
  json_object_object_add (o, "ociVersionMin", json_object_new_string ("1.0.0"));
  json_object_object_add (o, "ociVersionMax", json_object_new_string ("1.2.0"));
  json_object_object_add (o, "hooks", strv_json (hooks));
  json_object_object_add (o, "mountOptions", strv_json (mount_options));
  json_object_object_add (o, "linux", linux_json ());
  ann = json_object_new_object ();
  json_object_object_add (ann, "org.opencontainers.runc.checkpoint.enabled",
                          json_object_new_string ("false"));
  json_object_object_add (ann, "io.github.nook.oci.cgroups", json_object_new_string ("v2-where-delegated"));
  json_object_object_add (o, "annotations", ann);
  return oci_print_json (o);
}

/* The default config of `runc spec`, for busybox-like bundles: rootfs,
   sh, the usual mounts, masked and read-only paths.  */
static const char default_spec[]
    = "{\n"
      "  \"ociVersion\": \"1.2.0\",\n"
      "  \"process\": {\n"
      "    \"terminal\": true,\n"
      "    \"user\": { \"uid\": 0, \"gid\": 0 },\n"
      "    \"args\": [ \"sh\" ],\n"
      "    \"env\": [ \"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\", \"TERM=xterm\" "
      "],\n"
      "    \"cwd\": \"/\",\n"
      "    \"capabilities\": {\n"
      "      \"bounding\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
      "      \"effective\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ],\n"
      "      \"permitted\": [ \"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\" ]\n"
      "    },\n"
      "    \"rlimits\": [ { \"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024 } ],\n"
      "    \"noNewPrivileges\": true\n"
      "  },\n"
      "  \"root\": { \"path\": \"rootfs\", \"readonly\": true },\n"
      "  \"hostname\": \"nook\",\n"
      "  \"mounts\": [\n"
      "    { \"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\" },\n"
      "    { \"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [ "
      "\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\" ] },\n"
      "    { \"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\", \"options\": [ "
      "\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\" ] },\n"
      "    { \"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\", \"options\": [ "
      "\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\" ] },\n"
      "    { \"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\", \"options\": [ "
      "\"nosuid\", \"noexec\", \"nodev\" ] },\n"
      "    { \"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\", \"options\": [ "
      "\"nosuid\", \"noexec\", \"nodev\", \"ro\" ] }\n"
      "  ],\n"
      "  \"linux\": {\n"
      "    \"namespaces\": [ { \"type\": \"pid\" }, { \"type\": \"network\" }, { \"type\": \"ipc\" }, { "
      "\"type\": \"uts\" }, { \"type\": \"mount\" }, { \"type\": \"cgroup\" } ],\n"
      "    \"maskedPaths\": [ \"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", \"/proc/keys\", "
      "\"/proc/latency_stats\", \"/proc/timer_list\", \"/proc/timer_stats\", \"/proc/sched_debug\", "
      "\"/sys/firmware\", \"/proc/scsi\" ],\n"
      "    \"readonlyPaths\": [ \"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\", "
      "\"/proc/sysrq-trigger\" ]\n"
      "  }\n"
      "}\n";

enum
{
  O_BUNDLE,
  O_FILE,
  O_ROOTLESS
};

const struct oci_opt oci_spec_options[] = {
  { "bundle", 'b', true, O_BUNDLE, "DIR", "write config.json there (default: .)" },
  { "file", 'f', true, O_FILE, "FILE", "write it to FILE (- for stdout)" },
  { "rootless", 0, false, O_ROOTLESS, NULL, NULL },
  { NULL, 0, false, 0, NULL, NULL },
};

static int
parse_spec (int argc, char **argv, const char **bundle, const char **file, struct nook_error *err)
{
  struct oci_arg args[8];
  size_t n;
  int first = oci_parse (oci_spec_options, argc, argv, args, 8, &n, err);

  if (first < 0 || oci_check_args ("spec", argc - first, 0, 0, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (args[i].id == O_BUNDLE)
      *bundle = args[i].value;
    else if (args[i].id == O_FILE)
      *file = args[i].value;
  return 0;
}

int
oci_check_spec (int argc, char **argv, struct nook_error *err)
{
  const char *bundle, *file;

  return parse_spec (argc, argv, &bundle, &file, err);
}

int
oci_cmd_spec (int argc, char **argv, struct nook_error *err)
{
  const char *bundle = ".", *file = NULL;
  cleanup_free char *path = NULL;
  cleanup_close int fd = -1;

  if (parse_spec (argc, argv, &bundle, &file, err) < 0)
    return -1;
  /* --rootless: the same config; a user gets a user namespace anyway.  */
  path = file && strcmp (file, "-") != 0 ? xstrdup (file) : xasprintf ("%s/config.json", bundle);
  if (file && strcmp (file, "-") == 0)
    {
      fputs (default_spec, stdout);
      return 0;
    }
  fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EEXIST)
    return nook_error_set (err, 0, "spec: `%s` exists already", path);
  if (fd < 0 || nook_write_all (fd, default_spec, sizeof default_spec - 1) < 0)
    return nook_error_errno (err, "spec: write `%s`", path);
  return 0;
}
