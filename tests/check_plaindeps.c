/*
 * check_plaindeps.c — a plain script's entries as an archive TOC
 * (plaindeps.c): crafted scripts for each dependency rule (foreign keys,
 * partitions and index attachments, materialized views through views and
 * functions, sequences owned by tables, comments and ACLs, the fallback of
 * unknown entry types), the session state (tablespace, access method,
 * search_path of pg_dump < 10.3, the SETs at the top), pg_dumpall scripts
 * per database, and refusals.  The corpus comparison with pg_dump's own
 * dependencies is tests/cli/plaindeps.sh.
 */
#include "check_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

typedef struct fixture {
    char path[64];
    df_reader *r;
    df_plain_toc *t;
} fixture;

/* The script in a temporary file (with pg_dump's banner unless it has one), read, converted. */
static void open_script(fixture *f, const char *text)
{
    static const char banner[] = "--\n-- PostgreSQL database dump\n--\n\n";
    int fd;

    snprintf(f->path, sizeof f->path, "/tmp/check_plaindeps.XXXXXX");
    fd = mkstemp(f->path);
    ck_assert_int_ge(fd, 0);
    if (strncmp(text, banner, 20) != 0)
        ck_assert_int_eq(write(fd, banner, strlen(banner)), (ssize_t)strlen(banner));
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    f->r = df_reader_new(NULL);
    ck_assert_ptr_nonnull(f->r);
    ck_assert_int_eq(df_reader_open_path(f->r, f->path), DF_OK);
    ck_assert_int_eq(df_plain_toc_build(f->r, NULL, &f->t, NULL), DF_OK);
}

static void close_script(fixture *f)
{
    df_plain_toc_free(f->t);
    df_reader_free(f->r);
    unlink(f->path);
}

/* The entry of this type and tag (the first one); fails the test when there is none. */
static const df_plain_entry *find(const fixture *f, const char *desc, const char *tag)
{
    for (size_t i = 0; i < df_plain_toc_count(f->t); i++) {
        const df_plain_entry *e = df_plain_toc_at(f->t, i);
        if (strcmp(e->desc, desc) == 0 && e->tag && strcmp(e->tag, tag) == 0)
            return e;
    }
    ck_abort_msg("no entry %s %s", desc, tag);
    return NULL;
}

static bool direct(const df_plain_entry *e, const df_plain_entry *d)
{
    for (size_t k = 0; k < e->ndeps; k++)
        if (e->deps[k] == d->dump_id)
            return true;
    return false;
}

/* Does e depend on d, directly or through others? */
static bool reaches(const fixture *f, const df_plain_entry *e, const df_plain_entry *d)
{
    if (direct(e, d))
        return true;
    for (size_t k = 0; k < e->ndeps; k++) {
        const df_plain_entry *x = df_plain_toc_at(f->t, (size_t)e->deps[k] - 1);
        if (x->dump_id > d->dump_id && reaches(f, x, d))
            return true;
    }
    return false;
}

#define DEPENDS(f, a, b)                                                                           \
    ck_assert_msg(reaches(f, a, b), "%s %s does not depend on %s %s", (a)->desc, (a)->tag,       \
                  (b)->desc, (b)->tag)
#define INDEPENDENT(f, a, b)                                                                       \
    ck_assert_msg(!reaches(f, a, b), "%s %s depends on %s %s", (a)->desc, (a)->tag, (b)->desc,   \
                  (b)->tag)

/* Every dependency names an earlier entry: the graph has no cycle and the TOC order holds. */
static void assert_backwards(const fixture *f)
{
    for (size_t i = 0; i < df_plain_toc_count(f->t); i++) {
        const df_plain_entry *e = df_plain_toc_at(f->t, i);
        ck_assert_uint_eq(e->size, sizeof *e);
        ck_assert_int_eq(e->dump_id, (int32_t)i + 1);
        for (size_t k = 0; k < e->ndeps; k++)
            ck_assert_int_lt(e->deps[k], e->dump_id);
    }
}

#define HDR(name, type, schema, owner)                                                             \
    "--\n-- Name: " name "; Type: " type "; Schema: " schema "; Owner: " owner "\n--\n\n"
#define DATA_HDR(name, type, schema, owner)                                                        \
    "--\n-- Data for Name: " name "; Type: " type "; Schema: " schema "; Owner: " owner "\n--\n\n"

static const char top[] = "--\n-- PostgreSQL database dump\n--\n\n"
                          "SET statement_timeout = 0;\n"
                          "SET client_encoding = 'LATIN1';\n"
                          "SET standard_conforming_strings = on;\n"
                          "SELECT pg_catalog.set_config('search_path', '', false);\n"
                          "SET check_function_bodies = false;\n\n";

/* ------------------------------------------------------------------ */
/* Dependency rules                                                    */
/* ------------------------------------------------------------------ */

static const char fk_script[] =
    HDR("s", "SCHEMA", "-", "alice") "CREATE SCHEMA s;\n\n"
    "SET default_tablespace = '';\n\nSET default_table_access_method = heap;\n\n"
    HDR("customers", "TABLE", "s", "alice") "CREATE TABLE s.customers (id int NOT NULL);\n\n"
    HDR("orders", "TABLE", "s", "alice")
    "CREATE TABLE s.orders (id int, customer_id int);\n\n"
    HDR("other", "TABLE", "s", "alice") "CREATE TABLE s.other (x int);\n\n"
    DATA_HDR("customers", "TABLE DATA", "s", "alice")
    "COPY s.customers (id) FROM stdin;\n1\n\\.\n\n"
    DATA_HDR("orders", "TABLE DATA", "s", "alice")
    "COPY s.orders (id, customer_id) FROM stdin;\n1\t1\n\\.\n\n"
    DATA_HDR("other", "TABLE DATA", "s", "alice") "COPY s.other (x) FROM stdin;\n\\.\n\n"
    HDR("customers customers_pkey", "CONSTRAINT", "s", "alice")
    "ALTER TABLE ONLY s.customers\n    ADD CONSTRAINT customers_pkey PRIMARY KEY (id);\n\n"
    HDR("other_x_idx", "INDEX", "s", "alice")
    "CREATE INDEX other_x_idx ON s.other USING btree (x);\n\n"
    HDR("orders orders_customer_id_fkey", "FK CONSTRAINT", "s", "alice")
    "ALTER TABLE ONLY s.orders\n    ADD CONSTRAINT orders_customer_id_fkey FOREIGN KEY "
    "(customer_id) REFERENCES s.customers(id);\n\n"
    HDR("CONSTRAINT customers_pkey ON customers", "COMMENT", "s", "alice")
    "COMMENT ON CONSTRAINT customers_pkey ON s.customers IS 'the key';\n\n"
    HDR("TABLE customers", "ACL", "s", "alice")
    "GRANT SELECT ON TABLE s.customers TO bob;\n\n"
    HDR("COLUMN customers.id", "ACL", "s", "alice")
    "GRANT SELECT(id) ON TABLE s.customers TO carol;\n\n";

START_TEST(test_foreign_key)
{
    fixture f;
    const df_plain_entry *cust, *ord, *oth, *dcust, *dord, *doth, *pk, *idx, *fk;

    open_script(&f, fk_script);
    assert_backwards(&f);
    cust = find(&f, "TABLE", "customers");
    ord = find(&f, "TABLE", "orders");
    oth = find(&f, "TABLE", "other");
    dcust = find(&f, "TABLE DATA", "customers");
    dord = find(&f, "TABLE DATA", "orders");
    doth = find(&f, "TABLE DATA", "other");
    pk = find(&f, "CONSTRAINT", "customers customers_pkey");
    idx = find(&f, "INDEX", "other_x_idx");
    fk = find(&f, "FK CONSTRAINT", "orders orders_customer_id_fkey");
    /* TABLE DATA: exactly its table (pg_restore takes deps[0] as the table) */
    ck_assert_uint_eq(dcust->ndeps, 1);
    ck_assert_int_eq(dcust->deps[0], cust->dump_id);
    ck_assert_uint_eq(dord->ndeps, 1);
    ck_assert_int_eq(dord->deps[0], ord->dump_id);
    /* data are independent of each other: parallel */
    INDEPENDENT(&f, dord, dcust);
    INDEPENDENT(&f, doth, dord);
    DEPENDS(&f, pk, cust);
    DEPENDS(&f, idx, oth);
    INDEPENDENT(&f, idx, cust);
    INDEPENDENT(&f, pk, oth);
    /* the foreign key: both tables and the referenced key */
    DEPENDS(&f, fk, ord);
    DEPENDS(&f, fk, cust);
    ck_assert(direct(fk, pk));
    INDEPENDENT(&f, fk, idx);
    /* the comment on the constraint, the ACLs */
    ck_assert(direct(find(&f, "COMMENT", "CONSTRAINT customers_pkey ON customers"), pk));
    ck_assert(direct(find(&f, "ACL", "TABLE customers"), cust));
    ck_assert(direct(find(&f, "ACL", "COLUMN customers.id"), find(&f, "ACL", "TABLE customers")));
    /* session state */
    ck_assert_str_eq(cust->tablespace, "");
    ck_assert_str_eq(cust->tableam, "heap");
    ck_assert_str_eq(pk->tablespace, "");
    ck_assert_ptr_null(fk->tablespace);
    ck_assert_ptr_null(dcust->tablespace);
    ck_assert_str_eq(cust->owner, "alice");
    ck_assert_int_eq(cust->section, DF_SECTION_PRE_DATA);
    ck_assert_int_eq(dcust->section, DF_SECTION_DATA);
    ck_assert_int_eq(fk->section, DF_SECTION_POST_DATA);
    ck_assert_ptr_nonnull(dcust->copy_stmt);
    ck_assert_ptr_nonnull(strstr(dcust->copy_stmt, "COPY s.customers"));
    ck_assert_ptr_nonnull(strstr(cust->defn, "CREATE TABLE s.customers"));
    ck_assert_ptr_null(strstr(cust->defn, "default_table_access_method")); /* SETs are not defn */
    close_script(&f);
}
END_TEST

static const char part_script[] =
    HDR("orders", "TABLE", "public", "a")
    "CREATE TABLE public.orders (id int, d date) PARTITION BY RANGE (d);\n\n"
    HDR("orders_2024", "TABLE", "public", "a")
    "CREATE TABLE public.orders_2024 (id int, d date);\n\n"
    HDR("orders_2025", "TABLE", "public", "a")
    "CREATE TABLE public.orders_2025 (id int, d date);\n\n"
    HDR("orders_2024", "TABLE ATTACH", "public", "a")
    "ALTER TABLE ONLY public.orders ATTACH PARTITION public.orders_2024 FOR VALUES FROM "
    "('2024-01-01') TO ('2025-01-01');\n\n"
    HDR("orders_2025", "TABLE ATTACH", "public", "a")
    "ALTER TABLE ONLY public.orders ATTACH PARTITION public.orders_2025 FOR VALUES FROM "
    "('2025-01-01') TO ('2026-01-01');\n\n"
    DATA_HDR("orders_2024", "TABLE DATA", "public", "a")
    "COPY public.orders_2024 (id, d) FROM stdin;\n\\.\n\n"
    DATA_HDR("orders_2025", "TABLE DATA", "public", "a")
    "COPY public.orders_2025 (id, d) FROM stdin;\n\\.\n\n"
    HDR("orders orders_pkey", "CONSTRAINT", "public", "a")
    "ALTER TABLE ONLY public.orders\n    ADD CONSTRAINT orders_pkey PRIMARY KEY (id, d);\n\n"
    HDR("orders_2024 orders_2024_pkey", "CONSTRAINT", "public", "a")
    "ALTER TABLE ONLY public.orders_2024\n    ADD CONSTRAINT orders_2024_pkey PRIMARY KEY (id, "
    "d);\n\n"
    HDR("orders_2025_d_idx", "INDEX", "public", "a")
    "CREATE INDEX orders_2025_d_idx ON public.orders_2025 USING btree (d);\n\n"
    HDR("orders_2024_pkey", "INDEX ATTACH", "public", "a")
    "ALTER INDEX public.orders_pkey ATTACH PARTITION public.orders_2024_pkey;\n\n";

START_TEST(test_partitions)
{
    fixture f;
    const df_plain_entry *parent, *p24, *p25, *att24, *pk, *pk24, *idx25, *iatt;

    open_script(&f, part_script);
    assert_backwards(&f);
    parent = find(&f, "TABLE", "orders");
    p24 = find(&f, "TABLE", "orders_2024");
    p25 = find(&f, "TABLE", "orders_2025");
    att24 = find(&f, "TABLE ATTACH", "orders_2024");
    pk = find(&f, "CONSTRAINT", "orders orders_pkey");
    pk24 = find(&f, "CONSTRAINT", "orders_2024 orders_2024_pkey");
    idx25 = find(&f, "INDEX", "orders_2025_d_idx");
    iatt = find(&f, "INDEX ATTACH", "orders_2024_pkey");
    /* a partition on its parent: pg_dump records it, the script says so only at ATTACH */
    ck_assert(direct(p24, parent));
    ck_assert(direct(p25, parent));
    DEPENDS(&f, att24, p24);
    DEPENDS(&f, att24, parent);
    INDEPENDENT(&f, p25, p24);
    /* the partition's key on the parent's, the attachment on both */
    ck_assert(direct(pk24, pk));
    DEPENDS(&f, iatt, pk24);
    DEPENDS(&f, iatt, pk);
    INDEPENDENT(&f, idx25, pk);
    /* a partitioned table has no access method of its own; a partition has */
    ck_assert_ptr_null(parent->tableam);
    close_script(&f);
}
END_TEST

static const char mv_script[] =
    HDR("t1", "TABLE", "public", "a") "CREATE TABLE public.t1 (x int);\n\n"
    HDR("t2", "TABLE", "public", "a") "CREATE TABLE public.t2 (x int);\n\n"
    HDR("t3", "TABLE", "public", "a") "CREATE TABLE public.t3 (x int);\n\n"
    HDR("f()", "FUNCTION", "public", "a")
    "CREATE FUNCTION public.f() RETURNS bigint\n    LANGUAGE sql\n    AS $$ SELECT count(*) "
    "FROM public.t3 $$;\n\n"
    HDR("v", "VIEW", "public", "a")
    "CREATE VIEW public.v AS\n SELECT t1.x\n   FROM public.t1;\n\n"
    HDR("mv", "MATERIALIZED VIEW", "public", "a")
    "CREATE MATERIALIZED VIEW public.mv AS\n SELECT v.x FROM public.v JOIN public.t2 USING (x)\n"
    "  WITH NO DATA;\n\n"
    HDR("mvf", "MATERIALIZED VIEW", "public", "a")
    "CREATE MATERIALIZED VIEW public.mvf AS\n SELECT public.f() AS n\n  WITH NO DATA;\n\n"
    DATA_HDR("t1", "TABLE DATA", "public", "a") "COPY public.t1 (x) FROM stdin;\n\\.\n\n"
    DATA_HDR("t2", "TABLE DATA", "public", "a") "COPY public.t2 (x) FROM stdin;\n\\.\n\n"
    DATA_HDR("t3", "TABLE DATA", "public", "a") "COPY public.t3 (x) FROM stdin;\n\\.\n\n"
    HDR("mv", "MATERIALIZED VIEW DATA", "public", "a")
    "REFRESH MATERIALIZED VIEW public.mv;\n\n"
    HDR("mvf", "MATERIALIZED VIEW DATA", "public", "a")
    "REFRESH MATERIALIZED VIEW public.mvf;\n\n";

START_TEST(test_matview)
{
    fixture f;
    const df_plain_entry *d1, *d2, *d3, *mvd, *mvfd;

    open_script(&f, mv_script);
    assert_backwards(&f);
    d1 = find(&f, "TABLE DATA", "t1");
    d2 = find(&f, "TABLE DATA", "t2");
    d3 = find(&f, "TABLE DATA", "t3");
    mvd = find(&f, "MATERIALIZED VIEW DATA", "mv");
    mvfd = find(&f, "MATERIALIZED VIEW DATA", "mvf");
    ck_assert(direct(mvd, find(&f, "MATERIALIZED VIEW", "mv")));
    ck_assert(direct(mvd, d1)); /* through the view */
    ck_assert(direct(mvd, d2));
    INDEPENDENT(&f, mvd, d3);
    /* a function may read anything: every table's data */
    ck_assert(direct(mvfd, d1));
    ck_assert(direct(mvfd, d2));
    ck_assert(direct(mvfd, d3));
    DEPENDS(&f, find(&f, "VIEW", "v"), find(&f, "TABLE", "t1"));
    DEPENDS(&f, find(&f, "MATERIALIZED VIEW", "mvf"), find(&f, "FUNCTION", "f()"));
    close_script(&f);
}
END_TEST

static const char seq_script[] =
    HDR("t", "TABLE", "public", "a") "CREATE TABLE public.t (id int NOT NULL);\n\n"
    HDR("t_id_seq", "SEQUENCE", "public", "a")
    "CREATE SEQUENCE public.t_id_seq\n    START WITH 1\n    CACHE 1;\n\n"
    HDR("t_id_seq", "SEQUENCE OWNED BY", "public", "a")
    "ALTER SEQUENCE public.t_id_seq OWNED BY public.t.id;\n\n"
    HDR("t id", "DEFAULT", "public", "a")
    "ALTER TABLE ONLY public.t ALTER COLUMN id SET DEFAULT "
    "nextval('public.t_id_seq'::regclass);\n\n"
    HDR("t_id_seq", "SEQUENCE SET", "public", "a")
    "SELECT pg_catalog.setval('public.t_id_seq', 1, false);\n\n"
    HDR("thing", "FROBNICATOR", "public", "a") "CREATE FROBNICATOR public.thing;\n\n";

START_TEST(test_sequence_and_fallback)
{
    fixture f;
    const df_plain_entry *t, *seq, *owned, *def, *set, *odd;
    df_plain_toc_stats st = {.size = sizeof st};

    open_script(&f, seq_script);
    assert_backwards(&f);
    t = find(&f, "TABLE", "t");
    seq = find(&f, "SEQUENCE", "t_id_seq");
    owned = find(&f, "SEQUENCE OWNED BY", "t_id_seq");
    def = find(&f, "DEFAULT", "t id");
    set = find(&f, "SEQUENCE SET", "t_id_seq");
    odd = find(&f, "FROBNICATOR", "thing");
    ck_assert(direct(seq, t)); /* OWNED BY, printed later, makes the sequence the table's */
    DEPENDS(&f, owned, seq);
    ck_assert(direct(def, seq)); /* nextval('...'::regclass) */
    ck_assert(direct(def, t));
    ck_assert_int_eq(set->deps[0], seq->dump_id);
    ck_assert(direct(set, t));
    /* an unknown type: everything before it in its section */
    DEPENDS(&f, odd, t);
    DEPENDS(&f, odd, def);
    DEPENDS(&f, odd, owned);
    df_plain_toc_stats_get(f.t, &st);
    ck_assert_int_ge(st.fallback_edges, 1);
    ck_assert_int_eq(st.no_schema_info, 1);
    ck_assert_int_ge(st.rule_edges, 1);
    close_script(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Session state                                                       */
/* ------------------------------------------------------------------ */

/* pg_dump < 10.3: unqualified names, SET search_path before each entry. */
static const char old_script[] =
    "--\n-- PostgreSQL database dump\n--\n\nSET client_encoding = 'UTF8';\n"
    "SET standard_conforming_strings = off;\n\n"
    HDR("s", "SCHEMA", "-", "a") "CREATE SCHEMA s;\n\n"
    "SET search_path = s, pg_catalog;\n\nSET default_tablespace = fast;\n\n"
    HDR("t", "TABLE", "s", "a; Tablespace: fast") "CREATE TABLE t (id integer);\n\n"
    "SET default_tablespace = '';\n\n"
    HDR("u", "TABLE", "s", "a") "CREATE TABLE u (t_id integer);\n\n"
    HDR("COLUMN t.id", "COMMENT", "s", "a") "COMMENT ON COLUMN t.id IS 'it''s';\n\n"
    "SET search_path = public, pg_catalog;\n\n"
    HDR("w", "TABLE", "public", "a") "CREATE TABLE w (x integer);\n\n"
    "SET search_path = s, pg_catalog;\n\n"
    HDR("u u_t_fkey", "FK CONSTRAINT", "s", "a")
    "ALTER TABLE ONLY u\n    ADD CONSTRAINT u_t_fkey FOREIGN KEY (t_id) REFERENCES t(id);\n\n";

START_TEST(test_search_path_style)
{
    fixture f;
    const df_plain_entry *enc, *std, *t, *u, *w, *fk, *com;

    open_script(&f, old_script);
    assert_backwards(&f);
    enc = df_plain_toc_at(f.t, 0);
    std = df_plain_toc_at(f.t, 1);
    ck_assert_str_eq(enc->desc, "ENCODING");
    ck_assert_str_eq(enc->defn, "SET client_encoding = 'UTF8';\n");
    ck_assert_ptr_null(enc->entry);
    ck_assert_str_eq(std->desc, "STDSTRINGS");
    ck_assert_str_eq(std->defn, "SET standard_conforming_strings = 'off';\n");
    ck_assert_str_eq(df_plain_toc_at(f.t, 2)->desc, "SCHEMA"); /* no SEARCHPATH: old style */
    t = find(&f, "TABLE", "t");
    u = find(&f, "TABLE", "u");
    w = find(&f, "TABLE", "w");
    fk = find(&f, "FK CONSTRAINT", "u u_t_fkey");
    com = find(&f, "COMMENT", "COLUMN t.id");
    ck_assert_str_eq(t->search_path, "s, pg_catalog");
    ck_assert_str_eq(w->search_path, "public, pg_catalog");
    ck_assert_str_eq(t->tablespace, "fast");
    ck_assert_str_eq(u->tablespace, "");
    ck_assert_ptr_null(t->tableam); /* the script never set one */
    ck_assert(direct(fk, t));
    ck_assert(direct(fk, u));
    ck_assert(direct(com, t));
    INDEPENDENT(&f, com, u);
    INDEPENDENT(&f, u, t);
    close_script(&f);
}
END_TEST

START_TEST(test_top_entries)
{
    static const char script[] = "%s" HDR("t", "TABLE", "public", "a")
        "CREATE TABLE public.t (x int);\n\n";
    char text[2048];
    fixture f;
    const df_plain_entry *e;

    snprintf(text, sizeof text, script, top);
    open_script(&f, text);
    ck_assert_uint_eq(df_plain_toc_count(f.t), 4);
    e = df_plain_toc_at(f.t, 0);
    ck_assert_str_eq(e->desc, "ENCODING");
    ck_assert_str_eq(e->tag, "ENCODING");
    ck_assert_str_eq(e->defn, "SET client_encoding = 'LATIN1';\n");
    ck_assert_int_eq(e->section, DF_SECTION_PRE_DATA);
    ck_assert_int_eq(e->text_offset, -1);
    e = df_plain_toc_at(f.t, 1);
    ck_assert_str_eq(e->desc, "STDSTRINGS");
    ck_assert_str_eq(e->defn, "SET standard_conforming_strings = 'on';\n");
    e = df_plain_toc_at(f.t, 2);
    ck_assert_str_eq(e->desc, "SEARCHPATH");
    ck_assert_str_eq(e->defn, "SELECT pg_catalog.set_config('search_path', '', false);\n");
    e = df_plain_toc_at(f.t, 3);
    ck_assert_str_eq(e->desc, "TABLE");
    ck_assert_ptr_null(e->search_path);
    ck_assert_ptr_nonnull(e->entry);
    ck_assert_uint_eq(df_plain_toc_meta_count(f.t), 0);
    close_script(&f);
}
END_TEST

START_TEST(test_meta_commands)
{
    fixture f;
    const df_plain_meta *m;

    open_script(&f, "--\n-- PostgreSQL database dump\n--\n\n\\set ON_ERROR_STOP on\n"
                    HDR("t", "TABLE", "public", "a") "CREATE TABLE public.t (x int);\n\n"
                    "\\! rm -rf /\n");
    ck_assert_uint_eq(df_plain_toc_count(f.t), 1);
    ck_assert_uint_eq(df_plain_toc_meta_count(f.t), 2);
    m = df_plain_toc_meta_at(f.t, 0);
    ck_assert_int_eq(m->line, 5);
    ck_assert_ptr_nonnull(strstr(m->text, "\\set ON_ERROR_STOP"));
    m = df_plain_toc_meta_at(f.t, 1);
    ck_assert_int_eq(m->line, 12);
    ck_assert_ptr_nonnull(strstr(m->text, "\\! rm"));
    ck_assert_ptr_null(df_plain_toc_meta_at(f.t, 2));
    close_script(&f);
}
END_TEST

/* Objects outside schemas, named after a keyword: servers, publications ... */
static const char kw_script[] =
    HDR("fdw", "FOREIGN DATA WRAPPER", "-", "a") "CREATE FOREIGN DATA WRAPPER fdw;\n\n"
    HDR("srv", "SERVER", "-", "a") "CREATE SERVER srv FOREIGN DATA WRAPPER fdw;\n\n"
    HDR("USER MAPPING bob SERVER srv", "USER MAPPING", "-", "a")
    "CREATE USER MAPPING FOR bob SERVER srv;\n\n"
    HDR("t", "TABLE", "public", "a") "CREATE TABLE public.t (x int);\n\n"
    HDR("pub", "PUBLICATION", "-", "a") "CREATE PUBLICATION pub WITH (publish = 'insert');\n\n"
    HDR("pub t", "PUBLICATION TABLE", "public", "a")
    "ALTER PUBLICATION pub ADD TABLE ONLY public.t;\n\n";

START_TEST(test_keyword_objects)
{
    fixture f;
    const df_plain_entry *pt;

    open_script(&f, kw_script);
    assert_backwards(&f);
    ck_assert(direct(find(&f, "SERVER", "srv"), find(&f, "FOREIGN DATA WRAPPER", "fdw")));
    ck_assert(direct(find(&f, "USER MAPPING", "USER MAPPING bob SERVER srv"),
                     find(&f, "SERVER", "srv")));
    pt = find(&f, "PUBLICATION TABLE", "pub t");
    ck_assert(direct(pt, find(&f, "PUBLICATION", "pub")));
    ck_assert(direct(pt, find(&f, "TABLE", "t")));
    close_script(&f);
}
END_TEST

static const char clean_script[] =
    "SET client_encoding = 'UTF8';\n\n"
    "DROP FUNCTION public.f(p_x text);\n"
    "DROP FUNCTION public.f(p_x integer, OUT y integer);\n"
    "ALTER TABLE ONLY public.t DROP CONSTRAINT t_pkey;\n"
    "DROP TABLE public.t;\n"
    "SELECT pg_catalog.lo_unlink('42');\n\n"
    HDR("42", "BLOB", "-", "a") "SELECT pg_catalog.lo_create('42');\n\n"
    HDR("t", "TABLE", "public", "a") "CREATE TABLE public.t (x int);\n\n"
    HDR("f(integer)", "FUNCTION", "public", "a")
    "CREATE FUNCTION public.f(p_x integer, OUT y integer) RETURNS integer\n"
    "    LANGUAGE sql AS $$ SELECT 1 $$;\n\n"
    HDR("f(text)", "FUNCTION", "public", "a")
    "CREATE FUNCTION public.f(p_x text) RETURNS integer\n    LANGUAGE sql AS $$ SELECT 2 $$;\n\n"
    HDR("t t_pkey", "CONSTRAINT", "public", "a")
    "ALTER TABLE ONLY public.t\n    ADD CONSTRAINT t_pkey PRIMARY KEY (x);\n\n";

START_TEST(test_clean_drops)
{
    fixture f;

    open_script(&f, clean_script);
    assert_backwards(&f);
    ck_assert_uint_eq(df_plain_toc_count(f.t), 6); /* no SQL STATEMENTS left */
    ck_assert_str_eq(find(&f, "FUNCTION", "f(integer)")->drop_stmt,
                     "DROP FUNCTION public.f(p_x integer, OUT y integer);\n");
    ck_assert_str_eq(find(&f, "FUNCTION", "f(text)")->drop_stmt,
                     "DROP FUNCTION public.f(p_x text);\n");
    ck_assert_str_eq(find(&f, "TABLE", "t")->drop_stmt, "DROP TABLE public.t;\n");
    ck_assert_str_eq(find(&f, "CONSTRAINT", "t t_pkey")->drop_stmt,
                     "ALTER TABLE ONLY public.t DROP CONSTRAINT t_pkey;\n");
    ck_assert_str_eq(find(&f, "BLOB", "42")->drop_stmt, "SELECT pg_catalog.lo_unlink('42');\n");
    close_script(&f);
}
END_TEST

/* One statement that drops nothing of the script: every statement stays where it was. */
START_TEST(test_clean_drops_all_or_none)
{
    fixture f;
    const df_plain_entry *stray;

    open_script(&f, "DROP TABLE public.t;\nDROP TABLE public.elsewhere;\n\n"
                    HDR("t", "TABLE", "public", "a") "CREATE TABLE public.t (x int);\n\n"
                    HDR("u", "TABLE", "public", "a") "CREATE TABLE public.u (x int);\n\n");
    ck_assert_uint_eq(df_plain_toc_count(f.t), 3);
    stray = df_plain_toc_at(f.t, 0);
    ck_assert_str_eq(stray->desc, "SQL STATEMENTS");
    ck_assert_ptr_null(find(&f, "TABLE", "t")->drop_stmt);
    /* an unknown statement runs where the script ran it: everything after it waits */
    DEPENDS(&f, find(&f, "TABLE", "t"), stray);
    close_script(&f);
}
END_TEST

START_TEST(test_session_authorization)
{
    fixture f;

    open_script(&f, "SET SESSION AUTHORIZATION 'bob';\n\n"
                    HDR("t", "TABLE", "public", "-") "CREATE TABLE public.t (x int);\n\n"
                    "RESET SESSION AUTHORIZATION;\n\n"
                    HDR("u", "TABLE", "public", "-") "CREATE TABLE public.u (x int);\n\n");
    ck_assert_str_eq(find(&f, "TABLE", "t")->owner, "bob");
    ck_assert_ptr_null(find(&f, "TABLE", "u")->owner);
    close_script(&f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* pg_dumpall, refusals                                                */
/* ------------------------------------------------------------------ */

START_TEST(test_dumpall_per_database)
{
    char path[4096];
    df_reader *r = df_reader_new(NULL);
    df_plain_toc *t = NULL;
    size_t total = 0, n;

    ck_assert_int_eq(df_reader_open_path(r, dft_path(path, sizeof path, "pg18/dumpall.sql")),
                     DF_OK);
    n = df_reader_toc_count(r);
    for (size_t i = 0; i <= n; i++) {
        const char *db = i < n ? df_reader_toc_at(r, i)->database : NULL;
        bool seen = false;
        for (size_t k = 0; k < i && i < n; k++)
            if (df_reader_toc_at(r, k)->database && db &&
                strcmp(df_reader_toc_at(r, k)->database, db) == 0)
                seen = true;
        if (seen || (i < n && db == NULL))
            continue;
        ck_assert_int_eq(df_plain_toc_build(r, db, &t, NULL), DF_OK);
        for (size_t k = 0; k < df_plain_toc_count(t); k++) {
            const df_plain_entry *e = df_plain_toc_at(t, k);
            if (e->entry == NULL)
                continue; /* ENCODING ... of the database's own SETs */
            total++;
            if (db)
                ck_assert_str_eq(e->entry->database, db);
            else
                ck_assert_ptr_null(e->entry->database);
            for (size_t d = 0; d < e->ndeps; d++)
                ck_assert_int_lt(e->deps[d], e->dump_id);
        }
        df_plain_toc_free(t);
    }
    ck_assert_uint_eq(total, n); /* every entry in exactly one part (no meta-commands here) */
    df_reader_free(r);
}
END_TEST

START_TEST(test_not_plain)
{
    char path[4096];
    df_reader *r = df_reader_new(NULL);
    df_plain_toc *t = (df_plain_toc *)1;

    ck_assert_int_eq(
        df_reader_open_path(r, dft_path(path, sizeof path, "pg15/sample.custom.none.dump")), DF_OK);
    ck_assert_int_eq(df_plain_toc_build(r, NULL, &t, NULL), DF_E_USAGE);
    ck_assert_ptr_null(t);
    ck_assert_uint_eq(df_plain_toc_count(NULL), 0);
    df_plain_toc_free(NULL);
    df_reader_free(r);
}
END_TEST

static Suite *plaindeps_suite(void)
{
    Suite *s = suite_create("plaindeps");
    TCase *tc = tcase_create("core");

    tcase_add_test(tc, test_foreign_key);
    tcase_add_test(tc, test_partitions);
    tcase_add_test(tc, test_matview);
    tcase_add_test(tc, test_sequence_and_fallback);
    tcase_add_test(tc, test_search_path_style);
    tcase_add_test(tc, test_top_entries);
    tcase_add_test(tc, test_meta_commands);
    tcase_add_test(tc, test_keyword_objects);
    tcase_add_test(tc, test_clean_drops);
    tcase_add_test(tc, test_clean_drops_all_or_none);
    tcase_add_test(tc, test_session_authorization);
    tcase_add_test(tc, test_dumpall_per_database);
    tcase_add_test(tc, test_not_plain);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(plaindeps_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
