/*
 * pgtarget.c — fills a df_target snapshot from a live database with libpq
 * (see pgtarget.h).  Names are read as the TOC writes them: pg_dump runs
 * with an empty search_path, so format_type() qualifies every type outside
 * pg_catalog; we do the same, and function tags are "name(argtypes)".
 * The queries use catalog columns that exist in every release from 10 to
 * 18, except prokind (11): release 10 reads proisagg instead.
 */
#include "pgtarget.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>

#ifdef DF_HAVE_LIBPQ
#include <libpq-fe.h>

/* libpq has no timeout of its own; a server that never answers would hold us for ever. */
#define PGT_CONNECT_TIMEOUT "30"

struct pgt_conn {
    PGconn *conn;
};

/* libpq's message on one line, into err. */
static void set_err(char *err, size_t len, const char *what, const char *msg)
{
    size_t k;

    snprintf(err, len, "%s: %s", what, msg != NULL ? msg : "");
    for (k = 0; err[k] != '\0'; k++)
        if (err[k] == '\n' || err[k] == '\r' || err[k] == '\t')
            err[k] = ' ';
    while (k > 0 && err[k - 1] == ' ')
        err[--k] = '\0';
}

pgt_conn *pgt_connect(const char *conninfo, const char *app, char *err, size_t errlen,
                      int *missing_db)
{
    const char *keys[] = {"connect_timeout", "dbname", "fallback_application_name", NULL};
    const char *vals[] = {PGT_CONNECT_TIMEOUT, conninfo, app, NULL};
    pgt_conn *c = calloc(1, sizeof *c);
    PGresult *res;

    *missing_db = 0;
    if (c == NULL) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    /* the default timeout comes first: a connect_timeout in the conninfo overrides it */
    c->conn = PQconnectdbParams(getenv("PGCONNECT_TIMEOUT") ? keys + 1 : keys,
                                getenv("PGCONNECT_TIMEOUT") ? vals + 1 : vals, 1);
    if (c->conn == NULL || PQstatus(c->conn) != CONNECTION_OK) {
        const char *msg = c->conn ? PQerrorMessage(c->conn) : "out of memory";
        *missing_db = strstr(msg, "does not exist") != NULL && strstr(msg, "database") != NULL;
        set_err(err, errlen, "could not connect", msg);
        pgt_close(c);
        return NULL;
    }
    res = PQexec(c->conn, "SELECT pg_catalog.set_config('search_path', '', false)");
    PQclear(res);
    return c;
}

void pgt_close(pgt_conn *c)
{
    if (c == NULL)
        return;
    PQfinish(c->conn);
    free(c);
}

int pgt_server_num(const pgt_conn *c)
{
    return PQserverVersion(c->conn);
}

int pgt_exec(pgt_conn *c, const char *sql, char *err, size_t errlen)
{
    PGresult *res = PQexec(c->conn, sql);
    int ok = PQresultStatus(res) == PGRES_COMMAND_OK || PQresultStatus(res) == PGRES_TUPLES_OK;

    if (!ok)
        set_err(err, errlen, "statement failed", PQerrorMessage(c->conn));
    PQclear(res);
    return ok ? 0 : -1;
}

static PGresult *query(pgt_conn *c, const char *sql, int ncols, char *err, size_t errlen)
{
    PGresult *res = PQexec(c->conn, sql);

    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != ncols) {
        set_err(err, errlen, "query failed", PQerrorMessage(c->conn));
        PQclear(res);
        return NULL;
    }
    return res;
}

static const char *val(PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

/* User schemas: not the catalogs, not TOAST or temporary ones. */
#define USER_NSP                                                                                \
    " n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_toast' AND " \
    "n.nspname !~ '^pg_temp_' "

/* Objects of an extension are made by CREATE EXTENSION, never by a TOC entry of their own. */
#define NOT_EXT(cls, oid)                                                                  \
    " NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = '" cls            \
    "'::pg_catalog.regclass AND d.objid = " oid " AND d.deptype = 'e') "

static int fill_server(pgt_conn *c, df_target *t, char *err, size_t errlen)
{
    PGresult *res = query(
        c,
        "SELECT pg_catalog.pg_encoding_to_char(d.encoding), "
        "(SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
        "  ON n.oid = c.relnamespace WHERE" USER_NSP ") + "
        "(SELECT count(*) FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n "
        "  ON n.oid = p.pronamespace WHERE" USER_NSP ") + "
        "(SELECT count(*) FROM pg_catalog.pg_namespace n WHERE" USER_NSP
        "  AND n.nspname <> 'public') + "
        "(SELECT count(*) FROM pg_catalog.pg_extension WHERE extname <> 'plpgsql') "
        "FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database()",
        2, err, errlen);
    int rc;

    if (res == NULL)
        return -1;
    rc = df_target_set_server(t, PQserverVersion(c->conn),
                              PQntuples(res) == 1 ? val(res, 0, 0) : NULL,
                              PQntuples(res) == 1 && strcmp(val(res, 0, 1), "0") == 0, NULL);
    PQclear(res);
    if (rc != DF_OK)
        snprintf(err, errlen, "%s", df_strstatus(rc));
    return rc == DF_OK ? 0 : -1;
}

/* Run a query of `ncols` text columns and hand each row to `add`. */
typedef int (*row_fn)(df_target *t, PGresult *res, int row);

static int fill_rows(pgt_conn *c, df_target *t, const char *sql, int ncols, row_fn add,
                     char *err, size_t errlen)
{
    PGresult *res = query(c, sql, ncols, err, errlen);
    int rc = DF_OK;

    if (res == NULL)
        return -1;
    for (int i = 0; rc == DF_OK && i < PQntuples(res); i++)
        rc = add(t, res, i);
    PQclear(res);
    if (rc != DF_OK)
        snprintf(err, errlen, "snapshot: %s", df_strstatus(rc));
    return rc == DF_OK ? 0 : -1;
}

static int add_role(df_target *t, PGresult *res, int i)
{
    return df_target_add_role(t, val(res, i, 0), NULL);
}

static int add_member(df_target *t, PGresult *res, int i)
{
    return df_target_add_membership(t, val(res, i, 0), val(res, i, 1), NULL);
}

static int add_object(df_target *t, PGresult *res, int i)
{
    return df_target_add_owned_object(t, val(res, i, 0), val(res, i, 1), val(res, i, 2),
                                      strcmp(val(res, i, 3), "t") == 0, val(res, i, 4), NULL);
}

static int add_extension(df_target *t, PGresult *res, int i)
{
    return df_target_add_available_extension(t, val(res, i, 0), NULL);
}

static int add_tablespace(df_target *t, PGresult *res, int i)
{
    return df_target_add_tablespace(t, val(res, i, 0), NULL);
}

static const char *const sql_relations =
    "SELECT CASE c.relkind WHEN 'r' THEN 'TABLE' WHEN 'p' THEN 'TABLE' WHEN 'v' THEN 'VIEW' "
    "WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' "
    "ELSE 'INDEX' END, n.nspname, c.relname, COALESCE(NOT i.indisvalid, false), "
    "pg_catalog.pg_get_userbyid(c.relowner) "
    "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
    "LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = c.oid "
    "WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'i', 'I') AND" USER_NSP
    "AND" NOT_EXT("pg_class", "c.oid");

/* %s: the kind expression, prokind from 11, proisagg before. */
static const char *const sql_functions_fmt =
    "SELECT %s, n.nspname, p.proname || '(' || COALESCE(pg_catalog.array_to_string(ARRAY("
    "SELECT pg_catalog.format_type(a.t, NULL) FROM pg_catalog.unnest(p.proargtypes) "
    "WITH ORDINALITY a(t, o) ORDER BY a.o), ', '), '') || ')', false, "
    "pg_catalog.pg_get_userbyid(p.proowner) "
    "FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace "
    "WHERE" USER_NSP "AND" NOT_EXT("pg_proc", "p.oid");

static const char *const sql_others =
    "SELECT CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, n.nspname, t.typname, false, "
    "pg_catalog.pg_get_userbyid(t.typowner) "
    "FROM pg_catalog.pg_type t JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace "
    "WHERE" USER_NSP "AND (t.typrelid = 0 OR (SELECT r.relkind FROM pg_catalog.pg_class r "
    "WHERE r.oid = t.typrelid) = 'c') AND NOT (t.typelem <> 0 AND t.typlen = -1 AND "
    "t.typname ~ '^_') AND" NOT_EXT("pg_type", "t.oid")
    "UNION ALL SELECT 'SCHEMA', NULL, n.nspname, false, pg_catalog.pg_get_userbyid(n.nspowner) "
    "FROM pg_catalog.pg_namespace n WHERE"
    USER_NSP
    "UNION ALL SELECT 'EXTENSION', NULL, e.extname, false, NULL FROM pg_catalog.pg_extension e "
    "UNION ALL SELECT CASE o.contype WHEN 'f' THEN 'FK CONSTRAINT' WHEN 'c' THEN "
    "'CHECK CONSTRAINT' ELSE 'CONSTRAINT' END, n.nspname, r.relname || ' ' || o.conname, "
    "NOT o.convalidated, NULL FROM pg_catalog.pg_constraint o JOIN pg_catalog.pg_class r "
    "ON r.oid = o.conrelid JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace WHERE"
    USER_NSP
    "UNION ALL SELECT 'TRIGGER', n.nspname, r.relname || ' ' || g.tgname, false, NULL "
    "FROM pg_catalog.pg_trigger g JOIN pg_catalog.pg_class r ON r.oid = g.tgrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace WHERE NOT g.tgisinternal AND"
    USER_NSP
    "UNION ALL SELECT 'POLICY', n.nspname, r.relname || ' ' || p.polname, false, NULL "
    "FROM pg_catalog.pg_policy p JOIN pg_catalog.pg_class r ON r.oid = p.polrelid "
    "JOIN pg_catalog.pg_namespace n ON n.oid = r.relnamespace WHERE" USER_NSP;

static int fill_objects(pgt_conn *c, df_target *t, char *err, size_t errlen)
{
    const char *kind = PQserverVersion(c->conn) >= 110000
                           ? "CASE p.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN "
                             "'PROCEDURE' ELSE 'FUNCTION' END"
                           : "CASE WHEN p.proisagg THEN 'AGGREGATE' ELSE 'FUNCTION' END";
    char sql[4096];

    snprintf(sql, sizeof sql, sql_functions_fmt, kind);
    if (fill_rows(c, t, sql_relations, 5, add_object, err, errlen) != 0 ||
        fill_rows(c, t, sql, 5, add_object, err, errlen) != 0)
        return -1;
    return fill_rows(c, t, sql_others, 5, add_object, err, errlen);
}

/*
 * count(*) of each user table (ONLY: a dump's data entry holds that table's own rows), over
 * `nconn` connections at once, the biggest tables first (a count scans the whole table; the
 * small ones fill in beside the big ones).  Column 2 of the list is the count's query.
 */
static const char *const sql_count_list =
    "SELECT n.nspname, c.relname, pg_catalog.format('SELECT count(*) FROM ONLY %I.%I', "
    "n.nspname, c.relname) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n "
    "ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND" USER_NSP
    "AND" NOT_EXT("pg_class", "c.oid") "ORDER BY c.relpages DESC, 1, 2";

typedef struct count_job {
    PGconn *conn;
    int row; /* the list's row it counts; -1 = idle */
} count_job;

/* The result of job j's query into t; 0, or -1 with the reason in err. */
static int count_done(count_job *j, PGresult *list, df_target *t, char *err, size_t errlen)
{
    PGresult *res;
    int rc = 0;

    while ((res = PQgetResult(j->conn)) != NULL) {
        if (rc == 0 && (PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1)) {
            set_err(err, errlen, "query failed", PQerrorMessage(j->conn));
            rc = -1;
        } else if (rc == 0 &&
                   df_target_add_rows(t, val(list, j->row, 0), val(list, j->row, 1),
                                      strtoll(PQgetvalue(res, 0, 0), NULL, 10), NULL) != DF_OK) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
        PQclear(res);
    }
    j->row = -1;
    return rc;
}

/* Wait until one busy job has its answer; 0, or -1 with the reason in err. */
static int count_wait(count_job *jobs, int n, PGresult *list, df_target *t, char *err,
                      size_t errlen)
{
    for (;;) {
        fd_set fds;
        int maxfd = -1;

        for (int k = 0; k < n; k++) {
            if (jobs[k].row < 0)
                continue;
            if (!PQconsumeInput(jobs[k].conn)) {
                set_err(err, errlen, "query failed", PQerrorMessage(jobs[k].conn));
                return -1;
            }
            if (!PQisBusy(jobs[k].conn))
                return count_done(&jobs[k], list, t, err, errlen);
        }
        FD_ZERO(&fds);
        for (int k = 0; k < n; k++)
            if (jobs[k].row >= 0 && PQsocket(jobs[k].conn) >= 0) {
                FD_SET(PQsocket(jobs[k].conn), &fds);
                if (PQsocket(jobs[k].conn) > maxfd)
                    maxfd = PQsocket(jobs[k].conn);
            }
        if (maxfd < 0)
            return 0;
        if (select(maxfd + 1, &fds, NULL, NULL, NULL) < 0 && errno != EINTR) {
            snprintf(err, errlen, "select: %s", strerror(errno));
            return -1;
        }
    }
}

static int count_rows(count_job *jobs, int n, PGresult *list, df_target *t, char *err,
                      size_t errlen)
{
    int next = 0, busy = 0;

    while (next < PQntuples(list) || busy > 0) {
        for (int k = 0; k < n && next < PQntuples(list); k++) {
            if (jobs[k].row >= 0)
                continue;
            if (!PQsendQuery(jobs[k].conn, val(list, next, 2))) {
                set_err(err, errlen, "query failed", PQerrorMessage(jobs[k].conn));
                return -1;
            }
            jobs[k].row = next++;
            busy++;
        }
        if (count_wait(jobs, n, list, t, err, errlen) != 0)
            return -1;
        busy--;
    }
    return 0;
}

int pgt_fill_rows(pgt_conn *c, const char *conninfo, int nconn, df_target *t, char *err,
                  size_t errlen)
{
    PGresult *list = query(c, sql_count_list, 3, err, errlen);
    count_job jobs[PGT_MAX_COUNT_CONNS];
    pgt_conn *extra[PGT_MAX_COUNT_CONNS];
    int n = 1, rc;

    if (list == NULL)
        return -1;
    nconn = nconn < 1 ? 1 : nconn > PGT_MAX_COUNT_CONNS ? PGT_MAX_COUNT_CONNS : nconn;
    if (nconn > PQntuples(list))
        nconn = PQntuples(list) > 0 ? PQntuples(list) : 1;
    jobs[0].conn = c->conn;
    jobs[0].row = -1;
    for (; n < nconn; n++) { /* a connection that fails only means fewer at once */
        int missing_db;
        char e2[256];
        if ((extra[n] = pgt_connect(conninfo, "dumprestore", e2, sizeof e2, &missing_db)) == NULL)
            break;
        jobs[n].conn = extra[n]->conn;
        jobs[n].row = -1;
    }
    rc = count_rows(jobs, n, list, t, err, errlen);
    for (int k = 1; k < n; k++)
        pgt_close(extra[k]);
    PQclear(list);
    return rc;
}

/*
 * Which sequence feeds which column: a DEFAULT nextval() (its pg_attrdef depends on the
 * sequence; OWNED BY need not say it) or identity.  A partition's copy of its parent's
 * default is left out: the parent's maximum covers it.  Column 4 is the query for the next
 * value and the column's maximum.
 */
static const char *const sql_sequences =
    "SELECT sn.nspname, sc.relname, tn.nspname || '.' || tc.relname || '.' || a.attname, "
    "pg_catalog.format('SELECT CASE WHEN is_called THEN last_value + %s ELSE last_value END, "
    "(SELECT max(%I)::bigint FROM %I.%I) FROM %I.%I', s.seqincrement, a.attname, tn.nspname, "
    "tc.relname, sn.nspname, sc.relname) FROM ("
    "SELECT dep.refobjid AS seq, d.adrelid AS rel, d.adnum AS att FROM pg_catalog.pg_attrdef d "
    "JOIN pg_catalog.pg_depend dep ON dep.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass "
    "AND dep.objid = d.oid AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass "
    "UNION SELECT dep.objid, dep.refobjid, dep.refobjsubid FROM pg_catalog.pg_depend dep "
    "WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND dep.refclassid = "
    "'pg_catalog.pg_class'::pg_catalog.regclass AND dep.deptype = 'i' AND dep.refobjsubid > 0"
    ") f JOIN pg_catalog.pg_class sc ON sc.oid = f.seq AND sc.relkind = 'S' "
    "JOIN pg_catalog.pg_sequence s ON s.seqrelid = sc.oid "
    "JOIN pg_catalog.pg_namespace sn ON sn.oid = sc.relnamespace "
    "JOIN pg_catalog.pg_class tc ON tc.oid = f.rel "
    "JOIN pg_catalog.pg_namespace n ON n.oid = tc.relnamespace "
    "JOIN pg_catalog.pg_namespace tn ON tn.oid = tc.relnamespace "
    "JOIN pg_catalog.pg_attribute a ON a.attrelid = f.rel AND a.attnum = f.att "
    "WHERE s.seqincrement > 0 AND tc.relkind IN ('r', 'p') AND NOT tc.relispartition AND"
    USER_NSP;

static int fill_sequences(pgt_conn *c, df_target *t, char *err, size_t errlen)
{
    PGresult *res = query(c, sql_sequences, 4, err, errlen);
    int rc = 0;

    if (res == NULL)
        return -1;
    for (int i = 0; rc == 0 && i < PQntuples(res); i++) {
        PGresult *v = query(c, val(res, i, 3), 2, err, errlen);
        if (v == NULL) {
            rc = -1;
            break;
        }
        if (df_target_add_sequence(t, val(res, i, 0), val(res, i, 1), val(res, i, 2),
                                   strtoll(PQgetvalue(v, 0, 0), NULL, 10),
                                   PQgetisnull(v, 0, 1) ? -1
                                                        : strtoll(PQgetvalue(v, 0, 1), NULL, 10),
                                   NULL) != DF_OK) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
        PQclear(v);
    }
    PQclear(res);
    return rc;
}

static int count_rows_serial(pgt_conn *c, df_target *t, char *err, size_t errlen)
{
    return pgt_fill_rows(c, NULL, 1, t, err, errlen);
}

static int fill_los(pgt_conn *c, df_target *t, char *err, size_t errlen)
{
    PGresult *res =
        query(c, "SELECT count(*) FROM pg_catalog.pg_largeobject_metadata", 1, err, errlen);
    int rc;

    if (res == NULL)
        return -1;
    rc = df_target_set_large_objects(t, strtoll(PQgetvalue(res, 0, 0), NULL, 10), NULL);
    PQclear(res);
    return rc == DF_OK ? 0 : -1;
}

int pgt_fill(pgt_conn *c, df_target *t, int what, char *err, size_t errlen)
{
    if ((what & PGT_SERVER) && fill_server(c, t, err, errlen) != 0)
        return -1;
    if ((what & PGT_ROLES) &&
        (fill_rows(c, t, "SELECT rolname FROM pg_catalog.pg_roles", 1, add_role, err, errlen) !=
             0 ||
         fill_rows(c, t,
                   "SELECT r.rolname, u.rolname FROM pg_catalog.pg_auth_members m "
                   "JOIN pg_catalog.pg_roles r ON r.oid = m.roleid "
                   "JOIN pg_catalog.pg_roles u ON u.oid = m.member",
                   2, add_member, err, errlen) != 0))
        return -1;
    if ((what & PGT_OBJECTS) && fill_objects(c, t, err, errlen) != 0)
        return -1;
    if ((what & PGT_NEEDS) &&
        (fill_rows(c, t, "SELECT name FROM pg_catalog.pg_available_extensions", 1,
                   add_extension, err, errlen) != 0 ||
         fill_rows(c, t, "SELECT spcname FROM pg_catalog.pg_tablespace", 1, add_tablespace, err,
                   errlen) != 0))
        return -1;
    if ((what & PGT_ROWS) && count_rows_serial(c, t, err, errlen) != 0)
        return -1;
    if ((what & (PGT_ROWS | PGT_LARGE_OBJECTS)) && fill_los(c, t, err, errlen) != 0)
        return -1;
    if ((what & PGT_SEQUENCES) && fill_sequences(c, t, err, errlen) != 0)
        return -1;
    return 0;
}

#else /* no libpq: dumprestore can only say so */

pgt_conn *pgt_connect(const char *conninfo, const char *app, char *err, size_t errlen,
                      int *missing_db)
{
    (void)conninfo;
    (void)app;
    *missing_db = 0;
    snprintf(err, errlen, "this dumprestore was built without libpq");
    return NULL;
}

void pgt_close(pgt_conn *c)
{
    (void)c;
}

int pgt_server_num(const pgt_conn *c)
{
    (void)c;
    return 0;
}

int pgt_fill_rows(pgt_conn *c, const char *conninfo, int nconn, df_target *t, char *err,
                  size_t errlen)
{
    (void)c;
    (void)conninfo;
    (void)nconn;
    (void)t;
    snprintf(err, errlen, "this dumprestore was built without libpq");
    return -1;
}

int pgt_fill(pgt_conn *c, df_target *t, int what, char *err, size_t errlen)
{
    (void)c;
    (void)t;
    (void)what;
    snprintf(err, errlen, "this dumprestore was built without libpq");
    return -1;
}

int pgt_exec(pgt_conn *c, const char *sql, char *err, size_t errlen)
{
    (void)c;
    (void)sql;
    snprintf(err, errlen, "this dumprestore was built without libpq");
    return -1;
}
#endif
