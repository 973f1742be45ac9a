/* Unit tests for src/core/rfm.c: recency, frequency and monetary scores 1..5 by mid-rank
 * percentile, and the segment table. Every expected score is computed by hand in the case or its
 * comment with score = ceil(5 (2w + t) / 2m): m accounts with a purchase, w of them worse, t equal
 * (itself included). Money is raw kam_money unless U() says units. */
#include "core/rfm.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/date.h"

#include "../case.h"

#define MAXN  12
#define AS_OF 15318 /* 2011-12-10, the day after the last Online Retail invoice; see test_as_of */
#define U(x)  ((kam_money)(x)*KAM_MONEY_SCALE)
/* An account that last bought `days` before AS_OF. */
#define BUY(id, days, freq, money)                                                                 \
    {                                                                                              \
        id, AS_OF - (days), freq, money                                                            \
    }
/* No purchase: last_day is garbage on purpose, it must be ignored. */
#define NOBUY(id, money)                                                                           \
    {                                                                                              \
        id, INT64_MAX, 0, money                                                                    \
    }

#define NO KAM_RFM_NONE
#define CH KAM_RFM_CHAMPIONS
#define LO KAM_RFM_LOYAL
#define PL KAM_RFM_POTENTIAL_LOYALIST
#define NW KAM_RFM_NEW
#define AR KAM_RFM_AT_RISK
#define HI KAM_RFM_HIBERNATING
#define LT KAM_RFM_LOST

static const struct case_ {
    const char *name;
    size_t n;
    struct kam_rfm_input in[MAXN];
    struct kam_rfm want[MAXN]; /* {recency, r, f, m, segment} */
} cases[] = {
    {"empty portfolio", 0, {{0}}, {{0}}},
    /* m = 1: ceil(5 * 1 / 2) = 3 on every axis; (3, 3, 3) is a potential loyalist. */
    {"single account scores the middle, 3", 1, {BUY(1, 5, 2, U(1000))}, {{5, 3, 3, 3, PL}}},
    {"account without purchase is none", 1, {NOBUY(1, U(-300))}, {{-1, 0, 0, 0, NO}}},
    {"no account with a purchase",
     3,
     {NOBUY(1, 0), NOBUY(2, U(5)), NOBUY(3, U(-5))},
     {{-1, 0, 0, 0, NO}, {-1, 0, 0, 0, NO}, {-1, 0, 0, 0, NO}}},
    /* m = 5, all distinct: ceil((2w + 1) / 2) = w + 1. M all 0: w = 0, t = 5, ceil(25/10) = 3. */
    {"all-zero revenue: every M is 3",
     5,
     {BUY(1, 10, 1, 0), BUY(2, 20, 2, 0), BUY(3, 30, 3, 0), BUY(4, 40, 4, 0), BUY(5, 50, 5, 0)},
     {{10, 5, 1, 3, NW},
      {20, 4, 2, 3, PL},
      {30, 3, 3, 3, PL},
      {40, 2, 4, 3, AR},
      {50, 1, 5, 3, AR}}},
    {"all accounts equal score 3",
     4,
     {BUY(1, 5, 2, U(100)), BUY(2, 5, 2, U(100)), BUY(3, 5, 2, U(100)), BUY(4, 5, 2, U(100))},
     {{5, 3, 3, 3, PL}, {5, 3, 3, 3, PL}, {5, 3, 3, 3, PL}, {5, 3, 3, 3, PL}}},
    /* m = 5: -100 < -20 < 0 < 30 < 500 score 1..5; R and F all equal: 3. */
    {"negative revenues rank below zero",
     5,
     {BUY(1, 7, 1, U(500)), BUY(2, 7, 1, U(-100)), BUY(3, 7, 1, U(30)), BUY(4, 7, 1, 0),
      BUY(5, 7, 1, U(-20))},
     {{7, 3, 3, 5, PL}, {7, 3, 3, 1, PL}, {7, 3, 3, 4, PL}, {7, 3, 3, 3, PL}, {7, 3, 3, 2, PL}}},
    /* m = 10: score = ceil((2w + t) / 4). F all 1: ceil(10 / 4) = 3.
     * R (fewer days better; w = accounts with more days):
     *   0: w 9 -> 19/4 -> 5;  3, 3: w 7, t 2 -> 16/4 = 4 exactly -> 4 (by position 4 and 5);
     *   10: w 6 -> 13/4 -> 4;  20: 11/4 -> 3;  30: 9/4 -> 3;  40: 7/4 -> 2;  50: 5/4 -> 2;
     *   60: 3/4 -> 1;  70: 1/4 -> 1.
     * M: 10: w 0 -> 1;  20, 20: w 1, t 2 -> 4/4 = 1 exactly -> 1 (by position 1 and 2);
     *   30: 7/4 -> 2;  40: 9/4 -> 3;  50, 50, 50: w 5, t 3 -> 13/4 -> 4 (by position 3, 4, 4);
     *   60: 17/4 -> 5;  70: 19/4 -> 5. */
    {"ties at quintile boundaries get one score",
     10,
     {BUY(1, 0, 1, 10), BUY(2, 3, 1, 20), BUY(3, 3, 1, 20), BUY(4, 10, 1, 30), BUY(5, 20, 1, 40),
      BUY(6, 30, 1, 50), BUY(7, 40, 1, 50), BUY(8, 50, 1, 50), BUY(9, 60, 1, 60),
      BUY(10, 70, 1, 70)},
     {{0, 5, 3, 1, PL},
      {3, 4, 3, 1, PL},
      {3, 4, 3, 1, PL},
      {10, 4, 3, 2, PL},
      {20, 3, 3, 3, PL},
      {30, 3, 3, 4, PL},
      {40, 2, 3, 4, AR},
      {50, 2, 3, 4, AR},
      {60, 1, 3, 5, AR},
      {70, 1, 3, 5, AR}}},
    /* m = 7: ceil(5 (2w + 1) / 14) for w = 0..6: 5/14, 15/14, 25/14, 35/14 = 2.5, 45/14, 55/14,
     * 65/14 -> 1, 2, 2, 3, 4, 4, 5. R and M all equal: 3. */
    {"7 accounts: n not divisible by 5",
     7,
     {BUY(1, 1, 1, U(100)), BUY(2, 1, 2, U(100)), BUY(3, 1, 3, U(100)), BUY(4, 1, 4, U(100)),
      BUY(5, 1, 5, U(100)), BUY(6, 1, 6, U(100)), BUY(7, 1, 7, U(100))},
     {{1, 3, 1, 3, HI},
      {1, 3, 2, 3, PL},
      {1, 3, 2, 3, PL},
      {1, 3, 3, 3, PL},
      {1, 3, 4, 3, LO},
      {1, 3, 4, 3, LO},
      {1, 3, 5, 3, LO}}},
    /* m = 3: ceil(5 (2w + 1) / 6) for w = 0, 1, 2: 5/6, 15/6, 25/6 -> 1, 3, 5. */
    {"3 accounts score 1, 3 and 5; purchase on the as-of day",
     3,
     {BUY(1, 0, 1, U(300)), BUY(2, 5, 2, U(200)), BUY(3, 10, 3, U(100))},
     {{0, 5, 1, 5, NW}, {5, 3, 3, 3, PL}, {10, 1, 5, 1, AR}}},
    /* Only accounts 2 and 3 are ranked (m = 2: ceil(5/4) = 2, ceil(15/4) = 4). Ranked too,
     * account 1's -500 would push account 3's M to 3. */
    {"account without purchase is left out of the ranks",
     3,
     {NOBUY(1, U(-500)), BUY(2, 1, 5, U(1000)), BUY(3, 30, 1, U(50))},
     {{-1, 0, 0, 0, NO}, {1, 4, 4, 4, CH}, {30, 2, 2, 2, HI}}},
    /* The worked example of docs/method-pareto-rfm.md: 9 accounts with a purchase, m = 9,
     * score = ceil(5 (2w + t) / 18); with t = 1, w = 0..8 gives 1 1 2 2 3 4 4 5 5.
     * R, worst first: H 326 (w0) 1, F 200 1, E 95 2, G 74 2, B 30 3, C and I 9 (w5 t2:
     *   60/18 = 3.33) 4, A 2 (w7) 5, D 1 5.
     * F, lowest first: D and H 1 (w0 t2: 10/18) 1, F and G 2 (w2 t2: 30/18) 2, C 3 (w4) 3,
     *   I 6 (w5) 4, E 9 4, B 14 5, A 25 5.
     * M, lowest first: H -40 1, G 650 1, I 1,800 2, C and D 2,400 (w3 t2: 40/18 = 2.22) 3,
     *   B 7,200 (w5) 4, E 9,500 4, F 22,000 5, A 48,000 5. */
    {"worked example: 10 accounts and their segments",
     10,
     {BUY(101, 2, 25, U(48000)), BUY(102, 30, 14, U(7200)), BUY(103, 9, 3, U(2400)),
      BUY(104, 1, 1, U(2400)), BUY(105, 95, 9, U(9500)), BUY(106, 200, 2, U(22000)),
      BUY(107, 74, 2, U(650)), BUY(108, 326, 1, U(-40)), BUY(109, 9, 6, U(1800)),
      NOBUY(110, U(-120))},
     {{2, 5, 5, 5, CH},
      {30, 3, 5, 4, LO},
      {9, 4, 3, 3, PL},
      {1, 5, 1, 3, NW},
      {95, 2, 4, 4, AR},
      {200, 1, 2, 5, AR},
      {74, 2, 2, 1, HI},
      {326, 1, 1, 1, LT},
      {9, 4, 4, 2, LO},
      {-1, 0, 0, 0, NO}}},
};

static void run_case(const struct case_ *c, const struct kam_rfm_input *in, const size_t *map)
{
    struct kam_rfm out[MAXN];
    struct kam_arena arena;
    struct kam_err err;
    enum kam_rc rc;

    kam_arena_init(&arena);
    kam_err_clear(&err);
    rc = kam_rfm_score(c->n ? in : NULL, c->n, AS_OF, c->n ? out : NULL, &arena, &err);
    EXPECT(c, rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
    for (size_t j = 0; rc == KAM_OK && j < c->n; j++) {
        const struct kam_rfm *g = &out[j], *w = &c->want[map[j]];
        EXPECT(c,
               g->recency == w->recency && g->r == w->r && g->f == w->f && g->m == w->m &&
                   g->segment == w->segment,
               "account %lld: %lld days (%d, %d, %d) %s, want %lld days (%d, %d, %d) %s",
               (long long)in[j].account_id, (long long)g->recency, g->r, g->f, g->m,
               kam_rfm_segment_name(g->segment), (long long)w->recency, w->r, w->f, w->m,
               kam_rfm_segment_name(w->segment));
    }
    kam_arena_release(&arena);
}

static void test_scores(void **state)
{
    size_t id[MAXN];

    (void)state;
    failures = 0;
    for (size_t j = 0; j < MAXN; j++)
        id[j] = j;
    for (size_t i = 0; i < NCASES(cases); i++)
        run_case(&cases[i], cases[i].in, id);
    assert_int_equal(failures, 0);
}

/* Scores depend on the values only, not on the input order: every case reversed. */
static void test_scores_reversed(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_rfm_input in[MAXN];
        size_t map[MAXN];
        for (size_t j = 0; j < c->n; j++) {
            in[j] = c->in[c->n - 1 - j];
            map[j] = c->n - 1 - j;
        }
        run_case(c, in, map);
    }
    assert_int_equal(failures, 0);
}

/* With m distinct values and m a multiple of 5, each score holds exactly m / 5 accounts:
 * score = ceil((2w + 1) / (2m / 5)) takes w = 0 .. m/5 - 1 to 1, and so on. */
static void test_even_quintiles(void **state)
{
    enum { M = 1000 };
    static struct kam_rfm_input in[M];
    static struct kam_rfm out[M];
    struct kam_arena arena;
    struct kam_err err;
    int count[6] = {0};

    (void)state;
    for (size_t i = 0; i < M; i++) {
        size_t k = (i * 389) % M; /* 389 is prime: a permutation of 0..M-1 */
        in[i] = (struct kam_rfm_input)BUY((int64_t)i, (int64_t)k, (int64_t)k + 1, (kam_money)k);
    }
    kam_arena_init(&arena);
    assert_int_equal(kam_rfm_score(in, M, AS_OF, out, &arena, &err), KAM_OK);
    for (size_t i = 0; i < M; i++) {
        size_t k = (i * 389) % M;
        assert_int_equal(out[i].f, (int)(k / (M / 5)) + 1);
        assert_int_equal(out[i].m, out[i].f);
        assert_int_equal(out[i].r, 6 - out[i].f); /* more days, lower R */
        count[out[i].f]++;
    }
    for (int s = 1; s <= 5; s++)
        assert_int_equal(count[s], M / 5);
    kam_arena_release(&arena);
}

static const struct err_case {
    const char *name;
    int64_t as_of;
    size_t n;
    struct kam_rfm_input in[3];
    const char *want_msg;
} err_cases[] = {
    {"negative frequency",
     AS_OF,
     2,
     {BUY(6, 1, 1, 0), BUY(7, 1, -1, 0)},
     "account 7: frequency -1 is negative"},
    {"last purchase after the as-of date",
     AS_OF,
     2,
     {BUY(6, 1, 1, 0), {8, AS_OF + 2, 1, 0}},
     "account 8: last purchase 2011-12-12 is after the as-of date 2011-12-10; give a later "
     "as-of date"},
    {"last purchase before the year 1",
     AS_OF,
     1,
     {{9, -719163, 1, 0}},
     "account 9: last purchase day -719163 is outside the years 1 to 9999"},
    {"as-of day after the year 9999",
     2932897,
     1,
     {BUY(1, 1, 1, 0)},
     "as-of day 2932897 is outside the years 1 to 9999"},
};

static void test_errors(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(err_cases); i++) {
        const struct err_case *c = &err_cases[i];
        struct kam_rfm out[3], untouched[3];
        struct kam_arena arena;
        struct kam_err err;
        enum kam_rc rc;

        memset(out, 0x5a, sizeof(out));
        memset(untouched, 0x5a, sizeof(untouched));
        kam_arena_init(&arena);
        kam_err_clear(&err);
        rc = kam_rfm_score(c->in, c->n, c->as_of, out, &arena, &err);
        EXPECT(c, rc == KAM_ERR_INVALID, "rc %s, want ERR_INVALID", kam_rc_name(rc));
        EXPECT(c, err.code == KAM_ERR_INVALID, "err.code %s", kam_rc_name(err.code));
        EXPECT(c, strcmp(err.msg, c->want_msg) == 0, "message '%s', want '%s'", err.msg,
               c->want_msg);
        EXPECT(c, memcmp(out, untouched, sizeof(out)) == 0, "out written on error");
        kam_arena_release(&arena);
    }
    assert_int_equal(failures, 0);
}

/* The segment rules as docs/method-pareto-rfm.md words them, written apart from the table in
 * rfm.c: the two must agree on all 125 score combinations. */
static enum kam_rfm_segment as_documented(int r, int f, int m)
{
    if (r >= 4 && f >= 4 && m >= 4)
        return CH;
    if (r >= 3 && f >= 4)
        return LO;
    if (r >= 3 && (f == 2 || f == 3))
        return PL;
    if (r >= 4 && f == 1)
        return NW;
    if (r <= 2 && f >= 3)
        return AR;
    if (r <= 2 && f <= 2 && m >= 4)
        return AR;
    if ((r == 2 || r == 3) && f <= 2)
        return HI;
    if (r == 1 && f <= 2 && m <= 3)
        return LT;
    return NO; /* a hole in the rules */
}

static void test_segment_table_matches_docs(void **state)
{
    (void)state;
    for (int r = 1; r <= 5; r++)
        for (int f = 1; f <= 5; f++)
            for (int m = 1; m <= 5; m++) {
                enum kam_rfm_segment want = as_documented(r, f, m);
                if (want == NO || kam_rfm_classify(r, f, m) != want)
                    fail_msg("(%d, %d, %d): %s, documented %s", r, f, m,
                             kam_rfm_segment_name(kam_rfm_classify(r, f, m)),
                             kam_rfm_segment_name(want));
            }
    assert_int_equal(kam_rfm_classify(0, 0, 0), NO);
}

/* The edges of each row, by hand. */
static const struct seg_case {
    const char *name;
    int r, f, m;
    enum kam_rfm_segment want;
} seg_cases[] = {
    {"no purchase", 0, 0, 0, NO},
    {"champions at their lower corner", 4, 4, 4, CH},
    {"recent and frequent but M 3 is loyal", 5, 5, 3, LO},
    {"R 3 with top F and M is loyal, not champion", 3, 5, 5, LO},
    {"R 3, F 2 is a potential loyalist", 3, 2, 1, PL},
    {"R 5, F 3 is a potential loyalist", 5, 3, 5, PL},
    {"R 4, F 1 is new", 4, 1, 1, NW},
    {"R 3, F 1 is hibernating, not new", 3, 1, 5, HI},
    {"R 2, F 3 is at risk", 2, 3, 1, AR},
    {"R 1, F 5, M 5 is at risk", 1, 5, 5, AR},
    {"R 2, F 2, M 4 is at risk for its revenue", 2, 2, 4, AR},
    {"R 2, F 2, M 3 is hibernating", 2, 2, 3, HI},
    {"R 1, F 1, M 4 is at risk for its revenue", 1, 1, 4, AR},
    {"R 1, F 2, M 3 is lost", 1, 2, 3, LT},
    {"lowest scores are lost", 1, 1, 1, LT},
};

static void test_segments(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(seg_cases); i++) {
        const struct seg_case *c = &seg_cases[i];
        enum kam_rfm_segment got = kam_rfm_classify(c->r, c->f, c->m);
        EXPECT(c, got == c->want, "%s, want %s", kam_rfm_segment_name(got),
               kam_rfm_segment_name(c->want));
    }
    assert_int_equal(failures, 0);
}

static void test_segment_names(void **state)
{
    static const char *const want[KAM_RFM_SEGMENTS] = {
        "none", "champions", "loyal", "potential loyalist", "new", "at risk", "hibernating", "lost",
    };

    (void)state;
    for (int s = 0; s < KAM_RFM_SEGMENTS; s++)
        assert_string_equal(kam_rfm_segment_name((enum kam_rfm_segment)s), want[s]);
}

static void test_as_of(void **state)
{
    struct kam_date d = {2011, 12, 10, 0, 0, 0, false};

    (void)state;
    assert_int_equal(kam_date_days(&d), AS_OF);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_as_of),           cmocka_unit_test(test_scores),
        cmocka_unit_test(test_scores_reversed), cmocka_unit_test(test_even_quintiles),
        cmocka_unit_test(test_errors),          cmocka_unit_test(test_segment_table_matches_docs),
        cmocka_unit_test(test_segments),        cmocka_unit_test(test_segment_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
