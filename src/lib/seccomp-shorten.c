/* Shortening the programs libseccomp writes.
 *
 * libseccomp compiles a policy into one comparison per system call and
 * ABI, even where long runs of neighbouring numbers get the same answer:
 * the default policy takes about a thousand instructions.  The kernel's
 * cost of loading a filter (the classic-BPF check, the conversion to
 * eBPF, the JIT's passes, the emulation of every system call number that
 * fills its action cache) grows with that length, and every sandbox pays
 * it before its command starts.
 *
 * This pass reads where the program goes, for every architecture and
 * system call number, once it stops looking at those two: to a return,
 * or to the code that loads an argument or the instruction pointer.  It
 * writes that mapping again as a binary search over ranges of numbers
 * bound for the same place, followed by the code from those places on,
 * copied unchanged.  The rewrite is read back the same way and checked
 * against the original, range by range, and at the corners of each range
 * one instruction at a time (a reading that owes nothing to the walk),
 * before it is used; a program
 * that does anything else before its first argument load (arithmetic,
 * the scratch memory, a bit test on a range of numbers) is left alone.
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

/* ---- the mapping -------------------------------------------------------------- */

/* One range of values of a field, bound for TARGET (a label); FIRST is
   the order in which the original program came to it.  */
struct span
{
  uint32_t lo;
  int target;
  size_t first;
};

/* The spans of one architecture range: its numbers' map.  */
struct arch_map
{
  uint32_t lo;
  struct span *spans;
  size_t n;
  size_t first;
};

static int
cmp_u32 (const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return x < y ? -1 : x > y;
}

static int
cmp_span (const void *a, const void *b)
{
  const struct span *x = a, *y = b;
  return x->lo < y->lo ? -1 : x->lo > y->lo;
}

static bool
same_map (const struct arch_map *a, const struct arch_map *b)
{
  if (a->n != b->n)
    return false;
  for (size_t i = 0; i < a->n; i++)
    if (a->spans[i].lo != b->spans[i].lo || a->spans[i].target != b->spans[i].target)
      return false;
  return true;
}

/* The number map of the architectures ALO.., from the regions holding
   them: spans tiling 0..UINT32_MAX, neighbours with one target merged.
   TARGET_OF gives a region's label.  */
static bool
number_map (const struct walk *w, uint32_t alo, const int *target_of, struct arch_map *m)
{
  struct span *s = xcalloc (w->n, sizeof *s);
  size_t n = 0, out = 0;
  uint32_t next = 0;

  m->lo = alo;
  m->first = SIZE_MAX;
  for (size_t i = 0; i < w->n; i++)
    if (w->regions[i].lo[FIELD_ARCH] <= alo && alo <= w->regions[i].hi[FIELD_ARCH])
      {
        s[n++] = (struct span){ w->regions[i].lo[FIELD_NR], target_of[i], i };
        m->first = i < m->first ? i : m->first;
      }
  qsort (s, n, sizeof *s, cmp_span);
  /* The regions of one architecture must tile the numbers exactly.  */
  for (size_t i = 0; i < n; i++)
    {
      size_t r = s[i].first;
      if (s[i].lo != next || (i + 1 < n && w->regions[r].hi[FIELD_NR] == UINT32_MAX)
          || (i + 1 == n && w->regions[r].hi[FIELD_NR] != UINT32_MAX))
        {
          free (s);
          return false;
        }
      next = w->regions[r].hi[FIELD_NR] + 1;
      if (out > 0 && s[out - 1].target == s[i].target)
        {
          s[out - 1].first = s[i].first < s[out - 1].first ? s[i].first : s[out - 1].first;
          continue;
        }
      s[out++] = s[i];
    }
  m->spans = s;
  m->n = out;
  return n > 0;
}

/* ---- the new program ------------------------------------------------------------ */

/* An instruction of the new program, its jumps to labels.  */
struct item
{
  struct sock_filter f;
  int jt, jf;            /* labels of a conditional jump's targets, or JA's in jt */
  bool tramp_t, tramp_f; /* a target too far for 8 bits: through a JA after it */
};

struct gen
{
  struct item *items;
  size_t n, size;
  size_t *label_at; /* label -> item index */
  size_t n_labels;
};

static int
new_label (struct gen *g)
{
  g->label_at = xrealloc (g->label_at, (g->n_labels + 1) * sizeof *g->label_at);
  g->label_at[g->n_labels] = SIZE_MAX;
  return (int)g->n_labels++;
}

static size_t
emit (struct gen *g, uint16_t code, uint32_t k, int jt, int jf)
{
  if (g->n == g->size)
    g->items = xrealloc (g->items, (g->size = g->size ? g->size * 2 : 256) * sizeof *g->items);
  g->items[g->n] = (struct item){ { code, 0, 0, k }, jt, jf, false, false };
  return g->n++;
}

static void
place (struct gen *g, int label)
{
  g->label_at[label] = g->n;
}

/* The code that sends a value among the single numbers S[0..N) to its
   target, and any other value to OTHER: comparisons for equality, after
   a binary search when there are more than three.  Returns its label.  */
static int
gen_singles (struct gen *g, struct span *s, size_t n, int other)
{
  int label;

  if (n == 0)
    return other;
  label = new_label (g);
  place (g, label);
  if (n > 3)
    {
      size_t m = n / 2;
      size_t at = emit (g, BPF_JMP | BPF_JGE | BPF_K, s[m].lo, -1, -1);
      int lower = gen_singles (g, s, m, other);
      int upper = gen_singles (g, s + m, n - m, other);
      g->items[at].jf = lower;
      g->items[at].jt = upper;
      return label;
    }
  /* In the order the original program reached them: the native
     architecture first.  */
  for (size_t i = 0; i < n; i++)
    for (size_t j = i + 1; j < n; j++)
      if (s[j].first < s[i].first)
        {
          struct span t = s[i];
          s[i] = s[j];
          s[j] = t;
        }
  for (size_t i = 0; i < n; i++)
    {
      size_t at = emit (g, BPF_JMP | BPF_JEQ | BPF_K, s[i].lo, s[i].target, other);
      if (i + 1 < n)
        {
          g->items[at].jf = new_label (g);
          place (g, g->items[at].jf);
        }
    }
  return label;
}

/* Where the segment that begins at span I of S[0..N) (the last span
   ending at LAST) ends: a segment is a run of spans in which every span of
   more than one number goes one way, COMMON.  */
static size_t
segment_end (const struct span *s, size_t n, uint32_t last, size_t i, int *common)
{
  *common = -1;
  for (; i < n; i++)
    {
      uint32_t hi = i + 1 < n ? s[i + 1].lo - 1 : last;
      if (hi == s[i].lo)
        continue;
      if (*common >= 0 && *common != s[i].target)
        break;
      *common = s[i].target;
    }
  return i;
}

/* The code that sends a value of the field A holds, known to lie within
   spans S[0..N) (the last one ending at LAST), to its span's target;
   returns the label to jump to.  A binary search over segments, then
   over the single numbers of one segment that go elsewhere.  */
static int
gen_search (struct gen *g, const struct span *s, size_t n, uint32_t last)
{
  cleanup_free size_t *starts = NULL;
  size_t n_seg = 0, m, at, k = 0;
  int common, label, lower, upper;
  bool same = true;

  for (size_t i = 1; i < n && same; i++)
    same = s[i].target == s[0].target;
  if (same)
    return s[0].target;
  starts = xcalloc (n, sizeof *starts);
  for (size_t i = 0; i < n; i = segment_end (s, n, last, i, &common))
    starts[n_seg++] = i;
  if (n_seg == 1)
    {
      cleanup_free struct span *singles = xcalloc (n, sizeof *singles);
      /* Only single numbers: the first one's target stands for the rest.  */
      if (common < 0)
        common = s[0].target;
      for (size_t i = 0; i < n; i++)
        if (s[i].target != common)
          singles[k++] = s[i];
      return gen_singles (g, singles, k, common);
    }
  /* Halves: the upper one when A >= its first number.  */
  m = starts[n_seg / 2];
  label = new_label (g);
  place (g, label);
  at = emit (g, BPF_JMP | BPF_JGE | BPF_K, s[m].lo, -1, -1);
  lower = gen_search (g, s, m, s[m].lo - 1);
  upper = gen_search (g, s + m, n - m, last);
  g->items[at].jf = lower;
  g->items[at].jt = upper;
  return label;
}

static void
gen_free (struct gen *g)
{
  free (g->items);
  free (g->label_at);
}

/* Lays the items out, a JA after each conditional jump whose target is
   beyond 8 bits, until none is; fills ADDR.  Only forward jumps.  */
static bool
lay_out (struct gen *g, size_t *addr, size_t *total)
{
  bool changed = true;

  while (changed)
    {
      size_t a = 0;

      changed = false;
      for (size_t i = 0; i < g->n; i++)
        {
          addr[i] = a;
          a += 1 + g->items[i].tramp_t + g->items[i].tramp_f;
        }
      *total = a;
      for (size_t i = 0; i < g->n; i++)
        {
          struct item *it = &g->items[i];
          size_t t, f;

          if (BPF_CLASS (it->f.code) != BPF_JMP)
            continue;
          if (it->jt < 0 || g->label_at[it->jt] >= g->n || g->label_at[it->jt] <= i)
            return false;
          t = addr[g->label_at[it->jt]];
          if (BPF_OP (it->f.code) == BPF_JA)
            continue;
          if (it->jf < 0 || g->label_at[it->jf] >= g->n || g->label_at[it->jf] <= i)
            return false;
          f = addr[g->label_at[it->jf]];
          if (!it->tramp_t && t - addr[i] - 1 > 255)
            changed = it->tramp_t = true;
          if (!it->tramp_f && f - addr[i] - 1 > 255)
            changed = it->tramp_f = true;
        }
    }
  return *total <= BPF_MAXINSNS;
}

static void
assemble (const struct gen *g, const size_t *addr, struct sock_filter *out)
{
  for (size_t i = 0; i < g->n; i++)
    {
      const struct item *it = &g->items[i];
      size_t at = addr[i], slot = at + 1;

      out[at] = it->f;
      if (BPF_CLASS (it->f.code) != BPF_JMP)
        continue;
      if (BPF_OP (it->f.code) == BPF_JA)
        {
          out[at].k = addr[g->label_at[it->jt]] - at - 1;
          continue;
        }
      out[at].jt = it->tramp_t ? slot - at - 1 : addr[g->label_at[it->jt]] - at - 1;
      if (it->tramp_t)
        {
          out[slot]
              = (struct sock_filter)BPF_JUMP (BPF_JMP | BPF_JA, addr[g->label_at[it->jt]] - slot - 1, 0, 0);
          slot++;
        }
      out[at].jf = it->tramp_f ? slot - at - 1 : addr[g->label_at[it->jf]] - at - 1;
      if (it->tramp_f)
        out[slot]
            = (struct sock_filter)BPF_JUMP (BPF_JMP | BPF_JA, addr[g->label_at[it->jf]] - slot - 1, 0, 0);
    }
}

/* Whether each instruction of NEW that ORIG_AT says is a copy is the
   same as its original, and goes on where its original goes on.  */
static bool
same_copy (const struct sock_filter *prog, size_t len, const struct sock_filter *new, size_t new_len,
           const size_t *orig_at)
{
  for (size_t i = 0; i < new_len; i++)
    {
      const struct sock_filter *f = &new[i], *o;
      size_t pc = orig_at[i];

      if (pc == SIZE_MAX)
        continue;
      o = &prog[pc];
      if (f->code != o->code)
        return false;
      if (BPF_CLASS (f->code) == BPF_RET)
        {
          if (f->k != o->k)
            return false;
        }
      else if (BPF_CLASS (f->code) != BPF_JMP)
        {
          if (f->k != o->k || i + 1 >= new_len || orig_at[i + 1] != pc + 1)
            return false;
        }
      else if (BPF_OP (f->code) == BPF_JA)
        {
          if (f->k >= new_len - i - 1 || orig_at[i + 1 + f->k] != pc + 1 + o->k)
            return false;
        }
      else if (f->k != o->k || i + 1 + f->jt >= new_len || i + 1 + f->jf >= new_len
               || orig_at[i + 1 + f->jt] != pc + 1 + o->jt || orig_at[i + 1 + f->jf] != pc + 1 + o->jf)
        return false;
    }
  return true;
}

/* Whether NEW sends every (architecture, number) to the copy of the
   place where PROG sends it: each range NEW tells apart is run through
   PROG, which must send all of it to that one place.  The corners of
   every range, where a mistake in reading a comparison shows, are run
   through both programs one by one as well.  */
static bool
same_dispatch (const struct sock_filter *prog, size_t len, const struct sock_filter *new, size_t new_len,
               const size_t *orig_at)
{
  static const uint32_t all_lo[2] = { 0, 0 }, all_hi[2] = { UINT32_MAX, UINT32_MAX };
  struct walk w2;
  size_t steps = 0;
  bool ok;

  ok = nook_bpf_walk_program (&w2, new, new_len, all_lo, all_hi, &steps);
  for (size_t i = 0; ok && i < w2.n; i++)
    {
      size_t want = orig_at[w2.regions[i].pc];
      struct walk w3 = { 0 };

      ok = want != SIZE_MAX
           && nook_bpf_walk_program (&w3, prog, len, w2.regions[i].lo, w2.regions[i].hi, &steps);
      for (size_t j = 0; ok && j < w3.n; j++)
        {
          const struct region *r = &w3.regions[j];
          ok = r->pc == want;
          for (int c = 0; ok && c < 4; c++)
            {
              uint32_t arch = c & 1 ? r->hi[FIELD_ARCH] : r->lo[FIELD_ARCH];
              uint32_t nr = c & 2 ? r->hi[FIELD_NR] : r->lo[FIELD_NR];
              size_t at = nook_bpf_dispatch_at (new, new_len, arch, nr);
              ok = nook_bpf_dispatch_at (prog, len, arch, nr) == want && at != SIZE_MAX
                   && orig_at[at] == want;
            }
        }
      free (w3.regions);
    }
  free (w2.regions);
  return ok;
}

/* Marks in REACH (LEN entries, the regions' targets already set) the code
   those places reach on.  False when a jump leaves the program.  */
static bool
mark_reached (const struct sock_filter *prog, size_t len, bool *reach)
{
  for (size_t pc = 0; pc < len; pc++)
    {
      const struct sock_filter *f = &prog[pc];

      if (!reach[pc] || BPF_CLASS (f->code) == BPF_RET)
        continue;
      if (BPF_CLASS (f->code) != BPF_JMP)
        {
          if (pc + 1 >= len)
            return false;
          reach[pc + 1] = true;
        }
      else if (BPF_OP (f->code) == BPF_JA)
        {
          if (f->k >= len - pc - 1)
            return false;
          reach[pc + 1 + f->k] = true;
        }
      else
        {
          if (pc + 1 + f->jt >= len || pc + 1 + f->jf >= len)
            return false;
          reach[pc + 1 + f->jt] = reach[pc + 1 + f->jf] = true;
        }
    }
  return true;
}

/* The architectures' ranges of W, each with its map of numbers, in *MAPS
   (allocated here; *N_MAPS counts the maps whose spans the caller frees,
   on failure too); equal maps of neighbouring ranges merged.  False when
   there are too many ranges or one's numbers do not tile.  */
static bool
arch_maps (const struct walk *w, const int *target_of, struct arch_map **maps, size_t *n_maps)
{
  cleanup_free uint32_t *bounds = xcalloc (2 * w->n + 1, sizeof *bounds);
  size_t n_bounds = 0, distinct = 0;
  struct arch_map *m;

  bounds[n_bounds++] = 0;
  for (size_t i = 0; i < w->n; i++)
    {
      bounds[n_bounds++] = w->regions[i].lo[FIELD_ARCH];
      if (w->regions[i].hi[FIELD_ARCH] != UINT32_MAX)
        bounds[n_bounds++] = w->regions[i].hi[FIELD_ARCH] + 1;
    }
  qsort (bounds, n_bounds, sizeof *bounds, cmp_u32);
  for (size_t i = 0; i < n_bounds; i++)
    distinct += i == 0 || bounds[i] != bounds[i - 1];
  if (distinct > MAX_ARCH_RANGES)
    return false;
  m = *maps = xcalloc (n_bounds, sizeof **maps);
  for (size_t i = 0; i < n_bounds; i++)
    {
      if (i > 0 && bounds[i] == bounds[i - 1])
        continue;
      if (!number_map (w, bounds[i], target_of, &m[*n_maps]))
        {
          free (m[*n_maps].spans);
          return false;
        }
      if (*n_maps > 0 && same_map (&m[*n_maps - 1], &m[*n_maps]))
        {
          free (m[*n_maps].spans);
          continue;
        }
      (*n_maps)++;
    }
  return true;
}

/* The dispatch into G: the architecture, then its numbers.  */
static void
emit_dispatch (struct gen *g, const struct arch_map *maps, size_t n_maps)
{
  cleanup_free struct span *arch_spans = xcalloc (n_maps, sizeof *arch_spans);
  int lbl;

  for (size_t i = 0; i < n_maps; i++)
    arch_spans[i] = (struct span){ maps[i].lo, maps[i].n == 1 ? maps[i].spans[0].target : new_label (g),
                                   maps[i].first };
  emit (g, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, arch), -1, -1);
  lbl = gen_search (g, arch_spans, n_maps, UINT32_MAX);
  if (g->label_at[lbl] != 1)
    emit (g, BPF_JMP | BPF_JA, 0, lbl, -1);
  for (size_t i = 0; i < n_maps; i++)
    {
      size_t here;
      if (maps[i].n == 1)
        continue;
      place (g, arch_spans[i].target);
      emit (g, BPF_LD | BPF_W | BPF_ABS, offsetof (struct seccomp_data, nr), -1, -1);
      here = g->n;
      lbl = gen_search (g, maps[i].spans, maps[i].n, UINT32_MAX);
      if (g->label_at[lbl] != here)
        emit (g, BPF_JMP | BPF_JA, 0, lbl, -1);
    }
}

/* The rest of the program into G, as it was: each reached instruction
   at its label, its jumps to the labels of their targets.  */
static void
emit_copy (struct gen *g, const struct sock_filter *prog, size_t len, const bool *reach,
           const int *copy_label)
{
  for (size_t pc = 0; pc < len; pc++)
    {
      const struct sock_filter *f = &prog[pc];
      size_t at;

      if (!reach[pc])
        continue;
      place (g, copy_label[pc]);
      at = emit (g, f->code, f->k, -1, -1);
      g->items[at].f = *f;
      if (BPF_CLASS (f->code) != BPF_JMP)
        continue;
      if (BPF_OP (f->code) == BPF_JA)
        g->items[at].jt = copy_label[pc + 1 + f->k];
      else
        {
          g->items[at].jt = copy_label[pc + 1 + f->jt];
          g->items[at].jf = copy_label[pc + 1 + f->jf];
        }
    }
}

/* G laid out and assembled into *OUT when it is shorter than PROG and
   checked to do what PROG does (same_copy, same_dispatch).  Return: its
   length, or 0 with *OUT untouched.  */
static size_t
assemble_checked (struct gen *g, const struct sock_filter *prog, size_t len, const bool *reach,
                  const int *copy_label, struct sock_filter **out)
{
  cleanup_free size_t *addr = xcalloc (g->n, sizeof *addr), *orig_at = NULL;
  cleanup_free struct sock_filter *new = NULL;
  size_t total = 0;

  if (!lay_out (g, addr, &total) || total >= len)
    return 0;
  new = xcalloc (total, sizeof *new);
  assemble (g, addr, new);
  /* Where each instruction of the copy came from.  */
  orig_at = xmalloc (total * sizeof *orig_at);
  for (size_t i = 0; i < total; i++)
    orig_at[i] = SIZE_MAX;
  for (size_t pc = 0; pc < len; pc++)
    if (reach[pc])
      orig_at[addr[g->label_at[copy_label[pc]]]] = pc;
  if (!same_copy (prog, len, new, total, orig_at) || !same_dispatch (prog, len, new, total, orig_at))
    return 0;
  *out = steal_pointer (&new);
  return total;
}

size_t
nook_bpf_shorten (const struct sock_filter *prog, size_t len, struct sock_filter **out)
{
  static const uint32_t all_lo[2] = { 0, 0 }, all_hi[2] = { UINT32_MAX, UINT32_MAX };
  cleanup_free bool *reach = NULL;
  cleanup_free int *copy_label = NULL, *target_of = NULL;
  cleanup_free struct arch_map *maps = NULL;
  struct gen g = { 0 };
  struct walk w = { 0 };
  size_t n_maps = 0, result = 0, steps = 0;

  *out = NULL;
  if (len == 0 || len > BPF_MAXINSNS || !nook_bpf_walk_program (&w, prog, len, all_lo, all_hi, &steps))
    goto done;
  /* The code from the places the dispatch reaches on, each with the
     label of its copy.  */
  reach = xcalloc (len, sizeof *reach);
  for (size_t i = 0; i < w.n; i++)
    reach[w.regions[i].pc] = true;
  if (!mark_reached (prog, len, reach))
    goto done;
  copy_label = xcalloc (len, sizeof *copy_label);
  for (size_t pc = 0; pc < len; pc++)
    copy_label[pc] = reach[pc] ? new_label (&g) : -1;
  target_of = xcalloc (w.n, sizeof *target_of);
  for (size_t i = 0; i < w.n; i++)
    target_of[i] = copy_label[w.regions[i].pc];
  if (!arch_maps (&w, target_of, &maps, &n_maps))
    goto done;
  emit_dispatch (&g, maps, n_maps);
  emit_copy (&g, prog, len, reach, copy_label);
  result = assemble_checked (&g, prog, len, reach, copy_label, out);
done:
  for (size_t i = 0; maps && i < n_maps; i++)
    free (maps[i].spans);
  free (w.regions);
  gen_free (&g);
  return result;
}
