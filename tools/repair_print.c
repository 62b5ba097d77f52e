/*
 * repair_print.c — dumprepair's report: what survives of a damaged archive,
 * as text for a person (one summary line, then one line per entry that is
 * not intact) or as one JSON document for a script.
 */
#include "repair.h"

#include <string.h>

static const char *verdict_word(const repair_report *rep)
{
    switch (rep->exit_status) {
    case TOOL_EXIT_OK: return "intact";
    case TOOL_EXIT_WARNING: return "salvageable with losses";
    default: return "nothing restorable";
    }
}

static void print_summary(FILE *out, const repair_report *rep)
{
    const df_salvage_summary *m = df_salvage_get_summary(rep->s);

    fprintf(out,
            "%s: %s: %s: %lld entries: %lld intact, %lld partial (%lld rows kept", REPAIR_PROG,
            rep->path, verdict_word(rep), (long long)m->entries, (long long)m->intact,
            (long long)m->partial, (long long)m->rows_kept);
    if (m->rows_unverified > 0)
        fprintf(out, rep->strict ? ", %lld unverified dropped" : ", %lld unverified",
                (long long)m->rows_unverified);
    fprintf(out, "), %lld lost, %lld changed, %lld dropped\n", (long long)m->lost,
            (long long)m->changed, (long long)m->dropped);
}

/* A cut TOC: what it promised, what was kept, which lost ids the archive still names. */
static void print_toc_cut(FILE *out, const repair_report *rep)
{
    const df_salvage_summary *m = df_salvage_get_summary(rep->s);
    const int32_t *ids;
    size_t nids = df_salvage_toc_lost_ids(rep->s, &ids);

    if (m->toc_promised < 0)
        return;
    fprintf(out, "  toc      the file ends at offset %lld%s%s inside the TOC: %lld of its %lld "
                 "entries kept, %lld lost",
            (long long)m->toc_cut_offset, m->toc_cut_member[0] ? " of " : "",
            m->toc_cut_member, (long long)m->entries, (long long)m->toc_promised,
            (long long)(m->toc_promised - m->entries));
    if (nids > 0) {
        fprintf(out, "; data files of %zu lost entries remain, dump ids", nids);
        for (size_t k = 0; k < nids; k++)
            fprintf(out, "%s%d", k ? ", " : " ", (int)ids[k]);
    }
    fputc('\n', out);
}

static void print_entry(FILE *out, const df_entry *e, const df_salvage_entry *p, int strict)
{
    char label[600];

    df_entry_label(e, label, sizeof label);
    fprintf(out, "  %-8s %s", df_salvage_state_name(p->state), label);
    if (p->state == DF_SALVAGE_PARTIAL || p->state == DF_SALVAGE_LOST) {
        fprintf(out, ": %s", p->code ? p->code : "damaged");
        if (p->damage_offset >= 0)
            fprintf(out, " at offset %lld", (long long)p->damage_offset);
        if (p->member && p->member[0])
            fprintf(out, " of %s", p->member);
        if (p->state == DF_SALVAGE_PARTIAL)
            fprintf(out, "; %lld complete %s before the damage", (long long)p->rows_kept,
                    df_entry_is_blobs(e) ? "large objects" : "rows");
        /* decoded from the chunk in which decoding failed: a flipped bit shows only later */
        if (p->rows_unverified > 0)
            fprintf(out,
                    strict ? " (%lld unverified rows dropped: --strict)"
                           : " (%lld of them unverified)",
                    (long long)p->rows_unverified);
        fprintf(out, "; rows lost: %s\n", p->rows_lost >= 0 ? "known" : "unknown");
        return;
    }
    fprintf(out, ": %s\n", p->reason ? p->reason : "");
    if (p->new_defn) {
        fputs("           new SQL: ", out);
        tool_put_sanitized(out, p->new_defn, 0);
        fputc('\n', out);
    }
}

void repair_print_text(FILE *out, const repair_report *rep)
{
    const df_salvage_summary *m = df_salvage_get_summary(rep->s);
    size_t n = df_reader_toc_count(rep->r);

    print_summary(out, rep);
    print_toc_cut(out, rep);
    for (size_t i = 0; i < n; i++) {
        const df_salvage_entry *p = df_salvage_entry_at(rep->s, i);
        if (p->state != DF_SALVAGE_INTACT)
            print_entry(out, df_reader_toc_at(rep->r, i), p, rep->strict);
    }
    for (size_t i = 0; i < n; i++) {
        const df_salvage_entry *p = df_salvage_entry_at(rep->s, i);
        char label[600];
        if (rep->list_path == NULL || p->state != DF_SALVAGE_INTACT || p->listed ||
            p->list_reason == NULL)
            continue;
        df_entry_label(df_reader_toc_at(rep->r, i), label, sizeof label);
        fprintf(out, "  %-8s %s: %s\n", "unlisted", label, p->list_reason);
    }
    if (rep->list_path)
        fprintf(out, "%s: list for pg_restore %d: %lld entries listed, %lld commented out%s%s\n",
                REPAIR_PROG, rep->pg_restore_version, (long long)m->listed,
                (long long)m->commented, strcmp(rep->list_path, "-") ? " in " : "",
                strcmp(rep->list_path, "-") ? rep->list_path : "");
    if (rep->output && rep->written)
        fprintf(out,
                "%s: wrote %s: %s, %zu entries, %lld blocks copied, %lld re-encoded (%lld of "
                "them spliced)\n",
                REPAIR_PROG, strcmp(rep->output, "-") ? rep->output : "stdout",
                df_format_name(rep->written->format), rep->written->entries,
                (long long)rep->written->blocks_copied, (long long)rep->written->blocks_recoded,
                (long long)rep->written->blocks_spliced);
}

static void json_opt_string(tool_json *j, const char *key, const char *s)
{
    tool_json_key(j, key);
    tool_json_string(j, s);
}

static void json_entry(tool_json *j, const df_entry *e, const df_salvage_entry *p)
{
    tool_json_begin_object(j);
    tool_json_key(j, "dump_id");
    tool_json_int(j, e->dump_id);
    json_opt_string(j, "desc", e->desc);
    json_opt_string(j, "schema", e->schema);
    json_opt_string(j, "tag", e->tag);
    json_opt_string(j, "state", df_salvage_state_name(p->state));
    tool_json_key(j, "rows_kept");
    tool_json_int(j, p->rows_kept);
    tool_json_key(j, "rows_unverified");
    tool_json_int(j, p->rows_unverified);
    tool_json_key(j, "rows_lost");
    tool_json_int(j, p->rows_lost);
    tool_json_key(j, "damage_offset");
    tool_json_int(j, p->damage_offset);
    json_opt_string(j, "member", p->member);
    json_opt_string(j, "code", p->code);
    json_opt_string(j, "reason", p->reason);
    json_opt_string(j, "new_sql", p->new_defn);
    tool_json_key(j, "listed");
    tool_json_bool(j, p->listed);
    json_opt_string(j, "list_reason", p->list_reason);
    tool_json_end_object(j);
}

static void json_totals(tool_json *j, const df_salvage_summary *m)
{
    const struct {
        const char *k;
        int64_t v;
    } t[] = {{"entries", m->entries},   {"intact", m->intact},
             {"partial", m->partial},   {"lost", m->lost},
             {"changed", m->changed},   {"dropped", m->dropped},
             {"rows_kept", m->rows_kept}, {"rows_unverified", m->rows_unverified},
             {"listed", m->listed},     {"commented", m->commented}};

    tool_json_key(j, "totals");
    tool_json_begin_object(j);
    for (size_t k = 0; k < sizeof t / sizeof t[0]; k++) {
        tool_json_key(j, t[k].k);
        tool_json_int(j, t[k].v);
    }
    tool_json_end_object(j);
}

/* "toc": null for a whole TOC, else what the cut left (see dumprepair(1)). */
static void json_toc(tool_json *j, const df_salvage *s)
{
    const df_salvage_summary *m = df_salvage_get_summary(s);
    const int32_t *ids;
    size_t nids = df_salvage_toc_lost_ids(s, &ids);

    tool_json_key(j, "toc");
    if (m->toc_promised < 0) {
        tool_json_null(j);
        return;
    }
    tool_json_begin_object(j);
    tool_json_key(j, "cut_offset");
    tool_json_int(j, m->toc_cut_offset);
    json_opt_string(j, "member", m->toc_cut_member);
    tool_json_key(j, "promised");
    tool_json_int(j, m->toc_promised);
    tool_json_key(j, "kept");
    tool_json_int(j, m->entries);
    tool_json_key(j, "lost");
    tool_json_int(j, m->toc_promised - m->entries);
    tool_json_key(j, "lost_data_ids");
    tool_json_begin_array(j);
    for (size_t k = 0; k < nids; k++)
        tool_json_int(j, ids[k]);
    tool_json_end_array(j);
    tool_json_end_object(j);
}

void repair_print_json(FILE *out, const repair_report *rep)
{
    const df_salvage_summary *m = df_salvage_get_summary(rep->s);
    size_t n = df_reader_toc_count(rep->r);
    tool_json j;

    tool_json_init(&j, out, 2);
    tool_json_begin_object(&j);
    json_opt_string(&j, "file", rep->path);
    json_opt_string(&j, "verdict", df_verdict_name(m->verdict));
    tool_json_key(&j, "exit_status");
    tool_json_int(&j, rep->exit_status);
    json_opt_string(&j, "list", rep->list_path);
    json_opt_string(&j, "output", rep->output);
    if (rep->written) {
        tool_json_key(&j, "written_entries");
        tool_json_int(&j, (int64_t)rep->written->entries);
        tool_json_key(&j, "blocks_spliced");
        tool_json_int(&j, rep->written->blocks_spliced);
    }
    tool_json_key(&j, "pg_restore_version");
    tool_json_int(&j, rep->pg_restore_version);
    tool_json_key(&j, "strict"); /* rows_unverified: dropped, not in rows_kept */
    tool_json_bool(&j, rep->strict);
    json_totals(&j, m);
    json_toc(&j, rep->s);
    tool_json_key(&j, "entries");
    tool_json_begin_array(&j);
    for (size_t i = 0; i < n; i++) {
        const df_salvage_entry *p = df_salvage_entry_at(rep->s, i);
        if (p->state != DF_SALVAGE_INTACT || (rep->list_path && !p->listed))
            json_entry(&j, df_reader_toc_at(rep->r, i), p);
    }
    tool_json_end_array(&j);
    tool_json_end_object(&j);
    tool_json_finish(&j);
}
