/* nook check: placeholder replaced below.  */
#include <config.h>
#include "cmd.h"
int
nook_cmd_check (int argc, char **argv)
{
  return 0;
}
