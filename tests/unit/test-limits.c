/* Unit tests: resource limit options into struct nook_limits, and the
   controllers they need.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd.h"
#include "lib/cgroup.h"
#include "lib/utils.h"

#include "run-parse.h"

static void
no_limit_needs_no_controller (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (parse (&spec, &err, ARGV ("--", "true")), 0);
  assert_int_equal (spec.limits.set, 0);
  assert_int_equal (nook_limits_controllers (&spec.limits), 0);
  nook_spec_free (&spec);
}

static void
sizes_take_suffixes (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (
      parse (&spec, &err, ARGV ("--memory", "10m", "--memory-high=512k", "--memory-swap", "0", "--", "true")),
      0);
  assert_int_equal (spec.limits.memory_max, 10 << 20);
  assert_int_equal (spec.limits.memory_high, 512 << 10);
  assert_int_equal (spec.limits.memory_swap_max, 0);
  assert_int_equal (spec.limits.set, NOOK_LIM_MEMORY | NOOK_LIM_MEMORY_HIGH | NOOK_LIM_MEMORY_SWAP);
  assert_int_equal (nook_limits_controllers (&spec.limits), NOOK_CG_MEMORY);
  nook_spec_free (&spec);
}

static void
cpus_become_a_quota_per_period (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (parse (&spec, &err, ARGV ("--cpus", "0.2", "--cpu-weight", "512", "--", "true")), 0);
  assert_int_equal (spec.limits.cpu_quota_us, 20000);
  assert_int_equal (spec.limits.cpu_weight, 512);
  nook_spec_free (&spec);
  assert_int_equal (parse (&spec, &err, ARGV ("--cpus", "1.5", "--", "true")), 0);
  assert_int_equal (spec.limits.cpu_quota_us, 150000);
  assert_int_equal (nook_limits_controllers (&spec.limits), NOOK_CG_CPU);
  nook_spec_free (&spec);
}

static void
each_limit_needs_its_controller (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (
      parse (&spec, &err,
             ARGV ("--pids-limit", "64", "--io-weight", "50", "--cpuset-cpus", "0-1,3", "--", "true")),
      0);
  assert_int_equal (spec.limits.pids_max, 64);
  assert_int_equal (spec.limits.io_weight, 50);
  assert_string_equal (spec.limits.cpuset_cpus, "0-1,3");
  assert_int_equal (nook_limits_controllers (&spec.limits), NOOK_CG_PIDS | NOOK_CG_IO | NOOK_CG_CPUSET);
  nook_spec_free (&spec);
}

static void
bad_limits_are_refused (void **state)
{
  static const char *const bad[][2] = {
    { "--memory", "0" },
    { "--memory", "ten" },
    { "--memory-high", "-1" },
    { "--cpus", "0" },
    { "--cpus", "1,5" },
    { "--cpus", "" },
    { "--cpu-weight", "0" },
    { "--cpu-weight", "10001" },
    { "--pids-limit", "0" },
    { "--io-weight", "20000" },
    { "--cpuset-cpus", "a" },
    { "--cpuset-cpus", "1-" },
    { "--cpuset-cpus", ",1" },
    { "--device-read-bps", "/dev/null" },
    { "--device-write-bps", "/dev/null:1m" },
  };
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    {
      struct nook_spec spec;
      struct nook_error err = { 0 };
      assert_int_equal (parse (&spec, &err, ARGV ((char *)bad[i][0], (char *)bad[i][1], "--", "true")), -1);
      assert_non_null (strstr (err.msg, bad[i][0]));
      nook_error_release (&err);
      nook_spec_free (&spec);
    }
}

static void
controller_names_are_spelled_as_the_kernel_does (void **state)
{
  assert_string_equal (nook_cgroup_controller_names (NOOK_CG_CPU | NOOK_CG_MEMORY | NOOK_CG_PIDS),
                       "cpu memory pids");
  assert_string_equal (nook_cgroup_controller_names (NOOK_CG_IO | NOOK_CG_CPUSET), "io cpuset");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (no_limit_needs_no_controller),
    cmocka_unit_test (sizes_take_suffixes),
    cmocka_unit_test (cpus_become_a_quota_per_period),
    cmocka_unit_test (each_limit_needs_its_controller),
    cmocka_unit_test (bad_limits_are_refused),
    cmocka_unit_test (controller_names_are_spelled_as_the_kernel_does),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
