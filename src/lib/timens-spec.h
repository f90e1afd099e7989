/* nook: the time namespace part of the data model (--time-offset, an OCI
 * config's linux.timeOffsets and "time" namespace).
 *
 * Kept apart from timens.h so spec.h can include it without the engine's
 * functions: only basic types here.
 */
#ifndef NOOK_TIMENS_SPEC_H
#define NOOK_TIMENS_SPEC_H

#include <stdbool.h>
#include <stdint.h>

/* The kernel keeps a clock inside a time namespace within 0 and half of
   KTIME_SEC_MAX (KTIME_MAX / NSEC_PER_SEC): about 146 years, so no offset
   is larger.  */
#define NOOK_TIME_OFFSET_SEC_MAX (INT64_MAX / 1000000000 / 2)

/* One clock's offset as /proc/PID/timens_offsets takes it: seconds
   (negative allowed) and nanoseconds 0-999999999 added to them, so -1.5 s
   is { -2, 500000000 }.  */
struct nook_clock_offset
{
  int64_t sec;
  uint32_t nsec;
  bool set; /* given: else the clock keeps the offset of nook's own time namespace */
};

/* The sandbox's time namespace (time_namespaces(7)).  None by default:
   without offsets a time namespace shows the host's clocks, and costs a
   namespace for nothing.  */
struct nook_timens_spec
{
  bool create; /* a time namespace of the sandbox's own, with the offsets set */
  struct nook_clock_offset monotonic, boottime;
  char *path; /* a time namespace file to join instead (an OCI config's path) */
};

#endif
