/* Unit tests: --time-offset's value into the spec (timens.h), and the
   offsets' JSON form (the state's and inspect's) read back.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/timens.h"

static void
parses_seconds_fractions_and_signs (void **state)
{
  struct nook_timens_spec t = { 0 };
  struct nook_error err = { 0 };

  (void)state;
  assert_int_equal (nook_timens_parse ("monotonic=86400", &t, &err), 0);
  assert_true (t.create);
  assert_int_equal (t.monotonic.sec, 86400);
  assert_int_equal (t.monotonic.nsec, 0);
  assert_false (t.boottime.set);
  assert_true (t.monotonic.set);
  /* A later value of a clock wins; the other clock is kept.  */
  assert_int_equal (nook_timens_parse ("boottime=+1.5,monotonic=2.000000001", &t, &err), 0);
  assert_int_equal (t.boottime.sec, 1);
  assert_int_equal (t.boottime.nsec, 500000000);
  assert_int_equal (t.monotonic.sec, 2);
  assert_int_equal (t.monotonic.nsec, 1);
  /* Negative: seconds signed, nanoseconds added to them, as the kernel
     reads timens_offsets (-1.5 s is -2 s + 0.5 s).  */
  assert_int_equal (nook_timens_parse ("monotonic=-1.5,boottime=-3", &t, &err), 0);
  assert_int_equal (t.monotonic.sec, -2);
  assert_int_equal (t.monotonic.nsec, 500000000);
  assert_int_equal (t.boottime.sec, -3);
  assert_int_equal (t.boottime.nsec, 0);
  assert_int_equal (nook_timens_parse ("boottime=-0.000000001", &t, &err), 0);
  assert_int_equal (t.boottime.sec, -1);
  assert_int_equal (t.boottime.nsec, 999999999);
  assert_int_equal (nook_timens_parse ("monotonic=4611686018", &t, &err), 0);
  assert_int_equal (t.monotonic.sec, NOOK_TIME_OFFSET_SEC_MAX);
}

static void
refuses_what_is_not_an_offset (void **state)
{
  static const char *const bad[] = { "",
                                     "monotonic",
                                     "monotonic=",
                                     "realtime=1",
                                     "Monotonic=1",
                                     "monotonic=1,",
                                     ",monotonic=1",
                                     "monotonic=1,monotonic=2",
                                     "monotonic=1.",
                                     "monotonic=.5",
                                     "monotonic=1.0000000001",
                                     "monotonic=--1",
                                     "monotonic=+-1",
                                     "monotonic=1e3",
                                     "monotonic=0x10",
                                     "monotonic= 1",
                                     "monotonic=4611686019",
                                     "monotonic=-4611686019",
                                     "monotonic=99999999999999999999999",
                                     NULL };

  (void)state;
  for (size_t i = 0; bad[i]; i++)
    {
      struct nook_timens_spec t = { 0 };
      struct nook_error err = { 0 };

      if (nook_timens_parse (bad[i], &t, &err) == 0)
        fail_msg ("accepted `%s`", bad[i]);
      assert_non_null (err.msg);
      assert_non_null (strstr (err.msg, "--time-offset"));
      assert_non_null (strstr (err.msg, "(Hint: "));
      assert_false (t.create);
      nook_error_release (&err);
    }
}

static void
json_round_trip (void **state)
{
  struct nook_timens_spec t = { 0 }, back = { 0 }, none = { 0 };
  struct nook_error err = { 0 };
  json_object *o;

  (void)state;
  assert_null (nook_timens_json (&none));
  assert_int_equal (nook_timens_from_json (NULL, &back), 0);
  assert_false (back.create);
  assert_int_equal (nook_timens_parse ("monotonic=-7.25,boottime=604800", &t, &err), 0);
  o = nook_timens_json (&t);
  assert_string_equal (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN),
                       "{\"monotonic\":{\"secs\":-8,\"nanosecs\":750000000},"
                       "\"boottime\":{\"secs\":604800,\"nanosecs\":0}}");
  assert_int_equal (nook_timens_from_json (o, &back), 0);
  assert_true (back.create);
  assert_memory_equal (&back.monotonic, &t.monotonic, sizeof t.monotonic);
  assert_memory_equal (&back.boottime, &t.boottime, sizeof t.boottime);
  json_object_put (o);
  o = json_tokener_parse ("{\"monotonic\":{\"secs\":1,\"nanosecs\":1000000000},"
                          "\"boottime\":{\"secs\":0,\"nanosecs\":0}}");
  assert_int_equal (nook_timens_from_json (o, &back), -1);
  json_object_put (o);
  /* A clock not given keeps the inherited offset: it is not recorded.  */
  memset (&t, 0, sizeof t);
  assert_int_equal (nook_timens_parse ("boottime=3", &t, &err), 0);
  assert_false (t.monotonic.set);
  o = nook_timens_json (&t);
  assert_string_equal (json_object_to_json_string_ext (o, JSON_C_TO_STRING_PLAIN),
                       "{\"boottime\":{\"secs\":3,\"nanosecs\":0}}");
  memset (&back, 0, sizeof back);
  assert_int_equal (nook_timens_from_json (o, &back), 0);
  assert_true (back.create && back.boottime.set && !back.monotonic.set);
  assert_int_equal (back.boottime.sec, 3);
  json_object_put (o);
  o = json_tokener_parse ("{\"monotonic\":{\"secs\":1}}");
  assert_int_equal (nook_timens_from_json (o, &back), -1);
  json_object_put (o);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (parses_seconds_fractions_and_signs),
    cmocka_unit_test (refuses_what_is_not_an_offset),
    cmocka_unit_test (json_round_trip),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
