/* nook: talking to a registry: references, HTTP through libcurl (opened
 * with dlopen), authentication.
 */
#ifndef NOOK_REGISTRY_H
#define NOOK_REGISTRY_H

#include <nettle/sha2.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>

#include "error.h"
#include "imgstore.h"

/* A reference split as the distribution API needs it.  */
struct nook_ref
{
  char *domain;     /* as written: docker.io, localhost:5000 */
  char *host;       /* where to connect: registry-1.docker.io for docker.io */
  char *path;       /* library/busybox */
  char *tag;        /* NULL when pulled by digest */
  char *digest;     /* NULL when pulled by tag */
  char *short_path; /* the path as written, without a registry */
  bool qualified;   /* the reference names its registry */
};

/**
 * nook_ref_parse - parse an image reference
 * @ref: [DOMAIN/]PATH[:TAG][@DIGEST]
 * @r: filled with owned strings; release with nook_ref_release
 * @err: set on failure
 *
 * A first component with `.` or `:`, or `localhost`, is a registry; else
 * docker.io (and library/ for one component) until nook_pull tries the
 * search registries.
 *
 * Return: 0, or -1 with @err set when @ref is malformed.
 */
int nook_ref_parse (const char *ref, struct nook_ref *r, struct nook_error *err);

/**
 * nook_ref_release - free a parsed reference's strings
 * @r: zeroed
 */
void nook_ref_release (struct nook_ref *r);

/**
 * nook_ref_set_domain - point a reference at a registry
 * @r: its domain (and path) are replaced
 * @domain: the registry; docker.io becomes registry-1.docker.io, with
 *          library/ for a path of one component
 */
void nook_ref_set_domain (struct nook_ref *r, const char *domain);

/**
 * nook_search_registries - the registries a short name is tried on
 *
 * Return: unqualified-search-registries of podman's registries.conf, else
 * docker.io: a vector the caller frees; never fails.
 */
char **nook_search_registries (void);

/* One registry being talked to.  */
struct nook_registry
{
  struct nook_ref ref;
  bool tls_verify;     /* false: also accept a registry without valid TLS, or plain HTTP */
  const char *scheme;  /* "https", or "http" after a refused TLS handshake without tls_verify */
  char *auth;          /* the Authorization header, once the registry asked for one */
  char *basic;         /* base64 user:password from auth.json, or NULL */
  const char *actions; /* the token's scope: "pull" (NULL) or "pull,push" */
  /* Called as a body arrives or is sent (may be NULL): bytes so far and
     the whole (0 when not known).  */
  void (*transfer) (uint64_t now, uint64_t total, void *data);
  void *transfer_data;
};

/* What a request sends: DATA[0..LEN) or, with FD >= 0, SIZE bytes of FD
   (read from its start, again when the request is repeated).  */
struct nook_http_body
{
  const void *data;
  size_t len;
  int fd;
  uint64_t size;
};

/* One response: the body in memory (manifests, tokens) or in a file
   (blobs, hashed as they arrive).  */
struct nook_http_resp
{
  long status;
  long hdr_status; /* of the response whose headers came last */
  char *body;
  size_t len;
  int fd;
  struct sha256_ctx sha;
  uint64_t written;
  bool too_big;
  char *www_auth;
  char *content_type;
  char *location;                   /* the Location header, or NULL */
  char digest[NOOK_DIGEST_LEN + 1]; /* Docker-Content-Digest, or "" */
};

/**
 * nook_http_resp_release - free a response's body and headers
 * @r: its strings are freed and it is reset (fd -1); the fd itself
 *     belongs to the caller
 */
void nook_http_resp_release (struct nook_http_resp *r);

/**
 * nook_registry_load_libcurl - open libcurl, once
 * @err: set on failure
 *
 * Return: 0, or -1 with @err set (and a hint) when libcurl.so.4 is not
 * installed or lacks a function nook calls.
 */
int nook_registry_load_libcurl (struct nook_error *err);

/**
 * nook_registry_credentials - the credentials the user keeps for a registry
 * @domain: the registry
 *
 * Looks in podman's auth files ($XDG_RUNTIME_DIR/containers/auth.json,
 * ~/.config/containers/auth.json), then docker's (~/.docker/config.json).
 *
 * Return: the base64 "auth" of the first that has @domain, which the
 * caller frees; NULL when none has it.
 */
char *nook_registry_credentials (const char *domain);

/**
 * nook_registry_get - GET /v2/PATH/KIND/REF
 * @reg: the registry
 * @kind: "manifests" or "blobs"
 * @ref: a tag or a digest
 * @accept: the Accept header (may be NULL)
 * @fd: where a 200's body goes (-1: into @r->body, at most 4 MiB)
 * @r: filled with the response
 * @err: filled on failure
 *
 * Authenticates once when the registry answers 401; without tls_verify,
 * falls back to HTTP when the registry does not speak TLS.
 *
 * Return: 0 for a 200, or -1 with @err set (naming 404s, refused logins,
 * unreachable registries) and @r released.
 */
int nook_registry_get (struct nook_registry *reg, const char *kind, const char *ref, const char *accept,
                       int fd, struct nook_http_resp *r, struct nook_error *err);

/**
 * nook_registry_send - one request to a registry, for a push
 * @reg: the registry (reg->actions "pull,push" for a push's token)
 * @method: "HEAD", "POST", "PUT" or "PATCH"
 * @url: a path (/v2/...) or a URL the registry gave (Location)
 * @content_type: the Content-Type header, or NULL
 * @body: what to send, or NULL
 * @r: filled with the answer, whatever its status
 * @err: set on failure
 *
 * Authenticates once when the registry answers 401, as nook_registry_get.
 *
 * Return: 0 when the registry answered (the caller reads r->status), or
 * -1 with @err set when it could not be reached or refused the login.
 */
int nook_registry_send (struct nook_registry *reg, const char *method, const char *url,
                        const char *content_type, const struct nook_http_body *body, struct nook_http_resp *r,
                        struct nook_error *err);

#endif
