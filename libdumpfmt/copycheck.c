/*
 * copycheck.c — the COPY text checker behind dumpcheck's full check: fed the
 * decoded bytes of one TABLE DATA stream in pieces of any size, it counts
 * rows and checks each row's column count against the COPY column list,
 * every backslash escape, the "\." terminator and what follows it; INSERT
 * data are counted with df_rowcount.  It also takes the maximum of watched
 * integer columns (the columns a sequence feeds) and hands each row to the
 * value checks, with the tab positions it found on the way (or puts the
 * row off into a job for another thread: dfi_copycheck.defer).  No I/O, no
 * findings: the verifier turns its counters into findings (verify_stream.c:
 * vfy_copy_findings).
 *
 * Why a hand-rolled scanner: a COPY stream can be most of a dump, so the
 * hot loop looks at 64 bytes at a time (SSE2, or a portable bit trick).
 */
#include "copycheck.h"
#include "sqlident.h"
#include "valuecheck.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif
/* An AVX2 row scanner beside the portable one, for x86-64 compilers that take target attributes. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define DFI_SCAN_AVX2 1
#include <immintrin.h>
#else
#define DFI_SCAN_AVX2 0
#endif

void dfi_free_names(char **names, int n)
{
    if (names == NULL)
        return;
    for (int i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

int dfi_copy_columns(const char *stmt, char ***names)
{
    char parts[DFI_MAX_PARTS][DFI_IDENT];
    char col[DFI_IDENT];
    const char *s;
    char **v = NULL;
    int n = 0;

    if (names)
        *names = NULL;
    if (stmt == NULL || strncmp(stmt, "COPY ", 5) != 0)
        return -1;
    s = dfi_sql_skip_space(stmt + 5);
    if (dfi_sql_qualified(&s, parts) == 0)
        return -1;
    /* pg_dump writes "COPY t  FROM stdin;" (two spaces) for a table without columns. */
    if (strncmp(s, "  FROM ", 7) == 0)
        return 0;
    s = dfi_sql_skip_space(s);
    if (*s != '(')
        return -1;
    s = dfi_sql_skip_space(s + 1);
    for (;;) {
        if (!dfi_sql_ident(&s, col, sizeof col))
            goto bad;
        if (names) {
            char **nv = realloc(v, (size_t)(n + 1) * sizeof *nv);
            if (nv == NULL || (nv[n] = strdup(col)) == NULL) {
                v = nv ? nv : v;
                goto bad;
            }
            v = nv;
        }
        n++;
        s = dfi_sql_skip_space(s);
        if (*s == ')')
            break;
        if (*s != ',')
            goto bad;
        s = dfi_sql_skip_space(s + 1);
    }
    s = dfi_sql_skip_space(s + 1);
    /* 8.x dumps of tables WITH OIDS carry the oid as an extra first column. */
    if (strncmp(s, "WITH OIDS", 9) == 0)
        n++;
    if (names)
        *names = v;
    return n;
bad:
    dfi_free_names(v, n);
    return -1;
}

/* ================================================================== */
/* The COPY text checker                                               */
/* ================================================================== */

int dfi_copycheck_init(dfi_copycheck *cp, int mode, int ncols, dfi_watch *w, size_t nw)
{
    memset(cp, 0, sizeof *cp);
    cp->mode = mode;
    cp->ncols = ncols;
    cp->in_command = mode == DF_ROWS_COPY_WITH_COMMAND;
    cp->last_nonspace = -1;
    cp->w = w;
    cp->nw = nw;
    cp->maxcol = -1;
    cp->avx2 = dfi_copyscan_avx2();
    for (size_t i = 0; i < nw; i++) {
        w[i].stmt_col = w[i].col;
        if (w[i].col > cp->maxcol)
            cp->maxcol = w[i].col;
    }
    if (mode == DF_ROWS_INSERT) {
        cp->ins = df_rowcount_new(DF_ROWS_INSERT);
        if (cp->ins == NULL)
            return DF_E_NOMEM;
    }
    return DF_OK;
}

void dfi_copycheck_free(dfi_copycheck *cp)
{
    df_rowcount_free(cp->ins);
    cp->ins = NULL;
}

/* What COPY TO writes after a backslash (PostgreSQL's COPY text format). */
static bool valid_escape(uint8_t c)
{
    switch (c) {
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
    case 'v':
    case '\\':
    case 'N':
    case '.':
    case 'x': return true;
    default: return c >= '0' && c <= '7';
    }
}

static void note_escape(dfi_copycheck *cp, int c, int64_t at)
{
    if (c >= 0 && valid_escape((uint8_t)c))
        return;
    if (cp->bad_esc++ == 0) {
        cp->bad_esc_row = cp->rows + 1;
        cp->bad_esc_pos = at;
        cp->bad_esc_char = c;
    }
}

/* An integer field of a watched column: digits with an optional sign; \N and text are skipped. */
/*
 * A value that is not an integer: a column a plain script's one pass
 * watches on speculation (DFI_WATCH_PRUNE) is no sequence's and is dropped;
 * NULL (\N) says nothing.
 */
static void watch_not_int(dfi_watch *w, const char *f, size_t len)
{
    if (w->seq == DFI_WATCH_PRUNE && !(len == 2 && f[0] == '\\' && f[1] == 'N'))
        w->col = -1;
}

static void watch_value(dfi_watch *w, const char *f, size_t len)
{
    uint64_t v = 0;
    bool neg = false;
    size_t i = 0;
    int64_t val;

    if (len > 0 && (f[0] == '-' || f[0] == '+')) {
        neg = f[0] == '-';
        i = 1;
    }
    if (i == len || len - i > 19) {
        watch_not_int(w, f, len);
        return;
    }
    for (; i < len; i++) {
        if (f[i] < '0' || f[i] > '9') {
            watch_not_int(w, f, len);
            return;
        }
        v = v * 10 + (uint64_t)(f[i] - '0');
    }
    if (v > (uint64_t)INT64_MAX)
        return;
    val = neg ? -(int64_t)v : (int64_t)v;
    if (!w->have || val > w->max)
        w->max = val;
    w->have = true;
}

/*
 * Find each watched column of one row and take its value.  `whole` is false
 * when only a prefix of a very long row was kept: a field is then only used
 * when a tab ends it inside the prefix.
 */
static void watch_row(dfi_copycheck *cp, const char *line, size_t len, bool whole)
{
    const char *p = line, *end = line + len;
    int col = 0;

    while (col <= cp->maxcol && p <= end) {
        const char *tab = memchr(p, '\t', (size_t)(end - p));
        const char *fe = tab ? tab : end;

        for (size_t i = 0; i < cp->nw && (tab != NULL || whole); i++)
            if (cp->w[i].col == col)
                watch_value(&cp->w[i], p, (size_t)(fe - p));
        if (tab == NULL)
            break;
        p = tab + 1;
        col++;
    }
}

static void carry_add(dfi_copycheck *cp, const uint8_t *p, size_t n)
{
    size_t room = sizeof cp->carry - cp->carry_n;

    if (n > room) {
        n = room;
        cp->carry_cut = true;
    }
    memcpy(cp->carry + cp->carry_n, p, n);
    cp->carry_n += n;
}

/*
 * The value checks of the line ending at piece index i (len bytes): now, or put off to the
 * job that the checker thread's pieces collect (defer).  A line with the wrong number of
 * fields is not checked (the row count finding says it); one carried over from the pieces
 * before is always passed on, to end what was kept of it.
 */
static inline void line_values(dfi_copycheck *cp, const uint8_t *p, size_t i, int64_t base,
                               int64_t len)
{
    bool skip = cp->tabs != cp->ncols - 1;
    size_t start;

    if (cp->line_start < base) {
        dfi_vcheck_line(cp->vc, p, i, true, cp->rows, cp->line_start, skip, NULL);
        return;
    }
    if (skip)
        return;
    start = (size_t)(cp->line_start - base);
    if (cp->rec) {
        dfi_vsplit split = {cp->rec_tab, cp->rec_n, cp->rec_high, cp->rec_bs};

        if (cp->defer == NULL || !dfi_vjob_add(cp->defer, start, (size_t)len, cp->rows, &split))
            dfi_vcheck_line(cp->vc, p + start, (size_t)len, false, cp->rows, cp->line_start,
                            false, &split);
    } else if (cp->defer == NULL ||
               !dfi_vjob_add(cp->defer, start, (size_t)len, cp->rows, NULL)) {
        dfi_vcheck_line(cp->vc, p + start, (size_t)len, false, cp->rows, cp->line_start, false,
                        NULL);
    }
}

/* A newline at piece index `i` (absolute offset `at`) ends the current line. */
static void end_line(dfi_copycheck *cp, const uint8_t *p, size_t i, int64_t base)
{
    int64_t at = base + (int64_t)i;
    int64_t len = at - cp->line_start;

    /* "\." alone, or "\.\r" of a CR LF script (psql takes both) */
    if (cp->dot_line && (len == 2 || (len == 3 && (i > 0 ? p[i - 1] : cp->last_byte) == '\r'))) {
        cp->terminated = true;
        return;
    }
    cp->rows++;
    if ((cp->ncols > 0 && cp->tabs != cp->ncols - 1) || (cp->ncols == 0 && len != 0)) {
        if (cp->bad_rows++ == 0) {
            cp->bad_row_no = cp->rows;
            cp->bad_row_cols = cp->tabs + 1;
            cp->bad_row_pos = cp->line_start;
        }
    }
    if (cp->vc != NULL)
        line_values(cp, p, i, base, len);
    cp->rec_n = 0;
    cp->rec_high = cp->rec_bs = false;
    if (cp->nw > 0) {
        if (cp->line_start >= base) {
            watch_row(cp, (const char *)p + (cp->line_start - base), (size_t)len, true);
        } else {
            carry_add(cp, p, i);
            watch_row(cp, cp->carry, cp->carry_n, !cp->carry_cut);
        }
        cp->carry_n = 0;
        cp->carry_cut = false;
    }
    cp->line_start = at + 1;
    cp->tabs = 0;
    cp->dot_line = false;
}

/* A backslash at piece index i: check the escaped byte (maybe in the next piece). */
static size_t on_backslash(dfi_copycheck *cp, const uint8_t *p, size_t n, size_t i, int64_t base)
{
    bool at_start = base + (int64_t)i == cp->line_start;

    if (i + 1 >= n) {
        cp->esc_pending = true;
        cp->esc_at_start = at_start;
        return n;
    }
    note_escape(cp, p[i + 1] == '\n' ? -1 : p[i + 1], base + (int64_t)i);
    if (at_start && p[i + 1] == '.')
        cp->dot_line = true;
    if (cp->rec) { /* the value checks split at an escaped tab too */
        cp->rec_bs = true;
        cp->rec_high = cp->rec_high || p[i + 1] >= 0x80;
        if (p[i + 1] == '\t' && cp->rec_n < cp->rec_max)
            cp->rec_tab[cp->rec_n++] = (size_t)(base + (int64_t)i + 1 - cp->line_start);
    }
    /* The escaped byte is data: not a delimiter, not a line end (as COPY FROM reads it). */
    return i + 2;
}

#ifdef __SSE2__
/*
 * Bit masks, for the 64 bytes at p, of the bytes that stop the scan (newline, backslash), of
 * tabs and of bytes >= 0x80.  Unrolled by hand (GCC -O2 kept a loop with variable shifts), the
 * two stop bytes in one mask: with a mask each, GCC spilled one half of a mask to the stack and
 * read it back wider, a store-forwarding stall that was a quarter of the scan's time.
 */
static inline void masks64(const uint8_t *p, uint64_t *ev, uint64_t *tab, uint64_t *hi)
{
    const __m128i vn = _mm_set1_epi8('\n'), vb = _mm_set1_epi8('\\'), vt = _mm_set1_epi8('\t');
    const __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)p);
    const __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(p + 16));
    const __m128i x2 = _mm_loadu_si128((const __m128i *)(const void *)(p + 32));
    const __m128i x3 = _mm_loadu_si128((const __m128i *)(const void *)(p + 48));

#define M16(x) ((uint64_t)(uint16_t)_mm_movemask_epi8(x))
#define STOP(x) _mm_or_si128(_mm_cmpeq_epi8(x, vn), _mm_cmpeq_epi8(x, vb))
    *ev = M16(STOP(x0)) | M16(STOP(x1)) << 16 | M16(STOP(x2)) << 32 | M16(STOP(x3)) << 48;
    *tab = M16(_mm_cmpeq_epi8(x0, vt)) | M16(_mm_cmpeq_epi8(x1, vt)) << 16 |
           M16(_mm_cmpeq_epi8(x2, vt)) << 32 | M16(_mm_cmpeq_epi8(x3, vt)) << 48;
    *hi = M16(x0) | M16(x1) << 16 | M16(x2) << 32 | M16(x3) << 48;
#undef STOP
#undef M16
}
#else
/* Portable twin: one bit per byte equal to c, from 8-byte words. */
static inline uint64_t eq_mask8(uint64_t w, uint8_t c)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL;
    uint64_t x = w ^ (0x0101010101010101ULL * c);
    uint64_t t = ~(((x & lo7) + lo7) | x | lo7); /* 0x80 in each zero byte, exactly */
    uint64_t m = 0;

    for (int k = 0; k < 8; k++)
        m |= ((t >> (8 * k + 7)) & 1) << k;
    return m;
}

static inline void masks64(const uint8_t *p, uint64_t *ev, uint64_t *tab, uint64_t *hi)
{
    uint64_t a = 0, c = 0, h = 0;

    for (int k = 0; k < 8; k++) {
        uint64_t w;
        memcpy(&w, p + 8 * k, 8);
        a |= (eq_mask8(w, '\n') | eq_mask8(w, '\\')) << (8 * k);
        c |= eq_mask8(w, '\t') << (8 * k);
        for (int i = 0; i < 8; i++)
            h |= ((w >> (8 * i + 7)) & 1) << (8 * k + i);
    }
    *ev = a;
    *tab = c;
    *hi = h;
}
#endif

/*
 * Set bits of a mask.  Without -mpopcnt GCC calls a libgcc routine for
 * __builtin_popcountll, which shows in profiles of the row scanner.
 */
static inline int bits64(uint64_t x)
{
#ifdef __POPCNT__
    return __builtin_popcountll(x);
#else
    x = x - ((x >> 1) & 0x5555555555555555ULL);
    x = (x & 0x3333333333333333ULL) + ((x >> 2) & 0x3333333333333333ULL);
    x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
    return (int)((x * 0x0101010101010101ULL) >> 56);
#endif
}

/* Tabs (bit k: absolute offset at + k) and high bytes of the current line, for the value checks. */
static inline void rec_block(dfi_copycheck *cp, uint64_t tab, bool high, int64_t at)
{
    size_t *out, *end, rel;

    cp->rec_high = cp->rec_high || high;
    if (tab == 0)
        return;
    /* cursor and bound in registers: through cp, each tab reloaded and stored them */
    out = cp->rec_tab + cp->rec_n;
    end = cp->rec_tab + cp->rec_max;
    rel = (size_t)(at - cp->line_start);
    for (; tab != 0 && out < end; tab &= tab - 1)
        *out++ = rel + (size_t)__builtin_ctzll(tab);
    cp->rec_n = (int)(out - cp->rec_tab);
}

#define SCAN_NAME scan_rows_base
#define SCAN_MASKS masks64
#define SCAN_BITS bits64
#define SCAN_ATTR
#include "copyscan.h"

#if DFI_SCAN_AVX2
/*
 * masks64 with AVX2: 32 bytes per compare, and the scanner built with POPCNT (bits64 is a
 * dozen instructions without it).  Chosen at run time (dfi_copycheck_init) when the CPU has
 * both; the portable scanner stays, and check_verifypar holds the two to the same results.
 */
__attribute__((target("avx2,popcnt"))) static inline void
masks64_avx2(const uint8_t *p, uint64_t *ev, uint64_t *tab, uint64_t *hi)
{
    const __m256i vn = _mm256_set1_epi8('\n'), vb = _mm256_set1_epi8('\\');
    const __m256i vt = _mm256_set1_epi8('\t');
    const __m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
    const __m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));

#define M32(x) ((uint64_t)(uint32_t)_mm256_movemask_epi8(x))
#define STOP(x) _mm256_or_si256(_mm256_cmpeq_epi8(x, vn), _mm256_cmpeq_epi8(x, vb))
    *ev = M32(STOP(x0)) | M32(STOP(x1)) << 32;
    *tab = M32(_mm256_cmpeq_epi8(x0, vt)) | M32(_mm256_cmpeq_epi8(x1, vt)) << 32;
    *hi = M32(x0) | M32(x1) << 32;
#undef STOP
#undef M32
}

#define SCAN_NAME scan_rows_avx2
#define SCAN_MASKS masks64_avx2
#define SCAN_BITS __builtin_popcountll
#define SCAN_ATTR __attribute__((target("avx2,popcnt")))
#include "copyscan.h"

bool dfi_copyscan_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}
#else
bool dfi_copyscan_avx2(void)
{
    return false;
}
#endif

/*
 * Rows of COPY text from piece index i until the terminator line or the
 * end of the piece.  The hot loop looks at 64 bytes at a time: tabs are
 * counted with one popcount, and only newlines and backslashes stop it.
 */
static size_t scan_rows(dfi_copycheck *cp, const uint8_t *p, size_t n, size_t i, int64_t base)
{
#if DFI_SCAN_AVX2
    if (cp->avx2)
        return scan_rows_avx2(cp, p, n, i, base);
#endif
    return scan_rows_base(cp, p, n, i, base);
}

/* After "\." pg_dump writes only newlines. */
static void after_terminator(dfi_copycheck *cp, const uint8_t *p, size_t n, int64_t at)
{
    if (cp->after_bytes > 0) {
        cp->after_bytes += (int64_t)n;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\n' || p[i] == '\r') /* CR: the line ends of a CR LF script */
            continue;
        if (cp->after_bytes == 0)
            cp->after_pos = at + (int64_t)i;
        cp->after_bytes += (int64_t)(n - i);
        return;
    }
}

/* DF_ROWS_COPY_WITH_COMMAND: collect the leading COPY line; returns bytes used. */
static size_t command_line(dfi_copycheck *cp, const uint8_t *p, size_t n)
{
    const uint8_t *nl = memchr(p, '\n', n);
    size_t take = nl ? (size_t)(nl - p) : n;
    size_t room = sizeof cp->cmd - 1 - cp->cmd_n;

    memcpy(cp->cmd + cp->cmd_n, p, take < room ? take : room);
    cp->cmd_n += take < room ? take : room;
    if (nl == NULL)
        return n;
    cp->cmd[cp->cmd_n] = '\0';
    cp->in_command = false;
    cp->ncols = dfi_copy_columns(cp->cmd, NULL);
    return take + 1;
}

/* --- watched columns in INSERT statements --------------------------- */

enum { IS_NORMAL = 0, IS_STRING, IS_ESTRING, IS_IDENT, IS_COMMENT };

static bool word_char(int c)
{
    return isalnum(c) || c == '_' || c == '$';
}

/* A field of a VALUES row ended: take its value for the watched columns at that position. */
static void ins_field_end(dfi_copycheck *cp)
{
    dfi_insscan *s = &cp->is;

    for (size_t i = 0; i < cp->nw && !s->field_bad; i++)
        if (cp->w[i].stmt_col == s->col)
            watch_value(&cp->w[i], s->fld, s->fld_len);
    s->fld_len = 0;
    s->field_bad = false;
}

/* A name of the statement's column list ended: is it a watched column? */
static void ins_name_end(dfi_copycheck *cp)
{
    dfi_insscan *s = &cp->is;

    s->name[s->name_len] = '\0';
    for (size_t i = 0; i < cp->nw; i++)
        if (cp->w[i].name != NULL && strcmp(cp->w[i].name, s->name) == 0)
            cp->w[i].stmt_col = s->ncol_names;
    s->ncol_names++;
    s->name_len = 0;
}

static void ins_word_end(dfi_copycheck *cp)
{
    dfi_insscan *s = &cp->is;

    if (s->word_len == 6 && s->depth == 0 && strncasecmp(s->word, "values", 6) == 0)
        s->after_values = true;
    if (s->word_len == 6 && s->depth == 0 && strncasecmp(s->word, "insert", 6) == 0) {
        s->after_values = false; /* a new statement: columns in table order until a list */
        s->ncol_names = 0;
        for (size_t i = 0; i < cp->nw; i++)
            cp->w[i].stmt_col = cp->w[i].col;
    }
    s->word_len = 0;
}

static void ins_punct(dfi_copycheck *cp, int c)
{
    dfi_insscan *s = &cp->is;
    bool row = s->depth == 1 && s->after_values;

    switch (c) {
    case '(':
        if (++s->depth == 1 && s->after_values) {
            s->col = 0;
            s->fld_len = 0;
            s->field_bad = false;
        } else if (s->depth == 1) {
            s->in_cols = true;
            s->name_len = 0;
        } else if (s->depth == 2 && s->after_values) {
            s->field_bad = true; /* ROW(...), functions: not a plain integer */
        }
        break;
    case ')':
        if (row)
            ins_field_end(cp);
        else if (s->depth == 1 && s->in_cols) {
            if (s->name_len > 0)
                ins_name_end(cp);
            s->in_cols = false;
        }
        if (s->depth > 0)
            s->depth--;
        break;
    case ',':
        if (row) {
            ins_field_end(cp);
            s->col++;
        } else if (s->depth == 1 && s->in_cols && s->name_len > 0) {
            ins_name_end(cp);
        }
        break;
    case ';':
        if (s->depth == 0)
            s->after_values = false;
        break;
    default:
        if (row && !isspace(c)) {
            if (s->fld_len < sizeof s->fld)
                s->fld[s->fld_len++] = (char)c;
            else
                s->field_bad = true;
        }
        break;
    }
}

static void ins_byte(dfi_copycheck *cp, int c, int prev)
{
    dfi_insscan *s = &cp->is;

    switch (s->st) {
    case IS_STRING:
    case IS_ESTRING:
        if (s->pend_bs) {
            s->pend_bs = false;
            return;
        }
        if (s->pend_quote) {
            s->pend_quote = false;
            if (c == '\'')
                return; /* a doubled quote */
            s->st = IS_NORMAL;
            break; /* c is ordinary text again */
        }
        if (c == '\'')
            s->pend_quote = true;
        else if (c == '\\' && s->st == IS_ESTRING)
            s->pend_bs = true;
        return;
    case IS_IDENT:
        if (s->pend_quote) {
            s->pend_quote = false;
            if (c != '"') {
                s->st = IS_NORMAL;
                break;
            }
        } else if (c == '"') {
            s->pend_quote = true;
            return;
        }
        if (s->in_cols && s->depth == 1 && s->name_len + 1 < sizeof s->name)
            s->name[s->name_len++] = (char)c;
        return;
    case IS_COMMENT:
        if (c == '\n')
            s->st = IS_NORMAL;
        return;
    }
    if (word_char(c)) {
        if (s->word_len < sizeof s->word)
            s->word[s->word_len] = (char)c;
        s->word_len++;
        if (s->in_cols && s->depth == 1 && s->name_len + 1 < sizeof s->name)
            s->name[s->name_len++] = (char)c;
        ins_punct(cp, c); /* field text */
        return;
    }
    if (c == '\'') {
        bool e = s->word_len == 1 && (s->word[0] == 'E' || s->word[0] == 'e');
        ins_word_end(cp);
        s->st = e ? IS_ESTRING : IS_STRING;
        s->field_bad = true; /* a quoted value is not a plain integer */
        return;
    }
    ins_word_end(cp);
    if (c == '"')
        s->st = IS_IDENT;
    else if (c == '-' && prev == '-')
        s->st = IS_COMMENT;
    else
        ins_punct(cp, c);
}

static void insert_feed(dfi_copycheck *cp, const uint8_t *p, size_t n)
{
    df_rowcount_feed(cp->ins, p, n);
    cp->rows = df_rowcount_rows(cp->ins);
    if (cp->vc != NULL)
        dfi_vcheck_insert(cp->vc, p, n, cp->pos); /* value checks (valuecheck_insert.c) */
    for (size_t i = 0; i < n && cp->nw > 0; i++)
        ins_byte(cp, p[i], i > 0 ? p[i - 1] : -1);
    for (size_t i = n; i > 0; i--)
        if (!isspace(p[i - 1])) {
            cp->last_nonspace = p[i - 1];
            break;
        }
}

void dfi_copycheck_feed(dfi_copycheck *cp, const uint8_t *p, size_t n)
{
    int64_t base = cp->pos;
    size_t i = 0;

    if (cp->mode == DF_ROWS_INSERT) {
        insert_feed(cp, p, n);
        cp->pos += (int64_t)n;
        return;
    }
    if (cp->defer != NULL) {
        cp->defer->base = base;
        cp->defer->n = 0;
        cp->defer->ntabs = 0;
    }
    cp->rec = cp->vc != NULL && cp->vc->t->ncols <= DFI_REC_TABS;
    cp->rec_max = cp->rec ? cp->vc->t->ncols : 0;
    if (cp->in_command) {
        i = command_line(cp, p, n);
        if (!cp->in_command)
            cp->line_start = base + (int64_t)i;
    }
    if (i < n && !cp->terminated)
        i = scan_rows(cp, p, n, i, base);
    if (cp->terminated && i < n)
        after_terminator(cp, p + i, n - i, base + (int64_t)i);
    else if (cp->nw > 0 && !cp->terminated && !cp->in_command) {
        /* keep the start of a row that goes on in the next piece */
        int64_t from = cp->line_start > base ? cp->line_start - base : 0;
        if ((size_t)from < n)
            carry_add(cp, p + from, n - (size_t)from);
    }
    if (n > 0)
        cp->last_byte = p[n - 1];
    if (cp->vc != NULL && !cp->terminated && !cp->in_command) {
        /* the value checks keep the whole start of a row that goes on */
        int64_t from = cp->line_start > base ? cp->line_start - base : 0;
        if ((size_t)from < n)
            dfi_vcheck_carry(cp->vc, p + from, n - (size_t)from);
    }
    cp->pos = base + (int64_t)n;
}
