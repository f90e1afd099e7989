/* nook: reports to the caller's fds, and the waits and locks it asks for
   (caller-fds.h).  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "caller-fds.h"
#include "utils.h"

/* The namespaces a report names, in bubblewrap's order, with the bit
   that says the run created them (the mount namespace always is).  */
static const struct
{
  const char *name;
  unsigned bit;
} reported_ns[] = {
  { "cgroup", NOOK_NS_CGROUP }, { "ipc", NOOK_NS_IPC }, { "mnt", 0 },
  { "net", NOOK_NS_NET },       { "pid", NOOK_NS_PID }, { "uts", NOOK_NS_UTS },
};

/* The report's members after "child-pid", each preceded by SEP.  */
static void
append_ns_ids (const struct nook_spec *spec, pid_t pid, const char *sep, char *buf, size_t size)
{
  char path[64];
  struct stat st;

  for (size_t i = 0; i < sizeof reported_ns / sizeof reported_ns[0]; i++)
    {
      size_t len = strlen (buf);
      if (reported_ns[i].bit && (spec->share & reported_ns[i].bit))
        continue;
      snprintf (path, sizeof path, "/proc/%d/ns/%s", (int)pid, reported_ns[i].name);
      if (stat (path, &st) < 0)
        continue;
      snprintf (buf + len, size - len, ",%s\"%s-namespace\": %ju", sep, reported_ns[i].name,
                (uintmax_t)st.st_ino);
    }
}

void
nook_report_started (struct nook_spec *spec, pid_t pid)
{
  char buf[1024];
  struct nook_life_spec *life = &spec->life;

  if (life->info_fd >= 0)
    {
      snprintf (buf, sizeof buf, "{\n    \"child-pid\": %d", (int)pid);
      append_ns_ids (spec, pid, "\n    ", buf, sizeof buf - 4);
      strcat (buf, "\n}\n");
      nook_write_all (life->info_fd, buf, strlen (buf));
      nook_closep (&life->info_fd);
    }
  if (life->json_status_fd >= 0)
    {
      snprintf (buf, sizeof buf, "{ \"child-pid\": %d", (int)pid);
      append_ns_ids (spec, pid, " ", buf, sizeof buf - 4);
      strcat (buf, " }\n");
      nook_write_all (life->json_status_fd, buf, strlen (buf));
    }
}

void
nook_report_exited (struct nook_spec *spec, int status)
{
  char buf[64];

  if (spec->life.json_status_fd < 0)
    return;
  snprintf (buf, sizeof buf, "{ \"exit-code\": %d }\n", status);
  nook_write_all (spec->life.json_status_fd, buf, strlen (buf));
  nook_closep (&spec->life.json_status_fd);
}

void
nook_wait_block_fd (int fd)
{
  char b;

  while (read (fd, &b, 1) < 0 && errno == EINTR)
    ;
  close (fd);
}

int
nook_lock_files (char *const *paths, struct nook_error *err)
{
  for (size_t i = 0; paths && paths[i]; i++)
    {
      struct flock lock = { .l_type = F_RDLCK, .l_whence = SEEK_SET };
      int fd = open (paths[i], O_RDONLY);

      if (fd < 0)
        return nook_error_errno (err, "Unable to open lock file %s", paths[i]);
      if (fcntl (fd, F_SETLK, &lock) < 0)
        {
          close (fd);
          return nook_error_errno (err, "Unable to lock file %s", paths[i]);
        }
    }
  return 0;
}
