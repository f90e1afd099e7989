/* Reading where a seccomp program sends each system call: the shared
 * part of the shortening (seccomp-shorten.c) and of the merge of two
 * filters (seccomp-merge.c), internal to the seccomp modules.
 *
 * A program libseccomp writes first looks at two fields of struct
 * seccomp_data, the architecture and the system call number, and then
 * at the arguments or the instruction pointer, or returns.  The walk
 * follows every (architecture, number) pair at once, as ranges, up to
 * the first instruction that looks at something else: the program's
 * dispatch as a list of regions.  A second reading, one pair at a time
 * as the kernel runs it, shares nothing with the walk: the checks use
 * both, so that a mistake in one is caught by the other.
 */
#ifndef NOOK_SECCOMP_WALK_H
#define NOOK_SECCOMP_WALK_H

#include <linux/filter.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The two fields the dispatch reads, as indexes into region bounds.  */
enum
{
  FIELD_ARCH,
  FIELD_NR,
  FIELD_NONE, /* A holds a constant: nothing loaded yet */
};

/* Beyond this many paths, instructions run while reading them, or
   architecture ranges, a program is not one libseccomp wrote for a
   policy, and not worth the work: the pass gives up.  */
#define MAX_REGIONS 65536
#define MAX_STEPS (1u << 22)
#define MAX_ARCH_RANGES 64

/* A set of (architecture, number) pairs that all reach PC: the first
   instruction that looks at something else, or a return.  */
struct region
{
  uint32_t lo[2], hi[2];
  size_t pc;
};

struct walk
{
  const struct sock_filter *prog;
  size_t len;
  struct region *regions;
  size_t n, size;
  size_t *steps; /* instructions run, shared by the walks of one pass */
  bool bad;
};

/**
 * nook_bpf_walk_program - the regions of a program's dispatch
 * @w: filled; its regions are the caller's to free (free (w->regions))
 * @prog: the program
 * @len: its length
 * @lo: the lowest (architecture, number) pair to follow
 * @hi: the highest
 * @steps: instructions run, counted across the walks of one pass
 *
 * Return: false when the program does something the walk does not read
 * (arithmetic, scratch memory, a bit test on a range, a jump past its
 * end) or is too large (MAX_REGIONS, MAX_STEPS): the caller gives up.
 */
bool nook_bpf_walk_program (struct walk *w, const struct sock_filter *prog, size_t len, const uint32_t lo[2],
                            const uint32_t hi[2], size_t *steps);

/**
 * nook_bpf_dispatch_at - where a program goes for one pair
 * @prog: the program
 * @len: its length
 * @arch: the architecture
 * @nr: the system call number
 *
 * Runs @prog one instruction at a time as the kernel does, up to the
 * first one that is neither a load of those two fields nor a jump on A.
 *
 * Return: that instruction's index, or SIZE_MAX for a program that does
 * anything else or jumps past its end.
 */
size_t nook_bpf_dispatch_at (const struct sock_filter *prog, size_t len, uint32_t arch, uint32_t nr);

#endif
