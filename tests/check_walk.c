/*
 * check_walk.c — the format walkers (fmt_custom.c dfi_cwalk, fmt_tar.c
 * dfi_twalk) against the independent byte walkers of corpus_util.h, over
 * every custom and tar archive of the corpus: the same structure boundaries
 * in the same order, read through a normal window and through one-byte
 * reads; and over cut copies (every 97th offset and the bytes around each
 * boundary): the events before the cut are a prefix of the whole walk and
 * the walk ends with damage at the cut (or at the end of the data area when
 * the cut falls between blocks), from a file and, for tar, from a pipe view
 * (no file size).  The directory walker (fmt_directory_walk.c dfi_dwalk)
 * against a readdir listing and a stdio read of each LO list, over every
 * directory archive of the corpus, and over damaged copies (a member gone or
 * replaced by a directory, a compressed file cut, an LO list cut or bad).
 */
#include "check_util.h"
#include "corpus_util.h"
#include "internal.h"

#include <check.h>
#include <stdint.h>
#include <string.h>
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const subs[] = {"pg93", "pg10", "pg15", "pg16", "pg18"};

/* ck_assert in a loop over every chunk costs a write per call: assert only what fails. */
#define REQUIRE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond))                                                                               \
            ck_assert_msg(0, "%s", #cond);                                                         \
    } while (0)

/* A growing list of offsets. */
typedef struct offs {
    int64_t *v;
    size_t n, cap;
} offs;

static void offs_add(void *ctx, int64_t off)
{
    offs *o = ctx;

    if (o->n == o->cap) {
        o->cap = o->cap ? o->cap * 2 : 256;
        o->v = realloc(o->v, o->cap * sizeof *o->v);
        ck_assert_ptr_nonnull(o->v);
    }
    o->v[o->n++] = off;
}

/* A temp file with the first len bytes of p. */
static char *temp_copy(const uint8_t *p, size_t len)
{
    static char path[64];
    int fd;

    snprintf(path, sizeof path, "/tmp/check_walk.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, p, len), (ssize_t)len);
    close(fd);
    return path;
}

/* ------------------------------------------------------------ custom */

/* The header facts the walk needs, from the library's own open. */
typedef struct custom_facts {
    dfi_arch arch;
    df_limits lim;
    int64_t toc_end;
} custom_facts;

static void custom_facts_of(const char *path, custom_facts *f)
{
    df_reader *r = df_reader_new(NULL);

    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
    f->arch = r->arch;
    f->lim = r->lim;
    f->arch.lim = &f->lim;
    f->toc_end = r->hdr.toc_end;
    df_reader_free(r);
}

/*
 * Walk path's data area from toc_end with dfi_cwalk, recording the offsets
 * dft_custom_walk reports; returns the last event, *end its offset (AREA_END)
 * or the error's offset (DAMAGE).
 */
static dfi_cw_event custom_events(const char *path, const custom_facts *f, size_t io_cap, offs *o,
                                  int64_t *end)
{
    dfi_src src;
    dfi_buf b;
    df_error err;
    dfi_cwalk k;
    dfi_cw_event ev;
    int w = 1 + f->arch.int_size;

    memset(&err, 0, sizeof err);
    ck_assert_int_eq(dfi_src_open_path(&src, path, &err), DF_OK);
    src.io_cap = io_cap;
    ck_assert_int_eq(dfi_buf_init(&b, &src, DFI_BUF_SIZE, &err), DF_OK);
    ck_assert_int_eq(dfi_buf_seek(&b, f->toc_end, &err), DF_OK);
    bool short_read = false;

    dfi_cw_init(&k, &b, &f->arch, &f->lim, &err, false);
    for (;;) {
        ev = dfi_cw_next(&k);
        REQUIRE(!short_read || ev == DFI_CW_DAMAGE); /* a chunk read short is damage */
        if (ev == DFI_CW_AREA_END || ev == DFI_CW_DAMAGE)
            break;
        switch (ev) {
        case DFI_CW_BLOCK:
            offs_add(o, k.block);
            offs_add(o, k.block + 1);
            break;
        case DFI_CW_LO:
        case DFI_CW_CHUNK:
        case DFI_CW_STREAM_END: offs_add(o, k.at); break;
        case DFI_CW_BLOCK_END:
            if (k.blobs)
                offs_add(o, k.at - w); /* the OID 0 that ends the block */
            break;
        default: break;
        }
        if (ev == DFI_CW_CHUNK && (k.len & 1)) {
            /* read odd chunks, skip even ones: both ways must keep the walk in step */
            const uint8_t *p;
            size_t n;
            int64_t at, got = 0;
            while (dfi_cw_data(&k, &p, &n, &at) == DF_OK) {
                REQUIRE(at == k.at + w + got);
                got += (int64_t)n;
            }
            REQUIRE(got <= k.len);
            short_read = got < k.len;
        }
    }
    *end = ev == DFI_CW_AREA_END ? k.at : err.offset;
    if (ev == DFI_CW_DAMAGE)
        REQUIRE(k.rc == err.code);
    dfi_buf_free(&b);
    dfi_src_close(&src);
    return ev;
}

static void check_custom(const dft_archive *a)
{
    custom_facts f;
    size_t len;
    uint8_t *p = (uint8_t *)dft_read_file(a->path, &len);
    offs want = {0}, got = {0}, tiny = {0};
    int64_t want_end, end;

    ck_assert_ptr_nonnull(p);
    custom_facts_of(a->path, &f);
    want_end = dft_custom_walk(p, len, f.toc_end, f.arch.int_size, offs_add, &want);
    ck_assert_msg(want.n > 0, "%s: no blocks", a->rel);
    ck_assert_int_eq(custom_events(a->path, &f, 0, &got, &end), DFI_CW_AREA_END);
    ck_assert_int_eq(end, want_end);
    ck_assert_uint_eq(got.n, want.n);
    ck_assert_msg(memcmp(got.v, want.v, want.n * sizeof *want.v) == 0, "%s: offsets differ",
                  a->rel);
    ck_assert_int_eq(custom_events(a->path, &f, 1, &tiny, &end), DFI_CW_AREA_END);
    ck_assert_uint_eq(tiny.n, want.n);
    ck_assert_msg(memcmp(tiny.v, want.v, want.n * sizeof *want.v) == 0,
                  "%s: offsets differ with one-byte reads", a->rel);

    /* cut copies: about 100 boundaries and both sides of each, and 100 offsets in between */
    for (size_t i = 0; i < 400; i++) {
        size_t bi = i / 3 * (want.n / 100 + 1);
        int64_t cut = i < 300 ? (bi < want.n ? want.v[bi] + (int64_t)(i % 3) - 1 : -1)
                              : f.toc_end + (want_end - f.toc_end) * (int64_t)(i - 300) / 100 + 1;
        offs part = {0};
        char *path;
        dfi_cw_event ev;

        if (cut <= f.toc_end || cut >= want_end)
            continue;
        path = temp_copy(p, (size_t)cut);
        ev = custom_events(path, &f, 0, &part, &end);
        unlink(path);
        ck_assert_msg(part.n <= want.n &&
                          (part.n == 0 || memcmp(part.v, want.v, part.n * sizeof *part.v) == 0),
                      "%s cut at %lld: events are no prefix of the whole walk", a->rel,
                      (long long)cut);
        ck_assert_msg(end == cut, "%s cut at %lld: walk ends at %lld (event %d)", a->rel,
                      (long long)cut, (long long)end, (int)ev);
        free(part.v);
    }
    free(want.v);
    free(got.v);
    free(tiny.v);
    free(p);
}

START_TEST(test_custom_walks)
{
    dft_archives as;
    size_t n = 0;

    dft_archives_find(&as, subs, sizeof subs / sizeof subs[0]);
    for (size_t i = 0; i < as.n; i++) {
        if (as.a[i].is_dir || as.a[i].is_tar)
            continue;
        check_custom(&as.a[i]);
        n++;
    }
    ck_assert_uint_ge(n, 10);
    dft_archives_free(&as);
}
END_TEST

/* ------------------------------------------------------------ tar */

/* Walk a tar from offset 0; members into m (up to max), *nm their count; returns the last event. */
static dfi_tw_event tar_events(const char *path, bool pipe_view, dft_tar_member *m, size_t max,
                               size_t *nm, int64_t *end)
{
    dfi_src src;
    dfi_buf b;
    df_error err;
    dfi_twalk k;
    dfi_tw_event ev;

    memset(&err, 0, sizeof err);
    *nm = 0;
    ck_assert_int_eq(dfi_src_open_path(&src, path, &err), DF_OK);
    ck_assert_int_eq(dfi_buf_init(&b, &src, DFI_BUF_SIZE, &err), DF_OK);
    dfi_tw_init(&k, &b, pipe_view ? -1 : src.size, &err);
    while ((ev = dfi_tw_next(&k)) == DFI_TW_MEMBER) {
        if (*nm < max) {
            snprintf(m[*nm].name, sizeof m[*nm].name, "%.100s", k.name);
            m[*nm].header = k.at;
            m[*nm].data = k.data;
            m[*nm].size = k.size;
        }
        (*nm)++;
        if (*nm % 2 == 0) { /* read every other member: reading and skipping keep in step */
            const uint8_t *p;
            size_t n;
            int64_t at, got = 0;
            while (dfi_tw_data(&k, &p, &n, &at) == DF_OK)
                got += (int64_t)n;
            REQUIRE(got <= k.size);
        }
    }
    if (ev == DFI_TW_END) {
        *end = k.at;
        ev = dfi_tw_next(&k);
    } else {
        *end = k.rc == DF_E_TRUNCATED && ev != DFI_TW_PAST_END && ev != DFI_TW_NO_END
                   ? err.offset
                   : k.at;
    }
    dfi_buf_free(&b);
    dfi_src_close(&src);
    return ev;
}

static void check_tar(const dft_archive *a)
{
    enum { MAX = 4096 };
    size_t len, nwant, ngot;
    uint8_t *p = (uint8_t *)dft_read_file(a->path, &len);
    dft_tar_member *want = calloc(MAX, sizeof *want), *got = calloc(MAX, sizeof *got);
    int64_t end, data_end;

    ck_assert_ptr_nonnull(p);
    nwant = dft_tar_walk(p, len, want, MAX);
    ck_assert_uint_gt(nwant, 2);
    ck_assert_int_eq(tar_events(a->path, false, got, MAX, &ngot, &end), DFI_TW_END_OK);
    ck_assert_uint_eq(ngot, nwant);
    for (size_t i = 0; i < nwant; i++) {
        ck_assert_str_eq(got[i].name, want[i].name);
        ck_assert_int_eq(got[i].header, want[i].header);
        ck_assert_int_eq(got[i].data, want[i].data);
        ck_assert_int_eq(got[i].size, want[i].size);
    }
    data_end = want[nwant - 1].data + (want[nwant - 1].size + 511) / 512 * 512;
    ck_assert_int_eq(end, data_end);

    /* cut copies: inside and at the edges of every member, from a file and from a pipe view */
    for (size_t i = 1; i < nwant * 4 && i / 4 < nwant; i++) {
        const dft_tar_member *w = &want[i / 4];
        int64_t cuts[4] = {w->header, w->header + 100, w->data + w->size / 2, w->data + w->size};
        int64_t cut = cuts[i % 4];
        char *path;

        if (cut <= 0 || cut >= (int64_t)len || (i % 4 == 2 && w->size < 2))
            continue;
        path = temp_copy(p, (size_t)cut);
        for (int pv = 0; pv < 2; pv++) {
            dfi_tw_event ev = tar_events(path, pv, got, MAX, &ngot, &end);

            ck_assert_msg(ev != DFI_TW_END_OK && ev != DFI_TW_MEMBER,
                          "%s cut at %lld: walk ends well (event %d)", a->rel, (long long)cut,
                          (int)ev);
            ck_assert_msg(ngot <= nwant, "%s cut at %lld", a->rel, (long long)cut);
            for (size_t k = 0; k < ngot; k++)
                REQUIRE(got[k].header == want[k].header);
            if (ev == DFI_TW_NO_END)
                ck_assert_int_eq(end, cut); /* cut between members */
            else if (ev == DFI_TW_PAST_END)
                ck_assert_msg(!pv && got[ngot].header <= cut, "%s cut at %lld", a->rel,
                              (long long)cut);
            else if (ev == DFI_TW_DATA_FAIL || ev == DFI_TW_HEADER_FAIL ||
                     ev == DFI_TW_PADDING_FAIL)
                ck_assert_msg(end == cut, "%s cut at %lld: damage at %lld (event %d)", a->rel,
                              (long long)cut, (long long)end, (int)ev);
        }
        unlink(path);
    }
    free(want);
    free(got);
    free(p);
}

START_TEST(test_tar_walks)
{
    dft_archives as;
    size_t n = 0;

    dft_archives_find(&as, subs, sizeof subs / sizeof subs[0]);
    for (size_t i = 0; i < as.n; i++) {
        if (!as.a[i].is_tar)
            continue;
        check_tar(&as.a[i]);
        n++;
    }
    ck_assert_uint_ge(n, 4);
    dft_archives_free(&as);
}
END_TEST

/* Bad end blocks and a bad header checksum are damage events, at the right offsets. */
START_TEST(test_tar_damage)
{
    char path[4096];
    size_t len, nwant, ngot;
    uint8_t *p = (uint8_t *)dft_read_file(dft_path(path, sizeof path, "pg18/sample.tar"), &len);
    dft_tar_member want[512], got[512];
    int64_t end, data_end;
    char *tmp;

    ck_assert_ptr_nonnull(p);
    nwant = dft_tar_walk(p, len, want, 512);
    data_end = want[nwant - 1].data + (want[nwant - 1].size + 511) / 512 * 512;
    p[data_end + 512 + 7] = 1; /* the second end block is not zero */
    tmp = temp_copy(p, len);
    ck_assert_int_eq(tar_events(tmp, false, got, 512, &ngot, &end), DFI_TW_BAD_END);
    ck_assert_uint_eq(ngot, nwant);
    unlink(tmp);
    p[data_end + 512 + 7] = 0;
    p[want[3].header + 150] ^= 1; /* checksum field of the fourth member */
    tmp = temp_copy(p, len);
    ck_assert_int_eq(tar_events(tmp, false, got, 512, &ngot, &end), DFI_TW_BAD_CHECKSUM);
    ck_assert_uint_eq(ngot, 3);
    ck_assert_int_eq(end, want[3].header);
    unlink(tmp);
    free(p);
}
END_TEST

/* ------------------------------------------------------------ directory */

/* One member event of a directory walk, or one the independent listing expects. */
typedef struct dmember {
    int ev;         /* dfi_dw_event */
    int32_t id;     /* the entry's dump id */
    uint32_t oid;   /* DFI_DW_LO */
    char name[300]; /* the file: found (member) or, for damage, as named */
    int64_t size, at;
} dmember;

typedef struct dmembers {
    dmember v[4096];
    size_t n;
} dmembers;

static dmember *dm_add(dmembers *m, int ev, int32_t id)
{
    dmember *d;

    ck_assert_uint_lt(m->n, sizeof m->v / sizeof m->v[0]);
    d = &m->v[m->n++];
    memset(d, 0, sizeof *d);
    d->ev = ev;
    d->id = id;
    d->size = -1;
    return d;
}

/* The directory's file names (the independent listing): readdir, regular files only. */
static size_t dir_listing(const char *dir, char names[][256], size_t max)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    size_t n = 0;

    ck_assert_ptr_nonnull(d);
    while ((de = readdir(d)) != NULL && n < max)
        if (de->d_name[0] != '.')
            snprintf(names[n++], 256, "%s", de->d_name);
    closedir(d);
    return n;
}

/* name, or else name.gz, .lz4, .zst, as listed: the index in names, -1 when none is there. */
static int listed(char names[][256], size_t n, const char *name)
{
    static const char *const sfx[] = {"", ".gz", ".lz4", ".zst"};

    for (size_t s = 0; s < 4; s++)
        for (size_t i = 0; i < n; i++) {
            size_t l = strlen(name);
            if (strncmp(names[i], name, l) == 0 && strcmp(names[i] + l, sfx[s]) == 0)
                return (int)i;
        }
    return -1;
}

static int64_t file_size(const char *dir, const char *name)
{
    char path[4400];
    struct stat st;

    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &st) == 0 ? (int64_t)st.st_size : -1;
}

/*
 * What a walk of dir must report, from the listing and a naive read of each
 * (uncompressed) LO list with stdio; *used marks the listed files accounted for.
 */
static void dir_expect(const char *dir, const df_reader *r, dmembers *m, bool *used)
{
    static char names[4096][256];
    size_t nn = dir_listing(dir, names, 4096);
    int t = listed(names, nn, "toc.dat");

    ck_assert_int_ge(t, 0);
    used[t] = true;
    dm_add(m, DFI_DW_TOC, 0);
    snprintf(m->v[m->n - 1].name, 300, "%s", names[t]);
    m->v[m->n - 1].size = file_size(dir, names[t]);
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];
        const char *want = e->filename;
        dmember *d;
        int k;

        if (!df_entry_has_data(e))
            continue;
        if (df_entry_is_blobs(e) && r->arch.version < DF_MAKE_VERSION(1, 16, 0))
            want = "blobs.toc";
        k = listed(names, nn, want);
        d = dm_add(m, k < 0 ? DFI_DW_MISSING : df_entry_is_blobs(e) ? DFI_DW_LO_LIST : DFI_DW_FILE,
                   e->dump_id);
        snprintf(d->name, 300, "%s", k < 0 ? want : names[k]);
        if (k < 0)
            continue;
        used[k] = true;
        d->size = file_size(dir, names[k]);
        if (df_entry_is_blobs(e)) {
            char path[4400], line[600], lo[300];
            unsigned oid;
            FILE *f;
            int64_t at = 0;

            ck_assert_str_eq(names[k], want); /* pg_dump writes LO lists plain */
            snprintf(path, sizeof path, "%s/%s", dir, names[k]);
            f = fopen(path, "r");
            ck_assert_ptr_nonnull(f);
            while (fgets(line, sizeof line, f) != NULL) {
                int j;

                ck_assert_int_eq(sscanf(line, "%u %299s", &oid, lo), 2);
                j = listed(names, nn, lo);
                d = dm_add(m, j < 0 ? DFI_DW_MISSING : DFI_DW_LO, e->dump_id);
                d->oid = oid;
                d->at = at;
                snprintf(d->name, 300, "%s", j < 0 ? lo : names[j]);
                if (j >= 0) {
                    used[j] = true;
                    d->size = file_size(dir, names[j]);
                }
                at += (int64_t)strlen(line);
            }
            fclose(f);
        }
    }
    for (size_t i = 0; i < nn; i++) /* every file is a member the walk must report */
        ck_assert_msg(used[i], "%s: %s is in no event", dir, names[i]);
}

/* The member events of a whole walk of dir (skim: check compressed frames). */
static void dir_walk(const char *dir, const df_reader *r, bool skim, dmembers *m)
{
    dfi_dwalk k;
    df_error err;
    dfi_dw_event ev;
    int32_t id = 0;
    int entries = 0;

    memset(&err, 0, sizeof err);
    dfi_dw_init(&k, dir, r->arch.version, &r->lim, false, &err);
    k.skim = skim;
    dfi_dw_toc(&k, r->entries, r->nentries);
    while ((ev = dfi_dw_next(&k)) != DFI_DW_END) {
        dmember *d;

        if (ev == DFI_DW_ENTRY) {
            id = k.e->dump_id;
            REQUIRE(df_entry_has_data(k.e));
            entries++;
            continue;
        }
        if (ev == DFI_DW_ENTRY_END) {
            entries--;
            continue;
        }
        d = dm_add(m, ev, id);
        d->oid = ev == DFI_DW_LO || k.of == DFI_DW_OF_LO ? k.oid : 0;
        d->at = k.of == DFI_DW_OF_LO || ev == DFI_DW_LIST_CUT ? k.at : 0;
        d->size = k.size;
        snprintf(d->name, 300, "%s",
                 ev == DFI_DW_MISSING || ev == DFI_DW_BAD_NAME ? (k.name ? k.name : "") : k.member);
    }
    ck_assert_int_eq(entries, 0); /* every ENTRY has its ENTRY_END */
    dfi_dw_free(&k);
}

static void dm_same(const dmembers *got, const dmembers *want, const char *what)
{
    ck_assert_msg(got->n == want->n, "%s: %zu events, want %zu", what, got->n, want->n);
    for (size_t i = 0; i < want->n; i++) {
        const dmember *g = &got->v[i], *w = &want->v[i];
        ck_assert_msg(g->ev == w->ev && g->id == w->id && g->oid == w->oid &&
                          strcmp(g->name, w->name) == 0 && g->size == w->size && g->at == w->at,
                      "%s: event %zu is %d %d %u %s %lld @%lld, want %d %d %u %s %lld @%lld", what,
                      i, g->ev, g->id, g->oid, g->name, (long long)g->size, (long long)g->at,
                      w->ev, w->id, w->oid, w->name, (long long)w->size, (long long)w->at);
    }
}

static df_reader *open_dir(const char *dir)
{
    df_reader *r = df_reader_new(NULL);

    ck_assert_ptr_nonnull(r);
    ck_assert_int_eq(df_reader_open_path(r, dir), DF_OK);
    return r;
}

/* The walk of dir against the listing, with and without skims (the corpus is undamaged). */
static size_t check_dir_same(const char *dir, const df_reader *r)
{
    static dmembers want, got;
    bool used[4096] = {false};

    want.n = got.n = 0;
    dir_expect(dir, r, &want, used);
    dir_walk(dir, r, false, &got);
    dm_same(&got, &want, dir);
    got.n = 0;
    dir_walk(dir, r, true, &got);
    dm_same(&got, &want, dir);
    return want.n;
}

static void replace_file(const char *dir, const char *name, const char *text, size_t len)
{
    char path[4400];

    snprintf(path, sizeof path, "%s/%s", dir, name);
    ck_assert_int_eq(dft_write_file(path, text, len), 0);
}

/*
 * Damaged copies of one directory archive: a data file removed, a data file
 * replaced by a directory, a compressed data file cut or bad, an LO's file
 * removed, an LO list's last newline removed, a bad line appended.  The
 * walk reports each as an event at the right place and walks on.  True
 * when the archive had large objects (the LO damage was tried).
 */
static bool check_dir_damage(const dft_archive *a, const df_reader *r)
{
    static dmembers want, got;
    char tmp[64], path[4400];
    bool used[4096] = {false};
    size_t first = 0, list = 0, lo = 0;

    snprintf(tmp, sizeof tmp, "/tmp/check_walk_dir.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmp));
    ck_assert_int_eq(dft_copy_dir(a->path, tmp), 0);
    want.n = 0;
    dir_expect(tmp, r, &want, used);
    for (size_t i = want.n; i-- > 1;) {
        if (want.v[i].ev == DFI_DW_FILE && want.v[i].size > 64)
            first = i;
        if (want.v[i].ev == DFI_DW_LO_LIST)
            list = i;
        if (want.v[i].ev == DFI_DW_LO)
            lo = i;
    }
    ck_assert_uint_gt(first, 0);
    /* a data file gone: MISSING under its TOC name, nothing else changes */
    snprintf(path, sizeof path, "%s/%s", tmp, want.v[first].name);
    ck_assert_int_eq(unlink(path), 0);
    got.n = 0;
    dir_walk(tmp, r, false, &got);
    ck_assert_uint_eq(got.n, want.n);
    ck_assert_int_eq(got.v[first].ev, DFI_DW_MISSING);
    ck_assert_int_eq(got.v[first].id, want.v[first].id);
    ck_assert_int_eq(got.v[first + 1].ev, want.v[first + 1].ev);
    /* ... a directory in its place: refused (not a regular file) */
    ck_assert_int_eq(mkdir(path, 0700), 0);
    got.n = 0;
    dir_walk(tmp, r, false, &got);
    ck_assert_int_eq(got.v[first].ev, DFI_DW_REFUSED);
    ck_assert_str_eq(got.v[first].name, want.v[first].name);
    rmdir(path);
    /* ... back, damaged: a compressed file's skim finds it, a plain one is a FILE */
    {
        size_t len;
        char from[4400], *data;

        snprintf(from, sizeof from, "%s/%s", a->path, want.v[first].name);
        data = dft_read_file(from, &len);
        ck_assert_ptr_nonnull(data);
        /* gzip's skim sees its magic only (deflate has no framing to walk): break that */
        if (dft_ends_with(want.v[first].name, ".gz"))
            data[0] = 0;
        ck_assert_int_eq(dft_write_file(path, data, dft_ends_with(want.v[first].name, ".gz")
                                                        ? len : len / 2), 0);
        free(data);
        got.n = 0;
        dir_walk(tmp, r, true, &got);
        ck_assert_int_eq(got.v[first].ev, DFI_DW_FILE);
        if (strchr(want.v[first].name, '.') != strrchr(want.v[first].name, '.')) {
            /* FILE, then BAD_FILE */
            ck_assert_msg(got.n == want.n + 1, "%s: %s damaged: %zu events", a->rel,
                          want.v[first].name, got.n);
            ck_assert_int_eq(got.v[first + 1].ev, DFI_DW_BAD_FILE);
            ck_assert_str_eq(got.v[first + 1].name, want.v[first].name);
        } else {
            ck_assert_uint_eq(got.n, want.n);
        }
    }
    if (list > 0 && lo > list) {
        const dmember *l = &want.v[list];
        size_t len;
        char from[4400], *data;

        snprintf(path, sizeof path, "%s/%s", tmp, want.v[lo].name);
        ck_assert_int_eq(unlink(path), 0); /* an LO's file gone */
        got.n = 0;
        dir_walk(tmp, r, false, &got);
        ck_assert_uint_eq(got.n, want.n);
        ck_assert_int_eq(got.v[lo].ev, DFI_DW_MISSING);
        ck_assert_uint_eq(got.v[lo].oid, want.v[lo].oid);
        ck_assert_int_eq(got.v[lo].at, want.v[lo].at);
        snprintf(from, sizeof from, "%s/%s", a->path, l->name);
        data = dft_read_file(from, &len);
        ck_assert_ptr_nonnull(data);
        ck_assert_uint_gt(len, 1);
        replace_file(tmp, l->name, data, len - 1); /* the last newline gone */
        got.n = 0;
        dir_walk(tmp, r, false, &got);
        ck_assert_uint_gt(got.n, list);
        {
            bool seen = false;
            for (size_t i = list; i < got.n; i++)
                if (got.v[i].ev == DFI_DW_LIST_CUT) {
                    ck_assert_int_eq(got.v[i].at, (int64_t)len - 1);
                    seen = true;
                }
            ck_assert(seen);
        }
        data = realloc(data, len + 8);
        memcpy(data + len, "12 a b\n", 7); /* two spaces: no "<oid> <file>" */
        replace_file(tmp, l->name, data, len + 7);
        got.n = 0;
        dir_walk(tmp, r, false, &got);
        {
            bool seen = false;
            for (size_t i = list; i < got.n; i++)
                if (got.v[i].ev == DFI_DW_BAD_LINE) {
                    ck_assert_int_eq(got.v[i].at, (int64_t)len);
                    seen = true;
                }
            ck_assert(seen);
        }
        free(data);
    }
    dft_remove_dir(tmp);
    return list > 0 && lo > list;
}

START_TEST(test_dir_walks)
{
    dft_archives as;
    size_t n = 0, events = 0, with_los = 0;

    dft_archives_find(&as, subs, sizeof subs / sizeof subs[0]);
    for (size_t i = 0; i < as.n; i++) {
        df_reader *r;

        if (!as.a[i].is_dir)
            continue;
        r = open_dir(as.a[i].path);
        events += check_dir_same(as.a[i].path, r);
        with_los += check_dir_damage(&as.a[i], r);
        df_reader_free(r);
        n++;
    }
    ck_assert_uint_ge(n, 4);
    ck_assert_uint_gt(events, n * 3);
    ck_assert_uint_ge(with_los, 4);
    dft_archives_free(&as);
}
END_TEST

static Suite *walk_suite(void)
{
    Suite *s = suite_create("walk");
    TCase *tc = tcase_create("walk");

    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_custom_walks);
    tcase_add_test(tc, test_tar_walks);
    tcase_add_test(tc, test_tar_damage);
    tcase_add_test(tc, test_dir_walks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(walk_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
