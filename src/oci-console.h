/* nook-oci: the container's terminal, sent to an engine's console socket
   or relayed to the caller's own.  */
#ifndef NOOK_OCI_CONSOLE_H
#define NOOK_OCI_CONSOLE_H

#include <sys/types.h>

#include "lib/error.h"

/**
 * oci_connect_console - connect to an engine's console socket
 * @path: --console-socket, a unix socket's path
 * @err: set when the path is too long or nobody listens there
 *
 * Return: the connected socket (the caller owns it), or -1 with @err set.
 */
int oci_connect_console (const char *path, struct nook_error *err);

/**
 * oci_send_console - send a terminal's master to the engine (conmon) over
 * its unix socket, as SCM_RIGHTS, as runc sends it
 * @sock: a connected socket (oci_connect_console), taken and closed here;
 * or -1 to connect to @path now
 * @path: the socket's path, for the connection and the messages
 * @master: the terminal's master, still the caller's
 * @width, @height: its size first (process.consoleSize), or 0 to leave it
 * @err: set when the socket cannot be reached or the send fails
 *
 * Return: 0, or -1 with @err set.
 */
int oci_send_console (int sock, const char *path, int master, unsigned width, unsigned height,
                      struct nook_error *err);

/**
 * oci_relay_terminal - relay the caller's terminal to the container's
 * (`nook-oci run` from a shell, with no console socket) until @pid ends
 * @pid: the container's init, this process' child
 * @master: the container's terminal's master, taken and closed here
 */
void oci_relay_terminal (pid_t pid, int master);

#endif
