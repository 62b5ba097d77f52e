/*
 * dumprepair.c — what of a damaged archive can still be restored.  With
 * --list-only it writes the pg_restore -L list of everything that restores
 * from the archive as it is (the damaged entries and what needs them
 * commented out with the reason) and reports per entry what survives:
 * intact, partial (complete rows before the damage), lost, changed (a
 * foreign key that must be created NOT VALID) or dropped.  With -o OUT it
 * writes the repaired archive instead (repair_write.c).  The work is
 * libdumpfmt's (salvage.c, salvage_write.c); the report is printed by
 * repair_print.c.
 */
#include "repair.h"

#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PROG REPAIR_PROG

enum { OPT_LIST_ONLY = 256, OPT_JSON, OPT_PGV, OPT_FOLLOW, OPT_HELP, OPT_ROWS, OPT_STRICT };

static const struct option long_options[] = {
    {"list-only", no_argument, NULL, OPT_LIST_ONLY},
    {"file", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"format", required_argument, NULL, 'F'},
    {"compress", required_argument, NULL, 'Z'},
    {"json", no_argument, NULL, OPT_JSON},
    {"quiet", no_argument, NULL, 'q'},
    {"pg-restore-version", required_argument, NULL, OPT_PGV},
    {"follow-symlinks", no_argument, NULL, OPT_FOLLOW},
    {"rows", required_argument, NULL, OPT_ROWS},
    {"strict", no_argument, NULL, OPT_STRICT},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(void)
{
    printf("%s saves what survives of a damaged pg_dump archive.\n\n", PROG);
    printf("Usage:\n  %s [OPTION]... IN --list-only [-f LIST]\n  %s [OPTION]... IN -o OUT\n\n",
           PROG, PROG);
    printf("Options:\n"
           "      --list-only            write a pg_restore -L list of everything that\n"
           "                             restores from IN as it is (no new archive)\n"
           "  -f, --file=LIST            write the list to LIST (a new file renamed over\n"
           "                             it) instead of stdout\n"
           "  -o, --output=OUT           write the repaired archive to OUT (a file, \"-\"\n"
           "                             for stdout, or a directory with -F d)\n"
           "  -F, --format=c|d|t         its format (default: IN's)\n"
           "  -Z, --compress=METHOD[:N]  none, gzip, lz4 or zstd (default: IN's codec;\n"
           "                             intact blocks are then copied unchanged)\n"
           "      --rows=DUMPID          print the COPY rows a repaired archive keeps of\n"
           "                             that TABLE DATA entry (for psql \\copy), no list\n"
           "      --strict               drop the unverified rows: those decoded from the\n"
           "                             chunk of a corrupt stream in which decoding failed\n"
           "      --json                 the report as one JSON document on stdout (the\n"
           "                             list then needs -f)\n"
           "      --pg-restore-version=N the list is for pg_restore release N (%d..%d;\n"
           "                             default: the pg_restore on PATH, or the oldest\n"
           "                             release that reads IN)\n"
           "      --follow-symlinks      read directory-archive files that are symbolic\n"
           "                             links to places outside the directory\n"
           "  -q, --quiet                no report, errors only\n"
           "      --help                 show this help, then exit\n"
           "      --version              show the version, then exit\n\n",
           DF_PG_RESTORE_OLDEST, DF_PG_RESTORE_NEWEST);
    printf("Exit status: 0 IN is intact, 1 something was lost but the rest restores,\n"
           "2 nothing restorable (the TOC is unreadable), 3 could not run.\n");
}

static int apply_option(void *ctx, int c, const char *arg)
{
    repair_options *o = ctx;
    long v;

    switch (c) {
    case OPT_LIST_ONLY: o->list_only = 1; return -1;
    case 'f': o->list_file = arg; return -1;
    case 'o': o->output = arg; return -1;
    case 'F':
        if (repair_parse_format(arg, o) == 0)
            return -1;
        tool_errorf(PROG, "invalid --format \"%s\"", arg);
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    case 'Z':
        if (repair_parse_compress(arg, o) == 0)
            return -1;
        tool_errorf(PROG, "invalid --compress \"%s\"", arg);
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    case OPT_JSON: o->json = 1; return -1;
    case OPT_STRICT: o->strict = 1; return -1;
    case 'q': o->quiet = 1; return -1;
    case OPT_FOLLOW: o->follow_symlinks = 1; return -1;
    case OPT_ROWS:
        if (tool_parse_long(arg, 1, INT32_MAX, &o->rows_id) != 0) {
            tool_errorf(PROG, "invalid --rows \"%s\": a dump id", arg);
            tool_usage_hint(PROG);
            return TOOL_EXIT_UNKNOWN;
        }
        o->list_only = 1;
        return -1;
    case OPT_PGV:
        if (tool_parse_long(arg, DF_PG_RESTORE_OLDEST, DF_PG_RESTORE_NEWEST, &v) != 0) {
            tool_errorf(PROG, "invalid --pg-restore-version \"%s\": must be %d..%d", arg,
                        DF_PG_RESTORE_OLDEST, DF_PG_RESTORE_NEWEST);
            tool_usage_hint(PROG);
            return TOOL_EXIT_UNKNOWN;
        }
        o->pg_restore_version = (int)v;
        return -1;
    case OPT_HELP: print_help(); return tool_finish_output(PROG, stdout);
    case 'V': tool_print_version(PROG); return tool_finish_output(PROG, stdout);
    default: tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN;
    }
}

static int usage(const char *msg)
{
    tool_errorf(PROG, "%s", msg);
    tool_usage_hint(PROG);
    return TOOL_EXIT_UNKNOWN;
}

static int parse_options(int argc, char **argv, repair_options *o)
{
    int rc;

    memset(o, 0, sizeof *o);
    o->format = DF_FORMAT_UNKNOWN;
    o->comp = o->level = -1;
    rc = tool_parse_args(PROG, argc, argv, "f:o:F:Z:qV", long_options, apply_option, o);
    if (rc < 0)
        rc = tool_want_operands(PROG, argc, 1, 1, "no archive given");
    if (rc >= 0)
        return rc;
    o->path = argv[optind];
    if (o->list_only && o->output)
        return usage("--list-only writes no archive: -o cannot be used with it");
    if (!o->list_only && o->list_file)
        return usage("-f names the list of --list-only");
    if (o->rows_id && (o->json || o->list_file))
        return usage("--rows prints rows only: no --json, no -f");
    if (o->output && strcmp(o->output, "-") == 0 && o->json)
        return usage("--json prints the report on stdout: the archive needs a file");
    if (o->list_only && o->json && o->list_file == NULL)
        return usage("--json prints the report on stdout: give the list a file with -f");
    if (o->list_only && (o->format != DF_FORMAT_UNKNOWN || o->comp >= 0))
        return usage("-F and -Z are for the archive of -o");
    if (!o->list_only && o->output == NULL)
        return usage("give -o OUT, or --list-only");
    if (strcmp(o->path, "-") == 0)
        return usage("the archive is read twice (verified, then salvaged): give a file, not "
                     "stdin");
    return -1;
}

/* ------------------------------------------------------------------ */
/* The run                                                             */
/* ------------------------------------------------------------------ */

typedef struct repair_run {
    const repair_options *o;
    df_verify *v;
    df_reader *r;
    df_salvage *s;
    int pg;
} repair_run;

/* The release the list is for: asked, else the one on PATH if it reads IN, else the oldest. */
static int choose_pg(repair_run *run)
{
    const df_header *h = df_reader_header(run->r);
    tool_pg_restore pr;
    int v = run->o->pg_restore_version;

    if (v == 0) {
        tool_pg_restore_init(&pr);
        v = tool_pg_restore_major(&pr, TOOL_PG_RESTORE_ANY_MINOR);
        if (v < DF_PG_RESTORE_OLDEST || v > DF_PG_RESTORE_NEWEST)
            v = DF_PG_RESTORE_NEWEST;
        if (h->vmin > df_pg_restore_max_minor(v)) {
            int w = df_pg_restore_min_major(h->vmin);
            if (w == 0 || w > DF_PG_RESTORE_NEWEST)
                w = DF_PG_RESTORE_NEWEST;
            if (!run->o->quiet)
                tool_errorf(PROG, "%s: pg_restore %d cannot read archive version %d.%d: the "
                                  "list is for pg_restore %d",
                            run->o->path, v, h->vmaj, h->vmin, w);
            v = w;
        }
    } else if (h->vmin > df_pg_restore_max_minor(v)) {
        tool_errorf(PROG, "%s: pg_restore %d cannot read archive version %d.%d", run->o->path, v,
                    h->vmaj, h->vmin);
        return TOOL_EXIT_UNKNOWN;
    }
    run->pg = v;
    return TOOL_EXIT_OK;
}

/* Verify, then open the archive again for the salvage; 2 when its TOC cannot be read. */
static int open_both(repair_run *run)
{
    df_verify_options vo;
    const df_verify_summary *vs;
    int st;

    /* a cut TOC: a new archive can hold the entries before the cut, not the list over it */
    int salvage_toc = run->o->output != NULL || run->o->rows_id != 0;

    df_verify_options_default(&vo);
    vo.no_values = 1; /* a bad value is no damage to the archive */
    vo.follow_symlinks = run->o->follow_symlinks;
    vo.salvage_toc = salvage_toc;
    vo.cut_rows = 0; /* the salvage decodes a cut block itself: not twice */
    /* threaded as dumpcheck: one thread decodes a cut block's surviving part (read again) */
    vo.threads = (int)tool_cpu_count();
    if (df_verify_path(run->o->path, &vo, &run->v, NULL) != DF_OK) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    vs = df_verify_get_summary(run->v);
    if ((run->r = df_reader_new(NULL)) == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    df_reader_set_follow_symlinks(run->r, run->o->follow_symlinks);
    df_reader_set_salvage_toc(run->r, salvage_toc);
    if ((st = df_reader_open_path(run->r, run->o->path)) != DF_OK) {
        df_error err = *df_reader_error(run->r);
        if (err.code == DF_OK)
            err.code = st;
        tool_print_error(PROG, run->o->path, &err);
        if (tool_exit_for_open_error(&err) == TOOL_EXIT_UNKNOWN)
            return TOOL_EXIT_UNKNOWN;
        if (!run->o->quiet) /* a cut TOC: -o keeps what came before the cut */
            tool_errorf(PROG, "%s: nothing restorable: pg_restore cannot read the TOC%s",
                        run->o->path, !salvage_toc && err.code == DF_E_TRUNCATED &&
                        df_reader_header(run->r)->header_end >= 0 ? " (try -o OUT)" : "");
        return TOOL_EXIT_DAMAGED;
    }
    if (df_reader_header(run->r)->format == DF_FORMAT_PLAIN) {
        tool_errorf(PROG, "%s: a plain-format script: restore it with psql (dumpcheck shows "
                          "where it ends)",
                    run->o->path);
        return TOOL_EXIT_UNKNOWN;
    }
    if (vs->verdict == DF_VERDICT_UNKNOWN) {
        tool_errorf(PROG, "%s: the archive could not be checked (dumpcheck says why)",
                    run->o->path);
        return TOOL_EXIT_UNKNOWN;
    }
    return TOOL_EXIT_OK;
}

static int exit_status(const df_salvage_summary *m)
{
    if (m->listed == 0)
        return TOOL_EXIT_DAMAGED;
    if (m->intact == m->entries && m->verdict <= DF_VERDICT_WARNING)
        return TOOL_EXIT_OK;
    return TOOL_EXIT_WARNING;
}

static int write_list(repair_run *run)
{
    const char *dest = run->o->list_file;
    tool_file tf;
    df_list_options lo;
    df_error err;
    int st;

    if (dest && tool_same_file(dest, run->o->path)) {
        tool_errorf(PROG, "-f \"%s\" is the input archive; write a new file", dest);
        return TOOL_EXIT_UNKNOWN;
    }
    if (dest && tool_file_create(PROG, dest, &tf) != TOOL_EXIT_OK)
        return TOOL_EXIT_UNKNOWN;
    df_list_options_default(&lo);
    lo.pg_restore_version = run->pg;
    memset(&err, 0, sizeof err);
    st = df_salvage_write_list(run->s, &lo, dest ? tf.f : stdout, &err);
    if (st != DF_OK) {
        tool_print_error(PROG, run->o->path, &err);
        if (dest)
            tool_file_abort(&tf);
        return TOOL_EXIT_UNKNOWN;
    }
    return dest ? tool_file_commit(PROG, &tf) : TOOL_EXIT_OK;
}

static int put_rows(void *ctx, const void *p, size_t n)
{
    return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

/* --rows: the kept rows of one entry on stdout. */
static int print_rows(repair_run *run)
{
    const df_entry *e = df_reader_find(run->r, (int32_t)run->o->rows_id);
    df_error err;

    if (e == NULL) {
        tool_errorf(PROG, "%s: no entry with dump id %ld", run->o->path, run->o->rows_id);
        return TOOL_EXIT_UNKNOWN;
    }
    memset(&err, 0, sizeof err);
    if (df_salvage_read_rows(run->r, run->s, e->index, put_rows, stdout, &err) != DF_OK) {
        tool_print_error(PROG, run->o->path, &err);
        return TOOL_EXIT_UNKNOWN;
    }
    return exit_status(df_salvage_get_summary(run->s));
}

static int salvage(repair_run *run)
{
    repair_report rep;
    df_write_summary ws;
    df_error err;
    int rc;

    memset(&err, 0, sizeof err);
    if (df_salvage_build_flags(run->r, run->v, run->pg,
                               repair_salvage_flags(run->o, df_reader_header(run->r)->format),
                               &run->s, &err) != DF_OK) {
        tool_print_error(PROG, run->o->path, &err);
        return TOOL_EXIT_UNKNOWN;
    }
    if (run->o->rows_id)
        return print_rows(run);
    memset(&rep, 0, sizeof rep);
    rep.path = run->o->path;
    rep.r = run->r;
    rep.s = run->s;
    rep.pg_restore_version = run->pg;
    rep.strict = run->o->strict;
    rep.exit_status = exit_status(df_salvage_get_summary(run->s));
    if (run->o->output != NULL) {
        if (rep.exit_status == TOOL_EXIT_DAMAGED) {
            tool_errorf(PROG, "%s: nothing restorable: no archive written", run->o->path);
            return TOOL_EXIT_DAMAGED;
        }
        if ((rc = repair_write(run->o, run->r, run->s, &ws)) != TOOL_EXIT_OK)
            return rc;
        rep.output = run->o->output;
        rep.written = &ws;
    } else {
        rep.list_path = run->o->list_file ? run->o->list_file : "-";
        if ((rc = write_list(run)) != TOOL_EXIT_OK)
            return rc;
    }
    /* the report goes to stdout unless the list or the archive does */
    if (run->o->json)
        repair_print_json(stdout, &rep);
    else if (!run->o->quiet)
        repair_print_text(run->o->list_file || (run->o->output && strcmp(run->o->output, "-"))
                              ? stdout
                              : stderr,
                          &rep);
    return rep.exit_status;
}

static int run_tool(repair_run *run)
{
    int rc;

    /* the release matters to the list only (the writer keeps IN's archive version) */
    if ((rc = open_both(run)) == TOOL_EXIT_OK && !run->o->rows_id && run->o->list_only)
        rc = choose_pg(run);
    return rc == TOOL_EXIT_OK ? salvage(run) : rc;
}

int main(int argc, char **argv)
{
    repair_options o;
    repair_run run;
    int rc;

    if ((rc = parse_options(argc, argv, &o)) >= 0)
        return rc;
    memset(&run, 0, sizeof run);
    run.o = &o;
    rc = run_tool(&run);
    rc = tool_exit_worse(rc, tool_finish_output(PROG, stdout));
    df_salvage_free(run.s);
    df_reader_free(run.r);
    df_verify_free(run.v);
    return rc;
}
