/* nook: what the state modules share (state.c, state-sweep.c,
   state-filters.c, state-spec.c, state-file.c); docs/state.md has the
   layout.  */
#ifndef NOOK_STATE_INTERNAL_H
#define NOOK_STATE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#include <json-c/json.h>

struct nook_store;

/* ---- entries (state-sweep.c) ---- */

/* Whether the supervisor of the entry FD lives: it holds an exclusive
   flock on it for as long as it runs, and the kernel drops that lock when
   it dies, however it dies.  */
bool nook_entry_supervised (int fd);
/* Removes the entry FD, sandboxes/ID: a directory with its files, or a
   file entry.  */
int nook_entry_remove (int boxes, int fd, const char *id);
/* Unlinks names/NAME when it names ID.  */
void nook_name_remove (struct nook_store *store, const char *name, const char *id);
/* DOC's string member KEY, or NULL.  */
const char *nook_doc_str (json_object *doc, const char *key);
/* The names in DIRFD but dot files, or NULL.  */
char **nook_dir_list (int dirfd);
/* Removes sandboxes/ID and its name when it is stale; under the store's
   lock.  Return: whether it was removed.  */
bool nook_sweep_one (struct nook_store *store, const char *id);

/* ---- the seccomp programs (state-filters.c) ---- */

#define NOOK_FILTER_FILE "seccomp.bpf"
#define NOOK_FILTER_PROGS 2

/* seccomp.bpf, and a file entry's head: this header, then the programs,
   in the order they are loaded (nook's terminal filter, then the policy;
   the first is empty when merged into the policy).  */
struct nook_filter_header
{
  char magic[8];
  struct
  {
    uint32_t insns;
    uint32_t flags;
  } progs[NOOK_FILTER_PROGS];
};

struct nook_bpf;
/* The programs FILTERS as seccomp.bpf holds them: IOV gets the header H
   and the programs, SHA256 their digest in hex.  Returns their size.  */
size_t nook_state_filters_iov (const struct nook_bpf *filters, struct nook_filter_header *h,
                               struct iovec iov[1 + NOOK_FILTER_PROGS], char sha256[65]);
/* Reads the programs of the entry DIRFD into OUT when their SHA-256 is
   SHA256.  Returns 0, or -1.  */
int nook_state_read_filters (int dirfd, const char *sha256, struct nook_bpf *out);

#endif
