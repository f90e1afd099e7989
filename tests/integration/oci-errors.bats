#!/usr/bin/env bats
# Errors as engines see them: one JSON line in --log (msg, level, time, as
# crun writes them) with --log-format json, else one line on stderr; a
# non-zero exit; nothing left behind.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"

setup() { oci_setup; }
teardown() {
  # A container whose state a test tampered with: its process, whatever
  # the runtime made of the state.
  local pid
  pid=$(cat "$BATS_TEST_TMPDIR/kill-at-teardown" 2>/dev/null) &&
    grep -qF "$BUNDLE" "/proc/$pid/cmdline" 2>/dev/null && kill -9 "$pid"
  oci_teardown
}

pid_gone() { ! kill -0 "$1" 2>/dev/null; }

@test "an error is one JSON line in --log with msg, level and time, and a non-zero exit" {
  run oci --log "$BATS_TEST_TMPDIR/log.json" --log-format json state nosuch
  [ "$status" -ne 0 ]
  [ -z "$output" ]
  [ "$(wc -l <"$BATS_TEST_TMPDIR/log.json")" -eq 1 ]
  jq -e '.level == "error" and (.msg | test("nosuch")) and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T"))' "$BATS_TEST_TMPDIR/log.json"
}

@test "an unknown command is a JSON line in --log too; global options are refused before any log opens" {
  run oci --log "$BATS_TEST_TMPDIR/log.json" --log-format json frobnicate
  [ "$status" -ne 0 ]
  jq -e '.level == "error" and (.msg | test("frobnicate"))' "$BATS_TEST_TMPDIR/log.json"
  run oci --log "$BATS_TEST_TMPDIR/other.json" --log-format yaml list
  [ "$status" -ne 0 ]
  assert_output_has "yaml"
  [ ! -e "$BATS_TEST_TMPDIR/other.json" ]
}

@test "a flag with a value is Go's boolean, as runc reads it: =false is no flag, a word that is no boolean is an error" {
  run oci list --quiet=false
  assert_status 0
  assert_output_has "STATUS"
  run oci list --quiet=true
  assert_status 0
  [ -z "$output" ]
  run oci list --quiet=maybe
  assert_status 125
  assert_output_has "true or false"
}

@test "more options than a command keeps are refused, never cut short" {
  run oci kill -a -a -a -a -a -a -a -a -a nosuch
  [ "$status" -ne 0 ]
  assert_output_has "more than 8 options"
  run oci features extra
  [ "$status" -ne 0 ]
  assert_output_has "takes no arguments"
}

@test "without --log an error is one line on stderr" {
  run oci start nosuch
  [ "$status" -ne 0 ]
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
  [[ "$output" == "nook-oci: "* ]]
}

@test "unknown options and commands are errors; options engines pass and nook-oci ignores are accepted" {
  run oci --bogus list
  [ "$status" -ne 0 ]
  assert_output_has "--bogus"
  run oci create --bogus x
  [ "$status" -ne 0 ]
  run oci frobnicate
  [ "$status" -ne 0 ]
  set_args "$BUNDLE" true
  "$NOOK_OCI" --root "$OCI_ROOT" --systemd-cgroup --cgroup-manager cgroupfs --rootless true --debug --log-format text \
    create --bundle "$BUNDLE" --no-pivot --no-new-keyring --no-subreaper ig </dev/null >"$CTR_LOG" 2>&1
  [ "$(state_of ig status)" = created ]
  run oci --cgroup-manager nonsense list
  [ "$status" -ne 0 ]
}

@test "--help is made from the option tables: every command listed, and each option a command's help names is one its parser takes" {
  cd "$BATS_TEST_TMPDIR"
  run oci --help
  assert_status 0
  mapfile -t cmds < <(sed -n '/^Commands:/,/^$/p' <<<"$output" | awk 'NF > 1 { print $1 }')
  [ "${#cmds[@]}" -eq 14 ]
  assert_output_has "--cgroup-manager MANAGER"
  for c in "${cmds[@]}"; do
    run oci "$c" --help
    assert_status 0
    [ "${lines[0]#Usage: nook-oci \[GLOBAL OPTIONS\] "$c"}" != "${lines[0]}" ]
    # Each option shown (with a value where it takes one) is not unknown
    # to the parser; a made-up one is.
    mapfile -t opts < <(grep -oE -- '--[a-z0-9-]+( [A-Z]|$| )' <<<"$output" | awk '{ print $1, ($2 ? "x" : "") }')
    for o in "${opts[@]}"; do
      # shellcheck disable=SC2086
      run oci "$c" $o no-such-box
      assert_output_lacks "unknown option"
    done
    run oci "$c" --no-such-option no-such-box
    assert_output_has "unknown option"
  done
  # exec's table: 12 options shown, two accepted and ignored.
  run oci exec --help
  [ "$(grep -cE '^ +(-., )?--' <<<"$output")" -eq 12 ]
  assert_output_has "accepted and ignored: --process-label --apparmor"
}

@test "bad configs are refused with the field named, and leave nothing" {
  set_config "$BUNDLE" '.process.args = "not-an-array"'
  run oci create --bundle "$BUNDLE" b1
  [ "$status" -ne 0 ]
  assert_output_has "args"
  [ ! -e "$OCI_ROOT/b1" ]
  make_bundle "$BATS_TEST_TMPDIR/b2"
  set_config "$BATS_TEST_TMPDIR/b2" '.mounts += [{"destination": "/x", "type": "nfs", "source": "srv:/x"}]'
  run oci create --bundle "$BATS_TEST_TMPDIR/b2" b2
  [ "$status" -ne 0 ]
  assert_output_has "nfs"
  [ ! -e "$OCI_ROOT/b2" ]
  echo '{' >"$BATS_TEST_TMPDIR/b2/config.json"
  run oci create --bundle "$BATS_TEST_TMPDIR/b2" b3
  [ "$status" -ne 0 ]
  [ ! -e "$OCI_ROOT/b3" ]
  run oci create --bundle "$BATS_TEST_TMPDIR/nonexistent" b4
  [ "$status" -ne 0 ]
  [ -z "$(ls "$OCI_ROOT")" ]
}

@test "ids are checked; a taken id is refused and the container that has it is untouched" {
  run oci create --bundle "$BUNDLE" ../evil
  [ "$status" -ne 0 ]
  assert_output_has "not valid"
  set_args "$BUNDLE" sleep 1000
  ocid create --bundle "$BUNDLE" dup
  run oci create --bundle "$BUNDLE" dup
  [ "$status" -ne 0 ]
  assert_output_has "already exists"
  [ "$(state_of dup status)" = created ]
}

@test "a command that cannot start fails the container, not the runtime's bookkeeping" {
  set_args "$BUNDLE" /nonexistent
  run -127 oci run --bundle "$BUNDLE" ne
  assert_output_has "nonexistent"
  [ ! -e "$OCI_ROOT/ne" ]
}

@test "a state the container or another user could have written is not obeyed" {
  set_args "$BUNDLE" sleep 1000
  ocid create --bundle "$BUNDLE" fs
  pid=$(state_of fs pid)
  [ "$pid" -gt 0 ]
  echo "$pid" >"$BATS_TEST_TMPDIR/kill-at-teardown"
  cp -p "$OCI_ROOT/fs/state.json" "$BATS_TEST_TMPDIR/orig"
  jq '.pid = "1"' "$OCI_ROOT/fs/state.json" >"$BATS_TEST_TMPDIR/s" && cp "$BATS_TEST_TMPDIR/s" "$OCI_ROOT/fs/state.json"
  run oci kill fs KILL
  [ "$status" -ne 0 ]
  assert_output_has "not as nook-oci wrote it"
  chmod 0666 "$OCI_ROOT/fs/state.json"
  run oci state fs
  [ "$status" -ne 0 ]
  # The state as nook-oci wrote it again: the container is its own, and
  # delete takes it down (nothing of the test outlives it).
  cp -p "$BATS_TEST_TMPDIR/orig" "$OCI_ROOT/fs/state.json"
  [ "$(state_of fs pid)" = "$pid" ]
  run oci delete --force fs
  assert_status 0
  wait_until 10 pid_gone "$pid"
}

@test "start of a container that is not created, and delete of a missing one, are errors; delete --force of it is not" {
  set_args "$BUNDLE" sleep 1000
  ocid run -d --bundle "$BUNDLE" st
  run oci start st
  [ "$status" -ne 0 ]
  assert_output_has "running"
  run oci delete missing
  [ "$status" -ne 0 ]
  run oci delete --force missing
  assert_status 0
}
