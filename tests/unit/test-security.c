/* Unit tests: capability names and sets, the seccomp policy reader, the
   security options of `nook run`.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/caps.h"
#include "lib/seccomp.h"
#include "lib/security.h"
#include "lib/spec.h"
#include "lib/utils.h"

#define BIT(c) (UINT64_C (1) << (c))

static void
cap_names_with_or_without_prefix (void **state)
{
  int cap = -1;

  assert_int_equal (nook_cap_parse ("NET_ADMIN", &cap), 0);
  assert_int_equal (cap, CAP_NET_ADMIN);
  assert_int_equal (nook_cap_parse ("CAP_SYS_ADMIN", &cap), 0);
  assert_int_equal (cap, CAP_SYS_ADMIN);
  assert_int_equal (nook_cap_parse ("cap_chown", &cap), 0);
  assert_int_equal (cap, CAP_CHOWN);
  assert_int_equal (nook_cap_parse ("Kill", &cap), 0);
  assert_int_equal (cap, CAP_KILL);
  assert_int_equal (nook_cap_parse ("NET_FLY", &cap), -1);
  assert_int_equal (nook_cap_parse ("12", &cap), -1);
  assert_int_equal (nook_cap_parse ("", &cap), -1);
  assert_int_equal (nook_cap_parse ("CAP_", &cap), -1);
}

static uint64_t
caps_of (uid_t uid, uint64_t add, uint64_t drop, bool add_all, bool drop_all)
{
  struct nook_spec spec;
  uint64_t caps;

  nook_spec_init (&spec);
  spec.uid = uid;
  spec.security.cap_add = add;
  spec.security.cap_drop = drop;
  spec.security.cap_add_all = add_all;
  spec.security.cap_drop_all = drop_all;
  caps = nook_caps_for_spec (&spec);
  nook_spec_free (&spec);
  return caps;
}

static void
cap_sets_follow_podman (void **state)
{
  uint64_t def = nook_caps_default ();

  assert_int_equal (def, UINT64_C (0x800405fb));
  assert_int_equal (caps_of (0, 0, 0, false, false), def);
  /* A non-zero uid starts from none; what it asks for, it gets.  */
  assert_int_equal (caps_of (1000, 0, 0, false, false), 0);
  assert_int_equal (caps_of (1000, BIT (CAP_NET_BIND_SERVICE), 0, false, false), BIT (CAP_NET_BIND_SERVICE));
  /* An explicit add wins over a dropped ALL.  */
  assert_int_equal (caps_of (0, BIT (CAP_NET_BIND_SERVICE), 0, false, true), BIT (CAP_NET_BIND_SERVICE));
  assert_int_equal (caps_of (0, 0, BIT (CAP_CHOWN), false, false), def & ~BIT (CAP_CHOWN));
  assert_int_equal (caps_of (0, 0, BIT (CAP_CHOWN), true, false), nook_caps_all () & ~BIT (CAP_CHOWN));
  assert_int_equal (caps_of (0, BIT (CAP_SYS_ADMIN), 0, false, false), def | BIT (CAP_SYS_ADMIN));
}

/* ---- the policy reader ---------------------------------------------------- */

static int
compile (const char *text, const struct nook_seccomp_params *p, struct nook_bpf *bpf, struct nook_error *err)
{
  return nook_seccomp_compile (text, strlen (text), "test.json", p, bpf, err);
}

static void
expect_error (const char *text, const char *message)
{
  struct nook_seccomp_params p = { nook_caps_default (), false };
  struct nook_error err = { 0 };
  struct nook_bpf bpf;

  assert_int_equal (compile (text, &p, &bpf, &err), -1);
  assert_non_null (err.msg);
  if (strstr (err.msg, message) == NULL)
    fail_msg ("`%s` lacks `%s`", err.msg, message);
  nook_error_release (&err);
}

static void
policy_errors_name_the_place (void **state)
{
  expect_error ("", "test.json`: line 1, column 1: not valid JSON: unexpected end of file");
  expect_error ("{\n  \"defaultAction\": SCMP_ACT_ALLOW\n}", "line 2, column 20: not valid JSON");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\"} x", "line 1, column 36: unexpected text");
  expect_error ("[]", "top level: must be an object, not array");
  expect_error ("{}", "`defaultAction` is missing");
  expect_error ("{\"defaultAction\":\"ALLOW\"}", "defaultAction: unknown action `ALLOW`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"sycalls\":[]}",
                "top level: unknown field `sycalls`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":{}}",
                "`syscalls` must be an array, not object");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\",\"nosuch\"],"
                "\"action\":\"SCMP_ACT_ERRNO\"}]}",
                "syscalls[0].names[1]: unknown system call `nosuch`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"]}]}",
                "syscalls[0]: `action` is missing");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
                "\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":6,\"value\":1,\"op\":\"SCMP_CMP_EQ\"}]}]}",
                "syscalls[0].args[0].index: 6 is too large (at most 5)");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
                "\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":\"SCMP_CMP_SOMETIMES\"}]}]}",
                "syscalls[0].args[0]: unknown operator `SCMP_CMP_SOMETIMES`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
                "\"SCMP_ACT_ERRNO\",\"excludes\":{\"caps\":[\"CAP_FLY\"]}}]}",
                "syscalls[0].excludes: caps[0]: unknown capability `CAP_FLY`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":-1}",
                "defaultErrnoRet: must not be negative");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"architectures\":[\"SCMP_ARCH_Z80\"]}",
                "architectures[0]: unknown architecture `SCMP_ARCH_Z80`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
                "\"SCMP_ACT_NOTIFY\"}]}",
                "needs a listener");
  /* A policy under which nook-init cannot start the command.  */
  expect_error ("{\"defaultAction\":\"SCMP_ACT_KILL_PROCESS\"}", "it refuses `execveat`");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"execveat\",\"execve\","
                "\"clone\",\"wait4\",\"exit_group\",\"rt_sigprocmask\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
                "it refuses `signalfd4`, which every sandbox needs");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"execve\"],"
                "\"action\":\"SCMP_ACT_TRAP\"}]}",
                "it refuses `execve`");
  /* json-c keeps the last of two equal keys: nook refuses them, even
     spelt differently, in any object.  */
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\n \"defaultAction\":\"SCMP_ACT_KILL\"}",
                "line 2, column 2: field `defaultAction` given twice in one object");
  expect_error ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],\"action\":"
                "\"SCMP_ACT_ERRNO\",\"excludes\":{},\"exc\\u006cudes\":{\"caps\":[\"CAP_SYS_ADMIN\"]}}]}",
                "field `excludes` given twice");
  {
    struct nook_seccomp_params p = { nook_caps_default (), false };
    struct nook_error err = { 0 };
    struct nook_bpf bpf;
    /* Only the essential calls allowed, or allowed on some arguments only:
       accepted.  */
    assert_int_equal (
        compile ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"execveat\","
                 "\"execve\",\"clone\",\"wait4\",\"exit_group\",\"rt_sigprocmask\",\"signalfd4\"],"
                 "\"action\":\"SCMP_ACT_LOG\"}]}",
                 &p, &bpf, &err),
        0);
    nook_bpf_free (&bpf);
    assert_int_equal (compile ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"clone\"],"
                               "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":268435456,"
                               "\"valueTwo\":268435456,\"op\":\"SCMP_CMP_MASKED_EQ\"}]}]}",
                               &p, &bpf, &err),
                      0);
    nook_bpf_free (&bpf);
    /* Equal keys in different objects, and strings that look like keys
       inside values, are fine.  */
    assert_int_equal (compile ("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
                               "\"action\":\"SCMP_ACT_ERRNO\",\"comment\":\"\\\"action\\\":\"},"
                               "{\"names\":[\"write\"],\"action\":\"SCMP_ACT_ERRNO\"}]}",
                               &p, &bpf, &err),
                      0);
    nook_bpf_free (&bpf);
  }
}

static bool
has_jeq (const struct nook_bpf *bpf, uint32_t k)
{
  const struct sock_filter *f = bpf->insns;
  for (size_t i = 0; i < bpf->len; i++)
    if (BPF_CLASS (f[i].code) == BPF_JMP && f[i].k == k)
      return true;
  return false;
}

static char *
default_policy (size_t *len)
{
  struct nook_error err = { 0 };
  char *text;

  assert_int_equal (
      nook_read_file_at (AT_FDCWD, NOOK_SRCDIR "/policy/seccomp/default.json", &text, len, &err), 0);
  return text;
}

static void
default_policy_covers_every_abi (void **state)
{
  struct nook_seccomp_params p = { nook_caps_default (), false };
  struct nook_error err = { 0 };
  cleanup_free char *text = NULL;
  struct nook_bpf bpf;
  size_t len;

  text = default_policy (&len);
  assert_int_equal (nook_seccomp_compile (text, len, "default.json", &p, &bpf, &err), 0);
  assert_true (bpf.len > 100);
  /* A 32-bit process (int $0x80) and x32 are filtered, not let through.  */
  assert_true (has_jeq (&bpf, AUDIT_ARCH_X86_64));
  assert_true (has_jeq (&bpf, AUDIT_ARCH_I386));
  assert_true (has_jeq (&bpf, 0x40000000)); /* the x32 system call bit */
  nook_bpf_free (&bpf);
}

static void
includes_and_excludes_change_the_filter (void **state)
{
  struct nook_seccomp_params plain = { nook_caps_default (), false };
  struct nook_seccomp_params nested = { nook_caps_default (), true };
  struct nook_seccomp_params admin = { nook_caps_default () | BIT (CAP_SYS_ADMIN), false };
  struct nook_error err = { 0 };
  cleanup_free char *text = NULL;
  struct nook_bpf a, b, c;
  size_t len;

  text = default_policy (&len);
  assert_int_equal (nook_seccomp_compile (text, len, "default.json", &plain, &a, &err), 0);
  assert_int_equal (nook_seccomp_compile (text, len, "default.json", &nested, &b, &err), 0);
  assert_int_equal (nook_seccomp_compile (text, len, "default.json", &admin, &c, &err), 0);
  /* CLONE_NEWUSER is looked at only without --allow-nested.  */
  assert_true (has_jeq (&a, 0x10000000));
  assert_false (has_jeq (&b, 0x10000000));
  assert_false (a.len == c.len && memcmp (a.insns, c.insns, a.len * sizeof (struct sock_filter)) == 0);
  nook_bpf_free (&a);
  nook_bpf_free (&b);
  nook_bpf_free (&c);
}

static void
terminal_filter_masks_the_upper_half (void **state)
{
  struct nook_error err = { 0 };
  struct nook_bpf bpf;

  assert_int_equal (nook_seccomp_terminal_filter (&bpf, &err), 0);
  assert_true (has_jeq (&bpf, 0x5412)); /* TIOCSTI */
  assert_true (has_jeq (&bpf, 0x541c)); /* TIOCLINUX */
  nook_bpf_free (&bpf);
}

/* ---- nook_security_apply ----------------------------------------------------- */

/* In a child: the ids change, the parent-death signal the kernel then
   clears is armed again, and the asked-for capability is ambient.  */
static void
apply_changes_ids_and_rearms_pdeathsig (void **state)
{
  int status;
  pid_t pid;

  if (geteuid () != 0)
    skip (); /* setresuid to another uid needs root */
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      struct nook_error err = { 0 };
      struct nook_spec spec;
      int sig = 0;

      nook_spec_init (&spec);
      spec.uid = 1000;
      spec.gid = 1000;
      spec.security.seccomp = xstrdup ("unconfined");
      spec.security.cap_add = BIT (CAP_NET_BIND_SERVICE);
      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (nook_security_apply (&spec, NULL, &err) < 0)
        _exit (1);
      prctl (PR_GET_PDEATHSIG, &sig);
      if (sig != SIGKILL)
        _exit (2);
      if (getuid () != 1000 || geteuid () != 1000 || getgid () != 1000)
        _exit (3);
      if (prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_NET_BIND_SERVICE, 0, 0) != 1
          || prctl (PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, CAP_CHOWN, 0, 0) != 0)
        _exit (4);
      if (prctl (PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) != 1 || prctl (PR_CAPBSET_READ, CAP_SYS_ADMIN) != 0)
        _exit (5);
      _exit (0);
    }
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);
}

/* ---- the cache ------------------------------------------------------------------ */

static void
cache_returns_only_exact_matches (void **state)
{
  char dir[] = "/tmp/nook-unit-XXXXXX";
  struct nook_seccomp_params p = { nook_caps_default (), false }, q = { nook_caps_default (), true };
  struct nook_error err = { 0 };
  const char *policy = "{\"defaultAction\":\"SCMP_ACT_ALLOW\"}";
  struct nook_bpf progs[2], got[2];
  cleanup_free char *cmd = NULL;

  assert_non_null (mkdtemp (dir));
  setenv ("XDG_RUNTIME_DIR", dir, 1);
  assert_int_equal (nook_seccomp_terminal_filter (&progs[0], &err), 0);
  assert_int_equal (compile (policy, &p, &progs[1], &err), 0);
  assert_int_equal (nook_seccomp_cache_load (policy, strlen (policy), &p, got), 0);
  nook_seccomp_cache_store (policy, strlen (policy), &p, progs);
  assert_int_equal (nook_seccomp_cache_load (policy, strlen (policy), &p, got), 1);
  for (int i = 0; i < 2; i++)
    {
      assert_int_equal (got[i].len, progs[i].len);
      assert_memory_equal (got[i].insns, progs[i].insns, progs[i].len * sizeof (struct sock_filter));
      nook_bpf_free (&got[i]);
    }
  /* Other parameters, or one byte more of text, are another key.  */
  assert_int_equal (nook_seccomp_cache_load (policy, strlen (policy), &q, got), 0);
  assert_int_equal (
      nook_seccomp_cache_load ("{\"defaultAction\":\"SCMP_ACT_ALLOW\"} ", strlen (policy) + 1, &p, got), 0);
  /* One bit changed in a program: the MAC does not hold.  */
  cmd = xasprintf (
      "f=$(ls %s/nook/seccomp/*.bpf) && printf '\\377' | dd of=$f bs=1 seek=$(($(stat -c %%s $f) - 3)) "
      "conv=notrunc status=none",
      dir);
  assert_int_equal (system (cmd), 0);
  assert_int_equal (nook_seccomp_cache_load (policy, strlen (policy), &p, got), 0);
  nook_seccomp_cache_store (policy, strlen (policy), &p, progs);
  assert_int_equal (nook_seccomp_cache_load (policy, strlen (policy), &p, got), 1);
  nook_bpf_free (&got[0]);
  nook_bpf_free (&got[1]);
  free (cmd);
  /* An entry others could have written is not trusted.  */
  cmd = xasprintf ("chmod 0666 %s/nook/seccomp/*.bpf", dir);
  assert_int_equal (system (cmd), 0);
  assert_int_equal (nook_seccomp_cache_load (policy, strlen (policy), &p, got), 0);
  /* Stored again over the untrusted one, it is used again.  */
  nook_seccomp_cache_store (policy, strlen (policy), &p, progs);
  assert_int_equal (nook_seccomp_cache_load (policy, strlen (policy), &p, got), 1);
  nook_bpf_free (&got[0]);
  nook_bpf_free (&got[1]);
  nook_bpf_free (&progs[0]);
  nook_bpf_free (&progs[1]);
  free (cmd);
  cmd = xasprintf ("rm -rf %s", dir);
  assert_int_equal (system (cmd), 0);
}

/* ---- options ------------------------------------------------------------------ */

#define ARGV(...) ((char *[]){ "run", __VA_ARGS__, NULL })

static int
parse (struct nook_spec *spec, struct nook_error *err, char **argv)
{
  int argc = 0;
  while (argv[argc])
    argc++;
  nook_spec_init (spec);
  return nook_run_parse (argc, argv, spec, err);
}

static void
security_options_fill_the_spec (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (
      parse (&spec, &err,
             ARGV ("--cap-drop", "ALL", "--cap-add", "net_bind_service", "--cap-drop", "CAP_CHOWN",
                   "--seccomp", "my.json", "--allow-nested", "--pass-fd", "2", "--", "true")),
      -1);
  assert_non_null (strstr (err.msg, "always passed"));
  nook_error_release (&err);
  nook_spec_free (&spec);

  assert_int_equal (parse (&spec, &err,
                           ARGV ("--cap-drop", "ALL", "--cap-add", "net_bind_service", "--cap-drop",
                                 "CAP_CHOWN", "--seccomp=my.json", "--allow-nested", "--", "true")),
                    0);
  assert_true (spec.security.cap_drop_all);
  assert_int_equal (spec.security.cap_add, BIT (CAP_NET_BIND_SERVICE));
  assert_int_equal (spec.security.cap_drop, BIT (CAP_CHOWN));
  assert_string_equal (spec.security.seccomp, "my.json");
  assert_true (spec.security.allow_nested);
  nook_spec_free (&spec);
}

static void
unknown_capability_is_an_error (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (parse (&spec, &err, ARGV ("--cap-add", "SYS_FLY", "true")), -1);
  assert_non_null (strstr (err.msg, "unknown capability `SYS_FLY`"));
  nook_error_release (&err);
  nook_spec_free (&spec);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (cap_names_with_or_without_prefix),
    cmocka_unit_test (cap_sets_follow_podman),
    cmocka_unit_test (policy_errors_name_the_place),
    cmocka_unit_test (default_policy_covers_every_abi),
    cmocka_unit_test (includes_and_excludes_change_the_filter),
    cmocka_unit_test (terminal_filter_masks_the_upper_half),
    cmocka_unit_test (cache_returns_only_exact_matches),
    cmocka_unit_test (apply_changes_ids_and_rearms_pdeathsig),
    cmocka_unit_test (security_options_fill_the_spec),
    cmocka_unit_test (unknown_capability_is_an_error),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
