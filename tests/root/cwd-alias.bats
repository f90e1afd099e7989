#!/usr/bin/env bats
# The default root's cwd rule against a directory that has a second name.
#
# Attacked: the rule judges the working directory by its path, and a bind
# mount gives the home, /tmp or / a path that looks like a project (a
# directory inside one of the caller's own, under /tmp): started there, a
# sandbox would get the whole home (keys, shell startup files) or the
# host's /tmp read-write.
# What stops it: nook compares the working directory with the home, its
# ancestors and the shared directories by device and inode, and judges an
# alias as the directory it is (src/lib/cwd.c).
# Root makes the bind mounts, as an administrator or a user's own mount
# namespace could; nook runs as the test user.

load "$NOOK_TESTS/lib.sh"

setup_file() {
  require "root" test "$(id -u)" = 0
  export U=${NOOK_TEST_USER:-nooktest}
  require "the test user $U" id "$U"
  export UHOME
  UHOME=$(getent passwd "$U" | cut -d: -f6)
  require "the test user's home" test -d "$UHOME"
}

setup() {
  top=$(mktemp -d /tmp/nook-alias.XXXXXX)
  chown "$U:" "$top"
  chmod 0755 "$top"
  canary=nook-alias-canary.$BATS_ROOT_PID.$BATS_SUITE_TEST_NUMBER
  written=nook-alias-written.$BATS_ROOT_PID.$BATS_SUITE_TEST_NUMBER
  echo canary-home >"$UHOME/$canary"
  echo canary-tmp >"/tmp/$canary"
  chmod 0644 "$UHOME/$canary" "/tmp/$canary"
}

teardown() {
  local m
  for m in "$top"/*; do
    mountpoint -q "$m" && umount "$m"
  done
  rm -rf "$top"
  rm -f "$UHOME/$canary" "$UHOME/$written" "/tmp/$canary" "/tmp/$written"
}

as_user() {
  runuser -u "$U" -- env HOME="$UHOME" "$@" </dev/null
}

# nook run from DIR (as the user): where the command starts, what it lists
# there, and its attempt to write a file in its cwd.
probe_from() { # DIR
  run as_user sh -c "cd '$1' && '$NOOK' run --verbose -- sh -c 'echo cwd=\$PWD; echo ls=\$(ls -A); echo pwned >$written'"
}

alias_of() { # DIR NAME
  install -d -o "$U" "$top/$2"
  mount --bind "$1" "$top/$2"
}

@test "a bind mount of the home inside a directory of the caller's: not bound, the home stays hidden" {
  alias_of "$UHOME" home
  probe_from "$top/home"
  assert_status 0
  assert_output_lacks "$canary"
  assert_output_has "is not bound (it is the home"
  assert_output_has "cwd=/tmp"
  [ ! -e "$UHOME/$written" ]
}

@test "a bind mount of /tmp, of / and of /home inside a directory of the caller's: not bound" {
  alias_of /tmp tmp
  probe_from "$top/tmp"
  assert_status 0
  assert_output_lacks "$canary"
  assert_output_has "is not bound"
  assert_output_has "cwd=/tmp"
  [ ! -e "/tmp/$written" ]

  alias_of / root
  probe_from "$top/root"
  assert_status 0
  assert_output_has "is not bound (it is / or inside"
  [ ! -e "/$written" ]
  run as_user sh -c "cd '$top/root' && '$NOOK' run --bind-cwd -- true"
  assert_status 125
  assert_output_has "cannot be bound"

  alias_of "$(dirname "$UHOME")" homes
  probe_from "$top/homes"
  assert_status 0
  assert_output_has "is not bound"
  assert_output_has "cwd=/tmp"
  assert_output_has "ls="
  [[ "$output" != *"ls="*"$(basename "$UHOME")"* ]]
}

@test "control: a real project beside the aliases is bound read-write" {
  install -d -o "$U" "$top/proj"
  probe_from "$top/proj"
  assert_status 0
  assert_output_has "is bound read-write"
  [ "$(cat "$top/proj/$written")" = pwned ]
}
