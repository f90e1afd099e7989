/* Options of `nook run`: desktop programs, in Flatpak's vocabulary — an
   app's identity and home, the paths it is granted, the host sockets and
   devices it may use, and the D-Bus names it may reach.  */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/utils.h"
#include "options.h"

enum
{
  OPT_APP = 1,
  OPT_FILESYSTEM,
  OPT_SOCKET,
  OPT_DEVICE,
  OPT_TALK_NAME,
  OPT_OWN_NAME,
  OPT_SEE_NAME,
  OPT_SYSTEM_TALK_NAME,
};

static const struct nook_option desktop_options[] = {
  { "app", 0, 1, OPT_APP, "ID",
    "run as the app ID (org.example.App): its own persistent home, your uid, a private XDG_RUNTIME_DIR" },
  { "filesystem", 0, 1, OPT_FILESYSTEM, "WHAT[:ro]",
    "grant a host path: home, host, xdg-download (and other xdg-* names), ~/PATH or /PATH" },
  { "socket", 0, 1, OPT_SOCKET, "KIND", "a host socket: wayland, x11, pulseaudio or pipewire" },
  { "device", 0, 1, OPT_DEVICE, "KIND", "a host device: dri (the GPU)" },
  { "talk-name", 0, 1, OPT_TALK_NAME, "NAME", "the session bus, filtered: talk to NAME (or NAME.*)" },
  { "own-name", 0, 1, OPT_OWN_NAME, "NAME", "the session bus, filtered: own NAME (or NAME.*)" },
  { "see-name", 0, 1, OPT_SEE_NAME, "NAME", "the session bus, filtered: see NAME, not talk to it" },
  { "system-talk-name", 0, 1, OPT_SYSTEM_TALK_NAME, "NAME", "the system bus, filtered: talk to NAME" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static const struct
{
  const char *name;
  unsigned bit;
} sockets[] = {
  { "wayland", NOOK_SOCKET_WAYLAND },
  { "x11", NOOK_SOCKET_X11 },
  { "pulseaudio", NOOK_SOCKET_PULSEAUDIO },
  { "pipewire", NOOK_SOCKET_PIPEWIRE },
};

/* --app ID: its home, and the caller's ids inside, as Flatpak's apps run:
   D-Bus clients (libdbus, GDBus) authenticate with their uid, which must
   be the one the bus sees.  A later --uid or --gid still wins.  The
   current directory is not the app's: not bound, unless --bind-cwd.  */
static int
apply_app (const char *id, struct nook_spec *spec, struct nook_error *err)
{
  if (!nook_app_id_is_valid (id))
    {
      nook_error_set (err, 0, "--app `%s`: not an application id", id);
      return nook_error_hint (err, "a reverse-DNS name of three or more parts, such as org.example.Editor");
    }
  nook_option_string (&spec->desktop.app, id);
  spec->uid = getuid ();
  spec->gid = getgid ();
  if (spec->cwd_mode == NOOK_CWD_AUTO)
    spec->cwd_mode = NOOK_CWD_NEVER;
  return 0;
}

static int
apply_filesystem (const char *arg, struct nook_spec *spec, struct nook_error *err)
{
  struct nook_desktop_spec *ds = &spec->desktop;
  cleanup_free char *what = xstrdup (arg);
  char *colon = strrchr (what, ':');
  bool ro = false;

  if (colon && (strcmp (colon, ":ro") == 0 || strcmp (colon, ":rw") == 0))
    {
      ro = colon[1] == 'r' && colon[2] == 'o';
      *colon = '\0';
    }
  else if (colon)
    {
      nook_error_set (err, 0, "--filesystem `%s`: unknown mode `%s`", arg, colon + 1);
      return nook_error_hint (err, "ro or rw, as in --filesystem xdg-download:ro");
    }
  if (*what == '\0' || strstr (what, "/../") || strcmp (what, "..") == 0
      || (strlen (what) >= 3 && strcmp (what + strlen (what) - 3, "/..") == 0))
    {
      nook_error_set (err, 0, "--filesystem `%s`: not a place nook knows", arg);
      return nook_error_hint (err, "home, host, xdg-download (and other xdg-* names), ~/PATH or /PATH");
    }
  ds->grants = xrealloc (ds->grants, (ds->n_grants + 1) * sizeof *ds->grants);
  ds->grants[ds->n_grants].what = steal_pointer (&what);
  ds->grants[ds->n_grants].readonly = ro;
  ds->n_grants++;
  return 0;
}

static int
apply_socket (const char *kind, struct nook_spec *spec, struct nook_error *err)
{
  for (size_t i = 0; i < sizeof sockets / sizeof sockets[0]; i++)
    if (strcmp (kind, sockets[i].name) == 0)
      {
        spec->desktop.sockets |= sockets[i].bit;
        return 0;
      }
  nook_error_set (err, 0, "--socket `%s`: unknown socket", kind);
  return nook_error_hint (err, "wayland, x11, pulseaudio or pipewire");
}

static int
apply_device (const char *kind, struct nook_spec *spec, struct nook_error *err)
{
  if (strcmp (kind, "dri") == 0)
    {
      spec->desktop.devices |= NOOK_DEVICE_DRI;
      return 0;
    }
  nook_error_set (err, 0, "--device `%s`: unknown device", kind);
  return nook_error_hint (err, "dri (the GPU's /dev/dri)");
}

static int
apply_name (const struct nook_option *o, const char *name, char ***names, struct nook_error *err)
{
  if (!nook_bus_name_is_valid (name))
    {
      nook_error_set (err, 0, "--%s `%s`: not a D-Bus name", o->name, name);
      return nook_error_hint (err, "a well-known name such as org.freedesktop.Notifications, or a prefix "
                                   "such as org.freedesktop.portal.*");
    }
  if (!strv_has (*names, name))
    strv_append (names, name);
  return 0;
}

static int
desktop_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
               struct nook_error *err)
{
  struct nook_desktop_spec *ds = &spec->desktop;

  (void)parser;
  switch (o->id)
    {
    case OPT_APP:
      return apply_app (val[0], spec, err);
    case OPT_FILESYSTEM:
      return apply_filesystem (val[0], spec, err);
    case OPT_SOCKET:
      return apply_socket (val[0], spec, err);
    case OPT_DEVICE:
      return apply_device (val[0], spec, err);
    case OPT_TALK_NAME:
      return apply_name (o, val[0], &ds->talk, err);
    case OPT_OWN_NAME:
      return apply_name (o, val[0], &ds->own, err);
    case OPT_SEE_NAME:
      return apply_name (o, val[0], &ds->see, err);
    case OPT_SYSTEM_TALK_NAME:
      return apply_name (o, val[0], &ds->system_talk, err);
    }
  return nook_error_set (err, 0, "option --%s is not handled", o->name);
}

/* --map-users auto makes the caller uid 0 inside: the uid --app gives the
   app would be another user's, who could not open the app's home.  */
static int
desktop_check (const struct nook_spec *spec, const struct nook_parser *parser, struct nook_error *err)
{
  (void)parser;
  if (spec->desktop.app && spec->map_mode == NOOK_MAP_AUTO && spec->uid == getuid () && spec->uid != 0)
    {
      nook_error_set (err, 0, "--app runs as your own uid, which --map-users auto maps to another user");
      return nook_error_hint (err, "drop --map-users auto, or add --uid 0 --gid 0 after --app");
    }
  return 0;
}

const struct nook_option_group nook_desktop_options
    = { "Desktop programs", desktop_options, desktop_apply, desktop_check };
