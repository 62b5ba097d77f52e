/*
 * dumpdiag.c — reads a failed restore's log (pg_restore's stderr, or
 * psql's output for a plain script) together with the dump, and says
 * which entries failed, why (root causes first, with their cascades),
 * what never ran, and writes the list (or the script) that finishes the
 * restore once the causes are fixed.  The parsing and the diagnosis are in
 * libdumpfmt (restorelog.c, restorediag.c); this file parses options and
 * prints.
 */
#include "common.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#define PROG "dumpdiag"

typedef struct dd_options {
    int json;
    int on_error_stop;
    const char *output;
    const char *log_path;
    const char *dump_path;
} dd_options;

enum { OPT_JSON = 256, OPT_HELP, OPT_ON_ERROR_STOP };

static const struct option long_options[] = {
    {"json", no_argument, NULL, OPT_JSON},
    {"output", required_argument, NULL, 'o'},
    {"on-error-stop", no_argument, NULL, OPT_ON_ERROR_STOP},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(void)
{
    printf("%s reads the log of a restore that failed and the dump it restored, names\n"
           "every failed entry and its root cause, and writes the list that finishes it.\n\n",
           PROG);
    printf("Usage:\n  %s [OPTION]... LOG DUMP\n\n", PROG);
    printf("LOG is pg_restore's standard error (10 to 18, with or without -v, serial or -j),\n"
           "or psql's output for a plain script; \"-\" reads standard input.  DUMP is the\n"
           "archive or plain script that was restored.\n\n");
    printf("Options:\n"
           "      --json               print the report as JSON\n"
           "  -o, --output=FILE        write the resume: a pg_restore -L list (archives) or\n"
           "                           the script cut down to what is missing (plain)\n"
           "      --on-error-stop      psql ran with ON_ERROR_STOP (its log cannot tell)\n"
           "  -V, --version            print the version and exit\n"
           "      --help               show this help and exit\n\n");
    printf("Exit status: 0 the restore was clean, 1 errors a rerun fixes once the causes\n"
           "are fixed, 2 data failed to load or the restore stopped, 3 could not run.\n");
}

static int parse_options(int argc, char **argv, dd_options *o)
{
    char prog_name[] = PROG;
    char *argv0 = argv[0];
    int c;

    memset(o, 0, sizeof *o);
    argv[0] = prog_name; /* getopt's messages name argv[0] */
    while ((c = getopt_long(argc, argv, "o:V", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: o->json = 1; break;
        case OPT_ON_ERROR_STOP: o->on_error_stop = 1; break;
        case 'o': o->output = optarg; break;
        case OPT_HELP: argv[0] = argv0; print_help(); return tool_finish_output(PROG, stdout);
        case 'V': argv[0] = argv0; tool_print_version(PROG); return tool_finish_output(PROG, stdout);
        default: argv[0] = argv0; tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN;
        }
    }
    argv[0] = argv0;
    if (argc - optind != 2) {
        tool_errorf(PROG, argc - optind < 2 ? "a log and a dump are needed" : "too many arguments");
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    }
    o->log_path = argv[optind];
    o->dump_path = argv[optind + 1];
    if (strcmp(o->log_path, "-") == 0 && strcmp(o->dump_path, "-") == 0) {
        tool_errorf(PROG, "the log and the dump cannot both be standard input");
        return TOOL_EXIT_UNKNOWN;
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* Reading                                                             */
/* ------------------------------------------------------------------ */

static int read_log(const dd_options *o, df_restorelog *rl)
{
    FILE *f = strcmp(o->log_path, "-") == 0 ? stdin : fopen(o->log_path, "r");
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    int st = DF_OK;

    if (f == NULL) {
        tool_errorf(PROG, "could not open \"%s\": %s", o->log_path, strerror(errno));
        return TOOL_EXIT_UNKNOWN;
    }
    while (st == DF_OK && (n = getline(&line, &cap, f)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            n--;
        st = df_restorelog_feed_line(rl, line, (size_t)n);
    }
    if (st == DF_OK && ferror(f)) {
        tool_errorf(PROG, "could not read \"%s\": %s", o->log_path, strerror(errno));
        st = DF_E_IO;
    } else if (st == DF_OK)
        st = df_restorelog_finish(rl);
    else
        tool_errorf(PROG, "out of memory");
    free(line);
    if (f != stdin)
        fclose(f);
    return st == DF_OK ? TOOL_EXIT_OK : TOOL_EXIT_UNKNOWN;
}

/* ------------------------------------------------------------------ */
/* Printing                                                            */
/* ------------------------------------------------------------------ */

static const char *source_name(int s)
{
    static const char *const names[] = {"empty", "pg_restore", "psql", "unknown"};
    return s >= 0 && s <= 3 ? names[s] : "unknown";
}

static const char *state_name(int s)
{
    static const char *const names[] = {"ok", "failed", "cascade", "not-run", "skipped"};
    return s >= 0 && s <= 4 ? names[s] : "unknown";
}

/* "215 TABLE s t" as pg_restore -l names an entry. */
static void put_entry(FILE *out, const df_entry *e)
{
    fprintf(out, "%d ", e->dump_id);
    tool_put_sanitized(out, e->desc, 1);
    fputc(' ', out);
    tool_put_sanitized(out, e->schema, 1);
    fputc(' ', out);
    tool_put_sanitized(out, e->tag, 1);
}

/* 2: data lost or the restore stopped; 1: errors; 0: clean. */
static int verdict(const df_restorelog *rl, const df_rdiag *d, const df_reader *r)
{
    const df_rlog_summary *s = df_restorelog_summary(rl);
    int rc = s->errors > 0 ? TOOL_EXIT_WARNING : TOOL_EXIT_OK;

    if (s->stopped)
        return TOOL_EXIT_DAMAGED;
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        int st = df_rdiag_entry_state(d, i);
        if ((st == DF_RSTATE_FAILED || st == DF_RSTATE_CASCADE || st == DF_RSTATE_NOT_RUN) &&
            df_reader_toc_at(r, i)->had_dumper)
            return TOOL_EXIT_DAMAGED;
    }
    return rc;
}

static void print_text(const dd_options *o, const df_restorelog *rl, const df_rdiag *d,
                       const df_reader *r, size_t nresume)
{
    const df_rlog_summary *s = df_restorelog_summary(rl);
    size_t nc = df_rdiag_cause_count(d), ne = df_rdiag_error_count(d), notrun = 0;
    size_t unattributed = 0;

    printf("%s: %s log, %lld error%s", o->log_path, source_name(s->source), (long long)s->errors,
           s->errors == 1 ? "" : "s");
    if (s->stopped)
        printf("; the restore stopped: %s", s->stop_reason);
    printf("\n");
    if (nc > 0)
        printf("\nroot causes:\n");
    for (size_t k = 0; k < nc; k++) {
        const df_rdiag_cause *c = df_rdiag_cause_at(d, k);
        printf("  %zu. %s: %s: %zu error%s, %zu cascaded\n", k + 1, df_rlog_class_name(c->cls),
               c->what, c->direct, c->direct == 1 ? "" : "s", c->cascaded);
        if (c->kind && (c->cls == DF_RLOG_MISSING_OBJECT || c->cls == DF_RLOG_DATA ||
                        c->cls == DF_RLOG_RESOURCE || c->cls == DF_RLOG_SERVER_TOO_OLD))
            printf("     kind: %s\n", c->kind);
        printf("     fix: %s\n", c->fix);
    }
    if (ne > 0)
        printf("\nerrors:\n");
    for (size_t i = 0; i < ne; i++) {
        const df_rdiag_error *x = df_rdiag_error_at(d, i);
        printf("  log line %lld: ", (long long)x->e->log_line);
        if (x->entry >= 0)
            put_entry(stdout, df_reader_toc_at(r, (size_t)x->entry));
        else
            printf(x->how && strcmp(x->how, "session") == 0 ? "(connection setup)" : "(no entry)");
        printf(": %s", df_rlog_class_name(x->e->cls));
        if (x->cascade && x->root >= 0) {
            printf(", cascade of ");
            put_entry(stdout, df_reader_toc_at(r, (size_t)x->root));
        }
        printf(" [cause %zu]: %s", x->cause + 1, x->e->message ? x->e->message : "");
        if (x->e->copy_line > 0)
            printf(" (COPY line %lld)", (long long)x->e->copy_line);
        printf("\n");
    }
    for (size_t i = 0; i < df_reader_toc_count(r); i++)
        if (df_rdiag_entry_state(d, i) == DF_RSTATE_NOT_RUN) {
            if (notrun++ == 0)
                printf("\nnever ran:\n");
            printf("  ");
            put_entry(stdout, df_reader_toc_at(r, i));
            printf("\n");
        }
    for (size_t i = 0; i < ne; i++) {
        const df_rdiag_error *x = df_rdiag_error_at(d, i);
        if (x->entry < 0 && !(x->how && strcmp(x->how, "session") == 0))
            unattributed++;
    }
    if (unattributed > 0)
        printf("\n%zu error%s could not be attributed to an entry of \"%s\" (is it the dump "
               "that was restored?)\n", unattributed, unattributed == 1 ? "" : "s", o->dump_path);
    if (o->output)
        printf("\nresume: %zu entr%s written to \"%s\"\n", nresume, nresume == 1 ? "y" : "ies",
               o->output);
}

static void json_entry(tool_json *j, const char *key, const df_reader *r, int64_t i)
{
    tool_json_key(j, key);
    if (i < 0) {
        tool_json_null(j);
        return;
    }
    tool_json_int(j, df_reader_toc_at(r, (size_t)i)->dump_id);
}

static void json_error(tool_json *j, const df_rdiag_error *x, const df_reader *r)
{
    const df_rlog_error *e = x->e;
    const df_entry *en = x->entry >= 0 ? df_reader_toc_at(r, (size_t)x->entry) : NULL;

    tool_json_begin_object(j);
    tool_json_key(j, "log_line"); tool_json_int(j, e->log_line);
    json_entry(j, "dump_id", r, x->entry);
    tool_json_key(j, "desc"); tool_json_string(j, en ? en->desc : NULL);
    tool_json_key(j, "schema"); tool_json_string(j, en ? en->schema : NULL);
    tool_json_key(j, "tag"); tool_json_string(j, en ? en->tag : NULL);
    tool_json_key(j, "attributed_by"); tool_json_string(j, x->how);
    tool_json_key(j, "class"); tool_json_string(j, df_rlog_class_name(e->cls));
    tool_json_key(j, "kind"); tool_json_string(j, e->kind);
    tool_json_key(j, "object"); tool_json_string(j, e->object);
    tool_json_key(j, "cascade"); tool_json_bool(j, x->cascade);
    json_entry(j, "root_dump_id", r, x->root);
    tool_json_key(j, "cause"); tool_json_int(j, (int64_t)x->cause + 1);
    tool_json_key(j, "severity"); tool_json_string(j, e->severity);
    tool_json_key(j, "message"); tool_json_string(j, e->message);
    tool_json_key(j, "detail"); tool_json_string(j, e->detail);
    tool_json_key(j, "context"); tool_json_string(j, e->context);
    tool_json_key(j, "copy_table"); tool_json_string(j, e->copy_table);
    tool_json_key(j, "copy_line");
    if (e->copy_line > 0) tool_json_int(j, e->copy_line); else tool_json_null(j);
    tool_json_key(j, "file"); tool_json_string(j, e->file);
    tool_json_key(j, "line");
    if (e->line > 0) tool_json_int(j, e->line); else tool_json_null(j);
    tool_json_key(j, "command"); tool_json_string(j, e->command);
    tool_json_end_object(j);
}

static void print_json(const dd_options *o, const df_restorelog *rl, const df_rdiag *d,
                       const df_reader *r, int exit_code)
{
    const df_rlog_summary *s = df_restorelog_summary(rl);
    const size_t *resume;
    size_t partial, nresume = df_rdiag_resume(d, &resume, &partial);
    tool_json j;

    tool_json_init(&j, stdout, 2);
    tool_json_begin_object(&j);
    tool_json_key(&j, "log"); tool_json_string(&j, o->log_path);
    tool_json_key(&j, "dump"); tool_json_string(&j, o->dump_path);
    tool_json_key(&j, "source"); tool_json_string(&j, source_name(s->source));
    tool_json_key(&j, "verbose"); tool_json_bool(&j, s->verbose);
    tool_json_key(&j, "parallel"); tool_json_bool(&j, s->parallel);
    tool_json_key(&j, "errors"); tool_json_int(&j, s->errors);
    tool_json_key(&j, "ignored");
    if (s->ignored >= 0) tool_json_int(&j, s->ignored); else tool_json_null(&j);
    tool_json_key(&j, "stopped"); tool_json_bool(&j, s->stopped);
    tool_json_key(&j, "stop_reason"); tool_json_string(&j, s->stop_reason);
    tool_json_key(&j, "exit"); tool_json_int(&j, exit_code);
    tool_json_key(&j, "causes");
    tool_json_begin_array(&j);
    for (size_t k = 0; k < df_rdiag_cause_count(d); k++) {
        const df_rdiag_cause *c = df_rdiag_cause_at(d, k);
        tool_json_begin_object(&j);
        tool_json_key(&j, "class"); tool_json_string(&j, df_rlog_class_name(c->cls));
        tool_json_key(&j, "kind"); tool_json_string(&j, c->kind);
        tool_json_key(&j, "what"); tool_json_string(&j, c->what);
        tool_json_key(&j, "direct"); tool_json_int(&j, (int64_t)c->direct);
        tool_json_key(&j, "cascaded"); tool_json_int(&j, (int64_t)c->cascaded);
        json_entry(&j, "root_dump_id", r, c->root_entry);
        tool_json_key(&j, "fix"); tool_json_string(&j, c->fix);
        tool_json_end_object(&j);
    }
    tool_json_end_array(&j);
    tool_json_key(&j, "failures");
    tool_json_begin_array(&j);
    for (size_t i = 0; i < df_rdiag_error_count(d); i++)
        json_error(&j, df_rdiag_error_at(d, i), r);
    tool_json_end_array(&j);
    tool_json_key(&j, "entries");
    tool_json_begin_array(&j);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        int st = df_rdiag_entry_state(d, i);
        if (st == DF_RSTATE_OK || st == DF_RSTATE_SKIPPED)
            continue;
        tool_json_begin_object(&j);
        tool_json_key(&j, "dump_id"); tool_json_int(&j, df_reader_toc_at(r, i)->dump_id);
        tool_json_key(&j, "state"); tool_json_string(&j, state_name(st));
        tool_json_end_object(&j);
    }
    tool_json_end_array(&j);
    tool_json_key(&j, "resume");
    tool_json_begin_array_inline(&j);
    for (size_t k = 0; k < nresume; k++)
        tool_json_int(&j, df_reader_toc_at(r, resume[k])->dump_id);
    tool_json_end_array(&j);
    tool_json_key(&j, "partial_inserts"); tool_json_int(&j, (int64_t)partial);
    tool_json_end_object(&j);
    tool_json_finish(&j);
}

/* ------------------------------------------------------------------ */
/* The resume                                                          */
/* ------------------------------------------------------------------ */

static int write_resume(const dd_options *o, df_reader *r, const df_rdiag *d)
{
    const size_t *resume;
    size_t partial, n = df_rdiag_resume(d, &resume, &partial);
    df_list_options lo = {0};
    df_error err;
    tool_file tf;
    int st;

    if (tool_same_file(o->output, o->dump_path) || tool_same_file(o->output, o->log_path)) {
        tool_errorf(PROG, "--output \"%s\" is one of the input files; write a new file", o->output);
        return TOOL_EXIT_UNKNOWN;
    }
    if (tool_file_create(PROG, o->output, &tf) != TOOL_EXIT_OK)
        return TOOL_EXIT_UNKNOWN;
    memset(&err, 0, sizeof err);
    err.offset = -1;
    if (df_reader_header(r)->format == DF_FORMAT_PLAIN)
        st = df_rdiag_write_plain(d, r, tf.f, &err);
    else
        st = df_list_write_order(r, &lo, resume, n, NULL, tf.f, &err);
    if (st != DF_OK) {
        tool_print_error(PROG, o->output, &err);
        tool_file_abort(&tf);
        return TOOL_EXIT_UNKNOWN;
    }
    if (partial > 0)
        tool_errorf(PROG, "%zu table%s loaded by INSERTs failed part way: the resume loads "
                    "them again, delete their rows first", partial, partial == 1 ? "" : "s");
    return tool_file_commit(PROG, &tf);
}

/* ------------------------------------------------------------------ */

static int open_dump(const dd_options *o, df_reader **out)
{
    df_reader *r = df_reader_new(NULL);
    int st;

    *out = r;
    if (r == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    if ((st = df_reader_open_path(r, o->dump_path)) != DF_OK) {
        df_error err = *df_reader_error(r);
        if (err.code == DF_OK)
            err.code = st;
        tool_print_error(PROG, o->dump_path, &err);
        return tool_exit_worse(TOOL_EXIT_UNKNOWN, tool_exit_for_open_error(&err));
    }
    return TOOL_EXIT_OK;
}

static int run(const dd_options *o)
{
    df_restorelog *rl = df_restorelog_new();
    df_reader *r = NULL;
    df_rdiag *d = NULL;
    df_error err;
    int rc;

    if (rl == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    rc = read_log(o, rl);
    if (rc == TOOL_EXIT_OK && df_restorelog_summary(rl)->source == DF_RLOG_UNKNOWN) {
        tool_errorf(PROG, "\"%s\" is not a restore log: expected pg_restore's standard error "
                    "(\"pg_restore: ...\" lines) or psql's output (\"psql:FILE:LINE: ERROR: "
                    "...\", or ERROR: lines after echoed statements)", o->log_path);
        rc = TOOL_EXIT_UNKNOWN;
    }
    if (rc == TOOL_EXIT_OK && o->on_error_stop)
        df_restorelog_set_stopped(rl);
    if (rc == TOOL_EXIT_OK) {
        const df_rlog_summary *s = df_restorelog_summary(rl);
        if (s->stopped && !s->verbose && s->stop_reason && strstr(s->stop_reason, "worker"))
            tool_errorf(PROG, "warning: a pg_restore -j log without -v does not say which "
                        "entries ran: those after the failed one in archive order are taken "
                        "as never run; check the resume list, or restore with -v next time");
    }
    if (rc == TOOL_EXIT_OK)
        rc = open_dump(o, &r);
    memset(&err, 0, sizeof err);
    err.offset = -1;
    if (rc == TOOL_EXIT_OK && df_rdiag_build(rl, r, &d, &err) != DF_OK) {
        tool_print_error(PROG, o->dump_path, &err);
        rc = TOOL_EXIT_UNKNOWN;
    }
    if (rc == TOOL_EXIT_OK) {
        const size_t *resume;
        size_t nresume = df_rdiag_resume(d, &resume, NULL);
        int v = verdict(rl, d, r);
        if (o->output)
            rc = write_resume(o, r, d);
        if (o->json)
            print_json(o, rl, d, r, rc == TOOL_EXIT_OK ? v : rc);
        else
            print_text(o, rl, d, r, nresume);
        rc = tool_exit_worse(rc, tool_finish_output(PROG, stdout));
        if (rc == TOOL_EXIT_OK)
            rc = v;
    }
    df_rdiag_free(d);
    df_reader_free(r);
    df_restorelog_free(rl);
    return rc;
}

int main(int argc, char **argv)
{
    dd_options o;
    int rc = parse_options(argc, argv, &o);

    if (rc >= 0)
        return rc;
    return run(&o);
}
