#!/usr/bin/env bats
# Sandbox state: ids, names, ps, rm, detached runs, stale state, concurrency.

bats_require_minimum_version 1.5.0
load "$NOOK_TESTS/lib.sh"

setup() { use_private_state; }

teardown() { remove_private_state; }

no_procs() { [ "$(count_procs "$1")" -eq 0 ]; }

state_field() { # ID JQ-FILTER
  state_json "$1" | jq -r "$2"
}

@test "a foreground run is listed by nook ps while it runs and leaves no state when it ends" {
  "$NOOK" run --name fg -- sleep 1000 </dev/null &
  nook_pid=$!
  wait_until 10 sh -c '"$NOOK" ps | grep -q " fg "'
  run nook ps
  assert_status 0
  assert_output_has "running"
  assert_output_has "sleep 1000"
  kill -TERM "$nook_pid"
  wait "$nook_pid" || true
  run nook ps -a
  assert_output_lacks "fg"
  [ -z "$(ls -A "$STATE/sandboxes")" ]
  [ -z "$(ls -A "$STATE/names")" ]
}

@test "a foreground run's entry is one file, made whole and linked once: no directory, no rename" {
  # A directory per run costs a block on a disk-backed /tmp, which the
  # filesystem frees (and may discard) when the run ends; a rename costs a
  # name and a lookup more.  The entry is one unnamed file (O_TMPFILE),
  # written once with the filters and the state, locked, then linked.
  require "strace" command -v strace
  traced -f -y -e trace=mkdir,mkdirat,rename,renameat,renameat2,openat,linkat,unlink,unlinkat,rmdir \
    -o "$BATS_TEST_TMPDIR/trace" "$NOOK" run -- true
  boxes=$(grep -F "$STATE/sandboxes>" "$BATS_TEST_TMPDIR/trace")
  [ "$(grep -c O_TMPFILE <<<"$boxes")" = 1 ]
  [ "$(grep -c '^[0-9]* *linkat(' <<<"$boxes")" = 1 ]
  [ "$(grep -c '^[0-9]* *unlinkat(' <<<"$boxes")" = 1 ]
  [ "$(grep -Ec 'mkdir|rename|rmdir|AT_REMOVEDIR' <<<"$boxes")" = 0 ]
  [ "$(grep -c 'sandboxes/[0-9a-f]\{12\}[/>]' "$BATS_TEST_TMPDIR/trace")" = 0 ]
  [ -z "$(ls -A "$STATE/sandboxes")" ]
  # While it runs: a regular file of the user's, 0600, locked by its
  # supervisor; ps, inspect and exec read it, pause appends to it.
  "$NOOK" run --name fe -- sleep 1000 </dev/null &
  nook_pid=$!
  wait_until 10 sh -c '"$NOOK" ps | grep -q " fe "'
  id=$(nook ps -q)
  [ -f "$STATE/sandboxes/$id" ]
  [ "$(stat -c %a "$STATE/sandboxes/$id")" = 600 ]
  run flock -n -s "$STATE/sandboxes/$id" true
  [ "$status" -ne 0 ]
  run nook exec fe cat /proc/1/cmdline
  assert_status 0
  assert_output_has "sleep"
  [ "$(state_field "$id" .status)" = running ]
  run nook pause fe
  assert_status 0
  [ "$(state_field "$id" .paused)" = true ]
  run nook ps
  assert_output_has paused
  run nook unpause fe
  assert_status 0
  [ "$(state_field "$id" .paused)" = false ]
  kill -TERM "$nook_pid"
  wait "$nook_pid" || true
  [ -z "$(ls -A "$STATE/sandboxes")" ]
  [ -z "$(ls -A "$STATE/names")" ]
}

@test "a foreground run paused and resumed 600 times: every pause is recorded, the entry stays bounded, readers never fail" {
  # Each pause adds a state line to the entry; once it holds 1 MiB of
  # them, the next is written over the old ones and the file cut after it,
  # while nook ps reads the entry all along.
  "$NOOK" run --name many -- sleep 1000 </dev/null &
  nook_pid=$!
  wait_until 10 sh -c '"$NOOK" ps | grep -q " many "'
  id=$(nook ps -q)
  (
    while [ ! -e "$BATS_TEST_TMPDIR/done" ]; do
      "$NOOK" ps >/dev/null 2>"$BATS_TEST_TMPDIR/ps.err" || { echo "ps failed: $(cat "$BATS_TEST_TMPDIR/ps.err")"; exit 1; }
    done
  ) >"$BATS_TEST_TMPDIR/reader" 2>&1 &
  reader=$!
  largest=0
  for i in $(seq 600); do
    "$NOOK" pause many
    "$NOOK" unpause many
    size=$(stat -c %s "$STATE/sandboxes/$id")
    [ "$size" -le "$largest" ] || largest=$size
  done
  touch "$BATS_TEST_TMPDIR/done"
  wait "$reader" || { cat "$BATS_TEST_TMPDIR/reader"; false; }
  # Past 1 MiB once, and cut back since.
  [ "$largest" -gt 1000000 ]
  [ "$(stat -c %s "$STATE/sandboxes/$id")" -lt "$largest" ]
  run nook pause many
  assert_status 0
  [ "$(state_field "$id" .paused)" = true ]
  run nook inspect many
  [ "$(echo "$output" | jq -r .paused)" = true ]
  run nook unpause many
  assert_status 0
  [ "$(state_field "$id" .paused)" = false ]
  kill -TERM "$nook_pid"
  wait "$nook_pid" || true
  [ -z "$(ls -A "$STATE/sandboxes")" ]
}

@test "ids are 12 hex characters, unique, and the name finds the sandbox" {
  a=$(nook run -d --name one -- sleep 1000)
  b=$(nook run -d -- sleep 1000)
  [[ "$a" =~ ^[0-9a-f]{12}$ ]]
  [[ "$b" =~ ^[0-9a-f]{12}$ ]]
  [ "$a" != "$b" ]
  run nook inspect one
  assert_status 0
  [ "$(echo "$output" | jq -r .id)" = "$a" ]
  run nook inspect "${b:0:12}"
  [ "$(echo "$output" | jq -r .name)" = null ]
}

@test "a name already in use is refused with one line and exit 125, and nothing changes" {
  nook run -d --name taken -- sleep 1000 >/dev/null
  before=$(ls "$STATE/sandboxes" | sort)
  run nook run --name taken -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "the name \`taken\` is already used"
  [ "$(ls "$STATE/sandboxes" | sort)" = "$before" ]
  run nook run -d --name taken -- true
  assert_status 125
  [ "$(ls "$STATE/sandboxes" | sort)" = "$before" ]
}

@test "a name is free again once its sandbox is removed" {
  nook run -d --name again -- sleep 1000 >/dev/null
  run nook rm again
  assert_status 125
  assert_output_has "is running"
  nook rm -f again
  run nook run --name again -- true
  assert_status 0
}

@test "an unknown sandbox gives one line and exit 125 for every command" {
  for cmd in "exec nosuch -- true" "kill nosuch" "wait nosuch" "rm nosuch" "inspect nosuch" "top nosuch" \
    "logs nosuch"; do
    run nook $cmd
    assert_status 125
    assert_one_error_line
    assert_output_has "no sandbox \`nosuch\`"
  done
}

@test "nook ps -a shows an ended detached sandbox with its exit status until nook rm" {
  id=$(nook run -d --name ended -- sh -c 'exit 3')
  run nook wait ended
  assert_status 3
  run nook ps
  assert_output_lacks "ended"
  run nook ps -a
  assert_output_has "ended"
  assert_output_has "exited 3"
  run nook ps -a --format json
  assert_status 0
  [ "$(echo "$output" | jq -r '.[] | select(.name == "ended") | .exit_code')" = 3 ]
  [ "$(echo "$output" | jq -r '.[] | select(.name == "ended") | .status')" = exited ]
  nook rm ended
  run nook ps -a
  assert_output_lacks "ended"
  [ ! -e "$STATE/sandboxes/$id" ]
}

@test "nook ps --format json lists id, name, pid, command, created, status and uptime" {
  id=$(nook run -d --name js -- sleep 1000)
  run nook ps --format json
  assert_status 0
  [ "$(echo "$output" | jq -r '.[0].id')" = "$id" ]
  [ "$(echo "$output" | jq -r '.[0].name')" = js ]
  [ "$(echo "$output" | jq -r '.[0].status')" = running ]
  [ "$(echo "$output" | jq -r '.[0].command | join(" ")')" = "sleep 1000" ]
  pid=$(echo "$output" | jq -r '.[0].pid')
  [ "$(cat /proc/$pid/comm)" = nook-init ]
  [ "$(echo "$output" | jq -r '.[0].uptime')" -ge 0 ]
  echo "$output" | jq -e '.[0].created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T")'
  run nook ps -q
  [ "$output" = "$id" ]
  run nook ps --format yaml
  assert_status 125
  assert_one_error_line
}

@test "--rm with -d removes the state when the command ends" {
  id=$(nook run -d --rm -- sh -c 'exit 0')
  wait_until 10 test ! -e "$STATE/sandboxes/$id"
  run nook ps -a
  assert_output_lacks "$id"
}

@test "the state is private: directories 0700, files 0600" {
  id=$(nook run -d --name priv -- sh -c 'echo hello; sleep 1000')
  [ "$(stat -c %a "$STATE")" = 700 ]
  [ "$(stat -c %a "$STATE/sandboxes/$id")" = 700 ]
  [ "$(stat -c %a "$STATE/sandboxes/$id/state.json")" = 600 ]
  [ "$(stat -c %a "$STATE/sandboxes/$id/log")" = 600 ]
  [ "$(state_field "$id" '.options | join(" ")')" = "-d --name priv --" ]
  [ "$(state_field "$id" '.command[0]')" = sh ]
}

@test "a state directory open to others is refused with one line and exit 125" {
  mkdir -p "$STATE"
  chmod 0770 "$STATE"
  run nook ps
  assert_status 125
  assert_one_error_line
  assert_output_has "is not a directory of yours with mode 0700"
  run nook run -- true
  assert_status 125
  chmod 0700 "$STATE"
}

@test "a detached command that cannot start gives 127 and leaves nothing" {
  run -127 nook run -d --name broken -- /no/such/command
  assert_status 127
  assert_one_error_line
  [ -z "$(ls -A "$STATE/sandboxes")" ]
  [ -z "$(ls -A "$STATE/names")" ]
  run -126 nook run -d -- "$BATS_TEST_TMPDIR"
  assert_status 126
}

@test "the supervisor SIGKILLed: ps shows the sandbox gone and the next command cleans its state" {
  id=$(nook run -d --name victim -- sh -c 'sleep 1000; : marker-victim')
  sup=$(state_field "$id" .supervisor.pid)
  init=$(state_field "$id" .init.pid)
  kill -KILL "$sup"
  wait_until 10 sh -c "! kill -0 $init 2>/dev/null"
  [ "$(count_procs marker-victim)" -eq 0 ]
  run nook ps -a
  assert_status 0
  assert_output_lacks "$id"
  [ ! -e "$STATE/sandboxes/$id" ]
  [ ! -e "$STATE/names/victim" ]
  run nook run --name victim -- true
  assert_status 0
}

@test "a foreground nook SIGKILLed leaves state that the next command cleans" {
  "$NOOK" run --name fgkill -- sh -c 'sleep 1000; : marker-fgkill' </dev/null &
  nook_pid=$!
  wait_until 10 sh -c '"$NOOK" ps | grep -q fgkill'
  id=$(ls "$STATE/sandboxes")
  kill -KILL "$nook_pid"
  wait "$nook_pid" || true
  [ -e "$STATE/sandboxes/$id" ]
  run nook ps -a
  assert_output_lacks fgkill
  [ ! -e "$STATE/sandboxes/$id" ]
  wait_until 10 no_procs marker-fgkill
}

@test "8 runs racing for one name: exactly one sandbox gets it, the 7 others fail with one line and leave nothing" {
  for i in 1 2 3 4 5 6 7 8; do
    "$NOOK" run -d --name same -- sh -c 'sleep 1000; : marker-same' </dev/null >"id$i" 2>"err$i" &
    pids[i]=$!
  done
  won=0 lost=0
  for i in 1 2 3 4 5 6 7 8; do
    if wait "${pids[i]}"; then
      won=$((won + 1))
      winner=$(cat "id$i")
    else
      st=$?
      [ "$st" -eq 125 ] || { echo "run $i: exit $st: $(cat "err$i")"; false; }
      [ "$(grep -c '^nook: ' "err$i")" -eq 1 ] && [ "$(wc -l <"err$i")" -eq 1 ] || { cat "err$i"; false; }
      grep -q "the name \`same\` is already used by sandbox $(cat id* | tr -d '\n')" "err$i" || { cat "err$i"; false; }
      [ ! -s "id$i" ]
      lost=$((lost + 1))
    fi
  done
  [ "$won" -eq 1 ]
  [ "$lost" -eq 7 ]
  [ "$(ls "$STATE/sandboxes")" = "$winner" ]
  [ "$(readlink "$STATE/names/same")" = "$winner" ]
  [ "$(ls "$STATE/names")" = same ]
  run nook ps -q
  [ "$output" = "$winner" ]
  run nook inspect same
  [ "$(echo "$output" | jq -r .status)" = running ]
  nook rm -f same
  wait_until 10 no_procs marker-same
}

@test "a SIGKILLed supervisor's name is free for the next run, which removes its entry without a sweep" {
  id=$(nook run -d --name victim2 -- sh -c 'sleep 1000; : marker-victim2')
  sup=$(state_field "$id" .supervisor.pid)
  init=$(state_field "$id" .init.pid)
  kill -KILL "$sup"
  wait_until 10 sh -c "! kill -0 $init 2>/dev/null"
  # Straight to the next run: no ps, no other command that would sweep.
  new=$(nook run -d --name victim2 -- sleep 1000)
  [ "$new" != "$id" ]
  [ ! -e "$STATE/sandboxes/$id" ]
  [ "$(readlink "$STATE/names/victim2")" = "$new" ]
  run nook inspect victim2
  assert_status 0
  [ "$(echo "$output" | jq -r .id)" = "$new" ]
  nook rm -f victim2
  [ -z "$(ls -A "$STATE/sandboxes")" ]
  [ -z "$(ls -A "$STATE/names")" ]
  wait_until 10 no_procs marker-victim2
}

@test "a lookup of a sandbox whose supervisor was SIGKILLed removes it and says there is none" {
  id=$(nook run -d --name gone -- sh -c 'sleep 1000; : marker-gone')
  sup=$(state_field "$id" .supervisor.pid)
  init=$(state_field "$id" .init.pid)
  kill -KILL "$sup"
  wait_until 10 sh -c "! kill -0 $init 2>/dev/null"
  run nook inspect gone
  assert_status 125
  assert_one_error_line
  assert_output_has "no sandbox \`gone\`"
  [ ! -e "$STATE/sandboxes/$id" ]
}

@test "a detached sandbox survives the end of the caller's session" {
  setsid sh -c 'echo $$ > sid; "$NOOK" run -d --name survivor -- sleep 1000 > id; kill -HUP 0' </dev/null || true
  wait_until 10 test -s id
  # Every process the HUP reached (the caller's session) has ended.
  wait_until 10 eval '[ -z "$(pgrep -s "$(cat sid)")" ]'
  run nook ps
  assert_output_has survivor
  assert_output_has running
}

@test "50 sandboxes started concurrently with distinct names are all listed, all removed, nothing leaked" {
  mounts_before=$(wc -l </proc/self/mountinfo)
  for i in $(seq 1 50); do
    "$NOOK" run -d --name "par$i" -- sh -c 'sleep 1000; : marker-par' </dev/null >"id$i" 2>"err$i" &
  done
  wait
  for i in $(seq 1 50); do
    [ -s "id$i" ] || { cat "err$i"; false; }
  done
  run nook ps --format json
  assert_status 0
  [ "$(echo "$output" | jq '[.[] | select(.name | startswith("par"))] | length')" -eq 50 ]
  [ "$(echo "$output" | jq -r '.[].id' | sort -u | wc -l)" -eq 50 ]
  [ "$(count_procs marker-par)" -ge 50 ]
  # With 50 ids, two share a first character: a prefix that is ambiguous.
  prefix=$(cat id* | cut -c1 | sort | uniq -d | head -1)
  run nook inspect "$prefix"
  assert_status 125
  assert_one_error_line
  assert_output_has "is ambiguous"
  for i in $(seq 1 50); do
    "$NOOK" rm -f "par$i" </dev/null &
  done
  wait
  run nook ps -a
  assert_output_lacks par
  [ -z "$(ls -A "$STATE/sandboxes")" ]
  [ -z "$(ls -A "$STATE/names")" ]
  wait_until 10 no_procs marker-par
  [ "$(wc -l </proc/self/mountinfo)" -eq "$mounts_before" ]
}

@test "a detached supervisor keeps none of the caller's descriptors" {
  exec 7>"$BATS_TEST_TMPDIR/held"
  id=$(nook run -d -- sleep 1000)
  exec 7>&-
  sup=$(state_field "$id" .supervisor.pid)
  run ls -l "/proc/$sup/fd"
  assert_status 0
  assert_output_lacks "$BATS_TEST_TMPDIR/held"
  [ "$(readlink "/proc/$sup/fd/0")" = /dev/null ]
}

@test "a state directory that is a symlink, or cannot be made, is refused with one line and exit 125" {
  ln -s "$BATS_TEST_TMPDIR" "$STATE"
  run nook ps
  assert_status 125
  assert_one_error_line
  assert_output_has "is not a directory of yours with mode 0700"
  run nook run -d -- true
  assert_status 125
  assert_one_error_line
  rm "$STATE"
  XDG_RUNTIME_DIR=/proc run nook run -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "create the state directory"
}

@test "wrong arguments to the lifecycle commands give one line and exit 125" {
  for cmd in "ps --bogus" "ps extra" "exec" "exec box" "exec -x box -- true" "kill" "kill -s" "wait" \
    "wait a b" "rm" "rm --bogus x" "inspect" "top" "logs" "logs -x y" "run -d" "run --pid" \
    "run --log-size 1x -- true"; do
    run nook $cmd
    assert_status 125
    assert_one_error_line
  done
}
