/* The subcommands of nook, for main, --help and the completions.  */
#include <config.h>

#include <stddef.h>

#include "cmd.h"

const struct nook_subcommand nook_subcommands[] = {
  { &nook_run_command, nook_cmd_run, false },
  { &nook_try_command, nook_cmd_try, false },
  { &nook_diff_command, nook_cmd_diff, false },
  { &nook_stats_command, nook_cmd_stats, false },
  { &nook_check_command, nook_cmd_check, false },
  { &nook_ps_command, nook_cmd_ps, false },
  { &nook_exec_command, nook_cmd_exec, false },
  { &nook_logs_command, nook_cmd_logs, false },
  { &nook_top_command, nook_cmd_top, false },
  { &nook_inspect_command, nook_cmd_inspect, false },
  { &nook_kill_command, nook_cmd_kill, false },
  { &nook_wait_command, nook_cmd_wait, false },
  { &nook_rm_command, nook_cmd_rm, false },
  { &nook_network_command, nook_cmd_network, false },
  { &nook_port_command, nook_cmd_port, false },
  { NULL, NULL, false, "pull", "pull an image from a registry", nook_cmd_pull },
  { NULL, NULL, false, "images", "list the images of the store", nook_cmd_images },
  { NULL, NULL, false, "import", "store a root filesystem tarball as an image", nook_cmd_import },
  { NULL, NULL, false, "load", "store the images of a docker save archive or an OCI layout", nook_cmd_load },
  { NULL, NULL, false, "rmi", "remove images", nook_cmd_rmi },
  { NULL, NULL, false, "image", "manage images: ls, rm, prune, inspect, import, load", nook_cmd_image },
  { NULL, NULL, false, "system", "show the image store's disk use (system df)", nook_cmd_system },
  { &nook_completion_command, nook_cmd_completion, true },
  { NULL, NULL, false, NULL, NULL, NULL },
};
