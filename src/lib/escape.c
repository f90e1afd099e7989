/* nook: escaping what a sandbox chose before it reaches a terminal.
 *
 * A file name or a command line from a sandbox can carry ESC and CR:
 * printed raw, it moves the cursor, rewrites the line above (a deletion the
 * user is about to approve) or sets the terminal's title.  Every human
 * output passes such strings through here; JSON output does not, since
 * json-c escapes control characters itself and must stay exact.
 */
#include <config.h>

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* The length of the valid UTF-8 sequence at S (at most LEFT bytes) and its
   code point, or 0 when the bytes there are not valid UTF-8: truncated,
   overlong, a surrogate or beyond U+10FFFF.  */
static size_t
utf8_sequence (const unsigned char *s, size_t left, uint32_t *cp)
{
  size_t n;
  uint32_t c, min;

  if (s[0] >= 0xc2 && s[0] <= 0xdf)
    n = 2, c = s[0] & 0x1f, min = 0x80;
  else if (s[0] >= 0xe0 && s[0] <= 0xef)
    n = 3, c = s[0] & 0x0f, min = 0x800;
  else if (s[0] >= 0xf0 && s[0] <= 0xf4)
    n = 4, c = s[0] & 0x07, min = 0x10000;
  else
    return 0;
  if (left < n)
    return 0;
  for (size_t i = 1; i < n; i++)
    {
      if ((s[i] & 0xc0) != 0x80)
        return 0;
      c = c << 6 | (s[i] & 0x3f);
    }
  if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
    return 0;
  *cp = c;
  return n;
}

/* Code points a terminal acts on, or that reorder the text around them.  */
static bool
is_unsafe_code_point (uint32_t c)
{
  return (c >= 0x80 && c <= 0x9f) || c == 0x61c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e)
         || (c >= 0x2066 && c <= 0x2069);
}

/* The escaping of every entry point; TEXT keeps a backslash and a tab as
   they are: nook's own text, where they are its own.  */
static char *
escape (const char *s, size_t len, bool text)
{
  const unsigned char *u = (const unsigned char *)s;
  /* The worst case: every byte becomes \xNN.  */
  char *out = malloc (len * 4 + 1), *p = out;

  /* A leaf module (error.c prints through it): no xmalloc.  */
  if (out == NULL)
    {
      fputs ("nook: out of memory\n", stderr);
      abort ();
    }

  for (size_t i = 0; i < len;)
    {
      uint32_t cp;
      size_t n;

      if (text && (u[i] == '\\' || u[i] == '\t'))
        {
          *p++ = (char)u[i++];
          continue;
        }
      switch (u[i])
        {
        case '\\':
          p = stpcpy (p, "\\\\");
          i++;
          continue;
        case '\n':
          p = stpcpy (p, "\\n");
          i++;
          continue;
        case '\r':
          p = stpcpy (p, "\\r");
          i++;
          continue;
        case '\t':
          p = stpcpy (p, "\\t");
          i++;
          continue;
        }
      if (u[i] >= 0x20 && u[i] < 0x7f)
        {
          *p++ = (char)u[i++];
          continue;
        }
      n = u[i] >= 0x80 ? utf8_sequence (u + i, len - i, &cp) : 0;
      if (n > 0 && !is_unsafe_code_point (cp))
        {
          memcpy (p, u + i, n);
          p += n, i += n;
          continue;
        }
      /* A control byte, a byte of invalid UTF-8, or every byte of an
         unsafe code point.  */
      for (size_t end = i + (n ? n : 1); i < end; i++)
        p += sprintf (p, "\\x%02x", u[i]);
    }
  *p = '\0';
  return out;
}

char *
nook_escape_bytes (const char *s, size_t len)
{
  return escape (s, len, false);
}

char *
nook_escape_name (const char *s)
{
  return nook_escape_bytes (s ? s : "", s ? strlen (s) : 0);
}

char *
nook_escape_text (const char *s)
{
  return escape (s ? s : "", s ? strlen (s) : 0, true);
}
