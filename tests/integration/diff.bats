#!/usr/bin/env bats
# nook diff: an upper layer's changes, as docker diff shows them.

load "$NOOK_TESTS/lib.sh"

setup() { cd "$BATS_TEST_TMPDIR"; mkdir lower upper; }

@test "diff reads kernel whiteouts, OCI whiteouts and opaque directories" {
  echo x > lower/kept && echo x > lower/gone1 && echo x > lower/gone2 && mkdir -p lower/d lower/o && echo x > lower/o/old
  echo new > upper/added && echo changed > upper/kept && touch upper/.wh.gone2
  mkdir upper/o upper/n && touch upper/o/.wh..wh..opq && echo n > upper/o/fresh
  # A kernel whiteout is a 0/0 character device: made in a user namespace.
  unshare -r mknod upper/gone1 c 0 0
  run nook diff --layer lower upper
  assert_status 0
  [ "$output" = "A /added
D /gone1
D /gone2
C /kept
A /n
C /o
A /o/fresh
D /o/old" ] || { echo "$output" >&2; false; }
}

@test "diff --json prints an array of kind, path and mode" {
  echo x > upper/f && chmod 640 upper/f
  run nook diff --json --layer lower upper
  assert_status 0
  [ "$(echo "$output" | tr -d ' \n')" = '[{"kind":"A","path":"/f","mode":"0640"}]' ]
}

@test "diff shows a change of permissions, also in JSON" {
  echo x > lower/m && chmod 644 lower/m && echo x > upper/m && chmod 755 upper/m
  run nook diff --layer lower upper
  assert_status 0
  [ "$output" = "C /m (0644 -> 0755)" ]
  run nook diff --json --layer lower upper
  [ "$(echo "$output" | tr -d ' \n')" = '[{"kind":"C","path":"/m","mode":"0755","old_mode":"0644"}]' ]
}

@test "diff of a missing upper fails with one line" {
  run nook diff nonexistent
  assert_status 125
  assert_one_error_line
  assert_output_has "No such file or directory"
}
