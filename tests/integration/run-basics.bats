#!/usr/bin/env bats
# nook run: identity, namespaces, exit status.

load "$NOOK_TESTS/lib.sh"

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "the command runs as uid 0 inside, mapped to the caller outside" {
  run nook run -- sh -c 'id -u; id -g; cat /proc/self/uid_map; cat /proc/self/gid_map; cat /proc/self/setgroups'
  assert_status 0
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = 0 ]
  [ "$(echo ${lines[2]})" = "0 $(id -u) 1" ]
  [ "$(echo ${lines[3]})" = "0 $(id -g) 1" ]
  [ "${lines[4]}" = deny ]
}

@test "--uid and --gid choose the ids inside (keep-id)" {
  run nook run --uid "$(id -u)" --gid "$(id -g)" -- sh -c 'id -u; id -g; cat /proc/self/uid_map'
  assert_status 0
  [ "${lines[0]}" = "$(id -u)" ]
  [ "${lines[1]}" = "$(id -g)" ]
  [ "$(echo ${lines[2]})" = "$(id -u) $(id -u) 1" ]
}

@test "--map-users auto maps 0-65535 through newuidmap with the caller as 0" {
  range=$(grep "^$(id -un):" /etc/subuid | head -1)
  start=$(echo "$range" | cut -d: -f2)
  run nook run --map-users auto -- cat /proc/self/uid_map /proc/self/gid_map
  assert_status 0
  [ "$(echo ${lines[0]})" = "0 $(id -u) 1" ]
  [ "$(echo ${lines[1]})" = "1 $start 65535" ]
}

@test "--map-users auto with --uid keeps the caller at that uid and fills the rest" {
  start=$(grep "^$(id -un):" /etc/subuid | head -1 | cut -d: -f2)
  run nook run --map-users auto --uid 1000 -- sh -c 'id -u; cat /proc/self/uid_map'
  assert_status 0
  [ "${lines[0]}" = 1000 ]
  [ "$(echo ${lines[1]})" = "1000 $(id -u) 1" ]
  [ "$(echo ${lines[2]})" = "0 $start 1000" ]
  [ "$(echo ${lines[3]})" = "1001 $((start + 1000)) 64535" ]
}

@test "the exit status of the command is nook's" {
  run nook run -- sh -c 'exit 42'
  assert_status 42
  run nook run -- true
  assert_status 0
}

@test "a command killed by a signal gives 128+N" {
  run nook run -- sh -c 'kill -KILL $$'
  assert_status 137
}
