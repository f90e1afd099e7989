/* nook-oci state, list, ps, kill, pause and resume: the commands on
 * containers that exist, apart from exec and delete.  They read a
 * container's state (oci-state.h) and its processes, or signal them;
 * none creates or removes a container.
 */
#include <config.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <json-c/json.h>

#include "lib/cgroup-path.h"
#include "lib/escape.h"
#include "lib/proc.h"
#include "lib/utils.h"
#include "oci-cli.h"

static int
load (const char *id, struct nook_oci_root *root, struct nook_oci_container *c, struct nook_error *err)
{
  if (oci_open_root (root, err) < 0)
    return -1;
  return nook_oci_container_load (root, id, c, err);
}

int
oci_cmd_state (int argc, char **argv, struct nook_error *err)
{
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int first = oci_parse_plain (argc, argv, 1, 1, err), r = -1;

  if (first < 0)
    return -1;
  if (load (argv[first], &root, &c, err) == 0)
    r = oci_print_json (nook_oci_container_state_json (&c));
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

/* The container's processes: its init and every descendant, and with a
   PID namespace of its own what exec started in it.  */
static size_t
container_pids (const struct nook_oci_container *c, pid_t **pids)
{
  size_t n = nook_proc_tree (c->pid, pids);
  pid_t inner;
  uint64_t ino;

  if (nook_proc_inner_pid (c->pid, &inner) == 0 && inner == 1
      && nook_proc_ns_inode (c->pid, "pid", &ino) == 0)
    n = nook_proc_add_pidns (ino, pids, n);
  return n;
}

static int
signal_container (const struct nook_oci_container *c, int sig, bool all, struct nook_error *err)
{
  cleanup_close int fd = nook_pidfd_open_checked (c->pid, c->start);
  cleanup_free pid_t *pids = NULL;
  size_t n;

  if (fd < 0 || !nook_oci_container_alive (c))
    return nook_error_set (err, 0, "container `%s` is not running", c->id);
  if (!all)
    {
      if (syscall (SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
        return nook_error_errno (err, "send signal %d to container `%s`", sig, c->id);
      return 0;
    }
  /* Every process in the container's cgroup, as runc signals them.  */
  if (c->cgroup)
    return nook_cgroup_signal (c->cgroup, sig, err);
  /* The init's pidfd is held: the pids read are this container's.  */
  n = container_pids (c, &pids);
  for (size_t i = 0; i < n; i++)
    {
      int pfd = (int)syscall (SYS_pidfd_open, pids[i], 0);
      if (pfd >= 0)
        {
          syscall (SYS_pidfd_send_signal, pfd, sig, NULL, 0);
          close (pfd);
        }
    }
  return 0;
}

struct kill_cli
{
  const char *id;
  int sig;
  bool all;
};

enum
{
  O_ALL,
  O_PID,
  O_FORMAT,
  O_QUIET,
};

const struct oci_opt oci_kill_options[] = {
  { "all", 'a', false, O_ALL, NULL, "signal every process of the container" },
  { "pid", 'p', true, O_PID, "PID", "(not supported: an error)" },
  { NULL, 0, false, 0, NULL, NULL },
};

const struct oci_opt oci_ps_options[] = {
  { "format", 'f', true, O_FORMAT, "table|json", "how the pids are printed" },
  { NULL, 0, false, 0, NULL, NULL },
};

const struct oci_opt oci_list_options[] = {
  { "format", 'f', true, O_FORMAT, "table|json", "how the containers are printed" },
  { "quiet", 'q', false, O_QUIET, NULL, "their ids only" },
  { NULL, 0, false, 0, NULL, NULL },
};

static int
parse_kill (int argc, char **argv, struct kill_cli *k, struct nook_error *err)
{
  struct oci_arg args[8];
  size_t n;
  int first = oci_parse (oci_kill_options, argc, argv, args, 8, &n, err);

  if (first < 0 || oci_check_args ("kill", argc - first, 1, 2, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (args[i].id == O_ALL)
      k->all = true;
    else
      return nook_error_set (err, 0, "kill: --pid is not supported");
  k->id = argv[first];
  k->sig = SIGTERM;
  if (argc - first == 2 && (k->sig = nook_parse_signal (argv[first + 1])) < 0)
    {
      nook_error_set (err, 0, "kill: unknown signal `%s`", argv[first + 1]);
      return nook_error_hint (err, "give a name (TERM, SIGKILL) or a number");
    }
  return 0;
}

int
oci_check_kill (int argc, char **argv, struct nook_error *err)
{
  struct kill_cli k = { 0 };

  return parse_kill (argc, argv, &k, err);
}

int
oci_cmd_kill (int argc, char **argv, struct nook_error *err)
{
  struct kill_cli k = { 0 };
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int r = -1;

  if (parse_kill (argc, argv, &k, err) < 0)
    return -1;
  if (load (k.id, &root, &c, err) == 0)
    r = signal_container (&c, k.sig, k.all, err);
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

int
oci_cmd_pause (int argc, char **argv, struct nook_error *err)
{
  bool pause = strcmp (argv[0], "pause") == 0;
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  int first = oci_parse_plain (argc, argv, 1, 1, err), r = -1;

  if (first < 0)
    return -1;
  if (load (argv[first], &root, &c, err) == 0 && c.cgroup)
    {
      /* The freezer: every process at once, none forking past it.  */
      if (nook_oci_container_alive (&c))
        r = nook_cgroup_freeze (c.cgroup, pause, err);
      else
        nook_error_set (err, 0, "container `%s` is not running", c.id);
    }
  else if (c.doc)
    {
      /* A stopped process cannot fork: stop every one, walking again
         until no new one appears.  */
      r = 0;
      for (int round = 0; r == 0 && round < (pause ? 100 : 1); round++)
        {
          r = signal_container (&c, pause ? SIGSTOP : SIGCONT, true, err);
          if (!pause || strcmp (nook_oci_container_status (&c), "paused") == 0)
            break;
          usleep (1000);
        }
    }
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

/* --format of ps and list: whether it is json.  */
static int
parse_format (const char *cmd, const char *value, bool *json, struct nook_error *err)
{
  if (strcmp (value, "json") != 0 && strcmp (value, "table") != 0)
    return nook_error_set (err, 0, "%s: unknown format `%s` (json or table)", cmd, value);
  *json = strcmp (value, "json") == 0;
  return 0;
}

/* ps's options: the index of the container id.  */
static int
parse_ps (int argc, char **argv, bool *json, struct nook_error *err)
{
  struct oci_arg args[4];
  size_t n;
  int first = oci_parse (oci_ps_options, argc, argv, args, 4, &n, err);

  if (first < 0 || oci_check_args ("ps", argc - first, 1, 1, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (parse_format ("ps", args[i].value, json, err) < 0)
      return -1;
  return first;
}

int
oci_check_ps (int argc, char **argv, struct nook_error *err)
{
  bool json;

  return parse_ps (argc, argv, &json, err) < 0 ? -1 : 0;
}

int
oci_cmd_ps (int argc, char **argv, struct nook_error *err)
{
  size_t np;
  bool json = false;
  struct nook_oci_root root = { 0 };
  struct nook_oci_container c = { .dirfd = -1, .lockfd = -1 };
  cleanup_free pid_t *pids = NULL;
  int first = parse_ps (argc, argv, &json, err), r = -1;

  if (first < 0)
    return -1;
  if (load (argv[first], &root, &c, err) == 0)
    {
      json_object *a = json_object_new_array ();
      np = nook_oci_container_alive (&c) ? container_pids (&c, &pids) : 0;
      for (size_t i = 0; i < np; i++)
        json_object_array_add (a, json_object_new_int (pids[i]));
      if (json)
        oci_print_json (a);
      else
        {
          printf ("PID\n");
          for (size_t i = 0; i < np; i++)
            printf ("%d\n", (int)pids[i]);
          json_object_put (a);
        }
      r = 0;
    }
  nook_oci_container_release (&c);
  nook_oci_root_close (&root);
  return r;
}

static int
parse_list (int argc, char **argv, bool *json, bool *quiet, struct nook_error *err)
{
  struct oci_arg args[4];
  size_t n;
  int first = oci_parse (oci_list_options, argc, argv, args, 4, &n, err);

  if (first < 0 || oci_check_args ("list", argc - first, 0, 0, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    if (args[i].id == O_QUIET)
      *quiet = true;
    else if (parse_format ("list", args[i].value, json, err) < 0)
      return -1;
  return 0;
}

int
oci_check_list (int argc, char **argv, struct nook_error *err)
{
  bool json, quiet;

  return parse_list (argc, argv, &json, &quiet, err);
}

int
oci_cmd_list (int argc, char **argv, struct nook_error *err)
{
  bool json = false, quiet = false;
  struct nook_oci_root root = { 0 };
  cleanup_strv char **ids = NULL;
  json_object *a;

  if (parse_list (argc, argv, &json, &quiet, err) < 0)
    return -1;
  if (oci_open_root (&root, err) < 0)
    return -1;
  ids = nook_oci_root_list (&root);
  a = json_object_new_array ();
  if (!json && !quiet)
    printf ("%-20s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE", "CREATED");
  for (size_t i = 0; ids[i]; i++)
    {
      struct nook_oci_container c;
      struct nook_error ignored = { 0 };
      json_object *s;

      if (nook_oci_container_load (&root, ids[i], &c, &ignored) < 0)
        {
          nook_error_release (&ignored);
          nook_oci_container_release (&c);
          continue;
        }
      s = nook_oci_container_state_json (&c);
      /* The table is for a terminal: the id and the bundle's path are
         shown escaped (the JSON keeps them exact).  */
      cleanup_free char *e_id = nook_escape_name (c.id), *e_bundle = nook_escape_name (c.bundle);
      if (quiet)
        printf ("%s\n", e_id);
      else if (!json)
        printf ("%-20s %-8d %-10s %-40s %s\n", e_id, json_object_get_int (json_object_object_get (s, "pid")),
                json_object_get_string (json_object_object_get (s, "status")), e_bundle, c.created);
      json_object_array_add (a, s);
      nook_oci_container_release (&c);
    }
  if (json && !quiet)
    oci_print_json (a);
  else
    json_object_put (a);
  nook_oci_root_close (&root);
  return 0;
}
