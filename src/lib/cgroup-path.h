/* nook: a cgroup at a path its caller names (an OCI config's cgroupsPath).
 *
 * `nook run` keeps its sandboxes' cgroups under C/nook, each alive as
 * long as its nook holds a lock on it (cgroup.h).  An OCI container
 * outlives the runtime that made it, so its cgroup lives at a path the
 * engine chose, recorded in the container's state, until `delete`:
 *
 *   DIR/           the container's cgroup: its limits (`update` writes here)
 *   DIR/sandbox/   its processes and the root of its cgroup namespace
 *
 * The limits sit one level above what the container can see, as in
 * cgroup.h.  Where DIR goes follows runc and crun: an absolute path from
 * the cgroup2 root, a relative one beside the runtime's own cgroup; for a
 * caller who is not root both stay inside the caller's delegated cgroup C.
 * Where no cgroup v2 tree is delegated (a hybrid host), there is none.
 */
#ifndef NOOK_CGROUP_PATH_H
#define NOOK_CGROUP_PATH_H

#include <stdbool.h>
#include <sys/types.h>

#include "cgroup.h"
#include "error.h"

/* Where a container's cgroup goes (nook_cgroup_locate).  */
struct nook_cgroup_where
{
  char *dir;     /* DIR, absolute */
  char *top;     /* the cgroup nook starts creating from (C, or the cgroup2 root) */
  unsigned ctl;  /* NOOK_CG_* enabled on the way down: every one available */
  bool move_top; /* the processes of TOP go to TOP/nook-caller first */
};

/**
 * nook_cgroup_locate - where a container's cgroup goes
 * @path: the config's cgroupsPath, or NULL; with @systemd "SLICE:PREFIX:NAME"
 * @id: the container's id, for the default path
 * @systemd: ask the systemd manager for a scope with Delegate=yes (moves
 *           the calling process into it) and place the cgroup inside it
 * @where: filled when there is a place; nook_cgroup_where_free
 * @why: set (newly allocated) when cgroups cannot be used here, saying why
 * @err: set for a path that is not valid (`..`, a reserved name)
 *
 * Changes nothing unless @systemd.
 *
 * Return: 0 with either @where->dir or @why set, or -1 with @err set.
 */
int nook_cgroup_locate (const char *path, const char *id, bool systemd, struct nook_cgroup_where *where,
                        char **why, struct nook_error *err);

/**
 * nook_cgroup_where_free - frees what nook_cgroup_locate filled
 */
void nook_cgroup_where_free (struct nook_cgroup_where *where);

/**
 * nook_cgroup_make - creates the cgroup WHERE names, with LIMITS
 * @where: from nook_cgroup_locate
 * @limits: written into DIR
 * @cg: filled: dir, name, lock_fd (DIR), leaf_fd (DIR/sandbox, for
 *      CLONE_INTO_CGROUP); nook_cgroup_destroy removes it all
 * @err: set on failure; nothing is left of DIR then
 *
 * DIR must not exist: two containers never share a cgroup.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_cgroup_make (const struct nook_cgroup_where *where, const struct nook_limits *limits,
                      struct nook_cgroup *cg, struct nook_error *err);

/**
 * nook_cgroup_open_dir - opens a recorded cgroup directory
 * @dir: an absolute path
 * @err: set when it is missing or on no cgroup2 filesystem
 *
 * Return: an O_DIRECTORY fd, or -1 with @err set.
 */
int nook_cgroup_open_dir (const char *dir, struct nook_error *err);

/**
 * nook_cgroup_sub_valid - whether SUB can name a cgroup below a container's
 * @sub: a path such as `a/b`
 *
 * Return: true when it is relative, under PATH_MAX, and each component is
 * a plain name (not empty, `.` or `..`, no newline).
 */
bool nook_cgroup_sub_valid (const char *sub);

/**
 * nook_cgroup_open_sub - opens a cgroup below a container's, for a process
 * to start in (nook-oci exec --cgroup)
 * @dir: the container's cgroup (DIR above)
 * @sub: a path (nook_cgroup_sub_valid) from DIR/sandbox, the cgroup its
 *       processes see as their root: a cgroup the container made there
 * @err: set when @sub is not valid, or names no cgroup there
 *
 * The container can write below DIR/sandbox: the path is resolved beneath
 * it, never through a link or out of it, and must be a cgroup v2
 * directory.
 *
 * Return: an O_DIRECTORY fd (for CLONE_INTO_CGROUP), or -1 with @err set.
 */
int nook_cgroup_open_sub (const char *dir, const char *sub, struct nook_error *err);

/**
 * nook_cgroup_update - writes LIMITS into the cgroup DIR
 *
 * Return: 0, or -1 with @err set.
 */
int nook_cgroup_update (const char *dir, const struct nook_limits *limits, struct nook_error *err);

/**
 * nook_cgroup_signal - sends SIG to every process in DIR's subtree
 * @dir: the cgroup
 * @sig: SIGKILL goes through cgroup.kill where the kernel has it
 * @err: set when the cgroup cannot be read
 *
 * Return: 0, or -1 with @err set.
 */
int nook_cgroup_signal (const char *dir, int sig, struct nook_error *err);

/**
 * nook_cgroup_remove - kills what is left in DIR's subtree and removes it
 * @dir: the cgroup; nothing happens when it is gone already
 */
void nook_cgroup_remove (const char *dir);

/**
 * nook_cgroup_frozen - whether DIR's cgroup.events says `frozen 1`
 */
bool nook_cgroup_frozen (const char *dir);

/**
 * nook_cgroup_freeze - freeze or thaw a cgroup and everything below it
 * @dir: the cgroup's absolute path (nook_cgroup_of_sandbox)
 * @freeze: true to freeze, false to thaw
 * @err: set when the freezer cannot be written, or the kernel does not
 *       report the cgroup frozen within 10 s
 *
 * Writes cgroup.freeze and waits until cgroup.events says `frozen 1`
 * (`frozen 0`): every process is then frozen, none is on its way.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_cgroup_freeze (const char *dir, bool freeze, struct nook_error *err);

#endif
