/* nook: giving back memory that a long-lived process no longer needs
   (shed.h).  */
#include <config.h>

#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "shed.h"

static int
shed_segments (struct dl_phdr_info *info, size_t size, void *data)
{
  uintptr_t page = (uintptr_t)sysconf (_SC_PAGESIZE);
  struct
  {
    uintptr_t start, end;
  } drop[16];
  int n = 0;

  (void)size;
  (void)data;
  for (int i = 0; i < info->dlpi_phnum && n < 16; i++)
    {
      const ElfW (Phdr) *ph = &info->dlpi_phdr[i];
      uintptr_t start, end;

      /* A private page that was written (relocations, data) holds the only
         copy of what was written there: only what cannot be written goes. */
      if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W))
        continue;
      /* Whole pages only: a page shared with a writable segment stays.  */
      start = (info->dlpi_addr + ph->p_vaddr + page - 1) & ~(page - 1);
      end = (info->dlpi_addr + ph->p_vaddr + ph->p_memsz) & ~(page - 1);
      if (end > start)
        {
          drop[n].start = start;
          drop[n++].end = end;
        }
    }
  /* Once the program headers are read: they lie in the first segment, and
     reading them between two drops would map a block of it back.  */
  for (int i = 0; i < n; i++)
    madvise ((void *)drop[i].start, drop[i].end - drop[i].start, MADV_DONTNEED);
  /* The first object reported is the program itself; the rest are
     libraries (and the vDSO).  */
  return 1;
}

void
nook_shed_program (void)
{
  dl_iterate_phdr (shed_segments, NULL);
}

int
nook_shed_timer (void)
{
  struct itimerspec its = { .it_value = { .tv_sec = NOOK_SHED_DELAY_MS / 1000,
                                          .tv_nsec = (NOOK_SHED_DELAY_MS % 1000) * 1000000L } };
  int fd = timerfd_create (CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

  if (fd >= 0 && timerfd_settime (fd, 0, &its, NULL) < 0)
    {
      close (fd);
      fd = -1;
    }
  return fd;
}
