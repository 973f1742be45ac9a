/* Unit tests for src/core/metrics.c: the account metrics as of a date (docs/method-metrics.md).
 *
 * One crafted account (cells, orders, products, invoices) over 15 months, January 2023 to
 * March 2024, plus data after the as-of day that must be ignored. Every expected figure is
 * worked out by hand in the comment beside it; the main case is the worked example of the doc.
 * Money is written in whole currency units with U() and compared exactly; ratios within 1e-12. */
#include "core/metrics.h"

#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "util/date.h"

#include "../case.h"

#define U(x) ((kam_money)(x)*KAM_MONEY_SCALE)

/* A label for EXPECT outside a case table. */
struct label {
    const char *name;
};

/* kam_date_days of yyyymmdd; 0 is KAM_NONE (no date). */
static int64_t day(int ymd)
{
    if (ymd == 0)
        return KAM_NONE;
    struct kam_date d = {.year = ymd / 10000, .month = ymd / 100 % 100, .day = ymd % 100};
    return kam_date_days(&d);
}

static struct kam_metrics_period period(int ymd, int window)
{
    return (struct kam_metrics_period){
        .as_of = day(ymd), .as_of_month = ymd / 100, .window_months = window};
}

static bool near(double got, double want)
{
    if (isnan(want))
        return isnan(got);
    return fabs(got - want) <= 1e-12 * (fabs(want) > 1 ? fabs(want) : 1);
}

/* ---- the crafted account ------------------------------------------------------------------ */

/* {revenue, cost, costed_revenue, quantity, returns, discount, lines} per month. */
static const struct kam_metrics_month months[] = {
    {202301, {U(1000), U(600), U(1000), U(40), 0, 0, 4}},
    {202302, {U(500), U(300), U(500), U(20), 0, 0, 2}},
    /* 202303: no cell */
    {202304, {U(800), U(500), U(800), U(30), 0, 0, 3}},
    /* 1000 of the 1200 have a known cost */
    {202306, {U(1200), U(700), U(1000), U(50), 0, 0, 5}},
    /* a sale of 200 (cost 120) and a return of 300 (cost 180): net -100 */
    {202309, {-U(100), -U(60), -U(100), -U(4), -U(300), 0, 2}},
    /* 500 of the 2000 without cost; returns 200 */
    {202310, {U(2000), U(1000), U(1500), U(80), -U(200), U(100), 6}},
    {202312, {U(1500), U(900), U(1500), U(60), 0, U(50), 4}},
    /* no line of the month has a cost */
    {202402, {U(900), 0, 0, U(35), -U(100), 0, 3}},
    {202403, {U(600), U(400), U(600), U(25), 0, U(50), 2}},
    /* after the as-of month: ignored */
    {202404, {U(5000), U(3000), U(5000), U(200), 0, 0, 10}},
};

/* Orders in no particular order (the input may come in any). */
static const struct {
    int ymd;
    bool purchase;
} orders[] = {
    {20240320, true},  /* after the as-of day (its lines are in the 202403 cell) */
    {20230110, true},  /* the first purchase */
    {20230125, true},  /* before the window */
    {20230214, true},  /* before the window */
    {20230403, true},  /* before the window */
    {20230620, true},  /* before the window */
    {20230621, true},  /* before the window */
    {20230905, false}, /* a return order */
    {20230930, true},  /* the day before the window */
    {20231001, true},  /* the window's first day: 1 in the window */
    {20231018, true},  /* 2 */
    {20231025, false}, /* a return order */
    {20231205, true},  /* 3 */
    {20231220, true},  /* 4 */
    {20240210, true},  /* 5 */
    {20240211, false}, /* a return order */
    {20240304, true},  /* 6, the last purchase */
    {20240315, false}, /* a return on the as-of day: not a purchase */
    {20240402, true},  /* after the as-of month */
};

/* {first month, category (-1 = none), lines}, in no particular order. */
static const struct kam_metrics_product products[] = {
    {202301, -1, 1}, /* P1: no category, one line */
    {202301, 0, 5},  /* P2 */
    {202306, 0, 1},  /* P3 */
    {202310, 1, 3},  /* P4 */
    {202404, 2, 2},  /* P5: first bought after the as-of month: excluded */
    {202403, 3, 2},  /* P6: first bought in the as-of month */
};

/* Invoices, dates as yyyymmdd, 0 = none; as-of 2024-03-15. */
static const struct inv {
    kam_money amount, paid_amount;
    int issued, due, paid;
} invoices[] = {
    /* 1 on time, paid_amount not given: paid in full */
    {U(1000), KAM_NONE, 20231101, 20231201, 20231128},
    /* 2 paid in full 11 days late */
    {U(2000), KAM_NONE, 20231210, 20240109, 20240120},
    /* 3 partially paid (1000 of 1500) before due: 500 open, 30 days past due */
    {U(1500), U(1000), 20240115, 20240214, 20240210},
    /* 4 unpaid, not yet due */
    {U(800), KAM_NONE, 20240301, 20240331, 0},
    /* 5 unpaid, 56 days past due */
    {U(1200), KAM_NONE, 20231220, 20240119, 0},
    /* 6 paid after the as-of day: unpaid at as-of, 13 days past due */
    {U(600), KAM_NONE, 20240201, 20240302, 20240320},
    /* 7 issued after the as-of day: ignored */
    {U(900), KAM_NONE, 20240318, 20240417, 0},
    /* 8 unpaid, due on the as-of day: not past due yet */
    {U(400), KAM_NONE, 20240214, 20240315, 0},
    /* 9 paid in full (paid_amount given) on its due day: on time */
    {U(700), U(700), 20231001, 20231031, 20231031},
};

struct account {
    struct kam_metrics_order orders[NCASES(orders)];
    struct kam_metrics_invoice invoices[NCASES(invoices)];
    struct kam_metrics_input in;
};

static void account_init(struct account *a, kam_money est)
{
    for (size_t i = 0; i < NCASES(orders); i++)
        a->orders[i] = (struct kam_metrics_order){day(orders[i].ymd), orders[i].purchase};
    for (size_t i = 0; i < NCASES(invoices); i++)
        a->invoices[i] = (struct kam_metrics_invoice){invoices[i].amount, invoices[i].paid_amount,
                                                      day(invoices[i].issued), day(invoices[i].due),
                                                      day(invoices[i].paid)};
    a->in = (struct kam_metrics_input){.months = months,
                                       .nmonths = NCASES(months),
                                       .orders = a->orders,
                                       .norders = NCASES(orders),
                                       .products = products,
                                       .nproducts = NCASES(products),
                                       .invoices = a->invoices,
                                       .ninvoices = NCASES(invoices),
                                       .est_annual_purchases = est};
}

/* ---- comparing whole structs ---------------------------------------------------------------- */

#define INT_FIELDS(X)                                                                              \
    X(revenue)                                                                                     \
    X(revenue_prev)                                                                                \
    X(revenue_total)                                                                               \
    X(margin)                                                                                      \
    X(margin_total)                                                                                \
    X(orders)                                                                                      \
    X(orders_total)                                                                                \
    X(lines)                                                                                       \
    X(avg_order_value)                                                                             \
    X(first_purchase)                                                                              \
    X(last_purchase)                                                                               \
    X(recency_days)                                                                                \
    X(tenure_months)                                                                               \
    X(products)                                                                                    \
    X(categories)                                                                                  \
    X(overdue)                                                                                     \
    X(max_days_overdue)                                                                            \
    X(receivables)
#define DOUBLE_FIELDS(X)                                                                           \
    X(margin_pct)                                                                                  \
    X(growth)                                                                                      \
    X(active_ratio)                                                                                \
    X(repeat_rate)                                                                                 \
    X(returns_rate)                                                                                \
    X(discount_rate)                                                                               \
    X(on_time_rate)                                                                                \
    X(dso)                                                                                         \
    X(share_of_wallet)                                                                             \
    X(share_of_total)
#define COUNT(f) +1
/* A field added to struct kam_metrics must be added to the lists above. */
_Static_assert(sizeof(struct kam_metrics) == (0 INT_FIELDS(COUNT) DOUBLE_FIELDS(COUNT)) * 8,
               "struct kam_metrics has a field the test does not compare");

static void expect_metrics(const char *name, const struct kam_metrics *got,
                           const struct kam_metrics *want)
{
    const struct label c = {name};
#define CHECK_INT(f)                                                                               \
    EXPECT(&c, got->f == want->f, #f " %lld, want %lld", (long long)got->f, (long long)want->f);
#define CHECK_DOUBLE(f) EXPECT(&c, near(got->f, want->f), #f " %.15g, want %.15g", got->f, want->f);
    INT_FIELDS(CHECK_INT)
    DOUBLE_FIELDS(CHECK_DOUBLE)
#undef CHECK_INT
#undef CHECK_DOUBLE
}

/* ---- the worked example -----------------------------------------------------------------------
 */

/* As of 2024-03-15 with a 6-month window: the window is 2023-10..2024-03 (from day 2023-10-01),
 * the previous window 2023-04..2023-09. The estimate of annual purchases is 40,000. */
static void test_main_case(void **state)
{
    struct account a;
    struct kam_metrics_period p = period(20240315, 6);
    struct kam_metrics got;
    struct kam_err err;

    (void)state;
    failures = 0;
    account_init(&a, U(40000));
    assert_int_equal(kam_metrics_compute(&p, &a.in, &got, &err), KAM_OK);

    const struct kam_metrics want = {
        /* window cells 2023-10, 12, 2024-02, 03: 2000 + 1500 + 900 + 600 */
        .revenue = U(5000),
        /* 2023-04, 06, 09: 800 + 1200 - 100 */
        .revenue_prev = U(1900),
        /* 1000 + 500 + 1900 + 5000; the 2024-04 cell is after the as-of month */
        .revenue_total = U(8400),
        /* costed revenue 1500 + 1500 + 0 + 600 = 3600, cost 1000 + 900 + 0 + 400 = 2300 */
        .margin = U(1300),
        .margin_pct = 1300.0 / 3600, /* 36.11 %, not 1300 / 5000: 1400 of revenue has no cost */
        /* costed 1000 + 500 + 800 + 1000 - 100 + 3600 = 6800, cost 600 + 300 + 500 + 700 - 60
         * + 2300 = 4340 */
        .margin_total = U(2460),
        .growth = 5000.0 / 1900 - 1, /* +163.16 % */
        /* purchases 2023-10-01, 10-18, 12-05, 12-20, 2024-02-10, 03-04; not 2023-09-30 (before
         * the window), not the return orders, not 2024-03-20 and 04-02 (after as-of) */
        .orders = 6,
        .orders_total = 13, /* the 6 and 7 before the window (2023-01-10 .. 09-30) */
        .lines = 6 + 4 + 3 + 2,
        /* 5000 / 6 = 833.33333..., rounded to 4 decimals: 833.3333 */
        .avg_order_value = 8333333,
        .first_purchase = day(20230110),
        .last_purchase = day(20240304), /* 03-15 is a return, 03-20 is after as-of */
        .recency_days = 11,             /* 2024-03-04 .. 03-15 */
        .tenure_months = 15,            /* 2023-01 .. 2024-03, both included */
        /* months with revenue > 0: 2023-01, 02, 04, 06, 10, 12, 2024-02, 03 (2023-09 is net
         * negative) */
        .active_ratio = 8.0 / 15,
        /* P1, P2, P3, P4, P6 (P5 first bought in 2024-04) */
        .products = 5,
        .categories = 3,    /* 0, 1, 3; P1 has none, category 2 only has P5 */
        .repeat_rate = 0.6, /* P2 (5 lines), P4 (3), P6 (2) of 5 */
        /* returns 200 + 100 of gross sales 5000 + 300 */
        .returns_rate = 300.0 / 5300,
        /* discount 100 + 50 + 50 of list value 5300 + 200 */
        .discount_rate = 200.0 / 5500,
        /* past due at as-of (due before 03-15): invoices 1, 2, 3, 5, 6, 9; on time: 1, 9 */
        .on_time_rate = 2.0 / 6,
        .overdue = U(500 + 1200 + 600),                 /* invoices 3, 5, 6 */
        .max_days_overdue = 56,                         /* invoice 5, due 2024-01-19 */
        .receivables = U(500 + 800 + 1200 + 600 + 400), /* 3, 4, 5, 6, 8 */
        /* window days 2023-10-01 .. 2024-03-15: 31 + 30 + 31 + 31 + 29 + 15 = 167;
         * 3500 / 5000 * 167 = 116.9 */
        .dso = 3500.0 / 5000 * 167,
        /* annualised 5000 * 12 / 6 = 10,000 of 40,000 */
        .share_of_wallet = 0.25,
        .share_of_total = NAN, /* until kam_metrics_share() */
    };
    expect_metrics("worked example", &got, &want);

    /* in a portfolio with two more accounts of 1000 and -500: 5000 of 5000 + 1000 */
    struct kam_metrics portfolio[3] = {got, {.revenue = U(1000)}, {.revenue = -U(500)}};
    kam_metrics_share(portfolio, 3);
    EXPECT(&(struct label){"worked example in a portfolio"},
           near(portfolio[0].share_of_total, 5000.0 / 6000), "share of total %.15g",
           portfolio[0].share_of_total);
    assert_int_equal(failures, 0);
}

/* ---- windows over the same account -------------------------------------------------------- */

static void test_periods(void **state)
{
    static const struct {
        const char *name;
        int as_of, window;
        kam_money revenue, prev, total;
        int64_t orders, orders_total;
        double growth;
    } cases[] = {
        /* the worked example */
        {"6 months to mid-March 2024", 20240315, 6, U(5000), U(1900), U(8400), 6, 13,
         5000.0 / 1900 - 1},
        /* window 2023-04..2024-03: 1900 + 5000; previous 2022-04..2023-03: 1000 + 500. Orders
         * from 2023-04-01: 04-03, 06-20, 06-21, 09-30 and the 6 above */
        {"12 months", 20240315, 12, U(6900), U(1500), U(8400), 10, 13, 3.6},
        /* 2024-03 against 2024-02 (900); one purchase, 03-04 */
        {"1 month", 20240315, 1, U(600), U(900), U(8400), 1, 13, 600.0 / 900 - 1},
        /* 2024-01..03: 0 + 900 + 600; 2023-10..12: 2000 + 1500; orders 02-10, 03-04 */
        {"3 months across the new year", 20240315, 3, U(1500), U(3500), U(8400), 2, 13,
         1500.0 / 3500 - 1},
        /* window 2023-05..10 from 2023-05-01: 1200 - 100 + 2000; previous 2022-11..2023-04:
         * 1000 + 500 + 800; orders 06-20, 06-21, 09-30 and 10-01, the as-of day (included),
         * and 4 before; total 1000 + 500 + 800 + 3100 */
        {"as of the first day of a month", 20231001, 6, U(3100), U(2300), U(5400), 4, 8,
         3100.0 / 2300 - 1},
        /* 2023-10 against 2023-09 (-100); 10-18 is after as-of */
        {"previous window negative: growth NaN", 20231015, 1, U(2000), -U(100), U(5400), 1, 8, NAN},
        /* 2023-04 against 2023-03, which has no cell */
        {"previous window empty: growth NaN", 20230410, 1, U(800), 0, U(2300), 1, 4, NAN},
        /* 2023-03 has no cell: 0 against 500 */
        {"as-of month without a cell", 20230331, 1, 0, U(500), U(1500), 0, 3, -1},
        {"before any data", 20221231, 6, 0, 0, 0, 0, 0, NAN},
    };
    struct account a;

    (void)state;
    failures = 0;
    account_init(&a, KAM_NONE);
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct kam_metrics_period p = period(cases[k].as_of, cases[k].window);
        struct kam_metrics m;
        struct kam_err err;
        enum kam_rc rc = kam_metrics_compute(&p, &a.in, &m, &err);
        EXPECT(&cases[k], rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
        if (rc != KAM_OK)
            continue;
        EXPECT(&cases[k], m.revenue == cases[k].revenue, "revenue %lld", (long long)m.revenue);
        EXPECT(&cases[k], m.revenue_prev == cases[k].prev, "revenue_prev %lld",
               (long long)m.revenue_prev);
        EXPECT(&cases[k], m.revenue_total == cases[k].total, "revenue_total %lld",
               (long long)m.revenue_total);
        EXPECT(&cases[k], m.orders == cases[k].orders, "orders %lld", (long long)m.orders);
        EXPECT(&cases[k], m.orders_total == cases[k].orders_total, "orders_total %lld",
               (long long)m.orders_total);
        EXPECT(&cases[k], near(m.growth, cases[k].growth), "growth %.15g, want %.15g", m.growth,
               cases[k].growth);
    }
    assert_int_equal(failures, 0);
}

/* ---- average order value ---------------------------------------------------------------- */

/* One cell in the as-of month and n purchase orders on the as-of day. Amounts in 1/10000. */
static void test_avg_order_value(void **state)
{
    static const struct {
        const char *name;
        kam_money revenue;
        int n;
        kam_money want;
    } cases[] = {
        {"exact", U(10), 4, 25000},
        {"half rounds away from zero", 5, 2, 3},            /* 2.5 */
        {"below half rounds down", 7, 3, 2},                /* 2.333 */
        {"above half rounds up", 8, 3, 3},                  /* 2.667 */
        {"negative half rounds away from zero", -5, 2, -3}, /* -2.5 */
        {"negative below half", -7, 3, -2},                 /* -2.333 */
        {"negative above half", -8, 3, -3},                 /* -2.667 */
        {"no purchase order: 0", U(10), 0, 0},
        /* 9223372036854775807 / 2 = 4611686018427387903.5 */
        {"largest revenue, half", INT64_MAX, 2, 4611686018427387904},
    };
    struct kam_metrics_order ord[4];

    (void)state;
    failures = 0;
    for (int i = 0; i < 4; i++)
        ord[i] = (struct kam_metrics_order){day(20240315), true};
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct kam_metrics_month cell = {202403, {.revenue = cases[k].revenue, .lines = 1}};
        struct kam_metrics_input in = {.months = &cell,
                                       .nmonths = 1,
                                       .orders = ord,
                                       .norders = (size_t)cases[k].n,
                                       .est_annual_purchases = KAM_NONE};
        struct kam_metrics_period p = period(20240315, 1);
        struct kam_metrics m;
        struct kam_err err;
        enum kam_rc rc = kam_metrics_compute(&p, &in, &m, &err);
        EXPECT(&cases[k], rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
        if (rc == KAM_OK)
            EXPECT(&cases[k], m.avg_order_value == cases[k].want, "%lld, want %lld",
                   (long long)m.avg_order_value, (long long)cases[k].want);
    }
    assert_int_equal(failures, 0);
}

/* ---- products and categories ------------------------------------------------------------- */

static void test_breadth(void **state)
{
    static const struct {
        const char *name;
        size_t n;
        struct kam_metrics_product p[4];
        int64_t products, categories;
        double repeat_rate;
    } cases[] = {
        {"no product: repeat rate NaN", 0, {{0}}, 0, 0, NAN},
        {"none bought by the as-of month", 1, {{202404, 0, 3}}, 0, 0, NAN},
        {"products without a category", 2, {{202301, -1, 1}, {202302, -1, 2}}, 2, 0, 0.5},
        {"two products of one category", 2, {{202301, 4, 2}, {202302, 4, 2}}, 2, 1, 1},
        /* the excluded product does not split category 0 in two */
        {"excluded product between two of one category",
         3,
         {{202301, 0, 1}, {202404, 0, 1}, {202302, 0, 1}},
         2,
         1,
         0},
        {"category 0 counts like any other",
         4,
         {{202301, -1, 1}, {202301, 0, 1}, {202301, 1, 1}, {202301, 2, 2}},
         4,
         3,
         0.25},
        {"categories in no order",
         4,
         {{202301, 1, 1}, {202301, 0, 1}, {202301, 1, 1}, {202301, 0, 1}},
         4,
         2,
         0},
        /* the first product of category 2 comes after the as-of month: only the second counts */
        {"a category first seen after as-of, then before",
         3,
         {{202405, 2, 1}, {202301, 3, 1}, {202302, 2, 1}},
         2,
         2,
         0},
    };

    (void)state;
    failures = 0;
    /* Every case twice: the quadratic count (no marks), then with marks shared across the cases
     * as the engine shares them across accounts (stale marks from earlier cases must not count). */
    uint32_t marks[8] = {0};
    for (size_t k = 0; k < 2 * NCASES(cases); k++) {
        size_t c = k % NCASES(cases);
        struct kam_metrics_input in = {
            .products = cases[c].p, .nproducts = cases[c].n, .est_annual_purchases = KAM_NONE};
        if (k >= NCASES(cases)) {
            in.category_marks = marks;
            in.mark = (uint32_t)k;
        }
        struct kam_metrics_period p = period(20240315, 6);
        struct kam_metrics m;
        struct kam_err err;
        enum kam_rc rc = kam_metrics_compute(&p, &in, &m, &err);
        EXPECT(&cases[c], rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
        if (rc != KAM_OK)
            continue;
        EXPECT(&cases[c], m.products == cases[c].products, "products %lld", (long long)m.products);
        EXPECT(&cases[c], m.categories == cases[c].categories, "categories %lld (marks %s)",
               (long long)m.categories, in.category_marks ? "on" : "off");
        EXPECT(&cases[c], near(m.repeat_rate, cases[c].repeat_rate), "repeat rate %g",
               m.repeat_rate);
    }
    assert_int_equal(failures, 0);
}

/* ---- invoices, one at a time ------------------------------------------------------------- */

/* As of 2024-03-15; an invoice of 100 due 2024-03-01 unless the case says otherwise. */
static void test_invoices(void **state)
{
    static const struct {
        const char *name;
        struct inv v;
        double on_time_rate; /* NaN: the invoice is not past due at as-of */
        kam_money overdue;
        int64_t max_days;
        kam_money receivables;
    } cases[] = {
        {"paid in full before due", {U(100), KAM_NONE, 20240201, 20240301, 20240225}, 1, 0, 0, 0},
        {"paid on the due day: on time",
         {U(100), KAM_NONE, 20240201, 20240301, 20240301},
         1,
         0,
         0,
         0},
        {"paid the day after due: late",
         {U(100), KAM_NONE, 20240201, 20240301, 20240302},
         0,
         0,
         0,
         0},
        {"paid_amount equal to the amount",
         {U(100), U(100), 20240201, 20240301, 20240225},
         1,
         0,
         0,
         0},
        {"overpaid: nothing open", {U(100), U(150), 20240201, 20240301, 20240225}, 1, 0, 0, 0},
        /* 40 open since 03-01: 14 days */
        {"partially paid before due",
         {U(100), U(60), 20240201, 20240301, 20240225},
         0,
         U(40),
         14,
         U(40)},
        {"unpaid, past due", {U(100), KAM_NONE, 20240201, 20240301, 0}, 0, U(100), 14, U(100)},
        {"unpaid, due the day before as-of",
         {U(100), KAM_NONE, 20240201, 20240314, 0},
         0,
         U(100),
         1,
         U(100)},
        {"unpaid, due on the as-of day: not past due yet",
         {U(100), KAM_NONE, 20240201, 20240315, 0},
         NAN,
         0,
         0,
         U(100)},
        {"unpaid, not yet due", {U(100), KAM_NONE, 20240301, 20240410, 0}, NAN, 0, 0, U(100)},
        {"paid after as-of, past due: unpaid at as-of",
         {U(100), KAM_NONE, 20240201, 20240301, 20240320},
         0,
         U(100),
         14,
         U(100)},
        {"paid after as-of, not yet due",
         {U(100), KAM_NONE, 20240301, 20240410, 20240320},
         NAN,
         0,
         0,
         U(100)},
        {"issued after as-of: ignored", {U(100), KAM_NONE, 20240316, 20240415, 0}, NAN, 0, 0, 0},
        {"issued on the as-of day", {U(100), KAM_NONE, 20240315, 20240414, 0}, NAN, 0, 0, U(100)},
        /* paid KAM_NONE means unpaid: a paid_amount without a paid day settles nothing */
        {"paid_amount without a paid day",
         {U(100), U(60), 20240301, 20240410, 0},
         NAN,
         0,
         0,
         U(100)},
        /* 2024-03-15 - 2023-03-15 = 366 days (2024 is a leap year) */
        {"a year past due", {U(100), KAM_NONE, 20230201, 20230315, 0}, 0, U(100), 366, U(100)},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        const struct inv *s = &cases[k].v;
        struct kam_metrics_invoice v = {s->amount, s->paid_amount, day(s->issued), day(s->due),
                                        day(s->paid)};
        struct kam_metrics_input in = {
            .invoices = &v, .ninvoices = 1, .est_annual_purchases = KAM_NONE};
        struct kam_metrics_period p = period(20240315, 6);
        struct kam_metrics m;
        struct kam_err err;
        enum kam_rc rc = kam_metrics_compute(&p, &in, &m, &err);
        EXPECT(&cases[k], rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
        if (rc != KAM_OK)
            continue;
        EXPECT(&cases[k], near(m.on_time_rate, cases[k].on_time_rate), "on-time rate %g",
               m.on_time_rate);
        EXPECT(&cases[k], m.overdue == cases[k].overdue, "overdue %lld", (long long)m.overdue);
        EXPECT(&cases[k], m.max_days_overdue == cases[k].max_days, "max days overdue %lld",
               (long long)m.max_days_overdue);
        EXPECT(&cases[k], m.receivables == cases[k].receivables, "receivables %lld",
               (long long)m.receivables);
        EXPECT(&cases[k], isnan(m.dso), "dso %g without revenue", m.dso);
    }
    assert_int_equal(failures, 0);
}

/* ---- share of wallet ---------------------------------------------------------------------- */

static void test_share_of_wallet(void **state)
{
    static const struct {
        const char *name;
        int as_of, window;
        kam_money est;
        double want;
    } cases[] = {
        {"estimate unknown", 20240315, 6, KAM_NONE, NAN},
        {"estimate 0", 20240315, 6, 0, NAN},
        {"estimate negative", 20240315, 6, -U(1000), NAN},
        /* 5000 * 12 / 6 = 10,000 of 40,000 */
        {"6-month window annualised", 20240315, 6, U(40000), 0.25},
        /* 6900 * 12 / 12 of 13,800 */
        {"12-month window", 20240315, 12, U(13800), 0.5},
        /* 600 * 12 / 1 = 7200 of 4800 */
        {"above the estimate", 20240315, 1, U(4800), 1.5},
        /* 2023-09 nets -100: -1200 a year of 1200 */
        {"negative revenue", 20230915, 1, U(1200), -1},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct account a;
        account_init(&a, cases[k].est);
        struct kam_metrics_period p = period(cases[k].as_of, cases[k].window);
        struct kam_metrics m;
        struct kam_err err;
        enum kam_rc rc = kam_metrics_compute(&p, &a.in, &m, &err);
        EXPECT(&cases[k], rc == KAM_OK, "rc %s: %s", kam_rc_name(rc), err.msg);
        if (rc == KAM_OK)
            EXPECT(&cases[k], near(m.share_of_wallet, cases[k].want), "%.15g, want %.15g",
                   m.share_of_wallet, cases[k].want);
    }
    assert_int_equal(failures, 0);
}

/* ---- the portfolio share ------------------------------------------------------------------ */

static void test_share(void **state)
{
    static const struct {
        const char *name;
        size_t n;
        kam_money revenue[3];
        double want[3];
    } cases[] = {
        /* the positive revenues sum to 4000; the negative account keeps its sign */
        {"three accounts, one negative", 3, {U(3000), U(1000), -U(500)}, {0.75, 0.25, -0.125}},
        {"one account", 1, {U(7)}, {1}},
        {"a zero among them", 3, {0, U(1), U(3)}, {0, 0.25, 0.75}},
        {"nothing positive: NaN", 2, {0, -U(5)}, {NAN, NAN}},
        {"no account", 0, {0}, {0}},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct kam_metrics m[3];
        memset(m, 0, sizeof(m));
        for (size_t i = 0; i < cases[k].n; i++) {
            m[i].revenue = cases[k].revenue[i];
            m[i].share_of_total = -7; /* overwritten */
        }
        kam_metrics_share(m, cases[k].n);
        for (size_t i = 0; i < cases[k].n; i++) {
            EXPECT(&cases[k], near(m[i].share_of_total, cases[k].want[i]),
                   "account %zu: %.15g, want %.15g", i + 1, m[i].share_of_total, cases[k].want[i]);
            EXPECT(&cases[k], m[i].revenue == cases[k].revenue[i], "account %zu: revenue changed",
                   i + 1);
        }
    }
    assert_int_equal(failures, 0);
}

/* ---- monthly series ----------------------------------------------------------------------- */

static void test_series(void **state)
{
    static const struct {
        const char *name;
        int from;
        size_t len;
        kam_money want[17];
    } cases[] = {
        /* 2022-12 .. 2024-04: every gap is 0 */
        {"all months with gaps",
         202212,
         17,
         {0, U(1000), U(500), 0, U(800), 0, U(1200), 0, 0, -U(100), U(2000), 0, U(1500), 0, U(900),
          U(600), U(5000)}},
        {"starts after the first cell", 202306, 4, {U(1200), 0, 0, -U(100)}},
        {"across the new year", 202311, 3, {0, U(1500), 0}},
        {"after the last cell", 202501, 2, {0, 0}},
        {"before the first cell", 202201, 3, {0, 0, 0}},
        {"one month", 202402, 1, {U(900)}},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        kam_money got[18];
        for (size_t i = 0; i < NCASES(got); i++)
            got[i] = 12345;
        kam_metrics_series(months, NCASES(months), cases[k].from, got, cases[k].len);
        for (size_t i = 0; i < cases[k].len; i++)
            EXPECT(&cases[k], got[i] == cases[k].want[i], "month %zu: %lld, want %lld", i,
                   (long long)got[i], (long long)cases[k].want[i]);
        EXPECT(&cases[k], got[cases[k].len] == 12345, "wrote past len");
    }
    assert_int_equal(failures, 0);
}

/* ---- an account without data -------------------------------------------------------------- */

static void test_empty(void **state)
{
    const struct kam_metrics_input in = {.est_annual_purchases = KAM_NONE};
    struct kam_metrics_period p = period(20240315, 12);
    struct kam_metrics got;
    struct kam_err err;
    const struct kam_metrics want = {
        .first_purchase = KAM_NONE,
        .last_purchase = KAM_NONE,
        .recency_days = -1,
        .margin_pct = NAN,
        .growth = NAN,
        .active_ratio = NAN,
        .repeat_rate = NAN,
        .returns_rate = NAN,
        .discount_rate = NAN,
        .on_time_rate = NAN,
        .dso = NAN,
        .share_of_wallet = NAN,
        .share_of_total = NAN,
    };

    (void)state;
    failures = 0;
    assert_int_equal(kam_metrics_compute(&p, &in, &got, &err), KAM_OK);
    expect_metrics("no data at all", &got, &want);
    /* recency -1 reads as NaN for the scoring model */
    assert_true(isnan(kam_metric_value(&got, (size_t)kam_metric_find("recency_days"))));
    assert_int_equal(failures, 0);
}

/* ---- errors -----------------------------------------------------------------------------------
 */

static const struct kam_metrics_month repeated[] = {{202301, {.revenue = U(1)}},
                                                    {202301, {.revenue = U(2)}}};
static const struct kam_metrics_month descending[] = {{202302, {.revenue = U(1)}},
                                                      {202301, {.revenue = U(2)}}};
/* out of order after the as-of month only */
static const struct kam_metrics_month late_disorder[] = {
    {202401, {.revenue = U(1)}}, {202406, {.revenue = U(2)}}, {202405, {.revenue = U(3)}}};
static const struct kam_metrics_month huge[] = {{202402, {.revenue = INT64_MAX}},
                                                {202403, {.revenue = INT64_MAX}}};
/* all-time margin MAX fits, the window's (2023-10..2024-03) 2 MAX does not */
static const struct kam_metrics_month huge_margin[] = {
    {202301, {.cost = INT64_MAX}},
    {202402, {.cost = -INT64_MAX}},
    {202403, {.cost = -INT64_MAX}},
};
static const struct kam_metrics_invoice huge_invoices[] = {
    {INT64_MAX, KAM_NONE, 0, 0, KAM_NONE},
    {INT64_MAX, KAM_NONE, 0, 0, KAM_NONE},
};

static void test_errors(void **state)
{
    static const struct {
        const char *name;
        int as_of_ymd; /* 0: as_of = KAM_NONE, 1: INT64_MAX */
        int as_of_month;
        int window;
        const struct kam_metrics_month *months;
        size_t nmonths;
        const struct kam_metrics_invoice *invoices;
        size_t ninvoices;
        const char *msg;
    } cases[] = {
        {"window 0", 20240315, 202403, 0, NULL, 0, NULL, 0, "window of 0 months is not 1..1200"},
        {"window negative", 20240315, 202403, -6, NULL, 0, NULL, 0,
         "window of -6 months is not 1..1200"},
        {"window over 100 years", 20240315, 202403, 1201, NULL, 0, NULL, 0,
         "window of 1201 months is not 1..1200"},
        {"as-of day in the next month", 20240401, 202403, 6, NULL, 0, NULL, 0,
         "as-of day is not in the as-of month 202403"},
        {"as-of day in the month before", 20240229, 202403, 6, NULL, 0, NULL, 0,
         "as-of day is not in the as-of month 202403"},
        {"as-of day a year off", 20230315, 202403, 6, NULL, 0, NULL, 0,
         "as-of day is not in the as-of month 202403"},
        {"as-of day absent (KAM_NONE)", 0, 202403, 6, NULL, 0, NULL, 0,
         "as-of day is not in the as-of month 202403"},
        {"as-of day the largest int64", 1, 202403, 6, NULL, 0, NULL, 0,
         "as-of day is not in the as-of month 202403"},
        {"month 13", 20240315, 202413, 6, NULL, 0, NULL, 0,
         "as-of month 202413 is not a month (yyyymm)"},
        {"month 0", 20240315, 202400, 6, NULL, 0, NULL, 0,
         "as-of month 202400 is not a month (yyyymm)"},
        {"a date, not a month", 20240315, 20240315, 6, NULL, 0, NULL, 0,
         "as-of month 20240315 is not a month (yyyymm)"},
        {"months repeated", 20240315, 202403, 6, repeated, 2, NULL, 0,
         "month 202301 is not after the month before it"},
        {"months descending", 20240315, 202403, 6, descending, 2, NULL, 0,
         "month 202301 is not after the month before it"},
        {"months out of order after the as-of month", 20240315, 202403, 6, late_disorder, 3, NULL,
         0, "month 202405 is not after the month before it"},
        {"revenue sum too large", 20240315, 202403, 6, huge, 2, NULL, 0,
         "a sum of the account's months is too large"},
        {"window margin too large", 20240315, 202403, 6, huge_margin, 3, NULL, 0,
         "a sum of the account's months is too large"},
        {"receivables too large", 20240315, 202403, 6, NULL, 0, huge_invoices, 2,
         "the account's receivables are too large"},
    };

    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(cases); k++) {
        struct kam_metrics_period p = {cases[k].as_of_ymd == 1 ? INT64_MAX
                                                               : day(cases[k].as_of_ymd),
                                       cases[k].as_of_month, cases[k].window};
        struct kam_metrics_input in = {.months = cases[k].months,
                                       .nmonths = cases[k].nmonths,
                                       .invoices = cases[k].invoices,
                                       .ninvoices = cases[k].ninvoices,
                                       .est_annual_purchases = KAM_NONE};
        struct kam_metrics m, before;
        struct kam_err err;
        memset(&m, 0x5a, sizeof(m));
        before = m;
        kam_err_clear(&err);
        enum kam_rc rc = kam_metrics_compute(&p, &in, &m, &err);
        EXPECT(&cases[k], rc == KAM_ERR_INVALID, "rc %s", kam_rc_name(rc));
        EXPECT(&cases[k], err.code == KAM_ERR_INVALID, "err.code %s", kam_rc_name(err.code));
        EXPECT(&cases[k], strcmp(err.msg, cases[k].msg) == 0, "message '%s', want '%s'", err.msg,
               cases[k].msg);
        EXPECT(&cases[k], memcmp(&m, &before, sizeof(m)) == 0, "out written on error");
    }
    assert_int_equal(failures, 0);
}

/* ---- the table of metrics ----------------------------------------------------------------- */

/* Every metric once, with its unit and the value kam_metric_value() gives for `distinct`. */
static const struct {
    const char *name;
    const char *unit;
    double value;
} named[] = {
    {"revenue", "money", 1.5},           {"revenue_prev", "money", 2.5},
    {"revenue_total", "money", 3.5},     {"margin", "money", 4.5},
    {"margin_pct", "ratio", 0.05},       {"margin_total", "money", 6.5},
    {"growth", "ratio", 0.07},           {"orders", "count", 8},
    {"orders_total", "count", 9},        {"lines", "count", 10},
    {"avg_order_value", "money", 11.25}, {"recency_days", "days", 14},
    {"tenure_months", "months", 15},     {"active_ratio", "ratio", 0.16},
    {"products", "count", 17},           {"categories", "count", 18},
    {"repeat_rate", "ratio", 0.19},      {"returns_rate", "ratio", 0.20},
    {"discount_rate", "ratio", 0.21},    {"on_time_rate", "ratio", 0.22},
    {"overdue", "money", 23.5},          {"max_days_overdue", "days", 24},
    {"receivables", "money", 25.5},      {"dso", "days", 26.5},
    {"share_of_wallet", "ratio", 0.27},  {"share_of_total", "ratio", 0.28},
};

/* Every field a different value; first and last purchase (12, 13) have no metric. */
static const struct kam_metrics distinct = {
    .revenue = 15000,
    .revenue_prev = 25000,
    .revenue_total = 35000,
    .margin = 45000,
    .margin_pct = 0.05,
    .margin_total = 65000,
    .growth = 0.07,
    .orders = 8,
    .orders_total = 9,
    .lines = 10,
    .avg_order_value = 112500,
    .first_purchase = 12,
    .last_purchase = 13,
    .recency_days = 14,
    .tenure_months = 15,
    .active_ratio = 0.16,
    .products = 17,
    .categories = 18,
    .repeat_rate = 0.19,
    .returns_rate = 0.20,
    .discount_rate = 0.21,
    .on_time_rate = 0.22,
    .overdue = 235000,
    .max_days_overdue = 24,
    .receivables = 255000,
    .dso = 26.5,
    .share_of_wallet = 0.27,
    .share_of_total = 0.28,
};

static void test_find(void **state)
{
    static const struct {
        const char *name;
    } unknown[] = {{"nope"}, {""}, {"Revenue"}, {"revenue "}, {"first_purchase"}};

    (void)state;
    failures = 0;
    assert_int_equal(kam_metric_count, NCASES(named));
    for (size_t i = 0; i < kam_metric_count; i++) {
        const struct kam_metric_def *d = &kam_metric_defs[i];
        EXPECT(d, kam_metric_find(d->name) == (int)i, "found at %d, want %zu",
               kam_metric_find(d->name), i);
        EXPECT(d, d->help != NULL && d->help[0] != '\0', "no help");
    }
    for (size_t k = 0; k < NCASES(unknown); k++)
        EXPECT(&unknown[k], kam_metric_find(unknown[k].name) == -1, "found at %d",
               kam_metric_find(unknown[k].name));
    assert_int_equal(failures, 0);
}

static void test_value(void **state)
{
    (void)state;
    failures = 0;
    for (size_t k = 0; k < NCASES(named); k++) {
        int i = kam_metric_find(named[k].name);
        EXPECT(&named[k], i >= 0, "not in kam_metric_defs");
        if (i < 0)
            continue;
        EXPECT(&named[k], strcmp(kam_metric_defs[i].unit, named[k].unit) == 0,
               "unit '%s', want '%s'", kam_metric_defs[i].unit, named[k].unit);
        double v = kam_metric_value(&distinct, (size_t)i);
        EXPECT(&named[k], v == named[k].value, "value %.15g, want %.15g", v, named[k].value);
    }
    assert_true(isnan(kam_metric_value(&distinct, kam_metric_count)));
    assert_int_equal(failures, 0);
}

/* Kept activity (struct kam_metrics_activity): the crafted account as of 2024-04-30, after its
 * last purchase (2024-04-02) and in the month of its latest first purchase (P5, 202404), with
 * the twelve-month window 2023-05..2024-04 from day 2023-05-01. Worked by hand from the orders
 * and products above: 15 purchase orders, first 2023-01-10, last 2024-04-02; 11 on or after
 * 2023-05-01 (06-20, 06-21, 09-30, 10-01, 10-18, 12-05, 12-20, 02-10, 03-04, 03-20, 04-02);
 * 6 products, 4 with two lines or more (P2, P4, P5, P6), categories 0..3: 4. The metrics from
 * the kept activity, with no orders or products given, are those from the orders and products. */
static void test_kept_activity(void **state)
{
    (void)state;
    struct account a;
    account_init(&a, U(40000));
    struct kam_metrics_period p = period(20240430, 12);
    const struct kam_metrics_activity act = {.orders_total = 15,
                                             .first_purchase = day(20230110),
                                             .last_purchase = day(20240402),
                                             .window_orders = 11,
                                             .window_to = 202404,
                                             .products = 6,
                                             .repeats = 4,
                                             .categories = 4,
                                             .max_first_month = 202404};
    struct kam_metrics from_rows, from_kept;
    struct kam_err err;
    assert_int_equal(kam_metrics_compute(&p, &a.in, &from_rows, &err), KAM_OK);
    assert_int_equal(from_rows.orders_total, 15);
    assert_int_equal(from_rows.orders, 11);
    assert_int_equal(from_rows.products, 6);
    assert_int_equal(from_rows.categories, 4);
    assert_true(near(from_rows.repeat_rate, 4.0 / 6));

    struct kam_metrics_input kept = a.in;
    kept.orders = NULL;
    kept.norders = 0;
    kept.products = NULL;
    kept.nproducts = 0;
    kept.activity = &act;
    assert_true(kam_metrics_activity_fits(&p, &act));
    assert_int_equal(kam_metrics_compute(&p, &kept, &from_kept, &err), KAM_OK);
    expect_metrics("kept activity", &from_kept, &from_rows);

    /* Periods it does not serve, and what compute says of them. */
    static const struct case_ {
        const char *name;
        int ymd, window;
    } cases[] = {
        {"another window", 20240430, 6},
        {"before the last purchase", 20240401, 12},
        {"another month", 20240501, 12},
        {"an earlier month", 20240331, 12},
    };
    for (size_t i = 0; i < NCASES(cases); i++) {
        const struct case_ *c = &cases[i];
        struct kam_metrics_period q = period(c->ymd, c->window);
        EXPECT(c, !kam_metrics_activity_fits(&q, &act), "fits");
        EXPECT(c, kam_metrics_compute(&q, &kept, &from_kept, &err) == KAM_ERR_INVALID, "computed");
    }
    /* No purchase at all: fits any as-of in its month. */
    struct kam_metrics_activity none = {
        .first_purchase = KAM_NONE, .last_purchase = KAM_NONE, .window_to = 202404};
    struct kam_metrics_period early = period(20240401, 12);
    assert_true(kam_metrics_activity_fits(&early, &none));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_main_case),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_avg_order_value),
        cmocka_unit_test(test_breadth),
        cmocka_unit_test(test_invoices),
        cmocka_unit_test(test_share_of_wallet),
        cmocka_unit_test(test_share),
        cmocka_unit_test(test_series),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_find),
        cmocka_unit_test(test_value),
        cmocka_unit_test(test_kept_activity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
