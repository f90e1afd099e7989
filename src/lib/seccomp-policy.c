/* nook: the seccomp policy format, read into a libseccomp filter.
 *
 * The format is the OCI / containers JSON that podman and docker read:
 * defaultAction, defaultErrnoRet, architectures or archMap, and syscalls
 * entries with names, action, errnoRet, args, includes and excludes (by
 * caps, arches, minKernel).  nook adds one condition, "nested", true with
 * --allow-nested.  Unknown fields are errors rather than silently ignored:
 * a misspelt "excludes" would otherwise widen the filter.  seccomp-json.c
 * turns policy text into JSON (json-c), refusing a key given twice; this
 * file reads that JSON into the filter; seccomp.c turns the filter into
 * BPF; tests/fuzz feeds all of it hostile input.
 */
#include <config.h>

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "caps.h"
#include "escape.h"
#include "seccomp-json.h"
#include "seccomp-policy.h"
#include "utils.h"

/* The system calls without which no command starts under a policy: the
   filter is loaded before nook executes nook-init (execveat), which forks
   the command (clone), waits for signals and its child (rt_sigprocmask,
   signalfd4, wait4) and exits (exit_group); the child executes the
   command (execve).  A policy that refuses one of them kills or cripples
   nook-init before the command runs, and the user would see only a bare
   159 (SIGSYS) or 139: such a policy is refused when it is read.  */
static const char *const essential_calls[] = {
  "execveat", "execve", "clone", "wait4", "exit_group", "rt_sigprocmask", "signalfd4",
};
#define N_ESSENTIAL (sizeof essential_calls / sizeof essential_calls[0])

/* One policy being compiled.  */
struct compiler
{
  const char *file;
  const struct nook_seccomp_params *params;
  scmp_filter_ctx ctx;
  /* The 32-bit x86 ABI in a filter of its own, merged into CTX at the end:
     libseccomp ties a rule for a socket call there to socketcall, and two
     rules with conditions for the same call conflict on it (EEXIST); the
     failed rule is then undone for every architecture of its filter, the
     native one included.  Apart, only x86 loses it.  */
  scmp_filter_ctx ctx32;
  uint32_t default_action;
  unsigned flags;
  struct nook_error *err;
  /* Per essential call: the action of an unconditional rule for it on the
     native ABI (the default action when there is none), and whether a
     rule with argument conditions makes the outcome depend on them.  */
  uint32_t essential_action[N_ESSENTIAL];
  bool essential_conditional[N_ESSENTIAL];
};

/* "policy `FILE`: FIELD: MESSAGE", returns -1.  */
static int __attribute__ ((format (printf, 3, 4)))
policy_error (struct compiler *c, const char *field, const char *fmt, ...)
{
  char msg[512];
  va_list ap;

  va_start (ap, fmt);
  vsnprintf (msg, sizeof msg, fmt, ap);
  va_end (ap);
  return nook_error_set (c->err, 0, "seccomp policy `%s`: %s: %s", c->file, field, msg);
}

/* ---- JSON helpers ------------------------------------------------------------ */

static const char *
json_type_name (json_object *o)
{
  return o == NULL ? "null" : json_type_to_name (json_object_get_type (o));
}

/* Checks that every key of OBJ is one of KEYS.  */
static int
check_keys (struct compiler *c, json_object *obj, const char *field, const char *const *keys)
{
  json_object_object_foreach (obj, key, val)
  {
    bool known = false;
    (void)val;
    for (size_t i = 0; keys[i] && !known; i++)
      known = strcmp (key, keys[i]) == 0;
    if (!known)
      return policy_error (c, field, "unknown field `%s`", key);
  }
  return 0;
}

static int
get_typed (struct compiler *c, json_object *obj, const char *key, const char *field, json_type type,
           json_object **out)
{
  *out = NULL;
  if (!json_object_object_get_ex (obj, key, out) || *out == NULL)
    return 0;
  if (!json_object_is_type (*out, type))
    return policy_error (c, field, "`%s` must be %s %s, not %s", key, type == json_type_array ? "an" : "a",
                         json_type_to_name (type), json_type_name (*out));
  return 0;
}

/* An unsigned number up to MAX; JSON numbers above INT64_MAX arrive as
   uint64 from json-c.  */
static int
get_uint (struct compiler *c, json_object *o, const char *field, uint64_t max, uint64_t *out)
{
  if (!json_object_is_type (o, json_type_int))
    return policy_error (c, field, "must be a whole number, not %s", json_type_name (o));
  if (json_object_get_int64 (o) < 0)
    return policy_error (c, field, "must not be negative");
  *out = json_object_get_uint64 (o);
  if (*out > max)
    return policy_error (c, field, "%llu is too large (at most %llu)", (unsigned long long)*out,
                         (unsigned long long)max);
  return 0;
}

/* ---- actions, operators, architectures -------------------------------------- */

/* The action named NAME, with ERRNO_RET (or -1: none given) for ERRNO and
   TRACE.  */
static int
parse_action (struct compiler *c, const char *field, const char *name, int64_t errno_ret, uint32_t *action)
{
  uint32_t data = errno_ret >= 0 ? (uint32_t)errno_ret : EPERM;

  if (strcmp (name, "SCMP_ACT_ALLOW") == 0)
    *action = SCMP_ACT_ALLOW;
  else if (strcmp (name, "SCMP_ACT_ERRNO") == 0)
    *action = SCMP_ACT_ERRNO (data);
  else if (strcmp (name, "SCMP_ACT_KILL") == 0 || strcmp (name, "SCMP_ACT_KILL_THREAD") == 0)
    *action = SCMP_ACT_KILL_THREAD;
  else if (strcmp (name, "SCMP_ACT_KILL_PROCESS") == 0)
    *action = SCMP_ACT_KILL_PROCESS;
  else if (strcmp (name, "SCMP_ACT_TRAP") == 0)
    *action = SCMP_ACT_TRAP;
  else if (strcmp (name, "SCMP_ACT_TRACE") == 0)
    *action = SCMP_ACT_TRACE (data);
  else if (strcmp (name, "SCMP_ACT_LOG") == 0)
    *action = SCMP_ACT_LOG;
  else if (strcmp (name, "SCMP_ACT_NOTIFY") == 0)
    return policy_error (c, field, "SCMP_ACT_NOTIFY needs a listener, which nook does not provide");
  else
    return policy_error (c, field,
                         "unknown action `%s` (use SCMP_ACT_ALLOW, SCMP_ACT_ERRNO, SCMP_ACT_KILL_PROCESS, "
                         "SCMP_ACT_KILL_THREAD, SCMP_ACT_TRAP, SCMP_ACT_TRACE or SCMP_ACT_LOG)",
                         name);
  return 0;
}

static int
parse_op (const char *name, enum scmp_compare *op)
{
  static const struct
  {
    const char *name;
    enum scmp_compare op;
  } ops[] = { { "SCMP_CMP_NE", SCMP_CMP_NE },
              { "SCMP_CMP_LT", SCMP_CMP_LT },
              { "SCMP_CMP_LE", SCMP_CMP_LE },
              { "SCMP_CMP_EQ", SCMP_CMP_EQ },
              { "SCMP_CMP_GE", SCMP_CMP_GE },
              { "SCMP_CMP_GT", SCMP_CMP_GT },
              { "SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ } };
  for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
    if (strcmp (name, ops[i].name) == 0)
      {
        *op = ops[i].op;
        return 0;
      }
  return -1;
}

/* An architecture as the format names it ("SCMP_ARCH_X86_64"); 0 when
   libseccomp does not know it.  */
static uint32_t
arch_token (const char *name)
{
  char lower[32];
  size_t i;

  if (strncmp (name, "SCMP_ARCH_", 10) != 0 || strlen (name + 10) >= sizeof lower)
    return 0;
  for (i = 0; name[10 + i]; i++)
    lower[i] = name[10 + i] >= 'A' && name[10 + i] <= 'Z' ? name[10 + i] - 'A' + 'a' : name[10 + i];
  lower[i] = '\0';
  return seccomp_arch_resolve_name (lower);
}

/* Whether this kernel runs x32 system calls at all (CONFIG_X86_X32_ABI,
   not turned off by syscall.x32=n); most distribution kernels do not.
   Asked once per process, of a child: a filter above nook may kill a
   process for any x32 system call.  Only ENOSYS from x32's getpid counts
   as "no"; anything else keeps x32 in the filter.  */
static bool
kernel_runs_x32 (void)
{
#ifdef __x86_64__
  static int known = -1;
  int status;
  pid_t pid;

  if (known >= 0)
    return known;
  known = 1;
  pid = fork ();
  if (pid == 0)
    {
      long r = syscall (0x40000000L | SYS_getpid);
      _exit (r < 0 && errno == ENOSYS ? 3 : 0);
    }
  if (pid > 0 && waitpid (pid, &status, 0) == pid && WIFEXITED (status) && WEXITSTATUS (status) == 3)
    known = 0;
  return known;
#else
  return false;
#endif
}

/* The architectures a process of this machine can make system calls
   with: on x86_64 also the 32-bit x86 ABI (int $0x80) and x32.  Filtering
   them all is what keeps a 32-bit binary from going around the filter.
   x32 only where the kernel runs it: elsewhere its part of the program
   would never run, yet make it a third longer, and the kernel checks and
   compiles the whole program at every start.  An x32 system call still
   cannot pass: the x86_64 part sends the x32 bit to the bad-architecture
   action, which kills the process.  */
bool
nook_seccomp_arch_is_ours (uint32_t arch)
{
  uint32_t native = seccomp_arch_native ();
  if (arch == native)
    return true;
  if (native == SCMP_ARCH_X86_64)
    return arch == SCMP_ARCH_X86 || (arch == SCMP_ARCH_X32 && kernel_runs_x32 ());
  if (native == SCMP_ARCH_AARCH64)
    return arch == SCMP_ARCH_ARM;
  return false;
}

static int
add_arch (struct compiler *c, const char *field, json_object *name)
{
  uint32_t arch;
  int r;

  if (!json_object_is_type (name, json_type_string))
    return policy_error (c, field, "must be a string, not %s", json_type_name (name));
  arch = arch_token (json_object_get_string (name));
  if (arch == 0)
    return policy_error (c, field, "unknown architecture `%s`", json_object_get_string (name));
  if (!nook_seccomp_arch_is_ours (arch))
    return 0;
  if (arch == SCMP_ARCH_X86 && seccomp_arch_native () != SCMP_ARCH_X86)
    {
      if (c->ctx32)
        return 0;
      c->ctx32 = seccomp_init (c->default_action);
      if (c->ctx32 == NULL)
        return nook_error_set (c->err, ENOMEM, "seccomp_init");
      seccomp_attr_set (c->ctx32, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
      seccomp_attr_set (c->ctx32, SCMP_FLTATR_CTL_OPTIMIZE, 2);
      r = seccomp_arch_add (c->ctx32, arch);
      if (r == 0)
        r = seccomp_arch_remove (c->ctx32, SCMP_ARCH_NATIVE);
    }
  else
    r = seccomp_arch_add (c->ctx, arch);
  if (r < 0 && r != -EEXIST)
    return policy_error (c, field, "cannot add architecture `%s`: %s", json_object_get_string (name),
                         strerror (-r));
  return 0;
}

static int
parse_arches (struct compiler *c, json_object *root)
{
  json_object *list, *map;
  char field[96];

  if (get_typed (c, root, "architectures", "architectures", json_type_array, &list) < 0
      || get_typed (c, root, "archMap", "archMap", json_type_array, &map) < 0)
    return -1;
  for (size_t i = 0; list && i < json_object_array_length (list); i++)
    {
      snprintf (field, sizeof field, "architectures[%zu]", i);
      if (add_arch (c, field, json_object_array_get_idx (list, i)) < 0)
        return -1;
    }
  for (size_t i = 0; map && i < json_object_array_length (map); i++)
    {
      static const char *const keys[] = { "architecture", "subArchitectures", NULL };
      json_object *e = json_object_array_get_idx (map, i), *a, *subs;

      snprintf (field, sizeof field, "archMap[%zu]", i);
      if (!json_object_is_type (e, json_type_object))
        return policy_error (c, field, "must be an object, not %s", json_type_name (e));
      if (check_keys (c, e, field, keys) < 0
          || get_typed (c, e, "architecture", field, json_type_string, &a) < 0
          || get_typed (c, e, "subArchitectures", field, json_type_array, &subs) < 0)
        return -1;
      if (a == NULL)
        return policy_error (c, field, "`architecture` is missing");
      if (add_arch (c, field, a) < 0)
        return -1;
      if (arch_token (json_object_get_string (a)) != seccomp_arch_native ())
        continue;
      for (size_t k = 0; subs && k < json_object_array_length (subs); k++)
        {
          snprintf (field, sizeof field, "archMap[%zu].subArchitectures[%zu]", i, k);
          if (add_arch (c, field, json_object_array_get_idx (subs, k)) < 0)
            return -1;
        }
    }
  return 0;
}

/* ---- includes / excludes ---------------------------------------------------- */

static bool
arch_name_is_native (const char *name)
{
  static const struct
  {
    uint32_t arch;
    const char *names[4];
  } aliases[] = {
    { SCMP_ARCH_X86_64, { "amd64", "x86_64", "SCMP_ARCH_X86_64", NULL } },
    { SCMP_ARCH_AARCH64, { "arm64", "aarch64", "SCMP_ARCH_AARCH64", NULL } },
    { SCMP_ARCH_PPC64LE, { "ppc64le", "SCMP_ARCH_PPC64LE", NULL } },
    { SCMP_ARCH_S390X, { "s390x", "SCMP_ARCH_S390X", NULL } },
    { SCMP_ARCH_RISCV64, { "riscv64", "SCMP_ARCH_RISCV64", NULL } },
  };
  uint32_t native = seccomp_arch_native ();

  for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
    if (aliases[i].arch == native)
      for (size_t k = 0; aliases[i].names[k]; k++)
        if (strcmp (name, aliases[i].names[k]) == 0)
          return true;
  return false;
}

/* Compares "MAJOR.MINOR" with the running kernel.  */
static int
kernel_at_least (struct compiler *c, const char *field, const char *version, bool *yes)
{
  unsigned want_major, want_minor, major = 0, minor = 0;
  struct utsname u;
  char extra;

  if (sscanf (version, "%u.%u%c", &want_major, &want_minor, &extra) != 2)
    return policy_error (c, field, "`minKernel` must look like 5.10, not `%s`", version);
  if (uname (&u) == 0)
    sscanf (u.release, "%u.%u", &major, &minor);
  *yes = major > want_major || (major == want_major && minor >= want_minor);
  return 0;
}

/* Evaluates an includes (INCLUDES true: every condition must hold) or
   excludes (false: any condition that holds excludes) object.  */
static int
eval_filter (struct compiler *c, json_object *f, const char *field, bool includes, bool *applies)
{
  static const char *const keys[] = { "caps", "arches", "minKernel", "nested", NULL };
  json_object *caps, *arches, *minkernel, *nested;
  bool all = true, any = false;

  if (!json_object_is_type (f, json_type_object))
    return policy_error (c, field, "must be an object, not %s", json_type_name (f));
  if (check_keys (c, f, field, keys) < 0 || get_typed (c, f, "caps", field, json_type_array, &caps) < 0
      || get_typed (c, f, "arches", field, json_type_array, &arches) < 0
      || get_typed (c, f, "minKernel", field, json_type_string, &minkernel) < 0
      || get_typed (c, f, "nested", field, json_type_boolean, &nested) < 0)
    return -1;
  for (size_t i = 0; caps && i < json_object_array_length (caps); i++)
    {
      json_object *n = json_object_array_get_idx (caps, i);
      int cap;
      if (!json_object_is_type (n, json_type_string) || nook_cap_parse (json_object_get_string (n), &cap) < 0)
        return policy_error (c, field, "caps[%zu]: unknown capability `%s`", i,
                             json_object_is_type (n, json_type_string) ? json_object_get_string (n)
                                                                       : json_type_name (n));
      bool has = (c->params->caps >> cap) & 1;
      all &= has;
      any |= has;
    }
  if (arches && json_object_array_length (arches) > 0)
    {
      bool native = false;
      for (size_t i = 0; i < json_object_array_length (arches); i++)
        {
          json_object *n = json_object_array_get_idx (arches, i);
          native |= json_object_is_type (n, json_type_string)
                    && arch_name_is_native (json_object_get_string (n));
        }
      all &= native;
      any |= native;
    }
  if (minkernel)
    {
      bool yes;
      if (kernel_at_least (c, field, json_object_get_string (minkernel), &yes) < 0)
        return -1;
      all &= yes;
      any |= yes;
    }
  if (nested)
    {
      bool yes = json_object_get_boolean (nested) == c->params->allow_nested;
      all &= yes;
      any |= yes;
    }
  *applies = includes ? all : !any;
  return 0;
}

/* ---- syscalls entries ---------------------------------------------------------- */

/* "FIELD.KEY" in BUF.  */
static const char *
keyed (char *buf, size_t size, const char *field, const char *key)
{
  snprintf (buf, size, "%s.%s", field, key);
  return buf;
}

struct entry
{
  uint32_t action;
  struct scmp_arg_cmp args[6];
  unsigned n_args;
  bool or_args; /* several conditions on one argument: each its own rule */
};

static int
parse_args (struct compiler *c, json_object *args, const char *field, struct entry *e)
{
  static const char *const keys[] = { "index", "value", "valueTwo", "op", NULL };
  unsigned seen = 0;
  char f[96], kf[128];

  if (json_object_array_length (args) > 6)
    return policy_error (c, field, "`args` has more than 6 conditions");
  for (size_t i = 0; i < json_object_array_length (args); i++)
    {
      json_object *a = json_object_array_get_idx (args, i), *index, *value, *value2, *op;
      uint64_t idx, v = 0, v2 = 0;
      enum scmp_compare cmp;

      snprintf (f, sizeof f, "%s.args[%zu]", field, i);
      if (!json_object_is_type (a, json_type_object))
        return policy_error (c, f, "must be an object, not %s", json_type_name (a));
      if (check_keys (c, a, f, keys) < 0 || get_typed (c, a, "op", f, json_type_string, &op) < 0)
        return -1;
      if (!json_object_object_get_ex (a, "index", &index) || index == NULL || op == NULL)
        return policy_error (c, f, "`index` and `op` are required");
      if (get_uint (c, index, keyed (kf, sizeof kf, f, "index"), 5, &idx) < 0)
        return -1;
      if (json_object_object_get_ex (a, "value", &value) && value
          && get_uint (c, value, keyed (kf, sizeof kf, f, "value"), UINT64_MAX, &v) < 0)
        return -1;
      if (json_object_object_get_ex (a, "valueTwo", &value2) && value2
          && get_uint (c, value2, keyed (kf, sizeof kf, f, "valueTwo"), UINT64_MAX, &v2) < 0)
        return -1;
      if (parse_op (json_object_get_string (op), &cmp) < 0)
        return policy_error (c, f, "unknown operator `%s`", json_object_get_string (op));
      e->or_args |= (seen >> idx) & 1;
      seen |= 1u << idx;
      e->args[e->n_args++] = (struct scmp_arg_cmp){ idx, cmp, v, v2 };
    }
  return 0;
}

/* -EEXIST: the same rule twice, from two entries that both apply; on
   the 32-bit x86 ABI also a rule for a socket call that conflicts with
   another on socketcall (see struct compiler).  */
static int
add_to (scmp_filter_ctx ctx, int nr, const struct entry *e)
{
  int r = 0, r1;

  if (e->or_args)
    for (unsigned i = 0; i < e->n_args && (r == 0 || r == -EEXIST); i++)
      {
        r1 = seccomp_rule_add_array (ctx, e->action, nr, 1, &e->args[i]);
        r = r1 == 0 ? r : r1;
      }
  else
    r = seccomp_rule_add_array (ctx, e->action, nr, e->n_args, e->args);
  return r;
}

static int
add_rule (struct compiler *c, const char *field, const char *name, int nr, const struct entry *e)
{
  int r = 0;

  if (e->action == c->default_action)
    return 0;
  r = add_to (c->ctx, nr, e);
  if (r < 0 && r != -EEXIST)
    return policy_error (c, field, "cannot add a rule for `%s`: %s", name, strerror (-r));
  if (c->ctx32)
    {
      r = add_to (c->ctx32, nr, e);
      if (r < 0 && r != -EEXIST && r != -EDOM)
        return policy_error (c, field, "cannot add a rule for `%s` on x86: %s", name, strerror (-r));
      /* Undone on x86: what the policy says of socket there is not what
         the filter would do; the terminal filter refuses it instead.  */
      if (r == -EEXIST && e->n_args > 0 && strcmp (name, "socket") == 0)
        c->flags |= NOOK_SECCOMP_X86_SOCKET_LOST;
    }
  if (e->n_args > 0 && strcmp (name, "socket") == 0)
    c->flags |= NOOK_SECCOMP_SOCKET_BY_ARGS;
  for (size_t i = 0; i < N_ESSENTIAL; i++)
    if (strcmp (name, essential_calls[i]) == 0)
      {
        if (e->n_args > 0)
          c->essential_conditional[i] = true;
        else
          c->essential_action[i] = e->action;
      }
  return 0;
}

static bool
action_lets_through (uint32_t action)
{
  return action == SCMP_ACT_ALLOW || action == SCMP_ACT_LOG;
}

/* Refuses a policy under which nook-init cannot start the command (see
   essential_calls).  Calls only some of whose arguments are allowed are
   given the benefit of the doubt.  */
static int
check_essentials (struct compiler *c)
{
  for (size_t i = 0; i < N_ESSENTIAL; i++)
    if (!c->essential_conditional[i] && !action_lets_through (c->essential_action[i])
        && seccomp_syscall_resolve_name (essential_calls[i]) != __NR_SCMP_ERROR)
      {
        nook_error_set (c->err, 0,
                        "seccomp policy `%s`: it refuses `%s`, which every sandbox needs before its command "
                        "runs: no command could start",
                        c->file, essential_calls[i]);
        return nook_error_hint (c->err,
                                "allow execve, execveat, clone, wait4, exit_group, rt_sigprocmask and "
                                "signalfd4, or start from nook's default.json");
      }
  return 0;
}

static int
add_names (struct compiler *c, json_object *names, const char *field, const struct entry *e)
{
  char f[96];

  for (size_t i = 0; i < json_object_array_length (names); i++)
    {
      json_object *n = json_object_array_get_idx (names, i);
      const char *name;
      int nr;

      snprintf (f, sizeof f, "%s.names[%zu]", field, i);
      if (!json_object_is_type (n, json_type_string))
        return policy_error (c, f, "must be a string, not %s", json_type_name (n));
      name = json_object_get_string (n);
      nr = seccomp_syscall_resolve_name (name);
      if (nr == __NR_SCMP_ERROR)
        {
          const struct scmp_version *v = seccomp_version ();
          return policy_error (c, f, "unknown system call `%s` (libseccomp %u.%u.%u knows no such name)",
                               name, v->major, v->minor, v->micro);
        }
      if (add_rule (c, f, name, nr, e) < 0)
        return -1;
    }
  return 0;
}

static int
parse_entry (struct compiler *c, json_object *s, const char *field)
{
  static const char *const keys[]
      = { "names", "name", "action", "errnoRet", "args", "includes", "excludes", "comment", NULL };
  json_object *names, *name, *action, *errno_ret, *args, *inc, *exc;
  struct entry e = { 0 };
  char kf[128];
  uint64_t eret = 0;
  bool applies = true;

  if (!json_object_is_type (s, json_type_object))
    return policy_error (c, field, "must be an object, not %s", json_type_name (s));
  if (check_keys (c, s, field, keys) < 0 || get_typed (c, s, "names", field, json_type_array, &names) < 0
      || get_typed (c, s, "name", field, json_type_string, &name) < 0
      || get_typed (c, s, "action", field, json_type_string, &action) < 0
      || get_typed (c, s, "args", field, json_type_array, &args) < 0)
    return -1;
  if (action == NULL)
    return policy_error (c, field, "`action` is missing");
  if (names == NULL && name == NULL)
    return policy_error (c, field, "`names` is missing");
  if (json_object_object_get_ex (s, "errnoRet", &errno_ret) && errno_ret
      && get_uint (c, errno_ret, keyed (kf, sizeof kf, field, "errnoRet"), 4095, &eret) < 0)
    return -1;
  if (parse_action (c, field, json_object_get_string (action), errno_ret ? (int64_t)eret : -1, &e.action) < 0)
    return -1;
  if (args && parse_args (c, args, field, &e) < 0)
    return -1;
  if (json_object_object_get_ex (s, "includes", &inc) && inc)
    {
      char f[96];
      snprintf (f, sizeof f, "%s.includes", field);
      if (eval_filter (c, inc, f, true, &applies) < 0)
        return -1;
    }
  if (json_object_object_get_ex (s, "excludes", &exc) && exc)
    {
      char f[96];
      bool keep;
      snprintf (f, sizeof f, "%s.excludes", field);
      if (eval_filter (c, exc, f, false, &keep) < 0)
        return -1;
      applies &= keep;
    }
  /* A rule that does not apply is still checked above: a mistake in it
     must not wait for the day its condition holds.  */
  if (!applies)
    return 0;
  if (name)
    {
      json_object *one = json_object_new_array ();
      json_object_array_add (one, json_object_get (name));
      int r = add_names (c, one, field, &e);
      json_object_put (one);
      return r;
    }
  return add_names (c, names, field, &e);
}

/* ---- the whole policy ----------------------------------------------------------- */

static int
parse_flags (struct compiler *c, json_object *flags)
{
  static const struct
  {
    const char *name;
    unsigned flag;
  } known[] = {
    { "SECCOMP_FILTER_FLAG_TSYNC", 0 }, /* one thread: nothing to synchronise */
    { "SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG },
    { "SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW },
  };
  char field[32];

  for (size_t i = 0; i < json_object_array_length (flags); i++)
    {
      json_object *n = json_object_array_get_idx (flags, i);
      size_t k;

      snprintf (field, sizeof field, "flags[%zu]", i);
      if (!json_object_is_type (n, json_type_string))
        return policy_error (c, field, "must be a string, not %s", json_type_name (n));
      for (k = 0; k < sizeof known / sizeof known[0]; k++)
        if (strcmp (json_object_get_string (n), known[k].name) == 0)
          break;
      if (k == sizeof known / sizeof known[0])
        return policy_error (c, field, "unknown flag `%s`", json_object_get_string (n));
      c->flags |= known[k].flag;
    }
  return 0;
}

static int
parse_top (struct compiler *c, json_object *root)
{
  static const char *const keys[]
      = { "defaultAction", "defaultErrnoRet", "architectures",    "archMap", "syscalls",
          "flags",         "listenerPath",    "listenerMetadata", NULL };
  json_object *action, *errno_ret, *syscalls, *flags, *listener;
  uint64_t eret = 0;

  if (!json_object_is_type (root, json_type_object))
    return policy_error (c, "top level", "must be an object, not %s", json_type_name (root));
  if (check_keys (c, root, "top level", keys) < 0
      || get_typed (c, root, "defaultAction", "top level", json_type_string, &action) < 0
      || get_typed (c, root, "syscalls", "top level", json_type_array, &syscalls) < 0
      || get_typed (c, root, "flags", "top level", json_type_array, &flags) < 0
      || get_typed (c, root, "listenerPath", "top level", json_type_string, &listener) < 0)
    return -1;
  if (action == NULL)
    return policy_error (c, "top level", "`defaultAction` is missing");
  if (listener && json_object_get_string_len (listener) > 0)
    return policy_error (c, "listenerPath", "seccomp listeners are not supported");
  if (json_object_object_get_ex (root, "defaultErrnoRet", &errno_ret) && errno_ret
      && get_uint (c, errno_ret, "defaultErrnoRet", 4095, &eret) < 0)
    return -1;
  if (parse_action (c, "defaultAction", json_object_get_string (action), errno_ret ? (int64_t)eret : -1,
                    &c->default_action)
      < 0)
    return -1;
  if (flags && parse_flags (c, flags) < 0)
    return -1;

  for (size_t i = 0; i < N_ESSENTIAL; i++)
    c->essential_action[i] = c->default_action;
  c->ctx = seccomp_init (c->default_action);
  if (c->ctx == NULL)
    return nook_error_set (c->err, ENOMEM, "seccomp_init");
  /* A system call of an architecture the filter does not cover kills the
     whole process, not just the thread.  */
  seccomp_attr_set (c->ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  /* A binary tree of system call numbers instead of a linear list: every
     system call the command makes runs this filter, while compiling happens
     once per policy thanks to the cache.  seccomp-shorten.c then replaces
     the tree by a shorter search over ranges of numbers; the tree is what
     is loaded when it cannot.  */
  seccomp_attr_set (c->ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (parse_arches (c, root) < 0)
    return -1;
  for (size_t i = 0; syscalls && i < json_object_array_length (syscalls); i++)
    {
      char field[32];
      snprintf (field, sizeof field, "syscalls[%zu]", i);
      if (parse_entry (c, json_object_array_get_idx (syscalls, i), field) < 0)
        return -1;
    }
  return check_essentials (c);
}

/* The x86 filter into the main one (seccomp_merge takes it).  */
static int
merge_x86 (struct compiler *c)
{
  int r = seccomp_merge (c->ctx, c->ctx32);

  if (r < 0)
    return nook_error_set (c->err, -r, "seccomp policy `%s`: merge the x86 filter", c->file);
  c->ctx32 = NULL;
  return 0;
}

int
nook_seccomp_policy_read (const char *text, size_t len, const char *file,
                          const struct nook_seccomp_params *params, scmp_filter_ctx *ctx, unsigned *flags,
                          struct nook_error *err)
{
  struct compiler c = { .file = file, .params = params, .err = err };
  json_object *root;

  *ctx = NULL;
  *flags = 0;
  root = nook_policy_json_parse (text, len, file, err);
  if (root == NULL)
    return -1;
  if (parse_top (&c, root) < 0 || (c.ctx32 && merge_x86 (&c) < 0))
    {
      if (c.ctx)
        seccomp_release (c.ctx);
      if (c.ctx32)
        seccomp_release (c.ctx32);
      json_object_put (root);
      return -1;
    }
  json_object_put (root);
  *ctx = c.ctx;
  *flags = c.flags;
  return 0;
}
