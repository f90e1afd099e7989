#!/usr/bin/env bats
# The session bus through xdg-dbus-proxy, against a real dbus-daemon with
# two real services: the proxy's filtering observed (a name in
# --talk-name answers, one outside it does not exist for the sandbox),
# --own-name, the proxy's lifetime, and no bus unless asked.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/desktop.bash"

setup_file() {
  require "dbus-daemon" command -v dbus-daemon
  require "xdg-dbus-proxy" command -v xdg-dbus-proxy
  require "dbus-test-tool (dbus-tests)" command -v dbus-test-tool
}

setup() {
  desktop_session
  cd "$DESK"
  start_dbus
}

teardown() {
  [ -z "${NOOK_PID:-}" ] || kill -9 "$NOOK_PID" 2>/dev/null || true
  stop_desktop_session
}

# xdg-dbus-proxy processes of this user that still run (a zombie whose
# parent was killed runs nothing and holds no socket).
live_proxies() { ps -u "$(id -u)" -o stat=,comm= | grep -v '^Z' | grep -c xdg-dbus-proxy || true; }

ping_cmd() { # NAME: a method call every service answers
  echo "dbus-send --session --print-reply --dest=$1 / org.freedesktop.DBus.Peer.Ping"
}

@test "--talk-name: a name in it answers, a name outside it is unknown to the sandbox" {
  run nook run --app org.nook.Test.Bus --talk-name org.nook.Test.Allowed -- $(ping_cmd org.nook.Test.Allowed)
  assert_status 0
  assert_output_has "method return"
  run nook run --app org.nook.Test.Bus --talk-name org.nook.Test.Allowed -- $(ping_cmd org.nook.Test.Denied)
  [ "$status" -ne 0 ]
  assert_output_has "ServiceUnknown"
  # The host reaches both: the refusal is the proxy's.
  run $(ping_cmd org.nook.Test.Denied)
  assert_status 0
  # GDBus, another client library, meets the same filter.
  run nook run --app org.nook.Test.Bus --talk-name 'org.nook.Test.*' -- \
    gdbus call --session -d org.nook.Test.Denied -o / -m org.freedesktop.DBus.Peer.Ping
  assert_status 0
}

@test "--talk-name: ListNames shows only what the filter lets the sandbox see" {
  run nook run --app org.nook.Test.Bus --talk-name org.nook.Test.Allowed -- \
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.ListNames
  assert_status 0
  assert_output_has '"org.nook.Test.Allowed"'
  assert_output_lacks '"org.nook.Test.Denied"'
}

@test "--own-name: the sandbox owns the names it may, and no other" {
  # A service in the sandbox, seen from the host's bus.
  "$NOOK" run --app org.nook.Test.Bus --own-name org.nook.Test.Mine -- \
    dbus-test-tool echo --name=org.nook.Test.Mine </dev/null >/dev/null 2>&1 3>&- &
  NOOK_PID=$!
  wait_until 10 bus_has org.nook.Test.Mine
  run $(ping_cmd org.nook.Test.Mine)
  assert_status 0
  kill "$NOOK_PID"
  wait_until 10 sh -c '! kill -0 '"$NOOK_PID"' 2>/dev/null'
  run nook run --app org.nook.Test.Bus --own-name org.nook.Test.Mine -- \
    dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.RequestName \
    string:org.nook.Test.Stolen uint32:4
  [ "$status" -ne 0 ]
  assert_output_lacks "uint32 1"
  run bus_has org.nook.Test.Stolen
  [ "$status" -ne 0 ]
}

@test "the D-Bus proxy starts with the sandbox and stops with it, even when nook is killed" {
  local proxy
  "$NOOK" run --app org.nook.Test.Bus --talk-name org.nook.Test.Allowed -- sleep 60 </dev/null 3>&- &
  NOOK_PID=$!
  wait_until 10 pgrep -P "$NOOK_PID" -x xdg-dbus-proxy
  proxy=$(pgrep -P "$NOOK_PID" -x xdg-dbus-proxy)
  # Its socket is in nook's state directory, which no sandbox sees.
  [ -S "$DESK/nook/sandboxes/$(ls "$DESK/nook/sandboxes")/bus" ]
  kill -9 "$NOOK_PID"
  wait_until 5 sh -c "! kill -0 $proxy 2>/dev/null || grep -q '^State:.*Z' /proc/$proxy/status"
  # The next nook sweeps the dead sandbox's state, sockets and all.
  run nook ps -a
  [ -z "$(ls -A "$DESK/nook/sandboxes")" ]
  # A sandbox that ends leaves no proxy behind either.
  run nook run --app org.nook.Test.Bus --talk-name org.nook.Test.Allowed -- true
  assert_status 0
  [ "$(live_proxies)" -eq 0 ]
}

@test "no bus unless a name is asked for; the system bus is off" {
  run nook run --app org.nook.Test.Bus -- sh -c 'echo "[${DBUS_SESSION_BUS_ADDRESS:-}]"; ls -A "$XDG_RUNTIME_DIR"; ls /run/dbus 2>&1 || true'
  assert_status 0
  [ "${lines[0]}" = "[]" ]
  # The runtime directory is empty: the second line is ls's of /run/dbus.
  [ "${#lines[@]}" -eq 2 ]
  assert_output_has "/run/dbus': No such file"
  run nook run --keep-env --app org.nook.Test.Bus -- $(ping_cmd org.nook.Test.Allowed)
  [ "$status" -ne 0 ]
  [ "$(live_proxies)" -eq 0 ]
}

@test "--profile desktop: the portals are talkable by default, other names are not" {
  desk_spawn echo-portal dbus-test-tool echo --name=org.freedesktop.portal.Nook
  wait_until 10 bus_has org.freedesktop.portal.Nook
  run nook run --profile desktop --app org.nook.Test.Desk -- $(ping_cmd org.freedesktop.portal.Nook)
  assert_status 0
  assert_output_has "method return"
  run nook run --profile desktop --app org.nook.Test.Desk -- $(ping_cmd org.nook.Test.Allowed)
  [ "$status" -ne 0 ]
  assert_output_has "ServiceUnknown"
  # A name given after the profile adds to it.
  run nook run --profile desktop --app org.nook.Test.Desk --talk-name org.nook.Test.Allowed -- \
    $(ping_cmd org.nook.Test.Allowed)
  assert_status 0
}

@test "the bus asked for as uid 0 inside: a warning with the fix" {
  run nook run --talk-name org.nook.Test.Allowed -- true
  assert_status 0
  assert_output_has "warning: D-Bus clients inside authenticate as uid 0"
  assert_output_has "--app ID"
}
