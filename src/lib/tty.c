/* --tty: the sandbox's own pseudo-terminal, relayed by nook.  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tty.h"
#include "utils.h"

/* Closes *FD and forgets it.  */
static void
drop_fd (int *fd)
{
  nook_closep (fd);
  *fd = -1;
}

void
nook_tty_init (struct nook_tty *tty)
{
  memset (tty, 0, sizeof *tty);
  tty->sock = -1;
  tty->master = -1;
}

int
nook_tty_prepare (struct nook_tty *tty, int *child_sock, bool relay, struct nook_error *err)
{
  int sv[2];

  if (relay && (!isatty (STDIN_FILENO) || tcgetattr (STDIN_FILENO, &tty->saved) < 0))
    {
      nook_error_set (err, 0, "--tty: stdin is not a terminal");
      return nook_error_hint (err, "run nook from a terminal, or leave --tty out");
    }
  if (socketpair (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
    return nook_error_errno (err, "--tty: socketpair");
  tty->sock = sv[0];
  *child_sock = sv[1];
  return 0;
}

static int
send_fd (int sock, int fd)
{
  char byte = 0, cbuf[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov = { &byte, 1 };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *c = CMSG_FIRSTHDR (&msg);

  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (c), &fd, sizeof fd);
  return sendmsg (sock, &msg, MSG_NOSIGNAL) == 1 ? 0 : -1;
}

static int
recv_fd (int sock)
{
  char byte, cbuf[CMSG_SPACE (sizeof (int))];
  struct iovec iov = { &byte, 1 };
  struct msghdr msg
      = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof cbuf };
  struct cmsghdr *c;
  int fd;

  if (recvmsg (sock, &msg, MSG_CMSG_CLOEXEC) != 1)
    return -1;
  c = CMSG_FIRSTHDR (&msg);
  if (c == NULL || c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS
      || c->cmsg_len != CMSG_LEN (sizeof (int)))
    return -1;
  memcpy (&fd, CMSG_DATA (c), sizeof fd);
  return fd;
}

int
nook_tty_setup_in_sandbox (int sock, struct nook_error *err)
{
  cleanup_close int master = open ("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
  cleanup_close int peer = -1;
  int unlock = 0;

  if (master < 0)
    return nook_error_errno (err, "--tty: open /dev/ptmx in the sandbox");
  if (ioctl (master, TIOCSPTLCK, &unlock) < 0)
    return nook_error_errno (err, "--tty: unlock the terminal");
  /* The peer by fd, not by a path someone could have replaced.  */
  peer = ioctl (master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (peer < 0)
    return nook_error_errno (err, "--tty: open the terminal");
  /* This process leads the session setsid() made; the terminal becomes
     its controlling one, and the command's through nook-init.  */
  if (ioctl (peer, TIOCSCTTY, 0) < 0)
    return nook_error_errno (err, "--tty: make it the controlling terminal");
  for (int fd = 0; fd < 3; fd++)
    if (dup2 (peer, fd) < 0)
      return nook_error_errno (err, "--tty: dup2");
  if (send_fd (sock, master) < 0)
    return nook_error_errno (err, "--tty: hand the terminal to nook");
  return 0;
}

int
nook_tty_pollfds (struct nook_tty *tty, struct pollfd *pfd)
{
  int n = 0;

  if (tty->sock >= 0)
    pfd[n++] = (struct pollfd){ tty->sock, POLLIN, 0 };
  if (tty->master >= 0)
    {
      pfd[n++] = (struct pollfd){ tty->master, POLLIN, 0 };
      if (tty->in_open)
        pfd[n++] = (struct pollfd){ STDIN_FILENO, POLLIN, 0 };
    }
  return n;
}

static void
raw_mode (struct nook_tty *tty)
{
  struct termios raw = tty->saved;

  cfmakeraw (&raw);
  if (tcsetattr (STDIN_FILENO, TCSADRAIN, &raw) == 0)
    tty->raw = true;
}

void
nook_tty_resize (struct nook_tty *tty)
{
  struct winsize ws;

  if (tty->master >= 0 && ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    ioctl (tty->master, TIOCSWINSZ, &ws);
}

/* Copies one read's worth from FROM to TO; false at end of file.  */
static bool
copy (int from, int to)
{
  char buf[4096];
  ssize_t n;

  do
    n = read (from, buf, sizeof buf);
  while (n < 0 && errno == EINTR);
  if (n <= 0)
    return n < 0 && errno == EAGAIN;
  return nook_write_all (to, buf, n) == n;
}

void
nook_tty_handle (struct nook_tty *tty, const struct pollfd *pfd, int n)
{
  for (int i = 0; i < n; i++)
    {
      if (!pfd[i].revents)
        continue;
      if (pfd[i].fd == tty->sock)
        {
          tty->master = recv_fd (tty->sock);
          drop_fd (&tty->sock);
          if (tty->master < 0)
            continue;
          tty->in_open = true;
          raw_mode (tty);
          nook_tty_resize (tty);
        }
      else if (pfd[i].fd == tty->master)
        {
          /* EIO: every process of the sandbox closed its terminal.  */
          if (!copy (tty->master, STDOUT_FILENO))
            drop_fd (&tty->master);
        }
      else if (pfd[i].fd == STDIN_FILENO && !copy (STDIN_FILENO, tty->master))
        tty->in_open = false;
    }
}

void
nook_tty_adopt (struct nook_tty *tty, int master)
{
  tty->master = master;
  tty->in_open = true;
  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &tty->saved) == 0)
    raw_mode (tty);
  nook_tty_resize (tty);
}

void
nook_tty_release (struct nook_tty *tty)
{
  if (tty->master >= 0)
    {
      /* What the command wrote just before it ended.  */
      fcntl (tty->master, F_SETFL, O_NONBLOCK);
      while (copy (tty->master, STDOUT_FILENO))
        {
          struct pollfd p = { tty->master, POLLIN, 0 };
          if (poll (&p, 1, 0) <= 0 || !(p.revents & POLLIN))
            break;
        }
    }
  if (tty->raw)
    tcsetattr (STDIN_FILENO, TCSADRAIN, &tty->saved);
  tty->raw = false;
  drop_fd (&tty->master);
  drop_fd (&tty->sock);
}

int
nook_tty_receive (int sock)
{
  return recv_fd (sock);
}
