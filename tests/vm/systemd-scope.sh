# The systemd path: the tester's cgroup is not delegated (a system
# service's), so nook asks the tester's user manager for a transient scope
# with Delegate=yes over D-Bus, and makes the sandbox's cgroup in there.
# Run by systemd/nook-vm-test.service as root; nook runs as the tester.
NOOK=/usr/local/bin/nook
U=1000

t() { # DESCRIPTION FUNCTION
  # Not in an if: a condition context would switch set -e off inside.
  (set -e; "$2") >/tmp/test.log 2>&1
  if [ $? = 0 ]; then
    echo "nook-vm: ok - $1"
  else
    echo "nook-vm: not ok - $1"
    sed 's/^/nook-vm: #   /' /tmp/test.log
  fi
}
# Tests run in a subshell: a failure ends the test there.
fail() { echo "$*" >&2; exit 1; }
as_tester() {
  runuser -u tester -- env XDG_RUNTIME_DIR=/run/user/$U DBUS_SESSION_BUS_ADDRESS=unix:path=/run/user/$U/bus "$@"
}
run() {
  status=0
  out=$(cd /tmp && as_tester timeout -s KILL 300 "$NOOK" "$@" 2>&1 </dev/null) || status=$?
  echo "\$ nook $* -> $status"
  echo "$out"
}
scopes() { find /sys/fs/cgroup/user.slice/user-$U.slice/user@$U.service -name 'nook-*.scope' -type d; }

test_not_delegated_here() {
  grep -q '^0::/system.slice/nook-vm-test.service$' /proc/self/cgroup || fail "$(cat /proc/self/cgroup)"
  [ "$(stat -c %u /sys/fs/cgroup/system.slice/nook-vm-test.service)" = 0 ] || fail "delegated?"
}

test_scope_oom() {
  run run --name oom --memory 32m --memory-swap 0 -- sh -c 'head -c 64m /dev/zero | tail -n 1 >/dev/null'
  [ "$status" = 137 ] || fail "status $status"
  echo "$out" | grep -q '^nook: the sandbox ran out of memory' || fail "no OOM message"
}

test_scope_cgroup() {
  run run --name where --pids-limit 20 -- cat /proc/self/cgroup
  [ "$status" = 0 ] && [ "$out" = "0::/" ] || fail "status $status, $out"
}

test_scope_stats() {
  (cd /tmp && as_tester "$NOOK" run --name st --pids-limit 20 --memory 64m -- sleep 15 >/dev/null 2>&1) &
  i=0
  until [ -n "$(scopes)" ] && as_tester "$NOOK" stats --no-stream --format json | grep -q '"name":"st"'; do
    i=$((i + 1)); [ $i -lt 150 ] || fail "no stats for st"; sleep 0.2
  done
  json=$(as_tester "$NOOK" stats --no-stream --format json st)
  echo "$json"
  scopes
  echo "$json" | grep -q '"cgroup":"/sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/[^"]*nook-st.scope/nook/st"' \
    || fail "not in the scope nook-st.scope"
  echo "$json" | grep -q '"pids":{"current":[1-9][0-9]*,"max":20}' || fail "pids"
  wait
}

test_scope_removed() {
  i=0
  while [ -n "$(scopes)" ]; do
    i=$((i + 1)); [ $i -lt 100 ] || fail "scopes left: $(scopes)"; sleep 0.2
  done
}

echo "nook-vm: # systemd $(systemctl --version | head -1), user@1000: $(cat /sys/fs/cgroup/user.slice/user-1000.slice/user@1000.service/cgroup.controllers)"
t "the tester runs in a cgroup that is not delegated" test_not_delegated_here
t "in a systemd scope: an allocation over --memory is OOM-killed with 137" test_scope_oom
t "in a systemd scope: the sandbox is born at the root of its cgroup namespace" test_scope_cgroup
t "in a systemd scope: nook stats finds the sandbox in nook-NAME.scope" test_scope_stats
t "in a systemd scope: the scope is gone once the sandboxes ended" test_scope_removed
echo "nook-vm: done"
