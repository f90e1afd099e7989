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

/**
 * nook_proc_start_time - read a process' start time
 * @pid: the process, 0 for the calling one
 * @start: gets field 22 of /proc/PID/stat (clock ticks since boot)
 *
 * Return: 0, or -1 with errno set (ESRCH when there is no such process).
 */
int nook_proc_start_time (pid_t pid, uint64_t *start);

/**
 * nook_pidfd_open_checked - a pidfd for a process named by pid and start time
 * @pid: the process
 * @start: its start time, as nook_proc_start_time gave it
 *
 * Opens the pidfd first and checks the start time after, so the pidfd
 * cannot name a process that took a recycled pid.
 *
 * Return: the pidfd, which the caller closes, or -1 with errno set (ESRCH
 * when that process is gone).
 */
int nook_pidfd_open_checked (pid_t pid, uint64_t start);

/**
 * nook_proc_ns_inode - the inode of a process' namespace
 * @pid: the process
 * @type: a name of nook_ns_types ("net", "pid", ...)
 * @ino: gets the inode of /proc/PID/ns/TYPE, the number lsns shows
 *
 * Return: 0, or -1 with errno set when it cannot be read.
 */
int nook_proc_ns_inode (pid_t pid, const char *type, uint64_t *ino);

/**
 * nook_proc_tree - a process and all its descendants
 * @pid: the process
 * @out: gets the pids, @pid first and parents before children, in an
 *       array the caller frees
 *
 * Read from /proc/PID/task/TID/children: a process that starts or exits
 * meanwhile may or may not be listed.
 *
 * Return: how many pids are in *@out.
 */
size_t nook_proc_tree (pid_t pid, pid_t **out);

/**
 * nook_proc_add_pidns - add the rest of a PID namespace's processes
 * @ino: the PID namespace's inode
 * @out: an array of @n pids the caller owns; grown (realloc) with every
 *       process in the namespace not listed yet, in pid order
 * @n: how many it holds
 *
 * Return: the new count.
 */
size_t nook_proc_add_pidns (uint64_t ino, pid_t **out, size_t n);

/**
 * nook_proc_inner_pid - a process' pid in its innermost PID namespace
 * @pid: the process
 * @inner: gets the last NSpid field of /proc/PID/status
 *
 * Return: 0, or -1 with errno set (ENOENT when there is no NSpid field).
 */
int nook_proc_inner_pid (pid_t pid, pid_t *inner);

/**
 * nook_proc_cgroup - a process' cgroup v2 path
 * @pid: the process, 0 for the caller
 *
 * Return: PATH of the "0::/PATH" line of /proc/PID/cgroup, relative to the
 * caller's cgroup namespace, in a string the caller frees; NULL when there
 * is none or it cannot be read.
 */
char *nook_proc_cgroup (pid_t pid);

/**
 * nook_proc_cmdline - a process' command line, as ps shows it
 * @pid: the process
 *
 * Return: the arguments joined by spaces, in a string the caller frees;
 * "?" when it cannot be read.  The text comes from the sandbox: escape it
 * before it reaches a terminal.
 */
char *nook_proc_cmdline (pid_t pid);

#endif
