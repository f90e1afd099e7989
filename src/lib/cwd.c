/* nook: the default root's rule for the caller's working directory.
 *
 * A sandbox started from $HOME must not get the home (keys, shell startup
 * files), nor one started from /tmp the host's /tmp: the working directory
 * is bound only when it looks like a project, a directory strictly inside
 * one of the caller's own.  The rule itself is a pure function of paths
 * and an ownership test, so that it can be tested without a filesystem.
 */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "caller.h"
#include "cwd.h"
#include "state.h"
#include "utils.h"

static bool
path_is_under (const char *path, const char *dir)
{
  size_t n = strlen (dir);
  return strncmp (path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Directories shared by every user of the machine, never a project's
   owner in the cwd rule.  */
static const char *const shared_dirs[] = { "/", "/tmp", "/var/tmp", "/home", NULL };

static bool
is_shared_dir (const char *path)
{
  for (size_t i = 0; shared_dirs[i]; i++)
    if (strcmp (path, shared_dirs[i]) == 0)
      return true;
  return false;
}

static bool
is_strictly_under (const char *path, const char *dir)
{
  return strcmp (path, dir) != 0 && path_is_under (path, dir);
}

enum nook_cwd_why
nook_cwd_decide (const char *cwd, const char *home, enum nook_cwd_mode mode, nook_cwd_owned_fn owned,
                 void *data)
{
  char up[PATH_MAX];
  char *slash;

  /* The whole host, or a view of the kernel that the sandbox has its own
     of: not even --bind-cwd binds these.  */
  if (cwd[0] != '/' || strcmp (cwd, "/") == 0 || path_is_under (cwd, "/proc") || path_is_under (cwd, "/dev")
      || path_is_under (cwd, "/sys"))
    return NOOK_CWD_HOST_VIEW;
  if (mode == NOOK_CWD_NEVER)
    return NOOK_CWD_REFUSED;
  if (mode == NOOK_CWD_FORCE)
    return NOOK_CWD_FORCED;
  if (home && (home[0] != '/' || is_shared_dir (home)))
    home = NULL;
  if (home && strcmp (cwd, home) == 0)
    return NOOK_CWD_IS_HOME;
  if (home && is_strictly_under (cwd, home))
    return NOOK_CWD_UNDER_HOME;
  if (strlen (cwd) >= sizeof up)
    return NOOK_CWD_NOT_OWNED;
  /* Each strict ancestor, nearest first: a project lives inside a
     directory of the caller's, not at the top of one (that is a home of
     sorts: $XDG_RUNTIME_DIR, /tmp/ssh-XXX, a /srv/NAME).  */
  strcpy (up, cwd);
  while ((slash = strrchr (up, '/')) != NULL && slash != up)
    {
      *slash = '\0';
      if (is_shared_dir (up) || (home && path_is_under (home, up)))
        continue;
      if (owned (up, data))
        return NOOK_CWD_UNDER_OWNED;
    }
  return NOOK_CWD_NOT_OWNED;
}

bool
nook_cwd_is_bound (enum nook_cwd_why why)
{
  return why == NOOK_CWD_UNDER_HOME || why == NOOK_CWD_UNDER_OWNED || why == NOOK_CWD_FORCED;
}

const char *
nook_cwd_why_text (enum nook_cwd_why why)
{
  switch (why)
    {
    case NOOK_CWD_UNDER_HOME:
      return "it is inside the home";
    case NOOK_CWD_UNDER_OWNED:
      return "it is inside a directory you own";
    case NOOK_CWD_FORCED:
      return "--bind-cwd";
    case NOOK_CWD_REFUSED:
      return "--no-bind-cwd";
    case NOOK_CWD_IS_HOME:
      return "it is the home, which stays hidden; --bind-cwd binds it";
    case NOOK_CWD_HOST_VIEW:
      return "it is / or inside /proc, /dev or /sys";
    case NOOK_CWD_NOT_OWNED:
      return "it is not strictly inside the home or inside another directory you own; --bind-cwd binds it";
    case NOOK_CWD_HOLDS_STATE:
      return "nook's state directory is inside it, and no sandbox may reach that";
    }
  return "?";
}

struct owner
{
  uid_t uid;
};

static bool
owned_by (const char *path, void *data)
{
  const struct owner *o = data;
  struct stat st;

  return lstat (path, &st) == 0 && S_ISDIR (st.st_mode) && st.st_uid == o->uid;
}

static bool
same_dir (const struct stat *here, const char *path)
{
  struct stat st;

  return stat (path, &st) == 0 && st.st_dev == here->st_dev && st.st_ino == here->st_ino;
}

/* nook_cwd_decide judges names, and a directory has more than one: a bind
   mount of the home under /tmp/me, or of /tmp or / inside a project, is
   the home, /tmp or / under a name that looks like a project.  The
   working directory that is one of the directories the rule keeps out (the
   home, its ancestors, the shared ones, the kernel's views), whatever its
   name, is judged under that directory's name: returns it, or NULL.  */
static const char *
cwd_alias (const char *home, char buf[PATH_MAX])
{
  static const char *const kept[] = { "/", "/tmp", "/var/tmp", "/home", "/proc", "/dev", "/sys", NULL };
  struct stat here;
  char *slash;

  if (stat (".", &here) < 0)
    return NULL;
  for (size_t i = 0; kept[i]; i++)
    if (same_dir (&here, kept[i]))
      return kept[i];
  if (home == NULL || home[0] != '/' || strlen (home) >= PATH_MAX)
    return NULL;
  strcpy (buf, home);
  for (;;)
    {
      if (same_dir (&here, buf))
        return buf;
      slash = strrchr (buf, '/');
      if (slash == NULL || slash == buf)
        return NULL;
      *slash = '\0';
    }
}

int
nook_cwd_for_spec (const struct nook_spec *spec, const struct nook_caller *caller, enum nook_cwd_why *why,
                   struct nook_error *err)
{
  struct owner o = { caller->uid };
  /* The home as the filesystem names it: getcwd() gives physical paths,
     and a home reached through a symlink is still the home.  */
  cleanup_free char *home = caller->home ? realpath (caller->home, NULL) : NULL;
  const char *cwd = caller->cwd, *alias;
  char buf[PATH_MAX];

  if (home == NULL && caller->home)
    home = xstrdup (caller->home);
  *why = nook_cwd_decide (cwd, home, spec->cwd_mode, owned_by, &o);
  /* Only a directory the rule would bind by its name can be one it keeps
     out under another name: the stats are spared otherwise.  */
  if (nook_cwd_is_bound (*why) && (alias = cwd_alias (home, buf)) != NULL)
    *why = nook_cwd_decide (alias, home, spec->cwd_mode, owned_by, &o);
  if (*why == NOOK_CWD_HOST_VIEW && spec->cwd_mode == NOOK_CWD_FORCE)
    {
      nook_error_set (err, 0, "--bind-cwd: the current directory `%s` cannot be bound", cwd);
      return nook_error_hint (err, "run nook from a project directory, or share one with --bind");
    }
  /* Wherever the rule lands, a directory that holds nook's state is not
     shared (state-guard.c): a sandbox that could write it could forge
     what the next nook exec obeys.  */
  if (nook_cwd_is_bound (*why) && nook_state_path_exposes (cwd))
    {
      if (*why == NOOK_CWD_FORCED)
        {
          nook_error_set (err, 0, "--bind-cwd: the current directory `%s` holds nook's state directory", cwd);
          return nook_error_hint (
              err, "set XDG_RUNTIME_DIR to a directory of its own, or run from a project directory");
        }
      *why = NOOK_CWD_HOLDS_STATE;
    }
  return 0;
}
