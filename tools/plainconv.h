/*
 * plainconv.h — dumpconvert's plain-script input (tools/plainconv.c): the
 * TOC model of a pg_dump -Fp script, with its psql meta-commands refused or
 * dropped, as the tool reports them.
 */
#ifndef TOOLS_PLAINCONV_H
#define TOOLS_PLAINCONV_H

#include "common.h"

/*
 * The model of the plain script r (opened from `in`) in *out.  Meta-commands
 * other than \connect/\restrict/\unrestrict are refused with their line
 * numbers unless TOOL_PLAIN_FORCE (then each dropped one is named on
 * stderr, unless TOOL_PLAIN_QUIET); TOOL_PLAIN_SELECTING (a selection was
 * asked for) is refused: a script is converted whole.  Returns a TOOL_EXIT_*
 * (TOOL_EXIT_OK with *out set).
 */
enum { TOOL_PLAIN_FORCE = 1, TOOL_PLAIN_QUIET = 2, TOOL_PLAIN_SELECTING = 4 };
int tool_plain_model(const char *prog, const char *in, df_reader *r, int flags, df_toc **out);

/* The meta-command check above on its own (pt of a pg_dumpall section too). */
int tool_plain_meta(const char *prog, const char *in, const df_plain_toc *pt, int force, int quiet);

/*
 * A pg_dumpall script r (opened from `in`) as the directory `dir`, complete
 * or absent, also when SIGINT/SIGTERM stop it (write_guard_defer): globals.sql
 * (the entries outside every database, with CREATE ROLE made conditional so
 * that psql -v ON_ERROR_STOP=1 passes over roles that exist), drop.sql (a
 * --clean script's DROP statements), one archive per database in script
 * order, written by write(ctx, model, path) under a file name that cannot
 * collide or leave dir (bytes other than [A-Za-z0-9_-] as %XX, then .dump,
 * or .dir / .tar for that `format`), and restore.sh.  `dir` must not exist or
 * be empty; TOOL_PLAIN_FORCE replaces one this function wrote before.
 * flags: TOOL_PLAIN_*.  Returns a TOOL_EXIT_*.
 */
typedef int (*tool_plainall_write)(void *ctx, df_toc *t, const char *path);
int tool_plainall(const char *prog, const char *in, df_reader *r, int flags, const char *dir,
                  df_format format, tool_plainall_write write, void *ctx);

#endif
