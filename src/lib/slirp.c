/* slirp4netns: user-mode networking on a tap device in the sandbox.
 *
 * nook starts it after the sandbox's id maps are written, with the
 * sandbox's pid: slirp4netns joins the sandbox's user and network
 * namespaces in a child of its own to create tap0, and runs the stack
 * outside.  It writes "1" on --ready-fd once tap0 is configured (and the
 * API socket listens); --exit-fd makes it stop when nook closes its end,
 * which the kernel also does when nook is killed.  Ports are published
 * through its API socket (add_hostfwd, JSON).  This is the backend of
 * `--net slirp4netns` (net-backend.h).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include "net-backend.h"
#include "net.h"
#include "nethelper.h"
#include "spec.h"
#include "utils.h"

#define SLIRP_READY_TIMEOUT_MS 10000
#define API_DIR_PREFIX "slirp-"

/* An API socket directory of a nook that was killed during setup (the only
   window in which one exists) is removed by the next run that needs one.  */
static void
remove_stale_api_dirs (const char *runtime)
{
  DIR *d = opendir (runtime);
  struct dirent *e;

  if (d == NULL)
    return;
  while ((e = readdir (d)))
    {
      uint64_t pid;
      if (strncmp (e->d_name, API_DIR_PREFIX, strlen (API_DIR_PREFIX)) != 0
          || nook_parse_uint (e->d_name + strlen (API_DIR_PREFIX), INT32_MAX, &pid) < 0)
        continue;
      if (kill ((pid_t)pid, 0) == 0 || errno != ESRCH)
        continue; /* its nook still runs */
      cleanup_free char *dir = xasprintf ("%s/%s", runtime, e->d_name);
      cleanup_free char *sock = xasprintf ("%s/api.sock", dir);
      unlink (sock);
      rmdir (dir);
    }
  closedir (d);
}

static int
api_dir_create (char **dir, char **sock, struct nook_error *err)
{
  cleanup_free char *runtime = nook_runtime_dir (err);

  if (runtime == NULL)
    return -1;
  remove_stale_api_dirs (runtime);
  *dir = xasprintf ("%s/" API_DIR_PREFIX "%d", runtime, (int)getpid ());
  *sock = xasprintf ("%s/api.sock", *dir);
  if (strlen (*sock) >= sizeof ((struct sockaddr_un *)0)->sun_path)
    return nook_error_set (err, ENAMETOOLONG, "slirp4netns API socket `%s`", *sock);
  if (mkdir (*dir, 0700) < 0)
    return nook_error_errno (err, "create `%s`", *dir);
  return 0;
}

static void
api_dir_remove (const char *dir, const char *sock)
{
  if (sock)
    unlink (sock);
  if (dir)
    rmdir (dir);
}

/* One request on a fresh connection: slirp4netns reads until the client
   shuts down its write side, answers, and closes.  */
static int
api_request (const char *sock, json_object *req, json_object **resp, struct nook_error *err)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  struct timeval tv = { .tv_sec = 5 };
  cleanup_close int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  const char *text = json_object_to_json_string_ext (req, JSON_C_TO_STRING_PLAIN);
  char buf[4096];
  size_t len = 0;
  ssize_t n;

  if (fd < 0)
    return nook_error_errno (err, "socket");
  snprintf (sa.sun_path, sizeof sa.sun_path, "%s", sock);
  setsockopt (fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (connect (fd, (struct sockaddr *)&sa, sizeof sa) < 0)
    return nook_error_errno (err, "connect to the slirp4netns API socket");
  if (nook_write_all (fd, text, strlen (text)) < 0 || shutdown (fd, SHUT_WR) < 0)
    return nook_error_errno (err, "send to slirp4netns");
  while (len < sizeof buf - 1 && (n = read (fd, buf + len, sizeof buf - 1 - len)) > 0)
    len += n;
  buf[len] = '\0';
  *resp = json_tokener_parse (buf);
  if (*resp == NULL)
    return nook_error_set (err, 0, "slirp4netns answered `%s`, which is not JSON", buf);
  return 0;
}

int
nook_slirp_add_hostfwd (const char *sock, const struct nook_port_map *p, const char *guest_addr, int *id,
                        struct nook_error *err)
{
  json_object *req = json_object_new_object (), *args = json_object_new_object ();
  json_object *resp = NULL, *error, *desc, *ret, *v;
  int r = 0;

  json_object_object_add (args, "proto", json_object_new_string (p->udp ? "udp" : "tcp"));
  json_object_object_add (args, "host_addr", json_object_new_string (p->host_ip[0] ? p->host_ip : "0.0.0.0"));
  json_object_object_add (args, "host_port", json_object_new_int (p->host_port));
  json_object_object_add (args, "guest_port", json_object_new_int (p->port));
  if (guest_addr)
    json_object_object_add (args, "guest_addr", json_object_new_string (guest_addr));
  json_object_object_add (req, "execute", json_object_new_string ("add_hostfwd"));
  json_object_object_add (req, "arguments", args);
  if (api_request (sock, req, &resp, err) < 0)
    r = -1;
  else if (json_object_object_get_ex (resp, "error", &error))
    {
      const char *why = json_object_object_get_ex (error, "desc", &desc) ? json_object_get_string (desc)
                                                                         : json_object_to_json_string (error);
      r = nook_error_set (err, 0, "slirp4netns: %s", why);
    }
  else if (!json_object_object_get_ex (resp, "return", &ret))
    r = nook_error_set (err, 0, "slirp4netns answered `%s`", json_object_to_json_string (resp));
  else if (id && json_object_object_get_ex (ret, "id", &v))
    *id = json_object_get_int (v);
  json_object_put (req);
  json_object_put (resp);
  if (r < 0)
    nook_error_wrap (err, "--publish: host port %u/%s", p->host_port, p->udp ? "udp" : "tcp");
  return r;
}

void
nook_slirp_remove_hostfwd (const char *sock, int id)
{
  json_object *req = json_object_new_object (), *args = json_object_new_object (), *resp = NULL;
  struct nook_error ignored = { 0 };

  json_object_object_add (args, "id", json_object_new_int (id));
  json_object_object_add (req, "execute", json_object_new_string ("remove_hostfwd"));
  json_object_object_add (req, "arguments", args);
  api_request (sock, req, &resp, &ignored);
  json_object_put (req);
  json_object_put (resp);
  nook_error_release (&ignored);
}

static char **
slirp_argv (const struct nook_spec *spec, const char *api_sock, pid_t pid)
{
  char **argv = NULL;
  char pidstr[16];

  snprintf (pidstr, sizeof pidstr, "%d", (int)pid);
  strv_append (&argv, "slirp4netns");
  strv_append (&argv, "--configure");
  strv_append (&argv, "--mtu=65520");
  if (!spec->net.allow_host_loopback)
    strv_append (&argv, "--disable-host-loopback");
  /* Its own mount namespace with only /etc and /run, and a seccomp filter:
     the process that parses the sandbox's packets is itself confined.  */
  strv_append (&argv, "--enable-sandbox");
  strv_append (&argv, "--enable-seccomp");
  strv_append (&argv, "--ready-fd=3");
  strv_append (&argv, "--exit-fd=4");
  if (api_sock)
    {
      strv_append (&argv, "--api-socket");
      strv_append (&argv, api_sock);
    }
  strv_append (&argv, pidstr);
  strv_append (&argv, "tap0");
  return argv;
}

static int
slirp_spawn (const struct nook_spec *spec, struct nook_net *net, pid_t pid, const char *api_sock,
             struct nook_error *err)
{
  cleanup_strv char **argv = slirp_argv (spec, api_sock, pid);
  cleanup_close int ready_w = -1;
  cleanup_close int exit_r = -1;
  int p[2], fds[2];

  if (pipe2 (p, O_CLOEXEC) < 0)
    return nook_error_errno (err, "pipe");
  net->helper.ready_fd = p[0], ready_w = p[1];
  if (pipe2 (p, O_CLOEXEC) < 0)
    return nook_error_errno (err, "pipe");
  exit_r = p[0], net->helper.exit_fd = p[1];
  fds[0] = ready_w;
  fds[1] = exit_r;
  net->helper.publishes = spec->net.n_ports > 0;
  if (nook_helper_spawn (&net->helper, net->helper_path, argv, fds, 2, err) < 0)
    return -1;
  /* Only the helper may hold these ends (the cleanup attribute closes
     ours): a hang-up then means it is gone.  */
  return 0;
}

/* The API socket's directory, once the ports are published or the run
   ends.  */
static void
slirp_api_release (struct nook_net *net)
{
  api_dir_remove (net->api_dir, net->api_sock);
  free (net->api_dir);
  free (net->api_sock);
  net->api_dir = net->api_sock = NULL;
}

/* After the id maps: starts slirp4netns for the namespaces of PID, with an
   API socket when SPEC publishes ports; slirp_ready waits for it.  */
static int
slirp_start (const struct nook_spec *spec, struct nook_net *net, pid_t pid, struct nook_error *err)
{
  if (spec->net.n_ports > 0 && api_dir_create (&net->api_dir, &net->api_sock, err) < 0)
    {
      api_dir_remove (net->api_dir, NULL);
      free (net->api_dir);
      free (net->api_sock);
      net->api_dir = net->api_sock = NULL;
      return -1;
    }
  return slirp_spawn (spec, net, pid, net->api_sock, err);
}

/* While the sandbox sets itself up: waits until slirp4netns configured
   tap0, then publishes SPEC's ports through its API socket, which exists
   only until they are.  */
static int
slirp_ready (const struct nook_spec *spec, struct nook_net *net, int sync_fd, struct nook_error *err)
{
  int r
      = nook_helper_wait_ready_or (&net->helper, net->helper.ready_fd, sync_fd, SLIRP_READY_TIMEOUT_MS, err);
  char c;

  if (r != 0)
    return r;
  if (read (net->helper.ready_fd, &c, 1) != 1 || c != '1')
    return nook_error_set (err, 0, "slirp4netns did not report ready");
  nook_closep (&net->helper.ready_fd);
  net->helper.ready_fd = -1;
  for (size_t i = 0; r == 0 && i < spec->net.n_ports; i++)
    r = nook_slirp_add_hostfwd (net->api_sock, &spec->net.ports[i], NULL, NULL, err);
  /* slirp4netns keeps its listening socket; nobody else needs the path.  */
  slirp_api_release (net);
  if (r == 0)
    nook_log ("slirp4netns ready, %zu port(s) published", spec->net.n_ports);
  return r;
}

static void
slirp_stop (struct nook_net *net)
{
  nook_helper_stop (net);
  slirp_api_release (net);
}

static int
slirp_etc_files (const struct nook_spec *spec, const struct nook_net *net, struct nook_root_plan *plan,
                 struct nook_error *err)
{
  (void)net, (void)err;
  nook_helper_etc_files (spec, plan, NOOK_SLIRP_DNS, NOOK_SLIRP_GUEST);
  return 0;
}

const struct nook_net_backend nook_net_slirp4netns = {
  .prepare = nook_helper_prepare,
  .etc_files = slirp_etc_files,
  .start = slirp_start,
  .ready = slirp_ready,
  .exited = nook_helper_exited,
  .halt = nook_helper_halt,
  .stop = slirp_stop,
};
