/* nook: errors as values.
 *
 * Every fallible library function returns a negative int and fills a
 * struct nook_error.  Callers that add context wrap it ("outer: inner").
 * Only main() and a post-fork child turn an error into an exit.
 */
#ifndef NOOK_ERROR_H
#define NOOK_ERROR_H

#include <stdarg.h>

/* Exit statuses, as podman and docker use them.  */
enum
{
  NOOK_EXIT_ERROR = 125, /* nook itself failed */
  NOOK_EXIT_CANNOT_EXEC = 126,
  NOOK_EXIT_NOT_FOUND = 127,
};

struct nook_error
{
  int errnum; /* errno that caused it, or 0 */
  int status; /* exit status the user should see */
  char *msg;  /* full message, without the "nook: " prefix */
};

/* Sets ERR from a printf-style message; appends strerror(ERRNUM) when ERRNUM
   is non-zero.  Always returns -1 so callers can `return nook_error_set (...)`. */
int nook_error_set (struct nook_error *err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Like nook_error_set with errno.  */
#define nook_error_errno(err, ...) nook_error_set ((err), errno, __VA_ARGS__)

/* Prefixes the message with context: "CONTEXT: old message".  Returns -1.  */
int nook_error_wrap (struct nook_error *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Appends " (Hint: ...)" to the message.  Returns -1.  */
int nook_error_hint (struct nook_error *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* Sets the exit status the error maps to (default NOOK_EXIT_ERROR).  Returns -1.  */
int nook_error_status (struct nook_error *err, int status);

/* Prints "nook: MESSAGE" on stderr and returns the exit status.  Releases ERR.  */
int nook_error_report (struct nook_error *err);

void nook_error_release (struct nook_error *err);

#endif
