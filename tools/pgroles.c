/*
 * pgroles.c — dumproles -d: what a live cluster has (current_user, pg_roles,
 * pg_auth_members), read through libpq.
 */
#include "rolecheck.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#ifdef DF_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

/* ------------------------------------------------------------------ */
/* The live cluster (-d)                                               */
/* ------------------------------------------------------------------ */

void dr_free_cluster(dr_cluster *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->roles[i].name);
    for (size_t i = 0; i < 2 * c->nmembers; i++)
        free(c->members[i]);
    free(c->members);
    free(c->roles);
    free(c->user);
    memset(c, 0, sizeof *c);
}

const dr_cluster_role *dr_cluster_role_named(const dr_cluster *c, const char *name)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->roles[i].name, name) == 0)
            return &c->roles[i];
    return NULL;
}

#ifdef DF_HAVE_LIBPQ
/* libpq's message on one line: its line breaks (and the tabs after them) become spaces. */
static void print_pq_error(const char *what, const char *msg)
{
    size_t n = strlen(msg), k = 0;
    char *line = malloc(n + 1);

    if (line == NULL) {
        tool_errorf(PROG, "%s: %s", what, msg);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (msg[i] == '\n' || msg[i] == '\r') {
            while (i + 1 < n && (msg[i + 1] == '\t' || msg[i + 1] == ' '))
                i++;
            line[k++] = ' ';
        } else {
            line[k++] = msg[i];
        }
    }
    while (k > 0 && line[k - 1] == ' ')
        k--;
    line[k] = '\0';
    tool_errorf(PROG, "%s: %s", what, line);
    free(line);
}

static PGresult *run_query(PGconn *conn, const char *sql, int ncols)
{
    PGresult *res = PQexec(conn, sql);

    if (PQresultStatus(res) != PGRES_TUPLES_OK || PQnfields(res) != ncols) {
        print_pq_error("query failed", PQerrorMessage(conn));
        PQclear(res);
        return NULL;
    }
    return res;
}

static int load_cluster_roles(PGconn *conn, dr_cluster *c)
{
    /* 16 and later: giving an object to a role needs the SET option of the membership */
    const char *sql = PQserverVersion(conn) >= 160000
                          ? "SELECT rolname, rolcanlogin, pg_catalog.pg_has_role(current_user, "
                            "oid, 'SET') FROM pg_catalog.pg_roles"
                          : "SELECT rolname, rolcanlogin, pg_catalog.pg_has_role(current_user, "
                            "oid, 'MEMBER') FROM pg_catalog.pg_roles";
    PGresult *res = run_query(conn, sql, 3);
    int n;

    if (res == NULL)
        return -1;
    n = PQntuples(res);
    c->roles = calloc((size_t)n + 1, sizeof *c->roles);
    for (int i = 0; c->roles != NULL && i < n; i++) {
        dr_cluster_role *cr = &c->roles[c->n];
        if ((cr->name = strdup(PQgetvalue(res, i, 0))) == NULL)
            break;
        cr->can_login = strcmp(PQgetvalue(res, i, 1), "t") == 0;
        cr->member = strcmp(PQgetvalue(res, i, 2), "t") == 0;
        c->n++;
    }
    PQclear(res);
    if (c->roles == NULL || c->n < (size_t)n) {
        tool_errorf(PROG, "out of memory");
        return -1;
    }
    return 0;
}

/* The cluster's role memberships, for the ones a --globals script grants. */
static int load_cluster_members(PGconn *conn, dr_cluster *c)
{
    PGresult *res = run_query(conn,
                              "SELECT r.rolname, u.rolname FROM pg_catalog.pg_auth_members m "
                              "JOIN pg_catalog.pg_roles r ON r.oid = m.roleid "
                              "JOIN pg_catalog.pg_roles u ON u.oid = m.member",
                              2);
    int n;

    if (res == NULL)
        return -1;
    n = PQntuples(res);
    c->members = calloc(2 * (size_t)n + 1, sizeof *c->members);
    for (int i = 0; c->members != NULL && i < n; i++) {
        char *role = strdup(PQgetvalue(res, i, 0)), *member = strdup(PQgetvalue(res, i, 1));
        if (role == NULL || member == NULL) {
            free(role);
            free(member);
            break;
        }
        c->members[2 * c->nmembers] = role;
        c->members[2 * c->nmembers + 1] = member;
        c->nmembers++;
    }
    PQclear(res);
    if (c->members == NULL || c->nmembers < (size_t)n) {
        tool_errorf(PROG, "out of memory");
        return -1;
    }
    return 0;
}

static int load_cluster_user(PGconn *conn, dr_cluster *c)
{
    PGresult *res = run_query(conn,
                              "SELECT current_user, rolsuper FROM pg_catalog.pg_roles "
                              "WHERE rolname = current_user",
                              2);

    if (res == NULL)
        return -1;
    if (PQntuples(res) == 1) {
        c->user = strdup(PQgetvalue(res, 0, 0));
        c->superuser = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
    }
    PQclear(res);
    if (c->user == NULL) {
        tool_errorf(PROG, "could not read the current user's role");
        return -1;
    }
    return 0;
}

/*
 * Whether to add DR_CONNECT_TIMEOUT: not when the user chose one (PGCONNECT_TIMEOUT, or
 * connect_timeout in the conninfo) or a service file may hold one.  libpq has no limit of its
 * own, so a server that accepts and never answers would hold dumproles for ever.
 */
static int wants_default_timeout(const char *conninfo)
{
    PQconninfoOption *opts;
    int wants = 1;

    if (getenv("PGCONNECT_TIMEOUT") != NULL || getenv("PGSERVICE") != NULL)
        return 0;
    opts = PQconninfoParse(conninfo, NULL);
    for (PQconninfoOption *o = opts; o != NULL && o->keyword != NULL; o++)
        if (o->val != NULL && o->val[0] != '\0' &&
            (strcmp(o->keyword, "connect_timeout") == 0 || strcmp(o->keyword, "service") == 0))
            wants = 0;
    PQconninfoFree(opts);
    return wants;
}

/* Connect, read pg_roles; returns -1 to go on, else an exit status (3). */
int dr_query_cluster(dr_run *run)
{
    /* the default comes first: what the conninfo (dbname, expanded) says overrides it */
    const char *keys[] = {"connect_timeout", "dbname", "fallback_application_name", NULL};
    const char *vals[] = {DR_CONNECT_TIMEOUT, run->o->conninfo, PROG, NULL};
    int first = wants_default_timeout(run->o->conninfo) ? 0 : 1;
    const char *encoding = df_roles_encoding(run->s);
    PGconn *conn = PQconnectdbParams(keys + first, vals + first, 1);
    int rc = -1;

    if (conn == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    if (PQstatus(conn) != CONNECTION_OK) {
        print_pq_error("could not connect", PQerrorMessage(conn));
        PQfinish(conn);
        return TOOL_EXIT_UNKNOWN;
    }
    /* names are compared byte for byte with the dump's, so read them in its encoding */
    if (encoding != NULL)
        PQsetClientEncoding(conn, encoding);
    if (load_cluster_user(conn, &run->cluster) != 0 ||
        load_cluster_roles(conn, &run->cluster) != 0 ||
        (run->o->globals && load_cluster_members(conn, &run->cluster) != 0))
        rc = TOOL_EXIT_UNKNOWN;
    else
        run->have_cluster = 1;
    PQfinish(conn);
    return rc;
}
#else
int dr_query_cluster(dr_run *run)
{
    (void)run;
    tool_errorf(PROG, "-d needs libpq: this dumproles was built without it");
    return TOOL_EXIT_UNKNOWN;
}
#endif

