/*
 * dumpdiag.c — reads a failed restore's log (pg_restore's stderr, or
 * psql's output for a plain script) together with the dump, and says
 * which entries failed, why (root causes first, with their cascades),
 * what never ran, and writes the list (or the script) that finishes the
 * restore once the causes are fixed.  The parsing and the diagnosis are in
 * libdumpfmt (restorelog.c, restorediag.c); this file parses options and
 * writes the resume; diag_print.c prints the diagnosis (diag.h).
 */
#include "diag.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

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

/* Handle one option; returns -1 to go on, else an exit status. */
static int apply_option(void *ctx, int c, const char *arg)
{
    dd_options *o = ctx;

    switch (c) {
    case OPT_JSON: o->json = 1; return -1;
    case OPT_ON_ERROR_STOP: o->on_error_stop = 1; return -1;
    case 'o': o->output = arg; return -1;
    case OPT_HELP: print_help(); return tool_finish_output(PROG, stdout);
    case 'V': tool_print_version(PROG); return tool_finish_output(PROG, stdout);
    default: tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN; /* getopt said why */
    }
}

static int parse_options(int argc, char **argv, dd_options *o)
{
    int rc;

    memset(o, 0, sizeof *o);
    rc = tool_parse_args(PROG, argc, argv, "o:V", long_options, apply_option, o);
    if (rc < 0)
        rc = tool_want_operands(PROG, argc, 2, 2, "a log and a dump are needed");
    if (rc >= 0)
        return rc;
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
        st = df_restorelog_feed_line(rl, line, (size_t)n, NULL);
    }
    if (st == DF_OK && ferror(f)) {
        tool_errorf(PROG, "could not read \"%s\": %s", o->log_path, strerror(errno));
        st = DF_E_IO;
    } else if (st == DF_OK)
        st = df_restorelog_finish(rl, NULL);
    else
        tool_errorf(PROG, "out of memory");
    free(line);
    if (f != stdin)
        fclose(f);
    return st == DF_OK ? TOOL_EXIT_OK : TOOL_EXIT_UNKNOWN;
}

/* ------------------------------------------------------------------ */
/* The resume                                                          */
/* ------------------------------------------------------------------ */

/* How many uncertain data entries have a statement to run first. */
static size_t count_run_first(const df_rdiag *d, const df_reader *r)
{
    size_t n = 0;

    for (size_t i = 0; i < df_reader_toc_count(r); i++)
        n += df_rdiag_run_first(d, i) != NULL;
    return n;
}

static int write_resume(const dd_options *o, df_reader *r, const df_rdiag *d)
{
    const size_t *resume;
    size_t partial, first;
    df_error err;
    tool_file tf;
    int st;

    if (tool_same_file(o->output, o->dump_path) || tool_same_file(o->output, o->log_path)) {
        tool_errorf(PROG, "--output \"%s\" is one of the input files; write a new file", o->output);
        return TOOL_EXIT_UNKNOWN;
    }
    if (tool_file_create(PROG, o->output, &tf) != TOOL_EXIT_OK)
        return TOOL_EXIT_UNKNOWN;
    df_rdiag_resume(d, &resume, &partial);
    memset(&err, 0, sizeof err);
    err.offset = -1;
    if (df_reader_header(r)->format == DF_FORMAT_PLAIN)
        st = df_rdiag_write_plain(d, r, tf.f, &err);
    else
        st = df_rdiag_write_list(d, r, tf.f, &err);
    if (st != DF_OK) {
        tool_print_error(PROG, o->output, &err);
        tool_file_abort(&tf);
        return TOOL_EXIT_UNKNOWN;
    }
    if (partial > 0)
        tool_errorf(PROG, "%zu table%s loaded by INSERTs failed part way: the resume loads "
                    "them again, delete their rows first", partial, partial == 1 ? "" : "s");
    if ((first = count_run_first(d, r)) > 0)
        tool_errorf(PROG, "%zu table%s may have committed %s data before the restore "
                    "stopped: run the TRUNCATE statement%s in the resume list's \"; uncertain\" "
                    "comments first", first, first == 1 ? "" : "s", first == 1 ? "its" : "their",
                    first == 1 ? "" : "s");
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
        int v = dd_verdict(rl, d, r);
        if (o->output)
            rc = write_resume(o, r, d);
        if (o->json)
            dd_print_json(o, rl, d, r, rc == TOOL_EXIT_OK ? v : rc);
        else
            dd_print_text(o, rl, d, r, nresume);
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

