/* Fixed-point parsing, multiplication and formatting for kam_money. Arithmetic uses __int128
 * intermediates so that products of two 4-decimal values are exact before rounding. */
#include "util/money.h"

#include <stdio.h>
#include <string.h>

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

enum kam_rc kam_money_parse(const char *s, size_t len, kam_money *out, struct kam_err *err)
{
    size_t i = 0, end = len;
    int neg = 0, ndig = 0, nfrac = 0, dot = 0;
    __int128 v = 0;

    while (i < end && is_blank(s[i]))
        i++;
    while (end > i && is_blank(s[end - 1]))
        end--;
    if (i == end)
        return kam_err_set(err, KAM_ERR_INVALID, "is empty, expected a number");
    if (s[i] == '-' || s[i] == '+')
        neg = s[i++] == '-';
    for (; i < end; i++) {
        char c = s[i];
        if (c == '.' && !dot) {
            dot = 1;
            continue;
        }
        if (c < '0' || c > '9')
            return kam_err_set(err, KAM_ERR_INVALID, "is not a number");
        if (dot && ++nfrac > KAM_MONEY_DECIMALS)
            return kam_err_set(err, KAM_ERR_INVALID, "has more than %d decimals",
                               KAM_MONEY_DECIMALS);
        v = v * 10 + (c - '0');
        ndig++;
        if (v > (__int128)INT64_MAX)
            return kam_err_set(err, KAM_ERR_INVALID, "is too large");
    }
    if (ndig == 0)
        return kam_err_set(err, KAM_ERR_INVALID, "is not a number");
    for (; nfrac < KAM_MONEY_DECIMALS; nfrac++)
        v *= 10;
    if (v > (__int128)INT64_MAX)
        return kam_err_set(err, KAM_ERR_INVALID, "is too large");
    *out = (kam_money)(neg ? -v : v);
    return KAM_OK;
}

static enum kam_rc fit(__int128 num, __int128 den, kam_money *out, struct kam_err *err)
{
    int neg = (num < 0) != (den < 0);
    __int128 a = num < 0 ? -num : num, b = den < 0 ? -den : den;
    __int128 q = (a + b / 2) / b; /* half away from zero */

    if (q > (__int128)INT64_MAX)
        return kam_err_set(err, KAM_ERR_INVALID, "amount is too large");
    *out = (kam_money)(neg ? -q : q);
    return KAM_OK;
}

enum kam_rc kam_money_mul(kam_money a, kam_money b, kam_money *out, struct kam_err *err)
{
    return fit((__int128)a * b, KAM_MONEY_SCALE, out, err);
}

enum kam_rc kam_money_div(kam_money a, kam_money b, kam_money *out, struct kam_err *err)
{
    if (b == 0)
        return kam_err_set(err, KAM_ERR_INVALID, "division by zero");
    return fit((__int128)a * KAM_MONEY_SCALE, b, out, err);
}

char *kam_money_str(kam_money v, char *buf, size_t n)
{
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t whole = a / KAM_MONEY_SCALE, frac = a % KAM_MONEY_SCALE;
    int decimals = KAM_MONEY_DECIMALS;

    while (decimals > 0 && frac % 10 == 0) {
        frac /= 10;
        decimals--;
    }
    if (decimals == 0)
        snprintf(buf, n, "%s%llu", v < 0 ? "-" : "", (unsigned long long)whole);
    else
        snprintf(buf, n, "%s%llu.%0*llu", v < 0 ? "-" : "", (unsigned long long)whole, decimals,
                 (unsigned long long)frac);
    return buf;
}

char *kam_money_fmt(kam_money v, int decimals, int sep, char *buf, size_t n)
{
    static const uint64_t pow10[] = {1, 10, 100, 1000, 10000};
    uint64_t a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    uint64_t unit, scaled, whole, frac;
    char digits[32], grouped[48];
    size_t nd, g = 0;

    if (decimals < 0)
        decimals = 0;
    if (decimals > KAM_MONEY_DECIMALS)
        decimals = KAM_MONEY_DECIMALS;
    unit = pow10[KAM_MONEY_DECIMALS - decimals];
    scaled = (a + unit / 2) / unit;
    whole = scaled / pow10[decimals];
    frac = scaled % pow10[decimals];
    nd = (size_t)snprintf(digits, sizeof(digits), "%llu", (unsigned long long)whole);
    for (size_t i = 0; i < nd; i++) {
        if (sep && i > 0 && (nd - i) % 3 == 0)
            grouped[g++] = ',';
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';
    if (decimals == 0)
        snprintf(buf, n, "%s%s", v < 0 && scaled ? "-" : "", grouped);
    else
        snprintf(buf, n, "%s%s.%0*llu", v < 0 && scaled ? "-" : "", grouped, decimals,
                 (unsigned long long)frac);
    return buf;
}

double kam_money_to_double(kam_money v)
{
    return (double)v / KAM_MONEY_SCALE;
}
