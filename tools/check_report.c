/*
 * check_report.c — dumpcheck's machine-readable output: one --json
 * document, and the --prometheus textfile for node_exporter.
 */
#include "ck.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ------------------------------------------------------------------ */
/* JSON                                                                */
/* ------------------------------------------------------------------ */

static void json_finding(tool_json *j, const df_verify *v, const df_finding *f)
{
    int64_t cut = f->entry && strcmp(f->code, DF_FIND_TRUNCATED) == 0
                      ? df_verify_rows_before_cut(v, f->entry->index)
                      : -1;

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
    if (cut >= 0) /* the entry's data were decoded up to the cut (issue 13) */
        tool_json_key(j, "rows_before_cut"), tool_json_int(j, cut);
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

/* What the dump says about itself: database, versions, creation time (issue 10). */
static void json_origin(tool_json *j, const df_header *h)
{
    char buf[64];
    int64_t t = 0;
    int have = df_header_created_time(h, &t);

    tool_json_key(j, "dbname"), tool_json_string(j, h ? h->dbname : NULL);
    tool_json_key(j, "server_version"), tool_json_string(j, h ? h->server_version : NULL);
    tool_json_key(j, "dump_version"), tool_json_string(j, h ? h->dump_version : NULL);
    tool_json_key(j, "created");
    if (have && df_header_created(h, buf, sizeof buf, NULL) == DF_OK)
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
        json_finding(j, res->v, df_verify_finding(res->v, i));
    tool_json_end_array(j);
    json_value_columns(j, res->v);
    tool_json_end_object(j);
}

void ck_print_json(const ck_options *o, const ck_result *res, int n, int pg_restore, int status)
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
        if (df_header_created_time(result_header(&res[i]), &t)) {
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
int ck_write_prometheus(const char *path, const ck_result *res, int n)
{
    struct timespec now;
    tool_file tf;

    if (tool_file_create(PROG, path, &tf) != TOOL_EXIT_OK)
        return TOOL_EXIT_UNKNOWN;
    clock_gettime(CLOCK_REALTIME, &now);
    prom_write(tf.f, res, n, (double)now.tv_sec + (double)now.tv_nsec / 1e9);
    return tool_file_commit(PROG, &tf);
}
