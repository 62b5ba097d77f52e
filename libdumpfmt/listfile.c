/*
 * listfile.c — pg_restore emulation for listings: which entries a restore
 * would process (pg_restore's _tocEntryRequired under -l's options) and the
 * exact text `pg_restore -l [-v]` prints, for pg_restore releases 10 to 18
 * (spec §10.1).  The output must match byte for byte: it feeds
 * `pg_restore -L`, and people diff it.
 */
#include "internal.h"

#include <string.h>
#include <time.h>
#include <errno.h>
#include <stdlib.h>

#define DEFAULT_PG_RESTORE 18

static int emulated(const df_list_options *opt)
{
    return opt && opt->pg_restore_version > 0 ? opt->pg_restore_version : DEFAULT_PG_RESTORE;
}

/* The newest archive minor version each pg_restore release accepts. */
static int max_minor_for(int pg)
{
    if (pg >= 17)
        return 16;
    if (pg == 16)
        return 15;
    if (pg >= 12)
        return 14;
    if (pg >= 10)
        return 13;
    return 12;
}

/* Public face of the table above (dumpfmt.h), used by verify.c and dumpcheck. */
int df_pg_restore_max_minor(int pg_major) { return max_minor_for(pg_major); }

static bool starts_with(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool in_list(const char *s, const char *const *list, size_t n)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return true;
    return false;
}

static bool is_desc_any(const df_entry *e, const char *const *list, size_t n)
{
    return in_list(e->desc, list, n);
}

/* Entries pg_restore counts as data although they have no dumper. */
static bool is_data_without_dumper(const df_entry *e, int pg)
{
    const char *lo = pg >= 17 ? "LARGE OBJECT" : "LARGE OBJECT ";
    bool lo_meta = dfi_desc_is(e, "ACL") || dfi_desc_is(e, "COMMENT") ||
                   dfi_desc_is(e, "SECURITY LABEL");

    if (dfi_desc_is(e, "SEQUENCE SET") || dfi_desc_is(e, "BLOB"))
        return true;
    if (pg >= 17 && dfi_desc_is(e, "BLOB METADATA"))
        return true;
    return lo_meta && starts_with(e->tag, lo);
}

/* -t/-n/-N selection for standalone entries (not ACL/COMMENT/SECURITY LABEL). */
static bool selected_standalone(const df_entry *e, const df_list_options *opt)
{
    static const char *const tablelike[] = {"TABLE", "TABLE DATA", "VIEW", "FOREIGN TABLE",
                                            "MATERIALIZED VIEW", "MATERIALIZED VIEW DATA",
                                            "SEQUENCE", "SEQUENCE SET"};

    if (opt->nschemas > 0 && !in_list(e->schema, opt->schemas, opt->nschemas))
        return false;
    if (opt->nexclude_schemas > 0 && in_list(e->schema, opt->exclude_schemas, opt->nexclude_schemas))
        return false;
    if (opt->ntables > 0)
        return is_desc_any(e, tablelike, sizeof tablelike / sizeof tablelike[0]) &&
               in_list(e->tag, opt->tables, opt->ntables);
    return true;
}

/* ACL/COMMENT/SECURITY LABEL follow a parent that is restored. */
static bool selected_dependent(const df_reader *r, const df_entry *e, const int *reqs)
{
    for (size_t i = 0; i < e->ndeps; i++) {
        ssize_t k = dfi_find_index(r, e->deps[i]);
        if (k < 0 || dfi_desc_is(&r->entries[k], "ACL"))
            continue;
        if (reqs[k] != 0)
            return true;
    }
    return false;
}

static bool selective(const df_list_options *opt)
{
    return opt->nschemas > 0 || opt->nexclude_schemas > 0 || opt->ntables > 0;
}

static int entry_reqs(const df_reader *r, const df_entry *e, int cur_section,
                      const df_list_options *opt, const int *reqs)
{
    int pg = emulated(opt);
    int res = DF_REQ_SCHEMA | DF_REQ_DATA;
    bool meta = dfi_desc_is(e, "ACL") || dfi_desc_is(e, "COMMENT") ||
                dfi_desc_is(e, "SECURITY LABEL");

    if (dfi_desc_is(e, "ENCODING") || dfi_desc_is(e, "STDSTRINGS") ||
        dfi_desc_is(e, "SEARCHPATH"))
        return DF_REQ_SPECIAL;
    if (dfi_desc_is(e, "DATABASE") || dfi_desc_is(e, "DATABASE PROPERTIES"))
        return opt->create_db ? DF_REQ_SCHEMA : 0;
    if (cur_section < DF_SECTION_PRE_DATA || cur_section > DF_SECTION_POST_DATA)
        return 0;
    if (meta) {
        if (starts_with(e->tag, "DATABASE ")) {
            if (!opt->create_db)
                return 0;
        } else if (selective(opt) && !selected_dependent(r, e, reqs))
            return 0;
    } else if (!selected_standalone(e, opt))
        return 0;
    if (pg >= 18 && dfi_desc_is(e, "STATISTICS DATA"))
        return DF_REQ_STATS;
    if (!e->had_dumper)
        res &= is_data_without_dumper(e, pg) ? DF_REQ_DATA : ~DF_REQ_DATA;
    if (e->defn == NULL || e->defn[0] == '\0' ||
        (pg >= 17 && starts_with(e->defn, "-- load via partition root ")))
        res &= ~DF_REQ_SCHEMA;
    if (dfi_desc_is(e, "<Init>") && e->tag && strcmp(e->tag, "Max OID") == 0)
        return 0;
    return res;
}

void df_restore_reqs(const df_reader *r, const df_list_options *opt, int *reqs)
{
    df_list_options none;
    int cur_section = DF_SECTION_PRE_DATA;

    if (opt == NULL) {
        memset(&none, 0, sizeof none);
        opt = &none;
    }
    for (size_t i = 0; i < r->nentries; i++)
        reqs[i] = 0;
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];
        if (e->section != DF_SECTION_NONE)
            cur_section = e->section;
        reqs[i] = entry_reqs(r, e, cur_section, opt, reqs);
    }
}

/* Copy with CR and LF turned into spaces, as pg_restore's sanitize_line. */
static void put_sanitized(FILE *out, const char *s, bool want_hyphen)
{
    if (s == NULL) {
        if (want_hyphen)
            fputc('-', out);
        return;
    }
    for (; *s; s++)
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
}

/* pg_restore rebuilds the time with mktime() in the reader's zone (spec §3). */
int df_header_created(const df_header *h, char *buf, size_t n)
{
    struct tm tm;
    time_t t = 0;

    memset(&tm, 0, sizeof tm);
    if (h->has_created) {
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
    }
    if (n == 0)
        return DF_E_USAGE;
    if (strftime(buf, n, "%Y-%m-%d %H:%M:%S %Z", localtime_r(&t, &tm)) == 0) {
        snprintf(buf, n, "[unknown]");
        return n < sizeof "[unknown]" ? DF_E_USAGE : DF_OK;
    }
    return DF_OK;
}

static const char *format_label(df_format f)
{
    switch (f) {
    case DF_FORMAT_CUSTOM: return "CUSTOM";
    case DF_FORMAT_DIRECTORY: return "DIRECTORY";
    case DF_FORMAT_TAR: return "TAR";
    default: return "UNKNOWN";
    }
}

static void write_compression(const df_header *h, int pg, FILE *out)
{
    if (pg >= 16) {
        fprintf(out, ";     Compression: %s\n", df_compression_name(h->compression));
        return;
    }
    /* Up to 15 pg_restore printed the stored level; 1.0/1.1 meant zlib default. */
    fprintf(out, ";     Compression: %d\n", h->has_level ? h->compression_level : -1);
}

static void write_header(const df_reader *r, int pg, FILE *out)
{
    const df_header *h = &r->hdr;
    char stamp[64];

    df_header_created(h, stamp, sizeof stamp);
    fprintf(out, ";\n; Archive created at %s\n", stamp);
    fputs(";     dbname: ", out);
    put_sanitized(out, h->dbname, false);
    fprintf(out, "\n;     TOC Entries: %d\n", (int)h->toc_count);
    write_compression(h, pg, out);
    fprintf(out, ";     Dump Version: %d.%d-%d\n", h->vmaj, h->vmin, h->vrev);
    fprintf(out, ";     Format: %s\n", format_label(h->format));
    fprintf(out, ";     Integer: %d bytes\n", h->int_size);
    fprintf(out, ";     Offset: %d bytes\n", h->off_size);
    if (h->server_version)
        fprintf(out, ";     Dumped from database version: %s\n", h->server_version);
    if (h->dump_version)
        fprintf(out, ";     Dumped by pg_dump version: %s\n", h->dump_version);
    fputs(";\n;\n; Selected TOC Entries:\n;\n", out);
}

static void write_entry(const df_entry *e, bool show, bool verbose, FILE *out)
{
    if (show) {
        fprintf(out, "%d; %u %u %s ", e->dump_id, e->table_oid, e->oid, e->desc);
        put_sanitized(out, e->schema, true);
        fputc(' ', out);
        put_sanitized(out, e->tag, false);
        fputc(' ', out);
        put_sanitized(out, e->owner, false);
        fputc('\n', out);
    }
    if (show && verbose && e->ndeps > 0) {
        fputs(";\tdepends on:", out);
        for (size_t i = 0; i < e->ndeps; i++)
            fprintf(out, " %d", e->deps[i]);
        fputc('\n', out);
    }
}

static bool listed(const df_list_options *opt, int reqs)
{
    return opt->verbose || (reqs & (DF_REQ_SCHEMA | DF_REQ_DATA | DF_REQ_STATS)) != 0;
}

void df_list_selection(const df_reader *r, const df_list_options *opt, int *show)
{
    df_list_options none;

    if (opt == NULL) {
        memset(&none, 0, sizeof none);
        opt = &none;
    }
    df_restore_reqs(r, opt, show);
    for (size_t i = 0; i < r->nentries; i++)
        show[i] = listed(opt, show[i]);
}

int df_list_write(const df_reader *r, const df_list_options *opt, const int *show, FILE *out,
                  df_error *err)
{
    df_list_options none;
    int pg;
    int *reqs;

    if (opt == NULL) {
        memset(&none, 0, sizeof none);
        opt = &none;
    }
    pg = emulated(opt);
    if (r->hdr.vmin > max_minor_for(pg))
        return dfi_fail(err, DF_E_VERSION, 5, "unsupported version (%d.%d) in file header",
                        r->hdr.vmaj, r->hdr.vmin);
    reqs = calloc(r->nentries ? r->nentries : 1, sizeof *reqs);
    if (reqs == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    df_restore_reqs(r, opt, reqs);
    write_header(r, pg, out);
    for (size_t i = 0; i < r->nentries; i++) {
        bool shown = listed(opt, reqs[i]) && (show == NULL || show[i]);
        write_entry(&r->entries[i], shown, opt->verbose, out);
    }
    free(reqs);
    if (fflush(out) != 0 || ferror(out))
        return dfi_fail_errno(err, errno, -1, "could not write listing");
    return DF_OK;
}
