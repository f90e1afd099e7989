/* Unit tests: `nook run` option parsing into the spec.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd.h"
#include "lib/caller.h"
#include "lib/utils.h"

/* The CLI's other subcommands are linked in but not exercised here.  */

#include "run-parse.h"

static void
parses_identity_and_namespaces (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (parse (&spec, &err,
                           ARGV ("--uid", "1000", "--gid=100", "--map-users", "auto", "--share-net",
                                 "--share-ipc", "--hostname", "box", "--", "make", "-j2")),
                    0);
  assert_int_equal (spec.uid, 1000);
  assert_int_equal (spec.gid, 100);
  assert_int_equal (spec.map_mode, NOOK_MAP_AUTO);
  assert_true (spec.share & NOOK_NS_NET);
  assert_true (spec.share & NOOK_NS_IPC);
  assert_false (spec.share & NOOK_NS_PID);
  assert_string_equal (spec.hostname, "box");
  assert_string_equal (spec.argv[0], "make");
  assert_string_equal (spec.argv[1], "-j2");
  assert_null (spec.argv[2]);
  nook_spec_free (&spec);
}

static void
command_starts_at_first_non_option (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (parse (&spec, &err, ARGV ("-v", "ls", "--uid", "5")), 0);
  assert_int_equal (spec.verbose, 1);
  assert_int_equal (spec.uid, 0);
  assert_string_equal (spec.argv[0], "ls");
  assert_string_equal (spec.argv[1], "--uid");
  nook_spec_free (&spec);
}

static void
setenv_takes_two_arguments (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (
      parse (&spec, &err, ARGV ("--setenv", "A", "1 2", "--unsetenv", "B", "--keep-env", "env")), 0);
  assert_int_equal (spec.n_env_ops, 2);
  assert_string_equal (spec.env_ops[0].key, "A");
  assert_string_equal (spec.env_ops[0].value, "1 2");
  assert_string_equal (spec.env_ops[1].key, "B");
  assert_null (spec.env_ops[1].value);
  assert_true (spec.keep_env);
  nook_spec_free (&spec);
}

static void
expect_error (char **argv, const char *needle)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (parse (&spec, &err, argv), -1);
  assert_non_null (err.msg);
  if (strstr (err.msg, needle) == NULL)
    fail_msg ("`%s` lacks `%s`", err.msg, needle);
  assert_int_equal (err.status, NOOK_EXIT_ERROR);
  nook_error_release (&err);
  nook_spec_free (&spec);
}

static void
bad_input_is_refused_with_a_clear_message (void **state)
{
  expect_error (ARGV ("--frobnicate", "true"), "unknown option `--frobnicate`");
  expect_error (ARGV ("--uid"), "--uid needs");
  expect_error (ARGV ("--uid", "-1", "true"), "--uid needs a number");
  expect_error (ARGV ("--uid", "4294967295", "true"), "--uid needs a number");
  expect_error (ARGV ("--uid", "12x", "true"), "--uid needs a number");
  expect_error (ARGV ("--map-users", "some", "true"), "--map-users takes");
  expect_error (ARGV ("--setenv", "A"), "--setenv needs");
  expect_error (ARGV ("--setenv", "A=B", "C", "true"), "not a variable name");
  expect_error (ARGV ("--chdir", "rel", "true"), "absolute path");
  expect_error (ARGV ("--hostname", "x", "--share-uts", "true"), "--share-uts");
  expect_error (ARGV ("--rootfs-rw", "true"), "--rootfs-rw needs --rootfs");
  expect_error (ARGV ("-v"), "no command given");
  expect_error (ARGV ("--"), "no command given");
}

static void
environment_is_a_safe_set (void **state)
{
  struct nook_spec spec;
  char *caller[] = { "PATH=/usr/bin", "SECRET=1", "LC_ALL=C", "TERM=xterm", "SSH_AUTH_SOCK=/x", NULL };
  struct nook_caller who = { .home = "/home/u", .user = "u" };
  char **env;

  nook_spec_init (&spec);
  nook_spec_add_env (&spec, "A", "1");
  nook_spec_add_env (&spec, "TERM", NULL);
  env = nook_spec_build_env (&spec, &who, caller);
  {
    char joined[1024] = "";
    for (size_t i = 0; env[i]; i++)
      {
        strcat (joined, env[i]);
        strcat (joined, ";");
      }
    assert_non_null (strstr (joined, "PATH=/usr/bin;"));
    assert_non_null (strstr (joined, "LC_ALL=C;"));
    assert_non_null (strstr (joined, "HOME=/home/u;"));
    assert_non_null (strstr (joined, "USER=u;"));
    assert_non_null (strstr (joined, "HOSTNAME=nook;"));
    assert_non_null (strstr (joined, "A=1;"));
    assert_null (strstr (joined, "SECRET"));
    assert_null (strstr (joined, "SSH_AUTH_SOCK"));
    assert_null (strstr (joined, "TERM="));
  }
  strv_free (env);
  nook_spec_free (&spec);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (parses_identity_and_namespaces),
    cmocka_unit_test (command_starts_at_first_non_option),
    cmocka_unit_test (setenv_takes_two_arguments),
    cmocka_unit_test (bad_input_is_refused_with_a_clear_message),
    cmocka_unit_test (environment_is_a_safe_set),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
