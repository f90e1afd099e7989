/* nook: what the command may do once it runs — capabilities,
 * no_new_privs and the seccomp filter.
 *
 * The options fill a struct nook_security in the spec.  nook_security_prepare
 * runs in nook before the sandbox exists (policy errors leave nothing
 * behind, and the compiled filter comes from the cache); nook_security_apply
 * runs in the sandbox as the very last step before exec.
 */
#ifndef NOOK_SECURITY_H
#define NOOK_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "seccomp.h"
#include "security-spec.h"

struct nook_spec;

/* The programs a command is loaded with, in order: nook's terminal filter
   (TIOCSTI, TIOCLINUX), then the policy.  What the engine compiled (or read
   back from a sandbox's state), never part of the spec.  */
struct nook_filters
{
  struct nook_bpf bpf[2];
  struct nook_bpf *extra; /* the spec's bpf_fds, read, in order */
  size_t n_extra;
  bool ready; /* compiled or read back; an unconfined spec needs none */
};

/**
 * nook_filters_free - release compiled filters
 * @filters: its programs are freed and it is zeroed; may be freed twice
 */
void nook_filters_free (struct nook_filters *filters);

/**
 * nook_security_prepare - compile the seccomp policy of SPEC
 * @spec: the sandbox's spec
 * @filters: zeroed, then filled with the compiled programs (none when the
 *           spec is unconfined) and marked ready; free with
 *           nook_filters_free, on failure too
 * @err: set on a missing or broken policy
 *
 * Finds the policy (a path, or a name in the policy directories), and
 * loads its compiled filter from the per-user cache or compiles it with
 * libseccomp.  Runs in nook, before any process is created.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_security_prepare (const struct nook_spec *spec, struct nook_filters *filters,
                           struct nook_error *err);

/**
 * nook_security_apply - lock the calling process down as SPEC asks
 * @spec: the sandbox's spec
 * @filters: its programs, from nook_security_prepare (or nook_sandbox_filters
 *           for a running sandbox); unused when @spec is unconfined
 * @err: set on failure
 *
 * In this order: the --ulimit resource limits, a session keyring of its own unless the policy is the
 * default one (which refuses keyctl), the capability bounding set, setresgid/setresuid to
 * spec->uid/gid when they differ, the capability sets (ambient ones for a
 * non-zero uid that asked for capabilities), no_new_privs, and the
 * seccomp filter last.  When the credentials change, PR_SET_PDEATHSIG is
 * re-armed (the kernel clears it); the caller then checks that its parent
 * is still alive.  The next call must be the exec.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_security_apply (const struct nook_spec *spec, const struct nook_filters *filters,
                         struct nook_error *err);

#endif
