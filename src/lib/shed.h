/* nook: giving back memory that a long-lived process no longer needs.
 *
 * The supervisor and nook-init run their setup once and then wait, for as
 * long as the sandbox runs, in a few small loops.  What the setup touched
 * stays resident unless given back: the heap's free pages, and the pages
 * of the program's own code and read-only data, which fault-around maps by
 * the 64 KiB.  bench/memory measures the effect.
 */
#ifndef NOOK_SHED_H
#define NOOK_SHED_H

/**
 * nook_shed_program - unmap the resident pages of the program's read-only segments
 *
 * Every page of the executable's PT_LOAD segments that are not writable
 * (code, read-only data, headers) is dropped from this process with
 * MADV_DONTNEED.  They stay in the page cache, shared with every other
 * process of the same binary, and fault back in when the program runs
 * that code again.  Writable segments (data, the relocated RELRO) are
 * never touched: dropping them would lose what was written.  Shared
 * libraries are left alone: their pages are shared with the whole system
 * already.  Best effort; never fails.
 */
void nook_shed_program (void);

/* How long a sandbox runs before its supervisor and PID 1 shed: a short
   run (`nook run -- true`) ends before and never pays for it.  */
#define NOOK_SHED_DELAY_MS 1000

/**
 * nook_shed_timer - a timer for the supervisor's shedding
 *
 * Return: a timerfd (close-on-exec, non-blocking) that becomes readable
 * once, NOOK_SHED_DELAY_MS from now; or -1 when none could be made, and
 * then nothing is shed.
 */
int nook_shed_timer (void);

#endif
