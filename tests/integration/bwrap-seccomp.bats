#!/usr/bin/env bats
# nook-bwrap: compiled seccomp programs from fds, and nook's own policy.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/bwrap.bash"

setup() {
  cd "$BATS_TEST_TMPDIR"
  require "python3-seccomp" /usr/bin/python3 -c 'import seccomp'
}

@test "bwrap: no seccomp program unless one is given" {
  run bw --ro-bind / / grep Seccomp: /proc/self/status
  [ "$output" = "Seccomp:	0" ]
}

@test "bwrap: --seccomp loads a compiled program" {
  bpf_deny deny-mkdir 1 mkdir mkdirat
  run "$BWRAP" "${HOST_RO[@]}" --tmpfs /tmp --seccomp 5 sh -c 'mkdir /tmp/x 2>&1; test ! -d /tmp/x' 5<deny-mkdir
  assert_status 0
  assert_output_has "Operation not permitted"
}

@test "bwrap: --add-seccomp-fd loads several, each one's refusal holds" {
  bpf_deny deny-mkdirat 1 mkdir mkdirat
  bpf_deny deny-symlinkat 13 symlink symlinkat
  run "$BWRAP" "${HOST_RO[@]}" --tmpfs /tmp --add-seccomp-fd 5 --add-seccomp-fd 6 \
    sh -c 'mkdir /tmp/x 2>&1; ln -s a /tmp/l 2>&1; true' 5<deny-mkdirat 6<deny-symlinkat
  assert_status 0
  assert_output_has "Operation not permitted"
  assert_output_has "Permission denied"
}

@test "bwrap: bad seccomp data and mixed --seccomp and --add-seccomp-fd are refused" {
  printf 'abc' > bad
  run "$BWRAP" --ro-bind / / --seccomp 5 true 5<bad
  assert_status 1
  [ "$output" = "bwrap: Invalid seccomp data, must be multiple of 8" ]
  bpf_deny p 1 mkdirat
  run "$BWRAP" --ro-bind / / --seccomp 5 --add-seccomp-fd 5 true 5<p
  [ "$output" = "bwrap: --add-seccomp-fd cannot be combined with --seccomp" ]
  run "$BWRAP" --ro-bind / / --add-seccomp-fd 5 --add-seccomp-fd 5 true 5<p
  assert_status 1
  assert_output_has "bwrap: Can't read seccomp data: Bad file descriptor"
}

@test "bwrap: --nook-seccomp adds nook's policy" {
  run bw "${HOST_RO[@]}" --nook-seccomp default sh -c 'grep Seccomp: /proc/self/status; unshare -U true 2>/dev/null || echo refused'
  assert_status 0
  [ "${lines[0]}" = "Seccomp:	2" ] && [ "${lines[1]}" = refused ]
}
