/* `nook attach`: the supervisor's side and the client's (the protocol is
   in attach.h).  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "attach.h"
#include "utils.h"

#define PACKET_MAX 4096

/* The socket's address through the directory's fd: no path is resolved
   again, however long the runtime directory's name is.  */
static socklen_t
socket_addr (int dirfd, struct sockaddr_un *addr)
{
  memset (addr, 0, sizeof *addr);
  addr->sun_family = AF_UNIX;
  snprintf (addr->sun_path, sizeof addr->sun_path, "/proc/self/fd/%d/%s", dirfd, NOOK_ATTACH_SOCKET);
  return sizeof *addr;
}

/* ---- the supervisor's side ------------------------------------------------------ */

int
nook_attach_listen (int dirfd, struct nook_error *err)
{
  struct sockaddr_un addr;
  socklen_t len = socket_addr (dirfd, &addr);
  cleanup_close int fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);

  if (fd < 0)
    return nook_error_errno (err, "create the attach socket");
  unlinkat (dirfd, NOOK_ATTACH_SOCKET, 0);
  if (bind (fd, (struct sockaddr *)&addr, len) < 0 || fchmodat (dirfd, NOOK_ATTACH_SOCKET, 0600, 0) < 0
      || listen (fd, 4) < 0)
    return nook_error_errno (err, "create the attach socket in the sandbox's state directory");
  return steal_fd (&fd);
}

/* Only the user's own processes attach (the directory is 0700 anyway).  */
static bool
peer_is_user (int fd)
{
  struct ucred cred;
  socklen_t len = sizeof cred;

  return getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.uid == geteuid ();
}

int
nook_attach_accept (int listen_fd, bool busy)
{
  int fd = accept4 (listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
  char msg = NOOK_ATTACH_BUSY;

  if (fd < 0)
    return -1;
  if (!peer_is_user (fd) || busy)
    {
      if (busy)
        send (fd, &msg, 1, MSG_NOSIGNAL | MSG_DONTWAIT);
      close (fd);
      return -1;
    }
  return fd;
}

int
nook_attach_serve (int client, int master)
{
  char buf[PACKET_MAX + 1];
  ssize_t n = recv (client, buf, sizeof buf, MSG_DONTWAIT);

  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return 0;
  if (n <= 0)
    return -1;
  if (buf[0] == NOOK_ATTACH_INPUT && n > 1)
    return nook_write_all (master, buf + 1, n - 1) == n - 1 ? 0 : -1;
  if (buf[0] == NOOK_ATTACH_WINSIZE && n == 1 + (ssize_t)sizeof (struct winsize))
    {
      struct winsize ws;
      memcpy (&ws, buf + 1, sizeof ws);
      ioctl (master, TIOCSWINSZ, &ws);
    }
  return 0;
}

int
nook_attach_output (int client, const char *buf, size_t len)
{
  char pkt[PACKET_MAX + 1];
  struct pollfd pfd = { client, POLLOUT, 0 };

  if (len > PACKET_MAX)
    len = PACKET_MAX;
  pkt[0] = NOOK_ATTACH_OUTPUT;
  memcpy (pkt + 1, buf, len);
  /* A client that stops reading must not stop the supervisor (signals,
     the log, the sandbox's end): it gets a second, then is given up.  */
  for (int tries = 0; tries < 2; tries++)
    {
      if (send (client, pkt, len + 1, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)(len + 1))
        return 0;
      if (errno != EAGAIN || poll (&pfd, 1, 1000) <= 0)
        return -1;
    }
  return -1;
}

/* ---- the client's side ------------------------------------------------------------ */

/* One key of --detach-keys: ctrl-X or a character.  */
static int
parse_key (const char *k, size_t len, char *out)
{
  static const char ctrl_punct[] = "@[\\]^_";

  if (len == 1)
    {
      *out = k[0];
      return 0;
    }
  if (len == 6 && strncmp (k, "ctrl-", 5) == 0)
    {
      char c = k[5];
      const char *p = strchr (ctrl_punct, c);
      if (c >= 'a' && c <= 'z')
        *out = (char)(c - 'a' + 1);
      else if (c != '\0' && p)
        *out = (char)(p == ctrl_punct ? 0 : 26 + (p - ctrl_punct)); /* ^@ is 0, ^[ 27 ... ^_ 31 */
      else
        return -1;
      return 0;
    }
  return -1;
}

int
nook_attach_parse_keys (const char *spec, char keys[NOOK_ATTACH_MAX_KEYS], size_t *n, struct nook_error *err)
{
  *n = 0;
  for (const char *p = spec; *p;)
    {
      size_t len = strcspn (p, ",");
      if (*n == NOOK_ATTACH_MAX_KEYS || parse_key (p, len, &keys[*n]) < 0)
        {
          nook_error_set (err, 0, "--detach-keys `%s`: not a list of keys", spec);
          return nook_error_hint (err, "ctrl-X (X a letter or one of @[\\]^_) or a character, separated by "
                                       "commas, as ctrl-p,ctrl-q; \"\" for none");
        }
      (*n)++;
      p += len;
      if (*p == ',' && *++p == '\0')
        return nook_error_set (err, 0, "--detach-keys `%s`: a key is missing after the last comma", spec);
    }
  return 0;
}

static int
connect_to (struct nook_sandbox *sb, struct nook_error *err)
{
  const char *name = nook_sandbox_str (sb, "name") ? nook_sandbox_str (sb, "name") : sb->id;
  struct sockaddr_un addr;
  socklen_t len = socket_addr (sb->dirfd, &addr);
  struct ucred cred;
  socklen_t clen = sizeof cred;
  struct stat st;
  cleanup_close int fd = -1;

  /* A socket of the user's, not a symlink, in the directory of a state
     that nook wrote (nook_sandbox_find authenticated it).  */
  if (fstatat (sb->dirfd, NOOK_ATTACH_SOCKET, &st, AT_SYMLINK_NOFOLLOW) < 0)
    {
      nook_error_set (err, 0, "sandbox `%s` has no terminal to attach to", name);
      return nook_error_hint (err, "start it with `nook run -d -t`; `nook logs %s` shows its output", name);
    }
  if (!S_ISSOCK (st.st_mode) || st.st_uid != geteuid ())
    return nook_error_set (err, 0, "sandbox `%s`: its attach socket is not nook's", name);
  fd = socket (AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0 || connect (fd, (struct sockaddr *)&addr, len) < 0)
    return nook_error_errno (err, "attach to sandbox `%s`", name);
  /* The peer is the supervisor the state names.  */
  if (getsockopt (fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0 || cred.uid != geteuid ()
      || cred.pid != (pid_t)nook_sandbox_int (sb, "supervisor.pid", -1))
    return nook_error_set (err, 0, "sandbox `%s`: its attach socket is not its supervisor's", name);
  return steal_fd (&fd);
}

struct client
{
  int sock;
  const char *keys;
  size_t n_keys, matched; /* how many of the keys were typed last */
  bool raw;
  struct termios saved;
};

static int
send_packet (int sock, char type, const void *data, size_t len)
{
  char pkt[PACKET_MAX + 1];

  pkt[0] = type;
  memcpy (pkt + 1, data, len);
  return send (sock, pkt, len + 1, MSG_NOSIGNAL) == (ssize_t)(len + 1) ? 0 : -1;
}

static void
send_winsize (struct client *c)
{
  struct winsize ws;

  if (ioctl (STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
    send_packet (c->sock, NOOK_ATTACH_WINSIZE, &ws, sizeof ws);
}

/* Passes typed bytes on, holding back a beginning of the detach keys
   until it is known to be one.  Returns 1 when they were typed.  */
static int
pass_input (struct client *c, const char *in, size_t n)
{
  char out[2 * PACKET_MAX];
  size_t len = 0;

  for (size_t i = 0; i < n; i++)
    {
      if (c->n_keys && in[i] == c->keys[c->matched])
        {
          if (++c->matched == c->n_keys)
            return 1;
          continue;
        }
      /* Not the keys after all: what was held back goes first.  */
      memcpy (out + len, c->keys, c->matched);
      len += c->matched;
      c->matched = 0;
      if (c->n_keys && in[i] == c->keys[0])
        c->matched = 1;
      else
        out[len++] = in[i];
    }
  for (size_t off = 0; off < len; off += PACKET_MAX)
    if (send_packet (c->sock, NOOK_ATTACH_INPUT, out + off, len - off < PACKET_MAX ? len - off : PACKET_MAX)
        < 0)
      return -1;
  return 0;
}

/* Relays until the keys are typed (1) or the sandbox ends (0).  */
static int
relay (struct client *c, int sigfd, struct nook_error *err)
{
  bool in_open = true;
  char buf[PACKET_MAX + 1];

  for (;;)
    {
      struct pollfd pfd[3]
          = { { c->sock, POLLIN, 0 }, { sigfd, POLLIN, 0 }, { in_open ? STDIN_FILENO : -1, POLLIN, 0 } };
      ssize_t n;

      if (poll (pfd, 3, -1) < 0)
        {
          if (errno == EINTR)
            continue;
          return nook_error_errno (err, "poll");
        }
      if (pfd[1].revents & POLLIN)
        {
          struct signalfd_siginfo si;
          while (read (sigfd, &si, sizeof si) == sizeof si)
            ;
          send_winsize (c);
        }
      if (pfd[2].revents)
        {
          n = read (STDIN_FILENO, buf, PACKET_MAX);
          if (n <= 0 && !(n < 0 && errno == EINTR))
            in_open = false;
          else if (n > 0 && pass_input (c, buf, n) != 0)
            return 1;
        }
      if (pfd[0].revents)
        {
          n = recv (c->sock, buf, sizeof buf, 0);
          if (n < 0 && errno == EINTR)
            continue;
          if (n <= 0)
            return 0;
          if (buf[0] == NOOK_ATTACH_BUSY)
            return nook_error_set (err, 0, "another `nook attach` is attached to this sandbox");
          if (buf[0] == NOOK_ATTACH_OUTPUT && nook_write_all (STDOUT_FILENO, buf + 1, n - 1) != n - 1)
            return nook_error_errno (err, "write the sandbox's output");
        }
    }
}

int
nook_attach (struct nook_store *store, struct nook_sandbox *sb, const char *keys, size_t n_keys,
             struct nook_error *err)
{
  struct client c = { .sock = -1, .keys = keys, .n_keys = n_keys };
  cleanup_close int sigfd = -1;
  sigset_t set;
  int r;

  c.sock = connect_to (sb, err);
  if (c.sock < 0)
    return -1;
  sigemptyset (&set);
  sigaddset (&set, SIGWINCH);
  sigprocmask (SIG_BLOCK, &set, NULL);
  sigfd = signalfd (-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
  if (isatty (STDIN_FILENO) && tcgetattr (STDIN_FILENO, &c.saved) == 0)
    {
      struct termios raw = c.saved;
      cfmakeraw (&raw);
      c.raw = tcsetattr (STDIN_FILENO, TCSADRAIN, &raw) == 0;
    }
  send_winsize (&c);
  r = relay (&c, sigfd, err);
  if (c.raw)
    tcsetattr (STDIN_FILENO, TCSADRAIN, &c.saved);
  close (c.sock);
  if (r != 0)
    return r < 0 ? -1 : 0;
  /* The sandbox ended: its status, once its supervisor recorded it.  */
  if (nook_sandbox_wait (store, sb, NULL) < 0)
    return 0;
  return (int)nook_sandbox_int (sb, "exit_code", 0);
}
