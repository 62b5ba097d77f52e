/*
 * listfile.c — pg_restore emulation for listings: which entries a restore
 * would process (pg_restore's _tocEntryRequired under -l's options) and the
 * exact text `pg_restore -l [-v]` prints, for pg_restore releases 10 to 18
 * (spec §10.1).  The output must match byte for byte: it feeds
 * `pg_restore -L`, and people diff it.
 */
#include "internal.h"
#include "entrytype.h"

#include <string.h>
#include <time.h>
#include <errno.h>
#include <stdlib.h>

static int emulated(const df_list_options *opt)
{
    return opt && opt->pg_restore_version > 0 ? opt->pg_restore_version : DF_PG_RESTORE_NEWEST;
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

int df_pg_restore_min_major(int minor)
{
    for (int pg = DF_PG_RESTORE_OLDEST; pg <= 99; pg++)
        if (max_minor_for(pg) >= minor)
            return pg;
    return 0;
}

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

/* Entries pg_restore counts as data although they have no dumper. */
static bool is_data_without_dumper(const df_entry *e, int pg)
{
    const char *lo = pg >= 17 ? "LARGE OBJECT" : "LARGE OBJECT ";
    bool lo_meta = dfi_ek_is(e, DFI_EK_OBJMETA);

    if (dfi_et_is(e, DFI_ET_SEQUENCE_SET) || dfi_et_is(e, DFI_ET_BLOB))
        return true;
    if (pg >= 17 && dfi_et_is(e, DFI_ET_BLOB_METADATA))
        return true;
    return lo_meta && starts_with(e->tag, lo);
}

/* -t/-n/-N selection for standalone entries (not ACL/COMMENT/SECURITY LABEL). */
static bool selected_standalone(const df_entry *e, const df_list_options *opt)
{
    if (opt->nschemas > 0 && !in_list(e->schema, opt->schemas, opt->nschemas))
        return false;
    if (opt->nexclude_schemas > 0 && in_list(e->schema, opt->exclude_schemas, opt->nexclude_schemas))
        return false;
    if (opt->ntables > 0)
        return dfi_ek_is(e, DFI_EK_TABLELIKE) &&
               in_list(e->tag, opt->tables, opt->ntables);
    return true;
}

/* ACL/COMMENT/SECURITY LABEL follow a parent that is restored. */
static bool selected_dependent(const df_reader *r, const df_entry *e, const int *reqs)
{
    for (size_t i = 0; i < e->ndeps; i++) {
        ssize_t k = dfi_find_index(r, e->deps[i]);
        if (k < 0 || dfi_et_is(&r->entries[k], DFI_ET_ACL))
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
    bool meta = dfi_ek_is(e, DFI_EK_OBJMETA);

    if (dfi_ek_is(e, DFI_EK_SETTING))
        return DF_REQ_SPECIAL;
    if (dfi_ek_is(e, DFI_EK_DATABASE))
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
    if (pg >= 18 && dfi_et_is(e, DFI_ET_STATISTICS_DATA))
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

void df_list_options_default(df_list_options *o)
{
    memset(o, 0, sizeof *o);
    o->size = sizeof *o;
}

/* The caller's options (NULL: defaults) into *o, fields of an older caller defaulted. */
static int take_options(const df_list_options *opt, df_list_options *o, df_error *err)
{
    df_list_options_default(o);
    return dfi_options_take(o, sizeof *o, opt, "df_list_options", err);
}

static void restore_reqs(const df_reader *r, const df_list_options *opt, int *reqs)
{
    int cur_section = DF_SECTION_PRE_DATA;

    for (size_t i = 0; i < r->nentries; i++)
        reqs[i] = 0;
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];
        if (e->section != DF_SECTION_NONE)
            cur_section = e->section;
        reqs[i] = entry_reqs(r, e, cur_section, opt, reqs);
    }
}

int df_restore_reqs(const df_reader *r, const df_list_options *opt, int *reqs, df_error *err)
{
    df_list_options o;
    int rc;

    if (r == NULL || reqs == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_restore_reqs needs a reader and an array");
    if ((rc = take_options(opt, &o, err)) == DF_OK)
        restore_reqs(r, &o, reqs);
    return rc;
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
int df_header_created_time(const df_header *h, int64_t *out)
{
    struct tm tm;
    time_t t;

    *out = 0;
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
        tm.tm_isdst = -1; /* the stored flag may not exist in this zone */
        t = mktime(&tm);
    }
    if (t == (time_t)-1)
        return 0;
    *out = (int64_t)t;
    return 1;
}

int df_header_created(const df_header *h, char *buf, size_t n, df_error *err)
{
    struct tm tm;
    int64_t when;
    time_t t;

    (void)df_header_created_time(h, &when);
    t = (time_t)when;
    if (n == 0 || buf == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_header_created needs a buffer");
    if (strftime(buf, n, "%Y-%m-%d %H:%M:%S %Z", localtime_r(&t, &tm)) == 0) {
        snprintf(buf, n, "[unknown]");
        if (n < sizeof "[unknown]")
            return dfi_fail(err, DF_E_USAGE, -1, "df_header_created: buffer of %zu bytes too small",
                            n);
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

    df_header_created(h, stamp, sizeof stamp, NULL);
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

static const char *plain_kind_label(int kind)
{
    switch (kind) {
    case DF_PLAIN_DUMPALL: return "pg_dumpall";
    case DF_PLAIN_GLOBALS: return "pg_dumpall (globals only)";
    default: return "pg_dump";
    }
}

/*
 * A plain script has no archive header: the same layout with what the
 * script says about itself.  Nothing here depends on how the file was
 * compressed, so a script and its .gz list the same.
 */
static void write_plain_header(const df_reader *r, FILE *out)
{
    const df_header *h = &r->hdr;

    fputs(";\n; Plain-format script\n;     dbname: ", out);
    put_sanitized(out, h->dbname, false);
    fprintf(out, "\n;     TOC Entries: %lld\n", (long long)h->toc_count);
    fprintf(out, ";     Format: PLAIN\n;     Written by: %s\n", plain_kind_label(h->plain_kind));
    if (h->server_version) {
        fputs(";     Dumped from database version: ", out);
        put_sanitized(out, h->server_version, false);
        fputc('\n', out);
    }
    if (h->dump_version) {
        fputs(";     Dumped by pg_dump version: ", out);
        put_sanitized(out, h->dump_version, false);
        fputc('\n', out);
    }
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

int df_list_selection(const df_reader *r, const df_list_options *opt, int *show, df_error *err)
{
    df_list_options o;
    int rc;

    if (r == NULL || show == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_list_selection needs a reader and an array");
    if ((rc = take_options(opt, &o, err)) != DF_OK)
        return rc;
    restore_reqs(r, &o, show);
    for (size_t i = 0; i < r->nentries; i++)
        show[i] = listed(&o, show[i]);
    return DF_OK;
}

int df_list_write(const df_reader *r, const df_list_options *opt, const int *show, FILE *out,
                  df_error *err)
{
    df_list_options o;
    int pg, rc;
    int *reqs;

    if ((rc = take_options(opt, &o, err)) != DF_OK)
        return rc;
    opt = &o;
    pg = emulated(opt);
    if (r->hdr.vmin > max_minor_for(pg))
        return dfi_fail(err, DF_E_VERSION, 5, "unsupported version (%d.%d) in file header",
                        r->hdr.vmaj, r->hdr.vmin);
    reqs = calloc(r->nentries ? r->nentries : 1, sizeof *reqs);
    if (reqs == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    restore_reqs(r, opt, reqs);
    if (r->hdr.format == DF_FORMAT_PLAIN)
        write_plain_header(r, out);
    else
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

int df_entry_restore_pass(const df_entry *e)
{
    int pass = dfi_etype_of(e->desc)->pass; /* ACL: 1; EVENT TRIGGER, MATERIALIZED VIEW DATA: 2 */

    if (pass != 0)
        return pass;
    /* comments go with their parent; of the pass-2 objects only event triggers have them */
    if (dfi_et_is(e, DFI_ET_COMMENT) && starts_with(e->tag, "EVENT TRIGGER "))
        return 2;
    if (dfi_et_is(e, DFI_ET_STATISTICS_DATA) && e->section == DF_SECTION_POST_DATA)
        return 2;
    return 0;
}

/* ------------------------------------------------------------------ */
/* dumporder: lists in any order, with comment lines for what is left   */
/* out, and list files read back as pg_restore -L reads them (§10.2).   */
/* ------------------------------------------------------------------ */

/* ";<the pg_restore -l line> (<reason>)": pg_restore ignores it, a person reads it. */
static void write_left_out(const df_entry *e, const char *reason, FILE *out)
{
    fputc(';', out);
    fprintf(out, "%d; %u %u %s ", e->dump_id, e->table_oid, e->oid, e->desc);
    put_sanitized(out, e->schema, true);
    fputc(' ', out);
    put_sanitized(out, e->tag, false);
    fputc(' ', out);
    put_sanitized(out, e->owner, false);
    fputs(" (", out);
    put_sanitized(out, reason, false);
    fputs(")\n", out);
}

/*
 * Listed entries take the TOC slots of listed entries, in list order, so
 * each comment line stays near the entries it was next to in the archive.
 */
static void write_in_slots(const df_reader *r, const df_list_options *opt, const size_t *order,
                           size_t n, const bool *listed_at, const df_selection *sel, FILE *out)
{
    size_t k = 0;

    for (size_t i = 0; i < r->nentries; i++) {
        const char *why;
        if (listed_at[i]) {
            if (k < n)
                write_entry(&r->entries[order[k++]], true, opt->verbose, out);
        } else if (sel != NULL && (why = df_selection_reason(sel, i)) != NULL) {
            write_left_out(&r->entries[i], why, out);
        }
    }
    for (; k < n; k++)
        write_entry(&r->entries[order[k]], true, opt->verbose, out);
}

int df_list_write_order(const df_reader *r, const df_list_options *opt, const size_t *order,
                        size_t n, const df_selection *sel, FILE *out, df_error *err)
{
    df_list_options o;
    bool *listed_at;
    int pg, rc;

    if ((rc = take_options(opt, &o, err)) != DF_OK)
        return rc;
    opt = &o;
    pg = emulated(opt);
    if (r->hdr.format != DF_FORMAT_PLAIN && r->hdr.vmin > max_minor_for(pg))
        return dfi_fail(err, DF_E_VERSION, 5, "unsupported version (%d.%d) in file header",
                        r->hdr.vmaj, r->hdr.vmin);
    listed_at = calloc(r->nentries ? r->nentries : 1, sizeof *listed_at);
    if (listed_at == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    for (size_t k = 0; k < n; k++)
        if (order[k] < r->nentries)
            listed_at[order[k]] = true;
    if (r->hdr.format == DF_FORMAT_PLAIN)
        write_plain_header(r, out);
    else
        write_header(r, pg, out);
    write_in_slots(r, opt, order, n, listed_at, sel, out);
    free(listed_at);
    if (fflush(out) != 0 || ferror(out))
        return dfi_fail_errno(err, errno, -1, "could not write listing");
    return DF_OK;
}

#define LIST_MAX_LINE (1 << 20)

typedef struct list_ignored {
    size_t line;
    char *text;
} list_ignored;

struct df_list_file {
    size_t *entry, *line;
    size_t n, cap;
    list_ignored *ign;
    size_t nign, capign;
};

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    size_t ncap;
    void *np;

    if (need <= *cap)
        return DF_OK;
    ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    np = realloc(*p, ncap * size);
    if (np == NULL)
        return DF_E_NOMEM;
    *p = np;
    *cap = ncap;
    return DF_OK;
}

static int list_add(df_list_file *lf, size_t entry, size_t line)
{
    size_t cap = lf->cap;

    if (grow((void **)&lf->entry, &cap, lf->n + 1, sizeof *lf->entry) != DF_OK)
        return DF_E_NOMEM;
    cap = lf->cap;
    if (grow((void **)&lf->line, &cap, lf->n + 1, sizeof *lf->line) != DF_OK)
        return DF_E_NOMEM;
    lf->cap = cap;
    lf->entry[lf->n] = entry;
    lf->line[lf->n++] = line;
    return DF_OK;
}

static int list_ignore(df_list_file *lf, const char *text, size_t line)
{
    if (grow((void **)&lf->ign, &lf->capign, lf->nign + 1, sizeof *lf->ign) != DF_OK)
        return DF_E_NOMEM;
    lf->ign[lf->nign].line = line;
    if ((lf->ign[lf->nign].text = strdup(text)) == NULL)
        return DF_E_NOMEM;
    lf->nign++;
    return DF_OK;
}

/* Read one line (newline kept) into *buf; 0 at EOF, 1 with a line, <0 on error. */
static int read_line(FILE *in, char **buf, size_t *cap, size_t *len)
{
    int c;

    *len = 0;
    while ((c = fgetc(in)) != EOF) {
        if (*len + 2 > *cap && grow((void **)buf, cap, *len + 2, 1) != DF_OK)
            return DF_E_NOMEM;
        (*buf)[(*len)++] = (char)c;
        if (c == '\n')
            break;
        if (*len > LIST_MAX_LINE)
            return DF_E_LIMIT;
    }
    if (ferror(in))
        return DF_E_IO;
    if (*len == 0)
        return 0;
    (*buf)[*len] = '\0';
    return 1;
}

static int32_t max_dump_id(const df_reader *r)
{
    int32_t m = 0;

    for (size_t i = 0; i < r->nentries; i++)
        if (r->entries[i].dump_id > m)
            m = r->entries[i].dump_id;
    return m;
}

/* One line of a list file, as SortTocFromFile treats it. */
static int list_line(const df_reader *r, df_list_file *lf, bool *seen, int32_t max_id,
                     char *text, size_t lineno, int64_t offset, df_error *err)
{
    char *cut = strchr(text, ';'), *end;
    long id;
    ssize_t k;

    if (cut != NULL)
        *cut = '\0';
    if (strspn(text, " \t\r\n") == strlen(text))
        return DF_OK;
    errno = 0;
    id = strtol(text, &end, 10);
    if (end == text || id <= 0 || id > max_id || errno == ERANGE || seen[id - 1]) {
        size_t tl = strlen(text);
        if (tl > 0 && text[tl - 1] == '\n') /* pg_restore's log drops one final newline */
            text[tl - 1] = '\0';
        return list_ignore(lf, text, lineno) == DF_OK
                   ? DF_OK
                   : dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    }
    k = dfi_find_index(r, (int32_t)id);
    if (k < 0)
        return dfi_fail(err, DF_E_FORMAT, offset, "could not find entry for ID %ld", id);
    seen[id - 1] = true;
    return list_add(lf, (size_t)k, lineno) == DF_OK
               ? DF_OK
               : dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
}

static int list_read_all(const df_reader *r, FILE *in, df_list_file *lf, bool *seen,
                         df_error *err)
{
    int32_t max_id = max_dump_id(r);
    char *buf = NULL;
    size_t cap = 0, len, lineno = 0;
    int64_t offset = 0;
    int rc = DF_OK, got;

    while (rc == DF_OK && (got = read_line(in, &buf, &cap, &len)) > 0) {
        lineno++;
        rc = list_line(r, lf, seen, max_id, buf, lineno, offset, err);
        offset += (int64_t)len;
    }
    if (rc == DF_OK && got < 0) {
        if (got == DF_E_IO)
            rc = dfi_fail_errno(err, errno, offset, "could not read list file");
        else if (got == DF_E_LIMIT)
            rc = dfi_fail(err, DF_E_LIMIT, offset, "line %zu of the list file is too long",
                          lineno + 1);
        else
            rc = dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    }
    free(buf);
    return rc;
}

int df_list_read(const df_reader *r, FILE *in, df_list_file **out, df_error *err)
{
    df_list_file *lf = calloc(1, sizeof *lf);
    int32_t max_id = max_dump_id(r);
    bool *seen = calloc(max_id > 0 ? (size_t)max_id : 1, sizeof *seen);
    int rc;

    *out = NULL;
    if (lf == NULL || seen == NULL) {
        free(lf);
        free(seen);
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    }
    rc = list_read_all(r, in, lf, seen, err);
    free(seen);
    if (rc != DF_OK) {
        df_list_file_free(lf);
        return rc;
    }
    *out = lf;
    return DF_OK;
}

size_t df_list_file_count(const df_list_file *lf) { return lf->n; }

size_t df_list_file_entry(const df_list_file *lf, size_t k, size_t *line)
{
    if (line != NULL)
        *line = k < lf->n ? lf->line[k] : 0;
    return k < lf->n ? lf->entry[k] : SIZE_MAX;
}

size_t df_list_file_nignored(const df_list_file *lf) { return lf->nign; }

const char *df_list_file_ignored(const df_list_file *lf, size_t k, size_t *line)
{
    if (line != NULL)
        *line = k < lf->nign ? lf->ign[k].line : 0;
    return k < lf->nign ? lf->ign[k].text : NULL;
}

void df_list_file_free(df_list_file *lf)
{
    if (lf == NULL)
        return;
    for (size_t k = 0; k < lf->nign; k++)
        free(lf->ign[k].text);
    free(lf->ign);
    free(lf->entry);
    free(lf->line);
    free(lf);
}
