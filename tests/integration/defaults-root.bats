#!/usr/bin/env bats
# The default root: what programs look for besides /usr and /etc.

load "$NOOK_TESTS/lib.sh"

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "/var/tmp and /run are private, writable tmpfs; /var/run points to /run" {
  run nook run -- sh -c 'touch /var/tmp/a /run/b && stat -f -c %T /var/tmp /run && readlink /var/run'
  assert_status 0
  [ "${lines[0]}" = tmpfs ]
  [ "${lines[1]}" = tmpfs ]
  [ "${lines[2]}" = /run ]
  # Private: a file left there by one sandbox is not in the next one.
  run nook run -- sh -c 'touch /var/tmp/left; ls -A /var/tmp'
  [ "$output" = left ]
  run nook run -- ls -A /var/tmp
  assert_status 0
  [ -z "$output" ]
}

@test "/opt and /srv are the host's, read-only" {
  require "the host has /opt" test -d /opt
  run nook run -- sh -c 'ls -A /opt; touch /opt/x'
  [ "$status" -ne 0 ]
  [ "${lines[0]}" = "$(ls -A /opt | head -1)" ]
  assert_output_has "Read-only file system"
  run nook run -- test -d /srv
  [ "$status" -eq "$([ -d /srv ] && echo 0 || echo 1)" ]
}

@test "dpkg -l and apt-cache read the host's package database, read-only" {
  require "dpkg and apt" test -f /var/lib/dpkg/status -a -x /usr/bin/apt-cache
  run nook run -- sh -c 'dpkg -l dpkg | tail -1'
  assert_status 0
  [[ "$output" == "ii  dpkg "* ]]
  run nook run -- apt-cache policy dpkg
  assert_status 0
  assert_output_has "Installed: $(dpkg-query -W -f '${Version}' dpkg)"
  run nook run -- touch /var/lib/dpkg/x
  [ "$status" -ne 0 ]
  # The rest of /var/lib (other services' state) stays out.
  run nook run -- ls /var/lib
  assert_status 0
  [ "$(echo $output)" = "apt dpkg" ]
  run nook run -- test -e /var/log
  [ "$status" -eq 1 ]
}

@test "--share-ipc shares the host's /dev/shm; without it /dev/shm is private" {
  f=/dev/shm/nook-test-$$
  echo host >"$f"
  run nook run --share-ipc -- sh -c "cat $f; echo sandbox > $f.back"
  rm -f "$f"
  assert_status 0
  [ "$output" = host ]
  [ "$(cat "$f.back")" = sandbox ]
  rm -f "$f.back"
  echo host >"$f"
  run nook run -- test -e "$f"
  rm -f "$f"
  [ "$status" -eq 1 ]
}
