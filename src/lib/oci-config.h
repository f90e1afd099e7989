/* nook: an OCI bundle's config.json as a struct nook_spec.
 *
 * One more front end of the one data model: the parser fills the same
 * spec the command line does, plus what only an OCI runtime acts on
 * (hooks, the terminal's size, the seccomp section to compile).  It makes
 * no system call and never prints: what it accepts without acting on is
 * listed in notes, for the runtime's log.
 */
#ifndef NOOK_OCI_CONFIG_H
#define NOOK_OCI_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "error.h"
#include "spec.h"

enum nook_oci_hook_kind
{
  NOOK_HOOK_PRESTART,
  NOOK_HOOK_CREATE_RUNTIME,
  NOOK_HOOK_CREATE_CONTAINER,
  NOOK_HOOK_START_CONTAINER,
  NOOK_HOOK_POSTSTART,
  NOOK_HOOK_POSTSTOP,
  NOOK_HOOK_N,
};

struct nook_oci_hook
{
  char *path;  /* absolute, on the host */
  char **args; /* argv, args[0] included; NULL: just the path */
  char **env;
  int timeout; /* seconds; 0: none */
};

/* Namespaces an OCI config may name.  */
enum nook_oci_ns
{
  NOOK_OCI_NS_PID,
  NOOK_OCI_NS_NET,
  NOOK_OCI_NS_IPC,
  NOOK_OCI_NS_UTS,
  NOOK_OCI_NS_MOUNT,
  NOOK_OCI_NS_USER,
  NOOK_OCI_NS_CGROUP,
  NOOK_OCI_NS_TIME,
  NOOK_OCI_NS_N,
};

/* What an OCI runtime acts on besides the spec.  */
struct nook_oci_config
{
  char *oci_version;
  struct nook_oci_hook *hooks[NOOK_HOOK_N];
  size_t n_hooks[NOOK_HOOK_N];
  bool ns[NOOK_OCI_NS_N];                 /* listed */
  char *ns_path[NOOK_OCI_NS_N];           /* listed with a path to join */
  unsigned console_width, console_height; /* process.consoleSize; 0: none */
  char *seccomp;      /* linux.seccomp as JSON text (nook's policy format is OCI's), or NULL */
  char *cgroups_path; /* linux.cgroupsPath */
  bool has_resources; /* linux.resources sets a limit (in spec->limits) */
  char **notes;       /* fields accepted and not acted on, one line each */
};

/* How the caller runs the runtime: decides the user namespace a config
   without one gets.  */
struct nook_oci_caller
{
  uid_t uid;
  gid_t gid;
  /* As root: the ids this user namespace maps (its uid_map and gid_map,
     seen from inside), given as themselves to the container; none: every
     id (the initial user namespace).  */
  struct nook_id_extent uid_map[NOOK_MAX_EXTENTS], gid_map[NOOK_MAX_EXTENTS];
  size_t n_uid_map, n_gid_map;
};

/**
 * nook_oci_config_parse - read a bundle's config.json into a spec
 * @text: the file's bytes, NUL-terminated
 * @bundle: the bundle's absolute path (root.path is relative to it)
 * @caller: who runs the runtime: as root a config without a user
 *          namespace gets an identity map of every id (runc's behaviour as
 *          root); otherwise the caller is mapped to the process's uid/gid
 *          (runc --rootless)
 * @spec: initialised (nook_spec_init); filled
 * @cfg: zeroed; filled; release with nook_oci_config_free
 * @err: set for a malformed file or a field nook cannot honour
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_config_parse (const char *text, const char *bundle, const struct nook_oci_caller *caller,
                           struct nook_spec *spec, struct nook_oci_config *cfg, struct nook_error *err);

/**
 * nook_oci_process_parse - read an OCI process object (exec --process)
 * @text: the JSON text of the process object, NUL-terminated
 * @spec: initialised; gets argv, env, cwd, user, capabilities, rlimits,
 *        terminal, as config.json's process fills them
 * @cfg: gets the console size and notes
 * @err: set for a malformed object
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_process_parse (const char *text, struct nook_spec *spec, struct nook_oci_config *cfg,
                            struct nook_error *err);

/**
 * nook_oci_config_free - release what nook_oci_config_parse filled
 * @cfg: zeroed afterwards
 */
void nook_oci_config_free (struct nook_oci_config *cfg);

/**
 * nook_oci_hook_name - a hook kind's name in config.json ("createRuntime")
 */
const char *nook_oci_hook_name (enum nook_oci_hook_kind kind);

#endif
