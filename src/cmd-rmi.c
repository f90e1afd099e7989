/* nook rmi IMAGE...  */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>

#include "cmd.h"
#include "lib/image.h"
#include "lib/utils.h"
#include "options.h"

/* Removes REF: only that name when the image has others, else the image
   and the layers no other image has.  */
static int
remove_one (struct nook_images *s, const char *ref, struct nook_error *err)
{
  cleanup_free char *name = nook_image_name_normalize (ref);
  cleanup_strv char **users = NULL;
  struct nook_image img;
  bool by_name = false;
  uint64_t freed;
  int r;

  if (nook_images_find (s, ref, &img, err) < 0)
    return -1;
  for (size_t i = 0; name && img.names && img.names[i]; i++)
    by_name |= strcmp (img.names[i], name) == 0;
  if (by_name && strv_len (img.names) > 1)
    {
      /* Recording the image under no new name drops NAME from it.  */
      r = nook_images_forget (s, img.id, err);
      for (size_t i = 0; r == 0 && img.names[i]; i++)
        if (strcmp (img.names[i], name) != 0)
          r = nook_images_record (s, img.id, img.layers, img.names[i], err);
      if (r == 0)
        printf ("Untagged: %s\n", name);
      nook_image_release (&img);
      return r;
    }
  if (nook_image_users (s, img.id, &users, err) < 0)
    r = -1;
  else if (users)
    {
      nook_error_set (err, EBUSY, "image `%s`: sandbox `%s` uses it", ref, users[0]);
      r = nook_error_hint (err, "remove the sandbox first: nook rm -f %s", users[0]);
    }
  else if ((r = nook_images_forget (s, img.id, err)) == 0)
    {
      r = nook_images_prune (s, &freed, NULL, err);
      printf ("Deleted: %s\n", img.id + 7);
    }
  nook_image_release (&img);
  return r;
}

const struct nook_command nook_rmi_command = {
  .name = "rmi",
  .synopsis = "nook rmi IMAGE...",
  .summary = "Removes images by name or id: a name of an image that has others is untagged; else the image "
             "goes with the layers no other image has.  An image a sandbox uses is refused.",
  .interspersed = true,
};

int
nook_cmd_rmi (int argc, char **argv, struct nook_error *err)
{
  struct nook_images s;
  int i;

  i = nook_command_parse (&nook_rmi_command, argc, argv, NULL, NULL, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_rmi_command, argc, i, 1, -1, err) < 0)
    return -1;
  if (nook_images_open (&s, err) < 0 || nook_images_lock (&s, LOCK_EX, err) < 0)
    {
      nook_images_close (&s);
      return -1;
    }
  for (; i < argc; i++)
    {
      struct nook_error one = { 0 };
      if (remove_one (&s, argv[i], &one) < 0)
        nook_cli_error_add (err, &one);
    }
  nook_images_close (&s);
  return err->msg ? -1 : 0;
}
