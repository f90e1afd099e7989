/* Unit tests: number and size parsing, errors, escaping what a sandbox
   named, and which names an upper may hold.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "lib/diff.h"
#include "lib/escape.h"
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

static void
assert_escaped (const char *in, const char *want)
{
  char *got = nook_escape_name (in);
  assert_string_equal (got, want);
  free (got);
}

static void
escape_keeps_text_and_quotes_controls (void **state)
{
  /* Printable ASCII and valid UTF-8 (accents, CJK, emoji) stay.  */
  assert_escaped ("plain name-1.txt", "plain name-1.txt");
  assert_escaped ("caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe6\x97\xa5 \xf0\x9f\x98\x80");
  assert_escaped ("", "");
  /* ESC, CR, newline, tab, DEL, other controls, and the backslash.  */
  assert_escaped ("a\x1b[2Kb", "a\\x1b[2Kb");
  assert_escaped ("x\ry\nz\tw", "x\\ry\\nz\\tw");
  assert_escaped ("\x01\x7f\x1f", "\\x01\\x7f\\x1f");
  assert_escaped ("back\\slash", "back\\\\slash");
  /* An escaped name cannot pass for another: `\x1b` typed as text. */
  assert_escaped ("\\x1b", "\\\\x1b");
}

static void
escape_quotes_invalid_utf8_and_terminal_code_points (void **state)
{
  /* A lone continuation byte, a truncated sequence, bytes never valid.  */
  assert_escaped ("a\x80"
                  "b",
                  "a\\x80b");
  assert_escaped ("\xe6\x97", "\\xe6\\x97");
  assert_escaped ("\xff\xfe", "\\xff\\xfe");
  /* Overlong `/` and NUL, a surrogate, beyond U+10FFFF.  */
  assert_escaped ("\xc0\xaf", "\\xc0\\xaf");
  assert_escaped ("\xe0\x80\xaf", "\\xe0\\x80\\xaf");
  assert_escaped ("\xed\xa0\x80", "\\xed\\xa0\\x80");
  assert_escaped ("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
  /* C1 CSI (U+009B) acts like ESC [; U+202E reverses the line.  */
  assert_escaped ("a\xc2\x9b"
                  "2Kb",
                  "a\\xc2\\x9b2Kb");
  assert_escaped ("\xe2\x80\xaetxt.exe", "\\xe2\\x80\\xaetxt.exe");
  /* A valid sequence right after an invalid byte is kept.  */
  assert_escaped ("\xa9\xc3\xa9", "\\xa9\xc3\xa9");
}

static void
escape_bytes_shows_nul (void **state)
{
  char *got = nook_escape_bytes ("a\0b", 3);
  assert_string_equal (got, "a\\x00b");
  free (got);
}

static void
escape_text_keeps_a_message_and_quotes_controls (void **state)
{
  /* A message of nook's: its backslashes, tabs and escaped names stay;
     what a name it quoted raw carries does not reach the terminal.  */
  char *got = nook_escape_text ("try: `a\\x1b\tb`: \x1b[2K\rD \xff\n\a");
  assert_string_equal (got, "try: `a\\x1b\tb`: \\x1b[2K\\rD \\xff\\n\\x07");
  free (got);
}

static void
upper_names_must_name_an_entry (void **state)
{
  assert_true (nook_diff_name_ok ("a"));
  assert_true (nook_diff_name_ok ("..."));
  assert_true (nook_diff_name_ok (".wh.x"));
  assert_true (nook_diff_name_ok ("a\x1b"));
  assert_false (nook_diff_name_ok (""));
  assert_false (nook_diff_name_ok ("."));
  assert_false (nook_diff_name_ok (".."));
  assert_false (nook_diff_name_ok ("a/b"));
  assert_false (nook_diff_name_ok ("/"));
}

static void
change_lines_show_modes_and_escape (void **state)
{
  struct nook_change chmod_x
      = { .kind = 'C', .path = "/build.sh", .mode = S_IFREG | 0755, .old_mode = S_IFREG | 0644 };
  struct nook_change suid = { .kind = 'A', .path = "/sh", .mode = S_IFREG | 04755 };
  struct nook_change made_suid
      = { .kind = 'C', .path = "/t", .mode = S_IFREG | 06755, .old_mode = S_IFREG | 0755 };
  struct nook_change dev = { .kind = 'A', .path = "/null", .mode = S_IFCHR | 0666 };
  struct nook_change sgid_dir = { .kind = 'A', .path = "/shared", .mode = S_IFDIR | 02775 };
  struct nook_change capped = { .kind = 'A', .path = "/ping", .mode = S_IFREG | 0755, .fcaps = true };
  struct nook_change esc = { .kind = 'D', .path = "/a\x1b[1Ab\r" };
  struct nook_changes two = { .v = (struct nook_change[]){ chmod_x, suid }, .n = 2 };
  struct nook_error err = { 0 };
  char *line;

  line = nook_change_line (&chmod_x, "/p");
  assert_string_equal (line, "C /p/build.sh (0644 -> 0755)");
  free (line);
  line = nook_change_line (&suid, NULL);
  assert_string_equal (line, "A /sh (4755, setuid)");
  free (line);
  line = nook_change_line (&made_suid, NULL);
  assert_string_equal (line, "C /t (0755 -> 6755, setuid and setgid)");
  free (line);
  line = nook_change_line (&dev, NULL);
  assert_string_equal (line, "A /null (0666, character device)");
  free (line);
  /* Shown, not refused (nook_changes_check_special passes it below).  */
  line = nook_change_line (&sgid_dir, NULL);
  assert_string_equal (line, "A /shared (2775, setgid directory)");
  free (line);
  line = nook_change_line (&capped, NULL);
  assert_string_equal (line, "A /ping (0755, file capabilities not applied)");
  free (line);
  line = nook_change_line (&esc, "/p");
  assert_string_equal (line, "D /p/a\\x1b[1Ab\\r");
  free (line);
  assert_int_equal (nook_changes_check_special (&two, "/p", &err), -1);
  assert_non_null (strstr (err.msg, "`/p/sh`: a setuid file (mode 4755)"));
  assert_non_null (strstr (err.msg, "--allow-setuid"));
  nook_error_release (&err);
  two.n = 1;
  assert_int_equal (nook_changes_check_special (&two, "/p", &err), 0);
}

/* Whole components, "/" holding everything: what the state guard,
   overlay's layer checks and Landlock's rule skipping rely on.  */
static void
path_is_beneath_compares_components (void **state)
{
  (void)state;
  assert_true (nook_path_is_beneath ("/d", "/d"));
  assert_true (nook_path_is_beneath ("/d/x", "/d"));
  assert_false (nook_path_is_beneath ("/dx", "/d"));
  assert_false (nook_path_is_beneath ("/d", "/d/x"));
  assert_true (nook_path_is_beneath ("/anything", "/"));
  assert_true (nook_path_is_beneath ("/", "/"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (parse_uint_accepts_only_plain_numbers),
    cmocka_unit_test (parse_size_takes_suffixes),
    cmocka_unit_test (errors_wrap_and_hint),
    cmocka_unit_test (escape_keeps_text_and_quotes_controls),
    cmocka_unit_test (escape_quotes_invalid_utf8_and_terminal_code_points),
    cmocka_unit_test (escape_bytes_shows_nul),
    cmocka_unit_test (escape_text_keeps_a_message_and_quotes_controls),
    cmocka_unit_test (upper_names_must_name_an_entry),
    cmocka_unit_test (change_lines_show_modes_and_escape),
    cmocka_unit_test (path_is_beneath_compares_components),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
