/* nook rm [-f] ID|NAME...: removes the state (and log) of ended
   sandboxes; -f kills running ones first.  */
#include <config.h>

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/state.h"
#include "lib/utils.h"

#define RM_USAGE "nook rm [-f|--force] ID|NAME..."

static int
rm_one (const char *ref, bool force, struct nook_error *err)
{
  struct nook_store store;
  struct nook_sandbox sb;
  int r = 0;

  if (nook_cli_store (&store, err) < 0)
    return -1;
  /* A forged state is removed, never obeyed: no pid from it is
     signalled, so its supervisor must be gone first.  */
  if (nook_sandbox_find_any (&store, ref, &sb, err) < 0)
    {
      nook_store_close (&store);
      return -1;
    }
  if (sb.forged && sb.supervised)
    {
      nook_error_set (
          err, 0, "the state of sandbox %s is not as nook wrote it, and its supervisor still runs", sb.id);
      r = nook_error_hint (err,
                           "stop the nook process that has `%s/sandboxes/%s` open (fuser names it), then "
                           "`nook rm %s`",
                           store.path, sb.id, sb.id);
      goto out;
    }
  if (sb.supervised && sb.doc == NULL)
    {
      r = nook_error_set (err, 0, "sandbox `%s` is still starting: try again", ref);
      goto out;
    }
  if (sb.supervised)
    {
      int fd = nook_sandbox_pidfd (&sb, NULL);
      if (!force)
        {
          nook_closep (&fd);
          nook_error_set (err, 0, "sandbox `%s` is running", ref);
          r = nook_error_hint (err, "stop it with `nook kill %s`, or use `nook rm -f`", ref);
          goto out;
        }
      if (fd >= 0)
        syscall (SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
      nook_closep (&fd);
      /* Its supervisor records the end (or removes it, with --rm).  */
      nook_sandbox_wait (&store, &sb, NULL);
    }
  if (nook_store_lock (&store, err) < 0)
    {
      r = -1;
      goto out;
    }
  r = nook_sandbox_remove (&store, &sb, err);
  nook_store_unlock (&store);
out:
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  return r;
}

int
nook_cmd_rm (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "force", no_argument, NULL, 'f' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct nook_error err = { 0 };
  bool force = false;
  int c, status = 0;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+fh", longopts, NULL)) != -1)
    switch (c)
      {
      case 'f':
        force = true;
        break;
      case 'h':
        printf ("Usage: %s\n\nRemoves ended sandboxes' state and logs; -f kills running ones first.\n",
                RM_USAGE);
        return 0;
      default:
        return nook_cli_bad_option ("rm", RM_USAGE, argv[optind - 1]);
      }
  if (optind >= argc)
    return nook_cli_usage_error ("rm", RM_USAGE);
  for (int i = optind; i < argc; i++)
    if (rm_one (argv[i], force, &err) < 0)
      status = nook_error_report (&err);
  return status;
}
