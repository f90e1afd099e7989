/* nook: linux.resources as nook's limits; see oci-resources.h.  */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oci-config-internal.h"
#include "oci-resources.h"
#include "utils.h"

/* log2 (X) for X >= 1: the integer part by halving, the fraction bit by
   bit by squaring.  Hand-made so that nook needs no libm, which every
   `nook run` would load.  */
static double
log2_of (double x)
{
  double r = 0, bit = 1;

  while (x >= 2)
    {
      x /= 2;
      r += 1;
    }
  for (int i = 0; i < 52; i++)
    {
      x *= x;
      bit /= 2;
      if (x >= 2)
        {
          x /= 2;
          r += bit;
        }
    }
  return r;
}

/* 10^E for E >= 0: 2^(E log2 10), its integer part by doubling, the
   rest by exp's series.  */
static double
pow10_of (double e)
{
  double t = e * 3.32192809488736234787, r = 1, term = 1, f;
  int whole = (int)t;

  f = (t - whole) * 0.69314718055994530942;
  for (int k = 1; k < 30; k++)
    {
      term *= f / k;
      r += term;
    }
  while (whole-- > 0)
    r *= 2;
  return r;
}

uint64_t
nook_oci_cpu_weight (uint64_t shares)
{
  double l, w;
  uint64_t up;

  if (shares == 0)
    return 0;
  if (shares <= 2)
    return 1;
  if (shares >= 262144)
    return 10000;
  l = log2_of ((double)shares);
  /* A quadratic in log space through (2, 1), (1024, 100), (262144, 10000),
     rounded up; a value a rounding error above a whole number is it.  */
  w = pow10_of ((l * l + 125 * l) / 612.0 - 7.0 / 34.0);
  up = (uint64_t)w;
  return w - (double)up > 1e-9 ? up + 1 : up;
}

int
nook_oci_swap_max (int64_t swap, int64_t memory, uint64_t *out, bool *set, struct nook_error *err)
{
  *set = true;
  if (memory == -1 && swap == 0)
    {
      /* Unlimited memory, swap not given: both unlimited, as cgroup v1 had it.  */
      *out = NOOK_LIM_MAX;
      return 0;
    }
  if (swap == 0)
    {
      *set = false;
      return 0;
    }
  if (swap == -1)
    {
      *out = NOOK_LIM_MAX;
      return 0;
    }
  if (swap < 0)
    return nook_error_set (err, 0, "memory.swap %lld is not -1 or a size", (long long)swap);
  if (memory == -1)
    {
      *out = (uint64_t)swap;
      return 0;
    }
  if (memory == 0)
    return nook_error_set (err, 0, "memory.swap needs memory.limit: it is memory plus swap");
  if (swap < memory)
    return nook_error_set (err, 0, "memory.swap (memory plus swap) is less than memory.limit");
  *out = (uint64_t)(swap - memory);
  return 0;
}

struct ctx
{
  const char *what;
  struct nook_error *err;
};

static int
bad (struct ctx *c, const char *field, const char *why)
{
  nook_error_set (c->err, 0, "`%s.%s` %s", c->what, field, why);
  return nook_error_hint (c->err, "see the OCI runtime-spec's LinuxResources");
}

/* The member KEY of O (oci_cfg_get), a wrong type named as FIELD.  */
static json_object *
member (struct ctx *c, json_object *o, const char *key, json_type type, const char *field, bool *failed)
{
  const char *why;
  json_object *v = oci_cfg_get (o, key, type, failed, &why);

  if (why)
    bad (c, field, why);
  return v;
}

/* An integer member as int64; *FOUND false when absent.  */
static int
get_int (struct ctx *c, json_object *o, const char *key, const char *field, int64_t *out, bool *found)
{
  bool failed = false;
  json_object *v = member (c, o, key, json_type_int, field, &failed);

  *found = v != NULL;
  if (failed)
    return -1;
  if (v)
    {
      errno = 0;
      *out = json_object_get_int64 (v);
      if (errno == ERANGE)
        return bad (c, field, "is out of range");
    }
  return 0;
}

/* -1: unlimited; 0: unset (nothing written); more: the value.  */
static int
set_limit (struct ctx *c, json_object *o, const char *key, const char *field, unsigned bit, uint64_t *dst,
           struct nook_limits *l, int64_t *raw)
{
  int64_t v = 0;
  bool found;

  if (get_int (c, o, key, field, &v, &found) < 0)
    return -1;
  if (raw)
    *raw = found ? v : 0;
  if (!found || v == 0)
    return 0;
  if (v < -1)
    return bad (c, field, "must be -1 (unlimited) or positive");
  *dst = v == -1 ? NOOK_LIM_MAX : (uint64_t)v;
  l->set |= bit;
  return 0;
}

static int
parse_memory (struct ctx *c, json_object *m, struct nook_limits *l)
{
  int64_t limit, swap;
  bool found;

  if (set_limit (c, m, "limit", "memory.limit", NOOK_LIM_MEMORY, &l->memory_max, l, &limit) < 0
      || set_limit (c, m, "reservation", "memory.reservation", NOOK_LIM_MEMORY_LOW, &l->memory_low, l, NULL)
             < 0
      || get_int (c, m, "swap", "memory.swap", &swap, &found) < 0)
    return -1;
  /* No swap given leaves memory.swap.max as it is: "max" in a new
     cgroup, and no error where the kernel keeps no swap account.  */
  if (!found)
    return 0;
  if (nook_oci_swap_max (swap, limit, &l->memory_swap_max, &found, c->err) < 0)
    return nook_error_wrap (c->err, "%s", c->what);
  if (found)
    l->set |= NOOK_LIM_MEMORY_SWAP;
  return 0;
}

static int
parse_cpu (struct ctx *c, json_object *o, struct nook_limits *l)
{
  int64_t shares, quota, period, rt;
  bool has_shares, has_quota, has_period, has_rt, failed = false;
  json_object *cpus = member (c, o, "cpus", json_type_string, "cpu.cpus", &failed);
  json_object *mems = member (c, o, "mems", json_type_string, "cpu.mems", &failed);

  if (failed || get_int (c, o, "shares", "cpu.shares", &shares, &has_shares) < 0
      || get_int (c, o, "quota", "cpu.quota", &quota, &has_quota) < 0
      || get_int (c, o, "period", "cpu.period", &period, &has_period) < 0
      || get_int (c, o, "realtimeRuntime", "cpu.realtimeRuntime", &rt, &has_rt) < 0)
    return -1;
  if (has_rt && rt != 0)
    return bad (c, "cpu.realtimeRuntime", "cannot be applied: cgroup v2 has no realtime CPU time");
  if (has_shares && shares != 0)
    {
      if (shares < 0)
        return bad (c, "cpu.shares", "must be positive");
      l->cpu_weight = nook_oci_cpu_weight ((uint64_t)shares);
      l->set |= NOOK_LIM_CPU_WEIGHT;
    }
  if ((has_quota && quota != 0) || (has_period && period != 0))
    {
      if ((has_period && period < 0) || (has_quota && quota < -1))
        return bad (c, "cpu.quota", "must be -1 (unlimited) or positive, the period positive");
      l->cpu_quota_us = has_quota && quota > 0 ? (uint64_t)quota : NOOK_LIM_MAX;
      l->cpu_period_us = has_period ? (uint64_t)period : 0;
      l->set |= NOOK_LIM_CPUS;
    }
  if (cpus && *json_object_get_string (cpus))
    {
      free (l->cpuset_cpus);
      l->cpuset_cpus = xstrdup (json_object_get_string (cpus));
      l->set |= NOOK_LIM_CPUSET;
    }
  if (mems && *json_object_get_string (mems))
    {
      free (l->cpuset_mems);
      l->cpuset_mems = xstrdup (json_object_get_string (mems));
      l->set |= NOOK_LIM_CPUSET_MEMS;
    }
  {
    int64_t idle, burst;
    bool has;
    char buf[32];
    if (get_int (c, o, "idle", "cpu.idle", &idle, &has) < 0)
      return -1;
    if (has && (idle == 0 || idle == 1))
      nook_limits_add_file (l, "cpu.idle", idle ? "1" : "0");
    if (get_int (c, o, "burst", "cpu.burst", &burst, &has) < 0)
      return -1;
    if (has && burst >= 0)
      {
        snprintf (buf, sizeof buf, "%lld", (long long)burst);
        nook_limits_add_file (l, "cpu.max.burst", buf);
      }
  }
  return 0;
}

static int
parse_block_io (struct ctx *c, json_object *o, struct nook_limits *l)
{
  static const char *const unsupported[]
      = { "weightDevice", "throttleReadIOPSDevice", "throttleWriteIOPSDevice", NULL };
  int64_t w;
  bool found, failed = false;

  if (get_int (c, o, "weight", "blockIO.weight", &w, &found) < 0)
    return -1;
  if (found && w != 0)
    {
      if (w < 10 || w > 1000)
        return bad (c, "blockIO.weight", "must be between 10 and 1000");
      /* [10, 1000] onto [1, 10000], as runc and crun map it.  */
      l->io_weight = 1 + ((uint64_t)w - 10) * 9999 / 990;
      l->set |= NOOK_LIM_IO_WEIGHT;
    }
  for (size_t i = 0; unsupported[i]; i++)
    {
      json_object *a = member (c, o, unsupported[i], json_type_array, unsupported[i], &failed);
      if (failed)
        return -1;
      if (a && json_object_array_length (a) > 0)
        {
          nook_error_set (c->err, 0, "`%s.blockIO.%s` is not supported by nook", c->what, unsupported[i]);
          return nook_error_hint (c->err, "use blockIO.weight, or the bps throttles");
        }
    }
  for (int write = 0; write < 2; write++)
    {
      const char *key = write ? "throttleWriteBpsDevice" : "throttleReadBpsDevice";
      json_object *a = member (c, o, key, json_type_array, key, &failed);
      if (failed)
        return -1;
      for (size_t i = 0; a && i < json_object_array_length (a); i++)
        {
          json_object *d = json_object_array_get_idx (a, i);
          int64_t major, minor, rate;
          bool f1, f2, f3;
          struct nook_io_max *m = NULL;
          if (get_int (c, d, "major", key, &major, &f1) < 0 || get_int (c, d, "minor", key, &minor, &f2) < 0
              || get_int (c, d, "rate", key, &rate, &f3) < 0)
            return -1;
          if (!f1 || !f2 || !f3 || major < 0 || minor < 0 || rate < 0)
            return bad (c, key, "needs major, minor and rate");
          for (size_t k = 0; k < l->n_io_max; k++)
            if (l->io_max[k].major == (unsigned)major && l->io_max[k].minor == (unsigned)minor)
              m = &l->io_max[k];
          if (m == NULL)
            {
              l->io_max = xrealloc (l->io_max, (l->n_io_max + 1) * sizeof *l->io_max);
              m = &l->io_max[l->n_io_max++];
              *m = (struct nook_io_max){ (unsigned)major, (unsigned)minor, 0, 0 };
            }
          *(write ? &m->wbps : &m->rbps) = (uint64_t)rate;
          l->set |= write ? NOOK_LIM_IO_WBPS : NOOK_LIM_IO_RBPS;
        }
    }
  return 0;
}

static int
parse_hugepages (struct ctx *c, json_object *a, struct nook_limits *l)
{
  for (size_t i = 0; i < json_object_array_length (a); i++)
    {
      json_object *h = json_object_array_get_idx (a, i), *size = NULL;
      int64_t limit;
      bool found, failed = false;
      char name[64], value[32];

      size = member (c, h, "pageSize", json_type_string, "hugepageLimits.pageSize", &failed);
      if (failed || get_int (c, h, "limit", "hugepageLimits.limit", &limit, &found) < 0)
        return -1;
      if (size == NULL || !found || limit < 0)
        return bad (c, "hugepageLimits", "needs a pageSize and a limit");
      for (const char *p = json_object_get_string (size); *p; p++)
        if (!isalnum ((unsigned char)*p))
          return bad (c, "hugepageLimits.pageSize", "must be a size such as 2MB");
      snprintf (name, sizeof name, "hugetlb.%s.max", json_object_get_string (size));
      snprintf (value, sizeof value, "%lld", (long long)limit);
      if (!nook_cg_file_name_valid (name))
        return bad (c, "hugepageLimits.pageSize", "must be a size such as 2MB");
      nook_limits_add_file (l, name, value);
    }
  return 0;
}

static int
parse_unified (struct ctx *c, json_object *u, struct nook_limits *l)
{
  json_object_object_foreach (u, key, val)
  {
    if (!json_object_is_type (val, json_type_string))
      return bad (c, "unified", "must map file names to strings");
    if (!nook_cg_file_name_valid (key))
      {
        nook_error_set (c->err, 0, "`%s.unified`: `%s` is no cgroup interface file nook may write", c->what,
                        key);
        return nook_error_hint (c->err, "name one file of the container's cgroup, e.g. memory.high");
      }
    nook_limits_add_file (l, key, json_object_get_string (val));
  }
  return 0;
}

int
nook_oci_resources_parse (json_object *res, const char *what, struct nook_limits *limits,
                          struct nook_error *err)
{
  struct ctx c = { what, err };
  bool failed = false;
  json_object *memory = member (&c, res, "memory", json_type_object, "memory", &failed);
  json_object *cpu = member (&c, res, "cpu", json_type_object, "cpu", &failed);
  json_object *pids = member (&c, res, "pids", json_type_object, "pids", &failed);
  json_object *bio = member (&c, res, "blockIO", json_type_object, "blockIO", &failed);
  json_object *huge = member (&c, res, "hugepageLimits", json_type_array, "hugepageLimits", &failed);
  json_object *unified = member (&c, res, "unified", json_type_object, "unified", &failed);

  if (failed || (memory && parse_memory (&c, memory, limits) < 0) || (cpu && parse_cpu (&c, cpu, limits) < 0)
      || (pids
          && set_limit (&c, pids, "limit", "pids.limit", NOOK_LIM_PIDS, &limits->pids_max, limits, NULL) < 0)
      || (bio && parse_block_io (&c, bio, limits) < 0) || (huge && parse_hugepages (&c, huge, limits) < 0)
      || (unified && parse_unified (&c, unified, limits) < 0))
    return -1;
  return 0;
}
