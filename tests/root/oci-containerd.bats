#!/usr/bin/env bats
# containerd, as root, drives nook-oci through its runc shim
# (io.containerd.runc.v2): `ctr run --runc-binary nook-oci`.  The test
# starts a containerd of its own (socket, root and state directories in a
# temporary directory, a namespace of its own) and stops it afterwards.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/oci.bash"

IMAGE=docker.io/library/nook-busybox:test

setup_file() {
  require "root" test "$(id -u)" = 0
  require "containerd" command -v containerd
  require "ctr" command -v ctr
  require "nook-oci is built" test -x "$OCI_RUNTIME"
  export C NS
  C=$(mktemp -d /tmp/nook-ctrd.XXXXXX)
  NS=nook-test-$$
  # The CRI plugin (Kubernetes) and the snapshotters this test does not
  # use stay off: a containerd that starts in a second.
  cat >"$C/config.toml" <<EOF
version = 2
root = "$C/root"
state = "$C/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.devmapper"]
[grpc]
  address = "$C/containerd.sock"
[ttrpc]
  address = "$C/containerd.sock.ttrpc"
[debug]
  address = ""
[plugins."io.containerd.internal.v1.opt"]
  path = "$C/opt"
EOF
  # fd 3 closed: bats waits for whoever holds it.
  containerd --config "$C/config.toml" >"$C/containerd.log" 2>&1 3>&- &
  echo $! >"$C/containerd.pid"
  wait_until 20 c version || { cat "$C/containerd.log" >&2; return 1; }
  make_busybox_tar "$C/busybox.tar"
  make_oci_archive "$C/busybox.tar" "$C/busybox-oci.tar" "$IMAGE"
  c image import "$C/busybox-oci.tar" >/dev/null
}

teardown_file() {
  [ -n "${C:-}" ] || return 0
  local id pid
  for id in $(c task ls -q 2>/dev/null); do c task kill -s SIGKILL "$id" >/dev/null 2>&1; done
  for id in $(c container ls -q 2>/dev/null); do
    wait_until 10 task_gone_or_stopped "$id"
    c task rm -f "$id" >/dev/null 2>&1
    c container rm "$id" >/dev/null 2>&1
  done
  c image rm "$IMAGE" >/dev/null 2>&1
  c namespace rm "$NS" >/dev/null 2>&1
  pid=$(cat "$C/containerd.pid" 2>/dev/null) && kill "$pid" 2>/dev/null && wait_until 10 ended "$pid"
  # What the shim's runtime kept under its --root for this namespace.
  rm -rf "/run/containerd/runc/$NS"
  # Nothing may stay mounted in what is removed next.
  findmnt -rn -o TARGET | grep "^$C/" | sort -r | xargs -r umount -l
  rm -rf "$C"
}

c() { ctr --address "$C/containerd.sock" --namespace "$NS" "$@"; }

# PID has exited (a zombie of setup_file's shell counts: it ran the command).
ended() { [ ! -e "/proc/$1" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }

task_gone_or_stopped() { # ID
  local s
  s=$(c task ls 2>/dev/null | awk -v id="$1" '$1 == id { print $3 }')
  [ -z "$s" ] || [ "$s" = STOPPED ]
}
task_status() { c task ls | awk -v id="$1" '$1 == id { print $3 }'; }
has_status() { [ "$(task_status "$1")" = "$2" ]; }
task_pid() { c task ls | awk -v id="$1" '$1 == id { print $2 }'; }

@test "ctr run --runc-binary nook-oci: the command's output, the image's root, namespaces of its own, its exit status" {
  run --separate-stderr c run --rm --runc-binary "$OCI_RUNTIME" "$IMAGE" oci-run sh -c \
    'echo hello; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt; ls /; test -e /usr || echo no-usr'
  assert_ran
  [ "${lines[0]}" = hello ]
  [[ "${lines[1]}" == pid:* ]] && [ "${lines[1]}" != "$(readlink /proc/self/ns/pid)" ]
  [[ "${lines[2]}" == mnt:* ]] && [ "${lines[2]}" != "$(readlink /proc/self/ns/mnt)" ]
  [ "${lines[-1]}" = no-usr ]
  [[ " ${lines[*]} " != *" home "* ]]
  run c run --rm --runc-binary "$OCI_RUNTIME" "$IMAGE" oci-status sh -c 'exit 7'
  assert_status 7
}

@test "ctr task exec runs in the running task; ctr task kill signals it; the runtime's state agrees" {
  run c run -d --runc-binary "$OCI_RUNTIME" "$IMAGE" oci-task \
    sh -c 'trap "exit 42" TERM; echo up >/tmp/up; sleep 1000 & wait'
  assert_status 0
  wait_until 10 has_status oci-task RUNNING
  pid=$(task_pid oci-task)
  # The runtime ran it: its own state, under the root the shim gave it.
  state=$("$OCI_RUNTIME" --root "/run/containerd/runc/$NS" state oci-task)
  [ "$(jq -r .status <<<"$state")" = running ]
  [ "$(jq -r .pid <<<"$state")" = "$pid" ]
  # exec joins the task: its files, its processes.
  wait_until 10 test -e "/proc/$pid/root/tmp/up"
  run --separate-stderr c task exec --exec-id probe oci-task sh -c 'cat /tmp/up; ps -o args | grep -c "^sh -c trap"'
  assert_ran
  [ "${lines[0]}" = up ]
  [ "${lines[1]}" = 1 ]
  # kill sends TERM, which the command traps: it exits 42.
  c task kill oci-task
  wait_until 10 has_status oci-task STOPPED
  ended "$pid"
  run c task rm oci-task
  assert_output_has "exit code 42"
  c container rm oci-task
  run "$OCI_RUNTIME" --root "/run/containerd/runc/$NS" state oci-task
  [ "$status" -ne 0 ]
}

@test "ctr task kill -s SIGKILL stops the task: exit code 137" {
  run c run -d --runc-binary "$OCI_RUNTIME" "$IMAGE" oci-kill sleep 1000
  assert_status 0
  wait_until 10 has_status oci-kill RUNNING
  c task kill -s SIGKILL oci-kill
  wait_until 10 has_status oci-kill STOPPED
  run c task rm oci-kill
  assert_output_has "exit code 137"
  c container rm oci-kill
}
