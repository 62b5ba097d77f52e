/*
 * check_reader.c — the public reader API over real archives of the corpus:
 * header fields against the facts of corpus/MANIFEST.json, TOC entries
 * against the pg_restore -l listings (corpus/pgNN/NAME.list), dump-id lookup,
 * dependencies, custom data offsets (SET vs a pipe dump's NOT_SET), the
 * 16/18 stdout dumps with a TOC copy after the data, directory and tar
 * archives, error reporting for missing and non-archive inputs, API misuse,
 * and reading custom and tar archives from a real pipe.
 */
#include "check_util.h"
#include "corpus_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

static df_reader *open_rel(const char *rel)
{
    char path[4096];
    df_reader *r = df_reader_new(NULL);
    int rc;

    ck_assert_ptr_nonnull(r);
    rc = df_reader_open_path(r, dft_path(path, sizeof path, rel));
    ck_assert_msg(rc == DF_OK, "%s: open: %s (%s at %lld)", rel, df_strstatus(rc),
                  df_reader_error(r)->message, (long long)df_reader_error(r)->offset);
    return r;
}

/* ------------------------------------------------------------------ */
/* Header facts (MANIFEST.json: archive_version, header_compression_field,
 * int_size, off_size, toc_entries, toc_span = [header_end, toc_end]).   */
/* ------------------------------------------------------------------ */
typedef struct header_fact {
    const char *rel;
    df_format format;
    int format_byte;
    int vmin;
    df_compression comp;
    int has_level, level;
    int64_t toc_count, header_end, toc_end;
    const char *server_version, *dump_version;
    int data_offsets; /* -1: not checked */
} header_fact;

#define PG15V "15.18 (Debian 15.18-0+deb12u1)"
static const header_fact facts[] = {
    {"pg18/sample.custom.gzip.dump", DF_FORMAT_CUSTOM, 1, 16, DF_COMPRESS_GZIP, 0, 0, 198, 76,
     57879, "18.3", "18.3", 1},
    {"pg18/sample.custom.none.dump", DF_FORMAT_CUSTOM, 1, 16, DF_COMPRESS_NONE, 0, 0, 198, 76,
     57879, "18.3", "18.3", 1},
    {"pg18/sample.custom.lz4.dump", DF_FORMAT_CUSTOM, 1, 16, DF_COMPRESS_LZ4, 0, 0, 198, 76, 57879,
     "18.3", "18.3", 1},
    {"pg18/sample.custom.zstd.dump", DF_FORMAT_CUSTOM, 1, 16, DF_COMPRESS_ZSTD, 0, 0, 198, 76,
     57879, "18.3", "18.3", 1},
    {"pg18/sample.custom.pipe.dump", DF_FORMAT_CUSTOM, 1, 16, DF_COMPRESS_GZIP, 0, 0, 198, 76,
     57879, "18.3", "18.3", 0},
    {"pg18/sample.custom.stats.dump", DF_FORMAT_CUSTOM, 1, 16, DF_COMPRESS_GZIP, 0, 0, 245, 76,
     148454, "18.3", "18.3", 1},
    {"pg18/sample.custom.stdout.dump", DF_FORMAT_CUSTOM, 1, 16, DF_COMPRESS_GZIP, 0, 0, 198, 76,
     57879, "18.3", "18.3", -1},
    {"pg18/sample.dir.gzip", DF_FORMAT_DIRECTORY, 3, 16, DF_COMPRESS_GZIP, 0, 0, 198, 76, 57263,
     "18.3", "18.3", -1},
    {"pg18/sample.dir.lz4", DF_FORMAT_DIRECTORY, 3, 16, DF_COMPRESS_LZ4, 0, 0, 198, 76, 57263,
     "18.3", "18.3", -1},
    {"pg18/sample.dir.zstd", DF_FORMAT_DIRECTORY, 3, 16, DF_COMPRESS_ZSTD, 0, 0, 198, 76, 57263,
     "18.3", "18.3", -1},
    {"pg18/sample.dir.none", DF_FORMAT_DIRECTORY, 3, 16, DF_COMPRESS_NONE, 0, 0, 198, 76, 57263,
     "18.3", "18.3", -1},
    {"pg18/sample.tar", DF_FORMAT_TAR, 3, 16, DF_COMPRESS_NONE, 0, 0, 198, 588, 57751, "18.3",
     "18.3", -1},
    {"pg16/sample.custom.zstd.dump", DF_FORMAT_CUSTOM, 1, 15, DF_COMPRESS_ZSTD, 0, 0, 196, 76,
     56538, "16.2", "16.2", 1},
    {"pg16/sample.custom.stdout.dump", DF_FORMAT_CUSTOM, 1, 15, DF_COMPRESS_GZIP, 0, 0, 196, 76,
     56538, "16.2", "16.2", -1},
    {"pg16/sample.tar", DF_FORMAT_TAR, 3, 15, DF_COMPRESS_NONE, 0, 0, 196, 588, 56394, "16.2",
     "16.2", -1},
    {"pg15/sample.custom.gzip.dump", DF_FORMAT_CUSTOM, 1, 14, DF_COMPRESS_GZIP, 1, -1, 196, 132,
     56525, PG15V, PG15V, 1},
    {"pg15/sample.custom.none.dump", DF_FORMAT_CUSTOM, 1, 14, DF_COMPRESS_NONE, 1, 0, 196, 132,
     56525, PG15V, PG15V, 1},
    {"pg15/sample.dir.gzip", DF_FORMAT_DIRECTORY, 3, 14, DF_COMPRESS_GZIP, 1, -1, 196, 132, 55870,
     PG15V, PG15V, -1},
    {"pg15/sample.dir.none", DF_FORMAT_DIRECTORY, 3, 14, DF_COMPRESS_NONE, 1, 0, 196, 132, 55870,
     PG15V, PG15V, -1},
    {"pg15/sample.tar", DF_FORMAT_TAR, 3, 14, DF_COMPRESS_NONE, 1, 0, 196, 644, 56381, PG15V, PG15V,
     -1},
    {"pg10/sample.custom.gzip.dump", DF_FORMAT_CUSTOM, 1, 13, DF_COMPRESS_GZIP, 1, -1, 196, 82,
     55626, "10.20", "10.20", 1},
    {"pg10/sample.custom.pipe.dump", DF_FORMAT_CUSTOM, 1, 13, DF_COMPRESS_GZIP, 1, -1, 196, 82,
     55626, "10.20", "10.20", 0},
    {"pg93/sample.custom.none.dump", DF_FORMAT_CUSTOM, 1, 12, DF_COMPRESS_NONE, 1, 0, 179, 82,
     53569, "9.3.5", "9.3.5", 1},
    {"pg93/sample.dir.gzip", DF_FORMAT_DIRECTORY, 3, 12, DF_COMPRESS_GZIP, 1, -1, 179, 82, 52965,
     "9.3.5", "9.3.5", -1},
    {"pg93/sample.tar", DF_FORMAT_TAR, 3, 12, DF_COMPRESS_NONE, 1, 0, 179, 594, 53477, "9.3.5",
     "9.3.5", -1},
};
#define N_FACTS ((int)(sizeof facts / sizeof facts[0]))

static int64_t file_size_of(const char *rel, int is_dir)
{
    char path[4096], p2[4200];
    struct stat st;

    dft_path(path, sizeof path, rel);
    if (is_dir) {
        snprintf(p2, sizeof p2, "%s/toc.dat", path);
        return stat(p2, &st) == 0 ? st.st_size : -2;
    }
    return stat(path, &st) == 0 ? st.st_size : -2;
}

START_TEST(test_header_facts)
{
    const header_fact *f = &facts[_i];
    df_reader *r = open_rel(f->rel);
    const df_header *h = df_reader_header(r);

    ck_assert_int_eq(h->format, f->format);
    ck_assert_int_eq(h->format_byte, f->format_byte);
    ck_assert_int_eq(h->vmaj, 1);
    ck_assert_int_eq(h->vmin, f->vmin);
    ck_assert_int_eq(h->vrev, 0);
    ck_assert_int_eq(h->int_size, 4);
    ck_assert_int_eq(h->off_size, 8);
    ck_assert_int_eq(h->compression, f->comp);
    ck_assert_int_eq(h->has_level, f->has_level);
    if (f->has_level)
        ck_assert_int_eq(h->compression_level, f->level);
    ck_assert_int_eq(h->has_created, 1);
    ck_assert_int_eq(h->tm_year, 126); /* every dump of the corpus: 2026-11-24 UTC */
    ck_assert_int_eq(h->tm_mon, 10);
    ck_assert_int_eq(h->tm_mday, 24);
    ck_assert_int_eq(h->tm_isdst, 0);
    ck_assert_ptr_nonnull(h->dbname);
    ck_assert_str_eq(h->dbname, "sample");
    ck_assert_ptr_nonnull(h->server_version);
    ck_assert_str_eq(h->server_version, f->server_version);
    ck_assert_ptr_nonnull(h->dump_version);
    ck_assert_str_eq(h->dump_version, f->dump_version);
    ck_assert_int_eq(h->toc_count, f->toc_count);
    ck_assert_uint_eq(df_reader_toc_count(r), (size_t)f->toc_count);
    ck_assert_int_eq(h->header_end, f->header_end);
    ck_assert_int_eq(h->toc_end, f->toc_end);
    ck_assert_int_eq(h->file_size, file_size_of(f->rel, f->format == DF_FORMAT_DIRECTORY));
    if (f->data_offsets >= 0)
        ck_assert_int_eq(h->data_offsets, f->data_offsets);
    ck_assert_int_eq(df_reader_seekable(r), 1);
    ck_assert_str_eq(df_format_name(h->format), f->format == DF_FORMAT_CUSTOM      ? "custom"
                                                : f->format == DF_FORMAT_DIRECTORY ? "directory"
                                                                                   : "tar");
    df_reader_free(r);
}
END_TEST

START_TEST(test_header_time_pg18)
{
    /* tm fields as stored (spec §3): 2026-11-24 00:05:30, isdst 0. */
    df_reader *r = open_rel("pg18/sample.custom.gzip.dump");
    const df_header *h = df_reader_header(r);

    ck_assert_int_eq(h->tm_sec, 30);
    ck_assert_int_eq(h->tm_min, 5);
    ck_assert_int_eq(h->tm_hour, 0);
    df_reader_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* TOC entries                                                         */
/* ------------------------------------------------------------------ */

static size_t count_desc(const df_reader *r, const char *desc)
{
    size_t n = 0;

    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        n += e->desc != NULL && strcmp(e->desc, desc) == 0;
    }
    return n;
}

START_TEST(test_entries_pg18)
{
    df_reader *r = open_rel("pg18/sample.custom.gzip.dump");
    const df_header *h = df_reader_header(r);
    size_t n = df_reader_toc_count(r), with_deps = 0;
    int64_t prev = -1;

    ck_assert_ptr_null(df_reader_toc_at(r, n));
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);

        ck_assert_ptr_nonnull(e);
        ck_assert_uint_eq(e->index, i);
        ck_assert_int_gt(e->dump_id, 0);
        ck_assert_ptr_eq(df_reader_find(r, e->dump_id), e);
        ck_assert_ptr_nonnull(e->desc);
        ck_assert_int_eq(e->section_stored, 1);
        ck_assert_int_ge(e->section, DF_SECTION_NONE);
        ck_assert_int_le(e->section, DF_SECTION_POST_DATA);
        /* Entries are contiguous and in file order inside the TOC. */
        ck_assert_int_gt(e->toc_offset, prev);
        ck_assert_int_lt(e->toc_offset, h->toc_end);
        if (i == 0)
            ck_assert_int_eq(e->toc_offset, h->header_end + 5); /* after INT count */
        prev = e->toc_offset;
        if (e->ndeps > 0) {
            with_deps++;
            ck_assert_ptr_nonnull(e->deps);
            for (size_t d = 0; d < e->ndeps; d++)
                ck_assert_int_gt(e->deps[d], 0);
        }
        ck_assert_ptr_null(e->filename); /* custom format */
        ck_assert_ptr_nonnull(e->with_oids);
        ck_assert_str_eq(e->with_oids, "false");
        if (strcmp(e->desc, "TABLE DATA") == 0) {
            int found_table = 0;

            ck_assert_int_eq(e->section, DF_SECTION_DATA);
            ck_assert_int_eq(e->had_dumper, 1);
            ck_assert_int_eq(df_entry_has_data(e), 1);
            ck_assert_int_eq(df_entry_is_blobs(e), 0);
            ck_assert_ptr_nonnull(e->copy_stmt);
            ck_assert(strncmp(e->copy_stmt, "COPY ", 5) == 0);
            ck_assert_ptr_null(e->defn);
            ck_assert_int_eq(e->table_oid, 0);
            ck_assert_uint_gt(e->oid, 0);
            ck_assert_int_eq(e->relkind, 0);
            /* TABLE DATA depends on its TABLE (same schema and tag). */
            for (size_t d = 0; d < e->ndeps; d++) {
                const df_entry *t = df_reader_find(r, e->deps[d]);
                if (t && t->desc && strcmp(t->desc, "TABLE") == 0 && t->tag && e->tag &&
                    strcmp(t->tag, e->tag) == 0 && t->schema && e->schema &&
                    strcmp(t->schema, e->schema) == 0)
                    found_table = 1;
            }
            ck_assert_msg(found_table, "TABLE DATA %d has no TABLE dependency", e->dump_id);
        }
        if (strcmp(e->desc, "TABLE") == 0) {
            ck_assert_int_eq(e->table_oid, 1259);
            ck_assert(e->relkind == 'r' || e->relkind == 'p');
            /* Partitioned tables have no access method. */
            if (e->relkind == 'r') {
                ck_assert_ptr_nonnull(e->tableam);
                ck_assert_str_eq(e->tableam, "heap");
            } else {
                ck_assert_ptr_null(e->tableam);
            }
            ck_assert_ptr_nonnull(e->tablespace);
            ck_assert_str_eq(e->tablespace, "");
            ck_assert_int_eq(df_entry_has_data(e), 0);
        }
        if (strcmp(e->desc, "BLOBS") == 0) {
            ck_assert_int_eq(df_entry_is_blobs(e), 1);
            ck_assert_int_eq(df_entry_has_data(e), 1);
        }
        if (strcmp(e->desc, "SEQUENCE SET") == 0) {
            ck_assert_int_eq(df_entry_has_data(e), 0);
            ck_assert_ptr_nonnull(e->defn);
            ck_assert(strstr(e->defn, "setval") != NULL);
        }
        if (strcmp(e->desc, "ENCODING") == 0) {
            ck_assert_ptr_nonnull(e->defn);
            ck_assert(strstr(e->defn, "client_encoding") != NULL);
            ck_assert_ptr_null(e->owner); /* NULL, not "" (spec §4.3) */
            ck_assert_ptr_null(e->drop_stmt);
        }
    }
    ck_assert_uint_gt(with_deps, 50);
    /* MANIFEST.json toc_entry_types of pg18/sample.custom.gzip.dump */
    ck_assert_uint_eq(count_desc(r, "TABLE DATA"), 15);
    ck_assert_uint_eq(count_desc(r, "BLOBS"), 4);
    ck_assert_uint_eq(count_desc(r, "BLOB METADATA"), 4);
    ck_assert_uint_eq(count_desc(r, "ACL"), 33);
    ck_assert_uint_eq(count_desc(r, "COMMENT"), 17);
    ck_assert_uint_eq(count_desc(r, "CONSTRAINT"), 20);
    ck_assert_uint_eq(count_desc(r, "TABLE"), 16);
    ck_assert_uint_eq(count_desc(r, "DATABASE"), 1);
    ck_assert_ptr_null(df_reader_find(r, 0));
    ck_assert_ptr_null(df_reader_find(r, -1));
    ck_assert_ptr_null(df_reader_find(r, 999999));
    ck_assert_ptr_null(df_reader_find(r, INT32_MAX));
    df_reader_free(r);
}
END_TEST

/* Every entry line of `pg_restore -l` names an entry with the same ids and desc. */
static void check_against_list(const char *rel)
{
    char lrel[512], path[4096];
    size_t len, lines = 0;
    char *text, *line, *next;
    df_reader *r;

    snprintf(lrel, sizeof lrel, "%s.list", rel);
    if (rel[strlen(rel) - 1] == '/') /* "pg18/sample.dir.gzip/" -> "...gzip.list" */
        snprintf(lrel, sizeof lrel, "%.*s.list", (int)strlen(rel) - 1, rel);
    text = dft_read_file(dft_path(path, sizeof path, lrel), &len);
    ck_assert_msg(text != NULL, "missing %s", lrel);
    r = open_rel(rel);
    for (line = text; line != NULL; line = next) {
        int id;
        unsigned toid, oid;
        int used = 0;
        const df_entry *e;

        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == ';' || line[0] == '\0')
            continue;
        ck_assert_msg(sscanf(line, "%d; %u %u %n", &id, &toid, &oid, &used) == 3 && used > 0,
                      "%s: bad line %s", lrel, line);
        e = df_reader_find(r, id);
        ck_assert_msg(e != NULL, "%s: dump id %d not found", rel, id);
        ck_assert_int_eq(e->table_oid, toid);
        ck_assert_int_eq(e->oid, oid);
        ck_assert_msg(strncmp(line + used, e->desc, strlen(e->desc)) == 0,
                      "%s: id %d desc \"%s\" vs \"%s\"", rel, id, e->desc, line + used);
        lines++;
    }
    ck_assert_uint_gt(lines, 100);
    free(text);
    df_reader_free(r);
}

static dft_archives all_archives;

START_TEST(test_toc_matches_list)
{
    check_against_list(all_archives.a[_i].rel);
}
END_TEST

START_TEST(test_entry_fields_by_format)
{
    static const char *const rels[] = {"pg18/sample.dir.gzip", "pg18/sample.tar",
                                       "pg15/sample.dir.none", "pg93/sample.tar"};
    df_reader *r = open_rel(rels[_i]);

    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        char want[64];

        ck_assert_int_eq(e->offset_state, DF_OFFSET_NONE);
        if (strcmp(e->desc, "TABLE DATA") == 0) {
            snprintf(want, sizeof want, "%d.dat", e->dump_id);
            ck_assert_ptr_nonnull(e->filename);
            ck_assert_str_eq(e->filename, want);
            ck_assert_int_eq(df_entry_has_data(e), 1);
        } else if (strcmp(e->desc, "BLOBS") == 0) {
            ck_assert_int_eq(df_entry_has_data(e), 1);
        } else {
            ck_assert_int_eq(df_entry_has_data(e), 0);
        }
    }
    df_reader_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Custom data offsets                                                 */
/* ------------------------------------------------------------------ */

START_TEST(test_offsets_set)
{
    static const char *const rels[] = {"pg18/sample.custom.gzip.dump",
                                       "pg15/sample.custom.none.dump",
                                       "pg93/sample.custom.gzip.dump"};
    char path[4096];
    size_t len;
    uint8_t *bytes = (uint8_t *)dft_read_file(dft_path(path, sizeof path, rels[_i]), &len);
    df_reader *r = open_rel(rels[_i]);
    const df_header *h = df_reader_header(r);
    int64_t prev = -1;
    size_t ndata = 0;

    ck_assert_ptr_nonnull(bytes);
    ck_assert_int_eq(h->data_offsets, 1);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);

        if (!e->had_dumper) {
            ck_assert_int_eq(e->offset_state, DF_OFFSET_NO_DATA);
            ck_assert_int_eq(e->data_offset, -1);
            ck_assert_int_eq(df_entry_has_data(e), 0);
            continue;
        }
        ck_assert_int_eq(e->offset_state, DF_OFFSET_SET);
        /* Blocks follow the TOC in TOC order; the first starts right at toc_end. */
        if (ndata++ == 0)
            ck_assert_int_eq(e->data_offset, h->toc_end);
        ck_assert_int_gt(e->data_offset, prev);
        ck_assert_int_lt(e->data_offset, (int64_t)len);
        /* The offset points at the block-type byte, then the repeated dump id. */
        ck_assert_int_eq(bytes[e->data_offset], df_entry_is_blobs(e) ? 3 : 1);
        ck_assert_int_eq(bytes[e->data_offset + 1], 0);
        ck_assert_int_eq(bytes[e->data_offset + 2] | bytes[e->data_offset + 3] << 8, e->dump_id);
        prev = e->data_offset;
    }
    ck_assert_uint_ge(ndata, 14);
    free(bytes);
    df_reader_free(r);
}
END_TEST

START_TEST(test_offsets_not_set)
{
    static const char *const rels[] = {"pg18/sample.custom.pipe.dump",
                                       "pg10/sample.custom.pipe.dump",
                                       "pg18/sample.custom.stdout.dump"};
    df_reader *r = open_rel(rels[_i]);
    size_t ndata = 0;

    ck_assert_int_eq(df_reader_header(r)->data_offsets, 0);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (!e->had_dumper) {
            ck_assert_int_eq(e->offset_state, DF_OFFSET_NO_DATA);
            continue;
        }
        ndata++;
        ck_assert_int_eq(e->offset_state, DF_OFFSET_NOT_SET);
        ck_assert_int_eq(e->data_offset, -1);
        ck_assert_int_eq(df_entry_has_data(e), 1);
    }
    ck_assert_uint_ge(ndata, 14);
    df_reader_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Reading data                                                        */
/* ------------------------------------------------------------------ */

static dft_rowcounts rowcounts;

/* Every table of `rowkey` in rowcounts.tsv has the rows counted in `res`. */
static void check_rows(const char *rowkey, const dft_result *res)
{
    size_t tables = 0;

    for (size_t i = 0; i < res->nents; i++) {
        const dft_ent *e = &res->ents[i];
        int64_t want;
        if (!e->is_table_data)
            continue;
        want = dft_rowcounts_get(&rowcounts, rowkey, e->key);
        ck_assert_msg(want >= 0, "%s: no row count for %s", rowkey, e->key);
        ck_assert_msg(e->rows == want, "%s: %s has %lld rows, want %lld", rowkey, e->key,
                      (long long)e->rows, (long long)want);
        ck_assert_msg(!e->copy_mode || e->terminated, "%s: %s lacks \\.", rowkey, e->key);
        tables++;
    }
    ck_assert_uint_eq(tables + 1, dft_rowcounts_count(&rowcounts, rowkey));
    ck_assert_int_eq(res->total_los, dft_rowcounts_get(&rowcounts, rowkey, "<large objects>"));
}

START_TEST(test_stdout_dumps)
{
    /* 16.x/18.x `pg_dump -Fc > file`: leading TOC without offsets, a TOC copy after
     * the last block (spec §5.5).  The data must read exactly like the -f dump's. */
    static const char *const pairs[][2] = {
        {"pg18/sample.custom.stdout.dump", "pg18/sample.custom.gzip.dump"},
        {"pg16/sample.custom.stdout.dump", "pg16/sample.custom.gzip.dump"},
    };
    df_reader *r = open_rel(pairs[_i][0]);
    df_reader *ref = open_rel(pairs[_i][1]);
    dft_result a, b;
    char why[200];

    ck_assert_int_eq(dft_read_all(r, 4096, 0, &a), DF_OK);
    ck_assert_int_eq(dft_read_all(ref, 4096, 0, &b), DF_OK);
    check_rows(pairs[_i][0], &a);
    ck_assert_msg(dft_result_same(&a, &b, why, sizeof why), "%s", why);
    dft_result_free(&a);
    dft_result_free(&b);
    df_reader_free(r);
    df_reader_free(ref);
}
END_TEST

START_TEST(test_data_stats)
{
    df_reader *r = open_rel("pg18/sample.custom.gzip.dump");
    df_reader *d = open_rel("pg18/sample.dir.gzip");
    const df_entry *e = df_reader_find(r, 2890), *de = df_reader_find(d, 2890);
    df_data_stats st;
    uint8_t buf[8192];
    int64_t n, total = 0;

    /* bulk.readings: 14 gzip chunks in custom format (corpus README). */
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->tag, "readings");
    ck_assert_int_eq(df_reader_open_data(r, e), DF_OK);
    while ((n = df_reader_read_data(r, buf, sizeof buf)) > 0)
        total += n;
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(df_reader_read_data(r, buf, sizeof buf), 0); /* stays at the end */
    df_reader_data_stats(r, &st);
    ck_assert_int_eq(st.raw_offset, e->data_offset);
    ck_assert_int_eq(st.out_bytes, total);
    ck_assert_int_eq(st.chunks, 14);
    ck_assert_int_gt(st.payload_bytes, 50000);
    ck_assert_int_gt(st.raw_bytes, st.payload_bytes);
    ck_assert_str_eq(st.member, "");
    df_reader_close_data(r);
    df_reader_close_data(r); /* twice is fine */

    ck_assert_int_eq(df_reader_open_data(d, de), DF_OK);
    while ((n = df_reader_read_data(d, buf, sizeof buf)) > 0)
        total -= n;
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(total, 0); /* same uncompressed bytes as the custom dump */
    df_reader_data_stats(d, &st);
    ck_assert_str_eq(st.member, "2890.dat.gz");
    ck_assert_int_eq(st.payload_bytes, 55036); /* MANIFEST.json files: 2890.dat.gz */
    df_reader_free(r);
    df_reader_free(d);
}
END_TEST

/* The corpus file `rel` cut to its first `keep` bytes, in a temporary file (the caller unlinks). */
static char *cut_copy(const char *rel, size_t keep)
{
    char path[4096], *out = strdup("/tmp/check_reader_cut.XXXXXX");
    size_t len;
    char *in = dft_read_file(dft_path(path, sizeof path, rel), &len);
    int fd;

    ck_assert_ptr_nonnull(in);
    ck_assert_uint_lt(keep, len);
    fd = mkstemp(out);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, in, keep), (ssize_t)keep);
    close(fd);
    free(in);
    return out;
}

/* Read e's data in pieces of `piece` bytes: the bytes before the error; *rc the error. */
static int64_t bytes_before_error(const char *path, int32_t id, size_t piece, int *rc)
{
    df_reader *r = df_reader_new(NULL);
    uint8_t *buf = malloc(piece);
    int64_t n, total = 0;

    ck_assert_ptr_nonnull(buf);
    ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
    ck_assert_int_eq(df_reader_open_data(r, df_reader_find(r, id)), DF_OK);
    while ((n = df_reader_read_data(r, buf, piece)) > 0)
        total += n;
    *rc = (int)n;
    /* the error stays, with its message */
    ck_assert_int_eq(df_reader_read_data(r, buf, piece), n);
    ck_assert_int_eq(df_reader_error(r)->code, n);
    free(buf);
    df_reader_free(r);
    return total;
}

/*
 * A stream cut in the middle (bulk.readings, issue 13): every byte decoded
 * before the cut comes out, whatever the read size, before the error: one
 * call asking for all of it gets as many bytes as 4 KiB calls do.
 */
START_TEST(test_cut_stream_keeps_bytes)
{
    static const char *const rels[] = {"pg16/sample.custom.gzip.dump", "pg16/sample.custom.lz4.dump",
                                       "pg16/sample.custom.zstd.dump", "pg16/sample.custom.none.dump"};
    df_reader *r = open_rel(rels[_i]);
    const df_entry *e = df_reader_find(r, 2866);
    char *cut;
    int64_t big, small;
    int rc_big, rc_small;

    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->tag, "readings");
    /* near the block's end (its stored sizes: 55105, 95419, 56074, 249121 bytes): every
     * codec has decoded bytes to hand out there, zstd's 128 KiB blocks included */
    static const int64_t into[] = {50000, 90000, 55000, 50000};
    cut = cut_copy(rels[_i], (size_t)(e->data_offset + into[_i]));
    big = bytes_before_error(cut, 2866, 16 << 20, &rc_big);
    small = bytes_before_error(cut, 2866, 4096, &rc_small);
    ck_assert_int_eq(rc_big, DF_E_TRUNCATED);
    ck_assert_int_eq(rc_small, DF_E_TRUNCATED);
    ck_assert_int_gt(big, 0);
    ck_assert_int_eq(big, small);
    unlink(cut);
    free(cut);
    df_reader_free(r);
}
END_TEST

START_TEST(test_blobs_lo_stats)
{
    df_reader *r = open_rel("pg18/sample.custom.none.dump");
    const df_entry *e = df_reader_find(r, 2894); /* BLOBS 910004..910005 */
    uint32_t oid;
    uint8_t buf[64];
    df_data_stats st;

    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(df_entry_is_blobs(e), 1);
    ck_assert_int_eq(df_reader_open_data(r, e), DF_OK);
    ck_assert_int_eq(df_reader_next_lo(r, &oid), DF_OK);
    ck_assert_uint_eq(oid, 910004);
    ck_assert_int_eq(df_reader_read_data(r, buf, sizeof buf), 0); /* the empty LO */
    ck_assert_int_eq(df_reader_next_lo(r, &oid), DF_OK);
    ck_assert_uint_eq(oid, 910005);
    ck_assert_int_eq(df_reader_read_data(r, buf, sizeof buf), 4);
    ck_assert_int_eq(df_reader_read_data(r, buf, sizeof buf), 0);
    ck_assert_int_eq(df_reader_next_lo(r, &oid), DF_EOF);
    df_reader_data_stats(r, &st);
    ck_assert_int_eq(st.los, 2);
    df_reader_free(r);
}
END_TEST

START_TEST(test_usage_errors)
{
    df_reader *r = open_rel("pg18/sample.custom.gzip.dump");
    df_reader *other = open_rel("pg18/sample.custom.gzip.dump");
    const df_entry *table = NULL, *data = df_reader_find(r, 2890);
    uint8_t buf[16];
    uint32_t oid;
    char path[4096];

    for (size_t i = 0; i < df_reader_toc_count(r) && !table; i++)
        if (strcmp(df_reader_toc_at(r, i)->desc, "TABLE") == 0)
            table = df_reader_toc_at(r, i);
    ck_assert_int_eq(df_reader_read_data(r, buf, sizeof buf), DF_E_USAGE);
    ck_assert_int_eq(df_reader_open_data(r, table), DF_E_USAGE);
    ck_assert_int_eq(df_reader_error(r)->code, DF_E_USAGE);
    ck_assert_int_eq(df_reader_open_data(r, NULL), DF_E_USAGE);
    ck_assert_int_eq(df_reader_open_data(r, df_reader_find(other, 2890)), DF_E_USAGE);
    ck_assert_int_eq(df_reader_open_data(r, data), DF_OK);
    ck_assert_int_eq(df_reader_next_lo(r, &oid), DF_E_USAGE); /* not BLOBS */
    /* A second open on the same reader is refused. */
    ck_assert_int_eq(
        df_reader_open_path(r, dft_path(path, sizeof path, "pg18/sample.custom.gzip.dump")),
        DF_E_USAGE);
    df_reader_free(r);
    df_reader_free(other);
    df_reader_free(NULL);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Errors                                                              */
/* ------------------------------------------------------------------ */

static int open_err(const char *path, df_error *err)
{
    df_reader *r = df_reader_new(NULL);
    int rc = df_reader_open_path(r, path);

    *err = *df_reader_error(r);
    df_reader_free(r);
    return rc;
}

START_TEST(test_open_errors)
{
    df_error err;
    char path[4096];
    int rc;

    rc = open_err("/nonexistent/sample.dump", &err);
    ck_assert_msg(rc == DF_E_NOTFOUND || rc == DF_E_IO, "rc %d", rc);
    ck_assert_int_eq(err.code, rc);
    ck_assert_int_eq(err.sys_errno, ENOENT);
    ck_assert_str_ne(err.message, "");

    rc = open_err(dft_path(path, sizeof path, "damaged/empty.dump"), &err);
    ck_assert_msg(rc == DF_E_FORMAT || rc == DF_E_TRUNCATED, "empty: rc %d", rc);
    ck_assert_int_eq(err.code, rc);
    ck_assert_int_le(err.offset, 0);

    rc = open_err(dft_path(path, sizeof path, "damaged/random.dump"), &err);
    ck_assert_msg(rc == DF_E_FORMAT || rc == DF_E_TRUNCATED, "random: rc %d", rc);
    ck_assert_int_le(err.offset, 4096);

    /* A directory's toc.dat (format byte 3) is never read as a custom archive: naming it
     * opens its directory archive. */
    {
        df_reader *r = df_reader_new(NULL);
        rc = df_reader_open_path(r, dft_path(path, sizeof path, "pg18/sample.dir.gzip/toc.dat"));
        ck_assert_int_eq(rc, DF_OK);
        ck_assert_int_eq(df_reader_header(r)->format, DF_FORMAT_DIRECTORY);
        ck_assert_int_eq(df_reader_header(r)->toc_count, 198);
        df_reader_free(r);
    }

    /* A directory without toc.dat. */
    rc = open_err(dft_path(path, sizeof path, "lo"), &err);
    ck_assert_msg(rc == DF_E_NOTFOUND || rc == DF_E_FORMAT, "lo/: rc %d", rc);

    /* A list file is text, not an archive. */
    rc = open_err(dft_path(path, sizeof path, "pg18/sample.custom.gzip.dump.list"), &err);
    ck_assert_int_lt(rc, 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Pipes                                                               */
/* ------------------------------------------------------------------ */

/* The read end of a pipe that a forked child fills with the file `rel`. */
static int pipe_from_file(const char *rel, pid_t *child)
{
    char path[4096];
    size_t len;
    char *data = dft_read_file(dft_path(path, sizeof path, rel), &len);
    int p[2];

    ck_assert_ptr_nonnull(data);
    ck_assert_int_eq(pipe(p), 0);
    *child = fork();
    ck_assert_int_ge(*child, 0);
    if (*child == 0) {
        size_t done = 0;
        close(p[0]);
        signal(SIGPIPE, SIG_DFL);
        while (done < len) {
            ssize_t w = write(p[1], data + done, len - done > 3000 ? 3000 : len - done);
            if (w <= 0)
                _exit(1);
            done += (size_t)w;
        }
        _exit(0);
    }
    free(data);
    close(p[1]);
    return p[0];
}

/* A reader over such a pipe. */
static df_reader *open_pipe(const char *rel, pid_t *child, int *fd)
{
    df_reader *r;
    int rc;

    *fd = pipe_from_file(rel, child);
    r = df_reader_new(NULL);
    rc = df_reader_open_fd(r, *fd, rel);
    ck_assert_msg(rc == DF_OK, "%s from a pipe: %s (%s at %lld)", rel, df_strstatus(rc),
                  df_reader_error(r)->message, (long long)df_reader_error(r)->offset);
    return r;
}

static int same_str(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

static void check_same_toc(const df_reader *a, const df_reader *b)
{
    ck_assert_uint_eq(df_reader_toc_count(a), df_reader_toc_count(b));
    ck_assert_int_eq(df_reader_header(a)->toc_end, df_reader_header(b)->toc_end);
    ck_assert(same_str(df_reader_header(a)->dbname, df_reader_header(b)->dbname));
    for (size_t i = 0; i < df_reader_toc_count(a); i++) {
        const df_entry *x = df_reader_toc_at(a, i), *y = df_reader_toc_at(b, i);
        ck_assert_int_eq(x->dump_id, y->dump_id);
        ck_assert_int_eq(x->had_dumper, y->had_dumper);
        ck_assert(same_str(x->tag, y->tag));
        ck_assert(same_str(x->desc, y->desc));
        ck_assert(same_str(x->defn, y->defn));
        ck_assert(same_str(x->drop_stmt, y->drop_stmt));
        ck_assert(same_str(x->copy_stmt, y->copy_stmt));
        ck_assert(same_str(x->schema, y->schema));
        ck_assert(same_str(x->owner, y->owner));
        ck_assert(same_str(x->filename, y->filename));
        ck_assert_int_eq(x->offset_state, y->offset_state);
        ck_assert_int_eq(x->data_offset, y->data_offset);
        ck_assert_int_eq(x->toc_offset, y->toc_offset);
        ck_assert_uint_eq(x->ndeps, y->ndeps);
        if (x->ndeps)
            ck_assert_mem_eq(x->deps, y->deps, x->ndeps * sizeof *x->deps);
    }
}

static const char *const pipe_rels[] = {
    "pg18/sample.custom.gzip.dump",
    "pg18/sample.custom.pipe.dump",
    "pg18/sample.custom.lz4.dump",
    "pg16/sample.custom.stdout.dump",
    "pg15/sample.custom.none.dump",
    "pg93/sample.custom.gzip.dump",
    "pg18/sample.tar",
    "pg15/sample.tar",
    "pg93/sample.tar",
};

START_TEST(test_pipe_reads_like_file)
{
    const char *rel = pipe_rels[_i];
    pid_t child;
    int fd;
    df_reader *p = open_pipe(rel, &child, &fd);
    df_reader *f = open_rel(rel);
    dft_result a, b;
    char why[200];
    const df_entry *first = NULL;

    ck_assert_int_eq(df_reader_seekable(p), 0);
    ck_assert_int_eq(df_reader_header(p)->file_size, -1);
    ck_assert_str_eq(df_reader_path(p), rel);
    check_same_toc(p, f);
    ck_assert_int_eq(dft_read_all(p, 4096, 0, &a), DF_OK);
    ck_assert_int_eq(dft_read_all(f, 4096, 0, &b), DF_OK);
    ck_assert_msg(dft_result_same(&a, &b, why, sizeof why), "%s: %s", rel, why);
    check_rows(rel, &a);
    /* Going back to the first data entry needs bytes the pipe has passed. */
    for (size_t i = 0; i < df_reader_toc_count(p) && !first; i++)
        if (df_entry_has_data(df_reader_toc_at(p, i)))
            first = df_reader_toc_at(p, i);
    ck_assert_int_eq(df_reader_open_data(p, first), DF_E_NOSEEK);
    ck_assert_int_eq(df_reader_error(p)->code, DF_E_NOSEEK);
    ck_assert_str_ne(df_reader_error(p)->message, "");
    dft_result_free(&a);
    dft_result_free(&b);
    df_reader_free(p);
    df_reader_free(f);
    close(fd);
    waitpid(child, NULL, 0);
}
END_TEST

START_TEST(test_pipe_skips_entries)
{
    /* Reading only some entries from a pipe (in file order) skips the others. */
    const char *rel = pipe_rels[_i];
    pid_t child;
    int fd;
    df_reader *p = open_pipe(rel, &child, &fd);
    df_reader *f = open_rel(rel);
    size_t k = 0;

    for (size_t i = 0; i < df_reader_toc_count(p); i++) {
        const df_entry *e = df_reader_toc_at(p, i);
        int64_t rows_p, rows_f, out_p, out_f;
        if (!df_entry_has_data(e) || k++ % 3 != 1)
            continue;
        ck_assert_int_eq(df_reader_measure(p, e, &rows_p, &out_p, NULL), DF_OK);
        ck_assert_int_eq(df_reader_measure(f, df_reader_toc_at(f, i), &rows_f, &out_f, NULL),
                         DF_OK);
        ck_assert_int_eq(rows_p, rows_f);
        ck_assert_int_eq(out_p, out_f);
    }
    ck_assert_uint_gt(k, 10);
    df_reader_free(p);
    df_reader_free(f);
    close(fd);
    waitpid(child, NULL, 0);
}
END_TEST

/* Read one entry's data whole: its FNV hash, or 0 on error. */
static uint64_t entry_hash(df_reader *r, const df_entry *e)
{
    uint8_t buf[4096];
    uint64_t h = DFT_FNV_INIT;
    uint32_t oid;
    int64_t n = 0;
    int rc = df_reader_open_data(r, e);

    if (rc != DF_OK)
        return 0;
    if (df_entry_is_blobs(e)) {
        while ((rc = df_reader_next_lo(r, &oid)) == DF_OK) {
            h = dft_fnv(h, &oid, sizeof oid);
            while ((n = df_reader_read_data(r, buf, sizeof buf)) > 0)
                h = dft_fnv(h, buf, (size_t)n);
            if (n < 0)
                return 0;
        }
        return rc == DF_EOF ? h : 0;
    }
    while ((n = df_reader_read_data(r, buf, sizeof buf)) > 0)
        h = dft_fnv(h, buf, (size_t)n);
    return n == 0 ? h : 0;
}

static const char *const order_rels[] = {
    "pg18/sample.custom.gzip.dump",
    "pg18/sample.custom.pipe.dump",
    "pg93/sample.custom.pipe.dump",
    "pg16/sample.custom.stdout.dump",
    "pg18/sample.tar",
    "pg93/sample.tar",
    "pg18/sample.dir.lz4",
    "pg15/sample.dir.gzip",
};

START_TEST(test_any_order)
{
    /* A seekable input serves entries in any order, repeatedly, with the same bytes --
     * also when the TOC has no offsets and the reader must scan (pipe dumps). */
    const char *rel = order_rels[_i];
    df_reader *fwd = open_rel(rel), *r = open_rel(rel);
    size_t n = df_reader_toc_count(r), k = 0;
    size_t *idx = malloc(n * sizeof *idx);
    uint64_t *want = calloc(n, sizeof *want);
    uint32_t seed = 2024;

    for (size_t i = 0; i < n; i++)
        if (df_entry_has_data(df_reader_toc_at(fwd, i))) {
            want[i] = entry_hash(fwd, df_reader_toc_at(fwd, i));
            ck_assert_msg(want[i] != 0, "%s: entry %zu: %s", rel, i, df_reader_error(fwd)->message);
            idx[k++] = i;
        }
    /* Reverse order first, then a shuffled order, then the first entry again. */
    for (size_t j = k; j-- > 0;)
        ck_assert_msg(entry_hash(r, df_reader_toc_at(r, idx[j])) == want[idx[j]],
                      "%s: entry %zu differs read backwards (%s)", rel, idx[j],
                      df_reader_error(r)->message);
    for (size_t j = k; j > 1; j--) {
        size_t t, x;
        seed = seed * 1103515245u + 12345u;
        x = (seed >> 8) % j;
        t = idx[j - 1];
        idx[j - 1] = idx[x];
        idx[x] = t;
    }
    for (size_t j = 0; j < k; j++)
        ck_assert_msg(entry_hash(r, df_reader_toc_at(r, idx[j])) == want[idx[j]],
                      "%s: entry %zu differs in shuffled order", rel, idx[j]);
    ck_assert(entry_hash(r, df_reader_toc_at(r, idx[0])) == want[idx[0]]);
    free(idx);
    free(want);
    df_reader_free(fwd);
    df_reader_free(r);
}
END_TEST

START_TEST(test_switch_mid_stream)
{
    /* Opening another entry in the middle of a stream (or of a large object) closes the
     * first; coming back reads it from its start. */
    df_reader *r = open_rel("pg18/sample.custom.none.dump");
    df_reader *ref = open_rel("pg18/sample.custom.none.dump");
    const df_entry *bulk = df_reader_find(r, 2890), *lo = df_reader_find(r, 2900);
    uint8_t buf[100];
    uint32_t oid;

    ck_assert_int_eq(df_reader_open_data(r, bulk), DF_OK);
    ck_assert_int_eq(df_reader_read_data(r, buf, sizeof buf), (int64_t)sizeof buf);
    ck_assert_int_eq(df_reader_open_data(r, lo), DF_OK);
    ck_assert_int_eq(df_reader_next_lo(r, &oid), DF_OK);
    ck_assert_uint_eq(oid, 910003);
    ck_assert_int_eq(df_reader_read_data(r, buf, sizeof buf), (int64_t)sizeof buf);
    ck_assert(entry_hash(r, bulk) == entry_hash(ref, df_reader_find(ref, 2890)));
    ck_assert(entry_hash(r, lo) == entry_hash(ref, df_reader_find(ref, 2900)));
    df_reader_free(r);
    df_reader_free(ref);
}
END_TEST

START_TEST(test_stdin)
{
    /* "-" reads standard input: a pipe streams, a redirected regular file seeks. */
    const char *rel = "pg18/sample.custom.pipe.dump";
    char path[4096];
    pid_t child;
    int fd, saved = dup(0);
    df_reader *r;
    dft_result a, b;
    char why[200];

    fd = pipe_from_file(rel, &child);
    ck_assert_int_eq(dup2(fd, 0), 0);
    close(fd);
    r = df_reader_new(NULL);
    ck_assert_int_eq(df_reader_open_path(r, "-"), DF_OK);
    ck_assert_str_eq(df_reader_path(r), "-");
    ck_assert_int_eq(df_reader_seekable(r), 0);
    ck_assert_int_eq(dft_read_all(r, 4096, 0, &a), DF_OK);
    df_reader_free(r);
    waitpid(child, NULL, 0);

    fd = open(dft_path(path, sizeof path, rel), O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(dup2(fd, 0), 0);
    close(fd);
    r = df_reader_new(NULL);
    ck_assert_int_eq(df_reader_open_path(r, "-"), DF_OK);
    ck_assert_int_eq(df_reader_seekable(r), 1);
    ck_assert_int_eq(dft_read_all(r, 4096, 0, &b), DF_OK);
    ck_assert_msg(dft_result_same(&a, &b, why, sizeof why), "%s", why);
    check_rows(rel, &a);
    df_reader_free(r);
    dft_result_free(&a);
    dft_result_free(&b);
    dup2(saved, 0);
    close(saved);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Archives damaged by text conversions (issue 10)                     */
/* ------------------------------------------------------------------ */

/*
 * The corpus file `rel` converted: 0 = \n -> \r\n, 1 = UTF-16LE + FF FE, 2 = UTF-16BE + FE FF,
 * 3 = UTF-8 (from Latin-1) + EF BB BF.
 */
static char *converted(const char *rel, int how)
{
    char path[4096], *out = strdup("/tmp/check_reader_conv.XXXXXX");
    size_t len, n = 0;
    char *in = dft_read_file(dft_path(path, sizeof path, rel), &len);
    uint8_t *buf;
    int fd;

    ck_assert_ptr_nonnull(in);
    buf = malloc(2 * len + 3);
    ck_assert_ptr_nonnull(buf);
    if (how == 1 || how == 2) {
        buf[n++] = how == 1 ? 0xff : 0xfe;
        buf[n++] = how == 1 ? 0xfe : 0xff;
    } else if (how == 3) {
        memcpy(buf, "\xef\xbb\xbf", 3);
        n = 3;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t c = (uint8_t)in[i];
        if (how == 0 && c == '\n')
            buf[n++] = '\r';
        if (how == 2) /* Latin-1 to UTF-16: each byte a code unit */
            buf[n++] = 0;
        if (how == 3 && c >= 0x80) { /* Latin-1 to UTF-8 */
            buf[n++] = (uint8_t)(0xc0 | c >> 6);
            c = (uint8_t)(0x80 | (c & 0x3f));
        }
        buf[n++] = c;
        if (how == 1)
            buf[n++] = 0;
    }
    fd = mkstemp(out);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, buf, n), (ssize_t)n);
    close(fd);
    free(buf);
    free(in);
    return out;
}

static const char *const conv_rels[] = {"pg15/sample.custom.none.dump", "pg18/sample.custom.gzip.dump",
                                        "pg16/sample.tar", "pg93/sample.custom.gzip.dump",
                                        "pg15/sample.plain.sql"};

/* CR LF: the error names the cause and pg_dump -f; UTF-16: refused at the probe, named. */
START_TEST(test_text_conversions)
{
    const char *rel = conv_rels[_i / 4];
    int how = _i % 4;
    char *path = converted(rel, how);
    df_reader *r = df_reader_new(NULL);
    int rc = df_reader_open_path(r, path);
    const df_error *err = df_reader_error(r);

    unlink(path);
    free(path);
    if ((how == 0 || how == 3) && strstr(rel, ".sql") != NULL) {
        ck_assert_int_eq(rc, how == 0 ? DF_OK : DF_E_FORMAT); /* CR LF in a script is fine */
    } else if (how == 3) {
        ck_assert_msg(strstr(rel, "tar") != NULL || (rc == DF_E_FORMAT &&
                                                      strstr(err->message, "UTF-8") != NULL),
                      "%s (3): %s", rel, err->message);
    } else {
        ck_assert_msg(rc < 0, "%s (%d) opened", rel, how);
        ck_assert_msg(strstr(err->message, how == 0 ? "CR LF" : "UTF-16") != NULL &&
                          strstr(err->message, "pg_dump -f FILE") != NULL,
                      "%s (%d): %s", rel, how, err->message);
        if (how > 0)
            ck_assert_int_eq(rc, DF_E_FORMAT);
    }
    df_reader_free(r);
}
END_TEST

/* The same CR LF hint when the archive comes through a pipe. */
START_TEST(test_crlf_pipe)
{
    char *path = converted("pg15/sample.custom.none.dump", 0);
    int fd = open(path, O_RDONLY);
    df_reader *r = df_reader_new(NULL);
    int rc;

    ck_assert_int_ge(fd, 0);
    {
        int p[2];
        pid_t pid;
        ck_assert_int_eq(pipe(p), 0);
        pid = fork();
        if (pid == 0) {
            char b[65536];
            ssize_t k;
            close(p[0]);
            signal(SIGPIPE, SIG_DFL);
            while ((k = read(fd, b, sizeof b)) > 0 && write(p[1], b, (size_t)k) == k)
                ;
            _exit(0);
        }
        close(p[1]);
        rc = df_reader_open_fd(r, p[0], "-");
        close(p[0]);
        waitpid(pid, NULL, 0);
    }
    close(fd);
    unlink(path);
    free(path);
    ck_assert_int_lt(rc, 0);
    ck_assert_msg(strstr(df_reader_error(r)->message, "CR LF") != NULL, "%s",
                  df_reader_error(r)->message);
    df_reader_free(r);
}
END_TEST

/* No hint on any intact archive of the corpus. */
START_TEST(test_no_text_hint_on_intact)
{
    char path[4096];
    df_reader *r = df_reader_new(NULL);

    ck_assert_int_eq(df_reader_open_path(r, dft_path(path, sizeof path, conv_rels[_i])), DF_OK);
    df_reader_free(r);
}
END_TEST

static Suite *reader_suite(void)
{
    Suite *s = suite_create("reader");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_header_facts, 0, N_FACTS);
    tcase_add_test(tc, test_header_time_pg18);
    tcase_add_test(tc, test_entries_pg18);
    tcase_add_loop_test(tc, test_toc_matches_list, 0, (int)all_archives.n);
    tcase_add_loop_test(tc, test_entry_fields_by_format, 0, 4);
    tcase_add_loop_test(tc, test_offsets_set, 0, 3);
    tcase_add_loop_test(tc, test_offsets_not_set, 0, 3);
    tcase_add_loop_test(tc, test_stdout_dumps, 0, 2);
    tcase_add_test(tc, test_data_stats);
    tcase_add_loop_test(tc, test_cut_stream_keeps_bytes, 0, 4);
    tcase_add_test(tc, test_blobs_lo_stats);
    tcase_add_test(tc, test_usage_errors);
    tcase_add_test(tc, test_open_errors);
    tcase_add_loop_test(tc, test_pipe_reads_like_file, 0,
                        (int)(sizeof pipe_rels / sizeof pipe_rels[0]));
    tcase_add_loop_test(tc, test_any_order, 0, (int)(sizeof order_rels / sizeof order_rels[0]));
    tcase_add_test(tc, test_switch_mid_stream);
    tcase_add_test(tc, test_stdin);
    tcase_add_loop_test(tc, test_pipe_skips_entries, 0,
                        (int)(sizeof pipe_rels / sizeof pipe_rels[0]));
    tcase_add_loop_test(tc, test_text_conversions, 0,
                        (int)(4 * sizeof conv_rels / sizeof conv_rels[0]));
    tcase_add_test(tc, test_crlf_pipe);
    tcase_add_loop_test(tc, test_no_text_hint_on_intact, 0,
                        (int)(sizeof conv_rels / sizeof conv_rels[0]));
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    static const char *const subs[] = {"pg93", "pg10", "pg15", "pg16", "pg18"};
    SRunner *sr;
    int failed;

    if (dft_rowcounts_load(&rowcounts) != 0) {
        fprintf(stderr, "check_reader: cannot read %s/rowcounts.tsv\n", dft_corpus());
        return 1;
    }
    dft_archives_find(&all_archives, subs, 5);
    if (all_archives.n < 30) {
        fprintf(stderr, "check_reader: only %zu archives under %s\n", all_archives.n, dft_corpus());
        return 1;
    }
    sr = srunner_create(reader_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    dft_archives_free(&all_archives);
    dft_rowcounts_free(&rowcounts);
    return failed == 0 ? 0 : 1;
}
