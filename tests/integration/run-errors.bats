#!/usr/bin/env bats
# nook run: bad input gets one clear line and a distinct status, and leaves nothing.

load "$NOOK_TESTS/lib.sh"

setup() { cd "$BATS_TEST_TMPDIR"; }

# A marker in the command line identifies this test's processes, since
# other suites may run sandboxes as the same user at the same time.
marker() { echo "nook-test-marker-$BATS_TEST_NUMBER-$$"; }
nothing_left() {
  [ -z "$(pgrep -u "$(id -u)" -f "$(marker)")" ]
}

@test "an unknown option: 125 and one line naming it" {
  run nook run --frobnicate -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "unknown option \`--frobnicate\`"
}

@test "a missing option argument: 125 and one line" {
  run nook run --hostname
  assert_status 125
  assert_one_error_line
  assert_output_has "--hostname needs"
}

@test "no command: 125" {
  run nook run
  assert_status 125
  assert_output_has "no command given"
}

@test "an unknown subcommand: 125" {
  run nook frobnicate
  assert_status 125
  assert_output_has "unknown command"
}

@test "a command that does not exist: 127 and one line" {
  run -127 nook run -- no-such-command-here "$(marker)"
  assert_status 127
  assert_one_error_line
  assert_output_has "no-such-command-here"
  assert_output_has "not found"
  nothing_left
}

@test "a command that cannot be executed: 126" {
  printf 'not a program\n' >notexec
  chmod 644 notexec
  run nook run -- ./notexec
  assert_status 126
  assert_one_error_line
  assert_output_has "Permission denied"
  run nook run -- /tmp
  assert_status 126
}

@test "a script whose interpreter is missing: 127 naming the file" {
  printf '#!/no/such/interp\n' >script
  chmod 755 script
  run -127 nook run -- ./script
  assert_status 127
  assert_output_has "./script"
}

@test "--uid outside the mapped range with --map-users auto: 125" {
  run nook run --map-users auto --uid 70000 -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "outside the mapped range 0-65535"
}

@test "--uid that is not a number: 125" {
  run nook run --uid abc -- true
  assert_status 125
  assert_output_has "--uid needs a number"
}

@test "newuidmap not installed: 125 naming the package, nothing left" {
  run env PATH=/nonexistent "$NOOK" run --map-users auto -- /bin/sleep 10 "$(marker)"
  assert_status 125
  assert_one_error_line
  assert_output_has "newuidmap"
  assert_output_has "apt-get install uidmap"
  nothing_left
}

@test "newuidmap failing (not setuid): 125 with its message, nothing left" {
  mkdir fakebin
  cp /usr/bin/newuidmap /usr/bin/newgidmap fakebin/ # copies lose the setuid bit
  run env PATH="$BATS_TEST_TMPDIR/fakebin:$PATH" "$NOOK" run --map-users auto -- sleep 10 "$(marker)"
  assert_status 125
  assert_one_error_line
  assert_output_has "newuidmap failed"
  nothing_left
}

@test "--help and --version" {
  run nook run --help
  assert_status 0
  assert_output_has "Usage: nook run"
  assert_output_has "--map-users"
  run nook --version
  assert_status 0
  assert_output_has "nook "
}
