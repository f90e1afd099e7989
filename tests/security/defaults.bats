#!/usr/bin/env bats
# What a default sandbox gets from the host, tried as an unprivileged user.
#
# Attacked: the caller's files through the working directory (started from
# $HOME, /, /tmp or /home, a sandbox would read ssh keys and rewrite shell
# startup files, or share the host's /tmp), also under the shipped build
# and ci profiles (which forced --bind-cwd), through nook try's overlay
# (whose lower layer is the cwd), with HOME unset, / or /tmp, and from the
# state directory; the host's vsock port space and the kernel's crypto API
# through socket(2).  Bind-mounted aliases of the home are tried in
# tests/root/cwd-alias.bats.
# What stops it: the cwd rule of the default root (only a directory strictly
# inside the home or inside another directory of the caller's is bound; the
# home stays under an empty tmpfs; otherwise the command starts in its own
# empty /tmp), and the default seccomp policy, which refuses AF_VSOCK and
# AF_ALG with EPERM whatever the upper 32 bits of the family say, on every
# ABI, and nook's terminal filter, which refuses the 32-bit socketcall(2)
# SYS_SOCKET that hides the family from any filter (libseccomp would let
# it through for every family).  Every family to AF_MAX is tried, from
# nook run and from nook exec.

load "$NOOK_TESTS/lib.sh"

setup_file() {
  cc -O1 -o "$BATS_FILE_TMPDIR/attack" "$NOOK_TESTS/security/attack.c"
  # Canaries in the real home, removed by teardown_file.
  [ -d "$HOME/.ssh" ] || { mkdir -m 0700 "$HOME/.ssh" && export made_ssh=1; }
  echo "canary-ssh-key" >"$HOME/.ssh/id_nook_canary"
  echo "# canary-rc" >"$HOME/.nook_canary_rc"
}

teardown_file() {
  rm -f "$HOME/.ssh/id_nook_canary" "$HOME/.nook_canary_rc"
  [ -z "${made_ssh:-}" ] || rmdir "$HOME/.ssh"
}

setup() {
  rc_sum=$(cksum <"$HOME/.nook_canary_rc")
  # A name of this test's own: what reaches the host is never a leftover.
  written=nook-written.$BATS_ROOT_PID.$BATS_SUITE_TEST_NUMBER
}

teardown() {
  [ -z "${STATE:-}" ] || remove_private_state
  rm -f "$HOME/$written" "/tmp/$written"
  [ -z "${canary:-}" ] || rm -f "$canary"
  [ -z "${top:-}" ] || rm -rf "$top"
  [ -z "${proj:-}" ] || rm -rf "$proj"
}

# Inside: where the command starts, what it sees there and in the home, and
# whether it reads the canaries; it then writes in its cwd and home.
probe() {
  echo 'echo "cwd=$PWD"; echo "here=$(ls -A | wc -l)"; echo "home=$(ls -A ~ | wc -l)";
    cat ~/.ssh/id_nook_canary 2>/dev/null; cat ~/.nook_canary_rc 2>/dev/null;
    echo pwned >>~/.nook_canary_rc; echo pwned >./'"$written"'; echo pwned >~/'"$written"'; echo done'
}

assert_home_untouched() {
  assert_output_lacks canary-ssh-key
  assert_output_lacks canary-rc
  [ "$(cksum <"$HOME/.nook_canary_rc")" = "$rc_sum" ]
  [ ! -e "$HOME/$written" ]
}

@test "cwd = \$HOME: the home's files are neither visible nor writable, the command starts in an empty directory" {
  cd "$HOME"
  run nook run --verbose -- sh -c "$(probe)"
  assert_status 0
  assert_output_has done
  assert_home_untouched
  assert_output_has "cwd=/tmp"
  assert_output_has "here=0"
  assert_output_has "home=0"
  # --verbose says why.
  assert_output_has "is not bound (it is the home"
}

@test "cwd = /: the command starts in an empty /tmp of its own, the host's /tmp stays apart" {
  canary=$(mktemp /tmp/nook-canary.XXXXXX)
  echo host-tmp-secret >"$canary"
  cd /
  run nook run -- sh -c "$(probe); ls -A /tmp; cat $canary 2>/dev/null; true"
  assert_status 0
  assert_home_untouched
  assert_output_has "cwd=/tmp"
  assert_output_has "here=0"
  assert_output_lacks "$(basename "$canary")"
  assert_output_lacks host-tmp-secret
  [ ! -e "/$written" ] && [ ! -e "/tmp/$written" ]
}

@test "cwd = /tmp: the host's /tmp is not shared either way" {
  canary=$(mktemp /tmp/nook-canary.XXXXXX)
  echo host-tmp-secret >"$canary"
  cd /tmp
  run nook run -- sh -c "$(probe); ls -A /tmp; cat $canary 2>/dev/null; true"
  assert_status 0
  assert_home_untouched
  assert_output_has "cwd=/tmp"
  assert_output_has "here=0"
  assert_output_lacks "$(basename "$canary")"
  assert_output_lacks host-tmp-secret
  [ ! -e "/tmp/$written" ]
}

@test "cwd = /home, an ancestor of the home: not bound, the home stays hidden" {
  cd "$(dirname "$HOME")"
  run nook run -- sh -c "$(probe); ls -A $HOME"
  assert_status 0
  assert_home_untouched
  assert_output_has "cwd=/tmp"
  assert_output_has "home=0"
}

@test "cwd = a project in the home: bound read-write, the rest of the home hidden" {
  proj=$(mktemp -d "$HOME/nook-proj.XXXXXX")
  echo source >"$proj/main.c"
  cd "$proj"
  run nook run -- sh -c "$(probe); cat main.c"
  assert_status 0
  assert_home_untouched
  assert_output_has "cwd=$proj"
  assert_output_has "here=1"
  assert_output_has source
  [ "$(cat "$proj/$written")" = pwned ]
}

@test "a directory of the caller's right in /tmp is not bound, a directory inside it is" {
  top=$(mktemp -d /tmp/nook-top.XXXXXX)
  mkdir "$top/src"
  cd "$top"
  run nook run -- sh -c 'echo pwned >f; pwd'
  assert_status 0
  [ "$output" = /tmp ]
  [ ! -e "$top/f" ]
  cd "$top/src"
  run nook run -- sh -c 'echo built >f; pwd'
  assert_status 0
  [ "$output" = "$top/src" ]
  [ "$(cat "$top/src/f")" = built ]
}

@test "--bind-cwd binds the home when asked; --no-bind-cwd keeps a project out" {
  cd "$HOME"
  run nook run --bind-cwd -- sh -c "cat .ssh/id_nook_canary; echo bound >$written"
  assert_status 0
  assert_output_has canary-ssh-key
  [ "$(cat "$HOME/$written")" = bound ]

  cd "$BATS_TEST_TMPDIR"
  echo mine >kept
  run nook run --no-bind-cwd -- sh -c 'pwd; ls -A; echo x >kept2'
  assert_status 0
  [ "$output" = /tmp ]
  [ ! -e kept2 ]
  # The last of the two wins.
  run nook run --no-bind-cwd --bind-cwd -- cat kept
  assert_status 0
  [ "$output" = mine ]
}

@test "the shipped profiles keep the rule: build and ci from \$HOME or /tmp bind neither, a project still" {
  local profile
  for profile in build ci untrusted; do
    cd "$HOME"
    run nook run --profile "$profile" --verbose -- sh -c "$(probe)"
    assert_home_untouched
    assert_output_has "cwd=/tmp"
    assert_output_has "home=0"
    assert_output_has "is not bound"
    canary=$(mktemp /tmp/nook-canary.XXXXXX)
    cd /tmp
    run nook run --profile "$profile" -- sh -c "$(probe); ls -A /tmp"
    assert_home_untouched
    assert_output_has "cwd=/tmp"
    assert_output_lacks "$(basename "$canary")"
    [ ! -e "/tmp/$written" ]
    rm -f "$canary"
  done
  # A project in the home: build and ci bind it, as they are for.
  proj=$(mktemp -d "$HOME/nook-proj.XXXXXX")
  cd "$proj"
  for profile in build ci; do
    run nook run --profile "$profile" -- sh -c "echo $profile >>built; pwd"
    assert_status 0
    assert_output_has "$proj"
  done
  [ "$(cat "$proj/built")" = "$(printf 'build\nci')" ]
}

@test "nook try from \$HOME, /tmp or / tries nothing: one line, exit 125, the home never read" {
  local dir
  for dir in "$HOME" /tmp /; do
    cd "$dir"
    run nook try -- sh -c 'cat ~/.ssh/id_nook_canary .ssh/id_nook_canary 2>/dev/null; ls -A'
    assert_status 125
    assert_one_error_line
    assert_output_lacks canary-ssh-key
    assert_output_has "is not tried"
  done
  # --path names a directory on purpose; a project is tried as before.
  proj=$(mktemp -d "$HOME/nook-proj.XXXXXX")
  cd "$proj"
  run nook try -- sh -c 'pwd; echo x >new'
  assert_status 0
  assert_output_has "$proj"
  [ ! -e new ]
}

@test "setuid and setgid bits made in the bound cwd reach the host as made (and as man nook-run says); inside they give nothing" {
  proj=$(mktemp -d "$HOME/nook-proj.XXXXXX")
  cd "$proj"
  run nook run -- sh -c 'cp /usr/bin/id suid && chmod 4755 suid && cp /usr/bin/id sgid && chmod 2755 sgid &&
    mkdir sgdir && chmod 2775 sgdir && awk -v m="$PWD" '"'"'$5 == m { print $6 }'"'"' /proc/self/mountinfo'
  assert_status 0
  # Inside, the bound directory is nosuid: the bits give nothing there.
  [[ "$output" == *nosuid* ]]
  # On the host, the bits are there, on files owned by the caller.
  [ "$(stat -c '%a %u' suid sgid sgdir)" = "$(printf '4755 %s\n2755 %s\n2775 %s' "$(id -u)" "$(id -u)" "$(id -u)")" ]
  # The man page says that these cross.
  require "the man pages are staged" test -f "$NOOK_TESTS/../man/nook-run.1.md"
  grep -q "the setuid and setgid bits" "$NOOK_TESTS/../man/nook-run.1.md"
}

@test "HOME unset, / or /tmp: the caller's real home as cwd is still not bound, its files not read" {
  local h real=$HOME
  cd "$real"
  for h in unset / /tmp; do
    if [ "$h" = unset ]; then
      run env -u HOME "$NOOK" run -- sh -c "pwd; cat $real/.ssh/id_nook_canary; echo pwned >$real/$written" </dev/null
    else
      run env HOME="$h" "$NOOK" run -- sh -c "pwd; cat $real/.ssh/id_nook_canary; echo pwned >$real/$written" </dev/null
    fi
    [ "${lines[0]}" = /tmp ] || { echo "HOME=$h: $output" >&2; return 1; }
    assert_output_lacks canary-ssh-key
    [ ! -e "$real/$written" ]
  done
}

@test "the state directory, or a directory inside it, as cwd: never bound" {
  use_private_state
  nook run -- true
  for dir in "$XDG_RUNTIME_DIR" "$STATE" "$STATE/sandboxes"; do
    cd "$dir"
    run nook run --verbose -- true
    assert_status 0
    assert_output_has "is not bound (nook's state directory is inside it"
    # The command starts in its own empty /tmp: nothing of the state.
    run nook run -- sh -c 'pwd; ls -A'
    assert_status 0
    [ "$output" = /tmp ]
  done
}

@test "the home or /tmp reached through a symlink or .., and another user's directory: not bound" {
  top=$(mktemp -d /tmp/nook-top.XXXXXX)
  mkdir "$top/proj"
  ln -s "$HOME" "$top/proj/home"
  ln -s /tmp "$top/proj/tmp"
  local dir
  for dir in "$top/proj/home" "$top/proj/tmp" "$top/proj/../.." /usr/share; do
    cd "$dir"
    run nook run -- sh -c "pwd; ls -A | wc -l; cat $HOME/.ssh/id_nook_canary; echo pwned >$written"
    [ "${lines[0]}" = /tmp ] && [ "${lines[1]}" = 0 ] || { echo "$dir: $output" >&2; return 1; }
    assert_output_lacks canary-ssh-key
  done
  [ ! -e "$HOME/$written" ] && [ ! -e "/tmp/$written" ]
}

@test "a removed current directory: one line, exit 125, nothing runs" {
  top=$(mktemp -d /tmp/nook-top.XXXXXX)
  mkdir "$top/gone"
  cd "$top/gone"
  rmdir "$top/gone"
  run nook run -- sh -c "echo ran; echo pwned >~/$written"
  assert_status 125
  assert_one_error_line
  assert_output_has "current directory"
  assert_output_has "Hint:"
  assert_output_lacks ran
  [ ! -e "$HOME/$written" ]
}

@test "--bind-cwd refuses / and a root that is not composed" {
  cd /
  run nook run --bind-cwd -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "cannot be bound"
  cd "$BATS_TEST_TMPDIR"
  mkdir -p root
  run nook run --rootfs root --bind-cwd -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "only the composed root"
}

# The sandbox's verdict on socket(FAMILY), then the kernel's own without the
# filter: EPERM inside and anything else outside shows that the policy, not
# the kernel, refused.
assert_family_refused() { # ATTACK FAMILY [TYPE]
  # BATS_FILE_TMPDIR is inside a directory of the caller's: bound as the cwd.
  cd "$BATS_FILE_TMPDIR"
  run nook run -- ./attack "$@"
  [ "$output" = "failed: EPERM" ] || { echo "inside: $output" >&2; return 1; }
  run nook run --seccomp unconfined -- ./attack "$@"
  [ "$output" != "failed: EPERM" ] || { echo "unconfined: $output" >&2; return 1; }
  echo "$output"
}

@test "socket(AF_VSOCK): refused, the host's vsock port space stays out of reach" {
  run assert_family_refused socket 40
  assert_status 0
  # Where the kernel knows vsock, the control opens the socket.
  if "$BATS_FILE_TMPDIR/attack" socket 40 >/dev/null; then
    assert_output_has succeeded
  fi
}

@test "socket(AF_VSOCK) with the upper 32 bits set: refused like AF_VSOCK" {
  run assert_family_refused socket 0x100000028
  assert_status 0
  if "$BATS_FILE_TMPDIR/attack" socket 40 >/dev/null; then
    assert_output_has succeeded # the kernel reads the low 32 bits only
  fi
}

@test "socket(AF_VSOCK) through the 32-bit x86 entry point: refused" {
  require "an x86_64 machine" test "$(uname -m)" = x86_64
  run assert_family_refused int80-socket 40
  assert_status 0
}

@test "socket(AF_ALG): refused, the kernel's crypto API stays out of reach" {
  run assert_family_refused socket 38 5 # SOCK_SEQPACKET
  assert_status 0
}

# Every address family up to AF_MAX (attack socket-families), each with
# four types, through ENTRY, inside and unconfined: a family is refused by
# the policy when every type fails with EPERM inside and not outside.
# Prints the refused families the kernel knows (some type gets another
# answer than EAFNOSUPPORT outside); fails when a family is refused that
# should not be, or one that should be is not.
check_families() { # ENTRY REFUSED-REGEX [nook exec NAME]
  local entry=$1 refused=$2 inside outside f i o
  shift 2
  cd "$BATS_FILE_TMPDIR"
  outside=$(nook run --seccomp unconfined -- ./attack socket-families "$entry")
  if [ $# -gt 0 ]; then
    inside=$("$NOOK" "$@" ./attack socket-families "$entry" </dev/null)
  else
    inside=$(nook run -- ./attack socket-families "$entry")
  fi
  [ "$(wc -l <<<"$inside")" -gt 40 ] && [ "$(wc -l <<<"$inside")" = "$(wc -l <<<"$outside")" ] || {
    echo "$entry: $inside" >&2
    return 1
  }
  while read -r f i && read -r o <&3; do
    f=${f%:}
    o=${o#*: }
    if [[ $f =~ ^($refused)$ ]]; then
      [ "$i" = "EPERM EPERM EPERM EPERM" ] || { echo "$entry: family $f let through: $i" >&2; return 1; }
      [ "$o" = "EAFNOSUPPORT EAFNOSUPPORT EAFNOSUPPORT EAFNOSUPPORT" ] || echo "$f"
    else
      [ "$i" = "$o" ] || { echo "$entry: family $f: inside $i, unconfined $o" >&2; return 1; }
    fi
  done <<<"$inside" 3<<<"$outside"
}

@test "every socket family to AF_MAX through socket(2): AF_ALG and AF_VSOCK refused, every other as the kernel answers" {
  run check_families socket '38|40'
  assert_status 0
  # The kernel here knows vsock: the refusal was tried for real.
  if "$BATS_FILE_TMPDIR/attack" socket 40 >/dev/null; then
    assert_output_has 40
  fi
}

@test "every socket family through the 32-bit entry points: socket refused as above, socketcall(SYS_SOCKET) for all" {
  require "int \$0x80 from a 64-bit process" sh -c "'$BATS_FILE_TMPDIR/attack' int80-write | grep -q int80"
  run check_families int80-socket '38|40'
  assert_status 0
  # socketcall passes the family in memory: no filter can tell AF_VSOCK
  # from AF_UNIX there, so it is refused for every family, not opened for
  # all (libseccomp's rule for socket would).
  run check_families int80-socketcall '[0-9]+'
  assert_status 0
  if "$BATS_FILE_TMPDIR/attack" int80-socketcall 40 >/dev/null; then
    assert_output_has 40
  fi
  # Unconfined, socketcall works: the refusal is the filter's.
  cd "$BATS_FILE_TMPDIR"
  run nook run --seccomp unconfined -- ./attack int80-socketcall 1
  assert_output_has succeeded
}

@test "nook exec applies the same socket refusals as the sandbox's command" {
  use_private_state
  cd "$BATS_FILE_TMPDIR"
  nook run -d --name fam -- sleep 600
  run check_families socket '38|40' exec fam
  assert_status 0
  if "$BATS_FILE_TMPDIR/attack" int80-write | grep -q int80; then
    run check_families int80-socketcall '[0-9]+' exec fam
    assert_status 0
  fi
}

@test "other socket families still work: unix, inet, inet6, netlink" {
  cd "$BATS_FILE_TMPDIR"
  for family in 1 2 10; do
    run nook run -- ./attack socket "$family"
    assert_output_has succeeded
  done
  run nook run -- ./attack socket 16 3 # AF_NETLINK, SOCK_RAW
  assert_output_has succeeded
}
