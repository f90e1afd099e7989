/* What the fuzz targets set up alike: see fuzz-common.h.  */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz-common.h"

void
fuzz_workdir (const char *name, char *dir, size_t size)
{
  static const char *const homes[]
      = { "HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR" };
  const char *tmp = getenv ("TMPDIR");

  if ((size_t)snprintf (dir, size, "%s/nook-fuzz-%s.XXXXXX", tmp && *tmp ? tmp : "/tmp", name) >= size
      || mkdtemp (dir) == NULL)
    abort ();
  for (size_t i = 0; i < sizeof homes / sizeof homes[0]; i++)
    if (setenv (homes[i], dir, 1) < 0)
      abort ();
}

char *
fuzz_argv (const uint8_t *data, size_t size, const char *argv0, char **argv, int max, int *argc)
{
  char *text = malloc (size + 1);

  *argc = 0;
  if (text == NULL)
    return NULL;
  memcpy (text, data, size);
  text[size] = '\0';
  if (argv0)
    argv[(*argc)++] = (char *)argv0;
  for (char *s = text; s < text + size && *argc < max; s += strlen (s) + 1)
    argv[(*argc)++] = s;
  argv[*argc] = NULL;
  return text;
}
