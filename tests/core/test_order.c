/* Unit tests for src/core/order.c: how one order line adds to (and is removed from) the monthly
 * rollup. Amounts are raw kam_money (units * 10^4). */
#include "core/order.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "../case.h"

/* The fields of a line that matter to the rollup. */
struct line_in {
    kam_money quantity, unit_price, amount, cost, discount;
};

static const struct case_ {
    const char *name;
    struct line_in in;
    struct kam_rollup want; /* the rollup after adding the line once to an empty one */
} cases[] = {
    {"sale with known cost",
     {20000, 100000, 200000, 120000, 0},
     {200000, 120000, 200000, 20000, 0, 0, 1}},
    {"sale with unknown cost is left out of cost and costed revenue",
     {20000, 100000, 200000, KAM_NONE, 0},
     {200000, 0, 0, 20000, 0, 0, 1}},
    {"zero cost is a known cost", {10000, 50000, 50000, 0, 0}, {50000, 0, 50000, 10000, 0, 0, 1}},
    {"return with known cost",
     {-10000, 100000, -100000, -60000, 0},
     {-100000, -60000, -100000, -10000, -100000, 0, 1}},
    {"return with unknown cost counts as a return only",
     {-10000, 100000, -100000, KAM_NONE, 0},
     {-100000, 0, 0, -10000, -100000, 0, 1}},
    {"zero-quantity credit is not a return",
     {0, 0, -50000, KAM_NONE, 0},
     {-50000, 0, 0, 0, 0, 0, 1}},
    {"negative amount with positive quantity (rebate) is not a return",
     {10000, -30000, -30000, KAM_NONE, 0},
     {-30000, 0, 0, 10000, 0, 0, 1}},
    {"discount is summed",
     {30000, 100000, 250000, 150000, 50000},
     {250000, 150000, 250000, 30000, 0, 50000, 1}},
    {"fractional quantity of 1.5 kg", {15000, 375, 563, KAM_NONE, 0}, {563, 0, 0, 15000, 0, 0, 1}},
    {"large amounts near a trillion units",
     {INT64_C(10000000), INT64_C(1000000000000000), INT64_C(1000000000000000000),
      INT64_C(900000000000000000), 0},
     {INT64_C(1000000000000000000), INT64_C(900000000000000000), INT64_C(1000000000000000000),
      INT64_C(10000000), 0, 0, 1}},
};

static struct kam_order_line make_line(const struct line_in *in)
{
    struct kam_order_line l = {0};

    l.id = 1;
    l.order_id = "536365";
    l.line_no = 1;
    l.account_id = 17;
    l.product_id = 4;
    l.date = "2010-12-01 08:26:00";
    l.quantity = in->quantity;
    l.unit_price = in->unit_price;
    l.amount = in->amount;
    l.cost = in->cost;
    l.discount = in->discount;
    l.channel = "web";
    l.region = "United Kingdom";
    return l;
}

static bool rollup_eq(const struct kam_rollup *a, const struct kam_rollup *b)
{
    return a->revenue == b->revenue && a->cost == b->cost &&
           a->costed_revenue == b->costed_revenue && a->quantity == b->quantity &&
           a->returns == b->returns && a->discount == b->discount && a->lines == b->lines;
}

#define ROLLUP_FMT                                                                                 \
    "{revenue %lld, cost %lld, costed %lld, qty %lld, returns %lld, disc %lld, lines %lld}"
#define ROLLUP_ARGS(r)                                                                             \
    (long long)(r).revenue, (long long)(r).cost, (long long)(r).costed_revenue,                    \
        (long long)(r).quantity, (long long)(r).returns, (long long)(r).discount,                  \
        (long long)(r).lines

static void test_add_then_remove(void **state)
{
    static const struct kam_rollup zero = {0};

    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_order_line l = make_line(&c->in);
        struct kam_rollup r = {0};

        assert_true(kam_rollup_add_line(&r, &l, 1));
        EXPECT(c, rollup_eq(&r, &c->want), "after add " ROLLUP_FMT, ROLLUP_ARGS(r));
        assert_true(kam_rollup_add_line(&r, &l, -1));
        EXPECT(c, rollup_eq(&r, &zero), "after remove " ROLLUP_FMT, ROLLUP_ARGS(r));
    }
    assert_int_equal(failures, 0);
}

/* All lines in one cell: the rollup is the sum of the single-line rollups, and removing the lines
 * in another order brings it back to zero. */
static void test_many_lines(void **state)
{
    static const struct kam_rollup zero = {0};
    struct kam_rollup r = {0}, sum = {0};

    (void)state;
    for (size_t i = 0; i < NCASES(cases); i++) {
        struct kam_order_line l = make_line(&cases[i].in);
        const struct kam_rollup *w = &cases[i].want;

        assert_true(kam_rollup_add_line(&r, &l, 1));
        sum.revenue += w->revenue;
        sum.cost += w->cost;
        sum.costed_revenue += w->costed_revenue;
        sum.quantity += w->quantity;
        sum.returns += w->returns;
        sum.discount += w->discount;
        sum.lines += w->lines;
    }
    assert_true(rollup_eq(&r, &sum));
    assert_int_equal(r.lines, (int64_t)NCASES(cases));
    for (size_t i = NCASES(cases); i-- > 0;) {
        struct kam_order_line l = make_line(&cases[(i * 7) % NCASES(cases)].in);
        assert_true(kam_rollup_add_line(&r, &l, -1));
    }
    assert_true(rollup_eq(&r, &zero));
}

/* A re-import that changes a line removes the old version and adds the new one; the rollup must
 * equal the one built from the new version alone. */
static void test_update_replaces_line(void **state)
{
    enum { OTHER = 5 }; /* the zero-quantity credit */
    static const struct upd_case {
        const char *name;
        size_t old_case, new_case;
    } upd[] = {
        {"cost becomes known", 1, 0},
        {"cost becomes unknown", 0, 1},
        {"sale turned into a return", 0, 3},
        {"return turned into a sale", 4, 1},
        {"discount added", 0, 7},
    };
    (void)state;
    failures = 0;
    for (size_t i = 0; i < NCASES(upd); i++) {
        const struct upd_case *c = &upd[i];
        struct kam_order_line old_line = make_line(&cases[c->old_case].in);
        struct kam_order_line new_line = make_line(&cases[c->new_case].in);
        struct kam_order_line other = make_line(&cases[OTHER].in);
        struct kam_rollup r = {0}, want = {0};

        /* Another line of the same account and month stays in the cell throughout. */
        assert_true(kam_rollup_add_line(&r, &other, 1));
        assert_true(kam_rollup_add_line(&r, &old_line, 1));
        assert_true(kam_rollup_add_line(&r, &old_line, -1));
        assert_true(kam_rollup_add_line(&r, &new_line, 1));
        assert_true(kam_rollup_add_line(&want, &other, 1));
        assert_true(kam_rollup_add_line(&want, &new_line, 1));
        EXPECT(c, rollup_eq(&r, &want), "got " ROLLUP_FMT, ROLLUP_ARGS(r));
        EXPECT(c, r.lines == 2, "line count %lld", (long long)r.lines);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_then_remove),
        cmocka_unit_test(test_many_lines),
        cmocka_unit_test(test_update_replaces_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
