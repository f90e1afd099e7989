/* nook: user and group names, looked up in a sandbox's root.
 *
 * `-u NAME[:GROUP]` and an image's User name accounts of the sandbox's
 * root, not the host's: /etc/passwd and /etc/group are read from the
 * root's directories (a --rootfs, the layers of a stack, topmost first,
 * or the host's / for the default root, which binds the host's /etc).  A
 * root may come from an image anyone published: the files are opened with
 * openat2(RESOLVE_IN_ROOT), so a symlink in it resolves inside it and
 * never reaches the host's files; only a regular file is read, and only
 * its first MiB.
 */
#ifndef NOOK_PASSWD_H
#define NOOK_PASSWD_H

#include <stdint.h>

#include "error.h"

struct nook_spec;

/**
 * nook_passwd_lookup - an account's id in the first root that has the file
 * @roots: directories, the one that wins first; NULL-terminated
 * @file: "etc/passwd" or "etc/group"
 * @name: the user's or group's name
 * @id: gets its uid (passwd) or gid (group)
 * @gid: gets the user's primary group (passwd only), or NULL
 *
 * Return: 0; -1 when no root has the file, or the first that has it does
 * not name @name.
 */
int nook_passwd_lookup (char *const *roots, const char *file, const char *name, uint32_t *id, uint32_t *gid);

/**
 * nook_user_resolve - turn `-u NAME[:GROUP]` into ids
 * @spec: its user text (spec->user, when a part of it is a name) is
 *        looked up in the sandbox's root; spec->uid and spec->gid are set
 * @err: names the name and the file that lacks it
 *
 * A name alone gives the user's primary group too, as podman does.
 *
 * Return: 0, or -1 with @err set.
 */
int nook_user_resolve (struct nook_spec *spec, struct nook_error *err);

#endif
