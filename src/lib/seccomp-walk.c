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

/* The values of VLO..VHI for which the conditional jump F is taken, as
   *TLO..*THI; *EMPTY when there are none.  False for a comparison the
   walk does not read: a bit test on a range, or an unknown jump.  */
static bool
taken_range (const struct sock_filter *f, uint32_t vlo, uint32_t vhi, uint32_t *tlo, uint32_t *thi,
             bool *empty)
{
  *empty = false;
  switch (BPF_OP (f->code))
    {
    case BPF_JEQ:
      *tlo = *thi = f->k;
      break;
    case BPF_JGT:
      *empty = f->k == UINT32_MAX;
      *tlo = f->k + 1;
      *thi = UINT32_MAX;
      break;
    case BPF_JGE:
      *tlo = f->k;
      *thi = UINT32_MAX;
      break;
    case BPF_JSET:
      if (vlo != vhi)
        return false;
      *empty = (vlo & f->k) == 0;
      *tlo = *thi = vlo;
      break;
    default:
      return false;
    }
  if (!*empty && (*tlo > vhi || *thi < vlo))
    *empty = true;
  if (!*empty)
    {
      *tlo = *tlo > vlo ? *tlo : vlo;
      *thi = *thi < vhi ? *thi : vhi;
    }
  return true;
}

static void walk_from (struct walk *w, size_t pc, int field, uint32_t aconst, const uint32_t lo_in[2],
                       const uint32_t hi_in[2]);

/* The jump at PC on FIELD splits LO..HI, TLO..THI taken, into up to
   three pieces: the taken range first (the way the program reads, where
   libseccomp puts the native architecture), then the numbers below and
   above it.  The first two are walked here; the third is left in LO..HI
   for the caller to go on with at the jump's false branch.  Return:
   whether there is a third.  */
static bool
walk_pieces (struct walk *w, size_t pc, int field, uint32_t lo[2], const uint32_t hi[2], uint32_t tlo,
             uint32_t thi)
{
  const struct sock_filter *f = &w->prog[pc];
  uint32_t l[2] = { lo[0], lo[1] }, h[2] = { hi[0], hi[1] };

  l[field] = tlo;
  h[field] = thi;
  walk_from (w, pc + 1 + f->jt, field, 0, l, h);
  if (tlo > lo[field])
    {
      uint32_t below[2] = { hi[0], hi[1] };
      below[field] = tlo - 1;
      walk_from (w, pc + 1 + f->jf, field, 0, lo, below);
    }
  if (thi >= hi[field])
    return false;
  lo[field] = thi + 1;
  return true;
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
      const struct sock_filter *f;
      uint32_t tlo, thi, vlo, vhi;
      bool empty;

      if (++*w->steps > MAX_STEPS || pc >= w->len)
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
      if (BPF_CLASS (f->code) != BPF_JMP || BPF_SRC (f->code) != BPF_K
          || (BPF_OP (f->code) == BPF_JA && f->k >= w->len - pc))
        {
          w->bad = true;
          return;
        }
      if (BPF_OP (f->code) == BPF_JA)
        {
          pc += 1 + f->k;
          continue;
        }
      vlo = field == FIELD_NONE ? aconst : lo[field];
      vhi = field == FIELD_NONE ? aconst : hi[field];
      if (!taken_range (f, vlo, vhi, &tlo, &thi, &empty))
        {
          w->bad = true;
          return;
        }
      /* A constant, or a range none of which takes the jump, goes one
         way on.  */
      if (field == FIELD_NONE || empty)
        {
          pc += 1 + (empty ? f->jf : f->jt);
          continue;
        }
      if (!walk_pieces (w, pc, field, lo, hi, tlo, thi))
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
