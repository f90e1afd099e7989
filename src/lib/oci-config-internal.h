/* nook: what the files of the OCI config parser share (oci-config.c,
   oci-config-linux.c, and oci-resources.c for linux.resources, which
   `nook-oci update` reads too): the parser's state and its typed
   getters.  */
#ifndef NOOK_OCI_CONFIG_INTERNAL_H
#define NOOK_OCI_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <json-c/json.h>

#include "error.h"

struct nook_spec;
struct nook_oci_config;
struct nook_oci_caller;

struct parser
{
  struct nook_spec *spec;
  struct nook_oci_config *cfg;
  struct nook_error *err;
};

extern const char *const oci_cfg_ns_names[];

/* A line for cfg->notes: accepted, not acted on.  */
void oci_cfg_note (struct parser *p, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));
/* Sets the error naming FIELD; returns -1.  */
int oci_cfg_bad (struct parser *p, const char *field, const char *why);
/* The one reader of a member: O's KEY when it has TYPE, NULL when absent
   or null; with another type, NULL, *FAILED set and *WHY what it must be
   (NULL otherwise), for the caller to name the field its own way.  */
json_object *oci_cfg_get (json_object *o, const char *key, json_type type, bool *failed, const char **why);
/* O's KEY when it has TYPE, NULL when absent; *FAILED on another type.  */
json_object *oci_cfg_member (struct parser *p, json_object *o, const char *key, json_type type, bool *failed);
int oci_cfg_uint (struct parser *p, json_object *o, const char *key, uint64_t max, uint64_t *out,
                  bool *found);
int oci_cfg_strv (struct parser *p, json_object *o, const char *key, char ***out);
int oci_cfg_str (struct parser *p, json_object *o, const char *key, const char **out);

/* The sections of config.json that oci-config-linux.c reads into
   p->spec: `root` (a relative path is the BUNDLE's), `linux.namespaces`
   (before the mounts: an mqueue mount depends on the IPC namespace), one
   entry of `mounts`, and the rest of `linux` (id maps for CALLER, devices,
   masked and read-only paths, sysctl, seccomp, resources).  Each returns
   0, or -1 with p->err naming the field.  Once every section is read,
   oci_cfg_apply_namespaces sets the spec's namespaces: those the config
   does not list are the host's.  */
int oci_cfg_add_mount (struct parser *p, json_object *m);
int oci_cfg_root (struct parser *p, json_object *root, const char *bundle);
int oci_cfg_namespaces (struct parser *p, json_object *list);
int oci_cfg_linux (struct parser *p, json_object *linux_, const struct nook_oci_caller *caller);
void oci_cfg_apply_namespaces (struct parser *p);

#endif
