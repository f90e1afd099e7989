/* nook: pulling images from a registry (the OCI distribution API).
 *
 * A pull downloads the manifest (choosing this platform from an index), the
 * config and the layers into an OCI layout under the store's tmp/, checking
 * each blob's digest as it arrives, and loads that layout: the same checks
 * and the same single rename into the store as nook load.
 *
 * Authentication follows the registry's WWW-Authenticate: Bearer (a token
 * from the realm it names, for repository:PATH:pull, anonymous or with the
 * credentials of auth.json) or Basic (the credentials of auth.json).
 */
#include <config.h>

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <nettle/sha2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image-load.h"
#include "pull.h"
#include "utils.h"

/* Manifests and token answers are small.  */
#define SMALL_MAX (4 << 20)

#define CURL_FUNCS(X)                                                                                        \
  X (curl_easy_init)                                                                                         \
  X (curl_easy_setopt)                                                                                       \
  X (curl_easy_perform)                                                                                      \
  X (curl_easy_getinfo)                                                                                      \
  X (curl_easy_cleanup)                                                                                      \
  X (curl_easy_strerror)                                                                                     \
  X (curl_easy_escape)                                                                                       \
  X (curl_free)                                                                                              \
  X (curl_slist_append)                                                                                      \
  X (curl_slist_free_all)

static struct
{
#define X(f) __typeof__ (f) *f;
  CURL_FUNCS (X)
#undef X
} cu;

static int
load_libcurl (struct nook_error *err)
{
  void *h;

  if (cu.curl_easy_init)
    return 0;
  h = dlopen ("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
  if (h == NULL)
    {
      nook_error_set (err, 0, "cannot load libcurl.so.4 to reach registries: %s", dlerror ());
      return nook_error_hint (err, "install the package libcurl4 (apt install libcurl4)");
    }
#define X(f)                                                                                                 \
  if ((cu.f = (__typeof__ (f) *)dlsym (h, #f)) == NULL)                                                      \
    return nook_error_set (err, 0, "libcurl.so.4 lacks %s", #f);
  CURL_FUNCS (X)
#undef X
  return 0;
}

/* ---- references ------------------------------------------------------------------- */

void
nook_ref_release (struct nook_ref *r)
{
  free (r->domain);
  free (r->host);
  free (r->path);
  free (r->tag);
  free (r->digest);
  memset (r, 0, sizeof *r);
}

int
nook_ref_parse (const char *ref, struct nook_ref *r, struct nook_error *err)
{
  cleanup_free char *copy = xstrdup (ref), *check = NULL;
  char *at = strchr (copy, '@'), *slash, *colon, *rest = copy;

  memset (r, 0, sizeof *r);
  if (at)
    {
      *at = '\0';
      if (!nook_digest_is_valid (at + 1))
        return nook_error_set (err, 0, "`%s`: `%s` is not a sha256 digest", ref, at + 1);
      r->digest = xstrdup (at + 1);
    }
  slash = strchr (copy, '/');
  if (slash
      && (memchr (copy, '.', slash - copy) || memchr (copy, ':', slash - copy)
          || strncmp (copy, "localhost/", 10) == 0))
    {
      *slash = '\0';
      r->domain = xstrdup (copy);
      rest = slash + 1;
    }
  else
    r->domain = xstrdup ("docker.io");
  colon = strrchr (rest, ':');
  if (colon)
    {
      r->tag = xstrdup (colon + 1);
      *colon = '\0';
    }
  else if (r->digest == NULL)
    r->tag = xstrdup ("latest");
  r->path = strcmp (r->domain, "docker.io") == 0 && strchr (rest, '/') == NULL
                ? xasprintf ("library/%s", rest)
                : xstrdup (rest);
  r->host = xstrdup (strcmp (r->domain, "docker.io") == 0 ? "registry-1.docker.io" : r->domain);
  /* The rules of stored names: nothing that a URL or a path could misread.  */
  {
    cleanup_free char *full = xasprintf ("%s/%s:%s", r->domain, r->path, r->tag ? r->tag : "latest");
    check = nook_image_name_normalize (full);
  }
  if (check == NULL || *r->path == '\0' || (r->tag && (*r->tag == '\0' || strchr (r->tag, '/'))))
    {
      nook_ref_release (r);
      return nook_error_set (err, 0, "`%s` is not an image reference (Hint: [REGISTRY/]NAME[:TAG][@DIGEST])",
                             ref);
    }
  return 0;
}

/* ---- HTTP -------------------------------------------------------------------------- */

struct pull
{
  struct nook_ref ref;
  const struct nook_pull_opts *opts;
  const char *scheme; /* "https", or "http" after a refused TLS handshake without --tls-verify */
  char *auth;         /* the Authorization header, once the registry asked for one */
  char *basic;        /* base64 user:password from auth.json, or NULL */
  int dirfd;          /* the layout being filled */
};

/* One response: the body in memory (manifests, tokens) or in a file
   (blobs, hashed as they arrive).  */
struct resp
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
};

static void
resp_release (struct resp *r)
{
  free (r->body);
  free (r->www_auth);
  free (r->content_type);
  memset (r, 0, sizeof *r);
  r->fd = -1;
}

static size_t
on_body (char *data, size_t size, size_t n, void *p)
{
  struct resp *r = p;
  size_t len = size * n;

  /* Only a 200 is the content: an error page is kept in memory.  */
  if (r->fd >= 0 && r->hdr_status == 200)
    {
      if (nook_write_all (r->fd, data, len) < 0)
        return 0;
      sha256_update (&r->sha, len, (const uint8_t *)data);
      r->written += len;
      return len;
    }
  if (r->len + len > SMALL_MAX)
    {
      r->too_big = true;
      return 0;
    }
  r->body = xrealloc (r->body, r->len + len + 1);
  memcpy (r->body + r->len, data, len);
  r->len += len;
  r->body[r->len] = '\0';
  return len;
}

static char *
header_value (const char *line, size_t len, const char *name)
{
  size_t n = strlen (name);
  const char *v;

  if (len <= n || strncasecmp (line, name, n) != 0 || line[n] != ':')
    return NULL;
  v = line + n + 1;
  while (*v == ' ' || *v == '\t')
    v++;
  len -= v - line;
  while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n'))
    len--;
  return strndup (v, len);
}

static size_t
on_header (char *line, size_t size, size_t n, void *p)
{
  struct resp *r = p;
  size_t len = size * n;
  char *v;

  /* A status line starts the headers of each response (redirects).  */
  if (len > 5 && strncmp (line, "HTTP/", 5) == 0)
    {
      free (r->www_auth), r->www_auth = NULL;
      free (r->content_type), r->content_type = NULL;
      /* on_body writes a 200's body to the file, any other to memory.  */
      if (sscanf (line, "HTTP/%*s %ld", &r->hdr_status) != 1)
        r->hdr_status = 0;
    }
  if ((v = header_value (line, len, "www-authenticate")))
    free (r->www_auth), r->www_auth = v;
  if ((v = header_value (line, len, "content-type")))
    free (r->content_type), r->content_type = v;
  return len;
}

/* GET URL with HEADERS; the body to FD (-1: memory).  */
static int
http_get (struct pull *p, const char *url, struct curl_slist *headers, int fd, struct resp *r,
          struct nook_error *err)
{
  CURL *c = cu.curl_easy_init ();
  char curl_err[CURL_ERROR_SIZE] = "";
  CURLcode rc;

  memset (r, 0, sizeof *r);
  r->fd = fd;
  sha256_init (&r->sha);
  if (c == NULL)
    return nook_error_set (err, 0, "libcurl: cannot start a transfer");
  cu.curl_easy_setopt (c, CURLOPT_URL, url);
  cu.curl_easy_setopt (c, CURLOPT_HTTPHEADER, headers);
  cu.curl_easy_setopt (c, CURLOPT_WRITEFUNCTION, on_body);
  cu.curl_easy_setopt (c, CURLOPT_WRITEDATA, r);
  cu.curl_easy_setopt (c, CURLOPT_HEADERFUNCTION, on_header);
  cu.curl_easy_setopt (c, CURLOPT_HEADERDATA, r);
  cu.curl_easy_setopt (c, CURLOPT_ERRORBUFFER, curl_err);
  /* Blobs are often served by a redirect to a CDN; libcurl does not send
     the Authorization header to another host.  */
  cu.curl_easy_setopt (c, CURLOPT_FOLLOWLOCATION, 1L);
  cu.curl_easy_setopt (c, CURLOPT_MAXREDIRS, 8L);
  cu.curl_easy_setopt (c, CURLOPT_PROTOCOLS_STR, "http,https");
  cu.curl_easy_setopt (c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  cu.curl_easy_setopt (c, CURLOPT_CONNECTTIMEOUT, 30L);
  /* A stalled transfer (under 1 byte/s for a minute) fails instead of hanging.  */
  cu.curl_easy_setopt (c, CURLOPT_LOW_SPEED_LIMIT, 1L);
  cu.curl_easy_setopt (c, CURLOPT_LOW_SPEED_TIME, 60L);
  cu.curl_easy_setopt (c, CURLOPT_NOSIGNAL, 1L);
  if (!p->opts->tls_verify)
    {
      cu.curl_easy_setopt (c, CURLOPT_SSL_VERIFYPEER, 0L);
      cu.curl_easy_setopt (c, CURLOPT_SSL_VERIFYHOST, 0L);
    }
  rc = cu.curl_easy_perform (c);
  if (rc == CURLE_OK || rc == CURLE_WRITE_ERROR)
    cu.curl_easy_getinfo (c, CURLINFO_RESPONSE_CODE, &r->status);
  cu.curl_easy_cleanup (c);
  if (r->too_big)
    return nook_error_set (err, 0, "%s: the answer is over %d bytes", url, SMALL_MAX);
  if (rc == CURLE_WRITE_ERROR)
    return nook_error_errno (err, "write what %s sent", url);
  if (rc != CURLE_OK)
    {
      nook_error_set (err, 0, "%s: %s", url, curl_err[0] ? curl_err : cu.curl_easy_strerror (rc));
      return rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ? -2 : -1;
    }
  return 0;
}

/* ---- authentication ---------------------------------------------------------------- */

/* The base64 "auth" of HOST in the first auth file that has it: podman's
   ($XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json),
   then docker's (~/.docker/config.json).  */
static char *
read_credentials (const char *domain)
{
  const char *runtime = getenv ("XDG_RUNTIME_DIR"), *home = getenv ("HOME");
  char *files[3] = { NULL, NULL, NULL }, *found = NULL;

  if (runtime && runtime[0] == '/')
    files[0] = xasprintf ("%s/containers/auth.json", runtime);
  if (home && home[0] == '/')
    {
      files[1] = xasprintf ("%s/.config/containers/auth.json", home);
      files[2] = xasprintf ("%s/.docker/config.json", home);
    }
  for (size_t i = 0; i < 3 && found == NULL; i++)
    {
      json_object *doc = files[i] && access (files[i], R_OK) == 0 ? json_object_from_file (files[i]) : NULL;
      json_object *auths, *entry;
      const char *a;

      if (doc && json_object_object_get_ex (doc, "auths", &auths)
          && (json_object_object_get_ex (auths, domain, &entry)
              || (strcmp (domain, "docker.io") == 0
                  && json_object_object_get_ex (auths, "https://index.docker.io/v1/", &entry)))
          && (a = nook_json_str (entry, "auth")) && *a && !strpbrk (a, "\r\n"))
        found = xstrdup (a);
      if (doc)
        json_object_put (doc);
    }
  for (size_t i = 0; i < 3; i++)
    free (files[i]);
  return found;
}

/* The value of KEY="..." in a WWW-Authenticate challenge.  */
static char *
challenge_param (const char *ch, const char *key)
{
  size_t n = strlen (key);

  for (const char *p = ch; (p = strstr (p, key)); p += n)
    if ((p == ch || p[-1] == ' ' || p[-1] == ',') && p[n] == '=' && p[n + 1] == '"')
      {
        const char *end = strchr (p + n + 2, '"');
        return end ? strndup (p + n + 2, end - (p + n + 2)) : NULL;
      }
  return NULL;
}

static int
fetch_token (struct pull *p, const char *challenge, struct nook_error *err)
{
  cleanup_free char *realm = challenge_param (challenge, "realm");
  cleanup_free char *service = challenge_param (challenge, "service"), *url = NULL, *hdr = NULL;
  char *esc_service = NULL, *esc_scope = NULL;
  cleanup_free char *scope = xasprintf ("repository:%s:pull", p->ref.path);
  struct curl_slist *headers = NULL;
  struct resp r;
  json_object *doc;
  const char *token;
  int ret;

  if (realm == NULL || strncmp (realm, "http", 4) != 0)
    return nook_error_set (err, 0, "%s: a Bearer challenge without a realm", p->ref.domain);
  esc_service = cu.curl_easy_escape (NULL, service ? service : "", 0);
  esc_scope = cu.curl_easy_escape (NULL, scope, 0);
  url = xasprintf ("%s%sservice=%s&scope=%s", realm, strchr (realm, '?') ? "&" : "?", esc_service, esc_scope);
  cu.curl_free (esc_service);
  cu.curl_free (esc_scope);
  if (p->basic)
    {
      hdr = xasprintf ("Authorization: Basic %s", p->basic);
      headers = cu.curl_slist_append (headers, hdr);
    }
  ret = http_get (p, url, headers, -1, &r, err);
  cu.curl_slist_free_all (headers);
  if (ret < 0)
    return resp_release (&r), nook_error_wrap (err, "get a token");
  if (r.status == 401 || r.status == 403)
    {
      resp_release (&r);
      nook_error_set (err, 0, "%s refused the login", p->ref.domain);
      return nook_error_hint (err, "%s",
                              p->basic ? "check the credentials in auth.json (podman login)"
                                       : "log in: podman login writes auth.json");
    }
  doc = r.status == 200 && r.body ? json_tokener_parse (r.body) : NULL;
  token = doc ? (nook_json_str (doc, "token") ?: nook_json_str (doc, "access_token")) : NULL;
  if (token && *token && !strpbrk (token, "\r\n"))
    {
      free (p->auth);
      p->auth = xasprintf ("Authorization: Bearer %s", token);
      ret = 0;
    }
  else
    ret = nook_error_set (err, 0, "%s: no token from %s (HTTP %ld)", p->ref.domain, realm, r.status);
  if (doc)
    json_object_put (doc);
  resp_release (&r);
  return ret;
}

/* Answers a 401: a token for Bearer, the credentials for Basic.  */
static int
authenticate (struct pull *p, const char *challenge, struct nook_error *err)
{
  if (challenge && strncasecmp (challenge, "Bearer ", 7) == 0)
    return fetch_token (p, challenge, err);
  if (challenge && strncasecmp (challenge, "Basic", 5) == 0 && p->basic)
    {
      free (p->auth);
      p->auth = xasprintf ("Authorization: Basic %s", p->basic);
      return 0;
    }
  nook_error_set (err, 0, "%s refused the login", p->ref.domain);
  return nook_error_hint (err, "log in: podman login writes ~/.config/containers/auth.json");
}

/* ---- the registry ------------------------------------------------------------------- */

/* GET /v2/PATH/KIND/REF with the Accept header ACCEPT (may be NULL),
   authenticating once when asked; a 200 or an error.  */
static int
registry_get (struct pull *p, const char *kind, const char *ref, const char *accept, int fd, struct resp *r,
              struct nook_error *err)
{
  bool authenticated = false;

  for (;;)
    {
      cleanup_free char *url
          = xasprintf ("%s://%s/v2/%s/%s/%s", p->scheme, p->ref.host, p->ref.path, kind, ref);
      cleanup_free char *acc = accept ? xasprintf ("Accept: %s", accept) : NULL;
      struct curl_slist *headers = NULL;
      int ret;

      if (acc)
        headers = cu.curl_slist_append (headers, acc);
      if (p->auth)
        headers = cu.curl_slist_append (headers, p->auth);
      if (fd >= 0 && (ftruncate (fd, 0) < 0 || lseek (fd, 0, SEEK_SET) < 0))
        return nook_error_errno (err, "truncate a download");
      ret = http_get (p, url, headers, fd, r, err);
      cu.curl_slist_free_all (headers);
      /* Without --tls-verify, a registry that does not speak TLS is asked
         over HTTP, as podman does for an insecure registry.  */
      if (ret == -2 && !p->opts->tls_verify && strcmp (p->scheme, "https") == 0)
        {
          nook_error_release (err);
          resp_release (r);
          p->scheme = "http";
          continue;
        }
      if (ret < 0)
        {
          resp_release (r);
          return nook_error_hint (err, ret == -2 ? "--tls-verify=false accepts a registry without valid TLS"
                                                 : "is the registry reachable?");
        }
      if (r->status == 401 && !authenticated)
        {
          authenticated = true;
          cleanup_free char *challenge = r->www_auth ? xstrdup (r->www_auth) : NULL;
          resp_release (r);
          if (authenticate (p, challenge, err) < 0)
            return -1;
          continue;
        }
      if (r->status == 200)
        return 0;
      long status = r->status;
      ret = r->status == 401 || r->status == 403 ? nook_error_set (
                err, 0, "%s refused access to %s (HTTP %ld)", p->ref.domain, p->ref.path, r->status)
            : r->status == 404
                ? nook_error_set (err, 0, "%s has no %s %s in %s (HTTP 404)", p->ref.domain,
                                  strcmp (kind, "blobs") == 0 ? "blob" : "manifest", ref, p->ref.path)
                : nook_error_set (err, 0, "%s: HTTP %ld for %s %s", p->ref.domain, r->status, kind, ref);
      resp_release (r);
      if (status == 404 && strcmp (kind, "manifests") == 0)
        nook_error_hint (err, "check the name and the tag");
      return ret;
    }
}

#define MANIFEST_TYPES                                                                                       \
  "application/vnd.oci.image.index.v1+json, application/vnd.oci.image.manifest.v1+json, "                    \
  "application/vnd.docker.distribution.manifest.list.v2+json, "                                              \
  "application/vnd.docker.distribution.manifest.v2+json"

static int
write_blob_file (struct pull *p, const char *digest, const void *data, size_t len, struct nook_error *err)
{
  cleanup_free char *tmp = xasprintf ("blobs/sha256/%s.%d", digest + 7, (int)getpid ());
  cleanup_free char *dest = xasprintf ("blobs/sha256/%s", digest + 7);
  cleanup_close int fd = openat (p->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0 || nook_write_all (fd, data, len) < 0 || renameat (p->dirfd, tmp, p->dirfd, dest) < 0)
    return nook_error_errno (err, "write blob %s", digest);
  return 0;
}

/* Gets a manifest (or index) by tag or digest, checks its digest, keeps it
   as a blob; fills DIGEST and returns its JSON.  */
static json_object *
get_manifest (struct pull *p, const char *ref, char digest[NOOK_DIGEST_LEN + 1], char **type,
              struct nook_error *err)
{
  struct sha256_ctx ctx;
  uint8_t d[SHA256_DIGEST_SIZE];
  json_object *doc;
  struct resp r;

  if (registry_get (p, "manifests", ref, MANIFEST_TYPES, -1, &r, err) < 0)
    return NULL;
  sha256_init (&ctx);
  sha256_update (&ctx, r.len, (const uint8_t *)(r.body ? r.body : ""));
  sha256_digest (&ctx, sizeof d, d);
  memcpy (digest, "sha256:", 7);
  for (size_t i = 0; i < sizeof d; i++)
    snprintf (digest + 7 + 2 * i, 3, "%02x", d[i]);
  if (strncmp (ref, "sha256:", 7) == 0 && strcmp (ref, digest) != 0)
    {
      resp_release (&r);
      return nook_error_set (err, 0, "manifest %s: its content has digest %s: corrupted or tampered with",
                             ref, digest),
             NULL;
    }
  doc = r.body ? json_tokener_parse (r.body) : NULL;
  if (doc == NULL || !json_object_is_type (doc, json_type_object)
      || write_blob_file (p, digest, r.body, r.len, err) < 0)
    {
      if (doc == NULL)
        nook_error_set (err, 0, "manifest %s of %s: not JSON", ref, p->ref.path);
      if (doc)
        json_object_put (doc);
      resp_release (&r);
      return NULL;
    }
  *type = xstrdup (nook_json_str (doc, "mediaType") ?: r.content_type ?: "");
  resp_release (&r);
  return doc;
}

/* Downloads a blob unless a complete one is there: a killed pull keeps
   the blobs it finished.  Checked against DIGEST as it arrives.  */
static int
get_blob (struct pull *p, const char *digest, struct nook_error *err)
{
  cleanup_free char *dest = NULL, *tmp = NULL;
  cleanup_close int fd = -1;
  char got[NOOK_DIGEST_LEN + 1];
  uint8_t d[SHA256_DIGEST_SIZE];
  struct stat st;
  struct resp r;

  if (!nook_digest_is_valid (digest))
    return nook_error_set (err, 0, "`%s` is not a sha256 digest", digest ? digest : "(none)");
  dest = xasprintf ("blobs/sha256/%s", digest + 7);
  if (fstatat (p->dirfd, dest, &st, 0) == 0)
    {
      if (p->opts->progress)
        p->opts->progress (digest, st.st_size, true, p->opts->data);
      return 0;
    }
  tmp = xasprintf ("%s.%d", dest, (int)getpid ());
  fd = openat (p->dirfd, tmp, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0)
    return nook_error_errno (err, "image store: create a download");
  if (registry_get (p, "blobs", digest, NULL, fd, &r, err) < 0)
    {
      unlinkat (p->dirfd, tmp, 0);
      return -1;
    }
  sha256_digest (&r.sha, sizeof d, d);
  memcpy (got, "sha256:", 7);
  for (size_t i = 0; i < sizeof d; i++)
    snprintf (got + 7 + 2 * i, 3, "%02x", d[i]);
  if (strcmp (got, digest) != 0 || renameat (p->dirfd, tmp, p->dirfd, dest) < 0)
    {
      unlinkat (p->dirfd, tmp, 0);
      resp_release (&r);
      if (strcmp (got, digest) != 0)
        return nook_error_set (err, 0, "blob %s: its content has digest %s: corrupted or tampered with",
                               digest, got);
      return nook_error_errno (err, "image store: keep blob %s", digest);
    }
  if (p->opts->progress)
    p->opts->progress (digest, r.written, false, p->opts->data);
  resp_release (&r);
  return 0;
}

/* The blobs of an image manifest: its config and layers.  */
static int
get_image_blobs (struct pull *p, json_object *manifest, struct nook_error *err)
{
  json_object *config, *layers;

  if (!json_object_object_get_ex (manifest, "config", &config)
      || !json_object_object_get_ex (manifest, "layers", &layers)
      || !json_object_is_type (layers, json_type_array))
    return nook_error_set (err, 0, "%s: the manifest has no config or layers (a schema 1 manifest?)",
                           p->ref.path);
  if (get_blob (p, nook_json_str (config, "digest"), err) < 0)
    return -1;
  for (size_t i = 0; i < json_object_array_length (layers); i++)
    if (get_blob (p, nook_json_str (json_object_array_get_idx (layers, i), "digest"), err) < 0)
      return -1;
  return 0;
}

/* index.json of the layout: the manifest (or index) pulled.  */
static int
write_index (struct pull *p, const char *type, const char *digest, struct nook_error *err)
{
  cleanup_free char *text
      = xasprintf ("{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"%s\",\"digest\":\"%s\"}]}",
                   strpbrk (type, "\"\\") ? "" : type, digest);
  cleanup_free char *tmp = xasprintf ("index.json.%d", (int)getpid ());
  cleanup_close int fd = openat (p->dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

  if (fd < 0 || nook_write_all (fd, text, strlen (text)) < 0
      || renameat (p->dirfd, tmp, p->dirfd, "index.json") < 0)
    return nook_error_errno (err, "write the layout's index.json");
  return 0;
}

static int
download (struct pull *p, struct nook_error *err)
{
  char top[NOOK_DIGEST_LEN + 1], sub[NOOK_DIGEST_LEN + 1];
  cleanup_free char *type = NULL, *subtype = NULL;
  json_object *doc, *m = NULL;
  int r = -1;

  doc = get_manifest (p, p->ref.digest ? p->ref.digest : p->ref.tag, top, &type, err);
  if (doc == NULL)
    return -1;
  if (json_object_object_get_ex (doc, "manifests", &m))
    {
      json_object *pick = json_object_is_type (m, json_type_array) ? nook_oci_choose_platform (m) : NULL;
      const char *d = pick ? nook_json_str (pick, "digest") : NULL;
      json_object *sm;

      if (d == NULL || !nook_digest_is_valid (d))
        nook_error_set (err, 0, "%s: the index has no image for this platform", p->ref.path);
      else if ((sm = get_manifest (p, d, sub, &subtype, err)) != NULL)
        {
          r = get_image_blobs (p, sm, err);
          json_object_put (sm);
        }
    }
  else
    r = get_image_blobs (p, doc, err);
  json_object_put (doc);
  if (r == 0)
    r = write_index (p, type, top, err);
  return r;
}

static int
open_layout (struct nook_images *s, const char *ref, char **dir, struct nook_error *err)
{
  struct sha256_ctx ctx;
  uint8_t d[SHA256_DIGEST_SIZE];
  char hex[17];
  int fd;

  sha256_init (&ctx);
  sha256_update (&ctx, strlen (ref), (const uint8_t *)ref);
  sha256_digest (&ctx, sizeof d, d);
  for (size_t i = 0; i < 8; i++)
    snprintf (hex + 2 * i, 3, "%02x", d[i]);
  *dir = xasprintf ("%s/tmp/pull-%s", s->path, hex);
  /* One pull of a reference at a time fills its layout; another waits,
     and when the first removed the layout after loading it, makes a new
     one (a deleted directory has no links).  */
  for (;;)
    {
      struct stat st;

      if ((mkdir (*dir, 0700) < 0 && errno != EEXIST)
          || (fd = open (*dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
        return nook_error_errno (err, "image store: `%s`", *dir);
      if (flock (fd, LOCK_EX) < 0 || fstat (fd, &st) < 0)
        {
          close (fd);
          return nook_error_errno (err, "image store: `%s`", *dir);
        }
      if (st.st_nlink > 0)
        break;
      close (fd);
    }
  if ((mkdirat (fd, "blobs", 0700) < 0 && errno != EEXIST)
      || (mkdirat (fd, "blobs/sha256", 0700) < 0 && errno != EEXIST))
    {
      close (fd);
      return nook_error_errno (err, "image store: `%s`", *dir);
    }
  return fd;
}

int
nook_pull (struct nook_images *s, const char *ref, const struct nook_pull_opts *opts,
           char id[NOOK_DIGEST_LEN + 1], char **name, struct nook_error *err)
{
  struct pull p = { .opts = opts, .scheme = "https", .dirfd = -1 };
  cleanup_free char *dir = NULL, *full = NULL;
  cleanup_strv char **ids = NULL, **names = NULL;
  int r = -1;

  *name = NULL;
  if (nook_ref_parse (ref, &p.ref, err) < 0)
    return nook_error_wrap (err, "pull");
  if (load_libcurl (err) < 0 || (p.dirfd = open_layout (s, ref, &dir, err)) < 0)
    goto out;
  p.basic = read_credentials (p.ref.domain);
  if (faccessat (p.dirfd, "oci-layout", F_OK, 0) < 0)
    {
      const char *layout = "{\"imageLayoutVersion\":\"1.0.0\"}";
      cleanup_close int fd = openat (p.dirfd, "oci-layout", O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
      if (fd < 0 || nook_write_all (fd, layout, strlen (layout)) < 0)
        {
          nook_error_errno (err, "image store: `%s/oci-layout`", dir);
          goto out;
        }
    }
  if (download (&p, err) < 0)
    goto out;
  full = p.ref.tag ? xasprintf ("%s/%s:%s", p.ref.domain, p.ref.path, p.ref.tag) : NULL;
  if (nook_image_load (s, dir, full, &ids, &names, err) < 0 || ids == NULL)
    goto out;
  memcpy (id, ids[0], NOOK_DIGEST_LEN + 1);
  *name = full ? xstrdup (full) : NULL;
  /* Loaded: the layout is not needed any more.  A failed pull keeps it
     for the next one.  */
  nook_rm_rf (dir);
  r = 0;
out:
  if (p.dirfd >= 0)
    close (p.dirfd);
  free (p.auth);
  free (p.basic);
  nook_ref_release (&p.ref);
  return r < 0 ? nook_error_wrap (err, "pull `%s`", ref) : 0;
}
