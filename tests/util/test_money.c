/* Unit tests for src/util/money.c: parsing, rounding arithmetic and text output of kam_money.
 *
 * Every value in the tables is written as the raw fixed-point integer (units * 10000) so that the
 * expected results do not depend on the code under test. No files, clock or store. */
#include "util/money.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

#define UNTOUCHED ((kam_money)777777)

static void test_parse(void **state)
{
    static const struct case_ {
        const char *name;
        const char *in;
        size_t len; /* 0: strlen(in) */
        enum kam_rc rc;
        kam_money want;
    } cases[] = {
        {"whole number", "42", 0, KAM_OK, 420000},
        {"zero", "0", 0, KAM_OK, 0},
        {"negative zero is zero", "-0", 0, KAM_OK, 0},
        {"negative whole number", "-6", 0, KAM_OK, -60000},
        {"explicit plus sign", "+3", 0, KAM_OK, 30000},
        {"one decimal, negative", "-12.5", 0, KAM_OK, -125000},
        {"two decimals", "2.55", 0, KAM_OK, 25500},
        {"four decimals below one", "0.0375", 0, KAM_OK, 375},
        {"four decimals, negative", "-0.0001", 0, KAM_OK, -1},
        {"three decimals as in the UCI unit prices", "1.695", 0, KAM_OK, 16950},
        {"trailing zeros in the decimals", "1.5000", 0, KAM_OK, 15000},
        {"leading zeros", "007.10", 0, KAM_OK, 71000},
        {"no digit before the point", ".5", 0, KAM_OK, 5000},
        {"surrounding spaces and tabs", " \t12.5 \t", 0, KAM_OK, 125000},
        {"blanks around a negative number", "  -3.25  ", 0, KAM_OK, -32500},
        {"length stops before trailing text", "12.5xyz", 4, KAM_OK, 125000},
        {"largest value", "922337203685477.5807", 0, KAM_OK, INT64_MAX},
        {"most negative accepted value", "-922337203685477.5807", 0, KAM_OK, -INT64_MAX},
        {"large whole number", "100000000000000", 0, KAM_OK, INT64_C(1000000000000000000)},

        {"empty text", "", 0, KAM_ERR_INVALID, 0},
        {"blanks only", " \t ", 0, KAM_ERR_INVALID, 0},
        {"minus sign alone", "-", 0, KAM_ERR_INVALID, 0},
        {"plus sign alone", "+", 0, KAM_ERR_INVALID, 0},
        {"point alone", ".", 0, KAM_ERR_INVALID, 0},
        {"sign and point without digits", "-.", 0, KAM_ERR_INVALID, 0},
        {"two decimal points", "1.2.3", 0, KAM_ERR_INVALID, 0},
        {"decimal comma and letter", "12,3x", 0, KAM_ERR_INVALID, 0},
        {"thousands separator", "1,234", 0, KAM_ERR_INVALID, 0},
        {"blank inside the number", "1 2", 0, KAM_ERR_INVALID, 0},
        {"blank after the sign", "- 5", 0, KAM_ERR_INVALID, 0},
        {"two signs", "--1", 0, KAM_ERR_INVALID, 0},
        {"mixed signs", "+-1", 0, KAM_ERR_INVALID, 0},
        {"sign after the digits", "5-", 0, KAM_ERR_INVALID, 0},
        {"exponent notation", "1e3", 0, KAM_ERR_INVALID, 0},
        {"hexadecimal", "0x10", 0, KAM_ERR_INVALID, 0},
        {"currency symbol", "$5", 0, KAM_ERR_INVALID, 0},
        {"five decimals", "1.23456", 0, KAM_ERR_INVALID, 0},
        {"five decimals, all zeros", "1.00000", 0, KAM_ERR_INVALID, 0},
        {"five decimals below one", "0.00001", 0, KAM_ERR_INVALID, 0},
        {"one past the largest value", "922337203685477.5808", 0, KAM_ERR_INVALID, 0},
        {"INT64_MIN is not representable (it is KAM_NONE)", "-922337203685477.5808", 0,
         KAM_ERR_INVALID, 0},
        {"whole part too large once scaled", "922337203685478", 0, KAM_ERR_INVALID, 0},
        {"far too many digits", "99999999999999999999999999", 0, KAM_ERR_INVALID, 0},
        {"far too many digits after the point", "0.99999999999999999999", 0, KAM_ERR_INVALID, 0},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct case_ *c = &cases[i];
        size_t len = c->len ? c->len : strlen(c->in);
        struct kam_err err = {0};
        kam_money got = UNTOUCHED;
        enum kam_rc rc = kam_money_parse(c->in, len, &got, &err);

        EXPECT(c, rc == c->rc, "rc %s, want %s", kam_rc_name(rc), kam_rc_name(c->rc));
        if (c->rc == KAM_OK) {
            EXPECT(c, got == c->want, "value %lld, want %lld", (long long)got, (long long)c->want);
        } else {
            EXPECT(c, got == UNTOUCHED, "*out written on error (%lld)", (long long)got);
            EXPECT(c, err.code == c->rc, "err.code %s", kam_rc_name(err.code));
            EXPECT(c, err.msg[0] != '\0', "empty error message");
            /* Messages are for users: no full stop (CONVENTIONS.md, Errors). */
            EXPECT(c, err.msg[strlen(err.msg) - 1] != '.', "message ends with '.': %s", err.msg);
        }
        /* A NULL err is allowed and gives the same code. */
        got = UNTOUCHED;
        rc = kam_money_parse(c->in, len, &got, NULL);
        EXPECT(c, rc == c->rc, "with NULL err: rc %s", kam_rc_name(rc));
    }
    assert_int_equal(failures, 0);
}

struct arith_case {
    const char *name;
    kam_money a, b;
    enum kam_rc rc;
    kam_money want;
};

static void test_mul(void **state)
{
    static const struct arith_case cases[] = {
        {"whole times whole", 20000, 30000, KAM_OK, 60000},
        {"quantity 12 at 2.55", 120000, 25500, KAM_OK, 306000},
        {"fractional quantity 1.5 kg at 0.0375", 15000, 375, KAM_OK, 563}, /* 0.05625 */
        {"0.0375 * 2.55 = 0.095625 rounds down", 375, 25500, KAM_OK, 956},
        {"times zero", 123456789, 0, KAM_OK, 0},
        {"times one", -123456789, 10000, KAM_OK, -123456789},
        {"exact half rounds up when positive", 1, 5000, KAM_OK, 1}, /* 0.00005 */
        {"exact half rounds away from zero, a negative", -1, 5000, KAM_OK, -1},
        {"exact half rounds away from zero, b negative", 1, -5000, KAM_OK, -1},
        {"both negative give a positive half rounded up", -1, -5000, KAM_OK, 1},
        {"odd half 0.00015 rounds to 0.0002", 3, 5000, KAM_OK, 2},
        {"odd half -0.00015 rounds to -0.0002", -3, 5000, KAM_OK, -2},
        {"just below half rounds toward zero", 1, 4999, KAM_OK, 0},
        {"just below half, negative, rounds toward zero", -1, 4999, KAM_OK, 0},
        {"just above half rounds away from zero", 1, 5001, KAM_OK, 1},
        {"just above half, negative, rounds away from zero", -1, 5001, KAM_OK, -1},
        {"intermediate product exceeds int64 but result fits", INT64_C(10000000000000), 1000000000,
         KAM_OK, INT64_C(1000000000000000000)}, /* 1e9 * 1e5 = 1e14 */
        {"largest value times one", INT64_MAX, 10000, KAM_OK, INT64_MAX},
        {"most negative value times one", -INT64_MAX, 10000, KAM_OK, -INT64_MAX},
        {"largest value times -1", INT64_MAX, -10000, KAM_OK, -INT64_MAX},
        {"overflow: largest value times 2", INT64_MAX, 20000, KAM_ERR_INVALID, 0},
        {"overflow: largest value times 1.0001", INT64_MAX, 10001, KAM_ERR_INVALID, 0},
        {"overflow: negative result too large", -INT64_MAX, 20000, KAM_ERR_INVALID, 0},
        {"overflow: both operands huge", INT64_MAX, INT64_MAX, KAM_ERR_INVALID, 0},
        {"overflow: both huge and negative", -INT64_MAX, -INT64_MAX, KAM_ERR_INVALID, 0},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct arith_case *c = &cases[i];
        struct kam_err err = {0};
        kam_money got = UNTOUCHED;
        enum kam_rc rc = kam_money_mul(c->a, c->b, &got, &err);

        EXPECT(c, rc == c->rc, "rc %s, want %s", kam_rc_name(rc), kam_rc_name(c->rc));
        if (c->rc == KAM_OK) {
            EXPECT(c, got == c->want, "value %lld, want %lld", (long long)got, (long long)c->want);
            /* Multiplication commutes, rounding included. */
            got = UNTOUCHED;
            rc = kam_money_mul(c->b, c->a, &got, NULL);
            EXPECT(c, rc == KAM_OK && got == c->want, "b * a gives %lld", (long long)got);
        } else {
            EXPECT(c, got == UNTOUCHED, "*out written on error (%lld)", (long long)got);
            EXPECT(c, err.code == c->rc && err.msg[0] != '\0', "err not filled");
        }
    }
    assert_int_equal(failures, 0);
}

static void test_div(void **state)
{
    static const struct arith_case cases[] = {
        {"10 / 4 = 2.5", 100000, 40000, KAM_OK, 25000},
        {"1 / 3 rounds down to 0.3333", 10000, 30000, KAM_OK, 3333},
        {"2 / 3 rounds up to 0.6667", 20000, 30000, KAM_OK, 6667},
        {"-2 / 3 rounds away from zero", -20000, 30000, KAM_OK, -6667},
        {"2 / -3 rounds away from zero", 20000, -30000, KAM_OK, -6667},
        {"-2 / -3 is positive", -20000, -30000, KAM_OK, 6667},
        {"exact half 0.0001 / 2 rounds up", 1, 20000, KAM_OK, 1},
        {"exact half -0.0001 / 2 rounds away from zero", -1, 20000, KAM_OK, -1},
        {"exact half 0.0001 / -2 rounds away from zero", 1, -20000, KAM_OK, -1},
        {"margin 30.6 / 12 = 2.55", 306000, 120000, KAM_OK, 25500},
        {"zero numerator", 0, 30000, KAM_OK, 0},
        {"divide by a fraction 1 / 0.0001", 10000, 1, KAM_OK, 100000000},
        {"largest value / 1", INT64_MAX, 10000, KAM_OK, INT64_MAX},
        {"largest value / -1", INT64_MAX, -10000, KAM_OK, -INT64_MAX},
        {"division by zero", 10000, 0, KAM_ERR_INVALID, 0},
        {"zero by zero", 0, 0, KAM_ERR_INVALID, 0},
        {"overflow: largest value / 0.5", INT64_MAX, 5000, KAM_ERR_INVALID, 0},
        {"overflow: 1e12 / 0.0001", INT64_C(10000000000000000), 1, KAM_ERR_INVALID, 0},
        {"overflow: negative result too large", -INT64_MAX, 5000, KAM_ERR_INVALID, 0},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct arith_case *c = &cases[i];
        struct kam_err err = {0};
        kam_money got = UNTOUCHED;
        enum kam_rc rc = kam_money_div(c->a, c->b, &got, &err);

        EXPECT(c, rc == c->rc, "rc %s, want %s", kam_rc_name(rc), kam_rc_name(c->rc));
        if (c->rc == KAM_OK)
            EXPECT(c, got == c->want, "value %lld, want %lld", (long long)got, (long long)c->want);
        else
            EXPECT(c, got == UNTOUCHED && err.code == c->rc && err.msg[0] != '\0',
                   "err not filled or *out written");
    }
    assert_int_equal(failures, 0);
}

static void test_str(void **state)
{
    static const struct case_ {
        const char *name;
        kam_money v;
        const char *want;
    } cases[] = {
        {"two decimals", 25500, "2.55"},
        {"whole negative number has no decimals", -60000, "-6"},
        {"four decimals below one", 375, "0.0375"},
        {"negative below one", -375, "-0.0375"},
        {"negative half", -5000, "-0.5"},
        {"zero", 0, "0"},
        {"smallest positive step", 1, "0.0001"},
        {"smallest negative step", -1, "-0.0001"},
        {"three significant decimals", 10, "0.001"},
        {"whole number ten", 100000, "10"},
        {"whole part and four decimals", 1234567891, "123456.7891"},
        {"largest value", INT64_MAX, "922337203685477.5807"},
        {"INT64_MIN does not overflow", INT64_MIN, "-922337203685477.5808"},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct case_ *c = &cases[i];
        char buf[32];
        char *ret = kam_money_str(c->v, buf, sizeof(buf));

        EXPECT(c, ret == buf, "does not return buf");
        EXPECT(c, strcmp(buf, c->want) == 0, "got '%s', want '%s'", buf, c->want);
        /* The exact text parses back to the same value (INT64_MIN is reserved for KAM_NONE). */
        if (c->v != INT64_MIN) {
            kam_money back = UNTOUCHED;
            enum kam_rc rc = kam_money_parse(buf, strlen(buf), &back, NULL);
            EXPECT(c, rc == KAM_OK && back == c->v, "'%s' parses back as %lld", buf,
                   (long long)back);
        }
    }
    assert_int_equal(failures, 0);
}

static void test_fmt(void **state)
{
    static const struct case_ {
        const char *name;
        kam_money v;
        int decimals;
        int sep;
        const char *want;
    } cases[] = {
        {"grouping in millions", INT64_C(12345678900), 2, 1, "1,234,567.89"},
        {"no grouping without separator", INT64_C(12345678900), 2, 0, "1234567.89"},
        {"negative with grouping", INT64_C(-12345678900), 2, 1, "-1,234,567.89"},
        {"no separator below a thousand", 9990000, 2, 1, "999.00"},
        {"separator at exactly a thousand", 10000000, 0, 1, "1,000"},
        {"six digits get one separator", 1000000000, 0, 1, "100,000"},
        {"half rounds up to two decimals", 25550, 2, 1, "2.56"},
        {"negative half rounds away from zero", -25550, 2, 1, "-2.56"},
        {"below half rounds down", 25549, 2, 1, "2.55"},
        {"rounding carries into the whole part", 9950, 2, 1, "1.00"},
        {"rounding carries into a new group", INT64_C(9999999950), 2, 1, "1,000,000.00"},
        {"zero decimals rounds half up", 12345000, 0, 1, "1,235"},
        {"zero decimals, negative half", -12345000, 0, 1, "-1,235"},
        {"zero decimals, below half", 4000, 0, 1, "0"},
        {"zero decimals, small negative is not -0", -4000, 0, 1, "0"},
        {"zero decimals, negative half rounds to -1", -5000, 0, 1, "-1"},
        {"small negative rounds to 0.00, not -0.00", -40, 2, 1, "0.00"},
        {"negative half cent rounds to -0.01", -50, 2, 1, "-0.01"},
        {"zero with two decimals", 0, 2, 1, "0.00"},
        {"zero with no decimals", 0, 0, 1, "0"},
        {"four decimals are exact", 375, 4, 1, "0.0375"},
        {"four decimals keep trailing zeros", -15000, 4, 0, "-1.5000"},
        {"three decimals round half up", 375, 3, 1, "0.038"},
        {"one decimal rounds half away from zero", 12500, 1, 1, "1.3"},
        {"one decimal, negative", -12500, 1, 1, "-1.3"},
        {"largest value, two decimals", INT64_MAX, 2, 1, "922,337,203,685,477.58"},
        {"largest value, no decimals", INT64_MAX, 0, 1, "922,337,203,685,478"},
        {"INT64_MIN, two decimals", INT64_MIN, 2, 1, "-922,337,203,685,477.58"},
        {"INT64_MIN, four decimals, no separator", INT64_MIN, 4, 0, "-922337203685477.5808"},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct case_ *c = &cases[i];
        char buf[40];
        char *ret = kam_money_fmt(c->v, c->decimals, c->sep, buf, sizeof(buf));

        EXPECT(c, ret == buf, "does not return buf");
        EXPECT(c, strcmp(buf, c->want) == 0, "got '%s', want '%s'", buf, c->want);
    }
    assert_int_equal(failures, 0);
}

static void test_to_double(void **state)
{
    static const struct case_ {
        const char *name;
        kam_money v;
        double want;
    } cases[] = {
        {"zero", 0, 0.0},
        {"two decimals", 25500, 2.55},
        {"negative", -60000, -6.0},
        {"four decimals", 375, 0.0375},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const struct case_ *c = &cases[i];
        double got = kam_money_to_double(c->v);
        double d = got - c->want;
        EXPECT(c, d < 1e-12 && d > -1e-12, "got %.17g, want %.17g", got, c->want);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse), cmocka_unit_test(test_mul), cmocka_unit_test(test_div),
        cmocka_unit_test(test_str),   cmocka_unit_test(test_fmt), cmocka_unit_test(test_to_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
