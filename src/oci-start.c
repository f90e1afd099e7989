/* nook-oci start, delete and run.
 *
 * start writes the byte a created container waits for at its exec fifo;
 * the container then runs its startContainer hooks and executes its init
 * and command.  delete kills what is left of a container, runs its
 * poststop hooks and removes its state and cgroup.  run is create, start
 * and, unless --detach, a wait in the foreground: the container is this
 * process' child, its status the runtime's, and it is deleted when it ends.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/oci-config.h"
#include "lib/proc.h"
#include "lib/utils.h"
#include "oci-cli.h"
#include "oci-console.h"
#include "oci-create.h"
#include "oci-hooks.h"

/* ---- start ---------------------------------------------------------------------- */

/* The container closes its end of the exec fifo (GATE, this process's
   write end) once its startContainer hooks ran, right before its
   process (a write end with no reader left polls POLLERR), or it ends.
   A byte still in the fifo then: it never got that far (a hook failed,
   and said why on the container's stderr).  */
static int
wait_started (struct nook_oci_container *c, int gate, struct nook_error *err)
{
  cleanup_close int pidfd = nook_pidfd_open_checked (c->pid, c->start);
  struct pollfd pfd[2] = { { gate, 0, 0 }, { pidfd, POLLIN, 0 } };
  int left = 0;

  while (poll (pfd, 2, -1) < 0)
    if (errno != EINTR)
      return nook_error_errno (err, "start container `%s`", c->id);
  if (ioctl (gate, FIONREAD, &left) < 0)
    return nook_error_errno (err, "start container `%s`", c->id);
  if (left == 0)
    return 0;
  return nook_error_set (err, 0,
                         "container `%s` ended before its process ran (a startContainer hook failed: "
                         "see the container's output)",
                         c->id);
}

static int
start_container (struct nook_oci_container *c, struct nook_error *err)
{
  const char *status = nook_oci_container_status (c);
  cleanup_close int fd = -1;
  struct nook_error hook_err = { 0 };

  if (strcmp (status, "created") != 0)
    return nook_error_set (err, 0, "container `%s` is %s, not created: it cannot be started", c->id, status);
  /* Non-blocking: with no reader (the container died) the open fails
     rather than waiting.  */
  fd = openat (c->dirfd, "exec.fifo", O_WRONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0)
    return nook_error_errno (err, "start container `%s`", c->id);
  if (write (fd, "0", 1) != 1)
    return nook_error_errno (err, "start container `%s`", c->id);
  unlinkat (c->dirfd, "exec.fifo", 0);
  if (wait_started (c, fd, err) < 0)
    return -1;
  /* A failing poststart hook is logged; the container runs on (the
     runtime-spec's rule).  */
  if (oci_run_hooks (c, NOOK_HOOK_POSTSTART, "running", &hook_err) < 0)
    {
      oci_log (OCI_LOG_WARNING, "%s", hook_err.msg);
      nook_error_release (&hook_err);
    }
  return 0;
}

int
oci_cmd_start (int argc, char **argv, struct nook_error *err)
{
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int first = oci_parse_plain (argc, argv, 1, 1, err), r = -1;

  if (first < 0)
    return -1;
  if (oci_open_root (&root, err) == 0 && nook_oci_container_load (&root, argv[first], &c, err) == 0)
    r = start_container (&c, err);
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

/* ---- delete --------------------------------------------------------------------- */

/* Kills the whole container and waits for its init to end.  */
static int
kill_and_wait (struct nook_oci_container *c, struct nook_error *err)
{
  cleanup_close int fd = nook_pidfd_open_checked (c->pid, c->start);
  struct pollfd pfd = { fd, POLLIN, 0 };

  if (fd < 0)
    return 0;
  /* SIGKILL to PID 1 of its own namespace ends every process in it.  */
  syscall (SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0);
  /* The init is reaped by its parent (a subreaper, or run): the pidfd
     turns readable when it ends.  */
  if (poll (&pfd, 1, 10000) <= 0)
    return nook_error_set (err, 0, "container `%s` did not end within 10 s of SIGKILL", c->id);
  return 0;
}

static int
delete_container (struct nook_oci_root *root, struct nook_oci_container *c, bool force,
                  struct nook_error *err)
{
  const char *status = nook_oci_container_status (c);
  struct nook_error hook_err = { 0 };

  if ((strcmp (status, "running") == 0 || strcmp (status, "paused") == 0) && !force)
    {
      nook_error_set (err, 0, "container `%s` is %s", c->id, status);
      return nook_error_hint (err, "stop it with `nook-oci kill %s KILL`, or use delete --force", c->id);
    }
  if (strcmp (status, "creating") == 0)
    return nook_error_set (err, 0, "container `%s` is being created", c->id);
  if (strcmp (status, "stopped") != 0 && kill_and_wait (c, err) < 0)
    return -1;
  if (oci_run_hooks (c, NOOK_HOOK_POSTSTOP, "stopped", &hook_err) < 0)
    {
      oci_log (OCI_LOG_WARNING, "%s", hook_err.msg);
      nook_error_release (&hook_err);
    }
  return nook_oci_container_remove (root, c, err);
}

/* delete's options: the index of the container id.  */
const struct oci_opt oci_delete_options[] = {
  { "force", 'f', false, 0, NULL, "kill a running container first (SIGKILL)" },
  { "regex", 'r', false, 1, NULL, "(not supported: an error)" },
  { NULL, 0, false, 0, NULL, NULL },
};

static int
parse_delete (int argc, char **argv, bool *force, struct nook_error *err)
{
  struct oci_arg args[4];
  size_t n;
  int first = oci_parse (oci_delete_options, argc, argv, args, 4, &n, err);

  if (first < 0 || oci_check_args ("delete", argc - first, 1, 1, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (args[i].id == 0)
      *force = true;
    else
      return nook_error_set (err, 0, "delete: --regex is not supported");
  return first;
}

int
oci_check_delete (int argc, char **argv, struct nook_error *err)
{
  bool force;

  return parse_delete (argc, argv, &force, err) < 0 ? -1 : 0;
}

int
oci_cmd_delete (int argc, char **argv, struct nook_error *err)
{
  bool force = false;
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int first = parse_delete (argc, argv, &force, err), r = -1;

  if (first < 0)
    return -1;
  if (oci_open_root (&root, err) < 0)
    goto out;
  if (nook_oci_container_load (&root, argv[first], &c, err) < 0)
    {
      /* runc: deleting what does not exist, forced, is no error.  */
      if (force && c.dirfd < 0)
        {
          nook_error_release (err);
          r = 0;
        }
      goto out;
    }
  r = delete_container (&root, &c, force, err);
out:
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

/* ---- run ------------------------------------------------------------------------- */

static pid_t run_pid = -1;

static void
forward_signal (int sig)
{
  if (run_pid > 0)
    kill (run_pid, sig);
}

/* In the foreground: the container is this process' child; signals are
   passed on, its status is ours, and it is deleted when it ends.  */
static int
wait_foreground (struct nook_oci_root *root, struct nook_oci_container *c, bool keep, int master,
                 struct nook_error *err)
{
  static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGWINCH };
  struct sigaction sa = { .sa_handler = forward_signal, .sa_flags = SA_RESTART };
  int status;
  pid_t r;

  run_pid = c->pid;
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction (sigs[i], &sa, NULL);
  if (master >= 0)
    oci_relay_terminal (c->pid, master);
  do
    r = waitpid (c->pid, &status, 0);
  while (r < 0 && errno == EINTR);
  run_pid = -1;
  if (r < 0)
    return nook_error_errno (err, "wait for container `%s`", c->id);
  if (!keep && delete_container (root, c, true, err) < 0)
    return -1;
  return WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
}

int
oci_cmd_run (int argc, char **argv, struct nook_error *err)
{
  struct oci_create_opts o = { .console_out = -1 };
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  const char *id;
  int r = -1;

  if (oci_parse_create (argc, argv, true, &o, &id, err) < 0 || oci_open_root (&root, err) < 0)
    goto out;
  o.relay = !o.detach && isatty (STDIN_FILENO);
  if (oci_create_container (&root, id, &o, &c, err) < 0)
    goto out;
  nook_closep (&c.lockfd);
  c.lockfd = -1;
  if (start_container (&c, err) < 0)
    {
      struct nook_error ignored = { 0 };
      delete_container (&root, &c, true, &ignored);
      nook_error_release (&ignored);
      goto out;
    }
  r = o.detach ? 0 : wait_foreground (&root, &c, o.keep, o.console_out, err);
  o.console_out = -1; /* the relay's */
out:
  nook_closep (&o.console_out);
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}
