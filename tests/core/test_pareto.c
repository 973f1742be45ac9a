/* Unit tests for src/core/pareto.c: the top-share (80:20) view on the net basis. Every expected
 * figure is computed by hand in the case or its comment. Values are raw kam_money (units * 10^4)
 * unless a case says otherwise; the function only sums and compares them. */
#include "core/pareto.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"
#define MAXV 16

static const struct case_ {
    const char *name;
    kam_money values[MAXV];
    size_t n;
    double fraction;
    struct kam_top_share want;
} cases[] = {
    {"empty portfolio", {0}, 0, 0.2, {0, 0, 0, 0, 0.0, 0}},
    {"single account is its own top 20 %", {500}, 1, 0.2, {1, 1, 500, 500, 1.0, 1}},
    {"all accounts with zero revenue", {0, 0, 0}, 3, 0.2, {0, 0, 0, 0, 0.0, 0}},
    {"only returns: every value negative", {-5, -10}, 2, 0.2, {0, 0, 0, 0, 0.0, 0}},
    /* Population {300, 100}: k = ceil(0.4) = 1; 300 * 10 < 400 * 8, 400 reaches it. */
    {"negatives and zeros are left out of the population",
     {100, -50, 0, 300, -1},
     5,
     0.2,
     {2, 1, 400, 300, 0.75, 2}},
    /* n = 5: k = ceil(1.0) = 1. Sorted 50 40 30 20 10, total 150; running 50, 90, 120:
     * 120 * 10 = 1200 = 150 * 8, so 80 % is reached exactly at 3. */
    {"n = 5 gives k = 1; 80 % reached exactly",
     {30, 10, 50, 20, 40},
     5,
     0.2,
     {5, 1, 150, 50, 50.0 / 150.0, 3}},
    /* n = 10: k = 2, top = 10 + 9 = 19, total 55; running 10 19 27 34 40 45: 400 < 440 <= 450. */
    {"n = 10 gives k = 2",
     {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
     10,
     0.2,
     {10, 2, 55, 19, 19.0 / 55.0, 6}},
    /* n = 11: k = ceil(2.2) = 3; k80: 80 % of 1100 is 880, nine accounts give 900. */
    {"n = 11 gives k = ceil(2.2) = 3",
     {100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100},
     11,
     0.2,
     {11, 3, 1100, 300, 3.0 / 11.0, 9}},
    /* Ties at the cut do not change the sums: top = 50 whichever 50 is first. 80 % of 180 is
     * 144: running 50, 100, 150. */
    {"ties at the 20 % cut", {50, 10, 50, 20, 50}, 5, 0.2, {5, 1, 180, 50, 50.0 / 180.0, 3}},
    /* k = 2 cuts inside a run of 30s: top = 40 + 30. 80 % of 190 is 152: running 40 70 100 130
     * 140 150 160. */
    {"ties straddling the cut",
     {10, 30, 10, 40, 30, 10, 30, 10, 10, 10},
     10,
     0.2,
     {10, 2, 190, 70, 70.0 / 190.0, 7}},
    {"all accounts equal", {7, 7, 7, 7, 7}, 5, 0.2, {5, 1, 35, 7, 0.2, 4}},
    {"one dominant account",
     {1000000, 1, 1, 1, 1},
     5,
     0.2,
     {5, 1, 1000004, 1000000, 1000000.0 / 1000004.0, 1}},
    {"top account holds exactly 80 %", {80, 20}, 2, 0.2, {2, 1, 100, 80, 0.8, 1}},
    {"top account just below 80 %", {79, 21}, 2, 0.2, {2, 1, 100, 79, 0.79, 2}},
    /* 0.7 + 0.1 in binary floating point is 0.7999999999999999 < 0.8, which would need a third
     * account; in fixed point 7000 + 1000 = 8000 reaches 80 % of 10000 exactly. */
    {"80 % reached exactly where a float sum falls short",
     {7000, 1000, 1000, 1000},
     4,
     0.2,
     {4, 1, 10000, 7000, 0.7, 2}},
    /* 2^53 + 1 + 1 is 2^53 in a double; the total must keep both ones. */
    {"sums beyond double precision stay exact",
     {INT64_C(9007199254740992), 1, 1},
     3,
     0.2,
     {3, 1, INT64_C(9007199254740994), INT64_C(9007199254740992), 1.0, 1}},
    /* Net values already contain returns: an account whose returns cancel its purchases is 0,
     * not a tiny positive number, and stays out. */
    {"account netted to exactly zero is left out",
     {0, 1234567, 7654321},
     3,
     0.2,
     {2, 1, 8888888, 7654321, 7654321.0 / 8888888.0, 1}},
    {"fraction 0.5 of 3 accounts gives k = 2", {3, 2, 1}, 3, 0.5, {3, 2, 6, 5, 5.0 / 6.0, 2}},
    {"fraction 1 takes every account", {3, 2, 1}, 3, 1.0, {3, 3, 6, 6, 1.0, 2}},
};

static void check(const struct case_ *c, const struct kam_top_share *got)
{
    const struct kam_top_share *w = &c->want;
    double d = got->share - w->share;

    EXPECT(c, got->population == w->population, "population %lld, want %lld",
           (long long)got->population, (long long)w->population);
    EXPECT(c, got->k == w->k, "k %lld, want %lld", (long long)got->k, (long long)w->k);
    EXPECT(c, got->total == w->total, "total %lld, want %lld", (long long)got->total,
           (long long)w->total);
    EXPECT(c, got->top == w->top, "top %lld, want %lld", (long long)got->top, (long long)w->top);
    EXPECT(c, d < 1e-12 && d > -1e-12, "share %.17g, want %.17g", got->share, w->share);
    EXPECT(c, got->k80 == w->k80, "k80 %lld, want %lld", (long long)got->k80, (long long)w->k80);
}

static void test_top_share(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        kam_money v[MAXV];
        struct kam_top_share got;
        __int128 before = 0, after = 0;

        memcpy(v, c->values, sizeof(v));
        for (size_t j = 0; j < c->n; j++)
            before += v[j];
        memset(&got, 0x5a, sizeof(got));
        kam_pareto_top_share(v, c->n, c->fraction, &got);
        check(c, &got);
        /* Sorted in place, largest first, same values. */
        for (size_t j = 0; j < c->n; j++) {
            after += v[j];
            if (j > 0)
                EXPECT(c, v[j - 1] >= v[j], "not sorted at %zu", j);
        }
        EXPECT(c, before == after, "values changed by the sort");
    }
    assert_int_equal(failures, 0);
}

/* k = ceil(0.2 n) must be exact for every n: 0.2 * 15 is 3.0000000000000004 in binary, and
 * ceil of it would be 4. The integer reference is (n + 4) / 5. */
static void test_k_for_every_n(void **state)
{
    enum { N = 1500 };
    static kam_money v[N];

    (void)state;
    failures = 0;
    for (size_t n = 1; n <= N; n++) {
        struct kam_top_share got;
        for (size_t j = 0; j < n; j++)
            v[j] = 1;
        kam_pareto_top_share(v, n, 0.2, &got);
        if (got.k != (int64_t)((n + 4) / 5)) {
            print_error("n = %zu: k = %lld, want %zu\n", n, (long long)got.k, (n + 4) / 5);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* 4317 accounts worth 1, 2, ..., 4317 among 100 zero and 50 negative ones.
 *   k = ceil(0.2 * 4317) = ceil(863.4) = 864
 *   total = 4317 * 4318 / 2 = 9,320,403
 *   top = 4317 + ... + 3454 = (4317 + 3454) * 864 / 2 = 3,357,072
 *   k80: 80 % of the total is 7,456,322.4; the top m sum to m * 4317 - m (m - 1) / 2, which is
 *   7,454,612 at m = 2386 and 7,456,988 at m = 2387. */
static void test_4317_accounts(void **state)
{
    enum { POS = 4317, ZERO = 100, NEG = 50 };
    static kam_money v[POS + ZERO + NEG];
    struct kam_top_share got;
    size_t n = 0;

    (void)state;
    /* Interleaved so that the sort has work to do. */
    for (size_t i = 0; i < POS; i++) {
        v[n++] = (kam_money)((i * 2903) % POS) + 1; /* 2903 is coprime to 4317 = 3 * 1439 */
        if (i % 43 == 0 && i / 43 < ZERO)
            v[n++] = 0;
        if (i % 86 == 0 && i / 86 < NEG)
            v[n++] = -(kam_money)(i + 1);
    }
    assert_int_equal(n, POS + ZERO + NEG);
    kam_pareto_top_share(v, n, 0.2, &got);
    assert_int_equal(got.population, 4317);
    assert_int_equal(got.k, 864);
    assert_int_equal(got.total, 9320403);
    assert_int_equal(got.top, 3357072);
    assert_float_equal(got.share, 3357072.0 / 9320403.0, 1e-12);
    assert_int_equal(got.k80, 2387);
    assert_int_equal(v[0], 4317);
    assert_int_equal(v[POS - 1], 1);
    assert_int_equal(v[POS], 0);
    assert_true(v[n - 1] < 0);
}

/* An empty portfolio often has no array at all. values[0..0) is an empty range, so NULL must be
 * accepted: qsort(NULL, 0, ...) is undefined behaviour (glibc declares the pointer nonnull) and
 * stops the ASan+UBSan run. */
static void test_empty_portfolio_without_array(void **state)
{
    struct kam_top_share got;

    (void)state;
    memset(&got, 0x5a, sizeof(got));
    kam_pareto_top_share(NULL, 0, 0.2, &got);
    assert_int_equal(got.population, 0);
    assert_int_equal(got.k, 0);
    assert_int_equal(got.total, 0);
    assert_int_equal(got.top, 0);
    assert_float_equal(got.share, 0.0, 0.0);
    assert_int_equal(got.k80, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_share),
        cmocka_unit_test(test_k_for_every_n),
        cmocka_unit_test(test_4317_accounts),
        cmocka_unit_test(test_empty_portfolio_without_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
