#!/usr/bin/env bats
# The image store: verified blobs, concurrent loads, rmi and prune.

load "$NOOK_TESTS/lib.sh"
load images

setup() {
  require "busybox-static is installed" test -x "$BUSYBOX"
  use_private_store
}

teardown() {
  local d
  for d in "$XDG_RUNTIME_DIR"/nook/sandboxes/*; do
    [ -e "$d" ] && "$NOOK" rm -f "$(basename "$d")" >/dev/null 2>&1
  done
  [ -d "$STORE" ] && chmod -R u+w "$STORE" 2>/dev/null
  return 0
}

import_bb() { # NAME [EXTRA-FILE-CONTENT]
  rm -rf rootfs && make_rootfs rootfs
  echo "${2:-}" >rootfs/etc/extra
  tar -C rootfs -cf "rootfs-$1.tar" .
  nook import "rootfs-$1.tar" "$1" >/dev/null
}

@test "load: a corrupted layer blob is refused with one line and the store is unchanged" {
  import_bb base
  make_oci_layout layout
  blob=$(jq -r '.layers[1].digest' "layout/blobs/sha256/$(jq -r '.manifests[0].digest' layout/index.json | cut -d: -f2)" | cut -d: -f2)
  chmod u+w "layout/blobs/sha256/$blob"
  corrupt "layout/blobs/sha256/$blob" 100
  before=$(store_listing)
  run nook load layout fx
  assert_status 125
  assert_one_error_line
  assert_output_has "sha256:$blob"
  assert_output_has "corrupted"
  [ "$(store_listing)" = "$before" ]
  run nook images -q
  [ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
}

@test "load: a docker save layer whose content does not match the config's diff_id is refused" {
  require "skopeo is installed" command -v skopeo
  make_oci_layout layout
  skopeo copy --quiet oci:layout:latest docker-archive:ds.tar:fx:1
  mkdir ds && tar -C ds -xf ds.tar
  layer=$(jq -r '.[0].Layers[1]' ds/manifest.json)
  chmod u+w "ds/$layer"
  corrupt "ds/$layer" 600
  tar -C ds -cf bad.tar .
  run nook load bad.tar
  assert_status 125
  assert_one_error_line
  assert_output_has "corrupted"
  run find "$STORE/layers" "$STORE/blobs" "$STORE/tmp" -mindepth 1 -maxdepth 2 -not -path "$STORE/blobs/sha256"
  [ -z "$output" ]
}

@test "load: a tarball that is not an image fails with one line and a hint" {
  make_rootfs rootfs
  tar -C rootfs -cf rootfs.tar .
  run nook load rootfs.tar
  assert_status 125
  assert_one_error_line
  assert_output_has "not an image"
  assert_output_has "nook import"
  echo 'not a tar' >junk
  run nook import junk
  assert_status 125
  assert_one_error_line
  run find "$STORE/layers" "$STORE/tmp" -mindepth 1
  [ -z "$output" ]
}

@test "store: two concurrent loads of one image store it once" {
  make_oci_layout layout
  pids=()
  for i in 1 2 3 4; do
    nook load layout fx >"out.$i" 2>&1 &
    pids+=($!)
  done
  for p in "${pids[@]}"; do wait "$p"; done
  for i in 1 2 3 4; do grep -q "Loaded image: fx:latest" "out.$i"; done
  [ "$(ls "$STORE/layers" | wc -l)" = 2 ]
  [ "$(ls "$STORE/blobs/sha256" | wc -l)" = 1 ]
  [ -z "$(ls "$STORE/tmp")" ]
  run nook images -q
  [ "$(printf '%s\n' "$output" | wc -l)" = 1 ]
  run nook run --image fx
  [ "$output" = "$(printf 'bar\n/work')" ]
}

@test "rmi: refuses an image a sandbox uses, then removes it and its layers" {
  import_bb bb
  id=$(nook run -d --image bb -- sleep 300)
  wait_until 10 sh -c "'$NOOK' ps | grep -q '${id:0:12}.*running'"
  run nook rmi bb
  assert_status 125
  assert_one_error_line
  assert_output_has "uses it"
  run nook images
  assert_output_has "bb "
  [ "$(ls "$STORE/layers" | wc -l)" = 1 ]
  nook rm -f "$id" >/dev/null
  run nook rmi bb
  assert_status 0
  assert_output_has "Deleted:"
  [ -z "$(ls "$STORE/layers")" ]
  run nook run --image bb -- true
  assert_status 125
}

@test "rmi: a name of an image that has another is only untagged" {
  import_bb bb
  rootfs_id=$(nook import rootfs-bb.tar other)
  run nook rmi bb
  assert_status 0
  assert_output_has "Untagged: bb:latest"
  run nook run --image other -- cat /etc/greeting
  [ "$output" = hello ]
  run nook run --image bb -- true
  assert_status 125
}

@test "image prune: removes unnamed images and the layers no image has" {
  import_bb app one
  old=$(ls "$STORE/layers")
  import_bb app two
  # The name moved: the first image has none left.
  [ "$(ls "$STORE/layers" | wc -l)" = 2 ]
  run nook image prune
  assert_status 0
  assert_output_has "Removed 1 layer"
  [ ! -e "$STORE/layers/$old" ]
  [ "$(ls "$STORE/layers" | wc -l)" = 1 ]
  run nook run --image app -- cat /etc/extra
  [ "$output" = two ]
}

@test "store: a full disk during an import fails with one line and leaves no blob, layer or temporary file" {
  require "unshare can make a user and mount namespace" unshare -rm true
  make_rootfs rootfs
  tar -C rootfs -cf rootfs.tar .
  mkdir small
  # A 1 MiB tmpfs as the data directory, in a namespace of the test's own.
  run unshare -rm sh -c 'mount -t tmpfs -o size=1m tmpfs small && XDG_DATA_HOME=$PWD/small "$NOOK" import rootfs.tar bb </dev/null; echo "status=$?"; find small/nook -mindepth 1 -not -name lock | sort; XDG_DATA_HOME=$PWD/small "$NOOK" images -q'
  assert_output_has "status=125"
  assert_output_has "import \`rootfs.tar\`"
  [ "$(printf '%s\n' "$output" | grep -c '^nook: ')" = 1 ]
  [ "$(printf '%s\n' "$output" | grep -v '^nook: \|^status=')" = "$(printf 'small/nook/blobs\nsmall/nook/blobs/sha256\nsmall/nook/layers\nsmall/nook/tmp')" ]
}
