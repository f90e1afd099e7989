/* nook images [-q] [--json]  */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>

#include "cmd.h"
#include "lib/image.h"
#include "lib/utils.h"
#include "options.h"

void
nook_cli_human_size (uint64_t bytes, char *out, size_t size)
{
  static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
  double v = bytes;
  size_t u = 0;

  /* Powers of 1000, as podman prints sizes.  */
  while (v >= 1000 && u < 4)
    v /= 1000, u++;
  snprintf (out, size, u ? "%.3g %s" : "%.0f %s", v, units[u]);
}

/* "repo:tag" -> REPO and TAG columns.  */
static void
print_row (const struct nook_image *img, const char *name, uint64_t size)
{
  char repo[256] = "<none>", tag[256] = "<none>", created[32], human[32];
  struct tm tm;
  time_t t = img->created;

  if (name)
    {
      const char *colon = strrchr (name, ':');
      snprintf (repo, sizeof repo, "%.*s", (int)(colon - name), name);
      snprintf (tag, sizeof tag, "%s", colon + 1);
    }
  localtime_r (&t, &tm);
  strftime (created, sizeof created, "%Y-%m-%d %H:%M", &tm);
  nook_cli_human_size (size, human, sizeof human);
  printf ("%-40s %-12s %-14.12s %-18s %s\n", repo, tag, img->id + 7, created, human);
}

static uint64_t
image_size (struct nook_images *s, const struct nook_image *img)
{
  uint64_t size = 0;
  for (size_t k = 0; img->layers && img->layers[k]; k++)
    size += nook_images_layer_size (s, img->layers[k]);
  return size;
}

static int
list (struct nook_images *s, bool quiet, bool json, struct nook_error *err)
{
  struct nook_image *imgs;
  json_object *arr = json ? json_object_new_array () : NULL;
  size_t n;

  if (nook_images_list (s, &imgs, &n, err) < 0)
    return -1;
  if (!quiet && !json)
    printf ("%-40s %-12s %-14s %-18s %s\n", "REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE");
  for (size_t i = n; i-- > 0;)
    {
      if (json)
        {
          json_object *doc = nook_image_inspect (s, &imgs[i], err);
          if (doc == NULL)
            continue;
          json_object_array_add (arr, doc);
        }
      else if (quiet)
        printf ("%.12s\n", imgs[i].id + 7);
      else if (imgs[i].names == NULL || imgs[i].names[0] == NULL)
        print_row (&imgs[i], NULL, image_size (s, &imgs[i]));
      else
        for (size_t k = 0; imgs[i].names[k]; k++)
          print_row (&imgs[i], imgs[i].names[k], image_size (s, &imgs[i]));
    }
  if (json)
    {
      printf ("%s\n",
              json_object_to_json_string_ext (arr, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
      json_object_put (arr);
    }
  nook_image_list_free (imgs, n);
  return 0;
}

struct images_opts
{
  bool quiet, json;
};

static const struct nook_option images_options[] = {
  { "quiet", 'q', 0, 1, "", "print the short ids only" },
  { "json", 0, 0, 2, "", "print podman's inspect documents as one JSON array" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
images_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
              struct nook_error *err)
{
  struct images_opts *io = parser->cmd;

  *(o->id == 1 ? &io->quiet : &io->json) = true;
  return 0;
}

static const struct nook_option_group images_group = { "Options", images_options, images_apply, NULL };
static const struct nook_option_group *const images_groups[] = { &images_group, NULL };

const struct nook_command nook_images_command = {
  .name = "images",
  .synopsis = "nook images [-q|--quiet] [--json]",
  .summary = "Lists the images of the store: one line per name, newest first.",
  .groups = images_groups,
  .interspersed = true,
  .opts_size = sizeof (struct images_opts),
};

int
nook_cmd_images (int argc, char **argv, struct nook_error *err)
{
  struct nook_images s;
  struct images_opts o = { 0 };
  int i, r;

  i = nook_command_parse (&nook_images_command, argc, argv, NULL, &o, err);
  if (i <= 0)
    return i;
  if (nook_cli_operands (&nook_images_command, argc, i, 0, 0, err) < 0)
    return -1;
  if (nook_images_open (&s, err) < 0 || nook_images_lock (&s, LOCK_SH, err) < 0)
    {
      nook_images_close (&s);
      return -1;
    }
  r = list (&s, o.quiet, o.json, err);
  nook_images_close (&s);
  if (r < 0)
    return -1;
  return fflush (stdout) == 0 ? 0 : nook_error_errno (err, "images: write");
}
