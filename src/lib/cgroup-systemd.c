/* nook: a delegated cgroup from the systemd user manager (sd-bus).
 *
 * When the caller's cgroup is not delegated, the user manager can make one:
 * a transient scope with Delegate=yes, holding nook itself.  The sandbox's
 * cgroup is then made inside it exactly as in a delegated cgroup of any
 * other origin (cgroup.c).
 *
 * libsystemd is opened with dlopen on this path only: linked in, it and the
 * five libraries it pulls in cost every `nook run` about 2 ms of loading,
 * a fifth of a sandbox's start, for a path few runs take.  */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <systemd/sd-bus.h>
#include <unistd.h>

#include "cgroup-systemd.h"
#include "utils.h"

/* The sd-bus functions used here, resolved from libsystemd.so.0.  */
#define SD_FUNCS(X)                                                                                          \
  X (sd_bus_open_user)                                                                                       \
  X (sd_bus_open_system)                                                                                     \
  X (sd_bus_match_signal)                                                                                    \
  X (sd_bus_message_new_method_call)                                                                         \
  X (sd_bus_message_append)                                                                                  \
  X (sd_bus_message_open_container)                                                                          \
  X (sd_bus_message_close_container)                                                                         \
  X (sd_bus_call)                                                                                            \
  X (sd_bus_message_read)                                                                                    \
  X (sd_bus_process)                                                                                         \
  X (sd_bus_wait)                                                                                            \
  X (sd_bus_error_free)                                                                                      \
  X (sd_bus_message_unref)                                                                                   \
  X (sd_bus_flush_close_unref)

static struct
{
#define X(f) __typeof__ (f) *f;
  SD_FUNCS (X)
#undef X
} sd;

static int
load_libsystemd (struct nook_error *err)
{
  void *h;

  if (sd.sd_bus_open_user)
    return 0;
  h = dlopen ("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    return nook_error_set (err, 0, "cannot load libsystemd.so.0 to ask systemd for a delegated cgroup: %s",
                           dlerror ());
#define X(f)                                                                                                 \
  if ((sd.f = (__typeof__ (f) *)dlsym (h, #f)) == NULL)                                                      \
    return nook_error_set (err, 0, "libsystemd.so.0 lacks %s", #f);
  SD_FUNCS (X)
#undef X
  return 0;
}

bool
nook_systemd_available (void)
{
  const char *runtime = getenv ("XDG_RUNTIME_DIR");
  cleanup_free char *bus = NULL;

  if (getenv ("DBUS_SESSION_BUS_ADDRESS"))
    return true;
  if (runtime == NULL)
    return false;
  bus = xasprintf ("%s/bus", runtime);
  return access (bus, F_OK) == 0;
}

struct job_wait
{
  const char *path;
  char *result;
};

static int
on_job_removed (sd_bus_message *m, void *userdata, sd_bus_error *ret_error)
{
  struct job_wait *w = userdata;
  const char *path, *unit, *result;
  uint32_t id;

  if (sd.sd_bus_message_read (m, "uoss", &id, &path, &unit, &result) < 0)
    return 0;
  if (w->path && strcmp (path, w->path) == 0)
    w->result = xstrdup (result);
  return 0;
}

static int
start_scope (sd_bus *bus, const char *unit, const char *slice, sd_bus_message **reply, sd_bus_error *error)
{
  sd_bus_message *m = NULL;
  int r;

  r = sd.sd_bus_message_new_method_call (bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                         "org.freedesktop.systemd1.Manager", "StartTransientUnit");
  if (r >= 0)
    r = sd.sd_bus_message_append (m, "ss", unit, "fail");
  if (r >= 0)
    r = sd.sd_bus_message_open_container (m, 'a', "(sv)");
  if (r >= 0)
    r = sd.sd_bus_message_append (m, "(sv)(sv)(sv)(sv)", "Description", "s", "nook sandbox", "PIDs", "au", 1,
                                  (uint32_t)getpid (), "Delegate", "b", 1, "CollectMode", "s",
                                  "inactive-or-failed");
  if (r >= 0 && slice && *slice)
    r = sd.sd_bus_message_append (m, "(sv)", "Slice", "s", slice);
  if (r >= 0)
    r = sd.sd_bus_message_close_container (m);
  if (r >= 0)
    r = sd.sd_bus_message_append (m, "a(sa(sv))", 0);
  if (r >= 0)
    r = sd.sd_bus_call (bus, m, 0, error, reply);
  sd.sd_bus_message_unref (m);
  return r;
}

/* Waits for the JobRemoved signal of PATH, up to 30 s.  */
static int
wait_job (sd_bus *bus, struct job_wait *w)
{
  for (int i = 0; i < 300 && w->result == NULL; i++)
    {
      int r = sd.sd_bus_process (bus, NULL);
      if (r < 0)
        return r;
      if (r == 0 && sd.sd_bus_wait (bus, 100000) < 0)
        return -errno;
    }
  return w->result ? 0 : -ETIMEDOUT;
}

int
nook_systemd_enter_scope (const char *name, struct nook_error *err)
{
  char unit[128];

  /* Named after the sandbox, so `nook stats` finds it (cgroup.c).  */
  snprintf (unit, sizeof unit, "nook-%s.scope", name);
  return nook_systemd_enter_unit (unit, NULL, err);
}

int
nook_systemd_enter_unit (const char *unit, const char *slice, struct nook_error *err)
{
  sd_bus *bus = NULL;
  sd_bus_message *reply = NULL;
  sd_bus_error error = SD_BUS_ERROR_NULL;
  struct job_wait w = { NULL, NULL };
  int r;

  if (load_libsystemd (err) < 0)
    return -1;
  /* root asks the system's manager, as runc and crun do.  */
  r = geteuid () == 0 ? sd.sd_bus_open_system (&bus) : sd.sd_bus_open_user (&bus);
  if (r < 0)
    {
      nook_error_set (err, -r, "connect to the systemd %s manager", geteuid () == 0 ? "system" : "user");
      goto out;
    }
  /* Subscribed before the call: the job may finish before the reply.  */
  r = sd.sd_bus_match_signal (bus, NULL, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                              "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &w);
  if (r >= 0)
    r = start_scope (bus, unit, slice, &reply, &error);
  if (r >= 0)
    r = sd.sd_bus_message_read (reply, "o", &w.path);
  if (r >= 0)
    r = wait_job (bus, &w);
  if (r < 0)
    {
      nook_error_set (err, -r, "ask the systemd user manager for a delegated scope%s%s",
                      error.message ? ": " : "", error.message ? error.message : "");
      goto out;
    }
  if (strcmp (w.result, "done") != 0)
    {
      r = nook_error_set (err, 0, "the systemd user manager could not start the scope `%s`: %s", unit,
                          w.result);
      goto out;
    }
  nook_log ("moved into the delegated systemd scope %s", unit);
out:
  free (w.result);
  sd.sd_bus_error_free (&error);
  sd.sd_bus_message_unref (reply);
  sd.sd_bus_flush_close_unref (bus);
  return r < 0 ? -1 : 0;
}
