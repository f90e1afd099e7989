/* libFuzzer target: the profile reader (strict JSON with json-c, then the
   document into plain C, the version and the format's changes).  Every
   input must end in a profile or in an error message, never in a crash, a
   leak or a hang.  */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/profile.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Changes of a format after this nook's, so that migrating renames and
   refuses keys of the fuzzed profiles too.  */
static const struct nook_profile_change changes[] = {
  { NOOK_PROFILE_FORMAT + 1, "net", "network", "renamed" },
  { NOOK_PROFILE_FORMAT + 1, "bind", NULL, "removed" },
  { 0, NULL, NULL, NULL },
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct nook_profile p;
  struct nook_error err = { 0 };

  if (nook_profile_parse ((const char *)data, size, "fuzz.json", &p, &err) == 0)
    {
      if (p.version < 1 || p.version > NOOK_PROFILE_FORMAT)
        abort (); /* a version this nook does not read was accepted */
      for (size_t i = 0; i < p.n_entries; i++)
        if (p.entries[i].key == NULL || (p.entries[i].form == NOOK_PROFILE_SCALAR && !p.entries[i].values[0]))
          abort ();
      if (nook_profile_migrate (&p, changes, &err) < 0 && err.msg == NULL)
        abort ();
    }
  else if (err.msg == NULL)
    abort (); /* a failure must say why */
  nook_profile_free (&p);
  nook_error_release (&err);
  return 0;
}
