/* nook: the OCI runtime's state directory (--root).
 *
 * One directory per container, ROOT/ID (0700), holding:
 *   lock         flock'd by the runtime that creates the container, for as
 *                long as it does: a free lock with phase "creating" is the
 *                remnant of a killed create, swept by the next command
 *   state.json   the pid, its start time, the bundle, the creation time,
 *                the phase ("creating", "created"), the cgroup's path
 *                (recorded before it is made, removed with the state)
 *   config.json  the bundle's config as it was at create (exec and the
 *                poststop hooks read this copy, not the bundle's)
 *   seccomp.json the config's seccomp section, compiled at create and exec
 *   exec.fifo    the gate the container waits at until `start`
 * Everything read back is checked: the directory and its files must be
 * the caller's and not writable by others, the fields typed, the pid
 * checked against its start time.  The library never prints.
 */
#ifndef NOOK_OCI_STATE_H
#define NOOK_OCI_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "error.h"

#define NOOK_OCI_ID_MAX 1024

struct nook_oci_root
{
  char *path; /* absolute */
  int fd;
};

struct nook_oci_container
{
  char *id;
  int dirfd;
  int lockfd;       /* held by the creating runtime, else -1 */
  json_object *doc; /* state.json, NULL when there is none yet */
  pid_t pid;        /* 0 when none was recorded */
  uint64_t start;
  const char *bundle;  /* in doc */
  const char *created; /* in doc */
  bool creating;       /* phase "creating" */
  const char *cgroup;  /* in doc: the container's cgroup (cgroup-path.h), or NULL */
};

/**
 * nook_oci_default_root - the state root when --root is not given
 *
 * Return: /run/nook-oci for root, $XDG_RUNTIME_DIR/nook-oci for a user and
 * for root of a user namespace other than the initial one (rootless
 * podman's), else /tmp/nook-oci-UID; newly allocated.
 */
char *nook_oci_default_root (void);

/**
 * nook_oci_root_open - open (and make) the state root
 * @root: filled; release with nook_oci_root_close
 * @path: the directory; made 0700 with its parents when missing
 * @err: set when it cannot be made, or is not the caller's
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_root_open (struct nook_oci_root *root, const char *path, struct nook_error *err);

/**
 * nook_oci_root_close - release an open root
 */
void nook_oci_root_close (struct nook_oci_root *root);

/**
 * nook_oci_id_valid - whether ID may name a container (runc's rule:
 * letters, digits, `_+-.`, not `.` or `..`, at most NOOK_OCI_ID_MAX bytes)
 */
bool nook_oci_id_valid (const char *id);

/**
 * nook_oci_container_new - reserve ID: its directory, locked
 * @root: the open root
 * @id: a valid id
 * @bundle: the bundle's absolute path
 * @c: filled; release with nook_oci_container_release
 * @err: set when ID exists already
 *
 * Writes state.json with phase "creating" and no pid.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_container_new (struct nook_oci_root *root, const char *id, const char *bundle,
                            struct nook_oci_container *c, struct nook_error *err);

/**
 * nook_oci_container_record - record the container's pid and phase
 * @c: a container this process created (lock held)
 * @pid: its init, or 0 to keep the recorded one
 * @phase: "creating" or "created"
 * @err: set when state.json cannot be written
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_container_record (struct nook_oci_container *c, pid_t pid, const char *phase,
                               struct nook_error *err);

/**
 * nook_oci_container_set_cgroup - record the container's cgroup
 * @c: a container this process created (lock held)
 * @dir: the cgroup's absolute path, or NULL for none
 * @err: set when state.json cannot be written
 *
 * Recorded before the cgroup is made: a create killed after it leaves no
 * cgroup that its sweep (nook_oci_root_sweep) does not remove.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_container_set_cgroup (struct nook_oci_container *c, const char *dir, struct nook_error *err);

/**
 * nook_oci_container_load - read a container's state
 * @root: the open root
 * @id: the container's id
 * @c: filled; release with nook_oci_container_release
 * @err: set when there is no such container, or its state is not valid
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_container_load (struct nook_oci_root *root, const char *id, struct nook_oci_container *c,
                             struct nook_error *err);

/**
 * nook_oci_container_status - "creating", "created", "running", "paused"
 * or "stopped", as the runtime-spec names them
 */
const char *nook_oci_container_status (const struct nook_oci_container *c);

/**
 * nook_oci_container_alive - whether the recorded pid is the container's
 * init and has not ended
 */
bool nook_oci_container_alive (const struct nook_oci_container *c);

/**
 * nook_oci_container_state_json - the runtime-spec's state document
 * @c: a loaded container
 *
 * Return: a new object (ociVersion, id, status, pid, bundle, created, owner).
 */
json_object *nook_oci_container_state_json (const struct nook_oci_container *c);

/**
 * nook_oci_container_remove - remove a container's directory
 * @root: the open root
 * @c: the container; its cgroup (every process left in it killed), its
 *     files, then its directory are removed
 * @err: set when something is left
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_container_remove (struct nook_oci_root *root, struct nook_oci_container *c,
                               struct nook_error *err);

/**
 * nook_oci_container_release - close and free what a load or new holds
 */
void nook_oci_container_release (struct nook_oci_container *c);

/**
 * nook_oci_root_list - the ids under the root, sorted
 * @root: the open root
 *
 * Return: a NULL-terminated vector (strv_free), never NULL.
 */
char **nook_oci_root_list (struct nook_oci_root *root);

/**
 * nook_oci_root_sweep - remove what killed creates left
 * @root: the open root
 *
 * A container whose phase is "creating" and whose lock is free was being
 * created by a runtime that died: its init (pid and start time checked)
 * is killed and its directory removed.
 */
void nook_oci_root_sweep (struct nook_oci_root *root);

#endif
