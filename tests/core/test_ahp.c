/* Unit tests for src/core/ahp.c: AHP weights, consistency ratio and worst pair
 * (docs/method-ahp.md).
 *
 * Where the figures come from:
 * - consistent matrices (a_ij = w_i / w_j) are derived by hand: A w = n w exactly, so the weights
 *   come back, lambda_max = n and CR = 0;
 * - every 3 x 3 reciprocal matrix has the row geometric means as its principal eigenvector and
 *   lambda_max = 1 + c^(1/3) + c^(-1/3) with c = a13 / (a12 a23) (Crawford & Williams 1985),
 *   which gives Saaty's classic example in closed form;
 * - the other matrices were checked with an independent power iteration (plain Python, same
 *   stopping rule), quoted to 4 decimals and tested at 1e-4;
 * - Saaty's house example is tested against the figures he published (3 decimals, at 1e-3).
 * Comments name criteria and pairs 1-based, like the error messages; worst_i and worst_j in the
 * table are 0-based, like the result. */
#include "core/ahp.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

#define MAXN 8

static const struct case_ {
    const char *name;
    size_t n;
    double a[MAXN * MAXN]; /* row-major n x n */
    double tol;            /* for weights, lambda_max and CR */
    double weights[MAXN];
    double lambda_max, cr;
    int worst_i, worst_j;
    bool consistent;
} cases[] = {
    /* One criterion takes all the weight; no pair, nothing to be inconsistent about. */
    {"single criterion", 1, {1}, 1e-15, {1}, 1, 0, -1, -1, true},

    /* A w = (0.75 + 3 * 0.25, 0.75 / 3 + 0.25) = (1.5, 0.5) = 2 w. Every 2 x 2 reciprocal
     * matrix is consistent; the only pair is (0,1). */
    {"2 x 2, three times as important",
     2,
     {1, 3, 1.0 / 3, 1},
     1e-12,
     {0.75, 0.25},
     2,
     0,
     0,
     1,
     true},
    /* Outside Saaty's 1..9 scale is allowed: w = (20, 1) / 21. */
    {"2 x 2 beyond Saaty's scale (20)",
     2,
     {1, 20, 1.0 / 20, 1},
     1e-12,
     {20.0 / 21, 1.0 / 21},
     2,
     0,
     0,
     1,
     true},
    /* 3 * 0.3333333 = 0.9999999, within the 1e-6 reciprocity tolerance. For [[1,a],[b,1]]
     * w1 / w2 = sqrt(a / b) = sqrt(9.0000009) = 3.00000015, so w = (0.75000001, 0.24999999);
     * lambda_max = 1 + sqrt(ab) = 1.99999995. */
    {"1/3 typed with 7 decimals is accepted",
     2,
     {1, 3, 0.3333333, 1},
     1e-7,
     {0.75, 0.25},
     1.99999995,
     0,
     0,
     1,
     true},

    /* a_ij = w_i / w_j for w = (0.6, 0.3, 0.1): one step from (1/3, 1/3, 1/3) gives
     * (3, 1.5, 0.5) / 5 = w, and A w = (1.8, 0.9, 0.3) = 3 w. Every deviation is 0 (up to
     * rounding), so the tie goes to the first pair. */
    {"consistent 3 x 3 from weights 0.6, 0.3, 0.1",
     3,
     {1, 2, 6, 0.5, 1, 3, 1.0 / 6, 1.0 / 3, 1},
     1e-12,
     {0.6, 0.3, 0.1},
     3,
     0,
     0,
     1,
     true},
    /* Saaty's classic example. Row geometric means: 45^(1/3) = 3.5569, 0.6^(1/3) = 0.8434,
     * (1/27)^(1/3) = 0.3333, sum 4.7336: w = (0.7514, 0.1782, 0.0704). c = 9 / 15 = 0.6:
     * lambda_max = 1 + 0.8434 + 1.1856 = 3.0291, CI = 0.0145, CR = 0.0145 / 0.58 = 0.0251
     * (often quoted as "about 0.03"). In a 3 x 3 matrix all three pairs deviate by the same
     * |ln(15 / 9)| / 3 = 0.1703, so the tie goes to (0,1). */
    {"Saaty's classic 3 x 3 (5, 9, 3)",
     3,
     {1, 5, 9, 1.0 / 5, 1, 3, 1.0 / 9, 1.0 / 3, 1},
     1e-3,
     {0.751, 0.178, 0.070},
     3.029,
     0.025,
     0,
     1,
     true},

    /* a_ij = w_i / w_j for w = (8, 4, 2, 1) / 15: each criterion twice the next. */
    {"consistent 4 x 4, each twice the next",
     4,
     {1, 2, 4, 8, 0.5, 1, 2, 4, 0.25, 0.5, 1, 2, 0.125, 0.25, 0.5, 1},
     1e-12,
     {8.0 / 15, 4.0 / 15, 2.0 / 15, 1.0 / 15},
     4,
     0,
     0,
     1,
     true},
    /* The chain says criterion 1 is 2 * 2 * 2 = 8 times criterion 4, the judgement a14 says 1.
     * w = (0.3864, 0.3084, 0.1542, 0.1509), lambda_max = 4.5832, CI = 0.1944,
     * CR = 0.1944 / 0.90 = 0.2160 > 0.10. Deviations: (1,4) 0.940, (2,4) and (3,4) 0.671,
     * (1,2) and (1,3) 0.468, (2,3) 0: the contradicting judgement stands out. Row 3 is row 2
     * halved, so w2 = 2 w3 exactly. */
    {"4 x 4, a14 = 1 contradicts the chain (8)",
     4,
     {1, 2, 4, 1, 0.5, 1, 2, 4, 0.25, 0.5, 1, 2, 1, 0.25, 0.5, 1},
     1e-4,
     {0.3864, 0.3084, 0.1542, 0.1509},
     4.5832,
     0.2160,
     0,
     3,
     false},
    /* a24 reversed (1/4 instead of 4). w = (0.5452, 0.1441, 0.1363, 0.1744),
     * lambda_max = 5.0869, CR = 0.3623 / 0.90 = 0.4026; deviations (2,4) 1.195, (1,4) and (3,4)
     * 0.939, the rest at most 0.638: the worst pair need not involve the first criterion. */
    {"4 x 4, a24 reversed",
     4,
     {1, 2, 4, 8, 0.5, 1, 2, 0.25, 0.25, 0.5, 1, 2, 0.125, 4, 0.5, 1},
     1e-4,
     {0.5452, 0.1441, 0.1363, 0.1744},
     5.0869,
     0.4026,
     1,
     3,
     false},
    /* A reversed judgement between the two least important criteria (a34 = 1/2 instead of 2)
     * moves little weight: w = (0.5340, 0.2670, 0.0978, 0.1013), lambda_max = 4.2492,
     * CR = 0.0831 / 0.90 = 0.0923, still acceptable; worst pair (3,4) at 0.658. */
    {"4 x 4, a34 reversed but CR under 0.10",
     4,
     {1, 2, 4, 8, 0.5, 1, 2, 4, 0.25, 0.5, 1, 0.5, 0.125, 0.25, 2, 1},
     1e-4,
     {0.5340, 0.2670, 0.0978, 0.1013},
     4.2492,
     0.0923,
     2,
     3,
     true},

    /* Saaty (1990), How to make a decision: the analytic hierarchy process, European Journal of
     * Operational Research 48, 9-26: the eight criteria for buying a house (size, transport,
     * neighbourhood, age, yard, modern facilities, general condition, financing). Published:
     * w = (0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333), lambda_max = 9.669,
     * CI = 0.238, CR = 0.169 (RI 1.41), above the 0.10 limit. Our
     * iteration gives 9.6689 and 0.1691. The worst pair is ours, not the paper's: neighbourhood
     * over general condition, judged 6 where the weights say 1.13 (deviation 1.672; next is
     * size over neighbourhood, 1.182). */
    {"Saaty's house example (8 criteria, CR 0.169)",
     8,
     {1,       5,       3,       7,       6,       6,       1.0 / 3, 1.0 / 4, 1.0 / 5, 1,
      1.0 / 3, 5,       3,       3,       1.0 / 5, 1.0 / 7, 1.0 / 3, 3,       1,       6,
      3,       4,       6,       1.0 / 5, 1.0 / 7, 1.0 / 5, 1.0 / 6, 1,       1.0 / 3, 1.0 / 4,
      1.0 / 7, 1.0 / 8, 1.0 / 6, 1.0 / 3, 1.0 / 3, 3,       1,       1.0 / 2, 1.0 / 5, 1.0 / 6,
      1.0 / 6, 1.0 / 3, 1.0 / 4, 4,       2,       1,       1.0 / 5, 1.0 / 6, 3,       5,
      1.0 / 6, 7,       5,       5,       1,       1.0 / 2, 4,       7,       5,       8,
      6,       6,       2,       1},
     1e-3,
     {0.173, 0.054, 0.188, 0.018, 0.031, 0.036, 0.167, 0.333},
     9.669,
     0.169,
     2,
     6,
     false},
};

static const double want_ri[KAM_AHP_MAX] = {0,    0,    0.58, 0.90, 1.12, 1.24, 1.32, 1.41,
                                            1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59};

static void check(const struct case_ *c, const struct kam_ahp_result *got)
{
    double sum = 0.0;

    for (size_t i = 0; i < c->n; i++) {
        EXPECT(c, fabs(got->weights[i] - c->weights[i]) <= c->tol, "weight %zu is %.6f, want %.6f",
               i, got->weights[i], c->weights[i]);
        sum += got->weights[i];
    }
    for (size_t i = c->n; i < KAM_AHP_MAX; i++)
        EXPECT(c, got->weights[i] == 0.0, "weight %zu beyond n is %g", i, got->weights[i]);
    EXPECT(c, fabs(sum - 1.0) <= 1e-12, "weights sum to %.17g", sum);
    EXPECT(c, fabs(got->lambda_max - c->lambda_max) <= c->tol, "lambda_max %.6f, want %.6f",
           got->lambda_max, c->lambda_max);
    /* lambda_max >= n holds for exactly reciprocal matrices; the 1e-6 tolerance lets it dip. */
    EXPECT(c, got->lambda_max >= (double)c->n - 1e-6, "lambda_max %.17g below n", got->lambda_max);
    EXPECT(c, fabs(got->cr - c->cr) <= c->tol, "cr %.6f, want %.6f", got->cr, c->cr);
    EXPECT(c, got->cr >= 0.0 && got->ci >= 0.0, "negative ci %g or cr %g", got->ci, got->cr);
    EXPECT(c, got->ri == want_ri[c->n - 1], "ri %g, want %g", got->ri, want_ri[c->n - 1]);
    if (c->n > 2)
        EXPECT(c, fabs(got->ci - (got->lambda_max - (double)c->n) / (double)(c->n - 1)) <= 1e-12,
               "ci %.17g does not follow from lambda_max", got->ci);
    else
        EXPECT(c, got->ci == 0.0 && got->cr == 0.0, "ci %g, cr %g for n <= 2", got->ci, got->cr);
    EXPECT(c, got->worst_i == c->worst_i && got->worst_j == c->worst_j,
           "worst pair (%d,%d), want (%d,%d)", got->worst_i, got->worst_j, c->worst_i, c->worst_j);
    EXPECT(c, kam_ahp_consistent(got) == c->consistent, "consistent is %d, want %d",
           kam_ahp_consistent(got), c->consistent);
}

static void test_compute(void **state)
{
    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct case_ *c = &cases[k];
        struct kam_ahp_result got;
        struct kam_err err;
        enum kam_rc rc;

        kam_err_clear(&err);
        memset(&got, 0x5a, sizeof(got));
        rc = kam_ahp_compute(c->a, c->n, &got, &err);
        EXPECT(c, rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
        if (rc == KAM_OK)
            check(c, &got);
    }
    assert_int_equal(failures, 0);
}

/* Row 3 of "a14 = 1 contradicts the chain" is row 2 halved, so (A w)_2 = 2 (A w)_3 at every
 * step and w2 = 2 w3 to the last bit of the iteration, not just to 1e-4. */
static void test_proportional_rows(void **state)
{
    const struct case_ *c = &cases[7];
    struct kam_ahp_result got;

    (void)state;
    assert_string_equal(c->name, "4 x 4, a14 = 1 contradicts the chain (8)");
    assert_int_equal(kam_ahp_compute(c->a, c->n, &got, NULL), KAM_OK);
    assert_float_equal(got.weights[1], 2 * got.weights[2], 1e-14);
}

/* A consistent matrix of every size, from w_i proportional to i + 1: the weights come back,
 * CR is 0, and RI is Saaty's table, n = 15 included. */
static void test_every_size(void **state)
{
    static double a[KAM_AHP_MAX * KAM_AHP_MAX];

    (void)state;
    for (size_t n = 1; n <= KAM_AHP_MAX; n++) {
        struct kam_ahp_result got;
        struct kam_err err;
        double total = (double)(n * (n + 1) / 2);

        for (size_t i = 0; i < n; i++)
            for (size_t j = 0; j < n; j++)
                a[i * n + j] = (double)(i + 1) / (double)(j + 1);
        kam_err_clear(&err);
        if (kam_ahp_compute(a, n, &got, &err) != KAM_OK)
            fail_msg("n = %zu: %s", n, err.msg);
        for (size_t i = 0; i < n; i++)
            assert_float_equal(got.weights[i], (double)(i + 1) / total, 1e-12);
        assert_float_equal(got.lambda_max, (double)n, 1e-12);
        assert_float_equal(got.ci, 0.0, 1e-12);
        assert_float_equal(got.cr, 0.0, 1e-12);
        assert_true(got.ri == want_ri[n - 1]);
        assert_true(kam_ahp_consistent(&got));
    }
}

#define INVN 4

static const struct bad_case {
    const char *name;
    size_t n;
    double a[INVN * INVN];
    const char *msg;
} bad_cases[] = {
    {"no criteria", 0, {1}, "matrix has 0 criteria, expected 1 to 15"},
    {"non-reciprocal pair named 1-based",
     3,
     {1, 3, 1, 1.0 / 3, 1, 3, 1, 0.5, 1},
     "cell (2,3) is 3 but cell (3,2) is 0.5, expected 1/3"},
    {"non-reciprocal pair below 1",
     2,
     {1, 0.5, 3, 1},
     "cell (1,2) is 0.5 but cell (2,1) is 3, expected 2"},
    /* 3 * 0.333 = 0.999: off by 1e-3, beyond the 1e-6 tolerance. */
    {"1/3 typed as 0.333",
     2,
     {1, 3, 0.333, 1},
     "cell (1,2) is 3 but cell (2,1) is 0.333, expected 1/3"},
    {"judgement copied into both halves",
     3,
     {1, 2, 4, 2, 1, 2, 0.25, 0.5, 1},
     "cell (1,2) is 2 but cell (2,1) is 2, expected 1/2"},
    {"zero judgement", 2, {1, 0, 0, 1}, "cell (1,2) is 0, expected a positive number"},
    /* Positivity is checked first: not "cell (1,2) is 2 but cell (2,1) is -0.5". */
    {"negative judgement", 2, {1, 2, -0.5, 1}, "cell (2,1) is -0.5, expected a positive number"},
    {"NaN judgement",
     3,
     {1, 1, NAN, 1, 1, 1, 1, 1, 1},
     "cell (1,3) is nan, expected a positive number"},
    {"infinite judgement", 2, {1, 1, INFINITY, 1}, "cell (2,1) is inf, expected a positive number"},
    {"negative zero", 2, {1, -0.0, 1, 1}, "cell (1,2) is -0, expected a positive number"},
    {"diagonal 2", 3, {1, 1, 1, 1, 2, 1, 1, 1, 1}, "cell (2,2) is 2, expected 1 on the diagonal"},
    {"diagonal 0.5 on a single criterion",
     1,
     {0.5},
     "cell (1,1) is 0.5, expected 1 on the diagonal"},
    /* Close is not enough on the diagonal, and the message must not round it to "1". */
    {"diagonal nearly 1",
     2,
     {1, 1, 1, 1.0000001},
     "cell (2,2) is 1.0000001, expected 1 on the diagonal"},
    /* Reciprocal and positive, but criterion 1 is 1e200 times criterion 2, which is 1e200
     * times criterion 3: weights about 1e-400 apart, beyond the range of a double (1e-308). */
    {"judgements spanning 400 orders of magnitude",
     3,
     {1, 1e200, 1e300, 1e-200, 1, 1e200, 1e-300, 1e-200, 1},
     "judgements span too many orders of magnitude to derive weights; keep them within Saaty's "
     "scale of 1/9 to 9"},
};

static void test_invalid(void **state)
{
    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(bad_cases); k++) {
        const struct bad_case *c = &bad_cases[k];
        struct kam_ahp_result got, before;
        struct kam_err err;
        enum kam_rc rc;

        kam_err_clear(&err);
        memset(&got, 0x5a, sizeof(got));
        before = got;
        rc = kam_ahp_compute(c->a, c->n, &got, &err);
        EXPECT(c, rc == KAM_ERR_INVALID, "rc %s, want ERR_INVALID", kam_rc_name(rc));
        EXPECT(c, err.code == KAM_ERR_INVALID, "err.code %s", kam_rc_name(err.code));
        EXPECT(c, strcmp(err.msg, c->msg) == 0, "message '%s', want '%s'", err.msg, c->msg);
        EXPECT(c, memcmp(&got, &before, sizeof(got)) == 0, "out written on error");
        /* err is optional. */
        rc = kam_ahp_compute(c->a, c->n, &got, NULL);
        EXPECT(c, rc == KAM_ERR_INVALID, "without err: rc %s", kam_rc_name(rc));
    }
    assert_int_equal(failures, 0);
}

/* 16 criteria, every judgement 1 (otherwise valid): refused for its size alone, before any cell
 * is read as a 15 x 15 matrix. */
static void test_too_many_criteria(void **state)
{
    static double a[16 * 16];
    struct kam_ahp_result got;
    struct kam_err err;

    (void)state;
    for (size_t i = 0; i < 16 * 16; i++)
        a[i] = 1.0;
    kam_err_clear(&err);
    assert_int_equal(kam_ahp_compute(a, 16, &got, &err), KAM_ERR_INVALID);
    assert_string_equal(err.msg, "matrix has 16 criteria, expected 1 to 15");
}

/* The 0.10 rule at its edge: exactly 0.10 passes. */
static void test_consistent_rule(void **state)
{
    static const struct {
        const char *name;
        double cr;
        bool want;
    } rule_cases[] = {
        {"perfectly consistent", 0.0, true},
        {"comfortably under", 0.05, true},
        {"exactly at the limit", 0.10, true},
        {"just over the limit", 0.1000001, false},
        {"far over", 1.0, false},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(rule_cases); k++) {
        struct kam_ahp_result r;
        memset(&r, 0, sizeof(r));
        r.cr = rule_cases[k].cr;
        EXPECT(&rule_cases[k], kam_ahp_consistent(&r) == rule_cases[k].want,
               "cr %g: consistent is %d", r.cr, kam_ahp_consistent(&r));
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_compute),           cmocka_unit_test(test_proportional_rows),
        cmocka_unit_test(test_every_size),        cmocka_unit_test(test_invalid),
        cmocka_unit_test(test_too_many_criteria), cmocka_unit_test(test_consistent_rule),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
