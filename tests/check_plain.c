/*
 * check_plain.c — plain-format dumps read as archives (fmt_plain.c,
 * plain_lex.c, plain_sql.c, plain_stream.c): every pg_dump -Fp script of
 * the corpus against the custom archive of the same database written by
 * the same pg_dump (entries in restore-script order, row counts, data
 * streams and large objects byte for byte), --inserts scripts, pg_dumpall
 * and --globals-only scripts, the same script gzip/lz4/zstd-compressed and
 * through a pipe, pg_restore -v output (dump ids, OIDs, dependencies),
 * adversarial SQL (quotes, dollar quotes, comments, BEGIN ATOMIC, meta-
 * commands, CRLF, a 10 MB line), the lexer fed in pieces of every size,
 * and damaged scripts.
 */
#include "check_util.h"
#include "corpus_util.h"
#include "dumpfmt.h"
#include "testhooks.h"
#include "plain.h"

#include <check.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef DF_HAVE_ZLIB
#include <zlib.h>
#endif
#ifdef DF_HAVE_LZ4
#include <lz4frame.h>
#endif
#ifdef DF_HAVE_ZSTD
#include <zstd.h>
#endif

static dft_rowcounts rowcounts;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static df_reader *open_path_with(const char *path, const df_limits *lim, size_t io)
{
    df_reader *r = df_reader_new(lim);
    int rc;

    ck_assert_ptr_nonnull(r);
    df_reader_set_io_size(r, io);
    rc = df_reader_open_path(r, path);
    ck_assert_msg(rc == DF_OK, "%s: open: %s (%s at %lld)", path, df_strstatus(rc),
                  df_reader_error(r)->message, (long long)df_reader_error(r)->offset);
    return r;
}

static df_reader *open_rel(const char *rel)
{
    char path[4096];

    return open_path_with(dft_path(path, sizeof path, rel), NULL, 0);
}

/* A temporary file holding `n` bytes; the caller unlinks it. */
static void temp_file(char *path, size_t pn, const void *p, size_t n)
{
    int fd;

    snprintf(path, pn, "/tmp/check_plain.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(dft_write_file(path, p, n), 0);
}

static df_reader *open_text(const char *text, size_t n, const df_limits *lim, char *path, size_t pn)
{
    temp_file(path, pn, text, n);
    return open_path_with(path, lim, 0);
}

/* A reader over a pipe a child process writes `p` into. */
static df_reader *open_pipe(const void *p, size_t n, pid_t *child, int *fd_out)
{
    int fds[2];
    df_reader *r;
    int rc;

    ck_assert_int_eq(pipe(fds), 0);
    *child = fork();
    ck_assert_int_ge(*child, 0);
    if (*child == 0) {
        const uint8_t *b = p;
        close(fds[0]);
        while (n > 0) {
            ssize_t w = write(fds[1], b, n);
            if (w <= 0)
                _exit(1);
            b += w;
            n -= (size_t)w;
        }
        _exit(0);
    }
    close(fds[1]);
    r = df_reader_new(NULL);
    rc = df_reader_open_fd(r, fds[0], "-");
    ck_assert_msg(rc == DF_OK, "pipe open: %s", df_reader_error(r)->message);
    ck_assert_int_eq(df_reader_seekable(r), 0);
    *fd_out = fds[0];
    return r;
}

static void close_pipe(pid_t child, int fd)
{
    int st;

    close(fd);
    kill(child, SIGTERM);
    waitpid(child, &st, 0);
}

static const char *str_or(const char *s, const char *dflt)
{
    return s ? s : dflt;
}

/* "desc|schema|tag|owner" as pg_restore -l prints them (NULL schema "-", NULL owner ""). */
static void entry_key(const df_entry *e, char *buf, size_t n)
{
    snprintf(buf, n, "%s|%s|%s|%s", e->desc, str_or(e->schema, "-"), str_or(e->tag, ""),
             str_or(e->owner, ""));
}

typedef struct keylist {
    char **v;
    size_t n;
} keylist;

static void keys_add(keylist *k, const df_entry *e)
{
    char buf[2048];

    entry_key(e, buf, sizeof buf);
    k->v = realloc(k->v, (k->n + 1) * sizeof *k->v);
    k->v[k->n++] = strdup(buf);
}

static void keys_free(keylist *k)
{
    for (size_t i = 0; i < k->n; i++)
        free(k->v[i]);
    free(k->v);
    k->v = NULL;
    k->n = 0;
}

static void keys_equal(const keylist *a, const keylist *b, const char *what)
{
    size_t i;

    for (i = 0; i < a->n && i < b->n; i++)
        ck_assert_msg(strcmp(a->v[i], b->v[i]) == 0, "%s: entry %zu: \"%s\" vs \"%s\"", what, i,
                      a->v[i], b->v[i]);
    ck_assert_msg(a->n == b->n, "%s: %zu vs %zu entries", what, a->n, b->n);
}

/* Entries pg_restore -l would list (optionally of one database only). */
static void listed_keys(const df_reader *r, int create_db, const char *db, keylist *out)
{
    size_t n = df_reader_toc_count(r);
    int *reqs = calloc(n + 1, sizeof *reqs);
    df_list_options opt;

    df_list_options_default(&opt);
    opt.create_db = create_db;
    ck_assert_int_eq(df_restore_reqs(r, &opt, reqs, NULL), DF_OK);
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (!(reqs[i] & (DF_REQ_SCHEMA | DF_REQ_DATA | DF_REQ_STATS)))
            continue;
        if (db != NULL && (e->database == NULL || strcmp(e->database, db) != 0))
            continue;
        keys_add(out, e);
    }
    free(reqs);
}

/* Everything the reader says, as text: equal texts mean equal readings. */
static char *signature(df_reader *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    const df_header *h = df_reader_header(r);

    fprintf(f,
            "format=%d kind=%d trailer=%d key=%s server=%s by=%s db=%s n=%lld bytes=%lld "
            "err=%d\n",
            h->format, h->plain_kind, h->has_trailer, str_or(h->restrict_key, "-"),
            str_or(h->server_version, "-"), str_or(h->dump_version, "-"), str_or(h->dbname, "-"),
            (long long)h->toc_count, (long long)h->script_bytes,
            h->script_error ? h->script_error->code : 0);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        char key[2048];
        int64_t rows = -2, out = -2, raw = -2;
        int mrc = 99;

        entry_key(e, key, sizeof key);
        if (df_entry_has_data(e))
            mrc = df_reader_measure(r, e, &rows, &out, &raw);
        fprintf(f,
                "%d %s db=%s ts=%s sec=%d dumper=%d oid=%u/%u text=%lld data=%lld+%lld "
                "rows=%lld term=%d copy=%s deps=%zu defn=%zu:%016llx m=%d/%lld/%lld/%lld\n",
                e->dump_id, key, str_or(e->database, "-"), str_or(e->tablespace, "-"), e->section,
                e->had_dumper, e->table_oid, e->oid, (long long)e->text_offset,
                (long long)e->data_offset_text, (long long)e->data_bytes, (long long)e->data_rows,
                e->data_terminated, str_or(e->copy_stmt, "-"), e->ndeps,
                e->defn ? strlen(e->defn) : 0,
                (unsigned long long)dft_fnv(DFT_FNV_INIT, e->defn ? e->defn : "",
                                            e->defn ? strlen(e->defn) : 0),
                mrc, (long long)rows, (long long)out, (long long)raw);
    }
    fclose(f);
    return buf;
}

static void same_text(const char *a, const char *b, const char *what)
{
    size_t i = 0;

    while (a[i] && a[i] == b[i])
        i++;
    ck_assert_msg(a[i] == b[i], "%s: readings differ at byte %zu: ...%.80s... vs ...%.80s...", what,
                  i, a + (i > 40 ? i - 40 : 0), b + (i > 40 ? i - 40 : 0));
}

static const df_entry *find_entry(const df_reader *r, const char *desc, const char *tag)
{
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (strcmp(e->desc, desc) == 0 && e->tag && strcmp(e->tag, tag) == 0)
            return e;
    }
    return NULL;
}

static size_t count_desc(const df_reader *r, const char *desc)
{
    size_t n = 0;

    for (size_t i = 0; i < df_reader_toc_count(r); i++)
        n += strcmp(df_reader_toc_at(r, i)->desc, desc) == 0;
    return n;
}

/* ------------------------------------------------------------------ */
/* The corpus: a plain script against the archive of the same pg_dump */
/* ------------------------------------------------------------------ */

typedef struct pair_case {
    const char *dir;
    const char *plain;
    /*
     * pg_dump 9.3.5 (2014) predates the restore pass that moves MATERIALIZED
     * VIEW DATA after the ACLs (added to every branch in 2018), so its script
     * keeps them in TOC order.
     */
    int late_refresh;
    /*
     * pg_dump 10 and older leave "SCHEMA public" and its comment out of a
     * plain script (the schema exists after initdb); pg_restore 18 still
     * lists them from the archive.
     */
    int omits_public;
} pair_case;

static const pair_case pairs[] = {
    {"pg93", "sample.plain.sql", 0, 1},         {"pg10", "sample.plain.sql", 1, 1},
    {"pg15", "sample.plain.sql", 1, 0},         {"pg16", "sample.plain.sql", 1, 0},
    {"pg18", "sample.plain.sql", 1, 0},         {"pg15", "sample.plain.inserts.sql", 1, 0},
    {"pg16", "sample.plain.inserts.sql", 1, 0}, {"pg18", "sample.plain.inserts.sql", 1, 0},
};
#define N_PAIRS ((int)(sizeof pairs / sizeof pairs[0]))

static int pass_of(const pair_case *c, const df_entry *e)
{
    int pass = df_entry_restore_pass(e);

    return pass == 2 && !c->late_refresh ? 0 : pass;
}

/* The archive's pg_restore -l entries in the order its restore script has them. */
static void archive_script_order(const pair_case *c, const df_reader *r, keylist *out)
{
    size_t n = df_reader_toc_count(r);
    int *reqs = calloc(n + 1, sizeof *reqs);

    ck_assert_int_eq(df_restore_reqs(r, NULL, reqs, NULL), DF_OK);
    for (int pass = 0; pass <= 2; pass++)
        for (size_t i = 0; i < n; i++) {
            const df_entry *e = df_reader_toc_at(r, i);
            if (!(reqs[i] & (DF_REQ_SCHEMA | DF_REQ_DATA | DF_REQ_STATS)) || pass_of(c, e) != pass)
                continue;
            if (c->omits_public && e->tag &&
                ((strcmp(e->desc, "SCHEMA") == 0 && strcmp(e->tag, "public") == 0) ||
                 (strcmp(e->desc, "COMMENT") == 0 && strcmp(e->tag, "SCHEMA public") == 0)))
                continue;
            keys_add(out, e);
        }
    free(reqs);
}

START_TEST(test_corpus_entries)
{
    const pair_case *c = &pairs[_i];
    char rel[256];
    df_reader *a, *p;
    keylist ka = {0}, kp = {0};

    snprintf(rel, sizeof rel, "%s/sample.custom.none.dump", c->dir);
    a = open_rel(rel);
    snprintf(rel, sizeof rel, "%s/%s", c->dir, c->plain);
    p = open_rel(rel);
    ck_assert_int_eq(df_reader_header(p)->format, DF_FORMAT_PLAIN);
    ck_assert_int_eq(df_reader_header(p)->plain_kind, DF_PLAIN_PG_DUMP);
    ck_assert_int_eq(df_reader_header(p)->has_trailer, 1);
    ck_assert_ptr_null(df_reader_header(p)->script_error);
    archive_script_order(c, a, &ka);
    listed_keys(p, 0, NULL, &kp);
    keys_equal(&ka, &kp, rel);
    /* a plain script has nothing pg_restore -l would leave out */
    ck_assert_uint_eq(kp.n, df_reader_toc_count(p));
    for (size_t i = 0; i < df_reader_toc_count(p); i++)
        ck_assert_int_eq(df_reader_toc_at(p, i)->dump_id, (int32_t)i + 1);
    /* pg_dump 9.3 wrote no "-- Dumped from/by" comments into plain scripts */
    if (strcmp(c->dir, "pg93") != 0) {
        ck_assert_str_eq(df_reader_header(p)->dump_version, df_reader_header(a)->dump_version);
        ck_assert_str_eq(df_reader_header(p)->server_version, df_reader_header(a)->server_version);
    }
    keys_free(&ka);
    keys_free(&kp);
    df_reader_free(a);
    df_reader_free(p);
}
END_TEST

START_TEST(test_corpus_rows)
{
    const pair_case *c = &pairs[_i];
    char rel[256], key[256], arch[256];
    df_reader *p;
    int64_t los = 0, tables = 0;

    snprintf(rel, sizeof rel, "%s/%s", c->dir, c->plain);
    snprintf(arch, sizeof arch, "%s/sample.custom.none.dump", c->dir);
    p = open_rel(rel);
    for (size_t i = 0; i < df_reader_toc_count(p); i++) {
        const df_entry *e = df_reader_toc_at(p, i);
        int64_t rows, out, raw, want;
        int rc;

        if (!df_entry_has_data(e))
            continue;
        rc = df_reader_measure(p, e, &rows, &out, &raw);
        ck_assert_msg(rc == DF_OK, "%s: %s: %s", rel, e->tag, df_reader_error(p)->message);
        ck_assert_int_eq(e->data_terminated, 1);
        ck_assert_int_eq(raw, e->data_bytes);
        if (df_entry_is_blobs(e)) {
            los += rows;
            continue;
        }
        ck_assert_str_eq(e->desc, "TABLE DATA");
        ck_assert_int_eq(e->copy_stmt != NULL, strstr(c->plain, "inserts") == NULL);
        snprintf(key, sizeof key, "%s.%s", e->schema, e->tag);
        want = dft_rowcounts_get(&rowcounts, arch, key);
        ck_assert_msg(want >= 0, "no row count for %s in %s", key, arch);
        ck_assert_msg(rows == want, "%s %s: %lld rows, expected %lld", rel, key, (long long)rows,
                      (long long)want);
        tables++;
    }
    ck_assert_int_eq(los, dft_rowcounts_get(&rowcounts, arch, "<large objects>"));
    ck_assert_int_eq(tables + 1, (int64_t)dft_rowcounts_count(&rowcounts, arch));
    df_reader_free(p);
}
END_TEST

/* Data entries of both, in order: same bytes (COPY scripts) or same rows (INSERT scripts). */
static void same_data(const char *arch_rel, const char *plain_rel, int inserts)
{
    df_reader *a = open_rel(arch_rel), *p = open_rel(plain_rel);
    dft_result ra, rp;

    ck_assert_int_eq(dft_read_all(a, 65536, 0, &ra), DF_OK);
    ck_assert_msg(dft_read_all(p, 3001, 0, &rp) == DF_OK, "%s: %s", plain_rel, rp.err.message);
    ck_assert_uint_eq(ra.nents, rp.nents);
    for (size_t i = 0; i < ra.nents; i++) {
        const dft_ent *x = &ra.ents[i], *y = &rp.ents[i];
        ck_assert_str_eq(x->key, y->key);
        ck_assert_int_eq(x->rows, y->rows);
        ck_assert_int_eq(x->nlos, y->nlos);
        if (!inserts || x->is_blobs) {
            ck_assert_msg(x->hash == y->hash && x->out_bytes == y->out_bytes,
                          "%s: data of %s differ", plain_rel, x->key);
            ck_assert_int_eq(x->terminated, y->terminated);
        }
    }
    ck_assert_uint_eq(ra.nlos, rp.nlos);
    for (size_t i = 0; i < rp.nlos; i++) {
        size_t len;
        uint8_t *want = dft_lo_expected(rp.los[i].oid, &len);
        ck_assert_ptr_nonnull(want);
        ck_assert_int_eq(rp.los[i].len, (int64_t)len);
        ck_assert(len == 0 || memcmp(want, rp.los[i].bytes, len) == 0);
        free(want);
    }
    dft_result_free(&ra);
    dft_result_free(&rp);
    df_reader_free(a);
    df_reader_free(p);
}

START_TEST(test_corpus_data)
{
    const pair_case *c = &pairs[_i];
    char arch[256], rel[256];

    snprintf(arch, sizeof arch, "%s/sample.custom.none.dump", c->dir);
    snprintf(rel, sizeof rel, "%s/%s", c->dir, c->plain);
    same_data(arch, rel, strstr(c->plain, "inserts") != NULL);
}
END_TEST

/* Odd read sizes change nothing. */
START_TEST(test_io_sizes)
{
    static const size_t sizes[] = {1, 7, 4093};
    char path[4096];
    df_reader *r = open_rel("pg18/sample.plain.inserts.sql");
    char *ref = signature(r);

    df_reader_free(r);
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        char *sig;
        r = open_path_with(dft_path(path, sizeof path, "pg18/sample.plain.inserts.sql"), NULL,
                           sizes[i]);
        sig = signature(r);
        same_text(ref, sig, "io size");
        free(sig);
        df_reader_free(r);
    }
    free(ref);
}
END_TEST

/* ------------------------------------------------------------------ */
/* pg_dumpall                                                          */
/* ------------------------------------------------------------------ */

static const char *const roles[] = {"AuditBot",    "Data Steward", "app_owner",   "app_reader",
                                    "app_readers", "app_writer",   "app_writers", "ops_admin",
                                    "postgres",    "reporting"};

static void check_globals(const df_reader *r)
{
    const df_entry *e;

    ck_assert_uint_eq(count_desc(r, "ROLE"), 10);
    for (size_t i = 0; i < 10; i++) {
        e = find_entry(r, "ROLE", roles[i]);
        ck_assert_msg(e != NULL, "no ROLE %s", roles[i]);
        ck_assert_ptr_null(e->database);
        ck_assert_ptr_null(e->schema);
        ck_assert_ptr_nonnull(strstr(e->defn, "CREATE ROLE"));
        ck_assert_ptr_nonnull(strstr(e->defn, "ALTER ROLE"));
    }
    e = find_entry(r, "ROLE", "Data Steward");
    ck_assert_ptr_nonnull(strstr(e->defn, "COMMENT ON ROLE \"Data Steward\""));
    ck_assert_uint_eq(count_desc(r, "ROLE MEMBERSHIP"), 6);
    e = find_entry(r, "ROLE MEMBERSHIP", "Data Steward TO AuditBot");
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->owner, "postgres");
    ck_assert_ptr_nonnull(find_entry(r, "ROLE MEMBERSHIP", "app_owner TO ops_admin"));
    ck_assert_ptr_nonnull(find_entry(r, "ROLE MEMBERSHIP", "app_writers TO app_writer"));
    ck_assert_uint_eq(count_desc(r, "PSQL META-COMMAND"), 0);
    ck_assert_uint_eq(count_desc(r, "SQL STATEMENTS"), 0);
}

START_TEST(test_globals)
{
    static const char *const dirs[] = {"pg93", "pg10", "pg15", "pg16", "pg18"};
    char rel[256];
    df_reader *r;
    keylist k = {0};

    snprintf(rel, sizeof rel, "%s/globals.sql", dirs[_i]);
    r = open_rel(rel);
    ck_assert_int_eq(df_reader_header(r)->plain_kind, DF_PLAIN_GLOBALS);
    ck_assert_int_eq(df_reader_header(r)->has_trailer, 1);
    /* 15.18 and 18.3 write \restrict, the others do not */
    ck_assert_int_eq(df_reader_header(r)->restrict_key != NULL, _i == 2 || _i == 4);
    check_globals(r);
    ck_assert_uint_eq(df_reader_toc_count(r), 16);
    listed_keys(r, 0, NULL, &k);
    ck_assert_uint_eq(k.n, 16);
    keys_free(&k);
    df_reader_free(r);
}
END_TEST

START_TEST(test_dumpall)
{
    df_reader *r = open_rel("pg18/dumpall.sql"), *single = open_rel("pg18/sample.plain.sql");
    const df_header *h = df_reader_header(r);
    keylist kd = {0}, ks = {0}, k0 = {0};
    const df_entry *db;

    ck_assert_int_eq(h->plain_kind, DF_PLAIN_DUMPALL);
    ck_assert_int_eq(h->has_trailer, 1);
    ck_assert_str_eq(h->restrict_key,
                     "Rqc1LNqXkJkSnpOge57tBhS3ewp6svUb8GEZRJvCjhpOoLEZWrj4bQeiilId8wn");
    check_globals(r);
    /* the sample database's entries are those of its own pg_dump */
    listed_keys(r, 0, "sample", &kd);
    listed_keys(single, 0, NULL, &ks);
    keys_equal(&ks, &kd, "dumpall sample");
    /* template1 and postgres hold nothing */
    listed_keys(r, 0, "template1", &k0);
    listed_keys(r, 0, "postgres", &k0);
    ck_assert_uint_eq(k0.n, 0);
    /* globals first, then every database entry knows its database */
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        ck_assert_int_eq(e->database == NULL, i < 16);
    }
    /* CREATE DATABASE is listed with -C only, as pg_restore does */
    db = find_entry(r, "DATABASE", "sample");
    ck_assert_ptr_nonnull(db);
    ck_assert_str_eq(db->database, "sample");
    ck_assert_str_eq(db->owner, "postgres");
    keys_free(&kd);
    listed_keys(r, 1, "sample", &kd);
    ck_assert_uint_eq(kd.n, ks.n + 1);
    /* the database's data measure like the single dump's */
    for (size_t i = 0; i < df_reader_toc_count(single); i++) {
        const df_entry *e = df_reader_toc_at(single, i), *d;
        int64_t r1, r2;
        if (!df_entry_has_data(e) || df_entry_is_blobs(e))
            continue;
        d = find_entry(r, "TABLE DATA", e->tag);
        ck_assert_ptr_nonnull(d);
        ck_assert_int_eq(df_reader_measure(single, e, &r1, NULL, NULL), DF_OK);
        ck_assert_int_eq(df_reader_measure(r, d, &r2, NULL, NULL), DF_OK);
        ck_assert_int_eq(r1, r2);
    }
    keys_free(&kd);
    keys_free(&ks);
    keys_free(&k0);
    df_reader_free(r);
    df_reader_free(single);
}
END_TEST

/* An older pg_dumpall shape: databases created in the globals part, then "\connect". */
static const char old_dumpall[] =
    "--\n-- PostgreSQL database cluster dump\n--\n\n"
    "SET default_transaction_read_only = off;\n\n"
    "--\n-- Roles\n--\n\n"
    "CREATE ROLE alice;\n"
    "ALTER ROLE alice WITH NOSUPERUSER INHERIT NOCREATEROLE NOCREATEDB LOGIN;\n"
    "ALTER ROLE alice SET search_path TO 'x';\n\n"
    "--\n-- Tablespaces\n--\n\n"
    "CREATE TABLESPACE ts1 OWNER alice LOCATION '/srv/ts1';\n"
    "GRANT CREATE ON TABLESPACE ts1 TO bob;\n\n"
    "--\n-- Database creation\n--\n\n"
    "CREATE DATABASE \"My DB\" WITH TEMPLATE = template0 OWNER = alice;\n"
    "GRANT CONNECT ON DATABASE \"My DB\" TO bob;\n"
    "GRANT SET ON PARAMETER log_statement TO alice;\n"
    "DROP ROLE IF EXISTS carol;\n\n"
    "\\connect -reuse-previous=on \"dbname='My DB'\"\n\n"
    "--\n-- PostgreSQL database dump\n--\n\n"
    "SET statement_timeout = 0;\n\n"
    "--\n-- Name: t; Type: TABLE; Schema: public; Owner: alice; Tablespace: ts1\n--\n\n"
    "CREATE TABLE public.t (a integer);\n\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n"
    "\\connect postgres\n\n"
    "--\n-- PostgreSQL database dump\n--\n\n"
    "--\n-- Name: u; Type: TABLE; Schema: public; Owner: alice\n--\n\n"
    "CREATE TABLE public.u (a integer);\n\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n"
    "--\n-- PostgreSQL database cluster dump complete\n--\n\n";

START_TEST(test_dumpall_old_shape)
{
    char path[256];
    df_reader *r = open_text(old_dumpall, sizeof old_dumpall - 1, NULL, path, sizeof path);
    static const char *const want[][4] = {
        {"ROLE", "alice", "", "-"},
        {"ROLE SETTINGS", "alice", "", "-"},
        {"TABLESPACE", "ts1", "alice", "-"},
        {"DATABASE", "My DB", "alice", "-"},
        {"PARAMETER ACL", "log_statement", "", "-"},
        {"DROP ROLE", "carol", "", "-"},
        {"TABLE", "t", "alice", "My DB"},
        {"TABLE", "u", "alice", "postgres"},
    };

    ck_assert_int_eq(df_reader_header(r)->plain_kind, DF_PLAIN_DUMPALL);
    ck_assert_int_eq(df_reader_header(r)->has_trailer, 1);
    ck_assert_uint_eq(df_reader_toc_count(r), 8);
    for (size_t i = 0; i < 8; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        ck_assert_str_eq(e->desc, want[i][0]);
        ck_assert_str_eq(e->tag, want[i][1]);
        ck_assert_str_eq(str_or(e->owner, ""), want[i][2]);
        ck_assert_str_eq(str_or(e->database, "-"), want[i][3]);
    }
    ck_assert_ptr_nonnull(strstr(df_reader_toc_at(r, 2)->defn, "GRANT CREATE ON TABLESPACE"));
    ck_assert_ptr_nonnull(strstr(df_reader_toc_at(r, 3)->defn, "GRANT CONNECT ON DATABASE"));
    ck_assert_str_eq(df_reader_toc_at(r, 6)->tablespace, "ts1");
    df_reader_free(r);
    unlink(path);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Compressed scripts, pipes                                           */
/* ------------------------------------------------------------------ */

typedef struct blob {
    uint8_t *p;
    size_t n;
} blob;

static void blob_add(blob *b, const void *p, size_t n)
{
    b->p = realloc(b->p, b->n + n + 1);
    memcpy(b->p + b->n, p, n);
    b->n += n;
}

/* The script in two members/frames, to exercise multi-member decoding. */
static blob compress_with(df_compression c, const uint8_t *p, size_t n)
{
    blob out = {NULL, 0};
    size_t half = n / 3;
    const uint8_t *part[2] = {p, p + half};
    size_t len[2] = {half, n - half};

    for (int k = 0; k < 2; k++) {
        size_t cap = len[k] + len[k] / 2 + 65536, got = 0;
        uint8_t *z = malloc(cap);
        if (c == DF_COMPRESS_GZIP) {
#ifdef DF_HAVE_ZLIB
            z_stream zs;
            memset(&zs, 0, sizeof zs);
            ck_assert_int_eq(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY),
                             Z_OK);
            zs.next_in = (Bytef *)part[k];
            zs.avail_in = (uInt)len[k];
            zs.next_out = z;
            zs.avail_out = (uInt)cap;
            ck_assert_int_eq(deflate(&zs, Z_FINISH), Z_STREAM_END);
            got = zs.total_out;
            deflateEnd(&zs);
#endif
        } else if (c == DF_COMPRESS_LZ4) {
#ifdef DF_HAVE_LZ4
            got = LZ4F_compressFrame(z, cap, part[k], len[k], NULL);
            ck_assert(!LZ4F_isError(got));
#endif
        } else {
#ifdef DF_HAVE_ZSTD
            got = ZSTD_compress(z, cap, part[k], len[k], 3);
            ck_assert(!ZSTD_isError(got));
#endif
        }
        blob_add(&out, z, got);
        free(z);
    }
    return out;
}

static bool codec_built(df_compression c)
{
#ifdef DF_HAVE_ZLIB
    if (c == DF_COMPRESS_GZIP)
        return true;
#endif
#ifdef DF_HAVE_LZ4
    if (c == DF_COMPRESS_LZ4)
        return true;
#endif
#ifdef DF_HAVE_ZSTD
    if (c == DF_COMPRESS_ZSTD)
        return true;
#endif
    (void)c;
    return false;
}

/* Read every data stream in reverse file order (compressed: restarts decoding). */
static uint64_t data_hash_reverse(df_reader *r)
{
    uint64_t h = DFT_FNV_INIT;
    uint8_t buf[5000];

    for (size_t k = df_reader_toc_count(r); k-- > 0;) {
        const df_entry *e = df_reader_toc_at(r, k);
        int64_t n;
        uint32_t oid;

        if (!df_entry_has_data(e))
            continue;
        ck_assert_int_eq(df_reader_open_data(r, e), DF_OK);
        if (df_entry_is_blobs(e)) {
            while (df_reader_next_lo(r, &oid) == DF_OK) {
                h = dft_fnv(h, &oid, sizeof oid);
                while ((n = df_reader_read_data(r, buf, sizeof buf)) > 0)
                    h = dft_fnv(h, buf, (size_t)n);
                ck_assert_int_eq(n, 0);
            }
            continue;
        }
        while ((n = df_reader_read_data(r, buf, sizeof buf)) > 0)
            h = dft_fnv(h, buf, (size_t)n);
        ck_assert_msg(n == 0, "read %s: %s", e->tag, df_reader_error(r)->message);
    }
    return h;
}

START_TEST(test_compressed)
{
    static const df_compression kinds[] = {DF_COMPRESS_GZIP, DF_COMPRESS_LZ4, DF_COMPRESS_ZSTD};
    static const char *const files[] = {"pg18/sample.plain.sql", "pg15/sample.plain.inserts.sql"};
    char path[4096], tmp[256];
    size_t len;
    uint8_t *text;
    df_reader *r;
    char *ref;
    uint64_t ref_hash;

    text = (uint8_t *)dft_read_file(dft_path(path, sizeof path, files[_i]), &len);
    ck_assert_ptr_nonnull(text);
    r = open_rel(files[_i]);
    ref = signature(r);
    ref_hash = data_hash_reverse(r);
    df_reader_free(r);
    for (size_t k = 0; k < 3; k++) {
        blob z;
        char *sig;

        if (!codec_built(kinds[k]))
            continue;
        z = compress_with(kinds[k], text, len);
        temp_file(tmp, sizeof tmp, z.p, z.n);
        r = open_path_with(tmp, NULL, k == 1 ? 997 : 0);
        ck_assert_int_eq(df_reader_header(r)->file_compression, kinds[k]);
        sig = signature(r);
        same_text(ref, sig, df_compression_name(kinds[k]));
        /* backwards through the file: every step restarts decompression */
        ck_assert_uint_eq(data_hash_reverse(r), ref_hash);
        free(sig);
        df_reader_free(r);
        unlink(tmp);
        free(z.p);
    }
    free(ref);
    free(text);
}
END_TEST

START_TEST(test_pipe)
{
    char path[4096];
    size_t len;
    uint8_t *text =
        (uint8_t *)dft_read_file(dft_path(path, sizeof path, "pg18/sample.plain.sql"), &len);
    df_reader *r = open_rel("pg18/sample.plain.sql"), *p;
    char *ref = signature(r), *sig;
    pid_t child;
    int fd;
    const df_entry *e;

    df_reader_free(r);
    for (int compressed = 0; compressed < 2; compressed++) {
        blob z = {NULL, 0};
        if (compressed) {
            if (!codec_built(DF_COMPRESS_ZSTD))
                continue;
            z = compress_with(DF_COMPRESS_ZSTD, text, len);
        }
        p = open_pipe(compressed ? z.p : text, compressed ? z.n : len, &child, &fd);
        sig = signature(p);
        same_text(ref, sig, compressed ? "zstd pipe" : "pipe");
        /* the numbers come from the one pass; the data themselves are gone */
        e = find_entry(p, "TABLE DATA", "readings");
        ck_assert_int_eq(df_reader_open_data(p, e), DF_E_NOSEEK);
        ck_assert_ptr_nonnull(strstr(df_reader_error(p)->message, "pipe"));
        free(sig);
        df_reader_free(p);
        close_pipe(child, fd);
        free(z.p);
    }
    free(ref);
    free(text);
}
END_TEST

/* A descriptor handed over positioned after other bytes: offsets and re-reads follow it. */
START_TEST(test_fd_offset)
{
    static const char junk[] = "not part of the script\n";
    const size_t skip = sizeof junk - 1;
    char path[4096], tmp[256];
    size_t len;
    uint8_t *text =
        (uint8_t *)dft_read_file(dft_path(path, sizeof path, "pg18/sample.plain.sql"), &len);
    df_reader *ref = open_rel("pg18/sample.plain.sql");
    uint64_t want = data_hash_reverse(ref);

    for (int compressed = 0; compressed < 2; compressed++) {
        blob whole = {NULL, 0}, z = {NULL, 0};
        df_reader *r;
        int fd;

        if (compressed && !codec_built(DF_COMPRESS_GZIP))
            continue;
        if (compressed)
            z = compress_with(DF_COMPRESS_GZIP, text, len);
        blob_add(&whole, junk, skip);
        blob_add(&whole, compressed ? z.p : text, compressed ? z.n : len);
        temp_file(tmp, sizeof tmp, whole.p, whole.n);
        fd = open(tmp, O_RDONLY);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(lseek(fd, (off_t)skip, SEEK_SET), (off_t)skip);
        r = df_reader_new(NULL);
        ck_assert_int_eq(df_reader_open_fd(r, fd, "handed"), DF_OK);
        ck_assert_uint_eq(df_reader_toc_count(r), df_reader_toc_count(ref));
        /* uncompressed: offsets in the file; compressed: offsets in the text */
        ck_assert_int_eq(df_reader_toc_at(r, 0)->text_offset,
                         df_reader_toc_at(ref, 0)->text_offset + (compressed ? 0 : (int64_t)skip));
        ck_assert_uint_eq(data_hash_reverse(r), want);
        df_reader_free(r);
        close(fd);
        unlink(tmp);
        free(whole.p);
        free(z.p);
    }
    df_reader_free(ref);
    free(text);
}
END_TEST

START_TEST(test_damaged_compressed)
{
    char path[4096], tmp[256];
    size_t len;
    uint8_t *text =
        (uint8_t *)dft_read_file(dft_path(path, sizeof path, "pg18/sample.plain.sql"), &len);
    blob z;
    df_reader *r;
    const df_header *h;
    const df_entry *last = NULL;
    int64_t rows;

    if (!codec_built(DF_COMPRESS_GZIP))
        return;
    z = compress_with(DF_COMPRESS_GZIP, text, len);
    /* cut inside the second member: the entries before the cut are listed */
    temp_file(tmp, sizeof tmp, z.p, z.n * 2 / 3);
    r = open_path_with(tmp, NULL, 0);
    h = df_reader_header(r);
    ck_assert_ptr_nonnull(h->script_error);
    ck_assert_int_eq(h->script_error->code, DF_E_TRUNCATED);
    ck_assert_int_eq(h->has_trailer, 0);
    ck_assert_uint_gt(df_reader_toc_count(r), 10);
    ck_assert_uint_lt(df_reader_toc_count(r), 194);
    for (size_t i = 0; i < df_reader_toc_count(r); i++)
        if (df_entry_has_data(df_reader_toc_at(r, i)))
            last = df_reader_toc_at(r, i);
    if (last && !last->data_terminated)
        ck_assert_int_eq(df_reader_measure(r, last, &rows, NULL, NULL), DF_E_TRUNCATED);
    df_reader_free(r);
    unlink(tmp);
    /* a gzip file holding something else is not a dump */
    free(z.p);
    z = compress_with(DF_COMPRESS_GZIP, (const uint8_t *)"hello, world\n", 13);
    temp_file(tmp, sizeof tmp, z.p, z.n);
    r = df_reader_new(NULL);
    ck_assert_int_eq(df_reader_open_path(r, tmp), DF_E_FORMAT);
    df_reader_free(r);
    unlink(tmp);
    /* cut inside its header: nothing to list */
    temp_file(tmp, sizeof tmp, z.p, 6);
    r = df_reader_new(NULL);
    ck_assert_int_eq(df_reader_open_path(r, tmp), DF_E_TRUNCATED);
    df_reader_free(r);
    unlink(tmp);
    free(z.p);
    free(text);
}
END_TEST

/* ------------------------------------------------------------------ */
/* pg_restore -v output: dump ids, OIDs and dependencies               */
/* ------------------------------------------------------------------ */

START_TEST(test_verbose_script)
{
    char arch[4096], tmp[256], cmd[8400];
    df_reader *a, *p;
    size_t checked = 0;
    int fd;

    if (system("pg_restore --version >/dev/null 2>&1") != 0)
        return; /* no pg_restore to write the script */
    snprintf(tmp, sizeof tmp, "/tmp/check_plain.XXXXXX");
    fd = mkstemp(tmp);
    ck_assert_int_ge(fd, 0);
    close(fd);
    snprintf(cmd, sizeof cmd, "pg_restore -v -f %s %s 2>/dev/null", tmp,
             dft_path(arch, sizeof arch, "pg15/sample.custom.none.dump"));
    ck_assert_int_eq(system(cmd), 0);
    a = open_rel("pg15/sample.custom.none.dump");
    p = open_path_with(tmp, NULL, 0);
    for (size_t i = 0; i < df_reader_toc_count(p); i++) {
        const df_entry *e = df_reader_toc_at(p, i), *o = NULL;
        char k1[2048], k2[2048];

        entry_key(e, k1, sizeof k1);
        /* the archive entry with the same OIDs and key */
        for (size_t j = 0; j < df_reader_toc_count(a) && o == NULL; j++) {
            const df_entry *x = df_reader_toc_at(a, j);
            entry_key(x, k2, sizeof k2);
            if (x->oid == e->oid && x->table_oid == e->table_oid && strcmp(k1, k2) == 0)
                o = x;
        }
        ck_assert_msg(o != NULL, "no archive entry like %s", k1);
        /* every dependency printed maps back to the archive's (ids absent from the script drop) */
        for (size_t d = 0; d < e->ndeps; d++) {
            const df_entry *dep = df_reader_find(p, e->deps[d]);
            bool found = false;
            ck_assert_ptr_nonnull(dep);
            for (size_t m = 0; m < o->ndeps; m++) {
                const df_entry *od = df_reader_find(a, o->deps[m]);
                found = found || (od && od->oid == dep->oid && strcmp(od->desc, dep->desc) == 0 &&
                                  strcmp(str_or(od->tag, ""), str_or(dep->tag, "")) == 0);
            }
            ck_assert_msg(found, "dependency %d of %s", e->deps[d], k1);
            checked++;
        }
    }
    ck_assert_uint_gt(checked, 100);
    ck_assert_uint_gt(find_entry(p, "TABLE", "readings")->oid, 0);
    df_reader_free(a);
    df_reader_free(p);
    unlink(tmp);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Adversarial SQL                                                     */
/* ------------------------------------------------------------------ */

static const char adversarial[] =
    "--\n-- PostgreSQL database dump\n--\n\n"
    "\\restrict AbC123\n\n"
    "SET standard_conforming_strings = on;\n"
    "SELECT pg_catalog.set_config('search_path', '', false);\n\n"
    "--\n-- Name: f(); Type: FUNCTION; Schema: public; Owner: alice\n--\n\n"
    "CREATE FUNCTION public.f() RETURNS text\n    LANGUAGE plpgsql\n    AS $body$\nBEGIN\n"
    "--\n-- Name: fake1; Type: TABLE; Schema: public; Owner: mallory\n--\n\n"
    "  RETURN $$ ; -- $$ || $x$ $body $x$ || 'it''s; -- ' || E'\\' ; \\\\' || \"q\"\"; --\"();\n"
    "END\n$body$;\n\n\n"
    "ALTER FUNCTION public.f() OWNER TO alice;\n\n"
    "--\n-- Name: t; Type: TABLE; Schema: public; Owner: alice\n--\n\n"
    "CREATE TABLE public.t (\n    \"odd\n"
    "--\n-- Name: fake2; Type: TABLE; Schema: public; Owner: mallory\n--\n"
    ";col\" text DEFAULT '\n"
    "--\n-- Name: fake3; Type: TABLE; Schema: public; Owner: mallory\n--\n',\n"
    "    b text /* block\n"
    "--\n-- Name: fake4; Type: TABLE; Schema: public; Owner: mallory\n--\n"
    " /* nested */ still comment */\n"
    "--\n-- Name: fake5; Type: TABLE; Schema: public; Owner: mallory\n--\n"
    ");\n\n"
    "--\n-- Name: g(); Type: FUNCTION; Schema: public; Owner: alice\n--\n\n"
    "CREATE FUNCTION public.g() RETURNS integer\n    LANGUAGE sql\n    BEGIN ATOMIC\n"
    " SELECT 1;\n"
    "--\n-- Name: fake6; Type: TABLE; Schema: public; Owner: mallory\n--\n"
    " SELECT CASE WHEN true THEN 2 END;\n"
    "END;\n\n"
    "\\! rm -rf /\n\n"
    "--\n-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: alice\n--\n\n"
    "COPY public.t (\"odd\n--\n;col\", b) FROM stdin;\n"
    "1\t--\n"
    "2\t-- Name: fake7; Type: TABLE; Schema: public; Owner: mallory\n"
    "--\n"
    "-- Name: fake8; Type: TABLE; Schema: public; Owner: mallory\n"
    "--\n"
    "\\\\.\n"
    "a\\.b\n"
    "\\.x\n"
    "\\N\t\\\\.\n"
    "\\.\n\n\n"
    "--\n-- Data for Name: u; Type: TABLE DATA; Schema: public; Owner: alice\n--\n\n"
    "INSERT INTO public.u VALUES (1, '\n"
    "--\n-- Name: fake9; Type: TABLE; Schema: public; Owner: mallory\n--\n"
    "-- PostgreSQL database dump complete\n--\n');\n"
    "INSERT INTO public.u VALUES (2, 'x'), (3, 'a''); (b');\n"
    "INSERT INTO public.u VALUES (4, E'\\'); \\\\! echo');\n\n\n"
    "--\n-- Name: u u_pkey; Type: CONSTRAINT; Schema: public; Owner: alice\n--\n\n"
    "ALTER TABLE ONLY public.u\n    ADD CONSTRAINT u_pkey PRIMARY KEY (a);\n\n"
    "SELECT 'not \\! a meta';\n"
    "\\o /tmp/evil\n"
    "SELECT 1 \\g /tmp/evil2\n;\n\n"
    "--\n-- PostgreSQL database dump complete\n--\n\n"
    "\\unrestrict AbC123\n\n";

static const char *const adversarial_want[][3] = {
    {"FUNCTION", "f()", "public"},
    {"TABLE", "t", "public"},
    {"FUNCTION", "g()", "public"},
    {"PSQL META-COMMAND", "\\! rm -rf /", "-"},
    {"TABLE DATA", "t", "public"},
    {"TABLE DATA", "u", "public"},
    {"CONSTRAINT", "u u_pkey", "public"},
    {"PSQL META-COMMAND", "\\o /tmp/evil", "-"},
    {"PSQL META-COMMAND", "\\g /tmp/evil2", "-"},
};

static void check_adversarial(df_reader *r, const char *what)
{
    const df_entry *e;
    int64_t rows;

    ck_assert_msg(df_reader_toc_count(r) == 9, "%s: %zu entries", what, df_reader_toc_count(r));
    for (size_t i = 0; i < 9; i++) {
        e = df_reader_toc_at(r, i);
        ck_assert_str_eq(e->desc, adversarial_want[i][0]);
        ck_assert_str_eq(e->tag, adversarial_want[i][1]);
        ck_assert_str_eq(str_or(e->schema, "-"), adversarial_want[i][2]);
        ck_assert_ptr_null(strstr(e->tag, "fake"));
    }
    ck_assert_str_eq(df_reader_header(r)->restrict_key, "AbC123");
    ck_assert_int_eq(df_reader_header(r)->has_trailer, 1);
    /* bodies stay whole */
    e = df_reader_toc_at(r, 0);
    ck_assert_ptr_nonnull(strstr(e->defn, "-- Name: fake1"));
    ck_assert_ptr_nonnull(strstr(e->defn, "ALTER FUNCTION public.f() OWNER TO alice;"));
    ck_assert_ptr_null(strstr(e->defn, "SET "));
    ck_assert_ptr_nonnull(strstr(df_reader_toc_at(r, 1)->defn, "fake5"));
    ck_assert_ptr_nonnull(strstr(df_reader_toc_at(r, 2)->defn, "END;"));
    ck_assert_ptr_nonnull(strstr(df_reader_toc_at(r, 6)->defn, "SELECT 1"));
    ck_assert_ptr_nonnull(strstr(df_reader_toc_at(r, 6)->defn, "'not \\! a meta'"));
    ck_assert_ptr_null(strstr(df_reader_toc_at(r, 6)->defn, "/tmp/evil"));
    /* COPY: an escaped "\." is a row; the terminator ends the data */
    e = df_reader_toc_at(r, 4);
    ck_assert_int_eq(df_reader_measure(r, e, &rows, NULL, NULL), DF_OK);
    ck_assert_int_eq(rows, 9);
    ck_assert_int_eq(e->data_terminated, 1);
    ck_assert_ptr_nonnull(strstr(e->copy_stmt, "FROM stdin;"));
    e = df_reader_toc_at(r, 5);
    ck_assert_int_eq(df_reader_measure(r, e, &rows, NULL, NULL), DF_OK);
    ck_assert_int_eq(rows, 4);
    ck_assert_ptr_null(e->copy_stmt);
}

/* The script with CRLF line ends (string contents change too, boundaries do not). */
static char *to_crlf(const char *s, size_t *n)
{
    char *out = malloc(strlen(s) * 2 + 1);
    size_t k = 0;

    for (; *s; s++) {
        if (*s == '\n')
            out[k++] = '\r';
        out[k++] = *s;
    }
    out[k] = '\0';
    *n = k;
    return out;
}

START_TEST(test_adversarial)
{
    char path[256];
    df_reader *r = open_text(adversarial, sizeof adversarial - 1, NULL, path, sizeof path);
    uint8_t buf[64];
    int64_t n, total = 0;

    check_adversarial(r, "LF");
    /* the data part reads back exactly: rows and the terminator, nothing of the next entry */
    ck_assert_int_eq(df_reader_open_data(r, df_reader_toc_at(r, 4)), DF_OK);
    while ((n = df_reader_read_data(r, buf, sizeof buf)) > 0)
        total += n;
    ck_assert_int_eq(n, 0);
    ck_assert_int_eq(total, df_reader_toc_at(r, 4)->data_bytes);
    df_reader_free(r);
    unlink(path);
}
END_TEST

START_TEST(test_adversarial_crlf)
{
    char path[256];
    size_t n;
    char *crlf = to_crlf(adversarial, &n);
    df_reader *r = open_text(crlf, n, NULL, path, sizeof path);

    check_adversarial(r, "CRLF");
    df_reader_free(r);
    unlink(path);
    free(crlf);
}
END_TEST

#define BIG_LINE (10 * 1024 * 1024)

/* A 10 MB string literal and a 10 MB COPY row, each on one line. */
static char *big_script(size_t *n)
{
    static const char pattern[] = "x;-- $$ ' \\ \"--\n";
    dfi_pbytes b = {.max = 3 * BIG_LINE};
    char chunk[4096];

#define ADD(s) dfi_pbytes_add(&b, (s), strlen(s))
    ADD("--\n-- PostgreSQL database dump\n--\n\n"
        "--\n-- Name: TABLE big; Type: COMMENT; Schema: public; Owner: alice\n--\n\n"
        "COMMENT ON TABLE public.big IS '");
    /* inside the literal: quotes doubled, no newline */
    for (size_t i = 0; i < sizeof chunk; i++) {
        char c = pattern[i % (sizeof pattern - 2)];
        chunk[i] = c == '\'' ? 'q' : c;
    }
    for (size_t k = 0; k < BIG_LINE / sizeof chunk; k++)
        dfi_pbytes_add(&b, chunk, sizeof chunk);
    ADD("';\n\n--\n-- Data for Name: big; Type: TABLE DATA; Schema: public; Owner: alice\n--\n\n"
        "COPY public.big (v) FROM stdin;\n");
    memset(chunk, 'a', sizeof chunk);
    for (size_t k = 0; k < BIG_LINE / sizeof chunk; k++)
        dfi_pbytes_add(&b, chunk, sizeof chunk);
    ADD("\nshort\n\\.\n\n\n"
        "--\n-- Name: after; Type: TABLE; Schema: public; Owner: alice\n--\n\n"
        "CREATE TABLE public.after (a integer);\n\n"
        "--\n-- PostgreSQL database dump complete\n--\n\n");
#undef ADD
    *n = b.len;
    return b.p;
}

START_TEST(test_long_line)
{
    char path[256];
    size_t n;
    char *text = big_script(&n);
    df_reader *r = open_text(text, n, NULL, path, sizeof path);
    const df_entry *e;
    int64_t rows, bytes;
    df_limits lim;

    ck_assert_uint_eq(df_reader_toc_count(r), 3);
    e = df_reader_toc_at(r, 0);
    ck_assert_str_eq(e->desc, "COMMENT");
    ck_assert_uint_gt(strlen(e->defn), BIG_LINE);
    e = df_reader_toc_at(r, 1);
    ck_assert_int_eq(df_reader_measure(r, e, &rows, &bytes, NULL), DF_OK);
    ck_assert_int_eq(rows, 2);
    ck_assert_int_eq(bytes, BIG_LINE + 1 + 6 + 3 + 2);
    ck_assert_str_eq(df_reader_toc_at(r, 2)->tag, "after");
    ck_assert_int_eq(df_reader_header(r)->has_trailer, 1);
    df_reader_free(r);
    /* a definition longer than max_string keeps its first max_string bytes, nothing moves */
    df_limits_default(&lim);
    lim.max_string = 1 << 20;
    r = open_path_with(path, &lim, 0);
    ck_assert_uint_eq(df_reader_toc_count(r), 3);
    ck_assert_uint_le(strlen(df_reader_toc_at(r, 0)->defn), (size_t)lim.max_string);
    ck_assert_uint_ge(strlen(df_reader_toc_at(r, 0)->defn), (size_t)lim.max_string - 16);
    ck_assert_str_eq(df_reader_toc_at(r, 2)->tag, "after");
    df_reader_free(r);
    unlink(path);
    free(text);
}
END_TEST

/* A pg_dump --create script: the DATABASE entry names the database, \connect is no entry. */
START_TEST(test_create_script)
{
    static const char text[] = "--\n-- PostgreSQL database dump\n--\n\n"
                               "--\n-- Name: mydb; Type: DATABASE; Schema: -; Owner: alice\n--\n\n"
                               "CREATE DATABASE mydb WITH TEMPLATE = template0;\n\n"
                               "\\encoding SQL_ASCII\n\\connect mydb\n\n"
                               "SET statement_timeout = 0;\n\n"
                               "--\n-- Name: t; Type: TABLE; Schema: public; Owner: alice\n--\n\n"
                               "CREATE TABLE public.t (a integer);\n\n"
                               "CREATE TABLE sneaky (a int);\n";
    char path[256];
    df_reader *r = open_text(text, sizeof text - 1, NULL, path, sizeof path);
    keylist k = {0};

    ck_assert_str_eq(df_reader_header(r)->dbname, "mydb");
    ck_assert_int_eq(df_reader_header(r)->has_trailer, 0);
    ck_assert_uint_eq(df_reader_toc_count(r), 2);
    ck_assert_ptr_null(df_reader_toc_at(r, 1)->database);
    /* SQL after the last header belongs to that entry */
    ck_assert_ptr_nonnull(strstr(df_reader_toc_at(r, 1)->defn, "sneaky"));
    listed_keys(r, 0, NULL, &k);
    ck_assert_uint_eq(k.n, 1);
    keys_free(&k);
    df_reader_free(r);
    unlink(path);
}
END_TEST

/* Older header shapes: 8.x ("Schema: -", an empty "; Tablespace: ") and before 7.3. */
START_TEST(test_old_headers)
{
    static const char text[] =
        "--\n-- PostgreSQL database dump\n--\n\n"
        "SET client_encoding = 'SQL_ASCII';\nSET default_with_oids = false;\n\n"
        "--\n-- Name: public; Type: ACL; Schema: -; Owner: postgres\n--\n\n"
        "REVOKE ALL ON SCHEMA public FROM PUBLIC;\n\n"
        "SET search_path = public, pg_catalog;\n\n"
        "--\n-- Name: t; Type: TABLE; Schema: public; Owner: alice; Tablespace: \n--\n\n"
        "CREATE TABLE t (a integer);\n\n"
        "--\n-- TOC Entry ID 2 (OID 16555)\n--\n-- Name: u Type: TABLE Owner: bob\n--\n\n"
        "CREATE TABLE \"u\" (\"a\" integer);\n\n"
        "--\n-- Data for TOC Entry ID 3 (OID 16555)\n--\n"
        "-- Name: u Type: TABLE DATA Owner: bob\n--\n\n"
        "COPY \"u\" FROM stdin;\n1\n2\n\\.\n\n";
    char path[256];
    df_reader *r = open_text(text, sizeof text - 1, NULL, path, sizeof path);
    const df_entry *e;
    int64_t rows;

    ck_assert_uint_eq(df_reader_toc_count(r), 4);
    e = df_reader_toc_at(r, 0);
    ck_assert_str_eq(e->desc, "ACL");
    ck_assert_ptr_null(e->schema);
    ck_assert_str_eq(e->defn, "REVOKE ALL ON SCHEMA public FROM PUBLIC;\n");
    e = df_reader_toc_at(r, 1);
    ck_assert_str_eq(e->tag, "t");
    ck_assert_str_eq(e->owner, "alice");
    ck_assert_str_eq(e->tablespace, "");
    e = df_reader_toc_at(r, 2);
    ck_assert_str_eq(e->desc, "TABLE");
    ck_assert_str_eq(e->tag, "u");
    ck_assert_str_eq(e->owner, "bob");
    ck_assert_ptr_null(e->schema);
    ck_assert_uint_eq(e->oid, 16555);
    e = df_reader_toc_at(r, 3);
    ck_assert_str_eq(e->desc, "TABLE DATA");
    ck_assert_int_eq(e->had_dumper, 1);
    ck_assert_int_eq(df_reader_measure(r, e, &rows, NULL, NULL), DF_OK);
    ck_assert_int_eq(rows, 2);
    df_reader_free(r);
    unlink(path);
}
END_TEST

/* A large-object statement that cannot be read spoils its entry's data, not the listing. */
START_TEST(test_bad_lo)
{
    static const char text[] =
        "--\n-- PostgreSQL database dump\n--\n\n"
        "--\n-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: \n--\n\n"
        "BEGIN;\n\nSELECT pg_catalog.lo_open('7', 131072);\n"
        "SELECT pg_catalog.lowrite(0, '\\x00zz');\nSELECT pg_catalog.lo_close(0);\n\n"
        "COMMIT;\n\n"
        "--\n-- Name: t; Type: TABLE; Schema: public; Owner: alice\n--\n\n"
        "CREATE TABLE public.t (a integer);\n\n"
        "--\n-- Data for Name: BLOBS; Type: BLOBS; Schema: -; Owner: \n--\n\n"
        "BEGIN;\n\nSELECT pg_catalog.lo_open('8', 131072);\n"
        "SELECT pg_catalog.lowrite(0, '\\x0001";
    char path[256];
    df_reader *r = open_text(text, sizeof text - 1, NULL, path, sizeof path);
    const df_entry *e = df_reader_toc_at(r, 0);
    int64_t rows;
    uint32_t oid;
    uint8_t buf[16];

    ck_assert_uint_eq(df_reader_toc_count(r), 3);
    ck_assert_int_eq(df_reader_measure(r, e, &rows, NULL, NULL), DF_E_CORRUPT);
    ck_assert_int_eq(rows, 1);
    ck_assert_int_eq(df_reader_open_data(r, e), DF_OK);
    ck_assert_int_eq(df_reader_next_lo(r, &oid), DF_OK);
    ck_assert_uint_eq(oid, 7);
    ck_assert_int_eq(df_reader_read_data(r, buf, sizeof buf), DF_E_CORRUPT);
    /* cut inside a lowrite: the data end early */
    e = df_reader_toc_at(r, 2);
    ck_assert_int_eq(e->data_terminated, 0);
    ck_assert_int_eq(df_reader_measure(r, e, &rows, NULL, NULL), DF_E_TRUNCATED);
    df_reader_free(r);
    unlink(path);
}
END_TEST

/* SQL outside any entry is reported as such. */
START_TEST(test_stray_sql)
{
    static const char text[] = "--\n-- PostgreSQL database dump\n--\n\n"
                               "SET client_encoding = 'UTF8';\n"
                               "DROP TABLE IF EXISTS public.t;\nDROP SCHEMA x;\n\n"
                               "--\n-- Name: t; Type: TABLE; Schema: public; Owner: alice\n--\n\n"
                               "CREATE TABLE public.t (a integer);\n\n"
                               "--\n-- PostgreSQL database dump complete\n--\n\n"
                               "GRANT ALL ON public.t TO mallory;\n";
    char path[256];
    df_reader *r = open_text(text, sizeof text - 1, NULL, path, sizeof path);
    const df_entry *e;

    ck_assert_uint_eq(df_reader_toc_count(r), 3);
    e = df_reader_toc_at(r, 0);
    ck_assert_str_eq(e->desc, "SQL STATEMENTS");
    ck_assert_str_eq(e->tag, "DROP TABLE IF EXISTS public.t;");
    ck_assert_str_eq(e->defn, "DROP TABLE IF EXISTS public.t;\nDROP SCHEMA x;\n");
    e = df_reader_toc_at(r, 2);
    ck_assert_str_eq(e->desc, "SQL STATEMENTS");
    ck_assert_ptr_nonnull(strstr(e->defn, "mallory"));
    /* SQL after the "dump complete" comment does not undo it: it is an entry of its own */
    ck_assert_int_eq(df_reader_header(r)->has_trailer, 1);
    df_reader_free(r);
    unlink(path);
}
END_TEST

START_TEST(test_restore_pass)
{
    df_entry e;

    memset(&e, 0, sizeof e);
    e.desc = "TABLE";
    e.tag = "t";
    ck_assert_int_eq(df_entry_restore_pass(&e), 0);
    e.desc = "ACL";
    ck_assert_int_eq(df_entry_restore_pass(&e), 1);
    e.desc = "DEFAULT ACL";
    ck_assert_int_eq(df_entry_restore_pass(&e), 1);
    e.desc = "MATERIALIZED VIEW DATA";
    ck_assert_int_eq(df_entry_restore_pass(&e), 2);
    e.desc = "COMMENT";
    e.tag = "EVENT TRIGGER et";
    ck_assert_int_eq(df_entry_restore_pass(&e), 2);
    e.tag = "TABLE t";
    ck_assert_int_eq(df_entry_restore_pass(&e), 0);
    e.desc = "STATISTICS DATA";
    e.section = DF_SECTION_POST_DATA;
    ck_assert_int_eq(df_entry_restore_pass(&e), 2);
    e.section = DF_SECTION_DATA;
    ck_assert_int_eq(df_entry_restore_pass(&e), 0);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The lexer fed in pieces of every size                              */
/* ------------------------------------------------------------------ */

typedef struct lexlog {
    FILE *f;
    uint64_t text_hash;
    int64_t text_bytes;
    uint64_t copy_hash; /* COPY data bytes (the copy_data hook) */
    int64_t copy_bytes;
} lexlog;

static int l_text(void *c, const uint8_t *p, size_t n)
{
    lexlog *l = c;

    l->text_hash = dft_fnv(l->text_hash, p, n);
    l->text_bytes += (int64_t)n;
    return DF_OK;
}

static int l_begin(void *c, int64_t off, const char *w, bool *cap)
{
    fprintf(((lexlog *)c)->f, "B %lld %s\n", (long long)off, w);
    *cap = true;
    return DF_OK;
}

static int l_end(void *c, int64_t end, const char *t, size_t n, bool complete, bool term, bool copy)
{
    fprintf(((lexlog *)c)->f, "E %lld %d %d %d %zu %016llx\n", (long long)end, complete, term, copy,
            n, (unsigned long long)dft_fnv(DFT_FNV_INIT, t, n));
    return DF_OK;
}

static int l_cbegin(void *c, int64_t off)
{
    fprintf(((lexlog *)c)->f, "C %lld\n", (long long)off);
    return DF_OK;
}

static int l_cend(void *c, int64_t end, const char *line, size_t n, bool complete)
{
    fprintf(((lexlog *)c)->f, "c %lld %d [%.*s]\n", (long long)end, complete, (int)n, line);
    return DF_OK;
}

static int l_meta(void *c, int64_t off, int64_t end, const char *line, size_t n, bool complete)
{
    fprintf(((lexlog *)c)->f, "M %lld %lld %d [%.*s]\n", (long long)off, (long long)end, complete,
            (int)n, line);
    return DF_OK;
}

static int l_cpb(void *c, int64_t off)
{
    fprintf(((lexlog *)c)->f, "P %lld\n", (long long)off);
    return DF_OK;
}

static int l_cpe(void *c, int64_t end, int64_t rows, bool term)
{
    fprintf(((lexlog *)c)->f, "p %lld %lld %d\n", (long long)end, (long long)rows, term);
    return DF_OK;
}

static int l_cpd(void *c, const uint8_t *p, size_t n)
{
    lexlog *l = c;

    l->copy_hash = dft_fnv(l->copy_hash, p, n);
    l->copy_bytes += (int64_t)n;
    return DF_OK;
}

/* Everything the lexer reports for `text` pushed `piece` bytes at a time. */
static char *lex_log(const char *text, size_t n, size_t piece)
{
    char *out = NULL;
    size_t outlen = 0;
    lexlog l = {open_memstream(&out, &outlen), DFT_FNV_INIT, 0, DFT_FNV_INIT, 0};
    dfi_plex_hooks h = {&l,     l_text, l_begin, l_end, l_cbegin, l_cend,
                        l_meta, l_cpb,  l_cpe,   l_cpd};
    dfi_plex lx;
    uint8_t *buf = malloc(n + 1);
    size_t have = 0, fed = 0;

    dfi_plex_init(&lx, &h);
    for (;;) {
        size_t add = n - fed < piece ? n - fed : piece;
        ssize_t used;

        memcpy(buf + have, text + fed, add);
        have += add;
        fed += add;
        used = dfi_plex_feed(&lx, buf, have, fed == n);
        ck_assert_int_ge(used, 0);
        memmove(buf, buf + used, have - (size_t)used);
        have -= (size_t)used;
        if (fed == n && have == 0)
            break;
    }
    ck_assert_int_eq(dfi_plex_finish(&lx), DF_OK);
    fprintf(l.f, "text %lld %016llx\n", (long long)l.text_bytes, (unsigned long long)l.text_hash);
    fprintf(l.f, "copy %lld %016llx\n", (long long)l.copy_bytes, (unsigned long long)l.copy_hash);
    fclose(l.f);
    dfi_plex_free(&lx);
    free(buf);
    return out;
}

START_TEST(test_lexer_pieces)
{
    static const size_t pieces[] = {1, 2, 3, 5, 7, 64, 511, 513, 4096};
    size_t n = sizeof adversarial - 1, crn;
    char *crlf = to_crlf(adversarial, &crn);
    const char *texts[2] = {adversarial, crlf};
    size_t lens[2] = {n, crn};

    for (int t = 0; t < 2; t++) {
        char *ref = lex_log(texts[t], lens[t], lens[t]);

        ck_assert_ptr_null(strstr(ref, "fake")); /* no header-like text was seen as a comment */
        ck_assert_ptr_nonnull(strstr(ref, "[\\! rm -rf /]"));
        ck_assert_ptr_nonnull(strstr(ref, " 9 1\n")); /* COPY: 9 rows, terminated */
        for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++) {
            char *log = lex_log(texts[t], lens[t], pieces[i]);
            same_text(ref, log, "lexer pieces");
            free(log);
        }
        free(ref);
    }
    free(crlf);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Damaged scripts of the corpus                                       */
/* ------------------------------------------------------------------ */

START_TEST(test_damaged_copy)
{
    df_reader *r = open_rel("damaged/pg15-sample.plain.trunc-copy.sql");
    const df_entry *e = find_entry(r, "TABLE DATA", "readings");
    int64_t rows;
    uint8_t buf[4096];
    int64_t n;

    ck_assert_int_eq(df_reader_header(r)->has_trailer, 0);
    ck_assert_ptr_nonnull(e);
    ck_assert_str_eq(e->schema, "bulk");
    ck_assert_int_eq(e->data_terminated, 0);
    ck_assert_int_eq(df_reader_measure(r, e, &rows, NULL, NULL), DF_E_TRUNCATED);
    ck_assert_int_eq(df_reader_error(r)->offset, 55271);
    ck_assert_int_gt(rows, 0);
    ck_assert_int_lt(rows, 20000);
    /* it is the last entry; reading it ends in the same error */
    ck_assert_ptr_eq(e, df_reader_toc_at(r, df_reader_toc_count(r) - 1));
    ck_assert_int_eq(df_reader_open_data(r, e), DF_OK);
    while ((n = df_reader_read_data(r, buf, sizeof buf)) > 0)
        ;
    ck_assert_int_eq(n, DF_E_TRUNCATED);
    /* the entries before it are intact */
    e = find_entry(r, "TABLE DATA", "events");
    ck_assert_int_eq(df_reader_measure(r, e, &rows, NULL, NULL), DF_OK);
    ck_assert_int_eq(rows, 3);
    df_reader_free(r);
}
END_TEST

START_TEST(test_damaged_trailer)
{
    df_reader *r = open_rel("damaged/pg18-sample.plain.trunc-trailer.sql");
    df_reader *good = open_rel("pg18/sample.plain.sql");
    keylist a = {0}, b = {0};

    ck_assert_int_eq(df_reader_header(r)->has_trailer, 0);
    ck_assert_int_eq(df_reader_header(good)->has_trailer, 1);
    listed_keys(r, 0, NULL, &a);
    listed_keys(good, 0, NULL, &b);
    keys_equal(&b, &a, "trunc-trailer");
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (df_entry_has_data(e))
            ck_assert_int_eq(e->data_terminated, 1);
    }
    keys_free(&a);
    keys_free(&b);
    df_reader_free(r);
    df_reader_free(good);
}
END_TEST

/* The last occurrence of `needle` in `text`, or NULL. */
static char *last_of(char *text, const char *needle)
{
    char *hit = NULL, *p = text;

    while ((p = strstr(p, needle)) != NULL)
        hit = p++;
    return hit;
}

/*
 * The "dump complete" text inside string literals is not the trailer
 * (corpus/README: 18 such lines in each *.plain.inserts.sql; the
 * adversarial script has the whole three-line comment in a string).
 */
START_TEST(test_trailer_in_strings)
{
    static const char *const files[] = {"pg15/sample.plain.inserts.sql",
                                        "pg18/sample.plain.inserts.sql", NULL};
    static const char block[] = "\n--\n-- PostgreSQL database dump complete\n--\n";
    char path[4096], tmp[256];
    size_t len, inside = 0;
    char *text, *cut, *p;
    df_reader *r, *whole;

    if (files[_i] != NULL) {
        text = dft_read_file(dft_path(path, sizeof path, files[_i]), &len);
        whole = open_rel(files[_i]);
    } else {
        text = strdup(adversarial);
        whole = open_text(adversarial, strlen(adversarial), NULL, tmp, sizeof tmp);
        unlink(tmp);
    }
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(df_reader_header(whole)->has_trailer, 1);
    cut = last_of(text, block);
    ck_assert_ptr_nonnull(cut);
    cut[1] = '\0'; /* keep everything before the real trailer */
    for (p = text; (p = strstr(p, "-- PostgreSQL database dump complete")) != NULL; p++)
        inside++;
    ck_assert_uint_ge(inside, 1);
    temp_file(tmp, sizeof tmp, text, strlen(text));
    r = open_path_with(tmp, NULL, 0);
    ck_assert_int_eq(df_reader_header(r)->has_trailer, 0);
    ck_assert_uint_eq(df_reader_toc_count(r), df_reader_toc_count(whole));
    df_reader_free(r);
    df_reader_free(whole);
    unlink(tmp);
    free(text);
}
END_TEST

/* Cut anywhere, flipped anywhere, garbage after a banner: clean results, never a crash. */
static void open_and_read(const void *p, size_t n)
{
    char tmp[256];
    df_reader *r = df_reader_new(NULL);
    dft_result res;

    temp_file(tmp, sizeof tmp, p, n);
    if (df_reader_open_path(r, tmp) == DF_OK) {
        char *sig = signature(r);
        dft_read_all(r, 4096, 0, &res);
        dft_result_free(&res);
        free(sig);
    } else {
        ck_assert_int_lt(df_reader_error(r)->code, 0);
        ck_assert(df_reader_error(r)->message[0] != '\0');
    }
    df_reader_free(r);
    unlink(tmp);
}

START_TEST(test_robustness)
{
    char path[4096];
    size_t len;
    uint8_t *text =
        (uint8_t *)dft_read_file(dft_path(path, sizeof path, "pg18/sample.plain.sql"), &len);
    uint8_t *copy = malloc(len);
    blob z = {NULL, 0};
    unsigned seed = 12345;

    ck_assert_ptr_nonnull(text);
    for (size_t k = 0; k < 60; k++)
        open_and_read(text, len * k / 60 + (k * 7919) % 97);
    if (codec_built(DF_COMPRESS_GZIP)) {
        z = compress_with(DF_COMPRESS_GZIP, text, len);
        for (size_t k = 0; k < 30; k++)
            open_and_read(z.p, z.n * k / 30 + k % 5);
    }
    for (int k = 0; k < 80; k++) {
        size_t at = (size_t)rand_r(&seed) % len;
        memcpy(copy, text, len);
        copy[at] ^= (uint8_t)(1 + rand_r(&seed) % 255);
        open_and_read(copy, len);
    }
    /* a banner, then noise */
    memcpy(copy, "--\n-- PostgreSQL database dump\n--\n", 35);
    for (size_t i = 35; i < len; i++)
        copy[i] = (uint8_t)rand_r(&seed);
    open_and_read(copy, len);
    for (size_t i = 35; i < len; i++)
        copy[i] = "-\n'\"$;\\.(/*E"[rand_r(&seed) % 13];
    open_and_read(copy, len);
    free(z.p);
    free(copy);
    free(text);
}
END_TEST

/* ------------------------------------------------------------------ */

static Suite *plain_suite(void)
{
    Suite *s = suite_create("plain");
    TCase *tc = tcase_create("corpus");

    tcase_set_timeout(tc, 300);
    tcase_add_loop_test(tc, test_corpus_entries, 0, N_PAIRS);
    tcase_add_loop_test(tc, test_corpus_rows, 0, N_PAIRS);
    tcase_add_loop_test(tc, test_corpus_data, 0, N_PAIRS);
    tcase_add_test(tc, test_io_sizes);
    tcase_add_loop_test(tc, test_globals, 0, 5);
    tcase_add_test(tc, test_dumpall);
    tcase_add_test(tc, test_dumpall_old_shape);
    tcase_add_loop_test(tc, test_compressed, 0, 2);
    tcase_add_test(tc, test_pipe);
    tcase_add_test(tc, test_damaged_compressed);
    tcase_add_test(tc, test_fd_offset);
    tcase_add_test(tc, test_verbose_script);
    tcase_add_test(tc, test_damaged_copy);
    tcase_add_test(tc, test_damaged_trailer);
    tcase_add_loop_test(tc, test_trailer_in_strings, 0, 3);
    suite_add_tcase(s, tc);
    tc = tcase_create("sql");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_adversarial);
    tcase_add_test(tc, test_adversarial_crlf);
    tcase_add_test(tc, test_long_line);
    tcase_add_test(tc, test_create_script);
    tcase_add_test(tc, test_stray_sql);
    tcase_add_test(tc, test_old_headers);
    tcase_add_test(tc, test_bad_lo);
    tcase_add_test(tc, test_restore_pass);
    tcase_add_test(tc, test_lexer_pieces);
    tcase_add_test(tc, test_robustness);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    if (dft_rowcounts_load(&rowcounts) != 0) {
        fprintf(stderr, "check_plain: cannot read %s/rowcounts.tsv\n", dft_corpus());
        return 1;
    }
    sr = srunner_create(plain_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    dft_rowcounts_free(&rowcounts);
    return failed == 0 ? 0 : 1;
}
