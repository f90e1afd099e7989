/* nook kill [-s SIGNAL] ID|NAME...  */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "lib/pause.h"
#include "lib/sandbox.h"
#include "lib/utils.h"
#include "options.h"

/* The signal goes to the sandbox's PID 1, nook-init: SIGKILL ends the
   sandbox, the signals it forwards reach the command; STOP and CONT reach
   every process, and CONT resumes a paused sandbox (pause.h).  */
static int
kill_one (const char *ref, int sig, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  int r;

  if (nook_cli_find (&store, ref, &sb, err) < 0)
    return -1;
  r = nook_sandbox_signal (&store, &sb, sig, err);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  return r;
}

static const struct nook_option kill_options[] = {
  { "signal", 's', 1, 1, "SIGNAL", "the signal: a name such as TERM, or a number (default KILL)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
kill_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
            struct nook_error *err)
{
  int sig = nook_parse_signal (val[0]);

  if (sig < 0)
    return nook_error_set (err, 0, "`%s` is not a signal (use a name like TERM or a number; see kill -l)",
                           val[0]);
  *(int *)parser->cmd = sig;
  return 0;
}

static const struct nook_option_group kill_group = { "Options", kill_options, kill_apply, NULL };
static const struct nook_option_group *const kill_groups[] = { &kill_group, NULL };

const struct nook_command nook_kill_command = {
  .name = "kill",
  .synopsis = "nook kill [-s SIGNAL] ID|NAME...",
  .summary = "Sends SIGNAL (default KILL) to the sandboxes' init.",
  .groups = kill_groups,
  .interspersed = true,
  .opts_size = sizeof (int),
};

int
nook_cmd_kill (int argc, char **argv, struct nook_error *err)
{
  int i, sig = SIGKILL;

  i = nook_command_parse (&nook_kill_command, argc, argv, NULL, &sig, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_kill_command, argc, i, 1, -1, err) < 0)
    return -1;
  for (; i < argc; i++)
    {
      struct nook_error one = { 0 };
      if (kill_one (argv[i], sig, &one) < 0)
        nook_cli_error_add (err, &one);
    }
  return err->msg ? -1 : 0;
}
