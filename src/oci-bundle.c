/* nook-oci: a container's config.json read into a spec.  create reads
 * the bundle's and keeps a copy in the container's state directory; exec
 * and the hooks read that copy back, so what a later command sees is
 * what the container was created with, whatever became of the bundle.
 */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/utils.h"
#include "oci-bundle.h"

/* config.json is read whole; more than this is no config.  */
#define CONFIG_MAX (4 << 20)

int
oci_read_config_file (int dirfd, const char *path, char **out, struct nook_error *err)
{
  cleanup_close int fd = openat (dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
  cleanup_free char *buf = NULL;
  struct stat st;
  ssize_t n;

  if (fd < 0)
    return nook_error_errno (err, "open `%s`", path);
  if (fstat (fd, &st) < 0 || !S_ISREG (st.st_mode) || st.st_size > CONFIG_MAX)
    return nook_error_set (err, 0, "`%s` is not a config file of at most 4 MiB", path);
  buf = xmalloc (st.st_size + 1);
  n = nook_read_all (fd, buf, st.st_size);
  if (n < 0)
    return nook_error_errno (err, "read `%s`", path);
  buf[n] = '\0';
  *out = steal_pointer (&buf);
  return 0;
}

/* The extents of /proc/self/uid_map or gid_map; none when it maps every
   id (the initial user namespace) or cannot be read.  */
static size_t
own_map (const char *file, struct nook_id_extent *out)
{
  cleanup_free char *text = NULL;
  size_t n = 0;
  const char *p;

  if (nook_read_file_at (AT_FDCWD, file, &text, NULL, NULL) < 0)
    return 0;
  for (p = text; *p && n < NOOK_MAX_EXTENTS;)
    {
      unsigned long in, out_, count;
      int used = 0;
      if (sscanf (p, " %lu %lu %lu%n", &in, &out_, &count, &used) != 3)
        break;
      out[n++] = (struct nook_id_extent){ in, in, count };
      p += used;
    }
  if (n == 1 && out[0].inside == 0 && out[0].count == UINT32_MAX)
    return 0;
  return n;
}

struct nook_oci_caller
oci_caller_ids (void)
{
  struct nook_oci_caller c = { .uid = geteuid (), .gid = getegid () };

  if (c.uid == 0)
    {
      c.n_uid_map = own_map ("/proc/self/uid_map", c.uid_map);
      c.n_gid_map = own_map ("/proc/self/gid_map", c.gid_map);
    }
  return c;
}

int
oci_load_saved_config (struct nook_oci_container *c, struct nook_spec *spec, struct nook_oci_config *cfg,
                       struct nook_error *err)
{
  cleanup_free char *text = NULL;
  struct nook_oci_caller caller = oci_caller_ids ();

  if (oci_read_config_file (c->dirfd, "config.json", &text, err) < 0)
    return -1;
  return nook_oci_config_parse (text, c->bundle, &caller, spec, cfg, err);
}
