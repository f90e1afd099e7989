/* nook: per-user state of sandboxes: ids, names, status, exit codes.
 *
 * The layout under nook_runtime_dir() is described in docs/state.md:
 *
 *   lock                 flock: creating, removing and sweeping take it
 *   sandboxes/ID/        0700; its supervisor holds a flock on it while alive
 *   sandboxes/ID/state.json   0600, replaced atomically (write + rename),
 *                        authenticated (auth.h): what nook_state_running
 *                        resolved, read back by nook_sandbox_spec
 *   sandboxes/ID/log, log.1   a detached sandbox's stdout and stderr
 *   names/NAME -> ID     a symlink: a name is unique because symlink() is
 *
 * Whether a sandbox's supervisor (the `nook run` process) lives is the
 * flock on its directory: the kernel drops it when that process dies, even
 * by SIGKILL, so stale state is recognised without trusting a pid.
 */
#ifndef NOOK_STATE_H
#define NOOK_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <json-c/json.h>

#include "error.h"
#include "life-spec.h"

struct nook_spec;
struct nook_filters;

#define NOOK_ID_LEN 12

/* The runtime directory, opened.  */
struct nook_store
{
  char *path;
  int fd;     /* the runtime directory */
  int boxes;  /* sandboxes/ */
  int names;  /* names/ */
  int lockfd; /* the lock file, flock'd while `locked` */
};

/* A sandbox as read from its state.  */
struct nook_sandbox
{
  char id[NOOK_ID_LEN + 1];
  int dirfd;        /* sandboxes/ID (O_RDONLY: flock works on it) */
  json_object *doc; /* state.json, NULL while the sandbox is being created, or when forged */
  bool forged;      /* state.json is there but not as nook wrote it: never obeyed */
  bool supervised;  /* its supervisor holds the lock */
  bool running;     /* its init lives (pid and start time checked) */
  pid_t pid;        /* host pid of its PID 1 */
  uint64_t start;   /* and that process' start time */
};

/**
 * nook_store_open - open the per-user state directory
 * @store: gets the directory fds; release with nook_store_close
 * @err: set on failure
 *
 * Opens the runtime directory and its subdirectories, creating them when
 * missing.
 *
 * Return: 0, or -1 with @err set (no usable runtime directory).
 */
int nook_store_open (struct nook_store *store, struct nook_error *err);

/**
 * nook_store_close - release a store
 * @store: its fds are closed (and its lock dropped); may be closed twice
 */
void nook_store_close (struct nook_store *store);

/**
 * nook_store_lock - take the store's exclusive lock
 * @store: an open store; the lock is held until nook_store_unlock or
 *         nook_store_close
 * @err: set on failure
 *
 * The lock serialises creating, removing and sweeping sandboxes.
 *
 * Return: 0, or -1 with @err set when flock failed.
 */
int nook_store_lock (struct nook_store *store, struct nook_error *err);

/**
 * nook_store_unlock - drop the store's exclusive lock
 * @store: an open store; nothing happens when it is not locked
 */
void nook_store_unlock (struct nook_store *store);

/**
 * nook_store_sweep - remove the state of sandboxes that died unrecorded
 * @store: an open store, with its lock held
 *
 * A sandbox whose supervisor died without recording an exit (SIGKILL,
 * power loss) is removed.  Failures are passed over: a sweep is best
 * effort, and a later one retries.
 */
void nook_store_sweep (struct nook_store *store);

/**
 * nook_sandbox_find - find a sandbox a user named
 * @store: an open store
 * @ref: a full id, a name, or a unique id prefix
 * @sb: filled; release with nook_sandbox_release
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set when @ref is unknown or ambiguous, or the
 * sandbox's state is forged (a name that points to a sandbox of another
 * name is forged too).
 */
int nook_sandbox_find (struct nook_store *store, const char *ref, struct nook_sandbox *sb,
                       struct nook_error *err);

/**
 * nook_sandbox_find_any - find a sandbox, forged or not
 * @store: an open store
 * @ref: as for nook_sandbox_find
 * @sb: filled; a forged one has sb->forged set and no document; release
 *      with nook_sandbox_release
 * @err: set on failure
 *
 * As nook_sandbox_find, but returns a forged sandbox, for `nook rm` to
 * remove.
 *
 * Return: 0, or -1 with @err set when @ref is unknown or ambiguous.
 */
int nook_sandbox_find_any (struct nook_store *store, const char *ref, struct nook_sandbox *sb,
                           struct nook_error *err);

/**
 * nook_sandbox_forged_error - the error for a sandbox whose state is forged
 * @sb: the sandbox; only read
 * @err: set to the error, with a hint to remove it
 *
 * Return: -1.
 */
int nook_sandbox_forged_error (const struct nook_sandbox *sb, struct nook_error *err);

/**
 * nook_sandbox_load - read one sandbox's state
 * @store: an open store
 * @id: the sandbox's full id
 * @sb: filled; release with nook_sandbox_release.  A state that fails
 *      authentication leaves sb->doc NULL and sets sb->forged.
 *
 * Return: 0, or -1 when the sandbox has no directory.
 */
int nook_sandbox_load (struct nook_store *store, const char *id, struct nook_sandbox *sb);

/**
 * nook_sandbox_release - release what a find or a load filled
 * @sb: its directory fd and document are released; may be released twice
 */
void nook_sandbox_release (struct nook_sandbox *sb);

/**
 * nook_sandbox_list - the ids of all sandboxes
 * @store: an open store
 *
 * Return: a NULL-terminated vector, oldest first, that the caller frees
 * with strv_free; empty when the directory cannot be read.
 */
char **nook_sandbox_list (struct nook_store *store);

/**
 * nook_sandbox_pidfd - a pidfd for a sandbox's PID 1
 * @sb: a found or loaded sandbox
 * @err: set on failure
 *
 * The pid is checked against its recorded start time, so a recycled pid
 * is never signalled.
 *
 * Return: a pidfd the caller closes, or -1 with @err set when the sandbox
 * is still starting or not running (with its exit status when known).
 */
int nook_sandbox_pidfd (const struct nook_sandbox *sb, struct nook_error *err);

/**
 * nook_sandbox_remove - remove a sandbox's state and name
 * @store: an open store, with its lock held
 * @sb: the sandbox; still to be released by the caller
 * @err: set on failure
 *
 * Its name goes too; every name linked to a forged one goes.  The caller
 * checks that it does not run.
 *
 * Return: 0, or -1 with @err set when its directory could not be removed.
 */
int nook_sandbox_remove (struct nook_store *store, struct nook_sandbox *sb, struct nook_error *err);

/**
 * nook_sandbox_wait - wait until a sandbox's supervisor is gone
 * @store: an open store
 * @sb: the sandbox; reloaded in place once its supervisor is gone
 * @err: set on failure
 *
 * Blocks on the sandbox's lock, which its supervisor holds while it lives.
 *
 * Return: 0, or -1 with @err set when waiting failed, the state reloaded
 * is forged, or --rm removed it (its exit status is gone).
 */
int nook_sandbox_wait (struct nook_store *store, struct nook_sandbox *sb, struct nook_error *err);

/**
 * nook_sandbox_spec - the spec a sandbox was started with
 * @sb: the sandbox, with its authenticated state
 * @spec: initialised with nook_spec_init; filled with the resolved values
 *        nook_state_running recorded: the command, ids, capabilities, the
 *        seccomp policy's name, network, limits and layers.  Nothing is
 *        parsed again from a command line.
 * @err: set when the sandbox has no state yet or a field is invalid, or
 *       when its seccomp.bpf is not the one the state names (forged)
 *
 * Return: 0, or -1 with @err set.
 */
int nook_sandbox_spec (const struct nook_sandbox *sb, struct nook_spec *spec, struct nook_error *err);

/**
 * nook_sandbox_filters - the seccomp programs a sandbox's command was loaded with
 * @sb: the sandbox, with its authenticated state
 * @filters: zeroed, then filled from seccomp.bpf, checked against the
 *           digest the state holds, and marked ready (no program for an
 *           unconfined sandbox); free with nook_filters_free
 * @err: set when the state has no spec or the file is not the one it names
 *
 * What `nook exec` applies: never a filter compiled again.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_sandbox_filters (const struct nook_sandbox *sb, struct nook_filters *filters,
                          struct nook_error *err);

/* The "spec" object of state.json for SPEC, resolved and prepared
   (state-spec.c describes the fields); FILTER_SHA256 is the digest
   nook_state_write_filters gave, NULL when unconfined.  */
json_object *nook_state_spec_json (const struct nook_spec *spec, const char *filter_sha256);
/* Writes the compiled seccomp programs FILTERS[0..1] as DIRFD/seccomp.bpf
   and gives their file's SHA-256 in hex.  */
struct nook_bpf;
int nook_state_write_filters (int dirfd, const struct nook_bpf *filters, char sha256[65],
                              struct nook_error *err);

/**
 * nook_state_path_exposes - whether a sandbox given PATH would reach the state
 * @path: a host path that would be bound (or merged) into a sandbox
 *
 * True when PATH is nook's runtime directory, inside it, or one of its
 * ancestors (the same directory under another path counts too): anything
 * there could change how nook treats a sandbox.
 */
bool nook_state_path_exposes (const char *path);

/**
 * nook_state_check_binds - refuse host paths that would expose the state
 * @spec: the spec; its bind sources, layer lowers and --rootfs are checked
 * @err: names the first such path and the fix
 *
 * Return: 0, or -1 with @err set.
 */
int nook_state_check_binds (const struct nook_spec *spec, struct nook_error *err);

/* Accessors of a sandbox's state document.  */
const char *nook_sandbox_str (const struct nook_sandbox *sb, const char *key);
int64_t nook_sandbox_int (const struct nook_sandbox *sb, const char *key, int64_t dflt);
/* "running", "exited" or "created".  */
const char *nook_sandbox_status (const struct nook_sandbox *sb);

/* ---- the supervisor's side --------------------------------------------------- */

/* A sandbox being run: its reserved directory, held locked.  */
struct nook_state
{
  struct nook_store store;
  char id[NOOK_ID_LEN + 1];
  int dirfd;
  bool remove;
  json_object *doc;
  /* The user's secret (auth.h), read while nook is still in its own user
     namespace: a sandbox that joins another's writes its state from
     inside that one's, where the user keyring is another.  Kept in a page
     that fork wipes (MADV_WIPEONFORK), so no child holds it.  */
  uint8_t *secret;
};

/* Reserves an id (and the spec's name) for SPEC before any process
   exists: a name in use is an error.  */
int nook_state_reserve (struct nook_state *st, const struct nook_spec *spec, struct nook_error *err);
/* Records that the sandbox runs: PID (its PID 1 on the host), the command,
   the resolved spec (nook_state_spec_json), FILTERS (nook_security_prepare
   compiled them: written as seccomp.bpf, what exec loads) and what inspect
   shows.  One atomic write.  */
int nook_state_running (struct nook_state *st, const struct nook_spec *spec,
                        const struct nook_filters *filters, pid_t pid, const char *const joined[NOOK_JOIN_N],
                        struct nook_error *err);
/* Records the exit status (-1: the command never started), or removes the
   state with --rm; releases the lock.  */
void nook_state_finish (struct nook_state *st, int status);

/* ---- the state file (state-file.c) ------------------------------------------ */

/* Writes DOC as the state of ST's sandbox, atomically and authenticated.  */
int nook_state_write (const struct nook_state *st, json_object *doc, struct nook_error *err);
/* Reads the state of sandbox ID from its directory DIRFD.  Returns 0 with
   *DOC NULL when there is none yet, or -1 when there is one that is not
   authentic.  */
int nook_state_read (int dirfd, const char *id, json_object **doc);
/* The user's secret in a page of its own that fork wipes; released
   (wiped, unmapped) by nook_state_secret_release.  */
int nook_state_secret (uint8_t **secret, struct nook_error *err);
void nook_state_secret_release (uint8_t **secret);

/* The current time, as state and inspect show it (RFC 3339, UTC).  */
char *nook_time_now (void);
/* Parses nook_time_now's format; 0 on failure.  */
int64_t nook_time_parse (const char *s);

#endif
