/*
 * check_verify.c — the verifier (verify.c) behind dumpcheck:
 *  - units: the COPY column-list parser, the COPY text checker fed in
 *    pieces of every size, the INSERT field scanner;
 *  - every intact corpus dump (archives and plain scripts): only the
 *    warnings issue 4 allows, rows and large objects as in rowcounts.tsv,
 *    exactly one sequence-behind-data naming sales.invoices_invoice_id_seq,
 *    the same findings with 1 and 4 threads and with ISA-L and zlib;
 *  - every damaged corpus file: DAMAGED, with a finding whose offset and
 *    member point into the damage MANIFEST.json describes, and for the
 *    custom and tar truncations exactly the incomplete/missing entries of
 *    its affected_data;
 *  - the truncation sweep: every custom, tar and plain dump cut at >= 200
 *    pseudo-random offsets and at every structure boundary is DAMAGED in
 *    full and in --quick mode, never OK, never a hang (that is the thorough
 *    mode, DF_TEST_FULL=1; make check's default sample: a third of the random
 *    and sampled boundary cuts, and of a plain script's last 130 bytes every
 *    fourth and each line edge, see sweep_share); directory data files
 *    cut short: what --quick sees (lz4/zstd frames, raw COPY tails, gzip
 *    under 20 bytes) and that the full check sees every cut;
 *  - crafted damage: bad COPY rows and escapes, trailing bytes, a damaged
 *    TOC copy, duplicate ids, foreign blocks, LO lists, psql meta-commands.
 */
#include "check_util.h"
#include "corpus_util.h"
#include "dumpfmt.h"
#include "verify.h"

#include <check.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#define HANG_SECONDS 30
#define RANDOM_CUTS 200
#define MAX_BOUNDARY_CUTS 200
#define BIG_SWEEP_FILE (768 * 1024)
/* make check's default (DF_TEST_FULL unset): 1 in SWEEP_SAMPLE random and boundary cuts */
#define SWEEP_SAMPLE 3

static dft_rowcounts rowcounts;

/* Every intact dump of the corpus, archives and scripts. */
typedef struct vfile {
    char rel[DFT_MAX_NAME];
    char path[4096];
    int is_dir, is_tar, is_plain;
} vfile;

static vfile *files;
static size_t nfiles;

/* ------------------------------------------------------------------ */
/* Helpers                                                             */
/* ------------------------------------------------------------------ */

static df_verify *verify(const char *path, int quick, int threads, int inflate, int pgr)
{
    df_verify_options o;
    df_verify *v = NULL;

    df_verify_options_default(&o);
    o.quick = quick;
    o.threads = threads;
    o.inflate = inflate;
    o.pg_restore_version = pgr;
    alarm(HANG_SECONDS);
    ck_assert_int_eq(df_verify_path(path, &o, &v, NULL), DF_OK);
    alarm(0);
    ck_assert_ptr_nonnull(v);
    return v;
}

static int verdict(const df_verify *v)
{
    return df_verify_get_summary(v)->verdict;
}

static size_t count_code(const df_verify *v, const char *code)
{
    size_t n = 0;

    for (size_t i = 0; i < df_verify_count(v); i++)
        n += strcmp(df_verify_finding(v, i)->code, code) == 0;
    return n;
}

static const df_finding *find_code(const df_verify *v, const char *code, int32_t dump_id)
{
    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *f = df_verify_finding(v, i);
        if (strcmp(f->code, code) == 0 &&
            (dump_id == 0 || (f->entry && f->entry->dump_id == dump_id)))
            return f;
    }
    return NULL;
}

/* "code offset member message dump-id" of every finding, for comparing two runs. */
static char *fingerprint(const df_verify *v)
{
    size_t cap = 4096, len = 0;
    char *s = malloc(cap);

    s[0] = '\0';
    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *f = df_verify_finding(v, i);
        size_t need = strlen(f->message) + strlen(f->member) + 128;
        if (len + need >= cap) {
            cap = (len + need) * 2;
            s = realloc(s, cap);
        }
        len += (size_t)snprintf(s + len, cap - len, "%s %d %lld %s %s %d\n", f->code, f->severity,
                                (long long)f->offset, f->member, f->message,
                                f->entry ? f->entry->dump_id : 0);
    }
    return s;
}

static void dump_findings(const char *what, const df_verify *v)
{
    fprintf(stderr, "%s: %s\n", what, df_verdict_name(verdict(v)));
    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *f = df_verify_finding(v, i);
        fprintf(stderr, "  %s [%s] %lld %s: %s\n", f->code, df_severity_name(f->severity),
                (long long)f->offset, f->member, f->message);
    }
}

static int is_custom(const vfile *f)
{
    return !f->is_dir && !f->is_tar && !f->is_plain;
}

/* ------------------------------------------------------------------ */
/* Units: COPY column lists, the COPY checker, INSERT scanning          */
/* ------------------------------------------------------------------ */

START_TEST(test_copy_columns)
{
    char **names = NULL;
    int n = dfi_copy_columns("COPY public.\"Mixed Case\" (id, \"b c\", \"q\"\"x\") FROM stdin;\n",
                             &names);

    ck_assert_int_eq(n, 3);
    ck_assert_str_eq(names[0], "id");
    ck_assert_str_eq(names[1], "b c");
    ck_assert_str_eq(names[2], "q\"x");
    dfi_free_names(names, n);
    ck_assert_int_eq(dfi_copy_columns("COPY s.\"t(1)\" (a) FROM stdin;", NULL), 1);
    ck_assert_int_eq(dfi_copy_columns("COPY public.empty  FROM stdin;\n", NULL), 0);
    ck_assert_int_eq(dfi_copy_columns("COPY old FROM stdin;", NULL), -1);
    ck_assert_int_eq(dfi_copy_columns("COPY t (a, b) WITH OIDS FROM stdin;", NULL), 3);
    ck_assert_int_eq(dfi_copy_columns(NULL, NULL), -1);
    ck_assert_int_eq(dfi_copy_columns("INSERT INTO t VALUES (1);", NULL), -1);
    ck_assert_int_eq(dfi_copy_columns("COPY t (a, FROM stdin;", NULL), -1);
}
END_TEST

/* Feed `text` to a fresh checker in pieces of `step` bytes. */
static void feed_steps(dfi_copycheck *cp, const char *text, size_t step)
{
    size_t n = strlen(text);

    for (size_t i = 0; i < n; i += step)
        dfi_copycheck_feed(cp, (const uint8_t *)text + i, n - i < step ? n - i : step);
}

static const size_t steps[] = {1, 2, 3, 5, 7, 63, 64, 65, 127, 4096};
#define NSTEPS (sizeof steps / sizeof steps[0])

START_TEST(test_copycheck_good)
{
    /* long rows cross the 64-byte blocks of the fast scanner; escapes of every kind */
    const char *text =
        "1\talpha\\tbeta\t\\N\n"
        "2\tline\\nbreak and a much longer value that runs past sixty-four bytes\tx\n"
        "3\t\\\\back\\\\slash\t\\001\\x41\\b\\f\\r\\v\n"
        "4\t\t\n"
        "\\.\n\n\n";

    for (size_t k = 0; k < NSTEPS; k++) {
        dfi_copycheck cp;

        ck_assert_int_eq(dfi_copycheck_init(&cp, DF_ROWS_COPY, 3, NULL, 0), DF_OK);
        feed_steps(&cp, text, steps[k]);
        ck_assert_msg(cp.terminated, "step %zu", steps[k]);
        ck_assert_int_eq(cp.rows, 4);
        ck_assert_int_eq(cp.bad_rows, 0);
        ck_assert_int_eq(cp.bad_esc, 0);
        ck_assert_int_eq(cp.after_bytes, 0);
        dfi_copycheck_free(&cp);
    }
}
END_TEST

START_TEST(test_copycheck_bad)
{
    /* row 2 has 2 columns, row 3 an invalid escape "\q", row 4 ends in a backslash */
    const char *text = "1\ta\tb\n2\tb\n3\t\\q\tc\n4\tx\ty\\\n\\.\nextra\n";

    for (size_t k = 0; k < NSTEPS; k++) {
        dfi_copycheck cp;

        ck_assert_int_eq(dfi_copycheck_init(&cp, DF_ROWS_COPY, 3, NULL, 0), DF_OK);
        feed_steps(&cp, text, steps[k]);
        /* rows 2 and 5 ("extra") have the wrong count; row 2 is reported */
        ck_assert_int_eq(cp.bad_rows, 2);
        ck_assert_int_eq(cp.bad_row_no, 2);
        ck_assert_int_eq(cp.bad_row_cols, 2);
        ck_assert_int_eq(cp.bad_row_pos, 6);
        ck_assert_int_eq(cp.bad_esc, 2);
        ck_assert_int_eq(cp.bad_esc_row, 3);
        ck_assert_int_eq(cp.bad_esc_char, 'q');
        ck_assert_int_eq(cp.bad_esc_pos, 12);
        /* the escaped newline joins row 4 and "\." (COPY FROM reads it so): no terminator */
        ck_assert(!cp.terminated);
        ck_assert_int_eq(cp.rows, 5);
        dfi_copycheck_free(&cp);
    }
}
END_TEST

START_TEST(test_copycheck_terminator)
{
    for (size_t k = 0; k < NSTEPS; k++) {
        dfi_copycheck cp;

        /* bytes after the terminator */
        dfi_copycheck_init(&cp, DF_ROWS_COPY, 1, NULL, 0);
        feed_steps(&cp, "a\n\\.\n\nzz\n", steps[k]);
        ck_assert(cp.terminated);
        ck_assert_int_eq(cp.rows, 1);
        ck_assert_int_eq(cp.after_bytes, 3);
        ck_assert_int_eq(cp.after_pos, 6);
        dfi_copycheck_free(&cp);
        /* "\." not alone on its line is a row (with a valid escape) */
        dfi_copycheck_init(&cp, DF_ROWS_COPY, 1, NULL, 0);
        feed_steps(&cp, "x\\.\n\\.x\n", steps[k]);
        ck_assert(!cp.terminated);
        ck_assert_int_eq(cp.rows, 2);
        dfi_copycheck_free(&cp);
        /* a table without columns: rows are empty lines */
        dfi_copycheck_init(&cp, DF_ROWS_COPY, 0, NULL, 0);
        feed_steps(&cp, "\n\n\nx\n\\.\n", steps[k]);
        ck_assert(cp.terminated);
        ck_assert_int_eq(cp.rows, 4);
        ck_assert_int_eq(cp.bad_rows, 1);
        ck_assert_int_eq(cp.bad_row_no, 4);
        dfi_copycheck_free(&cp);
        /* archives < 1.3: the COPY command leads the data and gives the columns */
        dfi_copycheck_init(&cp, DF_ROWS_COPY_WITH_COMMAND, -1, NULL, 0);
        feed_steps(&cp, "COPY t (a, b) FROM stdin;\n1\t2\n3\n\\.\n", steps[k]);
        ck_assert_int_eq(cp.ncols, 2);
        ck_assert(cp.terminated);
        ck_assert_int_eq(cp.rows, 2);
        ck_assert_int_eq(cp.bad_rows, 1);
        dfi_copycheck_free(&cp);
    }
}
END_TEST

START_TEST(test_copycheck_watch)
{
    /* column 1 watched; a row longer than the carry, \N, text and negative values */
    char text[20000];
    size_t n = 0;

    n += (size_t)snprintf(text + n, sizeof text - n, "a\t17\tz\nb\t\\N\tz\nc\tx9\tz\nd\t-5\tz\n");
    n += (size_t)snprintf(text + n, sizeof text - n, "e\t41\t");
    for (int i = 0; i < 9000; i++)
        text[n++] = 'q';
    n += (size_t)snprintf(text + n, sizeof text - n, "\nf\t40\tz\n\\.\n\n\n");
    for (size_t k = 0; k < NSTEPS; k++) {
        dfi_watch w = {1, 0, "v", false, 0, 1};
        dfi_copycheck cp;

        dfi_copycheck_init(&cp, DF_ROWS_COPY, 3, &w, 1);
        feed_steps(&cp, text, steps[k]);
        ck_assert(cp.terminated);
        ck_assert_int_eq(cp.rows, 6);
        ck_assert(w.have);
        ck_assert_int_eq(w.max, 41);
        dfi_copycheck_free(&cp);
    }
}
END_TEST

START_TEST(test_insert_watch)
{
    const char *text = "INSERT INTO s.t VALUES (7, 'a, (b)', 1);\n"
                       "INSERT INTO s.t VALUES (12, E'it\\'s ), 99', 2), (3, 'x', 3);\n"
                       "INSERT INTO s.t (\"other\", id) VALUES (1000, 15);\n"
                       "INSERT INTO s.t OVERRIDING SYSTEM VALUE VALUES (-4, NULL, ROW(99, 98));\n"
                       "INSERT INTO s.t VALUES ('50', 'q', 0);\n\n";

    for (size_t k = 0; k < NSTEPS; k++) {
        dfi_watch w = {0, 0, "id", false, 0, 0};
        dfi_copycheck cp;

        dfi_copycheck_init(&cp, DF_ROWS_INSERT, -1, &w, 1);
        feed_steps(&cp, text, steps[k]);
        ck_assert(w.have);
        ck_assert_int_eq(w.max, 15);
        ck_assert_int_eq(cp.rows, 6);
        ck_assert_int_eq(cp.last_nonspace, ';');
        dfi_copycheck_free(&cp);
    }
}
END_TEST

START_TEST(test_names)
{
    df_verify_options o;

    ck_assert_str_eq(df_severity_name(DF_SEVERITY_INFO), "info");
    ck_assert_str_eq(df_severity_name(DF_SEVERITY_ERROR), "error");
    ck_assert_str_eq(df_verdict_name(DF_VERDICT_DAMAGED), "DAMAGED");
    ck_assert_str_eq(df_verdict_name(DF_VERDICT_UNKNOWN), "UNKNOWN");
    ck_assert_int_eq(df_pg_restore_max_minor(15), 14);
    ck_assert_int_eq(df_pg_restore_max_minor(16), 15);
    ck_assert_int_eq(df_pg_restore_max_minor(18), 16);
    ck_assert_int_eq(df_pg_restore_max_minor(11), 13);
    memset(&o, 0x55, sizeof o);
    df_verify_options_default(&o);
    ck_assert_int_eq(o.quick, 0);
    ck_assert_int_eq(o.threads, 0);
    ck_assert_ptr_null(o.progress);
    ck_assert_int_eq(df_verify_path(NULL, NULL, &(df_verify *){NULL}, NULL), DF_E_USAGE);
    {
        df_error e = {0};
        ck_assert_int_eq(df_verify_path(NULL, NULL, &(df_verify *){NULL}, &e), DF_E_USAGE);
        ck_assert_int_eq(e.code, DF_E_USAGE); /* the one convention: the error says why */
        ck_assert_str_ne(e.message, "");
    }
    df_verify_free(NULL);
}
END_TEST

START_TEST(test_unreadable)
{
    df_verify *v = verify("/nonexistent/dump", 0, 1, 0, 0);

    ck_assert_int_eq(verdict(v), DF_VERDICT_UNKNOWN);
    ck_assert_uint_eq(count_code(v, DF_FIND_UNREADABLE), 1);
    df_verify_free(v);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Intact corpus                                                       */
/* ------------------------------------------------------------------ */

static int64_t expected_rows(const char *rel, int64_t *los)
{
    char key[DFT_MAX_NAME];
    int64_t rows = 0;
    size_t n = strlen(rel);

    snprintf(key, sizeof key, "%.*s", (int)(n > 0 && rel[n - 1] == '/' ? n - 1 : n), rel);
    *los = 0;
    for (size_t i = 0; i < rowcounts.n; i++) {
        if (strcmp(rowcounts.lines[i].file, key) != 0)
            continue;
        if (strcmp(rowcounts.lines[i].table, "<large objects>") == 0)
            *los = rowcounts.lines[i].rows;
        else
            rows += rowcounts.lines[i].rows;
    }
    return rows;
}

/* The findings issue 4 allows in an intact dump, and nothing else. */
static void check_intact_findings(const vfile *f, const df_verify *v, int quick)
{
    int offsetless = strstr(f->rel, "pipe") != NULL || strstr(f->rel, "stdout") != NULL;
    int has_data = strstr(f->rel, "globals") == NULL;

    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *x = df_verify_finding(v, i);
        int ok = strcmp(x->code, DF_FIND_DANGLING_DEPENDENCY) == 0 ||
                 strcmp(x->code, DF_FIND_SEQUENCE_BEHIND_DATA) == 0 ||
                 (strcmp(x->code, DF_FIND_NO_DATA_OFFSETS) == 0 && offsetless) ||
                 (strcmp(x->code, DF_FIND_TOC_COPY) == 0 && strstr(f->rel, "stdout"));
        ck_assert_msg(ok, "%s%s: unexpected %s: %s", f->rel, quick ? " (quick)" : "", x->code,
                      x->message);
        ck_assert_int_le(x->severity, DF_SEVERITY_WARNING);
    }
    ck_assert_uint_eq(count_code(v, DF_FIND_NO_DATA_OFFSETS), is_custom(f) && offsetless);
    ck_assert_uint_eq(count_code(v, DF_FIND_TOC_COPY), strstr(f->rel, "stdout") != NULL);
    if (quick || !has_data) {
        ck_assert_uint_eq(count_code(v, DF_FIND_SEQUENCE_BEHIND_DATA), 0);
    } else {
        /* corpus README: the one sequence deliberately behind its data */
        const df_finding *s = find_code(v, DF_FIND_SEQUENCE_BEHIND_DATA, 0);
        ck_assert_uint_eq(count_code(v, DF_FIND_SEQUENCE_BEHIND_DATA), 1);
        ck_assert_ptr_nonnull(s->entry);
        ck_assert_str_eq(s->entry->tag, "invoices_invoice_id_seq");
        ck_assert_str_eq(s->entry->schema, "sales");
        ck_assert_ptr_nonnull(strstr(s->message, "60"));
    }
}

START_TEST(test_intact)
{
    const vfile *f = &files[_i];
    df_verify *v = verify(f->path, 0, 2, 0, 0), *q, *one, *zl, *old;
    const df_verify_summary *s = df_verify_get_summary(v);
    int64_t los, rows = expected_rows(f->rel, &los);
    char *a, *b;

    if (verdict(v) > DF_VERDICT_WARNING)
        dump_findings(f->rel, v);
    ck_assert_int_le(verdict(v), DF_VERDICT_WARNING);
    check_intact_findings(f, v, 0);
    if (strstr(f->rel, "globals") == NULL && strstr(f->rel, "restore.sql") == NULL &&
        strstr(f->rel, "dumpall") == NULL) {
        ck_assert_msg(s->rows == rows, "%s: %lld rows, rowcounts.tsv says %lld", f->rel,
                      (long long)s->rows, (long long)rows);
        ck_assert_int_eq(s->large_objects, los);
    }
    ck_assert_int_eq(s->quick, 0);
    ck_assert_int_eq(s->findings[DF_SEVERITY_ERROR], 0);
    /* --quick: structure only, no sequence check */
    q = verify(f->path, 1, 2, 0, 0);
    ck_assert_int_le(verdict(q), DF_VERDICT_WARNING);
    check_intact_findings(f, q, 1);
    ck_assert_int_eq(df_verify_get_summary(q)->quick, 1);
    /* the same findings whatever the threads and the inflater */
    one = verify(f->path, 0, 1, 0, 0);
    zl = verify(f->path, 0, 4, DF_INFLATE_ZLIB, 0);
    a = fingerprint(v);
    b = fingerprint(one);
    ck_assert_msg(strcmp(a, b) == 0, "%s: -j2 and -j1 differ:\n%s---\n%s", f->rel, a, b);
    free(b);
    b = fingerprint(zl);
    ck_assert_msg(strcmp(a, b) == 0, "%s: isa-l and zlib differ:\n%s---\n%s", f->rel, a, b);
    free(b);
    ck_assert_int_eq(df_verify_get_summary(zl)->rows, s->rows);
    if (s->inflater != NULL)
        ck_assert_str_eq(df_verify_get_summary(zl)->inflater, "zlib");
    /* pg_restore 15 refuses 1.15 and 1.16 archives */
    old = verify(f->path, 1, 1, 0, 15);
    ck_assert_uint_eq(count_code(old, DF_FIND_ARCHIVE_NEWER), !f->is_plain && s->vmin > 14);
    if (s->vmin > 14 && !f->is_plain)
        ck_assert_int_eq(verdict(old), DF_VERDICT_WARNING);
    free(a);
    df_verify_free(v);
    df_verify_free(q);
    df_verify_free(one);
    df_verify_free(zl);
    df_verify_free(old);
}
END_TEST

/* The gzip path really runs on both engines (the summary says which inflated). */
START_TEST(test_inflaters)
{
    char path[4096];
    df_verify *a = verify(dft_path(path, sizeof path, "pg18/sample.custom.gzip.dump"), 0, 1, 0, 0);
    df_verify *b = verify(path, 0, 1, DF_INFLATE_ZLIB, 0);
    df_verify *c = verify(dft_path(path, sizeof path, "pg18/sample.custom.lz4.dump"), 0, 1, 0, 0);

    ck_assert_ptr_nonnull(df_verify_get_summary(a)->inflater);
    ck_assert_str_eq(df_verify_get_summary(b)->inflater, "zlib");
#ifdef DF_HAVE_ISAL
    ck_assert_str_eq(df_verify_get_summary(a)->inflater, "isa-l");
#endif
    ck_assert_ptr_null(df_verify_get_summary(c)->inflater);
    df_verify_free(a);
    df_verify_free(b);
    df_verify_free(c);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Damaged corpus (expectations from corpus/MANIFEST.json "damaged")   */
/* ------------------------------------------------------------------ */

typedef struct damaged_case {
    const char *rel;
    const char *code;   /* the finding that must point into the damage */
    int32_t dump_id;    /* its entry (0: a file-level finding) */
    int64_t lo, hi;     /* its offset must be in [lo, hi]; lo = -1: no offset */
    const char *member; /* its member ("" = the file itself) */
    int quick_sees;     /* --quick finds the damage too */
    const char *base;   /* custom/tar: the intact archive, for affected_data */
    int32_t incomplete; /* affected_data: the entry whose data are cut ... */
    int later_missing;  /* ... and every data entry after it is "missing" */
} damaged_case;

#define G18 "pg18/sample.custom.gzip.dump"
static const damaged_case damaged[] = {
    {"damaged/empty.dump", DF_FIND_EMPTY, 0, 0, 0, "", 1, NULL, 0, 0},
    {"damaged/random.dump", DF_FIND_NOT_A_DUMP, 0, 0, 0, "", 1, NULL, 0, 0},
    /* cut_offset 3: inside the magic */
    {"damaged/pg18-sample.custom.gzip.trunc-magic.dump", DF_FIND_TRUNCATED_HEADER, 0, 3, 3, "", 1,
     NULL, 0, 0},
    /* cut_offset 40: inside the 132-byte header */
    {"damaged/pg15-sample.custom.gzip.trunc-header.dump", DF_FIND_TRUNCATED_HEADER, 0, 40, 40, "",
     1, NULL, 0, 0},
    /* cut_offset 28916: inside the TOC (76..57879) */
    {"damaged/pg18-sample.custom.gzip.trunc-toc.dump", DF_FIND_TRUNCATED_TOC, 0, 28916, 28916, "",
     1, NULL, 0, 0},
    /* cut_offset 89142: inside chunk #7 of bulk.readings; 17 blocks after it missing */
    {"damaged/pg18-sample.custom.gzip.trunc-chunk.dump", DF_FIND_TRUNCATED, 2890, 89142, 89142, "",
     1, G18, 2890, 1},
    /* cut_offset 58376: exactly at the start of the block of bulk.readings */
    {"damaged/pg18-sample.custom.gzip.trunc-boundary.dump", DF_FIND_MISSING_DATA, 2890, 58376,
     58376, "", 1, G18, 0, 1},
    /* cut_offset 138574: the last 3 bytes, in the last BLOBS block */
    {"damaged/pg18-sample.custom.gzip.trunc-tail3.dump", DF_FIND_TRUNCATED, 2894, 138574, 138574,
     "", 1, G18, 2894, 0},
    /* flip_offset 76839, inside the block of bulk.readings (58376..113481) */
    {"damaged/pg18-sample.custom.gzip.flip-zlib.dump", DF_FIND_BAD_CHECKSUM, 2890, 76839, 113481,
     "", 0, NULL, 0, 0},
    /* cut_offset 79963: inside chunk #1 of bulk.readings (lz4) */
    {"damaged/pg16-sample.custom.lz4.trunc-chunk.dump", DF_FIND_TRUNCATED, 2866, 79963, 79963, "",
     1, "pg16/sample.custom.lz4.dump", 2866, 1},
    /* cut_offset 100421 of the pipe dump (no offsets) */
    {"damaged/pg18-sample.custom.pipe.trunc-chunk.dump", DF_FIND_TRUNCATED, 2890, 100421, 100421,
     "", 1, "pg18/sample.custom.pipe.dump", 2890, 1},
    /* removed_file 2890.dat.gz */
    {"damaged/pg18-sample.dir.gzip.missing-datafile", DF_FIND_MISSING_FILE, 2890, -1, -1,
     "2890.dat.gz", 1, NULL, 0, 0},
    /* 2890.dat.gz cut_offset 27518 of 55036: gzip, --quick cannot see it */
    {"damaged/pg18-sample.dir.gzip.trunc-datgz", DF_FIND_TRUNCATED, 2890, 27518, 27518,
     "2890.dat.gz", 0, NULL, 0, 0},
    /* 2890.dat.gz flip_offset 27519: CRC-32 */
    {"damaged/pg18-sample.dir.gzip.crc-datgz", DF_FIND_BAD_CHECKSUM, 2890, 27519, 55036,
     "2890.dat.gz", 0, NULL, 0, 0},
    /* 2866.dat.zst cut_offset 28026 of 56053 (pg_restore exits 0) */
    {"damaged/pg16-sample.dir.zstd.trunc-datzst", DF_FIND_TRUNCATED, 2866, 28026, 28026,
     "2866.dat.zst", 1, NULL, 0, 0},
    /* cut_offset 134968 inside member 2890.dat (data 60416..209521), 23 members lost */
    {"damaged/pg18-sample.tar.trunc-member.tar", DF_FIND_TRUNCATED, 2890, 134968, 134968,
     "2890.dat", 1, "pg18/sample.tar", 2890, 1},
    /* cut_offset 55271: inside the COPY data of bulk.readings */
    {"damaged/pg15-sample.plain.trunc-copy.sql", DF_FIND_MISSING_TERMINATOR, 0, 55271, 55271, "", 1,
     NULL, 0, 0},
    /* cut_offset 289300: the trailer removed */
    {"damaged/pg18-sample.plain.trunc-trailer.sql", DF_FIND_NO_TRAILER, 0, 289300, 289300, "", 1,
     NULL, 0, 0},
};
#define N_DAMAGED ((int)(sizeof damaged / sizeof damaged[0]))

/*
 * MANIFEST affected_data: with later_missing, every data entry of the base
 * archive whose data come after the cut entry's (in file order) is
 * "missing", the cut entry itself "incomplete" (or missing too when
 * incomplete is 0, the cut fell exactly on its block's start).
 */
static void check_affected(const damaged_case *dc, const df_verify *v)
{
    char path[4096];
    df_reader *r = df_reader_new(NULL);
    size_t n, nmissing = 0, nincomplete = 0;
    int after = 0;

    ck_assert_int_eq(df_reader_open_path(r, dft_path(path, sizeof path, dc->base)), DF_OK);
    n = df_reader_toc_count(r);
    for (size_t i = 0; i < n; i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        int missing = 0, truncated = 0;

        if (!df_entry_has_data(e))
            continue;
        for (size_t k = 0; k < df_verify_count(v); k++) {
            const df_finding *f = df_verify_finding(v, k);
            if (f->entry == NULL || f->entry->dump_id != e->dump_id)
                continue;
            missing += strcmp(f->code, DF_FIND_MISSING_DATA) == 0;
            truncated += strcmp(f->code, DF_FIND_TRUNCATED) == 0;
        }
        if (e->dump_id == dc->dump_id)
            after = 1;
        if (e->dump_id == dc->incomplete) {
            ck_assert_msg(truncated == 1 && missing == 0, "%s: %d not incomplete", dc->rel,
                          e->dump_id);
            nincomplete++;
        } else if (after && dc->later_missing) {
            ck_assert_msg(missing == 1 && truncated == 0, "%s: %d not missing", dc->rel,
                          e->dump_id);
            nmissing++;
        } else {
            ck_assert_msg(missing == 0 && truncated == 0, "%s: %d should be intact", dc->rel,
                          e->dump_id);
        }
    }
    ck_assert_uint_eq(nincomplete, dc->incomplete != 0);
    if (dc->later_missing)
        ck_assert_uint_ge(nmissing, 14);
    df_reader_free(r);
}

START_TEST(test_damaged)
{
    const damaged_case *dc = &damaged[_i];
    char path[4096];
    df_verify *v, *v4, *q;
    const df_finding *f;
    char *a, *b;

    dft_path(path, sizeof path, dc->rel);
    v = verify(path, 0, 1, 0, 0);
    if (verdict(v) != DF_VERDICT_DAMAGED)
        dump_findings(dc->rel, v);
    ck_assert_int_eq(verdict(v), DF_VERDICT_DAMAGED);
    f = find_code(v, dc->code, dc->dump_id);
    if (f == NULL)
        dump_findings(dc->rel, v);
    ck_assert_msg(f != NULL, "%s: no %s finding", dc->rel, dc->code);
    ck_assert_int_eq(f->severity, DF_SEVERITY_ERROR);
    if (dc->lo >= 0)
        ck_assert_msg(f->offset >= dc->lo && f->offset <= dc->hi,
                      "%s: %s at %lld, not in %lld..%lld", dc->rel, dc->code, (long long)f->offset,
                      (long long)dc->lo, (long long)dc->hi);
    ck_assert_str_eq(f->member, dc->member);
    if (dc->base != NULL)
        check_affected(dc, v);
    /* the same findings with 4 threads */
    v4 = verify(path, 0, 4, 0, 0);
    a = fingerprint(v);
    b = fingerprint(v4);
    ck_assert_msg(strcmp(a, b) == 0, "%s: -j1 and -j4 differ:\n%s---\n%s", dc->rel, a, b);
    free(a);
    free(b);
    /* what --quick sees */
    q = verify(path, 1, 1, 0, 0);
    if (dc->quick_sees)
        ck_assert_msg(verdict(q) == DF_VERDICT_DAMAGED, "%s: --quick says %s", dc->rel,
                      df_verdict_name(verdict(q)));
    else
        ck_assert_msg(verdict(q) <= DF_VERDICT_WARNING, "%s: --quick should not see it", dc->rel);
    df_verify_free(v);
    df_verify_free(v4);
    df_verify_free(q);
}
END_TEST

/* Every file of corpus/damaged has a case above. */
START_TEST(test_damaged_all_known)
{
    char dir[4096];
    DIR *d = opendir(dft_path(dir, sizeof dir, "damaged"));
    struct dirent *de;
    int n = 0;

    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL) {
        char rel[600];
        int known = 0;
        if (de->d_name[0] == '.')
            continue;
        snprintf(rel, sizeof rel, "damaged/%s", de->d_name);
        for (int i = 0; i < N_DAMAGED; i++)
            known |= strcmp(damaged[i].rel, rel) == 0;
        ck_assert_msg(known, "no expectation for %s", rel);
        n++;
    }
    closedir(d);
    ck_assert_int_eq(n, N_DAMAGED);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The truncation sweep                                                */
/* ------------------------------------------------------------------ */

typedef struct cuts {
    int64_t *v;
    size_t n, cap;
} cuts;

static void cuts_add(cuts *c, int64_t off)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 1024;
        c->v = realloc(c->v, c->cap * sizeof *c->v);
    }
    c->v[c->n++] = off;
}

static void cuts_add_cb(void *ctx, int64_t off)
{
    cuts_add(ctx, off);
}

static int cmp_desc(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

    return x < y ? 1 : x > y ? -1 : 0;
}

/* Descending, inside [0, max], no duplicates. */
static void cuts_finish(cuts *c, int64_t max)
{
    size_t k = 0;

    qsort(c->v, c->n, sizeof *c->v, cmp_desc);
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i] >= 0 && c->v[i] <= max && (k == 0 || c->v[k - 1] != c->v[i]))
            c->v[k++] = c->v[i];
    c->n = k;
}

/*
 * A quarter of the random and boundary cuts for the files whose checks are slow, so that each
 * keeps a share of make check's time like the others': the INSERT-format scripts (four times
 * the others' size, read by four lexers) and the uncompressed custom archives (one chunk per
 * row: each cut's check walks ~20,000 chunks).
 */
static bool slow_sweep(const vfile *f, size_t len)
{
    return len > BIG_SWEEP_FILE || strstr(f->rel, ".custom.none.") != NULL;
}

/*
 * make check's default sweep: of the random and the sampled boundary cuts 1 in SWEEP_SAMPLE,
 * and of a plain script's last 130 bytes (cut at each one in the thorough mode, every cut a
 * read of the whole script: most of this program's time) every fourth byte and each line's
 * first and last; every kind of boundary still gets cut.
 */
static int sweep_share(int n)
{
    return dft_full() ? n : n / SWEEP_SAMPLE;
}

static bool tail_cut_kept(const uint8_t *bytes, size_t len, int64_t k)
{
    int64_t at = (int64_t)len - k;

    return dft_full() || k % 4 == 1 || bytes[at] == '\n' || (at > 0 && bytes[at - 1] == '\n');
}

/* At most `max` of `all`, evenly spread. */
static void cuts_add_sampled(cuts *c, const cuts *all, size_t max)
{
    size_t step = all->n > max ? (all->n + max - 1) / max : 1;

    for (size_t i = 0; i < all->n; i += step)
        cuts_add(c, all->v[i]);
}

static void cuts_add_random(cuts *c, uint32_t seed, int64_t size, int n)
{
    for (int i = 0; i < n && size > 0; i++) {
        seed = seed * 1664525u + 1013904223u;
        cuts_add(c, (int64_t)(((uint64_t)seed << 16 ^ (uint64_t)(seed >> 7)) % (uint64_t)size));
    }
}

/* Structure boundaries: header, TOC entries, blocks, chunks, members, script entries. */
static int64_t add_boundaries(const vfile *f, const uint8_t *bytes, size_t len, cuts *c)
{
    df_reader *r = df_reader_new(NULL);
    const df_header *h;
    cuts all = {0};
    int64_t data_end = -1;
    int max;

    ck_assert_int_eq(df_reader_open_path(r, f->path), DF_OK);
    h = df_reader_header(r);
    for (int64_t k = 0; k <= 12; k++)
        cuts_add(c, k);
    if (h->header_end >= 0) {
        cuts_add(c, h->header_end);
        cuts_add(c, h->header_end + 1);
    }
    cuts_add(c, h->toc_end);
    cuts_add(c, h->toc_end - 1);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        cuts_add(&all, e->toc_offset);
        cuts_add(&all, e->text_offset);
        cuts_add(&all, e->data_offset_text);
        if (e->data_offset_text >= 0 && e->data_bytes > 0)
            cuts_add(&all, e->data_offset_text + e->data_bytes - 1);
        if (e->offset_state == DF_OFFSET_SET)
            cuts_add(&all, e->data_offset);
    }
    if (f->is_tar) {
        dft_tar_member m[512];
        size_t nm = dft_tar_walk(bytes, len, m, 512);
        for (size_t i = 0; i < nm; i++) {
            cuts_add(&all, m[i].header);
            cuts_add(&all, m[i].data);
            cuts_add(&all, m[i].data + m[i].size);
            cuts_add(&all, m[i].data + m[i].size - 1);
        }
        for (int64_t k = 1; k <= 1024; k += 511)
            cuts_add(c, (int64_t)len - k); /* the end-of-archive blocks */
    } else if (is_custom(f)) {
        data_end = dft_custom_walk(bytes, len, h->toc_end, h->int_size, cuts_add_cb, &all);
        cuts_add(c, data_end);
        cuts_add(c, data_end + 1);
    } else {
        for (int64_t k = 1; k <= 130 && k <= (int64_t)len; k++)
            if (tail_cut_kept(bytes, len, k))
                cuts_add(c, (int64_t)len - k); /* the trailer and \unrestrict lines */
    }
    cuts_finish(&all, (int64_t)len);
    max = sweep_share(slow_sweep(f, len) ? MAX_BOUNDARY_CUTS / 4 : MAX_BOUNDARY_CUTS);
    cuts_add_sampled(c, &all, (size_t)max);
    free(all.v);
    df_reader_free(r);
    return data_end;
}

/* No error, and no warning but no-data-offsets and the corpus's sequence warning. */
static int only_pipe_warnings(const df_verify *v)
{
    for (size_t i = 0; i < df_verify_count(v); i++) {
        const df_finding *f = df_verify_finding(v, i);
        if (f->severity >= DF_SEVERITY_ERROR)
            return 0;
        if (f->severity == DF_SEVERITY_WARNING && strcmp(f->code, DF_FIND_NO_DATA_OFFSETS) != 0 &&
            strcmp(f->code, DF_FIND_SEQUENCE_BEHIND_DATA) != 0)
            return 0;
    }
    return count_code(v, DF_FIND_NO_DATA_OFFSETS) == 1;
}

/*
 * Every cut of every custom, tar and plain dump is DAMAGED, in full and
 * quick mode.  One exception, by construction: a 16+ stdout dump cut exactly
 * where its TOC copy starts is byte for byte a pipe dump (spec §5.5), which
 * is intact: it gets WARNING (no-data-offsets), never OK.
 */
START_TEST(test_sweep)
{
    const vfile *f = &files[_i];
    size_t len;
    uint8_t *bytes;
    cuts c = {0};
    char tmp[] = "/tmp/check_verify.XXXXXX";
    int fd;
    int64_t pipe_like;
    size_t n = 0;
    int random_cuts;

    /* directories: test_sweep_dir; pg_restore -f scripts: the same shape as the plain dumps */
    if (f->is_dir || strstr(f->rel, ".restore.sql") != NULL)
        return;
    bytes = (uint8_t *)dft_read_file(f->path, &len);
    ck_assert_ptr_nonnull(bytes);
    pipe_like = add_boundaries(f, bytes, len, &c);
    if (strstr(f->rel, "stdout") == NULL)
        pipe_like = -1;
    random_cuts = sweep_share(slow_sweep(f, len) ? RANDOM_CUTS / 4 : RANDOM_CUTS);
    cuts_add_random(&c, 0x51ed270bu ^ (uint32_t)_i * 2654435761u, (int64_t)len, random_cuts);
    cuts_finish(&c, (int64_t)len - 1);
    fd = mkstemp(tmp);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(dft_write_file(tmp, bytes, len), 0);
    for (size_t i = 0; i < c.n; i++) {
        int64_t cut = c.v[i];

        ck_assert_int_eq(ftruncate(fd, cut), 0);
        /* --quick on every other cut: still > 200 per file, boundaries and random alike */
        for (int quick = 0; quick <= (i % 2 == 0 || cut == pipe_like); quick++) {
            df_verify *v = verify(tmp, quick, 1, 0, 0);
            int want = cut == pipe_like ? DF_VERDICT_WARNING : DF_VERDICT_DAMAGED;

            if (verdict(v) != want)
                dump_findings(f->rel, v);
            ck_assert_msg(verdict(v) == want, "%s cut at %lld of %zu%s: %s, expected %s", f->rel,
                          (long long)cut, len, quick ? " (quick)" : "", df_verdict_name(verdict(v)),
                          df_verdict_name(want));
            if (cut == pipe_like)
                ck_assert(only_pipe_warnings(v));
            df_verify_free(v);
            n++;
        }
    }
    ck_assert_uint_ge(c.n, random_cuts);
    ck_assert_uint_ge(n - c.n, (size_t)sweep_share(slow_sweep(f, len) ? 50 : 150));
    close(fd);
    unlink(tmp);
    fprintf(stderr, "sweep %s: %zu cuts, %zu checks\n", f->rel, c.n, n);
    free(c.v);
    free(bytes);
}
END_TEST

static char *copy_dir(const char *rel)
{
    char src[4096];
    char *dir = strdup("/tmp/check_verify_dir.XXXXXX");

    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(dft_copy_dir(dft_path(src, sizeof src, rel), dir), 0);
    return dir;
}

/* What --quick sees of a cut directory data file (spec §6.3), and that the full check sees it. */
typedef struct dir_cut_case {
    const char *dir, *file;
    int kind; /* 0 gzip: quick only under 20 bytes; 1 lz4/zstd frame; 2 raw COPY text */
} dir_cut_case;

static const dir_cut_case dir_cuts[] = {
    {"pg18/sample.dir.gzip", "2890.dat.gz", 0},        {"pg18/sample.dir.lz4", "2890.dat.lz4", 1},
    {"pg18/sample.dir.zstd", "2890.dat.zst", 1},       {"pg16/sample.dir.zstd", "2866.dat.zst", 1},
    {"pg16/sample.dir.lz4", "blob_910003.dat.lz4", 1}, {"pg18/sample.dir.none", "2890.dat", 2},
    {"pg15/sample.dir.none", "3659.dat", 2},
};

START_TEST(test_sweep_dir)
{
    const dir_cut_case *dc = &dir_cuts[_i];
    char *dir = copy_dir(dc->dir);
    char path[4200];
    size_t len;
    uint8_t *bytes;
    cuts c = {0};

    snprintf(path, sizeof path, "%s/%s", dir, dc->file);
    bytes = (uint8_t *)dft_read_file(path, &len);
    ck_assert_ptr_nonnull(bytes);
    for (int64_t k = 1; k <= 24; k++)
        cuts_add(&c, k);
    for (int64_t k = 4; k <= 12; k++)
        cuts_add(&c, (int64_t)len - k);
    cuts_add_random(&c, 4242u + (uint32_t)_i, (int64_t)len, sweep_share(40));
    /* raw COPY text: cutting only newlines after "\." loses nothing */
    cuts_finish(&c, (int64_t)len - (dc->kind == 2 ? 3 : 1));
    for (size_t i = 0; i < c.n; i++) {
        df_verify *full, *quick;
        int quick_sees = dc->kind != 0 || c.v[i] < 20;

        if (c.v[i] < 1)
            continue;
        ck_assert_int_eq(dft_write_file(path, bytes, (size_t)c.v[i]), 0);
        full = verify(dir, 0, 1, 0, 0);
        quick = verify(dir, 1, 1, 0, 0);
        ck_assert_msg(verdict(full) == DF_VERDICT_DAMAGED, "%s/%s cut at %lld: %s", dc->dir,
                      dc->file, (long long)c.v[i], df_verdict_name(verdict(full)));
        ck_assert_msg((verdict(quick) == DF_VERDICT_DAMAGED) == quick_sees,
                      "%s/%s cut at %lld: --quick says %s", dc->dir, dc->file, (long long)c.v[i],
                      df_verdict_name(verdict(quick)));
        for (size_t k = 0; k < df_verify_count(full); k++) {
            const df_finding *f = df_verify_finding(full, k);
            if (f->severity == DF_SEVERITY_ERROR)
                ck_assert_str_eq(f->member, dc->file);
        }
        df_verify_free(full);
        df_verify_free(quick);
    }
    free(c.v);
    free(bytes);
    dft_remove_dir(dir);
    free(dir);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Crafted damage                                                      */
/* ------------------------------------------------------------------ */

/* A private copy of a corpus file, to modify. */
static char *copy_file(const char *rel, uint8_t **bytes, size_t *len)
{
    char src[4096];
    char *tmp = strdup("/tmp/check_verify_file.XXXXXX");
    int fd = mkstemp(tmp);

    ck_assert_int_ge(fd, 0);
    close(fd);
    *bytes = (uint8_t *)dft_read_file(dft_path(src, sizeof src, rel), len);
    ck_assert_ptr_nonnull(*bytes);
    return tmp;
}

static int64_t find_bytes(const uint8_t *p, size_t n, const char *needle)
{
    size_t k = strlen(needle);

    for (size_t i = 0; i + k <= n; i++)
        if (memcmp(p + i, needle, k) == 0)
            return (int64_t)i;
    return -1;
}

START_TEST(test_crafted_copy)
{
    /* uncompressed archives: the rows are stored as they are, so bytes can be changed in place */
    static const char *const rels[] = {"pg18/sample.custom.none.dump", "pg18/sample.tar",
                                       "pg18/sample.plain.sql"};

    for (size_t k = 0; k < 3; k++) {
        uint8_t *b;
        size_t len;
        char *tmp = copy_file(rels[k], &b, &len);
        int64_t row = find_bytes(b, len, "1\t1\t2024-01-02\t10.01\n");
        int64_t esc = find_bytes(b, len, "multi\\nline");
        df_verify *v;
        const df_finding *f;

        ck_assert_int_ge(row, 0);
        ck_assert_int_ge(esc, 0);
        b[row + 3] = ' '; /* sales.invoices row 1: 3 columns instead of 4 */
        b[esc + 6] = 'q'; /* sales.customers row 1: "\q" */
        ck_assert_int_eq(dft_write_file(tmp, b, len), 0);
        v = verify(tmp, 0, 2, 0, 0);
        ck_assert_int_eq(verdict(v), DF_VERDICT_DAMAGED);
        f = find_code(v, DF_FIND_BAD_COPY_ROW, 0);
        ck_assert_ptr_nonnull(f);
        ck_assert_str_eq(f->entry->tag, "invoices");
        ck_assert_ptr_nonnull(strstr(f->message, "row 1 has 3 columns"));
        if (k > 0) /* tar member and script: raw offsets point at the row itself */
            ck_assert_int_eq(f->offset, row);
        f = find_code(v, DF_FIND_BAD_COPY_ESCAPE, 0);
        ck_assert_ptr_nonnull(f);
        ck_assert_str_eq(f->entry->tag, "customers");
        if (k > 0)
            ck_assert_int_eq(f->offset, esc + 5);
        /* --quick does not read rows */
        df_verify_free(v);
        v = verify(tmp, 1, 1, 0, 0);
        ck_assert_int_eq(count_code(v, DF_FIND_BAD_COPY_ROW), 0);
        df_verify_free(v);
        unlink(tmp);
        free(tmp);
        free(b);
    }
}
END_TEST

START_TEST(test_crafted_trailing)
{
    uint8_t *b;
    size_t len;
    char *tmp = copy_file(G18, &b, &len);
    df_verify *v;
    const df_finding *f;

    b = realloc(b, len + 7);
    memcpy(b + len, "garbage", 7);
    ck_assert_int_eq(dft_write_file(tmp, b, len + 7), 0);
    v = verify(tmp, 1, 1, 0, 0);
    f = find_code(v, DF_FIND_TRAILING_DATA, 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->offset, (int64_t)len);
    ck_assert_int_eq(verdict(v), DF_VERDICT_DAMAGED);
    df_verify_free(v);
    unlink(tmp);
    free(tmp);
    free(b);
}
END_TEST

/* The TOC copy after the data of a 16+ stdout dump (spec §5.5) must match the TOC. */
START_TEST(test_crafted_toc_copy)
{
    uint8_t *b;
    size_t len;
    char *tmp = copy_file("pg16/sample.custom.stdout.dump", &b, &len);
    int64_t tag = find_bytes(b + len - 40000, 40000, "invoices_invoice_id_seq");
    df_verify *v;
    const df_finding *f;

    ck_assert_int_ge(tag, 0);
    tag += (int64_t)len - 40000;
    b[tag] ^= 0x20;
    ck_assert_int_eq(dft_write_file(tmp, b, len), 0);
    v = verify(tmp, 1, 1, 0, 0);
    f = find_code(v, DF_FIND_TRAILING_DATA, 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(strstr(f->message, "first difference"));
    ck_assert_int_eq(count_code(v, DF_FIND_TOC_COPY), 0);
    df_verify_free(v);
    unlink(tmp);
    free(tmp);
    free(b);
}
END_TEST

/* A TOC entry's dump id changed to another's; a block's dump id changed to a foreign one. */
START_TEST(test_crafted_ids)
{
    uint8_t *b;
    size_t len;
    char *tmp = copy_file(G18, &b, &len);
    df_reader *r = df_reader_new(NULL);
    const df_entry *x = NULL, *y = NULL, *data = NULL;
    df_verify *v;
    const df_finding *f;

    char p[4096];

    ck_assert_int_eq(df_reader_open_path(r, dft_path(p, sizeof p, G18)), DF_OK);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (strcmp(e->desc, "COMMENT") == 0 && x == NULL)
            x = e;
        else if (strcmp(e->desc, "COMMENT") == 0 && y == NULL)
            y = e;
        if (e->tag && strcmp(e->tag, "invoices") == 0 && strcmp(e->desc, "TABLE DATA") == 0)
            data = e;
    }
    ck_assert(x && y && data);
    /* dump id INT = sign byte + 4 bytes, the first field of an entry (spec §4.2) */
    memcpy(b + x->toc_offset + 1, b + y->toc_offset + 1, 4);
    /* block header: type byte, then the dump id INT */
    b[data->data_offset + 2] = 0x9f;
    b[data->data_offset + 3] = 0x86;
    b[data->data_offset + 4] = 0x01; /* 99999 */
    ck_assert_int_eq(dft_write_file(tmp, b, len), 0);
    v = verify(tmp, 1, 1, 0, 0);
    ck_assert_int_eq(verdict(v), DF_VERDICT_DAMAGED);
    ck_assert_ptr_nonnull(find_code(v, DF_FIND_DUPLICATE_ID, 0));
    f = find_code(v, DF_FIND_BAD_BLOCK, 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->offset, data->data_offset);
    ck_assert_ptr_nonnull(strstr(f->message, "99999"));
    f = find_code(v, DF_FIND_MISSING_DATA, data->dump_id);
    ck_assert_ptr_nonnull(f);
    df_verify_free(v);
    df_reader_free(r);
    unlink(tmp);
    free(tmp);
    free(b);
}
END_TEST

/* An LO list that lost a line, or names a file that is not there. */
START_TEST(test_crafted_lo_list)
{
    char *dir = copy_dir("pg18/sample.dir.gzip");
    char list[4200], line[256];
    df_reader *r = df_reader_new(NULL);
    const df_entry *group = NULL;
    size_t len;
    char *text;
    df_verify *v;

    ck_assert_int_eq(df_reader_open_path(r, dir), DF_OK);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (strcmp(e->desc, "BLOBS") == 0 && strchr(e->tag, '.') != NULL)
            group = e; /* "910004..910005" */
    }
    ck_assert_ptr_nonnull(group);
    snprintf(list, sizeof list, "%s/%s", dir, group->filename);
    text = dft_read_file(list, &len);
    ck_assert_ptr_nonnull(text);
    /* keep the first line only */
    ck_assert_int_eq(dft_write_file(list, text, (size_t)(strchr(text, '\n') - text + 1)), 0);
    v = verify(dir, 1, 1, 0, 0);
    ck_assert_int_eq(verdict(v), DF_VERDICT_DAMAGED);
    ck_assert_ptr_nonnull(find_code(v, DF_FIND_LO_MISMATCH, group->dump_id));
    df_verify_free(v);
    /* add a line for a file that does not exist */
    snprintf(line, sizeof line, "%s910099 blob_910099.dat\n", text);
    ck_assert_int_eq(dft_write_file(list, line, strlen(line)), 0);
    v = verify(dir, 0, 1, 0, 0);
    ck_assert_ptr_nonnull(find_code(v, DF_FIND_MISSING_FILE, group->dump_id));
    df_verify_free(v);
    /* and a line that is not "<oid> <file>" */
    snprintf(line, sizeof line, "%snot a line\n", text);
    ck_assert_int_eq(dft_write_file(list, line, strlen(line)), 0);
    v = verify(dir, 1, 1, 0, 0);
    ck_assert_ptr_nonnull(find_code(v, DF_FIND_BAD_LO_LIST, group->dump_id));
    df_verify_free(v);
    df_reader_free(r);
    free(text);
    dft_remove_dir(dir);
    free(dir);
}
END_TEST

/* Verify with limits: max_los and max_line as given (0: the default). */
static df_verify *verify_limited(const char *path, int64_t max_los, int64_t max_line)
{
    df_verify_options o;
    df_limits lim;
    df_verify *v = NULL;

    df_limits_default(&lim);
    if (max_los > 0)
        lim.max_los = max_los;
    if (max_line > 0)
        lim.max_line = max_line;
    df_verify_options_default(&o);
    o.threads = 1;
    o.limits = &lim;
    alarm(HANG_SECONDS);
    ck_assert_int_eq(df_verify_path(path, &o, &v, NULL), DF_OK);
    alarm(0);
    ck_assert_ptr_nonnull(v);
    return v;
}

/*
 * Issue 10: max_los holds for directory LO lists and tar members as for custom blocks (the
 * sample's group "910004..910005" has two large objects: one over a limit of 1), and only
 * once per entry, without the LO-mismatch findings of the objects it did not record.
 */
START_TEST(test_limit_los)
{
    static const char *const dumps[] = {"pg18/sample.dir.gzip", "pg18/sample.tar",
                                        "pg18/sample.custom.gzip.dump"};
    char p[4096];
    df_verify *v = verify_limited(dft_path(p, sizeof p, dumps[_i]), 1, 0);
    const df_finding *f = find_code(v, DF_FIND_OVER_LIMIT, 0);

    ck_assert_msg(f != NULL, "%s: no over-limit finding", dumps[_i]);
    ck_assert_ptr_nonnull(f->entry);
    ck_assert_str_eq(f->entry->desc, "BLOBS");
    ck_assert_ptr_nonnull(strstr(f->message, "more than 1 large objects"));
    ck_assert_int_eq(verdict(v), DF_VERDICT_DAMAGED);
    if (_i < 2) {
        ck_assert_int_eq(count_code(v, DF_FIND_OVER_LIMIT), 1);
        ck_assert_int_eq(count_code(v, DF_FIND_LO_MISMATCH), 0);
    }
    df_verify_free(v);
    v = verify_limited(p, 2, 0); /* exactly as many as allowed */
    ck_assert_int_eq(count_code(v, DF_FIND_OVER_LIMIT), 0);
    ck_assert_int_le(verdict(v), DF_VERDICT_WARNING);
    df_verify_free(v);
}
END_TEST

/*
 * Issue 10: a LO list line longer than 4096 bytes (an OID with 5000 leading zeros, still
 * "<oid> <file>") is read when max_line allows it, by the verifier and by the reader, and is
 * over the limit when max_line does not.
 */
START_TEST(test_limit_line)
{
    char *dir = copy_dir("pg18/sample.dir.gzip");
    char list[4200];
    df_reader *r = df_reader_new(NULL);
    const df_entry *group = NULL;
    size_t len, los = 0, at;
    int rc;
    char *text, *zeros;
    df_verify *v;
    df_limits lim;
    uint32_t oid;

    ck_assert_int_eq(df_reader_open_path(r, dir), DF_OK);
    for (size_t i = 0; i < df_reader_toc_count(r); i++) {
        const df_entry *e = df_reader_toc_at(r, i);
        if (strcmp(e->desc, "BLOBS") == 0 && strchr(e->tag, '.') != NULL)
            group = e;
    }
    ck_assert_ptr_nonnull(group);
    snprintf(list, sizeof list, "%s/%s", dir, group->filename);
    text = dft_read_file(list, &len);
    ck_assert_ptr_nonnull(text);
    zeros = malloc(len + 5001);
    memset(zeros, '0', 5000);
    memcpy(zeros + 5000, text, len);
    ck_assert_int_eq(dft_write_file(list, zeros, len + 5000), 0);
    v = verify_limited(dir, 0, 10000);
    ck_assert_int_eq(count_code(v, DF_FIND_OVER_LIMIT), 0);
    ck_assert_int_eq(count_code(v, DF_FIND_BAD_LO_LIST), 0);
    ck_assert_int_le(verdict(v), DF_VERDICT_WARNING);
    df_verify_free(v);
    v = verify_limited(dir, 0, 0); /* the default 4096 */
    ck_assert_ptr_nonnull(find_code(v, DF_FIND_OVER_LIMIT, group->dump_id));
    ck_assert_int_eq(verdict(v), DF_VERDICT_DAMAGED);
    df_verify_free(v);
    v = verify_limited(dir, 0, 5000 + 20); /* the line is one byte longer than allowed */
    ck_assert_ptr_nonnull(find_code(v, DF_FIND_OVER_LIMIT, group->dump_id));
    df_verify_free(v);
    at = group->index;
    df_reader_free(r);
    /* the reader: the same line within the limit, over it */
    df_limits_default(&lim);
    lim.max_line = 10000;
    r = df_reader_new(&lim);
    ck_assert_int_eq(df_reader_open_path(r, dir), DF_OK);
    ck_assert_int_eq(df_reader_open_data(r, df_reader_toc_at(r, at)), DF_OK);
    while ((rc = df_reader_next_lo(r, &oid)) == DF_OK)
        los++;
    ck_assert_int_eq(los, 2);
    ck_assert_int_eq(rc, DF_EOF);
    df_reader_free(r);
    lim.max_line = 4096;
    r = df_reader_new(&lim);
    ck_assert_int_eq(df_reader_open_path(r, dir), DF_OK);
    ck_assert_int_eq(df_reader_open_data(r, df_reader_toc_at(r, at)), DF_OK);
    ck_assert_int_eq(df_reader_next_lo(r, &oid), DF_E_LIMIT);
    df_reader_free(r);
    free(zeros);
    free(text);
    dft_remove_dir(dir);
    free(dir);
}
END_TEST

/* Plain scripts: psql meta-commands pg_dump never writes, and sheer size. */
START_TEST(test_crafted_plain)
{
    uint8_t *b;
    size_t len;
    char *tmp = copy_file("pg18/sample.plain.sql", &b, &len);
    int64_t at = find_bytes(b, len, "SET statement_timeout = 0;\n");
    static const char meta[] = "\\! echo hello\n";
    uint8_t *nb = malloc(len + sizeof meta);
    df_verify_options o;
    df_verify *v;
    const df_finding *f;

    ck_assert_int_ge(at, 0);
    memcpy(nb, b, (size_t)at);
    memcpy(nb + at, meta, sizeof meta - 1);
    memcpy(nb + at + sizeof meta - 1, b + at, len - (size_t)at);
    ck_assert_int_eq(dft_write_file(tmp, nb, len + sizeof meta - 1), 0);
    v = verify(tmp, 0, 1, 0, 0);
    f = find_code(v, DF_FIND_PSQL_METACOMMAND, 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->severity, DF_SEVERITY_WARNING);
    ck_assert_ptr_nonnull(strstr(f->message, "\\! echo hello"));
    ck_assert_int_eq(verdict(v), DF_VERDICT_WARNING);
    df_verify_free(v);
    df_verify_options_default(&o);
    o.large_plain_bytes = 1000;
    ck_assert_int_eq(df_verify_path(tmp, &o, &v, NULL), DF_OK);
    /* over the size, but the simulated pg_restore -j would not be faster: no advice */
    ck_assert_uint_eq(count_code(v, DF_FIND_LARGE_PLAIN_DUMP), 0);
    df_verify_free(v);
    o.large_plain_bytes = -1;
    ck_assert_int_eq(df_verify_path(tmp, &o, &v, NULL), DF_OK);
    ck_assert_uint_eq(count_code(v, DF_FIND_LARGE_PLAIN_DUMP), 0);
    df_verify_free(v);
    unlink(tmp);
    free(tmp);
    free(nb);
    free(b);
}
END_TEST

/*
 * large-plain-dump advises -j only where the restore simulator says it helps: the sample
 * script with bulk.readings' rows repeated to about 30 MB restores clearly faster with -j.
 */
START_TEST(test_large_plain_simulated)
{
    uint8_t *b;
    size_t len;
    char *tmp = copy_file("pg18/sample.plain.sql", &b, &len);
    int64_t copy = find_bytes(b, len, "COPY bulk.readings ");
    int64_t rows, end;
    FILE *f;
    df_verify_options o;
    df_verify *v;
    const df_finding *fi;

    ck_assert_int_ge(copy, 0);
    rows = copy + find_bytes(b + copy, len - (size_t)copy, "\n") + 1;
    end = rows + find_bytes(b + rows, len - (size_t)rows, "\n\\.\n") + 1;
    ck_assert_int_gt(end, rows);
    f = fopen(tmp, "wb");
    ck_assert_ptr_nonnull(f);
    fwrite(b, 1, (size_t)rows, f);
    for (int64_t k = 0; k * (end - rows) < 30000000; k++)
        fwrite(b + rows, 1, (size_t)(end - rows), f);
    fwrite(b + end, 1, len - (size_t)end, f);
    ck_assert_int_eq(fclose(f), 0);
    df_verify_options_default(&o);
    o.quick = 1;
    o.large_plain_bytes = 1000;
    ck_assert_int_eq(df_verify_path(tmp, &o, &v, NULL), DF_OK);
    fi = find_code(v, DF_FIND_LARGE_PLAIN_DUMP, 0);
    ck_assert_ptr_nonnull(fi);
    ck_assert_ptr_nonnull(strstr(fi->message, "simulated, -j "));
    df_verify_free(v);
    unlink(tmp);
    free(tmp);
    free(b);
}
END_TEST

/* A tar member header with one byte changed fails its checksum. */
START_TEST(test_crafted_tar)
{
    uint8_t *b;
    size_t len;
    char *tmp = copy_file("pg18/sample.tar", &b, &len);
    dft_tar_member m[64];
    size_t nm = dft_tar_walk(b, len, m, 64);
    df_verify *v;
    const df_finding *f;

    ck_assert_uint_ge(nm, 4);
    b[m[2].header + 1] ^= 1; /* the name of the third member */
    ck_assert_int_eq(dft_write_file(tmp, b, len), 0);
    v = verify(tmp, 1, 1, 0, 0);
    f = find_code(v, DF_FIND_BAD_CHECKSUM, 0);
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(f->offset, m[2].header);
    ck_assert_int_eq(verdict(v), DF_VERDICT_DAMAGED);
    df_verify_free(v);
    unlink(tmp);
    free(tmp);
    free(b);
}
END_TEST

/* From a pipe: one pass in file order, the same findings as from the file. */
START_TEST(test_pipe)
{
    static const char *const rels[] = {G18, "pg18/sample.tar", "pg18/sample.custom.pipe.dump",
                                       "damaged/pg18-sample.custom.gzip.trunc-chunk.dump",
                                       "damaged/pg18-sample.tar.trunc-member.tar"};

    for (size_t k = 0; k < sizeof rels / sizeof rels[0]; k++) {
        char path[4096];
        size_t len;
        char *bytes = dft_read_file(dft_path(path, sizeof path, rels[k]), &len);
        int fds[2];
        pid_t pid;
        df_verify *a, *b;
        char *fa, *fb;

        ck_assert_ptr_nonnull(bytes);
        ck_assert_int_eq(pipe(fds), 0);
        pid = fork();
        if (pid == 0) {
            size_t off = 0;
            close(fds[0]);
            while (off < len) {
                ssize_t w = write(fds[1], bytes + off, len - off > 777 ? 777 : len - off);
                if (w <= 0)
                    _exit(1);
                off += (size_t)w;
            }
            _exit(0);
        }
        close(fds[1]);
        alarm(HANG_SECONDS);
        ck_assert_int_eq(df_verify_fd(fds[0], path, NULL, &b, NULL), DF_OK);
        alarm(0);
        close(fds[0]);
        waitpid(pid, NULL, 0);
        a = verify(path, 0, 1, 0, 0);
        fa = fingerprint(a);
        fb = fingerprint(b);
        ck_assert_msg(strcmp(fa, fb) == 0, "%s: file and pipe differ:\n%s---\n%s", rels[k], fa, fb);
        ck_assert_int_eq(df_verify_get_summary(a)->rows, df_verify_get_summary(b)->rows);
        free(fa);
        free(fb);
        df_verify_free(a);
        df_verify_free(b);
        free(bytes);
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* Suite                                                               */
/* ------------------------------------------------------------------ */

static Suite *verify_suite(void)
{
    Suite *s = suite_create("verify");
    TCase *units = tcase_create("units");
    TCase *corpus = tcase_create("corpus");
    TCase *sweep = tcase_create("sweep");
    TCase *crafted = tcase_create("crafted");

    tcase_add_test(units, test_copy_columns);
    tcase_add_test(units, test_copycheck_good);
    tcase_add_test(units, test_copycheck_bad);
    tcase_add_test(units, test_copycheck_terminator);
    tcase_add_test(units, test_copycheck_watch);
    tcase_add_test(units, test_insert_watch);
    tcase_add_test(units, test_names);
    tcase_add_test(units, test_unreadable);
    suite_add_tcase(s, units);

    tcase_set_timeout(corpus, 300);
    tcase_add_loop_test(corpus, test_intact, 0, (int)nfiles);
    tcase_add_test(corpus, test_inflaters);
    tcase_add_loop_test(corpus, test_damaged, 0, N_DAMAGED);
    tcase_add_test(corpus, test_damaged_all_known);
    suite_add_tcase(s, corpus);

    tcase_set_timeout(sweep, 900);
    tcase_add_loop_test(sweep, test_sweep, 0, (int)nfiles);
    tcase_add_loop_test(sweep, test_sweep_dir, 0, (int)(sizeof dir_cuts / sizeof dir_cuts[0]));
    suite_add_tcase(s, sweep);

    tcase_set_timeout(crafted, 300);
    tcase_add_test(crafted, test_crafted_copy);
    tcase_add_test(crafted, test_crafted_trailing);
    tcase_add_test(crafted, test_crafted_toc_copy);
    tcase_add_test(crafted, test_crafted_ids);
    tcase_add_test(crafted, test_crafted_lo_list);
    tcase_add_loop_test(crafted, test_limit_los, 0, 3);
    tcase_add_test(crafted, test_limit_line);
    tcase_add_test(crafted, test_crafted_plain);
    tcase_add_test(crafted, test_large_plain_simulated);
    tcase_add_test(crafted, test_crafted_tar);
    tcase_add_test(crafted, test_pipe);
    suite_add_tcase(s, crafted);
    return s;
}

static void add_file(const char *rel, const char *path, int is_dir, int is_tar, int is_plain)
{
    vfile *f;

    files = realloc(files, (nfiles + 1) * sizeof *files);
    f = &files[nfiles++];
    memset(f, 0, sizeof *f);
    snprintf(f->rel, sizeof f->rel, "%s", rel);
    snprintf(f->path, sizeof f->path, "%s", path);
    f->is_dir = is_dir;
    f->is_tar = is_tar;
    f->is_plain = is_plain;
}

/* Archives (corpus_util) and the plain scripts (*.sql) of corpus/pgNN. */
static void find_files(void)
{
    static const char *const subs[] = {"pg93", "pg10", "pg15", "pg16", "pg18"};
    dft_archives all;

    dft_archives_find(&all, subs, 5);
    for (size_t i = 0; i < all.n; i++)
        add_file(all.a[i].rel, all.a[i].path, all.a[i].is_dir, all.a[i].is_tar, 0);
    dft_archives_free(&all);
    for (size_t s = 0; s < 5; s++) {
        char dirpath[2048];
        DIR *d = opendir(dft_path(dirpath, sizeof dirpath, subs[s]));
        struct dirent *de;

        while (d != NULL && (de = readdir(d)) != NULL) {
            char rel[DFT_MAX_NAME], path[4096];
            if (!dft_ends_with(de->d_name, ".sql"))
                continue;
            snprintf(rel, sizeof rel, "%s/%.200s", subs[s], de->d_name);
            snprintf(path, sizeof path, "%s/%.200s", dirpath, de->d_name);
            add_file(rel, path, 0, 0, 1);
        }
        if (d != NULL)
            closedir(d);
    }
}

int main(void)
{
    SRunner *sr;
    int failed;

    find_files();
    if (nfiles < 40 || dft_rowcounts_load(&rowcounts) != 0) {
        fprintf(stderr, "check_verify: only %zu dumps under %s, or no rowcounts.tsv\n", nfiles,
                dft_corpus());
        return 1;
    }
    sr = srunner_create(verify_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    dft_rowcounts_free(&rowcounts);
    free(files);
    return failed == 0 ? 0 : 1;
}
