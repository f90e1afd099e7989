/* nook: nook try.  Each tried directory becomes the lower layer of an
 * ephemeral overlay mounted at its own path, so the command sees it as it
 * is and writes only to the upper; the caller then reads the upper
 * (nook_diff) and applies it (nook_diff_apply) or throws it away.
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller.h"
#include "cwd.h"
#include "diff.h"
#include "try.h"
#include "utils.h"

/* try-PID.XXXXXX directories whose nook no longer runs (it was killed
   before it could clean up) are removed.  */
static void
remove_stale (const char *runtime)
{
  DIR *d = opendir (runtime);
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)))
    {
      long pid;
      if (sscanf (de->d_name, "try-%ld.", &pid) != 1 || pid <= 0)
        continue;
      if (kill ((pid_t)pid, 0) < 0 && errno == ESRCH)
        {
          cleanup_free char *path = xasprintf ("%s/%s", runtime, de->d_name);
          nook_remove_tree_mapped (path);
        }
    }
  closedir (d);
}

/* The working directory tried when no --path is given: only one that nook
   run would bind (cwd.h), or --bind-cwd.  Anything else would put the
   home, /tmp or another user's files under the command, readable, as the
   overlay's lower layer: the rule keeps those out of a run, and a try is a
   run.  */
static int
check_tried_cwd (const struct nook_spec *spec, struct nook_error *err)
{
  struct nook_caller caller = { 0 };
  enum nook_cwd_why why;
  int r;

  if (nook_caller_resolve (&caller, false, err) < 0)
    return -1;
  r = nook_cwd_for_spec (spec, &caller, &why, err);
  if (r == 0 && !nook_cwd_is_bound (why))
    {
      nook_error_set (err, 0, "try: the current directory `%s` is not tried: %s", caller.cwd,
                      nook_cwd_why_text (why));
      r = nook_error_hint (err, "run nook try from a project directory, or name the directory with --path");
    }
  nook_caller_free (&caller);
  return r;
}

static int
resolve_paths (const struct nook_spec *spec, char *const *given, struct nook_try *t, struct nook_error *err)
{
  cleanup_free char *here = getcwd (NULL, 0);
  char *const cwd[] = { here, NULL };

  if (given == NULL && here == NULL)
    return nook_error_errno (err, "try: cannot read the current directory");
  if (given == NULL && check_tried_cwd (spec, err) < 0)
    return -1;
  if (given == NULL)
    given = cwd;
  for (size_t i = 0; given[i]; i++)
    {
      cleanup_free char *abs = realpath (given[i], NULL);
      struct stat st;

      if (abs == NULL || stat (abs, &st) < 0)
        return nook_error_errno (err, "try: `%s`", given[i]);
      if (!S_ISDIR (st.st_mode))
        return nook_error_set (err, ENOTDIR, "try: `%s`", given[i]);
      if (strcmp (abs, "/") == 0)
        return nook_error_set (err, 0, "try: `/` cannot be tried; name the directories with --path");
      strv_append (&t->paths, abs);
    }
  return 0;
}

/* With --keep DIR, one path keeps its changes in DIR; several keep them
   in DIR/BASENAME each.  */
static char *
kept_upper (const char *keep, const char *path, size_t n_paths)
{
  if (n_paths == 1)
    return xstrdup (keep);
  return xasprintf ("%s/%s", keep, strrchr (path, '/') + 1);
}

/* Where the uppers go: --keep DIR, or a new private directory
   try-PID.XXXXXX in the runtime directory (T->dir).  */
static int
uppers_dir (const char *keep, struct nook_try *t, struct nook_error *err)
{
  cleanup_free char *runtime = NULL;

  if (keep)
    {
      if (mkdir (keep, 0755) < 0 && errno != EEXIST)
        return nook_error_errno (err, "try: --keep `%s`", keep);
      return 0;
    }
  runtime = nook_runtime_dir (err);
  if (runtime == NULL)
    return -1;
  remove_stale (runtime);
  t->dir = xasprintf ("%s/try-%d.XXXXXX", runtime, (int)getpid ());
  if (mkdtemp (t->dir) == NULL)
    {
      nook_error_errno (err, "try: create `%s`", t->dir);
      free (t->dir);
      t->dir = NULL;
      return -1;
    }
  return 0;
}

int
nook_try_prepare (struct nook_spec *spec, char *const *paths, const char *keep, struct nook_try *t,
                  struct nook_error *err)
{
  size_t n;

  memset (t, 0, sizeof *t);
  if (resolve_paths (spec, paths, t, err) < 0)
    return -1;
  n = strv_len (t->paths);
  if (uppers_dir (keep, t, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      struct nook_overlay *ov = nook_spec_add_overlay (spec, t->paths[i]);
      char *upper;

      strv_append (&ov->lowers, t->paths[i]);
      if (t->dir)
        {
          cleanup_free char *base = xasprintf ("%s/%zu", t->dir, i);
          if (mkdir (base, 0700) < 0)
            return nook_error_errno (err, "try: create `%s`", base);
          upper = xasprintf ("%s/upper", base);
          ov->work = xasprintf ("%s/work", base);
          if (mkdir (upper, 0755) < 0 || mkdir (ov->work, 0700) < 0)
            {
              free (upper);
              return nook_error_errno (err, "try: create `%s`", base);
            }
        }
      else
        upper = kept_upper (keep, t->paths[i], n);
      for (size_t j = 0; j < i; j++)
        if (strcmp (t->uppers[j], upper) == 0)
          {
            free (upper);
            return nook_error_set (err, 0, "try: two --path directories named `%s`: --keep cannot keep both",
                                   strrchr (t->paths[i], '/') + 1);
          }
      ov->upper = upper;
      strv_append (&t->uppers, upper);
    }
  /* Outside the tried directories the working directory stays as it is.  */
  spec->fs.cwd_readonly = true;
  return 0;
}

void
nook_try_release (struct nook_try *t)
{
  /* Files the command made under --map-users auto belong to subordinate
     ids: removed from a user namespace with that mapping.  */
  if (t->dir)
    nook_remove_tree_mapped (t->dir);
  free (t->dir);
  strv_free (t->paths);
  strv_free (t->uppers);
  memset (t, 0, sizeof *t);
}
