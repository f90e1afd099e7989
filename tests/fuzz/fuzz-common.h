/* What the fuzz targets set up alike: a directory of their own, and an
   input read as an argument vector.  Linked into every target by
   tests/fuzz/run.  */
#ifndef NOOK_FUZZ_COMMON_H
#define NOOK_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

/**
 * fuzz_workdir - make a directory of the target's own under TMPDIR
 * (tests/fuzz/run points it at its work directory, removed after), and
 * point HOME and the XDG directories into it, so that nothing a target
 * reaches reads or writes its user's (an image store, a profile, a
 * runtime directory)
 * @name: a word for the directory's name
 * @dir: gets its path
 * @size: @dir's size
 *
 * Aborts when it cannot be made: the target cannot run without it.
 */
void fuzz_workdir (const char *name, char *dir, size_t size);

/**
 * fuzz_argv - an input as an argument vector, its elements separated by
 * NUL bytes
 * @data, @size: the input
 * @argv0: the vector's first element, or NULL when the input's first is
 * @argv: gets at most @max elements and a NULL (it holds @max + 1)
 * @max: how many elements at the most; the rest of the input is left out
 * @argc: gets how many
 *
 * Return: the copy of the input that @argv points into (free it), or
 * NULL when there is no memory for it.
 */
char *fuzz_argv (const uint8_t *data, size_t size, const char *argv0, char **argv, int max, int *argc);

#endif
