/* pasta (from passt): user-mode networking on a tap device in the sandbox.
 *
 * nook runs it in the foreground as its own child (so it dies with nook,
 * through PR_SET_PDEATHSIG), with the sandbox's pid: pasta joins the
 * sandbox's user and network namespaces, creates and configures the tap
 * device (--config-net) and copies the host's addresses and routes.
 * Readiness: in the foreground pasta writes its pid file once the
 * namespace is configured; the "file" is a pipe (/proc/self/fd/3), so
 * nothing is written to disk.  nook waits for it while the sandbox sets
 * itself up, and lets the sandbox go on to its command once it came.  Ports are published with -t/-u at
 * start; every automatic forwarding is turned off, in particular -T/-U (ports bound on the host's loopback,
 * reachable from the sandbox), unless asked for. This is the backend of `--net pasta` (net-backend.h).
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "net-backend.h"
#include "net.h"
#include "nethelper.h"
#include "spec.h"
#include "utils.h"

#define PASTA_READY_TIMEOUT_MS 10000

static void
append_ports (char ***argv, const struct nook_spec *spec, bool udp)
{
  bool any = false;

  for (size_t i = 0; i < spec->net.n_ports; i++)
    {
      const struct nook_port_map *p = &spec->net.ports[i];
      char *arg;
      if (p->udp != udp)
        continue;
      /* [ADDR/]HOST_PORT:PORT */
      arg = xasprintf ("%s%s%u:%u", p->host_ip, p->host_ip[0] ? "/" : "", p->host_port, p->port);
      strv_append (argv, udp ? "-u" : "-t");
      strv_append (argv, arg);
      free (arg);
      any = true;
    }
  if (!any)
    {
      strv_append (argv, udp ? "-u" : "-t");
      strv_append (argv, "none");
    }
}

static char **
pasta_argv (const struct nook_spec *spec, pid_t pid)
{
  char **argv = NULL;
  char pidstr[16];

  snprintf (pidstr, sizeof pidstr, "%d", (int)pid);
  strv_append (&argv, "pasta");
  strv_append (&argv, "--foreground");
  strv_append (&argv, "--quiet");
  strv_append (&argv, "--config-net");
  strv_append (&argv, "--mtu");
  strv_append (&argv, "65520");
  strv_append (&argv, "--pid");
  strv_append (&argv, "/proc/self/fd/3");
  strv_append (&argv, "--dns-forward");
  strv_append (&argv, NOOK_PASTA_DNS);
  /* nook stops pasta itself.  Without this, pasta watches the sandbox's
     /proc/PID/ns with inotify to quit when it goes, and releasing that
     watch at exit waits for an SRCU grace period: about 13 ms more before
     nook can reap it, on every run.  */
  strv_append (&argv, "--no-netns-quit");
  append_ports (&argv, spec, false);
  append_ports (&argv, spec, true);
  /* -T/-U default to `auto`: every port bound on the host would appear on
     the sandbox's own loopback, host services reachable without
     --allow-host-loopback.  That option opens only the gateway address.  */
  strv_append (&argv, "-T");
  strv_append (&argv, "none");
  strv_append (&argv, "-U");
  strv_append (&argv, "none");
  if (!spec->net.allow_host_loopback)
    strv_append (&argv, "--no-map-gw");
  strv_append (&argv, pidstr);
  return argv;
}

/* pasta execs itself again as PATH.avx2 when the CPU has AVX2 (the
   packages ship both builds): started as that, it skips one exec and one
   dynamic link, about a millisecond of its start.  */
static char *
pasta_program (const char *path)
{
  char *avx2;

  if (!__builtin_cpu_supports ("avx2"))
    return xstrdup (path);
  avx2 = xasprintf ("%s.avx2", path);
  if (access (avx2, X_OK) == 0)
    return avx2;
  free (avx2);
  return xstrdup (path);
}

/* After the id maps: starts pasta for the namespaces of PID, with SPEC's
   ports; pasta_ready waits for it.  */
static int
pasta_start (const struct nook_spec *spec, struct nook_net *net, pid_t pid, struct nook_error *err)
{
  cleanup_strv char **argv = pasta_argv (spec, pid);
  cleanup_free char *program = pasta_program (net->helper_path);
  cleanup_close int ready_w = -1;
  int p[2];

  if (pipe2 (p, O_CLOEXEC) < 0)
    return nook_error_errno (err, "pipe");
  net->helper.ready_fd = p[0], ready_w = p[1];
  net->helper.publishes = spec->net.n_ports > 0;
  if (nook_helper_spawn (&net->helper, program, argv, &ready_w, 1, err) < 0)
    return -1;
  /* Only pasta holds the write end: a hang-up means it is gone.  */
  return 0;
}

/* While the sandbox sets itself up: waits until pasta configured the
   sandbox's tap device and published the ports.  */
static int
pasta_ready (const struct nook_spec *spec, struct nook_net *net, int sync_fd, struct nook_error *err)
{
  char buf[32];
  int r
      = nook_helper_wait_ready_or (&net->helper, net->helper.ready_fd, sync_fd, PASTA_READY_TIMEOUT_MS, err);

  if (r != 0)
    return r;
  if (read (net->helper.ready_fd, buf, sizeof buf) <= 0)
    return nook_error_set (err, 0, "pasta did not report ready");
  nook_closep (&net->helper.ready_fd);
  net->helper.ready_fd = -1;
  nook_log ("pasta ready, %zu port(s) published", spec->net.n_ports);
  return 0;
}

static int
pasta_etc_files (const struct nook_spec *spec, const struct nook_net *net, struct nook_root_plan *plan,
                 struct nook_error *err)
{
  (void)net, (void)err;
  /* pasta copies the host's address, which nook does not choose: the
     hostname gets the loopback alias Debian uses for it.  */
  nook_helper_etc_files (spec, plan, NOOK_PASTA_DNS, "127.0.1.1");
  return 0;
}

const struct nook_net_backend nook_net_pasta = {
  .prepare = nook_helper_prepare,
  .etc_files = pasta_etc_files,
  .start = pasta_start,
  .ready = pasta_ready,
  .exited = nook_helper_exited,
  .halt = nook_helper_halt,
  .stop = nook_helper_stop,
};
