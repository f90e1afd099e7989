/* Attacks tried from inside a sandbox by the escape suite.
 *
 *   attack NAME [ARG...]
 *
 * Each attack makes the raw system call (no C library wrapper that could
 * refuse first) and prints "succeeded" or "failed: ERRNO-NAME" on stdout;
 * the exit status is 0 when the attack succeeded, 1 when it failed, 2 on a
 * usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sysmacros.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static int
report (long r)
{
  if (r >= 0)
    {
      printf ("succeeded\n");
      return 0;
    }
  printf ("failed: %s\n", strerrorname_np (errno) ? strerrorname_np (errno) : "?");
  return 1;
}

/* A system call through the 32-bit x86 entry point (int $0x80) from this
   64-bit process: the kernel takes the number from the i386 table.  */
static long
int80 (long nr, long a, long b, long c)
{
  long r;
  __asm__ volatile("int $0x80" : "=a"(r) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
  if (r < 0 && r > -4096)
    {
      errno = -r;
      return -1;
    }
  return r;
}

/* The 32-bit entry point takes 32-bit pointers: strings passed through it
   are copied below 4 GiB first, or the kernel answers EFAULT whatever the
   filter says.  */
static long
low (const char *s)
{
  static char *area;
  static size_t used;
  size_t n = strlen (s) + 1;

  if (area == NULL)
    {
      area = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
      if (area == MAP_FAILED)
        abort ();
    }
  if (used + n > 4096)
    abort ();
  memcpy (area + used, s, n);
  used += n;
  return (long)(area + used - n);
}

#define I386_WRITE 4
#define I386_KEYCTL 288
#define I386_UNSHARE 310
#define I386_MOUNT 21
#define I386_IOCTL 54
#define I386_SOCKET 359
#define I386_SOCKETCALL 102
#define SYS_SOCKET_CALL 1 /* socketcall's number for socket */
#define X32_BIT 0x40000000L

/* socket through the 32-bit multiplexer, as i386 glibc's socket() makes
   it: the arguments in memory below 4 GiB, where no filter reads them.  */
static long
int80_socketcall (long family, long type)
{
  static unsigned *args;

  if (args == NULL)
    {
      args = mmap (NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
      if (args == MAP_FAILED)
        abort ();
    }
  args[0] = family;
  args[1] = type;
  args[2] = 0;
  return int80 (I386_SOCKETCALL, SYS_SOCKET_CALL, (long)args, 0);
}

static long
open_socket (const char *entry, long family, long type)
{
  if (!strcmp (entry, "int80-socket"))
    return int80 (I386_SOCKET, family, type, 0);
  if (!strcmp (entry, "int80-socketcall"))
    return int80_socketcall (family, type);
  return syscall (SYS_socket, family, type, 0);
}

/* Every address family up to AF_MAX, each with four types, through ENTRY
   (socket, int80-socket or int80-socketcall): one line a family, "F:" and
   per type "ok" or the errno's name.  Run inside and outside a filter,
   the lines show which families the filter, not the kernel, refused.  */
static int
socket_families (const char *entry)
{
  static const int types[] = { SOCK_STREAM, SOCK_DGRAM, SOCK_RAW, SOCK_SEQPACKET };

  for (long family = 0; family <= AF_MAX; family++)
    {
      printf ("%ld:", family);
      for (size_t t = 0; t < sizeof types / sizeof types[0]; t++)
        {
          long fd = open_socket (entry, family, types[t]);
          if (fd >= 0)
            close (fd);
          printf (" %s", fd >= 0 ? "ok" : strerrorname_np (errno) ? strerrorname_np (errno) : "?");
        }
      printf ("\n");
    }
  return 0;
}

static long
keyctl_session (long nr_base)
{
  /* KEYCTL_GET_KEYRING_ID of KEY_SPEC_SESSION_KEYRING, creating it.  */
  return syscall (nr_base, 0, -3, 1);
}

static long
fork_newuser_clone (void)
{
  long pid = syscall (SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0)
    _exit (0);
  if (pid > 0)
    waitpid (pid, NULL, 0);
  return pid;
}

static long
fork_newuser_clone3 (void)
{
  struct clone_args args = { .flags = CLONE_NEWUSER, .exit_signal = SIGCHLD };
  long pid = syscall (SYS_clone3, &args, sizeof args);
  if (pid == 0)
    _exit (0);
  if (pid > 0)
    waitpid (pid, NULL, 0);
  return pid;
}

static long
tiocsti (int fd, unsigned long cmd)
{
  char c = '#';
  return syscall (SYS_ioctl, fd, cmd, &c);
}

/* A terminal of the sandbox's own, made the controlling one (of a new
   session, or of the one this process already leads, as under setsid -w).  */
static int
own_terminal (void)
{
  int m = posix_openpt (O_RDWR | O_NOCTTY), s;
  if (m < 0 || grantpt (m) < 0 || unlockpt (m) < 0)
    return -1;
  s = open (ptsname (m), O_RDWR);
  if (s < 0 || (getsid (0) != getpid () && setsid () < 0) || ioctl (s, TIOCSCTTY, 0) < 0)
    return -1;
  return s;
}

static long
abstract_connect (const char *name)
{
  struct sockaddr_un sa = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM, 0);
  size_t n = strlen (name);

  if (fd < 0 || n + 1 > sizeof sa.sun_path)
    return -1;
  memcpy (sa.sun_path + 1, name, n);
  return connect (fd, (struct sockaddr *)&sa, offsetof (struct sockaddr_un, sun_path) + 1 + n);
}

int
main (int argc, char **argv)
{
  const char *a = argc > 1 ? argv[1] : "";
  const char *arg = argc > 2 ? argv[2] : "";

  setvbuf (stdout, NULL, _IONBF, 0);
  if (!strcmp (a, "keyctl"))
    return report (keyctl_session (SYS_keyctl));
  if (!strcmp (a, "add_key"))
    return report (syscall (SYS_add_key, "user", "nook", "x", 1, -3));
  if (!strcmp (a, "int80-write"))
    return report (int80 (I386_WRITE, 1, low ("int80\n"), 6));
  if (!strcmp (a, "int80-keyctl"))
    return report (int80 (I386_KEYCTL, 0, -3, 1));
  if (!strcmp (a, "int80-unshare-user"))
    return report (int80 (I386_UNSHARE, CLONE_NEWUSER, 0, 0));
  if (!strcmp (a, "int80-mount"))
    return report (int80 (I386_MOUNT, low ("none"), low ("/tmp"), low ("tmpfs")));
  if (!strcmp (a, "x32-keyctl"))
    return report (keyctl_session (X32_BIT | SYS_keyctl));
  if (!strcmp (a, "unshare-user"))
    return report (syscall (SYS_unshare, CLONE_NEWUSER));
  if (!strcmp (a, "clone-newuser"))
    return report (fork_newuser_clone ());
  if (!strcmp (a, "clone3-newuser"))
    return report (fork_newuser_clone3 ());
  if (!strcmp (a, "tiocsti"))
    return report (tiocsti (atoi (arg), TIOCSTI));
  if (!strcmp (a, "tiocsti-high-bits"))
    return report (tiocsti (atoi (arg), 0x100000000UL | TIOCSTI));
  if (!strcmp (a, "tiocsti-own-terminal"))
    {
      int s = own_terminal ();
      if (s < 0)
        {
          printf ("setup failed: %s\n", strerror (errno));
          return 2;
        }
      return report (tiocsti (s, TIOCSTI));
    }
  /* The same through the upper half of the command, and through the
     i386 entry point: neither may slip past the refusal.  */
  if (!strcmp (a, "tiocsti-own-terminal-high-bits") || !strcmp (a, "int80-tiocsti-own-terminal"))
    {
      int s = own_terminal ();
      if (s < 0)
        {
          printf ("setup failed: %s\n", strerror (errno));
          return 2;
        }
      if (a[0] == 'i')
        return report (int80 (I386_IOCTL, s, TIOCSTI, low ("#")));
      return report (tiocsti (s, 0x100000000UL | TIOCSTI));
    }
  if (!strcmp (a, "tioclinux"))
    {
      char sub = 2; /* TIOCL_SETSEL */
      return report (syscall (SYS_ioctl, atoi (arg), TIOCLINUX, &sub));
    }
  if (!strcmp (a, "mount-tmpfs"))
    return report (syscall (SYS_mount, "none", arg, "tmpfs", 0, NULL));
  if (!strcmp (a, "umount"))
    return report (syscall (SYS_umount2, arg, MNT_DETACH));
  if (!strcmp (a, "pivot_root"))
    return report (syscall (SYS_pivot_root, "/", "/"));
  if (!strcmp (a, "fsopen"))
    return report (syscall (SYS_fsopen, "tmpfs", 0));
  if (!strcmp (a, "mknod"))
    return report (syscall (SYS_mknodat, AT_FDCWD, arg, 020666, makedev (1, 3)));
  if (!strcmp (a, "finit_module"))
    {
      int fd = open (arg, O_RDONLY | O_CLOEXEC);
      return report (syscall (SYS_finit_module, fd, "", 0));
    }
  if (!strcmp (a, "init_module"))
    return report (syscall (SYS_init_module, "\177ELF", 4, ""));
  if (!strcmp (a, "delete_module"))
    return report (syscall (SYS_delete_module, "loop", O_NONBLOCK));
  if (!strcmp (a, "bpf"))
    return report (syscall (SYS_bpf, 0 /* BPF_MAP_CREATE */, NULL, 0));
  if (!strcmp (a, "userfaultfd"))
    return report (syscall (SYS_userfaultfd, 0));
  if (!strcmp (a, "open_by_handle_at"))
    return report (syscall (SYS_open_by_handle_at, AT_FDCWD, NULL, 0));
  if (!strcmp (a, "personality"))
    return report (syscall (SYS_personality, strtoul (arg, NULL, 0)));
  if (!strcmp (a, "ptrace"))
    return report (syscall (SYS_ptrace, 16 /* PTRACE_ATTACH */, atoi (arg), 0, 0));
  if (!strcmp (a, "kill"))
    return report (syscall (SYS_kill, atoi (arg), SIGKILL));
  if (!strcmp (a, "socket"))
    /* The family as a whole 64-bit register: the kernel reads its low 32
       bits only, a filter reads all 64.  */
    return report (syscall (SYS_socket, strtoull (arg, NULL, 0), argc > 3 ? atoi (argv[3]) : SOCK_STREAM, 0));
  if (!strcmp (a, "int80-socket"))
    return report (int80 (I386_SOCKET, strtol (arg, NULL, 0), argc > 3 ? atoi (argv[3]) : SOCK_STREAM, 0));
  if (!strcmp (a, "int80-socketcall"))
    return report (int80_socketcall (strtol (arg, NULL, 0), argc > 3 ? atoi (argv[3]) : SOCK_STREAM));
  if (!strcmp (a, "socket-families"))
    return socket_families (arg);
  if (!strcmp (a, "abstract-connect"))
    return report (abstract_connect (arg));
  if (!strcmp (a, "read-fd"))
    {
      char buf[256];
      long n = read (atoi (arg), buf, sizeof buf - 1);
      if (n > 0)
        {
          buf[n] = '\0';
          printf ("%s", buf);
        }
      return report (n);
    }
  if (!strcmp (a, "openat-fd"))
    return report (openat (atoi (arg), argc > 3 ? argv[3] : ".", O_RDONLY));
  if (!strcmp (a, "sethostname"))
    return report (syscall (SYS_sethostname, arg, strlen (arg)));
  fprintf (stderr, "attack: unknown attack `%s`\n", a);
  return 2;
}
