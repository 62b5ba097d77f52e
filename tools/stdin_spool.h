/*
 * stdin_spool.h — a plain script on a pipe, made readable twice (tools/stdin_spool.c):
 * dumpconvert lists a script in one pass and reads its data in a second.
 */
#ifndef TOOLS_STDIN_SPOOL_H
#define TOOLS_STDIN_SPOOL_H

/*
 * Standard input for a converter writing to `out`.  A regular file, or a pipe
 * that starts with a custom or tar archive (both read in one pass), is left
 * alone: *fd = -1.  Anything else (a plain script, whole or gzip/lz4/zstd
 * compressed) is copied as it comes, 64 KiB at a time, to a temporary file
 * beside `out` (or in $TMPDIR when out is "-") that is unlinked at once and
 * so never outlives the process: *fd is that file, at offset 0, and the
 * caller closes it.  Returns a TOOL_EXIT_*.
 */
int tool_stdin_spool(const char *prog, const char *out, int *fd);

#endif
