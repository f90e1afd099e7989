#!/usr/bin/env bats
# The time namespace: --time-offset shifts CLOCK_MONOTONIC and CLOCK_BOOTTIME
# inside (and /proc/uptime), nook exec sees the same clocks, an OCI config's
# linux.timeOffsets does the same.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"

setup() {
  use_private_state
  require "time namespaces (Linux 5.6, CONFIG_TIME_NS)" test -e /proc/self/ns/time
}

teardown() {
  oci_teardown
  remove_private_state
}

# The host's CLOCK_MONOTONIC and CLOCK_BOOTTIME, in seconds.
host_clock() { # monotonic|boottime
  python3 -c "import time; print(time.clock_gettime(time.CLOCK_${1^^}))"
}

# LOW <= VALUE <= HIGH, as decimals (printf %.6f: awk's print would
# round a large value).
between() { # LOW VALUE HIGH
  awk -v l="$1" -v v="$2" -v h="$3" 'BEGIN { exit !(l <= v && v <= h) }'
}

@test "--time-offset boottime: /proc/uptime inside is the host's plus the offset" {
  before=$(awk '{print $1}' /proc/uptime)
  run nook run --time-offset boottime=1000000 -- cat /proc/uptime
  after=$(awk '{print $1}' /proc/uptime)
  assert_status 0
  inside=${output%% *}
  between "$(awk -v b="$before" 'BEGIN { printf "%.6f", b + 1000000 }')" "$inside" \
    "$(awk -v a="$after" 'BEGIN { printf "%.6f", a + 1000000 + 1 }')"
}

@test "--time-offset monotonic: CLOCK_MONOTONIC is shifted, CLOCK_BOOTTIME and the wall clock are not" {
  check='import time; print(time.monotonic(), time.clock_gettime(time.CLOCK_BOOTTIME), time.time())'
  before=$(host_clock monotonic)
  boot_before=$(host_clock boottime)
  wall_before=$(date +%s)
  run nook run --time-offset monotonic=86400.5 -- python3 -c "$check"
  after=$(host_clock monotonic)
  boot_after=$(host_clock boottime)
  assert_status 0
  read -r mono boot wall <<<"$output"
  between "$(awk -v b="$before" 'BEGIN { printf "%.6f", b + 86400.5 }')" "$mono" \
    "$(awk -v a="$after" 'BEGIN { printf "%.6f", a + 86400.5 }')"
  between "$boot_before" "$boot" "$boot_after"
  between "$wall_before" "$wall" "$(($(date +%s) + 1))"
}

@test "--time-offset takes negative offsets: the clock goes back, to no less than 0" {
  host=$(host_clock monotonic)
  back=$(awk -v h="$host" 'BEGIN { printf "%d", h - 100 }')
  run nook run --time-offset "monotonic=-$back.25" -- python3 -c 'import time; print(time.monotonic())'
  assert_status 0
  # The host's clock was at $back + 100 (and some): inside it is near 100.
  between 99.7 "$output" 160
}

@test "a clock not given an offset keeps the one of the runtime's own time namespace" {
  require "unshare(1) with --boottime" sh -c 'unshare --help | grep -q -- --boottime'
  require "busybox-static is installed" test -x /bin/busybox
  # nook-oci (the same engine) runs as root of a user namespace, where
  # nook run has no keyring for its state.
  OCI_ROOT="$XDG_RUNTIME_DIR/oci-root"
  BUNDLE="$BATS_TEST_TMPDIR/bundle"
  make_bundle "$BUNDLE"
  set_config "$BUNDLE" '.linux.namespaces += [{"type": "time"}] | .linux.timeOffsets = {"monotonic": {"secs": 5}}'
  set_args "$BUNDLE" cat /proc/self/timens_offsets
  run unshare -Ur --fork unshare -T --boottime 1000 "$NOOK_OCI" --root "$OCI_ROOT" run --bundle "$BUNDLE" tinherit
  assert_status 0
  [ "$(echo "${lines[0]}" | tr -s ' ')" = "monotonic 5 0" ]
  [ "$(echo "${lines[1]}" | tr -s ' ')" = "boottime 1000 0" ]
}

@test "a sandbox without --time-offset is in the host's time namespace" {
  run nook run -- readlink /proc/self/ns/time
  assert_status 0
  [ "$output" = "$(readlink /proc/self/ns/time)" ]
}

@test "nook exec enters the sandbox's time namespace; inspect shows the offsets" {
  nook run -d --name tbox --time-offset monotonic=500000,boottime=700000 -- sh -c 'echo > /tmp/ready; exec sleep 1000' >/dev/null
  wait_until 10 "$NOOK" exec tbox -- test -e /tmp/ready
  pid=$(nook inspect tbox | jq -r .pid)
  run nook exec tbox -- readlink /proc/self/ns/time
  assert_status 0
  [ "$output" = "$(readlink /proc/$pid/ns/time)" ]
  [ "$output" != "$(readlink /proc/self/ns/time)" ]
  before=$(host_clock monotonic)
  run nook exec tbox -- python3 -c 'import time; print(time.monotonic())'
  after=$(host_clock monotonic)
  assert_status 0
  between "$(awk -v b="$before" 'BEGIN { printf "%.6f", b + 500000 }')" "$output" \
    "$(awk -v a="$after" 'BEGIN { printf "%.6f", a + 500000 }')"
  run nook exec tbox -- cat /proc/uptime
  [ "$(awk -v u="${output%% *}" 'BEGIN { print (u >= 700000) }')" = 1 ]
  run nook inspect tbox
  assert_status 0
  [ "$(echo "$output" | jq -c .time_offsets)" = '{"monotonic":{"secs":500000,"nanosecs":0},"boottime":{"secs":700000,"nanosecs":0}}' ]
  nook kill tbox
}

@test "a sandbox that joins another's namespaces reads its clocks (--time-offset is refused there)" {
  nook run -d --name tjoin --time-offset boottime=900000 -- sh -c 'echo > /tmp/ready; exec sleep 1000' >/dev/null
  wait_until 10 "$NOOK" exec tjoin -- test -e /tmp/ready
  pid=$(nook inspect tjoin | jq -r .pid)
  run nook run --ipc container:tjoin -- sh -c 'readlink /proc/self/ns/time; cat /proc/uptime'
  assert_status 0
  [ "${lines[0]}" = "$(readlink /proc/$pid/ns/time)" ]
  [ "$(awk -v u="${lines[1]%% *}" 'BEGIN { print (u >= 900000) }')" = 1 ]
  run nook run --pid container:tjoin -- sh -c 'readlink /proc/self/ns/time; cat /proc/uptime'
  assert_status 0
  [ "${lines[0]}" = "$(readlink /proc/$pid/ns/time)" ]
  [ "$(awk -v u="${lines[1]%% *}" 'BEGIN { print (u >= 900000) }')" = 1 ]
  run nook run --pid container:tjoin --time-offset boottime=5000000 -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "--time-offset cannot be used with --pid container:tjoin"
  # A sandbox without a time namespace of its own: the joiner keeps the host's.
  nook run -d --name tplain -- sh -c 'echo > /tmp/ready; exec sleep 1000' >/dev/null
  wait_until 10 "$NOOK" exec tplain -- test -e /tmp/ready
  run nook run --uts container:tplain -- readlink /proc/self/ns/time
  assert_status 0
  [ "$output" = "$(readlink /proc/self/ns/time)" ]
  nook kill tjoin
  nook kill tplain
}

@test "--time-offset: bad values are one error line with a hint, exit 125, nothing left" {
  for bad in "" realtime=5 monotonic monotonic=abc monotonic=1. monotonic=1.1234567890 monotonic=--1 \
    monotonic=5,monotonic=6 monotonic=99999999999 "monotonic=1, boottime=2"; do
    run nook run --time-offset "$bad" -- true
    assert_status 125
    assert_one_error_line
    assert_output_has "--time-offset"
    assert_output_has "(Hint: "
    [[ $output == *"is not"* || $output == *"give an offset"* || $output == *"twice"* ]]
  done
  # Well formed, but the clock would be below 0: the kernel refuses it.
  run nook run --time-offset monotonic=-4000000000 -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "a clock inside would be below 0"
  assert_output_has "(Hint: here CLOCK_MONOTONIC is at"
  run nook ps -a -q
  assert_status 0
  [ -z "$output" ]
}

@test "nook check reports time namespaces" {
  run nook check
  assert_output_has "time namespaces"
  echo "$output" | grep -qE "^PASS +time namespaces +a time namespace with clock offsets can be created"
}

@test "OCI: a time namespace with linux.timeOffsets; features lists it; offsets need the namespace" {
  require "busybox-static is installed" test -x /bin/busybox
  OCI_ROOT="$XDG_RUNTIME_DIR/oci-root"
  BUNDLE="$BATS_TEST_TMPDIR/bundle"
  make_bundle "$BUNDLE"
  run oci features
  assert_status 0
  echo "$output" | jq -e '.linux.namespaces | index("time")'
  set_config "$BUNDLE" '.linux.namespaces += [{"type": "time"}]
    | .linux.timeOffsets = {"boottime": {"secs": 2000000, "nanosecs": 0}, "monotonic": {"secs": -1, "nanosecs": 500000000}}'
  set_args "$BUNDLE" sh -c 'cat /proc/uptime; cat /proc/self/timens_offsets'
  run oci run --bundle "$BUNDLE" t1
  assert_status 0
  [ "$(awk -v u="${lines[0]%% *}" 'BEGIN { print (u >= 2000000) }')" = 1 ]
  [ "$(echo "${lines[1]}" | tr -s ' ')" = "monotonic -1 500000000" ]
  [ "$(echo "${lines[2]}" | tr -s ' ')" = "boottime 2000000 0" ]
  set_config "$BUNDLE" '.linux.namespaces |= map(select(.type != "time"))'
  run oci run --bundle "$BUNDLE" t2
  [ "$status" -ne 0 ]
  assert_output_has "timeOffsets"
  assert_output_has "needs a time namespace"
}

@test "OCI: a time namespace given by path is joined (the runtime as root of a user namespace, as rootless podman runs it)" {
  require "busybox-static is installed" test -x /bin/busybox
  require "unshare(1) with --boottime" sh -c 'unshare --help | grep -q -- --boottime'
  OCI_ROOT="$XDG_RUNTIME_DIR/oci-root"
  BUNDLE="$BATS_TEST_TMPDIR/bundle"
  make_bundle "$BUNDLE"
  set_args "$BUNDLE" sh -c 'cat /proc/uptime; readlink /proc/self/ns/time'
  export BUNDLE OCI_ROOT NOOK_OCI
  # In a user namespace of the test's: a time namespace with its offset,
  # held by a sleep (in it once its exec is done), then joined by path.
  run unshare -Ur --fork bash -c '
    unshare -T --boottime 3000000 sleep 1000 & holder=$!
    # wait_until (lib.sh) in this shell: the holder in its namespace, 10 s at most.
    for _ in $(seq 200); do
      [ "$(readlink /proc/$holder/ns/time)" != "$(readlink /proc/self/ns/time)" ] && break
      sleep 0.05
    done
    readlink /proc/$holder/ns/time
    jq ".linux.namespaces += [{\"type\": \"time\", \"path\": \"/proc/$holder/ns/time\"}]" "$BUNDLE/config.json" \
      >"$BUNDLE/c" && mv "$BUNDLE/c" "$BUNDLE/config.json"
    "$NOOK_OCI" --root "$OCI_ROOT" run --bundle "$BUNDLE" tpath </dev/null
    s=$?
    kill $holder
    exit $s'
  assert_status 0
  [ "${lines[2]}" = "${lines[0]}" ]
  [ "$(awk -v u="${lines[1]%% *}" 'BEGIN { print (u >= 3000000) }')" = 1 ]
}
