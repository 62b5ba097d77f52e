/*
 * ls_long.c — dumpls --long: read each listed entry's data for its bytes
 * and rows, and print the listing with the size columns.
 */
#include "ls.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Reading data (--long)                                               */
/* ------------------------------------------------------------------ */

static int wants_measure(const ls_run *run, size_t i)
{
    return run->listed[i] && df_entry_has_data(df_reader_toc_at(run->r, i));
}

/* Read one entry's data; returns the exit status it implies. */
static int measure_one(ls_run *run, size_t i)
{
    const df_entry *e = df_reader_toc_at(run->r, i);
    ls_measure *m = &run->m[i];
    int st;

    st = df_reader_measure(run->r, e, &m->rows, &m->bytes, &m->stored);
    if (st == DF_OK) {
        m->state = LS_DATA_OK;
        return TOOL_EXIT_OK;
    }
    m->state = LS_DATA_FAILED;
    m->err = *df_reader_error(run->r);
    if (m->err.code == DF_OK)
        m->err.code = st;
    tool_progress_end(&run->pr); /* the message on a line of its own */
    tool_print_error(PROG, run->o->path, &m->err);
    return tool_exit_for_status(st);
}

/*
 * After a failed entry, is there any point in reading the next ones?  Not
 * from a pipe (the stream is lost), not after an error that is not about
 * the archive (out of memory, ...), and not when the archive file itself
 * ended early: data are stored in TOC order, so every later block lies past
 * the end too, and a line per entry would bury the one error that matters.
 * A damaged data file of a directory archive (member set) spoils only itself.
 */
static int cannot_go_on(const ls_run *run, const df_error *err, int rc)
{
    if (!df_reader_seekable(run->r) || rc == TOOL_EXIT_UNKNOWN)
        return 1;
    return err->code == DF_E_TRUNCATED && err->member[0] == '\0';
}

/*
 * Measure every listed entry that has data, in TOC order (which is file
 * order in custom and tar archives, so pipes work).  Entries left after
 * cannot_go_on() are marked skipped.
 */
int ls_measure_all(ls_run *run)
{
    size_t i, total = 0, done = 0;
    int status = TOOL_EXIT_OK, stop = 0;

    run->m = calloc(run->n + 1, sizeof *run->m);
    if (run->m == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    for (i = 0; i < run->n; i++)
        total += (size_t)wants_measure(run, i);
    for (i = 0; i < run->n; i++) {
        int rc;

        if (!wants_measure(run, i))
            continue;
        if (stop) {
            run->m[i].state = LS_DATA_SKIPPED;
            continue;
        }
        rc = measure_one(run, i);
        if (rc != TOOL_EXIT_OK) {
            status = tool_exit_worse(status, rc);
            stop = cannot_go_on(run, &run->m[i].err, rc);
        }
        done++;
    }
    tool_progress_end(&run->pr);
    if (done < total && !run->o->quiet)
        tool_errorf(PROG, "%s: data of %zu more entries not read after that error", run->o->path,
                    total - done);
    return status;
}

/* ------------------------------------------------------------------ */
/* --long                                                              */
/* ------------------------------------------------------------------ */

static int digits(int64_t v)
{
    int d = 1;

    for (; v <= -10 || v >= 10; v /= 10)
        d++;
    return d + (v < 0);
}

/* Width of the "<id>;" column: the longest listed dump id plus the ';'. */
static int id_width(const ls_run *run)
{
    int w = 2;
    size_t i;

    for (i = 0; i < run->n; i++) {
        int d = digits(df_reader_toc_at(run->r, i)->dump_id) + 1;

        if (run->listed[i] && d > w)
            w = d;
    }
    return w;
}

int ls_is_table_data(const df_entry *e)
{
    return e->desc != NULL && strcmp(e->desc, "TABLE DATA") == 0;
}

/* One right-aligned numeric column: the value, "-" (not applicable) or "?" (unknown). */
static void put_column(int width, ls_data_state state, int applies, int64_t v)
{
    if (!applies)
        printf(" %*s", width, "-");
    else if (state != LS_DATA_OK)
        printf(" %*s", width, "?");
    else
        printf(" %*lld", width, (long long)v);
}

static void print_long_entry(const ls_run *run, size_t i, int idw)
{
    const df_entry *e = df_reader_toc_at(run->r, i);
    const ls_measure *m = &run->m[i];
    int has_data = m->state != LS_DATA_NONE;
    int has_rows = has_data && (ls_is_table_data(e) || df_entry_is_blobs(e));
    char id[32];

    snprintf(id, sizeof id, "%d;", (int)e->dump_id);
    printf("%-*s %-*s", idw, id, LS_W_SECTION, df_section_name(e->section));
    put_column(LS_W_OFFSET, LS_DATA_OK, ls_has_data_offset(e), ls_data_offset_of(e));
    put_column(LS_W_STORED, m->state, has_data, m->stored);
    put_column(LS_W_BYTES, m->state, has_data, m->bytes);
    put_column(LS_W_ROWS, m->state, has_rows, m->rows);
    if (ls_shows_database(run)) {
        putchar(' ');
        tool_put_sanitized(stdout, e->database, 1);
    }
    putchar(' ');
    tool_put_sanitized(stdout, e->desc, 0);
    putchar(' ');
    tool_put_sanitized(stdout, e->schema, 1);
    putchar(' ');
    tool_put_sanitized(stdout, e->tag, 0);
    putchar(' ');
    tool_put_sanitized(stdout, e->owner, 0);
    putchar('\n');
    if (run->lo.verbose && e->ndeps > 0) {
        size_t d;

        printf(";\tdepends on:");
        for (d = 0; d < e->ndeps; d++)
            printf(" %d", (int)e->deps[d]);
        putchar('\n');
    }
}

int ls_print_long(ls_run *run)
{
    int *none, rc, status;
    int idw = id_width(run);
    size_t i;

    /* The ";" header of pg_restore -l, with no entry lines under it. */
    none = calloc(run->n + 1, sizeof *none);
    if (none == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    rc = ls_list_write(run, none);
    free(none);
    if (rc != TOOL_EXIT_OK)
        return rc;
    fflush(stdout); /* the header first, then any progress */
    status = ls_measure_all(run);
    if (run->m == NULL)
        return status;
    printf("%-*s %-*s %*s %*s %*s %*s %s\n", idw, ";", LS_W_SECTION, "section", LS_W_OFFSET,
           "offset", LS_W_STORED, "stored", LS_W_BYTES, "bytes", LS_W_ROWS, "rows",
           ls_shows_database(run) ? "database desc schema tag owner" : "desc schema tag owner");
    for (i = 0; i < run->n; i++) {
        if (run->listed[i])
            print_long_entry(run, i, idw);
    }
    return status;
}

/* Run df_list_write and report a failure; returns an exit status. */
int ls_list_write(const ls_run *run, const int *show)
{
    df_error err;
    int st;

    memset(&err, 0, sizeof err);
    err.offset = -1;
    st = df_list_write(run->r, &run->lo, show, stdout, &err);
    if (st == DF_OK)
        return TOOL_EXIT_OK;
    /* A write error is reported once, by tool_finish_output. */
    if (st == DF_E_IO && ferror(stdout))
        return TOOL_EXIT_UNKNOWN;
    if (err.code == DF_OK)
        err.code = st;
    tool_print_error(PROG, run->o->path, &err);
    return tool_exit_for_status(st);
}
