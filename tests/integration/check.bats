#!/usr/bin/env bats
# nook check: host diagnostics.

load "$NOOK_TESTS/lib.sh"

@test "nook check passes on this host and names each check" {
  run nook check
  assert_status 0
  assert_output_has "PASS  user namespaces"
  assert_output_has "newuidmap"
  assert_output_has "kernel overlayfs"
  assert_output_has "cgroup"
  assert_output_has "failed,"
}

@test "nook check reports the hybrid cgroup mode of this host with a fix" {
  require "a hybrid or v1 cgroup host" grep -q ' cgroup ' /proc/self/mounts
  run nook check
  assert_output_has "WARN  cgroups"
  assert_output_has "hybrid"
}

@test "nook check --json is valid JSON with a status per check" {
  run nook check --json
  assert_status 0
  echo "$output" | python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["ok"] is True; assert all(c["status"] in ("PASS","WARN","FAIL") for c in d["checks"]); assert len(d["checks"]) >= 10'
}

@test "nook check FAILs with exit 1 when newuidmap is not setuid" {
  mkdir -p "$BATS_TEST_TMPDIR/fakebin"
  cp /usr/bin/newuidmap /usr/bin/newgidmap "$BATS_TEST_TMPDIR/fakebin/"
  run env PATH="$BATS_TEST_TMPDIR/fakebin:$PATH" "$NOOK" check
  assert_status 1
  assert_output_has "FAIL  newuidmap"
  assert_output_has "fix: as root: setcap"
}

@test "nook check rejects unknown options" {
  run nook check --bogus
  assert_status 125
  assert_output_has "unknown option"
}

@test "nook check --json has exactly the members its man page documents" {
  page="$NOOK_TESTS/../man/nook-check.1.md"
  require "the man pages next to the tests (tests/run copies them)" test -f "$page"
  run nook check --json
  assert_status 0
  echo "$output" >out.json
  python3 - "$page" out.json <<'PY'
import json, sys
page = open(sys.argv[1]).read()
# The example in the page: the indented line that opens with {"checks" and the next one.
lines = page.splitlines()
i = next(n for n, l in enumerate(lines) if l.strip().startswith('{"checks"'))
doc = json.loads(lines[i] + lines[i + 1])
out = json.load(open(sys.argv[2]))
assert set(out) == set(doc), (sorted(out), sorted(doc))
for c in out["checks"]:
    assert set(c) == set(doc["checks"][0]), (sorted(c), sorted(doc["checks"][0]))
    assert c["status"] in ("PASS", "WARN", "FAIL")
    assert (c["fix"] is None) == (c["status"] == "PASS"), c
assert out["fail"] == sum(c["status"] == "FAIL" for c in out["checks"])
assert out["warn"] == sum(c["status"] == "WARN" for c in out["checks"])
assert out["ok"] == (out["fail"] == 0)
PY
}
