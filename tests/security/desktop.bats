#!/usr/bin/env bats
# The escape battery's cases under the desktop profile, with a real X
# server, session bus and sound server running for it: what the profile
# opens (display, sound, a filtered bus) must not open the rest — the
# caller's terminal, home, processes, network, the unfiltered bus.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/desktop.bash"

setup_file() {
  require "Xvfb (xvfb)" command -v Xvfb
  require "dbus-test-tool (dbus-tests)" command -v dbus-test-tool
  export WORK="$BATS_FILE_TMPDIR/work"
  mkdir -p "$WORK"
  cc -O1 -o "$WORK/attack" "$NOOK_TESTS/security/attack.c"
}

setup() {
  desktop_session
  export HOME="$DESK/home"
  mkdir -p "$HOME"
  echo "host secret" >"$HOME/secret"
  start_xvfb
  start_dbus
  cd "$WORK"
  DESKTOP=(--profile desktop --app org.nook.Test.Escape --filesystem "$WORK:ro")
}

teardown() {
  [ -z "${host_pid:-}" ] || kill "$host_pid" 2>/dev/null || true
  stop_desktop_session
}

assert_attack_failed() {
  if [ "$status" -eq 0 ] || [[ "$output" == *succeeded* ]]; then
    echo "the attack succeeded: $output" >&2
    return 1
  fi
}

@test "desktop profile: TIOCSTI into the caller's terminal is refused" {
  require "script(1) to give the test a terminal" command -v script
  run script -qec "$NOOK run ${DESKTOP[*]} -- $WORK/attack tiocsti 0" /dev/null
  assert_attack_failed
  assert_output_has EPERM
}

@test "desktop profile: the caller's home stays out, however it is reached" {
  run nook run "${DESKTOP[@]}" -- sh -c "cat '$HOME/secret' || cat /proc/1/root'$HOME/secret' || cat ../../home/secret"
  assert_attack_failed
  assert_output_lacks "host secret"
}

@test "desktop profile: host processes are neither seen nor signalled" {
  sleep 1000 3>&- &
  host_pid=$!
  run nook run "${DESKTOP[@]}" -- sh -c "ps -e -o pid,comm; '$WORK/attack' kill $host_pid; kill -KILL -1"
  assert_output_lacks "sleep"
  assert_output_lacks "Xvfb"
  assert_output_lacks "dbus-daemon"
  assert_output_has "failed: ESRCH"
  grep -Eq '^State:\s+S' "/proc/$host_pid/status"
}

@test "desktop profile: no network, and the X server's abstract socket is out of reach" {
  run nook run "${DESKTOP[@]}" -- sh -c 'ip -o link 2>/dev/null | grep -v " lo:" ; cat /proc/net/dev | grep -v "lo:" | tail -n +3'
  [ -z "$output" ]
  wait_until 5 ./attack abstract-connect "/tmp/.X11-unix/X$DISPLAY_N"
  run nook run "${DESKTOP[@]}" -- "$WORK/attack" abstract-connect "/tmp/.X11-unix/X$DISPLAY_N"
  assert_attack_failed
  assert_output_has "failed: ECONNREFUSED"
}

@test "desktop profile: the host's bus itself is out of reach; the proxy's socket cannot be replaced" {
  local sock before
  # Neither the host's runtime directory (its bus) nor nook's state is there.
  run nook run "${DESKTOP[@]}" -- sh -c "ls '$DESK/bus' || ls '$DESK/nook' || ls /proc/1/root'$DESK/bus'"
  assert_attack_failed
  # Replacing the bound socket: a mount point, and only the sandbox's view.
  "$NOOK" run "${DESKTOP[@]}" -- sh -c 'rm -f "$XDG_RUNTIME_DIR/bus"; mv "$XDG_RUNTIME_DIR/bus" /tmp/x; sleep 30' \
    </dev/null >/dev/null 2>&1 3>&- &
  host_pid=$!
  wait_until 10 sh -c "ls '$DESK'/nook/sandboxes/*/bus"
  sock=$(ls "$DESK"/nook/sandboxes/*/bus)
  before=$(stat -c %i "$sock")
  run $(echo dbus-send --session --print-reply --dest=org.nook.Test.Denied / org.freedesktop.DBus.Peer.Ping)
  assert_status 0
  [ "$(stat -c %i "$sock")" = "$before" ]
  [ -S "$sock" ]
}
