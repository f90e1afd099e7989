/* nook-bwrap: bubblewrap 0.11's options into struct nook_spec
   (bwrap-args.h).  Each option is a row of one table: its name, how many
   arguments it takes, and what it does to the spec.  */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bwrap-args.h"
#include "lib/caps.h"
#include "lib/utils.h"

/* bubblewrap's limits: arguments in all, and a tmpfs's size.  */
#define MAX_ARGS 9000
#define MAX_TMPFS_BYTES ((uint64_t)SIZE_MAX >> 1)

struct parser
{
  struct nook_spec *spec;
  struct nook_bwrap *bw;
  long next_perms;     /* --perms for the next operation, or -1 */
  uint64_t next_size;  /* --size for the next --tmpfs, or 0 */
  char **overlay_srcs; /* --overlay-src for the next overlay */
  bool in_file;        /* reading --args data */
  bool chdir_seen;     /* for bubblewrap's "only the last" warning */
};

struct bw_option
{
  const char *name;
  int nargs;
  int (*apply) (struct parser *p, const char *opt, char **a, struct nook_error *err);
  bool modifier; /* --perms, --size: apply to the next option */
};

/* A refusal, worded as bubblewrap's.  */
#define die(err, ...) nook_error_set ((err), 0, __VA_ARGS__)

/* A decimal fd, as bubblewrap reads them.  */
static int
parse_fd (const char *s, int *fd, struct nook_error *err)
{
  char *end;
  long v;

  errno = 0;
  v = strtol (s, &end, 10);
  if (s[0] == '\0' || *end != '\0' || v < 0 || v > INT32_MAX || errno)
    return die (err, "Invalid fd: %s", s);
  *fd = (int)v;
  return 0;
}

static long
take_perms (struct parser *p, long dflt)
{
  long m = p->next_perms >= 0 ? p->next_perms : dflt;
  p->next_perms = -1;
  return m;
}

static void
add_fd (int **fds, size_t *n, int fd)
{
  *fds = xrealloc (*fds, (*n + 1) * sizeof **fds);
  (*fds)[(*n)++] = fd;
}

/* ---- namespaces ------------------------------------------------------------ */

static int
opt_unshare (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_bwrap *bw = p->bw;
  (void)a;
  (void)err;
  if (strcmp (opt, "--unshare-all") == 0)
    bw->unshare_user_try = bw->unshare_ipc = bw->unshare_pid = bw->unshare_net = bw->unshare_uts
        = bw->unshare_cgroup_try = true;
  else if (strcmp (opt, "--unshare-user") == 0)
    bw->unshare_user = true;
  else if (strcmp (opt, "--unshare-user-try") == 0)
    bw->unshare_user_try = true;
  else if (strcmp (opt, "--unshare-ipc") == 0)
    bw->unshare_ipc = true;
  else if (strcmp (opt, "--unshare-pid") == 0)
    bw->unshare_pid = true;
  else if (strcmp (opt, "--unshare-net") == 0)
    bw->unshare_net = true;
  else if (strcmp (opt, "--unshare-uts") == 0)
    bw->unshare_uts = true;
  else if (strcmp (opt, "--unshare-cgroup") == 0)
    bw->unshare_cgroup = true;
  else if (strcmp (opt, "--unshare-cgroup-try") == 0)
    bw->unshare_cgroup_try = true;
  else if (strcmp (opt, "--share-net") == 0)
    bw->unshare_net = false;
  return 0;
}

static int
opt_ns_fd (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_life_spec *life = &p->spec->life;
  int fd;

  if (parse_fd (a[0], &fd, err) < 0)
    return -1;
  if (strcmp (opt, "--userns") == 0)
    life->userns_fd = fd;
  else if (strcmp (opt, "--userns2") == 0)
    life->userns2_fd = fd;
  else
    life->pidns_fd = fd;
  return 0;
}

static int
opt_userns_flags (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)a;
  (void)err;
  if (strcmp (opt, "--disable-userns") == 0)
    p->spec->security.disable_userns = true;
  else
    p->spec->security.assert_userns_disabled = true;
  return 0;
}

static int
opt_id (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  bool is_uid = strcmp (opt, "--uid") == 0;
  char *end;
  long v;

  errno = 0;
  v = strtol (a[0], &end, 10);
  if (a[0][0] == '\0' || *end != '\0' || v < 0 || v > UINT32_MAX - 1 || errno)
    return die (err, is_uid ? "Invalid uid: %s" : "Invalid gid: %s", a[0]);
  if (is_uid)
    {
      p->bw->uid_set = true;
      p->bw->uid = v;
    }
  else
    {
      p->bw->gid_set = true;
      p->bw->gid = v;
    }
  return 0;
}

static int
opt_hostname (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  (void)err;
  free (p->spec->hostname);
  p->spec->hostname = xstrdup (a[0]);
  return 0;
}

/* ---- mounts ------------------------------------------------------------------- */

static int
opt_bind (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  unsigned flags = 0;
  (void)err;
  if (strncmp (opt, "--ro-", 5) == 0)
    flags |= NOOK_MNT_F_RDONLY;
  if (strncmp (opt, "--dev-", 6) == 0)
    flags |= NOOK_MNT_F_DEVICES;
  if (strstr (opt, "-try"))
    flags |= NOOK_MNT_F_TRY;
  nook_spec_add_mount (p->spec, NOOK_MNT_BIND, a[0], a[1], flags);
  return 0;
}

static int
opt_bind_fd (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  char link[64], src[PATH_MAX];
  struct nook_mount_op *op;
  ssize_t n;
  int fd;

  if (parse_fd (a[0], &fd, err) < 0)
    return -1;
  /* A mount of another namespace cannot be cloned: the fd's path is bound
     instead, and the engine checks that it is still the fd's file.  */
  snprintf (link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink (link, src, sizeof src - 1);
  if (n < 0)
    return nook_error_errno (err, "Can't stat fd %d", fd);
  src[n] = '\0';
  op = nook_spec_add_mount (p->spec, NOOK_MNT_BIND, src, a[1],
                            strcmp (opt, "--ro-bind-fd") == 0 ? NOOK_MNT_F_RDONLY : 0);
  op->fd = fd;
  return 0;
}

static int
opt_dest_op (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_mount_op *op;
  (void)err;
  if (strcmp (opt, "--remount-ro") == 0)
    nook_spec_add_mount (p->spec, NOOK_MNT_REMOUNT_RO, NULL, a[0], 0);
  else if (strcmp (opt, "--proc") == 0)
    nook_spec_add_mount (p->spec, NOOK_MNT_PROC, NULL, a[0], 0);
  else if (strcmp (opt, "--dev") == 0)
    {
      /* bubblewrap's /dev also has core -> /proc/kcore, which nook's lacks.  */
      cleanup_free char *core = xasprintf ("%s/core", a[0]);
      nook_spec_add_mount (p->spec, NOOK_MNT_DEV, NULL, a[0], 0);
      nook_spec_add_mount (p->spec, NOOK_MNT_SYMLINK, "/proc/kcore", core, 0);
    }
  else if (strcmp (opt, "--mqueue") == 0)
    nook_spec_add_mount (p->spec, NOOK_MNT_MQUEUE, NULL, a[0], 0);
  else if (strcmp (opt, "--tmpfs") == 0)
    {
      op = nook_spec_add_mount (p->spec, NOOK_MNT_TMPFS, NULL, a[0], 0);
      op->mode = take_perms (p, 0755);
      op->flags |= NOOK_MNT_F_MODE;
      op->size = p->next_size;
      p->next_size = 0;
    }
  else if (strcmp (opt, "--dir") == 0)
    {
      op = nook_spec_add_mount (p->spec, NOOK_MNT_DIR, NULL, a[0], NOOK_MNT_F_MODE);
      op->mode = take_perms (p, 0755);
    }
  return 0;
}

static int
opt_file (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_mount_op *op;
  unsigned flags = 0;
  long dflt = 0666;
  int fd;

  if (parse_fd (a[0], &fd, err) < 0)
    return -1;
  if (strcmp (opt, "--file") != 0)
    {
      /* A file of its own, bound over DEST (0600 as bubblewrap's).  */
      flags = NOOK_MNT_F_PRIVATE | (strcmp (opt, "--ro-bind-data") == 0 ? NOOK_MNT_F_RDONLY : 0);
      dflt = 0600;
    }
  op = nook_spec_add_mount (p->spec, NOOK_MNT_FILE, NULL, a[1], flags | NOOK_MNT_F_MODE);
  op->fd = fd;
  op->mode = take_perms (p, dflt);
  return 0;
}

static int
opt_symlink (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  (void)err;
  nook_spec_add_mount (p->spec, NOOK_MNT_SYMLINK, a[0], a[1], 0);
  return 0;
}

static int
parse_octal (const char *s, long *out)
{
  char *end;
  unsigned long v = strtoul (s, &end, 8);

  if (s[0] == '\0' || *end != '\0' || v > 07777)
    return -1;
  *out = (long)v;
  return 0;
}

static int
opt_chmod (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_mount_op *op;
  long mode;
  (void)opt;

  if (parse_octal (a[0], &mode) < 0)
    return die (err, "--chmod takes an octal argument <= 07777");
  op = nook_spec_add_mount (p->spec, NOOK_MNT_CHMOD, NULL, a[1], 0);
  op->mode = mode;
  return 0;
}

static int
opt_perms (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  long mode;
  (void)opt;

  if (p->next_perms >= 0)
    return die (err, "--perms given twice for the same action");
  if (parse_octal (a[0], &mode) < 0)
    return die (err, "--perms takes an octal argument <= 07777");
  p->next_perms = mode;
  return 0;
}

static int
opt_size (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  unsigned long long size;
  char *end;
  (void)opt;

  if (p->next_size)
    return die (err, "--size given twice for the same action");
  errno = 0;
  size = strtoull (a[0], &end, 0);
  /* A leading digit also refuses signs and spaces.  */
  if (errno || !isdigit ((unsigned char)a[0][0]) || *end != '\0' || size == 0)
    return die (err, "--size takes a non-zero number of bytes");
  if (size > MAX_TMPFS_BYTES)
    return nook_error_set (err, 0, "--size (for tmpfs) is limited to %zu", (size_t)MAX_TMPFS_BYTES);
  p->next_size = size;
  return 0;
}

static int
opt_overlay_src (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  (void)err;
  strv_append (&p->overlay_srcs, a[0]);
  return 0;
}

static int
opt_overlay (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  bool rw = strcmp (opt, "--overlay") == 0, ro = strcmp (opt, "--ro-overlay") == 0;
  size_t n = strv_len (p->overlay_srcs);
  struct nook_mount_op *op;
  struct nook_overlay *ov;

  if (n < (ro ? 2u : 1u))
    return nook_error_set (err, 0, "%s requires at least %s --overlay-src", opt, ro ? "two" : "one");
  op = nook_spec_add_mount (p->spec, NOOK_MNT_OVERLAYFS, NULL, rw ? a[2] : a[0], ro ? NOOK_MNT_F_RDONLY : 0);
  ov = op->overlay = xcalloc (1, sizeof *op->overlay);
  ov->lowers = steal_pointer (&p->overlay_srcs);
  if (rw)
    {
      ov->upper = xstrdup (a[0]);
      ov->work = xstrdup (a[1]);
    }
  return 0;
}

/* ---- the command and its environment ------------------------------------ */

static int
opt_chdir (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  (void)err;
  if (p->chdir_seen)
    strv_append (&p->bw->warnings, "Only the last --chdir option will take effect");
  p->chdir_seen = true;
  free (p->spec->chdir);
  p->spec->chdir = xstrdup (a[0]);
  return 0;
}

static int
opt_argv0 (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  if (p->spec->argv0)
    return die (err, "--argv0 used multiple times");
  p->spec->argv0 = xstrdup (a[0]);
  return 0;
}

static int
opt_env (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  if (strcmp (opt, "--clearenv") == 0)
    {
      /* Nothing set so far, the caller's included; PWD is set inside.  */
      nook_spec_add_env (p->spec, NULL, NULL);
    }
  else if (strcmp (opt, "--setenv") == 0)
    {
      if (a[0][0] == '\0' || strchr (a[0], '='))
        return die (err, "Environment variable name is not valid: %s", a[0]);
      nook_spec_add_env (p->spec, a[0], a[1]);
    }
  else
    nook_spec_add_env (p->spec, a[0], NULL);
  return 0;
}

/* ---- lifecycle and fds ---------------------------------------------------------- */

static int
opt_life_fd (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_life_spec *life = &p->spec->life;
  int fd;

  if (parse_fd (a[0], &fd, err) < 0)
    return -1;
  if (strcmp (opt, "--sync-fd") == 0)
    life->sync_fd = fd;
  else if (strcmp (opt, "--block-fd") == 0)
    life->block_fd = fd;
  else if (strcmp (opt, "--userns-block-fd") == 0)
    life->userns_block_fd = fd;
  else if (strcmp (opt, "--info-fd") == 0)
    life->info_fd = fd;
  else
    life->json_status_fd = fd;
  return 0;
}

static int
opt_lock_file (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  (void)err;
  strv_append (&p->spec->life.lock_files, a[0]);
  return 0;
}

static int
opt_seccomp (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_security *sec = &p->spec->security;
  bool single = strcmp (opt, "--seccomp") == 0;
  int fd;

  if (single && p->bw->seccomp_added)
    return die (err, "--seccomp cannot be combined with --add-seccomp-fd");
  if (!single && p->bw->seccomp_single)
    return die (err, "--add-seccomp-fd cannot be combined with --seccomp");
  if (parse_fd (a[0], &fd, err) < 0)
    return -1;
  if (single)
    {
      /* Not repeatable: the last one counts, as bubblewrap's does.  */
      if (p->bw->seccomp_single)
        sec->n_bpf_fds = 0;
      p->bw->seccomp_single = true;
    }
  else
    p->bw->seccomp_added = true;
  add_fd (&sec->bpf_fds, &sec->n_bpf_fds, fd);
  return 0;
}

static int
opt_flag (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)a;
  (void)err;
  if (strcmp (opt, "--new-session") == 0)
    p->spec->security.same_session = false;
  else if (strcmp (opt, "--die-with-parent") == 0)
    p->bw->die_with_parent = true;
  else if (strcmp (opt, "--as-pid-1") == 0)
    p->bw->as_pid_1 = true;
  else if (strcmp (opt, "--level-prefix") == 0)
    p->bw->level_prefix = true;
  else if (strcmp (opt, "--help") == 0)
    p->bw->help = true;
  else if (strcmp (opt, "--version") == 0)
    p->bw->version = true;
  return 0;
}

static int
opt_cap (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  bool add = strcmp (opt, "--cap-add") == 0;
  uint64_t bits;
  int cap;

  if (strcasecmp (a[0], "ALL") == 0)
    bits = nook_caps_all ();
  else if (nook_cap_parse (a[0], &cap) == 0)
    bits = UINT64_C (1) << cap;
  else
    return die (err, "unknown cap: %s", a[0]);
  p->bw->caps = add ? p->bw->caps | bits : p->bw->caps & ~bits;
  return 0;
}

static int
opt_label (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)p;
  (void)opt;
  (void)a;
  /* nook has no SELinux support: bubblewrap built without it answers so.  */
  return die (err, "labeling not supported on this system");
}

static int
opt_nook_seccomp (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  (void)err;
  free (p->spec->security.seccomp);
  p->spec->security.seccomp = xstrdup (a[0]);
  return 0;
}

/* --nook-landlock auto|on|off: nook run's --landlock, off by default
   here as bubblewrap has none (a process under Landlock cannot mount,
   which a nested sandbox inside a Flatpak app needs).  */
static int
opt_nook_landlock (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  static const char *const modes[] = NOOK_LANDLOCK_MODES;

  for (size_t m = 0; m < sizeof modes / sizeof *modes; m++)
    if (strcmp (a[0], modes[m]) == 0)
      {
        p->spec->security.landlock = (enum nook_landlock_mode)m;
        return 0;
      }
  return nook_error_set (err, 0, "%s: unknown mode `%s` (auto, on or off)", opt, a[0]);
}

static int parse_recurse (struct parser *p, int argc, char **argv, int *consumed, struct nook_error *err);

/* All of FD, NUL-terminated.  */
static int
read_fd_all (int fd, char **out, size_t *len)
{
  size_t size = 4096;
  char *buf = xmalloc (size);
  ssize_t n;

  *len = 0;
  for (;;)
    {
      if (*len + 1 >= size)
        buf = xrealloc (buf, size *= 2);
      n = read (fd, buf + *len, size - *len - 1);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          free (buf);
          return -1;
        }
      if (n == 0)
        break;
      *len += n;
    }
  buf[*len] = '\0';
  *out = buf;
  return 0;
}

static int
opt_args (struct parser *p, const char *opt, char **a, struct nook_error *err)
{
  cleanup_free char *data = NULL;
  cleanup_free char **vec = NULL;
  size_t len = 0, n = 0;
  int fd, used, r;
  (void)opt;

  if (p->in_file)
    return die (err, "--args not supported in arguments file");
  if (parse_fd (a[0], &fd, err) < 0)
    return -1;
  if (read_fd_all (fd, &data, &len) < 0)
    return nook_error_errno (err, "Can't read --args data");
  close (fd);
  for (const char *s = data; s < data + len; s += strlen (s) + 1)
    {
      if (++p->bw->total_args > MAX_ARGS)
        return nook_error_set (err, 0, "Exceeded maximum number of arguments %u", MAX_ARGS);
      vec = xrealloc (vec, (n + 2) * sizeof *vec);
      vec[n++] = (char *)s;
      vec[n] = NULL;
    }
  p->in_file = true;
  r = parse_recurse (p, (int)n, vec, &used, err);
  p->in_file = false;
  if (r < 0)
    return -1;
  /* A command in the data: bubblewrap runs it too.  */
  for (int i = used; i < (int)n; i++)
    strv_append (&p->spec->argv, vec[i]);
  return 0;
}

static const struct bw_option options[] = {
  { "--help", 0, opt_flag, false },
  { "--version", 0, opt_flag, false },
  { "--args", 1, opt_args, false },
  { "--argv0", 1, opt_argv0, false },
  { "--level-prefix", 0, opt_flag, false },
  { "--unshare-all", 0, opt_unshare, false },
  { "--unshare-user", 0, opt_unshare, false },
  { "--unshare-user-try", 0, opt_unshare, false },
  { "--unshare-ipc", 0, opt_unshare, false },
  { "--unshare-pid", 0, opt_unshare, false },
  { "--unshare-net", 0, opt_unshare, false },
  { "--unshare-uts", 0, opt_unshare, false },
  { "--unshare-cgroup", 0, opt_unshare, false },
  { "--unshare-cgroup-try", 0, opt_unshare, false },
  { "--share-net", 0, opt_unshare, false },
  { "--userns", 1, opt_ns_fd, false },
  { "--userns2", 1, opt_ns_fd, false },
  { "--pidns", 1, opt_ns_fd, false },
  { "--disable-userns", 0, opt_userns_flags, false },
  { "--assert-userns-disabled", 0, opt_userns_flags, false },
  { "--uid", 1, opt_id, false },
  { "--gid", 1, opt_id, false },
  { "--hostname", 1, opt_hostname, false },
  { "--chdir", 1, opt_chdir, false },
  { "--clearenv", 0, opt_env, false },
  { "--setenv", 2, opt_env, false },
  { "--unsetenv", 1, opt_env, false },
  { "--lock-file", 1, opt_lock_file, false },
  { "--sync-fd", 1, opt_life_fd, false },
  { "--bind", 2, opt_bind, false },
  { "--bind-try", 2, opt_bind, false },
  { "--dev-bind", 2, opt_bind, false },
  { "--dev-bind-try", 2, opt_bind, false },
  { "--ro-bind", 2, opt_bind, false },
  { "--ro-bind-try", 2, opt_bind, false },
  { "--bind-fd", 2, opt_bind_fd, false },
  { "--ro-bind-fd", 2, opt_bind_fd, false },
  { "--remount-ro", 1, opt_dest_op, false },
  { "--overlay-src", 1, opt_overlay_src, false },
  { "--overlay", 3, opt_overlay, false },
  { "--tmp-overlay", 1, opt_overlay, false },
  { "--ro-overlay", 1, opt_overlay, false },
  { "--exec-label", 1, opt_label, false },
  { "--file-label", 1, opt_label, false },
  { "--proc", 1, opt_dest_op, false },
  { "--dev", 1, opt_dest_op, false },
  { "--tmpfs", 1, opt_dest_op, false },
  { "--mqueue", 1, opt_dest_op, false },
  { "--dir", 1, opt_dest_op, false },
  { "--file", 2, opt_file, false },
  { "--bind-data", 2, opt_file, false },
  { "--ro-bind-data", 2, opt_file, false },
  { "--symlink", 2, opt_symlink, false },
  { "--seccomp", 1, opt_seccomp, false },
  { "--add-seccomp-fd", 1, opt_seccomp, false },
  { "--block-fd", 1, opt_life_fd, false },
  { "--userns-block-fd", 1, opt_life_fd, false },
  { "--info-fd", 1, opt_life_fd, false },
  { "--json-status-fd", 1, opt_life_fd, false },
  { "--new-session", 0, opt_flag, false },
  { "--die-with-parent", 0, opt_flag, false },
  { "--as-pid-1", 0, opt_flag, false },
  { "--cap-add", 1, opt_cap, false },
  { "--cap-drop", 1, opt_cap, false },
  { "--perms", 1, opt_perms, true },
  { "--size", 1, opt_size, true },
  { "--chmod", 2, opt_chmod, false },
  /* nook's own, where bubblewrap's parser would refuse them.  */
  { "--nook-seccomp", 1, opt_nook_seccomp, false },
  { "--nook-landlock", 1, opt_nook_landlock, false },
  { NULL, 0, NULL, false },
};

/* The words bubblewrap uses for a missing argument.  */
static const char *const nargs_words[] = { "", "an argument", "two arguments", "three arguments" };

static int
missing_args (const struct bw_option *o, struct nook_error *err)
{
  /* bubblewrap's own wording for a few.  */
  if (strcmp (o->name, "--argv0") == 0 || strcmp (o->name, "--chdir") == 0
      || strcmp (o->name, "--remount-ro") == 0)
    return nook_error_set (err, 0, "%s takes one argument", o->name);
  if (strcmp (o->name, "--ro-bind-fd") == 0)
    return nook_error_set (err, 0, "--bind-fd takes two arguments");
  return nook_error_set (err, 0, "%s takes %s", o->name, nargs_words[o->nargs]);
}

/* The options in ARGV; *CONSUMED is where the command starts.  */
static int
parse_recurse (struct parser *p, int argc, char **argv, int *consumed, struct nook_error *err)
{
  int i = 0;

  while (i < argc)
    {
      const char *arg = argv[i];
      const struct bw_option *o = options;

      if (strcmp (arg, "--") == 0)
        {
          i++;
          break;
        }
      if (arg[0] != '-')
        break;
      while (o->name && strcmp (o->name, arg) != 0)
        o++;
      if (o->name == NULL)
        return die (err, "Unknown option %s", arg);
      if (argc - i - 1 < o->nargs)
        return missing_args (o, err);
      if (o->apply (p, arg, argv + i + 1, err) < 0)
        return -1;
      if (p->bw->help || p->bw->version)
        {
          *consumed = argc;
          return 0;
        }
      /* What a modifier was given for must come next.  */
      if (!o->modifier && p->next_perms >= 0)
        return die (err, "--perms must be followed by an option that creates a file");
      if (!o->modifier && p->next_size)
        return die (err, "--size must be followed by --tmpfs");
      if (strcmp (arg, "--overlay-src") != 0 && p->overlay_srcs)
        return die (err, "--overlay-src must be followed by another --overlay-src or one of --overlay, "
                         "--tmp-overlay, or --ro-overlay");
      i += 1 + o->nargs;
    }
  if (p->overlay_srcs)
    return die (err, "--overlay-src must be followed by another --overlay-src or one of --overlay, "
                     "--tmp-overlay, or --ro-overlay");
  *consumed = i;
  return 0;
}

/* bubblewrap's rules once every option is read, in its order.  */
static int
check_combinations (const struct nook_spec *spec, const struct nook_bwrap *bw, struct nook_error *err)
{
  const struct nook_life_spec *life = &spec->life;

  if (life->userns_block_fd >= 0 && life->info_fd < 0)
    return die (err, "--userns-block-fd requires --info-fd");
  if (life->userns_fd >= 0 && bw->unshare_user)
    return die (err, "--userns not compatible --unshare-user");
  if (life->userns_fd >= 0 && bw->unshare_user_try)
    return die (err, "--userns not compatible --unshare-user-try");
  if (spec->security.disable_userns && !bw->unshare_user)
    return die (err, "--disable-userns requires --unshare-user");
  if (spec->security.disable_userns && life->userns_block_fd >= 0)
    return die (err, "--disable-userns is not compatible with  --userns-block-fd");
  if (spec->hostname && !bw->unshare_uts)
    return die (err, "Specifying --hostname requires --unshare-uts");
  if (bw->as_pid_1 && !bw->unshare_pid)
    return die (err, "Specifying --as-pid-1 requires --unshare-pid");
  return 0;
}

/* The namespaces: the user and mount namespaces always (the user
   namespace mode of bubblewrap), the others only when asked for.  */
static void
apply_namespaces (struct nook_spec *spec, const struct nook_bwrap *bw)
{
  spec->share = NOOK_NS_NET | NOOK_NS_PID | NOOK_NS_IPC | NOOK_NS_UTS | NOOK_NS_CGROUP;
  if (bw->unshare_pid)
    spec->share &= ~NOOK_NS_PID;
  if (bw->unshare_ipc)
    spec->share &= ~NOOK_NS_IPC;
  if (bw->unshare_uts)
    spec->share &= ~NOOK_NS_UTS;
  if (bw->unshare_cgroup || bw->unshare_cgroup_try)
    spec->share &= ~NOOK_NS_CGROUP;
  if (bw->unshare_net)
    spec->share &= ~NOOK_NS_NET;
  else
    {
      spec->net.mode = NOOK_NET_HOST;
      spec->net.mode_set = true;
    }
  /* A new UTS namespace keeps the host's name unless --hostname.  */
  if (bw->unshare_uts && spec->hostname == NULL)
    {
      char host[256] = "";
      gethostname (host, sizeof host - 1);
      spec->hostname = xstrdup (host);
    }
  /* bubblewrap's own PID 1 reaps in a new PID namespace; nook-init plays
     that part.  Anywhere else, or with --as-pid-1, the command is the
     sandbox's first process.  */
  spec->life.direct_exec = bw->as_pid_1 || !bw->unshare_pid;
}

int
nook_bwrap_parse (int argc, char **argv, struct nook_spec *spec, struct nook_bwrap *bw,
                  struct nook_error *err)
{
  struct parser p = { .spec = spec, .bw = bw, .next_perms = -1 };
  int used = 0, r;

  memset (bw, 0, sizeof *bw);
  bw->total_args = argc;
  /* bubblewrap's defaults: nothing but what the options build, the
     caller's environment and session, no seccomp but the caller's, no
     capability.  */
  spec->root_empty = true;
  spec->keep_env = true;
  spec->life.unlisted = true;
  spec->security.same_session = true;
  spec->security.seccomp = xstrdup ("unconfined");
  spec->security.landlock = NOOK_LANDLOCK_OFF;
  if (argc > MAX_ARGS)
    return nook_error_set (err, 0, "Exceeded maximum number of arguments %u", MAX_ARGS);
  r = parse_recurse (&p, argc - 1, argv + 1, &used, err);
  /* --help and --version end the parse even after an --overlay-src.  */
  strv_free (p.overlay_srcs);
  if (r < 0)
    return -1;
  if (bw->help || bw->version)
    return 0;
  for (int i = 1 + used; i < argc; i++)
    strv_append (&spec->argv, argv[i]);
  if (check_combinations (spec, bw, err) < 0)
    return -1;
  apply_namespaces (spec, bw);
  spec->uid = bw->uid_set ? (uid_t)bw->uid : getuid ();
  spec->gid = bw->gid_set ? (gid_t)bw->gid : getgid ();
  spec->security.cap_drop_all = true;
  spec->security.cap_add = bw->caps;
  return 0;
}

void
nook_bwrap_release (struct nook_bwrap *bw)
{
  strv_free (bw->warnings);
  memset (bw, 0, sizeof *bw);
}

char *
nook_bwrap_usage (const char *prog)
{
  return xasprintf (
      "usage: %s [OPTIONS...] [--] COMMAND [ARGS...]\n\n"
      "    --help                       Print this help\n"
      "    --version                    Print version\n"
      "    --args FD                    Parse NUL-separated args from FD\n"
      "    --argv0 VALUE                Set argv[0] to the value VALUE before running the program\n"
      "    --level-prefix               Prepend e.g. <3> to diagnostic messages\n"
      "    --unshare-all                Unshare every namespace we support by default\n"
      "    --share-net                  Retain the network namespace (can only combine with --unshare-all)\n"
      "    --unshare-user               Create new user namespace (always implied: nook is never setuid)\n"
      "    --unshare-user-try           Create new user namespace if possible else continue by skipping it\n"
      "    --unshare-ipc                Create new ipc namespace\n"
      "    --unshare-pid                Create new pid namespace\n"
      "    --unshare-net                Create new network namespace\n"
      "    --unshare-uts                Create new uts namespace\n"
      "    --unshare-cgroup             Create new cgroup namespace\n"
      "    --unshare-cgroup-try         Create new cgroup namespace if possible else continue by skipping "
      "it\n"
      "    --userns FD                  Use this user namespace (cannot combine with --unshare-user)\n"
      "    --userns2 FD                 After setup switch to this user namespace, only useful with "
      "--userns\n"
      "    --disable-userns             Disable further use of user namespaces inside sandbox\n"
      "    --assert-userns-disabled     Fail unless further use of user namespace inside sandbox is "
      "disabled\n"
      "    --pidns FD                   Use this pid namespace (as parent namespace if using --unshare-pid)\n"
      "    --uid UID                    Custom uid in the sandbox (requires --unshare-user or --userns)\n"
      "    --gid GID                    Custom gid in the sandbox (requires --unshare-user or --userns)\n"
      "    --hostname NAME              Custom hostname in the sandbox (requires --unshare-uts)\n"
      "    --chdir DIR                  Change directory to DIR\n"
      "    --clearenv                   Unset all environment variables\n"
      "    --setenv VAR VALUE           Set an environment variable\n"
      "    --unsetenv VAR               Unset an environment variable\n"
      "    --lock-file DEST             Take a lock on DEST while sandbox is running\n"
      "    --sync-fd FD                 Keep this fd open while sandbox is running\n"
      "    --bind SRC DEST              Bind mount the host path SRC on DEST\n"
      "    --bind-try SRC DEST          Equal to --bind but ignores non-existent SRC\n"
      "    --dev-bind SRC DEST          Bind mount the host path SRC on DEST, allowing device access\n"
      "    --dev-bind-try SRC DEST      Equal to --dev-bind but ignores non-existent SRC\n"
      "    --ro-bind SRC DEST           Bind mount the host path SRC readonly on DEST\n"
      "    --ro-bind-try SRC DEST       Equal to --ro-bind but ignores non-existent SRC\n"
      "    --bind-fd FD DEST            Bind open directory or path fd on DEST\n"
      "    --ro-bind-fd FD DEST         Bind open directory or path fd read-only on DEST\n"
      "    --remount-ro DEST            Remount DEST as readonly (with every mount under it)\n"
      "    --overlay-src SRC            Read files from SRC in the following overlay\n"
      "    --overlay RWSRC WORKDIR DEST Mount overlayfs on DEST, with RWSRC as the host path for writes and\n"
      "                                 WORKDIR an empty directory on the same filesystem as RWSRC\n"
      "    --tmp-overlay DEST           Mount overlayfs on DEST, with writes going to an invisible tmpfs\n"
      "    --ro-overlay DEST            Mount overlayfs read-only on DEST\n"
      "    --exec-label LABEL           Exec label for the sandbox (refused: no SELinux support)\n"
      "    --file-label LABEL           File label for temporary sandbox content (refused: no SELinux "
      "support)\n"
      "    --proc DEST                  Mount new procfs on DEST\n"
      "    --dev DEST                   Mount new dev on DEST\n"
      "    --tmpfs DEST                 Mount new tmpfs on DEST\n"
      "    --mqueue DEST                Mount new mqueue on DEST\n"
      "    --dir DEST                   Create dir at DEST\n"
      "    --file FD DEST               Copy from FD to destination DEST\n"
      "    --bind-data FD DEST          Copy from FD to file which is bind-mounted on DEST\n"
      "    --ro-bind-data FD DEST       Copy from FD to file which is readonly bind-mounted on DEST\n"
      "    --symlink SRC DEST           Create symlink at DEST with target SRC\n"
      "    --seccomp FD                 Load and use seccomp rules from FD (not repeatable)\n"
      "    --add-seccomp-fd FD          Load and use seccomp rules from FD (repeatable)\n"
      "    --block-fd FD                Block on FD until some data to read is available\n"
      "    --userns-block-fd FD         Block on FD until the user namespace is ready\n"
      "    --info-fd FD                 Write information about the running container to FD\n"
      "    --json-status-fd FD          Write container status to FD as multiple JSON documents\n"
      "    --new-session                Create a new terminal session\n"
      "    --die-with-parent            Kills with SIGKILL child process (COMMAND) when bwrap or bwrap's "
      "parent dies.\n"
      "    --as-pid-1                   Do not install a reaper process with PID=1\n"
      "    --cap-add CAP                Add cap CAP in the sandbox\n"
      "    --cap-drop CAP               Drop cap CAP in the sandbox\n"
      "    --perms OCTAL                Set permissions of next argument (--bind-data, --file, etc.)\n"
      "    --size BYTES                 Set size of next argument (only for --tmpfs)\n"
      "    --chmod OCTAL PATH           Change permissions of PATH (must already exist)\n"
      "\nnook's own:\n"
      "    --nook-seccomp POLICY        Also load nook's seccomp POLICY (default, a name or a path; see "
      "nook-run(1))\n"
      "    --nook-landlock MODE         Landlock behind the mounts: off (default), auto or on (see "
      "nook-run(1))\n",
      prog);
}
