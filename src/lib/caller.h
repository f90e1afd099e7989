/* nook: who runs nook — the calling process' ids, working directory, home
 * and user name.
 *
 * Read once by the engine before anything is created, and kept in the
 * sandbox's runtime state, not in the spec: the spec holds what was asked
 * for, this is what the host says.  Only basic types and error.h here.
 */
#ifndef NOOK_CALLER_H
#define NOOK_CALLER_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct nook_caller
{
  uid_t uid;
  gid_t gid;
  char *cwd;  /* getcwd(): a physical path */
  char *home; /* $HOME when absolute, else the passwd entry's, else "/" */
  char *user; /* the passwd entry's name, else $USER; may be NULL */
};

/**
 * nook_caller_resolve - read the calling process' identity and places
 * @caller: filled with owned strings; release with nook_caller_free
 * @want_name: ask the passwd database for the user name even when the
 *             environment gives HOME and USER (/etc/subuid is keyed by it)
 * @err: set when the working directory cannot be read
 *
 * The passwd database (NSS: files, maybe LDAP) is asked only when needed:
 * it is the slowest step before the clone.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_caller_resolve (struct nook_caller *caller, bool want_name, struct nook_error *err);

/**
 * nook_caller_free - release what nook_caller_resolve filled
 * @caller: its strings are freed and it is zeroed; may be freed twice
 */
void nook_caller_free (struct nook_caller *caller);

#endif
