/* nook: what an image adds to the data model (nook run --image).
 *
 * Kept apart from image.h so spec.h can include it without the store.
 */
#ifndef NOOK_IMAGE_SPEC_H
#define NOOK_IMAGE_SPEC_H

#include <stdbool.h>

/* --pull: when nook run fetches the image it names.  */
enum nook_pull_policy
{
  NOOK_PULL_UNSET = 0, /* not given: missing for the positional IMAGE, never for --image */
  NOOK_PULL_MISSING,
  NOOK_PULL_ALWAYS,
  NOOK_PULL_NEVER,
};

struct nook_image_spec
{
  char *ref;       /* --image, as given; NULL: no image */
  char *id;        /* the image's id ("sha256:HEX"), once found */
  char *own_upper; /* the sandbox's own upper directory in the store (uppers/X), or NULL */
  enum nook_pull_policy pull;
  bool tls_verify_off; /* --tls-verify=false, for the pull */
  bool publish_all;    /* -P: publish every port of ExposedPorts */
  char **exposed;      /* the config's ExposedPorts: "80/tcp" */
  char **entrypoint;   /* the config's Entrypoint: a command given after the options follows it */
  char **cmd;          /* the config's Cmd: a command given after the options replaces it */
};

/**
 * nook_image_spec_free - release an image spec
 * @image: its reference and command vectors are freed
 */
void nook_image_spec_free (struct nook_image_spec *image);

#endif
