/* Unit tests: /etc/subuid parsing and id map building.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/userns.h"

static void
subid_finds_by_name_and_by_id (void **state)
{
  const char *content = "# comment\nalice:100000:65536\n1001:300000:1000\nbob:200000:65536\n";
  uint32_t start, count;

  assert_int_equal (nook_subid_find (content, "bob", 1002, &start, &count), 0);
  assert_int_equal (start, 200000);
  assert_int_equal (count, 65536);
  assert_int_equal (nook_subid_find (content, "carol", 1001, &start, &count), 0);
  assert_int_equal (start, 300000);
  assert_int_equal (count, 1000);
}

static void
subid_rejects_missing_and_malformed (void **state)
{
  uint32_t start, count;

  assert_int_equal (nook_subid_find ("alice:100000:65536\n", "bob", 1002, &start, &count), -1);
  assert_int_equal (nook_subid_find ("bob:abc:65536\n", "bob", 1002, &start, &count), -1);
  assert_int_equal (nook_subid_find ("bob:100000\n", "bob", 1002, &start, &count), -1);
  assert_int_equal (nook_subid_find ("bob:100000:0\n", "bob", 1002, &start, &count), -1);
  assert_int_equal (nook_subid_find ("bobby:1:2\n", "bob", 1002, &start, &count), -1);
  assert_int_equal (nook_subid_find ("", "bob", 1002, &start, &count), -1);
  /* No newline at the end of the file.  */
  assert_int_equal (nook_subid_find ("bob:5:6", "bob", 1002, &start, &count), 0);
  assert_int_equal (start, 5);
}

static void
subid_free_range_overlaps_nobody (void **state)
{
  const char *files[2];
  uint32_t start = 0;

  /* Empty or missing files: useradd's first range.  */
  files[0] = NULL;
  files[1] = "";
  assert_int_equal (nook_subid_free_range (files, 2, 100000, 65536, &start), 0);
  assert_int_equal (start, 100000);
  /* Past every range of either file, in any order, comments and
     malformed lines ignored, gaps too small skipped.  */
  files[0] = "# x:0:99999999\nalice:165536:65536\nbob:100000:65536\nbad:1:\n";
  files[1] = "carol:231072:10\ndave:231100:65536\n";
  assert_int_equal (nook_subid_free_range (files, 2, 100000, 65536, &start), 0);
  assert_int_equal (start, 296636);
  /* A gap wide enough is taken.  */
  files[1] = "carol:300000:10\n";
  assert_int_equal (nook_subid_free_range (files, 2, 100000, 65536, &start), 0);
  assert_int_equal (start, 231072);
  /* A range below MIN does not matter; one reaching 2^32 leaves none.  */
  files[0] = "low:0:5000\n";
  files[1] = "all:100000:4294867295\n";
  assert_int_equal (nook_subid_free_range (files, 2, 100000, 65536, &start), -1);
}

static void
map_self_is_one_extent (void **state)
{
  struct nook_idmap m[NOOK_MAX_EXTENTS];
  struct nook_error err = { 0 };
  size_t n;

  assert_int_equal (nook_idmap_build (NOOK_MAP_SELF, "uid", 0, 1001, 0, 0, m, &n, &err), 0);
  assert_int_equal (n, 1);
  assert_int_equal (m[0].inside, 0);
  assert_int_equal (m[0].outside, 1001);
  assert_int_equal (m[0].count, 1);
  assert_int_equal (nook_idmap_build (NOOK_MAP_SELF, "uid", 123456, 1001, 0, 0, m, &n, &err), 0);
  assert_int_equal (m[0].inside, 123456);
}

static void
map_auto_fills_around_the_caller (void **state)
{
  struct nook_idmap m[NOOK_MAX_EXTENTS];
  struct nook_error err = { 0 };
  size_t n;

  assert_int_equal (nook_idmap_build (NOOK_MAP_AUTO, "uid", 0, 1001, 100000, 65536, m, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_int_equal (m[1].inside, 1);
  assert_int_equal (m[1].outside, 100000);
  assert_int_equal (m[1].count, 65535);

  assert_int_equal (nook_idmap_build (NOOK_MAP_AUTO, "uid", 1000, 1001, 100000, 65536, m, &n, &err), 0);
  assert_int_equal (n, 3);
  assert_int_equal (m[0].inside, 1000);
  assert_int_equal (m[1].inside, 0);
  assert_int_equal (m[1].count, 1000);
  assert_int_equal (m[2].inside, 1001);
  assert_int_equal (m[2].outside, 101000);
  assert_int_equal (m[2].count, 64535);

  /* The top id: nothing above it.  */
  assert_int_equal (nook_idmap_build (NOOK_MAP_AUTO, "uid", 65535, 1001, 100000, 65536, m, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_int_equal (m[1].count, 65535);
}

static void
map_auto_with_a_small_range_maps_what_there_is (void **state)
{
  struct nook_idmap m[NOOK_MAX_EXTENTS];
  struct nook_error err = { 0 };
  size_t n;

  assert_int_equal (nook_idmap_build (NOOK_MAP_AUTO, "uid", 0, 1001, 100000, 1000, m, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_int_equal (m[1].count, 1000);
  assert_int_equal (nook_idmap_build (NOOK_MAP_AUTO, "uid", 5000, 1001, 100000, 1000, m, &n, &err), 0);
  assert_int_equal (n, 2);
  assert_int_equal (m[1].inside, 0);
  assert_int_equal (m[1].count, 1000);
}

static void
map_auto_rejects_ids_outside_the_range (void **state)
{
  struct nook_idmap m[NOOK_MAX_EXTENTS];
  struct nook_error err = { 0 };
  size_t n;

  assert_int_equal (nook_idmap_build (NOOK_MAP_AUTO, "uid", 65536, 1001, 100000, 65536, m, &n, &err), -1);
  assert_non_null (strstr (err.msg, "outside the mapped range 0-65535"));
  nook_error_release (&err);
}

static void
map_format_matches_uid_map (void **state)
{
  struct nook_idmap m[2] = { { 0, 1001, 1 }, { 1, 100000, 65535 } };
  char *s = nook_idmap_format (m, 2);
  assert_string_equal (s, "0 1001 1\n1 100000 65535\n");
  free (s);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (subid_finds_by_name_and_by_id),
    cmocka_unit_test (subid_rejects_missing_and_malformed),
    cmocka_unit_test (subid_free_range_overlaps_nobody),
    cmocka_unit_test (map_self_is_one_extent),
    cmocka_unit_test (map_auto_fills_around_the_caller),
    cmocka_unit_test (map_auto_with_a_small_range_maps_what_there_is),
    cmocka_unit_test (map_auto_rejects_ids_outside_the_range),
    cmocka_unit_test (map_format_matches_uid_map),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
