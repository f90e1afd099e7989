/* libFuzzer target: the command line of every subcommand of nook (each
   one's option groups into struct nook_spec or the subcommand's own
   options, and the groups' checks), as the subcommand's own file parses
   it.  The input is the argument vector, its elements separated by NUL
   bytes; the first names the subcommand ("run", "ps", "network create",
   "profile show"...): one of nook_subcommands or of their own
   subcommands.  A subcommand whose groups fill a spec gets one; its own
   options get a zeroed block of exactly their size (struct
   nook_command's opts_size), released by its opts_free, so that a group
   writing past its options or forgetting what it allocated is found.
   Every input must end in a spec, in --help, or in an error message,
   never in a crash, a leak or a hang.

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

#include "fuzz-common.h"
#include "cmd.h"
#include "lib/spec.h"
#include "options.h"
#include "opts-profile.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define MAX_FUZZ_ARGS 512

static char home[4096];
static char absent[sizeof home + 16];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  fuzz_workdir ("home", home, sizeof home);
  snprintf (absent, sizeof absent, "%s/fuzz-absent", home);
  /* --help's usage is not what is tested.  */
  if (freopen ("/dev/null", "w", stdout) == NULL)
    abort ();
  return 0;
}

/* The subcommands' own subcommands, which nook_subcommands does not list.  */
static const struct nook_command *const nested[] = {
  &nook_network_create_command, &nook_network_ls_command,
  &nook_network_rm_command,     &nook_profile_ls_command,
  &nook_profile_show_command,   &nook_image_prune_command,
  &nook_image_inspect_command,  NULL,
};

static const struct nook_command *
find_command (const char *name)
{
  for (size_t i = 0; nook_subcommands[i].def; i++)
    if (strcmp (nook_subcommands[i].def->name, name) == 0)
      return nook_subcommands[i].def;
  for (size_t i = 0; nested[i]; i++)
    if (strcmp (nested[i]->name, name) == 0)
      return nested[i];
  return NULL;
}

/* Whether CMD's groups fill a spec: it has one of the shared groups.  */
static bool
takes_spec (const struct nook_command *cmd)
{
  static const struct nook_option_group *const shared[] = { &nook_core_options,     &nook_profile_options,
                                                            &nook_image_options,    &nook_mount_options,
                                                            &nook_security_options, &nook_life_options,
                                                            &nook_limit_options,    &nook_net_options,
                                                            &nook_desktop_options,  NULL };

  for (size_t g = 0; cmd->groups && cmd->groups[g]; g++)
    for (size_t i = 0; shared[i]; i++)
      if (cmd->groups[g] == shared[i])
        return true;
  return false;
}

static bool
reads_file (const char *arg)
{
  return strcmp (arg, "--env-file") == 0 || strcmp (arg, "--profile") == 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text;
  char *argv[MAX_FUZZ_ARGS + 1];
  char *rewritten[MAX_FUZZ_ARGS] = { NULL };
  int argc = 0;
  const struct nook_command *cmd;
  struct nook_spec spec;
  struct nook_error err = { 0 };
  void *opts = NULL;
  bool with_spec;
  int r;

  /* argv[0] is the subcommand's name, as main passes it.  */
  if ((text = fuzz_argv (data, size, NULL, argv, MAX_FUZZ_ARGS, &argc)) == NULL)
    return 0;
  if (argc == 0 || (cmd = find_command (argv[0])) == NULL)
    {
      free (text);
      return 0;
    }
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

  with_spec = takes_spec (cmd);
  nook_spec_init (&spec);
  if (cmd->opts_size > 0 && (opts = calloc (1, cmd->opts_size)) == NULL)
    abort ();
  r = nook_command_parse (cmd, argc, argv, with_spec ? &spec : NULL, opts, &err);
  if (r < 0 && err.msg == NULL)
    abort (); /* a failure must say why */
  if (r > argc)
    abort ();
  if (opts && cmd->opts_free)
    cmd->opts_free (opts);
  free (opts);
  nook_spec_free (&spec);
  nook_error_release (&err);
  for (int i = 0; i < argc && i < MAX_FUZZ_ARGS; i++)
    free (rewritten[i]);
  free (text);
  return 0;
}
