/* nook-oci: nook as an OCI runtime (runc's and crun's command line); the
   whole program is nook_oci_main (oci-cli.c).  */
#include <config.h>

#include "lib/utils.h"
#include "oci-cli.h"

int
main (int argc, char **argv)
{
  nook_log_init ();
  return nook_oci_main (argc, argv);
}
