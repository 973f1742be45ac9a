/* Read-only views: the account list, one account's 360 view and the portfolio summary.
 * Revenue figures come from the monthly rollup, never from a scan of the order lines. Net basis:
 * returns and cancellations count negative (docs/methods.md). */
#include "cli/cli.h"

#include "core/metrics.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "core/pareto.h"
#include "io/export.h"
#include "util/date.h"
#include "util/mem.h"
#include "util/money.h"
#include "util/text.h"

static const char *money(kam_money v, char *buf, size_t n)
{
    return kam_money_fmt(v, 2, 1, buf, n);
}

static void currency_of(struct kam_store *st, char *buf, size_t n)
{
    struct kam_err err;
    if (st->ops->meta_get(st, "currency", buf, n, &err) != KAM_OK)
        snprintf(buf, n, "CNY");
}

/* --- accounts ----------------------------------------------------------------------------- */

struct list_out {
    json_t *items;
    int64_t n;
};

static int list_row(void *ctx, int64_t id, const struct kam_value *v, kam_money ttm,
                    kam_money total)
{
    struct list_out *o = ctx;
    char b[48];
    o->n++;
    if (o->items) {
        json_t *j = kam_record_json(&kam_accounts, id, v);
        json_object_set_new(j, "ttm_revenue", kam_money_json(ttm));
        json_object_set_new(j, "total_revenue", kam_money_json(total));
        json_array_append_new(o->items, j);
        return 0;
    }
    kam_text_pad(stdout, v[KAM_ACC_CODE].s, 10, 0);
    fputc(' ', stdout);
    kam_text_pad(stdout, v[KAM_ACC_NAME].s, 36, 0);
    fputc(' ', stdout);
    kam_text_pad(stdout, v[KAM_ACC_ROLE].s, 11, 0);
    fputc(' ', stdout);
    kam_text_pad(stdout, v[KAM_ACC_REGION].s, 8, 0);
    fputc(' ', stdout);
    kam_text_pad(stdout, v[KAM_ACC_OWNER].s, 12, 0);
    fputc(' ', stdout);
    kam_text_pad(stdout, money(ttm, b, sizeof(b)), 16, 1);
    fputc('\n', stdout);
    return 0;
}

int kam_cmd_accounts(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'},
        {"region", required_argument, NULL, 'g'},
        {"owner", required_argument, NULL, 'o'},
        {"tag", required_argument, NULL, 't'},
        {"search", required_argument, NULL, 's'},
        {"sort", required_argument, NULL, 'S'},
        {"limit", required_argument, NULL, 'l'},
        {"json", no_argument, NULL, 'j'},
        {0},
    };
    struct kam_account_query q = {0};
    struct list_out out = {NULL, 0};
    struct kam_err err;
    char date[32];
    int c, code = 0, last;
    char *end;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (kam_enum_index(kam_role_names, optarg, strlen(optarg)) < 0)
                return kam_cli_usage("accounts", "unknown role '%s'", optarg);
            q.role = optarg;
            break;
        case 'g':
            q.region = optarg;
            break;
        case 'o':
            q.owner = optarg;
            break;
        case 't':
            q.tag = optarg;
            break;
        case 's':
            q.text = optarg;
            break;
        case 'S':
            if (strcmp(optarg, "name") == 0)
                q.sort = KAM_SORT_NAME;
            else if (strcmp(optarg, "revenue") == 0)
                q.sort = KAM_SORT_REVENUE;
            else
                return kam_cli_usage("accounts", "--sort is name or revenue, not '%s'", optarg);
            break;
        case 'l':
            q.limit = strtoll(optarg, &end, 10);
            if (*end || q.limit < 1)
                return kam_cli_usage("accounts", "--limit '%s' is not a positive number", optarg);
            break;
        case 'j':
            out.items = json_array();
            break;
        default:
            return kam_cli_usage("accounts", "unknown option");
        }
    }
    if (optind != argc) {
        json_decref(out.items);
        return kam_cli_usage("accounts", "unexpected argument '%s'", argv[optind]);
    }
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL) {
        json_decref(out.items);
        return code;
    }
    kam_err_clear(&err);
    enum kam_rc rc = kam_cli_as_of(st, NULL, &last, date, sizeof(date), &err);
    q.ttm_to = last;
    q.ttm_from = last ? kam_month_add(last, -11) : 0;
    if (rc == KAM_OK && !out.items)
        printf("%-10s %-36s %-11s %-8s %-12s %16s\n", "code", "name", "role", "region", "owner",
               "revenue 12m");
    if (rc == KAM_OK)
        rc = st->ops->account_list(st, &q, list_row, &out, &err);
    kam_store_close(st);
    if (rc != KAM_OK) {
        json_decref(out.items);
        return kam_cli_fail(&err);
    }
    if (out.items)
        kam_cli_json(json_pack("{s:o,s:I}", "items", out.items, "total", (json_int_t)out.n));
    else
        printf("%lld account%s\n", (long long)out.n, out.n == 1 ? "" : "s");
    return 0;
}

/* --- account 360 -------------------------------------------------------------------------- */

struct view {
    struct kam_arena arena;
    int64_t id;
    struct kam_value vals[KAM_ACC_NCOLS];
    json_t *contacts, *tags, *months, *products, *receivables;
    int first_month;
    kam_money month_rev[12], month_cost[12], month_costed[12];
    int64_t as_of_days;
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
    if (i >= 0 && i < 12) {
        v->month_rev[i] += r->revenue;
        v->month_cost[i] += r->cost;
        v->month_costed[i] += r->costed_revenue;
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

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static kam_money jmoney(json_t *o, const char *key)
{
    kam_money m = 0;
    const char *s = jstr(o, key);
    if (kam_money_parse(s, strlen(s), &m, NULL) != KAM_OK)
        return 0;
    return m;
}

static void print_view(const struct view *v, const char *currency, const char *as_of)
{
    char b[48], b2[48];
    printf("%s  %s\n", v->vals[KAM_ACC_CODE].s, v->vals[KAM_ACC_NAME].s);
    printf("\nprofile\n");
    for (size_t i = 2; i < KAM_ACC_NCOLS; i++) {
        if (v->vals[i].null)
            continue;
        printf("  %-22s %s\n", kam_accounts.cols[i].name,
               kam_value_text(&kam_accounts.cols[i], &v->vals[i], b, sizeof(b)));
    }
    printf("\ntags: ");
    size_t i;
    json_t *x;
    json_array_foreach(v->tags, i, x) printf("%s%s", i ? ", " : "", jstr(x, "name"));
    printf("%s\n", json_array_size(v->tags) ? "" : "(none)");
    printf("\ncontacts\n");
    json_array_foreach(v->contacts, i, x)
    {
        printf("  ");
        kam_text_pad(stdout, jstr(x, "name"), 12, 0);
        printf(" ");
        kam_text_pad(stdout, jstr(x, "title"), 16, 0);
        printf(" ");
        kam_text_pad(stdout, jstr(x, "phone"), 16, 0);
        printf(" %s\n", jstr(x, "email"));
    }
    if (json_array_size(v->contacts) == 0)
        printf("  (none)\n");
    printf("\nrevenue by month, 12 months to %s (%s, net of returns)\n", as_of, currency);
    kam_money max = 1;
    for (int m = 0; m < 12; m++)
        if (v->month_rev[m] > max)
            max = v->month_rev[m];
    json_array_foreach(v->months, i, x)
    {
        kam_money r = jmoney(x, "revenue");
        int bar = r > 0 ? (int)((double)r / (double)max * 30 + 0.5) : 0;
        printf("  %s %16s  %.*s\n", jstr(x, "month"), money(r, b, sizeof(b)), bar * 3,
               "■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■");
    }
    printf("\ntop products\n");
    json_array_foreach(v->products, i, x)
    {
        printf("  %-10s ", jstr(x, "sku"));
        kam_text_pad(stdout, jstr(x, "name"), 30, 0);
        printf(" %16s\n", money(jmoney(x, "revenue"), b, sizeof(b)));
    }
    if (json_array_size(v->products) == 0)
        printf("  (no orders)\n");
    printf("\nopen receivables (as of %s)\n", as_of);
    kam_money total = 0;
    json_array_foreach(v->receivables, i, x)
    {
        json_int_t od = json_integer_value(json_object_get(x, "days_overdue"));
        total += jmoney(x, "open");
        printf("  %-14s due %s %16s open %16s%s", jstr(x, "invoice"), jstr(x, "due"),
               money(jmoney(x, "amount"), b, sizeof(b)), money(jmoney(x, "open"), b2, sizeof(b2)),
               od > 0 ? "  overdue " : "\n");
        if (od > 0)
            printf("%lld days\n", (long long)od);
    }
    if (json_array_size(v->receivables) == 0)
        printf("  (none)\n");
    else
        printf("  total open %s\n", money(total, b, sizeof(b)));
}

int kam_cmd_account(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"json", no_argument, NULL, 'j'}, {"as-of", required_argument, NULL, 'a'}, {0}};
    struct view v = {0};
    const char *as_of_arg = NULL;
    struct kam_err err;
    bool json = false;
    char as_of[32] = "", currency[16];
    int c, code = 0, last = 0;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j')
            json = true;
        else if (c == 'a')
            as_of_arg = optarg;
        else
            return kam_cli_usage("account", "unknown option");
    }
    if (argc - optind != 1)
        return kam_cli_usage("account", "expected one account CODE");
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_arena_init(&v.arena);
    kam_err_clear(&err);
    v.contacts = json_array();
    v.tags = json_array();
    v.months = json_array();
    v.products = json_array();
    v.receivables = json_array();
    currency_of(st, currency, sizeof(currency));
    enum kam_rc rc = st->ops->get(st, &kam_accounts, argv[optind], keep_account, &v, &err);
    if (rc == KAM_OK)
        rc = kam_cli_as_of(st, as_of_arg, &last, as_of, sizeof(as_of), &err);
    if (rc == KAM_OK && last == 0) {
        /* No orders yet: the window ends at the current month of the data, none. */
        last = 197001;
    }
    if (rc == KAM_OK) {
        struct kam_date d;
        v.as_of_days = KAM_NONE;
        if (as_of[0] && kam_date_parse_iso(as_of, strlen(as_of), &d, NULL) == KAM_OK)
            v.as_of_days = kam_date_days(&d);
        v.first_month = kam_month_add(last, -11);
        rc = st->ops->each(st, &kam_contacts, v.id, add_contact, v.contacts, &err);
    }
    if (rc == KAM_OK)
        rc = st->ops->tag_list(st, v.id, add_tag, v.tags, &err);
    if (rc == KAM_OK)
        rc = st->ops->rollup_each(st, v.id, v.first_month, last, add_month, &v, &err);
    if (rc == KAM_OK)
        rc = st->ops->top_products(st, v.id, 5, add_product, v.products, &err);
    if (rc == KAM_OK)
        rc = st->ops->each(st, &kam_payments, v.id, add_receivable, &v, &err);
    if (rc == KAM_OK) {
        for (int m = 0; m < 12; m++) {
            int ym = kam_month_add(v.first_month, m);
            char label[16];
            snprintf(label, sizeof(label), "%04d-%02d", ym / 100, ym % 100);
            json_array_append_new(v.months,
                                  json_pack("{s:s,s:o,s:o,s:o}", "month", label, "revenue",
                                            kam_money_json(v.month_rev[m]), "cost",
                                            kam_money_json(v.month_cost[m]), "costed_revenue",
                                            kam_money_json(v.month_costed[m])));
        }
        if (json) {
            json_t *j =
                json_pack("{s:o,s:s,s:s,s:O,s:O,s:O,s:O,s:O}", "account",
                          kam_record_json(&kam_accounts, v.id, v.vals), "currency", currency,
                          "as_of", as_of, "contacts", v.contacts, "tags", v.tags, "months",
                          v.months, "top_products", v.products, "open_receivables", v.receivables);
            kam_cli_json(j);
        } else {
            print_view(&v, currency, as_of);
        }
    }
    json_decref(v.contacts);
    json_decref(v.tags);
    json_decref(v.months);
    json_decref(v.products);
    json_decref(v.receivables);
    kam_arena_release(&v.arena);
    kam_store_close(st);
    return rc == KAM_OK ? 0 : kam_cli_fail(&err);
}

/* --- summary ------------------------------------------------------------------------------ */

#define SUMMARY_TOP 10 /* the largest accounts listed */

int kam_cmd_summary(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
    struct kam_summary s;
    struct kam_err err;
    bool json = false;
    char b[48];
    int c, code = 0;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'j')
            return kam_cli_usage("summary", "unknown option");
        json = true;
    }
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    enum kam_rc rc = kam_engine_summary(st, SUMMARY_TOP, &s, &err);
    kam_store_close(st);
    if (rc != KAM_OK) {
        kam_summary_release(&s);
        return kam_cli_fail(&err);
    }
    const struct kam_top_share *ts = &s.pareto;
    if (json) {
        json_t *t = json_array();
        for (size_t i = 0; i < s.ntop; i++)
            json_array_append_new(
                t, json_pack("{s:s,s:s,s:o,s:f}", "code", s.top[i].code, "name", s.top[i].name,
                             "revenue", kam_money_json(s.top[i].revenue), "share", s.top[i].share));
        kam_cli_json(json_pack(
            "{s:s,s:{s:I,s:I,s:I,s:I,s:I},s:s?,s:o,s:{s:I,s:o,s:I,s:o,s:f,s:I,s:f},s:o}",
            "currency", s.currency, "counts", "accounts", (json_int_t)s.counts.accounts, "contacts",
            (json_int_t)s.counts.contacts, "products", (json_int_t)s.counts.products, "order_lines",
            (json_int_t)s.counts.order_lines, "payments", (json_int_t)s.counts.payments,
            "last_order_date", s.last_date[0] ? s.last_date : NULL, "net_revenue",
            kam_money_json(s.net), "pareto", "population", (json_int_t)ts->population,
            "population_revenue", kam_money_json(ts->total), "top_k", (json_int_t)ts->k,
            "top_revenue", kam_money_json(ts->top), "top_share", ts->share, "accounts_to_80",
            (json_int_t)ts->k80, "gini", s.gini, "top_accounts", t));
    } else {
        printf("portfolio of %s (%s)\n", cli->db, s.currency);
        printf("  accounts %lld, contacts %lld, products %lld, order lines %lld, payments %lld\n",
               (long long)s.counts.accounts, (long long)s.counts.contacts,
               (long long)s.counts.products, (long long)s.counts.order_lines,
               (long long)s.counts.payments);
        if (s.first_month)
            printf("  orders from %04d-%02d to %s\n", s.first_month / 100, s.first_month % 100,
                   s.last_date);
        printf("  net revenue %s %s (returns and cancellations deducted)\n", s.currency,
               money(s.net, b, sizeof(b)));
        printf("\ntop %zu accounts by net revenue\n", s.ntop);
        for (size_t i = 0; i < s.ntop; i++) {
            printf("  %2zu  %-10s ", i + 1, s.top[i].code);
            kam_text_pad(stdout, s.top[i].name, 36, 0);
            printf(" %16s  %5.1f %%\n", money(s.top[i].revenue, b, sizeof(b)),
                   ts->total > 0 ? 100.0 * (double)s.top[i].revenue / (double)ts->total
                                 : 0.0); /* as before the move: the same rounding */
        }
        printf("\n80:20 (accounts with net revenue > 0: %lld, revenue %s)\n",
               (long long)ts->population, money(ts->total, b, sizeof(b)));
        printf("  the top 20 %% (%lld accounts) bring %.3f %% of revenue\n", (long long)ts->k,
               100.0 * ts->share);
        if (ts->population > 0)
            printf("  %lld accounts (%.2f %%) make 80 %% of revenue; Gini coefficient %.4f\n",
                   (long long)ts->k80, 100.0 * (double)ts->k80 / (double)ts->population, s.gini);
    }
    kam_summary_release(&s);
    return 0;
}
