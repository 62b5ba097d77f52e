/*
 * check_hostile.c — hand-built hostile archives.  A small writer produces
 * custom (and a few tar and directory) archives byte by byte per spec §2-§7:
 * first a valid baseline that must read cleanly, then variants that differ
 * from it in one hostile detail -- impossible integer and offset sizes,
 * negative and enormous string lengths, a TOC count of 2^31-1, dependency
 * lists that never end or are far too long, LO lists without end, absurd
 * chunk lengths, bad dump ids, versions and format bytes.  Each must fail
 * with the right DF_E_* (or, where pg_dump itself accepts the input, read
 * correctly), within 1 s of CPU, and holding less than MAX_HEAP_BYTES of
 * heap at any moment: nothing is allocated on the word of a length field.
 * The heap is counted by the sanitizer allocator's malloc and free hooks
 * around each reader (not the process RSS, which mostly measures
 * AddressSanitizer's quarantine and LeakSanitizer's final scan).
 */
#include "check_util.h"
#include "corpus_util.h"
#include "dumpfmt.h"

#include <check.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_CPU_SECONDS 1.0
/*
 * The most heap one hostile archive may make the reader (and the test's own
 * result list) hold at once; today's peak is about 0.6 MiB.  An archive that
 * declares a 60 MB string or 2^31 entries must not come close.
 */
#define MAX_HEAP_BYTES (2 * 1024 * 1024)
/*
 * The default max_deps (1,000,000) lets the reader grow its int32_t array of
 * one entry's dependencies to 2^20 entries (4 MiB), holding the 2 MiB one
 * too while realloc copies it: 6 MiB more.
 */
#define DEPS_AT_LIMIT_BYTES (6 * 1024 * 1024)

#if defined(__SANITIZE_ADDRESS__)
#define HEAP_HOOKS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HEAP_HOOKS 1
#endif
#endif

#ifdef HEAP_HOOKS
/*
 * AddressSanitizer keeps freed memory in a 256 MiB quarantine by default;
 * 8 MiB keeps the test processes small.  This is the sanitizer's documented
 * hook (hence the reserved name).  libasan finds it only when the program
 * exports it, and the build hides symbols (-fvisibility=hidden), hence the
 * attribute.  Flags in ASAN_OPTIONS still take precedence.
 */
__attribute__((visibility("default"))) const char *__asan_default_options(void);
__attribute__((visibility("default"))) const char *__asan_default_options(void)
{
    return "quarantine_size_mb=8";
}

/* The sanitizer allocator interface (sanitizer/allocator_interface.h, which gcc does not ship). */
int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void *, size_t),
                                              void (*free_hook)(const volatile void *));
int __sanitizer_get_ownership(const volatile void *p);
size_t __sanitizer_get_allocated_size(const volatile void *p);

/*
 * Heap bytes allocated minus freed since heap_reset(), and their peak.  The
 * hooks take no context argument, hence file-level state; it is per test,
 * as Check runs each test in its own process.  Atomic because the library
 * may allocate from its threads.
 */
static int64_t heap_live, heap_peak;

static void heap_malloc_hook(const volatile void *p, size_t size)
{
    int64_t now = __atomic_add_fetch(&heap_live, (int64_t)size, __ATOMIC_RELAXED);
    int64_t peak = __atomic_load_n(&heap_peak, __ATOMIC_RELAXED);

    (void)p;
    while (now > peak && !__atomic_compare_exchange_n(&heap_peak, &peak, now, 1, __ATOMIC_RELAXED,
                                                      __ATOMIC_RELAXED))
        ;
}

/* Called before the block is released, so its size is still known. */
static void heap_free_hook(const volatile void *p)
{
    if (p != NULL && __sanitizer_get_ownership(p))
        __atomic_sub_fetch(&heap_live, (int64_t)__sanitizer_get_allocated_size(p),
                           __ATOMIC_RELAXED);
}

static void heap_install(void)
{
    __sanitizer_install_malloc_and_free_hooks(heap_malloc_hook, heap_free_hook);
}

static void heap_reset(void)
{
    __atomic_store_n(&heap_live, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&heap_peak, 0, __ATOMIC_RELAXED);
}

/* The peak since heap_reset(); -1 when not measured. */
static int64_t heap_peak_bytes(void)
{
    return __atomic_load_n(&heap_peak, __ATOMIC_RELAXED);
}
#else
/* Without AddressSanitizer there are no allocator hooks: the bound is not checked. */
static void heap_install(void) {}

static void heap_reset(void) {}

static int64_t heap_peak_bytes(void)
{
    return -1;
}
#endif

/* Fails the test when the reader held `max` bytes or more since heap_reset(). */
static void assert_heap_bounded(int64_t max)
{
    int64_t peak = heap_peak_bytes();

    ck_assert_msg(peak < max, "held %lld bytes of heap at once (limit %lld)", (long long)peak,
                  (long long)max);
}

/* ------------------------------------------------------------------ */
/* Archive writer                                                      */
/* ------------------------------------------------------------------ */

typedef struct aw {
    FILE *f;
    char path[64];
    int64_t pos;
    int version; /* DF_MAKE_VERSION */
    int int_size, off_size;
} aw;

static void aw_open(aw *w)
{
    int fd;

    memset(w, 0, sizeof *w);
    snprintf(w->path, sizeof w->path, "/tmp/check_hostile.XXXXXX");
    fd = mkstemp(w->path);
    ck_assert_int_ge(fd, 0);
    w->f = fdopen(fd, "w+b");
    ck_assert_ptr_nonnull(w->f);
    w->version = DF_MAKE_VERSION(1, 16, 0);
    w->int_size = 4;
    w->off_size = 8;
}

static void aw_close(aw *w)
{
    ck_assert_int_eq(fclose(w->f), 0);
    w->f = NULL;
}

/*
 * No ck_assert in the writer's hot path: Check reports every passing
 * assertion to its parent process, which costs time and memory by the
 * million.
 */
static void aw_bytes(aw *w, const void *p, size_t n)
{
    if (fwrite(p, 1, n, w->f) != n)
        ck_abort_msg("cannot write %s", w->path);
    w->pos += (int64_t)n;
}

static void aw_byte(aw *w, int b)
{
    if (putc_unlocked(b & 0xff, w->f) == EOF)
        ck_abort_msg("cannot write %s", w->path);
    w->pos++;
}

/* INT (spec §2.2): sign byte (>= 1.1), then int_size magnitude bytes LSB first. */
static void aw_int(aw *w, int64_t v)
{
    uint64_t mag = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

    if (w->version > DF_MAKE_VERSION(1, 0, 0))
        aw_byte(w, v < 0);
    for (int i = 0; i < w->int_size; i++)
        aw_byte(w, i < 8 ? (int)((mag >> (8 * i)) & 0xff) : 0);
}

/* STR (spec §2.3): INT length then the bytes; NULL is length -1. */
static void aw_str(aw *w, const char *s)
{
    if (s == NULL) {
        aw_int(w, -1);
        return;
    }
    aw_int(w, (int64_t)strlen(s));
    aw_bytes(w, s, strlen(s));
}

/* OFF (spec §2.4): flag byte then off_size bytes; returns where it starts. */
static int64_t aw_off(aw *w, int flag, uint64_t v)
{
    int64_t at = w->pos;

    aw_byte(w, flag);
    for (int i = 0; i < w->off_size; i++)
        aw_byte(w, i < 8 ? (int)((v >> (8 * i)) & 0xff) : 0);
    return at;
}

/* Rewrite an OFF written earlier (data offsets are known only later). */
static void aw_patch_off(aw *w, int64_t at, int flag, uint64_t v)
{
    int64_t here = w->pos;

    ck_assert_int_eq(fseeko(w->f, at, SEEK_SET), 0);
    w->pos = at;
    aw_off(w, flag, v);
    ck_assert_int_eq(fseeko(w->f, here, SEEK_SET), 0);
    w->pos = here;
}

typedef struct hdr_opts {
    int vmaj, vmin, vrev, int_size, off_size, format_byte, comp;
} hdr_opts;

static const hdr_opts HDR_OK = {1, 16, 0, 4, 8, 1, 0};

/* Header (spec §3) for archives >= 1.10. */
static void aw_header(aw *w, const hdr_opts *h)
{
    aw_bytes(w, "PGDMP", 5);
    aw_byte(w, h->vmaj);
    aw_byte(w, h->vmin);
    aw_byte(w, h->vrev);
    aw_byte(w, h->int_size);
    aw_byte(w, h->off_size);
    aw_byte(w, h->format_byte);
    w->version = DF_MAKE_VERSION(h->vmaj, h->vmin, h->vrev);
    w->int_size = h->int_size;
    w->off_size = h->off_size;
    if (w->version >= DF_MAKE_VERSION(1, 15, 0))
        aw_byte(w, h->comp);
    else
        aw_int(w, h->comp ? -1 : 0);
    for (int i = 0; i < 7; i++)
        aw_int(w, (int[]){30, 5, 0, 24, 10, 126, 0}[i]);
    aw_str(w, "hostile");
    aw_str(w, "18.3");
    aw_str(w, "18.3");
}

typedef struct ent_opts {
    int64_t dump_id;
    int had_dumper;
    const char *tag, *desc, *defn, *copy, *schema;
    int section;
    const char *const *deps; /* NULL-terminated */
    int off_flag;            /* 0: no OFF (dir/tar write `filename` instead) */
    const char *filename;
} ent_opts;

/* A TOC entry (spec §4.2, 1.16 layout); returns where its OFF starts (or -1). */
static int64_t aw_entry(aw *w, const ent_opts *e)
{
    int64_t off_at = -1;

    aw_int(w, e->dump_id);
    aw_int(w, e->had_dumper);
    aw_str(w, "0");
    aw_str(w, e->had_dumper ? "16400" : "0");
    aw_str(w, e->tag);
    aw_str(w, e->desc);
    aw_int(w, e->section);
    aw_str(w, e->defn);
    aw_str(w, NULL);
    aw_str(w, e->copy);
    aw_str(w, e->schema);
    aw_str(w, NULL);
    aw_str(w, NULL);
    aw_int(w, 0); /* relkind */
    aw_str(w, "postgres");
    aw_str(w, "false");
    for (size_t i = 0; e->deps && e->deps[i]; i++)
        aw_str(w, e->deps[i]);
    aw_str(w, NULL);
    if (e->off_flag)
        off_at = aw_off(w, e->off_flag, 0);
    else
        aw_str(w, e->filename ? e->filename : "");
    return off_at;
}

static const char *const DEPS_1[] = {"1", NULL};

static void aw_encoding_entry(aw *w, int off_flag)
{
    ent_opts e = {1,    0,    "ENCODING",          "ENCODING", "SET client_encoding = 'UTF8';\n",
                  NULL, NULL, DF_SECTION_PRE_DATA, NULL,       off_flag,
                  NULL};
    aw_entry(w, &e);
}

static int64_t aw_table_data_entry(aw *w, int64_t id, int off_flag, const char *filename)
{
    ent_opts e = {id,       1,
                  "t",      "TABLE DATA",
                  NULL,     "COPY public.t (a, b) FROM stdin;\n",
                  "public", DF_SECTION_DATA,
                  DEPS_1,   off_flag,
                  filename};
    return aw_entry(w, &e);
}

static const char COPY_ROW[] = "1\tab\n";
static const char COPY_END[] = "\\.\n\n\n";

/* A data block (spec §5.1) holding one COPY row and the terminator, in two chunks. */
static void aw_data_block(aw *w, int64_t id)
{
    aw_byte(w, 1);
    aw_int(w, id);
    aw_int(w, (int64_t)strlen(COPY_ROW));
    aw_bytes(w, COPY_ROW, strlen(COPY_ROW));
    aw_int(w, (int64_t)strlen(COPY_END));
    aw_bytes(w, COPY_END, strlen(COPY_END));
    aw_int(w, 0);
}

/* The baseline: ENCODING + one TABLE DATA entry with a SET offset and its block. */
static void build_baseline(aw *w, const hdr_opts *h)
{
    int64_t off_at;

    aw_header(w, h);
    aw_int(w, 2);
    aw_encoding_entry(w, 3);
    off_at = aw_table_data_entry(w, 2, 2, NULL);
    aw_patch_off(w, off_at, 2, (uint64_t)w->pos);
    aw_data_block(w, 2);
}

/* ------------------------------------------------------------------ */
/* Running a case                                                      */
/* ------------------------------------------------------------------ */

typedef struct outcome {
    int open_rc;  /* df_reader_open_path */
    int data_rc;  /* first data error, DF_OK if all read (only when opened) */
    df_error err; /* the error that ended it */
    int64_t rows; /* rows of TABLE DATA read */
    int64_t los;
    size_t nentries;
    double cpu, wall;
    int64_t heap_peak; /* most heap bytes held at once, -1 if not measured */
} outcome;

static double clock_of(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Open `path` with `lim` (NULL = defaults), read everything, time it. */
static outcome run_path(const char *path, const df_limits *lim)
{
    outcome o;
    double c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID), w0 = clock_of(CLOCK_MONOTONIC);
    df_reader *r;
    dft_result res;

    memset(&o, 0, sizeof o);
    heap_reset();
    r = df_reader_new(lim);
    ck_assert_ptr_nonnull(r);
    alarm(10);
    o.open_rc = df_reader_open_path(r, path);
    o.err = *df_reader_error(r);
    if (o.open_rc == DF_OK) {
        o.nentries = df_reader_toc_count(r);
        o.data_rc = dft_read_all(r, 4096, 1, &res);
        if (o.data_rc != DF_OK)
            o.err = res.err;
        for (size_t i = 0; i < res.nents; i++)
            o.rows += res.ents[i].rows;
        o.los = res.total_los;
        dft_result_free(&res);
    }
    alarm(0);
    df_reader_free(r);
    o.cpu = clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0;
    o.wall = clock_of(CLOCK_MONOTONIC) - w0;
    o.heap_peak = heap_peak_bytes();
    return o;
}

/* Read the archive `w` wrote, then delete it; `max_heap` bounds the heap it may hold. */
static outcome run_aw_heap(aw *w, const df_limits *lim, int64_t max_heap)
{
    outcome o;

    if (w->f)
        aw_close(w);
    o = run_path(w->path, lim);
    unlink(w->path);
    ck_assert_msg(o.cpu < MAX_CPU_SECONDS, "took %.3f s of CPU", o.cpu);
    ck_assert_msg(o.wall < 5 * MAX_CPU_SECONDS, "took %.3f s", o.wall);
    assert_heap_bounded(max_heap);
    return o;
}

static outcome run_aw(aw *w, const df_limits *lim)
{
    return run_aw_heap(w, lim, MAX_HEAP_BYTES);
}

static int code_in(int rc, int a, int b)
{
    return rc == a || rc == b;
}

/* The failure (open or data) of an outcome, DF_OK when everything read. */
static int failure(const outcome *o)
{
    return o->open_rc != DF_OK ? o->open_rc : o->data_rc;
}

#define ASSERT_OPEN_FAILS(o, a, b)                                                                 \
    ck_assert_msg(code_in((o).open_rc, a, b), "open gave %s (%s), want %s or %s",                  \
                  df_strstatus((o).open_rc), (o).err.message, df_strstatus(a), df_strstatus(b));   \
    ck_assert_int_eq((o).err.code, (o).open_rc);                                                   \
    ck_assert_str_ne((o).err.message, "")

#define ASSERT_DATA_FAILS(o, a, b)                                                                 \
    ck_assert_msg((o).open_rc == DF_OK, "open gave %s (%s)", df_strstatus((o).open_rc),            \
                  (o).err.message);                                                                \
    ck_assert_msg(code_in((o).data_rc, a, b), "data gave %s (%s), want %s or %s",                  \
                  df_strstatus((o).data_rc), (o).err.message, df_strstatus(a), df_strstatus(b));   \
    ck_assert_int_eq((o).err.code, (o).data_rc)

/* ------------------------------------------------------------------ */
/* Cases                                                               */
/* ------------------------------------------------------------------ */

START_TEST(test_baseline)
{
    aw w;
    outcome o;

    aw_open(&w);
    build_baseline(&w, &HDR_OK);
    o = run_aw(&w, NULL);
    ck_assert_msg(o.open_rc == DF_OK && o.data_rc == DF_OK, "baseline: %s", o.err.message);
    ck_assert_uint_eq(o.nentries, 2);
    ck_assert_int_eq(o.rows, 1);
}
END_TEST

START_TEST(test_int_size)
{
    /* intSize 0 cannot carry a positive dump id; 33 and 255 are past pg_restore's limit of 32. */
    const int sizes[] = {0, 255, 33};
    aw w;
    outcome o;
    hdr_opts h = HDR_OK;

    h.int_size = sizes[_i];
    aw_open(&w);
    build_baseline(&w, &h);
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_CORRUPT, DF_E_UNSUPPORTED);
    ck_assert_int_eq(o.err.offset, 8); /* the intSize byte */
}
END_TEST

START_TEST(test_off_size)
{
    /* offSize 0 leaves no room for an offset; 9 is wider than any pgoff_t. */
    const int sizes[] = {0, 9, 200};
    aw w;
    outcome o;
    hdr_opts h = HDR_OK;

    h.off_size = sizes[_i];
    aw_open(&w);
    build_baseline(&w, &h);
    o = run_aw(&w, NULL);
    /* pg_restore accepts a wide offSize whose extra bytes are zero; then the data must read. */
    if (o.open_rc == DF_OK) {
        ck_assert_int_ne(sizes[_i], 0);
        ck_assert_int_eq(o.data_rc, DF_OK);
        ck_assert_int_eq(o.rows, 1);
    } else {
        ASSERT_OPEN_FAILS(o, DF_E_CORRUPT, DF_E_UNSUPPORTED);
        ck_assert_int_eq(o.err.offset, 9);
    }
}
END_TEST

START_TEST(test_off_size_9_high_byte)
{
    /* offSize 9 with a non-zero ninth byte in a SET offset is always corrupt. */
    aw w;
    outcome o;
    hdr_opts h = HDR_OK;
    int64_t off_at;

    h.off_size = 9;
    aw_open(&w);
    aw_header(&w, &h);
    aw_int(&w, 1);
    off_at = aw_table_data_entry(&w, 2, 2, NULL);
    aw_patch_off(&w, off_at, 2, 0);
    ck_assert_int_eq(fseeko(w.f, off_at + 9, SEEK_SET), 0);
    fputc(1, w.f);
    ck_assert_int_eq(fseeko(w.f, w.pos, SEEK_SET), 0);
    aw_data_block(&w, 2);
    o = run_aw(&w, NULL);
    ck_assert_int_lt(failure(&o), 0);
    ck_assert(code_in(failure(&o), DF_E_CORRUPT, DF_E_UNSUPPORTED));
}
END_TEST

START_TEST(test_negative_string_is_null)
{
    /* pg_dump reads every negative STR length as NULL: a tag of length -5 is a NULL tag. */
    aw w;
    outcome o;
    char path[64];
    df_reader *r;
    int64_t off_at;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    aw_int(&w, 2);   /* dump id */
    aw_int(&w, 1);   /* had dumper */
    aw_str(&w, "0"); /* tableoid */
    aw_str(&w, "16400");
    aw_int(&w, -5); /* tag: length -5, no bytes */
    aw_str(&w, "TABLE DATA");
    aw_int(&w, DF_SECTION_DATA);
    aw_str(&w, NULL);
    aw_str(&w, NULL);
    aw_str(&w, "COPY t FROM stdin;\n");
    aw_str(&w, "public");
    aw_str(&w, NULL);
    aw_str(&w, NULL);
    aw_int(&w, 0);
    aw_str(&w, "postgres");
    aw_str(&w, "false");
    aw_str(&w, NULL);
    off_at = aw_off(&w, 2, 0);
    aw_patch_off(&w, off_at, 2, (uint64_t)w.pos);
    aw_data_block(&w, 2);
    aw_close(&w);
    snprintf(path, sizeof path, "%s", w.path);

    r = df_reader_new(NULL);
    ck_assert_int_eq(df_reader_open_path(r, path), DF_OK);
    ck_assert_ptr_null(df_reader_toc_at(r, 0)->tag);
    ck_assert_str_eq(df_reader_toc_at(r, 0)->desc, "TABLE DATA");
    df_reader_free(r);
    o = run_aw(&w, NULL);
    ck_assert_int_eq(o.data_rc, DF_OK);
    ck_assert_int_eq(o.rows, 1);

    /* The same entry cut right after the -5: the rest of the entry is missing. */
    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    aw_int(&w, 2);
    aw_int(&w, 1);
    aw_str(&w, "0");
    aw_str(&w, "16400");
    aw_int(&w, -5);
    {
        int64_t end = w.pos;
        o = run_aw(&w, NULL);
        ASSERT_OPEN_FAILS(o, DF_E_TRUNCATED, DF_E_TRUNCATED);
        ck_assert_int_le(o.err.offset, end);
        ck_assert_int_ge(o.err.offset, end - 5);
    }
}
END_TEST

START_TEST(test_string_2_40_int8)
{
    /* intSize 8 and a database name of 2^40 bytes. */
    aw w;
    outcome o;

    aw_open(&w);
    aw_bytes(&w, "PGDMP", 5);
    aw_byte(&w, 1);
    aw_byte(&w, 16);
    aw_byte(&w, 0);
    aw_byte(&w, 8);
    aw_byte(&w, 8);
    aw_byte(&w, 1);
    aw_byte(&w, 0);
    w.int_size = 8;
    for (int i = 0; i < 7; i++)
        aw_int(&w, 1);
    aw_int(&w, (int64_t)1 << 40);
    aw_bytes(&w, "sample", 6);
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_LIMIT, DF_E_CORRUPT);
    ck_assert_int_eq(o.err.offset, 12 + 7 * 9); /* the length INT */
}
END_TEST

START_TEST(test_string_declared_60mb)
{
    /* Under max_string (64 MiB) but only 20 bytes exist: truncated, nothing allocated
     * for the declared size.  Read from a pipe too, where the size is unknown. */
    aw w;
    outcome o;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    aw_int(&w, 2);
    aw_int(&w, 0);
    aw_str(&w, "0");
    aw_str(&w, "0");
    aw_str(&w, "t");
    aw_str(&w, "TABLE");
    aw_int(&w, DF_SECTION_PRE_DATA);
    aw_int(&w, 60 * 1000 * 1000); /* defn */
    aw_bytes(&w, "CREATE TABLE t (a int", 20);
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_TRUNCATED, DF_E_TRUNCATED);
}
END_TEST

START_TEST(test_string_declared_60mb_pipe)
{
    aw w;
    int p[2];
    pid_t child;
    df_reader *r;
    int rc;
    double c0 = clock_of(CLOCK_PROCESS_CPUTIME_ID);
    size_t len;
    char *bytes;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    aw_int(&w, 2);
    aw_int(&w, 0);
    aw_str(&w, "0");
    aw_str(&w, "0");
    aw_str(&w, "t");
    aw_str(&w, "TABLE");
    aw_int(&w, DF_SECTION_PRE_DATA);
    aw_int(&w, 60 * 1000 * 1000);
    aw_bytes(&w, "CREATE TABLE t (a int", 20);
    aw_close(&w);
    bytes = dft_read_file(w.path, &len);
    unlink(w.path);
    ck_assert_int_eq(pipe(p), 0);
    child = fork();
    ck_assert_int_ge(child, 0);
    if (child == 0) {
        close(p[0]);
        if (write(p[1], bytes, len) != (ssize_t)len)
            _exit(1);
        _exit(0);
    }
    close(p[1]);
    heap_reset();
    r = df_reader_new(NULL);
    rc = df_reader_open_fd(r, p[0], "pipe");
    ck_assert_int_eq(rc, DF_E_TRUNCATED);
    ck_assert_int_le(df_reader_error(r)->offset, (int64_t)len);
    df_reader_free(r);
    assert_heap_bounded(MAX_HEAP_BYTES);
    close(p[0]);
    waitpid(child, NULL, 0);
    free(bytes);
    ck_assert(clock_of(CLOCK_PROCESS_CPUTIME_ID) - c0 < MAX_CPU_SECONDS);
}
END_TEST

/* A header and a TOC count, then `present` minimal entries and EOF. */
static void build_huge_count(aw *w, int64_t count, int present)
{
    aw_header(w, &HDR_OK);
    aw_int(w, count);
    for (int i = 0; i < present; i++) {
        ent_opts e = {10 + i,          0,    "x", "COMMENT", "COMMENT ON x;", NULL, NULL,
                      DF_SECTION_NONE, NULL, 3,   NULL};
        aw_entry(w, &e);
    }
}

START_TEST(test_toc_count_2_31)
{
    aw w;
    outcome o;
    df_limits lim;

    /* Default limits: refused on sight. */
    aw_open(&w);
    build_huge_count(&w, INT32_MAX, 3);
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_LIMIT, DF_E_TRUNCATED);
    ck_assert_int_eq(o.err.offset, 77); /* the count INT, right after the 77-byte header */

    /* No limit: the file ends after 3 entries; memory follows the entries read. */
    df_limits_default(&lim);
    lim.max_toc_entries = INT64_MAX;
    aw_open(&w);
    build_huge_count(&w, INT32_MAX, 3);
    o = run_aw(&w, &lim);
    ASSERT_OPEN_FAILS(o, DF_E_TRUNCATED, DF_E_TRUNCATED);

    /* A negative count. */
    aw_open(&w);
    build_huge_count(&w, -3, 3);
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_CORRUPT, DF_E_LIMIT);
}
END_TEST

START_TEST(test_toc_count_limit)
{
    aw w;
    outcome o;
    df_limits lim;

    df_limits_default(&lim);
    lim.max_toc_entries = 100;
    aw_open(&w);
    build_huge_count(&w, 101, 101);
    o = run_aw(&w, &lim);
    ASSERT_OPEN_FAILS(o, DF_E_LIMIT, DF_E_LIMIT);
    aw_open(&w);
    build_huge_count(&w, 100, 100);
    o = run_aw(&w, &lim);
    ck_assert_int_eq(o.open_rc, DF_OK);
    ck_assert_uint_eq(o.nentries, 100);
}
END_TEST

/* A header, one entry whose dependency list is written by `deps_fn`. */
static void build_deps(aw *w, int64_t ndeps, int terminate)
{
    aw_header(w, &HDR_OK);
    aw_int(w, 1);
    aw_int(w, 5);
    aw_int(w, 0);
    aw_str(w, "0");
    aw_str(w, "0");
    aw_str(w, "x");
    aw_str(w, "COMMENT");
    aw_int(w, DF_SECTION_NONE);
    aw_str(w, "COMMENT ON x;");
    aw_str(w, NULL);
    aw_str(w, NULL);
    aw_str(w, NULL);
    aw_str(w, NULL);
    aw_str(w, NULL);
    aw_int(w, 0);
    aw_str(w, "postgres");
    aw_str(w, "false");
    for (int64_t i = 0; i < ndeps; i++)
        aw_str(w, "7");
    if (terminate) {
        aw_str(w, NULL);
        aw_off(w, 3, 0);
    }
}

START_TEST(test_deps_without_end)
{
    aw w;
    outcome o;

    aw_open(&w);
    build_deps(&w, 1000, 0);
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_TRUNCATED, DF_E_TRUNCATED);
}
END_TEST

START_TEST(test_deps_two_million)
{
    /*
     * 2,000,000 dependencies > max_deps (1,000,000): refused at the limit,
     * holding no more than when refusing 1,000,001.  Holding all 2,000,000
     * would take at least 2,000,000 * 4 bytes = 7.6 MiB (8 MiB after
     * doubling) against the 6 MiB the limit allows.
     */
    aw w;
    outcome at_limit, o;

    aw_open(&w);
    build_deps(&w, 1000001, 1);
    at_limit = run_aw_heap(&w, NULL, MAX_HEAP_BYTES + DEPS_AT_LIMIT_BYTES);
    ASSERT_OPEN_FAILS(at_limit, DF_E_LIMIT, DF_E_LIMIT);
    aw_open(&w);
    build_deps(&w, 2000000, 1);
    o = run_aw_heap(&w, NULL, MAX_HEAP_BYTES + DEPS_AT_LIMIT_BYTES);
    ASSERT_OPEN_FAILS(o, DF_E_LIMIT, DF_E_LIMIT);
    if (o.heap_peak >= 0)
        ck_assert_msg(o.heap_peak <= at_limit.heap_peak + 64 * 1024,
                      "held %lld bytes for 2,000,000 dependencies, %lld for 1,000,001",
                      (long long)o.heap_peak, (long long)at_limit.heap_peak);
}
END_TEST

START_TEST(test_deps_limit_exact)
{
    aw w;
    outcome o;
    df_limits lim;

    df_limits_default(&lim);
    lim.max_deps = 10;
    aw_open(&w);
    build_deps(&w, 10, 1);
    o = run_aw(&w, &lim);
    ck_assert_int_eq(o.open_rc, DF_OK);
    aw_open(&w);
    build_deps(&w, 11, 1);
    o = run_aw(&w, &lim);
    ASSERT_OPEN_FAILS(o, DF_E_LIMIT, DF_E_LIMIT);
}
END_TEST

START_TEST(test_deps_not_a_number)
{
    aw w;
    outcome o;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    {
        static const char *const bad[] = {"12abc", NULL};
        ent_opts e = {5,   0, "x", "COMMENT", "COMMENT ON x;", NULL, NULL, DF_SECTION_NONE,
                      bad, 3, NULL};
        aw_entry(&w, &e);
    }
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_CORRUPT, DF_E_CORRUPT);
}
END_TEST

START_TEST(test_max_toc_bytes)
{
    aw w;
    outcome o;
    df_limits lim;

    df_limits_default(&lim);
    lim.max_toc_bytes = 1000;
    aw_open(&w);
    build_huge_count(&w, 200, 200); /* ~20 bytes of strings per entry */
    o = run_aw(&w, &lim);
    ASSERT_OPEN_FAILS(o, DF_E_LIMIT, DF_E_LIMIT);
}
END_TEST

/* A BLOBS entry (SET) and its block, whose body `body` writes. */
static void build_blobs(aw *w, void (*body)(aw *w))
{
    int64_t off_at;
    ent_opts e = {9, 1, "BLOBS", "BLOBS", NULL, NULL, NULL, DF_SECTION_DATA, NULL, 2, NULL};

    aw_header(w, &HDR_OK);
    aw_int(w, 1);
    off_at = aw_entry(w, &e);
    aw_patch_off(w, off_at, 2, (uint64_t)w->pos);
    aw_byte(w, 3);
    aw_int(w, 9);
    body(w);
}

static void lo_body_endless(aw *w)
{
    /* 5000 complete LOs, then EOF where the OID 0 terminator should be. */
    for (int i = 1; i <= 5000; i++) {
        aw_int(w, 100000 + i);
        aw_int(w, 3);
        aw_bytes(w, "abc", 3);
        aw_int(w, 0);
    }
}

static void lo_body_huge_chunk(aw *w)
{
    aw_int(w, 100001);
    aw_int(w, 0x7fffffff);
    aw_bytes(w, "abcdefgh", 8);
}

static void lo_body_negative_chunk(aw *w)
{
    aw_int(w, 100001);
    aw_int(w, -5);
    aw_bytes(w, "abcdefgh", 8);
}

static void lo_body_ok(aw *w)
{
    aw_int(w, 100001);
    aw_int(w, 3);
    aw_bytes(w, "abc", 3);
    aw_int(w, 0);
    aw_int(w, 100002);
    aw_int(w, 0); /* an empty LO: zero chunks */
    aw_int(w, 0); /* end of the OID list */
}

START_TEST(test_lo_baseline)
{
    aw w;
    outcome o;

    aw_open(&w);
    build_blobs(&w, lo_body_ok);
    o = run_aw(&w, NULL);
    ck_assert_msg(o.open_rc == DF_OK && o.data_rc == DF_OK, "%s", o.err.message);
    ck_assert_int_eq(o.los, 2);
}
END_TEST

START_TEST(test_lo_list_without_end)
{
    aw w;
    outcome o;

    aw_open(&w);
    build_blobs(&w, lo_body_endless);
    o = run_aw(&w, NULL);
    ASSERT_DATA_FAILS(o, DF_E_TRUNCATED, DF_E_TRUNCATED);
    ck_assert_int_eq(o.los, 5000);
}
END_TEST

START_TEST(test_lo_huge_chunk)
{
    aw w;
    outcome o;
    df_limits lim;

    aw_open(&w);
    build_blobs(&w, lo_body_huge_chunk);
    o = run_aw(&w, NULL);
    ASSERT_DATA_FAILS(o, DF_E_LIMIT, DF_E_TRUNCATED);

    /* Without a chunk limit the chunk must still not be allocated: truncated. */
    df_limits_default(&lim);
    lim.max_chunk = INT64_MAX;
    aw_open(&w);
    build_blobs(&w, lo_body_huge_chunk);
    o = run_aw(&w, &lim);
    ASSERT_DATA_FAILS(o, DF_E_TRUNCATED, DF_E_TRUNCATED);
}
END_TEST

START_TEST(test_lo_negative_chunk)
{
    aw w;
    outcome o;

    aw_open(&w);
    build_blobs(&w, lo_body_negative_chunk);
    o = run_aw(&w, NULL);
    ASSERT_DATA_FAILS(o, DF_E_CORRUPT, DF_E_CORRUPT);
}
END_TEST

START_TEST(test_lo_limit)
{
    aw w;
    outcome o;
    df_limits lim;

    df_limits_default(&lim);
    lim.max_los = 100;
    aw_open(&w);
    build_blobs(&w, lo_body_endless);
    o = run_aw(&w, &lim);
    ASSERT_DATA_FAILS(o, DF_E_LIMIT, DF_E_LIMIT);
    ck_assert_int_le(o.los, 101);
}
END_TEST

START_TEST(test_data_negative_chunk)
{
    aw w;
    outcome o;
    int64_t off_at;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    off_at = aw_table_data_entry(&w, 2, 2, NULL);
    aw_patch_off(&w, off_at, 2, (uint64_t)w.pos);
    aw_byte(&w, 1);
    aw_int(&w, 2);
    aw_int(&w, -1);
    aw_bytes(&w, "xxxxxxxx", 8);
    o = run_aw(&w, NULL);
    ASSERT_DATA_FAILS(o, DF_E_CORRUPT, DF_E_CORRUPT);
}
END_TEST

START_TEST(test_many_tiny_chunks)
{
    /* 200,000 one-byte chunks then EOF before the terminator: truncated, in time. */
    aw w;
    outcome o;
    int64_t off_at;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    off_at = aw_table_data_entry(&w, 2, 2, NULL);
    aw_patch_off(&w, off_at, 2, (uint64_t)w.pos);
    aw_byte(&w, 1);
    aw_int(&w, 2);
    for (int i = 0; i < 200000; i++) {
        aw_int(&w, 1);
        aw_byte(&w, 'a');
    }
    o = run_aw(&w, NULL);
    ASSERT_DATA_FAILS(o, DF_E_TRUNCATED, DF_E_TRUNCATED);
}
END_TEST

START_TEST(test_bad_dump_ids)
{
    const int64_t ids[] = {0, -1, -7, (int64_t)INT32_MIN + 1};
    aw w;
    outcome o;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    {
        ent_opts e = {ids[_i],         0,    "x", "COMMENT", "COMMENT ON x;", NULL, NULL,
                      DF_SECTION_NONE, NULL, 3,   NULL};
        aw_entry(&w, &e);
    }
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_CORRUPT, DF_E_CORRUPT);
    ck_assert_int_eq(o.err.offset, 82); /* the entry's first byte, after the 5-byte count */
}
END_TEST

START_TEST(test_block_mismatch)
{
    /* The block at the SET offset names another dump id. */
    aw w;
    outcome o;
    int64_t off_at, block;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    off_at = aw_table_data_entry(&w, 2, 2, NULL);
    block = w.pos;
    aw_patch_off(&w, off_at, 2, (uint64_t)block);
    aw_data_block(&w, 99);
    o = run_aw(&w, NULL);
    ASSERT_DATA_FAILS(o, DF_E_CORRUPT, DF_E_CORRUPT);
    ck_assert_int_ge(o.err.offset, block);
    ck_assert_int_le(o.err.offset, block + 6);
}
END_TEST

START_TEST(test_bad_set_offset)
{
    /* 0: the magic; 40: inside the header; 77: inside the TOC; far: past EOF. */
    const uint64_t offs[] = {0, 40, 77, 1u << 30, (uint64_t)INT64_MAX};
    aw w;
    outcome o;
    int64_t off_at;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    off_at = aw_table_data_entry(&w, 2, 2, NULL);
    aw_patch_off(&w, off_at, 2, offs[_i]);
    aw_data_block(&w, 2);
    o = run_aw(&w, NULL);
    ck_assert_msg(failure(&o) == DF_E_CORRUPT || failure(&o) == DF_E_TRUNCATED,
                  "offset %llu: %s (%s)", (unsigned long long)offs[_i], df_strstatus(failure(&o)),
                  o.err.message);
    ck_assert_int_ge(o.err.offset, 0);
}
END_TEST

START_TEST(test_bad_block_type)
{
    aw w;
    outcome o;
    int64_t off_at;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    off_at = aw_table_data_entry(&w, 2, 2, NULL);
    aw_patch_off(&w, off_at, 2, (uint64_t)w.pos);
    aw_byte(&w, 2);
    aw_int(&w, 2);
    aw_int(&w, 0);
    o = run_aw(&w, NULL);
    ASSERT_DATA_FAILS(o, DF_E_CORRUPT, DF_E_CORRUPT);
}
END_TEST

START_TEST(test_not_set_scan_unknown_block)
{
    /* No offsets: the scan meets a block of an unknown id whose chunk runs past EOF. */
    aw w;
    outcome o;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    aw_table_data_entry(&w, 2, 1, NULL);
    aw_byte(&w, 1);
    aw_int(&w, 77);
    aw_int(&w, 1000000);
    aw_bytes(&w, "abc", 3);
    o = run_aw(&w, NULL);
    ASSERT_DATA_FAILS(o, DF_E_TRUNCATED, DF_E_TRUNCATED);
}
END_TEST

/*
 * Issue 10: only a plausible newer archive (1.17 to 1.25, sane integer and
 * offset sizes) is DF_E_VERSION (the tools' UNKNOWN); a version no pg_dump
 * writes, or impossible sizes, is a damaged header (DF_E_CORRUPT).
 */
START_TEST(test_versions)
{
    const int v[][6] = {
        {1, 99, 0, 4, 8, DF_E_CORRUPT},      {1, 17, 0, 4, 8, DF_E_VERSION},
        {2, 0, 0, 4, 8, DF_E_CORRUPT},       {0, 9, 0, 4, 8, DF_E_CORRUPT},
        {255, 255, 255, 4, 8, DF_E_CORRUPT}, {1, 25, 0, 4, 8, DF_E_VERSION},
        {1, 26, 0, 4, 8, DF_E_CORRUPT},      {1, 17, 0, 1, 8, DF_E_CORRUPT},
        {1, 20, 0, 4, 2, DF_E_CORRUPT},      {1, 18, 0, 9, 8, DF_E_CORRUPT},
    };
    aw w;
    outcome o;
    hdr_opts h = HDR_OK;

    h.vmaj = v[_i][0];
    h.vmin = v[_i][1];
    h.vrev = v[_i][2];
    h.int_size = v[_i][3];
    h.off_size = v[_i][4];
    aw_open(&w);
    build_baseline(&w, &h);
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, v[_i][5], v[_i][5]);
}
END_TEST

START_TEST(test_format_byte)
{
    const int fb[] = {7, 0, 2, 5, 255};
    aw w;
    outcome o;
    hdr_opts h = HDR_OK;

    h.format_byte = fb[_i];
    aw_open(&w);
    build_baseline(&w, &h);
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_FORMAT, DF_E_CORRUPT);
}
END_TEST

START_TEST(test_compression_byte)
{
    aw w;
    outcome o;
    hdr_opts h = HDR_OK;

    h.comp = 9;
    aw_open(&w);
    build_baseline(&w, &h);
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_CORRUPT, DF_E_UNSUPPORTED);
}
END_TEST

START_TEST(test_gzip_flag_on_raw_data)
{
    /* The header says gzip, the chunks are plain text: not a zlib stream. */
    aw w;
    outcome o;
    hdr_opts h = HDR_OK;

    h.comp = DF_COMPRESS_GZIP;
    aw_open(&w);
    build_baseline(&w, &h);
    o = run_aw(&w, NULL);
    ASSERT_DATA_FAILS(o, DF_E_CORRUPT, DF_E_CORRUPT);
}
END_TEST

START_TEST(test_desc_null)
{
    aw w;
    outcome o;

    aw_open(&w);
    aw_header(&w, &HDR_OK);
    aw_int(&w, 1);
    {
        ent_opts e = {5, 0, "x", NULL, "COMMENT ON x;", NULL, NULL, DF_SECTION_NONE, NULL, 3, NULL};
        aw_entry(&w, &e);
    }
    o = run_aw(&w, NULL);
    ASSERT_OPEN_FAILS(o, DF_E_CORRUPT, DF_E_CORRUPT);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Tar and directory                                                   */
/* ------------------------------------------------------------------ */

/* A ustar header as pg_dump writes it (spec §7.2); `size` is the raw 12-byte field. */
static void tar_header(uint8_t h[512], const char *name, const char size[12])
{
    unsigned sum = 0;

    memset(h, 0, 512);
    snprintf((char *)h, 100, "%s", name);
    memcpy(h + 100, "0000600 ", 8);
    memcpy(h + 108, "0004000 ", 8);
    memcpy(h + 116, "0002000 ", 8);
    memcpy(h + 124, size, 12);
    memcpy(h + 136, "15000000000 ", 12);
    h[156] = '0';
    memcpy(h + 257, "ustar", 6);
    memcpy(h + 263, "00", 2);
    memcpy(h + 265, "postgres", 8);
    memcpy(h + 297, "postgres", 8);
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    h[155] = ' ';
}

/* toc.dat bytes of a one-TABLE-DATA archive (format byte 3, filename extra). */
static char *tar_toc(size_t *len)
{
    aw w;
    hdr_opts h = HDR_OK;
    char *bytes;

    h.format_byte = 3;
    aw_open(&w);
    aw_header(&w, &h);
    aw_int(&w, 1);
    aw_table_data_entry(&w, 2, 0, "2.dat");
    aw_close(&w);
    bytes = dft_read_file(w.path, len);
    unlink(w.path);
    return bytes;
}

static void put_member(FILE *f, const char *name, const void *data, size_t len,
                       const char *size_override)
{
    uint8_t h[512], pad[512] = {0};
    char size[13];

    snprintf(size, sizeof size, "%011zo ", len);
    tar_header(h, name, size_override ? size_override : size);
    (void)0;
    fwrite(h, 1, 512, f);
    fwrite(data, 1, len, f);
    fwrite(pad, 1, (512 - len % 512) % 512, f);
}

/* A tar archive; the data member's size field is `data_size` when given. */
static char *build_tar(const char *data_size, int bad_checksum)
{
    static char path[64];
    size_t tlen;
    char *toc = tar_toc(&tlen);
    int fd;
    FILE *f;
    uint8_t zero[1024] = {0};
    char data[64];

    snprintf(path, sizeof path, "/tmp/check_hostile_tar.XXXXXX");
    fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    f = fdopen(fd, "wb");
    put_member(f, "toc.dat", toc, tlen, NULL);
    snprintf(data, sizeof data, "%s%s", COPY_ROW, COPY_END);
    if (bad_checksum) {
        uint8_t h[512];
        char size[13];
        snprintf(size, sizeof size, "%011zo ", strlen(data));
        tar_header(h, "2.dat", size);
        h[0] = '3'; /* name changed after the checksum was computed */
        fwrite(h, 1, 512, f);
        fwrite(data, 1, strlen(data), f);
        fwrite(zero, 1, 512 - strlen(data), f);
    } else {
        put_member(f, "2.dat", data, strlen(data), data_size);
    }
    put_member(f, "restore.sql", "--\n", 3, NULL);
    fwrite(zero, 1, 1024, f);
    fclose(f);
    free(toc);
    return path;
}

START_TEST(test_tar_baseline)
{
    char *path = build_tar(NULL, 0);
    outcome o = run_path(path, NULL);

    unlink(path);
    ck_assert_msg(o.open_rc == DF_OK && o.data_rc == DF_OK, "%s", o.err.message);
    ck_assert_int_eq(o.rows, 1);
}
END_TEST

START_TEST(test_tar_hostile_member)
{
    /* A member claiming 8 GiB (octal 77777777777), a base-256 size of 2^62, a bad checksum. */
    const char *sizes[] = {"77777777777 ", "\x80\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00",
                           NULL};
    char *path = build_tar(sizes[_i], sizes[_i] == NULL);
    outcome o = run_path(path, NULL);

    unlink(path);
    ck_assert_msg(failure(&o) == DF_E_TRUNCATED || failure(&o) == DF_E_CORRUPT ||
                      failure(&o) == DF_E_NOTFOUND,
                  "case %d: %s (%s)", _i, df_strstatus(failure(&o)), o.err.message);
    ck_assert_msg(o.cpu < MAX_CPU_SECONDS, "took %.3f s", o.cpu);
}
END_TEST

/* A directory archive: toc.dat naming `filename`, and the files given. */
static char *build_dir(const char *filename, const char *blobs_toc)
{
    char *dir = strdup("/tmp/check_hostile_dir.XXXXXX");
    char p[256];
    aw w;
    hdr_opts h = HDR_OK;
    int64_t n;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    h.format_byte = 3;
    aw_open(&w);
    aw_header(&w, &h);
    aw_int(&w, blobs_toc ? 2 : 1);
    aw_table_data_entry(&w, 2, 0, filename);
    if (blobs_toc) {
        ent_opts e = {9,    1, "BLOBS",      "BLOBS", NULL, NULL, NULL, DF_SECTION_DATA,
                      NULL, 0, "blobs_9.toc"};
        aw_entry(&w, &e);
    }
    aw_close(&w);
    snprintf(p, sizeof p, "%s/toc.dat", dir);
    ck_assert_int_eq(rename(w.path, p), 0);
    snprintf(p, sizeof p, "%s/2.dat", dir);
    n = dft_write_file(p, "1\tab\n\\.\n\n\n", 10);
    ck_assert_int_eq(n, 0);
    if (blobs_toc) {
        snprintf(p, sizeof p, "%s/blobs_9.toc", dir);
        ck_assert_int_eq(dft_write_file(p, blobs_toc, strlen(blobs_toc)), 0);
        snprintf(p, sizeof p, "%s/blob_100001.dat", dir);
        ck_assert_int_eq(dft_write_file(p, "abc", 3), 0);
    }
    return dir;
}

START_TEST(test_dir_baseline)
{
    char *dir = build_dir("2.dat", "100001 blob_100001.dat\n");
    outcome o = run_path(dir, NULL);

    dft_remove_dir(dir);
    free(dir);
    ck_assert_msg(o.open_rc == DF_OK && o.data_rc == DF_OK, "%s", o.err.message);
    ck_assert_int_eq(o.rows, 1);
    ck_assert_int_eq(o.los, 1);
}
END_TEST

START_TEST(test_dir_lo_list)
{
    /* A LO list line that never ends, a garbage line, an OID 0, a path outside. */
    static char long_line[10000];
    const char *lists[] = {long_line, "hello world\n", "0 blob_0.dat\n",
                           "100001 ../../../etc/passwd\n"};
    char *dir;
    outcome o;

    memset(long_line, '1', sizeof long_line - 1);
    dir = build_dir("2.dat", lists[_i]);
    o = run_path(dir, NULL);
    dft_remove_dir(dir);
    free(dir);
    ck_assert_msg(failure(&o) == DF_E_LIMIT || failure(&o) == DF_E_CORRUPT ||
                      failure(&o) == DF_E_NOTFOUND,
                  "list %d: %s (%s)", _i, df_strstatus(failure(&o)), o.err.message);
    ck_assert_msg(o.cpu < MAX_CPU_SECONDS, "took %.3f s", o.cpu);
}
END_TEST

START_TEST(test_dir_filename_outside)
{
    /* toc.dat may not make the reader open files outside the archive directory. */
    char name[128];
    char *dir = build_dir("2.dat", NULL), *probe;
    outcome o;

    /* "../<this directory>/2.dat" names a file that exists, but through "..". */
    if (_i == 0) {
        snprintf(name, sizeof name, "../%s/2.dat", strrchr(dir, '/') + 1);
    } else {
        snprintf(name, sizeof name, "/etc/passwd");
    }
    probe = build_dir(name, NULL);
    o = run_path(probe, NULL);
    dft_remove_dir(probe);
    free(probe);

    dft_remove_dir(dir);
    free(dir);
    ck_assert_msg(failure(&o) == DF_E_CORRUPT || failure(&o) == DF_E_NOTFOUND,
                  "filename \"%s\": %s (%s)", name, df_strstatus(failure(&o)), o.err.message);
}
END_TEST

/* ------------------------------------------------------------------ */

START_TEST(test_no_state_between_readers)
{
    /* A reader that failed on a hostile file leaves nothing behind for the next one. */
    aw w;
    outcome o;
    hdr_opts h = HDR_OK;

    h.int_size = 255;
    aw_open(&w);
    build_baseline(&w, &h);
    o = run_aw(&w, NULL);
    ck_assert_int_lt(o.open_rc, 0);
    aw_open(&w);
    build_baseline(&w, &HDR_OK);
    o = run_aw(&w, NULL);
    ck_assert_int_eq(failure(&o), DF_OK);
}
END_TEST

static Suite *hostile_suite(void)
{
    Suite *s = suite_create("hostile");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_baseline);
    tcase_add_loop_test(tc, test_int_size, 0, 3);
    tcase_add_loop_test(tc, test_off_size, 0, 3);
    tcase_add_test(tc, test_off_size_9_high_byte);
    tcase_add_test(tc, test_negative_string_is_null);
    tcase_add_test(tc, test_string_2_40_int8);
    tcase_add_test(tc, test_string_declared_60mb);
    tcase_add_test(tc, test_string_declared_60mb_pipe);
    tcase_add_test(tc, test_toc_count_2_31);
    tcase_add_test(tc, test_toc_count_limit);
    tcase_add_test(tc, test_deps_without_end);
    tcase_add_test(tc, test_deps_two_million);
    tcase_add_test(tc, test_deps_limit_exact);
    tcase_add_test(tc, test_deps_not_a_number);
    tcase_add_test(tc, test_max_toc_bytes);
    tcase_add_test(tc, test_lo_baseline);
    tcase_add_test(tc, test_lo_list_without_end);
    tcase_add_test(tc, test_lo_huge_chunk);
    tcase_add_test(tc, test_lo_negative_chunk);
    tcase_add_test(tc, test_lo_limit);
    tcase_add_test(tc, test_data_negative_chunk);
    tcase_add_test(tc, test_many_tiny_chunks);
    tcase_add_loop_test(tc, test_bad_dump_ids, 0, 4);
    tcase_add_test(tc, test_block_mismatch);
    tcase_add_loop_test(tc, test_bad_set_offset, 0, 5);
    tcase_add_test(tc, test_bad_block_type);
    tcase_add_test(tc, test_not_set_scan_unknown_block);
    tcase_add_loop_test(tc, test_versions, 0, 10);
    tcase_add_loop_test(tc, test_format_byte, 0, 5);
    tcase_add_test(tc, test_compression_byte);
    tcase_add_test(tc, test_gzip_flag_on_raw_data);
    tcase_add_test(tc, test_desc_null);
    tcase_add_test(tc, test_tar_baseline);
    tcase_add_loop_test(tc, test_tar_hostile_member, 0, 3);
    tcase_add_test(tc, test_dir_baseline);
    tcase_add_loop_test(tc, test_dir_lo_list, 0, 4);
    tcase_add_loop_test(tc, test_dir_filename_outside, 0, 2);
    tcase_add_test(tc, test_no_state_between_readers);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr;
    int failed;

    heap_install();
    if (heap_peak_bytes() < 0)
        printf("check_hostile: not built with AddressSanitizer: heap use is not checked\n");
    sr = srunner_create(hostile_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? 0 : 1;
}
