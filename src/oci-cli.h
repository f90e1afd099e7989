/* nook-oci: the OCI runtime command line (runc's and crun's), shared by
   its files: the global options, the log, option parsing, the commands.
   oci-cli.c parses the global options and dispatches; each command lives
   in the file named beside it below.  */
#ifndef NOOK_OCI_CLI_H
#define NOOK_OCI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include <json-c/json.h>

#include "lib/error.h"
#include "lib/oci-state.h"

enum oci_level
{
  OCI_LOG_ERROR,
  OCI_LOG_WARNING,
  OCI_LOG_INFO,
  OCI_LOG_DEBUG,
};

/* --cgroup-manager (--systemd-cgroup: systemd).  */
enum oci_cgroup_manager
{
  OCI_CGROUP_CGROUPFS,
  OCI_CGROUP_SYSTEMD,
  OCI_CGROUP_DISABLED,
};

/* The global options.  */
struct oci_globals
{
  const char *root; /* --root; NULL: nook_oci_default_root */
  const char *log;  /* --log FILE */
  bool json;        /* --log-format json */
  enum oci_level level;
  int log_fd; /* the open --log, or -1 (stderr for errors only) */
  enum oci_cgroup_manager cgroup_manager;
};

extern struct oci_globals oci_globals;

/**
 * oci_log - one line in the --log file (json: msg, level, time as crun
 * writes them); without --log, errors and warnings go to stderr
 */
void oci_log (enum oci_level level, const char *fmt, ...) __attribute__ ((format (printf, 2, 3)));

/* An option of a command: what the parser reads, and what --help says
   of it (oci_print_options).  */
struct oci_opt
{
  const char *name; /* long name */
  char short_name;  /* 0: none */
  bool arg;         /* takes a value */
  int id;
  const char *value; /* --help: the value's name ("DIR"); NULL for a flag */
  const char *help;  /* --help: what it does; NULL: accepted and ignored */
};

/* The options of each command that has some (their files'): --help prints
   them, and the commands parse with them.  */
extern const struct oci_opt oci_create_options[], oci_run_options[], oci_exec_options[], oci_kill_options[],
    oci_delete_options[], oci_ps_options[], oci_list_options[], oci_update_options[], oci_spec_options[];

/**
 * oci_print_options - the options of a table, one a line, for --help
 * @opts: a table of oci_parse's; its ignored options are listed together
 */
void oci_print_options (const struct oci_opt *opts);

/* One parsed option.  */
struct oci_arg
{
  int id;
  const char *value; /* NULL for a flag */
};

/**
 * oci_parse - parse a command's options, up to its first operand
 * @opts: the command's table (a NULL name ends it)
 * @argc, @argv: the command's arguments, argv[0] the command's name
 * @out: gets the options in order (at most @max)
 * @n_out: how many
 * @err: set for an unknown option or a missing value
 *
 * Return: the index of the first operand, or -1.
 */
int oci_parse (const struct oci_opt *opts, int argc, char **argv, struct oci_arg *out, size_t max,
               size_t *n_out, struct nook_error *err);

/**
 * oci_parse_plain - parse the command line of a command without options
 * @argc, @argv: the command's arguments, argv[0] the command's name
 * @min, @max: how many operands it takes (@max -1: any number)
 * @err: set for an option, or too few or too many operands
 *
 * Return: the index of the first operand, or -1.
 */
int oci_parse_plain (int argc, char **argv, int min, int max, struct nook_error *err);

/**
 * oci_open_root - open the state root (--root or the default) and sweep it
 */
int oci_open_root (struct nook_oci_root *root, struct nook_error *err);

/**
 * oci_check_args - the number of operands a command takes
 */
int oci_check_args (const char *cmd, int n, int min, int max, struct nook_error *err);

/**
 * oci_write_pid_file - write PID to PATH as runc does (a new file, renamed into place)
 */
int oci_write_pid_file (int dirfd, const char *path, pid_t pid, struct nook_error *err);

/**
 * oci_print_json - print @o pretty on stdout, and release it
 *
 * Return: 0.
 */
int oci_print_json (json_object *o);

/* The commands: each returns the exit status, or -1 with @err set.  */
int oci_cmd_create (int argc, char **argv, struct nook_error *err); /* oci-create.c */
int oci_cmd_run (int argc, char **argv, struct nook_error *err);    /* oci-start.c */
int oci_cmd_start (int argc, char **argv, struct nook_error *err);
int oci_cmd_delete (int argc, char **argv, struct nook_error *err);
int oci_cmd_exec (int argc, char **argv, struct nook_error *err);  /* oci-exec.c */
int oci_cmd_state (int argc, char **argv, struct nook_error *err); /* oci-container.c */
int oci_cmd_kill (int argc, char **argv, struct nook_error *err);
int oci_cmd_ps (int argc, char **argv, struct nook_error *err);
int oci_cmd_list (int argc, char **argv, struct nook_error *err);
int oci_cmd_pause (int argc, char **argv, struct nook_error *err);    /* and resume: argv[0] says which */
int oci_cmd_update (int argc, char **argv, struct nook_error *err);   /* oci-update.c */
int oci_cmd_features (int argc, char **argv, struct nook_error *err); /* oci-features.c */
int oci_cmd_spec (int argc, char **argv, struct nook_error *err);

/* Their command lines parsed as the commands parse them, and nothing
   done: 0, or -1 with @err set.  oci_check_id: a command with no option
   and one container id; oci_check_none: with no option and no operand.  */
int oci_check_create (int argc, char **argv, struct nook_error *err);
int oci_check_run (int argc, char **argv, struct nook_error *err);
int oci_check_exec (int argc, char **argv, struct nook_error *err);
int oci_check_delete (int argc, char **argv, struct nook_error *err);
int oci_check_update (int argc, char **argv, struct nook_error *err);
int oci_check_kill (int argc, char **argv, struct nook_error *err);
int oci_check_ps (int argc, char **argv, struct nook_error *err);
int oci_check_list (int argc, char **argv, struct nook_error *err);
int oci_check_spec (int argc, char **argv, struct nook_error *err);
int oci_check_id (int argc, char **argv, struct nook_error *err);
int oci_check_none (int argc, char **argv, struct nook_error *err);

/**
 * nook_oci_main - the whole command line: global options, then a command
 * @argc, @argv: argv[0] is the program's name
 *
 * Return: the exit status.
 */
int nook_oci_main (int argc, char **argv);

/**
 * nook_oci_check_command_line - parse a whole command line as
 * nook_oci_main does (global options, the command's options and
 * operands), and do nothing: no file opened, no container touched
 * @argc, @argv: argv[0] is the program's name
 * @err: set for what nook_oci_main would refuse before acting
 *
 * For the fuzz target of the command line (tests/fuzz/fuzz-oci-cli.c).
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_check_command_line (int argc, char **argv, struct nook_error *err);

#endif
