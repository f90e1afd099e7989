#!/usr/bin/env bats
# config.json's hooks: all six, in the lifecycle's order, each with the
# container's state on stdin; a failing one fails its step; timeouts.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"

setup() {
  oci_setup
  HOOK="$BATS_TEST_TMPDIR/hook"
  # Records its name, the state's status and pid, one line per call.
  cat >"$HOOK" <<'SH'
#!/bin/sh
state=$(cat)
status=$(printf '%s' "$state" | sed -n 's/.*"status":"\([a-z]*\)".*/\1/p')
pid=$(printf '%s' "$state" | sed -n 's/.*"pid":\([0-9]*\).*/\1/p')
echo "$1 $status $pid" >> "$2"
SH
  chmod +x "$HOOK"
}
teardown() { oci_teardown; }

hook_json() { # NAME
  echo '[{"path": "'"$HOOK"'", "args": ["hook", "'"$1"'", "'"$BATS_TEST_TMPDIR/calls"'"]}]'
}

@test "the six hooks run in the lifecycle's order with the state on stdin" {
  set_config "$BUNDLE" ".hooks = {\"prestart\": $(hook_json prestart), \"createRuntime\": $(hook_json createRuntime),
    \"createContainer\": $(hook_json createContainer), \"startContainer\": $(hook_json startContainer),
    \"poststart\": $(hook_json poststart), \"poststop\": $(hook_json poststop)}"
  set_args "$BUNDLE" sleep 1000
  ocid create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" hk
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  oci start hk
  oci kill hk KILL
  wait_until 10 status_is hk stopped
  oci delete hk
  run cat "$BATS_TEST_TMPDIR/calls"
  [ "${lines[0]}" = "prestart creating $pid" ]
  [ "${lines[1]}" = "createRuntime creating $pid" ]
  [ "${lines[2]}" = "createContainer creating $pid" ]
  [ "${lines[3]}" = "startContainer created $pid" ]
  [ "${lines[4]}" = "poststart running $pid" ]
  [ "${lines[5]%% *}" = poststop ]
  [ "${#lines[@]}" -eq 6 ]
}

@test "a failing createRuntime hook fails create, and nothing is left" {
  set_config "$BUNDLE" '.hooks.createRuntime = [{"path": "/bin/false"}]'
  set_args "$BUNDLE" sleep 4250
  run oci create --bundle "$BUNDLE" hf
  [ "$status" -ne 0 ]
  assert_output_has "createRuntime"
  [ ! -e "$OCI_ROOT/hf" ]
  wait_until 10 sh -c '[ "$(pgrep -u "$(id -u)" -f "sleep 42[5]0" | wc -l)" -eq 0 ]'
}

@test "a hook that outlives its timeout is killed and fails its step" {
  set_config "$BUNDLE" '.hooks.prestart = [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]'
  SECONDS=0
  run oci create --bundle "$BUNDLE" ht
  [ "$status" -ne 0 ]
  assert_output_has "timed out"
  [ "$SECONDS" -lt 10 ]
  [ ! -e "$OCI_ROOT/ht" ]
}
