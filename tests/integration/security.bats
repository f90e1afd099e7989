#!/usr/bin/env bats
# nook run: capabilities, no_new_privs, seccomp policies, --pass-fd.

load "$NOOK_TESTS/lib.sh"

setup() {
  cd "$BATS_TEST_TMPDIR"
  # A cache of compiled policies of this test's own, beside the working
  # directory (nook does not bind a directory that holds its state).
  export XDG_RUNTIME_DIR
  XDG_RUNTIME_DIR=$(mktemp -d "$BATS_RUN_TMPDIR/xdg.XXXXXX")
}

# The value of FIELD in the command's /proc/self/status.
status_field() { printf '%s\n' "$output" | sed -n "s/^$1:[[:space:]]*//p"; }

# The rootless podman default: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID
# SETUID SETPCAP NET_BIND_SERVICE SYS_CHROOT SETFCAP.
DEFAULT_CAPS=00000000800405fb

@test "root inside has the default capability set in every set but ambient" {
  run nook run -- cat /proc/self/status
  assert_status 0
  [ "$(status_field CapEff)" = $DEFAULT_CAPS ]
  [ "$(status_field CapPrm)" = $DEFAULT_CAPS ]
  [ "$(status_field CapInh)" = $DEFAULT_CAPS ]
  [ "$(status_field CapBnd)" = $DEFAULT_CAPS ]
  [ "$(status_field CapAmb)" = 0000000000000000 ]
}

@test "no_new_privs and a seccomp filter are always on" {
  run nook run -- cat /proc/self/status
  [ "$(status_field NoNewPrivs)" = 1 ]
  [ "$(status_field Seccomp)" = 2 ]
  # The default policy with nook's terminal filter merged into it: one
  # program (the unit tests check it answers as the two stacked).
  [ "$(status_field Seccomp_filters)" = 1 ]
}

@test "--cap-drop ALL --cap-add NET_BIND_SERVICE leaves exactly that one, in any order" {
  run nook run --cap-drop ALL --cap-add NET_BIND_SERVICE -- cat /proc/self/status
  assert_status 0
  [ "$(status_field CapEff)" = 0000000000000400 ]
  [ "$(status_field CapBnd)" = 0000000000000400 ]
  run nook run --cap-add cap_net_bind_service --cap-drop all -- cat /proc/self/status
  [ "$(status_field CapEff)" = 0000000000000400 ]
}

@test "--cap-drop takes libcap's names with or without CAP_, in any case" {
  run nook run --cap-drop CAP_CHOWN --cap-drop kill --cap-drop Setfcap -- cat /proc/self/status
  assert_status 0
  [ "$(status_field CapEff)" = 00000000000405da ]
}

@test "--cap-add ALL gives every capability the kernel knows" {
  last=$(cat /proc/sys/kernel/cap_last_cap)
  run nook run --cap-add ALL -- cat /proc/self/status
  assert_status 0
  [ "$(status_field CapBnd)" = "$(printf '%016x' $(((1 << (last + 1)) - 1)))" ]
}

@test "a non-zero --uid runs with no capability at all" {
  run nook run --uid 1000 -- cat /proc/self/status
  assert_status 0
  [ "$(status_field CapEff)" = 0000000000000000 ]
  [ "$(status_field CapPrm)" = 0000000000000000 ]
  [ "$(status_field CapBnd)" = 0000000000000000 ]
  [ "$(status_field CapAmb)" = 0000000000000000 ]
}

@test "a non-zero --uid gets asked-for capabilities as ambient ones" {
  run nook run --uid 1000 --cap-add NET_BIND_SERVICE -- cat /proc/self/status
  assert_status 0
  [ "$(status_field Uid | cut -f1)" = 1000 ]
  [ "$(status_field CapAmb)" = 0000000000000400 ]
  [ "$(status_field CapEff)" = 0000000000000400 ]
  # And the command can use it: bind a port below 1024.
  run nook run --uid 1000 --cap-add NET_BIND_SERVICE -- python3 -c 'import socket; socket.socket().bind(("127.0.0.1", 80)); print("bound")'
  assert_output_has bound
  run nook run --uid 1000 -- python3 -c 'import socket; socket.socket().bind(("127.0.0.1", 80))'
  assert_output_has "Permission denied"
}

@test "an unknown capability is one error line and status 125" {
  run nook run --cap-add NET_FLY -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "unknown capability \`NET_FLY\`"
  run nook run --cap-drop 12 -- true
  assert_status 125
}

@test "the default policy runs a shell, a compiler and 32-bit personality" {
  printf '#include <stdio.h>\nint main(void){puts("built");return 0;}\n' >hello.c
  run nook run -- sh -c 'cc -o hello hello.c && ./hello && setarch i686 uname -m && ls / >/dev/null && id -u'
  assert_status 0
  assert_output_has built
  assert_output_has i686
  # Threads and processes the way runtimes start them (clone3 falls back to clone).
  run nook run -- python3 -c 'import multiprocessing as m, threading as t
th = t.Thread(target=print, args=("thread",)); th.start(); th.join()
print(sum(m.Pool(2).map(abs, range(10))))'
  assert_status 0
  assert_output_has thread
  assert_output_has 45
}

@test "--seccomp unconfined loads no filter but keeps no_new_privs" {
  run nook run --seccomp unconfined -- cat /proc/self/status
  assert_status 0
  [ "$(status_field Seccomp)" = 0 ]
  [ "$(status_field NoNewPrivs)" = 1 ]
}

@test "--seccomp FILE loads a policy in the OCI JSON format" {
  cat >no-uname.json <<'EOF'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [
    { "names": ["uname"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13 },
    { "names": ["getcwd"], "action": "SCMP_ACT_ERRNO", "excludes": { "caps": ["CAP_SYS_ADMIN"] } }
  ]
}
EOF
  run nook run --seccomp ./no-uname.json -- uname
  assert_status 1
  assert_output_has "Permission denied"
  run nook run --seccomp ./no-uname.json -- sh -c 'cd /tmp && /bin/pwd'
  assert_output_has "Operation not permitted"
  # excludes by capability: with CAP_SYS_ADMIN the rule does not apply.
  run nook run --cap-add SYS_ADMIN --seccomp ./no-uname.json -- sh -c 'cd /tmp && /bin/pwd'
  assert_status 0
  assert_output_has /tmp
}

@test "--seccomp NAME finds an installed policy; an unknown name is an error" {
  run nook run --seccomp default -- true
  assert_status 0
  run nook run --seccomp no-such-policy -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "no such policy"
}

@test "a policy that is not JSON names the file, line and column" {
  printf '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ { "names": ["read"] ' >broken.json
  run nook run --seccomp ./broken.json -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "seccomp policy \`./broken.json\`: line 3, column"
  printf '{ "defaultAction": "SCMP_ACT_ALLOW",, }' >broken.json
  run nook run --seccomp ./broken.json -- true
  assert_status 125
  assert_output_has "line 1, column 37"
}

@test "an unknown system call, action, capability or field names the field" {
  printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read","frobnicate"],"action":"SCMP_ACT_ERRNO"}]}' >p.json
  run nook run --seccomp ./p.json -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "syscalls[0].names[1]: unknown system call \`frobnicate\`"
  printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_MAYBE"}]}' >p.json
  run nook run --seccomp ./p.json -- true
  assert_output_has "syscalls[0]: unknown action \`SCMP_ACT_MAYBE\`"
  printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","includes":{"caps":["CAP_FLY"]}}]}' >p.json
  run nook run --seccomp ./p.json -- true
  assert_output_has "syscalls[0].includes: caps[0]: unknown capability \`CAP_FLY\`"
  printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","exclude":{}}]}' >p.json
  run nook run --seccomp ./p.json -- true
  assert_status 125
  assert_output_has "syscalls[0]: unknown field \`exclude\`"
}

@test "a missing or unreadable policy file is one error line" {
  run nook run --seccomp ./nope.json -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "No such file or directory"
  mkdir dir.json
  run nook run --seccomp ./dir.json -- true
  assert_status 125
  assert_output_has "not a regular file"
}

# The cache's entries: name, inode, size and time of each.  An entry
# written again (linked in anew) has another inode.
cache_entries() { stat -c '%n %i %s %Y' "$XDG_RUNTIME_DIR"/nook/seccomp/*.bpf 2>/dev/null | sort; }

@test "compiled policies are cached privately and reused" {
  [ -z "$(cache_entries)" ]
  run nook run -- true
  assert_status 0
  [ -n "$(cache_entries)" ]
  [ "$(stat -c %a "$XDG_RUNTIME_DIR/nook/seccomp")" = 700 ]
  for f in "$XDG_RUNTIME_DIR"/nook/seccomp/*.bpf; do
    [ "$(stat -c %a "$f")" = 600 ]
  done
  # Reused: the next run is under its filter and writes no entry (each
  # keeps its inode, and the time set in the past).
  touch -d @1000000000 "$XDG_RUNTIME_DIR"/nook/seccomp/*.bpf
  before=$(cache_entries)
  run nook run -- cat /proc/self/status
  assert_status 0
  [ "$(status_field Seccomp)" = 2 ]
  [ "$(cache_entries)" = "$before" ]
}

@test "another build of nook (another ELF build id) does not use this build's cache entries" {
  run nook run -- true
  run nook run -- true
  mine=$(cache_entries)
  [ -n "$mine" ]
  # The same nook with one byte of its build id changed: a build of the
  # same version from other sources.
  mkdir other
  cp "$(dirname "$NOOK")/nook-init" other/
  id=$(readelf -n "$NOOK" | sed -n 's/.*Build ID: //p')
  [ ${#id} -ge 8 ]
  python3 - "$NOOK" other/nook "$id" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
old = bytes.fromhex(sys.argv[3])
assert data.count(old) == 1
new = bytes([old[0] ^ 0xff]) + old[1:]
open(sys.argv[2], "wb").write(data.replace(old, new))
PY
  chmod 755 other/nook
  # It compiles entries of its own, beside this build's, untouched.
  run other/nook run -- cat /proc/self/status
  assert_status 0
  [ "$(status_field Seccomp)" = 2 ]
  both=$(cache_entries)
  [ "$(wc -l <<<"$both")" -gt "$(wc -l <<<"$mine")" ]
  [ "$(comm -12 <(echo "$mine") <(echo "$both"))" = "$mine" ]
  # Then reuses them, writing nothing; and the original still finds its own.
  run other/nook run -- true
  [ "$(cache_entries)" = "$both" ]
  run nook run -- true
  [ "$(cache_entries)" = "$both" ]
}

@test "a cache entry that does not match its policy byte for byte is not used" {
  printf '{"defaultAction":"SCMP_ACT_ALLOW"}' >allow-all.json
  run nook run --seccomp ./allow-all.json -- true
  # An entry's key names its policy by the SHA-256 of the text.
  allow_entry=$(grep -l "policy sha256 $(sha256sum <allow-all.json | cut -c1-64)" "$XDG_RUNTIME_DIR"/nook/seccomp/*.bpf)
  [ -f "$allow_entry" ]
  run nook run -- true
  for f in "$XDG_RUNTIME_DIR"/nook/seccomp/*.bpf; do
    # Every entry replaced by the allow-everything program.
    [ "$f" = "$allow_entry" ] || cp "$allow_entry" "$f"
  done
  run nook run --verbose -- python3 -c 'import ctypes; print("keyctl", ctypes.CDLL(None).syscall(250, 0, -3, 1))'
  assert_output_lacks "from the cache"
  assert_output_has "keyctl -1"
  # A torn entry is not used either.
  for f in "$XDG_RUNTIME_DIR"/nook/seccomp/*.bpf; do truncate -s -8 "$f"; done
  run nook run --verbose -- python3 -c 'import ctypes; print("keyctl", ctypes.CDLL(None).syscall(250, 0, -3, 1))'
  assert_output_lacks "from the cache"
  assert_output_has "keyctl -1"
}

@test "--pass-fd keeps a descriptor open into the command; others are closed" {
  echo passed >file
  run "$NOOK" run --pass-fd 7 -- sh -c 'cat <&7; ls /proc/self/fd' 7<file 8<file
  assert_status 0
  assert_output_has passed
  run "$NOOK" run --pass-fd 7 -- ls /proc/self/fd 7<file 8<file
  assert_output_has 7
  assert_output_lacks 8
}

@test "--pass-fd of a closed or standard descriptor is an error" {
  run nook run --pass-fd 9 -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "--pass-fd 9: Bad file descriptor"
  run nook run --pass-fd 1 -- true
  assert_status 125
  assert_output_has "always passed"
}

@test "--tty gives an interactive shell a terminal of its own, with job control" {
  run "$NOOK_TESTS/ptyrun" 'sleep 30 & jobs; kill %1; tty; exit 3\r' "$NOOK" run --tty -- bash --norc -i
  assert_output_has "Running"
  assert_output_has "/dev/pts/0"
  assert_output_lacks "no job control"
  assert_output_has "exit: 3"
}

@test "--tty passes the window size on and leaves the caller's terminal as it was" {
  run "$NOOK_TESTS/ptyrun" '' "$NOOK" run --tty -- sh -c 'stty size; echo done'
  assert_output_has "33 101"
  assert_output_has "done"
  assert_output_has "exit: 0"
  assert_output_has "stty: same"
}

@test "--tty without a terminal on stdin is one error line" {
  run nook run --tty -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "stdin is not a terminal"
}

@test "--allow-nested lets a build tool run a sandbox of its own" {
  require "bubblewrap" command -v bwrap
  run nook run --allow-nested -- bwrap --ro-bind / / --unshare-user --unshare-pid --proc /proc --dev /dev sh -c 'echo nested; id -u'
  assert_status 0
  assert_output_has nested
  run nook run -- bwrap --ro-bind / / --unshare-user --unshare-pid --proc /proc --dev /dev true
  [ "$status" -ne 0 ]
}

@test "--allow-nested: nook itself runs inside, keeps and checks its own state without the keyring" {
  bin=$(dirname "$NOOK")
  run nook run --allow-nested --ro-bind "$bin" /nook -- sh -c '
    /nook/nook run -- echo nested-ok
    id=$(/nook/nook run -d --name inner -- sleep 100)
    /nook/nook exec inner -- sh -c "grep ^Seccomp: /proc/self/status"
    # The keyring is refused in here: the secret is a file of the inner state.
    ls "${XDG_RUNTIME_DIR:-/tmp/nook-$(id -u)}"
    /nook/nook rm -f inner'
  assert_status 0
  assert_output_has nested-ok
  assert_output_has "Seccomp:	2"
  assert_output_has secret
}

@test "--tty: nook killed by SIGKILL leaves no process of the sandbox behind" {
  "$NOOK_TESTS/ptyrun" '' "$NOOK" run --tty -- sleep 4321 >/dev/null &
  relay=$!
  wait_until 10 pgrep -u "$(id -u)" -xf "sleep 4321"
  nook_pid=$(pgrep -u "$(id -u)" -f "^$NOOK run --tty -- sleep 4321")
  [ -n "$nook_pid" ]
  kill -KILL "$nook_pid"
  wait_until 5 sh -c "! pgrep -u $(id -u) -xf 'sleep 4321'"
  wait "$relay" || true
}
