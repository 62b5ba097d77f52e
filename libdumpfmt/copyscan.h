/*
 * copyscan.h — the row scanner's hot loop (copycheck.c), a template that copycheck.c includes
 * once per instruction set: SCAN_NAME is the function, SCAN_MASKS(p, &ev, &tab, &hi) the bit
 * masks of 64 bytes (copycheck.c: masks64), SCAN_BITS(x) a popcount, SCAN_ATTR the function's
 * attributes (a target).  One source for both, so that the AVX2 scanner cannot drift from the
 * portable one it is tested against (check_verifypar).  No include guard: included twice.
 */

/*
 * Rows of COPY text from piece index i until the terminator line or the
 * end of the piece.  The hot loop looks at 64 bytes at a time: tabs are
 * counted with one popcount, and only newlines and backslashes stop it.
 */
SCAN_ATTR static size_t SCAN_NAME(dfi_copycheck *cp, const uint8_t *p, size_t n, size_t i,
                                  int64_t base)
{
    if (cp->esc_pending && i < n) {
        cp->esc_pending = false;
        note_escape(cp, p[i] == '\n' ? -1 : p[i], base + (int64_t)i - 1);
        if (cp->esc_at_start && p[i] == '.')
            cp->dot_line = true;
        i++;
    }
    while (i < n) {
        size_t j;

        if (i + 64 <= n) {
            /* one block's masks serve every event in it: bits below k are done */
            uint64_t tab, hi, ev;
            size_t k = 0;

            SCAN_MASKS(p + i, &ev, &tab, &hi);
            if (ev == 0) { /* most blocks of long rows: no line end, no escape */
                cp->tabs += SCAN_BITS(tab);
                if (cp->rec)
                    rec_block(cp, tab, hi != 0, base + (int64_t)i);
                i += 64;
                continue;
            }
            while (k < 64) {
                uint64_t from = ~((1ULL << k) - 1), left = ev & from, seg;
                j = left == 0 ? 64 : (size_t)__builtin_ctzll(left);
                seg = from & (j == 64 ? ~0ULL : (1ULL << j) - 1);
                cp->tabs += SCAN_BITS(tab & seg);
                if (cp->rec)
                    rec_block(cp, tab & seg, (hi & seg) != 0, base + (int64_t)i);
                if (j == 64) {
                    k = 64;
                    break;
                }
                if (p[i + j] == '\n') {
                    end_line(cp, p, i + j, base);
                    if (cp->terminated)
                        return i + j + 1;
                    k = j + 1;
                } else {
                    k = on_backslash(cp, p, n, i + j, base) - i;
                }
            }
            i += k;
            continue;
        }
        for (j = i; j < n && p[j] != '\n' && p[j] != '\\'; j++) {
            cp->tabs += p[j] == '\t';
            if (cp->rec && (p[j] == '\t' || p[j] >= 0x80))
                rec_block(cp, p[j] == '\t', p[j] >= 0x80, base + (int64_t)j);
        }
        if (j == n)
            return n;
        if (p[j] == '\n') {
            end_line(cp, p, j, base);
            i = j + 1;
            if (cp->terminated)
                return i;
        } else {
            i = on_backslash(cp, p, n, j, base);
        }
    }
    return i;
}

#undef SCAN_NAME
#undef SCAN_MASKS
#undef SCAN_BITS
#undef SCAN_ATTR
