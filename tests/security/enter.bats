#!/usr/bin/env bats
# The enter suite: attacks on the moment a process enters a running
# sandbox, as an unprivileged user.  `nook exec`, `nook run --pid
# container:NAME`, `nook-oci exec` and `nook-bwrap --userns --pidns` put a
# new process into a PID namespace where an attacker already runs
# (tests/security/enter.c, as the sandbox's root):
#
#   attack                                          what stops it
#   ----------------------------------------------  ----------------------------------------
#   open /proc/PID/fd/N, cwd or root of the         nook is non-dumpable before its first
#   entering process, climb `..` to the host's /    setns (src/lib/enter.h), so the child is
#   and read a host file                            born non-dumpable; nook's fds are closed
#                                                   for real before the filter
#   read the caller's environment from              non-dumpable: environ and mem need
#   /proc/PID/environ or /proc/PID/mem              ptrace access
#   PTRACE_SEIZE / PTRACE_ATTACH the entering       non-dumpable until the exec; the filter
#   process and skip its seccomp() calls            is loaded before it
#   a host directory the caller holds open (fd 7,   closed for real (close_range), not only
#   not close-on-exec) reaches the command          left to close-on-exec: the probe sees
#                                                   no fd above 2
#   --pid host: ptrace slirp4netns, which joins     refused: --pid host and slirp4netns in
#   the sandbox's user namespace and lives in the   one user namespace (src/lib/join.h);
#   host's network namespace                        pasta makes itself non-dumpable
#   with CAP_SYS_PTRACE and no Landlock: open      refused: fuse-overlayfs with
#   fuse-overlayfs's /proc/PID/fd/N (the layers'    CAP_SYS_PTRACE and no Landlock
#   host directories) and climb `..` to the host    (nook_root_plan_check_tracers); with
#                                                   Landlock the sandbox cannot trace it
#   keep /proc/PID/exe of nook-oci exec's holder   the holder runs a sealed memfd copy of
#   open; once it ended, write nook-init (a         nook-init (runc's answer), never the
#   user-writable install): CVE-2019-5736          file
#   PTRACE_TRACEME, then a signal: nook-init or     they detach (src/lib/tracee.h) and pass
#   nook exec took the stop for an exit (125)       the command's real status on
#
# Held at a fault point of the test build (nook-faults), the entering
# process waits as long as the attacker needs: scanned and seized once,
# deterministically, where the races may miss.
#
# `nook attach` only talks to the detached supervisor through a socket in
# the state directory: a scanner sees no process of it inside.
#
# The attacker is the strongest a sandbox may hold: root with
# CAP_SYS_PTRACE, without Landlock (--landlock off; nook-oci applies none).
# A weaker one is stopped before non-dumpable matters (the kernel refuses
# it a process with more capabilities, and Landlock a process outside its
# domain), and would not see the guard missing.  Each attack races nook
# many times.  Controls show that the attackers work: on the host against
# a dumpable process of their own, and inside against the sandbox's own
# dumpable processes.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/oci.bash"
load "$NOOK_TESTS/integration/bwrap.bash"
NOOK_OCI=${NOOK_OCI:-$(dirname "$NOOK")/nook-oci}

setup_file() {
  cc -O1 -o "$BATS_FILE_TMPDIR/enter" "$NOOK_TESTS/security/enter.c"
  # For an OCI container's busybox root, which has no C library.
  cc -O1 -static -o "$BATS_FILE_TMPDIR/enter-static" "$NOOK_TESTS/security/enter.c"
}

setup() {
  use_private_state
  mkdir -p work hostonly
  cp "$BATS_FILE_TMPDIR/enter" work/
  cd work
  # A host directory the sandbox does not have: reaching it means escaping.
  HOSTDIR="$BATS_TEST_TMPDIR/hostonly"
  SECRET="$HOSTDIR/secret"
  echo "host secret $RANDOM" >"$SECRET"
  MARKER="nook-enter-marker-$RANDOM$RANDOM"
  ROUNDS=${NOOK_ENTER_ROUNDS:-60}
  # The strongest attacker a sandbox may hold: its root with
  # CAP_SYS_PTRACE.  Without it, the kernel already refuses the sandbox
  # any process with more capabilities than its own (an entering process
  # holds them all until its security step), and nothing here would see
  # non-dumpable missing; with it, non-dumpable is the only guard.
  BOX_OPTIONS=(--cap-add SYS_PTRACE --landlock off)
}

teardown() {
  [ -z "${OCI_ROOT:-}" ] || oci_teardown
  remove_private_state
}

# nook run with the attacker's directory as /w, its working directory.
run_in_w() { "$NOOK" run --bind "$PWD" /w --chdir /w "$@" </dev/null; }

# The attacker ATTACK... in the detached sandbox `box` (with the run
# options in BOX_OPTIONS), watching /proc.
start_attacker() {
  run_in_w -d --name box "${BOX_OPTIONS[@]}" -- ./enter "$@" /w/stop >/dev/null
  wait_until 10 test -e ready
}

# Stops the attacker and prints its report.
stop_attacker() {
  touch stop
  "$NOOK" wait box >/dev/null
  "$NOOK" logs box
}

# The number after NAME= in the attacker's summary line.
count() { # NAME
  printf '%s\n' "$output" | sed -n "s/.* $1=\([0-9]*\).*/\1/p" | tail -1
}

# Every probe ran under the sandbox's filter, could not unshare, and was
# given no fd above 2 (the callers hold a host directory open on fd 7,
# not close-on-exec: only closing it for real keeps it out).
assert_probes_confined() { # FILE N [PATTERN]
  local n
  n=$(grep -c "^probe ${3:-seccomp=2 unshare=failed fds=none}\$" "$1")
  if [ "$n" -ne "$2" ] || [ "$(wc -l <"$1")" -ne "$2" ]; then
    echo "expected $2 confined probes, got $n of:" >&2
    sort "$1" | uniq -c >&2
    return 1
  fi
}

@test "control: the scanner reaches a host file through a dumpable process's fd, cwd or root" {
  run ./enter scan-control "$SECRET"
  assert_status 0
  assert_output_has "read the host's secret: host secret"
}

@test "control: the seizer makes a dumpable process skip the filter it loads" {
  run ./enter seize-control
  assert_status 0
  assert_output_has "probe seccomp=0"
  assert_output_has "skipped=1"
}

@test "an fd scanner inside never reaches a host directory, environment or memory through nook exec" {
  start_attacker scan "$SECRET" "$(rev <<<"$MARKER")"
  for _ in $(seq "$ROUNDS"); do
    NOOK_ENTER_MARKER=$MARKER "$NOOK" exec box -- sh -c './enter probe; true' </dev/null >>probes 7<"$HOSTDIR"
  done
  run stop_attacker
  assert_output_lacks BREACH
  assert_output_has "scan: "
  # It watched: it saw every exec, and reached the commands' own processes.
  [ "$(count pids)" -ge "$ROUNDS" ]
  [ "$(count reached-other)" -ge 1 ]
  assert_probes_confined probes "$ROUNDS"
}

@test "nook exec into a sandbox's own time namespace: the same order, no host directory reached" {
  BOX_OPTIONS+=(--time-offset monotonic=100000)
  start_attacker scan "$SECRET" "$(rev <<<"$MARKER")"
  for _ in $(seq "$ROUNDS"); do
    NOOK_ENTER_MARKER=$MARKER "$NOOK" exec box -- sh -c './enter probe; readlink /proc/self/ns/time >&2' \
      </dev/null >>probes 2>>timens
  done
  pid=$("$NOOK" inspect box | jq -r .pid)
  [ "$(sort -u timens)" = "$(readlink /proc/$pid/ns/time)" ]
  [ "$(sort -u timens)" != "$(readlink /proc/self/ns/time)" ]
  run stop_attacker
  assert_output_lacks BREACH
  [ "$(count pids)" -ge "$ROUNDS" ]
  [ "$(count reached-other)" -ge 1 ]
  assert_probes_confined probes "$ROUNDS"
}

@test "a ptrace seizer inside never attaches to nook exec before its exec, nor skips its filter" {
  start_attacker seize
  for _ in $(seq "$ROUNDS"); do
    "$NOOK" exec box -- sh -c './enter probe; true' </dev/null >>probes 7<"$HOSTDIR"
  done
  run stop_attacker
  assert_output_lacks BREACH
  [ "$(count pids)" -ge "$ROUNDS" ]
  [ "$(count attached-other)" -ge 1 ]
  [ "$(count skipped)" -eq 0 ]
  assert_probes_confined probes "$ROUNDS"
}

@test "an fd scanner never reaches a host directory through a nook run that joins its PID namespace" {
  start_attacker scan "$SECRET" "$(rev <<<"$MARKER")"
  for _ in $(seq "$((ROUNDS / 2))"); do
    NOOK_ENTER_MARKER=$MARKER run_in_w --pid container:box -- sh -c './enter probe; true' >>probes 7<"$HOSTDIR"
  done
  run stop_attacker
  assert_output_lacks BREACH
  [ "$(count pids)" -ge "$((ROUNDS / 2))" ]
  [ "$(count reached-other)" -ge 1 ]
  assert_probes_confined probes "$((ROUNDS / 2))"
}

@test "a ptrace seizer never skips the filter of a nook run that joins its PID namespace" {
  start_attacker seize
  for _ in $(seq "$((ROUNDS / 2))"); do
    run_in_w --pid container:box -- sh -c './enter probe; true' >>probes 7<"$HOSTDIR"
  done
  run stop_attacker
  assert_output_lacks BREACH
  [ "$(count pids)" -ge "$((ROUNDS / 2))" ]
  [ "$(count attached-other)" -ge 1 ]
  [ "$(count skipped)" -eq 0 ]
  assert_probes_confined probes "$((ROUNDS / 2))"
}

@test "nook-init passes on the real status of a command that made it its tracer, or was stopped" {
  run run_in_w -- ./enter traceme-signal
  assert_status 7
  run run_in_w -- ./enter traceme-stop
  assert_status 7
  run run_in_w -- ./enter traceme-exec sh -c 'exit 5'
  assert_status 5
  run run_in_w -- ./enter stop-cont
  assert_status 6
  run timeout -k 5 30 "$NOOK" run --bind "$PWD" /w --chdir /w -- ./enter tstp-cont
  assert_status 6
  # A grandchild orphaned to nook-init makes it its tracer: its stops are
  # neither the command's end nor left stopped.
  run timeout -k 5 30 "$NOOK" run --bind "$PWD" /w --chdir /w -- ./enter orphan-traceme
  assert_status 8
}

@test "nook exec passes on the real status of a command that made it its tracer, or was stopped" {
  run_in_w -d --name box -- sleep 1000 >/dev/null
  run timeout -k 5 20 "$NOOK" exec box -- ./enter traceme-signal
  assert_status 7
  run timeout -k 5 20 "$NOOK" exec box -- ./enter traceme-stop
  assert_status 7
  run timeout -k 5 20 "$NOOK" exec box -- ./enter traceme-exec sh -c 'exit 5'
  assert_status 5
  run timeout -k 5 20 "$NOOK" exec box -- ./enter stop-cont
  assert_status 6
  run timeout -k 5 20 "$NOOK" exec box -- ./enter tstp-cont
  assert_status 6
  run timeout -k 5 30 "$NOOK" exec box -- ./enter orphan-traceme
  assert_status 8
}

# The network helper's processes visible from inside: those whose
# network namespace link a process inside can read (ptrace read access).
reachable_helpers() { # NOOK-RUN-OPTIONS...
  "$NOOK" run --pid host --landlock off "$@" -- sh -c '
    for c in /proc/[0-9]*/comm; do
      case "$(cat "$c" 2>/dev/null)" in slirp4netns | pasta* | passt*)
        readlink "${c%comm}ns/net" 2>/dev/null ;;
      esac
    done; echo scanned' </dev/null
}

@test "a sandbox that sees the host's processes never reaches slirp4netns, which runs in its user namespace" {
  require "slirp4netns is installed" command -v slirp4netns
  # slirp4netns joins the sandbox's user namespace and stays dumpable: a
  # process inside that sees it (--pid host) could trace it, and through
  # it use the host's network namespace (its loopback, its abstract
  # sockets).  nook refuses the combination.
  run reachable_helpers --net slirp4netns
  assert_status 125
  assert_output_has "--pid host"
  assert_output_lacks "$(readlink /proc/self/ns/net)"
  [ "$(printf '%s\n' "$output" | wc -l)" -eq 1 ]
  # Joined: a sandbox that sees the host's processes in the user namespace
  # of one with slirp4netns, and the other way round.
  "$NOOK" run -d --name slirpbox --net slirp4netns --landlock off -- sleep 1000 </dev/null >/dev/null
  run reachable_helpers --ipc container:slirpbox
  assert_status 125
  assert_output_lacks "$(readlink /proc/self/ns/net)"
  "$NOOK" run -d --name hostpids --pid host --landlock off -- sleep 1000 </dev/null >/dev/null
  run "$NOOK" run --ipc container:hostpids --net slirp4netns -- true </dev/null
  assert_status 125
}

@test "a sandbox that sees the host's processes never reaches pasta: it is not dumpable" {
  require "pasta is installed" command -v pasta
  run reachable_helpers --net pasta
  assert_status 0
  [ "${lines[-1]}" = scanned ]
  assert_output_lacks "$(readlink /proc/self/ns/net)"
}

# An OCI container `box` (nook-oci run -d) whose process is the attacker
# ATTACK..., as root with CAP_SYS_PTRACE (nook-oci applies no Landlock),
# in /out, the bundle's `out` directory.
start_oci_attacker() {
  OCI_ROOT="$XDG_RUNTIME_DIR/oci-root"
  BUNDLE="$BATS_TEST_TMPDIR/bundle"
  CTR_LOG="$BATS_TEST_TMPDIR/container.log"
  make_bundle "$BUNDLE"
  cp "$BATS_FILE_TMPDIR/enter-static" "$BUNDLE/out/enter"
  set_config "$BUNDLE" '.process.cwd = "/out" | .process.capabilities |= with_entries(.value += ["CAP_SYS_PTRACE"])'
  set_args "$BUNDLE" /out/enter "$@" /out/stop
  ocid run -d --bundle "$BUNDLE" box
  wait_until 10 test -e "$BUNDLE/out/ready"
}

stop_oci_attacker() {
  touch "$BUNDLE/out/stop"
  wait_until 20 status_is box stopped
  cat "$CTR_LOG"
}

@test "an fd scanner in an OCI container never reaches a host directory, environment or memory through nook-oci exec" {
  start_oci_attacker scan "$SECRET" "$(rev <<<"$MARKER")"
  for _ in $(seq "$ROUNDS"); do
    NOOK_ENTER_MARKER=$MARKER oci exec box /out/enter probe >>probes 7<"$HOSTDIR"
  done
  run stop_oci_attacker
  assert_output_lacks BREACH
  [ "$(count pids)" -ge "$ROUNDS" ]
  [ "$(count reached-other)" -ge 1 ]
  assert_probes_confined probes "$ROUNDS"
}

@test "a ptrace seizer in an OCI container never attaches to nook-oci exec before its exec, nor skips its filter" {
  start_oci_attacker seize
  for _ in $(seq "$ROUNDS"); do
    oci exec box /out/enter probe >>probes 7<"$HOSTDIR"
  done
  run stop_oci_attacker
  assert_output_lacks BREACH
  [ "$(count pids)" -ge "$ROUNDS" ]
  [ "$(count attached-other)" -ge 1 ]
  [ "$(count skipped)" -eq 0 ]
  assert_probes_confined probes "$ROUNDS"
}

# nook-bwrap joining the attacker's sandbox by its namespaces' fds, as
# flatpak's subsandboxes do; the host's root read-only but for /tmp,
# where the secret is.  Its command gets what bubblewrap gives one, which
# the sandbox may then see: the caller's environment (cleared here) and
# inherited fds (none here), and no filter of its own.  The entering
# nook-bwrap must show nothing.
bwrap_join_box() {
  local pid
  pid=$("$NOOK" inspect box | jq -r .pid)
  NOOK_ENTER_MARKER=$MARKER "$BWRAP" --userns 5 --pidns 6 --uid 0 --gid 0 --ro-bind / / --tmpfs /tmp \
    --bind "$PWD" /tmp/w --chdir /tmp/w --clearenv ./enter probe 5<"/proc/$pid/ns/user" 6<"/proc/$pid/ns/pid" \
    </dev/null
}

@test "an fd scanner never reaches a host directory through nook-bwrap --userns --pidns" {
  start_attacker scan "$SECRET" "$(rev <<<"$MARKER")"
  for _ in $(seq "$((ROUNDS / 2))"); do
    bwrap_join_box >>probes
  done
  run stop_attacker
  assert_output_lacks BREACH
  # Its short-lived processes may come and go between two of the
  # watcher's passes: it saw most, and the entering ones among them.
  [ "$(count pids)" -ge "$((ROUNDS / 4))" ]
  [ "$(count nook)" -ge 1 ]
  [ "$(count reached-other)" -ge 1 ]
  assert_probes_confined probes "$((ROUNDS / 2))" "seccomp=0 unshare=[a-z]* fds=[0-9a-z,]*"
}

@test "a ptrace seizer never attaches to nook-bwrap --userns --pidns before its exec" {
  start_attacker seize
  for _ in $(seq "$((ROUNDS / 2))"); do
    bwrap_join_box >>probes
  done
  run stop_attacker
  assert_output_lacks BREACH
  [ "$(count pids)" -ge "$((ROUNDS / 4))" ]
  [ "$(count nook)" -ge 1 ]
  [ "$(count attached-other)" -ge 1 ]
  assert_probes_confined probes "$((ROUNDS / 2))" "seccomp=0 unshare=[a-z]* fds=[0-9a-z,]*"
}

@test "nook attach enters nothing: a scanner in a -d -t sandbox sees no process of nook's while clients attach" {
  BOX_OPTIONS+=(-t)
  start_attacker scan "$SECRET" "$(rev <<<"$MARKER")"
  for _ in 1 2 3 4 5; do
    # attach relays until the sandbox ends or its client is stopped.
    NOOK_ENTER_MARKER=$MARKER timeout 1 "$NOOK" attach box </dev/null >/dev/null 7<"$HOSTDIR" || true
  done
  run stop_attacker
  assert_output_has "scan: "
  assert_output_lacks BREACH
  [ "$(count nook)" -eq 0 ]
}

# The test build nook-faults (src/lib/fault.h) held at POINT with
# NOOK-ARGS...; stderr (where a process past its setns reports) goes to
# the report too.  Sets FAULTY_PID to the nook the report names.
hold_at() { # POINT NOOK-ARGS...
  local point=$1
  shift
  report="$BATS_TEST_TMPDIR/report"
  : >"$report"
  NOOK_ENTER_MARKER=$MARKER NOOK_FAULT="$point" NOOK_FAULT_FILE="$report" "$FAULTY" "$@" \
    </dev/null >/dev/null 2>>"$report" 7<"$HOSTDIR" &
  wait_until 10 grep -q "^fault point: $point pid " "$report"
  FAULTY_PID=$(sed -n "s/^fault point: $point pid \([0-9]*\)$/\1/p" "$report" | head -1)
}

# The attacker, run once inside while a runtime is held.
attack_held() {
  "$NOOK" exec box -- ./enter parked "$SECRET" "$(rev <<<"$MARKER")" </dev/null
}

@test "held before its filter, the process nook exec or a joining run puts inside is out of reach" {
  FAULTY="$(dirname "$NOOK")/nook-faults"
  require "the test build nook-faults beside nook (make check builds it)" test -x "$FAULTY"
  run_in_w -d --name box "${BOX_OPTIONS[@]}" -- sleep 1000 >/dev/null
  # Deterministic, where the races above are not: the entering process
  # waits, with all the capabilities of the sandbox's user namespace and
  # no filter yet, for as long as the attacker needs.
  for point in "exec: security" "exec: clone"; do
    hold_at "$point" exec box -- true
    run attack_held
    kill -9 "$FAULTY_PID"
    assert_output_lacks BREACH
    [ "$point" = "exec: clone" ] || [[ "$output" == *"parked: found="[1-9]* ]]
  done
  # A joining run's setup child holds host directories (its root's
  # sources) until its root is built.
  for point in "sandbox: root" "sandbox: security"; do
    hold_at "$point" run --bind "$PWD" /w --pid container:box -- true
    run attack_held
    kill -9 "$FAULTY_PID"
    assert_output_lacks BREACH
    [[ "$output" == *"parked: found="[1-9]* ]]
  done
}

@test "a sandbox with CAP_SYS_PTRACE and no Landlock never reaches fuse-overlayfs, which holds host directories" {
  require "fuse-overlayfs and /dev/fuse" sh -c 'command -v fuse-overlayfs && test -w /dev/fuse'
  mkdir -p "$BATS_TEST_TMPDIR/layer"
  echo layer >"$BATS_TEST_TMPDIR/layer/f"
  # fuse-overlayfs runs in the sandbox's PID and user namespaces with the
  # layers' host directories open (and the mount namespace from before
  # the pivot): a process inside that may trace it climbs `..` from
  # /proc/PID/fd/N to the host.  Landlock keeps the sandbox off it;
  # without Landlock, nook refuses to give the sandbox CAP_SYS_PTRACE.
  for opts in "--cap-add ALL" "--cap-add SYS_PTRACE --landlock off"; do
    # shellcheck disable=SC2086
    run "$NOOK" run --overlay fuse --layer "$BATS_TEST_TMPDIR/layer" --layers-at /l $opts -- sh -c '
      for p in /proc/[0-9]*; do
        [ "$(cat $p/comm 2>/dev/null)" = fuse-overlayfs ] || continue
        for f in $p/fd/* $p/root $p/cwd; do
          [ -d "$f" ] && cat "$f/../hostonly/secret" "$f/'"${SECRET#/}"'" 2>/dev/null
        done
      done; echo scanned' </dev/null
    assert_output_lacks "host secret"
    assert_status 125
    assert_output_has "fuse-overlayfs"
    assert_one_error_line
  done
  # Joined: a command that may trace, in the user and PID namespaces of
  # a sandbox with fuse-overlayfs, and the other way round.
  run_in_w -d --name fusebox --overlay fuse --layer "$BATS_TEST_TMPDIR/layer" --layers-at /l -- sleep 1000 >/dev/null
  wait_until 10 pgrep -u "$(id -u)" -x fuse-overlayfs
  run run_in_w --pid container:fusebox --cap-add SYS_PTRACE --landlock off -- sh -c '
    for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = fuse-overlayfs ] && cat $p/fd/3/../hostonly/secret; done; true'
  assert_output_lacks "host secret"
  assert_status 125
  assert_output_has "fuse-overlayfs"
  run_in_w -d --name tracer --cap-add SYS_PTRACE --landlock off -- sleep 1000 >/dev/null
  run run_in_w --pid container:tracer --overlay fuse --layer "$BATS_TEST_TMPDIR/layer" --layers-at /l -- true
  assert_status 125
  assert_output_has "fuse-overlayfs"
  # With Landlock, CAP_SYS_PTRACE is no way in: the layers run.
  run "$NOOK" run --overlay fuse --layer "$BATS_TEST_TMPDIR/layer" --layers-at /l --cap-add SYS_PTRACE -- \
    sh -c 'cat /l/f; for p in /proc/[0-9]*; do ls $p/fd/ >/dev/null; readlink $p/fd/3; done; echo scanned' </dev/null
  assert_status 0
  assert_output_has layer
  assert_output_lacks "$BATS_TEST_TMPDIR"
}

@test "a container never rewrites nook-init through the exe of nook-oci exec's holder (CVE-2019-5736)" {
  # nook installed where its user may write it (a home's bin): a process
  # inside keeps /proc/PID/exe of the exec's holder open, and once the
  # holder ended, reopens it for writing.  The holder runs a sealed copy
  # of nook-init, never the file.
  mkdir "$BATS_TEST_TMPDIR/bin"
  cp "$NOOK" "$(dirname "$NOOK")/nook-init" "$NOOK_OCI" "$BATS_TEST_TMPDIR/bin/"
  sum=$(md5sum <"$BATS_TEST_TMPDIR/bin/nook-init")
  NOOK_OCI="$BATS_TEST_TMPDIR/bin/nook-oci"
  OCI_ROOT="$XDG_RUNTIME_DIR/oci-root"
  BUNDLE="$BATS_TEST_TMPDIR/bundle"
  CTR_LOG="$BATS_TEST_TMPDIR/container.log"
  make_bundle "$BUNDLE"
  set_config "$BUNDLE" '.process.env = ["PATH=/bin"]'
  set_args "$BUNDLE" sh -c '
    while :; do for c in /proc/[0-9]*/comm; do
      p=${c%/comm}
      case "$(cat "$c" 2>/dev/null)" in *nook-init) exec 3<"$p/exe" && break 2 ;; esac
    done; done
    echo got-exe > /out/got
    while [ -e "$p" ]; do :; done
    echo PWNED >>/proc/self/fd/3 && echo WROTE > /out/wrote
    echo done > /out/done; sleep 1000'
  ocid run -d --bundle "$BUNDLE" box
  oci exec box sleep 0.5
  wait_until 10 test -e "$BUNDLE/out/done"
  [ -e "$BUNDLE/out/got" ]
  [ ! -e "$BUNDLE/out/wrote" ]
  [ "$(md5sum <"$BATS_TEST_TMPDIR/bin/nook-init")" = "$sum" ]
}
