#!/usr/bin/env bats
# Flatpak uses nook-bwrap as its bwrap: FLATPAK_BWRAP=$(command -v
# nook-bwrap) flatpak run of a tiny app installed (--user) from a local
# repository that setup_file builds from Debian's files (flatpak.bash).
# NOOK_BWRAP names the bwrap under test (default: nook-bwrap beside $NOOK);
# NOOK_BWRAP=/usr/bin/bwrap runs the same file against bubblewrap.
#
# What Flatpak 1.14 passes (captured with a wrapper that logged argv and
# every fd, then ran the real bwrap):
#  - flatpak run:  bwrap --args FD -- CMD ARGS...  Everything else comes
#    through FD (a memfd, NUL-separated): --ro-bind-fd FD /usr and /app (O_PATH
#    fds) each followed by --lock-file DEST/.ref; --unshare-pid --unshare-ipc
#    --unshare-net; --proc, --dev, --dir, --tmpfs, --remount-ro, --symlink,
#    --bind, --ro-bind, --ro-bind-try; --perms 0700 --dir /run/user/UID;
#    --ro-bind-data FD DEST (memfds: passwd, group, timezone, ...; a regular
#    file: ld.so.cache); --perms 0600 --file FD /.flatpak-info, then
#    --ro-bind-data FD2 /.flatpak-info over it; --seccomp FD (an O_TMPFILE of
#    79 BPF instructions; no --add-seccomp-fd); --info-fd FD (a regular file,
#    $XDG_RUNTIME_DIR/.flatpak/INSTANCE/bwrapinfo.json, which flatpak ps and
#    flatpak kill read); --setenv for every variable (bwrap's own environment
#    is empty); --sync-fd FD only when a D-Bus proxy runs.  No
#    --json-status-fd.
#  - flatpak run --parent-pid=PID --parent-share-pids (a subsandbox, as the
#    portal makes for flatpak-spawn --sandbox) adds --userns FD (the parent
#    sandbox's /run/.userns, which its --ro-bind-try /proc/self/ns/user
#    /run/.userns made), --userns2 FD (/proc/PID/ns/user) and --pidns FD.
#  - with a session bus, first the proxy: bwrap --args FD -- xdg-dbus-proxy
#    --args=FD2, with FD2 (the proxy's own arguments) and a sync pipe left
#    open for the proxy to inherit, as bubblewrap passes every open fd on.
#  - the first run after an install regenerates ld.so.cache:
#    bwrap --args FD ldconfig -X -C /run/ld-so-cache-dir/NAME   (no "--", no
#    --seccomp, no --info-fd; --bind of ~/.var/app/ID/.ld.so).
#  - install and uninstall run /usr/share/flatpak/triggers/*.trigger under
#    bwrap --unshare-ipc --unshare-net --unshare-pid --ro-bind / / --proc /proc
#    --dev /dev --bind DIR DIR -- TRIGGER DIR.

load "$NOOK_TESTS/lib.sh"
load flatpak

setup_file() {
  export NOOK_BWRAP=${NOOK_BWRAP:-$(dirname "$NOOK")/nook-bwrap}
  require "flatpak is installed" command -v flatpak
  require "dbus-daemon is installed" command -v dbus-daemon
  require "busybox-static is installed" test -x /bin/busybox
  require "nook-bwrap is built" test -x "$NOOK_BWRAP"
  # As the issue puts it: FLATPAK_BWRAP=$(command -v nook-bwrap).  Every
  # bwrap Flatpak starts, the install triggers too, is the one under test.
  PATH=$(dirname "$NOOK_BWRAP"):$PATH
  export FLATPAK_BWRAP
  FLATPAK_BWRAP=$(command -v "$(basename "$NOOK_BWRAP")")
  export FP=$BATS_FILE_TMPDIR/fp
  mkdir -p "$FP"
  flatpak_home "$FP"
  FP_BUS=$(flatpak_bus_start "$FP")
  export FP_BUS
  flatpak_fixture "$FP"
  echo secret >"$HOME/host-secret"
}

teardown_file() {
  [ -z "${FP_BUS:-}" ] || kill "$FP_BUS" 2>/dev/null
  true
}

# PID, a child of this shell, has exited (gone, or a zombie to reap).
has_ended() { # PID
  local state
  state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 0
  [ "$state" = Z ]
}

setup() {
  cd "$BATS_TEST_TMPDIR"
  APP_DIR=$HOME/.var/app/org.nook.Hello
}

teardown() {
  # An app left in the background (start_app): its pid 1 first, since
  # Flatpak does not ask bwrap to --die-with-parent.
  if [ -n "${RUN_PID:-}" ]; then
    child=$(child_pid)
    [ -z "$child" ] || kill -9 "$child" 2>/dev/null
    kill -9 "$RUN_PID" 2>/dev/null
    wait "$RUN_PID" 2>/dev/null
  fi
  true
}

@test "flatpak run: the app's command runs with its arguments (all of it passed through --args)" {
  run flatpak run org.nook.Hello one 'two words' ''
  assert_status 0
  [ "$output" = "hello from org.nook.Hello: one two words " ]
}

@test "flatpak run: /usr is the runtime, /app the app, and neither the host's /usr nor its home is visible" {
  run flatpak run --command=sh org.nook.Hello -c '
    cat /usr/share/nook/runtime /app/share/nook/app
    test -e /usr/bin/bash && echo host-usr
    test -e "$HOME/host-secret" && echo host-home
    test -e /home && echo host-home-dir
    ls -A "$HOME"'
  assert_status 0
  [ "$output" = "nook-runtime
nook-app
.local
.var" ]
  # The same home, granted: --filesystem=home becomes a --bind of it.
  run flatpak run --filesystem=home --command=cat org.nook.Hello "$HOME/host-secret"
  assert_status 0
  [ "$output" = secret ]
}

@test "flatpak run: the app has a pid namespace of its own" {
  host_ns=$(readlink /proc/self/ns/pid)
  run flatpak run --command=sh org.nook.Hello -c 'readlink /proc/self/ns/pid; echo $$; ls /proc | grep -c "^[0-9]*$"'
  assert_status 0
  [ "${lines[0]}" != "$host_ns" ]
  [[ "${lines[0]}" == pid:* ]]
  # A fresh namespace: the app's shell is among its first processes, and
  # /proc shows a handful of them, not the host's.
  [ "${lines[1]}" -le 3 ]
  [ "${lines[2]}" -le 4 ]
}

@test "flatpak run: the data fds reach their places (--file and --ro-bind-data: /.flatpak-info, /etc/passwd), read-only" {
  run flatpak run --command=sh org.nook.Hello -c '
    grep -x "name=org.nook.Hello" /.flatpak-info
    grep -c "^instance-id=" /.flatpak-info
    grep "^$(id -un):" /etc/passwd | cut -d: -f6
    (echo x >>/etc/passwd) 2>/dev/null || echo passwd-read-only
    (echo x >>/.flatpak-info) 2>/dev/null || echo info-read-only'
  assert_status 0
  [ "$output" = "name=org.nook.Hello
1
$HOME
passwd-read-only
info-read-only" ]
}

@test "flatpak run: Flatpak's seccomp filter is in force (personality(PER_LINUX32) is refused)" {
  # The same call succeeds under the bwrap under test without a filter.
  run "$NOOK_BWRAP" --ro-bind / / /bin/busybox linux32 /bin/true
  assert_status 0
  run flatpak run --command=linux32 org.nook.Hello true
  [ "$status" -ne 0 ]
  assert_output_has "personality(0x8): Operation not permitted"
}

@test "flatpak run: ld.so.cache is regenerated by ldconfig in a bwrap of its own, and the app gets it" {
  rm -rf "$APP_DIR/.ld.so"
  run flatpak run --command=sh org.nook.Hello -c 'head -c 17 /etc/ld.so.cache'
  assert_status 0
  [ "$output" = glibc-ld.so.cache ]
  # The cache file that ldconfig wrote through --bind, named by its checksum.
  [ "$(find "$APP_DIR/.ld.so" -type f | wc -l)" -ge 1 ]
}

@test "flatpak run with a session bus: the D-Bus proxy runs under the bwrap too, and the app reaches the bus only through it" {
  require "dbus-run-session and xdg-dbus-proxy are installed" command -v dbus-run-session xdg-dbus-proxy
  # Flatpak starts bwrap --args FD -- xdg-dbus-proxy --args=FD2 with FD2
  # and a sync pipe inherited, then the app with --sync-fd.
  run dbus-run-session -- flatpak run --command=dbus-send org.nook.Hello --session --print-reply \
    --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.ListNames
  assert_status 0
  assert_output_has 'string "org.freedesktop.DBus"'
  # The proxy's filter: the app sees the bus and itself, not flatpak's own
  # connection or the services it started.
  [ "$(printf '%s\n' "$output" | grep -c '^ *string ')" -eq 2 ]
}

# Starts the app in the background (RUN_PID), in a shell that writes its
# pid namespace to $APP_DIR/ready and then sleeps.
start_app() {
  rm -f "$APP_DIR/ready"
  flatpak run --command=sh org.nook.Hello -c \
    'readlink /proc/self/ns/pid >"$HOME/.var/app/org.nook.Hello/ready"; exec sleep 600' \
    </dev/null >/dev/null 2>&1 3>&- &
  RUN_PID=$!
  wait_until 10 test -s "$APP_DIR/ready"
}

# The child-pid flatpak ps shows for the instance that RUN_PID runs.
child_pid() {
  flatpak ps --columns=pid,child-pid,application | awk -v p="$RUN_PID" '$1 == p && $3 == "org.nook.Hello" { print $2 }'
}

@test "flatpak ps, enter and kill find the app through --info-fd and --lock-file" {
  start_app
  # Flatpak removes an instance whose .ref nobody locks once it is 3 s old:
  # age them all, so only the lock that --lock-file holds keeps this one.
  touch -d '-1 minute' "$XDG_RUNTIME_DIR"/.flatpak/*/.ref
  # Flatpak writes its own pid (bwrap's, after the exec) and takes the
  # child's from what bwrap wrote to --info-fd.
  run flatpak ps --columns=pid,child-pid,application,instance
  assert_status 0
  child=$(printf '%s\n' "$output" | awk -v p="$RUN_PID" '$1 == p && $3 == "org.nook.Hello" { print $2 }')
  instance=$(printf '%s\n' "$output" | awk -v p="$RUN_PID" '$1 == p && $3 == "org.nook.Hello" { print $4 }')
  [ -n "$child" ]
  # child-pid is the host's pid of a process in the app's pid namespace.
  [ "$(readlink "/proc/$child/ns/pid")" = "$(cat "$APP_DIR/ready")" ]
  # bwrapinfo.json, which it comes from, is what bubblewrap writes to
  # --info-fd: the namespace ids too (the portal reads pid-namespace).
  info=$XDG_RUNTIME_DIR/.flatpak/$instance/bwrapinfo.json
  [ "$(jq -r '."child-pid"' "$info")" = "$child" ]
  [ "pid:[$(jq -r '."pid-namespace"' "$info")]" = "$(cat "$APP_DIR/ready")" ]
  [ "mnt:[$(jq -r '."mnt-namespace"' "$info")]" = "$(readlink "/proc/$child/ns/mnt")" ]
  # flatpak enter joins child-pid's namespaces and root: the app's sandbox.
  run flatpak enter "$instance" sh -c 'readlink /proc/self/ns/pid; cat /usr/share/nook/runtime'
  assert_status 0
  [ "$output" = "$(cat "$APP_DIR/ready")
nook-runtime" ]
  run flatpak kill org.nook.Hello
  assert_status 0
  wait_until 10 has_ended "$RUN_PID"
  status=0
  wait "$RUN_PID" || status=$?
  [ "$status" -ne 0 ]
  [ ! -e "/proc/$child" ]
  RUN_PID=
  # Its lock is gone with it: flatpak ps forgets the instance.
  touch -d '-1 minute' "$XDG_RUNTIME_DIR"/.flatpak/*/.ref
  run flatpak ps --columns=pid,application
  assert_status 0
  assert_output_lacks "org.nook.Hello"
}

@test "flatpak run --parent-pid --parent-share-pids: a subsandbox joins the app's namespaces (--userns, --userns2, --pidns)" {
  # What flatpak-spawn --sandbox asks of the portal, which runs this.
  start_app
  child=$(child_pid)
  [ -n "$child" ]
  run flatpak run --parent-pid="$child" --parent-share-pids --command=sh org.nook.Hello -c \
    'readlink /proc/self/ns/pid; readlink /proc/self/ns/user; ls /proc | grep -c "^[0-9]*$"'
  assert_status 0
  [ "${lines[0]}" = "$(cat "$APP_DIR/ready")" ]
  [ "${lines[1]}" = "$(readlink "/proc/$child/ns/user")" ]
  # Its /proc is that namespace's: the app's few processes and its own.
  [ "${lines[2]}" -le 8 ]
}
