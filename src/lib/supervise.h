/* nook: supervising a child that runs a command in a sandbox, shared by
 * `nook run` (spawn.c, whose child becomes nook-init) and `nook exec`
 * (exec.c, whose child becomes the command).
 *
 * nook blocks the forwarded signals before the clone and reads them from
 * a signalfd; the child inherits the mask and unblocks them just before
 * its exec, so a signal sent during setup waits instead of being lost.
 * The child reports a failure over the sync socket (sync.h) and exits;
 * the socket's EOF without a report says that the command runs.  The
 * loop forwards each signal to the child's pidfd, relays --tty, polls
 * what the caller adds, and ends when the pidfd says the child exited.
 */
#ifndef NOOK_SUPERVISE_H
#define NOOK_SUPERVISE_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "sync.h"

/* The signals nook passes on to the sandbox (nook-init passes them on to
   the command in turn).  */
#define NOOK_FORWARDED_SIGNALS SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH, SIGTSTP, SIGCONT

struct nook_tty;

/**
 * nook_supervise_block_signals - block the forwarded signals
 * @watch_children: block SIGCHLD too and report it (the child is the
 *                  command itself, which may make nook its tracer)
 * @old: the mask before, or NULL
 * @err: set on failure
 *
 * Return: a non-blocking signalfd for them, or -1 with @err set.
 */
int nook_supervise_block_signals (bool watch_children, sigset_t *old, struct nook_error *err);

/**
 * nook_supervise_unblock_signals - in a child, unblock every signal
 *
 * Called right before the child's exec; cannot fail.
 */
void nook_supervise_unblock_signals (void);

/* In the child: reports ERR to nook over SYNC_FD as TYPE with STATUS (125,
   126 or 127), then exits with STATUS.  */
void __attribute__ ((noreturn))
nook_supervise_child_fail (int sync_fd, enum nook_sync_type type, int status, const struct nook_error *err);

/**
 * nook_supervise_check_parent - in a child, exit when nook is gone
 * @sync_fd: the child's end of the sync socket
 *
 * After a change of credentials (which clears PR_SET_PDEATHSIG;
 * nook_security_apply arms it again): exits with 125 when nook died in
 * between.  Outside nook's PID namespace getppid() says 0, so nook's end
 * of SYNC_FD tells: it closes when nook dies.
 */
void nook_supervise_check_parent (int sync_fd);

#define NOOK_SUPERVISE_EXTRA 4

struct nook_supervisor
{
  pid_t pid;                       /* the child */
  int pidfd;                       /* and its pidfd: waited for, and sent the signals */
  int sigfd;                       /* from nook_supervise_block_signals */
  int sync_fd;                     /* nook's end of the sync socket, closed (-1) at EOF */
  struct nook_tty *tty;            /* --tty relay, or NULL */
  int procfd;                      /* the host's /proc (nook may be in the sandbox's mount namespace) */
  int extra[NOOK_SUPERVISE_EXTRA]; /* more fds to poll, or -1 */
  /* extra[i] polled readable: returns the fd to poll in its place from
     now on, -1 for none (a helper's pidfd or a socket at EOF stays
     readable, and would otherwise be reported again and again).  */
  int (*extra_ready) (void *ctx, int i);
  void (*started) (void *ctx); /* EOF without a report: the command runs */
  /* SIGCONT came (a shell's `fg`, a `kill -CONT` of nook) and was passed
     on; or NULL.  */
  void (*continued) (void *ctx);
  void *ctx;
  bool started_ok; /* set by the loop */
  bool kill_tree;  /* a terminating signal kills the child and every descendant (`nook exec`) */
};

/**
 * nook_supervise - wait for the child, forwarding signals
 * @sv: what to watch
 * @info: the child's end, from waitid
 * @err: the child's report when it failed; set on a failure of nook's
 *
 * Return: 0 when the child ran its command (or never reported a failure)
 * and was reaped; 1 when it reported a failure (@err has it, its status
 * 125, 126 or 127); -1 with @err set when waiting failed.
 */
int nook_supervise (struct nook_supervisor *sv, siginfo_t *info, struct nook_error *err);

#endif
