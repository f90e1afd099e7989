/* nook: the seccomp policy format (OCI / containers JSON), read into a
 * libseccomp filter.  */
#ifndef NOOK_SECCOMP_POLICY_H
#define NOOK_SECCOMP_POLICY_H

#include <seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* What a policy's "includes" and "excludes" are decided by.  */
struct nook_seccomp_params
{
  uint64_t caps;     /* the command's capabilities (1 << CAP_x) */
  bool allow_nested; /* nook's own condition "nested" */
};

/* Not a SECCOMP_FILTER_FLAG_*: set in nook_seccomp_policy_read's @flags
   when the policy makes socket(2) depend on its arguments (a family
   refused).  On the 32-bit x86 ABI libseccomp ties socket's rules to
   socketcall(SYS_SOCKET), which passes the arguments in memory, and drops
   the conditions there: the rule's action then holds for every family.
   The terminal filter refuses that call instead (seccomp.h).  */
#define NOOK_SECCOMP_SOCKET_BY_ARGS (1u << 31)
/* Not a SECCOMP_FILTER_FLAG_* either: a rule of the policy for socket
   could not be added for the 32-bit x86 ABI (it conflicted with another on
   socketcall), so that the direct socket call there would not answer as
   the policy says; the terminal filter refuses that call too.  */
#define NOOK_SECCOMP_X86_SOCKET_LOST (1u << 30)

/**
 * nook_seccomp_policy_read - read a policy into a libseccomp filter
 * @text: the policy's JSON (need not be NUL-terminated; may be hostile)
 * @len: its length
 * @file: the policy's name for messages
 * @params: what includes/excludes are decided by
 * @ctx: the filter, with every rule that applies; the caller releases it
 *       with seccomp_release; NULL on failure
 * @flags: the SECCOMP_FILTER_FLAG_* the policy asks for, and
 *         NOOK_SECCOMP_SOCKET_BY_ARGS
 * @err: set on a broken policy: the file, the line and column or the
 *       field, and what is wrong
 *
 * Every entry is checked, also one whose condition does not hold today.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_seccomp_policy_read (const char *text, size_t len, const char *file,
                              const struct nook_seccomp_params *params, scmp_filter_ctx *ctx, unsigned *flags,
                              struct nook_error *err);

/**
 * nook_seccomp_arch_is_ours - whether a process of this machine can use an ABI
 * @arch: a libseccomp architecture token
 *
 * On x86_64 the 32-bit x86 ABI (int $0x80) and x32 (where the kernel
 * runs x32 system calls) are ours too, as is arm on aarch64: a filter must
 * cover them all, or a 32-bit binary goes around it.
 *
 * Return: true when @arch is the native one or one of those.
 */
bool nook_seccomp_arch_is_ours (uint32_t arch);

#endif
