# nook-oci's containers in cgroups (linux.resources, cgroupsPath, update),
# observed enforced by a real kernel, as an unprivileged user with a
# delegated cgroup v2 subtree (see init).
. /tests/lib.sh
OCI=/usr/local/bin/nook-oci
OCI_ROOT=$HOME/oci-root

# A bundle: busybox, the container's command ARGS (a JSON array), its
# resources (a JSON object) and cgroupsPath.
bundle() { # DIR ARGS RESOURCES CGROUPS-PATH
  mkdir -p "$1/rootfs/bin" "$1/rootfs/proc" "$1/rootfs/dev" "$1/rootfs/sys" "$1/rootfs/tmp"
  cp /bin/busybox "$1/rootfs/bin/busybox"
  for a in sh cat sleep echo; do ln -sf busybox "$1/rootfs/bin/$a"; done
  cat >"$1/config.json" <<JSON
{"ociVersion": "1.2.0",
 "process": {"terminal": false, "user": {"uid": 0, "gid": 0}, "args": $2, "env": ["PATH=/bin"], "cwd": "/"},
 "root": {"path": "rootfs", "readonly": true},
 "mounts": [{"destination": "/proc", "type": "proc", "source": "proc"},
            {"destination": "/dev", "type": "tmpfs", "source": "tmpfs"},
            {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}],
 "linux": {"namespaces": [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "cgroup"}],
           "devices": [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3}],
           "resources": $3 ${4:+, \"cgroupsPath\": \"$4\"}}}
JSON
}

oci() {
  status=0
  out=$(timeout -s KILL 300 "$OCI" --root "$OCI_ROOT" "$@" 2>&1 </dev/null) || status=$?
  echo "\$ nook-oci $* -> $status"
  echo "$out"
}

# For run -d and create: the container inherits stdout and stderr, so they
# go to a file, not to a pipe that a command substitution would read until
# the container ends.
ocid() {
  status=0
  timeout -s KILL 300 "$OCI" --root "$OCI_ROOT" "$@" >>/tmp/ocid.out 2>&1 </dev/null || status=$?
  echo "\$ nook-oci $* -> $status"
}

# The fork bomb of cgroup.sh: 60 background sleeps, "spawned-all" when
# every fork succeeded.
BOMB='(i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); done) 2>/dev/null && echo spawned-all'

test_oci_limits_in_cgroup() {
  bundle /tmp/ob1 '["sh", "-c", "cat /proc/self/cgroup; sleep 60"]' \
    '{"memory": {"limit": 33554432, "swap": 50331648, "reservation": 8388608}, "pids": {"limit": 20},
      "cpu": {"shares": 2048, "quota": 20000, "period": 50000}, "unified": {"memory.high": "31457280"}}' oci/lim
  timeout -s KILL 300 "$OCI" --root "$OCI_ROOT" run -d --bundle /tmp/ob1 lim >/tmp/ob1.out 2>&1 </dev/null || fail "run -d failed"
  dir=$CG/oci/lim
  wait_for 60 "grep -q '^0::' /tmp/ob1.out"
  cat /tmp/ob1.out
  # Inside: born at the root of its own cgroup namespace.
  [ "$(cat /tmp/ob1.out)" = "0::/" ] || fail "the container sees $(cat /tmp/ob1.out)"
  # Outside: the limits in the cgroup cgroupsPath names, converted as runc
  # and crun convert them; the container's processes one level below.
  [ "$(cat $dir/memory.max)" = 33554432 ] || fail "memory.max $(cat $dir/memory.max)"
  [ "$(cat $dir/memory.swap.max)" = 16777216 ] || fail "memory.swap.max $(cat $dir/memory.swap.max)"
  [ "$(cat $dir/memory.low)" = 8388608 ] || fail "memory.low $(cat $dir/memory.low)"
  [ "$(cat $dir/memory.high)" = 31457280 ] || fail "memory.high $(cat $dir/memory.high)"
  [ "$(cat $dir/pids.max)" = 20 ] || fail "pids.max $(cat $dir/pids.max)"
  [ "$(cat $dir/cpu.max)" = "20000 50000" ] || fail "cpu.max $(cat $dir/cpu.max)"
  [ "$(cat $dir/cpu.weight)" = 174 ] || fail "cpu.weight $(cat $dir/cpu.weight)"
  oci state lim
  pid=$(echo "$out" | sed -n 's/.*"pid": *\([0-9]*\).*/\1/p')
  grep -qx "$pid" $dir/sandbox/cgroup.procs || fail "the init $pid is not in $dir/sandbox"
  oci delete --force lim
  [ "$status" = 0 ] || fail "delete failed"
  [ ! -e $dir ] || fail "delete left $dir"
}

test_oci_fork_bomb() {
  # No cgroupsPath: the default place, beside the caller's cgroup.
  bundle /tmp/ob2 "[\"sh\", \"-c\", \"$BOMB\"]" '{"pids": {"limit": 16}}'
  # The shell's fork fails (its status 2), not the runtime.
  oci run --bundle /tmp/ob2 bomb
  case $out in *spawned-all*) fail "all 60 processes were created under pids.limit 16" ;; esac
  [ ! -e $CG/nook-oci/bomb ] || fail "run left its cgroup"
  # Control: with room for them, the same processes start.
  bundle /tmp/ob3 "[\"sh\", \"-c\", \"$BOMB\"]" '{"pids": {"limit": 100}}'
  oci run --bundle /tmp/ob3 nobomb
  [ "$status" = 0 ] || fail "the control failed: $status"
  case $out in *spawned-all*) ;; *) fail "the control did not start its 60 processes" ;; esac
}

test_oci_update() {
  bundle /tmp/ob4 '["sleep", "120"]' '{"pids": {"limit": 30}}' oci/upd
  ocid run -d --bundle /tmp/ob4 upd
  [ "$status" = 0 ] || fail "run -d failed"
  dir=$CG/oci/upd
  [ "$(cat $dir/pids.max)" = 30 ] || fail "pids.max $(cat $dir/pids.max)"
  oci update --pids-limit 6 --memory 64m --cpu-quota 10000 upd
  [ "$status" = 0 ] || fail "update failed"
  [ "$(cat $dir/pids.max)" = 6 ] || fail "pids.max $(cat $dir/pids.max) after update"
  [ "$(cat $dir/memory.max)" = 67108864 ] || fail "memory.max $(cat $dir/memory.max) after update"
  [ "$(cat $dir/cpu.max)" = "10000 100000" ] || fail "cpu.max $(cat $dir/cpu.max) after update"
  # What exec starts joins the container's cgroup, at its namespace's root.
  oci exec upd cat /proc/self/cgroup
  [ "$out" = "0::/" ] || fail "an exec'd process sees $out"
  oci exec upd sh -c "$BOMB"
  case $out in *spawned-all*) fail "exec forked 60 processes under pids.max 6" ;; esac
  echo '{"pids": {"limit": 200}}' >/tmp/ob4.json
  status=0
  timeout -s KILL 300 "$OCI" --root "$OCI_ROOT" update --resources - upd </tmp/ob4.json || status=$?
  [ "$status" = 0 ] || fail "update --resources - failed"
  [ "$(cat $dir/pids.max)" = 200 ] || fail "pids.max $(cat $dir/pids.max) after --resources"
  oci exec upd sh -c "$BOMB"
  case $out in *spawned-all*) ;; *) fail "with pids.max 200 exec could not start 60 processes" ;; esac
  # A file the kernel lacks is named.
  echo '{"unified": {"memory.nonexistent": "1"}}' >/tmp/ob4.json
  status=0
  msg=$(timeout -s KILL 300 "$OCI" --root "$OCI_ROOT" update -r /tmp/ob4.json upd 2>&1) || status=$?
  [ "$status" != 0 ] && echo "$msg" | grep -q memory.nonexistent || fail "unknown file: $status $msg"
  oci delete --force upd
  [ ! -e $dir ] || fail "delete left $dir"
}

test_oci_pause_kill_all() {
  bundle /tmp/ob5 '["sh", "-c", "sleep 100 & sleep 100 & sleep 100"]' '{"pids": {"limit": 50}}' oci/pk
  ocid run -d --bundle /tmp/ob5 pk
  [ "$status" = 0 ] || fail "run -d failed"
  dir=$CG/oci/pk
  wait_for 60 "[ \$(wc -l <$dir/sandbox/cgroup.procs) -ge 3 ]"
  oci pause pk
  [ "$status" = 0 ] || fail "pause failed"
  grep -q 'frozen 1' $dir/cgroup.events || fail "not frozen"
  oci state pk
  echo "$out" | grep -q '"status": *"paused"' || fail "state is not paused"
  oci resume pk
  grep -q 'frozen 0' $dir/cgroup.events || fail "not thawed"
  # --all: every process of the cgroup, the init's children included.
  oci kill --all pk KILL
  [ "$status" = 0 ] || fail "kill --all failed"
  wait_for 30 "grep -q 'populated 0' $dir/cgroup.events"
  oci delete pk
  [ ! -e $dir ] || fail "delete left $dir"
}

test_oci_killed_create() {
  # A createRuntime hook holds create after the cgroup is made; create is
  # killed there.  The next command sweeps its state and its cgroup.
  bundle /tmp/ob6 '["sleep", "100"]' '{"pids": {"limit": 50}}' oci/kc
  sed -i 's|"linux":|"hooks": {"createRuntime": [{"path": "/bin/busybox", "args": ["sleep", "60"]}]}, "linux":|' \
    /tmp/ob6/config.json
  "$OCI" --root "$OCI_ROOT" create --bundle /tmp/ob6 kc >/dev/null 2>&1 </dev/null &
  pid=$!
  wait_for 60 "[ -n \"\$(cat $CG/oci/kc/sandbox/cgroup.procs 2>/dev/null)\" ]"
  kill -KILL $pid
  wait $pid || true
  oci list
  [ ! -e $CG/oci/kc ] || fail "the killed create left $CG/oci/kc: $(cat $CG/oci/kc/sandbox/cgroup.procs)"
  [ ! -e "$OCI_ROOT/kc" ] || fail "the killed create left its state"
}

test_oci_exec_cgroup() {
  bundle /tmp/ob7 '["sleep", "120"]' '{"pids": {"limit": 50}}' oci/ecg
  ocid run -d --bundle /tmp/ob7 ecg
  [ "$status" = 0 ] || fail "run -d failed"
  dir=$CG/oci/ecg
  # Sub-cgroups of the container's, below its processes' cgroup (the root
  # of its cgroup namespace), as the container (systemd in it) makes them.
  mkdir $dir/sandbox/sub $dir/sandbox/sub/deeper
  oci exec --cgroup sub ecg cat /proc/self/cgroup
  [ "$status" = 0 ] && [ "$out" = "0::/sub" ] || fail "exec --cgroup sub: $status, the process sees $out"
  # runc's CONTROLLER:PATH form: one hierarchy, the same place.
  oci exec --cgroup memory,pids:sub/deeper ecg cat /proc/self/cgroup
  [ "$status" = 0 ] && [ "$out" = "0::/sub/deeper" ] || fail "exec --cgroup memory,pids:sub/deeper: $status, $out"
  # Seen from outside: the detached process is in that cgroup, not in
  # the container's own.
  ocid exec --detach --pid-file /tmp/ob7.pid --cgroup sub ecg sleep 60
  [ "$status" = 0 ] || fail "exec --detach --cgroup sub failed"
  pid=$(cat /tmp/ob7.pid)
  grep -qx "$pid" $dir/sandbox/sub/cgroup.procs || fail "$pid is not in sub: $(cat $dir/sandbox/sub/cgroup.procs)"
  grep -qx "$pid" $dir/sandbox/cgroup.procs && fail "$pid is in the container's own cgroup"
  # Without --cgroup: the container's own cgroup, as before.
  oci exec ecg cat /proc/self/cgroup
  [ "$out" = "0::/" ] || fail "exec without --cgroup sees $out"
  # What is not there, or not a cgroup, or outside: one error, status 125.
  for bad in nosuch sub/nosuch cgroup.procs ../.. /sub; do
    oci exec --cgroup "$bad" ecg true
    [ "$status" = 125 ] || fail "exec --cgroup $bad: status $status"
    [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q -- "--cgroup" || fail "exec --cgroup $bad: $out"
  done
  oci delete --force ecg
  [ "$status" = 0 ] || fail "delete failed"
  [ ! -e $dir ] || fail "delete left $dir"
}

t "nook-oci: linux.resources in the cgroupsPath cgroup, converted; the container at its namespace's root; delete removes it" test_oci_limits_in_cgroup
t "nook-oci: a fork bomb stops at linux.resources.pids.limit" test_oci_fork_bomb
t "nook-oci update changes pids.max (flags and --resources -), enforced on exec'd processes" test_oci_update
t "nook-oci pause/resume freeze the cgroup; kill --all signals every process in it" test_oci_pause_kill_all
t "nook-oci: a create killed with SIGKILL leaves no cgroup after the next command" test_oci_killed_create
t "nook-oci exec --cgroup starts the process in a cgroup below the container's; a missing one is an error" test_oci_exec_cgroup
