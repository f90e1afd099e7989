#!/usr/bin/env bats
# Defaults and messages: what a user meets outside the happy path.

load "$NOOK_TESTS/lib.sh"

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "a copied nook, with no policy directory anywhere, confines with its built-in default policy" {
  mkdir -p copy/bin
  cp "$NOOK" "$(dirname "$NOOK")/nook-init" copy/bin/
  [ ! -e copy/policy ]
  run copy/bin/nook run -- sh -c 'grep ^Seccomp: /proc/self/status; unshare -U true'
  [ "${lines[0]}" = "Seccomp:	2" ]
  [ "$status" -ne 0 ]
  run copy/bin/nook run --seccomp default -- true
  assert_status 0
  run copy/bin/nook check
  assert_output_has "PASS  seccomp policy     the default policy (built in) compiles"
  # A policy that is really missing is still one error line.
  run copy/bin/nook run --seccomp nosuch -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "no such policy"
}
