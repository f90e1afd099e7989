/* nook: the time namespace (time_namespaces(7)): a sandbox's own
 * CLOCK_MONOTONIC and CLOCK_BOOTTIME, shifted by offsets.
 *
 * The kernel's rules decide where each step happens:
 *
 *   - a time namespace is created only by unshare(CLONE_NEWTIME) (clone3
 *     puts the child in it at once, so its offsets could never be set):
 *     the caller stays where it is, its later children and its own next
 *     execve enter the new namespace;
 *   - its offsets are written to /proc/self/timens_offsets before any
 *     process is in it (then EACCES), by a process with CAP_SYS_TIME in
 *     the user namespace that owns it.
 *
 * So the sandbox's own process, in its new user namespace and with every
 * capability there, unshares and writes the offsets as its first setup
 * step, before it forks anything; its exec of nook-init (or of the command)
 * moves it in, and everything the sandbox starts is born there.  `nook
 * exec` enters it with the sandbox's other namespaces (exec.c: setns on the
 * sandbox's PID 1, which moves the caller itself).  A namespace given by
 * path (an OCI config's) is entered by nook before the clone, as the other
 * paths are.
 */
#ifndef NOOK_TIMENS_H
#define NOOK_TIMENS_H

#include <json-c/json.h>

#include "error.h"
#include "timens-spec.h"

/**
 * nook_timens_parse - parse the value of --time-offset
 * @value: CLOCK=SECS[.FRACTION][,CLOCK=...], CLOCK monotonic or boottime;
 *         SECS may be negative, FRACTION has 1 to 9 digits
 * @timens: gets the offsets named (the others are kept) and create set
 * @err: set on failure, with a hint giving the form
 *
 * Only the form and the kernel's fixed bound (half of KTIME_SEC_MAX) are
 * checked here; whether a negative offset takes a clock below zero
 * depends on the host's uptime when the sandbox starts.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_timens_parse (const char *value, struct nook_timens_spec *timens, struct nook_error *err);

/**
 * nook_timens_create - give the calling process's children a time
 * namespace with the spec's offsets
 * @timens: only read; nothing is done unless create is set
 * @err: set on failure
 *
 * The caller is not moved (its next execve is); it must not have forked
 * since, and needs CAP_SYS_ADMIN and CAP_SYS_TIME in its user namespace.
 *
 * Return: 0, or -1 with @err set (a hint when the kernel has no time
 * namespaces or an offset takes a clock out of its range).
 */
int nook_timens_create (const struct nook_timens_spec *timens, struct nook_error *err);

/**
 * nook_timens_join - enter the time namespace the sandbox is to share
 * @timens: only read: its path, else (unless create is set) the one of
 * @pidfd: a joined sandbox's PID 1 (--pid container:ID, ...), or -1
 * @err: set on failure
 *
 * A sandbox that joins another's namespaces reads that one's clocks, as
 * processes that share memory or a PID namespace compare timestamps; it
 * keeps the host's when that one has none, and has its own with
 * --time-offset.  Called once in the user namespace that owns the time
 * namespace, it moves the calling process itself (the sandbox is then
 * cloned there).
 *
 * Return: 0, or -1 with @err set.
 */
int nook_timens_join (const struct nook_timens_spec *timens, int pidfd, struct nook_error *err);

/**
 * nook_timens_probe - whether this process can make a time namespace
 * with offsets, inside a new user namespace of its own
 *
 * Changes the calling process's namespaces: run it in a child that exits.
 *
 * Return: 0, or the errno of the step that failed.
 */
int nook_timens_probe (void);

/**
 * nook_timens_json - the offsets as the state and inspect show them
 * @timens: only read
 *
 * Return: {"monotonic": {"secs", "nanosecs"}, "boottime": {...}} (an OCI
 * config's linux.timeOffsets), or NULL without a time namespace of the
 * sandbox's own.
 */
json_object *nook_timens_json (const struct nook_timens_spec *timens);

/**
 * nook_timens_from_json - read back what nook_timens_json wrote
 * @o: the object, or NULL (no time namespace)
 * @timens: filled
 *
 * Return: 0, or -1 when @o is not of that shape.
 */
int nook_timens_from_json (json_object *o, struct nook_timens_spec *timens);

#endif
