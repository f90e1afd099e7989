/* nook diff [--json] [--layer DIR]... UPPER  */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/diff.h"
#include "lib/utils.h"

#define DIFF_USAGE                                                                                           \
  "Usage: nook diff [--json] [--layer DIR]... UPPER\n\n"                                                     \
  "Lists what a run changed in the upper layer UPPER (nook run --upper UPPER), one line each:\n"             \
  "  A PATH  added    C PATH  changed    D PATH  deleted\n"                                                  \
  "with (OLD -> NEW) after a change of permissions, and the mode of setuid, setgid and device\n"             \
  "entries; names are escaped (\\x1b, \\n, \\\\) as ls -b does.\n\n"                                         \
  "Options:\n"                                                                                               \
  "  --json           print a JSON array of {\"kind\", \"path\", \"mode\"}, paths exact\n"                   \
  "  --layer DIR      a lower layer to compare with (repeat, first the lowest; default: the layers\n"        \
  "                   nook run used with UPPER)\n"

static int
print_changes (const struct nook_changes *c, bool json)
{
  if (json)
    {
      cleanup_free char *text = nook_changes_to_json (c);
      printf ("%s\n", text);
    }
  else
    for (size_t i = 0; i < c->n; i++)
      {
        cleanup_free char *line = nook_change_line (&c->v[i], NULL);
        printf ("%s\n", line);
      }
  return fflush (stdout) == 0 ? 0 : NOOK_EXIT_ERROR;
}

int
nook_cmd_diff (int argc, char **argv)
{
  struct nook_error err = { 0 };
  struct nook_changes changes;
  cleanup_strv char **lowers = NULL;
  const char *upper = NULL;
  bool json = false;
  int r;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--help") == 0 || strcmp (argv[i], "-h") == 0)
        {
          fputs (DIFF_USAGE, stdout);
          return 0;
        }
      if (strcmp (argv[i], "--json") == 0)
        json = true;
      else if (strcmp (argv[i], "--layer") == 0 && i + 1 < argc)
        strv_append (&lowers, argv[++i]);
      else if (strncmp (argv[i], "--layer=", 8) == 0)
        strv_append (&lowers, argv[i] + 8);
      else if (argv[i][0] == '-')
        {
          nook_error_set (&err, 0, "diff: unknown option `%s` (see `nook diff --help`)", argv[i]);
          return nook_error_report (&err);
        }
      else if (upper == NULL)
        upper = argv[i];
      else
        {
          nook_error_set (&err, 0, "diff: one UPPER only, `%s` is one too many", argv[i]);
          return nook_error_report (&err);
        }
    }
  if (upper == NULL)
    {
      nook_error_set (&err, 0, "diff: no UPPER given (usage: nook diff [--json] UPPER)");
      return nook_error_report (&err);
    }
  if (lowers == NULL && nook_diff_read_layers (upper, &lowers, &err) < 0)
    return nook_error_report (&err);
  if (nook_diff (upper, lowers, &changes, &err) < 0)
    return nook_error_report (&err);
  r = print_changes (&changes, json);
  nook_changes_free (&changes);
  return r;
}
