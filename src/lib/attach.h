/* nook: `nook attach`: a terminal for a sandbox started with -d -t.
 *
 * The detached supervisor keeps the master of the sandbox's terminal
 * (tty.h): what the sandbox writes goes to its log, as without -t, and to
 * the one client attached, if any.  A client reaches it through a socket
 * in the sandbox's state directory, `sandboxes/ID/attach.sock` (0600, in
 * a 0700 directory that no sandbox can reach: state-guard.c), bound and
 * connected through /proc/self/fd/DIRFD so that no path is resolved
 * twice.  Each side checks the other (SO_PEERCRED): the supervisor takes
 * only the user's own processes; the client talks only to the socket file
 * the user owns, in an authenticated state's directory, whose peer is the
 * pid the state names as the supervisor.
 *
 * One SOCK_SEQPACKET message is one packet; its first byte is its type:
 *
 *   client                                   supervisor
 *   ------                                   ----------
 *   connect ───────────────────────────────► accept (one client at a time;
 *                                            another gets NOOK_ATTACH_BUSY
 *                                            and is closed)
 *   NOOK_ATTACH_WINSIZE struct winsize ────► TIOCSWINSZ on the master (the
 *                                            kernel signals the foreground)
 *   NOOK_ATTACH_INPUT bytes ───────────────► written to the master
 *            ◄────────────────────────────── NOOK_ATTACH_OUTPUT bytes: what
 *                                            the sandbox wrote
 *   detach keys typed: close ──────────────► the next client may come
 *            ◄────────────────────────────── EOF: the sandbox ended
 *
 * The client leaves the terminal raw while attached, passes SIGWINCH on
 * as NOOK_ATTACH_WINSIZE, and detaches on the detach keys (podman's
 * default, ctrl-p then ctrl-q), which never reach the sandbox.
 */
#ifndef NOOK_ATTACH_H
#define NOOK_ATTACH_H

#include <stddef.h>

#include "error.h"
#include "state.h"

#define NOOK_ATTACH_SOCKET "attach.sock"
#define NOOK_ATTACH_DEFAULT_KEYS "ctrl-p,ctrl-q"
#define NOOK_ATTACH_MAX_KEYS 16

enum nook_attach_msg
{
  NOOK_ATTACH_INPUT = 'i',   /* client → supervisor: bytes typed */
  NOOK_ATTACH_WINSIZE = 'w', /* client → supervisor: a struct winsize */
  NOOK_ATTACH_OUTPUT = 'o',  /* supervisor → client: what the sandbox wrote */
  NOOK_ATTACH_BUSY = 'b',    /* supervisor → client: another client is attached */
};

/**
 * nook_attach_listen - the supervisor's attach socket
 * @dirfd: the sandbox's state directory
 * @err: set on failure
 *
 * Return: a non-blocking listening socket, or -1 with @err set.
 */
int nook_attach_listen (int dirfd, struct nook_error *err);

/**
 * nook_attach_accept - take a client
 * @listen_fd: from nook_attach_listen
 * @busy: a client is attached already: the new one is told and closed
 *
 * Return: the client's socket, or -1 (none, refused, or not the user's).
 */
int nook_attach_accept (int listen_fd, bool busy);

/**
 * nook_attach_serve - act on one message of a client
 * @client: the client's socket
 * @master: the terminal's master
 *
 * Return: 0, or -1 when the client is gone (close it).
 */
int nook_attach_serve (int client, int master);

/**
 * nook_attach_output - pass what the sandbox wrote on to a client
 * @client: the client's socket
 * @buf: the bytes
 * @len: how many (at most 4096)
 *
 * A client that reads nothing for a second is given up.
 *
 * Return: 0, or -1 when the client is gone or given up (close it).
 */
int nook_attach_output (int client, const char *buf, size_t len);

/**
 * nook_attach_parse_keys - parse --detach-keys
 * @spec: podman's form: a comma-separated list of `ctrl-X` (X a letter or
 *        one of @[\]^_) or single characters; "" for none
 * @keys: gets the bytes
 * @n: gets how many (0: detaching is off)
 * @err: set when @spec is malformed
 *
 * Return: 0, or -1 with @err set.
 */
int nook_attach_parse_keys (const char *spec, char keys[NOOK_ATTACH_MAX_KEYS], size_t *n,
                            struct nook_error *err);

/**
 * nook_attach - connect this terminal to a sandbox's
 * @store: the open store
 * @sb: a running sandbox (nook_sandbox_find)
 * @keys: the detach keys (nook_attach_parse_keys)
 * @n_keys: how many
 * @err: set when it has no terminal, another client is attached, or the
 *       socket is not the supervisor's
 *
 * Return: 0 after a detach; the sandbox's exit status when it ended while
 * attached (0 when --rm removed it); -1 with @err set.
 */
int nook_attach (struct nook_store *store, struct nook_sandbox *sb, const char *keys, size_t n_keys,
                 struct nook_error *err);

#endif
