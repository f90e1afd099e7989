/* nook-oci: create, shared with run (oci-start.c), which is create,
   start and a wait in the foreground.  */
#ifndef NOOK_OCI_CREATE_H
#define NOOK_OCI_CREATE_H

#include <stdbool.h>

#include "lib/error.h"
#include "lib/oci-state.h"

/* create's and run's options.  */
struct oci_create_opts
{
  const char *bundle;
  const char *config; /* -f: the config's file name in the bundle */
  const char *pid_file;
  const char *console_socket;
  int preserve_fds;
  bool detach, keep; /* run */
  bool relay;        /* run in the foreground: a terminal is relayed to the caller's */
  int console_out;   /* with relay: the terminal's master, or -1 */
};

/**
 * oci_parse_create - parse create's or run's command line
 * @argc, @argv: the command's arguments, argv[0] the command's name
 * @run: run's (--detach and --keep too)
 * @o: filled; console_out set to -1 by the caller
 * @id: gets the container id
 * @err: set for a bad option or operand
 *
 * Return: 0, or -1 with @err set.
 */
int oci_parse_create (int argc, char **argv, bool run, struct oci_create_opts *o, const char **id,
                      struct nook_error *err);

/**
 * oci_create_container - create container @id from its bundle's config
 * @root: the state root, open
 * @id: the container id
 * @o: the options; with o->relay, o->console_out gets the terminal's
 * master (the caller's to close)
 * @c: gets the container, loaded and locked (run keeps it); the caller
 * releases it
 * @err: set when any step fails
 *
 * The container's init is this process' child, waiting at its exec fifo;
 * the state says "created".  Nothing is left when it fails: no process,
 * no state directory.
 *
 * Return: 0, or -1 with @err set.
 */
int oci_create_container (struct nook_oci_root *root, const char *id, struct oci_create_opts *o,
                          struct nook_oci_container *c, struct nook_error *err);

#endif
