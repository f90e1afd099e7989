/* nook: what a run changed in an overlay's upper, and applying it.  */
#ifndef NOOK_DIFF_H
#define NOOK_DIFF_H

#include <stddef.h>

#include "error.h"

/* One change, as docker diff shows it.  */
struct nook_change
{
  char kind;  /* 'A' added, 'C' changed, 'D' deleted */
  char *path; /* "/dir/name", relative to the merged tree's root */
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
 * .wh..wh..opq) deletes what the lowers had in it.  With @lowers an entry
 * is C when a lower has it and A otherwise; without them, C when overlayfs
 * recorded an origin for it.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_diff (const char *upper, char *const *lowers, struct nook_changes *out, struct nook_error *err);

void nook_changes_free (struct nook_changes *changes);

/* The changes as a JSON array of {"kind": "A", "path": "/x"}; malloc'd.  */
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
 * @err: filled on failure
 *
 * Deletions (whiteouts), opaque directories, new and changed files,
 * directories, symlinks and fifos, their permissions and modification
 * times apply exactly; a rename shows up in the upper as a deletion and an
 * addition and applies as such.  Files are written under a temporary name
 * and renamed into place.  Nothing in @target is followed through a
 * symlink.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_diff_apply (const char *upper, const char *target, struct nook_error *err);

/* Removes NAME under DIRFD, recursively, making directories writable as
   needed.  ENOENT is not an error.  */
int nook_remove_tree_at (int dirfd, const char *name);

#endif
