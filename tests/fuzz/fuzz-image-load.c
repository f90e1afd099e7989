/* libFuzzer target: an image archive's JSON as nook load and nook pull
   read it (an OCI layout's index.json, its indexes and manifests, a
   `docker save` manifest.json, the image's config), through the digest
   checks into the image store.  Every input must end in stored images or
   in an error message, never in a crash, a leak or a hang.

   The input is the archive's files, separated by SEPARATOR: the first is
   index.json (manifest.json when it starts with `[`), each other one is
   written as blobs/sha256/ its own SHA-256, so that a seed names its
   manifests, config and layers by their digests as an archive does.  The
   archive and the store are directories of the harness's, under TMPDIR
   (tests/fuzz/run points it at its work directory).  */
#include <config.h>

#include <fcntl.h>
#include <nettle/sha2.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "lib/image-load.h"
#include "lib/imgstore.h"
#include "lib/utils.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define SEPARATOR "\n--nook-fuzz-file--\n"

static char base[4096];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  (void)argc;
  (void)argv;
  /* The image store is XDG_DATA_HOME's, which is there.  */
  fuzz_workdir ("image", base, sizeof base);
  return 0;
}

static void
write_file (int dirfd, const char *name, const uint8_t *data, size_t len)
{
  int fd = openat (dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

  if (fd < 0 || (len && write (fd, data, len) != (ssize_t)len) || close (fd) < 0)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  cleanup_free char *dir = xasprintf ("%s/archive", base);
  const uint8_t *end = data + size, *part = data;
  struct nook_images store;
  struct nook_error err = { 0 };
  char **ids = NULL, **names = NULL;
  int dfd, blobs;
  bool first = true;

  if (mkdir (dir, 0700) < 0 || (dfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0
      || mkdirat (dfd, "blobs", 0700) < 0 || mkdirat (dfd, "blobs/sha256", 0700) < 0
      || (blobs = openat (dfd, "blobs/sha256", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
    abort ();
  while (part <= end)
    {
      const uint8_t *next = memmem (part, end - part, SEPARATOR, sizeof SEPARATOR - 1);
      size_t len = (next ? next : end) - part;

      if (first)
        write_file (dfd, len && part[0] == '[' ? "manifest.json" : "index.json", part, len);
      else
        {
          struct sha256_ctx ctx;
          char digest[NOOK_DIGEST_LEN + 1];

          sha256_init (&ctx);
          sha256_update (&ctx, len, part);
          nook_sha256_text (&ctx, digest);
          write_file (blobs, digest + 7, part, len);
        }
      first = false;
      if (next == NULL)
        break;
      part = next + sizeof SEPARATOR - 1;
    }
  close (blobs);
  close (dfd);

  if (nook_images_open (&store, &err) < 0)
    abort ();
  if (nook_image_load (&store, dir, (size & 1) ? "fuzz/image:tag" : NULL, &ids, &names, &err) < 0
      && err.msg == NULL)
    abort (); /* a failure must say why */
  nook_images_close (&store);
  strv_free (ids);
  strv_free (names);
  nook_error_release (&err);
  if (nook_rm_rf (dir) < 0)
    abort ();
  return 0;
}
