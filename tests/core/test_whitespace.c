/* Unit tests for src/core/whitespace.c: peer figures by group and category (members, buyers, the
 * buyers' median for odd and even counts), the gap rule at its two boundaries (share of buyers
 * exactly at the minimum, own revenue exactly at the fraction of the median), an account alone
 * in its group, accounts that only returned, the order of the gaps, overflow and the rule check.
 * The portfolio of "the worked example" is the one of docs/method-matrix.md and
 * tests/cli/test_analysis.sh (whole units as raw values: the rule only compares and subtracts). */
#include "core/whitespace.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

static const struct kam_ws_rule deflt = {KAM_WS_MIN_SHARE_DEFAULT, KAM_WS_BELOW_DEFAULT};

/* Accounts A B C (distributors), D E (end users), F (the only dealer); categories x y z. */
enum { NACC = 6, NCAT = 3, NGROUP = 3 };
static const uint32_t example_group[NACC] = {0, 0, 0, 1, 1, 2};
static const kam_money example_rev[NACC * NCAT] = {
    1800, 400, 200, /* A */
    1000, 0,   0,   /* B */
    250,  40,  0,   /* C */
    0,    600, 0,   /* D */
    100,  800, 0,   /* E */
    0,    0,   150, /* F */
};

static void test_peers_worked_example(void **state)
{
    (void)state;
    struct kam_ws_peer peers[NGROUP * NCAT];
    struct kam_arena arena;
    kam_arena_init(&arena);
    kam_whitespace_peers(example_group, NACC, NGROUP, example_rev, NCAT, peers, &arena);
    const struct kam_ws_peer want[NGROUP * NCAT] = {
        {3, 3, 1000}, /* distributors, x: 250 1000 1800 */
        {3, 2, 220},  /* y: 40 and 400, mean 220; B buys none */
        {3, 1, 200},  /* z: A only */
        {2, 1, 100},  /* end users, x: E only */
        {2, 2, 700},  /* y: 600 and 800 */
        {2, 0, 0},    /* z: nobody */
        {1, 0, 0},    /* the dealer alone */
        {1, 0, 0},    {1, 1, 150},
    };
    for (size_t i = 0; i < NGROUP * NCAT; i++) {
        assert_int_equal(peers[i].members, want[i].members);
        assert_int_equal(peers[i].buyers, want[i].buyers);
        assert_int_equal(peers[i].median, want[i].median);
    }
    /* Gaps by account: B misses y (220), C buys 40 of y (< 25 % of 220 = 55: worth 180) and
     * exactly 25 % of x's median (250 of 1000: not a gap), D misses x bought by exactly 50 %
     * of the end users (worth 100); A, E and F (alone) have none. */
    const kam_money want_total[NACC] = {0, 220, 180, 100, 0, 0};
    const size_t want_gaps[NACC] = {0, 1, 1, 1, 0, 0};
    const size_t want_cat[NACC] = {0, 1, 1, 0, 0, 0};
    for (size_t a = 0; a < NACC; a++) {
        struct kam_ws_gap gaps[NCAT];
        size_t n = 99;
        kam_money total = -1;
        struct kam_err err;
        assert_int_equal(kam_whitespace_gaps(&peers[example_group[a] * NCAT],
                                             &example_rev[a * NCAT], NCAT, &deflt, gaps, &n, &total,
                                             &err),
                         KAM_OK);
        assert_int_equal(n, want_gaps[a]);
        assert_int_equal(total, want_total[a]);
        if (n == 1) {
            assert_int_equal(gaps[0].category, want_cat[a]);
            assert_int_equal(gaps[0].worth, want_total[a]);
        }
    }
    kam_arena_release(&arena);
}

static void test_peers_edge_cases(void **state)
{
    (void)state;
    struct kam_arena arena;
    struct kam_ws_peer peers[4];
    kam_arena_init(&arena);
    /* Empty portfolio: the groups exist but have no members. */
    memset(peers, 0x5a, sizeof(peers));
    kam_whitespace_peers(NULL, 0, 2, NULL, 2, peers, &arena);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(peers[i].members + peers[i].buyers + peers[i].median, 0);
    /* A single account buying one category of two. */
    const uint32_t g1[] = {0};
    const kam_money r1[] = {0, 70};
    kam_whitespace_peers(g1, 1, 1, r1, 2, peers, &arena);
    assert_int_equal(peers[0].buyers, 0);
    assert_int_equal(peers[1].members, 1);
    assert_int_equal(peers[1].median, 70);
    /* All zero and negative revenue: nobody buys. */
    const uint32_t g3[] = {0, 0, 0};
    const kam_money r3[] = {0, -5, 0};
    kam_whitespace_peers(g3, 3, 1, r3, 1, peers, &arena);
    assert_int_equal(peers[0].members, 3);
    assert_int_equal(peers[0].buyers, 0);
    assert_int_equal(peers[0].median, 0);
    /* Groups given out of order; an even count of buyers with a half-unit mean. */
    const uint32_t g4[] = {1, 0, 1, 1};
    const kam_money r4[] = {3, 9, 4, 0};
    kam_whitespace_peers(g4, 4, 2, r4, 1, peers, &arena);
    assert_int_equal(peers[0].members, 1);
    assert_int_equal(peers[0].median, 9);
    assert_int_equal(peers[1].members, 3);
    assert_int_equal(peers[1].buyers, 2);
    assert_int_equal(peers[1].median, 4); /* (3 + 4) / 2 = 3.5 -> 4 */
    kam_arena_release(&arena);
}

static const struct gap_case {
    const char *name;
    struct kam_ws_peer peer;
    kam_money own;
    struct kam_ws_rule rule;
    bool gap;
    kam_money worth;
} gap_cases[] = {
    {"share exactly at the minimum qualifies", {2, 1, 100}, 0, {5000, 2500}, true, 100},
    {"share just below the minimum", {3, 1, 100}, 0, {5000, 2500}, false, 0},
    {"own revenue exactly 25 % of the median is not a gap",
     {1, 1, 1000},
     250,
     {5000, 2500},
     false,
     0},
    {"own revenue just below 25 %", {4, 4, 1000}, 249, {5000, 2500}, true, 751},
    {"nobody buys it: no gap even with a 0 % minimum", {3, 0, 0}, 0, {0, 2500}, false, 0},
    {"alone in the group and buying it", {1, 1, 150}, 150, {5000, 2500}, false, 0},
    {"alone in the group and not buying it", {1, 0, 0}, 0, {5000, 2500}, false, 0},
    {"only returns: a negative revenue is nothing bought",
     {2, 1, 100},
     -20,
     {5000, 2500},
     true,
     120},
    {"a 0 % fraction still flags accounts that buy nothing", {2, 2, 100}, 0, {5000, 0}, true, 100},
    {"a 0 % fraction spares any purchase", {2, 2, 100}, 1, {5000, 0}, false, 0},
    {"a 100 % minimum needs every peer", {3, 2, 100}, 0, {10000, 2500}, false, 0},
    {"a 100 % fraction flags buying below the median", {3, 3, 100}, 99, {10000, 10000}, true, 1},
};

static void test_gap_rule(void **state)
{
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(gap_cases); i++) {
        const struct gap_case *c = &gap_cases[i];
        struct kam_ws_gap g[1];
        size_t n = 99;
        kam_money total = -1;
        struct kam_err err;
        enum kam_rc rc = kam_whitespace_gaps(&c->peer, &c->own, 1, &c->rule, g, &n, &total, &err);
        EXPECT(c, rc == KAM_OK, "rc %s", kam_rc_name(rc));
        EXPECT(c, n == (c->gap ? 1u : 0u), "%zu gaps, want %d", n, c->gap);
        EXPECT(c, total == c->worth, "worth %lld, want %lld", (long long)total,
               (long long)c->worth);
        if (c->gap && n == 1)
            EXPECT(c, g[0].revenue == c->own && g[0].worth == c->worth, "gap fields");
    }
    assert_int_equal(failures, 0);
}

static void test_gap_order_and_overflow(void **state)
{
    (void)state;
    const struct kam_ws_peer peers[] = {{2, 2, 100}, {2, 2, 300}, {2, 2, 300}};
    const kam_money own[] = {0, 0, 0};
    struct kam_ws_gap g[3];
    size_t n;
    kam_money total;
    struct kam_err err;
    assert_int_equal(kam_whitespace_gaps(peers, own, 3, &deflt, g, &n, &total, &err), KAM_OK);
    assert_int_equal(n, 3);
    assert_int_equal(total, 700);
    /* Largest worth first; equal worths by category. */
    assert_int_equal(g[0].category, 1);
    assert_int_equal(g[1].category, 2);
    assert_int_equal(g[2].category, 0);
    assert_int_equal(kam_whitespace_gaps(peers, own, 0, &deflt, g, &n, &total, &err), KAM_OK);
    assert_int_equal(n, 0);
    assert_int_equal(total, 0);

    const struct kam_ws_peer huge[] = {{1, 1, INT64_MAX}};
    const kam_money minus_one[] = {-1};
    assert_int_equal(kam_whitespace_gaps(huge, minus_one, 1, &deflt, g, &n, &total, &err),
                     KAM_ERR_TOO_LARGE);
    const struct kam_ws_peer big[] = {{1, 1, INT64_MAX / 2 + 1}, {1, 1, INT64_MAX / 2 + 1}};
    const kam_money zeros[] = {0, 0};
    assert_int_equal(kam_whitespace_gaps(big, zeros, 2, &deflt, g, &n, &total, &err),
                     KAM_ERR_TOO_LARGE);
    assert_non_null(strstr(err.msg, "too large"));
}

static void test_rule_check(void **state)
{
    (void)state;
    struct kam_err err;
    const struct kam_ws_rule ok[] = {{0, 0}, {10000, 10000}, {5000, 2500}};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(kam_whitespace_check(&ok[i], &err), KAM_OK);
    const struct kam_ws_rule share = {10001, 2500}, below = {5000, -1};
    assert_int_equal(kam_whitespace_check(&share, &err), KAM_ERR_INVALID);
    assert_non_null(strstr(err.msg, "peer share 100.01 %"));
    assert_int_equal(kam_whitespace_check(&below, &err), KAM_ERR_INVALID);
    assert_non_null(strstr(err.msg, "fraction of the peer median"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_peers_worked_example),
        cmocka_unit_test(test_peers_edge_cases),
        cmocka_unit_test(test_gap_rule),
        cmocka_unit_test(test_gap_order_and_overflow),
        cmocka_unit_test(test_rule_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
