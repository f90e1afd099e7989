#!/usr/bin/env bats
# opam builds and installs a package in its sandbox with `bwrap` resolving,
# through PATH, to nook-bwrap (NOOK_BWRAP, default: beside $NOOK;
# NOOK_BWRAP=/usr/bin/bwrap runs the same file against bubblewrap).  The
# opam root, its repository and the package live under the test's temp dir:
# nothing is fetched.
#
# What opam 2.1 passes (its hooks/sandbox.sh; no fds): --unshare-net
# --new-session --die-with-parent --proc /proc --dev /dev, --setenv TMPDIR
# (and TMP, TEMP, TEMPDIR) /opam-tmp, --tmpfs /opam-tmp, --tmpfs /run,
# --ro-bind of /usr /etc /opt /home /var /tmp, --symlink /usr/bin /bin (an
# absolute target) for each merged-/usr link; then for a build --ro-bind
# of the switch and --bind of the build dir (and of ~/.cache/dune), for an
# install --bind of the switch and --ro-bind of its .opam-switch; then the
# command, without "--", run in the caller's cwd (the build dir).

load "$NOOK_TESTS/lib.sh"

setup_file() {
  export NOOK_BWRAP=${NOOK_BWRAP:-$(dirname "$NOOK")/nook-bwrap}
  require "opam is installed" command -v opam
  require "nook-bwrap is built" test -x "$NOOK_BWRAP"
  export OP=$BATS_FILE_TMPDIR/op
  # `bwrap` on PATH is the one under test, as make install-bwrap-alias
  # makes it.
  mkdir -p "$OP/bin" "$OP/home" "$OP/repo/packages/hello/hello.1"
  ln -s "$NOOK_BWRAP" "$OP/bin/bwrap"
  export PATH=$OP/bin:$PATH HOME=$OP/home OPAMROOT=$OP/root OPAMYES=1 OPAMCOLOR=never
  unset OPAMSWITCH
  echo 'opam-version: "2.0"' >"$OP/repo/repo"
  # The build records its mount namespace, TMPDIR, network interfaces and
  # session id (/proc/self/stat's 6th field), then tries to write
  # outside its build dir: into the switch, HOME and the test's dir (under
  # /tmp).  The install copies what it built into the switch and tries HOME
  # once more, and so does the remove, which leaves a mark in the switch.
  # Each try hides its own failure, so that opam goes on and
  # the test looks at the files.
  cat >"$OP/repo/packages/hello/hello.1/opam" <<EOF
opam-version: "2.0"
synopsis: "A tiny package built in opam's sandbox"
maintainer: "nook"
build: [
  ["sh" "-c" "readlink /proc/self/ns/mnt >built; echo \$TMPDIR >>built; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d ' ' | tr '\\\\n' ' ' >>built; echo >>built; cut -d' ' -f6 /proc/self/stat >>built"]
  ["sh" "-c" "(echo x >%{prefix}%/escape-build) 2>/dev/null; true"]
  ["sh" "-c" "(echo x >$HOME/escape-build) 2>/dev/null; true"]
  ["sh" "-c" "(echo x >$OP/escape-build) 2>/dev/null; true"]
]
install: [
  ["cp" "built" "%{prefix}%/hello-built"]
  ["sh" "-c" "(echo x >$HOME/escape-install) 2>/dev/null; true"]
]
remove: [
  ["sh" "-c" "echo removed >%{prefix}%/hello-removed"]
  ["sh" "-c" "(echo x >$HOME/escape-remove) 2>/dev/null; true"]
]
EOF
  opam init --bare -n --disable-shell-hook local "file://$OP/repo" >/dev/null
  opam switch create sw --empty >/dev/null
}

setup() {
  cd "$BATS_TEST_TMPDIR"
}

@test "opam: the sandbox it builds in is nook-bwrap's (bwrap on PATH)" {
  [ "$(command -v bwrap)" = "$OP/bin/bwrap" ]
  [ "$(readlink -f "$(command -v bwrap)")" = "$(readlink -f "$NOOK_BWRAP")" ]
  grep -q 'exec bwrap ' "$OPAMROOT/opam-init/hooks/sandbox.sh"
  grep -q 'sandbox.sh" "build"' "$OPAMROOT/config"
}

@test "opam install: the package builds and installs in the sandbox, which keeps it inside its build dir" {
  run opam install --switch=sw hello
  assert_status 0
  prefix=$OPAMROOT/sw
  # It built (in a mount namespace of its own, with opam's TMPDIR) and
  # installed what it built.
  [ -f "$prefix/hello-built" ]
  [ "$(sed -n 1p "$prefix/hello-built")" != "$(readlink /proc/self/ns/mnt)" ]
  [[ "$(sed -n 1p "$prefix/hello-built")" == mnt:* ]]
  [ "$(sed -n 2p "$prefix/hello-built")" = /opam-tmp ]
  # --unshare-net: only a loopback of its own; --new-session: not this
  # test's session.
  [ "$(sed -n 3p "$prefix/hello-built")" = "lo " ]
  [ "$(sed -n 4p "$prefix/hello-built")" != "$(cut -d' ' -f6 /proc/self/stat)" ]
  # Nothing it wrote outside its build dir reached the host: the switch is
  # read-only while it builds, HOME and the rest always are.
  [ ! -e "$prefix/escape-build" ]
  [ ! -e "$HOME/escape-build" ]
  [ ! -e "$OP/escape-build" ]
  [ ! -e "$HOME/escape-install" ]
}

@test "opam remove: the package's remove commands run in the sandbox too, writing only the switch" {
  run opam install --switch=sw hello
  assert_status 0
  run opam remove --switch=sw hello
  assert_status 0
  [ "$(cat "$OPAMROOT/sw/hello-removed")" = removed ]
  [ ! -e "$OPAMROOT/sw/hello-built" ]
  [ ! -e "$HOME/escape-remove" ]
}
