/* Unit tests for src/core/lifecycle.c: the stage of a monthly net revenue series (oldest first,
 * the last month is the as-of month) and the figures reported with it. Series are in whole units;
 * `adj` adds raw kam_money (1 = 0.0001) to the as-of month, to sit one step off a threshold.
 * Default rules: windows of 6 months, new within 3, mature at 12, dormant after 6 silent months,
 * lost after 12, +20 % / -20 %, active in at least half of the trailing window. */
#include "core/lifecycle.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

#define MAXN  24
#define R3(x) x, x, x
#define R6(x) x, x, x, x, x, x
/* window, new, mature, dormant, lost, growth bp, decline bp, min active bp */
#define RULES(w, nw, mat, dor, lost, gr, dec, act)                                                 \
    {                                                                                              \
        w, nw, mat, dor, lost, gr, dec, act                                                        \
    }

#define NO KAM_LIFECYCLE_NONE
#define NW KAM_LIFECYCLE_NEW
#define EX KAM_LIFECYCLE_EXPLORATION
#define FO KAM_LIFECYCLE_FORMATION
#define ST KAM_LIFECYCLE_STABILITY
#define DE KAM_LIFECYCLE_DECLINE
#define DO KAM_LIFECYCLE_DORMANT
#define LO KAM_LIFECYCLE_LOST

static const struct kam_lifecycle_rules growth10 = RULES(6, 3, 12, 6, 12, 1000, 2000, 5000);
static const struct kam_lifecycle_rules decline10 = RULES(6, 3, 12, 6, 12, 2000, 1000, 5000);
static const struct kam_lifecycle_rules dormant3 = RULES(6, 3, 12, 3, 12, 2000, 2000, 5000);
static const struct kam_lifecycle_rules lost9 = RULES(6, 3, 12, 6, 9, 2000, 2000, 5000);
static const struct kam_lifecycle_rules never_new = RULES(6, 0, 12, 6, 12, 2000, 2000, 5000);
static const struct kam_lifecycle_rules mature6 = RULES(6, 3, 6, 6, 12, 2000, 2000, 5000);
static const struct kam_lifecycle_rules window3 = RULES(3, 3, 12, 6, 12, 2000, 2000, 5000);
static const struct kam_lifecycle_rules every_month = RULES(6, 3, 12, 6, 12, 2000, 2000, 10000);

static const struct case_ {
    const char *name;
    const struct kam_lifecycle_rules *rules; /* NULL: defaults */
    size_t n;
    int64_t units[MAXN];
    kam_money adj;
    enum kam_lifecycle_stage want;
    int64_t trailing, previous; /* units; adj comes on top of trailing */
    double growth;              /* 0 when previous <= 0 */
    int64_t since_first, since_last, active;
} cases[] = {
    /* none */
    {"empty series is none", NULL, 0, {0}, 0, NO, 0, 0, 0, -1, -1, 0},
    {"all zeros is none", NULL, 12, {0}, 0, NO, 0, 0, 0, -1, -1, 0},
    {"only returns (negative months) is none",
     NULL,
     6,
     {0, -50, 0, 0, -20, 0},
     0,
     NO,
     -70,
     0,
     0,
     -1,
     -1,
     0},
    /* new */
    {"first purchase in the as-of month is new",
     NULL,
     12,
     {R6(0), 0, 0, 0, 0, 0, 100},
     0,
     NW,
     100,
     0,
     0,
     0,
     0,
     1},
    {"first purchase 2 months back (3rd month) is still new",
     NULL,
     12,
     {R6(0), 0, 0, 0, 100, 0, 0},
     0,
     NW,
     100,
     0,
     0,
     2,
     2,
     1},
    {"first purchase 3 months back is exploration, not new",
     NULL,
     12,
     {R6(0), 0, 0, 100, 0, 0, 0},
     0,
     EX,
     100,
     0,
     0,
     3,
     3,
     1},
    /* exploration */
    {"series shorter than the windows is exploration",
     NULL,
     4,
     {100, 100, 100, 100},
     0,
     EX,
     400,
     0,
     0,
     3,
     0,
     4},
    {"11 months of growth is still exploration",
     NULL,
     12,
     {0, 100, 100, 100, 100, 100, R6(100)},
     0,
     EX,
     600,
     500,
     0.2,
     10,
     0,
     6},
    {"mature, flat, active in 2 of 6 months is exploration (irregular)",
     NULL,
     12,
     {100, 0, 100, 0, 100, 0, 0, 150, 0, 0, 150, 0},
     0,
     EX,
     300,
     300,
     0,
     11,
     1,
     2},
    /* stability */
    {"12 months of flat buying is stability",
     NULL,
     12,
     {R6(100), R6(100)},
     0,
     ST,
     600,
     600,
     0,
     11,
     0,
     6},
    {"active in exactly half the months is stability",
     NULL,
     12,
     {100, 0, 100, 0, 100, 0, 100, 0, 100, 0, 100, 0},
     0,
     ST,
     300,
     300,
     0,
     11,
     1,
     3},
    /* formation */
    {"exactly +20 % is formation", NULL, 12, {R6(100), R6(120)}, 0, FO, 720, 600, 0.2, 11, 0, 6},
    {"0.0001 below +20 % is stability",
     NULL,
     12,
     {R6(100), R6(120)},
     -1,
     ST,
     720,
     600,
     0.2,
     11,
     0,
     6},
    {"buying again after a negative previous window is formation",
     NULL,
     12,
     {100, -200, 0, 0, 0, 0, R6(50)},
     0,
     FO,
     300,
     -100,
     0,
     11,
     0,
     6},
    {"one huge month in the trailing window is formation",
     NULL,
     12,
     {R6(100), 100, 100, 100, 100, 100, 10000},
     0,
     FO,
     10500,
     600,
     16.5,
     11,
     0,
     6},
    /* decline */
    {"exactly -20 % is decline", NULL, 12, {R6(100), R6(80)}, 0, DE, 480, 600, -0.2, 11, 0, 6},
    {"0.0001 above -20 % is stability",
     NULL,
     12,
     {R6(100), R6(80)},
     1,
     ST,
     480,
     600,
     -0.2,
     11,
     0,
     6},
    {"one huge month in the previous window is decline",
     NULL,
     12,
     {100, 100, 10000, 100, 100, 100, R6(100)},
     0,
     DE,
     600,
     10500,
     600.0 / 10500 - 1,
     11,
     0,
     6},
    {"returns make the trailing window negative: decline",
     NULL,
     12,
     {R6(100), 50, 50, -300, 50, 50, 50},
     0,
     DE,
     -50,
     600,
     -50.0 / 600 - 1,
     11,
     0,
     5},
    {"5 silent months after buying is decline, not dormant",
     NULL,
     18,
     {R6(100), R6(100), 100, 0, 0, 0, 0, 0},
     0,
     DE,
     100,
     600,
     100.0 / 600 - 1,
     17,
     5,
     1},
    /* dormant */
    {"exactly 6 silent months is dormant",
     NULL,
     18,
     {R6(100), R6(100), R6(0)},
     0,
     DO,
     0,
     600,
     -1,
     17,
     6,
     0},
    {"11 silent months is dormant",
     NULL,
     24,
     {R6(100), R6(100), 100, 0, 0, 0, 0, 0, R6(0)},
     0,
     DO,
     0,
     100,
     -1,
     23,
     11,
     0},
    {"a young account gone silent for 6 months is dormant",
     NULL,
     8,
     {100, 100, 0, 0, 0, 0, 0, 0},
     0,
     DO,
     0,
     200,
     -1,
     7,
     6,
     0},
    /* lost */
    {"exactly 12 silent months is lost",
     NULL,
     24,
     {R6(100), R6(100), R6(0), R6(0)},
     0,
     LO,
     0,
     0,
     0,
     23,
     12,
     0},
    {"a returns-only month does not end the silence",
     NULL,
     13,
     {100, 0, 0, 0, 0, -40, R6(0), 0},
     0,
     LO,
     0,
     -40,
     0,
     12,
     12,
     0},
    /* rules given by the caller */
    {"growth of +10 % is formation with a 10 % threshold",
     &growth10,
     12,
     {R6(100), R6(110)},
     0,
     FO,
     660,
     600,
     0.1,
     11,
     0,
     6},
    {"growth of +10 % is stability by default",
     NULL,
     12,
     {R6(100), R6(110)},
     0,
     ST,
     660,
     600,
     0.1,
     11,
     0,
     6},
    {"-10 % is decline with a 10 % threshold",
     &decline10,
     12,
     {R6(100), R6(90)},
     0,
     DE,
     540,
     600,
     -0.1,
     11,
     0,
     6},
    {"3 silent months is dormant with a 3-month dormant period",
     &dormant3,
     18,
     {R6(100), R6(100), R3(100), R3(0)},
     0,
     DO,
     300,
     600,
     -0.5,
     17,
     3,
     3},
    {"3 silent months is decline by default",
     NULL,
     18,
     {R6(100), R6(100), R3(100), R3(0)},
     0,
     DE,
     300,
     600,
     -0.5,
     17,
     3,
     3},
    {"9 silent months is lost with a 9-month lost period",
     &lost9,
     18,
     {R6(100), R3(100), R6(0), R3(0)},
     0,
     LO,
     0,
     300,
     -1,
     17,
     9,
     0},
    {"a new purchase is exploration when nothing counts as new",
     &never_new,
     12,
     {R6(0), 0, 0, 0, 0, 0, 100},
     0,
     EX,
     100,
     0,
     0,
     0,
     0,
     1},
    {"8 months of buying is formation when mature at 6",
     &mature6,
     8,
     {R6(100), 100, 100},
     0,
     FO,
     600,
     200,
     2.0,
     7,
     0,
     6},
    {"3-month windows see a -30 % drop that 6-month ones see as -15 %",
     &window3,
     12,
     {R6(100), 100, 100, 100, 70, 70, 70},
     0,
     DE,
     210,
     300,
     -0.3,
     11,
     0,
     3},
    {"6-month windows: -15 % is stability",
     NULL,
     12,
     {R6(100), 100, 100, 100, 70, 70, 70},
     0,
     ST,
     510,
     600,
     -0.15,
     11,
     0,
     6},
    {"active every other month is exploration when every month is required",
     &every_month,
     12,
     {100, 0, 100, 0, 100, 0, 100, 0, 100, 0, 100, 0},
     0,
     EX,
     300,
     300,
     0,
     11,
     1,
     3},
};

static void test_stages(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        const struct kam_lifecycle_rules def = KAM_LIFECYCLE_RULES_DEFAULT;
        const struct kam_lifecycle_rules *r = c->rules ? c->rules : &def;
        kam_money monthly[MAXN];
        kam_money want_t = c->trailing * KAM_MONEY_SCALE + c->adj;
        kam_money want_p = c->previous * KAM_MONEY_SCALE;
        struct kam_lifecycle out;
        struct kam_err err;
        enum kam_rc rc;

        for (size_t m = 0; m < c->n; m++)
            monthly[m] = c->units[m] * KAM_MONEY_SCALE;
        if (c->n > 0)
            monthly[c->n - 1] += c->adj;
        kam_err_clear(&err);
        rc = kam_lifecycle_compute(c->n ? monthly : NULL, c->n, c->rules, &out, &err);
        EXPECT(c, rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
        if (rc != KAM_OK)
            continue;
        EXPECT(c, out.stage == c->want, "stage %s, want %s", kam_lifecycle_stage_name(out.stage),
               kam_lifecycle_stage_name(c->want));
        EXPECT(c, out.trailing == want_t, "trailing %lld, want %lld", (long long)out.trailing,
               (long long)want_t);
        EXPECT(c, out.previous == want_p, "previous %lld, want %lld", (long long)out.previous,
               (long long)want_p);
        EXPECT(c, out.has_growth == (want_p > 0), "has_growth %d", out.has_growth);
        EXPECT(c, fabs(out.growth - c->growth) < 1e-6, "growth %.9f, want %.9f", out.growth,
               c->growth);
        EXPECT(c, out.months_since_first == c->since_first, "months since first %lld, want %lld",
               (long long)out.months_since_first, (long long)c->since_first);
        EXPECT(c, out.months_since_last == c->since_last, "months since last %lld, want %lld",
               (long long)out.months_since_last, (long long)c->since_last);
        EXPECT(c, out.tenure_months == (c->since_first < 0 ? 0 : c->since_first + 1), "tenure %lld",
               (long long)out.tenure_months);
        EXPECT(c, out.active_months == c->active, "active months %lld, want %lld",
               (long long)out.active_months, (long long)c->active);
        EXPECT(c, out.active_ratio == (double)c->active / r->window_months, "active ratio %f",
               out.active_ratio);
    }
    assert_int_equal(failures, 0);
}

/* NULL rules and the default initializer agree, on a series for every stage of the table. */
static void test_null_rules_are_the_defaults(void **state)
{
    const struct kam_lifecycle_rules def = KAM_LIFECYCLE_RULES_DEFAULT;

    (void)state;
    assert_int_equal(def.window_months, 6);
    assert_int_equal(def.new_months, 3);
    assert_int_equal(def.mature_months, 12);
    assert_int_equal(def.dormant_months, 6);
    assert_int_equal(def.lost_months, 12);
    assert_int_equal(def.growth_bp, 2000);
    assert_int_equal(def.decline_bp, 2000);
    assert_int_equal(def.min_active_bp, 5000);
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        kam_money monthly[MAXN];
        struct kam_lifecycle a, b;
        struct kam_err err;

        if (c->rules != NULL || c->n == 0)
            continue;
        for (size_t m = 0; m < c->n; m++)
            monthly[m] = c->units[m] * KAM_MONEY_SCALE + (m == c->n - 1 ? c->adj : 0);
        memset(&a, 0, sizeof(a));
        memset(&b, 0, sizeof(b));
        assert_int_equal(kam_lifecycle_compute(monthly, c->n, NULL, &a, &err), KAM_OK);
        assert_int_equal(kam_lifecycle_compute(monthly, c->n, &def, &b, &err), KAM_OK);
        assert_memory_equal(&a, &b, sizeof(a));
    }
}

/* Every stage is reached by some case above. */
static void test_every_stage_covered(void **state)
{
    int seen[KAM_LIFECYCLE_STAGES] = {0};

    (void)state;
    for (size_t i = 0; i < NCASES(cases); i++)
        seen[cases[i].want]++;
    for (int s = 0; s < KAM_LIFECYCLE_STAGES; s++)
        if (seen[s] == 0)
            fail_msg("no case for stage %s", kam_lifecycle_stage_name((enum kam_lifecycle_stage)s));
}

static const struct err_case {
    const char *name;
    struct kam_lifecycle_rules rules;
    size_t n;
    kam_money monthly[4];
    const char *want_msg;
} err_cases[] = {
    {"window of 0 months",
     RULES(0, 3, 12, 6, 12, 2000, 2000, 5000),
     1,
     {1},
     "lifecycle window of 0 months is below 1"},
    {"negative new period",
     RULES(6, -1, 12, 6, 12, 2000, 2000, 5000),
     1,
     {1},
     "lifecycle 'new' period of -1 months is negative"},
    {"maturity of 0 months",
     RULES(6, 3, 0, 6, 12, 2000, 2000, 5000),
     1,
     {1},
     "lifecycle maturity of 0 months is below 1"},
    {"dormant period of 0 months",
     RULES(6, 3, 12, 0, 12, 2000, 2000, 5000),
     1,
     {1},
     "lifecycle dormant period of 0 months is below 1"},
    {"lost before dormant",
     RULES(6, 3, 12, 6, 5, 2000, 2000, 5000),
     1,
     {1},
     "lifecycle lost period of 5 months is shorter than the dormant period of 6 months; make it "
     "at least as long"},
    {"negative growth threshold",
     RULES(6, 3, 12, 6, 12, -1, 2000, 5000),
     1,
     {1},
     "lifecycle growth threshold -1 basis points is negative"},
    {"decline over 100 %",
     RULES(6, 3, 12, 6, 12, 2000, 10001, 5000),
     1,
     {1},
     "lifecycle decline threshold 10001 basis points is outside 0 to 10000"},
    {"negative active share",
     RULES(6, 3, 12, 6, 12, 2000, 2000, -1),
     1,
     {1},
     "lifecycle minimum active share -1 basis points is outside 0 to 10000"},
    {"trailing window sum does not fit",
     RULES(6, 3, 12, 6, 12, 2000, 2000, 5000),
     2,
     {INT64_MAX, 1},
     "net revenue over 6 months does not fit in a money amount"},
    {"previous window sum does not fit",
     RULES(2, 3, 12, 6, 12, 2000, 2000, 5000),
     4,
     {INT64_MIN, -1, 5, 0},
     "net revenue over 2 months does not fit in a money amount"},
};

static void test_errors(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(err_cases); i++) {
        const struct err_case *c = &err_cases[i];
        struct kam_lifecycle out, untouched;
        struct kam_err err;
        enum kam_rc rc;

        memset(&out, 0x5a, sizeof(out));
        memset(&untouched, 0x5a, sizeof(untouched));
        kam_err_clear(&err);
        rc = kam_lifecycle_compute(c->monthly, c->n, &c->rules, &out, &err);
        EXPECT(c, rc == KAM_ERR_INVALID, "rc %s, want ERR_INVALID", kam_rc_name(rc));
        EXPECT(c, err.code == KAM_ERR_INVALID, "err.code %s", kam_rc_name(err.code));
        EXPECT(c, strcmp(err.msg, c->want_msg) == 0, "message '%s', want '%s'", err.msg,
               c->want_msg);
        EXPECT(c, memcmp(&out, &untouched, sizeof(out)) == 0, "out written on error");
    }
    assert_int_equal(failures, 0);
}

/* The previous window is two months of INT64_MIN / 2: exactly INT64_MIN, which fits; the growth
 * ratio is taken without the difference trailing - previous, which would not. */
static void test_extreme_sums_that_fit(void **state)
{
    const struct kam_lifecycle_rules r = RULES(2, 3, 12, 6, 12, 2000, 2000, 5000);
    const kam_money monthly[] = {INT64_MIN / 2, INT64_MIN / 2, INT64_MAX, 0};
    struct kam_lifecycle out;
    struct kam_err err;

    (void)state;
    assert_int_equal(kam_lifecycle_compute(monthly, 4, &r, &out, &err), KAM_OK);
    assert_true(out.previous == INT64_MIN);
    assert_true(out.trailing == INT64_MAX);
    assert_false(out.has_growth);
    assert_int_equal(out.stage, NW); /* first active month 1 month back: tenure 2 <= 3 */
}

static void test_stage_names(void **state)
{
    static const char *const want[KAM_LIFECYCLE_STAGES] = {
        "none", "new", "exploration", "formation", "stability", "decline", "dormant", "lost",
    };

    (void)state;
    for (int s = 0; s < KAM_LIFECYCLE_STAGES; s++)
        assert_string_equal(kam_lifecycle_stage_name((enum kam_lifecycle_stage)s), want[s]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_stages),
        cmocka_unit_test(test_null_rules_are_the_defaults),
        cmocka_unit_test(test_every_stage_covered),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_extreme_sums_that_fit),
        cmocka_unit_test(test_stage_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
