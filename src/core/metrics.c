/* Account metrics as of a date, from the monthly rollup, the orders, the account's products and
 * its invoices (docs/method-metrics.md). Sums are taken in 128 bits and checked once. */
#include "core/metrics.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include "util/date.h"

/* yyyymm <-> a month count where consecutive months are consecutive integers. */
static int month_index(int yyyymm)
{
    return yyyymm / 100 * 12 + yyyymm % 100 - 1;
}

static int64_t first_day_of(int index)
{
    struct kam_date d = {.year = index / 12, .month = index % 12 + 1, .day = 1};
    return kam_date_days(&d);
}

static bool fits(__int128 v)
{
    return v >= INT64_MIN && v <= INT64_MAX;
}

static double ratio(__int128 num, __int128 den)
{
    return den > 0 ? (double)num / (double)den : NAN;
}

/* a / n rounded half away from zero, n > 0. */
static kam_money div_round(kam_money a, int64_t n)
{
    kam_money q = a / n, r = a % n;
    if (2 * (r < 0 ? -r : r) >= n)
        q += a < 0 ? -1 : 1;
    return q;
}

struct sums {
    __int128 revenue, cost, costed, returns, discount, lines;
};

static void add_cell(struct sums *s, const struct kam_rollup *r)
{
    s->revenue += r->revenue;
    s->cost += r->cost;
    s->costed += r->costed_revenue;
    s->returns += r->returns;
    s->discount += r->discount;
    s->lines += r->lines;
}

static enum kam_rc check_period(const struct kam_metrics_period *p, struct kam_err *err)
{
    int y = p->as_of_month / 100, m = p->as_of_month % 100;
    if (y < 1 || y > 9999 || m < 1 || m > 12)
        return kam_err_set(err, KAM_ERR_INVALID, "as-of month %d is not a month (yyyymm)",
                           p->as_of_month);
    /* compared as days, not by kam_date_from_days(as_of): any int64 as_of (KAM_NONE) is safe */
    int k = month_index(p->as_of_month);
    if (p->as_of < first_day_of(k) || p->as_of >= first_day_of(k + 1))
        return kam_err_set(err, KAM_ERR_INVALID, "as-of day is not in the as-of month %d",
                           p->as_of_month);
    if (p->window_months < 1 || p->window_months > 1200)
        return kam_err_set(err, KAM_ERR_INVALID, "window of %d months is not 1..1200",
                           p->window_months);
    return KAM_OK;
}

bool kam_metrics_activity_fits(const struct kam_metrics_period *p,
                               const struct kam_metrics_activity *a)
{
    return p->window_months == KAM_METRICS_ACTIVITY_WINDOW && p->as_of_month == a->window_to &&
           (a->last_purchase == KAM_NONE || a->last_purchase <= p->as_of) &&
           a->max_first_month <= p->as_of_month;
}

static void purchases(const struct kam_metrics_period *p, const struct kam_metrics_input *in,
                      int64_t window_start, struct kam_metrics *out)
{
    const struct kam_metrics_activity *a = in->activity;
    if (a != NULL) { /* every purchase is on or before as-of (fits) */
        out->orders_total = a->orders_total;
        out->orders = a->window_orders;
        out->first_purchase = a->first_purchase;
        out->last_purchase = a->last_purchase;
        return;
    }
    for (size_t i = 0; i < in->norders; i++) {
        const struct kam_metrics_order *o = &in->orders[i];
        if (!o->purchase || o->day > p->as_of)
            continue;
        out->orders_total++;
        if (o->day >= window_start)
            out->orders++;
        if (out->first_purchase == KAM_NONE || o->day < out->first_purchase)
            out->first_purchase = o->day;
        if (out->last_purchase == KAM_NONE || o->day > out->last_purchase)
            out->last_purchase = o->day;
    }
}

/* Products first bought by the as-of month, and their distinct categories. */
static void breadth(const struct kam_metrics_period *p, const struct kam_metrics_input *in,
                    struct kam_metrics *out)
{
    int64_t repeat = 0;
    if (in->activity != NULL) { /* every first purchase is by the as-of month (fits) */
        out->products = in->activity->products;
        out->categories = in->activity->categories;
        out->repeat_rate = ratio(in->activity->repeats, out->products);
        return;
    }
    for (size_t i = 0; i < in->nproducts; i++) {
        const struct kam_metrics_product *pr = &in->products[i];
        if (pr->first_month > p->as_of_month)
            continue;
        out->products++;
        repeat += pr->lines >= 2;
        if (pr->category < 0)
            continue;
        bool seen = false;
        if (in->category_marks != NULL) {
            seen = in->category_marks[pr->category] == in->mark;
            in->category_marks[pr->category] = in->mark;
        } else {
            for (size_t j = 0; j < i && !seen; j++)
                seen = in->products[j].category == pr->category &&
                       in->products[j].first_month <= p->as_of_month;
        }
        out->categories += !seen;
    }
    out->repeat_rate = ratio(repeat, out->products);
}

kam_money kam_invoice_open(const struct kam_metrics_invoice *v, int64_t as_of)
{
    if (v->issued > as_of)
        return 0;
    bool paid = v->paid != KAM_NONE && v->paid <= as_of;
    kam_money settled = !paid ? 0 : v->paid_amount == KAM_NONE ? v->amount : v->paid_amount;
    return settled >= v->amount ? 0 : v->amount - settled;
}

static void receivables(const struct kam_metrics_period *p, const struct kam_metrics_input *in,
                        struct kam_metrics *out, __int128 *open, __int128 *overdue)
{
    int64_t due = 0, on_time = 0;
    for (size_t i = 0; i < in->ninvoices; i++) {
        const struct kam_metrics_invoice *v = &in->invoices[i];
        if (v->issued > p->as_of)
            continue;
        kam_money left = kam_invoice_open(v, p->as_of);
        *open += left;
        if (v->due < p->as_of) {
            due++;
            on_time += v->paid != KAM_NONE && v->paid <= v->due &&
                       (v->paid_amount == KAM_NONE || v->paid_amount >= v->amount);
            if (left > 0) {
                *overdue += left;
                if (p->as_of - v->due > out->max_days_overdue)
                    out->max_days_overdue = p->as_of - v->due;
            }
        }
    }
    out->on_time_rate = ratio(on_time, due);
}

enum kam_rc kam_metrics_compute(const struct kam_metrics_period *p,
                                const struct kam_metrics_input *in, struct kam_metrics *out,
                                struct kam_err *err)
{
    enum kam_rc rc = check_period(p, err);
    if (rc != KAM_OK)
        return rc;
    if (in->activity != NULL && !kam_metrics_activity_fits(p, in->activity))
        return kam_err_set(err, KAM_ERR_INVALID,
                           "the kept activity of month %d does not serve as-of month %d",
                           in->activity->window_to, p->as_of_month);
    int last = month_index(p->as_of_month), w = p->window_months;
    int win_from = last - w + 1, prev_from = last - 2 * w + 1;
    int64_t window_start = first_day_of(win_from);

    struct kam_metrics m = {
        .first_purchase = KAM_NONE, .last_purchase = KAM_NONE, .share_of_total = NAN};
    struct sums win = {0}, all = {0};
    __int128 prev = 0;
    int64_t active_from_first = 0;
    int prior = -1;
    for (size_t i = 0; i < in->nmonths; i++) {
        int k = month_index(in->months[i].month);
        if (k <= prior)
            return kam_err_set(err, KAM_ERR_INVALID, "month %d is not after the month before it",
                               in->months[i].month);
        prior = k;
        if (k > last)
            continue; /* not break: the months after as-of must be ascending too */
        const struct kam_rollup *r = &in->months[i].r;
        add_cell(&all, r);
        if (k >= win_from)
            add_cell(&win, r);
        else if (k >= prev_from)
            prev += r->revenue;
    }
    if (!fits(all.revenue) || !fits(all.costed - all.cost) || !fits(win.revenue - win.returns) ||
        !fits(prev) || !fits(all.discount) || !fits(win.revenue) || !fits(win.costed - win.cost) ||
        !fits(win.lines))
        return kam_err_set(err, KAM_ERR_INVALID, "a sum of the account's months is too large");

    purchases(p, in, window_start, &m);
    breadth(p, in, &m);
    __int128 open = 0, overdue = 0;
    receivables(p, in, &m, &open, &overdue);
    if (!fits(open))
        return kam_err_set(err, KAM_ERR_INVALID, "the account's receivables are too large");

    m.revenue = (kam_money)win.revenue;
    m.revenue_prev = (kam_money)prev;
    m.revenue_total = (kam_money)all.revenue;
    m.margin = (kam_money)(win.costed - win.cost);
    m.margin_pct = win.costed > 0 ? (double)(win.costed - win.cost) / (double)win.costed : NAN;
    m.margin_total = (kam_money)(all.costed - all.cost);
    m.growth = prev > 0 ? (double)win.revenue / (double)prev - 1 : NAN;
    m.lines = (int64_t)win.lines;
    m.avg_order_value = m.orders > 0 ? div_round(m.revenue, m.orders) : 0;
    m.recency_days = m.last_purchase == KAM_NONE ? -1 : p->as_of - m.last_purchase;
    if (m.first_purchase != KAM_NONE) {
        struct kam_date f = kam_date_from_days(m.first_purchase);
        int first = f.year * 12 + f.month - 1;
        m.tenure_months = last - first + 1;
        for (size_t i = 0; i < in->nmonths; i++) {
            int k = month_index(in->months[i].month);
            active_from_first += k >= first && k <= last && in->months[i].r.revenue > 0;
        }
        m.active_ratio = (double)active_from_first / (double)m.tenure_months;
    } else {
        m.active_ratio = NAN;
    }
    __int128 gross = win.revenue - win.returns; /* returns are <= 0 */
    m.returns_rate = ratio(-win.returns, gross);
    m.discount_rate = ratio(win.discount, gross + win.discount);
    m.overdue = (kam_money)overdue;
    m.receivables = (kam_money)open;
    int64_t window_days = p->as_of - window_start + 1;
    m.dso = win.revenue > 0 ? (double)open / (double)win.revenue * (double)window_days : NAN;
    m.share_of_wallet = in->est_annual_purchases != KAM_NONE && in->est_annual_purchases > 0
                            ? (double)win.revenue * 12.0 / w / (double)in->est_annual_purchases
                            : NAN;
    *out = m;
    return KAM_OK;
}

void kam_metrics_series(const struct kam_metrics_month *m, size_t n, int from_month,
                        kam_money *series, size_t len)
{
    int from = month_index(from_month);
    memset(series, 0, len * sizeof(*series));
    for (size_t i = 0; i < n; i++) {
        int k = month_index(m[i].month) - from;
        if (k >= 0 && (size_t)k < len)
            series[k] = m[i].r.revenue;
    }
}

void kam_metrics_share(struct kam_metrics *m, size_t n)
{
    __int128 total = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i].revenue > 0)
            total += m[i].revenue;
    for (size_t i = 0; i < n; i++)
        m[i].share_of_total = total > 0 ? (double)m[i].revenue / (double)total : NAN;
}

/* One metric: its field, unit, how it is held (KAM_METRIC_<type>) and its help line. */
#define F(field, unit, type, help)                                                                 \
    {                                                                                              \
#field, unit, help, offsetof(struct kam_metrics, field), KAM_METRIC_##type                 \
    }
const struct kam_metric_def kam_metric_defs[] = {
    F(revenue, "money", MONEY, "net revenue in the window, returns deducted"),
    F(revenue_prev, "money", MONEY, "net revenue in the window before"),
    F(revenue_total, "money", MONEY, "net revenue of all time up to as-of"),
    F(margin, "money", MONEY, "gross margin in the window (lines with a known cost)"),
    F(margin_pct, "ratio", REAL, "gross margin / costed revenue in the window"),
    F(margin_total, "money", MONEY, "gross margin of all time"),
    F(growth, "ratio", REAL, "window revenue / previous window revenue - 1"),
    F(orders, "count", INT, "purchase orders in the window"),
    F(orders_total, "count", INT, "purchase orders of all time"),
    F(lines, "count", INT, "order lines in the window"),
    F(avg_order_value, "money", MONEY, "window revenue / window orders"),
    F(recency_days, "days", INT_NONE_NEGATIVE, "days since the last purchase"),
    F(tenure_months, "months", INT, "months since the first purchase, both ends included"),
    F(active_ratio, "ratio", REAL, "months with revenue / tenure months"),
    F(products, "count", INT, "distinct products bought"),
    F(categories, "count", INT, "distinct product categories bought"),
    F(repeat_rate, "ratio", REAL, "share of the products bought on two or more lines"),
    F(returns_rate, "ratio", REAL, "returns / gross sales in the window"),
    F(discount_rate, "ratio", REAL, "discount / (gross sales + discount) in the window"),
    F(on_time_rate, "ratio", REAL, "invoices past due paid in full by their due day"),
    F(overdue, "money", MONEY, "unpaid amount past due"),
    F(max_days_overdue, "days", INT, "days past due of the oldest unpaid invoice"),
    F(receivables, "money", MONEY, "unpaid amount of all issued invoices"),
    F(dso, "days", REAL, "days sales outstanding: receivables / window revenue * window days"),
    F(share_of_wallet, "ratio", REAL, "annualised revenue / estimated annual purchases"),
    F(share_of_total, "ratio", REAL, "window revenue / the portfolio's window revenue"),
};
#undef F
const size_t kam_metric_count = sizeof(kam_metric_defs) / sizeof(kam_metric_defs[0]);

int kam_metric_find(const char *name)
{
    for (size_t i = 0; i < kam_metric_count; i++)
        if (strcmp(kam_metric_defs[i].name, name) == 0)
            return (int)i;
    return -1;
}

double kam_metric_value(const struct kam_metrics *m, size_t i)
{
    if (i >= kam_metric_count)
        return NAN;
    const struct kam_metric_def *d = &kam_metric_defs[i];
    const char *field = (const char *)m + d->offset;
    int64_t v;
    double x;
    switch (d->type) {
    case KAM_METRIC_MONEY:
        memcpy(&v, field, sizeof(v));
        return kam_money_to_double(v);
    case KAM_METRIC_INT:
        memcpy(&v, field, sizeof(v));
        return (double)v;
    case KAM_METRIC_INT_NONE_NEGATIVE:
        memcpy(&v, field, sizeof(v));
        return v < 0 ? NAN : (double)v;
    case KAM_METRIC_REAL:
        memcpy(&x, field, sizeof(x));
        return x;
    }
    return NAN;
}

bool kam_metric_money(const struct kam_metrics *m, size_t i, kam_money *out)
{
    if (i >= kam_metric_count || kam_metric_defs[i].type != KAM_METRIC_MONEY)
        return false;
    memcpy(out, (const char *)m + kam_metric_defs[i].offset, sizeof(*out));
    return true;
}
