/* nook: the resource limits of the data model (cgroup-spec.h): what the
   command line and an OCI config fill, before any cgroup exists.  */
#include <config.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "cgroup-spec.h"
#include "utils.h"

void
nook_limits_free (struct nook_limits *limits)
{
  free (limits->io_max);
  free (limits->cpuset_cpus);
  free (limits->cpuset_mems);
  for (size_t i = 0; i < limits->n_files; i++)
    {
      free (limits->files[i].name);
      free (limits->files[i].value);
    }
  free (limits->files);
  memset (limits, 0, sizeof *limits);
}

int
nook_limits_add_io_max (struct nook_limits *limits, const char *path, uint64_t rate, bool write,
                        struct nook_error *err)
{
  struct nook_io_max *m = NULL;
  struct stat st;

  if (stat (path, &st) < 0)
    return nook_error_errno (err, "device `%s`", path);
  if (!S_ISBLK (st.st_mode))
    return nook_error_set (err, 0, "`%s` is not a block device", path);
  /* io.max takes whole disks; a partition's limit is an error of the kernel's.  */
  for (size_t i = 0; i < limits->n_io_max; i++)
    if (limits->io_max[i].major == major (st.st_rdev) && limits->io_max[i].minor == minor (st.st_rdev))
      m = &limits->io_max[i];
  if (m == NULL)
    {
      limits->io_max = xrealloc (limits->io_max, (limits->n_io_max + 1) * sizeof *limits->io_max);
      m = &limits->io_max[limits->n_io_max++];
      memset (m, 0, sizeof *m);
      m->major = major (st.st_rdev);
      m->minor = minor (st.st_rdev);
    }
  if (write)
    m->wbps = rate;
  else
    m->rbps = rate;
  limits->set |= write ? NOOK_LIM_IO_WBPS : NOOK_LIM_IO_RBPS;
  return 0;
}

bool
nook_cg_file_name_valid (const char *name)
{
  static const char *const refused[]
      = { "cgroup.procs", "cgroup.threads", "cgroup.subtree_control", "cgroup.type", "cgroup.kill", NULL };
  const char *dot = strchr (name, '.');

  if (*name == '\0' || strchr (name, '/') || strstr (name, "..") || dot == NULL || dot == name
      || dot[1] == '\0' || strlen (name) > 64)
    return false;
  for (size_t i = 0; refused[i]; i++)
    if (strcmp (name, refused[i]) == 0)
      return false;
  return true;
}

void
nook_limits_add_file (struct nook_limits *limits, const char *name, const char *value)
{
  size_t i = 0;

  while (i < limits->n_files && strcmp (limits->files[i].name, name) != 0)
    i++;
  if (i == limits->n_files)
    {
      limits->files = xrealloc (limits->files, (limits->n_files + 1) * sizeof *limits->files);
      limits->files[limits->n_files++].name = xstrdup (name);
    }
  else
    free (limits->files[i].value);
  limits->files[i].value = xstrdup (value);
  limits->set |= NOOK_LIM_FILES;
}
