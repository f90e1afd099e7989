/* Unit tests: number and size parsing, errors.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/utils.h"

static void
parse_uint_accepts_only_plain_numbers (void **state)
{
  uint64_t v;
  assert_int_equal (nook_parse_uint ("42", 100, &v), 0);
  assert_int_equal (v, 42);
  assert_int_equal (nook_parse_uint ("101", 100, &v), -1);
  assert_int_equal (nook_parse_uint ("", 100, &v), -1);
  assert_int_equal (nook_parse_uint ("-1", 100, &v), -1);
  assert_int_equal (nook_parse_uint ("+1", 100, &v), -1);
  assert_int_equal (nook_parse_uint ("1 ", 100, &v), -1);
  assert_int_equal (nook_parse_uint ("99999999999999999999999", UINT64_MAX, &v), -1);
}

static void
parse_size_takes_suffixes (void **state)
{
  uint64_t v;
  assert_int_equal (nook_parse_size ("10m", &v), 0);
  assert_int_equal (v, 10ULL << 20);
  assert_int_equal (nook_parse_size ("2G", &v), 0);
  assert_int_equal (v, 2ULL << 30);
  assert_int_equal (nook_parse_size ("512", &v), 0);
  assert_int_equal (v, 512);
  assert_int_equal (nook_parse_size ("k", &v), -1);
  assert_int_equal (nook_parse_size ("1.5g", &v), -1);
  assert_int_equal (nook_parse_size ("99999999999t", &v), -1);
}

static void
errors_wrap_and_hint (void **state)
{
  struct nook_error err = { 0 };
  assert_int_equal (nook_error_set (&err, 2, "bind `%s`", "/src"), -1);
  assert_string_equal (err.msg, "bind `/src`: No such file or directory");
  nook_error_wrap (&err, "run");
  nook_error_hint (&err, "create it");
  assert_string_equal (err.msg, "run: bind `/src`: No such file or directory (Hint: create it)");
  assert_int_equal (err.status, NOOK_EXIT_ERROR);
  nook_error_status (&err, NOOK_EXIT_NOT_FOUND);
  assert_int_equal (err.status, 127);
  nook_error_release (&err);
  assert_null (err.msg);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (parse_uint_accepts_only_plain_numbers),
    cmocka_unit_test (parse_size_takes_suffixes),
    cmocka_unit_test (errors_wrap_and_hint),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
