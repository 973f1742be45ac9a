/* One account's 360 view as JSON: `kam account CODE --json` prints it, the CLI's text view is
 * drawn from it, and GET /api/v1/accounts/{code}/view answers it (docs/api.md). Revenue comes
 * from the monthly rollup, never from a scan of the order lines; open receivables use the rule
 * the metrics use (kam_invoice_open), as of the view's day. */
#include "engine/engine.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "io/export.h"
#include "util/date.h"

struct view {
    struct kam_arena arena;
    int64_t id;
    struct kam_value vals[KAM_ACC_NCOLS];
    json_t *contacts, *tags, *months, *products, *receivables;
    int first_month, nmonths;
    struct kam_rollup *month; /* nmonths cells, from first_month */
    int64_t as_of_days;
    bool overflow;
};

static int keep_account(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct view *v = ctx;
    v->id = id;
    for (size_t i = 0; i < KAM_ACC_NCOLS; i++) {
        v->vals[i] = vals[i];
        if (vals[i].s)
            v->vals[i].s = kam_arena_strndup(&v->arena, vals[i].s, vals[i].len);
    }
    return 0;
}

static int seen(void *ctx, int64_t id, const struct kam_value *vals, int64_t version,
                const char *created_at, const char *updated_at)
{
    (void)version;
    (void)created_at;
    (void)updated_at;
    return keep_account(ctx, id, vals);
}

static int add_contact(void *ctx, int64_t id, const struct kam_value *vals)
{
    json_array_append_new(ctx, kam_record_json(&kam_contacts, id, vals));
    return 0;
}

static int add_tag(void *ctx, const char *name, const char *color, int64_t n)
{
    (void)n;
    json_array_append_new(ctx,
                          json_pack("{s:s,s:s?}", "name", name, "color", color[0] ? color : NULL));
    return 0;
}

static int add_month(void *ctx, int64_t account, int month, const struct kam_rollup *r)
{
    struct view *v = ctx;
    (void)account;
    int i = (month / 100 * 12 + month % 100) - (v->first_month / 100 * 12 + v->first_month % 100);
    if (i >= 0 && i < v->nmonths && !kam_rollup_merge(&v->month[i], r)) {
        v->overflow = true; /* beyond the range of money: reported below */
        return 1;
    }
    return 0;
}

static int add_product(void *ctx, const char *sku, const char *name, const struct kam_rollup *r)
{
    json_array_append_new(ctx,
                          json_pack("{s:s,s:s,s:o,s:o,s:I}", "sku", sku, "name", name, "revenue",
                                    kam_money_json(r->revenue), "quantity",
                                    kam_money_json(r->quantity), "lines", (json_int_t)r->lines));
    return 0;
}

/* Days since 1970-01-01 of a stored date, KAM_NONE when absent. */
static int64_t day_of(const struct kam_value *d)
{
    struct kam_date t;
    if (d->null || kam_date_parse_iso(d->s, d->len, &t, NULL) != KAM_OK)
        return KAM_NONE;
    return kam_date_days(&t);
}

static int add_receivable(void *ctx, int64_t id, const struct kam_value *p)
{
    struct view *v = ctx;
    /* The open amount as the metrics count it (kam_invoice_open), as of the view's day. */
    struct kam_metrics_invoice inv = {
        .amount = p[KAM_PAY_AMOUNT].i,
        .paid_amount = p[KAM_PAY_PAID_AMOUNT].null ? KAM_NONE : p[KAM_PAY_PAID_AMOUNT].i,
        .issued = day_of(&p[KAM_PAY_ISSUED]),
        .due = day_of(&p[KAM_PAY_DUE]),
        .paid = day_of(&p[KAM_PAY_PAID]),
    };
    bool dated = v->as_of_days != KAM_NONE; /* no as-of without orders: every payment counts */
    kam_money open = kam_invoice_open(&inv, dated ? v->as_of_days : INT64_MAX);
    if (open <= 0)
        return 0;
    int64_t overdue =
        dated && inv.due != KAM_NONE && v->as_of_days > inv.due ? v->as_of_days - inv.due : 0;
    json_array_append_new(v->receivables,
                          json_pack("{s:I,s:s,s:o,s:o,s:s,s:s,s:I}", "id", (json_int_t)id,
                                    "invoice", p[KAM_PAY_INVOICE].s, "amount",
                                    kam_money_json(p[KAM_PAY_AMOUNT].i), "open",
                                    kam_money_json(open), "issued", p[KAM_PAY_ISSUED].s, "due",
                                    p[KAM_PAY_DUE].s, "days_overdue", (json_int_t)overdue));
    return 0;
}

/* The view's day and its month: the given date, else the day of the last order (none when
 * there are no orders: the months then end in January 1970, all empty). */
static enum kam_rc view_day(struct kam_store *st, const char *as_of, char date[11], int *last,
                            int64_t *days, struct kam_err *err)
{
    struct kam_date d;
    int first;
    date[0] = '\0';
    *days = KAM_NONE;
    if (as_of != NULL) {
        if (kam_date_parse_iso(as_of, strlen(as_of), &d, err) != KAM_OK)
            return kam_err_set(err, KAM_ERR_USAGE, "as-of date '%s': %s", as_of, err->msg);
        snprintf(date, 11, "%04d-%02d-%02d", d.year, d.month, d.day);
    } else {
        char buf[32];
        enum kam_rc rc = st->ops->order_months(st, &first, last, buf, sizeof(buf), err);
        if (rc != KAM_OK)
            return rc;
        if (buf[0] == '\0' || strlen(buf) != 10) {
            *last = 197001;
            return KAM_OK;
        }
        memcpy(date, buf, 11);
        if (kam_date_parse_iso(date, 10, &d, err) != KAM_OK)
            return KAM_ERR_STORE;
    }
    *last = d.year * 100 + d.month;
    *days = kam_date_days(&d);
    return KAM_OK;
}

static json_t *months_json(const struct view *v)
{
    json_t *a = json_array();
    for (int m = 0; m < v->nmonths; m++) {
        int ym = kam_month_add(v->first_month, m);
        char label[24];
        snprintf(label, sizeof(label), "%04d-%02d", ym / 100, ym % 100);
        json_array_append_new(a, json_pack("{s:s,s:o,s:o,s:o}", "month", label, "revenue",
                                           kam_money_json(v->month[m].revenue), "cost",
                                           kam_money_json(v->month[m].cost), "costed_revenue",
                                           kam_money_json(v->month[m].costed_revenue)));
    }
    return a;
}

enum kam_rc kam_engine_account_view(struct kam_store *st, const char *code,
                                    const struct kam_scope *scope, const char *as_of, int months,
                                    json_t **out, struct kam_err *err)
{
    struct view v = {0};
    char date[11], currency[16];
    int last = 0;
    enum kam_rc rc;

    *out = NULL;
    if (months < 1 || months > KAM_TREND_MAX_MONTHS)
        return kam_err_set(err, KAM_ERR_USAGE, "months is 1 to %d, not %d", KAM_TREND_MAX_MONTHS,
                           months);
    kam_arena_init(&v.arena);
    v.contacts = json_array();
    v.tags = json_array();
    v.products = json_array();
    v.receivables = json_array();
    v.nmonths = months;
    v.month = kam_xcalloc((size_t)months, sizeof(*v.month));
    /* Outside the scope reads exactly like a missing code (the store gives both one message). */
    rc = scope ? st->ops->account_get_scoped(st, code, scope, seen, &v, err)
               : st->ops->get(st, &kam_accounts, code, keep_account, &v, err);
    if (rc == KAM_OK)
        rc = view_day(st, as_of, date, &last, &v.as_of_days, err);
    if (rc == KAM_OK) {
        v.first_month = kam_month_add(last, -(months - 1));
        rc = st->ops->each(st, &kam_contacts, v.id, add_contact, v.contacts, err);
    }
    if (rc == KAM_OK)
        rc = st->ops->tag_list(st, v.id, add_tag, v.tags, err);
    if (rc == KAM_OK)
        rc = st->ops->rollup_each(st, v.id, v.first_month, last, add_month, &v, err);
    if (rc == KAM_OK && v.overflow)
        rc = kam_err_set(err, KAM_ERR_INVALID, "a monthly sum leaves the range of money");
    if (rc == KAM_OK)
        rc = st->ops->top_products(st, v.id, 5, add_product, v.products, err);
    if (rc == KAM_OK)
        rc = st->ops->each(st, &kam_payments, v.id, add_receivable, &v, err);
    if (rc == KAM_OK) {
        if (st->ops->meta_get(st, "currency", currency, sizeof(currency), err) != KAM_OK)
            snprintf(currency, sizeof(currency), "CNY");
        kam_err_clear(err);
        *out =
            json_pack("{s:o,s:s,s:s,s:O,s:O,s:o,s:O,s:O}", "account",
                      kam_record_json(&kam_accounts, v.id, v.vals), "currency", currency, "as_of",
                      date, "contacts", v.contacts, "tags", v.tags, "months", months_json(&v),
                      "top_products", v.products, "open_receivables", v.receivables);
    }
    json_decref(v.contacts);
    json_decref(v.tags);
    json_decref(v.products);
    json_decref(v.receivables);
    free(v.month);
    kam_arena_release(&v.arena);
    return rc;
}
