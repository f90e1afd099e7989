/* nook: a seccomp policy's text read into JSON, strictly: json-c's
 * parse, then only white space after the value, then no key given twice
 * in one object, which json-c would otherwise keep the last of without a
 * word.  Errors name the line and column.  seccomp-policy.c reads the
 * JSON into a filter; tests/fuzz feeds both hostile input.
 */
#include <config.h>

#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "escape.h"
#include "seccomp-json.h"
#include "utils.h"

/* Line and column (from 1) of OFFSET in TEXT.  */
static void
line_col (const char *text, size_t offset, unsigned *line, unsigned *col)
{
  *line = 1;
  *col = 1;
  for (size_t i = 0; i < offset; i++)
    {
      if (text[i] == '\n')
        {
          (*line)++;
          *col = 1;
        }
      else
        (*col)++;
    }
}

/* Objects nested deeper than json-c's default depth (32) never reach the
   key scan.  */
#define KEY_SCAN_DEPTH 40

/* The end of the JSON string whose opening quote is at I.  */
static size_t
string_end (const char *text, size_t len, size_t i)
{
  for (i++; i < len && text[i] != '"'; i++)
    if (text[i] == '\\')
      i++;
  return i;
}

/* The key whose literal spans TEXT[S..E], decoded by json-c (so that
   "a" and "\u0061" are the same key), or NULL.  */
static char *
decode_key (const char *text, size_t s, size_t e)
{
  json_tokener *tok = json_tokener_new ();
  json_object *o = tok ? json_tokener_parse_ex (tok, text + s, (int)(e - s + 1)) : NULL;
  char *key = o && json_object_is_type (o, json_type_string) ? xstrdup (json_object_get_string (o)) : NULL;

  json_object_put (o);
  if (tok)
    json_tokener_free (tok);
  return key;
}

/* json-c keeps the last of two equal keys of an object without a word: a
   policy giving "excludes" twice would silently lose the first, as an
   unknown field would.  json-c has no option to refuse them, so once it
   has accepted TEXT, the keys are found again here: only strings and
   brackets are followed (json-c validated the rest), and each object's
   keys are compared once decoded.  Returns the offset of the first
   repeated key, or -1.  */
static ssize_t
find_duplicate_key (const char *text, size_t len, char **name)
{
  struct
  {
    bool object;
    char **keys;
  } stack[KEY_SCAN_DEPTH] = { 0 };
  ssize_t found = -1;
  int depth = -1;

  for (size_t i = 0; i < len && found < 0; i++)
    {
      if (text[i] == '{' || text[i] == '[')
        {
          if (++depth >= KEY_SCAN_DEPTH)
            break;
          stack[depth].object = text[i] == '{';
        }
      else if ((text[i] == '}' || text[i] == ']') && depth >= 0)
        {
          strv_free (stack[depth].keys);
          stack[depth--].keys = NULL;
        }
      else if (text[i] == '"')
        {
          size_t e = string_end (text, len, i), n = e + 1;
          if (e >= len)
            break;
          while (n < len && strchr (" \t\r\n", text[n]) && text[n])
            n++;
          if (depth >= 0 && stack[depth].object && n < len && text[n] == ':')
            {
              char *key = decode_key (text, i, e);
              for (size_t k = 0; key && stack[depth].keys && stack[depth].keys[k] && found < 0; k++)
                if (strcmp (stack[depth].keys[k], key) == 0)
                  found = i;
              if (found >= 0)
                *name = key;
              else if (key)
                {
                  strv_append (&stack[depth].keys, key);
                  free (key);
                }
            }
          i = e;
        }
    }
  for (; depth >= 0; depth--)
    if (depth < KEY_SCAN_DEPTH)
      strv_free (stack[depth].keys);
  return found;
}

/* Refuses a key given twice in one object, naming its place.  */
static int
check_duplicate_keys (const char *text, size_t len, const char *what, const char *file,
                      struct nook_error *err)
{
  cleanup_free char *name = NULL, *shown = NULL;
  ssize_t at = find_duplicate_key (text, len, &name);
  unsigned line, col;

  if (at < 0)
    return 0;
  line_col (text, at, &line, &col);
  shown = nook_escape_name (name);
  return nook_error_set (err, 0, "%s `%s`: line %u, column %u: field `%s` given twice in one object", what,
                         file, line, col, shown);
}

/* FLAGS: json-c's tokener flags (JSON_TOKENER_STRICT refuses what
   RFC 8259 does, trailing commas included).  */
static json_object *
json_parse (const char *text, size_t len, const char *what, const char *file, int flags,
            struct nook_error *err)
{
  json_tokener *tok;
  json_object *root;
  enum json_tokener_error jerr;
  unsigned line, col;
  size_t end;

  if (len > INT_MAX)
    {
      nook_error_set (err, EFBIG, "%s `%s`", what, file);
      return NULL;
    }
  tok = json_tokener_new ();
  if (tok == NULL)
    {
      nook_error_set (err, ENOMEM, "json-c");
      return NULL;
    }
  json_tokener_set_flags (tok, flags);
  root = json_tokener_parse_ex (tok, text, (int)len);
  jerr = json_tokener_get_error (tok);
  end = json_tokener_get_parse_end (tok);
  json_tokener_free (tok);
  if (jerr == json_tokener_success)
    {
      /* Only white space may follow the value.  */
      while (end < len && strchr (" \t\r\n", text[end]) && text[end])
        end++;
      if (end == len && check_duplicate_keys (text, len, what, file, err) == 0)
        return root;
      json_object_put (root);
      if (end == len)
        return NULL;
      line_col (text, end, &line, &col);
      nook_error_set (err, 0, "%s `%s`: line %u, column %u: unexpected text after the JSON value", what, file,
                      line, col);
      return NULL;
    }
  json_object_put (root);
  line_col (text, end, &line, &col);
  nook_error_set (err, 0, "%s `%s`: line %u, column %u: not valid JSON: %s", what, file, line, col,
                  jerr == json_tokener_continue ? "unexpected end of file" : json_tokener_error_desc (jerr));
  return NULL;
}

json_object *
nook_policy_json_parse (const char *text, size_t len, const char *file, struct nook_error *err)
{
  return json_parse (text, len, "seccomp policy", file, 0, err);
}

json_object *
nook_json_parse_strict (const char *text, size_t len, const char *what, const char *file,
                        struct nook_error *err)
{
  return json_parse (text, len, what, file, JSON_TOKENER_STRICT, err);
}
