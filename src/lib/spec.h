/* nook: the one data model.
 *
 * The CLI (and later profiles and OCI configs) fill a struct nook_spec; the
 * engine only reads it.  Every option of `nook run` lands here.
 */
#ifndef NOOK_SPEC_H
#define NOOK_SPEC_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "security-spec.h"
#include "life-spec.h"
#include "overlay-spec.h"
#include "cgroup-spec.h"
#include "error.h"
#include "net-spec.h"
#include "image-spec.h"
#include "desktop-spec.h"
#include "timens-spec.h"

/* Namespaces nook creates; a bit set in spec->share keeps the host's.  */
enum
{
  NOOK_NS_NET = 1 << 0,
  NOOK_NS_PID = 1 << 1,
  NOOK_NS_IPC = 1 << 2,
  NOOK_NS_UTS = 1 << 3,
  NOOK_NS_CGROUP = 1 << 4,
};

/* Whether the default root binds the caller's working directory
   (nook_cwd_decide in cwd.h).  */
enum nook_cwd_mode
{
  NOOK_CWD_AUTO = 0, /* the rule: only a directory strictly inside one of the caller's */
  NOOK_CWD_FORCE,    /* --bind-cwd */
  NOOK_CWD_NEVER,    /* --no-bind-cwd */
};

enum nook_map_mode
{
  NOOK_MAP_SELF = 0, /* the caller's uid/gid only; setgroups denied */
  NOOK_MAP_AUTO,     /* 0-65535 through newuidmap/newgidmap and /etc/sub[ug]id */
  NOOK_MAP_EXPLICIT, /* spec->uid_map and gid_map as given (an OCI config's mappings) */
};

/* One extent of an explicit id map: COUNT ids from INSIDE map to OUTSIDE.  */
struct nook_id_extent
{
  uint32_t inside, outside, count;
};

/* The kernel's own limit of extents in a uid_map or gid_map (since 4.15).  */
#define NOOK_MAX_EXTENTS 340

/* One step of composing the root, applied in order (later over earlier).
   The default root is itself such a list; user options append to it.  */
enum nook_mount_kind
{
  NOOK_MNT_BIND,       /* SRC (a host path) on DEST */
  NOOK_MNT_TMPFS,      /* a tmpfs on DEST (size, mode) */
  NOOK_MNT_DIR,        /* a directory DEST (mode) */
  NOOK_MNT_SYMLINK,    /* DEST -> SRC */
  NOOK_MNT_PROC,       /* a proc for the sandbox's PID namespace on DEST (the host's, with the host's
                          PID namespace: read-only with F_RDONLY, else its system parts) */
  NOOK_MNT_DEV,        /* a minimal /dev on DEST */
  NOOK_MNT_MQUEUE,     /* an mqueue for the sandbox's IPC namespace on DEST */
  NOOK_MNT_FILE,       /* a file DEST holding what fd reads, or SRC (generated) */
  NOOK_MNT_REMOUNT_RO, /* DEST, and every mount under it, made read-only */
  NOOK_MNT_CHMOD,      /* DEST's mode set to mode */
  NOOK_MNT_OVERLAY,    /* overlay->lowers (+ upper) merged on DEST; DEST NULL: the root */
  NOOK_MNT_OVERLAYFS,  /* a plain overlayfs on DEST: overlay->lowers, upper and work as given (both
                          NULL: on a private tmpfs; F_RDONLY: lowers only) */
  NOOK_MNT_MASK,       /* DEST hidden: /dev/null over a file, an empty read-only tmpfs over a directory */
};

enum
{
  NOOK_MNT_F_RDONLY = 1 << 0,  /* read-only, recursively */
  NOOK_MNT_F_DEVICES = 1 << 1, /* keep device nodes usable (no nodev) */
  NOOK_MNT_F_TRY = 1 << 2,     /* skip when SRC does not exist */
  NOOK_MNT_F_PRIVATE = 1 << 3, /* NOOK_MNT_FILE: a file of its own, bound over DEST (created as needed) */
  NOOK_MNT_F_MODE = 1 << 4,    /* mode is meant as given, 0 included */
  NOOK_MNT_F_SHARED = 1 << 5,  /* NOOK_MNT_TMPFS: a directory of the root's own tmpfs, bound on DEST
                                  read-write: no tmpfs instance of its own */
};

struct nook_caller;

struct nook_mount_op
{
  enum nook_mount_kind kind;
  unsigned flags;
  char *src;
  char *dest;
  mode_t mode;   /* 0: the kind's default */
  uint64_t size; /* tmpfs size in bytes; 0: the kernel's default */
  int fd;        /* NOOK_MNT_FILE: the caller's fd to read, or -1 for SRC; NOOK_MNT_BIND: -1, or the fd
                    whose file SRC must still be (bubblewrap's --bind-fd) */
  struct nook_overlay *overlay; /* NOOK_MNT_OVERLAY: owned by the spec */
};

struct nook_env_op
{
  char *key;   /* NULL: clear every variable set so far */
  char *value; /* NULL: unset */
};

struct nook_spec
{
  char **argv; /* the command; argv[0] looked up in the sandbox's PATH */
  char *argv0; /* what the command sees as argv[0]; NULL: argv[0] */

  /* Identity inside.  */
  enum nook_map_mode map_mode;
  uid_t uid;
  gid_t gid;
  char *user;    /* -u NAME[:GROUP] with a name: looked up in the root (passwd.h), NULL otherwise */
  gid_t *groups; /* supplementary groups inside; set only when n_groups > 0 */
  size_t n_groups;
  struct nook_id_extent uid_map[NOOK_MAX_EXTENTS], gid_map[NOOK_MAX_EXTENTS]; /* NOOK_MAP_EXPLICIT */
  size_t n_uid_map, n_gid_map;

  char *name; /* --name: the sandbox's name (and default hostname) */

  /* Namespaces.  */
  unsigned share; /* NOOK_NS_* kept from the host */
  char *hostname;
  char *domainname; /* NULL: left as the new UTS namespace has it */
  char **sysctl;    /* KEY=VALUE written under /proc/sys once the root is built */
  /* --time-offset: a time namespace, CLOCK_MONOTONIC and CLOCK_BOOTTIME shifted.  */
  struct nook_timens_spec timens;

  /* Root.  */
  char *rootfs; /* NULL: compose from the host */
  /* An empty tmpfs that only the mount operations fill (bubblewrap's
     root): no default root; the command starts in the caller's working
     directory when it exists inside, else in $HOME, else in /; PWD is set.  */
  bool root_empty;
  bool rootfs_rw;
  char *chdir;                 /* NULL: the caller's cwd (default root) or / */
  enum nook_cwd_mode cwd_mode; /* the default root: whether the caller's cwd is bound */

  /* User mount operations, after the default root's.  */
  struct nook_mount_op *mounts;
  size_t n_mounts;

  /* Filesystems: choices of the mount options besides the operations.  */
  struct nook_fs_spec fs;

  /* Environment.  */
  bool keep_env;
  bool clear_env; /* nothing of the caller's and no defaults: only env_ops (an OCI config's env) */
  struct nook_env_op *env_ops;
  size_t n_env_ops;

  /* Security: capabilities, seccomp, terminal, passed fds (security-spec.h).  */
  struct nook_security security;
  /* Resource limits (cgroup v2).  */
  struct nook_limits limits;
  /* Network: --net, -p/--publish, --allow-host-loopback, --dns.  */
  struct nook_net_spec net;

  int verbose;

  /* --image: the image's command, for the command line to complete.  */
  struct nook_image_spec image;

  /* Lifecycle: recorded options, detached runs, --rm, joined namespaces.  */
  struct nook_life_spec life;

  /* Desktop programs: --app, --filesystem, --socket, --device, D-Bus names.  */
  struct nook_desktop_spec desktop;
};

/**
 * nook_spec_init - an empty spec with nook's defaults
 * @spec: zeroed, then given the defaults (root inside, the log's size cap,
 *        --rm unset); release with nook_spec_free
 */
void nook_spec_init (struct nook_spec *spec);

/**
 * nook_spec_free - release a spec
 * @spec: every string, mount, environment step and sub-spec it owns is
 *        freed and it is zeroed; fds in its security spec stay open
 */
void nook_spec_free (struct nook_spec *spec);

/**
 * nook_spec_add_mount - append one step of composing the root
 * @spec: gets the step at the end of its list
 * @kind: what the step does
 * @src: the host path (copied), or NULL
 * @dest: the path inside (copied), or NULL
 * @flags: NOOK_MNT_F_* flags
 *
 * Return: the new step, owned by @spec, with no fd (-1); valid until the
 * next append.  Never fails (allocation failure aborts).
 */
struct nook_mount_op *nook_spec_add_mount (struct nook_spec *spec, enum nook_mount_kind kind, const char *src,
                                           const char *dest, unsigned flags);

/**
 * nook_spec_add_overlay - append an overlay of (still empty) layers
 * @spec: gets the step at the end of its list
 * @dest: where it goes inside (copied), or NULL for the root itself
 *
 * Return: the overlay, owned by @spec, for the caller to fill; valid until
 * @spec is freed.  Never fails.
 */
struct nook_overlay *nook_spec_add_overlay (struct nook_spec *spec, const char *dest);

/**
 * nook_spec_hostname - the hostname inside
 * @spec: only read
 *
 * Return: --hostname, else --name, else "nook"; a string owned by @spec
 * (or static).
 */
const char *nook_spec_hostname (const struct nook_spec *spec);

/**
 * nook_spec_add_env - append one environment step (--setenv, --unsetenv)
 * @spec: gets the step, applied after the earlier ones
 * @key: the variable's name (copied)
 * @value: its value (copied), or NULL to unset it
 */
void nook_spec_add_env (struct nook_spec *spec, const char *key, const char *value);

/**
 * nook_spec_build_env - build the command's environment
 * @spec: only read
 * @caller: gives HOME and USER
 * @caller_env: the caller's environ; only read
 *
 * Starts from a small safe set of the caller's variables, or all of them
 * with keep_env, then applies the spec's setenv/unsetenv steps in order.
 *
 * Return: a NULL-terminated vector the caller frees with strv_free.
 * Never fails.
 */
char **nook_spec_build_env (const struct nook_spec *spec, const struct nook_caller *caller,
                            char *const *caller_env);

/**
 * nook_env_set - set or unset one variable of an environment vector
 * @env: a NULL-terminated vector of K=V (may point to NULL), changed in place
 * @key: the variable's name
 * @value: its value (copied), or NULL to unset it
 */
void nook_env_set (char ***env, const char *key, const char *value);

#endif
