/*
 * check_select.c — select.c over the corpus sample database: the dependency
 * graph (stored links, the implicit ones pg_restore relies on, owners,
 * partitions, data-before-post-data ordering), selections with pg_restore's
 * patterns and their closure (requirements, dependents, FK targets,
 * exclusions and the reasons given for them, section and schema/data-only
 * filters), and the order checker and fixer used for list files.
 */
#include "check_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <stdint.h>
#include <string.h>

#define SAMPLE15 "pg15/sample.custom.gzip.dump"
#define SAMPLE18 "pg18/sample.custom.gzip.dump"

static df_reader *rd;
static df_graph *gr;

static void open_sample(const char *rel)
{
    char path[4096];

    rd = df_reader_new(NULL);
    ck_assert_ptr_nonnull(rd);
    ck_assert_int_eq(df_reader_open_path(rd, dft_path(path, sizeof path, rel)), DF_OK);
    ck_assert_int_eq(df_graph_build(rd, &gr, NULL), DF_OK);
}

static void setup15(void)
{
    open_sample(SAMPLE15);
}
static void setup18(void)
{
    open_sample(SAMPLE18);
}

static void teardown(void)
{
    df_graph_free(gr);
    df_reader_free(rd);
    gr = NULL;
    rd = NULL;
}

static int str_is(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a != NULL && b != NULL && strcmp(a, b) == 0);
}

/* TOC index of the entry (desc, schema, tag); fails the test when missing. */
static size_t find(const char *desc, const char *schema, const char *tag)
{
    for (size_t i = 0; i < df_reader_toc_count(rd); i++) {
        const df_entry *e = df_reader_toc_at(rd, i);
        if (str_is(e->desc, desc) && str_is(e->schema, schema) && str_is(e->tag, tag))
            return i;
    }
    ck_abort_msg("no entry %s %s %s", desc, schema ? schema : "-", tag);
    return SIZE_MAX;
}

static int has(const size_t *list, size_t n, size_t x)
{
    for (size_t k = 0; k < n; k++)
        if (list[k] == x)
            return 1;
    return 0;
}

static int requires(size_t i, size_t d)
{
    const size_t *l;
    size_t n = df_graph_requires(gr, i, &l);
    return has(l, n, d);
}

static int before(size_t i, size_t d)
{
    const size_t *l;
    size_t n = df_graph_before(gr, i, &l);
    return has(l, n, d);
}

/* ------------------------------------------------------------------ */
/* Graph                                                               */
/* ------------------------------------------------------------------ */

START_TEST(test_owners)
{
    size_t orders = find("TABLE", "sales", "orders");
    size_t customers = find("TABLE", "sales", "customers");
    size_t seq = find("SEQUENCE", "sales", "customers_customer_id_seq");

    ck_assert_int_eq(df_graph_owner(gr, find("TABLE DATA", "sales", "customers")),
                     (int64_t)customers);
    ck_assert_int_eq(df_graph_owner(gr, find("INDEX", "sales", "customers_email_lower_key")),
                     (int64_t)customers);
    ck_assert_int_eq(df_graph_owner(gr, find("POLICY", "sales", "customers customers_read")),
                     (int64_t)customers);
    /* an FK belongs to the referencing table, not to the one it references */
    ck_assert_int_eq(
        df_graph_owner(gr, find("FK CONSTRAINT", "sales", "orders orders_customer_id_fkey")),
        (int64_t)orders);
    /* a column ACL depends on the table's ACL too, but belongs to the table */
    ck_assert_int_eq(df_graph_owner(gr, find("ACL", "sales", "COLUMN customers.notes")),
                     (int64_t)customers);
    ck_assert_int_eq(df_graph_owner(gr, find("SEQUENCE SET", "sales", "customers_customer_id_seq")),
                     (int64_t)seq);
    /* an identity sequence belongs to its table; a standalone one to nothing */
    ck_assert_int_eq(df_graph_owner(gr, seq), (int64_t)customers);
    ck_assert_int_eq(df_graph_owner(gr, find("SEQUENCE", "sales", "invoice_number_seq")), -1);
    ck_assert_int_eq(df_graph_owner(gr, orders), -1);
    ck_assert_int_eq(
        df_graph_owner(gr, find("COMMENT", "inventory", "INDEX products_active_price_idx")),
        (int64_t)find("INDEX", "inventory", "products_active_price_idx"));
}
END_TEST

START_TEST(test_partitions)
{
    size_t orders = find("TABLE", "sales", "orders");

    ck_assert_int_eq(df_graph_partition_parent(gr, find("TABLE", "sales", "orders_2023")),
                     (int64_t)orders);
    ck_assert_int_eq(df_graph_partition_parent(gr, find("TABLE", "sales", "orders_default")),
                     (int64_t)orders);
    ck_assert_int_eq(df_graph_partition_parent(gr, orders), -1);
    ck_assert_int_eq(df_graph_partition_parent(gr, find("TABLE", "sales", "customers")), -1);
    /* INDEX ATTACH belongs to the partition, not to the partitioned table */
    ck_assert_int_eq(df_graph_owner(gr, find("INDEX ATTACH", "sales", "orders_2024_pkey")),
                     (int64_t)find("TABLE", "sales", "orders_2024"));
}
END_TEST

START_TEST(test_implicit_links)
{
    size_t owned_by = find("SEQUENCE OWNED BY", "audit", "events_event_id_seq");
    size_t blobs = find("BLOBS", NULL, "BLOBS");
    size_t data = find("TABLE DATA", "sales", "customers");
    size_t pkey = find("CONSTRAINT", "sales", "customers customers_pkey");
    size_t fk = find("FK CONSTRAINT", "sales", "orders orders_customer_id_fkey");

    /* stored: only the sequence; pg_restore also needs the table that owns it */
    ck_assert(requires(owned_by, find("SEQUENCE", "audit", "events_event_id_seq")));
    ck_assert(requires(owned_by, find("TABLE", "audit", "events")));
    /* the data of large objects need the large objects */
    ck_assert(requires(blobs, find("BLOB", NULL, "910001")));
    ck_assert(requires(blobs, find("BLOB", NULL, "910005")));
    ck_assert(requires(data, find("TABLE", "sales", "customers")));
    /* post-data after the data of the tables it is on, an ordering link only */
    ck_assert(before(pkey, data));
    ck_assert(!requires(pkey, data));
    ck_assert(before(fk, data));
    ck_assert(before(fk, find("TABLE", "sales", "orders")));
    /* pre-data entries get no ordering links to data */
    ck_assert(!before(find("TABLE", "sales", "customers"), data));
}
END_TEST

START_TEST(test_blob_metadata_links)
{
    /* 1.16: BLOBS groups are tied to the BLOB METADATA entry of the same group */
    size_t blobs = SIZE_MAX, meta = SIZE_MAX;

    for (size_t i = 0; i < df_reader_toc_count(rd); i++) {
        const df_entry *e = df_reader_toc_at(rd, i);
        if (str_is(e->desc, "BLOBS") && blobs == SIZE_MAX)
            blobs = i;
        if (str_is(e->desc, "BLOB METADATA") && meta == SIZE_MAX)
            meta = i;
    }
    ck_assert_uint_ne(blobs, SIZE_MAX);
    ck_assert_uint_ne(meta, SIZE_MAX);
    ck_assert_str_eq(df_reader_toc_at(rd, blobs)->tag, df_reader_toc_at(rd, meta)->tag);
    ck_assert(requires(blobs, meta));
    ck_assert_int_eq(df_graph_owner(gr, blobs), (int64_t)meta);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Selections                                                          */
/* ------------------------------------------------------------------ */

static df_selection *select_with(const df_select_options *o, const size_t *seeds, size_t n)
{
    df_selection *s = NULL;

    ck_assert_int_eq(df_select(rd, gr, o, seeds, n, &s, NULL), DF_OK);
    ck_assert_ptr_nonnull(s);
    return s;
}

static df_selection *select_table(const char *table, df_select_options *o)
{
    static const char *names[1];

    names[0] = table;
    o->tables = names;
    o->ntables = 1;
    return select_with(o, NULL, 0);
}

static int in(const df_selection *s, size_t i)
{
    return df_selection_included(s, i);
}

START_TEST(test_whole_dump)
{
    df_selection *s = select_with(NULL, NULL, 0);
    int show[4096];
    size_t n = df_reader_toc_count(rd), listed = 0;

    ck_assert_uint_lt(n, 4096);
    ck_assert_int_eq(df_list_selection(rd, NULL, show, NULL), DF_OK);
    for (size_t i = 0; i < n; i++) {
        listed += (size_t)show[i];
        /* exactly what pg_restore -l lists, all of it "selected" */
        ck_assert_int_eq(in(s, i), show[i]);
        ck_assert_int_eq(df_selection_pick(s, i), show[i] ? DF_PICK_SELECTED : DF_PICK_HIDDEN);
        ck_assert_ptr_null(df_selection_reason(s, i));
    }
    ck_assert_uint_eq(df_selection_count(s), listed);
    df_selection_free(s);
}
END_TEST

START_TEST(test_table_closure)
{
    df_select_options o;
    df_selection *s;

    df_select_options_default(&o);
    s = select_table("orders", &o);
    ck_assert_int_eq(df_selection_pick(s, find("TABLE", "sales", "orders")), DF_PICK_SELECTED);
    /* requirements: schema, types */
    ck_assert_int_eq(df_selection_pick(s, find("SCHEMA", NULL, "sales")), DF_PICK_REQUIRED);
    ck_assert_int_eq(df_selection_pick(s, find("TYPE", "sales", "order_status")), DF_PICK_REQUIRED);
    ck_assert(in(s, find("DOMAIN", "public", "money_amount")));
    /* dependents: partitions and their data, indexes, attachments, comments, ACLs */
    ck_assert_int_eq(df_selection_pick(s, find("TABLE", "sales", "orders_2023")),
                     DF_PICK_DEPENDENT);
    ck_assert(in(s, find("TABLE DATA", "sales", "orders_default")));
    ck_assert(in(s, find("TABLE ATTACH", "sales", "orders_2024")));
    ck_assert(in(s, find("CONSTRAINT", "sales", "orders orders_pkey")));
    ck_assert(in(s, find("INDEX", "sales", "orders_2023_customer_id_idx")));
    ck_assert(in(s, find("INDEX ATTACH", "sales", "orders_default_pkey")));
    ck_assert(in(s, find("COMMENT", "sales", "TABLE orders")));
    ck_assert(in(s, find("ACL", "sales", "TABLE orders")));
    ck_assert(in(s, find("ACL", NULL, "SCHEMA sales")));
    /* the table the FK references is outside: the FK is left out, and says why */
    ck_assert(!in(s, find("TABLE", "sales", "customers")));
    ck_assert_int_eq(
        df_selection_pick(s, find("FK CONSTRAINT", "sales", "orders orders_customer_id_fkey")),
        DF_PICK_EXCLUDED);
    ck_assert_str_eq(
        df_selection_reason(s, find("FK CONSTRAINT", "sales", "orders orders_customer_id_fkey")),
        "excluded: needs TABLE sales.customers, add --with-fk-targets");
    /* FKs of other tables that reference orders belong to those tables */
    ck_assert(
        !in(s, find("FK CONSTRAINT", "sales", "order_items order_items_order_id_order_date_fkey")));
    ck_assert_str_eq(df_selection_reason(s, find("TABLE DATA", "sales", "customers")),
                     "not selected: belongs to TABLE sales.customers");
    /* views on it and other tables stay out */
    ck_assert(!in(s, find("VIEW", "sales", "v_order_summary")));
    ck_assert(!in(s, find("TABLE", "sales", "order_items")));
    ck_assert_int_eq(df_selection_pick(s, find("VIEW", "sales", "v_order_summary")),
                     DF_PICK_OUTSIDE);
    df_selection_free(s);
}
END_TEST

START_TEST(test_matview_refresh)
{
    df_select_options o;
    df_selection *s;

    df_select_options_default(&o);
    s = select_table("monthly_sales", &o);
    ck_assert_int_eq(df_selection_pick(s, find("MATERIALIZED VIEW DATA", "reporting",
                                               "monthly_sales")),
                     DF_PICK_SELECTED);
    ck_assert(in(s, find("INDEX", "reporting", "monthly_sales_month_key")));
    /* REFRESH reads sales.orders: its partitions and their rows must be there */
    ck_assert_int_eq(df_selection_pick(s, find("TABLE", "sales", "orders")), DF_PICK_REQUIRED);
    ck_assert(in(s, find("TABLE ATTACH", "sales", "orders_2023")));
    ck_assert(in(s, find("TABLE DATA", "sales", "orders_2024")));
    ck_assert(!in(s, find("TABLE", "sales", "customers")));
    df_selection_free(s);
}
END_TEST

START_TEST(test_fk_targets)
{
    df_select_options o;
    df_selection *s;

    df_select_options_default(&o);
    o.with_fk_targets = 1;
    s = select_table("orders", &o);
    ck_assert(in(s, find("FK CONSTRAINT", "sales", "orders orders_customer_id_fkey")));
    ck_assert(in(s, find("TABLE", "sales", "customers")));
    /* a target is taken whole: its data and what belongs to it */
    ck_assert(in(s, find("TABLE DATA", "sales", "customers")));
    ck_assert(in(s, find("CONSTRAINT", "sales", "customers customers_pkey")));
    ck_assert(in(s, find("POLICY", "sales", "customers customers_read")));
    ck_assert(in(s, find("SEQUENCE SET", "sales", "customers_customer_id_seq")));
    ck_assert(!in(s, find("TABLE", "sales", "order_items")));
    df_selection_free(s);
}
END_TEST

START_TEST(test_sequences)
{
    df_select_options o;
    df_selection *s;

    df_select_options_default(&o);
    s = select_table("events", &o);
    /* a serial: the sequence, OWNED BY, the default and the value */
    ck_assert(in(s, find("SEQUENCE", "audit", "events_event_id_seq")));
    ck_assert(in(s, find("SEQUENCE OWNED BY", "audit", "events_event_id_seq")));
    ck_assert(in(s, find("DEFAULT", "audit", "events event_id")));
    ck_assert(in(s, find("SEQUENCE SET", "audit", "events_event_id_seq")));
    ck_assert(in(s, find("ROW SECURITY", "audit", "events")));
    ck_assert(in(s, find("POLICY", "audit", "events events_steward")));
    df_selection_free(s);

    /* -t on a sequence alone: its table is needed (OWNED BY), not taken whole */
    df_select_options_default(&o);
    s = select_table("events_event_id_seq", &o);
    ck_assert_int_eq(df_selection_pick(s, find("SEQUENCE", "audit", "events_event_id_seq")),
                     DF_PICK_SELECTED);
    ck_assert_int_eq(df_selection_pick(s, find("SEQUENCE SET", "audit", "events_event_id_seq")),
                     DF_PICK_SELECTED);
    ck_assert_int_eq(df_selection_pick(s, find("TABLE", "audit", "events")), DF_PICK_REQUIRED);
    ck_assert(!in(s, find("TABLE DATA", "audit", "events")));
    df_selection_free(s);
}
END_TEST

START_TEST(test_no_closure)
{
    df_select_options o;
    df_selection *s;

    df_select_options_default(&o);
    o.with_dependents = 0;
    o.with_requirements = 0;
    s = select_table("customers", &o);
    /* pg_restore -t: the table, its data, and its comments and ACLs */
    ck_assert(in(s, find("TABLE", "sales", "customers")));
    ck_assert(in(s, find("TABLE DATA", "sales", "customers")));
    ck_assert(in(s, find("ACL", "sales", "COLUMN customers.full_name")));
    ck_assert(!in(s, find("CONSTRAINT", "sales", "customers customers_pkey")));
    ck_assert(!in(s, find("SCHEMA", NULL, "sales")));
    ck_assert(!in(s, find("SEQUENCE", "sales", "customers_customer_id_seq")));
    df_selection_free(s);
}
END_TEST

START_TEST(test_exclusions)
{
    static const char *const ex_tables[] = {"customers"};
    static const char *const ex_schemas[] = {"audit"};
    df_select_options o;
    df_selection *s;
    size_t data = find("TABLE DATA", "sales", "customers");

    df_select_options_default(&o);
    o.exclude_tables = ex_tables;
    o.nexclude_tables = 1;
    o.exclude_schemas = ex_schemas;
    o.nexclude_schemas = 1;
    s = select_with(&o, NULL, 0);
    ck_assert_int_eq(df_selection_pick(s, find("TABLE", "sales", "customers")), DF_PICK_EXCLUDED);
    ck_assert_str_eq(df_selection_reason(s, find("TABLE", "sales", "customers")),
                     "excluded: --exclude-table customers");
    /* what belongs to it goes with it, with the same reason */
    ck_assert_str_eq(df_selection_reason(s, data), "excluded: --exclude-table customers");
    ck_assert_str_eq(df_selection_reason(s, find("POLICY", "sales", "customers customers_read")),
                     "excluded: --exclude-table customers");
    ck_assert_str_eq(df_selection_reason(s, find("ACL", "sales", "COLUMN customers.notes")),
                     "excluded: --exclude-table customers");
    /* -N takes the schema entry itself too, and its comment */
    ck_assert_str_eq(df_selection_reason(s, find("SCHEMA", NULL, "audit")), "excluded: -N audit");
    ck_assert_str_eq(df_selection_reason(s, find("COMMENT", NULL, "SCHEMA audit")),
                     "excluded: -N audit");
    ck_assert_str_eq(df_selection_reason(s, find("TABLE", "audit", "events")),
                     "excluded: -N audit");
    ck_assert(in(s, find("TABLE", "sales", "orders")));
    df_selection_free(s);
}
END_TEST

START_TEST(test_patterns)
{
    static const char *const idx[] = {"customers_email_lower_key"};
    static const char *const fn[] = {"order_total(bigint)"};
    static const char *const trg[] = {"customers customers_touch"};
    static const char *const sch[] = {"bulk"};
    df_select_options o;
    df_selection *s;

    df_select_options_default(&o);
    o.indexes = idx, o.nindexes = 1;
    o.functions = fn, o.nfunctions = 1;
    o.triggers = trg, o.ntriggers = 1;
    s = select_with(&o, NULL, 0);
    ck_assert_int_eq(df_selection_pick(s, find("INDEX", "sales", "customers_email_lower_key")),
                     DF_PICK_SELECTED);
    ck_assert_int_eq(df_selection_pick(s, find("FUNCTION", "sales", "order_total(bigint)")),
                     DF_PICK_SELECTED);
    ck_assert_int_eq(df_selection_pick(s, find("TRIGGER", "sales", "customers customers_touch")),
                     DF_PICK_SELECTED);
    /* the trigger needs its function and table (as structure, without data) */
    ck_assert_int_eq(df_selection_pick(s, find("FUNCTION", "sales", "touch_updated_at()")),
                     DF_PICK_REQUIRED);
    ck_assert_int_eq(df_selection_pick(s, find("TABLE", "sales", "customers")), DF_PICK_REQUIRED);
    ck_assert(!in(s, find("TABLE DATA", "sales", "customers")));
    ck_assert(!in(s, find("TABLE", "sales", "orders")));
    df_selection_free(s);

    df_select_options_default(&o);
    o.schemas = sch, o.nschemas = 1;
    s = select_with(&o, NULL, 0);
    ck_assert_int_eq(df_selection_pick(s, find("TABLE", "bulk", "readings")), DF_PICK_SELECTED);
    ck_assert_int_eq(df_selection_pick(s, find("SCHEMA", NULL, "bulk")), DF_PICK_REQUIRED);
    ck_assert(in(s, find("INDEX", "bulk", "readings_val_idx")));
    ck_assert(!in(s, find("TABLE", "sales", "orders")));
    df_selection_free(s);
}
END_TEST

START_TEST(test_types_and_filters)
{
    static const char *const types[] = {"table data"};
    df_select_options o;
    df_selection *s;

    df_select_options_default(&o);
    o.types = types, o.ntypes = 1;
    s = select_with(&o, NULL, 0);
    ck_assert_int_eq(df_selection_pick(s, find("TABLE DATA", "bulk", "readings")),
                     DF_PICK_SELECTED);
    ck_assert_int_eq(df_selection_pick(s, find("TABLE", "bulk", "readings")), DF_PICK_REQUIRED);
    ck_assert(!in(s, find("CONSTRAINT", "bulk", "readings readings_pkey")));
    df_selection_free(s);

    df_select_options_default(&o);
    o.data_only = 1;
    s = select_table("customers", &o);
    ck_assert(in(s, find("TABLE DATA", "sales", "customers")));
    ck_assert(in(s, find("SEQUENCE SET", "sales", "customers_customer_id_seq")));
    ck_assert(!in(s, find("TABLE", "sales", "customers")));
    ck_assert_str_eq(df_selection_reason(s, find("TABLE", "sales", "customers")),
                     "excluded: --data-only");
    df_selection_free(s);

    df_select_options_default(&o);
    o.schema_only = 1;
    s = select_table("customers", &o);
    ck_assert(in(s, find("TABLE", "sales", "customers")));
    ck_assert(!in(s, find("TABLE DATA", "sales", "customers")));
    ck_assert(!in(s, find("SEQUENCE SET", "sales", "customers_customer_id_seq")));
    df_selection_free(s);

    df_select_options_default(&o);
    o.sections = DF_SEL_POST_DATA;
    s = select_table("customers", &o);
    ck_assert(in(s, find("CONSTRAINT", "sales", "customers customers_pkey")));
    ck_assert(!in(s, find("TABLE", "sales", "customers")));
    ck_assert_str_eq(df_selection_reason(s, find("TABLE", "sales", "customers")),
                     "excluded: --section (entry is pre-data)");
    df_selection_free(s);
}
END_TEST

START_TEST(test_seeds)
{
    size_t seed = find("TABLE DATA", "sales", "customers");
    df_select_options o;
    df_selection *s;

    df_select_options_default(&o);
    o.with_dependents = 0;
    s = select_with(&o, &seed, 1);
    ck_assert_int_eq(df_selection_pick(s, seed), DF_PICK_SELECTED);
    ck_assert_int_eq(df_selection_pick(s, find("TABLE", "sales", "customers")), DF_PICK_REQUIRED);
    ck_assert(!in(s, find("CONSTRAINT", "sales", "customers customers_pkey")));
    ck_assert(!in(s, find("TABLE", "sales", "orders")));
    df_selection_free(s);
}
END_TEST

/* df_select_unmatched's count, the call asserted to succeed. */
static size_t unmatched(const df_select_options *o, df_unmatched *u, size_t max)
{
    size_t n = SIZE_MAX;

    ck_assert_int_eq(df_select_unmatched(rd, o, u, max, &n, NULL), DF_OK);
    return n;
}

/* pg_restore --strict-names: each name must match an entry (-t, -I, -P, -T within -n). */
START_TEST(test_unmatched)
{
    static const char *const tab[] = {"orders", "sales.orders", "nosuch"};
    static const char *const sch[] = {"sales", "nosuch_schema"};
    static const char *const trg[] = {"customers_touch", "customers customers_touch"};
    static const char *const typ[] = {"table", "no such type"};
    df_select_options o;
    df_unmatched u[8];

    df_select_options_default(&o);
    ck_assert_uint_eq(unmatched(&o, NULL, 0), 0);
    o.tables = tab, o.ntables = 3;
    o.schemas = sch, o.nschemas = 2;
    o.triggers = trg, o.ntriggers = 2;
    o.types = typ, o.ntypes = 2;
    ck_assert_uint_eq(unmatched(&o, u, 8), 5);
    ck_assert_str_eq(u[0].option, "-n");
    ck_assert_str_eq(u[0].kind, "schema");
    ck_assert_str_eq(u[0].name, "nosuch_schema");
    ck_assert_str_eq(u[1].name, "sales.orders"); /* names are not schema-qualified */
    ck_assert_str_eq(u[1].kind, "table");
    ck_assert_str_eq(u[2].name, "nosuch");
    ck_assert_str_eq(u[3].option, "-T"); /* a trigger's tag is "table trigger" */
    ck_assert_str_eq(u[3].name, "customers_touch");
    ck_assert_str_eq(u[4].option, "--type");
    ck_assert_str_eq(u[4].name, "no such type");
    /* only max are written, the count is all of them */
    ck_assert_uint_eq(unmatched(&o, u, 1), 5);
    /* a table outside the -n schemas does not count */
    o.schemas = sch + 1, o.nschemas = 0;
    o.tables = tab, o.ntables = 1;
    o.ntriggers = o.ntypes = 0;
    ck_assert_uint_eq(unmatched(&o, u, 8), 0);
    o.schemas = (const char *const[]){"audit"}, o.nschemas = 1;
    ck_assert_uint_eq(unmatched(&o, u, 8), 1);
    ck_assert_str_eq(u[0].name, "orders");
}
END_TEST

/* pg_restore -C restores DATABASE whatever -n, -t, --section, -a or -L say. */
START_TEST(test_create_db)
{
    static const char *const sch[] = {"sales"};
    size_t db = find("DATABASE", NULL, "sample");
    size_t seed = find("TABLE", "sales", "orders");
    df_select_options o;
    df_selection *s;

    df_select_options_default(&o);
    o.schemas = sch, o.nschemas = 1;
    s = select_with(&o, NULL, 0);
    ck_assert_int_eq(df_selection_pick(s, db), DF_PICK_HIDDEN);
    df_selection_free(s);
    o.create_db = 1;
    s = select_with(&o, NULL, 0);
    ck_assert_int_eq(df_selection_pick(s, db), DF_PICK_SELECTED);
    df_selection_free(s);
    o.data_only = 1;
    o.sections = DF_SEL_DATA;
    s = select_with(&o, NULL, 0);
    ck_assert_int_eq(df_selection_pick(s, db), DF_PICK_SELECTED);
    ck_assert(!in(s, find("TABLE", "sales", "orders")));
    df_selection_free(s);
    df_select_options_default(&o);
    o.create_db = 1;
    s = select_with(&o, &seed, 1);
    ck_assert_int_eq(df_selection_pick(s, db), DF_PICK_SELECTED);
    df_selection_free(s);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Orders                                                              */
/* ------------------------------------------------------------------ */

/* Every before-edge among the entries of order[] points backwards. */
static void assert_valid_order(const size_t *order, size_t n)
{
    size_t pos[4096];

    for (size_t i = 0; i < df_reader_toc_count(rd); i++)
        pos[i] = SIZE_MAX;
    for (size_t k = 0; k < n; k++)
        pos[order[k]] = k;
    for (size_t k = 0; k < n; k++) {
        const size_t *b;
        size_t nb = df_graph_before(gr, order[k], &b);
        for (size_t m = 0; m < nb; m++)
            ck_assert_msg(pos[b[m]] == SIZE_MAX || pos[b[m]] < k,
                          "dump id %d listed before dump id %d that it needs",
                          df_reader_toc_at(rd, order[k])->dump_id,
                          df_reader_toc_at(rd, b[m])->dump_id);
    }
}

START_TEST(test_order_check)
{
    size_t table = find("TABLE", "sales", "customers"),
           data = find("TABLE DATA", "sales", "customers");
    size_t schema = find("SCHEMA", NULL, "sales"), acl = find("ACL", "sales", "TABLE customers");
    size_t pkey = find("CONSTRAINT", "sales", "customers customers_pkey");
    df_order_issue *is;
    size_t nis;
    size_t bad[] = {schema, data, table, acl};
    size_t acl_first[] = {schema, acl, table, data};
    size_t missing[] = {data};
    size_t idx_first[] = {schema, table, pkey, data};

    ck_assert_int_eq(df_order_check(gr, bad, 4, &is, &nis, NULL), DF_OK);
    ck_assert_uint_eq(nis, 1);
    ck_assert_uint_eq(is[0].entry, data);
    ck_assert_uint_eq(is[0].needed, table);
    ck_assert_uint_eq(is[0].entry_pos, 1);
    ck_assert_uint_eq(is[0].needed_pos, 2);
    ck_assert_int_eq(is[0].ordering_only, 0);
    free(is);
    /* an ACL is restored in the ACL pass, after its table whatever the list order */
    ck_assert_int_eq(df_order_check(gr, acl_first, 4, &is, &nis, NULL), DF_OK);
    ck_assert_uint_eq(nis, 0);
    free(is);
    ck_assert_int_eq(df_order_check(gr, missing, 1, &is, &nis, NULL), DF_OK);
    ck_assert_uint_eq(nis, 1);
    ck_assert_uint_eq(is[0].needed, table);
    ck_assert_uint_eq(is[0].needed_pos, SIZE_MAX);
    free(is);
    /* a primary key before its table's data: an ordering problem only */
    ck_assert_int_eq(df_order_check(gr, idx_first, 4, &is, &nis, NULL), DF_OK);
    ck_assert_uint_eq(nis, 1);
    ck_assert_uint_eq(is[0].entry, pkey);
    ck_assert_uint_eq(is[0].needed, data);
    ck_assert_int_eq(is[0].ordering_only, 1);
    free(is);
}
END_TEST

START_TEST(test_order_fix)
{
    size_t n = df_reader_toc_count(rd), out[4096], nout = 0, rev[4096], nrev = 0;
    size_t data = find("TABLE DATA", "sales", "customers"),
           table = find("TABLE", "sales", "customers");
    df_selection *s = select_with(NULL, NULL, 0);

    /* no preference: archive order, which is valid */
    ck_assert_int_eq(df_order_fix(gr, s, NULL, 0, out, &nout, NULL), DF_OK);
    ck_assert_uint_eq(nout, df_selection_count(s));
    for (size_t k = 1; k < nout; k++)
        ck_assert_uint_lt(out[k - 1], out[k]);
    assert_valid_order(out, nout);
    /* the archive order reversed comes back valid */
    for (size_t k = 0; k < nout; k++)
        rev[k] = out[nout - 1 - k];
    ck_assert_int_eq(df_order_fix(gr, s, rev, nout, out, &nrev, NULL), DF_OK);
    ck_assert_uint_eq(nrev, nout);
    assert_valid_order(out, nrev);
    df_selection_free(s);

    /* a preference with only data: what each needs goes just before it */
    {
        df_select_options o;
        size_t pref[2] = {find("TABLE DATA", "bulk", "readings"), data};
        df_select_options_default(&o);
        o.with_dependents = 0;
        s = select_with(&o, pref, 2);
        ck_assert_int_eq(df_order_fix(gr, s, pref, 2, out, &nout, NULL), DF_OK);
        assert_valid_order(out, nout);
        ck_assert_uint_eq(out[nout - 1], data);
        /* readings and its data first, then customers and its data: each table just
           before its data, with the comments and ACLs that belong to it */
        {
            size_t p_rtable = SIZE_MAX, p_rdata = SIZE_MAX, p_table = SIZE_MAX;
            for (size_t k = 0; k < nout; k++) {
                if (out[k] == find("TABLE", "bulk", "readings"))
                    p_rtable = k;
                if (out[k] == pref[0])
                    p_rdata = k;
                if (out[k] == table)
                    p_table = k;
            }
            ck_assert_uint_lt(p_rtable, p_rdata);
            ck_assert_uint_lt(p_rdata, p_table);
            for (size_t k = p_table + 1; k < nout - 1; k++)
                ck_assert(df_graph_owner(gr, out[k]) == (int64_t)table ||
                          df_graph_owner(gr, out[k]) == (int64_t)find("SCHEMA", NULL, "sales"));
        }
        df_selection_free(s);
    }
    (void)n;
}
END_TEST

static Suite *select_suite(void)
{
    Suite *s = suite_create("select");
    TCase *tc = tcase_create("pg15");
    TCase *t18 = tcase_create("pg18");

    tcase_add_checked_fixture(tc, setup15, teardown);
    tcase_add_test(tc, test_owners);
    tcase_add_test(tc, test_partitions);
    tcase_add_test(tc, test_implicit_links);
    tcase_add_test(tc, test_whole_dump);
    tcase_add_test(tc, test_table_closure);
    tcase_add_test(tc, test_fk_targets);
    tcase_add_test(tc, test_matview_refresh);
    tcase_add_test(tc, test_sequences);
    tcase_add_test(tc, test_no_closure);
    tcase_add_test(tc, test_exclusions);
    tcase_add_test(tc, test_patterns);
    tcase_add_test(tc, test_types_and_filters);
    tcase_add_test(tc, test_seeds);
    tcase_add_test(tc, test_unmatched);
    tcase_add_test(tc, test_create_db);
    tcase_add_test(tc, test_order_check);
    tcase_add_test(tc, test_order_fix);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(t18, setup18, teardown);
    tcase_add_test(t18, test_blob_metadata_links);
    tcase_add_test(t18, test_whole_dump);
    tcase_add_test(t18, test_table_closure);
    suite_add_tcase(s, t18);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(select_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
