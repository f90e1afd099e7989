/* nook: the default root's rule for the caller's working directory.  */
#ifndef NOOK_CWD_H
#define NOOK_CWD_H

#include <stdbool.h>

#include "error.h"
#include "spec.h"

/* Why the default root binds the caller's working directory, or not.  */
enum nook_cwd_why
{
  NOOK_CWD_UNDER_HOME,  /* bound: strictly inside the home */
  NOOK_CWD_UNDER_OWNED, /* bound: strictly inside another directory the caller owns */
  NOOK_CWD_FORCED,      /* bound: --bind-cwd */
  NOOK_CWD_REFUSED,     /* not bound: --no-bind-cwd */
  NOOK_CWD_IS_HOME,     /* not bound: the home itself */
  NOOK_CWD_HOST_VIEW,   /* never bound: /, or inside /proc, /dev or /sys */
  NOOK_CWD_NOT_OWNED,   /* not bound: inside no directory the rule accepts */
  NOOK_CWD_HOLDS_STATE, /* never bound: nook's state directory is in it */
};

/* Whether the caller owns the directory PATH (lstat: a symlink is not).  */
typedef bool (*nook_cwd_owned_fn) (const char *path, void *data);

/**
 * nook_cwd_decide - the default root's rule for the caller's working directory
 * @cwd: a physical path, as getcwd() gives
 * @home: the caller's home, or NULL; a home of /, /tmp, /var/tmp or /home
 *        counts as none
 * @mode: --bind-cwd, --no-bind-cwd, or the rule
 * @owned: says whether the caller owns a directory (called with @data)
 * @data: passed to @owned
 *
 * @cwd is bound read-write only when it is strictly inside @home, or
 * strictly inside another directory that @owned says the caller owns and
 * that is not /, /tmp, /var/tmp, /home or an ancestor of @home.  The home
 * itself, a directory directly in /tmp and everything else are not: a home
 * holds keys and shell startup files, and a shared directory holds other
 * users' and other sessions' files.  @mode overrides the rule, except that
 * / and the kernel's filesystems are never bound.  Pure: no syscall but
 * what @owned makes.
 *
 * Return: why it is bound or not (nook_cwd_is_bound tells which).
 */
enum nook_cwd_why nook_cwd_decide (const char *cwd, const char *home, enum nook_cwd_mode mode,
                                   nook_cwd_owned_fn owned, void *data);

/**
 * nook_cwd_is_bound - whether a decision binds the working directory
 * @why: what nook_cwd_decide returned
 *
 * Return: true when it is bound.
 */
bool nook_cwd_is_bound (enum nook_cwd_why why);

/**
 * nook_cwd_why_text - a decision in words, for -v
 * @why: what nook_cwd_decide returned
 *
 * Return: a static string ("it is the home", ...).
 */
const char *nook_cwd_why_text (enum nook_cwd_why why);

/**
 * nook_cwd_for_spec - decide on the caller's working directory, in the parent
 * @spec: gives cwd_mode; only read
 * @caller: gives the cwd, home and uid; only read
 * @why: gets the decision
 * @err: set on failure
 *
 * The one place where the default root decides on the caller's working
 * directory: any further check on it belongs here.
 *
 * Return: 0, or -1 with @err set, only for a --bind-cwd that cannot be
 * honoured.
 */
int nook_cwd_for_spec (const struct nook_spec *spec, const struct nook_caller *caller, enum nook_cwd_why *why,
                       struct nook_error *err);

#endif
