/*
 * restore_run.c — dumprestore's phases around the restore itself: the
 * preflight of the target, the missing roles created, ANALYZE (vacuumdb),
 * the sequences behind their columns, the verification against the dump;
 * and which of them run in each mode.  pgtarget.c fills the snapshots, the
 * library (target.c) compares them with the dump.
 */
#include "restore.h"
#include "pgtarget.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* Phases                                                              */
/* ------------------------------------------------------------------ */

/* The phase's one-line note (cut to its buffer: it is a summary). */
void dr_note(dr_phase *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->note, sizeof p->note, fmt, ap);
    va_end(ap);
}

void dr_note_append(dr_phase *p, const char *fmt, ...)
{
    size_t len = strlen(p->note);
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->note + len, sizeof p->note - len, fmt, ap);
    va_end(ap);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

dr_phase *dr_phase_begin(dr_run *run, const char *name)
{
    dr_phase *p = &run->phases[run->nphases++];

    memset(p, 0, sizeof *p);
    p->name = name;
    p->seconds = now_s();
    return p;
}

void dr_phase_end(dr_run *run, dr_phase *p, int verdict)
{
    p->seconds = now_s() - p->seconds;
    if (p->check != NULL && df_tcheck_verdict(p->check) > verdict)
        verdict = df_tcheck_verdict(p->check);
    p->verdict = verdict;
    if (verdict == DF_VERDICT_DAMAGED || verdict == DF_VERDICT_UNKNOWN)
        run->stop = 1;
}

/* A phase that could not run: the note says why, the verdict is "unknown". */
void dr_phase_fail(dr_run *run, dr_phase *p, const char *why)
{
    dr_note(p, "%s", why);
    dr_phase_end(run, p, DF_VERDICT_UNKNOWN);
}

const char *dr_verdict_word(int v)
{
    return v == DF_VERDICT_OK        ? "ok"
           : v == DF_VERDICT_WARNING ? "warning"
           : v == DF_VERDICT_DAMAGED ? "failed"
                                     : "could not run";
}

int dr_verdict(const dr_run *run)
{
    int verdict = DF_VERDICT_OK;

    for (size_t i = 0; i < run->nphases; i++)
        if (run->phases[i].verdict > verdict)
            verdict = run->phases[i].verdict;
    return verdict;
}

void dr_free_run(dr_run *run)
{
    dr_count_free(run->counter);
    for (size_t i = 0; i < run->nphases; i++)
        df_tcheck_free(run->phases[i].check);
    df_roles_free(run->globals);
    df_reader_free(run->gr);
    df_reader_free(run->r);
}

/* ------------------------------------------------------------------ */
/* Preflight, roles, ANALYZE, sequences, verification                  */
/* ------------------------------------------------------------------ */

pgt_conn *dr_connect(const dr_run *run, dr_phase *p, int *missing_db)
{
    char err[DR_ERRLEN];
    pgt_conn *c = pgt_connect(run->conninfo, PROG, err, sizeof err, missing_db);

    if (c == NULL && p != NULL)
        dr_note(p, "%s", err);
    return c;
}

static void do_preflight(dr_run *run)
{
    dr_phase *p = dr_phase_begin(run, "preflight");
    df_preflight_options po;
    df_target *t = df_target_new();
    char err[DR_ERRLEN];
    int missing_db = 0, st;
    pgt_conn *c;

    if (t == NULL) {
        dr_phase_fail(run, p, "out of memory");
        return;
    }
    c = dr_connect(run, p, &missing_db);
    if (c == NULL) {
        if (missing_db)
            dr_note_append(p, "; create it first (createdb)");
        df_target_free(t);
        dr_phase_end(run, p, DF_VERDICT_UNKNOWN);
        return;
    }
    if (pgt_fill(c, t, PGT_SERVER | PGT_ROLES | PGT_OBJECTS | PGT_NEEDS, err, sizeof err) != 0) {
        pgt_close(c);
        df_target_free(t);
        dr_phase_fail(run, p, err);
        return;
    }
    pgt_close(c);
    df_preflight_options_default(&po);
    po.clean = run->o->clean;
    po.allow_existing = run->o->allow_existing;
    po.globals = run->globals;
    if (df_reader_header(run->r)->format != DF_FORMAT_PLAIN)
        po.pg_restore_major = run->pg_restore_major = dr_pg_restore_major(run);
    st = df_target_preflight(run->r, t, &po, &p->check, NULL);
    df_target_free(t);
    if (st != DF_OK) {
        dr_phase_fail(run, p, df_strstatus(st));
        return;
    }
    dr_note(p, "%zu finding%s", df_tcheck_count(p->check),
             df_tcheck_count(p->check) == 1 ? "" : "s");
    dr_phase_end(run, p, DF_VERDICT_OK);
}

/*
 * The missing roles are an error of the preflight; with --create-roles (and in a drill) they
 * are created here, so their findings stop nothing.
 */
static int roles_only_problem(const df_tcheck *c)
{
    size_t n = 0;

    for (size_t i = 0; i < df_tcheck_count(c); i++) {
        const df_tfinding *f = df_tcheck_at(c, i);
        if (f->severity == DF_SEVERITY_ERROR && strcmp(f->code, DF_TFIND_ROLE_MISSING) != 0 &&
            strcmp(f->code, DF_TFIND_MEMBERSHIP_MISSING) != 0)
            return 0;
        n += f->severity == DF_SEVERITY_ERROR;
    }
    return n > 0;
}

static void do_create_roles(dr_run *run)
{
    dr_phase *p = dr_phase_begin(run, "roles");
    df_roles *roles = NULL;
    char *script = NULL, err[DR_ERRLEN];
    size_t len = 0;
    FILE *f = open_memstream(&script, &len);
    int missing_db, st;
    pgt_conn *c;

    st = f == NULL ? DF_E_NOMEM : df_roles_collect(run->r, &roles, NULL);
    if (st == DF_OK)
        st = df_roles_write_create(roles, run->globals, f, NULL);
    if (f != NULL)
        fclose(f);
    df_roles_free(roles);
    if (st != DF_OK) {
        free(script);
        dr_phase_fail(run, p, df_strstatus(st));
        return;
    }
    if ((c = dr_connect(run, p, &missing_db)) == NULL) {
        free(script);
        dr_phase_end(run, p, DF_VERDICT_UNKNOWN);
        return;
    }
    st = pgt_exec(c, script, err, sizeof err);
    pgt_close(c);
    free(script);
    if (st != 0) {
        dr_phase_fail(run, p, err);
        return;
    }
    dr_note(p, "missing roles created%s",
             run->globals != NULL ? " as --globals defines them, with their memberships"
                                  : " as NOLOGIN stubs");
    dr_phase_end(run, p, DF_VERDICT_OK);
}

static void do_verify(dr_run *run)
{
    dr_phase *p = dr_phase_begin(run, "verify");
    df_target *t = df_target_new();
    char err[DR_ERRLEN];
    df_error e;
    int missing_db, st;
    pgt_conn *c;

    if (t == NULL) {
        dr_phase_fail(run, p, "out of memory");
        return;
    }
    if (run->counter == NULL) /* --verify-only: the dump is read while the server counts */
        run->counter = dr_count_start(run, 0);
    if ((c = dr_connect(run, p, &missing_db)) == NULL) {
        df_target_free(t);
        dr_phase_end(run, p, DF_VERDICT_UNKNOWN);
        return;
    }
    /* the counts over -j connections: the biggest table's count(*) no longer waits alone */
    st = pgt_fill(c, t, PGT_OBJECTS | PGT_LARGE_OBJECTS, err, sizeof err);
    if (st == 0)
        st = pgt_fill_rows(c, run->conninfo, (int)run->o->jobs, t, err, sizeof err);
    pgt_close(c);
    if (st != 0) {
        df_target_free(t);
        dr_phase_fail(run, p, err);
        return;
    }
    st = df_target_verify_counted(run->r, t, dr_count_join(run->counter), &p->check, &e);
    df_target_free(t);
    if (st != DF_OK) {
        tool_print_error(PROG, run->o->dump, &e);
        dr_phase_fail(run, p, df_strstatus(st));
        return;
    }
    dr_note(p, "%lld tables, %lld rows, %lld large objects compared; %zu finding%s",
             (long long)df_tcheck_tables(p->check), (long long)df_tcheck_rows(p->check),
             (long long)df_tcheck_large_objects(p->check), df_tcheck_count(p->check),
             df_tcheck_count(p->check) == 1 ? "" : "s");
    dr_phase_end(run, p, DF_VERDICT_OK);
}

/*
 * vacuumdb --analyze-only -j N (what a careful DBA runs after pg_restore); without vacuumdb,
 * one ANALYZE over libpq.
 */
static void do_analyze(dr_run *run)
{
    dr_phase *p = dr_phase_begin(run, "analyze");
    char prog[1100], jobs[32], dsn[4096], err[DR_ERRLEN];
    char *argv[] = {prog, "--analyze-only", "-q", "-j", jobs, "-d", dsn, NULL};
    int missing_db, rc;
    pgt_conn *c;

    dr_program(run, "vacuumdb", prog, sizeof prog);
    snprintf(jobs, sizeof jobs, "%ld", run->o->jobs);
    snprintf(dsn, sizeof dsn, "%s", run->conninfo);
    rc = dr_run_program(argv, -1, -1, NULL, 1);
    if (rc == 0) {
        dr_note(p, "vacuumdb --analyze-only -j %ld done", run->o->jobs);
        dr_phase_end(run, p, DF_VERDICT_OK);
        return;
    }
    if (dr_signal()) {
        dr_phase_fail(run, p, "interrupted");
        return;
    }
    if ((c = dr_connect(run, p, &missing_db)) == NULL) {
        dr_phase_end(run, p, DF_VERDICT_UNKNOWN);
        return;
    }
    if (pgt_exec(c, "ANALYZE", err, sizeof err) != 0) {
        pgt_close(c);
        dr_phase_fail(run, p, err);
        return;
    }
    pgt_close(c);
    dr_note(p, "ANALYZE done (vacuumdb %s)", rc == 127 ? "not found" : "failed");
    dr_phase_end(run, p, DF_VERDICT_OK);
}

/* The sequences behind their columns: findings, or with --fix-sequences their setval(). */
static void do_sequences(dr_run *run)
{
    dr_phase *p = dr_phase_begin(run, "sequences");
    df_target *t = df_target_new();
    char err[DR_ERRLEN];
    int missing_db, st;
    size_t fixed = 0;
    pgt_conn *c;

    if (t == NULL) {
        dr_phase_fail(run, p, "out of memory");
        return;
    }
    if ((c = dr_connect(run, p, &missing_db)) == NULL) {
        df_target_free(t);
        dr_phase_end(run, p, DF_VERDICT_UNKNOWN);
        return;
    }
    st = pgt_fill(c, t, PGT_SEQUENCES, err, sizeof err);
    if (st == 0 && df_target_check_sequences(t, &p->check, NULL) != DF_OK) {
        snprintf(err, sizeof err, "out of memory");
        st = -1;
    }
    for (size_t i = 0; st == 0 && run->o->fix_sequences && i < df_tcheck_count(p->check); i++)
        if ((st = pgt_exec(c, df_tcheck_at(p->check, i)->fix, err, sizeof err)) == 0)
            fixed++;
    pgt_close(c);
    df_target_free(t);
    if (st != 0) {
        dr_phase_fail(run, p, err);
        return;
    }
    if (fixed > 0) {
        dr_note(p, "%zu sequence%s behind set with setval()", fixed, fixed == 1 ? "" : "s");
        dr_phase_end(run, p, DF_VERDICT_OK);
        p->verdict = DF_VERDICT_WARNING; /* they were behind: worth a look at the source */
        return;
    }
    dr_note(p, "%zu sequence%s behind", df_tcheck_count(p->check),
             df_tcheck_count(p->check) == 1 ? "" : "s");
    dr_phase_end(run, p, DF_VERDICT_OK);
}

int dr_open_dumps(dr_run *run)
{
    int st;

    if ((run->r = df_reader_new(NULL)) == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    if ((st = df_reader_open_path(run->r, run->o->dump)) != DF_OK) {
        tool_print_error(PROG, run->o->dump, df_reader_error(run->r));
        return tool_exit_for_open_error(df_reader_error(run->r));
    }
    if (run->o->clean && df_reader_header(run->r)->format == DF_FORMAT_PLAIN) {
        tool_errorf(PROG, "--clean needs an archive: a plain script drops only what pg_dump "
                          "--clean wrote into it");
        return TOOL_EXIT_UNKNOWN;
    }
    if (run->o->globals == NULL)
        return TOOL_EXIT_OK;
    if ((run->gr = df_reader_new(NULL)) == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    if (df_reader_open_path(run->gr, run->o->globals) != DF_OK ||
        df_roles_collect(run->gr, &run->globals, NULL) != DF_OK) {
        tool_print_error(PROG, run->o->globals, df_reader_error(run->gr));
        return TOOL_EXIT_UNKNOWN;
    }
    return TOOL_EXIT_OK;
}

/* Preflight, roles, restore, ANALYZE, verify: what runs depends on the mode. */
void dr_run_phases(dr_run *run, int drill)
{
    dr_phase *pre;

    if (run->o->verify_only) {
        do_verify(run);
        if (!dr_signal())
            do_sequences(run);
        return;
    }
    do_preflight(run);
    pre = &run->phases[run->nphases - 1];
    if (run->o->preflight_only)
        return;
    /* missing roles stop nothing when they are made here: a warning that they were missing */
    if ((drill || run->o->create_roles) && pre->check != NULL && roles_only_problem(pre->check)) {
        pre->verdict = drill ? DF_VERDICT_OK : DF_VERDICT_WARNING; /* a drill's cluster is its own */
        run->stop = 0;
    }
    if (!run->stop && !dr_signal() && (drill || run->o->create_roles))
        do_create_roles(run);
    if (!run->stop && !dr_signal()) {
        run->counter = dr_count_start(run, 1); /* while pg_restore reads it too */
        dr_do_restore(run);
    }
    if (!run->stop && !dr_signal())
        do_analyze(run);
    if (!run->stop && !dr_signal())
        do_sequences(run);
    if (!run->stop && !dr_signal())
        do_verify(run);
}
