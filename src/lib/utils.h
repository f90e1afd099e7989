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
void nook_freep (void *p);
void nook_closep (int *fd);
void nook_strv_freep (char ***strv);
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
void *xmalloc (size_t size);
void *xcalloc (size_t n, size_t size);
void *xrealloc (void *p, size_t size);
char *xstrdup (const char *s);
char *xasprintf (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

/* ---- NULL-terminated string vectors --------------------------------------- */
size_t strv_len (char *const *strv);
void strv_append (char ***strv, const char *s); /* copies S */
void strv_free (char **strv);

/* ---- file I/O -------------------------------------------------------------- */
ssize_t nook_write_all (int fd, const void *buf, size_t len);
ssize_t nook_read_all (int fd, void *buf, size_t len);
/* Copies what IN reads until EOF into OUT.  Returns 0, or -1 (errno set).  */
int nook_copy_fd (int in, int out);
/* Writes DATA to DIRFD/PATH (O_WRONLY, no create).  */
int nook_write_file_at (int dirfd, const char *path, const char *data, size_t len, struct nook_error *err);
/* Reads a whole small file; *OUT is NUL-terminated.  */
int nook_read_file_at (int dirfd, const char *path, char **out, size_t *len, struct nook_error *err);

/* ---- parsing ---------------------------------------------------------------- */
/* Parses a decimal unsigned integer that fits in MAX; rejects sign, junk, empty.  */
int nook_parse_uint (const char *s, uint64_t max, uint64_t *out);
/* Parses a size with an optional k/m/g/t suffix (powers of 1024).  */
int nook_parse_size (const char *s, uint64_t *out);

/* ---- per-user runtime state ------------------------------------------------ */
/* The directory for nook's per-user runtime state: $XDG_RUNTIME_DIR/nook,
   else /tmp/nook-UID.  Created 0700 on demand; refused when another user
   owns it or it is open to others.  Returns a newly allocated path.  */
char *nook_runtime_dir (struct nook_error *err);

/* A sandbox or network name: [A-Za-z0-9][A-Za-z0-9_.-]{0,62}.  */
bool nook_name_is_valid (const char *name);

/* ---- verbose step log ------------------------------------------------------- */
extern int nook_verbose;
void nook_log_init (void);
/* With -v, prints "nook: [  1.234 ms] MESSAGE" (time since nook started).  */
void nook_log (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* Prints "nook: warning: MESSAGE" always.  */
void nook_warn (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));

#endif
