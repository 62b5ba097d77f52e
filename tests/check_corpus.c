/*
 * check_corpus.c — the corpus loops of design.md §6.2.  Every custom,
 * directory and tar archive under corpus/pg93 pg10 pg15 pg16 pg18 is read
 * whole with several read(2) caps (df_reader_set_io_size) and read-buffer
 * sizes: per-table row counts must equal corpus/rowcounts.tsv, the large
 * objects must equal corpus/lo/<oid> byte for byte, COPY data must end with
 * its terminator, df_reader_measure must agree, and every combination must
 * give identical results.  Six archives (one per format and codec kind) get
 * every read(2) cap x buffer size with DF_TEST_FULL=1 (make check-full);
 * make check gives each of them every cap once, the buffer size turning
 * from one archive to the next, so that the six together still meet every
 * pair (and the other archives keep their diagonal of five).  Then every file of corpus/damaged must fail the
 * way its MANIFEST.json entry says, at an offset inside the damage.
 */
#include "check_util.h"
#include "corpus_util.h"
#include "dumpfmt.h"
#include "testhooks.h"

#include <check.h>

static dft_archives archives;
static dft_rowcounts rowcounts;

static const size_t io_sizes[] = {0, 1, 3, 7, 512, 4096};
static const size_t read_sizes[] = {1, 7, 4096, 65536};
#define N_IO (sizeof io_sizes / sizeof io_sizes[0])
#define N_RS (sizeof read_sizes / sizeof read_sizes[0])

/* Archives read with every io size x read size; the rest get a diagonal. */
static const char *const full_matrix[] = {
    "pg18/sample.custom.gzip.dump", "pg18/sample.custom.none.dump",
    "pg16/sample.custom.lz4.dump",  "pg18/sample.tar",
    "pg18/sample.dir.zstd/",        "pg93/sample.custom.pipe.dump",
};

/* The position of rel in full_matrix[], or -1. */
static int in_full_matrix(const char *rel)
{
    for (size_t i = 0; i < sizeof full_matrix / sizeof full_matrix[0]; i++)
        if (strcmp(full_matrix[i], rel) == 0)
            return (int)i;
    return -1;
}

static df_reader *open_with_io(const char *path, size_t io)
{
    df_reader *r = df_reader_new(NULL);
    int rc;

    ck_assert_ptr_nonnull(r);
    df_reader_set_io_size(r, io);
    rc = df_reader_open_path(r, path);
    ck_assert_msg(rc == DF_OK, "%s (io %zu): open: %s: %s at %lld", path, io, df_strstatus(rc),
                  df_reader_error(r)->message, (long long)df_reader_error(r)->offset);
    return r;
}

/* Row counts, LO count and LO bytes of a clean read against the corpus facts. */
static void check_facts(const char *rel, const dft_result *res)
{
    size_t tables = 0;

    for (size_t i = 0; i < res->nents; i++) {
        const dft_ent *e = &res->ents[i];
        int64_t want;

        ck_assert_int_eq(e->status, DF_OK);
        if (!e->is_table_data)
            continue;
        want = dft_rowcounts_get(&rowcounts, rel, e->key);
        ck_assert_msg(want >= 0, "%s: table %s not in rowcounts.tsv", rel, e->key);
        ck_assert_msg(e->rows == want, "%s: %s has %lld rows, want %lld", rel, e->key,
                      (long long)e->rows, (long long)want);
        ck_assert_msg(!e->copy_mode || e->terminated, "%s: COPY data of %s lacks \\.", rel, e->key);
        tables++;
    }
    ck_assert_msg(tables + 1 == dft_rowcounts_count(&rowcounts, rel),
                  "%s: %zu tables read, rowcounts.tsv has %zu lines", rel, tables,
                  dft_rowcounts_count(&rowcounts, rel));
    ck_assert_int_eq(res->total_los, dft_rowcounts_get(&rowcounts, rel, "<large objects>"));
    ck_assert_uint_eq(res->nlos, (size_t)res->total_los);
    for (size_t i = 0; i < res->nlos; i++) {
        size_t len;
        uint8_t *want = dft_lo_expected(res->los[i].oid, &len);

        ck_assert_msg(want != NULL, "%s: unexpected large object %u", rel, res->los[i].oid);
        ck_assert_msg((size_t)res->los[i].len == len, "%s: LO %u has %lld bytes, want %zu", rel,
                      res->los[i].oid, (long long)res->los[i].len, len);
        if (len > 0)
            ck_assert_msg(memcmp(res->los[i].bytes, want, len) == 0, "%s: LO %u bytes differ", rel,
                          res->los[i].oid);
        free(want);
    }
}

/* One read of the whole archive with (io, rs); compared with `base` when given. */
static void read_once(const dft_archive *a, size_t io, size_t rs, dft_result *base)
{
    df_reader *r = open_with_io(a->path, io);
    dft_result res;
    char why[256];
    int rc = dft_read_all(r, rs, 0, &res);

    ck_assert_msg(rc == DF_OK, "%s (io %zu, read %zu): dump id %d: %s: %s at %lld member \"%s\"",
                  a->rel, io, rs, res.err_dump_id, df_strstatus(rc), res.err.message,
                  (long long)res.err.offset, res.err.member);
    check_facts(a->rel, &res);
    if (base->ents == NULL) {
        *base = res;
        df_reader_free(r);
        return;
    }
    ck_assert_msg(dft_result_same(base, &res, why, sizeof why), "%s (io %zu, read %zu): %s", a->rel,
                  io, rs, why);
    dft_result_free(&res);
    df_reader_free(r);
}

START_TEST(test_archive_reads)
{
    const dft_archive *a = &archives.a[_i];
    dft_result base;
    int p = in_full_matrix(a->rel);

    memset(&base, 0, sizeof base);
    if (p >= 0 && dft_full()) {
        for (size_t i = 0; i < N_IO; i++)
            for (size_t j = 0; j < N_RS; j++)
                read_once(a, io_sizes[i], read_sizes[j], &base);
    } else if (p >= 0) {
        /* every cap once; over the six archives, every (cap, buffer) pair at least once */
        for (size_t i = 0; i < N_IO; i++)
            read_once(a, io_sizes[i], read_sizes[(i + (size_t)p) % N_RS], &base);
    } else {
        read_once(a, 0, 65536, &base);
        read_once(a, 0, 4096, &base);
        read_once(a, 7, 7, &base);
        read_once(a, 4096, 1, &base);
        read_once(a, 3, 65536, &base);
    }
    dft_result_free(&base);
}
END_TEST

START_TEST(test_archive_measure)
{
    /* df_reader_measure agrees with the rows and bytes of a streamed read. */
    const dft_archive *a = &archives.a[_i];
    df_reader *r = open_with_io(a->path, 0);
    df_reader *m = open_with_io(a->path, 0);
    dft_result res;
    size_t k = 0;

    ck_assert_int_eq(dft_read_all(r, 65536, 0, &res), DF_OK);
    for (size_t i = 0; i < df_reader_toc_count(m); i++) {
        const df_entry *e = df_reader_toc_at(m, i);
        int64_t rows = -1, out = -1, raw = -1;

        if (!df_entry_has_data(e))
            continue;
        ck_assert_uint_lt(k, res.nents);
        ck_assert_int_eq(res.ents[k].dump_id, e->dump_id);
        ck_assert_msg(df_reader_measure(m, e, &rows, &out, &raw) == DF_OK, "%s: measure %d: %s",
                      a->rel, e->dump_id, df_reader_error(m)->message);
        ck_assert_int_eq(out, res.ents[k].out_bytes);
        ck_assert_int_ge(raw, 0);
        if (res.ents[k].is_blobs)
            ck_assert_int_eq(rows, res.ents[k].nlos);
        else if (res.ents[k].is_table_data)
            ck_assert_int_eq(rows, res.ents[k].rows);
        k++;
    }
    ck_assert_uint_eq(k, res.nents);
    dft_result_free(&res);
    df_reader_free(r);
    df_reader_free(m);
}
END_TEST

START_TEST(test_toc_independent_of_io)
{
    const dft_archive *a = &archives.a[_i];
    df_reader *base = open_with_io(a->path, 0);

    for (size_t i = 1; i < N_IO; i++) {
        df_reader *r = open_with_io(a->path, io_sizes[i]);

        ck_assert_uint_eq(df_reader_toc_count(r), df_reader_toc_count(base));
        ck_assert_int_eq(df_reader_header(r)->toc_end, df_reader_header(base)->toc_end);
        for (size_t k = 0; k < df_reader_toc_count(r); k++) {
            const df_entry *x = df_reader_toc_at(r, k), *y = df_reader_toc_at(base, k);
            ck_assert_int_eq(x->dump_id, y->dump_id);
            ck_assert_int_eq(x->toc_offset, y->toc_offset);
            ck_assert_int_eq(x->data_offset, y->data_offset);
            ck_assert_uint_eq(x->ndeps, y->ndeps);
        }
        df_reader_free(r);
    }
    df_reader_free(base);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Damaged files: the expectations of corpus/MANIFEST.json "damaged"    */
/* ------------------------------------------------------------------ */

enum { AT_OPEN = 0, AT_DATA = 1, AT_NONE = 2 };

typedef struct damaged_case {
    const char *rel;
    int stage;        /* AT_OPEN: open fails; AT_DATA: data of dump_id fails;
                       * AT_NONE: the reader sees no damage (only df_verify can) */
    int codes[3];     /* accepted DF_E_* (0 = unused slot) */
    int32_t dump_id;  /* AT_DATA: the first entry whose data fails */
    int64_t off_lo;   /* error offset bounds; -1 in off_lo = data_offset of lo_id */
    int64_t off_hi;   /* -1 = data_offset of hi_id in `base` */
    const char *base; /* intact archive giving data offsets (custom) */
    int32_t lo_id, hi_id;
    const char *member; /* expected df_error.member ("" = the archive file) */
    int later_fail;     /* every data entry after dump_id fails too */
    const char *rowkey; /* rowcounts of the entries that read cleanly */
    const char *key;    /* plain scripts: the failing entry by "<schema>.<tag>" (ids are
                         * made up by the reader) */
} damaged_case;

#define TRUNC DF_E_TRUNCATED
#define G18 "pg18/sample.custom.gzip.dump"
/*
 * From corpus/MANIFEST.json "damaged" (cut_offset, flip_offset, how,
 * expected_verdict, affected_data).  For custom files the lower bound is
 * the start of the affected entry's data block, taken from the intact
 * base archive (the pipe dump has the same bytes as G18 apart from the
 * TOC offsets, so its blocks are at the same places).
 */
static const damaged_case damaged[] = {
    /* kept [0, 3): inside the PGDMP magic -> TRUNCATED_HEADER */
    {.rel = "damaged/pg18-sample.custom.gzip.trunc-magic.dump",
     .stage = AT_OPEN,
     .codes = {TRUNC, DF_E_FORMAT},
     .off_lo = 0,
     .off_hi = 3,
     .member = ""},
    /* kept [0, 40) of a 132-byte header -> TRUNCATED_HEADER */
    {.rel = "damaged/pg15-sample.custom.gzip.trunc-header.dump",
     .stage = AT_OPEN,
     .codes = {TRUNC},
     .off_lo = 5,
     .off_hi = 40,
     .member = ""},
    /* kept [0, 28916): 23 bytes into the TOC entry of dump id 2641 -> TRUNCATED_TOC */
    {.rel = "damaged/pg18-sample.custom.gzip.trunc-toc.dump",
     .stage = AT_OPEN,
     .codes = {TRUNC},
     .off_lo = 28916 - 23,
     .off_hi = 28916,
     .member = ""},
    /* kept [0, 89142): inside chunk #7 of bulk.readings (2890); 17 later blocks missing */
    {.rel = "damaged/pg18-sample.custom.gzip.trunc-chunk.dump",
     .stage = AT_DATA,
     .codes = {TRUNC},
     .dump_id = 2890,
     .off_lo = -1,
     .off_hi = 89142,
     .base = G18,
     .lo_id = 2890,
     .member = "",
     .later_fail = 1,
     .rowkey = G18},
    /* kept [0, 58376): exactly at the start of the block of 2890 */
    {.rel = "damaged/pg18-sample.custom.gzip.trunc-boundary.dump",
     .stage = AT_DATA,
     .codes = {TRUNC, DF_E_NOTFOUND, DF_E_CORRUPT},
     .dump_id = 2890,
     .off_lo = -1,
     .off_hi = 58376,
     .base = G18,
     .lo_id = 2890,
     .member = "",
     .later_fail = 1,
     .rowkey = G18},
    /* only the last 3 bytes missing: the BLOBS block of 2894 (last in the file) */
    {.rel = "damaged/pg18-sample.custom.gzip.trunc-tail3.dump",
     .stage = AT_DATA,
     .codes = {TRUNC},
     .dump_id = 2894,
     .off_lo = -1,
     .off_hi = 138574,
     .base = G18,
     .lo_id = 2894,
     .member = "",
     .rowkey = G18},
    /* byte 76839 flipped inside gzip chunk #4 of 2890: the zlib data check fails inside that
     * block, which ends where the block of 2870 starts */
    {.rel = "damaged/pg18-sample.custom.gzip.flip-zlib.dump",
     .stage = AT_DATA,
     .codes = {DF_E_CORRUPT},
     .dump_id = 2890,
     .off_lo = -1,
     .off_hi = -1,
     .base = G18,
     .lo_id = 2890,
     .hi_id = 2870,
     .member = "",
     .rowkey = G18},
    /* kept [0, 79963): inside chunk #1 of bulk.readings (2866), lz4 */
    {.rel = "damaged/pg16-sample.custom.lz4.trunc-chunk.dump",
     .stage = AT_DATA,
     .codes = {TRUNC},
     .dump_id = 2866,
     .off_lo = -1,
     .off_hi = 79963,
     .base = "pg16/sample.custom.lz4.dump",
     .lo_id = 2866,
     .member = "",
     .later_fail = 1,
     .rowkey = "pg16/sample.custom.lz4.dump"},
    /* kept [0, 100421) of the pipe dump (no offsets): inside chunk #10 of 2890 */
    {.rel = "damaged/pg18-sample.custom.pipe.trunc-chunk.dump",
     .stage = AT_DATA,
     .codes = {TRUNC},
     .dump_id = 2890,
     .off_lo = -1,
     .off_hi = 100421,
     .base = G18,
     .lo_id = 2890,
     .member = "",
     .later_fail = 1,
     .rowkey = "pg18/sample.custom.pipe.dump"},
    /* 2890.dat.gz removed -> MISSING_DATA_FILE (no offset applies: -1 allowed) */
    {.rel = "damaged/pg18-sample.dir.gzip.missing-datafile",
     .stage = AT_DATA,
     .codes = {DF_E_NOTFOUND},
     .dump_id = 2890,
     .off_lo = 0,
     .off_hi = 0,
     .member = "2890.dat",
     .rowkey = "pg18/sample.dir.gzip/"},
    /* 2890.dat.gz cut to 27518 of 55036 bytes */
    {.rel = "damaged/pg18-sample.dir.gzip.trunc-datgz",
     .stage = AT_DATA,
     .codes = {TRUNC},
     .dump_id = 2890,
     .off_lo = 0,
     .off_hi = 27518,
     .member = "2890.dat.gz",
     .rowkey = "pg18/sample.dir.gzip/"},
    /* 2890.dat.gz byte 27519 XOR 1: inflates, CRC-32 differs */
    {.rel = "damaged/pg18-sample.dir.gzip.crc-datgz",
     .stage = AT_DATA,
     .codes = {DF_E_CORRUPT},
     .dump_id = 2890,
     .off_lo = 0,
     .off_hi = 55036,
     .member = "2890.dat.gz",
     .rowkey = "pg18/sample.dir.gzip/"},
    /* 2866.dat.zst cut to 28026 of 56053 bytes (pg_restore does not notice) */
    {.rel = "damaged/pg16-sample.dir.zstd.trunc-datzst",
     .stage = AT_DATA,
     .codes = {TRUNC},
     .dump_id = 2866,
     .off_lo = 0,
     .off_hi = 28026,
     .member = "2866.dat.zst",
     .rowkey = "pg16/sample.dir.zstd/"},
    /* kept [0, 134968): inside member 2890.dat (data 60416..209521); 23 members lost */
    {.rel = "damaged/pg18-sample.tar.trunc-member.tar",
     .stage = AT_DATA,
     .codes = {TRUNC},
     .dump_id = 2890,
     .off_lo = 60416 - 512,
     .off_hi = 134968,
     .member = NULL,
     .later_fail = 1,
     .rowkey = "pg18/sample.tar"},
    /* kept [0, 55271): 3 bytes into COPY data line 5001 of bulk.readings -> TRUNCATED_PLAIN */
    {.rel = "damaged/pg15-sample.plain.trunc-copy.sql",
     .stage = AT_DATA,
     .codes = {TRUNC},
     .off_lo = 0,
     .off_hi = 55271,
     .member = "",
     .rowkey = "pg15/sample.plain.sql",
     .key = "bulk.readings"},
    /* kept [0, 289300): all statements, no "dump complete" trailer -> TRUNCATED_PLAIN, which
     * only the verifier (DF_FIND_NO_TRAILER) can tell: every entry reads in full */
    {.rel = "damaged/pg18-sample.plain.trunc-trailer.sql",
     .stage = AT_NONE,
     .rowkey = "pg18/sample.plain.sql"},
    /* zero-length file -> EMPTY */
    {.rel = "damaged/empty.dump",
     .stage = AT_OPEN,
     .codes = {DF_E_FORMAT, TRUNC},
     .off_lo = 0,
     .off_hi = 0,
     .member = ""},
    /* 4096 random bytes -> NOT_A_DUMP */
    {.rel = "damaged/random.dump",
     .stage = AT_OPEN,
     .codes = {DF_E_FORMAT, TRUNC},
     .off_lo = 0,
     .off_hi = 4096,
     .member = ""},
};
#define N_DAMAGED ((int)(sizeof damaged / sizeof damaged[0]))

static int code_accepted(const damaged_case *c, int code)
{
    for (int i = 0; i < 3; i++)
        if (c->codes[i] != 0 && c->codes[i] == code)
            return 1;
    return 0;
}

static int64_t base_offset(const char *base, int32_t id)
{
    char path[4096];
    df_reader *r = open_with_io(dft_path(path, sizeof path, base), 0);
    const df_entry *e = df_reader_find(r, id);
    int64_t off;

    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->offset_state, DF_OFFSET_SET);
    off = e->data_offset;
    df_reader_free(r);
    return off;
}

static void check_offset(const damaged_case *c, const df_error *err)
{
    int64_t lo = c->off_lo, hi = c->off_hi;

    if (lo < 0)
        lo = base_offset(c->base, c->lo_id);
    if (hi < 0)
        hi = base_offset(c->base, c->hi_id);
    if (err->code == DF_E_NOTFOUND && err->offset == -1)
        return; /* a missing file has no offset */
    ck_assert_msg(err->offset >= lo && err->offset <= hi,
                  "%s: error offset %lld outside [%lld, %lld] (%s)", c->rel, (long long)err->offset,
                  (long long)lo, (long long)hi, err->message);
}

START_TEST(test_damaged)
{
    const damaged_case *c = &damaged[_i / 2];
    size_t io = (_i % 2) ? 7 : 0;
    char path[4096];
    df_reader *r = df_reader_new(NULL);
    dft_result res;
    int rc, seen_bad = 0;

    dft_path(path, sizeof path, c->rel);
    df_reader_set_io_size(r, io);
    rc = df_reader_open_path(r, path);
    if (c->stage == AT_OPEN) {
        const df_error *err = df_reader_error(r);
        ck_assert_msg(rc < 0 && code_accepted(c, rc), "%s: open gave %s (%s)", c->rel,
                      df_strstatus(rc), err->message);
        ck_assert_int_eq(err->code, rc);
        ck_assert_str_ne(err->message, "");
        check_offset(c, err);
        df_reader_free(r);
        return;
    }
    ck_assert_msg(rc == DF_OK, "%s: open: %s (%s)", c->rel, df_strstatus(rc),
                  df_reader_error(r)->message);
    rc = dft_read_all(r, 4096, 0, &res);
    if (c->stage == AT_NONE) {
        ck_assert_msg(rc == DF_OK, "%s: %s (%s)", c->rel, df_strstatus(rc), res.err.message);
        check_facts(c->rowkey, &res);
        dft_result_free(&res);
        df_reader_free(r);
        return;
    }
    ck_assert_msg(rc != DF_OK, "%s: every entry read without error", c->rel);
    if (c->key != NULL) {
        for (size_t i = 0; i < res.nents; i++)
            if (res.ents[i].dump_id == res.err_dump_id)
                ck_assert_msg(strcmp(res.ents[i].key, c->key) == 0,
                              "%s: first failure in %s, want %s (%s)", c->rel, res.ents[i].key,
                              c->key, res.err.message);
    } else {
        ck_assert_msg(res.err_dump_id == c->dump_id,
                      "%s: first failure at dump id %d, want %d (%s)", c->rel, res.err_dump_id,
                      c->dump_id, res.err.message);
    }
    ck_assert_msg(code_accepted(c, rc), "%s: failure %s (%s)", c->rel, df_strstatus(rc),
                  res.err.message);
    ck_assert_int_eq(res.err.code, rc);
    check_offset(c, &res.err);
    if (c->member != NULL && c->member[0] != '\0')
        ck_assert_msg(strstr(res.err.member, c->member) != NULL, "%s: member \"%s\", want \"%s\"",
                      c->rel, res.err.member, c->member);
    else if (c->member != NULL)
        ck_assert_msg(res.err.member[0] == '\0', "%s: member \"%s\", want the archive file", c->rel,
                      res.err.member);
    for (size_t i = 0; i < res.nents; i++) {
        const dft_ent *e = &res.ents[i];

        if (e->dump_id == res.err_dump_id) {
            seen_bad = 1;
            continue;
        }
        if (seen_bad && c->later_fail) {
            ck_assert_msg(e->status == DF_E_TRUNCATED || e->status == DF_E_NOTFOUND ||
                              e->status == DF_E_CORRUPT,
                          "%s: entry %d after the damage gave %s", c->rel, e->dump_id,
                          df_strstatus(e->status));
            continue;
        }
        /* Everything else is intact and must read exactly. */
        ck_assert_msg(e->status == DF_OK, "%s: intact entry %d gave %s", c->rel, e->dump_id,
                      df_strstatus(e->status));
        if (e->is_table_data)
            ck_assert_int_eq(e->rows, dft_rowcounts_get(&rowcounts, c->rowkey, e->key));
    }
    ck_assert(seen_bad);
    dft_result_free(&res);
    df_reader_free(r);
}
END_TEST

START_TEST(test_damaged_covers_corpus)
{
    /* Every file of corpus/damaged has an expectation above. */
    char path[4096];
    DIR *d = opendir(dft_path(path, sizeof path, "damaged"));
    struct dirent *de;
    size_t n = 0;

    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL) {
        char rel[400];
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
    ck_assert_uint_eq(n, (size_t)N_DAMAGED);
}
END_TEST

static Suite *corpus_suite(void)
{
    Suite *s = suite_create("corpus");
    TCase *good = tcase_create("intact");
    TCase *bad = tcase_create("damaged");

    tcase_set_timeout(good, 600);
    tcase_add_loop_test(good, test_archive_reads, 0, (int)archives.n);
    tcase_add_loop_test(good, test_archive_measure, 0, (int)archives.n);
    tcase_add_loop_test(good, test_toc_independent_of_io, 0, (int)archives.n);
    suite_add_tcase(s, good);
    tcase_set_timeout(bad, 120);
    tcase_add_loop_test(bad, test_damaged, 0, 2 * N_DAMAGED);
    tcase_add_test(bad, test_damaged_covers_corpus);
    suite_add_tcase(s, bad);
    return s;
}

int main(void)
{
    static const char *const subs[] = {"pg93", "pg10", "pg15", "pg16", "pg18"};
    SRunner *sr;
    int failed;

    if (dft_rowcounts_load(&rowcounts) != 0) {
        fprintf(stderr, "check_corpus: cannot read %s/rowcounts.tsv\n", dft_corpus());
        return 1;
    }
    dft_archives_find(&archives, subs, 5);
    if (archives.n < 30) {
        fprintf(stderr, "check_corpus: only %zu archives under %s\n", archives.n, dft_corpus());
        return 1;
    }
    for (size_t i = 0; i < archives.n; i++)
        if (dft_rowcounts_count(&rowcounts, archives.a[i].rel) == 0) {
            fprintf(stderr, "check_corpus: %s has no line in rowcounts.tsv\n", archives.a[i].rel);
            return 1;
        }
    printf("check_corpus: %zu archives\n", archives.n);
    sr = srunner_create(corpus_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    dft_archives_free(&archives);
    dft_rowcounts_free(&rowcounts);
    return failed == 0 ? 0 : 1;
}
