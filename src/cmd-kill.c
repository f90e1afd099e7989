/* nook kill [-s SIGNAL] ID|NAME...  */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd.h"
#include "lib/sandbox.h"
#include "lib/utils.h"

#define KILL_USAGE "nook kill [-s SIGNAL] ID|NAME..."

/* KILL, SIGKILL or 9 (the names glibc knows, sigabbrev_np).  */
static int
parse_signal (const char *s)
{
  uint64_t n;

  if (nook_parse_uint (s, SIGRTMAX, &n) == 0)
    return n > 0 ? (int)n : -1;
  if (strncasecmp (s, "SIG", 3) == 0)
    s += 3;
  for (int sig = 1; sig < SIGRTMIN; sig++)
    {
      const char *name = sigabbrev_np (sig);
      if (name && strcasecmp (name, s) == 0)
        return sig;
    }
  return -1;
}

/* The signal goes to the sandbox's PID 1, nook-init: SIGKILL ends the
   sandbox, the signals it forwards reach the command; STOP and CONT reach
   every process.  */
static int
kill_one (const char *ref, int sig, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  int r;

  if (nook_cli_find (&store, ref, &sb, err) < 0)
    return -1;
  r = nook_sandbox_kill (&sb, sig, err);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  return r;
}

int
nook_cmd_kill (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "signal", required_argument, NULL, 's' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct nook_error err = { 0 };
  int c, sig = SIGKILL, status = 0;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+s:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 's':
        sig = parse_signal (optarg);
        if (sig < 0)
          {
            fprintf (stderr,
                     "nook: kill: `%s` is not a signal (use a name like TERM or a number; see kill -l)\n",
                     optarg);
            return NOOK_EXIT_ERROR;
          }
        break;
      case 'h':
        printf ("Usage: %s\n\nSends SIGNAL (default KILL) to the sandboxes' init.\n", KILL_USAGE);
        return 0;
      default:
        return nook_cli_bad_option ("kill", KILL_USAGE, argv[optind - 1]);
      }
  if (optind >= argc)
    return nook_cli_usage_error ("kill", KILL_USAGE);
  for (int i = optind; i < argc; i++)
    if (kill_one (argv[i], sig, &err) < 0)
      status = nook_error_report (&err);
  return status;
}
