/*
 * check_roles.c — the role extractor (roles.c, roles_sql.c): every dump of
 * the corpus against `roles_referenced` of MANIFEST.json; the SQL scanner
 * on each statement form of spec §13 with hostile quoting (quotes, spaces,
 * capitals, unicode, U& escapes, escape strings, dollar quotes, comments,
 * BEGIN ATOMIC bodies); the session statements of a plain script (SET
 * ROLE, SET SESSION AUTHORIZATION before and inside entries, \connect);
 * the comparison with a target; the create script; the identifier
 * helpers.
 */
#define _GNU_SOURCE /* open_memstream */
#include "check_util.h"
#include "dumpfmt.h"
#include "testhooks.h"
#include "roles.h"

#include <check.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <unistd.h>

/* ------------------------------------------------------------------ */
/* MANIFEST.json: file -> roles_referenced                             */
/* ------------------------------------------------------------------ */

typedef struct oracle {
    char *file; /* "pg18/sample.dir.gzip" (no trailing slash) */
    char **roles;
    size_t n;
} oracle;

static oracle *oracles;
static size_t noracles;

/* A JSON string at *pp (just past its opening quote), unescaped (\uXXXX as UTF-8). */
static char *json_string(const char **pp)
{
    const char *p = *pp;
    char *out = malloc(strlen(p) + 1);
    size_t k = 0;

    ck_assert_ptr_nonnull(out);
    while (*p && *p != '"') {
        if (*p == '\\' && p[1] == 'u') {
            unsigned cp = (unsigned)strtoul((char[]){p[2], p[3], p[4], p[5], 0}, NULL, 16);
            if (cp < 0x80) {
                out[k++] = (char)cp;
            } else if (cp < 0x800) {
                out[k++] = (char)(0xC0 | (cp >> 6));
                out[k++] = (char)(0x80 | (cp & 0x3F));
            } else {
                out[k++] = (char)(0xE0 | (cp >> 12));
                out[k++] = (char)(0x80 | ((cp >> 6) & 0x3F));
                out[k++] = (char)(0x80 | (cp & 0x3F));
            }
            p += 6;
        } else if (*p == '\\') {
            out[k++] = p[1] == 'n' ? '\n' : p[1] == 't' ? '\t' : p[1];
            p += 2;
        } else {
            out[k++] = *p++;
        }
    }
    out[k] = '\0';
    *pp = *p ? p + 1 : p;
    return out;
}

static void load_oracles(void)
{
    char path[4096];
    char *text = dft_read_file(dft_path(path, sizeof path, "MANIFEST.json"), NULL);
    const char *p, *end;

    ck_assert_msg(text != NULL, "cannot read %s", path);
    p = strstr(text, "\"dumps\"");
    end = p ? strstr(p, "\"damaged\"") : NULL;
    ck_assert(p && end);
    while ((p = strstr(p, "\"file\": \"")) != NULL && p < end) {
        const char *next, *roles;
        oracle *o;

        p += strlen("\"file\": \"");
        oracles = realloc(oracles, (noracles + 1) * sizeof *oracles);
        o = &oracles[noracles++];
        memset(o, 0, sizeof *o);
        o->file = json_string(&p);
        if (o->file[0] && o->file[strlen(o->file) - 1] == '/')
            o->file[strlen(o->file) - 1] = '\0';
        next = strstr(p, "\"file\": \"");
        roles = strstr(p, "\"roles_referenced\": [");
        ck_assert_msg(roles && (!next || roles < next), "%s: no roles_referenced", o->file);
        p = roles + strlen("\"roles_referenced\": [");
        while (*p && *p != ']') {
            if (*p++ != '"')
                continue;
            o->roles = realloc(o->roles, (o->n + 1) * sizeof *o->roles);
            o->roles[o->n++] = json_string(&p);
        }
    }
    free(text);
    ck_assert_uint_ge(noracles, 40);
}

static void free_oracles(void)
{
    for (size_t i = 0; i < noracles; i++) {
        for (size_t j = 0; j < oracles[i].n; j++)
            free(oracles[i].roles[j]);
        free(oracles[i].roles);
        free(oracles[i].file);
    }
    free(oracles);
    oracles = NULL;
    noracles = 0;
}

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static df_reader *open_path(const char *path, size_t io)
{
    df_reader *r = df_reader_new(NULL);
    int rc;

    ck_assert_ptr_nonnull(r);
    df_reader_set_io_size(r, io);
    rc = df_reader_open_path(r, path);
    ck_assert_msg(rc == DF_OK, "%s: %s", path, df_reader_error(r)->message);
    return r;
}

/* df_roles_compare's count of missing roles, the call asserted to succeed. */
static size_t compare(df_roles *s, const char *const *have, size_t n, int builtins)
{
    size_t missing = 99999;

    ck_assert_int_eq(df_roles_compare(s, have, n, builtins, &missing, NULL), DF_OK);
    return missing;
}

/* df_roles_compare_memberships's count, the call asserted to succeed. */
static size_t compare_members(df_roles *s, const df_roles *defs, const char *const *have, size_t n)
{
    size_t missing = 99999;

    ck_assert_int_eq(df_roles_compare_memberships(s, defs, have, n, &missing, NULL), DF_OK);
    return missing;
}

static df_roles *collect(df_reader *r)
{
    df_roles *s = NULL;
    df_error err;
    int rc = df_roles_collect(r, &s, &err);

    ck_assert_msg(rc == DF_OK, "collect: %s", err.message);
    ck_assert_ptr_nonnull(s);
    return s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* names[0..n) joined with "|" (malloc'd). */
static char *join(const char *const *names, size_t n)
{
    size_t len = 1, k = 0;
    char *out;

    for (size_t i = 0; i < n; i++)
        len += strlen(names[i]) + 1;
    out = malloc(len);
    ck_assert_ptr_nonnull(out);
    for (size_t i = 0; i < n; i++) {
        size_t m = strlen(names[i]);
        if (i)
            out[k++] = '|';
        memcpy(out + k, names[i], m);
        k += m;
    }
    out[k] = '\0';
    return out;
}

/* "a|b|c" of the roles, in df_roles order (sorted bytewise). */
static char *role_set(const df_roles *s)
{
    const char **v = calloc(df_roles_count(s) + 1, sizeof *v);
    char *out;

    for (size_t i = 0; i < df_roles_count(s); i++)
        v[i] = df_roles_at(s, i)->name;
    out = join(v, df_roles_count(s));
    free(v);
    return out;
}

/*
 * A naive oracle: every occurrence of `name` in the script text follows
 * "Owner: " (a header comment), so no statement names it.
 */
static bool only_in_owner_comments(const char *text, const char *name)
{
    for (const char *p = strstr(text, name); p != NULL; p = strstr(p + 1, name))
        if (p - text < 7 || strncmp(p - 7, "Owner: ", 7) != 0)
            return false;
    return true;
}

/*
 * The oracle's set, sorted bytewise.  MANIFEST.json lists, for the
 * 9.3 plain script only, owners as "name; Tablespace: " as well: its
 * generator split the 9.3 header comment ("Owner: x; Tablespace: ") at the
 * wrong place.  Such names are not roles; they are dropped here, and the
 * test below checks that each one is an artefact of a real owner.  The
 * generator also took every "Owner:" comment of a plain script (script:
 * its text, else NULL); a name no statement uses is no reference.
 */
static char *oracle_set(const oracle *o, const char *script, size_t *artefacts)
{
    char **v = calloc(o->n + 1, sizeof *v);
    size_t n = 0;
    char *out;

    *artefacts = 0;
    for (size_t i = 0; i < o->n; i++) {
        const char *cut = strstr(o->roles[i], "; Tablespace: ");
        if (cut != NULL && cut[strlen("; Tablespace: ")] == '\0') {
            (*artefacts)++;
            continue;
        }
        if (script != NULL && only_in_owner_comments(script, o->roles[i]))
            continue;
        v[n++] = o->roles[i];
    }
    qsort(v, n, sizeof *v, cmp_str);
    out = join((const char *const *)v, n);
    free(v);
    return out;
}

/* ------------------------------------------------------------------ */
/* The corpus against MANIFEST.json                                    */
/* ------------------------------------------------------------------ */

static void check_one_file(const oracle *o, size_t io)
{
    char path[4096];
    size_t artefacts;
    df_reader *r = open_path(dft_path(path, sizeof path, o->file), io);
    size_t len = strlen(o->file);
    char *script =
        len > 4 && strcmp(o->file + len - 4, ".sql") == 0 ? dft_read_file(path, NULL) : NULL;
    df_roles *s = collect(r);
    char *got = role_set(s), *want = oracle_set(o, script, &artefacts);

    ck_assert_msg(strcmp(got, want) == 0, "%s (io %zu):\n  want %s\n  got  %s", o->file, io, want,
                  got);
    /* every artefact "x; Tablespace: " stands for an owner x that is in the set */
    for (size_t i = 0; i < o->n && artefacts > 0; i++) {
        char *cut = strstr(o->roles[i], "; Tablespace: ");
        if (cut != NULL) {
            char *name = strndup(o->roles[i], (size_t)(cut - o->roles[i]));
            const df_role *role = df_roles_find(s, name);
            ck_assert_msg(role && role->refs[DF_ROLE_OWNER] > 0, "%s: artefact of %s", o->file,
                          name);
            free(name);
        }
    }
    ck_assert_msg(artefacts == 0 || strcmp(o->file, "pg93/sample.plain.sql") == 0,
                  "%s: unexpected oracle names", o->file);
    /* every role the set holds is named by at least one reference */
    for (size_t i = 0; i < df_roles_count(s); i++) {
        const df_role *role = df_roles_at(s, i);
        int64_t total = 0;
        for (int k = 0; k < DF_ROLE_NKINDS; k++)
            total += role->refs[k];
        ck_assert_int_gt(total, 0);
        ck_assert_int_eq(role->builtin, strncmp(role->name, "pg_", 3) == 0);
    }
    free(got);
    free(want);
    free(script);
    df_roles_free(s);
    df_reader_free(r);
}

START_TEST(corpus_matches_manifest)
{
    load_oracles();
    for (size_t i = 0; i < noracles; i++)
        check_one_file(&oracles[i], 0);
    free_oracles();
}
END_TEST

/* Results never depend on how the input is read. */
START_TEST(corpus_small_reads)
{
    static const char *const files[] = {"pg18/sample.custom.gzip.dump", "pg15/sample.tar",
                                        "pg93/sample.dir.gzip", "pg18/globals.sql"};

    load_oracles();
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++)
        for (size_t i = 0; i < noracles; i++)
            if (strcmp(oracles[i].file, files[f]) == 0)
                check_one_file(&oracles[i], 7);
    free_oracles();
}
END_TEST

/* Facts of the sample database (corpus/sample-db.sql) beyond the set. */
START_TEST(corpus_kinds)
{
    char path[4096];
    df_reader *r = open_path(dft_path(path, sizeof path, "pg18/sample.custom.gzip.dump"), 0);
    df_roles *s = collect(r);
    const df_role *ds = df_roles_find(s, "Data Steward"), *audit = df_roles_find(s, "AuditBot");
    const df_role *pdo = df_roles_find(s, "pg_database_owner"),
                  *rep = df_roles_find(s, "reporting");
    int column_acl = 0;

    ck_assert(ds && audit && pdo && rep);
    ck_assert_int_gt(ds->refs[DF_ROLE_OWNER], 0);
    ck_assert_int_eq(ds->refs[DF_ROLE_DEFAULT_PRIVILEGES], 1); /* FOR ROLE "Data Steward" */
    ck_assert_int_eq(ds->refs[DF_ROLE_POLICY], 1);             /* events_steward */
    ck_assert_int_eq(audit->refs[DF_ROLE_OWNER], 0);
    ck_assert_int_eq(audit->refs[DF_ROLE_POLICY], 1);
    ck_assert_int_eq(audit->refs[DF_ROLE_GRANTEE], 6); /* 4 column ACLs, schema, default ACL */
    ck_assert_int_eq(rep->refs[DF_ROLE_DEFAULT_PRIVILEGES], 1);
    ck_assert(pdo->builtin);
    ck_assert_int_eq(pdo->refs[DF_ROLE_OWNER], 1); /* the ACL of schema public */
    /* large objects: 910003 is Data Steward's, 910004..910005 postgres's */
    ck_assert_int_ge(df_roles_find(s, "postgres")->objects, 2);
    ck_assert(ds->needs & DF_ROLE_NEEDS_OWNERSHIP);
    ck_assert(!(audit->needs & DF_ROLE_NEEDS_OWNERSHIP));
    for (size_t i = 0; i < df_roles_ref_count(s); i++) {
        const df_role_ref *ref = df_roles_ref_at(s, i);
        ck_assert_ptr_nonnull(ref->entry);
        if (ref->kind == DF_ROLE_GRANTEE && strcmp(ref->name, "AuditBot") == 0 &&
            strncmp(ref->entry->tag, "COLUMN customers.", 17) == 0)
            column_acl++;
        if (i > 0) /* TOC order */
            ck_assert_uint_ge(ref->entry->index, df_roles_ref_at(s, i - 1)->entry->index);
    }
    ck_assert_int_eq(column_acl, 4);
    ck_assert_str_eq(df_roles_encoding(s), "UTF8");
    df_roles_free(s);
    df_reader_free(r);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The SQL scanner                                                     */
/* ------------------------------------------------------------------ */

typedef struct seen {
    char text[8192]; /* "kind:name;" ... */
    char members[2048];
    int needs;
} seen;

static int seen_role(void *ctx, const char *name, int kind, int needs)
{
    seen *s = ctx;
    size_t n = strlen(s->text);

    snprintf(s->text + n, sizeof s->text - n, "%s:%s;", df_role_kind_name(kind), name);
    s->needs |= needs;
    return DF_OK;
}

static int seen_member(void *ctx, const char *role, const char *member, bool admin)
{
    seen *s = ctx;
    size_t n = strlen(s->members);

    snprintf(s->members + n, sizeof s->members - n, "%s>%s%s;", role, member, admin ? "+" : "");
    return DF_OK;
}

static seen scan(const char *sql, bool acl)
{
    seen s;
    dfi_role_sink sink = {&s, seen_role, seen_member, acl, true, NULL};

    memset(&s, 0, sizeof s);
    ck_assert_int_eq(dfi_roles_scan_sql(&sink, sql, strlen(sql)), DF_OK);
    return s;
}

#define EXPECT(sql, want) expect_scan(sql, false, want)
static void expect_scan(const char *sql, bool acl, const char *want)
{
    seen s = scan(sql, acl);

    ck_assert_msg(strcmp(s.text, want) == 0, "%s\n  want %s\n  got  %s", sql, want, s.text);
}

START_TEST(sql_grants)
{
    EXPECT("GRANT SELECT ON TABLE t TO \"Data Steward\", app_readers WITH GRANT OPTION;",
           "grantee:Data Steward;grantee:app_readers;");
    EXPECT("GRANT SELECT(customer_id, \"to\"), UPDATE (notes) ON TABLE s.c TO \"AuditBot\";",
           "grantee:AuditBot;");
    EXPECT("REVOKE ALL ON FUNCTION f(to_char text, \"from\" int) FROM PUBLIC;"
           "REVOKE ALL ON SCHEMA s FROM \"x\"\"y\";",
           "grantee:x\"y;");
    EXPECT("GRANT ALL ON TABLE t TO CURRENT_USER, SESSION_USER, CURRENT_ROLE, public, \"public\";",
           "");
    EXPECT("REVOKE GRANT OPTION FOR SELECT ON t FROM a CASCADE;", "grantee:a;");
    EXPECT("GRANT ALL ON TABLE t TO GROUP oldgroup;", "grantee:oldgroup;");
    EXPECT("GRANT SET ON PARAMETER work_mem TO \"Param Role\";", "grantee:Param Role;");
    EXPECT("GRANT SELECT ON t TO a GRANTED BY \"The Grantor\";", "grantee:a;grantor:The Grantor;");
    EXPECT("GRANT SELECT ON LARGE OBJECT 910001 TO app_readers;", "grantee:app_readers;");
}
END_TEST

START_TEST(sql_quoting)
{
    EXPECT("GRANT ALL ON t TO MixedCase, \"MixedCase\";", "grantee:mixedcase;grantee:MixedCase;");
    /* only ASCII letters are downcased */
    EXPECT("GRANT ALL ON t TO \xc3\x84rger;", "grantee:\xc3\x84rger;");
    EXPECT("GRANT ALL ON t TO \"Ünïcødé rôle\", 日本語;", "grantee:Ünïcødé rôle;grantee:日本語;");
    EXPECT("GRANT ALL ON t TO U&\"d\\0061t\\+000061\";", "grantee:data;");
    EXPECT("GRANT ALL ON t TO u&\"d!0061t\" UESCAPE '!', U&\"\\00e9\\\\\";",
           "grantee:dat;grantee:\xc3\xa9\\;");
    EXPECT("GRANT ALL ON t TO \"a;b\", \"--c\", \"/*d*/\";",
           "grantee:a;b;grantee:--c;grantee:/*d*/;");
    /* identifiers are cut to 63 bytes, never inside a UTF-8 character */
    EXPECT("GRANT ALL ON t TO "
           "aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgggggggggg;",
           "grantee:aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffggg;");
    EXPECT("GRANT ALL ON t TO "
           "\"aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgg\xc3\xa9\";",
           "grantee:aaaaaaaaaabbbbbbbbbbccccccccccddddddddddeeeeeeeeeeffffffffffgg;");
}
END_TEST

START_TEST(sql_not_statements)
{
    EXPECT("-- GRANT ALL ON t TO x;\n/* GRANT a TO b; /* nested */ GRANT c TO d; */\n"
           "SELECT 'GRANT ALL ON t TO e;';",
           "");
    EXPECT("DO $body$ BEGIN GRANT ALL ON t TO f; END $body$; GRANT ALL ON t TO g;", "grantee:g;");
    EXPECT("SELECT $$ ; GRANT ALL ON t TO h; $$, $1; GRANT ALL ON t TO i;", "grantee:i;");
    /* with standard_conforming_strings off, \' does not end a string */
    EXPECT("SET standard_conforming_strings = off;\n"
           "SELECT 'it\\'s; GRANT ALL ON t TO j;';\nGRANT ALL ON t TO k;",
           "grantee:k;");
    EXPECT("SELECT E'\\'; GRANT ALL ON t TO l;'; GRANT ALL ON t TO m;", "grantee:m;");
    /* an unterminated string swallows the rest */
    EXPECT("SELECT 'open; GRANT ALL ON t TO n;", "");
}
END_TEST

START_TEST(sql_other_places)
{
    EXPECT("ALTER DEFAULT PRIVILEGES FOR ROLE \"Data Steward\", r2 IN SCHEMA s, \"T\" "
           "REVOKE ALL ON FUNCTIONS FROM PUBLIC;",
           "default-privileges:Data Steward;default-privileges:r2;");
    EXPECT("ALTER DEFAULT PRIVILEGES FOR USER a GRANT SELECT ON TABLES TO b;",
           "default-privileges:a;grantee:b;");
    EXPECT("ALTER ROLE \"Weird \"\"One\"\"\" IN DATABASE sample SET work_mem TO '64MB';",
           "role-settings:Weird \"One\";");
    EXPECT("ALTER ROLE r SET role TO 'as other';", "role-settings:r;setting-value:as other;");
    EXPECT("ALTER DATABASE d SET role TO dbrole;", "setting-value:dbrole;");
    EXPECT("CREATE POLICY p ON t AS RESTRICTIVE FOR SELECT TO app_readers, \"AuditBot\" "
           "USING (x = 'to');",
           "policy:app_readers;policy:AuditBot;");
    EXPECT("CREATE POLICY p2 ON t USING (true) WITH CHECK (a IN (SELECT 1));", "");
    EXPECT("CREATE POLICY p3 ON t TO public;", "");
    EXPECT("CREATE USER MAPPING FOR \"map user\" SERVER s OPTIONS (user 'x');",
           "user-mapping:map user;");
    EXPECT("CREATE USER MAPPING FOR public SERVER s; CREATE USER MAPPING FOR CURRENT_USER "
           "SERVER s; ALTER USER MAPPING FOR USER SERVER s OPTIONS (SET user 'y');",
           "");
    EXPECT("CREATE SCHEMA sales AUTHORIZATION app_owner; CREATE SCHEMA AUTHORIZATION \"Bob\";",
           "schema-authorization:app_owner;schema-authorization:Bob;");
    EXPECT("CREATE FUNCTION f() RETURNS int LANGUAGE sql SET role TO 'fn role' "
           "SET search_path TO 'a', 'b' AS $$ SELECT 1; SET role = 'not me' $$;",
           "setting-value:fn role;");
    EXPECT("CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; "
           "UPDATE t SET role = 'x'; END;",
           "");
    EXPECT("ALTER FUNCTION h(integer) SET role = hrole;", "setting-value:hrole;");
    EXPECT("ALTER TABLE public.\"Mixed Case\" OWNER TO \"Data Steward\";", "owner:Data Steward;");
    EXPECT("ALTER TABLE t RENAME COLUMN owner TO x; ALTER TABLE t ALTER COLUMN owner TYPE text;",
           "");
    EXPECT("ALTER LARGE OBJECT 910001 OWNER TO app_owner;", "owner:app_owner;");
    EXPECT("CREATE TABLESPACE ts OWNER \"Ts Owner\" LOCATION '/x';", "owner:Ts Owner;");
    EXPECT("CREATE DATABASE d WITH OWNER = dbo ENCODING = 'UTF8';", "owner:dbo;");
}
END_TEST

START_TEST(sql_sessions)
{
    seen s;

    expect_scan("SET SESSION AUTHORIZATION app_owner;\nGRANT SELECT ON TABLE t TO x;\n"
                "RESET SESSION AUTHORIZATION;",
                true, "grantor:app_owner;grantee:x;");
    s = scan("SET SESSION AUTHORIZATION 'bob smith';", false);
    ck_assert_str_eq(s.text, "session-authorization:bob smith;");
    ck_assert_int_eq(s.needs, DF_ROLE_NEEDS_SESSION_AUTH);
    s = scan("SET ROLE \"Dump Role\";", false);
    ck_assert_str_eq(s.text, "set-role:Dump Role;");
    ck_assert_int_eq(s.needs, DF_ROLE_NEEDS_SET_ROLE);
    EXPECT("SET ROLE NONE; RESET ROLE; SET SESSION AUTHORIZATION DEFAULT; SET role TO DEFAULT;",
           "");
    EXPECT("SET LOCAL SESSION AUTHORIZATION 'it''s';", "session-authorization:it's;");
    EXPECT("SET session_authorization = e'x\\ty';", "session-authorization:x\ty;");
}
END_TEST

START_TEST(sql_globals)
{
    seen s = scan("CREATE ROLE \"AuditBot\";\n"
                  "ALTER ROLE \"AuditBot\" WITH NOSUPERUSER NOINHERIT LOGIN;\n"
                  "COMMENT ON ROLE \"AuditBot\" IS 'x';\n"
                  "GRANT \"Data Steward\" TO \"AuditBot\" WITH INHERIT FALSE GRANTED BY postgres;\n"
                  "GRANT app_owner TO ops_admin WITH ADMIN OPTION, INHERIT TRUE GRANTED BY "
                  "postgres;\n"
                  "GRANT a, b TO c, d;\n"
                  "REVOKE ADMIN OPTION FOR e FROM f;\n"
                  "ALTER GROUP g ADD USER u1, \"U 2\";\n"
                  "CREATE ROLE n IN ROLE p1 ADMIN q1;\n",
                  false);

    ck_assert_str_eq(s.text, "definition:AuditBot;definition:AuditBot;definition:AuditBot;"
                             "membership:Data Steward;membership:AuditBot;grantor:postgres;"
                             "membership:app_owner;membership:ops_admin;grantor:postgres;"
                             "membership:a;membership:b;membership:c;membership:d;"
                             "membership:e;membership:f;"
                             "membership:g;membership:u1;membership:U 2;"
                             "definition:n;membership:p1;membership:q1;");
    ck_assert_str_eq(s.members, "Data Steward>AuditBot;app_owner>ops_admin+;a>c;a>d;b>c;b>d;"
                                "g>u1;g>U 2;p1>n;n>q1+;");
    ck_assert(s.needs & DFI_ROLE_CREATED);
}
END_TEST

START_TEST(sql_connect_user)
{
    static const struct {
        const char *line, *user;
    } cases[] = {
        {"\\connect - \"Conn User\"", "Conn User"},
        {"\\c sample bob", "bob"},
        {"\\connect -reuse-previous=on \"dbname='x y' user='u v'\"", "u v"},
        {"\\connect sample", NULL},
        {"\\connect sample -", NULL},
        {"\\c postgresql://alice:pw@host/db", "alice"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *u = dfi_roles_connect_user(cases[i].line, strlen(cases[i].line));
        if (cases[i].user == NULL)
            ck_assert_msg(u == NULL, "%s: %s", cases[i].line, u);
        else
            ck_assert_msg(u && strcmp(u, cases[i].user) == 0, "%s: %s", cases[i].line, u);
        free(u);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Plain scripts: session statements outside entries                   */
/* ------------------------------------------------------------------ */

static const char session_script[] =
    "--\n-- PostgreSQL database dump\n--\n\n"
    "SET statement_timeout = 0;\n"
    "SET client_encoding = 'UTF8';\n"
    "SET standard_conforming_strings = on;\n"
    "SET ROLE \"Dump Role\";\n\n"
    "SET SESSION AUTHORIZATION 'Owner One';\n\n"
    "--\n-- Name: t; Type: TABLE; Schema: public; Owner: Owner One\n--\n\n"
    "CREATE TABLE public.t (a integer);\n\n"
    "SET SESSION AUTHORIZATION \"Acl Owner\";\n\n"
    "--\n-- Name: TABLE t; Type: ACL; Schema: public; Owner: Owner One\n--\n\n"
    "SET SESSION AUTHORIZATION \"Grantor X\";\n"
    "GRANT SELECT ON TABLE public.t TO \"Grantee Y\";\n"
    "RESET SESSION AUTHORIZATION;\n\n"
    "\\connect - \"Conn User\"\n\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n";

static char *write_temp(const char *text)
{
    char *path = strdup("/tmp/check_roles.XXXXXX");
    int fd = mkstemp(path);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* The kinds of `name`'s references, "kind@tag;" (tag "-" for script statements). */
static void refs_of(const df_roles *s, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    for (size_t i = 0; i < df_roles_ref_count(s); i++) {
        const df_role_ref *ref = df_roles_ref_at(s, i);
        size_t len = strlen(out);
        if (strcmp(ref->name, name) == 0)
            snprintf(out + len, n - len, "%s@%s;", df_role_kind_name(ref->kind),
                     ref->entry ? ref->entry->tag : "-");
    }
}

START_TEST(plain_session_statements)
{
    static const size_t io[] = {0, 1, 5};
    char *path = write_temp(session_script), buf[1024];
    df_reader *r = open_path(path, io[_i]);
    df_roles *s = collect(r);

    ck_assert_uint_eq(df_reader_toc_count(r), 2);
    refs_of(s, "Dump Role", buf, sizeof buf);
    ck_assert_str_eq(buf, "set-role@-;");
    refs_of(s, "Owner One", buf, sizeof buf);
    /* the ACL's "Owner:" comment is not used: "Acl Owner" is who the script becomes */
    ck_assert_str_eq(buf, "owner@t;session-authorization@t;");
    refs_of(s, "Acl Owner", buf, sizeof buf);
    ck_assert_str_eq(buf, "session-authorization@TABLE t;");
    refs_of(s, "Grantor X", buf, sizeof buf);
    ck_assert_str_eq(buf, "grantor@TABLE t;");
    refs_of(s, "Grantee Y", buf, sizeof buf);
    ck_assert_str_eq(buf, "grantee@TABLE t;");
    refs_of(s, "Conn User", buf, sizeof buf);
    ck_assert_str_eq(buf, "connect@-;");
    ck_assert_int_eq(df_roles_find(s, "Conn User")->needs, DF_ROLE_NEEDS_LOGIN);
    ck_assert_int_eq(df_roles_find(s, "Dump Role")->needs, DF_ROLE_NEEDS_SET_ROLE);
    ck_assert(df_roles_find(s, "Grantor X")->needs & DF_ROLE_NEEDS_SESSION_AUTH);
    ck_assert_int_eq(df_roles_count(s), 6);
    ck_assert_str_eq(df_roles_encoding(s), "UTF8");
    df_roles_free(s);
    df_reader_free(r);
    unlink(path);
    free(path);
}
END_TEST

/* From a descriptor the script cannot be read twice: the entries' roles are still there. */
START_TEST(plain_from_descriptor)
{
    char *path = write_temp(session_script);
    int fd = open(path, O_RDONLY);
    df_reader *r = df_reader_new(NULL);
    df_roles *s;

    ck_assert_int_eq(df_reader_open_fd(r, fd, "-"), DF_OK);
    s = collect(r);
    ck_assert_ptr_nonnull(df_roles_find(s, "Grantee Y"));
    ck_assert_ptr_nonnull(df_roles_find(s, "Owner One"));
    ck_assert_ptr_null(df_roles_find(s, "Dump Role"));
    df_roles_free(s);
    df_reader_free(r);
    close(fd);
    unlink(path);
    free(path);
}
END_TEST

/*
 * "Owner:" header comments no statement uses are no reference: a data-only
 * script (pg_dump -a) and a --no-owner script ("Owner: -"), read by path and
 * from a descriptor (where SET SESSION AUTHORIZATION cannot be seen).
 */
START_TEST(plain_owner_comments)
{
    static const char script[] =
        "--\n-- PostgreSQL database dump\n--\n\n"
        "SET client_encoding = 'UTF8';\n\n"
        "--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: postgres\n--\n\n"
        "COPY public.t (a) FROM stdin;\n1\n\\.\n\n"
        "--\n-- Name: u; Type: TABLE; Schema: public; Owner: -\n--\n\n"
        "CREATE TABLE public.u (a integer);\n\n"
        "--\n-- Name: v; Type: TABLE; Schema: public; Owner: kept\n--\n\n"
        "CREATE TABLE public.v (a integer);\n\n"
        "ALTER TABLE public.v OWNER TO kept;\n\n"
        "--\n-- PostgreSQL database dump complete\n--\n\n";
    char *path = write_temp(script);
    df_reader *r = open_path(path, 0), *fr = df_reader_new(NULL);
    df_roles *s = collect(r), *fs;
    int fd = open(path, O_RDONLY);

    ck_assert_uint_eq(df_roles_count(s), 1);
    ck_assert_int_eq(df_roles_find(s, "kept")->objects, 1);
    ck_assert_int_eq(df_roles_find(s, "kept")->when, DF_ROLE_WHEN_ALWAYS);
    ck_assert_int_eq(df_reader_open_fd(fr, fd, "-"), DF_OK);
    fs = collect(fr);
    ck_assert_uint_eq(df_roles_count(fs), 1);
    ck_assert_ptr_nonnull(df_roles_find(fs, "kept"));
    df_roles_free(s);
    df_roles_free(fs);
    df_reader_free(r);
    df_reader_free(fr);
    close(fd);
    unlink(path);
    free(path);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Comparison and the create script                                    */
/* ------------------------------------------------------------------ */

static char *create_script(const df_roles *s, const df_roles *defs)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);

    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(df_roles_write_create(s, defs, f, NULL), DF_OK);
    fclose(f);
    return text;
}

START_TEST(compare_and_create)
{
    char path[4096];
    df_reader *r = open_path(dft_path(path, sizeof path, "pg18/sample.custom.gzip.dump"), 0);
    df_reader *g = open_path(dft_path(path, sizeof path, "pg18/globals.sql"), 0);
    df_roles *s = collect(r), *gs = collect(g);
    const char *have[] = {"postgres", "app_owner"};
    char *text;

    /* no target yet: every role but the built-in one would be made */
    text = create_script(s, NULL);
    ck_assert_ptr_nonnull(strstr(text, "CREATE ROLE \"Data Steward\" NOLOGIN;"));
    ck_assert_ptr_nonnull(strstr(text, "WHERE rolname = 'Data Steward'"));
    ck_assert_ptr_null(strstr(text, "CREATE ROLE pg_database_owner"));
    free(text);

    /* a cluster's pg_roles without pg_database_owner (an older release) */
    ck_assert_uint_eq(compare(s, have, 2, 0), 8);
    ck_assert(df_roles_find(s, "pg_database_owner")->missing);
    ck_assert(!df_roles_find(s, "app_owner")->missing);
    /* a globals script never lists built-in roles */
    ck_assert_uint_eq(compare(s, have, 2, 1), 7);
    ck_assert(!df_roles_find(s, "pg_database_owner")->missing);
    text = create_script(s, gs);
    ck_assert_ptr_null(strstr(text, "CREATE ROLE app_owner "));
    ck_assert_ptr_null(strstr(text, "CREATE ROLE postgres "));
    /* the attributes of the globals script's ALTER ROLE ... WITH (issue 10) */
    ck_assert_ptr_nonnull(strstr(text, "CREATE ROLE \"AuditBot\" NOSUPERUSER NOINHERIT "
                                       "NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS;"));
    ck_assert_ptr_nonnull(strstr(text, "CREATE ROLE app_writers NOSUPERUSER INHERIT NOCREATEROLE "
                                       "NOCREATEDB NOLOGIN NOREPLICATION NOBYPASSRLS;"));
    ck_assert_str_eq(df_roles_find(gs, "app_reader")->attributes,
                     "NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN NOREPLICATION NOBYPASSRLS "
                     "CONNECTION LIMIT 10");
    /* without a globals script: NOLOGIN */
    free(text);
    text = create_script(s, NULL);
    ck_assert_ptr_nonnull(strstr(text, "CREATE ROLE \"AuditBot\" NOLOGIN;"));
    free(text);
    text = create_script(s, gs);
    /* memberships: one side new, both there afterwards */
    ck_assert_ptr_nonnull(strstr(text, "GRANT app_readers TO app_writers;"));
    ck_assert_ptr_nonnull(strstr(text, "GRANT \"Data Steward\" TO \"AuditBot\";"));
    ck_assert_ptr_nonnull(strstr(text, "GRANT app_writers TO app_writer;"));
    ck_assert_ptr_nonnull(strstr(text, "GRANT app_owner TO ops_admin WITH ADMIN OPTION;"));
    /* app_reader is neither made (the dump does not need it) nor on the target */
    ck_assert_ptr_null(strstr(text, "TO app_reader;"));
    free(text);

    /* everything there: nothing to make */
    {
        const char *all[] = {"AuditBot",    "Data Steward", "app_owner",
                             "app_readers", "app_writer",   "app_writers",
                             "ops_admin",   "postgres",     "reporting"};
        ck_assert_uint_eq(compare(s, all, 9, 1), 0);
        text = create_script(s, gs);
        ck_assert_ptr_null(strstr(text, "CREATE ROLE"));
        ck_assert_ptr_nonnull(strstr(text, "Nothing to create"));
        free(text);
    }
    df_roles_free(s);
    df_roles_free(gs);
    df_reader_free(r);
    df_reader_free(g);
}
END_TEST

/* Memberships the source's globals grant between roles the dump names, missing on a target. */
START_TEST(memberships_missing_on_target)
{
    char path[4096];
    df_reader *r = open_path(dft_path(path, sizeof path, "pg18/sample.custom.none.dump"), 0);
    df_reader *g = open_path(dft_path(path, sizeof path, "pg18/globals.sql"), 0);
    df_roles *s = collect(r), *gs = collect(g);
    const char *all[] = {"AuditBot",    "Data Steward", "app_owner", "app_readers", "app_writer",
                         "app_writers", "ops_admin",    "postgres",  "reporting"};
    const char *have[] = {"app_readers", "app_writers", "app_owner", "ops_admin"};
    size_t n;
    char *text;

    ck_assert_uint_eq(compare(s, all, 9, 1), 0);
    /* a naive count: the globals' memberships whose two roles the dump names */
    n = 0;
    for (size_t i = 0; i < df_roles_membership_count(gs); i++) {
        const df_role_membership *m = df_roles_membership_at(gs, i);
        n += df_roles_find(s, m->role) && df_roles_find(s, m->member);
    }
    ck_assert_uint_ge(n, 3);
    ck_assert_uint_eq(compare_members(s, gs, NULL, 0), n);
    ck_assert_uint_eq(compare_members(s, gs, have, 2), n - 2);
    ck_assert_uint_eq(df_roles_missing_membership_count(s), n - 2);
    for (size_t i = 0; i < df_roles_missing_membership_count(s); i++) {
        const df_role_membership *m = df_roles_missing_membership_at(s, i);
        ck_assert(strcmp(m->member, "app_writers") != 0 || strcmp(m->role, "app_readers") != 0);
        ck_assert_ptr_nonnull(df_roles_find(s, m->member));
    }
    ck_assert_ptr_null(df_roles_missing_membership_at(s, n));
    text = create_script(s, gs);
    /* no role to make, the memberships still granted; app_reader is not named by the dump */
    ck_assert_ptr_null(strstr(text, "CREATE ROLE"));
    ck_assert_ptr_nonnull(strstr(text, "GRANT \"Data Steward\" TO \"AuditBot\";"));
    ck_assert_ptr_null(strstr(text, "GRANT app_readers TO app_writers;"));
    ck_assert_ptr_null(strstr(text, "TO app_reader;"));
    ck_assert_ptr_null(strstr(text, "Nothing to create"));
    free(text);
    ck_assert_int_eq(df_roles_compare_memberships(s, NULL, NULL, 0, NULL, NULL), DF_E_USAGE);
    df_roles_free(s);
    df_roles_free(gs);
    df_reader_free(r);
    df_reader_free(g);
}
END_TEST

/* Role attributes of CREATE ROLE / ALTER ROLE ... WITH: flags, limits; never a password. */
START_TEST(globals_attributes)
{
    static const char script[] =
        "--\n-- PostgreSQL database cluster dump\n--\n\n"
        "CREATE ROLE a WITH LOGIN PASSWORD 'login secret' CREATEDB VALID UNTIL '2030-01-01 "
        "00:00:00+00';\n"
        "CREATE ROLE b;\n"
        "ALTER ROLE b WITH NOSUPERUSER NOINHERIT BYPASSRLS ENCRYPTED PASSWORD 'SCRAM-SHA-256$x' "
        "CONNECTION LIMIT 3;\n"
        "CREATE ROLE c IN ROLE login;\n"
        "CREATE ROLE d WITH VALID UNTIL 'x''; DROP TABLE t; --';\n"
        "\n--\n-- PostgreSQL database cluster dump complete\n--\n\n";
    char *path = write_temp(script);
    df_reader *r = open_path(path, 0);
    df_roles *s = collect(r);

    ck_assert_str_eq(df_roles_find(s, "a")->attributes,
                     "LOGIN CREATEDB VALID UNTIL '2030-01-01 00:00:00+00'");
    ck_assert_str_eq(df_roles_find(s, "b")->attributes,
                     "NOSUPERUSER NOINHERIT BYPASSRLS CONNECTION LIMIT 3");
    ck_assert_ptr_null(df_roles_find(s, "c")->attributes);
    ck_assert_ptr_null(df_roles_find(s, "d")->attributes);
    df_roles_free(s);
    df_reader_free(r);
    unlink(path);
    free(path);
}
END_TEST

/*
 * The objects whose owner a restore sets, against pg_dump's own plain
 * script of the same database: each ALTER ... OWNER TO there is one the
 * archive's restore writes (identity sequences have none), except the
 * database's own, which a plain script without -C does not hold.
 */
START_TEST(objects_agree_with_plain)
{
    static const char *const versions[] = {"pg15", "pg16", "pg18"};
    char path[4096], rel[64];

    for (size_t v = 0; v < sizeof versions / sizeof versions[0]; v++) {
        df_reader *a, *p;
        df_roles *sa, *sp;

        snprintf(rel, sizeof rel, "%s/sample.custom.none.dump", versions[v]);
        a = open_path(dft_path(path, sizeof path, rel), 0);
        snprintf(rel, sizeof rel, "%s/sample.plain.sql", versions[v]);
        p = open_path(dft_path(path, sizeof path, rel), 0);
        sa = collect(a);
        sp = collect(p);
        for (size_t i = 0; i < df_roles_count(sa); i++) {
            const df_role *ra = df_roles_at(sa, i), *rp = df_roles_find(sp, ra->name);
            int64_t databases = 0;
            for (size_t k = 0; k < df_reader_toc_count(a); k++) {
                const df_entry *e = df_reader_toc_at(a, k);
                databases += strcmp(e->desc, "DATABASE") == 0 && strcmp(e->owner, ra->name) == 0;
            }
            ck_assert_msg(ra->objects == (rp ? rp->objects : 0) + databases,
                          "%s %s: archive %lld, plain %lld", versions[v], ra->name,
                          (long long)ra->objects, (long long)(rp ? rp->objects : 0));
        }
        df_roles_free(sa);
        df_roles_free(sp);
        df_reader_free(a);
        df_reader_free(p);
    }
}
END_TEST

/* A pg_dumpall script creates its roles: none of them is missing anywhere. */
START_TEST(dumpall_creates_its_roles)
{
    char path[4096];
    df_reader *r = open_path(dft_path(path, sizeof path, "pg18/dumpall.sql"), 0);
    df_roles *s = collect(r);

    ck_assert_uint_eq(compare(s, NULL, 0, 1), 0);
    ck_assert(df_roles_find(s, "app_reader")->defined);
    /* only "Owner: pg_database_owner" comments name it: no statement does */
    ck_assert_ptr_null(df_roles_find(s, "pg_database_owner"));
    ck_assert_uint_eq(df_roles_membership_count(s), 6);
    ck_assert_str_eq(df_roles_membership_at(s, 1)->role, "app_owner");
    ck_assert_str_eq(df_roles_membership_at(s, 1)->member, "ops_admin");
    ck_assert_int_eq(df_roles_membership_at(s, 1)->admin, 1);
    ck_assert_int_eq(df_roles_find(s, "postgres")->refs[DF_ROLE_GRANTOR], 6);
    df_roles_free(s);
    df_reader_free(r);
}
END_TEST

/* A name with every kind of trouble survives the script's quoting. */
START_TEST(create_quoting)
{
    static const char script[] =
        "--\n-- PostgreSQL database dump\n--\n\n"
        "--\n-- Name: t; Type: TABLE; Schema: public; Owner: we\"ird $do$ O'Neil\\\n--\n\n"
        "CREATE TABLE public.t (a integer);\n\n"
        "ALTER TABLE public.t OWNER TO \"we\"\"ird $do$ O'Neil\\\";\n\n"
        "--\n-- PostgreSQL database dump complete\n--\n\n";
    char *path = write_temp(script), *text;
    df_reader *r = open_path(path, 0);
    df_roles *s = collect(r);

    ck_assert_uint_eq(df_roles_count(s), 1);
    text = create_script(s, NULL);
    ck_assert_ptr_nonnull(strstr(text, "CREATE ROLE \"we\"\"ird $do$ O'Neil\\\" NOLOGIN;"));
    ck_assert_ptr_nonnull(strstr(text, "rolname = E'we\"ird $do$ O''Neil\\\\'"));
    ck_assert_ptr_nonnull(strstr(text, "DO $do1$\n"));
    ck_assert_ptr_null(strstr(text, "DO $do$\n"));
    free(text);
    df_roles_free(s);
    df_reader_free(r);
    unlink(path);
    free(path);
}
END_TEST

/* A script that names no role (as a real one from the field): nothing to sort, nothing missing. */
START_TEST(plain_no_roles)
{
    static const char script[] = "--\n-- PostgreSQL database dump\n--\n\n"
                                 "SET statement_timeout = 0;\n"
                                 "SELECT pg_catalog.set_config('search_path', '', false);\n\n"
                                 "--\n-- PostgreSQL database dump complete\n--\n\n";
    char *path = write_temp(script), *text;
    df_reader *r = open_path(path, 0);
    df_roles *s = collect(r);

    ck_assert_uint_eq(df_roles_count(s), 0);
    ck_assert_uint_eq(df_roles_ref_count(s), 0);
    ck_assert_ptr_null(df_roles_find(s, "postgres"));
    ck_assert_uint_eq(compare(s, NULL, 0, 1), 0);
    text = create_script(s, NULL);
    ck_assert_ptr_nonnull(strstr(text, "Nothing to create"));
    free(text);
    df_roles_free(s);
    df_reader_free(r);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(collect_needs_open_reader)
{
    df_reader *r = df_reader_new(NULL);
    df_roles *s = (df_roles *)1;

    ck_assert_int_eq(df_roles_collect(r, &s, NULL), DF_E_USAGE);
    ck_assert_ptr_null(s);
    df_reader_free(r);
    df_roles_free(NULL);
    ck_assert_uint_eq(df_roles_count(NULL), 0);
    ck_assert_ptr_null(df_roles_find(NULL, "x"));
}
END_TEST

/* ------------------------------------------------------------------ */
/* Identifier helpers                                                  */
/* ------------------------------------------------------------------ */

START_TEST(ident_parse)
{
    static const struct {
        const char *in, *out;
        size_t used;
    } ok[] = {
        {"\"Data \"\"Steward\"\"\" rest", "Data \"Steward\"", 18},
        {"MixedCase,", "mixedcase", 9},
        {"  /* c */ -- x\n abc", "abc", 19},
        {"U&\"\\00e9t\\00e9\"", "\xc3\xa9t\xc3\xa9", 15},
        {"U&\"x!0041\" UESCAPE '!'", "xA", 22},
    };
    static const char *const bad[] = {"\"\"", "\"unterminated", "123", "'str'", "", ";"};
    char *name;
    size_t used;

    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        ck_assert_int_eq(df_sql_parse_ident(ok[i].in, strlen(ok[i].in), &name, &used, NULL), DF_OK);
        ck_assert_str_eq(name, ok[i].out);
        ck_assert_uint_eq(used, ok[i].used);
        free(name);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(df_sql_parse_ident(bad[i], strlen(bad[i]), &name, &used, NULL),
                         DF_E_FORMAT);
        ck_assert_ptr_null(name);
    }
}
END_TEST

START_TEST(ident_quote)
{
    static const struct {
        const char *in, *ident, *literal;
    } cases[] = {
        {"app_owner", "app_owner", "'app_owner'"},
        {"Data Steward", "\"Data Steward\"", "'Data Steward'"},
        {"user", "\"user\"", "'user'"},
        {"a\"b", "\"a\"\"b\"", "'a\"b'"},
        {"O'Neil", "\"O'Neil\"", "'O''Neil'"},
        {"back\\slash", "\"back\\slash\"", "E'back\\\\slash'"},
        {"\xc3\x84rger", "\"\xc3\x84rger\"", "'\xc3\x84rger'"},
        {"_x1", "_x1", "'_x1'"},
        {"1abc", "\"1abc\"", "'1abc'"},
        {"", "\"\"", "''"},
    };

    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *q = df_sql_quote_ident(cases[i].in), *l = df_sql_quote_literal(cases[i].in);
        ck_assert_str_eq(q, cases[i].ident);
        ck_assert_str_eq(l, cases[i].literal);
        free(q);
        free(l);
    }
    ck_assert(dfi_sql_is_keyword("select") && !dfi_sql_is_keyword("owner"));
    ck_assert_int_eq(df_role_name_is_builtin("pg_database_owner"), 1);
    ck_assert_int_eq(df_role_name_is_builtin("postgres"), 0);
    ck_assert_str_eq(df_role_kind_name(DF_ROLE_DEFAULT_PRIVILEGES), "default-privileges");
    ck_assert_str_eq(df_role_kind_name(DF_ROLE_NKINDS), "unknown");
}
END_TEST

static int ignore_role(void *ctx, const char *name, int kind, int needs)
{
    (void)ctx, (void)kind, (void)needs;
    ck_assert_uint_gt(strlen(name), 0);
    return DF_OK;
}

static int ignore_member(void *ctx, const char *role, const char *member, bool admin)
{
    (void)ctx, (void)role, (void)member, (void)admin;
    return DF_OK;
}

/* Scan p[0..n) from a buffer of exactly n bytes, so that ASan sees any read past its end. */
static void scan_exact(const char *p, size_t n, bool std)
{
    dfi_role_sink sink = {NULL, ignore_role, ignore_member, true, std, NULL};
    char *copy = malloc(n ? n : 1), *name;
    size_t used;

    memcpy(copy, p, n);
    ck_assert_int_eq(dfi_roles_scan_sql(&sink, copy, n), DF_OK);
    if (df_sql_parse_ident(copy, n, &name, &used, NULL) == DF_OK) {
        ck_assert_uint_le(used, n);
        free(name);
    }
    free(dfi_roles_connect_user(copy, n));
    free(copy);
}

/* Every prefix of statements that end in the middle of every kind of token. */
START_TEST(sql_every_prefix)
{
    static const char text[] =
        "GRANT SELECT(a, \"b\") ON TABLE s.\"t\" TO U&\"d\\0061t\\+000061\" UESCAPE '!', "
        "u&\"x!0041\" UESCAPE '!', \"Data \"\"S\"\"\" WITH GRANT OPTION GRANTED BY g;\n"
        "SET SESSION AUTHORIZATION E'it\\'s \\x41\\101\\u00e9\\U0001F600';\n"
        "ALTER DEFAULT PRIVILEGES FOR ROLE r IN SCHEMA s GRANT ALL ON TABLES TO q;\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET role TO 'x' AS $f$ ; $f$;\n"
        "/* a /* nested */ comment */ -- line\nCREATE POLICY p ON t TO a, b USING (true);\n"
        "GRANT a TO b WITH ADMIN OPTION; CREATE ROLE n IN ROLE p ADMIN q;\n"
        "\\connect -reuse-previous=on \"dbname='x' user='y'\"";

    for (size_t n = 0; n <= sizeof text - 1; n++) {
        scan_exact(text, n, true);
        scan_exact(text, n, false);
    }
}
END_TEST

/* Random bytes drawn from SQL's special characters never crash the scanner. */
START_TEST(sql_random_bytes)
{
    static const char alphabet[] = "\"'$\\&uUeE!;(),.- */\n\tabcGRANTONTOSETROLE0123456789\xc3\xa9";
    unsigned seed = 12345;
    char buf[300];

    for (int round = 0; round < 3000; round++) {
        size_t n = (size_t)(round % 300);
        for (size_t i = 0; i < n; i++) {
            seed = seed * 1103515245u + 12345u;
            buf[i] = alphabet[(seed >> 16) % (sizeof alphabet - 1)];
        }
        scan_exact(buf, n, round % 2 == 0);
    }
}
END_TEST

static Suite *roles_suite(void)
{
    Suite *s = suite_create("roles");
    TCase *corpus = tcase_create("corpus"), *sql = tcase_create("sql");
    TCase *plain = tcase_create("plain"), *target = tcase_create("target");

    tcase_add_test(corpus, corpus_matches_manifest);
    tcase_add_test(corpus, corpus_small_reads);
    tcase_add_test(corpus, corpus_kinds);
    tcase_add_test(sql, sql_grants);
    tcase_add_test(sql, sql_quoting);
    tcase_add_test(sql, sql_not_statements);
    tcase_add_test(sql, sql_other_places);
    tcase_add_test(sql, sql_sessions);
    tcase_add_test(sql, sql_globals);
    tcase_add_test(sql, sql_connect_user);
    tcase_add_test(sql, ident_parse);
    tcase_add_test(sql, ident_quote);
    tcase_add_test(sql, sql_every_prefix);
    tcase_add_test(sql, sql_random_bytes);
    /* the script read whole, and in pieces of 1 and 5 bytes */
    tcase_add_loop_test(plain, plain_session_statements, 0, 3);
    tcase_add_test(plain, plain_from_descriptor);
    tcase_add_test(plain, plain_owner_comments);
    tcase_add_test(plain, create_quoting);
    tcase_add_test(target, compare_and_create);
    tcase_add_test(target, dumpall_creates_its_roles);
    tcase_add_test(target, collect_needs_open_reader);
    tcase_add_test(target, plain_no_roles);
    tcase_add_test(target, memberships_missing_on_target);
    tcase_add_test(target, globals_attributes);
    tcase_add_test(corpus, objects_agree_with_plain);
    suite_add_tcase(s, corpus);
    suite_add_tcase(s, sql);
    suite_add_tcase(s, plain);
    suite_add_tcase(s, target);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(roles_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
