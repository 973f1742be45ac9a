/* Unit tests for src/core/review.c: which review reasons an account's numbers meet, the
 * sentences, the rules' checks, and the reason given for a lifecycle stage. Default rules:
 * declining below -20 % growth, promotion within 2 points, scope key and major. */
#include "core/review.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

#define K  KAM_TIER_KEY
#define MJ KAM_TIER_MAJOR
#define OR KAM_TIER_ORDINARY
#define SM KAM_TIER_SMALL
#define NO KAM_TIER_NONE

/* score, tier, computed, pinned, to_next, prev_score, prev_tier, stage, growth, justified */
#define IN(sc, t, c, pin, tn, ps, pt, st, g, j)                                                    \
    {                                                                                              \
        sc, t, c, pin, tn, ps, pt, st, g, j                                                        \
    }

#define STAB KAM_LIFECYCLE_STABILITY
#define DECL KAM_LIFECYCLE_DECLINE
#define DORM KAM_LIFECYCLE_DORMANT
#define LOST KAM_LIFECYCLE_LOST

/* Up to four findings, as reason/cause pairs; r[0] = -1 when none. */
#define BT KAM_REVIEW_BELOW_TIER
#define DC KAM_REVIEW_DECLINING
#define NJ KAM_REVIEW_NO_JUSTIFICATION
#define PR KAM_REVIEW_PROMOTION

static const struct kam_review_rules scope_ordinary = {-0.2, 2.0, KAM_TIER_ORDINARY};
static const struct kam_review_rules strict = {-0.1, 5.0, KAM_TIER_MAJOR};

static const struct case_ {
    const char *name;
    const struct kam_review_rules *rules; /* NULL: defaults */
    struct kam_review_input in;
    size_t n;
    int reason[4], cause[4];
} cases[] = {
    {"a justified key account doing well is not listed",
     NULL,
     IN(90, K, K, false, 0, 88, K, STAB, 0.05, true),
     0,
     {0},
     {0}},
    {"key without justification",
     NULL,
     IN(90, K, K, false, 0, NAN, NO, STAB, 0.05, false),
     1,
     {NJ},
     {KAM_REVIEW_EMPTY}},
    {"pinned key, the score gives major: below tier and unjustified",
     NULL,
     IN(61, K, MJ, true, 3, NAN, NO, STAB, 0.0, false),
     2,
     {BT, NJ},
     {KAM_REVIEW_PINNED_ABOVE, KAM_REVIEW_EMPTY}},
    {"pinned key, the score gives key: nothing",
     NULL,
     IN(95, K, K, true, 0, NAN, NO, STAB, 0.0, true),
     0,
     {0},
     {0}},
    {"fell from key to major since the previous run",
     NULL,
     IN(70, MJ, MJ, false, 4, 80, K, STAB, 0.0, true),
     1,
     {BT},
     {KAM_REVIEW_FELL}},
    {"fell from ordinary to small: outside the default scope",
     NULL,
     IN(20, SM, SM, false, 9, 30, OR, STAB, 0.0, false),
     0,
     {0},
     {0}},
    {"fell from ordinary to small with scope ordinary",
     &scope_ordinary,
     IN(20, SM, SM, false, 9, 30, OR, STAB, 0.0, false),
     1,
     {BT},
     {KAM_REVIEW_FELL}},
    {"rose since the previous run is not below tier",
     NULL,
     IN(80, K, K, false, 0, 70, MJ, STAB, 0.3, true),
     0,
     {0},
     {0}},
    {"major in decline",
     NULL,
     IN(70, MJ, MJ, false, 5, 71, MJ, DECL, -0.25, true),
     1,
     {DC},
     {KAM_REVIEW_STAGE_DECLINE}},
    {"ordinary in decline is outside the scope",
     NULL,
     IN(40, OR, OR, false, 5, 41, OR, DECL, -0.25, true),
     0,
     {0},
     {0}},
    {"lost after having been key: fell and silent",
     NULL,
     IN(10, SM, SM, false, 8, 85, K, LOST, -1.0, true),
     2,
     {BT, DC},
     {KAM_REVIEW_FELL, KAM_REVIEW_STAGE_SILENT}},
    {"dormant and still major",
     NULL,
     IN(60, MJ, MJ, false, 10, NAN, NO, DORM, NAN, true),
     1,
     {DC},
     {KAM_REVIEW_STAGE_SILENT}},
    {"growth -20 % exactly is not below -20 %",
     NULL,
     IN(70, MJ, MJ, false, 5, NAN, NO, STAB, -0.2, true),
     0,
     {0},
     {0}},
    {"growth -20.1 % is below -20 %",
     NULL,
     IN(70, MJ, MJ, false, 5, NAN, NO, STAB, -0.201, true),
     1,
     {DC},
     {KAM_REVIEW_GROWTH}},
    {"growth -15 % is below a -10 % threshold (and 5 points is within 5)",
     &strict,
     IN(70, MJ, MJ, false, 5, NAN, NO, STAB, -0.15, true),
     2,
     {DC, PR},
     {KAM_REVIEW_GROWTH, KAM_REVIEW_NEAR_NEXT}},
    {"undefined growth is not declining",
     NULL,
     IN(70, MJ, MJ, false, 5, NAN, NO, STAB, NAN, true),
     0,
     {0},
     {0}},
    {"major 0.5 points below key: promotion",
     NULL,
     IN(70, MJ, MJ, false, 0.5, NAN, NO, STAB, 0.0, true),
     1,
     {PR},
     {KAM_REVIEW_NEAR_NEXT}},
    {"1 point exactly is within 1",
     NULL,
     IN(70, OR, OR, false, 1, NAN, NO, STAB, 0.0, false),
     1,
     {PR},
     {KAM_REVIEW_NEAR_NEXT}},
    {"1.01 points is not within 1",
     NULL,
     IN(70, OR, OR, false, 1.01, NAN, NO, STAB, 0.0, false),
     0,
     {0},
     {0}},
    {"small near ordinary: outside the default scope",
     NULL,
     IN(20, SM, SM, false, 0.5, NAN, NO, STAB, 0.0, false),
     0,
     {0},
     {0}},
    {"small near ordinary with scope ordinary",
     &scope_ordinary,
     IN(20, SM, SM, false, 0.5, NAN, NO, STAB, 0.0, false),
     1,
     {PR},
     {KAM_REVIEW_NEAR_NEXT}},
    {"no next tier (to_next NaN) is no promotion",
     NULL,
     IN(70, MJ, MJ, false, NAN, NAN, NO, STAB, 0.0, false),
     0,
     {0},
     {0}},
    {"pinned ordinary, the score gives key: promotion, no near-next check",
     NULL,
     IN(92, OR, K, true, 0, NAN, NO, STAB, 0.0, false),
     1,
     {PR},
     {KAM_REVIEW_PINNED_BELOW}},
    {"pinned small, the score gives ordinary: outside the default scope",
     NULL,
     IN(40, SM, OR, true, 1, NAN, NO, STAB, 0.0, false),
     0,
     {0},
     {0}},
    {"pinned major near key: the pin decides, no near-next",
     NULL,
     IN(70, MJ, MJ, true, 0.5, NAN, NO, STAB, 0.0, false),
     0,
     {0},
     {0}},
    {"every reason at once",
     NULL,
     IN(61, K, MJ, true, 1, 90, K, DECL, -0.4, false),
     3,
     {BT, DC, NJ},
     {KAM_REVIEW_PINNED_ABOVE, KAM_REVIEW_STAGE_DECLINE, KAM_REVIEW_EMPTY}},
};

static void test_classify(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_review_finding f[KAM_REVIEW_REASONS];
        size_t n = kam_review_classify(&c->in, c->rules, f);
        EXPECT(c, n == c->n, "%zu findings, want %zu", n, c->n);
        for (size_t k = 0; k < n && k < c->n; k++) {
            EXPECT(c, (int)f[k].reason == c->reason[k], "finding %zu: reason %s, want %s", k,
                   kam_review_reason_name(f[k].reason),
                   kam_review_reason_name((enum kam_review_reason)c->reason[k]));
            EXPECT(c, (int)f[k].cause == c->cause[k], "finding %zu: cause %s, want %s", k,
                   kam_review_cause_name(f[k].cause),
                   kam_review_cause_name((enum kam_review_cause)c->cause[k]));
        }
    }
    assert_int_equal(failures, 0);
}

static void test_sentences(void **state)
{
    static const struct {
        const char *name;
        struct kam_review_input in;
        struct kam_review_finding f;
        const char *want;
    } s[] = {
        {"pinned above",
         IN(61.2, K, MJ, true, 3, NAN, NO, STAB, 0.0, true),
         {BT, KAM_REVIEW_PINNED_ABOVE},
         "pinned key, but its score 61.20 gives major: state why it stays key, or unpin it"},
        {"fell",
         IN(61.2, MJ, MJ, false, 3, 70.1, K, STAB, 0.0, true),
         {BT, KAM_REVIEW_FELL},
         "was key in the previous run (score 70.10), now major (score 61.20)"},
        {"decline with the tier before",
         IN(30, OR, OR, false, 3, 70.1, K, DECL, -0.25, true),
         {DC, KAM_REVIEW_STAGE_DECLINE},
         "ordinary (key before), lifecycle stage decline (recent months), revenue growth -25.0 %: "
         "re-develop it, "
         "or downgrade it"},
        {"silent, same tier",
         IN(30, MJ, MJ, false, 3, 40, MJ, DORM, NAN, true),
         {DC, KAM_REVIEW_STAGE_SILENT},
         "major, lifecycle stage dormant (recent months), revenue growth undefined: it stopped "
         "buying; find out "
         "why, or downgrade it"},
        {"growth",
         IN(70, MJ, MJ, false, 5, NAN, NO, STAB, -0.3, true),
         {DC, KAM_REVIEW_GROWTH},
         "major, revenue growth -30.0 % is below -20.0 % (lifecycle stage stability)"},
        {"unjustified",
         IN(88.5, K, K, false, 0, NAN, NO, STAB, 0, false),
         {NJ, KAM_REVIEW_EMPTY},
         "key account (score 88.50) without a stated justification: write why it is key, or "
         "downgrade it"},
        {"pinned below",
         IN(92, OR, K, true, 0, NAN, NO, STAB, 0, false),
         {PR, KAM_REVIEW_PINNED_BELOW},
         "pinned ordinary, but its score 92.00 gives key: promote it or state why not"},
        {"near next",
         IN(58.4, OR, OR, false, 1.2, NAN, NO, STAB, 0, false),
         {PR, KAM_REVIEW_NEAR_NEXT},
         "ordinary, score 58.40 is 1.20 points below major"},
    };
    char buf[512];
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(s); i++) {
        kam_review_sentence(&s[i].in, NULL, &s[i].f, buf, sizeof(buf));
        EXPECT(&s[i], strcmp(buf, s[i].want) == 0, "got '%s'", buf);
    }
    /* A short buffer is cut, never overrun. */
    kam_review_sentence(&s[0].in, NULL, &s[0].f, buf, 8);
    assert_string_equal(buf, "pinned ");
    assert_int_equal(failures, 0);
}

static void test_rules_check(void **state)
{
    static const struct {
        const char *name;
        struct kam_review_rules r;
        enum kam_rc rc;
        const char *msg;
    } c[] = {
        {"defaults", KAM_REVIEW_RULES_DEFAULT, KAM_OK, ""},
        {"growth 0 is allowed", {0.0, 2, KAM_TIER_MAJOR}, KAM_OK, ""},
        {"growth -1 never matches", {-1.0, 2, KAM_TIER_MAJOR}, KAM_ERR_INVALID, "decline"},
        {"growth above 0", {0.1, 2, KAM_TIER_MAJOR}, KAM_ERR_INVALID, "-0.2 for -20 %"},
        {"growth NaN", {NAN, 2, KAM_TIER_MAJOR}, KAM_ERR_INVALID, "decline threshold nan"},
        {"negative points", {-0.2, -1, KAM_TIER_MAJOR}, KAM_ERR_INVALID, "promotion distance -1"},
        {"points over 100", {-0.2, 101, KAM_TIER_MAJOR}, KAM_ERR_INVALID, "0 to 100"},
        {"scope none", {-0.2, 1, KAM_TIER_NONE}, KAM_ERR_INVALID, "scope -1 is not a tier"},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(c); i++) {
        struct kam_err err;
        kam_err_clear(&err);
        enum kam_rc rc = kam_review_rules_check(&c[i].r, &err);
        EXPECT(&c[i], rc == c[i].rc, "rc %s", kam_rc_name(rc));
        EXPECT(&c[i], strstr(err.msg, c[i].msg) != NULL, "message '%s'", err.msg);
    }
    assert_int_equal(failures, 0);
}

static void test_names(void **state)
{
    (void)state;
    for (int r = 0; r < KAM_REVIEW_REASONS; r++)
        assert_int_equal(kam_review_reason_find(kam_review_reason_name((enum kam_review_reason)r)),
                         r);
    assert_int_equal(kam_review_reason_find("below-tier"), -1);
    assert_string_equal(kam_review_cause_name(KAM_REVIEW_NEAR_NEXT), "near_next");
}

/* The lifecycle reason from real computations: the series of docs/method-lifecycle.md. */
static void test_stage_reasons(void **state)
{
#define U(x)  ((kam_money)(x)*KAM_MONEY_SCALE)
#define S6(x) U(x), U(x), U(x), U(x), U(x), U(x)
    static const struct {
        const char *name;
        size_t n;
        kam_money s[24];
        const char *want;
    } c[] = {
        {"none", 3, {0, 0, 0}, "no month with net revenue above 0"},
        {"lost", 24, {S6(100), S6(100), 0}, "no purchase for 12 months (lost after 12)"},
        {"dormant",
         18,
         {S6(100), S6(100), 0},
         "no purchase for 6 months (dormant after 6, lost "
         "after 12)"},
        {"new", 12, {0, 0, 0, 0, 0, 0, 0, 0, 0, U(100), 0, 0}, "buying for 3 months (new up to 3)"},
        {"young",
         12,
         {0, U(100), U(100), U(100), U(100), U(100), S6(100)},
         "buying for 11 months, not yet mature (12 months)"},
        {"decline",
         12,
         {S6(100), S6(80)},
         "last 6 months 480.00 vs 600.00 before (-20.0 %): at or below -20 %"},
        {"decline by returns",
         12,
         {S6(100), U(50), U(50), U(-300), U(50), U(50), U(50)},
         "last 6 months net -50.00: returns eat the purchases"},
        {"formation",
         12,
         {S6(100), S6(120)},
         "last 6 months 720.00 vs 600.00 before (+20.0 %): at or above +20 %"},
        {"formation again",
         12,
         {U(100), U(-200), 0, 0, 0, 0, S6(50)},
         "buying again: last 6 months 300.00 after -100.00 before"},
        {"stability",
         12,
         {S6(100), S6(100)},
         "last 6 months 600.00 vs 600.00 before (+0.0 %), active in 6 of 6 months"},
        {"irregular",
         12,
         {U(100), 0, U(100), 0, U(100), 0, 0, U(150), 0, 0, U(150), 0},
         "last 6 months 300.00 vs 300.00 before (+0.0 %), but active in only 2 of 6 months "
         "(stability needs 50 %)"},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(c); i++) {
        struct kam_lifecycle lc;
        struct kam_err err;
        char buf[256];
        assert_int_equal(kam_lifecycle_compute(c[i].s, c[i].n, NULL, &lc, &err), KAM_OK);
        kam_review_stage_reason(&lc, NULL, buf, sizeof(buf));
        EXPECT(&c[i], strcmp(buf, c[i].want) == 0, "stage %s: got '%s'",
               kam_lifecycle_stage_name(lc.stage), buf);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_classify),      cmocka_unit_test(test_sentences),
        cmocka_unit_test(test_rules_check),   cmocka_unit_test(test_names),
        cmocka_unit_test(test_stage_reasons),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
