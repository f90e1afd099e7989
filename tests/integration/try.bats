#!/usr/bin/env bats
# nook try: a command over an overlay of the current directory; its changes
# are shown, then applied only with --commit (or y at the prompt).

load "$NOOK_TESTS/lib.sh"

# A git checkout with a file, a directory, a symlink and a script.
setup() {
  cd "$BATS_TEST_TMPDIR"
  mkdir repo && cd repo
  git init -q .
  echo one > a && mkdir sub && echo two > sub/b && ln -s a link
  printf '#!/bin/sh\necho built > out\n' > build.sh && chmod 755 build.sh
  git add -A && git -c user.email=t@example.org -c user.name=t commit -qm init
}

# What the "build" does: add, change, delete, rename, mkdir, chmod, symlink.
changes='echo new > c; echo changed > sub/b; rm a; mv sub/b sub/b2; mkdir -p newdir/x; echo f > newdir/x/f; chmod 700 sub; ln -s sub link2; chmod 600 build.sh'

@test "try without --commit shows the changes and leaves the checkout as it was" {
  run nook try -- sh -c "$changes"
  assert_status 0
  assert_output_has "D $PWD/a"
  assert_output_has "A $PWD/c"
  assert_output_has "A $PWD/sub/b2"
  assert_output_has "D $PWD/sub/b"
  assert_output_has "A $PWD/newdir/x/f"
  assert_output_has "changes not applied"
  [ -z "$(git status --porcelain)" ]
  [ "$(stat -c %a sub)" = 755 ]
}

@test "try --commit applies deletions, renames, new directories, modes and symlinks exactly" {
  run nook try --commit -- sh -c "$changes"
  assert_status 0
  assert_output_has "changes applied"
  [ "$(git status --porcelain | sort | tr '\n' ' ')" = " D a  D sub/b  M build.sh ?? c ?? link2 ?? newdir/ ?? sub/b2 " ] \
    || { git status --porcelain >&2; false; }
  [ "$(cat c)" = new ] && [ "$(cat sub/b2)" = changed ] && [ "$(cat newdir/x/f)" = f ]
  [ "$(stat -c %a sub)" = 700 ] && [ "$(stat -c %a build.sh)" = 600 ]
  [ "$(readlink link2)" = sub ] && [ "$(readlink link)" = a ]
  # The same tree as the command saw: compare with a plain run on a copy.
  cd .. && cp -a "$BATS_TEST_TMPDIR/repo" "$BATS_TEST_TMPDIR/copy" && git -C copy checkout -q -- . && git -C copy clean -qfd
  (cd copy && sh -c "$changes")
  diff -r --no-dereference -x .git repo copy
}

@test "try --commit keeps the checkout unchanged when the command fails" {
  run nook try --commit -- sh -c 'echo x > junk; exit 3'
  assert_status 3
  assert_output_has "A $PWD/junk"
  assert_output_has "changes not applied"
  [ ! -e junk ]
}

@test "try --keep saves the changes as an upper for nook diff" {
  run nook try --keep "$BATS_TEST_TMPDIR/kept" -- sh -c 'echo new > c; rm a'
  assert_status 0
  [ -z "$(git status --porcelain)" ]
  run nook diff --layer "$PWD" "$BATS_TEST_TMPDIR/kept"
  assert_status 0
  [ "$output" = "D /a
A /c" ]
}

@test "try --path tries another directory, and the working directory stays read-only" {
  mkdir "$BATS_TEST_TMPDIR/other"
  run nook try --commit --path "$BATS_TEST_TMPDIR/other" -- sh -c "echo o > $BATS_TEST_TMPDIR/other/o; echo x > here"
  assert_status 2
  assert_output_has "Read-only file system"
  run nook try --commit --path "$BATS_TEST_TMPDIR/other" -- sh -c "echo o > $BATS_TEST_TMPDIR/other/o"
  assert_status 0
  [ "$(cat "$BATS_TEST_TMPDIR/other/o")" = o ]
  [ ! -e here ]
}

@test "try leaves nothing in the runtime directory, also after nook was killed" {
  rt=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/nook}
  rt=${rt:-/tmp/nook-$(id -u)}
  run nook try -- sh -c 'echo x > y'
  assert_status 0
  [ -z "$(ls -d "$rt"/try-* 2>/dev/null)" ]
  "$NOOK" try -- sleep 300 </dev/null >/dev/null 2>&1 &
  pid=$!
  wait_until 10 bash -c "ls -d $rt/try-$pid.* >/dev/null 2>&1"
  wait_until 10 pgrep -u "$(id -u)" -xf "sleep 300"
  kill -KILL "$pid"
  wait "$pid" || true
  # The next nook try removes what the killed one left.
  run nook try -- true
  assert_status 0
  [ -z "$(ls -d "$rt"/try-* 2>/dev/null)" ]
  run ! pgrep -u "$(id -u)" -f "[s]leep 300"
}

@test "try with an option it cannot combine fails with one line" {
  run nook try --commit --keep x -- true
  assert_status 125
  assert_one_error_line
  run nook try --path /nonexistent -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "No such file or directory"
}

@test "try asks on a terminal and applies on y, not on n" {
  require "script(1) from util-linux" command -v script
  printf 'n\n' | script -qec "$NOOK try -- sh -c 'echo x > no'" /dev/null >out 2>&1 || true
  grep -q "Apply these changes" out
  [ ! -e no ]
  printf 'y\n' | script -qec "$NOOK try -- sh -c 'echo x > yes'" /dev/null >out 2>&1
  grep -q "changes applied" out
  [ "$(cat yes)" = x ]
}
