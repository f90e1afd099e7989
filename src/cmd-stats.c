/* nook stats [--no-stream] [--format table|json] [NAME...]
 *
 * Live resource usage of running sandboxes, as `docker stats` shows it:
 * read from a sandbox's cgroup when it was started with limits, else
 * summed over its processes from /proc.  */
#include <config.h>

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/cgroup-stats.h"
#include "lib/state.h"
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

/* One sandbox to read: through its cgroup when it has one, else through
   its processes.  */
struct target
{
  char *name; /* its --name, or its id */
  char *dir;  /* its cgroup, or NULL */
  struct nook_sandbox sb;
  bool loaded; /* sb holds a running sandbox */
};

static void
targets_free (struct target *t, size_t n)
{
  for (size_t i = 0; i < n; i++)
    {
      free (t[i].name);
      free (t[i].dir);
      if (t[i].loaded)
        nook_sandbox_release (&t[i].sb);
    }
  free (t);
}

static void
target_add (struct target **t, size_t *n, const char *name, char *dir, const struct nook_sandbox *sb)
{
  *t = xrealloc (*t, (*n + 1) * sizeof **t);
  memset (&(*t)[*n], 0, sizeof **t);
  (*t)[*n].name = xstrdup (name);
  (*t)[*n].dir = dir;
  if (sb)
    {
      (*t)[*n].sb = *sb;
      (*t)[*n].loaded = true;
    }
  (*n)++;
}

static double
now_us (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static const char *
label (const struct nook_sandbox *sb)
{
  const char *name = nook_sandbox_str (sb, "name");
  return name ? name : sb->id;
}

/* Every running sandbox, from nook's state, then any sandbox cgroup that
   no state names (left by a nook of an older layout).  */
static int
all_targets (struct target **t, size_t *n, struct nook_error *err)
{
  cleanup_strv char **ids = NULL, **names = NULL;
  struct nook_store store;

  if (nook_cli_store (&store, err) < 0)
    return -1;
  ids = nook_sandbox_list (&store);
  for (size_t i = 0; ids && ids[i]; i++)
    {
      struct nook_sandbox sb;
      if (nook_sandbox_load (&store, ids[i], &sb) < 0)
        continue;
      if (sb.forged || sb.doc == NULL || !sb.running)
        {
          nook_sandbox_release (&sb);
          continue;
        }
      target_add (t, n, label (&sb), nook_cgroup_of_sandbox (&sb), &sb);
    }
  nook_store_close (&store);
  /* Also removes the cgroups of sandboxes whose nook was killed.  */
  if (nook_cgroup_list (&names, NULL) < 0)
    return 0;
  for (char **c = names; *c; c++)
    {
      char *dir = nook_cgroup_find_sandbox (*c, NULL);
      bool known = false;
      for (size_t i = 0; dir && i < *n && !known; i++)
        known = (*t)[i].dir && strcmp ((*t)[i].dir, dir) == 0;
      if (dir && !known)
        target_add (t, n, *c, dir, NULL);
      else
        free (dir);
    }
  return 0;
}

/* The sandboxes named on the command line, each running, with a cgroup or
   not.  */
static int
named_targets (char **names, struct target **t, size_t *n, struct nook_error *err)
{
  for (char **c = names; *c; c++)
    {
      struct nook_store store;
      struct nook_sandbox sb;
      struct nook_error find_err = { 0 };

      if (nook_cli_find (&store, *c, &sb, &find_err) == 0)
        {
          nook_store_close (&store);
          if (!sb.running)
            {
              nook_error_release (&find_err);
              nook_error_set (err, 0, "sandbox `%s` is not running", *c);
              nook_sandbox_release (&sb);
              return -1;
            }
          target_add (t, n, label (&sb), nook_cgroup_of_sandbox (&sb), &sb);
          continue;
        }
      /* A cgroup no state names: as nook stats always read them.  */
      char *dir = nook_cgroup_find_sandbox (*c, NULL);
      if (dir == NULL)
        {
          *err = find_err;
          return -1;
        }
      nook_error_release (&find_err);
      target_add (t, n, *c, dir, NULL);
    }
  return 0;
}

static int
read_target (const struct target *t, struct nook_cgroup_stats *s)
{
  if (t->dir)
    {
      if (nook_cgroup_stats_read (t->dir, s, NULL) < 0)
        return -1;
      /* An unnamed sandbox's cgroup has a name of its own: show its id.  */
      free (s->name);
      s->name = xstrdup (t->name);
      return 0;
    }
  return nook_proc_stats_read (&t->sb, t->name, s, NULL);
}

/* Reads every sandbox twice, INTERVAL_US apart, for the CPU share.  */
static int
sample (const struct target *t, size_t count, double interval_us, struct reading **out, size_t *n)
{
  struct reading *first = xcalloc (count + 1, sizeof *first), *second = xcalloc (count + 1, sizeof *second);
  bool *ok = xcalloc (count + 1, sizeof *ok);
  double t0 = now_us (), t1;
  size_t k = 0;

  for (size_t i = 0; i < count; i++)
    ok[i] = read_target (&t[i], &first[i].s) == 0;
  usleep (interval_us);
  t1 = now_us ();
  for (size_t i = 0; i < count; i++)
    {
      /* A sandbox that exited meanwhile is left out.  */
      if (!ok[i] || read_target (&t[i], &second[k].s) < 0)
        continue;
      second[k].cpu_percent = -1;
      /* Processes that ended between the readings take their CPU time
         with them: never below 0.  */
      if (first[i].s.cpu_usage_us != NOOK_CG_UNSET && second[k].s.cpu_usage_us != NOOK_CG_UNSET)
        second[k].cpu_percent = second[k].s.cpu_usage_us > first[i].s.cpu_usage_us
                                    ? (second[k].s.cpu_usage_us - first[i].s.cpu_usage_us) * 100.0 / (t1 - t0)
                                    : 0;
      k++;
    }
  for (size_t i = 0; i < count; i++)
    nook_cgroup_stats_free (&first[i].s);
  free (first);
  free (ok);
  *out = second;
  *n = k;
  return 0;
}

/* Why the columns of S that show `-` are empty: one text per column, in
   table order; the JSON member it stands for in JSON[].  */
static size_t
why_empty (const struct nook_cgroup_stats *s, const char **column, const char **json, const char **why)
{
  size_t n = 0;
#define WHY(col, member, text)                                                                               \
  do                                                                                                         \
    {                                                                                                        \
      column[n] = col;                                                                                       \
      json[n] = member;                                                                                      \
      why[n++] = text;                                                                                       \
    }                                                                                                        \
  while (0)

  if (s->source == NOOK_STATS_PROC)
    {
      WHY ("MEM LIMIT", "memory.max", "no cgroup (started without limits): no limit");
      WHY ("MEM PEAK", "memory.peak", "no cgroup (started without limits): only a cgroup keeps the peak");
      WHY ("PIDS MAX", "pids.max", "no cgroup (started without limits): no limit");
      WHY ("IO", "io", "no cgroup (started without limits): only a cgroup counts block I/O");
      return n;
    }
  if (s->cpu_usage_us == NOOK_CG_UNSET)
    WHY ("CPU %", "cpu_percent", "the cpu controller is not enabled for its cgroup");
  if (s->memory_current == NOOK_CG_UNSET)
    WHY ("MEM", "memory.current", "the memory controller is not enabled for its cgroup");
  else
    {
      if (s->memory_max == NOOK_CG_UNSET)
        WHY ("MEM LIMIT", "memory.max", "no limit (--memory)");
      if (s->memory_peak == NOOK_CG_UNSET)
        WHY ("MEM PEAK", "memory.peak", "memory.peak needs Linux 5.19");
    }
  if (s->pids_current == NOOK_CG_UNSET)
    WHY ("PIDS", "pids.current", "the pids controller is not enabled for its cgroup");
  else if (s->pids_max == NOOK_CG_UNSET)
    WHY ("PIDS MAX", "pids.max", "no limit (--pids-limit)");
  if (s->io_read_bytes == NOOK_CG_UNSET)
    WHY ("IO", "io", "the io controller is not enabled for its cgroup");
#undef WHY
  return n;
}

#define MAX_WHY 8

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
  /* A `-` is explained below the table, once per sandbox.  */
  for (size_t i = 0; i < n; i++)
    {
      const char *column[MAX_WHY], *member[MAX_WHY], *why[MAX_WHY];
      size_t k = why_empty (&r[i].s, column, member, why);
      if (k > 0 && r[i].s.source == NOOK_STATS_PROC)
        printf ("%s: no cgroup (started without limits): CPU, MEM and PIDS summed over its processes from "
                "/proc; no limit, peak or I/O\n",
                r[i].s.name);
      else
        for (size_t j = 0; j < k; j++)
          printf ("%s: %s: %s\n", r[i].s.name, column[j], why[j]);
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

      const char *column[MAX_WHY], *member[MAX_WHY], *why[MAX_WHY];
      size_t k = why_empty (s, column, member, why);
      json_object *reasons = json_object_new_object ();

      for (size_t j = 0; j < k; j++)
        json_object_object_add (reasons, member[j], json_object_new_string (why[j]));
      json_object_object_add (o, "name", json_object_new_string (s->name));
      json_object_object_add (o, "source",
                              json_object_new_string (s->source == NOOK_STATS_CGROUP ? "cgroup" : "proc"));
      json_object_object_add (o, "cgroup", s->dir ? json_object_new_string (s->dir) : NULL);
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
      json_object_object_add (o, "why_empty", reasons);
      json_object_array_add (all, o);
    }
  printf ("%s\n",
          json_object_to_json_string_ext (all, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
  json_object_put (all);
}

static int
stats_round (const struct stats_opts *o, bool clear, struct nook_error *err)
{
  struct target *t = NULL;
  struct reading *r = NULL;
  size_t n_t = 0, n = 0;

  if ((o->names ? named_targets (o->names, &t, &n_t, err) : all_targets (&t, &n_t, err)) < 0)
    {
      targets_free (t, n_t);
      return -1;
    }
  sample (t, n_t, o->no_stream ? 500000 : 1000000, &r, &n);
  targets_free (t, n_t);
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
  .opts_size = sizeof (struct stats_opts),
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
