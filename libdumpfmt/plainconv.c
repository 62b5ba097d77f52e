/*
 * plainconv.c — a plain pg_dump script as the writer's TOC model (issue 14):
 * the entries and dependencies plaindeps.c reconstructs become archive
 * entries, and each data entry keeps the reader entry whose COPY rows,
 * INSERT statements or large-object writes the plain reader streams back.
 * The archive version is the one the script's pg_dump would have written,
 * so the entry types (BLOB / BLOB METADATA, SEARCHPATH ...) are the ones
 * that pg_dump's pg_restore expects.
 */
#include "writer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The archive minor version pg_dump `ver` ("15.18 (Debian ...)", "9.3.5") writes. */
static int vmin_for(const char *ver)
{
    int maj = 0, min = 0, pat = 0;

    if (ver == NULL || sscanf(ver, "%d.%d.%d", &maj, &min, &pat) < 2)
        return 0; /* unknown: the entries tell (guess_vmin) */
    if (maj >= 17)
        return 16;
    if (maj == 16)
        return 15;
    if (maj >= 12)
        return 14;
    if (maj >= 11 || (maj == 10 && min >= 3))
        return 13;
    /* 1.13 (the SEARCHPATH entry) was back-patched into these minor releases */
    if (maj == 9 && ((min == 3 && pat >= 22) || (min == 4 && pat >= 17) ||
                     (min == 5 && pat >= 12) || (min == 6 && pat >= 8)))
        return 13;
    return 12;
}

/*
 * A script without its "Dumped by pg_dump version" line (pg_dump < 9.4
 * wrote none): the oldest version that can hold its entries.
 */
static int guess_vmin(const df_plain_toc *pt)
{
    int v = 12;

    for (size_t i = 0; i < df_plain_toc_count(pt); i++) {
        const df_plain_entry *pe = df_plain_toc_at(pt, i);
        if (strcmp(pe->desc, "BLOB METADATA") == 0)
            return 16;
        if (pe->tableam != NULL && v < 14)
            v = 14;
    }
    return v;
}

static void set_created(df_header *h)
{
    time_t now = time(NULL);
    struct tm tm;

    if (localtime_r(&now, &tm) == NULL)
        memset(&tm, 0, sizeof tm);
    h->has_created = 1;
    h->tm_sec = tm.tm_sec, h->tm_min = tm.tm_min, h->tm_hour = tm.tm_hour;
    h->tm_mday = tm.tm_mday, h->tm_mon = tm.tm_mon, h->tm_year = tm.tm_year;
    h->tm_isdst = tm.tm_isdst;
}

/* A pg_dumpall script's database section names its database in its entries. */
static const char *section_db(const df_plain_toc *pt)
{
    for (size_t i = 0; i < df_plain_toc_count(pt); i++) {
        const df_plain_entry *pe = df_plain_toc_at(pt, i);
        if (pe->entry != NULL && pe->entry->database != NULL)
            return pe->entry->database;
    }
    return NULL;
}

/* The header a pg_dump -Fc of the same version would have written (gzip, as its default). */
static int model_header(df_toc *t, const df_header *ph, const df_plain_toc *pt)
{
    df_header *h = &t->hdr;
    const char *db = section_db(pt) ? section_db(pt) : ph->dbname;
    const char *strs[3] = {db ? db : "", ph->server_version, ph->dump_version};
    char *own[3] = {NULL, NULL, NULL};

    memset(h, 0, sizeof *h);
    for (int k = 0; k < 3; k++)
        if (strs[k] != NULL && (own[k] = strdup(strs[k])) == NULL) {
            free(own[0]), free(own[1]);
            return DF_E_NOMEM;
        }
    h->dbname = own[0], h->server_version = own[1], h->dump_version = own[2];
    h->format = DF_FORMAT_CUSTOM;
    h->format_byte = 1;
    h->vmaj = 1;
    h->vmin = vmin_for(ph->dump_version);
    if (h->vmin == 0)
        h->vmin = guess_vmin(pt);
    h->int_size = 4;
    h->off_size = 8;
    h->compression = DF_COMPRESS_GZIP;
    h->has_level = h->vmin < 15;
    h->compression_level = -1;
    h->file_size = -1;
    set_created(h);
    return DF_OK;
}

/* pg_dump 17 records the relkind, which pg_restore reads for partitioned tables' AM. */
static int relkind_of(const df_plain_entry *pe)
{
    if (strcmp(pe->desc, "MATERIALIZED VIEW") == 0)
        return 'm';
    if (strcmp(pe->desc, "TABLE") != 0)
        return 0;
    return pe->defn && strstr(pe->defn, "\nPARTITION BY ") ? 'p' : 'r';
}

/*
 * The script holds a definition followed by the blank line pg_restore adds
 * when it prints one; the archive holds it ending in a single newline.
 */
static void trim_defn(char *d)
{
    size_t n = d ? strlen(d) : 0;

    while (n >= 2 && d[n - 1] == '\n' && d[n - 2] == '\n')
        d[--n] = '\0';
}

/* The end of the identifier at s ("name" with "" inside, or a plain word), or NULL. */
static const char *ident_end(const char *s)
{
    if (*s != '"')
        return s + strcspn(s, " ;\n");
    for (s++; *s; s++)
        if (*s == '"' && *++s != '"')
            return s;
    return NULL;
}

/*
 * A script's DATABASE entry (pg_dump -C, pg_dumpall) holds CREATE DATABASE
 * and the ALTER DATABASE ... OWNER TO its pg_restore printed after it.  In an
 * archive they must be apart: pg_restore sends an entry's text as one query,
 * and CREATE DATABASE cannot run in the implicit transaction of several.
 * Like pg_dump's entry, the definition is then CREATE DATABASE alone and the
 * drop statement DROP DATABASE (the script's own where it is a --clean one),
 * which makes pg_restore print the owner's
 * ALTER itself.  0 with *defn and *drop allocated, -1 to keep the entry as it is.
 */
static int split_database(const char *d, char **defn, char **drop)
{
    const char *id = d + 16, *ide, *end, *rest;
    size_t dn;

    if (strncmp(d, "CREATE DATABASE ", 16) != 0 || (ide = ident_end(id)) == NULL ||
        (end = strstr(ide, ";\n")) == NULL)
        return -1;
    rest = end + 2 + strspn(end + 2, "\n");
    if (*rest != '\0' && (strncmp(rest, "ALTER DATABASE ", 15) != 0 ||
                          strstr(rest, " OWNER TO ") == NULL ||
                          strstr(rest, ";\n") != rest + strlen(rest) - 2))
        return -1;
    *defn = strndup(d, (size_t)(end + 2 - d));
    dn = (size_t)(ide - id) + 32;
    *drop = malloc(dn);
    if (*defn == NULL || *drop == NULL) {
        free(*defn), free(*drop);
        return -1;
    }
    snprintf(*drop, dn, "DROP DATABASE %.*s;\n", (int)(ide - id), id);
    return 0;
}

static int push_entry(df_toc *t, const df_plain_entry *pe)
{
    char *db_defn = NULL, *db_drop = NULL;
    df_entry e;
    dfi_tentry *te;
    const df_entry *src = pe->entry;
    bool data = src != NULL && df_entry_has_data(src);
    int rc;

    memset(&e, 0, sizeof e);
    e.dump_id = pe->dump_id;
    e.had_dumper = data;
    e.tag = pe->tag;
    e.desc = pe->desc;
    e.section = pe->section;
    e.section_stored = 1;
    e.defn = pe->defn ? pe->defn : "";
    e.drop_stmt = pe->drop_stmt ? pe->drop_stmt : "";
    e.copy_stmt = pe->copy_stmt;
    e.schema = pe->schema;
    e.tablespace = pe->tablespace;
    e.tableam = pe->tableam;
    e.relkind = t->hdr.vmin >= 16 ? relkind_of(pe) : 0;
    e.owner = pe->owner; /* NULL stays NULL: pg_restore prints "-" for it, as pg_dump's */
    e.with_oids = "false";
    e.ndeps = pe->ndeps;
    e.deps = pe->deps;
    e.offset_state = data ? DF_OFFSET_NOT_SET : DF_OFFSET_NO_DATA;
    e.data_offset = -1;
    e.text_offset = e.data_offset_text = e.data_bytes = e.data_rows = -1;
    if (strcmp(pe->desc, "DATABASE") == 0 && pe->defn != NULL &&
        split_database(pe->defn, &db_defn, &db_drop) == 0)
        e.defn = db_defn, e.drop_stmt = pe->drop_stmt ? pe->drop_stmt : db_drop;
    rc = dfi_toc_push(t, &e, &te);
    free(db_defn), free(db_drop);
    if (rc == DF_OK)
        trim_defn((char *)te->e.defn);
    if (rc == DF_OK && data)
        rc = dfi_tentry_add_src(te, src->index);
    return rc;
}

int df_toc_from_plain(const df_reader *r, const df_plain_toc *pt, df_toc **out, df_error *err)
{
    df_toc *t;
    int rc;

    dfi_error_clear(err);
    *out = NULL;
    if (r == NULL || pt == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "no reader or plain TOC");
    t = calloc(1, sizeof *t);
    if (t == NULL)
        return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
    rc = model_header(t, df_reader_header(r), pt);
    for (size_t i = 0; rc == DF_OK && i < df_plain_toc_count(pt); i++)
        rc = push_entry(t, df_plain_toc_at(pt, i));
    if (rc != DF_OK) {
        df_toc_free(t);
        return dfi_fail(err, rc, -1, "out of memory");
    }
    *out = t;
    return DF_OK;
}
