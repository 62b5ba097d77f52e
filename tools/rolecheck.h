/*
 * rolecheck.h — what the dumproles modules share: the parsed options, the
 * state of one run, and the steps tools/dumproles.c (options) calls in
 * role_check.c (reading the dump and the target, comparing them, the
 * restore-permission rules), pgroles.c (the live cluster's pg_roles) and
 * role_print.c (text, JSON and --create output).  Steps return -1 to go
 * on, else a TOOL_EXIT_* status, and print their own errors.
 */
#ifndef DUMPFMT_TOOLS_ROLECHECK_H
#define DUMPFMT_TOOLS_ROLECHECK_H

#include "common.h"

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


/* role_check.c */
int dr_read_roles(dr_run *run, const char *path, df_reader **rp, df_roles **sp);
int dr_read_globals(dr_run *run);
int dr_compare(dr_run *run);

/* pgroles.c: -d, the cluster's roles (and with --globals its memberships) into run->cluster. */
int dr_query_cluster(dr_run *run);
void dr_free_cluster(dr_cluster *c);
const dr_cluster_role *dr_cluster_role_named(const dr_cluster *c, const char *name);

/* role_print.c: the output the options ask for (TOOL_EXIT_OK or an exit status), then the
 * summary on stderr. */
int dr_write_output(dr_run *run);
void dr_print_summary(const dr_run *run);

#endif
