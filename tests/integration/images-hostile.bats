#!/usr/bin/env bats
# Archives are hostile data: nothing they hold is written outside the store.

load "$NOOK_TESTS/lib.sh"
load images

setup() {
  use_private_store
  mkdir -p outside
}

teardown() {
  [ -d "$STORE" ] && chmod -R u+w "$STORE" 2>/dev/null
  return 0
}

# Writes a tar from "TYPE NAME [TARGET]" lines on stdin (TYPE: file, dir,
# symlink, hardlink).
make_tar() { # OUT
  python3 -c '
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w") as t:
    for line in sys.stdin:
        kind, name, *rest = line.split()
        i = tarfile.TarInfo(name)
        data = b""
        if kind == "file":
            data = b"owned\n"
            i.size = len(data)
        elif kind == "dir":
            i.type = tarfile.DIRTYPE
            i.mode = 0o755
        elif kind == "symlink":
            i.type = tarfile.SYMTYPE
            i.linkname = rest[0]
        elif kind == "hardlink":
            i.type = tarfile.LNKTYPE
            i.linkname = rest[0]
        t.addfile(i, io.BytesIO(data))
' "$1"
}

# The import is refused with one line, and neither the store nor the
# directory next to it has anything new.
assert_refused() { # TAR
  run nook import "$1" evil
  assert_status 125
  assert_one_error_line
  [ -z "$(ls -A outside)" ]
  [ -z "$(find "$STORE/layers" "$STORE/tmp" -mindepth 1 2>/dev/null)" ]
  [ ! -e "$STORE/images.json" ] || [ "$(jq '.images | length' "$STORE/images.json")" = 0 ]
  run nook images -q
  [ -z "$output" ]
}

@test "hostile: a ../ entry is refused" {
  depth=$(printf '../%.0s' $(seq 1 12))
  printf 'file a\nfile %s%s/outside/escaped\n' "$depth" "${BATS_TEST_TMPDIR#/}" | make_tar t.tar
  assert_refused t.tar
}

@test "hostile: an absolute entry is refused" {
  printf 'file a\nfile %s/outside/escaped\n' "$BATS_TEST_TMPDIR" | make_tar t.tar
  assert_refused t.tar
}

@test "hostile: a file through an absolute symlink is refused" {
  printf 'symlink link %s/outside\nfile link/escaped\n' "$BATS_TEST_TMPDIR" | make_tar t.tar
  assert_refused t.tar
}

@test "hostile: a file through a relative symlink that climbs out is refused" {
  depth=$(printf '../%.0s' $(seq 1 12))
  printf 'symlink up %s%s/outside\nfile up/escaped\n' "$depth" "${BATS_TEST_TMPDIR#/}" | make_tar t.tar
  assert_refused t.tar
}

@test "hostile: a hard link to a file outside the archive is refused" {
  echo secret >outside/target
  printf 'hardlink stolen %s/outside/target\n' "$BATS_TEST_TMPDIR" | make_tar t.tar
  rm outside/target
  assert_refused t.tar
  depth=$(printf '../%.0s' $(seq 1 12))
  printf 'hardlink stolen %s%s/outside/target\n' "$depth" "${BATS_TEST_TMPDIR#/}" | make_tar t2.tar
  assert_refused t2.tar
}

@test "hostile: a whiteout through a symlink is refused" {
  printf 'symlink link %s/outside\nfile link/.wh.x\nfile link/.wh..wh..opq\n' "$BATS_TEST_TMPDIR" | make_tar t.tar
  assert_refused t.tar
}

@test "hostile: a docker save manifest naming a file outside the archive is refused" {
  mkdir -p arch
  echo '{}' >outside/config.json
  printf '[{"Config":"../outside/config.json","RepoTags":["x:1"],"Layers":[]}]' >arch/manifest.json
  run nook load arch
  assert_status 125
  assert_one_error_line
  run nook images -q
  [ -z "$output" ]
}

@test "hostile: an OCI index naming a digest that is not one is refused" {
  mkdir -p arch/blobs/sha256
  echo '{"imageLayoutVersion":"1.0.0"}' >arch/oci-layout
  printf '{"schemaVersion":2,"manifests":[{"digest":"sha256:../../../../etc/passwd"}]}' >arch/index.json
  run nook load arch
  assert_status 125
  assert_one_error_line
  assert_output_has "not a sha256 digest"
}
