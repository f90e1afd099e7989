/* nook: the lifecycle part of the data model (-d, --rm, --log-size,
 * --pid container:ID, ...).
 *
 * Kept apart from state.h so spec.h can include it without the state
 * directory's functions: only basic types and error.h here.
 */
#ifndef NOOK_LIFE_SPEC_H
#define NOOK_LIFE_SPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Namespaces a sandbox can join (`--pid container:ID`, ...).  */
enum nook_join_kind
{
  NOOK_JOIN_PID,
  NOOK_JOIN_NET,
  NOOK_JOIN_IPC,
  NOOK_JOIN_UTS,
  NOOK_JOIN_N,
};

/* The lifecycle part of struct nook_spec: what `nook run` records and how
   the sandbox is supervised.  */
struct nook_life_spec
{
  char **run_args;              /* the options of `nook run` as given: a record, never read back */
  bool detach;                  /* -d: supervise in the background */
  int remove;                   /* --rm: 1, --rm=false: 0, default -1 (foreground yes, detached no) */
  uint64_t log_size;            /* the cap of a detached sandbox's log (each of two files) */
  char *join[NOOK_JOIN_N];      /* ID or NAME of the sandbox whose namespace to join */
  char *join_path[NOOK_JOIN_N]; /* a namespace file to join (an OCI config's namespace path) */
};

#define NOOK_LOG_SIZE_DEFAULT (1024 * 1024)

/**
 * nook_life_spec_free - release a lifecycle spec (defined in state.c)
 * @life: its strings are freed
 */
void nook_life_spec_free (struct nook_life_spec *life);

#endif
