/*
 * verify.c — the verifier behind dumpcheck: reads a dump's header and TOC
 * through the reader, then walks every byte of its data area itself and
 * reports findings (stable code, severity, entry, raw offset, message).
 *
 *  - custom: every block's framing (type byte, dump id, chunk chain, LO OID
 *    list, terminators), offsets against where blocks really are, what
 *    follows the last block (nothing, or the TOC copy of spec §5.5);
 *  - tar: every member header (checksum, size against the file), every data
 *    member present, the end-of-archive blocks;
 *  - directory: every data file, LO list and LO file present;
 *  - plain scripts: what the plain reader measured (COPY terminators, the
 *    "dump complete" trailer, psql meta-commands), and the script's last
 *    bytes against the lines pg_dump ends it with;
 *  - full mode (not --quick): every stream decompressed with its integrity
 *    check (Adler-32, CRC-32 + ISIZE, lz4 end mark, complete zstd frame),
 *    nothing after a stream's end, and COPY text checked row by row
 *    (dfi_copycheck); LO sets against their TOC entries; sequences against
 *    the maximum of the column they feed.
 *
 * Why not the reader's data layer: the verifier must see every structure
 * boundary, tell "incomplete" from "missing", report the raw offset of the
 * chunk or member that is damaged, and hand blocks to worker threads that
 * each read their own copy of the file; the reader finds data lazily and
 * stops at the first error.  The framing is small (spec §5.1, §7.2) and is
 * walked here with the library's own buffer, integer and codec primitives.
 *
 * Threads: with opt->threads > 1 and a file that can be reopened, a first
 * structural walk (the quick check) finds every block or member, then
 * workers decompress them, largest first, each with its own source.  Pipes,
 * one thread and uncompressed custom archives are read once, in file order,
 * decoding as the walk goes.  Findings are attached to their entry and
 * merged in TOC order, so the output does not depend on the number of
 * threads.
 */
#include "verify.h"
#include "codec_gzip.h"
#include "internal.h"
#include "valuecheck.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define V_OUT_SIZE (256 * 1024)       /* decompressed bytes per checker call */
#define V_PIPE_BUFS 4                 /* decoded buffers in flight to a checker thread */
#define V_MIN_ROOM (64 * 1024)        /* a buffer with less room left is handed on: lz4 */
                                      /* decodes a 64 KiB block in place only with that much */
#define V_PIPE_AFTER (2 * V_OUT_SIZE) /* a stream this long gets the checker thread */
#define V_MAX_THREADS 64
#define V_DEFAULT_LARGE_PLAIN (1LL << 30)
#define V_TAR_BLOCK 512
#define V_MSG 1024
#define V_SEQ_PRUNE (-2) /* dfi_watch.seq of a column watched until it holds a non-integer */

/* ================================================================== */
/* Names                                                               */
/* ================================================================== */

const char *df_severity_name(int severity)
{
    switch (severity) {
    case DF_SEVERITY_INFO: return "info";
    case DF_SEVERITY_WARNING: return "warning";
    case DF_SEVERITY_ERROR: return "error";
    default: return "unknown";
    }
}

const char *df_verdict_name(int verdict)
{
    switch (verdict) {
    case DF_VERDICT_OK: return "OK";
    case DF_VERDICT_WARNING: return "WARNING";
    case DF_VERDICT_DAMAGED: return "DAMAGED";
    default: return "UNKNOWN";
    }
}

void df_verify_options_default(df_verify_options *o)
{
    memset(o, 0, sizeof *o);
}

/* ================================================================== */
/* Findings                                                            */
/* ================================================================== */

typedef struct vlist {
    df_finding *v;
    size_t n, cap;
    bool oom; /* a finding was lost for want of memory */
} vlist;

static void vlist_free(vlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free((void *)l->v[i].message); /* member shares the allocation */
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Drop findings added after the first `keep` (a block that turned out to be cut). */
static void vlist_truncate(vlist *l, size_t keep)
{
    for (size_t i = keep; i < l->n; i++)
        free((void *)l->v[i].message);
    if (keep < l->n)
        l->n = keep;
}

static void vlist_addv(vlist *l, const char *code, int sev, const df_entry *e, int64_t off,
                       const char *member, const char *fmt, va_list ap)
{
    char msg[V_MSG];
    size_t ml, bl;
    char *mem;

    vsnprintf(msg, sizeof msg, fmt, ap);
    ml = strlen(msg);
    /* pg_dumpall scripts: which database's section (\connect) the entry is in */
    if (e != NULL && e->database != NULL && ml < sizeof msg)
        snprintf(msg + ml, sizeof msg - ml, ", in database \"%s\"", e->database);
    if (member == NULL)
        member = "";
    ml = strlen(msg);
    bl = strlen(member);
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        df_finding *nv = realloc(l->v, cap * sizeof *nv);
        if (nv == NULL) {
            l->oom = true;
            return;
        }
        l->v = nv;
        l->cap = cap;
    }
    mem = malloc(ml + bl + 2);
    if (mem == NULL) {
        l->oom = true;
        return;
    }
    memcpy(mem, msg, ml + 1);
    memcpy(mem + ml + 1, member, bl + 1);
    l->v[l->n++] = (df_finding){code, sev, e, off, mem + ml + 1, mem, NULL};
}

/* Attach the SQL that repairs the last finding (kept in the finding's one allocation). */
static void vlist_set_fix(vlist *l, const char *fix)
{
    df_finding *f = &l->v[l->n - 1];
    size_t ml = strlen(f->message), bl = strlen(f->member), fl = strlen(fix);
    char *mem = realloc((void *)f->message, ml + bl + fl + 3);

    if (mem == NULL) {
        l->oom = true;
        return;
    }
    memcpy(mem + ml + bl + 2, fix, fl + 1);
    f->message = mem;
    f->member = mem + ml + 1;
    f->fix = mem + ml + bl + 2;
}

static void vlist_add(vlist *l, const char *code, int sev, const df_entry *e, int64_t off,
                      const char *member, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void vlist_add(vlist *l, const char *code, int sev, const df_entry *e, int64_t off,
                      const char *member, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlist_addv(l, code, sev, e, off, member, fmt, ap);
    va_end(ap);
}

/* ================================================================== */
/* Identifiers and SQL fragments in TOC text                           */
/* ================================================================== */

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
        s++;
    return s;
}

/*
 * One identifier at *s as written by pg_dump (fmtId): "quoted" with ""
 * for a quote, or bare.  The raw name goes to out.  False when there is none.
 */
static bool parse_ident(const char **sp, char *out, size_t cap)
{
    const char *s = *sp;
    size_t n = 0;

    if (*s == '"') {
        for (s++; *s; s++) {
            if (*s == '"') {
                if (s[1] != '"')
                    break;
                s++;
            }
            if (n + 1 < cap)
                out[n++] = *s;
        }
        if (*s != '"')
            return false;
        s++;
    } else {
        while (*s && !strchr(" \t\r\n.,()\";'", *s)) {
            if (n + 1 < cap)
                out[n++] = *s;
            s++;
        }
        if (n == 0)
            return false;
    }
    out[n] = '\0';
    *sp = s;
    return true;
}

#define V_IDENT 256
#define V_MAX_PARTS 3

/* A dotted name "a.b.c" (up to 3 parts); returns the number of parts, 0 on failure. */
static int parse_qualified(const char **sp, char parts[V_MAX_PARTS][V_IDENT])
{
    const char *s = *sp;
    int n = 0;

    while (n < V_MAX_PARTS && parse_ident(&s, parts[n], V_IDENT)) {
        n++;
        if (*s != '.')
            break;
        s++;
    }
    if (n == 0)
        return 0;
    *sp = s;
    return n;
}

static bool starts_with(const char *s, const char *prefix)
{
    return s != NULL && strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool streq(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

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
    char parts[V_MAX_PARTS][V_IDENT];
    char col[V_IDENT];
    const char *s;
    char **v = NULL;
    int n = 0;

    if (names)
        *names = NULL;
    if (stmt == NULL || strncmp(stmt, "COPY ", 5) != 0)
        return -1;
    s = skip_space(stmt + 5);
    if (parse_qualified(&s, parts) == 0)
        return -1;
    /* pg_dump writes "COPY t  FROM stdin;" (two spaces) for a table without columns. */
    if (strncmp(s, "  FROM ", 7) == 0)
        return 0;
    s = skip_space(s);
    if (*s != '(')
        return -1;
    s = skip_space(s + 1);
    for (;;) {
        if (!parse_ident(&s, col, sizeof col))
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
        s = skip_space(s);
        if (*s == ')')
            break;
        if (*s != ',')
            goto bad;
        s = skip_space(s + 1);
    }
    s = skip_space(s + 1);
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
 * watches on speculation (V_SEQ_PRUNE) is no sequence's and is dropped;
 * NULL (\N) says nothing.
 */
static void watch_not_int(dfi_watch *w, const char *f, size_t len)
{
    if (w->seq == V_SEQ_PRUNE && !(len == 2 && f[0] == '\\' && f[1] == 'N'))
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
    if (cp->vc != NULL) {
        bool carried = cp->line_start < base;
        const uint8_t *from = carried ? p : p + (cp->line_start - base);
        dfi_vcheck_line(cp->vc, from, carried ? i : (size_t)len, carried, cp->rows, cp->line_start,
                        cp->tabs != cp->ncols - 1);
    }
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
    /* The escaped byte is data: not a delimiter, not a line end (as COPY FROM reads it). */
    return i + 2;
}

#ifdef __SSE2__
/* Bit masks of bytes equal to '\n', '\\' and '\t' in the 64 bytes at p. */
static inline void masks64(const uint8_t *p, uint64_t *nl, uint64_t *bs, uint64_t *tab)
{
    const __m128i vn = _mm_set1_epi8('\n'), vb = _mm_set1_epi8('\\'), vt = _mm_set1_epi8('\t');
    uint64_t a = 0, b = 0, c = 0;

    for (int k = 0; k < 4; k++) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
        a |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vn)) << (16 * k);
        b |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vb)) << (16 * k);
        c |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(x, vt)) << (16 * k);
    }
    *nl = a;
    *bs = b;
    *tab = c;
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

static inline void masks64(const uint8_t *p, uint64_t *nl, uint64_t *bs, uint64_t *tab)
{
    uint64_t a = 0, b = 0, c = 0;

    for (int k = 0; k < 8; k++) {
        uint64_t w;
        memcpy(&w, p + 8 * k, 8);
        a |= eq_mask8(w, '\n') << (8 * k);
        b |= eq_mask8(w, '\\') << (8 * k);
        c |= eq_mask8(w, '\t') << (8 * k);
    }
    *nl = a;
    *bs = b;
    *tab = c;
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

/*
 * Rows of COPY text from piece index i until the terminator line or the
 * end of the piece.  The hot loop looks at 64 bytes at a time: tabs are
 * counted with one popcount, and only newlines and backslashes stop it.
 */
static size_t scan_rows(dfi_copycheck *cp, const uint8_t *p, size_t n, size_t i, int64_t base)
{
    if (cp->esc_pending && i < n) {
        cp->esc_pending = false;
        note_escape(cp, p[i] == '\n' ? -1 : p[i], base + (int64_t)i - 1);
        if (cp->esc_at_start && p[i] == '.')
            cp->dot_line = true;
        i++;
    }
    while (i < n) {
        size_t j;

        if (i + 64 <= n) {
            uint64_t nl, bs, tab, ev;

            masks64(p + i, &nl, &bs, &tab);
            ev = nl | bs;
            if (ev == 0) {
                cp->tabs += bits64(tab);
                i += 64;
                continue;
            }
            j = (size_t)__builtin_ctzll(ev);
            cp->tabs += bits64(tab & ((1ULL << j) - 1));
            j += i;
        } else {
            for (j = i; j < n && p[j] != '\n' && p[j] != '\\'; j++)
                cp->tabs += p[j] == '\t';
            if (j == n)
                return n;
        }
        if (p[j] == '\n') {
            end_line(cp, p, j, base);
            i = j + 1;
            if (cp->terminated)
                return i;
        } else {
            i = on_backslash(cp, p, n, j, base);
        }
    }
    return i;
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

/* ================================================================== */
/* Verification state                                                  */
/* ================================================================== */

enum { V_FOUND_NONE = 0, V_FOUND_PARTIAL = 1, V_FOUND_COMPLETE = 2 };
enum { V_STOP_EOF = 0, V_STOP_OTHER = 1, V_STOP_ERROR = 2 };
enum { V_REC = 1, V_DEC = 2 }; /* walk flags: record structure, decode data */

/* One large object as found in the data (custom: OID only). */
typedef struct vlo {
    uint32_t oid;
    int64_t start; /* tar: raw offset of the member data; else -1 */
    int64_t size;  /* stored bytes (tar member, directory file) */
    char *name;    /* directory file or tar member name, with suffix */
    dfi_wrap wrap;
} vlo;

/* Per TOC entry: where its data are and what reading them showed. */
typedef struct ventry {
    const df_entry *e;
    bool data; /* the TOC gives the entry a data stream */
    bool blobs;
    bool table;         /* TABLE DATA: rows are checked */
    int rows_mode;      /* DF_ROWS_* */
    int ncols;          /* from the COPY column list, -1 unknown */
    int found;          /* V_FOUND_*: its block / member / file */
    bool cut;           /* its block or member ends early */
    int64_t start, end; /* custom block, tar member data; -1 */
    char *member;       /* directory file or tar member holding it */
    dfi_wrap wrap;
    int64_t stored;
    vlo *los;
    size_t nlos, caplos;
    bool los_over;  /* more large objects than max_los: the rest were not recorded */
    uint32_t *want; /* LO OIDs the TOC promises, sorted */
    size_t nwant;
    bool want_known;
    dfi_watch *w; /* watched columns (sequence-behind-data) */
    size_t nw;
    dfi_vtable *vt; /* column types for the value checks; NULL: none */
    int64_t rows, bytes;
    bool decoded; /* the full check read all of it */
    vlist finds;
} ventry;

typedef struct vseq {
    const df_entry *e; /* its SEQUENCE SET entry */
    int64_t value;
    bool called;
    int64_t increment;
} vseq;

/*
 * A column a sequence feeds: its DEFAULT is nextval() of the sequence
 * (a DEFAULT entry or a column default in CREATE TABLE), or it is the
 * identity column the sequence was made for.  OWNED BY is not such a link:
 * a sequence may be owned by a column whose default takes another one.
 */
typedef struct vlink {
    size_t seq; /* index into vctx.seqs */
    char tschema[V_IDENT], table[V_IDENT], column[V_IDENT];
} vlink;

typedef struct vctx vctx;

struct df_verify {
    df_reader *r;
    df_verify_summary sum;
    df_finding *f;
    size_t n;
    dfi_vtable **vts; /* per TOC entry: the value checks' columns, NULL none */
    size_t nvts;
};

struct vctx {
    const df_verify_options *opt;
    df_verify *v;
    df_reader *r;
    const char *path; /* what workers reopen (file or directory); NULL: serial only */
    size_t n;
    ventry *ents;
    int64_t file_size; /* custom or tar file; -1 unknown (pipe) */
    vlist pre, post;   /* file-level findings before and after the entries' */
    int walk_stop;     /* V_STOP_*: how the walk of blocks or members ended */
    int64_t walk_end;  /* ... and where */
    vseq *seqs;
    size_t nseqs;
    vlink *links; /* the columns the sequences feed */
    size_t nlinks, caplinks;
    bool gzip_used;
    ventry **by_file; /* tar: data entries by file name (tar_data_entry), built on first use */
    size_t nby_file;
    /* work for the data phase */
    size_t *items;
    size_t nitems;
    size_t next_item;  /* atomic */
    int64_t prog_done; /* atomic: stored bytes done */
    int64_t prog_total; /* -1: unknown (a pipe) */
    int64_t prog_last_ns;
    const df_entry *prog_entry; /* atomic: the entry whose stream began last */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t running; /* workers still taking items */
    size_t piping;  /* atomic: streams whose COPY text a checker thread takes */
    bool sparse;    /* --quick walk of a seekable custom file: chunk headers only */
    struct vtap *tap; /* a plain script from a pipe: what its one pass checked */
};

/*
 * A worker's output buffers and COPY checker thread.  Decoded bytes go round a ring of
 * V_PIPE_BUFS buffers: the worker writes into buf[cur], hands it on and takes the next one, so
 * the last 64 KiB it decoded stay where they are while it decodes more (the lz4 codec then
 * reads its history in place instead of copying 64 KiB after every call: dfi_dec.stable_out).
 * Decoding a table's data and checking its COPY text take about as long as each other for lz4
 * and zstd, and one big table can hold most of a dump, so a long stream is checked in a second
 * thread while the worker decodes the next buffers: the stream then takes the longer of the
 * two, not their sum.  The worker waits while every buffer is handed over; the checker takes
 * them oldest first.
 */
typedef struct vpipe {
    pthread_t tid;
    bool started;
    bool unavailable; /* the thread could not be started: check in the worker */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint8_t *buf[V_PIPE_BUFS];
    size_t len[V_PIPE_BUFS];
    size_t cur;   /* the buffer the worker writes into */
    size_t next;  /* the oldest handed-over buffer */
    size_t count; /* handed over and not yet checked */
    bool quit;
    dfi_copycheck *cp;
} vpipe;

/* A worker's own view of the input and its scratch memory. */
typedef struct vworker {
    vctx *c;
    dfi_src src;
    dfi_buf buf;
    bool open;
    df_error err;
    uint8_t *out;
    dfi_copycheck *cp;
    bool main;         /* runs in the calling thread: may report progress */
    ventry *expect;    /* worker: the entry whose block it reads (findings go nowhere else) */
    int64_t prog_base; /* main: raw offset that counts as progress 0 */
    vpipe pipe;
    dfi_vcheck vc; /* value checks of the table being read */
} vworker;

/* One compressed stream being checked. */
typedef struct vstream {
    vctx *c;
    ventry *ve;
    vworker *w;
    dfi_dec dec;
    bool live, ended, failed;
    size_t used; /* bytes waiting in w->out */
    bool table;
    bool piped;        /* the COPY text goes to the worker's checker thread */
    int64_t raw_start; /* raw offset where the stored stream starts */
    int64_t raw_end;   /* ... and ends, when known (-1) */
    bool linear;       /* uncompressed offsets map to raw_start + n */
    const char *member;
    int64_t out_bytes;
    /* The first codec failure, reported at the stream's end when its range is known. */
    const char *fail_code;
    int fail_sev;
    int64_t fail_at;
    char fail_msg[200];
} vstream;

static int64_t now_ns(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* From the calling thread only: report progress about ten times a second. */
static void progress_tick(vctx *c, bool force)
{
    df_progress p;
    int64_t t;

    if (c->opt->progress == NULL)
        return;
    t = now_ns();
    if (!force && c->prog_last_ns != 0 && t - c->prog_last_ns < 100000000)
        return;
    c->prog_last_ns = t;
    p.done = __atomic_load_n(&c->prog_done, __ATOMIC_RELAXED);
    p.total = c->prog_total;
    p.entry = __atomic_load_n(&c->prog_entry, __ATOMIC_RELAXED);
    c->opt->progress(c->opt->progress_ctx, &p);
}

static void entry_add(ventry *ve, const char *code, int sev, int64_t off, const char *member,
                      const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void entry_add(ventry *ve, const char *code, int sev, int64_t off, const char *member,
                      const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vlist_addv(&ve->finds, code, sev, ve->e, off, member, fmt, ap);
    va_end(ap);
}

/* A finding about `ve`, or about the file when ve is NULL. */
static void where_add(vctx *c, ventry *ve, const char *code, int sev, int64_t off,
                      const char *member, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void where_add(vctx *c, ventry *ve, const char *code, int sev, int64_t off,
                      const char *member, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    if (ve != NULL)
        vlist_addv(&ve->finds, code, sev, ve->e, off, member, fmt, ap);
    else
        vlist_addv(&c->post, code, sev, NULL, off, member, fmt, ap);
    va_end(ap);
}

/* ================================================================== */
/* Streams: stored bytes in, integrity checked, COPY text checked      */
/* ================================================================== */

static bool is_gzip_wrap(dfi_wrap w)
{
    return w == DFI_WRAP_ZLIB || w == DFI_WRAP_GZIP;
}

/* dfi_dec_init, except that DF_INFLATE_ZLIB forces zlib for gzip data. */
static int dec_start(dfi_dec *d, dfi_wrap wrap, int inflate)
{
    const dfi_codec *ref = NULL;
    int rc;

    if (inflate == DF_INFLATE_ZLIB && wrap == DFI_WRAP_ZLIB)
        ref = &dfi_codec_gzip_zlib_ref;
    else if (inflate == DF_INFLATE_ZLIB && wrap == DFI_WRAP_GZIP)
        ref = &dfi_codec_gzip_file_ref;
    if (ref == NULL)
        return dfi_dec_init(d, wrap);
    memset(d, 0, sizeof *d);
    d->codec = ref;
    rc = ref->init(d);
    if (rc != DF_OK)
        d->codec = NULL;
    return rc;
}

/* Which finding a codec's complaint is. */
static const char *codec_code(int rc, const char *msg, int *sev)
{
    *sev = DF_SEVERITY_ERROR;
    switch (rc) {
    case DF_E_TRUNCATED: return DF_FIND_TRUNCATED;
    case DF_E_UNSUPPORTED: *sev = DF_SEVERITY_UNKNOWN; return DF_FIND_UNSUPPORTED;
    case DF_E_NOMEM: *sev = DF_SEVERITY_UNKNOWN; return DF_FIND_COULD_NOT_CHECK;
    case DF_E_CORRUPT:
        if (strstr(msg, "checksum") || strstr(msg, "CRC") || strstr(msg, "ISIZE") ||
            strstr(msg, "data check"))
            return DF_FIND_BAD_CHECKSUM;
        return DF_FIND_BAD_DATA;
    default: *sev = DF_SEVERITY_UNKNOWN; return DF_FIND_COULD_NOT_CHECK;
    }
}

/*
 * Remember the first failure; stream_end reports it with the stream's stored
 * range, which a serial walk only knows once the block has ended.
 */
static void stream_fail(vstream *s, const char *code, int sev, int64_t at, const char *msg)
{
    s->fail_code = code;
    s->fail_sev = sev;
    s->fail_at = at;
    snprintf(s->fail_msg, sizeof s->fail_msg, "%s", msg);
    s->failed = true;
}

static void stream_codec_fail(vstream *s, int rc, int64_t at)
{
    int sev;
    const char *code = codec_code(rc, s->dec.msg, &sev);

    stream_fail(s, code, sev, at, s->dec.msg[0] ? s->dec.msg : df_strstatus(rc));
}

static void stream_report_failure(vstream *s, int64_t end_at)
{
    entry_add(s->ve, s->fail_code, s->fail_sev, s->fail_at, s->member,
              "%s (in the data stored at offsets %lld..%lld)", s->fail_msg, (long long)s->raw_start,
              (long long)(s->raw_end >= 0 ? s->raw_end : end_at));
}

static int stream_begin(vstream *s, vworker *w, ventry *ve, dfi_wrap wrap, bool table,
                        int64_t raw_start, int64_t raw_end, const char *member)
{
    vctx *c = w->c;
    int rc;

    memset(s, 0, sizeof *s);
    s->c = c;
    s->ve = ve;
    s->w = w;
    s->raw_start = raw_start;
    s->raw_end = raw_end;
    s->member = member;
    s->linear = wrap == DFI_WRAP_RAW && member != NULL && member[0] != '\0';
    __atomic_store_n(&c->prog_entry, ve->e, __ATOMIC_RELAXED);
    if (is_gzip_wrap(wrap))
        __atomic_store_n(&c->gzip_used, true, __ATOMIC_RELAXED);
    rc = dec_start(&s->dec, wrap, c->opt->inflate);
    s->dec.stable_out = true; /* the ring keeps the last 64 KiB decoded in place (vpipe) */
    if (rc != DF_OK) {
        int sev;
        const char *code = codec_code(rc, s->dec.msg, &sev);
        entry_add(ve, code, sev, raw_start, member, "%s", s->dec.msg);
        s->failed = true;
        return rc;
    }
    s->live = true;
    if (table) {
        rc = dfi_copycheck_init(w->cp, ve->rows_mode, ve->ncols, ve->w, ve->nw);
        s->table = true; /* dfi_copycheck_free is safe after a failed init */
        if (rc == DF_OK && ve->vt != NULL) {
            dfi_vcheck_init(&w->vc, ve->vt);
            w->cp->vc = &w->vc;
        }
        if (rc != DF_OK) {
            entry_add(ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, raw_start, member,
                      "out of memory");
            s->failed = true;
        }
    }
    return rc;
}

static void *pipe_main(void *arg)
{
    vpipe *p = arg;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        size_t i;
        while (p->count == 0 && !p->quit)
            pthread_cond_wait(&p->cv, &p->mu);
        if (p->count == 0)
            break;
        i = p->next;
        pthread_mutex_unlock(&p->mu);
        dfi_copycheck_feed(p->cp, p->buf[i], p->len[i]);
        pthread_mutex_lock(&p->mu);
        p->next = (p->next + 1) % V_PIPE_BUFS;
        p->count--;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

/* Start w's checker thread (once per worker); false when it cannot run. */
static bool pipe_start(vworker *w)
{
    vpipe *p = &w->pipe;

    if (p->started || p->unavailable)
        return p->started;
    p->unavailable = true;
    p->cp = w->cp;
    p->next = p->cur; /* nothing handed over */
    p->count = 0;
    p->quit = false;
    if (pthread_mutex_init(&p->mu, NULL) != 0)
        return false;
    if (pthread_cond_init(&p->cv, NULL) != 0) {
        pthread_mutex_destroy(&p->mu);
        return false;
    }
    if (pthread_create(&p->tid, NULL, pipe_main, p) != 0) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        return false;
    }
    p->started = true;
    p->unavailable = false;
    return true;
}

/* Hand the n bytes in w->out to the checker thread; w->out becomes the next free buffer. */
static void pipe_hand_over(vworker *w, size_t n)
{
    vpipe *p = &w->pipe;

    pthread_mutex_lock(&p->mu);
    p->len[p->cur] = n;
    p->count++;
    pthread_cond_broadcast(&p->cv);
    p->cur = (p->cur + 1) % V_PIPE_BUFS;
    while (p->count == V_PIPE_BUFS) /* the next buffer is the oldest one still being checked */
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
    w->out = p->buf[p->cur];
}

/* Wait until the checker thread has checked everything handed over. */
static void pipe_drain(vworker *w)
{
    vpipe *p = &w->pipe;

    if (!p->started)
        return;
    pthread_mutex_lock(&p->mu);
    while (p->count > 0)
        pthread_cond_wait(&p->cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* The next buffer of the ring, once the checker (if any) is done with it. */
static void next_out(vworker *w)
{
    vpipe *p = &w->pipe;

    p->cur = (p->cur + 1) % V_PIPE_BUFS;
    w->out = p->buf[p->cur];
}

/* Stop the checker thread and free the buffers (w->out among them). */
static void pipe_stop(vworker *w)
{
    vpipe *p = &w->pipe;

    if (p->started) {
        pthread_mutex_lock(&p->mu);
        p->quit = true;
        pthread_cond_broadcast(&p->cv);
        pthread_mutex_unlock(&p->mu);
        pthread_join(p->tid, NULL);
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
    }
    for (size_t i = 0; i < V_PIPE_BUFS; i++)
        free(p->buf[i]);
    w->out = NULL;
    memset(p, 0, sizeof *p);
}

/*
 * A checker thread only where a CPU would otherwise idle: while every worker is busy, more
 * threads would only slow down the one decoding the biggest table.  When the other workers
 * have run out of items, the long stream still being decoded gets its checker (the test is
 * made at every buffer, so a stream can switch in the middle).
 */
static bool pipe_allowed(vctx *c)
{
    size_t busy = __atomic_load_n(&c->running, __ATOMIC_RELAXED) +
                  __atomic_load_n(&c->piping, __ATOMIC_RELAXED);

    return c->opt->threads > 1 && busy < (size_t)c->opt->threads;
}

static void stream_flush(vstream *s)
{
    if (s->used == 0)
        return;
    if (s->table && !s->piped && s->out_bytes >= V_PIPE_AFTER && pipe_allowed(s->c) &&
        pipe_start(s->w)) {
        s->piped = true;
        __atomic_add_fetch(&s->c->piping, 1, __ATOMIC_RELAXED);
        s->w->pipe.next = s->w->pipe.cur; /* the checker is idle: nothing handed over */
    }
    if (s->table && s->piped) {
        pipe_hand_over(s->w, s->used);
    } else {
        if (s->table)
            dfi_copycheck_feed(s->w->cp, s->w->out, s->used);
        next_out(s->w);
    }
    s->out_bytes += (int64_t)s->used;
    s->used = 0;
}

/* Everything decoded so far has been checked (the checker state may be read or reset). */
static void stream_sync(vstream *s)
{
    if (s->piped)
        pipe_drain(s->w);
}

/* Stored bytes p[0..n) that start at raw offset `at`. */
static void stream_feed(vstream *s, const uint8_t *p, size_t n, int64_t at)
{
    while (n > 0 && !s->failed) {
        uint8_t *o = s->w->out + s->used;
        size_t room = V_OUT_SIZE - s->used;
        const uint8_t *q = p;
        size_t qn = n;
        int rc;

        if (s->ended) {
            stream_fail(s, DF_FIND_TRAILING_DATA, DF_SEVERITY_ERROR, at,
                        "bytes follow the end of the compressed stream");
            return;
        }
        if (room == 0) {
            stream_flush(s);
            continue;
        }
        rc = dfi_dec_step(&s->dec, &q, &qn, &o, &room);
        s->used = (size_t)(o - s->w->out);
        at += (int64_t)(n - qn);
        p = q;
        n = qn;
        if (rc == DF_EOF)
            s->ended = true;
        else if (rc < 0)
            stream_codec_fail(s, rc, at);
        else if (V_OUT_SIZE - s->used < V_MIN_ROOM)
            stream_flush(s);
    }
}

/* Values a restore would reject: one finding per kind, with the count and the first few. */
static void value_findings(vstream *s)
{
    static const char *const codes[] = {NULL, DF_FIND_BAD_VALUE, DF_FIND_NULL_IN_NOT_NULL,
                                        DF_FIND_BAD_ENCODING, DF_FIND_TOO_LONG};
    static const char *const what[] = {
        NULL, "value%s its column's type rejects", "null%s in NOT NULL columns",
        "value%s not valid in the dump's encoding", "value%s longer than its column allows"};
    const dfi_vcheck *vc = s->w->cp->vc;

    for (int k = 1; vc != NULL && k < 5; k++) {
        char list[1024], kind[64];
        size_t used = 0;

        if (vc->nbad[k] == 0)
            continue;
        list[0] = '\0';
        for (size_t i = 0; i < vc->nfirst[k] && used < sizeof list; i++) {
            const dfi_vbad *b = &vc->first[k][i];
            const dfi_vcol *col = &vc->t->cols[b->col];
            int m = snprintf(list + used, sizeof list - used,
                             "%srow %lld, column \"%s\" (%s), uncompressed offset %lld: \"%s\"",
                             i ? "; " : "", (long long)b->row, col->name,
                             col->type ? col->type : "type unknown", (long long)b->off,
                             k == DFI_VAL_NULL ? "\\N" : b->shown);
            used += m > 0 ? (size_t)m : 0;
        }
        snprintf(kind, sizeof kind, what[k], vc->nbad[k] == 1 ? "" : "s");
        entry_add(s->ve, codes[k], DF_SEVERITY_ERROR,
                  s->linear ? s->raw_start + vc->first[k][0].off : s->raw_start, s->member,
                  "%lld %s: %s; %s", (long long)vc->nbad[k], kind,
                  vc->inserts ? "the INSERT statements holding them would fail and their rows "
                                    "be lost"
                                  : "a restore would fail on this table's COPY and leave it empty",
                  list);
    }
}

/* The first problem of each kind the COPY checker saw, as findings. */
static void copy_findings(vstream *s, int64_t end_at)
{
    const dfi_copycheck *cp = s->w->cp;
    ventry *ve = s->ve;

#define ROW_AT(pos) (s->linear ? s->raw_start + (pos) : s->raw_start)
    value_findings(s);
    if (cp->bad_rows > 0)
        entry_add(ve, DF_FIND_BAD_COPY_ROW, DF_SEVERITY_ERROR, ROW_AT(cp->bad_row_pos), s->member,
                  "row %lld has %lld columns but the COPY column list names %d (uncompressed "
                  "offset %lld); rows with a wrong column count: %lld",
                  (long long)cp->bad_row_no, (long long)cp->bad_row_cols, cp->ncols,
                  (long long)cp->bad_row_pos, (long long)cp->bad_rows);
    if (cp->bad_esc > 0) {
        char what[32];
        if (cp->bad_esc_char < 0)
            snprintf(what, sizeof what, "the end of the line");
        else if (isprint(cp->bad_esc_char))
            snprintf(what, sizeof what, "\"%c\"", cp->bad_esc_char);
        else
            snprintf(what, sizeof what, "byte 0x%02x", cp->bad_esc_char);
        entry_add(
            ve, DF_FIND_BAD_COPY_ESCAPE, DF_SEVERITY_ERROR, ROW_AT(cp->bad_esc_pos), s->member,
            "row %lld has a backslash followed by %s, which COPY never writes "
            "(uncompressed offset %lld); invalid escapes: %lld",
            (long long)cp->bad_esc_row, what, (long long)cp->bad_esc_pos, (long long)cp->bad_esc);
    }
    if (cp->mode != DF_ROWS_INSERT && !cp->terminated) {
        bool partial = cp->pos > cp->line_start;
        entry_add(ve, DF_FIND_MISSING_TERMINATOR, DF_SEVERITY_ERROR, end_at, s->member,
                  "COPY data end after %lld rows without the \"\\.\" terminator line%s",
                  (long long)cp->rows, partial ? "; the last line is incomplete" : "");
    }
    if (cp->mode == DF_ROWS_INSERT && cp->last_nonspace >= 0 && cp->last_nonspace != ';')
        entry_add(ve, DF_FIND_MISSING_TERMINATOR, DF_SEVERITY_ERROR, end_at, s->member,
                  "INSERT data do not end with a complete statement (last byte 0x%02x, not "
                  "\";\")",
                  cp->last_nonspace);
    if (cp->after_bytes > 0)
        entry_add(ve, DF_FIND_DATA_AFTER_TERMINATOR, DF_SEVERITY_ERROR, ROW_AT(cp->after_pos),
                  s->member,
                  "%lld bytes follow the \"\\.\" terminator line (uncompressed offset "
                  "%lld)",
                  (long long)cp->after_bytes, (long long)cp->after_pos);
#undef ROW_AT
}

static void stream_close(vstream *s)
{
    stream_sync(s);
    if (s->piped)
        __atomic_sub_fetch(&s->c->piping, 1, __ATOMIC_RELAXED);
    s->piped = false;
    if (s->live)
        dfi_dec_end(&s->dec);
    s->live = false;
    if (s->table)
        dfi_copycheck_free(s->w->cp);
    s->table = false;
}

/* The stored stream ended at raw offset end_at: finish decoding and check it is complete. */
static void stream_end(vstream *s, int64_t end_at)
{
    while (s->live && !s->failed && !s->ended) {
        uint8_t *o = s->w->out + s->used;
        size_t room = V_OUT_SIZE - s->used;
        const uint8_t *q = NULL;
        size_t qn = 0;
        int rc;

        if (room == 0) {
            stream_flush(s);
            continue;
        }
        rc = dfi_dec_step(&s->dec, &q, &qn, &o, &room);
        s->used = (size_t)(o - s->w->out);
        if (rc == DF_EOF) {
            s->ended = true;
        } else if (rc < 0) {
            stream_codec_fail(s, rc, end_at);
        } else if (room > 0) {
            rc = dfi_dec_finish(&s->dec);
            if (rc != DF_OK)
                stream_codec_fail(s, rc, end_at);
            break;
        }
    }
    if (s->fail_code != NULL)
        stream_report_failure(s, end_at);
    if (!s->failed) {
        stream_flush(s);
        stream_sync(s);
        if (s->table) {
            copy_findings(s, end_at);
            s->ve->rows += s->w->cp->rows;
        }
        s->ve->bytes += s->out_bytes;
    }
    stream_close(s);
}

/* Count stored bytes done; the calling thread also reports them. */
static void note_progress(vworker *w, const dfi_buf *b, int64_t bytes)
{
    if (w->main) {
        if (b != NULL)
            w->c->prog_done = dfi_buf_tell(b) - w->prog_base;
        else
            w->c->prog_done += bytes;
        progress_tick(w->c, false);
    } else {
        __atomic_add_fetch(&w->c->prog_done, bytes, __ATOMIC_RELAXED);
    }
}

/* ================================================================== */
/* Custom format (spec §5.1)                                           */
/* ================================================================== */

#define BLK_DATA 1
#define BLK_BLOBS 3
#define V13 DF_MAKE_VERSION(1, 3, 0)

/* The walk could not read `what` (at `at`) inside the block starting at `block`. */
static void framing_fail(vctx *c, ventry *ve, int rc, const df_error *err, int64_t block,
                         const char *what, int64_t at)
{
    switch (rc) {
    case DF_E_TRUNCATED:
        where_add(c, ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, err->offset, NULL,
                  "the file ends at offset %lld inside the data block that starts at offset "
                  "%lld (%s at offset %lld is incomplete)",
                  (long long)err->offset, (long long)block, what, (long long)at);
        break;
    case DF_E_LIMIT:
        where_add(c, ve, DF_FIND_OVER_LIMIT, DF_SEVERITY_ERROR, err->offset, NULL,
                  "%s, in the data block that starts at offset %lld", err->message,
                  (long long)block);
        break;
    case DF_E_CORRUPT:
        where_add(c, ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, err->offset, NULL,
                  "%s, in the data block that starts at offset %lld", err->message,
                  (long long)block);
        break;
    case DF_E_IO:
        where_add(c, ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err->offset, NULL, "%s",
                  err->message);
        break;
    default:
        where_add(c, ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, err->offset, NULL, "%s",
                  err->message[0] ? err->message : df_strstatus(rc));
        break;
    }
}

/* Is this block the data of an entry that may have one?  Says why not (once, when recording). */
static bool block_usable(vctx *c, ventry *ve, int32_t id, int type, int64_t pos, int flags)
{
    bool rec = flags & V_REC;

    if (ve == NULL) {
        if (rec)
            vlist_add(&c->post, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, NULL, pos, NULL,
                      "a data block for dump id %d, which is not in the TOC, starts at offset %lld",
                      id, (long long)pos);
        return false;
    }
    if (!ve->data) {
        if (rec)
            entry_add(ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                      "a data block for this entry starts at offset %lld, but the TOC gives it "
                      "no data",
                      (long long)pos);
        return false;
    }
    if ((type == BLK_BLOBS) != ve->blobs) {
        if (rec)
            entry_add(ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                      "the data block at offset %lld has type %d, which does not fit this entry",
                      (long long)pos, type);
        return false;
    }
    if (rec && ve->found != V_FOUND_NONE) {
        entry_add(ve, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                  "a second data block for this entry starts at offset %lld (the first at %lld)",
                  (long long)pos, (long long)ve->start);
        return false;
    }
    return true;
}

/* Feed `size` bytes at the buffer's position to stream s, piece by piece, counting progress. */
static int feed_bytes(vworker *w, dfi_buf *b, df_error *err, vstream *s, int64_t size)
{
    int64_t left = size;

    while (left > 0) {
        size_t take;
        int rc = dfi_buf_fill(b, err);

        if (rc == DF_EOF)
            rc = dfi_fail(err, DF_E_TRUNCATED, dfi_buf_tell(b), "unexpected end of file");
        if (rc != DF_OK)
            return rc;
        take = dfi_buf_avail(b);
        if ((int64_t)take > left)
            take = (size_t)left;
        stream_feed(s, dfi_buf_ptr(b), take, dfi_buf_tell(b));
        dfi_buf_consume(b, take);
        left -= (int64_t)take;
        note_progress(w, b, (int64_t)take);
    }
    return DF_OK;
}

/* One chunk's payload: skipped, or fed to the stream piece by piece. */
static int chunk_payload(vworker *w, dfi_buf *b, df_error *err, vstream *s, int32_t len)
{
    return s == NULL ? dfi_buf_skip(b, len, err) : feed_bytes(w, b, err, s, len);
}

/*
 * --quick over a seekable custom file: a payload skipped past the window is a seek
 * (dfi_buf_skip), and after a big one the next read is capped so that it brings the next
 * chunk header and little else.  Only big chunks are worth it: lz4 (64 KiB blocks) and zstd
 * (~128 KiB) ones.  A seek and a small read cost more than reading 4 KiB from the page cache,
 * so pg_dump's 4 KiB gzip chunks (measured: 1.5x slower sparse) and the one-chunk-per-row
 * uncompressed archives are read a window at a time as before.
 */
#define V_SPARSE_MIN 32768 /* payloads from this size are skipped by seeking */
#define V_SPARSE_READ 64   /* bytes read after such a payload */

static void sparse_next_read(dfi_buf *b, int32_t len)
{
    b->src->io_cap = len >= V_SPARSE_MIN ? V_SPARSE_READ : 0;
}

/*
 * Walk one chunk stream to its 0 terminator, feeding the payload to s (when
 * not NULL).  On failure `what` and *fail_at say which part could not be read
 * (formatted only then: an uncompressed archive has a chunk per row).
 */
static int chunk_stream(vctx *c, vworker *w, dfi_buf *b, df_error *err, vstream *s, char *what,
                        size_t wn, int64_t *fail_at)
{
    const dfi_arch *a = &c->r->arch;

    for (;;) {
        int64_t at = dfi_buf_tell(b);
        int32_t len;
        int rc = dfi_read_int(b, a, &len, err);

        if (rc == DF_OK && len < 0)
            rc = dfi_fail(err, DF_E_CORRUPT, at, "negative chunk length %d", len);
        else if (rc == DF_OK && len > c->r->lim.max_chunk)
            rc = dfi_fail(err, DF_E_LIMIT, at, "chunk length %d exceeds the limit of %lld", len,
                          (long long)c->r->lim.max_chunk);
        if (rc != DF_OK) {
            *fail_at = at;
            snprintf(what, wn, "a chunk length");
            return rc;
        }
        if (len == 0)
            return DF_OK;
        if (s == NULL && c->sparse)
            sparse_next_read(b, len);
        rc = chunk_payload(w, b, err, s, len);
        if (rc != DF_OK) {
            *fail_at = at;
            snprintf(what, wn, "a chunk of %d bytes", len);
            return rc;
        }
    }
}

static dfi_wrap custom_wrap(const vctx *c)
{
    switch (c->r->hdr.compression) {
    case DF_COMPRESS_GZIP: return DFI_WRAP_ZLIB;
    case DF_COMPRESS_LZ4: return DFI_WRAP_LZ4F;
    case DF_COMPRESS_ZSTD: return DFI_WRAP_ZSTD;
    default: return DFI_WRAP_RAW;
    }
}

static int add_lo(ventry *ve, uint32_t oid, int64_t start, int64_t size, const char *name,
                  dfi_wrap wrap)
{
    vlo *lo;

    if (ve->nlos == ve->caplos) {
        size_t cap = ve->caplos ? ve->caplos * 2 : 8;
        vlo *nv = realloc(ve->los, cap * sizeof *nv);
        if (nv == NULL)
            return DF_E_NOMEM;
        ve->los = nv;
        ve->caplos = cap;
    }
    lo = &ve->los[ve->nlos];
    *lo = (vlo){oid, start, size, NULL, wrap};
    if (name != NULL && (lo->name = strdup(name)) == NULL)
        return DF_E_NOMEM;
    ve->nlos++;
    return DF_OK;
}

/* May the BLOBS entry take one more large object?  Said once when it may not (max_los). */
static bool lo_room(vctx *c, ventry *ve, int64_t at, const char *member)
{
    df_error err;

    if (dfi_limit_los(&c->r->lim, (int64_t)ve->nlos, &err, at) == DF_OK)
        return true;
    if (!ve->los_over)
        entry_add(ve, DF_FIND_OVER_LIMIT, DF_SEVERITY_ERROR, at, member, "%s", err.message);
    ve->los_over = true;
    return false;
}

/* The body of a BLOBS block: (OID, chunk stream)* then OID 0. */
static int blobs_body(vctx *c, vworker *w, dfi_buf *b, df_error *err, ventry *ve, int flags,
                      bool dec, char *what, size_t wn, int64_t *fail_at)
{
    for (int64_t k = 0;; k++) {
        int64_t at = dfi_buf_tell(b);
        int32_t oid;
        vstream s;
        int rc = dfi_read_int(b, &c->r->arch, &oid, err);

        *fail_at = at;
        snprintf(what, wn, "a large object OID");
        if (rc != DF_OK)
            return rc;
        if (oid == 0)
            return DF_OK;
        if ((rc = dfi_limit_los(&c->r->lim, k, err, at)) != DF_OK)
            return rc;
        if ((flags & V_REC) && ve != NULL && add_lo(ve, (uint32_t)oid, -1, 0, NULL, 0) != DF_OK)
            return dfi_fail(err, DF_E_NOMEM, at, "out of memory");
        if (dec)
            stream_begin(&s, w, ve, custom_wrap(c), false, at, -1, "");
        rc = chunk_stream(c, w, b, err, dec ? &s : NULL, what, wn, fail_at);
        if (dec) {
            if (rc == DF_OK)
                stream_end(&s, dfi_buf_tell(b));
            else
                stream_close(&s);
        }
        if (rc != DF_OK)
            return rc;
    }
}

/* The body of a data block: one chunk stream. */
static int data_body(vctx *c, vworker *w, dfi_buf *b, df_error *err, ventry *ve, bool dec,
                     int64_t pos, char *what, size_t wn, int64_t *fail_at)
{
    vstream s;
    int rc;

    if (dec)
        stream_begin(&s, w, ve, custom_wrap(c), ve->table, pos,
                     ve->found == V_FOUND_COMPLETE ? ve->end : -1, "");
    rc = chunk_stream(c, w, b, err, dec ? &s : NULL, what, wn, fail_at);
    if (dec) {
        if (rc == DF_OK)
            stream_end(&s, dfi_buf_tell(b));
        else
            stream_close(&s);
    }
    return rc;
}

/* One block at the buffer's position: V_REC records where it is, V_DEC checks its data. */
static int custom_block(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags)
{
    int64_t pos = dfi_buf_tell(b), fail_at = pos;
    int type = BLK_DATA, rc;
    int32_t id = 0;
    ventry *ve, *home = (flags & V_REC) ? NULL : w->expect;
    bool usable, dec;
    size_t mark;
    char what[80] = "the block header";

    if (c->r->arch.version >= V13)
        rc = dfi_read_byte(b, &type, err);
    else
        rc = DF_OK;
    if (rc == DF_OK)
        rc = dfi_read_int(b, &c->r->arch, &id, err);
    if (rc != DF_OK) {
        framing_fail(c, home, rc, err, pos, what, pos);
        return rc;
    }
    {
        ssize_t idx = dfi_find_index(c->r, id);
        ve = idx >= 0 ? &c->ents[idx] : NULL;
    }
    /* A worker only ever touches its own entry (the file changed under us?). */
    if (home != NULL && ve != home) {
        entry_add(home, DF_FIND_BAD_BLOCK, DF_SEVERITY_ERROR, pos, NULL,
                  "the data block at offset %lld now names dump id %d, not this entry",
                  (long long)pos, id);
        return DF_E_CORRUPT;
    }
    usable = block_usable(c, ve, id, type, pos, flags);
    dec = usable && (flags & V_DEC);
    mark = ve ? ve->finds.n : 0;
    if (usable && (flags & V_REC)) {
        ve->found = V_FOUND_PARTIAL;
        ve->start = pos;
    }
    if (type == BLK_BLOBS)
        rc = blobs_body(c, w, b, err, usable ? ve : NULL, flags, dec, what, sizeof what, &fail_at);
    else
        rc = data_body(c, w, b, err, ve, dec, pos, what, sizeof what, &fail_at);
    if (rc != DF_OK) {
        /* The block is cut or broken: what its partial data showed is noise. */
        if (dec) {
            vlist_truncate(&ve->finds, mark);
            ve->rows = ve->bytes = 0;
        }
        if (usable && (flags & V_REC))
            ve->cut = true;
        framing_fail(c, ve, rc, err, pos, what, fail_at);
        return rc;
    }
    if (usable && (flags & V_REC)) {
        ve->found = V_FOUND_COMPLETE;
        ve->end = dfi_buf_tell(b);
        ve->stored = ve->end - pos;
    }
    if (dec)
        ve->decoded = true;
    return DF_OK;
}

/* Walk the data area block by block from the buffer's position to its end. */
static void custom_walk(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags)
{
    for (;;) {
        int64_t pos = dfi_buf_tell(b);
        int rc = dfi_buf_fill(b, err);

        c->walk_end = pos;
        if (rc == DF_EOF) {
            c->walk_stop = V_STOP_EOF;
            return;
        }
        if (rc != DF_OK) {
            framing_fail(c, NULL, rc, err, pos, "the next block", pos);
            c->walk_stop = V_STOP_ERROR;
            return;
        }
        if (c->r->arch.version >= V13) {
            int t = dfi_buf_ptr(b)[0];
            if (t != BLK_DATA && t != BLK_BLOBS) {
                c->walk_stop = V_STOP_OTHER;
                return;
            }
        }
        if (custom_block(c, w, b, err, flags) != DF_OK) {
            c->walk_stop = V_STOP_ERROR;
            c->walk_end = err->code == DF_E_TRUNCATED ? err->offset : pos;
            return;
        }
        note_progress(w, b, 0);
    }
}

/* Offset of the first byte that is missing, for messages about a cut file. */
static int64_t eof_offset(const vctx *c)
{
    return c->file_size >= 0 ? c->file_size : c->walk_end;
}

/* After the walk: entries whose block never showed up. */
static void custom_missing(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = ve->e;
        char where[96] = "";

        if (!ve->data || ve->found != V_FOUND_NONE)
            continue;
        if (e->offset_state == DF_OFFSET_SET)
            snprintf(where, sizeof where, " (the TOC puts it at offset %lld)",
                     (long long)e->data_offset);
        if (c->walk_stop == V_STOP_OTHER)
            entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, c->walk_end, NULL,
                      "no data block for this entry: the data area ends at offset %lld%s",
                      (long long)c->walk_end, where);
        else
            entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, eof_offset(c), NULL,
                      "the data of this entry are missing: the archive ends at offset %lld "
                      "before its data block%s",
                      (long long)eof_offset(c), where);
    }
}

/* Stored offsets against where the blocks are (spec §5.3). */
static void custom_offsets(vctx *c)
{
    int64_t last = -1;
    bool disorder = false;

    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = ve->e;

        if (!ve->data || e->offset_state != DF_OFFSET_SET)
            continue;
        if (e->data_offset < c->r->hdr.toc_end)
            entry_add(ve, DF_FIND_BAD_OFFSET, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the TOC puts the data block at offset %lld, inside the header or TOC",
                      (long long)e->data_offset);
        else if (ve->found != V_FOUND_NONE && ve->start != e->data_offset)
            entry_add(ve, DF_FIND_BAD_OFFSET, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the TOC puts the data block at offset %lld, but it starts at offset %lld",
                      (long long)e->data_offset, (long long)ve->start);
        if (e->data_offset < last)
            disorder = true;
        last = e->data_offset;
    }
    if (disorder)
        vlist_add(&c->pre, DF_FIND_OFFSETS_OUT_OF_ORDER, DF_SEVERITY_INFO, NULL, -1, NULL,
                  "the data offsets in the TOC are not in TOC order (pg_dump writes blocks in "
                  "TOC order)");
}

/* Where the OFF field of each entry lies inside the TOC (relative to the TOC count). */
static int64_t off_field(const vctx *c, size_t i)
{
    const df_header *h = &c->r->hdr;
    int64_t end = i + 1 < c->n ? c->ents[i + 1].e->toc_offset : h->toc_end;

    return end - (1 + h->off_size) - h->header_end;
}

static uint8_t *read_range(const char *path, int64_t from, int64_t len, df_error *err)
{
    dfi_src src;
    uint8_t *p;
    int64_t got = 0;

    if (len < 0 || len > (1LL << 30) || (p = malloc(len > 0 ? (size_t)len : 1)) == NULL)
        return NULL;
    if (dfi_src_open_path(&src, path, err) != DF_OK) {
        free(p);
        return NULL;
    }
    if (dfi_src_seek(&src, from, err) == DF_OK) {
        while (got < len) {
            ssize_t k = dfi_src_read(&src, p + got, (size_t)(len - got), err);
            if (k <= 0)
                break;
            got += k;
        }
    }
    dfi_src_close(&src);
    if (got != len) {
        free(p);
        return NULL;
    }
    return p;
}

static int64_t le_uint(const uint8_t *p, int n)
{
    uint64_t v = 0;

    for (int k = n - 1; k >= 0; k--)
        v = v << 8 | p[k];
    return (int64_t)v;
}

/*
 * Compare trailer byte k (relative to the TOC count) with the leading TOC:
 * equal, except in OFF fields, where the copy has flag 2 and the offset of
 * the entry's block.  `pend` accumulates an OFF field split over pieces.
 */
typedef struct trailer_cmp {
    const uint8_t *lead; /* the leading TOC, NULL when it cannot be reread (pipe) */
    size_t next_entry;   /* next entry whose OFF field is ahead */
    int64_t diff_at;     /* first difference (relative), -1 none */
    uint8_t off[16];
} trailer_cmp;

static void trailer_off(vctx *c, trailer_cmp *t, size_t i, int64_t rel)
{
    const ventry *ve = &c->ents[i];
    int osz = c->r->hdr.off_size;
    int flag = t->off[0];
    int lead_flag = t->lead[rel];

    if (t->diff_at >= 0)
        return;
    if (flag == lead_flag && memcmp(t->off + 1, t->lead + rel + 1, (size_t)osz) == 0)
        return;
    if (flag == DF_OFFSET_SET && ve->found != V_FOUND_NONE && le_uint(t->off + 1, osz) == ve->start)
        return;
    t->diff_at = rel;
}

static void trailer_piece(vctx *c, trailer_cmp *t, const uint8_t *p, size_t n, int64_t rel0)
{
    int osz = c->r->hdr.off_size;

    for (size_t k = 0; k < n && t->diff_at < 0; k++) {
        int64_t rel = rel0 + (int64_t)k;

        while (t->next_entry < c->n && off_field(c, t->next_entry) + 1 + osz <= rel)
            t->next_entry++;
        if (t->next_entry < c->n && rel >= off_field(c, t->next_entry)) {
            int64_t o = off_field(c, t->next_entry);
            t->off[rel - o] = p[k];
            if (rel - o == osz)
                trailer_off(c, t, t->next_entry, o);
            continue;
        }
        if (p[k] != t->lead[rel])
            t->diff_at = rel;
    }
}

/*
 * What follows the last block: pg_dump 16+ writing to a redirected stdout
 * appends a copy of the TOC (spec §5.5).  Anything else pg_dump never writes.
 */
static void custom_trailer(vctx *c, dfi_buf *b, df_error *err)
{
    const df_header *h = &c->r->hdr;
    int64_t at = c->walk_end, expect = h->toc_end - h->header_end, got = 0;
    trailer_cmp t = {NULL, 0, -1, {0}};
    int rc;

    if (c->path != NULL && c->r->src.seekable)
        t.lead = read_range(c->path, h->header_end, expect, err);
    if (dfi_buf_seek(b, at, err) != DF_OK)
        return;
    while ((rc = dfi_buf_fill(b, err)) == DF_OK) {
        size_t n = dfi_buf_avail(b);
        size_t use = got >= expect ? 0 : got + (int64_t)n > expect ? (size_t)(expect - got) : n;

        if (t.lead != NULL)
            trailer_piece(c, &t, dfi_buf_ptr(b), use, got);
        else if (got == 0 && dfi_buf_ptr(b)[0] != 0)
            t.diff_at = 0; /* a TOC copy starts with the sign byte of its count */
        got += (int64_t)n;
        dfi_buf_consume(b, n);
    }
    free((void *)t.lead);
    if (rc != DF_EOF) {
        vlist_add(&c->post, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, NULL, err->offset, NULL, "%s",
                  err->message);
        return;
    }
    if (t.diff_at >= 0) {
        vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_ERROR, NULL, at, NULL,
                  "%lld bytes after the last data block (from offset %lld) are neither a data "
                  "block nor a copy of the TOC (first difference at offset %lld)",
                  (long long)got, (long long)at, (long long)(at + t.diff_at));
    } else if (got < expect) {
        vlist_add(&c->post, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, NULL, at + got, NULL,
                  "the copy of the TOC that follows the data (from offset %lld) ends after %lld "
                  "of its %lld bytes",
                  (long long)at, (long long)got, (long long)expect);
    } else if (got > expect) {
        vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_ERROR, NULL, at + expect, NULL,
                  "%lld bytes follow the copy of the TOC after the data",
                  (long long)(got - expect));
    } else {
        vlist_add(&c->post, DF_FIND_TOC_COPY, DF_SEVERITY_INFO, NULL, at, NULL,
                  "a copy of the TOC (%lld bytes) follows the last data block, as pg_dump 16+ "
                  "writes it to a redirected stdout; %s",
                  (long long)expect,
                  c->path != NULL && c->r->src.seekable
                      ? "it matches the TOC and its offsets point at the data blocks"
                      : "its length matches the TOC (not compared: the input cannot be reread)");
    }
}

/* ================================================================== */
/* Tar format (spec §7)                                                */
/* ================================================================== */

static int64_t round_block(int64_t v)
{
    return (v + V_TAR_BLOCK - 1) / V_TAR_BLOCK * V_TAR_BLOCK;
}

/* blob_<oid>.dat or blob_<oid>.dat.gz: the OID, else 0. */
static uint32_t blob_member_oid(const char *name, dfi_wrap *wrap)
{
    char *end;
    unsigned long v;

    if (strncmp(name, "blob_", 5) != 0)
        return 0;
    v = strtoul(name + 5, &end, 10);
    if (end == name + 5 || v == 0 || v > UINT32_MAX)
        return 0;
    if (strcmp(end, ".dat") == 0)
        *wrap = DFI_WRAP_RAW;
    else if (strcmp(end, ".dat.gz") == 0)
        *wrap = DFI_WRAP_GZIP;
    else
        return 0;
    return (uint32_t)v;
}

static int cmp_by_file(const void *a, const void *b)
{
    const ventry *x = *(ventry *const *)a, *y = *(ventry *const *)b;
    int d = strcmp(x->e->filename, y->e->filename);

    return d != 0 ? d : (x < y ? -1 : x > y); /* equal names: TOC order */
}

/*
 * Index the data entries by file name once, so that finding a member's
 * entry is a binary search: scanning every entry for every member made a
 * tar of 100,000 tables quadratic.  False when out of memory.
 */
static bool index_by_file(vctx *c)
{
    if (c->by_file != NULL)
        return true;
    c->by_file = malloc((c->n ? c->n : 1) * sizeof *c->by_file);
    if (c->by_file == NULL)
        return false;
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        if (ve->data && !ve->blobs && ve->e->filename != NULL)
            c->by_file[c->nby_file++] = ve;
    }
    qsort(c->by_file, c->nby_file, sizeof *c->by_file, cmp_by_file);
    return true;
}

/* strcmp of file name f with the first len bytes of name. */
static int cmp_name_prefix(const char *f, const char *name, size_t len)
{
    int d = strncmp(f, name, len);

    return d != 0 ? d : f[len] != '\0';
}

/* The first entry (in TOC order) whose file name is the first len bytes of name, or NULL. */
static ventry *find_by_file(const vctx *c, const char *name, size_t len)
{
    size_t lo = 0, hi = c->nby_file;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cmp_name_prefix(c->by_file[mid]->e->filename, name, len) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < c->nby_file && cmp_name_prefix(c->by_file[lo]->e->filename, name, len) == 0)
        return c->by_file[lo];
    return NULL;
}

/* The TABLE DATA (or other non-BLOBS data) entry stored in member `name`. */
static ventry *tar_data_entry(vctx *c, const char *name, dfi_wrap *wrap)
{
    size_t len = strlen(name);
    ventry *ve;

    if (!index_by_file(c))
        return NULL;
    if ((ve = find_by_file(c, name, len)) != NULL) {
        *wrap = DFI_WRAP_RAW;
        return ve;
    }
    if (len > 3 && strcmp(name + len - 3, ".gz") == 0 &&
        (ve = find_by_file(c, name, len - 3)) != NULL) {
        *wrap = DFI_WRAP_GZIP;
        return ve;
    }
    return NULL;
}

/*
 * The BLOBS entry a run of blob members starting with `oid` belongs to:
 * from 1.16 the entry whose tag starts with that OID (pg_restore seeks to
 * blob_<first OID of the tag>.dat), before that the one BLOBS entry.
 */
static ventry *tar_blobs_entry(vctx *c, uint32_t oid)
{
    bool v116 = c->r->arch.version >= DF_MAKE_VERSION(1, 16, 0);

    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];

        if (!ve->blobs || !ve->data)
            continue;
        if (!v116 || strtoul(ve->e->tag ? ve->e->tag : "0", NULL, 10) == oid)
            return ve;
    }
    return NULL;
}

/* Feed `size` bytes of member data at the buffer's position to a stream (or skip them). */
static int tar_member_data(vworker *w, dfi_buf *b, df_error *err, vstream *s, int64_t size)
{
    int rc;

    if (s != NULL)
        return feed_bytes(w, b, err, s, size);
    rc = dfi_buf_skip(b, size, err);
    if (rc == DF_OK)
        note_progress(w, b, size);
    return rc;
}

static void tar_fail(vctx *c, ventry *ve, int rc, const df_error *err, const char *member,
                     const char *what)
{
    if (rc == DF_E_TRUNCATED)
        where_add(c, ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, err->offset, member,
                  "the file ends at offset %lld inside %s", (long long)err->offset, what);
    else if (rc == DF_E_IO)
        where_add(c, ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err->offset, member, "%s",
                  err->message);
    else
        where_add(c, ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, err->offset, member, "%s",
                  err->message[0] ? err->message : df_strstatus(rc));
}

/* One member's data: which entry it is, recorded and/or checked. */
static int tar_member(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags, const char *name,
                      int64_t data, int64_t size, ventry **run)
{
    dfi_wrap wrap = DFI_WRAP_RAW;
    uint32_t oid = blob_member_oid(name, &wrap);
    ventry *ve = NULL;
    vstream s;
    bool dec;
    int rc;
    char what[400];

    if (oid != 0) {
        if (*run == NULL && (*run = tar_blobs_entry(c, oid)) == NULL && (flags & V_REC))
            vlist_add(&c->post, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, NULL, data - V_TAR_BLOCK,
                      name, "large object member \"%s\" belongs to no BLOBS entry of the TOC",
                      name);
        ve = *run;
        if (ve != NULL && (flags & V_REC) && !lo_room(c, ve, data - V_TAR_BLOCK, name))
            ve = NULL; /* over max_los: neither recorded nor checked */
        if (ve != NULL && (flags & V_REC)) {
            if (add_lo(ve, oid, data, size, name, wrap) != DF_OK)
                return dfi_fail(err, DF_E_NOMEM, data, "out of memory");
            ve->found = V_FOUND_COMPLETE;
            ve->stored += size;
        }
    } else {
        *run = NULL;
        ve = tar_data_entry(c, name, &wrap);
        if (ve != NULL && (flags & V_REC)) {
            if (ve->found != V_FOUND_NONE) {
                entry_add(ve, DF_FIND_BAD_MEMBER, DF_SEVERITY_ERROR, data - V_TAR_BLOCK, name,
                          "a second member \"%s\" holds the data of this entry", name);
                ve = NULL;
            } else {
                ve->found = V_FOUND_COMPLETE;
                ve->start = data;
                ve->end = data + size;
                ve->stored = size;
                ve->wrap = wrap;
                if ((ve->member = strdup(name)) == NULL)
                    return dfi_fail(err, DF_E_NOMEM, data, "out of memory");
            }
        }
    }
    dec = ve != NULL && (flags & V_DEC);
    if (dec)
        stream_begin(&s, w, ve, wrap, oid == 0 && ve->table, data, data + size, name);
    rc = tar_member_data(w, b, err, dec ? &s : NULL, size);
    if (dec) {
        if (rc == DF_OK)
            stream_end(&s, data + size);
        else
            stream_close(&s);
    }
    if (rc != DF_OK) {
        if (ve != NULL && (flags & V_REC)) {
            ve->found = V_FOUND_PARTIAL;
            ve->cut = true;
            ve->stored -= size; /* counted above; a cut member stores nothing usable */
        }
        snprintf(what, sizeof what, "the data of member \"%s\" (offsets %lld..%lld)", name,
                 (long long)data, (long long)(data + size));
        tar_fail(c, ve, rc, err, name, what);
        return rc;
    }
    if (dec && oid == 0)
        ve->decoded = true;
    return DF_OK;
}

/* The two zero blocks that end a tar archive; anything after them is ignored. */
static void tar_end_blocks(vctx *c, dfi_buf *b, df_error *err, int64_t at)
{
    int rc;

    dfi_buf_consume(b, V_TAR_BLOCK);
    rc = dfi_buf_need(b, V_TAR_BLOCK, err);
    c->walk_stop = V_STOP_EOF;
    if (rc == DF_E_TRUNCATED) {
        vlist_add(&c->post, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, NULL, err->offset, NULL,
                  "the file ends at offset %lld inside the end-of-archive blocks that start at "
                  "offset %lld",
                  (long long)err->offset, (long long)at);
        c->walk_stop = V_STOP_ERROR;
    } else if (rc != DF_OK) {
        tar_fail(c, NULL, rc, err, NULL, "the end-of-archive blocks");
        c->walk_stop = V_STOP_ERROR;
    } else if (!dfi_tar_all_zero(dfi_buf_ptr(b))) {
        vlist_add(&c->post, DF_FIND_BAD_MEMBER, DF_SEVERITY_ERROR, NULL, at + V_TAR_BLOCK, NULL,
                  "a single zero block at offset %lld is followed by a non-zero block",
                  (long long)at);
        c->walk_stop = V_STOP_ERROR;
    }
    c->walk_end = at;
}

/* Walk the members after toc.dat to the end-of-archive blocks. */
static void tar_walk(vctx *c, vworker *w, dfi_buf *b, df_error *err, int flags)
{
    ventry *run = NULL;

    for (;;) {
        int64_t at = dfi_buf_tell(b), size = 0, data;
        char name[256];
        const uint8_t *h;
        int rc = dfi_buf_need(b, V_TAR_BLOCK, err);

        c->walk_end = at;
        c->walk_stop = V_STOP_ERROR;
        if (rc == DF_E_TRUNCATED && err->offset == at) {
            vlist_add(&c->post, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, NULL, at, NULL,
                      "the tar archive ends at offset %lld without its end-of-archive blocks",
                      (long long)at);
            return;
        }
        if (rc != DF_OK) {
            tar_fail(c, NULL, rc, err, NULL, "a member header");
            if (rc == DF_E_TRUNCATED)
                c->walk_end = err->offset;
            return;
        }
        h = dfi_buf_ptr(b);
        if (dfi_tar_all_zero(h)) {
            tar_end_blocks(c, b, err, at);
            return;
        }
        if (!dfi_tar_checksum_ok(h)) {
            vlist_add(&c->post, DF_FIND_BAD_CHECKSUM, DF_SEVERITY_ERROR, NULL, at, NULL,
                      "tar header checksum mismatch in the member header at offset %lld",
                      (long long)at);
            return;
        }
        if (!dfi_tar_parse_size(h + 124, &size)) {
            vlist_add(&c->post, DF_FIND_BAD_MEMBER, DF_SEVERITY_ERROR, NULL, at + 124, NULL,
                      "invalid size field in the member header at offset %lld", (long long)at);
            return;
        }
        dfi_tar_member_name(h, name, sizeof name);
        dfi_buf_consume(b, V_TAR_BLOCK);
        data = at + V_TAR_BLOCK;
        if (c->file_size >= 0 && data + size > c->file_size) {
            dfi_wrap wrap;
            uint32_t oid = blob_member_oid(name, &wrap);
            ventry *ve =
                oid ? (run ? run : tar_blobs_entry(c, oid)) : tar_data_entry(c, name, &wrap);
            if (ve != NULL && (flags & V_REC)) {
                ve->found = V_FOUND_PARTIAL;
                ve->cut = true;
            }
            /* the same words a pipe gets when its data run out (tar_member) */
            where_add(c, ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, c->file_size, name,
                      "the file ends at offset %lld inside the data of member \"%s\" (offsets "
                      "%lld..%lld)",
                      (long long)c->file_size, name, (long long)data, (long long)(data + size));
            return;
        }
        rc = tar_member(c, w, b, err, flags, name, data, size, &run);
        if (rc == DF_OK && (rc = dfi_buf_skip(b, round_block(size) - size, err)) != DF_OK) {
            char what[300];
            snprintf(what, sizeof what, "the padding of member \"%s\"", name);
            tar_fail(c, NULL, rc, err, name, what);
        }
        if (rc != DF_OK) {
            if (rc == DF_E_TRUNCATED)
                c->walk_end = err->offset; /* a pipe: where the input ended */
            return;
        }
    }
}

/* Entries whose member never showed up. */
static void tar_missing(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        char name[300];

        if (!ve->data || ve->found != V_FOUND_NONE)
            continue;
        if (ve->blobs)
            snprintf(name, sizeof name, "blob_*.dat");
        else
            snprintf(name, sizeof name, "%s", ve->e->filename ? ve->e->filename : "");
        if (c->walk_stop == V_STOP_ERROR)
            entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, eof_offset(c), name,
                      "member \"%s\" with the data of this entry is missing: the archive ends "
                      "at offset %lld before it",
                      name, (long long)eof_offset(c));
        else
            entry_add(ve, DF_FIND_MISSING_DATA, DF_SEVERITY_ERROR, c->walk_end, name,
                      "the archive has no member \"%s\" with the data of this entry", name);
    }
}

/* ================================================================== */
/* Directory format (spec §6)                                          */
/* ================================================================== */

/* A file name from toc.dat or an LO list must stay inside the directory. */
static bool safe_name(const char *name)
{
    return dfi_member_name_ok(name);
}

/*
 * Find name, name.gz, name.lz4, name.zst (pg_restore's order): DF_OK, or
 * DF_E_NOTFOUND when none exists, or the error of the first that exists but
 * may not be read (not a regular file, a symbolic link out of the directory).
 */
static int dir_discover(const vctx *c, const char *name, char *member, size_t mn, dfi_wrap *wrap,
                        int64_t *size, df_error *err)
{
    static const char *const suffix[] = {"", ".gz", ".lz4", ".zst"};
    static const dfi_wrap wraps[] = {DFI_WRAP_RAW, DFI_WRAP_GZIP, DFI_WRAP_LZ4F, DFI_WRAP_ZSTD};

    for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
        int rc;

        if ((size_t)snprintf(member, mn, "%s%s", name, suffix[i]) >= mn)
            return dfi_fail(err, DF_E_LIMIT, -1, "file name \"%s\" is too long", name);
        rc = dfi_member_check(c->path, member, c->r->follow_symlinks, size, err);
        if (rc == DF_E_NOTFOUND)
            continue;
        *wrap = wraps[i];
        return rc;
    }
    return DF_E_NOTFOUND;
}

/* A member dir_discover found but may not read: what it is and why. */
static void dir_refused(ventry *ve, const char *member, const df_error *err)
{
    if (err->code == DF_E_CORRUPT || err->code == DF_E_LIMIT)
        entry_add(ve, DF_FIND_NOT_REGULAR_FILE, DF_SEVERITY_ERROR, -1, member, "%s", err->message);
    else
        entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, -1, member, "%s", err->message);
}

/* A buffer window over an open source; the source is closed when that fails. */
static int window_over(dfi_src *src, dfi_buf *b, df_error *err)
{
    int rc = dfi_buf_init(b, src, DFI_BUF_SIZE, err);

    if (rc != DF_OK)
        dfi_src_close(src);
    return rc;
}

static int open_member(const vctx *c, const char *member, dfi_src *src, dfi_buf *b, df_error *err)
{
    int rc;

    rc = dfi_src_open_member(src, c->path, member, c->r->follow_symlinks, err);
    return rc == DF_OK ? window_over(src, b, err) : rc;
}

/* An LO list: pg_dump writes it plain, pg_restore also finds it compressed (.gz ...). */
static int open_lo_list(const vctx *c, const char *name, dfi_src *src, dfi_buf *b, df_error *err)
{
    char member[300];
    int wrap, rc = dfi_src_open_discover(src, c->path, name, member, sizeof member, &wrap,
                                         c->r->follow_symlinks, err);

    if (rc == DF_OK && (rc = dfi_src_decode(src, wrap, err)) != DF_OK)
        dfi_src_close(src);
    return rc == DF_OK ? window_over(src, b, err) : rc;
}

/* Read a BLOBS entry's LO list and find each LO's file. */
static void dir_lo_list(vctx *c, ventry *ve)
{
    const char *list =
        c->r->arch.version >= DF_MAKE_VERSION(1, 16, 0) ? ve->e->filename : "blobs.toc";
    dfi_src src;
    dfi_buf b;
    df_error err;
    dfi_line line = {NULL, 0, 0};
    int64_t at = 0;

    if (!safe_name(list)) {
        entry_add(ve, DF_FIND_BAD_TOC, DF_SEVERITY_ERROR, ve->e->toc_offset, "",
                  "invalid LO list file name \"%s\" in the TOC", list ? list : "");
        return;
    }
    if ((ve->member = strdup(list)) == NULL) {
        c->pre.oom = true;
        return;
    }
    if (open_lo_list(c, list, &src, &b, &err) != DF_OK) {
        if (err.code == DF_E_NOTFOUND)
            entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, list,
                      "the large object list \"%s\" of this entry is missing", list);
        else
            dir_refused(ve, list, &err);
        return;
    }
    ve->found = V_FOUND_COMPLETE;
    for (;;) {
        int rc = dfi_buf_fill(&b, &err);
        uint8_t ch;

        if (rc == DF_EOF) {
            if (line.n > 0)
                entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, dfi_buf_tell(&b), list,
                          "the last line of the large object list has no newline");
            break;
        }
        if (rc != DF_OK) {
            entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err.offset, list, "%s",
                      err.message);
            break;
        }
        ch = dfi_buf_ptr(&b)[0];
        dfi_buf_consume(&b, 1);
        if (ch != '\n') {
            if ((rc = dfi_line_push(&line, &c->r->lim, (char)ch)) != DF_OK) {
                entry_add(ve, rc == DF_E_LIMIT ? DF_FIND_OVER_LIMIT : DF_FIND_COULD_NOT_CHECK,
                          rc == DF_E_LIMIT ? DF_SEVERITY_ERROR : DF_SEVERITY_UNKNOWN, at, list,
                          rc == DF_E_LIMIT ? "line of the large object list is longer than the "
                                             "limit (max_line)"
                                           : "out of memory");
                break;
            }
            continue;
        }
        if (!lo_room(c, ve, at, list))
            break;
        {
            uint32_t oid;
            char *name, member[300];
            dfi_wrap wrap;
            int64_t size;

            if (line.n == 0 || !dfi_lo_list_line(line.s, &oid, &name) || !safe_name(name)) {
                entry_add(ve, DF_FIND_BAD_LO_LIST, DF_SEVERITY_ERROR, at, list,
                          "invalid line in the large object list");
                break;
            }
            rc = dir_discover(c, name, member, sizeof member, &wrap, &size, &err);
            if (rc == DF_E_NOTFOUND) {
                entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, name,
                          "the file of large object %u is missing (also tried .gz, .lz4, .zst)",
                          oid);
                ve->cut = true;
            } else if (rc != DF_OK) {
                dir_refused(ve, member, &err);
                ve->cut = true;
            } else if (add_lo(ve, oid, -1, size, member, wrap) != DF_OK) {
                entry_add(ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, -1, list,
                          "out of memory");
                break;
            } else {
                ve->stored += size;
            }
        }
        line.n = 0;
        at = dfi_buf_tell(&b);
    }
    free(line.s);
    dfi_buf_free(&b);
    dfi_src_close(&src);
}

static const char *dir_suffix_hint(const vctx *c)
{
    switch (c->r->hdr.compression) {
    case DF_COMPRESS_GZIP: return ".gz";
    case DF_COMPRESS_LZ4: return ".lz4";
    case DF_COMPRESS_ZSTD: return ".zst";
    default: return "";
    }
}

/* Find every data file toc.dat names. */
static void dir_prepare(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        char member[300];
        df_error err;
        int rc;

        if (!ve->data)
            continue;
        if (ve->blobs) {
            dir_lo_list(c, ve);
            continue;
        }
        if (!safe_name(ve->e->filename)) {
            entry_add(ve, DF_FIND_BAD_TOC, DF_SEVERITY_ERROR, ve->e->toc_offset, "toc.dat",
                      "invalid data file name \"%s\" in the TOC", ve->e->filename);
            continue;
        }
        rc = dir_discover(c, ve->e->filename, member, sizeof member, &ve->wrap, &ve->stored, &err);
        if (rc != DF_OK && rc != DF_E_NOTFOUND) {
            dir_refused(ve, member, &err);
            continue;
        }
        if (rc != DF_OK) {
            /* Name the file the header's compression says pg_dump wrote. */
            snprintf(member, sizeof member, "%s%s", ve->e->filename, dir_suffix_hint(c));
            entry_add(ve, DF_FIND_MISSING_FILE, DF_SEVERITY_ERROR, -1, member,
                      "the data file of this entry is missing (tried \"%s\" with no suffix and "
                      "with .gz, .lz4, .zst)",
                      ve->e->filename);
            continue;
        }
        if ((ve->member = strdup(member)) == NULL) {
            c->pre.oom = true;
            continue;
        }
        ve->found = V_FOUND_COMPLETE;
    }
}

/* --- quick checks of one file without decompressing ----------------- */

static int qread(dfi_buf *b, df_error *err, size_t n, const uint8_t **p)
{
    int rc = dfi_buf_need(b, n, err);

    if (rc != DF_OK)
        return rc;
    *p = dfi_buf_ptr(b);
    dfi_buf_consume(b, n);
    return DF_OK;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Walk an LZ4 frame's blocks to its end mark (spec §8) without decoding. */
static int lz4_walk(dfi_buf *b, df_error *err)
{
    const uint8_t *p;
    int flg, rc;

    while ((rc = dfi_buf_fill(b, err)) == DF_OK) {
        if ((rc = qread(b, err, 4, &p)) != DF_OK)
            return rc;
        if ((le32(p) & 0xfffffff0u) == 0x184d2a50u) { /* skippable frame */
            if ((rc = qread(b, err, 4, &p)) != DF_OK)
                return rc;
            if ((rc = dfi_buf_skip(b, le32(p), err)) != DF_OK)
                return rc;
            continue;
        }
        if (le32(p) != 0x184d2204u)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 4, "not an lz4 frame");
        if ((rc = qread(b, err, 2, &p)) != DF_OK)
            return rc;
        flg = p[0];
        if ((flg >> 6) != 1)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 2, "unknown lz4 frame version");
        if ((rc = dfi_buf_skip(b, ((flg & 0x08) ? 8 : 0) + ((flg & 0x01) ? 4 : 0) + 1, err)))
            return rc;
        for (;;) {
            uint32_t size;

            if ((rc = qread(b, err, 4, &p)) != DF_OK)
                return rc;
            size = le32(p) & 0x7fffffffu;
            if (le32(p) == 0)
                break;
            if (size > (4u << 20))
                return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 4,
                                "lz4 block size %u is larger than any lz4 block", size);
            if ((rc = dfi_buf_skip(b, size + ((flg & 0x10) ? 4 : 0), err)) != DF_OK)
                return rc;
        }
        if ((flg & 0x04) && (rc = dfi_buf_skip(b, 4, err)) != DF_OK)
            return rc;
    }
    return rc == DF_EOF ? DF_OK : rc;
}

/* Walk a zstd frame's block headers to its last block without decoding. */
static int zstd_walk(dfi_buf *b, df_error *err)
{
    static const int did_size[4] = {0, 1, 2, 4}, fcs_size[4] = {0, 2, 4, 8};
    const uint8_t *p;
    int rc;

    while ((rc = dfi_buf_fill(b, err)) == DF_OK) {
        int fhd, single, skip;

        if ((rc = qread(b, err, 4, &p)) != DF_OK)
            return rc;
        if ((le32(p) & 0xfffffff0u) == 0x184d2a50u) { /* skippable frame */
            if ((rc = qread(b, err, 4, &p)) != DF_OK || (rc = dfi_buf_skip(b, le32(p), err)))
                return rc;
            continue;
        }
        if (le32(p) != 0xfd2fb528u)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 4, "not a zstd frame");
        if ((rc = qread(b, err, 1, &p)) != DF_OK)
            return rc;
        fhd = p[0];
        single = (fhd >> 5) & 1;
        if (fhd & 0x08)
            return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 1,
                            "reserved bit set in a zstd frame header");
        skip =
            (single ? 0 : 1) + did_size[fhd & 3] + ((fhd >> 6) == 0 ? single : fcs_size[fhd >> 6]);
        if ((rc = dfi_buf_skip(b, skip, err)) != DF_OK)
            return rc;
        for (;;) {
            uint32_t h;

            if ((rc = qread(b, err, 3, &p)) != DF_OK)
                return rc;
            h = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
            if (((h >> 1) & 3) == 3)
                return dfi_fail(err, DF_E_CORRUPT, dfi_buf_tell(b) - 3, "reserved zstd block type");
            if ((rc = dfi_buf_skip(b, ((h >> 1) & 3) == 1 ? 1 : h >> 3, err)) != DF_OK)
                return rc;
            if (h & 1)
                break;
        }
        if ((fhd & 0x04) && (rc = dfi_buf_skip(b, 4, err)) != DF_OK)
            return rc;
    }
    return rc == DF_EOF ? DF_OK : rc;
}

/* Uncompressed COPY data end with "\.\n" and newlines; INSERT data with ";". */
static int raw_tail(dfi_buf *b, df_error *err, int64_t size, int mode, const char **why)
{
    uint8_t tail[64];
    int64_t from = size > (int64_t)sizeof tail ? size - (int64_t)sizeof tail : 0;
    size_t n = (size_t)(size - from), k;
    int rc = dfi_buf_seek(b, from, err);

    if (rc == DF_OK)
        rc = dfi_buf_read(b, tail, n, err);
    if (rc != DF_OK)
        return rc;
    for (k = n; k > 0 && (tail[k - 1] == '\n' || (mode == DF_ROWS_INSERT && isspace(tail[k - 1])));
         k--)
        ;
    *why = NULL;
    if (mode == DF_ROWS_INSERT) {
        if (k > 0 && tail[k - 1] != ';')
            *why = "INSERT data do not end with a complete statement";
        return DF_OK;
    }
    /* k bytes up to the last non-newline: they must end in a "\." line */
    if (k < 2 || tail[k - 2] != '\\' || tail[k - 1] != '.' || k == n ||
        (k > 2 && tail[k - 3] != '\n') || (k == 2 && from > 0))
        *why = "COPY data do not end with the \"\\.\" terminator line";
    return DF_OK;
}

/* What --quick can see of one stored file. */
static void quick_file(vctx *c, ventry *ve, const char *member, dfi_wrap wrap, int64_t size,
                       bool table)
{
    dfi_src src;
    dfi_buf b;
    df_error err;
    const char *why = NULL;
    int rc;

    if (wrap == DFI_WRAP_GZIP && size < 20) {
        entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, size, member,
                  "%lld bytes are fewer than the smallest gzip member (20 bytes)", (long long)size);
        return;
    }
    if (wrap == DFI_WRAP_RAW && !table)
        return; /* large object bytes: nothing to see without a length */
    if (open_member(c, member, &src, &b, &err) != DF_OK) {
        entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, -1, member, "%s", err.message);
        return;
    }
    switch (wrap) {
    case DFI_WRAP_GZIP: {
        const uint8_t *p;
        rc = qread(&b, &err, 3, &p);
        if (rc == DF_OK && (p[0] != 0x1f || p[1] != 0x8b || p[2] != 8))
            rc = dfi_fail(&err, DF_E_CORRUPT, 0, "not a gzip file");
        break;
    }
    case DFI_WRAP_LZ4F: rc = lz4_walk(&b, &err); break;
    case DFI_WRAP_ZSTD: rc = zstd_walk(&b, &err); break;
    default: rc = raw_tail(&b, &err, size, ve->rows_mode, &why); break;
    }
    if (rc == DF_E_TRUNCATED)
        entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, err.offset, member,
                  "the file ends at offset %lld inside its compressed frame",
                  (long long)err.offset);
    else if (rc == DF_E_CORRUPT)
        entry_add(ve, DF_FIND_BAD_DATA, DF_SEVERITY_ERROR, err.offset, member, "%s", err.message);
    else if (rc != DF_OK)
        entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, err.offset, member, "%s",
                  err.message);
    else if (why != NULL)
        entry_add(ve, DF_FIND_MISSING_TERMINATOR, DF_SEVERITY_ERROR, size, member, "%s", why);
    dfi_buf_free(&b);
    dfi_src_close(&src);
}

static void dir_quick(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];

        if (!ve->data || ve->found != V_FOUND_COMPLETE)
            continue;
        if (ve->blobs) {
            for (size_t k = 0; k < ve->nlos; k++)
                quick_file(c, ve, ve->los[k].name, ve->los[k].wrap, ve->los[k].size, false);
        } else {
            quick_file(c, ve, ve->member, ve->wrap, ve->stored, ve->table);
        }
    }
}

/* Full check of one stored file of a directory archive. */
static void dir_file(vworker *w, ventry *ve, const char *member, dfi_wrap wrap, bool table)
{
    dfi_src src;
    dfi_buf b;
    vstream s;
    int rc;

    if (open_member(w->c, member, &src, &b, &w->err) != DF_OK) {
        entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, -1, member, "%s", w->err.message);
        return;
    }
    stream_begin(&s, w, ve, wrap, table, 0, src.size, member);
    while ((rc = dfi_buf_fill(&b, &w->err)) == DF_OK) {
        size_t n = dfi_buf_avail(&b);
        stream_feed(&s, dfi_buf_ptr(&b), n, dfi_buf_tell(&b));
        dfi_buf_consume(&b, n);
        note_progress(w, NULL, (int64_t)n);
    }
    if (rc == DF_EOF) {
        stream_end(&s, dfi_buf_tell(&b));
    } else {
        stream_close(&s);
        entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, w->err.offset, member, "%s",
                  w->err.message);
    }
    dfi_buf_free(&b);
    dfi_src_close(&src);
}

/* ================================================================== */
/* TOC checks                                                          */
/* ================================================================== */

static int cmp_id_index(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;

    return x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : (x[1] > y[1]) - (x[1] < y[1]);
}

static void check_duplicates(vctx *c)
{
    int64_t *pairs = malloc((c->n ? c->n : 1) * 2 * sizeof *pairs);

    if (pairs == NULL) {
        c->pre.oom = true;
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        pairs[2 * i] = c->ents[i].e->dump_id;
        pairs[2 * i + 1] = (int64_t)i;
    }
    qsort(pairs, c->n, 2 * sizeof *pairs, cmp_id_index);
    for (size_t i = 1; i < c->n; i++) {
        if (pairs[2 * i] != pairs[2 * i - 2])
            continue;
        entry_add(&c->ents[pairs[2 * i + 1]], DF_FIND_DUPLICATE_ID, DF_SEVERITY_ERROR,
                  c->ents[pairs[2 * i + 1]].e->toc_offset, NULL,
                  "dump id %d is also the id of TOC entry %lld", (int)pairs[2 * i],
                  (long long)pairs[2 * i - 1]);
    }
    free(pairs);
}

/* Entries that should own a data stream but have none, and dependencies on absent ids. */
static void check_entries(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = ve->e;
        char list[200];
        size_t used = 0, missing = 0;

        if (dfi_desc_is(e, "TABLE DATA") && !ve->data)
            entry_add(ve, DF_FIND_ENTRY_WITHOUT_DATA, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the TOC gives this TABLE DATA entry no data: its table would restore empty");
        else if (e->had_dumper && !ve->data)
            entry_add(ve, DF_FIND_ENTRY_WITHOUT_DATA, DF_SEVERITY_ERROR, e->toc_offset, NULL,
                      "the entry has a data dumper but the TOC gives it no data");
        list[0] = '\0';
        for (size_t d = 0; d < e->ndeps; d++) {
            if (df_reader_find(c->r, e->deps[d]) != NULL)
                continue;
            if (missing++ < 8 && used < sizeof list)
                used += (size_t)snprintf(list + used, sizeof list - used, "%s%d",
                                         missing > 1 ? ", " : "", e->deps[d]);
        }
        if (missing > 0)
            entry_add(ve, DF_FIND_DANGLING_DEPENDENCY, DF_SEVERITY_INFO, e->toc_offset, NULL,
                      "depends on dump id%s %s%s, not in the TOC (pg_dump's section boundaries "
                      "or objects left out of the dump: normal)",
                      missing > 1 ? "s" : "", list, missing > 8 ? ", ..." : "");
    }
}

/* Would pg_restore `pg` refuse this archive?  Then the finding's message, else false. */
static bool archive_too_new(const df_header *h, int pg, char *msg, size_t n)
{
    int need = 0;

    if (pg <= 0 || h->header_end < 0 || h->format == DF_FORMAT_PLAIN ||
        h->vmin <= df_pg_restore_max_minor(pg))
        return false;
    for (int v = 10; v <= 99 && need == 0; v++)
        if (df_pg_restore_max_minor(v) >= h->vmin)
            need = v;
    snprintf(msg, n,
             "archive version %d.%d needs pg_restore %d or newer; pg_restore %d reads archives "
             "up to %d.%d and will refuse it",
             h->vmaj, h->vmin, need, pg, 1, df_pg_restore_max_minor(pg));
    return true;
}

static void check_version(vctx *c)
{
    char msg[V_MSG];

    if (archive_too_new(&c->r->hdr, c->opt->pg_restore_version, msg, sizeof msg))
        vlist_add(&c->pre, DF_FIND_ARCHIVE_NEWER, DF_SEVERITY_WARNING, NULL, 5, NULL, "%s", msg);
}

static void check_offsets_present(vctx *c)
{
    size_t n = 0;

    for (size_t i = 0; i < c->n; i++)
        n += c->ents[i].data && c->ents[i].e->offset_state == DF_OFFSET_NOT_SET;
    if (n > 0)
        vlist_add(&c->pre, DF_FIND_NO_DATA_OFFSETS, DF_SEVERITY_WARNING, NULL, c->r->hdr.header_end,
                  NULL,
                  "the TOC stores no data offsets for %zu data entries (pg_dump wrote to a pipe "
                  "or to a redirected stdout): pg_restore must scan for every block, and "
                  "pg_restore -j cannot size or reorder the work",
                  n);
}

/* ================================================================== */
/* Large objects                                                       */
/* ================================================================== */

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

    return (x > y) - (x < y);
}

static int want_add(ventry *ve, uint32_t oid, size_t *cap)
{
    if (ve->nwant == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        uint32_t *nv = realloc(ve->want, nc * sizeof *nv);
        if (nv == NULL)
            return DF_E_NOMEM;
        ve->want = nv;
        *cap = nc;
    }
    ve->want[ve->nwant++] = oid;
    return DF_OK;
}

/* OIDs of a 1.16 BLOB METADATA defn: one per line. */
static int want_from_metadata(ventry *ve, const char *defn, size_t *cap)
{
    const char *s = defn;

    while (s && *s) {
        char *end;
        unsigned long v = strtoul(s, &end, 10);

        if (end != s && v > 0 && v <= UINT32_MAX && want_add(ve, (uint32_t)v, cap) != DF_OK)
            return DF_E_NOMEM;
        s = strchr(end, '\n');
        if (s)
            s++;
    }
    return DF_OK;
}

/*
 * Which large objects each BLOBS entry must hold: from 1.16 the OIDs of the
 * BLOB METADATA entries it depends on; 1.12-1.15 every BLOB entry's OID,
 * all in the one BLOBS entry.  Older archives create LOs in the data.
 */
static void lo_expectations(vctx *c)
{
    ventry *only = NULL;
    size_t nblobs = 0, nblob = 0, cap = 0;

    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        size_t vcap = 0;

        if (dfi_desc_is(ve->e, "BLOB"))
            nblob++;
        if (!ve->blobs)
            continue;
        nblobs++;
        only = ve;
        for (size_t d = 0; d < ve->e->ndeps; d++) {
            const df_entry *m = df_reader_find(c->r, ve->e->deps[d]);
            if (m == NULL || !dfi_desc_is(m, "BLOB METADATA"))
                continue;
            ve->want_known = true;
            if (want_from_metadata(ve, m->defn, &vcap) != DF_OK)
                c->pre.oom = true;
        }
    }
    /* A plain script cut short has lost its BLOBS part: no-trailer says so already. */
    if (nblob > 0 && nblobs == 0 &&
        !(c->r->hdr.format == DF_FORMAT_PLAIN && !c->r->hdr.has_trailer)) {
        vlist_add(&c->pre, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, NULL, -1, NULL,
                  "%zu large objects have BLOB entries but the archive has no BLOBS data entry: "
                  "they would restore empty",
                  nblob);
    } else if (nblob > 0 && nblobs == 1 && !only->want_known) {
        only->want_known = true;
        for (size_t i = 0; i < c->n; i++) {
            const df_entry *e = c->ents[i].e;
            if (dfi_desc_is(e, "BLOB") &&
                want_add(only, e->tag ? (uint32_t)strtoul(e->tag, NULL, 10) : e->oid, &cap))
                c->pre.oom = true;
        }
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->ents[i].nwant > 1)
            qsort(c->ents[i].want, c->ents[i].nwant, sizeof(uint32_t), cmp_u32);
}

/* The LOs found in a complete BLOBS entry against those its TOC entries create. */
static void lo_check(vctx *c, ventry *ve)
{
    uint32_t *got;
    size_t ng = ve->nlos, missing = 0, extra = 0, dup = 0;
    uint32_t first_missing = 0, first_extra = 0, first_dup = 0;
    size_t i = 0, k = 0;

    /* A plain script's large objects are only enumerated by the full check. */
    if (!ve->want_known || ve->found != V_FOUND_COMPLETE || ve->cut ||
        (c->r->hdr.format == DF_FORMAT_PLAIN && !ve->decoded))
        return;
    got = malloc((ng ? ng : 1) * sizeof *got);
    if (got == NULL) {
        ve->finds.oom = true;
        return;
    }
    for (size_t j = 0; j < ng; j++)
        got[j] = ve->los[j].oid;
    qsort(got, ng, sizeof *got, cmp_u32);
    while (i < ve->nwant || k < ng) {
        if (k > 0 && k < ng && got[k] == got[k - 1]) {
            if (dup++ == 0)
                first_dup = got[k];
            k++;
        } else if (k == ng || (i < ve->nwant && ve->want[i] < got[k])) {
            if (missing++ == 0)
                first_missing = ve->want[i];
            i++;
        } else if (i == ve->nwant || got[k] < ve->want[i]) {
            if (extra++ == 0)
                first_extra = got[k];
            k++;
        } else {
            i++, k++;
        }
    }
    free(got);
    if (missing > 0)
        entry_add(ve, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, ve->start, ve->member,
                  "%zu large objects the TOC creates have no data here (the first: %u); "
                  "they would restore empty",
                  missing, first_missing);
    if (extra > 0)
        entry_add(ve, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, ve->start, ve->member,
                  "%zu large objects have data here but no TOC entry creates them (the first: "
                  "%u); their restore would fail",
                  extra, first_extra);
    if (dup > 0)
        entry_add(ve, DF_FIND_LO_MISMATCH, DF_SEVERITY_ERROR, ve->start, ve->member,
                  "%zu large objects have data twice (the first: %u)", dup, first_dup);
}

/* ================================================================== */
/* Sequences behind their data                                         */
/* ================================================================== */

/* "SELECT pg_catalog.setval('s', 42, true);": the value and is_called. */
static bool parse_setval(const char *defn, vseq *q)
{
    const char *s = defn ? strstr(defn, "setval(") : NULL;
    char *end;
    long long v;

    if (s == NULL)
        return false;
    s = skip_space(s + 7);
    if (*s != '\'')
        return false;
    for (s++; *s; s++)
        if (*s == '\'') {
            if (s[1] != '\'')
                break;
            s++;
        }
    if (*s != '\'')
        return false;
    s = skip_space(s + 1);
    if (*s != ',')
        return false;
    s = skip_space(s + 1);
    errno = 0;
    v = strtoll(s, &end, 10);
    if (end == s || errno != 0)
        return false;
    s = skip_space(end);
    if (*s != ',')
        return false;
    s = skip_space(s + 1);
    if (starts_with(s, "true"))
        q->called = true;
    else if (starts_with(s, "false"))
        q->called = false;
    else
        return false;
    q->value = v;
    return true;
}

/* A 1- or 2-part table name; a bare name is in the entry's schema (old search_path dumps). */
static bool parse_table(const char **sp, const char *dflt_schema, char *schema, char *table)
{
    char parts[V_MAX_PARTS][V_IDENT];
    int n = parse_qualified(sp, parts);

    if (n == 1 && dflt_schema != NULL) {
        snprintf(schema, V_IDENT, "%s", dflt_schema);
        snprintf(table, V_IDENT, "%s", parts[0]);
        return true;
    }
    if (n != 2)
        return false;
    snprintf(schema, V_IDENT, "%s", parts[0]);
    snprintf(table, V_IDENT, "%s", parts[1]);
    return true;
}

/* "nextval('s'::regclass)" at s: the sequence a column default takes its values from. */
static bool parse_nextval(const char *s, const char *dflt_schema, char *schema, char *name)
{
    char text[2 * V_IDENT + 8];
    const char *p;
    size_t n = 0;

    s = skip_space(s);
    if (strncmp(s, "pg_catalog.", 11) == 0)
        s += 11;
    if (strncmp(s, "nextval(", 8) != 0)
        return false;
    s = skip_space(s + 8);
    if (*s != '\'')
        return false;
    for (s++; *s; s++) { /* the regclass literal, quotes undoubled */
        if (*s == '\'') {
            if (s[1] != '\'')
                break;
            s++;
        }
        if (n + 1 >= sizeof text)
            return false;
        text[n++] = *s;
    }
    if (*s != '\'')
        return false;
    text[n] = '\0';
    p = text;
    return parse_table(&p, dflt_schema, schema, name) && *p == '\0';
}

static bool same_name(const df_entry *e, const char *schema, const char *tag)
{
    return streq(e->tag, tag) && (e->schema ? streq(e->schema, schema) : schema[0] == '\0');
}

/* Record that sequence schema.name feeds column tschema.table.column. */
static void link_add(vctx *c, const char *schema, const char *name, const char *tschema,
                     const char *table, const char *column)
{
    for (size_t k = 0; k < c->nseqs; k++) {
        vlink *l;

        if (!same_name(c->seqs[k].e, schema, name))
            continue;
        if (c->nlinks == c->caplinks) {
            size_t cap = c->caplinks ? c->caplinks * 2 : 8;
            vlink *nv = realloc(c->links, cap * sizeof *nv);
            if (nv == NULL) {
                c->pre.oom = true;
                return;
            }
            c->links = nv;
            c->caplinks = cap;
        }
        l = &c->links[c->nlinks++];
        l->seq = k;
        snprintf(l->tschema, V_IDENT, "%s", tschema);
        snprintf(l->table, V_IDENT, "%s", table);
        snprintf(l->column, V_IDENT, "%s", column);
        return;
    }
}

/* "ALTER TABLE [ONLY] t ALTER COLUMN c" in the entry's definition: t, c and what follows. */
static const char *alter_column(const df_entry *e, char *ts, char *tt, char *col)
{
    const char *s = e->defn ? strstr(e->defn, "ALTER TABLE ") : NULL;

    if (s == NULL)
        return NULL;
    s += 12;
    if (strncmp(s, "ONLY ", 5) == 0)
        s += 5;
    if (!parse_table(&s, e->schema, ts, tt))
        return NULL;
    s = skip_space(s);
    if (strncmp(s, "ALTER COLUMN ", 13) != 0)
        return NULL;
    s += 13;
    return parse_ident(&s, col, V_IDENT) ? skip_space(s) : NULL;
}

/* DEFAULT: "ALTER TABLE ONLY t ALTER COLUMN c SET DEFAULT nextval('s'::regclass);". */
static void links_from_default(vctx *c, const df_entry *e)
{
    char ts[V_IDENT], tt[V_IDENT], col[V_IDENT], ss[V_IDENT], sn[V_IDENT];
    const char *s = alter_column(e, ts, tt, col);

    if (s != NULL && strncmp(s, "SET DEFAULT ", 12) == 0 &&
        parse_nextval(s + 12, e->schema, ss, sn))
        link_add(c, ss, sn, ts, tt, col);
}

/* Identity: "ALTER TABLE t ALTER COLUMN c ADD GENERATED ... AS IDENTITY (SEQUENCE NAME s ...". */
static void links_from_identity(vctx *c, const df_entry *e)
{
    char ts[V_IDENT], tt[V_IDENT], col[V_IDENT];
    const char *s = alter_column(e, ts, tt, col);

    if (s != NULL && strncmp(s, "ADD GENERATED ", 14) == 0)
        link_add(c, e->schema ? e->schema : "", e->tag ? e->tag : "", ts, tt, col);
}

static int64_t parse_increment(const char *defn)
{
    const char *s = defn ? strstr(defn, "INCREMENT BY ") : NULL;
    long long v;

    if (s == NULL)
        return 1;
    errno = 0;
    v = strtoll(s + 13, NULL, 10);
    return errno == 0 && v != 0 ? v : 1;
}

/* Skip one element of a parenthesised list: to the ',' or ')' at its own level. */
static const char *skip_element(const char *s)
{
    int depth = 0;

    for (; *s; s++) {
        if (*s == '\'' || *s == '"') {
            char q = *s;
            for (s++; *s && !(*s == q && s[1] != q); s++)
                if (*s == q)
                    s++;
            if (*s == '\0')
                return s;
        } else if (*s == '(') {
            depth++;
        } else if (*s == ')') {
            if (depth-- == 0)
                return s;
        } else if (*s == ',' && depth == 0) {
            return s;
        }
    }
    return s;
}

/* "CREATE TABLE t (": the start of the list of columns, or NULL. */
static const char *table_list(const char *defn)
{
    char parts[V_MAX_PARTS][V_IDENT];
    const char *s = defn ? strstr(defn, "TABLE ") : NULL;

    if (s == NULL)
        return NULL;
    s += 6;
    if (parse_qualified(&s, parts) == 0)
        return NULL;
    s = skip_space(s);
    return *s == '(' ? s + 1 : NULL;
}

/*
 * One element of that list at *sp: its first word in `name`, whether it is
 * a column (not a table constraint or LIKE) and where it starts; *sp moves
 * to the ',' or ')' after it.  False when no name can be read.
 */
static bool table_element(const char **sp, char *name, bool *column, const char **at)
{
    static const char *const not_columns[] = {"CONSTRAINT", "CHECK",   "PRIMARY", "UNIQUE",
                                              "FOREIGN",    "EXCLUDE", "LIKE"};
    const char *s = skip_space(*sp);
    bool quoted = *s == '"';

    *at = s;
    if (!parse_ident(&s, name, V_IDENT))
        return false;
    *column = true;
    for (size_t k = 0; k < sizeof not_columns / sizeof not_columns[0] && !quoted; k++)
        if (strcmp(name, not_columns[k]) == 0)
            *column = false;
    *sp = skip_element(*at);
    return true;
}

/* Column defaults inside "CREATE TABLE t (c integer DEFAULT nextval('s'::regclass), ...)". */
static void links_from_table(vctx *c, const df_entry *e)
{
    char name[V_IDENT], ss[V_IDENT], sn[V_IDENT];
    const char *s = table_list(e->defn), *at;
    bool column;

    while (s != NULL && table_element(&s, name, &column, &at)) {
        for (const char *p = at; column && p < s; p++)
            if (strncmp(p, " DEFAULT ", 9) == 0 && parse_nextval(p + 9, e->schema, ss, sn)) {
                link_add(c, ss, sn, e->schema ? e->schema : "", e->tag ? e->tag : "", name);
                break;
            }
        if (*s != ',')
            break;
        s++;
    }
}

/* Find the columns each SEQUENCE SET feeds, and each sequence's increment. */
static void seq_links(vctx *c)
{
    for (size_t i = 0; i < c->n; i++) {
        const df_entry *e = c->ents[i].e;

        if (dfi_desc_is(e, "DEFAULT")) {
            links_from_default(c, e);
        } else if (dfi_desc_is(e, "TABLE") || dfi_desc_is(e, "FOREIGN TABLE")) {
            links_from_table(c, e);
        } else if (dfi_desc_is(e, "SEQUENCE")) {
            for (size_t k = 0; k < c->nseqs; k++)
                if (same_name(c->seqs[k].e, e->schema ? e->schema : "", e->tag ? e->tag : ""))
                    c->seqs[k].increment = parse_increment(e->defn);
            links_from_identity(c, e);
        }
    }
}

/* Child tables: partitions (TABLE ATTACH, PARTITION OF) and INHERITS children. */
typedef struct vedge {
    char ps[V_IDENT], pt[V_IDENT]; /* parent */
    size_t child;                  /* index of the child's TABLE entry */
} vedge;

static int edge_add(vedge **v, size_t *n, size_t *cap, const char *ps, const char *pt, size_t child)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        vedge *nv = realloc(*v, nc * sizeof *nv);
        if (nv == NULL)
            return DF_E_NOMEM;
        *v = nv;
        *cap = nc;
    }
    snprintf((*v)[*n].ps, V_IDENT, "%s", ps);
    snprintf((*v)[*n].pt, V_IDENT, "%s", pt);
    (*v)[*n].child = child;
    (*n)++;
    return DF_OK;
}

/* The TABLE entry named schema.table, or -1. */
static ssize_t find_table(const vctx *c, const char *schema, const char *table)
{
    for (size_t i = 0; i < c->n; i++) {
        const df_entry *e = c->ents[i].e;
        if ((dfi_desc_is(e, "TABLE") || dfi_desc_is(e, "FOREIGN TABLE")) &&
            same_name(e, schema, table))
            return (ssize_t)i;
    }
    return -1;
}

/* TABLE ATTACH: "ALTER TABLE ONLY parent ATTACH PARTITION child FOR VALUES ...". */
static bool parse_attach(const df_entry *e, char *ps, char *pt, char *cs, char *ct)
{
    const char *s = e->defn ? strstr(e->defn, "ALTER TABLE ") : NULL;

    if (s == NULL)
        return false;
    s += 12;
    if (strncmp(s, "ONLY ", 5) == 0)
        s += 5;
    if (!parse_table(&s, e->schema, ps, pt) || strncmp(s, " ATTACH PARTITION ", 18) != 0)
        return false;
    s += 18;
    return parse_table(&s, e->schema, cs, ct);
}

static void table_edges(vctx *c, vedge **v, size_t *n)
{
    size_t cap = 0;

    for (size_t i = 0; i < c->n; i++) {
        const df_entry *e = c->ents[i].e;
        const char *s;
        char ps[V_IDENT], pt[V_IDENT], cs[V_IDENT], ct[V_IDENT];

        if (dfi_desc_is(e, "TABLE ATTACH") && parse_attach(e, ps, pt, cs, ct)) {
            ssize_t child = find_table(c, cs, ct);
            if (child >= 0 && edge_add(v, n, &cap, ps, pt, (size_t)child) != DF_OK)
                c->pre.oom = true;
        }
        if (!dfi_desc_is(e, "TABLE") && !dfi_desc_is(e, "FOREIGN TABLE"))
            continue;
        if ((s = strstr(e->defn ? e->defn : "", " PARTITION OF ")) != NULL) {
            s += 14;
            if (parse_table(&s, e->schema, ps, pt) && edge_add(v, n, &cap, ps, pt, i) != DF_OK)
                c->pre.oom = true;
        }
        if ((s = strstr(e->defn ? e->defn : "", "INHERITS (")) != NULL) {
            s += 10;
            while (parse_table(&s, e->schema, ps, pt)) {
                if (edge_add(v, n, &cap, ps, pt, i) != DF_OK)
                    c->pre.oom = true;
                s = skip_space(s);
                if (*s != ',')
                    break;
                s = skip_space(s + 1);
            }
        }
    }
}

static int watch_add(ventry *ve, int col, int link, const char *name)
{
    dfi_watch *nv = realloc(ve->w, (ve->nw + 1) * sizeof *nv);

    if (nv == NULL)
        return DF_E_NOMEM;
    ve->w = nv;
    ve->w[ve->nw++] = (dfi_watch){col, link, name, false, 0, col};
    return DF_OK;
}

/* Position of column `want` in "CREATE TABLE t (col type, ..., CONSTRAINT ...)", or -1. */
static int table_column(const char *defn, const char *want)
{
    char name[V_IDENT];
    const char *s = table_list(defn), *at;
    bool column;
    int col = 0;

    while (s != NULL && table_element(&s, name, &column, &at)) {
        if (column && strcmp(name, want) == 0)
            return col;
        col += column;
        if (*s != ',')
            return -1;
        s++;
    }
    return -1;
}

/* Watch the link's column in the TABLE DATA of its table and of every descendant. */
static void seq_watch(vctx *c, size_t li, const vedge *edges, size_t nedges)
{
    const vlink *q = &c->links[li];
    char(*names)[2][V_IDENT] = malloc((c->n + 1) * sizeof *names);
    size_t nn = 0;

    if (names == NULL) {
        c->pre.oom = true;
        return;
    }
    snprintf(names[nn][0], V_IDENT, "%s", q->tschema);
    snprintf(names[nn++][1], V_IDENT, "%s", q->table);
    for (size_t at = 0; at < nn; at++) /* breadth first over the parent -> child edges */
        for (size_t x = 0; x < nedges && nn < c->n + 1; x++) {
            const df_entry *ch = c->ents[edges[x].child].e;
            bool seen = false;
            if (!streq(edges[x].ps, names[at][0]) || !streq(edges[x].pt, names[at][1]))
                continue;
            for (size_t y = 0; y < nn && !seen; y++)
                seen =
                    streq(names[y][0], ch->schema ? ch->schema : "") && streq(names[y][1], ch->tag);
            if (!seen) {
                snprintf(names[nn][0], V_IDENT, "%s", ch->schema ? ch->schema : "");
                snprintf(names[nn++][1], V_IDENT, "%s", ch->tag ? ch->tag : "");
            }
        }
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        char **cols = NULL;
        int ncols;

        if (!ve->table || ve->rows_mode == DF_ROWS_COPY_WITH_COMMAND)
            continue;
        for (size_t y = 0; y < nn; y++) {
            int col = -1;

            if (!same_name(ve->e, names[y][0], names[y][1]))
                continue;
            if (ve->rows_mode == DF_ROWS_COPY) {
                ncols = dfi_copy_columns(ve->e->copy_stmt, &cols);
                for (int x = 0; x < ncols && cols; x++)
                    if (streq(cols[x], q->column))
                        col = x;
                dfi_free_names(cols, ncols);
            } else {
                /* INSERTs without a column list give values in table order. */
                ssize_t t = find_table(c, names[y][0], names[y][1]);
                col = t >= 0 ? table_column(c->ents[t].e->defn, q->column) : -1;
            }
            if ((col >= 0 || ve->rows_mode == DF_ROWS_INSERT) &&
                watch_add(ve, col, (int)li, q->column) != DF_OK)
                c->pre.oom = true;
            break;
        }
    }
    free(names);
}

static void seq_prepare(vctx *c)
{
    vedge *edges = NULL;
    size_t nedges = 0, n = 0;

    for (size_t i = 0; i < c->n; i++)
        n += dfi_desc_is(c->ents[i].e, "SEQUENCE SET");
    if (n == 0 || (c->seqs = calloc(n, sizeof *c->seqs)) == NULL)
        return;
    for (size_t i = 0; i < c->n; i++) {
        const df_entry *e = c->ents[i].e;
        vseq *q = &c->seqs[c->nseqs];

        if (!dfi_desc_is(e, "SEQUENCE SET") || !parse_setval(e->defn, q))
            continue;
        q->e = e;
        q->increment = 1;
        c->nseqs++;
    }
    seq_links(c);
    table_edges(c, &edges, &nedges);
    for (size_t li = 0; li < c->nlinks; li++)
        seq_watch(c, li, edges, nedges);
    free(edges);
}

/* One character of an SQL string literal being built in b (at *n): a quote doubled. */
static void put_char(char *b, size_t cap, size_t *n, char ch)
{
    if (*n + 2 < cap)
        b[(*n)++] = ch;
    if (ch == '\'' && *n + 2 < cap)
        b[(*n)++] = '\'';
    b[*n] = '\0';
}

/* Identifier `id` in that literal: in double quotes unless it is plain lower case. */
static void put_ident(char *b, size_t cap, size_t *n, const char *id)
{
    bool plain = id[0] != '\0' && !isdigit((unsigned char)id[0]);

    for (const char *p = id; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || isdigit((unsigned char)*p) || *p == '_';
    if (!plain)
        put_char(b, cap, n, '"');
    for (const char *p = id; *p; p++) {
        put_char(b, cap, n, *p);
        if (*p == '"')
            put_char(b, cap, n, '"');
    }
    if (!plain)
        put_char(b, cap, n, '"');
}

/* "SELECT pg_catalog.setval('schema.seq', max, true);": the next nextval() is above max. */
static void setval_fix(const vseq *q, int64_t max, char *b, size_t cap)
{
    size_t n = (size_t)snprintf(b, cap, "SELECT pg_catalog.setval('");

    if (q->e->schema != NULL && q->e->schema[0] != '\0') {
        put_ident(b, cap, &n, q->e->schema);
        put_char(b, cap, &n, '.');
    }
    put_ident(b, cap, &n, q->e->tag ? q->e->tag : "");
    snprintf(b + n, cap - n, "', %lld, true);", (long long)max);
}

/* After the data: warn where the next value is not above the maximum of a column it feeds. */
static void seq_check(vctx *c)
{
    char fix[4 * V_IDENT + 80];

    for (size_t k = 0; k < c->nseqs; k++) {
        const vseq *q = &c->seqs[k];
        const vlink *at = NULL;
        int64_t max = 0, next;
        ventry *ve;
        size_t before;

        for (size_t i = 0; i < c->n; i++)
            for (size_t j = 0; j < c->ents[i].nw; j++) {
                const dfi_watch *w = &c->ents[i].w[j];
                const vlink *l = &c->links[w->seq];
                /* a tie goes to the parent: partitions repeat its DEFAULT */
                if (l->seq == k && w->have &&
                    (at == NULL || w->max > max ||
                     (w->max == max && !same_name(c->ents[i].e, l->tschema, l->table)))) {
                    max = w->max;
                    at = l;
                }
            }
        if (at == NULL || q->increment < 0)
            continue;
        next = q->value;
        if (q->called && __builtin_add_overflow(q->value, q->increment, &next))
            continue;
        if (next > max)
            continue;
        ve = &c->ents[q->e->index];
        before = ve->finds.n;
        entry_add(ve, DF_FIND_SEQUENCE_BEHIND_DATA, DF_SEVERITY_WARNING, q->e->toc_offset, NULL,
                  "setval(%lld, %s) makes the next value %lld, but column \"%s\" of %s.%s "
                  "already holds %lld in this dump: new rows would reuse existing values",
                  (long long)q->value, q->called ? "true" : "false", (long long)next, at->column,
                  at->tschema, at->table, (long long)max);
        setval_fix(q, max, fix, sizeof fix);
        if (ve->finds.n > before)
            vlist_set_fix(&ve->finds, fix);
    }
}

/* ================================================================== */
/* Workers                                                             */
/* ================================================================== */

static int worker_init(vworker *w, vctx *c, bool main)
{
    memset(w, 0, sizeof *w);
    w->c = c;
    w->main = main;
    w->src.fd = -1;
    for (size_t i = 0; i < V_PIPE_BUFS; i++)
        if ((w->pipe.buf[i] = malloc(V_OUT_SIZE)) == NULL)
            return DF_E_NOMEM;
    w->out = w->pipe.buf[0];
    w->cp = calloc(1, sizeof *w->cp);
    return w->cp != NULL ? DF_OK : DF_E_NOMEM;
}

static void worker_free(vworker *w)
{
    if (w->open) {
        dfi_buf_free(&w->buf);
        dfi_src_close(&w->src);
    }
    pipe_stop(w);
    free(w->cp);
    dfi_vcheck_free(&w->vc);
    w->open = false;
}

/* The worker's own handle on the archive file, positioned at `at`. */
static int worker_seek(vworker *w, int64_t at)
{
    int rc;

    if (!w->open) {
        rc = dfi_src_open_path(&w->src, w->c->path, &w->err);
        if (rc != DF_OK)
            return rc;
        rc = dfi_buf_init(&w->buf, &w->src, DFI_BUF_SIZE, &w->err);
        if (rc != DF_OK) {
            dfi_src_close(&w->src);
            return rc;
        }
        w->open = true;
    }
    return dfi_buf_seek(&w->buf, at, &w->err);
}

/* Tar: one stored range (a member's data) through a stream. */
static void tar_range(vworker *w, ventry *ve, int64_t start, int64_t size, const char *member,
                      dfi_wrap wrap, bool table)
{
    vstream s;
    int rc = worker_seek(w, start);

    if (rc == DF_OK) {
        stream_begin(&s, w, ve, wrap, table, start, start + size, member);
        rc = tar_member_data(w, &w->buf, &w->err, &s, size);
        if (rc == DF_OK)
            stream_end(&s, start + size);
        else
            stream_close(&s);
    }
    if (rc != DF_OK)
        tar_fail(w->c, ve, rc, &w->err, member, "member data");
}

static void work_item(vworker *w, ventry *ve)
{
    switch (w->c->r->hdr.format) {
    case DF_FORMAT_CUSTOM:
        w->expect = ve;
        if (worker_seek(w, ve->start) != DF_OK) {
            entry_add(ve, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, w->err.offset, NULL, "%s",
                      w->err.message);
        } else {
            custom_block(w->c, w, &w->buf, &w->err, V_DEC);
        }
        break;
    case DF_FORMAT_TAR:
        if (ve->blobs)
            for (size_t k = 0; k < ve->nlos; k++)
                tar_range(w, ve, ve->los[k].start, ve->los[k].size, ve->los[k].name,
                          ve->los[k].wrap, false);
        else
            tar_range(w, ve, ve->start, ve->end - ve->start, ve->member, ve->wrap, ve->table);
        ve->decoded = true;
        break;
    case DF_FORMAT_DIRECTORY:
        if (ve->blobs)
            for (size_t k = 0; k < ve->nlos; k++)
                dir_file(w, ve, ve->los[k].name, ve->los[k].wrap, false);
        else
            dir_file(w, ve, ve->member, ve->wrap, ve->table);
        ve->decoded = true;
        break;
    default: break;
    }
}

static void *worker_main(void *arg)
{
    vworker *w = arg;
    vctx *c = w->c;

    for (;;) {
        size_t k = __atomic_fetch_add(&c->next_item, 1, __ATOMIC_RELAXED);
        if (k >= c->nitems)
            break;
        work_item(w, &c->ents[c->items[k]]);
    }
    pthread_mutex_lock(&c->mu);
    c->running--;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* Work items: largest stored size first (they decide the wall time), then TOC order. */
typedef struct vitem {
    int64_t stored;
    size_t index;
} vitem;

static int cmp_items(const void *a, const void *b)
{
    const vitem *x = a, *y = b;

    if (x->stored != y->stored)
        return x->stored > y->stored ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int make_items(vctx *c)
{
    vitem *it = malloc((c->n ? c->n : 1) * sizeof *it);

    c->items = malloc((c->n ? c->n : 1) * sizeof *c->items);
    if (it == NULL || c->items == NULL) {
        free(it);
        return DF_E_NOMEM;
    }
    c->prog_total = 0;
    c->prog_done = 0;
    for (size_t i = 0; i < c->n; i++) {
        const ventry *ve = &c->ents[i];
        if (ve->data && ve->found == V_FOUND_COMPLETE && !ve->cut) {
            it[c->nitems++] = (vitem){ve->stored, i};
            c->prog_total += ve->stored;
        }
    }
    qsort(it, c->nitems, sizeof *it, cmp_items);
    for (size_t k = 0; k < c->nitems; k++)
        c->items[k] = it[k].index;
    free(it);
    return DF_OK;
}

/* Wait for the workers, reporting progress from this thread. */
static void wait_workers(vctx *c)
{
    pthread_mutex_lock(&c->mu);
    while (c->running > 0) {
        struct timespec ts;

        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 100000000;
        if (ts.tv_nsec >= 1000000000) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000;
        }
        pthread_cond_timedwait(&c->cv, &c->mu, &ts);
        pthread_mutex_unlock(&c->mu);
        progress_tick(c, false);
        pthread_mutex_lock(&c->mu);
    }
    pthread_mutex_unlock(&c->mu);
}

/* Check the data of every complete entry, in worker threads when allowed. */
static void run_items(vctx *c)
{
    size_t nt, started = 0;
    vworker *ws;
    pthread_t *tids;

    if (make_items(c) != DF_OK) {
        c->pre.oom = true;
        return;
    }
    nt = c->opt->threads > 1 && c->path != NULL ? (size_t)c->opt->threads : 1;
    if (nt > V_MAX_THREADS)
        nt = V_MAX_THREADS; /* each costs ~0.6 MiB of buffers */
    if (nt > c->nitems)
        nt = c->nitems > 0 ? c->nitems : 1;
    ws = calloc(nt, sizeof *ws);
    tids = calloc(nt, sizeof *tids);
    if (ws == NULL || tids == NULL) {
        c->pre.oom = true;
        free(ws);
        free(tids);
        return;
    }
    if (nt > 1) {
        pthread_mutex_lock(&c->mu);
        for (; started < nt; started++) {
            if (worker_init(&ws[started], c, false) != DF_OK ||
                pthread_create(&tids[started], NULL, worker_main, &ws[started]) != 0)
                break;
            c->running++;
        }
        pthread_mutex_unlock(&c->mu);
        wait_workers(c);
        for (size_t k = 0; k < started; k++)
            pthread_join(tids[k], NULL);
    }
    /* One thread, or none could be started: the calling thread does the work. */
    if (started == 0) {
        worker_free(&ws[0]);
        if (worker_init(&ws[0], c, true) == DF_OK) {
            c->running = 1;
            worker_main(&ws[0]);
        } else {
            c->pre.oom = true;
        }
    }
    for (size_t k = 0; k < nt; k++)
        worker_free(&ws[k]);
    c->v->sum.threads = (int)(started > 0 ? started : 1);
    progress_tick(c, true);
    free(ws);
    free(tids);
}

/* ================================================================== */
/* Plain scripts (spec §9)                                             */
/* ================================================================== */

/* A damaged or truncated compressed script, as the plain reader saw it. */
static void plain_script_error(vctx *c, const df_error *err)
{
    int sev = DF_SEVERITY_ERROR;
    const char *code = DF_FIND_TRUNCATED;

    if (err->code == DF_E_CORRUPT) {
        code = codec_code(err->code, err->message, &sev);
    } else if (err->code != DF_E_TRUNCATED) {
        code = DF_FIND_UNREADABLE;
        sev = DF_SEVERITY_UNKNOWN;
    }
    vlist_add(&c->post, code, sev, NULL, err->offset, err->member, "%s", err->message);
}

#define V_MAX_META_FINDINGS 20 /* psql-metacommand findings; then one that counts the rest */

/* A PSQL META-COMMAND entry (one line, or lines in a row): a finding, or one more not shown. */
static void plain_meta(ventry *ve, size_t *seen)
{
    const df_entry *e = ve->e;
    int64_t lines = 0;

    for (const char *p = e->defn; p != NULL && (p = strchr(p, '\n')) != NULL; p++)
        lines++;
    if ((*seen)++ >= V_MAX_META_FINDINGS)
        return;
    if (lines > 1)
        entry_add(ve, DF_FIND_PSQL_METACOMMAND, DF_SEVERITY_WARNING, e->text_offset, NULL,
                  "psql meta-command \"%.120s\" and %lld more meta-command lines right after "
                  "it in the script: psql runs them during the restore (pg_dump itself writes "
                  "only \\connect and \\restrict)",
                  e->tag ? e->tag : "", (long long)(lines - 1));
    else
        entry_add(ve, DF_FIND_PSQL_METACOMMAND, DF_SEVERITY_WARNING, e->text_offset, NULL,
                  "psql meta-command \"%.120s\" in the script: psql runs it during the "
                  "restore (pg_dump itself writes only \\connect and \\restrict)",
                  e->tag ? e->tag : "");
}

/* What the reader measured while it read the script: terminators, meta-commands. */
static void plain_facts(vctx *c)
{
    size_t metas = 0;

    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = ve->e;
        int64_t end = e->data_offset_text + (e->data_bytes > 0 ? e->data_bytes : 0);

        if (dfi_desc_is(e, "PSQL META-COMMAND"))
            plain_meta(ve, &metas);
        if (!ve->data)
            continue;
        ve->found = V_FOUND_COMPLETE;
        ve->start = e->data_offset_text;
        ve->end = end;
        ve->stored = e->data_bytes > 0 ? e->data_bytes : 0;
        /* What the reader counted; the full check counts again (plain_data). */
        ve->rows = e->data_rows > 0 && !ve->blobs ? e->data_rows : 0;
        ve->bytes = ve->stored;
        if (e->data_terminated)
            continue;
        ve->cut = true;
        if (ve->blobs)
            entry_add(ve, DF_FIND_TRUNCATED, DF_SEVERITY_ERROR, end, NULL,
                      "the large object data end inside a large object (no lo_close)");
        else
            entry_add(ve, DF_FIND_MISSING_TERMINATOR, DF_SEVERITY_ERROR, end, NULL,
                      "%s data end after %lld rows without %s",
                      ve->rows_mode == DF_ROWS_COPY ? "COPY" : "INSERT", (long long)e->data_rows,
                      ve->rows_mode == DF_ROWS_COPY ? "the \"\\.\" terminator line"
                                                    : "a complete statement");
    }
    if (metas > V_MAX_META_FINDINGS)
        vlist_add(&c->post, DF_FIND_PSQL_METACOMMAND, DF_SEVERITY_WARNING, NULL, -1, NULL,
                  "%zu more places in the script hold psql meta-commands (only the first %d "
                  "are reported)",
                  metas - V_MAX_META_FINDINGS, V_MAX_META_FINDINGS);
}

/*
 * The last bytes of an uncompressed script, exactly as pg_dump ends it:
 * the "dump complete" comment, then "\unrestrict KEY" when the script
 * began with "\restrict KEY".  The reader's has_trailer cannot see a cut
 * inside those final lines; a compressed script's codec check can.
 */
/* The file ends with the bytes of `want`. */
static bool tail_is(vctx *c, const char *want)
{
    size_t n = strlen(want);
    uint8_t *tail;
    bool ok;

    if ((int64_t)n > c->file_size)
        return false;
    tail = read_range(c->path, c->file_size - (int64_t)n, (int64_t)n, &(df_error){0});
    ok = tail != NULL && memcmp(tail, want, n) == 0;
    free(tail);
    return ok;
}

static bool plain_tail_ok(vctx *c, char *want, size_t wn)
{
    static const char dump[] = "--\n-- PostgreSQL database dump complete\n--\n\n";
    static const char cluster[] = "--\n-- PostgreSQL database cluster dump complete\n--\n\n";
    const df_header *h = &c->r->hdr;
    char crlf[800];
    size_t k = 0;

    if (c->path == NULL || h->file_compression != DF_COMPRESS_NONE || c->file_size < 0)
        return true;
    if (h->plain_kind != DF_PLAIN_PG_DUMP)
        snprintf(want, wn, "%s", cluster);
    else if (h->restrict_key != NULL)
        snprintf(want, wn, "%s\\unrestrict %s\n\n", dump, h->restrict_key);
    else
        snprintf(want, wn, "%s", dump);
    if (tail_is(c, want))
        return true;
    /* a CR LF copy of the script (psql reads it the same) */
    for (const char *w = want; *w != '\0' && k + 3 < sizeof crlf; w++) {
        if (*w == '\n')
            crlf[k++] = '\r';
        crlf[k++] = *w;
    }
    crlf[k] = '\0';
    return tail_is(c, crlf);
}

static void plain_trailer(vctx *c)
{
    const df_header *h = &c->r->hdr;
    const char *db = NULL;
    char want[400];

    if (h->has_trailer && !plain_tail_ok(c, want, sizeof want)) {
        vlist_add(&c->post, DF_FIND_NO_TRAILER, DF_SEVERITY_ERROR, NULL, c->file_size, NULL,
                  "the script does not end with the lines pg_dump ends it with (%s): its end "
                  "was cut off",
                  strstr(want, "unrestrict") ? "the \"dump complete\" comment, then "
                                               "\\unrestrict and the key of its \\restrict"
                                             : "the \"dump complete\" comment");
        return;
    }
    if (h->has_trailer)
        return;
    for (size_t i = c->n; i > 0 && db == NULL; i--)
        db = c->ents[i - 1].e->database;
    vlist_add(&c->post, DF_FIND_NO_TRAILER, DF_SEVERITY_ERROR, NULL, h->script_bytes, NULL,
              "the script ends at byte %lld without the \"%s\" trailer%s%s%s: it was cut short",
              (long long)h->script_bytes,
              h->plain_kind == DF_PLAIN_DUMPALL ? "PostgreSQL database cluster dump complete"
                                                : "PostgreSQL database dump complete",
              db ? " (inside the section of database \"" : "", db ? db : "", db ? "\")" : "");
}

/*
 * A plain script from a pipe cannot be read twice: its data go through the
 * COPY checker while the reader's one pass goes over them (the reader's
 * dfi_plain_tap), every column watched, since which ones feed a sequence is
 * only known once the script has been read.  What each part showed is kept
 * small (the checker itself only when it found a problem) until then.
 */
typedef struct vtap_part {
    size_t entry;
    int64_t rows;
    dfi_watch *w; /* the columns that held an integer, by position */
    size_t nw;
    dfi_copycheck *bad; /* the checker's state when it found a problem */
    dfi_vcheck *vbad;   /* ... and the value checks', with their columns (vt, owned) */
    dfi_vtable *vt;
} vtap_part;

typedef struct vtap {
    dfi_copycheck cp;
    bool active;
    bool values;     /* value checks on (not --quick, not --no-values) */
    dfi_vtable *vt;  /* the columns of the part being read, NULL: none */
    dfi_vcheck vc;
    dfi_watch *w;
    size_t nw;
    vtap_part *parts;
    size_t nparts, cap;
    struct vtap_lo {
        size_t entry;
        uint32_t oid;
    } *los;
    size_t nlos, caplos;
    bool oom; /* then plain_data reads the data parts again, when it can */
} vtap;

#define V_TAP_MAX_COLS 1664   /* PostgreSQL allows 1600 columns */
#define V_TAP_INSERT_COLS 128 /* INSERT data: the first columns are watched */

static void tap_begin(void *ctx, const df_reader *r, size_t i, bool copy)
{
    vtap *t = ctx;
    int ncols = copy ? dfi_copy_columns(r->entries[i].copy_stmt, NULL) : -1;

    if (copy)
        t->nw = ncols > 0 ? (size_t)(ncols < V_TAP_MAX_COLS ? ncols : V_TAP_MAX_COLS) : 0;
    else
        t->nw = V_TAP_INSERT_COLS; /* the statements' VALUES positions */
    t->w = t->nw ? calloc(t->nw, sizeof *t->w) : NULL;
    if (t->nw && t->w == NULL)
        t->nw = 0, t->oom = true;
    for (size_t k = 0; k < t->nw; k++)
        t->w[k] = (dfi_watch){(int)k, copy ? V_SEQ_PRUNE : -1, NULL, false, 0, (int)k};
    t->active = dfi_copycheck_init(&t->cp, copy ? DF_ROWS_COPY : DF_ROWS_INSERT, ncols, t->w,
                                   t->nw) == DF_OK;
    t->oom = t->oom || !t->active;
    /* value checks: the table's definition came before its data in the script */
    if (t->active && t->values && dfi_desc_is(&r->entries[i], "TABLE DATA") &&
        (t->vt = dfi_vtable_build(r, &r->entries[i], &t->oom)) != NULL) {
        dfi_vcheck_init(&t->vc, t->vt);
        t->cp.vc = &t->vc;
    }
}

static void tap_data(void *ctx, const uint8_t *p, size_t n)
{
    vtap *t = ctx;
    int maxcol = -1;

    if (!t->active)
        return;
    dfi_copycheck_feed(&t->cp, p, n);
    if (t->cp.maxcol < 0 || t->cp.mode == DF_ROWS_INSERT)
        return;
    /* rows stop at the last column still watched */
    for (size_t k = 0; k < t->nw; k++)
        if (t->w[k].col > maxcol)
            maxcol = t->w[k].col;
    t->cp.maxcol = maxcol;
}

/* Did the checker find anything copy_findings reports? */
static bool tap_problem(const dfi_copycheck *cp)
{
    if (cp->bad_rows > 0 || cp->bad_esc > 0 || cp->after_bytes > 0)
        return true;
    if (cp->mode == DF_ROWS_INSERT)
        return cp->last_nonspace >= 0 && cp->last_nonspace != ';';
    return !cp->terminated;
}

static bool tap_bad_values(const vtap *t)
{
    for (int k = 1; t->vt != NULL && k < 5; k++)
        if (t->vc.nbad[k] > 0)
            return true;
    return false;
}

/* The value checks' findings of a part, kept for later with its columns (the part owns them). */
static dfi_vcheck *tap_keep_values(vtap *t, vtap_part *part)
{
    dfi_vcheck *v;

    if (t->vt == NULL || !tap_bad_values(t) || (v = malloc(sizeof *v)) == NULL)
        return NULL;
    *v = t->vc;
    v->line = v->fld = NULL;
    v->line_cap = v->fld_cap = 0;
    v->ins = NULL; /* the scanner's state stays with t->vc */
    part->vbad = v;
    part->vt = t->vt;
    t->vt = NULL;
    return v;
}

static void tap_end(void *ctx, size_t i)
{
    vtap *t = ctx;
    vtap_part *part;
    size_t kept = 0;

    if (!t->active)
        return;
    t->active = false;
    if (t->nparts == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 64;
        vtap_part *grown = realloc(t->parts, cap * sizeof *grown);
        if (grown == NULL) {
            t->oom = true;
            goto done;
        }
        t->parts = grown;
        t->cap = cap;
    }
    part = &t->parts[t->nparts++];
    memset(part, 0, sizeof *part);
    part->entry = i;
    part->rows = t->cp.rows;
    for (size_t k = 0; k < t->nw; k++)
        if (t->w[k].have)
            t->w[kept++] = t->w[k];
    part->w = t->w;
    part->nw = kept;
    t->w = NULL;
    if (tap_problem(&t->cp) || tap_bad_values(t)) {
        part->bad = malloc(sizeof *part->bad);
        if (part->bad == NULL)
            t->oom = true;
        else
            *part->bad = t->cp, part->bad->w = NULL, part->bad->nw = 0, part->bad->ins = NULL;
        if (part->bad != NULL && (part->bad->vc = tap_keep_values(t, part)) == NULL &&
            tap_bad_values(t))
            t->oom = true;
    }
done:
    if (t->vt != NULL) {
        dfi_vcheck_free(&t->vc);
        dfi_vtable_free(t->vt);
        t->vt = NULL;
    }
    free(t->w);
    t->w = NULL;
    t->nw = 0;
    dfi_copycheck_free(&t->cp);
}

static void tap_lo_open(void *ctx, size_t i, uint32_t oid)
{
    vtap *t = ctx;

    if (t->nlos == t->caplos) {
        size_t cap = t->caplos ? 2 * t->caplos : 64;
        struct vtap_lo *grown = realloc(t->los, cap * sizeof *grown);
        if (grown == NULL) {
            t->oom = true;
            return;
        }
        t->los = grown;
        t->caplos = cap;
    }
    t->los[t->nlos++] = (struct vtap_lo){i, oid};
}

static void tap_free(vtap *t)
{
    if (t->active)
        dfi_copycheck_free(&t->cp);
    free(t->w);
    for (size_t k = 0; k < t->nparts; k++) {
        free(t->parts[k].w);
        free(t->parts[k].bad);
        free(t->parts[k].vbad);
        dfi_vtable_free(t->parts[k].vt);
    }
    if (t->vt != NULL) {
        dfi_vcheck_free(&t->vc);
        dfi_vtable_free(t->vt);
    }
    free(t->parts);
    free(t->los);
    memset(t, 0, sizeof *t);
}

/* A data part the one pass checked: its rows, findings and watched columns. */
static void tap_part_apply(vctx *c, const vtap_part *p)
{
    ventry *ve = p->entry < c->n ? &c->ents[p->entry] : NULL;

    if (ve == NULL || !ve->table || ve->cut)
        return;
    ve->rows = p->rows;
    for (size_t j = 0; j < ve->nw; j++)
        for (size_t k = 0; k < p->nw; k++)
            if (p->w[k].col == ve->w[j].col && (!ve->w[j].have || p->w[k].max > ve->w[j].max)) {
                ve->w[j].have = true;
                ve->w[j].max = p->w[k].max;
            }
    if (p->bad != NULL) {
        vworker w = {.c = c, .cp = p->bad};
        vstream s = {.c = c, .ve = ve, .w = &w, .linear = true, .raw_start = ve->start,
                     .member = ""};
        copy_findings(&s, ve->end);
    }
    ve->decoded = true;
}

/* Instead of reading the data parts again: what the one pass checked. */
static void plain_tapped(vctx *c)
{
    vtap *t = c->tap;

    for (size_t k = 0; k < t->nparts; k++)
        tap_part_apply(c, &t->parts[k]);
    for (size_t k = 0; k < t->nlos; k++)
        if (t->los[k].entry < c->n && c->ents[t->los[k].entry].blobs &&
            add_lo(&c->ents[t->los[k].entry], t->los[k].oid, -1, 0, NULL, 0) != DF_OK)
            c->pre.oom = true;
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        int64_t out = 0;

        if (ve->blobs && !ve->cut) {
            if (df_reader_measure(c->r, ve->e, NULL, &out, NULL) == DF_OK)
                ve->bytes = out;
            ve->decoded = true;
        }
    }
    if (t->oom)
        c->pre.oom = true;
}

/* Full mode: every complete data part again, through the COPY checker. */
static void plain_data(vctx *c)
{
    vworker w;
    uint8_t *buf;

    if (c->tap != NULL && !c->tap->oom) {
        plain_tapped(c); /* one pass: checked while the script was read */
        return;
    }
    if (!c->r->src.seekable) {
        vlist_add(&c->post, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_WARNING, NULL, -1, NULL,
                  "COPY rows and sequences were not checked: the script came from a pipe and "
                  "cannot be read twice (its terminators and trailer were)");
        return;
    }
    buf = malloc(V_OUT_SIZE);
    if (buf == NULL || worker_init(&w, c, true) != DF_OK) {
        c->pre.oom = true;
        free(buf);
        worker_free(&w);
        return;
    }
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        int64_t n = 0;
        uint32_t oid;
        int rc;

        if (!ve->data || ve->cut)
            continue;
        ve->rows = ve->bytes = 0;
        rc = df_reader_open_data(c->r, ve->e);
        if (rc == DF_OK && ve->blobs) {
            while ((rc = df_reader_next_lo(c->r, &oid)) == DF_OK) {
                if (add_lo(ve, oid, -1, 0, NULL, 0) != DF_OK)
                    c->pre.oom = true;
                while ((n = df_reader_read_data(c->r, buf, V_OUT_SIZE)) > 0)
                    ve->bytes += n;
                if (n < 0)
                    break;
            }
            rc = n < 0 ? (int)n : rc == DF_EOF ? DF_OK : rc;
        } else if (rc == DF_OK) {
            vstream s;
            stream_begin(&s, &w, ve, DFI_WRAP_RAW, ve->table, ve->start, ve->end, "");
            s.linear = true;
            while ((n = df_reader_read_data(c->r, buf, V_OUT_SIZE)) > 0)
                stream_feed(&s, buf, (size_t)n, -1);
            if (n == 0)
                stream_end(&s, ve->end);
            else
                stream_close(&s);
            rc = n < 0 ? (int)n : DF_OK;
        }
        df_reader_close_data(c->r);
        if (rc != DF_OK) {
            const df_error *err = df_reader_error(c->r);
            entry_add(ve, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, err->offset, NULL, "%s",
                      err->message[0] ? err->message : df_strstatus(rc));
            continue;
        }
        ve->decoded = true;
    }
    worker_free(&w);
    free(buf);
}

/*
 * Would pg_restore -j 2..4 of an archive made of this script restore it
 * clearly faster (at least V_PARALLEL_GAIN) than one connection?  The
 * restore simulator (schedule.c) runs over the script's entries with their
 * data bytes; a script that is large but one table's data gains nothing.
 * Returns the best -j, or 0 with *serial and *best left as they are.
 */
#define V_PARALLEL_GAIN 0.20

static int plain_parallel_jobs(df_reader *r, double *serial, double *best)
{
    df_entry_size *sz = calloc(r->nentries ? r->nentries : 1, sizeof *sz);
    df_graph *g = NULL;
    int jobs = 0;

    if (sz != NULL && df_restore_sizes(r, 0, sz, NULL, NULL) == DF_OK &&
        df_graph_build(r, &g, NULL) == DF_OK) {
        double t[5] = {0};
        for (int j = 1; j <= 4; j++) {
            df_schedule_options so = {.workers = j};
            df_schedule *s = NULL;
            if (df_schedule_simulate(r, g, sz, NULL, 0, &so, &s, &(df_error){0}) != DF_OK)
                break;
            t[j] = df_schedule_makespan(s);
            df_schedule_free(s);
            if (j > 1 && t[j] <= t[1] * (1 - V_PARALLEL_GAIN) && (jobs == 0 || t[j] < t[jobs]))
                jobs = j;
        }
        if (jobs > 0)
            *serial = t[1], *best = t[jobs];
    }
    df_graph_free(g);
    free(sz);
    return jobs;
}

static void verify_plain(vctx *c)
{
    const df_header *h = &c->r->hdr;
    int64_t big =
        c->opt->large_plain_bytes == 0 ? V_DEFAULT_LARGE_PLAIN : c->opt->large_plain_bytes;
    double serial = 0, best = 0;
    int jobs;

    if (h->script_error != NULL)
        plain_script_error(c, h->script_error);
    plain_facts(c);
    plain_trailer(c);
    if (big > 0 && h->script_bytes >= big &&
        (jobs = plain_parallel_jobs(c->r, &serial, &best)) > 0)
        vlist_add(&c->pre, DF_FIND_LARGE_PLAIN_DUMP, DF_SEVERITY_WARNING, NULL, -1, NULL,
                  "a plain script of %lld bytes restores with psql, on one connection; an "
                  "archive format (pg_dump -Fd or -Fc) would let pg_restore -j load it in "
                  "parallel: simulated, -j %d takes %.1f s where one connection takes %.1f s",
                  (long long)h->script_bytes, jobs, best, serial);
    if (!c->opt->quick)
        plain_data(c);
}

/* ================================================================== */
/* The run                                                             */
/* ================================================================== */

/*
 * Read once, in file order, decoding as the walk goes?  Always for pipes and
 * one thread.  Also for uncompressed custom archives: pg_dump writes one
 * chunk per row there, so a separate structural walk costs as much as the
 * check itself, and there is no decompression to spread over threads.
 */
static bool full_serial(const vctx *c)
{
    return c->path == NULL || c->opt->threads <= 1 ||
           (c->r->hdr.format == DF_FORMAT_CUSTOM && c->r->hdr.compression == DF_COMPRESS_NONE);
}

/* Custom and tar: one walk over the data area, then (threads) the data. */
static void verify_stream_format(vctx *c, bool tar)
{
    int flags = V_REC;
    vworker w;
    df_error err;
    int64_t start = tar ? dfi_buf_tell(&c->r->buf) : c->r->hdr.toc_end;

    memset(&err, 0, sizeof err);
    if (worker_init(&w, c, true) != DF_OK) {
        c->pre.oom = true;
        worker_free(&w);
        return;
    }
    if (!c->opt->quick && full_serial(c))
        flags |= V_DEC;
    w.prog_base = start;
    c->prog_total = c->file_size >= 0 ? c->file_size - start : -1;
    if (dfi_buf_seek(&c->r->buf, start, &err) != DF_OK) {
        vlist_add(&c->pre, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, NULL, err.offset, NULL, "%s",
                  err.message);
        worker_free(&w);
        return;
    }
    if (tar) {
        tar_walk(c, &w, &c->r->buf, &err, flags);
        tar_missing(c);
    } else {
        /* not when a test caps every read (df_reader_set_io_size): that cap stays */
        c->sparse = c->opt->quick && c->r->buf.src->seekable && c->r->buf.src->dec == NULL &&
                    c->r->buf.src->io_cap == 0;
        custom_walk(c, &w, &c->r->buf, &err, flags);
        if (c->sparse)
            c->r->buf.src->io_cap = 0;
        c->sparse = false;
        if (c->walk_stop == V_STOP_OTHER)
            custom_trailer(c, &c->r->buf, &err);
        custom_missing(c);
        custom_offsets(c);
    }
    progress_tick(c, true);
    worker_free(&w);
    if (!(flags & V_DEC) && !c->opt->quick)
        run_items(c);
}

/*
 * What follows the TOC in toc.dat: pg_dump writes nothing there and pg_restore never reads it,
 * so bytes there are no harm to a restore but a sign that something else wrote to the file.
 */
#define TOC_TAIL_MAX (16 << 20)

static void dir_toc_tail(vctx *c)
{
    dfi_buf *b = &c->r->buf;
    char member[300] = "toc.dat";
    dfi_wrap wrap;
    int64_t size, at = dfi_buf_tell(b), n = 0;
    df_error err;
    int rc = DF_EOF;

    (void)dir_discover(c, "toc.dat", member, sizeof member, &wrap, &size, &err);
    memset(&err, 0, sizeof err);
    /* counted up to a bound: a compressed toc.dat could inflate to any size */
    while (n <= TOC_TAIL_MAX && (rc = dfi_buf_fill(b, &err)) == DF_OK) {
        n += (int64_t)dfi_buf_avail(b);
        dfi_buf_consume(b, dfi_buf_avail(b));
    }
    if (n > TOC_TAIL_MAX)
        vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_WARNING, NULL, at, member,
                  "more than %d MiB follow the TOC (pg_dump writes none there; pg_restore "
                  "ignores them)",
                  TOC_TAIL_MAX >> 20);
    else if (rc != DF_EOF)
        vlist_add(&c->post, DF_FIND_BAD_DATA, DF_SEVERITY_WARNING, NULL, err.offset, member,
                  "after the TOC: %s", err.message);
    else if (n > 0)
        vlist_add(&c->post, DF_FIND_TRAILING_DATA, DF_SEVERITY_WARNING, NULL, at, member,
                  "%lld bytes follow the TOC (pg_dump writes none there; pg_restore ignores them)",
                  (long long)n);
}

/*
 * Offsets into a compressed toc.dat (toc.dat.gz, ...) count decoded bytes:
 * no one can open them with xxd -s in the file.  Such a finding names the
 * compressed file and says "decoded offset" in its message instead.
 */
static void toc_decoded_offsets(vlist *l, const char *tocname)
{
    for (size_t i = 0; i < l->n; i++) {
        df_finding *f = &l->v[i];
        char msg[V_MSG + 64];
        const char *fix = f->fix ? f->fix : "";
        size_t ml, bl = strlen(tocname), fl = strlen(fix);
        char *mem;

        if (f->offset < 0 || (f->member[0] != '\0' && strcmp(f->member, "toc.dat") != 0 &&
                              strcmp(f->member, tocname) != 0))
            continue;
        ml = (size_t)snprintf(msg, sizeof msg, "%s (decoded offset %lld)", f->message,
                              (long long)f->offset);
        ml = ml < sizeof msg ? ml : sizeof msg - 1;
        if ((mem = malloc(ml + bl + fl + 3)) == NULL) {
            l->oom = true;
            return;
        }
        memcpy(mem, msg, ml + 1);
        memcpy(mem + ml + 1, tocname, bl + 1);
        memcpy(mem + ml + bl + 2, fix, fl + 1);
        free((void *)f->message);
        f->message = mem;
        f->member = mem + ml + 1;
        f->fix = f->fix ? mem + ml + bl + 2 : NULL;
        f->offset = -1;
    }
}

static void directory_decoded_offsets(vctx *c)
{
    char tocname[300];
    dfi_wrap wrap;
    int64_t size;
    df_error err;

    if (dir_discover(c, "toc.dat", tocname, sizeof tocname, &wrap, &size, &err) != DF_OK ||
        wrap == DFI_WRAP_RAW)
        return;
    toc_decoded_offsets(&c->pre, tocname);
    toc_decoded_offsets(&c->post, tocname);
    for (size_t i = 0; i < c->n; i++)
        toc_decoded_offsets(&c->ents[i].finds, tocname);
}

static void verify_directory(vctx *c)
{
    dir_toc_tail(c);
    dir_prepare(c);
    if (c->opt->quick)
        dir_quick(c);
    else
        run_items(c);
}

/* The reader could not open the dump: say why, as a finding. */
static void open_failed(vctx *c, df_reader *r, int rc)
{
    const df_error *err = df_reader_error(r);
    const df_header *h = df_reader_header(r);
    int code = err->code != DF_OK ? err->code : rc;
    int64_t at = err->offset;
    const char *m = err->member;
    const char *msg = err->message[0] ? err->message : df_strstatus(code);
    bool in_header = h->header_end < 0;

    switch (code) {
    case DF_E_TRUNCATED:
        if (in_header && (h->file_size == 0 || (h->file_size < 0 && at == 0)))
            vlist_add(&c->pre, DF_FIND_EMPTY, DF_SEVERITY_ERROR, NULL, 0, m, "the %s is empty",
                      m[0] ? "file" : "input");
        else if (h->file_size >= 0 || at >= 0)
            vlist_add(&c->pre, in_header ? DF_FIND_TRUNCATED_HEADER : DF_FIND_TRUNCATED_TOC,
                      DF_SEVERITY_ERROR, NULL, h->file_size >= 0 ? h->file_size : at, m,
                      "the file ends at offset %lld inside the archive %s (%s)",
                      (long long)(h->file_size >= 0 ? h->file_size : at),
                      in_header ? "header" : "TOC", msg);
        else /* a compressed toc.dat: the reader put the decoded offset in msg */
            vlist_add(&c->pre, in_header ? DF_FIND_TRUNCATED_HEADER : DF_FIND_TRUNCATED_TOC,
                      DF_SEVERITY_ERROR, NULL, -1, m, "the file ends inside the archive %s (%s)",
                      in_header ? "header" : "TOC", msg);
        break;
    case DF_E_FORMAT:
        vlist_add(&c->pre, DF_FIND_NOT_A_DUMP, DF_SEVERITY_ERROR, NULL, at, m, "%s", msg);
        break;
    case DF_E_CORRUPT:
        vlist_add(&c->pre, in_header ? DF_FIND_BAD_HEADER : DF_FIND_BAD_TOC, DF_SEVERITY_ERROR,
                  NULL, at, m, "%s", msg);
        break;
    case DF_E_LIMIT:
        vlist_add(&c->pre, DF_FIND_OVER_LIMIT, DF_SEVERITY_ERROR, NULL, at, m, "%s", msg);
        break;
    case DF_E_VERSION:
    case DF_E_UNSUPPORTED:
        vlist_add(&c->pre, DF_FIND_UNSUPPORTED, DF_SEVERITY_UNKNOWN, NULL, at, m, "%s", msg);
        break;
    case DF_E_IO:
    case DF_E_NOTFOUND:
        vlist_add(&c->pre, DF_FIND_UNREADABLE, DF_SEVERITY_UNKNOWN, NULL, at, m, "%s", msg);
        break;
    default:
        vlist_add(&c->pre, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, NULL, at, m, "%s", msg);
        break;
    }
}

static int rows_mode_of(const df_reader *r, const df_entry *e)
{
    if (e->copy_stmt != NULL && e->copy_stmt[0] != '\0')
        return DF_ROWS_COPY;
    if (r->hdr.format != DF_FORMAT_PLAIN && r->arch.version < V13 && dfi_desc_is(e, "TABLE DATA"))
        return DF_ROWS_COPY_WITH_COMMAND;
    return DF_ROWS_INSERT;
}

static int setup_entries(vctx *c)
{
    c->n = df_reader_toc_count(c->r);
    c->ents = calloc(c->n ? c->n : 1, sizeof *c->ents);
    if (c->ents == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < c->n; i++) {
        ventry *ve = &c->ents[i];
        const df_entry *e = df_reader_toc_at(c->r, i);

        ve->e = e;
        ve->data = df_entry_has_data(e);
        ve->blobs = ve->data && df_entry_is_blobs(e);
        ve->table = ve->data && dfi_desc_is(e, "TABLE DATA");
        ve->rows_mode = rows_mode_of(c->r, e);
        ve->ncols = dfi_copy_columns(e->copy_stmt, NULL);
        ve->start = ve->end = -1;
        if (ve->table && (ve->rows_mode == DF_ROWS_COPY || ve->rows_mode == DF_ROWS_INSERT) &&
            !c->opt->quick && !c->opt->no_values)
            ve->vt = dfi_vtable_build(c->r, e, &c->pre.oom);
    }
    return DF_OK;
}

static void fill_summary(vctx *c)
{
    df_verify_summary *s = &c->v->sum;
    const df_header *h = df_reader_header(c->r ? c->r : c->v->r);

    s->quick = c->opt->quick;
    s->format = h->format;
    if (h->header_end >= 0 && h->format != DF_FORMAT_PLAIN) {
        s->vmaj = h->vmaj;
        s->vmin = h->vmin;
        s->vrev = h->vrev;
        s->compression = h->compression;
    }
    s->entries = (int64_t)c->n;
    for (size_t i = 0; i < c->n; i++) {
        const ventry *ve = &c->ents[i];
        s->data_entries += ve->data;
        s->stored_bytes += ve->stored;
        s->bytes += ve->bytes;
        s->rows += ve->rows;
        if (ve->blobs)
            s->large_objects += (int64_t)ve->nlos;
    }
    /* a compressed plain script: the data are stored in the whole compressed file */
    if (h->format == DF_FORMAT_PLAIN && h->file_compression != DF_COMPRESS_NONE) {
        s->compression = h->file_compression;
        if (h->file_size >= 0)
            s->stored_bytes = h->file_size;
    }
    if (c->gzip_used)
        s->inflater =
            c->opt->inflate == DF_INFLATE_ZLIB || !dfi_gzip_uses_isal() ? "zlib" : "isa-l";
    if (s->threads == 0)
        s->threads = 1;
}

/* Move every finding into one array: file level, entries in TOC order, end of file. */
static void merge_findings(vctx *c)
{
    df_verify *v = c->v;
    bool oom = c->pre.oom || c->post.oom;
    size_t total = c->pre.n + c->post.n + 1, k = 0;

    for (size_t i = 0; i < c->n; i++) {
        total += c->ents[i].finds.n;
        oom = oom || c->ents[i].finds.oom;
    }
    if (oom)
        vlist_add(&c->post, DF_FIND_COULD_NOT_CHECK, DF_SEVERITY_UNKNOWN, NULL, -1, NULL,
                  "out of memory: some findings were lost");
    v->f = malloc(total * sizeof *v->f);
    if (v->f == NULL) {
        v->sum.verdict = DF_VERDICT_UNKNOWN;
        return; /* the lists are freed with their messages */
    }
#define TAKE(l)                                                                                    \
    do {                                                                                           \
        if ((l).n > 0)                                                                             \
            memcpy(v->f + k, (l).v, (l).n * sizeof *v->f);                                         \
        k += (l).n;                                                                                \
        free((l).v);                                                                               \
        memset(&(l), 0, sizeof(l));                                                                \
    } while (0)
    TAKE(c->pre);
    for (size_t i = 0; i < c->n; i++)
        TAKE(c->ents[i].finds);
    TAKE(c->post);
#undef TAKE
    v->n = k;
}

static void set_verdict(df_verify *v)
{
    int64_t *f = v->sum.findings;

    memset(v->sum.findings, 0, sizeof v->sum.findings);
    for (size_t i = 0; i < v->n; i++)
        f[v->f[i].severity & 3]++;
    if (f[DF_SEVERITY_ERROR] > 0)
        v->sum.verdict = DF_VERDICT_DAMAGED;
    else if (f[DF_SEVERITY_UNKNOWN] > 0 || v->f == NULL)
        v->sum.verdict = DF_VERDICT_UNKNOWN;
    else if (f[DF_SEVERITY_WARNING] > 0)
        v->sum.verdict = DF_VERDICT_WARNING;
    else
        v->sum.verdict = DF_VERDICT_OK;
}

/* The value checks' columns of each entry go to the result (df_verify_value_columns). */
static void keep_value_columns(vctx *c)
{
    c->v->vts = calloc(c->n ? c->n : 1, sizeof *c->v->vts);
    if (c->v->vts == NULL)
        return;
    c->v->nvts = c->n;
    for (size_t i = 0; i < c->n; i++) {
        c->v->vts[i] = c->ents[i].decoded || c->ents[i].rows > 0 ? c->ents[i].vt : NULL;
        if (c->v->vts[i] != NULL)
            c->ents[i].vt = NULL;
    }
}

int df_verify_value_columns(const df_verify *v, size_t index)
{
    return v != NULL && index < v->nvts && v->vts[index] != NULL ? v->vts[index]->ncols : -1;
}

const char *df_verify_value_column(const df_verify *v, size_t index, int k, const char **type,
                                   int *checked)
{
    const dfi_vcol *c;

    if (df_verify_value_columns(v, index) <= k || k < 0)
        return NULL;
    c = &v->vts[index]->cols[k];
    if (type)
        *type = c->type;
    if (checked)
        *checked = c->kind != DFI_VK_NONE;
    return c->name;
}

static void free_ctx(vctx *c)
{
    for (size_t i = 0; c->ents && i < c->n; i++) {
        ventry *ve = &c->ents[i];
        for (size_t k = 0; k < ve->nlos; k++)
            free(ve->los[k].name);
        free(ve->los);
        free(ve->want);
        free(ve->w);
        dfi_vtable_free(ve->vt);
        free(ve->member);
        vlist_free(&ve->finds);
    }
    free(c->ents);
    free(c->by_file);
    free(c->items);
    free(c->seqs);
    free(c->links);
    vlist_free(&c->pre);
    vlist_free(&c->post);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
}

/* Every check that needs the TOC only, then the data, then what needs both. */
static void verify_opened(vctx *c)
{
    if (setup_entries(c) != DF_OK) {
        c->pre.oom = true;
        return;
    }
    check_version(c);
    check_duplicates(c);
    check_entries(c);
    if (c->r->hdr.format == DF_FORMAT_CUSTOM)
        check_offsets_present(c);
    lo_expectations(c);
    if (!c->opt->quick)
        seq_prepare(c);
    switch (c->r->hdr.format) {
    case DF_FORMAT_CUSTOM: verify_stream_format(c, false); break;
    case DF_FORMAT_TAR: verify_stream_format(c, true); break;
    case DF_FORMAT_DIRECTORY: verify_directory(c); break;
    case DF_FORMAT_PLAIN: verify_plain(c); break;
    default:
        vlist_add(&c->pre, DF_FIND_UNSUPPORTED, DF_SEVERITY_UNKNOWN, NULL, -1, NULL,
                  "%s dumps cannot be verified yet", df_format_name(c->r->hdr.format));
        break;
    }
    for (size_t i = 0; i < c->n; i++)
        if (c->ents[i].blobs && !c->ents[i].los_over) /* not all were recorded */
            lo_check(c, &c->ents[i]);
    if (!c->opt->quick)
        seq_check(c);
    if (c->r->hdr.format == DF_FORMAT_DIRECTORY && c->path != NULL)
        directory_decoded_offsets(c);
}

static int verify_run(const char *path, int fd, const char *name, const df_verify_options *opt,
                      df_verify **out)
{
    df_verify_options dflt;
    df_verify *v;
    vctx c;
    vtap tap;
    const dfi_plain_tap tap_hooks = {&tap, tap_begin, tap_data, tap_end, tap_lo_open};
    int rc;

    *out = NULL;
    memset(&tap, 0, sizeof tap);
    if (opt == NULL) {
        df_verify_options_default(&dflt);
        opt = &dflt;
    }
    tap.values = !opt->quick && !opt->no_values;
    v = calloc(1, sizeof *v);
    if (v == NULL || (v->r = df_reader_new(opt->limits)) == NULL) {
        free(v);
        return DF_E_NOMEM;
    }
    df_reader_set_follow_symlinks(v->r, opt->follow_symlinks);
    memset(&c, 0, sizeof c);
    c.opt = opt;
    c.v = v;
    c.file_size = -1;
    pthread_mutex_init(&c.mu, NULL);
    pthread_cond_init(&c.cv, NULL);
    if (path != NULL && strcmp(path, "-") == 0) {
        path = NULL;
        fd = 0;
        name = "-";
    }
    /* the reader reports a plain script's progress during its one pass at open */
    df_reader_set_progress(v->r, opt->progress, opt->progress_ctx);
    if (!opt->quick) {
        c.tap = &tap; /* a plain script is checked while it is read, in one pass */
        v->r->plain_tap = &tap_hooks;
    }
    rc = path != NULL ? df_reader_open_path(v->r, path) : df_reader_open_fd(v->r, fd, name);
    v->r->plain_tap = NULL;
    if (rc != DF_OK || v->r->hdr.format != DF_FORMAT_PLAIN)
        df_reader_set_progress(v->r, NULL, NULL);
    if (rc != DF_OK) {
        open_failed(&c, v->r, rc);
    } else {
        c.r = v->r;
        if (c.r->src.seekable && c.r->hdr.format != DF_FORMAT_DIRECTORY)
            c.file_size = c.r->src.size;
        if (path != NULL && (c.r->src.seekable || c.r->hdr.format == DF_FORMAT_DIRECTORY))
            c.path = df_reader_path(c.r);
        verify_opened(&c);
    }
    fill_summary(&c);
    merge_findings(&c);
    set_verdict(v);
    keep_value_columns(&c);
    free_ctx(&c);
    tap_free(&tap);
    *out = v;
    return DF_OK;
}

int df_verify_path(const char *path, const df_verify_options *opt, df_verify **out)
{
    if (out == NULL)
        return DF_E_USAGE;
    if (path == NULL) {
        *out = NULL;
        return DF_E_USAGE;
    }
    return verify_run(path, -1, path, opt, out);
}

int df_verify_fd(int fd, const char *display_name, const df_verify_options *opt, df_verify **out)
{
    if (out == NULL)
        return DF_E_USAGE;
    return verify_run(NULL, fd, display_name ? display_name : "-", opt, out);
}

const df_verify_summary *df_verify_get_summary(const df_verify *v)
{
    return &v->sum;
}
size_t df_verify_count(const df_verify *v)
{
    return v->n;
}

const df_finding *df_verify_finding(const df_verify *v, size_t i)
{
    return i < v->n ? &v->f[i] : NULL;
}

const df_reader *df_verify_reader(const df_verify *v)
{
    return v->r;
}

/*
 * The archive-version comparison after the fact, for a caller that learns
 * the pg_restore release while the check runs: the finding goes first, where
 * df_verify_options.pg_restore_version would have put it.
 */
int df_verify_set_pg_restore_version(df_verify *v, int pg_major)
{
    char msg[V_MSG];
    vlist one = {NULL, 0, 0, false};
    df_finding *nf;

    if (v == NULL)
        return DF_E_USAGE;
    for (size_t i = 0; i < v->n; i++)
        if (strcmp(v->f[i].code, DF_FIND_ARCHIVE_NEWER) == 0)
            return DF_OK;
    if (v->f == NULL || !archive_too_new(df_reader_header(v->r), pg_major, msg, sizeof msg))
        return DF_OK;
    vlist_add(&one, DF_FIND_ARCHIVE_NEWER, DF_SEVERITY_WARNING, NULL, 5, NULL, "%s", msg);
    if (df_reader_header(v->r)->format == DF_FORMAT_DIRECTORY) {
        vctx c = {.path = df_reader_path(v->r), .r = v->r}; /* all dir_discover needs */
        char tocname[300];
        dfi_wrap wrap;
        int64_t size;
        df_error err;

        if (c.path != NULL &&
            dir_discover(&c, "toc.dat", tocname, sizeof tocname, &wrap, &size, &err) == DF_OK &&
            wrap != DFI_WRAP_RAW)
            toc_decoded_offsets(&one, tocname);
    }
    nf = one.n == 1 ? realloc(v->f, (v->n + 1) * sizeof *v->f) : NULL;
    if (nf == NULL) {
        vlist_free(&one);
        return DF_E_NOMEM;
    }
    memmove(nf + 1, nf, v->n * sizeof *nf);
    nf[0] = one.v[0];
    free(one.v);
    v->f = nf;
    v->n++;
    set_verdict(v);
    return DF_OK;
}

void df_verify_free(df_verify *v)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < v->n; i++)
        free((void *)v->f[i].message);
    free(v->f);
    for (size_t i = 0; i < v->nvts; i++)
        dfi_vtable_free(v->vts[i]);
    free(v->vts);
    df_reader_free(v->r);
    free(v);
}
