/* nook: what a run changed in an overlay's upper, and applying it.  */
#ifndef NOOK_DIFF_H
#define NOOK_DIFF_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "error.h"

/* One change, as docker diff shows it.  */
struct nook_change
{
  char kind;       /* 'A' added, 'C' changed, 'D' deleted */
  char *path;      /* "/dir/name", relative to the merged tree's root */
  mode_t mode;     /* A, C: its mode in the upper, file type included; D: 0 */
  mode_t old_mode; /* C: its mode in the lowers, when they were given; else 0 */
  bool fcaps;      /* A, C: a file with file capabilities (security.capability),
                      which nook try never applies */
};

struct nook_changes
{
  struct nook_change *v;
  size_t n;
};

/**
 * nook_diff - list the changes an upper layer holds
 * @upper: the upper directory
 * @lowers: the lower layers it was used with (first the lowest), or NULL
 * @out: filled with the changes, sorted by path
 * @err: filled on failure
 *
 * Whiteouts count as deletions in both forms: the kernel's (a 0/0
 * character device) and OCI's (a .wh.NAME file); an opaque directory
 * (user./trusted.overlay.opaque, user.fuseoverlayfs.opaque, or
 * .wh..wh..opq) deletes what the lowers had in it.  An upper more than
 * 256 directories deep is refused: applying it could fail half-way.  With @lowers an entry
 * is C when a lower has it and A otherwise; without them, C when overlayfs
 * recorded an origin for it.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_diff (const char *upper, char *const *lowers, struct nook_changes *out, struct nook_error *err);

/**
 * nook_diff_name_ok - whether a name from an upper names an entry of its
 * directory
 * @name: a name read from the upper, or the name a .wh.NAME whiteout deletes
 *
 * The upper was written by the sandboxed command: `.wh...` would delete
 * `..`, the parent of the directory.  Empty, `.`, `..` and names with a
 * `/` are refused wherever an upper is read or applied.
 */
bool nook_diff_name_ok (const char *name);

/**
 * nook_change_special - what makes a change more than a file's content
 * @c: a change
 *
 * Return: "setuid", "setgid", "setuid and setgid" for a file (not a
 * directory) with those bits, "character device" or "block device" for a
 * device node, NULL otherwise.
 */
const char *nook_change_special (const struct nook_change *c);

/**
 * nook_change_line - a change as nook diff and nook try list it
 * @c: the change
 * @prefix: put before its path (nook try: the tried directory), or NULL
 *
 * "K PREFIX/PATH", then in parentheses the permissions that changed
 * ("0644 -> 0755"), or the mode of a special entry with what makes it
 * special ("4755, setuid"); a setgid directory ("2775, setgid directory")
 * and a file with file capabilities ("0755, file capabilities not
 * applied") are shown as well, though neither is refused.  The path is
 * escaped (nook_escape_name): it was chosen in the sandbox.
 *
 * Return: a newly allocated line, without a newline.
 */
char *nook_change_line (const struct nook_change *c, const char *prefix);

/**
 * nook_changes_check_special - refuse setuid, setgid and device entries
 * @changes: the changes about to be applied
 * @prefix: put before their paths in the message, or NULL
 * @err: filled with the first such entry
 *
 * Return: 0 when there is none, or -1 with @err set.
 */
int nook_changes_check_special (const struct nook_changes *changes, const char *prefix,
                                struct nook_error *err);

/**
 * nook_changes_free - free a change list
 * @changes: filled by nook_diff or nook_diff_read_layers; may be empty
 */
void nook_changes_free (struct nook_changes *changes);

/**
 * nook_changes_to_json - the changes as JSON text
 * @changes: the list
 *
 * An array of {"kind": "A", "path": "/x", "mode": "0644"}, with "old_mode"
 * where the lowers had another mode, "special" (see nook_change_special)
 * where there is one and "file_capabilities": true for a file that has
 * them.  The paths are exact.
 *
 * Return: malloc'd text the caller frees; aborts only when out of memory.
 */
char *nook_changes_to_json (const struct nook_changes *changes);

/**
 * nook_diff_read_layers - the lowers nook ran @upper with
 * @upper: a persistent upper of nook run --upper
 * @lowers: set to the layers written down in .NAME.nook/layers.json, or
 *          NULL when there is no such record
 * @err: filled when the record exists but cannot be read
 *
 * Return: 0, or -1 with @err set.
 */
int nook_diff_read_layers (const char *upper, char ***lowers, struct nook_error *err);

/**
 * nook_diff_apply - apply an upper's changes to a real directory
 * @upper: the upper directory
 * @target: the directory it was the overlay of
 * @allow_special: also apply setuid and setgid files and device nodes
 * @err: filled on failure
 *
 * Deletions (whiteouts), opaque directories, new and changed files,
 * directories, symlinks and fifos, their permissions and modification
 * times apply exactly; a rename shows up in the upper as a deletion and an
 * addition and applies as such.  Files are written under a temporary name
 * and renamed into place, so a hard link in @target to a file elsewhere
 * is replaced, never written through.  Every entry is created, replaced or
 * removed through a directory fd opened beneath @target without following
 * a symlink; names that are not names (nook_diff_name_ok) and, without
 * @allow_special, special entries (nook_change_special) are refused before
 * anything is applied, and again as each entry is applied.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_diff_apply (const char *upper, const char *target, bool allow_special, struct nook_error *err);

/**
 * nook_remove_tree_at - remove a tree beneath a directory fd
 * @dirfd: the directory
 * @name: one name in it
 *
 * Recursively, never following a symlink, making directories writable as
 * needed.  ENOENT is not an error.
 *
 * Return: 0, or -1 with errno set.
 */
int nook_remove_tree_at (int dirfd, const char *name);

/**
 * nook_diff_read_stream - read the answer of the helper that walked an upper of subordinate ids
 * @buf: what the helper sent (hostile: it read what a sandbox wrote)
 * @len: its length
 * @out: when not NULL, zeroed by the caller, filled with the changes sent
 * @err: set for the helper's own error (its text escaped by
 *       nook_escape_text), a malformed or truncated stream, a kind other
 *       than A, C or D, or a path that is not "/NAME/..." with every NAME
 *       accepted by nook_diff_name_ok
 *
 * Return: 0 when the stream ends with its end mark, else -1 with @err set.
 */
int nook_diff_read_stream (const char *buf, size_t len, struct nook_changes *out, struct nook_error *err);

/**
 * nook_remove_tree_mapped - remove a tree, also one of subordinate ids
 * @path: the tree (an upper)
 *
 * As nook_remove_tree_at, and where that is refused (files of the
 * caller's subordinate ids: an upper written with --map-users auto), again
 * from a user namespace with that mapping.
 *
 * Return: 0, or -1.
 */
int nook_remove_tree_mapped (const char *path);

#endif
