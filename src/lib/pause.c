/* nook pause and unpause: the cgroup freezer where the sandbox has a
   cgroup of nook's, SIGSTOP elsewhere; see pause.h.  */
#include <config.h>

#include <signal.h>
#include <stdlib.h>

#include "cgroup-stats.h"
#include "cgroup-path.h"
#include "cgroup.h"
#include "pause.h"
#include "sandbox.h"
#include "utils.h"

int
nook_sandbox_pause (struct nook_store *store, struct nook_sandbox *sb, bool pause, struct nook_error *err)
{
  cleanup_free char *cg = NULL;
  cleanup_close int fd = nook_sandbox_pidfd (sb, err);

  if (fd < 0)
    return -1;
  cg = nook_cgroup_of_sandbox (sb);
  if (cg && nook_cgroup_freeze (cg, pause, err) < 0)
    return -1;
  /* Thawed, a process stopped by `nook kill -s STOP` resumes too.  */
  if ((cg == NULL || !pause) && nook_sandbox_signal_stop (sb, pause, err) < 0)
    return -1;
  if (nook_sandbox_set_paused (store, sb, pause, err) == 0)
    return 0;
  /* Not recorded: a pause is undone, so that the state never says running
     of a sandbox that is stopped.  */
  if (pause)
    {
      struct nook_error undo = { 0 };
      if (cg)
        nook_cgroup_freeze (cg, false, &undo);
      nook_sandbox_signal_stop (sb, false, &undo);
      nook_error_release (&undo);
    }
  return -1;
}

int
nook_sandbox_signal (struct nook_store *store, struct nook_sandbox *sb, int sig, struct nook_error *err)
{
  if (sig == SIGCONT && nook_sandbox_paused (sb))
    return nook_sandbox_pause (store, sb, false, err);
  return nook_sandbox_kill (sb, sig, err);
}
