/* Account metrics as of a date (DOMAIN.md "Identify": the quantitative indicators of the
 * scoring model): revenue, margin, growth, purchase behaviour, payment behaviour, share of
 * wallet, from what the import keeps ready (the monthly rollup, the orders with their day, the
 * account's products, its invoices) and never from the order lines.
 *
 * Every metric is named in kam_metric_defs[], which the scoring model refers to. Definitions and
 * a worked example: docs/method-metrics.md. Pure: no I/O; the caller gives the inputs of one
 * account at a time and keeps the results. */
#ifndef KAM_CORE_METRICS_H
#define KAM_CORE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/order.h"
#include "util/err.h"
#include "util/money.h"

/* The window and the as-of day of one run. */
struct kam_metrics_period {
    int64_t as_of;     /* day (kam_date_days) the metrics are taken at, included */
    int as_of_month;   /* its yyyymm */
    int window_months; /* w >= 1: the window is the w months ending with the as-of month, the
                        * previous window the w months before it */
};

/* One month cell of the account's rollup (yyyymm, ascending). */
struct kam_metrics_month {
    int month;
    struct kam_rollup r;
};

/* One order of the account: its day and whether it is a purchase (has a line with quantity
 * > 0). Any order. */
struct kam_metrics_order {
    int64_t day;
    bool purchase;
};

/* One product the account has bought (account_products): the month of its first purchase,
 * its lines, and its category (an index 0.. the caller assigns; -1 = none). Any order. */
struct kam_metrics_product {
    int first_month;
    int32_t category;
    int64_t lines;
};

/* One invoice. paid is KAM_NONE when unpaid; paid_amount KAM_NONE when not given (then a paid
 * date means paid in full). */
struct kam_metrics_invoice {
    kam_money amount, paid_amount;
    int64_t issued, due, paid;
};

/* The amount of invoice v still open at day as_of (docs/method-metrics.md): 0 when it was not
 * issued yet; otherwise its amount less what was settled by as-of (its paid_amount, or the whole
 * amount when paid_amount is absent, once its paid day is on or before as-of; nothing before),
 * never below 0. The metrics and the account view both use it. */
kam_money kam_invoice_open(const struct kam_metrics_invoice *v, int64_t as_of);

/* What the import keeps of one account's orders and products beside the rollup, all time
 * (store.h, rollup_totals): enough for the purchases and breadth metrics of a period that ends
 * after all of it, in the month it was kept for, with the twelve-month window. Saves reading
 * every order and product cell of the account (docs/method-metrics.md, "Kept activity"). */
#define KAM_METRICS_ACTIVITY_WINDOW 12
struct kam_metrics_activity {
    int64_t orders_total;                  /* purchase orders (kam_metrics_order.purchase) */
    int64_t first_purchase, last_purchase; /* their first and last day; KAM_NONE when none */
    int64_t window_orders; /* purchase orders on or after the first day of window_to's window */
    int window_to;         /* yyyymm: the last month of that twelve-month window */
    int64_t products;      /* products bought (with a first month; not those only returned) */
    int64_t repeats;       /* of which with two lines or more */
    int64_t categories;    /* distinct categories of those products */
    int max_first_month;   /* the latest first month of a product (0 = none) */
};

/* Whether a serves period p: the twelve-month window ends in a's window_to, and every purchase
 * and first purchase is on or before as-of. */
bool kam_metrics_activity_fits(const struct kam_metrics_period *p,
                               const struct kam_metrics_activity *a);

/* Everything kam knows of one account for its metrics; arrays borrowed, any may be empty. */
struct kam_metrics_input {
    const struct kam_metrics_month *months; /* ascending by month */
    size_t nmonths;
    const struct kam_metrics_order *orders;
    size_t norders;
    const struct kam_metrics_product *products;
    size_t nproducts;
    const struct kam_metrics_invoice *invoices;
    size_t ninvoices;
    kam_money est_annual_purchases; /* KAM_NONE when unknown */
    /* When not NULL (and it fits the period: kam_metrics_activity_fits), the purchases and
     * breadth come from it and orders and products are not read. */
    const struct kam_metrics_activity *activity;
    /* Optional scratch to count distinct categories in linear time: one mark per category
     * index, which the caller zeroes once and never changes; mark is a value not in it yet (a
     * counter the caller increments per call). NULL: a quadratic count, fine for small inputs. */
    uint32_t *category_marks;
    uint32_t mark;
};

/* The computed metrics. Money is exact; ratios are doubles, NaN where undefined (no base). */
struct kam_metrics {
    kam_money revenue;         /* net revenue in the window (returns deducted) */
    kam_money revenue_prev;    /* in the previous window */
    kam_money revenue_total;   /* all months up to the as-of month */
    kam_money margin;          /* revenue - cost over the window's lines whose cost is known */
    double margin_pct;         /* margin / costed revenue of the window; NaN when none */
    kam_money margin_total;    /* the same over all time */
    double growth;             /* revenue / revenue_prev - 1; NaN when revenue_prev <= 0 */
    int64_t orders;            /* purchase orders in the window */
    int64_t orders_total;      /* purchase orders up to as-of */
    int64_t lines;             /* order lines in the window */
    kam_money avg_order_value; /* revenue / orders (rounded half away from 0); 0 without */
    int64_t first_purchase;    /* day of the first purchase order, KAM_NONE when none */
    int64_t last_purchase;     /* day of the last purchase order up to as-of, KAM_NONE */
    int64_t recency_days;      /* as_of - last_purchase; -1 when none */
    int64_t tenure_months;     /* months from the first purchase month to as-of, both
                                * included; 0 when none */
    double active_ratio;       /* months with revenue > 0 / tenure_months; NaN when none */
    int64_t products;          /* distinct products first bought by the as-of month */
    int64_t categories;        /* their distinct categories */
    double repeat_rate;        /* share of those products bought on 2 or more lines; NaN */
    double returns_rate;       /* -returns / gross sales of the window; NaN without sales */
    double discount_rate;      /* discount / (gross sales + discount) in the window, gross
                                * sales being revenue before returns; NaN */
    double on_time_rate;       /* invoices due before as-of paid in full by their due day /
                                * all invoices due before as-of; NaN when none */
    kam_money overdue;         /* unpaid amount of invoices past due at as-of */
    int64_t max_days_overdue;  /* the oldest of those, in days; 0 when none */
    kam_money receivables;     /* unpaid amount of all invoices issued by as-of */
    double dso;                /* receivables / window revenue * window days; NaN when the
                                * window revenue is <= 0 */
    double share_of_wallet;    /* annualised window revenue / est_annual_purchases; NaN when
                                * unknown or <= 0 */
    double share_of_total;     /* revenue / the portfolio's positive window revenue; set by
                                * kam_metrics_share(), NaN before */
};

/* Computes the metrics of one account into *out (overwritten). KAM_ERR_INVALID when a period
 * field is out of range, the months are not ascending, or a sum leaves kam_money. */
KAM_MUST_CHECK enum kam_rc kam_metrics_compute(const struct kam_metrics_period *p,
                                               const struct kam_metrics_input *in,
                                               struct kam_metrics *out, struct kam_err *err);

/* Monthly net revenue of months from_month, from_month + 1, ... into series[0..len) (0 for a
 * month without a cell), from the ascending cells m[0..n). */
void kam_metrics_series(const struct kam_metrics_month *m, size_t n, int from_month,
                        kam_money *series, size_t len);

/* share_of_total of m[0..n) against the sum of their positive window revenues. */
void kam_metrics_share(struct kam_metrics *m, size_t n);

/* The metrics by name, as the scoring model names them, and as doubles (money in currency
 * units, counts as numbers, ratios as fractions: 0.25 = 25 %). NaN when undefined. */
/* How a metric is held in struct kam_metrics. */
enum kam_metric_type {
    KAM_METRIC_MONEY,             /* kam_money */
    KAM_METRIC_INT,               /* int64_t */
    KAM_METRIC_INT_NONE_NEGATIVE, /* int64_t, negative when undefined (recency_days) */
    KAM_METRIC_REAL,              /* double, NaN when undefined */
};

struct kam_metric_def {
    const char *name;
    const char *unit; /* "money", "count", "days", "months", "ratio" */
    const char *help; /* one line, English */
    size_t offset;    /* of the field in struct kam_metrics */
    enum kam_metric_type type;
};
extern const struct kam_metric_def kam_metric_defs[];
extern const size_t kam_metric_count;

/* Index of name in kam_metric_defs, -1 when unknown. */
int kam_metric_find(const char *name);
/* Value of metric i (0..kam_metric_count) of m; NaN when undefined or i is out of range. */
double kam_metric_value(const struct kam_metrics *m, size_t i);
/* The exact amount of metric i when it is money (*out set, true); false otherwise. */
bool kam_metric_money(const struct kam_metrics *m, size_t i, kam_money *out);

#endif
