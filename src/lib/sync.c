/* nook: the parent/child sync protocol's send and receive (the sequence
   is in sync.h).  */
#include <config.h>

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sync.h"

int
nook_sync_send (int fd, enum nook_sync_type type, int errnum, int status, const char *text)
{
  struct nook_sync_msg msg = { type, errnum, status, 0 };
  struct iovec iov[2];
  struct msghdr mh = { .msg_iov = iov };
  ssize_t r;

  msg.len = text ? strnlen (text, NOOK_SYNC_MAX_TEXT) : 0;
  iov[0] = (struct iovec){ &msg, sizeof msg };
  iov[1] = (struct iovec){ (void *)text, msg.len };
  mh.msg_iovlen = msg.len ? 2 : 1;
  /* MSG_NOSIGNAL: a peer that is gone (a created sandbox's creator has
     returned, a sandbox that ended) is an EPIPE to handle, not a SIGPIPE
     that kills the sender.  */
  do
    r = sendmsg (fd, &mh, MSG_NOSIGNAL);
  while (r < 0 && errno == EINTR);
  return r < 0 ? -1 : 0;
}

int
nook_sync_recv (int fd, struct nook_sync_msg *msg, char *text)
{
  char buf[sizeof *msg + NOOK_SYNC_MAX_TEXT];
  ssize_t r;

  bool reset = false;

  /* A peer that closed with a message of ours unread (NOOK_SYNC_READY
     after its setup failed) makes the kernel report ECONNRESET once,
     before the messages it sent: they are still read, then EOF.  */
  for (;;)
    {
      r = recv (fd, buf, sizeof buf, 0);
      if (r < 0 && errno == EINTR)
        continue;
      if (r < 0 && errno == ECONNRESET && !reset)
        {
          reset = true;
          continue;
        }
      break;
    }
  if (r <= 0)
    return r < 0 && errno != ECONNRESET ? -1 : 0;
  if ((size_t)r < sizeof *msg)
    {
      errno = EPROTO;
      return -1;
    }
  memcpy (msg, buf, sizeof *msg);
  if (msg->len > (size_t)r - sizeof *msg)
    msg->len = r - sizeof *msg;
  memcpy (text, buf + sizeof *msg, msg->len);
  text[msg->len] = '\0';
  return 1;
}
