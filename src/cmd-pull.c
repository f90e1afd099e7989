/* nook pull [--tls-verify=BOOL] [-q] REF  */
#include <config.h>

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/pull.h"
#include "lib/utils.h"
#include "options.h"

/* Whether stderr is a terminal, where a blob's line is redrawn as it
   arrives; elsewhere (a pipe, a log) one plain line per blob.  */
static bool on_terminal;
static struct timespec last_drawn;
static const char *last_blob;

/* One line per blob, on stderr: stdout is the id alone.  */
static void
progress (const char *digest, uint64_t bytes, bool cached, void *data)
{
  char human[32];

  nook_cli_human_size (bytes, human, sizeof human);
  fflush (stdout);
  fprintf (stderr, "%sCopying blob %.19s %s%s\n", on_terminal ? "\r\033[K" : "", digest, human,
           cached ? " (already here)" : "");
}

/* The line of the blob that is arriving, at most ten times a second.  */
static void
transfer (const char *digest, uint64_t now, uint64_t total, void *data)
{
  struct timespec t;
  char have[32], whole[32];

  if (now == 0 && total == 0)
    return;
  clock_gettime (CLOCK_MONOTONIC, &t);
  if (digest == last_blob
      && (t.tv_sec - last_drawn.tv_sec) * 1000 + (t.tv_nsec - last_drawn.tv_nsec) / 1000000 < 100)
    return;
  last_drawn = t;
  last_blob = digest;
  nook_cli_human_size (now, have, sizeof have);
  if (total == 0)
    {
      fprintf (stderr, "\r\033[KCopying blob %.19s %s", digest, have);
      return;
    }
  nook_cli_human_size (total, whole, sizeof whole);
  fprintf (stderr, "\r\033[KCopying blob %.19s %s / %s %3d%%", digest, have, whole, (int)(now * 100 / total));
}

void
nook_cli_pull_shown (struct nook_pull_opts *opts)
{
  on_terminal = isatty (STDERR_FILENO);
  opts->progress = progress;
  opts->transfer = on_terminal ? transfer : NULL;
}

enum
{
  OPT_TLS_VERIFY = 1,
  OPT_QUIET,
};

static const struct nook_option pull_options[] = {
  { "tls-verify", 0, -1, OPT_TLS_VERIFY, "[=false]",
    "false: accept a registry without valid TLS, or over plain HTTP (default true)" },
  { "quiet", 'q', 0, OPT_QUIET, "", "no line per blob on stderr" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
pull_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
            struct nook_error *err)
{
  struct nook_pull_opts *opts = parser->cmd;

  if (o->id == OPT_QUIET)
    {
      opts->progress = NULL;
      opts->transfer = NULL;
      return 0;
    }
  if (val[0] && strcmp (val[0], "true") != 0 && strcmp (val[0], "false") != 0)
    return nook_error_set (err, 0, "--tls-verify takes `true` or `false`, not `%s`", val[0]);
  opts->tls_verify = val[0] == NULL || strcmp (val[0], "true") == 0;
  return 0;
}

static const struct nook_option_group pull_group = { "Options", pull_options, pull_apply, NULL };
static const struct nook_option_group *const pull_groups[] = { &pull_group, NULL };

const struct nook_command nook_pull_command = {
  .name = "pull",
  .synopsis = "nook pull [--tls-verify=false] [-q|--quiet] [REGISTRY/]NAME[:TAG|@DIGEST]",
  .summary = "Pulls an image from a registry into the store; prints its id.",
  .groups = pull_groups,
  .interspersed = true,
  .opts_size = sizeof (struct nook_pull_opts),
};

int
nook_cmd_pull (int argc, char **argv, struct nook_error *err)
{
  struct nook_pull_opts opts = { .tls_verify = true };
  struct nook_images s;
  cleanup_free char *name = NULL;
  char id[NOOK_DIGEST_LEN + 1];
  int i, r;

  nook_cli_pull_shown (&opts);
  i = nook_command_parse (&nook_pull_command, argc, argv, NULL, &opts, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_pull_command, argc, i, 1, 1, err) < 0)
    return -1;
  if (nook_images_open (&s, err) < 0)
    {
      nook_images_close (&s);
      return -1;
    }
  r = nook_pull (&s, argv[i], &opts, id, &name, err);
  nook_images_close (&s);
  if (r < 0)
    return -1;
  printf ("%s\n", id + 7);
  return 0;
}
