/* nook: what `nook inspect` shows of a sandbox, as JSON.  */
#ifndef NOOK_INSPECT_H
#define NOOK_INSPECT_H

#include <json-c/json.h>

#include "spec.h"
#include "state.h"

/**
 * nook_inspect - what `nook inspect` shows of a sandbox
 * @sb: the sandbox; only read
 * @spec: the spec its state recorded (nook_sandbox_spec), or NULL while
 *        it has none; only read
 *
 * Each concern adds its own section (see the table in inspect.c).  Strings
 * from the sandbox go in as they are: JSON escapes them.
 *
 * Return: a new object the caller puts; never fails.
 */
json_object *nook_inspect (const struct nook_sandbox *sb, const struct nook_spec *spec);

#endif
