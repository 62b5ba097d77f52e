/*
 * dumproles.c — which roles a restore of a dump needs, which of them a
 * target lacks, and the script that creates them (the cure for
 * `role "x" does not exist` that does not throw away owners and grants).
 *
 * The target is a pg_dumpall --globals-only/--roles-only script
 * (--globals) or a live cluster (-d, through libpq).  All dump knowledge
 * is in libdumpfmt (roles.c); this file parses options, asks the cluster
 * what it has, calls the library and prints.
 */
#include "common.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#ifdef DF_HAVE_LIBPQ
#include <libpq-fe.h>
#endif

#define PROG "dumproles"
/* Seconds -d waits for a server to answer unless told otherwise (libpq's connect_timeout). */
#define DR_CONNECT_TIMEOUT "10"

typedef struct dr_options {
    int names;
    int json;
    int create;
    int quiet;
    const char *objects;  /* --objects ROLE */
    const char *globals;  /* --globals FILE */
    const char *conninfo; /* -d CONNINFO */
    const char *path;
    tool_progress_mode progress; /* while a plain script is read */
    int follow_symlinks;
} dr_options;

/* What the live cluster says about one of its roles. */
typedef struct dr_cluster_role {
    char *name;
    int can_login;
    int member; /* the connected user is a member (16+: may SET ROLE), or a superuser */
} dr_cluster_role;

typedef struct dr_cluster {
    char *user; /* current_user */
    int superuser;
    dr_cluster_role *roles;
    size_t n;
    char **members; /* pg_auth_members as (role, member) pairs: 2 * nmembers names */
    size_t nmembers;
} dr_cluster;

/* A reason the restore would still fail although the role exists. */
typedef struct dr_problem {
    const char *role;
    const char *code; /* "cannot-login", "needs-superuser", "not-a-member" */
    char message[512];
} dr_problem;

typedef struct dr_run {
    const dr_options *o;
    df_reader *r, *gr; /* the dump, the globals script */
    df_roles *s, *gs;  /* their roles */
    int compared;      /* a target was given */
    int missing;
    dr_cluster cluster;
    int have_cluster;
    dr_problem *problems;
    size_t nproblems;
    int damaged; /* the dump (or the globals script) looks cut short */
} dr_run;

/* ------------------------------------------------------------------ */
/* Options                                                             */
/* ------------------------------------------------------------------ */

enum {
    OPT_NAMES = 256,
    OPT_JSON,
    OPT_OBJECTS,
    OPT_GLOBALS,
    OPT_CREATE,
    OPT_HELP,
    OPT_PROGRESS,
    OPT_NO_PROGRESS,
    OPT_FOLLOW_SYMLINKS,
};

static const struct option long_options[] = {
    {"names", no_argument, NULL, OPT_NAMES},
    {"json", no_argument, NULL, OPT_JSON},
    {"objects", required_argument, NULL, OPT_OBJECTS},
    {"globals", required_argument, NULL, OPT_GLOBALS},
    {"dbname", required_argument, NULL, 'd'},
    {"create", no_argument, NULL, OPT_CREATE},
    {"quiet", no_argument, NULL, 'q'},
    {"progress", no_argument, NULL, OPT_PROGRESS},
    {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
    {"follow-symlinks", no_argument, NULL, OPT_FOLLOW_SYMLINKS},
    {"help", no_argument, NULL, OPT_HELP},
    {"version", no_argument, NULL, 'V'},
    {NULL, 0, NULL, 0},
};

static void print_help(void)
{
    printf("%s lists the roles a restore of a pg_dump archive or script needs,\n"
           "reports which of them a target lacks, and writes the script that creates them.\n\n",
           PROG);
    printf("Usage:\n  %s [OPTION]... DUMP\n\n", PROG);
    printf("DUMP is a custom-format file, a directory-format directory, a tar file, a\n"
           "plain-format script (also gzip, lz4 or zstd compressed, and pg_dumpall\n"
           "output), or \"-\" for standard input.\n\n");
    printf("Options:\n"
           "      --names              print only the role names, one per line\n"
           "      --json               print one JSON document\n"
           "      --objects=ROLE       list the entries that reference ROLE\n"
           "      --globals=FILE       compare with a pg_dumpall --globals-only or\n"
           "                           --roles-only script (with -d: the source cluster's,\n"
           "                           whose memberships the cluster must have and where\n"
           "                           --create takes memberships and attributes from)\n"
           "  -d, --dbname=CONNINFO    compare with the roles of a live cluster (libpq;\n"
           "                           PG* environment variables are honoured; gives up\n"
           "                           after " DR_CONNECT_TIMEOUT
           " s without PGCONNECT_TIMEOUT or\n"
           "                           connect_timeout)\n"
           "      --create             print a script that creates the missing roles\n"
           "  -q, --quiet              print no diagnostics except errors\n"
           "      --progress           show progress on stderr while reading a script\n"
           "      --no-progress        never show progress\n"
           "      --follow-symlinks    read a directory archive's toc.dat that is a\n"
           "                           symbolic link to a place outside the directory\n"
           "      --help               show this help, then exit\n"
           "      --version            show the version, then exit\n\n");
    printf("Without a target every role is listed: its name, a tab, then its\n"
           "references by kind and the number of objects it owns.  With a target only\n"
           "the missing roles are listed.\n\n");
    printf("Exit status: 0 nothing missing (or no target given), 1 roles missing or a\n"
           "role the restore cannot use, 2 the dump is damaged, 3 could not run.\n");
}

static int apply_option(dr_options *o, int c, const char *arg)
{
    switch (c) {
    case OPT_NAMES: o->names = 1; return -1;
    case OPT_JSON: o->json = 1; return -1;
    case OPT_CREATE: o->create = 1; return -1;
    case 'q': o->quiet = 1; return -1;
    case OPT_PROGRESS: o->progress = TOOL_PROGRESS_ON; return -1;
    case OPT_NO_PROGRESS: o->progress = TOOL_PROGRESS_OFF; return -1;
    case OPT_FOLLOW_SYMLINKS: o->follow_symlinks = 1; return -1;
    case OPT_OBJECTS: o->objects = arg; return -1;
    case OPT_GLOBALS: o->globals = arg; return -1;
    case 'd': o->conninfo = arg; return -1;
    case OPT_HELP: print_help(); return tool_finish_output(PROG, stdout);
    case 'V': tool_print_version(PROG); return tool_finish_output(PROG, stdout);
    default: tool_usage_hint(PROG); return TOOL_EXIT_UNKNOWN; /* getopt said why */
    }
}

/* The output modes exclude each other. */
static int check_modes(const dr_options *o)
{
    int modes = o->names + o->json + o->create + (o->objects != NULL);

    if (modes > 1 && !(modes == 2 && o->json && o->objects)) {
        tool_errorf(PROG, "--names, --json, --objects and --create cannot be combined "
                          "(except --json with --objects)");
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    }
    return -1;
}

static int parse_options(int argc, char **argv, dr_options *o)
{
    char prog_name[] = PROG;
    char *argv0 = argv[0];
    int c, rc = -1;

    memset(o, 0, sizeof *o);
    argv[0] = prog_name; /* getopt's messages name argv[0] */
    while (rc < 0 && (c = getopt_long(argc, argv, "d:qV", long_options, NULL)) != -1)
        rc = apply_option(o, c, optarg);
    argv[0] = argv0;
    if (rc >= 0)
        return rc;
    if (argc - optind != 1) {
        tool_errorf(PROG, argc - optind == 0 ? "no dump given" : "too many arguments");
        tool_usage_hint(PROG);
        return TOOL_EXIT_UNKNOWN;
    }
    o->path = argv[optind];
    if (o->quiet) /* progress is a diagnostic too */
        o->progress = TOOL_PROGRESS_OFF;
    return check_modes(o);
}

/* ------------------------------------------------------------------ */
/* Reading the dump and the globals script                             */
/* ------------------------------------------------------------------ */

static void print_reader_error(const char *path, df_reader *r, int st)
{
    df_error err = *df_reader_error(r);

    if (err.code == DF_OK)
        err.code = st;
    tool_print_error(PROG, path, &err);
}

/* A plain script that ends early: the roles after the cut are not seen. */
static int check_complete(const dr_run *run, const char *path, df_reader *r)
{
    const df_header *h = df_reader_header(r);

    if (h->format != DF_FORMAT_PLAIN)
        return 0;
    if (h->script_error != NULL) {
        tool_print_error(PROG, path, h->script_error);
        return 1;
    }
    if (!h->has_trailer) {
        if (!run->o->quiet)
            tool_errorf(PROG,
                        "%s: the script ends without its \"dump complete\" trailer: it may "
                        "be truncated, and roles after the cut are not seen",
                        path);
        return 1;
    }
    return 0;
}

/* Open `path` and collect its roles; returns -1 to go on, else an exit status. */
static int read_roles(dr_run *run, const char *path, df_reader **rp, df_roles **sp)
{
    tool_progress pr;
    int st;

    *rp = df_reader_new(NULL);
    if (*rp == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    tool_progress_init(&pr, PROG, run->o->progress);
    pr.what = path;
    if (pr.enabled) /* a plain script is read whole at open */
        df_reader_set_progress(*rp, tool_progress_cb, &pr);
    df_reader_set_follow_symlinks(*rp, run->o->follow_symlinks);
    st = df_reader_open_path(*rp, path);
    df_reader_set_progress(*rp, NULL, NULL); /* pr goes out of scope */
    tool_progress_end(&pr);
    if (st != DF_OK) {
        print_reader_error(path, *rp, st);
        return tool_exit_for_open_error(df_reader_error(*rp));
    }
    st = df_roles_collect(*rp, sp);
    if (st != DF_OK) {
        print_reader_error(path, *rp, st);
        return tool_exit_for_status(st);
    }
    run->damaged |= check_complete(run, path, *rp);
    return -1;
}

/* --globals must be pg_dumpall output; returns -1 to go on, else an exit status. */
static int read_globals(dr_run *run)
{
    const df_header *h;
    int rc = read_roles(run, run->o->globals, &run->gr, &run->gs);

    if (rc >= 0)
        return rc == TOOL_EXIT_DAMAGED ? TOOL_EXIT_UNKNOWN : rc;
    h = df_reader_header(run->gr);
    if (h->format != DF_FORMAT_PLAIN || h->plain_kind == DF_PLAIN_PG_DUMP) {
        tool_errorf(PROG,
                    "%s: not a pg_dumpall script (use pg_dumpall --globals-only or "
                    "--roles-only)",
                    run->o->globals);
        return TOOL_EXIT_UNKNOWN;
    }
    return -1;
}

/* ------------------------------------------------------------------ */
/* The live cluster (-d)                                               */
/* ------------------------------------------------------------------ */

static void free_cluster(dr_cluster *c)
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

static const dr_cluster_role *cluster_role(const dr_cluster *c, const char *name)
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
static int query_cluster(dr_run *run)
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
static int query_cluster(dr_run *run)
{
    (void)run;
    tool_errorf(PROG, "-d needs libpq: this dumproles was built without it");
    return TOOL_EXIT_UNKNOWN;
}
#endif

/* ------------------------------------------------------------------ */
/* Comparison                                                          */
/* ------------------------------------------------------------------ */

static int add_problem(dr_run *run, const char *role, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int add_problem(dr_run *run, const char *role, const char *code, const char *fmt, ...)
{
    dr_problem *np = realloc(run->problems, (run->nproblems + 1) * sizeof *np);
    va_list ap;

    if (np == NULL)
        return -1;
    run->problems = np;
    np = &run->problems[run->nproblems++];
    np->role = role;
    np->code = code;
    va_start(ap, fmt);
    vsnprintf(np->message, sizeof np->message, fmt, ap);
    va_end(ap);
    return 0;
}

/*
 * Memberships the --globals script (the source cluster) grants between roles the dump names
 * that the cluster lacks: a view owned by the member that reads what only the role may read
 * fails (REFRESH MATERIALIZED VIEW: permission denied).  -1 when out of memory.
 */
static int membership_problems(dr_run *run)
{
    int n, bad = 0;

    if (run->gs == NULL)
        return 0;
    n = df_roles_compare_memberships(run->s, run->gs, (const char *const *)run->cluster.members,
                                     run->cluster.nmembers);
    if (n < 0)
        return -1;
    for (size_t i = 0; i < df_roles_missing_membership_count(run->s); i++) {
        const df_role_membership *m = df_roles_missing_membership_at(run->s, i);
        bad |= add_problem(run, m->member, "missing-membership",
                           "role \"%s\" is not a member of role \"%s\" in the cluster, as in "
                           "the globals script: --create grants it",
                           m->member, m->role);
    }
    return bad;
}

/* Roles that exist but that the restore, run as the connected user, still cannot use. */
static int find_problems(dr_run *run)
{
    const dr_cluster *c = &run->cluster;
    int bad = 0;

    for (size_t i = 0; i < df_roles_count(run->s); i++) {
        const df_role *role = df_roles_at(run->s, i);
        const dr_cluster_role *cr = cluster_role(c, role->name);

        if (cr == NULL)
            continue;
        if ((role->needs & DF_ROLE_NEEDS_LOGIN) && !cr->can_login)
            bad |=
                add_problem(run, role->name, "cannot-login",
                            "role \"%s\" cannot log in, but the script connects as it", role->name);
        if ((role->needs & DF_ROLE_NEEDS_SESSION_AUTH) && !c->superuser)
            bad |= add_problem(run, role->name, "needs-superuser",
                               "SET SESSION AUTHORIZATION \"%s\" needs a superuser, and \"%s\" "
                               "is not one",
                               role->name, c->user);
        if ((role->needs & (DF_ROLE_NEEDS_SET_ROLE | DF_ROLE_NEEDS_OWNERSHIP)) && !cr->member)
            bad |= add_problem(run, role->name, "not-a-member",
                               "\"%s\" is neither a superuser nor a member of role \"%s\": %s "
                               "\"%s\" will fail",
                               c->user, role->name,
                               (role->needs & DF_ROLE_NEEDS_SET_ROLE) ? "SET ROLE"
                                                                      : "ALTER ... OWNER TO",
                               role->name);
    }
    bad |= membership_problems(run);
    if (bad)
        tool_errorf(PROG, "out of memory");
    return bad ? TOOL_EXIT_UNKNOWN : -1;
}

/* The roles a target has: pg_roles, or the roles a globals script creates. */
static int compare(dr_run *run)
{
    const char **names;
    size_t n = 0, cap;
    int builtins = !run->have_cluster, missing;

    cap = run->have_cluster ? run->cluster.n : df_roles_count(run->gs);
    names = calloc(cap + 1, sizeof *names);
    if (names == NULL) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    for (size_t i = 0; i < cap; i++) {
        if (run->have_cluster)
            names[n++] = run->cluster.roles[i].name;
        else if (df_roles_at(run->gs, i)->defined)
            names[n++] = df_roles_at(run->gs, i)->name;
    }
    missing = df_roles_compare(run->s, names, n, builtins);
    free(names);
    if (missing < 0) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    run->missing = missing;
    run->compared = 1;
    return run->have_cluster ? find_problems(run) : -1;
}

/* ------------------------------------------------------------------ */
/* Text output                                                         */
/* ------------------------------------------------------------------ */

static int listed(const dr_run *run, const df_role *role)
{
    return !run->compared || role->missing;
}

/* DF_ROLE_WHEN_* of a role only some pg_restore options need (-C, --use-set-session-...), else 0.
 */
static int only_with(const df_role *role)
{
    return role->when & DF_ROLE_WHEN_ALWAYS
               ? 0
               : role->when & (DF_ROLE_WHEN_CREATE | DF_ROLE_WHEN_SESSION_AUTH);
}

static void print_role_line(const df_role *role)
{
    int only = only_with(role);

    fputs(role->name, stdout);
    putchar('\t');
    for (int k = 0; k < DF_ROLE_NKINDS; k++)
        if (role->refs[k] > 0)
            printf("%s=%lld ", df_role_kind_name(k), (long long)role->refs[k]);
    printf("objects=%lld", (long long)role->objects);
    if (role->builtin)
        fputs(" built-in", stdout);
    if (only)
        printf(" only-with=%s%s%s", only & DF_ROLE_WHEN_CREATE ? "create" : "",
               only == (DF_ROLE_WHEN_CREATE | DF_ROLE_WHEN_SESSION_AUTH) ? "," : "",
               only & DF_ROLE_WHEN_SESSION_AUTH ? "session-authorization" : "");
    putchar('\n');
}

static void print_roles(const dr_run *run)
{
    for (size_t i = 0; i < df_roles_count(run->s); i++) {
        const df_role *role = df_roles_at(run->s, i);

        if (!listed(run, role))
            continue;
        if (run->o->names)
            printf("%s\n", role->name);
        else
            print_role_line(role);
    }
}

/* The kinds by which `name` appears in one entry, from refs[from..to). */
static void print_kinds(const df_roles *s, size_t from, size_t to, const char *name)
{
    int first = 1;

    for (size_t i = from; i < to; i++) {
        const df_role_ref *ref = df_roles_ref_at(s, i);
        if (strcmp(ref->name, name) == 0) {
            printf("%s%s", first ? "" : ",", df_role_kind_name(ref->kind));
            first = 0;
        }
    }
}

/* End of the run of references that share refs[i]'s entry. */
static size_t entry_run_end(const df_roles *s, size_t i)
{
    const df_entry *e = df_roles_ref_at(s, i)->entry;
    size_t j = i + 1;

    while (j < df_roles_ref_count(s) && df_roles_ref_at(s, j)->entry == e)
        j++;
    return j;
}

static int entry_mentions(const df_roles *s, size_t from, size_t to, const char *name)
{
    for (size_t i = from; i < to; i++)
        if (strcmp(df_roles_ref_at(s, i)->name, name) == 0)
            return 1;
    return 0;
}

/* pg_restore -l style: "<id>; <tableoid> <oid> <desc> <schema> <tag> <owner>". */
static void print_entry_head(const df_entry *e)
{
    if (e == NULL) {
        fputs("; script", stdout);
        return;
    }
    printf("%d; %u %u ", (int)e->dump_id, e->table_oid, e->oid);
    tool_put_sanitized(stdout, e->desc, 0);
    putchar(' ');
    tool_put_sanitized(stdout, e->schema, 1);
    putchar(' ');
    tool_put_sanitized(stdout, e->tag, 0);
    putchar(' ');
    tool_put_sanitized(stdout, e->owner, 0);
}

static void print_objects(const dr_run *run)
{
    const df_roles *s = run->s;

    for (size_t i = 0; i < df_roles_ref_count(s);) {
        size_t end = entry_run_end(s, i);

        if (entry_mentions(s, i, end, run->o->objects)) {
            print_entry_head(df_roles_ref_at(s, i)->entry);
            putchar('\t');
            print_kinds(s, i, end, run->o->objects);
            putchar('\n');
        }
        i = end;
    }
}

/* ------------------------------------------------------------------ */
/* JSON output                                                         */
/* ------------------------------------------------------------------ */

static void json_needs(tool_json *j, int needs)
{
    static const struct {
        int bit;
        const char *name;
    } names[] = {{DF_ROLE_NEEDS_LOGIN, "login"},
                 {DF_ROLE_NEEDS_SESSION_AUTH, "session-authorization"},
                 {DF_ROLE_NEEDS_SET_ROLE, "set-role"},
                 {DF_ROLE_NEEDS_OWNERSHIP, "ownership"}};

    tool_json_key(j, "needs");
    tool_json_begin_array_inline(j);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (needs & names[i].bit)
            tool_json_string(j, names[i].name);
    tool_json_end_array(j);
}

static void json_role(tool_json *j, const dr_run *run, const df_role *role)
{
    const dr_cluster_role *cr = run->have_cluster ? cluster_role(&run->cluster, role->name) : NULL;

    tool_json_begin_object(j);
    tool_json_key(j, "name"), tool_json_string(j, role->name);
    tool_json_key(j, "builtin"), tool_json_bool(j, role->builtin);
    tool_json_key(j, "defined"), tool_json_bool(j, role->defined);
    tool_json_key(j, "references");
    tool_json_begin_object(j);
    for (int k = 0; k < DF_ROLE_NKINDS; k++)
        if (role->refs[k] > 0)
            tool_json_key(j, df_role_kind_name(k)), tool_json_int(j, role->refs[k]);
    tool_json_end_object(j);
    tool_json_key(j, "objects"), tool_json_int(j, role->objects);
    json_needs(j, role->needs);
    tool_json_key(j, "only_with");
    tool_json_begin_array_inline(j);
    if (only_with(role) & DF_ROLE_WHEN_CREATE)
        tool_json_string(j, "create");
    if (only_with(role) & DF_ROLE_WHEN_SESSION_AUTH)
        tool_json_string(j, "session-authorization");
    tool_json_end_array(j);
    tool_json_key(j, "missing");
    if (run->compared)
        tool_json_bool(j, role->missing);
    else
        tool_json_null(j);
    tool_json_key(j, "can_login");
    if (cr)
        tool_json_bool(j, cr->can_login);
    else
        tool_json_null(j);
    tool_json_end_object(j);
}

static void json_target(tool_json *j, const dr_run *run)
{
    tool_json_key(j, "target");
    if (!run->compared) {
        tool_json_null(j);
        return;
    }
    tool_json_begin_object(j);
    /* never the conninfo: it may hold a password */
    tool_json_key(j, "kind"), tool_json_string(j, run->have_cluster ? "cluster" : "globals");
    tool_json_key(j, "globals"), tool_json_string(j, run->o->globals);
    tool_json_key(j, "user"), tool_json_string(j, run->have_cluster ? run->cluster.user : NULL);
    tool_json_key(j, "superuser");
    if (run->have_cluster)
        tool_json_bool(j, run->cluster.superuser);
    else
        tool_json_null(j);
    tool_json_end_object(j);
}

static void json_missing_and_problems(tool_json *j, const dr_run *run)
{
    tool_json_key(j, "missing");
    if (!run->compared) {
        tool_json_null(j);
    } else {
        tool_json_begin_array(j);
        for (size_t i = 0; i < df_roles_count(run->s); i++)
            if (df_roles_at(run->s, i)->missing)
                tool_json_string(j, df_roles_at(run->s, i)->name);
        tool_json_end_array(j);
    }
    tool_json_key(j, "problems");
    tool_json_begin_array(j);
    for (size_t i = 0; i < run->nproblems; i++) {
        tool_json_begin_object(j);
        tool_json_key(j, "role"), tool_json_string(j, run->problems[i].role);
        tool_json_key(j, "problem"), tool_json_string(j, run->problems[i].code);
        tool_json_key(j, "message"), tool_json_string(j, run->problems[i].message);
        tool_json_end_object(j);
    }
    tool_json_end_array(j);
}

static void json_entries(tool_json *j, const dr_run *run)
{
    const df_roles *s = run->s;

    tool_json_key(j, "entries");
    tool_json_begin_array(j);
    for (size_t i = 0; i < df_roles_ref_count(s);) {
        size_t end = entry_run_end(s, i);
        const df_entry *e = df_roles_ref_at(s, i)->entry;

        if (entry_mentions(s, i, end, run->o->objects)) {
            tool_json_begin_object(j);
            tool_json_key(j, "dump_id");
            if (e)
                tool_json_int(j, e->dump_id);
            else
                tool_json_null(j);
            tool_json_key(j, "desc"), tool_json_string(j, e ? e->desc : NULL);
            tool_json_key(j, "schema"), tool_json_string(j, e ? e->schema : NULL);
            tool_json_key(j, "tag"), tool_json_string(j, e ? e->tag : NULL);
            tool_json_key(j, "owner"), tool_json_string(j, e ? e->owner : NULL);
            tool_json_key(j, "kinds");
            tool_json_begin_array_inline(j);
            for (size_t k = i; k < end; k++)
                if (strcmp(df_roles_ref_at(s, k)->name, run->o->objects) == 0)
                    tool_json_string(j, df_role_kind_name(df_roles_ref_at(s, k)->kind));
            tool_json_end_array(j);
            tool_json_end_object(j);
        }
        i = end;
    }
    tool_json_end_array(j);
}

static void print_json(const dr_run *run)
{
    const df_header *h = df_reader_header(run->r);
    tool_json j;

    tool_json_init(&j, stdout, 2);
    tool_json_begin_object(&j);
    tool_json_key(&j, "file"), tool_json_string(&j, run->o->path);
    tool_json_key(&j, "format"), tool_json_string(&j, df_format_name(h->format));
    tool_json_key(&j, "complete"), tool_json_bool(&j, !run->damaged);
    json_target(&j, run);
    tool_json_key(&j, "roles");
    tool_json_begin_array(&j);
    for (size_t i = 0; i < df_roles_count(run->s); i++)
        json_role(&j, run, df_roles_at(run->s, i));
    tool_json_end_array(&j);
    json_missing_and_problems(&j, run);
    if (run->o->objects)
        json_entries(&j, run);
    tool_json_end_object(&j);
    tool_json_finish(&j);
}

/* ------------------------------------------------------------------ */
/* Main                                                                */
/* ------------------------------------------------------------------ */

static void print_summary(const dr_run *run)
{
    const char *where = run->have_cluster ? "the cluster" : "the globals script";
    int only = 0;

    for (size_t i = 0; i < run->nproblems; i++)
        tool_errorf(PROG, "%s", run->problems[i].message);
    if (run->o->quiet || !run->compared)
        return;
    for (size_t i = 0; i < df_roles_count(run->s); i++)
        only += df_roles_at(run->s, i)->missing && only_with(df_roles_at(run->s, i));
    if (run->missing > 0 && only > 0)
        tool_errorf(PROG,
                    "%d of %zu roles the dump needs are missing from %s (%d of them only with "
                    "pg_restore -C or --use-set-session-authorization)",
                    run->missing, df_roles_count(run->s), where, only);
    else if (run->missing > 0)
        tool_errorf(PROG, "%d of %zu roles the dump needs are missing from %s", run->missing,
                    df_roles_count(run->s), where);
    else
        tool_errorf(PROG, "every role the dump needs exists in %s", where);
}

static int write_output(dr_run *run)
{
    int st;

    if (run->o->create) {
        st = df_roles_write_create(run->s, run->gs, stdout);
        if (st == DF_E_NOMEM)
            tool_errorf(PROG, "out of memory");
        if (st != DF_OK)
            return TOOL_EXIT_UNKNOWN; /* a write error is reported by tool_finish_output */
    } else if (run->o->json) {
        print_json(run);
    } else if (run->o->objects) {
        print_objects(run);
        if (df_roles_find(run->s, run->o->objects) == NULL && !run->o->quiet)
            tool_errorf(PROG, "%s: role \"%s\" is not referenced", run->o->path, run->o->objects);
    } else {
        print_roles(run);
    }
    return TOOL_EXIT_OK;
}

static int run_dumproles(dr_run *run)
{
    int rc;

    if ((rc = read_roles(run, run->o->path, &run->r, &run->s)) >= 0)
        return rc;
    if (run->o->globals && (rc = read_globals(run)) >= 0)
        return rc;
    if (run->o->conninfo && (rc = query_cluster(run)) >= 0)
        return rc;
    if ((run->o->globals || run->o->conninfo) && (rc = compare(run)) >= 0)
        return rc;
    if ((rc = write_output(run)) != TOOL_EXIT_OK)
        return rc;
    print_summary(run);
    if (run->damaged)
        return TOOL_EXIT_DAMAGED;
    return run->missing > 0 || run->nproblems > 0 ? TOOL_EXIT_WARNING : TOOL_EXIT_OK;
}

int main(int argc, char **argv)
{
    dr_options o;
    dr_run run;
    int rc;

    if ((rc = parse_options(argc, argv, &o)) >= 0)
        return rc;
    memset(&run, 0, sizeof run);
    run.o = &o;
    rc = run_dumproles(&run);
    rc = tool_exit_worse(rc, tool_finish_output(PROG, stdout));
    df_roles_free(run.s);
    df_roles_free(run.gs);
    df_reader_free(run.r);
    df_reader_free(run.gr);
    free_cluster(&run.cluster);
    free(run.problems);
    return rc;
}
