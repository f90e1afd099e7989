/* nook: the parent/child sync protocol.
 *
 * One SOCK_SEQPACKET socketpair joins nook (the parent) and the sandbox; each
 * send is one message, a struct nook_sync_msg followed by LEN bytes of text.
 * The whole sequence, in order:
 *
 *   parent (nook)                      sandbox (PID 1, later nook-init)    command
 *   ------------------------------     --------------------------------    -------
 *   clone3(CLONE_NEWUSER | ...)  ──►   waits for NOOK_SYNC_GO
 *   writes uid_map/gid_map
 *   (hooks that need the sandbox's
 *    pid run here, e.g. a network
 *    helper is started, nook_create's
 *    record written)
 *   NOOK_SYNC_GO  ─────────────────►   mounts, pivot_root, hostname,
 *   meanwhile: writes the state        ...
 *   (state.json, seccomp.bpf), waits   waits for NOOK_SYNC_READY before
 *   until the network helper is        the security step: no command
 *   ready                              runs unlisted or before its network
 *   NOOK_SYNC_READY  ──────────────►
 *                                      credentials, seccomp, ...
 *            ◄─────────────────────    NOOK_SYNC_ERROR on any failure,
 *                                      then _exit(125)
 *                                      execveat(nook-init) ── fork ──►     execvpe(CMD)
 *            ◄──────────────────────────────────────────────────────      NOOK_SYNC_EXEC_ERROR
 *                                                                          when exec fails
 *   (nook_create: NOOK_SYNC_CREATED, then the sandbox reads its gate fd
 *    and the parent returns; the execveat follows the byte `start` writes)
 *   EOF: every copy of the sandbox's end was closed, by close() in
 *   nook-init and by O_CLOEXEC at the command's exec: the command runs.
 *
 * The parent never waits for the sandbox without also watching its pidfd,
 * so a sandbox that dies without a word is noticed too.  Messages carry
 * the errno and the exit status, so the user sees one line and the
 * status that matches it (125, 126 or 127).
 */
#ifndef NOOK_SYNC_H
#define NOOK_SYNC_H

#include <stdint.h>

enum nook_sync_type
{
  NOOK_SYNC_GO = 1,         /* parent → sandbox: ids mapped, proceed */
  NOOK_SYNC_ERROR = 2,      /* sandbox → parent: setup failed */
  NOOK_SYNC_EXEC_ERROR = 3, /* command → parent: exec failed */
  NOOK_SYNC_CREATED = 4,    /* sandbox → parent (nook_create): set up, waiting at its gate */
  NOOK_SYNC_READY = 5,      /* parent → sandbox: state written, network helper ready */
};

#define NOOK_SYNC_MAX_TEXT 2048

struct nook_sync_msg
{
  uint32_t type;
  int32_t errnum;
  int32_t status;
  uint32_t len; /* bytes of text that follow in the same message */
};

/**
 * nook_sync_send - send one message of the sync protocol
 * @fd: the caller's end of the SOCK_SEQPACKET socketpair; not closed
 * @type: what the message says
 * @errnum: the errno that goes with it (0 for none)
 * @status: the exit status that goes with it (125, 126 or 127; 0 for none)
 * @text: NULL, or a message, cut at NOOK_SYNC_MAX_TEXT bytes; copied
 *
 * Return: 0, or -1 with errno set when the send failed.
 */
int nook_sync_send (int fd, enum nook_sync_type type, int errnum, int status, const char *text);

/**
 * nook_sync_recv - receive one message of the sync protocol
 * @fd: the caller's end of the socketpair; not closed
 * @msg: gets the message's header
 * @text: the caller's buffer of NOOK_SYNC_MAX_TEXT + 1 bytes; gets the
 *        message's text, NUL-terminated
 *
 * Return: 1 for a message, 0 at EOF (every copy of the other end is
 * closed), -1 with errno set on error or a malformed message.
 */
int nook_sync_recv (int fd, struct nook_sync_msg *msg, char *text);

#endif
