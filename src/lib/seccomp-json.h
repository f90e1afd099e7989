/* nook: a seccomp policy's text read into JSON (see seccomp-json.c).  */
#ifndef NOOK_SECCOMP_JSON_H
#define NOOK_SECCOMP_JSON_H

#include <json-c/json.h>
#include <stddef.h>

#include "error.h"

/**
 * nook_policy_json_parse - parse a policy's text as one JSON value
 * @text: the policy (hostile: any bytes)
 * @len: its length (over INT_MAX is refused with EFBIG)
 * @file: its name, for the messages
 * @err: filled on failure: "seccomp policy `FILE`: line L, column C: ..."
 *       for invalid JSON, text after the value, or a key given twice in
 *       one object (the key escaped)
 *
 * Return: the value (json_object_put it), or NULL with @err set.
 */
json_object *nook_policy_json_parse (const char *text, size_t len, const char *file, struct nook_error *err);

/**
 * nook_json_parse_strict - nook_policy_json_parse for any JSON document
 * @what: what the document is, for the messages ("profile")
 *
 * The same checks, json-c's strict mode besides (RFC 8259: no trailing
 * comma, no single quotes), and messages "WHAT `FILE`: line L, column C: ...".
 */
json_object *nook_json_parse_strict (const char *text, size_t len, const char *what, const char *file,
                                     struct nook_error *err);

#endif
