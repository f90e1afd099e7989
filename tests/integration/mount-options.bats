#!/usr/bin/env bats
# nook run: filesystem options, applied in order, resolved inside the root.

load "$NOOK_TESTS/lib.sh"

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "--bind makes a host directory writable inside, at another path" {
  mkdir src
  run nook run --bind "$PWD/src" /work -- sh -c 'echo hi > /work/f'
  assert_status 0
  [ "$(cat src/f)" = hi ]
}

@test "--ro-bind is read-only, and so are the submounts under it" {
  mkdir src
  run nook run --ro-bind "$PWD/src" /work -- sh -c 'touch /work/f'
  assert_status 1
  assert_output_has "Read-only file system"
  # /dev/shm is a writable tmpfs mounted under /dev on the host.
  run nook run --ro-bind /dev /hostdev -- sh -c 'touch /hostdev/shm/nook-ro-test'
  assert_status 1
  assert_output_has "Read-only file system"
  [ ! -e /dev/shm/nook-ro-test ]
}

@test "--bind is nodev and --dev-bind keeps device nodes usable" {
  run nook run --bind /dev/null /null -- sh -c 'echo x > /null'
  [ "$status" -ne 0 ]
  assert_output_has "Permission denied"
  run nook run --dev-bind /dev/null /null -- sh -c 'echo x > /null'
  assert_status 0
}

@test "--bind-try and --ro-bind-try skip a missing source; --bind fails on it" {
  run nook run --bind-try /nonexistent /a --ro-bind-try /nonexistent /b --dev-bind-try /nonexistent /c -- true
  assert_status 0
  run nook run --bind /nonexistent /a -- true
  assert_status 125
  assert_one_error_line
  assert_output_has 'bind `/nonexistent` on `/a`: No such file or directory'
}

@test "--volume SRC:DEST:ro is podman's read-only bind" {
  mkdir src && echo data > src/f
  run nook run --volume "$PWD/src:/data:ro" -- sh -c 'cat /data/f; touch /data/g'
  assert_status 1
  assert_output_has data
  assert_output_has "Read-only file system"
  run nook run --volume "$PWD/src:/data" -- sh -c 'touch /data/g'
  assert_status 0
  [ -e src/g ]
  run nook run --volume "$PWD/src:/data:zz" -- true
  assert_status 125
  assert_one_error_line
}

@test "--tmpfs with --size is limited and a full tmpfs says No space left" {
  run nook run --size 1m --tmpfs /scratch -- sh -c 'head -c 2000000 /dev/zero > /scratch/big'
  assert_status 1
  assert_output_has "No space left on device"
  run nook run --tmpfs /scratch:size=2m -- sh -c 'head -c 1000000 /dev/zero > /scratch/big && df -k /scratch | tail -1'
  assert_status 0
  [ "$(echo "$output" | awk '{print $2}')" = 2048 ]
}

@test "--perms sets the mode of the next --tmpfs and --dir only" {
  run nook run --perms 0700 --tmpfs /a --tmpfs /b --perms 0710 --dir /c/d --tmpfs /e:mode=1777 -- stat -c %a /a /b /c/d /e
  assert_status 0
  [ "${lines[0]}" = 700 ]
  [ "${lines[1]}" = 755 ]
  [ "${lines[2]}" = 710 ]
  [ "${lines[3]}" = 1777 ]
  run nook run --perms 0700 -- true
  assert_status 125
  assert_one_error_line
}

@test "--symlink and --dir create in the root" {
  run nook run --dir /srv/data --symlink /srv/data /data -- sh -c 'readlink /data; test -d /data && echo dir'
  assert_status 0
  [ "${lines[0]}" = /srv/data ]
  [ "${lines[1]}" = dir ]
}

@test "--file copies what an fd reads; --ro-file is read-only" {
  echo "nameserver 127.0.0.1" > conf
  run bash -c '"$NOOK" run --file 3 /etc/resolv.conf --ro-file 4 /conf/ro -- sh -c "cat /etc/resolv.conf; cat /conf/ro; echo x >> /etc/resolv.conf && echo rw; echo y >> /conf/ro" 3<conf 4<conf'
  assert_status 2
  [ "${lines[0]}" = "nameserver 127.0.0.1" ]
  [ "${lines[1]}" = "nameserver 127.0.0.1" ]
  [ "${lines[2]}" = rw ]
  assert_output_has "Read-only file system"
}

@test "--file with an fd that is not open fails with one line" {
  run nook run --file 9 /etc/x -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "fd 9 is not open"
}

@test "--proc, --dev and --mqueue mount fresh instances" {
  run nook run --proc /p --dev /d --mqueue /mq -- sh -c 'cat /p/1/comm; test -c /d/null && echo null; stat -f -c %T /mq'
  assert_status 0
  [ "${lines[0]}" = nook-init ]
  [ "${lines[1]}" = null ]
  [ "${lines[2]}" = mqueue ]
  run nook run --share-ipc --mqueue /mq -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "--share-ipc"
}

@test "--remount-ro makes a writable mount and its submounts read-only" {
  run nook run --tmpfs /w --tmpfs /w/sub --remount-ro /w -- sh -c 'touch /w/a; touch /w/sub/b'
  assert_status 1
  [ "$(echo "$output" | grep -c 'Read-only file system')" = 2 ]
}

@test "--chmod sets a mode" {
  run nook run --tmpfs /w --dir /w/d --chmod 0711 /w/d -- stat -c %a /w/d
  assert_status 0
  [ "$output" = 711 ]
}

@test "mount options apply in order, later over earlier" {
  run nook run --tmpfs /x --dir /x/first --tmpfs /x --dir /x/second -- ls /x
  assert_status 0
  [ "$output" = second ]
}

@test "the composed root stays read-only outside bound and tmpfs paths" {
  run nook run --tmpfs /w -- sh -c 'touch /w/ok && echo ok; touch /newfile'
  assert_status 1
  [ "${lines[0]}" = ok ]
  assert_output_has "Read-only file system"
}

@test "a destination under a file fails with one line" {
  mkdir src
  run nook run --bind "$PWD/src" /etc/passwd/sub -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "/etc/passwd/sub"
  assert_output_has "Not a directory"
}

# A root whose symlinks point out of it: absolute and through "..".  A
# destination resolved on the host would land in ESC, in the home directory.
make_escape_root() {
  esc="$HOME/nook-escape.$$.$BATS_TEST_NUMBER"
  rm -rf "$esc" && mkdir -p "$esc"
  mkdir -p root/proc root/dev root/tmp src
  ln -s "$esc" root/abs
  ln -s "../../../../../../../../..$esc" root/rel
}

@test "a symlink in a destination cannot lead a mount or a directory out of the root" {
  make_escape_root
  run nook run --rootfs "$PWD/root" --rootfs-rw --dir /abs/d1 --dir /rel/d2 --tmpfs /abs/t --bind "$PWD/src" /rel/b \
    -- /bin/busybox true
  ls -la "$esc" >&2
  [ ! -e "$esc/d1" ] && [ ! -e "$esc/d2" ] && [ ! -e "$esc/t" ] && [ ! -e "$esc/b" ]
  # They were resolved inside the root instead.
  [ -d "root$esc/d1" ] && [ -d "root$esc/d2" ]
  rm -rf "$esc"
}

@test "a --symlink made earlier cannot lead a later mount out of the root" {
  esc="$HOME/nook-escape.$$.sym"
  rm -rf "$esc" && mkdir -p "$esc"
  run nook run --tmpfs /w --symlink "../../../../../..$esc" /w/out --dir /w/out/created -- true
  [ ! -e "$esc/created" ]
  rm -rf "$esc"
}
