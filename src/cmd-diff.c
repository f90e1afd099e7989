/* nook diff [--json] [--layer DIR]... UPPER  */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/diff.h"
#include "lib/utils.h"
#include "options.h"

struct diff_opts
{
  char **lowers;
  bool json;
};

enum
{
  OPT_JSON = 1,
  OPT_LAYER,
};

static const struct nook_option diff_options[] = {
  { "json", 0, 0, OPT_JSON, "", "print a JSON array of {\"kind\", \"path\", \"mode\"}, paths exact" },
  { "layer", 0, 1, OPT_LAYER, "DIR",
    "a lower layer to compare with (repeat, the lowest first; default: those nook run used)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
diff_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
            struct nook_error *err)
{
  struct diff_opts *d = parser->cmd;

  if (o->id == OPT_JSON)
    d->json = true;
  else
    strv_append (&d->lowers, val[0]);
  return 0;
}

static const struct nook_option_group diff_group = { "Options", diff_options, diff_apply, NULL };
static const struct nook_option_group *const diff_groups[] = { &diff_group, NULL };

const struct nook_command nook_diff_command = {
  .name = "diff",
  .synopsis = "nook diff [--json] [--layer DIR]... UPPER",
  .summary = "Lists what a run changed in the upper layer UPPER (nook run --upper UPPER).",
  .groups = diff_groups,
  .interspersed = true,
  .epilog = "One line each: A PATH added, C PATH changed, D PATH deleted, with (OLD -> NEW) after a change\n"
            "of permissions and the mode of setuid, setgid and device entries; names are escaped (\\x1b,\n"
            "\\n, \\\\) as ls -b does.",
};

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
nook_cmd_diff (int argc, char **argv, struct nook_error *err)
{
  struct diff_opts d = { 0 };
  struct nook_changes changes;
  int i, r = -1;

  i = nook_command_parse (&nook_diff_command, argc, argv, NULL, &d, err);
  if (i <= 0)
    {
      strv_free (d.lowers);
      return i;
    }
  if (nook_cli_operands (&nook_diff_command, argc, i, 1, 1, err) < 0)
    goto out;
  if (d.lowers == NULL && nook_diff_read_layers (argv[i], &d.lowers, err) < 0)
    goto out;
  if (nook_diff (argv[i], d.lowers, &changes, err) < 0)
    goto out;
  r = print_changes (&changes, d.json);
  nook_changes_free (&changes);
out:
  strv_free (d.lowers);
  return r;
}
