/*
 * roles.c — which roles a restore needs (spec §11.1, §13): every role
 * reference of every entry (owner fields, and the SQL of the definitions,
 * read by roles_sql.c), the session statements of plain scripts that no
 * entry holds (read again with the plain reader's own lexer), the
 * comparison with a target's roles, and the script that creates the
 * missing ones.
 *
 * Collection appends raw (role, kind, entry) triples; the end sorts the
 * roles by name, sorts and de-duplicates the triples and counts them, so
 * a role granted three privileges in one ACL entry counts one grantee
 * reference of that entry.
 */
#include "roles.h"
#include "entrytype.h"
#include "plain.h"

#include <stdlib.h>
#include <string.h>

/* Text window of the second pass over a plain script. */
#define ROLES_SCRIPT_WINDOW (64 * 1024)
/* First bytes read to recognise a compressed script. */
#define ROLES_SNIFF_BYTES 512

typedef struct raw_ref {
    size_t role; /* index into df_roles.roles (before sorting) */
    int kind;
    int64_t entry; /* entry index, -1 for script statements */
} raw_ref;

typedef struct raw_member {
    size_t role, member;
    bool admin;
} raw_member;

struct df_roles {
    df_role *roles;
    size_t nroles, cap_roles;
    size_t *slots; /* open addressing by name: role index + 1, 0 = free */
    size_t nslots;
    raw_ref *raw;
    size_t nraw, cap_raw;
    raw_member *raw_members;
    size_t nmembers, cap_members;
    df_role_ref *refs;
    size_t nrefs;
    df_role_membership *members;
    const df_reader *reader;
    char *encoding; /* the dump's client_encoding, NULL when unknown */
    /* the target of the last df_roles_compare */
    bool compared, builtins_exist;
    char **existing;
    size_t nexisting;
    /* df_roles_compare_memberships: what the target lacks (names owned here) */
    df_role_membership *lacking;
    size_t nlacking;
};

/* ------------------------------------------------------------ small helpers */

static const char *const kind_names[DF_ROLE_NKINDS] = {
    "owner",
    "grantee",
    "grantor",
    "default-privileges",
    "policy",
    "user-mapping",
    "schema-authorization",
    "role-settings",
    "setting-value",
    "set-role",
    "session-authorization",
    "connect",
    "definition",
    "membership",
};

const char *df_role_kind_name(int kind)
{
    return kind >= 0 && kind < DF_ROLE_NKINDS ? kind_names[kind] : "unknown";
}

int df_role_name_is_builtin(const char *name)
{
    return name != NULL && strncmp(name, "pg_", 3) == 0;
}

static int nomem(df_error *err)
{
    return dfi_fail(err, DF_E_NOMEM, -1, "out of memory");
}

/* Grow *v (element size `size`) to hold at least need elements. */
static bool grow(void **v, size_t *cap, size_t need, size_t size)
{
    size_t ncap;
    void *nv;

    if (need <= *cap)
        return true;
    ncap = *cap ? *cap * 2 : 64;
    while (ncap < need)
        ncap *= 2;
    if (ncap > SIZE_MAX / size)
        return false;
    nv = realloc(*v, ncap * size);
    if (nv == NULL)
        return false;
    *v = nv;
    *cap = ncap;
    return true;
}

static size_t hash_name(const char *s)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */

    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static bool rehash(df_roles *s, size_t nslots)
{
    size_t *slots = calloc(nslots, sizeof *slots);

    if (slots == NULL)
        return false;
    for (size_t i = 0; i < s->nroles; i++) {
        size_t h = hash_name(s->roles[i].name) & (nslots - 1);
        while (slots[h] != 0)
            h = (h + 1) & (nslots - 1);
        slots[h] = i + 1;
    }
    free(s->slots);
    s->slots = slots;
    s->nslots = nslots;
    return true;
}

/* The index of the role called `name`, added when new; (size_t)-1 when out of memory. */
static size_t intern(df_roles *s, const char *name)
{
    size_t h;
    df_role *role;

    if (s->nslots == 0 || (s->nroles + 1) * 2 > s->nslots) {
        if (!rehash(s, s->nslots ? s->nslots * 2 : 64))
            return (size_t)-1;
    }
    h = hash_name(name) & (s->nslots - 1);
    for (; s->slots[h] != 0; h = (h + 1) & (s->nslots - 1)) {
        if (strcmp(s->roles[s->slots[h] - 1].name, name) == 0)
            return s->slots[h] - 1;
    }
    if (!grow((void **)&s->roles, &s->cap_roles, s->nroles + 1, sizeof *s->roles))
        return (size_t)-1;
    role = &s->roles[s->nroles];
    memset(role, 0, sizeof *role);
    role->name = strdup(name);
    if (role->name == NULL)
        return (size_t)-1;
    role->builtin = df_role_name_is_builtin(name);
    s->slots[h] = ++s->nroles;
    return s->nroles - 1;
}

/* ------------------------------------------------------------ collection */

typedef struct collector {
    df_roles *s;
    df_reader *r;
    int64_t entry; /* the entry whose SQL is scanned, -1 for none */
    int when;      /* DF_ROLE_WHEN_* of the references of that SQL */
    /* plain scripts: entries whose "Owner:" comment no statement of the entry uses (yet) */
    size_t *unconfirmed;
    size_t nunconfirmed, cap_unconfirmed;
    bool rescanned; /* the script was read a second time: its session statements are known */
    /* second pass over a plain script */
    int64_t stmt_off;
    bool stmt_is_set;
    struct pending *pending;
    size_t npending, cap_pending;
} collector;

/* A statement of a plain script outside the entries' SQL, placed at the end. */
typedef struct pending {
    size_t role;
    int kind;
    int64_t off;  /* where the statement starts */
    int64_t next; /* where the next statement that is not SET or RESET starts; -1 = none */
} pending;

static int add_ref(collector *c, const char *name, int kind, int needs, int64_t entry, int when)
{
    df_roles *s = c->s;
    size_t i = intern(s, name);

    if (i == (size_t)-1 || !grow((void **)&s->raw, &s->cap_raw, s->nraw + 1, sizeof *s->raw))
        return nomem(&c->r->err);
    s->roles[i].when |= when;
    s->roles[i].needs |= needs & (DF_ROLE_NEEDS_LOGIN | DF_ROLE_NEEDS_SESSION_AUTH |
                                  DF_ROLE_NEEDS_SET_ROLE | DF_ROLE_NEEDS_OWNERSHIP);
    if (needs & DFI_ROLE_CREATED)
        s->roles[i].defined = 1;
    s->raw[s->nraw++] = (raw_ref){i, kind, entry};
    return DF_OK;
}

static int sink_role(void *ctx, const char *name, int kind, int needs)
{
    collector *c = ctx;

    return add_ref(c, name, kind, needs, c->entry, c->when);
}

static int sink_attributes(void *ctx, const char *role, const char *attrs)
{
    collector *c = ctx;
    size_t i = intern(c->s, role);
    char *copy = i == (size_t)-1 ? NULL : strdup(attrs);

    if (copy == NULL)
        return nomem(&c->r->err);
    free((char *)c->s->roles[i].attributes); /* the last statement wins, as on the server */
    c->s->roles[i].attributes = copy;
    return DF_OK;
}

static int sink_member(void *ctx, const char *role, const char *member, bool admin)
{
    collector *c = ctx;
    df_roles *s = c->s;
    size_t a = intern(s, role), b = a == (size_t)-1 ? a : intern(s, member);

    if (b == (size_t)-1 ||
        !grow((void **)&s->raw_members, &s->cap_members, s->nmembers + 1, sizeof *s->raw_members))
        return nomem(&c->r->err);
    s->raw_members[s->nmembers++] = (raw_member){a, b, admin};
    return DF_OK;
}

/* Entry types whose owner a restore sets (spec §11.1), and pg_dumpall's tablespaces. */
static bool owner_is_set(const df_entry *e)
{
    return dfi_ek_is(e, DFI_EK_OWNED);
}

/* Large objects of a BLOB METADATA entry: OID lines (archives) or lo_create calls (scripts). */
static int64_t object_count(const df_entry *e)
{
    int64_t n = 0;
    const char *p = e->defn;

    if (!dfi_et_is(e, DFI_ET_BLOB_METADATA) || p == NULL)
        return 1;
    while (*p) {
        const char *eol = strchr(p, '\n'), *q = p;
        size_t len = eol ? (size_t)(eol - p) : strlen(p);

        while (q < p + len && *q >= '0' && *q <= '9')
            q++;
        if (len > 0 && q == p + len)
            n++;
        p += len + (eol != NULL);
    }
    for (p = e->defn; (p = strstr(p, "lo_create(")) != NULL; p++)
        n++;
    return n > 0 ? n : 1;
}

static bool is_acl_entry(const df_entry *e)
{
    return dfi_et_is(e, DFI_ET_ACL) || dfi_et_is(e, DFI_ET_DEFAULT_ACL) ||
           dfi_et_is(e, DFI_ET_ACL_LANGUAGE);
}

/*
 * The restores that run an entry's SQL: pg_restore restores the
 * database's own entries only with -C (spec §5: listed only with -C); a
 * plain script runs whatever it holds.
 */
static int entry_when(const df_reader *r, const df_entry *e)
{
    if (r->hdr.format == DF_FORMAT_PLAIN)
        return DF_ROLE_WHEN_ALWAYS;
    if (dfi_ek_is(e, DFI_EK_DATABASE))
        return DF_ROLE_WHEN_CREATE;
    if (dfi_ek_is(e, DFI_EK_OBJMETA) &&
        e->tag != NULL && strncmp(e->tag, "DATABASE ", 9) == 0)
        return DF_ROLE_WHEN_CREATE;
    return DF_ROLE_WHEN_ALWAYS;
}

static bool has_owner(const df_entry *e)
{
    return e->owner != NULL && e->owner[0] != '\0' && strlen(e->owner) <= DFI_ROLE_NAME_MAX;
}

/* The owner field: who owns the object (for ROLE MEMBERSHIP entries, the grantor). */
static int entry_owner(collector *c, const df_entry *e)
{
    /* pg_restore sets no owner when an archive's entry has no DROP (identity sequences) */
    bool set = owner_is_set(e) && (c->r->hdr.format == DF_FORMAT_PLAIN ||
                                   (e->drop_stmt != NULL && e->drop_stmt[0] != '\0'));
    int when = entry_when(c->r, e);
    size_t i;
    int rc;

    if (!has_owner(e))
        return DF_OK;
    if (dfi_et_is(e, DFI_ET_ROLE_MEMBERSHIP))
        return add_ref(c, e->owner, DF_ROLE_GRANTOR, 0, (int64_t)e->index, when);
    /* an archive's owner that no ALTER ... OWNER TO uses: only SET SESSION AUTHORIZATION does */
    if (!set && c->r->hdr.format != DF_FORMAT_PLAIN && when == DF_ROLE_WHEN_ALWAYS)
        when = DF_ROLE_WHEN_SESSION_AUTH;
    rc = add_ref(c, e->owner, DF_ROLE_OWNER, set ? DF_ROLE_NEEDS_OWNERSHIP : 0, (int64_t)e->index,
                 when);
    if (rc == DF_OK && set) {
        i = c->s->raw[c->s->nraw - 1].role;
        c->s->roles[i].objects += object_count(e);
    }
    return rc;
}

/* 'X' of "SET client_encoding = 'X';" (an ENCODING entry, or a script statement). */
static int note_encoding(collector *c, const char *text)
{
    const char *p = text ? strstr(text, "client_encoding") : NULL;
    const char *q = p ? strchr(p, '\'') : NULL, *e = q ? strchr(q + 1, '\'') : NULL;

    if (c->s->encoding != NULL || e == NULL || e - q > 64)
        return DF_OK;
    c->s->encoding = strndup(q + 1, (size_t)(e - q - 1));
    return c->s->encoding ? DF_OK : nomem(&c->r->err);
}

/* standard_conforming_strings of an archive: its STDSTRINGS entry (on when there is none). */
static bool archive_std_strings(const df_reader *r)
{
    for (size_t i = 0; i < r->nentries; i++) {
        const df_entry *e = &r->entries[i];
        if (dfi_et_is(e, DFI_ET_STDSTRINGS) && e->defn)
            return strstr(e->defn, "'off'") == NULL;
    }
    return true;
}

/*
 * A plain script's "Owner:" comment is only a comment: the owner counts
 * when a statement of the entry names it (ALTER ... OWNER TO), else when a
 * SET SESSION AUTHORIZATION prepares the entry (known after the second
 * pass: see confirm_owners).  `first` is the entry's first raw reference.
 */
static int plain_owner(collector *c, const df_entry *e, size_t first)
{
    const df_roles *s = c->s;

    if (!has_owner(e))
        return DF_OK;
    for (size_t k = first; k < s->nraw; k++)
        if (strcmp(s->roles[s->raw[k].role].name, e->owner) == 0)
            return entry_owner(c, e);
    if (!grow((void **)&c->unconfirmed, &c->cap_unconfirmed, c->nunconfirmed + 1,
              sizeof *c->unconfirmed))
        return nomem(&c->r->err);
    c->unconfirmed[c->nunconfirmed++] = e->index;
    return DF_OK;
}

static int collect_entries(collector *c)
{
    dfi_role_sink sink = {
        c, sink_role, sink_member, false, archive_std_strings(c->r), sink_attributes};
    bool plain = c->r->hdr.format == DF_FORMAT_PLAIN;

    for (size_t i = 0; i < c->r->nentries; i++) {
        const df_entry *e = &c->r->entries[i];
        size_t first = c->s->nraw;
        int rc;

        c->entry = (int64_t)i;
        c->when = entry_when(c->r, e);
        if (!plain && (rc = entry_owner(c, e)) != DF_OK)
            return rc;
        if (dfi_et_is(e, DFI_ET_ENCODING) && (rc = note_encoding(c, e->defn)) != DF_OK)
            return rc;
        sink.acl = is_acl_entry(e);
        if (e->defn && (rc = dfi_roles_scan_sql(&sink, e->defn, strlen(e->defn))) != DF_OK)
            return rc;
        if (plain && (rc = plain_owner(c, e, first)) != DF_OK)
            return rc;
    }
    c->entry = -1;
    return DF_OK;
}

/* ------------------------------------------------------------ plain scripts: second pass */

static int pend_role(void *ctx, const char *name, int kind, int needs)
{
    collector *c = ctx;
    size_t i = intern(c->s, name);

    if (i == (size_t)-1 ||
        !grow((void **)&c->pending, &c->cap_pending, c->npending + 1, sizeof *c->pending))
        return nomem(&c->r->err);
    c->s->roles[i].needs |=
        needs & (DF_ROLE_NEEDS_LOGIN | DF_ROLE_NEEDS_SESSION_AUTH | DF_ROLE_NEEDS_SET_ROLE);
    c->pending[c->npending++] = (pending){i, kind, c->stmt_off, -1};
    return DF_OK;
}

/* A statement that is not SET/RESET (or a meta-command) ends what earlier SETs prepare. */
static void close_pending(collector *c, int64_t off)
{
    for (size_t i = c->npending; i > 0 && c->pending[i - 1].next < 0; i--)
        c->pending[i - 1].next = off;
}

static int h_stmt_begin(void *ctx, int64_t off, const char *word, bool *capture)
{
    collector *c = ctx;

    c->stmt_off = off;
    c->stmt_is_set = strcmp(word, "set") == 0;
    *capture = c->stmt_is_set;
    if (!c->stmt_is_set && strcmp(word, "reset") != 0)
        close_pending(c, off);
    return DF_OK;
}

static int h_stmt_end(void *ctx, int64_t end, const char *text, size_t len, bool complete,
                      bool terminated, bool copy_in)
{
    collector *c = ctx;
    dfi_role_sink sink = {c, pend_role, NULL, false, true, NULL};
    int rc;

    (void)end, (void)terminated, (void)copy_in;
    if (!c->stmt_is_set || text == NULL || !complete)
        return DF_OK;
    if ((rc = note_encoding(c, text)) != DF_OK)
        return rc;
    return dfi_roles_scan_sql(&sink, text, len);
}

static int h_meta(void *ctx, int64_t off, int64_t end, const char *line, size_t len, bool complete)
{
    collector *c = ctx;
    char *user;
    int rc = DF_OK;

    (void)end;
    close_pending(c, off);
    if (!complete || len < 2 || line[0] != '\\' ||
        !(strncmp(line + 1, "connect", 7) == 0 || (line[1] == 'c' && (len == 2 || line[2] == ' '))))
        return DF_OK;
    user = dfi_roles_connect_user(line, len);
    if (user != NULL) {
        c->stmt_off = off;
        rc = pend_role(c, user, DF_ROLE_CONNECT, DF_ROLE_NEEDS_LOGIN);
    }
    free(user);
    return rc;
}

/* Read the script through the plain reader's stream and lexer, feeding the hooks. */
static int feed_script(df_reader *tmp, dfi_plex *lx)
{
    dfi_pstream st;
    dfi_wrap wrap;
    int rc = dfi_buf_need(&tmp->buf, ROLES_SNIFF_BYTES, &tmp->err);

    if (rc != DF_OK && rc != DF_E_TRUNCATED)
        return rc;
    dfi_error_clear(&tmp->err); /* a script shorter than the sniffing window */
    rc = DF_OK;
    wrap = dfi_wrap_sniff(dfi_buf_ptr(&tmp->buf), dfi_buf_avail(&tmp->buf));
    if ((rc = dfi_pstream_init(&st, tmp, wrap, ROLES_SCRIPT_WINDOW)) != DF_OK) {
        dfi_pstream_free(&st);
        return rc;
    }
    for (;;) {
        ssize_t used;

        /* a damaged compressed script just ends early: the first pass reported it */
        if (dfi_pstream_fill(&st) != DF_OK && !st.eof)
            break;
        used = dfi_plex_feed(lx, st.win + st.start, st.end - st.start, st.eof);
        if (used < 0) {
            rc = (int)used;
            break;
        }
        st.start += (size_t)used;
        if (st.eof && st.start == st.end)
            break;
    }
    dfi_pstream_free(&st);
    return rc < 0 ? rc : dfi_plex_finish(lx);
}

/* The entry a script statement at `off` belongs to (see resolve_pending), or -1. */
static int64_t entry_at(const df_reader *r, const pending *p, bool *inside)
{
    size_t lo = 0, hi = r->nentries;
    int64_t limit = p->next < 0 ? INT64_MAX : p->next;

    while (lo < hi) { /* the first entry that starts after the statement */
        size_t mid = lo + (hi - lo) / 2;
        if (r->entries[mid].text_offset > p->off)
            hi = mid;
        else
            lo = mid + 1;
    }
    *inside = false;
    if (lo < r->nentries && r->entries[lo].text_offset <= limit)
        return (int64_t)lo; /* SETs that prepare the next entry (pg_restore's _becomeOwner) */
    *inside = lo > 0;
    return (int64_t)lo - 1;
}

/*
 * Place each script statement: SET ROLE and \connect hold for the whole
 * script; a SET SESSION AUTHORIZATION followed by an entry header before
 * any other statement prepares that entry; otherwise it belongs to the
 * entry it is in, where inside an ACL entry it names the grantor.
 */
static int resolve_pending(collector *c)
{
    for (size_t i = 0; i < c->npending; i++) {
        const pending *p = &c->pending[i];
        int64_t entry = -1;
        int kind = p->kind;
        bool inside = false;
        int rc;

        if (kind == DF_ROLE_SESSION_AUTHORIZATION)
            entry = entry_at(c->r, p, &inside);
        if (kind == DF_ROLE_SESSION_AUTHORIZATION && inside && entry >= 0 &&
            is_acl_entry(&c->r->entries[entry]))
            kind = DF_ROLE_GRANTOR;
        rc = add_ref(c, c->s->roles[p->role].name, kind, 0, entry, DF_ROLE_WHEN_ALWAYS);
        if (rc != DF_OK)
            return rc;
    }
    return DF_OK;
}

/*
 * A plain script opened by path is read a second time: SET ROLE, SET
 * SESSION AUTHORIZATION and \connect are session state the plain reader
 * keeps in no entry.  From stdin (or a descriptor) the bytes are gone.
 */
static int rescan_plain(collector *c)
{
    static const dfi_plex_hooks base = {
        .stmt_begin = h_stmt_begin, .stmt_end = h_stmt_end, .meta = h_meta};
    df_reader *r = c->r, *tmp;
    dfi_plex_hooks hooks = base;
    dfi_plex lx;
    int rc;

    if (r->hdr.format != DF_FORMAT_PLAIN || !r->src.owns_fd || !r->src.seekable || !r->path)
        return DF_OK;
    if ((tmp = df_reader_new(&r->lim)) == NULL)
        return nomem(&r->err);
    rc = dfi_src_open_path(&tmp->src, r->path, &tmp->err);
    tmp->src.io_cap = r->io_size;
    if (rc == DF_OK)
        rc = dfi_buf_init(&tmp->buf, &tmp->src, DFI_BUF_SIZE, &tmp->err);
    if (rc == DF_OK) {
        hooks.ctx = c;
        dfi_plex_init(&lx, &hooks);
        rc = feed_script(tmp, &lx);
        dfi_plex_free(&lx);
    }
    if (rc == DF_OK)
        rc = resolve_pending(c);
    if (rc == DF_OK)
        c->rescanned = true;
    else if (r->err.code == DF_OK)
        r->err = tmp->err;
    df_reader_free(tmp);
    return rc;
}

static int cmp_raw(const void *a, const void *b);

/* The index of the role called `name`, or (size_t)-1 when none is interned. */
static size_t role_index(const df_roles *s, const char *name)
{
    if (s->nslots == 0)
        return (size_t)-1;
    for (size_t h = hash_name(name) & (s->nslots - 1); s->slots[h] != 0;
         h = (h + 1) & (s->nslots - 1))
        if (strcmp(s->roles[s->slots[h] - 1].name, name) == 0)
            return s->slots[h] - 1;
    return (size_t)-1;
}

/* The SET SESSION AUTHORIZATION references of the script, sorted for bsearch (*n of them). */
static raw_ref *session_auths(const df_roles *s, size_t *n)
{
    raw_ref *v = malloc((s->nraw + 1) * sizeof *v);

    *n = 0;
    if (v == NULL)
        return NULL;
    for (size_t k = 0; k < s->nraw; k++)
        if (s->raw[k].kind == DF_ROLE_SESSION_AUTHORIZATION)
            v[(*n)++] = s->raw[k];
    if (*n > 1)
        qsort(v, *n, sizeof *v, cmp_raw);
    return v;
}

/*
 * The "Owner:" comments no statement of their entry used: a SET SESSION
 * AUTHORIZATION before the entry makes them owners.  Unread session
 * statements (a script from stdin) leave only the entries whose owner a
 * restore sets, but not "-" (pg_dump --no-owner); a data-only script
 * names no owner.
 */
static int confirm_owners(collector *c)
{
    size_t nauth = 0;
    raw_ref *auth = c->nunconfirmed > 0 ? session_auths(c->s, &nauth) : NULL;
    int rc = DF_OK;

    if (c->nunconfirmed > 0 && auth == NULL)
        return nomem(&c->r->err);
    for (size_t i = 0; i < c->nunconfirmed && rc == DF_OK; i++) {
        const df_entry *e = &c->r->entries[c->unconfirmed[i]];
        raw_ref key = {role_index(c->s, e->owner), DF_ROLE_SESSION_AUTHORIZATION,
                       (int64_t)e->index};
        bool used = c->rescanned ? key.role != (size_t)-1 && nauth > 0 &&
                                       bsearch(&key, auth, nauth, sizeof *auth, cmp_raw) != NULL
                                 : owner_is_set(e) && strcmp(e->owner, "-") != 0;

        if (used)
            rc = entry_owner(c, e);
    }
    free(auth);
    return rc;
}

/* ------------------------------------------------------------ finishing */

static int cmp_role_ptr(const void *a, const void *b)
{
    const df_role *x = *(const df_role *const *)a, *y = *(const df_role *const *)b;

    return strcmp(x->name, y->name);
}

static int cmp_raw(const void *a, const void *b)
{
    const raw_ref *x = a, *y = b;

    if (x->entry != y->entry)
        return x->entry < y->entry ? -1 : 1;
    if (x->kind != y->kind)
        return x->kind < y->kind ? -1 : 1;
    return x->role < y->role ? -1 : x->role > y->role;
}

/* Sort the roles by name; rewrite every role index through the new order. */
static bool sort_roles(df_roles *s)
{
    df_role **order = malloc((s->nroles + 1) * sizeof *order);
    df_role *sorted = malloc((s->nroles + 1) * sizeof *sorted);
    size_t *newpos = malloc((s->nroles + 1) * sizeof *newpos);
    bool ok = order && sorted && newpos;

    for (size_t i = 0; ok && i < s->nroles; i++)
        order[i] = &s->roles[i];
    if (ok) {
        qsort(order, s->nroles, sizeof *order, cmp_role_ptr);
        for (size_t i = 0; i < s->nroles; i++) {
            sorted[i] = *order[i];
            newpos[order[i] - s->roles] = i;
        }
        for (size_t i = 0; i < s->nraw; i++)
            s->raw[i].role = newpos[s->raw[i].role];
        for (size_t i = 0; i < s->nmembers; i++) {
            s->raw_members[i].role = newpos[s->raw_members[i].role];
            s->raw_members[i].member = newpos[s->raw_members[i].member];
        }
        free(s->roles);
        s->roles = sorted;
        s->cap_roles = s->nroles;
        sorted = NULL;
        ok = rehash(s, s->nslots ? s->nslots : 64);
    }
    free(order);
    free(sorted);
    free(newpos);
    return ok;
}

/* Distinct references with names and entries; counts per role and kind. */
static bool build_refs(df_roles *s)
{
    size_t n = 0;

    if (s->nraw > 1) /* a dump that names no role leaves raw NULL, which qsort may not take */
        qsort(s->raw, s->nraw, sizeof *s->raw, cmp_raw);
    s->refs = malloc((s->nraw + 1) * sizeof *s->refs);
    s->members = malloc((s->nmembers + 1) * sizeof *s->members);
    if (s->refs == NULL || s->members == NULL)
        return false;
    for (size_t i = 0; i < s->nraw; i++) {
        const raw_ref *x = &s->raw[i];
        if (i > 0 && cmp_raw(x, &s->raw[i - 1]) == 0)
            continue;
        s->roles[x->role].refs[x->kind]++;
        s->refs[n++] = (df_role_ref){s->roles[x->role].name, x->kind,
                                     x->entry < 0 ? NULL : &s->reader->entries[x->entry]};
    }
    s->nrefs = n;
    for (size_t i = 0; i < s->nmembers; i++) {
        const raw_member *m = &s->raw_members[i];
        s->members[i] =
            (df_role_membership){s->roles[m->role].name, s->roles[m->member].name, m->admin};
    }
    free(s->raw);
    s->raw = NULL;
    s->nraw = s->cap_raw = 0;
    return true;
}

static int collect(df_reader *r, df_roles **out)
{
    collector c;
    int rc;

    *out = NULL;
    if (!r->opened)
        return dfi_fail(&r->err, DF_E_USAGE, -1, "reader is not open");
    memset(&c, 0, sizeof c);
    c.r = r;
    c.entry = -1;
    c.s = calloc(1, sizeof *c.s);
    if (c.s == NULL)
        return nomem(&r->err);
    c.s->reader = r;
    rc = collect_entries(&c);
    if (rc == DF_OK)
        rc = rescan_plain(&c);
    if (rc == DF_OK)
        rc = confirm_owners(&c);
    if (rc == DF_OK && (!sort_roles(c.s) || !build_refs(c.s)))
        rc = nomem(&r->err);
    free(c.pending);
    free(c.unconfirmed);
    if (rc != DF_OK) {
        df_roles_free(c.s);
        return rc;
    }
    *out = c.s;
    return DF_OK;
}

int df_roles_collect(df_reader *r, df_roles **out, df_error *err)
{
    if (out == NULL || r == NULL) {
        if (out != NULL)
            *out = NULL;
        return dfi_fail(err, DF_E_USAGE, -1, "df_roles_collect needs an open reader");
    }
    return dfi_reader_fail(r, collect(r, out), err);
}

static void forget_lacking(df_roles *s)
{
    for (size_t i = 0; i < s->nlacking; i++) {
        free((char *)s->lacking[i].role);
        free((char *)s->lacking[i].member);
    }
    free(s->lacking);
    s->lacking = NULL;
    s->nlacking = 0;
}

void df_roles_free(df_roles *s)
{
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nroles; i++) {
        free((char *)s->roles[i].name);
        free((char *)s->roles[i].attributes);
    }
    forget_lacking(s);
    for (size_t i = 0; i < s->nexisting; i++)
        free(s->existing[i]);
    free(s->existing);
    free(s->roles);
    free(s->slots);
    free(s->raw);
    free(s->raw_members);
    free(s->refs);
    free(s->members);
    free(s->encoding);
    free(s);
}

/* ------------------------------------------------------------ access */

size_t df_roles_count(const df_roles *s)
{
    return s ? s->nroles : 0;
}

const df_role *df_roles_at(const df_roles *s, size_t i)
{
    return s && i < s->nroles ? &s->roles[i] : NULL;
}

const df_role *df_roles_find(const df_roles *s, const char *name)
{
    size_t h;

    if (s == NULL || name == NULL || s->nslots == 0)
        return NULL;
    for (h = hash_name(name) & (s->nslots - 1); s->slots[h] != 0; h = (h + 1) & (s->nslots - 1))
        if (strcmp(s->roles[s->slots[h] - 1].name, name) == 0)
            return &s->roles[s->slots[h] - 1];
    return NULL;
}

size_t df_roles_ref_count(const df_roles *s)
{
    return s ? s->nrefs : 0;
}

const df_role_ref *df_roles_ref_at(const df_roles *s, size_t i)
{
    return s && i < s->nrefs ? &s->refs[i] : NULL;
}

const char *df_roles_encoding(const df_roles *s)
{
    return s ? s->encoding : NULL;
}

size_t df_roles_membership_count(const df_roles *s)
{
    return s ? s->nmembers : 0;
}

const df_role_membership *df_roles_membership_at(const df_roles *s, size_t i)
{
    return s && i < s->nmembers ? &s->members[i] : NULL;
}

/* ------------------------------------------------------------ target comparison */

static int cmp_str_ptr(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool in_target(const df_roles *s, const char *name)
{
    return s->nexisting > 0 &&
           bsearch(&name, s->existing, s->nexisting, sizeof *s->existing, cmp_str_ptr) != NULL;
}

static void forget_target(df_roles *s)
{
    for (size_t i = 0; i < s->nexisting; i++)
        free(s->existing[i]);
    free(s->existing);
    s->existing = NULL;
    s->nexisting = 0;
    s->compared = false;
}

/* A comparison's count (>= 0) into *count, or its failure into err. */
static int count_result(int rc, size_t *count, const char *what, df_error *err)
{
    if (count != NULL)
        *count = rc > 0 ? (size_t)rc : 0;
    if (rc >= 0)
        return DF_OK;
    if (rc == DF_E_USAGE)
        return dfi_fail(err, rc, -1, "%s: no roles, or no list with a count", what);
    return dfi_fail(err, rc, -1, "out of memory");
}

static int compare_roles(df_roles *s, const char *const *existing, size_t n, int builtins_exist)
{
    int missing = 0;

    if (s == NULL || (existing == NULL && n > 0))
        return DF_E_USAGE;
    forget_target(s);
    s->existing = malloc((n + 1) * sizeof *s->existing);
    if (s->existing == NULL)
        return DF_E_NOMEM;
    for (; s->nexisting < n; s->nexisting++) {
        if ((s->existing[s->nexisting] = strdup(existing[s->nexisting])) == NULL) {
            forget_target(s);
            return DF_E_NOMEM;
        }
    }
    qsort(s->existing, s->nexisting, sizeof *s->existing, cmp_str_ptr);
    s->compared = true;
    s->builtins_exist = builtins_exist != 0;
    for (size_t i = 0; i < s->nroles; i++) {
        df_role *role = &s->roles[i];
        role->missing =
            !role->defined && !(role->builtin && s->builtins_exist) && !in_target(s, role->name);
        missing += role->missing;
    }
    return missing;
}

int df_roles_compare(df_roles *s, const char *const *existing, size_t n, int builtins_exist,
                     size_t *missing, df_error *err)
{
    return count_result(compare_roles(s, existing, n, builtins_exist), missing, "df_roles_compare",
                        err);
}

/* The target has role `m` granted to `member`: have[] holds (role, member) pairs. */
static bool target_has(const char *const *have, size_t n, const df_role_membership *m)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(have[2 * i], m->role) == 0 && strcmp(have[2 * i + 1], m->member) == 0)
            return true;
    return false;
}

static bool lacking_has(const df_roles *s, const df_role_membership *m)
{
    for (size_t i = 0; i < s->nlacking; i++)
        if (strcmp(s->lacking[i].role, m->role) == 0 &&
            strcmp(s->lacking[i].member, m->member) == 0)
            return true;
    return false;
}

static int compare_memberships(df_roles *s, const df_roles *defs, const char *const *have, size_t n)
{
    if (s == NULL || defs == NULL || (have == NULL && n > 0))
        return DF_E_USAGE;
    forget_lacking(s);
    s->lacking = malloc((defs->nmembers + 1) * sizeof *s->lacking);
    if (s->lacking == NULL)
        return DF_E_NOMEM;
    for (size_t i = 0; i < defs->nmembers; i++) {
        const df_role_membership *m = &defs->members[i];
        df_role_membership *l = &s->lacking[s->nlacking];

        if (df_roles_find(s, m->role) == NULL || df_roles_find(s, m->member) == NULL ||
            target_has(have, n, m) || lacking_has(s, m))
            continue;
        l->role = strdup(m->role);
        l->member = strdup(m->member);
        l->admin = m->admin;
        s->nlacking++;
        if (l->role == NULL || l->member == NULL) {
            forget_lacking(s);
            return DF_E_NOMEM;
        }
    }
    return (int)(s->nlacking > INT32_MAX ? INT32_MAX : s->nlacking);
}

int df_roles_compare_memberships(df_roles *s, const df_roles *defs, const char *const *have,
                                 size_t n, size_t *missing, df_error *err)
{
    int rc = compare_memberships(s, defs, have, n);

    if (rc >= 0 && missing != NULL) {
        *missing = s->nlacking; /* the exact count, not the int above */
        return DF_OK;
    }
    return count_result(rc, missing, "df_roles_compare_memberships", err);
}

size_t df_roles_missing_membership_count(const df_roles *s)
{
    return s ? s->nlacking : 0;
}

const df_role_membership *df_roles_missing_membership_at(const df_roles *s, size_t i)
{
    return s && i < s->nlacking ? &s->lacking[i] : NULL;
}

/* ------------------------------------------------------------ the create script */

/* The script makes this role: missing on the target (or, with no target, not made otherwise). */
static bool creates(const df_roles *s, const df_role *role)
{
    if (role->builtin)
        return false;
    return s->compared ? role->missing != 0 : !role->defined;
}

/* The role exists once the script ran. */
static bool exists_after(const df_roles *s, const char *name)
{
    const df_role *role = df_roles_find(s, name);

    if (role != NULL && creates(s, role))
        return true;
    if (!s->compared)
        return false;
    return in_target(s, name) || (df_role_name_is_builtin(name) && s->builtins_exist);
}

/* A dollar-quote tag that occurs in none of the texts. */
static void pick_tag(char *tag, size_t n, const char *const *texts, size_t ntexts)
{
    for (int k = 0;; k++) {
        bool clash = false;

        if (k == 0)
            snprintf(tag, n, "$do$");
        else
            snprintf(tag, n, "$do%d$", k);
        for (size_t i = 0; i < ntexts && !clash; i++)
            clash = strstr(texts[i], tag) != NULL;
        if (!clash)
            return;
    }
}

/* `attrs`: the attributes of the globals script, NULL for NOLOGIN (LOGIN when it must log in). */
static int write_create_role(FILE *out, const df_role *role, const char *attrs)
{
    char *ident = df_sql_quote_ident(role->name), *lit = df_sql_quote_literal(role->name);
    const char *texts[3] = {ident, lit, attrs ? attrs : ""};
    bool login = (role->needs & DF_ROLE_NEEDS_LOGIN) != 0;
    char tag[32];

    if (ident == NULL || lit == NULL) {
        free(ident);
        free(lit);
        return DF_E_NOMEM;
    }
    pick_tag(tag, sizeof tag, texts, 3);
    fprintf(out,
            "DO %s\nBEGIN\n"
            "    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = %s) THEN\n"
            "        CREATE ROLE %s %s;\n"
            "    END IF;\nEND\n%s;\n\n",
            tag, lit, ident,
            attrs   ? attrs
            : login ? "LOGIN"
                    : "NOLOGIN",
            tag);
    free(ident);
    free(lit);
    return DF_OK;
}

static int write_membership(FILE *out, const df_role_membership *m)
{
    char *ri = df_sql_quote_ident(m->role), *rl = df_sql_quote_literal(m->role);
    char *mi = df_sql_quote_ident(m->member), *ml = df_sql_quote_literal(m->member);
    const char *texts[4] = {ri, rl, mi, ml};
    char tag[32];
    int rc = DF_E_NOMEM;

    if (ri && rl && mi && ml) {
        pick_tag(tag, sizeof tag, texts, 4);
        fprintf(out,
                "DO %s\nBEGIN\n"
                "    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_auth_members m\n"
                "                   JOIN pg_catalog.pg_roles r ON r.oid = m.roleid\n"
                "                   JOIN pg_catalog.pg_roles u ON u.oid = m.member\n"
                "                   WHERE r.rolname = %s AND u.rolname = %s) THEN\n"
                "        GRANT %s TO %s%s;\n"
                "    END IF;\nEND\n%s;\n\n",
                tag, rl, ml, ri, mi, m->admin ? " WITH ADMIN OPTION" : "", tag);
        rc = DF_OK;
    }
    free(ri);
    free(rl);
    free(mi);
    free(ml);
    return rc;
}

/* The memberships of defs worth granting: both roles there afterwards, one of them new. */
static bool membership_wanted(const df_roles *s, const df_role_membership *m)
{
    const df_role *a = df_roles_find(s, m->role), *b = df_roles_find(s, m->member);

    if (!((a && creates(s, a)) || (b && creates(s, b)) || lacking_has(s, m)))
        return false;
    return exists_after(s, m->role) && exists_after(s, m->member);
}

/* A comment before a role only some pg_restore options need (no name: names may hold newlines). */
static void write_only_with(FILE *out, int when)
{
    if ((when & DF_ROLE_WHEN_ALWAYS) || when == 0)
        return;
    fprintf(out, "-- Only pg_restore %s%s%s needs the next role.\n",
            when & DF_ROLE_WHEN_CREATE ? "-C" : "",
            (when & DF_ROLE_WHEN_CREATE) && (when & DF_ROLE_WHEN_SESSION_AUTH) ? " or " : "",
            when & DF_ROLE_WHEN_SESSION_AUTH ? "--use-set-session-authorization" : "");
}

static void write_builtin_notes(const df_roles *s, FILE *out)
{
    for (size_t i = 0; i < s->nroles; i++) {
        const df_role *role = &s->roles[i];
        if (role->builtin && s->compared && role->missing)
            fprintf(out,
                    "-- \"%s\" is a built-in role of another PostgreSQL release and cannot be "
                    "created:\n-- restore into a release that has it.\n\n",
                    role->name);
    }
}

int df_roles_write_create(const df_roles *s, const df_roles *defs, FILE *out, df_error *err)
{
    size_t made = 0, granted = 0;
    int rc = DF_OK;

    if (s == NULL || out == NULL)
        return dfi_fail(err, DF_E_USAGE, -1, "df_roles_write_create needs roles and a stream");
    fprintf(out, "--\n-- Roles the dump needs that %s, written by dumpfmt %s.\n",
            s->compared ? "the target lacks" : "it does not create", DF_VERSION_STRING);
    fprintf(out, "-- Each is created with the attributes of the globals script when one was\n"
                 "-- given, else NOLOGIN (LOGIN when the script connects as it), and without\n"
                 "-- a password; roles and memberships that exist are left alone, so running\n"
                 "-- this twice is safe.\n--\n\n");
    if (s->encoding)
        fprintf(out, "SET client_encoding = '%s';\n", s->encoding);
    fprintf(out, "SET standard_conforming_strings = on;\n\n");
    for (size_t i = 0; i < s->nroles && rc == DF_OK; i++) {
        if (creates(s, &s->roles[i])) {
            const df_role *def = defs ? df_roles_find(defs, s->roles[i].name) : NULL;
            write_only_with(out, s->roles[i].when);
            rc = write_create_role(out, &s->roles[i], def ? def->attributes : NULL);
            made++;
        }
    }
    write_builtin_notes(s, out);
    for (size_t i = 0; defs && i < defs->nmembers && rc == DF_OK; i++) {
        if (membership_wanted(s, &defs->members[i])) {
            if (granted++ == 0)
                fprintf(out, "-- Role memberships of the globals script\n\n");
            rc = write_membership(out, &defs->members[i]);
        }
    }
    if (rc == DF_OK && made == 0 && granted == 0)
        fprintf(out, "-- Nothing to create: every role the dump needs exists.\n");
    if (rc == DF_OK && (fflush(out) != 0 || ferror(out)))
        rc = DF_E_IO;
    if (rc != DF_OK)
        dfi_fail(err, rc, -1, "could not write the roles script");
    return rc;
}
