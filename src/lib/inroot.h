/* nook: paths inside a root being composed (mount.c), resolved with
 * openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): a symlink planted in
 * the root can never lead out of it.  Each function takes the root's fd.
 */
#ifndef NOOK_INROOT_H
#define NOOK_INROOT_H

#include <sys/types.h>

#include "error.h"

/* openat2 of PATH inside ROOTFD; -1 with errno, no message.  */
int nook_inroot_openat2 (int rootfd, const char *path, int flags);

/* openat2 of PATH inside ROOTFD; -1 with ERR set.  */
int nook_inroot_open (int rootfd, const char *path, int flags, struct nook_error *err);

/* The directory PATH and its parents, made as needed: a directory made
   gets exactly MODE, its parents 0700 plus 0050 and 0005 where MODE gives
   group or others anything (bubblewrap's rule).  Returns an O_PATH fd.  */
int nook_inroot_mkdir (int rootfd, const char *path, mode_t mode, struct nook_error *err);

/* PATH's parent directory (made as needed) as an fd; *NAME its last part.  */
int nook_inroot_open_parent (int rootfd, const char *path, const char **name, struct nook_error *err);

/* A file at PATH to mount on (an existing one as it is, else a new one,
   mode 0444): an O_PATH fd.  */
int nook_inroot_mkfile (int rootfd, const char *path, struct nook_error *err);

/* The symlink DEST -> TARGET; an existing one to TARGET is fine, to
   anything else an error worded as bubblewrap's.  */
int nook_inroot_symlink (int rootfd, const char *target, const char *dest, struct nook_error *err);

/* DEST, and every mount under it, made read-only.  */
int nook_inroot_remount_ro (int rootfd, const char *dest, struct nook_error *err);

/* DEST (made with MODE as needed) as a directory of the filesystem it is
   on, bound on itself with ATTRS and exec allowed: writable, or exec-able,
   whatever the mount above it becomes, without a filesystem instance of
   its own.  */
int nook_inroot_bind_self (int rootfd, const char *dest, mode_t mode, unsigned attrs, struct nook_error *err);

/* chmod of DEST.  */
int nook_inroot_chmod (int rootfd, const char *dest, mode_t mode, struct nook_error *err);

#endif
