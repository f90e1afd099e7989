/* libFuzzer target: the reader of a file entry (docs/state.md, "File
   entries"): the programs' header at its head, the newline after them,
   the last whole line as the state, its MAC member.  The input is the
   entry's bytes, written to a file of the harness's; every input must be
   read as a state or refused, never crash, leak or hang.  The MAC keeps a
   forged state out: this target is about what is parsed before it is
   checked.  */
#include <config.h>

#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <json-c/json.h>

#include "fuzz-common.h"
#include "lib/state.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static char path[4200];

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  char dir[4096];

  (void)argc;
  (void)argv;
  fuzz_workdir ("state-entry", dir, sizeof dir);
  snprintf (path, sizeof path, "%s/0123456789ab", dir);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  int fd = open (path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  json_object *doc = NULL;

  if (fd < 0 || write (fd, data, size) != (ssize_t)size)
    abort ();
  if (nook_state_read (fd, "0123456789ab", &doc) == 0 && doc == NULL)
    abort (); /* a file entry always holds a state, or is refused */
  json_object_put (doc);
  nook_state_filters_size (data, size);
  close (fd);
  return 0;
}
