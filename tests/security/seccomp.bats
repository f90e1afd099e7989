#!/usr/bin/env bats
# The terminal filter under the policies a user writes (--seccomp FILE).
#
# Attacked: the sandbox's own terminal, made its controlling one, through
# TIOCSTI (input pushed back, run by whoever reads the terminal next): as
# the command is, with the upper half of the command set, and through the
# i386 entry point (int $0x80); from nook run and from nook exec.  What
# stops it: nook's terminal filter (src/lib/seccomp.c), which refuses
# TIOCSTI and TIOCLINUX whatever the policy says, as a filter of its own
# or merged into the policy's program (src/lib/seccomp-shorten.c) where
# one program answers as the two stacked.  The policies allow ioctl
# outright, or answer it with another errno, or log or trace it; each
# attack is also run with --seccomp unconfined, which must let it through
# on a kernel that allows TIOCSTI at all.

load "$NOOK_TESTS/lib.sh"

ATTACK=/run/nook-attack
ATTACKS="tiocsti-own-terminal tiocsti-own-terminal-high-bits int80-tiocsti-own-terminal"

setup_file() {
  export WORK="$BATS_FILE_TMPDIR/work"
  mkdir -p "$WORK"
  cc -O1 -o "$WORK/attack" "$NOOK_TESTS/security/attack.c"
  local x86='"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}]'
  printf '{"defaultAction":"SCMP_ACT_ALLOW",%s}\n' "$x86" >"$WORK/allow.json"
  # Every ioctl logged (one program with the terminal filter); TIOCSTI
  # refused with ENOTTY or traced (two programs: the policy looks at the
  # command), as a 64-bit value, which the upper half set passes.
  printf '{"defaultAction":"SCMP_ACT_ALLOW",%s,"syscalls":[{"names":["ioctl"],"action":"SCMP_ACT_LOG"}]}\n' \
    "$x86" >"$WORK/ioctl-LOG.json"
  local action
  for action in ERRNO TRACE; do
    printf '{"defaultAction":"SCMP_ACT_ALLOW",%s,"syscalls":[{"names":["ioctl"],"action":"SCMP_ACT_%s","errnoRet":25,"args":[{"index":1,"value":21522,"op":"SCMP_CMP_EQ"}]}]}\n' \
      "$x86" "$action" >"$WORK/ioctl-$action.json"
  done
}

setup() {
  use_private_state
  cd "$WORK"
}

teardown() { remove_private_state; }

# Kernels built or set with dev.tty.legacy_tiocsti=0 refuse TIOCSTI to
# everyone but CAP_SYS_ADMIN: there the controls cannot succeed.
legacy_tiocsti() { [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 1 ]; }

assert_attack_failed() {
  if [ "$status" -eq 0 ] || [[ "$output" == *succeeded* ]]; then
    echo "the attack succeeded: $output" >&2
    return 1
  fi
}

# Every attack from nook run under POLICY, refused with ERROR (one per
# attack, or one for all).
case_run() { # POLICY ERROR...
  local policy=$1 a
  shift
  for a in $ATTACKS; do
    run nook run --seccomp "$policy" --ro-bind "$WORK/attack" "$ATTACK" -- setsid -w "$ATTACK" "$a"
    assert_attack_failed || { echo "under $policy: $a" >&2; return 1; }
    assert_output_has "failed: $1"
    [ $# -eq 1 ] || shift
  done
}

@test "TIOCSTI on the sandbox's own terminal, under a policy allowing every ioctl (control: unconfined)" {
  require "int \$0x80 from a 64-bit process" sh -c "'$WORK/attack' int80-write | grep -q int80"
  case_run "$WORK/allow.json" EPERM
  if legacy_tiocsti; then
    local a
    for a in $ATTACKS; do
      run nook run --seccomp unconfined --ro-bind "$WORK/attack" "$ATTACK" -- setsid -w "$ATTACK" "$a"
      assert_output_has succeeded
    done
  fi
}

@test "TIOCSTI on the sandbox's own terminal, under policies that refuse, log or trace ioctl themselves" {
  require "int \$0x80 from a 64-bit process" sh -c "'$WORK/attack' int80-write | grep -q int80"
  # Refused by both filters: the policy's errno, the newer filter's,
  # wins; the upper half set passes the policy, not the terminal filter.
  case_run "$WORK/ioctl-ERRNO.json" ENOTTY EPERM ENOTTY
  # Logged or traced (no tracer) by the policy: the terminal filter's
  # refusal comes first.
  case_run "$WORK/ioctl-LOG.json" EPERM
  case_run "$WORK/ioctl-TRACE.json" EPERM
}

@test "TIOCSTI on the sandbox's own terminal from nook exec, under a policy allowing every ioctl" {
  require "int \$0x80 from a 64-bit process" sh -c "'$WORK/attack' int80-write | grep -q int80"
  nook run -d --name tt --seccomp "$WORK/allow.json" --ro-bind "$WORK/attack" "$ATTACK" -- sleep 60
  local a
  for a in $ATTACKS; do
    run nook exec tt setsid -w "$ATTACK" "$a"
    assert_attack_failed || { echo "$a" >&2; return 1; }
    assert_output_has EPERM
  done
  nook rm -f tt
}
