/* nook: subcommands.  Each parses its options into a spec, calls the
   library and prints the error; each returns the process exit status.  */
#ifndef NOOK_CMD_H
#define NOOK_CMD_H

#include "lib/error.h"
#include "lib/spec.h"

int nook_cmd_run (int argc, char **argv);
int nook_cmd_check (int argc, char **argv);
int nook_cmd_ps (int argc, char **argv);
int nook_cmd_exec (int argc, char **argv);
int nook_cmd_kill (int argc, char **argv);
int nook_cmd_pause (int argc, char **argv);
int nook_cmd_unpause (int argc, char **argv);
int nook_cmd_wait (int argc, char **argv);
int nook_cmd_port (int argc, char **argv);
int nook_cmd_rm (int argc, char **argv);
int nook_cmd_inspect (int argc, char **argv);
int nook_cmd_top (int argc, char **argv);
int nook_cmd_logs (int argc, char **argv);
int nook_cmd_diff (int argc, char **argv);
int nook_cmd_try (int argc, char **argv);
int nook_cmd_stats (int argc, char **argv);
int nook_cmd_network (int argc, char **argv);
int nook_cmd_import (int argc, char **argv);
int nook_cmd_load (int argc, char **argv);
int nook_cmd_images (int argc, char **argv);
int nook_cmd_rmi (int argc, char **argv);
int nook_cmd_image (int argc, char **argv);
int nook_cmd_system (int argc, char **argv);
int nook_cmd_pull (int argc, char **argv);
/* BYTES as podman prints sizes: "1.23 MB".  */
void nook_cli_human_size (uint64_t bytes, char *out, size_t size);

/* Parses `nook run` options (ARGV[0] is "run") into SPEC.  Returns 0, 1
   when --help was given (usage printed), or -1 with ERR set.  */
int nook_run_parse (int argc, char **argv, struct nook_spec *spec, struct nook_error *err);

/* The lifecycle commands' common steps (src/cmd-state.c).  */
struct nook_store;
struct nook_sandbox;
/* Opens the state directory and cleans the state of sandboxes whose
   supervisor died.  */
int nook_cli_store (struct nook_store *store, struct nook_error *err);
/* Opens the store and finds the sandbox REF (an id, a name or a prefix).  */
int nook_cli_find (struct nook_store *store, const char *ref, struct nook_sandbox *sb,
                   struct nook_error *err);
/* Prints "nook CMD: USAGE" for a wrong invocation and returns 125.  */
int nook_cli_usage_error (const char *cmd, const char *usage);
/* The same for an option getopt refused (opterr is 0: one line, ours).  */
int nook_cli_bad_option (const char *cmd, const char *usage, const char *arg);

#endif
