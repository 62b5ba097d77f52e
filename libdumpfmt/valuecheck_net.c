/*
 * valuecheck_net.c — the value checks of inet, cidr and macaddr8, following
 * the server's readers (the BIND-derived inet_net_pton of network_in, and
 * macaddr8_in).  A value is flagged only where those readers surely fail;
 * their few odd corners (hexadecimal IPv4 networks, nine IPv6 groups) are
 * left undecided.
 */
#include "valuecheck.h"

#include <string.h>

enum { N_OK = 0, N_BAD, N_UNDECIDED };

static bool n_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int n_hex(int c)
{
    if (n_digit(c))
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/*
 * One decimal octet at ch (a digit), then *s: stored in a[*n].  N_OK: a dot
 * followed, *ch is the character after it; N_END: the octets end at '\0' or
 * '/' (in *ch); N_BAD: over 255, a fifth octet, or another character.
 */
enum { N_END = N_UNDECIDED + 1 };
static int octet4(const char **s, int *ch, uint8_t *a, int *n)
{
    int v = 0;

    do {
        v = v * 10 + (*ch - '0');
        if (v > 255)
            return N_BAD;
    } while ((*ch = *(*s)++) != '\0' && n_digit(*ch));
    if (*n == 4)
        return N_BAD;
    a[(*n)++] = (uint8_t)v;
    if (*ch == '\0' || *ch == '/')
        return N_END;
    if (*ch != '.')
        return N_BAD;
    *ch = *(*s)++;
    return N_OK;
}

/* "/n" at ch (digits follow at s), at most 32, and the end of the text: N_OK or N_BAD. */
static int bits4(const char *s, int *bits)
{
    int ch = *s++;

    *bits = 0;
    do {
        *bits = *bits * 10 + (ch - '0');
        if (*bits > 32)
            return N_BAD;
    } while ((ch = *s++) != '\0' && n_digit(ch));
    return ch == '\0' ? N_OK : N_BAD;
}

/*
 * inet (inet_net_pton_ipv4): "a.b.c.d[/n]", or fewer octets with a prefix
 * length that fits them; a dot may end the octets.
 */
static int inet4(const char *s, uint8_t *a, int *bits)
{
    int n = 0, ch = *s++, r = N_OK;

    *bits = -1;
    memset(a, 0, 4);
    while (r == N_OK && n_digit(ch))
        if ((r = octet4(&s, &ch, a, &n)) == N_BAD)
            return N_BAD;
    if (n == 0)
        return N_BAD;
    if (ch == '/' && n_digit(*s)) {
        if (bits4(s, bits) == N_BAD)
            return N_BAD;
    } else if (ch != '\0') {
        return N_BAD;
    }
    if (*bits == -1) {
        if (n != 4)
            return N_BAD;
        *bits = 32;
    }
    return *bits / 8 > n ? N_BAD : N_OK;
}

/*
 * cidr, decimal (inet_cidr_pton_ipv4): octets with a dot between each two,
 * "/n"; hexadecimal, or no "/n" (the class decides): undecided.
 */
static int cidr4(const char *s, uint8_t *a, int *bits)
{
    int n = 0, ch = *s++, r;

    *bits = -1;
    memset(a, 0, 4);
    if (ch == '0' && (*s == 'x' || *s == 'X'))
        return N_UNDECIDED; /* hexadecimal */
    if (!n_digit(ch))
        return N_BAD;
    while ((r = octet4(&s, &ch, a, &n)) == N_OK)
        if (!n_digit(ch))
            return N_BAD;
    if (r == N_BAD)
        return N_BAD;
    if (ch == '/' && n_digit(*s))
        return bits4(s, bits);
    if (ch != '\0')
        return N_BAD;
    return N_UNDECIDED; /* the width from the address class */
}

/* "/n" after an IPv6 address: decimal, no leading zeros, at most 128. */
static bool v6bits(const char *s, int *bits)
{
    int v = 0, n = 0;

    for (; *s; s++) {
        if (!n_digit(*s) || (n++ != 0 && v == 0))
            return false;
        v = v * 10 + (*s - '0');
        if (v > 128)
            return false;
    }
    if (n == 0)
        return false;
    *bits = v;
    return true;
}

/* A dotted IPv4 tail of an IPv6 address (and its "/n"); false when the server's reader fails. */
static bool v6tail4(const char *s, uint8_t *a, int *bits)
{
    int v = 0, n = 0, k = 0;

    for (; *s; s++) {
        if (n_digit(*s)) {
            if (n++ != 0 && v == 0)
                return false;
            v = v * 10 + (*s - '0');
            if (v > 255)
                return false;
            continue;
        }
        if (*s != '.' && *s != '/')
            return false;
        if (k > 3)
            return false;
        a[k++] = (uint8_t)v;
        if (*s == '/')
            return v6bits(s + 1, bits); /* fewer than four octets: the rest stay zero */
        v = 0;
        n = 0;
    }
    if (n == 0 || k > 3)
        return false;
    a[k] = (uint8_t)v;
    return true;
}

static int inet6(const char *s, uint8_t *a, int *bits)
{
    uint8_t tmp[16];
    int tp = 0, colon = -1, digits = 0, ch;
    unsigned val = 0;
    bool saw = false;
    const char *tok;

    memset(tmp, 0, sizeof tmp);
    *bits = -1;
    if (*s == ':' && *++s != ':')
        return N_BAD;
    tok = s;
    while ((ch = *s++) != '\0') {
        int h = n_hex(ch);
        if (h >= 0) {
            val = (val << 4) | (unsigned)h;
            if (++digits > 4)
                return N_BAD;
            saw = true;
            continue;
        }
        if (ch == ':') {
            tok = s;
            if (!saw) {
                if (colon >= 0)
                    return N_BAD;
                colon = tp;
                continue;
            }
            if (*s == '\0')
                return N_BAD;
            if (tp + 2 > 16)
                return N_UNDECIDED; /* the server's reader gives up without an error here */
            tmp[tp++] = (uint8_t)(val >> 8);
            tmp[tp++] = (uint8_t)val;
            saw = false;
            digits = 0;
            val = 0;
            continue;
        }
        if (ch == '.' && tp + 4 <= 16) {
            if (!v6tail4(tok, tmp + tp, bits))
                return N_BAD;
            tp += 4;
            saw = false;
            break;
        }
        if (ch == '/' && v6bits(s, bits))
            break;
        return N_BAD;
    }
    if (saw) {
        if (tp + 2 > 16)
            return N_BAD;
        tmp[tp++] = (uint8_t)(val >> 8);
        tmp[tp++] = (uint8_t)val;
    }
    if (*bits == -1)
        *bits = 128;
    if (colon >= 0) {
        int n = tp - colon;
        if (tp == 16)
            return N_BAD;
        memmove(tmp + 16 - n, tmp + colon, (size_t)n);
        memset(tmp + colon, 0, (size_t)(16 - n - colon));
        tp = 16;
    }
    if (tp != 16)
        return N_BAD;
    memcpy(a, tmp, 16);
    return N_OK;
}

/* No bit of the address beyond the prefix length may be set in a cidr. */
static bool host_bits_clear(const uint8_t *a, int len, int bits)
{
    for (int i = 0; i < len; i++) {
        int keep = bits - 8 * i;
        uint8_t mask = keep >= 8 ? 0 : keep <= 0 ? 0xff : (uint8_t)(0xff >> keep);
        if (a[i] & mask)
            return false;
    }
    return true;
}

static int check_inet(const char *s, bool cidr)
{
    uint8_t a[16];
    int bits, r;
    bool v6 = strchr(s, ':') != NULL;

    if (v6)
        r = inet6(s, a, &bits);
    else
        r = cidr ? cidr4(s, a, &bits) : inet4(s, a, &bits);
    if (r != N_OK)
        return r;
    if (cidr && !host_bits_clear(a, v6 ? 16 : 4, bits))
        return N_BAD;
    return N_OK;
}

/* macaddr8_in: 6 or 8 bytes of two hex digits, one separator kind (':', '-', '.') or none. */
static int check_macaddr8(const char *s)
{
    int count = 0;
    char spacer = '\0';

    while (*s == ' ' || (*s >= '\t' && *s <= '\r'))
        s++;
    while (s[0] != '\0' && s[1] != '\0') {
        if (++count > 8 || n_hex(s[0]) < 0 || n_hex(s[1]) < 0)
            return N_BAD;
        s += 2;
        if (*s == ':' || *s == '-' || *s == '.') {
            if (spacer == '\0')
                spacer = *s;
            else if (spacer != *s)
                return N_BAD;
            s++;
        }
        if ((count == 6 || count == 8) && (*s == ' ' || (*s >= '\t' && *s <= '\r'))) {
            while (*++s == ' ' || (*s >= '\t' && *s <= '\r'))
                ;
            if (*s != '\0')
                return N_BAD;
        }
    }
    return count == 6 || count == 8 ? N_OK : N_BAD;
}

int dfi_check_net(int kind, const char *s)
{
    int r = kind == DFI_VK_MACADDR8 ? check_macaddr8(s) : check_inet(s, kind == DFI_VK_CIDR);

    return r == N_BAD ? DFI_VAL_BAD : DFI_VAL_OK;
}
