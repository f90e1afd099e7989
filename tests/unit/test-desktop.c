/* Unit tests: the desktop options' names (application ids, D-Bus names)
   and the Xauthority file a sandbox gets.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/desktop.h"
#include "lib/desktop-spec.h"
#include "lib/utils.h"

static void
app_ids_are_flatpaks (void **state)
{
  static const char *const good[] = { "org.example.App", "org.gnome.Text-Editor", "io.github.a_b.C1", NULL };
  static const char *const bad[]
      = { "",          "org.example", "org..example.App", ".org.example.App", "org.1x.App",
          "org/x/App", "../../etc",   "org.example.App.", "org.ex ample.App", NULL };
  (void)state;
  for (size_t i = 0; good[i]; i++)
    if (!nook_app_id_is_valid (good[i]))
      fail_msg ("refused `%s`", good[i]);
  for (size_t i = 0; bad[i]; i++)
    if (nook_app_id_is_valid (bad[i]))
      fail_msg ("accepted `%s`", bad[i]);
}

static void
bus_names_are_well_known_names_or_prefixes (void **state)
{
  static const char *const good[]
      = { "org.freedesktop.Notifications", "org.freedesktop.portal.*", "org.mpris.MediaPlayer2.vlc", NULL };
  static const char *const bad[]
      = { ":1.42", "org", "org.*", "*", "org.a..b", "org.a.*.b", "org.a.b*", NULL };
  (void)state;
  for (size_t i = 0; good[i]; i++)
    if (!nook_bus_name_is_valid (good[i]))
      fail_msg ("refused `%s`", good[i]);
  for (size_t i = 0; bad[i]; i++)
    if (nook_bus_name_is_valid (bad[i]))
      fail_msg ("accepted `%s`", bad[i]);
}

/* One Xauthority entry in the file format.  */
static void
put_entry (FILE *f, unsigned family, const char *addr, const char *number, const char *data)
{
  const char *fields[] = { addr, number, "MIT-MAGIC-COOKIE-1", data };

  fputc (family >> 8, f);
  fputc (family & 0xff, f);
  for (size_t i = 0; i < 4; i++)
    {
      size_t n = strlen (fields[i]);
      fputc (n >> 8, f);
      fputc (n & 0xff, f);
      fwrite (fields[i], 1, n, f);
    }
}

static void
xauthority_holds_only_the_display_as_wild (void **state)
{
  char path[] = "/tmp/nook-test-xauth.XXXXXX";
  struct nook_error err = { 0 };
  unsigned char buf[4096];
  int tmp = mkstemp (path), fd;
  FILE *f = fdopen (tmp, "w");
  ssize_t n;

  (void)state;
  assert_non_null (f);
  put_entry (f, 256, "thishost", "3", "COOKIE-FOR-3-LOCAL");
  put_entry (f, 256, "otherhost", "3", "COOKIE-OF-OTHERHOST");
  put_entry (f, 256, "thishost", "4", "COOKIE-FOR-DISPLAY-4");
  put_entry (f, 0, "\x7f\0\0\x01", "3", "COOKIE-OVER-TCP");
  put_entry (f, 65535, "", "3", "COOKIE-FOR-3-WILD");
  fclose (f);

  fd = nook_xauth_for_display (path, "3", "thishost", &err);
  unlink (path);
  assert_true (fd >= 0);
  n = read (fd, buf, sizeof buf - 1);
  close (fd);
  assert_true (n > 0);
  buf[n] = '\0';
  assert_non_null (memmem (buf, n, "COOKIE-FOR-3-LOCAL", 18));
  assert_non_null (memmem (buf, n, "COOKIE-FOR-3-WILD", 17));
  assert_null (memmem (buf, n, "OTHERHOST", 9));
  assert_null (memmem (buf, n, "DISPLAY-4", 9));
  assert_null (memmem (buf, n, "OVER-TCP", 8));
  /* Both entries rewritten as FamilyWild.  */
  assert_int_equal (buf[0], 0xff);
  assert_int_equal (buf[1], 0xff);
  assert_string_equal (nook_xauth_method (), "libXau");
}

static void
xauthority_missing_source_is_empty (void **state)
{
  struct nook_error err = { 0 };
  int fd = nook_xauth_for_display ("/nonexistent/.Xauthority", "0", "h", &err);
  char c;

  (void)state;
  assert_true (fd >= 0);
  assert_int_equal (read (fd, &c, 1), 0);
  close (fd);
  assert_string_equal (nook_xauth_method (), "none");
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (app_ids_are_flatpaks),
    cmocka_unit_test (bus_names_are_well_known_names_or_prefixes),
    cmocka_unit_test (xauthority_holds_only_the_display_as_wild),
    cmocka_unit_test (xauthority_missing_source_is_empty),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
