/* nook: struct nook_error: setting, hinting and releasing an error value
   (the model is in error.h).  */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "escape.h"

static char *
vformat (const char *fmt, va_list ap)
{
  char *s = NULL;
  if (vasprintf (&s, fmt, ap) < 0)
    return NULL;
  return s;
}

int
nook_error_set (struct nook_error *err, int errnum, const char *fmt, ...)
{
  va_list ap;
  char *base;

  if (err == NULL)
    return -1;
  nook_error_release (err);
  va_start (ap, fmt);
  base = vformat (fmt, ap);
  va_end (ap);
  err->errnum = errnum;
  err->status = NOOK_EXIT_ERROR;
  if (base && errnum)
    {
      if (asprintf (&err->msg, "%s: %s", base, strerror (errnum)) < 0)
        err->msg = NULL;
      free (base);
    }
  else
    err->msg = base;
  return -1;
}

int
nook_error_wrap (struct nook_error *err, const char *fmt, ...)
{
  va_list ap;
  char *prefix, *joined = NULL;

  if (err == NULL)
    return -1;
  va_start (ap, fmt);
  prefix = vformat (fmt, ap);
  va_end (ap);
  if (prefix && asprintf (&joined, "%s: %s", prefix, err->msg ? err->msg : "unknown error") >= 0)
    {
      free (err->msg);
      err->msg = joined;
    }
  free (prefix);
  return -1;
}

int
nook_error_hint (struct nook_error *err, const char *fmt, ...)
{
  va_list ap;
  char *hint, *joined = NULL;

  if (err == NULL)
    return -1;
  va_start (ap, fmt);
  hint = vformat (fmt, ap);
  va_end (ap);
  if (hint && asprintf (&joined, "%s (Hint: %s)", err->msg ? err->msg : "error", hint) >= 0)
    {
      free (err->msg);
      err->msg = joined;
    }
  free (hint);
  return -1;
}

int
nook_error_status (struct nook_error *err, int status)
{
  if (err)
    err->status = status;
  return -1;
}

int
nook_error_report (struct nook_error *err)
{
  int status = err->status ? err->status : NOOK_EXIT_ERROR;
  const char *msg = err->msg ? err->msg : "unknown error";

  /* Escaped here as well as where a name is quoted: a message that quotes
     what a sandbox or an image chose and missed it still cannot act on
     the terminal.  Joined messages (nook_error_add_line) keep their lines,
     each one escaped.  */
  for (;;)
    {
      const char *nl = err->lines ? strchr (msg, '\n') : NULL;
      char *line = nl ? strndup (msg, nl - msg) : NULL;
      char *shown = nook_escape_text (line ? line : msg);
      fprintf (stderr, "%s%s\n", msg == err->msg || !err->lines ? "nook: " : "", shown);
      free (shown);
      free (line);
      if (nl == NULL)
        break;
      msg = nl + 1;
    }
  nook_error_release (err);
  return status;
}

void
nook_error_add_line (struct nook_error *all, struct nook_error *one)
{
  char *first, *next, *joined = NULL;

  if (all->msg == NULL)
    {
      nook_error_release (all);
      *all = *one;
      *one = (struct nook_error){ 0 };
      return;
    }
  /* Each message escaped before it is joined, so that the only newlines
     left are the ones between messages.  */
  first = all->lines ? NULL : nook_escape_text (all->msg);
  next = nook_escape_text (one->msg ? one->msg : "unknown error");
  if (asprintf (&joined, "%s\nnook: %s", first ? first : all->msg, next) >= 0)
    {
      free (all->msg);
      all->msg = joined;
      all->lines = 1;
    }
  free (first);
  free (next);
  nook_error_release (one);
}

void
nook_error_release (struct nook_error *err)
{
  free (err->msg);
  err->msg = NULL;
  err->errnum = 0;
  err->status = 0;
  err->lines = 0;
}
