/* nook: reading sandbox cgroups for `nook stats`: which sandboxes have
 * one, and their counters.  Nothing here writes a limit (cgroup.c does).
 */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cgroup-stats.h"
#include "cgroup.h"
#include "proc.h"
#include "sandbox.h"
#include "utils.h"

#define SANDBOXES NOOK_CGROUP_SANDBOXES

/* Appends DIR/NAME/nook for each nook-*.scope found under DIR, looking
   into slices and services down to DEPTH levels.  */
static void
scan_scopes (const char *dir, int depth, char ***out)
{
  DIR *d = opendir (dir);
  struct dirent *de;

  if (d == NULL)
    return;
  while ((de = readdir (d)))
    {
      size_t n = strlen (de->d_name);
      if (de->d_type != DT_DIR || de->d_name[0] == '.')
        continue;
      if (strncmp (de->d_name, "nook-", 5) == 0 && n > 6 && strcmp (de->d_name + n - 6, ".scope") == 0)
        {
          cleanup_free char *sub = xasprintf ("%s/%s/%s", dir, de->d_name, SANDBOXES);
          if (access (sub, F_OK) == 0)
            strv_append (out, sub);
        }
      else if (depth > 0
               && ((n > 6 && strcmp (de->d_name + n - 6, ".slice") == 0)
                   || (n > 8 && strcmp (de->d_name + n - 8, ".service") == 0)))
        {
          cleanup_free char *sub = xasprintf ("%s/%s", dir, de->d_name);
          scan_scopes (sub, depth - 1, out);
        }
    }
  closedir (d);
}

/* The cgroups that hold sandbox cgroups: C/nook of the caller's cgroup C,
   and S/nook of each scope S the systemd user manager made for nook.  */
static char **
sandbox_parents (struct nook_error *err)
{
  struct nook_cgroup_info info = { 0 };
  char **parents = xcalloc (1, sizeof (char *));

  if (nook_cgroup_probe (&info, err) < 0)
    {
      strv_free (parents);
      return NULL;
    }
  if (info.mount && info.path)
    {
      cleanup_free char *own
          = xasprintf ("%s%s/%s", info.mount, strcmp (info.path, "/") ? info.path : "", SANDBOXES);
      cleanup_free char *user = xasprintf ("%s/user.slice/user-%u.slice/user@%u.service", info.mount,
                                           (unsigned)getuid (), (unsigned)getuid ());
      if (access (own, F_OK) == 0)
        strv_append (&parents, own);
      scan_scopes (user, 3, &parents);
    }
  nook_cgroup_info_free (&info);
  return parents;
}

int
nook_cgroup_list (char ***names, struct nook_error *err)
{
  cleanup_strv char **parents = sandbox_parents (err);

  *names = xcalloc (1, sizeof (char *));
  if (parents == NULL)
    return -1;
  for (char **p = parents; *p; p++)
    {
      int fd = open (*p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
      DIR *d;
      struct dirent *de;

      if (fd < 0)
        continue;
      nook_cgroup_clean_stale (fd);
      d = fdopendir (fd);
      if (d == NULL)
        {
          close (fd);
          continue;
        }
      while ((de = readdir (d)))
        if (de->d_type == DT_DIR && de->d_name[0] != '.')
          strv_append (names, de->d_name);
      closedir (d);
    }
  return 0;
}

char *
nook_cgroup_find_sandbox (const char *name, struct nook_error *err)
{
  cleanup_strv char **parents = NULL;
  struct stat st;

  if (!nook_name_is_valid (name))
    {
      nook_error_set (err, 0, "`%s` is not a sandbox name", name);
      return NULL;
    }
  parents = sandbox_parents (err);
  if (parents == NULL)
    return NULL;
  for (char **p = parents; *p; p++)
    {
      char *dir = xasprintf ("%s/%s", *p, name);
      if (stat (dir, &st) == 0 && S_ISDIR (st.st_mode))
        return dir;
      free (dir);
    }
  nook_error_set (err, 0, "no running sandbox named `%s` has limits (see `nook stats`)", name);
  return NULL;
}

static uint64_t
read_u64 (int dirfd, const char *file)
{
  cleanup_free char *text = NULL;
  if (nook_read_file_at (dirfd, file, &text, NULL, NULL) < 0 || strncmp (text, "max", 3) == 0)
    return NOOK_CG_UNSET;
  return strtoull (text, NULL, 10);
}

/* Sums rbytes= and wbytes= over the devices of io.stat.  */
static void
read_io (int dirfd, struct nook_cgroup_stats *s)
{
  cleanup_free char *text = NULL;
  char *save = NULL;

  if (nook_read_file_at (dirfd, "io.stat", &text, NULL, NULL) < 0)
    return;
  s->io_read_bytes = s->io_write_bytes = 0;
  for (char *w = strtok_r (text, " \n", &save); w; w = strtok_r (NULL, " \n", &save))
    {
      if (strncmp (w, "rbytes=", 7) == 0)
        s->io_read_bytes += strtoull (w + 7, NULL, 10);
      else if (strncmp (w, "wbytes=", 7) == 0)
        s->io_write_bytes += strtoull (w + 7, NULL, 10);
    }
}

int
nook_cgroup_stats_read (const char *dir, struct nook_cgroup_stats *s, struct nook_error *err)
{
  cleanup_close int fd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  const char *slash = strrchr (dir, '/');

  memset (s, 0, sizeof *s);
  if (fd < 0)
    return nook_error_errno (err, "open the cgroup `%s`", dir);
  s->name = xstrdup (slash ? slash + 1 : dir);
  s->dir = xstrdup (dir);
  s->cpu_usage_us = nook_cgroup_read_key (fd, "cpu.stat", "usage_usec");
  s->memory_current = read_u64 (fd, "memory.current");
  s->memory_peak = read_u64 (fd, "memory.peak");
  s->memory_max = read_u64 (fd, "memory.max");
  s->pids_current = read_u64 (fd, "pids.current");
  s->pids_max = read_u64 (fd, "pids.max");
  s->io_read_bytes = s->io_write_bytes = NOOK_CG_UNSET;
  read_io (fd, s);
  s->oom_kills = nook_cgroup_read_key (fd, "memory.events", "oom_kill");
  return 0;
}

char *
nook_cgroup_of_sandbox (const struct nook_sandbox *sb)
{
  cleanup_strv char **parents = sandbox_parents (NULL);
  struct nook_cgroup_info info = { 0 };
  cleanup_free char *path = nook_proc_cgroup (sb->pid), *dir = NULL;
  char *found = NULL;

  if (parents == NULL || path == NULL || nook_cgroup_probe (&info, NULL) < 0 || info.mount == NULL)
    {
      nook_cgroup_info_free (&info);
      return NULL;
    }
  dir = xasprintf ("%s%s", info.mount, path);
  nook_cgroup_info_free (&info);
  /* PARENT/NAME, or a cgroup below it that the sandbox made itself.  */
  for (char **p = parents; *p && found == NULL; p++)
    {
      size_t n = strlen (*p);
      if (strncmp (dir, *p, n) == 0 && dir[n] == '/' && dir[n + 1] != '\0')
        found = xasprintf ("%.*s", (int)(n + 1 + strcspn (dir + n + 1, "/")), dir);
    }
  return found;
}

/* Adds the CPU time (clock ticks), threads and resident set size (pages)
   of PID.  A process that ended meanwhile adds nothing.  */
static void
add_proc (pid_t pid, uint64_t *ticks, uint64_t *threads, uint64_t *pages)
{
  char path[64];
  cleanup_free char *stat = NULL, *statm = NULL;
  unsigned long long utime, stime, rss;
  long nthreads;
  const char *rest;

  snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
  if (nook_read_file_at (AT_FDCWD, path, &stat, NULL, NULL) < 0)
    return;
  /* After the command name, which may hold spaces and parentheses: the
     last `)` ends it.  Then fields 3 on: utime and stime are 14 and 15,
     num_threads 20.  */
  rest = strrchr (stat, ')');
  if (rest == NULL
      || sscanf (rest + 1, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %*d %*d %*d %*d %ld",
                 &utime, &stime, &nthreads)
             != 3)
    return;
  snprintf (path, sizeof path, "/proc/%d/statm", (int)pid);
  if (nook_read_file_at (AT_FDCWD, path, &statm, NULL, NULL) < 0 || sscanf (statm, "%*u %llu", &rss) != 1)
    return;
  *ticks += utime + stime;
  *threads += nthreads > 0 ? (uint64_t)nthreads : 1;
  *pages += rss;
}

int
nook_proc_stats_read (const struct nook_sandbox *sb, const char *name, struct nook_cgroup_stats *s,
                      struct nook_error *err)
{
  cleanup_free pid_t *pids = NULL;
  uint64_t ticks = 0, threads = 0, pages = 0;
  long hz = sysconf (_SC_CLK_TCK);
  size_t n;

  memset (s, 0, sizeof *s);
  if (nook_sandbox_processes (sb, &pids, &n, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    add_proc (pids[i], &ticks, &threads, &pages);
  s->source = NOOK_STATS_PROC;
  s->name = xstrdup (name);
  s->cpu_usage_us = ticks * 1000000 / (hz > 0 ? hz : 100);
  s->memory_current = pages * sysconf (_SC_PAGESIZE);
  s->pids_current = threads;
  s->memory_peak = s->memory_max = s->pids_max = NOOK_CG_UNSET;
  s->io_read_bytes = s->io_write_bytes = s->oom_kills = NOOK_CG_UNSET;
  return 0;
}

void
nook_cgroup_stats_free (struct nook_cgroup_stats *s)
{
  free (s->name);
  free (s->dir);
  memset (s, 0, sizeof *s);
}
