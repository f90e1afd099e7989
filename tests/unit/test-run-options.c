/* Unit tests: `nook run` option parsing into the spec.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd.h"
#include "lib/caller.h"
#include "lib/utils.h"
#include "options.h"

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

  assert_int_equal (parse (&spec, &err, ARGV ("--verbose", "ls", "--uid", "5")), 0);
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
  expect_error (ARGV ("--verbose"), "no command given");
  expect_error (ARGV ("--"), "no command given");
}

/* A step with no key clears what came before it (bubblewrap's --clearenv),
   the caller's environment included; later steps apply.  */
static void
environment_clear_step_drops_what_came_before (void **state)
{
  struct nook_spec spec;
  char *caller[] = { "PATH=/usr/bin", "SECRET=1", NULL };
  struct nook_caller who = { .home = "/home/u", .user = "u" };
  char **env;

  nook_spec_init (&spec);
  spec.keep_env = true;
  nook_spec_add_env (&spec, "A", "1");
  nook_spec_add_env (&spec, NULL, NULL);
  nook_spec_add_env (&spec, "B", "2");
  env = nook_spec_build_env (&spec, &who, caller);
  assert_string_equal (env[0], "B=2");
  assert_null (env[1]);
  strv_free (env);
  nook_spec_free (&spec);
  (void)state;
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

static void
short_forms_combine_as_podmans (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (parse (&spec, &err,
                           ARGV ("-it", "-eA=1", "-e", "B=2", "-e=C=3", "-w", "/srv", "-u", "1000:100",
                                 "-p8080:80", "--net", "slirp4netns", "--name", "box", "--rm", "--", "sh")),
                    0);
  assert_true (spec.security.tty);
  assert_int_equal (spec.n_env_ops, 3);
  assert_string_equal (spec.env_ops[0].key, "A");
  assert_string_equal (spec.env_ops[0].value, "1");
  assert_string_equal (spec.env_ops[1].value, "2");
  assert_string_equal (spec.env_ops[2].key, "C");
  assert_string_equal (spec.env_ops[2].value, "3");
  assert_string_equal (spec.chdir, "/srv");
  assert_int_equal (spec.uid, 1000);
  assert_int_equal (spec.gid, 100);
  assert_int_equal (spec.net.n_ports, 1);
  assert_int_equal (spec.net.ports[0].host_port, 8080);
  assert_string_equal (spec.name, "box");
  assert_int_equal (spec.life.remove, 1);
  assert_string_equal (spec.argv[0], "sh");
  nook_spec_free (&spec);

  /* podman's --rm=true.  */
  assert_int_equal (parse (&spec, &err, ARGV ("--rm=true", "true")), 0);
  assert_int_equal (spec.life.remove, 1);
  nook_spec_free (&spec);

  /* -u UID alone keeps the gid; -d with neither -t nor -i is fine.  */
  assert_int_equal (parse (&spec, &err, ARGV ("-du", "7", "true")), 0);
  assert_true (spec.life.detach);
  assert_int_equal (spec.uid, 7);
  assert_int_equal (spec.gid, 0);
  nook_spec_free (&spec);
}

static void
dash_v_is_a_volume (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (
      parse (&spec, &err, ARGV ("-v", "/src:/dst:ro", "--volume=/a:/b", "-v/c:/d:rw,z", "true")), 0);
  assert_int_equal (spec.verbose, 0);
  assert_int_equal (spec.n_mounts, 3);
  assert_int_equal (spec.mounts[0].kind, NOOK_MNT_BIND);
  assert_string_equal (spec.mounts[0].src, "/src");
  assert_string_equal (spec.mounts[0].dest, "/dst");
  assert_true (spec.mounts[0].flags & NOOK_MNT_F_RDONLY);
  assert_false (spec.mounts[1].flags & NOOK_MNT_F_RDONLY);
  assert_string_equal (spec.mounts[2].src, "/c");
  assert_false (spec.mounts[2].flags & NOOK_MNT_F_RDONLY);
  nook_spec_free (&spec);

  /* A relative SRC is the caller's directory's.  */
  assert_int_equal (parse (&spec, &err, ARGV ("-v", "./x:/x", "true")), 0);
  assert_true (spec.mounts[0].src[0] == '/');
  assert_non_null (strstr (spec.mounts[0].src, "/./x"));
  nook_spec_free (&spec);
}

static void
env_file_and_caller_values (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };
  char path[] = "/tmp/nook-unit-env.XXXXXX";
  int fd = mkstemp (path);
  const char text[] = "# comment\n\n  A=from-file\nB=b c\nNOOK_UNIT_CALLER\nNOOK_UNIT_UNSET\n";

  assert_true (fd >= 0);
  assert_int_equal (write (fd, text, sizeof text - 1), (ssize_t)sizeof text - 1);
  close (fd);
  setenv ("NOOK_UNIT_CALLER", "caller", 1);
  unsetenv ("NOOK_UNIT_UNSET");
  /* -e wins over --env-file, given before or after it (podman's order).  */
  assert_int_equal (
      parse (&spec, &err, ARGV ("-e", "A=flag", "--env-file", path, "-e", "NOOK_UNIT_CALLER", "true")), 0);
  assert_int_equal (spec.n_env_ops, 4);
  assert_string_equal (spec.env_ops[0].key, "A");
  assert_string_equal (spec.env_ops[0].value, "flag");
  assert_string_equal (spec.env_ops[1].key, "B");
  assert_string_equal (spec.env_ops[1].value, "b c");
  assert_string_equal (spec.env_ops[2].key, "NOOK_UNIT_CALLER");
  assert_string_equal (spec.env_ops[2].value, "caller");
  assert_string_equal (spec.env_ops[3].value, "caller");
  nook_spec_free (&spec);
  unlink (path);

  /* K* passes every caller variable named K...  */
  setenv ("NOOK_UNIT_GLOB_A", "a", 1);
  setenv ("NOOK_UNIT_GLOB_B", "b", 1);
  assert_int_equal (parse (&spec, &err, ARGV ("-e", "NOOK_UNIT_GLOB_*", "true")), 0);
  assert_int_equal (spec.n_env_ops, 2);
  assert_int_equal (strncmp (spec.env_ops[0].key, "NOOK_UNIT_GLOB_", 15), 0);
  assert_int_equal (strncmp (spec.env_ops[1].key, "NOOK_UNIT_GLOB_", 15), 0);
  nook_spec_free (&spec);
}

static void
did_you_mean (void **state)
{
  expect_error (ARGV ("--network", "slirp4netns", "true"), "did you mean `--net`?");
  expect_error (ARGV ("--hostnme", "x", "true"), "did you mean `--hostname`?");
  expect_error (ARGV ("--evn", "A=1", "true"), "did you mean `--env`?");
  expect_error (ARGV ("--userns", "keep-id", "true"), "--map-users");
  expect_error (ARGV ("--privileged", "true"), "--cap-add ALL --seccomp unconfined");
  expect_error (ARGV ("-itx", "true"), "unknown option `-x` in `-itx`");
  expect_error (ARGV ("--zzzzzzzz", "true"), "see `nook run --help`");
  assert_int_equal (nook_edit_distance ("evn", "env"), 1);
  assert_int_equal (nook_edit_distance ("network", "net"), 4);
}

static void
podman_forms_refused_clearly (void **state)
{
  expect_error (ARGV ("-d", "-i", "true"), "-d cannot be combined with -i alone");
  expect_error (ARGV ("-v", "data:/data", "true"), "nook has no named volumes");
  expect_error (ARGV ("-v", "/data", "true"), "use SRC:DEST");
  expect_error (ARGV ("-v", "/a:/b:O", "true"), "option `O` is not supported");
  expect_error (ARGV ("-u", "a/b", "true"), "--user `a/b`: use USER or USER:GROUP");
  expect_error (ARGV ("-u", ":x", "true"), "--user `:x`: use USER or USER:GROUP");
  expect_error (ARGV ("-w", "rel", "true"), "-w needs an absolute path");
  expect_error (ARGV ("-e", "=x", "true"), "not K=V");
  expect_error (ARGV ("-e"), "-e needs K=V");
  expect_error (ARGV ("--env-file", "/nonexistent/env", "true"), "--env-file `/nonexistent/env`");
  expect_error (ARGV ("--rm=yes", "true"), "--rm takes no value");
}

/* Every subcommand's --help is made from its tables: its usage, and a
   line for each option it accepts.  */
static void
every_subcommand_has_help (void **state)
{
  for (size_t i = 0; nook_subcommands[i].def; i++)
    {
      const struct nook_command *cmd = nook_subcommands[i].def;
      char *text = NULL, *usage;
      size_t size = 0;
      FILE *out;

      out = open_memstream (&text, &size);
      nook_command_usage (out, cmd);
      fclose (out);
      usage = xasprintf ("Usage: nook %s", cmd->name);
      if (strncmp (text, usage, strlen (usage)) != 0)
        fail_msg ("`%s --help` starts `%.40s`", cmd->name, text);
      assert_non_null (strstr (text, "-h, --help"));
      for (size_t g = 0; cmd->groups && cmd->groups[g]; g++)
        for (const struct nook_option *o = cmd->groups[g]->options; o->name; o++)
          {
            cleanup_free char *line = xasprintf ("--%s%s", o->name, o->nargs < 0 ? "[" : " ");
            bool listed = strstr (text, line) != NULL;
            if (listed != (nook_command_find_option (cmd, o->name) != NULL))
              fail_msg ("`%s --help` %s --%s", cmd->name, listed ? "lists the excluded" : "lacks", o->name);
          }
      free (usage);
      free (text);
    }
}

/* nook try lists and takes nook run's options that make sense for it.  */
static void
try_takes_run_options (void **state)
{
  static const char *const taken[]
      = { "net",        "publish", "tty",     "cap-add", "cap-drop", "seccomp", "memory",
          "pids-limit", "bind",    "ro-bind", "volume",  "env",      "workdir", NULL };
  static const char *const refused[]
      = { "rootfs", "rootfs-rw", "layer", "upper", "layers-at", "detach", NULL };

  for (size_t i = 0; taken[i]; i++)
    if (nook_command_find_option (&nook_try_command, taken[i]) == NULL)
      fail_msg ("nook try does not take --%s", taken[i]);
  for (size_t i = 0; refused[i]; i++)
    if (nook_command_find_option (&nook_try_command, refused[i]) != NULL)
      fail_msg ("nook try takes --%s", refused[i]);
}

/* Options after the operands, as podman's `rm NAME -f`: the operands end
   up after the options; --help anywhere is help, never a name.  */
static void
interspersed_operands (void **state)
{
  struct nook_error err = { 0 };
  bool force = false;
  char *argv[] = { "rm", "a", "-f", "b", "--", "-c", NULL };
  const struct nook_option_group *const *groups = nook_rm_command.groups;
  int i;

  assert_non_null (groups);
  i = nook_command_parse (&nook_rm_command, 6, argv, NULL, &force, &err);
  assert_int_equal (i, 3);
  assert_true (force);
  assert_string_equal (argv[3], "a");
  assert_string_equal (argv[4], "b");
  assert_string_equal (argv[5], "-c");
  {
    char *help[] = { "rm", "box", "--help", NULL };
    FILE *saved = stdout;
    stdout = fopen ("/dev/null", "w");
    i = nook_command_parse (&nook_rm_command, 3, help, NULL, &force, &err);
    fclose (stdout);
    stdout = saved;
    assert_int_equal (i, 0);
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (parses_identity_and_namespaces),
    cmocka_unit_test (command_starts_at_first_non_option),
    cmocka_unit_test (setenv_takes_two_arguments),
    cmocka_unit_test (bad_input_is_refused_with_a_clear_message),
    cmocka_unit_test (environment_clear_step_drops_what_came_before),
    cmocka_unit_test (environment_is_a_safe_set),
    cmocka_unit_test (short_forms_combine_as_podmans),
    cmocka_unit_test (dash_v_is_a_volume),
    cmocka_unit_test (env_file_and_caller_values),
    cmocka_unit_test (did_you_mean),
    cmocka_unit_test (podman_forms_refused_clearly),
    cmocka_unit_test (every_subcommand_has_help),
    cmocka_unit_test (try_takes_run_options),
    cmocka_unit_test (interspersed_operands),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
