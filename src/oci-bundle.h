/* nook-oci: a container's config.json read into a spec: the bundle's
   (create), or the copy its state directory keeps (exec, the hooks).  */
#ifndef NOOK_OCI_BUNDLE_H
#define NOOK_OCI_BUNDLE_H

#include "lib/error.h"
#include "lib/oci-config.h"
#include "lib/oci-state.h"
#include "lib/spec.h"

/**
 * oci_read_config_file - read a config file whole (config.json, exec's
 * --process), at most 4 MiB
 * @dirfd, @path: where it is, openat's way
 * @out: gets the text, NUL-terminated; the caller frees it
 * @err: set when it cannot be opened or read, or is no regular file of
 * at most 4 MiB
 *
 * Return: 0, or -1 with @err set.
 */
int oci_read_config_file (int dirfd, const char *path, char **out, struct nook_error *err);

/**
 * oci_caller_ids - the caller's ids, and as root the id maps of its user
 * namespace (none in the initial one), for nook_oci_config_parse
 */
struct nook_oci_caller oci_caller_ids (void);

/**
 * oci_load_saved_config - parse the copy of config.json in @c's state
 * directory
 * @c: the container, loaded
 * @spec: initialised; filled
 * @cfg: zeroed; filled (the caller frees it with nook_oci_config_free)
 * @err: set when it cannot be read or parsed
 *
 * Return: 0, or -1 with @err set.
 */
int oci_load_saved_config (struct nook_oci_container *c, struct nook_spec *spec, struct nook_oci_config *cfg,
                           struct nook_error *err);

#endif
