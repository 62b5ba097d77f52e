/*
 * fuzz_roles.c — libFuzzer target for the roles scan (what dumproles runs):
 * the input is any dump, opened by path (/proc/self/fd of a memfd, so a
 * plain script is read a second time for its SET ROLE / \connect lines as
 * a file would be), its role references collected, compared with a target
 * and with itself as the globals of pg_dumpall, and the CREATE ROLE script
 * written to /dev/null.  The SQL identifier helpers also run over the
 * input.  Crashes, sanitizer reports, leaks and hangs are the bugs.
 */
#define FUZZ_NAME "fuzz_roles"
#include "fuzz_util.h"

/* Identifiers and quoting straight over the first bytes of the input. */
static void idents(const uint8_t *data, size_t size)
{
    size_t pos = 0, len = size < 4096 ? size : 4096;
    char *copy = malloc(len + 1), *q;

    for (int k = 0; k < 64 && pos < len; k++) {
        char *name = NULL;
        size_t used = 0;

        if (df_sql_parse_ident((const char *)data + pos, len - pos, &name, &used, NULL) == DF_OK) {
            free(df_sql_quote_ident(name));
            free(name);
        }
        pos += used > 0 ? used : 1;
    }
    if (copy == NULL)
        return;
    memcpy(copy, data, len);
    copy[len] = '\0';
    free(df_sql_quote_literal(copy));
    q = df_sql_quote_ident(copy);
    free(q);
    (void)df_role_name_is_builtin(copy);
    free(copy);
}

static void touch_roles(const df_roles *s)
{
    for (size_t i = 0; i < df_roles_count(s); i++) {
        const df_role *ro = df_roles_at(s, i);

        (void)(fuzz_touch(ro->attributes) + fuzz_touch(df_role_kind_name((int)i % 16)));
        if (df_roles_find(s, ro->name) != ro)
            abort(); /* the roles are unique and sorted: find must return this one */
    }
    for (size_t i = 0; i < df_roles_ref_count(s); i++) {
        const df_role_ref *ref = df_roles_ref_at(s, i);
        (void)(fuzz_touch(ref->name) + (ref->entry != NULL ? fuzz_touch(ref->entry->tag) : 0));
    }
    for (size_t i = 0; i < df_roles_membership_count(s); i++) {
        const df_role_membership *m = df_roles_membership_at(s, i);
        (void)(fuzz_touch(m->role) + fuzz_touch(m->member));
    }
    (void)fuzz_touch(df_roles_encoding(s));
}

static void roles(const char *path)
{
    static const char *const existing[] = {"postgres", "app_owner", "tiny_owner", ""};
    static const char *const have[] = {"app_readers", "app_reader", "tiny_owner", "tiny_reader"};
    df_reader *r = df_reader_new(NULL);
    df_roles *s = NULL;
    FILE *null;

    if (r == NULL)
        return;
    if (df_reader_open_path(r, path) == DF_OK && df_roles_collect(r, &s, NULL) == DF_OK) {
        touch_roles(s);
        null = fuzz_null();
        if (null != NULL) {
            df_roles_write_create(s, NULL, null, NULL);
            df_roles_compare(s, existing, 4, 1, NULL, NULL);
            df_roles_compare_memberships(s, s, have, 2, NULL, NULL);
            for (size_t i = 0; i < df_roles_missing_membership_count(s); i++)
                (void)fuzz_touch(df_roles_missing_membership_at(s, i)->role);
            df_roles_write_create(s, s, null, NULL);
            fclose(null);
        }
    }
    fuzz_touch_error(df_reader_error(r));
    df_roles_free(s);
    df_reader_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = fuzz_memfd(data, size);

    if (fd >= 0) {
        char path[64];

        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
        roles(path);
        close(fd);
    }
    idents(data, size);
    return 0;
}

#ifdef DF_REPLAY_MAIN
static int replay_dir(const char *path)
{
    roles(path);
    return 0;
}
#define FUZZ_REPLAY_DIR replay_dir
#include "fuzz_replay.h"
#endif
