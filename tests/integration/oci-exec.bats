#!/usr/bin/env bats
# nook-oci exec: a process in a running container, entered as nook exec
# enters (non-dumpable, no host fd, the container's filter), as conmon and
# containerd's shim call it (--process, --detach, --pid-file).

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"

setup() {
  oci_setup
  set_config "$BUNDLE" '.process.env = ["PATH=/bin", "FROM_CONFIG=1"] | .hostname = "inside"'
  set_args "$BUNDLE" sleep 1000
  ocid run -d --bundle "$BUNDLE" ex
}
teardown() { oci_teardown; }

@test "exec runs in the container's namespaces, with its environment, and gives the exit status" {
  run oci exec ex sh -c 'hostname; echo $FROM_CONFIG; cat /proc/1/cmdline | tr "\0" " "; exit 5'
  assert_status 5
  [ "${lines[0]}" = inside ]
  [ "${lines[1]}" = 1 ]
  assert_output_has "sleep 1000"
}

@test "exec --process runs the process file's args, env, cwd and user" {
  cat >"$BATS_TEST_TMPDIR/p.json" <<'JSON'
{"args": ["sh", "-c", "id -u; pwd; echo $ONLY"], "env": ["ONLY=yes", "PATH=/bin"], "cwd": "/tmp", "user": {"uid": 0, "gid": 0}, "terminal": false}
JSON
  run oci exec --process "$BATS_TEST_TMPDIR/p.json" ex
  assert_status 0
  [ "${lines[0]}" = 0 ]
  [ "${lines[1]}" = /tmp ]
  [ "${lines[2]}" = yes ]
}

@test "exec --detach --pid-file returns while the process runs on, and names it" {
  # The process goes on once the test says go, after exec returned.
  ocid exec --detach --pid-file "$BATS_TEST_TMPDIR/epid" ex sh -c 'until [ -e /out/go ]; do sleep 0.05; done; echo done > /out/exec-done; sleep 1000'
  pid=$(cat "$BATS_TEST_TMPDIR/epid")
  kill -0 "$pid"
  [ ! -e "$BUNDLE/out/exec-done" ]
  touch "$BUNDLE/out/go"
  wait_until 10 test -e "$BUNDLE/out/exec-done"
  # The shell's last command replaced it: the pid is the exec'd process'.
  [ "$(tr '\0' ' ' <"/proc/$pid/cmdline")" = "sleep 1000 " ]
  run oci ps --format json ex
  [ "$(echo "$output" | jq "index($pid)")" != null ]
}

@test "exec'd processes hold no fd of the runtime's and run under the container's filter, non-dumpable until exec" {
  exec 7>"$BATS_TEST_TMPDIR/host-file"
  run oci exec ex sh -c 'ls /proc/self/fd | tr "\n" " "; echo; grep -E "^(Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\t" " "'
  exec 7>&-
  assert_status 0
  [ "${lines[0]}" = "0 1 2 3 " ]
  assert_output_has "Seccomp: 2"
  assert_output_has "NoNewPrivs: 1"
}

@test "exec into a stopped container fails with one line" {
  oci kill ex KILL
  wait_until 10 status_is ex stopped
  run oci exec ex true
  [ "$status" -ne 0 ]
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
  assert_output_has "stopped"
}

@test "exec --tty with --console-socket sends the terminal's master, as conmon expects" {
  python3 "$NOOK_TESTS/oci-console.py" "$BATS_TEST_TMPDIR/cs" "$BATS_TEST_TMPDIR/cs.out" >/dev/null &
  wait_until 10 test -S "$BATS_TEST_TMPDIR/cs"
  ocid exec --tty --detach --console-socket "$BATS_TEST_TMPDIR/cs" ex sh -c 'tty; sleep 0.2'
  wait
  grep -q "^fd:" "$BATS_TEST_TMPDIR/cs.out"
  grep -q "/dev/pts/" "$BATS_TEST_TMPDIR/cs.out"
}

@test "exec --preserve-fds N passes fds 3 to N+2 into the process, and no other" {
  echo three >"$BATS_TEST_TMPDIR/f3"
  echo four >"$BATS_TEST_TMPDIR/f4"
  echo five >"$BATS_TEST_TMPDIR/f5"
  run "$NOOK_OCI" --root "$OCI_ROOT" exec --preserve-fds 2 ex sh -c \
    'cat <&3; cat <&4; for f in 5 6 7; do [ -e /proc/self/fd/$f ] && echo "fd $f open"; done; true' \
    </dev/null 3<"$BATS_TEST_TMPDIR/f3" 4<"$BATS_TEST_TMPDIR/f4" 5<"$BATS_TEST_TMPDIR/f5"
  assert_status 0
  [ "${lines[0]}" = three ]
  [ "${lines[1]}" = four ]
  [ "${#lines[@]}" -eq 2 ]
}

@test "exec --preserve-fds naming an fd the caller did not pass is refused: the runtime's log stays its own" {
  run "$NOOK_OCI" --root "$OCI_ROOT" --log "$BATS_TEST_TMPDIR/log" exec --preserve-fds 1 ex cat /proc/self/fd/3 \
    </dev/null 3>&-
  assert_status 125
  grep -q "fd 3 is not one the caller passed" "$BATS_TEST_TMPDIR/log"
}

@test "exec applies the container's socket refusals, the 32-bit socketcall included" {
  require "a static C library" sh -c "cc -static -O1 -o '$BATS_TEST_TMPDIR/attack' '$NOOK_TESTS/security/attack.c'"
  oci delete -f ex
  cp "$BATS_TEST_TMPDIR/attack" "$BUNDLE/rootfs/bin/attack"
  # docker's rule for AF_VSOCK, as a config of an engine's carries it:
  # every other family let through by a rule of its own (logged, so that
  # it differs from the default action), AF_VSOCK refused.  libseccomp
  # turns the first into an unconditional socketcall(SYS_SOCKET) rule.
  set_config "$BUNDLE" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
    "archMap": [{"architecture": "SCMP_ARCH_X86_64", "subArchitectures": ["SCMP_ARCH_X86"]}],
    "syscalls": [{"names": ["socket"], "action": "SCMP_ACT_LOG", "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]},
      {"names": ["socket"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1, "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_EQ"}]}]}'
  ocid run -d --bundle "$BUNDLE" ex
  run oci exec ex attack socket 40
  assert_output_has "failed: EPERM"
  run oci exec ex attack socket 1
  assert_output_has succeeded
  if "$BATS_TEST_TMPDIR/attack" int80-write | grep -q int80; then
    # The family is out of the filter's reach: refused whatever it is.
    run oci exec ex attack int80-socketcall 40
    assert_output_has "failed: EPERM"
    run oci exec ex attack int80-socketcall 1
    assert_output_has "failed: EPERM"
    # The two rules conflict on socketcall, where libseccomp cannot add
    # the second: the 32-bit socket call is refused for every family too,
    # rather than answered by the first rule alone.
    run oci exec ex attack int80-socket 40
    assert_output_has "failed: EPERM"
    run oci exec ex attack int80-socket 1
    assert_output_has "failed: EPERM"
  fi
}
