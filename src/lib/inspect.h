/* nook: what `nook inspect` shows of a sandbox, as JSON.  */
#ifndef NOOK_INSPECT_H
#define NOOK_INSPECT_H

#include <json-c/json.h>

#include "spec.h"
#include "state.h"

/* Builds the description of SB.  SPEC is the spec its state recorded
   (nook_sandbox_spec; NULL while it has none).  Each concern adds its own
   section (see the table in inspect.c).  */
json_object *nook_inspect (const struct nook_sandbox *sb, const struct nook_spec *spec);

#endif
