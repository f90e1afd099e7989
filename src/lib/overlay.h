/* nook: image layers merged by kernel overlayfs or fuse-overlayfs.  */
#ifndef NOOK_OVERLAY_H
#define NOOK_OVERLAY_H

#include <stdbool.h>

#include "error.h"
#include "overlay-spec.h"

/* One overlay of a run: what nook decided in the parent, then what the
   sandbox opened.  */
struct nook_overlay_mount
{
  enum nook_overlay_kind kind; /* KERNEL or FUSE, decided before the clone */
  char **lowers;               /* absolute paths; the first is the lowest */
  char *upper, *work;          /* absolute paths; NULL: ephemeral on the scratch tmpfs */
  char *fuse_path;             /* the fuse-overlayfs binary */
  bool root;                   /* the layers are the root: an init layer provides its mount points */
};

/**
 * nook_overlay_probe_kernel - whether kernel overlayfs works in a user namespace
 * @err: filled when the probe itself could not run
 *
 * Mounts a real overlay (userxattr, with a whiteout) in a throwaway user
 * and mount namespace, once per host and kernel: the answer is cached in
 * nook_runtime_dir().
 *
 * Return: 1 when it works, 0 when it does not, -1 with @err set.
 */
int nook_overlay_probe_kernel (struct nook_error *err);

/**
 * nook_overlay_plan - resolve and check one stack of layers in nook
 * @ov: the stack, as the user gave it
 * @want: --overlay
 * @m: filled with absolute paths and the implementation to use
 * @err: filled on failure
 *
 * Runs before any process exists: a missing layer, an upper that cannot
 * hold overlay xattrs, or a missing fuse-overlayfs are reported here, and
 * nothing is left behind.  A persistent upper gets its work directory
 * beside it, as .NAME.nook/work, with the layers written down in
 * .NAME.nook/layers.json for nook diff.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_overlay_plan (const struct nook_overlay *ov, enum nook_overlay_kind want,
                       struct nook_overlay_mount *m, struct nook_error *err);

/**
 * nook_overlay_mount - mount one overlay in the sandbox, detached
 * @m: the planned overlay
 * @scratch: a private tmpfs directory of the sandbox's mount namespace
 *           for ephemeral uppers and fuse mount points
 * @index: distinguishes overlays of the same run under @scratch
 * @err: filled on failure
 *
 * Runs in the sandbox before the staging root covers /tmp, so the host's
 * paths are still visible.  fuse-overlayfs is started as a child of the
 * sandbox's PID 1 (it dies with the sandbox) and waited for until its
 * mount is ready.
 *
 * Return: a detached mount fd (nosuid, nodev), or -1 with @err set.
 */
int nook_overlay_mount (const struct nook_overlay_mount *m, const char *scratch, size_t index,
                        struct nook_error *err);

/**
 * nook_overlay_mount_release - release an overlay's mount description
 * @m: its strings are freed; its work directory is made removable (overlayfs
 *     leaves WORK/work with mode 0)
 */
void nook_overlay_mount_release (struct nook_overlay_mount *m);

/**
 * nook_overlay_meta_dir - the work directory nook keeps beside an upper
 * @upper: the upper directory, DIR/NAME
 *
 * Return: DIR/.NAME.nook in a string the caller frees; never fails.
 */
char *nook_overlay_meta_dir (const char *upper);

#endif
