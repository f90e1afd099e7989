#!/usr/bin/env bats
# Names from a sandbox are data.  Attacked here, each from inside a real
# sandbox over the kernel's overlay (fuse-overlayfs refuses `.wh.` names
# itself), by the unprivileged user:
#   - nook try --commit and nook diff, through the names the command writes
#     into the upper: `.wh...` (a whiteout of `..`: the parent of the tried
#     directory), `.wh..` (of `.`: the directory itself), `.wh.` (of
#     nothing), also below a directory that replaced a symlink to outside;
#   - the same, through a symlinked parent, a hard link to a file outside,
#     renames and whiteouts applied together; an opaque mark at the top of
#     the upper (listed as deleting everything, applying nothing); a tree
#     too deep to apply whole (applied in part, then EMFILE);
#   - nook commit, through the same names packed into an image's layer;
#   - the terminal, through ESC and CR in file names (try, diff), in a
#     command line (top, ps), in an archive's entry names and an image's
#     command and PATH quoted by an error message (import, run);
#   - the host, through setuid and setgid files the command made (also by
#     chmod of a file that was there), setgid directories and file
#     capabilities (setcap inside).
# What stops it: every name in an upper (and the name each whiteout
# deletes) must name an entry of its directory, checked before anything is
# applied and again as each entry is; each entry is made through a
# directory fd beneath the target, never through a symlink, and files are
# replaced by rename, never written through a link; human output escapes
# what the sandbox chose, and every message is escaped where it leaves
# nook (nook_escape_text); setuid, setgid and device entries are applied
# only with --allow-setuid, a setgid directory and a file's capabilities
# are shown, and no xattr is applied; an upper deeper than 256 directories
# is refused before anything is applied.
#
# The project is parent/proj; its parent and a sibling hold canaries:
#   parent/canary, parent/sibling/{canary,keep},
#   parent/proj/{file, sub/inner, link -> ../sibling, hl = ../sibling/canary}

load "$NOOK_TESTS/lib.sh"

# Everything under parent except the project: type, mode, size, mtime and
# content of each entry (not link counts: replacing the project's hard
# link drops the sibling's count, as it should).
snapshot_outside() {
  cd "$BATS_TEST_TMPDIR" || return 1
  find parent -path parent/proj -prune -o -printf '%p %y %m %s %T@ %l\n' | sort
  find parent -path parent/proj -prune -o -type f -exec md5sum {} + | sort
  cd - >/dev/null || return 1
}
snapshot_project() {
  cd "$BATS_TEST_TMPDIR/parent/proj" || return 1
  find . -printf '%p %y %m %s %T@ %l\n' | sort
  find . -type f -exec md5sum {} + | sort
  cd - >/dev/null || return 1
}

setup() {
  cd "$BATS_TEST_TMPDIR"
  mkdir -p parent/proj/sub parent/sibling
  echo parent >parent/canary
  echo sibling >parent/sibling/canary
  echo keep >parent/sibling/keep
  echo file >parent/proj/file && chmod 644 parent/proj/file
  echo inner >parent/proj/sub/inner
  ln -s ../sibling parent/proj/link
  ln parent/sibling/canary parent/proj/hl
  outside=$(snapshot_outside)
  project=$(snapshot_project)
  cd parent/proj
}

teardown() {
  [ -z "${STATE:-}" ] || remove_private_state
  # An image store's layers are read-only: made writable to be removed.
  [ -z "${STORE:-}" ] || [ ! -d "$STORE" ] || chmod -R u+w "$STORE" 2>/dev/null
  return 0
}

assert_outside_unchanged() {
  local now
  now=$(snapshot_outside)
  if [ "$now" != "$outside" ]; then
    echo "outside the project, before and after:" >&2
    diff <(echo "$outside") <(echo "$now") >&2
    return 1
  fi
}
assert_project_unchanged() {
  local now
  now=$(snapshot_project)
  if [ "$now" != "$project" ]; then
    echo "the project, before and after:" >&2
    diff <(echo "$project") <(echo "$now") >&2
    return 1
  fi
}

# The command writes an ordinary change and the whiteout NAME through the
# overlay; --commit must apply neither and name the whiteout.
assert_whiteout_refused() { # NAME VICTIM
  run nook try --overlay=kernel --commit -- sh -c "echo new > added; touch './$1'"
  assert_status 125
  assert_one_error_line
  assert_output_has "\`/$1\` in the upper: a whiteout of \`$2\`, which is not a name in its directory"
  assert_output_lacks "changes applied"
  [ ! -e added ]
  assert_project_unchanged
  assert_outside_unchanged
}

@test "a .wh... whiteout (of ..) in the upper: try --commit leaves the parent and the project as they were" {
  assert_whiteout_refused .wh... ..
}

@test "a .wh.. whiteout (of .) in the upper: try --commit leaves the project as it was" {
  assert_whiteout_refused .wh.. .
}

@test "a .wh. whiteout (of nothing) in the upper: try --commit applies nothing" {
  assert_whiteout_refused .wh. ''
}

@test "a .wh... whiteout below a directory that replaced a symlink to outside: nothing applied" {
  run nook try --overlay=kernel --commit -- sh -c 'rm link && mkdir link && touch link/.wh... && echo new > added'
  assert_status 125
  assert_one_error_line
  assert_output_has '`/link/.wh...` in the upper: a whiteout of `..`'
  [ ! -e added ]
  [ -L link ]
  assert_project_unchanged
  assert_outside_unchanged
}

@test "nook diff refuses an upper with a .wh... whiteout, in one line" {
  run nook try --overlay=kernel --keep "$BATS_TEST_TMPDIR/kept" -- touch ./.wh...
  assert_status 125
  assert_one_error_line
  [ -f "$BATS_TEST_TMPDIR/kept/.wh..." ]
  run nook diff --layer "$PWD" "$BATS_TEST_TMPDIR/kept"
  assert_status 125
  assert_one_error_line
  assert_output_has '`/.wh...` in the upper: a whiteout of `..`'
  run nook diff --json --layer "$PWD" "$BATS_TEST_TMPDIR/kept"
  assert_status 125
  assert_project_unchanged
  assert_outside_unchanged
}

@test "symlinked parents, hard links, renames and whiteouts together change the project only" {
  run nook try --overlay=kernel --commit -- sh -c '
    set -e
    rm link; mkdir link; echo pwned > link/canary; : > link/.wh.keep   # where the symlink to ../sibling was
    echo pwned > hl; ln hl hl2                                          # a hard link of ../sibling/canary
    mv sub moved; mv file moved/file                                    # renames
    rm moved/inner; ln -s ../../canary moved/up                         # a whiteout, a symlink to outside
    echo pwned > moved/up 2>/dev/null || true'
  assert_status 0
  assert_output_has "changes applied"
  [ -d link ]
  [ ! -L link ]
  [ "$(cat link/canary)" = pwned ]
  [ ! -e link/keep ]
  [ "$(cat hl)" = pwned ]
  [ "$(cat hl2)" = pwned ]
  [ ! -e sub ]
  [ ! -e file ]
  [ "$(cat moved/file)" = file ]
  [ ! -e moved/inner ]
  [ "$(readlink moved/up)" = ../../canary ]
  # The canaries survive, nothing outside the project changed.
  [ "$(cat ../canary)" = parent ]
  [ "$(cat ../sibling/canary)" = sibling ]
  [ "$(cat ../sibling/keep)" = keep ]
  assert_outside_unchanged
}

@test "ESC and CR in a file name come out escaped in try and diff; JSON keeps the name exact" {
  name=$(printf 'x\033[2K\rD y')
  run nook try --overlay=kernel --keep "$BATS_TEST_TMPDIR/kept" -- sh -c 'touch "$(printf "x\033[2K\rD y")"'
  assert_status 0
  assert_output_has "A $PWD/x\\x1b[2K\\rD y"
  [[ "$output" != *$'\e'* ]]
  [[ "$output" != *$'\r'* ]]
  run nook diff --layer "$PWD" "$BATS_TEST_TMPDIR/kept"
  assert_status 0
  [ "$output" = 'A /x\x1b[2K\rD y' ]
  # The exact bytes: no ESC (033) or CR (\r) reach the terminal.
  nook diff --layer "$PWD" "$BATS_TEST_TMPDIR/kept" | od -c >od.out
  run grep -E '033|\\r' od.out
  assert_status 1
  [ "$(nook diff --json --layer "$PWD" "$BATS_TEST_TMPDIR/kept" | jq -r '.[0].path')" = "/$name" ]
}

@test "ESC, BEL and CR in a command line come out escaped in nook top and nook ps" {
  use_private_state
  arg=$(printf 'a\033]0;owned\a\rb')
  id=$(nook run -d -- sh -c 'sleep 1000; :' "$arg")
  wait_until 10 sh -c "\"$NOOK\" top $id | grep -q 'sleep 1000'"
  run nook top "$id"
  assert_status 0
  assert_output_has 'a\x1b]0;owned\x07\rb'
  [[ "$output" != *$'\e'* ]]
  [[ "$output" != *$'\r'* ]]
  [[ "$output" != *$'\a'* ]]
  run nook ps
  assert_status 0
  assert_output_has 'a\x1b]0;owned\x07\rb'
  [[ "$output" != *$'\e'* ]]
  [[ "$output" != *$'\r'* ]]
  [[ "$output" != *$'\a'* ]]
  # JSON keeps the argument exact.
  [ "$(nook ps --format json | jq -r '.[0].command[-1]')" = "$arg" ]
}

@test "try --commit refuses a setuid or setgid file, applies nothing, and applies it with --allow-setuid" {
  make_suid='echo new > added; cp /bin/true suid; chmod 4755 suid'
  run nook try --overlay=kernel --commit -- sh -c "$make_suid"
  assert_status 125
  assert_one_error_line
  assert_output_has "A $PWD/suid (4755, setuid)"
  assert_output_has "\`$PWD/suid\`: a setuid file (mode 4755): nothing was applied"
  [ ! -e suid ]
  [ ! -e added ]
  run nook try --overlay=kernel --commit -- chmod 2755 file
  assert_status 125
  assert_output_has "C $PWD/file (0644 -> 2755, setgid)"
  assert_output_has "a setgid file (mode 2755)"
  [ "$(stat -c %a file)" = 644 ]
  assert_project_unchanged
  run nook try --overlay=kernel --commit --allow-setuid -- sh -c "$make_suid"
  assert_status 0
  assert_output_has "changes applied"
  [ "$(stat -c %a suid)" = 4755 ]
  [ "$(cat added)" = new ]
  cmp suid /bin/true
}

@test "try shows a change of mode, and nook diff flags a setuid file" {
  run nook try --overlay=kernel -- chmod 755 file
  assert_status 0
  assert_output_has "C $PWD/file (0644 -> 0755)"
  [ "$(stat -c %a file)" = 644 ]
  run nook try --overlay=kernel --keep "$BATS_TEST_TMPDIR/kept" -- sh -c 'cp /bin/true suid; chmod 4755 suid'
  assert_status 0
  run nook diff --layer "$PWD" "$BATS_TEST_TMPDIR/kept"
  assert_status 0
  [ "$output" = "A /suid (4755, setuid)" ]
  [ "$(nook diff --json --layer "$PWD" "$BATS_TEST_TMPDIR/kept" | jq -c '.[0] | [.mode, .special]')" = '["4755","setuid"]' ]
}

# ---- the terminal: every message that quotes what a sandbox or an image chose -----

# No ESC, CR or BEL byte in FILE (od -c shows them as 033, \r and \a).
assert_no_terminal_controls() { # FILE
  if od -c "$1" | grep -qE '033|\\r|\\a'; then
    od -c "$1" >&2
    return 1
  fi
}

@test "an archive entry named with ESC and CR comes out escaped in nook import's error" {
  load "$NOOK_TESTS/integration/images"
  use_private_store
  python3 -c '
import io, tarfile
with tarfile.open("esc.tar", "w") as t:
    i = tarfile.TarInfo("../\x1b[2K\rD owned"); i.size = 1; t.addfile(i, io.BytesIO(b"x"))'
  run nook import esc.tar evil
  assert_status 125
  assert_one_error_line
  assert_output_has 'entry `../\x1b[2K\rD owned` leaves the archive'"'"'s root'
  nook import esc.tar evil 2>err.out || true
  assert_no_terminal_controls err.out
}

@test "an image's command and PATH with ESC, BEL and CR come out escaped in nook run's error" {
  load "$NOOK_TESTS/integration/images"
  use_private_store
  make_oci_layout layout
  set_config layout '.config.Cmd=["\u001b[2K\rx"] | .config.Env=["PATH=/\u001b]0;owned\u0007"]'
  tar -C layout -cf evil.tar .
  run nook load evil.tar evil
  assert_status 0
  run -127 nook run --image evil
  assert_status 127
  assert_output_has '`\x1b[2K\rx`: command not found in the sandbox (Hint: PATH is /\x1b]0;owned\x07)'
  nook run --image evil 2>err.out || true
  assert_no_terminal_controls err.out
}

@test "try lists a setgid directory and a file's capabilities; the capabilities never reach the host" {
  require "setcap and getcap (libcap2-bin)" test -x /usr/sbin/setcap -a -x /usr/sbin/getcap
  make_caps='mkdir -m 2775 shared; cp /bin/true ping; /usr/sbin/setcap cap_net_raw+ep ping && /usr/sbin/getcap ping'
  run nook try --overlay=kernel --commit --allow-setuid -- sh -c "$make_caps"
  assert_status 0
  # The command did set them, inside.
  assert_output_has "ping cap_net_raw=ep"
  assert_output_has "A $PWD/shared (2775, setgid directory)"
  assert_output_has "A $PWD/ping (0755, file capabilities not applied)"
  assert_output_has "changes applied"
  [ "$(stat -c %a shared)" = 2775 ]
  cmp ping /bin/true
  [ -z "$(/usr/sbin/getcap ping)" ]
  run -1 getfattr -n security.capability ping
  # nook diff says the same, JSON too.
  rm -rf shared ping
  run nook try --overlay=kernel --keep "$BATS_TEST_TMPDIR/kept" -- sh -c "$make_caps"
  assert_status 0
  run nook diff --layer "$PWD" "$BATS_TEST_TMPDIR/kept"
  assert_status 0
  [ "$output" = "A /ping (0755, file capabilities not applied)
A /shared (2775, setgid directory)" ]
  [ "$(nook diff --json --layer "$PWD" "$BATS_TEST_TMPDIR/kept" | jq -c '.[0].file_capabilities')" = true ]
  assert_outside_unchanged
}

@test "nook commit refuses a sandbox whose upper holds a .wh... whiteout, in one line, and stores no image" {
  load "$NOOK_TESTS/integration/images"
  require "busybox-static is installed" test -x "$BUSYBOX"
  use_private_store
  make_oci_layout layout
  nook load layout fx >/dev/null
  for name in .wh... .wh.. .wh.; do
    run nook rm -f box
    run nook run --keep --name box fx sh -c "echo x > /work/kept; touch '/work/$name'; test -e '/work/$name'"
    assert_status 0
    run nook commit box fx:evil
    assert_status 125
    assert_one_error_line
    assert_output_has "\`/work/$name\` in the upper"
    run nook images
    assert_output_lacks evil
  done
  run nook images -q
  [ "$(echo "$output" | wc -l)" = 1 ]
}

@test "a tree deeper than nook try applies is refused before anything is applied" {
  # 600 levels: listed with one descriptor a level, applied with two.
  run nook try --overlay=kernel --commit -- sh -c 'echo new > added; for i in $(seq 600); do mkdir d && cd d || exit; done; echo deep > f'
  assert_status 125
  assert_one_error_line
  assert_output_has "too deep"
  [ ! -e added ]
  [ ! -e d ]
  assert_project_unchanged
  assert_outside_unchanged
}

@test "an opaque mark at the top of the upper lists and applies no deletion" {
  # The tried directory's own top is never opaque to the overlay: the mark
  # is a file of the command's, and the listing shows what is applied.
  run nook try --overlay=kernel --commit -- sh -c 'touch ./.wh..wh..opq; echo new > added'
  assert_status 0
  assert_output_lacks "D $PWD/"
  assert_output_has "A $PWD/added"
  assert_output_has "changes applied"
  [ "$(cat added)" = new ]
  [ "$(cat file)" = file ] && [ "$(cat sub/inner)" = inner ] && [ -L link ] && [ "$(cat hl)" = sibling ]
  [ ! -e .wh..wh..opq ]
  assert_outside_unchanged
}

@test "a symlink the command put into the real directory through a bind is replaced by the upper's directory, never entered" {
  # -v binds the real sub/ read-write: the command changes the target
  # itself, making sub/evil a symlink to the sibling, then puts a directory
  # over it in the overlay.  Applying must not write through the symlink.
  run nook try --overlay=kernel --commit -v "$PWD/sub:/x" -- sh -c '
    ln -s ../../sibling /x/evil
    rm sub/evil && mkdir sub/evil && echo pwned > sub/evil/canary && echo pwned > sub/evil/keep'
  assert_status 0
  assert_output_has "changes applied"
  [ -d sub/evil ] && [ ! -L sub/evil ]
  [ "$(cat sub/evil/canary)" = pwned ]
  [ "$(cat ../sibling/canary)" = sibling ]
  [ "$(cat ../sibling/keep)" = keep ]
  assert_outside_unchanged
}
