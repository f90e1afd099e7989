/* nook: reading /proc from outside a sandbox: its processes, their
   start times and names (see proc.h).  */
#include <config.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "proc.h"
#include "utils.h"

const char *const nook_ns_types[] = { "cgroup", "ipc", "mnt", "net", "pid", "time", "user", "uts", NULL };

static char *
read_proc (pid_t pid, const char *file)
{
  char path[64];
  char *buf = NULL;

  if (pid > 0)
    snprintf (path, sizeof path, "/proc/%d/%s", (int)pid, file);
  else
    snprintf (path, sizeof path, "/proc/self/%s", file);
  if (nook_read_file_at (AT_FDCWD, path, &buf, NULL, NULL) < 0)
    return NULL;
  return buf;
}

int
nook_proc_start_time (pid_t pid, uint64_t *start)
{
  cleanup_free char *stat = read_proc (pid, "stat");
  char *p;

  if (stat == NULL)
    {
      if (errno == ENOENT)
        errno = ESRCH;
      return -1;
    }
  /* The command name (field 2) may hold spaces and parentheses: count
     fields from the last ')'.  starttime is field 22.  */
  p = strrchr (stat, ')');
  if (p == NULL)
    return (errno = EINVAL, -1);
  p++;
  for (int field = 2; field < 21 && p; field++)
    p = strchr (p + 1, ' ');
  if (p == NULL)
    return (errno = EINVAL, -1);
  *start = strtoull (p + 1, NULL, 10);
  return 0;
}

int
nook_pidfd_open_checked (pid_t pid, uint64_t start)
{
  uint64_t now;
  int fd;

  if (pid <= 0)
    return (errno = ESRCH, -1);
  fd = syscall (SYS_pidfd_open, pid, 0);
  if (fd < 0)
    return -1;
  /* Checked after the open: if the pid was recycled before it, the start
     time differs; if the process dies after it, the pidfd still names it
     and never another.  */
  if (nook_proc_start_time (pid, &now) < 0 || now != start)
    {
      close (fd);
      return (errno = ESRCH, -1);
    }
  return fd;
}

int
nook_proc_ns_inode (pid_t pid, const char *type, uint64_t *ino)
{
  char path[64];
  struct stat st;

  snprintf (path, sizeof path, "/proc/%d/ns/%s", (int)pid, type);
  if (stat (path, &st) < 0)
    return -1;
  *ino = st.st_ino;
  return 0;
}

static void
tree_add (pid_t pid, pid_t **out, size_t *n, size_t *alloc)
{
  char path[300];
  struct dirent *e;
  DIR *tasks;

  if (*n == *alloc)
    *out = xrealloc (*out, (*alloc = *alloc ? *alloc * 2 : 16) * sizeof **out);
  (*out)[(*n)++] = pid;
  /* The children of every thread: a child belongs to the thread that
     forked it.  */
  snprintf (path, sizeof path, "/proc/%d/task", (int)pid);
  tasks = opendir (path);
  while (tasks && (e = readdir (tasks)))
    {
      cleanup_free char *children = NULL;
      if (e->d_name[0] == '.')
        continue;
      snprintf (path, sizeof path, "task/%s/children", e->d_name);
      children = read_proc (pid, path);
      for (char *p = children, *end; p && *p; p = end)
        {
          long child = strtol (p, &end, 10);
          if (end == p)
            break;
          if (child > 0)
            tree_add (child, out, n, alloc);
        }
    }
  if (tasks)
    closedir (tasks);
}

size_t
nook_proc_tree (pid_t pid, pid_t **out)
{
  size_t n = 0, alloc = 0;

  *out = NULL;
  tree_add (pid, out, &n, &alloc);
  return n;
}

static int
compare_pids (const void *a, const void *b)
{
  pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
  return (x > y) - (x < y);
}

size_t
nook_proc_add_pidns (uint64_t ino, pid_t **out, size_t n)
{
  size_t first = n;
  struct dirent *e;
  DIR *proc = opendir ("/proc");

  while (proc && (e = readdir (proc)))
    {
      char *end;
      long pid = strtol (e->d_name, &end, 10);
      uint64_t other;
      bool listed = false;

      if (*end || pid <= 0 || nook_proc_ns_inode (pid, "pid", &other) < 0 || other != ino)
        continue;
      for (size_t i = 0; i < first && !listed; i++)
        listed = (*out)[i] == pid;
      if (listed)
        continue;
      *out = xrealloc (*out, (n + 1) * sizeof **out);
      (*out)[n++] = pid;
    }
  if (proc)
    closedir (proc);
  if (n > first)
    qsort (*out + first, n - first, sizeof **out, compare_pids);
  return n;
}

int
nook_proc_inner_pid (pid_t pid, pid_t *inner)
{
  cleanup_free char *status = read_proc (pid, "status");
  char *line, *end;

  if (status == NULL)
    return -1;
  line = strstr (status, "\nNSpid:");
  if (line == NULL)
    return (errno = ENOENT, -1);
  line += strlen ("\nNSpid:");
  end = strchr (line, '\n');
  if (end)
    *end = '\0';
  /* The last field is the pid in the innermost namespace.  */
  while (end && end > line && (end[-1] == ' ' || end[-1] == '\t'))
    *--end = '\0';
  end = strrchr (line, '\t');
  if (end == NULL)
    end = strrchr (line, ' ');
  *inner = atoi (end ? end + 1 : line);
  return 0;
}

char *
nook_proc_cmdline (pid_t pid)
{
  char path[64];
  cleanup_free char *buf = NULL;
  size_t len = 0;

  snprintf (path, sizeof path, "/proc/%d/cmdline", (int)pid);
  if (nook_read_file_at (AT_FDCWD, path, &buf, &len, NULL) < 0)
    return xstrdup ("?");
  while (len > 0 && buf[len - 1] == '\0')
    len--;
  for (size_t i = 0; i < len; i++)
    if (buf[i] == '\0')
      buf[i] = ' ';
  buf[len] = '\0';
  return steal_pointer (&buf);
}

char *
nook_proc_cgroup (pid_t pid)
{
  cleanup_free char *buf = read_proc (pid, "cgroup");
  char *line, *end;

  if (buf == NULL)
    return NULL;
  line = strncmp (buf, "0::", 3) == 0 ? buf : strstr (buf, "\n0::");
  if (line == NULL)
    return NULL;
  line += line == buf ? 3 : 4;
  end = strchr (line, '\n');
  if (end)
    *end = '\0';
  return xstrdup (line);
}
