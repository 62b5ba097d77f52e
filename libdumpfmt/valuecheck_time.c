/*
 * valuecheck_time.c — the value checks of the date/time types (date, time,
 * timetz, timestamp, timestamptz, interval): a value is flagged only when
 * the server's input function surely rejects it.  The server's parser is
 * liberal (words, time zone names, run-together digits, the DateStyle field
 * order), so the check follows its tokenizer exactly and decides only the
 * token shapes whose fate does not depend on settings; anything else is
 * left undecided (accepted here).  pg_dump prints these types in a few
 * fixed shapes (DateStyle ISO, IntervalStyle postgres): those take a fast
 * path that needs no tokens (valuecheck_timefast.c reads the usual ones a
 * word at a time, the byte-wise reading here the rest).
 */
#include "valuecheck.h"
#include "valuecheck_time.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DT_OK = 0, DT_BAD, DT_UNDECIDED };

/* The server's limits (datatype/timestamp.h, utils/datetime.h). */
#define DT_MAXFIELDS 25
#define DT_MAXLEN 120 /* longer field text: not judged (the server's buffers differ per type) */
#define DT_TZ_MAXHOUR DFI_TZ_MAXHOUR
#define DT_POSTGRES_EPOCH_JDATE 2451545
#define DT_DATE_END_JULIAN 2147483494LL
#define DT_USECS_PER_DAY 86400000000LL
#define DT_MIN_TIMESTAMP (-211813488000000000LL)
#define DT_END_TIMESTAMP 9223371331200000000LL

/* Field bits, as the server's fmask. */
enum {
    F_YEAR = 1 << 0,
    F_MONTH = 1 << 1,
    F_DAY = 1 << 2,
    F_DOY = 1 << 3,
    F_TIME = 1 << 4, /* hour, minute and second: always set together here */
    F_TZ = 1 << 5,
    F_ADBC = 1 << 6,
};
#define F_DATE (F_YEAR | F_MONTH | F_DAY)

/* Token types of the server's ParseDateTime. */
enum { TK_NUMBER, TK_DATE, TK_TIME, TK_STRING, TK_SPECIAL, TK_TZ };

typedef struct dtlex {
    char buf[DT_MAXLEN + DT_MAXFIELDS + 2];
    char *f[DT_MAXFIELDS];
    int type[DT_MAXFIELDS];
    int nf;
} dtlex;

/* The server's <ctype.h> classes in a UTF-8 database (C or UTF-8 LC_CTYPE): bytes >= 0x80 none. */
static bool c_space(int c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static bool c_digit(int c)
{
    return c >= '0' && c <= '9';
}

static bool c_alpha(int c)
{
    return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

static bool c_punct(int c)
{
    return c > 0x20 && c < 0x7f && !c_alpha(c) && !c_digit(c);
}

/*
 * Words of the server's date/time keyword table (a superset over versions):
 * before a digit or '+' such a word stays a field of its own.
 */
static int dt_keyword(const char *w, size_t n)
{
    static const char *const words[] = {
        "ad",       "allballs", "am",       "apr",       "april",    "at",        "aug",
        "august",   "bc",       "d",        "dec",       "december", "dow",       "doy",
        "dst",      "epoch",    "feb",      "february",  "fri",      "friday",    "h",
        "infinity", "isodow",   "isoyear",  "j",         "jan",      "january",   "jd",
        "jul",      "julian",   "july",     "jun",       "june",     "m",         "mar",
        "march",    "may",      "mm",       "mon",       "monday",   "nov",       "november",
        "now",      "oct",      "october",  "on",        "pm",       "s",         "sat",
        "saturday", "sep",      "sept",     "september", "sun",      "sunday",    "t",
        "thu",      "thur",     "thurs",    "thursday",  "today",    "tomorrow",  "tue",
        "tues",     "tuesday",  "wed",      "wednesday", "weds",     "y",         "yesterday"};
    /* in the table of some versions only: how the field splits is not known */
    static const char *const maybe[] = {"current", "invalid", "undefined", "abstime"};

    if (n > 10)
        n = 10; /* the server compares the first ten characters */
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == n && strncmp(words[i], w, n) == 0)
            return 1;
    for (size_t i = 0; i < sizeof maybe / sizeof maybe[0]; i++)
        if (strlen(maybe[i]) == n && strncmp(maybe[i], w, n) == 0)
            return 2;
    return 0;
}

/*
 * ParseDateTime's split of s into fields (text lowercased).  DT_BAD where
 * the server's tokenizer fails; DT_UNDECIDED when the text is too long to
 * judge here.
 */
static int dt_lex(const char *s, dtlex *x)
{
    char *b = x->buf, *end = x->buf + DT_MAXLEN;
    const unsigned char *cp = (const unsigned char *)s;

#define PUT(ch)                                                                                    \
    do {                                                                                           \
        if (b + 1 >= end)                                                                          \
            return DT_UNDECIDED;                                                                   \
        *b++ = (char)(ch);                                                                         \
    } while (0)

    x->nf = 0;
    while (*cp != '\0') {
        int t;
        if (c_space(*cp)) {
            cp++;
            continue;
        }
        if (x->nf >= DT_MAXFIELDS)
            return DT_BAD;
        x->f[x->nf] = b;
        if (c_digit(*cp)) {
            while (c_digit(*cp))
                PUT(*cp++);
            if (*cp == ':') {
                t = TK_TIME;
                PUT(*cp++);
                while (c_digit(*cp) || *cp == ':' || *cp == '.')
                    PUT(*cp++);
            } else if (*cp == '-' || *cp == '/' || *cp == '.') {
                unsigned char delim = *cp;
                PUT(*cp++);
                if (c_digit(*cp)) {
                    t = delim == '.' ? TK_NUMBER : TK_DATE;
                    while (c_digit(*cp))
                        PUT(*cp++);
                    if (*cp == delim) {
                        t = TK_DATE;
                        PUT(*cp++);
                        while (c_digit(*cp) || *cp == delim)
                            PUT(*cp++);
                    }
                } else {
                    t = TK_DATE;
                    while (c_alpha(*cp) || c_digit(*cp) || *cp == delim)
                        PUT(tolower(*cp++));
                }
            } else {
                t = TK_NUMBER;
            }
        } else if (*cp == '.') {
            PUT(*cp++);
            while (c_digit(*cp))
                PUT(*cp++);
            t = TK_NUMBER;
        } else if (c_alpha(*cp)) {
            /* words, and time zone names with '/', digits, signs: all lowercased */
            t = TK_STRING;
            while (c_alpha(*cp))
                PUT(tolower(*cp++));
            int kw = *cp == '+' || c_digit(*cp) ? dt_keyword(x->f[x->nf], (size_t)(b - x->f[x->nf])) : 0;
            if (kw == 2)
                return DT_UNDECIDED;
            if (*cp == '-' || *cp == '/' || *cp == '.' || ((*cp == '+' || c_digit(*cp)) && kw == 0)) {
                t = TK_DATE;
                while (*cp == '+' || *cp == '-' || *cp == '/' || *cp == '_' || *cp == '.' ||
                       *cp == ':' || c_alpha(*cp) || c_digit(*cp))
                    PUT(tolower(*cp++));
            }
        } else if (*cp == '+' || *cp == '-') {
            PUT(*cp++);
            while (c_space(*cp))
                cp++;
            if (c_digit(*cp)) {
                t = TK_TZ;
                PUT(*cp++);
                while (c_digit(*cp) || *cp == ':' || *cp == '.' || *cp == '-')
                    PUT(*cp++);
            } else if (c_alpha(*cp)) {
                t = TK_SPECIAL;
                while (c_alpha(*cp))
                    PUT(tolower(*cp++));
            } else {
                return DT_BAD;
            }
        } else if (c_punct(*cp)) {
            cp++; /* other punctuation only delimits */
            continue;
        } else {
            return DT_BAD;
        }
        if (b >= end)
            return DT_UNDECIDED;
        *b++ = '\0';
        x->type[x->nf++] = t;
    }
    return DT_OK;
#undef PUT
}

/* strtol into an int as the server's strtoint: false on overflow. */
static bool dt_int(const char *s, char **end, long *v)
{
    errno = 0;
    *v = strtol(s, end, 10);
    return errno != ERANGE && *v >= INT_MIN && *v <= INT_MAX;
}

static bool dt_leap(long y)
{
    return y % 4 == 0 && (y % 100 != 0 || y % 400 == 0);
}

static int dt_mdays(long y, long m)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

    return days[m - 1] + (m == 2 && dt_leap(y));
}

/* The server's date2j, in 64 bits (the caller checks the range first). */
static int64_t dt_date2j(int64_t y, int64_t m, int64_t d)
{
    int64_t c, j;

    if (m > 2) {
        m += 1;
        y += 4800;
    } else {
        m += 13;
        y += 4799;
    }
    c = y / 100;
    j = y * 365 - 32167;
    j += y / 4 - c + c / 4;
    j += 7834 * m / 256 + d;
    return j;
}

/* What the tokens say so far. */
typedef struct dtm {
    int mask;   /* fields set */
    int dmask;  /* ... by tokens decided here */
    bool fuzzy; /* a token not judged here was seen: state-dependent errors are not decided */
    int numbers;   /* number fields seen before the date, "yyyymmdd" counting as three */
    bool date_tok; /* a date field not judged here was seen */
    bool words; /* a word was seen: it may change how any later token is read */
    long year, mon, mday;
    bool date_decided;
    bool iso_t;    /* the field before was "t" */
    long hour, min, sec;
    int64_t usec;
    bool bc;
    long tz; /* seconds east of UTC, when F_TZ */
} dtm;

/* ParseFractionalSecond: ".ddd" to microseconds, false when the server fails it. */
static bool dt_fraction(const char *s, int64_t *usec)
{
    char *end;
    double f;

    if (s[1] == '\0') { /* "." alone is a zero fraction */
        *usec = 0;
        return true;
    }
    errno = 0;
    f = strtod(s, &end);
    if (*end != '\0' || errno != 0 || end == s)
        return false;
    *usec = (int64_t)(f * 1000000.0 + 0.5);
    return true;
}

/* DecodeTime: "h:m", "m:s.f", "h:m:s[.f]"; DT_BAD on what the server rejects. */
static int dt_time(const char *s, long *h, long *m, long *sec, int64_t *usec)
{
    char *cp;

    *sec = 0;
    *usec = 0;
    if (!dt_int(s, &cp, h))
        return DT_BAD;
    if (*cp != ':')
        return DT_BAD;
    if (!dt_int(cp + 1, &cp, m))
        return DT_BAD;
    if (*cp == '.') {
        if (!dt_fraction(cp, usec))
            return DT_BAD;
        *sec = *m;
        *m = *h;
        *h = 0;
    } else if (*cp == ':') {
        if (!dt_int(cp + 1, &cp, sec))
            return DT_BAD;
        if (*cp == '.') {
            if (!dt_fraction(cp, usec))
                return DT_BAD;
        } else if (*cp != '\0') {
            return DT_BAD;
        }
    } else if (*cp != '\0') {
        return DT_BAD;
    }
    if (*h < 0 || *m < 0 || *m > 59 || *sec < 0 || *sec > 60 || *usec < 0 || *usec > 1000000)
        return DT_BAD;
    return DT_OK;
}

/* time_overflows: beyond 24:00:00. */
static bool dt_time_over(long h, long m, long s, int64_t usec)
{
    if (h < 0 || m < 0 || m > 59 || s < 0 || s > 60 || usec < 0 || usec > 1000000)
        return true;
    return (((int64_t)h * 60 + m) * 60 + s) * 1000000 + usec > DT_USECS_PER_DAY;
}

/* DecodeTimezone: "+h", "+hh:mm[:ss]", "+hhmm"; seconds east in *tz. */
static int dt_zone(const char *s, long *tz)
{
    long h, m = 0, sec = 0;
    char *cp;

    if (!dt_int(s + 1, &cp, &h))
        return DT_BAD;
    if (*cp == ':') {
        if (!dt_int(cp + 1, &cp, &m))
            return DT_BAD;
        if (*cp == ':' && !dt_int(cp + 1, &cp, &sec))
            return DT_BAD;
    } else if (*cp == '\0' && strlen(s) > 3) {
        m = h % 100;
        h /= 100;
    }
    if (h < 0 || h > DT_TZ_MAXHOUR || m < 0 || m > 59 || sec < 0 || sec > 59 || *cp != '\0')
        return DT_BAD;
    *tz = (h * 3600 + m * 60 + sec) * (s[0] == '-' ? -1 : 1);
    return DT_OK;
}

/* Set bits: a clash with a field set by a decided token is the server's error too. */
static int dt_set(dtm *t, int bits, bool decided)
{
    if (t->mask & bits)
        return (t->dmask & bits) && !t->words ? DT_BAD : DT_UNDECIDED;
    t->mask |= bits;
    if (decided)
        t->dmask |= bits;
    return DT_OK;
}

/* Month names and the ignored words of the server's keyword table: what DecodeDate takes as text. */
static bool dt_date_word(const char *w, size_t n)
{
    static const char *const words[] = {
        "jan", "january",  "feb", "february", "mar", "march",    "apr", "april",
        "may", "jun",      "june", "jul",     "july", "aug",     "august", "sep",
        "sept", "september", "oct", "october", "nov", "november", "dec", "december",
        "at",  "on",       "abstime"};

    if (n > 10)
        n = 10;
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == n && strncmp(words[i], w, n) == 0)
            return true;
    return false;
}

/* ValidateDate of year y (two digits: 1970-2069), month m, day d. */
static bool dt_valid_ymd(long y, size_t ylen, long m, long d)
{
    if (ylen <= 2)
        y += y < 70 ? 2000 : 1900;
    return y > 0 && m >= 1 && m <= 12 && d >= 1 && d <= dt_mdays(y, m);
}

/* Three numbers, the first of one or two digits: a valid date in YMD, DMY or MDY order. */
static bool dt_any_order(const long *v, const size_t *len)
{
    bool doy = len[1] == 3 && v[1] >= 1 && v[1] <= 366; /* YMD: a day of the year */

    return doy || dt_valid_ymd(v[0], len[0], v[1], v[2]) || dt_valid_ymd(v[2], len[2], v[1], v[0]) ||
           dt_valid_ymd(v[2], len[2], v[0], v[1]);
}

/*
 * DecodeDate of a field (digits, words, separators) when no date field is
 * set yet: a word that is no month fails; the ISO order (a year of three or
 * more digits first) is decided; the DateStyle orders are not.
 */
static int dt_date_field(dtm *t, const char *s, bool fuzzy)
{
    const char *p[DT_MAXFIELDS];
    size_t len[DT_MAXFIELDS];
    int n = 0;
    bool text = false;
    long v[3];

    /* each run of digits or of letters, and the one byte after it, whatever it is */
    while (*s != '\0') {
        const char *w;
        while (*s != '\0' && !c_alpha(*s) && !c_digit(*s))
            s++;
        if (*s == '\0')
            return DT_BAD; /* separators at the end */
        if (n == DT_MAXFIELDS)
            return DT_UNDECIDED;
        w = s;
        if (c_alpha(*s)) {
            while (c_alpha(*s))
                s++;
            if (!dt_date_word(w, (size_t)(s - w)))
                return DT_BAD;
            text = true;
        } else {
            while (c_digit(*s))
                s++;
            p[n] = w;
            len[n] = (size_t)(s - w);
            n++;
        }
        if (*s != '\0')
            s++;
    }
    for (int i = 0; i < n; i++) {
        char *end;
        long big;
        if (!dt_int(p[i], &end, i < 3 ? &v[i] : &big))
            return DT_BAD;
    }
    if (text || n == DT_MAXFIELDS || fuzzy)
        return DT_UNDECIDED; /* the rest depends on the fields set before */
    if (n < 2)
        return DT_BAD; /* one number sets one field */
    if (len[1] == 3 && v[1] >= 1 && v[1] <= 366) {
        /* a day of the year after a year (in YMD order, or a long year) */
        if (len[0] < 3 || n == 2)
            return DT_UNDECIDED;
        /* then a third number can only be "hhmm[ss]", and nothing after it */
        return n == 3 && (len[2] == 4 || len[2] == 6) ? DT_UNDECIDED : DT_BAD;
    }
    if (n == 2)
        return DT_BAD; /* year and month, or month and day: never a whole date */
    if (n > 3) /* after three fields of the date: "hhmm[ss]", then nothing */
        return n == 4 && (len[3] == 4 || len[3] == 6) ? DT_UNDECIDED : DT_BAD;
    if (len[0] < 3) /* the order follows DateStyle: bad only when bad in every order */
        return !dt_any_order(v, len) ? DT_BAD : DT_UNDECIDED;
    t->year = v[0];
    t->mon = v[1];
    t->mday = v[2];
    t->date_decided = true;
    return DT_OK;
}

/*
 * DecodeNumberField of "hhmm" or "hhmmss" (a fraction after it) once the
 * date is whole: the time it sets; DT_BAD for any other length.
 */
static int dt_run_time(dtm *t, const char *f, size_t n)
{
    const char *pt = memchr(f, '.', n);
    size_t len = pt ? (size_t)(pt - f) : n;
    long v[3] = {0, 0, 0};

    if (len != 4 && len != 6)
        return DT_BAD;
    for (size_t i = 0; i < len; i++) {
        if (!c_digit(f[i]))
            return DT_UNDECIDED;
        v[i / 2] = v[i / 2] * 10 + (f[i] - '0');
    }
    if (t->mask & F_TIME)
        return (t->dmask & F_TIME) && !t->words ? DT_BAD : DT_UNDECIDED;
    t->hour = v[0];
    t->min = v[1];
    t->sec = v[2];
    t->usec = pt ? (int64_t)(strtod(pt, NULL) * 1000000.0 + 0.5) : 0; /* no check of its end */
    t->mask |= F_TIME;
    t->dmask |= F_TIME;
    return DT_OK;
}

/*
 * A field starting with a digit after the date (DecodeDateTime), or one not
 * taken as a date (DecodeTimeOnly): a run-together time and zone,
 * "hhmmss-zz".
 */
static int dt_run_zone(dtm *t, const char *f)
{
    const char *cp = strchr(f, '-');
    int r;

    if (t->dmask & F_TIME)
        return DT_BAD;
    if (cp == NULL)
        return t->mask & F_TIME ? DT_UNDECIDED : DT_BAD;
    if (dt_zone(cp, &t->tz) != DT_OK)
        return DT_BAD;
    if ((r = dt_run_time(t, f, (size_t)(cp - f))) != DT_OK)
        return r;
    return dt_set(t, F_TZ, true);
}


/*
 * A word no table of the server knows: not a keyword, not an abbreviation
 * of any file PostgreSQL ships in share/timezonesets (a custom
 * timezone_abbreviations file could add one: such a file is assumed
 * absent), not the name of a zone of one word (zones with '/' or digits do
 * not end up here), and no POSIX zone (which needs an offset).  The server
 * fails it wherever it stands.
 */
static int dt_strcmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool dt_unknown_word(const char *w)
{
    static const char *const known[] = {
        "acdt", "acsst", "acst", "act", "acwst", "adt", "aedt", "aesst", "aest", "aft", "akdt",
        "akst", "almst", "almt", "amst", "amt", "anast", "anat", "aqtst", "aqtt", "arst", "art",
        "ast", "awsst", "awst", "azost", "azot", "azst", "azt", "bdst", "bdt", "bnt", "bort",
        "bot", "bra", "brst", "brt", "bst", "btt", "cadt", "cast", "cat", "cct", "cdt", "cest",
        "cet", "cetdst", "chadt", "chast", "chost", "chot", "chst", "chut", "cit", "ckt", "clst",
        "clt", "cot", "cst", "cuba", "cvt", "cwst", "cxt", "davt", "ddut", "dst", "easst", "east",
        "eat", "ect", "edt", "eest", "eet", "eetdst", "egst", "egt", "egypt", "eire", "eit", "est",
        "factory", "fet", "fjst", "fjt", "fkst", "fkt", "fnst", "fnt", "galt", "gamt", "gb",
        "gest", "get", "gft", "gilt", "gmt", "greenwich", "gst", "gyt", "hadt", "hast", "hdt",
        "hkt", "hongkong", "hovst", "hovt", "hst", "iceland", "ict", "idt", "iot", "iran", "irdt",
        "irkst", "irkt", "irst", "irt", "israel", "ist", "jamaica", "japan", "jayt", "jst", "kdt",
        "kgst", "kgt", "kost", "krast", "krat", "kst", "kwajalein", "lhdt", "lhst", "libya",
        "ligt", "lint", "lkt", "localtime", "magst", "magt", "mart", "mawt", "mdt", "mest", "mesz",
        "met", "metdst", "mez", "mht", "mist", "mmt", "mpt", "msd", "msk", "mst", "must", "mut",
        "mvt", "myt", "navajo", "nct", "ndt", "nft", "novst", "novt", "npt", "nrt", "nst", "nut",
        "nz", "nzdt", "nzst", "nzt", "omsst", "omst", "orat", "pdt", "pet", "petst", "pett", "pgt",
        "phot", "pht", "pkst", "pkt", "pmdt", "pmst", "poland", "pont", "portugal", "posixrules",
        "prc", "pst", "pwt", "pyst", "pyt", "qyzt", "ret", "roc", "rok", "rott", "sadt", "sakst",
        "sakt", "samst", "samt", "sast", "sat", "sbt", "sct", "sgt", "singapore", "sret", "srt",
        "sst", "syot", "taht", "tft", "tjt", "tkt", "tlt", "tmt", "tot", "trut", "turkey", "tvt",
        "uct", "ulast", "ulat", "universal", "ut", "utc", "uyst", "uyt", "uzst", "uzt", "vet",
        "vlast", "vlat", "volt", "vost", "vut", "wadt", "wakt", "wast", "wat", "wdt", "west",
        "wet", "wetdst", "wft", "wgst", "wgt", "wib", "wit", "wita", "wsdt", "wsst", "wst", "xjt",
        "yakst", "yakt", "yapt", "yekst", "yekt", "z", "zulu",
    };
    char key[11];
    const char *k = key;

    if (dt_keyword(w, strlen(w)) != 0)
        return false;
    if (bsearch(&w, known, sizeof known / sizeof known[0], sizeof known[0], dt_strcmp) != NULL)
        return false;
    snprintf(key, sizeof key, "%s", w); /* abbreviations compare their first ten characters */
    return bsearch(&k, known, sizeof known / sizeof known[0], sizeof known[0], dt_strcmp) == NULL;
}

/* POSIX zone reading (the server's tzparse): the parts of "std offset [dst [offset]]". */
static const char *tz_name(const char *p)
{
    while (*p != '\0' && !c_digit(*p) && *p != ',' && *p != '-' && *p != '+')
        p++;
    return p;
}

static const char *tz_num(const char *p, int max)
{
    int n = 0;

    if (!c_digit(*p))
        return NULL;
    do {
        n = n * 10 + (*p++ - '0');
        if (n > max)
            return NULL;
    } while (c_digit(*p));
    return p;
}

static const char *tz_offset(const char *p)
{
    if (*p == '-' || *p == '+')
        p++;
    if ((p = tz_num(p, 167)) != NULL && *p == ':' && (p = tz_num(p + 1, 59)) != NULL && *p == ':')
        p = tz_num(p + 1, 60);
    return p;
}

/*
 * A field the server takes as a time zone name that no zone file holds
 * (letters then a digit, a sign or punctuation): pg_tzset reads it as a
 * POSIX zone.  DT_BAD when that fails, DT_UNDECIDED for the rule forms.
 */
static int dt_posix_zone(const char *f)
{
    const char *p = tz_name(f);

    if (*f == '<' || *p == '\0' || (p = tz_offset(p)) == NULL)
        return *f == '<' ? DT_UNDECIDED : DT_BAD;
    if (*p == '\0')
        return DT_OK;
    if (*p == '<')
        return DT_UNDECIDED;
    f = p;
    if ((p = tz_name(p)) == f)
        return DT_BAD; /* no name of the summer time */
    if (*p != '\0' && *p != ',' && *p != ';' && (p = tz_offset(p)) == NULL)
        return DT_BAD;
    return *p == '\0' ? DT_OK : DT_UNDECIDED;
}

/*
 * "n yyyy-mm-dd" (DecodeDateTime): the number sets one field of the date
 * (whatever DateStyle), the first two numbers of the date field the other
 * two, and its third one can only be a run-together "hhmm[ss]".
 */
static bool dt_after_number(const dtlex *x)
{
    const char *f = x->f[1];
    size_t len[4], n = 0, nl = strlen(x->f[0]);

    if (x->type[0] != TK_NUMBER || strchr(x->f[0], '.') != NULL || nl == 3 || nl > 5)
        return false;
    while (*f != '\0' && n < 4) {
        const char *p = f;
        if (!c_digit(*f))
            return false;
        while (c_digit(*f))
            f++;
        len[n++] = (size_t)(f - p);
        if (*f != '\0' && (*f != '-' && *f != '/' && *f != '.'))
            return false;
        if (*f != '\0' && *++f == '\0')
            return false;
    }
    return n == 3 && len[1] != 3 && len[0] != 3 && len[2] != 4 && len[2] != 6;
}

/* A word the server's keyword tables hold that is decided here; 0 otherwise. */
static int dt_word(const char *w)
{
    if (strcmp(w, "bc") == 0)
        return 'B';
    if (strcmp(w, "ad") == 0)
        return 'A';
    return 0;
}


/*
 * A number field.  Once the date is whole (DecodeDateTime), or always
 * (DecodeTimeOnly), a number without a point can only be a run-together
 * "hhmm" or "hhmmss"; a short one before the time in DecodeTimeOnly fails.
 * Other numbers may set any field: not judged.
 */
static int dt_number(dtm *t, const dtlex *x, int i, bool timeonly)
{
    const char *f = x->f[i], *pt = strchr(f, '.');
    size_t len = strlen(f);
    int r;

    if (t->words)
        return DT_UNDECIDED;
    if (t->iso_t) {
        t->iso_t = false;
        return dt_run_time(t, f, len);
    }
    if (timeonly ? pt != NULL && i == 0 && x->nf >= 2 && x->type[x->nf - 1] == TK_DATE
                 : (t->dmask & F_DATE) != F_DATE) {
        t->date_tok = t->date_tok || pt != NULL;
        if (pt == NULL) {
            /* may set date fields: "yyyymmdd" all three, "ddd" a day of the year with the year */
            t->numbers += len >= 6 ? 3 : len == 3 ? 2 : 1;
            return DT_UNDECIDED;
        }
        if (t->fuzzy || (t->mask & F_DATE))
            return DT_UNDECIDED;
        r = dt_date_field(t, f, false); /* "yyyy.ddd": DecodeDate */
        return r == DT_OK ? dt_set(t, F_DATE, true) : r;
    }
    return dt_run_time(t, f, len);
}

/*
 * "t" before the time (ISO 8601): DecodeDateTime wants the date before it;
 * both want a number, a time or a run-together time after it, read as a
 * time only.
 */
static int dt_iso_t(dtm *t, const dtlex *x, int i, bool timeonly)
{
    int next = i + 1 < x->nf ? x->type[i + 1] : -1;
    const char *f;

    if (!timeonly && (t->dmask & F_DATE) != F_DATE)
        return t->fuzzy ? DT_UNDECIDED : DT_BAD;
    if (next != TK_NUMBER && next != TK_TIME && next != TK_DATE)
        return DT_BAD;
    t->iso_t = true;
    f = x->f[i + 1];
    if (next == TK_NUMBER) {
        size_t n = strcspn(f, ".");
        for (size_t k = 0; k < n; k++)
            if (!c_digit(f[k]))
                return DT_UNDECIDED;
    }
    return DT_OK;
}

/* One token of DecodeDateTime (timeonly: DecodeTimeOnly) at index i. */
static int dt_token(dtm *t, const dtlex *x, int i, bool timeonly)
{
    const char *f = x->f[i];
    int r, w;

    switch (x->type[i]) {
    case TK_TIME:
        t->iso_t = false;
        if (t->words)
            return DT_UNDECIDED;
        if ((r = dt_time(f, &t->hour, &t->min, &t->sec, &t->usec)) != DT_OK)
            return r;
        if (!timeonly && dt_time_over(t->hour, t->min, t->sec, t->usec))
            return DT_BAD;
        return dt_set(t, F_TIME, true);
    case TK_TZ:
        if (t->words)
            return DT_UNDECIDED;
        if ((r = dt_zone(f, &t->tz)) != DT_OK)
            return r;
        return dt_set(t, F_TZ, true);
    case TK_DATE:
        if (t->words)
            return DT_UNDECIDED;
        if (t->iso_t) {
            t->iso_t = false;
            t->date_tok = true;
            return c_digit(f[0]) ? dt_run_zone(t, f) : DT_UNDECIDED;
        }
        if (timeonly ? (i == 0 && x->nf >= 2 &&
                        (x->type[x->nf - 1] == TK_DATE || x->type[1] == TK_TIME))
                     : (t->mask & (F_MONTH | F_DAY)) != (F_MONTH | F_DAY)) {
            bool had = t->date_tok;
            if (!timeonly && i == 1 && t->numbers == 1 && !t->date_tok && dt_after_number(x))
                return DT_BAD;
            t->date_tok = true;
            if ((r = dt_date_field(t, f, t->fuzzy)) == DT_OK)
                return dt_set(t, F_DATE, true);
            if (!t->fuzzy || r != DT_BAD)
                return r;
            /* the fields before may have made it a zone (DecodeDateTime) */
            if (!c_digit(f[0]))
                t->date_tok = had; /* as a date it fails: as a zone it sets no date field */
            if (timeonly || !c_digit(f[0]) ? dt_posix_zone(f) != DT_BAD : strchr(f, '-') != NULL)
                return DT_UNDECIDED;
            return DT_BAD;
        }
        t->date_tok = true;
        if (!c_digit(f[0])) { /* a time zone name, or a POSIX zone ("x5") */
            if ((t->dmask & F_TZ) || dt_posix_zone(f) == DT_BAD)
                return DT_BAD;
            return dt_set(t, F_TZ, false);
        }
        if (t->fuzzy)
            return DT_UNDECIDED;
        return dt_run_zone(t, f); /* a run-together time with a zone ("hhmmss-zz") */
    case TK_SPECIAL: /* a sign and letters: only "-infinity" is a keyword; no zone has no digits */
        if (strcmp(f + 1, "infinity") != 0)
            return DT_BAD;
        t->words = true;
        return DT_UNDECIDED;
    case TK_STRING:
        if (dt_unknown_word(f))
            return DT_BAD;
        if (!t->words && (strcmp(f, "z") == 0 || strcmp(f, "ut") == 0)) {
            /* a zone abbreviation of the shipped sets; unknown elsewhere: a zone or an error */
            if (t->dmask & F_TZ)
                return DT_BAD;
            return dt_set(t, F_TZ, false) == DT_BAD ? DT_BAD : DT_UNDECIDED;
        }
        if (!t->words && strcmp(f, "t") == 0) /* "the next field is the time" */
            return dt_iso_t(t, x, i, timeonly);
        if ((w = dt_word(f)) != 0 && !t->words) {
            t->bc = w == 'B';
            return dt_set(t, F_ADBC, true);
        }
        t->words = true;
        return DT_UNDECIDED;
    case TK_NUMBER:
        return dt_number(t, x, i, timeonly);
    default: /* other words */
        t->words = true;
        return DT_UNDECIDED;
    }
}

/* ValidateDate on the decided date fields. */
static int dt_validate_date(const dtm *t)
{
    long y = t->year;

    if (y <= 0)
        return DT_BAD; /* there is no year zero */
    if (t->bc)
        y = -(y - 1);
    if (t->mon < 1 || t->mon > 12 || t->mday < 1 || t->mday > 31)
        return DT_BAD;
    if (t->mday > dt_mdays(y, t->mon))
        return DT_BAD;
    return DT_OK;
}

/* The astronomical year of the decided date (1 BC is year 0). */
static long dt_astro(const dtm *t)
{
    return t->bc ? -(t->year - 1) : t->year;
}

/* IS_VALID_JULIAN of the server. */
static bool dt_valid_julian(long y, long m)
{
    return (y > -4713 || (y == -4713 && m >= 11)) && (y < 5874898 || (y == 5874898 && m < 6));
}

/*
 * The range of a timestamp: its microseconds since 2000 (local time, then
 * the zone when given) within the server's limits.  A timestamptz without a
 * zone takes the session's: near the limits that is not decided.
 */
static int dt_ts_range(const dtm *t, int kind, bool have_time)
{
    long y = dt_astro(t);
    int64_t jd, us;

    if (!dt_valid_julian(y, t->mon))
        return DT_BAD;
    jd = dt_date2j(y, t->mon, t->mday) - DT_POSTGRES_EPOCH_JDATE;
    if (jd > INT64_MAX / DT_USECS_PER_DAY - 2 || jd < INT64_MIN / DT_USECS_PER_DAY + 2)
        return DT_BAD;
    us = jd * DT_USECS_PER_DAY;
    if (have_time)
        us += (((int64_t)t->hour * 60 + t->min) * 60 + t->sec) * 1000000 + t->usec;
    if (kind == DFI_VK_TIMESTAMPTZ) {
        if (!(t->mask & F_TZ))
            return us >= DT_MIN_TIMESTAMP + 2 * DT_USECS_PER_DAY &&
                           us < DT_END_TIMESTAMP - 2 * DT_USECS_PER_DAY
                       ? DT_OK
                       : us < DT_MIN_TIMESTAMP - 2 * DT_USECS_PER_DAY ||
                                 us >= DT_END_TIMESTAMP + 2 * DT_USECS_PER_DAY
                             ? DT_BAD
                             : DT_UNDECIDED;
        us -= (int64_t)t->tz * 1000000;
    }
    return us >= DT_MIN_TIMESTAMP && us < DT_END_TIMESTAMP ? DT_OK : DT_BAD;
}

/* The end of DecodeDateTime and the type's own range checks. */
static int dt_finish_datetime(const dtm *t, int kind)
{
    int r;

    if (t->words)
        return DT_UNDECIDED;
    if (t->date_decided && (r = dt_validate_date(t)) != DT_OK)
        return r; /* numbers seen later cannot set the date again */
    if (!(t->dmask & F_DATE) && !t->date_tok && t->numbers < 3)
        return DT_BAD; /* no field can make the date whole */
    if (t->fuzzy)
        return DT_UNDECIDED;
    if ((t->mask & F_DATE) != F_DATE)
        return DT_BAD; /* a time alone, or nothing */
    if (kind == DFI_VK_DATE) {
        long y = dt_astro(t);
        int64_t jd;
        if (!dt_valid_julian(y, t->mon))
            return DT_BAD;
        jd = dt_date2j(y, t->mon, t->mday);
        return jd >= 0 && jd < DT_DATE_END_JULIAN ? DT_OK : DT_BAD;
    }
    return dt_ts_range(t, kind, (t->mask & F_TIME) != 0);
}

static int dt_finish_time(const dtm *t)
{
    int r;

    if (t->words)
        return DT_UNDECIDED;
    if (t->date_decided && (r = dt_validate_date(t)) != DT_OK)
        return r;
    if ((t->dmask & F_TIME) && dt_time_over(t->hour, t->min, t->sec, t->usec))
        return DT_BAD;
    if (t->fuzzy)
        return DT_UNDECIDED;
    return (t->mask & F_TIME) ? DT_OK : DT_BAD;
}

/* "infinity" and "-infinity" (spaces around, any case): the whole value. */
static bool dt_infinity(const char *s)
{
    size_t n;

    while (c_space(*s))
        s++;
    n = strlen(s);
    while (n > 0 && c_space(s[n - 1]))
        n--;
    if (n > 0 && (s[0] == '-' || s[0] == '+')) {
        s++;
        n--;
        while (n > 0 && c_space(*s)) {
            s++;
            n--;
        }
    }
    return n == 8 && strncasecmp(s, "infinity", 8) == 0;
}

/* ------------------------------------------------ pg_dump's own shapes */

/* Byte i of the value s of n bytes, 0 past its end: what a C string's NUL would read. */
#define DT_AT(i) ((size_t)(i) < n ? s[(i)] : 0)

/* Two digits at i: their value. */
static inline __attribute__((always_inline)) bool d2(const uint8_t *s, size_t n, size_t i,
                                                     long *v)
{
    int a = DT_AT(i), b;

    if (!c_digit(a))
        return false;
    b = DT_AT(i + 1);
    if (!c_digit(b))
        return false;
    *v = (a - '0') * 10 + (b - '0');
    return true;
}

/* A date the fast path takes: a year of the era, a real month and day (BC: the general path). */
static inline bool dt_fast_ymd(long y, long m, long d)
{
    return y != 0 && m >= 1 && m <= 12 && d >= 1 && d <= 28 + (m != 2) * 3 && d <= dt_mdays(y, m);
}

/*
 * "YYYY-MM-DD[ HH:MM:SS[.ffffff][+zz[:mm[:ss]]]][ BC]" as pg_dump prints it
 * and well inside the limits: accepted without tokens.  False: take the
 * general path (which decides the same way on these).  The value is n bytes
 * (not NUL-terminated, so that a COPY field needs no copy); a NUL inside ends
 * it, as in the C string the general path reads.
 */
static inline __attribute__((always_inline)) bool dt_fast(const uint8_t *s, size_t n, int kind)
{
    long y = 0, m, d, h, mi, sec;
    size_t i = 0;
    int nd = 0;

    if (kind == DFI_VK_TIME || kind == DFI_VK_TIMETZ) {
        if (!d2(s, n, 0, &h) || DT_AT(2) != ':' || !d2(s, n, 3, &mi) || DT_AT(5) != ':' ||
            !d2(s, n, 6, &sec))
            return false;
        i = 8;
        goto frac;
    }
    while (c_digit(DT_AT(i)) && nd < 7) {
        y = y * 10 + (DT_AT(i) - '0');
        i++;
        nd++;
    }
    if (nd < 4 || nd > 6 || DT_AT(i) != '-' || !d2(s, n, i + 1, &m) || DT_AT(i + 3) != '-' ||
        !d2(s, n, i + 4, &d) || !dt_fast_ymd(y, m, d))
        return false; /* BC years' leap days: the general path */
    i += 6;
    if (DT_AT(i) == '\0')
        return kind == DFI_VK_DATE;
    if (kind == DFI_VK_DATE || kind == DFI_VK_INTERVAL || DT_AT(i) != ' ' ||
        !d2(s, n, i + 1, &h) || DT_AT(i + 3) != ':' || !d2(s, n, i + 4, &mi) ||
        DT_AT(i + 6) != ':' || !d2(s, n, i + 7, &sec))
        return false;
    i += 9;
frac:
    if (h > 23 || mi > 59 || sec > 59)
        return false;
    if (DT_AT(i) == '.') {
        int k = 0;
        for (i++; c_digit(DT_AT(i)); i++)
            k++;
        if (k < 1 || k > 6)
            return false;
    }
    if (kind == DFI_VK_TIMESTAMPTZ || kind == DFI_VK_TIMETZ) {
        long zh, zm = 0, zs = 0;
        if ((DT_AT(i) != '+' && DT_AT(i) != '-') || !d2(s, n, i + 1, &zh) || zh > DT_TZ_MAXHOUR)
            return false;
        i += 3;
        if (DT_AT(i) == ':') {
            if (!d2(s, n, i + 1, &zm) || zm > 59)
                return false;
            i += 3;
            if (DT_AT(i) == ':') {
                if (!d2(s, n, i + 1, &zs) || zs > 59)
                    return false;
                i += 3;
            }
        }
    }
    if (kind != DFI_VK_TIME && kind != DFI_VK_TIMETZ && DT_AT(i) == ' ' && DT_AT(i + 1) == 'B' &&
        DT_AT(i + 2) == 'C' && DT_AT(i + 3) == '\0') /* " BC" (no strcmp call) */
        return y < 4713; /* near the start of time: the general path */
    return DT_AT(i) == '\0' && (kind == DFI_VK_TIME || kind == DFI_VK_TIMETZ || y < 294276);
}
#undef DT_AT

/* The byte-wise reading alone (valuecheck_timefast.c tries words first). */
bool dfi_datetime_bytes(int kind, const uint8_t *p, size_t n)
{
    return dt_fast(p, n, kind);
}

/* ------------------------------------------------------------ interval */

/* What a unit word sets, as DecodeInterval's field bits; IV_OTHER: a known word not modelled. */
enum {
    IV_YEAR = 1 << 0,
    IV_MONTH = 1 << 1,
    IV_DAY = 1 << 2,
    IV_HOUR = 1 << 3,
    IV_MINUTE = 1 << 4,
    IV_SECOND = 1 << 5,
    IV_MILLI = 1 << 6,
    IV_MICRO = 1 << 7,
    IV_WEEK = 1 << 8,
    IV_DECADE = 1 << 9,
    IV_CENTURY = 1 << 10,
    IV_MILLENNIUM = 1 << 11,
    IV_OTHER = 1 << 12,
};

/* The unit words of the server's interval table (first 10 characters compared); 0: unknown. */
static int iv_unit(const char *w)
{
    static const struct {
        const char *w;
        int unit;
    } units[] = {
        {"c", IV_CENTURY},        {"cent", IV_CENTURY},     {"centuries", IV_CENTURY},
        {"century", IV_CENTURY},  {"d", IV_DAY},            {"day", IV_DAY},
        {"days", IV_DAY},         {"dec", IV_DECADE},       {"decade", IV_DECADE},
        {"decades", IV_DECADE},   {"decs", IV_DECADE},      {"h", IV_HOUR},
        {"hour", IV_HOUR},        {"hours", IV_HOUR},       {"hr", IV_HOUR},
        {"hrs", IV_HOUR},         {"m", IV_MINUTE},         {"min", IV_MINUTE},
        {"mins", IV_MINUTE},      {"minute", IV_MINUTE},    {"minutes", IV_MINUTE},
        {"microsecon", IV_MICRO}, {"us", IV_MICRO},         {"usec", IV_MICRO},
        {"usecond", IV_MICRO},    {"useconds", IV_MICRO},   {"usecs", IV_MICRO},
        {"mil", IV_MILLENNIUM},   {"millennia", IV_MILLENNIUM}, {"millennium", IV_MILLENNIUM},
        {"mils", IV_MILLENNIUM},  {"millisecon", IV_MILLI}, {"ms", IV_MILLI},
        {"msec", IV_MILLI},       {"msecond", IV_MILLI},    {"mseconds", IV_MILLI},
        {"msecs", IV_MILLI},      {"mon", IV_MONTH},        {"mons", IV_MONTH},
        {"month", IV_MONTH},      {"months", IV_MONTH},     {"s", IV_SECOND},
        {"sec", IV_SECOND},       {"second", IV_SECOND},    {"seconds", IV_SECOND},
        {"secs", IV_SECOND},      {"w", IV_WEEK},           {"week", IV_WEEK},
        {"weeks", IV_WEEK},       {"y", IV_YEAR},           {"year", IV_YEAR},
        {"years", IV_YEAR},       {"yr", IV_YEAR},          {"yrs", IV_YEAR},
        /* known, not modelled: "ago", quarters, zones, the reserved words of any version */
        {"ago", IV_OTHER},        {"qtr", IV_OTHER},        {"quarter", IV_OTHER},
        {"timezone", IV_OTHER},   {"timezone_h", IV_OTHER}, {"timezone_m", IV_OTHER},
        {"invalid", IV_OTHER},    {"undefined", IV_OTHER},  {"infinity", IV_OTHER},
        {"epoch", IV_OTHER},      {"reltime", IV_OTHER},    {"abstime", IV_OTHER},
        {"now", IV_OTHER},        {"today", IV_OTHER},      {"tomorrow", IV_OTHER},
        {"yesterday", IV_OTHER},  {"current", IV_OTHER},    {"microseconds", IV_OTHER},
        {"milliseconds", IV_OTHER}, {"millisecond", IV_OTHER}, {"microsecond", IV_OTHER}};
    char key[11];
    size_t n = strlen(w);

    if (w[0] == '-' || w[0] == '+') { /* "-infinity" (PostgreSQL 17 reads it) */
        w++;
        n--;
    }
    memcpy(key, w, n < 10 ? n : 10);
    key[n < 10 ? n : 10] = '\0';
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strncmp(units[i].w, key, 10) == 0)
            return units[i].unit;
    return 0;
}

/* A number field of DecodeInterval: "n", "n.f", "y-m"; DT_BAD when the server fails its text. */
static int iv_number(const char *f)
{
    char *cp;
    long long v, v2;

    errno = 0;
    v = strtoll(f, &cp, 10); /* 64 bits since PostgreSQL 15 */
    if (errno == ERANGE)
        return DT_BAD;
    (void)v;
    if (*cp == '-') {
        errno = 0;
        v2 = strtoll(cp + 1, &cp, 10);
        if (errno == ERANGE || v2 < 0 || v2 >= 12 || *cp != '\0')
            return DT_BAD;
    } else if (*cp == '.') {
        int64_t usec;
        if (!dt_fraction(cp, &usec))
            return DT_BAD;
    } else if (*cp != '\0') {
        return DT_BAD;
    }
    return DT_OK;
}

/* DecodeTimeForInterval's own checks of "h:m[:s][.f]" (hours may be large). */
static int iv_time(const char *s)
{
    char *cp;
    long long h;
    long m, sec = 0;
    int64_t usec = 0;

    errno = 0;
    h = strtoll(s, &cp, 10);
    if (errno == ERANGE || cp == s || *cp != ':' || !dt_int(cp + 1, &cp, &m))
        return DT_BAD;
    if (*cp == '.') { /* "mm:ss.f" */
        if (!dt_fraction(cp, &usec))
            return DT_BAD;
        sec = m;
        m = h > 999999 ? 999999 : (long)h;
        h = 0;
    } else if (*cp == ':') {
        if (!dt_int(cp + 1, &cp, &sec))
            return DT_BAD;
        if (*cp == '.' ? !dt_fraction(cp, &usec) : *cp != '\0')
            return DT_BAD;
    } else if (*cp != '\0') {
        return DT_BAD;
    }
    if (h < 0 || m < 0 || m > 59 || sec < 0 || sec > 60 || usec > 1000000)
        return DT_BAD;
    return DT_OK;
}

/*
 * DecodeInterval's walk from the last field to the first: a unit word
 * names the number before it; a number without one is of the unit after
 * the last number read (seconds at first, days after a time or hours); a
 * field set twice fails.  DT_UNDECIDED on a word not modelled.
 */
static int iv_walk(const dtlex *x)
{
    int unit = 0, mask = 0;

    for (int i = x->nf - 1; i >= 0; i--) {
        const char *f = x->f[i];
        int bits = 0;

        if (x->type[i] == TK_STRING || x->type[i] == TK_SPECIAL) {
            unit = iv_unit(f);
            if (unit == IV_OTHER)
                return DT_UNDECIDED;
            continue;
        }
        if (x->type[i] == TK_TIME ||
            (x->type[i] == TK_TZ && strchr(f + 1, ':') != NULL && iv_time(f + 1) == DT_OK)) {
            bits = IV_HOUR | IV_MINUTE | IV_SECOND;
            unit = IV_DAY;
        } else {
            const char *dash = strchr(f + 1, '-'), *pt = strchr(f, '.');
            if (unit == 0)
                unit = IV_SECOND;
            if (dash != NULL)
                unit = IV_MONTH; /* "years-months" */
            bits = unit == IV_SECOND && pt != NULL && pt[1] != '\0' && strspn(pt + 1, "0") !=
                   strlen(pt + 1) ? IV_SECOND | IV_MILLI | IV_MICRO : unit;
            if (unit == IV_HOUR)
                unit = IV_DAY;
        }
        if (mask & bits)
            return DT_BAD;
        mask |= bits;
    }
    return mask == 0 ? DT_BAD : DT_OK;
}

/*
 * interval_in with an unrestricted column: a word no unit, a field the
 * server cannot read as a number or a time, a field set twice, no field at
 * all; the text "P..." goes to the ISO 8601 reader instead.
 */
static int check_interval(const char *s)
{
    dtlex x;
    int r = dt_lex(s, &x);

    if (s[0] == 'P')
        return DT_UNDECIDED;
    if (r != DT_OK)
        return r;
    for (int i = 0; i < x.nf; i++) {
        const char *f = x.f[i];
        switch (x.type[i]) {
        case TK_STRING:
        case TK_SPECIAL:
            if (iv_unit(f) == 0)
                return DT_BAD;
            break;
        case TK_TIME:
            if (iv_time(f) != DT_OK)
                return DT_BAD;
            break;
        case TK_TZ:
            if (strchr(f + 1, ':') != NULL) {
                if (iv_time(f + 1) != DT_OK)
                    return DT_BAD; /* the number reading after it stops at the ':' */
            } else if (iv_number(f) != DT_OK) {
                return DT_BAD;
            }
            break;
        default:
            if (iv_number(f) != DT_OK)
                return DT_BAD;
            break;
        }
    }
    return iv_walk(&x);
}

/* ---------------------------------------------------------- entry */

/* The tokenizing check alone (the tests hold the fast paths against it): DFI_VAL_*. */
int dfi_check_datetime_general(int kind, int enc, const char *s)
{
    dtlex x;
    dtm t;
    int r;
    bool timeonly = kind == DFI_VK_TIME || kind == DFI_VK_TIMETZ;

    if (enc != DFI_ENC_UTF8)
        return DFI_VAL_OK; /* the server's character classes follow a locale not known here */
    if (kind == DFI_VK_INTERVAL)
        return check_interval(s) == DT_BAD ? DFI_VAL_BAD : DFI_VAL_OK;
    if (!timeonly && dt_infinity(s))
        return DFI_VAL_OK;
    if ((r = dt_lex(s, &x)) != DT_OK)
        return r == DT_BAD ? DFI_VAL_BAD : DFI_VAL_OK;
    memset(&t, 0, sizeof t);
    for (int i = 0; i < x.nf; i++) {
        r = dt_token(&t, &x, i, timeonly);
        if (r == DT_BAD)
            return DFI_VAL_BAD;
        t.fuzzy = t.fuzzy || r == DT_UNDECIDED;
    }
    r = timeonly ? dt_finish_time(&t) : dt_finish_datetime(&t, kind);
    return r == DT_BAD ? DFI_VAL_BAD : DFI_VAL_OK;
}

/* A date/time value (NUL-terminated, no NUL inside) of a column of `kind`: DFI_VAL_*. */
int dfi_check_datetime(int kind, int enc, const char *s)
{
    if (dfi_datetime_fast(kind, (const uint8_t *)s, strlen(s))) /* the words, then the bytes */
        return DFI_VAL_OK;
    return dfi_check_datetime_general(kind, enc, s);
}
