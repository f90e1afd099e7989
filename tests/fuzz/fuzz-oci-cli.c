/* libFuzzer target: nook-oci's command line, as an engine gives it: the
   global options (--root, --log, --log-format, --cgroup-manager...) and
   then one command with its options and operands (create, run, exec,
   kill, update...).  The input is the argument vector after the
   program's name, its elements separated by NUL bytes.

   nook_oci_check_command_line parses exactly as nook_oci_main does, with
   each command's own parse function, and stops there: no log is opened,
   no state root, no bundle or --process or --resources file read, no
   container made or signalled, whatever the input asks.  Every input must
   end in a parsed command line, in --help or in an error message, never
   in a crash, a leak or a hang.  */
#include <config.h>

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"
#include "oci-cli.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A few hundred arguments reach every option, and every command's
   limit on how many it takes.  */
#define MAX_FUZZ_ARGS 512

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  /* A warning about an ignored option is not what is tested.  */
  oci_globals.level = OCI_LOG_ERROR;
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text;
  char *argv[MAX_FUZZ_ARGS + 1];
  int argc = 0;
  struct nook_error err = { 0 };

  if ((text = fuzz_argv (data, size, "nook-oci", argv, MAX_FUZZ_ARGS, &argc)) == NULL)
    return 0;
  if (nook_oci_check_command_line (argc, argv, &err) < 0 && err.msg == NULL)
    abort (); /* a failure must say why */
  /* Parsing leaves the running program's globals as they were.  */
  if (oci_globals.log_fd != -1 || oci_globals.root || oci_globals.log)
    abort ();
  nook_error_release (&err);
  free (text);
  return 0;
}
