/* nook: the time namespace (timens.h gives the kernel's rules).  */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/sched.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "timens.h"
#include "utils.h"

#define OFFSET_SEC_MAX NOOK_TIME_OFFSET_SEC_MAX

#define FORM_HINT "--time-offset monotonic=86400,boottime=-1.5 (seconds, negative allowed)"

static const char *const clock_names[] = { "monotonic", "boottime" };

/* SECS[.FRACTION], with a sign: -1.5 is { -2, 500000000 }, as the kernel
   takes offsets (seconds signed, nanoseconds added to them).  */
static int
parse_offset (const char *s, struct nook_clock_offset *out)
{
  char whole[24];
  const char *dot = strchr (s, '.');
  bool neg = *s == '-';
  size_t n;
  uint64_t sec, nsec = 0;

  if (*s == '-' || *s == '+')
    s++;
  n = dot ? (size_t)(dot - s) : strlen (s);
  if (n == 0 || n >= sizeof whole)
    return -1;
  memcpy (whole, s, n);
  whole[n] = '\0';
  if (nook_parse_uint (whole, OFFSET_SEC_MAX, &sec) < 0)
    return -1;
  if (dot)
    {
      size_t digits = strlen (dot + 1);
      if (digits == 0 || digits > 9 || nook_parse_uint (dot + 1, 999999999, &nsec) < 0)
        return -1;
      for (; digits < 9; digits++)
        nsec *= 10;
    }
  if (!neg || nsec == 0)
    *out = (struct nook_clock_offset){ neg ? -(int64_t)sec : (int64_t)sec, (uint32_t)nsec, true };
  else
    *out = (struct nook_clock_offset){ -(int64_t)sec - 1, (uint32_t)(1000000000 - nsec), true };
  return 0;
}

int
nook_timens_parse (const char *value, struct nook_timens_spec *timens, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (value);
  bool seen[2] = { false, false };
  char *rest = copy, *item;

  if (*value == '\0')
    {
      nook_error_set (err, 0, "--time-offset: give an offset for monotonic, boottime or both");
      return nook_error_hint (err, FORM_HINT);
    }
  /* strsep, not strtok: an empty item (`a,,b`, a trailing comma) is
     an error, not skipped.  */
  while ((item = strsep (&rest, ",")) != NULL)
    {
      char *eq = strchr (item, '=');
      size_t k;
      struct nook_clock_offset off;

      if (eq)
        *eq = '\0';
      for (k = 0; k < 2 && strcmp (item, clock_names[k]) != 0; k++)
        ;
      if (eq == NULL || k == 2)
        {
          if (*item == '\0')
            nook_error_set (err, 0, "--time-offset `%s`: an empty item between commas", value);
          else
            nook_error_set (err, 0, "--time-offset `%s`: `%s` is not monotonic=SECS or boottime=SECS", value,
                            item);
          return nook_error_hint (err, FORM_HINT);
        }
      if (seen[k])
        {
          nook_error_set (err, 0, "--time-offset `%s`: %s is given twice", value, clock_names[k]);
          return nook_error_hint (err, FORM_HINT);
        }
      if (parse_offset (eq + 1, &off) < 0)
        {
          nook_error_set (err, 0, "--time-offset `%s`: %s: `%s` is not a number of seconds within +-%" PRId64,
                          value, clock_names[k], eq + 1, (int64_t)OFFSET_SEC_MAX);
          return nook_error_hint (err, FORM_HINT);
        }
      seen[k] = true;
      *(k == 0 ? &timens->monotonic : &timens->boottime) = off;
    }
  if (!seen[0] && !seen[1])
    {
      nook_error_set (err, 0, "--time-offset `%s`: give an offset for monotonic, boottime or both", value);
      return nook_error_hint (err, FORM_HINT);
    }
  timens->create = true;
  return 0;
}

/* An offset as --time-offset takes it: -1.5 for { -2, 500000000 }.  */
static void
format_offset (const struct nook_clock_offset *off, char buf[32])
{
  bool neg = off->sec < 0 && off->nsec > 0;
  int64_t sec = neg ? off->sec + 1 : off->sec;
  uint32_t nsec = neg ? 1000000000 - off->nsec : off->nsec;
  int n = snprintf (buf, 32, "%s%" PRId64, neg && sec == 0 ? "-" : "", sec);

  if (nsec == 0)
    return;
  snprintf (buf + n, 32 - n, ".%09" PRIu32, nsec);
  for (char *end = buf + strlen (buf) - 1; *end == '0'; end--)
    *end = '\0';
}

/* ERANGE: the offset takes the clock below zero (or past the bound):
   say where the clocks are, which is how far back they can go.  */
static int
range_error (const struct nook_timens_spec *timens, struct nook_error *err)
{
  struct timespec mono = { 0 }, boot = { 0 };
  char m[48] = "", b[48] = "";

  clock_gettime (CLOCK_MONOTONIC, &mono);
  clock_gettime (CLOCK_BOOTTIME, &boot);
  if (timens->monotonic.set)
    {
      strcpy (m, "monotonic=");
      format_offset (&timens->monotonic, m + strlen (m));
    }
  if (timens->boottime.set)
    {
      strcpy (b, "boottime=");
      format_offset (&timens->boottime, b + strlen (b));
    }
  nook_error_set (err, 0, "time offsets %s%s%s: a clock inside would be below 0 or past %" PRId64 " s", m,
                  *m && *b ? "," : "", b, (int64_t)OFFSET_SEC_MAX);
  return nook_error_hint (err,
                          "here CLOCK_MONOTONIC is at %lld s and CLOCK_BOOTTIME at %lld s: a negative offset "
                          "may go back that far",
                          (long long)mono.tv_sec, (long long)boot.tv_sec);
}

int
nook_timens_create (const struct nook_timens_spec *timens, struct nook_error *err)
{
  char buf[128];
  cleanup_close int fd = -1;
  int n = 0;

  if (!timens->create)
    return 0;
  if (unshare (CLONE_NEWTIME) < 0)
    {
      nook_error_errno (err, "create a time namespace");
      return errno == EINVAL ? nook_error_hint (err, "this kernel has no time namespaces (Linux 5.6 or later "
                                                     "with CONFIG_TIME_NS); see `nook check`")
                             : -1;
    }
  /* The clocks given, in one write: the kernel takes the records together
     or not.  The others keep the offsets the new namespace inherited
     (nook's own: zero unless nook runs in a time namespace).  */
  if (timens->monotonic.set)
    n += snprintf (buf + n, sizeof buf - n, "monotonic %" PRId64 " %" PRIu32 "\n", timens->monotonic.sec,
                   timens->monotonic.nsec);
  if (timens->boottime.set)
    n += snprintf (buf + n, sizeof buf - n, "boottime %" PRId64 " %" PRIu32 "\n", timens->boottime.sec,
                   timens->boottime.nsec);
  if (n == 0)
    return 0;
  fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  /* Non-dumpable (joining namespaces by path), the file is the host's
     root's, unless root is mapped in the user namespace nook started in.  */
  if (fd < 0 && errno == EACCES)
    {
      nook_error_errno (err, "set the time namespace's offsets");
      return nook_error_hint (err,
                              "a time namespace of its own cannot be made while joining namespaces by path "
                              "from outside a user namespace");
    }
  if (fd < 0)
    return nook_error_errno (err, "open /proc/self/timens_offsets");
  if (write (fd, buf, n) != n)
    return errno == ERANGE ? range_error (timens, err)
                           : nook_error_errno (err, "set the time namespace's offsets");
  return 0;
}

/* The pid of a pidfd, from its fdinfo.  */
static pid_t
pidfd_pid (int pidfd)
{
  char path[64];
  cleanup_free char *info = NULL;
  const char *p;

  snprintf (path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
  if (nook_read_file_at (AT_FDCWD, path, &info, NULL, NULL) < 0 || (p = strstr (info, "\nPid:\t")) == NULL)
    return -1;
  return (pid_t)strtol (p + 6, NULL, 10);
}

/* The time namespace of a joined sandbox, when it is not ours: setns on
   the host's would need CAP_SYS_ADMIN over the host's user namespace.  */
static int
join_sandbox (int pidfd, struct nook_error *err)
{
  pid_t pid = pidfd_pid (pidfd);
  uint64_t theirs, ours;

  if (pid <= 0 || nook_proc_ns_inode (pid, "time", &theirs) < 0
      || nook_proc_ns_inode (getpid (), "time", &ours) < 0 || theirs == ours)
    return 0;
  if (setns (pidfd, CLONE_NEWTIME) < 0)
    return nook_error_errno (err, "enter the time namespace of the joined sandbox");
  return 0;
}

int
nook_timens_join (const struct nook_timens_spec *timens, int pidfd, struct nook_error *err)
{
  cleanup_close int fd = -1;

  if (timens->path == NULL)
    return timens->create || pidfd < 0 ? 0 : join_sandbox (pidfd, err);
  fd = open (timens->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return nook_error_errno (err, "open the time namespace `%s`", timens->path);
  if (setns (fd, CLONE_NEWTIME) < 0)
    {
      nook_error_errno (err, "enter the time namespace `%s`", timens->path);
      return nook_error_hint (err,
                              "the caller needs CAP_SYS_ADMIN over it: create it in the same user namespace");
    }
  return 0;
}

int
nook_timens_probe (void)
{
  static const char rec[] = "monotonic 1 0\n";
  cleanup_close int fd = -1;

  if (unshare (CLONE_NEWUSER) < 0 || unshare (CLONE_NEWTIME) < 0)
    return errno;
  fd = open ("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write (fd, rec, sizeof rec - 1) < 0)
    return errno;
  return 0;
}

static json_object *
offset_json (const struct nook_clock_offset *off)
{
  json_object *o = json_object_new_object ();

  json_object_object_add (o, "secs", json_object_new_int64 (off->sec));
  json_object_object_add (o, "nanosecs", json_object_new_int64 (off->nsec));
  return o;
}

json_object *
nook_timens_json (const struct nook_timens_spec *timens)
{
  json_object *o;

  if (!timens->create)
    return NULL;
  o = json_object_new_object ();
  if (timens->monotonic.set)
    json_object_object_add (o, "monotonic", offset_json (&timens->monotonic));
  if (timens->boottime.set)
    json_object_object_add (o, "boottime", offset_json (&timens->boottime));
  return o;
}

int
nook_timens_from_json (json_object *o, struct nook_timens_spec *timens)
{
  if (o == NULL)
    return 0;
  for (size_t k = 0; k < 2; k++)
    {
      json_object *c, *s, *ns;
      struct nook_clock_offset *off = k == 0 ? &timens->monotonic : &timens->boottime;

      if (!json_object_object_get_ex (o, clock_names[k], &c))
        continue;
      if (!json_object_object_get_ex (c, "secs", &s) || !json_object_object_get_ex (c, "nanosecs", &ns)
          || !json_object_is_type (s, json_type_int) || !json_object_is_type (ns, json_type_int))
        return -1;
      off->sec = json_object_get_int64 (s);
      if (json_object_get_int64 (ns) < 0 || json_object_get_int64 (ns) > 999999999
          || off->sec > OFFSET_SEC_MAX || off->sec < -OFFSET_SEC_MAX - 1)
        return -1;
      off->nsec = json_object_get_int64 (ns);
      off->set = true;
    }
  timens->create = true;
  return 0;
}
