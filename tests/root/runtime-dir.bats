#!/usr/bin/env bats
# Where nook keeps its state when XDG_RUNTIME_DIR is unset (su, runuser,
# cron, a CI runner's service): in the /run/user/UID that a login session
# makes for the user (pam_systemd: tmpfs, the user's, 0700), and only when it
# is the user's own, closed to others and not a symlink; else /tmp/nook-UID.
# Root makes /run/user/UID here as pam_systemd would, for the test user.

load "$NOOK_TESTS/lib.sh"

setup_file() {
  require "root" test "$(id -u)" = 0
  export U=${NOOK_TEST_USER:-nooktest}
  require "the test user $U" id "$U"
  export TUID RUN
  TUID=$(id -u "$U")
  RUN=/run/user/$TUID
  # A real session's directory is never touched.
  require "no login session of $U has $RUN" test ! -e "$RUN"
  # /run/user as logind makes it, removed again if this test made it.
  export MADE_RUN_USER=
  [ -d /run/user ] || { mkdir -m 0755 /run/user && MADE_RUN_USER=1; }
}

teardown_file() {
  [ -z "${MADE_RUN_USER:-}" ] || rmdir /run/user
}

as_user() {
  runuser -u "$U" -- env -u XDG_RUNTIME_DIR HOME="$(getent passwd "$U" | cut -d: -f6)" "$@" </dev/null
}

teardown() {
  as_user "$NOOK" rm -f rtd >/dev/null 2>&1 || true
  rm -rf "$RUN"
}

@test "without XDG_RUNTIME_DIR the state goes to the user's /run/user/UID" {
  install -d -m 0700 -o "$U" "$RUN"
  as_user "$NOOK" run -d --name rtd -- sleep 600
  [ -L "$RUN/nook/names/rtd" ]
  [ ! -L "/tmp/nook-$TUID/names/rtd" ]
  run as_user "$NOOK" ps
  assert_status 0
  assert_output_has rtd
  as_user "$NOOK" rm -f rtd
  [ ! -L "$RUN/nook/names/rtd" ]
}

@test "a /run/user/UID open to others, another user's or a symlink is not used: /tmp/nook-UID is" {
  local how
  for how in open others symlink; do
    rm -rf "$RUN" "$RUN.real"
    case $how in
    open) install -d -m 0755 -o "$U" "$RUN" ;;
    others) install -d -m 0700 -o root "$RUN" ;;
    symlink) install -d -m 0700 -o "$U" "$RUN.real" && ln -s "$RUN.real" "$RUN" ;;
    esac
    as_user "$NOOK" run -d --name rtd -- sleep 600
    [ -L "/tmp/nook-$TUID/names/rtd" ] || { echo "$how: not in /tmp/nook-$TUID" >&2; false; }
    [ ! -e "$RUN/nook" ] || { echo "$how: $RUN/nook was made" >&2; false; }
    as_user "$NOOK" rm -f rtd
  done
  rm -rf "$RUN.real"
}
