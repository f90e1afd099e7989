#!/usr/bin/env bats
# Layers merged by kernel overlayfs in the user namespace (the same suite runs in layers-fuse.bats).

load "$NOOK_TESTS/lib.sh"
load layers
OVERLAY=kernel

@test "kernel: the last layer wins and the merged layers become the root" { layers_later_layer_wins_and_becomes_the_root; }
@test "kernel: --upper keeps the changes, lowers stay unchanged, nook diff lists A and C" { layers_upper_keeps_changes_and_diff_lists_them; }
@test "kernel: a file deleted in the upper vanishes (whiteout) and nook diff lists D" { layers_deleted_file_vanishes_through_a_whiteout; }
@test "kernel: an opaque directory in a layer hides the lower's content" { layers_opaque_directory_hides_the_lower; }
@test "kernel: a directory replaced in the sandbox hides the lower's content" { layers_replaced_directory_is_opaque_in_the_upper; }
@test "kernel: an ephemeral upper is gone at exit" { layers_ephemeral_upper_is_gone_at_exit; }
@test "kernel: --layers-at mounts the layers writable in the read-only default root" { layers_at_a_destination_in_the_default_root; }
@test "kernel: --verbose names the overlay in use" { layers_verbose_names_the_overlay; }
@test "kernel: a rename shows as D and A in nook diff --json" { layers_rename_shows_as_delete_and_add; }
@test "kernel: a layer that is missing or not a directory fails with one line" { layers_bad_layer_fails_with_one_line; }
@test "kernel: a non-root uid inside (--uid) reads and writes the layers" { layers_work_for_a_non_root_uid_inside; }
@test "kernel: layers with OCI whiteouts are refused by --overlay=kernel and go to fuse-overlayfs by default" {
  make_base base
  mkdir top && echo x > base/gone && touch top/.wh.gone
  run nook run --overlay=kernel --layer base --layer top -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "OCI whiteouts"
  run nook run --verbose --layer base --layer top -- sh -c 'test -e /gone || echo gone; cat /proc/self/mountinfo'
  assert_status 0
  assert_output_has "fuse-overlayfs overlay"
  assert_output_has " - fuse.fuse-overlayfs "
  assert_output_has gone
}

@test "kernel: nook decides once per host and caches the answer" {
  mkdir l
  export XDG_RUNTIME_DIR
  XDG_RUNTIME_DIR=$(mktemp -d "$BATS_RUN_TMPDIR/xdg.XXXXXX")
  run nook run --verbose --layer l --layers-at /m -- grep " /m " /proc/self/mountinfo
  assert_status 0
  assert_output_has "kernel overlay"
  assert_output_has " - overlay "
  [ "$(cat "$XDG_RUNTIME_DIR/nook/overlay-kernel")" = "$(uname -r) yes" ]
}

@test "kernel: where the host's answer is no, auto uses fuse-overlayfs and --overlay=kernel fails clearly" {
  mkdir l
  export XDG_RUNTIME_DIR
  XDG_RUNTIME_DIR=$(mktemp -d "$BATS_RUN_TMPDIR/xdg.XXXXXX")
  mkdir -m 0700 "$XDG_RUNTIME_DIR/nook"
  echo "$(uname -r) no" > "$XDG_RUNTIME_DIR/nook/overlay-kernel"
  run nook run --overlay=kernel --layer l --upper u --layers-at /m -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "this kernel does not mount overlayfs in a user namespace"
  assert_output_has "--overlay=fuse"
  [ ! -e u ]
  run nook run --verbose --layer l --layers-at /m -- grep " /m " /proc/self/mountinfo
  assert_status 0
  assert_output_has "fuse-overlayfs overlay"
  assert_output_has " - fuse.fuse-overlayfs "
  # A different kernel asks again.
  echo "0.0.0-other no" > "$XDG_RUNTIME_DIR/nook/overlay-kernel"
  run nook run --verbose --layer l --layers-at /m -- grep " /m " /proc/self/mountinfo
  assert_output_has "kernel overlay"
  assert_output_has " - overlay "
}
