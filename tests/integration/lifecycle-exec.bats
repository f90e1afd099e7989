#!/usr/bin/env bats
# nook exec, inspect, top, kill, wait, logs on running sandboxes.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"

setup() { use_private_state; }

teardown() { remove_private_state; }

# A sandbox that has written /tmp/ready (its own /tmp) and sleeps.
start_box() { # NAME [RUN OPTIONS...]
  local name=$1
  shift
  nook run -d --name "$name" "$@" -- sh -c 'echo here > /tmp/ready; exec sleep 1000' >/dev/null
  wait_until 10 "$NOOK" exec "$name" -- test -e /tmp/ready
}

@test "exec sees the sandbox's PID namespace, hostname and mounts" {
  start_box box --hostname inner
  run nook exec box -- sh -c 'ps -o pid,comm -e; hostname; cat /tmp/ready; echo $$'
  assert_status 0
  [ "$(echo "${lines[1]}" | awk '{print $1, $2}')" = "1 nook-init" ]
  assert_output_has "sleep"
  assert_output_has "inner"
  assert_output_has "here"
  # Only the sandbox's processes: nook-init, sleep, exec's holder (nook-init
  # --exec), the shell and ps.
  [ "$(printf '%s\n' "$output" | grep -cE '^ +[0-9]+ ')" -eq 5 ]
}

@test "exec is in every namespace of the sandbox" {
  start_box nsbox
  pid=$(nook inspect nsbox | jq -r .pid)
  for ns in user mnt pid net ipc uts cgroup; do
    run nook exec nsbox -- readlink /proc/self/ns/$ns
    assert_status 0
    [ "$output" = "$(readlink /proc/$pid/ns/$ns)" ]
  done
}

@test "exec returns the command's status; 127 when not found, 126 when not executable" {
  start_box st
  run nook exec st -- sh -c 'exit 42'
  assert_status 42
  run nook exec st -- sh -c 'kill -KILL $$'
  assert_status 137
  run -127 nook exec st -- no-such-command
  assert_status 127
  assert_one_error_line
  assert_output_has "command not found in the sandbox"
  run -126 nook exec st -- /tmp
  assert_status 126
  assert_one_error_line
}

@test "exec has the sandbox's environment, uid and gid, plus -e" {
  start_box envbox --setenv FOO from-run --uid "$(id -u)" --gid "$(id -g)"
  run nook exec envbox -- sh -c 'echo $FOO; id -u; id -g'
  assert_status 0
  [ "${lines[0]}" = from-run ]
  [ "${lines[1]}" = "$(id -u)" ]
  [ "${lines[2]}" = "$(id -g)" ]
  BAR=from-caller run nook exec -e FOO=from-exec -e BAR -e NEW=1 envbox -- sh -c 'echo $FOO $BAR $NEW'
  assert_status 0
  [ "$output" = "from-exec from-caller 1" ]
}

@test "exec starts in the command's working directory, or --cwd" {
  start_box cwdbox --chdir /usr
  run nook exec cwdbox -- pwd
  [ "$output" = /usr ]
  run nook exec --cwd /etc cwdbox -- pwd
  [ "$output" = /etc ]
  run nook exec --cwd /no/such cwdbox -- pwd
  assert_status 125
  assert_one_error_line
  run nook exec --cwd relative cwdbox -- pwd
  assert_status 125
}

@test "exec --tty gives the command a terminal of the sandbox's" {
  start_box ttybox
  run nook exec --tty ttybox -- sh -c 'test -t 0 && test -t 1 && tty'
  assert_status 0
  [[ "$output" == /dev/pts/* ]]
  run nook exec ttybox -- sh -c 'test -t 0'
  assert_status 1
}

@test "exec into an ended sandbox, or without a command, gives one line and 125" {
  nook run -d --name gone -- true >/dev/null
  nook wait gone
  run nook exec gone -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "is not running"
  run nook exec gone
  assert_status 125
}

@test "inspect: the namespace inodes are those of /proc/PID/ns of the sandbox" {
  start_box insp --hostname inspected
  run nook inspect insp
  assert_status 0
  json=$output
  pid=$(echo "$json" | jq -r .pid)
  [ "$(cat /proc/$pid/comm)" = nook-init ]
  for ns in cgroup ipc mnt net pid user uts; do
    [ "$(echo "$json" | jq -r .namespaces.$ns)" = "$(stat -L -c %i /proc/$pid/ns/$ns)" ]
  done
  # lsns names the same inode for the sandbox's PID namespace.
  [ "$(lsns -n -o NS -t pid -p "$pid" | tr -d ' ')" = "$(echo "$json" | jq -r .namespaces.pid)" ]
  [ "$(echo "$json" | jq -r .status)" = running ]
  [ "$(echo "$json" | jq -r .hostname)" = inspected ]
  [ "$(echo "$json" | jq -r .idmaps.uid[0].outside)" = "$(id -u)" ]
  [ "$(echo "$json" | jq -r .root.type)" = composed ]
  echo "$json" | jq -e '.mounts[] | select(.destination == "/proc" and .type == "proc")'
  echo "$json" | jq -e '.security.capabilities.bounding | length > 0'
  [ "$(echo "$json" | jq -r .cgroup.path)" = "$(sed -n 's/^0:://p' /proc/$pid/cgroup)" ]
  [ "$(echo "$json" | jq -r '.command | join(" ")')" = "sh -c echo here > /tmp/ready; exec sleep 1000" ]
  echo "$json" | jq -e '.started | test("Z$")'
}

@test "inspect of an ended sandbox shows its exit code and finish time" {
  nook run -d --name done -- sh -c 'exit 5' >/dev/null
  nook wait done || true
  run nook inspect done
  assert_status 0
  [ "$(echo "$output" | jq -r .status)" = exited ]
  [ "$(echo "$output" | jq -r .exit_code)" = 5 ]
  [ "$(echo "$output" | jq -r .pid)" = null ]
  echo "$output" | jq -e '.finished | test("Z$")'
}

@test "top lists the sandbox's processes with host and inner pids" {
  start_box topbox
  pid=$(nook inspect topbox | jq -r .pid)
  run nook top topbox
  assert_status 0
  [ "$(echo "${lines[1]}" | awk '{print $1, $2}')" = "$pid 1" ]
  sleep_line=$(printf '%s\n' "$output" | awk '$3 == "sleep"')
  host=$(echo "$sleep_line" | awk '{print $1}')
  inner=$(echo "$sleep_line" | awk '{print $2}')
  [ "$(cat /proc/$host/comm)" = sleep ]
  [ "$(grep NSpid /proc/$host/status | awk '{print $NF}')" = "$inner" ]
}

@test "kill sends a signal through nook-init; wait prints and returns the exit status" {
  start_box killme
  run nook kill -s TERM killme
  assert_status 0
  run nook wait killme
  assert_status 143
  [ "$output" = 143 ]
  start_box killme2
  run nook kill killme2
  assert_status 0
  run nook wait killme2
  assert_status 137
}

@test "kill with an unknown signal, or at an ended sandbox, gives one line and 125" {
  start_box sig
  run nook kill -s NOSUCH sig
  assert_status 125
  assert_one_error_line
  run nook kill -s SIGWINCH sig
  assert_status 0
  run nook kill -s 9 sig
  assert_status 0
  nook wait sig || true
  run nook kill sig
  assert_status 125
  assert_one_error_line
}

@test "wait returns the status of a detached command" {
  # The command runs until the test says go: wait must wait for it.
  nook run -d --name w -- sh -c 'until [ -e go ]; do sleep 0.05; done; exit 7' >/dev/null
  "$NOOK" wait w </dev/null >waited &
  waiter=$!
  [ "$(nook inspect w | jq -r .status)" = running ]
  kill -0 "$waiter"
  touch go
  st=0
  wait "$waiter" || st=$?
  [ "$st" = 7 ]
  [ "$(cat waited)" = 7 ]
}

@test "logs prints a detached sandbox's stdout and stderr; -f follows until it ends" {
  # "late" comes once logs -f has shown the rest: -f follows the output.
  nook run -d --name talk -- sh -c 'echo out; echo err >&2; until [ -e go ]; do sleep 0.05; done; echo late' >/dev/null
  "$NOOK" logs -f talk </dev/null >followed 2>&1 &
  follower=$!
  wait_until 10 grep -qx err followed
  touch go
  wait "$follower"
  [ "$(cat followed)" = "$(printf 'out\nerr\nlate')" ]
  run nook logs talk
  [ "$output" = "$(printf 'out\nerr\nlate')" ]
  run nook run -- true
  nook run --name fgrun -- sleep 1000 </dev/null &
  wait_until 10 sh -c '"$NOOK" ps | grep -q fgrun'
  run nook logs fgrun
  assert_status 125
  assert_one_error_line
  kill %1
}

@test "the log is capped: a sandbox keeps at most twice --log-size" {
  id=$(nook run -d --log-size 8k -- sh -c 'i=0; while [ $i -lt 2000 ]; do echo line-$i; i=$((i+1)); done')
  nook wait "$id"
  size=$(cat "$STATE/sandboxes/$id"/log* | wc -c)
  [ "$size" -le $((16 * 1024 + 65536)) ]
  run nook logs "$id"
  [ "${lines[-1]}" = line-1999 ]
  run nook run -d --log-size 1 -- true
  assert_status 125
  assert_one_error_line
}

@test "nook exec SIGKILLed leaves no process in the sandbox" {
  start_box victim
  "$NOOK" exec victim -- sh -c 'sleep 1000; : marker-exec' </dev/null &
  exec_pid=$!
  wait_until 10 sh -c '"$NOOK" top victim | grep -q "marker-exec"'
  kill -KILL "$exec_pid"
  wait "$exec_pid" || true
  wait_until 10 sh -c '! "$NOOK" top victim | grep -q "marker-exec"'
  run nook top victim
  assert_output_lacks "marker-exec"
}

@test "exec's capabilities, no_new_privs and seccomp mode equal those of the sandbox's command" {
  for opts in "" "--uid $(id -u) --gid $(id -g)" "--cap-drop ALL --cap-add KILL" "--seccomp unconfined" \
    "--uid $(id -u) --gid $(id -g) --cap-add NET_BIND_SERVICE"; do
    nook run -d --name "privs" $opts -- sh -c 'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status > /tmp/privs; exec sleep 1000' >/dev/null
    wait_until 10 "$NOOK" exec privs -- test -s /tmp/privs
    run nook exec privs -- sh -c 'grep -E "^(Cap(Inh|Prm|Eff|Bnd|Amb)|NoNewPrivs|Seccomp):" /proc/self/status | diff /tmp/privs -'
    assert_status 0
    nook rm -f privs
  done
}

@test "a syscall the sandbox's seccomp policy denies stays denied in exec" {
  nook run -d --name sec -- sleep 1000 >/dev/null
  # The default policy refuses nested user namespaces (no --allow-nested).
  run nook exec sec -- unshare -U true
  assert_status 1
  assert_output_has "Operation not permitted"
  run nook exec sec -- sh -c 'grep ^Seccomp: /proc/self/status'
  assert_output_has "2"
  nook rm -f sec
  nook run -d --name sec2 --allow-nested -- sleep 1000 >/dev/null
  run nook exec sec2 -- unshare -U true
  assert_status 0
  nook rm -f sec2
}

@test "file descriptors of the caller of nook exec do not leak into the sandbox" {
  nook run -d --name fds -- sleep 1000 >/dev/null
  exec 7>"$BATS_TEST_TMPDIR/leak"
  run nook exec fds -- sh -c 'ls /proc/self/fd | tr "\n" " "'
  exec 7>&-
  nook rm -f fds
  assert_status 0
  [ "$output" = "0 1 2 3 " ] # 3 is ls's own directory fd
}

@test "inspect shows the network mode and published ports, and the layers" {
  mkdir -p lower upper
  port=$((18100 + RANDOM % 800))
  nook run -d --name insp --net slirp4netns -p "127.0.0.1:$port:80" --overlay=fuse --layer "$BATS_TEST_TMPDIR/lower" \
    --upper "$BATS_TEST_TMPDIR/upper" --layers-at /merged -- sleep 1000 >/dev/null
  run nook inspect insp
  nook rm -f insp
  assert_status 0
  [ "$(echo "$output" | jq -r .network.mode)" = slirp4netns ]
  [ "$(echo "$output" | jq -r '.network.ports[0] | "\(.host_ip):\(.host_port)->\(.port)/\(.protocol)"')" = "127.0.0.1:$port->80/tcp" ]
  [ "$(echo "$output" | jq -r '.layers[0].lower[0]')" = "$BATS_TEST_TMPDIR/lower" ]
  [ "$(echo "$output" | jq -r '.layers[0].upper')" = "$BATS_TEST_TMPDIR/upper" ]
  [ "$(echo "$output" | jq -r '.layers[0].merged')" = /merged ]
  [ "$(echo "$output" | jq -r '.layers[0].overlay')" = fuse-overlayfs ]
  [ "$(echo "$output" | jq -r .limits)" = null ]
}

@test "inspect names the overlay that --overlay=auto chose, from the sandbox's mounts" {
  mkdir -p lower
  nook run -d --name auto --layer "$BATS_TEST_TMPDIR/lower" --layers-at /merged -- sleep 1000 >/dev/null
  run nook inspect auto
  nook rm -f auto
  assert_status 0
  # This host allows kernel overlayfs in a user namespace (nook check says so).
  [ "$(echo "$output" | jq -r '.layers[0].overlay')" = kernel ]
}
