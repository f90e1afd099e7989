/* nook-bwrap: what bubblewrap's command line asks of the front end
 * itself, beside struct nook_spec (dying with the parent, the message
 * prefix, warnings), and the options bubblewrap decides on only once all
 * are read.  Basic types only, for bwrap-args.h and bwrap-opts.h.
 */
#ifndef NOOK_BWRAP_SPEC_H
#define NOOK_BWRAP_SPEC_H

#include <stdbool.h>
#include <stdint.h>

struct nook_bwrap
{
  bool help, version;
  bool die_with_parent;
  bool level_prefix; /* "<N>" before each message, as syslog levels */
  char **warnings;   /* to print before the run, in order */

  /* What bubblewrap decides once every option is read: kept for the end
     of nook_bwrap_parse.  */
  bool unshare_user, unshare_user_try, unshare_ipc, unshare_pid, unshare_net, unshare_uts;
  bool unshare_cgroup, unshare_cgroup_try;
  bool uid_set, gid_set, as_pid_1, seccomp_single, seccomp_added;
  long uid, gid;
  uint64_t caps; /* --cap-add/--cap-drop, in order */
  int total_args;
};

#endif
