/*
 * check_listfile.c — the list files dumporder writes and reads (listfile.c):
 * df_list_write_order in archive order is byte for byte pg_restore 18's
 * -l output for every corpus archive; lists with comment lines for left-out
 * entries, and reordered lists, read back to exactly the entries and order
 * written; and df_list_read follows pg_restore's SortTocFromFile line by
 * line (comments, blanks, trailing text, repeats, out-of-range ids, an id
 * that names no entry, CRLF, a missing final newline, overlong lines).
 */
#define _GNU_SOURCE /* fmemopen, setenv */

#include "check_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SAMPLE15 "pg15/sample.custom.gzip.dump"

static const char *const archives[] = {
    "pg93/sample.custom.gzip.dump",
    "pg10/sample.custom.gzip.dump",
    "pg15/sample.custom.gzip.dump",
    "pg15/sample.dir.gzip",
    "pg15/sample.tar",
    "pg16/sample.custom.lz4.dump",
    "pg18/sample.custom.zstd.dump",
    "pg18/sample.dir.none",
    "pg18/sample.tar",
};
#define N_ARCHIVES ((int)(sizeof archives / sizeof archives[0]))

static df_reader *open_rel(const char *rel)
{
    char path[4096];
    df_reader *r = df_reader_new(NULL);

    ck_assert_ptr_nonnull(r);
    ck_assert_msg(df_reader_open_path(r, dft_path(path, sizeof path, rel)) == DF_OK, "%s", rel);
    return r;
}

/* Run df_list_write_order into memory; returns malloc'd text. */
static char *write_to_memory(const df_reader *r, const df_list_options *lo, const size_t *order,
                             size_t n, const df_selection *sel)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    df_error err;

    ck_assert_ptr_nonnull(f);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(df_list_write_order(r, lo, order, n, sel, f, &err), DF_OK);
    fclose(f);
    return buf;
}

static df_list_file *read_from_memory(const df_reader *r, const char *text, int expect)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    df_list_file *lf = NULL;
    df_error err;

    ck_assert_ptr_nonnull(f);
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(df_list_read(r, f, &lf, &err), expect);
    fclose(f);
    return lf;
}

/* ------------------------------------------------------------------ */

START_TEST(test_archive_order_is_pg_restore_l)
{
    const char *rel = archives[_i];
    char path[4096], lpath[4200];
    df_reader *r = open_rel(rel);
    size_t n = df_reader_toc_count(r), *order = malloc((n + 1) * sizeof *order), k = 0;
    int *show = malloc((n + 1) * sizeof *show);
    df_list_options lo;
    char *got, *want;

    df_list_options_default(&lo);
    lo.pg_restore_version = 18;
    ck_assert_int_eq(df_list_selection(r, &lo, show, NULL), DF_OK);
    for (size_t i = 0; i < n; i++)
        if (show[i])
            order[k++] = i;
    got = write_to_memory(r, &lo, order, k, NULL);
    snprintf(lpath, sizeof lpath, "%s.list", dft_path(path, sizeof path, rel));
    want = dft_read_file(lpath, NULL);
    ck_assert_ptr_nonnull(want);
    ck_assert_msg(strcmp(got, want) == 0, "%s: differs from pg_restore -l", rel);
    free(got);
    free(want);
    free(order);
    free(show);
    df_reader_free(r);
}
END_TEST

/* Entries of a selection written with comment lines read back to exactly the listed ones. */
START_TEST(test_comments_round_trip)
{
    static const char *const tables[] = {"orders"};
    df_reader *r = open_rel(SAMPLE15);
    size_t n = df_reader_toc_count(r), *order = malloc(n * sizeof *order), norder = 0;
    df_graph *g;
    df_selection *s;
    df_select_options o;
    df_list_file *lf;
    char *text, *line;
    size_t comments = 0, entries = 0;

    ck_assert_int_eq(df_graph_build(r, &g, NULL), DF_OK);
    df_select_options_default(&o);
    o.tables = tables, o.ntables = 1;
    ck_assert_int_eq(df_select(r, g, &o, NULL, 0, &s, NULL), DF_OK);
    ck_assert_int_eq(df_order_fix(g, s, NULL, 0, order, &norder, NULL), DF_OK);
    text = write_to_memory(r, NULL, order, norder, s);
    /* every line is a header comment, an entry, or ";<id>; ... (<reason>)" */
    for (line = text; *line; line = strchr(line, '\n') + 1) {
        if (line[0] == ';' && line[1] >= '1' && line[1] <= '9') {
            const char *nl = strchr(line, '\n');
            comments++;
            ck_assert(nl != NULL && nl[-1] == ')');
        } else if (line[0] != ';') {
            entries++;
        }
    }
    ck_assert_uint_eq(entries, norder);
    ck_assert_uint_eq(comments + entries + 4, n); /* ENCODING STDSTRINGS SEARCHPATH DATABASE */
    ck_assert_ptr_nonnull(strstr(text, "FK CONSTRAINT sales orders orders_customer_id_fkey "
                                       "app_owner (excluded: needs TABLE sales.customers, add "
                                       "--with-fk-targets)\n"));
    lf = read_from_memory(r, text, DF_OK);
    ck_assert_uint_eq(df_list_file_nignored(lf), 0);
    ck_assert_uint_eq(df_list_file_count(lf), norder);
    for (size_t k = 0; k < norder; k++)
        ck_assert_uint_eq(df_list_file_entry(lf, k, NULL), order[k]);
    df_list_file_free(lf);
    free(text);
    df_selection_free(s);
    df_graph_free(g);
    free(order);
    df_reader_free(r);
}
END_TEST

START_TEST(test_reordered_round_trip)
{
    df_reader *r = open_rel(SAMPLE15);
    size_t n = df_reader_toc_count(r), *order = malloc(n * sizeof *order), k = 0;
    int *show = malloc(n * sizeof *show);
    df_list_file *lf;
    char *text;

    ck_assert_int_eq(df_list_selection(r, NULL, show, NULL), DF_OK);
    for (size_t i = n; i-- > 0;)
        if (show[i])
            order[k++] = i;
    text = write_to_memory(r, NULL, order, k, NULL);
    lf = read_from_memory(r, text, DF_OK);
    ck_assert_uint_eq(df_list_file_count(lf), k);
    for (size_t m = 0; m < k; m++) {
        size_t line;
        ck_assert_uint_eq(df_list_file_entry(lf, m, &line), order[m]);
        ck_assert_uint_eq(line, 16 + m); /* after the 15 header lines */
    }
    df_list_file_free(lf);
    free(text);
    free(order);
    free(show);
    df_reader_free(r);
}
END_TEST

static size_t index_of(const df_reader *r, int32_t id)
{
    const df_entry *e = df_reader_find(r, id);

    ck_assert_ptr_nonnull(e);
    return e->index;
}

static int32_t max_id(const df_reader *r)
{
    int32_t m = 0;

    for (size_t i = 0; i < df_reader_toc_count(r); i++)
        if (df_reader_toc_at(r, i)->dump_id > m)
            m = df_reader_toc_at(r, i)->dump_id;
    return m;
}

START_TEST(test_read_rules)
{
    df_reader *r = open_rel(SAMPLE15);
    char text[1024];
    df_list_file *lf;
    size_t line;

    snprintf(text, sizeof text,
             ";\n"
             "; Selected TOC Entries:\n"
             "\n"
             "   \t\n"
             "  3655 ; 0 16622 TABLE DATA sales customers app_owner\n"
             "230; 1259 16622 TABLE sales customers app_owner\n"
             "3655\n" /* repeated: ignored */
             "0\n"    /* not > 0 */
             "-7; minus\n"
             "abc def ; no number\n"
             "%d\n"    /* above the largest id */
             "11abc\n" /* trailing text after the id is fine */
             "9\r\n"   /* CRLF */
             ";3688; 0 0 ACL - SCHEMA sales app_owner (not selected)\n"
             "3737", /* no final newline */
             max_id(r) + 1);
    lf = read_from_memory(r, text, DF_OK);
    ck_assert_uint_eq(df_list_file_count(lf), 5);
    ck_assert_uint_eq(df_list_file_entry(lf, 0, &line), index_of(r, 3655));
    ck_assert_uint_eq(line, 5);
    ck_assert_uint_eq(df_list_file_entry(lf, 1, NULL), index_of(r, 230));
    ck_assert_uint_eq(df_list_file_entry(lf, 2, &line), index_of(r, 11));
    ck_assert_uint_eq(line, 12);
    ck_assert_uint_eq(df_list_file_entry(lf, 3, NULL), index_of(r, 9));
    ck_assert_uint_eq(df_list_file_entry(lf, 4, &line), index_of(r, 3737));
    ck_assert_uint_eq(line, 15);
    ck_assert_uint_eq(df_list_file_entry(lf, 5, NULL), SIZE_MAX);
    /* pg_restore's "line ignored: <text>": the text before any ';', without the newline */
    ck_assert_uint_eq(df_list_file_nignored(lf), 5);
    ck_assert_str_eq(df_list_file_ignored(lf, 0, &line), "3655");
    ck_assert_uint_eq(line, 7);
    ck_assert_str_eq(df_list_file_ignored(lf, 1, NULL), "0");
    ck_assert_str_eq(df_list_file_ignored(lf, 2, NULL), "-7");
    ck_assert_str_eq(df_list_file_ignored(lf, 3, &line), "abc def ");
    ck_assert_uint_eq(line, 10);
    ck_assert_ptr_null(df_list_file_ignored(lf, 5, NULL));
    df_list_file_free(lf);
    df_reader_free(r);
}
END_TEST

START_TEST(test_read_missing_id)
{
    df_reader *r = open_rel(SAMPLE15);
    int32_t gap = 2;
    char text[128];
    FILE *f;
    df_list_file *lf = NULL;
    df_error err;

    while (df_reader_find(r, gap) != NULL)
        gap++;
    snprintf(text, sizeof text, "230\n%d; in range but no such entry\n", gap);
    f = fmemopen(text, strlen(text), "r");
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(df_list_read(r, f, &lf, &err), DF_E_FORMAT);
    fclose(f);
    ck_assert_ptr_null(lf);
    {
        char want[64];
        snprintf(want, sizeof want, "could not find entry for ID %d", gap);
        ck_assert_str_eq(err.message, want);
    }
    ck_assert_int_eq(err.offset, 4); /* the line's byte offset in the list */
    df_reader_free(r);
}
END_TEST

START_TEST(test_read_long_line)
{
    df_reader *r = open_rel(SAMPLE15);
    size_t len = (1 << 20) + 100;
    char *text = malloc(len + 1);
    FILE *f;
    df_list_file *lf = NULL;
    df_error err;

    memset(text, ' ', len);
    text[len] = '\0';
    f = fmemopen(text, len, "r");
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(df_list_read(r, f, &lf, &err), DF_E_LIMIT);
    fclose(f);
    ck_assert_ptr_null(lf);
    free(text);
    df_reader_free(r);
}
END_TEST

START_TEST(test_write_version_refused)
{
    df_reader *r = open_rel("pg18/sample.custom.gzip.dump");
    df_list_options lo;
    df_error err;
    size_t order[1] = {0};
    FILE *f = fopen("/dev/null", "w");

    df_list_options_default(&lo);
    lo.pg_restore_version = 15; /* 1.16 archives need pg_restore 17 */
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(df_list_write_order(r, &lo, order, 1, NULL, f, &err), DF_E_VERSION);
    ck_assert_str_eq(err.message, "unsupported version (1.16) in file header");
    fclose(f);
    df_reader_free(r);
}
END_TEST

/* The pg_restore facts defined once (listfile.c): which releases read which archive versions. */
START_TEST(test_pg_restore_versions)
{
    /* pg_restore 10-11 read up to 1.13, 12-15 up to 1.14, 16 1.15, 17 and 18 1.16 */
    static const int max_minor[] = {13, 13, 14, 14, 14, 14, 15, 16, 16};
    df_entry e;
    char label[64];

    ck_assert_int_eq(DF_PG_RESTORE_NEWEST - DF_PG_RESTORE_OLDEST + 1,
                     (int)(sizeof max_minor / sizeof max_minor[0]));
    for (int pg = DF_PG_RESTORE_OLDEST; pg <= DF_PG_RESTORE_NEWEST; pg++) {
        int m = max_minor[pg - DF_PG_RESTORE_OLDEST];
        ck_assert_int_eq(df_pg_restore_max_minor(pg), m);
        /* the oldest release that reads 1.m is at most pg, and reads it */
        ck_assert_int_le(df_pg_restore_min_major(m), pg);
        ck_assert_int_ge(df_pg_restore_max_minor(df_pg_restore_min_major(m)), m);
    }
    ck_assert_int_eq(df_pg_restore_min_major(12), DF_PG_RESTORE_OLDEST);
    ck_assert_int_eq(df_pg_restore_min_major(14), 12);
    ck_assert_int_eq(df_pg_restore_min_major(15), 16);
    ck_assert_int_eq(df_pg_restore_min_major(16), 17);
    ck_assert_int_eq(df_pg_restore_min_major(17), 0);
    memset(&e, 0, sizeof e);
    e.desc = "TABLE DATA";
    e.schema = "public";
    e.tag = "two\nlines";
    e.dump_id = 3012;
    df_entry_label(&e, label, sizeof label);
    ck_assert_str_eq(label, "TABLE DATA public.two lines (dump id 3012)");
    df_entry_label(&e, label, 12);
    ck_assert_str_eq(label, "TABLE DATA ");
}
END_TEST

static Suite *listfile_suite(void)
{
    Suite *s = suite_create("listfile");
    TCase *tc = tcase_create("lists");

    tcase_add_loop_test(tc, test_archive_order_is_pg_restore_l, 0, N_ARCHIVES);
    tcase_add_test(tc, test_comments_round_trip);
    tcase_add_test(tc, test_reordered_round_trip);
    tcase_add_test(tc, test_read_rules);
    tcase_add_test(tc, test_read_missing_id);
    tcase_add_test(tc, test_read_long_line);
    tcase_add_test(tc, test_write_version_refused);
    tcase_add_test(tc, test_pg_restore_versions);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    /* the corpus listings were made in UTC; pg_restore prints local time */
    setenv("TZ", "UTC", 1);
    tzset();
    sr = srunner_create(listfile_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
