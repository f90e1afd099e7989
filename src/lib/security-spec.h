/* nook: the security part of the data model (--cap-add, --seccomp, --tty,
 * --pass-fd, ...).
 *
 * Kept apart from security.h so spec.h can include it without the
 * engine's functions: only basic types and error.h here.  The compiled
 * programs are engine state (struct nook_filters, security.h).
 */
#ifndef NOOK_SECURITY_SPEC_H
#define NOOK_SECURITY_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* One resource limit (setrlimit), as an OCI config's process.rlimits.  */
struct nook_rlimit
{
  int resource; /* RLIMIT_* */
  uint64_t soft, hard;
};

struct nook_security
{
  /* Capabilities as bit masks (1 << CAP_x).  The effective set is computed
     by nook_caps_for_spec: added ones win over a dropped ALL, as podman
     does, so the order of the options does not matter.  */
  uint64_t cap_add, cap_drop;
  bool cap_add_all, cap_drop_all;

  char *seccomp;     /* --seccomp: a path, a policy name, "unconfined"; NULL: "default" */
  bool allow_nested; /* --allow-nested: user namespaces inside */
  bool tty;          /* --tty: a terminal of its own, with job control */
  int *pass_fds;     /* --pass-fd: kept open into the command */
  size_t n_pass_fds;

  struct nook_rlimit *rlimits; /* set before the command runs */
  size_t n_rlimits;
  bool oom_score_adj_set;
  int oom_score_adj;
  bool personality_set;
  unsigned long personality; /* personality(2) domain, e.g. PER_LINUX32 */
};

/**
 * nook_security_free - release a security spec (defined in security.c)
 * @sec: its strings and fds array are freed and it is zeroed; the fds
 *       themselves stay open, owned by whoever opened them
 */
void nook_security_free (struct nook_security *sec);

#endif
