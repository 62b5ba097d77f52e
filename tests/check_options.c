/*
 * check_options.c — option structs that can grow without breaking the ABI
 * (issue 11): every public options struct starts with its size.  A caller
 * built against an older header passes a smaller size: the fields past it
 * take their defaults, whatever garbage the caller's memory holds there
 * (each test puts a value past the size that would change the result, and
 * shows it does once the size covers it).  A size of 0 or larger than the
 * library knows is refused with DF_E_USAGE and a message.
 */
#include "check_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SAMPLE "pg15/sample.custom.gzip.dump" /* archive 1.14: pg_restore 12 or newer */

static df_reader *open_sample(void)
{
    char path[4096];
    df_reader *r = df_reader_new(NULL);

    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(df_reader_open_path(r, dft_path(path, sizeof path, SAMPLE)), DF_OK);
    return r;
}

/* The _default functions set the size of the struct this program was built with. */
START_TEST(test_defaults_set_size)
{
    df_limits l;
    df_list_options lo;
    df_verify_options vo;
    df_select_options so;
    df_cost_model cm;
    df_schedule_options sc;
    df_preflight_options po;
    df_write_options wo;

    df_limits_default(&l);
    df_list_options_default(&lo);
    df_verify_options_default(&vo);
    df_select_options_default(&so);
    df_cost_model_default(&cm);
    df_schedule_options_default(&sc);
    df_preflight_options_default(&po);
    df_write_options_default(&wo);
    ck_assert_uint_eq(l.size, sizeof l);
    ck_assert_uint_eq(lo.size, sizeof lo);
    ck_assert_uint_eq(vo.size, sizeof vo);
    ck_assert_uint_eq(so.size, sizeof so);
    ck_assert_uint_eq(cm.size, sizeof cm);
    ck_assert_uint_eq(sc.size, sizeof sc);
    ck_assert_int_eq(sc.workers, 1);
    ck_assert_uint_eq(po.size, sizeof po);
    ck_assert_uint_eq(wo.size, sizeof wo);
}
END_TEST

/* df_limits: max_toc_entries past the size is not applied; size 0 or too big: no reader. */
START_TEST(test_limits)
{
    char path[4096];
    df_limits l;
    df_reader *r;

    dft_path(path, sizeof path, SAMPLE);
    df_limits_default(&l);
    l.max_toc_entries = 1; /* the sample has dozens: refused when the library sees it */
    r = df_reader_new(&l);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(df_reader_open_path(r, path), DF_E_LIMIT);
    df_reader_free(r);
    l.size = offsetof(df_limits, max_toc_entries); /* an older caller: max_string only */
    r = df_reader_new(&l);
    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
    df_reader_free(r);
    l.size = 0;
    ck_assert_ptr_null(df_reader_new(&l));
    l.size = sizeof l + 8;
    ck_assert_ptr_null(df_reader_new(&l));
}
END_TEST

/* df_list_options: a pg_restore 10 past the size is not emulated. */
START_TEST(test_list_options)
{
    df_reader *r = open_sample();
    FILE *null = fopen("/dev/null", "w");
    int *show = calloc(df_reader_toc_count(r) + 1, sizeof *show);
    df_list_options o;
    df_error err;

    ck_assert_ptr_nonnull(null);
    df_list_options_default(&o);
    o.pg_restore_version = 10; /* reads up to 1.13 */
    ck_assert_int_eq(df_list_write(r, &o, NULL, null, &err), DF_E_VERSION);
    o.size = offsetof(df_list_options, pg_restore_version);
    ck_assert_int_eq(df_list_write(r, &o, NULL, null, &err), DF_OK);
    o.size = 0;
    memset(&err, 0, sizeof err);
    ck_assert_int_eq(df_list_write(r, &o, NULL, null, &err), DF_E_USAGE);
    ck_assert_int_eq(err.code, DF_E_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "df_list_options.size is 0"));
    ck_assert_int_eq(df_list_write_order(r, &o, NULL, 0, NULL, null, NULL), DF_E_USAGE);
    ck_assert_int_eq(df_list_selection(r, &o, show, NULL), DF_E_USAGE);
    o.size = sizeof o + 1;
    ck_assert_int_eq(df_restore_reqs(r, &o, show, &err), DF_E_USAGE);
    ck_assert_int_eq(df_restore_reqs(r, NULL, show, &err), DF_OK);
    free(show);
    fclose(null);
    df_reader_free(r);
}
END_TEST

static size_t selected(const df_reader *r, const df_graph *g, const df_select_options *o)
{
    df_selection *s = NULL;
    size_t n;

    ck_assert_int_eq(df_select(r, g, o, NULL, 0, &s, NULL), DF_OK);
    n = df_selection_count(s);
    df_selection_free(s);
    return n;
}

/* df_select_options: with_requirements / with_dependents past the size keep their 1. */
START_TEST(test_select_options)
{
    static const char *const tab[] = {"orders"};
    df_reader *r = open_sample();
    df_graph *g = NULL;
    df_select_options o;
    df_selection *s = (df_selection *)1;
    df_error err;
    size_t full, bare, n = 99;

    ck_assert_int_eq(df_graph_build(r, &g, NULL), DF_OK);
    df_select_options_default(&o);
    o.tables = tab, o.ntables = 1;
    full = selected(r, g, &o);
    o.with_requirements = o.with_dependents = 0;
    bare = selected(r, g, &o);
    ck_assert_uint_lt(bare, full); /* the closure adds the schema, indexes, ... */
    o.size = offsetof(df_select_options, with_requirements);
    ck_assert_uint_eq(selected(r, g, &o), full);
    o.size = 0;
    ck_assert_int_eq(df_select(r, g, &o, NULL, 0, &s, &err), DF_E_USAGE);
    ck_assert_ptr_null(s);
    ck_assert_int_eq(df_select_unmatched(r, &o, NULL, 0, &n, &err), DF_E_USAGE);
    ck_assert_uint_eq(n, 0);
    o.size = sizeof o * 2;
    ck_assert_int_eq(df_select(r, g, &o, NULL, 0, &s, &err), DF_E_USAGE);
    df_graph_free(g);
    df_reader_free(r);
}
END_TEST

/* The archive-newer-than-pg_restore finding of a verification. */
static int has_newer(const df_verify *v)
{
    for (size_t i = 0; i < df_verify_count(v); i++)
        if (strcmp(df_verify_finding(v, i)->code, DF_FIND_ARCHIVE_NEWER) == 0)
            return 1;
    return 0;
}

/* df_verify_options: a pg_restore_version past the size is not compared; bad limits too. */
START_TEST(test_verify_options)
{
    char path[4096];
    df_verify_options o;
    df_limits l;
    df_verify *v = NULL;
    df_error err;

    dft_path(path, sizeof path, SAMPLE);
    df_verify_options_default(&o);
    o.quick = 1;
    o.pg_restore_version = 11; /* reads up to 1.13 */
    ck_assert_int_eq(df_verify_path(path, &o, &v, &err), DF_OK);
    ck_assert_int_eq(has_newer(v), 1);
    df_verify_free(v);
    o.size = offsetof(df_verify_options, threads); /* quick only */
    ck_assert_int_eq(df_verify_path(path, &o, &v, &err), DF_OK);
    ck_assert_int_eq(has_newer(v), 0);
    ck_assert_int_eq(df_verify_get_summary(v)->quick, 1);
    df_verify_free(v);
    o.size = 0;
    v = (df_verify *)1;
    ck_assert_int_eq(df_verify_path(path, &o, &v, &err), DF_E_USAGE);
    ck_assert_ptr_null(v);
    df_verify_options_default(&o);
    df_limits_default(&l);
    l.size = 0;
    o.limits = &l;
    ck_assert_int_eq(df_verify_fd(0, "-", &o, &v, &err), DF_E_USAGE);
    ck_assert_ptr_null(v);
    ck_assert_ptr_nonnull(strstr(err.message, "df_limits.size"));
}
END_TEST

/* The truncated finding of dump id `id` and its entry's rows before the cut (-2: no finding). */
static int64_t cut_rows_of(const df_verify *v, int id, const char **msg)
{
    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *f = df_verify_finding(v, i);
        if (f->entry != NULL && f->entry->dump_id == id &&
            strcmp(f->code, DF_FIND_TRUNCATED) == 0) {
            *msg = f->message;
            return df_verify_rows_before_cut(v, f->entry->index);
        }
    }
    return -2;
}

/*
 * df_verify_options.cut_rows (issue 13): on by default and for a caller whose size ends
 * before it; 0 reports the cut block of the damaged corpus archive without its rows.  The
 * 11167 rows: tests/cli/cut_rows.py's count of what survives (tests/cli/cutcheck.sh).
 */
START_TEST(test_verify_cut_rows)
{
    char path[4096];
    df_verify_options o;
    df_verify *v = NULL;
    const char *msg = NULL;

    dft_path(path, sizeof path, "damaged/pg18-sample.custom.gzip.trunc-chunk.dump");
    for (int k = 0; k < 4; k++) {
        df_verify_options_default(&o);
        ck_assert_int_eq(o.cut_rows, 1);
        o.threads = k % 2 ? 2 : 1;
        if (k >= 2) { /* an older caller: the default */
            o.cut_rows = 0;
            o.size = offsetof(df_verify_options, cut_rows);
        }
        ck_assert_int_eq(df_verify_path(path, &o, &v, NULL), DF_OK);
        ck_assert_int_eq(cut_rows_of(v, 2890, &msg), 11167);
        ck_assert_ptr_nonnull(strstr(msg, "; 11167 complete rows before the cut"));
        ck_assert_int_ge(df_verify_get_summary(v)->rows, 11167);
        df_verify_free(v);
    }
    df_verify_options_default(&o);
    o.cut_rows = 0;
    ck_assert_int_eq(df_verify_path(path, &o, &v, NULL), DF_OK);
    ck_assert_int_eq(cut_rows_of(v, 2890, &msg), -1);
    ck_assert_ptr_null(strstr(msg, "before the cut"));
    ck_assert_int_lt(df_verify_get_summary(v)->rows, 11167);
    ck_assert_int_eq(df_verify_rows_before_cut(v, 100000), -1);
    df_verify_free(v);
    ck_assert_int_eq(df_verify_rows_before_cut(NULL, 0), -1);
}
END_TEST

/* df_schedule_options: a cost model past the size is not used; a bad cost model is refused. */
START_TEST(test_schedule_options)
{
    df_reader *r = open_sample();
    size_t n = df_reader_toc_count(r);
    df_entry_size *sz = calloc(n + 1, sizeof *sz);
    df_graph *g = NULL;
    df_schedule_options o;
    df_cost_model slow;
    df_schedule *s = NULL;
    df_error err;
    double plain, costly;

    ck_assert_int_eq(df_restore_sizes(r, 0, sz, NULL, NULL, NULL), DF_OK);
    ck_assert_int_eq(df_graph_build(r, &g, NULL), DF_OK);
    df_schedule_options_default(&o);
    o.workers = 2;
    ck_assert_int_eq(df_schedule_simulate(r, g, sz, NULL, 0, &o, &s, &err), DF_OK);
    plain = df_schedule_makespan(s);
    df_schedule_free(s);
    df_cost_model_default(&slow);
    ck_assert_int_eq(df_cost_model_set(&slow, "connect", 100, NULL), DF_OK);
    o.cost = &slow;
    ck_assert_int_eq(df_schedule_simulate(r, g, sz, NULL, 0, &o, &s, &err), DF_OK);
    costly = df_schedule_makespan(s);
    df_schedule_free(s);
    ck_assert(costly > plain + 100);
    o.size = offsetof(df_schedule_options, pg_restore_version); /* workers only */
    ck_assert_int_eq(df_schedule_simulate(r, g, sz, NULL, 0, &o, &s, &err), DF_OK);
    ck_assert(df_schedule_makespan(s) == plain);
    df_schedule_free(s);
    o.size = sizeof o;
    slow.size = 0;
    ck_assert_int_eq(df_schedule_simulate(r, g, sz, NULL, 0, &o, &s, &err), DF_E_USAGE);
    ck_assert_ptr_null(s);
    ck_assert_ptr_nonnull(strstr(err.message, "df_cost_model.size"));
    slow.size = sizeof slow;
    o.size = sizeof o + 4;
    ck_assert_int_eq(df_schedule_simulate(r, g, sz, NULL, 0, &o, &s, &err), DF_E_USAGE);
    df_graph_free(g);
    free(sz);
    df_reader_free(r);
}
END_TEST

/* df_preflight_options: a pg_restore past the size is not checked. */
START_TEST(test_preflight_options)
{
    df_reader *r = open_sample();
    df_target *t = df_target_new();
    df_preflight_options o;
    df_tcheck *c = NULL;
    df_error err;
    size_t versions = 0;

    ck_assert_int_eq(df_target_set_server(t, 150004, "UTF8", 1, NULL), DF_OK);
    df_preflight_options_default(&o);
    o.pg_restore_major = 11;
    ck_assert_int_eq(df_target_preflight(r, t, &o, &c, &err), DF_OK);
    for (size_t i = 0; i < df_tcheck_count(c); i++)
        versions += strcmp(df_tcheck_at(c, i)->code, DF_TFIND_ARCHIVE_VERSION) == 0;
    ck_assert_uint_eq(versions, 1);
    df_tcheck_free(c);
    o.size = offsetof(df_preflight_options, pg_restore_major);
    ck_assert_int_eq(df_target_preflight(r, t, &o, &c, &err), DF_OK);
    for (size_t i = 0; i < df_tcheck_count(c); i++)
        ck_assert_str_ne(df_tcheck_at(c, i)->code, DF_TFIND_ARCHIVE_VERSION);
    df_tcheck_free(c);
    o.size = 0;
    ck_assert_int_eq(df_target_preflight(r, t, &o, &c, &err), DF_E_USAGE);
    ck_assert_ptr_null(c);
    df_target_free(t);
    df_reader_free(r);
}
END_TEST

/* df_write_options: refused before anything is written. */
START_TEST(test_write_options)
{
    df_reader *r = open_sample();
    df_toc *t = df_toc_from_reader(r);
    df_write_options o;
    df_error err;
    char out[] = "/tmp/check_options_XXXXXX";
    int fd = mkstemp(out);

    ck_assert_int_ge(fd, 0);
    ck_assert_ptr_nonnull(t);
    df_write_options_default(&o);
    o.size = 0;
    ck_assert_int_eq(df_write_archive(r, t, out, &o, NULL, &err), DF_E_USAGE);
    o.size = sizeof o + 16;
    ck_assert_int_eq(df_write_archive(r, t, out, &o, NULL, &err), DF_E_USAGE);
    ck_assert_ptr_nonnull(strstr(err.message, "df_write_options.size"));
    close(fd);
    unlink(out);
    df_toc_free(t);
    df_reader_free(r);
}
END_TEST

static Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *tc = tcase_create("options");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_defaults_set_size);
    tcase_add_test(tc, test_limits);
    tcase_add_test(tc, test_list_options);
    tcase_add_test(tc, test_select_options);
    tcase_add_test(tc, test_verify_options);
    tcase_add_test(tc, test_verify_cut_rows);
    tcase_add_test(tc, test_schedule_options);
    tcase_add_test(tc, test_preflight_options);
    tcase_add_test(tc, test_write_options);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(options_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
