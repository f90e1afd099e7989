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

@test "a setup that fails in the sandbox: its one line, also when nook reads it after the sandbox is gone" {
  require "time namespaces (Linux 5.6, CONFIG_TIME_NS)" test -e /proc/self/ns/time
  # The sandbox's first step fails (the kernel refuses the offset) while
  # nook may still send it NOOK_SYNC_READY: a sandbox gone with that unread
  # makes the kernel report ECONNRESET before the message it sent.  Runs
  # side by side make nook late to read, often enough to see a lost line.
  use_private_state
  local i j
  for j in 1 2 3 4; do
    for i in $(seq 15); do
      "$NOOK" run --time-offset monotonic=-4000000000 -- true >"out.$j.$i" 2>&1 || echo $? >>"out.$j.$i"
    done &
  done
  wait
  for f in out.*; do
    [ "$(grep -c '^nook: .*a clock inside would be below 0' "$f")" = 1 ] || { echo "$f: $(cat "$f")" >&2; return 1; }
    [ "$(tail -1 "$f")" = 125 ] || { echo "$f: $(cat "$f")" >&2; return 1; }
  done
  run "$NOOK" ps -a -q
  [ -z "$output" ]
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
