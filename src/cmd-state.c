/* The lifecycle commands' common steps: the state directory, finding a
   sandbox, operands and notices.  */
#include <config.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "lib/escape.h"
#include "lib/state.h"
#include "lib/utils.h"
#include "options.h"

int
nook_cli_store (struct nook_store *store, struct nook_error *err)
{
  if (nook_store_open (store, err) < 0)
    return -1;
  nook_store_sweep (store);
  return 0;
}

int
nook_cli_find (struct nook_store *store, const char *ref, struct nook_sandbox *sb, struct nook_error *err)
{
  /* Only the sandbox named is swept: a lookup costs the same however many
     sandboxes there are.  */
  if (nook_store_open (store, err) < 0)
    return -1;
  if (nook_sandbox_find_any (store, ref, sb, err) < 0)
    goto fail;
  if (nook_store_sweep_sandbox (store, sb))
    {
      nook_sandbox_release (sb);
      nook_error_set (err, 0, "no sandbox `%s`", ref);
      nook_error_hint (err, "`nook ps -a` lists the sandboxes by id and name");
      goto fail;
    }
  if (sb->forged)
    {
      nook_sandbox_forged_error (sb, err);
      nook_sandbox_release (sb);
      goto fail;
    }
  return 0;
fail:
  nook_store_close (store);
  return -1;
}

int
nook_cli_operands (const struct nook_command *cmd, int argc, int first, int min, int max,
                   struct nook_error *err)
{
  int n = argc - first;

  if (n >= min && (max < 0 || n <= max))
    return 0;
  nook_error_set (err, 0, "%s: %s (usage: %s)", cmd->name,
                  n < min ? "too few arguments" : "too many arguments", cmd->synopsis);
  return -1;
}

void
nook_cli_error_add (struct nook_error *all, struct nook_error *one)
{
  nook_error_add_line (all, one);
}

void
nook_cli_note (const char *fmt, ...)
{
  va_list ap;
  cleanup_free char *text = NULL, *shown = NULL;
  size_t len;
  bool nl;

  va_start (ap, fmt);
  if (vasprintf (&text, fmt, ap) < 0)
    text = NULL;
  va_end (ap);
  if (text == NULL)
    return;
  /* A note may quote what a sandbox chose: escaped, but for its own
     line end.  */
  len = strlen (text);
  nl = len > 0 && text[len - 1] == '\n';
  if (nl)
    text[len - 1] = '\0';
  shown = nook_escape_text (text);
  fflush (stdout);
  fprintf (stderr, "nook: %s%s", shown, nl ? "\n" : "");
  fflush (stderr);
}
