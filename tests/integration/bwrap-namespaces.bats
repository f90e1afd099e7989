#!/usr/bin/env bats
# nook-bwrap: only the namespaces asked for, the caller's ids, capabilities.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/bwrap.bash"

setup() { cd "$BATS_TEST_TMPDIR"; }
# A test that fails half-way leaves no sandbox waiting on a fifo: nook-bwrap
# killed, its sandbox dies with it.
teardown() {
  local p
  for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null; done
  true
}

ns() { readlink "/proc/self/ns/$1"; }

@test "bwrap: without --unshare-* only the user and mount namespaces are new" {
  run bw --ro-bind / / sh -c 'for n in user mnt net pid ipc uts cgroup; do readlink /proc/self/ns/$n; done'
  assert_status 0
  [ "${lines[0]}" != "$(ns user)" ] && [ "${lines[1]}" != "$(ns mnt)" ]
  [ "${lines[2]}" = "$(ns net)" ] && [ "${lines[3]}" = "$(ns pid)" ] && [ "${lines[4]}" = "$(ns ipc)" ]
  [ "${lines[5]}" = "$(ns uts)" ] && [ "${lines[6]}" = "$(ns cgroup)" ]
}

@test "bwrap: each --unshare-* makes its namespace, --unshare-all all of them, --share-net keeps the network" {
  for n in net pid ipc uts cgroup; do
    run bw --ro-bind / / --unshare-$n readlink /proc/self/ns/$n
    assert_status 0
    [ "$output" != "$(ns $n)" ]
  done
  run bw --ro-bind / / --unshare-cgroup-try readlink /proc/self/ns/cgroup
  [ "$output" != "$(ns cgroup)" ]
  run bw --ro-bind / / --unshare-all sh -c 'for n in net pid ipc uts cgroup; do readlink /proc/self/ns/$n; done'
  for i in 0 1 2 3 4; do
    n=(net pid ipc uts cgroup)
    [ "${lines[$i]}" != "$(ns ${n[$i]})" ]
  done
  run bw --ro-bind / / --unshare-all --share-net readlink /proc/self/ns/net
  [ "$output" = "$(ns net)" ]
}

@test "bwrap: --unshare-net leaves only the loopback, up" {
  run bw --ro-bind / / --unshare-net cat /proc/net/dev
  assert_status 0
  [ "$(printf '%s\n' "$output" | tail -n +3 | awk -F: '{print $1}' | tr -d ' ')" = lo ]
}

@test "bwrap: --unshare-uts keeps the host's name unless --hostname" {
  run bw --ro-bind / / --unshare-uts cat /proc/sys/kernel/hostname
  [ "$output" = "$(cat /proc/sys/kernel/hostname)" ]
  run bw --ro-bind / / --unshare-uts --hostname inside cat /proc/sys/kernel/hostname
  [ "$output" = inside ]
}

@test "bwrap: the caller's uid and gid inside, --uid and --gid change them; no capability" {
  run bw --ro-bind / / sh -c 'id -u; id -g; grep CapEff /proc/self/status'
  [ "${lines[0]}" = "$(id -u)" ] && [ "${lines[1]}" = "$(id -g)" ]
  [ "${lines[2]}" = "CapEff:	0000000000000000" ]
  run bw --ro-bind / / --unshare-user --uid 0 --gid 0 sh -c 'id -u; id -g; grep CapEff /proc/self/status'
  [ "${lines[0]}" = 0 ] && [ "${lines[1]}" = 0 ] && [ "${lines[2]}" = "CapEff:	0000000000000000" ]
  run bw --ro-bind / / --unshare-user-try --uid 1234 id -u
  [ "$output" = 1234 ]
}

@test "bwrap: --cap-add gives capabilities, --cap-drop takes them back, in order" {
  run bw --ro-bind / / --uid 0 --cap-add ALL --cap-drop CAP_SYS_ADMIN sh -c 'grep CapEff /proc/self/status'
  eff=$((16#$(echo "$output" | awk '{print $2}')))
  [ $((eff & (1 << 21))) -eq 0 ] && [ $((eff & (1 << 12))) -ne 0 ]
  run bw --ro-bind / / --cap-add CAP_NET_ADMIN sh -c 'grep CapAmb /proc/self/status'
  [ "$output" = "CapAmb:	0000000000001000" ]
  run bw --ro-bind / / --cap-add CAP_NOPE true
  [ "$output" = "bwrap: unknown cap: CAP_NOPE" ]
}

@test "bwrap: --as-pid-1 runs the command as PID 1, without it nook-init is" {
  run bw --ro-bind / / --unshare-pid --as-pid-1 sh -c 'echo $$'
  [ "$output" = 1 ]
  run bw --ro-bind / / --unshare-pid --proc /proc sh -c 'echo $$; cat /proc/1/comm'
  [ "${lines[0]}" = 2 ] && [ "${lines[1]}" = nook-init ]
  run bw --ro-bind / / --as-pid-1 true
  [ "$output" = "bwrap: Specifying --as-pid-1 requires --unshare-pid" ]
}

@test "bwrap: --userns and --pidns join namespaces given as fds" {
  mkfifo go
  "$BWRAP" --ro-bind / / --bind "$PWD" "$PWD" --unshare-pid --info-fd 3 \
    sh -c 'readlink /proc/self/ns/user > u; readlink /proc/self/ns/pid > p; cat go' 3>info </dev/null &
  wait_until 5 test -s p
  pid=$(sed -n 's/.*"child-pid": \([0-9]*\).*/\1/p' info)
  run "$BWRAP" --ro-bind / / --userns 5 --pidns 6 sh -c 'readlink /proc/self/ns/user; readlink /proc/self/ns/pid' \
    5</proc/$pid/ns/user 6</proc/$pid/ns/pid
  echo done > go
  wait
  assert_status 0
  [ "${lines[0]}" = "$(cat u)" ] && [ "${lines[1]}" = "$(cat p)" ]
  run bw --ro-bind / / --unshare-user --userns 0 true
  [ "$output" = "bwrap: --userns not compatible --unshare-user" ]
}

@test "bwrap: --userns2 switches to a child user namespace once the sandbox is set up" {
  mkfifo go
  "$BWRAP" --ro-bind / / --proc /proc --bind "$PWD" "$PWD" --info-fd 3 \
    sh -c 'unshare --map-current-user sh -c "echo \$\$ > innerpid; readlink /proc/self/ns/user > inner; cat go"' \
    3>info </dev/null &
  wait_until 5 test -s inner
  # No PID namespace of its own: the pid is the host's.
  inner_pid=$(cat innerpid)
  outer=$(sed -n 's/.*"child-pid": \([0-9]*\).*/\1/p' info)
  run "$BWRAP" --ro-bind / / --userns 5 --userns2 6 readlink /proc/self/ns/user \
    5</proc/$outer/ns/user 6</proc/$inner_pid/ns/user
  echo done > go
  wait
  assert_status 0
  [ "$output" = "$(cat inner)" ]
}

@test "bwrap: --disable-userns leaves no user namespace to make; --assert-userns-disabled checks it" {
  run bw --ro-bind / / --unshare-user --disable-userns unshare -U true
  [ "$status" -ne 0 ]
  run bw --ro-bind / / --unshare-user --disable-userns sh -c 'echo 100 > /proc/sys/user/max_user_namespaces; unshare -U true'
  [ "$status" -ne 0 ]
  run bw --ro-bind / / unshare -U true
  assert_status 0
  run bw --ro-bind / / --assert-userns-disabled true
  assert_status 1
  [ "$output" = "bwrap: creation of new user namespaces was not disabled as requested" ]
  run bw --ro-bind / / --unshare-user --disable-userns --assert-userns-disabled true
  assert_status 0
  run bw --ro-bind / / --disable-userns true
  [ "$output" = "bwrap: --disable-userns requires --unshare-user" ]
}
