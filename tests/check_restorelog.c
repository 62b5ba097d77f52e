/*
 * check_restorelog.c — the restore-log parser and classifier (restorelog.c)
 * on log snippets of pg_restore 10/11 and 12-18 (with and without -v,
 * serial and -j with interleaved workers, --exit-on-error) and of psql
 * (FILE:LINE prefixes, ON_ERROR_STOP, stdin with -e echo): every error
 * found, with its TOC id, command, COPY line and class; unknown messages
 * kept as unclassified; what is not a restore log said so.  And the diagnosis
 * (restorediag.c) of the logs tests/live/dumpdiag.sh kept, over their dumps:
 * attribution by statement and by psql line, one cause, a valid resume, the cut script.
 */
#include "check_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Feed a multi-line text, one line at a time, and finish. */
static df_restorelog *parse(const char *text)
{
    df_restorelog *rl = df_restorelog_new();
    const char *p = text;

    ck_assert_ptr_nonnull(rl);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        ck_assert_int_eq(df_restorelog_feed_line(rl, p, n, NULL), DF_OK);
        p += n + (nl != NULL);
    }
    ck_assert_int_eq(df_restorelog_finish(rl, NULL), DF_OK);
    return rl;
}

static const char pg15_verbose[] =
    "pg_restore: connecting to database for restore\n"
    "pg_restore: creating SCHEMA \"s\"\n"
    "pg_restore: while PROCESSING TOC:\n"
    "pg_restore: from TOC entry 6; 2615 16387 SCHEMA s app_owner\n"
    "pg_restore: error: could not execute query: ERROR:  schema \"s\" already exists\n"
    "Command was: CREATE SCHEMA s;\n"
    "\n"
    "\n"
    "pg_restore: creating TABLE \"s.c\"\n"
    "pg_restore: from TOC entry 217; 1259 16400 TABLE c postgres\n"
    "pg_restore: error: could not execute query: ERROR:  relation \"c\" already exists\n"
    "Command was: CREATE TABLE s.c (\n"
    "    id integer\n"
    ");\n"
    "\n"
    "\n"
    "pg_restore: processing data for table \"s.t\"\n"
    "pg_restore: from TOC entry 3352; 0 16388 TABLE DATA t app_owner\n"
    "pg_restore: error: COPY failed for table \"t\": ERROR:  duplicate key value violates "
    "unique constraint \"t_pkey\"\n"
    "DETAIL:  Key (id)=(1) already exists.\n"
    "CONTEXT:  COPY t, line 7\n"
    "pg_restore: creating ACL \"s.TABLE t\"\n"
    "pg_restore: from TOC entry 3360; 0 0 ACL TABLE t app_owner\n"
    "pg_restore: error: could not execute query: ERROR:  role \"app_ro\" does not exist\n"
    "Command was: GRANT SELECT ON TABLE s.t TO app_ro;\n"
    "\n"
    "\n"
    "pg_restore: warning: errors ignored on restore: 4\n";

START_TEST(test_pg15_verbose)
{
    df_restorelog *rl = parse(pg15_verbose);
    const df_rlog_summary *s = df_restorelog_summary(rl);
    const df_rlog_error *e;

    ck_assert_int_eq(s->source, DF_RLOG_PG_RESTORE);
    ck_assert_int_eq(s->verbose, 1);
    ck_assert_int_eq(s->parallel, 0);
    ck_assert_int_eq(s->errors, 4);
    ck_assert_int_eq(s->ignored, 4);
    ck_assert_int_eq(s->stopped, 0);
    ck_assert_uint_eq(df_restorelog_count(rl), 4);

    e = df_restorelog_error(rl, 0);
    ck_assert_int_eq(e->toc_id, 6);
    ck_assert_str_eq(e->toc_desc, "SCHEMA s app_owner");
    ck_assert_str_eq(e->severity, "ERROR");
    ck_assert_str_eq(e->message, "schema \"s\" already exists");
    ck_assert_str_eq(e->command, "CREATE SCHEMA s;");
    ck_assert_int_eq(e->cls, DF_RLOG_ALREADY_EXISTS);
    ck_assert_int_eq(e->log_line, 5);

    e = df_restorelog_error(rl, 1);
    ck_assert_int_eq(e->toc_id, 217);
    ck_assert_str_eq(e->command, "CREATE TABLE s.c (\n    id integer\n);");
    ck_assert_str_eq(e->item, "TABLE s.c");

    e = df_restorelog_error(rl, 2);
    ck_assert_int_eq(e->toc_id, 3352);
    ck_assert_int_eq(e->cls, DF_RLOG_DATA);
    ck_assert_str_eq(e->kind, "unique-violation");
    ck_assert_str_eq(e->object, "t_pkey");
    ck_assert_str_eq(e->copy_table, "t");
    ck_assert_int_eq(e->copy_line, 7);
    ck_assert_str_eq(e->detail, "Key (id)=(1) already exists.");
    ck_assert_str_eq(e->item, "TABLE DATA s.t");

    e = df_restorelog_error(rl, 3);
    ck_assert_int_eq(e->toc_id, 3360);
    ck_assert_int_eq(e->cls, DF_RLOG_ROLE_MISSING);
    ck_assert_str_eq(e->object, "app_ro");
    ck_assert_str_eq(e->item, "ACL s.TABLE t");
    df_restorelog_free(rl);
}
END_TEST

/* Without -v pg_restore names no entry; the command is all there is. */
START_TEST(test_pg15_quiet_and_exit_on_error)
{
    df_restorelog *rl = parse(
        "pg_restore: error: could not execute query: ERROR:  role \"app_ro\" does not exist\n"
        "Command was: ALTER TABLE s.t OWNER TO app_ro;\n"
        "\n\n");
    const df_rlog_summary *s = df_restorelog_summary(rl);
    const df_rlog_error *e = df_restorelog_error(rl, 0);

    ck_assert_int_eq(s->source, DF_RLOG_PG_RESTORE);
    ck_assert_int_eq(s->errors, 1);
    ck_assert_int_eq(s->ignored, -1);
    ck_assert_int_eq(s->stopped, 1); /* no "errors ignored": --exit-on-error */
    ck_assert_int_eq(e->toc_id, 0);
    ck_assert_ptr_null(e->item);
    ck_assert_str_eq(e->command, "ALTER TABLE s.t OWNER TO app_ro;");
    df_restorelog_free(rl);
}
END_TEST

/* pg_restore 10/11: "[archiver (db)]" tags, indented command, WARNING without the name. */
START_TEST(test_pg11_format)
{
    df_restorelog *rl = parse(
        "pg_restore: [archiver (db)] Error while PROCESSING TOC:\n"
        "pg_restore: [archiver (db)] Error from TOC entry 3360; 0 0 ACL TABLE t app_owner\n"
        "pg_restore: [archiver (db)] could not execute query: ERROR:  role \"app_ro\" does "
        "not exist\n"
        "    Command was: GRANT SELECT ON TABLE s.t TO app_ro;\n"
        "\n"
        "WARNING: errors ignored on restore: 1\n");
    const df_rlog_summary *s = df_restorelog_summary(rl);
    const df_rlog_error *e = df_restorelog_error(rl, 0);

    ck_assert_int_eq(s->source, DF_RLOG_PG_RESTORE);
    ck_assert_int_eq(s->errors, 1);
    ck_assert_int_eq(s->ignored, 1);
    ck_assert_int_eq(s->stopped, 0);
    ck_assert_int_eq(e->toc_id, 3360);
    ck_assert_int_eq(e->cls, DF_RLOG_ROLE_MISSING);
    ck_assert_str_eq(e->command, "GRANT SELECT ON TABLE s.t TO app_ro;");
    df_restorelog_free(rl);
}
END_TEST

/* -j -v: items launched and finished, interleaved workers, a worker dying. */
START_TEST(test_parallel_abort)
{
    df_restorelog *rl = parse(
        "pg_restore: processing item 6 SCHEMA s\n"
        "pg_restore: creating SCHEMA \"s\"\n"
        "pg_restore: entering main parallel loop\n"
        "pg_restore: launching item 3352 TABLE DATA t\n"
        "pg_restore: launching item 3353 TABLE DATA c\n"
        "pg_restore: processing data for table \"s.t\"\n"
        "pg_restore: finished item 3352 TABLE DATA t\n"
        "pg_restore: launching item 3360 ACL TABLE t\n"
        "pg_restore: creating ACL \"s.TABLE t\"\n"
        "pg_restore: while PROCESSING TOC:\n"
        "pg_restore: from TOC entry 3360; 0 0 ACL TABLE t app_owner\n"
        "pg_restore: error: could not execute query: ERROR:  role \"app_ro\" does not exist\n"
        "Command was: GRANT SELECT ON TABLE s.t TO app_ro;\n"
        "\n\n"
        "pg_restore: error: a worker process died unexpectedly\n");
    const df_rlog_summary *s = df_restorelog_summary(rl);
    const df_rlog_item *items;
    size_t n = df_restorelog_items(rl, &items);
    int found3352 = 0, found3353 = 0;

    ck_assert_int_eq(s->parallel, 1);
    ck_assert_int_eq(s->stopped, 1);
    ck_assert_int_eq(s->errors, 1); /* the worker's death is no entry's error */
    ck_assert_int_eq(df_restorelog_error(rl, 0)->toc_id, 3360);
    for (size_t i = 0; i < n; i++) {
        if (items[i].toc_id == 3352)
            found3352 = items[i].launched && items[i].finished;
        if (items[i].toc_id == 3353)
            found3353 = items[i].launched && !items[i].finished ? 1 : 2;
    }
    ck_assert_int_eq(found3352, 1);
    ck_assert_int_eq(found3353, 1);
    df_restorelog_free(rl);
}
END_TEST

START_TEST(test_psql_prefixed)
{
    df_restorelog *rl = parse(
        "psql:/tmp/x/nightly.sql:48213: ERROR:  relation \"sales.orders\" does not exist\n"
        "LINE 1: ALTER TABLE sales.orders OWNER TO app;\n"
        "                    ^\n"
        "psql:/tmp/x/nightly.sql:48290: NOTICE:  something\n"
        "psql:C:/dumps/a:b.sql:7: ERROR:  permission denied for schema public\n"
        "psql:n.sql:9: ERROR:  new row for relation \"t\" violates check constraint \"t_v\"\n"
        "DETAIL:  Failing row contains (1, x).\n"
        "CONTEXT:  SQL function \"f\" during inlining\n"
        "COPY t, line 3: \"1\tx\"\n");
    const df_rlog_summary *s = df_restorelog_summary(rl);
    const df_rlog_error *e;

    ck_assert_int_eq(s->source, DF_RLOG_PSQL);
    ck_assert_int_eq(s->errors, 3);
    e = df_restorelog_error(rl, 0);
    ck_assert_str_eq(e->file, "/tmp/x/nightly.sql");
    ck_assert_int_eq(e->line, 48213);
    ck_assert_int_eq(e->cls, DF_RLOG_MISSING_OBJECT);
    ck_assert_str_eq(e->object, "sales.orders");
    e = df_restorelog_error(rl, 1);
    ck_assert_str_eq(e->file, "C:/dumps/a:b.sql");
    ck_assert_int_eq(e->line, 7);
    ck_assert_int_eq(e->cls, DF_RLOG_PERMISSION);
    e = df_restorelog_error(rl, 2);
    ck_assert_int_eq(e->cls, DF_RLOG_DATA);
    ck_assert_str_eq(e->kind, "check-violation");
    ck_assert_str_eq(e->copy_table, "t");
    ck_assert_int_eq(e->copy_line, 3);
    df_restorelog_free(rl);
}
END_TEST

/* psql < script -e 2>&1: the echoed statement names what failed. */
START_TEST(test_psql_echo)
{
    df_restorelog *rl = parse(
        "SET statement_timeout = 0;\n"
        "SET\n"
        "CREATE TABLE s.t (\n"
        "    id integer\n"
        ");\n"
        "ERROR:  schema \"s\" does not exist\n"
        "LINE 1: CREATE TABLE s.t (\n"
        "                     ^\n"
        "--\n"
        "-- Name: t; Type: TABLE; Schema: s; Owner: app\n"
        "--\n"
        "\n"
        "ALTER TABLE s.t OWNER TO app;\n"
        "ERROR:  relation \"s.t\" does not exist\n");
    const df_rlog_summary *s = df_restorelog_summary(rl);

    ck_assert_int_eq(s->source, DF_RLOG_PSQL);
    ck_assert_int_eq(s->errors, 2);
    ck_assert_str_eq(df_restorelog_error(rl, 0)->command, "CREATE TABLE s.t (\n    id integer\n);");
    ck_assert_str_eq(df_restorelog_error(rl, 1)->command, "ALTER TABLE s.t OWNER TO app;");
    ck_assert_ptr_null(df_restorelog_error(rl, 1)->file);
    df_restorelog_free(rl);
}
END_TEST

typedef struct cls_case {
    const char *message;
    int cls;
    const char *kind;
    const char *object;
    int fatal;
} cls_case;

static const cls_case cls_cases[] = {
    {"role \"app_ro\" does not exist", DF_RLOG_ROLE_MISSING, "role", "app_ro", 0},
    {"relation \"t\" already exists", DF_RLOG_ALREADY_EXISTS, "already-exists", "t", 0},
    {"multiple primary keys for table \"t\" are not allowed", DF_RLOG_ALREADY_EXISTS, NULL, NULL, 0},
    {"type \"hstore\" does not exist", DF_RLOG_MISSING_OBJECT, "missing-object", "hstore", 0},
    {"function public.f(integer) does not exist", DF_RLOG_MISSING_OBJECT, NULL,
     "public.f(integer)", 0},
    {"extension \"dfx\" is not available", DF_RLOG_EXTENSION_MISSING, "extension", "dfx", 0},
    {"could not open extension control file \"/usr/share/postgresql/15/extension/postgis.control\""
     ": No such file or directory", DF_RLOG_EXTENSION_MISSING, "extension", "postgis", 0},
    {"could not access file \"$libdir/postgis-3\": No such file or directory",
     DF_RLOG_EXTENSION_MISSING, "library", NULL, 0},
    {"permission denied for schema public", DF_RLOG_PERMISSION, NULL, NULL, 0},
    {"must be owner of table t", DF_RLOG_PERMISSION, NULL, NULL, 0},
    {"invalid input syntax for type integer: \"x1\"", DF_RLOG_DATA, "invalid-input", NULL, 0},
    {"insert or update on table \"c\" violates foreign key constraint \"c_fk\"", DF_RLOG_DATA,
     "fk-violation", "c_fk", 0},
    {"null value in column \"v\" of relation \"t\" violates not-null constraint", DF_RLOG_DATA,
     "not-null-violation", NULL, 0},
    {"extra data after last expected column", DF_RLOG_DATA, "bad-copy-row", NULL, 0},
    {"unrecognized configuration parameter \"transaction_timeout\"", DF_RLOG_SERVER_TOO_OLD,
     "parameter", "transaction_timeout", 0},
    {"syntax error at or near \"NULLS\"", DF_RLOG_SERVER_TOO_OLD, "syntax", NULL, 0},
    {"could not extend file \"base/1/2\": No space left on device", DF_RLOG_RESOURCE, "disk-full",
     NULL, 1},
    {"out of memory", DF_RLOG_RESOURCE, "out-of-memory", NULL, 1},
    {"canceling statement due to lock timeout", DF_RLOG_RESOURCE, "lock-timeout", NULL, 0},
    {"something nobody has seen before", DF_RLOG_UNCLASSIFIED, NULL, NULL, 0},
};

START_TEST(test_classes)
{
    const cls_case *c = &cls_cases[_i];
    char line[1024];
    df_restorelog *rl;
    const df_rlog_error *e;

    snprintf(line, sizeof line, "pg_restore: error: could not execute query: ERROR:  %s\n"
             "Command was: SELECT 1;\n", c->message);
    rl = parse(line);
    ck_assert_uint_eq(df_restorelog_count(rl), 1);
    e = df_restorelog_error(rl, 0);
    ck_assert_str_eq(e->message, c->message);
    ck_assert_msg(e->cls == c->cls, "\"%s\": class %s, expected %s", c->message,
                  df_rlog_class_name(e->cls), df_rlog_class_name(c->cls));
    if (c->kind)
        ck_assert_str_eq(e->kind, c->kind);
    if (c->object)
        ck_assert_str_eq(e->object, c->object);
    ck_assert_int_eq(e->fatal, c->fatal);
    df_restorelog_free(rl);
}
END_TEST

/* VERBOSITY verbose puts the SQLSTATE after the severity; FATAL ends the session. */
START_TEST(test_sqlstate_and_fatal)
{
    df_restorelog *rl = parse(
        "psql:a.sql:3: ERROR:  42P01: relation \"x\" does not exist\n"
        "psql:a.sql:9: FATAL:  terminating connection due to administrator command\n");
    const df_rlog_summary *s = df_restorelog_summary(rl);

    ck_assert_str_eq(df_restorelog_error(rl, 0)->message, "relation \"x\" does not exist");
    ck_assert_int_eq(df_restorelog_error(rl, 1)->cls, DF_RLOG_RESOURCE);
    ck_assert_int_eq(df_restorelog_error(rl, 1)->fatal, 1);
    ck_assert_str_eq(df_restorelog_error(rl, 1)->severity, "FATAL");
    ck_assert_int_eq(s->stopped, 1);
    df_restorelog_free(rl);
}
END_TEST

START_TEST(test_empty_and_unknown)
{
    df_restorelog *rl = parse("");
    ck_assert_int_eq(df_restorelog_summary(rl)->source, DF_RLOG_EMPTY);
    ck_assert_int_eq(df_restorelog_summary(rl)->errors, 0);
    df_restorelog_free(rl);

    rl = parse("hello world\nthis is a shopping list\n");
    ck_assert_int_eq(df_restorelog_summary(rl)->source, DF_RLOG_UNKNOWN);
    df_restorelog_free(rl);

    /* psql without ON_ERROR_STOP looks the same as with it: the caller says */
    rl = parse("psql:a.sql:3: ERROR:  relation \"x\" does not exist\n");
    ck_assert_int_eq(df_restorelog_summary(rl)->stopped, 0);
    df_restorelog_set_stopped(rl);
    ck_assert_int_eq(df_restorelog_summary(rl)->stopped, 1);
    df_restorelog_free(rl);
}
END_TEST

/* CRLF line ends and a line cut at the limit are fine. */
START_TEST(test_crlf_and_long_line)
{
    size_t n = (2u << 20) + 100;
    char *big = malloc(n);
    df_restorelog *rl = df_restorelog_new();
    const char *l1 = "pg_restore: error: could not execute query: ERROR:  role \"r\" does not exist\r";

    ck_assert_ptr_nonnull(big);
    ck_assert_int_eq(df_restorelog_feed_line(rl, l1, strlen(l1), NULL), DF_OK);
    memcpy(big, "Command was: ", 13);
    memset(big + 13, 'x', n - 13);
    ck_assert_int_eq(df_restorelog_feed_line(rl, big, n, NULL), DF_OK);
    ck_assert_int_eq(df_restorelog_finish(rl, NULL), DF_OK);
    ck_assert_str_eq(df_restorelog_error(rl, 0)->object, "r");
    ck_assert_uint_le(strlen(df_restorelog_error(rl, 0)->command), 1u << 20);
    free(big);
    df_restorelog_free(rl);
}
END_TEST

/* pg_restore 17 into a 15 server: the setting it sends every connection fails. */
START_TEST(test_session_errors)
{
    df_restorelog *rl = parse(
        "pg_restore: connecting to database for restore\n"
        "pg_restore: while INITIALIZING:\n"
        "pg_restore: error: could not execute query: ERROR:  unrecognized configuration "
        "parameter \"transaction_timeout\"\n"
        "Command was: SET transaction_timeout = 0;\n"
        "pg_restore: creating SCHEMA \"s\"\n"
        "pg_restore: while PROCESSING TOC:\n"
        "pg_restore: from TOC entry 6; 2615 16387 SCHEMA s app_owner\n"
        "pg_restore: error: could not execute query: ERROR:  role \"app_owner\" does not exist\n"
        "Command was: ALTER SCHEMA s OWNER TO app_owner;\n"
        "pg_restore: while INITIALIZING:\n"
        "pg_restore: error: could not execute query: ERROR:  unrecognized configuration "
        "parameter \"transaction_timeout\"\n"
        "Command was: SET transaction_timeout = 0;\n"
        "pg_restore: warning: errors ignored on restore: 3\n");

    ck_assert_int_eq(df_restorelog_count(rl), 3);
    ck_assert_int_eq(df_restorelog_error(rl, 0)->session, 1);
    ck_assert_int_eq(df_restorelog_error(rl, 0)->cls, DF_RLOG_SERVER_TOO_OLD);
    ck_assert_int_eq(df_restorelog_error(rl, 1)->session, 0);
    ck_assert_int_eq(df_restorelog_error(rl, 1)->toc_id, 6);
    /* a later connection's setup error does not inherit the last entry */
    ck_assert_int_eq(df_restorelog_error(rl, 2)->session, 1);
    ck_assert_int_eq(df_restorelog_error(rl, 2)->toc_id, 0);
    df_restorelog_free(rl);
}
END_TEST

/* The kept logs of tests/live/dumpdiag.sh over their dumps (skipped when run elsewhere). */
#define GOLDEN "tests/cli/cases/dumpdiag/"

static df_restorelog *parse_file(const char *path)
{
    FILE *f = fopen(path, "r");
    df_restorelog *rl = df_restorelog_new();
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;

    ck_assert_ptr_nonnull(f);
    while ((n = getline(&line, &cap, f)) >= 0) {
        if (n > 0 && line[n - 1] == '\n')
            n--;
        ck_assert_int_eq(df_restorelog_feed_line(rl, line, (size_t)n, NULL), DF_OK);
    }
    free(line);
    fclose(f);
    ck_assert_int_eq(df_restorelog_finish(rl, NULL), DF_OK);
    return rl;
}

START_TEST(test_diag_roles_by_statement)
{
    df_reader *r;
    df_restorelog *rl;
    df_rdiag *d;
    df_graph *g;
    df_error err = {0};
    const size_t *order;
    size_t n, partial, nissues;
    df_order_issue *issues;

    if (access(GOLDEN "roles.dump", R_OK) != 0)
        return;
    r = df_reader_new(NULL);
    ck_assert_int_eq(df_reader_open_path(r, GOLDEN "roles.dump"), DF_OK);
    rl = parse_file(GOLDEN "roles-quiet.log");
    ck_assert_int_eq(df_rdiag_build(rl, r, &d, &err), DF_OK);
    ck_assert_uint_eq(df_rdiag_error_count(d), 4);
    for (size_t i = 0; i < df_rdiag_error_count(d); i++) {
        const df_rdiag_error *x = df_rdiag_error_at(d, i);
        ck_assert_int_ge(x->entry, 0);
        ck_assert_str_eq(x->how, "statement");
        ck_assert_uint_eq(x->cause, 0);
        ck_assert_int_eq(df_rdiag_entry_state(d, (size_t)x->entry), DF_RSTATE_FAILED);
    }
    ck_assert_uint_eq(df_rdiag_cause_count(d), 1);
    ck_assert_str_eq(df_rdiag_cause_at(d, 0)->what, "roles app_owner, app_ro");
    ck_assert_uint_eq(df_rdiag_cause_at(d, 0)->direct, 4);
    n = df_rdiag_resume(d, &order, &partial);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(partial, 0);
    ck_assert_int_eq(df_graph_build(r, &g, NULL), DF_OK);
    ck_assert_int_eq(df_order_check(g, order, n, &issues, &nissues, NULL), DF_OK);
    for (size_t k = 0; k < nissues; k++) /* what it needs and is not listed ran already */
        ck_assert_uint_eq(issues[k].needed_pos, SIZE_MAX);
    free(issues);
    df_graph_free(g);
    df_rdiag_free(d);
    df_restorelog_free(rl);
    df_reader_free(r);
}
END_TEST

START_TEST(test_diag_plain_lines_and_resume)
{
    df_reader *r;
    df_restorelog *rl;
    df_rdiag *d;
    df_error err = {0};
    char *text = NULL;
    size_t len = 0;
    FILE *out;

    if (access(GOLDEN "roles.sql", R_OK) != 0)
        return;
    r = df_reader_new(NULL);
    ck_assert_int_eq(df_reader_open_path(r, GOLDEN "roles.sql"), DF_OK);
    rl = parse_file(GOLDEN "psql-stop.log");
    df_restorelog_set_stopped(rl);
    ck_assert_int_eq(df_rdiag_build(rl, r, &d, &err), DF_OK);
    ck_assert_uint_eq(df_rdiag_error_count(d), 1);
    ck_assert_str_eq(df_rdiag_error_at(d, 0)->how, "psql-line");
    ck_assert_str_eq(df_reader_toc_at(r, (size_t)df_rdiag_error_at(d, 0)->entry)->desc, "SCHEMA");
    out = open_memstream(&text, &len);
    ck_assert_int_eq(df_rdiag_write_plain(d, r, out, &err), DF_OK);
    fclose(out);
    /* the opening settings, the failed schema, and the data that never loaded */
    ck_assert_ptr_nonnull(strstr(text, "SET client_encoding"));
    ck_assert_ptr_nonnull(strstr(text, "ALTER SCHEMA s OWNER TO app_owner;"));
    ck_assert_ptr_nonnull(strstr(text, "COPY s.t (id, v) FROM stdin;"));
    free(text);
    df_rdiag_free(d);
    df_restorelog_free(rl);
    df_reader_free(r);
}
END_TEST

/* The state of the entry with dump id `id`, and whether the resume holds it. */
static int state_of(const df_rdiag *d, df_reader *r, int32_t id, int *in_resume)
{
    const df_entry *e = df_reader_find(r, id);
    const size_t *order;
    size_t n = df_rdiag_resume(d, &order, NULL);

    ck_assert_ptr_nonnull(e);
    *in_resume = 0;
    for (size_t k = 0; k < n; k++)
        *in_resume |= order[k] == e->index;
    return df_rdiag_entry_state(d, e->index);
}

/*
 * -j 2 --exit-on-error (issue 16): an item launched but never reported
 * finished may have committed: uncertain, resumed, with the TRUNCATE to run
 * first for its data.  abort-j2-uncertain.log is abort-j2.log without the
 * "finished item 3426 TABLE DATA d02" line (the race seen in CI).
 */
START_TEST(test_diag_parallel_uncertain)
{
    df_reader *r;
    df_restorelog *rl;
    df_rdiag *d;
    df_error err = {0};
    int in;
    char *text = NULL;
    size_t len = 0;
    FILE *out;

    if (access(GOLDEN "corrupt.dump", R_OK) != 0)
        return;
    r = df_reader_new(NULL);
    ck_assert_int_eq(df_reader_open_path(r, GOLDEN "corrupt.dump"), DF_OK);
    rl = parse_file(GOLDEN "abort-j2-uncertain.log");
    ck_assert_int_eq(df_rdiag_build(rl, r, &d, &err), DF_OK);
    ck_assert_int_eq(state_of(d, r, 3426, &in), DF_RSTATE_UNCERTAIN); /* TABLE DATA d02 */
    ck_assert_int_eq(in, 1);
    ck_assert_str_eq(df_rdiag_run_first(d, df_reader_find(r, 3426)->index),
                     "TRUNCATE TABLE ONLY public.d02;");
    ck_assert_int_eq(state_of(d, r, 3251, &in), DF_RSTATE_UNCERTAIN); /* CONSTRAINT d02_pkey */
    ck_assert_int_eq(in, 1);
    ck_assert_ptr_null(df_rdiag_run_first(d, df_reader_find(r, 3251)->index));
    ck_assert_int_eq(state_of(d, r, 3427, &in), DF_RSTATE_NOT_RUN); /* never launched */
    ck_assert_int_eq(in, 1);
    ck_assert_int_eq(state_of(d, r, 3425, &in), DF_RSTATE_OK); /* launched and finished */
    ck_assert_int_eq(in, 0);
    ck_assert_int_eq(state_of(d, r, 3424, &in), DF_RSTATE_FAILED); /* its own error */
    ck_assert_ptr_null(df_rdiag_run_first(d, df_reader_find(r, 3424)->index));
    ck_assert_ptr_null(df_rdiag_uncertain_note(d, df_reader_find(r, 3424)->index));
    out = open_memstream(&text, &len);
    ck_assert_int_eq(df_rdiag_write_list(d, r, out, &err), DF_OK);
    fclose(out);
    /* the comment comes right before the entry's line; pg_restore skips it */
    ck_assert_ptr_nonnull(strstr(text, "; uncertain: launched, never reported finished; its rows "
                                       "may have committed; run first: TRUNCATE TABLE ONLY "
                                       "public.d02;\n3426; "));
    ck_assert_ptr_nonnull(strstr(text, "already exists\" for it: harmless (resume without "
                                       "--exit-on-error)\n3251; "));
    free(text);
    df_rdiag_free(d);
    df_restorelog_free(rl);

    /* the log as pg_restore wrote it: d02's data finished, so it ran */
    rl = parse_file(GOLDEN "abort-j2.log");
    ck_assert_int_eq(df_rdiag_build(rl, r, &d, &err), DF_OK);
    ck_assert_int_eq(state_of(d, r, 3426, &in), DF_RSTATE_OK);
    ck_assert_int_eq(in, 0);
    ck_assert_int_eq(state_of(d, r, 3251, &in), DF_RSTATE_UNCERTAIN);
    df_rdiag_free(d);
    df_restorelog_free(rl);

    /* serial: no launched/finished pairs, nothing uncertain */
    rl = parse_file(GOLDEN "abort.log");
    ck_assert_int_eq(df_rdiag_build(rl, r, &d, &err), DF_OK);
    for (size_t i = 0; i < df_reader_toc_count(r); i++)
        ck_assert_int_ne(df_rdiag_entry_state(d, i), DF_RSTATE_UNCERTAIN);
    df_rdiag_free(d);
    df_restorelog_free(rl);
    df_reader_free(r);
}
END_TEST

static Suite *restorelog_suite(void)
{
    Suite *s = suite_create("restorelog");
    TCase *tc = tcase_create("parse");

    tcase_add_test(tc, test_pg15_verbose);
    tcase_add_test(tc, test_pg15_quiet_and_exit_on_error);
    tcase_add_test(tc, test_pg11_format);
    tcase_add_test(tc, test_parallel_abort);
    tcase_add_test(tc, test_psql_prefixed);
    tcase_add_test(tc, test_psql_echo);
    tcase_add_loop_test(tc, test_classes, 0, (int)(sizeof cls_cases / sizeof cls_cases[0]));
    tcase_add_test(tc, test_sqlstate_and_fatal);
    tcase_add_test(tc, test_empty_and_unknown);
    tcase_add_test(tc, test_crlf_and_long_line);
    tcase_add_test(tc, test_session_errors);
    tcase_add_test(tc, test_diag_roles_by_statement);
    tcase_add_test(tc, test_diag_plain_lines_and_resume);
    tcase_add_test(tc, test_diag_parallel_uncertain);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(restorelog_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
