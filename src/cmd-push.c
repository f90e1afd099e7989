/* nook push [--tls-verify=BOOL] [-q] IMAGE REF  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/push.h"
#include "lib/utils.h"
#include "options.h"

/* One plain line per blob, on stderr: stdout is the digest alone.  */
static void
progress (const char *digest, uint64_t bytes, bool cached, void *data)
{
  char human[32];

  nook_cli_human_size (bytes, human, sizeof human);
  fprintf (stderr, "Copying blob %.19s %s%s\n", digest, human, cached ? " (already there)" : "");
}

enum
{
  OPT_TLS_VERIFY = 1,
  OPT_QUIET,
};

static const struct nook_option push_options[] = {
  { "tls-verify", 0, -1, OPT_TLS_VERIFY, "[=false]",
    "false: accept a registry without valid TLS, or over plain HTTP (default true)" },
  { "quiet", 'q', 0, OPT_QUIET, "", "no line per blob on stderr" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
push_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
            struct nook_error *err)
{
  struct nook_push_opts *opts = parser->cmd;

  if (o->id == OPT_QUIET)
    {
      opts->progress = NULL;
      return 0;
    }
  if (val[0] && strcmp (val[0], "true") != 0 && strcmp (val[0], "false") != 0)
    return nook_error_set (err, 0, "--tls-verify takes `true` or `false`, not `%s`", val[0]);
  opts->tls_verify = val[0] == NULL || strcmp (val[0], "true") == 0;
  return 0;
}

static const struct nook_option_group push_group = { "Options", push_options, push_apply, NULL };
static const struct nook_option_group *const push_groups[] = { &push_group, NULL };

const struct nook_command nook_push_command = {
  .name = "push",
  .synopsis = "nook push [--tls-verify=false] [-q|--quiet] IMAGE REGISTRY/NAME[:TAG]",
  .summary = "Pushes an image of the store to a registry; prints the manifest's digest.",
  .groups = push_groups,
  .interspersed = true,
  .opts_size = sizeof (struct nook_push_opts),
};

int
nook_cmd_push (int argc, char **argv, struct nook_error *err)
{
  struct nook_push_opts opts = { .tls_verify = true, .progress = progress };
  struct nook_images s;
  char id[NOOK_DIGEST_LEN + 1], digest[NOOK_DIGEST_LEN + 1];
  int i, r;

  i = nook_command_parse (&nook_push_command, argc, argv, NULL, &opts, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_push_command, argc, i, 2, 2, err) < 0)
    return -1;
  if (nook_images_open (&s, err) < 0)
    {
      nook_images_close (&s);
      return -1;
    }
  r = nook_push (&s, argv[i], argv[i + 1], &opts, id, digest, err);
  nook_images_close (&s);
  if (r < 0)
    return -1;
  if (opts.progress)
    fprintf (stderr, "Pushed image %.19s\n", id);
  printf ("%s\n", digest);
  return fflush (stdout) == 0 ? 0 : NOOK_EXIT_ERROR;
}
