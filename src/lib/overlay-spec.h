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

struct nook_fs_spec
{
  enum nook_overlay_kind overlay_kind; /* --overlay */
  /* Parser state: --size and --perms apply to the next tmpfs (and --perms
     to the next --dir or --file); --layer adds to the stack of op
     layers_op - 1 (0: none yet).  */
  uint64_t next_size;
  mode_t next_perms;
  size_t layers_op;
  /* The default root binds the working directory read-only (nook try: the
     directory is only changed through the overlay's upper).  */
  bool cwd_readonly;
  /* nook try: --path (default: the working directory), --keep, --commit,
     --allow-setuid.  */
  char **try_paths;
  char *try_keep;
  bool try_commit;
  bool try_allow_setuid;
};

#endif
