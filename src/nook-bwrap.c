/* nook-bwrap: bubblewrap's command line on nook's engine (nook-bwrap(1)).
   Installed as `bwrap` by `make install-bwrap-alias`.  */
#include <config.h>

#include "cmd.h"
#include "lib/utils.h"

int
main (int argc, char **argv)
{
  nook_log_init ();
  return nook_bwrap_main (argc, argv);
}
