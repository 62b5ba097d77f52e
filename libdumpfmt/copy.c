/*
 * copy.c — row counting over a TABLE DATA stream fed in pieces of any
 * size.  COPY text: one row per newline-terminated line up to the `\.`
 * terminator line (COPY escapes newlines inside values, so lines are rows).
 * INSERT mode: an SQL-aware scan that counts the parenthesised row lists
 * after each VALUES keyword, ignoring quotes, identifiers and comments.
 */
#define _GNU_SOURCE /* memrchr */

#include "internal.h"
#include "sqllex.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum sql_state { S_NORMAL, S_STRING, S_ESTRING, S_IDENT, S_LINE_COMMENT, S_BLOCK_COMMENT };

struct df_rowcount {
    bool copy_mode;
    bool skip_command; /* auto mode: the stream starts with its "COPY ... FROM stdin;" line */
    int64_t rows;
    int64_t rows_done; /* INSERT: rows of the statements that ended (a ';' at depth 0) */
    int64_t pos;       /* INSERT: offset in the stream of the byte being scanned */
    int64_t end_done;  /* INSERT: offset just past the ';' of the last statement that ended */
    /* COPY */
    bool terminated;
    size_t line_len;   /* bytes of the current line so far */
    char line_head[4]; /* its first bytes, to recognise "\." and "\.\r" */
    /* INSERT */
    enum sql_state st;
    int depth;
    bool after_values;
    bool pending_quote; /* saw a quote inside a string: doubled quote or end */
    bool pending_backslash;
    int block_depth;
    char prev;
    char word[8];
    size_t word_len;
};

df_rowcount *df_rowcount_new(int copy_mode)
{
    df_rowcount *rc = calloc(1, sizeof *rc);

    if (rc) {
        rc->copy_mode = copy_mode != 0;
        rc->skip_command = copy_mode == DF_ROWS_COPY_WITH_COMMAND;
    }
    return rc;
}

void df_rowcount_free(df_rowcount *rc) { free(rc); }
int64_t df_rowcount_rows(const df_rowcount *rc) { return rc->rows; }
int df_rowcount_terminated(const df_rowcount *rc) { return rc->terminated; }
int64_t dfi_rowcount_statement_rows(const df_rowcount *rc) { return rc->rows_done; }
int64_t dfi_rowcount_statement_end(const df_rowcount *rc) { return rc->end_done; }

/*
 * Newlines in p[0..n), 8 bytes at a time: in x = word ^ "\n\n...", the high bit of
 * ~(((x & lo7) + lo7) | x | lo7) is set exactly in the zero bytes.  The 0/1 byte lanes are
 * summed in acc and folded into the total every 255 words, before a lane could overflow.
 */
static int64_t count_newlines(const uint8_t *p, size_t n)
{
    const uint64_t lo7 = 0x7f7f7f7f7f7f7f7fULL, nl = 0x0a0a0a0a0a0a0a0aULL;
    const uint64_t even = 0x00ff00ff00ff00ffULL;
    int64_t total = 0;
    size_t i = 0;

    while (i + 8 <= n) {
        uint64_t acc = 0;

        for (int k = 0; k < 255 && i + 8 <= n; k++, i += 8) {
            uint64_t w, x;

            memcpy(&w, p + i, 8);
            x = w ^ nl;
            acc += (~(((x & lo7) + lo7) | x | lo7)) >> 7;
        }
        acc = (acc & even) + ((acc >> 8) & even); /* four 16-bit lanes, each <= 510 */
        total += (int64_t)((acc * 0x0001000100010001ULL) >> 48);
    }
    for (; i < n; i++)
        total += p[i] == '\n';
    return total;
}

/* One byte of COPY text: the slow path, for the first bytes of a line and backslashes. */
static void copy_byte(df_rowcount *rc, uint8_t c)
{
    if (c == '\n') {
        /* "\." ends the data; psql also takes "\.\r" (a CR LF script) */
        if ((rc->line_len == 2 || (rc->line_len == 3 && rc->line_head[2] == '\r')) &&
            rc->line_head[0] == '\\' && rc->line_head[1] == '.')
            rc->terminated = true;
        else
            rc->rows++;
        rc->line_len = 0;
        return;
    }
    if (rc->line_len < sizeof rc->line_head)
        rc->line_head[rc->line_len] = (char)c;
    rc->line_len++;
}

/*
 * Bytes p[0..n) with no backslash, inside a line at least 4 bytes long: no line that ends
 * here is the terminator "\." (it would start with a backslash), so newlines are counted
 * in bulk and only the length and head of the last line are kept.
 */
static void copy_span(df_rowcount *rc, const uint8_t *p, size_t n)
{
    int64_t lines = count_newlines(p, n);
    const uint8_t *last;
    size_t tail, k;

    if (lines == 0) {
        rc->line_len += n;
        return;
    }
    rc->rows += lines;
    last = memrchr(p, '\n', n);
    tail = (size_t)(p + n - (last + 1));
    rc->line_len = 0;
    for (k = 0; k < tail && k < sizeof rc->line_head; k++)
        copy_byte(rc, last[1 + k]);
    rc->line_len += tail - k;
}

static void copy_feed(df_rowcount *rc, const uint8_t *p, size_t n)
{
    size_t i = 0;

    for (; i < n && rc->skip_command; i++)
        rc->skip_command = p[i] != '\n';
    while (i < n && !rc->terminated) {
        const uint8_t *bs;
        size_t end;

        if (rc->line_len < sizeof rc->line_head || p[i] == '\\') {
            copy_byte(rc, p[i++]);
            continue;
        }
        bs = memchr(p + i, '\\', n - i);
        end = bs ? (size_t)(bs - p) : n;
        copy_span(rc, p + i, end - i);
        i = end;
    }
}

/* A word ended: VALUES starts the row lists of an INSERT. */
static void end_word(df_rowcount *rc)
{
    if (rc->word_len == 6 && strncasecmp(rc->word, "values", 6) == 0 && rc->depth == 0)
        rc->after_values = true;
    rc->word_len = 0;
}

static void sql_normal(df_rowcount *rc, char c)
{
    if (dfi_sql_ident_cont((uint8_t)c)) { /* the scanner's classes: sqllex.h */
        if (rc->word_len < sizeof rc->word)
            rc->word[rc->word_len] = c;
        rc->word_len++;
        rc->prev = c;
        return;
    }
    if (rc->word_len == 1 && (rc->word[0] == 'E' || rc->word[0] == 'e') && c == '\'') {
        rc->word_len = 0;
        rc->st = S_ESTRING;
        return;
    }
    end_word(rc);
    if (c == '\'')
        rc->st = S_STRING;
    else if (c == '"')
        rc->st = S_IDENT;
    else if (c == '-' && rc->prev == '-')
        rc->st = S_LINE_COMMENT;
    else if (c == '*' && rc->prev == '/')
        rc->st = S_BLOCK_COMMENT, rc->block_depth = 1;
    else if (c == '(') {
        if (rc->depth == 0 && rc->after_values)
            rc->rows++;
        rc->depth++;
    } else if (c == ')' && rc->depth > 0)
        rc->depth--;
    else if (c == ';' && rc->depth == 0) {
        rc->after_values = false;
        rc->rows_done = rc->rows;
        rc->end_done = rc->pos + 1;
    }
    rc->prev = (c == '-' && rc->prev == '-') || (c == '*' && rc->prev == '/') ? 0 : c;
}

static void sql_string(df_rowcount *rc, char c, bool backslashes)
{
    if (rc->pending_backslash) {
        rc->pending_backslash = false;
        return;
    }
    if (rc->pending_quote) {
        rc->pending_quote = false;
        if (c == '\'')
            return; /* doubled quote stays inside the string */
        rc->st = S_NORMAL;
        rc->prev = 0;
        sql_normal(rc, c);
        return;
    }
    if (c == '\'')
        rc->pending_quote = true;
    else if (c == '\\' && backslashes)
        rc->pending_backslash = true;
}

static void sql_feed_char(df_rowcount *rc, char c)
{
    switch (rc->st) {
    case S_NORMAL: sql_normal(rc, c); break;
    case S_STRING: sql_string(rc, c, false); break;
    case S_ESTRING: sql_string(rc, c, true); break;
    case S_IDENT:
        if (c == '"')
            rc->st = S_NORMAL, rc->prev = 0; /* a doubled quote re-enters at once: harmless */
        break;
    case S_LINE_COMMENT:
        if (c == '\n')
            rc->st = S_NORMAL, rc->prev = 0;
        break;
    case S_BLOCK_COMMENT:
        if (c == '/' && rc->prev == '*') {
            if (--rc->block_depth == 0)
                rc->st = S_NORMAL;
            c = 0;
        } else if (c == '*' && rc->prev == '/') {
            rc->block_depth++;
            c = 0;
        }
        rc->prev = c;
        break;
    }
}

void df_rowcount_feed(df_rowcount *rc, const void *buf, size_t len)
{
    const uint8_t *p = buf;

    if (rc->copy_mode) {
        copy_feed(rc, p, len);
        return;
    }
    for (size_t i = 0; i < len; i++, rc->pos++)
        sql_feed_char(rc, (char)p[i]);
}
