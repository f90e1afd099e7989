/* nook logs [-f] ID|NAME: a detached sandbox's stdout and stderr.  */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <sys/file.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/logfile.h"
#include "lib/state.h"
#include "lib/utils.h"

#define LOGS_USAGE "nook logs [-f|--follow] ID|NAME"

/* The supervisor writes the log while it holds the lock on the
   sandbox's directory.  */
static bool
writer_done (int dirfd)
{
  if (flock (dirfd, LOCK_SH | LOCK_NB) == 0)
    {
      flock (dirfd, LOCK_UN);
      return true;
    }
  return false;
}

int
nook_cmd_logs (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "follow", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct nook_error err = { 0 };
  struct nook_store store;
  struct nook_sandbox sb;
  bool follow = false;
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+fh", longopts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        follow = true;
        break;
      case 'h':
        printf ("Usage: %s\n\nPrints what a detached sandbox wrote; -f goes on until it ends.\n", LOGS_USAGE);
        return 0;
      default:
        return nook_cli_bad_option ("logs", LOGS_USAGE, argv[optind - 1]);
      }
  if (optind != argc - 1)
    return nook_cli_usage_error ("logs", LOGS_USAGE);
  if (nook_cli_find (&store, argv[optind], &sb, &err) < 0)
    return nook_error_report (&err);
  nook_store_close (&store);
  fflush (stdout);
  r = nook_logfile_print (sb.dirfd, STDOUT_FILENO, follow, writer_done, &err);
  nook_sandbox_release (&sb);
  return r < 0 ? nook_error_report (&err) : 0;
}
