/* nook: desktop programs (desktop.h): the app's home, the granted paths,
 * the display, sound and GPU, the look and feel, and the environment that
 * points the command at them.
 *
 * Everything here becomes mount operations of the root plan, inserted
 * after the default root's (which hides the home under a tmpfs) and
 * before the user's own, so an explicit --bind still goes on top.  The
 * host paths come from the caller's environment and home, never from
 * anything a sandbox wrote, except the app's home itself: that is opened
 * without following symlinks and must be the caller's.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "caller.h"
#include "desktop.h"
#include "root-plan.h"
#include "spec.h"
#include "state.h"
#include "utils.h"

/* What makes a program look like the rest of the desktop: the user's
   fonts, icons, themes and toolkit settings, read-only, where the app's
   home would otherwise hide them.  The system's are in /usr and /etc.  */
static const char *const look_and_feel[] = {
  ".local/share/fonts",  ".fonts",  ".config/fontconfig",           ".local/share/icons",           ".icons",
  ".local/share/themes", ".themes", ".config/gtk-3.0/settings.ini", ".config/gtk-4.0/settings.ini", NULL
};

/* The app's XDG directories, inside its home.  */
static const char *const app_subdirs[]
    = { ".config", ".local", ".local/share", ".local/state", ".cache", NULL };

/* Flatpak's xdg-* names: the key in user-dirs.dirs, and the usual name.  */
static const struct
{
  const char *name, *key, *fallback;
} user_dirs[] = {
  { "xdg-desktop", "DESKTOP", "Desktop" },     { "xdg-documents", "DOCUMENTS", "Documents" },
  { "xdg-download", "DOWNLOAD", "Downloads" }, { "xdg-music", "MUSIC", "Music" },
  { "xdg-pictures", "PICTURES", "Pictures" },  { "xdg-public-share", "PUBLICSHARE", "Public" },
  { "xdg-videos", "VIDEOS", "Videos" },        { "xdg-templates", "TEMPLATES", "Templates" },
};

/* `host`: what Flatpak's means besides the system directories, which the
   default root has read-only already.  */
static const char *const host_places[] = { "/media", "/mnt", "/run/media", "/srv", "/opt", NULL };

/* ---- validation -------------------------------------------------------------- */

/* One element of a dotted name: [A-Za-z0-9_-]+, not starting with a digit.  */
static bool
valid_element (const char *s, size_t n)
{
  if (n == 0 || (s[0] >= '0' && s[0] <= '9'))
    return false;
  for (size_t i = 0; i < n; i++)
    {
      char c = s[i];
      if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'
            || c == '-'))
        return false;
    }
  return true;
}

static bool
valid_dotted (const char *name, size_t min_elements)
{
  size_t n = strlen (name), elements = 0;
  const char *p = name;

  if (n == 0 || n > 255)
    return false;
  for (;;)
    {
      const char *dot = strchr (p, '.');
      size_t len = dot ? (size_t)(dot - p) : strlen (p);
      if (!valid_element (p, len))
        return false;
      elements++;
      if (dot == NULL)
        break;
      p = dot + 1;
    }
  return elements >= min_elements;
}

bool
nook_app_id_is_valid (const char *id)
{
  return valid_dotted (id, 3);
}

bool
nook_bus_name_is_valid (const char *name)
{
  size_t n = strlen (name);
  cleanup_free char *copy = xstrdup (name);

  if (n > 2 && strcmp (name + n - 2, ".*") == 0)
    copy[n - 2] = '\0';
  return valid_dotted (copy, 2);
}

/* ---- the spec's part ----------------------------------------------------------- */

void
nook_desktop_spec_free (struct nook_desktop_spec *ds)
{
  free (ds->app);
  for (size_t i = 0; i < ds->n_grants; i++)
    free (ds->grants[i].what);
  free (ds->grants);
  strv_free (ds->talk);
  strv_free (ds->own);
  strv_free (ds->see);
  strv_free (ds->system_talk);
  memset (ds, 0, sizeof *ds);
}

bool
nook_desktop_spec_wanted (const struct nook_desktop_spec *ds)
{
  return ds->app || ds->n_grants || ds->sockets || ds->devices || ds->talk || ds->own || ds->see
         || ds->system_talk;
}

/* ---- mount operations ------------------------------------------------------------ */

static void
add_bind (struct nook_root_plan *plan, const char *src, const char *dest, unsigned flags)
{
  struct nook_mount_op op
      = { .kind = NOOK_MNT_BIND, .flags = flags, .src = (char *)src, .dest = (char *)dest, .fd = -1 };
  nook_root_plan_add_op (plan, &op);
}

static void
env_add (struct nook_desktop *d, const char *key, const char *value)
{
  cleanup_free char *kv = xasprintf ("%s=%s", key, value);
  strv_append (&d->env, kv);
}

static bool
is_socket (const char *path)
{
  struct stat st;
  return stat (path, &st) == 0 && S_ISSOCK (st.st_mode);
}

/* A path below a base that a grant names: no `..`, no empty component.  */
static bool
clean_relative (const char *p)
{
  if (*p == '\0' || *p == '/')
    return false;
  for (const char *c = p; c; c = strchr (c, '/') ? strchr (c, '/') + 1 : NULL)
    {
      size_t len = strcspn (c, "/");
      if (len == 0 || (len == 2 && strncmp (c, "..", 2) == 0) || (len == 1 && c[0] == '.'))
        return false;
    }
  return true;
}

/* ---- the app's home -------------------------------------------------------------- */

static int
mkdir_parents (const char *path, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (path);

  for (char *p = copy + 1;; p++)
    if (*p == '/' || *p == '\0')
      {
        char c = *p;
        *p = '\0';
        if (mkdir (copy, 0700) < 0 && errno != EEXIST)
          return nook_error_errno (err, "--app: create `%s`", copy);
        if (c == '\0')
          return 0;
        *p = c;
      }
}

/* $XDG_DATA_HOME/nook/apps/ID (~/.local/share/...), created 0700: the
   directory is the app's, opened without following a symlink that an
   earlier run of it could have left where the id goes.  */
static int
app_home (const struct nook_spec *spec, const struct nook_caller *caller, struct nook_desktop *d,
          struct nook_error *err)
{
  const char *xdg = getenv ("XDG_DATA_HOME");
  cleanup_free char *apps = NULL;
  cleanup_close int dirfd = -1, fd = -1;
  struct stat st;

  if (!nook_app_id_is_valid (spec->desktop.app))
    {
      nook_error_set (err, 0, "--app `%s`: not an application id", spec->desktop.app);
      return nook_error_hint (err, "a reverse-DNS name such as org.example.Editor");
    }
  apps = xdg && xdg[0] == '/' ? xasprintf ("%s/nook/apps", xdg)
                              : xasprintf ("%s/.local/share/nook/apps", caller->home);
  if (mkdir_parents (apps, err) < 0)
    return -1;
  dirfd = open (apps, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return nook_error_errno (err, "--app: open `%s`", apps);
  if (mkdirat (dirfd, spec->desktop.app, 0700) < 0 && errno != EEXIST)
    return nook_error_errno (err, "--app: create `%s/%s`", apps, spec->desktop.app);
  fd = openat (dirfd, spec->desktop.app, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0 || fstat (fd, &st) < 0)
    return nook_error_errno (err, "--app: open `%s/%s`", apps, spec->desktop.app);
  if (st.st_uid != caller->uid)
    return nook_error_set (err, 0, "--app: `%s/%s` is not yours", apps, spec->desktop.app);
  for (size_t i = 0; app_subdirs[i]; i++)
    if (mkdirat (fd, app_subdirs[i], 0700) < 0 && errno != EEXIST)
      return nook_error_errno (err, "--app: create `%s/%s/%s`", apps, spec->desktop.app, app_subdirs[i]);
  d->app_dir = xasprintf ("%s/%s", apps, spec->desktop.app);
  return 0;
}

/* ---- --filesystem ----------------------------------------------------------------- */

/* The directory user-dirs.dirs gives for KEY ("$HOME/Downloads"), or NULL.  */
static char *
user_dir (const struct nook_caller *caller, const char *key)
{
  const char *xdg = getenv ("XDG_CONFIG_HOME");
  cleanup_free char *file = xdg && xdg[0] == '/' ? xasprintf ("%s/user-dirs.dirs", xdg)
                                                 : xasprintf ("%s/.config/user-dirs.dirs", caller->home);
  cleanup_free char *want = xasprintf ("XDG_%s_DIR=\"", key);
  char line[4096];
  char *found = NULL;
  FILE *f = fopen (file, "re");

  while (f && found == NULL && fgets (line, sizeof line, f))
    {
      char *v, *end;
      if (strncmp (line, want, strlen (want)) != 0)
        continue;
      v = line + strlen (want);
      end = strchr (v, '"');
      if (end == NULL)
        continue;
      *end = '\0';
      if (strncmp (v, "$HOME/", 6) == 0 && v[6] && clean_relative (v + 6))
        found = xasprintf ("%s/%s", caller->home, v + 6);
      else if (v[0] == '/' && strcmp (v, caller->home) != 0)
        found = xstrdup (v);
    }
  if (f)
    fclose (f);
  return found;
}

static char *
xdg_base (const struct nook_caller *caller, const char *env, const char *fallback)
{
  const char *v = getenv (env);
  return v && v[0] == '/' ? xstrdup (v) : xasprintf ("%s/%s", caller->home, fallback);
}

/* The host path of a grant's first part (home, xdg-download, ...), or NULL
   when it names none.  */
static char *
grant_base (const struct nook_caller *caller, const char *name)
{
  if (strcmp (name, "home") == 0 || strcmp (name, "~") == 0)
    return xstrdup (caller->home);
  if (strcmp (name, "xdg-config") == 0)
    return xdg_base (caller, "XDG_CONFIG_HOME", ".config");
  if (strcmp (name, "xdg-data") == 0)
    return xdg_base (caller, "XDG_DATA_HOME", ".local/share");
  if (strcmp (name, "xdg-cache") == 0)
    return xdg_base (caller, "XDG_CACHE_HOME", ".cache");
  for (size_t i = 0; i < sizeof user_dirs / sizeof user_dirs[0]; i++)
    if (strcmp (name, user_dirs[i].name) == 0)
      {
        char *dir = user_dir (caller, user_dirs[i].key);
        return dir ? dir : xasprintf ("%s/%s", caller->home, user_dirs[i].fallback);
      }
  return NULL;
}

/* WHAT as Flatpak writes it: home, host, xdg-NAME[/SUB], ~/PATH, /PATH.
   Returns the host path, or NULL with ERR set.  *OPTIONAL says whether a
   missing path is skipped (a well-known place) or an error (one named).  */
static char *
grant_path (const struct nook_caller *caller, const char *what, bool *optional, struct nook_error *err)
{
  cleanup_free char *head = xstrdup (what);
  char *sub = strchr (head, '/'), *base;

  *optional = false;
  if (what[0] == '/')
    {
      if (strcmp (what, "/") == 0 || !clean_relative (what + 1))
        goto bad;
      return xstrdup (what);
    }
  if (sub)
    *sub++ = '\0';
  if (sub && !clean_relative (sub))
    goto bad;
  base = grant_base (caller, head);
  if (base == NULL)
    goto bad;
  *optional = sub == NULL && strcmp (head, "home") != 0 && strcmp (head, "~") != 0;
  if (sub)
    {
      char *full = xasprintf ("%s/%s", base, sub);
      free (base);
      return full;
    }
  return base;
bad:
  nook_error_set (err, 0, "--filesystem `%s`: not a place nook knows", what);
  nook_error_hint (err, "home, host, xdg-download (and the other xdg-* names), ~/PATH or /PATH, then :ro for "
                        "read-only");
  return NULL;
}

static int
grant_one (struct nook_root_plan *plan, const char *what, const char *path, bool readonly, bool optional,
           struct nook_error *err)
{
  if (nook_state_path_exposes (path))
    {
      nook_error_set (err, 0, "--filesystem `%s`: `%s` would expose nook's own state", what, path);
      return nook_error_hint (err, "grant a directory that does not contain $XDG_RUNTIME_DIR/nook");
    }
  if (!optional && access (path, F_OK) < 0)
    {
      nook_error_errno (err, "--filesystem `%s`: `%s`", what, path);
      return nook_error_hint (err, "create it first, or grant another path");
    }
  if (plan)
    add_bind (plan, path, path, (readonly ? NOOK_MNT_F_RDONLY : 0) | (optional ? NOOK_MNT_F_TRY : 0));
  return 0;
}

static bool
grants_home (const struct nook_desktop_spec *ds)
{
  for (size_t i = 0; i < ds->n_grants; i++)
    if (strcmp (ds->grants[i].what, "home") == 0 || strcmp (ds->grants[i].what, "~") == 0
        || strcmp (ds->grants[i].what, "host") == 0)
      return true;
  return false;
}

/* Adds the grants' binds to PLAN; with PLAN NULL only checks them.  */
static int
plan_grants (const struct nook_spec *spec, const struct nook_caller *caller, struct nook_root_plan *plan,
             struct nook_error *err)
{
  const struct nook_desktop_spec *ds = &spec->desktop;

  for (size_t i = 0; i < ds->n_grants; i++)
    {
      const struct nook_fs_grant *g = &ds->grants[i];
      cleanup_free char *path = NULL;
      bool optional;

      if (strcmp (g->what, "host") == 0)
        {
          if (grant_one (plan, g->what, caller->home, g->readonly, false, err) < 0)
            return -1;
          for (size_t k = 0; host_places[k]; k++)
            if (grant_one (plan, g->what, host_places[k], g->readonly, true, err) < 0)
              return -1;
          continue;
        }
      path = grant_path (caller, g->what, &optional, err);
      if (path == NULL || grant_one (plan, g->what, path, g->readonly, optional, err) < 0)
        return -1;
    }
  return 0;
}

/* The app's home on the caller's home path (or, when the real home is
   granted, beside it at its own path); the user's look and feel over it.  */
static int
plan_home (const struct nook_spec *spec, const struct nook_caller *caller, struct nook_desktop *d,
           struct nook_root_plan *plan, struct nook_error *err)
{
  bool real_home = grants_home (&spec->desktop);

  if (spec->desktop.app == NULL)
    return plan_grants (spec, caller, plan, err);
  /* Checked before the app's home is made: bad input leaves nothing.  */
  if (plan_grants (spec, caller, NULL, err) < 0 || app_home (spec, caller, d, err) < 0)
    return -1;
  if (nook_state_path_exposes (d->app_dir))
    return nook_error_set (err, 0, "--app: `%s` would expose nook's own state", d->app_dir);
  if (!real_home)
    {
      add_bind (plan, d->app_dir, caller->home, 0);
      d->xdg_base = xstrdup (caller->home);
      for (size_t i = 0; look_and_feel[i]; i++)
        {
          cleanup_free char *p = xasprintf ("%s/%s", caller->home, look_and_feel[i]);
          add_bind (plan, p, p, NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
        }
    }
  if (plan_grants (spec, caller, plan, err) < 0)
    return -1;
  if (real_home)
    {
      add_bind (plan, d->app_dir, d->app_dir, 0);
      d->xdg_base = xstrdup (d->app_dir);
    }
  /* An app starts in its home, not in an empty /tmp.  */
  if (spec->chdir == NULL && plan->workdir && strcmp (plan->workdir, "/tmp") == 0)
    {
      free (plan->workdir);
      plan->workdir = xstrdup (caller->home);
    }
  return 0;
}

/* ---- sockets and devices ----------------------------------------------------------- */

static const char *
host_runtime_dir (void)
{
  const char *r = getenv ("XDG_RUNTIME_DIR");
  return r && r[0] == '/' ? r : NULL;
}

static void
plan_wayland (struct nook_desktop *d, struct nook_root_plan *plan)
{
  const char *name = getenv ("WAYLAND_DISPLAY"), *run = host_runtime_dir ();
  cleanup_free char *host = NULL, *inside = NULL;
  const char *as;

  if (name == NULL || *name == '\0' || (name[0] != '/' && run == NULL))
    {
      nook_log ("desktop: --socket wayland: WAYLAND_DISPLAY is not set: no Wayland inside");
      return;
    }
  host = name[0] == '/' ? xstrdup (name) : xasprintf ("%s/%s", run, name);
  if (!is_socket (host))
    {
      nook_log ("desktop: --socket wayland: `%s` is not a socket: no Wayland inside", host);
      return;
    }
  as = name[0] != '/' && strchr (name, '/') == NULL ? name : "wayland-0";
  inside = xasprintf ("%s/%s", d->runtime_dir, as);
  add_bind (plan, host, inside, 0);
  env_add (d, "WAYLAND_DISPLAY", as);
}

/* DISPLAY's number when it names a local display (:N, :N.S, unix:N),
   else NULL.  */
static char *
x11_display_number (const char *display, const char **screen)
{
  const char *colon = display ? strchr (display, ':') : NULL;
  size_t n;

  if (colon == NULL || (colon != display && strncmp (display, "unix:", 5) != 0))
    return NULL;
  n = strspn (colon + 1, "0123456789");
  if (n == 0 || n > 8 || (colon[1 + n] != '\0' && colon[1 + n] != '.'))
    return NULL;
  *screen = colon + 1 + n;
  return strndup (colon + 1, n);
}

static int
plan_x11 (struct nook_desktop *d, const struct nook_caller *caller, struct nook_root_plan *plan,
          struct nook_error *err)
{
  const char *display = getenv ("DISPLAY"), *screen = "", *xauth = getenv ("XAUTHORITY");
  cleanup_free char *number = x11_display_number (display, &screen);
  cleanup_free char *sock = NULL, *source = NULL, *dest = NULL, *value = NULL;
  struct nook_mount_op op = { .kind = NOOK_MNT_FILE, .flags = NOOK_MNT_F_RDONLY, .mode = 0600 };
  struct utsname u;

  if (number == NULL)
    {
      nook_log ("desktop: --socket x11: DISPLAY `%s` is no local display: no X11 inside",
                display ? display : "");
      return 0;
    }
  sock = xasprintf ("/tmp/.X11-unix/X%s", number);
  if (!is_socket (sock))
    {
      nook_log ("desktop: --socket x11: `%s` is not a socket: no X11 inside", sock);
      return 0;
    }
  source = xauth && xauth[0] == '/' ? xstrdup (xauth) : xasprintf ("%s/.Xauthority", caller->home);
  uname (&u);
  d->xauth_fd = nook_xauth_for_display (source, number, u.nodename, err);
  if (d->xauth_fd < 0)
    return -1;
  add_bind (plan, sock, sock, 0);
  dest = xasprintf ("%s/Xauthority", d->runtime_dir);
  op.dest = dest;
  op.fd = d->xauth_fd;
  nook_root_plan_add_op (plan, &op);
  value = xasprintf (":%s%s", number, screen);
  env_add (d, "DISPLAY", value);
  env_add (d, "XAUTHORITY", dest);
  return 0;
}

/* A sound server's socket: PULSE_SERVER's unix: path or PIPEWIRE_REMOTE's
   (when absolute), else NAME in the caller's runtime directory.  */
static void
plan_sound (struct nook_desktop *d, struct nook_root_plan *plan, const char *env, const char *prefix,
            const char *name)
{
  const char *v = getenv (env), *run = host_runtime_dir ();
  cleanup_free char *host = NULL, *inside = NULL;

  if (v && strncmp (v, prefix, strlen (prefix)) == 0 && v[strlen (prefix)] == '/')
    host = xstrdup (v + strlen (prefix));
  else if (run)
    host = xasprintf ("%s/%s", run, name);
  if (host == NULL || !is_socket (host))
    {
      nook_log ("desktop: no `%s` on the host: not inside", host ? host : name);
      return;
    }
  inside = xasprintf ("%s/%s", d->runtime_dir, name);
  add_bind (plan, host, inside, 0);
  if (strcmp (env, "PULSE_SERVER") == 0)
    {
      cleanup_free char *server = xasprintf ("unix:%s", inside);
      env_add (d, "PULSE_SERVER", server);
    }
}

static int
plan_sockets (const struct nook_spec *spec, const struct nook_caller *caller, struct nook_desktop *d,
              struct nook_root_plan *plan, struct nook_error *err)
{
  unsigned s = spec->desktop.sockets;

  if (s & NOOK_SOCKET_WAYLAND)
    plan_wayland (d, plan);
  if ((s & NOOK_SOCKET_X11) && plan_x11 (d, caller, plan, err) < 0)
    return -1;
  if (s & NOOK_SOCKET_PULSEAUDIO)
    plan_sound (d, plan, "PULSE_SERVER", "unix:", "pulse/native");
  if (s & NOOK_SOCKET_PIPEWIRE)
    plan_sound (d, plan, "PIPEWIRE_REMOTE", "", "pipewire-0");
  if (spec->desktop.devices & NOOK_DEVICE_DRI)
    add_bind (plan, "/dev/dri", "/dev/dri", NOOK_MNT_F_DEVICES | NOOK_MNT_F_TRY);
  return 0;
}

/* ---- the run ----------------------------------------------------------------------- */

void
nook_desktop_init (struct nook_desktop *d)
{
  memset (d, 0, sizeof *d);
  d->xauth_fd = -1;
  d->bus.sync_fd = -1;
}

int
nook_desktop_prepare (const struct nook_spec *spec, const struct nook_caller *caller, struct nook_desktop *d,
                      struct nook_root_plan *plan, struct nook_error *err)
{
  struct nook_mount_op runtime = { .kind = NOOK_MNT_TMPFS, .mode = 0700, .fd = -1 };

  if (!nook_desktop_spec_wanted (&spec->desktop))
    return 0;
  d->active = true;
  d->runtime_dir = xasprintf ("/run/user/%u", (unsigned)spec->uid);
  if (plan_home (spec, caller, d, plan, err) < 0)
    return -1;
  /* The runtime directory is the sandbox's own: the host's holds every
     socket of the session.  */
  runtime.dest = d->runtime_dir;
  nook_root_plan_add_op (plan, &runtime);
  env_add (d, "XDG_RUNTIME_DIR", d->runtime_dir);
  if (d->xdg_base)
    {
      static const char *const vars[][2] = { { "XDG_CONFIG_HOME", ".config" },
                                             { "XDG_DATA_HOME", ".local/share" },
                                             { "XDG_STATE_HOME", ".local/state" },
                                             { "XDG_CACHE_HOME", ".cache" } };
      for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        {
          cleanup_free char *v = xasprintf ("%s/%s", d->xdg_base, vars[i][1]);
          env_add (d, vars[i][0], v);
        }
    }
  if (plan_sockets (spec, caller, d, plan, err) < 0 || nook_dbus_proxy_prepare (spec, &d->bus, err) < 0)
    return -1;
  /* libdbus and GDBus send their uid in the bus's EXTERNAL authentication,
     and the bus compares it with the proxy's, which is the caller's.  */
  if (d->bus.path && spec->uid != caller->uid)
    nook_warn ("D-Bus clients inside authenticate as uid %u, which the bus refuses (Hint: --app ID runs "
               "as your own uid, as does --uid %u --gid %u)",
               (unsigned)spec->uid, (unsigned)caller->uid, (unsigned)caller->gid);
  return 0;
}

int
nook_desktop_start (const struct nook_spec *spec, struct nook_desktop *d, const char *state_dir,
                    struct nook_root_plan *plan, struct nook_error *err)
{
  if (d->bus.path == NULL)
    return 0;
  if (nook_dbus_proxy_start (spec, &d->bus, state_dir, err) < 0)
    return -1;
  if (d->bus.session_at)
    {
      cleanup_free char *inside = xasprintf ("%s/bus", d->runtime_dir);
      cleanup_free char *addr = xasprintf ("unix:path=%s", inside);
      add_bind (plan, d->bus.session_at, inside, 0);
      env_add (d, "DBUS_SESSION_BUS_ADDRESS", addr);
    }
  if (d->bus.system_at)
    {
      add_bind (plan, d->bus.system_at, "/run/dbus/system_bus_socket", 0);
      env_add (d, "DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/run/dbus/system_bus_socket");
    }
  return 0;
}

static bool
user_sets (const struct nook_spec *spec, const char *key)
{
  for (size_t i = 0; i < spec->n_env_ops; i++)
    if (strcmp (spec->env_ops[i].key, key) == 0)
      return true;
  return false;
}

void
nook_desktop_env (const struct nook_spec *spec, const struct nook_desktop *d, char ***env)
{
  /* The host's own pointers, which --keep-env would pass: they lead
     nowhere inside, or somewhere the sandbox was not given.  */
  static const char *const host_only[] = { "DBUS_SESSION_BUS_ADDRESS",
                                           "DBUS_SYSTEM_BUS_ADDRESS",
                                           "WAYLAND_DISPLAY",
                                           "DISPLAY",
                                           "XAUTHORITY",
                                           "PULSE_SERVER",
                                           "PIPEWIRE_REMOTE",
                                           "XDG_RUNTIME_DIR",
                                           NULL };

  if (!d->active)
    return;
  for (size_t i = 0; host_only[i]; i++)
    if (!user_sets (spec, host_only[i]))
      nook_env_set (env, host_only[i], NULL);
  for (size_t i = 0; d->env && d->env[i]; i++)
    {
      cleanup_free char *key = xstrdup (d->env[i]);
      char *eq = strchr (key, '=');
      *eq = '\0';
      if (!user_sets (spec, key))
        nook_env_set (env, key, eq + 1);
    }
}

void
nook_desktop_release (struct nook_desktop *d)
{
  nook_dbus_proxy_stop (&d->bus);
  nook_closep (&d->xauth_fd);
  free (d->runtime_dir);
  free (d->app_dir);
  free (d->xdg_base);
  strv_free (d->env);
  nook_desktop_init (d);
}
