/* nook: the per-user state directory of sandboxes: ids, names, status
   and exit codes (layout in docs/state.md).  */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "fault.h"
#include "imgstore.h"
#include "proc.h"
#include "security.h"
#include "spec.h"
#include "state-internal.h"
#include "state.h"
#include "utils.h"

/* ---- the store ------------------------------------------------------------------ */

static int
open_subdir (int dirfd, const char *name, struct nook_error *err)
{
  int fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);

  /* Created once; opened first, as it nearly always exists.  */
  if (fd < 0 && errno == ENOENT)
    {
      if (mkdirat (dirfd, name, 0700) < 0 && errno != EEXIST)
        return nook_error_errno (err, "create the state directory `%s`", name);
      fd = openat (dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    }
  if (fd < 0)
    return nook_error_errno (err, "open the state directory `%s`", name);
  return fd;
}

int
nook_store_open (struct nook_store *store, struct nook_error *err)
{
  *store = (struct nook_store){ .fd = -1, .boxes = -1, .names = -1, .lockfd = -1 };
  store->path = nook_runtime_dir (err);
  if (store->path == NULL)
    return -1;
  store->fd = open (store->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (store->fd < 0)
    {
      nook_error_errno (err, "open the state directory `%s`", store->path);
      goto fail;
    }
  store->boxes = open_subdir (store->fd, "sandboxes", err);
  if (store->boxes < 0)
    goto fail;
  store->names = open_subdir (store->fd, "names", err);
  if (store->names < 0)
    goto fail;
  store->lockfd = openat (store->fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (store->lockfd < 0)
    {
      nook_error_errno (err, "open the state lock `%s/lock`", store->path);
      goto fail;
    }
  return 0;
fail:
  nook_error_wrap (err, "state");
  nook_store_close (store);
  return -1;
}

void
nook_store_close (struct nook_store *store)
{
  nook_closep (&store->fd);
  nook_closep (&store->boxes);
  nook_closep (&store->names);
  nook_closep (&store->lockfd);
  free (store->path);
  store->path = NULL;
}

int
nook_store_lock (struct nook_store *store, struct nook_error *err)
{
  while (flock (store->lockfd, LOCK_EX) < 0)
    if (errno != EINTR)
      return nook_error_errno (err, "lock `%s/lock`", store->path);
  return 0;
}

void
nook_store_unlock (struct nook_store *store)
{
  flock (store->lockfd, LOCK_UN);
}

/* ---- reading a sandbox ------------------------------------------------------------ */

static json_object *
doc_get (json_object *doc, const char *path)
{
  json_object *v = doc;
  char key[64];

  /* "init.pid": one level of nesting is all the state has.  */
  for (const char *p = path; v && *p;)
    {
      const char *dot = strchr (p, '.');
      size_t n = dot ? (size_t)(dot - p) : strlen (p);
      snprintf (key, sizeof key, "%.*s", (int)n, p);
      if (!json_object_object_get_ex (v, key, &v))
        return NULL;
      p += n + (dot ? 1 : 0);
    }
  return v;
}

const char *
nook_sandbox_str (const struct nook_sandbox *sb, const char *key)
{
  json_object *v = doc_get (sb->doc, key);
  return v && json_object_is_type (v, json_type_string) ? json_object_get_string (v) : NULL;
}

int64_t
nook_sandbox_int (const struct nook_sandbox *sb, const char *key, int64_t dflt)
{
  json_object *v = doc_get (sb->doc, key);
  return v && json_object_is_type (v, json_type_int) ? json_object_get_int64 (v) : dflt;
}

const char *
nook_sandbox_status (const struct nook_sandbox *sb)
{
  const char *s = nook_sandbox_str (sb, "status");
  if (s == NULL)
    return "created";
  if (strcmp (s, "running") == 0 && !sb->supervised)
    return "exited";
  return s;
}

static void
sandbox_refresh (struct nook_sandbox *sb)
{
  uint64_t now;

  sb->supervised = nook_entry_supervised (sb->dirfd);
  /* A forged state names no process: nothing is signalled or entered.  */
  sb->pid = nook_sandbox_int (sb, "init.pid", 0);
  sb->start = nook_sandbox_int (sb, "init.start", 0);
  sb->running = sb->supervised && sb->pid > 0 && strcmp (nook_sandbox_status (sb), "running") == 0
                && nook_proc_start_time (sb->pid, &now) == 0 && now == sb->start;
}

int
nook_sandbox_load (struct nook_store *store, const char *id, struct nook_sandbox *sb)
{
  *sb = (struct nook_sandbox){ .dirfd = -1 };
  if (strlen (id) != NOOK_ID_LEN || strspn (id, "0123456789abcdef") != NOOK_ID_LEN)
    return -1;
  sb->dirfd = nook_store_open_entry (store, id);
  if (sb->dirfd < 0)
    return -1;
  memcpy (sb->id, id, NOOK_ID_LEN + 1);
  sb->forged = nook_state_read (sb->dirfd, sb->id, &sb->doc) < 0;
  sandbox_refresh (sb);
  return 0;
}

void
nook_sandbox_release (struct nook_sandbox *sb)
{
  nook_closep (&sb->dirfd);
  json_object_put (sb->doc);
  sb->doc = NULL;
}

static bool
is_hex (const char *s)
{
  if (*s == '\0')
    return false;
  for (; *s; s++)
    if (!strchr ("0123456789abcdef", *s))
      return false;
  return true;
}

/* The sandbox that names/REF points to.  The link is only a hint: the
   sandbox's authenticated state must carry the same name.  */
static int
find_by_name (struct nook_store *store, const char *ref, struct nook_sandbox *sb, struct nook_error *err)
{
  char target[NOOK_ID_LEN + 2];
  ssize_t n = readlinkat (store->names, ref, target, sizeof target - 1);
  const char *name;

  if (n != NOOK_ID_LEN)
    return 1;
  target[n] = '\0';
  if (!is_hex (target) || nook_sandbox_load (store, target, sb) < 0)
    return 1;
  name = nook_sandbox_str (sb, "name");
  if (sb->doc && (name == NULL || strcmp (name, ref) != 0))
    {
      nook_error_set (err, 0, "the name `%s` points to sandbox %s, whose state does not carry that name", ref,
                      sb->id);
      nook_sandbox_release (sb);
      return nook_error_hint (
          err, "it was changed by something other than nook: remove the name with `rm %s/names/%s`",
          store->path, ref);
    }
  return 0;
}

int
nook_sandbox_find_any (struct nook_store *store, const char *ref, struct nook_sandbox *sb,
                       struct nook_error *err)
{
  cleanup_strv char **ids = NULL;
  const char *match = NULL;
  int r;

  /* A full id, then a name, then a unique prefix of an id, as docker does.  */
  if (strlen (ref) == NOOK_ID_LEN && is_hex (ref) && nook_sandbox_load (store, ref, sb) == 0)
    return 0;
  if (nook_name_is_valid (ref) && (r = find_by_name (store, ref, sb, err)) <= 0)
    return r;
  if (is_hex (ref) && strlen (ref) < NOOK_ID_LEN)
    {
      ids = nook_dir_list (store->boxes);
      for (size_t i = 0; ids && ids[i]; i++)
        if (strncmp (ids[i], ref, strlen (ref)) == 0)
          {
            if (match)
              {
                nook_error_set (err, 0, "`%s` is ambiguous: it begins the ids %s and %s", ref, match, ids[i]);
                return nook_error_hint (err, "give more characters of the id, or the name");
              }
            match = ids[i];
          }
      if (match && nook_sandbox_load (store, match, sb) == 0)
        return 0;
    }
  nook_error_set (err, 0, "no sandbox `%s`", ref);
  return nook_error_hint (err, "`nook ps -a` lists the sandboxes by id and name");
}

int
nook_sandbox_forged_error (const struct nook_sandbox *sb, struct nook_error *err)
{
  nook_error_set (err, 0, "the state of sandbox %s is not as nook wrote it: refused", sb->id);
  return nook_error_hint (err,
                          "something other than nook changed it, or the secret it was signed with is gone; "
                          "`nook rm %s` removes it",
                          sb->id);
}

int
nook_sandbox_find (struct nook_store *store, const char *ref, struct nook_sandbox *sb, struct nook_error *err)
{
  if (nook_sandbox_find_any (store, ref, sb, err) < 0)
    return -1;
  if (sb->forged)
    {
      nook_sandbox_forged_error (sb, err);
      nook_sandbox_release (sb);
      return -1;
    }
  return 0;
}

static int
compare_created (const void *a, const void *b)
{
  return strcmp (*(char *const *)a, *(char *const *)b);
}

char **
nook_sandbox_list (struct nook_store *store)
{
  char **ids = nook_dir_list (store->boxes);
  size_t n = strv_len (ids);
  char **keyed = xcalloc (n + 1, sizeof (char *));
  char **out = xcalloc (n + 1, sizeof (char *));

  /* Sorted by creation time: "TIME ID" sorts as the time does.  */
  for (size_t i = 0; i < n; i++)
    {
      struct nook_sandbox sb;
      const char *created = NULL;
      if (nook_sandbox_load (store, ids[i], &sb) == 0)
        created = nook_sandbox_str (&sb, "created");
      keyed[i] = xasprintf ("%s %s", created ? created : "~", ids[i]);
      nook_sandbox_release (&sb);
    }
  qsort (keyed, n, sizeof (char *), compare_created);
  for (size_t i = 0; i < n; i++)
    out[i] = xstrdup (strrchr (keyed[i], ' ') + 1);
  strv_free (keyed);
  strv_free (ids);
  return out;
}

int
nook_sandbox_pidfd (const struct nook_sandbox *sb, struct nook_error *err)
{
  int fd;

  if (sb->doc == NULL)
    return nook_error_set (err, 0, "sandbox `%s` is still starting", sb->id);
  if (sb->running)
    {
      fd = nook_pidfd_open_checked (sb->pid, sb->start);
      if (fd >= 0)
        return fd;
    }
  if (nook_sandbox_int (sb, "exit_code", -1) >= 0)
    return nook_error_set (err, 0, "sandbox `%s` is not running: it exited with status %lld", sb->id,
                           (long long)nook_sandbox_int (sb, "exit_code", -1));
  return nook_error_set (err, 0, "sandbox `%s` is not running", sb->id);
}

int
nook_sandbox_remove (struct nook_store *store, struct nook_sandbox *sb, struct nook_error *err)
{
  json_object *image;

  if (sb->forged)
    {
      /* Its name is not known: every link to it goes.  */
      cleanup_strv char **names = nook_dir_list (store->names);
      for (size_t i = 0; names && names[i]; i++)
        nook_name_remove (store, names[i], sb->id);
    }
  else
    nook_name_remove (store, nook_sandbox_str (sb, "name"), sb->id);
  /* A run of an image without --upper had its own, in the image store.  */
  if (!sb->forged && sb->doc && json_object_object_get_ex (sb->doc, "image", &image))
    nook_images_upper_remove (nook_json_str (image, "upper"));
  if (nook_entry_remove (store->boxes, sb->dirfd, sb->id) < 0 && errno != ENOENT)
    return nook_error_errno (err, "remove the state of `%s`", sb->id);
  return 0;
}

int
nook_sandbox_wait (struct nook_store *store, struct nook_sandbox *sb, struct nook_error *err)
{
  struct stat st;

  /* The supervisor's exclusive lock is released when it is done; a shared
     lock is granted from then on.  */
  while (flock (sb->dirfd, LOCK_SH) < 0)
    if (errno != EINTR)
      return nook_error_errno (err, "wait for `%s`", sb->id);
  json_object_put (sb->doc);
  sb->doc = NULL;
  /* A file entry removed meanwhile (--rm) still reads as it was: it is
     gone, as a directory entry's state.json would be.  */
  sb->forged = fstat (sb->dirfd, &st) == 0 && S_ISREG (st.st_mode) && st.st_nlink == 0
                   ? false
                   : nook_state_read (sb->dirfd, sb->id, &sb->doc) < 0;
  flock (sb->dirfd, LOCK_UN);
  sandbox_refresh (sb);
  if (sb->forged)
    return nook_sandbox_forged_error (sb, err);
  if (sb->doc == NULL)
    return nook_error_set (err, 0, "sandbox `%s` ended and was removed (--rm): its exit status is gone",
                           sb->id);
  return 0;
}

/* ---- the supervisor's side ---------------------------------------------------------- */

static json_object *
json_take_string (char *s)
{
  json_object *o = json_object_new_string (s);
  free (s);
  return o;
}

static void
new_id (char id[NOOK_ID_LEN + 1])
{
  unsigned char bytes[NOOK_ID_LEN / 2];

  if (getrandom (bytes, sizeof bytes, 0) != sizeof bytes)
    abort ();
  for (size_t i = 0; i < sizeof bytes; i++)
    snprintf (id + 2 * i, 3, "%02x", bytes[i]);
}

/* Whether names/NAME, which points to TARGET, is left over: its sandbox is
   gone, or was left by a supervisor that died (which this removes, as a
   sweep would).  Under the store's lock.  */
static bool
name_is_stale (struct nook_state *st, const char *target, ssize_t n)
{
  struct stat sb;

  if (n != NOOK_ID_LEN || !is_hex (target))
    return true;
  if (fstatat (st->store.boxes, target, &sb, AT_SYMLINK_NOFOLLOW) < 0)
    return errno == ENOENT;
  return nook_sweep_one (&st->store, target);
}

static int
reserve_name (struct nook_state *st, const char *name, struct nook_error *err)
{
  char target[NOOK_ID_LEN + 2];
  ssize_t n;

  /* symlink() fails on an existing name: of two runs that want it, one
     gets it.  A name left by a killed supervisor is freed here, so no run
     has to sweep the whole store for it.  */
  for (int tries = 0;; tries++)
    {
      if (symlinkat (st->id, st->store.names, name) == 0)
        return 0;
      if (errno != EEXIST)
        return nook_error_errno (err, "reserve the name `%s`", name);
      n = readlinkat (st->store.names, name, target, sizeof target - 1);
      target[n > 0 ? n : 0] = '\0';
      if (tries > 0 || n < 0 || !name_is_stale (st, target, n))
        break;
      nook_log ("state: the name `%s` was left by sandbox %s: freed", name, target);
      unlinkat (st->store.names, name, 0);
    }
  nook_error_set (err, 0, "the name `%s` is already used by sandbox %s", name, target);
  return nook_error_hint (err, "choose another --name, or remove it with `nook rm %s`", name);
}

/* The sweep that frees what killed supervisors left, once in a while:
   a run reserves its own entry and name without reading any other (a
   name in the way is checked on its own, reserve_name), and `nook ps`,
   `rm` and every lookup sweep what they see, so this only bounds what a
   store that nothing else reads accumulates.  */
static void
maybe_sweep (struct nook_store *store)
{
  struct stat st;
  struct timespec now;

  clock_gettime (CLOCK_REALTIME, &now);
  if (fstat (store->lockfd, &st) == 0 && st.st_mtim.tv_sec <= now.tv_sec
      && now.tv_sec - st.st_mtim.tv_sec < NOOK_SWEEP_INTERVAL)
    return;
  nook_store_sweep (store);
}

/* Makes sandboxes/ID a directory, locked, with the name DOC gives.  Under
   the store's lock.  */
static int
reserve_dir (struct nook_state *st, struct nook_error *err)
{
  const char *name = nook_doc_str (st->doc, "name");
  int r = -1;

  /* 48 random bits: a collision is an EEXIST, and another draw.  */
  while (mkdirat (st->store.boxes, st->id, 0700) < 0 && errno == EEXIST)
    new_id (st->id);
  json_object_object_add (st->doc, "id", json_object_new_string (st->id));
  st->dirfd = openat (st->store.boxes, st->id, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (st->dirfd < 0)
    {
      nook_error_errno (err, "create the state of a sandbox in `%s`", st->store.path);
      goto out;
    }
  /* Held until this process is done with the sandbox: it is how every
     other nook command knows that this one lives.  */
  if (flock (st->dirfd, LOCK_EX) < 0)
    {
      nook_error_errno (err, "lock the state of sandbox %s", st->id);
      goto out;
    }
  if (name && reserve_name (st, name, err) < 0)
    goto out;
  r = 0;
out:
  if (r < 0 && st->dirfd >= 0)
    {
      unlinkat (st->store.boxes, st->id, AT_REMOVEDIR);
      nook_closep (&st->dirfd);
    }
  return r;
}

int
nook_state_reserve (struct nook_state *st, const struct nook_spec *spec, struct nook_error *err)
{
  int r;

  st->dirfd = -1;
  st->linked = false;
  if (nook_state_secret (&st->secret, err) < 0)
    return -1;
  if (nook_store_open (&st->store, err) < 0)
    goto fail;
  maybe_sweep (&st->store);
  new_id (st->id);
  st->remove = spec->life.remove < 0 ? !spec->life.detach : spec->life.remove;
  st->doc = json_object_new_object ();
  json_object_object_add (st->doc, "id", json_object_new_string (st->id));
  json_object_object_add (st->doc, "name", spec->name ? json_object_new_string (spec->name) : NULL);
  json_object_object_add (st->doc, "created", json_take_string (nook_time_now ()));
  /* A file entry: unnamed (O_TMPFILE) until nook_state_create has written
     it whole.  A filesystem without O_TMPFILE gets a directory entry.  */
  if (st->file)
    {
      st->dirfd = openat (st->store.boxes, ".", O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
      if (st->dirfd >= 0)
        return 0;
      if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
        {
          nook_error_errno (err, "create the state of a sandbox in `%s`", st->store.path);
          goto fail;
        }
      st->file = false;
    }
  if (nook_store_lock (&st->store, err) < 0)
    goto fail;
  r = reserve_dir (st, err);
  nook_store_unlock (&st->store);
  if (r == 0)
    {
      nook_log ("state: sandbox %s registered", st->id);
      return 0;
    }
fail:
  json_object_put (st->doc);
  st->doc = NULL;
  nook_state_secret_release (&st->secret);
  return -1;
}

/* Links the unnamed entry as sandboxes/ID, drawing another id (and
   writing its state again) on the rare collision.  Under the store's
   lock.  */
static int
link_entry (struct nook_state *st, const struct iovec *head, int n_head, struct nook_error *err)
{
  char path[64];

  snprintf (path, sizeof path, "/proc/self/fd/%d", st->dirfd);
  for (int tries = 0;; tries++)
    {
      if (linkat (AT_FDCWD, path, st->store.boxes, st->id, AT_SYMLINK_FOLLOW) == 0)
        return 0;
      if (errno != EEXIST || tries > 8)
        return nook_error_errno (err, "create the state of a sandbox in `%s`", st->store.path);
      new_id (st->id);
      json_object_object_add (st->doc, "id", json_object_new_string (st->id));
      if (ftruncate (st->dirfd, 0) < 0
          || nook_state_write_record (st->dirfd, 0, head, n_head, st, st->doc, err) < 0)
        return -1;
    }
}

int
nook_state_create (struct nook_state *st, const struct iovec *head, int n_head, struct nook_error *err)
{
  const char *name = nook_doc_str (st->doc, "name");
  int r;

  /* Locked before it has a name: no reader sees it unlocked, which would
     make it look stale.  */
  if (flock (st->dirfd, LOCK_EX) < 0)
    return nook_error_errno (err, "lock the state of a sandbox");
  if (nook_state_write_record (st->dirfd, 0, head, n_head, st, st->doc, err) < 0)
    return -1;
  nook_state_fault_write (st->doc);
  if (nook_store_lock (&st->store, err) < 0)
    return -1;
  r = link_entry (st, head, n_head, err);
  if (r == 0)
    {
      st->linked = true;
      if (name && (r = reserve_name (st, name, err)) < 0)
        {
          unlinkat (st->store.boxes, st->id, 0);
          st->linked = false;
        }
    }
  nook_store_unlock (&st->store);
  if (r == 0)
    nook_log ("state: sandbox %s registered", st->id);
  return r;
}

void
nook_state_finish (struct nook_state *st, int status)
{
  struct nook_error err = { 0 };

  nook_fault_point ("state: finish");
  /* A file entry that never got its name: nothing to remove.  */
  if (st->file && !st->linked)
    nook_closep (&st->dirfd);
  if (st->dirfd < 0)
    {
      json_object_put (st->doc);
      st->doc = NULL;
      nook_state_secret_release (&st->secret);
      if (st->store.path)
        nook_store_close (&st->store);
      return;
    }
  /* A sandbox that never started leaves nothing behind, --rm or not.  */
  if (st->remove || status < 0)
    {
      struct nook_sandbox sb = { .dirfd = st->dirfd, .doc = st->doc };
      memcpy (sb.id, st->id, sizeof sb.id);
      /* Without the store's lock: this process holds the sandbox's own, so
         no sweep touches it, and its name is its own until unlinked.  */
      nook_sandbox_remove (&st->store, &sb, &err);
    }
  else
    {
      json_object_object_add (st->doc, "status", json_object_new_string ("exited"));
      json_object_object_add (st->doc, "exit_code", json_object_new_int (status));
      json_object_object_add (st->doc, "finished", json_take_string (nook_time_now ()));
      /* Under the store's lock: `nook pause` writes the state too
         (nook_sandbox_set_paused), and must not write a running one over
         this.  */
      nook_store_lock (&st->store, NULL);
      nook_state_write (st, st->doc, &err);
      nook_store_unlock (&st->store);
    }
  if (err.msg)
    nook_warn ("%s", err.msg);
  nook_error_release (&err);
  nook_log ("state: sandbox %s %s", st->id, st->remove || status < 0 ? "removed" : "exit recorded");
  json_object_put (st->doc);
  st->doc = NULL;
  nook_state_secret_release (&st->secret);
  nook_closep (&st->dirfd);
  nook_store_close (&st->store);
}

void
nook_life_spec_free (struct nook_life_spec *life)
{
  strv_free (life->run_args);
  strv_free (life->lock_files);
  for (int k = 0; k < NOOK_JOIN_N; k++)
    {
      free (life->join[k]);
      free (life->join_path[k]);
    }
  for (int k = 0; k < NOOK_NSPATH_N; k++)
    free (life->ns_path[k]);
}

int
nook_sandbox_set_paused (struct nook_store *store, struct nook_sandbox *sb, bool paused,
                         struct nook_error *err)
{
  struct nook_state st = { .dirfd = sb->dirfd };
  json_object *doc = NULL;
  int r;

  memcpy (st.id, sb->id, sizeof st.id);
  if (nook_state_secret (&st.secret, err) < 0 || nook_store_lock (store, err) < 0)
    {
      nook_state_secret_release (&st.secret);
      return -1;
    }
  /* Read again under the lock: the supervisor records the end under it,
     and a state that says `exited` is never written back as running.  */
  if (nook_state_read (sb->dirfd, sb->id, &doc) < 0 || doc == NULL || !nook_entry_supervised (sb->dirfd)
      || strcmp (nook_doc_str (doc, "status") ? nook_doc_str (doc, "status") : "", "running") != 0)
    r = nook_error_set (err, 0, "sandbox `%s` is not running", sb->id);
  else
    {
      json_object_object_add (doc, "paused", json_object_new_boolean (paused));
      r = nook_state_write (&st, doc, err);
    }
  nook_store_unlock (store);
  nook_state_secret_release (&st.secret);
  if (r == 0)
    {
      json_object_put (sb->doc);
      sb->doc = json_object_get (doc);
    }
  json_object_put (doc);
  return r;
}
