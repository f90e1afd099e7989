/* nook: fault points, where a test build stops so that a test can kill
 * nook there with SIGKILL and look for what was left behind.
 *
 * Only the test build (libnook-testing, linked into nook-faults, which
 * `make check` builds and tests/run stages) has them; in the installed
 * nook each point compiles to nothing.
 *
 * With NOOK_FAULT=list, every point passed is reported and nook goes on;
 * with NOOK_FAULT=NAME, nook reports reaching that point and blocks there
 * for good.  Reports are lines "fault point: NAME pid PID" appended to the
 * file NOOK_FAULT_FILE, opened when nook starts (nook exec later joins
 * the sandbox's mounts) and again by its path where a process closed it
 * (the detached supervisor); a process that has neither (the sandbox past
 * its pivot_root, an exec'd process) reports on stderr.  PID is the nook
 * process to kill: nook itself, or for a point in the sandbox or in an
 * exec'd process, the nook that created it.
 */
#ifndef NOOK_FAULT_H
#define NOOK_FAULT_H

#include <sys/types.h>

#ifdef NOOK_TESTING
/**
 * nook_fault_point - a named place nook may be stopped at
 * @fmt: printf-style, the name: "parent: state", "sandbox: root"…
 */
void nook_fault_point (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/**
 * nook_fault_owner - the nook process that is about to create a child
 *
 * Called before a clone: the child's points then name this process as
 * the one to kill.
 */
void nook_fault_owner (void);
#else
static inline void __attribute__ ((format (printf, 1, 2))) nook_fault_point (const char *fmt, ...)
{
  (void)fmt;
}
static inline void
nook_fault_owner (void)
{
}
#endif

#endif
