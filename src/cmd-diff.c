/* nook diff [--json] [--layer DIR]... UPPER|SANDBOX  */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/diff.h"
#include "lib/image-commit.h"
#include "lib/state.h"
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

static void
diff_opts_free (void *opts)
{
  strv_free (((struct diff_opts *)opts)->lowers);
}

static const struct nook_option_group diff_group = { "Options", diff_options, diff_apply, NULL };
static const struct nook_option_group *const diff_groups[] = { &diff_group, NULL };

const struct nook_command nook_diff_command = {
  .name = "diff",
  .synopsis = "nook diff [--json] [--layer DIR]... UPPER\nnook diff [--json] SANDBOX",
  .summary = "Lists what a run changed in the upper layer UPPER (nook run --upper UPPER), or in a sandbox's.",
  .groups = diff_groups,
  .interspersed = true,
  .epilog = "One line each: A PATH added, C PATH changed, D PATH deleted, with (OLD -> NEW) after a change\n"
            "of permissions and the mode of setuid, setgid and device entries; names are escaped (\\x1b,\n"
            "\\n, \\\\) as ls -b does.",
  .opts_size = sizeof (struct diff_opts),
  .opts_free = diff_opts_free,
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

/* SANDBOX, running or kept, read from its state: its upper and layers.
   An operand that is a directory here is an upper, as always; one that is
   also a sandbox's name is refused, naming both.  */
static int
sandbox_diff (const char *ref, struct diff_opts *d, struct nook_changes *changes, bool *done,
              struct nook_error *err)
{
  struct nook_sandbox_layers l;
  struct nook_error ignored = { 0 };
  bool dir = strchr (ref, '/') || access (ref, F_OK) == 0;
  int r;

  *done = false;
  if (dir && strchr (ref, '/'))
    return 0;
  r = nook_sandbox_layers (ref, &l, dir ? &ignored : err);
  nook_error_release (&ignored);
  if (r < 0 && !dir && err->msg && strncmp (err->msg, "no sandbox", 10) == 0)
    {
      nook_error_release (err);
      nook_error_set (err, ENOENT, "diff: `%s`: no upper directory (%s) and no sandbox of that name", ref,
                      strerror (ENOENT));
      return nook_error_hint (err, "`nook ps -a` lists the sandboxes");
    }
  if (r < 0)
    return dir ? 0 : -1;
  if (dir)
    {
      nook_sandbox_layers_release (&l);
      nook_error_set (err, 0, "diff: `%s` is both a directory here and a sandbox", ref);
      return nook_error_hint (
          err, "`nook diff ./%s` for the directory, the sandbox's id (nook ps -a) for the sandbox", ref);
    }
  *done = true;
  r = nook_diff (l.upper, d->lowers ? d->lowers : l.lowers, changes, err);
  nook_sandbox_layers_release (&l);
  return r;
}

int
nook_cmd_diff (int argc, char **argv, struct nook_error *err)
{
  struct diff_opts d = { 0 };
  struct nook_changes changes;
  bool done;
  int i, r = -1;

  i = nook_command_parse (&nook_diff_command, argc, argv, NULL, &d, err);
  if (i <= 0)
    {
      diff_opts_free (&d);
      return i;
    }
  if (nook_cli_operands (&nook_diff_command, argc, i, 1, 1, err) < 0)
    goto out;
  if (sandbox_diff (argv[i], &d, &changes, &done, err) < 0)
    goto out;
  if (!done && d.lowers == NULL && nook_diff_read_layers (argv[i], &d.lowers, err) < 0)
    goto out;
  if (!done && nook_diff (argv[i], d.lowers, &changes, err) < 0)
    goto out;
  r = print_changes (&changes, d.json);
  nook_changes_free (&changes);
out:
  diff_opts_free (&d);
  return r;
}
