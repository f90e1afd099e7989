/* nook: an image in nook run: the positional IMAGE, --pull, and the
 * sandbox's own upper in the store.
 *
 * The store keeps one directory per sandbox that runs an image without
 * --upper, detached or kept: uppers/X/upper (its changes) and uppers/X/.upper.nook (the
 * overlay's work directory, layers.json).  The sandbox's state names it;
 * it goes when the state goes (nook rm, the end of a foreground run
 * without --keep), so nook diff NAME and nook commit NAME read it while the
 * sandbox is listed.
 */
#ifndef NOOK_IMAGE_RUN_H
#define NOOK_IMAGE_RUN_H

#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "imgstore.h"

struct nook_spec;
struct nook_pull_opts;
enum nook_pull_policy;

enum
{
  NOOK_OPERAND_COMMAND = 0,
  NOOK_OPERAND_IMAGE = 1,
};

/**
 * nook_image_operand - how nook run reads its first operand
 * @word: the first word after the options, with no `--` before it
 * @pull_given: --pull was given: the operand is an image
 * @err: set when the word could be either
 *
 * An image when it names a stored image (a word of fewer than 12 hex
 * digits is never taken for an id), when --pull was given, or when it is a
 * reference that names a registry or a digest; a command when it is a path
 * (starts with `/` or `.`) or a word without `/`, `:` and `@`.  A short
 * name with `/` or `:` is an image unless a file of that name exists here
 * (with `/`) or on PATH (with `:`): then it is an error naming both.
 *
 * Return: NOOK_OPERAND_IMAGE or NOOK_OPERAND_COMMAND, or -1 with @err set.
 */
int nook_image_operand (const char *word, bool pull_given, struct nook_error *err);

/**
 * nook_image_ensure - an image in the store, pulled as the policy says
 * @ref: a name, id or reference
 * @policy: NOOK_PULL_MISSING, NOOK_PULL_ALWAYS or NOOK_PULL_NEVER
 * @tls_verify: false: also a registry without valid TLS
 * @shown: the callbacks that show a pull's progress (may be NULL)
 * @id: filled with the image's id
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set.
 */
int nook_image_ensure (const char *ref, enum nook_pull_policy policy, bool tls_verify,
                       const struct nook_pull_opts *shown, char id[NOOK_DIGEST_LEN + 1],
                       struct nook_error *err);

/**
 * nook_image_run_apply - the positional IMAGE of nook run
 * @spec: filled as nook_image_apply does
 * @ref: the operand
 * @shown: the callbacks that show a pull's progress (may be NULL)
 * @err: set on failure
 *
 * Pulls it when the policy says so (missing by default), then applies it.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_image_run_apply (struct nook_spec *spec, const char *ref, const struct nook_pull_opts *shown,
                          struct nook_error *err);

/**
 * nook_image_own_upper - give a run of an image its own upper in the store
 * @spec: a spec with an image and no --upper, detached (-d) or kept
 *        (--keep, --rm=false), gets uppers/X/upper; a foreground run that
 *        ends with its state keeps the tmpfs upper
 * @err: set on failure
 *
 * Return: 0 (also when nothing was needed), or -1 with @err set.
 */
int nook_image_own_upper (struct nook_spec *spec, struct nook_error *err);

/**
 * nook_image_publish_all - -P: publish the image's ExposedPorts
 * @spec: with spec->image.publish_all, each port of the image's
 *        ExposedPorts that no -p publishes gets a host port chosen when the
 *        sandbox starts
 * @err: set on failure
 *
 * Return: 0 (also without -P), or -1 with @err set when the run has no
 * image or too many ports.
 */
int nook_image_publish_all (struct nook_spec *spec, struct nook_error *err);

/**
 * nook_image_choose_overlay - the overlay that keeps an image's owners
 * @spec: a run of an image with --map-users auto and --overlay auto gets
 *        fuse-overlayfs, which reads the owners the store kept
 */
void nook_image_choose_overlay (struct nook_spec *spec);

#endif
