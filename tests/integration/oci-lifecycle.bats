#!/usr/bin/env bats
# nook-oci's lifecycle: create, the exec fifo, start, state, kill, delete,
# run, pause and resume, as podman, conmon and containerd's shim drive them.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"

setup() { oci_setup; }
teardown() { oci_teardown; }

@test "create leaves the container waiting at its exec fifo: the command runs only after start" {
  set_args "$BUNDLE" sh -c 'echo ran > /out/ran; exec sleep 1000'
  ocid create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" c1
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  [ "$(state_of c1 pid)" = "$pid" ]
  [ "$(state_of c1 status)" = created ]
  kill -0 "$pid"
  [ -p "$OCI_ROOT/c1/exec.fifo" ]
  # Given time, the command still has not run.
  holds_for 0.3 test ! -e "$BUNDLE/out/ran"
  run oci start c1
  assert_status 0
  wait_until 10 test -e "$BUNDLE/out/ran"
  [ "$(state_of c1 status)" = running ]
  [ ! -e "$OCI_ROOT/c1/exec.fifo" ]
}

@test "state reports the runtime-spec's fields, and stopped with pid 0 once the command ended" {
  set_args "$BUNDLE" sh -c 'exit 3'
  ocid create --bundle "$BUNDLE" c2
  run oci state c2
  assert_status 0
  for key in ociVersion id status pid bundle created; do
    echo "$output" | jq -e "has(\"$key\")"
  done
  [ "$(echo "$output" | jq -r .bundle)" = "$BUNDLE" ]
  oci start c2
  wait_until 10 status_is c2 stopped
  [ "$(state_of c2 pid)" = 0 ]
}

@test "delete of a stopped container leaves no process, no state and no mount" {
  set_args "$BUNDLE" sleep 4242
  ocid create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" c3
  oci start c3
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  oci kill c3 KILL
  wait_until 10 status_is c3 stopped
  run oci delete c3
  assert_status 0
  [ ! -e "$OCI_ROOT/c3" ]
  [ "$(count_procs 'sleep 4242')" -eq 0 ]
  wait_until 10 gone "$pid"
  run ! grep -q "$BUNDLE/rootfs" /proc/self/mountinfo
}

@test "delete refuses a running container; --force kills it, and everything of it is gone" {
  set_args "$BUNDLE" sleep 4243
  ocid run -d --bundle "$BUNDLE" c4
  run oci delete c4
  [ "$status" -ne 0 ]
  assert_output_has "running"
  [ -d "$OCI_ROOT/c4" ]
  run oci delete --force c4
  assert_status 0
  [ ! -e "$OCI_ROOT/c4" ]
  wait_until 10 sh -c '[ "$(pgrep -u "$(id -u)" -f "sleep 424[3]" | wc -l)" -eq 0 ]'
}

@test "kill takes signal names and numbers; TERM reaches the command" {
  set_args "$BUNDLE" sh -c 'trap "echo term > /out/sig; exit 0" TERM; while :; do sleep 0.1; done'
  ocid run -d --bundle "$BUNDLE" c5
  wait_until 10 status_is c5 running
  run oci kill c5 NOSUCHSIG
  [ "$status" -ne 0 ]
  run oci kill c5 SIGTERM
  assert_status 0
  wait_until 10 test -e "$BUNDLE/out/sig"
  wait_until 10 status_is c5 stopped
  set_args "$BUNDLE" sleep 1000
  ocid run -d --bundle "$BUNDLE" c6
  oci kill c6 9
  wait_until 10 status_is c6 stopped
}

@test "kill --all signals every process of the container" {
  set_args "$BUNDLE" sh -c 'sleep 4244 & sleep 4245 & wait'
  ocid run -d --bundle "$BUNDLE" c7
  wait_until 10 sh -c '[ "$(pgrep -u "$(id -u)" -f "sleep 424[45]$" | wc -l)" -eq 2 ]'
  oci kill --all c7 KILL
  wait_until 10 sh -c '[ "$(pgrep -u "$(id -u)" -f "sleep 424[45]$" | wc -l)" -eq 0 ]'
}

@test "run in the foreground gives the command's exit status and deletes the container" {
  set_args "$BUNDLE" sh -c 'echo out-line; exit 7'
  run oci run --bundle "$BUNDLE" c8
  assert_status 7
  assert_output_has "out-line"
  [ ! -e "$OCI_ROOT/c8" ]
}

@test "run --detach returns at once with the container running; --pid-file names its init" {
  set_args "$BUNDLE" sleep 1000
  ocid run --detach --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" c9
  [ "$(state_of c9 status)" = running ]
  [ "$(cat "$BATS_TEST_TMPDIR/pid")" = "$(state_of c9 pid)" ]
}

@test "the process is PID 1 of its PID namespace, the pid the engine is told, with no signal blocked" {
  set_args "$BUNDLE" sh -c 'echo $$; grep "^SigBlk" /proc/self/status; sleep 4254 & exec sleep 1000'
  ocid run --detach --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" p1
  wait_until 10 grep -q SigBlk "$CTR_LOG"
  [ "$(head -1 "$CTR_LOG")" = 1 ]
  grep -q "^SigBlk:[[:space:]]*0*$" "$CTR_LOG"
  pid=$(cat "$BATS_TEST_TMPDIR/pid")
  wait_until 10 sh -c '[ "$(tr "\0" " " <"/proc/$1/cmdline")" = "sleep 1000 " ]' sh "$pid"
  # PID 1 ended, the kernel ends the rest of the container.
  pgrep -u "$(id -u)" -f "sleep 425[4]"
  kill -KILL "$pid"
  wait_until 10 status_is p1 stopped
  run pgrep -u "$(id -u)" -f "sleep 425[4]"
  [ "$status" -ne 0 ]
}

@test "pause stops every process (state paused) and resume lets them run on" {
  set_args "$BUNDLE" sh -c 'while :; do date +%s%N > /out/tick; sleep 0.05; done'
  ocid run -d --bundle "$BUNDLE" c10
  wait_until 10 test -s "$BUNDLE/out/tick"
  oci pause c10
  [ "$(state_of c10 status)" = paused ]
  a=$(cat "$BUNDLE/out/tick")
  holds_for 0.3 sh -c '[ "$(cat "$1")" = "$2" ]' _ "$BUNDLE/out/tick" "$a"
  oci resume c10
  [ "$(state_of c10 status)" = running ]
  wait_until 10 sh -c '[ "$(cat "$1")" != "$2" ]' _ "$BUNDLE/out/tick" "$a"
}

@test "SIGKILL of nook-oci during create leaves nothing once the next command runs" {
  cat >"$BATS_TEST_TMPDIR/hook" <<HOOK
#!/bin/sh
cat > "$BATS_TEST_TMPDIR/hook-state"
exec sleep 4246
HOOK
  chmod +x "$BATS_TEST_TMPDIR/hook"
  set_config "$BUNDLE" '.hooks.createRuntime = [{"path": "'"$BATS_TEST_TMPDIR/hook"'"}]'
  "$NOOK_OCI" --root "$OCI_ROOT" create --bundle "$BUNDLE" c11 </dev/null >"$CTR_LOG" 2>&1 &
  runtime=$!
  wait_until 10 test -s "$BATS_TEST_TMPDIR/hook-state"
  pid=$(jq -r .pid "$BATS_TEST_TMPDIR/hook-state")
  [ "$pid" -gt 0 ]
  [ "$(state_of c11 status)" = creating ]
  kill -KILL "$runtime"
  pkill -u "$(id -u)" -f "sleep 4246" || true
  # The container's init dies with its creator.
  wait_until 10 sh -c '! kill -0 "$1" 2>/dev/null' _ "$pid"
  run oci list -q
  assert_status 0
  [ -z "$output" ]
  [ ! -e "$OCI_ROOT/c11" ]
}

@test "list shows each container with its status; nook oci is the same runtime" {
  set_args "$BUNDLE" sleep 1000
  ocid create --bundle "$BUNDLE" l1
  ocid run -d --bundle "$BUNDLE" l2
  run oci list
  assert_status 0
  assert_output_has "l1"
  assert_output_has "created"
  assert_output_has "running"
  run oci list --format json
  [ "$(echo "$output" | jq -r 'map(.id) | join(",")')" = "l1,l2" ]
  run "$NOOK" oci --root "$OCI_ROOT" state l2
  assert_status 0
  [ "$(echo "$output" | jq -r .status)" = running ]
}

@test "the default root is \$XDG_RUNTIME_DIR/nook-oci, made 0700" {
  set_args "$BUNDLE" true
  "$NOOK_OCI" create --bundle "$BUNDLE" d1 </dev/null >"$CTR_LOG" 2>&1
  [ -d "$XDG_RUNTIME_DIR/nook-oci/d1" ]
  [ "$(stat -c %a "$XDG_RUNTIME_DIR/nook-oci")" = 700 ]
  "$NOOK_OCI" delete --force d1
  [ ! -e "$XDG_RUNTIME_DIR/nook-oci/d1" ]
}

@test "root of a user namespace (rootless podman's) keeps its state in \$XDG_RUNTIME_DIR/nook-oci, not /run" {
  require "unshare(1) is installed" command -v unshare
  run unshare -r "$NOOK_OCI" list -q
  assert_status 0
  [ -d "$XDG_RUNTIME_DIR/nook-oci" ]
}

@test "in a user namespace of its own (rootless podman's), the compiled default policy is reused across runs" {
  require "unshare(1) is installed" command -v unshare
  # podman's config: no user namespace, the caller is already root of one.
  set_config "$BUNDLE" 'del(.linux.uidMappings, .linux.gidMappings) | .linux.namespaces |= map(select(.type != "user"))'
  set_args "$BUNDLE" sh -c 'grep ^Seccomp: /proc/self/status >>/out/seccomp'
  cache="$XDG_RUNTIME_DIR/nook/seccomp"
  run unshare -r sh -c 'for id in u1 u2; do "$1" --root "$2" run --bundle "$5" $id </dev/null || exit; echo $(ls -i "$3") >>"$4/entries"; done' \
    sh "$NOOK_OCI" "$OCI_ROOT" "$cache" "$BATS_TEST_TMPDIR" "$BUNDLE"
  assert_status 0
  # Both runs were under a filter; the first wrote one entry, the second
  # found it (a miss would have renamed a new file into place).
  [ "$(grep -c 'Seccomp:[[:space:]]*2' "$BUNDLE/out/seccomp")" -eq 2 ]
  [ "$(wc -l <"$BATS_TEST_TMPDIR/entries")" -eq 2 ]
  grep -Eqx '[0-9]+ [0-9a-f]+\.bpf' "$BATS_TEST_TMPDIR/entries"
  [ "$(sed -n 1p "$BATS_TEST_TMPDIR/entries")" = "$(sed -n 2p "$BATS_TEST_TMPDIR/entries")" ]
  [ "$(stat -c %a "$XDG_RUNTIME_DIR/nook/secret")" = 600 ]
}

@test "features and spec print the runtime-spec's documents" {
  run oci features
  assert_status 0
  [ "$(echo "$output" | jq -r .ociVersionMax)" = 1.2.0 ]
  echo "$output" | jq -e '.hooks | index("createRuntime")'
  echo "$output" | jq -e '.linux.namespaces | index("user")'
  echo "$output" | jq -e '.linux.seccomp.enabled'
  mkdir "$BATS_TEST_TMPDIR/s"
  run oci spec --bundle "$BATS_TEST_TMPDIR/s"
  assert_status 0
  jq -e '.ociVersion and .process.args and .root.path' "$BATS_TEST_TMPDIR/s/config.json"
  run oci spec --bundle "$BATS_TEST_TMPDIR/s"
  [ "$status" -ne 0 ]
}

@test "--preserve-fds passes the runtime's fds from 3 on into the container" {
  echo via-fd3 >"$BATS_TEST_TMPDIR/f3"
  set_args "$BUNDLE" sh -c 'cat <&3'
  run oci run --preserve-fds 1 --bundle "$BUNDLE" pf 3<"$BATS_TEST_TMPDIR/f3"
  assert_status 0
  [ "$output" = via-fd3 ]
  set_args "$BUNDLE" sh -c 'cat <&3 || echo no-fd3'
  run oci run --bundle "$BUNDLE" pf2 3<"$BATS_TEST_TMPDIR/f3"
  assert_output_has no-fd3
}

@test "list escapes a bundle path with ESC and CR; JSON keeps it exact" {
  evil="$BATS_TEST_TMPDIR/b$(printf '\033[2K\r')x"
  make_bundle "$evil"
  set_args "$evil" sleep 1000
  ocid create --bundle "$evil" e1
  run oci list
  assert_status 0
  assert_output_has 'b\x1b[2K\rx'
  oci list >"$BATS_TEST_TMPDIR/list.out"
  run grep -c "$(printf '\033')" "$BATS_TEST_TMPDIR/list.out"
  [ "$output" = 0 ]
  run grep -c "$(printf '\r')" "$BATS_TEST_TMPDIR/list.out"
  [ "$output" = 0 ]
  [ "$(oci list --format json | jq -r '.[0].bundle')" = "$evil" ]
}
