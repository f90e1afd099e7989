/* nook: reading profiles and finding them (see profile.h).
 *
 * The text goes through the strict JSON reader of the seccomp policies
 * (line and column of a syntax error, a key given twice refused), then is
 * copied into plain C: the CLI never sees json-c.  A profile is the
 * caller's own configuration, yet it is read as carefully as hostile input
 * (tests/fuzz/fuzz-profile.c): a typo must end in one clear line.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "escape.h"
#include "profile.h"
#include "seccomp-json.h"
#include "utils.h"

/* Keys of the format itself; every other key is an option.  */
static const char *const meta_keys[] = { "version", "description", "include", NULL };

/* The changes of the format since its first version: none yet.  When an
   option is renamed or removed, its old name goes here, so that a profile
   written for the older format still loads, or says what changed.  */
static const struct nook_profile_change format_changes[] = {
  { 0, NULL, NULL, NULL },
};

#define MAX_PROFILE_SIZE (1024 * 1024)
#define MAX_KEY_LEN 64

static void
entry_free (struct nook_profile_entry *e)
{
  free (e->key);
  strv_free (e->values);
  for (size_t i = 0; i < e->n_lists; i++)
    strv_free (e->lists[i]);
  free (e->lists);
}

void
nook_profile_free (struct nook_profile *profile)
{
  free (profile->file);
  free (profile->description);
  strv_free (profile->includes);
  for (size_t i = 0; i < profile->n_entries; i++)
    entry_free (&profile->entries[i]);
  free (profile->entries);
  memset (profile, 0, sizeof *profile);
}

/* "profile `FILE`: key `KEY`: " and the message.  */
static int __attribute__ ((format (printf, 4, 5)))
key_error (struct nook_error *err, const char *file, const char *key, const char *fmt, ...)
{
  cleanup_free char *shown = nook_escape_name (key), *msg = NULL;
  va_list ap;
  int n;

  va_start (ap, fmt);
  n = vasprintf (&msg, fmt, ap);
  va_end (ap);
  if (n < 0)
    msg = NULL;
  return nook_error_set (err, 0, "profile `%s`: key `%s`: %s", file, shown, msg ? msg : "invalid");
}

/* The text of a string or a number; NULL for any other value, or a string
   holding a NUL byte (no option argument can).  */
static char *
scalar_text (json_object *v)
{
  switch (json_object_get_type (v))
    {
    case json_type_string:
      if ((size_t)json_object_get_string_len (v) != strlen (json_object_get_string (v)))
        return NULL;
      return xstrdup (json_object_get_string (v));
    case json_type_int:
    case json_type_double:
      /* json-c keeps a parsed number's own text: 0.50 stays 0.50.  */
      return xstrdup (json_object_get_string (v));
    default:
      return NULL;
    }
}

/* An array of strings or numbers into a strv.  */
static int
read_scalars (json_object *arr, const char *file, const char *key, char ***out, struct nook_error *err)
{
  size_t n = json_object_array_length (arr);

  *out = xcalloc (n + 1, sizeof **out);
  for (size_t i = 0; i < n; i++)
    {
      (*out)[i] = scalar_text (json_object_array_get_idx (arr, i));
      if ((*out)[i] == NULL)
        return key_error (err, file, key, "item %zu is not a string or a number", i + 1);
    }
  return 0;
}

/* An array: of scalars (LIST) or of arrays of scalars (LISTS).  */
static int
read_array (json_object *v, const char *file, struct nook_profile_entry *e, struct nook_error *err)
{
  size_t n = json_object_array_length (v);
  bool nested = n > 0 && json_object_is_type (json_object_array_get_idx (v, 0), json_type_array);

  if (!nested)
    {
      e->form = NOOK_PROFILE_LIST;
      return read_scalars (v, file, e->key, &e->values, err);
    }
  e->form = NOOK_PROFILE_LISTS;
  e->lists = xcalloc (n, sizeof *e->lists);
  for (size_t i = 0; i < n; i++)
    {
      json_object *item = json_object_array_get_idx (v, i);
      if (!json_object_is_type (item, json_type_array))
        return key_error (err, file, e->key, "item %zu is not a list, as the first one is", i + 1);
      e->n_lists++;
      if (read_scalars (item, file, e->key, &e->lists[i], err) < 0)
        return -1;
    }
  return 0;
}

static int
read_entry (const char *key, json_object *v, const char *file, struct nook_profile_entry *e,
            struct nook_error *err)
{
  e->key = xstrdup (key);
  switch (json_object_get_type (v))
    {
    case json_type_boolean:
      e->form = NOOK_PROFILE_FLAG;
      e->flag = json_object_get_boolean (v);
      return 0;
    case json_type_array:
      return read_array (v, file, e, err);
    default:
      e->form = NOOK_PROFILE_SCALAR;
      e->values = xcalloc (2, sizeof *e->values);
      e->values[0] = scalar_text (v);
      if (e->values[0] == NULL)
        return key_error (err, file, key,
                          "a value is true, a string, a number, or a list of them (see nook-profile(5))");
      return 0;
    }
}

/* An option's long name: what a key may be, besides the format's own.  */
static bool
key_is_valid (const char *key)
{
  size_t len = strlen (key);

  if (len == 0 || len > MAX_KEY_LEN || key[0] == '-')
    return false;
  return strspn (key, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

static int
read_version (json_object *v, const char *file, struct nook_profile *profile, struct nook_error *err)
{
  int64_t n;

  if (v == NULL)
    {
      nook_error_set (err, 0, "profile `%s`: no \"version\"", file);
      return nook_error_hint (err, "start it with \"version\": %d, the format it is written for",
                              NOOK_PROFILE_FORMAT);
    }
  n = json_object_is_type (v, json_type_int) ? json_object_get_int64 (v) : 0;
  if (n < 1)
    return key_error (err, file, "version", "the format's number, such as %d", NOOK_PROFILE_FORMAT);
  if (n > NOOK_PROFILE_FORMAT)
    {
      nook_error_set (err, 0,
                      "profile `%s`: written for profile format %lld; this nook reads format %d and older",
                      file, (long long)n, NOOK_PROFILE_FORMAT);
      return nook_error_hint (err, "upgrade nook");
    }
  profile->version = (int)n;
  return 0;
}

static int
read_meta (json_object *root, const char *file, struct nook_profile *profile, struct nook_error *err)
{
  json_object *v;

  if (read_version (json_object_object_get_ex (root, "version", &v) ? v : NULL, file, profile, err) < 0)
    return -1;
  if (json_object_object_get_ex (root, "description", &v))
    {
      profile->description = json_object_is_type (v, json_type_string) ? scalar_text (v) : NULL;
      if (profile->description == NULL)
        return key_error (err, file, "description", "a string");
    }
  if (json_object_object_get_ex (root, "include", &v))
    {
      if (json_object_is_type (v, json_type_string))
        {
          cleanup_free char *one = scalar_text (v);
          if (one == NULL)
            return key_error (err, file, "include", "a list of profile names");
          strv_append (&profile->includes, one);
        }
      else if (!json_object_is_type (v, json_type_array)
               || read_scalars (v, file, "include", &profile->includes, err) < 0)
        return err && err->msg ? -1 : key_error (err, file, "include", "a list of profile names");
      for (size_t i = 0; profile->includes && profile->includes[i]; i++)
        if (profile->includes[i][0] == '\0')
          return key_error (err, file, "include", "item %zu is empty", i + 1);
    }
  return 0;
}

int
nook_profile_migrate (struct nook_profile *profile, const struct nook_profile_change *changes,
                      struct nook_error *err)
{
  for (const struct nook_profile_change *c = changes; c->format; c++)
    {
      if (profile->version >= c->format)
        continue;
      for (size_t i = 0; i < profile->n_entries; i++)
        {
          struct nook_profile_entry *e = &profile->entries[i];
          if (strcmp (e->key, c->key) != 0)
            continue;
          if (c->now == NULL)
            {
              key_error (err, profile->file, e->key, "removed in profile format %d: %s", c->format, c->what);
              return nook_error_hint (err, "change the profile, then set \"version\": %d",
                                      NOOK_PROFILE_FORMAT);
            }
          free (e->key);
          e->key = xstrdup (c->now);
        }
    }
  return 0;
}

int
nook_profile_parse (const char *text, size_t len, const char *file, struct nook_profile *profile,
                    struct nook_error *err)
{
  json_object *root;
  int r = 0;

  memset (profile, 0, sizeof *profile);
  profile->file = nook_escape_name (file);
  root = nook_json_parse_strict (text, len, "profile", profile->file, err);
  if (root == NULL)
    return -1;
  if (!json_object_is_type (root, json_type_object))
    {
      json_object_put (root);
      return nook_error_set (err, 0, "profile `%s`: not a JSON object ({ \"version\": %d, ... })",
                             profile->file, NOOK_PROFILE_FORMAT);
    }
  r = read_meta (root, profile->file, profile, err);
  profile->entries = xcalloc (json_object_object_length (root) + 1, sizeof *profile->entries);
  json_object_object_foreach (root, key, v)
  {
    if (r < 0)
      break;
    if (strv_has ((char **)meta_keys, key))
      continue;
    if (!key_is_valid (key))
      {
        r = key_error (err, profile->file, key, "not an option's name (lower-case letters, digits and `-`)");
        break;
      }
    r = read_entry (key, v, profile->file, &profile->entries[profile->n_entries++], err);
  }
  json_object_put (root);
  if (r < 0)
    return -1;
  return nook_profile_migrate (profile, format_changes, err);
}

/* ---- the search path ------------------------------------------------------------ */

bool
nook_profile_name_is_valid (const char *s)
{
  size_t len = strlen (s);

  if (len == 0 || len > 128 || s[0] == '.' || (len > 5 && strcmp (s + len - 5, ".json") == 0))
    return false;
  for (size_t i = 0; i < len; i++)
    if (!(s[i] >= 'a' && s[i] <= 'z') && !(s[i] >= 'A' && s[i] <= 'Z') && !(s[i] >= '0' && s[i] <= '9')
        && !strchr ("_.-", s[i]))
      return false;
  return true;
}

/* nook's own profiles: next to the binary in a build tree or a test
   stage (as the seccomp policies are found), else the installed ones.  */
static char *
shipped_dir (void)
{
  char exe[PATH_MAX];
  ssize_t n = readlink ("/proc/self/exe", exe, sizeof exe - 1);

  if (n > 0)
    {
      char *slash;
      exe[n] = '\0';
      slash = strrchr (exe, '/');
      if (slash)
        {
          *slash = '\0';
          static const char *const beside[] = { "../policy/profiles", "policy/profiles" };
          for (size_t i = 0; i < 2; i++)
            {
              cleanup_free char *dir = xasprintf ("%s/%s", exe, beside[i]);
              char *real = access (dir, X_OK) == 0 ? realpath (dir, NULL) : NULL;
              if (real)
                return real;
            }
        }
    }
  return xasprintf ("%s/profiles", PKGDATADIR);
}

char *
nook_profile_dir (enum nook_profile_origin origin)
{
  const char *config = getenv ("XDG_CONFIG_HOME"), *home = getenv ("HOME");

  switch (origin)
    {
    case NOOK_PROFILE_USER:
      /* The XDG rule: a relative $XDG_CONFIG_HOME is ignored.  */
      if (config && config[0] == '/')
        return xasprintf ("%s/nook/profiles", config);
      return home && home[0] == '/' ? xasprintf ("%s/.config/nook/profiles", home) : NULL;
    case NOOK_PROFILE_SYSTEM:
      return xstrdup ("/etc/nook/profiles");
    case NOOK_PROFILE_SHIPPED:
      return shipped_dir ();
    default:
      return NULL;
    }
}

/* Whether A and B are the same file.  */
static bool
same_file (const char *a, const char *b)
{
  cleanup_free char *ra = realpath (a, NULL), *rb = realpath (b, NULL);

  return ra && rb && strcmp (ra, rb) == 0;
}

int
nook_profile_find (const char *name, const char *skip, char **path, struct nook_error *err)
{
  cleanup_free char *searched = NULL;

  *path = NULL;
  for (int o = 0; o < NOOK_PROFILE_N; o++)
    {
      cleanup_free char *dir = nook_profile_dir (o), *candidate = NULL;
      char *more;
      if (dir == NULL)
        continue;
      candidate = xasprintf ("%s/%s.json", dir, name);
      if (access (candidate, F_OK) == 0 && !(skip && same_file (candidate, skip)))
        {
          *path = steal_pointer (&candidate);
          return 0;
        }
      more = xasprintf ("%s%s%s", searched ? searched : "", searched ? ", " : "", dir);
      free (searched);
      searched = more;
    }
  {
    cleanup_free char *shown = nook_escape_name (name);
    nook_error_set (err, 0, "profile `%s`: not in %s", shown, searched ? searched : "any directory");
  }
  return nook_error_hint (err, "`nook profile ls` lists the profiles; a file is named by a path with a `/`");
}

int
nook_profile_load (const char *path, struct nook_profile *profile, struct nook_error *err)
{
  cleanup_free char *shown = nook_escape_name (path), *text = NULL;
  /* O_NONBLOCK: a FIFO named as a profile must not hang the open.  */
  cleanup_close int fd = open (path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  struct stat st;
  ssize_t n;

  memset (profile, 0, sizeof *profile);
  if (fd < 0 || fstat (fd, &st) < 0)
    return nook_error_errno (err, "profile `%s`", shown);
  /* A profile is a small regular file: not a FIFO or a device to wait on.  */
  if (!S_ISREG (st.st_mode))
    return nook_error_set (err, 0, "profile `%s`: not a regular file", shown);
  if (st.st_size > MAX_PROFILE_SIZE)
    return nook_error_set (err, EFBIG, "profile `%s`", shown);
  text = xmalloc (st.st_size + 1);
  n = nook_read_all (fd, text, st.st_size + 1);
  if (n < 0)
    return nook_error_errno (err, "profile `%s`", shown);
  if (n > st.st_size)
    return nook_error_set (err, 0, "profile `%s`: changed while it was read", shown);
  return nook_profile_parse (text, n, path, profile, err);
}

/* ---- includes ------------------------------------------------------------------- */

#define MAX_INCLUDE_DEPTH 16

bool
nook_profile_ref_is_file (const char *ref)
{
  size_t len = strlen (ref);

  return strchr (ref, '/') || (len > 5 && strcmp (ref + len - 5, ".json") == 0);
}

void
nook_profile_set_free (struct nook_profile_set *set)
{
  for (size_t i = 0; i < set->n; i++)
    nook_profile_free (&set->profiles[i]);
  free (set->profiles);
  strv_free (set->paths);
  memset (set, 0, sizeof *set);
}

/* The file REF names, included by INCLUDER (NULL: given on the command
   line).  */
static int
ref_path (const char *ref, const char *includer, char **path, struct nook_error *err)
{
  if (!nook_profile_ref_is_file (ref))
    {
      if (!nook_profile_name_is_valid (ref))
        {
          cleanup_free char *shown = nook_escape_name (ref);
          nook_error_set (err, 0, "profile `%s`: not a profile name (letters, digits, `_`, `.`, `-`)", shown);
          return nook_error_hint (err, "a file is named by a path with a `/`, such as ./%s", shown);
        }
      return nook_profile_find (ref, includer, path, err);
    }
  if (ref[0] != '/' && includer && strrchr (includer, '/'))
    *path = xasprintf ("%.*s/%s", (int)(strrchr (includer, '/') - includer), includer, ref);
  else
    *path = xstrdup (ref);
  return 0;
}

/* "a.json -> b.json -> a.json", for a cycle closing at STACK[FROM].  */
static char *
cycle_text (char **stack, size_t from, const char *again)
{
  char *text = xstrdup ("");

  for (size_t i = from; stack[i]; i++)
    {
      cleanup_free char *shown = nook_escape_name (stack[i]);
      char *more = xasprintf ("%s%s -> ", text, shown);
      free (text);
      text = more;
    }
  {
    cleanup_free char *shown = nook_escape_name (again);
    char *more = xasprintf ("%s%s", text, shown);
    free (text);
    return more;
  }
}

static int resolve_one (const char *ref, const char *includer, char ***stack, struct nook_profile_set *set,
                        struct nook_error *err);

/* An include that cannot be found is the including file's error:
   "profile `INCLUDER`: include `REF`: WHY".  */
static int
include_error (struct nook_error *err, const char *includer, const char *ref)
{
  cleanup_free char *inner = err ? steal_pointer (&err->msg) : NULL, *file = nook_escape_name (includer),
                    *shown = nook_escape_name (ref);
  const char *why = inner ? inner : "not found";

  /* The inner message starts with "profile `REF`: ": said once.  */
  if (strncmp (why, "profile `", 9) == 0 && strstr (why, "`: "))
    why = strstr (why, "`: ") + 3;
  return nook_error_set (err, 0, "profile `%s`: include `%s`: %s", file, shown, why);
}

static int
resolve_includes (const struct nook_profile *p, const char *path, char ***stack, struct nook_profile_set *set,
                  struct nook_error *err)
{
  for (size_t i = 0; p->includes && p->includes[i]; i++)
    if (resolve_one (p->includes[i], path, stack, set, err) < 0)
      return -1;
  return 0;
}

static int
resolve_one (const char *ref, const char *includer, char ***stack, struct nook_profile_set *set,
             struct nook_error *err)
{
  cleanup_free char *path = NULL, *real = NULL;
  struct nook_profile p;
  size_t depth = strv_len (*stack);

  if (ref_path (ref, includer, &path, err) < 0)
    return includer ? include_error (err, includer, ref) : -1;
  real = realpath (path, NULL);
  if (real == NULL)
    {
      cleanup_free char *shown = nook_escape_name (path);
      nook_error_errno (err, "profile `%s`", shown);
      return includer ? include_error (err, includer, ref) : -1;
    }
  for (size_t i = 0; i < depth; i++)
    if (strcmp ((*stack)[i], real) == 0)
      {
        cleanup_free char *chain = cycle_text (*stack, i, real),
                          *last = nook_escape_name ((*stack)[depth - 1]);
        return nook_error_set (err, 0, "profile `%s`: circular include: %s", last, chain);
      }
  if (strv_has (set->paths, real))
    return 0;
  if (depth >= MAX_INCLUDE_DEPTH)
    {
      cleanup_free char *last = nook_escape_name ((*stack)[depth - 1]);
      return nook_error_set (err, 0, "profile `%s`: includes nested deeper than %d", last, MAX_INCLUDE_DEPTH);
    }
  if (nook_profile_load (path, &p, err) < 0)
    {
      nook_profile_free (&p);
      return -1;
    }
  strv_append (stack, real);
  if (resolve_includes (&p, path, stack, set, err) < 0)
    {
      nook_profile_free (&p);
      return -1;
    }
  free ((*stack)[depth]);
  (*stack)[depth] = NULL;
  set->profiles = xrealloc (set->profiles, (set->n + 1) * sizeof *set->profiles);
  set->profiles[set->n++] = p;
  strv_append (&set->paths, real);
  return 0;
}

int
nook_profile_resolve (const char *ref, struct nook_profile_set *set, struct nook_error *err)
{
  cleanup_strv char **stack = NULL;

  memset (set, 0, sizeof *set);
  return resolve_one (ref, NULL, &stack, set, err);
}
