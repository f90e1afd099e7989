#!/usr/bin/env bats
# nook killed with SIGKILL at each of its fault points leaves nothing behind.
#
# The test build nook-faults (src/lib/fault.h; `make check` builds it and
# tests/run stages it beside nook) reports its fault points with
# NOOK_FAULT=list and blocks at the one NOOK_FAULT names.  For every point a
# scenario passes (every parent step, every sandbox step, each state write,
# the network and overlay helpers' start, the detached supervisor, nook
# exec), the test starts nook there, waits for it to report the point,
# kills the nook process the report names with SIGKILL, and then finds no
# process of the sandbox (its command, nook-init, slirp4netns, pasta,
# fuse-overlayfs, the killed nook), nothing new in the runtime directory,
# and a clean `nook ps -a`.  A leftover fails the test naming the point.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"

setup() {
  # Set first: teardown's pkill with an empty marker would kill every
  # process of the user, bats too.
  marker="nook-fault-$BATS_ROOT_PID-$BATS_SUITE_TEST_NUMBER"
  report="$BATS_TEST_TMPDIR/report"
  FAULTY="$(dirname "$NOOK")/nook-faults"
  require "the test build nook-faults beside nook (make check builds it)" test -x "$FAULTY"
  use_private_state
}

teardown() {
  [ -z "${marker:-}" ] || pkill -9 -u "$(id -u)" -f "$marker" 2>/dev/null || true
  remove_private_state
}

# What is in the runtime directory besides what nook keeps on purpose
# (the seccomp cache, the overlay probe, the secret and the store's lock).
runtime_files() {
  (cd "$XDG_RUNTIME_DIR" && find . -mindepth 1 \
    -not -path './nook/seccomp*' -not -name overlay-kernel -not -name secret -not -name lock \
    -not -path './nook/sandboxes' -not -path './nook/names' -not -path './nook' 2>/dev/null | sort)
}

# Processes this test may have left: those whose command line or
# environment names the marker or this test's runtime directory (nook and
# the helpers it starts inherit XDG_RUNTIME_DIR; the command and nook-init
# carry the marker).  Other tests of the same user run at the same time.
leftovers() { # [marked]: only those with the marker
  local p cmd
  for p in $(pgrep -u "$(id -u)"); do
    [ "$p" != $$ ] && [ "$p" != "$BASHPID" ] || continue
    cmd=$(tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline") || continue
    if [[ "$cmd" == *"$marker"* ]] ||
      { [ -z "${1:-}" ] && tr '\0' '\n' 2>/dev/null <"/proc/$p/environ" | grep -qx "XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"; }; then
      echo "$p $cmd"
    fi
  done
}
no_leftovers() { [ -z "$(leftovers)" ]; }
# Only those with the marker: a running sandbox of the test's own stays.
no_marked() { [ -z "$(leftovers marked)" ]; }
has_marked() { leftovers marked | grep -q "sleep 1000"; }

# The points a scenario passes: its run with NOOK_FAULT=list.
points() { # NOOK-ARGS...
  : >"$report"
  NOOK_FAULT=list NOOK_FAULT_FILE="$report" "$FAULTY" "$@" >/dev/null 2>>"$report" </dev/null || true
  wait_until 10 no_leftovers
  sed -n 's/^fault point: \(.*\) pid [0-9]*$/\1/p' "$report" | awk '!seen[$0]++'
}

# Runs `nook-faults NOOK-ARGS...` stopped at POINT, kills the nook the
# report names, and checks that nothing is left.
kill_at() { # POINT NOOK-ARGS...
  local point=$1 before pid
  shift
  before=$(runtime_files)
  : >"$report"
  NOOK_FAULT="$point" NOOK_FAULT_FILE="$report" "$FAULTY" "$@" >/dev/null 2>>"$report" </dev/null &
  local caller=$!
  if ! wait_until 10 grep -q "^fault point: $point pid " "$report"; then
    echo "never reached the point '$point': $(cat "$report")" >&2
    return 1
  fi
  pid=$(sed -n "s/^fault point: $point pid \([0-9]*\)\$/\1/p" "$report" | head -1)
  kill -9 "$pid"
  # The caller (the same process, or the -d caller waiting for its id) ends.
  wait_until 10 sh -c "! kill -0 $caller 2>/dev/null" || { echo "at '$point': the caller still runs" >&2; return 1; }
  wait "$caller" 2>/dev/null || true
  if ! wait_until 10 no_leftovers; then
    echo "at '$point': processes left: $(leftovers)" >&2
    return 1
  fi
  run "$NOOK" ps -a -q
  if [ -n "$output" ]; then
    echo "at '$point': nook ps -a still lists: $output" >&2
    return 1
  fi
  if [ "$(runtime_files)" != "$before" ]; then
    echo "at '$point': left in the runtime directory: $(diff <(echo "$before") <(runtime_files) | grep '^>')" >&2
    return 1
  fi
}

# Every point of a scenario, in turn, for `nook-faults NOOK-ARGS -- sh -c
# ...`: the points are listed with a command that ends at once, then nook
# is killed at each with one that runs for 2 s (the points after the
# command's start see it run; the last, "state: finish", sees it end).  At least MIN points must be seen:
# a scenario whose points vanished tests nothing.
every_point() { # MIN NOOK-ARGS...
  local min=$1 n=0 p
  shift
  mapfile -t all < <(points "$@" -- sh -c true)
  [ "${#all[@]}" -ge "$min" ] || { echo "only ${#all[@]} fault points: ${all[*]}" >&2; return 1; }
  for p in "${all[@]}"; do
    kill_at "$p" "$@" -- sh -c "sleep 2; : $marker" || return 1
    n=$((n + 1))
  done
  echo "# $n points" >&3
}

@test "nook run killed at every parent and sandbox step leaves nothing" {
  every_point 12 run
}

@test "the command starts only once its state is written: nook held at the state's write holds it back" {
  # The state is written beside the sandbox's setup, which then waits for
  # nook's word before its security step: no command runs that `nook ps`
  # or `nook exec` could miss.
  : >"$report"
  NOOK_FAULT="state: write running" NOOK_FAULT_FILE="$report" "$FAULTY" run -- \
    sh -c "touch '$BATS_TEST_TMPDIR/started'; sleep 1000; : $marker" >/dev/null 2>>"$report" </dev/null &
  wait_until 10 grep -q "^fault point: state: write running pid " "$report"
  # The sandbox has all it needs to go on but nook's word: it must not.
  run ! wait_until 3 test -e "$BATS_TEST_TMPDIR/started"
  kill -9 "$(sed -n 's/^fault point: state: write running pid \([0-9]*\)$/\1/p' "$report" | head -1)"
  wait_until 10 no_leftovers
  [ ! -e "$BATS_TEST_TMPDIR/started" ]
}

@test "nook run --rm -d: the detached supervisor killed at every step leaves nothing" {
  every_point 6 run -d --rm --name "f$BATS_SUITE_TEST_NUMBER"
}

@test "nook run --net slirp4netns killed at every step, the helper's start included, leaves nothing" {
  require "slirp4netns" command -v slirp4netns
  mapfile -t all < <(points run --net slirp4netns -- true)
  printf '%s\n' "${all[@]}" | grep -qx "network: slirp4netns started"
  every_point 12 run --net slirp4netns
}

@test "nook run --net pasta killed at every step, the helper's start included, leaves nothing" {
  require "pasta" command -v pasta
  mapfile -t all < <(points run --net pasta -- true)
  printf '%s\n' "${all[@]}" | grep -qx "network: pasta started"
  every_point 12 run --net pasta
}

@test "nook run with fuse-overlayfs layers killed at every step, fuse-overlayfs's start included, leaves nothing" {
  require "fuse-overlayfs" command -v fuse-overlayfs
  mkdir -p base/bin && cp /bin/busybox base/bin/ && ln -s busybox base/bin/sh && ln -s busybox base/bin/sleep
  mapfile -t all < <(points run --overlay=fuse --layer base -- sh -c true)
  printf '%s\n' "${all[@]}" | grep -qx "sandbox: fuse-overlayfs started"
  every_point 12 run --overlay=fuse --layer base
}

@test "nook exec killed at every step leaves nothing it started inside the sandbox" {
  "$NOOK" run -d --name host -- sleep 1000 </dev/null >/dev/null
  local n=0 p
  : >"$report"
  NOOK_FAULT=list NOOK_FAULT_FILE="$report" "$FAULTY" exec host true \
    >/dev/null 2>>"$report" </dev/null
  mapfile -t all < <(sed -n 's/^fault point: \(.*\) pid [0-9]*$/\1/p' "$report")
  [ "${#all[@]}" -ge 3 ] || { echo "fault points: ${all[*]}" >&2; return 1; }
  for p in "${all[@]}"; do
    : >"$report"
    NOOK_FAULT="$p" NOOK_FAULT_FILE="$report" "$FAULTY" exec host sh -c "sh -c 'sleep 1000; : $marker' & wait" \
      >/dev/null 2>>"$report" </dev/null &
    wait_until 10 grep -q "^fault point: $p pid " "$report"
    # Once the command runs, its child is what would be orphaned.
    [ "$p" != "exec: command started" ] || wait_until 10 has_marked
    kill -9 "$(sed -n "s/^fault point: $p pid \([0-9]*\)\$/\1/p" "$report" | head -1)"
    wait $! || true
    if ! wait_until 10 no_marked; then
      echo "at '$p': left inside the sandbox: $(leftovers marked)" >&2
      return 1
    fi
    n=$((n + 1))
  done
  # The sandbox itself lives on, untouched.
  run "$NOOK" ps -q
  [ -n "$output" ]
  echo "# $n points" >&3
}
