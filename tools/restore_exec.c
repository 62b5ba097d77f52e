/*
 * restore_exec.c — dumprestore's restore phase: pg_restore for archives
 * (--exit-on-error; with -j N the -L list dumporder writes for N workers,
 * tools/order_list.c), psql -v ON_ERROR_STOP=1 for plain scripts; the
 * output captured, and on failure the first cause attributed to its TOC
 * entry (restorelog.c, restorediag.c, shared with dumpdiag) and the list or
 * script that resumes after the fix written.
 */
#include "restore.h"
#include "orderlist.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int feed_log(FILE *log, df_restorelog *rl)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int st = DF_OK;

    rewind(log);
    while (st == DF_OK && (n = getline(&line, &cap, log)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            n--;
        st = df_restorelog_feed_line(rl, line, (size_t)n, NULL);
    }
    free(line);
    return st == DF_OK ? df_restorelog_finish(rl, NULL) : st;
}

static int write_resume(dr_run *run, const df_rdiag *d, const char *path)
{
    df_error err;
    tool_file tf;
    int st;

    if (tool_file_create(PROG, path, &tf) != TOOL_EXIT_OK)
        return -1;
    memset(&err, 0, sizeof err);
    err.offset = -1;
    if (df_reader_header(run->r)->format == DF_FORMAT_PLAIN)
        st = df_rdiag_write_plain(d, run->r, tf.f, &err);
    else
        st = df_rdiag_write_list(d, run->r, tf.f, &err);
    if (st != DF_OK) {
        tool_print_error(PROG, path, &err);
        tool_file_abort(&tf);
        return -1;
    }
    return tool_file_commit(PROG, &tf) == TOOL_EXIT_OK ? 0 : -1;
}

/* The first cause of a failed restore, its entry, and the resume list, into the note. */
static void explain_failure(dr_run *run, dr_phase *p, FILE *log)
{
    df_restorelog *rl = df_restorelog_new();
    df_rdiag *d = NULL;
    df_error err;
    const char *resume = run->o->resume_file;
    int plain = df_reader_header(run->r)->format == DF_FORMAT_PLAIN;
    char where[256] = "an entry the log does not name";

    memset(&err, 0, sizeof err);
    if (rl == NULL || feed_log(log, rl) != DF_OK) {
        df_restorelog_free(rl);
        return;
    }
    if (plain)
        df_restorelog_set_stopped(rl);
    if (df_rdiag_build(rl, run->r, &d, &err) == DF_OK && df_rdiag_cause_count(d) > 0) {
        const df_rdiag_cause *cause = df_rdiag_cause_at(d, 0);
        if (cause->root_entry >= 0) {
            const df_entry *e = df_reader_toc_at(run->r, (size_t)cause->root_entry);
            snprintf(where, sizeof where, "entry %d %s %s%s%s", (int)e->dump_id, e->desc,
                     e->schema && e->schema[0] ? e->schema : "",
                     e->schema && e->schema[0] ? "." : "", e->tag);
        }
        if (resume == NULL)
            resume = plain ? "dumprestore-resume.sql" : "dumprestore-resume.list";
        dr_note(p, "stopped at %s: %s (%s); fix: %s; resume: %s%s",
                 where, df_restorelog_count(rl) > 0 ? df_restorelog_error(rl, 0)->message : "",
                 cause->what ? cause->what : df_rlog_class_name(cause->cls),
                 cause->fix ? cause->fix : "see the log", plain ? "psql -f " : "pg_restore -L ",
                 resume);
        if (write_resume(run, d, resume) != 0)
            dr_note_append(p, " (could not be written)");
    }
    df_rdiag_free(d);
    df_restorelog_free(rl);
}

/* Restores are written as pg_restore's argument vector; the strings it points to live here. */
typedef struct dr_cmd {
    char *argv[24];
    size_t k;
    char prog[1100], jobs[32], dsn[4096];
    char list[1100]; /* dumporder's list, a temporary file; "" = none */
    char how[160];   /* how the restore ran, for the note */
    int parallel;    /* -j N passed */
} dr_cmd;

static void arg(dr_cmd *c, const char *a)
{
    if (c->k < sizeof c->argv / sizeof *c->argv - 1)
        c->argv[c->k++] = (char *)a;
}

/*
 * -j N on a custom or directory archive: the list `dumporder -j N --no-measure` writes (the
 * order its scheduler simulates fastest for N workers); a temporary file, removed after the
 * restore.  Stored sizes only: reading the data to measure it would decompress the whole
 * dump once more before pg_restore does (2 s of a 20 s restore of the benchmark dump), and
 * on the benchmark the measured and the stored sizes give the same list.  Without a list
 * (tar, -j 1, --no-order, or the plan failed) pg_restore keeps the archive's order.
 */
static void order_list(dr_run *run, dr_cmd *c)
{
    const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    df_format f = df_reader_header(run->r)->format;
    double makespan = 0;
    int fd, rc;

    if (run->o->jobs <= 1 || run->o->single_txn || run->o->no_order ||
        (f != DF_FORMAT_CUSTOM && f != DF_FORMAT_DIRECTORY))
        return;
    if (run->pg_restore_major == 0)
        run->pg_restore_major = dr_pg_restore_major(run);
    snprintf(c->list, sizeof c->list, "%s/dumprestore-list.XXXXXX", parent);
    if ((fd = mkstemp(c->list)) < 0) {
        c->list[0] = '\0';
        return;
    }
    close(fd);
    rc = ord_write_list_for(run->o->dump, (int)run->o->jobs, run->pg_restore_major, 0, c->list,
                            &makespan);
    if (rc > TOOL_EXIT_WARNING) {
        unlink(c->list);
        c->list[0] = '\0';
        snprintf(c->how, sizeof c->how, " (dumporder could not plan: archive order)");
        return;
    }
    snprintf(c->how, sizeof c->how, " -L <dumporder's list for %ld workers, simulated %.0f s>",
             run->o->jobs, makespan);
}

static void archive_args(dr_run *run, dr_cmd *c)
{
    int tar = df_reader_header(run->r)->format == DF_FORMAT_TAR;

    arg(c, "--exit-on-error");
    arg(c, "-v");
    arg(c, "-d");
    arg(c, c->dsn);
    if (run->o->single_txn)
        arg(c, "--single-transaction");
    else if (run->o->jobs > 1 && !tar) { /* pg_restore restores tar archives serially only */
        arg(c, "-j");
        arg(c, c->jobs);
        c->parallel = 1;
        order_list(run, c);
        if (c->list[0] != '\0') {
            arg(c, "-L");
            arg(c, c->list);
        }
    }
    if (run->o->jobs > 1 && tar)
        snprintf(c->how, sizeof c->how, " (tar: one job, pg_restore restores it serially)");
    if (run->o->clean) {
        arg(c, "--clean");
        arg(c, "--if-exists");
    }
    arg(c, run->o->dump);
}

static int plain_args(dr_run *run, dr_cmd *c)
{
    if (df_reader_header(run->r)->file_compression != DF_COMPRESS_NONE)
        return -1;
    if (run->o->single_txn)
        arg(c, "-1");
    arg(c, "-X");
    arg(c, "-q");
    arg(c, "-v");
    arg(c, "ON_ERROR_STOP=1");
    arg(c, "-d");
    arg(c, c->dsn);
    arg(c, "-f");
    arg(c, run->o->dump);
    return 0;
}

void dr_do_restore(dr_run *run)
{
    dr_phase *p = dr_phase_begin(run, "restore");
    int plain = df_reader_header(run->r)->format == DF_FORMAT_PLAIN;
    dr_cmd c;
    FILE *log = tmpfile();
    int rc, verdict;

    if (log == NULL) {
        dr_phase_fail(run, p, "could not create a temporary file for the restore log");
        return;
    }
    memset(&c, 0, sizeof c);
    snprintf(c.dsn, sizeof c.dsn, "%s", run->conninfo);
    snprintf(c.jobs, sizeof c.jobs, "%ld", run->o->jobs);
    dr_program(run, plain ? "psql" : "pg_restore", c.prog, sizeof c.prog);
    arg(&c, c.prog);
    if (plain && plain_args(run, &c) != 0) {
        fclose(log);
        dr_phase_fail(run, p, "psql runs uncompressed scripts only: decompress it first");
        return;
    }
    if (!plain)
        archive_args(run, &c);
    c.argv[c.k] = NULL;
    rc = dr_run_program(c.argv, -1, fileno(log), NULL, 1);
    if (c.list[0] != '\0')
        unlink(c.list);
    if (rc == 0 && !dr_signal()) {
        if (plain)
            dr_note(p, "%s finished without errors", c.prog);
        else
            dr_note(p, "%s%s%s%s finished without errors", c.prog, c.parallel ? " -j " : "",
                    c.parallel ? c.jobs : "", c.how);
        fclose(log);
        dr_phase_end(run, p, DF_VERDICT_OK);
        return;
    }
    verdict = rc < 0 || rc == 127 || dr_signal() ? DF_VERDICT_UNKNOWN : DF_VERDICT_DAMAGED;
    if (dr_signal())
        dr_note(p, "interrupted by signal %d", dr_signal());
    else if (rc < 0 || rc == 127)
        dr_note(p, "could not run %s", c.prog);
    else {
        dr_note(p, "%s failed (exit %d)", c.prog, rc);
        explain_failure(run, p, log);
    }
    fclose(log);
    dr_phase_end(run, p, verdict);
}
