/* nook-bwrap: bubblewrap's command line as a front end of the engine.
 *
 * nook_bwrap_parse reads bubblewrap 0.11's options into a struct
 * nook_spec, with bubblewrap's semantics (an empty root, the caller's
 * ids, only the namespaces asked for); what is the front end's own
 * business (dying with the parent, the message prefix, warnings) goes
 * into struct nook_bwrap (bwrap-spec.h).  It never prints.
 */
#ifndef NOOK_BWRAP_ARGS_H
#define NOOK_BWRAP_ARGS_H

#include "bwrap-spec.h"
#include "lib/error.h"
#include "lib/spec.h"

/* The bubblewrap release whose command line nook-bwrap implements.  */
#define NOOK_BWRAP_COMPAT_VERSION "0.11.1"

/**
 * nook_bwrap_parse - bubblewrap's options into a spec
 * @argc: argv's length
 * @argv: argv[0] is the program's name; the command follows the options
 *        (or a "--")
 * @spec: from nook_spec_init; filled
 * @bw: zeroed; the front end's own options
 * @err: set as bubblewrap words its refusals ("--perms takes an octal
 *       argument <= 07777"), without its "bwrap: " prefix
 *
 * Return: 0 (check @bw->help and @bw->version), or -1 with @err set.
 */
int nook_bwrap_parse (int argc, char **argv, struct nook_spec *spec, struct nook_bwrap *bw,
                      struct nook_error *err);

/**
 * nook_bwrap_release - free what @bw holds
 */
void nook_bwrap_release (struct nook_bwrap *bw);

/**
 * nook_bwrap_usage - bubblewrap's --help text
 * @prog: the name the program was called by
 *
 * Return: a new string.
 */
char *nook_bwrap_usage (const char *prog);

#endif
