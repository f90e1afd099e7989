/* nook network create NAME [--subnet CIDR] | ls | rm NAME...  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/netshare.h"
#include "lib/utils.h"
#include "options.h"

static const struct nook_option create_options[] = {
  { "subnet", 0, 1, 1, "CIDR", "the network's IPv4 subnet, e.g. 10.89.1.0/24 (default: a free one)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
create_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
              struct nook_error *err)
{
  *(const char **)parser->cmd = val[0];
  return 0;
}

static const struct nook_option_group create_group = { "Options", create_options, create_apply, NULL };
static const struct nook_option_group *const create_groups[] = { &create_group, NULL };

const struct nook_command nook_network_create_command = {
  .name = "network create",
  .synopsis = "nook network create [--subnet CIDR] NAME",
  .summary = "Creates a network that sandboxes join with --net NAME.",
  .groups = create_groups,
  .interspersed = true,
  .opts_size = sizeof (const char *),
};

const struct nook_command nook_network_ls_command = {
  .name = "network ls",
  .synopsis = "nook network ls",
  .summary = "Lists the networks, their members and holder.",
  .interspersed = true,
};

const struct nook_command nook_network_rm_command = {
  .name = "network rm",
  .synopsis = "nook network rm NAME...",
  .summary = "Removes networks that no running sandbox uses.",
  .interspersed = true,
};

const struct nook_command nook_network_command = {
  .name = "network",
  .synopsis = "nook network create [--subnet CIDR] NAME\nnook network ls\nnook network rm NAME...",
  .summary = "Creates, lists and removes networks that sandboxes share (see nook network COMMAND --help).",
};

static int
network_create (int argc, char **argv, struct nook_error *err)
{
  const char *subnet = NULL;
  int i = nook_command_parse (&nook_network_create_command, argc, argv, NULL, &subnet, err);

  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_network_create_command, argc, i, 1, 1, err) < 0)
    return -1;
  if (nook_network_create (argv[i], subnet, err) < 0)
    return nook_error_wrap (err, "network create");
  printf ("%s\n", argv[i]);
  return 0;
}

static int
network_ls (int argc, char **argv, struct nook_error *err)
{
  struct nook_network_info *list;
  size_t n;
  int i = nook_command_parse (&nook_network_ls_command, argc, argv, NULL, NULL, err);

  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_network_ls_command, argc, i, 0, 0, err) < 0)
    return -1;
  if (nook_network_list (&list, &n, err) < 0)
    return -1;
  printf ("%-24s %-18s %-8s %s\n", "NAME", "SUBNET", "MEMBERS", "HOLDER");
  for (size_t k = 0; k < n; k++)
    {
      char holder[16] = "-";
      if (list[k].holder)
        snprintf (holder, sizeof holder, "%d", (int)list[k].holder);
      printf ("%-24s %-18s %-8d %s\n", list[k].name, list[k].subnet, list[k].members, holder);
    }
  nook_network_info_free (list, n);
  return 0;
}

static int
network_rm (int argc, char **argv, struct nook_error *err)
{
  int i = nook_command_parse (&nook_network_rm_command, argc, argv, NULL, NULL, err);

  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_network_rm_command, argc, i, 1, -1, err) < 0)
    return -1;
  for (; i < argc; i++)
    if (nook_network_remove (argv[i], err) < 0)
      return nook_error_wrap (err, "network rm");
  return 0;
}

int
nook_cmd_network (int argc, char **argv, struct nook_error *err)
{
  int i = nook_command_parse (&nook_network_command, argc, argv, NULL, NULL, err);

  if (i <= 0)
    return i;
  if (i >= argc)
    return nook_error_set (err, 0, "network: no command given (usage: nook network create|ls|rm)");
  argc -= i, argv += i;
  if (strcmp (argv[0], "create") == 0)
    return network_create (argc, argv, err);
  if (strcmp (argv[0], "ls") == 0 || strcmp (argv[0], "list") == 0)
    return network_ls (argc, argv, err);
  if (strcmp (argv[0], "rm") == 0 || strcmp (argv[0], "remove") == 0)
    return network_rm (argc, argv, err);
  return nook_error_set (err, 0, "network: unknown command `%s` (create, ls or rm)", argv[0]);
}
