/* nook: subcommands.  Each parses its options into a spec, calls the
   library and prints the error; each returns the process exit status.  */
#ifndef NOOK_CMD_H
#define NOOK_CMD_H

#include "lib/error.h"
#include "lib/spec.h"

int nook_cmd_run (int argc, char **argv);
int nook_cmd_check (int argc, char **argv);
int nook_cmd_network (int argc, char **argv);

/* Parses `nook run` options (ARGV[0] is "run") into SPEC.  Returns 0, 1
   when --help was given (usage printed), or -1 with ERR set.  */
int nook_run_parse (int argc, char **argv, struct nook_spec *spec, struct nook_error *err);

#endif
