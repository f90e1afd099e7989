# The layer suite, shared by layers-kernel.bats and layers-fuse.bats: each
# sets OVERLAY and calls these, so the same checks run once per overlay kind.

setup() { cd "$BATS_TEST_TMPDIR"; }

# A tiny root in DIR: busybox and its applets.
make_base() {
  mkdir -p "$1/bin"
  cp /bin/busybox "$1/bin/busybox"
  for a in sh cat ls rm mv mkdir touch echo stat test readlink true; do ln -s busybox "$1/bin/$a"; done
}

lrun() { nook run --overlay="$OVERLAY" "$@"; }

layers_later_layer_wins_and_becomes_the_root() {
  make_base base
  mkdir -p top && echo low > base/f && echo high > top/f && echo only-base > base/g
  run lrun --layer base --layer top -- sh -c 'cat /f /g; ls /proc/1/comm'
  assert_status 0
  [ "${lines[0]}" = high ]
  [ "${lines[1]}" = only-base ]
  [ "${lines[2]}" = /proc/1/comm ]
}

layers_upper_keeps_changes_and_diff_lists_them() {
  make_base lower1
  mkdir lower2 && echo orig > lower1/file1.txt && echo keep > lower2/other
  run lrun --layer lower1 --layer lower2 --upper upper -- sh -c 'echo new > /created.txt; echo changed > /file1.txt'
  assert_status 0
  [ "$(cat lower1/file1.txt)" = orig ]
  [ ! -e lower1/created.txt ] && [ ! -e lower2/created.txt ]
  [ "$(cat upper/created.txt)" = new ]
  [ "$(cat upper/file1.txt)" = changed ]
  run nook diff upper
  assert_status 0
  [ "$output" = "A /created.txt
C /file1.txt" ]
  # The next run over the same upper sees the changes.
  run lrun --layer lower1 --layer lower2 --upper upper -- cat /created.txt /file1.txt
  assert_status 0
  [ "$output" = "new
changed" ]
}

layers_deleted_file_vanishes_through_a_whiteout() {
  make_base base
  echo x > base/victim && mkdir -p base/dir/sub && echo y > base/dir/sub/f
  run lrun --layer base --upper upper -- sh -c 'rm /victim; rm -rf /dir'
  assert_status 0
  [ -e base/victim ] && [ -e base/dir/sub/f ]
  run lrun --layer base --upper upper -- sh -c 'test -e /victim || echo gone; test -e /dir || echo dir-gone'
  assert_status 0
  [ "$output" = "gone
dir-gone" ]
  run nook diff upper
  assert_status 0
  assert_output_has "D /victim"
  assert_output_has "D /dir"
}

layers_opaque_directory_hides_the_lower() {
  make_base base
  mkdir -p base/etc/app top/etc/app && echo old > base/etc/app/old.conf && echo new > top/etc/app/new.conf
  setfattr -n user.overlay.opaque -v y top/etc/app
  run lrun --layer base --layer top -- ls /etc/app
  assert_status 0
  [ "$output" = new.conf ]
}

layers_replaced_directory_is_opaque_in_the_upper() {
  make_base base
  mkdir -p base/d && echo old > base/d/old
  run lrun --layer base --upper upper -- sh -c 'rm -rf /d && mkdir /d && echo new > /d/new'
  assert_status 0
  run lrun --layer base --upper upper -- ls /d
  [ "$output" = new ]
  run nook diff upper
  assert_output_has "D /d/old"
  assert_output_has "A /d/new"
}

layers_oci_whiteouts_hide_lower_files() {
  make_base base
  mkdir -p top/etc/app base/etc/app && echo x > base/gone && echo y > base/etc/app/old
  touch top/.wh.gone top/etc/app/.wh..wh..opq && echo n > top/etc/app/new
  run lrun --layer base --layer top -- sh -c 'test -e /gone || echo gone; ls -a /etc/app'
  assert_status 0
  [ "${lines[0]}" = gone ]
  assert_output_has new
  assert_output_lacks old
  assert_output_lacks ".wh."
}

layers_ephemeral_upper_is_gone_at_exit() {
  make_base base
  run lrun --layer base -- sh -c 'echo data > /new; cat /new'
  assert_status 0
  [ "$output" = data ]
  run lrun --layer base -- sh -c 'test -e /new || echo clean'
  [ "$output" = clean ]
  [ ! -e base/new ]
}

layers_at_a_destination_in_the_default_root() {
  mkdir -p l1 l2 && echo a > l1/a && echo b > l2/b
  run lrun --layer l1 --layer l2 --layers-at /srv/merged -- sh -c 'cat /srv/merged/a /srv/merged/b; echo w > /srv/merged/w && echo writable; touch /etc/nope'
  assert_status 1
  [ "${lines[0]}" = a ] && [ "${lines[1]}" = b ] && [ "${lines[2]}" = writable ]
  assert_output_has "Read-only file system"
  [ ! -e l1/w ] && [ ! -e l2/w ]
}

layers_verbose_names_the_overlay() {
  mkdir l
  run lrun --verbose --layer l --layers-at /m -- grep " /m " /proc/self/mountinfo
  assert_status 0
  # What --verbose names is what the sandbox has mounted.
  if [ "$OVERLAY" = fuse ]; then assert_output_has "fuse-overlayfs overlay"; else assert_output_has "kernel overlay"; fi
  if [ "$OVERLAY" = fuse ]; then assert_output_has " - fuse.fuse-overlayfs "; else assert_output_has " - overlay "; fi
}

layers_rename_shows_as_delete_and_add() {
  make_base base
  echo data > base/old
  run lrun --layer base --upper upper -- mv /old /new
  assert_status 0
  run nook diff --json upper
  assert_status 0
  assert_output_has '"kind":"D"'
  assert_output_has '"path":"/old"'
  assert_output_has '"path":"/new"'
}

layers_bad_layer_fails_with_one_line() {
  echo file > notadir
  run lrun --layer notadir -- true
  assert_status 125
  assert_one_error_line
  assert_output_has '--layer `notadir`: Not a directory'
  run lrun --layer missing -- true
  assert_status 125
  assert_one_error_line
  assert_output_has '--layer `missing`: No such file or directory'
  run lrun --upper u -- true
  assert_status 125
  assert_one_error_line
}

layers_work_for_a_non_root_uid_inside() {
  mkdir l && echo hi > l/f
  run lrun --uid 1000 --gid 1000 --layer l --upper upper --layers-at /m -- sh -c 'id -u; cat /m/f; echo x > /m/g; rm /m/f; ls /m'
  assert_status 0
  [ "$output" = "1000
hi
g" ]
  [ "$(stat -c %u upper/g)" = "$(id -u)" ]
}
