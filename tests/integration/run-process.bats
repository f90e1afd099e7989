#!/usr/bin/env bats
# nook run: signals, reaping, exit status, and nothing left behind.

load "$NOOK_TESTS/lib.sh"

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "SIGTERM to nook ends the command with 143" {
  "$NOOK" run -- sleep 60 </dev/null &
  pid=$!
  wait_until 5 pgrep -u "$(id -u)" -f '^sleep 60$' >/dev/null
  kill -TERM $pid
  status=0
  wait $pid || status=$?
  assert_status 143
}

@test "signals reach the command itself (its handler runs)" {
  for sig in TERM INT HUP USR1 USR2 QUIT; do
    # A background job of a non-interactive shell starts with SIGINT and
    # SIGQUIT ignored; start nook with default dispositions, as a terminal does.
    python3 -c 'import os, signal, sys
for s in (signal.SIGINT, signal.SIGQUIT): signal.signal(s, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$NOOK" run -- sh -c "trap 'echo got-$sig; exit 7' $sig; echo ready-$sig; while :; do sleep 0.05; done" \
      >"$BATS_TEST_TMPDIR/out" </dev/null &
    pid=$!
    # ready-SIG: the file may still hold the last round's output until the
    # new job opens it.
    wait_until 5 grep -q "ready-$sig" "$BATS_TEST_TMPDIR/out"
    kill -$sig $pid
    # A lost signal fails the test instead of hanging it.
    wait_until 10 grep -q "got-$sig" "$BATS_TEST_TMPDIR/out" || { kill -KILL $pid; false; }
    status=0
    wait $pid || status=$?
    assert_status 7
  done
}

@test "a signal sent during setup is not lost" {
  "$NOOK" run -- sleep 30 </dev/null &
  pid=$!
  # Signal nook the moment it has been exec'd (builtins only: setup takes
  # a few milliseconds), not the shell that forks it.
  wait_exec $pid "$NOOK"
  kill -TERM $pid
  status=0
  wait $pid || status=$?
  assert_status 143
  run ! pgrep -u "$(id -u)" -f '^sleep 30$'
}

@test "orphaned processes are reaped: no zombies" {
  # An orphan (reparented to nook-init) and a child of the shell both end;
  # then, within 10 s, no sleep is left, not even a zombie.
  run nook run -- sh -c '(sh -c "sleep 0.1 &" ); sleep 0.1 & i=0
    while ps -e -o comm= | grep -qx sleep && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
    ps -e -o stat= | grep -c Z || true'
  assert_status 0
  [ "${lines[-1]}" = 0 ]
}

@test "processes left behind by the command are killed when it ends" {
  # The command ends once its background sleep runs (its exec done).
  run nook run -- sh -c 'sleep 77 & i=0
    until [ "$(cat /proc/$!/comm)" = sleep ] || [ $i -ge 200 ]; do sleep 0.05; i=$((i + 1)); done; echo started'
  assert_output_has started
  assert_status 0
  run ! pgrep -u "$(id -u)" -f '^sleep 77$'
}

@test "nook SIGKILLed: the sandbox's processes are gone within a second" {
  "$NOOK" run -- sh -c 'sleep 91 & sleep 92' </dev/null &
  pid=$!
  wait_until 5 pgrep -u "$(id -u)" -f '^sleep 92$' >/dev/null
  kill -KILL $pid
  wait_until 1 sh -c "! pgrep -u $(id -u) -f '^sleep 9[12]$' >/dev/null"
}

@test "nook SIGKILLed during --map-users auto setup leaves nothing" {
  "$NOOK" run --map-users auto -- sleep 93 </dev/null &
  pid=$!
  wait_exec $pid "$NOOK"
  kill -KILL $pid
  wait $pid || true
  wait_until 1 sh -c "! pgrep -u $(id -u) -f '^sleep 93$' >/dev/null"
}

@test "stdin, stdout and stderr pass through" {
  run sh -c "echo piped | '$NOOK' run -- sh -c 'cat; echo err >&2'"
  assert_status 0
  assert_output_has piped
  assert_output_has err
}

@test "a command file without a #! line runs through /bin/sh, by path and on PATH" {
  mkdir bin
  printf 'echo "ran $0 with $*"\n' >bin/plain
  chmod 755 bin/plain
  run nook run -- ./bin/plain a b
  assert_status 0
  assert_output_has "ran ./bin/plain with a b"
  run nook run --env PATH="$PWD/bin:/usr/bin:/bin" -- plain c
  assert_status 0
  assert_output_has "ran $PWD/bin/plain with c"
}

@test "--verbose prints each setup step with its time" {
  run nook run --verbose -- true
  assert_status 0
  assert_output_has "ms] id maps done"
  assert_output_has "ms] sandbox: root done"
  assert_output_has "ms] command started"
}

@test "the sandbox runs in a session of its own, without the caller's terminal" {
  run nook run -- sh -c 'ps -o sid= -p $$; ps -o tty= -p $$'
  assert_status 0
  [ "$(echo ${lines[0]})" = 1 ]
  [ "$(echo ${lines[1]})" = "?" ]
}

@test "nook-init outside a PID namespace of its own kills only its own children" {
  sleep 57 &
  bystander=$!
  run "$(dirname "$NOOK")/nook-init" -- sh -c 'sleep 58 & echo started'
  alive=0
  kill -0 $bystander && alive=1
  kill $bystander
  assert_status 0
  [ "$alive" = 1 ]
  run ! pgrep -u "$(id -u)" -f '^sleep 58$'
}
