/* nook: user namespaces: computing and writing id maps, and running a
   function in a mapped namespace of its own.  */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pwd.h>
#include <shadow/subid.h>

#include "caller.h"
#include "userns.h"
#include "utils.h"

extern char **environ;

int
nook_subid_find (const char *content, const char *user, uint32_t id, uint32_t *start, uint32_t *count)
{
  char idstr[16];
  const char *line = content;

  snprintf (idstr, sizeof idstr, "%u", id);
  while (line && *line)
    {
      const char *end = strchrnul (line, '\n');
      const char *c1 = memchr (line, ':', end - line);
      const char *c2 = c1 ? memchr (c1 + 1, ':', end - c1 - 1) : NULL;
      size_t nlen = c1 ? (size_t)(c1 - line) : 0;

      if (c2 && line[0] != '#'
          && ((user && strlen (user) == nlen && strncmp (line, user, nlen) == 0)
              || (strlen (idstr) == nlen && strncmp (line, idstr, nlen) == 0)))
        {
          char a[16] = "", b[16] = "";
          uint64_t s, c;
          size_t alen = c2 - c1 - 1, blen = end - c2 - 1;
          if (alen < sizeof a && blen < sizeof b)
            {
              memcpy (a, c1 + 1, alen);
              memcpy (b, c2 + 1, blen);
              if (nook_parse_uint (a, UINT32_MAX, &s) == 0 && nook_parse_uint (b, UINT32_MAX, &c) == 0
                  && c > 0)
                {
                  *start = s;
                  *count = c;
                  return 0;
                }
            }
        }
      line = *end ? end + 1 : end;
    }
  return -1;
}

int
nook_idmap_build (enum nook_map_mode mode, const char *what, uint32_t inside, uint32_t host,
                  uint32_t sub_start, uint32_t sub_count, struct nook_idmap *out, size_t *n_out,
                  struct nook_error *err)
{
  size_t n = 0;
  uint32_t below, above;

  if (inside == UINT32_MAX)
    return nook_error_set (err, 0, "--%s %u is not a valid id", what, inside);
  out[n++] = (struct nook_idmap){ inside, host, 1 };
  if (mode == NOOK_MAP_SELF)
    {
      *n_out = n;
      return 0;
    }
  if (inside >= NOOK_AUTO_RANGE)
    return nook_error_set (err, 0, "--%s %u is outside the mapped range 0-%u of --map-users auto", what,
                           inside, NOOK_AUTO_RANGE - 1);
  /* The subordinate ids fill 0..65535 around INSIDE, in order.  */
  below = inside < sub_count ? inside : sub_count;
  if (below)
    out[n++] = (struct nook_idmap){ 0, sub_start, below };
  above = NOOK_AUTO_RANGE - 1 - inside;
  if (above > sub_count - below)
    above = sub_count - below;
  if (above)
    out[n++] = (struct nook_idmap){ inside + 1, sub_start + below, above };
  *n_out = n;
  return 0;
}

char *
nook_idmap_format (const struct nook_idmap *map, size_t n)
{
  char *buf = xmalloc (n * 36 + 1), *p = buf;
  for (size_t i = 0; i < n; i++)
    p += sprintf (p, "%u %u %u\n", map[i].inside, map[i].outside, map[i].count);
  *p = '\0';
  return buf;
}

/* The range of LINE ("owner:start:count"), or false when it is not one.  */
static bool
subid_line_range (const char *line, const char *end, uint64_t *start, uint64_t *count)
{
  const char *c1 = memchr (line, ':', end - line);
  const char *c2 = c1 ? memchr (c1 + 1, ':', end - c1 - 1) : NULL;
  char a[16] = "", b[16] = "";

  if (c2 == NULL || line[0] == '#' || (size_t)(c2 - c1 - 1) >= sizeof a || (size_t)(end - c2 - 1) >= sizeof b)
    return false;
  memcpy (a, c1 + 1, c2 - c1 - 1);
  memcpy (b, c2 + 1, end - c2 - 1);
  return nook_parse_uint (a, UINT32_MAX, start) == 0 && nook_parse_uint (b, UINT32_MAX, count) == 0;
}

int
nook_subid_free_range (const char *const *contents, size_t n, uint32_t min, uint32_t count, uint32_t *start)
{
  uint64_t cand = min;
  bool moved = true;

  /* As useradd allocates: the lowest start from MIN on whose COUNT ids
     overlap no range of any owner, in either file.  Each pass moves the
     candidate past a range it overlaps, until one finds none.  */
  while (moved && cand + count - 1 <= UINT32_MAX - 1)
    {
      moved = false;
      for (size_t f = 0; f < n; f++)
        for (const char *line = contents[f]; line && *line;)
          {
            const char *end = strchrnul (line, '\n');
            uint64_t s, c;
            if (subid_line_range (line, end, &s, &c) && c > 0 && s < cand + count && cand < s + c)
              {
                cand = s + c;
                moved = true;
              }
            line = *end ? end + 1 : end;
          }
    }
  if (moved || cand + count - 1 > UINT32_MAX - 1)
    return -1;
  *start = cand;
  return 0;
}

/* shadow's libsubid finds subordinate ids wherever the system keeps them
   (/etc/subuid, or an NSS module such as sssd), as newuidmap does.  It is
   opened only for --map-users auto: it pulls in PAM, SELinux and audit,
   which every other run would pay for.  */
struct subid_api
{
  void *handle;
  FILE *log; /* /dev/null, for its messages */
  bool (*init) (const char *progname, FILE *logfd);
  int (*get_ranges[2]) (const char *owner, struct subid_range **ranges);
};

static bool
subid_api_open (struct subid_api *api)
{
  memset (api, 0, sizeof *api);
  api->handle = dlopen ("libsubid.so.4", RTLD_NOW | RTLD_LOCAL);
  if (api->handle == NULL)
    return false;
  api->init = dlsym (api->handle, "subid_init");
  api->get_ranges[0] = dlsym (api->handle, "subid_get_uid_ranges");
  api->get_ranges[1] = dlsym (api->handle, "subid_get_gid_ranges");
  if (api->init == NULL || api->get_ranges[0] == NULL || api->get_ranges[1] == NULL)
    {
      dlclose (api->handle);
      api->handle = NULL;
      return false;
    }
  /* libsubid keeps what subid_init gives it until the process ends and
     has nothing to free it: a name of ours would be strdup'ed and lost at
     dlclose (no name: "(libsubid)"), a log it opened itself would stay
     open.  Its messages go to a /dev/null of ours, closed after it.  */
  api->log = fopen ("/dev/null", "we");
  api->init (NULL, api->log);
  return true;
}

static void
subid_api_close (struct subid_api *api)
{
  dlclose (api->handle);
  if (api->log)
    fclose (api->log);
}

/* The first range of USER from libsubid.  Returns 1 when found, 0 when it
   has none, -1 when libsubid could not answer.  */
static int
subid_from_library (struct subid_api *api, int kind, const char *user, uint32_t *start, uint32_t *count)
{
  struct subid_range *ranges = NULL;
  int n;

  if (api->handle == NULL || user == NULL)
    return -1;
  n = api->get_ranges[kind](user, &ranges);
  if (n < 0)
    return -1;
  for (int i = 0; i < n; i++)
    if (ranges[i].count > 0 && ranges[i].start <= UINT32_MAX && ranges[i].count <= UINT32_MAX)
      {
        *start = ranges[i].start;
        *count = ranges[i].count;
        free (ranges);
        return 1;
      }
  free (ranges);
  return 0;
}

/* useradd's SUB_UID_MIN and SUB_UID_COUNT from /etc/login.defs, or its
   defaults.  */
static void
subid_defaults (uint32_t *min, uint32_t *count)
{
  cleanup_free char *defs = NULL;
  struct nook_error ignored = { 0 };
  uint64_t v;

  *min = 100000;
  *count = 65536;
  if (nook_read_file_at (AT_FDCWD, "/etc/login.defs", &defs, NULL, &ignored) < 0)
    {
      nook_error_release (&ignored);
      return;
    }
  for (char *save = NULL, *line = strtok_r (defs, "\n", &save); line; line = strtok_r (NULL, "\n", &save))
    {
      char key[32], val[16];
      if (sscanf (line, " %31s %15s", key, val) == 2 && nook_parse_uint (val, UINT32_MAX, &v) == 0 && v > 0)
        {
          if (strcmp (key, "SUB_UID_MIN") == 0)
            *min = v;
          else if (strcmp (key, "SUB_UID_COUNT") == 0)
            *count = v;
        }
    }
}

/* A hint that gives the user a range nobody has in /etc/subuid or
   /etc/subgid (the same for both, as useradd gives on creation).  */
static int
subid_hint (const char *user, struct nook_error *err)
{
  static const char *const files[] = { "/etc/subuid", "/etc/subgid" };
  char *contents[2] = { NULL, NULL };
  uint32_t min, count, start;
  int r;

  for (size_t i = 0; i < 2; i++)
    {
      struct nook_error ignored = { 0 };
      if (nook_read_file_at (AT_FDCWD, files[i], &contents[i], NULL, &ignored) < 0)
        nook_error_release (&ignored);
    }
  subid_defaults (&min, &count);
  r = nook_subid_free_range ((const char *const *)contents, 2, min, count, &start);
  free (contents[0]);
  free (contents[1]);
  if (r < 0)
    return nook_error_hint (err,
                            "as root, give %s a range of subordinate ids that no one else has: usermod "
                            "--add-subuids FIRST-LAST --add-subgids FIRST-LAST %s",
                            user ? user : "the user", user ? user : "USER");
  return nook_error_hint (err,
                          "as root: usermod --add-subuids %u-%u --add-subgids %u-%u %s (free in /etc/subuid "
                          "and /etc/subgid)",
                          start, start + count - 1, start, start + count - 1, user ? user : "USER");
}

static int
subid_missing (const char *file, const char *user, uint32_t id, struct nook_error *err)
{
  nook_error_set (err, 0, "--map-users auto: no range for `%s` (uid %u) in %s", user ? user : "?", id, file);
  return subid_hint (user, err);
}

static int
subid_lookup (struct subid_api *api, int kind, const char *user, uint32_t id, uint32_t *start,
              uint32_t *count, struct nook_error *err)
{
  const char *file = kind == 0 ? "/etc/subuid" : "/etc/subgid";
  cleanup_free char *content = NULL;
  int r = subid_from_library (api, kind, user, start, count);

  if (r > 0)
    return 0;
  if (r == 0)
    return subid_missing (file, user, id, err);
  /* Without libsubid: the file itself.  */
  if (nook_read_file_at (AT_FDCWD, file, &content, NULL, err) < 0)
    {
      if (err->errnum == ENOENT)
        nook_error_set (err, 0, "--map-users auto: %s does not exist", file);
      return subid_hint (user, err);
    }
  if (nook_subid_find (content, user, id, start, count) < 0)
    return subid_missing (file, user, id, err);
  return 0;
}

bool
nook_userns_refused_by_filter (void)
{
  /* Both calls are invalid as made, so the kernel itself only ever says
     EINVAL and creates nothing: clone3 with a size below its first
     version, unshare with CLONE_PARENT, which it does not take.  Another
     answer comes from a seccomp filter, which looks at the call before the
     kernel does: nook's default policy refuses clone3 with ENOSYS (a
     filter cannot read its flags) and CLONE_NEWUSER with EPERM.  */
  errno = 0;
  if (syscall (SYS_clone3, NULL, 0) < 0 && errno != EINVAL)
    return true;
  errno = 0;
  return syscall (SYS_unshare, CLONE_NEWUSER | CLONE_PARENT) < 0 && errno != EINVAL;
}

int
nook_userns_refused (struct nook_error *err)
{
  nook_error_set (err, 0, "creating a user namespace is refused by the sandbox's seccomp policy");
  return nook_error_hint (err, "--allow-nested on the outer `nook run`, or the like for the container nook "
                               "runs in");
}

/* The maps as the spec gives them (an OCI config's uidMappings and
   gidMappings); the kernel checks them when they are written.  */
static int
explicit_maps (const struct nook_spec *spec, struct nook_idmaps *maps, struct nook_error *err)
{
  if (spec->n_uid_map == 0 || spec->n_gid_map == 0)
    return nook_error_set (err, 0, "an explicit id map needs both a uid and a gid map");
  for (size_t i = 0; i < spec->n_uid_map; i++)
    maps->uid[i]
        = (struct nook_idmap){ spec->uid_map[i].inside, spec->uid_map[i].outside, spec->uid_map[i].count };
  for (size_t i = 0; i < spec->n_gid_map; i++)
    maps->gid[i]
        = (struct nook_idmap){ spec->gid_map[i].inside, spec->gid_map[i].outside, spec->gid_map[i].count };
  maps->n_uid = spec->n_uid_map;
  maps->n_gid = spec->n_gid_map;
  return 0;
}

/* Whether MAP is one id mapped to ID: an unprivileged process may write
   that itself, without newuidmap.  */
static bool
is_self_map (const struct nook_idmap *map, size_t n, uint32_t id)
{
  return n == 1 && map[0].count == 1 && map[0].outside == id;
}

int
nook_idmaps_for_spec (const struct nook_spec *spec, const struct nook_caller *caller,
                      struct nook_idmaps *maps, struct nook_error *err)
{
  uint32_t us = 0, uc = 0, gs = 0, gc = 0;

  memset (maps, 0, sizeof *maps);
  /* Said before anything else is prepared (state, keyrings), whose own
     refusals inside such a sandbox would hide the reason.  */
  if (nook_userns_refused_by_filter ())
    return nook_userns_refused (err);
  if (spec->map_mode == NOOK_MAP_EXPLICIT)
    return explicit_maps (spec, maps, err);
  if (spec->map_mode == NOOK_MAP_AUTO)
    {
      struct subid_api api;
      bool loaded = subid_api_open (&api);
      int r = subid_lookup (&api, 0, caller->user, caller->uid, &us, &uc, err);

      if (r == 0)
        r = subid_lookup (&api, 1, caller->user, caller->uid, &gs, &gc, err);
      if (loaded)
        subid_api_close (&api);
      if (r < 0)
        return -1;
    }
  if (nook_idmap_build (spec->map_mode, "uid", spec->uid, caller->uid, us, uc, maps->uid, &maps->n_uid, err)
      < 0)
    return -1;
  return nook_idmap_build (spec->map_mode, "gid", spec->gid, caller->gid, gs, gc, maps->gid, &maps->n_gid,
                           err);
}

/* Runs newuidmap or newgidmap with the extents as arguments; its stderr is
   collected so a refusal reaches the user in nook's one error line.  */
static int
spawn_idmap_tool (const char *tool, pid_t pid, const struct nook_idmap *map, size_t n, pid_t *child,
                  int *errfd, struct nook_error *err)
{
  char *argv[2 + 3 * NOOK_MAX_EXTENTS + 1];
  char nums[1 + 3 * NOOK_MAX_EXTENTS][12];
  posix_spawn_file_actions_t fa;
  int pipefd[2], r;
  size_t a = 0;

  argv[a++] = (char *)tool;
  snprintf (nums[0], sizeof nums[0], "%d", pid);
  argv[a++] = nums[0];
  for (size_t i = 0; i < n; i++)
    {
      snprintf (nums[1 + 3 * i], 12, "%u", map[i].inside);
      snprintf (nums[2 + 3 * i], 12, "%u", map[i].outside);
      snprintf (nums[3 + 3 * i], 12, "%u", map[i].count);
      argv[a++] = nums[1 + 3 * i];
      argv[a++] = nums[2 + 3 * i];
      argv[a++] = nums[3 + 3 * i];
    }
  argv[a] = NULL;

  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return nook_error_errno (err, "pipe");
  posix_spawn_file_actions_init (&fa);
  posix_spawn_file_actions_adddup2 (&fa, pipefd[1], STDERR_FILENO);
  posix_spawn_file_actions_adddup2 (&fa, pipefd[1], STDOUT_FILENO);
  r = posix_spawnp (child, tool, &fa, NULL, argv, environ);
  posix_spawn_file_actions_destroy (&fa);
  close (pipefd[1]);
  if (r != 0)
    {
      close (pipefd[0]);
      nook_error_set (err, r, "--map-users auto: cannot run %s", tool);
      if (r == ENOENT)
        nook_error_hint (err, "install the uidmap package (apt-get install uidmap)");
      return -1;
    }
  *errfd = pipefd[0];
  return 0;
}

static int
finish_idmap_tool (const char *tool, pid_t child, int errfd, struct nook_error *err)
{
  char out[512];
  ssize_t len = nook_read_all (errfd, out, sizeof out - 1);
  int status;

  close (errfd);
  out[len > 0 ? len : 0] = '\0';
  while (waitpid (child, &status, 0) < 0)
    if (errno != EINTR)
      return nook_error_errno (err, "waitpid %s", tool);
  if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
    return 0;
  out[strcspn (out, "\n")] = '\0';
  nook_error_set (err, 0, "--map-users auto: %s failed: %s", tool, out[0] ? out : "no message");
  return nook_error_hint (err, "%s must be setuid root or have cap_setuid/cap_setgid; run `nook check`",
                          tool);
}

static int
write_maps_directly (pid_t pid, const struct nook_idmaps *maps, bool deny_setgroups, struct nook_error *err)
{
  char path[64];
  cleanup_close int dirfd = -1;
  cleanup_free char *uids = nook_idmap_format (maps->uid, maps->n_uid);
  cleanup_free char *gids = nook_idmap_format (maps->gid, maps->n_gid);

  snprintf (path, sizeof path, "/proc/%d", pid);
  dirfd = open (path, O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0)
    return nook_error_errno (err, "open `%s`", path);
  /* Without CAP_SETGID in the parent namespace, the kernel accepts a gid
     map only once setgroups is denied: otherwise the sandbox could drop a
     group that a file's permissions deny.  */
  if ((deny_setgroups && nook_write_file_at (dirfd, "setgroups", "deny", 4, err) < 0)
      || nook_write_file_at (dirfd, "uid_map", uids, strlen (uids), err) < 0
      || nook_write_file_at (dirfd, "gid_map", gids, strlen (gids), err) < 0)
    return nook_error_wrap (err, "write the user namespace id maps");
  return 0;
}

int
nook_idmaps_write (pid_t pid, const struct nook_spec *spec, const struct nook_idmaps *maps,
                   struct nook_error *err)
{
  pid_t uchild = -1, gchild = -1;
  int ufd = -1, gfd = -1, r;

  if (spec->map_mode == NOOK_MAP_SELF)
    return write_maps_directly (pid, maps, true, err);
  /* Explicit maps: root writes any map itself (and keeps setgroups, as
     runc does as root); a user writes its own one id, newuidmap the rest.  */
  if (spec->map_mode == NOOK_MAP_EXPLICIT
      && (geteuid () == 0
          || (is_self_map (maps->uid, maps->n_uid, geteuid ())
              && is_self_map (maps->gid, maps->n_gid, getegid ()))))
    return write_maps_directly (pid, maps, geteuid () != 0, err);

  /* Both tools run at once: each is a setuid exec, the slowest step here.  */
  if (spawn_idmap_tool ("newuidmap", pid, maps->uid, maps->n_uid, &uchild, &ufd, err) < 0)
    return -1;
  if (spawn_idmap_tool ("newgidmap", pid, maps->gid, maps->n_gid, &gchild, &gfd, err) < 0)
    {
      struct nook_error ignored = { 0 };
      finish_idmap_tool ("newuidmap", uchild, ufd, &ignored);
      nook_error_release (&ignored);
      return -1;
    }
  r = finish_idmap_tool ("newuidmap", uchild, ufd, err);
  if (r < 0)
    {
      struct nook_error ignored = { 0 };
      finish_idmap_tool ("newgidmap", gchild, gfd, &ignored);
      nook_error_release (&ignored);
      return -1;
    }
  return finish_idmap_tool ("newgidmap", gchild, gfd, err);
}

/* ---- a helper in a user namespace mapped as --map-users auto maps --------- */

/* What a mapped helper may send: more is an error, not memory to spend.  */
#define HELPER_MAX_OUTPUT (256u << 20)

static void __attribute__ ((noreturn))
helper_child (int ready, int go, int out, int (*fn) (int outfd, void *arg), void *arg)
{
  char c = 0;

  /* Dies with nook; never dumped or traced by what it reads.  */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  prctl (PR_SET_DUMPABLE, 0);
  if (unshare (CLONE_NEWUSER) < 0)
    _exit (2);
  if (write (ready, &c, 1) != 1 || read (go, &c, 1) != 1)
    _exit (2);
  close (ready);
  close (go);
  /* Now uid 0 of a user namespace that maps the caller and its
     subordinate ids, with every capability there: files owned by any of
     them are readable and writable.  */
  _exit (fn (out, arg) == 0 ? 0 : 1);
}

/* Reads FD to its end into *OUT.  */
static int
read_helper_output (int fd, char **out, size_t *len, struct nook_error *err)
{
  size_t size = 0, alloc = 0;
  char *buf = NULL;

  for (;;)
    {
      ssize_t n;
      if (alloc - size < 65536)
        {
          alloc = alloc ? alloc * 2 : 65536;
          if (alloc > HELPER_MAX_OUTPUT)
            {
              free (buf);
              return nook_error_set (err, EFBIG, "the helper in the user namespace sent too much");
            }
          buf = xrealloc (buf, alloc);
        }
      n = read (fd, buf + size, alloc - size);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          free (buf);
          return nook_error_errno (err, "read from the helper in the user namespace");
        }
      if (n == 0)
        break;
      size += n;
    }
  *out = buf;
  *len = size;
  return 0;
}

/* Forks the helper that runs FN in a user namespace of its own, maps it
   with MAPS, and reads what it writes into *OUT and *LEN.  The helper is
   gone when this returns: reaped, and killed first on failure.  */
static int
run_mapped_helper (int (*fn) (int outfd, void *arg), void *arg, struct nook_spec *spec,
                   struct nook_idmaps *maps, char **out, size_t *len, struct nook_error *err)
{
  int ready[2] = { -1, -1 }, go[2] = { -1, -1 }, data[2] = { -1, -1 }, status, r = -1;
  pid_t pid = -1;
  char c = 0;

  if (pipe2 (ready, O_CLOEXEC) < 0 || pipe2 (go, O_CLOEXEC) < 0 || pipe2 (data, O_CLOEXEC) < 0)
    {
      nook_error_errno (err, "pipe");
      goto out;
    }
  pid = fork ();
  if (pid < 0)
    {
      nook_error_errno (err, "fork");
      goto out;
    }
  if (pid == 0)
    {
      close (ready[0]);
      close (go[1]);
      close (data[0]);
      helper_child (ready[1], go[0], data[1], fn, arg);
    }
  nook_closep (&ready[1]);
  nook_closep (&go[0]);
  nook_closep (&data[1]);
  if (read (ready[0], &c, 1) != 1)
    {
      nook_error_set (err, 0, "the helper could not create a user namespace");
      goto out;
    }
  if (nook_idmaps_write (pid, spec, maps, err) < 0 || write (go[1], &c, 1) != 1)
    goto out;
  nook_closep (&go[1]);
  r = read_helper_output (data[0], out, len, err);
out:
  for (int *fd = &ready[0]; fd <= &ready[1]; fd++)
    nook_closep (fd);
  nook_closep (&go[0]);
  nook_closep (&go[1]);
  nook_closep (&data[0]);
  nook_closep (&data[1]);
  if (pid > 0)
    {
      if (r < 0)
        kill (pid, SIGKILL);
      while (waitpid (pid, &status, 0) < 0 && errno == EINTR)
        ;
    }
  return r;
}

int
nook_userns_run_mapped (int (*fn) (int outfd, void *arg), void *arg, char **out, size_t *len,
                        struct nook_error *err)
{
  struct nook_spec spec;
  struct nook_caller caller = { 0 };
  struct nook_idmaps maps;
  struct passwd *pw;
  int r = -1;

  *out = NULL;
  *len = 0;
  nook_spec_init (&spec);
  spec.map_mode = NOOK_MAP_AUTO;
  caller.uid = getuid ();
  caller.gid = getgid ();
  pw = getpwuid (caller.uid);
  caller.user = pw ? xstrdup (pw->pw_name) : NULL;
  if (nook_idmaps_for_spec (&spec, &caller, &maps, err) == 0)
    r = run_mapped_helper (fn, arg, &spec, &maps, out, len, err);
  nook_spec_free (&spec);
  nook_caller_free (&caller);
  if (r < 0)
    {
      free (*out);
      *out = NULL;
      *len = 0;
    }
  return r;
}

/* Writes TEXT to FILE under /proc/self, through SELF_FD.  */
static int
write_self (int self_fd, const char *file, const char *text, struct nook_error *err)
{
  cleanup_close int fd = openat (self_fd, file, O_WRONLY | O_CLOEXEC);

  if (fd < 0 || nook_write_all (fd, text, strlen (text)) < 0)
    return nook_error_errno (err, "write /proc/self/%s", file);
  return 0;
}

int
nook_userns_disable_nested (int sysctl_fd, int self_fd, uid_t uid, gid_t gid, struct nook_error *err)
{
  char map[64];

  if (nook_write_all (sysctl_fd, "1", 1) < 0)
    return nook_error_errno (err, "sysctl user.max_user_namespaces = 1");
  /* In the one namespace still allowed, the limit above is out of reach:
     it belongs to the parent namespace.  */
  if (unshare (CLONE_NEWUSER) < 0)
    return nook_error_errno (err, "unshare user ns");
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned)uid, (unsigned)uid);
  if (write_self (self_fd, "uid_map", map, err) < 0 || write_self (self_fd, "setgroups", "deny", err) < 0)
    return -1;
  snprintf (map, sizeof map, "%u %u 1\n", (unsigned)gid, (unsigned)gid);
  return write_self (self_fd, "gid_map", map, err);
}

int
nook_userns_assert_disabled (struct nook_error *err)
{
  if (unshare (CLONE_NEWUSER) == 0)
    return nook_error_set (err, 0, "creation of new user namespaces was not disabled as requested");
  return 0;
}
