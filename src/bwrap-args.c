/* nook-bwrap: bubblewrap 0.11's options into struct nook_spec
   (bwrap-args.h).  Each option is a row of one table: its name, how many
   arguments it takes, and its handler (bwrap-opts.c), which does what it
   does to the spec.  Here: the table, the parse that reads the command
   line and --args data through it, bubblewrap's rules on the
   combinations, and what bubblewrap decides once every option is read
   (the namespaces, the ids, the capabilities).  */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bwrap-args.h"
#include "bwrap-opts.h"
#include "lib/utils.h"

/* bubblewrap's limit on the arguments in all.  */
#define MAX_ARGS 9000

struct bw_option
{
  const char *name;
  int nargs;
  bwrap_opt_fn *apply;
  bool modifier; /* --perms, --size: apply to the next option */
};

/* A refusal, worded as bubblewrap's.  */
#define die(err, ...) nook_error_set ((err), 0, __VA_ARGS__)

static int parse_recurse (struct bwrap_parser *p, int argc, char **argv, int *consumed,
                          struct nook_error *err);

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
opt_args (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err)
{
  cleanup_free char *data = NULL;
  cleanup_free char **vec = NULL;
  size_t len = 0, n = 0;
  int fd, used, r;
  (void)opt;

  if (p->in_file)
    return die (err, "--args not supported in arguments file");
  if (bwrap_parse_fd (a[0], &fd, err) < 0)
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
  { "--help", 0, bwrap_opt_flag, false },
  { "--version", 0, bwrap_opt_flag, false },
  { "--args", 1, opt_args, false },
  { "--argv0", 1, bwrap_opt_argv0, false },
  { "--level-prefix", 0, bwrap_opt_flag, false },
  { "--unshare-all", 0, bwrap_opt_unshare, false },
  { "--unshare-user", 0, bwrap_opt_unshare, false },
  { "--unshare-user-try", 0, bwrap_opt_unshare, false },
  { "--unshare-ipc", 0, bwrap_opt_unshare, false },
  { "--unshare-pid", 0, bwrap_opt_unshare, false },
  { "--unshare-net", 0, bwrap_opt_unshare, false },
  { "--unshare-uts", 0, bwrap_opt_unshare, false },
  { "--unshare-cgroup", 0, bwrap_opt_unshare, false },
  { "--unshare-cgroup-try", 0, bwrap_opt_unshare, false },
  { "--share-net", 0, bwrap_opt_unshare, false },
  { "--userns", 1, bwrap_opt_ns_fd, false },
  { "--userns2", 1, bwrap_opt_ns_fd, false },
  { "--pidns", 1, bwrap_opt_ns_fd, false },
  { "--disable-userns", 0, bwrap_opt_userns_flags, false },
  { "--assert-userns-disabled", 0, bwrap_opt_userns_flags, false },
  { "--uid", 1, bwrap_opt_id, false },
  { "--gid", 1, bwrap_opt_id, false },
  { "--hostname", 1, bwrap_opt_hostname, false },
  { "--chdir", 1, bwrap_opt_chdir, false },
  { "--clearenv", 0, bwrap_opt_env, false },
  { "--setenv", 2, bwrap_opt_env, false },
  { "--unsetenv", 1, bwrap_opt_env, false },
  { "--lock-file", 1, bwrap_opt_lock_file, false },
  { "--sync-fd", 1, bwrap_opt_life_fd, false },
  { "--bind", 2, bwrap_opt_bind, false },
  { "--bind-try", 2, bwrap_opt_bind, false },
  { "--dev-bind", 2, bwrap_opt_bind, false },
  { "--dev-bind-try", 2, bwrap_opt_bind, false },
  { "--ro-bind", 2, bwrap_opt_bind, false },
  { "--ro-bind-try", 2, bwrap_opt_bind, false },
  { "--bind-fd", 2, bwrap_opt_bind_fd, false },
  { "--ro-bind-fd", 2, bwrap_opt_bind_fd, false },
  { "--remount-ro", 1, bwrap_opt_dest_op, false },
  { "--overlay-src", 1, bwrap_opt_overlay_src, false },
  { "--overlay", 3, bwrap_opt_overlay, false },
  { "--tmp-overlay", 1, bwrap_opt_overlay, false },
  { "--ro-overlay", 1, bwrap_opt_overlay, false },
  { "--exec-label", 1, bwrap_opt_label, false },
  { "--file-label", 1, bwrap_opt_label, false },
  { "--proc", 1, bwrap_opt_dest_op, false },
  { "--dev", 1, bwrap_opt_dest_op, false },
  { "--tmpfs", 1, bwrap_opt_dest_op, false },
  { "--mqueue", 1, bwrap_opt_dest_op, false },
  { "--dir", 1, bwrap_opt_dest_op, false },
  { "--file", 2, bwrap_opt_file, false },
  { "--bind-data", 2, bwrap_opt_file, false },
  { "--ro-bind-data", 2, bwrap_opt_file, false },
  { "--symlink", 2, bwrap_opt_symlink, false },
  { "--seccomp", 1, bwrap_opt_seccomp, false },
  { "--add-seccomp-fd", 1, bwrap_opt_seccomp, false },
  { "--block-fd", 1, bwrap_opt_life_fd, false },
  { "--userns-block-fd", 1, bwrap_opt_life_fd, false },
  { "--info-fd", 1, bwrap_opt_life_fd, false },
  { "--json-status-fd", 1, bwrap_opt_life_fd, false },
  { "--new-session", 0, bwrap_opt_flag, false },
  { "--die-with-parent", 0, bwrap_opt_flag, false },
  { "--as-pid-1", 0, bwrap_opt_flag, false },
  { "--cap-add", 1, bwrap_opt_cap, false },
  { "--cap-drop", 1, bwrap_opt_cap, false },
  { "--perms", 1, bwrap_opt_perms, true },
  { "--size", 1, bwrap_opt_size, true },
  { "--chmod", 2, bwrap_opt_chmod, false },
  /* nook's own, where bubblewrap's parser would refuse them.  */
  { "--nook-seccomp", 1, bwrap_opt_nook_seccomp, false },
  { "--nook-landlock", 1, bwrap_opt_nook_landlock, false },
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
parse_recurse (struct bwrap_parser *p, int argc, char **argv, int *consumed, struct nook_error *err)
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
  struct bwrap_parser p = { .spec = spec, .bw = bw, .next_perms = -1 };
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
