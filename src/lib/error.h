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
  int lines;  /* msg holds several messages, one a line (nook_error_add_line) */
};

/**
 * nook_error_add_line - add one more message to an error, on a line of its own
 * @all: the error reported; when it holds no message, @one is moved into it
 * @one: released
 *
 * nook_error_report prints each message as a line of its own, "nook: "
 * first.  A newline inside @one is escaped, as everywhere else.
 */
void nook_error_add_line (struct nook_error *all, struct nook_error *one);

/**
 * nook_error_set - set an error from a printf-style message
 * @err: the error, or NULL to drop the message; any message it held is
 *       released first, and the new one is owned by it
 * @errnum: an errno whose strerror is appended, or 0
 * @fmt: the message, without the "nook: " prefix
 *
 * The status becomes NOOK_EXIT_ERROR.  An allocation failure leaves the
 * message NULL (reported as "unknown error"), never a crash.
 *
 * Return: -1, so callers can `return nook_error_set (...)`.
 */
int nook_error_set (struct nook_error *err, int errnum, const char *fmt, ...)
    __attribute__ ((format (printf, 3, 4)));

/* Like nook_error_set with errno.  */
#define nook_error_errno(err, ...) nook_error_set ((err), errno, __VA_ARGS__)

/**
 * nook_error_wrap - prefix an error's message with its context
 * @err: the error, or NULL; its message becomes "CONTEXT: old message"
 * @fmt: the context, printf-style
 *
 * On allocation failure the message stays as it was.
 *
 * Return: -1.
 */
int nook_error_wrap (struct nook_error *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/**
 * nook_error_hint - append a hint to an error's message
 * @err: the error, or NULL; " (Hint: HINT)" is appended to its message
 * @fmt: the hint, printf-style
 *
 * On allocation failure the message stays as it was.
 *
 * Return: -1.
 */
int nook_error_hint (struct nook_error *err, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/**
 * nook_error_status - set the exit status an error maps to
 * @err: the error, or NULL
 * @status: NOOK_EXIT_ERROR (the default), NOOK_EXIT_CANNOT_EXEC or
 *          NOOK_EXIT_NOT_FOUND
 *
 * Return: -1.
 */
int nook_error_status (struct nook_error *err, int status);

/**
 * nook_error_report - print an error for the user, once, from main
 * @err: the error; released
 *
 * Prints "nook: MESSAGE" on stderr.  Front ends call it once, from main;
 * the library itself never prints.
 *
 * Return: the exit status the error maps to.
 */
int nook_error_report (struct nook_error *err);

/**
 * nook_error_release - free an error's message and reset it
 * @err: the error (not NULL); may be released twice
 */
void nook_error_release (struct nook_error *err);

#endif
