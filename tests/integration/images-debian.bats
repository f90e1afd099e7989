#!/usr/bin/env bats
# A debootstrapped Debian minbase as an image (the from-scratch case):
# built by debootstrap inside a nook sandbox (root there, the caller's
# subordinate ids for the packages' users), packed with tar in the same
# mapping, cached between runs under the test user's cache directory
# (NOOK_TEST_CACHE, default ~/.cache/nook-tests), then imported and used
# with apt-get.  Needs the Debian archive: about 2 minutes the first time
# (debootstrap), about 30 seconds from the cache.

load "$NOOK_TESTS/lib.sh"
load images

SUITE=bookworm
MIRROR=${NOOK_DEBIAN_MIRROR:-http://deb.debian.org/debian}

archive_reachable() { curl -sfI -m 10 "$MIRROR/dists/$SUITE/Release" >/dev/null; }

# The minbase tarball, from the cache or made now.  debootstrap runs as
# root of a sandbox with --map-users auto; container=lxc tells it to bind
# the device nodes it cannot make (SYS_ADMIN in the sandbox's user
# namespace for those binds and its /proc).
debian_tarball() {
  local cache=${NOOK_TEST_CACHE:-$HOME/.cache/nook-tests} work
  TARBALL=$cache/debian-$SUITE-minbase.tar.gz
  [ -s "$TARBALL" ] && return 0
  mkdir -p "$cache"
  work=$(mktemp -d "$BATS_FILE_TMPDIR/debootstrap.XXXXXX")
  "$NOOK" run --map-users auto --net auto --setenv container lxc --cap-add SYS_ADMIN --bind "$work" /w -- \
    debootstrap --variant=minbase "$SUITE" /w/root "$MIRROR" >"$work.log" 2>&1 || { tail -20 "$work.log"; return 1; }
  "$NOOK" run --map-users auto --bind "$work" /w -- \
    sh -c 'tar -C /w/root --numeric-owner --exclude=./dev/* --exclude=./proc/* --exclude=./var/cache/apt/archives/*.deb -czf /w/debian.tar.gz . && rm -rf /w/root'
  mv "$work/debian.tar.gz" "$TARBALL.tmp" && mv "$TARBALL.tmp" "$TARBALL"
}

setup_file() {
  export XDG_DATA_HOME="$BATS_FILE_TMPDIR/data" XDG_RUNTIME_DIR="$BATS_FILE_TMPDIR/run"
  mkdir -m 0700 -p "$XDG_RUNTIME_DIR"
}

setup() {
  require "debootstrap is installed" test -x /usr/sbin/debootstrap
  require "a subordinate id range for $(id -un)" grep -q "^$(id -un):" /etc/subuid
  require "the Debian archive ($MIRROR) is reachable" archive_reachable
  export PATH=$PATH:/usr/sbin:/sbin
  cd "$BATS_TEST_TMPDIR"
  STORE="$XDG_DATA_HOME/nook"
  debian_tarball
  "$NOOK" image inspect debian:12 >/dev/null 2>&1 || "$NOOK" import "$TARBALL" debian:12 >/dev/null
}

teardown_file() {
  # A kept sandbox's upper holds files of subordinate ids: nook removes it.
  "$NOOK" rm -f apt >/dev/null 2>&1
  [ -d "$BATS_FILE_TMPDIR/data" ] && chmod -R u+w "$BATS_FILE_TMPDIR/data" 2>/dev/null
  return 0
}

@test "debian: the imported minbase runs, and apt's reading commands work in it" {
  run nook run debian:12 cat /etc/debian_version
  assert_status 0
  [[ "$output" =~ ^12\. ]]
  run nook run debian:12 sh -c 'dpkg -l | grep -c "^ii"'
  [ "$output" -gt 50 ]
  run nook run debian:12 apt-cache policy apt
  assert_status 0
  assert_output_has "Installed:"
}

@test "debian: files keep their owners with --map-users auto (shadow's group is shadow), and are root's without" {
  run nook run --map-users auto debian:12 stat -c '%U:%G %a' /etc/shadow /usr/bin/passwd /usr/bin/chage
  assert_status 0
  [ "$output" = "$(printf 'root:shadow 640\nroot:root 4755\nroot:shadow 2755')" ]
  run nook run debian:12 stat -c '%U:%G' /usr/bin/chage
  [ "$output" = root:root ]
}

@test "debian: apt-get install works with --map-users auto --net auto; the package is committed and runs" {
  run nook run --map-users auto --net auto --keep --name apt debian:12 sh -c \
    'apt-get update -qq && apt-get install -y -qq --no-install-recommends hello >/dev/null 2>/tmp/apt.err && hello && stat -c %U /var/cache/apt/archives/partial'
  assert_status 0
  [ "$output" = "$(printf 'Hello, world!\n_apt')" ]
  run nook diff apt
  assert_output_has "A /usr/bin/hello"
  run nook commit apt debian-hello:1
  assert_status 0
  nook rm apt >/dev/null
  run nook run debian-hello:1 hello
  [ "$output" = "Hello, world!" ]
  # apt's own directory kept its owner through the commit.
  run nook run --map-users auto debian-hello:1 stat -c %U /var/cache/apt/archives/partial
  [ "$output" = _apt ]
}
