/* nook wait ID|NAME: waits for the sandbox to end; prints and returns its
   exit status.  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/state.h"
#include "lib/utils.h"
#include "options.h"

const struct nook_command nook_wait_command = {
  .name = "wait",
  .synopsis = "nook wait ID|NAME",
  .summary = "Waits until the sandbox ends; prints and returns its exit status.",
  .interspersed = true,
};

int
nook_cmd_wait (int argc, char **argv, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  int64_t code;
  int i, r;

  i = nook_command_parse (&nook_wait_command, argc, argv, NULL, NULL, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_wait_command, argc, i, 1, 1, err) < 0)
    return -1;
  if (nook_cli_find (&store, argv[i], &sb, err) < 0)
    return -1;
  r = nook_sandbox_wait (&store, &sb, err);
  code = nook_sandbox_int (&sb, "exit_code", -1);
  if (r == 0 && code < 0)
    r = nook_error_set (err, 0, "sandbox `%s` ended without an exit status: its supervisor was killed",
                        argv[i]);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  if (r < 0)
    return -1;
  printf ("%lld\n", (long long)code);
  return (int)code;
}
