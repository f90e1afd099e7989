/* nook exec [-e K=V] [--cwd DIR] [-t|--tty] ID|NAME [--] CMD [ARG...]  */
#include <config.h>

#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/exec.h"
#include "lib/state.h"
#include "lib/utils.h"

#define EXEC_USAGE "nook exec [-e K=V] [--cwd DIR] [-t|--tty] ID|NAME [--] CMD [ARG...]"

int
nook_cmd_exec (int argc, char **argv)
{
  static const struct option longopts[] = {
    { "env", required_argument, NULL, 'e' },
    { "cwd", required_argument, NULL, 'w' },
    { "tty", no_argument, NULL, 't' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  struct nook_exec_opts opts = { 0 };
  struct nook_error err = { 0 };
  struct nook_store store;
  struct nook_sandbox sb;
  struct nook_spec spec;
  cleanup_strv char **env = NULL;
  const char *ref;
  int c, r;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+e:w:th", longopts, NULL)) != -1)
    switch (c)
      {
      case 'e':
        if (optarg[0] == '\0' || optarg[0] == '=')
          {
            fprintf (stderr, "nook: exec: -e `%s` is not K=V or K\n", optarg);
            return NOOK_EXIT_ERROR;
          }
        strv_append (&env, optarg);
        break;
      case 'w':
        if (optarg[0] != '/')
          {
            fprintf (stderr, "nook: exec: --cwd needs an absolute path, not `%s`\n", optarg);
            return NOOK_EXIT_ERROR;
          }
        opts.cwd = optarg;
        break;
      case 't':
        opts.tty = true;
        break;
      case 'h':
        printf ("Usage: %s\n\nRuns CMD in the running sandbox ID|NAME and returns its exit status.\n",
                EXEC_USAGE);
        return 0;
      default:
        return nook_cli_bad_option ("exec", EXEC_USAGE, argv[optind - 1]);
      }
  if (optind >= argc)
    return nook_cli_usage_error ("exec", EXEC_USAGE);
  ref = argv[optind++];
  if (optind < argc && strcmp (argv[optind], "--") == 0)
    optind++;
  if (optind >= argc)
    return nook_cli_usage_error ("exec", EXEC_USAGE);
  opts.argv = argv + optind;
  opts.setenv = env;

  if (nook_cli_find (&store, ref, &sb, &err) < 0)
    return nook_error_report (&err);
  nook_spec_init (&spec);
  /* What the sandbox's command got, as `nook run` recorded it: its ids,
     capabilities and the very seccomp programs, not a policy compiled
     again from a file that may have changed since.  */
  r = nook_sandbox_spec (&sb, &spec, &err);
  nook_store_close (&store);
  if (r == 0)
    r = nook_exec (&sb, &spec, &opts, &err);
  nook_spec_free (&spec);
  nook_sandbox_release (&sb);
  return r < 0 ? nook_error_report (&err) : r;
}
