/* Unit tests: capability names and sets, the seccomp policy reader, the
   security options of `nook run`.  */
#include <config.h>

#include <errno.h>
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
#include <linux/seccomp.h>
#include <nettle/sha2.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
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

  assert_int_equal (nook_seccomp_terminal_filter (NOOK_SECCOMP_SOCKET_BY_ARGS, &bpf, &err), 0);
  assert_true (has_jeq (&bpf, 0x5412)); /* TIOCSTI */
  assert_true (has_jeq (&bpf, 0x541c)); /* TIOCLINUX */
  nook_bpf_free (&bpf);
}

/* ---- the shortened programs ------------------------------------------------------ */

/* What the kernel's classic-BPF seccomp interpreter returns for DATA: the
   instructions libseccomp writes and the shortening pass keeps.  An
   instruction outside that set fails the test rather than guessing.  */
static uint32_t
run_bpf (const struct sock_filter *prog, size_t len, const struct seccomp_data *data)
{
  uint32_t a = 0, x = 0, mem[BPF_MEMWORDS] = { 0 };
  const unsigned char *d = (const unsigned char *)data;

  for (size_t pc = 0; pc < len; pc++)
    {
      const struct sock_filter *f = &prog[pc];
      uint32_t src = BPF_SRC (f->code) == BPF_X ? x : f->k;

      switch (f->code)
        {
        case BPF_LD | BPF_W | BPF_ABS:
          assert_true (f->k % 4 == 0 && f->k + 4 <= sizeof *data);
          memcpy (&a, d + f->k, 4);
          continue;
        case BPF_LD | BPF_IMM:
          a = f->k;
          continue;
        case BPF_LDX | BPF_IMM:
          x = f->k;
          continue;
        case BPF_LD | BPF_MEM:
          a = mem[f->k];
          continue;
        case BPF_LDX | BPF_MEM:
          x = mem[f->k];
          continue;
        case BPF_ST:
          mem[f->k] = a;
          continue;
        case BPF_STX:
          mem[f->k] = x;
          continue;
        case BPF_MISC | BPF_TAX:
          x = a;
          continue;
        case BPF_MISC | BPF_TXA:
          a = x;
          continue;
        case BPF_ALU | BPF_AND | BPF_K:
        case BPF_ALU | BPF_AND | BPF_X:
          a &= src;
          continue;
        case BPF_ALU | BPF_OR | BPF_K:
        case BPF_ALU | BPF_OR | BPF_X:
          a |= src;
          continue;
        case BPF_JMP | BPF_JA:
          pc += f->k;
          continue;
        case BPF_JMP | BPF_JEQ | BPF_K:
        case BPF_JMP | BPF_JEQ | BPF_X:
          pc += a == src ? f->jt : f->jf;
          continue;
        case BPF_JMP | BPF_JGT | BPF_K:
        case BPF_JMP | BPF_JGT | BPF_X:
          pc += a > src ? f->jt : f->jf;
          continue;
        case BPF_JMP | BPF_JGE | BPF_K:
        case BPF_JMP | BPF_JGE | BPF_X:
          pc += a >= src ? f->jt : f->jf;
          continue;
        case BPF_JMP | BPF_JSET | BPF_K:
        case BPF_JMP | BPF_JSET | BPF_X:
          pc += (a & src) ? f->jt : f->jf;
          continue;
        case BPF_RET | BPF_K:
          return f->k;
        case BPF_RET | BPF_A:
          return a;
        default:
          fail_msg ("instruction %zu: code %#x", pc, f->code);
        }
    }
  fail_msg ("the program runs off its end");
  return 0;
}

/* libseccomp's own program for TEXT, not shortened.  */
static void
compile_raw (const char *text, size_t len, const struct nook_seccomp_params *p, struct nook_bpf *raw)
{
  struct nook_error err = { 0 };
  scmp_filter_ctx ctx;
  unsigned flags;
  int fd = memfd_create ("raw", MFD_CLOEXEC);
  off_t size;

  assert_true (fd >= 0);
  assert_int_equal (nook_seccomp_policy_read (text, len, "test.json", p, &ctx, &flags, &err), 0);
  assert_int_equal (seccomp_export_bpf (ctx, fd), 0);
  seccomp_release (ctx);
  size = lseek (fd, 0, SEEK_END);
  raw->insns = xmalloc (size);
  assert_int_equal (pread (fd, raw->insns, size, 0), size);
  raw->len = size / sizeof (struct sock_filter);
  close (fd);
}

/* Every architecture nook filters and two it does not, every system
   call number up to 1023 in the plain, x32 and out-of-range forms, and
   arguments on both sides of each value the policies compare.  */
/* The kernel's answer from two stacked filters, as seccomp(2) states
   it: the action of highest precedence (the lowest value), the newer
   filter's on a tie.  */
static uint32_t
stacked (uint32_t older, uint32_t newer)
{
  uint32_t ret = SECCOMP_RET_ALLOW;

  if ((int32_t)(newer & SECCOMP_RET_ACTION_FULL) < (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
    ret = newer;
  if ((int32_t)(older & SECCOMP_RET_ACTION_FULL) < (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
    ret = older;
  return ret;
}

static void expect_verdicts_of_stack (const struct nook_bpf *under, const struct nook_bpf *a,
                                      const struct nook_bpf *b);

/* The default policy as a sandbox loads it (the terminal filter merged in,
   as security.c does) refuses AF_ALG (38) and AF_VSOCK (40) and lets every
   other family the C library knows through, on every ABI of this machine:
   socket through syscall, x32 and int $0x80 alike, and the 32-bit
   socketcall(SYS_SOCKET), whose family no filter can read, refused
   whatever it points at, while socketcall's other calls stay.  */
static void
default_policy_refuses_socket_families_on_every_abi (void **state)
{
  struct
  {
    uint32_t arch, scmp_arch, nr;
    bool wide; /* the family is a 64-bit register */
  } const abis[] = {
    { AUDIT_ARCH_X86_64, SCMP_ARCH_X86_64, 41, true },
    { AUDIT_ARCH_X86_64, SCMP_ARCH_X32, 0x40000000 | 41, true },
    { AUDIT_ARCH_I386, SCMP_ARCH_X86, 359, false },
    { AUDIT_ARCH_AARCH64, SCMP_ARCH_AARCH64, 198, true },
    { AUDIT_ARCH_ARM, SCMP_ARCH_ARM, 281, false },
  };
  const uint32_t eperm = SECCOMP_RET_ERRNO | EPERM;
  struct nook_seccomp_params p = { nook_caps_default (), false };
  struct nook_error err = { 0 };
  cleanup_free char *text = NULL;
  struct nook_bpf term, bpf, merged;
  size_t len, checked = 0;

  text = default_policy (&len);
  assert_int_equal (nook_seccomp_compile (text, len, "default.json", &p, &bpf, &err), 0);
  assert_int_equal (bpf.socket_guard, NOOK_SECCOMP_SOCKET_BY_ARGS);
  assert_int_equal (nook_seccomp_terminal_filter (bpf.socket_guard, &term, &err), 0);
  assert_int_equal (nook_bpf_merge (&term, &bpf, &merged), 1);
  for (size_t a = 0; a < sizeof abis / sizeof abis[0]; a++)
    {
      if (!nook_seccomp_arch_is_ours (abis[a].scmp_arch))
        continue;
      for (uint64_t family = 0; family <= AF_MAX + 2; family++)
        for (int high = 0; high < (abis[a].wide ? 2 : 1); high++)
          {
            struct seccomp_data d = { .nr = (int)abis[a].nr, .arch = abis[a].arch };
            uint32_t want = family == AF_ALG || family == AF_VSOCK ? eperm : SECCOMP_RET_ALLOW, got;

            /* The kernel reads the low 32 bits: 1 << 32 | AF_VSOCK is AF_VSOCK.  */
            d.args[0] = family | (uint64_t)high << 32;
            d.args[1] = SOCK_STREAM;
            got = run_bpf (merged.insns, merged.len, &d);
            if (got != want)
              fail_msg ("arch %#x nr %#x family %#llx: %#x, not %#x", abis[a].arch, abis[a].nr,
                        (unsigned long long)d.args[0], got, want);
            checked++;
          }
    }
  if (nook_seccomp_arch_is_ours (SCMP_ARCH_X86))
    for (uint64_t call = 1; call <= 20; call++)
      {
        struct seccomp_data d
            = { .nr = 102 /* socketcall */, .arch = AUDIT_ARCH_I386, .args = { call, 0x1000 } };
        uint32_t want = call == 1 /* SYS_SOCKET */ ? eperm : SECCOMP_RET_ALLOW;

        assert_int_equal (run_bpf (merged.insns, merged.len, &d), want);
        checked++;
      }
  assert_true (checked > 2 * AF_MAX);
  nook_bpf_free (&term);
  nook_bpf_free (&bpf);
  nook_bpf_free (&merged);
}

/* Two rules with conditions for socket, with different actions (docker's
   shape, every other family let through by a rule of its own): on the
   32-bit x86 ABI they conflict on socketcall, where libseccomp drops the
   conditions, and the second rule could not be added there.  It still
   holds on x86_64 (once it was undone there too), and the 32-bit socket
   calls are refused for every family, not answered by the first rule.  */
static void
conflicting_socket_rules_hold_on_the_native_abi (void **state)
{
  const char *policy
      = "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"archMap\":[{\"architecture\":\"SCMP_ARCH_"
        "X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]}],\"syscalls\":[{\"names\":[\"socket\"],"
        "\"action\":\"SCMP_ACT_LOG\",\"args\":[{\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_NE\"}]},"
        "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1,\"args\":[{"
        "\"index\":0,\"value\":40,\"op\":\"SCMP_CMP_EQ\"}]}]}";
#ifdef __x86_64__
  struct nook_seccomp_params p = { nook_caps_default (), false };
  struct nook_error err = { 0 };
  struct nook_bpf term, bpf;
  struct seccomp_data d = { .nr = 41, .arch = AUDIT_ARCH_X86_64 };

  assert_int_equal (compile (policy, &p, &bpf, &err), 0);
  d.args[0] = AF_VSOCK;
  assert_int_equal (run_bpf (bpf.insns, bpf.len, &d), SECCOMP_RET_ERRNO | EPERM);
  d.args[0] = AF_UNIX;
  assert_int_equal (run_bpf (bpf.insns, bpf.len, &d), SECCOMP_RET_LOG);
  assert_int_equal (bpf.socket_guard, NOOK_SECCOMP_SOCKET_BY_ARGS | NOOK_SECCOMP_X86_SOCKET_LOST);
  assert_int_equal (nook_seccomp_terminal_filter (bpf.socket_guard, &term, &err), 0);
  for (uint64_t family = 0; family <= AF_MAX; family++)
    {
      struct seccomp_data i386 = { .nr = 359, .arch = AUDIT_ARCH_I386, .args = { family } };
      struct seccomp_data mux = { .nr = 102, .arch = AUDIT_ARCH_I386, .args = { 1 } };
      assert_int_equal (stacked (run_bpf (term.insns, term.len, &i386), run_bpf (bpf.insns, bpf.len, &i386)),
                        SECCOMP_RET_ERRNO | EPERM);
      assert_int_equal (stacked (run_bpf (term.insns, term.len, &mux), run_bpf (bpf.insns, bpf.len, &mux)),
                        SECCOMP_RET_ERRNO | EPERM);
    }
  /* The other ABIs keep their sockets.  */
  d.args[0] = AF_UNIX;
  assert_int_equal (run_bpf (term.insns, term.len, &d), SECCOMP_RET_ALLOW);
  nook_bpf_free (&term);
  nook_bpf_free (&bpf);
#else
  skip ();
#endif
}

static void
expect_same_verdicts (const struct nook_bpf *a, const struct nook_bpf *b)
{
  expect_verdicts_of_stack (NULL, a, b);
}

/* B answers as A loaded over UNDER (when given) would.  */
static void
expect_verdicts_of_stack (const struct nook_bpf *under, const struct nook_bpf *a, const struct nook_bpf *b)
{
  static const uint32_t arches[] = { AUDIT_ARCH_X86_64, AUDIT_ARCH_I386, AUDIT_ARCH_AARCH64, 0, UINT32_MAX };
  static const uint64_t values[] = {
    0,          1,          2,          8,          16,         37,          38,          39,
    40,         41,         64,         0x5412,     0x541c,     0x20000,     0x20007,     0x20008,
    0x20009,    0x10000000, 0x10000011, 0x7e020000, 0xffffffff, 0x100000000, 0x100005412, 0xffffffff00000000,
    UINT64_MAX, 0x80000000, 0x7fffffff,
  };
  static const uint32_t high[] = { 0x3fffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };
  const size_t n_values = sizeof values / sizeof values[0];
  size_t compared = 0;

  for (size_t ai = 0; ai < sizeof arches / sizeof arches[0]; ai++)
    for (uint32_t i = 0; i < 2 * 1024 + sizeof high / sizeof high[0]; i++)
      {
        uint32_t nr = i < 1024 ? i : i < 2048 ? 0x40000000 | (i - 1024) : high[i - 2048];
        /* Each argument in turn through the values, the others 0; then
           the first two together.  */
        for (size_t k = 0; k < 6 * n_values + n_values * n_values; k++)
          {
            struct seccomp_data d = { .nr = (int)nr, .arch = arches[ai], .instruction_pointer = 0x401000 };
            uint32_t ra, rb;

            if (k < 6 * n_values)
              d.args[k / n_values] = values[k % n_values];
            else
              {
                d.args[0] = values[(k - 6 * n_values) / n_values];
                d.args[1] = values[(k - 6 * n_values) % n_values];
              }
            ra = run_bpf (a->insns, a->len, &d);
            if (under)
              ra = stacked (run_bpf (under->insns, under->len, &d), ra);
            rb = run_bpf (b->insns, b->len, &d);
            if (ra != rb)
              fail_msg ("arch %#x nr %#x args %#llx %#llx ...: %#x, shortened %#x", arches[ai], nr,
                        (unsigned long long)d.args[0], (unsigned long long)d.args[1], ra, rb);
            compared++;
          }
      }
  assert_true (compared > 1000000);
}

/* The kernel takes the program, and answers as the policy says: an
   allowed call works, a refused one fails with EPERM, a number the
   policy does not name with ENOSYS.  */
static void
expect_kernel_runs (const struct nook_bpf *bpf)
{
  int status;
  pid_t pid = fork ();

  assert_true (pid >= 0);
  if (pid == 0)
    {
      struct nook_error err = { 0 };
      if (prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || nook_seccomp_install (bpf, &err) < 0)
        _exit (1);
      if (syscall (SYS_getppid) != getppid () || syscall (SYS_getppid) <= 0)
        _exit (2);
      if (syscall (SYS_acct, NULL) != -1 || errno != EPERM)
        _exit (3);
      if (syscall (1000) != -1 || errno != ENOSYS)
        _exit (4);
      _exit (0);
    }
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);
}

/* The shortened default policy makes the decisions libseccomp's program
   makes, for every parameter that changes the policy; and it is a
   fraction of its length, which is what the kernel's cost of loading it
   grows with.  */
static void
shortened_default_policy_decides_alike (void **state)
{
  const struct nook_seccomp_params params[] = {
    { nook_caps_default (), false },
    { nook_caps_default (), true },
    { nook_caps_default () | BIT (CAP_SYS_ADMIN), false },
  };
  cleanup_free char *text = NULL;
  size_t len;

  text = default_policy (&len);
  for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
    {
      struct nook_error err = { 0 };
      struct nook_bpf raw, bpf;

      compile_raw (text, len, &params[i], &raw);
      assert_int_equal (nook_seccomp_compile (text, len, "default.json", &params[i], &bpf, &err), 0);
      if (bpf.len * 3 > raw.len)
        fail_msg ("the default policy takes %zu instructions, libseccomp's %zu", bpf.len, raw.len);
      expect_same_verdicts (&raw, &bpf);
      expect_kernel_runs (&bpf);
      nook_bpf_free (&raw);
      nook_bpf_free (&bpf);
    }
}

/* In a child: the kernel takes the program, and refuses TIOCSTI and
   TIOCLINUX with EPERM, on a descriptor that is no terminal.  */
static void
expect_kernel_refuses_tiocsti (const struct nook_bpf *bpf)
{
  int status;
  pid_t pid = fork ();

  assert_true (pid >= 0);
  if (pid == 0)
    {
      struct nook_error err = { 0 };
      int fd = open ("/dev/null", O_RDONLY | O_CLOEXEC);
      if (fd < 0 || prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || nook_seccomp_install (bpf, &err) < 0)
        _exit (1);
      if (ioctl (fd, TIOCSTI, "x") != -1 || errno != EPERM)
        _exit (2);
      if (syscall (SYS_ioctl, fd, 0x100000000UL | TIOCLINUX, "x") != -1 || errno != EPERM)
        _exit (3);
      if (ioctl (fd, TIOCGWINSZ, &(char[64]){ 0 }) != -1 || errno != ENOTTY)
        _exit (4);
      _exit (0);
    }
  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status));
  assert_int_equal (WEXITSTATUS (status), 0);
}

/* The terminal filter merged into a policy answers every call as the two
   filters stacked do: for the default policy under each parameter that
   changes it, and for policies that answer ioctl themselves (refused
   with another errno, killed); a policy that looks at ioctl's arguments
   or logs stays a filter of its own, as does one whose answers to
   ioctl differ between two architectures whose refusals the terminal
   filter shares.  */
static void
terminal_filter_merges_alike (void **state)
{
  const struct nook_seccomp_params params[] = {
    { nook_caps_default (), false },
    { nook_caps_default (), true },
    { nook_caps_default () | BIT (CAP_SYS_ADMIN), false },
  };
#define X86_BOTH                                                                                             \
  "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]}],"
  static const char *const merged[] = {
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\"," X86_BOTH
    "\"syscalls\":[{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13}]}",
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"ioctl\"],\"action\":\"SCMP_"
    "ACT_KILL_PROCESS\"}]}",
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\"," X86_BOTH
    "\"syscalls\":[{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_TRACE\"}]}",
  };
  /* Looks at ioctl's arguments; logs; answers ioctl differently on the
     two architectures whose ioctls share the terminal filter's refusal.  */
  static const char *const kept[] = {
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"ioctl\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":7,\"op\":\"SCMP_CMP_EQ\"}]}]}",
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_LOG\"]}",
    "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"ioctl\"],\"action\":\"SCMP_"
    "ACT_ERRNO\",\"errnoRet\":13}]}",
  };
#undef X86_BOTH
  cleanup_free char *text = NULL;
  struct nook_error err = { 0 };
  struct nook_bpf term, bpf, out;
  size_t len;

  assert_int_equal (nook_seccomp_terminal_filter (NOOK_SECCOMP_SOCKET_BY_ARGS, &term, &err), 0);
  text = default_policy (&len);
  for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
    {
      assert_int_equal (nook_seccomp_compile (text, len, "default.json", &params[i], &bpf, &err), 0);
      assert_int_equal (nook_bpf_merge (&term, &bpf, &out), 1);
      assert_int_equal (out.len, term.len + 2 + bpf.len);
      expect_verdicts_of_stack (&term, &bpf, &out);
      expect_kernel_runs (&out);
      expect_kernel_refuses_tiocsti (&out);
      nook_bpf_free (&bpf);
      nook_bpf_free (&out);
    }
  /* Policies that leave socket alone get no socketcall refusal.  */
  nook_bpf_free (&term);
  assert_int_equal (nook_seccomp_terminal_filter (0, &term, &err), 0);
  for (size_t i = 0; i < sizeof merged / sizeof merged[0]; i++)
    {
      if (compile (merged[i], &params[0], &bpf, &err) < 0)
        fail_msg ("%s: %s", merged[i], err.msg);
      if (nook_bpf_merge (&term, &bpf, &out) != 1)
        fail_msg ("not merged: %s", merged[i]);
      expect_verdicts_of_stack (&term, &bpf, &out);
      nook_bpf_free (&bpf);
      nook_bpf_free (&out);
    }
  for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++)
    {
      if (compile (kept[i], &params[0], &bpf, &err) < 0)
        fail_msg ("%s: %s", kept[i], err.msg);
      assert_int_equal (nook_bpf_merge (&term, &bpf, &out), 0);
      nook_bpf_free (&bpf);
    }
  nook_bpf_free (&term);
}

/* The kernel mitigates speculation for a task when any of its filters
   lacks SECCOMP_FILTER_FLAG_SPEC_ALLOW (seccomp_assign_mode): loaded as
   two filters, the terminal one (no flag) mitigates whatever the policy
   says, so the merged program must not carry the flag either.  */
static void
merged_program_keeps_speculation_mitigated (void **state)
{
  struct nook_seccomp_params p = { nook_caps_default (), false };
  struct nook_error err = { 0 };
  struct nook_bpf term, bpf, out;

  assert_int_equal (nook_seccomp_terminal_filter (NOOK_SECCOMP_SOCKET_BY_ARGS, &term, &err), 0);
  assert_int_equal (term.flags, 0);
  assert_int_equal (
      compile (
          "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"flags\":[\"SECCOMP_FILTER_FLAG_SPEC_ALLOW\"],"
          "\"archMap\":[{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]}]}",
          &p, &bpf, &err),
      0);
  assert_int_equal (bpf.flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
  assert_int_equal (nook_bpf_merge (&term, &bpf, &out), 1);
  assert_int_equal (out.flags & SECCOMP_FILTER_FLAG_SPEC_ALLOW, 0);
  nook_bpf_free (&out);
  /* Both filters with the flag: the task asked for it twice.  */
  term.flags = SECCOMP_FILTER_FLAG_SPEC_ALLOW;
  assert_int_equal (nook_bpf_merge (&term, &bpf, &out), 1);
  assert_int_equal (out.flags, SECCOMP_FILTER_FLAG_SPEC_ALLOW);
  nook_bpf_free (&out);
  nook_bpf_free (&bpf);
  nook_bpf_free (&term);
}

/* ---- the programs in the kernel, on both x86 ABIs -------------------------------- */

#if defined(__x86_64__)
/* The system calls, issued without libc: the number in full 64 bits
   through `syscall`, in 32 bits through `int $0x80` (AUDIT_ARCH_I386).
   The return is the kernel's, -errno on failure.  */
static long
call64 (long nr, long a, long b, long c)
{
  long ret;
  register long r10 __asm__("r10") = 0;
  __asm__ volatile("syscall"
                   : "=a"(ret)
                   : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10)
                   : "rcx", "r11", "memory");
  return ret;
}

static long
call32 (long nr, long a, long b, long c)
{
  long ret;
  __asm__ volatile("int $0x80"
                   : "=a"(ret)
                   : "a"(nr), "b"(a), "c"(b), "d"(c)
                   : "r8", "r9", "r10", "r11", "memory");
  return ret;
}

/* Whether this kernel runs i386 calls from a 64-bit process.  */
static bool
has_int80 (void)
{
  return call32 (20 /* i386 getpid */, 0, 0, 0) == getpid ();
}

struct probe
{
  bool i386;
  uint32_t nr;
};

/* The numbers a sweep issues: every one up to 600 and in the x32 form,
   and the edges above, on each ABI.  */
static size_t
sweep_numbers (struct probe *p, bool i386)
{
  static const uint32_t high[]
      = { 1000, 0x3fffffff, 0x40000000 | 0x3fffffff, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };
  size_t n = 0;

  /* Except x86_64's uretprobe and uprobe (335, 336), which the kernel
     runs past every filter, and which kill a process without probes.  */
  for (uint32_t nr = 0; nr < 600; nr++)
    if (i386 || (nr != 335 && nr != 336))
      p[n++] = (struct probe){ i386, nr };
  for (uint32_t nr = 0; nr < 600; nr++)
    if (i386 || (nr != 335 && nr != 336))
      p[n++] = (struct probe){ i386, 0x40000000 | nr };
  for (size_t i = 0; i < sizeof high / sizeof high[0]; i++)
    p[n++] = (struct probe){ i386, high[i] };
  return n;
}

#define PROBE_ARGS 4
#define PROBES_MAX (2 * 1300)
#define PROBE_EXIT 0x7e57

/* What the kernel answered: for each probe and set of arguments, 0 for
   a call that ran, else -errno; and how the child ended.  */
struct kernel_answers
{
  size_t n;
  long ret[PROBES_MAX * PROBE_ARGS];
};

/* In a child with no_new_privs, every descriptor below 3 /dev/null:
   loads PROGS (in order) and issues PROBES with each set of arguments
   (the first one a descriptor of /dev/null, so that an ioctl that runs
   reaches no terminal).  Returns the child's wait status.  */
static int
kernel_answers (const struct nook_bpf *const *progs, size_t n_progs, const struct probe *probes, size_t n,
                struct kernel_answers *out)
{
  static const long args[PROBE_ARGS][2] = {
    { 0, 0 },
    { TIOCSTI, TIOCLINUX },
    { 0x100000000L | TIOCSTI, -1L },
    { TIOCLINUX, 0x5412 },
  };
  int status;
  pid_t pid;

  memset (out, 0, sizeof *out);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      struct nook_error err = { 0 };
      struct rlimit none = { 0, 0 };
      int fd = open ("/dev/null", O_RDWR | O_CLOEXEC);

      setrlimit (RLIMIT_CORE, &none);
      if (fd < 0 || dup2 (fd, 0) < 0 || dup2 (fd, 1) < 0 || dup2 (fd, 2) < 0
          || prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
        _exit (100);
      for (size_t i = 0; i < n_progs; i++)
        if (progs[i]->len > 0 && nook_seccomp_install (progs[i], &err) < 0)
          _exit (101);
      for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < PROBE_ARGS; k++)
          {
            long r = probes[i].i386 ? call32 ((long)probes[i].nr, 0, args[k][0], args[k][1])
                                    : call64 ((long)probes[i].nr, 0, args[k][0], args[k][1]);
            out->ret[out->n++] = r >= 0 ? 0 : r;
          }
      /* The one way out the sweep's programs leave open.  */
      call64 (SYS_exit_group, PROBE_EXIT, 0, 0);
      _exit (102);
    }
  assert_int_equal (waitpid (pid, &status, 0), pid);
  return status;
}

static struct kernel_answers *
shared_answers (void)
{
  void *p = mmap (NULL, sizeof (struct kernel_answers), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                  -1, 0);
  assert_true (p != MAP_FAILED);
  return p;
}

/* The kernel answers PROBES under WANT (filters loaded in order) and
   under GOT alike, call by call, and the two children end alike.  */
static void
expect_kernel_alike_ending (const struct nook_bpf *const *want, size_t n_want,
                            const struct nook_bpf *const *got, size_t n_got, const struct probe *probes,
                            size_t n, int signal)
{
  struct kernel_answers *a = shared_answers (), *b = shared_answers ();
  int sa = kernel_answers (want, n_want, probes, n, a);
  int sb = kernel_answers (got, n_got, probes, n, b);

  if (signal > 0 ? !WIFSIGNALED (sa) || WTERMSIG (sa) != signal
                 : signal == 0 && (!WIFEXITED (sa) || WEXITSTATUS (sa) != (PROBE_EXIT & 0xff)))
    fail_msg ("the child under the original program ended with status %#x after %zu calls", sa, a->n);
  if (sa != sb)
    fail_msg (
        "%s nr %#x...: the child under the original program ended with status %#x, under the rewrite %#x",
        probes[0].i386 ? "i386" : "x86_64", probes[0].nr, sa, sb);
  assert_int_equal (a->n, b->n);
  if (WIFEXITED (sa))
    assert_int_equal (a->n, n * PROBE_ARGS);
  for (size_t i = 0; i < a->n; i++)
    if (a->ret[i] != b->ret[i])
      fail_msg ("%s nr %#x args set %zu: the original answers %ld, the rewrite %ld",
                probes[i / PROBE_ARGS].i386 ? "i386" : "x86_64", probes[i / PROBE_ARGS].nr, i % PROBE_ARGS,
                a->ret[i], b->ret[i]);
  munmap (a, sizeof *a);
  munmap (b, sizeof *b);
}

static void
expect_kernel_alike (const struct nook_bpf *const *want, size_t n_want, const struct nook_bpf *const *got,
                     size_t n_got, const struct probe *probes, size_t n)
{
  expect_kernel_alike_ending (want, n_want, got, n_got, probes, n, 0);
}

/* libseccomp's program for a policy only reachable through its API:
   errno ladders over runs of numbers, every call refused except a few
   harmless ones (so that a sweep may issue any number), rules on
   arguments, a bad-architecture errno; ioctl allowed (IOCTL_ANSWER 0),
   refused with ENOTTY (1) or refused so on TIOCSTI only (2).  */
static void
ladder_program (bool x86, bool x32, int ioctl_answer, struct nook_bpf *raw)
{
  static const char *const harmless[] = { "getpid", "getppid", "gettid", "sched_yield", "getuid", "getgid" };
  scmp_filter_ctx ctx = seccomp_init (SCMP_ACT_ERRNO (38));
  int fd = memfd_create ("raw", MFD_CLOEXEC);
  off_t size;

  assert_non_null (ctx);
  assert_true (fd >= 0);
  assert_int_equal (seccomp_attr_set (ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO (99)), 0);
  if (x86)
    assert_int_equal (seccomp_arch_add (ctx, SCMP_ARCH_X86), 0);
  if (x32)
    assert_int_equal (seccomp_arch_add (ctx, SCMP_ARCH_X32), 0);
  for (int nr = 0; nr < 460; nr++)
    {
      char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_X86_64, nr);
      int sys;
      bool skip = name == NULL || strcmp (name, "ioctl") == 0 || strcmp (name, "exit_group") == 0
                  || strcmp (name, "acct") == 0;

      for (size_t i = 0; name && i < sizeof harmless / sizeof harmless[0]; i++)
        skip |= strcmp (name, harmless[i]) == 0;
      sys = name ? seccomp_syscall_resolve_name (name) : -1;
      /* Runs of six numbers with one errno, every seventh left to the
         default: ranges with edges all over the table.  */
      if (!skip && sys >= 0 && nr % 7 != 6)
        assert_int_equal (seccomp_rule_add (ctx, SCMP_ACT_ERRNO (1 + (nr / 6) % 5), sys, 0), 0);
      free (name);
    }
  for (size_t i = 0; i < sizeof harmless / sizeof harmless[0]; i++)
    assert_int_equal (seccomp_rule_add (ctx, SCMP_ACT_ALLOW, seccomp_syscall_resolve_name (harmless[i]), 0),
                      0);
  /* getppid and getpid refused on one argument: code the pass copies
     with its checks of both halves; acct traced, ENOSYS without a
     tracer.  */
  assert_int_equal (seccomp_rule_add (ctx, SCMP_ACT_TRACE (7), SCMP_SYS (acct), 0), 0);
  assert_int_equal (seccomp_rule_add (ctx, SCMP_ACT_ERRNO (EACCES), SCMP_SYS (getppid), 1,
                                      SCMP_A1 (SCMP_CMP_MASKED_EQ, 0xffffffffUL, TIOCLINUX)),
                    0);
  assert_int_equal (seccomp_rule_add (ctx, SCMP_ACT_ERRNO (E2BIG), SCMP_SYS (getpid), 1,
                                      SCMP_A2 (SCMP_CMP_GT, 0xffffffffUL)),
                    0);
  assert_int_equal (
      seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (exit_group), 1, SCMP_A0 (SCMP_CMP_EQ, PROBE_EXIT)), 0);
  if (ioctl_answer == 0)
    assert_int_equal (seccomp_rule_add (ctx, SCMP_ACT_ALLOW, SCMP_SYS (ioctl), 0), 0);
  else if (ioctl_answer == 1)
    assert_int_equal (seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOTTY), SCMP_SYS (ioctl), 0), 0);
  else
    assert_int_equal (
        seccomp_rule_add (ctx, SCMP_ACT_ERRNO (ENOTTY), SCMP_SYS (ioctl), 1, SCMP_A1 (SCMP_CMP_EQ, TIOCSTI)),
        0);
  assert_int_equal (seccomp_export_bpf (ctx, fd), 0);
  seccomp_release (ctx);
  size = lseek (fd, 0, SEEK_END);
  raw->insns = xmalloc (size);
  assert_int_equal (pread (fd, raw->insns, size, 0), size);
  raw->len = size / sizeof (struct sock_filter);
  raw->flags = 0;
  close (fd);
}
#endif

/* The kernel, not the interpreter: a shortened program and libseccomp's
   loaded in two children answer every number of a sweep alike, on
   x86_64, x32 and i386 (int $0x80), at range edges, above the table and
   with the number negative as an int; with the i386 ABI filtered, and
   not (its calls then get the bad-architecture answer).  Then the
   terminal filter merged into such a policy against the two loaded one
   after the other, the policy allowing ioctl outright.  */
static void
kernel_answers_rewrites_alike (void **state)
{
#if defined(__x86_64__)
  static struct probe probes[PROBES_MAX];
  const bool int80 = has_int80 ();
  struct nook_error err = { 0 };
  struct nook_bpf term;
  size_t n;

  n = sweep_numbers (probes, false);
  if (int80)
    n += sweep_numbers (probes + n, true);
  else
    fprintf (stderr, "# this kernel runs no i386 call from a 64-bit process: x86_64 and x32 only\n");
  assert_int_equal (nook_seccomp_terminal_filter (0, &term, &err), 0);
  for (int shape = 0; shape < 4; shape++)
    {
      struct nook_bpf raw, short_ = { 0 }, merged;
      const bool x86 = shape != 1, x32 = shape == 2;
      const int ioctl_answer = shape == 3 ? 0 : shape == 0 ? 1 : 2;

      ladder_program (x86, x32, ioctl_answer, &raw);
      {
        struct sock_filter *out = NULL;
        short_.len = nook_bpf_shorten (raw.insns, raw.len, &out);
        short_.insns = out;
      }
      if (short_.len == 0)
        fail_msg ("shape %d: not shortened (%zu instructions)", shape, raw.len);
      {
        const struct nook_bpf *want[] = { &raw }, *got[] = { &short_ };
        expect_kernel_alike (want, 1, got, 1, probes, n);
      }
      if (nook_bpf_merge (&term, &short_, &merged) == 1)
        {
          const struct nook_bpf *want[] = { &term, &raw }, *got[] = { &merged };
          expect_kernel_alike (want, 2, got, 1, probes, n);
          nook_bpf_free (&merged);
        }
      else if (x86 && ioctl_answer < 2)
        fail_msg ("shape %d: the terminal filter is not merged into a policy answering ioctl alone", shape);
      nook_bpf_free (&raw);
      nook_bpf_free (&short_);
    }
  nook_bpf_free (&term);
#else
  skip ();
#endif
}

/* The default policy as nook loads it (shortened, the terminal filter
   merged) against libseccomp's program under the terminal filter, in the
   kernel: calls that are safe to run if allowed, on both ABIs, refused
   ones among them (acct: EPERM; TIOCSTI, TIOCLINUX, with the upper half
   set or not: EPERM; unknown numbers: ENOSYS; x32 and numbers above:
   killed).  Then the default policy without i386 among its
   architectures: an i386 call is killed under both programs.  */
static void
kernel_answers_policies_alike (void **state)
{
#if defined(__x86_64__)
  static const struct probe safe[] = {
    { false, 39 },  { false, 110 },       { false, 163 },        { false, 16 },
    { false, 272 }, { false, 1000 },      { false, 0x3fffffff }, { true, 20 },
    { true, 64 },   { true, 51 },         { true, 54 },          { true, 310 },
    { true, 1000 }, { true, 0x7fffffff }, { true, 0x80000000 },  { true, 0xffffffff },
  };
  /* x32 and the numbers above it: the default policy kills, but for -1
     (a call a tracer skipped), which libseccomp leaves to the policy.  */
  static const struct probe killed[] = {
    { false, 0x40000000 | 39 }, { false, 0x40000010 }, { false, 0x7fffffff },
    { false, 0x80000000 },      { false, 0xfffffffe }, { false, 0xffffffff },
  };
  const size_t n_safe = sizeof safe / sizeof safe[0] - (has_int80 () ? 0 : 9);
  const struct nook_seccomp_params params[] = {
    { nook_caps_default (), false },
    { nook_caps_default (), true },
  };
  struct nook_error err = { 0 };
  cleanup_free char *text = NULL;
  struct nook_bpf term, raw, bpf;
  size_t len;

  assert_int_equal (nook_seccomp_terminal_filter (NOOK_SECCOMP_SOCKET_BY_ARGS, &term, &err), 0);
  text = default_policy (&len);
  for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
    {
      struct nook_bpf filters[2] = { { 0 } };
      struct kernel_answers *got = shared_answers ();
      const struct nook_bpf *want[] = { &term, &raw }, *loaded[] = { &filters[0], &filters[1] };

      compile_raw (text, len, &params[i], &raw);
      assert_int_equal (nook_seccomp_terminal_filter (NOOK_SECCOMP_SOCKET_BY_ARGS, &filters[0], &err), 0);
      assert_int_equal (nook_seccomp_compile (text, len, "default.json", &params[i], &filters[1], &err), 0);
      {
        struct nook_bpf merged;
        assert_int_equal (nook_bpf_merge (&filters[0], &filters[1], &merged), 1);
        nook_bpf_free (&filters[0]);
        nook_bpf_free (&filters[1]);
        filters[1] = merged;
      }
      expect_kernel_alike (want, 2, loaded, 2, safe, n_safe);
      /* And what the policy says: acct refused, ioctl's terminal
         commands refused whatever the upper half, unknown numbers.  */
      kernel_answers (loaded, 2, safe, n_safe, got);
      assert_int_equal (got->ret[0 * PROBE_ARGS], 0);
      assert_int_equal (got->ret[2 * PROBE_ARGS], -EPERM);
      assert_int_equal (got->ret[3 * PROBE_ARGS + 1], -EPERM);
      assert_int_equal (got->ret[3 * PROBE_ARGS + 2], -EPERM);
      assert_int_equal (got->ret[3 * PROBE_ARGS + 3], -EPERM);
      assert_int_equal (got->ret[5 * PROBE_ARGS], -ENOSYS);
      if (n_safe > 7)
        {
          assert_int_equal (got->ret[7 * PROBE_ARGS], 0);
          assert_int_equal (got->ret[9 * PROBE_ARGS], -EPERM);
          assert_int_equal (got->ret[10 * PROBE_ARGS + 1], -EPERM);
          assert_int_equal (got->ret[10 * PROBE_ARGS + 2], -EPERM);
          assert_int_equal (got->ret[12 * PROBE_ARGS], -ENOSYS);
          assert_int_equal (got->ret[14 * PROBE_ARGS], -ENOSYS);
        }
      for (size_t k = 0; k < sizeof killed / sizeof killed[0]; k++)
        expect_kernel_alike_ending (want, 2, loaded, 2, &killed[k], 1,
                                    killed[k].nr == 0xffffffff ? -1 : SIGSYS);
      munmap (got, sizeof *got);
      nook_bpf_free (&raw);
      nook_filters_free (&(struct nook_filters){ .bpf = { filters[0], filters[1] } });
    }
  if (has_int80 ())
    {
      static const struct probe i386_getpid[] = { { false, 39 }, { true, 20 } };
      /* The default policy without i386 among its architectures.  */
      char *p = strstr (text, "\"SCMP_ARCH_X86\",");
      assert_non_null (p);
      memset (p, ' ', strlen ("\"SCMP_ARCH_X86\","));
      compile_raw (text, len, &params[0], &raw);
      assert_int_equal (nook_seccomp_compile (text, len, "default.json", &params[0], &bpf, &err), 0);
      assert_true (bpf.len * 3 < raw.len);
      {
        const struct nook_bpf *want[] = { &raw }, *got[] = { &bpf };
        expect_kernel_alike_ending (want, 1, got, 1, i386_getpid, 2, SIGSYS);
      }
      nook_bpf_free (&raw);
      nook_bpf_free (&bpf);
    }
  nook_bpf_free (&term);
#else
  skip ();
#endif
}

/* A policy with every operator, action and kind of rule the format has,
   beside a long run of allowed calls (every x86_64 call below 300 that
   no other rule names), where the pass has something to shorten.  */
static void
shortened_policy_keeps_every_rule (void **state)
{
  static const char rules[]
      = "{\"names\":[\"getpid\"],\"action\":\"SCMP_ACT_LOG\"},"
        "{\"names\":[\"getppid\"],\"action\":\"SCMP_ACT_TRAP\"},"
        "{\"names\":[\"kill\"],\"action\":\"SCMP_ACT_KILL_PROCESS\"},"
        "{\"names\":[\"tkill\"],\"action\":\"SCMP_ACT_KILL_THREAD\"},"
        "{\"names\":[\"ptrace\"],\"action\":\"SCMP_ACT_TRACE\",\"errnoRet\":7},"
        "{\"names\":[\"acct\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
        "{\"names\":[\"socket\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":16,"
        "\"op\":\"SCMP_CMP_LT\"},{\"index\":0,\"value\":38,\"op\":\"SCMP_CMP_GE\"}]},"
        "{\"names\":[\"ioctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":1,\"value\":21522,"
        "\"op\":\"SCMP_CMP_NE\"}]},"
        "{\"names\":[\"personality\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,\"value\":8,"
        "\"op\":\"SCMP_CMP_LE\"},{\"index\":1,\"value\":0,\"op\":\"SCMP_CMP_EQ\"}]},"
        "{\"names\":[\"unshare\",\"setns\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":0,"
        "\"value\":268435456,\"valueTwo\":0,\"op\":\"SCMP_CMP_MASKED_EQ\"}]},"
        "{\"names\":[\"prctl\"],\"action\":\"SCMP_ACT_ALLOW\",\"args\":[{\"index\":2,\"value\":4294967296,"
        "\"op\":\"SCMP_CMP_GT\"}]}";
  static const char *const named[] = { "getpid", "getppid", "kill",        "tkill",   "ptrace", "acct",
                                       "socket", "ioctl",   "personality", "unshare", "setns",  "prctl" };
  struct nook_seccomp_params p = { nook_caps_default (), false };
  struct nook_error err = { 0 };
  cleanup_free char *policy = NULL, *names = xstrdup ("\"execveat\"");
  struct nook_bpf raw, bpf;

  for (int nr = 0; nr < 300; nr++)
    {
      char *name = seccomp_syscall_resolve_num_arch (SCMP_ARCH_X86_64, nr), *more;
      bool other = name == NULL;
      for (size_t i = 0; name && i < sizeof named / sizeof named[0]; i++)
        other |= strcmp (name, named[i]) == 0;
      if (!other)
        {
          more = xasprintf ("%s,\"%s\"", names, name);
          free (names);
          names = more;
        }
      free (name);
    }
  policy = xasprintf ("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"defaultErrnoRet\":38,\"archMap\":[{"
                      "\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]}],"
                      "\"syscalls\":[{\"names\":[%s],\"action\":\"SCMP_ACT_ALLOW\"},%s]}",
                      names, rules);
  compile_raw (policy, strlen (policy), &p, &raw);
  assert_int_equal (compile (policy, &p, &bpf, &err), 0);
  if (bpf.len * 2 > raw.len)
    fail_msg ("the policy takes %zu instructions, libseccomp's %zu", bpf.len, raw.len);
  expect_same_verdicts (&raw, &bpf);
  nook_bpf_free (&raw);
  nook_bpf_free (&bpf);
}

/* A program that computes before its first argument load is not one the
   pass reads: it is kept.  */
static void
unknown_programs_are_kept (void **state)
{
  struct sock_filter prog[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_STMT (BPF_ALU | BPF_AND | BPF_K, 0xff),
    BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_K, 1, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ERRNO | 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_filter bits[] = {
    BPF_STMT (BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr)),
    BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, 0x40000000, 0, 1),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS),
    BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
  };
  struct sock_filter *out = (void *)1;

  assert_int_equal (nook_bpf_shorten (prog, sizeof prog / sizeof prog[0], &out), 0);
  assert_null (out);
  assert_int_equal (nook_bpf_shorten (bits, sizeof bits / sizeof bits[0], &out), 0);
  assert_null (out);
}

/* Programs of libseccomp's shape written at random (a dispatch over the
   architecture and the number, then argument checks with whatever
   classic BPF has) with the values near every edge the kernel has: the
   pass either keeps a program or writes one that the interpreter finds
   answering every probe alike.  Its check is what stands between a
   rewrite it gets wrong and the kernel.  Each program is also merged
   under the one before, as the terminal filter is under a policy: the
   merged one must answer as the two stacked.  */
static uint32_t
rnd (uint64_t *x)
{
  *x ^= *x << 13;
  *x ^= *x >> 7;
  *x ^= *x << 17;
  return (uint32_t)(*x >> 11);
}

static void
random_programs_shorten_alike (void **state)
{
  static const uint32_t pool[] = { 0,
                                   1,
                                   2,
                                   3,
                                   15,
                                   16,
                                   17,
                                   39,
                                   40,
                                   0x3fffffff,
                                   0x40000000,
                                   0x40000001,
                                   0x7fffffff,
                                   0x80000000,
                                   0x80000001,
                                   0xfffffffe,
                                   0xffffffff,
                                   0x5412,
                                   AUDIT_ARCH_X86_64,
                                   AUDIT_ARCH_I386,
                                   AUDIT_ARCH_AARCH64 };
  static const uint32_t rets[]
      = { SECCOMP_RET_ALLOW,        SECCOMP_RET_ERRNO | 1,   SECCOMP_RET_ERRNO | 38, SECCOMP_RET_ERRNO | 4095,
          SECCOMP_RET_KILL_PROCESS, SECCOMP_RET_KILL_THREAD, SECCOMP_RET_TRAP | 5,   SECCOMP_RET_TRACE | 7,
          SECCOMP_RET_LOG,          SECCOMP_RET_USER_NOTIF };
  const size_t n_pool = sizeof pool / sizeof pool[0];
  uint64_t x = 0x9e3779b97f4a7c15ULL;
  size_t shortened = 0, compared = 0, merges = 0, prev_len = 0;
  struct sock_filter prev[160];

  for (int round = 0; round < 3000; round++)
    {
      struct sock_filter prog[160], *out = NULL;
      size_t len = 40 + rnd (&x) % 120, dispatch = len * (5 + rnd (&x) % 4) / 10, n_out;
      uint32_t base = pool[rnd (&x) % n_pool];

      for (size_t pc = 0; pc < len; pc++)
        {
          size_t room = len - 1 - pc, r = rnd (&x) % 100;
          uint8_t jt = room ? rnd (&x) % (room < 40 ? room : 40) : 0;
          uint8_t jf = room ? rnd (&x) % (room < 40 ? room : 40) : 0;
          /* A constant of the pool, or one of a run of numbers above
             one of them: the runs the pass makes ranges of.  */
          uint32_t k = rnd (&x) % 3 ? base + rnd (&x) % 24 : pool[rnd (&x) % n_pool];

          if (pc + 4 >= len || r < 12)
            prog[pc] = (struct sock_filter)BPF_STMT (BPF_RET | BPF_K, rets[rnd (&x) % 10]);
          else if (pc < dispatch)
            {
              if ((pc == 0 && r < 80) || r < 18)
                prog[pc] = (struct sock_filter)BPF_STMT (BPF_LD | BPF_W | BPF_ABS, rnd (&x) % 3 ? 0 : 4);
              else if (r < 21)
                prog[pc] = (struct sock_filter)BPF_STMT (BPF_LD | BPF_W | BPF_ABS, 8 + 4 * (rnd (&x) % 12));
              else if (r < 23)
                prog[pc] = (struct sock_filter)BPF_JUMP (BPF_JMP | BPF_JA, jt, 0, 0);
              else if (r < 25)
                prog[pc] = (struct sock_filter)BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, k, jt, jf);
              else
                prog[pc] = (struct sock_filter)BPF_JUMP (BPF_JMP
                                                             | (r < 70   ? BPF_JEQ
                                                                : r < 85 ? BPF_JGE
                                                                         : BPF_JGT)
                                                             | BPF_K,
                                                         k, jt, jf);
            }
          else if (r < 30)
            prog[pc] = (struct sock_filter)BPF_STMT (BPF_LD | BPF_W | BPF_ABS, 16 + 4 * (rnd (&x) % 12));
          else if (r < 34)
            prog[pc] = (struct sock_filter)BPF_STMT (BPF_ALU | BPF_AND | BPF_K, k);
          else if (r < 36)
            prog[pc] = (struct sock_filter)BPF_STMT (BPF_MISC | BPF_TAX, 0);
          else if (r < 38)
            prog[pc] = (struct sock_filter)BPF_STMT (BPF_ST, rnd (&x) % 4);
          else if (r < 40)
            prog[pc] = (struct sock_filter)BPF_STMT (BPF_LD | BPF_MEM, rnd (&x) % 4);
          else if (r < 42)
            prog[pc] = (struct sock_filter)BPF_STMT (BPF_RET | BPF_A, 0);
          else if (r < 45)
            prog[pc] = (struct sock_filter)BPF_JUMP (BPF_JMP | BPF_JA, jt, 0, 0);
          else if (r < 50)
            prog[pc] = (struct sock_filter)BPF_JUMP (BPF_JMP | BPF_JSET | BPF_K, k, jt, jf);
          else if (r < 53)
            prog[pc] = (struct sock_filter)BPF_JUMP (BPF_JMP | BPF_JEQ | BPF_X, 0, jt, jf);
          else
            prog[pc]
                = (struct sock_filter)BPF_JUMP (BPF_JMP | (r < 80 ? BPF_JEQ : BPF_JGT) | BPF_K, k, jt, jf);
        }
      /* Merged under the previous round's program, as the terminal
         filter is: the two stacked must answer as the one.  */
      if (round > 0)
        {
          struct nook_bpf older = { prev, prev_len, 0 }, newer = { prog, len, 0 }, merged;
          if (nook_bpf_merge (&older, &newer, &merged) == 1)
            {
              merges++;
              for (size_t a = 0; a < n_pool; a++)
                for (size_t n = 0; n < n_pool + 24; n++)
                  for (int v = 0; v < 3; v++)
                    {
                      struct seccomp_data d = { .arch = pool[a] };
                      uint32_t want, got;

                      d.nr = (int)(n < n_pool ? pool[n] : base + (n - n_pool));
                      for (int i = 0; i < 6; i++)
                        d.args[i] = v == 0 ? 0 : v == 1 ? (uint64_t)pool[(a + n + i) % n_pool] : UINT64_MAX;
                      want = stacked (run_bpf (prev, prev_len, &d), run_bpf (prog, len, &d));
                      got = run_bpf (merged.insns, merged.len, &d);
                      if (want != got)
                        fail_msg ("round %d: arch %#x nr %#x args kind %d: stacked %#x, merged %#x", round,
                                  d.arch, d.nr, v, want, got);
                    }
              nook_bpf_free (&merged);
            }
        }
      memcpy (prev, prog, len * sizeof *prog);
      prev_len = len;
      n_out = nook_bpf_shorten (prog, len, &out);
      if (n_out == 0)
        {
          assert_null (out);
          continue;
        }
      shortened++;
      assert_true (n_out < len);
      for (size_t a = 0; a < n_pool; a++)
        for (size_t n = 0; n < n_pool + 24; n++)
          for (int v = 0; v < 4; v++)
            {
              struct seccomp_data d = { .arch = pool[a] };
              uint32_t want, got;

              d.nr = (int)(n < n_pool ? pool[n] : base + (n - n_pool));
              for (int i = 0; i < 6; i++)
                d.args[i] = v == 0   ? 0
                            : v == 1 ? (uint64_t)pool[(a + n + i) % n_pool] << (i % 2 ? 32 : 0)
                            : v == 2 ? base + i
                                     : UINT64_MAX;
              d.instruction_pointer = v == 3 ? 0x5412 : 0;
              want = run_bpf (prog, len, &d);
              got = run_bpf (out, n_out, &d);
              if (want != got)
                fail_msg ("round %d: arch %#x nr %#x args kind %d: %#x, shortened %#x", round, d.arch, d.nr,
                          v, want, got);
              compared++;
            }
      free (out);
    }
  /* The rounds must reach the rewrite often enough to mean something.  */
  if (shortened < 100)
    fail_msg ("only %zu of 3000 random programs shortened", shortened);
  fprintf (stderr, "# %zu programs shortened, %zu answers compared; %zu pairs merged\n", shortened, compared,
           merges);
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

/* The cache names the built-in policy by a SHA-256 computed at build
   time: it must be the one of the text compiled in.  */
static void
builtin_policy_digest_is_its_text (void **state)
{
  uint8_t digest[SHA256_DIGEST_SIZE];
  char hex[2 * SHA256_DIGEST_SIZE + 1];
  struct sha256_ctx ctx;

  sha256_init (&ctx);
  sha256_update (&ctx, nook_seccomp_default_policy_len, (const uint8_t *)nook_seccomp_default_policy);
  sha256_digest (&ctx, sizeof digest, digest);
  for (size_t i = 0; i < sizeof digest; i++)
    snprintf (hex + 2 * i, 3, "%02x", digest[i]);
  assert_string_equal (nook_seccomp_default_policy_sha256, hex);
}

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
  assert_int_equal (nook_seccomp_terminal_filter (0, &progs[0], &err), 0);
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
    cmocka_unit_test (default_policy_refuses_socket_families_on_every_abi),
    cmocka_unit_test (conflicting_socket_rules_hold_on_the_native_abi),
    cmocka_unit_test (includes_and_excludes_change_the_filter),
    cmocka_unit_test (terminal_filter_masks_the_upper_half),
    cmocka_unit_test (shortened_default_policy_decides_alike),
    cmocka_unit_test (shortened_policy_keeps_every_rule),
    cmocka_unit_test (unknown_programs_are_kept),
    cmocka_unit_test (random_programs_shorten_alike),
    cmocka_unit_test (terminal_filter_merges_alike),
    cmocka_unit_test (merged_program_keeps_speculation_mitigated),
    cmocka_unit_test (kernel_answers_rewrites_alike),
    cmocka_unit_test (kernel_answers_policies_alike),
    cmocka_unit_test (builtin_policy_digest_is_its_text),
    cmocka_unit_test (cache_returns_only_exact_matches),
    cmocka_unit_test (apply_changes_ids_and_rearms_pdeathsig),
    cmocka_unit_test (security_options_fill_the_spec),
    cmocka_unit_test (unknown_capability_is_an_error),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
