#!/usr/bin/env bats
# --console-socket: the container's terminal master goes to the engine over
# a unix socket (SCM_RIGHTS), as conmon receives it for `podman run -it`.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"

setup() { oci_setup; }
teardown() { oci_teardown; }

@test "the terminal's master reaches the console socket; what is typed reaches the command" {
  set_config "$BUNDLE" '.process.terminal = true | .process.consoleSize = {"width": 91, "height": 17}'
  set_args "$BUNDLE" sh -c 'tty; stty size; read line; echo "got:$line"'
  python3 "$NOOK_TESTS/oci-console.py" "$BATS_TEST_TMPDIR/cs" "$BATS_TEST_TMPDIR/cs.out" 'typed-text
' >/dev/null &
  wait_until 10 test -S "$BATS_TEST_TMPDIR/cs"
  ocid create --bundle "$BUNDLE" --console-socket "$BATS_TEST_TMPDIR/cs" tt
  oci start tt
  wait
  grep -q "^fd:" "$BATS_TEST_TMPDIR/cs.out"
  grep -q "^/dev/pts/0" "$BATS_TEST_TMPDIR/cs.out"
  grep -q "^17 91" "$BATS_TEST_TMPDIR/cs.out"
  grep -q "got:typed-text" "$BATS_TEST_TMPDIR/cs.out"
}

@test "a terminal without --console-socket is refused with one error, and nothing is left" {
  set_config "$BUNDLE" '.process.terminal = true'
  run oci create --bundle "$BUNDLE" nt
  [ "$status" -ne 0 ]
  assert_output_has "console-socket"
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
  [ ! -e "$OCI_ROOT/nt" ]
}
