/* nook bwrap ARGS..., and the nook-bwrap program: bubblewrap's command
   line (bwrap-args.c) run by the engine, with bubblewrap's messages and
   exit statuses, since the tools that call it parse both.  */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "bwrap-args.h"
#include "cmd.h"
#include "lib/escape.h"
#include "lib/spawn.h"
#include "lib/utils.h"
#include "options.h"

/* bubblewrap's exit status for its own failures.  */
#define BWRAP_EXIT_ERROR 1

static const struct nook_option_group *const bwrap_groups[] = { NULL };

const struct nook_command nook_bwrap_command = {
  .name = "bwrap",
  .synopsis = "nook bwrap [BUBBLEWRAP OPTIONS...] [--] COMMAND [ARGS...]",
  .summary = "Runs COMMAND as bubblewrap " NOOK_BWRAP_COMPAT_VERSION " would (see nook-bwrap(1)).",
  .groups = bwrap_groups,
};

/* One message as bubblewrap prints it: "bwrap: TEXT", after "<LEVEL>"
   with --level-prefix (3 an error, 4 a warning, as syslog's).  */
static void
say (const struct nook_bwrap *bw, int level, const char *text)
{
  char line[8192];
  cleanup_free char *shown = nook_escape_text (text);

  /* TEXT may quote a path the sandbox made.  */
  snprintf (line, sizeof line, "bwrap: %s\n", shown);
  if (bw->level_prefix)
    fprintf (stderr, "<%d>%s", level, line);
  else
    fputs (line, stderr);
}

/* bubblewrap names a missing bind source before anything else happens:
   tools look for this exact message.  */
static int
check_sources (const struct nook_spec *spec, struct nook_error *err)
{
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      const struct nook_mount_op *op = &spec->mounts[i];
      if (op->kind == NOOK_MNT_BIND && !(op->flags & NOOK_MNT_F_TRY) && access (op->src, F_OK) < 0)
        return nook_error_errno (err, "Can't find source path %s", op->src);
    }
  return 0;
}

/* Whether an option consumes FD: nook reads it, or reports or waits on it,
   and the command never gets it (as bubblewrap closes them).  */
static bool
fd_is_consumed (const struct nook_spec *spec, int fd)
{
  const struct nook_life_spec *life = &spec->life;
  int named[] = { life->info_fd,   life->json_status_fd, life->block_fd, life->userns_block_fd,
                  life->userns_fd, life->userns2_fd,     life->pidns_fd, life->sync_fd };

  for (size_t i = 0; i < sizeof named / sizeof named[0]; i++)
    if (named[i] == fd)
      return true;
  for (size_t i = 0; i < spec->security.n_bpf_fds; i++)
    if (spec->security.bpf_fds[i] == fd)
      return true;
  for (size_t i = 0; i < spec->n_mounts; i++)
    if ((spec->mounts[i].kind == NOOK_MNT_FILE || spec->mounts[i].kind == NOOK_MNT_BIND)
        && spec->mounts[i].fd == fd)
      return true;
  return false;
}

/* The fds the caller left open for the command, as bubblewrap passes them
   on (Flatpak hands xdg-dbus-proxy its arguments and a sync pipe so): every
   fd this process inherited, but those an option consumes.  nook's own are
   close-on-exec, and the engine closes every other fd before the command
   runs.  */
static void
pass_inherited_fds (struct nook_spec *spec)
{
  DIR *d = opendir ("/proc/self/fd");
  struct dirent *e;

  if (d == NULL)
    return;
  while ((e = readdir (d)))
    {
      char *end;
      long fd = strtol (e->d_name, &end, 10);
      int flags;

      if (*end != '\0' || e->d_name[0] == '.' || fd < 3 || fd == dirfd (d) || fd_is_consumed (spec, fd))
        continue;
      flags = fcntl (fd, F_GETFD);
      if (flags < 0 || (flags & FD_CLOEXEC))
        continue;
      spec->security.pass_fds
          = xrealloc (spec->security.pass_fds, (spec->security.n_pass_fds + 1) * sizeof (int));
      spec->security.pass_fds[spec->security.n_pass_fds++] = (int)fd;
    }
  closedir (d);
}

static int
run (int argc, char **argv, struct nook_bwrap *bw, struct nook_error *err)
{
  struct nook_spec spec;
  int r;

  nook_spec_init (&spec);
  r = nook_bwrap_parse (argc, argv, &spec, bw, err);
  for (size_t i = 0; bw->warnings && bw->warnings[i]; i++)
    say (bw, 4, bw->warnings[i]);
  if (r == 0 && bw->help)
    {
      cleanup_free char *text = nook_bwrap_usage (argv[0]);
      fputs (text, stdout);
    }
  else if (r == 0 && bw->version)
    printf ("bubblewrap %s (nook %s)\n", NOOK_BWRAP_COMPAT_VERSION, PACKAGE_VERSION);
  else if (r == 0 && spec.argv == NULL)
    {
      cleanup_free char *text = nook_bwrap_usage (argv[0]);
      fputs (text, stderr);
      r = BWRAP_EXIT_ERROR;
    }
  else if (r == 0)
    {
      /* --die-with-parent: this process dies with its parent, and the
         sandbox with it (it dies with nook, whatever kills nook).  */
      if (bw->die_with_parent && (prctl (PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid () == 1))
        r = nook_error_errno (err, "prctl");
      if (r == 0 && check_sources (&spec, err) < 0)
        r = -1;
      if (r == 0)
        pass_inherited_fds (&spec);
      if (r == 0)
        r = nook_run (&spec, err);
    }
  fflush (stdout);
  nook_spec_free (&spec);
  return r;
}

/**
 * nook_bwrap_main - nook-bwrap's main, and `nook bwrap`'s
 * @argc: argv's length
 * @argv: argv[0] is the name to show in --help
 *
 * Return: the command's exit status, or 1 (bubblewrap's) when the sandbox
 * could not be made or the command not started, after one message.
 */
int
nook_bwrap_main (int argc, char **argv)
{
  struct nook_bwrap bw = { 0 };
  struct nook_error err = { 0 };
  int r = run (argc, argv, &bw, &err);

  if (err.msg)
    {
      say (&bw, 3, err.msg);
      nook_error_release (&err);
      r = BWRAP_EXIT_ERROR;
    }
  else if (r < 0)
    r = BWRAP_EXIT_ERROR;
  nook_bwrap_release (&bw);
  return r;
}

int
nook_cmd_bwrap (int argc, char **argv, struct nook_error *err)
{
  (void)err;
  return nook_bwrap_main (argc, argv);
}
