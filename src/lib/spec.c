/* nook: struct nook_spec's life: init, the small setters front ends
   share, and free.  */
#include <config.h>

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "caller.h"
#include "error.h"
#include "spec.h"
#include "utils.h"

void
nook_spec_init (struct nook_spec *spec)
{
  memset (spec, 0, sizeof *spec);
  spec->uid = 0;
  spec->gid = 0;
  spec->life.remove = -1;
  spec->life.log_size = NOOK_LOG_SIZE_DEFAULT;
  spec->life.userns_fd = spec->life.userns2_fd = spec->life.pidns_fd = -1;
  spec->life.info_fd = spec->life.json_status_fd = -1;
  spec->life.block_fd = spec->life.userns_block_fd = spec->life.sync_fd = -1;
}

void
nook_spec_free (struct nook_spec *spec)
{
  strv_free (spec->argv);
  free (spec->argv0);
  free (spec->name);
  free (spec->user);
  free (spec->hostname);
  free (spec->domainname);
  strv_free (spec->sysctl);
  free (spec->timens.path);
  free (spec->groups);
  free (spec->rootfs);
  free (spec->chdir);
  for (size_t i = 0; i < spec->n_mounts; i++)
    {
      free (spec->mounts[i].src);
      free (spec->mounts[i].dest);
      if (spec->mounts[i].overlay)
        {
          strv_free (spec->mounts[i].overlay->lowers);
          free (spec->mounts[i].overlay->upper);
          free (spec->mounts[i].overlay->work);
          free (spec->mounts[i].overlay);
        }
    }
  free (spec->mounts);
  for (size_t i = 0; i < spec->n_env_ops; i++)
    {
      free (spec->env_ops[i].key);
      free (spec->env_ops[i].value);
    }
  free (spec->env_ops);
  nook_security_free (&spec->security);
  nook_limits_free (&spec->limits);
  nook_net_spec_free (&spec->net);
  nook_life_spec_free (&spec->life);
  nook_image_spec_free (&spec->image);
  nook_desktop_spec_free (&spec->desktop);
  memset (spec, 0, sizeof *spec);
}

struct nook_mount_op *
nook_spec_add_mount (struct nook_spec *spec, enum nook_mount_kind kind, const char *src, const char *dest,
                     unsigned flags)
{
  struct nook_mount_op *op;

  spec->mounts = xrealloc (spec->mounts, (spec->n_mounts + 1) * sizeof *spec->mounts);
  op = &spec->mounts[spec->n_mounts++];
  memset (op, 0, sizeof *op);
  op->kind = kind;
  op->flags = flags;
  op->src = xstrdup (src);
  op->dest = xstrdup (dest);
  op->fd = -1;
  return op;
}

struct nook_overlay *
nook_spec_add_overlay (struct nook_spec *spec, const char *dest)
{
  struct nook_mount_op *op = nook_spec_add_mount (spec, NOOK_MNT_OVERLAY, NULL, dest, 0);
  op->overlay = xcalloc (1, sizeof *op->overlay);
  return op->overlay;
}

const char *
nook_spec_hostname (const struct nook_spec *spec)
{
  return spec->hostname ? spec->hostname : spec->name ? spec->name : "nook";
}

void
nook_spec_add_env (struct nook_spec *spec, const char *key, const char *value)
{
  spec->env_ops = xrealloc (spec->env_ops, (spec->n_env_ops + 1) * sizeof *spec->env_ops);
  spec->env_ops[spec->n_env_ops].key = xstrdup (key);
  spec->env_ops[spec->n_env_ops].value = xstrdup (value);
  spec->n_env_ops++;
}

static bool
env_is_safe (const char *entry)
{
  static const char *const names[] = { "PATH=", "TERM=", "LANG=", "LANGUAGE=", "COLORTERM=", NULL };
  for (size_t i = 0; names[i]; i++)
    if (strncmp (entry, names[i], strlen (names[i])) == 0)
      return true;
  return strncmp (entry, "LC_", 3) == 0;
}

void
nook_env_set (char ***env, const char *key, const char *value)
{
  size_t klen = strlen (key);
  char **e = *env;
  size_t i, j;

  for (i = j = 0; e && e[i]; i++)
    {
      if (strncmp (e[i], key, klen) == 0 && e[i][klen] == '=')
        free (e[i]);
      else
        e[j++] = e[i];
    }
  if (e)
    e[j] = NULL;
  if (value)
    {
      char *kv = xasprintf ("%s=%s", key, value);
      strv_append (env, kv);
      free (kv);
    }
}

char **
nook_spec_build_env (const struct nook_spec *spec, const struct nook_caller *caller, char *const *caller_env)
{
  char **env = NULL;
  bool have_path = false;

  if (spec->clear_env)
    {
      for (size_t i = 0; i < spec->n_env_ops; i++)
        if (spec->env_ops[i].key)
          nook_env_set (&env, spec->env_ops[i].key, spec->env_ops[i].value);
      return env ? env : xcalloc (1, sizeof (char *));
    }
  for (size_t i = 0; caller_env && caller_env[i]; i++)
    if (spec->keep_env || env_is_safe (caller_env[i]))
      {
        strv_append (&env, caller_env[i]);
        have_path |= strncmp (caller_env[i], "PATH=", 5) == 0;
      }
  if (!have_path)
    nook_env_set (&env, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  if (!spec->keep_env)
    {
      nook_env_set (&env, "HOME", caller->home ? caller->home : "/");
      if (caller->user)
        nook_env_set (&env, "USER", caller->user);
      nook_env_set (&env, "HOSTNAME", nook_spec_hostname (spec));
    }
  for (size_t i = 0; i < spec->n_env_ops; i++)
    if (spec->env_ops[i].key == NULL)
      {
        /* A step that clears what came before (bubblewrap's --clearenv).  */
        strv_free (env);
        env = NULL;
      }
    else
      nook_env_set (&env, spec->env_ops[i].key, spec->env_ops[i].value);
  if (env == NULL)
    env = xcalloc (1, sizeof (char *));
  return env;
}
