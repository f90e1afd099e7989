/* nook pull [--tls-verify=BOOL] [-q] REF  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/pull.h"
#include "lib/utils.h"

#define PULL_USAGE "nook pull [--tls-verify=false] [-q|--quiet] [REGISTRY/]NAME[:TAG|@DIGEST]"

/* One plain line per blob, on stderr: stdout is the id alone.  */
static void
progress (const char *digest, uint64_t bytes, bool cached, void *data)
{
  char human[32];

  nook_cli_human_size (bytes, human, sizeof human);
  fprintf (stderr, "Copying blob %.19s %s%s\n", digest, human, cached ? " (already here)" : "");
}

int
nook_cmd_pull (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_pull_opts opts = { .tls_verify = true, .progress = progress };
  struct nook_images s;
  cleanup_free char *name = NULL;
  const char *ref = NULL;
  char id[NOOK_DIGEST_LEN + 1];
  int r;

  for (int i = 1; i < argc; i++)
    if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
      {
        printf ("Usage: %s\n\nPulls an image from a registry into the store; prints its id.\n"
                "  --tls-verify=false  accept a registry without valid TLS, or over plain HTTP\n"
                "  -q, --quiet         no line per blob on stderr\n",
                PULL_USAGE);
        return 0;
      }
    else if (strcmp (argv[i], "--tls-verify=false") == 0)
      opts.tls_verify = false;
    else if (strcmp (argv[i], "--tls-verify") == 0 || strcmp (argv[i], "--tls-verify=true") == 0)
      opts.tls_verify = true;
    else if (strcmp (argv[i], "-q") == 0 || strcmp (argv[i], "--quiet") == 0)
      opts.progress = NULL;
    else if (argv[i][0] == '-' || ref)
      return nook_cli_bad_option ("pull", PULL_USAGE, argv[i]);
    else
      ref = argv[i];
  if (ref == NULL)
    return nook_cli_usage_error ("pull", PULL_USAGE);
  if (nook_images_open (&s, &err) < 0)
    {
      nook_images_close (&s);
      return nook_error_report (&err);
    }
  r = nook_pull (&s, ref, &opts, id, &name, &err);
  nook_images_close (&s);
  if (r < 0)
    return nook_error_report (&err);
  printf ("%s\n", id + 7);
  return 0;
}
