# Shared by the bats suites: load "$NOOK_TESTS/lib.sh" from a .bats file.
# NOOK is the nook binary under test; tests run as an unprivileged user.

: "${NOOK:?set NOOK to the nook binary (tests/run does)}"
bats_require_minimum_version 1.5.0

# Skips a test for a machine that truly lacks what it needs; CI skips
# nothing, so there a missing requirement fails the test instead.
require() { # DESCRIPTION COMMAND...
  local what=$1
  shift
  "$@" >/dev/null 2>&1 && return 0
  if [ -n "${CI:-}" ]; then
    echo "CI: requirement missing: $what" >&2
    return 1
  fi
  skip "$what"
}

# Runs nook and keeps status and output (bats' `run`), stdin closed.
nook() { "$NOOK" "$@" </dev/null; }

# Asserts for use after `run`.
assert_status() {
  if [ "$status" -ne "$1" ]; then
    echo "expected status $1, got $status; output:" >&2
    echo "$output" >&2
    return 1
  fi
}
assert_output_has() {
  if [[ "$output" != *"$1"* ]]; then
    echo "output lacks: $1" >&2
    echo "output was: $output" >&2
    return 1
  fi
}
assert_output_lacks() {
  if [[ "$output" == *"$1"* ]]; then
    echo "output should not contain: $1" >&2
    echo "output was: $output" >&2
    return 1
  fi
}
# One line on stderr naming the problem: nook's messages start with "nook: ".
assert_one_error_line() {
  local n
  n=$(printf '%s\n' "$output" | grep -c '^nook: ')
  if [ "$n" -ne 1 ]; then
    echo "expected exactly one 'nook:' line, got $n: $output" >&2
    return 1
  fi
}

# Processes of this user whose command line contains PATTERN.
count_procs() { pgrep -u "$(id -u)" -f "$1" | wc -l; }

# Waits up to SECONDS for COMMAND to succeed.
wait_until() { # SECONDS COMMAND...
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# Succeeds when COMMAND keeps succeeding for SECONDS (a decimal), checked
# every 50 ms: for a test that something does NOT happen, which has no
# condition to wait on, only a window to watch.
holds_for() { # SECONDS COMMAND...
  local n
  n=$(awk -v s="$1" 'BEGIN { print int(s * 20) + 1 }')
  shift
  while [ "$n" -gt 0 ]; do
    "$@" || return 1
    n=$((n - 1))
    [ "$n" -eq 0 ] || sleep 0.05
  done
}

# Waits up to 5 s for PID to run PROGRAM (its exec done), with builtins
# only: fast enough to act in the first milliseconds of PROGRAM's setup.
wait_exec() { # PID PROGRAM
  local arg0= deadline=$((SECONDS + 5))
  until [ "$arg0" = "$2" ]; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    read -r -d '' arg0 <"/proc/$1/cmdline" || true
  done
}

# A state directory of the test's own ($STATE): tests running in parallel,
# or other suites, never see each other's sandboxes.  Beside the working
# directory, not under it: nook does not bind a directory that holds its state.
use_private_state() {
  cd "$BATS_TEST_TMPDIR"
  export XDG_RUNTIME_DIR
  XDG_RUNTIME_DIR=$(mktemp -d "$BATS_RUN_TMPDIR/xdg.XXXXXX")
  STATE="$XDG_RUNTIME_DIR/nook"
}
# Removes every sandbox left in $STATE.
remove_private_state() {
  local d
  for d in "$STATE"/sandboxes/*; do
    [ -e "$d" ] && "$NOOK" rm -f "$(basename "$d")" >/dev/null 2>&1
  done
  true
}
# The current state of sandbox ID: its state.json, or a file entry's last
# line (docs/state.md).
# strace ARGS...: in the sanitized build LeakSanitizer, which stops the
# process with ptrace at its exit, cannot work under a tracer and fails the
# run; the traced nook runs without it (ASan and UBSan still check it).
traced() { ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" strace "$@"; }

state_json() {
  local e="$STATE/sandboxes/$1"
  if [ -d "$e" ]; then cat "$e/state.json"; else tail -n 1 "$e"; fi
}

# A port in 18100-18999 that nothing listens on (other suites run at the
# same time, so no fixed port).
pick_port() {
  local p
  for _ in $(seq 1 100); do
    p=$((18100 + RANDOM % 900))
    if ! ss -Htuln "sport = :$p" | grep -q .; then
      echo "$p"
      return 0
    fi
  done
  return 1
}
