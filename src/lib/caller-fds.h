/* nook: the fds a caller hands a run to follow it (bubblewrap's
 * --info-fd, --json-status-fd, --block-fd, --userns-block-fd,
 * --lock-file), as struct nook_life_spec describes them.
 *
 * The reports are written by nook, outside the sandbox: the sandbox never
 * holds the caller's report fds (step_fds in spawn.c closes them).
 */
#ifndef NOOK_CALLER_FDS_H
#define NOOK_CALLER_FDS_H

#include <sys/types.h>

#include "error.h"
#include "spec.h"

/**
 * nook_report_started - the first report, once the sandbox exists
 * @spec: its life.info_fd gets bubblewrap's pretty-printed object and is
 *        closed (readers wait for EOF); life.json_status_fd gets the same
 *        as one line and stays open for the exit
 * @pid: the sandbox's first process, as the host sees it
 *
 * The ids of the namespaces the run created (cgroup, ipc, mnt, net, pid,
 * uts) follow "child-pid", named "NAME-namespace".  A reader that went
 * away is no error: the run goes on.
 */
void nook_report_started (struct nook_spec *spec, pid_t pid);

/**
 * nook_report_exited - the last report: {"exit-code": N} on json_status_fd
 * @spec: only its life.json_status_fd is used, then closed
 * @status: the command's exit status (128+N for signal N)
 *
 * Only called when the command ran: a run that failed before its exec has
 * no exit code, as bubblewrap's has none.
 */
void nook_report_exited (struct nook_spec *spec, int status);

/**
 * nook_wait_block_fd - wait until FD has a byte to read, or EOF
 * @fd: the caller's fd; closed afterwards
 */
void nook_wait_block_fd (int fd);

/**
 * nook_lock_files - take a read lock on each path, in the sandbox
 * @paths: paths inside the sandbox's root (NULL-terminated), or NULL
 * @err: set when one cannot be opened or locked
 *
 * The fds are left open and inheritable: an fcntl lock lives as long as
 * an fd of its process, so the command holds the locks until it ends, and
 * a caller that asks for a conflicting lock learns that it still runs.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_lock_files (char *const *paths, struct nook_error *err);

#endif
