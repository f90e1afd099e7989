/* Shared by the unit tests of `nook run` options.  */
#ifndef NOOK_UNIT_RUN_PARSE_H
#define NOOK_UNIT_RUN_PARSE_H

#include "cmd.h"

/* Parses ARGV (NULL-terminated, ARGV[0] "run") into a fresh SPEC.  */
static inline int
parse (struct nook_spec *spec, struct nook_error *err, char **argv)
{
  int argc = 0;
  while (argv[argc])
    argc++;
  nook_spec_init (spec);
  return nook_run_parse (argc, argv, spec, err);
}

#define ARGV(...) ((char *[]){ "run", __VA_ARGS__, NULL })

#endif
