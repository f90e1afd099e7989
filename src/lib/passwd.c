/* User and group names in a sandbox's root; see passwd.h.  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "passwd.h"
#include "spec.h"
#include "utils.h"

/* Enough for any real account database; a bigger file is not read whole.  */
#define MAX_DB_SIZE (1 << 20)

/* FILE of ROOT, read safely (passwd.h); NULL when it is not there.  */
static char *
read_db (const char *root, const char *file)
{
  cleanup_close int dir = open (root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
  struct open_how how
      = { .flags = O_RDONLY | O_CLOEXEC | O_NOCTTY, .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS };
  struct stat st;
  char *text;
  ssize_t n;

  if (dir < 0)
    return NULL;
  fd = (int)syscall (SYS_openat2, dir, file, &how, sizeof how);
  if (fd < 0 || fstat (fd, &st) < 0 || !S_ISREG (st.st_mode))
    return NULL;
  text = xmalloc (MAX_DB_SIZE + 1);
  n = nook_read_all (fd, text, MAX_DB_SIZE);
  text[n > 0 ? n : 0] = '\0';
  return text;
}

/* NAME's line of DB: its third field, and its fourth in *GID.  */
static int
find_entry (char *db, const char *name, uint32_t *id, uint32_t *gid)
{
  char *save = NULL;

  for (char *l = strtok_r (db, "\n", &save); l; l = strtok_r (NULL, "\n", &save))
    {
      char *f[4] = { 0 }, *p = l;
      uint64_t v, g;
      size_t k = 0;

      /* strsep, not strtok: an empty field (a group's password) counts.  */
      while (p && k < 4)
        f[k++] = strsep (&p, ":");
      if (k < 3 || strcmp (f[0], name) != 0 || nook_parse_uint (f[2], UINT32_MAX - 1, &v) < 0)
        continue;
      if (gid && (k < 4 || nook_parse_uint (f[3], UINT32_MAX - 1, &g) < 0))
        continue;
      *id = v;
      if (gid)
        *gid = g;
      return 0;
    }
  return -1;
}

int
nook_passwd_lookup (char *const *roots, const char *file, const char *name, uint32_t *id, uint32_t *gid)
{
  for (size_t i = 0; roots && roots[i]; i++)
    {
      cleanup_free char *db = read_db (roots[i], file);
      if (db)
        return find_entry (db, name, id, gid);
    }
  return -1;
}

/* The directories the sandbox's root is made of, the one that wins first
   (passwd.h).  */
static char **
root_dirs (const struct nook_spec *spec)
{
  char **roots = NULL;

  if (spec->rootfs)
    {
      strv_append (&roots, spec->rootfs);
      return roots;
    }
  for (size_t i = spec->n_mounts; i-- > 0;)
    {
      const struct nook_overlay *ov = spec->mounts[i].overlay;
      if (spec->mounts[i].kind != NOOK_MNT_OVERLAY || spec->mounts[i].dest != NULL || ov == NULL)
        continue;
      if (ov->upper)
        strv_append (&roots, ov->upper);
      for (size_t j = strv_len (ov->lowers); j-- > 0;)
        strv_append (&roots, ov->lowers[j]);
      return roots;
    }
  strv_append (&roots, "/");
  return roots;
}

static bool
is_number (const char *s)
{
  uint64_t v;
  return nook_parse_uint (s, UINT32_MAX - 1, &v) == 0;
}

int
nook_user_resolve (struct nook_spec *spec, struct nook_error *err)
{
  cleanup_free char *user = NULL;
  cleanup_strv char **roots = NULL;
  char *group;
  uint64_t v;
  uint32_t uid, gid = 0;

  if (spec->user == NULL)
    return 0;
  user = xstrdup (spec->user);
  group = strchr (user, ':');
  if (group)
    *group++ = '\0';
  roots = root_dirs (spec);
  if (nook_parse_uint (user, UINT32_MAX - 1, &v) == 0)
    uid = v, gid = spec->gid;
  else if (nook_passwd_lookup (roots, "etc/passwd", user, &uid, &gid) < 0)
    {
      nook_error_set (err, 0, "--user `%s`: no user `%s` in the sandbox's /etc/passwd", spec->user, user);
      return nook_error_hint (err, "give a user of the sandbox's root, or a number (UID[:GID])");
    }
  if (group && is_number (group))
    gid = (nook_parse_uint (group, UINT32_MAX - 1, &v), v);
  else if (group && nook_passwd_lookup (roots, "etc/group", group, &gid, NULL) < 0)
    {
      nook_error_set (err, 0, "--user `%s`: no group `%s` in the sandbox's /etc/group", spec->user, group);
      return nook_error_hint (err, "give a group of the sandbox's root, or a number (UID:GID)");
    }
  spec->uid = uid;
  spec->gid = gid;
  return 0;
}
