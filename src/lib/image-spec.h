/* nook: what an image adds to the data model (nook run --image).
 *
 * Kept apart from image.h so spec.h can include it without the store.
 */
#ifndef NOOK_IMAGE_SPEC_H
#define NOOK_IMAGE_SPEC_H

struct nook_image_spec
{
  char *ref;         /* --image, as given; NULL: no image */
  char **entrypoint; /* the config's Entrypoint: a command given after the options follows it */
  char **cmd;        /* the config's Cmd: a command given after the options replaces it */
};

/**
 * nook_image_spec_free - release an image spec
 * @image: its reference and command vectors are freed
 */
void nook_image_spec_free (struct nook_image_spec *image);

#endif
