/*
 * dumpcheck.c — verify pg_dump output after every backup: one line per
 * finding (stable code, offset, entry), one summary line per dump, and an
 * exit status a cron job or a monitoring check can act on (design.md §4).
 * --json prints one document; --prometheus writes a node_exporter textfile.
 * All dump knowledge is in libdumpfmt (verify.c): this file parses options,
 * asks which pg_restore is installed, calls the library and prints.
 */

#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG "dumpcheck"

typedef struct ck_options {
    int quick, json, quiet, verbose;
    int no_values;
    long jobs;
    int pg_restore_version; /* -1: ask pg_restore on PATH; 0: no check */
    int inflate;
    int64_t large_plain;
    tool_progress_mode progress;
    const char *prometheus;
    char **paths;
    int npaths;
    int follow_symlinks;
} ck_options;

/* What one DUMP argument gave. */
typedef struct ck_result {
    const char *path;
    df_verify *v; /* NULL when the library could not run at all */
    double seconds;
    int status; /* exit status for this dump */
} ck_result;

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

enum {
    OPT_QUICK = 256,
    OPT_JSON,
    OPT_PROMETHEUS,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_PG_RESTORE_VERSION,
    OPT_NO_PG_RESTORE_CHECK,
    OPT_INFLATE,
    OPT_LARGE_PLAIN,
    OPT_HELP,
    OPT_FOLLOW_SYMLINKS,
    OPT_NO_VALUES,
};

static const struct option long_options[] = {
    {"quick", no_argument, NULL, OPT_QUICK},
    {"no-values", no_argument, NULL, OPT_NO_VALUES},
    {"jobs", required_argument, NULL, 'j'},
    {"json", no_argument, NULL, OPT_JSON},
    {"prometheus", required_argument, NULL, OPT_PROMETHEUS},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"pg-restore-version", required_argument, NULL, OPT_PG_RESTORE_VERSION},
    {"no-pg-restore-check", no_argument, NULL, OPT_NO_PG_RESTORE_CHECK},
    {"inflate", required_argument, NULL, OPT_INFLATE},
    {"large-plain", required_argument, NULL, OPT_LARGE_PLAIN},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"follow-symlinks", no_argument, NULL, OPT_FOLLOW_SYMLINKS},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(void)
{
    printf("%s verifies pg_dump archives and scripts: structure, checksums, every\n"
           "data block and COPY row, large objects, sequences.\n\n",
           PROG);
    printf("Usage:\n  %s [OPTION]... DUMP...\n\n", PROG);
    printf("DUMP is a custom-format file, a directory-format directory, a tar file,\n"
           "a plain SQL script, or \"-\" for standard input.\n\n");
    printf("Options:\n"
           "      --quick                structure only: header, TOC, block framing, files\n"
           "                             and sizes; nothing is decompressed\n"
           "      --no-values            do not check COPY values against their column types\n"
           "  -j, --jobs=N               check data with N threads (default: the CPUs it\n"
           "                             may run on; a big table's COPY text may get a\n"
           "                             helper)\n"
           "      --json                 print one JSON document on stdout\n"
           "      --prometheus=FILE      also write a node_exporter textfile to FILE\n"
           "      --pg-restore-version=N compare archive versions with pg_restore N\n"
           "                             (default: the pg_restore on PATH)\n"
           "      --no-pg-restore-check  do not compare archive versions with pg_restore\n"
           "      --inflate=ENGINE       gzip inflater: auto (ISA-L when built in) or zlib\n"
           "      --large-plain=BYTES    warn about plain dumps from this size (default 1 GiB,\n"
           "                             0 never)\n"
           "  -q, --quiet                print warnings and errors only, no summary lines\n"
           "  -v, --verbose              also print informational findings\n"
           "      --progress             show progress on stderr\n"
           "      --no-progress          never show progress\n"
           "      --follow-symlinks      read directory-archive files that are symbolic\n"
           "                             links to places outside the directory\n"
           "      --help                 show this help, then exit\n"
           "      --version              show the version, then exit\n\n");
    printf("Exit status: 0 every dump is intact, 1 intact but with warnings, 2 a dump is\n"
           "damaged or truncated, 3 a dump could not be checked (bad options, unreadable\n"
           "path, ...).  With several DUMPs the worst status wins.\n");
}

static int bad_value(const char *opt, const char *arg, const char *why)
{
    tool_errorf(PROG, "invalid %s \"%s\": %s", opt, arg, why);
    tool_usage_hint(PROG);
    return TOOL_EXIT_UNKNOWN;
}

/* Handle one option; returns -1 to go on, else an exit status. */
static int apply_option(ck_options *o, int c, const char *arg)
{
    long v;

    switch (c) {
    case OPT_QUICK: o->quick = 1; return -1;
    case OPT_NO_VALUES: o->no_values = 1; return -1;
    case OPT_JSON: o->json = 1; return -1;
    case 'q': o->quiet = 1; return -1;
    case OPT_FOLLOW_SYMLINKS: o->follow_symlinks = 1; return -1;
    case 'v': o->verbose = 1; return -1;
    case OPT_PROGRESS: o->progress = TOOL_PROGRESS_ON; return -1;
    case OPT_NO_PROGRESS: o->progress = TOOL_PROGRESS_OFF; return -1;
    case OPT_PROMETHEUS: o->prometheus = arg; return -1;
    case OPT_NO_PG_RESTORE_CHECK: o->pg_restore_version = 0; return -1;
    case 'j':
        if (tool_parse_long(arg, 1, 1024, &v) != 0)
            return bad_value("--jobs", arg, "must be 1..1024");
        o->jobs = v;
        return -1;
    case OPT_PG_RESTORE_VERSION:
        if (tool_parse_long(arg, 7, 99, &v) != 0)
            return bad_value("--pg-restore-version", arg, "must be a major version, 7..99");
        o->pg_restore_version = (int)v;
        return -1;
    case OPT_INFLATE:
        if (strcmp(arg, "auto") == 0)
            o->inflate = DF_INFLATE_AUTO;
        else if (strcmp(arg, "zlib") == 0)
            o->inflate = DF_INFLATE_ZLIB;
        else
            return bad_value("--inflate", arg, "must be auto or zlib");
        return -1;
    case OPT_LARGE_PLAIN:
        if (tool_parse_long(arg, 0, LONG_MAX, &v) != 0)
            return bad_value("--large-plain", arg, "must be a byte count");
        o->large_plain = v == 0 ? -1 : v;
        return -1;
    case OPT_HELP: print_help(); return tool_finish_output(PROG, stdout);
    case 'V': tool_print_version(PROG); return tool_finish_output(PROG, stdout);
    default: tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN; /* getopt said why */
    }
}

static int parse_options(int argc, char **argv, ck_options *o)
{
    char prog_name[] = PROG;
    char *argv0 = argv[0];
    int c, rc = -1;

    memset(o, 0, sizeof *o);
    o->pg_restore_version = -1;
    o->progress = TOOL_PROGRESS_AUTO;
    argv[0] = prog_name; /* getopt's own messages name argv[0] */
    while (rc < 0 && (c = getopt_long(argc, argv, "j:qvV", long_options, NULL)) != -1)
        rc = apply_option(o, c, optarg);
    argv[0] = argv0;
    if (rc >= 0)
        return rc;
    if (optind >= argc) {
        tool_errorf(PROG, "no dump given");
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    }
    o->paths = argv + optind;
    o->npaths = argc - optind;
    if (o->jobs == 0)
        o->jobs = tool_cpu_count();
    if (o->quiet && o->progress == TOOL_PROGRESS_AUTO)
        o->progress = TOOL_PROGRESS_OFF;
    return -1;
}

/* ------------------------------------------------------------------ */
/* pg_restore on PATH                                                  */
/* ------------------------------------------------------------------ */

/*
 * The library never runs programs; the tool asks which pg_restore is
 * installed (tools/common.c: from the file system, or `pg_restore --version`
 * once per run and only for an archive some supported release cannot read)
 * and applies the answer after the check (df_verify_set_pg_restore_version).
 */
typedef struct ck_pg_restore {
    tool_pg_restore installed;
    int fixed; /* --pg-restore-version N, 0 for --no-pg-restore-check, -1: installed */
    int last;  /* the release compared with last, 0 none */
    int said;  /* "no pg_restore on PATH" was printed */
} ck_pg_restore;

/* The archive minor the comparison needs, 0 when none (plain, or no header read). */
static int archive_minor(const df_verify *v)
{
    const df_header *h = v ? df_reader_header(df_verify_reader(v)) : NULL;

    return h != NULL && h->header_end >= 0 && h->format != DF_FORMAT_PLAIN ? h->vmin : 0;
}

static int pg_restore_for(ck_pg_restore *pr, const df_verify *v, int verbose)
{
    int minor = archive_minor(v);

    if (pr->fixed >= 0)
        return pr->last = pr->fixed;
    if (minor == 0)
        return 0;
    pr->last = tool_pg_restore_major(&pr->installed, minor);
    if (verbose && !pr->said && !tool_pg_restore_found(&pr->installed)) {
        tool_errorf(PROG, "no pg_restore on PATH: archive versions are not compared with it");
        pr->said = 1;
    }
    return pr->last;
}

/* ------------------------------------------------------------------ */
/* Checking                                                            */
/* ------------------------------------------------------------------ */

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;

    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

typedef struct ck_progress {
    tool_progress p;
    const char *path;
} ck_progress;

static void on_progress(void *ctx, const df_progress *dp)
{
    ck_progress *cp = ctx;

    tool_progress_bytes(&cp->p, cp->path, dp);
}

static void check_one(const ck_options *o, int pg_restore, ck_result *res)
{
    df_verify_options vo;
    ck_progress cp;
    struct timespec t0;
    int rc;

    df_verify_options_default(&vo);
    vo.quick = o->quick;
    vo.no_values = o->no_values;
    vo.threads = (int)o->jobs;
    vo.follow_symlinks = o->follow_symlinks;
    vo.pg_restore_version = pg_restore;
    vo.inflate = o->inflate;
    vo.large_plain_bytes = o->large_plain;
    tool_progress_init(&cp.p, PROG, o->progress);
    cp.path = res->path;
    if (cp.p.enabled) {
        vo.progress = on_progress;
        vo.progress_ctx = &cp;
    }
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = df_verify_path(res->path, &vo, &res->v);
    res->seconds = seconds_since(&t0);
    tool_progress_end(&cp.p);
    if (rc != DF_OK) {
        tool_errorf(PROG, "%s: could not check: %s", res->path, df_strstatus(rc));
        res->status = TOOL_EXIT_UNKNOWN;
        return;
    }
    res->status = df_verify_get_summary(res->v)->verdict;
}

/* ------------------------------------------------------------------ */
/* Human output                                                        */
/* ------------------------------------------------------------------ */

static void put_entry_label(FILE *out, const df_entry *e)
{
    fputs(" (", out);
    tool_put_sanitized(out, e->desc, 0);
    fputc(' ', out);
    if (e->schema != NULL && e->schema[0] != '\0') {
        tool_put_sanitized(out, e->schema, 0);
        fputc('.', out);
    }
    tool_put_sanitized(out, e->tag, 0);
    fprintf(out, ", dump id %d)", (int)e->dump_id);
}

/* "dumpcheck: FILE[/member | : member]: offset N: CODE: message (ENTRY)" on stderr. */
static void print_finding(const ck_result *res, const df_finding *f)
{
    const df_verify_summary *s = df_verify_get_summary(res->v);
    size_t plen = strlen(res->path);

    while (plen > 1 && res->path[plen - 1] == '/')
        plen--;
    fprintf(stderr, "%s: %.*s", PROG, (int)plen, res->path);
    if (f->member[0] != '\0')
        fprintf(stderr, s->format == DF_FORMAT_DIRECTORY ? "/%s" : ": %s", f->member);
    if (f->offset >= 0)
        fprintf(stderr, ": offset %lld", (long long)f->offset);
    fprintf(stderr, ": %s: ", f->code);
    tool_put_sanitized(stderr, f->message, 0);
    if (f->entry != NULL)
        put_entry_label(stderr, f->entry);
    if (f->fix != NULL) {
        fputs("; after a restore: ", stderr);
        tool_put_sanitized(stderr, f->fix, 0);
    }
    fputc('\n', stderr);
}

static int shown(const ck_options *o, const df_finding *f)
{
    if (f->severity == DF_SEVERITY_INFO)
        return o->verbose && !o->quiet;
    return 1;
}

static void describe_archive(const df_verify_summary *s, char *buf, size_t n)
{
    if (s->format == DF_FORMAT_UNKNOWN)
        snprintf(buf, n, "not recognised");
    else if (s->vmaj > 0)
        snprintf(buf, n, "%s %d.%d %s", df_format_name(s->format), s->vmaj, s->vmin,
                 df_compression_name(s->compression));
    else if (s->compression != DF_COMPRESS_NONE) /* a compressed plain script */
        snprintf(buf, n, "%s %s", df_format_name(s->format), df_compression_name(s->compression));
    else
        snprintf(buf, n, "%s", df_format_name(s->format));
}

/* "FILE: WARNING (2 warnings): custom 1.16 gzip, 198 entries, ..., 0.12 s" on stdout. */
static void print_summary(const ck_result *res)
{
    const df_verify_summary *s = df_verify_get_summary(res->v);
    static const char *const word[4] = {"info", "warning", "error", "unknown"};
    char what[128];
    int first = 1;

    describe_archive(s, what, sizeof what);
    printf("%s: %s", res->path, df_verdict_name(s->verdict));
    for (int sev = DF_SEVERITY_ERROR; sev >= DF_SEVERITY_WARNING; sev--) {
        if (s->findings[sev] == 0)
            continue;
        printf("%s%lld %s%s", first ? " (" : ", ", (long long)s->findings[sev], word[sev],
               s->findings[sev] == 1 ? "" : "s");
        first = 0;
    }
    if (s->findings[DF_SEVERITY_UNKNOWN] > 0) {
        printf("%s%lld not checkable", first ? " (" : ", ",
               (long long)s->findings[DF_SEVERITY_UNKNOWN]);
        first = 0;
    }
    if (!first)
        putchar(')');
    printf(": %s, %lld entries, %lld data entries, %lld stored bytes", what, (long long)s->entries,
           (long long)s->data_entries, (long long)s->stored_bytes);
    if (!s->quick)
        printf(", %lld bytes, %lld rows", (long long)s->bytes, (long long)s->rows);
    if (s->large_objects > 0)
        printf(", %lld large objects", (long long)s->large_objects);
    if (s->quick)
        printf(", quick check: structure only, data not decompressed");
    printf(", %.2f s\n", res->seconds);
}

static void print_human(const ck_options *o, const ck_result *res)
{
    if (res->v == NULL)
        return;
    for (size_t i = 0; i < df_verify_count(res->v); i++) {
        const df_finding *f = df_verify_finding(res->v, i);
        if (shown(o, f))
            print_finding(res, f);
    }
    if (!o->quiet)
        print_summary(res);
    fflush(stdout);
}

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

static void json_finding(tool_json *j, const df_finding *f)
{
    tool_json_begin_object(j);
    tool_json_key(j, "code"), tool_json_string(j, f->code);
    tool_json_key(j, "severity"), tool_json_string(j, df_severity_name(f->severity));
    tool_json_key(j, "dump_id");
    if (f->entry)
        tool_json_int(j, f->entry->dump_id);
    else
        tool_json_null(j);
    tool_json_key(j, "desc"), tool_json_string(j, f->entry ? f->entry->desc : NULL);
    tool_json_key(j, "schema"), tool_json_string(j, f->entry ? f->entry->schema : NULL);
    tool_json_key(j, "tag"), tool_json_string(j, f->entry ? f->entry->tag : NULL);
    tool_json_key(j, "offset");
    if (f->offset >= 0)
        tool_json_int(j, f->offset);
    else
        tool_json_null(j);
    tool_json_key(j, "member"), tool_json_string(j, f->member[0] ? f->member : NULL);
    tool_json_key(j, "message"), tool_json_string(j, f->message);
    tool_json_key(j, "fix"), tool_json_string(j, f->fix);
    tool_json_end_object(j);
}

static void json_int_or_null(tool_json *j, const char *key, int have, int64_t v)
{
    tool_json_key(j, key);
    if (have)
        tool_json_int(j, v);
    else
        tool_json_null(j);
}

/* The archive header of a result, or NULL when none was read. */
static const df_header *result_header(const ck_result *res)
{
    const df_reader *r = res->v ? df_verify_reader(res->v) : NULL;
    const df_header *h = r ? df_reader_header(r) : NULL;

    if (h == NULL || h->format == DF_FORMAT_UNKNOWN)
        return NULL;
    /* scripts have no header, only the versions in their first comments */
    return h->format == DF_FORMAT_PLAIN || h->header_end >= 0 ? h : NULL;
}

/*
 * When pg_dump wrote the archive, in Unix time: the stored struct tm read
 * back in the local time zone, as pg_restore -l does (df_header_created).
 * False for scripts and archives before 1.4, which store no time.
 */
static int created_time(const df_header *h, int64_t *out)
{
    struct tm tm;
    time_t t;

    if (h == NULL || !h->has_created)
        return 0;
    memset(&tm, 0, sizeof tm);
    tm.tm_sec = h->tm_sec;
    tm.tm_min = h->tm_min;
    tm.tm_hour = h->tm_hour;
    tm.tm_mday = h->tm_mday;
    tm.tm_mon = h->tm_mon;
    tm.tm_year = h->tm_year;
    tm.tm_isdst = h->tm_isdst;
    t = mktime(&tm);
    if (t == (time_t)-1) {
        tm.tm_isdst = -1;
        t = mktime(&tm);
    }
    *out = (int64_t)t;
    return t != (time_t)-1;
}

/* What the dump says about itself: database, versions, creation time (issue 10). */
static void json_origin(tool_json *j, const df_header *h)
{
    char buf[64];
    int64_t t = 0;
    int have = created_time(h, &t);

    tool_json_key(j, "dbname"), tool_json_string(j, h ? h->dbname : NULL);
    tool_json_key(j, "server_version"), tool_json_string(j, h ? h->server_version : NULL);
    tool_json_key(j, "dump_version"), tool_json_string(j, h ? h->dump_version : NULL);
    tool_json_key(j, "created");
    if (have && df_header_created(h, buf, sizeof buf) == DF_OK)
        tool_json_string(j, buf);
    else
        tool_json_null(j);
    json_int_or_null(j, "created_timestamp", have, t);
}

/* Per table whose values were checked: the columns checked against their type and the rest. */
static void json_value_columns(tool_json *j, const df_verify *v)
{
    const df_reader *r = v ? df_verify_reader(v) : NULL;
    size_t n = r ? df_reader_toc_count(r) : 0;

    tool_json_key(j, "value_checks");
    tool_json_begin_array(j);
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        int nc = df_verify_value_columns(v, i);
        if (nc < 0)
            continue;
        tool_json_begin_object(j);
        tool_json_key(j, "dump_id"), tool_json_int(j, e->dump_id);
        tool_json_key(j, "schema"), tool_json_string(j, e->schema);
        tool_json_key(j, "tag"), tool_json_string(j, e->tag);
        for (int want = 1; want >= 0; want--) {
            tool_json_key(j, want ? "checked" : "unchecked");
            tool_json_begin_array_inline(j);
            for (int k = 0; k < nc; k++) {
                int checked;
                const char *name = df_verify_value_column(v, i, k, NULL, &checked);
                if (checked == want)
                    tool_json_string(j, name);
            }
            tool_json_end_array(j);
        }
        tool_json_end_object(j);
    }
    tool_json_end_array(j);
}

static void json_file(tool_json *j, const ck_result *res)
{
    const df_verify_summary *s = res->v ? df_verify_get_summary(res->v) : NULL;
    static const char *const sev[4] = {"info", "warning", "error", "unknown"};
    char buf[64];

    tool_json_begin_object(j);
    tool_json_key(j, "file"), tool_json_string(j, res->path);
    tool_json_key(j, "verdict"), tool_json_string(j, df_verdict_name(res->status));
    tool_json_key(j, "exit_status"), tool_json_int(j, res->status);
    if (s != NULL) {
        tool_json_key(j, "quick"), tool_json_bool(j, s->quick);
        tool_json_key(j, "format");
        tool_json_string(j, s->format == DF_FORMAT_UNKNOWN ? NULL : df_format_name(s->format));
        snprintf(buf, sizeof buf, "%d.%d-%d", s->vmaj, s->vmin, s->vrev);
        tool_json_key(j, "archive_version"), tool_json_string(j, s->vmaj > 0 ? buf : NULL);
        tool_json_key(j, "compression");
        tool_json_string(j, s->vmaj > 0 || s->compression != DF_COMPRESS_NONE
                                ? df_compression_name(s->compression)
                                : NULL);
        tool_json_key(j, "entries"), tool_json_int(j, s->entries);
        tool_json_key(j, "data_entries"), tool_json_int(j, s->data_entries);
        tool_json_key(j, "stored_bytes"), tool_json_int(j, s->stored_bytes);
        json_int_or_null(j, "bytes", !s->quick, s->bytes);
        json_int_or_null(j, "rows", !s->quick, s->rows);
        tool_json_key(j, "large_objects"), tool_json_int(j, s->large_objects);
        tool_json_key(j, "threads"), tool_json_int(j, s->threads);
        tool_json_key(j, "inflater"), tool_json_string(j, s->inflater);
        json_origin(j, result_header(res));
    }
    tool_json_key(j, "duration_ms"), tool_json_int(j, (int64_t)(res->seconds * 1000 + 0.5));
    tool_json_key(j, "findings_by_severity");
    tool_json_begin_object(j);
    for (int k = 0; k < 4; k++)
        tool_json_key(j, sev[k]), tool_json_int(j, s ? s->findings[k] : 0);
    tool_json_end_object(j);
    tool_json_key(j, "findings");
    tool_json_begin_array(j);
    for (size_t i = 0; res->v && i < df_verify_count(res->v); i++)
        json_finding(j, df_verify_finding(res->v, i));
    tool_json_end_array(j);
    json_value_columns(j, res->v);
    tool_json_end_object(j);
}

static void print_json(const ck_options *o, const ck_result *res, int n, int pg_restore, int status)
{
    tool_json j;

    tool_json_init(&j, stdout, 2);
    tool_json_begin_object(&j);
    tool_json_key(&j, "tool"), tool_json_string(&j, PROG);
    tool_json_key(&j, "version"), tool_json_string(&j, DF_VERSION_STRING);
    tool_json_key(&j, "quick"), tool_json_bool(&j, o->quick);
    json_int_or_null(&j, "pg_restore_version", pg_restore > 0, pg_restore);
    tool_json_key(&j, "verdict"), tool_json_string(&j, df_verdict_name(status));
    tool_json_key(&j, "exit_status"), tool_json_int(&j, status);
    tool_json_key(&j, "files");
    tool_json_begin_array(&j);
    for (int i = 0; i < n; i++)
        json_file(&j, &res[i]);
    tool_json_end_array(&j);
    tool_json_end_object(&j);
    tool_json_finish(&j);
}

/* ------------------------------------------------------------------ */
/* Prometheus textfile (node_exporter's textfile collector)            */
/* ------------------------------------------------------------------ */

/* A label value: backslash, double quote and newline escaped (exposition format). */
static void prom_label(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '\\' || *s == '"')
            fprintf(f, "\\%c", *s);
        else if (*s == '\n')
            fputs("\\n", f);
        else
            fputc(*s, f);
    }
    fputc('"', f);
}

typedef int64_t (*prom_value)(const ck_result *r);

static int64_t pv_verdict(const ck_result *r)
{
    return r->status;
}
static int64_t pv_stored(const ck_result *r)
{
    return df_verify_get_summary(r->v)->stored_bytes;
}
static int64_t pv_bytes(const ck_result *r)
{
    return df_verify_get_summary(r->v)->bytes;
}
static int64_t pv_rows(const ck_result *r)
{
    return df_verify_get_summary(r->v)->rows;
}
static int64_t pv_los(const ck_result *r)
{
    return df_verify_get_summary(r->v)->large_objects;
}
static int64_t pv_quick(const ck_result *r)
{
    return df_verify_get_summary(r->v)->quick;
}

static void prom_metric(FILE *f, const char *name, const char *help, const ck_result *res, int n,
                        prom_value value)
{
    fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
    for (int i = 0; i < n; i++) {
        if (res[i].v == NULL && value != pv_verdict)
            continue;
        fprintf(f, "%s{file=", name);
        prom_label(f, res[i].path);
        fprintf(f, "} %lld\n", (long long)value(&res[i]));
    }
}

/*
 * When the dump was made, and which database and versions it comes from: a
 * backup job that stopped leaves an old dump whose check stays clean, so the
 * alert is on the dump's age (README).  Scripts store no creation time.
 */
static void prom_origin(FILE *f, const ck_result *res, int n)
{
    int64_t t;

    fprintf(f, "# HELP dumpfmt_dump_created_timestamp_seconds Unix time pg_dump wrote the dump "
               "(archives only).\n# TYPE dumpfmt_dump_created_timestamp_seconds gauge\n");
    for (int i = 0; i < n; i++)
        if (created_time(result_header(&res[i]), &t)) {
            fputs("dumpfmt_dump_created_timestamp_seconds{file=", f);
            prom_label(f, res[i].path);
            fprintf(f, "} %lld\n", (long long)t);
        }
    fprintf(f, "# HELP dumpfmt_dump_info The dump's database and the server and pg_dump "
               "versions it names.\n# TYPE dumpfmt_dump_info gauge\n");
    for (int i = 0; i < n; i++) {
        const df_header *h = result_header(&res[i]);
        if (h == NULL)
            continue;
        fputs("dumpfmt_dump_info{file=", f);
        prom_label(f, res[i].path);
        fputs(",dbname=", f);
        prom_label(f, h->dbname ? h->dbname : "");
        fputs(",server_version=", f);
        prom_label(f, h->server_version ? h->server_version : "");
        fputs(",dump_version=", f);
        prom_label(f, h->dump_version ? h->dump_version : "");
        fputs("} 1\n", f);
    }
}

static void prom_write(FILE *f, const ck_result *res, int n, double now)
{
    static const char *const sev[4] = {"info", "warning", "error", "unknown"};

    prom_metric(f, "dumpfmt_check_verdict",
                "Verdict of dumpcheck: 0 OK, 1 WARNING, 2 DAMAGED, 3 UNKNOWN.", res, n, pv_verdict);
    fprintf(f, "# HELP dumpfmt_check_findings Findings of the last check, by severity.\n"
               "# TYPE dumpfmt_check_findings gauge\n");
    for (int i = 0; i < n; i++)
        for (int k = 0; k < 4 && res[i].v != NULL; k++) {
            fputs("dumpfmt_check_findings{file=", f);
            prom_label(f, res[i].path);
            fprintf(f, ",severity=\"%s\"} %lld\n", sev[k],
                    (long long)df_verify_get_summary(res[i].v)->findings[k]);
        }
    prom_metric(f, "dumpfmt_check_stored_bytes", "Stored (compressed) bytes of the dump's data.",
                res, n, pv_stored);
    prom_metric(f, "dumpfmt_check_bytes", "Uncompressed data bytes verified (0 with --quick).", res,
                n, pv_bytes);
    prom_metric(f, "dumpfmt_check_rows", "Table rows verified (0 with --quick).", res, n, pv_rows);
    prom_metric(f, "dumpfmt_check_large_objects", "Large objects found.", res, n, pv_los);
    prom_metric(f, "dumpfmt_check_quick", "1 when only the structure was checked (--quick).", res,
                n, pv_quick);
    prom_origin(f, res, n);
    fprintf(f, "# HELP dumpfmt_check_duration_seconds Wall time of the check.\n"
               "# TYPE dumpfmt_check_duration_seconds gauge\n");
    for (int i = 0; i < n; i++) {
        fputs("dumpfmt_check_duration_seconds{file=", f);
        prom_label(f, res[i].path);
        fprintf(f, "} %.3f\n", res[i].seconds);
    }
    fprintf(f, "# HELP dumpfmt_check_timestamp_seconds Unix time the check finished.\n"
               "# TYPE dumpfmt_check_timestamp_seconds gauge\n");
    for (int i = 0; i < n; i++) {
        fputs("dumpfmt_check_timestamp_seconds{file=", f);
        prom_label(f, res[i].path);
        fprintf(f, "} %.3f\n", now);
    }
}

/* A new file, renamed over FILE when complete: the collector never reads half a file. */
static int write_prometheus(const char *path, const ck_result *res, int n)
{
    struct timespec now;
    tool_file tf;

    if (tool_file_create(PROG, path, &tf) != TOOL_EXIT_OK)
        return TOOL_EXIT_UNKNOWN;
    clock_gettime(CLOCK_REALTIME, &now);
    prom_write(tf.f, res, n, (double)now.tv_sec + (double)now.tv_nsec / 1e9);
    return tool_file_commit(PROG, &tf);
}

/* ------------------------------------------------------------------ */
/* Main                                                                */
/* ------------------------------------------------------------------ */

int main(int argc, char **argv)
{
    ck_options o;
    ck_result *res;
    int rc, status = TOOL_EXIT_OK;
    ck_pg_restore pr;

    if ((rc = parse_options(argc, argv, &o)) >= 0)
        return rc;
    for (int i = 0; o.prometheus != NULL && i < o.npaths; i++)
        if (tool_same_file(o.prometheus, o.paths[i])) {
            tool_errorf(PROG, "--prometheus names the dump \"%s\": it would be replaced",
                        o.paths[i]);
            return TOOL_EXIT_UNKNOWN;
        }
    res = calloc((size_t)o.npaths, sizeof *res);
    if (res == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    tool_pg_restore_init(&pr.installed);
    pr.fixed = o.pg_restore_version;
    pr.last = pr.said = 0;
    for (int i = 0; i < o.npaths; i++) {
        res[i].path = o.paths[i];
        check_one(&o, pr.fixed > 0 ? pr.fixed : 0, &res[i]);
        if (res[i].v != NULL) {
            df_verify_set_pg_restore_version(res[i].v, pg_restore_for(&pr, res[i].v,
                                                                      o.verbose && !o.quiet));
            res[i].status = df_verify_get_summary(res[i].v)->verdict;
        }
        status = tool_exit_worse(status, res[i].status);
        if (!o.json)
            print_human(&o, &res[i]);
    }
    if (o.json)
        print_json(&o, res, o.npaths, pr.last, status);
    if (o.prometheus != NULL)
        status = tool_exit_worse(status, write_prometheus(o.prometheus, res, o.npaths));
    status = tool_exit_worse(status, tool_finish_output(PROG, stdout));
    for (int i = 0; i < o.npaths; i++)
        df_verify_free(res[i].v);
    free(res);
    return status;
}
