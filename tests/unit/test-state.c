/* Unit tests: the state store (ids, names, lookup, sweep) on a real
   directory, times, and process identity by start time.  */
#include <config.h>

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "lib/proc.h"
#include "lib/security.h"
#include "lib/spec.h"
#include "lib/state.h"
#include "lib/utils.h"

static char tmpdir[] = "/tmp/nook-test-state.XXXXXX";

static int
make_runtime_dir (void **state)
{
  char cmd[128];
  snprintf (cmd, sizeof cmd, "rm -rf %s/nook", tmpdir);
  assert_int_equal (system (cmd), 0);
  setenv ("XDG_RUNTIME_DIR", tmpdir, 1);
  return 0;
}

static void
reserve (struct nook_state *st, const char *name, int expect)
{
  struct nook_error err = { 0 };
  struct nook_spec spec;

  nook_spec_init (&spec);
  spec.name = name ? xstrdup (name) : NULL;
  spec.life.detach = true;
  assert_int_equal (nook_state_reserve (st, &spec, &err), expect);
  if (expect < 0)
    {
      assert_non_null (strstr (err.msg, "is already used"));
      nook_state_finish (st, -1);
    }
  nook_error_release (&err);
  nook_spec_free (&spec);
}

static void
names_are_unique_and_found (void **state)
{
  struct nook_state a = { 0 }, b = { 0 };
  struct nook_error err = { 0 };
  struct nook_store store;
  struct nook_sandbox sb;
  char prefix[5];

  reserve (&a, "web", 0);
  assert_int_equal (strlen (a.id), NOOK_ID_LEN);
  reserve (&b, "web", -1);
  assert_int_equal (nook_store_open (&store, &err), 0);
  assert_int_equal (nook_sandbox_find (&store, "web", &sb, &err), 0);
  assert_string_equal (sb.id, a.id);
  /* Its own supervisor (this process) holds the lock.  */
  assert_true (sb.supervised);
  nook_sandbox_release (&sb);
  memcpy (prefix, a.id, 4);
  prefix[4] = '\0';
  assert_int_equal (nook_sandbox_find (&store, prefix, &sb, &err), 0);
  nook_sandbox_release (&sb);
  assert_int_equal (nook_sandbox_find (&store, "nosuch", &sb, &err), -1);
  assert_non_null (strstr (err.msg, "no sandbox `nosuch`"));
  nook_error_release (&err);
  nook_store_close (&store);
  nook_state_finish (&a, -1);
}

static void
an_exit_is_kept_and_a_dead_supervisor_is_swept (void **state)
{
  struct nook_state kept = { 0 }, dead = { 0 };
  struct nook_error err = { 0 };
  const char *none[NOOK_JOIN_N] = { 0 };
  struct nook_store store;
  struct nook_sandbox sb;
  struct nook_spec spec;
  struct nook_filters unconfined = { .ready = true };
  char dead_id[NOOK_ID_LEN + 1];

  nook_spec_init (&spec);
  strv_append (&spec.argv, "true");
  spec.security.seccomp = xstrdup ("unconfined");
  reserve (&kept, "kept", 0);
  assert_int_equal (nook_state_running (&kept, &spec, &unconfined, getpid (), none, &err), 0);
  nook_state_finish (&kept, 3);
  reserve (&dead, "dead", 0);
  assert_int_equal (nook_state_running (&dead, &spec, &unconfined, getpid (), none, &err), 0);
  memcpy (dead_id, dead.id, sizeof dead_id);
  /* A supervisor killed: its lock goes with its descriptor, nothing more.  */
  close (dead.dirfd);
  nook_store_close (&dead.store);
  json_object_put (dead.doc);

  assert_int_equal (nook_store_open (&store, &err), 0);
  nook_store_sweep (&store);
  assert_int_equal (nook_sandbox_find (&store, "dead", &sb, &err), -1);
  nook_error_release (&err);
  assert_int_equal (nook_sandbox_load (&store, dead_id, &sb), -1);
  assert_int_equal (nook_sandbox_find (&store, "kept", &sb, &err), 0);
  assert_string_equal (nook_sandbox_status (&sb), "exited");
  assert_int_equal (nook_sandbox_int (&sb, "exit_code", -1), 3);
  assert_false (sb.supervised);
  assert_int_equal (nook_sandbox_remove (&store, &sb, &err), 0);
  nook_sandbox_release (&sb);
  assert_int_equal (nook_sandbox_find (&store, "kept", &sb, &err), -1);
  nook_error_release (&err);
  nook_store_close (&store);
  nook_spec_free (&spec);
}

/* Overwrites byte OFF of FILE in sandbox ID's directory.  */
static void
flip_byte (const char *id, const char *file, off_t off)
{
  char path[256];
  int fd;
  char c;

  snprintf (path, sizeof path, "%s/nook/sandboxes/%s/%s", tmpdir, id, file);
  fd = open (path, O_RDWR);
  assert_true (fd >= 0);
  assert_int_equal (pread (fd, &c, 1, off), 1);
  c ^= 1;
  assert_int_equal (pwrite (fd, &c, 1, off), 1);
  close (fd);
}

static void
the_resolved_spec_round_trips_and_a_change_is_refused (void **state)
{
  struct sock_filter allow[] = { BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_ALLOW) };
  struct sock_filter deny[]
      = { BPF_STMT (BPF_LD | BPF_W | BPF_ABS, 0), BPF_STMT (BPF_RET | BPF_K, SECCOMP_RET_KILL) };
  const char *none[NOOK_JOIN_N] = { 0 };
  struct nook_state st = { 0 };
  struct nook_error err = { 0 };
  struct nook_store store;
  struct nook_sandbox sb;
  struct nook_spec spec, back;
  struct nook_filters filters = { 0 }, back_filters;
  struct nook_overlay *ov;

  nook_spec_init (&spec);
  strv_append (&spec.argv, "sleep");
  strv_append (&spec.argv, "1000");
  spec.uid = 1000;
  spec.gid = 1001;
  spec.security.cap_drop_all = true;
  spec.security.cap_add = 1ULL << 13; /* CAP_NET_RAW */
  spec.security.seccomp = xstrdup ("default");
  filters.ready = true;
  filters.bpf[0] = (struct nook_bpf){ xmalloc (sizeof allow), 1, 0 };
  memcpy (filters.bpf[0].insns, allow, sizeof allow);
  filters.bpf[1] = (struct nook_bpf){ xmalloc (sizeof deny), 2, SECCOMP_FILTER_FLAG_SPEC_ALLOW };
  memcpy (filters.bpf[1].insns, deny, sizeof deny);
  spec.net.n_ports = 1;
  spec.net.ports = xcalloc (1, sizeof *spec.net.ports);
  spec.net.ports[0] = (struct nook_port_map){ "127.0.0.1", 8080, 80, false };
  spec.limits.set = NOOK_LIM_PIDS;
  spec.limits.pids_max = 64;
  ov = nook_spec_add_overlay (&spec, "/m");
  strv_append (&ov->lowers, "/usr");
  reserve (&st, "round", 0);
  assert_int_equal (nook_state_running (&st, &spec, &filters, getpid (), none, &err), 0);

  assert_int_equal (nook_store_open (&store, &err), 0);
  assert_int_equal (nook_sandbox_find (&store, "round", &sb, &err), 0);
  nook_spec_init (&back);
  assert_int_equal (nook_sandbox_spec (&sb, &back, &err), 0);
  assert_int_equal (nook_sandbox_filters (&sb, &back_filters, &err), 0);
  assert_true (back_filters.ready);
  assert_string_equal (back.argv[1], "1000");
  assert_int_equal (back.uid, 1000);
  assert_int_equal (back.gid, 1001);
  /* Exactly the capabilities, whatever the uid would add.  */
  assert_true (back.security.cap_drop_all);
  assert_int_equal (back.security.cap_add, 1ULL << 13);
  assert_string_equal (back.security.seccomp, "default");
  for (size_t i = 0; i < 2; i++)
    {
      assert_int_equal (back_filters.bpf[i].len, filters.bpf[i].len);
      assert_int_equal (back_filters.bpf[i].flags, filters.bpf[i].flags);
      assert_memory_equal (back_filters.bpf[i].insns, filters.bpf[i].insns,
                           filters.bpf[i].len * sizeof (struct sock_filter));
    }
  nook_filters_free (&back_filters);
  assert_int_equal (back.net.n_ports, 1);
  assert_int_equal (back.net.ports[0].host_port, 8080);
  assert_string_equal (back.net.ports[0].host_ip, "127.0.0.1");
  assert_int_equal (back.limits.pids_max, 64);
  assert_int_equal (back.n_mounts, 1);
  assert_string_equal (back.mounts[0].overlay->lowers[0], "/usr");
  nook_spec_free (&back);
  nook_sandbox_release (&sb);

  /* One bit of the programs: the spec is refused.  */
  flip_byte (st.id, "seccomp.bpf", 30);
  assert_int_equal (nook_sandbox_find (&store, "round", &sb, &err), 0);
  nook_spec_init (&back);
  assert_int_equal (nook_sandbox_spec (&sb, &back, &err), -1);
  assert_non_null (strstr (err.msg, "not as nook wrote it"));
  nook_error_release (&err);
  assert_int_equal (nook_sandbox_filters (&sb, &back_filters, &err), -1);
  assert_non_null (strstr (err.msg, "not as nook wrote it"));
  nook_error_release (&err);
  nook_spec_free (&back);
  nook_sandbox_release (&sb);
  flip_byte (st.id, "seccomp.bpf", 30);

  /* One bit of the state: the sandbox is not found, only refused.  */
  flip_byte (st.id, "state.json", 10);
  assert_int_equal (nook_sandbox_find (&store, "round", &sb, &err), -1);
  assert_non_null (strstr (err.msg, "not as nook wrote it"));
  nook_error_release (&err);
  assert_int_equal (nook_sandbox_find_any (&store, st.id, &sb, &err), 0);
  assert_true (sb.forged);
  assert_null (sb.doc);
  assert_int_equal (sb.pid, 0);
  nook_sandbox_release (&sb);
  nook_store_close (&store);
  nook_state_finish (&st, -1);
  nook_spec_free (&spec);
  nook_filters_free (&filters);
}

static void
times_round_trip (void **state)
{
  cleanup_free char *now = nook_time_now ();
  int64_t t = nook_time_parse (now);

  assert_true (t > 1600000000);
  assert_true (llabs (t - (int64_t)time (NULL)) <= 1);
  assert_int_equal (nook_time_parse ("2026-01-02T03:04:05.000000000Z"), 1767323045);
  assert_int_equal (nook_time_parse ("garbage"), 0);
}

static void
a_pidfd_is_refused_for_another_start_time (void **state)
{
  uint64_t start;
  int fd;

  assert_int_equal (nook_proc_start_time (getpid (), &start), 0);
  fd = nook_pidfd_open_checked (getpid (), start);
  assert_true (fd >= 0);
  close (fd);
  assert_int_equal (nook_pidfd_open_checked (getpid (), start + 1), -1);
  assert_int_equal (errno, ESRCH);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup (names_are_unique_and_found, make_runtime_dir),
    cmocka_unit_test_setup (an_exit_is_kept_and_a_dead_supervisor_is_swept, make_runtime_dir),
    cmocka_unit_test_setup (the_resolved_spec_round_trips_and_a_change_is_refused, make_runtime_dir),
    cmocka_unit_test (times_round_trip),
    cmocka_unit_test (a_pidfd_is_refused_for_another_start_time),
  };
  int r;

  if (mkdtemp (tmpdir) == NULL)
    return 1;
  r = cmocka_run_group_tests (tests, NULL, NULL);
  {
    char cmd[128];
    snprintf (cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system (cmd) != 0)
      r = 1;
  }
  return r;
}
