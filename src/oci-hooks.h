/* nook-oci: the config's hooks (the runtime-spec's prestart,
   createRuntime, createContainer, startContainer, poststart, poststop),
   each run with the container's state on its stdin.  */
#ifndef NOOK_OCI_HOOKS_H
#define NOOK_OCI_HOOKS_H

#include <sys/types.h>

#include <json-c/json.h>

#include "lib/error.h"
#include "lib/oci-config.h"
#include "lib/oci-state.h"

/**
 * oci_run_hooks_with - run @cfg's hooks of one kind, one after the other
 * @cfg: the parsed config
 * @state: the container's state; its status (and pid, when @pid > 0) set
 * here, then given to each hook on its stdin
 * @kind: enum nook_oci_hook_kind
 * @status, @pid: the state's status and pid
 * @fds: the hooks' files, opened beforehand (createContainer's), or NULL
 * to execute each by its path
 * @err: set, naming the kind, when a hook fails or times out
 *
 * The first hook that fails ends the run.
 *
 * Return: 0, or -1 with @err set.
 */
int oci_run_hooks_with (const struct nook_oci_config *cfg, json_object *state, int kind, const char *status,
                        pid_t pid, const int *fds, struct nook_error *err);

/**
 * oci_run_hooks_of - oci_run_hooks_with on @c's own state
 * @cfg: the parsed config
 * @c: the container
 * @kind, @status, @err: as oci_run_hooks_with
 *
 * Return: 0 (also when @cfg has no hook of @kind), or -1 with @err set.
 */
int oci_run_hooks_of (const struct nook_oci_config *cfg, struct nook_oci_container *c, int kind,
                      const char *status, struct nook_error *err);

/**
 * oci_run_hooks - run a config's hooks of one kind with the state on stdin
 * @c: the container; its config.json copy gives the hooks
 * @kind: enum nook_oci_hook_kind
 * @status: the state's status to give the hooks
 * @err: set when the copy cannot be read, or a hook fails or times out
 *
 * Return: 0, or -1 with @err set.
 */
int oci_run_hooks (struct nook_oci_container *c, int kind, const char *status, struct nook_error *err);

#endif
