/*
 * plainconv.c — dumpconvert's plain-script input: builds the plain TOC
 * (df_plain_toc_build), says what psql meta-commands the archive cannot
 * carry, and turns it into the writer's model (df_toc_from_plain).
 */
#include "plainconv.h"

#include <stdio.h>
#include <string.h>

/* An archive has no place for \i, \set, \! ...: refuse, or with force drop and say so. */
int tool_plain_meta(const char *prog, const char *in, const df_plain_toc *pt, int force, int quiet)
{
    size_t n = df_plain_toc_meta_count(pt);

    for (size_t k = 0; k < n; k++) {
        const df_plain_meta *m = df_plain_toc_meta_at(pt, k);
        if (!force || !quiet)
            fprintf(stderr, "%s: %s:%lld: %s psql meta-command: %s\n", prog, in,
                    (long long)m->line, force ? "dropped" : "an archive cannot carry the",
                    m->text);
    }
    if (n > 0 && !force) {
        tool_errorf(prog, "%s: %zu psql meta-command(s) (--force drops them)", in, n);
        return TOOL_EXIT_DAMAGED;
    }
    return TOOL_EXIT_OK;
}

int tool_plain_model(const char *prog, const char *in, df_reader *r, int flags, df_toc **out)
{
    int force = flags & TOOL_PLAIN_FORCE, quiet = flags & TOOL_PLAIN_QUIET;
    df_plain_toc *pt = NULL;
    df_error err = {0};
    int rc;

    *out = NULL;
    /* the entries are listed in one pass and their data read in a second */
    if (flags & TOOL_PLAIN_SELECTING) {
        tool_errorf(prog, "%s: a plain script is converted whole (select from the archive "
                          "it becomes)", in);
        return TOOL_EXIT_UNKNOWN;
    }
    if (!df_reader_seekable(r)) { /* dumpconvert spools a pipe (stdin_spool.c) */
        tool_errorf(prog, "%s: a plain script is read twice: give it as a file", in);
        return TOOL_EXIT_UNKNOWN;
    }
    if (df_reader_header(r)->plain_kind == DF_PLAIN_GLOBALS) {
        tool_errorf(prog, "%s: a pg_dumpall script of globals only: no database to convert "
                          "(run it with psql)", in);
        return TOOL_EXIT_UNKNOWN;
    }
    if (df_reader_header(r)->plain_kind != DF_PLAIN_PG_DUMP) { /* tool_plainall's */
        tool_errorf(prog, "%s: a pg_dumpall script becomes a directory (tool_plainall)", in);
        return TOOL_EXIT_UNKNOWN;
    }
    if (df_plain_toc_build(r, NULL, &pt, NULL) != DF_OK) {
        tool_print_error(prog, in, df_reader_error(r));
        return tool_exit_for_open_error(df_reader_error(r));
    }
    rc = tool_plain_meta(prog, in, pt, force, quiet);
    if (rc == TOOL_EXIT_OK && df_toc_from_plain(r, pt, out, &err) != DF_OK) {
        tool_print_error(prog, in, &err);
        rc = TOOL_EXIT_UNKNOWN;
    }
    df_plain_toc_free(pt);
    return rc;
}
