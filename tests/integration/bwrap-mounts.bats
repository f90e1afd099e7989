#!/usr/bin/env bats
# nook-bwrap: an empty root that only the mount operations fill, in order.

load "$NOOK_TESTS/lib.sh"
load "$NOOK_TESTS/integration/bwrap.bash"

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "bwrap: the root holds only what the operations made" {
  run bw --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 \
    --dir /empty /usr/bin/ls -A /
  assert_status 0
  [ "$(echo $output)" = "bin empty lib lib64 usr" ]
}

@test "bwrap: --bind is writable, --ro-bind is not, -try skips a missing source" {
  mkdir rw ro
  run bw "${HOST_RO[@]}" --tmpfs /mnt --bind "$PWD/rw" /mnt/rw --ro-bind "$PWD/ro" /mnt/ro \
    --bind-try /nonexistent /mnt/a --ro-bind-try /nonexistent /mnt/b --dev-bind-try /nonexistent /mnt/c \
    sh -c 'echo x > /mnt/rw/f; echo x > /mnt/ro/f; test ! -e /mnt/a && test ! -e /mnt/b && test ! -e /mnt/c'
  assert_status 0
  [ -f rw/f ] && [ ! -e ro/f ]
  assert_output_has "Read-only file system"
}

@test "bwrap: --dev-bind keeps device nodes usable, --bind does not" {
  use_devices='head -c 4 /dev/zero | od -An -tx1 | grep -q "00 00 00 00" && echo zeros-read; echo x >/dev/null && echo null-written'
  run bw --ro-bind / / --dev-bind /dev /dev sh -c "$use_devices"
  assert_status 0
  [ "$output" = "$(printf 'zeros-read\nnull-written')" ]
  run bw --ro-bind / / --bind /dev /dev sh -c "$use_devices"
  assert_output_lacks zeros-read
  assert_output_lacks null-written
  assert_output_has "Permission denied"
}

@test "bwrap: --bind-fd and --ro-bind-fd bind the directory an fd holds" {
  mkdir d && echo data > d/f
  run "$BWRAP" "${HOST_RO[@]}" --tmpfs /mnt --bind-fd 5 /mnt/w sh -c 'cat /mnt/w/f && echo more > /mnt/w/g' 5<d
  assert_status 0
  [ "$output" = data ] && [ -f d/g ]
  run "$BWRAP" "${HOST_RO[@]}" --tmpfs /mnt --ro-bind-fd 5 /mnt/r sh -c 'echo x > /mnt/r/h' 5<d
  [ "$status" -ne 0 ] && [ ! -e d/h ]
}

@test "bwrap: --remount-ro makes a writable bind read-only, mounts under it too" {
  mkdir -p rw/sub
  run bw "${HOST_RO[@]}" --bind "$PWD/rw" /mnt --tmpfs /mnt/sub --remount-ro /mnt \
    sh -c 'touch /mnt/a 2>/dev/null && echo wrote-a; touch /mnt/sub/b 2>/dev/null && echo wrote-b; true'
  assert_status 0
  [ "$output" = "" ] && [ ! -e rw/a ]
}

@test "bwrap: --proc is the sandbox's PID namespace, --dev a minimal /dev" {
  run bw --ro-bind / / --unshare-pid --proc /proc --dev /dev sh -c 'ls /proc | grep -c "^[0-9]*$"; ls -A /dev | tr "\n" " "'
  assert_status 0
  lines=($output)
  [ "${lines[0]}" -le 4 ]
  assert_output_has "core fd full null ptmx pts random shm stderr stdin stdout tty urandom zero"
  # Without a PID namespace of its own: the host's, with its system parts read-only.
  run bw --ro-bind / / --proc /proc awk '$5 == "/proc/sys" || $5 == "/proc/irq" {print $5, substr($6, 1, 2)}' /proc/self/mountinfo
  [ "$output" = "/proc/sys ro
/proc/irq ro" ]
}

@test "bwrap: --tmpfs with --perms and --size; --mqueue" {
  run bw "${HOST_RO[@]}" --perms 01777 --size 1048576 --tmpfs /mnt --unshare-ipc --mqueue /dev/mqueue \
    sh -c 'stat -c %a /mnt; df --output=size --block-size=1K /mnt | tail -1; stat -f -c %T /dev/mqueue'
  assert_status 0
  [ "$(echo $output)" = "1777 1024 mqueue" ]
  run bw "${HOST_RO[@]}" --tmpfs /mnt stat -c %a /mnt
  [ "$output" = 755 ]
}

@test "bwrap: --dir with --perms, its parents made as bubblewrap makes them, an existing one kept" {
  mkdir old && chmod 0710 old
  run bw --bind / / --perms 0750 --dir "$PWD/new/sub" --perms 1741 --dir "$PWD/set" --dir "$PWD/old" \
    --dir "$PWD/plain" true
  assert_status 0
  [ "$(stat -c %a new new/sub set old plain | tr '\n' ' ')" = "750 750 1741 710 755 " ]
}

@test "bwrap: --file copies an fd into a new file; --bind-data and --ro-bind-data bind a private copy" {
  echo content > src
  run "$BWRAP" "${HOST_RO[@]}" --tmpfs /mnt --file 5 /mnt/f --perms 0640 --bind-data 6 /mnt/b --ro-bind-data 7 /mnt/r \
    sh -c 'cat /mnt/f /mnt/b /mnt/r; stat -c %a /mnt/f /mnt/b /mnt/r; echo w > /mnt/b && echo wrote-b; { echo w > /mnt/r; } 2>/dev/null || echo ro' \
    5<src 6<src 7<src
  assert_status 0
  [ "$(echo $output)" = "content content content 666 640 600 wrote-b ro" ]
}

@test "bwrap: --symlink makes a link, again is fine, another target is refused" {
  run bw --bind / / --symlink /dev/null "$PWD/link" true
  assert_status 0
  [ "$(readlink link)" = /dev/null ]
  run bw --bind / / --symlink /dev/null "$PWD/link" true
  assert_status 0
  run bw --bind / / --symlink /dev/full "$PWD/link" true
  assert_status 1
  [ "$output" = "bwrap: Can't make symlink at $PWD/link: existing destination is /dev/null" ]
}

@test "bwrap: --chmod sets the mode of an existing path" {
  mkdir d
  run bw --bind / / --chmod 0701 "$PWD/d" true
  assert_status 0
  [ "$(stat -c %a d)" = 701 ]
}

@test "bwrap: --overlay, --tmp-overlay and --ro-overlay merge --overlay-src layers" {
  require "unprivileged overlayfs" unshare -rm bash -c 'mkdir -p /tmp/ovl-probe.$$/{l,u,w,m} && mount -t overlay -o lowerdir=/tmp/ovl-probe.$$/l,upperdir=/tmp/ovl-probe.$$/u,workdir=/tmp/ovl-probe.$$/w,userxattr overlay /tmp/ovl-probe.$$/m; r=$?; rm -rf /tmp/ovl-probe.$$; exit $r'
  mkdir l1 l2 up work
  echo 1 > l1/a && echo 2 > l1/b && echo 3 > l2/b
  run bw "${HOST_RO[@]}" --tmpfs /mnt --overlay-src "$PWD/l1" --overlay-src "$PWD/l2" --overlay "$PWD/up" "$PWD/work" /mnt/m \
    sh -c 'cat /mnt/m/a /mnt/m/b; echo 4 > /mnt/m/a'
  assert_status 0
  [ "$(echo $output)" = "1 3" ] && [ "$(cat up/a)" = 4 ] && [ "$(cat l1/a)" = 1 ]
  run bw "${HOST_RO[@]}" --tmpfs /mnt --overlay-src "$PWD/l1" --tmp-overlay /mnt/m sh -c 'echo 5 > /mnt/m/b; cat /mnt/m/b'
  [ "$output" = 5 ] && [ "$(cat l1/b)" = 2 ]
  run bw "${HOST_RO[@]}" --tmpfs /mnt --overlay-src "$PWD/l1" --overlay-src "$PWD/l2" --ro-overlay /mnt/m sh -c 'cat /mnt/m/b; echo 6 > /mnt/m/b'
  [ "$status" -ne 0 ] && [ "${lines[0]}" = 3 ]
  run bw --ro-overlay /m true
  [ "$output" = "bwrap: --ro-overlay requires at least two --overlay-src" ]
}

@test "bwrap: the command starts in the caller's directory when it exists inside, else in /" {
  run bw --bind / / pwd
  [ "$output" = "$PWD" ]
  run bw --ro-bind /usr /usr --symlink usr/bin /bin --symlink usr/lib /lib --symlink usr/lib64 /lib64 pwd
  [ "$output" = / ]
  run bw --ro-bind / / --chdir /usr pwd
  [ "$output" = /usr ]
}
