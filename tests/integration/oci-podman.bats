#!/usr/bin/env bats
# podman and buildah, rootless as the test user, drive nook-oci: the
# engines' own command lines (through conmon), their own image store, a
# busybox image made here.  Each run of this file has a podman of its own:
# configuration, storage and runtime directories under its temporary
# directory, never the user's ~/.config or ~/.local/share/containers.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/oci.bash"

IMAGE=localhost/nook-busybox:test

setup_file() {
  require "podman" command -v podman
  require "nook-oci is built" test -x "$OCI_RUNTIME"
  # A short path: conmon's sockets live under the runtime directory.
  export P
  P=$(mktemp -d /tmp/nook-podman.XXXXXX)
  export XDG_RUNTIME_DIR="$P/run" XDG_CONFIG_HOME="$P/config" XDG_DATA_HOME="$P/data" TMPDIR="$P/tmp"
  mkdir -p "$XDG_RUNTIME_DIR" "$XDG_CONFIG_HOME/containers" "$XDG_DATA_HOME" "$TMPDIR"
  chmod 700 "$XDG_RUNTIME_DIR"
  # vfs: a copy per container, and no overlay mount to depend on; the
  # image is 2 MB.
  cat >"$XDG_CONFIG_HOME/containers/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$P/data/storage"
runroot = "$P/run/storage"
EOF
  # No systemd session here: cgroupfs, and events in a file of ours.
  cat >"$XDG_CONFIG_HOME/containers/containers.conf" <<EOF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$P/run/events.log"
EOF
  make_busybox_tar "$P/busybox.tar"
  podman import -q "$P/busybox.tar" "$IMAGE" >/dev/null
}

teardown_file() {
  [ -n "${P:-}" ] || return 0
  podman rm -a -f -t 0 >/dev/null 2>&1 || true
  buildah rm -a >/dev/null 2>&1 || true
  # The store holds files of the user's subordinate ids: removed from
  # inside podman's user namespace.
  podman unshare rm -rf "$P/data" >/dev/null 2>&1 || true
  # podman's pause process keeps that namespace; it is ours, by its pid.
  local pause
  pause=$(cat "$XDG_RUNTIME_DIR/libpod/tmp/pause.pid" 2>/dev/null) && kill "$pause" 2>/dev/null
  rm -rf "$P"
}

teardown() {
  tm kill-server 2>/dev/null || true
}

pod() { podman --runtime "$OCI_RUNTIME" "$@"; }

# A terminal of the test's own, in tmux (a real pty).
tm() { TERM=xterm tmux -S "$P/tmux" "$@"; }
screen() { tm capture-pane -p -S -100; }
screen_has() { screen | grep -q -- "$1"; }

# The state nook-oci itself keeps for container NAME, as podman's user
# namespace sees it (podman runs its runtime inside that namespace).
runtime_status() { # NAME
  podman unshare "$OCI_RUNTIME" state "$(podman inspect -f '{{.Id}}' "$1")" | jq -r .status
}

@test "podman run --rm: the command's output, in the image's root, in namespaces of its own" {
  mkdir "$BATS_TEST_TMPDIR/vol"
  run --separate-stderr pod run --rm -v "$BATS_TEST_TMPDIR/vol:/vol" "$IMAGE" sh -c \
    'readlink /proc/self/ns/pid; echo uid=$(id -u); touch /vol/made; ls /; hostname; test -e /usr || echo no-usr'
  assert_ran
  [[ "${lines[0]}" == pid:* ]] && [ "${lines[0]}" != "$(readlink /proc/self/ns/pid)" ]
  [ "${lines[1]}" = uid=0 ]
  # root inside is the user outside: what it makes is the user's.
  [ "$(stat -c %u "$BATS_TEST_TMPDIR/vol/made")" = "$(id -u)" ]
  [ "${lines[-1]}" = no-usr ]
  [ "${lines[-2]}" != "$(hostname)" ]
  # The image's root: no /home, no /usr of the host's.
  [[ " ${lines[*]} " != *" home "* ]]
  run pod run --rm "$IMAGE" sh -c 'exit 7'
  assert_status 7
}

@test "on a hybrid-cgroup host podman's crun refuses to start what nook-oci runs" {
  require "a hybrid-cgroup host (cgroup v1 with v2 at /sys/fs/cgroup/unified)" test -d /sys/fs/cgroup/unified
  require "crun" command -v crun
  run podman --runtime "$(command -v crun)" run --rm "$IMAGE" echo started
  [ "$status" -ne 0 ]
  assert_output_has "hybrid"
  assert_output_lacks started
  run --separate-stderr pod run --rm "$IMAGE" echo started
  assert_ran
  [ "$output" = started ]
}

@test "podman run -it: a terminal through conmon's console socket, typed at from a real pty" {
  require "tmux" command -v tmux
  # fd 3 closed: bats waits for whoever holds it, and the tmux server outlives the test.
  tm new-session -d -x 100 -y 30 "env -i PATH=$PATH HOME=$HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR XDG_CONFIG_HOME=$XDG_CONFIG_HOME XDG_DATA_HOME=$XDG_DATA_HOME TMPDIR=$TMPDIR TERM=xterm PS1='host\$ ' bash --norc --noprofile -i" 3>&-
  wait_until 10 screen_has '^host\$'
  tm send-keys -l "podman --runtime $OCI_RUNTIME run -it --rm -e PS1='box# ' $IMAGE sh; echo rc=\$?" && tm send-keys Enter
  wait_until 20 screen_has '^box#' || { screen; false; }
  # The command's own terminal, sized as the pty podman runs on.
  tm send-keys -l 'tty; stty size; echo $((6*7))' && tm send-keys Enter
  wait_until 10 screen_has '^42$' || { screen; false; }
  screen_has '^/dev/pts/0$'
  screen_has '^30 100$'
  tm send-keys -l 'exit 5' && tm send-keys Enter
  wait_until 10 screen_has '^rc=5$' || { screen; false; }
}

@test "podman run -d, ps, exec, stop and rm: the runtime's state follows the engine's" {
  require "jq" command -v jq
  run pod run -d --name oci-d "$IMAGE" sh -c 'trap "exit 42" TERM; echo up >/tmp/up; sleep 1000 & wait'
  assert_status 0
  [[ "$(podman ps --filter name=oci-d --format '{{.Names}} {{.Status}}')" == "oci-d Up "* ]]
  [ "$(runtime_status oci-d)" = running ]
  # exec joins the running container: its files, its processes.
  wait_until 10 pod exec oci-d test -e /tmp/up
  run --separate-stderr pod exec oci-d sh -c 'cat /tmp/up; ps -o args | grep -c "^sh -c trap"'
  assert_ran
  [ "${lines[0]}" = up ]
  [ "${lines[1]}" = 1 ]
  # exec with a terminal: the pty comes through conmon's console socket too.
  run --separate-stderr pod exec -t oci-d tty
  assert_ran
  [[ "$output" == /dev/pts/* ]]
  # stop sends TERM, which the command traps: it exits 42 long before the
  # 20 s after which podman would send KILL.
  start=$SECONDS
  run pod stop -t 20 oci-d
  assert_status 0
  [ $((SECONDS - start)) -lt 15 ]
  [ "$(podman inspect -f '{{.State.ExitCode}}' oci-d)" = 42 ]
  [[ "$(podman ps -a --filter name=oci-d --format '{{.Status}}')" == "Exited (42) "* ]]
  # podman had the runtime delete the stopped container: its state is gone.
  run podman unshare "$OCI_RUNTIME" state "$(podman inspect -f '{{.Id}}' oci-d)"
  [ "$status" -ne 0 ]
  run pod rm oci-d
  assert_status 0
  [ -z "$(podman ps -a -q --filter name=oci-d)" ]
}

@test "podman run --network slirp4netns -p: the published port answers from the host" {
  require "slirp4netns" command -v slirp4netns
  require "curl" command -v curl
  port=$(pick_port)
  run pod run -d --name oci-web --network slirp4netns -p "127.0.0.1:$port:8080" "$IMAGE" \
    sh -c 'mkdir /www && hostname >/www/index.html && exec httpd -f -p 8080 -h /www'
  assert_status 0
  wait_until 20 curl -sf -o /dev/null "http://127.0.0.1:$port/"
  # The page the container wrote: its hostname, not the host's.
  [ "$(curl -sf "http://127.0.0.1:$port/")" = "$(podman exec oci-web hostname)" ]
  run --separate-stderr pod exec oci-web ip -o -4 addr show tap0
  assert_output_has 10.0.2.100
  pod rm -f -t 0 oci-web >/dev/null
}

@test "buildah run: a working container's command runs, and what it writes stays in that container" {
  require "buildah" command -v buildah
  ctr=$(buildah from -q "$IMAGE")
  token=built-$RANDOM$RANDOM
  run --separate-stderr buildah --runtime "$OCI_RUNTIME" run "$ctr" -- sh -c "echo $token >/made; cat /made"
  assert_ran
  [ "$output" = "$token" ]
  run --separate-stderr buildah --runtime "$OCI_RUNTIME" run "$ctr" -- cat /made
  assert_ran
  [ "$output" = "$token" ]
  # Not in the image: only in this working container.
  other=$(buildah from -q "$IMAGE")
  run buildah --runtime "$OCI_RUNTIME" run "$other" -- cat /made
  [ "$status" -ne 0 ]
  assert_output_has "No such file"
  buildah rm "$other" >/dev/null
  buildah rm "$ctr" >/dev/null
}
