/* nook: names and command lines from a sandbox, made safe for a terminal.  */
#ifndef NOOK_ESCAPE_H
#define NOOK_ESCAPE_H

#include <stddef.h>

/**
 * nook_escape_name - a sandbox's string, quoted as `ls -b` and git do
 * @s: a NUL-terminated string from a sandbox (a file name, a command line)
 *
 * Printable ASCII and valid UTF-8 text stay as they are.  A backslash
 * becomes `\\`; newline, carriage return and tab become `\n`, `\r` and `\t`;
 * every other control byte (ESC, DEL, ...), every byte that is not part of
 * valid UTF-8 (overlong forms and surrogates included), and the UTF-8 of
 * the C1 controls (U+0080-U+009F: a terminal may act on them as it does on
 * ESC) and of the bidirectional controls (U+061C, U+200E, U+200F,
 * U+202A-U+202E, U+2066-U+2069: they reorder what the line shows) become
 * `\xNN`, one per byte.  The result reads back unambiguously.
 *
 * Return: a newly allocated string.
 */
char *nook_escape_name (const char *s);

/**
 * nook_escape_bytes - escape bytes for a terminal, as nook_escape_name does
 * @s: the bytes; only read
 * @len: how many; they may hold NUL bytes (shown as `\x00`)
 *
 * Return: a newly allocated string; never fails.
 */
char *nook_escape_bytes (const char *s, size_t len);

/**
 * nook_escape_text - a message of nook's, made safe for a terminal
 * @s: nook's own text, which may quote what a sandbox or an image chose
 *
 * The last line of defence, where every message leaves nook (an error, a
 * warning, a note, the verbose log): a quoted name that was not escaped
 * where it was quoted (nook_escape_name) still cannot move the cursor or
 * rewrite a line.  As nook_escape_name, except that a backslash and a tab
 * stay as they are: a name already escaped comes out unchanged.  A newline
 * becomes `\n`: a message is one line.
 *
 * Return: a newly allocated string; never fails.
 */
char *nook_escape_text (const char *s);

#endif
