/* nook: the Xauthority file of a sandbox that may use one X display.
 *
 * The caller's Xauthority holds the cookies of every display it ever used
 * (and of other hosts); the sandbox gets only the one of the display it is
 * given.  Each entry is rewritten as FamilyWild: the sandbox's hostname is
 * its own, so a FamilyLocal entry keyed by the host's name would not match
 * inside.  The file is read with libXau, opened with dlopen as nook opens
 * libcurl and libarchive (linked, every `nook run` would map it), else
 * with `xauth nlist`, whose numeric form is the same fields in hex.
 */
#include <config.h>

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "desktop.h"
#include "net.h"
#include "utils.h"

/* X.h's families.  */
#define FAMILY_LOCAL 256
#define FAMILY_WILD 65535

/* libXau's Xauth (X11/Xauth.h), unchanged since X11R4.  */
struct xau
{
  unsigned short family;
  unsigned short address_length;
  char *address;
  unsigned short number_length;
  char *number;
  unsigned short name_length;
  char *name;
  unsigned short data_length;
  char *data;
};

static const char *method = "none";

const char *
nook_xauth_method (void)
{
  return method;
}

static bool
wanted (const struct xau *a, const char *display, const char *hostname)
{
  if (a->number_length != strlen (display) || memcmp (a->number, display, a->number_length) != 0)
    return false;
  if (a->family == FAMILY_WILD)
    return true;
  return a->family == FAMILY_LOCAL && a->address_length == strlen (hostname)
         && memcmp (a->address, hostname, a->address_length) == 0;
}

/* The file format: a big-endian 16-bit family, then address, number, name
   and data, each a big-endian 16-bit length and its bytes.  */
static int
write_counted (int fd, const char *p, unsigned short n)
{
  uint8_t len[2] = { n >> 8, n & 0xff };
  return nook_write_all (fd, len, 2) < 0 || nook_write_all (fd, p, n) < 0 ? -1 : 0;
}

static int
write_entry (int fd, const struct xau *a)
{
  uint8_t family[2] = { FAMILY_WILD >> 8, FAMILY_WILD & 0xff };

  if (nook_write_all (fd, family, 2) < 0 || write_counted (fd, a->address, a->address_length) < 0
      || write_counted (fd, a->number, a->number_length) < 0
      || write_counted (fd, a->name, a->name_length) < 0 || write_counted (fd, a->data, a->data_length) < 0)
    return -1;
  return 0;
}

/* Returns the number of entries written, or -1 when libXau is missing.  */
static int
copy_with_libxau (FILE *in, int out, const char *display, const char *hostname)
{
  void *lib = dlopen ("libXau.so.6", RTLD_NOW | RTLD_LOCAL);
  struct xau *(*read_auth) (FILE *);
  void (*dispose) (struct xau *);
  struct xau *a;
  int n = 0;

  if (lib == NULL)
    return -1;
  read_auth = (struct xau * (*)(FILE *)) dlsym (lib, "XauReadAuth");
  dispose = (void (*) (struct xau *))dlsym (lib, "XauDisposeAuth");
  if (read_auth == NULL || dispose == NULL)
    {
      dlclose (lib);
      return -1;
    }
  method = "libXau";
  while ((a = read_auth (in)) != NULL)
    {
      if (wanted (a, display, hostname) && write_entry (out, a) == 0)
        n++;
      dispose (a);
    }
  dlclose (lib);
  return n;
}

/* One field of `xauth nlist`: " LLLL HEX..." (LLLL the byte count).  */
static const char *
nlist_field (const char *p, char *buf, unsigned short *len)
{
  unsigned n;

  if (sscanf (p, " %4x", &n) != 1 || n > 1024)
    return NULL;
  p = strchr (p + 1, ' ');
  if (p == NULL)
    return NULL;
  p++;
  for (unsigned i = 0; i < n; i++, p += 2)
    {
      unsigned byte;
      if (sscanf (p, "%2x", &byte) != 1)
        return NULL;
      buf[i] = byte;
    }
  *len = n;
  return p;
}

static int
parse_nlist_line (const char *line, struct xau *a, char bufs[4][1025])
{
  unsigned family;
  const char *p = line;

  if (sscanf (p, "%4x", &family) != 1)
    return -1;
  a->family = family;
  p += 4;
  a->address = bufs[0];
  a->number = bufs[1];
  a->name = bufs[2];
  a->data = bufs[3];
  if ((p = nlist_field (p, a->address, &a->address_length)) == NULL
      || (p = nlist_field (p, a->number, &a->number_length)) == NULL
      || (p = nlist_field (p, a->name, &a->name_length)) == NULL
      || (p = nlist_field (p, a->data, &a->data_length)) == NULL)
    return -1;
  return 0;
}

/* `xauth -i -f SOURCE nlist`: every entry, parsed here.  */
static int
copy_with_xauth (const char *source, int out, const char *display, const char *hostname,
                 struct nook_error *err)
{
  cleanup_free char *xauth = nook_net_find_helper ("xauth");
  char *argv[] = { (char *)"xauth", (char *)"-i", (char *)"-f", (char *)source, (char *)"nlist", NULL };
  char line[8192], bufs[4][1025];
  int pipefd[2], status, n = 0;
  FILE *f;
  pid_t pid;

  if (xauth == NULL)
    {
      nook_error_set (err, 0, "--socket x11: neither libXau nor the `xauth` program is installed");
      return nook_error_hint (err, "install the libxau6 or the xauth package");
    }
  if (pipe2 (pipefd, O_CLOEXEC) < 0)
    return nook_error_errno (err, "pipe");
  pid = fork ();
  if (pid < 0)
    return nook_error_errno (err, "start xauth");
  if (pid == 0)
    {
      int null = open ("/dev/null", O_RDWR);
      dup2 (null, 0);
      dup2 (pipefd[1], 1);
      dup2 (null, 2);
      execv (xauth, argv);
      _exit (127);
    }
  close (pipefd[1]);
  method = "xauth";
  f = fdopen (pipefd[0], "r");
  while (f && fgets (line, sizeof line, f))
    {
      struct xau a;
      if (parse_nlist_line (line, &a, bufs) == 0 && wanted (&a, display, hostname)
          && write_entry (out, &a) == 0)
        n++;
    }
  if (f)
    fclose (f);
  else
    close (pipefd[0]);
  waitpid (pid, &status, 0);
  return n;
}

int
nook_xauth_for_display (const char *source, const char *display, const char *hostname, struct nook_error *err)
{
  cleanup_close int fd = memfd_create ("nook-xauthority", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  FILE *in = NULL;
  int n = -1;

  if (fd < 0)
    return nook_error_errno (err, "memfd_create");
  method = "none";
  if (source && (in = fopen (source, "re")) != NULL)
    {
      n = copy_with_libxau (in, fd, display, hostname);
      fclose (in);
      if (n < 0 && copy_with_xauth (source, fd, display, hostname, err) < 0)
        return -1;
    }
  nook_log ("desktop: Xauthority for display :%s from `%s` (read with %s)", display, source ? source : "",
            method);
  if (lseek (fd, 0, SEEK_SET) < 0
      || fcntl (fd, F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL) < 0)
    return nook_error_errno (err, "seal the Xauthority");
  return steal_fd (&fd);
}
