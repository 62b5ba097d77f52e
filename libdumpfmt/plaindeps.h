/*
 * plaindeps.h — private to plaindeps.c (a plain script's entries as a TOC)
 * and plaindeps_drop.c (its --clean drop statements given back to their
 * entries): the TOC being built and the drop statements' parts.
 */
#ifndef DUMPFMT_PLAINDEPS_H
#define DUMPFMT_PLAINDEPS_H

#include "plain.h"
#include "roles.h"

#include <string.h>

#define NONE ((size_t)-1)

struct df_plain_toc {
    df_plain_entry *e;
    size_t n;
    df_plain_meta *meta;
    size_t nmeta;
    char **pool; /* owned strings */
    size_t npool, cap_pool;
    int32_t *depmem;
    df_plain_toc_stats stats;
};

static inline bool streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

static inline bool is_kw(const dfi_sqltok *t, const char *w)
{
    return t->kind == DFI_SQL_WORD && strcmp(t->name, w) == 0;
}

static inline bool is_name(const dfi_sqltok *t)
{
    return (t->kind == DFI_SQL_WORD || t->kind == DFI_SQL_IDENT) && t->name_len > 0;
}

/* A --clean drop statement's key: an entry's desc and tag (sorted by dfi_drop_key_cmp). */
typedef struct drop_key {
    const char *desc, *tag;
    size_t idx;
} drop_key;

/* What a drop statement drops: the descs it may be, schema, tag (and the pre-10 tag). */
typedef struct drop_target {
    const char *descs[3];
    char schema[DFI_SQL_NAME_CAP + 1];
    char tag[4 * DFI_SQL_NAME_CAP + 8];
    char name[DFI_SQL_NAME_CAP + 1]; /* "table name" tags were "name" before pg_dump 10 */
} drop_target;

/* qsort order of drop keys: desc, tag, index. */
DFI_HIDDEN int dfi_drop_key_cmp(const void *a, const void *b);
/* The drop statement s[0..n) (standard_conforming_strings `std`): its target and kind. */
DFI_HIDDEN bool dfi_drop_parse(const char *s, size_t n, bool std, drop_target *d, char *kind,
                               size_t kn);
/* The entry of t (sorted keys[0..nk)) the drop of d belongs to, NONE when none is. */
DFI_HIDDEN size_t dfi_drop_owner(const df_plain_toc *t, const drop_key *keys, size_t nk,
                                 const drop_target *d);

#endif /* DUMPFMT_PLAINDEPS_H */
