/* nook: option groups of `nook run` (and of commands that share them).
 *
 * Each concern keeps its options in a group of its own file (opts-*.c): a
 * table and an apply function that fills the spec.  The parser walks the
 * groups in order; --help prints them under their titles.
 */
#ifndef NOOK_OPTIONS_H
#define NOOK_OPTIONS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/error.h"
#include "lib/spec.h"

struct nook_option
{
  const char *name; /* long name, without "--" */
  char short_name;  /* 0: none */
  int nargs;        /* 0, 1 or 2 */
  int id;           /* the group's own enum value */
  const char *args; /* for --help, e.g. "KEY VALUE" */
  const char *help;
};

/* What parsing carries from one option to the next besides the spec:
   the state of options that apply to a following one, and the
   subcommand's own options.  None of it is something the user asked the
   engine for, so none of it is in struct nook_spec.  */
struct nook_parser
{
  void *cmd; /* the subcommand's own options (nook try's) for its group; NULL: none */
  /* --size and --perms apply to the next --tmpfs (and --perms to the next
     --dir or --file).  */
  uint64_t next_size;
  mode_t next_perms;
  /* --layer, --upper and --layers-at add to the stack of the spec's mount
     op layers_op - 1 (0: none yet).  */
  size_t layers_op;
};

struct nook_option_group
{
  const char *title;
  const struct nook_option *options; /* terminated by a NULL name */
  /* Applies one option; VAL holds its NARGS arguments.  */
  int (*apply) (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
                struct nook_error *err);
  /* Checks the combination once every option is parsed (may be NULL).  */
  int (*check) (const struct nook_spec *spec, const struct nook_parser *parser, struct nook_error *err);
};

extern const struct nook_option_group nook_core_options;
extern const struct nook_option_group nook_security_options;
extern const struct nook_option_group nook_life_options;
extern const struct nook_option_group nook_mount_options;
extern const struct nook_option_group nook_limit_options;
extern const struct nook_option_group nook_net_options;
extern const struct nook_option_group nook_image_options;

/* Parses options from ARGV[1] on, through GROUPS (NULL-terminated), until
   "--" or the first non-option.  Returns the index of the first argument
   after the options, 0 after printing --help, or -1 with ERR set.  CMD
   names the subcommand in messages.  */
int nook_options_parse (const char *cmd, const struct nook_option_group *const *groups, int argc, char **argv,
                        struct nook_spec *spec, struct nook_error *err);
/* The same for a subcommand with options of its own, which its group
   fills through parser->cmd = CMD_OPTS.  */
int nook_options_parse_cmd (const char *cmd, const struct nook_option_group *const *groups, int argc,
                            char **argv, struct nook_spec *spec, void *cmd_opts, struct nook_error *err);
void nook_options_usage (FILE *out, const char *synopsis, const struct nook_option_group *const *groups);

/* --pid, --net, --ipc, --uts MODE (OPT names the option): `host` keeps the
   host's namespace of KIND, `container:ID` joins that sandbox's.  For a
   group with more modes of its own (a network group's --net) to call.  */
int nook_join_option (const char *opt, const char *mode, enum nook_join_kind kind, struct nook_spec *spec,
                      struct nook_error *err);

/* Helpers for apply functions.  */
int nook_option_id (const char *opt, const char *value, uint32_t *out, struct nook_error *err);
void nook_option_string (char **field, const char *value);

#endif
