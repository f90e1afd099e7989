#!/usr/bin/env bats
# The shipped profiles (policy/profiles), each running a real program:
# build compiles in the working directory, ci is stopped by its --timeout,
# untrusted reaches neither the network, the home nor the working directory.

load "$NOOK_TESTS/lib.sh"

setup() {
  cd "$BATS_TEST_TMPDIR"
  # Only the shipped profiles: none of the caller's shadows them.
  export XDG_CONFIG_HOME="$BATS_TEST_TMPDIR/config"
}

# No process of the ci test's command is left.
no_sleepers() { [ "$(count_procs 'sleep 301[79]')" = 0 ]; }

teardown() {
  rm -f "$HOME/.nook-profile-canary"
}

@test "build: make and cc build in the working directory, which is writable; no network; nested sandboxes allowed" {
  require "make and cc" command -v make cc
  mkdir src && cd src
  printf '#include <stdio.h>\nint main (void) { puts ("built inside"); return 0; }\n' >hello.c
  printf 'hello: hello.c\n\tcc -O2 -o hello hello.c\n' >Makefile
  run nook run --profile build -- make
  assert_status 0
  # The binary is on the host, in the directory the build ran in.
  [ "$(./hello)" = "built inside" ]
  run nook run --profile build -- sh -c 'ls /sys/class/net 2>/dev/null; cat /proc/net/dev'
  assert_output_lacks eth0
  assert_output_lacks tap0
  run nook run --profile build -- unshare --user --map-root-user id -u
  assert_status 0
  [ "$output" = 0 ]
}

@test "ci: the command is killed when --timeout runs out; nook exits 124, nothing is left" {
  # Durations no other process of this user sleeps, to find them by.
  start=$SECONDS
  run nook run --profile ci --timeout 2s -- sh -c "sleep 3017 & sleep 3019"
  assert_status 124
  assert_one_error_line
  assert_output_has "nook: the command ran longer than --timeout 2s: the sandbox was killed"
  [ $((SECONDS - start)) -lt 60 ]
  wait_until 5 no_sleepers
  # ci's own --timeout (1h) does not cut a short job; its network is up
  # (--net auto: pasta's device named like the host's, or slirp4netns's
  # tap0): an interface besides lo.
  run nook run --profile ci -- sh -c "awk -F: 'NR > 2 { print \$1 }' /proc/net/dev"
  assert_status 0
  [[ "$output" =~ [a-z] ]]
  [ "$(echo "$output" | grep -cv '^ *lo$')" -ge 1 ]
}

@test "ci: a real build and its tests run, in the working directory" {
  require "make and cc" command -v make cc
  printf '#include <stdlib.h>\nint main (void) { return getenv ("CI_OK") ? 0 : 1; }\n' >t.c
  printf 'check: t\n\t./t\nt: t.c\n\tcc -o t t.c\n' >Makefile
  run nook run --profile ci -e CI_OK=1 -- make check
  assert_status 0
  [ -x t ]
  run nook run --profile ci -- make check
  assert_status 2
}

@test "untrusted: no network, no home, no working directory, no capabilities, tight limits" {
  echo "home secret" >"$HOME/.nook-profile-canary"
  echo "cwd secret" >here.txt
  run nook run --profile untrusted -- sh -c '
    cat /proc/net/dev; pwd; ls -A; cat '"$PWD"'/here.txt ~/.nook-profile-canary
    grep CapEff /proc/self/status
    grep -E "Max (processes|open files)" /proc/self/limits
    echo data | gzip | gzip -d'
  assert_output_lacks eth0
  assert_output_lacks tap0
  assert_output_lacks "cwd secret"
  assert_output_lacks "home secret"
  assert_output_has "CapEff:	0000000000000000"
  assert_output_has "Max processes             64                   64"
  assert_output_has "Max open files            256                  256"
  # A real program runs.
  assert_output_has data
  # A fork bomb stops at the limit; the host is untouched.
  run nook run --profile untrusted -- sh -c 'i=0; while [ $i -lt 200 ]; do sleep 5 & i=$((i+1)); done 2>/dev/null; echo spawned-all'
  assert_output_lacks spawned-all
}

@test "untrusted: a command started by nook exec gets the sandbox's limits too" {
  name="untrusted-$$-$RANDOM"
  run nook run -d --name "$name" --profile untrusted -- sleep 60
  assert_status 0
  run nook exec "$name" sh -c 'grep -E "Max (processes|open files)" /proc/self/limits; grep CapEff /proc/self/status'
  nook rm -f "$name"
  assert_output_has "Max processes             64                   64"
  assert_output_has "Max open files            256                  256"
  assert_output_has "CapEff:	0000000000000000"
}
