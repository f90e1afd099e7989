#!/usr/bin/env bats
# linux.resources, cgroupsPath and update where no cgroup v2 tree is
# delegated (this host's hybrid mode): the container runs without a cgroup
# and says so once; what nook could never apply is refused.  The limits
# enforced by a real kernel are the VM suite's (tests/vm/oci-cgroup.sh).

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"

setup() {
  oci_setup
  LOG="$BATS_TEST_TMPDIR/log"
}
teardown() { oci_teardown; }

# Whether this host delegates no cgroup v2 tree with controllers to us.
no_cgroup_here() {
  [ -d /sys/fs/cgroup/unified ] || ! grep -q . "/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)/cgroup.controllers"
}

# Every resource nook maps, each converted as runc and crun convert them.
ALL_RESOURCES='.linux.resources = {
  "memory": {"limit": 104857600, "reservation": 52428800, "swap": 209715200},
  "cpu": {"shares": 512, "quota": 50000, "period": 100000, "cpus": "0", "mems": "0"},
  "pids": {"limit": 64}, "blockIO": {"weight": 500},
  "hugepageLimits": [{"pageSize": "2MB", "limit": 0}],
  "unified": {"memory.high": "90000000"},
  "devices": [{"allow": false, "access": "rwm"}]}'

@test "resources and a cgroupsPath without a delegated cgroup: the container runs, with one warning saying why" {
  require "a host that delegates no cgroup v2 controllers (hybrid mode)" no_cgroup_here
  set_config "$BUNDLE" "$ALL_RESOURCES | .linux.cgroupsPath = \"/nook-test/rs\""
  set_args "$BUNDLE" sh -c 'echo ran; cat /proc/self/cgroup | grep "^0::"'
  run oci --log "$LOG" --log-format json run --bundle "$BUNDLE" rs
  assert_status 0
  assert_output_has ran
  [ "$(jq -s '[.[] | select(.level == "warning")] | length' "$LOG")" = 1 ]
  jq -e 'select(.level == "warning") | .msg | test("cgroup") and test("hybrid|not delegated|no controllers")' "$LOG"
  # A cgroupsPath alone (podman always passes one) is the same single line.
  make_bundle "$BATS_TEST_TMPDIR/b2"
  set_config "$BATS_TEST_TMPDIR/b2" '.linux.cgroupsPath = "nook-test-rs2"'
  set_args "$BATS_TEST_TMPDIR/b2" echo ran2
  run oci --log "$BATS_TEST_TMPDIR/log2" --log-format json run --bundle "$BATS_TEST_TMPDIR/b2" rs2
  assert_status 0
  assert_output_has ran2
  [ "$(jq -s '[.[] | select(.level == "warning")] | length' "$BATS_TEST_TMPDIR/log2")" = 1 ]
  [ ! -e /sys/fs/cgroup/unified/nook-test ]
}

@test "update of a container without a cgroup: one JSON error line, non-zero, the container untouched" {
  require "a host that delegates no cgroup v2 controllers (hybrid mode)" no_cgroup_here
  set_args "$BUNDLE" sleep 1000
  ocid run -d --bundle "$BUNDLE" up
  run oci --log "$LOG" --log-format json update --pids-limit 10 --memory 64m up
  [ "$status" -ne 0 ]
  [ "$(jq -s 'length' "$LOG")" = 1 ]
  jq -e 'select(.level == "error") | .msg | test("no cgroup of its own")' "$LOG"
  echo '{"pids": {"limit": 10}}' >"$BATS_TEST_TMPDIR/res.json"
  run "$NOOK_OCI" --root "$OCI_ROOT" update --resources - up <"$BATS_TEST_TMPDIR/res.json"
  [ "$status" -ne 0 ]
  assert_output_has "no cgroup of its own"
  [ "$(state_of up status)" = running ]
}

@test "update: bad values are refused before anything is written, naming the option or field" {
  set_args "$BUNDLE" sleep 1000
  ocid run -d --bundle "$BUNDLE" uv
  run oci update --pids-limit lots uv
  [ "$status" -ne 0 ]
  assert_output_has "--pids-limit"
  run oci update --memory 12q uv
  [ "$status" -ne 0 ]
  assert_output_has "--memory"
  echo '{"pids": {"limit": "x"}}' >"$BATS_TEST_TMPDIR/res.json"
  run oci update --resources "$BATS_TEST_TMPDIR/res.json" uv
  [ "$status" -ne 0 ]
  assert_output_has "pids.limit"
  echo '[1]' >"$BATS_TEST_TMPDIR/res.json"
  run oci update -r "$BATS_TEST_TMPDIR/res.json" uv
  [ "$status" -ne 0 ]
  assert_output_has "no JSON object"
  [ "$(state_of uv status)" = running ]
}

@test "a bad unified key or resource is refused at create, naming it, and leaves nothing" {
  local key i=0
  for key in '../cgroup.procs' 'memory.max/x' 'cgroup.procs' 'cgroup.subtree_control' '' 'nodot'; do
    i=$((i + 1))
    set_config "$BUNDLE" ".linux.resources = {\"unified\": {\"$key\": \"1\"}}"
    run oci create --bundle "$BUNDLE" "u$i"
    [ "$status" -ne 0 ]
    assert_output_has "unified"
    [ ! -e "$OCI_ROOT/u$i" ]
  done
  # What an engine sees: the error as one JSON line in its log.
  run oci --log "$LOG" --log-format json create --bundle "$BUNDLE" u0
  [ "$status" -ne 0 ]
  [ "$(jq -s 'length' "$LOG")" = 1 ]
  jq -e 'select(.level == "error") | .msg | test("unified")' "$LOG"
  # memory.swap is memory plus swap: less than the memory is no limit.
  set_config "$BUNDLE" '.linux.resources = {"memory": {"limit": 104857600, "swap": 1048576}}'
  run oci create --bundle "$BUNDLE" sw
  [ "$status" -ne 0 ]
  assert_output_has "memory.swap"
  set_config "$BUNDLE" '.linux.resources = {"cpu": {"realtimeRuntime": 1000}}'
  run oci create --bundle "$BUNDLE" rt
  [ "$status" -ne 0 ]
  assert_output_has "realtimeRuntime"
  set_config "$BUNDLE" '.linux.resources = {} | .linux.cgroupsPath = "a/../b"'
  run oci create --bundle "$BUNDLE" dots
  [ "$status" -ne 0 ]
  assert_output_has "cgroupsPath"
  [ -z "$(ls "$OCI_ROOT")" ]
}

# exec --cgroup VALUE in container ID is refused: status 125, one line
# saying TEXT, and the command never ran.
exec_cgroup_refused() { # ID VALUE TEXT
  run oci exec --cgroup "$2" "$1" sh -c 'echo ran > /out/ran'
  assert_status 125
  assert_output_has "$3"
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
  [ ! -e "$BUNDLE/out/ran" ]
}

@test "exec --cgroup: a path that is absolute, climbs or is empty is refused with status 125, and nothing runs" {
  set_args "$BUNDLE" sleep 1000
  ocid run -d --bundle "$BUNDLE" ec
  local bad
  for bad in /abs ../up a/../b ./a a//b '' 'memory:' 'mem ory:sub' ':sub'; do
    exec_cgroup_refused ec "$bad" "--cgroup"
  done
  # cgroup v2 has one hierarchy: two controllers, two paths, is no place.
  run oci exec --cgroup memory:a --cgroup pids:b ec sh -c 'echo ran > /out/ran'
  assert_status 125
  assert_output_has "one hierarchy"
  [ ! -e "$BUNDLE/out/ran" ]
  # What an engine sees: one JSON error line in its log.
  run oci --log "$LOG" --log-format json exec --cgroup ../up ec true
  assert_status 125
  [ "$(jq -s 'length' "$LOG")" = 1 ]
  jq -e 'select(.level == "error") | .msg | test("--cgroup")' "$LOG"
  [ "$(state_of ec status)" = running ]
}

@test "exec --cgroup in a container without a cgroup of its own: one clear error, status 125, nothing runs" {
  require "a host that delegates no cgroup v2 controllers (hybrid mode)" no_cgroup_here
  set_args "$BUNDLE" sleep 1000
  ocid run -d --bundle "$BUNDLE" en
  local form
  for form in sub memory:sub cpu,memory:a/b; do
    exec_cgroup_refused en "$form" "has no cgroup of its own"
  done
  # Without --cgroup the same exec runs.
  run oci exec en sh -c 'echo ran > /out/ran'
  assert_status 0
  [ -e "$BUNDLE/out/ran" ]
}
