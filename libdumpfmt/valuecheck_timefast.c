/*
 * valuecheck_timefast.c — the shapes pg_dump prints dates, times and timestamps in (DateStyle
 * ISO), read a word or 16 bytes at a time: the value check of the date/time types for nearly
 * every value of a dump, in a few tens of instructions.  A value is taken here only when it
 * is surely valid; any other goes on to the byte-wise reading and the general check
 * (valuecheck_time.c), which alone can flag one.
 */
#include "valuecheck_time.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#define DT_TZ_MAXHOUR DFI_TZ_MAXHOUR

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/*
 * The usual shapes read a word (eight bytes) at a time: each word is xored with a template
 * ('0' where a digit must be, the separator itself elsewhere), so that a separator that
 * matched becomes 0 and a digit its value; one test then covers every byte of the word, and
 * one multiplication turns all its digits into two-digit numbers.  Only a value that is
 * surely valid is taken; any other goes to the byte-wise reading (which hands on to the
 * general path), so these words decide nothing the general path would decide otherwise.
 */
#define DT_REP(b) ((uint64_t)(b) * 0x0101010101010101ULL)

static inline __attribute__((always_inline)) uint64_t dt_load8(const uint8_t *s)
{
    uint64_t w;

    memcpy(&w, s, 8);
    return w;
}

/* 0x80 in each byte of x (digits xor '0') that is not 0..9. */
static inline __attribute__((always_inline)) uint64_t dt_nondigits(uint64_t x)
{
    return (((x & DT_REP(0x7f)) + DT_REP(0x76)) | x) & DT_REP(0x80);
}

/*
 * Byte k of the result: 10 * byte k + byte k + 1 of x, whose bytes are all 0..9 (digit values,
 * matched separators 0): the value of the two digits starting at k, for every k at once
 * (at most 99 a byte, so nothing carries into the next).
 */
static inline __attribute__((always_inline)) uint64_t dt_pairs(uint64_t x)
{
    return x * 10 + (x >> 8);
}

/* Days of month m (0..99); 0: no such month.  February's 29: the year decides. */
static const uint8_t dt_mdays2[100] = {0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

/* Year hi * 100 + lo, month m (0..99), day d: a day of the era (year 0000 is no year). */
static inline __attribute__((always_inline)) bool dt_quick_ymd(unsigned hi, unsigned lo,
                                                               unsigned m, unsigned d)
{
    if (d - 1 >= dt_mdays2[m] || (hi | lo) == 0)
        return false;
    /* Feb 29: a leap year (years of the era: no BC here, whose leap years are other ones) */
    return d != 29 || m != 2 || (lo != 0 ? lo % 4 == 0 : hi % 4 == 0);
}

/* dt_quick_ymd of pa (dt_pairs of "YYYY-MM-" xor its template: the year's halves in bytes 0
   and 2, the month in 5) and day d. */
static inline __attribute__((always_inline)) bool dt_quick_pa(uint64_t pa, unsigned d)
{
    return dt_quick_ymd((unsigned)pa & 0xff, (unsigned)(pa >> 16) & 0xff,
                        (unsigned)(pa >> 40) & 0xff, d);
}

/*
 * s[i..n) after the seconds: "" or "." and 1-6 digits, then for a zone "+hh" or "+hh:mm"
 * (either sign; hh <= 15, mm <= 59, as DecodeTimezone allows); i >= 8.
 */
static inline __attribute__((always_inline)) bool dt_quick_tail(const uint8_t *s, size_t n,
                                                                 size_t i, bool zone)
{
    size_t z = n, l;
    unsigned h1, h2;

    if (zone) {
        if (n < i + 3)
            return false;
        if (((s[n - 3] - '+') & 0xfd) == 0) { /* '+' or '-' */
            z = n - 3;
        } else if (n >= i + 6 && s[n - 3] == ':' && ((s[n - 6] - '+') & 0xfd) == 0 &&
                   (unsigned)(s[n - 2] - '0') <= 5 && (unsigned)(s[n - 1] - '0') <= 9) {
            z = n - 6;
        } else {
            return false;
        }
        h1 = s[z + 1] - '0';
        h2 = s[z + 2] - '0';
        if (h1 > 1 || h2 > 9 || h1 * 10 + h2 > DT_TZ_MAXHOUR)
            return false;
    }
    l = z - i;
    if (l == 0)
        return true;
    /* the fraction's digits: the last l - 1 bytes of the word that ends where the zone starts */
    return l >= 2 && l <= 7 && s[i] == '.' &&
           dt_nondigits(dt_load8(s + z - 8) ^ DT_REP('0')) >> (8 * (9 - l)) == 0;
}

/* "YYYY-MM-DD HH:MM:SS[.f][+hh[:mm]]" (n >= 19), the zone when `zone`: true when valid (words:
   without SSE2, and in the tests). */
static inline __attribute__((always_inline)) bool dt_quick_ts_words(const uint8_t *s, size_t n,
                                                                    bool zone)
{
    uint64_t a = dt_load8(s) ^ 0x2d30302d30303030ULL;     /* "0000-00-" */
    uint64_t b = dt_load8(s + 8) ^ 0x30303a3030203030ULL; /* "00 00:00" */
    uint64_t c = (dt_load8(s + 11) >> 40) ^ 0x30303aULL;  /* ":00" of bytes 16..18 */
    uint64_t pb, pc;

    /* the separators matched (a: bytes 4, 7; b: 2, 5; c: 0), every other byte a digit */
    if (((a & 0xff0000ff00000000ULL) | (b & 0x0000ff0000ff0000ULL) | (c & 0xff) |
         dt_nondigits(a) | dt_nondigits(b) | dt_nondigits(c)) != 0)
        return false;
    pb = dt_pairs(b); /* day in byte 0, hour in 3, minute in 6 */
    pc = dt_pairs(c); /* second in byte 1 */
    /* hour <= 23, minute and second <= 59: 127 - limit added, the top bit set past the limit
       (24:00:00 and leap seconds: the general path) */
    if (((pb + ((uint64_t)(127 - 59) << 48 | (uint64_t)(127 - 23) << 24)) &
         (0x80ULL << 48 | 0x80ULL << 24)) != 0 ||
        ((pc + ((127 - 59) << 8)) & 0x8000) != 0)
        return false;
    return dt_quick_pa(dt_pairs(a), (unsigned)pb & 0xff) && dt_quick_tail(s, n, 19, zone);
}

#ifdef __SSE2__
/*
 * With SSE2 the whole timestamp is two loads: its first 16 bytes ("YYYY-MM-DD HH:MM") and its
 * last 16 (":SS", the fraction, the zone: 16..n-1 as n <= 32, and again some of the first).
 * Each is xored with a template and each byte held to a limit (9 at a digit, 0 at a
 * separator, 255 at the zone's sign, read on its own: '+' or '-'), its digit pairs to theirs
 * (month 1-12, day 1-31, hour <= 23, minute and second <= 59, the zone's hour <= 15 and
 * minute <= 59): saturating subtractions that leave 0 where a byte is within its limit.  The
 * last 16 bytes' template depends on the shape, known from n and the zone's length: a table
 * of them, made by the macros below from one description of where each byte goes.
 */

/* Position p of a timestamp whose zone (if any) starts at e: the template byte, the byte's
   limit, and the limit of the two digits from p. */
#define DT_TCHAR(p, e)                                                                         \
    ((p) >= (e) ? ((p) == (e) ? '+' : (p) == (e) + 3 ? ':' : '0')                              \
     : (p) == 4 || (p) == 7 ? '-' : (p) == 10 ? ' ' : (p) == 13 || (p) == 16 ? ':'             \
     : (p) == 19 ? '.' : '0')
#define DT_TLIM(p, e)                                                                          \
    ((p) >= (e) ? ((p) == (e) ? 255 : (p) == (e) + 3 ? 0 : 9)                                  \
     : (p) == 4 || (p) == 7 || (p) == 10 || (p) == 13 || (p) == 16 || (p) == 19 ? 0 : 9)
#define DT_TPAIR(p, e)                                                                         \
    ((p) >= (e) ? ((p) == (e) + 1 ? DT_TZ_MAXHOUR : (p) == (e) + 4 ? 59 : 255)                 \
     : (p) == 5 ? 12 : (p) == 8 ? 31 : (p) == 11 ? 23 : (p) == 14 || (p) == 17 ? 59 : 255)
/* The 16 bytes from position p0 (the zone at e). */
#define DT_T16(F, p0, e)                                                                       \
    {F((p0), e), F((p0) + 1, e), F((p0) + 2, e), F((p0) + 3, e), F((p0) + 4, e),            \
     F((p0) + 5, e), F((p0) + 6, e), F((p0) + 7, e), F((p0) + 8, e), F((p0) + 9, e),         \
     F((p0) + 10, e), F((p0) + 11, e), F((p0) + 12, e), F((p0) + 13, e), F((p0) + 14, e),     \
     F((p0) + 15, e)}
/* The last 16 bytes of a timestamp with l bytes of fraction and a zone of zl: n = 19 + l + zl,
   its last 16 from n - 16, the zone at 19 + l. */
#define DT_TAIL(F, l, zl) DT_T16(F, 3 + (l) + (zl), 19 + (l))

typedef struct dt_tmpl {
    uint8_t chr[16], lim[16], pair[16];
} dt_tmpl;

/* [no zone, "+hh", "+hh:mm"][fraction bytes 0-7] (one byte: "." alone, not taken). */
static const dt_tmpl dt_tails[3][8] __attribute__((aligned(16))) = {
#define DT_TMPL(l, zl) {DT_TAIL(DT_TCHAR, l, zl), DT_TAIL(DT_TLIM, l, zl), DT_TAIL(DT_TPAIR, l, zl)}
#define DT_TMPLS(zl)                                                                           \
    {DT_TMPL(0, zl), DT_TMPL(1, zl), DT_TMPL(2, zl), DT_TMPL(3, zl), DT_TMPL(4, zl),           \
     DT_TMPL(5, zl), DT_TMPL(6, zl), DT_TMPL(7, zl)}
    DT_TMPLS(0), DT_TMPLS(3), DT_TMPLS(6)
#undef DT_TMPLS
#undef DT_TMPL
};
/* The first 16 bytes; and the pairs' lower limits (month and day 1). */
static const dt_tmpl dt_head __attribute__((aligned(16))) = {
    DT_T16(DT_TCHAR, 0, 99), DT_T16(DT_TLIM, 0, 99), DT_T16(DT_TPAIR, 0, 99)};
static const uint8_t dt_head_min[16] __attribute__((aligned(16))) = {[5] = 1, [8] = 1};

/* Each byte's limit exceeded (non-zero bytes) for x = 16 bytes xored with t's template, and
   its pairs' limits; *pairs: byte k = 10 * byte k + byte k + 1 (the two digits from k). */
static inline __attribute__((always_inline)) __m128i dt_over(__m128i x, const dt_tmpl *t,
                                                              __m128i *pairs)
{
    /* each 16-bit lane times 10 is each byte times 10 when no low byte carries: a digit (<= 9)
       and a matched separator (0) do not, the sign xored (0 or 6) neither, and any other byte
       is past its limit, which fails the value whatever its pairs say */
    __m128i p = _mm_add_epi8(_mm_mullo_epi16(x, _mm_set1_epi16(10)), _mm_srli_si128(x, 1));

    *pairs = p;
    return _mm_or_si128(_mm_subs_epu8(x, _mm_load_si128((const __m128i *)t->lim)),
                        _mm_subs_epu8(p, _mm_load_si128((const __m128i *)t->pair)));
}

/* "YYYY-MM-DD HH:MM:SS[.f][+hh[:mm]]" (19 <= n <= 32), the zone when `zone`: true when valid. */
static inline __attribute__((always_inline)) bool dt_quick_ts_sse2(const uint8_t *s, size_t n,
                                                                   bool zone)
{
    size_t zc = 0, l; /* zc: the zone's length / 3 */
    const dt_tmpl *t;
    __m128i h, x, ph, pt, bad;
    unsigned d, m;

    if (zone) {
        zc = s[n - 3] == ':' ? 2 : 1;
        if (((s[n - 3 * zc] - '+') & 0xfd) != 0) /* '+' or '-' */
            return false;
    }
    l = n - 19 - 3 * zc; /* the fraction's bytes; huge when n is too short */
    if (l > 7 || l == 1)
        return false;
    t = &dt_tails[zc][l];
    h = _mm_xor_si128(_mm_loadu_si128((const __m128i *)s),
                      _mm_load_si128((const __m128i *)dt_head.chr));
    x = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(s + n - 16)),
                      _mm_load_si128((const __m128i *)t->chr));
    bad = _mm_or_si128(dt_over(h, &dt_head, &ph), dt_over(x, t, &pt));
    bad = _mm_or_si128(bad, _mm_subs_epu8(_mm_load_si128((const __m128i *)dt_head_min), ph));
    if (_mm_movemask_epi8(_mm_cmpeq_epi8(bad, _mm_setzero_si128())) != 0xffff ||
        _mm_cvtsi128_si32(h) == 0) /* year 0000 */
        return false;
    /* day <= 28 in every month; past that, the month's days (Feb 29: the year's leap rules) */
    d = (unsigned)_mm_extract_epi16(ph, 4) & 0xff;
    if (d <= 28)
        return true;
    m = (unsigned)_mm_extract_epi16(ph, 2) >> 8;
    return dt_quick_ymd((unsigned)_mm_extract_epi16(ph, 0) & 0xff,
                        (unsigned)_mm_extract_epi16(ph, 1) & 0xff, m, d);
}
#undef DT_TAIL
#undef DT_T16
#undef DT_TPAIR
#undef DT_TLIM
#undef DT_TCHAR
#endif

/* "YYYY-MM-DD" (n == 10): true when valid. */
static inline __attribute__((always_inline)) bool dt_quick_date(const uint8_t *s)
{
    uint64_t a = dt_load8(s) ^ 0x2d30302d30303030ULL;
    uint64_t b = (dt_load8(s + 2) >> 48) ^ 0x3030ULL; /* bytes 8, 9 */

    if (((a & 0xff0000ff00000000ULL) | dt_nondigits(a) | dt_nondigits(b)) != 0)
        return false;
    return dt_quick_pa(dt_pairs(a), (unsigned)dt_pairs(b) & 0xff);
}

/* "HH:MM:SS[.f][+hh[:mm]]" (n >= 8): true when valid (24:00:00 and 60 seconds: elsewhere). */
static inline __attribute__((always_inline)) bool dt_quick_time(const uint8_t *s, size_t n,
                                                                bool zone)
{
    uint64_t a = dt_load8(s) ^ 0x30303a30303a3030ULL; /* "00:00:00" */
    uint64_t pa;

    if (((a & 0x0000ff0000ff0000ULL) | dt_nondigits(a)) != 0)
        return false;
    pa = dt_pairs(a); /* hour in byte 0, minute in 3, second in 6 */
    if (((pa + ((uint64_t)(127 - 59) << 48 | (uint64_t)(127 - 59) << 24 | (127 - 23))) &
         (0x80ULL << 48 | 0x80ULL << 24 | 0x80)) != 0)
        return false;
    return dt_quick_tail(s, n, 8, zone);
}

/*
 * The usual shapes of each type: true when valid, false when not known to be.  Timestamps
 * with SSE2 unless `words`.  The kinds in the order of their share of a dump's values.
 */
static inline __attribute__((always_inline)) bool dt_quick(const uint8_t *s, size_t n, int kind,
                                                           bool words)
{
#ifdef __SSE2__
#define DT_TS(s, n, zone) (words ? dt_quick_ts_words(s, n, zone) : dt_quick_ts_sse2(s, n, zone))
#else
#define DT_TS(s, n, zone) dt_quick_ts_words(s, n, zone)
    (void)words; /* words are all there is */
#endif
    if (kind == DFI_VK_TIMESTAMPTZ)
        return n >= 22 && n <= 32 && DT_TS(s, n, true);
    if (kind == DFI_VK_TIMESTAMP)
        return n >= 19 && n <= 26 && DT_TS(s, n, false);
    if (kind == DFI_VK_DATE)
        return n == 10 && dt_quick_date(s);
    if (kind == DFI_VK_TIMETZ)
        return n >= 11 && n <= 21 && dt_quick_time(s, n, true);
    return kind == DFI_VK_TIME && n >= 8 && n <= 15 && dt_quick_time(s, n, false);
#undef DT_TS
}
#undef DT_REP
#else
static inline bool dt_quick(const uint8_t *s, size_t n, int kind, bool words)
{
    (void)s, (void)n, (void)kind, (void)words;
    return false;
}
#endif

bool dfi_datetime_fast(int kind, const uint8_t *p, size_t n)
{
    return dt_quick(p, n, kind, false) || dfi_datetime_bytes(kind, p, n);
}

bool dfi_datetime_quick(int kind, const uint8_t *p, size_t n)
{
    return dt_quick(p, n, kind, false);
}

bool dfi_datetime_quick_words(int kind, const uint8_t *p, size_t n)
{
    return dt_quick(p, n, kind, true);
}
