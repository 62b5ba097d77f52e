/*
 * plain_lex.c — a streaming lexer for plain-format dump scripts that sees a
 * script the way psql executes it.  It reports statement boundaries
 * (semicolons outside quotes, parentheses and BEGIN ATOMIC bodies), comment
 * lines that start a line between statements (where entry headers live),
 * psql meta-command lines, and COPY ... FROM stdin data, whose rows it
 * counts up to the "\." line.  Quoted strings (standard, E'' and dollar
 * quotes), quoted identifiers and comments are skipped as psql skips them,
 * so nothing inside them can end a statement or pass for a header.
 *
 * Input arrives in pieces of any size.  A decision at one position never
 * looks more than DFI_PLEX_LOOKAHEAD bytes ahead, so the caller keeps only
 * that much between pieces.  Hot paths are memchr and a 16-byte-wide
 * newline counter: COPY data (most of a dump) are never looked at byte by
 * byte, and runs of ordinary SQL are skipped with a table lookup.
 */
#include "plain.h"
#include "sqllex.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#if defined(__SSE2__) && defined(__x86_64__)
#include <emmintrin.h>
#define PLEX_SSE2 1
#endif

/* ------------------------------------------------------------ byte buffers */

int dfi_pbytes_add(dfi_pbytes *b, const void *p, size_t n)
{
    size_t room = b->max > b->len ? b->max - b->len : 0;

    if (n > room) {
        b->overflow = true;
        n = room;
    }
    if (n == 0)
        return DF_OK;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *grown;

        while (cap < b->len + n + 1)
            cap *= 2;
        if (cap > b->max + 1) /* a long text ends at the limit: no doubling past it */
            cap = b->max + 1;
        grown = realloc(b->p, cap);
        if (grown == NULL)
            return DF_E_NOMEM;
        b->p = grown;
        b->cap = cap;
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
    b->p[b->len] = '\0';
    return DF_OK;
}

void dfi_pbytes_reset(dfi_pbytes *b)
{
    b->len = 0;
    b->overflow = false;
    if (b->p)
        b->p[0] = '\0';
}

void dfi_pbytes_free(dfi_pbytes *b)
{
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* ------------------------------------------------------------ character classes */

/* The character classes are sqllex.h's (dfi_sql_space, dfi_sql_ident_start ...). */

/* Bytes that stop the fast skip inside a statement. */
static bool stops_stmt(uint8_t c)
{
    return c == '\'' || c == '"' || c == '$' || c == '-' || c == '/' || c == '\\' || c == ';' ||
           c == '(' || c == ')';
}

/* ------------------------------------------------------------ newline counting */

int64_t dfi_count_newlines(const uint8_t *p, size_t n)
{
    int64_t total = 0;
    size_t i = 0;

#ifdef PLEX_SSE2
    const __m128i nl = _mm_set1_epi8('\n');
    const __m128i zero = _mm_setzero_si128();

    while (n - i >= 64) {
        /*
         * Byte counters must not wrap: a round adds up to 4 to a lane (one
         * per 16-byte block, when lines are 16 bytes or a divisor of 16
         * long), so at most 63 rounds before the flush (63 x 4 = 252).
         */
        size_t rounds = (n - i) / 64;
        __m128i acc = zero;

        if (rounds > 63)
            rounds = 63;
        for (size_t k = 0; k < rounds; k++, i += 64) {
            __m128i a = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i)), nl);
            __m128i b = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 16)), nl);
            __m128i c = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 32)), nl);
            __m128i d = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(p + i + 48)), nl);
            acc = _mm_sub_epi8(acc, _mm_add_epi8(_mm_add_epi8(a, b), _mm_add_epi8(c, d)));
        }
        acc = _mm_sad_epu8(acc, zero);
        total += _mm_cvtsi128_si64(acc) + _mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc));
    }
#endif
    for (; i < n; i++)
        total += p[i] == '\n';
    return total;
}

/* ------------------------------------------------------------ piece access */

/* The byte at k of the current piece, 0 beyond it. */
static uint8_t at(const dfi_plex *lx, size_t k)
{
    return k < lx->n ? lx->p[k] : 0;
}

/* The byte before position i (from the previous piece when i == 0). */
static uint8_t before(const dfi_plex *lx, size_t i)
{
    return i >= 1 ? lx->p[i - 1] : lx->last1;
}

static uint8_t before2(const dfi_plex *lx, size_t i)
{
    if (i >= 2)
        return lx->p[i - 2];
    return i == 1 ? lx->last1 : lx->last2;
}

static int64_t off_of(const dfi_plex *lx, size_t i)
{
    return lx->off + (int64_t)i;
}

static void keep_tail(dfi_plex *lx, const uint8_t *p, size_t n)
{
    size_t cap = sizeof lx->tail;

    if (n >= cap) {
        memcpy(lx->tail, p + n - cap, cap);
        lx->tail_len = cap;
        return;
    }
    if (lx->tail_len + n > cap) {
        size_t drop = lx->tail_len + n - cap;
        memmove(lx->tail, lx->tail + drop, lx->tail_len - drop);
        lx->tail_len -= drop;
    }
    memcpy(lx->tail + lx->tail_len, p, n);
    lx->tail_len += n;
}

/* Hand the text since the last flush to the hook and the active captures. */
static int flush(dfi_plex *lx, size_t i)
{
    const uint8_t *p = lx->p + lx->text_from;
    size_t n = i > lx->text_from ? i - lx->text_from : 0;
    int rc = DF_OK;

    lx->text_from = i;
    if (!lx->text_on || n == 0)
        return DF_OK;
    if (lx->stmt_active) {
        keep_tail(lx, p, n);
        if (lx->stmt_capture && dfi_pbytes_add(&lx->stmt, p, n) != DF_OK)
            return DF_E_NOMEM;
    }
    if (lx->line_capture && dfi_pbytes_add(&lx->line, p, n) != DF_OK)
        return DF_E_NOMEM;
    if (lx->h.text)
        rc = lx->h.text(lx->h.ctx, p, n);
    return rc;
}

/* ------------------------------------------------------------ init */

void dfi_plex_init(dfi_plex *lx, const dfi_plex_hooks *hooks)
{
    memset(lx, 0, sizeof *lx);
    if (hooks)
        lx->h = *hooks;
    lx->mode = DFI_PX_TOP;
    lx->last1 = lx->last2 = '\n'; /* the script starts at the start of a line */
    lx->std_strings = true;
    lx->text_on = true;
    lx->stmt.max = DFI_PLEX_CAPTURE_MAX;
    lx->line.max = DFI_PLEX_CAPTURE_MAX;
}

void dfi_plex_free(dfi_plex *lx)
{
    dfi_pbytes_free(&lx->stmt);
    dfi_pbytes_free(&lx->line);
}

/* ------------------------------------------------------------ statements */

/* A small tokenizer over captured statement text: words, skipping quotes. */
typedef struct tok {
    const char *s, *end;
    int depth;
} tok;

/* Next word (lower-cased into w) at any depth; false at the end. */
static bool next_word(tok *t, char *w, size_t wn, int *depth)
{
    while (t->s < t->end) {
        char c = *t->s;

        if (c == '\'' || c == '"') {
            t->s = dfi_sql_quoted_end(t->s, t->end, c, false);
        } else if (c == '(') {
            t->depth++, t->s++;
        } else if (c == ')') {
            t->depth--, t->s++;
        } else if (dfi_sql_ident_start((uint8_t)c)) {
            size_t k = 0;
            *depth = t->depth;
            while (t->s < t->end && dfi_sql_ident_cont((uint8_t)*t->s)) {
                if (k + 1 < wn)
                    w[k++] = (char)((*t->s >= 'A' && *t->s <= 'Z') ? *t->s + 32 : *t->s);
                t->s++;
            }
            w[k] = '\0';
            return true;
        } else {
            t->s++;
        }
    }
    return false;
}

/* COPY ... FROM stdin (outside parentheses), as psql would see a COPY IN. */
static bool words_copy_in(const char *s, size_t n)
{
    tok t = {s, s + n, 0};
    char prev[16] = "", w[16];
    int depth, prev_depth = -1;

    while (next_word(&t, w, sizeof w, &depth)) {
        if (strcmp(w, "stdin") == 0 && strcmp(prev, "from") == 0 && depth == 0 && prev_depth == 0)
            return true;
        memcpy(prev, w, sizeof prev);
        prev_depth = depth;
    }
    return false;
}

static bool is_copy_in(const dfi_plex *lx)
{
    if (strcmp(lx->stmt_word, "copy") != 0)
        return false;
    if (!lx->stmt.overflow)
        return words_copy_in(lx->stmt.p ? lx->stmt.p : "", lx->stmt.len);
    /* too long to capture: judge by its last bytes */
    return words_copy_in(lx->tail, lx->tail_len);
}

/* SET standard_conforming_strings = on|off changes how psql reads '...'. */
static void note_set(dfi_plex *lx)
{
    tok t = {lx->stmt.p ? lx->stmt.p : "", (lx->stmt.p ? lx->stmt.p : "") + lx->stmt.len, 0};
    char w[40];
    int depth;
    bool named = false;

    if (strcmp(lx->stmt_word, "set") != 0 || lx->stmt.overflow)
        return;
    while (next_word(&t, w, sizeof w, &depth)) {
        if (!named) {
            named = strcmp(w, "standard_conforming_strings") == 0;
            continue;
        }
        if (strcmp(w, "to") == 0)
            continue;
        if (strcmp(w, "on") == 0 || strcmp(w, "true") == 0 || strcmp(w, "yes") == 0)
            lx->std_strings = true;
        else if (strcmp(w, "off") == 0 || strcmp(w, "false") == 0 || strcmp(w, "no") == 0)
            lx->std_strings = false;
        return;
    }
    /* SET standard_conforming_strings = 'off' puts the value in quotes */
    if (named && lx->stmt.p) {
        const char *q = strchr(lx->stmt.p, '\'');
        if (q && strncasecmp(q + 1, "off'", 4) == 0)
            lx->std_strings = false;
        else if (q && strncasecmp(q + 1, "on'", 3) == 0)
            lx->std_strings = true;
    }
}

/* The first word at i, lower-cased; "" when the statement starts otherwise. */
static void first_word(const dfi_plex *lx, size_t i, char *w)
{
    size_t k = 0;

    while (k < DFI_PLEX_WORD_MAX) {
        uint8_t c = at(lx, i + k);
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'))
            break;
        w[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    w[k] = '\0';
}

static int begin_statement(dfi_plex *lx, size_t i)
{
    bool capture = false;
    int rc = flush(lx, i);

    if (rc != DF_OK)
        return rc;
    first_word(lx, i, lx->stmt_word);
    lx->stmt_active = true;
    lx->paren_depth = lx->begin_depth = 0;
    lx->track_words = strcmp(lx->stmt_word, "create") == 0;
    lx->ident_count = 0;
    memset(lx->idents, 0, sizeof lx->idents);
    lx->tail_len = 0;
    dfi_pbytes_reset(&lx->stmt);
    if (lx->h.stmt_begin)
        rc = lx->h.stmt_begin(lx->h.ctx, off_of(lx, i), lx->stmt_word, &capture);
    lx->stmt_capture =
        capture || strcmp(lx->stmt_word, "copy") == 0 || strcmp(lx->stmt_word, "set") == 0;
    return rc;
}

/* End the statement at i (just past its semicolon, or the end of input). */
static int end_statement(dfi_plex *lx, size_t i, bool terminated)
{
    bool copy_in;
    int rc = flush(lx, i);

    if (rc != DF_OK)
        return rc;
    copy_in = terminated && is_copy_in(lx);
    if (terminated)
        note_set(lx);
    lx->stmt_active = false;
    lx->copy_pending = copy_in;
    if (lx->h.stmt_end)
        rc = lx->h.stmt_end(lx->h.ctx, off_of(lx, i), lx->stmt.p ? lx->stmt.p : "", lx->stmt.len,
                            !lx->stmt.overflow, terminated, copy_in);
    return rc;
}

/* psql's heuristic for semicolons inside CREATE FUNCTION ... BEGIN ATOMIC ... END. */
static void track_word(dfi_plex *lx, const uint8_t *w, size_t n)
{
    static const char *const keep[] = {"create", "function", "procedure", "or", "replace"};
    char lw[16];
    size_t k;

    for (k = 0; k < n && k + 1 < sizeof lw; k++)
        lw[k] = (char)(w[k] >= 'A' && w[k] <= 'Z' ? w[k] + 32 : w[k]);
    lw[k] = '\0';
    if (n >= sizeof lw)
        lw[0] = '\0'; /* too long to be a keyword that matters */
    for (size_t j = 0; j < sizeof keep / sizeof keep[0]; j++)
        if (strcmp(lw, keep[j]) == 0 && lx->ident_count < (int)sizeof lx->idents)
            lx->idents[lx->ident_count] = lw[0];
    lx->ident_count++;
    if (lx->idents[0] != 'c' || lx->paren_depth != 0)
        return;
    if (!(lx->idents[1] == 'f' || lx->idents[1] == 'p' ||
          (lx->idents[1] == 'o' && lx->idents[2] == 'r' &&
           (lx->idents[3] == 'f' || lx->idents[3] == 'p'))))
        return;
    if (strcmp(lw, "begin") == 0)
        lx->begin_depth++;
    else if (strcmp(lw, "case") == 0 && lx->begin_depth >= 1)
        lx->begin_depth++;
    else if (strcmp(lw, "end") == 0 && lx->begin_depth > 0)
        lx->begin_depth--;
}

/* ------------------------------------------------------------ starting constructs */

static int enter_copy(dfi_plex *lx, size_t i)
{
    int rc = flush(lx, i);

    if (rc != DF_OK)
        return rc;
    lx->text_on = false;
    lx->mode = DFI_PX_COPY;
    lx->copy_pending = false;
    lx->copy_rows = 0;
    lx->copy_bol = true;
    if (lx->h.copy_begin)
        rc = lx->h.copy_begin(lx->h.ctx, off_of(lx, i));
    return rc;
}

static int start_meta(dfi_plex *lx, size_t i)
{
    int rc = flush(lx, i);

    lx->text_on = false;
    lx->mode = DFI_PX_META;
    lx->meta_off = off_of(lx, i);
    dfi_pbytes_reset(&lx->line);
    return rc;
}

static int start_line_comment(dfi_plex *lx, size_t i, bool reported)
{
    int rc = DF_OK;

    lx->mode = DFI_PX_LCOMMENT;
    lx->comment_reported = reported;
    if (!reported)
        return DF_OK;
    rc = flush(lx, i);
    dfi_pbytes_reset(&lx->line);
    lx->line_capture = true;
    if (rc == DF_OK && lx->h.comment_begin)
        rc = lx->h.comment_begin(lx->h.ctx, off_of(lx, i));
    return rc;
}

/* A '$' at i outside a word: the length of a $tag$ delimiter there, 0 if none. */
static size_t dollar_delim(const dfi_plex *lx, size_t i)
{
    size_t k = i + 1;

    if (at(lx, k) == '$')
        return 2;
    if (!dfi_sql_ident_start(at(lx, k)) || k >= lx->n)
        return 0;
    while (k < lx->n && k - i <= DFI_PLEX_TAG_MAX && dfi_sql_dolq_cont(lx->p[k]))
        k++;
    if (k - i > DFI_PLEX_TAG_MAX || at(lx, k) != '$')
        return 0;
    return k - i + 1;
}

static void start_dollar(dfi_plex *lx, size_t i, size_t len)
{
    lx->tag_len = len - 2;
    memcpy(lx->tag, lx->p + i + 1, lx->tag_len);
    lx->mode = DFI_PX_DOLLAR;
}

/* A quote at i opens E'...' when an E stands alone right before it. */
static bool escape_string_at(const dfi_plex *lx, size_t i)
{
    uint8_t e = before(lx, i);

    if (!lx->std_strings)
        return true;
    return (e == 'E' || e == 'e') && !dfi_sql_ident_cont(before2(lx, i));
}

/* ------------------------------------------------------------ top level */

/* Between statements: skip white space; a comment, a meta-command or a statement follows. */
static int top_idle(dfi_plex *lx, size_t *pi, size_t limit)
{
    const uint8_t *p = lx->p;
    size_t i = *pi;
    uint8_t c, c1;

    for (; i < limit; i++) {
        c = p[i];
        if (c == '\n') {
            if (lx->copy_pending) {
                *pi = i + 1;
                return enter_copy(lx, i + 1);
            }
            continue;
        }
        if (!dfi_sql_space(c))
            break;
    }
    *pi = i;
    if (i == limit)
        return DF_OK;
    c1 = at(lx, i + 1);
    if (c == '-' && c1 == '-') {
        *pi = i + 2;
        return start_line_comment(lx, i, before(lx, i) == '\n');
    }
    if (c == '/' && c1 == '*') {
        lx->mode = DFI_PX_BCOMMENT;
        lx->block_depth = 1;
        *pi = i + 2;
        return DF_OK;
    }
    if (c == '\\' && c1 != ';' && c1 != ':')
        return start_meta(lx, i);
    return begin_statement(lx, i);
}

/* Inside a statement: skip ordinary bytes, act on the ones that matter. */
static int top_stmt(dfi_plex *lx, size_t *pi, size_t limit)
{
    const uint8_t *p = lx->p;
    size_t i = *pi;
    uint8_t c, c1;
    size_t len;

    if (lx->track_words) {
        while (i < limit && !stops_stmt(p[i]) && !dfi_sql_ident_start(p[i]))
            i++;
    } else {
        while (i < limit && !stops_stmt(p[i]))
            i++;
    }
    *pi = i;
    if (i == limit)
        return DF_OK;
    c = p[i];
    c1 = at(lx, i + 1);
    *pi = i + 1;
    switch (c) {
    case '\'': lx->mode = escape_string_at(lx, i) ? DFI_PX_ESQUOTE : DFI_PX_SQUOTE; return DF_OK;
    case '"': lx->mode = DFI_PX_DQUOTE; return DF_OK;
    case '$':
        if (!dfi_sql_ident_cont(before(lx, i)) && (len = dollar_delim(lx, i)) > 0) {
            start_dollar(lx, i, len);
            *pi = i + len;
        }
        return DF_OK;
    case '-':
        if (c1 == '-') {
            *pi = i + 2;
            return start_line_comment(lx, i, false);
        }
        return DF_OK;
    case '/':
        if (c1 == '*') {
            lx->mode = DFI_PX_BCOMMENT;
            lx->block_depth = 1;
            *pi = i + 2;
        }
        return DF_OK;
    case '\\':
        if (c1 == ';' || c1 == ':') {
            *pi = i + 2;
            return DF_OK;
        }
        *pi = i;
        return start_meta(lx, i);
    case ';':
        if (lx->paren_depth == 0 && lx->begin_depth == 0)
            return end_statement(lx, i + 1, true);
        return DF_OK;
    case '(': lx->paren_depth++; return DF_OK;
    case ')':
        if (lx->paren_depth > 0)
            lx->paren_depth--;
        return DF_OK;
    default: break;
    }
    /* a word (only when tracking BEGIN ATOMIC bodies) */
    len = 0;
    while (i + len < lx->n && dfi_sql_ident_cont(p[i + len]))
        len++;
    if (!dfi_sql_ident_cont(before(lx, i)))
        track_word(lx, p + i, len);
    *pi = i + len;
    return DF_OK;
}

/* ------------------------------------------------------------ other modes */

/* E'...': a backslash escapes the next byte (so \' does not end the string). */
static const uint8_t *find_escaped_quote(const uint8_t *p, size_t *pi, size_t limit)
{
    size_t i = *pi;

    while (i < limit) {
        if (p[i] == '\'')
            return p + i;
        i += p[i] == '\\' ? 2 : 1;
    }
    *pi = i;
    return NULL;
}

static int lex_quote(dfi_plex *lx, size_t *pi, size_t limit, uint8_t q)
{
    const uint8_t *p = lx->p;
    size_t i = *pi;
    const uint8_t *hit;

    if (lx->mode == DFI_PX_ESQUOTE)
        hit = find_escaped_quote(p, &i, limit);
    else
        hit = memchr(p + i, q, limit - i);
    if (hit == NULL) {
        *pi = i > limit ? i : limit;
        return DF_OK;
    }
    i = (size_t)(hit - p);
    if (at(lx, i + 1) == q && i + 1 < lx->n) {
        *pi = i + 2; /* doubled: stays inside */
        return DF_OK;
    }
    *pi = i + 1;
    lx->mode = DFI_PX_TOP;
    return DF_OK;
}

static int lex_dollar(dfi_plex *lx, size_t *pi, size_t limit)
{
    const uint8_t *p = lx->p;
    size_t i = *pi;
    const uint8_t *hit = memchr(p + i, '$', limit - i);

    if (hit == NULL) {
        *pi = limit;
        return DF_OK;
    }
    i = (size_t)(hit - p);
    if (i + lx->tag_len + 1 < lx->n && memcmp(p + i + 1, lx->tag, lx->tag_len) == 0 &&
        p[i + 1 + lx->tag_len] == '$') {
        *pi = i + lx->tag_len + 2;
        lx->mode = DFI_PX_TOP;
        return DF_OK;
    }
    *pi = i + 1;
    return DF_OK;
}

static int lex_block_comment(dfi_plex *lx, size_t *pi, size_t limit)
{
    size_t i = *pi;

    while (i < limit) {
        uint8_t c = lx->p[i], c1 = at(lx, i + 1);
        if (c == '*' && c1 == '/') {
            i += 2;
            if (--lx->block_depth == 0) {
                lx->mode = DFI_PX_TOP;
                break;
            }
        } else if (c == '/' && c1 == '*') {
            lx->block_depth++;
            i += 2;
        } else {
            i++;
        }
    }
    *pi = i;
    return DF_OK;
}

/* Strip the CR of a CRLF line end from a captured line. */
static size_t line_len(const dfi_pbytes *b)
{
    size_t n = b->len;

    while (n > 0 && (b->p[n - 1] == '\n' || b->p[n - 1] == '\r'))
        n--;
    return n;
}

static int end_line_comment(dfi_plex *lx, size_t i)
{
    int rc = DF_OK, rc2 = DF_OK;

    lx->mode = DFI_PX_TOP;
    if (lx->comment_reported) {
        rc = flush(lx, i);
        lx->line_capture = false;
        if (rc == DF_OK && lx->h.comment_end)
            rc = lx->h.comment_end(lx->h.ctx, off_of(lx, i), lx->line.p ? lx->line.p : "",
                                   line_len(&lx->line), !lx->line.overflow);
    }
    /* even after a pause: the data start on this very line boundary */
    if (rc >= 0 && lx->copy_pending && !lx->stmt_active)
        rc2 = enter_copy(lx, i);
    return rc < 0 || rc2 == DF_OK ? rc : rc2;
}

static int lex_line_comment(dfi_plex *lx, size_t *pi, size_t limit)
{
    const uint8_t *hit = memchr(lx->p + *pi, '\n', limit - *pi);

    if (hit == NULL) {
        *pi = limit;
        return DF_OK;
    }
    *pi = (size_t)(hit - lx->p) + 1;
    return end_line_comment(lx, *pi);
}

static int end_meta(dfi_plex *lx, size_t i)
{
    int rc = DF_OK;

    lx->mode = DFI_PX_TOP;
    lx->text_on = true;
    lx->text_from = i;
    if (lx->h.meta)
        rc = lx->h.meta(lx->h.ctx, lx->meta_off, off_of(lx, i), lx->line.p ? lx->line.p : "",
                        line_len(&lx->line), !lx->line.overflow);
    return rc;
}

static int lex_meta(dfi_plex *lx, size_t *pi, size_t limit)
{
    size_t i = *pi;
    const uint8_t *hit = memchr(lx->p + i, '\n', limit - i);
    size_t upto = hit ? (size_t)(hit - lx->p) + 1 : limit;

    if (dfi_pbytes_add(&lx->line, lx->p + i, upto - i) != DF_OK)
        return DF_E_NOMEM;
    *pi = upto;
    return hit ? end_meta(lx, upto) : DF_OK;
}

/* Is a "\." line at i (a line start)?  Its end, or 0. */
static size_t copy_terminator(const dfi_plex *lx, size_t i)
{
    uint8_t c2 = at(lx, i + 2);

    if (at(lx, i + 1) != '.')
        return 0;
    if (c2 == '\n' && i + 2 < lx->n)
        return i + 3;
    if (c2 == '\r' && at(lx, i + 3) == '\n' && i + 3 < lx->n)
        return i + 4;
    if (lx->eof && (i + 2 == lx->n || (c2 == '\r' && i + 3 == lx->n)))
        return lx->n;
    return 0;
}

/*
 * COPY data: rows are newline-terminated lines up to a line "\." (COPY
 * text escapes every newline, backslash and "\." inside values).  Only
 * backslashes need a look, and memchr finds them.
 */
static int lex_copy(dfi_plex *lx, size_t *pi, size_t limit)
{
    const uint8_t *p = lx->p;
    size_t i = *pi, from = *pi;
    int rc;

    while (i < limit) {
        const uint8_t *hit = memchr(p + i, '\\', limit - i);
        size_t stop = hit ? (size_t)(hit - p) : limit, end;

        if (stop > i) {
            lx->copy_rows += dfi_count_newlines(p + i, stop - i);
            lx->copy_bol = p[stop - 1] == '\n';
        }
        i = stop;
        if (hit == NULL)
            break;
        if (lx->copy_bol && (end = copy_terminator(lx, i)) != 0) {
            *pi = end;
            if (lx->h.copy_data && (rc = lx->h.copy_data(lx->h.ctx, p + from, end - from)) < 0)
                return rc;
            lx->mode = DFI_PX_TOP;
            lx->text_on = true;
            lx->text_from = end;
            return lx->h.copy_end ? lx->h.copy_end(lx->h.ctx, off_of(lx, end), lx->copy_rows, true)
                                  : DF_OK;
        }
        lx->copy_bol = false;
        i++;
    }
    *pi = i;
    return lx->h.copy_data && i > from ? lx->h.copy_data(lx->h.ctx, p + from, i - from) : DF_OK;
}

/* ------------------------------------------------------------ driver */

static int lex_step(dfi_plex *lx, size_t *pi, size_t limit)
{
    switch (lx->mode) {
    case DFI_PX_TOP: return lx->stmt_active ? top_stmt(lx, pi, limit) : top_idle(lx, pi, limit);
    case DFI_PX_SQUOTE:
    case DFI_PX_ESQUOTE: return lex_quote(lx, pi, limit, '\'');
    case DFI_PX_DQUOTE: return lex_quote(lx, pi, limit, '"');
    case DFI_PX_DOLLAR: return lex_dollar(lx, pi, limit);
    case DFI_PX_LCOMMENT: return lex_line_comment(lx, pi, limit);
    case DFI_PX_BCOMMENT: return lex_block_comment(lx, pi, limit);
    case DFI_PX_META: return lex_meta(lx, pi, limit);
    case DFI_PX_COPY: return lex_copy(lx, pi, limit);
    }
    return DF_E_USAGE;
}

ssize_t dfi_plex_feed(dfi_plex *lx, const uint8_t *p, size_t n, bool eof)
{
    size_t limit = eof ? n : (n > DFI_PLEX_LOOKAHEAD ? n - DFI_PLEX_LOOKAHEAD : 0);
    size_t i = 0;
    int rc = DF_OK;

    lx->p = p;
    lx->n = n;
    lx->eof = eof;
    lx->text_from = 0;
    while (i < limit && rc == DF_OK)
        rc = lex_step(lx, &i, limit);
    if (rc < 0)
        return rc;
    if (i > n)
        i = n;
    rc = flush(lx, i);
    if (rc < 0)
        return rc;
    if (i >= 1) {
        lx->last2 = i >= 2 ? p[i - 2] : lx->last1;
        lx->last1 = p[i - 1];
    }
    lx->off += (int64_t)i;
    lx->p = NULL;
    lx->n = 0;
    return (ssize_t)i;
}

int dfi_plex_finish(dfi_plex *lx)
{
    int rc = DF_OK;

    lx->p = (const uint8_t *)"";
    lx->n = 0;
    lx->text_from = 0;
    switch (lx->mode) {
    case DFI_PX_COPY:
        lx->mode = DFI_PX_TOP;
        lx->text_on = true;
        if (lx->h.copy_end)
            rc = lx->h.copy_end(lx->h.ctx, lx->off, lx->copy_rows, false);
        break;
    case DFI_PX_META: rc = end_meta(lx, 0); break;
    case DFI_PX_LCOMMENT: rc = end_line_comment(lx, 0); break;
    default: break;
    }
    lx->mode = DFI_PX_TOP;
    if (rc >= 0 && lx->copy_pending) {
        /* the script ends right after a COPY ... FROM stdin: data without their "\." */
        lx->copy_pending = false;
        if (lx->h.copy_begin)
            rc = lx->h.copy_begin(lx->h.ctx, lx->off);
        if (rc >= 0 && lx->h.copy_end)
            rc = lx->h.copy_end(lx->h.ctx, lx->off, 0, false);
    }
    if (rc >= 0 && lx->stmt_active)
        rc = end_statement(lx, 0, false);
    lx->p = NULL;
    return rc < 0 ? rc : DF_OK;
}
