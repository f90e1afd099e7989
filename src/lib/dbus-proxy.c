/* nook: the session (and system) bus through xdg-dbus-proxy, Flatpak's
 * model: the command reaches the bus only through a socket the proxy
 * listens on, and the proxy lets it talk to, own or see only the names it
 * was given (org.example.App, or org.example.*), filtering every message
 * both ways.
 *
 * The proxy is nook's child (nethelper.c's helper process: PDEATHSIG,
 * its own process group, stderr kept for the error message) and gets
 * --fd=3, the write end of a pipe: it writes a byte there once every
 * socket listens, and exits when nook's read end closes, so it stops
 * with nook however nook ends.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "desktop.h"
#include "net.h"
#include "nethelper.h"
#include "spec.h"
#include "utils.h"

/* The system bus's well-known address (the D-Bus specification's).  */
#define SYSTEM_BUS_SOCKET "/run/dbus/system_bus_socket"

/* How long the proxy may take to listen.  */
#define PROXY_READY_MS 10000

/* The host's session bus: DBUS_SESSION_BUS_ADDRESS, else the socket that
   systemd and dbus-broker put in the runtime directory.  */
static char *
session_address (void)
{
  const char *addr = getenv ("DBUS_SESSION_BUS_ADDRESS"), *run = getenv ("XDG_RUNTIME_DIR");
  struct stat st;
  cleanup_free char *path = NULL;

  if (addr && *addr)
    return xstrdup (addr);
  if (run == NULL || run[0] != '/')
    return NULL;
  path = xasprintf ("%s/bus", run);
  if (stat (path, &st) < 0 || !S_ISSOCK (st.st_mode))
    return NULL;
  return xasprintf ("unix:path=%s", path);
}

static char *
system_address (void)
{
  const char *addr = getenv ("DBUS_SYSTEM_BUS_ADDRESS");
  struct stat st;

  if (addr && *addr)
    return xstrdup (addr);
  if (stat (SYSTEM_BUS_SOCKET, &st) < 0 || !S_ISSOCK (st.st_mode))
    return NULL;
  return xstrdup ("unix:path=" SYSTEM_BUS_SOCKET);
}

static void
add_rules (char ***argv, const char *kind, char **names)
{
  for (size_t i = 0; names && names[i]; i++)
    {
      cleanup_free char *arg = xasprintf ("--%s=%s", kind, names[i]);
      strv_append (argv, arg);
    }
}

/* The filter of the session bus: the names asked for, and with --app the
   app's own id (and names under it) to own, as Flatpak allows.  */
static void
session_rules (const struct nook_desktop_spec *ds, char ***argv)
{
  strv_append (argv, "--filter");
  add_rules (argv, "talk", ds->talk);
  add_rules (argv, "own", ds->own);
  add_rules (argv, "see", ds->see);
  if (ds->app)
    {
      cleanup_free char *own = xasprintf ("--own=%s", ds->app);
      cleanup_free char *sub = xasprintf ("--own=%s.*", ds->app);
      strv_append (argv, own);
      strv_append (argv, sub);
    }
}

int
nook_dbus_proxy_prepare (const struct nook_spec *spec, struct nook_dbus_proxy *p, struct nook_error *err)
{
  const struct nook_desktop_spec *ds = &spec->desktop;
  bool want_session = ds->talk || ds->own || ds->see, want_system = ds->system_talk != NULL;

  p->sync_fd = -1;
  if (want_session && (p->session = session_address ()) == NULL)
    nook_log ("desktop: no session bus on the host (DBUS_SESSION_BUS_ADDRESS unset): none inside");
  if (want_system && (p->system = system_address ()) == NULL)
    nook_log ("desktop: no system bus on the host: none inside");
  if (p->session == NULL && p->system == NULL)
    return 0;
  p->path = nook_net_find_helper ("xdg-dbus-proxy");
  if (p->path == NULL)
    {
      nook_error_set (err, 0, "D-Bus: `xdg-dbus-proxy` is not installed (not found in PATH)");
      return nook_error_hint (err, "install the xdg-dbus-proxy package; nook reaches a bus only through it");
    }
  strv_append (&p->argv, "xdg-dbus-proxy");
  strv_append (&p->argv, "--fd=3");
  return 1;
}

/* The command line: for each bus, its address, the proxy's socket and
   the filter.  */
static char **
proxy_argv (const struct nook_spec *spec, const struct nook_dbus_proxy *p)
{
  char **argv = NULL;

  for (size_t i = 0; p->argv[i]; i++)
    strv_append (&argv, p->argv[i]);
  if (p->session)
    {
      strv_append (&argv, p->session);
      strv_append (&argv, p->session_at);
      session_rules (&spec->desktop, &argv);
    }
  if (p->system)
    {
      strv_append (&argv, p->system);
      strv_append (&argv, p->system_at);
      strv_append (&argv, "--filter");
      add_rules (&argv, "talk", spec->desktop.system_talk);
    }
  return argv;
}

int
nook_dbus_proxy_start (const struct nook_spec *spec, struct nook_dbus_proxy *p, const char *dir,
                       struct nook_error *err)
{
  cleanup_strv char **argv = NULL;
  int pipefd[2];

  if (p->session)
    p->session_at = xasprintf ("%s/bus", dir);
  if (p->system)
    p->system_at = xasprintf ("%s/system-bus", dir);
  argv = proxy_argv (spec, p);
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return nook_error_errno (err, "pipe");
  p->sync_fd = pipefd[0];
  p->helper = xcalloc (1, sizeof *p->helper);
  p->helper->name = "xdg-dbus-proxy";
  p->helper->pid = -1;
  p->helper->pidfd = p->helper->exit_fd = p->helper->log_fd = -1;
  if (nook_helper_spawn (p->helper, p->path, argv, &pipefd[1], 1, err) < 0)
    {
      close (pipefd[1]);
      return -1;
    }
  close (pipefd[1]);
  if (nook_helper_wait_ready (p->helper, p->sync_fd, PROXY_READY_MS, err) < 0)
    return nook_error_wrap (err, "the D-Bus proxy");
  {
    char byte;
    if (read (p->sync_fd, &byte, 1) != 1)
      return nook_error_set (err, 0, "the D-Bus proxy closed its ready pipe without a word");
  }
  nook_log ("desktop: xdg-dbus-proxy listens on %s%s%s", p->session_at ? p->session_at : "",
            p->session_at && p->system_at ? " and " : "", p->system_at ? p->system_at : "");
  return 0;
}

void
nook_dbus_proxy_stop (struct nook_dbus_proxy *p)
{
  /* Closing the pipe stops it; SIGKILL does at once what the close
     would, and the reap below must not wait for its main loop.  */
  nook_closep (&p->sync_fd);
  if (p->helper)
    {
      if (p->helper->pid > 0)
        {
          siginfo_t info;
          syscall (SYS_pidfd_send_signal, p->helper->pidfd, SIGKILL, NULL, 0);
          waitid (P_PIDFD, p->helper->pidfd, &info, WEXITED);
        }
      nook_closep (&p->helper->pidfd);
      nook_closep (&p->helper->log_fd);
      free (p->helper);
      p->helper = NULL;
    }
  if (p->session_at)
    unlink (p->session_at);
  if (p->system_at)
    unlink (p->system_at);
  free (p->session_at);
  free (p->system_at);
  free (p->session);
  free (p->system);
  free (p->path);
  strv_free (p->argv);
  memset (p, 0, sizeof *p);
  p->sync_fd = -1;
}
