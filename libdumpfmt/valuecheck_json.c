/*
 * valuecheck_json.c — the value check of json and jsonb columns: the syntax
 * the server's JSON parser takes (json_in, jsonb_in), and for jsonb the
 * escapes it refuses (\u0000, lone surrogates).  A document nested deeper
 * than V_NEST_MAX is not judged.  Split from valuecheck.c: jsonb columns
 * are a large share of real COPY data, and their checks have fast paths of
 * their own.
 */
#include "valuecheck.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* JSON nesting followed at most this deep (deeper: not judged). */
#define V_NEST_MAX 200

/*
 * The JSON parser passes its cursor in and returns it (NULL: a syntax error) rather than
 * keeping it in a struct: jsonb columns are a large share of real COPY data, and the cursor
 * then stays in a register.
 */
typedef struct vjson {
    const uint8_t *end;
    bool jsonb;
    bool deep; /* nesting beyond V_NEST_MAX: not judged */
} vjson;

static const uint8_t *json_ws(const uint8_t *p, const uint8_t *end)
{
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
        p++;
    return p;
}

/* Bytes that continue a word or a number's token (letters, digits, '_', >= 0x80): one load. */
static const uint8_t json_wordc[256] = {['0' ... '9'] = 1, ['A' ... 'Z'] = 1, ['_'] = 1,
                                        ['a' ... 'z'] = 1, [0x80 ... 0xff] = 1};

static inline bool json_word_char(uint8_t c)
{
    return json_wordc[c];
}

static int hex4(const uint8_t *p)
{
    int v = 0;

    for (int i = 0; i < 4; i++) {
        if (!isxdigit(p[i]))
            return -1;
        v = v * 16 + (isdigit(p[i]) ? p[i] - '0' : tolower(p[i]) - 'a' + 10);
    }
    return v;
}

static bool json_digit(uint8_t c)
{
    return (unsigned)(c - '0') < 10; /* no locale table: every number's digits come here */
}

/*
 * Bytes that may stand for themselves inside a JSON string: not a control character, quote or
 * backslash.  One table load per byte instead of three compares, in the hottest JSON loops.
 */
static const uint8_t json_plain[256] = {[0x20 ... 0x21] = 1, [0x23 ... 0x5b] = 1,
                                        [0x5d ... 0xff] = 1};

/* The first byte from p that ends a run of plain string characters (quote, backslash, control). */
static const uint8_t *plain_run(const uint8_t *p, const uint8_t *end)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;

    /* most keys and many values are short: a few bytes one by one before eight at a time */
    for (int k = 0; k < 8; k++, p++)
        if (p >= end || !json_plain[*p])
            return p;
    while (end - p >= 8) {
        uint64_t w, q, b, hit;
        memcpy(&w, p, 8);
        q = w ^ (ones * '"');
        b = w ^ (ones * '\\');
        hit = ((q - ones) & ~q) | ((b - ones) & ~b) | ((w - ones * 0x20) & ~w);
        if ((hit & highs) != 0)
            break; /* some byte in these eight (maybe a false hit past a real one) */
        p += 8;
    }
    while (p < end && json_plain[*p])
        p++;
    return p;
}

/* The string whose opening quote is at p: the byte after its closing quote. */
static const uint8_t *json_string(const vjson *j, const uint8_t *p)
{
    const uint8_t *end = j->end;
    int hi = -1;

    for (p++; p < end; p++) {
        uint8_t c;
        if (hi == -1) /* the common case: plain characters, eight at a time */
            p = plain_run(p, end);
        if (p >= end)
            break;
        c = *p;
        if (c == '"')
            return hi == -1 ? p + 1 : NULL;
        if (c < 0x20)
            return NULL;
        if (c != '\\') {
            if (j->jsonb && hi != -1)
                return NULL;
            continue;
        }
        if (++p >= end)
            return NULL;
        if (*p == 'u') {
            int u;
            if (end - p < 5 || (u = hex4(p + 1)) < 0)
                return NULL;
            p += 4;
            if (!j->jsonb)
                continue;
            if (u >= 0xd800 && u <= 0xdbff) {
                if (hi != -1)
                    return NULL;
                hi = u;
            } else if (u >= 0xdc00 && u <= 0xdfff) {
                if (hi == -1)
                    return NULL;
                hi = -1;
            } else if (hi != -1 || u == 0) {
                return NULL;
            }
        } else {
            if (j->jsonb && hi != -1)
                return NULL;
            if (strchr("\"\\/bfnrt", *p) == NULL || *p == '\0')
                return NULL;
        }
    }
    return NULL;
}

/*
 * json_string for the common short key or value, inline (the call's register saves cost more
 * than such a string): up to 16 plain characters and the closing quote; anything else goes
 * to json_string from the start.
 */
static inline const uint8_t *json_string_short(const vjson *j, const uint8_t *p)
{
    const uint8_t *q = p + 1, *stop = j->end - q > 16 ? q + 16 : j->end;

    while (q < stop && json_plain[*q])
        q++;
    if (q < stop && *q == '"')
        return q + 1;
    return json_string(j, p);
}

static inline __attribute__((always_inline)) const uint8_t *json_number(const uint8_t *s,
                                                                        const uint8_t *end)
{
    if (s < end && *s == '-')
        s++;
    if (s < end && *s == '0')
        s++;
    else if (s < end && *s >= '1' && *s <= '9')
        while (s < end && json_digit(*s))
            s++;
    else
        return NULL;
    if (s < end && *s == '.') {
        if (++s >= end || !json_digit(*s))
            return NULL;
        while (s < end && json_digit(*s))
            s++;
    }
    if (s < end && (*s == 'e' || *s == 'E')) {
        const uint8_t *e;
        s++;
        if (s < end && (*s == '+' || *s == '-'))
            s++;
        e = s;
        while (s < end && json_digit(*s))
            s++;
        if (s == e)
            return NULL;
    }
    if (s < end && json_word_char(*s))
        return NULL;
    return s;
}

static const uint8_t *json_value(vjson *j, const uint8_t *p, int depth);

/* A scalar value at p (string, number, true, false, null): its end; NULL: not one, or bad. */
static inline __attribute__((always_inline)) const uint8_t *json_scalar(const vjson *j,
                                                                        const uint8_t *p)
{
    const uint8_t *end = j->end;

    if (*p == '"')
        return json_string_short(j, p);
    if (*p == '-' || json_digit(*p))
        return json_number(p, end);
    if (end - p >= 5 && (memcmp(p, "true", 4) == 0 || memcmp(p, "null", 4) == 0) &&
        !json_word_char(p[4]))
        return p + 4;
    if (end - p >= 6 && memcmp(p, "false", 5) == 0 && !json_word_char(p[5]))
        return p + 5;
    return NULL;
}

/*
 * A member's or element's value, the scalars inline: most values of a jsonb document are short
 * strings, numbers and words, and a call of json_value for each cost more than checking it.
 */
static inline const uint8_t *json_member_value(vjson *j, const uint8_t *p, int depth)
{
    const uint8_t *q;

    p = json_ws(p, j->end);
    if (p >= j->end)
        return NULL;
    if ((q = json_scalar(j, p)) != NULL)
        return q;
    /* containers; a bad scalar is bad to json_value as well (checked again, rare) */
    return json_value(j, p, depth);
}

/* The object or array that opens at p. */
static const uint8_t *json_container(vjson *j, const uint8_t *p, int depth)
{
    const uint8_t *end = j->end;
    bool obj = *p == '{';
    uint8_t close = obj ? '}' : ']';

    if (depth > V_NEST_MAX) {
        j->deep = true;
        return NULL;
    }
    p = json_ws(p + 1, end);
    if (p < end && *p == close)
        return p + 1;
    for (;;) {
        if (obj) {
            p = json_ws(p, end);
            if (p >= end || *p != '"' || (p = json_string_short(j, p)) == NULL)
                return NULL;
            p = json_ws(p, end);
            if (p >= end || *p++ != ':')
                return NULL;
        }
        if ((p = json_member_value(j, p, depth + 1)) == NULL)
            return NULL;
        p = json_ws(p, end);
        if (p >= end)
            return NULL;
        if (*p == close)
            return p + 1;
        if (*p++ != ',')
            return NULL;
    }
}

static const uint8_t *json_value(vjson *j, const uint8_t *p, int depth)
{
    const uint8_t *end = j->end, *w;

    p = json_ws(p, end);
    if (p >= end)
        return NULL;
    switch (*p) {
    case '{':
    case '[': return json_container(j, p, depth);
    case '"': return json_string_short(j, p);
    case '-': return json_number(p, end);
    default: break;
    }
    if (json_digit(*p))
        return json_number(p, end);
    for (w = p; w < end && json_word_char(*w); w++)
        ;
    if ((w - p == 4 && (memcmp(p, "true", 4) == 0 || memcmp(p, "null", 4) == 0)) ||
        (w - p == 5 && memcmp(p, "false", 5) == 0))
        return w;
    return NULL;
}


/*
 * Flat documents up to JF_MAX bytes are copied on the stack (flat_copy) and read by their
 * quote masks; longer ones are copied to the heap and read byte by byte.  Either copy is
 * followed by at least JF_PAD NUL bytes, so that the readers need no bounds tests.
 */
#define JF_MAX 256
#define JF_PAD 32
#define JF_WORDS (JF_MAX / 64 + 1) /* mask words for bytes 0 .. JF_MAX */

/* A number at s of a NUL-padded copy: its end, NULL when bad (json_number without bounds). */
static inline const uint8_t *padded_number(const uint8_t *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        do
            s++;
        while (json_digit(*s));
    else
        return NULL;
    if (*s == '.') {
        if (!json_digit(*++s))
            return NULL;
        do
            s++;
        while (json_digit(*s));
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!json_digit(*s))
            return NULL;
        do
            s++;
        while (json_digit(*s));
    }
    return json_word_char(*s) ? NULL : s;
}

/*
 * The string whose opening quote is at s of the copy b of the document p: after its closing
 * quote; NULL when bad.  Plain bytes are skipped here; at an escape the general reader takes
 * the string, from the document itself.
 */
static inline const uint8_t *padded_string(const vjson *j, const uint8_t *b, const uint8_t *p,
                                           const uint8_t *s)
{
    const uint8_t *q = s + 1;

    while (json_plain[*q])
        q++;
    if (*q == '"')
        return q + 1;
    if (*q != '\\')
        return NULL; /* a control byte, a NUL, or the end */
    q = json_string(j, p + (s - b));
    return q != NULL ? b + (q - p) : NULL;
}

/*
 * The string whose opening quote is at s of the copy b: after its closing quote.  With quote
 * masks qm (the document holds no backslash nor control byte) a string ends at the next
 * quote, found by its bit instead of byte by byte; qm holds a sentinel bit at n, so an open
 * string ends at n + 1, where the padding's NULs fail whatever is asked next.
 */
static inline __attribute__((always_inline)) const uint8_t *
flat_string(const vjson *j, const uint8_t *b, const uint8_t *p, const uint8_t *s,
            const uint64_t *qm)
{
    size_t i, w;
    uint64_t m;

    if (qm == NULL)
        return padded_string(j, b, p, s);
    i = (size_t)(s - b) + 1;
    w = i / 64;
    m = qm[w] >> (i % 64) << (i % 64); /* the quotes from i on */
    while (m == 0)
        m = qm[++w];
    return b + w * 64 + (size_t)__builtin_ctzll(m) + 1;
}

/*
 * An object as the server prints jsonb: flat (scalar members only), ": " and ", " between its
 * parts and no other white space.  True: valid, with the general parser's own token checks on
 * a subset of the white space it takes, so it would accept it too.  False: not this shape (or
 * bad): the general parser decides.  Read from the NUL-padded copy b of the document p (n
 * bytes): every loop stops at the padding without a bounds test.  A NUL inside the document
 * stops the same loops and is never accepted: the object must end exactly at n.  Inlined
 * twice, with quote masks and without (qm NULL), so that neither pays for the other.
 */
static inline __attribute__((always_inline)) bool
flat_walk(const vjson *j, const uint8_t *b, const uint8_t *p, size_t n, const uint64_t *qm)
{
    const uint8_t *s = b + 1, *e = b + n;

    if (*s == '}')
        return s + 1 == e;
    for (;;) {
        if (*s != '"' || (s = flat_string(j, b, p, s, qm)) == NULL || s[0] != ':' || s[1] != ' ')
            return false;
        s += 2;
        if (*s == '"')
            s = flat_string(j, b, p, s, qm);
        else if (*s == '-' || json_digit(*s))
            s = padded_number(s);
        else if ((memcmp(s, "true", 4) == 0 || memcmp(s, "null", 4) == 0) && !json_word_char(s[4]))
            s += 4;
        else if (memcmp(s, "false", 5) == 0 && !json_word_char(s[5]))
            s += 5;
        else
            s = NULL;
        if (s == NULL)
            return false;
        if (*s == '}')
            return s + 1 == e;
        if (s[0] != ',' || s[1] != ' ')
            return false;
        s += 2;
    }
}

/*
 * Copies n (2 .. JF_MAX) bytes from p to the 16-byte aligned b, followed by NULs to the end of
 * the 16-byte block after the one that holds byte n.  Whole blocks and one last block that
 * ends at n (overlapping the one before), not a memcpy call: that call and its set-up cost
 * more than copying a typical 50-byte document.
 */
static void flat_copy(uint8_t *b, const uint8_t *p, size_t n)
{
    size_t i;

    memset(b + n / 16 * 16, 0, 32);
    if (n >= 16) {
        for (i = 0; i + 16 < n; i += 16)
            memcpy(b + i, p + i, 16);
        memcpy(b + n - 16, p + n - 16, 16);
    } else if (n >= 8) {
        memcpy(b, p, 8);
        memcpy(b + n - 8, p + n - 8, 8);
    } else if (n >= 4) {
        memcpy(b, p, 4);
        memcpy(b + n - 4, p + n - 4, 4);
    } else {
        memcpy(b, p, 2);
        b[n - 1] = p[n - 1];
    }
}

#ifdef __SSE2__
/* The quotes (*quote) and the backslashes and bytes below 0x20 (return) of 16 bytes at b. */
static inline uint64_t flat_block(const uint8_t *b, uint64_t *quote)
{
    const __m128i v = _mm_load_si128((const __m128i *)b);
    const __m128i ctl = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
    const __m128i bsl = _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'));

    *quote = (uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
    return (uint16_t)_mm_movemask_epi8(_mm_or_si128(ctl, bsl));
}
#else
static inline uint64_t flat_block(const uint8_t *b, uint64_t *quote)
{
    uint64_t bad = 0;

    *quote = 0;
    for (int k = 0; k < 16; k++) {
        *quote |= (uint64_t)(b[k] == '"') << k;
        bad |= (uint64_t)(b[k] == '\\' || b[k] < 0x20) << k;
    }
    return bad;
}
#endif

/*
 * The quote masks qm of the copy b (bit i: byte i is a quote), with the sentinel bit at n;
 * false when the document has a backslash or a control byte (a NUL among them): its strings
 * then need reading byte by byte.
 */
static bool flat_masks(const uint8_t *b, size_t n, uint64_t *qm)
{
    size_t last = n / 16;
    uint64_t bad = 0, q;

    for (size_t w = 0; w <= n / 64; w++)
        qm[w] = 0;
    for (size_t k = 0; k < last; k++) {
        bad |= flat_block(b + 16 * k, &q);
        qm[k / 4] |= q << (k % 4 * 16);
    }
    /* the block that holds byte n: only the bytes before n count (the padding is NUL) */
    bad |= flat_block(b + 16 * last, &q) & ((1u << (n % 16)) - 1);
    qm[last / 4] |= q << (last % 4 * 16);
    qm[n / 64] |= 1ULL << (n % 64);
    return bad == 0;
}

/*
 * A flat object (flat_walk) read from a copy: on the stack with quote masks when the document
 * is short and has no escapes, else byte by byte (the heap for a long one).
 */
static bool flat_object(const vjson *j, const uint8_t *p, size_t n)
{
    _Alignas(16) uint8_t stack[JF_MAX + JF_PAD];
    uint64_t qm[JF_WORDS];
    uint8_t *b;
    bool ok;

    if (n < 2 || p[0] != '{')
        return false;
    if (n <= JF_MAX) {
        flat_copy(stack, p, n);
        if (flat_masks(stack, n, qm))
            return flat_walk(j, stack, p, n, qm);
        return flat_walk(j, stack, p, n, NULL);
    }
    if ((b = malloc(n + JF_PAD)) == NULL)
        return false;
    memcpy(b, p, n);
    memset(b + n, 0, JF_PAD);
    ok = flat_walk(j, b, p, n, NULL);
    free(b);
    return ok;
}

bool dfi_check_json_general(const uint8_t *p, size_t n, bool jsonb)
{
    vjson j = {p + n, jsonb, false};
    const uint8_t *q = json_value(&j, p, 0);

    if (q == NULL)
        return j.deep;
    return json_ws(q, j.end) == j.end;
}

bool dfi_check_json_flat(const uint8_t *p, size_t n, bool jsonb)
{
    vjson j = {p + n, jsonb, false};

    return flat_object(&j, p, n);
}

bool dfi_check_json(const uint8_t *p, size_t n, bool jsonb)
{
    return dfi_check_json_flat(p, n, jsonb) || dfi_check_json_general(p, n, jsonb);
}
