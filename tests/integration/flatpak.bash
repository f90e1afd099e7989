# Shared by bwrap-flatpak.bats: a tiny Flatpak runtime and app, built from
# Debian's files, installed for the test user alone.
#
# flatpak_home DIR     points HOME, the XDG directories and the system bus at
#                      DIR: the test never touches the user's own ~/.local
# flatpak_fixture DIR  builds, exports and installs (--user) into DIR:
#   runtime org.nook.Platform//1: static busybox and ldconfig as /usr/bin;
#       dbus-send and the libraries it needs (with the dynamic loader as
#       /usr/lib64/ld-linux-x86-64.so.2), /usr/etc/ld.so.conf (so Flatpak
#       regenerates ld.so.cache in a sandbox of its own, as it does for every
#       real runtime) and a marker /usr/share/nook/runtime
#   app org.nook.Hello//1: /app/bin/hello (prints its id and arguments) and
#       a marker /app/share/nook/app, --command=hello

FLATPAK_MULTIARCH=x86_64-linux-gnu
FLATPAK_RUNTIME_TOOLS=(sh cat ls id echo sleep test grep head cut readlink linux32)

flatpak_home() { # DIR
  local d=$1
  export HOME=$d/home XDG_DATA_HOME=$d/home/.local/share XDG_CONFIG_HOME=$d/home/.config
  export XDG_CACHE_HOME=$d/home/.cache XDG_RUNTIME_DIR=$d/run
  mkdir -p "$HOME" "$XDG_RUNTIME_DIR"
  chmod 700 "$XDG_RUNTIME_DIR"
  # No session bus: Flatpak would start a D-Bus proxy for it.  A system
  # bus of the test's own: Flatpak asks it for parental controls before it
  # installs or runs an app, and fails when there is no bus at all (with
  # nobody on it, it skips the check).
  unset DBUS_SESSION_BUS_ADDRESS
  export DBUS_SYSTEM_BUS_ADDRESS=unix:path=$d/system_bus
}

# Starts the private system bus of flatpak_home; prints its pid.
flatpak_bus_start() { # DIR
  dbus-daemon --session --address="unix:path=$1/system_bus" --fork --print-pid
}

flatpak_fixture() { # DIR
  local d=$1 t
  mkdir -p "$d/rt/usr/bin" "$d/rt/usr/etc" "$d/rt/usr/share/nook" "$d/rt/files"
  cp /bin/busybox "$d/rt/usr/bin/busybox"
  cp /sbin/ldconfig "$d/rt/usr/bin/ldconfig"
  for t in "${FLATPAK_RUNTIME_TOOLS[@]}"; do ln -s busybox "$d/rt/usr/bin/$t"; done
  mkdir -p "$d/rt/usr/lib/$FLATPAK_MULTIARCH" "$d/rt/usr/lib64"
  cp /usr/bin/dbus-send "$d/rt/usr/bin/"
  for t in $(ldd /usr/bin/dbus-send | awk '$2 == "=>" && $3 ~ /^\// { print $3 }'); do
    cp -L "$t" "$d/rt/usr/lib/$FLATPAK_MULTIARCH/"
  done
  cp -L /lib64/ld-linux-x86-64.so.2 "$d/rt/usr/lib64/"
  printf '/app/lib\n/usr/lib/%s\n' "$FLATPAK_MULTIARCH" >"$d/rt/usr/etc/ld.so.conf"
  echo nook-runtime >"$d/rt/usr/share/nook/runtime"
  printf '[Runtime]\nname=org.nook.Platform\nruntime=org.nook.Platform/x86_64/1\nsdk=org.nook.Platform/x86_64/1\n' \
    >"$d/rt/metadata"
  flatpak build-export --runtime --no-update-summary "$d/repo" "$d/rt" 1 >/dev/null &&
    flatpak build-update-repo "$d/repo" >/dev/null &&
    flatpak --user remote-add --no-gpg-verify nook-test "$d/repo" &&
    flatpak --user install -y --noninteractive nook-test org.nook.Platform//1 >/dev/null || return 1

  flatpak build-init "$d/app" org.nook.Hello org.nook.Platform org.nook.Platform 1 &&
    mkdir -p "$d/app/files/bin" "$d/app/files/share/nook" &&
    printf '#!/bin/sh\necho "hello from $FLATPAK_ID: $*"\n' >"$d/app/files/bin/hello" &&
    chmod 755 "$d/app/files/bin/hello" &&
    echo nook-app >"$d/app/files/share/nook/app" &&
    flatpak build-finish "$d/app" --command=hello >/dev/null &&
    flatpak build-export --no-update-summary "$d/repo" "$d/app" 1 >/dev/null &&
    flatpak build-update-repo "$d/repo" >/dev/null &&
    flatpak --user install -y --noninteractive nook-test org.nook.Hello//1 >/dev/null
}
