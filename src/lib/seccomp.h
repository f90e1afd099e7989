/* nook: seccomp policies in the OCI / containers JSON format, compiled
 * with libseccomp into the BPF programs the sandbox loads.  */
#ifndef NOOK_SECCOMP_H
#define NOOK_SECCOMP_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "seccomp-policy.h"

/* A compiled classic-BPF seccomp program.  */
struct nook_bpf
{
  void *insns; /* struct sock_filter[len] */
  size_t len;
  unsigned flags; /* SECCOMP_FILTER_FLAG_* asked for by the policy */
  unsigned
      socket_guard; /* NOOK_SECCOMP_SOCKET_BY_ARGS, NOOK_SECCOMP_X86_SOCKET_LOST: for the terminal filter */
};

/* The default policy, compiled in from policy/seccomp/default.json by
   make (seccomp-default.c in the build tree); NUL-terminated.  */
extern const char nook_seccomp_default_policy[];
extern const size_t nook_seccomp_default_policy_len;
/* Its SHA-256 in hex, computed when it was compiled in.  */
extern const char nook_seccomp_default_policy_sha256[];

/**
 * nook_seccomp_builtin - the text of a policy built into nook
 * @what: a policy name or path
 * @name: set to the policy's name for messages; free it
 * @text: set to its JSON, nook's own read-only copy (not to be freed)
 * @len: set to its length
 *
 * `default` is built in, so that a copied or relocated nook, or one whose
 * data directory is gone, still confines its sandboxes; the installed
 * default.json is its documented copy.  The text is not copied: a run
 * whose programs come from the cache (nook_seccomp_cache_load) never
 * reads it, and its pages are never brought in.
 *
 * Return: true when @what names a built-in policy (the outputs are set).
 */
bool nook_seccomp_builtin (const char *what, char **name, const char **text, size_t *len);

/**
 * nook_seccomp_find - the file of a policy
 * @what: a path (it has a `/` or ends in `.json`) or a policy name
 * @path: the file found; free it
 * @err: set when there is none
 *
 * A name is looked up as NAME.json in policy/seccomp next to the nook
 * binary's directory (a build tree), then in the installed policy
 * directory.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_seccomp_find (const char *what, char **path, struct nook_error *err);

/**
 * nook_seccomp_compile - compile a policy into a BPF program
 * @text: the policy's JSON (need not be NUL-terminated)
 * @len: its length
 * @file: the policy's name for messages
 * @params: what includes/excludes are decided by
 * @out: the program; release with nook_bpf_free
 * @err: set on a broken policy: the file, the line and column or the
 *       field, and what is wrong
 *
 * Return: 0, or -1 with @err set.
 */
int nook_seccomp_compile (const char *text, size_t len, const char *file,
                          const struct nook_seccomp_params *params, struct nook_bpf *out,
                          struct nook_error *err);

/**
 * nook_seccomp_terminal_filter - the filter nook adds to every policy
 * @socket_guard: the policy's socket_guard (0 for none)
 * @out: the program
 * @err: set on failure
 *
 * It refuses (EPERM) the ioctls TIOCSTI, which pushes input into a
 * terminal, and TIOCLINUX, which can read the console (CVE-2017-5226),
 * whatever the policy allows.  With NOOK_SECCOMP_SOCKET_BY_ARGS in
 * @socket_guard (a policy that refuses some socket families), it refuses
 * the 32-bit x86 socketcall(SYS_SOCKET) too: the family is in memory
 * there, out of any filter's reach, and libseccomp gives that call the
 * action of the policy's socket rules without their conditions, which
 * would let AF_VSOCK through.  With NOOK_SECCOMP_X86_SOCKET_LOST it
 * refuses the direct 32-bit x86 socket call as well, whose rules
 * libseccomp could not all add.  It is a filter of its own because
 * libseccomp cannot make an exception to a rule that allows every ioctl,
 * as policies do, when the default action is not ALLOW; the kernel runs
 * every filter and keeps the strictest answer.  nook_bpf_merge makes one
 * program of it and a policy where it can.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_seccomp_terminal_filter (unsigned socket_guard, struct nook_bpf *out, struct nook_error *err);

/**
 * nook_seccomp_install - load a BPF program as the calling thread's filter
 * @bpf: the program
 * @err: set on failure
 *
 * no_new_privs (or CAP_SYS_ADMIN) must already be in place.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_seccomp_install (const struct nook_bpf *bpf, struct nook_error *err);

/**
 * nook_bpf_shorten - the same decisions in fewer instructions
 * @prog: a seccomp program as libseccomp writes it
 * @len: its length
 * @out: set to the shorter program (free it), or NULL
 *
 * The comparisons that pick a place by architecture and system call
 * number become a binary search over ranges of numbers; the code from
 * those places on is kept as it is.  The result is checked to send every
 * architecture and number where @prog sends it (seccomp-shorten.c).
 *
 * Return: the length of @out, or 0 when @prog is kept: a program of
 * another shape, or one that would not get shorter.
 */
size_t nook_bpf_shorten (const struct sock_filter *prog, size_t len, struct sock_filter **out);

/**
 * nook_bpf_merge - one program that answers as two stacked filters do
 * @older: the filter that would be loaded first (nook's terminal filter)
 * @newer: the one that would be loaded after it (the policy)
 * @out: the program, loaded with @newer's flags; release with
 *       nook_bpf_free
 *
 * @older's code comes first, each of its returns given the answer the
 * kernel would pick from both filters, or a jump to @newer where @older
 * leaves the call to it; @newer follows unchanged.  That needs @newer to
 * answer every call @older refuses with one return, whatever the
 * arguments, and neither filter to carry a flag that changes what the
 * kernel logs (seccomp-merge.c).
 *
 * Return: 1 with @out set, or 0 when the two must stay two filters.
 */
int nook_bpf_merge (const struct nook_bpf *older, const struct nook_bpf *newer, struct nook_bpf *out);

/**
 * nook_bpf_free - release a program
 * @bpf: the program; zeroed
 */
void nook_bpf_free (struct nook_bpf *bpf);

/* ---- the per-user cache of compiled policies (seccomp-cache.c) ---------- */

/* An entry holds the policy's program and the terminal filter.  */
#define NOOK_SECCOMP_CACHE_PROGS 2

/**
 * nook_seccomp_cache_load - compiled programs from the cache
 * @text: the policy's content
 * @len: its length
 * @params: what it was compiled for
 * @out: NOOK_SECCOMP_CACHE_PROGS programs when found
 *
 * An entry is used only when it was written for exactly this content,
 * these parameters, this kernel, this libseccomp and this nook; anything
 * else is a miss.
 *
 * Return: 1 when found, 0 on a miss.
 */
int nook_seccomp_cache_load (const char *text, size_t len, const struct nook_seccomp_params *params,
                             struct nook_bpf *out);

/**
 * nook_seccomp_cache_store - remember compiled programs
 * @text: the policy's content
 * @len: its length
 * @params: what it was compiled for
 * @progs: NOOK_SECCOMP_CACHE_PROGS programs
 *
 * Failures are ignored: the cache only saves time.
 */
void nook_seccomp_cache_store (const char *text, size_t len, const struct nook_seccomp_params *params,
                               const struct nook_bpf *progs);

#endif
