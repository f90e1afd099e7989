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

/* --landlock: auto restricts where the kernel can and the sandbox may not
   mount (landlock.h).  */
enum nook_landlock_mode
{
  NOOK_LANDLOCK_AUTO = 0,
  NOOK_LANDLOCK_ON,
  NOOK_LANDLOCK_OFF,
};
/* Their names, in the order of the enum: the option's and the state's.  */
#define NOOK_LANDLOCK_MODES                                                                                  \
  {                                                                                                          \
    "auto", "on", "off"                                                                                      \
  }

struct nook_security
{
  /* Capabilities as bit masks (1 << CAP_x).  The effective set is computed
     by nook_caps_for_spec: added ones win over a dropped ALL, as podman
     does, so the order of the options does not matter.  */
  uint64_t cap_add, cap_drop;
  bool cap_add_all, cap_drop_all;

  char *seccomp;     /* --seccomp: a path, a policy name, "unconfined"; NULL: "default" */
  bool allow_nested; /* --allow-nested: user namespaces inside */
  enum nook_landlock_mode landlock;
  bool tty;      /* --tty: a terminal of its own, with job control */
  int *pass_fds; /* --pass-fd: kept open into the command */
  size_t n_pass_fds;

  /* Compiled classic BPF programs (struct sock_filter arrays), read from
     these fds (and the fds closed) before any process exists, loaded in
     this order after the policy's (bubblewrap's --seccomp, --add-seccomp-fd).  */
  int *bpf_fds;
  size_t n_bpf_fds;
  /* Nested user namespaces: none may be created (the limit set to 1 in
     the sandbox's own, which the command then sits below), or only check
     that none can be.  */
  bool disable_userns;
  bool assert_userns_disabled;
  /* The command stays in the caller's session (no setsid): it keeps the
     controlling terminal, as bubblewrap without --new-session does.  */
  bool same_session;
  /* Resource limits are spec->limits.rlimits (--ulimit, an OCI config's
     process.rlimits).  */
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
