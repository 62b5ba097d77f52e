/*
 * dumprestore.c — a restore done right: the preflight of the target, the
 * roles, the restore by the real engines (pg_restore for archives, psql
 * for plain scripts), ANALYZE, and the verification of the result against
 * the dump; or each alone (--preflight-only, --verify-only), or the whole
 * run into a throwaway cluster (--drill).  The comparisons are libdumpfmt's
 * (target.c, restorelog.c, restorediag.c); pgtarget.c reads the target.
 * This file parses options, runs programs and prints.
 */
#define _GNU_SOURCE /* nftw, initgroups */
#include "common.h"
#include "pgtarget.h"

#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "dumprestore"
#define ERRLEN 1024
#define MAX_PHASES 8

typedef struct dr_options {
    const char *conninfo;
    const char *dump;
    const char *globals;
    const char *pg_bindir;
    const char *prometheus;
    const char *resume_file;
    int preflight_only, verify_only, drill;
    int clean, allow_existing, create_roles, single_txn, fix_sequences;
    int json, quiet;
    long jobs;
} dr_options;

/* One phase of the run: its time, and its findings when it compares. */
typedef struct dr_phase {
    const char *name;
    double seconds;
    int verdict;       /* df_verdict */
    df_tcheck *check;  /* preflight, verify; else NULL */
    char note[512];    /* one line: what happened */
} dr_phase;

typedef struct dr_run {
    const dr_options *o;
    df_reader *r;
    df_reader *gr;      /* --globals */
    df_roles *globals;
    const char *conninfo; /* -d, or the drill's cluster */
    char bindir[1024];  /* "" = PATH */
    dr_phase phases[MAX_PHASES];
    size_t nphases;
    int stop;           /* a phase failed: the next ones do not run */
} dr_run;

/*
 * SIGINT/SIGTERM during a run: the restore program and a drill's cluster must be stopped
 * and deleted before we exit, so the handler only records the signal (the one piece of
 * mutable global state: a signal handler has nowhere else to write).
 */
static volatile sig_atomic_t got_signal;

static void on_signal(int sig)
{
    got_signal = sig;
}

enum {
    OPT_HELP = 256,
    OPT_PREFLIGHT,
    OPT_VERIFY,
    OPT_DRILL,
    OPT_CLEAN,
    OPT_ALLOW,
    OPT_CREATE_ROLES,
    OPT_GLOBALS,
    OPT_SINGLE,
    OPT_JSON,
    OPT_PROM,
    OPT_BINDIR,
    OPT_RESUME,
    OPT_FIX_SEQ,
};

static const struct option long_options[] = {
    {"dbname", required_argument, NULL, 'd'},
    {"jobs", required_argument, NULL, 'j'},
    {"preflight-only", no_argument, NULL, OPT_PREFLIGHT},
    {"verify-only", no_argument, NULL, OPT_VERIFY},
    {"drill", no_argument, NULL, OPT_DRILL},
    {"clean", no_argument, NULL, 'c'},
    {"allow-existing", no_argument, NULL, OPT_ALLOW},
    {"create-roles", no_argument, NULL, OPT_CREATE_ROLES},
    {"globals", required_argument, NULL, OPT_GLOBALS},
    {"single-transaction", no_argument, NULL, '1'},
    {"json", no_argument, NULL, OPT_JSON},
    {"prometheus", required_argument, NULL, OPT_PROM},
    {"pg-bindir", required_argument, NULL, OPT_BINDIR},
    {"resume-file", required_argument, NULL, OPT_RESUME},
    {"fix-sequences", no_argument, NULL, OPT_FIX_SEQ},
    {"quiet", no_argument, NULL, 'q'},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(void)
{
    printf("%s restores a PostgreSQL dump and checks the result.\n\n"
           "Usage:\n"
           "  %s [OPTION]... -d CONNINFO DUMP   preflight, restore, ANALYZE, verify\n"
           "  %s --preflight-only -d CONNINFO DUMP\n"
           "  %s --verify-only -d CONNINFO DUMP\n"
           "  %s --drill [OPTION]... DUMP       all of it into a throwaway cluster\n\n"
           "Options:\n"
           "  -d, --dbname=CONNINFO    the target database (conninfo or URI; PG* variables)\n"
           "  -j, --jobs=N             pg_restore -j N (archives)\n"
           "  -c, --clean              pg_restore --clean --if-exists: existing objects are "
           "dropped\n"
           "      --allow-existing     restore into a database that holds dump objects\n"
           "      --create-roles       create the missing roles (NOLOGIN stubs, or as --globals "
           "defines)\n"
           "      --globals=FILE       pg_dumpall --globals-only/--roles-only script of the "
           "source\n"
           "  -1, --single-transaction restore in one transaction\n"
           "      --pg-bindir=DIR      where pg_restore, psql, initdb and pg_ctl are\n"
           "      --resume-file=FILE   where a failed restore's resume list goes\n"
           "      --fix-sequences      setval() the sequences behind the columns they feed\n"
           "      --json               the report as JSON\n"
           "      --prometheus=FILE    write metrics for node_exporter's textfile collector\n"
           "  -q, --quiet              print only findings and the verdict\n"
           "      --help, -V, --version\n\n"
           "Exit status: 0 OK, 1 warnings, 2 the restore failed or differs from the dump,\n"
           "3 could not run.\n",
           PROG, PROG, PROG, PROG, PROG);
}

static int parse_options(int argc, char **argv, dr_options *o)
{
    char prog_name[] = PROG;
    char *argv0 = argv[0];
    int c;

    memset(o, 0, sizeof *o);
    o->jobs = 1;
    argv[0] = prog_name; /* getopt's messages name argv[0] */
    while ((c = getopt_long(argc, argv, "d:j:c1qV", long_options, NULL)) != -1) {
        switch (c) {
        case 'd': o->conninfo = optarg; break;
        case 'j':
            if (tool_parse_long(optarg, 1, 1024, &o->jobs) != 0) {
                argv[0] = argv0;
                tool_errorf(PROG, "-j needs a number from 1 to 1024, not \"%s\"", optarg);
                return TOOL_EXIT_UNKNOWN;
            }
            break;
        case 'c': o->clean = 1; break;
        case '1': o->single_txn = 1; break;
        case 'q': o->quiet = 1; break;
        case OPT_PREFLIGHT: o->preflight_only = 1; break;
        case OPT_VERIFY: o->verify_only = 1; break;
        case OPT_DRILL: o->drill = 1; break;
        case OPT_ALLOW: o->allow_existing = 1; break;
        case OPT_CREATE_ROLES: o->create_roles = 1; break;
        case OPT_GLOBALS: o->globals = optarg; break;
        case OPT_JSON: o->json = 1; break;
        case OPT_PROM: o->prometheus = optarg; break;
        case OPT_BINDIR: o->pg_bindir = optarg; break;
        case OPT_RESUME: o->resume_file = optarg; break;
        case OPT_FIX_SEQ: o->fix_sequences = 1; break;
        case OPT_HELP: argv[0] = argv0; print_help(); return tool_finish_output(PROG, stdout);
        case 'V': argv[0] = argv0; tool_print_version(PROG); return tool_finish_output(PROG, stdout);
        default: argv[0] = argv0; tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN;
        }
    }
    argv[0] = argv0;
    if (argc - optind != 1) {
        tool_errorf(PROG, argc - optind < 1 ? "a dump is needed" : "too many arguments");
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    }
    o->dump = argv[optind];
    if (o->preflight_only + o->verify_only + o->drill > 1) {
        tool_errorf(PROG, "--preflight-only, --verify-only and --drill exclude each other");
        return TOOL_EXIT_UNKNOWN;
    }
    if (o->drill ? o->conninfo != NULL : o->conninfo == NULL) {
        tool_errorf(PROG, o->drill ? "--drill makes its own cluster: no -d" : "-d is needed");
        return TOOL_EXIT_UNKNOWN;
    }
    if (o->single_txn && o->jobs > 1) {
        tool_errorf(PROG, "--single-transaction and -j exclude each other");
        return TOOL_EXIT_UNKNOWN;
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* Phases                                                              */
/* ------------------------------------------------------------------ */

static void set_note(dr_phase *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The phase's one-line note (cut to its buffer: it is a summary). */
static void set_note(dr_phase *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(p->note, sizeof p->note, fmt, ap);
    va_end(ap);
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static dr_phase *phase_begin(dr_run *run, const char *name)
{
    dr_phase *p = &run->phases[run->nphases++];

    memset(p, 0, sizeof *p);
    p->name = name;
    p->seconds = now_s();
    return p;
}

static void phase_end(dr_run *run, dr_phase *p, int verdict)
{
    p->seconds = now_s() - p->seconds;
    if (p->check != NULL && df_tcheck_verdict(p->check) > verdict)
        verdict = df_tcheck_verdict(p->check);
    p->verdict = verdict;
    if (verdict == DF_VERDICT_DAMAGED || verdict == DF_VERDICT_UNKNOWN)
        run->stop = 1;
}

/* A phase that could not run: the note says why, the verdict is "unknown". */
static void phase_fail(dr_run *run, dr_phase *p, const char *why)
{
    set_note(p, "%s", why);
    phase_end(run, p, DF_VERDICT_UNKNOWN);
}

static const char *verdict_word(int v)
{
    return v == DF_VERDICT_OK ? "ok" : v == DF_VERDICT_WARNING ? "warning"
                                   : v == DF_VERDICT_DAMAGED   ? "failed"
                                                               : "could not run";
}

/* ------------------------------------------------------------------ */
/* Programs                                                            */
/* ------------------------------------------------------------------ */

/* "<bindir>/<name>", or the bare name (PATH) without --pg-bindir. */
static void program(const dr_run *run, const char *name, char *buf, size_t n)
{
    if (run->bindir[0] != '\0')
        snprintf(buf, n, "%s/%s", run->bindir, name);
    else
        snprintf(buf, n, "%s", name);
}

/*
 * Become `user` (the server refuses to run as root); before exec in a child.
 */
static int become(const char *user)
{
    struct passwd *pw = getpwnam(user);

    if (pw == NULL || initgroups(pw->pw_name, pw->pw_gid) != 0 || setgid(pw->pw_gid) != 0 ||
        setuid(pw->pw_uid) != 0)
        return -1;
    return 0;
}

/*
 * Run argv with stdout to /dev/null (or out_fd) and stderr to err_fd (-1: /dev/null), in a
 * process group of its own so that a signal can stop all of it; as_user: run as that user.
 * Returns the exit status (128 + N for a signal), -1 when it could not start.  On SIGINT or
 * SIGTERM the program group is sent SIGTERM and waited for.
 */
static int run_program(char *const argv[], int out_fd, int err_fd, const char *as_user)
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        return -1;
    if (pid == 0) {
        int null = open("/dev/null", O_RDWR);
        setpgid(0, 0);
        dup2(null, 0);
        dup2(out_fd >= 0 ? out_fd : null, 1);
        dup2(err_fd >= 0 ? err_fd : null, 2);
        if (as_user != NULL && become(as_user) != 0)
            _exit(126);
        execvp(argv[0], argv);
        _exit(127);
    }
    setpgid(pid, pid);
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            return -1;
        if (got_signal)
            kill(-pid, SIGTERM);
    }
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return WEXITSTATUS(status);
}

/* The major release of `<bindir>/pg_restore --version` ("pg_restore (PostgreSQL) 15.4"), 0. */
static int pg_restore_major(const dr_run *run)
{
    char prog[1100], buf[256];
    char *argv[] = {prog, "--version", NULL};
    FILE *tmp = tmpfile();
    int major = 0;

    if (tmp == NULL)
        return 0;
    program(run, "pg_restore", prog, sizeof prog);
    if (run_program(argv, fileno(tmp), -1, NULL) == 0) {
        size_t n;
        rewind(tmp);
        n = fread(buf, 1, sizeof buf - 1, tmp);
        buf[n] = '\0';
        for (char *p = strchr(buf, ')'); p != NULL && *p != '\0' && major == 0; p++)
            if (*p >= '0' && *p <= '9')
                major = (int)strtol(p, NULL, 10);
    }
    fclose(tmp);
    return major;
}

/* ------------------------------------------------------------------ */
/* Preflight, roles, verification                                      */
/* ------------------------------------------------------------------ */

static pgt_conn *connect_target(dr_run *run, dr_phase *p, int *missing_db)
{
    char err[ERRLEN];
    pgt_conn *c = pgt_connect(run->conninfo, PROG, err, sizeof err, missing_db);

    if (c == NULL && p != NULL)
        set_note(p, "%s", err);
    return c;
}

static void do_preflight(dr_run *run)
{
    dr_phase *p = phase_begin(run, "preflight");
    df_preflight_options po = {0};
    df_target *t = df_target_new();
    char err[ERRLEN];
    int missing_db = 0, st;
    pgt_conn *c;

    if (t == NULL) {
        phase_fail(run, p, "out of memory");
        return;
    }
    c = connect_target(run, p, &missing_db);
    if (c == NULL) {
        if (missing_db)
            snprintf(p->note + strlen(p->note), sizeof p->note - strlen(p->note),
                     "; create it first (createdb)");
        df_target_free(t);
        phase_end(run, p, DF_VERDICT_UNKNOWN);
        return;
    }
    if (pgt_fill(c, t, PGT_SERVER | PGT_ROLES | PGT_OBJECTS | PGT_NEEDS, err, sizeof err) != 0) {
        pgt_close(c);
        df_target_free(t);
        phase_fail(run, p, err);
        return;
    }
    pgt_close(c);
    po.clean = run->o->clean;
    po.allow_existing = run->o->allow_existing;
    po.globals = run->globals;
    if (df_reader_header(run->r)->format != DF_FORMAT_PLAIN)
        po.pg_restore_major = pg_restore_major(run);
    st = df_target_preflight(run->r, t, &po, &p->check);
    df_target_free(t);
    if (st != DF_OK) {
        phase_fail(run, p, df_strstatus(st));
        return;
    }
    set_note(p, "%zu finding%s", df_tcheck_count(p->check),
             df_tcheck_count(p->check) == 1 ? "" : "s");
    phase_end(run, p, DF_VERDICT_OK);
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
    dr_phase *p = phase_begin(run, "roles");
    df_roles *roles = NULL;
    char *script = NULL, err[ERRLEN];
    size_t len = 0;
    FILE *f = open_memstream(&script, &len);
    int missing_db, st;
    pgt_conn *c;

    st = f == NULL ? DF_E_NOMEM : df_roles_collect(run->r, &roles);
    if (st == DF_OK)
        st = df_roles_write_create(roles, run->globals, f);
    if (f != NULL)
        fclose(f);
    df_roles_free(roles);
    if (st != DF_OK) {
        free(script);
        phase_fail(run, p, df_strstatus(st));
        return;
    }
    if ((c = connect_target(run, p, &missing_db)) == NULL) {
        free(script);
        phase_end(run, p, DF_VERDICT_UNKNOWN);
        return;
    }
    st = pgt_exec(c, script, err, sizeof err);
    pgt_close(c);
    free(script);
    if (st != 0) {
        phase_fail(run, p, err);
        return;
    }
    set_note(p, "missing roles created%s",
             run->globals != NULL ? " as --globals defines them, with their memberships"
                                  : " as NOLOGIN stubs");
    phase_end(run, p, DF_VERDICT_OK);
}

static void do_verify(dr_run *run)
{
    dr_phase *p = phase_begin(run, "verify");
    df_target *t = df_target_new();
    char err[ERRLEN];
    int missing_db, st;
    pgt_conn *c;

    if (t == NULL) {
        phase_fail(run, p, "out of memory");
        return;
    }
    if ((c = connect_target(run, p, &missing_db)) == NULL) {
        df_target_free(t);
        phase_end(run, p, DF_VERDICT_UNKNOWN);
        return;
    }
    st = pgt_fill(c, t, PGT_OBJECTS | PGT_ROWS, err, sizeof err);
    pgt_close(c);
    if (st != 0) {
        df_target_free(t);
        phase_fail(run, p, err);
        return;
    }
    st = df_target_verify(run->r, t, &p->check);
    df_target_free(t);
    if (st != DF_OK) {
        tool_print_error(PROG, run->o->dump, df_reader_error(run->r));
        phase_fail(run, p, df_strstatus(st));
        return;
    }
    set_note(p, "%lld tables, %lld rows, %lld large objects compared; %zu finding%s",
             (long long)df_tcheck_tables(p->check), (long long)df_tcheck_rows(p->check),
             (long long)df_tcheck_large_objects(p->check), df_tcheck_count(p->check),
             df_tcheck_count(p->check) == 1 ? "" : "s");
    phase_end(run, p, DF_VERDICT_OK);
}

/*
 * vacuumdb --analyze-only -j N (what a careful DBA runs after pg_restore); without vacuumdb,
 * one ANALYZE over libpq.
 */
static void do_analyze(dr_run *run)
{
    dr_phase *p = phase_begin(run, "analyze");
    char prog[1100], jobs[32], dsn[4096], err[ERRLEN];
    char *argv[] = {prog, "--analyze-only", "-q", "-j", jobs, "-d", dsn, NULL};
    int missing_db, rc;
    pgt_conn *c;

    program(run, "vacuumdb", prog, sizeof prog);
    snprintf(jobs, sizeof jobs, "%ld", run->o->jobs);
    snprintf(dsn, sizeof dsn, "%s", run->conninfo);
    rc = run_program(argv, -1, -1, NULL);
    if (rc == 0) {
        set_note(p, "vacuumdb --analyze-only -j %ld done", run->o->jobs);
        phase_end(run, p, DF_VERDICT_OK);
        return;
    }
    if (got_signal) {
        phase_fail(run, p, "interrupted");
        return;
    }
    if ((c = connect_target(run, p, &missing_db)) == NULL) {
        phase_end(run, p, DF_VERDICT_UNKNOWN);
        return;
    }
    if (pgt_exec(c, "ANALYZE", err, sizeof err) != 0) {
        pgt_close(c);
        phase_fail(run, p, err);
        return;
    }
    pgt_close(c);
    set_note(p, "ANALYZE done (vacuumdb %s)", rc == 127 ? "not found" : "failed");
    phase_end(run, p, DF_VERDICT_OK);
}

/* The sequences behind their columns: findings, or with --fix-sequences their setval(). */
static void do_sequences(dr_run *run)
{
    dr_phase *p = phase_begin(run, "sequences");
    df_target *t = df_target_new();
    char err[ERRLEN];
    int missing_db, st;
    size_t fixed = 0;
    pgt_conn *c;

    if (t == NULL) {
        phase_fail(run, p, "out of memory");
        return;
    }
    if ((c = connect_target(run, p, &missing_db)) == NULL) {
        df_target_free(t);
        phase_end(run, p, DF_VERDICT_UNKNOWN);
        return;
    }
    st = pgt_fill(c, t, PGT_SEQUENCES, err, sizeof err);
    if (st == 0 && df_target_check_sequences(t, &p->check) != DF_OK) {
        snprintf(err, sizeof err, "out of memory");
        st = -1;
    }
    for (size_t i = 0; st == 0 && run->o->fix_sequences && i < df_tcheck_count(p->check); i++)
        if ((st = pgt_exec(c, df_tcheck_at(p->check, i)->fix, err, sizeof err)) == 0)
            fixed++;
    pgt_close(c);
    df_target_free(t);
    if (st != 0) {
        phase_fail(run, p, err);
        return;
    }
    if (fixed > 0) {
        set_note(p, "%zu sequence%s behind set with setval()", fixed, fixed == 1 ? "" : "s");
        phase_end(run, p, DF_VERDICT_OK);
        p->verdict = DF_VERDICT_WARNING; /* they were behind: worth a look at the source */
        return;
    }
    set_note(p, "%zu sequence%s behind", df_tcheck_count(p->check),
             df_tcheck_count(p->check) == 1 ? "" : "s");
    phase_end(run, p, DF_VERDICT_OK);
}

/* ------------------------------------------------------------------ */
/* The restore                                                         */
/* ------------------------------------------------------------------ */

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
        st = df_restorelog_feed_line(rl, line, (size_t)n);
    }
    free(line);
    return st == DF_OK ? df_restorelog_finish(rl) : st;
}

static int write_resume(dr_run *run, const df_rdiag *d, const char *path)
{
    const size_t *resume;
    size_t partial, n = df_rdiag_resume(d, &resume, &partial);
    df_list_options lo = {0};
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
        st = df_list_write_order(run->r, &lo, resume, n, NULL, tf.f, &err);
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
        set_note(p, "stopped at %s: %s (%s); fix: %s; resume: %s%s",
                 where, df_restorelog_count(rl) > 0 ? df_restorelog_error(rl, 0)->message : "",
                 cause->what ? cause->what : df_rlog_class_name(cause->cls),
                 cause->fix ? cause->fix : "see the log", plain ? "psql -f " : "pg_restore -L ",
                 resume);
        if (write_resume(run, d, resume) != 0)
            snprintf(p->note + strlen(p->note), sizeof p->note - strlen(p->note),
                     " (could not be written)");
    }
    df_rdiag_free(d);
    df_restorelog_free(rl);
}

static void do_restore(dr_run *run)
{
    dr_phase *p = phase_begin(run, "restore");
    int plain = df_reader_header(run->r)->format == DF_FORMAT_PLAIN;
    char prog[1100], jobs[32], dsn[4096];
    char *argv[16];
    size_t k = 0;
    FILE *log = tmpfile();
    int rc;

    if (log == NULL) {
        phase_fail(run, p, "could not create a temporary file for the restore log");
        return;
    }
    snprintf(dsn, sizeof dsn, "%s", run->conninfo);
    snprintf(jobs, sizeof jobs, "%ld", run->o->jobs);
    program(run, plain ? "psql" : "pg_restore", prog, sizeof prog);
    argv[k++] = prog;
    if (plain) {
        if (df_reader_header(run->r)->file_compression != DF_COMPRESS_NONE) {
            fclose(log);
            phase_fail(run, p, "psql runs uncompressed scripts only: decompress it first");
            return;
        }
        char *a[] = {"-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", (char *)run->o->dump};
        if (run->o->single_txn)
            argv[k++] = "-1";
        for (size_t i = 0; i < sizeof a / sizeof *a; i++)
            argv[k++] = a[i];
    } else {
        argv[k++] = "--exit-on-error";
        argv[k++] = "-v";
        argv[k++] = "-d";
        argv[k++] = dsn;
        if (run->o->single_txn)
            argv[k++] = "--single-transaction";
        else {
            argv[k++] = "-j";
            argv[k++] = jobs;
        }
        if (run->o->clean) {
            argv[k++] = "--clean";
            argv[k++] = "--if-exists";
        }
        argv[k++] = (char *)run->o->dump;
    }
    argv[k] = NULL;
    rc = run_program(argv, -1, fileno(log), NULL);
    if (rc == 0 && !got_signal) {
        set_note(p, "%s finished without errors", argv[0]);
        fclose(log);
        phase_end(run, p, DF_VERDICT_OK);
        return;
    }
    if (got_signal)
        set_note(p, "interrupted by signal %d", (int)got_signal);
    else if (rc < 0 || rc == 127)
        set_note(p, "could not run %s", prog);
    else {
        set_note(p, "%s failed (exit %d)", prog, rc);
        explain_failure(run, p, log);
    }
    fclose(log);
    phase_end(run, p, rc < 0 || rc == 127 || got_signal ? DF_VERDICT_UNKNOWN : DF_VERDICT_DAMAGED);
}

/* ------------------------------------------------------------------ */
/* The drill: a throwaway cluster                                      */
/* ------------------------------------------------------------------ */

typedef struct dr_cluster {
    char dir[512];  /* private temporary directory: data/, the socket, logs */
    char data[600];
    char conninfo[1200];
    int started;
    const char *user; /* "postgres" when we are root, else NULL (ourselves) */
} dr_cluster;

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

static void cluster_stop(dr_run *run, dr_cluster *cl)
{
    char ctl[1100];
    char *stop[] = {ctl, "-D", cl->data, "-m", "immediate", "-w", "-t", "60", "stop", NULL};

    if (cl->dir[0] == '\0')
        return;
    program(run, "pg_ctl", ctl, sizeof ctl);
    if (cl->started || access(cl->data, F_OK) == 0) {
        char pidfile[700];
        snprintf(pidfile, sizeof pidfile, "%s/postmaster.pid", cl->data);
        if (access(pidfile, F_OK) == 0) {
            sig_atomic_t saved = got_signal;
            got_signal = 0; /* the stop itself must not be interrupted */
            run_program(stop, -1, -1, cl->user);
            got_signal = saved;
        }
    }
    nftw(cl->dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    cl->dir[0] = '\0';
}

/* Where initdb and pg_ctl are: --pg-bindir, else pg_config --bindir, else PATH. */
static void find_bindir(dr_run *run)
{
    char *argv[] = {"pg_config", "--bindir", NULL};
    FILE *tmp;

    if (run->o->pg_bindir != NULL) {
        snprintf(run->bindir, sizeof run->bindir, "%s", run->o->pg_bindir);
        return;
    }
    if ((tmp = tmpfile()) == NULL)
        return;
    if (run_program(argv, fileno(tmp), -1, NULL) == 0) {
        size_t n;
        rewind(tmp);
        n = fread(run->bindir, 1, sizeof run->bindir - 1, tmp);
        run->bindir[n] = '\0';
        run->bindir[strcspn(run->bindir, "\n")] = '\0';
    }
    fclose(tmp);
}

static int cluster_start(dr_run *run, dr_cluster *cl, dr_phase *p)
{
    const char *parent = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    char initdb[1100], ctl[1100], opts[1400], log[700];
    struct passwd *pw = NULL;
    int port = 20000 + (int)(getpid() % 20000);

    cl->user = geteuid() == 0 ? "postgres" : NULL;
    snprintf(cl->dir, sizeof cl->dir, "%s/dumprestore-drill.XXXXXX", parent);
    if (mkdtemp(cl->dir) == NULL) {
        cl->dir[0] = '\0';
        set_note(p, "could not create a temporary directory in %s",
                 parent);
        return -1;
    }
    if (cl->user != NULL) {
        if ((pw = getpwnam(cl->user)) == NULL || chown(cl->dir, pw->pw_uid, pw->pw_gid) != 0) {
            set_note(p, "running as root needs a \"postgres\" user");
            return -1;
        }
    }
    snprintf(cl->data, sizeof cl->data, "%s/data", cl->dir);
    snprintf(log, sizeof log, "%s/server.log", cl->dir);
    program(run, "initdb", initdb, sizeof initdb);
    program(run, "pg_ctl", ctl, sizeof ctl);
    {
        /* -N: no fsync, the cluster is thrown away */
        char *argv[] = {initdb,   "-D", cl->data, "-U",         "postgres", "--auth=trust",
                        "-E",     "UTF8", "--locale=C", "-N", NULL};
        if (run_program(argv, -1, -1, cl->user) != 0 || got_signal) {
            set_note(p, "%s failed", initdb);
            return -1;
        }
    }
    /* a Unix socket in the private directory only, never a TCP port; no durability needed */
    snprintf(opts, sizeof opts,
             "-c listen_addresses='' -c unix_socket_directories='%s' -p %d -c fsync=off "
             "-c full_page_writes=off -c synchronous_commit=off",
             cl->dir, port);
    {
        char *argv[] = {ctl, "-D", cl->data, "-l", log, "-w", "-t", "120", "-o", opts, "start",
                        NULL};
        cl->started = 1;
        if (run_program(argv, -1, -1, cl->user) != 0 || got_signal) {
            set_note(p, "the server did not start (see %s)", log);
            return -1;
        }
    }
    snprintf(cl->conninfo, sizeof cl->conninfo,
             "host=%s port=%d user=postgres dbname=postgres", cl->dir, port);
    return 0;
}

/* The drill's database, in the dump's encoding when it names one. */
static int cluster_createdb(dr_run *run, dr_cluster *cl, dr_phase *p)
{
    char err[ERRLEN], sql[256];
    int missing_db;
    pgt_conn *c;

    run->conninfo = cl->conninfo;
    if ((c = connect_target(run, p, &missing_db)) == NULL)
        return -1;
    snprintf(sql, sizeof sql, "CREATE DATABASE drill TEMPLATE template0");
    if (pgt_exec(c, sql, err, sizeof err) != 0) {
        pgt_close(c);
        set_note(p, "%s", err);
        return -1;
    }
    pgt_close(c);
    snprintf(cl->conninfo + strlen(cl->conninfo), sizeof cl->conninfo - strlen(cl->conninfo),
             " dbname=drill");
    return 0;
}

/* ------------------------------------------------------------------ */
/* Output                                                              */
/* ------------------------------------------------------------------ */

static void print_findings(const df_tcheck *c)
{
    for (size_t i = 0; i < df_tcheck_count(c); i++) {
        const df_tfinding *f = df_tcheck_at(c, i);
        printf("  %s %s: %s: %s\n", df_severity_name(f->severity), f->code, f->object,
               f->message);
        if (f->fix != NULL)
            printf("    fix: %s\n", f->fix);
    }
}

static int print_text(const dr_run *run, int verdict)
{
    for (size_t i = 0; i < run->nphases; i++) {
        const dr_phase *p = &run->phases[i];
        if (run->o->quiet && p->verdict == DF_VERDICT_OK)
            continue; /* also its findings: roles a drill created, nothing to act on */
        printf("%s: %s (%.2f s): %s\n", p->name, verdict_word(p->verdict), p->seconds, p->note);
        print_findings(p->check);
    }
    printf("verdict: %s\n", df_verdict_name(verdict));
    return tool_finish_output(PROG, stdout);
}

static int print_json(const dr_run *run, int verdict)
{
    tool_json j;

    tool_json_init(&j, stdout, 2);
    tool_json_begin_object(&j);
    tool_json_key(&j, "dump");
    tool_json_string(&j, run->o->dump);
    tool_json_key(&j, "mode");
    tool_json_string(&j, run->o->drill            ? "drill"
                         : run->o->preflight_only ? "preflight"
                         : run->o->verify_only    ? "verify"
                                                  : "restore");
    tool_json_key(&j, "verdict");
    tool_json_string(&j, df_verdict_name(verdict));
    tool_json_key(&j, "phases");
    tool_json_begin_array(&j);
    for (size_t i = 0; i < run->nphases; i++) {
        const dr_phase *p = &run->phases[i];
        tool_json_begin_object(&j);
        tool_json_key(&j, "name");
        tool_json_string(&j, p->name);
        tool_json_key(&j, "result");
        tool_json_string(&j, verdict_word(p->verdict));
        tool_json_key(&j, "milliseconds");
        tool_json_int(&j, (int64_t)(p->seconds * 1000));
        tool_json_key(&j, "note");
        tool_json_string(&j, p->note);
        if (p->check != NULL && strcmp(p->name, "verify") == 0) {
            tool_json_key(&j, "tables");
            tool_json_int(&j, df_tcheck_tables(p->check));
            tool_json_key(&j, "rows");
            tool_json_int(&j, df_tcheck_rows(p->check));
            tool_json_key(&j, "large_objects");
            tool_json_int(&j, df_tcheck_large_objects(p->check));
        }
        tool_json_key(&j, "findings");
        tool_json_begin_array(&j);
        for (size_t k = 0; k < df_tcheck_count(p->check); k++) {
            const df_tfinding *f = df_tcheck_at(p->check, k);
            tool_json_begin_object(&j);
            tool_json_key(&j, "severity");
            tool_json_string(&j, df_severity_name(f->severity));
            tool_json_key(&j, "code");
            tool_json_string(&j, f->code);
            tool_json_key(&j, "object");
            tool_json_string(&j, f->object);
            tool_json_key(&j, "message");
            tool_json_string(&j, f->message);
            tool_json_key(&j, "fix");
            tool_json_string(&j, f->fix);
            if (f->expected >= 0) {
                tool_json_key(&j, "expected");
                tool_json_int(&j, f->expected);
                tool_json_key(&j, "found");
                tool_json_int(&j, f->found);
            }
            tool_json_end_object(&j);
        }
        tool_json_end_array(&j);
        tool_json_end_object(&j);
    }
    tool_json_end_array(&j);
    tool_json_end_object(&j);
    tool_json_finish(&j);
    return tool_finish_output(PROG, stdout);
}

/* node_exporter textfile metrics, as dumpcheck writes them: verdict, seconds per phase. */
static int write_prometheus(const dr_run *run, int verdict)
{
    tool_file tf;

    if (tool_file_create(PROG, run->o->prometheus, &tf) != TOOL_EXIT_OK)
        return TOOL_EXIT_UNKNOWN;
    fprintf(tf.f, "# HELP dumprestore_verdict 0 OK, 1 warning, 2 failed, 3 unknown\n"
                  "# TYPE dumprestore_verdict gauge\n");
    fprintf(tf.f, "dumprestore_verdict %d\n", verdict);
    fprintf(tf.f, "# HELP dumprestore_phase_seconds time of each phase\n"
                  "# TYPE dumprestore_phase_seconds gauge\n");
    for (size_t i = 0; i < run->nphases; i++)
        fprintf(tf.f, "dumprestore_phase_seconds{phase=\"%s\"} %.3f\n", run->phases[i].name,
                run->phases[i].seconds);
    fprintf(tf.f, "# HELP dumprestore_timestamp_seconds when the run ended\n"
                  "# TYPE dumprestore_timestamp_seconds gauge\n"
                  "dumprestore_timestamp_seconds %lld\n",
            (long long)time(NULL));
    return tool_file_commit(PROG, &tf);
}

/* ------------------------------------------------------------------ */

static int open_dumps(dr_run *run)
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
        df_roles_collect(run->gr, &run->globals) != DF_OK) {
        tool_print_error(PROG, run->o->globals, df_reader_error(run->gr));
        return TOOL_EXIT_UNKNOWN;
    }
    return TOOL_EXIT_OK;
}

/* Preflight, roles, restore, ANALYZE, verify: what runs depends on the mode. */
static void run_phases(dr_run *run, int drill)
{
    dr_phase *pre;

    if (run->o->verify_only) {
        do_verify(run);
        if (!got_signal)
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
    if (!run->stop && !got_signal && (drill || run->o->create_roles))
        do_create_roles(run);
    if (!run->stop && !got_signal)
        do_restore(run);
    if (!run->stop && !got_signal)
        do_analyze(run);
    if (!run->stop && !got_signal)
        do_sequences(run);
    if (!run->stop && !got_signal)
        do_verify(run);
}

static void run_drill(dr_run *run)
{
    dr_cluster cl;
    dr_phase *p = phase_begin(run, "cluster");
    struct sigaction sa;

    memset(&cl, 0, sizeof cl);
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    find_bindir(run);
    if (cluster_start(run, &cl, p) != 0 || cluster_createdb(run, &cl, p) != 0) {
        phase_end(run, p, DF_VERDICT_UNKNOWN);
    } else {
        set_note(p, "throwaway cluster in %s (%s)", cl.dir,
                 run->bindir[0] ? run->bindir : "PATH");
        phase_end(run, p, DF_VERDICT_OK);
        run_phases(run, 1);
    }
    cluster_stop(run, &cl);
}

static int run_all(const dr_options *o)
{
    dr_run run;
    int rc, verdict = DF_VERDICT_OK;

    memset(&run, 0, sizeof run);
    run.o = o;
    run.conninfo = o->conninfo;
    if (o->pg_bindir != NULL)
        snprintf(run.bindir, sizeof run.bindir, "%s", o->pg_bindir);
    rc = open_dumps(&run);
    if (rc == TOOL_EXIT_OK) {
        if (o->drill) {
            run_drill(&run);
        } else {
            struct sigaction sa;
            memset(&sa, 0, sizeof sa);
            sa.sa_handler = on_signal;
            sigaction(SIGINT, &sa, NULL);
            sigaction(SIGTERM, &sa, NULL);
            run_phases(&run, 0);
        }
        for (size_t i = 0; i < run.nphases; i++)
            if (run.phases[i].verdict > verdict)
                verdict = run.phases[i].verdict;
        rc = o->json ? print_json(&run, verdict) : print_text(&run, verdict);
        if (o->prometheus != NULL)
            rc = tool_exit_worse(rc, write_prometheus(&run, verdict));
        rc = tool_exit_worse(rc, verdict);
    }
    for (size_t i = 0; i < run.nphases; i++)
        df_tcheck_free(run.phases[i].check);
    df_roles_free(run.globals);
    df_reader_free(run.gr);
    df_reader_free(run.r);
    if (got_signal)
        return 128 + got_signal;
    return rc;
}

int main(int argc, char **argv)
{
    dr_options o;
    int rc = parse_options(argc, argv, &o);

    if (rc >= 0)
        return rc;
    return run_all(&o);
}
