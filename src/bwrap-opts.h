/* nook-bwrap's option handlers (bwrap-opts.c), for the table and the
 * parse in bwrap-args.c: the parser's context, and one handler per kind
 * of option.  Internal to the bwrap front end.
 */
#ifndef NOOK_BWRAP_OPTS_H
#define NOOK_BWRAP_OPTS_H

#include <stdbool.h>
#include <stdint.h>

#include "bwrap-spec.h"
#include "lib/error.h"
#include "lib/spec.h"

/* The parser's context: what the options given so far leave for the
   next ones.  */
struct bwrap_parser
{
  struct nook_spec *spec;
  struct nook_bwrap *bw;
  long next_perms;     /* --perms for the next operation, or -1 */
  uint64_t next_size;  /* --size for the next --tmpfs, or 0 */
  char **overlay_srcs; /* --overlay-src for the next overlay */
  bool in_file;        /* reading --args data */
  bool chdir_seen;     /* for bubblewrap's "only the last" warning */
};

/**
 * bwrap_opt_fn - what one option does
 * @p: the parser's context; the option's effect goes to @p->spec or @p->bw
 * @opt: the option's name as given ("--ro-bind"): one handler serves
 *       several
 * @a: its arguments, as many as the table says
 * @err: set as bubblewrap words the refusal
 *
 * Return: 0, or -1 with @err set.
 */
typedef int bwrap_opt_fn (struct bwrap_parser *p, const char *opt, char **a, struct nook_error *err);

/* The handlers, grouped as bwrap-opts.c's sections: namespaces, mounts,
   the command and its environment, lifecycle, fds and security.  */
bwrap_opt_fn bwrap_opt_unshare, bwrap_opt_ns_fd, bwrap_opt_userns_flags, bwrap_opt_id, bwrap_opt_hostname,
    bwrap_opt_bind, bwrap_opt_bind_fd, bwrap_opt_dest_op, bwrap_opt_file, bwrap_opt_symlink, bwrap_opt_chmod,
    bwrap_opt_perms, bwrap_opt_size, bwrap_opt_overlay_src, bwrap_opt_overlay, bwrap_opt_chdir,
    bwrap_opt_argv0, bwrap_opt_env, bwrap_opt_life_fd, bwrap_opt_lock_file, bwrap_opt_seccomp, bwrap_opt_flag,
    bwrap_opt_cap, bwrap_opt_label, bwrap_opt_nook_seccomp, bwrap_opt_nook_landlock;

/**
 * bwrap_parse_fd - a decimal fd, as bubblewrap reads them
 * @s: the argument
 * @fd: set
 * @err: "Invalid fd: S"
 *
 * Return: 0, or -1 with @err set.
 */
int bwrap_parse_fd (const char *s, int *fd, struct nook_error *err);

#endif
