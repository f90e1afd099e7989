/* nook network create NAME [--subnet CIDR] | ls | rm NAME...  */
#include <config.h>

#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "lib/netshare.h"
#include "lib/utils.h"

#define NETWORK_USAGE                                                                                        \
  "Usage: nook network create NAME [--subnet CIDR]\n"                                                        \
  "       nook network ls\n"                                                                                 \
  "       nook network rm NAME...\n"

static int
network_create (int argc, char **argv, struct nook_error *err)
{
  const char *name = NULL, *subnet = NULL;

  for (int i = 1; i < argc; i++)
    {
      if (strcmp (argv[i], "--subnet") == 0 && i + 1 < argc)
        subnet = argv[++i];
      else if (strncmp (argv[i], "--subnet=", 9) == 0)
        subnet = argv[i] + 9;
      else if (argv[i][0] == '-' || name)
        return nook_error_set (err, 0,
                               "network create: unexpected `%s` (usage: nook network create NAME "
                               "[--subnet CIDR])",
                               argv[i]);
      else
        name = argv[i];
    }
  if (name == NULL)
    return nook_error_set (err, 0,
                           "network create: no name given (usage: nook network create NAME [--subnet CIDR])");
  if (nook_network_create (name, subnet, err) < 0)
    return nook_error_wrap (err, "network create");
  printf ("%s\n", name);
  return 0;
}

static int
network_ls (struct nook_error *err)
{
  struct nook_network_info *list;
  size_t n;

  if (nook_network_list (&list, &n, err) < 0)
    return -1;
  printf ("%-24s %-18s %-8s %s\n", "NAME", "SUBNET", "MEMBERS", "HOLDER");
  for (size_t i = 0; i < n; i++)
    {
      char holder[16] = "-";
      if (list[i].holder)
        snprintf (holder, sizeof holder, "%d", (int)list[i].holder);
      printf ("%-24s %-18s %-8d %s\n", list[i].name, list[i].subnet, list[i].members, holder);
    }
  nook_network_info_free (list, n);
  return 0;
}

int
nook_cmd_network (int argc, char **argv)
{
  struct nook_error err = { 0 };
  int r = 0;

  if (argc < 2 || strcmp (argv[1], "--help") == 0 || strcmp (argv[1], "-h") == 0)
    {
      fputs (NETWORK_USAGE, argc < 2 ? stderr : stdout);
      return argc < 2 ? NOOK_EXIT_ERROR : 0;
    }
  if (strcmp (argv[1], "create") == 0)
    r = network_create (argc - 1, argv + 1, &err);
  else if (strcmp (argv[1], "ls") == 0 || strcmp (argv[1], "list") == 0)
    r = network_ls (&err);
  else if (strcmp (argv[1], "rm") == 0 || strcmp (argv[1], "remove") == 0)
    {
      if (argc < 3)
        r = nook_error_set (&err, 0, "network rm: no name given (usage: nook network rm NAME...)");
      for (int i = 2; r == 0 && i < argc; i++)
        if ((r = nook_network_remove (argv[i], &err)) < 0)
          nook_error_wrap (&err, "network rm");
    }
  else
    r = nook_error_set (&err, 0, "network: unknown command `%s` (create, ls or rm)", argv[1]);
  return r < 0 ? nook_error_report (&err) : 0;
}
