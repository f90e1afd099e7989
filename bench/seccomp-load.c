/* The kernel's cost of loading nook's seccomp filters (bench/seccomp-load
 * builds and runs this): the default policy as libseccomp writes it and
 * shortened (seccomp-shorten.c), each after the terminal filter, and the
 * one program nook loads (the two merged, seccomp-merge.c), in turns, each
 * load in a fresh child.
 * Prints the median time of the seccomp() calls and the lengths.  */
#include <config.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/caps.h"
#include "lib/seccomp.h"
#include "lib/utils.h"

static double
now_us (void)
{
  struct timespec t;
  clock_gettime (CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

/* Microseconds the seccomp() calls took in a fresh child: TERMINAL's
   (none when it is empty), then POLICY's.  */
static double
load_once (const struct nook_bpf *terminal, const struct nook_bpf *policy)
{
  int fds[2];
  double us = -1;
  pid_t pid;

  if (pipe (fds) < 0)
    exit (1);
  pid = fork ();
  if (pid == 0)
    {
      struct sock_fprog a = { terminal->len, terminal->insns }, b = { policy->len, policy->insns };
      double t;
      prctl (PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      t = now_us ();
      if ((terminal->len > 0 && syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &a) < 0)
          || syscall (SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &b) < 0)
        _exit (1);
      t = now_us () - t;
      _exit (write (fds[1], &t, sizeof t) == sizeof t ? 0 : 1);
    }
  close (fds[1]);
  if (read (fds[0], &us, sizeof us) != sizeof us)
    us = -1;
  close (fds[0]);
  waitpid (pid, NULL, 0);
  return us;
}

int
main (int argc, char **argv)
{
  struct nook_seccomp_params params = { nook_caps_default (), false };
  struct nook_bpf terminal, raw, shortened, merged, none = { 0 };
  struct nook_error err = { 0 };
  int runs = argc > 1 ? atoi (argv[1]) : 300, fd = memfd_create ("raw", MFD_CLOEXEC);
  double *t_raw, *t_short, *t_merged;
  scmp_filter_ctx ctx;
  unsigned flags;
  char *name, *text;
  size_t len;
  off_t size;

  nook_seccomp_builtin ("default", &name, &text, &len);
  if (runs < 1 || fd < 0 || nook_seccomp_terminal_filter (&terminal, &err) < 0
      || nook_seccomp_compile (text, len, name, &params, &shortened, &err) < 0
      || nook_seccomp_policy_read (text, len, name, &params, &ctx, &flags, &err) < 0
      || nook_bpf_merge (&terminal, &shortened, &merged) != 1 || seccomp_export_bpf (ctx, fd) < 0
      || (size = lseek (fd, 0, SEEK_END)) <= 0)
    {
      fprintf (stderr, "seccomp-load: %s\n", err.msg ? err.msg : "cannot compile the default policy");
      return 1;
    }
  raw.insns = xmalloc (size);
  raw.len = size / sizeof (struct sock_filter);
  if (pread (fd, raw.insns, size, 0) != size)
    return 1;
  t_raw = xcalloc (runs, sizeof *t_raw);
  t_short = xcalloc (runs, sizeof *t_short);
  t_merged = xcalloc (runs, sizeof *t_merged);
  for (int i = 0; i < runs; i++)
    {
      t_raw[i] = load_once (&terminal, &raw);
      t_short[i] = load_once (&terminal, &shortened);
      t_merged[i] = load_once (&none, &merged);
      if (t_raw[i] < 0 || t_short[i] < 0 || t_merged[i] < 0)
        return 1;
    }
  qsort (t_raw, runs, sizeof *t_raw, cmp_double);
  qsort (t_short, runs, sizeof *t_short, cmp_double);
  qsort (t_merged, runs, sizeof *t_merged, cmp_double);
  printf ("terminal filter %zu instructions, then the default policy:\n", terminal.len);
  printf ("  libseccomp's program %5zu instructions: median %7.1f us\n", raw.len, t_raw[runs / 2]);
  printf ("  shortened            %5zu instructions: median %7.1f us\n", shortened.len, t_short[runs / 2]);
  printf ("one program, the two merged (what nook loads):\n");
  printf ("  merged               %5zu instructions: median %7.1f us\n", merged.len, t_merged[runs / 2]);
  return 0;
}
