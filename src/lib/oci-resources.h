/* nook: an OCI config's linux.resources (LinuxResources) as nook's limits.
 *
 * The runtime-spec describes cgroup v1 knobs; nook writes cgroup v2 files,
 * with the conversions runc and crun apply: memory.swap is memory plus
 * swap, cpu.shares becomes cpu.weight on crun's curve, blockIO.weight
 * io.weight on a line.  `update --resources` reads the same object.
 */
#ifndef NOOK_OCI_RESOURCES_H
#define NOOK_OCI_RESOURCES_H

#include <stdint.h>

#include <json-c/json.h>

#include "cgroup-spec.h"
#include "error.h"

/**
 * nook_oci_resources_parse - fill LIMITS from a LinuxResources object
 * @res: the object (linux.resources, or update's --resources document)
 * @what: how errors name it, e.g. "linux.resources"
 * @limits: gets what RES sets (NOOK_LIM_* bits); devices, network and
 *          rdma have no cgroup v2 file and are not read
 * @err: set for a field of the wrong type or out of range, or one nook
 *       cannot apply (realtime CPU time, per-device weights and IOPS)
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_resources_parse (json_object *res, const char *what, struct nook_limits *limits,
                              struct nook_error *err);

/**
 * nook_oci_cpu_weight - cpu.shares (cgroup v1, 2..262144) as cpu.weight (1..10000)
 *
 * crun's and runc's curve: the minimum, the default (1024 -> 100) and the
 * maximum map onto each other.  0 stays 0 (unset).
 */
uint64_t nook_oci_cpu_weight (uint64_t shares);

/**
 * nook_oci_swap_max - OCI memory.swap (memory + swap) as memory.swap.max
 * @swap: -1 (unlimited), 0 (unset) or bytes of memory + swap
 * @memory: memory.limit: -1, 0 (unset) or bytes
 * @out: NOOK_LIM_MAX, or bytes of swap alone; untouched when *set is false
 * @set: whether memory.swap.max is written
 * @err: set when SWAP is less than MEMORY or given without it
 *
 * Return: 0, or -1 with @err set.
 */
int nook_oci_swap_max (int64_t swap, int64_t memory, uint64_t *out, bool *set, struct nook_error *err);

#endif
