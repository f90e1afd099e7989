/* nook: small helpers shared by every module: cleanup attributes, strv,
   whole-file I/O through directory fds, and the verbose step log.  */
#ifndef NOOK_UTILS_H
#define NOOK_UTILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* ---- cleanup attributes -------------------------------------------------- */
/**
 * nook_freep - free *P (the cleanup of cleanup_free)
 * @p: a pointer to a pointer, which may be NULL
 */
void nook_freep (void *p);

/**
 * nook_closep - close *FD and set it to -1 (the cleanup of cleanup_close)
 * @fd: nothing happens when it is negative; errno is kept
 */
void nook_closep (int *fd);

/**
 * nook_strv_freep - free a string vector (the cleanup of cleanup_strv)
 * @strv: a pointer to the vector, which may be NULL
 */
void nook_strv_freep (char ***strv);

/**
 * nook_pid_killp - kill and reap a child that was not released
 * @pid: SIGKILL and waitpid when positive; errno is kept
 */
void nook_pid_killp (pid_t *pid);

#define cleanup_free __attribute__ ((cleanup (nook_freep)))
#define cleanup_close __attribute__ ((cleanup (nook_closep)))
#define cleanup_strv __attribute__ ((cleanup (nook_strv_freep)))

/* Type-checked: returns *PP and sets *PP to NULL.  */
#define steal_pointer(pp)                                                                                    \
  ({                                                                                                         \
    __typeof__ (*(pp)) _ptr = *(pp);                                                                         \
    *(pp) = NULL;                                                                                            \
    _ptr;                                                                                                    \
  })
#define steal_fd(fdp)                                                                                        \
  ({                                                                                                         \
    int _fd = *(fdp);                                                                                        \
    *(fdp) = -1;                                                                                             \
    _fd;                                                                                                     \
  })

/* ---- memory (out of memory aborts: nothing sensible can follow) ----------- */
/**
 * xmalloc - malloc that aborts when out of memory
 * @size: bytes
 *
 * Return: the memory, which the caller frees.
 */
void *xmalloc (size_t size);

/**
 * xcalloc - calloc that aborts when out of memory
 * @n: how many elements
 * @size: bytes of each
 *
 * Return: zeroed memory, which the caller frees.
 */
void *xcalloc (size_t n, size_t size);

/**
 * xrealloc - realloc that aborts when out of memory
 * @p: the memory to grow, or NULL
 * @size: its new size
 *
 * Return: the memory, which the caller frees (@p is no longer valid).
 */
void *xrealloc (void *p, size_t size);

/**
 * xstrdup - strdup that aborts when out of memory
 * @s: the string, or NULL
 *
 * Return: a copy the caller frees, or NULL for NULL.
 */
char *xstrdup (const char *s);

/**
 * xasprintf - asprintf that aborts when out of memory
 * @fmt: printf-style
 *
 * Return: the string, which the caller frees.
 */
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* ---- NULL-terminated string vectors --------------------------------------- */
/**
 * strv_len - the number of strings in a vector
 * @strv: the vector, or NULL (0)
 *
 * Return: how many strings come before the NULL.
 */
size_t strv_len (char *const *strv);

/**
 * strv_has - whether a vector holds a string
 * @strv: the vector, or NULL (none)
 * @s: the string
 *
 * Return: true when one of the strings equals @s.
 */
bool strv_has (char *const *strv, const char *s);

/**
 * strv_append - append a copy of a string to a vector
 * @strv: the vector (*@strv may be NULL), grown; owned by the caller
 * @s: the string; copied
 */
void strv_append (char ***strv, const char *s);

/**
 * strv_free - free a vector and its strings
 * @strv: the vector, or NULL
 */
void strv_free (char **strv);

/* ---- file I/O -------------------------------------------------------------- */
/**
 * nook_write_all - write all of a buffer, across short writes and EINTR
 * @fd: where to write; not closed
 * @buf: the bytes
 * @len: how many
 *
 * Return: @len, or -1 with errno set.
 */
ssize_t nook_write_all (int fd, const void *buf, size_t len);

/**
 * nook_read_all - read until a buffer is full or end of file
 * @fd: where to read; not closed
 * @buf: the caller's buffer
 * @len: its size
 *
 * Return: how many bytes were read (less than @len only at end of file),
 * or -1 with errno set.
 */
ssize_t nook_read_all (int fd, void *buf, size_t len);

/**
 * nook_copy_fd - copy what one fd reads until EOF into another
 * @in: where to read; not closed
 * @out: where to write; not closed
 *
 * Return: 0, or -1 with errno set.
 */
int nook_copy_fd (int in, int out);
/**
 * nook_write_file_at - write a buffer to an existing file
 * @dirfd: the directory PATH is relative to (or AT_FDCWD)
 * @path: the file; opened O_WRONLY, never created
 * @data: the bytes
 * @len: how many
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set when the open or a write failed.
 */
int nook_write_file_at (int dirfd, const char *path, const char *data, size_t len, struct nook_error *err);
/**
 * nook_read_file_at - read a whole small file
 * @dirfd: the directory PATH is relative to (or AT_FDCWD)
 * @path: the file
 * @out: gets its content, NUL-terminated, which the caller frees
 * @len: gets its length, or NULL
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set (and *@out untouched) when the open or
 * a read failed.
 */
int nook_read_file_at (int dirfd, const char *path, char **out, size_t *len, struct nook_error *err);

/* ---- parsing ---------------------------------------------------------------- */
/**
 * nook_parse_uint - parse a decimal unsigned integer
 * @s: the text, or NULL
 * @max: the largest value accepted
 * @out: gets the value
 *
 * Return: 0, or -1 for NULL, empty text, a sign, anything but digits, or a
 * value over @max.
 */
int nook_parse_uint (const char *s, uint64_t max, uint64_t *out);
/**
 * nook_parse_signal - a signal as kill(1), podman and runc take it
 * @s: KILL, SIGKILL or 9 (the names glibc knows, sigabbrev_np)
 *
 * Return: the signal number, or -1.
 */
int nook_parse_signal (const char *s);
/**
 * nook_parse_size - parse a size in bytes
 * @s: the text: digits with an optional b/k/m/g/t suffix (powers of 1024)
 * @out: gets the size
 *
 * Return: 0, or -1 when @s is not such a size or it overflows.
 */
int nook_parse_size (const char *s, uint64_t *out);

/* ---- per-user runtime state ------------------------------------------------ */
/**
 * nook_runtime_dir - the directory of nook's per-user runtime state
 * @err: set on failure
 *
 * $XDG_RUNTIME_DIR/nook; else /run/user/UID/nook when a login session made
 * /run/user/UID for the caller (the caller's own, mode 0700); else
 * /tmp/nook-UID.  Created 0700 on demand.
 *
 * Return: the path, which the caller frees, or NULL with @err set when it
 * cannot be created, another user owns it, or it is open to others.
 */
char *nook_runtime_dir (struct nook_error *err);

/**
 * nook_path_is_beneath - whether a path is a directory or lies beneath it
 * @path: an absolute, normalised path
 * @dir: an absolute, normalised directory ("/" holds every path)
 *
 * Compares whole components: /dx is not beneath /d.
 *
 * Return: true when @path is @dir or inside it.
 */
bool nook_path_is_beneath (const char *path, const char *dir);

/**
 * nook_name_is_valid - whether a sandbox or network name is acceptable
 * @name: the name (not NULL)
 *
 * Return: true for [A-Za-z0-9][A-Za-z0-9_.-]{0,62}.
 */
bool nook_name_is_valid (const char *name);

/* ---- verbose step log ------------------------------------------------------- */
extern int nook_verbose;
/**
 * nook_log_init - start the clock of the verbose log
 *
 * Called once, first thing in main.
 */
void nook_log_init (void);

/**
 * nook_log - one step of the verbose log
 * @fmt: printf-style
 *
 * With -v, prints "nook: [  1.234 ms] MESSAGE" (time since nook started)
 * on stderr; without it, nothing.  Never fails.
 */
void nook_log (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/**
 * nook_warn - a warning that does not stop nook
 * @fmt: printf-style
 *
 * Prints "nook: warning: MESSAGE" on stderr, with or without -v.
 */
void nook_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
