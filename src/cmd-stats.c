/* nook stats [--no-stream] [--format table|json] [NAME...]
 *
 * Live resource usage of running sandboxes, read from their cgroups, as
 * `docker stats` shows it.  */
#include <config.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/cgroup-stats.h"
#include "lib/utils.h"
#include "options.h"

struct stats_opts
{
  bool no_stream;
  bool json;
  char **names; /* given on the command line; NULL: every sandbox */
};

struct reading
{
  struct nook_cgroup_stats s;
  double cpu_percent; /* -1: unknown */
};

static double
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* The cgroup directories to read this round.  */
static int
sandbox_dirs (const struct stats_opts *o, char ***dirs, struct nook_error *err)
{
  cleanup_strv char **names = NULL;

  *dirs = xcalloc (1, sizeof (char *));
  if (o->names == NULL && nook_cgroup_list (&names, err) < 0)
    return -1;
  for (char **n = o->names ? o->names : names; *n; n++)
    {
      cleanup_free char *dir = nook_cgroup_find_sandbox (*n, err);
      if (dir == NULL)
        return -1;
      strv_append (dirs, dir);
    }
  return 0;
}

/* Reads every sandbox twice, INTERVAL_US apart, for the CPU share.  */
static int
sample (char **dirs, double interval_us, struct reading **out, size_t *n, struct nook_error *err)
{
  size_t count = strv_len (dirs), k = 0;
  struct reading *first = xcalloc (count + 1, sizeof *first), *second = xcalloc (count + 1, sizeof *second);
  double t0 = now_us (), t1;

  for (size_t i = 0; i < count; i++)
    nook_cgroup_stats_read (dirs[i], &first[i].s, NULL);
  usleep (interval_us);
  t1 = now_us ();
  for (size_t i = 0; i < count; i++)
    {
      /* A sandbox that exited meanwhile is left out.  */
      if (first[i].s.dir == NULL || nook_cgroup_stats_read (dirs[i], &second[k].s, NULL) < 0)
        continue;
      second[k].cpu_percent = -1;
      if (first[i].s.cpu_usage_us != NOOK_CG_UNSET && second[k].s.cpu_usage_us != NOOK_CG_UNSET)
        second[k].cpu_percent = (second[k].s.cpu_usage_us - first[i].s.cpu_usage_us) * 100.0 / (t1 - t0);
      k++;
    }
  for (size_t i = 0; i < count; i++)
    nook_cgroup_stats_free (&first[i].s);
  free (first);
  *out = second;
  *n = k;
  return 0;
}

static const char *
human (uint64_t v, char *buf, size_t size)
{
  static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
  double d = v;
  size_t u = 0;

  if (v == NOOK_CG_UNSET)
    return "-";
  while (d >= 1024 && u < 4)
    d /= 1024, u++;
  snprintf (buf, size, u ? "%.1f%s" : "%.0f%s", d, units[u]);
  return buf;
}

static void
print_table (const struct reading *r, size_t n)
{
  printf ("%-20s %7s %21s %10s %12s %21s\n", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM PEAK", "PIDS / MAX",
          "IO READ / WRITE");
  for (size_t i = 0; i < n; i++)
    {
      const struct nook_cgroup_stats *s = &r[i].s;
      char cpu[32] = "-", a[32], b[32], c[32], mem[80], pids[64], io[80], pmax[24] = "-";

      if (r[i].cpu_percent >= 0)
        snprintf (cpu, sizeof cpu, "%.1f%%", r[i].cpu_percent);
      snprintf (mem, sizeof mem, "%s / %s", human (s->memory_current, a, sizeof a),
                s->memory_max == NOOK_CG_UNSET ? "-" : human (s->memory_max, b, sizeof b));
      if (s->pids_max != NOOK_CG_UNSET)
        snprintf (pmax, sizeof pmax, "%llu", (unsigned long long)s->pids_max);
      if (s->pids_current == NOOK_CG_UNSET)
        snprintf (pids, sizeof pids, "-");
      else
        snprintf (pids, sizeof pids, "%llu / %s", (unsigned long long)s->pids_current, pmax);
      snprintf (io, sizeof io, "%s / %s", human (s->io_read_bytes, a, sizeof a),
                human (s->io_write_bytes, c, sizeof c));
      printf ("%-20s %7s %21s %10s %12s %21s\n", s->name, cpu, mem, human (s->memory_peak, b, sizeof b), pids,
              io);
    }
}

static json_object *
json_u64 (uint64_t v)
{
  return v == NOOK_CG_UNSET ? NULL : json_object_new_uint64 (v);
}

static json_object *
json_pair (const char *k1, uint64_t v1, const char *k2, uint64_t v2)
{
  json_object *o = json_object_new_object ();
  json_object_object_add (o, k1, json_u64 (v1));
  json_object_object_add (o, k2, json_u64 (v2));
  return o;
}

static void
print_json (const struct reading *r, size_t n)
{
  json_object *all = json_object_new_array ();

  for (size_t i = 0; i < n; i++)
    {
      const struct nook_cgroup_stats *s = &r[i].s;
      json_object *o = json_object_new_object (), *mem;

      json_object_object_add (o, "name", json_object_new_string (s->name));
      json_object_object_add (o, "cgroup", json_object_new_string (s->dir));
      json_object_object_add (o, "cpu_percent",
                              r[i].cpu_percent >= 0 ? json_object_new_double (r[i].cpu_percent) : NULL);
      json_object_object_add (o, "cpu_usage_usec", json_u64 (s->cpu_usage_us));
      mem = json_pair ("current", s->memory_current, "peak", s->memory_peak);
      json_object_object_add (mem, "max", json_u64 (s->memory_max));
      json_object_object_add (mem, "oom_kills", json_u64 (s->oom_kills));
      json_object_object_add (o, "memory", mem);
      json_object_object_add (o, "pids", json_pair ("current", s->pids_current, "max", s->pids_max));
      json_object_object_add (o, "io",
                              json_pair ("read_bytes", s->io_read_bytes, "write_bytes", s->io_write_bytes));
      json_object_array_add (all, o);
    }
  printf ("%s\n",
          json_object_to_json_string_ext (all, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (all);
}

static int
stats_round (const struct stats_opts *o, bool clear, struct nook_error *err)
{
  cleanup_strv char **dirs = NULL;
  struct reading *r = NULL;
  size_t n = 0;

  if (sandbox_dirs (o, &dirs, err) < 0 || sample (dirs, o->no_stream ? 500000 : 1000000, &r, &n, err) < 0)
    return -1;
  if (clear)
    printf ("\033[2J\033[H");
  if (o->json)
    print_json (r, n);
  else
    print_table (r, n);
  fflush (stdout);
  for (size_t i = 0; i < n; i++)
    nook_cgroup_stats_free (&r[i].s);
  free (r);
  return 0;
}

enum
{
  OPT_NO_STREAM = 1,
  OPT_FORMAT,
};

static const struct nook_option stats_options[] = {
  { "no-stream", 0, 0, OPT_NO_STREAM, "", "print one reading and exit" },
  { "format", 0, 1, OPT_FORMAT, "table|json", "output format (default table)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
stats_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
             struct nook_error *err)
{
  struct stats_opts *so = parser->cmd;

  if (o->id == OPT_NO_STREAM)
    {
      so->no_stream = true;
      return 0;
    }
  if (strcmp (val[0], "json") != 0 && strcmp (val[0], "table") != 0)
    return nook_error_set (err, 0, "--format takes `table` or `json`, not `%s`", val[0]);
  so->json = strcmp (val[0], "json") == 0;
  return 0;
}

static const struct nook_option_group stats_group = { "Options", stats_options, stats_apply, NULL };
static const struct nook_option_group *const stats_groups[] = { &stats_group, NULL };

const struct nook_command nook_stats_command = {
  .name = "stats",
  .synopsis = "nook stats [--no-stream] [--format table|json] [NAME...]",
  .summary
  = "Live CPU, memory, pids and I/O usage of running sandboxes that have limits, from their cgroups.",
  .groups = stats_groups,
  .interspersed = true,
};

int
nook_cmd_stats (int argc, char **argv, struct nook_error *err)
{
  struct stats_opts o = { 0 };
  bool tty = isatty (STDOUT_FILENO);
  int r = nook_command_parse (&nook_stats_command, argc, argv, NULL, &o, err);

  if (r <= 0)
    return r;
  for (int i = r; i < argc; i++)
    strv_append (&o.names, argv[i]);
  do
    r = stats_round (&o, tty && !o.no_stream && !o.json, err);
  while (r == 0 && !o.no_stream);
  strv_free (o.names);
  return r < 0 ? -1 : 0;
}
