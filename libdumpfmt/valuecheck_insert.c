/*
 * valuecheck_insert.c — the value checks of INSERT-format data (pg_dump
 * --inserts, --column-inserts, --rows-per-insert): a scanner of the
 * statements that finds each VALUES row's literals and checks them as the
 * column's input function would.  A quoted literal is the value itself (the
 * dump writes standard_conforming_strings on); a bare one is an SQL number
 * or keyword, checked only where that means the same (integers, numeric);
 * anything else (casts, expressions, E'' strings) is left unchecked.
 */
#include "valuecheck.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A literal longer than this is not kept (not checked). */
#define VI_FIELD_MAX ((size_t)64 * 1024 * 1024)

enum { VI_NORMAL = 0, VI_STRING, VI_IDENT, VI_COMMENT };
enum { VK_EMPTY = 0, VK_BARE, VK_QUOTED, VK_SKIP };

typedef struct dfi_vins {
    int st;
    bool pend_quote; /* a quote in a string or identifier: doubled, or its end */
    int prev;        /* the byte before, for "--" */
    int depth;
    bool after_values; /* the statement's VALUES came */
    bool in_cols;      /* inside its column list */
    char word[8];      /* the bare word being read outside rows (INSERT, VALUES) */
    size_t word_len;
    char name[256]; /* a column name of the list */
    size_t name_len;
    int *map; /* statement column -> table column (-1: unknown) */
    int nmap, capmap;
    bool listed; /* the statement has a column list */
    int col;     /* the field of the row */
    int kind;    /* VK_* of the field */
    bool bare_end; /* a space ended the bare word */
    uint8_t *fld;
    size_t fld_n, fld_cap;
    int64_t fld_off;
    int64_t rows;
} dfi_vins;

void dfi_vins_free(dfi_vins *s)
{
    if (s == NULL)
        return;
    free(s->map);
    free(s->fld);
    free(s);
}

static void vi_put(dfi_vins *s, uint8_t c)
{
    if (s->kind == VK_SKIP)
        return;
    if (s->fld_n == s->fld_cap) {
        size_t nc = s->fld_cap ? s->fld_cap * 2 : 256;
        uint8_t *nf = nc <= VI_FIELD_MAX ? realloc(s->fld, nc) : NULL;
        if (nf == NULL) {
            s->kind = VK_SKIP;
            return;
        }
        s->fld = nf;
        s->fld_cap = nc;
    }
    s->fld[s->fld_n++] = c;
}

static void vi_field_start(dfi_vins *s, int64_t off)
{
    s->kind = VK_EMPTY;
    s->bare_end = false;
    s->fld_n = 0;
    s->fld_off = off;
}

/* A bare literal the column's input function reads the same way as SQL does. */
static bool vi_bare_checked(const dfi_vcol *c, const uint8_t *p, size_t n)
{
    size_t i = n > 0 && p[0] == '-';

    if (c->array > 0 || i == n)
        return false;
    if (c->kind == DFI_VK_INT2 || c->kind == DFI_VK_INT4 || c->kind == DFI_VK_INT8) {
        for (; i < n; i++) /* digits: an integer constant, assigned with a range check */
            if (!isdigit(p[i]))
                return false;
        return true;
    }
    if (c->kind != DFI_VK_NUMERIC)
        return false;
    for (i = 0; i < n; i++) /* a numeric constant, then the column's precision */
        if (!isdigit(p[i]) && p[i] != '.' && p[i] != '-' && p[i] != '+' && p[i] != 'e' &&
            p[i] != 'E')
            return false;
    return isdigit(p[n - 1]) || p[n - 1] == '.';
}

static void vi_field_end(dfi_vcheck *vc, dfi_vins *s)
{
    const dfi_vtable *t = vc->t;
    int col = s->listed ? (s->col < s->nmap ? s->map[s->col] : -1) : s->col;
    const dfi_vcol *c;
    int rc;

    if (col < 0 || col >= t->ncols || s->kind == VK_EMPTY || s->kind == VK_SKIP)
        return;
    c = &t->cols[col];
    if (s->kind == VK_BARE) {
        if (s->fld_n == 4 && strncasecmp((const char *)s->fld, "NULL", 4) == 0)
            rc = dfi_value_check(c, t->encoding, NULL, 0);
        else if (vi_bare_checked(c, s->fld, s->fld_n))
            rc = dfi_value_check(c, t->encoding, s->fld, s->fld_n);
        else
            return; /* DEFAULT, true, a float constant, ... */
    } else {
        rc = dfi_value_check(c, t->encoding, s->fld, s->fld_n);
    }
    if (rc != DFI_VAL_OK)
        dfi_vcheck_note(vc, rc, col, s->rows + 1, s->fld_off, s->fld, s->fld_n);
}

/* A name of the statement's column list ended: its table column. */
static void vi_name_end(const dfi_vtable *t, dfi_vins *s)
{
    int col = -1;

    s->name[s->name_len] = '\0';
    s->name_len = 0;
    for (int i = 0; i < t->ncols && col < 0; i++)
        if (strcmp(t->cols[i].name, s->name) == 0)
            col = i;
    if (s->nmap == s->capmap) {
        int nc = s->capmap ? s->capmap * 2 : 16;
        int *nm = realloc(s->map, (size_t)nc * sizeof *nm);
        if (nm == NULL) {
            s->listed = false; /* not checked: table order is a guess */
            s->nmap = 0;
            return;
        }
        s->map = nm;
        s->capmap = nc;
    }
    s->map[s->nmap++] = col;
}

static void vi_word_end(dfi_vins *s)
{
    if (s->depth == 0 && s->word_len == 6 && strncasecmp(s->word, "VALUES", 6) == 0)
        s->after_values = true;
    if (s->depth == 0 && s->word_len == 6 && strncasecmp(s->word, "INSERT", 6) == 0) {
        s->after_values = false; /* a new statement: table order until a column list */
        s->listed = false;
        s->nmap = 0;
    }
    s->word_len = 0;
}

/* A byte of the statement text outside strings, identifiers and comments. */
static void vi_normal(dfi_vcheck *vc, dfi_vins *s, uint8_t c, int64_t off)
{
    bool row = s->depth == 1 && s->after_values;

    if (isalnum(c) || c == '_' || c == '$') {
        if (s->depth == 0) {
            if (s->word_len < sizeof s->word)
                s->word[s->word_len] = (char)c;
            s->word_len++;
        } else if (s->in_cols && s->name_len + 1 < sizeof s->name) {
            s->name[s->name_len++] = (char)c;
        }
        if (row) {
            if (s->kind == VK_EMPTY)
                s->kind = VK_BARE;
            else if (s->kind != VK_BARE || s->bare_end)
                s->kind = VK_SKIP;
            vi_put(s, c);
        }
        return;
    }
    vi_word_end(s);
    if (c == '\'') {
        s->st = VI_STRING;
        if (row)
            s->kind = s->kind == VK_EMPTY ? VK_QUOTED : VK_SKIP; /* E'...', a cast before */
        return;
    }
    if (c == '"') {
        s->st = VI_IDENT;
        if (row)
            s->kind = VK_SKIP;
        return;
    }
    if (c == '-' && s->prev == '-') {
        s->st = VI_COMMENT;
        if (row && s->kind == VK_BARE && s->fld_n > 0 && s->fld[s->fld_n - 1] == '-')
            s->fld_n--;
        return;
    }
    switch (c) {
    case '(':
        if (++s->depth == 1 && s->after_values) {
            s->col = 0;
            vi_field_start(s, off + 1);
        } else if (s->depth == 1 && !s->after_values) {
            s->in_cols = true;
            s->listed = true;
            s->nmap = 0;
            s->name_len = 0;
        } else if (s->after_values) {
            s->kind = VK_SKIP; /* a function call, ROW(...) */
        }
        return;
    case ')':
        if (row) {
            vi_field_end(vc, s);
            s->rows++;
        } else if (s->depth == 1 && s->in_cols) {
            if (s->name_len > 0)
                vi_name_end(vc->t, s);
            s->in_cols = false;
        }
        if (s->depth > 0)
            s->depth--;
        return;
    case ',':
        if (row) {
            vi_field_end(vc, s);
            s->col++;
            vi_field_start(s, off + 1);
        } else if (s->depth == 1 && s->in_cols && s->name_len > 0) {
            vi_name_end(vc->t, s);
        }
        return;
    case ';':
        if (s->depth == 0)
            s->after_values = false;
        return;
    default:
        break;
    }
    if (!row)
        return;
    if (isspace(c)) {
        s->bare_end = s->kind == VK_BARE;
    } else if ((c == '-' || c == '+' || c == '.') && (s->kind == VK_EMPTY || s->kind == VK_BARE) &&
               !s->bare_end) {
        s->kind = VK_BARE; /* a sign or a point of a number */
        vi_put(s, c);
    } else {
        s->kind = VK_SKIP; /* an operator, a cast */
    }
}

static void vi_byte(dfi_vcheck *vc, dfi_vins *s, uint8_t c, int64_t off)
{
    bool row = s->depth == 1 && s->after_values;

    switch (s->st) {
    case VI_STRING:
        if (s->pend_quote) {
            s->pend_quote = false;
            if (c == '\'') { /* a doubled quote */
                if (row)
                    vi_put(s, c);
                break;
            }
            s->st = VI_NORMAL;
            vi_normal(vc, s, c, off);
            break;
        }
        if (c == '\'')
            s->pend_quote = true;
        else if (row)
            vi_put(s, c);
        break;
    case VI_IDENT:
        if (s->pend_quote) {
            s->pend_quote = false;
            if (c != '"') {
                s->st = VI_NORMAL;
                vi_normal(vc, s, c, off);
                break;
            }
        } else if (c == '"') {
            s->pend_quote = true;
            break;
        }
        if (s->in_cols && s->depth == 1 && s->name_len + 1 < sizeof s->name)
            s->name[s->name_len++] = (char)c;
        break;
    case VI_COMMENT:
        if (c == '\n')
            s->st = VI_NORMAL;
        break;
    default:
        vi_normal(vc, s, c, off);
        break;
    }
    s->prev = c;
}

void dfi_vcheck_insert(dfi_vcheck *vc, const uint8_t *p, size_t n, int64_t off)
{
    vc->inserts = true;
    if (vc->ins == NULL && (vc->ins = calloc(1, sizeof *vc->ins)) == NULL) {
        vc->unchecked_rows++;
        return;
    }
    for (size_t i = 0; i < n; i++)
        vi_byte(vc, vc->ins, p[i], off + (int64_t)i);
}
