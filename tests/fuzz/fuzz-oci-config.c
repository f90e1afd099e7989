/* libFuzzer target: the OCI runtime's config.json reader and exec's
   process file (JSON with json-c, then every section into struct
   nook_spec).  Every input must end in a spec or in an error message,
   never in a crash, a leak or a hang.  */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/oci-config.h"
#include "lib/spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* One caller as root in a user namespace mapping a range, one unprivileged:
   the two ways a config without a user namespace is completed.  */
static const struct nook_oci_caller root = {
  .uid = 0,
  .gid = 0,
  .uid_map = { { 0, 100000, 65536 } },
  .gid_map = { { 0, 100000, 65536 } },
  .n_uid_map = 1,
  .n_gid_map = 1,
};
static const struct nook_oci_caller user = { .uid = 1000, .gid = 1000 };

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = malloc (size + 1);
  struct nook_spec spec;
  struct nook_oci_config cfg;
  struct nook_error err = { 0 };

  if (text == NULL)
    return 0;
  memcpy (text, data, size);
  text[size] = '\0';

  /* The input's length picks the caller, so both sides are reached.  */
  nook_spec_init (&spec);
  if (nook_oci_config_parse (text, "/bundle", (size & 1) ? &root : &user, &spec, &cfg, &err) == 0)
    {
      if (spec.argv == NULL || spec.argv[0] == NULL)
        abort (); /* a container without a command was accepted */
    }
  else if (err.msg == NULL)
    abort (); /* a failure must say why */
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
  nook_error_release (&err);

  /* The same bytes as exec's --process file.  */
  nook_spec_init (&spec);
  memset (&cfg, 0, sizeof cfg);
  if (nook_oci_process_parse (text, &spec, &cfg, &err) < 0 && err.msg == NULL)
    abort ();
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
  nook_error_release (&err);
  free (text);
  return 0;
}
