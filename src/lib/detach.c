/* nook: `nook run -d`: the supervisor that outlives its caller, and the
   caller's end of its report (the sequence is in detach.h).  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "detach.h"
#include "spawn.h"
#include "state.h"
#include "utils.h"

/* The supervisor: the command's stdin is /dev/null, its stdout and stderr
   a pipe that the supervisor copies into the log.  It reports to the
   caller through READY_FD: NOOK_DETACH_RUNNING once the command runs
   (sent by nook_run_supervised), else NOOK_DETACH_FAILED (see detach.h).  */
static void __attribute__ ((noreturn)) supervisor_main (struct nook_spec *spec, int ready_fd)
{
  struct nook_error err = { 0 };
  struct nook_run_io io = { .log_fd = -1, .ready_fd = ready_fd };
  int out[2], null, r;

  null = open ("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0 || pipe2 (out, O_CLOEXEC) < 0)
    {
      nook_error_errno (&err, "create the log pipe");
      goto fail;
    }
  if (dup2 (null, STDIN_FILENO) < 0 || dup2 (out[1], STDOUT_FILENO) < 0 || dup2 (out[1], STDERR_FILENO) < 0)
    {
      nook_error_errno (&err, "redirect to the log");
      goto fail;
    }
  close (out[1]);
  close (null);
  fcntl (out[0], F_SETFL, O_NONBLOCK);
  io.log_fd = out[0];
  r = nook_run_supervised (spec, &io, &err);
  if (r >= 0)
    _exit (r);
fail:
  if (io.ready_fd >= 0)
    {
      /* NOOK_DETACH_FAILED: the byte is the exit status itself.  */
      cleanup_free char *msg
          = xasprintf ("%c%s", err.status ? err.status : NOOK_DETACH_FAILED, err.msg ? err.msg : "failed");
      send (io.ready_fd, msg, strlen (msg), MSG_NOSIGNAL);
    }
  _exit (NOOK_EXIT_ERROR);
}

/* Reads the supervisor's report to EOF (see detach.h).  */
static int
read_report (int fd, char **id, struct nook_error *err)
{
  char buf[NOOK_ID_LEN + 4096];
  size_t len = 0;
  ssize_t n;

  while (len < sizeof buf - 1 && (n = read (fd, buf + len, sizeof buf - 1 - len)) != 0)
    {
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return nook_error_errno (err, "read from the sandbox's supervisor");
      len += n;
    }
  buf[len] = '\0';
  if (len == 0)
    return nook_error_set (err, 0, "the sandbox's supervisor died before the command started");
  if (buf[0] == NOOK_DETACH_RUNNING)
    {
      *id = xstrdup (buf + 1);
      return 0;
    }
  /* NOOK_DETACH_FAILED: the first byte is the exit status.  */
  nook_error_set (err, 0, "%s", buf + 1);
  return nook_error_status (err, (unsigned char)buf[0]);
}

int
nook_run_detached (struct nook_spec *spec, char **id, struct nook_error *err)
{
  cleanup_close int ready_r = -1, ready_w = -1;
  int ready[2], ws;
  pid_t pid;

  /* A socket, not a pipe, for send (MSG_NOSIGNAL).  */
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, ready) < 0)
    return nook_error_errno (err, "socketpair");
  ready_r = ready[0];
  ready_w = ready[1];
  fflush (NULL);
  pid = fork ();
  if (pid < 0)
    return nook_error_errno (err, "fork the supervisor");
  if (pid == 0)
    {
      /* Double fork and a session of its own: the supervisor is nobody's
         child the caller must reap, has no controlling terminal, and gets
         no SIGHUP when the caller's terminal closes.  */
      close (ready_r);
      setsid ();
      signal (SIGHUP, SIG_IGN);
      pid = fork ();
      if (pid != 0)
        _exit (pid < 0 ? NOOK_EXIT_ERROR : 0);
      signal (SIGHUP, SIG_DFL);
      /* Nothing of the caller's but the report pipe: a supervisor holding
         the caller's pipes open would keep their readers waiting.  */
      close_range (3, ready_w - 1, 0);
      close_range (ready_w + 1, ~0U, 0);
      supervisor_main (spec, ready_w);
    }
  nook_closep (&ready_w);
  while (waitpid (pid, &ws, 0) < 0 && errno == EINTR)
    ;
  return read_report (ready_r, id, err);
}
