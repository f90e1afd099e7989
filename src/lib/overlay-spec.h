/* nook: the filesystem part of the data model (layers, mount options).
 *
 * Kept apart from overlay.h so spec.h can include it without the engine's
 * functions.
 */
#ifndef NOOK_OVERLAY_SPEC_H
#define NOOK_OVERLAY_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Which implementation merges the layers.  */
enum nook_overlay_kind
{
  NOOK_OVERLAY_AUTO = 0, /* kernel overlayfs where the kernel allows it, else fuse-overlayfs */
  NOOK_OVERLAY_KERNEL,
  NOOK_OVERLAY_FUSE,
};

/* One stack of layers, merged by one overlay mount.  */
struct nook_overlay
{
  char **lowers; /* absolute host paths; the first is the lowest */
  char *upper;   /* absolute host path; NULL: an ephemeral upper on tmpfs */
  char *work;    /* NULL: managed beside the upper (.NAME.nook/work) */
};

/* The filesystem choices of a run besides its mount operations.  */
struct nook_fs_spec
{
  enum nook_overlay_kind overlay_kind; /* --overlay */
  /* The default root binds the working directory read-only (nook try: the
     directory is only changed through the overlay's upper).  */
  bool cwd_readonly;
  /* With --rootfs: none of nook's own /proc, /dev and /tmp, only the
     spec's mounts (an OCI config lists every mount itself).  */
  bool bare_root;
  /* The root's propagation once pivoted into: MS_SHARED, MS_SLAVE or
     MS_UNBINDABLE (| MS_REC), an OCI config's rootfsPropagation; 0:
     private, nook's own.  With slave or shared the host's mounts are
     made slaves rather than private before the root is composed: they
     still never propagate back to the host.  */
  unsigned long root_propagation;
};

#endif
