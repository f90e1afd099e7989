/* libFuzzer target: nook-bwrap's command line (bubblewrap 0.11's options
   into struct nook_spec).  The input is the argument vector, its elements
   separated by NUL bytes.  Every input must end in a spec or in an error
   message, never in a crash, a leak or a hang.

   --args FD is the one option the parser reads an fd for (it reads it to
   the end and closes it): the harness gives every --args a memfd of its
   own holding the input again, so the parser never reads or closes a
   descriptor of libFuzzer's and the arguments-file path is fuzzed too.
   The other FD options only store the number (and --bind-fd reads the
   link /proc/self/fd/N, which is harmless), so they are left as the
   input has them.  */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "bwrap-args.h"
#include "lib/spec.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Beyond bubblewrap's 9000 arguments the parser refuses at once; a few
   hundred reach every option.  */
#define MAX_FUZZ_ARGS 512

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text;
  char *argv[MAX_FUZZ_ARGS + 1];
  char fdnames[MAX_FUZZ_ARGS][16];
  int fds[MAX_FUZZ_ARGS];
  ino_t inos[MAX_FUZZ_ARGS];
  int argc = 0, n_fds = 0;
  struct nook_spec spec;
  struct nook_bwrap bw;
  struct nook_error err = { 0 };

  if ((text = fuzz_argv (data, size, "bwrap", argv, MAX_FUZZ_ARGS, &argc)) == NULL)
    return 0;

  for (int i = 1; i + 1 < argc; i++)
    if (strcmp (argv[i], "--args") == 0)
      {
        int fd = memfd_create ("fuzz-args", MFD_CLOEXEC);

        if (fd < 0)
          abort ();
        if (size && write (fd, data, size) != (ssize_t)size)
          abort ();
        lseek (fd, 0, SEEK_SET);
        struct stat st;

        if (fstat (fd, &st) < 0)
          abort ();
        inos[n_fds] = st.st_ino;
        fds[n_fds] = fd;
        snprintf (fdnames[n_fds], sizeof fdnames[n_fds], "%d", fd);
        argv[++i] = fdnames[n_fds++];
      }

  nook_spec_init (&spec);
  if (nook_bwrap_parse (argc, argv, &spec, &bw, &err) < 0)
    {
      if (err.msg == NULL)
        abort (); /* a failure must say why */
    }
  nook_bwrap_release (&bw);
  nook_spec_free (&spec);
  nook_error_release (&err);

  /* The parser closes the --args it read; the rest (an earlier option
     failed, or the argument was taken by another option) are the
     harness's to close: those still open on the same memfd.  */
  for (int i = 0; i < n_fds; i++)
    {
      struct stat st;

      if (fstat (fds[i], &st) == 0 && st.st_ino == inos[i])
        close (fds[i]);
    }
  free (text);
  return 0;
}
