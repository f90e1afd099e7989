/* Options of `nook run`: resource limits (cgroup v2).  */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lib/cgroup.h"
#include "lib/utils.h"
#include "options.h"

enum
{
  OPT_MEMORY = 1,
  OPT_MEMORY_SWAP,
  OPT_MEMORY_HIGH,
  OPT_CPUS,
  OPT_CPU_WEIGHT,
  OPT_PIDS_LIMIT,
  OPT_IO_WEIGHT,
  OPT_DEVICE_READ_BPS,
  OPT_DEVICE_WRITE_BPS,
  OPT_CPUSET_CPUS,
  OPT_ULIMIT,
};

static const struct nook_option limit_options[] = {
  { "memory", 'm', 1, OPT_MEMORY, "SIZE", "memory limit (memory.max), e.g. 512m; k/m/g suffixes" },
  { "memory-swap", 0, 1, OPT_MEMORY_SWAP, "SIZE", "swap limit (memory.swap.max), swap only" },
  { "memory-high", 0, 1, OPT_MEMORY_HIGH, "SIZE", "throttle and reclaim above SIZE (memory.high)" },
  { "cpus", 0, 1, OPT_CPUS, "N.N", "CPU time, in CPUs (cpu.max), e.g. 0.5" },
  { "cpu-weight", 0, 1, OPT_CPU_WEIGHT, "1-10000", "CPU share against siblings (cpu.weight, default 100)" },
  { "pids-limit", 0, 1, OPT_PIDS_LIMIT, "N", "at most N processes and threads (pids.max)" },
  { "io-weight", 0, 1, OPT_IO_WEIGHT, "1-10000", "I/O share against siblings (io.weight, default 100)" },
  { "device-read-bps", 0, 1, OPT_DEVICE_READ_BPS, "DEV:RATE", "read at most RATE bytes/s from DEV (io.max)" },
  { "device-write-bps", 0, 1, OPT_DEVICE_WRITE_BPS, "DEV:RATE",
    "write at most RATE bytes/s to DEV (io.max)" },
  { "cpuset-cpus", 0, 1, OPT_CPUSET_CPUS, "LIST", "run only on these CPUs (cpuset.cpus), e.g. 0-1,3" },
  { "ulimit", 0, 1, OPT_ULIMIT, "NAME=SOFT[:HARD]",
    "a setrlimit of the sandbox (nofile, nproc, fsize, as, cpu, core...): no cgroup needed" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
parse_size (const char *opt, const char *s, uint64_t *out, struct nook_error *err)
{
  if (nook_parse_size (s, out) < 0 || *out == 0)
    return nook_error_set (err, 0, "--%s needs a size such as 512k, 64m or 2g, not `%s`", opt, s);
  return 0;
}

static int
parse_range (const char *opt, const char *s, uint64_t min, uint64_t max, uint64_t *out,
             struct nook_error *err)
{
  if (nook_parse_uint (s, max, out) < 0 || *out < min)
    return nook_error_set (err, 0, "--%s needs a number from %llu to %llu, not `%s`", opt,
                           (unsigned long long)min, (unsigned long long)max, s);
  return 0;
}

/* "1.5" -> 150000 µs of CPU time per 100000 µs period.  */
static int
parse_cpus (const char *s, uint64_t *quota, struct nook_error *err)
{
  char *end;
  double cpus = strtod (s, &end);

  if (end == s || *end != '\0' || !(cpus >= 0.01 && cpus <= 4096))
    return nook_error_set (err, 0, "--cpus needs a number of CPUs from 0.01 up, such as 0.5 or 2, not `%s`",
                           s);
  *quota = (uint64_t)(cpus * NOOK_CPU_PERIOD_US + 0.5);
  return 0;
}

static int
parse_device_rate (const char *opt, const char *s, struct nook_limits *limits, bool write,
                   struct nook_error *err)
{
  const char *colon = strrchr (s, ':');
  cleanup_free char *dev = NULL;
  uint64_t rate;

  if (colon == NULL || colon == s || nook_parse_size (colon + 1, &rate) < 0 || rate == 0)
    return nook_error_set (err, 0, "--%s needs DEVICE:RATE such as /dev/sda:10m, not `%s`", opt, s);
  dev = strndup (s, colon - s);
  if (nook_limits_add_io_max (limits, dev, rate, write, err) < 0)
    return nook_error_wrap (err, "--%s", opt);
  return 0;
}

static int
parse_cpu_list (const char *s, char **out, struct nook_error *err)
{
  bool ok = s[0] != '\0' && strspn (s, "0123456789,-") == strlen (s);
  for (const char *p = s; ok && *p; p++)
    if (*p != ',' && *p != '-' && p[1] != '\0')
      continue;
    else if ((*p == ',' || *p == '-') && (p == s || p[1] == '\0' || p[1] == ',' || p[1] == '-'))
      ok = false;
  if (!ok)
    return nook_error_set (err, 0, "--cpuset-cpus needs a CPU list such as 0-1,3, not `%s`", s);
  nook_option_string (out, s);
  return 0;
}

/* podman's --ulimit names.  */
static const struct
{
  const char *name;
  int resource;
} rlimit_names[] = {
  { "as", RLIMIT_AS },
  { "core", RLIMIT_CORE },
  { "cpu", RLIMIT_CPU },
  { "data", RLIMIT_DATA },
  { "fsize", RLIMIT_FSIZE },
  { "locks", RLIMIT_LOCKS },
  { "memlock", RLIMIT_MEMLOCK },
  { "msgqueue", RLIMIT_MSGQUEUE },
  { "nice", RLIMIT_NICE },
  { "nofile", RLIMIT_NOFILE },
  { "nproc", RLIMIT_NPROC },
  { "rss", RLIMIT_RSS },
  { "rtprio", RLIMIT_RTPRIO },
  { "rttime", RLIMIT_RTTIME },
  { "sigpending", RLIMIT_SIGPENDING },
  { "stack", RLIMIT_STACK },
  { NULL, 0 },
};

static int
parse_rlim (const char *s, uint64_t *out)
{
  if (strcmp (s, "unlimited") == 0 || strcmp (s, "-1") == 0)
    {
      *out = UINT64_MAX;
      return 0;
    }
  return nook_parse_size (s, out);
}

/* --ulimit NAME=SOFT[:HARD]: checked against the caller's own hard limit
   now, since only CAP_SYS_RESOURCE on the host could raise it.  */
static int
parse_ulimit (const char *value, struct nook_limits *l, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (value);
  char *eq = strchr (copy, '='), *colon;
  struct nook_rlimit r = { -1, 0, 0 };
  struct rlimit now;
  size_t i;

  if (eq == NULL)
    return nook_error_set (err, 0, "--ulimit needs NAME=SOFT[:HARD], like nofile=1024:2048, not `%s`", value);
  *eq++ = '\0';
  colon = strchr (eq, ':');
  if (colon)
    *colon++ = '\0';
  for (i = 0; rlimit_names[i].name; i++)
    if (strcmp (rlimit_names[i].name, copy) == 0)
      r.resource = rlimit_names[i].resource;
  if (r.resource < 0)
    return nook_error_set (
        err, 0,
        "--ulimit `%s`: no such limit (as, core, cpu, data, fsize, locks, memlock, msgqueue, "
        "nice, nofile, nproc, rss, rtprio, rttime, sigpending, stack)",
        copy);
  if (parse_rlim (eq, &r.soft) < 0 || parse_rlim (colon ? colon : eq, &r.hard) < 0 || r.soft > r.hard)
    return nook_error_set (err, 0,
                           "--ulimit `%s`: SOFT[:HARD] are numbers (k, m, g suffixes) or unlimited, soft at "
                           "most hard",
                           value);
  if (getrlimit (r.resource, &now) == 0 && now.rlim_max != RLIM_INFINITY
      && (r.hard == UINT64_MAX || r.hard > now.rlim_max))
    {
      nook_error_set (err, 0, "--ulimit `%s`: above your own hard limit %llu", value,
                      (unsigned long long)now.rlim_max);
      return nook_error_hint (err, "`ulimit -H -a` shows yours; only lower limits can be set");
    }
  for (i = 0; i < l->n_rlimits && l->rlimits[i].resource != r.resource; i++)
    ;
  if (i == NOOK_MAX_RLIMITS)
    return nook_error_set (err, 0, "--ulimit: too many limits");
  l->rlimits[i] = r;
  if (i == l->n_rlimits)
    l->n_rlimits++;
  return 0;
}

static int
limits_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
              struct nook_error *err)
{
  struct nook_limits *l = &spec->limits;
  int r = -1;

  switch (o->id)
    {
    case OPT_MEMORY:
      r = parse_size (o->name, val[0], &l->memory_max, err);
      l->set |= NOOK_LIM_MEMORY;
      break;
    case OPT_MEMORY_SWAP:
      /* 0 is meaningful here: no swap at all.  */
      if (strcmp (val[0], "0") == 0)
        l->memory_swap_max = 0, r = 0;
      else
        r = parse_size (o->name, val[0], &l->memory_swap_max, err);
      l->set |= NOOK_LIM_MEMORY_SWAP;
      break;
    case OPT_MEMORY_HIGH:
      r = parse_size (o->name, val[0], &l->memory_high, err);
      l->set |= NOOK_LIM_MEMORY_HIGH;
      break;
    case OPT_CPUS:
      r = parse_cpus (val[0], &l->cpu_quota_us, err);
      l->set |= NOOK_LIM_CPUS;
      break;
    case OPT_CPU_WEIGHT:
      r = parse_range (o->name, val[0], 1, 10000, &l->cpu_weight, err);
      l->set |= NOOK_LIM_CPU_WEIGHT;
      break;
    case OPT_PIDS_LIMIT:
      r = parse_range (o->name, val[0], 1, UINT32_MAX, &l->pids_max, err);
      l->set |= NOOK_LIM_PIDS;
      break;
    case OPT_IO_WEIGHT:
      r = parse_range (o->name, val[0], 1, 10000, &l->io_weight, err);
      l->set |= NOOK_LIM_IO_WEIGHT;
      break;
    case OPT_DEVICE_READ_BPS:
    case OPT_DEVICE_WRITE_BPS:
      r = parse_device_rate (o->name, val[0], l, o->id == OPT_DEVICE_WRITE_BPS, err);
      break;
    case OPT_CPUSET_CPUS:
      r = parse_cpu_list (val[0], &l->cpuset_cpus, err);
      l->set |= NOOK_LIM_CPUSET;
      break;
    case OPT_ULIMIT:
      r = parse_ulimit (val[0], l, err);
      break;
    default:
      return nook_error_set (err, 0, "option --%s is not handled", o->name);
    }
  return r;
}

const struct nook_option_group nook_limit_options
    = { "Resource limit options (cgroup v2, delegated to you)", limit_options, limits_apply, NULL };
