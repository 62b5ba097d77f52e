/*
 * check_versions.c — synthesises custom-format archives of every archive
 * version from 1.0 to 1.16 (spec §1-§5: missing sign byte in 1.0, level
 * byte in 1.2-1.3, no block type before 1.3, INT offsets plus a data-size
 * INT before 1.7, text OIDs before 1.8, derived sections before 1.11, the
 * algorithm byte from 1.15, relkind from 1.16) and reads each back with the
 * offsets set and not set: header fields, TOC fields, rows of the TABLE DATA
 * entry and the bytes of a large object must all come out right.  The
 * corpus only holds 1.12 to 1.16; these archives cover the rest.  One more
 * test builds a 1.14 archive whose table holds megabytes of COPY text, long
 * enough for dumpcheck's COPY checker thread, and compares its findings
 * with those of a one-thread check.
 */
#include "dumpfmt.h"

#include <check.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define V(min) DF_MAKE_VERSION(1, (min), 0)

static const char copy_data[] = "1\talpha\n2\tbeta\n3\tgamma\n\\.\n\n\n";
static const char lo_data[] = "large object bytes";

typedef struct wbuf {
    unsigned char *p;
    size_t n, cap;
    int version;
    bool gzip;           /* header says zlib level -1 and chunks carry zlib streams */
    const char *payload; /* TABLE DATA content (default copy_data) */
} wbuf;

static void put(wbuf *w, const void *src, size_t n)
{
    if (w->n + n > w->cap) {
        w->cap = (w->n + n) * 2 + 64;
        w->p = realloc(w->p, w->cap);
        ck_assert_ptr_nonnull(w->p);
    }
    memcpy(w->p + w->n, src, n);
    w->n += n;
}

static void put_byte(wbuf *w, int b)
{
    unsigned char c = (unsigned char)b;
    put(w, &c, 1);
}

/* INT: sign byte from 1.1 on, then 4 bytes least significant first. */
static void put_int(wbuf *w, long v)
{
    unsigned long mag = v < 0 ? (unsigned long)-v : (unsigned long)v;

    if (w->version > DF_MAKE_VERSION(1, 0, 0))
        put_byte(w, v < 0);
    for (int i = 0; i < 4; i++)
        put_byte(w, (int)((mag >> (8 * i)) & 0xff));
}

static void put_str(wbuf *w, const char *s)
{
    /* 1.0 INTs have no sign byte, so a 1.0 archive cannot say NULL (-1) */
    if (s == NULL && w->version == DF_MAKE_VERSION(1, 0, 0))
        s = "";
    if (s == NULL) {
        put_int(w, -1);
        return;
    }
    put_int(w, (long)strlen(s));
    put(w, s, strlen(s));
}

/* OFF: flag + 8 bytes from 1.7; before that an INT plus the old data-size INT. */
static void put_off(wbuf *w, int state, long off)
{
    if (w->version >= V(7)) {
        put_byte(w, state);
        for (int i = 0; i < 8; i++)
            put_byte(w, state == DF_OFFSET_SET ? (int)((off >> (8 * i)) & 0xff) : 0);
        return;
    }
    put_int(w, state == DF_OFFSET_SET ? off : state == DF_OFFSET_NOT_SET ? -1 : 0);
    put_int(w, 0);
}

static bool compressed(const wbuf *w)
{
    return w->gzip || w->version < V(2);
}

static void write_header(wbuf *w, int vmin)
{
    put(w, "PGDMP", 5);
    put_byte(w, 1);
    put_byte(w, vmin);
    if (vmin > 0)
        put_byte(w, 0);
    put_byte(w, 4);
    if (w->version >= V(7))
        put_byte(w, 8);
    put_byte(w, 1);
    if (w->version >= V(15))
        put_byte(w, 0);
    else if (w->version >= V(4))
        put_int(w, w->gzip ? -1 : 0);
    else if (w->version >= V(2))
        put_byte(w, 0);
    if (w->version >= V(4)) {
        long tm[7] = {5, 4, 3, 2, 1, 120, 0};
        for (int i = 0; i < 7; i++)
            put_int(w, tm[i]);
        put_str(w, "olddb");
    }
    if (w->version >= V(10)) {
        put_str(w, "9.9.9");
        put_str(w, "9.9.9");
    }
}

typedef struct fake_entry {
    int id, dumper, section;
    const char *tag, *desc, *defn, *copy;
    const char *deps[2];
} fake_entry;

static const fake_entry entries[] = {
    {1, 0, DF_SECTION_PRE_DATA, "t1", "TABLE", "CREATE TABLE t1 (a int, b text);\n", NULL, {NULL}},
    {2, 1, DF_SECTION_DATA, "t1", "TABLE DATA", NULL, "COPY t1 (a, b) FROM stdin;\n", {"1", NULL}},
    {3, 1, DF_SECTION_DATA, "BLOBS", "BLOBS", NULL, NULL, {NULL}},
    {4,
     0,
     DF_SECTION_POST_DATA,
     "t1 t1_pkey",
     "CONSTRAINT",
     "ALTER TABLE t1 ADD PRIMARY KEY (a);\n",
     NULL,
     {"1", NULL}},
};
#define NENTRIES (sizeof entries / sizeof entries[0])

static void write_entry(wbuf *w, const fake_entry *e, long off)
{
    put_int(w, e->id);
    put_int(w, e->dumper);
    if (w->version >= V(8))
        put_str(w, "1259");
    put_str(w, "16400");
    put_str(w, e->tag);
    put_str(w, e->desc);
    if (w->version >= V(11))
        put_int(w, e->section);
    put_str(w, e->defn);
    put_str(w, e->defn ? "DROP something;\n" : NULL);
    if (w->version >= V(3))
        put_str(w, e->copy);
    if (w->version >= V(6))
        put_str(w, "public");
    if (w->version >= V(10))
        put_str(w, e->dumper || e->id == 1 ? "" : NULL);
    if (w->version >= V(14))
        put_str(w, e->id == 1 ? "heap" : NULL);
    if (w->version >= V(16))
        put_int(w, e->id == 1 ? 'r' : 0);
    put_str(w, "alice");
    if (w->version >= V(9))
        put_str(w, "false");
    if (w->version >= V(5)) {
        for (int i = 0; e->deps[i]; i++)
            put_str(w, e->deps[i]);
        put_str(w, NULL);
    }
    put_off(w, e->dumper ? (off > 0 ? DF_OFFSET_SET : DF_OFFSET_NOT_SET) : DF_OFFSET_NO_DATA, off);
}

/* One chunk stream: the payload (zlib-compressed for 1.0/1.1), split in two chunks. */
static void write_chunks(wbuf *w, const char *payload, size_t len)
{
    uLongf zlen = compressBound(len);
    unsigned char *z = malloc(zlen);
    const unsigned char *p = (const unsigned char *)payload;

    ck_assert_ptr_nonnull(z);
    if (compressed(w)) {
        ck_assert_int_eq(compress2(z, &zlen, p, len, 9), Z_OK);
        p = z;
        len = zlen;
    }
    if (len > 0) {
        put_int(w, (long)(len / 2));
        put(w, p, len / 2);
        put_int(w, (long)(len - len / 2));
        put(w, p + len / 2, len - len / 2);
    }
    put_int(w, 0);
    free(z);
}

static void write_blocks(wbuf *w, long *pos)
{
    char old_copy[128];

    pos[0] = (long)w->n;
    if (w->version >= V(3))
        put_byte(w, 1);
    put_int(w, 2);
    if (w->version >= V(3)) {
        const char *data = w->payload ? w->payload : copy_data;
        write_chunks(w, data, strlen(data));
    } else {
        /* before 1.3 (no copyStmt field) the COPY command led the data stream */
        snprintf(old_copy, sizeof old_copy, "%s%s", entries[1].copy, copy_data);
        write_chunks(w, old_copy, strlen(old_copy));
    }
    pos[1] = (long)w->n;
    if (w->version >= V(3))
        put_byte(w, 3);
    put_int(w, 3);
    if (w->version >= V(3)) {
        put_int(w, 900001);
        write_chunks(w, lo_data, strlen(lo_data));
        put_int(w, 0);
    } else {
        /* before 1.3 every block is a data block: a BLOBS entry's stream is plain data */
        write_chunks(w, lo_data, strlen(lo_data));
    }
}

/* Build an archive; with set_offsets the TOC stores real block positions. */
static char *build_with(int vmin, bool set_offsets, bool gzip, const char *payload)
{
    static char path[64];
    wbuf w = {.version = DF_MAKE_VERSION(1, vmin, 0), .gzip = gzip, .payload = payload};
    long pos[2] = {0, 0};
    size_t toc_start;
    FILE *f;

    for (int pass = 0; pass < 2; pass++) {
        w.n = 0;
        write_header(&w, vmin);
        toc_start = w.n;
        put_int(&w, NENTRIES);
        for (size_t i = 0; i < NENTRIES; i++)
            write_entry(&w, &entries[i],
                        set_offsets && entries[i].dumper ? pos[entries[i].id - 2] : 0);
        (void)toc_start;
        write_blocks(&w, pos);
    }
    snprintf(path, sizeof path, "/tmp/dfver_%d_%d_%d.dump", (int)getpid(), vmin, set_offsets);
    f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(w.p, 1, w.n, f), w.n);
    fclose(f);
    free(w.p);
    return path;
}

static char *build(int vmin, bool set_offsets)
{
    return build_with(vmin, set_offsets, false, NULL);
}

static void check_header(const df_reader *r, int vmin)
{
    const df_header *h = df_reader_header(r);

    ck_assert_int_eq(h->format, DF_FORMAT_CUSTOM);
    ck_assert_int_eq(h->vmaj, 1);
    ck_assert_int_eq(h->vmin, vmin);
    ck_assert_int_eq(h->int_size, 4);
    ck_assert_int_eq(h->off_size, vmin >= 7 ? 8 : 4);
    ck_assert_int_eq(h->compression, vmin < 2 ? DF_COMPRESS_GZIP : DF_COMPRESS_NONE);
    ck_assert_int_eq((int)h->toc_count, (int)NENTRIES);
    if (vmin >= 4)
        ck_assert_str_eq(h->dbname, "olddb");
    else
        ck_assert_ptr_null(h->dbname);
    if (vmin >= 10)
        ck_assert_str_eq(h->dump_version, "9.9.9");
    else
        ck_assert_ptr_null(h->dump_version);
}

static void check_entries(const df_reader *r, int vmin)
{
    for (size_t i = 0; i < NENTRIES; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        ck_assert_int_eq(e->dump_id, entries[i].id);
        ck_assert_str_eq(e->desc, entries[i].desc);
        ck_assert_str_eq(e->tag, entries[i].tag);
        ck_assert_str_eq(e->owner, "alice");
        ck_assert_uint_eq(e->oid, 16400);
        ck_assert_uint_eq(e->table_oid, vmin >= 8 ? 1259 : 0);
        /* sections are stored from 1.11 and derived from desc before */
        ck_assert_int_eq(e->section, entries[i].section);
        if (vmin >= 6)
            ck_assert_str_eq(e->schema, "public");
        else
            ck_assert_ptr_null(e->schema);
        ck_assert_uint_eq(e->ndeps, vmin >= 5 && entries[i].deps[0] ? 1 : 0);
        ck_assert_int_eq(e->relkind, vmin >= 16 && i == 0 ? 'r' : 0);
        ck_assert_int_eq(df_entry_has_data(e), entries[i].dumper);
    }
}

static void check_data(df_reader *r, int vmin)
{
    const df_entry *data = df_reader_find(r, 2), *blobs = df_reader_find(r, 3);
    int64_t rows = -1, bytes = -1;
    char buf[64];
    uint32_t oid = 0;
    int64_t n;

    ck_assert_int_eq(df_reader_measure(r, data, &rows, &bytes, NULL), DF_OK);
    ck_assert_int_eq((int)rows, 3);
    ck_assert_int_eq((int)bytes,
                     (int)(strlen(copy_data) + (vmin < 3 ? strlen(entries[1].copy) : 0)));
    if (vmin < 3)
        return; /* no LO blocks before 1.3 */
    ck_assert_int_eq(df_reader_open_data(r, blobs), DF_OK);
    ck_assert_int_eq(df_reader_next_lo(r, &oid), DF_OK);
    ck_assert_uint_eq(oid, 900001);
    n = df_reader_read_data(r, buf, sizeof buf);
    ck_assert_int_eq((int)n, (int)strlen(lo_data));
    ck_assert_mem_eq(buf, lo_data, strlen(lo_data));
    ck_assert_int_eq((int)df_reader_read_data(r, buf, sizeof buf), 0);
    ck_assert_int_eq(df_reader_next_lo(r, &oid), DF_EOF);
}

static void check_version(int vmin, bool set_offsets)
{
    char *path = build(vmin, set_offsets);
    df_reader *r = df_reader_new(NULL);
    int rc = df_reader_open_path(r, path);

    ck_assert_msg(rc == DF_OK, "1.%d: %s at %lld", vmin, df_reader_error(r)->message,
                  (long long)df_reader_error(r)->offset);
    check_header(r, vmin);
    check_entries(r, vmin);
    check_data(r, vmin);
    df_reader_free(r);
    unlink(path);
}

START_TEST(every_version_not_set)
{
    /* "not set" is a negative INT, which 1.0 (no sign byte) cannot store */
    check_version(_i, _i == 0);
}
END_TEST

START_TEST(every_version_set)
{
    check_version(_i, true);
}
END_TEST

/* The list line and the derived sections must agree with pg_restore's rules. */
START_TEST(listing_of_old_archive)
{
    char *path = build(10, true);
    df_reader *r = df_reader_new(NULL);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    df_error err;

    ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
    ck_assert_int_eq(df_list_write(r, NULL, NULL, out, &err), DF_OK);
    fclose(out);
    ck_assert_ptr_nonnull(strstr(text, ";     Dump Version: 1.10-0\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n1; 1259 16400 TABLE public t1 alice\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n2; 1259 16400 TABLE DATA public t1 alice\n"));
    ck_assert_ptr_nonnull(strstr(text, "\n4; 1259 16400 CONSTRAINT public t1 t1_pkey alice\n"));
    free(text);
    df_reader_free(r);
    unlink(path);
}
END_TEST

/*
 * Regression: a zlib stream whose last chunk inflates to far more than one
 * read buffer.  The reader once declared such a stream incomplete because it
 * asked for the end before draining the inflater's buffered output.
 */
START_TEST(compressible_last_chunk)
{
    size_t rows = 200000, len = rows * 4;
    char *payload = malloc(len + 8);
    df_reader *r = df_reader_new(NULL);
    int64_t nrows = -1, bytes = -1;
    char *path;

    ck_assert_ptr_nonnull(payload);
    for (size_t i = 0; i < rows; i++)
        memcpy(payload + 4 * i, "1\tx\n", 4);
    memcpy(payload + len, "\\.\n\n\n", 6);
    payload[len + 6] = '\0';
    path = build_with(14, true, true, payload);
    ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
    ck_assert_int_eq(df_reader_header(r)->compression, DF_COMPRESS_GZIP);
    ck_assert_msg(df_reader_measure(r, df_reader_find(r, 2), &nrows, &bytes, NULL) == DF_OK, "%s",
                  df_reader_error(r)->message);
    ck_assert_int_eq((int)nrows, (int)rows);
    ck_assert_int_eq((int)bytes, (int)(len + 5));
    df_reader_free(r);
    unlink(path);
    free(payload);
}
END_TEST

/* COPY text of n rows "i<TAB>row i"; row `bad_cols` gets a third column, row `bad_esc` a "\q". */
static char *big_payload(size_t n, size_t bad_cols, size_t bad_esc)
{
    size_t cap = n * 32 + 64, len = 0;
    char *p = malloc(cap);

    ck_assert_ptr_nonnull(p);
    for (size_t i = 1; i <= n; i++)
        len += (size_t)snprintf(p + len, cap - len, "%zu\trow %zu%s%s\n", i, i,
                                i == bad_cols ? "\textra" : "", i == bad_esc ? " \\q" : "");
    len += (size_t)snprintf(p + len, cap - len, "\\.\n\n\n");
    return p;
}

static char *findings_text(const df_verify *v)
{
    size_t cap = 1, len = 0;
    char *s;

    for (size_t i = 0; i < df_verify_count(v); i++)
        cap += strlen(df_verify_finding(v, i)->message) + 160;
    s = calloc(1, cap);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *f = df_verify_finding(v, i);
        len += (size_t)snprintf(s + len, cap - len, "%s %d %lld %s\n", f->code, f->severity,
                                (long long)f->offset, f->message);
    }
    return s;
}

static df_verify *verify_with(const char *path, int threads)
{
    df_verify_options o;
    df_verify *v = NULL;

    df_verify_options_default(&o);
    o.threads = threads;
    o.pg_restore_version = 18;
    ck_assert_int_eq(df_verify_path(path, &o, &v, NULL), DF_OK);
    ck_assert_ptr_nonnull(v);
    return v;
}

/* Megabytes of rows: one thread and four (the COPY text checked in a thread of its own) agree. */
START_TEST(big_stream_threads)
{
    static const size_t bad[][2] = {{0, 0}, {150000, 170000}, {3, 199999}};
    char *payload = big_payload(200000, bad[_i][0], bad[_i][1]);
    char *path = build_with(14, true, true, payload);
    df_verify *one = verify_with(path, 1), *four = verify_with(path, 4);
    char *a = findings_text(one), *b = findings_text(four);

    ck_assert_msg(strcmp(a, b) == 0, "one thread:\n%s---\nfour:\n%s", a, b);
    ck_assert_int_eq(df_verify_get_summary(one)->rows, 200000);
    ck_assert_int_eq(df_verify_get_summary(four)->rows, 200000);
    ck_assert_int_eq(df_verify_get_summary(four)->bytes,
                     (int64_t)(strlen(payload) + strlen(lo_data)));
    if (bad[_i][0] == 0) {
        ck_assert_int_le(df_verify_get_summary(four)->verdict, DF_VERDICT_WARNING);
    } else {
        ck_assert_int_eq(df_verify_get_summary(four)->verdict, DF_VERDICT_DAMAGED);
        ck_assert_ptr_nonnull(strstr(b, DF_FIND_BAD_COPY_ROW));
        ck_assert_ptr_nonnull(strstr(b, DF_FIND_BAD_COPY_ESCAPE));
    }
    free(a);
    free(b);
    df_verify_free(one);
    df_verify_free(four);
    unlink(path);
    free(payload);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("versions");
    TCase *tc = tcase_create("versions");
    SRunner *sr;
    int failed;

    tcase_add_loop_test(tc, every_version_not_set, 0, 17);
    tcase_add_loop_test(tc, every_version_set, 0, 17);
    tcase_add_test(tc, listing_of_old_archive);
    tcase_add_test(tc, compressible_last_chunk);
    tcase_add_loop_test(tc, big_stream_threads, 0, 3);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
