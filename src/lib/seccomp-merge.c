/* One seccomp program for two stacked filters (nook_bpf_merge, seccomp.h):
 * the terminal filter and the policy loaded with one seccomp() call, where
 * one program answers every call as the two do; the regions of both are
 * read with seccomp-walk.h.
 */
#include <config.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "seccomp-walk.h"
#include "seccomp.h"
#include "utils.h"

/* What the kernel answers for a call that a filter loaded first answers
   OLDER and one loaded after it NEWER (seccomp_run_filters): the lowest
   action, starting from ALLOW, the newest one on a tie.  */
static uint32_t
kernel_pick (uint32_t newer, uint32_t older)
{
  uint32_t ret = SECCOMP_RET_ALLOW;

  if ((int32_t)(newer & SECCOMP_RET_ACTION_FULL) < (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
    ret = newer;
  if ((int32_t)(older & SECCOMP_RET_ACTION_FULL) < (int32_t)(ret & SECCOMP_RET_ACTION_FULL))
    ret = older;
  return ret;
}

/* Whether a filter's answer K leaves the call to the other filters.  */
static bool
leaves_it (uint32_t k)
{
  return kernel_pick (k, SECCOMP_RET_ALLOW) == SECCOMP_RET_ALLOW;
}

static bool
overlap (const struct region *a, const struct region *b)
{
  for (int f = FIELD_ARCH; f <= FIELD_NR; f++)
    if (a->lo[f] > b->hi[f] || b->lo[f] > a->hi[f])
      return false;
  return true;
}

/* The answer the stack gives where OLDER's return at PC (answering K) is
   reached from the calls of region R: NEWER's must be one return for all
   of them, whatever their arguments.  Returns false when it is not.  */
static bool
pick_for (const struct walk *older, const struct walk *newer, const struct region *r, uint32_t k, bool *set,
          uint32_t *value)
{
  for (size_t i = 0; i < newer->n; i++)
    {
      const struct region *q = &newer->regions[i];
      const struct sock_filter *f;
      uint32_t v;

      if (!overlap (r, q))
        continue;
      /* The corners of the calls both regions hold, run through both
         programs one by one: a second reading of the walks.  */
      for (int c = 0; c < 4; c++)
        {
          int fa = c & 1, fn = c & 2;
          uint32_t arch
              = fa ? (r->hi[FIELD_ARCH] < q->hi[FIELD_ARCH] ? r->hi[FIELD_ARCH] : q->hi[FIELD_ARCH])
                   : (r->lo[FIELD_ARCH] > q->lo[FIELD_ARCH] ? r->lo[FIELD_ARCH] : q->lo[FIELD_ARCH]);
          uint32_t nr = fn ? (r->hi[FIELD_NR] < q->hi[FIELD_NR] ? r->hi[FIELD_NR] : q->hi[FIELD_NR])
                           : (r->lo[FIELD_NR] > q->lo[FIELD_NR] ? r->lo[FIELD_NR] : q->lo[FIELD_NR]);
          if (nook_bpf_dispatch_at (older->prog, older->len, arch, nr) != r->pc
              || nook_bpf_dispatch_at (newer->prog, newer->len, arch, nr) != q->pc)
            return false;
        }
      f = &newer->prog[q->pc];
      if (f->code != (BPF_RET | BPF_K))
        return false;
      v = kernel_pick (f->k, k);
      if (*set && *value != v)
        return false;
      *set = true;
      *value = v;
    }
  return true;
}

/* The returns of OLDER reached from region R, each given the answer of
   the two filters stacked; false when one cannot be.  */
static bool
answer_returns (const struct walk *wo, const struct walk *wn, const struct region *r, bool *seen,
                size_t *stack, bool *set, uint32_t *value)
{
  const struct sock_filter *prog = wo->prog;
  size_t len = wo->len, n = 0;

  memset (seen, 0, len * sizeof *seen);
  stack[n++] = r->pc;
  seen[r->pc] = true;
  while (n > 0)
    {
      size_t pc = stack[--n], next[2];
      const struct sock_filter *f = &prog[pc];
      int n_next = 0;

      if (f->code == (BPF_RET | BPF_K))
        {
          if (!leaves_it (f->k) && !pick_for (wo, wn, r, f->k, &set[pc], &value[pc]))
            return false;
          continue;
        }
      if (BPF_CLASS (f->code) == BPF_RET)
        return false;
      if (BPF_CLASS (f->code) != BPF_JMP)
        next[n_next++] = pc + 1;
      else if (BPF_OP (f->code) == BPF_JA)
        next[n_next++] = pc + 1 + f->k;
      else
        {
          next[n_next++] = pc + 1 + f->jt;
          next[n_next++] = pc + 1 + f->jf;
        }
      for (int i = 0; i < n_next; i++)
        {
          if (next[i] >= len || next[i] < pc)
            return false;
          if (!seen[next[i]])
            {
              seen[next[i]] = true;
              stack[n++] = next[i];
            }
        }
    }
  return true;
}

int
nook_bpf_merge (const struct nook_bpf *older, const struct nook_bpf *newer, struct nook_bpf *out)
{
  static const uint32_t all_lo[2] = { 0, 0 }, all_hi[2] = { UINT32_MAX, UINT32_MAX };
  const struct sock_filter *o = older->insns;
  size_t ol = older->len, nl = newer->len, steps = 0;
  cleanup_free bool *set = NULL, *seen = NULL;
  cleanup_free uint32_t *value = NULL;
  cleanup_free size_t *stack = NULL;
  struct walk wo = { 0 }, wn = { 0 };
  struct sock_filter *m;
  int result = 0;

  memset (out, 0, sizeof *out);
  /* A flag would change what the kernel logs or allows for the older
     filter's calls.  SPEC_ALLOW is the task's: the kernel mitigates
     speculation when any filter lacks it, so the merged program has it
     only when both do.  */
  if ((older->flags & ~SECCOMP_FILTER_FLAG_SPEC_ALLOW) != 0
      || (newer->flags & ~SECCOMP_FILTER_FLAG_SPEC_ALLOW) != 0 || ol == 0 || nl == 0
      || ol + 2 + nl > BPF_MAXINSNS)
    return 0;
  if (!nook_bpf_walk_program (&wo, o, ol, all_lo, all_hi, &steps)
      || !nook_bpf_walk_program (&wn, newer->insns, nl, all_lo, all_hi, &steps))
    goto done;
  set = xcalloc (ol, sizeof *set);
  seen = xcalloc (ol, sizeof *seen);
  value = xcalloc (ol, sizeof *value);
  stack = xcalloc (ol, sizeof *stack);
  for (size_t i = 0; i < wo.n; i++)
    if (!answer_returns (&wo, &wn, &wo.regions[i], seen, stack, set, value))
      goto done;

  /* OLDER, each of its returns either the stack's answer or, where it
     leaves the call to NEWER, a jump to NEWER; registers cleared as the
     kernel clears them before a filter; then NEWER unchanged.  */
  m = xcalloc (ol + 2 + nl, sizeof *m);
  for (size_t pc = 0; pc < ol; pc++)
    {
      m[pc] = o[pc];
      if (o[pc].code != (BPF_RET | BPF_K))
        continue;
      if (leaves_it (o[pc].k))
        m[pc] = (struct sock_filter)BPF_JUMP (BPF_JMP | BPF_JA, (uint32_t)(ol - pc - 1), 0, 0);
      else if (set[pc])
        m[pc].k = value[pc];
    }
  m[ol] = (struct sock_filter)BPF_STMT (BPF_LD | BPF_IMM, 0);
  m[ol + 1] = (struct sock_filter)BPF_STMT (BPF_LDX | BPF_IMM, 0);
  memcpy (m + ol + 2, newer->insns, nl * sizeof *m);
  out->insns = m;
  out->len = ol + 2 + nl;
  out->flags = newer->flags & (older->flags | ~(unsigned)SECCOMP_FILTER_FLAG_SPEC_ALLOW);
  result = 1;
done:
  free (wo.regions);
  free (wn.regions);
  return result;
}
