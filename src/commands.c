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
  { &nook_pause_command, nook_cmd_pause, false },
  { &nook_unpause_command, nook_cmd_unpause, false },
  { &nook_wait_command, nook_cmd_wait, false },
  { &nook_rm_command, nook_cmd_rm, false },
  { &nook_network_command, nook_cmd_network, false },
  { &nook_port_command, nook_cmd_port, false },
  { &nook_pull_command, nook_cmd_pull, false },
  { &nook_images_command, nook_cmd_images, false },
  { &nook_import_command, nook_cmd_import, false },
  { &nook_load_command, nook_cmd_load, false },
  { &nook_rmi_command, nook_cmd_rmi, false },
  { &nook_image_cli_command, nook_cmd_image, false },
  { &nook_system_command, nook_cmd_system, false },
  { &nook_oci_command, nook_cmd_oci, false },
  { &nook_completion_command, nook_cmd_completion, true },
  { NULL, NULL, false },
};
