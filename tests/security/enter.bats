#!/usr/bin/env bats
# The enter suite: attacks on the moment a process enters a running
# sandbox, as an unprivileged user.  `nook exec` and `nook run --pid
# container:NAME` put a new process into a PID namespace where an attacker
# already runs (tests/security/enter.c, as the sandbox's root):
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
#   PTRACE_TRACEME, then a signal: nook-init or     they detach (src/lib/tracee.h) and pass
#   nook exec took the stop for an exit (125)       the command's real status on
#
# Each attack races nook many times.  Controls show that the attackers
# work: on the host against a dumpable process of their own, and inside
# against the sandbox's own dumpable processes.

load "$NOOK_TESTS/lib.sh"

setup_file() {
  cc -O1 -o "$BATS_FILE_TMPDIR/enter" "$NOOK_TESTS/security/enter.c"
}

setup() {
  use_private_state
  mkdir -p work hostonly
  cp "$BATS_FILE_TMPDIR/enter" work/
  cd work
  # A host directory the sandbox does not have: reaching it means escaping.
  SECRET="$BATS_TEST_TMPDIR/hostonly/secret"
  echo "host secret $RANDOM" >"$SECRET"
  MARKER="nook-enter-marker-$RANDOM$RANDOM"
  ROUNDS=${NOOK_ENTER_ROUNDS:-60}
  BOX_OPTIONS=()
}

teardown() { remove_private_state; }

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

# Every probe ran under the sandbox's filter and could not unshare.
assert_probes_confined() { # FILE N
  local n
  n=$(grep -c '^probe seccomp=2 unshare=failed$' "$1")
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
    NOOK_ENTER_MARKER=$MARKER "$NOOK" exec box -- sh -c './enter probe; true' </dev/null >>probes
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
  BOX_OPTIONS=(--time-offset monotonic=100000)
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
    "$NOOK" exec box -- sh -c './enter probe; true' </dev/null >>probes
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
    NOOK_ENTER_MARKER=$MARKER run_in_w --pid container:box -- sh -c './enter probe; true' >>probes
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
    run_in_w --pid container:box -- sh -c './enter probe; true' >>probes
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
