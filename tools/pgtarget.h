/*
 * pgtarget.h — the libpq side of dumprestore: connect to a target
 * database, fill a df_target snapshot with version-aware catalog queries
 * (PostgreSQL 10 to 18), run the few statements dumprestore itself issues
 * (ANALYZE, role scripts).  Linked into dumprestore only; the library
 * stays free of libpq.
 */
#ifndef DUMPFMT_TOOLS_PGTARGET_H
#define DUMPFMT_TOOLS_PGTARGET_H

#include "dumpfmt.h"

#include <stddef.h>

typedef struct pgt_conn pgt_conn;

/* What pgt_fill reads. */
enum {
    PGT_SERVER = 1,  /* version, encoding, whether the database is empty */
    PGT_ROLES = 2,   /* roles and memberships */
    PGT_OBJECTS = 4, /* relations, functions, types, constraints, triggers, policies ... */
    PGT_NEEDS = 8,   /* available extensions, tablespaces */
    PGT_ROWS = 16,   /* count(*) of every user table, and the large objects */
    PGT_SEQUENCES = 32, /* each sequence's next value and the maximum of the column it feeds */
    PGT_LARGE_OBJECTS = 64, /* the large objects alone (PGT_ROWS counts them too) */
};

/*
 * Connect (conninfo or URI, PG* variables).  NULL on failure, with the
 * reason (one line) in err.  *missing_db is set when the database does not
 * exist.
 */
pgt_conn *pgt_connect(const char *conninfo, const char *app, char *err, size_t errlen,
                      int *missing_db);
void pgt_close(pgt_conn *c);
/* PQserverVersion: 150004. */
int pgt_server_num(const pgt_conn *c);
/* Fill `t` with PGT_* parts.  0, or -1 with the reason in err. */
int pgt_fill(pgt_conn *c, df_target *t, int what, char *err, size_t errlen);
/*
 * PGT_ROWS over up to `nconn` connections at once (c, and more opened with
 * conninfo): count(*) of every user table, the biggest first.  0, or -1
 * with the reason in err.
 */
#define PGT_MAX_COUNT_CONNS 16
int pgt_fill_rows(pgt_conn *c, const char *conninfo, int nconn, df_target *t, char *err,
                  size_t errlen);
/* Run SQL (any number of statements, no result wanted).  0, or -1 with the reason in err. */
int pgt_exec(pgt_conn *c, const char *sql, char *err, size_t errlen);

#endif /* DUMPFMT_TOOLS_PGTARGET_H */
