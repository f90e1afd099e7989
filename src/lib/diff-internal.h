/* nook: what diff.c, diff-apply.c and diff-mapped.c share and nothing else
 * uses: the reading of an upper (diff.c), used when it is applied
 * (diff-apply.c) and by the helper that walks an upper of subordinate ids
 * (diff-mapped.c).  It does not include diff.h, which the three include,
 * so that the modules stay a tree.
 */
#ifndef NOOK_DIFF_INTERNAL_H
#define NOOK_DIFF_INTERNAL_H

#include <stdbool.h>
#include <sys/stat.h>

struct nook_changes;
struct nook_error;

/* OCI's opaque mark; fuse-overlayfs writes it too.  */
#define OPAQUE_MARK ".wh..wh..opq"
#define WH_PREFIX ".wh."

/* How deep an upper's directories may go: applying one holds two
   descriptors a level (the upper's and the target's), which must stay
   below the usual limit of 1024 open files.  */
#define NOOK_DIFF_MAX_DEPTH 256

/**
 * nook_diff_is_whiteout_dev - whether an entry is the kernel's whiteout
 * @st: the entry, not followed when a symlink
 *
 * Return: true for a character device 0/0.
 */
bool nook_diff_is_whiteout_dev (const struct stat *st);

/**
 * nook_diff_dir_is_opaque - whether a directory of an upper hides the lowers'
 * @fd: the directory
 *
 * Return: true when it has an opaque xattr set to "y" (user., trusted.
 * overlay or fuse-overlayfs) or holds the OCI mark .wh..wh..opq.
 */
bool nook_diff_dir_is_opaque (int fd);

/**
 * nook_diff_read_names - the names in a directory
 * @fd: the directory (not moved: it is read through a copy)
 *
 * Return: its names, sorted, without "." and ".."; NULL when it is empty
 * or cannot be read.  Free with strv_free.
 */
char **nook_diff_read_names (int fd);

/**
 * nook_diff_check_name - refuse a name of an upper that is not a name
 * @rel: the directory it was read in, for the message
 * @name: the name; when it is an OCI whiteout, the name it deletes is
 *        checked too
 * @err: filled when it is refused
 *
 * Return: 0, or -1 with @err set (escaped: the sandbox chose the name).
 */
int nook_diff_check_name (const char *rel, const char *name, struct nook_error *err);

/**
 * nook_diff_path_error - "WHAT `PATH`: ERRNO", PATH escaped
 * @err: filled
 * @errnum: the errno
 * @what: what failed
 * @path: what the sandbox made
 *
 * Return: -1.
 */
int nook_diff_path_error (struct nook_error *err, int errnum, const char *what, const char *path);

/**
 * nook_diff_special_error - refuse a special entry of an upper
 * @err: filled
 * @path: the entry (escaped here: the sandbox chose it)
 * @mode: its mode, file type included
 * @special: what makes it special (nook_change_special)
 *
 * Return: -1, with a hint naming --allow-setuid.
 */
int nook_diff_special_error (struct nook_error *err, const char *path, mode_t mode, const char *special);

/**
 * nook_diff_compare_changes - qsort order of struct nook_change: by path
 * @a: a struct nook_change
 * @b: another
 *
 * Return: as strcmp of their paths.
 */
int nook_diff_compare_changes (const void *a, const void *b);

/**
 * nook_diff_walk - nook_diff as the caller, without the mapped helper
 * @upper: the upper directory
 * @lowers: the lower layers, first the lowest, or NULL
 * @out: filled with the changes, sorted by path
 * @err: filled on failure; EACCES or EPERM when files of other ids could
 *       not be read
 *
 * Return: 0, or -1 with @err set and @out empty.
 */
int nook_diff_walk (const char *upper, char *const *lowers, struct nook_changes *out, struct nook_error *err);

/**
 * nook_diff_apply_walk - nook_diff_apply as the caller, without the mapped helper
 * @upper: the upper directory
 * @target: the directory it was the overlay of
 * @allow_special: also apply setuid, setgid and device entries
 * @err: filled on failure
 *
 * The whole upper is walked and checked first; nothing is applied when a
 * name or an entry is refused.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_diff_apply_walk (const char *upper, const char *target, bool allow_special, struct nook_error *err);

#endif
