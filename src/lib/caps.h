/* nook: capabilities of the command, through libcap.  */
#ifndef NOOK_CAPS_H
#define NOOK_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

struct nook_spec;

/**
 * nook_caps_default - the default capabilities of root inside
 *
 * The set rootless podman gives.
 *
 * Return: the set, one bit per capability; never fails.
 */
uint64_t nook_caps_default (void);

/**
 * nook_caps_all - every capability this kernel knows
 *
 * Return: the set, one bit per capability; never fails.
 */
uint64_t nook_caps_all (void);

/**
 * nook_cap_parse - a capability by name
 * @name: as libcap names it, with or without "CAP_", any case
 * @cap: the capability's number
 *
 * Return: 0, or -1 when NAME is no capability.
 */
int nook_cap_parse (const char *name, int *cap);

/**
 * nook_caps_for_spec - the capabilities the command runs with
 * @spec: the spec; its uid and security.cap_* fields
 *
 * Root inside starts from the default set, another uid from none; then
 * ALL or the named ones are added and dropped.  An explicitly added
 * capability wins over a dropped ALL.
 *
 * Return: a mask of 1 << CAP_x bits.
 */
uint64_t nook_caps_for_spec (const struct nook_spec *spec);

/**
 * nook_caps_bound - drop every capability not in CAPS from the bounding set
 * @caps: what stays
 * @err: set on failure
 *
 * Needs CAP_SETPCAP, so it runs before the capability sets are lowered.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_caps_bound (uint64_t caps, struct nook_error *err);

/**
 * nook_caps_set - set the permitted, effective and inheritable sets to CAPS
 * @caps: the capabilities
 * @ambient: also raise them as ambient capabilities, so that they survive
 *           the exec of a program run by a non-zero uid
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set.
 */
int nook_caps_set (uint64_t caps, bool ambient, struct nook_error *err);

#endif
