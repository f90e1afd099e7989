/* libFuzzer target: the reader of a sandbox's state (the "spec" of
   state.json back into struct nook_spec, the seccomp programs it names
   and the places Landlock lets nook exec write, landlock_writable).  The input is the state's JSON as
   state-file.c parses it once its MAC is checked: the MAC keeps a forged state out, this target is about a
   state nook wrote with another version or a bug.  Every input must end in a spec or in an error message,
   never in a crash, a leak or a hang.

   The sandbox's directory is one of the harness's, holding a
   seccomp.bpf written by nook_state_write_filters, so that a digest in
   the input can name real programs (the seeds name the digest of the one
   written here: see sandbox-seccomp.json).  */
#include <config.h>

#include <linux/filter.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <fcntl.h>
#include <json-c/json.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "lib/landlock.h"
#include "lib/security.h"
#include "lib/spec.h"
#include "lib/state.h"
#include "lib/utils.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static int sandbox_dir = -1;

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  char dir[4096];
  struct sock_filter allow = BPF_STMT (BPF_RET | BPF_K, 0x7fff0000), kill = BPF_STMT (BPF_RET | BPF_K, 0);
  struct sock_filter prog[2] = { allow, kill };
  struct nook_bpf filters[2] = { { prog, 1, 0 }, { prog, 2, 1 } };
  struct nook_error err = { 0 };
  char sha256[65];

  (void)argc;
  (void)argv;
  fuzz_workdir ("state", dir, sizeof dir);
  if ((sandbox_dir = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
      || nook_state_write_filters (sandbox_dir, filters, sha256, &err) < 0)
    abort ();
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct nook_sandbox sb = { .id = "0123456789ab", .dirfd = sandbox_dir };
  struct json_tokener *tok = json_tokener_new ();
  struct nook_error err = { 0 };
  struct nook_filters filters;
  struct nook_spec spec;

  if (tok == NULL)
    return 0;
  sb.doc = json_tokener_parse_ex (tok, (const char *)data, (int)size);
  json_tokener_free (tok);
  if (sb.doc == NULL || !json_object_is_type (sb.doc, json_type_object))
    {
      json_object_put (sb.doc);
      return 0;
    }
  nook_spec_init (&spec);
  if (nook_sandbox_spec (&sb, &spec, &err) < 0 && err.msg == NULL)
    abort (); /* a failure must say why */
  nook_spec_free (&spec);
  nook_error_release (&err);
  if (nook_sandbox_filters (&sb, &filters, &err) < 0 && err.msg == NULL)
    abort ();
  nook_filters_free (&filters);
  nook_error_release (&err);
  {
    char **writable = NULL;
    if (nook_landlock_writable_from_json (json_object_object_get (sb.doc, "landlock_writable"), &writable,
                                          &err)
            < 0
        && (err.msg == NULL || writable != NULL))
      abort ();
    strv_free (writable);
    nook_error_release (&err);
  }
  json_object_put (sb.doc);
  return 0;
}
