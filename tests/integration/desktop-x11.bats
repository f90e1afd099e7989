#!/usr/bin/env bats
# nook run --socket x11 against a real X server (Xvfb, with access
# control): a client connects only when asked, sees only its own display,
# and holds only that display's cookie.  A real GUI program inside the
# sandbox is captured as evidence (xwd, then PNG with ImageMagick).

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/desktop.bash"

setup_file() {
  require "Xvfb (xvfb)" command -v Xvfb
  require "xdpyinfo (x11-utils)" command -v xdpyinfo
  require "xauth" command -v xauth
}

setup() {
  desktop_session
  cd "$DESK"
  start_xvfb
}

teardown() {
  [ -z "${NOOK_PID:-}" ] || kill "$NOOK_PID" 2>/dev/null || true
  stop_desktop_session
}

@test "--socket x11: xdpyinfo connects with it, and cannot without it" {
  run nook run --socket x11 -- xdpyinfo
  assert_status 0
  assert_output_has "name of display:    :$DISPLAY_N"
  assert_output_has "dimensions:    640x480 pixels"
  # Without it: no socket in the sandbox's /tmp, and the server's abstract
  # socket is in the host's network namespace.
  run nook run --setenv DISPLAY "$DISPLAY" -- xdpyinfo
  [ "$status" -ne 0 ]
  assert_output_has "unable to open display"
  run nook run --app org.nook.Test.X --setenv DISPLAY "$DISPLAY" -- sh -c 'ls /tmp/.X11-unix; xdpyinfo'
  [ "$status" -ne 0 ]
}

@test "--socket x11: only its own display and only its cookie" {
  local other cookie
  # A second server, whose cookie the caller holds too.
  other=$((DISPLAY_N + 1))
  while [ -e "/tmp/.X11-unix/X$other" ] || [ -e "/tmp/.X$other-lock" ]; do other=$((other + 1)); done
  cookie=$(mcookie)
  xauth -q -f "$DESK/other.auth" add ":$other" MIT-MAGIC-COOKIE-1 "$cookie"
  xauth -q -f "$XAUTHORITY" add ":$other" MIT-MAGIC-COOKIE-1 "$cookie"
  desk_spawn xvfb-other Xvfb ":$other" -noreset -nolisten tcp -auth "$DESK/other.auth" -screen 0 320x240x24
  wait_until 20 quietly xdpyinfo -display ":$other"

  run nook run --socket x11 -- sh -c 'ls /tmp/.X11-unix; xauth -f "$XAUTHORITY" list 2>/dev/null'
  assert_status 0
  [ "${lines[0]}" = "X$DISPLAY_N" ]
  [ "${#lines[@]}" -eq 2 ]
  [[ "${lines[1]}" == *":$DISPLAY_N  MIT-MAGIC-COOKIE-1  "* ]]
  assert_output_lacks "$cookie"
  run nook run --socket x11 -- xdpyinfo -display ":$other"
  [ "$status" -ne 0 ]
  assert_output_has "unable to open display"
}

@test "--socket x11: the cookie is what lets the client in (an empty Xauthority is refused)" {
  run nook run --socket x11 --setenv XAUTHORITY /dev/null -- xdpyinfo
  [ "$status" -ne 0 ]
  assert_output_has "unable to open display"
}

@test "--socket x11: xdotool inside sees the screen and its own window" {
  require "xdotool" command -v xdotool
  run nook run --app org.nook.Test.X --socket x11 -- xdotool getdisplaygeometry
  assert_status 0
  [ "$output" = "640 480" ]
}

# Captures the root window in SHOT.xwd and, with ImageMagick, SHOT.png;
# fails while the screen holds fewer than 3 colours.
screenshot() { # SHOT
  xwd -root -silent -out "$1.xwd" && [ -s "$1.xwd" ] || return 1
  command -v convert >/dev/null || return 0
  convert "$1.xwd" "$1.png" && [ "$(convert "$1.png" -format '%k' info:)" -gt 2 ]
}

@test "--socket x11: a GUI program runs in the sandbox; screenshot as evidence" {
  require "xterm" command -v xterm
  require "xwd (x11-apps)" command -v xwd
  require "xdotool" command -v xdotool
  local out shot
  out=$(artifacts_dir)
  shot="$out/desktop-x11-xterm"
  "$NOOK" run --verbose --app org.nook.Test.Xterm --socket x11 -- \
    xterm -geometry 60x12+20+20 -bg navy -fg yellow -T nook-xterm \
    -e sh -c 'echo "inside nook: $(hostname) uid $(id -u)"; ls -A /tmp/.X11-unix; cat /proc/1/comm; sleep 60' \
    </dev/null >"$DESK/xterm.log" 2>&1 3>&- &
  NOOK_PID=$!
  # The window is the sandboxed xterm's: found by its title on the host's
  # server, owned by a process in the sandbox's PID namespace.
  wait_until 20 xdotool search --name '^nook-xterm$' || { cat "$DESK/xterm.log" "$DESK/xvfb.log"; ls -la /tmp/.X11-unix; false; }
  # Until the xterm has drawn its text: black, navy and yellow at least.
  wait_until 10 screenshot "$shot"
  [ "$(hostname)" != nook ]
  echo "# screenshot: $shot.png" >&3
  kill "$NOOK_PID"
  wait_until 10 sh -c "! xdotool search --name '^nook-xterm$'"
}

@test "--profile desktop: an X11 client connects, and the home and the cwd stay out" {
  echo secret >"$DESK/cwd-secret"
  run nook run --profile desktop --app org.nook.Test.Desk -- sh -c 'xdpyinfo | head -1; ls "$PWD"; ls /dev/dri 2>&1 | head -1'
  assert_status 0
  assert_output_has "name of display:    :$DISPLAY_N"
  assert_output_lacks cwd-secret
}
