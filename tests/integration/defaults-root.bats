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

@test "/var/tmp, /run and /dev/shm have no tmpfs instance of their own, and stay apart" {
  # Each is a directory of the tmpfs above it (/ or /dev) bound on itself:
  # the same superblock (device) as its parent, fewer superblocks to set
  # up and tear down, and still writable under the read-only root, with its
  # own mode and flags.
  cat >mounts.sh <<'EOF'
stat -c '%n %d %a' / /var/tmp /run /dev /dev/shm
for m in /var/tmp /run /dev/shm; do awk -v m="$m" '$5 == m { print $5, $6 }' /proc/self/mountinfo; done
# The tmpfs instances: the field after "-" is the type, $3 the device.
awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "tmpfs") print $3; break } }' \
  /proc/self/mountinfo | sort -u | wc -l
EOF
  run nook run -- sh mounts.sh
  assert_status 0
  root=$(echo "${lines[0]}" | cut -d' ' -f2) dev=$(echo "${lines[3]}" | cut -d' ' -f2)
  [ "${lines[1]}" = "/var/tmp $root 1777" ]
  [ "${lines[2]}" = "/run $root 755" ]
  [ "${lines[4]}" = "/dev/shm $dev 1777" ]
  [[ "${lines[5]}" == "/var/tmp rw,nosuid,nodev,"* ]]
  [[ "${lines[6]}" == "/run rw,nosuid,nodev,"* ]]
  [[ "${lines[7]}" == "/dev/shm rw,nosuid,nodev,"* ]]
  # /, /dev, /tmp and the home: four tmpfs instances, no more.
  [ "${lines[8]}" = 4 ]
  # Writable where they were, the root still read-only, programs still run
  # from /dev/shm (only /dev itself is noexec), and a link from one to
  # another fails as across filesystems.
  run nook run -- sh -c 'touch /var/tmp/a /run/b /dev/shm/c && cp /bin/true /dev/shm/t && /dev/shm/t && echo ran
    ln /var/tmp/a /run/a; ln /run/b /dev/shm/b; touch /x'
  assert_output_has ran
  [ "$(grep -c "Invalid cross-device link" <<<"$output")" = 2 ]
  assert_output_has "Read-only file system"
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
