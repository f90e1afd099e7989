#!/usr/bin/env bats
# nook diff and nook try on uppers written with --map-users auto: files of
# subordinate ids, in directories the caller cannot read.

load "$NOOK_TESTS/lib.sh"

setup() {
  use_private_state
  cd "$BATS_TEST_TMPDIR"
}

teardown() {
  # The upper holds files of subordinate ids: removed as they were made.
  if [ -d up ]; then "$NOOK" run --map-users auto --bind "$PWD/up" /up -- rm -rf /up/var </dev/null; fi
  remove_private_state
}

make_base() {
  mkdir -p "$1/bin"
  cp /bin/busybox "$1/bin/busybox"
  for a in sh mkdir chown chmod printf touch; do ln -s busybox "$1/bin/$a"; done
}

@test "nook diff reads an upper of subordinate ids (apt's 0700 partial directory) and escapes its names" {
  require "a subordinate id range and newuidmap" nook run --map-users auto -- true
  make_base base
  run nook run --map-users auto --layer base --upper up -- sh -c '
    mkdir -p /var/cache/apt/archives/partial &&
    touch /var/cache/apt/archives/partial/pkg.deb "/var/cache/apt/archives/partial/$(printf "x\033]0;t\007")" &&
    chown -R 100:65534 /var/cache/apt/archives/partial && chmod 700 /var/cache/apt/archives/partial'
  assert_status 0
  # The caller itself cannot read it: that is what the test is about.
  run ls up/var/cache/apt/archives/partial
  [ "$status" -ne 0 ]
  run nook diff up
  assert_status 0
  assert_output_has "A /var/cache/apt/archives/partial/pkg.deb"
  assert_output_has 'A /var/cache/apt/archives/partial/x\x1b]0;t\x07'
  [[ "$output" != *$'\033'* ]]
  run nook diff --json up
  assert_status 0
  echo "$output" | python3 -c '
import json, sys
d = {c["path"]: c for c in json.load(sys.stdin)}
assert d["/var/cache/apt/archives/partial"]["mode"] == "0700", d
assert "/var/cache/apt/archives/partial/pkg.deb" in d, d'
}

@test "nook try --map-users auto commits files of subordinate ids and leaves no upper behind" {
  require "a subordinate id range and newuidmap" nook run --map-users auto -- true
  mkdir -p "$HOME/.nook-test-try" && proj=$(mktemp -d "$HOME/.nook-test-try/p.XXXX")
  cd "$proj"
  echo keep >kept
  run nook try --map-users auto --commit -- sh -c 'mkdir -p d && echo data > d/f && chown -R 100:100 d && chmod 700 d'
  status_was=$status out=$output
  files=$(find . | sort)
  content=$(cat d/f 2>&1)
  cd / && rm -rf "$proj"
  [ "$status_was" -eq 0 ] || { echo "$out"; false; }
  [[ "$out" == *"A $proj/d/f"* ]]
  [ "$files" = "$(printf '.\n./d\n./d/f\n./kept')" ]
  [ "$content" = data ]
  [ -z "$(ls "$STATE" | grep '^try-')" ]
}
