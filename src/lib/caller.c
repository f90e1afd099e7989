/* nook: the calling process' identity and places (caller.h).  */
#include <config.h>

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caller.h"
#include "utils.h"

int
nook_caller_resolve (struct nook_caller *caller, bool want_name, struct nook_error *err)
{
  const char *home = getenv ("HOME"), *user = getenv ("USER");
  struct passwd *pw = NULL;

  memset (caller, 0, sizeof *caller);
  caller->uid = getuid ();
  caller->gid = getgid ();
  caller->cwd = getcwd (NULL, 0);
  /* A removed directory (ENOENT) has no path to judge or bind: nook
     refuses rather than guess.  */
  if (caller->cwd == NULL)
    {
      nook_error_errno (err, "cannot read the current directory");
      return nook_error_hint (err, "cd to a directory that exists");
    }

  if (home == NULL || home[0] != '/' || user == NULL || want_name)
    pw = getpwuid (caller->uid);
  if (home == NULL || home[0] != '/')
    home = pw ? pw->pw_dir : "/";
  if (pw)
    user = pw->pw_name;
  caller->home = xstrdup (home);
  caller->user = xstrdup (user);
  return 0;
}

void
nook_caller_free (struct nook_caller *caller)
{
  free (caller->cwd);
  free (caller->home);
  free (caller->user);
  memset (caller, 0, sizeof *caller);
}
