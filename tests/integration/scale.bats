#!/usr/bin/env bats
# Many sandboxes at once: unnamed detached ones with --rm, ended by one
# `nook rm -f`, and foreground runs from several shells in parallel, each with
# its own exit status. bench/scale measures the same at larger numbers.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"

setup() { use_private_state; }

teardown() { remove_private_state; }

no_procs() { [ "$(count_procs "$1")" -eq 0 ]; }

@test "50 detached --rm sandboxes started at once all run, one rm -f ends them all, nothing is left" {
  mounts_before=$(wc -l </proc/self/mountinfo)
  tag=60.$$$RANDOM
  pids=()
  for i in $(seq 1 50); do
    "$NOOK" run -d --rm -- sleep "$tag" </dev/null >"id$i" 2>"err$i" &
    pids+=($!)
  done
  for p in "${pids[@]}"; do
    wait "$p" || { cat err*; false; }
  done
  [ "$(cat id* | sort -u | wc -l)" -eq 50 ]
  run nook ps -q
  assert_status 0
  [ "$(echo "$output" | sort)" = "$(cat id* | sort)" ]
  # Each sandbox's command runs: its sleep, under its own nook-init.
  wait_until 10 eval '[ "$(count_procs "^sleep $tag\$")" -eq 50 ]'
  run nook rm -f $(cat id*)
  assert_status 0
  run nook ps -a -q
  assert_status 0
  [ -z "$output" ]
  [ -z "$(ls -A "$STATE/sandboxes")" ]
  [ -z "$(ls -A "$STATE/names")" ]
  # The supervisors, the nook-inits and the commands: all name the tag.
  wait_until 10 no_procs "sleep $tag"
  [ "$(wc -l </proc/self/mountinfo)" -eq "$mounts_before" ]
}

@test "100 foreground runs from 4 shells at once each return their command's exit status and leave nothing" {
  tag=scale-$$$RANDOM
  for s in 1 2 3 4; do
    (
      for j in $(seq 1 25); do
        "$NOOK" run -- sh -c "exit $((j % 4))" "$tag" </dev/null >/dev/null 2>>"err$s"
        st=$?
        [ "$st" -eq $((j % 4)) ] || echo "shell $s run $j: status $st, not $((j % 4))" >>"bad$s"
      done
    ) &
  done
  wait
  cat err* >&2
  [ -z "$(cat bad* 2>/dev/null)" ] || { cat bad*; false; }
  run nook ps -a -q
  [ -z "$output" ]
  [ -z "$(ls -A "$STATE/sandboxes")" ]
  [ -z "$(ls -A "$STATE/names")" ]
  wait_until 10 no_procs "$tag"
}

# The entry of a detached sandbox whose supervisor was SIGKILLed: what a
# sweep removes.  Prints its id.
stale_entry() {
  local id sup init
  id=$("$NOOK" run -d -- sh -c "sleep 1000; : marker-stale-$$")
  sup=$(state_json "$id" | jq -r .supervisor.pid)
  init=$(state_json "$id" | jq -r .init.pid)
  kill -KILL "$sup"
  wait_until 10 sh -c "! kill -0 $init 2>/dev/null"
  echo "$id"
}

@test "a run reads no other sandbox's entry: stale ones wait for ps, or for the sweep once a minute" {
  a=$(stale_entry)
  b=$(stale_entry)
  # A run costs the same with 2 or 300 entries: it reserves its own and
  # opens no other, so the stale ones are still there after it.
  run nook run -- true
  assert_status 0
  [ -d "$STATE/sandboxes/$a" ]
  [ -d "$STATE/sandboxes/$b" ]
  [ "$(ls "$STATE/sandboxes" | wc -l)" -eq 2 ]
  # A minute after the last sweep, a run sweeps again.
  touch -d '2 minutes ago' "$STATE/lock"
  run nook run -- true
  assert_status 0
  [ ! -e "$STATE/sandboxes/$a" ]
  [ ! -e "$STATE/sandboxes/$b" ]
  # And ps sweeps whatever it lists.
  c=$(stale_entry)
  [ -d "$STATE/sandboxes/$c" ]
  run nook ps -a -q
  assert_status 0
  [ -z "$output" ]
  [ -z "$(ls -A "$STATE/sandboxes")" ]
  wait_until 10 no_procs "marker-stale-$$"
}

@test "ps and a lookup read the store without its lock: a scan of many sandboxes holds up no run" {
  id=$(nook run -d -- sleep 1000)
  # Another nook holding the store's lock (a run reserving its entry): the
  # sleep itself holds it, so that killing it frees the lock.
  (exec 9>>"$STATE/lock" && flock 9 && exec sleep 1000) 3>&- &
  holder=$!
  wait_until 10 eval '! flock -n "$STATE/lock" true'
  run timeout -s KILL 10 "$NOOK" ps -q
  ps_status=$status ps_output=$output
  run timeout -s KILL 10 "$NOOK" inspect "$id"
  kill "$holder"
  wait "$holder" || true
  [ "$ps_status" -eq 0 ]
  [ "$ps_output" = "$id" ]
  assert_status 0
  [ "$(echo "$output" | jq -r .id)" = "$id" ]
  nook rm -f "$id"
}
