/* nook: a command that made its parent its tracer (PTRACE_TRACEME).
 *
 * nook-init and `nook exec` are the parents of commands; a command that
 * calls PTRACE_TRACEME makes them its tracer without asking, and from
 * then on each signal it takes stops it until its tracer resumes it, and
 * wait(2) reports those stops to a tracer even without WUNTRACED.  A
 * parent that took such a stop for an exit reported a wrong status; one
 * that ignored it left the command stopped for ever.  Neither is a
 * debugger: they detach, passing the signal on, and the command runs on
 * as if it had never been traced.
 */
#ifndef NOOK_TRACEE_H
#define NOOK_TRACEE_H

#include <signal.h>
#include <sys/ptrace.h>
#include <sys/types.h>

/* Detaches from PID, stopped with STOPSIG in a ptrace stop, and delivers
   the signal that stopped it, except the SIGTRAP the kernel sends a
   PTRACE_TRACEME process at its execve (si_code SI_USER, from itself:
   INNER is PID as its own PID namespace numbers it), which is for a
   debugger and would kill the command.  In a group-stop the command
   stays stopped, as an untraced one would, until SIGCONT.  */
static inline void
nook_tracee_release (pid_t pid, pid_t inner, int stopsig)
{
  siginfo_t si;
  int deliver = stopsig;

  if (stopsig == SIGTRAP && ptrace (PTRACE_GETSIGINFO, pid, 0, &si) == 0 && si.si_code == SI_USER
      && si.si_pid == inner)
    deliver = 0;
  ptrace (PTRACE_DETACH, pid, 0, deliver);
}

#endif
