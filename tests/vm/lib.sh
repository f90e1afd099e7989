# Helpers for the VM suites (busybox sh).  Each test is a shell function run
# in a subshell with `set -e`; its output is shown only when it fails.
NOOK=/usr/local/bin/nook
CG=${NOOK_VM_CGROUP:?}
SANDBOXES=$CG/nook
TEST_LOG=$(mktemp)

# NOOK_VM_ONLY (nook.only= on the kernel command line) runs one test.
ONLY=$(sed -n 's/.*nook\.only=\([^ ]*\).*/\1/p' /proc/cmdline)

t() { # DESCRIPTION FUNCTION
  [ -z "$ONLY" ] || [ "$ONLY" = "$2" ] || return 0
  if grep -q 'nook\.debug' /proc/cmdline; then # live output, for debugging the suite
    (set -ex; "$2") 2>&1 | sed 's/^/nook-vm: # /'
    return
  fi
  # Not in an if: a condition context would switch set -e off inside.
  (set -e; "$2") >"$TEST_LOG" 2>&1
  if [ $? = 0 ]; then
    echo "nook-vm: ok - $1"
  else
    echo "nook-vm: not ok - $1"
    sed 's/^/nook-vm: #   /' "$TEST_LOG"
  fi
}

# Tests run in a subshell: a failure ends the test there.
fail() { echo "$*" >&2; exit 1; }

# Runs nook with a generous timeout (the VM is ~9x slower than a host),
# keeping stdout+stderr in $out and the status in $status.
run() {
  status=0
  out=$(timeout -s KILL 300 "$NOOK" "$@" 2>&1 </dev/null) || status=$?
  echo "\$ nook $* -> $status"
  echo "$out"
}

# Waits up to N seconds (of the VM's clock) for a shell condition.
wait_for() { # SECONDS CONDITION
  end=$(($(cut -d. -f1 /proc/uptime) + $1))
  while ! eval "$2"; do
    [ "$(cut -d. -f1 /proc/uptime)" -lt $end ] || fail "timed out waiting for: $2"
    sleep 0.2
  done
}

# Nothing of nook left in the cgroup tree.
assert_no_sandbox_cgroups() {
  left=$(find "$SANDBOXES" -mindepth 1 -maxdepth 1 -type d 2>/dev/null)
  [ -z "$left" ] || fail "cgroups left in $SANDBOXES: $left"
}
