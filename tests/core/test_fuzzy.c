/* Unit tests for src/core/fuzzy.c: membership functions, fuzzy comprehensive evaluation under
 * both operators, normalisation, missing values, and the model checks. Every expected figure is
 * worked by hand in the case or its comment (docs/method-fuzzy.md has the same example). */
#include "core/fuzzy.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

#define TRI(a, b, c)                                                                               \
    {                                                                                              \
        KAM_FUZZY_TRIANGLE, a, b, c, 0                                                             \
    }
#define TRAP(a, b, c, d)                                                                           \
    {                                                                                              \
        KAM_FUZZY_TRAPEZOID, a, b, c, d                                                            \
    }
#define NK 3 /* indicators in the test models, at most */
#define NM 4 /* grades */

/* ---- membership functions ---- */

static const struct mf_case {
    const char *name;
    struct kam_fuzzy_mf mf;
    double x;
    double want;
} mf_cases[] = {
    {"triangle below a", TRI(10, 20, 40), 0, 0},
    {"triangle at a", TRI(10, 20, 40), 10, 0},
    {"triangle halfway up", TRI(10, 20, 40), 15, 0.5},
    {"triangle at b", TRI(10, 20, 40), 20, 1},
    {"triangle a quarter of the way up from c", TRI(10, 20, 40), 35, 0.25},
    {"triangle at c", TRI(10, 20, 40), 40, 0},
    {"triangle above c", TRI(10, 20, 40), 50, 0},
    {"trapezoid below a", TRAP(10, 20, 30, 50), 5, 0},
    {"trapezoid at a", TRAP(10, 20, 30, 50), 10, 0},
    {"trapezoid a fifth of the way up", TRAP(10, 20, 30, 50), 12, 0.2},
    {"trapezoid at b", TRAP(10, 20, 30, 50), 20, 1},
    {"trapezoid on the plateau", TRAP(10, 20, 30, 50), 25, 1},
    {"trapezoid at c", TRAP(10, 20, 30, 50), 30, 1},
    {"trapezoid halfway down", TRAP(10, 20, 30, 50), 40, 0.5},
    {"trapezoid at d", TRAP(10, 20, 30, 50), 50, 0},
    {"trapezoid above d", TRAP(10, 20, 30, 50), 60, 0},
    {"left shoulder far out", TRAP(-INFINITY, -INFINITY, 0, 10), -1e300, 1},
    {"left shoulder at -inf", TRAP(-INFINITY, -INFINITY, 0, 10), -INFINITY, 1},
    {"left shoulder at c", TRAP(-INFINITY, -INFINITY, 0, 10), 0, 1},
    {"left shoulder on the way down", TRAP(-INFINITY, -INFINITY, 0, 10), 2.5, 0.75},
    {"left shoulder at d", TRAP(-INFINITY, -INFINITY, 0, 10), 10, 0},
    {"left shoulder beyond d", TRAP(-INFINITY, -INFINITY, 0, 10), 11, 0},
    {"left shoulder at +inf", TRAP(-INFINITY, -INFINITY, 0, 10), INFINITY, 0},
    {"right shoulder below a", TRAP(90, 95, INFINITY, INFINITY), 89, 0},
    {"right shoulder at a", TRAP(90, 95, INFINITY, INFINITY), 90, 0},
    {"right shoulder on the way up", TRAP(90, 95, INFINITY, INFINITY), 92, 0.4},
    {"right shoulder at b", TRAP(90, 95, INFINITY, INFINITY), 95, 1},
    {"right shoulder far out", TRAP(90, 95, INFINITY, INFINITY), 1e300, 1},
    {"right shoulder at +inf", TRAP(90, 95, INFINITY, INFINITY), INFINITY, 1},
    {"right shoulder at -inf", TRAP(90, 95, INFINITY, INFINITY), -INFINITY, 0},
    /* With a vertical edge the edge point is on the plateau, not at the foot. */
    {"vertical left edge at a = b", TRAP(10, 10, 20, 30), 10, 1},
    {"vertical left edge just below", TRAP(10, 10, 20, 30), 9.999, 0},
    {"vertical right edge at c = d", TRAP(10, 20, 30, 30), 30, 1},
    {"triangle with vertical left edge at a = b", TRI(0, 0, 1), 0, 1},
    {"triangle with vertical left edge on the way down", TRI(0, 0, 1), 0.25, 0.75},
    {"spike at its point", TRI(5, 5, 5), 5, 1},
    {"spike just beside it", TRI(5, 5, 5), 5.000001, 0},
    {"whole line", TRAP(-INFINITY, -INFINITY, INFINITY, INFINITY), 0, 1},
    {"whole line at +inf", TRAP(-INFINITY, -INFINITY, INFINITY, INFINITY), INFINITY, 1},
    {"NaN is in no grade", TRAP(-INFINITY, -INFINITY, INFINITY, INFINITY), NAN, 0},
    {"NaN on a triangle", TRI(10, 20, 40), NAN, 0},
    /* b - a = 2 DBL_MAX overflows; halfway must still be 0.5, not 0. */
    {"triangle wider than DBL_MAX, rising", TRI(-DBL_MAX, DBL_MAX, DBL_MAX), 0, 0.5},
    {"triangle wider than DBL_MAX, falling", TRI(-DBL_MAX, -DBL_MAX, DBL_MAX), 0, 0.5},
};

static void test_membership(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(mf_cases); i++) {
        const struct mf_case *c = &mf_cases[i];
        double got = kam_fuzzy_membership(&c->mf, c->x);
        EXPECT(c, fabs(got - c->want) <= 1e-12, "membership %.17g, want %.17g", got, c->want);
    }
    assert_int_equal(failures, 0);
}

/* ---- the worked example ---- */

static const struct kam_fuzzy_grade grades[NM] = {
    {"excellent", 100},
    {"good", 80},
    {"fair", 60},
    {"poor", 40},
};

/* Three indicators of an account, grades excellent, good, fair, poor (scores 100, 80, 60, 40).
 *
 *   payment: on-time payment rate in %, weight 0.5
 *     excellent TRAP(90, 95, inf, inf)  good TRI(80, 90, 95)  fair TRI(70, 80, 90)
 *     poor TRAP(-inf, -inf, 70, 80)
 *   growth: revenue growth in %, weight 0.3
 *     excellent TRAP(15, 25, inf, inf)  good TRI(5, 15, 25)  fair TRI(-5, 5, 15)
 *     poor TRAP(-inf, -inf, -5, 5)
 *   wallet: share of wallet in %, weight 0.2 (overlapping functions: rows need not sum to 1)
 *     excellent TRAP(50, 60, inf, inf)  good TRAP(30, 40, 50, 60)  fair TRI(15, 30, 45)
 *     poor TRAP(-inf, -inf, 15, 30)
 *
 * Values 92, 8, 42:
 *   payment 92: excellent (92 - 90) / 5 = 0.4, good (95 - 92) / 5 = 0.6, fair 0 (>= c), poor 0
 *   growth 8:   excellent 0, good (8 - 5) / 10 = 0.3, fair (15 - 8) / 10 = 0.7, poor 0
 *   wallet 42:  excellent 0, good 1 (plateau 40..50), fair (45 - 42) / 15 = 0.2, poor 0
 *
 *       | 0.4  0.6  0    0 |
 *   R = | 0    0.3  0.7  0 |     W = (0.5, 0.3, 0.2)
 *       | 0    1    0.2  0 |
 *
 * Weighted average M(., +):
 *   b = (0.5*0.4, 0.5*0.6 + 0.3*0.3 + 0.2*1, 0.3*0.7 + 0.2*0.2, 0) = (0.2, 0.59, 0.25, 0)
 *   grade: good (0.59); sum b = 1.04;
 *   score = (0.2*100 + 0.59*80 + 0.25*60) / 1.04 = (20 + 47.2 + 15) / 1.04 = 82.2 / 1.04
 *         = 79.038461538...
 * Weighted average, rows normalised: the wallet row sums to 1.2 and becomes (0, 5/6, 1/6, 0):
 *   b = (0.2, 0.39 + 0.2*5/6, 0.21 + 0.2/6, 0) = (0.2, 167/300, 73/300, 0), sum 1
 *   grade: good; score = 20 + 80*167/300 + 60*73/300 = 20 + 17740/300 = 79 + 2/15 = 79.1333...
 * Main factor M(min, max):
 *   b1 = max(min(0.5, 0.4), 0, 0) = 0.4
 *   b2 = max(min(0.5, 0.6), min(0.3, 0.3), min(0.2, 1)) = max(0.5, 0.3, 0.2) = 0.5
 *   b3 = max(0, min(0.3, 0.7), min(0.2, 0.2)) = 0.3;  b4 = 0
 *   grade: good; score = (40 + 40 + 18) / 1.2 = 81.666...
 *   Normalised rows give the same B: min(0.2, 5/6) = 0.2 and min(0.2, 1/6) < 0.3. */
static const struct kam_fuzzy_indicator worked_ind[NK] = {
    {"payment",
     0.5,
     {TRAP(90, 95, INFINITY, INFINITY), TRI(80, 90, 95), TRI(70, 80, 90),
      TRAP(-INFINITY, -INFINITY, 70, 80)}},
    {"growth",
     0.3,
     {TRAP(15, 25, INFINITY, INFINITY), TRI(5, 15, 25), TRI(-5, 5, 15),
      TRAP(-INFINITY, -INFINITY, -5, 5)}},
    {"wallet",
     0.2,
     {TRAP(50, 60, INFINITY, INFINITY), TRAP(30, 40, 50, 60), TRI(15, 30, 45),
      TRAP(-INFINITY, -INFINITY, 15, 30)}},
};

static const struct kam_fuzzy_model worked = {
    grades, NM, worked_ind, NK, KAM_FUZZY_WEIGHTED_AVERAGE, 0};

/* Bounded functions with gaps between and around them: values can be in no grade at all. */
static const struct kam_fuzzy_indicator gaps_ind[2] = {
    {"visits", 0.6, {TRI(8, 10, 12), TRI(6, 8, 10), TRI(4, 6, 8), TRI(2, 4, 6)}},
    {"complaints", 0.4, {TRI(0, 0, 1), TRI(0, 1, 2), TRI(1, 2, 3), TRI(2, 3, 4)}},
};

static const struct kam_fuzzy_model gaps = {grades, NM, gaps_ind, 2, KAM_FUZZY_WEIGHTED_AVERAGE, 0};

#define WA   KAM_FUZZY_WEIGHTED_AVERAGE
#define MF   KAM_FUZZY_MAIN_FACTOR
#define NORM KAM_FUZZY_NORMALIZE

static const struct eval_case {
    const char *name;
    const struct kam_fuzzy_model *model; /* op and flags are taken from the case */
    enum kam_fuzzy_operator op;
    unsigned flags;
    double values[NK];
    double r[NK][NM];
    double w[NK];
    double b[NM];
    int grade;
    double score;
    int64_t missing;
} eval_cases[] = {
    {"worked example, weighted average",
     &worked,
     WA,
     0,
     {92, 8, 42},
     {{0.4, 0.6, 0, 0}, {0, 0.3, 0.7, 0}, {0, 1, 0.2, 0}},
     {0.5, 0.3, 0.2},
     {0.2, 0.59, 0.25, 0},
     1,
     82.2 / 1.04,
     0},
    {"worked example, weighted average, rows normalised",
     &worked,
     WA,
     NORM,
     {92, 8, 42},
     {{0.4, 0.6, 0, 0}, {0, 0.3, 0.7, 0}, {0, 5.0 / 6, 1.0 / 6, 0}},
     {0.5, 0.3, 0.2},
     {0.2, 167.0 / 300, 73.0 / 300, 0},
     1,
     79 + 2.0 / 15,
     0},
    {"worked example, main factor",
     &worked,
     MF,
     0,
     {92, 8, 42},
     {{0.4, 0.6, 0, 0}, {0, 0.3, 0.7, 0}, {0, 1, 0.2, 0}},
     {0.5, 0.3, 0.2},
     {0.4, 0.5, 0.3, 0},
     1,
     98 / 1.2,
     0},
    {"worked example, main factor, rows normalised",
     &worked,
     MF,
     NORM,
     {92, 8, 42},
     {{0.4, 0.6, 0, 0}, {0, 0.3, 0.7, 0}, {0, 5.0 / 6, 1.0 / 6, 0}},
     {0.5, 0.3, 0.2},
     {0.4, 0.5, 0.3, 0},
     1,
     98 / 1.2,
     0},
    /* Payment 94 is mostly excellent (0.8, good 0.2); growth 5 and wallet 30 are fully fair.
     * Weighted average: b = (0.5*0.8, 0.5*0.2, 0.3 + 0.2, 0) = (0.4, 0.1, 0.5, 0): fair, score
     * 40 + 8 + 30 = 78. Half the weight says fair. */
    {"operators disagree: weighted average follows most of the weight",
     &worked,
     WA,
     0,
     {94, 5, 30},
     {{0.8, 0.2, 0, 0}, {0, 0, 1, 0}, {0, 0, 1, 0}},
     {0.5, 0.3, 0.2},
     {0.4, 0.1, 0.5, 0},
     2,
     78,
     0},
    /* Main factor: b = (min(0.5, 0.8), min(0.5, 0.2), max(min(0.3, 1), min(0.2, 1)), 0)
     * = (0.5, 0.2, 0.3, 0): excellent, score (50 + 16 + 18) / 1 = 84. The heaviest indicator
     * (payment) decides; the two fair indicators each weigh less than it. */
    {"operators disagree: main factor follows the heaviest indicator",
     &worked,
     MF,
     0,
     {94, 5, 30},
     {{0.8, 0.2, 0, 0}, {0, 0, 1, 0}, {0, 0, 1, 0}},
     {0.5, 0.3, 0.2},
     {0.5, 0.2, 0.3, 0},
     0,
     84,
     0},
    /* b = (0.5, 0, 0.3 + 0.2, 0): 0.3 + 0.2 and 0.5 tie up to rounding; score (50 + 30) / 1. */
    {"tie between excellent and fair goes to excellent",
     &worked,
     WA,
     0,
     {96, 5, 30},
     {{1, 0, 0, 0}, {0, 0, 1, 0}, {0, 0, 1, 0}},
     {0.5, 0.3, 0.2},
     {0.5, 0, 0.5, 0},
     0,
     80,
     0},
    /* Growth missing: present weight 0.5 + 0.2 = 0.7, W = (5/7, 0, 2/7).
     * b = (5/7*0.4, 5/7*0.6 + 2/7*1, 2/7*0.2, 0) = (2/7, 5/7, 0.4/7, 0), sum 7.4/7;
     * score = (200 + 400 + 24) / 7 / (7.4 / 7) = 624 / 7.4 = 84.324... */
    {"missing value: its weight goes to the others in proportion",
     &worked,
     WA,
     0,
     {92, NAN, 42},
     {{0.4, 0.6, 0, 0}, {0, 0, 0, 0}, {0, 1, 0.2, 0}},
     {5.0 / 7, 0, 2.0 / 7},
     {2.0 / 7, 5.0 / 7, 0.4 / 7, 0},
     1,
     624 / 7.4,
     1},
    /* b = (min(5/7, 0.4), max(min(5/7, 0.6), min(2/7, 1)), min(2/7, 0.2), 0) = (0.4, 0.6, 0.2, 0);
     * score = (40 + 48 + 12) / 1.2. */
    {"missing value under main factor",
     &worked,
     MF,
     0,
     {92, NAN, 42},
     {{0.4, 0.6, 0, 0}, {0, 0, 0, 0}, {0, 1, 0.2, 0}},
     {5.0 / 7, 0, 2.0 / 7},
     {0.4, 0.6, 0.2, 0},
     1,
     100 / 1.2,
     1},
    /* Wallet alone carries all the weight: b = its row, score (80 + 12) / 1.2. */
    {"two of three values missing",
     &worked,
     WA,
     0,
     {NAN, NAN, 42},
     {{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 1, 0.2, 0}},
     {0, 0, 1},
     {0, 1, 0.2, 0},
     1,
     92 / 1.2,
     2},
    /* Payment +inf and growth -inf are on the shoulders: rows (1, 0, 0, 0) and (0, 0, 0, 1).
     * b = (0.5, 0.2, 0.04, 0.3), sum 1.04; score (50 + 16 + 2.4 + 12) / 1.04 = 80.4 / 1.04. */
    {"infinite values fall on the shoulders",
     &worked,
     WA,
     0,
     {INFINITY, -INFINITY, 42},
     {{1, 0, 0, 0}, {0, 0, 0, 1}, {0, 1, 0.2, 0}},
     {0.5, 0.3, 0.2},
     {0.5, 0.2, 0.04, 0.3},
     0,
     80.4 / 1.04,
     0},
    {"all memberships zero: no grade, score 0",
     &gaps,
     WA,
     0,
     {20, 10},
     {{0, 0, 0, 0}, {0, 0, 0, 0}},
     {0.6, 0.4},
     {0, 0, 0, 0},
     -1,
     0,
     0},
    {"all memberships zero under main factor with normalisation",
     &gaps,
     MF,
     NORM,
     {20, 10},
     {{0, 0, 0, 0}, {0, 0, 0, 0}},
     {0.6, 0.4},
     {0, 0, 0, 0},
     -1,
     0,
     0},
    /* A present value in no grade is evidence against every grade: its weight stays, so B sums to
     * 0.4 only; the score still divides by it (100). */
    {"value in no grade keeps its weight",
     &gaps,
     WA,
     0,
     {20, 0},
     {{0, 0, 0, 0}, {1, 0, 0, 0}},
     {0.6, 0.4},
     {0.4, 0, 0, 0},
     0,
     100,
     0},
    {"missing value gives its weight away, unlike a value in no grade",
     &gaps,
     WA,
     0,
     {NAN, 0},
     {{0, 0, 0, 0}, {1, 0, 0, 0}},
     {0, 1},
     {1, 0, 0, 0},
     0,
     100,
     1},
    /* visits 9: excellent 0.5, good 0.5; complaints 1.5: good 0.5, fair 0.5. Normalised rows
     * stay the same (each sums to 1). b = (0.3, 0.3 + 0.2, 0.2, 0): good, score
     * 30 + 40 + 12 = 82. */
    {"rows already summing to 1 are unchanged by normalisation",
     &gaps,
     WA,
     NORM,
     {9, 1.5},
     {{0.5, 0.5, 0, 0}, {0, 0.5, 0.5, 0}},
     {0.6, 0.4},
     {0.3, 0.5, 0.2, 0},
     1,
     82,
     0},
};

static void test_evaluate(void **state)
{
    (void)state;
    failures = 0;
    for (size_t n = 0; n < NCASES(eval_cases); n++) {
        const struct eval_case *c = &eval_cases[n];
        struct kam_fuzzy_model model = *c->model;
        struct kam_fuzzy_result got;
        struct kam_err err;
        enum kam_rc rc;

        model.op = c->op;
        model.flags = c->flags;
        kam_err_clear(&err);
        memset(&got, 0x5a, sizeof(got));
        rc = kam_fuzzy_evaluate(&model, c->values, &got, &err);
        EXPECT(c, rc == KAM_OK, "rc %s (%s), want OK", kam_rc_name(rc), err.msg);
        if (rc != KAM_OK)
            continue;
        EXPECT(c, got.nindicators == model.nindicators, "nindicators %zu", got.nindicators);
        EXPECT(c, got.ngrades == NM, "ngrades %zu", got.ngrades);
        for (size_t i = 0; i < model.nindicators; i++) {
            EXPECT(c, fabs(got.w[i] - c->w[i]) <= 1e-9, "w[%zu] %.17g, want %.17g", i, got.w[i],
                   c->w[i]);
            for (size_t j = 0; j < NM; j++)
                EXPECT(c, fabs(got.r[i][j] - c->r[i][j]) <= 1e-9, "r[%zu][%zu] %.17g, want %.17g",
                       i, j, got.r[i][j], c->r[i][j]);
        }
        for (size_t j = 0; j < NM; j++)
            EXPECT(c, fabs(got.b[j] - c->b[j]) <= 1e-9, "b[%zu] %.17g, want %.17g", j, got.b[j],
                   c->b[j]);
        EXPECT(c, got.grade == c->grade, "grade %d, want %d", got.grade, c->grade);
        EXPECT(c, fabs(got.score - c->score) <= 1e-9, "score %.17g, want %.17g", got.score,
               c->score);
        EXPECT(c, got.missing == c->missing, "missing %lld, want %lld", (long long)got.missing,
               (long long)c->missing);
    }
    assert_int_equal(failures, 0);
}

/* ---- model checks ---- */

/* A writable copy of the worked model, with room for one grade and one indicator too many. */
static struct fixture {
    struct kam_fuzzy_grade grades[KAM_FUZZY_MAX_GRADES + 1];
    struct kam_fuzzy_indicator ind[KAM_FUZZY_MAX_INDICATORS + 1];
    struct kam_fuzzy_model model;
} fx;

static void reset(void)
{
    memset(&fx, 0, sizeof(fx));
    memcpy(fx.grades, grades, sizeof(grades));
    memcpy(fx.ind, worked_ind, sizeof(worked_ind));
    fx.model = worked;
    fx.model.grades = fx.grades;
    fx.model.indicators = fx.ind;
}

static void no_grades(void)
{
    fx.model.ngrades = 0;
}
static void nine_grades(void)
{
    fx.model.ngrades = KAM_FUZZY_MAX_GRADES + 1;
}
static void no_indicators(void)
{
    fx.model.nindicators = 0;
}
static void too_many_indicators(void)
{
    fx.model.nindicators = KAM_FUZZY_MAX_INDICATORS + 1;
}
static void unknown_op(void)
{
    fx.model.op = (enum kam_fuzzy_operator)7;
}
static void unknown_flag(void)
{
    fx.model.flags = 1u << 3;
}
static void grade_empty_name(void)
{
    fx.grades[2].name = "";
}
static void grade_null_name(void)
{
    fx.grades[0].name = NULL;
}
static void grade_nan_score(void)
{
    fx.grades[1].score = NAN;
}
static void ind_no_name(void)
{
    fx.ind[1].name = NULL;
}
static void weight_nan(void)
{
    fx.ind[1].weight = NAN;
}
static void weight_inf(void)
{
    fx.ind[0].weight = INFINITY;
}
static void weight_negative(void)
{
    fx.ind[0].weight = 0.6;
    fx.ind[1].weight = 0.6;
    fx.ind[2].weight = -0.2;
}
static void weights_short(void)
{
    fx.ind[2].weight = 0.1;
}
static void weights_off_2e9(void)
{
    fx.ind[2].weight = 0.2 + 2e-9;
}
static void weights_off_5e10(void)
{
    fx.ind[2].weight = 0.2 + 5e-10;
}
static void weights_thirds(void)
{
    fx.ind[0].weight = 0.333333333333;
    fx.ind[1].weight = 0.333333333333;
    fx.ind[2].weight = 0.333333333333;
}
static void weight_zero(void)
{
    fx.ind[0].weight = 0.5;
    fx.ind[1].weight = 0.5;
    fx.ind[2].weight = 0;
}
static void tri_unordered(void)
{
    fx.ind[0].mf[1] = (struct kam_fuzzy_mf)TRI(90, 80, 95);
}
static void trap_unordered(void)
{
    fx.ind[2].mf[1] = (struct kam_fuzzy_mf)TRAP(30, 40, 60, 50);
}
static void tri_nan(void)
{
    fx.ind[1].mf[2] = (struct kam_fuzzy_mf)TRI(-5, NAN, 15);
}
static void trap_nan_d(void)
{
    fx.ind[2].mf[1] = (struct kam_fuzzy_mf)TRAP(30, 40, 50, NAN);
}
static void tri_nan_d_ignored(void)
{
    fx.ind[1].mf[2] = (struct kam_fuzzy_mf){KAM_FUZZY_TRIANGLE, -5, 5, 15, NAN};
}
static void tri_open(void)
{
    fx.ind[0].mf[3] = (struct kam_fuzzy_mf)TRI(-INFINITY, -INFINITY, 80);
}
static void trap_slope_from_minus_inf(void)
{
    fx.ind[0].mf[3] = (struct kam_fuzzy_mf)TRAP(-INFINITY, 60, 70, 80);
}
static void trap_slope_to_inf(void)
{
    fx.ind[0].mf[0] = (struct kam_fuzzy_mf)TRAP(90, 95, 100, INFINITY);
}
static void trap_one_at_inf(void)
{
    fx.ind[0].mf[0] = (struct kam_fuzzy_mf)TRAP(90, INFINITY, INFINITY, INFINITY);
}
static void trap_whole_line(void)
{
    fx.ind[1].mf[1] = (struct kam_fuzzy_mf)TRAP(-INFINITY, -INFINITY, INFINITY, INFINITY);
}
static void unknown_shape(void)
{
    fx.ind[2].mf[3].shape = (enum kam_fuzzy_shape)5;
}
static void nothing(void)
{
}

static const double worked_values[NK] = {92, 8, 42};

static const struct check_case {
    const char *name;
    void (*edit)(void);
    const double *values; /* NULL: 92, 8, 42 */
    enum kam_rc validate; /* kam_fuzzy_validate() */
    enum kam_rc evaluate; /* kam_fuzzy_evaluate(); same message when both fail */
    const char *msg;
} check_cases[] = {
    {"the worked model is valid", nothing, NULL, KAM_OK, KAM_OK, ""},
    {"no grades", no_grades, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID, "the model has no grades"},
    {"nine grades", nine_grades, NULL, KAM_ERR_TOO_LARGE, KAM_ERR_TOO_LARGE,
     "the model has 9 grades; at most 8 are allowed"},
    {"no indicators", no_indicators, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "the model has no indicators"},
    {"65 indicators", too_many_indicators, NULL, KAM_ERR_TOO_LARGE, KAM_ERR_TOO_LARGE,
     "the model has 65 indicators; at most 64 are allowed"},
    {"unknown operator", unknown_op, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "unknown composition operator 7"},
    {"unknown flag", unknown_flag, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID, "unknown flags 0x8"},
    {"grade with an empty name", grade_empty_name, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "grade 3 has no name"},
    {"grade without a name", grade_null_name, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "grade 1 has no name"},
    {"grade score NaN", grade_nan_score, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "grade 'good': score nan is not a finite number"},
    {"indicator without a name", ind_no_name, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 2 has no name"},
    {"weight NaN", weight_nan, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'growth': weight nan is not a finite number"},
    {"weight infinite", weight_inf, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'payment': weight inf is not a finite number"},
    {"negative weight though the sum is 1", weight_negative, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'wallet': weight -0.2 is negative"},
    {"weights sum to 0.9", weights_short, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator weights sum to 0.9; they must sum to 1 (within 1e-9)"},
    {"weights 2e-9 over 1", weights_off_2e9, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator weights sum to 1.000000002; they must sum to 1 (within 1e-9)"},
    {"weights 5e-10 over 1 pass", weights_off_5e10, NULL, KAM_OK, KAM_OK, ""},
    {"thirds written with 12 decimals pass", weights_thirds, NULL, KAM_OK, KAM_OK, ""},
    {"a zero weight is allowed", weight_zero, NULL, KAM_OK, KAM_OK, ""},
    {"triangle not ordered", tri_unordered, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'payment', grade 'good': triangle (90, 80, 95) is not ordered a <= b <= c"},
    {"trapezoid not ordered", trap_unordered, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'wallet', grade 'good': trapezoid (30, 40, 60, 50) is not ordered "
     "a <= b <= c <= d"},
    {"triangle parameter NaN", tri_nan, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'growth', grade 'fair': parameter b is not a number"},
    {"trapezoid d NaN", trap_nan_d, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'wallet', grade 'good': parameter d is not a number"},
    {"a triangle's unused d is not checked", tri_nan_d_ignored, NULL, KAM_OK, KAM_OK, ""},
    {"open triangle", tri_open, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'payment', grade 'poor': triangle (-inf, -inf, 80) must be bounded; for an open "
     "end use a trapezoid with a = b = -inf or c = d = inf"},
    {"trapezoid rising from -inf", trap_slope_from_minus_inf, NULL, KAM_ERR_INVALID,
     KAM_ERR_INVALID,
     "indicator 'payment', grade 'poor': trapezoid (-inf, 60, 70, 80) has a slope to infinity; "
     "an open end needs a = b = -inf or c = d = inf"},
    {"trapezoid falling to +inf", trap_slope_to_inf, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'payment', grade 'excellent': trapezoid (90, 95, 100, inf) has a slope to "
     "infinity; an open end needs a = b = -inf or c = d = inf"},
    {"trapezoid 1 only at +inf", trap_one_at_inf, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'payment', grade 'excellent': trapezoid (90, inf, inf, inf) is 1 only at "
     "infinity; it needs b < inf and c > -inf"},
    {"trapezoid over the whole line is allowed", trap_whole_line, NULL, KAM_OK, KAM_OK, ""},
    {"unknown shape", unknown_shape, NULL, KAM_ERR_INVALID, KAM_ERR_INVALID,
     "indicator 'wallet', grade 'poor': unknown membership function shape 5"},
    {"every value missing", nothing, (const double[NK]){NAN, NAN, NAN}, KAM_OK, KAM_ERR_INVALID,
     "every indicator value is missing; at least one is needed"},
    {"only a weight-0 indicator has a value", weight_zero, (const double[NK]){NAN, NAN, 42}, KAM_OK,
     KAM_ERR_INVALID,
     "only indicators with weight 0 have a value; at least one indicator with a weight above 0 "
     "needs a value"},
    {"a missing weight-0 indicator is fine", weight_zero, (const double[NK]){92, 8, NAN}, KAM_OK,
     KAM_OK, ""},
};

static void test_checks(void **state)
{
    (void)state;
    failures = 0;
    for (size_t n = 0; n < NCASES(check_cases); n++) {
        const struct check_case *c = &check_cases[n];
        const double *values = c->values ? c->values : worked_values;
        struct kam_fuzzy_result got, before;
        struct kam_err err;
        enum kam_rc rc;

        reset();
        c->edit();
        kam_err_clear(&err);
        rc = kam_fuzzy_validate(&fx.model, &err);
        EXPECT(c, rc == c->validate, "validate: rc %s, want %s", kam_rc_name(rc),
               kam_rc_name(c->validate));
        EXPECT(c, err.code == rc, "validate: err.code %s", kam_rc_name(err.code));
        if (c->validate != KAM_OK)
            EXPECT(c, strcmp(err.msg, c->msg) == 0, "validate: message '%s', want '%s'", err.msg,
                   c->msg);

        kam_err_clear(&err);
        memset(&got, 0x5a, sizeof(got));
        memset(&before, 0x5a, sizeof(before));
        rc = kam_fuzzy_evaluate(&fx.model, values, &got, &err);
        EXPECT(c, rc == c->evaluate, "evaluate: rc %s (%s), want %s", kam_rc_name(rc), err.msg,
               kam_rc_name(c->evaluate));
        EXPECT(c, err.code == rc, "evaluate: err.code %s", kam_rc_name(err.code));
        if (c->evaluate != KAM_OK) {
            EXPECT(c, strcmp(err.msg, c->msg) == 0, "evaluate: message '%s', want '%s'", err.msg,
                   c->msg);
            EXPECT(c, memcmp(&got, &before, sizeof(got)) == 0, "evaluate: *out written on error");
        }
    }
    assert_int_equal(failures, 0);
}

/* The largest model allowed: 64 indicators of equal weight 1/64 (exact in binary), 8 grades.
 * Indicator i's value lies fully in grade i % 8, so each grade gets 8 indicators: B is 1/8
 * everywhere under the weighted average, the tie goes to grade 0, and the score is the mean of
 * the grade scores 0, 10, ..., 70 = 35. Under main factor b_j = min(1/64, 1) = 1/64. */
static void test_largest_model(void **state)
{
    static struct kam_fuzzy_grade g[KAM_FUZZY_MAX_GRADES];
    static struct kam_fuzzy_indicator ind[KAM_FUZZY_MAX_INDICATORS];
    static const char *const names[KAM_FUZZY_MAX_GRADES] = {"g0", "g1", "g2", "g3",
                                                            "g4", "g5", "g6", "g7"};
    double values[KAM_FUZZY_MAX_INDICATORS];
    struct kam_fuzzy_model model = {g,
                                    KAM_FUZZY_MAX_GRADES,
                                    ind,
                                    KAM_FUZZY_MAX_INDICATORS,
                                    KAM_FUZZY_WEIGHTED_AVERAGE,
                                    KAM_FUZZY_NORMALIZE};
    struct kam_fuzzy_result got;
    struct kam_err err;

    (void)state;
    for (size_t j = 0; j < KAM_FUZZY_MAX_GRADES; j++)
        g[j] = (struct kam_fuzzy_grade){names[j], 10.0 * (double)j};
    for (size_t i = 0; i < KAM_FUZZY_MAX_INDICATORS; i++) {
        ind[i].name = "x";
        ind[i].weight = 1.0 / KAM_FUZZY_MAX_INDICATORS;
        /* Grade j is the band [j, j + 0.5] with feet at j - 0.25 and j + 0.75: no overlap. */
        for (size_t j = 0; j < KAM_FUZZY_MAX_GRADES; j++)
            ind[i].mf[j] = (struct kam_fuzzy_mf)TRAP((double)j - 0.25, (double)j, (double)j + 0.5,
                                                     (double)j + 0.75);
        values[i] = (double)(i % KAM_FUZZY_MAX_GRADES) + 0.25;
    }
    assert_int_equal(kam_fuzzy_evaluate(&model, values, &got, &err), KAM_OK);
    for (size_t j = 0; j < KAM_FUZZY_MAX_GRADES; j++)
        assert_float_equal(got.b[j], 0.125, 1e-12);
    assert_int_equal(got.grade, 0);
    assert_float_equal(got.score, 35.0, 1e-9);
    assert_int_equal(got.missing, 0);

    model.op = KAM_FUZZY_MAIN_FACTOR;
    assert_int_equal(kam_fuzzy_evaluate(&model, values, &got, &err), KAM_OK);
    for (size_t j = 0; j < KAM_FUZZY_MAX_GRADES; j++)
        assert_float_equal(got.b[j], 1.0 / 64, 0.0);
    assert_int_equal(got.grade, 0);
    assert_float_equal(got.score, 35.0, 1e-9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_membership),
        cmocka_unit_test(test_evaluate),
        cmocka_unit_test(test_checks),
        cmocka_unit_test(test_largest_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
