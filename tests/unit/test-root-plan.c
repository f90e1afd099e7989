/* Unit tests: the root plan, composed from a spec and the host's facts
   without a system call (root-plan.c).  */
#include <config.h>

#include <linux/capability.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "lib/landlock.h"
#include "lib/mount.h"
#include "lib/caller.h"
#include "lib/root-plan.h"
#include "lib/utils.h"

/* The caller of the test being run: its cwd and home.  */
static struct nook_caller who;

/* A caller in CWD with the home /home/u.  */
static void
caller (struct nook_spec *spec, const char *cwd)
{
  nook_spec_init (spec);
  nook_caller_free (&who);
  who.cwd = xstrdup (cwd);
  who.home = xstrdup ("/home/u");
}

static void
add_top (struct nook_root_facts *facts, const char *path, const char *link)
{
  facts->tops[facts->n_tops].path = path;
  facts->tops[facts->n_tops].link = xstrdup (link);
  facts->n_tops++;
}

/* A merged /usr: /bin, /sbin, /lib and /lib64 are symlinks into /usr.  */
static void
merged_usr (struct nook_root_facts *facts, enum nook_cwd_why why)
{
  memset (facts, 0, sizeof *facts);
  facts->cwd_why = why;
  add_top (facts, "/bin", "usr/bin");
  add_top (facts, "/sbin", "usr/sbin");
  add_top (facts, "/lib", "usr/lib");
  add_top (facts, "/lib64", "usr/lib64");
}

static void
assert_op (const struct nook_mount_op *op, enum nook_mount_kind kind, const char *src, const char *dest,
           unsigned flags)
{
  assert_int_equal (op->kind, kind);
  if (src)
    assert_string_equal (op->src, src);
  else
    assert_null (op->src);
  if (dest)
    assert_string_equal (op->dest, dest);
  else
    assert_null (op->dest);
  assert_int_equal (op->flags, flags);
}

static void
default_root_on_merged_usr_binds_a_project_cwd (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts;
  struct nook_root_plan plan;
  struct nook_error err = { 0 };

  caller (&spec, "/home/u/proj");
  merged_usr (&facts, NOOK_CWD_UNDER_HOME);
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  assert_int_equal (plan.n_ops, 19);
  assert_op (&plan.ops[0], NOOK_MNT_BIND, "/usr", "/usr", NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  assert_op (&plan.ops[1], NOOK_MNT_BIND, "/etc", "/etc", NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  assert_op (&plan.ops[2], NOOK_MNT_SYMLINK, "usr/bin", "/bin", 0);
  assert_op (&plan.ops[3], NOOK_MNT_SYMLINK, "usr/sbin", "/sbin", 0);
  assert_op (&plan.ops[4], NOOK_MNT_SYMLINK, "usr/lib", "/lib", 0);
  assert_op (&plan.ops[5], NOOK_MNT_SYMLINK, "usr/lib64", "/lib64", 0);
  assert_op (&plan.ops[6], NOOK_MNT_PROC, NULL, "/proc", NOOK_MNT_F_RDONLY);
  assert_op (&plan.ops[7], NOOK_MNT_DEV, NULL, "/dev", 0);
  assert_op (&plan.ops[8], NOOK_MNT_TMPFS, NULL, "/tmp", 0);
  assert_int_equal (plan.ops[8].mode, 01777);
  /* What programs look for: private /var/tmp and /run, the host's /opt,
     /srv and package databases read-only where it has them.  */
  assert_op (&plan.ops[9], NOOK_MNT_TMPFS, NULL, "/var/tmp", NOOK_MNT_F_SHARED);
  assert_int_equal (plan.ops[9].mode, 01777);
  assert_op (&plan.ops[10], NOOK_MNT_TMPFS, NULL, "/run", NOOK_MNT_F_SHARED);
  assert_op (&plan.ops[11], NOOK_MNT_SYMLINK, "/run", "/var/run", 0);
  assert_op (&plan.ops[12], NOOK_MNT_BIND, "/opt", "/opt", NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  assert_op (&plan.ops[13], NOOK_MNT_BIND, "/srv", "/srv", NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  assert_op (&plan.ops[14], NOOK_MNT_BIND, "/var/lib/dpkg", "/var/lib/dpkg",
             NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  assert_op (&plan.ops[15], NOOK_MNT_BIND, "/var/lib/apt", "/var/lib/apt",
             NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  assert_op (&plan.ops[16], NOOK_MNT_BIND, "/var/cache/apt", "/var/cache/apt",
             NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  /* The home hidden, then the project bound read-write over it.  */
  assert_op (&plan.ops[17], NOOK_MNT_TMPFS, NULL, "/home/u", 0);
  assert_int_equal (plan.ops[17].mode, 0700);
  assert_op (&plan.ops[18], NOOK_MNT_BIND, "/home/u/proj", "/home/u/proj", 0);
  assert_string_equal (plan.workdir, "/home/u/proj");
  assert_true (plan.root_tmpfs);
  assert_int_equal (plan.n_base, plan.n_ops);
  for (size_t i = 0; i < plan.n_ops; i++)
    assert_int_equal (plan.srcfds[i], -1);
  nook_root_plan_free (&plan);
  nook_root_facts_release (&facts);
  nook_spec_free (&spec);
}

static void
default_root_without_merged_usr_binds_the_tops (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts = { .cwd_why = NOOK_CWD_NOT_OWNED };
  struct nook_root_plan plan;
  struct nook_error err = { 0 };

  caller (&spec, "/srv/shared/proj");
  add_top (&facts, "/bin", NULL);
  add_top (&facts, "/lib", NULL);
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  assert_op (&plan.ops[2], NOOK_MNT_BIND, "/bin", "/bin", NOOK_MNT_F_RDONLY);
  assert_op (&plan.ops[3], NOOK_MNT_BIND, "/lib", "/lib", NOOK_MNT_F_RDONLY);
  assert_op (&plan.ops[4], NOOK_MNT_PROC, NULL, "/proc", NOOK_MNT_F_RDONLY);
  /* The cwd is not bound: the last op hides the home, and the command
     starts in the sandbox's own /tmp.  */
  assert_int_equal (plan.n_ops, 16);
  assert_op (&plan.ops[15], NOOK_MNT_TMPFS, NULL, "/home/u", 0);
  assert_string_equal (plan.workdir, "/tmp");
  nook_root_plan_free (&plan);
  nook_root_facts_release (&facts);
  nook_spec_free (&spec);
}

static void
default_root_cwd_bind_follows_the_decision (void **state)
{
  static const struct
  {
    enum nook_cwd_why why;
    bool bound;
  } cases[] = {
    { NOOK_CWD_UNDER_HOME, true }, { NOOK_CWD_UNDER_OWNED, true },  { NOOK_CWD_FORCED, true },
    { NOOK_CWD_REFUSED, false },   { NOOK_CWD_IS_HOME, false },     { NOOK_CWD_HOST_VIEW, false },
    { NOOK_CWD_NOT_OWNED, false }, { NOOK_CWD_HOLDS_STATE, false },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct nook_spec spec;
      struct nook_root_facts facts;
      struct nook_root_plan plan;
      struct nook_error err = { 0 };
      const struct nook_mount_op *last;

      caller (&spec, "/home/u/proj");
      merged_usr (&facts, cases[i].why);
      assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
      last = &plan.ops[plan.n_ops - 1];
      assert_int_equal (last->kind == NOOK_MNT_BIND && strcmp (last->dest, "/home/u/proj") == 0,
                        cases[i].bound);
      assert_string_equal (plan.workdir, cases[i].bound ? "/home/u/proj" : "/tmp");
      nook_root_plan_free (&plan);
      nook_root_facts_release (&facts);
      nook_spec_free (&spec);
    }
}

static void
default_root_cwd_bind_is_read_only_for_try (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts;
  struct nook_root_plan plan;
  struct nook_error err = { 0 };

  caller (&spec, "/home/u/proj");
  spec.fs.cwd_readonly = true;
  merged_usr (&facts, NOOK_CWD_UNDER_HOME);
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  assert_op (&plan.ops[plan.n_ops - 1], NOOK_MNT_BIND, "/home/u/proj", "/home/u/proj", NOOK_MNT_F_RDONLY);
  nook_root_plan_free (&plan);
  nook_root_facts_release (&facts);
  nook_spec_free (&spec);
}

static void
default_root_home_in_tmp_or_root_is_not_covered (void **state)
{
  static const char *const homes[] = { "/tmp/h", "/" };

  for (size_t i = 0; i < 2; i++)
    {
      struct nook_spec spec;
      struct nook_root_facts facts = { .cwd_why = NOOK_CWD_NOT_OWNED };
      struct nook_root_plan plan;
      struct nook_error err = { 0 };

      caller (&spec, "/srv/x");
      free (who.home);
      who.home = xstrdup (homes[i]);
      assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
      /* /usr, /etc, /proc, /dev, /tmp, the 8 extras: nothing over a home.  */
      assert_int_equal (plan.n_ops, 13);
      nook_root_plan_free (&plan);
      nook_spec_free (&spec);
    }
}

static void
share_ipc_binds_the_hosts_shm_and_resolv_in_run_is_kept (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts = { .cwd_why = NOOK_CWD_NOT_OWNED };
  struct nook_root_plan plan;
  struct nook_error err = { 0 };

  caller (&spec, "/srv/x");
  spec.share |= NOOK_NS_IPC;
  facts.resolv_in_run = xstrdup ("/run/systemd/resolve/stub-resolv.conf");
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  /* Right after the fresh /dev, so that it covers the private /dev/shm.  */
  assert_op (&plan.ops[5], NOOK_MNT_BIND, "/dev/shm", "/dev/shm", NOOK_MNT_F_TRY);
  /* The stub file a host's /etc/resolv.conf points to, in the private /run.  */
  assert_op (&plan.ops[6], NOOK_MNT_TMPFS, NULL, "/var/tmp", NOOK_MNT_F_SHARED);
  assert_op (&plan.ops[7], NOOK_MNT_TMPFS, NULL, "/run", NOOK_MNT_F_SHARED);
  assert_op (&plan.ops[9], NOOK_MNT_BIND, "/run/systemd/resolve/stub-resolv.conf",
             "/run/systemd/resolve/stub-resolv.conf", NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  nook_root_plan_free (&plan);
  /* Whatever the root.  */
  spec.rootfs = xstrdup ("/srv/root");
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  assert_int_equal (plan.n_base, 4);
  assert_op (&plan.ops[3], NOOK_MNT_BIND, "/dev/shm", "/dev/shm", NOOK_MNT_F_TRY);
  nook_root_plan_free (&plan);
  nook_root_facts_release (&facts);
  nook_spec_free (&spec);
}

static void
user_ops_follow_the_base_in_order (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts;
  struct nook_root_plan plan;
  struct nook_error err = { 0 };

  caller (&spec, "/srv/x");
  nook_spec_add_mount (&spec, NOOK_MNT_TMPFS, NULL, "/a", 0)->mode = 0711;
  /* A mount inside /srv: the host's /srv is not bound read-only over the
     place its mount point is made (/opt still is).  */
  nook_spec_add_mount (&spec, NOOK_MNT_DIR, NULL, "/srv/merged", 0);
  nook_spec_add_mount (&spec, NOOK_MNT_BIND, "/src", "/b", NOOK_MNT_F_RDONLY);
  nook_spec_add_mount (&spec, NOOK_MNT_SYMLINK, "b", "/c", 0);
  merged_usr (&facts, NOOK_CWD_NOT_OWNED);
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  assert_int_equal (plan.n_ops, plan.n_base + 4);
  assert_op (&plan.ops[plan.n_base], NOOK_MNT_TMPFS, NULL, "/a", 0);
  assert_int_equal (plan.ops[plan.n_base].mode, 0711);
  assert_op (&plan.ops[plan.n_base + 2], NOOK_MNT_BIND, "/src", "/b", NOOK_MNT_F_RDONLY);
  assert_op (&plan.ops[plan.n_base + 3], NOOK_MNT_SYMLINK, "b", "/c", 0);
  assert_op (&plan.ops[12], NOOK_MNT_BIND, "/opt", "/opt", NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  assert_op (&plan.ops[13], NOOK_MNT_BIND, "/var/lib/dpkg", "/var/lib/dpkg",
             NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  /* Copies, not the spec's own strings.  */
  for (size_t i = 0; i < plan.n_base; i++)
    assert_false (plan.ops[i].kind == NOOK_MNT_BIND && strcmp (plan.ops[i].dest, "/srv") == 0);
  assert_ptr_not_equal (plan.ops[plan.n_base + 2].src, spec.mounts[2].src);
  /* A generated file goes between the base and the user's ops.  */
  nook_root_plan_add_file (&plan, "/etc/hosts", "127.0.0.1 localhost\n");
  assert_op (&plan.ops[plan.n_base - 1], NOOK_MNT_FILE, "127.0.0.1 localhost\n", "/etc/hosts",
             NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY);
  assert_op (&plan.ops[plan.n_base], NOOK_MNT_TMPFS, NULL, "/a", 0);
  assert_int_equal (plan.srcfds[plan.n_base - 1], -1);
  nook_root_plan_free (&plan);
  nook_root_facts_release (&facts);
  nook_spec_free (&spec);
}

static void
user_mount_over_the_cwd_makes_it_the_workdir (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts = { .cwd_why = NOOK_CWD_NOT_OWNED };
  struct nook_root_plan plan;
  struct nook_error err = { 0 };

  caller (&spec, "/srv/x/y");
  nook_spec_add_mount (&spec, NOOK_MNT_BIND, "/srv/x", "/srv/x", 0);
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  assert_string_equal (plan.workdir, "/srv/x/y");
  nook_root_plan_free (&plan);
  /* --chdir wins.  */
  spec.chdir = xstrdup ("/opt");
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  assert_string_equal (plan.workdir, "/opt");
  nook_root_plan_free (&plan);
  nook_spec_free (&spec);
}

/* bubblewrap's root: nothing but the user's operations, in order; the
   command starts in the caller's directory, else in the home.  */
static void
empty_root_has_only_the_user_ops (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts = { 0 };
  struct nook_root_plan plan;
  struct nook_error err = { 0 };

  caller (&spec, "/home/u/proj");
  spec.root_empty = true;
  nook_spec_add_mount (&spec, NOOK_MNT_BIND, "/usr", "/usr", NOOK_MNT_F_RDONLY);
  nook_spec_add_mount (&spec, NOOK_MNT_DIR, NULL, "/x", 0);
  assert_false (nook_root_plan_is_default (&spec));
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  assert_int_equal (plan.n_base, 0);
  assert_int_equal (plan.n_ops, 2);
  assert_op (&plan.ops[0], NOOK_MNT_BIND, "/usr", "/usr", NOOK_MNT_F_RDONLY);
  assert_op (&plan.ops[1], NOOK_MNT_DIR, NULL, "/x", 0);
  assert_false (plan.root_tmpfs);
  assert_string_equal (plan.workdir, "/home/u/proj");
  assert_string_equal (plan.home, "/home/u");
  nook_root_plan_free (&plan);
  /* --chdir: that directory, no fallback.  */
  spec.chdir = xstrdup ("/x");
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  assert_string_equal (plan.workdir, "/x");
  assert_null (plan.home);
  nook_root_plan_free (&plan);
  nook_spec_free (&spec);
  (void)state;
}

static void
rootfs_gets_only_kernel_dirs (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts;
  struct nook_root_plan plan;
  struct nook_error err = { 0 };

  caller (&spec, "/home/u/proj");
  spec.rootfs = xstrdup ("/srv/root");
  nook_spec_add_mount (&spec, NOOK_MNT_DIR, NULL, "/x", 0);
  /* The facts of the host do not matter to another root.  */
  merged_usr (&facts, NOOK_CWD_UNDER_HOME);
  assert_false (nook_root_plan_is_default (&spec));
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  assert_int_equal (plan.n_base, 3);
  assert_int_equal (plan.n_ops, 4);
  assert_op (&plan.ops[0], NOOK_MNT_PROC, NULL, "/proc", NOOK_MNT_F_RDONLY);
  assert_op (&plan.ops[1], NOOK_MNT_DEV, NULL, "/dev", 0);
  assert_op (&plan.ops[2], NOOK_MNT_TMPFS, NULL, "/tmp", 0);
  assert_op (&plan.ops[3], NOOK_MNT_DIR, NULL, "/x", 0);
  assert_string_equal (plan.workdir, "/");
  assert_false (plan.root_tmpfs);
  nook_root_plan_free (&plan);
  nook_root_facts_release (&facts);
  nook_spec_free (&spec);
}

static void
layers_as_root_come_first (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts = { 0 };
  struct nook_root_plan plan;
  struct nook_error err = { 0 };

  caller (&spec, "/home/u/proj");
  nook_spec_add_mount (&spec, NOOK_MNT_TMPFS, NULL, "/a", 0);
  strv_append (&nook_spec_add_overlay (&spec, NULL)->lowers, "/layers/base");
  nook_spec_add_mount (&spec, NOOK_MNT_DIR, NULL, "/b", 0);
  assert_false (nook_root_plan_is_default (&spec));
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  /* The layers are the staging root itself, then /proc, /dev, /tmp.  */
  assert_op (&plan.ops[0], NOOK_MNT_OVERLAY, NULL, NULL, 0);
  assert_ptr_equal (plan.ops[0].overlay, spec.mounts[1].overlay);
  assert_op (&plan.ops[1], NOOK_MNT_PROC, NULL, "/proc", NOOK_MNT_F_RDONLY);
  assert_int_equal (plan.n_base, 4);
  /* The user's other ops in order, the root overlay not twice.  */
  assert_int_equal (plan.n_ops, 6);
  assert_op (&plan.ops[4], NOOK_MNT_TMPFS, NULL, "/a", 0);
  assert_op (&plan.ops[5], NOOK_MNT_DIR, NULL, "/b", 0);
  assert_string_equal (plan.workdir, "/");
  assert_false (plan.root_tmpfs);
  nook_root_plan_free (&plan);
  nook_spec_free (&spec);
}

static void
bind_cwd_is_refused_with_another_root (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts = { 0 };
  struct nook_root_plan plan;
  struct nook_error err = { 0 };

  caller (&spec, "/home/u/proj");
  spec.cwd_mode = NOOK_CWD_FORCE;
  spec.rootfs = xstrdup ("/srv/root");
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), -1);
  assert_non_null (strstr (err.msg, "--bind-cwd"));
  nook_error_release (&err);
  nook_root_plan_free (&plan);
  nook_spec_free (&spec);
}

/* Whether the NULL-terminated WANT is exactly GOT.  */
static void
assert_strv (char **got, const char *const *want)
{
  size_t i = 0;
  for (; want[i]; i++)
    {
      assert_non_null (got[i]);
      assert_string_equal (got[i], want[i]);
    }
  assert_null (got[i]);
}

/* The places Landlock lets the command write: the default root's
   tmpfs, /dev, /proc and the cwd bind, then the user's read-write
   operations, each once, sorted, without `.`, `..` or doubled slashes;
   not a read-only bind or file, a remount or a directory.  */
static void
landlock_writable_of_the_default_root_and_user_ops (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts;
  struct nook_root_plan plan;
  struct nook_error err = { 0 };
  char **w;
  static const char *const want[] = { "/a/c",   "/data", "/dev", "/home/u",  "/home/u/proj", "/mq", "/proc",
                                      "/ro/rw", "/run",  "/tmp", "/var/tmp", "/w",           NULL };

  caller (&spec, "/home/u/proj");
  merged_usr (&facts, NOOK_CWD_UNDER_HOME);
  nook_spec_add_mount (&spec, NOOK_MNT_BIND, "/x", "/data", 0);
  nook_spec_add_mount (&spec, NOOK_MNT_BIND, "/x", "/data/", 0);
  nook_spec_add_mount (&spec, NOOK_MNT_BIND, "/y", "/ro", NOOK_MNT_F_RDONLY);
  nook_spec_add_mount (&spec, NOOK_MNT_BIND, "/z", "/ro//rw/", 0);
  nook_spec_add_mount (&spec, NOOK_MNT_TMPFS, NULL, "/a/./b/../c", 0);
  nook_spec_add_mount (&spec, NOOK_MNT_REMOUNT_RO, NULL, "/tmp", 0);
  nook_spec_add_mount (&spec, NOOK_MNT_DIR, NULL, "/d", 0);
  nook_spec_add_mount (&spec, NOOK_MNT_MQUEUE, NULL, "/mq", 0);
  nook_spec_add_mount (&spec, NOOK_MNT_FILE, "x", "/etc/ro", NOOK_MNT_F_RDONLY);
  nook_spec_add_mount (&spec, NOOK_MNT_FILE, "x", "/w", 0);
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  w = nook_landlock_writable (&spec, &plan);
  assert_strv (w, want);
  strv_free (w);
  nook_root_plan_free (&plan);
  /* The host's PID namespace: its /proc is bound read-only.  */
  spec.share |= NOOK_NS_PID;
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  w = nook_landlock_writable (&spec, &plan);
  assert_false (strv_has (w, "/proc"));
  assert_true (strv_has (w, "/dev"));
  strv_free (w);
  nook_root_plan_free (&plan);
  nook_root_facts_release (&facts);
  nook_spec_free (&spec);
}

/* The root itself: written beneath when it is --rootfs-rw, the layers
   or an empty root's tmpfs; not a read-only --rootfs.  */
static void
landlock_writable_root (void **state)
{
  struct nook_spec spec;
  struct nook_root_facts facts = { 0 };
  struct nook_root_plan plan;
  struct nook_error err = { 0 };
  char **w;
  static const char *const ro[] = { "/dev", "/proc", "/tmp", NULL };
  static const char *const rw[] = { "/", "/dev", "/proc", "/tmp", NULL };

  caller (&spec, "/home/u");
  spec.rootfs = xstrdup ("/srv/root");
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  w = nook_landlock_writable (&spec, &plan);
  assert_strv (w, ro);
  strv_free (w);
  nook_root_plan_free (&plan);
  spec.rootfs_rw = true;
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  w = nook_landlock_writable (&spec, &plan);
  assert_strv (w, rw);
  strv_free (w);
  nook_root_plan_free (&plan);
  nook_spec_free (&spec);

  caller (&spec, "/home/u");
  spec.root_empty = true;
  nook_spec_add_mount (&spec, NOOK_MNT_BIND, "/", "/", NOOK_MNT_F_RDONLY);
  assert_int_equal (nook_root_plan_compose (&spec, &who, &facts, &plan, &err), 0);
  w = nook_landlock_writable (&spec, &plan);
  assert_string_equal (w[0], "/");
  assert_null (w[1]);
  strv_free (w);
  nook_root_plan_free (&plan);
  nook_spec_free (&spec);
}

/* What the state gives back is checked: absolute, plain paths only.  */
static void
landlock_writable_from_the_state_is_checked (void **state)
{
  static const char *const good[] = { "/", "/data", "/home/u/a b", NULL };
  static const char *const bad[] = { "tmp", "", "/a/../etc", "/a//b", "/a/", "/./a", "/..", NULL };
  struct nook_error err = { 0 };
  char **w = NULL;
  json_object *a = nook_landlock_writable_json ((char *const *)good);

  assert_int_equal (nook_landlock_writable_from_json (a, &w, &err), 0);
  assert_strv (w, good);
  strv_free (w);
  json_object_put (a);
  for (size_t i = 0; bad[i]; i++)
    {
      a = json_object_new_array ();
      json_object_array_add (a, json_object_new_string ("/tmp"));
      json_object_array_add (a, json_object_new_string (bad[i]));
      assert_int_equal (nook_landlock_writable_from_json (a, &w, &err), -1);
      assert_null (w);
      nook_error_release (&err);
      json_object_put (a);
    }
  a = json_object_new_array ();
  json_object_array_add (a, json_object_new_int (1));
  assert_int_equal (nook_landlock_writable_from_json (a, &w, &err), -1);
  nook_error_release (&err);
  json_object_put (a);
  a = json_object_new_string ("/tmp");
  assert_int_equal (nook_landlock_writable_from_json (a, &w, &err), -1);
  nook_error_release (&err);
  json_object_put (a);
  assert_int_equal (nook_landlock_writable_from_json (NULL, &w, &err), -1);
  nook_error_release (&err);
}

/* Layers through fuse-overlayfs are refused only to a command that may
   trace it: CAP_SYS_PTRACE and no Landlock.  */
static void
fuse_refused_to_a_command_that_may_trace_it (void **state)
{
  struct nook_spec spec;
  struct nook_mount_op ops[2] = { { .kind = NOOK_MNT_BIND }, { .kind = NOOK_MNT_OVERLAY } };
  struct nook_overlay_mount overlays[2] = { { .kind = NOOK_OVERLAY_FUSE }, { .kind = NOOK_OVERLAY_FUSE } };
  struct nook_root_plan plan = { .ops = ops, .overlays = overlays, .n_ops = 2 };
  struct nook_error err = { 0 };

  (void)state;
  nook_spec_init (&spec);
  assert_false (nook_root_plan_may_trace (&spec, false));
  assert_int_equal (nook_root_plan_check_tracers (&spec, &plan, false, &err), 0);
  spec.security.cap_add = UINT64_C (1) << CAP_SYS_PTRACE;
  assert_true (nook_root_plan_may_trace (&spec, false));
  assert_false (nook_root_plan_may_trace (&spec, true));
  assert_int_equal (nook_root_plan_check_tracers (&spec, &plan, true, &err), 0);
  assert_int_equal (nook_root_plan_check_tracers (&spec, &plan, false, &err), -1);
  assert_non_null (strstr (err.msg, "fuse-overlayfs"));
  nook_error_release (&err);
  /* A kernel overlay holds no fd a tracer could use; a bind is no overlay.  */
  overlays[1].kind = NOOK_OVERLAY_KERNEL;
  assert_false (nook_root_plan_uses_fuse (&plan));
  assert_int_equal (nook_root_plan_check_tracers (&spec, &plan, false, &err), 0);
  nook_spec_free (&spec);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (default_root_on_merged_usr_binds_a_project_cwd),
    cmocka_unit_test (default_root_without_merged_usr_binds_the_tops),
    cmocka_unit_test (default_root_cwd_bind_follows_the_decision),
    cmocka_unit_test (default_root_cwd_bind_is_read_only_for_try),
    cmocka_unit_test (default_root_home_in_tmp_or_root_is_not_covered),
    cmocka_unit_test (share_ipc_binds_the_hosts_shm_and_resolv_in_run_is_kept),
    cmocka_unit_test (user_ops_follow_the_base_in_order),
    cmocka_unit_test (user_mount_over_the_cwd_makes_it_the_workdir),
    cmocka_unit_test (rootfs_gets_only_kernel_dirs),
    cmocka_unit_test (empty_root_has_only_the_user_ops),
    cmocka_unit_test (layers_as_root_come_first),
    cmocka_unit_test (bind_cwd_is_refused_with_another_root),
    cmocka_unit_test (landlock_writable_of_the_default_root_and_user_ops),
    cmocka_unit_test (landlock_writable_root),
    cmocka_unit_test (landlock_writable_from_the_state_is_checked),
    cmocka_unit_test (fuse_refused_to_a_command_that_may_trace_it),
  };
  return cmocka_run_group_tests (tests, NULL, NULL);
}
