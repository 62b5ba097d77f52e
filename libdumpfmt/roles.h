/*
 * roles.h — private interface between roles.c (collecting the role
 * references of a dump, comparing them with a target, writing the script
 * that creates the missing ones) and roles_sql.c (the SQL tokenizer and
 * the statement patterns that name roles, spec §13).  Nothing here is
 * installed; names are dfi_ prefixed.
 */
#ifndef DUMPFMT_ROLES_H
#define DUMPFMT_ROLES_H

#include "internal.h"
#include "sqlident.h"

/* A dfi_role_sink.role `needs` bit beside DF_ROLE_NEEDS_*: the statement creates the role. */
#define DFI_ROLE_CREATED 0x100
/* Longest role name taken from a string literal or a TOC field; longer ones are not role names. */
#define DFI_ROLE_NAME_MAX 1024

/*
 * Where scanned statements come from, and what to tell about each name.
 * `role` is called for every role name found (decoded, unquoted, NUL
 * terminated) with its df_role_kind and the DF_ROLE_NEEDS_* it implies;
 * `member` for every role membership a GRANT role TO member grants.  Both
 * return DF_OK or a negative DF_E_* that stops the scan.
 */
typedef struct dfi_role_sink {
    void *ctx;
    int (*role)(void *ctx, const char *name, int kind, int needs);
    int (*member)(void *ctx, const char *role, const char *member, bool admin);
    bool acl; /* an ACL or DEFAULT ACL entry: SET SESSION AUTHORIZATION names the grantor */
    bool
        std_strings; /* standard_conforming_strings of the text ('...' without backslash escapes) */
    /* the attributes of ALTER ROLE r WITH ... / CREATE ROLE r ... (pg_dumpall), normalised
       ("NOSUPERUSER INHERIT LOGIN CONNECTION LIMIT 10"; never a password); may be NULL */
    int (*attributes)(void *ctx, const char *role, const char *attrs);
} dfi_role_sink;

/* Longest normalised attribute text passed to dfi_role_sink.attributes. */
#define DFI_ROLE_ATTRS_MAX 255

/*
 * Scan SQL text (any number of statements) for the role names of spec
 * §13: GRANT/REVOKE grantees, grantors and memberships, ALTER DEFAULT
 * PRIVILEGES, ALTER ... OWNER TO, CREATE SCHEMA ... AUTHORIZATION,
 * policies, user mappings, ALTER ROLE, CREATE ROLE, SET ROLE, SET
 * SESSION AUTHORIZATION, role-valued settings.  Returns DF_OK or what a
 * sink call returned.
 */
DFI_HIDDEN int dfi_roles_scan_sql(const dfi_role_sink *sink, const char *text, size_t n);

/*
 * The role named by a psql "\connect [options] [dbname [user ...]]" line
 * (malloc'd), or NULL when it names none ("-" keeps the current user).
 */
DFI_HIDDEN char *dfi_roles_connect_user(const char *line, size_t n);

/* True for ASCII-lowercase words that are keywords an identifier must be quoted for. */
DFI_HIDDEN bool dfi_sql_is_keyword(const char *word);

#endif /* DUMPFMT_ROLES_H */
