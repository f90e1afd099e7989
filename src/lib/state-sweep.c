/* nook: stale entries, and the removal of an entry (docs/state.md: "Stale
   state", "Lifetime of an entry").  */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "state-internal.h"
#include "state.h"
#include "utils.h"

/* Whether the supervisor of the sandbox in DIRFD lives: it holds an
   exclusive flock on the directory for as long as it runs, and the kernel
   drops that lock when it dies, however it dies.  */
bool
nook_entry_supervised (int dirfd)
{
  if (flock (dirfd, LOCK_SH | LOCK_NB) == 0)
    {
      flock (dirfd, LOCK_UN);
      return false;
    }
  return errno == EWOULDBLOCK;
}

int
nook_store_open_entry (const struct nook_store *store, const char *id)
{
  int fd = openat (store->boxes, id, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK);
  struct stat st;

  if (fd < 0)
    return -1;
  /* A directory or a file entry; nothing else is one (a FIFO, a device).  */
  if (fstat (fd, &st) < 0 || !(S_ISDIR (st.st_mode) || S_ISREG (st.st_mode)))
    {
      close (fd);
      errno = ENOTDIR;
      return -1;
    }
  return fd;
}

/* Unlinks every file of a sandbox's directory, then the directory; or
   the file entry.  */
int
nook_entry_remove (int boxes, int dirfd, const char *id)
{
  DIR *d;
  struct dirent *e;
  struct stat st;
  int fd;

  if (fstat (dirfd, &st) == 0 && S_ISREG (st.st_mode))
    return unlinkat (boxes, id, 0);
  fd = dup (dirfd);

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return -1;
    }
  rewinddir (d);
  while ((e = readdir (d)))
    if (strcmp (e->d_name, ".") != 0 && strcmp (e->d_name, "..") != 0)
      unlinkat (dirfd, e->d_name, 0);
  closedir (d);
  return unlinkat (boxes, id, AT_REMOVEDIR);
}

/* Unlinks names/NAME when it names ID.  */
void
nook_name_remove (struct nook_store *store, const char *name, const char *id)
{
  char target[NOOK_ID_LEN + 2];
  ssize_t n;

  if (name == NULL)
    return;
  n = readlinkat (store->names, name, target, sizeof target - 1);
  if (n != NOOK_ID_LEN)
    return;
  target[n] = '\0';
  if (strcmp (target, id) == 0)
    unlinkat (store->names, name, 0);
}

const char *
nook_doc_str (json_object *doc, const char *key)
{
  json_object *v;
  if (doc && json_object_object_get_ex (doc, key, &v) && json_object_is_type (v, json_type_string))
    return json_object_get_string (v);
  return NULL;
}

char **
nook_dir_list (int dirfd)
{
  char **out = NULL;
  struct dirent *e;
  DIR *d;
  int fd = dup (dirfd);

  if (fd < 0 || (d = fdopendir (fd)) == NULL)
    {
      if (fd >= 0)
        close (fd);
      return NULL;
    }
  rewinddir (d);
  while ((e = readdir (d)))
    if (e->d_name[0] != '.')
      strv_append (&out, e->d_name);
  closedir (d);
  return out;
}

/* Removes sandboxes/ID and its name when its supervisor is gone and it
   recorded no exit.  The caller holds the store's lock, so no reservation
   is between its mkdir and its flock.  Return: whether it was removed.  */
bool
nook_sweep_one (struct nook_store *store, const char *id)
{
  cleanup_close int fd = nook_store_open_entry (store, id);
  json_object *doc;
  bool stale;

  if (fd < 0 || flock (fd, LOCK_EX | LOCK_NB) < 0)
    return false;
  /* Its supervisor is gone.  An exit it recorded stays until `nook rm`;
     anything else is the remains of a supervisor that was killed, or
     a state that is not authentic (a secret lost with a reboot).  */
  nook_state_read (fd, id, &doc);
  stale = doc == NULL || strcmp (nook_doc_str (doc, "status") ?: "", "exited") != 0;
  if (stale)
    {
      nook_log ("state: removing stale sandbox %s", id);
      nook_name_remove (store, nook_doc_str (doc, "name"), id);
      nook_entry_remove (store->boxes, fd, id);
    }
  json_object_put (doc);
  return stale;
}

/* Whether the entry looks stale without the store's lock: its supervisor's
   lock is free and it recorded no exit.  An entry being reserved looks so
   for a moment too (between its mkdir and its flock), which is why only
   nook_sweep_one, under the store's lock, decides.  */
static bool
looks_stale (struct nook_store *store, const char *id)
{
  cleanup_close int fd = nook_store_open_entry (store, id);
  json_object *doc;
  bool exited;

  if (fd < 0 || nook_entry_supervised (fd))
    return false;
  nook_state_read (fd, id, &doc);
  exited = doc && strcmp (nook_doc_str (doc, "status") ?: "", "exited") == 0;
  json_object_put (doc);
  return !exited;
}

void
nook_store_sweep (struct nook_store *store)
{
  cleanup_strv char **ids = nook_dir_list (store->boxes);
  cleanup_strv char **stale = NULL;
  cleanup_strv char **names = NULL;
  size_t removed = 0;

  /* The store's lock only for what is to be removed: a scan of many live
     sandboxes holds up no `nook run`.  */
  for (size_t i = 0; ids && ids[i]; i++)
    if (looks_stale (store, ids[i]))
      strv_append (&stale, ids[i]);
  /* The lock file's time is the last sweep's (see maybe_sweep).  */
  futimens (store->lockfd, NULL);
  if (stale == NULL || nook_store_lock (store, NULL) < 0)
    return;
  for (size_t i = 0; stale && stale[i]; i++)
    removed += nook_sweep_one (store, stale[i]);
  /* A name whose sandbox is gone: its supervisor died before it wrote the
     state that names it.  */
  if (removed > 0)
    names = nook_dir_list (store->names);
  for (size_t i = 0; names && names[i]; i++)
    {
      char target[NOOK_ID_LEN + 2];
      struct stat st;
      ssize_t n = readlinkat (store->names, names[i], target, sizeof target - 1);
      if (n < 0)
        continue;
      target[n] = '\0';
      if (n != NOOK_ID_LEN || fstatat (store->boxes, target, &st, AT_SYMLINK_NOFOLLOW) < 0)
        unlinkat (store->names, names[i], 0);
    }
  nook_store_unlock (store);
}

bool
nook_store_sweep_sandbox (struct nook_store *store, const struct nook_sandbox *sb)
{
  bool removed;

  /* The status as recorded: nook_sandbox_status calls an unsupervised
     `running` exited.  */
  if (sb->supervised || (sb->doc && strcmp (nook_sandbox_str (sb, "status") ?: "", "exited") == 0))
    return false;
  if (nook_store_lock (store, NULL) < 0)
    return false;
  removed = nook_sweep_one (store, sb->id);
  nook_store_unlock (store);
  return removed;
}
