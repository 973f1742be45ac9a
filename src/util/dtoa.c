/* kam_dtoa (dtoa.h): "%.15g" when it reads back, else "%.17g", computed exactly in the range
 * that answers use, snprintf elsewhere.
 *
 * A positive finite double is m * 2^-s with m a 53-bit integer. Its p significant digits are
 * d = round(m * 10^k / 2^s) for the k that gives d exactly p digits: m * 10^k is an exact
 * 128-bit integer for the range below, the shift divides exactly, and its remainder says how to
 * round (to nearest, ties to even, as glibc's printf). The text d * 10^-k reads back as v when
 * it lies within half a unit in the last place of v: |d * 2^s - m * 10^k| < 10^k / 2, again in
 * exact integers (strtod rounds correctly, so this is what it decides). */
#include "util/dtoa.h"

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__extension__ typedef unsigned __int128 u128;

static size_t by_printf(double v, char *buf)
{
    int n = snprintf(buf, KAM_DTOA_SIZE, "%.15g", v);
    if (strtod(buf, NULL) != v)
        n = snprintf(buf, KAM_DTOA_SIZE, "%.17g", v);
    return (size_t)n;
}

static const uint64_t p10[20] = {1u,
                                 10u,
                                 100u,
                                 1000u,
                                 10000u,
                                 100000u,
                                 1000000u,
                                 10000000u,
                                 100000000u,
                                 1000000000u,
                                 10000000000u,
                                 100000000000u,
                                 1000000000000u,
                                 10000000000000u,
                                 100000000000000u,
                                 1000000000000000u,
                                 10000000000000000u,
                                 100000000000000000u,
                                 1000000000000000000u,
                                 10000000000000000000u};

static u128 pow10_of(int k) /* 0 <= k <= 38 */
{
    return k < 20 ? p10[k] : (u128)p10[19] * p10[k - 19];
}

/* The p significant digits of m * 2^-s in *d, rounded to nearest, ties to even, with the
 * decimal exponent of the first digit in *x and d's scale in *k (the text's value is
 * d * 10^-k). x starts as a guess; it is corrected by the digit count of the truncated d. */
static bool digits(uint64_t m, int s, int p, int x, uint64_t *d, int *xo, int *ko)
{
    u128 lo = pow10_of(p - 1), hi = lo * 10;
    for (int tries = 0; tries < 4; tries++) {
        int k = p - 1 - x;
        if (k < 0 || k > 21) /* m * 10^21 < 2^123 */
            return false;
        u128 t = (u128)m * pow10_of(k);
        u128 q = t >> s, r = t & (((u128)1 << s) - 1), half = (u128)1 << (s - 1);
        if (q < lo) {
            x--;
            continue;
        }
        if (q >= hi) {
            x++;
            continue;
        }
        if (r > half || (r == half && (q & 1) != 0))
            q++;
        if (q == hi) { /* 9.99...5 rounds up to the next power of ten */
            q /= 10;
            x++;
            k--;
        }
        *d = (uint64_t)q;
        *xo = x;
        *ko = k;
        return true;
    }
    return false;
}

/* Whether the decimal d * 10^-k reads back as m * 2^-s: the distance, scaled by 10^k * 2^s, is
 * under half a unit in the last place (10^k / 2); an exact tie goes to the even mantissa.
 * (Below a power of two the next smaller double is half as far, but every power of two of the
 * fast range, 2^-13 to 2^49, has at most 15 significant digits: its text is exact.) */
static bool reads_back(uint64_t m, int s, uint64_t d, int k)
{
    u128 a = (u128)d << s, b = (u128)m * pow10_of(k), unit = pow10_of(k);
    u128 diff = a >= b ? a - b : b - a;
    return 2 * diff < unit || (2 * diff == unit && (m & 1) == 0);
}

/* printf's %g layout of p digits d (first digit's exponent x, -4 <= x < p): trailing zeros
 * dropped, no exponent. */
static size_t layout(bool neg, uint64_t d, int p, int x, char *buf)
{
    char dig[24];
    for (int i = p - 1; i >= 0; i--) {
        dig[i] = (char)('0' + d % 10);
        d /= 10;
    }
    int nd = p;
    while (nd > 1 && dig[nd - 1] == '0')
        nd--;
    char *o = buf;
    if (neg)
        *o++ = '-';
    if (x >= 0) {
        for (int i = 0; i <= x; i++)
            *o++ = i < nd ? dig[i] : '0';
        if (nd > x + 1) {
            *o++ = '.';
            memcpy(o, dig + x + 1, (size_t)(nd - x - 1));
            o += nd - x - 1;
        }
    } else {
        *o++ = '0';
        *o++ = '.';
        for (int i = 0; i < -x - 1; i++)
            *o++ = '0';
        memcpy(o, dig, (size_t)nd);
        o += nd;
    }
    *o = '\0';
    return (size_t)(o - buf);
}

size_t kam_dtoa(double v, char *buf)
{
    double a = fabs(v);
    if (v == 0) { /* a ratio or a count of nothing, often */
        size_t n = signbit(v) ? 2 : 1;
        memcpy(buf, signbit(v) ? "-0" : "0", n + 1);
        return n;
    }
    if (!(a >= 1e-4 && a < 1e15))
        return by_printf(v, buf);
    uint64_t bits;
    memcpy(&bits, &v, sizeof(bits));
    int e = (int)((bits >> 52) & 0x7ff);
    uint64_t m = (bits & (((uint64_t)1 << 52) - 1)) | ((uint64_t)1 << 52);
    int s = 1075 - e; /* a = m * 2^-s; 3 <= s <= 66 in this range */
    /* a is in [2^(52-s), 2^(53-s)): its decimal exponent is about (52 - s) * log10(2); digits
     * corrects the guess by one or two */
    int guess = (int)floor((52 - s) * 0.30102999566398120);
    uint64_t d;
    int x, k;
    if (!digits(m, s, 15, guess, &d, &x, &k) || x >= 15)
        return by_printf(v, buf); /* just under 1e15 rounds up to it: printf's exponent form */
    if (reads_back(m, s, d, k))   /* k >= 0 here: x <= 14 */
        return layout(v < 0, d, 15, x, buf);
    if (!digits(m, s, 17, guess, &d, &x, &k) || x >= 17)
        return by_printf(v, buf);
    return layout(v < 0, d, 17, x, buf);
}
