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
 * @spec: the run: each tried directory gets an overlay op with the
 *        directory as the only lower layer, and the default root's bind
 *        of the working directory becomes read-only
 * @paths: the directories to try (--path), NULL-terminated; NULL: the
 *         working directory
 * @keep: --keep DIR: the uppers go there and stay; NULL: ephemeral
 * @t: filled with the paths and their uppers
 * @err: filled on failure
 *
 * The uppers go in a new directory try-PID.XXXXXX under the runtime
 * directory (or under --keep DIR); such directories left by a nook that
 * was killed are removed first.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_try_prepare (struct nook_spec *spec, char *const *paths, const char *keep, struct nook_try *t,
                      struct nook_error *err);

/**
 * nook_try_release - remove the uppers (unless kept) and free
 * @t: filled by nook_try_prepare, or zeroed; zeroed
 */
void nook_try_release (struct nook_try *t);

#endif
