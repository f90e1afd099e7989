/* Unit tests: image names, digests, and the command of a run from an image.  */
#include <config.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/image-run.h"
#include "lib/image.h"
#include "lib/spec.h"
#include "lib/utils.h"

static void
check_name (const char *in, const char *want)
{
  cleanup_free char *out = nook_image_name_normalize (in);
  if (want == NULL)
    assert_null (out);
  else
    assert_string_equal (out, want);
}

static void
names_get_latest_and_refuse_junk (void **state)
{
  check_name ("busybox", "busybox:latest");
  check_name ("busybox:1.36", "busybox:1.36");
  check_name ("localhost:5000/a/b", "localhost:5000/a/b:latest");
  check_name ("localhost:5000/a/b:v2", "localhost:5000/a/b:v2");
  check_name ("docker.io/library/debian:12", "docker.io/library/debian:12");
  check_name ("", NULL);
  check_name ("Upper", NULL);
  check_name ("../etc", NULL);
  check_name ("a/../b", NULL);
  check_name ("a//b", NULL);
  check_name ("a/", NULL);
  check_name ("a:", NULL);
  check_name ("a b", NULL);
  check_name ("a\n", NULL);
  check_name ("-a", NULL);
}

static void
digests_are_sha256_and_lowercase_hex (void **state)
{
  const char *good = "sha256:0dd84710da3c25223c2b0a5e8100e50fd0d124a5afea6882a853143cf6e1cd0f";
  assert_true (nook_digest_is_valid (good));
  assert_false (
      nook_digest_is_valid ("sha256:0DD84710da3c25223c2b0a5e8100e50fd0d124a5afea6882a853143cf6e1cd0f"));
  assert_false (
      nook_digest_is_valid ("sha512:0dd84710da3c25223c2b0a5e8100e50fd0d124a5afea6882a853143cf6e1cd0f"));
  assert_false (nook_digest_is_valid ("sha256:0dd8"));
  assert_false (
      nook_digest_is_valid ("sha256:../../../../../../../../../../../../../../../../../../etc/passwd"));
  assert_false (nook_digest_is_valid (NULL));
}

static void
command_is_entrypoint_then_args_or_cmd (void **state)
{
  struct nook_spec spec;
  struct nook_error err = { 0 };
  char *args[] = { "echo", "hi", NULL };
  char **argv = NULL;

  nook_spec_init (&spec);
  spec.image.ref = xstrdup ("img");
  strv_append (&spec.image.cmd, "sh");
  assert_int_equal (nook_image_command (&spec, NULL, &argv, &err), 0);
  assert_string_equal (argv[0], "sh");
  assert_null (argv[1]);
  strv_free (argv), argv = NULL;
  strv_append (&spec.image.entrypoint, "/init");
  assert_int_equal (nook_image_command (&spec, args, &argv, &err), 0);
  assert_string_equal (argv[0], "/init");
  assert_string_equal (argv[1], "echo");
  assert_string_equal (argv[2], "hi");
  assert_null (argv[3]);
  strv_free (argv), argv = NULL;
  nook_spec_free (&spec);

  nook_spec_init (&spec);
  spec.image.ref = xstrdup ("empty");
  assert_int_equal (nook_image_command (&spec, NULL, &argv, &err), -1);
  assert_non_null (strstr (err.msg, "no Entrypoint or Cmd"));
  nook_error_release (&err);
  nook_spec_free (&spec);
}

/* nook run's first operand, with an empty store and a PATH of one
   directory holding `alpine:3`: the rules of nook-run(1).  */
static void
operand_is_read_by_the_written_rules (void **state)
{
  char dir[] = "/tmp/nook-unit-XXXXXX";
  struct nook_error err = { 0 };
  cleanup_free char *bin = NULL, *file = NULL;

  assert_non_null (mkdtemp (dir));
  bin = xasprintf ("%s/bin", dir);
  file = xasprintf ("%s/alpine:3", bin);
  assert_int_equal (mkdir (bin, 0755), 0);
  assert_int_equal (close (creat (file, 0755)), 0);
  setenv ("XDG_DATA_HOME", dir, 1);
  setenv ("PATH", bin, 1);
  assert_int_equal (nook_image_operand ("make", false, &err), NOOK_OPERAND_COMMAND);
  assert_int_equal (nook_image_operand ("./tools/x", false, &err), NOOK_OPERAND_COMMAND);
  assert_int_equal (nook_image_operand ("/usr/bin/make", false, &err), NOOK_OPERAND_COMMAND);
  assert_int_equal (nook_image_operand ("make", true, &err), NOOK_OPERAND_IMAGE);
  assert_int_equal (nook_image_operand ("localhost/app", false, &err), NOOK_OPERAND_IMAGE);
  assert_int_equal (nook_image_operand ("quay.io/x/y:1", false, &err), NOOK_OPERAND_IMAGE);
  assert_int_equal (nook_image_operand ("127.0.0.1:5000/app", false, &err), NOOK_OPERAND_IMAGE);
  assert_int_equal (nook_image_operand ("debian:12", false, &err), NOOK_OPERAND_IMAGE);
  assert_int_equal (nook_image_operand ("alpine:3", false, &err), -1);
  assert_non_null (strstr (err.msg, "both a command"));
  assert_non_null (strstr (err.msg, "on PATH"));
  nook_error_release (&err);
  /* Nothing was created: a plain `nook run make` makes no store.  */
  {
    cleanup_free char *store = xasprintf ("%s/nook", dir);
    assert_int_equal (access (store, F_OK), -1);
  }
  unlink (file);
  rmdir (bin);
  rmdir (dir);
  (void)state;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (names_get_latest_and_refuse_junk),
    cmocka_unit_test (digests_are_sha256_and_lowercase_hex),
    cmocka_unit_test (command_is_entrypoint_then_args_or_cmd),
    cmocka_unit_test (operand_is_read_by_the_written_rules),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
