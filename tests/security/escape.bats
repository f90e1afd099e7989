#!/usr/bin/env bats
# The escape suite: attacks tried from inside a sandbox, as an unprivileged
# user.  Each test names the attack; each attack must fail.  Where a control
# shows that the same attack works without the protection (outside nook, or
# with --seccomp unconfined), it is run too, so a test cannot pass because
# the attack itself is broken.

load "$NOOK_TESTS/lib.sh"

setup_file() {
  export WORK="$BATS_FILE_TMPDIR/work"
  mkdir -p "$WORK"
  cc -O1 -o "$WORK/attack" "$NOOK_TESTS/security/attack.c"
  echo "host secret" >"$BATS_FILE_TMPDIR/secret"
}

setup() { cd "$WORK"; }

teardown() {
  [ -z "${host_pid:-}" ] || kill "$host_pid" 2>/dev/null || true
  rm -f "$HOME/.nook-escape-canary" "$HOME/.nook-escape-planted"
}

# Kernels built or set with dev.tty.legacy_tiocsti=0 refuse TIOCSTI to
# everyone but CAP_SYS_ADMIN: there the controls cannot succeed.
legacy_tiocsti() { [ "$(cat /proc/sys/dev/tty/legacy_tiocsti 2>/dev/null || echo 1)" = 1 ]; }

# The attack's verdict: it must have failed, and said so.
assert_attack_failed() {
  if [ "$status" -eq 0 ] || [[ "$output" == *succeeded* ]]; then
    echo "the attack succeeded: $output" >&2
    return 1
  fi
}

# ---- the cases that must hold under every shipped profile too ----------------
# Each takes the options that pick a profile (none: nook's defaults).  The
# attack program is bound in, as a profile may leave the working directory
# out (untrusted).

ATTACK=/run/nook-attack
attack_run() { # OPTION... -- COMMAND...: nook run with the attack bound in
  local opts=()
  while [ "$1" != -- ]; do opts+=("$1"); shift; done
  shift
  run nook run "${opts[@]}" --ro-bind "$WORK/attack" "$ATTACK" -- "$@"
}

# The shipped profiles, by name (policy/profiles/*.json).
shipped_profiles() {
  local f
  for f in "$NOOK_POLICY"/profiles/*.json; do basename "$f" .json; done
}

# Runs CASE under every shipped profile; a failure names the profile.
under_every_profile() { # CASE
  local p n=0
  for p in $(shipped_profiles); do
    n=$((n + 1))
    "$1" --profile "$p" || { echo "the attack succeeded under --profile $p" >&2; return 1; }
  done
  [ "$n" -ge 3 ]
}

case_tiocsti() { # OPTION...
  run script -qec "$NOOK run $* --ro-bind $WORK/attack $ATTACK -- $ATTACK tiocsti 0; $NOOK run $* --ro-bind $WORK/attack $ATTACK -- $ATTACK tiocsti-high-bits 0" /dev/null
  assert_attack_failed && assert_output_has EPERM
}

case_host_process() { # OPTION...
  local host_pid
  sleep 1000 &
  host_pid=$!
  attack_run "$@" -- sh -c "ps -e -o pid,comm; $ATTACK kill $host_pid; kill -KILL -1"
  assert_output_lacks "sleep" || return 1
  kill -0 "$host_pid" || return 1
  # No signal reached it: none is pending, and it still sleeps.
  grep -Eq '^ShdPnd:\s+0+$' "/proc/$host_pid/status" && grep -Eq '^State:\s+S' "/proc/$host_pid/status"
  local r=$?
  kill "$host_pid"
  return $r
}

# The caller's home: neither readable nor writable.
case_home() { # OPTION...
  echo "home secret" >"$HOME/.nook-escape-canary"
  attack_run "$@" -- sh -c "cat \$HOME/.nook-escape-canary 2>/dev/null; ls -A \$HOME; echo planted >\$HOME/.nook-escape-planted"
  assert_output_lacks "home secret" && assert_output_lacks ".nook-escape-canary" && [ ! -e "$HOME/.nook-escape-planted" ]
}

# The host's network: its abstract unix sockets and its loopback.
case_network() { # OPTION...
  attack_run "$@" -- sh -c "$ATTACK abstract-connect $ABSTRACT; python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $PORT), 3); print(\"tcp succeeded\")'"
  assert_output_has "failed" && assert_output_lacks succeeded
}

# A host listener on an abstract unix socket and on 127.0.0.1, for
# case_network; stopped by teardown.
start_host_listeners() {
  ABSTRACT="nook-escape-$$-$RANDOM"
  python3 -c "
import socket, sys
u = socket.socket(socket.AF_UNIX)
u.bind('\0$ABSTRACT')
u.listen(8)
t = socket.socket()
t.bind(('127.0.0.1', 0))
t.listen(8)
print(t.getsockname()[1], flush=True)
sys.stdout.close()
while True:
    u.accept()[0].close()
" >"$BATS_TEST_TMPDIR/port" &
  host_pid=$!
  wait_until 5 test -s "$BATS_TEST_TMPDIR/port"
  PORT=$(cat "$BATS_TEST_TMPDIR/port")
  wait_until 5 "$WORK/attack" abstract-connect "$ABSTRACT"
}

@test "write through a read-only bind of the host" {
  require "busybox-static for a minimal root" test -x /bin/busybox
  mkdir -p root/bin
  cp /bin/busybox root/bin/ && ln -sf busybox root/bin/sh
  echo original >root/file
  # The file is the caller's own: only the read-only mount stands in the way.
  run nook run --rootfs root -- /bin/sh -c 'echo changed >>/file'
  assert_attack_failed
  assert_output_has "Read-only file system"
  run nook run --rootfs root -- /bin/sh -c 'busybox mount -o remount,rw / || busybox mount -o remount,rw,bind /'
  assert_attack_failed
  run nook run --rootfs root -- /bin/sh -c 'busybox umount -l / && echo changed >>/file'
  assert_attack_failed
  [ "$(cat root/file)" = original ]
  run nook run -- ./attack mount-tmpfs /usr
  assert_attack_failed
}

@test "reach a host file outside the sandbox by .., a symlink or /proc/self/root" {
  secret="$BATS_FILE_TMPDIR/secret"
  ln -sf "$secret" link
  run nook run -- sh -c "cat ../secret || cat link || cat /proc/self/root$secret || cat $secret"
  assert_attack_failed
  assert_output_lacks "host secret"
  rm -f link
}

@test "reach the host's root through /proc/1/root" {
  run nook run -- ls /proc/1/root/root
  assert_attack_failed
  # Even with the host's PID namespace, pid 1 is root's and not ours.
  run nook run --share-pid -- ls /proc/1/root/
  assert_attack_failed
}

@test "read a host file through an fd inherited from the caller" {
  exec 5<"$BATS_FILE_TMPDIR/secret" 6<"$BATS_FILE_TMPDIR"
  run nook run -- ./attack read-fd 5
  assert_attack_failed
  run nook run -- ./attack openat-fd 6 secret
  assert_attack_failed
  run nook run -- cat /proc/self/fd/5
  exec 5<&- 6<&-
  assert_attack_failed
  assert_output_lacks "host secret"
  # Even under a policy that refuses close_range: the fds are closed first.
  printf '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["close_range"],"action":"SCMP_ACT_ERRNO"}]}' >no-close-range.json
  exec 5<"$BATS_FILE_TMPDIR/secret"
  run "$NOOK" run --seccomp ./no-close-range.json -- ./attack read-fd 5
  exec 5<&-
  assert_attack_failed
  assert_output_lacks "host secret"
  # Control: the fd was open and readable when passed on purpose.
  exec 5<"$BATS_FILE_TMPDIR/secret"
  run "$NOOK" run --pass-fd 5 -- ./attack read-fd 5
  exec 5<&-
  assert_output_has "host secret"
}

@test "see or signal a host process" {
  case_host_process
}

@test "see or signal a host process, under every shipped profile" {
  under_every_profile case_host_process
}

@test "read or write the caller's home" {
  case_home
}

@test "read or write the caller's home, under every shipped profile" {
  under_every_profile case_home
}

@test "ptrace a process outside the sandbox" {
  sleep 1000 &
  host_pid=$!
  run nook run -- ./attack ptrace "$host_pid"
  assert_attack_failed
  # With the host's PID namespace the process is visible, and still out of reach.
  run nook run --share-pid -- ./attack ptrace "$host_pid"
  assert_attack_failed
  kill -0 "$host_pid"
}

@test "mount, remount or unmount anything" {
  for a in "mount-tmpfs /tmp" "umount /usr" "umount /proc" pivot_root fsopen; do
    run nook run -- ./attack $a
    assert_attack_failed
  done
}

@test "create a device node" {
  run nook run -- ./attack mknod ./null
  assert_attack_failed
  [ ! -e null ]
}

@test "load or unload a kernel module" {
  for a in init_module "finit_module /etc/passwd" delete_module; do
    run nook run -- ./attack $a
    assert_attack_failed
    assert_output_has EPERM
  done
}

@test "use the kernel keyrings (keyctl, add_key)" {
  run nook run -- ./attack keyctl
  assert_attack_failed
  assert_output_has EPERM
  run nook run -- ./attack add_key
  assert_attack_failed
  # Control: without the policy the same call works.
  run nook run --seccomp unconfined -- ./attack keyctl
  assert_output_has succeeded
}

@test "bpf, perf, userfaultfd and handles that bypass path checks" {
  for a in bpf userfaultfd open_by_handle_at; do
    run nook run -- ./attack $a
    assert_attack_failed
    assert_output_has EPERM
  done
}

@test "push input into the caller's terminal with TIOCSTI (CVE-2017-5226)" {
  require "script(1) to give the test a terminal" command -v script
  # Control: without nook, the same process can push input into its terminal.
  if legacy_tiocsti; then
    run script -qec "./attack tiocsti 0" /dev/null
    assert_output_has succeeded
  fi
  case_tiocsti
}

@test "push input into the caller's terminal with TIOCSTI, under every shipped profile" {
  require "script(1) to give the test a terminal" command -v script
  under_every_profile case_tiocsti
}

@test "TIOCSTI and TIOCLINUX are refused even on the sandbox's own terminal" {
  # The command leads its process group, as a shell's job does: setsid -w
  # forks, so the attack can start a session of its own.
  run nook run -- setsid -w ./attack tiocsti-own-terminal
  assert_attack_failed
  assert_output_has EPERM
  run nook run -- ./attack tioclinux 0
  assert_attack_failed
  # Control: the policy-independent filter is what refuses it.
  if legacy_tiocsti; then
    run nook run --seccomp unconfined -- setsid -w ./attack tiocsti-own-terminal
    assert_output_has succeeded
  fi
}

@test "gain privileges through a setuid-root or file-capability binary" {
  require "newuidmap for --map-users auto" command -v newuidmap
  # --cap-add SYS_ADMIN lets root inside mount a tmpfs without nosuid, so
  # only no_new_privs stands between uid 1000 and the binaries' privileges.
  run nook run --map-users auto --cap-add SYS_ADMIN -- sh -c '
    mount -t tmpfs -o suid,exec none /tmp && cd /tmp &&
    cp /usr/bin/id suid-id && chmod 4755 suid-id &&
    cp /bin/cat fcap-cat && setcap cap_chown,cap_kill+ep fcap-cat &&
    setpriv --reuid 1000 --regid 1000 --clear-groups --inh-caps=-all sh -c "./suid-id; ./fcap-cat /proc/self/status"'
  assert_status 0
  assert_output_lacks "euid=0"
  assert_output_has "uid=1000"
  [[ "$output" == *"CapEff:	0000000000000000"* ]]
}

@test "bypass seccomp through the 32-bit x86 ABI (int \$0x80) and x32" {
  run nook run -- ./attack int80-keyctl
  assert_attack_failed
  run nook run -- ./attack int80-unshare-user
  assert_attack_failed
  run nook run -- ./attack int80-mount
  assert_attack_failed
  run nook run -- ./attack x32-keyctl
  assert_attack_failed
  # The filter answers for x32 itself, not the kernel (ENOSYS): EPERM where
  # the kernel runs x32 system calls; elsewhere x32 is left out of the filter
  # and its bad-architecture action kills the process (128 + SIGSYS).
  if [ "$(./attack x32-keyctl 2>&1)" = "failed: ENOSYS" ]; then
    [ "$status" -eq 159 ]
  else
    assert_output_has EPERM
  fi
  # Where the kernel runs 32-bit code, the 32-bit ABI is filtered, not just killed.
  if ./attack int80-write >/dev/null 2>&1; then
    run nook run -- ./attack int80-write
    assert_output_has succeeded
    run nook run -- ./attack int80-keyctl
    assert_output_has EPERM
  fi
}

@test "write /proc/sys, /proc/sysrq-trigger or /sys" {
  run nook run -- sh -c 'echo 1 >/proc/sys/vm/drop_caches'
  assert_attack_failed
  run nook run -- sh -c 'echo "|/tmp/x" >/proc/sys/kernel/core_pattern'
  assert_attack_failed
  run nook run -- sh -c 'echo b >/proc/sysrq-trigger'
  assert_attack_failed
  run nook run -- sh -c 'echo 1 >/sys/kernel/mm/ksm/run'
  assert_attack_failed
  [ "$(cat /proc/sys/kernel/core_pattern)" != "|/tmp/x" ]
}

@test "create a nested user namespace without --allow-nested" {
  for a in unshare-user clone-newuser clone3-newuser; do
    run nook run -- ./attack $a
    assert_attack_failed
  done
  run nook run -- unshare --user true
  assert_attack_failed
  # Control: --allow-nested permits exactly this.
  run nook run --allow-nested -- ./attack unshare-user
  assert_output_has succeeded
}

@test "connect to the host's abstract unix sockets from a private network namespace" {
  name="nook-escape-$$-$RANDOM"
  python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind('\0$name')
s.listen(8)
sys.stdout.close()
while True:
    s.accept()[0].close()
" &
  host_pid=$!
  wait_until 5 ./attack abstract-connect "$name"
  run nook run -- ./attack abstract-connect "$name"
  assert_attack_failed
  # Control: with the host's network namespace and without Landlock's
  # scoping (landlock.bats tests that wall), the socket is reachable.
  run nook run --share-net --landlock=off -- ./attack abstract-connect "$name"
  assert_output_has succeeded
}

@test "reach the host's abstract unix sockets or its loopback, under every shipped profile" {
  start_host_listeners
  case_network
  under_every_profile case_network
  # Control: with the host's network namespace (and without Landlock's
  # scoping of abstract sockets, landlock.bats) both are reachable.
  attack_run --share-net --landlock=off -- sh -c "$ATTACK abstract-connect $ABSTRACT; python3 -c 'import socket; socket.create_connection((\"127.0.0.1\", $PORT), 3); print(\"tcp succeeded\")'"
  assert_output_lacks failed
  assert_output_has "tcp succeeded"
}

@test "change the hostname of the host" {
  before=$(hostname)
  run nook run -- hostname evil-host
  run nook run --share-uts -- ./attack sethostname evil-host
  assert_attack_failed
  [ "$(hostname)" = "$before" ]
}

@test "personality flags that weaken the process's protections" {
  run nook run -- ./attack personality 0x400000 # READ_IMPLIES_EXEC
  assert_attack_failed
  assert_output_has EPERM
  run nook run -- ./attack personality 0x0040000 # ADDR_NO_RANDOMIZE
  assert_attack_failed
  assert_output_has EPERM
  # What programs use stays: the query and the 32-bit flavour.
  run nook run -- ./attack personality 0xffffffff
  assert_output_has succeeded
  run nook run -- ./attack personality 8
  assert_output_has succeeded
}

@test "push input with TIOCSTI through the terminal --tty gives" {
  # The sandbox's terminal is its own; the caller's is not open inside.
  run "$NOOK_TESTS/ptyrun" '' "$NOOK" run --tty -- sh -c './attack tiocsti 0; ./attack tiocsti-high-bits 1; ls -l /proc/self/fd/'
  assert_output_has "failed: EPERM"
  assert_output_lacks "succeeded"
}

@test "plant a weaker filter in nook's cache of compiled policies" {
  export XDG_RUNTIME_DIR="$BATS_TEST_TMPDIR/runtime"
  mkdir -m 700 -p "$XDG_RUNTIME_DIR"
  cache="$XDG_RUNTIME_DIR/nook/seccomp"
  printf '{"defaultAction":"SCMP_ACT_ALLOW"}' >"$WORK/allow-all.json"
  run nook run --seccomp "$WORK/allow-all.json" -- true
  run nook run -- true
  cp "$NOOK_TESTS/security/forge-cache-entries" "$cache/forge"
  cd "$cache"
  # No sandbox reaches the cache, not even one started in its directory...
  run nook run -- sh -c 'test -e forge && echo reached; pwd'
  assert_status 0
  assert_output_lacks reached
  # ...and what another process of the caller writes there is not trusted.
  run python3 ./forge
  assert_output_has "forged 1"
  cd "$WORK"
  # ...but what it wrote is not trusted: the default policy still holds.
  run nook run --verbose -- ./attack keyctl
  assert_output_lacks "from the cache"
  assert_output_has "failed: EPERM"
}

@test "read the secret that authenticates the cache, under a policy that allows keyctl" {
  run nook run --seccomp unconfined -- python3 -c '
import ctypes
libc = ctypes.CDLL(None, use_errno=True)
for ring in (-4, -3, -5):  # user, session, user-session keyrings
    print(libc.syscall(250, 10, ring, b"user", b"nook:seccomp-cache", 0))'
  assert_status 0
  [ "$(printf "%s\n" "$output" | sort -u)" = "-1" ]
}
