/* nook: profiles, named and versioned sets of `nook run` options.
 *
 * A profile is a JSON object (nook-profile(5)): "version" (the format it
 * was written for), "description", "include" (profiles applied first) and,
 * for every other key, an option's long name with its argument(s) as the
 * value.  This module reads the document into plain C and finds profiles
 * on the search path; it knows no option: the CLI looks every key up in
 * its option tables and applies it through the same functions as the
 * command line (src/opts-profile.c), so the spec is filled one way only.
 */
#ifndef NOOK_PROFILE_H
#define NOOK_PROFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

/* The profile format this nook reads and writes.  */
#define NOOK_PROFILE_FORMAT 1

/* The shapes a key's value can take; the CLI matches them against the
   option's number of arguments.  */
enum nook_profile_form
{
  NOOK_PROFILE_FLAG,   /* true or false */
  NOOK_PROFILE_SCALAR, /* a string or a number: values[0] */
  NOOK_PROFILE_LIST,   /* an array of strings or numbers: values */
  NOOK_PROFILE_LISTS,  /* an array of arrays of them: lists[0..n_lists) */
};

struct nook_profile_entry
{
  char *key;
  enum nook_profile_form form;
  bool flag;      /* FLAG */
  char **values;  /* SCALAR, LIST: NULL-terminated */
  char ***lists;  /* LISTS: each NULL-terminated */
  size_t n_lists; /* LISTS */
};

struct nook_profile
{
  char *file; /* as named in messages */
  int version;
  char *description; /* or NULL */
  char **includes;   /* NULL-terminated, or NULL */
  struct nook_profile_entry *entries;
  size_t n_entries;
};

/* A change of the format: a key that FORMAT renamed (to NOW) or removed
   (NOW NULL), WHAT saying so.  A profile written for an older format has
   its keys renamed, or is refused with WHAT.  */
struct nook_profile_change
{
  int format;
  const char *key;
  const char *now;
  const char *what;
};

/**
 * nook_profile_parse - read a profile document
 * @text: its bytes (not necessarily NUL-terminated)
 * @len: their number
 * @file: its name, for messages
 * @profile: filled; release with nook_profile_free (also on failure)
 * @err: one line naming @file and the line and column, or the key, and
 *       what is wrong
 *
 * Checks the syntax, the shapes of the values and "version": an older
 * format goes through the changes since (renamed keys renamed, removed
 * ones refused); a newer one is refused.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_profile_parse (const char *text, size_t len, const char *file, struct nook_profile *profile,
                        struct nook_error *err);

/**
 * nook_profile_migrate - bring a profile's keys to the current format
 * @profile: its keys are renamed in place
 * @changes: the format's changes, ending with a 0 format
 * @err: set for a key that was removed since @profile's version
 *
 * Return: 0, or -1 with @err set.
 */
int nook_profile_migrate (struct nook_profile *profile, const struct nook_profile_change *changes,
                          struct nook_error *err);

/**
 * nook_profile_free - release a parsed profile
 * @profile: zeroed
 */
void nook_profile_free (struct nook_profile *profile);

/* Where profiles are found, in order: the caller's, the host's, nook's.  */
enum nook_profile_origin
{
  NOOK_PROFILE_USER,    /* $XDG_CONFIG_HOME/nook/profiles (~/.config/nook/profiles) */
  NOOK_PROFILE_SYSTEM,  /* /etc/nook/profiles */
  NOOK_PROFILE_SHIPPED, /* policy/profiles next to nook, or PKGDATADIR/profiles */
  NOOK_PROFILE_N,
};

/**
 * nook_profile_dir - one directory of the search path
 * @origin: which
 *
 * Return: its path (malloc'ed), or NULL when there is none (no home).
 */
char *nook_profile_dir (enum nook_profile_origin origin);

/**
 * nook_profile_name_is_valid - whether @s names a profile (rather than a file)
 * @s: letters, digits, `_`, `.` and `-`, not starting with `.`, not ending in ".json"
 */
bool nook_profile_name_is_valid (const char *s);

/**
 * nook_profile_find - the file of a profile named @name
 * @name: a profile name (nook_profile_name_is_valid)
 * @skip: a file not to take (the including one, so that a profile may
 *        include the one of the same name that it shadows), or NULL
 * @path: set to the file (malloc'ed)
 * @err: set when no directory of the search path has one
 *
 * Return: 0, or -1 with @err set.
 */
int nook_profile_find (const char *name, const char *skip, char **path, struct nook_error *err);

/**
 * nook_profile_load - read and parse a profile file
 * @path: the file (at most 1 MiB)
 * @profile: filled; release with nook_profile_free
 * @err: set when it cannot be read or is not a valid profile
 *
 * Return: 0, or -1 with @err set.
 */
int nook_profile_load (const char *path, struct nook_profile *profile, struct nook_error *err);

/* A profile with everything it includes, in the order they apply.  */
struct nook_profile_set
{
  struct nook_profile *profiles; /* includes first (depth first, in order), the profile named last */
  size_t n;
  char **paths; /* their files, resolved (realpath): each is applied once */
};

/**
 * nook_profile_ref_is_file - whether @ref names a file rather than a profile
 * @ref: what --profile or "include" gave: a path holds a `/` or ends in ".json"
 */
bool nook_profile_ref_is_file (const char *ref);

/**
 * nook_profile_resolve - load a profile and what it includes
 * @ref: a profile name (found on the search path) or a file
 * @set: filled; release with nook_profile_set_free (also on failure)
 * @err: one line naming the file and what is wrong: a missing or
 *       circular include names the chain
 *
 * An include is a name, looked up on the search path (skipping the
 * including file: ~/.config/nook/profiles/build.json may include "build",
 * nook's own), or a file, relative to the including file's directory.  A
 * profile included twice is applied once, where it is first included.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_profile_resolve (const char *ref, struct nook_profile_set *set, struct nook_error *err);

/**
 * nook_profile_set_free - release a resolved profile
 * @set: zeroed
 */
void nook_profile_set_free (struct nook_profile_set *set);

#endif
