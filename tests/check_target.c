/*
 * check_target.c — restore-target snapshots compared with a dump (target.c,
 * issue 15), without a server: snapshots filled by hand for the pg15 corpus
 * sample.  The preflight names the missing roles, the objects that already
 * exist, an unavailable extension, an older server, an archive the
 * pg_restore cannot read; the verification names a table whose rows differ
 * from the dump's (corpus/rowcounts.tsv says 20000 for bulk.readings) and
 * the objects the catalog lacks; sequences behind their columns get the
 * setval() that fixes them, quoted.  Misuse and over-long names are refused.
 */
#include "check_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static df_reader *open_sample(const char *rel)
{
    char path[4096];
    df_reader *r = df_reader_new(NULL);

    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(df_reader_open_path(r, dft_path(path, sizeof path, rel)), DF_OK);
    return r;
}

/* Findings of `code`, their objects joined by ",". */
static char *objects_of(const df_tcheck *c, const char *code, int *severity)
{
    static char buf[8192]; /* test-only scratch */
    buf[0] = '\0';
    for (size_t i = 0; i < df_tcheck_count(c); i++) {
        const df_tfinding *f = df_tcheck_at(c, i);
        if (strcmp(f->code, code) != 0)
            continue;
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s,", f->object);
        if (severity != NULL)
            *severity = f->severity;
    }
    return buf;
}

/* A target with hstore available and the superuser only. */
static df_target *bare_target(int server_num)
{
    df_target *t = df_target_new();

    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(df_target_set_server(t, server_num, "UTF8", 1, NULL), DF_OK);
    ck_assert_int_eq(df_target_add_role(t, "postgres", NULL), DF_OK);
    ck_assert_int_eq(df_target_add_available_extension(t, "hstore", NULL), DF_OK);
    return t;
}

START_TEST(test_preflight_roles_and_collisions)
{
    df_reader *r = open_sample("pg15/sample.custom.gzip.dump");
    df_target *t = bare_target(150004);
    df_preflight_options o;
    df_tcheck *c = NULL;
    int sev = -1;

    df_preflight_options_default(&o);
    ck_assert_int_eq(df_target_add_object(t, "TABLE", "sales", "orders", 0, NULL), DF_OK);
    ck_assert_int_eq(df_target_add_object(t, "SCHEMA", NULL, "sales", 0, NULL), DF_OK);
    ck_assert_int_eq(df_target_add_object(t, "TABLE", "public", "unrelated", 0, NULL), DF_OK);
    ck_assert_int_eq(df_target_preflight(r, t, &o, &c, NULL), DF_OK);
    ck_assert_str_eq(objects_of(c, DF_TFIND_ROLE_MISSING, NULL),
                     "role AuditBot,role Data Steward,role app_owner,role app_readers,"
                     "role app_writer,role app_writers,role ops_admin,role reporting,");
    ck_assert_str_eq(objects_of(c, DF_TFIND_NOT_EMPTY, &sev), "SCHEMA sales,TABLE sales.orders,");
    ck_assert_int_eq(sev, DF_SEVERITY_ERROR);
    ck_assert_str_eq(objects_of(c, DF_TFIND_EXTENSION, NULL), "");
    ck_assert_str_eq(objects_of(c, DF_TFIND_SERVER_OLDER, NULL), "");
    ck_assert_int_eq(df_tcheck_verdict(c), DF_VERDICT_DAMAGED);
    df_tcheck_free(c);

    o.allow_existing = 1;
    ck_assert_int_eq(df_target_preflight(r, t, &o, &c, NULL), DF_OK);
    ck_assert_str_eq(objects_of(c, DF_TFIND_NOT_EMPTY, &sev), "SCHEMA sales,TABLE sales.orders,");
    ck_assert_int_eq(sev, DF_SEVERITY_WARNING);
    df_tcheck_free(c);
    df_target_free(t);
    df_reader_free(r);
}
END_TEST

START_TEST(test_preflight_server_extension_archive)
{
    df_reader *r = open_sample("pg15/sample.custom.gzip.dump");
    df_target *t = df_target_new();
    df_preflight_options o;
    df_tcheck *c = NULL;
    char *s;

    df_preflight_options_default(&o);
    ck_assert_int_eq(df_target_set_server(t, 140010, "LATIN1", 1, NULL), DF_OK);
    o.pg_restore_major = 11; /* reads archives up to 1.13; pg_dump 15 writes 1.14 */
    ck_assert_int_eq(df_target_preflight(r, t, &o, &c, NULL), DF_OK);
    ck_assert_str_eq(objects_of(c, DF_TFIND_EXTENSION, NULL), "extension hstore,");
    ck_assert_str_eq(objects_of(c, DF_TFIND_SERVER_OLDER, NULL), "server 14,");
    ck_assert_str_eq(objects_of(c, DF_TFIND_ENCODING, NULL), "encoding LATIN1,");
    s = objects_of(c, DF_TFIND_ARCHIVE_VERSION, NULL);
    ck_assert_str_eq(s, "archive 1.14,");
    for (size_t i = 0; i < df_tcheck_count(c); i++)
        if (strcmp(df_tcheck_at(c, i)->code, DF_TFIND_ARCHIVE_VERSION) == 0)
            ck_assert_ptr_nonnull(strstr(df_tcheck_at(c, i)->fix, "release 12 or newer"));
    df_tcheck_free(c);
    df_target_free(t);
    df_reader_free(r);
}
END_TEST

START_TEST(test_verify_rows_and_objects)
{
    const char *dumps[] = {"pg15/sample.custom.gzip.dump", "pg15/sample.plain.sql",
                           "pg15/sample.tar", "pg15/sample.dir.gzip"};
    df_reader *r = open_sample(dumps[_i]);
    df_target *t = bare_target(150004);
    df_tcheck *c = NULL;
    const df_tfinding *f = NULL;

    ck_assert_int_eq(df_target_add_rows(t, "bulk", "readings", 19990, NULL), DF_OK);
    ck_assert_int_eq(df_target_add_rows(t, "inventory", "categories", 8, NULL), DF_OK);
    ck_assert_int_eq(df_target_add_object(t, "INDEX", "bulk", "readings_val_idx", 1, NULL), DF_OK);
    ck_assert_int_eq(
        df_target_add_owned_object(t, "TABLE", "bulk", "readings", 0, "postgres", NULL), DF_OK);
    ck_assert_int_eq(df_target_add_owned_object(t, "SCHEMA", NULL, "audit", 0, "someone", NULL),
                     DF_OK);
    ck_assert_int_eq(df_target_set_large_objects(t, 4, NULL), DF_OK); /* rowcounts.tsv: 5 */
    ck_assert_int_eq(df_target_verify(r, t, &c, NULL), DF_OK);
    ck_assert_int_eq(df_tcheck_large_objects(c), 5);
    ck_assert_str_eq(objects_of(c, DF_TFIND_LARGE_OBJECTS, NULL), "large objects,");
    /* the list file says bulk.readings is postgres's, audit is "Data Steward"'s */
    ck_assert_str_eq(objects_of(c, DF_TFIND_OWNER, NULL), "SCHEMA audit,");
    ck_assert_int_eq(df_tcheck_tables(c), 2);
    ck_assert_int_eq(df_tcheck_rows(c), 20008);
    ck_assert_str_eq(objects_of(c, DF_TFIND_ROWS, NULL), "TABLE bulk.readings,");
    ck_assert_str_eq(objects_of(c, DF_TFIND_INDEX_INVALID, NULL), "INDEX bulk.readings_val_idx,");
    for (size_t i = 0; i < df_tcheck_count(c); i++)
        if (strcmp(df_tcheck_at(c, i)->code, DF_TFIND_ROWS) == 0)
            f = df_tcheck_at(c, i);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->expected, 20000);
    ck_assert_int_eq(f->found, 19990);
    /* everything else the TOC creates is missing: the table that exists is not named */
    ck_assert_ptr_null(strstr(objects_of(c, DF_TFIND_OBJECT_MISSING, NULL), "TABLE bulk.readings,"));
    ck_assert_ptr_nonnull(strstr(objects_of(c, DF_TFIND_OBJECT_MISSING, NULL),
                                 "TABLE sales.orders,"));
    ck_assert_ptr_nonnull(strstr(objects_of(c, DF_TFIND_OBJECT_MISSING, NULL),
                                 "EXTENSION hstore,"));
    ck_assert_int_eq(df_tcheck_verdict(c), DF_VERDICT_DAMAGED);
    df_tcheck_free(c);
    df_target_free(t);
    df_reader_free(r);
}
END_TEST

/*
 * Counts given beforehand replace the reading: a wrong count for bulk.readings (as if the dump
 * held 19990) makes the target's 19990 equal; the large objects are still read (-1).
 */
START_TEST(test_verify_counted)
{
    df_reader *r = open_sample("pg15/sample.custom.gzip.dump");
    df_target *t = bare_target(150004);
    size_t n = df_reader_toc_count(r);
    int64_t *counted = malloc(n * sizeof *counted);
    df_tcheck *c = NULL;

    ck_assert_ptr_nonnull(counted);
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        counted[i] = -1;
        if (strcmp(e->desc, "TABLE DATA") == 0 && strcmp(e->tag, "readings") == 0)
            counted[i] = 19990;
    }
    ck_assert_int_eq(df_target_add_rows(t, "bulk", "readings", 19990, NULL), DF_OK);
    ck_assert_int_eq(df_target_add_rows(t, "inventory", "categories", 7, NULL), DF_OK);
    ck_assert_int_eq(df_target_set_large_objects(t, 5, NULL), DF_OK);
    ck_assert_int_eq(df_target_verify_counted(r, t, counted, &c, NULL), DF_OK);
    ck_assert_int_eq(df_tcheck_tables(c), 2);
    ck_assert_int_eq(df_tcheck_rows(c), 19998); /* 19990 given + 8 read */
    ck_assert_str_eq(objects_of(c, DF_TFIND_ROWS, NULL), "TABLE inventory.categories,");
    ck_assert_str_eq(objects_of(c, DF_TFIND_LARGE_OBJECTS, NULL), "");
    df_tcheck_free(c);
    df_target_free(t);
    df_reader_free(r);
    free(counted);
}
END_TEST

START_TEST(test_sequences)
{
    df_target *t = df_target_new();
    df_tcheck *c = NULL;

    /* behind (next 13, column holds 60), at the edge (next == max), ahead, empty column */
    ck_assert_int_eq(df_target_add_sequence(t, "sales", "inv_seq", "sales.inv.id", 13, 60, NULL),
                     DF_OK);
    ck_assert_int_eq(df_target_add_sequence(t, "Odd \"S\"", "s'q", "x.t.c", 5, 5, NULL), DF_OK);
    ck_assert_int_eq(df_target_add_sequence(t, "a", "ok_seq", "a.t.c", 61, 60, NULL), DF_OK);
    ck_assert_int_eq(df_target_add_sequence(t, "a", "empty_seq", "a.e.c", 1, -1, NULL), DF_OK);
    ck_assert_int_eq(df_target_check_sequences(t, &c, NULL), DF_OK);
    ck_assert_uint_eq(df_tcheck_count(c), 2);
    ck_assert_str_eq(df_tcheck_at(c, 0)->object, "SEQUENCE sales.inv_seq");
    ck_assert_str_eq(df_tcheck_at(c, 0)->fix, "SELECT pg_catalog.setval('sales.inv_seq', 60)");
    ck_assert_str_eq(df_tcheck_at(c, 1)->fix,
                     "SELECT pg_catalog.setval('\"Odd \"\"S\"\"\".\"s''q\"', 5)");
    ck_assert_int_eq(df_tcheck_verdict(c), DF_VERDICT_WARNING);
    df_tcheck_free(c);
    df_target_free(t);
}
END_TEST

START_TEST(test_misuse)
{
    df_target *t = df_target_new();
    df_tcheck *c = (df_tcheck *)1;
    char *longname = malloc(5000);

    memset(longname, 'x', 4999);
    longname[4999] = '\0';
    ck_assert_int_eq(df_target_add_role(NULL, "a", NULL), DF_E_USAGE);
    ck_assert_int_eq(df_target_add_role(t, NULL, NULL), DF_E_USAGE);
    ck_assert_int_eq(df_target_add_rows(t, "s", "t", -1, NULL), DF_E_USAGE);
    ck_assert_int_eq(df_target_add_object(t, "TABLE", "s", longname, 0, NULL), DF_E_LIMIT);
    ck_assert_int_eq(df_target_preflight(NULL, t, NULL, &c, NULL), DF_E_USAGE);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(df_tcheck_verdict(NULL), DF_VERDICT_OK);
    ck_assert_uint_eq(df_tcheck_count(NULL), 0);
    df_target_free(t);
    df_target_free(NULL);
    df_tcheck_free(NULL);
    free(longname);
}
END_TEST

static Suite *target_suite(void)
{
    Suite *s = suite_create("target");
    TCase *tc = tcase_create("target");

    tcase_add_test(tc, test_preflight_roles_and_collisions);
    tcase_add_test(tc, test_preflight_server_extension_archive);
    tcase_add_loop_test(tc, test_verify_rows_and_objects, 0, 4);
    tcase_add_test(tc, test_verify_counted);
    tcase_add_test(tc, test_sequences);
    tcase_add_test(tc, test_misuse);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(target_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
