/*
 * role_check.c — dumproles' reading and comparing: the dump's and the
 * --globals script's roles, the roles a target lacks, and the rules by
 * which a role that exists still fails the restore (cannot log in, needs a
 * superuser, not a member, a membership the cluster lacks).
 */
#include "rolecheck.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
int dr_read_roles(dr_run *run, const char *path, df_reader **rp, df_roles **sp)
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
    st = df_roles_collect(*rp, sp, NULL); /* the reader keeps the error too */
    if (st != DF_OK) {
        print_reader_error(path, *rp, st);
        return tool_exit_for_status(st);
    }
    run->damaged |= check_complete(run, path, *rp);
    return -1;
}

/* --globals must be pg_dumpall output; returns -1 to go on, else an exit status. */
int dr_read_globals(dr_run *run)
{
    const df_header *h;
    int rc = dr_read_roles(run, run->o->globals, &run->gr, &run->gs);

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
    int bad = 0;

    if (run->gs == NULL)
        return 0;
    if (df_roles_compare_memberships(run->s, run->gs, (const char *const *)run->cluster.members,
                                     run->cluster.nmembers, NULL, NULL) != DF_OK)
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
        const dr_cluster_role *cr = dr_cluster_role_named(c, role->name);

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
int dr_compare(dr_run *run)
{
    const char **names;
    size_t n = 0, cap;
    int builtins = !run->have_cluster, st;
    size_t missing = 0;

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
    st = df_roles_compare(run->s, names, n, builtins, &missing, NULL);
    free(names);
    if (st != DF_OK) {
        tool_errorf(PROG, "out of memory");
        return TOOL_EXIT_UNKNOWN;
    }
    run->missing = missing > INT32_MAX ? INT32_MAX : (int)missing;
    run->compared = 1;
    return run->have_cluster ? find_problems(run) : -1;
}

