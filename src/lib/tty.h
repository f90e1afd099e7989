/* nook: a terminal of the sandbox's own (--tty).
 *
 * Without --tty the sandbox runs in a new session with no controlling
 * terminal: it cannot push input into the caller's terminal
 * (CVE-2017-5226), and interactive shells have no job control.  With
 * --tty the sandbox opens a pseudo-terminal in its own devpts instance,
 * makes it its controlling terminal and stdio, and hands the master to
 * nook over a socket of their own (SCM_RIGHTS); nook relays between the
 * caller's terminal (in raw mode) and the master, and passes window size
 * changes on.  Job control works on the sandbox's terminal, and the
 * caller's terminal stays out of the sandbox's reach: TIOCSTI there could
 * only push input into the sandbox itself (and is refused anyway).
 */
#ifndef NOOK_TTY_H
#define NOOK_TTY_H

#include <poll.h>
#include <stdbool.h>
#include <termios.h>

#include "error.h"

struct nook_tty
{
  int sock;   /* nook's end of the socket the master arrives on */
  int master; /* the pseudo-terminal's master, once received */
  bool in_open, raw;
  struct termios saved; /* the caller's terminal before raw mode */
};

/**
 * nook_tty_init - an idle relay
 * @tty: every fd set to -1; release with nook_tty_release
 */
void nook_tty_init (struct nook_tty *tty);

/**
 * nook_tty_prepare - check the caller's terminal and make the socket
 * @tty: nook's side
 * @child_sock: the sandbox's end of the socket
 * @relay: the master will be relayed to the caller's terminal, which
 *         stdin must then be; false when it goes elsewhere (nook_create)
 * @err: set when stdin is not a terminal
 *
 * Return: 0, or -1 with @err set.
 */
int nook_tty_prepare (struct nook_tty *tty, int *child_sock, bool relay, struct nook_error *err);

/**
 * nook_tty_receive - receive the master the sandbox sent
 * @sock: nook's end of the socket (struct nook_tty.sock)
 *
 * Return: the master (close-on-exec), or -1.
 */
int nook_tty_receive (int sock);

/**
 * nook_tty_setup_in_sandbox - the sandbox's own terminal
 * @sock: the sandbox's end of the socket; the master is sent on it
 * @err: set on failure
 *
 * Opens /dev/ptmx (the sandbox's devpts, after the root is in place),
 * makes the peer the controlling terminal of this session and stdin,
 * stdout and stderr.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_tty_setup_in_sandbox (int sock, struct nook_error *err);

/**
 * nook_tty_pollfds - the fds the relay waits on
 * @tty: the relay
 * @pfd: gets at most 3 entries; the fds stay owned by @tty
 *
 * Return: how many entries were filled.
 */
int nook_tty_pollfds (struct nook_tty *tty, struct pollfd *pfd);

/**
 * nook_tty_handle - act on what poll reported
 * @tty: the relay
 * @pfd: the entries nook_tty_pollfds filled, with poll's revents
 * @n: how many
 *
 * Receives the master, or copies between the caller's terminal and the
 * sandbox's.  A side at end of file is read no more; errors are never
 * fatal to the sandbox.
 */
void nook_tty_handle (struct nook_tty *tty, const struct pollfd *pfd, int n);

/**
 * nook_tty_resize - pass the caller's window size on, after SIGWINCH
 * @tty: the relay; nothing happens before the master arrives
 */
void nook_tty_resize (struct nook_tty *tty);

/**
 * nook_tty_adopt - relay a terminal nook opened itself in the sandbox
 * @tty: the relay
 * @master: the pseudo-terminal's master (`nook exec --tty`); owned by
 *          @tty from now on
 *
 * The caller's terminal, when stdin is one, goes raw until
 * nook_tty_release.
 */
void nook_tty_adopt (struct nook_tty *tty, int master);

/**
 * nook_tty_release - end the relay
 * @tty: what the sandbox still wrote is copied, the caller's terminal is
 *       restored, and every fd is closed
 */
void nook_tty_release (struct nook_tty *tty);

#endif
