/* nook: putting a new sandbox into another sandbox's namespaces
   (`--pid container:ID`, `--net container:ID`, ...).  */
#ifndef NOOK_JOIN_H
#define NOOK_JOIN_H

#include "error.h"
#include "spec.h"
#include "state.h"

struct nook_join
{
  bool active;                           /* some namespace is joined */
  int pidfd[NOOK_JOIN_N];                /* the PID 1 of each target, or -1 */
  char id[NOOK_JOIN_N][NOOK_ID_LEN + 1]; /* and its id */
  const char *ids[NOOK_JOIN_N];          /* id[k] or NULL, as nook_state_running takes them */
};

void nook_join_init (struct nook_join *join);
void nook_join_release (struct nook_join *join);

/* The NOOK_NS_* bit of each kind.  */
unsigned nook_join_ns_bit (enum nook_join_kind kind);
/* The NOOK_NS_* bits of the namespaces JOIN takes from other sandboxes.  */
unsigned nook_join_ns_bits (const struct nook_join *join);

/* Finds the sandboxes SPEC joins and opens their PID 1s, before any
   process exists.  They must be running and share one user namespace.  */
int nook_join_resolve (const struct nook_spec *spec, struct nook_join *join, struct nook_error *err);

/* Moves the calling process into the targets' user namespace and into
   the namespaces it joins, so that clone3 creates the sandbox there.  */
int nook_join_enter (const struct nook_join *join, struct nook_error *err);

#endif
