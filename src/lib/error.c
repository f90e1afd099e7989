/* nook: struct nook_error: setting, hinting and releasing an error value
   (the model is in error.h).  */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

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
  fprintf (stderr, "nook: %s\n", err->msg ? err->msg : "unknown error");
  nook_error_release (err);
  return status;
}

void
nook_error_release (struct nook_error *err)
{
  free (err->msg);
  err->msg = NULL;
  err->errnum = 0;
  err->status = 0;
}
