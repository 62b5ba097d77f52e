/*
 * role_print.c — dumproles' output: the roles (text or --json), the objects
 * of one role (--objects), the --create script, and the summary on stderr.
 */
#include "rolecheck.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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
    const dr_cluster_role *cr = run->have_cluster ? dr_cluster_role_named(&run->cluster, role->name) : NULL;

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

void dr_print_summary(const dr_run *run)
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

int dr_write_output(dr_run *run)
{
    int st;

    if (run->o->create) {
        st = df_roles_write_create(run->s, run->gs, stdout, NULL);
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

