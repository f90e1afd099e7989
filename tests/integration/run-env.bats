#!/usr/bin/env bats
# nook run: environment, working directory, --rootfs.

load "$NOOK_TESTS/lib.sh"

setup() { cd "$BATS_TEST_TMPDIR"; }

@test "the environment is cleared to a small safe set" {
  run env SECRET_TOKEN=x LC_ALL=C TERM=xterm "$NOOK" run -- env
  assert_status 0
  assert_output_lacks SECRET_TOKEN
  assert_output_has "LC_ALL=C"
  assert_output_has "TERM=xterm"
  assert_output_has "HOSTNAME=nook"
  assert_output_has "HOME=$(getent passwd "$(id -un)" | cut -d: -f6)"
  assert_output_has "PATH="
}

@test "--setenv, --unsetenv and --keep-env" {
  run env KEEPME=1 TERM=xterm "$NOOK" run --setenv A "x y" --unsetenv TERM -- env
  assert_output_has "A=x y"
  assert_output_lacks "TERM="
  assert_output_lacks KEEPME
  run env KEEPME=1 "$NOOK" run --keep-env -- env
  assert_output_has KEEPME=1
}

@test "--chdir sets the working directory inside" {
  run nook run --chdir /usr/share -- pwd
  assert_status 0
  [ "$output" = /usr/share ]
}

@test "--chdir to a missing directory fails with 125" {
  run nook run --chdir /does/not/exist -- pwd
  assert_status 125
  assert_one_error_line
  assert_output_has "/does/not/exist"
}

make_rootfs() { # DIR: a minimal busybox root
  mkdir -p "$1"/{bin,proc,dev,tmp,etc}
  cp /bin/busybox "$1/bin/"
  for t in sh ls cat echo touch id hostname ps mount; do ln -s busybox "$1/bin/$t"; done
  echo "from-rootfs" >"$1/etc/marker"
}

@test "--rootfs DIR is the root, read-only; --rootfs-rw makes it writable" {
  require "busybox-static" test -x /bin/busybox
  make_rootfs root
  run nook run --rootfs "$BATS_TEST_TMPDIR/root" -- /bin/sh -c 'cat /etc/marker; ls /; touch /x 2>&1; echo $$'
  assert_status 0
  assert_output_has from-rootfs
  assert_output_has "Read-only file system"
  [ "${lines[-1]}" = 2 ]
  [ ! -e root/x ]
  run nook run --rootfs "$BATS_TEST_TMPDIR/root" --rootfs-rw -- /bin/sh -c 'touch /x && echo ok'
  assert_status 0
  [ -e root/x ]
}

@test "--rootfs that is not a directory, or missing, fails with 125 and one line" {
  touch afile
  run nook run --rootfs "$BATS_TEST_TMPDIR/afile" -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "Not a directory"
  run nook run --rootfs /does/not/exist -- true
  assert_status 125
  assert_output_has "No such file or directory"
}
