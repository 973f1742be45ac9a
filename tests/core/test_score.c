/* Unit tests for src/core/score.c: transformations, missing rules, weighted score and tiers
 * (docs/method-score.md).
 *
 * Every expected figure is worked out by hand in the comment of its case. Bands, accounts and
 * tiers are named 1-based in messages, like the error messages; array indices are 0-based. */
#include "core/score.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

/* Open at both ends, with a gap [10, 20) between the middle and the top band. */
static const struct kam_score_band growth_bands[] = {
    {-INFINITY, 0, 0},
    {0, 10, 40},
    {20, INFINITY, 100},
};

static void test_bands(void **state)
{
    static const struct kam_score_indicator ind = {.name = "growth",
                                                   .weight = 1,
                                                   .transform = KAM_SCORE_BANDS,
                                                   .bands = growth_bands,
                                                   .nbands = 3};
    static const struct {
        const char *name;
        double x;
        bool covered;
        double points;
    } cases[] = {
        {"below zero in the open bottom band", -5, true, 0},
        {"minus infinity in the open bottom band", -INFINITY, true, 0},
        {"min is inclusive: 0 is in [0, 10)", 0, true, 40},
        {"just under max stays in the band", 9.999999, true, 40},
        {"max is exclusive: 10 falls into the gap", 10, false, 0},
        {"inside the gap", 15, false, 0},
        {"min of the top band", 20, true, 100},
        {"infinity in the open top band", INFINITY, true, 100},
        {"NaN is in no band", NAN, false, 0},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        double p = -1;
        bool got = kam_score_band_points(&ind, cases[k].x, &p);
        EXPECT(&cases[k], got == cases[k].covered, "covered %d", got);
        if (cases[k].covered)
            EXPECT(&cases[k], p == cases[k].points, "points %g, want %g", p, cases[k].points);
        else
            EXPECT(&cases[k], p == -1, "points written for an uncovered value: %g", p);
    }
    assert_int_equal(failures, 0);
}

static void test_linear(void **state)
{
    static const struct {
        const char *name;
        double x, min, max, want;
    } cases[] = {
        {"middle of [0, 1000]", 500, 0, 1000, 50},
        {"quarter", 250, 0, 1000, 25},
        {"at min", 0, 0, 1000, 0},
        {"at max", 1000, 0, 1000, 100},
        {"below min clamps to 0", -10, 0, 1000, 0},
        {"above max clamps to 100", 5000, 0, 1000, 100},
        {"negative scale", -15, -20, -10, 50},
        {"degenerate min == max, at the point: 50", 7, 7, 7, 50},
        {"degenerate min == max, below: 0", 6, 7, 7, 0},
        {"degenerate min == max, above: 100", 8, 7, 7, 100},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        double got = kam_score_linear(cases[k].x, cases[k].min, cases[k].max);
        EXPECT(&cases[k], fabs(got - cases[k].want) <= 1e-12, "%g, want %g", got, cases[k].want);
    }
    assert_int_equal(failures, 0);
}

static void test_percentile(void **state)
{
    static const struct {
        const char *name;
        double x;
        size_t n;
        double values[5];
        double want; /* NaN: none */
    } cases[] = {
        /* below 2, equal 1: 100 * 2.5 / 4 */
        {"distinct values", 30, 4, {10, 20, 30, 40}, 62.5},
        {"lowest of four", 10, 4, {40, 30, 20, 10}, 12.5},
        {"highest of four", 40, 4, {10, 40, 20, 30}, 87.5},
        /* below 1, equal 2: 100 * (1 + 1) / 4 */
        {"tie of two shares the mid-rank", 20, 4, {10, 20, 20, 40}, 50},
        {"all equal", 5, 3, {5, 5, 5}, 50},
        {"n = 1", 42, 1, {42}, 50},
        /* present values 10, 20: below 1, equal 1 over m = 2 */
        {"NaN values are not counted", 20, 3, {NAN, 10, 20}, 75},
        {"x not among the values", 25, 4, {10, 20, 30, 40}, 50},
        {"no present value", 1, 2, {NAN, NAN}, NAN},
        {"x is NaN", NAN, 2, {1, 2}, NAN},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        double got = kam_score_percentile(cases[k].x, cases[k].values, cases[k].n);
        if (isnan(cases[k].want))
            EXPECT(&cases[k], isnan(got), "%g, want NaN", got);
        else
            EXPECT(&cases[k], fabs(got - cases[k].want) <= 1e-12, "%g, want %g", got,
                   cases[k].want);
    }
    assert_int_equal(failures, 0);
}

static const struct kam_score_band overlap_bands[] = {{0, 20, 10}, {10, 30, 20}};
static const struct kam_score_band overlap_later[] = {{0, 10, 10}, {10, 20, 20}, {15, 25, 30}};
static const struct kam_score_band inside_bands[] = {{-INFINITY, INFINITY, 10}, {5, 6, 20}};
static const struct kam_score_band empty_band[] = {{0, 10, 10}, {20, 20, 20}};
static const struct kam_score_band reversed_band[] = {{30, 20, 20}};
static const struct kam_score_band too_many_points[] = {{0, 10, 120}};
static const struct kam_score_band nan_points[] = {{0, 10, NAN}};
static const struct kam_score_band nan_bound[] = {{NAN, 10, 10}};
static const struct kam_score_band touching[] = {{10, 20, 50}, {0, 10, 0}, {20, 30, 100}};
static struct kam_score_band many[KAM_SCORE_MAX_BANDS + 1];

#define BANDS(b) KAM_SCORE_BANDS, KAM_SCORE_MISSING_ZERO, b, NCASES(b), false, 0, 0

static const struct bad_case {
    const char *name;
    struct kam_score_indicator ind[3];
    size_t k;
    enum kam_rc rc;
    const char *msg; /* NULL: valid */
} bad_cases[] = {
    {"touching bands in any order are valid", {{"growth", 1, BANDS(touching)}}, 1, KAM_OK, NULL},
    {"thirds written with 12 decimals sum to 1",
     {{"a", 0.333333333333, BANDS(touching)},
      {"b", 0.333333333333, BANDS(touching)},
      {"c", 0.333333333334, BANDS(touching)}},
     3,
     KAM_OK,
     NULL},
    {"overlapping bands",
     {{"growth", 1, BANDS(overlap_bands)}},
     1,
     KAM_ERR_INVALID,
     "indicator 'growth': band 2 [10, 30) overlaps band 1 [0, 20)"},
    {"third band overlaps the second",
     {{"growth", 1, BANDS(overlap_later)}},
     1,
     KAM_ERR_INVALID,
     "indicator 'growth': band 3 [15, 25) overlaps band 2 [10, 20)"},
    {"band inside an open band",
     {{"margin", 1, BANDS(inside_bands)}},
     1,
     KAM_ERR_INVALID,
     "indicator 'margin': band 2 [5, 6) overlaps band 1 [-inf, inf)"},
    {"empty band",
     {{"growth", 1, BANDS(empty_band)}},
     1,
     KAM_ERR_INVALID,
     "indicator 'growth': band 2 [20, 20) is empty; min must be below max"},
    {"reversed band",
     {{"growth", 1, BANDS(reversed_band)}},
     1,
     KAM_ERR_INVALID,
     "indicator 'growth': band 1 [30, 20) is empty; min must be below max"},
    {"points over 100",
     {{"growth", 1, BANDS(too_many_points)}},
     1,
     KAM_ERR_INVALID,
     "indicator 'growth': band 1 [0, 10) gives 120 points, expected 0 to 100"},
    {"NaN points",
     {{"growth", 1, BANDS(nan_points)}},
     1,
     KAM_ERR_INVALID,
     "indicator 'growth': band 1 [0, 10) gives nan points, expected 0 to 100"},
    {"NaN bound",
     {{"growth", 1, BANDS(nan_bound)}},
     1,
     KAM_ERR_INVALID,
     "indicator 'growth': band 1 [nan, 10) has a bound that is not a number"},
    {"no bands",
     {{"growth", 1, KAM_SCORE_BANDS, KAM_SCORE_MISSING_ZERO, NULL, 0, false, 0, 0}},
     1,
     KAM_ERR_INVALID,
     "indicator 'growth': no bands; add at least one"},
    {"too many bands",
     {{"growth", 1, BANDS(many)}},
     1,
     KAM_ERR_TOO_LARGE,
     "indicator 'growth': 33 bands; at most 32 are allowed"},
    {"weights sum to 0.9",
     {{"revenue", 0.6, BANDS(touching)}, {"growth", 0.3, BANDS(touching)}},
     2,
     KAM_ERR_INVALID,
     "indicator weights sum to 0.9; they must sum to 1 (within 1e-9)"},
    {"weights sum to 1.1",
     {{"revenue", 0.8, BANDS(touching)}, {"growth", 0.3, BANDS(touching)}},
     2,
     KAM_ERR_INVALID,
     "indicator weights sum to 1.1; they must sum to 1 (within 1e-9)"},
    {"thirds written with 4 decimals",
     {{"a", 0.3333, BANDS(touching)},
      {"b", 0.3333, BANDS(touching)},
      {"c", 0.3333, BANDS(touching)}},
     3,
     KAM_ERR_INVALID,
     "indicator weights sum to 0.9999; they must sum to 1 (within 1e-9)"},
    {"negative weight",
     {{"revenue", 1.5, BANDS(touching)}, {"growth", -0.5, BANDS(touching)}},
     2,
     KAM_ERR_INVALID,
     "indicator 'growth': weight -0.5 is negative"},
    {"NaN weight",
     {{"revenue", NAN, BANDS(touching)}},
     1,
     KAM_ERR_INVALID,
     "indicator 'revenue': weight nan is not a finite number"},
    {"no name", {{"", 1, BANDS(touching)}}, 1, KAM_ERR_INVALID, "indicator 1 has no name"},
    {"linear scale reversed",
     {{"revenue", 1, KAM_SCORE_LINEAR, KAM_SCORE_MISSING_ZERO, NULL, 0, false, 1000, 0}},
     1,
     KAM_ERR_INVALID,
     "indicator 'revenue': linear scale [1000, 0] needs finite bounds with min <= max"},
    {"linear scale open",
     {{"revenue", 1, KAM_SCORE_LINEAR, KAM_SCORE_MISSING_ZERO, NULL, 0, false, 0, INFINITY}},
     1,
     KAM_ERR_INVALID,
     "indicator 'revenue': linear scale [0, inf] needs finite bounds with min <= max"},
    {"linear scale from the portfolio ignores min and max",
     {{"revenue", 1, KAM_SCORE_LINEAR, KAM_SCORE_MISSING_ZERO, NULL, 0, true, 1000, 0}},
     1,
     KAM_OK,
     NULL},
    {"unknown transformation",
     {{"revenue", 1, (enum kam_score_transform)7, KAM_SCORE_MISSING_ZERO, NULL, 0, false, 0, 1}},
     1,
     KAM_ERR_INVALID,
     "indicator 'revenue': unknown transformation 7"},
    {"unknown missing rule",
     {{"revenue", 1, KAM_SCORE_PERCENTILE, (enum kam_score_missing)9, NULL, 0, false, 0, 0}},
     1,
     KAM_ERR_INVALID,
     "indicator 'revenue': unknown missing-value rule 9"},
    {"no indicators", {{0}}, 0, KAM_ERR_INVALID, "the model has no indicators"},
};

static void test_validate(void **state)
{
    (void)state;
    for (size_t i = 0; i < NCASES(many); i++)
        many[i] = (struct kam_score_band){(double)i, (double)i + 1, 0};
    failures = 0;
    for (size_t k = 0; k < NCASES(bad_cases); k++) {
        const struct bad_case *c = &bad_cases[k];
        struct kam_score_model model = {c->ind, c->k};
        struct kam_err err;
        enum kam_rc rc;

        kam_err_clear(&err);
        rc = kam_score_validate(&model, &err);
        EXPECT(c, rc == c->rc, "rc %s, want %s: %s", kam_rc_name(rc), kam_rc_name(c->rc), err.msg);
        if (c->msg != NULL)
            EXPECT(c, strcmp(err.msg, c->msg) == 0, "message '%s', want '%s'", err.msg, c->msg);
    }
    assert_int_equal(failures, 0);
}

static void test_too_many_indicators(void **state)
{
    static struct kam_score_indicator ind[KAM_SCORE_MAX_INDICATORS + 1];
    struct kam_score_model model = {ind, NCASES(ind)};
    struct kam_err err;

    (void)state;
    for (size_t i = 0; i < NCASES(ind); i++)
        ind[i] = (struct kam_score_indicator){
            .name = "x", .weight = 1.0 / NCASES(ind), .transform = KAM_SCORE_PERCENTILE};
    kam_err_clear(&err);
    assert_int_equal(kam_score_validate(&model, &err), KAM_ERR_TOO_LARGE);
    assert_string_equal(err.msg, "the model has 65 indicators; at most 64 are allowed");
}

/* The portfolio of the missing-rule cases: revenue linear on [0, 1000], growth by growth_bands,
 * on-time rate by percentile.
 *
 *             revenue  growth      on-time  | points: revenue  growth      on-time
 *   account 1   500      5          0.90    |          50       40          50 (1.5 / 3)
 *   account 2  1000     25          0.80    |         100      100          16.667 (0.5 / 3)
 *   account 3   250     15          0.95    |          25      uncovered   83.333 (2.5 / 3)
 *   account 4   NaN     25          NaN     |         missing  100         missing
 *
 * Portfolio means of the points from values: revenue 175 / 3 = 58.333, growth 240 / 3 = 80,
 * on-time 150 / 3 = 50. */
#define NACC 4
#define NIND 3
static const double portfolio[NACC * NIND] = {
    500, 5, 0.90, 1000, 25, 0.80, 250, 15, 0.95, NAN, 25, NAN,
};

#define Z KAM_SCORE_MISSING_ZERO
#define M KAM_SCORE_MISSING_MEAN
#define X KAM_SCORE_MISSING_EXCLUDE
#define V KAM_SCORE_FROM_VALUE
#define N KAM_SCORE_FROM_MISSING
#define U KAM_SCORE_FROM_UNCOVERED

static const struct run_case {
    const char *name;
    enum kam_score_missing rules[NIND];
    size_t account; /* 0-based, the one checked */
    double score;
    double points[NIND];
    double weights[NIND];
    enum kam_score_source source[NIND];
    int64_t missing, uncovered;
} run_cases[] = {
    /* 0.5 * 50 + 0.3 * 40 + 0.2 * 50 = 25 + 12 + 10 */
    {"all present", {Z, Z, Z}, 0, 47, {50, 40, 50}, {0.5, 0.3, 0.2}, {V, V, V}, 0, 0},
    /* 0.5 * 100 + 0.3 * 100 + 0.2 * 16.667 */
    {"top on revenue and growth",
     {X, X, X},
     1,
     83.0 + 1.0 / 3,
     {100, 100, 50.0 / 3},
     {0.5, 0.3, 0.2},
     {V, V, V},
     0,
     0},
    /* 0.3 * 100 */
    {"zero: missing values give 0 points",
     {Z, Z, Z},
     3,
     30,
     {0, 100, 0},
     {0.5, 0.3, 0.2},
     {N, V, N},
     2,
     0},
    /* 0.5 * 58.333 + 0.3 * 100 + 0.2 * 50 = 29.167 + 30 + 10 */
    {"mean: missing values get the portfolio mean",
     {M, M, M},
     3,
     69.0 + 1.0 / 6,
     {175.0 / 3, 100, 50},
     {0.5, 0.3, 0.2},
     {N, V, N},
     2,
     0},
    /* only growth is left: weight 0.3 / 0.3 = 1 */
    {"exclude: the remaining weight is renormalised",
     {X, X, X},
     3,
     100,
     {0, 100, 0},
     {0, 1, 0},
     {N, V, N},
     2,
     0},
    /* revenue excluded, kept 0.5: growth 0.6 * 100 + on-time 0.4 * 50 */
    {"a rule per indicator", {X, Z, M}, 3, 80, {0, 100, 50}, {0, 0.6, 0.4}, {N, V, N}, 2, 0},
    /* 0.5 * 25 + 0 + 0.2 * 83.333 = 12.5 + 16.667 */
    {"zero: an uncovered value gives 0 points",
     {Z, Z, Z},
     2,
     29.0 + 1.0 / 6,
     {25, 0, 250.0 / 3},
     {0.5, 0.3, 0.2},
     {V, U, V},
     0,
     1},
    /* 12.5 + 0.3 * 80 + 16.667 */
    {"mean: an uncovered value gets the mean",
     {M, M, M},
     2,
     53.0 + 1.0 / 6,
     {25, 80, 250.0 / 3},
     {0.5, 0.3, 0.2},
     {V, U, V},
     0,
     1},
    /* kept 0.7: (12.5 + 16.667) / 0.7 */
    {"exclude: an uncovered value is dropped",
     {X, X, X},
     2,
     (12.5 + 50.0 / 3) / 0.7,
     {25, 0, 250.0 / 3},
     {0.5 / 0.7, 0, 0.2 / 0.7},
     {V, U, V},
     0,
     1},
};

static void test_run(void **state)
{
    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(run_cases); k++) {
        const struct run_case *c = &run_cases[k];
        struct kam_score_indicator ind[NIND] = {
            {"revenue", 0.5, KAM_SCORE_LINEAR, c->rules[0], NULL, 0, false, 0, 1000},
            {"growth", 0.3, KAM_SCORE_BANDS, c->rules[1], growth_bands, 3, false, 0, 0},
            {"on-time", 0.2, KAM_SCORE_PERCENTILE, c->rules[2], NULL, 0, false, 0, 0},
        };
        struct kam_score_model model = {ind, NIND};
        static struct kam_score_result out[NACC];
        static struct kam_score_item items[NACC * NIND];
        const struct kam_score_result *r = &out[c->account];
        double work[NACC], sum = 0;
        struct kam_err err;
        enum kam_rc rc;

        kam_err_clear(&err);
        rc = kam_score_run(&model, portfolio, NACC, work, items, out, &err);
        EXPECT(c, rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
        if (rc != KAM_OK)
            continue;
        EXPECT(c, fabs(r->score - c->score) <= 1e-9, "score %.12g, want %.12g", r->score, c->score);
        EXPECT(c, r->nitems == NIND, "nitems %zu", r->nitems);
        EXPECT(c, r->missing == c->missing && r->uncovered == c->uncovered,
               "missing %lld, uncovered %lld", (long long)r->missing, (long long)r->uncovered);
        EXPECT(c, !r->unscored, "unscored");
        for (size_t i = 0; i < NIND; i++) {
            const struct kam_score_item *it = &r->items[i];
            EXPECT(c, fabs(it->points - c->points[i]) <= 1e-9, "item %zu points %.12g, want %.12g",
                   i, it->points, c->points[i]);
            EXPECT(c, fabs(it->weight - c->weights[i]) <= 1e-12,
                   "item %zu weight %.12g, want %.12g", i, it->weight, c->weights[i]);
            EXPECT(c, it->contribution == it->weight * it->points, "item %zu contribution %g", i,
                   it->contribution);
            EXPECT(c, it->source == c->source[i], "item %zu source %d, want %d", i, it->source,
                   c->source[i]);
            if (it->source != V)
                EXPECT(c, it->rule == c->rules[i], "item %zu rule %d", i, it->rule);
            sum += it->contribution;
        }
        EXPECT(c, sum == r->score, "score %.17g is not the sum of contributions %.17g", r->score,
               sum);
        /* The run's percentile (sorted, binary search) agrees with the helper (a plain count). */
        for (size_t a = 0; a < NACC; a++) {
            double vals[NACC], want;
            for (size_t b = 0; b < NACC; b++)
                vals[b] = portfolio[b * NIND + 2];
            want = kam_score_percentile(portfolio[a * NIND + 2], vals, NACC);
            if (out[a].items[2].source == V)
                EXPECT(c, out[a].items[2].points == want, "account %zu percentile %.17g vs %.17g",
                       a + 1, out[a].items[2].points, want);
        }
    }
    assert_int_equal(failures, 0);
}

/* Linear scales taken from the portfolio: its smallest and largest present values. */
static void test_linear_from_portfolio(void **state)
{
    static const struct {
        const char *name;
        size_t n;
        double values[4];
        double points[4]; /* NaN: missing (0 points under the zero rule) */
    } cases[] = {
        {"three accounts", 3, {10, 30, 20}, {0, 100, 50}},
        {"missing values do not set the scale", 4, {NAN, 10, 30, 25}, {NAN, 0, 100, 75}},
        {"all equal: degenerate scale, 50 each", 2, {7, 7}, {50, 50}},
        {"n = 1", 1, {3}, {50}},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct kam_score_indicator ind = {
            "revenue", 1, KAM_SCORE_LINEAR, KAM_SCORE_MISSING_ZERO, NULL, 0, true, 0, 0};
        struct kam_score_model model = {&ind, 1};
        struct kam_score_result out[4];
        struct kam_score_item items[4 * KAM_SCORE_MAX_INDICATORS];
        double work[4];

        if (kam_score_run(&model, cases[k].values, cases[k].n, work, items, out, NULL) != KAM_OK) {
            EXPECT(&cases[k], false, "run failed");
            continue;
        }
        for (size_t a = 0; a < cases[k].n; a++) {
            double want = isnan(cases[k].points[a]) ? 0 : cases[k].points[a];
            EXPECT(&cases[k], out[a].score == want, "account %zu score %g, want %g", a + 1,
                   out[a].score, want);
        }
    }
    assert_int_equal(failures, 0);
}

/* Every weighted indicator excluded: nothing left to renormalise, the account is unscored. */
static void test_all_excluded(void **state)
{
    struct kam_score_indicator ind[2] = {
        {"revenue", 1, KAM_SCORE_PERCENTILE, KAM_SCORE_MISSING_EXCLUDE, NULL, 0, false, 0, 0},
        {"note", 0, KAM_SCORE_PERCENTILE, KAM_SCORE_MISSING_ZERO, NULL, 0, false, 0, 0},
    };
    struct kam_score_model model = {ind, 2};
    const double values[4] = {NAN, 1, 10, 2};
    struct kam_score_result out[2];
    struct kam_score_item items[2 * KAM_SCORE_MAX_INDICATORS];
    double work[2];

    (void)state;
    assert_int_equal(kam_score_run(&model, values, 2, work, items, out, NULL), KAM_OK);
    assert_true(out[0].unscored);
    assert_true(out[0].score == 0);
    assert_true(out[0].items[0].weight == 0 && out[0].items[1].weight == 0);
    assert_false(out[1].unscored);
    assert_true(out[1].score == 50); /* 10 alone: percentile 50 */
}

static void test_run_invalid(void **state)
{
    struct kam_score_indicator ind[2] = {
        {"revenue", 0.5, KAM_SCORE_PERCENTILE, KAM_SCORE_MISSING_ZERO, NULL, 0, false, 0, 0},
        {"growth", 0.5, KAM_SCORE_BANDS, KAM_SCORE_MISSING_ZERO, growth_bands, 3, false, 0, 0},
    };
    struct kam_score_model model = {ind, 2};
    const double values[4] = {1, 2, 3, INFINITY};
    struct kam_score_result out[2], before[2];
    struct kam_score_item items[2 * KAM_SCORE_MAX_INDICATORS];
    double work[2];
    struct kam_err err;

    (void)state;
    memset(out, 0x5a, sizeof(out));
    memcpy(before, out, sizeof(out));
    kam_err_clear(&err);
    assert_int_equal(kam_score_run(&model, values, 2, work, items, out, &err), KAM_ERR_INVALID);
    assert_string_equal(err.msg, "account 2, indicator 'growth': value inf is not a finite "
                                 "number; use NaN for a missing value");
    assert_memory_equal(out, before, sizeof(out));
    assert_int_equal(kam_score_run(&model, values, 0, work, items, out, &err), KAM_ERR_INVALID);
    assert_string_equal(err.msg, "no accounts to score");
    ind[1].weight = 0.4;
    assert_int_equal(kam_score_run(&model, values, 2, work, items, out, &err), KAM_ERR_INVALID);
    assert_string_equal(err.msg, "indicator weights sum to 0.9; they must sum to 1 (within 1e-9)");
    assert_memory_equal(out, before, sizeof(out));
}

#define K   KAM_TIER_KEY
#define MJ  KAM_TIER_MAJOR
#define O   KAM_TIER_ORDINARY
#define S   KAM_TIER_SMALL
#define NO  KAM_TIER_NONE
#define MAX 20

static const struct kam_tier_rule by_score = {KAM_TIER_BY_SCORE, {80, 60, 40}};
static const struct kam_tier_rule by_rank = {KAM_TIER_BY_RANK, {5, 15, 30}};
static const struct kam_tier_rule no_key = {KAM_TIER_BY_RANK, {0, 20, 30}};

static const struct tier_case {
    const char *name;
    const struct kam_tier_rule *rule;
    size_t n;
    double scores[MAX];
    bool use_pins;
    enum kam_tier pinned[MAX];
    enum kam_tier computed[MAX];
    double to_next[MAX]; /* NaN: unreachable */
} tier_cases[] = {
    /* >= 80 key, >= 60 major, >= 40 ordinary: each threshold belongs to its tier. */
    {"thresholds: each cut is inclusive",
     &by_score,
     6,
     {80, 60, 59.5, 40, 39.99, 0},
     false,
     {0},
     {K, MJ, O, O, S, S},
     {0, 20, 0.5, 20, 0.01, 40}},
    /* 0.1 * 80 + 0.9 * 80 style sums can land a rounding step under 80. */
    {"thresholds: a rounding step under 80 is still key",
     &by_score,
     2,
     {79.99999999999999, 79.999},
     false,
     {0},
     {K, MJ},
     {0, 0.001}},
    {"thresholds: ties at a cut all get the tier",
     &by_score,
     3,
     {60, 60, 60},
     false,
     {0},
     {MJ, MJ, MJ},
     {20, 20, 20}},
    /* Fewer than 5 % of 1 score higher than the only account: key. */
    {"rank: n = 1 is key", &by_rank, 1, {50}, false, {0}, {K}, {0}},
    /* Account 2 has 1 of 2 (50 %) above it: not < 5, 20 or 50 %: small. Ordinary allows
     * ceil(0.5 * 2) - 1 = 0 above, so it needs 70 - 30 = 40 points. */
    {"rank: n = 2", &by_rank, 2, {30, 70}, false, {0}, {S, K}, {40, 0}},
    {"rank: n = 2 tied, both key", &by_rank, 2, {50, 50}, false, {0}, {K, K}, {0, 0}},
    /* Limits on the count above: key < 0.15, major < 0.6, ordinary < 1.5. 60 has 1 above:
     * ordinary; major allows 0 above: 90 - 60. 30 has 2 above: small; ordinary allows 1 above:
     * the second highest, 60 - 30. */
    {"rank: n = 3", &by_rank, 3, {60, 30, 90}, false, {0}, {O, S, K}, {30, 30, 0}},
    /* n = 20: key allows < 1 above, key + major < 4, + ordinary < 10. Both 100s are key (the
     * quota is one); the 89s have 3 above: major, so major holds 3 accounts; the 76s have 9
     * above: ordinary, 7 accounts. Descending: 100 100 90 89 89 80 79 78 77 76 76 50 ...:
     * key needs desc[0] = 100, major desc[3] = 89, ordinary desc[9] = 76. */
    {"rank: ties at each cut go to the better tier",
     &by_rank,
     20,
     {100, 100, 90, 89, 89, 80, 79, 78, 77, 76, 76, 50, 49, 48, 47, 46, 45, 44, 43, 42},
     false,
     {0},
     {K, K, MJ, MJ, MJ, O, O, O, O, O, O, S, S, S, S, S, S, S, S, S},
     {0, 0, 10, 11, 11, 9, 10, 11, 12, 13, 13, 26, 27, 28, 29, 30, 31, 32, 33, 34}},
    /* Key share 0: nobody is key, and no score reaches it. */
    {"rank: a share of 0 is unreachable",
     &no_key,
     3,
     {90, 60, 30},
     false,
     {0},
     {MJ, O, S},
     {NAN, 30, 30}},
    /* Pinned tiers are kept; only a disagreement is flagged. */
    {"pinned: kept and flagged when different",
     &by_score,
     3,
     {85, 50, 10},
     true,
     {MJ, O, NO},
     {K, O, S},
     {0, 10, 30}},
};

static void test_tiers(void **state)
{
    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(tier_cases); k++) {
        const struct tier_case *c = &tier_cases[k];
        struct kam_tier_result out[MAX];
        double work[MAX];
        struct kam_err err;
        enum kam_rc rc;

        kam_err_clear(&err);
        rc = kam_score_tiers(c->rule, c->scores, c->use_pins ? c->pinned : NULL, c->n, work, out,
                             &err);
        EXPECT(c, rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
        if (rc != KAM_OK)
            continue;
        for (size_t a = 0; a < c->n; a++) {
            bool pinned = c->use_pins && c->pinned[a] != NO;
            enum kam_tier want = pinned ? c->pinned[a] : c->computed[a];
            EXPECT(c, out[a].computed == c->computed[a], "account %zu computed %s, want %s", a + 1,
                   kam_tier_name(out[a].computed), kam_tier_name(c->computed[a]));
            EXPECT(c, out[a].tier == want, "account %zu tier %s, want %s", a + 1,
                   kam_tier_name(out[a].tier), kam_tier_name(want));
            EXPECT(c, out[a].pinned == pinned, "account %zu pinned %d", a + 1, out[a].pinned);
            EXPECT(c, out[a].pin_differs == (pinned && want != c->computed[a]),
                   "account %zu pin_differs %d", a + 1, out[a].pin_differs);
            if (isnan(c->to_next[a]))
                EXPECT(c, isnan(out[a].to_next), "account %zu to_next %g, want NaN", a + 1,
                       out[a].to_next);
            else
                EXPECT(c, fabs(out[a].to_next - c->to_next[a]) <= 1e-9,
                       "account %zu to_next %.12g, want %g", a + 1, out[a].to_next, c->to_next[a]);
        }
    }
    assert_int_equal(failures, 0);
}

/* Adding to_next to a score reaches the tier above, and a hair less does not. */
static void test_to_next_is_enough(void **state)
{
    const struct tier_case *c = &tier_cases[7];
    struct kam_tier_result out[MAX], moved[MAX];
    double work[MAX], scores[MAX];

    (void)state;
    assert_int_equal(kam_score_tiers(c->rule, c->scores, NULL, c->n, work, out, NULL), KAM_OK);
    for (size_t a = 0; a < c->n; a++) {
        if (out[a].computed == K)
            continue;
        memcpy(scores, c->scores, sizeof(scores));
        scores[a] += out[a].to_next;
        assert_int_equal(kam_score_tiers(c->rule, scores, NULL, c->n, work, moved, NULL), KAM_OK);
        assert_true(moved[a].computed < out[a].computed);
        scores[a] -= 0.001;
        assert_int_equal(kam_score_tiers(c->rule, scores, NULL, c->n, work, moved, NULL), KAM_OK);
        assert_true(moved[a].computed == out[a].computed);
    }
}

static void test_tiers_invalid(void **state)
{
    static const struct {
        const char *name;
        struct kam_tier_rule rule;
        size_t n;
        double scores[2];
        enum kam_tier pinned[2];
        const char *msg;
    } cases[] = {
        {"thresholds increase",
         {KAM_TIER_BY_SCORE, {60, 80, 40}},
         1,
         {1},
         {NO},
         "tier thresholds key 60, major 80, ordinary 40 must not increase"},
        {"threshold NaN",
         {KAM_TIER_BY_SCORE, {80, NAN, 40}},
         1,
         {1},
         {NO},
         "tier 'major': cut nan is not a finite number"},
        {"shares over 100",
         {KAM_TIER_BY_RANK, {50, 30, 30}},
         1,
         {1},
         {NO},
         "tier shares 50 % + 30 % + 30 % exceed 100 %"},
        {"negative share",
         {KAM_TIER_BY_RANK, {5, -15, 30}},
         1,
         {1},
         {NO},
         "tier 'major': share -15 % is negative"},
        {"unknown method", {(enum kam_tier_method)4, {0}}, 1, {1}, {NO}, "unknown tier method 4"},
        {"no accounts",
         {KAM_TIER_BY_RANK, {5, 15, 30}},
         0,
         {1},
         {NO},
         "no accounts to place in tiers"},
        {"NaN score",
         {KAM_TIER_BY_RANK, {5, 15, 30}},
         2,
         {1, NAN},
         {NO, NO},
         "account 2: score is not a number"},
        {"unknown pinned tier",
         {KAM_TIER_BY_SCORE, {80, 60, 40}},
         2,
         {1, 2},
         {NO, (enum kam_tier)4},
         "account 2: pinned tier 4 is unknown"},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct kam_tier_result out[2], before[2];
        double work[2];
        struct kam_err err;
        enum kam_rc rc;

        memset(out, 0x5a, sizeof(out));
        memcpy(before, out, sizeof(out));
        kam_err_clear(&err);
        rc = kam_score_tiers(&cases[k].rule, cases[k].scores, cases[k].pinned, cases[k].n, work,
                             out, &err);
        EXPECT(&cases[k], rc == KAM_ERR_INVALID, "rc %s", kam_rc_name(rc));
        EXPECT(&cases[k], strcmp(err.msg, cases[k].msg) == 0, "message '%s', want '%s'", err.msg,
               cases[k].msg);
        EXPECT(&cases[k], memcmp(out, before, sizeof(out)) == 0, "out written on error");
    }
    assert_int_equal(failures, 0);
}

static void test_tier_names(void **state)
{
    (void)state;
    assert_string_equal(kam_tier_name(KAM_TIER_KEY), "key");
    assert_string_equal(kam_tier_name(KAM_TIER_MAJOR), "major");
    assert_string_equal(kam_tier_name(KAM_TIER_ORDINARY), "ordinary");
    assert_string_equal(kam_tier_name(KAM_TIER_SMALL), "small");
    assert_string_equal(kam_tier_name(KAM_TIER_NONE), "none");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bands),
        cmocka_unit_test(test_linear),
        cmocka_unit_test(test_percentile),
        cmocka_unit_test(test_validate),
        cmocka_unit_test(test_too_many_indicators),
        cmocka_unit_test(test_run),
        cmocka_unit_test(test_linear_from_portfolio),
        cmocka_unit_test(test_all_excluded),
        cmocka_unit_test(test_run_invalid),
        cmocka_unit_test(test_tiers),
        cmocka_unit_test(test_to_next_is_enough),
        cmocka_unit_test(test_tiers_invalid),
        cmocka_unit_test(test_tier_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
