/* nook oci ...: the same runtime as nook-oci (oci-cli.c), for a machine
   where only nook is on the PATH.  */
#include <config.h>

#include "cmd.h"
#include "oci-cli.h"
#include "options.h"

const struct nook_command nook_oci_command = {
  .name = "oci",
  .synopsis = "oci [GLOBAL OPTIONS] COMMAND [OPTIONS] CONTAINER-ID",
  .summary = "the OCI runtime (runc's command line): see nook-oci(1)",
  .interspersed = false,
};

int
nook_cmd_oci (int argc, char **argv, struct nook_error *err)
{
  (void)err;
  return nook_oci_main (argc, argv);
}
