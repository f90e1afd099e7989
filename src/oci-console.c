/* nook-oci: the container's terminal.  An engine (conmon) gives a
 * unix socket (--console-socket) and gets the terminal's master over it,
 * as runc sends it; `nook-oci run` from a shell, with no socket, relays
 * the caller's own terminal to the container's until the container ends.
 */
#include <config.h>

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "lib/tty.h"
#include "lib/utils.h"
#include "oci-console.h"

int
oci_connect_console (const char *path, struct nook_error *err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  cleanup_close int sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

  if (strlen (path) >= sizeof addr.sun_path)
    return nook_error_set (err, ENAMETOOLONG, "--console-socket `%s`", path);
  strcpy (addr.sun_path, path);
  if (sock < 0 || connect (sock, (struct sockaddr *)&addr, sizeof addr) < 0)
    return nook_error_errno (err, "connect to the console socket `%s`", path);
  return steal_fd (&sock);
}

int
oci_send_console (int sock_, const char *path, int master, unsigned width, unsigned height,
                  struct nook_error *err)
{
  cleanup_close int sock = sock_ >= 0 ? sock_ : oci_connect_console (path, err);
  char name[] = "/dev/ptmx", cbuf[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov = { name, sizeof name - 1 };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *cm = CMSG_FIRSTHDR (&msg);

  if (width && height)
    {
      struct winsize ws = { .ws_row = height, .ws_col = width };
      ioctl (master, TIOCSWINSZ, &ws);
    }
  if (sock < 0)
    return -1;
  cm->cmsg_level = SOL_SOCKET;
  cm->cmsg_type = SCM_RIGHTS;
  cm->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cm), &master, sizeof master);
  if (sendmsg (sock, &msg, MSG_NOSIGNAL) < 0)
    return nook_error_errno (err, "send the terminal to `%s`", path);
  return 0;
}

void
oci_relay_terminal (pid_t pid, int master)
{
  struct nook_tty tty;
  cleanup_close int pidfd = (int)syscall (SYS_pidfd_open, pid, 0);

  nook_tty_init (&tty);
  nook_tty_adopt (&tty, master);
  while (pidfd >= 0)
    {
      struct pollfd pfd[4] = { { pidfd, POLLIN, 0 } };
      int n = nook_tty_pollfds (&tty, pfd + 1);
      if (poll (pfd, 1 + n, -1) < 0)
        {
          if (errno != EINTR)
            break;
          nook_tty_resize (&tty);
          continue;
        }
      if (pfd[0].revents)
        break;
      nook_tty_handle (&tty, pfd + 1, n);
    }
  nook_tty_release (&tty);
}
