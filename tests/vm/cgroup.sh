# Resource limits, observed enforced by a real kernel, as an unprivileged
# user with a delegated cgroup v2 subtree (see init).
. /tests/lib.sh

test_clone_into_cgroup() {
  "$NOOK" run --name born --pids-limit 10 -- sh -c 'cat /proc/self/cgroup; sleep 3' >/tmp/born.out 2>&1 &
  pid=$!
  wait_for 60 "grep -q '^0::' /tmp/born.out"
  procs=$(cat $SANDBOXES/born/sandbox/cgroup.procs)
  caller=$(cat /proc/$pid/cgroup)
  wait $pid
  # Inside: born in its cgroup (CLONE_INTO_CGROUP), which is its cgroup
  # namespace's root; one moved after the clone would see a path here.
  [ "$(cat /tmp/born.out)" = "0::/" ] || fail "sandbox sees $(cat /tmp/born.out)"
  # Outside: the sandbox's processes are in its cgroup, nook is not.
  [ -n "$procs" ] || fail "no process in the sandbox's cgroup"
  case $procs in *"$pid"*) fail "nook itself is in the sandbox's cgroup" ;; esac
  [ "$caller" = "0::/user-1000/nook-caller" ] || fail "nook is in $caller"
  assert_no_sandbox_cgroups
}

test_pids_limit() {
  # A bomb of background sleeps: forks past the limit fail, the kernel
  # counts them in pids.events.
  "$NOOK" run --name bomb --pids-limit 16 -- sh -c \
    '(i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); done) 2>/dev/null && echo spawned-all; sleep 4' \
    >/tmp/bomb.out 2>&1 &
  pid=$!
  # Linux < 6.12 counts a refused fork in the cgroup of the process that
  # forked, later ones in the cgroup whose limit refused it.
  wait_for 60 "cat $SANDBOXES/bomb/pids.events $SANDBOXES/bomb/sandbox/pids.events 2>/dev/null | grep -q 'max [1-9]'"
  cur=$(cat $SANDBOXES/bomb/pids.current)
  [ "$cur" -le 16 ] || fail "pids.current $cur above 16"
  wait $pid || true
  if grep -q spawned-all /tmp/bomb.out; then fail "all 60 processes were created"; fi
  assert_no_sandbox_cgroups
}

test_pids_control() {
  # Control: with room for them, the same 60 processes start.
  run run --pids-limit 100 -- sh -c \
    '(i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); done) 2>/dev/null && echo spawned-all'
  [ "$status" = 0 ] && [ "$out" = spawned-all ] || fail "status $status"
}

test_oom_kill() {
  # tail keeps its whole input (one line) in memory: 64 MiB past 32 MiB.
  run run --memory 32m --memory-swap 0 -- sh -c 'head -c 64m /dev/zero | tail -n 1 >/dev/null'
  [ "$status" = 137 ] || fail "status $status, expected 137"
  echo "$out" | grep -Eq '^nook: the sandbox ran out of memory \(--memory 32m\): the kernel killed [0-9]+ process(es)?$' \
    || fail "no OOM message"
  assert_no_sandbox_cgroups
}

test_under_memory_limit() {
  run run --memory 32m --memory-swap 0 -- sh -c 'head -c 8m /dev/zero | tail -n 1 | wc -c'
  [ "$status" = 0 ] || fail "status $status"
  [ "$out" = 8388608 ] || fail "output $out"
}

test_cpus_throttled() {
  "$NOOK" run --name busy --cpus 0.2 -- sh -c 'while :; do :; done' >/dev/null 2>&1 &
  pid=$!
  wait_for 60 "[ -e $SANDBOXES/busy/cpu.max ]"
  [ "$(cat $SANDBOXES/busy/cpu.max)" = "20000 100000" ] || fail "cpu.max $(cat $SANDBOXES/busy/cpu.max)"
  sleep 1
  u0=$(awk '/^usage_usec/ {print $2}' $SANDBOXES/busy/cpu.stat)
  t0=$(awk '{print int($1 * 1000000)}' /proc/uptime)
  sleep 3
  u1=$(awk '/^usage_usec/ {print $2}' $SANDBOXES/busy/cpu.stat)
  t1=$(awk '{print int($1 * 1000000)}' /proc/uptime)
  throttled=$(awk '/^nr_throttled/ {print $2}' $SANDBOXES/busy/cpu.stat)
  share=$(((u1 - u0) * 100 / (t1 - t0)))
  echo "CPU share ${share}%, throttled $throttled times"
  kill $pid
  wait $pid || true
  [ "$throttled" -gt 0 ] || fail "never throttled"
  [ "$share" -ge 10 ] && [ "$share" -le 30 ] || fail "share ${share}% not about 20%"
  assert_no_sandbox_cgroups
}

test_cannot_raise_or_leave() {
  # CAP_SYS_ADMIN (and so the mount calls) is granted on purpose: the
  # cgroup layout itself must hold against a sandbox that can mount cgroup2.
  "$NOOK" run --name jail --memory 48m --pids-limit 20 --cap-add SYS_ADMIN -- sh -c '
    mkdir /tmp/cg && mount -t cgroup2 none /tmp/cg || exit 3
    echo max > /tmp/cg/memory.max && echo RAISED-MEMORY
    echo max > /tmp/cg/pids.max && echo RAISED-PIDS
    echo $$ > /tmp/cg/cgroup.procs && echo MOVED
    cat /proc/self/cgroup
    ls /tmp/cg
    sleep 3' >/tmp/jail.out 2>&1 &
  pid=$!
  wait_for 60 "grep -q '^0::' /tmp/jail.out"
  # From outside: the limits are the ones nook set, every process is still
  # in the sandbox's cgroup.
  [ "$(cat $SANDBOXES/jail/memory.max)" = 50331648 ] || fail "memory.max changed"
  [ "$(cat $SANDBOXES/jail/pids.max)" = 20 ] || fail "pids.max changed"
  for p in $(cat $SANDBOXES/jail/sandbox/cgroup.procs); do
    grep -q "^0::.*/nook/jail/sandbox" /proc/$p/cgroup || fail "process $p left: $(cat /proc/$p/cgroup)"
  done
  wait $pid || true
  cat /tmp/jail.out
  if grep -q RAISED /tmp/jail.out; then fail "the sandbox raised a limit"; fi
  grep -q '^0::/$' /tmp/jail.out || fail "the sandbox is not at its namespace's root"
  assert_no_sandbox_cgroups
}

test_stats() {
  "$NOOK" run --name st --memory 64m --pids-limit 20 -- sh -c 'head -c 16m /dev/zero > /tmp/f; echo ready; sleep 60' \
    >/tmp/st.out 2>&1 &
  pid=$!
  wait_for 60 "grep -q ready /tmp/st.out"
  json=$("$NOOK" stats --no-stream --format json)
  echo "$json"
  table=$("$NOOK" stats --no-stream st)
  echo "$table"
  kill -TERM $pid
  wait $pid || true
  echo "$json" | grep -q '"name":"st"' || fail "no sandbox st"
  cur=$(echo "$json" | sed -n 's/.*"memory":{"current":\([0-9]*\).*/\1/p')
  [ "$cur" -ge 16777216 ] || fail "memory.current $cur below the 16 MiB written"
  echo "$json" | grep -q '"max":67108864' || fail "no memory max"
  echo "$json" | grep -q '"pids":{"current":[2-9],"max":20}' || fail "pids not reported"
  echo "$table" | grep -q '^st .* / 64.0MiB .* / 20 ' || fail "table lacks st"
  assert_no_sandbox_cgroups
}

test_sigkill_cleanup() {
  "$NOOK" run --name killed --pids-limit 10 -- sleep 120 &
  pid=$!
  wait_for 60 "[ -n \"\$(cat $SANDBOXES/killed/sandbox/cgroup.procs 2>/dev/null)\" ]"
  kill -KILL $pid
  wait $pid || true
  # The sandbox died with nook (PDEATHSIG); its cgroup waits for the next
  # nook command, which sees that no nook holds it any more.
  wait_for 30 "grep -q 'populated 0' $SANDBOXES/killed/cgroup.events"
  "$NOOK" stats --no-stream >/dev/null
  assert_no_sandbox_cgroups
  if pgrep -f 'sleep 120'; then fail "a process of the sandbox survived"; fi
}

test_parallel() {
  i=0
  while [ $i -lt 20 ]; do
    (timeout -s KILL 600 "$NOOK" run --pids-limit 10 --memory 32m -- true; echo "rc=$?" >/tmp/par.$i) &
    i=$((i + 1))
  done
  wait
  cat /tmp/par.*
  [ "$(cat /tmp/par.* | grep -c '^rc=0$')" = 20 ] || fail "not all 20 sandboxes succeeded"
  assert_no_sandbox_cgroups
}

test_other_limits_written() {
  "$NOOK" run --name lim --cpu-weight 500 --memory-high 40m --io-weight 50 --cpuset-cpus 1 -- sh -c \
    'grep Cpus_allowed_list /proc/self/status; sleep 3' >/tmp/lim.out 2>&1 &
  pid=$!
  wait_for 60 "grep -q Cpus /tmp/lim.out"
  w=$(cat $SANDBOXES/lim/cpu.weight) h=$(cat $SANDBOXES/lim/memory.high) io=$(cat $SANDBOXES/lim/io.weight)
  wait $pid || true
  cat /tmp/lim.out
  [ "$w" = 500 ] && [ "$h" = 41943040 ] && [ "$io" = "default 50" ] || fail "weight $w high $h io $io"
  grep -q 'Cpus_allowed_list:.*1$' /tmp/lim.out || fail "not pinned to CPU 1"
}

test_kernel_rejects_value() {
  run run --cpuset-cpus 7 -- true
  [ "$status" = 125 ] || fail "status $status"
  echo "$out" | grep -q '^nook: --cpuset-cpus: write `cpuset.cpus`: ' || fail "message: $out"
  assert_no_sandbox_cgroups
}

# Seconds (VM clock, 1/100) that a command takes.
elapsed_cs() { # COMMAND...
  t0=$(awk '{print int($1 * 100)}' /proc/uptime)
  "$@"
  t1=$(awk '{print int($1 * 100)}' /proc/uptime)
  echo $((t1 - t0))
}

test_device_bps() {
  [ -d /mnt/disk/tester ] || fail "no disk in the VM (virtio_blk, ext4)"
  # A directory inside the tester's own: nook binds it as the working
  # directory (the top of a directory one owns is not bound).
  mkdir -p /mnt/disk/tester/io
  cd /mnt/disk/tester/io
  dev=$(cat /sys/block/vda/dev)
  # 4 MiB in direct I/O at 1 MiB/s: about 4 s; unlimited, a fraction of it.
  free=$(elapsed_cs "$NOOK" run -- dd if=/dev/zero of=free bs=64k count=64 oflag=direct)
  wlim=$(elapsed_cs "$NOOK" run --device-write-bps /dev/vda:1m -- dd if=/dev/zero of=w bs=64k count=64 oflag=direct)
  rlim=$(elapsed_cs "$NOOK" run --device-read-bps /dev/vda:1m -- dd if=w of=/dev/null bs=64k iflag=direct)
  echo "device $dev: unlimited ${free} cs, write-limited ${wlim} cs, read-limited ${rlim} cs"
  [ "$(stat -c %s w)" = 4194304 ] || fail "write incomplete"
  [ "$wlim" -ge 250 ] || fail "4 MiB written in $wlim cs at 1 MiB/s"
  [ "$rlim" -ge 250 ] || fail "4 MiB read in $rlim cs at 1 MiB/s"
  [ "$free" -lt $((wlim / 2)) ] || fail "unlimited took $free cs"
  assert_no_sandbox_cgroups
}

test_memory_swap() {
  grep -q /mnt/disk/swap /proc/swaps || fail "no swap in the VM"
  # 24 MiB held at once under a 16 MiB memory limit: only with swap.
  run run --memory 16m --memory-swap 0 -- sh -c 'head -c 24m /dev/zero | tail -n 1 >/dev/null'
  [ "$status" = 137 ] || fail "without swap: status $status"
  run run --memory 16m --memory-swap 40m -- sh -c 'head -c 24m /dev/zero | tail -n 1 >/dev/null'
  [ "$status" = 0 ] || fail "with swap: status $status"
  assert_no_sandbox_cgroups
}

test_memory_high() {
  grep -q /mnt/disk/swap /proc/swaps || fail "no swap in the VM"
  # Above memory.high the kernel reclaims (here, to swap) instead of killing.
  "$NOOK" run --name high --memory-high 8m -- sh -c \
    'head -c 24m /dev/zero | tail -n 1 >/dev/null; echo status=$?; sleep 3' >/tmp/high.out 2>&1 &
  pid=$!
  wait_for 120 "grep -q status= /tmp/high.out"
  events=$(cat $SANDBOXES/high/memory.events)
  wait $pid
  echo "$events"
  grep -q 'status=0' /tmp/high.out || fail "$(cat /tmp/high.out)"
  echo "$events" | grep -q '^high [1-9]' || fail "memory.high never reached"
  echo "$events" | grep -q '^oom_kill 0' || fail "OOM-killed under memory.high"
}

test_pause_freezer() {
  # A busy loop that appends to a file the host reads: its size grows
  # while the sandbox runs (an append is never seen half done).
  mkdir -p /tmp/fz
  "$NOOK" run -d --name fz --pids-limit 50 -v /tmp/fz:/out -- \
    sh -c 'while :; do echo x >> /out/count; done' >/dev/null </dev/null
  wait_for 60 "[ -s /tmp/fz/count ]"
  run pause fz
  [ "$status" = 0 ] || fail "pause: status $status"
  # Frozen through the cgroup freezer, which the kernel says is complete...
  [ "$(cat $SANDBOXES/fz/cgroup.freeze)" = 1 ] || fail "cgroup.freeze is not 1"
  grep -q '^frozen 1' $SANDBOXES/fz/cgroup.events || fail "cgroup.events: $(cat $SANDBOXES/fz/cgroup.events)"
  # ...not stopped by signals: no process of it is in state T.
  for p in $(cat $SANDBOXES/fz/sandbox/cgroup.procs); do
    [ "$(awk '{ print $3 }' /proc/$p/stat)" != T ] || fail "process $p was stopped with a signal"
  done
  run ps
  echo "$out" | grep fz | grep -q paused || fail "nook ps does not say paused"
  run inspect fz
  echo "$out" | grep -q '"status": *"paused"' || fail "nook inspect does not say paused"
  # Nothing runs while frozen: the file stands still for a second.
  c1=$(wc -c </tmp/fz/count)
  sleep 1
  [ "$(wc -c </tmp/fz/count)" = "$c1" ] || fail "the loop ran on while frozen"
  run unpause fz
  [ "$status" = 0 ] || fail "unpause: status $status"
  grep -q '^frozen 0' $SANDBOXES/fz/cgroup.events || fail "still frozen after unpause"
  wait_for 30 "[ \"\$(wc -c </tmp/fz/count)\" != $c1 ]"
  run ps
  echo "$out" | grep fz | grep -q running || fail "nook ps does not say running"
  # SIGCONT by nook kill resumes a frozen sandbox as unpause does: thawed,
  # and no longer recorded paused.
  run pause fz
  grep -q '^frozen 1' $SANDBOXES/fz/cgroup.events || fail "not frozen by the second pause"
  run kill -s CONT fz
  [ "$status" = 0 ] || fail "kill -s CONT: status $status"
  grep -q '^frozen 0' $SANDBOXES/fz/cgroup.events || fail "still frozen after kill -s CONT"
  c2=$(wc -c </tmp/fz/count)
  wait_for 30 "[ \"\$(wc -c </tmp/fz/count)\" != $c2 ]"
  run inspect fz
  echo "$out" | grep -q '"paused": *false' || fail "still recorded paused after kill -s CONT"
  run rm -f fz
  assert_no_sandbox_cgroups
}

t "the sandbox is born in its cgroup, the root of its cgroup namespace" test_clone_into_cgroup
t "a fork bomb stops at --pids-limit" test_pids_limit
t "without the low --pids-limit the same processes start" test_pids_control
t "an allocation over --memory is OOM-killed: exit 137 and nook's message" test_oom_kill
t "an allocation under --memory succeeds" test_under_memory_limit
t "above --memory-high the sandbox is reclaimed, not killed" test_memory_high
t "--memory-swap lets a sandbox swap past --memory, --memory-swap 0 does not" test_memory_swap
t "a busy loop under --cpus 0.2 gets about 20% of a CPU (cpu.stat throttling)" test_cpus_throttled
t "the sandbox cannot raise its limits or leave its cgroup" test_cannot_raise_or_leave
t "nook stats reports the running usage" test_stats
t "the cgroup of a nook killed with SIGKILL is removed by the next nook command" test_sigkill_cleanup
t "20 sandboxes with limits in parallel leave nothing behind" test_parallel
t "--cpu-weight, --memory-high, --io-weight and --cpuset-cpus are written and applied" test_other_limits_written
t "a value the kernel refuses is one clear error and leaves nothing" test_kernel_rejects_value
t "--device-write-bps and --device-read-bps throttle I/O to a disk (io.max)" test_device_bps
t "nook pause freezes a sandbox with a cgroup through cgroup.freeze; unpause, and kill -s CONT, thaw it" test_pause_freezer
