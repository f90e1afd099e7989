/* nook: the desktop part of the data model (--app, --filesystem, --socket,
 * --device, the D-Bus names).
 *
 * Kept apart from desktop.h so spec.h can include it without the engine's
 * functions: only basic types and error.h here.
 */
#ifndef NOOK_DESKTOP_SPEC_H
#define NOOK_DESKTOP_SPEC_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* --socket KIND: a host socket the sandbox may reach.  */
enum
{
  NOOK_SOCKET_WAYLAND = 1 << 0,
  NOOK_SOCKET_X11 = 1 << 1,
  NOOK_SOCKET_PULSEAUDIO = 1 << 2,
  NOOK_SOCKET_PIPEWIRE = 1 << 3,
};

/* --device KIND.  */
enum
{
  NOOK_DEVICE_DRI = 1 << 0,
};

/* --filesystem WHAT[:ro]: WHAT in Flatpak's vocabulary (home, host,
   xdg-download[/SUB], ~/PATH, /PATH), resolved against the caller's home
   when the sandbox starts.  */
struct nook_fs_grant
{
  char *what;
  bool readonly;
};

struct nook_desktop_spec
{
  char *app; /* --app ID: a reverse-DNS name, validated */
  struct nook_fs_grant *grants;
  size_t n_grants;
  unsigned sockets; /* NOOK_SOCKET_* */
  unsigned devices; /* NOOK_DEVICE_* */
  /* The session bus, through xdg-dbus-proxy: names (NAME or NAME.*) the
     command may talk to, own, or only see.  Any of them turns the
     filtered bus on; none: no session bus at all.  */
  char **talk;
  char **own;
  char **see;
  /* The system bus, filtered the same way: off unless a name is given.  */
  char **system_talk;
};

/**
 * nook_desktop_spec_free - release the desktop part of a spec
 * @ds: its strings and vectors are freed and it is zeroed
 */
void nook_desktop_spec_free (struct nook_desktop_spec *ds);

/**
 * nook_desktop_spec_wanted - whether anything desktop was asked for
 * @ds: only read
 *
 * Return: true when the engine has something to set up; false keeps every
 * desktop step out of `nook run`.
 */
bool nook_desktop_spec_wanted (const struct nook_desktop_spec *ds);

/**
 * nook_app_id_is_valid - whether @id is an application id
 * @id: the name (not NULL)
 *
 * Flatpak's rule: at most 255 bytes, at least three elements separated by
 * dots, each of [A-Za-z0-9_-] and not starting with a digit.  Such an id
 * is a single, safe path component.
 */
bool nook_app_id_is_valid (const char *id);

/**
 * nook_bus_name_is_valid - whether @name is a D-Bus rule's name
 * @name: a well-known name (org.example.App) or a prefix (org.example.*)
 *
 * Return: true for a well-known bus name of at least two elements, with an
 * optional trailing `.*`; unique names (`:1.2`) are refused.
 */
bool nook_bus_name_is_valid (const char *name);

#endif
