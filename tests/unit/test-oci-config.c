/* Unit tests: an OCI config.json (and exec's process file) into struct
   nook_spec, without a system call.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <cmocka.h>

#include "lib/oci-config.h"
#include "lib/oci-resources.h"
#include "lib/utils.h"

#define USER ((struct nook_oci_caller){ .uid = 1000, .gid = 1000 })
#define ROOT ((struct nook_oci_caller){ .uid = 0, .gid = 0 })

/* A config with PROCESS_EXTRA inside process and EXTRA at the top level.  */
static char *
config (const char *process_extra, const char *extra)
{
  return xasprintf ("{\"ociVersion\": \"1.2.0\", \"process\": {\"args\": [\"sh\"], \"cwd\": \"/\"%s%s}, "
                    "\"root\": {\"path\": \"rootfs\"}%s%s}",
                    *process_extra ? ", " : "", process_extra, *extra ? ", " : "", extra);
}

static int
parse (const char *process_extra, const char *extra, struct nook_oci_caller caller, struct nook_spec *spec,
       struct nook_oci_config *cfg, struct nook_error *err)
{
  cleanup_free char *text = config (process_extra, extra);

  nook_spec_init (spec);
  return nook_oci_config_parse (text, "/b", &caller, spec, cfg, err);
}

static void
minimal_config (void **state)
{
  struct nook_spec spec;
  struct nook_oci_config cfg;
  struct nook_error err = { 0 };

  assert_int_equal (parse ("", "", USER, &spec, &cfg, &err), 0);
  assert_string_equal (spec.argv[0], "sh");
  assert_string_equal (spec.rootfs, "/b/rootfs");
  assert_true (spec.rootfs_rw);
  assert_true (spec.fs.bare_root);
  assert_true (spec.clear_env);
  /* No namespaces listed: the host's; a user namespace mapping the caller.  */
  assert_int_equal (spec.share & (NOOK_NS_NET | NOOK_NS_PID | NOOK_NS_IPC | NOOK_NS_UTS),
                    NOOK_NS_NET | NOOK_NS_PID | NOOK_NS_IPC | NOOK_NS_UTS);
  assert_int_equal (spec.map_mode, NOOK_MAP_SELF);
  /* No capabilities object: none.  */
  assert_true (spec.security.cap_drop_all);
  assert_int_equal (spec.security.cap_add, 0);
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
}

static void
process_fields (void **state)
{
  struct nook_spec spec;
  struct nook_oci_config cfg;
  struct nook_error err = { 0 };

  assert_int_equal (
      parse ("\"env\": [\"A=1\", \"B=x=y\"], \"user\": {\"uid\": 5, \"gid\": 6, \"additionalGids\": [7]},"
             "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 20}],"
             "\"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"], \"effective\": [\"CAP_KILL\"]},"
             "\"terminal\": true, \"consoleSize\": {\"width\": 80, \"height\": 24}, \"oomScoreAdj\": 100",
             "\"linux\": {\"namespaces\": [{\"type\": \"user\"}], \"uidMappings\": [{\"containerID\": 0, "
             "\"hostID\": 1000, \"size\": 1}, {\"containerID\": 1, \"hostID\": 100000, \"size\": 65536}],"
             "\"gidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]}",
             USER, &spec, &cfg, &err),
      0);
  assert_int_equal (spec.n_env_ops, 2);
  assert_string_equal (spec.env_ops[1].key, "B");
  assert_string_equal (spec.env_ops[1].value, "x=y");
  assert_int_equal (spec.uid, 5);
  assert_int_equal (spec.gid, 6);
  assert_int_equal (spec.n_groups, 1);
  assert_int_equal (spec.limits.n_rlimits, 1);
  assert_int_equal (spec.limits.rlimits[0].resource, RLIMIT_NOFILE);
  assert_int_equal (spec.limits.rlimits[0].hard, 20);
  assert_int_equal (spec.security.cap_add, UINT64_C (1) << 5); /* CAP_KILL */
  assert_true (spec.security.tty);
  assert_int_equal (cfg.console_width, 80);
  assert_true (spec.security.oom_score_adj_set);
  assert_int_equal (spec.map_mode, NOOK_MAP_EXPLICIT);
  assert_int_equal (spec.n_uid_map, 2);
  assert_int_equal (spec.uid_map[1].outside, 100000);
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
}

static void
root_maps_every_id (void **state)
{
  struct nook_spec spec;
  struct nook_oci_config cfg;
  struct nook_error err = { 0 };

  assert_int_equal (parse ("", "", ROOT, &spec, &cfg, &err), 0);
  assert_int_equal (spec.map_mode, NOOK_MAP_EXPLICIT);
  assert_int_equal (spec.n_uid_map, 1);
  assert_int_equal (spec.uid_map[0].count, UINT32_MAX);
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
}

static void
mounts_map_to_operations (void **state)
{
  struct nook_spec spec;
  struct nook_oci_config cfg;
  struct nook_error err = { 0 };

  assert_int_equal (
      parse ("",
             "\"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\"},"
             "{\"destination\": \"/dev\", \"type\": \"tmpfs\"},"
             "{\"destination\": \"/dev/pts\", \"type\": \"devpts\"},"
             "{\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"/srv\", \"options\": "
             "[\"rbind\", \"ro\"]},"
             "{\"destination\": \"/t\", \"type\": \"tmpfs\", \"options\": [\"size=1m\", \"mode=700\"]},"
             "{\"destination\": \"/sys\", \"type\": \"sysfs\"}],"
             "\"linux\": {\"namespaces\": [{\"type\": \"network\", \"path\": \"/run/netns/x\"}],"
             "\"maskedPaths\": [\"/proc/kcore\"], \"readonlyPaths\": [\"/proc/sys\"], \"sysctl\": "
             "{\"net.a\": \"1\"}}",
             USER, &spec, &cfg, &err),
      0);
  /* proc, /dev (nook's, with its own devpts: none more), the bind, the
     tmpfs, sysfs as a read-only bind, the mask, the read-only path.  */
  assert_int_equal (spec.n_mounts, 7);
  assert_int_equal (spec.mounts[0].kind, NOOK_MNT_PROC);
  assert_int_equal (spec.mounts[1].kind, NOOK_MNT_DEV);
  assert_int_equal (spec.mounts[2].kind, NOOK_MNT_BIND);
  assert_true (spec.mounts[2].flags & NOOK_MNT_F_RDONLY);
  assert_int_equal (spec.mounts[3].kind, NOOK_MNT_TMPFS);
  assert_int_equal (spec.mounts[3].size, 1024 * 1024);
  assert_int_equal (spec.mounts[3].mode, 0700);
  assert_int_equal (spec.mounts[4].kind, NOOK_MNT_BIND);
  assert_string_equal (spec.mounts[4].src, "/sys");
  assert_int_equal (spec.mounts[5].kind, NOOK_MNT_MASK);
  assert_int_equal (spec.mounts[6].kind, NOOK_MNT_REMOUNT_RO);
  assert_string_equal (spec.life.join_path[NOOK_JOIN_NET], "/run/netns/x");
  assert_string_equal (spec.sysctl[0], "net.a=1");
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
}

static void
hooks_and_seccomp (void **state)
{
  struct nook_spec spec;
  struct nook_oci_config cfg;
  struct nook_error err = { 0 };

  assert_int_equal (
      parse ("",
             "\"hooks\": {\"poststop\": [{\"path\": \"/bin/h\", \"args\": [\"h\", \"x\"], \"timeout\": 5}]},"
             "\"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\"}}",
             USER, &spec, &cfg, &err),
      0);
  assert_int_equal (cfg.n_hooks[NOOK_HOOK_POSTSTOP], 1);
  assert_string_equal (cfg.hooks[NOOK_HOOK_POSTSTOP][0].args[1], "x");
  assert_int_equal (cfg.hooks[NOOK_HOOK_POSTSTOP][0].timeout, 5);
  assert_non_null (strstr (cfg.seccomp, "SCMP_ACT_ALLOW"));
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
}

/* Each of these is refused with an error naming the field.  */
static void
bad_configs (void **state)
{
  static const char *const bad[][3] = {
    { "\"user\": {\"uid\": -1}", "", "uid" },
    { "\"env\": [\"NOEQUALS\"]", "", "env" },
    { "\"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, \"hard\": 1}]", "", "rlimits" },
    { "\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]", "", "rlimits" },
    { "\"terminal\": \"yes\"", "", "terminal" },
    { "", "\"mounts\": [{\"destination\": \"rel\", \"type\": \"tmpfs\"}]", "destination" },
    { "", "\"mounts\": [{\"destination\": \"/x\", \"type\": \"nfs\"}]", "nfs" },
    { "", "\"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}", "namespaces" },
    { "", "\"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}", "namespaces" },
    { "", "\"hostname\": \"h\"", "hostname" },
    { "", "\"hooks\": {\"prestart\": [{\"path\": \"relative\"}]}", "hooks" },
    { "", "\"linux\": {\"sysctl\": {\"a/../b\": \"1\"}}", "sysctl" },
  };

  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct nook_spec spec;
      struct nook_oci_config cfg;
      struct nook_error err = { 0 };

      assert_int_equal (parse (bad[i][0], bad[i][1], USER, &spec, &cfg, &err), -1);
      assert_non_null (err.msg);
      if (strstr (err.msg, bad[i][2]) == NULL)
        fail_msg ("case %zu: `%s` does not name `%s`", i, err.msg, bad[i][2]);
      nook_error_release (&err);
      nook_oci_config_free (&cfg);
      nook_spec_free (&spec);
    }
}

static void
not_json_or_wrong_version (void **state)
{
  struct nook_spec spec;
  struct nook_oci_config cfg;
  struct nook_error err = { 0 };
  struct nook_oci_caller caller = USER;

  nook_spec_init (&spec);
  assert_int_equal (nook_oci_config_parse ("{", "/b", &caller, &spec, &cfg, &err), -1);
  nook_error_release (&err);
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
  nook_spec_init (&spec);
  assert_int_equal (nook_oci_config_parse ("{\"ociVersion\": \"2.0\"}", "/b", &caller, &spec, &cfg, &err),
                    -1);
  assert_non_null (strstr (err.msg, "ociVersion"));
  nook_error_release (&err);
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
}

static void
process_file (void **state)
{
  struct nook_spec spec;
  struct nook_oci_config cfg = { 0 };
  struct nook_error err = { 0 };

  nook_spec_init (&spec);
  assert_int_equal (
      nook_oci_process_parse ("{\"args\": [\"ls\", \"-l\"], \"cwd\": \"/tmp\", \"env\": [\"X=1\"]}", &spec,
                              &cfg, &err),
      0);
  assert_string_equal (spec.argv[1], "-l");
  assert_string_equal (spec.chdir, "/tmp");
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
  nook_spec_init (&spec);
  assert_int_equal (nook_oci_process_parse ("{\"args\": [], \"cwd\": \"/\"}", &spec, &cfg, &err), -1);
  nook_error_release (&err);
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
}

/* linux.resources: runc's and crun's conversions to cgroup v2 values.  */
static void
resources_convert (void **state)
{
  (void)state;
  static const uint64_t weights[][2]
      = { { 0, 0 },      { 2, 1 },       { 3, 2 },         { 512, 59 },      { 1024, 100 },
          { 2048, 174 }, { 10000, 627 }, { 100000, 4340 }, { 260000, 9929 }, { 262144, 10000 } };
  struct nook_spec spec;
  struct nook_oci_config cfg = { 0 };
  struct nook_error err = { 0 };
  uint64_t swap;
  bool set;

  for (size_t i = 0; i < sizeof weights / sizeof weights[0]; i++)
    assert_int_equal (nook_oci_cpu_weight (weights[i][0]), weights[i][1]);
  /* memory.swap is memory plus swap.  */
  assert_int_equal (nook_oci_swap_max (300, 100, &swap, &set, &err), 0);
  assert_true (set);
  assert_int_equal (swap, 200);
  assert_int_equal (nook_oci_swap_max (-1, 100, &swap, &set, &err), 0);
  assert_true (swap == NOOK_LIM_MAX);
  assert_int_equal (nook_oci_swap_max (0, -1, &swap, &set, &err), 0);
  assert_true (set && swap == NOOK_LIM_MAX);
  assert_int_equal (nook_oci_swap_max (0, 100, &swap, &set, &err), 0);
  assert_false (set);
  assert_int_equal (nook_oci_swap_max (50, 100, &swap, &set, &err), -1);
  nook_error_release (&err);
  assert_int_equal (nook_oci_swap_max (50, 0, &swap, &set, &err), -1);
  nook_error_release (&err);

  assert_int_equal (parse ("",
                           "\"linux\": {\"resources\": {\"memory\": {\"limit\": 1048576, \"reservation\": "
                           "4096, \"swap\": 2097152}, \"cpu\": {\"shares\": 1024, \"quota\": -1, "
                           "\"period\": 50000, \"cpus\": \"0-1\"}, \"pids\": {\"limit\": -1}, "
                           "\"blockIO\": {\"weight\": 1000}, \"hugepageLimits\": [{\"pageSize\": "
                           "\"2MB\", \"limit\": 0}], \"unified\": {\"memory.high\": \"max\"}}}",
                           USER, &spec, &cfg, &err),
                    0);
  assert_true (cfg.has_resources);
  assert_int_equal (spec.limits.memory_max, 1048576);
  assert_int_equal (spec.limits.memory_low, 4096);
  assert_int_equal (spec.limits.memory_swap_max, 1048576);
  assert_int_equal (spec.limits.cpu_weight, 100);
  assert_true (spec.limits.cpu_quota_us == NOOK_LIM_MAX);
  assert_int_equal (spec.limits.cpu_period_us, 50000);
  assert_string_equal (spec.limits.cpuset_cpus, "0-1");
  assert_true (spec.limits.pids_max == NOOK_LIM_MAX);
  assert_int_equal (spec.limits.io_weight, 10000);
  assert_int_equal (spec.limits.n_files, 2);
  assert_string_equal (spec.limits.files[0].name, "hugetlb.2MB.max");
  assert_string_equal (spec.limits.files[1].name, "memory.high");
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);

  /* Names that are no interface file of the container's own cgroup.  */
  assert_false (nook_cg_file_name_valid ("../memory.max"));
  assert_false (nook_cg_file_name_valid ("sandbox/memory.max"));
  assert_false (nook_cg_file_name_valid ("cgroup.procs"));
  assert_false (nook_cg_file_name_valid ("memory"));
  assert_false (nook_cg_file_name_valid (""));
  assert_true (nook_cg_file_name_valid ("memory.high"));
  assert_true (nook_cg_file_name_valid ("cgroup.freeze"));
}

/* A member of the wrong type, in config.json or in linux.resources (which
   `nook-oci update --resources` reads too): one reader, one wording, the
   field named each producer's way.  */
static void
wrong_types_one_wording (void **state)
{
  static const char *const cases[][3] = {
    { "\"user\": {\"uid\": \"0\"}", "", "config.json: `uid` must be an integer" },
    { "\"terminal\": 1", "", "config.json: `terminal` must be true or false" },
    { "", "\"linux\": {\"resources\": {\"pids\": {\"limit\": \"1\"}}}",
      "`linux.resources.pids.limit` must be an integer" },
    { "", "\"linux\": {\"resources\": {\"memory\": []}}", "`linux.resources.memory` must be an object" },
    { "", "\"linux\": {\"resources\": {\"cpu\": {\"cpus\": 1}}}",
      "`linux.resources.cpu.cpus` must be a string" },
  };
  struct limits_doc
  {
    const char *json, *msg;
  } update = { "{\"hugepageLimits\": {}}", "`resources.hugepageLimits` must be an array" };
  struct nook_limits limits = { 0 };
  struct nook_error err = { 0 };
  json_object *res;

  (void)state;
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct nook_spec spec;
      struct nook_oci_config cfg;

      assert_int_equal (parse (cases[i][0], cases[i][1], USER, &spec, &cfg, &err), -1);
      if (err.msg == NULL || strstr (err.msg, cases[i][2]) == NULL)
        fail_msg ("case %zu: `%s`, not `%s`", i, err.msg ? err.msg : "(none)", cases[i][2]);
      nook_error_release (&err);
      nook_oci_config_free (&cfg);
      nook_spec_free (&spec);
    }
  res = json_tokener_parse (update.json);
  assert_int_equal (nook_oci_resources_parse (res, "resources", &limits, &err), -1);
  if (err.msg == NULL || strstr (err.msg, update.msg) == NULL)
    fail_msg ("`%s`, not `%s`", err.msg ? err.msg : "(none)", update.msg);
  nook_error_release (&err);
  nook_limits_free (&limits);
  json_object_put (res);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (minimal_config),
    cmocka_unit_test (process_fields),
    cmocka_unit_test (root_maps_every_id),
    cmocka_unit_test (mounts_map_to_operations),
    cmocka_unit_test (hooks_and_seccomp),
    cmocka_unit_test (bad_configs),
    cmocka_unit_test (not_json_or_wrong_version),
    cmocka_unit_test (process_file),
    cmocka_unit_test (resources_convert),
    cmocka_unit_test (wrong_types_one_wording),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
