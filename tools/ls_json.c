/*
 * ls_json.c — dumpls --json, and what only plain-format scripts have
 * (their kind, the script's own error, data offsets in the script).
 */
#include "ls.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* Plain-format scripts: what only they have                           */
/* ------------------------------------------------------------------ */

static void json_key_int_or_null(tool_json *j, const char *key, int have, int64_t v);

int ls_is_plain(const ls_run *run)
{
    return df_reader_header(run->r)->format == DF_FORMAT_PLAIN;
}

/* pg_dumpall scripts hold several databases: --long shows each entry's. */
int ls_shows_database(const ls_run *run)
{
    return ls_is_plain(run) && df_reader_header(run->r)->plain_kind != DF_PLAIN_PG_DUMP;
}

/* Where an entry's data start: the custom-format offset, or the offset in the script. */
int ls_has_data_offset(const df_entry *e)
{
    return e->offset_state == DF_OFFSET_SET || e->data_offset_text >= 0;
}

int64_t ls_data_offset_of(const df_entry *e)
{
    return e->offset_state == DF_OFFSET_SET ? e->data_offset : e->data_offset_text;
}

/*
 * A compressed script that could not be read to its end: the entries
 * before the damage are listed, the exit status says the dump is damaged.
 */
int ls_report_script_error(const ls_run *run)
{
    const df_error *err = df_reader_header(run->r)->script_error;

    if (err == NULL)
        return TOOL_EXIT_OK;
    tool_print_error(PROG, run->o->path, err);
    return TOOL_EXIT_DAMAGED;
}

static const char *plain_kind_name(int kind)
{
    switch (kind) {
    case DF_PLAIN_DUMPALL: return "pg_dumpall";
    case DF_PLAIN_GLOBALS: return "pg_dumpall-globals";
    default: return "pg_dump";
    }
}

static void json_plain_header(tool_json *j, const df_header *h)
{
    tool_json_key(j, "file_compression");
    tool_json_string(j, df_compression_name(h->file_compression));
    tool_json_key(j, "script"), tool_json_string(j, plain_kind_name(h->plain_kind));
    tool_json_key(j, "script_bytes"), tool_json_int(j, h->script_bytes);
    tool_json_key(j, "has_trailer"), tool_json_bool(j, h->has_trailer);
    tool_json_key(j, "restrict_key"), tool_json_string(j, h->restrict_key);
    tool_json_key(j, "script_error");
    tool_json_string(j, h->script_error ? h->script_error->message : NULL);
}

static void json_plain_entry(tool_json *j, const df_entry *e)
{
    tool_json_key(j, "database"), tool_json_string(j, e->database);
    tool_json_key(j, "text_offset"), tool_json_int(j, e->text_offset);
    json_key_int_or_null(j, "data_offset_text", e->data_offset_text >= 0, e->data_offset_text);
}

/* ------------------------------------------------------------------ */
/* --json                                                              */
/* ------------------------------------------------------------------ */

static const char *offset_state_name(df_offset_state s)
{
    switch (s) {
    case DF_OFFSET_NOT_SET: return "not-set";
    case DF_OFFSET_SET: return "set";
    case DF_OFFSET_NO_DATA: return "no-data";
    case DF_OFFSET_NONE:
    default: return NULL;
    }
}

static void json_key_int_or_null(tool_json *j, const char *key, int have, int64_t v)
{
    tool_json_key(j, key);
    if (have)
        tool_json_int(j, v);
    else
        tool_json_null(j);
}

static void json_data_error(tool_json *j, const ls_measure *m)
{
    tool_json_key(j, "data_error");
    if (m->state != LS_DATA_FAILED && m->state != LS_DATA_SKIPPED) {
        tool_json_null(j);
        return;
    }
    tool_json_begin_object(j);
    tool_json_key(j, "status");
    tool_json_string(j, m->state == LS_DATA_SKIPPED ? "skipped" : df_strstatus(m->err.code));
    tool_json_key(j, "member");
    tool_json_string(j, m->state == LS_DATA_FAILED && m->err.member[0] ? m->err.member : NULL);
    json_key_int_or_null(j, "offset", m->state == LS_DATA_FAILED && m->err.offset >= 0,
                         m->err.offset);
    tool_json_key(j, "message");
    tool_json_string(j, m->state == LS_DATA_SKIPPED ? "not read after an earlier error"
                                                    : m->err.message);
    tool_json_end_object(j);
}

/* The --long members of one entry. */
static void json_entry_data(tool_json *j, const df_entry *e, const ls_measure *m)
{
    int ok = m->state == LS_DATA_OK;

    json_key_int_or_null(j, "stored_bytes", ok, m->stored);
    json_key_int_or_null(j, "bytes", ok, m->bytes);
    json_key_int_or_null(j, df_entry_is_blobs(e) ? "large_objects" : "rows",
                         ok && (ls_is_table_data(e) || df_entry_is_blobs(e)), m->rows);
    json_data_error(j, m);
}

static void json_entry(tool_json *j, const ls_run *run, size_t i)
{
    const df_entry *e = df_reader_toc_at(run->r, i);
    size_t d;

    tool_json_begin_object(j);
    tool_json_key(j, "index"), tool_json_uint(j, e->index);
    tool_json_key(j, "dump_id"), tool_json_int(j, e->dump_id);
    tool_json_key(j, "table_oid"), tool_json_uint(j, e->table_oid);
    tool_json_key(j, "oid"), tool_json_uint(j, e->oid);
    tool_json_key(j, "desc"), tool_json_string(j, e->desc);
    tool_json_key(j, "schema"), tool_json_string(j, e->schema);
    tool_json_key(j, "tag"), tool_json_string(j, e->tag);
    tool_json_key(j, "owner"), tool_json_string(j, e->owner);
    tool_json_key(j, "tablespace"), tool_json_string(j, e->tablespace);
    tool_json_key(j, "tableam"), tool_json_string(j, e->tableam);
    tool_json_key(j, "section"), tool_json_string(j, df_section_name(e->section));
    tool_json_key(j, "had_dumper"), tool_json_bool(j, e->had_dumper);
    tool_json_key(j, "listed"), tool_json_bool(j, run->listed[i]);
    tool_json_key(j, "dependencies");
    tool_json_begin_array_inline(j);
    for (d = 0; d < e->ndeps; d++)
        tool_json_int(j, e->deps[d]);
    tool_json_end_array(j);
    tool_json_key(j, "offset_state"), tool_json_string(j, offset_state_name(e->offset_state));
    json_key_int_or_null(j, "data_offset", e->offset_state == DF_OFFSET_SET, e->data_offset);
    tool_json_key(j, "filename"), tool_json_string(j, e->filename);
    if (ls_is_plain(run))
        json_plain_entry(j, e);
    if (run->m != NULL)
        json_entry_data(j, e, &run->m[i]);
    tool_json_end_object(j);
}

static void json_header(tool_json *j, const ls_run *run)
{
    const df_header *h = df_reader_header(run->r);
    char buf[128];
    size_t i, listed = 0;

    for (i = 0; i < run->n; i++)
        listed += (size_t)(run->listed[i] != 0);
    tool_json_key(j, "file"), tool_json_string(j, run->o->path);
    tool_json_key(j, "format"), tool_json_string(j, df_format_name(h->format));
    snprintf(buf, sizeof buf, "%d.%d-%d", h->vmaj, h->vmin, h->vrev);
    tool_json_key(j, "archive_version");
    tool_json_string(j, h->format == DF_FORMAT_PLAIN ? NULL : buf); /* scripts have none */
    tool_json_key(j, "compression"), tool_json_string(j, df_compression_name(h->compression));
    json_key_int_or_null(j, "compression_level", h->has_level, h->compression_level);
    tool_json_key(j, "dbname"), tool_json_string(j, h->dbname);
    tool_json_key(j, "created");
    if (h->has_created && df_header_created(h, buf, sizeof buf, NULL) == DF_OK)
        tool_json_string(j, buf);
    else
        tool_json_null(j);
    tool_json_key(j, "server_version"), tool_json_string(j, h->server_version);
    tool_json_key(j, "dump_version"), tool_json_string(j, h->dump_version);
    tool_json_key(j, "int_size"), tool_json_int(j, h->int_size);
    tool_json_key(j, "off_size"), tool_json_int(j, h->off_size);
    tool_json_key(j, "toc_entries"), tool_json_int(j, h->toc_count);
    tool_json_key(j, "listed_entries"), tool_json_uint(j, listed);
    tool_json_key(j, "data_offsets");
    if (h->format == DF_FORMAT_CUSTOM)
        tool_json_bool(j, h->data_offsets);
    else
        tool_json_null(j);
    if (h->format == DF_FORMAT_PLAIN)
        json_plain_header(j, h);
}

int ls_print_json(ls_run *run)
{
    tool_json j;
    size_t i;
    int status = TOOL_EXIT_OK;

    if (run->o->long_format) {
        status = ls_measure_all(run);
        if (run->m == NULL)
            return status;
    }
    tool_json_init(&j, stdout, 2);
    tool_json_begin_object(&j);
    json_header(&j, run);
    tool_json_key(&j, "entries");
    tool_json_begin_array(&j);
    for (i = 0; i < run->n; i++)
        json_entry(&j, run, i);
    tool_json_end_array(&j);
    tool_json_end_object(&j);
    tool_json_finish(&j);
    return status;
}

