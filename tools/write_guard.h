/*
 * write_guard.h — for the tools that write an archive (dumpconvert, dumprepair): SIGINT and
 * SIGTERM leave no partial output (write_guard.c).
 */
#ifndef TOOLS_WRITE_GUARD_H
#define TOOLS_WRITE_GUARD_H

#include <dumpfmt.h>

/*
 * Catch SIGINT/SIGTERM from the start: a tool started in the background by a script inherits
 * SIGINT ignored, and reading a pipe comes before the write.
 */
void write_guard_catch(void);
/* Catch SIGINT/SIGTERM and point wo's cancel flag and temp-name callback at the guard. */
void write_guard_install(df_write_options *wo);
/*
 * From now on a signal, however many, only asks to stop: the tool builds a tree
 * of outputs itself (pg_dumpall -> DIR, plainall.c) that a handler cannot
 * remove, so the tool and the writer poll write_guard_stopped(), remove what
 * they made, and write_guard_finish() then dies of the signal.
 */
void write_guard_defer(void);
/* The signal that asked to stop, 0 while none has. */
int write_guard_stopped(void);
/* After the write: when a signal asked to stop, die of it (the writer removed its output). */
void write_guard_finish(void);

#endif
