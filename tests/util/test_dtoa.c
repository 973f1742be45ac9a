/* Unit tests for src/util/dtoa.c: kam_dtoa must write exactly what "%.15g" (when strtod reads it
 * back) or "%.17g" write, for every double. The reference is those snprintf and strtod calls;
 * the cases are hand-picked edges (ties, powers of ten and of two, the ends of the exact range)
 * and a few hundred thousand doubles of a fixed pseudo-random sequence: any bit pattern, and
 * numbers shaped like scores, shares and money. No files, clock or store. */
#include "util/dtoa.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static int mismatches;

static void check(double v)
{
    char want[64], got[KAM_DTOA_SIZE + 8];
    if (!isfinite(v))
        return;
    int n = snprintf(want, sizeof(want), "%.15g", v);
    if (strtod(want, NULL) != v)
        n = snprintf(want, sizeof(want), "%.17g", v);
    memset(got, 'x', sizeof(got));
    size_t len = kam_dtoa(v, got);
    if (len != (size_t)n || strcmp(got, want) != 0 || got[len] != '\0') {
        if (mismatches < 20)
            print_error("%a: kam_dtoa wrote '%s' (%zu bytes), printf '%s'\n", v, got, len, want);
        mismatches++;
    }
}

static uint64_t next(uint64_t *x) /* splitmix64 */
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

static double from_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof(v));
    return v;
}

static void test_edges(void **state)
{
    (void)state;
    static const double cases[] = {
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        0.1,
        0.2,
        0.3,
        0.1 + 0.2,
        1.0 / 3,
        2.0 / 3,
        100.0,
        99.99,
        50.473619329388555,
        34.279761904761905,
        73.463,
        0.7028,
        1e-4,
        1e-5,
        9.99999e-5,
        0.00010000000000000001,
        1e15,
        999999999999999.0,
        999999999999999.9,
        1e15 - 0.125,
        123456789012345.5,
        123456789012344.5,
        12345678901234.25,
        0.1234567890123455,
        9.9999999999999995,
        9.999999999999999,
        99999999999999.99,
        4503599627370496.0,
        4503599627370495.5,
        2251799813685248.25,
        1125899906842624.125,
        0.000123456789012345678,
        DBL_MIN,
        DBL_MAX,
        DBL_EPSILON,
        5e-324,
        1e300,
        -1e-300,
        1e16,
        1e17,
        1e21,
        1e22,
        1e23,
        123.456,
        -123.456,
        0.001,
        0.01,
        7.0 / 9,
        2.5,
        3.5,
        0.015625,
        1099511627776.0,
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        check(cases[i]);
        check(-cases[i]);
        check(nextafter(cases[i], 0));
        check(nextafter(cases[i], INFINITY));
    }
    for (int e = -330; e <= 310; e++) { /* every power of ten and its neighbours */
        double p = pow(10, e);
        check(p);
        check(nextafter(p, 0));
        check(nextafter(p, INFINITY));
    }
    for (int e = -1074; e <= 1023; e++) { /* every power of two and its neighbours */
        double p = ldexp(1, e);
        check(p);
        check(nextafter(p, 0));
        check(nextafter(p, INFINITY));
    }
    assert_int_equal(mismatches, 0);
}

static void test_random(void **state)
{
    (void)state;
    uint64_t x = 20261124;
    for (int i = 0; i < 100000; i++) {
        uint64_t r = next(&x);
        check(from_bits(r));                                          /* any double */
        check((double)(r % 10000000) / 100000);                       /* a score, 5 decimals */
        check((double)(r >> 11) * 0x1p-53 * 100);                     /* a score in [0, 100) */
        check((double)(int64_t)(r % 2000000000000) / 10000);          /* money */
        check(ldexp((double)(r >> 11), (int)(next(&x) % 120) - 100)); /* the range's ends */
        double k = (double)(r % 1000000000000000);                    /* ties at digit 16 */
        check(k / 10 + 0.05);
        check(k + 0.5);
    }
    assert_int_equal(mismatches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_edges),
        cmocka_unit_test(test_random),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
