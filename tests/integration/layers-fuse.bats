#!/usr/bin/env bats
# Layers merged by fuse-overlayfs (the same suite runs in layers-kernel.bats).

load "$NOOK_TESTS/lib.sh"
load layers
OVERLAY=fuse

@test "fuse: the last layer wins and the merged layers become the root" { layers_later_layer_wins_and_becomes_the_root; }
@test "fuse: --upper keeps the changes, lowers stay unchanged, nook diff lists A and C" { layers_upper_keeps_changes_and_diff_lists_them; }
@test "fuse: a file deleted in the upper vanishes (whiteout) and nook diff lists D" { layers_deleted_file_vanishes_through_a_whiteout; }
@test "fuse: an opaque directory in a layer hides the lower's content" { layers_opaque_directory_hides_the_lower; }
@test "fuse: a directory replaced in the sandbox hides the lower's content" { layers_replaced_directory_is_opaque_in_the_upper; }
@test "fuse: an ephemeral upper is gone at exit" { layers_ephemeral_upper_is_gone_at_exit; }
@test "fuse: --layers-at mounts the layers writable in the read-only default root" { layers_at_a_destination_in_the_default_root; }
@test "fuse: --verbose names the overlay in use" { layers_verbose_names_the_overlay; }
@test "fuse: a rename shows as D and A in nook diff --json" { layers_rename_shows_as_delete_and_add; }
@test "fuse: a layer that is missing or not a directory fails with one line" { layers_bad_layer_fails_with_one_line; }
@test "fuse: a non-root uid inside (--uid) reads and writes the layers" { layers_work_for_a_non_root_uid_inside; }
@test "fuse: OCI whiteouts (.wh.NAME, .wh..wh..opq) in layers hide lower files" { layers_oci_whiteouts_hide_lower_files; }

@test "fuse: nook SIGKILLed while fuse-overlayfs runs leaves no process or mount" {
  mkdir l
  "$NOOK" run --overlay=fuse --layer l --layers-at /m -- sleep 300 </dev/null >/dev/null 2>&1 &
  pid=$!
  wait_until 10 bash -c "pgrep -u $(id -u) -f '[f]use-overlayfs.*lowerdir=$PWD/l' >/dev/null"
  kill -KILL "$pid"
  wait "$pid" || true
  wait_until 10 bash -c "! pgrep -u $(id -u) -f '[f]use-overlayfs.*lowerdir=$PWD/l' >/dev/null"
  run ! pgrep -u "$(id -u)" -f "[s]leep 300"
  run ! grep -q "$PWD/l" /proc/self/mountinfo
  [ -z "$(findmnt -rn -t fuse.fuse-overlayfs)" ]
}

@test "fuse: fuse-overlayfs not installed fails with one line naming the package" {
  mkdir l
  run env PATH=/nonexistent "$NOOK" run --overlay=fuse --layer l --upper u --layers-at /m -- /bin/true
  assert_status 125
  assert_one_error_line
  assert_output_has "fuse-overlayfs is not installed"
  assert_output_has "install the package fuse-overlayfs"
  [ ! -e u ] && [ ! -e .u.nook ]
}

@test "fuse: fuse-overlayfs dying at start is reported with its own message" {
  mkdir l bin
  # The real fuse-overlayfs, given a uid mapping it refuses.
  printf '#!/bin/sh\nexec %s -o uidmapping=no_such_mapping_nook "$@"\n' "$(command -v fuse-overlayfs)" > bin/fuse-overlayfs
  chmod +x bin/fuse-overlayfs
  run env PATH="$PWD/bin:$PATH" "$NOOK" run --overlay=fuse --layer l --layers-at /m -- true
  assert_status 125
  assert_one_error_line
  assert_output_has "fuse-overlayfs failed: fuse-overlayfs: invalid mapping specified: no_such_mapping_nook"
  run ! pgrep -u "$(id -u)" -f "[n]o_such_mapping_nook"
}
