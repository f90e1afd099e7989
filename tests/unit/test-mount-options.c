/* Unit tests: filesystem options of `nook run` and the diff of an upper.  */
#include <config.h>

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "cmd.h"
#include "lib/diff.h"
#include "lib/cwd.h"
#include "lib/utils.h"

#include "run-parse.h"

static void
mount_options_append_ops_in_order (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (parse (&spec, &err,
                           ARGV ("--ro-bind", "/a", "/b", "--volume", "/c:/d:ro", "--size", "1m", "--perms",
                                 "0700", "--tmpfs", "/t", "--tmpfs", "/u:size=64m,mode=1777", "--dir", "/x",
                                 "--chmod", "0711", "/x", "--file", "0", "/f", "--", "true")),
                    0);
  assert_int_equal (spec.n_mounts, 7);
  assert_int_equal (spec.mounts[0].kind, NOOK_MNT_BIND);
  assert_true (spec.mounts[0].flags & NOOK_MNT_F_RDONLY);
  assert_string_equal (spec.mounts[1].src, "/c");
  assert_string_equal (spec.mounts[1].dest, "/d");
  assert_true (spec.mounts[1].flags & NOOK_MNT_F_RDONLY);
  assert_int_equal (spec.mounts[2].size, 1 << 20);
  assert_int_equal (spec.mounts[2].mode, 0700);
  /* --size and --perms applied to the next tmpfs only.  */
  assert_int_equal (spec.mounts[3].size, 64 << 20);
  assert_int_equal (spec.mounts[3].mode, 01777);
  assert_string_equal (spec.mounts[3].dest, "/u");
  assert_int_equal (spec.mounts[4].kind, NOOK_MNT_DIR);
  assert_int_equal (spec.mounts[4].mode, 0);
  assert_int_equal (spec.mounts[5].kind, NOOK_MNT_CHMOD);
  assert_int_equal (spec.mounts[5].mode, 0711);
  assert_int_equal (spec.mounts[6].kind, NOOK_MNT_FILE);
  assert_int_equal (spec.mounts[6].fd, 0);
  nook_spec_free (&spec);
}

static void
layers_make_one_stack (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (parse (&spec, &err,
                           ARGV ("--tmpfs", "/t", "--layer", "l1", "--upper", "up", "--layer", "l2",
                                 "--layers-at", "/m", "--overlay", "fuse", "true")),
                    0);
  assert_int_equal (spec.n_mounts, 2);
  assert_int_equal (spec.mounts[1].kind, NOOK_MNT_OVERLAY);
  assert_string_equal (spec.mounts[1].dest, "/m");
  assert_string_equal (spec.mounts[1].overlay->lowers[0], "l1");
  assert_string_equal (spec.mounts[1].overlay->lowers[1], "l2");
  assert_null (spec.mounts[1].overlay->lowers[2]);
  assert_string_equal (spec.mounts[1].overlay->upper, "up");
  assert_int_equal (spec.fs.overlay_kind, NOOK_OVERLAY_FUSE);
  nook_spec_free (&spec);
}

static void
bad_mount_options_are_refused (void **state)
{
  char **const cases[] = {
    ARGV ("--perms", "0799", "--tmpfs", "/t", "true"),
    ARGV ("--tmpfs", "/t:size=lots", "true"),
    ARGV ("--tmpfs", "/t:noexec", "true"),
    ARGV ("--volume", "/only", "true"),
    ARGV ("--size", "1m", "--", "true"),
    ARGV ("--upper", "u", "--", "true"),
    ARGV ("--overlay", "zfs", "true"),
    ARGV ("--layer", "l", "--rootfs", "/r", "true"),
    ARGV ("--file", "x", "/f", "true"),
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct nook_spec spec;
      struct nook_error err = { 0 };
      assert_int_equal (parse (&spec, &err, cases[i]), -1);
      assert_non_null (err.msg);
      nook_error_release (&err);
      nook_spec_free (&spec);
    }
}

static void
write_file (const char *path, const char *data)
{
  FILE *f = fopen (path, "w");
  assert_non_null (f);
  fputs (data, f);
  fclose (f);
}

static void
diff_reads_oci_whiteouts_and_opaque_dirs (void **state)
{
  char dir[] = "/tmp/nook-unit-diff.XXXXXX", path[256];
  struct nook_changes c;
  struct nook_error err = { 0 };
  char *lowers[2];

  assert_non_null (mkdtemp (dir));
#define P(s) (snprintf (path, sizeof path, "%s/%s", dir, s), path)
  mkdir (P ("lower"), 0755);
  mkdir (P ("upper"), 0755);
  mkdir (P ("lower/o"), 0755);
  mkdir (P ("upper/o"), 0755);
  write_file (P ("lower/kept"), "x");
  write_file (P ("lower/gone"), "x");
  write_file (P ("lower/o/old"), "x");
  write_file (P ("upper/kept"), "y");
  write_file (P ("upper/new"), "y");
  write_file (P ("upper/.wh.gone"), "");
  write_file (P ("upper/o/.wh..wh..opq"), "");
  lowers[0] = xstrdup (P ("lower"));
  lowers[1] = NULL;
  assert_int_equal (nook_diff (P ("upper"), lowers, &c, &err), 0);
  assert_int_equal (c.n, 5);
  assert_int_equal (c.v[0].kind, 'D');
  assert_string_equal (c.v[0].path, "/gone");
  assert_int_equal (c.v[1].kind, 'C');
  assert_string_equal (c.v[1].path, "/kept");
  assert_int_equal (c.v[2].kind, 'A');
  assert_string_equal (c.v[2].path, "/new");
  assert_int_equal (c.v[3].kind, 'C');
  assert_string_equal (c.v[3].path, "/o");
  assert_int_equal (c.v[4].kind, 'D');
  assert_string_equal (c.v[4].path, "/o/old");
  nook_changes_free (&c);
  free (lowers[0]);
  assert_int_equal (nook_remove_tree_at (AT_FDCWD, dir), 0);
  assert_int_equal (access (dir, F_OK), -1);
#undef P
}

/* The directories a fake caller owns: a root caller owns the shared ones
   too, and they must still not count.  */
static bool
fake_owned (const char *path, void *data)
{
  for (const char *const *d = data; *d; d++)
    if (strcmp (path, *d) == 0)
      return true;
  return false;
}

static void
cwd_rule_binds_only_inside_the_callers_directories (void **state)
{
  static const char *const owned[]
      = { "/", "/tmp", "/var/tmp", "/home", "/home/me", "/srv/me", "/tmp/build.1", "/data", NULL };
  static const struct
  {
    const char *cwd;
    enum nook_cwd_why why;
  } cases[] = {
    { "/home/me", NOOK_CWD_IS_HOME },
    { "/home/me/proj", NOOK_CWD_UNDER_HOME },
    { "/home/me/proj/sub", NOOK_CWD_UNDER_HOME },
    { "/home/meow", NOOK_CWD_NOT_OWNED },
    { "/home", NOOK_CWD_NOT_OWNED },
    { "/", NOOK_CWD_HOST_VIEW },
    { "/proc/self", NOOK_CWD_HOST_VIEW },
    { "/dev", NOOK_CWD_HOST_VIEW },
    { "/sys/fs/cgroup", NOOK_CWD_HOST_VIEW },
    { "/devices", NOOK_CWD_NOT_OWNED },
    { "/tmp", NOOK_CWD_NOT_OWNED },
    { "/var/tmp", NOOK_CWD_NOT_OWNED },
    /* The top of a directory of the caller's is not bound, what is in it is.  */
    { "/tmp/build.1", NOOK_CWD_NOT_OWNED },
    { "/tmp/build.1/src", NOOK_CWD_UNDER_OWNED },
    { "/tmp/other/src", NOOK_CWD_NOT_OWNED },
    { "/var/tmp/x", NOOK_CWD_NOT_OWNED },
    { "/srv/me", NOOK_CWD_NOT_OWNED },
    { "/srv/me/p/q", NOOK_CWD_UNDER_OWNED },
    { "/data/p", NOOK_CWD_UNDER_OWNED },
    { "/usr/share", NOOK_CWD_NOT_OWNED },
    { "relative", NOOK_CWD_HOST_VIEW },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      enum nook_cwd_why why
          = nook_cwd_decide (cases[i].cwd, "/home/me", NOOK_CWD_AUTO, fake_owned, (void *)owned);
      if (why != cases[i].why)
        fail_msg ("%s: %d, expected %d", cases[i].cwd, why, cases[i].why);
    }
  /* A directory of the caller's above the home is the home's container.  */
  assert_int_equal (nook_cwd_decide ("/data/p", "/data/h/me", NOOK_CWD_AUTO, fake_owned, (void *)owned),
                    NOOK_CWD_NOT_OWNED);
  /* No home, or a shared directory as the home: only ownership counts.  */
  assert_int_equal (nook_cwd_decide ("/home/me/p", NULL, NOOK_CWD_AUTO, fake_owned, (void *)owned),
                    NOOK_CWD_UNDER_OWNED);
  assert_int_equal (nook_cwd_decide ("/tmp/x", "/tmp", NOOK_CWD_AUTO, fake_owned, (void *)owned),
                    NOOK_CWD_NOT_OWNED);
  assert_int_equal (nook_cwd_decide ("/usr/x", "/", NOOK_CWD_AUTO, fake_owned, (void *)owned),
                    NOOK_CWD_NOT_OWNED);
}

static void
cwd_rule_gives_way_to_the_options (void **state)
{
  static const char *const none[] = { NULL };
  struct nook_spec spec;
  struct nook_error err = { 0 };

  assert_int_equal (nook_cwd_decide ("/home/me", "/home/me", NOOK_CWD_FORCE, fake_owned, (void *)none),
                    NOOK_CWD_FORCED);
  assert_int_equal (nook_cwd_decide ("/home/me/p", "/home/me", NOOK_CWD_NEVER, fake_owned, (void *)none),
                    NOOK_CWD_REFUSED);
  /* Not even --bind-cwd binds the whole host.  */
  assert_int_equal (nook_cwd_decide ("/", "/home/me", NOOK_CWD_FORCE, fake_owned, (void *)none),
                    NOOK_CWD_HOST_VIEW);
  assert_true (nook_cwd_is_bound (NOOK_CWD_FORCED));
  assert_false (nook_cwd_is_bound (NOOK_CWD_IS_HOME));

  assert_int_equal (parse (&spec, &err, ARGV ("--", "true")), 0);
  assert_int_equal (spec.cwd_mode, NOOK_CWD_AUTO);
  nook_spec_free (&spec);
  assert_int_equal (parse (&spec, &err, ARGV ("--no-bind-cwd", "--bind-cwd", "--", "true")), 0);
  assert_int_equal (spec.cwd_mode, NOOK_CWD_FORCE);
  nook_spec_free (&spec);
  assert_int_equal (parse (&spec, &err, ARGV ("--bind-cwd", "--no-bind-cwd", "--", "true")), 0);
  assert_int_equal (spec.cwd_mode, NOOK_CWD_NEVER);
  nook_spec_free (&spec);
}

/* A record of the mapped helper's stream (diff.c).  */
static size_t
change_record (char *buf, char kind, const char *path)
{
  uint32_t mode = 0100644, old = 0, len = strlen (path);
  size_t n = 0;
  buf[n++] = 'C';
  buf[n++] = kind;
  memcpy (buf + n, &mode, 4), n += 4;
  memcpy (buf + n, &old, 4), n += 4;
  buf[n++] = 1; /* file capabilities */
  memcpy (buf + n, &len, 4), n += 4;
  memcpy (buf + n, path, len), n += len;
  return n;
}

static void
diff_stream_from_the_mapped_helper_is_checked (void **state)
{
  static const char *const bad_paths[] = { "/a/../b", "a", "/a//b", "/", "/.", "/a/", NULL };
  struct nook_changes c = { 0 };
  struct nook_error err = { 0 };
  char buf[512];
  size_t n;

  n = change_record (buf, 'A', "/var/p/f");
  buf[n++] = 'Z';
  assert_int_equal (nook_diff_read_stream (buf, n, &c, &err), 0);
  assert_int_equal (c.n, 1);
  assert_string_equal (c.v[0].path, "/var/p/f");
  assert_true (c.v[0].fcaps);
  nook_changes_free (&c);
  /* Without its end mark, the answer is not whole.  */
  assert_int_equal (nook_diff_read_stream (buf, n - 1, &c, &err), -1);
  assert_non_null (strstr (err.msg, "ended before its answer"));
  nook_error_release (&err);
  nook_changes_free (&c);
  /* Truncated inside a record, a length past the end.  */
  assert_int_equal (nook_diff_read_stream (buf, 9, &c, &err), -1);
  nook_error_release (&err);
  nook_changes_free (&c);
  assert_int_equal (nook_diff_read_stream (buf, 12, &c, &err), -1);
  nook_error_release (&err);
  nook_changes_free (&c);
  for (size_t i = 0; bad_paths[i]; i++)
    {
      n = change_record (buf, 'A', bad_paths[i]);
      buf[n++] = 'Z';
      assert_int_equal (nook_diff_read_stream (buf, n, &c, &err), -1);
      assert_non_null (strstr (err.msg, "bad entry"));
      nook_error_release (&err);
      nook_changes_free (&c);
    }
  n = change_record (buf, 'X', "/a");
  buf[n++] = 'Z';
  assert_int_equal (nook_diff_read_stream (buf, n, &c, &err), -1);
  nook_error_release (&err);
  nook_changes_free (&c);
  /* Its error is shown without control characters.  */
  {
    uint32_t e = 13, len = 6;
    n = 0;
    buf[n++] = 'E';
    memcpy (buf + n, &e, 4), n += 4;
    memcpy (buf + n, &len, 4), n += 4;
    memcpy (buf + n, "bad\033]0", 6), n += 6;
    buf[n++] = 'Z';
    assert_int_equal (nook_diff_read_stream (buf, n, &c, &err), -1);
    assert_string_equal (err.msg, "bad\\x1b]0");
    assert_int_equal (err.errnum, 13);
    nook_error_release (&err);
  }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (mount_options_append_ops_in_order),
    cmocka_unit_test (layers_make_one_stack),
    cmocka_unit_test (bad_mount_options_are_refused),
    cmocka_unit_test (diff_reads_oci_whiteouts_and_opaque_dirs),
    cmocka_unit_test (diff_stream_from_the_mapped_helper_is_checked),
    cmocka_unit_test (cwd_rule_binds_only_inside_the_callers_directories),
    cmocka_unit_test (cwd_rule_gives_way_to_the_options),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
