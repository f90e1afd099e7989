/* nook-bwrap: what each of bubblewrap's options does to struct nook_spec
   and struct nook_bwrap (bwrap-opts.h): one handler per kind of option,
   grouped by what they touch.  Which option calls which handler, with how
   many arguments, is the table in bwrap-args.c.  */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bwrap-opts.h"
#include "lib/caps.h"
#include "lib/utils.h"

/* bubblewrap's limit on a tmpfs's size.  */
#define MAX_TMPFS_BYTES ((uint64_t)SIZE_MAX >> 1)

/* A refusal, worded as bubblewrap's.  */
#define die(err, ...) nook_error_set ((err), 0, __VA_ARGS__)

/* A decimal fd, as bubblewrap reads them.  */
int
bwrap_parse_fd (const char *s, int *fd, struct nook_error *err)
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
take_perms (struct bwrap_parser *p, long dflt)
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

int
bwrap_opt_unshare (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_ns_fd (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_life_spec *life = &p->spec->life;
  int fd;

  if (bwrap_parse_fd (a[0], &fd, err) < 0)
    return -1;
  if (strcmp (opt, "--userns") == 0)
    life->userns_fd = fd;
  else if (strcmp (opt, "--userns2") == 0)
    life->userns2_fd = fd;
  else
    life->pidns_fd = fd;
  return 0;
}

int
bwrap_opt_userns_flags (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)a;
  (void)err;
  if (strcmp (opt, "--disable-userns") == 0)
    p->spec->security.disable_userns = true;
  else
    p->spec->security.assert_userns_disabled = true;
  return 0;
}

int
bwrap_opt_id (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_hostname (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  (void)err;
  free (p->spec->hostname);
  p->spec->hostname = xstrdup (a[0]);
  return 0;
}

/* ---- mounts ------------------------------------------------------------------- */

int
bwrap_opt_bind (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_bind_fd (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  char link[64], src[PATH_MAX];
  struct nook_mount_op *op;
  ssize_t n;
  int fd;

  if (bwrap_parse_fd (a[0], &fd, err) < 0)
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

int
bwrap_opt_dest_op (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_file (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_mount_op *op;
  unsigned flags = 0;
  long dflt = 0666;
  int fd;

  if (bwrap_parse_fd (a[0], &fd, err) < 0)
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

int
bwrap_opt_symlink (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_chmod (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_perms (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_size (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_overlay_src (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  (void)err;
  strv_append (&p->overlay_srcs, a[0]);
  return 0;
}

int
bwrap_opt_overlay (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_chdir (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_argv0 (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  if (p->spec->argv0)
    return die (err, "--argv0 used multiple times");
  p->spec->argv0 = xstrdup (a[0]);
  return 0;
}

int
bwrap_opt_env (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_life_fd (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_life_spec *life = &p->spec->life;
  int fd;

  if (bwrap_parse_fd (a[0], &fd, err) < 0)
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

int
bwrap_opt_lock_file (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)opt;
  (void)err;
  strv_append (&p->spec->life.lock_files, a[0]);
  return 0;
}

int
bwrap_opt_seccomp (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  struct nook_security *sec = &p->spec->security;
  bool single = strcmp (opt, "--seccomp") == 0;
  int fd;

  if (single && p->bw->seccomp_added)
    return die (err, "--seccomp cannot be combined with --add-seccomp-fd");
  if (!single && p->bw->seccomp_single)
    return die (err, "--add-seccomp-fd cannot be combined with --seccomp");
  if (bwrap_parse_fd (a[0], &fd, err) < 0)
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

int
bwrap_opt_flag (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_cap (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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

int
bwrap_opt_label (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  (void)p;
  (void)opt;
  (void)a;
  /* nook has no SELinux support: bubblewrap built without it answers so.  */
  return die (err, "labeling not supported on this system");
}

int
bwrap_opt_nook_seccomp (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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
int
bwrap_opt_nook_landlock (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
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
