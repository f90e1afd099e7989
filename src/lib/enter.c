/* Entering a running sandbox: the steps of enter.h that are not someone
   else's (setns is exec.c's and join.c's, the filter security.c's).  */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "enter.h"
#include "utils.h"

/* GCC says so with __SANITIZE_ADDRESS__, clang before 16 only through
   __has_feature.  */
#if defined __SANITIZE_ADDRESS__
#define NOOK_ASAN 1
#elif defined __has_feature
#if __has_feature(address_sanitizer)
#define NOOK_ASAN 1
#endif
#endif
#ifdef NOOK_ASAN
#include <sanitizer/lsan_interface.h>
#endif

int
nook_enter_begin (struct nook_error *err)
{
#ifdef NOOK_ASAN
  /* A sanitized build (configure --enable-sanitizers): LeakSanitizer's
     check at exit ptraces this process from a helper task, which a
     non-dumpable process refuses; the helper dies and the check never
     returns.  It runs here instead, at the last moment it can, and not
     at exit.  */
  __lsan_do_leak_check ();
#endif
  if (prctl (PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
    return nook_error_errno (err, "make nook non-dumpable before entering the sandbox");
  /* Checked: everything after relies on it.  */
  if (prctl (PR_GET_DUMPABLE, 0, 0, 0, 0) != 0)
    return nook_error_set (err, EPERM, "nook is still dumpable: not entering the sandbox");
  return 0;
}

static int
compare_fds (const void *a, const void *b)
{
  return *(const int *)a - *(const int *)b;
}

int
nook_enter_close_fds (const int *keep, size_t n, struct nook_error *err)
{
  int sorted[n + 1];
  size_t m = 0;
  unsigned from = 3;

  for (size_t i = 0; i < n; i++)
    if (keep[i] >= 3)
      sorted[m++] = keep[i];
  qsort (sorted, m, sizeof *sorted, compare_fds);
  /* The gaps between the kept fds, then everything above the last.  */
  for (size_t i = 0; i < m; i++)
    {
      if ((unsigned)sorted[i] > from && close_range (from, sorted[i] - 1, 0) < 0)
        return nook_error_errno (err, "close nook's file descriptors");
      if ((unsigned)sorted[i] + 1 > from)
        from = sorted[i] + 1;
    }
  if (close_range (from, ~0U, 0) < 0)
    return nook_error_errno (err, "close nook's file descriptors");
  return 0;
}
