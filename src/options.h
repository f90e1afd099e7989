/* nook: the one option parser of every subcommand.
 *
 * A subcommand is described by a struct nook_command: its usage line, a
 * one-line description and the groups of options it accepts.  Each concern
 * keeps its options in a group of its own file (opts-*.c, or the
 * subcommand's file): a table and an apply function that fills the spec
 * (or the subcommand's own options, parser->cmd).  The parser walks the
 * groups in order; --help and the shell completions are generated from the
 * same tables, so what a command accepts, shows and completes is one list.
 *
 * Short options combine as podman's and docker's do: `-it`, `-e K=V`,
 * `-eK=V`, `-p8080:80`.  An unknown option is refused with a "did you mean"
 * hint: the nearest name in the command's tables, or the nook spelling of
 * a known podman option.
 */
#ifndef NOOK_OPTIONS_H
#define NOOK_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/error.h"
#include "lib/spec.h"

struct nook_option
{
  const char *name; /* long name, without "--" */
  char short_name;  /* 0: none */
  int nargs;        /* 0, 1 or 2; -1: a flag that may be given =true or =false (val[0], else NULL) */
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
  /* The command being parsed: --profile applies its keys through the
     command's own option tables.  */
  const struct nook_command *command;
  /* --size and --perms apply to the next --tmpfs (and --perms to the next
     --dir or --file).  */
  uint64_t next_size;
  mode_t next_perms;
  /* --layer, --upper and --layers-at add to the stack of the spec's mount
     op layers_op - 1 (0: none yet).  */
  size_t layers_op;
  /* -i: podman's "keep stdin open"; nook always passes stdin in the
     foreground, so it only matters against -d.  */
  bool interactive;
  /* Keys that -e/--env or --setenv set: --env-file does not override
     them, whatever the order (podman's precedence).  */
  char **env_set;
  /* The option being applied, as the user wrote it ("-w", "--workdir").  */
  char given[64];
};

struct nook_option_group
{
  const char *title;
  const struct nook_option *options; /* terminated by a NULL name */
  /* Applies one option; VAL holds its NARGS arguments.  SPEC is NULL for
     a subcommand that has no spec (nook ps): such groups fill
     parser->cmd.  */
  int (*apply) (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
                struct nook_error *err);
  /* Checks the combination once every option is parsed (may be NULL).  */
  int (*check) (const struct nook_spec *spec, const struct nook_parser *parser, struct nook_error *err);
};

/* A subcommand's command line.  */
struct nook_command
{
  const char *name;                              /* "run", "network create" */
  const char *synopsis;                          /* after "Usage: "; lines separated by \n */
  const char *summary;                           /* one line: what it does */
  const struct nook_option_group *const *groups; /* NULL-terminated, or NULL: none but --help */
  /* Long names of the groups' options that do not apply to this command
     (nook try takes nook run's groups but not --rootfs): NULL-terminated,
     or NULL.  Not listed in --help; refused, naming the option given.  */
  const char *const *excluded;
  /* Options may come after the operands (podman's `rm NAME -f`): for the
     commands that take no command line of their own.  */
  bool interspersed;
  const char *epilog; /* printed after the options, or NULL */
  /* The subcommand's own options (nook_command_parse's @cmd_opts): their
     size (0: none), and what frees what its groups allocated in them
     (NULL: nothing).  With them a harness parses any subcommand's command
     line as its own file would (tests/fuzz/fuzz-cli-options.c).  */
  size_t opts_size;
  void (*opts_free) (void *opts);
};

extern const struct nook_option_group nook_core_options;
extern const struct nook_option_group nook_security_options;
extern const struct nook_option_group nook_life_options;
extern const struct nook_option_group nook_mount_options;
extern const struct nook_option_group nook_limit_options;
extern const struct nook_option_group nook_net_options;
extern const struct nook_option_group nook_image_options;
extern const struct nook_option_group nook_desktop_options;

/**
 * nook_command_parse - parse a subcommand's options
 * @cmd: the subcommand
 * @argc, @argv: its arguments, @argv[0] the subcommand's name
 * @spec: filled by the groups that fill a spec; NULL when @cmd has none
 * @cmd_opts: the subcommand's own options, as parser->cmd for its groups
 * @err: set on failure
 *
 * Parses until "--" or, unless @cmd is interspersed, the first operand;
 * an interspersed command's operands are moved, in order, to the end of
 * @argv.  --help (-h) prints the usage on stdout.
 *
 * Return: the index in @argv of the first operand (@argc when none), 0
 * after printing --help, or -1 with @err set (exit status 125).
 */
int nook_command_parse (const struct nook_command *cmd, int argc, char **argv, struct nook_spec *spec,
                        void *cmd_opts, struct nook_error *err);

/**
 * nook_command_usage - print a subcommand's --help
 * @out: where
 * @cmd: the subcommand
 *
 * Usage line, summary, then each group as a section: one line per option
 * that applies to @cmd.
 */
void nook_command_usage (FILE *out, const struct nook_command *cmd);

/**
 * nook_command_find_option - whether @cmd accepts an option
 * @cmd: the subcommand
 * @name: a long name without "--"
 *
 * Return: the option, or NULL when @cmd has none of that name or excludes it.
 */
const struct nook_option *nook_command_find_option (const struct nook_command *cmd, const char *name);

/**
 * nook_command_option_group - the group of one of @cmd's options
 * @cmd: the subcommand
 * @o: an option of one of its groups
 *
 * Return: the group, or NULL.
 */
const struct nook_option_group *nook_command_option_group (const struct nook_command *cmd,
                                                           const struct nook_option *o);

/**
 * nook_command_nearest_option - "did you mean" for an unknown name
 * @cmd: the subcommand
 * @name: the long name given, without "--"
 *
 * Return: the long name of @cmd's nearest option (a typo or a prefix
 * away), or NULL.
 */
const char *nook_command_nearest_option (const struct nook_command *cmd, const char *name);

/**
 * nook_command_has_excluded - whether @name is an option @cmd's groups
 * have but @cmd excludes (nook try's --rootfs)
 */
bool nook_command_has_excluded (const struct nook_command *cmd, const char *name);

/* The earlier entry points, for a subcommand described by its groups only:
   nook_options_parse_cmd is nook_command_parse with a command named CMD;
   it returns 0 on --help without printing (the caller does, with
   nook_options_usage).  */
int nook_options_parse (const char *cmd, const struct nook_option_group *const *groups, int argc, char **argv,
                        struct nook_spec *spec, struct nook_error *err);
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

/**
 * nook_env_entry - apply one podman-style environment entry
 * @spec: its env ops get the variable
 * @parser: remembers the keys set, for --env-file's precedence
 * @entry: K=V sets K; K alone takes the caller's K when set (else
 *         nothing); K* takes every caller variable whose name starts with K
 * @from_file: an --env-file line: never overrides a key -e set
 * @err: set for an entry that is not a variable
 *
 * Return: 0, or -1 with @err set.
 */
int nook_env_entry (struct nook_spec *spec, struct nook_parser *parser, const char *entry, bool from_file,
                    struct nook_error *err);

/**
 * nook_env_file_read - read a podman/docker --env-file
 * @path: the file: a K=V, K or K* entry a line; blank lines and lines
 *        starting with # are skipped; values are taken as written
 * @entries: set to the entries (a strv the caller frees)
 * @err: set when the file cannot be read or holds a malformed line
 *
 * Return: 0, or -1 with @err set.
 */
int nook_env_file_read (const char *path, char ***entries, struct nook_error *err);

/* Levenshtein distance with adjacent transpositions (--evn for --env),
   for "did you mean".  */
size_t nook_edit_distance (const char *a, const char *b);

#endif
