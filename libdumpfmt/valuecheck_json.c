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
 * Flat documents up to JF_MAX bytes are copied on the stack, longer ones to the heap; the
 * copy is followed by JF_PAD NUL bytes, so that the readers need no bounds tests (those were
 * half the instructions of a small document) and may load 16 bytes from anywhere up to the
 * end (a string's or a number's bytes, which stop at the first NUL, are all before it).
 */
#define JF_MAX 256
#define JF_PAD 16
#define JF_ONES 0x0101010101010101ULL

/*
 * The first byte from s of a NUL-padded copy that is not a digit.  Eight bytes at a time
 * where the byte order lets the lowest non-digit be found by counting trailing zeros: a
 * jsonb row's numbers (ids, amounts) run to several digits, and one word step costs about
 * what one byte's loop turn does.  A byte t = c ^ '0' is a digit's when t < 10: the high bit
 * of (t & 0x7f) + 0x76 (no carry out of the byte) says t & 0x7f >= 10, t's own says t >= 128.
 */
static inline const uint8_t *padded_digits(const uint8_t *s)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (;;) {
        uint64_t w, t, other;
        memcpy(&w, s, 8);
        t = w ^ (JF_ONES * '0');
        other = (((t & (JF_ONES * 0x7f)) + JF_ONES * 0x76) | t) & (JF_ONES * 0x80);
        if (other != 0)
            return s + __builtin_ctzll(other) / 8;
        s += 8;
    }
#else
    while (json_digit(*s))
        s++;
    return s;
#endif
}

/* A number at s of a NUL-padded copy: its end, NULL when bad (json_number without bounds). */
static __attribute__((noinline)) const uint8_t *padded_number_slow(const uint8_t *s)
{
    if (*s == '-')
        s++;
    if (*s == '0')
        s++;
    else if (*s >= '1' && *s <= '9')
        s = padded_digits(s + 1);
    else
        return NULL;
    if (*s == '.') {
        if (!json_digit(s[1]))
            return NULL;
        s = padded_digits(s + 2);
    }
    if (*s == 'e' || *s == 'E') {
        s++;
        if (*s == '+' || *s == '-')
            s++;
        if (!json_digit(*s))
            return NULL;
        s = padded_digits(s + 1);
    }
    return json_word_char(*s) ? NULL : s;
}

/*
 * padded_number_slow for the common number that ends within 16 bytes, read with SSE2 by a
 * mask of its digits: the integer part's and the fraction's ends are counts of trailing digit
 * bits instead of loops.  Anything that reaches the 16th byte, or has an exponent (json's,
 * never in jsonb's output), goes to padded_number_slow whole.  The end is not checked here:
 * flat_walk takes a value only when ", " or "}" follows it, so a letter after the digits
 * fails there, and the general parser judges the document.
 */
static inline __attribute__((always_inline)) const uint8_t *padded_number(const uint8_t *s)
{
#ifdef __SSE2__
    const __m128i v = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)s), _mm_set1_epi8('0'));
    /* bit k: s[k] is a digit; the bits from 16 on are non-digits, so every count stops */
    const unsigned other =
        ~(unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(9)), v));
    unsigned i = *s == '-', r = __builtin_ctz(other >> i);

    if (r == 0)
        return NULL;
    if (s[i] == '0')
        r = 1; /* a leading zero is the whole integer part: a digit after it fails flat_walk */
    i += r;
    if (i >= 15)
        return padded_number_slow(s);
    if (s[i] == '.') {
        if ((r = __builtin_ctz(other >> (i + 1))) == 0)
            return NULL;
        i += 1 + r;
    }
    if (i >= 16 || (s[i] | 0x20) == 'e')
        return padded_number_slow(s);
    return s + i; /* a letter after it fails flat_walk's next test */
#else
    return padded_number_slow(s);
#endif
}

/* A string at s of the copy b of the document p (n bytes) with an escape: json_string's. */
static __attribute__((noinline)) const uint8_t *
padded_escaped(const uint8_t *b, const uint8_t *p, size_t n, bool jsonb, const uint8_t *s)
{
    vjson j = {p + n, jsonb, false};
    const uint8_t *q = json_string(&j, p + (s - b));

    return q != NULL ? b + (q - p) : NULL;
}

/*
 * The first byte from q of a NUL-padded copy that is a quote, a backslash or a control byte
 * (the NUL padding among them).  With SSE2 (x86-64's baseline), sixteen bytes at a time from
 * q itself: a jsonb row's strings are mostly short keys, which one step covers for about the
 * instructions of three bytes one by one; a mask of the whole document would cost more than
 * its strings.  The padding covers the sixteen bytes read from anywhere up to the end.  Quote
 * and control bytes in one test: c ^ 2 <= 0x20 just when c < 0x20 or c is '"' (the XOR maps
 * 0x00-0x1f onto itself and swaps '"' with the space).
 */
static inline const uint8_t *padded_plain(const uint8_t *q)
{
#ifdef __SSE2__
    const __m128i two = _mm_set1_epi8(2), space = _mm_set1_epi8(0x20);
    const __m128i bslash = _mm_set1_epi8('\\');

    for (;;) {
        const __m128i v = _mm_loadu_si128((const __m128i *)q);
        const __m128i x = _mm_xor_si128(v, two);
        const __m128i stop =
            _mm_or_si128(_mm_cmpeq_epi8(v, bslash), _mm_cmpeq_epi8(_mm_min_epu8(x, space), x));
        const unsigned m = (unsigned)_mm_movemask_epi8(stop);
        if (__builtin_expect(m != 0, 1))
            return q + __builtin_ctz(m);
        q += 16;
    }
#else
    while (json_plain[*q])
        q++;
    return q;
#endif
}

/*
 * The string whose opening quote is at s of the copy b of the document p (n bytes): after its
 * closing quote; NULL when bad.  Plain bytes are skipped here; at an escape the general reader
 * takes the string, from the document itself.
 */
static inline const uint8_t *padded_string(const uint8_t *b, const uint8_t *p, size_t n, bool jsonb,
                                           const uint8_t *s)
{
    const uint8_t *q = padded_plain(s + 1);

    if (*q == '"')
        return q + 1;
    if (*q != '\\')
        return NULL; /* a control byte, a NUL, or the end */
    return padded_escaped(b, p, n, jsonb, s);
}

/*
 * The key whose opening quote is at s and the ": " after it: the value's start; NULL when bad
 * or not so.  The closing quote and ": " in one comparison.
 */
static inline __attribute__((always_inline)) const uint8_t *
padded_key(const uint8_t *b, const uint8_t *p, size_t n, bool jsonb, const uint8_t *s)
{
    const uint8_t *q = padded_plain(s + 1);

    if (__builtin_expect(memcmp(q, "\": ", 3) == 0, 1))
        return q + 3;
    if (*q != '\\')
        return NULL;
    q = padded_escaped(b, p, n, jsonb, s);
    return q != NULL && memcmp(q, ": ", 2) == 0 ? q + 2 : NULL;
}

/*
 * A member's value other than a string at s of a NUL-padded copy: its end, NULL when bad.
 * As with numbers, what follows a word is flat_walk's to check ("truex" fails there).
 */
static inline __attribute__((always_inline)) const uint8_t *padded_nonstring(const uint8_t *s)
{
    if (*s == '-' || json_digit(*s))
        return padded_number(s);
    if (memcmp(s, "true", 4) == 0 || memcmp(s, "null", 4) == 0)
        return s + 4;
    if (memcmp(s, "false", 5) == 0)
        return s + 5;
    return NULL;
}

/*
 * A member's value at v of a NUL-padded copy and what follows it: after ", " (the next
 * member's key), or, *end set, after the closing '}' (the object is whole when that is the end
 * of the document); NULL when bad.
 */
static inline __attribute__((always_inline)) const uint8_t *
member_value(const uint8_t *b, const uint8_t *p, size_t n, bool jsonb, const uint8_t *v, bool *end)
{
    const uint8_t *s = *v == '"' ? padded_string(b, p, n, jsonb, v) : padded_nonstring(v);

    *end = s != NULL && *s == '}';
    if (s == NULL || *end)
        return s != NULL ? s + 1 : NULL;
    return memcmp(s, ", ", 2) == 0 ? s + 2 : NULL;
}

/*
 * An object as the server prints jsonb: flat (scalar members only), ": " and ", " between its
 * parts and no other white space.  True: valid, with the general parser's own token checks on
 * a subset of the white space it takes, so it would accept it too.  False: not this shape (or
 * bad): the general parser decides.  Read from the NUL-padded copy b of the document p (n
 * bytes): every loop stops at the padding without a bounds test.  A NUL inside the document
 * stops the same loops and is never accepted: the object must end exactly at n.
 */
static inline __attribute__((always_inline)) bool flat_walk(const uint8_t *b, const uint8_t *p,
                                                            size_t n, bool jsonb)
{
    const uint8_t *s = b + 1, *e = b + n;

    if (*s == '}')
        return s + 1 == e;
    for (;;) {
        bool end;

        if (*s != '"' || (s = padded_key(b, p, n, jsonb, s)) == NULL)
            return false;
        if ((s = member_value(b, p, n, jsonb, s, &end)) == NULL || end)
            return s != NULL && s == e;
    }
}

/*
 * Copies n (2 .. JF_MAX) bytes from p to b and JF_PAD NULs after them.  A row's document of 16
 * to 64 bytes with SSE2: two or four 16-byte pieces, the last ones ending at n (overlapping
 * those before), in place of the memcpy call whose set-up costs as much as the copy (a loop
 * would be turned into that call, or into rep movs, which starts as slowly).
 */
static inline __attribute__((always_inline)) void flat_copy(uint8_t *b, const uint8_t *p, size_t n)
{
#ifdef __SSE2__
    if (n >= 16 && n <= 64) {
        const __m128i a = _mm_loadu_si128((const __m128i *)p);
        const __m128i z = _mm_loadu_si128((const __m128i *)(p + n - 16));

        if (n > 32) {
            const __m128i c = _mm_loadu_si128((const __m128i *)(p + 16));
            const __m128i y = _mm_loadu_si128((const __m128i *)(p + n - 32));
            _mm_storeu_si128((__m128i *)(b + 16), c);
            _mm_storeu_si128((__m128i *)(b + n - 32), y);
        }
        _mm_storeu_si128((__m128i *)b, a);
        _mm_storeu_si128((__m128i *)(b + n - 16), z);
        _mm_storeu_si128((__m128i *)(b + n), _mm_setzero_si128());
        return;
    }
#endif
    memcpy(b, p, n);
    memset(b + n, 0, JF_PAD);
}

/* flat_walk of a document longer than JF_MAX, from a copy on the heap. */
static __attribute__((noinline)) bool flat_object_long(const uint8_t *p, size_t n, bool jsonb)
{
    uint8_t *b = malloc(n + JF_PAD);
    bool ok;

    if (b == NULL)
        return false;
    flat_copy(b, p, n);
    ok = flat_walk(b, p, n, jsonb);
    free(b);
    return ok;
}

/* An object in jsonb's flat shape (flat_walk): true = valid; false: ask the general parser. */
static inline __attribute__((always_inline)) bool flat_object(const uint8_t *p, size_t n,
                                                              bool jsonb)
{
    uint8_t b[JF_MAX + JF_PAD];

    if (n < 2 || p[0] != '{')
        return false;
    if (n > JF_MAX)
        return flat_object_long(p, n, jsonb);
    flat_copy(b, p, n);
    return flat_walk(b, p, n, jsonb);
}

/*
 * A column's key skeleton: the members of the last flat document it read, each as the bytes
 * from its separator ("{" or ", ") through its plain key, the ": " after it and, when its
 * value was a string, the opening quote.  A column's documents mostly have the same keys in
 * the same order, and comparing a member's bytes with its skeleton's (one 16-byte compare for
 * a short key) costs less than reading the key and the separators.  Bytes equal to a recorded
 * member are that member exactly as flat_walk reads it (its key has no quote, backslash or
 * control byte: nor the padding, so a compare never matches past the end), so the skeleton
 * accepts only what flat_walk does.
 */
#define JSK_MEMBERS 16
#define JSK_SEG 48 /* a member's bytes at most; compares read 16 at a time within them */
#define JSK_REST 4096

typedef struct jsk_member {
    uint8_t b[JSK_SEG];
    /* the bits of the first 16 bytes' compare that must be set; a member longer than 16
       bytes has bit 16 too, which the compare never sets: member_long then decides */
    uint32_t need;
    uint8_t len;
} __attribute__((aligned(16))) jsk_member;

struct dfi_jskel {
    jsk_member m[JSK_MEMBERS];
    unsigned nseg;       /* members recorded */
    uint32_t docs, miss; /* documents read, and members that differed, since the last rest */
    uint32_t rest;       /* documents still to read without the skeleton (it kept missing) */
};

dfi_jskel *dfi_jskel_new(void)
{
    dfi_jskel *k;

    /* each member's first 16 bytes are read with an aligned load */
    if (posix_memalign((void **)&k, 64, sizeof *k) != 0)
        return NULL;
    memset(k, 0, sizeof *k);
    return k;
}

void dfi_jskel_free(dfi_jskel *k)
{
    free(k);
}

int dfi_jskel_members(const dfi_jskel *k)
{
    return k->rest > 0 ? -1 : (int)k->nseg;
}

/*
 * The bits of the compare of the 16 bytes from s of a padded copy with member m's first 16:
 * bit j set when s[j] is m's byte j.
 */
static inline __attribute__((always_inline)) unsigned member_eq(const uint8_t *s,
                                                                const jsk_member *m)
{
#ifdef __SSE2__
    return (unsigned)_mm_movemask_epi8(
        _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)s), _mm_load_si128((const __m128i *)m->b)));
#else
    unsigned eq = 0;

    for (unsigned j = 0; j < 16 && j < m->len && s[j] == m->b[j]; j++)
        eq |= 1u << j; /* up to the first difference: none is read past the padding */
    return eq;
#endif
}

/*
 * Whether a member longer than 16 bytes (rare), whose first 16 compared as eq, is at s.  Its
 * other bytes are read only when the first 16 matched, none a NUL, so never past the padding.
 */
static __attribute__((noinline)) bool member_long(const uint8_t *s, const jsk_member *m,
                                                  unsigned eq)
{
    if (m->len <= 16 || eq != 0xffff)
        return false;
    for (unsigned j = 16; j < m->len; j++)
        if (s[j] != m->b[j])
            return false;
    return true;
}

/* Member i of k: the bytes from sep to v, and v's quote if the value is a string. */
static bool member_record(dfi_jskel *k, unsigned i, const uint8_t *sep, const uint8_t *v)
{
    size_t len = (size_t)(v - sep) + (*v == '"');
    jsk_member *m;

    if (i >= JSK_MEMBERS || len > JSK_SEG)
        return false;
    m = &k->m[i];
    memcpy(m->b, sep, len);
    m->len = (uint8_t)len;
    m->need = len > 16 ? 0x1ffff : (1u << len) - 1;
    k->nseg = i + 1;
    return true;
}

/*
 * flat_walk from s, the start of member i's separator ("{" at b for the first), the members
 * from there on recorded as the skeleton's i, i + 1, ... while their keys are plain and fit.
 * Out of line: it runs when a document's keys differ from the last one's.
 */
static __attribute__((noinline)) bool skel_rest(dfi_jskel *k, const uint8_t *b, const uint8_t *p,
                                                size_t n, bool jsonb, const uint8_t *s, unsigned i)
{
    const uint8_t *e = b + n, *sep = s;
    bool rec = true;

    if (i < k->nseg && ++k->miss > 64 && k->miss > k->docs / 8) {
        k->rest = JSK_REST; /* the keys keep changing: no skeleton for a while */
        k->docs = k->miss = 0;
        rec = false;
        i = 0;
    }
    k->nseg = i;
    if (i == 0) {
        sep = b;
        s = b + 1;
        if (*s == '}')
            return s + 1 == e;
    } else {
        if (*s == '}')
            return s + 1 == e;
        if (memcmp(s, ", ", 2) != 0)
            return false;
        s += 2;
    }
    for (;;) {
        const uint8_t *q, *v;
        bool end;

        if (*s != '"')
            return false;
        q = padded_plain(s + 1);
        if (memcmp(q, "\": ", 3) == 0) {
            v = q + 3;
            rec = rec && member_record(k, i++, sep, v);
        } else {
            if (*q != '\\' || (q = padded_escaped(b, p, n, jsonb, s)) == NULL ||
                memcmp(q, ": ", 2) != 0)
                return false;
            v = q + 2;
            rec = false; /* only plain keys are recorded */
        }
        if ((s = member_value(b, p, n, jsonb, v, &end)) == NULL || end)
            return s != NULL && s == e;
        sep = s - 2;
    }
}

/*
 * flat_walk by the skeleton k: each member that has its recorded bytes is compared, not read,
 * and only its value is read (a string's from after the quote the member ends with); from the
 * first member that differs (or past the recorded ones) skel_rest reads the rest as flat_walk
 * does and records it.
 */
static inline __attribute__((always_inline)) bool skel_walk(dfi_jskel *k, const uint8_t *b,
                                                            const uint8_t *p, size_t n,
                                                            bool jsonb)
{
    const uint8_t *s = b;
    const jsk_member *m = k->m, *mend = m + k->nseg;

    for (; m < mend; m++) {
        const unsigned eq = member_eq(s, m);
        if (__builtin_expect((eq & m->need) != m->need, 0) && !member_long(s, m, eq))
            return skel_rest(k, b, p, n, jsonb, s, (unsigned)(m - k->m));
        s += m->len;
        if (s[-1] == '"') {
            const uint8_t *q = padded_plain(s);
            if (*q == '"')
                s = q + 1;
            else if (*q != '\\' || (s = padded_escaped(b, p, n, jsonb, s - 1)) == NULL)
                return false;
        } else {
            /* (a string where the last document had another value: read as flat_walk does) */
            s = *s == '"' ? padded_string(b, p, n, jsonb, s) : padded_nonstring(s);
            if (s == NULL)
                return false;
        }
    }
    if (*s == '}' && m != k->m)
        return s + 1 == b + n;
    return skel_rest(k, b, p, n, jsonb, s, (unsigned)(m - k->m));
}

bool dfi_check_json_skel(dfi_jskel *k, const uint8_t *p, size_t n, bool jsonb)
{
    uint8_t b[JF_MAX + JF_PAD];

    if (k == NULL || n - 2 > JF_MAX - 2 || p[0] != '{') /* n - 2: n < 2 wraps */
        return dfi_check_json(p, n, jsonb);
    if (k->rest > 0) {
        k->rest--;
        return dfi_check_json(p, n, jsonb);
    }
    k->docs++;
    flat_copy(b, p, n);
    return skel_walk(k, b, p, n, jsonb) || dfi_check_json_general(p, n, jsonb);
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
    return flat_object(p, n, jsonb);
}

bool dfi_check_json(const uint8_t *p, size_t n, bool jsonb)
{
    return flat_object(p, n, jsonb) || dfi_check_json_general(p, n, jsonb);
}
