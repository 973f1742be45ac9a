/* Unit tests for src/core/matrix.c: medians (odd and even counts, rounding, ties), the quadrant
 * rule (high means >= the threshold; unknown values are unplaced), the per-quadrant sums and the
 * share-of-wallet headroom. Every expected figure is worked by hand in the case or its comment;
 * the portfolio of "the worked example" is the one of docs/method-matrix.md and
 * tests/cli/test_analysis.sh. Values are raw kam_money unless a case says otherwise. */
#include "core/matrix.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

#define MAXN 8
#define N    KAM_NONE
enum {
    U = KAM_QUADRANT_UNPLACED,
    C = KAM_QUADRANT_CORE,
    P = KAM_QUADRANT_POTENTIAL,
    D = KAM_QUADRANT_DIRECT,
    I = KAM_QUADRANT_INFERIOR
};

static const struct money_median_case {
    const char *name;
    kam_money v[MAXN];
    size_t n;
    kam_money want;
} money_medians[] = {
    {"single value", {7}, 1, 7},
    {"odd count: the middle value", {5, 1, 3}, 3, 3},
    {"even count: the mean of the two middle values", {40, 400}, 2, 220},
    {"even count, ties at the middle", {5, 5, 5, 1}, 4, 5},
    {"all zero", {0, 0, 0, 0}, 4, 0},
    /* (10000 + 20001) / 2 = 15000.5 units of 1/10000: half away from zero. */
    {"half a unit rounds away from zero", {20001, 10000}, 2, 15001},
    {"negative half rounds away from zero", {-1, -2}, 2, -2},
    {"mean of the two largest int64 values still fits", {INT64_MAX, INT64_MAX - 1}, 2, INT64_MAX},
    {"worked example: margins of the placed accounts", {600, 200, 50, 190, 25}, 5, 190},
    {"worked example: six margins", {600, 200, 110, 50, 190, 25}, 6, 150},
};

static void test_median_money(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(money_medians); i++) {
        const struct money_median_case *c = &money_medians[i];
        kam_money v[MAXN];
        memcpy(v, c->v, sizeof(v));
        kam_money got = kam_median_money(v, c->n);
        EXPECT(c, got == c->want, "median %lld, want %lld", (long long)got, (long long)c->want);
        for (size_t j = 1; j < c->n; j++)
            EXPECT(c, v[j - 1] <= v[j], "not sorted ascending at %zu", j);
    }
    assert_int_equal(failures, 0);
}

static void test_median_number(void **state)
{
    (void)state;
    double a[] = {3, 1, 2}, b[] = {2.5, -0.5, 1.0, 0.0, -0.5}, c[] = {1, 2}, d[] = {0.25};
    assert_float_equal(kam_median_number(a, 3), 2.0, 0.0);
    assert_float_equal(kam_median_number(b, 5), 0.0, 0.0);
    assert_float_equal(kam_median_number(c, 2), 1.5, 0.0);
    assert_float_equal(kam_median_number(d, 1), 0.25, 0.0);
}

static const struct matrix_case {
    const char *name;
    size_t n;
    kam_money cur[MAXN], pot[MAXN];
    size_t placed;
    kam_money cur_median, pot_median;
    int want[MAXN];
} matrices[] = {
    {"empty portfolio", 0, {0}, {0}, 0, 0, 0, {0}},
    {"a single account is core: it is at both medians", 1, {100}, {50}, 1, 100, 50, {C}},
    {"all-zero values: every account is high on both axes",
     3,
     {0, 0, 0},
     {0, 0, 0},
     3,
     0,
     0,
     {C, C, C}},
    /* Placed A B D E F: margins 25 50 190 200 600 -> 190; headroom 300 400 500 750 2300 ->
     * 500. E at 190 and B at 500 sit on a median: >= makes them high. */
    {"worked example: odd count, ties at the median are high",
     6,
     {600, 200, 110, 50, 190, 25},
     {400, 500, N, 300, 2300, 750},
     5,
     190,
     500,
     {D, C, U, I, C, P}},
    /* Margins 25 50 110 190 200 600 -> (110 + 190) / 2 = 150; worth 0 0 0 100 180 220 ->
     * (0 + 100) / 2 = 50. */
    {"worked example with whitespace: even counts use the mean of the middle two",
     6,
     {600, 200, 110, 50, 190, 25},
     {0, 220, 180, 100, 0, 0},
     6,
     150,
     50,
     {D, C, P, P, D, I}},
    {"even-count median rounds half away from zero", 2, {1, 2}, {0, 0}, 2, 2, 0, {P, C}},
    /* Only the accounts with both values count: medians of {10, 20} and {5, 1}. */
    {"unknown potential is unplaced and does not move the medians",
     3,
     {1000, 10, 20},
     {N, 5, 1},
     2,
     15,
     3,
     {U, P, D}},
    {"nobody placed: every account unplaced", 2, {5, 6}, {N, N}, 0, 0, 0, {U, U}},
    {"negative values", 3, {-100, -50, -10}, {-1, -2, -3}, 3, -50, -2, {P, C, D}},
};

static void test_medians_and_quadrants(void **state)
{
    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(matrices); k++) {
        const struct matrix_case *c = &matrices[k];
        struct kam_axis cur = {KAM_AXIS_MONEY, c->cur, NULL}, pot = {KAM_AXIS_MONEY, c->pot, NULL};
        struct kam_axis_value tc, tp;
        struct kam_arena arena;
        enum kam_quadrant q[MAXN];
        struct kam_matrix_summary sum;
        kam_arena_init(&arena);
        size_t placed = kam_matrix_medians(&cur, &pot, c->n, &tc, &tp, &arena);
        EXPECT(c, placed == c->placed, "placed %zu, want %zu", placed, c->placed);
        EXPECT(c, tc.money == c->cur_median, "current median %lld, want %lld", (long long)tc.money,
               (long long)c->cur_median);
        EXPECT(c, tp.money == c->pot_median, "potential median %lld, want %lld",
               (long long)tp.money, (long long)c->pot_median);
        kam_matrix_assign(&cur, &pot, c->n, &tc, &tp, NULL, NULL, q, &sum);
        int64_t count[KAM_QUADRANTS] = {0};
        for (size_t i = 0; i < c->n; i++) {
            EXPECT(c, (int)q[i] == c->want[i], "account %zu is %s, want %s", i,
                   kam_quadrant_name(q[i]), kam_quadrant_name((enum kam_quadrant)c->want[i]));
            count[c->want[i]]++;
        }
        for (int j = 0; j < KAM_QUADRANTS; j++) {
            EXPECT(c, sum.count[j] == count[j], "%s: %lld accounts, want %lld",
                   kam_quadrant_name((enum kam_quadrant)j), (long long)sum.count[j],
                   (long long)count[j]);
            EXPECT(c, sum.revenue[j] == 0 && sum.margin[j] == 0, "sums without arrays");
        }
        kam_arena_release(&arena);
    }
    assert_int_equal(failures, 0);
}

/* The worked example's sums per quadrant (window revenue and margin, whole units). */
static void test_summary(void **state)
{
    (void)state;
    const kam_money margin[] = {600, 200, 110, 50, 190, 25};
    const kam_money wallet[] = {400, 500, N, 300, 2300, 750};
    const kam_money revenue[] = {1600, 500, 290, 200, 700, 50};
    struct kam_axis cur = {KAM_AXIS_MONEY, margin, NULL}, pot = {KAM_AXIS_MONEY, wallet, NULL};
    struct kam_axis_value tc = {190, 0}, tp = {500, 0};
    enum kam_quadrant q[6];
    struct kam_matrix_summary s;
    kam_matrix_assign(&cur, &pot, 6, &tc, &tp, revenue, margin, q, &s);
    assert_int_equal(s.count[KAM_QUADRANT_CORE], 2);
    assert_int_equal(s.revenue[KAM_QUADRANT_CORE], 1200);
    assert_int_equal(s.margin[KAM_QUADRANT_CORE], 390);
    assert_int_equal(s.revenue[KAM_QUADRANT_POTENTIAL], 50);
    assert_int_equal(s.revenue[KAM_QUADRANT_DIRECT], 1600);
    assert_int_equal(s.margin[KAM_QUADRANT_INFERIOR], 50);
    assert_int_equal(s.count[KAM_QUADRANT_UNPLACED], 1);
    assert_int_equal(s.revenue[KAM_QUADRANT_UNPLACED], 290);
    assert_int_equal(s.margin[KAM_QUADRANT_UNPLACED], 110);

    /* Given thresholds 200 and 400: E (190) drops to low current, A (400) rises to high
     * potential. */
    struct kam_axis_value gc = {200, 0}, gp = {400, 0};
    kam_matrix_assign(&cur, &pot, 6, &gc, &gp, revenue, margin, q, &s);
    const enum kam_quadrant want[] = {KAM_QUADRANT_CORE,      KAM_QUADRANT_CORE,
                                      KAM_QUADRANT_UNPLACED,  KAM_QUADRANT_INFERIOR,
                                      KAM_QUADRANT_POTENTIAL, KAM_QUADRANT_POTENTIAL};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(q[i], want[i]);
}

/* A ratio axis: growth A 100 %, B 0 %, C undefined, D -50 %, E 250 %, F -50 %. Median of the
 * placed 1.0 0.0 -0.5 2.5 -0.5 is 0: B's 0 % growth is high. */
static void test_number_axis(void **state)
{
    (void)state;
    const kam_money margin[] = {600, 200, 110, 50, 190, 25};
    const double growth[] = {1.0, 0.0, NAN, -0.5, 2.5, -0.5};
    struct kam_axis cur = {KAM_AXIS_MONEY, margin, NULL}, pot = {KAM_AXIS_NUMBER, NULL, growth};
    struct kam_axis_value tc, tp;
    struct kam_arena arena;
    enum kam_quadrant q[6];
    kam_arena_init(&arena);
    assert_int_equal(kam_matrix_medians(&cur, &pot, 6, &tc, &tp, &arena), 5);
    assert_int_equal(tc.money, 190);
    assert_float_equal(tp.number, 0.0, 0.0);
    kam_matrix_assign(&cur, &pot, 6, &tc, &tp, NULL, NULL, q, NULL);
    const enum kam_quadrant want[] = {KAM_QUADRANT_CORE,     KAM_QUADRANT_CORE,
                                      KAM_QUADRANT_UNPLACED, KAM_QUADRANT_INFERIOR,
                                      KAM_QUADRANT_CORE,     KAM_QUADRANT_INFERIOR};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(q[i], want[i]);
    assert_false(kam_axis_known(&pot, 2));
    assert_true(kam_axis_known(&cur, 2));
    kam_arena_release(&arena);
}

static const struct wallet_case {
    const char *name;
    kam_money est, revenue;
    int window;
    kam_money want;
} wallets[] = {
    {"12-month window: estimate minus revenue", 2000, 1600, 12, 400},
    {"no estimate", KAM_NONE, 100, 12, KAM_NONE},
    {"an estimate of 0 is no estimate", 0, 100, 12, KAM_NONE},
    {"a negative estimate is no estimate", -5, 100, 12, KAM_NONE},
    {"6-month window: revenue doubled", 1000, 500, 6, 0},
    /* 1 x 12 / 7 = 1.714 -> 2 (raw units). */
    {"annualised revenue rounds half away from zero", 1000, 1, 7, 998},
    {"negative revenue rounds away from zero too", 1000, -1, 7, 1002},
    {"buying more than the estimate: negative headroom", 100, 300, 12, -200},
    {"a result beyond kam_money is unknown", INT64_MAX, INT64_MIN + 1, 1, KAM_NONE},
};

static void test_wallet_headroom(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(wallets); i++) {
        const struct wallet_case *c = &wallets[i];
        kam_money got = kam_matrix_wallet_headroom(c->est, c->revenue, c->window);
        EXPECT(c, got == c->want, "headroom %lld, want %lld", (long long)got, (long long)c->want);
    }
    assert_int_equal(failures, 0);
}

static void test_names(void **state)
{
    (void)state;
    for (int q = 0; q < KAM_QUADRANTS; q++)
        assert_int_equal(kam_quadrant_find(kam_quadrant_name((enum kam_quadrant)q)), q);
    assert_string_equal(kam_quadrant_name(KAM_QUADRANT_CORE), "core");
    assert_string_equal(kam_quadrant_name(KAM_QUADRANT_INFERIOR), "inferior");
    assert_int_equal(kam_quadrant_find("vip"), -1);
    assert_int_equal(kam_quadrant_find(""), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_median_money),
        cmocka_unit_test(test_median_number),
        cmocka_unit_test(test_medians_and_quadrants),
        cmocka_unit_test(test_summary),
        cmocka_unit_test(test_number_axis),
        cmocka_unit_test(test_wallet_headroom),
        cmocka_unit_test(test_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
