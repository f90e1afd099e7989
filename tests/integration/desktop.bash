# Shared by the desktop-*.bats files: a private desktop session of real
# parts (a runtime directory of the test's own, and the servers the file
# starts in it), the way a user's session has them.  Load after lib.sh.
#
# desktop_session starts nothing but the runtime directory; start_xvfb,
# start_weston, start_dbus, start_pulseaudio and start_pipewire each start
# one server in it, as this (unprivileged) user, and wait until it
# answers; stop_desktop_session stops them all.  The runtime directory is
# also nook's state directory ($XDG_RUNTIME_DIR/nook): a short path under
# /tmp, so the proxy's sockets there fit in sun_path.

# For wait_until: a command's output is not the test's.
quietly() { "$@" >/dev/null 2>&1; }

# Waits for a path to be a socket.
is_socket() { [ -S "$1" ]; }

desktop_session() {
  DESK=$(mktemp -d /tmp/nook-desk.XXXXXX)
  chmod 700 "$DESK"
  export XDG_RUNTIME_DIR=$DESK
  : >"$DESK/pids"
  export DESK
}

# Starts a server in the background, its output in $DESK/NAME.log.
desk_spawn() { # NAME COMMAND...
  local name=$1
  shift
  "$@" >"$DESK/$name.log" 2>&1 3>&- </dev/null &
  echo "$!" >>"$DESK/pids"
}

stop_desktop_session() {
  local pid
  [ -n "${DESK:-}" ] || return 0
  while read -r pid; do
    kill "$pid" 2>/dev/null || true
  done <"$DESK/pids"
  while read -r pid; do
    wait_until 5 sh -c "! kill -0 $pid 2>/dev/null" || kill -9 "$pid" 2>/dev/null || true
  done <"$DESK/pids"
  rm -rf "$DESK"
}

# Xvfb on a display it picks itself (-displayfd), with access control: a
# client needs the cookie, which $XAUTHORITY holds; -noreset, or the server
# resets when its last client leaves and refuses connections meanwhile.
# Sets DISPLAY_N.
start_xvfb() { # [SIZE]
  local cookie
  cookie=$(mcookie)
  xauth -q -f "$DESK/server.auth" add :0 MIT-MAGIC-COOKIE-1 "$cookie" 2>/dev/null
  exec 4>"$DESK/displayfd"
  desk_spawn xvfb Xvfb -displayfd 4 -noreset -nolisten tcp -auth "$DESK/server.auth" -screen 0 "${1:-640x480x24}"
  exec 4>&-
  wait_until 20 test -s "$DESK/displayfd"
  DISPLAY_N=$(head -n1 "$DESK/displayfd")
  export DISPLAY=":$DISPLAY_N" XAUTHORITY="$DESK/Xauthority"
  xauth -q -f "$XAUTHORITY" add ":$DISPLAY_N" MIT-MAGIC-COOKIE-1 "$cookie" 2>/dev/null
  # The host's clients connect through the abstract socket, which Xvfb
  # may open before the socket file that nook binds.
  wait_until 20 is_socket "/tmp/.X11-unix/X$DISPLAY_N"
  wait_until 20 quietly xdpyinfo
}

# weston's headless backend on $XDG_RUNTIME_DIR/wayland-nook.
start_weston() {
  desk_spawn weston weston --backend=headless-backend.so --socket=wayland-nook --idle-time=0
  wait_until 20 is_socket "$DESK/wayland-nook"
  export WAYLAND_DISPLAY=wayland-nook
  wait_until 20 quietly wayland-info
}

# A session bus on $XDG_RUNTIME_DIR/bus with two services, each answering
# every method call (dbus-test-tool echo): org.nook.Test.Allowed and
# org.nook.Test.Denied.
start_dbus() {
  desk_spawn dbus dbus-daemon --session --address="unix:path=$DESK/bus" --nofork --nopidfile
  wait_until 20 is_socket "$DESK/bus"
  export DBUS_SESSION_BUS_ADDRESS="unix:path=$DESK/bus"
  desk_spawn echo-allowed dbus-test-tool echo --name=org.nook.Test.Allowed
  desk_spawn echo-denied dbus-test-tool echo --name=org.nook.Test.Denied
  wait_until 20 bus_has org.nook.Test.Allowed
  wait_until 20 bus_has org.nook.Test.Denied
}

# Whether the host's session bus has NAME (asked with dbus-send, not
# through nook).
bus_has() { # NAME
  dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.ListNames \
    | grep -q "\"$1\""
}

# PulseAudio with a null sink on $XDG_RUNTIME_DIR/pulse/native.
start_pulseaudio() {
  desk_spawn pulseaudio pulseaudio -n --daemonize=no --exit-idle-time=-1 --disable-shm=yes \
    -L module-native-protocol-unix -L module-null-sink
  wait_until 20 is_socket "$DESK/pulse/native"
  wait_until 20 quietly pactl info
}

# PipeWire on $XDG_RUNTIME_DIR/pipewire-0.
start_pipewire() {
  desk_spawn pipewire pipewire
  wait_until 20 is_socket "$DESK/pipewire-0"
  wait_until 20 quietly pw-cli info 0
}

# Where the run's evidence goes: $NOOK_ARTIFACTS (tests/run sets it and
# prints it), else the test file's own temporary directory.
artifacts_dir() {
  local d=${NOOK_ARTIFACTS:-$BATS_FILE_TMPDIR/artifacts}
  mkdir -p "$d" && echo "$d"
}
