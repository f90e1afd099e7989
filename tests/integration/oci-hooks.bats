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
teardown() {
  oci_teardown
  [ -z "${HOOKDIR:-}" ] || rm -rf "$HOOKDIR"
}

# A createContainer hook runs before the pivot, where nook composes the
# root on /tmp (which covers the test's files): what it records goes to a
# directory elsewhere, HOOKDIR.
hook_dir() {
  HOOKDIR=$(mktemp -d /dev/shm/nook-hooks.XXXXXX)
}

# The runtime's hooks and createContainer write to HOOKDIR/calls; a
# startContainer hook's path and files resolve in the container: it
# writes to /out/calls, the bundle's out/calls.
hook_json() { # NAME
  echo '[{"path": "'"$HOOK"'", "args": ["hook", "'"$1"'", "'"$HOOKDIR/calls"'"]}]'
}
in_container_hook_json() { # NAME
  cp "$HOOK" "$BUNDLE/out/hook"
  echo '[{"path": "/out/hook", "args": ["hook", "'"$1"'", "/out/calls"]}]'
}

@test "the six hooks run in the lifecycle's order with the state on stdin" {
  hook_dir
  set_config "$BUNDLE" ".hooks = {\"prestart\": $(hook_json prestart), \"createRuntime\": $(hook_json createRuntime),
    \"createContainer\": $(hook_json createContainer), \"startContainer\": $(in_container_hook_json startContainer),
    \"poststart\": $(hook_json poststart), \"poststop\": $(hook_json poststop)}"
  set_args "$BUNDLE" sleep 1000
  ocid create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" hk
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  oci start hk
  oci kill hk KILL
  wait_until 10 status_is hk stopped
  oci delete hk
  run cat "$HOOKDIR/calls"
  [ "${lines[0]}" = "prestart creating $pid" ]
  [ "${lines[1]}" = "createRuntime creating $pid" ]
  [ "${lines[2]}" = "createContainer creating $pid" ]
  [ "${lines[3]}" = "poststart running $pid" ]
  [ "${lines[4]%% *}" = poststop ]
  [ "${#lines[@]}" -eq 5 ]
  [ "$(cat "$BUNDLE/out/calls")" = "startContainer created $pid" ]
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

# Records the mount and UTS namespaces it runs in, and the hostname, in FILE.
ns_hook() { # FILE
  cat >"$1" <<'SH'
#!/bin/sh
cat >/dev/null
{ readlink /proc/self/ns/mnt; readlink /proc/self/ns/uts; hostname; } >"$1"
SH
  chmod +x "$1"
}

@test "createContainer and startContainer hooks run in the container's namespaces" {
  hook_dir
  ns_hook "$BATS_TEST_TMPDIR/nshook"
  ns_hook "$BUNDLE/out/nshook"
  set_config "$BUNDLE" '.hostname = "inbox"
    | .hooks.createContainer = [{"path": "'"$BATS_TEST_TMPDIR/nshook"'", "args": ["nshook", "'"$HOOKDIR/create.ns"'"]}]
    | .hooks.startContainer = [{"path": "/out/nshook", "args": ["nshook", "/out/start.ns"]}]'
  set_args "$BUNDLE" sh -c 'readlink /proc/self/ns/mnt; readlink /proc/self/ns/uts'
  run oci run --bundle "$BUNDLE" hn
  assert_status 0
  mnt=${lines[0]} uts=${lines[1]}
  [ "$mnt" != "$(readlink /proc/self/ns/mnt)" ]
  # createContainer: its path is the runtime's, before the pivot.
  run cat "$HOOKDIR/create.ns"
  [ "${lines[0]}" = "$mnt" ]
  [ "${lines[1]}" = "$uts" ]
  # startContainer: its path is the container's, the hostname set.
  run cat "$BUNDLE/out/start.ns"
  [ "${lines[0]}" = "$mnt" ]
  [ "${lines[1]}" = "$uts" ]
  [ "${lines[2]}" = inbox ]
}

@test "a failing startContainer hook fails start; the process never runs and the container stops" {
  set_config "$BUNDLE" '.hooks.startContainer = [{"path": "/bin/false"}]'
  set_args "$BUNDLE" sh -c 'touch /out/ran; sleep 4252'
  ocid create --bundle "$BUNDLE" hs
  run oci start hs
  [ "$status" -ne 0 ]
  assert_output_has "startContainer"
  wait_until 10 status_is hs stopped
  [ ! -e "$BUNDLE/out/ran" ]
  grep -q "startContainer" "$CTR_LOG"
  oci delete hs
  [ ! -e "$OCI_ROOT/hs" ]
}

@test "a failing createContainer hook fails create, and nothing is left" {
  set_config "$BUNDLE" '.hooks.createContainer = [{"path": "/bin/false"}]'
  set_args "$BUNDLE" sleep 4253
  run oci create --bundle "$BUNDLE" hc
  [ "$status" -ne 0 ]
  assert_output_has "createContainer"
  [ ! -e "$OCI_ROOT/hc" ]
  run pgrep -u "$(id -u)" -f "sleep 425[3]"
  [ "$status" -ne 0 ]
}
