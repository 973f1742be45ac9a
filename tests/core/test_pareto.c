/* Unit tests for src/core/pareto.c: the top-share (80:20) view, the ranked order, the cumulative
 * curve, the Gini coefficient and ABC classes on the net basis. Every expected figure is computed
 * by hand in the case or its comment. Values are raw kam_money (units * 10^4) unless a case says
 * otherwise; the functions only sum and compare them. */
#include "core/pareto.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
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

/* ---- The ranked views: sort, cumulative curve, Gini, ABC ---- */

#define MAXI 10

/* Items sorted by kam_pareto_sort, for the views that need that order. */
static size_t sorted_copy(const struct kam_pareto_item *in, size_t n, struct kam_pareto_item *out)
{
    memcpy(out, in, n * sizeof(*in));
    return kam_pareto_sort(out, n);
}

static const struct sort_case {
    const char *name;
    size_t n;
    struct kam_pareto_item items[MAXI]; /* {key, value} in input order */
    size_t want_pop;
    int64_t want_keys[MAXI]; /* keys after the sort */
} sort_cases[] = {
    {"empty portfolio", 0, {{0, 0}}, 0, {0}},
    {"single account", 1, {{42, 500}}, 1, {42}},
    {"equal values are ordered by key", 4, {{5, 20}, {3, 60}, {1, 20}, {4, 20}}, 4, {3, 1, 4, 5}},
    {"negative keys come first among equal values", 3, {{7, 1}, {-7, 1}, {0, 1}}, 3, {-7, 0, 7}},
    /* 10 > 0 = 0 > -5 = -5: zeros and negatives follow the population, ties still by key. */
    {"zeros and negatives follow the population",
     5,
     {{1, 0}, {2, -5}, {3, 10}, {4, 0}, {5, -5}},
     1,
     {3, 1, 4, 2, 5}},
    {"all accounts with zero revenue", 3, {{3, 0}, {1, 0}, {2, 0}}, 0, {1, 2, 3}},
};

static void test_sort(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(sort_cases); i++) {
        const struct sort_case *c = &sort_cases[i];
        struct kam_pareto_item v[MAXI];
        size_t pop = sorted_copy(c->items, c->n, v);

        EXPECT(c, pop == c->want_pop, "population %zu, want %zu", pop, c->want_pop);
        for (size_t j = 0; j < c->n; j++)
            EXPECT(c, v[j].key == c->want_keys[j], "key %lld at %zu, want %lld",
                   (long long)v[j].key, j, (long long)c->want_keys[j]);
    }
    assert_int_equal(failures, 0);
}

/* Determinism: all 120 input orders of five accounts with two tie groups sort the same way. */
static void test_sort_every_input_order(void **state)
{
    static const struct kam_pareto_item base[5] = {{9, 30}, {2, 30}, {5, 10}, {1, 10}, {4, 0}};
    static const int64_t want[5] = {2, 9, 1, 5, 4};
    int p[5] = {0, 1, 2, 3, 4};
    int perms = 0;

    (void)state;
    for (;;) {
        struct kam_pareto_item v[5];
        for (int j = 0; j < 5; j++)
            v[j] = base[p[j]];
        assert_int_equal(kam_pareto_sort(v, 5), 4);
        for (int j = 0; j < 5; j++)
            assert_int_equal(v[j].key, want[j]);
        perms++;
        /* Next permutation in lexicographic order. */
        int k = 3;
        while (k >= 0 && p[k] > p[k + 1])
            k--;
        if (k < 0)
            break;
        int l = 4;
        while (p[l] < p[k])
            l--;
        int t = p[k];
        p[k] = p[l];
        p[l] = t;
        for (int a = k + 1, b = 4; a < b; a++, b--) {
            t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
    }
    assert_int_equal(perms, 120);
}

/* The curve: cum is given by hand; x = i / population and y = cum / total follow from it. */
static const struct curve_case {
    const char *name;
    size_t n;
    struct kam_pareto_item items[MAXI];
    size_t want_pop;
    kam_money want_cum[MAXI];
} curve_cases[] = {
    {"empty portfolio", 0, {{0, 0}}, 0, {0}},
    {"all accounts with zero revenue", 3, {{1, 0}, {2, 0}, {3, 0}}, 0, {0}},
    {"single account is the whole curve", 1, {{1, 500}}, 1, {500}},
    /* docs/methods.md: A 600, B 250, C 100, D 60, E 30, T = 1040; y = 600/1040 = 0.5769,
     * 850/1040 = 0.8173, 950/1040 = 0.9135, 1010/1040 = 0.9712, 1. */
    {"worked example of docs/methods.md",
     5,
     {{3, 100}, {1, 600}, {5, 30}, {2, 250}, {4, 60}},
     5,
     {600, 850, 950, 1010, 1040}},
    {"negatives and zeros leave the curve",
     5,
     {{1, 100}, {2, -50}, {3, 0}, {4, 300}, {5, -1}},
     2,
     {300, 400}},
    {"ties by key do not change the curve", 3, {{2, 50}, {1, 50}, {3, 20}}, 3, {50, 100, 120}},
    /* 2^53 + 1 is not a double: the cumulative sums must stay exact and end at y = 1. */
    {"sums beyond double precision stay exact",
     3,
     {{1, INT64_C(9007199254740992)}, {2, 1}, {3, 1}},
     3,
     {INT64_C(9007199254740992), INT64_C(9007199254740993), INT64_C(9007199254740994)}},
};

static void test_curve(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(curve_cases); i++) {
        const struct curve_case *c = &curve_cases[i];
        struct kam_pareto_item v[MAXI];
        struct kam_pareto_point pt[MAXI];
        size_t pop;

        sorted_copy(c->items, c->n, v);
        memset(pt, 0x5a, sizeof(pt));
        pop = kam_pareto_curve(v, c->n, pt);
        EXPECT(c, pop == c->want_pop, "population %zu, want %zu", pop, c->want_pop);
        for (size_t j = 0; j < c->want_pop && j < pop; j++) {
            double x = (double)(j + 1) / (double)c->want_pop;
            double y = (double)c->want_cum[j] / (double)c->want_cum[c->want_pop - 1];
            EXPECT(c, pt[j].cum == c->want_cum[j], "cum %lld at %zu, want %lld",
                   (long long)pt[j].cum, j, (long long)c->want_cum[j]);
            EXPECT(c, pt[j].x == x, "x %.17g at %zu, want %.17g", pt[j].x, j, x);
            EXPECT(c, fabs(pt[j].y - y) < 1e-15, "y %.17g at %zu, want %.17g", pt[j].y, j, y);
        }
        if (pop > 0)
            EXPECT(c, pt[pop - 1].y == 1.0 && pt[pop - 1].x == 1.0, "curve ends at (%g, %g)",
                   pt[pop - 1].x, pt[pop - 1].y);
        /* Nothing written past the population. */
        for (size_t j = pop; j < MAXI; j++) {
            unsigned char raw[sizeof(pt[j])];
            memcpy(raw, &pt[j], sizeof(raw));
            EXPECT(c, raw[0] == 0x5a && raw[sizeof(raw) - 1] == 0x5a, "point %zu written", j);
        }
    }
    assert_int_equal(failures, 0);
}

/* G = 2 sum(i x(i)) / (n sum(x)) - (n + 1) / n, x ascending over the population (value > 0).
 * The Online Retail net basis gives 0.7028 over 4,317 customers; a core test cannot read the
 * file, so tests/cli checks that figure end to end. Here: the formula on small cases. */
static const struct gini_case {
    const char *name;
    size_t n;
    kam_money values[MAXI];
    double want;
} gini_cases[] = {
    {"empty portfolio", 0, {0}, 0.0},
    {"single account", 1, {500}, 0.0},
    /* 5 (1 + 2 + 3 + 4) = 50: 2 * 50 / (4 * 20) - 5/4 = 0. */
    {"all accounts equal", 4, {5, 5, 5, 5}, 0.0},
    /* (1, 3): sum(i x) = 1 + 6 = 7: 14 / 8 - 3/2 = 0.25. */
    {"two accounts", 2, {3, 1}, 0.25},
    /* Worked example of the docs: (1, 2, 3, 14), sum 20, sum(i x) = 1 + 4 + 9 + 56 = 70:
     * 140 / 80 - 5/4 = 0.5. Check by mean difference: sum |xi - xj| over ordered pairs is
     * 2 (1 + 2 + 13 + 1 + 12 + 11) = 80, over 2 n^2 mean = 2 * 16 * 5 = 160: 0.5. */
    {"worked 4-value example", 4, {14, 1, 3, 2}, 0.5},
    /* (10, 20, 30, 40): sum(i x) = 10 + 40 + 90 + 160 = 300: 600 / 400 - 5/4 = 0.25. */
    {"evenly spaced values", 4, {40, 10, 30, 20}, 0.25},
    /* (1, 1, 1, M): sum(i x) = 6 + 4M, G = (12 + 8M) / (4M + 12) - 5/4 = 3 (M - 1) / (4 (M + 3));
     * M = 997: 2988 / 4000 = 0.747. As M grows this tends to (n - 1) / n = 3/4. */
    {"one account holds almost everything", 4, {997, 1, 1, 1}, 0.747},
    {"one account holds almost everything, M = 10^12",
     4,
     {INT64_C(1000000000000), 1, 1, 1},
     3.0 * 999999999999.0 / (4.0 * 1000000000003.0)},
    /* The textbook (n - 1) / n for "one holds everything" counts the others as zeros; on the net
     * basis zeros are outside the population, which is then one account: G = 0. */
    {"one account holds everything, the others zero", 4, {0, 0, 900, 0}, 0.0},
    {"zeros and negatives are left out", 7, {14, 0, 1, -7, 3, 2, 0}, 0.5},
    /* 4 * 2^62 = 2^64 does not fit int64: the 128-bit sums keep G = 0 exact. */
    {"sums beyond int64 stay exact",
     4,
     {INT64_C(4611686018427387904), INT64_C(4611686018427387904), INT64_C(4611686018427387904),
      INT64_C(4611686018427387904)},
     0.0},
};

static void test_gini(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(gini_cases); i++) {
        const struct gini_case *c = &gini_cases[i];
        struct kam_pareto_item v[MAXI];
        double g;

        for (size_t j = 0; j < c->n; j++)
            v[j] = (struct kam_pareto_item){(int64_t)j, c->values[j]};
        kam_pareto_sort(v, c->n);
        g = kam_pareto_gini(v, c->n);
        EXPECT(c, fabs(g - c->want) < 1e-15, "gini %.17g, want %.17g", g, c->want);
    }
    assert_int_equal(failures, 0);
}

/* ABC: one letter per account in sorted order, '-' for none. The share *before* an account
 * decides: A while it is < a, B while < b, else C. */
static const struct abc_case {
    const char *name;
    size_t n;
    struct kam_pareto_item items[MAXI];
    struct kam_abc_limits limits; /* {0, 0} here means the defaults (limits = NULL) */
    int64_t want_keys[MAXI];
    const char *want;
} abc_cases[] = {
    {"empty portfolio", 0, {{0, 0}}, {0, 0}, {0}, ""},
    {"single account is A", 1, {{1, 500}}, {0, 0}, {1}, "A"},
    {"all accounts with zero revenue are none",
     3,
     {{1, 0}, {2, 0}, {3, 0}},
     {0, 0},
     {1, 2, 3},
     "---"},
    /* Before the second account: 80 / 100 = 80 %, not < 80 %. */
    {"share before exactly 80 % is B", 2, {{1, 80}, {2, 20}}, {0, 0}, {1, 2}, "AB"},
    {"share before just below 80 % is A", 2, {{1, 79}, {2, 21}}, {0, 0}, {1, 2}, "AA"},
    /* Before the third: 95 / 100. */
    {"share before exactly 95 % is C", 3, {{1, 80}, {2, 15}, {3, 5}}, {0, 0}, {1, 2, 3}, "ABC"},
    {"share before just below 95 % is B", 3, {{1, 80}, {2, 14}, {3, 6}}, {0, 0}, {1, 2, 3}, "ABB"},
    /* 7000 + 1000 reaches 80 % of 10000 exactly (0.7 + 0.1 < 0.8 in binary floating point). */
    {"80 % reached exactly where a float sum falls short",
     4,
     {{1, 7000}, {2, 1000}, {3, 1000}, {4, 1000}},
     {0, 0},
     {1, 2, 3, 4},
     "AABB"},
    /* Sorted (3, 60), (1, 20), (2, 20); before: 0, 60, 80 %: the tie at 20 is split by key. */
    {"tie across the 80 % limit is split by key",
     3,
     {{3, 60}, {2, 20}, {1, 20}},
     {0, 0},
     {3, 1, 2},
     "AAB"},
    {"same tie in reverse input order", 3, {{1, 20}, {2, 20}, {3, 60}}, {0, 0}, {3, 1, 2}, "AAB"},
    /* Before: 0, 10, 20, 30, 40 of 50 = 0, 20, 40, 60, 80 %. */
    {"all accounts equal",
     5,
     {{5, 10}, {4, 10}, {3, 10}, {2, 10}, {1, 10}},
     {0, 0},
     {1, 2, 3, 4, 5},
     "AAAAB"},
    /* Population {300, 100}; before: 0, 75 %. */
    {"negatives and zeros are none",
     5,
     {{1, 100}, {2, -50}, {3, 0}, {4, 300}, {5, -1}},
     {0, 0},
     {4, 1, 3, 5, 2},
     "AA---"},
    {"first account is A even when it holds everything",
     2,
     {{1, 100}, {2, 0}},
     {0, 0},
     {1, 2},
     "A-"},
    /* Before: 0, 40, 70, 90 %. */
    {"limits 50 % / 90 %",
     4,
     {{1, 10}, {2, 20}, {3, 30}, {4, 40}},
     {5000, 9000},
     {4, 3, 2, 1},
     "AABC"},
    {"limit A 0 % gives no A", 2, {{1, 80}, {2, 20}}, {0, 9500}, {1, 2}, "BB"},
    {"limit B 100 % gives no C", 3, {{1, 80}, {2, 15}, {3, 5}}, {8000, 10000}, {1, 2, 3}, "ABB"},
    /* Before: 0, 80, 95 %. */
    {"limits A = B give no B", 3, {{1, 80}, {2, 15}, {3, 5}}, {9000, 9000}, {1, 2, 3}, "AAC"},
};

static enum kam_abc abc_of(char c)
{
    return c == 'A' ? KAM_ABC_A : c == 'B' ? KAM_ABC_B : c == 'C' ? KAM_ABC_C : KAM_ABC_NONE;
}

static void test_abc(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(abc_cases); i++) {
        const struct abc_case *c = &abc_cases[i];
        const struct kam_abc_limits *lim = c->limits.a == 0 && c->limits.b == 0 ? NULL : &c->limits;
        struct kam_pareto_item v[MAXI];
        enum kam_abc cls[MAXI];
        struct kam_abc_summary sum, want_sum;
        struct kam_top_share ts;
        kam_money vals[MAXI];
        struct kam_err err;
        enum kam_rc rc;

        assert_int_equal(strlen(c->want), c->n);
        sorted_copy(c->items, c->n, v);
        memset(&want_sum, 0, sizeof(want_sum));
        rc = kam_pareto_abc(v, c->n, lim, cls, &sum, &err);
        EXPECT(c, rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
        if (rc != KAM_OK)
            continue;
        for (size_t j = 0; j < c->n; j++) {
            enum kam_abc w = abc_of(c->want[j]);
            EXPECT(c, v[j].key == c->want_keys[j], "key %lld at %zu, want %lld",
                   (long long)v[j].key, j, (long long)c->want_keys[j]);
            EXPECT(c, cls[j] == w, "account %lld is %s, want %s", (long long)v[j].key,
                   kam_pareto_abc_name(cls[j]), kam_pareto_abc_name(w));
            want_sum.count[w]++;
            want_sum.revenue[w] += v[j].value;
            vals[j] = v[j].value;
        }
        for (int k = 0; k < KAM_ABC_CLASSES; k++) {
            EXPECT(c, sum.count[k] == want_sum.count[k], "%s count %lld, want %lld",
                   kam_pareto_abc_name((enum kam_abc)k), (long long)sum.count[k],
                   (long long)want_sum.count[k]);
            EXPECT(c, sum.revenue[k] == want_sum.revenue[k], "%s revenue %lld, want %lld",
                   kam_pareto_abc_name((enum kam_abc)k), (long long)sum.revenue[k],
                   (long long)want_sum.revenue[k]);
        }
        /* At 80 %, A is exactly the "accounts to 80 %" of the top share. */
        if (lim == NULL) {
            kam_pareto_top_share(vals, c->n, 0.2, &ts);
            EXPECT(c, sum.count[KAM_ABC_A] == ts.k80, "%lld A accounts, k80 %lld",
                   (long long)sum.count[KAM_ABC_A], (long long)ts.k80);
        }
        /* The summary is optional. */
        rc = kam_pareto_abc(v, c->n, lim, cls, NULL, &err);
        EXPECT(c, rc == KAM_OK, "rc %s without summary", kam_rc_name(rc));
    }
    assert_int_equal(failures, 0);
}

static const struct bad_limits_case {
    const char *name;
    struct kam_abc_limits limits;
    const char *want_msg;
} bad_limits_cases[] = {
    {"A above B",
     {9600, 9500},
     "ABC limit for A 96.00 % is above the limit for B 95.00 %: give A <= B"},
    {"A below 0 %", {-1, 9500}, "ABC limit for A -0.01 % is not between 0 and 100 %"},
    {"B above 100 %", {8000, 10001}, "ABC limit for B 100.01 % is not between 0 and 100 %"},
};

static void test_abc_bad_limits(void **state)
{
    static const struct kam_pareto_item v[2] = {{1, 80}, {2, 20}};

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(bad_limits_cases); i++) {
        const struct bad_limits_case *c = &bad_limits_cases[i];
        enum kam_abc cls[2] = {(enum kam_abc)7, (enum kam_abc)7};
        struct kam_abc_summary sum;
        struct kam_err err;
        enum kam_rc rc;

        memset(&sum, 0x5a, sizeof(sum));
        kam_err_clear(&err);
        rc = kam_pareto_abc(v, 2, &c->limits, cls, &sum, &err);
        EXPECT(c, rc == KAM_ERR_INVALID, "rc %s, want ERR_INVALID", kam_rc_name(rc));
        EXPECT(c, err.code == KAM_ERR_INVALID, "err.code %s", kam_rc_name(err.code));
        EXPECT(c, strcmp(err.msg, c->want_msg) == 0, "message '%s', want '%s'", err.msg,
               c->want_msg);
        EXPECT(c, cls[0] == 7 && cls[1] == 7, "classes written on error");
        EXPECT(c, sum.count[0] == INT64_C(0x5a5a5a5a5a5a5a5a), "summary written on error");
    }
    assert_int_equal(failures, 0);
}

static void test_abc_names(void **state)
{
    (void)state;
    assert_string_equal(kam_pareto_abc_name(KAM_ABC_NONE), "none");
    assert_string_equal(kam_pareto_abc_name(KAM_ABC_A), "A");
    assert_string_equal(kam_pareto_abc_name(KAM_ABC_B), "B");
    assert_string_equal(kam_pareto_abc_name(KAM_ABC_C), "C");
}

/* The accounts of test_4317_accounts (1..4317, 100 zeros, 50 negatives) through the ranked
 * views. T = 9,320,403; the top m sum to top(m) = 4317 m - m (m - 1) / 2.
 *   Gini of 1..n: sum(i x(i)) = n (n + 1) (2n + 1) / 6, so G = (n - 1) / (3n) = 4316 / 12951.
 *   A: top(2386) = 7,454,612 < 80 % of T = 7,456,322.4 <= top(2387): 2387 accounts (= k80).
 *   B: 95 % of T = 8,854,382.85; top(3352) = 8,854,308 < it <= top(3353) = 8,855,273:
 *      3353 - 2387 = 966 accounts, revenue 8,855,273 - 7,456,988 = 1,398,285.
 *   C: 4317 - 3353 = 964 accounts, revenue 9,320,403 - 8,855,273 = 465,130.
 *   none: 150 accounts; the negatives are -(i + 1) for i = 0, 86, ..., 86 * 49:
 *      -(50 + 86 * 1225) = -105,400. */
static void test_ranked_4317_accounts(void **state)
{
    enum { POS = 4317, ZERO = 100, NEG = 50 };
    static struct kam_pareto_item v[POS + ZERO + NEG];
    static struct kam_pareto_point pt[POS + ZERO + NEG];
    static enum kam_abc cls[POS + ZERO + NEG];
    struct kam_abc_summary sum;
    struct kam_err err;
    size_t n = 0;

    (void)state;
    for (size_t i = 0; i < POS; i++) {
        kam_money x = (kam_money)((i * 2903) % POS) + 1;
        v[n] = (struct kam_pareto_item){(int64_t)n, x};
        n++;
        if (i % 43 == 0 && i / 43 < ZERO) {
            v[n] = (struct kam_pareto_item){(int64_t)n, 0};
            n++;
        }
        if (i % 86 == 0 && i / 86 < NEG) {
            v[n] = (struct kam_pareto_item){(int64_t)n, -(kam_money)(i + 1)};
            n++;
        }
    }
    assert_int_equal(kam_pareto_sort(v, n), POS);
    assert_float_equal(kam_pareto_gini(v, n), 4316.0 / 12951.0, 1e-15);
    assert_int_equal(kam_pareto_curve(v, n, pt), POS);
    assert_int_equal(pt[863].cum, 3357072); /* the top 864, as in test_4317_accounts */
    assert_int_equal(pt[2386].cum, 7456988);
    assert_float_equal(pt[POS - 1].y, 1.0, 0.0);
    assert_int_equal(kam_pareto_abc(v, n, NULL, cls, &sum, &err), KAM_OK);
    assert_int_equal(sum.count[KAM_ABC_A], 2387);
    assert_int_equal(sum.count[KAM_ABC_B], 966);
    assert_int_equal(sum.count[KAM_ABC_C], 964);
    assert_int_equal(sum.count[KAM_ABC_NONE], 150);
    assert_int_equal(sum.revenue[KAM_ABC_A], 7456988);
    assert_int_equal(sum.revenue[KAM_ABC_B], 1398285);
    assert_int_equal(sum.revenue[KAM_ABC_C], 465130);
    assert_int_equal(sum.revenue[KAM_ABC_NONE], -105400);
    assert_int_equal(cls[2386], KAM_ABC_A);
    assert_int_equal(cls[2387], KAM_ABC_B);
    assert_int_equal(cls[3352], KAM_ABC_B);
    assert_int_equal(cls[3353], KAM_ABC_C);
    assert_int_equal(cls[POS - 1], KAM_ABC_C);
    assert_int_equal(cls[POS], KAM_ABC_NONE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_top_share),     cmocka_unit_test(test_k_for_every_n),
        cmocka_unit_test(test_4317_accounts), cmocka_unit_test(test_empty_portfolio_without_array),
        cmocka_unit_test(test_sort),          cmocka_unit_test(test_sort_every_input_order),
        cmocka_unit_test(test_curve),         cmocka_unit_test(test_gini),
        cmocka_unit_test(test_abc),           cmocka_unit_test(test_abc_bad_limits),
        cmocka_unit_test(test_abc_names),     cmocka_unit_test(test_ranked_4317_accounts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
