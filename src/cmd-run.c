/* nook run [OPTIONS] [--] CMD [ARG...]  */
#include <config.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "lib/detach.h"
#include "lib/image-run.h"
#include "lib/image.h"
#include "lib/pull.h"
#include "lib/spawn.h"
#include "lib/utils.h"
#include "options.h"
#include "opts-profile.h"

/* The option groups of `nook run`, in --help order.  */
static const struct nook_option_group *const run_groups[] = {
  &nook_core_options,     &nook_profile_options,
  &nook_image_options,    &nook_mount_options,
  &nook_security_options, &nook_life_options,
  &nook_limit_options,    &nook_net_options,
  &nook_desktop_options,  NULL,
};

const struct nook_command nook_run_command = {
  .name = "run",
  .synopsis = "nook run [OPTIONS] [--] CMD [ARG...]\nnook run [OPTIONS] IMAGE [CMD [ARG...]]",
  .summary = "Runs CMD in a new sandbox.  Short options combine as podman's do (-it, -e K=V, -v SRC:DEST).",
  .groups = run_groups,
  .epilog = "Exit status: the command's; 125 when nook fails, 126 when CMD cannot be executed, 127 when it "
            "is not found.",
};

/* The first operand, when no `--`, --image or --rootfs came before it: a
   stored image or an image reference (nook-run(1) says how nook decides).  */
static int
positional_image (int argc, char **argv, int *i, struct nook_spec *spec, struct nook_error *err)
{
  int kind;

  if (*i >= argc || spec->image.ref || spec->rootfs || strcmp (argv[*i - 1], "--") == 0)
    return 0;
  kind = nook_image_operand (argv[*i], spec->image.pull != NOOK_PULL_UNSET, err);
  if (kind < 0)
    return -1;
  if (kind == NOOK_OPERAND_COMMAND)
    return 0;
  /* The command's own output is what a pipe gets: a pull is shown on a
     terminal only.  */
  struct nook_pull_opts shown = { 0 };
  if (isatty (STDERR_FILENO))
    nook_cli_pull_shown (&shown);
  if (nook_image_run_apply (spec, argv[*i], &shown, err) < 0)
    return nook_error_wrap (err, "run");
  ++*i;
  /* nook run IMAGE -- CMD: the "--" only separates.  */
  if (*i < argc && strcmp (argv[*i], "--") == 0)
    ++*i;
  return 0;
}

int
nook_run_parse (int argc, char **argv, struct nook_spec *spec, struct nook_error *err)
{
  int i = nook_command_parse (&nook_run_command, argc, argv, spec, NULL, err);

  if (i < 0)
    return -1;
  if (i == 0)
    return 1;
  if (positional_image (argc, argv, &i, spec, err) < 0)
    return -1;
  nook_image_choose_overlay (spec);
  /* The ports of -P are known once the image is: the network's checks
     run again with them.  */
  if (spec->image.publish_all)
    {
      struct nook_parser parser = { 0 };
      if (nook_image_publish_all (spec, err) < 0 || nook_net_options.check (spec, &parser, err) < 0)
        return nook_error_wrap (err, "run");
    }
  if (i >= argc && spec->image.ref == NULL)
    return nook_error_set (err, 0, "run: no command given (usage: %s)", nook_run_command.synopsis);
  /* Kept as given: a record, shown by nook inspect.  */
  strv_free (spec->life.run_args);
  spec->life.run_args = NULL;
  for (int k = 1; k < i; k++)
    strv_append (&spec->life.run_args, argv[k]);
  for (; i < argc; i++)
    strv_append (&spec->argv, argv[i]);
  return 0;
}

/* -p PORT without a host port: the host port is chosen now, so the state
   records it (nook ps, nook port), and said once on stderr.  */
int
nook_cli_publish_ports (struct nook_spec *spec, struct nook_error *err)
{
  bool picked[NOOK_MAX_PORTS] = { false };

  for (size_t i = 0; i < spec->net.n_ports && i < NOOK_MAX_PORTS; i++)
    picked[i] = spec->net.ports[i].host_port == 0;
  if (nook_net_pick_host_ports (&spec->net, err) < 0)
    return -1;
  for (size_t i = 0; i < spec->net.n_ports && i < NOOK_MAX_PORTS; i++)
    if (picked[i])
      {
        cleanup_free char *text = nook_port_map_text (&spec->net.ports[i], 1);
        nook_cli_note ("published %s\n", text);
      }
  return 0;
}

int
nook_cmd_run (int argc, char **argv, struct nook_error *err)
{
  struct nook_spec spec;
  int r;

  nook_spec_init (&spec);
  r = nook_run_parse (argc, argv, &spec, err);
  if (r != 0)
    {
      nook_spec_free (&spec);
      return r > 0 ? 0 : -1;
    }
  nook_verbose = spec.verbose;
  if (spec.image.ref)
    {
      char **argv_image = NULL;
      r = nook_image_command (&spec, spec.argv, &argv_image, err);
      strv_free (spec.argv);
      spec.argv = argv_image;
      if (r < 0)
        {
          nook_spec_free (&spec);
          return -1;
        }
    }
  if (nook_cli_publish_ports (&spec, err) < 0 || nook_image_own_upper (&spec, err) < 0)
    {
      nook_spec_free (&spec);
      return -1;
    }
  if (spec.life.detach)
    {
      cleanup_free char *id = NULL;
      r = nook_run_detached (&spec, &id, err);
      if (r < 0)
        nook_images_upper_remove (spec.image.own_upper);
      nook_spec_free (&spec);
      if (r < 0)
        return -1;
      printf ("%s\n", id);
      return 0;
    }
  r = nook_run (&spec, err);
  /* Kept with the state it belongs to (--keep); else the state is gone, or
     never was.  */
  if (r < 0 || spec.life.remove != 0)
    nook_images_upper_remove (spec.image.own_upper);
  nook_spec_free (&spec);
  return r;
}
