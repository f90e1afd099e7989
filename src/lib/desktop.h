/* nook: desktop programs — an application's own home, the host's display,
 * sound and GPU, and a filtered session bus.
 *
 * Nothing here runs unless the spec asks for it (desktop-spec.h).  The
 * order spawn.c drives, in the order of the declarations:
 *   nook_desktop_prepare  before any process exists: resolves the host's
 *                         sockets and the --filesystem grants, adds the
 *                         mount operations, makes the app's home;
 *   nook_desktop_start    once the sandbox's state directory is reserved,
 *                         before the clone: starts xdg-dbus-proxy, whose
 *                         sockets live in that directory (no sandbox sees
 *                         it) and are bound into the sandbox's runtime dir;
 *   nook_desktop_env      the variables that point the command at them;
 *   nook_desktop_release  stops the proxy and removes its sockets.
 * The proxy has PR_SET_PDEATHSIG(SIGKILL) and exits when nook's end of its
 * --fd pipe closes: it never outlives nook, and a SIGKILLed nook's
 * sockets go with its state directory at the next sweep (docs/state.md).
 */
#ifndef NOOK_DESKTOP_H
#define NOOK_DESKTOP_H

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

struct nook_spec;
struct nook_caller;
struct nook_root_plan;
struct nook_net_helper;

/* The D-Bus proxy of one run.  */
struct nook_dbus_proxy
{
  char **argv;      /* xdg-dbus-proxy's command line, but for the socket paths */
  char *path;       /* the xdg-dbus-proxy binary */
  char *session;    /* the host's session bus address, or NULL */
  char *system;     /* the host's system bus address, or NULL */
  char *session_at; /* the proxy's sockets (host paths), once started */
  char *system_at;
  struct nook_net_helper *helper; /* the running process (nethelper.h), or NULL */
  int sync_fd;                    /* nook's end of --fd: closing it stops the proxy */
};

/* What the desktop options resolved to for one run.  */
struct nook_desktop
{
  bool active;       /* anything asked for: false leaves every step a no-op */
  char *runtime_dir; /* XDG_RUNTIME_DIR inside: /run/user/UID */
  char *app_dir;     /* --app: the app's home on the host */
  char *xdg_base;    /* --app: where its XDG directories are inside */
  char **env;        /* K=V for the command */
  int xauth_fd;      /* --socket x11: a memfd holding the display's cookie, or -1 */
  struct nook_dbus_proxy bus;
};

/**
 * nook_desktop_init - a run with no desktop part yet
 * @d: release with nook_desktop_release from here on
 */
void nook_desktop_init (struct nook_desktop *d);

/**
 * nook_desktop_prepare - the desktop checks and mounts, before any process
 * @spec: the sandbox; only read
 * @caller: gives the home and the ids
 * @d: gets what the run needs later
 * @plan: gets the app's home, the private runtime directory, the granted
 *        paths, the sockets, /dev/dri
 * @err: set on failure: a granted path that does not exist or would expose
 *       nook's state, xdg-dbus-proxy missing, the app's home unusable
 *
 * A socket the host lacks (no WAYLAND_DISPLAY, no sound server, no
 * session bus) is left out, and -v says so: a profile names them all.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_desktop_prepare (const struct nook_spec *spec, const struct nook_caller *caller,
                          struct nook_desktop *d, struct nook_root_plan *plan, struct nook_error *err);

/**
 * nook_desktop_start - start the D-Bus proxy, before the clone
 * @spec: the sandbox; only read
 * @d: as prepared
 * @state_dir: the sandbox's state directory: the proxy's sockets go there
 * @plan: gets the binds of the proxy's sockets
 * @err: set when the proxy cannot start or does not get ready
 *
 * Return: 0 (also when no bus was asked for), or -1 with @err set.
 */
int nook_desktop_start (const struct nook_spec *spec, struct nook_desktop *d, const char *state_dir,
                        struct nook_root_plan *plan, struct nook_error *err);

/**
 * nook_desktop_env - point the command at what the sandbox got
 * @spec: its --setenv/--unsetenv steps win over nook's
 * @d: as prepared and started
 * @env: the command's environment, changed in place
 */
void nook_desktop_env (const struct nook_spec *spec, const struct nook_desktop *d, char ***env);

/**
 * nook_desktop_release - stop the proxy, remove its sockets, free @d
 * @d: may be released twice
 */
void nook_desktop_release (struct nook_desktop *d);

/* ---- parts, for desktop.c and the unit tests ------------------------------ */

/**
 * nook_xauth_for_display - an Xauthority file with only one display's cookie
 * @source: the caller's Xauthority file ($XAUTHORITY, ~/.Xauthority)
 * @display: the display number ("0" for :0)
 * @hostname: the host's name: a FamilyLocal entry counts only for it
 * @err: set when the file cannot be written
 *
 * Reads @source with libXau (dlopen'ed), else with the `xauth` program,
 * and writes each entry for @display as FamilyWild, which matches any
 * hostname (the sandbox's is its own).  A missing @source gives an empty
 * file: a server without access control needs no cookie.
 *
 * Return: a sealed memfd holding the file, at offset 0, or -1 with @err set.
 */
int nook_xauth_for_display (const char *source, const char *display, const char *hostname,
                            struct nook_error *err);

/**
 * nook_xauth_method - how the last nook_xauth_for_display read the file
 *
 * Return: "libXau", "xauth" or "none" (no source file).
 */
const char *nook_xauth_method (void);

/**
 * nook_dbus_proxy_prepare - find xdg-dbus-proxy and the host's buses
 * @spec: the D-Bus names; only read
 * @p: gets the proxy's command line
 * @err: set when names are asked for, a bus exists and xdg-dbus-proxy is
 *       not installed
 *
 * Return: 1 when a proxy is to start, 0 when there is no bus to proxy,
 * -1 with @err set.
 */
int nook_dbus_proxy_prepare (const struct nook_spec *spec, struct nook_dbus_proxy *p, struct nook_error *err);

/**
 * nook_dbus_proxy_start - start xdg-dbus-proxy and wait until it listens
 * @spec: the D-Bus names; only read
 * @p: as prepared; gets the process and its sockets' paths
 * @dir: where the sockets go (0700, no sandbox sees it)
 * @err: set when it cannot start, with its last message
 *
 * Return: 0, or -1 with @err set.
 */
int nook_dbus_proxy_start (const struct nook_spec *spec, struct nook_dbus_proxy *p, const char *dir,
                           struct nook_error *err);

/**
 * nook_dbus_proxy_stop - stop the proxy and remove its sockets
 * @p: may be stopped twice, or never started
 */
void nook_dbus_proxy_stop (struct nook_dbus_proxy *p);

#endif
