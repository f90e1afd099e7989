/* nook: nook try, a run over ephemeral overlays of real directories.  */
#ifndef NOOK_TRY_H
#define NOOK_TRY_H

#include "error.h"
#include "spec.h"

struct nook_try
{
  char *dir;     /* the private directory of the uppers; NULL with --keep */
  char **paths;  /* absolute paths of the directories tried */
  char **uppers; /* per path: the upper that holds its changes */
};

/**
 * nook_try_prepare - put each tried directory under an overlay
 * @spec: the run; its fs.try_paths (default: the working directory) each
 *        get an overlay op with the directory as the only lower layer,
 *        and the default root's bind of the working directory becomes
 *        read-only
 * @t: filled with the paths and their uppers
 * @err: filled on failure
 *
 * The uppers go in a new directory try-PID.XXXXXX under the runtime
 * directory (or under --keep DIR); such directories left by a nook that
 * was killed are removed first.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_try_prepare (struct nook_spec *spec, struct nook_try *t, struct nook_error *err);

/* Removes the uppers (unless kept) and frees T.  */
void nook_try_release (struct nook_try *t);

#endif
