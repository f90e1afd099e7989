#!/usr/bin/env bats
# nook-bwrap: --args, the reports on --info-fd and --json-status-fd, the
# fds a caller waits or holds on, locks, and the sandbox's life.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/bwrap.bash"

setup() { cd "$BATS_TEST_TMPDIR"; }
# A test that fails half-way leaves no sandbox waiting on a fifo: nook-bwrap
# killed, its sandbox dies with it.
teardown() {
  local p
  for p in $(jobs -p); do kill -KILL "$p" 2>/dev/null; done
  true
}

@test "bwrap: --args reads NUL-separated options from fds, several of them" {
  printf -- '--dir\0/tmp/a\0' > a1
  printf -- '--dir\0/tmp/b\0--setenv\0X\0from-args\0' > a2
  run "$BWRAP" --ro-bind / / --tmpfs /tmp --args 5 --args 6 sh -c 'test -d /tmp/a && test -d /tmp/b && echo $X' 5<a1 6<a2
  assert_status 0
  [ "$output" = from-args ]
  printf '%s\0' --args 5 > nested
  run "$BWRAP" --args 5 true 5<nested
  [ "$output" = "bwrap: --args not supported in arguments file" ]
}

@test "bwrap: --info-fd gets the child's pid and namespace ids, --json-status-fd its exit code too" {
  run "$BWRAP" --ro-bind / / --unshare-all --proc /proc --info-fd 5 --json-status-fd 6 \
    sh -c 'stat -L -c "%n %i" /proc/self/ns/net /proc/self/ns/pid; exit 42' 5>info 6>status
  assert_status 42
  net=$(echo "$output" | awk '/net/{print $2}')
  pid=$(echo "$output" | awk '/pid/{print $2}')
  grep -q '^    "child-pid": [0-9]*,$' info
  grep -q "\"net-namespace\": $net" info && grep -q "\"pid-namespace\": $pid" info
  [ "$(tail -1 info)" = "}" ]
  [ "$(wc -l < status)" = 2 ]
  grep -q "^{ \"child-pid\": [0-9]*, .*\"net-namespace\": $net.* }$" status
  [ "$(tail -1 status)" = '{ "exit-code": 42 }' ]
}

@test "bwrap: a command that cannot be executed has no exit code in the status" {
  run "$BWRAP" --ro-bind / / --json-status-fd 6 / 6>status
  assert_status 1
  grep -q '"child-pid"' status
  run ! grep -q exit-code status
}

@test "bwrap: --block-fd holds the command until the caller writes" {
  mkfifo block
  "$BWRAP" --ro-bind / / --bind "$PWD" "$PWD" --block-fd 5 touch ran 5<block </dev/null &
  exec 7>block
  holds_for 0.3 test ! -e ran
  echo go >&7
  exec 7>&-
  wait_until 5 test -e ran
  wait
}

@test "bwrap: --userns-block-fd holds the sandbox after --info-fd is written" {
  mkfifo block
  "$BWRAP" --ro-bind / / --bind "$PWD" "$PWD" --info-fd 3 --userns-block-fd 5 touch ran 3>info 5<block </dev/null &
  exec 7>block
  wait_until 5 grep -q child-pid info
  [ ! -e ran ]
  echo go >&7
  exec 7>&-
  wait_until 5 test -e ran
  wait
  run bw --ro-bind / / --userns-block-fd 5 true
  [ "$output" = "bwrap: --userns-block-fd requires --info-fd" ]
}

@test "bwrap: the caller's fds reach the command, as bubblewrap passes them; those options consume do not" {
  echo seccomp-data-is-not-read-here > plain
  run "$BWRAP" --ro-bind / / --proc /proc --tmpfs /tmp --sync-fd 5 --info-fd 7 --file 8 /tmp/f --block-fd 9 \
    sh -c 'for fd in 5 6 7 8 9; do test -e /proc/self/fd/$fd && printf "%s " $fd; done; cat <&6' \
    5>/dev/null 6<plain 7>/dev/null 8<plain 9</dev/null
  assert_status 0
  # 5 (--sync-fd) and 6 (nobody's option) are there; 7, 8, 9 were the options'.
  [ "$output" = "5 6 seccomp-data-is-not-read-here" ]
}

# Whether a write lock on FILE can be taken now (fcntl, as bubblewrap's tests check).
try_lock() { python3 -c 'import fcntl,sys; fcntl.lockf(open(sys.argv[1],"a"), fcntl.LOCK_EX|fcntl.LOCK_NB)' "$1" 2>/dev/null; }

@test "bwrap: --lock-file holds a read lock while the command runs" {
  touch lock
  "$BWRAP" --ro-bind / / --bind "$PWD" "$PWD" --lock-file "$PWD/lock" sh -c 'touch started; sleep 60' </dev/null &
  pid=$!
  wait_until 5 test -e started
  run ! try_lock lock
  kill $pid
  wait $pid || true
  wait_until 5 try_lock lock
}

@test "bwrap: signals reach the command; SIGKILL of nook-bwrap leaves nothing behind" {
  "$BWRAP" --ro-bind / / --bind "$PWD" "$PWD" sh -c "trap 'echo got-term > got; exit 7' TERM; touch ready; while :; do sleep 0.05; done" </dev/null &
  pid=$!
  wait_until 5 test -e ready
  kill -TERM $pid
  status=0
  wait $pid || status=$?
  assert_status 7
  [ "$(cat got)" = got-term ]
  "$BWRAP" --ro-bind / / --unshare-pid sleep 4242 </dev/null &
  pid=$!
  wait_until 5 pgrep -u "$(id -u)" -f '^sleep 4242$'
  kill -KILL $pid
  wait_until 5 sh -c "! pgrep -u $(id -u) -f '^sleep 4242$'"
}

@test "bwrap: --die-with-parent ends the sandbox with the caller" {
  sh -c "\"$BWRAP\" --ro-bind / / --die-with-parent sleep 4343 </dev/null & echo \$\$ > shpid; wait" &
  wait_until 5 pgrep -u "$(id -u)" -f '^sleep 4343$'
  kill -KILL "$(cat shpid)"
  wait_until 5 sh -c "! pgrep -u $(id -u) -f '^sleep 4343$'"
}
