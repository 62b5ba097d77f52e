/*
 * ls_deps.c — dumpls --deps: every entry with its dependencies, one
 * tab-separated line each, for tests and for people checking what a
 * plain script's entries would depend on once converted.  For a plain
 * script the entries are the ones a converter writes (df_plain_toc:
 * ENCODING, STDSTRINGS, SEARCHPATH from the SETs at its top, session
 * state, reconstructed dependencies) and its psql meta-commands follow
 * as "#" lines; for an archive they are its TOC as stored.
 */
#include "ls.h"

#include <string.h>

/* A field: control characters become spaces (tags may hold newlines); NULL is \N. */
static void put_field(const char *s)
{
    putchar('\t');
    if (s == NULL) {
        fputs("\\N", stdout);
        return;
    }
    for (; *s; s++)
        putchar((unsigned char)*s < 0x20 ? ' ' : *s);
}

static void put_line(int32_t id, int section, const char *desc, const char *schema,
                     const char *tag, const char *owner, const char *ts, const char *am,
                     const int32_t *deps, size_t ndeps, const char *drop)
{
    printf("%d\t%s", (int)id, df_section_name(section));
    put_field(desc);
    put_field(schema);
    put_field(tag);
    put_field(owner);
    put_field(ts);
    put_field(am);
    putchar('\t');
    for (size_t k = 0; k < ndeps; k++)
        printf(k ? " %d" : "%d", (int)deps[k]);
    put_field(drop);
    putchar('\n');
}

static int print_plain(ls_run *run)
{
    df_plain_toc *t = NULL;
    df_plain_toc_stats st = {.size = sizeof st};
    int rc = df_plain_toc_build(run->r, NULL, &t, NULL);

    if (rc != DF_OK) {
        tool_print_error(PROG, run->o->path, df_reader_error(run->r));
        return TOOL_EXIT_UNKNOWN;
    }
    for (size_t i = 0; i < df_plain_toc_count(t); i++) {
        const df_plain_entry *e = df_plain_toc_at(t, i);
        put_line(e->dump_id, e->section, e->desc, e->schema, e->tag, e->owner, e->tablespace,
                 e->tableam, e->deps, e->ndeps, e->drop_stmt);
    }
    for (size_t i = 0; i < df_plain_toc_meta_count(t); i++) {
        const df_plain_meta *m = df_plain_toc_meta_at(t, i);
        printf("# psql meta-command at line %lld (offset %lld):", (long long)m->line,
               (long long)m->offset);
        put_field(m->text);
        putchar('\n');
    }
    df_plain_toc_stats_get(t, &st);
    printf("# %lld dependencies (%lld from rules, %lld from the section fallback)\n",
           (long long)st.edges, (long long)st.rule_edges, (long long)st.fallback_edges);
    df_plain_toc_free(t);
    return TOOL_EXIT_OK;
}

int ls_print_deps(ls_run *run)
{
    if (df_reader_header(run->r)->format == DF_FORMAT_PLAIN)
        return print_plain(run);
    for (size_t i = 0; i < run->n; i++) {
        const df_entry *e = df_reader_toc_at(run->r, i);
        put_line(e->dump_id, e->section, e->desc, e->schema, e->tag, e->owner, e->tablespace,
                 e->tableam, e->deps, e->ndeps, e->drop_stmt);
    }
    return TOOL_EXIT_OK;
}
