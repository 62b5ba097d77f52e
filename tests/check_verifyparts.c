/*
 * check_verifyparts.c — the modules split out of verify.c (issue 11), each
 * through its own interface: the entry-type table (sorted, complete, and
 * agreeing with df_entry_restore_pass and the sections pg_dump stored in
 * the corpus), TOC identifiers read as the server reads them, sequence
 * facts from hand-made TOC entries (DEFAULT nextval(), identity, quoted
 * names, partitions), the large-object comparison and the worker pool.
 */
#include "check_util.h"
#include "dumpfmt.h"
#include "entrytype.h"
#include "lofacts.h"
#include "seqfacts.h"
#include "sqlident.h"
#include "workpool.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

static df_entry mk(const char *desc, const char *schema, const char *tag, const char *defn)
{
    df_entry e;

    memset(&e, 0, sizeof e);
    e.desc = desc;
    e.schema = schema;
    e.tag = tag;
    e.defn = defn;
    return e;
}

START_TEST(test_entrytype_table)
{
    static const char *const descs[] = {"ACL",   "BLOBS",          "TABLE DATA", "SEQUENCE SET",
                                        "INDEX", "FK CONSTRAINT",  "VIEW",       "EVENT TRIGGER",
                                        "TABLE", "SECURITY LABEL", "DEFAULT ACL"};

    for (size_t k = 0; k < sizeof descs / sizeof descs[0]; k++) {
        const dfi_etype *t = dfi_etype_of(descs[k]);
        ck_assert_str_eq(t->desc, descs[k]);
        ck_assert_int_ne(t->id, DFI_ET_UNKNOWN);
    }
    ck_assert_int_eq(dfi_etype_of("NO SUCH TYPE")->id, DFI_ET_UNKNOWN);
    ck_assert_int_eq(dfi_etype_of(NULL)->id, DFI_ET_UNKNOWN);
    ck_assert_int_eq(dfi_etype_of("TABLE DATA")->section, DF_SECTION_DATA);
    ck_assert_int_eq(dfi_etype_of("INDEX")->lock, DFI_LOCK_SHARE);
    ck_assert_int_eq(dfi_etype_of("FK CONSTRAINT")->lock, DFI_LOCK_EXCLUSIVE);
    ck_assert_int_eq(dfi_etype_of("POLICY")->lock, DFI_LOCK_EXCLUSIVE_12);
    /* pg_restore's pre-1.11 derivation differs from pg_dump's sections */
    ck_assert_int_eq(dfi_etype_of("POLICY")->old_section, DF_SECTION_PRE_DATA);
    ck_assert_int_eq(dfi_etype_of("POLICY")->section, DF_SECTION_POST_DATA);
}
END_TEST

/* Every id from 1 up names a row whose desc sorts after the previous one. */
START_TEST(test_entrytype_sorted)
{
    static const char *const all[] = {"ACCESS METHOD", "ACL",  "ACL LANGUAGE",
                                      "AGGREGATE",     "BLOB", "BLOB COMMENTS",
                                      "BLOB METADATA", "BLOBS"};
    for (size_t k = 1; k < sizeof all / sizeof all[0]; k++) {
        ck_assert_int_lt(strcmp(all[k - 1], all[k]), 0);
        ck_assert_int_eq(dfi_etype_of(all[k])->id, dfi_etype_of(all[k - 1])->id + 1);
    }
}
END_TEST

START_TEST(test_entrytype_pass_and_kinds)
{
    df_entry acl = mk("ACL", "public", "TABLE t", NULL),
             mv = mk("MATERIALIZED VIEW DATA", "s", "m", NULL);
    df_entry ft = mk("FOREIGN TABLE", "s", "f", NULL),
             cm = mk("COMMENT", NULL, "EVENT TRIGGER e", NULL);

    ck_assert_int_eq(df_entry_restore_pass(&acl), 1);
    ck_assert_int_eq(df_entry_restore_pass(&mv), 2);
    ck_assert_int_eq(df_entry_restore_pass(&cm), 2);
    ck_assert(dfi_ek_is(&ft, DFI_EK_TABLE) && dfi_ek_is(&ft, DFI_EK_TABLELIKE));
    ck_assert(!dfi_ek_is(&ft, DFI_EK_CATALOG)); /* target.c never checked foreign tables */
    ck_assert(dfi_ek_is(&acl, DFI_EK_OBJMETA) && dfi_et_is(&acl, DFI_ET_ACL));
}
END_TEST

/* Every entry of every corpus archive that stores sections: pg_dump's section is the table's. */
START_TEST(test_entrytype_corpus_sections)
{
    static const char *const files[] = {"pg18/sample.custom.gzip.dump", "pg16/sample.tar",
                                        "pg15/sample.custom.none.dump"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        df_reader *r = df_reader_new(NULL);
        dft_path(path, sizeof path, files[f]);
        ck_assert_ptr_nonnull(r);
        ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
        for (size_t i = 0; i < df_reader_toc_count(r); i++) {
            const df_entry *e = df_reader_toc_at(r, i);
            if (!e->section_stored || dfi_et_is(e, DFI_ET_STATISTICS_DATA))
                continue; /* statistics data go where their object goes */
            ck_assert_msg(dfi_etype_of(e->desc)->section == e->section, "%s: %s in section %d",
                          files[f], e->desc, e->section);
        }
        df_reader_free(r);
    }
}
END_TEST

START_TEST(test_sql_ident)
{
    char parts[DFI_MAX_PARTS][DFI_IDENT], one[DFI_IDENT], longname[200];
    const char *s = "Public.\"Mixed \"\"Q\"\" Case\".col rest";

    ck_assert_int_eq(dfi_sql_qualified(&s, parts), 3);
    ck_assert_str_eq(parts[0], "public"); /* bare: downcased */
    ck_assert_str_eq(parts[1], "Mixed \"Q\" Case");
    ck_assert_str_eq(parts[2], "col");
    ck_assert_str_eq(s, " rest");
    memset(longname, 'a', 70);
    longname[70] = '\0';
    s = longname;
    ck_assert(dfi_sql_ident(&s, one, sizeof one));
    ck_assert_uint_eq(strlen(one), DFI_NAME_MAX);
    /* a two-byte UTF-8 character across byte 63 is not split */
    longname[0] = '"';
    memset(longname + 1, 'b', 62);
    memcpy(longname + 63, "\xc3\xa9xyz\"", sizeof "\xc3\xa9xyz\"");
    s = longname;
    ck_assert(dfi_sql_ident(&s, one, sizeof one));
    ck_assert_uint_eq(strlen(one), 62);
    s = "\"unterminated";
    ck_assert(!dfi_sql_ident(&s, one, sizeof one));
}
END_TEST

START_TEST(test_seqfacts)
{
    df_entry ents[7];
    int rows[7] = {-1, -1, -1, -1, DF_ROWS_COPY, DF_ROWS_COPY, -1};
    dfi_seqfacts f;
    dfi_seqmax m[2];
    int64_t next;
    char fix[4 * DFI_IDENT + 80];

    ents[0] = mk("TABLE", "public", "Orders",
                 "CREATE TABLE public.\"Orders\" (\n    id integer NOT NULL,\n    "
                 "note text\n) PARTITION BY RANGE (id);\n");
    ents[1] = mk("TABLE", "public", "orders_1",
                 "CREATE TABLE public.orders_1 (\n    id integer NOT NULL,\n    note text\n);\n");
    ents[2] = mk("TABLE ATTACH", "public", "orders_1",
                 "ALTER TABLE ONLY public.\"Orders\" ATTACH PARTITION public.orders_1 FOR VALUES "
                 "FROM (0) TO (10);\n");
    ents[3] = mk("DEFAULT", "public", "Orders id",
                 "ALTER TABLE ONLY public.\"Orders\" ALTER COLUMN id SET DEFAULT "
                 "nextval('public.\"Orders_id_seq\"'::regclass);\n");
    ents[4] = mk("TABLE DATA", "public", "Orders", NULL);
    ents[4].copy_stmt = "COPY public.\"Orders\" (id, note) FROM stdin;\n";
    ents[5] = mk("TABLE DATA", "public", "orders_1", NULL);
    ents[5].copy_stmt = "COPY public.orders_1 (id, note) FROM stdin;\n";
    ents[6] = mk("SEQUENCE SET", "public", "Orders_id_seq",
                 "SELECT pg_catalog.setval('public.\"Orders_id_seq\"', 5, true);\n");
    for (size_t i = 0; i < 7; i++)
        ents[i].index = i;
    ck_assert_int_eq(dfi_seqfacts_build(&f, ents, 7, rows), DF_OK);
    ck_assert_uint_eq(f.nseqs, 1);
    ck_assert_int_eq(f.seqs[0].value, 5);
    ck_assert(f.seqs[0].called);
    ck_assert_uint_eq(f.nlinks, 1);
    ck_assert_str_eq(f.links[0].table, "Orders");
    ck_assert_str_eq(f.links[0].column, "id");
    ck_assert_uint_eq(f.nwatch, 2); /* the table and its partition */
    ck_assert_uint_eq(f.watch[0].entry, 4);
    ck_assert_uint_eq(f.watch[1].entry, 5);
    ck_assert_int_eq(f.watch[1].col, 0);
    memset(m, 0, sizeof m);
    dfi_seqmax_take(&f, m, 0, 3, &ents[4]);
    ck_assert(!dfi_seq_behind(&f.seqs[0], &m[0], &next)); /* 6 > 3 */
    dfi_seqmax_take(&f, m, 0, 9, &ents[5]);
    ck_assert(dfi_seq_behind(&f.seqs[0], &m[0], &next));
    ck_assert_int_eq(next, 6);
    dfi_setval_sql(&f.seqs[0], m[0].max, fix, sizeof fix);
    ck_assert_str_eq(fix, "SELECT pg_catalog.setval('public.\"Orders_id_seq\"', 9, true);");
    dfi_seqfacts_free(&f);
}
END_TEST

START_TEST(test_lo_compare)
{
    uint32_t wanted[] = {1, 2, 3, 5};
    uint32_t got[] = {5, 4, 1, 1, 3};
    dfi_lowant w = {wanted, 4, true};
    dfi_lodiff d;

    dfi_lo_compare(&w, got, 5, &d);
    ck_assert_uint_eq(d.missing, 1);
    ck_assert_uint_eq(d.first_missing, 2);
    ck_assert_uint_eq(d.extra, 1);
    ck_assert_uint_eq(d.first_extra, 4);
    ck_assert_uint_eq(d.dup, 1);
    ck_assert_uint_eq(d.first_dup, 1);
}
END_TEST

/* The pool: every item done once, whatever the number of threads. */
typedef struct pw {
    int *done;
} pw;

static int pw_init(void *w, void *ctx, bool main)
{
    (void)main;
    ((pw *)w)->done = ctx;
    return DF_OK;
}

static void pw_fini(void *w)
{
    (void)w;
}

static void pw_work(void *w, size_t i)
{
    __atomic_add_fetch(&((pw *)w)->done[i], 1, __ATOMIC_RELAXED);
}

static void pw_tick(void *ctx)
{
    (void)ctx;
}

START_TEST(test_workpool)
{
    static const dfi_pool_ops ops = {sizeof(pw), pw_init, pw_fini, pw_work, pw_tick};
    int64_t weight[100];
    int done[100];

    for (int threads = 1; threads <= 8; threads *= 2) {
        dfi_pool p;
        dfi_pool_init(&p);
        memset(done, 0, sizeof done);
        for (int i = 0; i < 100; i++)
            weight[i] = i % 7 == 0 ? -1 : (i * 37) % 100; /* -1: not an item */
        ck_assert_int_eq(dfi_pool_items(&p, weight, 100), DF_OK);
        ck_assert_uint_eq(p.items[0], 27); /* weight 99: the heaviest first */
        ck_assert_int_ge(dfi_pool_run(&p, threads, &ops, done), 1);
        for (int i = 0; i < 100; i++)
            ck_assert_int_eq(done[i], i % 7 == 0 ? 0 : 1);
        dfi_pool_free(&p);
    }
}
END_TEST

static Suite *parts_suite(void)
{
    Suite *s = suite_create("verifyparts");
    TCase *tc = tcase_create("all");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_entrytype_table);
    tcase_add_test(tc, test_entrytype_sorted);
    tcase_add_test(tc, test_entrytype_pass_and_kinds);
    tcase_add_test(tc, test_entrytype_corpus_sections);
    tcase_add_test(tc, test_sql_ident);
    tcase_add_test(tc, test_seqfacts);
    tcase_add_test(tc, test_lo_compare);
    tcase_add_test(tc, test_workpool);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(parts_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
