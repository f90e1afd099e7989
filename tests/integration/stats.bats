#!/usr/bin/env bats
# nook stats for sandboxes without limits: CPU, memory and pids from /proc.

load "$NOOK_TESTS/lib.sh"

setup() {
  use_private_state
  cd "$BATS_TEST_TMPDIR"
}

teardown() {
  "$NOOK" rm -f busy idle </dev/null >/dev/null 2>&1 || true
  remove_private_state
}

@test "nook stats lists every running sandbox, with CPU and memory from /proc where it has no cgroup" {
  nook run -d --name busy -- sh -c 'while :; do :; done' >/dev/null
  nook run -d --name idle -- sh -c 'head -c 24m /dev/zero | tail -c 24m > /dev/null & sleep 1000' >/dev/null
  wait_until 10 sh -c '"$NOOK" ps | grep -q " idle "'
  run nook stats --no-stream --format json
  assert_status 0
  echo "$output" >stats.json
  python3 - stats.json <<'PY'
import json, sys
rows = {r["name"]: r for r in json.load(open(sys.argv[1]))}
assert set(rows) == {"busy", "idle"}, rows
busy, idle = rows["busy"], rows["idle"]
for r in rows.values():
    assert r["source"] == "proc" and r["cgroup"] is None, r
    assert r["memory"]["current"] > 100 * 1024, r
    assert r["memory"]["max"] is None and r["pids"]["max"] is None, r
    # Every empty value says why.
    assert set(r["why_empty"]) == {"memory.max", "memory.peak", "pids.max", "io"}, r
    assert "no cgroup" in r["why_empty"]["io"], r
# A busy loop uses about one CPU (less on a loaded machine); sleep almost none.
assert busy["cpu_percent"] > 10, busy
assert idle["cpu_percent"] < busy["cpu_percent"], rows
assert busy["pids"]["current"] >= 2 and idle["pids"]["current"] >= 3, rows
PY
  run nook stats --no-stream busy
  assert_status 0
  [[ "${lines[1]}" == busy\ * ]]
  [ "${lines[2]}" = "busy: no cgroup (started without limits): CPU, MEM and PIDS summed over its processes from /proc; no limit, peak or I/O" ]
  nook kill idle
  wait_until 10 sh -c '! "$NOOK" ps | grep -q " idle "'
  run nook stats --no-stream idle
  assert_status 125
  assert_one_error_line
}
