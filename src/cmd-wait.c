/* nook wait ID|NAME: waits for the sandbox to end; prints and returns its
   exit status.  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/state.h"
#include "lib/utils.h"

#define WAIT_USAGE "nook wait ID|NAME"

int
nook_cmd_wait (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_store store;
  struct nook_sandbox sb;
  int64_t code;
  int r;

  if (argc == 2 && (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0))
    {
      printf ("Usage: %s\n\nWaits until the sandbox ends; prints and returns its exit status.\n", WAIT_USAGE);
      return 0;
    }
  if (argc != 2)
    return nook_cli_usage_error ("wait", WAIT_USAGE);
  if (nook_cli_find (&store, argv[1], &sb, &err) < 0)
    return nook_error_report (&err);
  r = nook_sandbox_wait (&store, &sb, &err);
  code = nook_sandbox_int (&sb, "exit_code", -1);
  if (r == 0 && code < 0)
    r = nook_error_set (&err, 0, "sandbox `%s` ended without an exit status: its supervisor was killed",
                        argv[1]);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  if (r < 0)
    return nook_error_report (&err);
  printf ("%lld\n", (long long)code);
  return (int)code;
}
