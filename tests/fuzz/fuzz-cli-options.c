/* libFuzzer target: nook run's command line (every option group of the
   command's table into struct nook_spec, and the groups' checks).  The
   input is the argument vector, its elements separated by NUL bytes.
   Every input must end in a spec, in --help, or in an error message, never
   in a crash, a leak or a hang.

   Two options read a file the input names: --env-file and --profile (a
   profile's own reader has its fuzz target).  The harness gives them
   HOME/fuzz-absent, a name that exists nowhere, so that the input cannot make
   the parser read a FIFO, a terminal or /dev/zero.  HOME and the XDG
   directories point into an empty directory of the harness's, so that
   --image and --cache find no store of the host's user.  */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/spec.h"
#include "options.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_FUZZ_ARGS 512

static char home[4096];
static char absent[sizeof home + 16];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  const char *tmp = getenv ("TMPDIR");

  /* tests/fuzz/run points TMPDIR at its work directory, removed after.  */
  snprintf (home, sizeof home, "%s/nook-fuzz-home.XXXXXX", tmp && *tmp ? tmp : "/tmp");
  (void)argc;
  (void)argv;
  if (mkdtemp (home) == NULL)
    abort ();
  snprintf (absent, sizeof absent, "%s/fuzz-absent", home);
  setenv ("HOME", home, 1);
  setenv ("XDG_CONFIG_HOME", home, 1);
  setenv ("XDG_DATA_HOME", home, 1);
  setenv ("XDG_CACHE_HOME", home, 1);
  setenv ("XDG_RUNTIME_DIR", home, 1);
  /* --help's usage is not what is tested.  */
  if (freopen ("/dev/null", "w", stdout) == NULL)
    abort ();
  return 0;
}

static bool
reads_file (const char *arg)
{
  return strcmp (arg, "--env-file") == 0 || strcmp (arg, "--profile") == 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = malloc (size + 1);
  char *argv[MAX_FUZZ_ARGS + 2];
  char *rewritten[MAX_FUZZ_ARGS] = { NULL };
  int argc = 0;
  struct nook_spec spec;
  struct nook_error err = { 0 };
  int r;

  if (text == NULL)
    return 0;
  memcpy (text, data, size);
  text[size] = '\0';
  argv[argc++] = (char *)"run";
  for (char *s = text; s < text + size && argc <= MAX_FUZZ_ARGS; s += strlen (s) + 1)
    argv[argc++] = s;
  argv[argc] = NULL;
  for (int i = 1; i < argc; i++)
    {
      char *eq = strchr (argv[i], '=');

      if (strcmp (argv[i], "--") == 0)
        break;
      if (reads_file (argv[i]) && i + 1 < argc)
        argv[++i] = absent;
      else if (eq && strncmp (argv[i], "--", 2) == 0)
        {
          *eq = '\0';
          if (reads_file (argv[i]))
            {
              rewritten[i] = malloc (strlen (argv[i]) + sizeof absent + 1);
              if (rewritten[i] == NULL)
                abort ();
              sprintf (rewritten[i], "%s=%s", argv[i], absent);
              argv[i] = rewritten[i];
            }
          else
            *eq = '=';
        }
    }

  nook_spec_init (&spec);
  r = nook_command_parse (&nook_run_command, argc, argv, &spec, NULL, &err);
  if (r < 0 && err.msg == NULL)
    abort (); /* a failure must say why */
  if (r > argc)
    abort ();
  nook_spec_free (&spec);
  nook_error_release (&err);
  for (int i = 0; i < argc && i < MAX_FUZZ_ARGS; i++)
    free (rewritten[i]);
  free (text);
  return 0;
}
