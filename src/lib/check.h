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

/**
 * nook_check_run - run every host diagnostic of `nook check`
 * @results: gets an array of results, owned by the caller (release with
 *           nook_check_free)
 *
 * Runs each check as the calling user; a check that cannot tell is a
 * NOOK_CHECK_WARN result saying why, never a failure of the call.
 *
 * Return: how many results are in *@results.
 */
size_t nook_check_run (struct nook_check_result **results);

/**
 * nook_check_free - release what nook_check_run returned
 * @results: the array, and each result's strings; may be NULL
 * @n: how many results it holds
 */
void nook_check_free (struct nook_check_result *results, size_t n);

/**
 * nook_check_status_name - the word `nook check` prints for a status
 * @status: PASS, WARN or FAIL
 *
 * Return: a static string; never fails.
 */
const char *nook_check_status_name (enum nook_check_status status);

#endif
