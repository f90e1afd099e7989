/* Reading where a seccomp program sends each system call (seccomp-walk.h). */
#include <config.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "seccomp-walk.h"
#include "utils.h"

static void
add_region (struct walk *w, const uint32_t lo[2], const uint32_t hi[2], size_t pc)
{
  if (w->n == MAX_REGIONS)
    {
      w->bad = true;
      return;
    }
  if (w->n == w->size)
    w->regions = xrealloc (w->regions, (w->size = w->size ? w->size * 2 : 256) * sizeof *w->regions);
  w->regions[w->n++] = (struct region){ { lo[0], lo[1] }, { hi[0], hi[1] }, pc };
}

/* Runs the program from PC for every pair within LO..HI at once, A
   holding FIELD (or the constant ACONST), splitting the ranges at each
   comparison that tells them apart.  */
static void
walk_from (struct walk *w, size_t pc, int field, uint32_t aconst, const uint32_t lo_in[2],
           const uint32_t hi_in[2])
{
  uint32_t lo[2] = { lo_in[0], lo_in[1] }, hi[2] = { hi_in[0], hi_in[1] };

  while (!w->bad)
    {
      if (++*w->steps > MAX_STEPS)
        {
          w->bad = true;
          return;
        }
      const struct sock_filter *f;
      uint32_t tlo, thi, vlo, vhi;
      bool empty = false;

      if (pc >= w->len)
        {
          w->bad = true;
          return;
        }
      f = &w->prog[pc];
      if (f->code == (BPF_RET | BPF_K))
        return add_region (w, lo, hi, pc);
      if (f->code == (BPF_LD | BPF_W | BPF_ABS))
        {
          if (f->k == offsetof (struct seccomp_data, arch))
            field = FIELD_ARCH;
          else if (f->k == offsetof (struct seccomp_data, nr))
            field = FIELD_NR;
          else
            return add_region (w, lo, hi, pc); /* the arguments or the IP */
          pc++;
          continue;
        }
      if (BPF_CLASS (f->code) != BPF_JMP || BPF_SRC (f->code) != BPF_K)
        {
          w->bad = true;
          return;
        }
      if (BPF_OP (f->code) == BPF_JA)
        {
          if (f->k >= w->len - pc)
            {
              w->bad = true;
              return;
            }
          pc += 1 + f->k;
          continue;
        }
      vlo = field == FIELD_NONE ? aconst : lo[field];
      vhi = field == FIELD_NONE ? aconst : hi[field];
      /* The values for which the jump is taken, as a range.  */
      switch (BPF_OP (f->code))
        {
        case BPF_JEQ:
          tlo = thi = f->k;
          break;
        case BPF_JGT:
          empty = f->k == UINT32_MAX;
          tlo = f->k + 1;
          thi = UINT32_MAX;
          break;
        case BPF_JGE:
          tlo = f->k;
          thi = UINT32_MAX;
          break;
        case BPF_JSET:
          if (vlo != vhi)
            {
              w->bad = true;
              return;
            }
          empty = (vlo & f->k) == 0;
          tlo = thi = vlo;
          break;
        default:
          w->bad = true;
          return;
        }
      if (!empty && (tlo > vhi || thi < vlo))
        empty = true;
      if (!empty)
        {
          tlo = tlo > vlo ? tlo : vlo;
          thi = thi < vhi ? thi : vhi;
        }
      if (field == FIELD_NONE)
        {
          pc += 1 + (empty ? f->jf : f->jt);
          continue;
        }
      /* Up to three pieces: the taken range first (the way the program
         reads, where libseccomp puts the native architecture), then the
         numbers below and above it.  */
      if (empty)
        {
          pc += 1 + f->jf;
          continue;
        }
      {
        uint32_t l[2] = { lo[0], lo[1] }, h[2] = { hi[0], hi[1] };
        l[field] = tlo;
        h[field] = thi;
        walk_from (w, pc + 1 + f->jt, field, 0, l, h);
      }
      if (tlo > vlo)
        {
          uint32_t h[2] = { hi[0], hi[1] };
          h[field] = tlo - 1;
          walk_from (w, pc + 1 + f->jf, field, 0, lo, h);
        }
      if (thi < vhi)
        lo[field] = thi + 1;
      else
        return;
      pc += 1 + f->jf;
    }
}

bool
nook_bpf_walk_program (struct walk *w, const struct sock_filter *prog, size_t len, const uint32_t lo[2],
                       const uint32_t hi[2], size_t *steps)
{
  *w = (struct walk){ .prog = prog, .len = len, .steps = steps };
  walk_from (w, 0, FIELD_NONE, 0, lo, hi);
  return !w->bad;
}

/* Where PROG goes for one architecture and number, run one instruction
   at a time as the kernel runs it, up to the first one that is neither a
   load of those two nor a jump on A: a second reading, which shares
   nothing with the walk.  SIZE_MAX for a program that does anything
   else, or jumps past its end.  */
size_t
nook_bpf_dispatch_at (const struct sock_filter *prog, size_t len, uint32_t arch, uint32_t nr)
{
  uint32_t a = 0;
  size_t pc = 0;

  while (pc < len)
    {
      const struct sock_filter *f = &prog[pc];
      bool taken;

      if (f->code == (BPF_LD | BPF_W | BPF_ABS)
          && (f->k == offsetof (struct seccomp_data, arch) || f->k == offsetof (struct seccomp_data, nr)))
        {
          a = f->k == offsetof (struct seccomp_data, arch) ? arch : nr;
          pc++;
          continue;
        }
      if (BPF_CLASS (f->code) != BPF_JMP)
        return pc;
      if (BPF_SRC (f->code) != BPF_K)
        return SIZE_MAX;
      switch (BPF_OP (f->code))
        {
        case BPF_JA:
          if (f->k >= len - pc)
            return SIZE_MAX;
          pc += 1 + f->k;
          continue;
        case BPF_JEQ:
          taken = a == f->k;
          break;
        case BPF_JGT:
          taken = a > f->k;
          break;
        case BPF_JGE:
          taken = a >= f->k;
          break;
        case BPF_JSET:
          taken = (a & f->k) != 0;
          break;
        default:
          return SIZE_MAX;
        }
      pc += 1 + (taken ? f->jt : f->jf);
    }
  return SIZE_MAX;
}
