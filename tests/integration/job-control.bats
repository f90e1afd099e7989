#!/usr/bin/env bats
# Signals and job control from a real terminal: keys typed into a pty
# (tmux's), as a user types them at a shell that runs nook.

load "$NOOK_TESTS/lib.sh"

setup() {
  require "tmux" command -v tmux
  cd "$BATS_TEST_TMPDIR"
  # A short path: a unix socket's name is limited to 107 bytes.
  TMUXDIR=$(mktemp -d /tmp/nook-jc.XXXXXX)
  # Durations of this run's own: other suites' sleeps are not ours.
  S8=8.$RANDOM$RANDOM
  S6=6.$RANDOM$RANDOM
}

teardown() {
  tm kill-server 2>/dev/null || true
  rm -rf "$TMUXDIR"
  [ -z "${STATE:-}" ] || remove_private_state
}

tm() { TERM=xterm tmux -S "$TMUXDIR/s" "$@"; }

# An interactive bash on a new terminal, once it shows its prompt with job
# control on (keys typed before that reach a shell that may not yet own
# the terminal); LINE typed at it.
shell() {
  tm new-session -d -x 120 -y 40 "env -i PATH=$PATH HOME=$HOME NOOK_POLICY=${NOOK_POLICY:-} TERM=xterm PS1='ready\$ ' bash --norc --noprofile -i"
  wait_until 10 screen_has '^ready\$' || { screen; return 1; }
  type_line 'case $- in *m*) echo monitor-on ;; esac'
  wait_until 10 screen_has '^monitor-on' || { screen; return 1; }
}
type_line() { tm send-keys -l "$1" && tm send-keys Enter; }
screen() { tm capture-pane -p -S -200; }
screen_has() { screen | grep -q -- "$1"; }

# The one process of this user whose command line is exactly CMDLINE;
# fails while there is none.
pid_of() { pgrep -u "$(id -u)" -xf "$1" | head -n 1 | grep .; }
# Its state letter in the host's /proc (T: stopped).
state_of() { awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null; }
is_state() { [ "$(state_of "$1")" = "$2" ]; }
not_stopped() { [ "$(state_of "$1")" != T ]; }
gone() { [ -z "$(pid_of "$1")" ]; }

@test "Ctrl-C stops a shell's script: the line after the sleep never runs" {
  shell
  type_line "$NOOK run -- bash -c 'sleep $S8; echo next'; echo rc=\$?"
  wait_until 10 pid_of "sleep $S8" >/dev/null
  start=$SECONDS
  tm send-keys C-c
  wait_until 5 screen_has 'rc=[0-9]' || { screen; false; }
  [ $((SECONDS - start)) -lt 5 ]
  screen_has 'rc=130$'
  run ! screen_has '^next'
  [ -z "$(pid_of "sleep $S8")" ]
}

@test "--tty: Ctrl-C reaches the command's whole group on the sandbox's terminal" {
  shell
  type_line "$NOOK run --tty -- bash -c 'sleep $S8; echo next'; echo rc=\$?"
  wait_until 10 pid_of "sleep $S8" >/dev/null
  tm send-keys C-c
  wait_until 5 screen_has 'rc=[0-9]' || { screen; false; }
  screen_has 'rc=130$'
  run ! screen_has '^next'
}

@test "Ctrl-C stops make: later recipe lines never run" {
  printf 'all:\n\tsleep %s\n\techo later >%s/later\n' "$S8" "$PWD" >Makefile
  shell
  type_line "cd $PWD && $NOOK run -- make; echo rc=\$?"
  wait_until 10 pid_of "sleep $S8" >/dev/null
  tm send-keys C-c
  wait_until 5 screen_has 'rc=[0-9]' || { screen; false; }
  # make's words vary: when its child's exit wins the race with its own
  # SIGINT, GNU make 4.3 says "wait: No child processes" and exits 2 (seen
  # on a plain terminal too).  Either way make stopped, nonzero.
  run ! screen_has 'rc=0$'
  [ ! -e later ]
  [ -z "$(pid_of "sleep $S8")" ]
}

@test "Ctrl-Z stops nook and the sandbox's processes, fg resumes them" {
  shell
  # Alone on its line: bash goes on with a list whose job stopped.
  type_line "$NOOK run -- bash -c 'sleep $S6; echo resumed'"
  wait_until 10 pid_of "sleep $S6" >/dev/null
  sleep_pid=$(pid_of "sleep $S6")
  nook_pid=$(pid_of "$NOOK run -- bash -c sleep $S6; echo resumed")
  [ -n "$nook_pid" ]
  tm send-keys C-z
  wait_until 5 is_state "$nook_pid" T
  wait_until 5 is_state "$sleep_pid" T
  wait_until 5 screen_has 'Stopped'
  # Still stopped a moment later: nothing resumed them behind the shell.
  run ! wait_until 1 screen_has '^resumed'
  is_state "$sleep_pid" T
  type_line fg
  wait_until 5 not_stopped "$sleep_pid"
  wait_until 15 screen_has '^resumed$'
  wait_until 5 gone "$NOOK run -- bash -c sleep $S6; echo resumed"
  type_line 'echo rc=$?'
  wait_until 5 screen_has 'rc=0$'
}

@test "fg resumes a sandbox nook pause paused while its job was stopped: every process runs, the record is cleared" {
  use_private_state
  # The shell shares this test's state directory.
  tm new-session -d -x 120 -y 40 "env -i PATH=$PATH HOME=$HOME XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR NOOK_POLICY=${NOOK_POLICY:-} TERM=xterm PS1='ready\$ ' bash --norc --noprofile -i"
  wait_until 10 screen_has '^ready\$'
  type_line 'case $- in *m*) echo monitor-on ;; esac'
  wait_until 10 screen_has '^monitor-on'
  # One sleeper in a session of its own: the terminal's SIGCONT never
  # reaches it, only a resume of the whole sandbox does.
  type_line "$NOOK run --name jcfg -- sh -c 'setsid sleep $S8 & sleep $S6; echo resumed'"
  wait_until 10 pid_of "sleep $S8" >/dev/null
  wait_until 10 pid_of "sleep $S6" >/dev/null
  a=$(pid_of "sleep $S8")
  b=$(pid_of "sleep $S6")
  id=$(nook inspect jcfg | jq -r .id)
  tm send-keys C-z
  wait_until 5 screen_has 'Stopped'
  run nook pause jcfg
  assert_status 0
  wait_until 5 is_state "$a" T
  [ "$(state_json "$id" | jq -r .paused)" = true ]
  type_line fg
  wait_until 5 not_stopped "$a"
  wait_until 5 not_stopped "$b"
  [ "$(state_json "$id" | jq -r .paused)" = false ]
  run nook ps
  assert_output_lacks paused
  run nook kill jcfg
  wait_until 10 gone "sleep $S6"
}

@test "nook exec ended by SIGTERM kills what it started, a daemon that left its session too" {
  use_private_state
  nook run -d --name jc -- sleep 1000 >/dev/null
  wait_until 10 "$NOOK" exec jc -- true
  "$NOOK" exec jc -- sh -c 'setsid -f sleep 202; sh -c "sleep 203"' </dev/null &
  exec_pid=$!
  wait_until 10 pid_of 'sleep 202' >/dev/null
  wait_until 10 pid_of 'sleep 203' >/dev/null
  kill -TERM "$exec_pid"
  status=0
  wait "$exec_pid" || status=$?
  [ "$status" -ne 0 ]
  wait_until 5 gone 'sleep 202'
  wait_until 5 gone 'sleep 203'
  # The sandbox itself runs on.
  "$NOOK" exec jc -- true
}

@test "nook exec killed with SIGKILL leaves nothing it started: children, a daemon that left its session" {
  use_private_state
  nook run -d --name jck -- sleep 1000 >/dev/null
  wait_until 10 "$NOOK" exec jck -- true
  "$NOOK" exec jck -- sh -c 'setsid -f sleep 205; sh -c "sleep 206"' </dev/null &
  exec_pid=$!
  wait_until 10 pid_of 'sleep 205' >/dev/null
  wait_until 10 pid_of 'sleep 206' >/dev/null
  # SIGKILL: nook exec gets no chance to act; what it started must go anyway.
  kill -KILL "$exec_pid"
  wait "$exec_pid" || true
  wait_until 5 gone 'sleep 205'
  wait_until 5 gone 'sleep 206'
  # The sandbox itself runs on.
  "$NOOK" exec jck -- true
}

@test "what nook exec's command leaves behind when it ends runs on in the sandbox" {
  use_private_state
  nook run -d --name jcleft -- sleep 1000 >/dev/null
  wait_until 10 "$NOOK" exec jcleft -- true
  run nook exec jcleft -- sh -c "setsid -f sleep $S8 >/dev/null 2>&1; echo started"
  assert_status 0
  assert_output_has started
  wait_until 10 pid_of "sleep $S8" >/dev/null
}

# A sandbox NAME whose command runs two sleeps: its id in $id, their pids
# in $a and $b.
two_sleepers() { # NAME
  id=$(nook run -d --name "$1" -- sh -c "sleep $S8 & sleep $S6; wait")
  wait_until 10 pid_of "sleep $S8" >/dev/null
  wait_until 10 pid_of "sleep $S6" >/dev/null
  a=$(pid_of "sleep $S8")
  b=$(pid_of "sleep $S6")
}

@test "nook kill -s STOP stops every process of the sandbox, CONT resumes every one" {
  use_private_state
  two_sleepers jcstop
  run nook kill -s STOP jcstop
  assert_status 0
  wait_until 5 is_state "$a" T
  wait_until 5 is_state "$b" T
  # A STOP sent by kill pauses nothing: the sandbox still runs, as
  # podman's state says of a container its kill stopped.
  run nook inspect jcstop
  [ "$(echo "$output" | jq -r .status)" = running ]
  [ "$(echo "$output" | jq -r .paused)" = false ]
  run nook ps
  assert_output_lacks paused
  [ "$(state_json "$id" | jq -r '.paused // false')" = false ]
  run nook kill -s CONT jcstop
  assert_status 0
  wait_until 5 not_stopped "$a"
  wait_until 5 not_stopped "$b"
}

@test "nook kill -s CONT resumes a paused sandbox as nook unpause does: its paused record is cleared" {
  use_private_state
  two_sleepers jccont
  run nook pause jccont
  assert_status 0
  [ "$(state_json "$id" | jq -r .paused)" = true ]
  # By number, as kill -l names it: the same path as -s CONT.
  run nook kill -s 18 jccont
  assert_status 0
  wait_until 5 not_stopped "$a"
  wait_until 5 not_stopped "$b"
  [ "$(state_json "$id" | jq -r .paused)" = false ]
  run nook inspect jccont
  [ "$(echo "$output" | jq -r .status)" = running ]
  run nook ps
  assert_output_lacks paused
  # And by name: paused again, SIGCONT resumes it again.
  run nook pause jccont
  assert_status 0
  run nook kill -s SIGCONT jccont
  assert_status 0
  [ "$(state_json "$id" | jq -r .paused)" = false ]
  wait_until 5 not_stopped "$a"
}

@test "nook pause stops every process, ps shows paused, unpause resumes them" {
  use_private_state
  nook run -d --name jcpause -- sh -c "sleep $S8 & sleep $S6; wait" >/dev/null
  wait_until 10 pid_of "sleep $S8" >/dev/null
  wait_until 10 pid_of "sleep $S6" >/dev/null
  a=$(pid_of "sleep $S8")
  b=$(pid_of "sleep $S6")
  run nook pause jcpause
  assert_status 0
  # Stopped when pause returns, not later.
  is_state "$a" T
  is_state "$b" T
  run nook ps
  assert_output_has paused
  run nook ps --format json
  assert_output_has '"status":"paused"'
  run nook unpause jcpause
  assert_status 0
  wait_until 5 not_stopped "$a"
  wait_until 5 not_stopped "$b"
  run nook ps
  assert_output_lacks paused
  run nook pause nosuchbox
  assert_status 125
  assert_one_error_line
}

@test "nook pause is recorded in the state: ps and inspect say paused, whatever /proc shows" {
  use_private_state
  id=$(nook run -d --name jcrec -- sh -c "sleep $S8 & sleep $S6; wait")
  wait_until 10 pid_of "sleep $S8" >/dev/null
  a=$(pid_of "sleep $S8")
  run nook pause jcrec
  assert_status 0
  [ "$(state_json "$id" | jq -r .paused)" = true ]
  # One process resumed behind nook's back: the sandbox is still the one
  # the user paused (a frozen cgroup's processes do not look stopped either).
  kill -CONT "$a"
  wait_until 5 not_stopped "$a"
  run nook ps
  assert_output_has paused
  run nook inspect jcrec
  [ "$(echo "$output" | jq -r .status)" = paused ]
  [ "$(echo "$output" | jq -r .paused)" = true ]
  run nook unpause jcrec
  assert_status 0
  [ "$(state_json "$id" | jq -r .paused)" = false ]
  run nook inspect jcrec
  [ "$(echo "$output" | jq -r .status)" = running ]
  # Its end is recorded after a pause all the same.
  run nook pause jcrec
  run nook kill -s KILL jcrec
  wait_until 10 test "$(state_json "$id" | jq -r .status)" = exited
  run nook ps -a
  assert_output_lacks paused
}

# Whether the pane's terminal is raw (nook attach is connected and reads it).
pane_raw() { stty -a -F "$(tm display-message -p '#{pane_tty}')" | grep -q -- '-icanon'; }

@test "nook attach: a terminal for a sandbox started with -d -t; detach keys, attach again, exit" {
  use_private_state
  nook run -d -t --name att -- sh >/dev/null
  shell
  type_line "export XDG_RUNTIME_DIR=$XDG_RUNTIME_DIR"
  type_line "$NOOK attach att; echo attach-rc=\$?"
  wait_until 10 pane_raw || { screen; false; }
  type_line 'echo hel""lo-$((6*7))'
  wait_until 10 screen_has '^hello-42' || { screen; false; }
  # The window size is passed on, and so is a change of it.
  tm resize-window -x 100 -y 30
  type_line 'stty size'
  wait_until 10 screen_has '^30 100' || { screen; false; }
  # One client at a time.
  run nook attach att
  assert_status 125
  assert_output_has "another \`nook attach\`"
  # podman's detach keys: the sandbox runs on.
  tm send-keys C-p C-q
  wait_until 10 screen_has 'attach-rc=0' || { screen; false; }
  run nook ps
  assert_output_has att
  assert_output_has running
  # What it wrote is in its log too.
  run nook logs att
  assert_output_has hello-42
  # Again, with keys of one's own.
  type_line "clear; $NOOK attach --detach-keys ctrl-x att; echo attach-rc=\$?"
  wait_until 10 pane_raw || { screen; false; }
  type_line 'echo again-$((7*7))'
  wait_until 10 screen_has '^again-49' || { screen; false; }
  tm send-keys C-x
  wait_until 10 screen_has 'attach-rc=0' || { screen; false; }
  # A third time, until the shell inside exits: attach returns its status.
  type_line "clear; $NOOK attach att; echo attach-rc=\$?"
  wait_until 10 pane_raw || { screen; false; }
  type_line 'echo bye-$((2*4)); exit 3'
  wait_until 10 screen_has 'attach-rc=3' || { screen; false; }
  run nook ps -a
  assert_output_has exited
  # Its last words are in the log too, and nothing is left to attach to.
  run nook logs att
  assert_output_has bye-8
  run nook attach att
  assert_status 125
}

@test "nook attach: bad detach keys, a sandbox without a terminal, one that is not running" {
  use_private_state
  run nook attach --detach-keys ctrl-1 nobox
  assert_status 125
  assert_one_error_line
  assert_output_has "--detach-keys \`ctrl-1\`"
  nook run -d --name plain -- sleep 1000 >/dev/null
  run nook attach plain
  assert_status 125
  assert_one_error_line
  assert_output_has "has no terminal to attach to"
  run nook run -d -i --name di -- true
  assert_status 125
  assert_output_has "-d cannot be combined with -i alone"
}

