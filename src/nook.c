/* nook: a rootless sandbox.  Dispatches to one subcommand each.  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/utils.h"

struct command
{
  const char *name;
  int (*fn) (int argc, char **argv);
  const char *summary;
};

static const struct command commands[] = {
  { "run", nook_cmd_run, "run a command in a new sandbox" },
  { "try", nook_cmd_try, "run a command over an overlay of this directory, then apply or drop its changes" },
  { "diff", nook_cmd_diff, "list what a run changed in an upper layer" },
  { "stats", nook_cmd_stats, "show the live resource usage of sandboxes with limits" },
  { "check", nook_cmd_check, "check whether this host is ready for rootless sandboxes" },
  { "ps", nook_cmd_ps, "list sandboxes" },
  { "exec", nook_cmd_exec, "run a command in a running sandbox" },
  { "logs", nook_cmd_logs, "print a detached sandbox's output" },
  { "top", nook_cmd_top, "list a sandbox's processes" },
  { "inspect", nook_cmd_inspect, "describe a sandbox as JSON" },
  { "kill", nook_cmd_kill, "send a signal to a sandbox" },
  { "pause", nook_cmd_pause, "stop every process of a sandbox" },
  { "unpause", nook_cmd_unpause, "resume a paused sandbox" },
  { "wait", nook_cmd_wait, "wait for a sandbox to end; print its exit status" },
  { "rm", nook_cmd_rm, "remove ended sandboxes" },
  { "port", nook_cmd_port, "list a sandbox's published ports" },
  { "network", nook_cmd_network, "create, list and remove networks that sandboxes share" },
  { "pull", nook_cmd_pull, "pull an image from a registry" },
  { "images", nook_cmd_images, "list the images of the store" },
  { "import", nook_cmd_import, "store a root filesystem tarball as an image" },
  { "load", nook_cmd_load, "store the images of a docker save archive or an OCI layout" },
  { "rmi", nook_cmd_rmi, "remove images" },
  { "image", nook_cmd_image, "manage images: ls, rm, prune, inspect, import, load" },
  { "system", nook_cmd_system, "show the image store's disk use (system df)" },
  { NULL, NULL, NULL },
};

static void
usage (FILE *out)
{
  fprintf (out, "Usage: nook [--version] [--help] COMMAND [OPTIONS]\n\nCommands:\n");
  for (size_t i = 0; commands[i].name; i++)
    fprintf (out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf (out, "\nSee `nook COMMAND --help` and man nook-COMMAND.\n");
}

int
main (int argc, char **argv)
{
  nook_log_init ();
  if (argc < 2)
    {
      usage (stderr);
      return NOOK_EXIT_ERROR;
    }
  if (strcmp (argv[1], "--version") == 0 || strcmp (argv[1], "version") == 0)
    {
      printf ("nook %s\n", PACKAGE_VERSION);
      return 0;
    }
  if (strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0 || strcmp (argv[1], "help") == 0)
    {
      usage (stdout);
      return 0;
    }
  for (size_t i = 0; commands[i].name; i++)
    if (strcmp (argv[1], commands[i].name) == 0)
      return commands[i].fn (argc - 1, argv + 1);
  fprintf (stderr, "nook: unknown command `%s` (see `nook --help`)\n", argv[1]);
  return NOOK_EXIT_ERROR;
}
