/* nook: talking to a registry (the OCI distribution API) through libcurl:
 * references, HTTP, authentication.
 *
 * libcurl is opened with dlopen on first use, as libarchive is: linked in, it
 * and its TLS and GSSAPI libraries would be mapped by every `nook run`.
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "imgstore.h"
#include "registry.h"
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

int
nook_registry_load_libcurl (struct nook_error *err)
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
  free (r->short_path);
  memset (r, 0, sizeof *r);
}

/* Points R at DOMAIN: docker.io is served by registry-1.docker.io and
   keeps official images under library/.  */
void
nook_ref_set_domain (struct nook_ref *r, const char *domain)
{
  char *d = xstrdup (domain);
  bool docker = strcmp (d, "docker.io") == 0;

  free (r->domain);
  free (r->host);
  free (r->path);
  r->domain = d;
  r->host = xstrdup (docker ? "registry-1.docker.io" : d);
  r->path = docker && strchr (r->short_path, '/') == NULL ? xasprintf ("library/%s", r->short_path)
                                                          : xstrdup (r->short_path);
}

/* unqualified-search-registries of podman's registries.conf: the user's
   ($XDG_CONFIG_HOME or ~/.config/containers/registries.conf) when it
   exists, else /etc/containers/registries.conf.  Only that key is read.
   Default: docker.io.  */
char **
nook_search_registries (void)
{
  const char *xdg = getenv ("XDG_CONFIG_HOME"), *home = getenv ("HOME");
  cleanup_free char *user = xdg && xdg[0] == '/' ? xasprintf ("%s/containers/registries.conf", xdg)
                            : home && home[0] == '/'
                                ? xasprintf ("%s/.config/containers/registries.conf", home)
                                : NULL;
  const char *file = user && access (user, R_OK) == 0 ? user : "/etc/containers/registries.conf";
  cleanup_free char *text = NULL;
  char **found = NULL, *p, *end;
  size_t len;

  if (nook_read_file_at (AT_FDCWD, file, &text, &len, NULL) == 0)
    for (p = text; (p = strstr (p, "unqualified-search-registries")); p++)
      {
        /* At the start of a line: not in a comment or another key.  */
        if (p != text && p[-1] != '\n')
          continue;
        if ((p = strchr (p, '[')) == NULL || (end = strchr (p, ']')) == NULL)
          break;
        *end = '\0';
        for (char *q = strchr (p, '"'); q; q = strchr (q, '"'))
          {
            char *close = strchr (q + 1, '"');
            if (close == NULL)
              break;
            *close = '\0';
            if (q[1]
                && strspn (q + 1, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:")
                       == strlen (q + 1))
              strv_append (&found, q + 1);
            q = close + 1;
          }
        break;
      }
  if (found == NULL)
    strv_append (&found, "docker.io");
  return found;
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
  r->qualified = rest != copy;
  colon = strrchr (rest, ':');
  if (colon)
    {
      r->tag = xstrdup (colon + 1);
      *colon = '\0';
    }
  else if (r->digest == NULL)
    r->tag = xstrdup ("latest");
  r->short_path = xstrdup (rest);
  nook_ref_set_domain (r, r->domain);
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

void
nook_http_resp_release (struct nook_http_resp *r)
{
  free (r->body);
  free (r->www_auth);
  free (r->content_type);
  free (r->location);
  memset (r, 0, sizeof *r);
  r->fd = -1;
}

static size_t
on_body (char *data, size_t size, size_t n, void *p)
{
  struct nook_http_resp *r = p;
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
  struct nook_http_resp *r = p;
  size_t len = size * n;
  char *v;

  /* A status line starts the headers of each response (redirects).  */
  if (len > 5 && strncmp (line, "HTTP/", 5) == 0)
    {
      free (r->www_auth), r->www_auth = NULL;
      free (r->content_type), r->content_type = NULL;
      free (r->location), r->location = NULL;
      /* on_body writes a 200's body to the file, any other to memory.  */
      if (sscanf (line, "HTTP/%*s %ld", &r->hdr_status) != 1)
        r->hdr_status = 0;
    }
  if ((v = header_value (line, len, "www-authenticate")))
    free (r->www_auth), r->www_auth = v;
  if ((v = header_value (line, len, "content-type")))
    free (r->content_type), r->content_type = v;
  if ((v = header_value (line, len, "location")))
    free (r->location), r->location = v;
  if ((v = header_value (line, len, "docker-content-digest")))
    {
      if (nook_digest_is_valid (v))
        memcpy (r->digest, v, NOOK_DIGEST_LEN + 1);
      free (v);
    }
  return len;
}

static size_t
on_read (char *buf, size_t size, size_t n, void *p)
{
  const struct nook_http_body *b = p;
  ssize_t got = read (b->fd, buf, size * n);

  return got < 0 ? CURL_READFUNC_ABORT : (size_t)got;
}

static int
on_transfer (void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
  struct nook_registry *reg = p;

  if (ultotal > 0 || ulnow > 0)
    reg->transfer (ulnow, ultotal, reg->transfer_data);
  else
    reg->transfer (dlnow, dltotal, reg->transfer_data);
  return 0;
}

/* The method and body of a request that is not a GET.  */
static void
set_body (CURL *c, const char *method, const struct nook_http_body *body)
{
  if (strcmp (method, "HEAD") == 0)
    cu.curl_easy_setopt (c, CURLOPT_NOBODY, 1L);
  else if (body && body->fd >= 0)
    {
      cu.curl_easy_setopt (c, CURLOPT_UPLOAD, 1L);
      cu.curl_easy_setopt (c, CURLOPT_READFUNCTION, on_read);
      cu.curl_easy_setopt (c, CURLOPT_READDATA, body);
      cu.curl_easy_setopt (c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body->size);
      cu.curl_easy_setopt (c, CURLOPT_CUSTOMREQUEST, method);
    }
  else if (strcmp (method, "GET") != 0)
    {
      cu.curl_easy_setopt (c, CURLOPT_POSTFIELDS, body ? body->data : "");
      cu.curl_easy_setopt (c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? body->len : 0));
      cu.curl_easy_setopt (c, CURLOPT_CUSTOMREQUEST, method);
    }
}

/* METHOD URL with HEADERS and BODY (may be NULL); the answer's body to FD
   (-1: memory).  */
static int
http_do (struct nook_registry *p, const char *method, const char *url, struct curl_slist *headers,
         const struct nook_http_body *body, int fd, struct nook_http_resp *r, struct nook_error *err)
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
  set_body (c, method, body);
  if (p->transfer && fd >= 0)
    {
      cu.curl_easy_setopt (c, CURLOPT_XFERINFOFUNCTION, on_transfer);
      cu.curl_easy_setopt (c, CURLOPT_XFERINFODATA, p);
      cu.curl_easy_setopt (c, CURLOPT_NOPROGRESS, 0L);
    }
  if (!p->tls_verify)
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

static int
http_get (struct nook_registry *p, const char *url, struct curl_slist *headers, int fd,
          struct nook_http_resp *r, struct nook_error *err)
{
  return http_do (p, "GET", url, headers, NULL, fd, r, err);
}

/* ---- authentication ---------------------------------------------------------------- */

/* The base64 "auth" of HOST in the first auth file that has it: podman's
   ($XDG_RUNTIME_DIR/containers/auth.json, ~/.config/containers/auth.json),
   then docker's (~/.docker/config.json).  */
char *
nook_registry_credentials (const char *domain)
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
fetch_token (struct nook_registry *p, const char *challenge, struct nook_error *err)
{
  cleanup_free char *realm = challenge_param (challenge, "realm");
  cleanup_free char *service = challenge_param (challenge, "service"), *url = NULL, *hdr = NULL;
  char *esc_service = NULL, *esc_scope = NULL;
  cleanup_free char *scope = xasprintf ("repository:%s:%s", p->ref.path, p->actions ? p->actions : "pull");
  struct curl_slist *headers = NULL;
  struct nook_http_resp r;
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
    return nook_http_resp_release (&r), nook_error_wrap (err, "get a token");
  if (r.status == 401 || r.status == 403)
    {
      nook_http_resp_release (&r);
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
  nook_http_resp_release (&r);
  return ret;
}

/* Answers a 401: a token for Bearer, the credentials for Basic.  */
static int
authenticate (struct nook_registry *p, const char *challenge, struct nook_error *err)
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
int
nook_registry_get (struct nook_registry *p, const char *kind, const char *ref, const char *accept, int fd,
                   struct nook_http_resp *r, struct nook_error *err)
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
      if (ret == -2 && !p->tls_verify && strcmp (p->scheme, "https") == 0)
        {
          nook_error_release (err);
          nook_http_resp_release (r);
          p->scheme = "http";
          continue;
        }
      if (ret < 0)
        {
          nook_http_resp_release (r);
          return nook_error_hint (err, ret == -2 ? "--tls-verify=false accepts a registry without valid TLS"
                                                 : "is the registry reachable?");
        }
      if (r->status == 401 && !authenticated)
        {
          authenticated = true;
          cleanup_free char *challenge = r->www_auth ? xstrdup (r->www_auth) : NULL;
          nook_http_resp_release (r);
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
      nook_http_resp_release (r);
      if (status == 404 && strcmp (kind, "manifests") == 0)
        nook_error_hint (err, "check the name and the tag");
      return ret;
    }
}

int
nook_registry_send (struct nook_registry *p, const char *method, const char *url, const char *content_type,
                    const struct nook_http_body *body, struct nook_http_resp *r, struct nook_error *err)
{
  bool authenticated = false;
  cleanup_free char *abs = NULL, *ct = content_type ? xasprintf ("Content-Type: %s", content_type) : NULL;

  /* A Location may be a path on the registry or a whole URL.  */
  abs = url[0] == '/' ? xasprintf ("%s://%s%s", p->scheme, p->ref.host, url) : xstrdup (url);
  if (strncmp (abs, "http://", 7) != 0 && strncmp (abs, "https://", 8) != 0)
    return nook_error_set (err, 0, "%s: `%s` is not a URL of the registry", p->ref.domain, url);
  for (;;)
    {
      struct curl_slist *headers = NULL;
      int ret;

      if (ct)
        headers = cu.curl_slist_append (headers, ct);
      if (p->auth)
        headers = cu.curl_slist_append (headers, p->auth);
      if (body && body->fd >= 0 && lseek (body->fd, 0, SEEK_SET) < 0)
        return nook_error_errno (err, "rewind an upload");
      ret = http_do (p, method, abs, headers, body, -1, r, err);
      cu.curl_slist_free_all (headers);
      if (ret == -2 && !p->tls_verify && strncmp (abs, "https://", 8) == 0)
        {
          cleanup_free char *plain = xasprintf ("http://%s", abs + 8);
          nook_error_release (err);
          nook_http_resp_release (r);
          p->scheme = "http";
          free (abs);
          abs = steal_pointer (&plain);
          continue;
        }
      if (ret < 0)
        {
          nook_http_resp_release (r);
          return nook_error_hint (err, ret == -2 ? "--tls-verify=false accepts a registry without valid TLS"
                                                 : "is the registry reachable?");
        }
      if (r->status == 401 && !authenticated)
        {
          cleanup_free char *challenge = r->www_auth ? xstrdup (r->www_auth) : NULL;
          authenticated = true;
          nook_http_resp_release (r);
          if (authenticate (p, challenge, err) < 0)
            return -1;
          continue;
        }
      return 0;
    }
}
