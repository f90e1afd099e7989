/* nook-oci: the config's hooks.  Each runs as a child of the runtime
 * with the container's state (JSON) on its stdin, only fds 0-2 and no
 * blocked signal, within its timeout; the first that fails ends the
 * kind's run.  createContainer and startContainer hooks run inside the
 * container (oci-create.c calls oci_run_hooks_with from there).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lib/utils.h"
#include "oci-bundle.h"
#include "oci-cli.h"
#include "oci-hooks.h"

/* Runs H with STATE on its stdin; EXEC_FD: H's file, opened where its
   path resolves (a createContainer hook's, in the runtime's mount
   namespace), or -1 to execute it by path.  */
static int
run_hook (const struct nook_oci_hook *h, int exec_fd, const char *state, struct nook_error *err)
{
  int pipefd[2], status;
  pid_t pid;
  cleanup_close int pidfd = -1;
  char *const empty[] = { NULL };
  char *argv0[] = { h->path, NULL };
  struct pollfd pfd;
  struct sigaction ignore = { .sa_handler = SIG_IGN }, old_pipe;
  int r;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return nook_error_errno (err, "hook `%s`", h->path);
  pid = fork ();
  if (pid < 0)
    return nook_error_errno (err, "hook `%s`", h->path);
  if (pid == 0)
    {
      sigset_t none;
      dup2 (pipefd[0], STDIN_FILENO);
      /* The hook's stdout is no part of the runtime's output (state's
         JSON, a pid): it goes where errors go.  */
      dup2 (STDERR_FILENO, STDOUT_FILENO);
      /* Only 0-2, as runc gives them: a hook run in the container must
         not get the runtime's fds; nor its blocked signals.  */
      if (exec_fd >= 0 && (dup2 (exec_fd, 3) < 0 || fcntl (3, F_SETFD, 0) < 0))
        _exit (127);
      /* A script run from an fd is read by its interpreter as
         /dev/fd/3: that one stays open.  */
      syscall (SYS_close_range, exec_fd >= 0 ? 4 : 3, ~0U, 0);
      sigemptyset (&none);
      sigprocmask (SIG_SETMASK, &none, NULL);
      if (exec_fd >= 0)
        syscall (SYS_execveat, 3, "", h->args ? h->args : argv0, h->env ? h->env : empty, AT_EMPTY_PATH);
      else
        execve (h->path, h->args ? h->args : argv0, h->env ? h->env : empty);
      _exit (127);
    }
  close (pipefd[0]);
  /* A hook that ends without reading its stdin must not take the runtime
     (or the container) with it by SIGPIPE.  */
  sigaction (SIGPIPE, &ignore, &old_pipe);
  nook_write_all (pipefd[1], state, strlen (state));
  sigaction (SIGPIPE, &old_pipe, NULL);
  close (pipefd[1]);
  pidfd = (int)syscall (SYS_pidfd_open, pid, 0);
  pfd = (struct pollfd){ pidfd, POLLIN, 0 };
  do
    r = pidfd < 0 ? 1 : poll (&pfd, 1, h->timeout > 0 ? h->timeout * 1000 : -1);
  while (r < 0 && errno == EINTR);
  if (r == 0)
    {
      kill (pid, SIGKILL);
      waitpid (pid, NULL, 0);
      return nook_error_set (err, 0, "hook `%s` timed out after %d s", h->path, h->timeout);
    }
  if (waitpid (pid, &status, 0) < 0)
    return nook_error_errno (err, "hook `%s`", h->path);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return nook_error_set (err, 0, "hook `%s` failed (status %d)", h->path,
                           WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status));
  return 0;
}

int
oci_run_hooks_with (const struct nook_oci_config *cfg, json_object *state, int kind, const char *status,
                    pid_t pid, const int *fds, struct nook_error *err)
{
  const char *text;
  int r = 0;

  json_object_object_add (state, "status", json_object_new_string (status));
  if (pid > 0)
    json_object_object_add (state, "pid", json_object_new_int (pid));
  text = json_object_to_json_string_ext (state, JSON_C_TO_STRING_PLAIN);
  for (size_t i = 0; i < cfg->n_hooks[kind] && r == 0; i++)
    {
      oci_log (OCI_LOG_DEBUG, "%s hook `%s`", nook_oci_hook_name (kind), cfg->hooks[kind][i].path);
      r = run_hook (&cfg->hooks[kind][i], fds ? fds[i] : -1, text, err);
    }
  return r < 0 ? nook_error_wrap (err, "%s", nook_oci_hook_name (kind)) : 0;
}

int
oci_run_hooks_of (const struct nook_oci_config *cfg, struct nook_oci_container *c, int kind,
                  const char *status, struct nook_error *err)
{
  json_object *state;
  int r;

  if (cfg->n_hooks[kind] == 0)
    return 0;
  state = nook_oci_container_state_json (c);
  r = oci_run_hooks_with (cfg, state, kind, status, c->pid, NULL, err);
  json_object_put (state);
  return r;
}

int
oci_run_hooks (struct nook_oci_container *c, int kind, const char *status, struct nook_error *err)
{
  struct nook_spec spec;
  struct nook_oci_config cfg = { 0 };
  int r;

  nook_spec_init (&spec);
  r = oci_load_saved_config (c, &spec, &cfg, err);
  if (r == 0)
    r = oci_run_hooks_of (&cfg, c, kind, status, err);
  nook_oci_config_free (&cfg);
  nook_spec_free (&spec);
  return r;
}
