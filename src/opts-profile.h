/* nook: --profile and --cache (src/opts-profile.c).  */
#ifndef NOOK_OPTS_PROFILE_H
#define NOOK_OPTS_PROFILE_H

#include "lib/profile.h"
#include "options.h"

/* The group of --profile and --cache, in nook run's and nook try's tables.  */
extern const struct nook_option_group nook_profile_options;

/**
 * nook_profile_apply - apply a resolved profile's keys as options of @cmd
 * @cmd: the command whose option tables name the keys
 * @set: the profile and its includes, in order
 * @spec: filled through the options' apply functions; NULL: only check
 *        the keys' names and shapes and fill @args
 * @parser: the parser's state, as for options on the command line
 * @args: when not NULL, gets the command line the profile stands for
 * @err: "profile `FILE`: key `KEY`: WHAT" (with a "did you mean")
 *
 * Return: 0, or -1 with @err set.
 */
int nook_profile_apply (const struct nook_command *cmd, const struct nook_profile_set *set,
                        struct nook_spec *spec, struct nook_parser *parser, char ***args,
                        struct nook_error *err);

#endif
