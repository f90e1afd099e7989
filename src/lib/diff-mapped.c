/* nook: uppers of subordinate ids, and nook diff's and nook try's entry
 * points (nook_diff, nook_diff_apply, nook_remove_tree_mapped), which fall
 * back to the helper described below when the caller's own walk is
 * refused a permission.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "diff.h"
#include "diff-internal.h"
#include "escape.h"
#include "userns.h"
#include "utils.h"

/* ---- uppers of subordinate ids ---------------------------------------------------
 *
 * An upper written with --map-users auto holds files of the caller's
 * subordinate ids, such as apt's 0700 directories of uid 100 (_apt), that
 * the caller cannot read.  They are read, applied or removed by a helper
 * in a user namespace with the same mapping (nook_userns_run_mapped), where
 * the caller is root over them.  The helper walks what the sandbox wrote,
 * so its answer is data: a stream of records, each length-checked, each
 * path checked name by name, and its error text escaped (nook_escape_text)
 * before anything is used or shown.
 *
 *   'C' KIND(1) MODE(u32) OLD_MODE(u32) FCAPS(1) LEN(u32) PATH
 *                                                       a change (diff)
 *   'E' ERRNUM(u32) LEN(u32) TEXT                       the walk failed
 *   'Z'                                                 the end: all was sent
 */

#define RECORD_MAX_TEXT (1u << 20)

static bool
send_all (int fd, const void *buf, size_t len)
{
  const char *p = buf;
  while (len > 0)
    {
      ssize_t n = write (fd, p, len);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return false;
      p += n;
      len -= n;
    }
  return true;
}

static bool
send_u32 (int fd, uint32_t v)
{
  return send_all (fd, &v, sizeof v);
}

static bool
send_text (int fd, const char *text)
{
  size_t len = strlen (text);
  return len <= RECORD_MAX_TEXT && send_u32 (fd, len) && send_all (fd, text, len);
}

/* The helper's answer when it failed: the error, then the end.  */
static int
send_error (int fd, const struct nook_error *err)
{
  send_all (fd, "E", 1);
  send_u32 (fd, err->errnum);
  send_text (fd, err->msg ? err->msg : "failed");
  send_all (fd, "Z", 1);
  return -1;
}

struct reader
{
  const char *p, *end;
};

static bool
take (struct reader *r, void *out, size_t n)
{
  if ((size_t)(r->end - r->p) < n)
    return false;
  memcpy (out, r->p, n);
  r->p += n;
  return true;
}

/* A text of the stream: at most RECORD_MAX_TEXT bytes; NULL when short.  */
static char *
take_text (struct reader *r)
{
  uint32_t len;
  char *text;

  if (!take (r, &len, sizeof len) || len > RECORD_MAX_TEXT || (size_t)(r->end - r->p) < len)
    return NULL;
  text = xmalloc (len + 1);
  memcpy (text, r->p, len);
  text[len] = '\0';
  r->p += len;
  return text;
}

/* A path of the helper's: "/NAME/NAME...", each a name nook_diff_name_ok
   accepts, with no NUL inside.  */
static bool
helper_path_ok (const char *path, size_t len)
{
  if (len == 0 || path[0] != '/' || strlen (path) != len)
    return false;
  for (const char *p = path + 1;;)
    {
      const char *slash = strchrnul (p, '/');
      char name[NAME_MAX + 1];
      if ((size_t)(slash - p) > NAME_MAX)
        return false;
      memcpy (name, p, slash - p);
      name[slash - p] = '\0';
      if (!nook_diff_name_ok (name))
        return false;
      if (*slash == '\0')
        return true;
      p = slash + 1;
    }
}

/* Turns an 'E' record into ERR: nook's own words, but made by a process
   that read hostile names, so no control character reaches a terminal.  */
static int
helper_error (struct reader *r, struct nook_error *err)
{
  uint32_t errnum;
  cleanup_free char *text = NULL, *shown = NULL;

  if (!take (r, &errnum, sizeof errnum) || (text = take_text (r)) == NULL)
    return nook_error_set (err, 0, "the helper in the user namespace sent a malformed error");
  shown = nook_escape_text (text);
  nook_error_set (err, 0, "%s", shown);
  err->errnum = errnum < 4096 ? (int)errnum : 0;
  return -1;
}

int
nook_diff_read_stream (const char *buf, size_t len, struct nook_changes *out, struct nook_error *err)
{
  struct reader r = { buf, buf + len };
  char tag;

  while (take (&r, &tag, 1))
    {
      if (tag == 'Z')
        return r.p == r.end
                   ? 0
                   : nook_error_set (err, 0, "the helper in the user namespace sent more than its answer");
      if (tag == 'E')
        return helper_error (&r, err);
      if (tag == 'C' && out)
        {
          char kind, fcaps;
          uint32_t mode, old_mode;
          char *path;
          if (!take (&r, &kind, 1) || !take (&r, &mode, sizeof mode) || !take (&r, &old_mode, sizeof old_mode)
              || !take (&r, &fcaps, 1) || (path = take_text (&r)) == NULL)
            break;
          if ((kind != 'A' && kind != 'C' && kind != 'D') || !helper_path_ok (path, strlen (path)))
            {
              cleanup_free char *shown = nook_escape_name (path);
              free (path);
              return nook_error_set (err, 0, "the helper in the user namespace sent a bad entry `%s`", shown);
            }
          out->v = xrealloc (out->v, (out->n + 1) * sizeof *out->v);
          out->v[out->n++] = (struct nook_change){
            .kind = kind, .path = path, .mode = mode, .old_mode = old_mode, .fcaps = fcaps != 0
          };
          continue;
        }
      break;
    }
  return nook_error_set (err, 0, "the helper in the user namespace ended before its answer");
}

struct mapped_job
{
  const char *upper, *target;
  char *const *lowers;
  bool allow_special;
  enum
  {
    JOB_DIFF,
    JOB_APPLY,
    JOB_REMOVE,
  } kind;
};

static int
mapped_job (int fd, void *arg)
{
  const struct mapped_job *job = arg;
  struct nook_error err = { 0 };
  struct nook_changes changes;

  switch (job->kind)
    {
    case JOB_DIFF:
      if (nook_diff_walk (job->upper, job->lowers, &changes, &err) < 0)
        return send_error (fd, &err);
      for (size_t i = 0; i < changes.n; i++)
        {
          const struct nook_change *c = &changes.v[i];
          char fcaps = c->fcaps;
          if (!send_all (fd, "C", 1) || !send_all (fd, &c->kind, 1) || !send_u32 (fd, c->mode)
              || !send_u32 (fd, c->old_mode) || !send_all (fd, &fcaps, 1) || !send_text (fd, c->path))
            return -1;
        }
      nook_changes_free (&changes);
      break;
    case JOB_APPLY:
      if (nook_diff_apply_walk (job->upper, job->target, job->allow_special, &err) < 0)
        return send_error (fd, &err);
      break;
    case JOB_REMOVE:
      if (nook_remove_tree_at (AT_FDCWD, job->upper) < 0)
        {
          nook_error_errno (&err, "remove `%s`", job->upper);
          return send_error (fd, &err);
        }
      break;
    }
  return send_all (fd, "Z", 1) ? 0 : -1;
}

/* Runs JOB in the mapped helper.  ERR holds the caller's own failure
   (EACCES): it stays the message when no helper can run, with why.  */
static int
run_mapped (const struct mapped_job *job, struct nook_changes *out, struct nook_error *err)
{
  struct nook_error helper_err = { 0 };
  cleanup_free char *buf = NULL;
  size_t len;

  if (nook_userns_run_mapped (mapped_job, (void *)job, &buf, &len, &helper_err) < 0)
    {
      nook_error_hint (err,
                       "files of subordinate ids (--map-users auto) are read in a user namespace, which "
                       "failed: %s",
                       helper_err.msg ? helper_err.msg : "?");
      nook_error_release (&helper_err);
      return -1;
    }
  nook_error_release (err);
  if (out)
    memset (out, 0, sizeof *out);
  if (nook_diff_read_stream (buf, len, out, err) < 0)
    {
      if (out)
        nook_changes_free (out);
      return -1;
    }
  return 0;
}

/* Whether a failure of the caller's own walk is one the mapped helper may
   not meet: a permission refused on files of other ids.  */
static bool
worth_mapping (const struct nook_error *err)
{
  return (err->errnum == EACCES || err->errnum == EPERM) && getuid () != 0;
}

int
nook_diff (const char *upper, char *const *lowers, struct nook_changes *out, struct nook_error *err)
{
  struct mapped_job job = { .upper = upper, .lowers = lowers, .kind = JOB_DIFF };

  if (nook_diff_walk (upper, lowers, out, err) == 0)
    return 0;
  if (!worth_mapping (err))
    return -1;
  nook_changes_free (out);
  if (run_mapped (&job, out, err) < 0)
    return -1;
  if (out->n > 0)
    qsort (out->v, out->n, sizeof *out->v, nook_diff_compare_changes);
  return 0;
}

int
nook_diff_apply (const char *upper, const char *target, bool allow_special, struct nook_error *err)
{
  struct mapped_job job
      = { .upper = upper, .target = target, .allow_special = allow_special, .kind = JOB_APPLY };

  if (nook_diff_apply_walk (upper, target, allow_special, err) == 0)
    return 0;
  if (!worth_mapping (err))
    return -1;
  return run_mapped (&job, NULL, err);
}

int
nook_remove_tree_mapped (const char *path)
{
  struct mapped_job job = { .upper = path, .kind = JOB_REMOVE };
  struct nook_error err = { 0 };
  int r;

  if (nook_remove_tree_at (AT_FDCWD, path) == 0)
    return 0;
  if (errno != EACCES && errno != EPERM)
    return -1;
  err.errnum = errno;
  r = run_mapped (&job, NULL, &err);
  nook_error_release (&err);
  return r;
}
