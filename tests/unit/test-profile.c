/* Unit tests: the profile reader (shapes of values, version, the format's
   changes) and the application of a profile's keys through nook run's
   option tables.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "cmd.h"
#include "lib/profile.h"
#include "lib/spec.h"
#include "lib/utils.h"
#include "opts-profile.h"

static int
parse (const char *text, struct nook_profile *p, struct nook_error *err)
{
  return nook_profile_parse (text, strlen (text), "t.json", p, err);
}

static void
values_take_every_shape (void **state)
{
  struct nook_profile p;
  struct nook_error err = { 0 };

  assert_int_equal (parse ("{ \"version\": 1, \"description\": \"d\", \"include\": \"base\", \"a\": true, "
                           "\"b\": 64, \"c\": [\"x\", 0.50], \"d\": [[\"s\", \"t\"], [\"u\", \"v\"]] }",
                           &p, &err),
                    0);
  assert_string_equal (p.description, "d");
  assert_string_equal (p.includes[0], "base");
  assert_null (p.includes[1]);
  assert_int_equal (p.n_entries, 4);
  assert_string_equal (p.entries[0].key, "a");
  assert_int_equal (p.entries[0].form, NOOK_PROFILE_FLAG);
  assert_true (p.entries[0].flag);
  assert_int_equal (p.entries[1].form, NOOK_PROFILE_SCALAR);
  assert_string_equal (p.entries[1].values[0], "64");
  assert_int_equal (p.entries[2].form, NOOK_PROFILE_LIST);
  /* A number keeps its own text.  */
  assert_string_equal (p.entries[2].values[1], "0.50");
  assert_int_equal (p.entries[3].form, NOOK_PROFILE_LISTS);
  assert_int_equal (p.entries[3].n_lists, 2);
  assert_string_equal (p.entries[3].lists[1][1], "v");
  nook_profile_free (&p);
}

static void
refused (const char *text, const char *what)
{
  struct nook_profile p;
  struct nook_error err = { 0 };

  assert_int_equal (parse (text, &p, &err), -1);
  if (strstr (err.msg, what) == NULL)
    fail_msg ("`%s`: expected `%s` in `%s`", text, what, err.msg);
  nook_profile_free (&p);
  nook_error_release (&err);
}

static void
bad_documents_are_named (void **state)
{
  refused ("{ \"version\": 1,\n \"a\": 1,\n}", "profile `t.json`: line 3, column 1: not valid JSON");
  refused ("{ \"version\": 1, \"a\": [[\"x\"], \"y\"] }",
           "key `a`: item 2 is not a list, as the first one is");
  refused ("{ \"version\": 1, \"a\": [\"x\", [\"y\"]] }", "key `a`: item 2 is not a string or a number");
  refused ("{ \"version\": 1, \"a\": null }", "key `a`: a value is true, a string");
  refused ("{ \"version\": 1, \"a\": \"x\\u0000y\" }", "key `a`: a value is true, a string");
  refused ("{ \"version\": 1, \"A_b\": 1 }", "key `A_b`: not an option's name");
  refused ("{ \"version\": 1, \"\\u001b[2J\": 1 }", "key `\\x1b[2J`: not an option's name");
  refused ("{ \"a\": 1 }", "profile `t.json`: no \"version\"");
  refused ("{ \"version\": 0 }", "key `version`: the format's number");
  refused ("{ \"version\": 2 }",
           "written for profile format 2; this nook reads format 1 and older (Hint: upgrade nook)");
  refused ("{ \"version\": 1, \"include\": [\"\"] }", "key `include`: item 1 is empty");
  refused ("{ \"version\": 1, \"include\": {} }", "key `include`: a list of profile names");
  refused ("{ \"version\": 1, \"description\": 3 }", "key `description`: a string");
}

/* A profile written for an older format: a renamed key is read under its
   new name, a removed one is refused saying which format removed it.  */
static void
an_older_format_migrates_or_says_what_changed (void **state)
{
  static const struct nook_profile_change changes[] = {
    { 2, "share-network", "share-net", "renamed to share-net" },
    { 3, "old-opt", NULL, "nook does this by default since" },
    { 0, NULL, NULL, NULL },
  };
  struct nook_profile p;
  struct nook_error err = { 0 };

  assert_int_equal (parse ("{ \"version\": 1, \"share-network\": true }", &p, &err), 0);
  assert_int_equal (nook_profile_migrate (&p, changes, &err), 0);
  assert_string_equal (p.entries[0].key, "share-net");
  nook_profile_free (&p);

  assert_int_equal (parse ("{ \"version\": 1, \"old-opt\": true }", &p, &err), 0);
  assert_int_equal (nook_profile_migrate (&p, changes, &err), -1);
  assert_non_null (strstr (err.msg, "profile `t.json`: key `old-opt`: removed in profile format 3: nook does "
                                    "this by default since"));
  nook_profile_free (&p);
  nook_error_release (&err);
}

/* The keys go through nook run's own tables into the spec.  */
static void
keys_fill_the_spec_as_options_do (void **state)
{
  struct nook_profile_set set = { 0 };
  struct nook_spec spec;
  struct nook_parser parser = { .command = &nook_run_command };
  struct nook_error err = { 0 };
  char **args = NULL;

  set.profiles = xcalloc (1, sizeof *set.profiles);
  set.n = 1;
  assert_int_equal (parse ("{ \"version\": 1, \"hostname\": \"h\", \"share-net\": true, \"timeout\": \"2m\", "
                           "\"ulimit\": [\"nofile=64\"], \"ro-bind\": [[\"/a\", \"/b\"], [\"/c\", \"/d\"]] }",
                           &set.profiles[0], &err),
                    0);
  nook_spec_init (&spec);
  assert_int_equal (nook_profile_apply (&nook_run_command, &set, &spec, &parser, &args, &err), 0);
  assert_string_equal (spec.hostname, "h");
  assert_true (spec.share & NOOK_NS_NET);
  assert_int_equal (spec.life.timeout_ms, 120000);
  assert_int_equal (spec.limits.n_rlimits, 1);
  assert_int_equal (spec.n_mounts, 2);
  assert_string_equal (spec.mounts[1].src, "/c");
  assert_true (spec.mounts[1].flags & NOOK_MNT_F_RDONLY);
  assert_string_equal (args[0], "--hostname");
  assert_string_equal (args[2], "--share-net");
  strv_free (args);
  nook_spec_free (&spec);
  nook_profile_set_free (&set);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (values_take_every_shape),
    cmocka_unit_test (bad_documents_are_named),
    cmocka_unit_test (an_older_format_migrates_or_says_what_changed),
    cmocka_unit_test (keys_fill_the_spec_as_options_do),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
