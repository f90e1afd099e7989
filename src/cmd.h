/* nook: subcommands.  Each parses its options (options.h) into a spec or
   its own options, calls the library and returns the exit status or an
   error, which main prints.  */
#ifndef NOOK_CMD_H
#define NOOK_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/error.h"
#include "lib/spec.h"

struct nook_command;

/* A subcommand: its command line (options, --help, completions) and what
   runs it.  FN returns the exit status, or -1 with ERR set; main prints
   ERR once, also when FN returned a status (a warning, such as a forged
   state nook ps left out).  */
struct nook_subcommand
{
  const struct nook_command *def;
  int (*fn) (int argc, char **argv, struct nook_error *err);
  bool hidden; /* not in `nook --help` (nook completion) */
};

/* Every subcommand, in `nook --help` order; a NULL def ends it.  */
extern const struct nook_subcommand nook_subcommands[];

#define NOOK_DECLARE_COMMAND(name)                                                                           \
  extern const struct nook_command nook_##name##_command;                                                    \
  int nook_cmd_##name (int argc, char **argv, struct nook_error *err)

NOOK_DECLARE_COMMAND (run);
NOOK_DECLARE_COMMAND (try);
NOOK_DECLARE_COMMAND (diff);
NOOK_DECLARE_COMMAND (stats);
NOOK_DECLARE_COMMAND (check);
NOOK_DECLARE_COMMAND (ps);
NOOK_DECLARE_COMMAND (exec);
NOOK_DECLARE_COMMAND (logs);
NOOK_DECLARE_COMMAND (top);
NOOK_DECLARE_COMMAND (inspect);
NOOK_DECLARE_COMMAND (kill);
NOOK_DECLARE_COMMAND (pause);
NOOK_DECLARE_COMMAND (unpause);
NOOK_DECLARE_COMMAND (wait);
NOOK_DECLARE_COMMAND (rm);
NOOK_DECLARE_COMMAND (network);
NOOK_DECLARE_COMMAND (port);
NOOK_DECLARE_COMMAND (completion);

NOOK_DECLARE_COMMAND (pull);
NOOK_DECLARE_COMMAND (images);
NOOK_DECLARE_COMMAND (import);
NOOK_DECLARE_COMMAND (load);
NOOK_DECLARE_COMMAND (rmi);
/* nook image: its command line is nook_image_cli_command (the library
   has a nook_image_command).  */
extern const struct nook_command nook_image_cli_command;
int nook_cmd_image (int argc, char **argv, struct nook_error *err);
NOOK_DECLARE_COMMAND (system);
NOOK_DECLARE_COMMAND (oci);
/* BYTES as podman prints sizes: "1.23 MB".  */
void nook_cli_human_size (uint64_t bytes, char *out, size_t size);

/* nook image's own subcommands (ls, rm, import and load are nook images,
   rmi, import and load).  */
extern const struct nook_command nook_image_prune_command;
extern const struct nook_command nook_image_inspect_command;

/* nook network's own subcommands, for --help and completions.  */
extern const struct nook_command nook_network_create_command;
extern const struct nook_command nook_network_ls_command;
extern const struct nook_command nook_network_rm_command;

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
/* Checks the number of operands a command got (ARGV[FIRST..ARGC)):
   between MIN and MAX (-1: any).  */
int nook_cli_operands (const struct nook_command *cmd, int argc, int first, int min, int max,
                       struct nook_error *err);
/* Moves ONE into ALL: the first error, or one more line of it (commands
   that go on with their next operand).  */
void nook_cli_error_add (struct nook_error *all, struct nook_error *one);
/* A notice on stderr, "nook: CMD: ...": not an error (nook try's "no
   changes").  */
void nook_cli_note (const char *fmt, ...) __attribute__ ((format (printf, 1, 2)));
/* -p PORT without a host port (run, try): chooses the host port now, so the
   state records it, and says it once on stderr.  */
int nook_cli_publish_ports (struct nook_spec *spec, struct nook_error *err);

#endif
