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
#include <sys/uio.h>

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
 * @store: an open store, its lock not held: it is taken only to remove,
 *         so the scan holds up no other nook
 *
 * A sandbox whose supervisor died without recording an exit (SIGKILL,
 * power loss) is removed.  Failures are passed over: a sweep is best
 * effort, and a later one retries.
 */
void nook_store_sweep (struct nook_store *store);

/* The longest a `nook run` goes without sweeping the whole store, in
   seconds (docs/state.md).  */
#define NOOK_SWEEP_INTERVAL 60

/**
 * nook_store_sweep_sandbox - remove one sandbox if its supervisor died unrecorded
 * @store: an open store, its lock not held (it is taken meanwhile)
 * @sb: the sandbox, as found
 *
 * What nook_store_sweep does to every entry, for one: the check for a
 * command that looks up one sandbox, at a cost that does not grow with the
 * store.
 *
 * Return: whether it was removed (@sb then names nothing).
 */
bool nook_store_sweep_sandbox (struct nook_store *store, const struct nook_sandbox *sb);

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

/**
 * nook_state_spec_json - the "spec" object of state.json
 * @spec: the resolved and prepared spec; only read
 * @filter_sha256: the digest nook_state_write_filters gave, NULL when
 *                 unconfined; copied
 *
 * state-spec.c describes the fields.
 *
 * Return: a new object the caller puts; never fails (allocation failure
 * aborts).
 */
json_object *nook_state_spec_json (const struct nook_spec *spec, const char *filter_sha256);
/**
 * nook_state_write_filters - record the compiled seccomp programs
 * @dirfd: the sandbox's state directory; not closed
 * @filters: the two programs, FILTERS[0..1]; only read
 * @sha256: gets the file's SHA-256 in hex, NUL-terminated
 * @err: set on failure
 *
 * Writes them as DIRFD/seccomp.bpf, what `nook exec` loads.
 *
 * Return: 0, or -1 with @err set when the file could not be written.
 */
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

/**
 * nook_sandbox_str - a string of a sandbox's state document
 * @sb: the sandbox; only read
 * @key: the top-level key
 *
 * Return: the string, owned by @sb's document, or NULL when @sb has no
 * document or the key is missing or not a string.
 */
const char *nook_sandbox_str (const struct nook_sandbox *sb, const char *key);

/**
 * nook_sandbox_int - an integer of a sandbox's state document
 * @sb: the sandbox; only read
 * @key: the top-level key
 * @dflt: what a missing key (or document) gives
 *
 * Return: the integer, or @dflt.
 */
int64_t nook_sandbox_int (const struct nook_sandbox *sb, const char *key, int64_t dflt);

/**
 * nook_sandbox_status - what `nook ps` says of a sandbox
 * @sb: the sandbox; only read
 *
 * Return: "running", "exited" or "created": a static string or one owned
 * by @sb's document.
 */
const char *nook_sandbox_status (const struct nook_sandbox *sb);

/**
 * nook_sandbox_set_paused - record that a sandbox is paused, or not
 * @store: the open store; its lock is taken meanwhile
 * @sb: a running sandbox; its document becomes the one written
 * @paused: what to record (`paused` in state.json)
 * @err: set when it is not running any more, or the state cannot be written
 *
 * Return: 0, or -1 with @err set.
 */
int nook_sandbox_set_paused (struct nook_store *store, struct nook_sandbox *sb, bool paused,
                             struct nook_error *err);

/* ---- the supervisor's side --------------------------------------------------- */

/* A sandbox being run: its reserved directory, held locked.  */
struct nook_state
{
  struct nook_store store;
  char id[NOOK_ID_LEN + 1];
  int dirfd; /* the entry: sandboxes/ID/, or the file sandboxes/ID when `file` */
  /* A file entry (docs/state.md): one file, created whole by
     nook_state_running, for a run that keeps nothing else in its entry;
     else a directory, made by nook_state_reserve.  */
  bool file;
  bool linked; /* a file entry has its name: nook_state_create linked it */
  bool remove;
  json_object *doc;
  /* The user's secret (auth.h), read while nook is still in its own user
     namespace: a sandbox that joins another's writes its state from
     inside that one's, where the user keyring is another.  Kept in a page
     that fork wipes (MADV_WIPEONFORK), so no child holds it.  */
  uint8_t *secret;
};

/**
 * nook_state_reserve - reserve an id and a name before any process exists
 * @st: gets the sandbox's directory, held locked, and its id; the lock is
 *      released by nook_state_finish
 * @spec: gives the name; only read
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set when the name is in use or the state
 * directory cannot be written.
 */
int nook_state_reserve (struct nook_state *st, const struct nook_spec *spec, struct nook_error *err);
/**
 * nook_state_running - record that a sandbox runs
 * @st: the reserved sandbox
 * @spec: the resolved spec (recorded through nook_state_spec_json)
 * @filters: what nook_security_prepare compiled, written as seccomp.bpf
 *           (what `nook exec` loads)
 * @pid: the sandbox's PID 1 on the host
 * @joined: per kind, the sandbox whose namespace it joined, or NULL
 * @err: set on failure
 *
 * One atomic, authenticated write of the state, with what inspect shows.
 *
 * Return: 0, or -1 with @err set when the state could not be written.
 */
int nook_state_running (struct nook_state *st, const struct nook_spec *spec,
                        const struct nook_filters *filters, pid_t pid, const char *const joined[NOOK_JOIN_N],
                        struct nook_error *err);
/**
 * nook_state_finish - record a sandbox's end
 * @st: the sandbox; its lock is released and its fds closed
 * @status: the exit status, -1 when the command never started
 *
 * Records the status, or removes the state with --rm or when the command
 * never started.  Best effort: a failure is a warning, and a state left
 * behind is swept later.
 */
void nook_state_finish (struct nook_state *st, int status);

/* ---- the state file (state-file.c) ------------------------------------------ */

/* The most a file entry's programs take (two of BPF_MAXINSNS, a header).  */
#define NOOK_STATE_FILTERS_MAX (2 * 4096 * 8 + 64)

/**
 * nook_state_filters_size - the size of the programs at the head of a file entry
 * @data: the entry's first bytes
 * @len: how many
 *
 * Return: 0 when they do not begin with programs (an unconfined sandbox's
 * entry), their size (which may be more than @len), or SIZE_MAX when the
 * header is not one nook writes.
 */
size_t nook_state_filters_size (const void *data, size_t len);
/**
 * nook_state_write_record - write a state as one line of a file entry
 * @fd: the entry, open for writing
 * @off: where: 0 for the first, else its end
 * @head: what goes before, in the same write (the programs), or NULL
 * @n_head: how many of @head (at most 4)
 * @st: the sandbox, with its secret
 * @doc: the document; only read
 * @err: set on failure
 *
 * Return: the bytes written, or -1 with @err set.
 */
ssize_t nook_state_write_record (int fd, off_t off, const struct iovec *head, int n_head,
                                 const struct nook_state *st, json_object *doc, struct nook_error *err);
/**
 * nook_state_fault_write - the fault point before a state is seen (fault.h)
 * @doc: the state, whose status names the point
 */
void nook_state_fault_write (json_object *doc);
/**
 * nook_state_create - create a sandbox's file entry, with its name
 * @st: the sandbox nook_state_reserve prepared, `file` set; gets the
 *      entry in `dirfd`, held locked
 * @head: the programs, to go ahead of the state, or NULL
 * @n_head: how many of @head
 * @err: set on failure
 *
 * Writes the programs and the state in one write to an unnamed file, locks
 * it, and links it as sandboxes/ID under the store's lock, where it also
 * reserves the name: no reader ever sees the entry unlocked, or half of
 * it.  Where the filesystem has no O_TMPFILE, the entry is a directory
 * after all (`file` cleared).
 *
 * Return: 0, or -1 with @err set (nothing left behind).
 */
int nook_state_create (struct nook_state *st, const struct iovec *head, int n_head, struct nook_error *err);
/**
 * nook_store_open_entry - open sandboxes/ID, a directory or a file entry
 * @store: the store
 * @id: the id
 *
 * Return: an fd (O_RDONLY: flock works on it), or -1 with errno set.
 */
int nook_store_open_entry (const struct nook_store *store, const char *id);

/**
 * nook_state_write - write a sandbox's state document
 * @st: the sandbox, with its secret
 * @doc: the document; only read
 * @err: set on failure
 *
 * Atomic (a temporary file renamed) and authenticated with the user's
 * secret.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_state_write (const struct nook_state *st, json_object *doc, struct nook_error *err);
/**
 * nook_state_read - read and authenticate a sandbox's state document
 * @dirfd: the sandbox's directory; not closed
 * @id: the sandbox's id, which the authentication covers
 * @doc: gets the document, which the caller puts, or NULL
 *
 * Return: 0 (*@doc NULL when there is no state yet), or -1 with *@doc NULL
 * when there is one that is not authentic or cannot be read.
 */
int nook_state_read (int dirfd, const char *id, json_object **doc);
/**
 * nook_state_secret - the user's secret that authenticates states
 * @secret: gets it, in a page of its own that fork wipes; release with
 *          nook_state_secret_release
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set when no page could be mapped or the
 * secret could not be found or made.
 */
int nook_state_secret (uint8_t **secret, struct nook_error *err);

/**
 * nook_state_secret_release - wipe and unmap the secret
 * @secret: set to NULL; nothing happens when it already is
 */
void nook_state_secret_release (uint8_t **secret);

/**
 * nook_time_now - the current time, as state and inspect show it
 *
 * Return: RFC 3339 in UTC, in a string the caller frees; never fails.
 */
char *nook_time_now (void);

/**
 * nook_time_parse - parse what nook_time_now gives
 * @s: the text
 *
 * Return: seconds since the epoch, or 0 when @s is not in that format.
 */
int64_t nook_time_parse (const char *s);

#endif
