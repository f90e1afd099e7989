/* Options of `nook run`: composing the filesystem (binds, tmpfs, files,
   layers).  Each appends a mount operation to the spec, so they apply in the
   order given, later over earlier.  */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/utils.h"
#include "options.h"

enum
{
  OPT_BIND = 1,
  OPT_BIND_TRY,
  OPT_RO_BIND,
  OPT_RO_BIND_TRY,
  OPT_DEV_BIND,
  OPT_DEV_BIND_TRY,
  OPT_VOLUME,
  OPT_TMPFS,
  OPT_SIZE,
  OPT_PERMS,
  OPT_DIR,
  OPT_SYMLINK,
  OPT_FILE,
  OPT_RO_FILE,
  OPT_PROC,
  OPT_DEV,
  OPT_MQUEUE,
  OPT_REMOUNT_RO,
  OPT_CHMOD,
  OPT_LAYER,
  OPT_UPPER,
  OPT_LAYERS_AT,
  OPT_OVERLAY,
};

static const struct nook_option mount_options[] = {
  { "bind", 0, 2, OPT_BIND, "SRC DEST", "bind the host's SRC on DEST, writable" },
  { "bind-try", 0, 2, OPT_BIND_TRY, "SRC DEST", "like --bind; skipped when SRC does not exist" },
  { "ro-bind", 0, 2, OPT_RO_BIND, "SRC DEST", "bind SRC on DEST read-only (submounts too)" },
  { "ro-bind-try", 0, 2, OPT_RO_BIND_TRY, "SRC DEST", "like --ro-bind; skipped when SRC does not exist" },
  { "dev-bind", 0, 2, OPT_DEV_BIND, "SRC DEST", "like --bind, with device nodes usable" },
  { "dev-bind-try", 0, 2, OPT_DEV_BIND_TRY, "SRC DEST", "like --dev-bind; skipped when SRC does not exist" },
  { "volume", 'v', 1, OPT_VOLUME, "SRC:DEST[:ro]", "podman's form of --bind and --ro-bind" },
  { "tmpfs", 0, 1, OPT_TMPFS, "DEST[:size=N,mode=M]", "a new tmpfs on DEST" },
  { "size", 0, 1, OPT_SIZE, "BYTES", "size of the next --tmpfs (suffixes k, m, g)" },
  { "perms", 0, 1, OPT_PERMS, "MODE", "octal mode of the next --tmpfs, --dir or --file" },
  { "dir", 0, 1, OPT_DIR, "DEST", "create the directory DEST" },
  { "symlink", 0, 2, OPT_SYMLINK, "TARGET DEST", "create the symlink DEST pointing to TARGET" },
  { "file", 0, 2, OPT_FILE, "FD DEST", "create the file DEST with what fd FD reads" },
  { "ro-file", 0, 2, OPT_RO_FILE, "FD DEST", "like --file, and make DEST read-only" },
  { "proc", 0, 1, OPT_PROC, "DEST", "a proc of the sandbox's PID namespace on DEST" },
  { "dev", 0, 1, OPT_DEV, "DEST", "a minimal /dev on DEST" },
  { "mqueue", 0, 1, OPT_MQUEUE, "DEST", "a POSIX message queue filesystem on DEST" },
  { "remount-ro", 0, 1, OPT_REMOUNT_RO, "DEST", "make DEST and the mounts under it read-only" },
  { "chmod", 0, 2, OPT_CHMOD, "MODE PATH", "set the octal mode of PATH" },
  { "layer", 0, 1, OPT_LAYER, "DIR", "a read-only lower layer (repeat; the first is the lowest)" },
  { "upper", 0, 1, OPT_UPPER, "DIR", "keep the layers' changes in DIR (default: ephemeral)" },
  { "layers-at", 0, 1, OPT_LAYERS_AT, "DEST", "mount the layers on DEST instead of as the root" },
  { "overlay", 0, 1, OPT_OVERLAY, "KIND", "auto (default), kernel or fuse (fuse-overlayfs)" },
  { NULL, 0, 0, 0, NULL, NULL },
};

static int
parse_mode (const char *opt, const char *s, mode_t *out, struct nook_error *err)
{
  char *end;
  unsigned long v;

  errno = 0;
  v = strtoul (s, &end, 8);
  if (errno || end == s || *end || v > 07777 || s[0] == '-')
    return nook_error_set (err, 0, "--%s needs an octal mode such as 0755, not `%s`", opt, s);
  *out = v;
  return 0;
}

static struct nook_mount_op *
add (struct nook_spec *spec, enum nook_mount_kind kind, const char *src, const char *dest, unsigned flags)
{
  return nook_spec_add_mount (spec, kind, src, dest, flags);
}

/* podman's --tmpfs DEST[:size=64m,mode=1777]; rw, nosuid and nodev are
   what nook does anyway.  */
static int
add_tmpfs (struct nook_spec *spec, struct nook_parser *parser, const char *arg, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (arg);
  char *opts = strchr (copy, ':'), *save = NULL;
  struct nook_mount_op *op;
  uint64_t size = parser->next_size;
  mode_t mode = parser->next_perms ? parser->next_perms : 0755;

  if (opts)
    *opts++ = '\0';
  for (char *o = opts ? strtok_r (opts, ",", &save) : NULL; o; o = strtok_r (NULL, ",", &save))
    {
      if (strncmp (o, "size=", 5) == 0)
        {
          if (nook_parse_size (o + 5, &size) < 0 || size == 0)
            return nook_error_set (err, 0, "--tmpfs `%s`: `%s` is not a size such as 64m", arg, o + 5);
        }
      else if (strncmp (o, "mode=", 5) == 0)
        {
          if (parse_mode ("tmpfs", o + 5, &mode, err) < 0)
            return -1;
        }
      else if (strcmp (o, "rw") != 0 && strcmp (o, "nosuid") != 0 && strcmp (o, "nodev") != 0)
        return nook_error_set (err, 0, "--tmpfs `%s`: unknown option `%s` (size=N and mode=M are known)", arg,
                               o);
    }
  op = add (spec, NOOK_MNT_TMPFS, NULL, copy, 0);
  op->size = size;
  op->mode = mode;
  parser->next_size = 0;
  parser->next_perms = 0;
  return 0;
}

/* One option of -v SRC:DEST:OPTIONS, as podman reads it.  z and Z ask
   podman to relabel for SELinux; nook does not relabel, as podman does
   not on a host without SELinux.  */
static int
volume_option (const char *arg, const char *opt, unsigned *flags, struct nook_error *err)
{
  if (strcmp (opt, "ro") == 0)
    *flags |= NOOK_MNT_F_RDONLY;
  else if (strcmp (opt, "rw") == 0)
    *flags &= ~NOOK_MNT_F_RDONLY;
  else if (strcmp (opt, "dev") == 0)
    *flags |= NOOK_MNT_F_DEVICES;
  else if (strcmp (opt, "nodev") == 0)
    *flags &= ~NOOK_MNT_F_DEVICES;
  else if (strcmp (opt, "z") != 0 && strcmp (opt, "Z") != 0 && strcmp (opt, "rbind") != 0)
    return nook_error_set (
        err, 0, "--volume `%s`: option `%s` is not supported (ro, rw, dev, nodev, rbind, z, Z)", arg, opt);
  return 0;
}

/* podman's -v SRC:DEST[:OPTIONS]: a recursive bind, writable unless ro.  */
static int
add_volume (struct nook_spec *spec, const char *arg, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (arg);
  char *dest = strchr (copy, ':'), *opts, *opt, *save = NULL;
  cleanup_free char *abs = NULL;
  const char *src = copy;
  unsigned flags = 0;

  if (dest == NULL)
    {
      nook_error_set (err, 0, "--volume `%s`: use SRC:DEST or SRC:DEST:ro", arg);
      /* -v was --verbose before it was podman's --volume.  */
      if (arg[0] == '-')
        return nook_error_hint (err, "-v is --volume, as in podman; --verbose prints the setup steps");
      return nook_error_hint (err, "an anonymous volume is --tmpfs DEST in nook");
    }
  *dest++ = '\0';
  opts = strchr (dest, ':');
  if (opts)
    *opts++ = '\0';
  if (copy[0] == '\0' || dest[0] != '/')
    return nook_error_set (err, 0, "--volume `%s`: use SRC:DEST or SRC:DEST:ro, DEST an absolute path", arg);
  /* podman takes a SRC that is not a path for a named volume.  */
  if (copy[0] != '/' && copy[0] != '.')
    {
      nook_error_set (err, 0, "--volume `%s`: `%s` is not a path, and nook has no named volumes", arg, copy);
      return nook_error_hint (err, "a directory here is ./%s", copy);
    }
  /* A relative SRC is the caller's, as podman takes it: made absolute
     now, before the sandbox changes directory.  */
  if (copy[0] == '.')
    {
      cleanup_free char *cwd = getcwd (NULL, 0);
      if (cwd == NULL)
        return nook_error_errno (err, "--volume `%s`: cannot read the current directory", arg);
      src = abs = xasprintf ("%s/%s", cwd, copy);
    }
  for (opt = opts ? strtok_r (opts, ",", &save) : NULL; opt; opt = strtok_r (NULL, ",", &save))
    if (volume_option (arg, opt, &flags, err) < 0)
      return -1;
  add (spec, NOOK_MNT_BIND, src, dest, flags);
  return 0;
}

static int
add_file (struct nook_spec *spec, struct nook_parser *parser, const char *fdstr, const char *dest, bool ro,
          struct nook_error *err)
{
  struct nook_mount_op *op;
  uint64_t fd;

  if (nook_parse_uint (fdstr, 1 << 20, &fd) < 0)
    return nook_error_set (err, 0, "--%s needs an fd number, not `%s`", ro ? "ro-file" : "file", fdstr);
  op = add (spec, NOOK_MNT_FILE, NULL, dest, ro ? NOOK_MNT_F_RDONLY : 0);
  op->fd = fd;
  op->mode = parser->next_perms;
  parser->next_perms = 0;
  return 0;
}

/* --layer, --upper and --layers-at describe one stack: the first of them
   places it among the mount operations.  */
static struct nook_overlay *
current_layers (struct nook_spec *spec, struct nook_parser *parser)
{
  if (parser->layers_op == 0)
    {
      nook_spec_add_overlay (spec, NULL);
      parser->layers_op = spec->n_mounts;
    }
  return spec->mounts[parser->layers_op - 1].overlay;
}

static int
layers_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
              struct nook_error *err)
{
  struct nook_overlay *ov;

  switch (o->id)
    {
    case OPT_LAYER:
      strv_append (&current_layers (spec, parser)->lowers, val[0]);
      return 0;
    case OPT_UPPER:
      ov = current_layers (spec, parser);
      if (ov->upper)
        return nook_error_set (err, 0, "--upper given twice");
      ov->upper = xstrdup (val[0]);
      return 0;
    case OPT_LAYERS_AT:
      current_layers (spec, parser);
      nook_option_string (&spec->mounts[parser->layers_op - 1].dest, val[0]);
      return 0;
    case OPT_OVERLAY:
      if (strcmp (val[0], "auto") == 0)
        spec->fs.overlay_kind = NOOK_OVERLAY_AUTO;
      else if (strcmp (val[0], "kernel") == 0)
        spec->fs.overlay_kind = NOOK_OVERLAY_KERNEL;
      else if (strcmp (val[0], "fuse") == 0)
        spec->fs.overlay_kind = NOOK_OVERLAY_FUSE;
      else
        return nook_error_set (err, 0, "--overlay takes auto, kernel or fuse, not `%s`", val[0]);
      return 0;
    }
  return nook_error_set (err, 0, "option --%s is not handled", o->name);
}

/* --bind and its variants.  */
static void
add_bind (struct nook_spec *spec, int id, const char *src, const char *dest)
{
  static const unsigned bind_flags[] = {
    [OPT_BIND] = 0,
    [OPT_BIND_TRY] = NOOK_MNT_F_TRY,
    [OPT_RO_BIND] = NOOK_MNT_F_RDONLY,
    [OPT_RO_BIND_TRY] = NOOK_MNT_F_RDONLY | NOOK_MNT_F_TRY,
    [OPT_DEV_BIND] = NOOK_MNT_F_DEVICES,
    [OPT_DEV_BIND_TRY] = NOOK_MNT_F_DEVICES | NOOK_MNT_F_TRY,
  };
  add (spec, NOOK_MNT_BIND, src, dest, bind_flags[id]);
}

/* --size and --perms: parser state for the next mount.  */
static int
next_apply (const struct nook_option *o, char **val, struct nook_parser *parser, struct nook_error *err)
{
  uint64_t size;

  if (o->id == OPT_PERMS)
    return parse_mode ("perms", val[0], &parser->next_perms, err);
  if (nook_parse_size (val[0], &size) < 0 || size == 0)
    return nook_error_set (err, 0, "--size needs a size such as 64m, not `%s`", val[0]);
  parser->next_size = size;
  return 0;
}

static int
mount_apply (const struct nook_option *o, char **val, struct nook_spec *spec, struct nook_parser *parser,
             struct nook_error *err)
{
  /* Options that put a new instance of a kind on DEST.  */
  static const enum nook_mount_kind on_dest[] = {
    [OPT_PROC] = NOOK_MNT_PROC,
    [OPT_DEV] = NOOK_MNT_DEV,
    [OPT_MQUEUE] = NOOK_MNT_MQUEUE,
    [OPT_REMOUNT_RO] = NOOK_MNT_REMOUNT_RO,
  };
  struct nook_mount_op *op;
  mode_t mode;

  switch (o->id)
    {
    case OPT_BIND:
    case OPT_BIND_TRY:
    case OPT_RO_BIND:
    case OPT_RO_BIND_TRY:
    case OPT_DEV_BIND:
    case OPT_DEV_BIND_TRY:
      add_bind (spec, o->id, val[0], val[1]);
      return 0;
    case OPT_VOLUME:
      return add_volume (spec, val[0], err);
    case OPT_TMPFS:
      return add_tmpfs (spec, parser, val[0], err);
    case OPT_SIZE:
    case OPT_PERMS:
      return next_apply (o, val, parser, err);
    case OPT_DIR:
      op = add (spec, NOOK_MNT_DIR, NULL, val[0], 0);
      op->mode = parser->next_perms;
      parser->next_perms = 0;
      return 0;
    case OPT_SYMLINK:
      add (spec, NOOK_MNT_SYMLINK, val[0], val[1], 0);
      return 0;
    case OPT_FILE:
    case OPT_RO_FILE:
      return add_file (spec, parser, val[0], val[1], o->id == OPT_RO_FILE, err);
    case OPT_PROC:
    case OPT_DEV:
    case OPT_MQUEUE:
    case OPT_REMOUNT_RO:
      add (spec, on_dest[o->id], NULL, val[0], 0);
      return 0;
    case OPT_CHMOD:
      if (parse_mode ("chmod", val[0], &mode, err) < 0)
        return -1;
      add (spec, NOOK_MNT_CHMOD, NULL, val[1], 0)->mode = mode;
      return 0;
    }
  return layers_apply (o, val, spec, parser, err);
}

static int
mount_check (const struct nook_spec *spec, const struct nook_parser *parser, struct nook_error *err)
{
  const struct nook_overlay *ov;

  if (parser->next_size || parser->next_perms)
    return nook_error_set (err, 0, "--size and --perms apply to a following --tmpfs, --dir or --file");
  if (parser->layers_op == 0)
    return 0;
  ov = spec->mounts[parser->layers_op - 1].overlay;
  if (ov->lowers == NULL)
    return nook_error_set (err, 0, "--upper and --layers-at need at least one --layer DIR");
  if (spec->mounts[parser->layers_op - 1].dest == NULL && spec->rootfs)
    return nook_error_set (err, 0,
                           "--layer makes the root: use --layers-at DEST to combine it with --rootfs");
  return 0;
}

const struct nook_option_group nook_mount_options
    = { "Filesystem options (applied in order, later over earlier)", mount_options, mount_apply,
        mount_check };
