#!/usr/bin/env bats
# nook run --socket wayland against a real compositor (weston's headless
# backend): a client connects through the socket nook binds into the
# sandbox's own runtime directory, and not without it.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/desktop.bash"

setup_file() {
  require "weston" command -v weston
  require "wayland-info (wayland-utils)" command -v wayland-info
}

setup() {
  desktop_session
  cd "$DESK"
  start_weston
}

teardown() { stop_desktop_session; }

@test "--socket wayland: wayland-info connects, in the sandbox's runtime directory" {
  run nook run --socket wayland -- sh -c 'echo "$WAYLAND_DISPLAY $XDG_RUNTIME_DIR"; ls "$XDG_RUNTIME_DIR"; wayland-info'
  assert_status 0
  [ "${lines[0]}" = "wayland-nook /run/user/0" ]
  [ "${lines[1]}" = wayland-nook ]
  assert_output_has "interface: 'wl_compositor'"
  assert_output_has "interface: 'weston_"
}

@test "--socket wayland: without it there is no compositor inside" {
  run nook run --app org.nook.Test.Wl --setenv WAYLAND_DISPLAY wayland-nook -- wayland-info
  [ "$status" -ne 0 ]
  assert_output_lacks "wl_compositor"
  # Nor through the host's runtime directory, which the sandbox cannot see.
  run nook run --setenv XDG_RUNTIME_DIR "$DESK" --setenv WAYLAND_DISPLAY wayland-nook -- wayland-info
  [ "$status" -ne 0 ]
  assert_output_lacks "wl_compositor"
}

@test "--socket wayland: WAYLAND_DISPLAY unset on the host leaves it out (-v says so)" {
  run env -u WAYLAND_DISPLAY "$NOOK" run --verbose --socket wayland -- sh -c 'echo "[${WAYLAND_DISPLAY:-}]"; ls -A "$XDG_RUNTIME_DIR"'
  assert_status 0
  assert_output_has "WAYLAND_DISPLAY is not set: no Wayland inside"
  assert_output_has "[]"
}

@test "--profile desktop: a Wayland client connects" {
  run nook run --profile desktop --app org.nook.Test.Desk -- wayland-info
  assert_status 0
  assert_output_has "interface: 'wl_compositor'"
}
