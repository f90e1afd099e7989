#!/usr/bin/env bats
# Joining another sandbox's namespaces: --pid/--net/--ipc/--uts container:ID, and host.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"

setup() { use_private_state; }

teardown() { remove_private_state; }

start_box() { # NAME [RUN OPTIONS...]
  local name=$1
  shift
  nook run -d --name "$name" "$@" -- sh -c 'sleep 1000; : marker-a' >/dev/null
  wait_until 10 sh -c "\"\$NOOK\" top $name | grep -q 'sleep 1000'"
}

ns_of() { # NAME TYPE: the inode inspect shows
  nook inspect "$1" | jq -r ".namespaces.$2"
}

@test "--pid container:A sees A's processes; nook-init is not PID 1 there" {
  start_box a
  run nook run --pid container:a -- ps -o pid,args -e
  assert_status 0
  assert_output_has "marker-a"
  [ "$(echo "${lines[1]}" | awk '{print $1, $2}')" = "1 nook-init" ]
  # The joined sandbox's own init and command are in A's namespace too.
  [ "$(printf '%s\n' "$output" | grep -c nook-init)" -eq 2 ]
}

@test "a sandbox that joined A's PID namespace leaves A's processes alone when it ends" {
  start_box a
  # The command exits once its background sleep runs (its exec done).
  run nook run --pid container:a -- sh -c 'sleep 1000 & i=0
    until [ "$(cat /proc/$!/comm)" = sleep ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done; exit 4'
  assert_status 4
  run nook top a
  assert_output_has "marker-a"
  # A's sleep only: the joined sandbox's background sleep ended with it.
  [ "$(printf '%s\n' "$output" | awk '$3 == "sleep"' | wc -l)" -eq 1 ]
  run nook ps
  assert_output_has running
}

@test "a sandbox that joins is created in the other's user namespace" {
  start_box a
  run nook run --pid container:a -- readlink /proc/self/ns/user /proc/self/ns/pid /proc/self/ns/net
  assert_status 0
  [ "${lines[0]}" = "user:[$(ns_of a user)]" ]
  [ "${lines[1]}" = "pid:[$(ns_of a pid)]" ]
  # Only the PID namespace was joined: the network is its own.
  [ "${lines[2]}" != "net:[$(ns_of a net)]" ]
}

@test "--net, --ipc and --uts container:A join those namespaces of A" {
  start_box a --hostname ahost
  run nook run --net container:a --ipc container:a --uts container:a -- \
    sh -c 'readlink /proc/self/ns/net /proc/self/ns/ipc /proc/self/ns/uts /proc/self/ns/pid; hostname'
  assert_status 0
  [ "${lines[0]}" = "net:[$(ns_of a net)]" ]
  [ "${lines[1]}" = "ipc:[$(ns_of a ipc)]" ]
  [ "${lines[2]}" = "uts:[$(ns_of a uts)]" ]
  [ "${lines[3]}" != "pid:[$(ns_of a pid)]" ]
  [ "${lines[4]}" = ahost ]
}

@test "a joined network is shared: a port A listens on is reachable" {
  nook run -d --name srv -- sh -c 'echo hello-from-a | busybox nc -l -p 7777 127.0.0.1' >/dev/null
  require "busybox nc" busybox nc --help
  wait_until 10 sh -c "\"\$NOOK\" exec srv -- grep -q ':1E61 00000000:0000 0A' /proc/net/tcp"
  run nook run --net container:srv -- busybox nc 127.0.0.1 7777
  assert_status 0
  assert_output_has hello-from-a
}

@test "inspect records which sandbox's namespaces were joined" {
  start_box a
  id=$(nook inspect a | jq -r .id)
  nook run -d --name b --pid container:a --net container:a -- sleep 1000 >/dev/null
  run nook inspect b
  [ "$(echo "$output" | jq -r .joined.pid)" = "$id" ]
  [ "$(echo "$output" | jq -r .joined.net)" = "$id" ]
  [ "$(echo "$output" | jq -r .namespaces.pid)" = "$(ns_of a pid)" ]
  # exec into the joined sandbox finds A's processes too.
  run nook exec b -- ps -o args -e
  assert_output_has marker-a
}

@test "a sandbox in A's PID namespace ends when A ends" {
  start_box a
  nook run -d --name b --pid container:a -- sh -c 'sleep 1000; : marker-b' >/dev/null
  nook kill a
  run nook wait b
  assert_status 137
  wait_until 10 sh -c '! pgrep -u "$(id -u)" -f "marker-[b]" >/dev/null'
}

@test "--pid host and the others map to the host's namespaces" {
  run nook run --pid host --net host --ipc host --uts host -- \
    readlink /proc/self/ns/pid /proc/self/ns/net /proc/self/ns/ipc /proc/self/ns/uts
  assert_status 0
  [ "${lines[0]}" = "$(readlink /proc/self/ns/pid)" ]
  [ "${lines[1]}" = "$(readlink /proc/self/ns/net)" ]
  [ "${lines[2]}" = "$(readlink /proc/self/ns/ipc)" ]
  [ "${lines[3]}" = "$(readlink /proc/self/ns/uts)" ]
}

@test "joining an unknown, ended or bad target gives one line and 125, and leaves nothing" {
  run nook run --pid container:nosuch -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "no sandbox \`nosuch\`"
  run nook run --uts bogus -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "takes \`host\` or \`container:ID\`"
  run nook run --net container:nosuch -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "no sandbox \`nosuch\`"
  nook run -d --name ended -- true >/dev/null
  nook wait ended
  run nook run --ipc container:ended -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "is not running"
  run nook run --pid host --pid container:ended -- true
  assert_status 125
  start_box a
  run nook run --uts container:a --hostname x -- true
  assert_status 125
  assert_one_error_line
  [ "$(ls "$STATE/sandboxes" | wc -l)" -eq 2 ]
}

@test "joining takes the ids the other sandbox's user namespace gives: --uid must match" {
  start_box k --uid "$(id -u)" --gid "$(id -g)"
  run nook run --pid container:k -- id -u
  assert_status 125
  assert_one_error_line
  assert_output_has "give --uid $(id -u) --gid $(id -g)"
  nook run -d --name kj --uid "$(id -u)" --gid "$(id -g)" --pid container:k -- sleep 1000 >/dev/null
  run nook exec kj -- sh -c 'id -u; id -g'
  assert_status 0
  [ "${lines[0]}" = "$(id -u)" ]
  [ "${lines[1]}" = "$(id -g)" ]
}
