/* nook: what /proc tells about a sandbox's processes from outside.
 *
 * A pid alone can be recycled; nook names a process by its pid and its
 * start time (field 22 of /proc/PID/stat, in clock ticks since boot), and
 * acts on it through a pidfd opened and then checked against that start
 * time, so a recycled pid is never mistaken for the sandbox.
 */
#ifndef NOOK_PROC_H
#define NOOK_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Namespace types as /proc/PID/ns and lsns name them.  */
extern const char *const nook_ns_types[];

/* Reads the start time of PID (0: the calling process).  Returns 0, or -1
   with errno set (ESRCH when there is no such process).  */
int nook_proc_start_time (pid_t pid, uint64_t *start);

/* Opens a pidfd for PID and checks that it is still the process that
   started at START.  Returns the pidfd, or -1 with errno ESRCH when that
   process is gone.  */
int nook_pidfd_open_checked (pid_t pid, uint64_t start);

/* The inode of /proc/PID/ns/TYPE, the number lsns shows.  */
int nook_proc_ns_inode (pid_t pid, const char *type, uint64_t *ino);

/* PID and all its descendants, PID first, parents before children.
   Returns the number of pids in *OUT (to be freed).  */
size_t nook_proc_tree (pid_t pid, pid_t **out);

/* Adds to *OUT (N pids) every process in the PID namespace INO that is not
   listed yet, in pid order.  Returns the new count.  */
size_t nook_proc_add_pidns (uint64_t ino, pid_t **out, size_t n);

/* The pid of PID in its innermost PID namespace (last NSpid field).  */
int nook_proc_inner_pid (pid_t pid, pid_t *inner);

/* The cgroup v2 path of PID (0: the caller) from /proc/PID/cgroup
   ("0::/PATH"), relative to the caller's cgroup namespace; NULL if none.  */
char *nook_proc_cgroup (pid_t pid);

/* The command line of PID, arguments joined by spaces.  */
char *nook_proc_cmdline (pid_t pid);

#endif
