/* nook: host diagnostics for `nook check`.  */
#ifndef NOOK_CHECK_H
#define NOOK_CHECK_H

#include <stddef.h>

enum nook_check_status
{
  NOOK_CHECK_PASS,
  NOOK_CHECK_WARN,
  NOOK_CHECK_FAIL,
};

struct nook_check_result
{
  const char *name; /* what was checked, e.g. "user namespaces" */
  enum nook_check_status status;
  char *detail; /* what was found */
  char *fix;    /* how to fix it (NULL for PASS) */
};

/* Runs every check as the calling user.  Fills *RESULTS (caller frees with
   nook_check_free) and returns how many there are.  */
size_t nook_check_run (struct nook_check_result **results);
void nook_check_free (struct nook_check_result *results, size_t n);
const char *nook_check_status_name (enum nook_check_status status);

#endif
