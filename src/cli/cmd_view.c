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

/* What `kam accounts` prints: the table, JSON, CSV, or an xlsx file. */
enum list_format { LIST_TABLE, LIST_JSON, LIST_CSV, LIST_XLSX };

struct accounts_opts {
    struct kam_account_query q;
    enum list_format format;
    enum kam_export_encoding enc;
    bool encoding_set;
    const char *xlsx;
};

/* One filter or sort option c of `kam accounts` into o->q: 0, or the exit code of a usage
 * error. */
static int accounts_filter(int c, struct accounts_opts *o)
{
    char *end;
    switch (c) {
    case 'r':
        if (kam_enum_index(kam_role_names, optarg, strlen(optarg)) < 0)
            return kam_cli_usage("accounts", "unknown role '%s'", optarg);
        o->q.role = optarg;
        break;
    case 'g':
        o->q.region = optarg;
        break;
    case 'o':
        o->q.owner = optarg;
        break;
    case 't':
        o->q.tag = optarg;
        break;
    case 's':
        o->q.text = optarg;
        break;
    case 'S':
        if (strcmp(optarg, "name") == 0)
            o->q.sort = KAM_SORT_NAME;
        else if (strcmp(optarg, "revenue") == 0)
            o->q.sort = KAM_SORT_REVENUE;
        else
            return kam_cli_usage("accounts", "--sort is name or revenue, not '%s'", optarg);
        break;
    case 'l':
        o->q.limit = strtoll(optarg, &end, 10);
        if (*end || o->q.limit < 1)
            return kam_cli_usage("accounts", "--limit '%s' is not a positive number", optarg);
        break;
    default:
        return kam_cli_usage("accounts", "unknown option");
    }
    return 0;
}

/* One output option c into o: 0, the exit code of a usage error, or -1 when c is not one. */
static int accounts_output(int c, struct accounts_opts *o)
{
    enum list_format f = c == 'j' ? LIST_JSON : c == 'c' ? LIST_CSV : LIST_XLSX;
    if (c != 'j' && c != 'c' && c != 'x' && c != 'e')
        return -1;
    if (c == 'e') {
        if (!kam_export_encoding_parse(optarg, &o->enc))
            return kam_cli_usage("accounts", "unknown encoding '%s' (use utf-8 or gb18030)",
                                 optarg);
        o->encoding_set = true;
        return 0;
    }
    if (o->format != LIST_TABLE && o->format != f)
        return kam_cli_usage("accounts", "choose one of --json, --csv and --xlsx");
    if (c == 'x' && (optarg[0] == '\0' || optarg[0] == '-'))
        return kam_cli_usage("accounts", "--xlsx needs a file name");
    o->format = f;
    o->xlsx = c == 'x' ? optarg : o->xlsx;
    return 0;
}

static int accounts_parse(int argc, char **argv, struct accounts_opts *o)
{
    static const struct option opts[] = {
        {"role", required_argument, NULL, 'r'},   {"region", required_argument, NULL, 'g'},
        {"owner", required_argument, NULL, 'o'},  {"tag", required_argument, NULL, 't'},
        {"search", required_argument, NULL, 's'}, {"sort", required_argument, NULL, 'S'},
        {"limit", required_argument, NULL, 'l'},  {"json", no_argument, NULL, 'j'},
        {"csv", no_argument, NULL, 'c'},          {"encoding", required_argument, NULL, 'e'},
        {"xlsx", required_argument, NULL, 'x'},   {0},
    };
    int c, code;

    /* ':' first: a missing value comes back as ':' and the message is ours. */
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c == ':')
            return kam_cli_usage("accounts", "%s needs a value", argv[optind - 1]);
        if (c == '?')
            return kam_cli_usage("accounts", "unknown option '%s'", argv[optind - 1]);
        code = accounts_output(c, o);
        if (code < 0)
            code = accounts_filter(c, o);
        if (code != 0)
            return code;
    }
    if (optind != argc)
        return kam_cli_usage("accounts", "unexpected argument '%s'", argv[optind]);
    if (o->encoding_set && o->format != LIST_CSV)
        return kam_cli_usage("accounts", "--encoding is for --csv");
    return 0;
}

/* The table or JSON of the listed accounts. */
static enum kam_rc accounts_print(struct kam_store *st, const struct accounts_opts *o,
                                  struct kam_err *err)
{
    struct list_out out = {o->format == LIST_JSON ? json_array() : NULL, 0};
    if (!out.items)
        printf("%-10s %-36s %-11s %-8s %-12s %16s\n", "code", "name", "role", "region", "owner",
               "revenue 12m");
    enum kam_rc rc = st->ops->account_list(st, &o->q, list_row, &out, err);
    if (rc != KAM_OK)
        json_decref(out.items);
    else if (out.items)
        kam_cli_json(json_pack("{s:o,s:I}", "items", out.items, "total", (json_int_t)out.n));
    else
        printf("%lld account%s\n", (long long)out.n, out.n == 1 ? "" : "s");
    return rc;
}

int kam_cmd_accounts(struct kam_cli *cli, int argc, char **argv)
{
    struct accounts_opts o = {.enc = KAM_ENCODING_UTF8};
    struct kam_err err;
    char date[32];
    int code = accounts_parse(argc, argv, &o), last;
    int64_t n = 0;

    if (code != 0)
        return code;
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    enum kam_rc rc = kam_cli_as_of(st, NULL, &last, date, sizeof(date), &err);
    o.q.ttm_to = last;
    o.q.ttm_from = last ? kam_month_add(last, -11) : 0;
    if (rc == KAM_OK && o.format == LIST_CSV)
        rc = kam_export_accounts_csv(st, &o.q, o.enc, 0, stdout, &n, &err);
    else if (rc == KAM_OK && o.format == LIST_XLSX)
        rc = kam_export_accounts_xlsx(st, &o.q, 0, o.xlsx, &n, &err);
    else if (rc == KAM_OK)
        rc = accounts_print(st, &o, &err);
    kam_store_close(st);
    if (rc != KAM_OK)
        return kam_cli_fail(&err);
    if (o.format == LIST_XLSX)
        printf("%lld account%s written to %s\n", (long long)n, n == 1 ? "" : "s", o.xlsx);
    return 0;
}

/* --- account 360 -------------------------------------------------------------------------- */

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

/* The text view, drawn from the JSON of kam_engine_account_view. */
static void print_view(json_t *view)
{
    json_t *acc = json_object_get(view, "account"), *x;
    const char *currency = jstr(view, "currency"), *as_of = jstr(view, "as_of");
    char b[48], b2[48];
    size_t i;
    printf("%s  %s\n", jstr(acc, "code"), jstr(acc, "name"));
    printf("\nprofile\n");
    for (size_t c = 2; c < KAM_ACC_NCOLS; c++) {
        json_t *val = json_object_get(acc, kam_accounts.cols[c].name);
        if (val == NULL || json_is_null(val))
            continue;
        if (json_is_integer(val))
            printf("  %-22s %lld\n", kam_accounts.cols[c].name, (long long)json_integer_value(val));
        else if (kam_accounts.cols[c].type == KAM_V_MONEY)
            printf("  %-22s %s\n", kam_accounts.cols[c].name,
                   money(jmoney(acc, kam_accounts.cols[c].name), b, sizeof(b)));
        else
            printf("  %-22s %s\n", kam_accounts.cols[c].name, json_string_value(val));
    }
    json_t *tags = json_object_get(view, "tags"), *contacts = json_object_get(view, "contacts");
    printf("\ntags: ");
    json_array_foreach(tags, i, x) printf("%s%s", i ? ", " : "", jstr(x, "name"));
    printf("%s\n", json_array_size(tags) ? "" : "(none)");
    printf("\ncontacts\n");
    json_array_foreach(contacts, i, x)
    {
        printf("  ");
        kam_text_pad(stdout, jstr(x, "name"), 12, 0);
        printf(" ");
        kam_text_pad(stdout, jstr(x, "title"), 16, 0);
        printf(" ");
        kam_text_pad(stdout, jstr(x, "phone"), 16, 0);
        printf(" %s\n", jstr(x, "email"));
    }
    if (json_array_size(contacts) == 0)
        printf("  (none)\n");
    json_t *months = json_object_get(view, "months");
    printf("\nrevenue by month, %zu months to %s (%s, net of returns)\n", json_array_size(months),
           as_of, currency);
    kam_money max = 1;
    json_array_foreach(months, i, x) if (jmoney(x, "revenue") > max) max = jmoney(x, "revenue");
    json_array_foreach(months, i, x)
    {
        kam_money r = jmoney(x, "revenue");
        int bar = r > 0 ? (int)((double)r / (double)max * 30 + 0.5) : 0;
        printf("  %s %16s  %.*s\n", jstr(x, "month"), money(r, b, sizeof(b)), bar * 3,
               "■■■■■■■■■■■■■■■■■■■■■■■■■■■■■■");
    }
    json_t *products = json_object_get(view, "top_products");
    printf("\ntop products\n");
    json_array_foreach(products, i, x)
    {
        printf("  %-10s ", jstr(x, "sku"));
        kam_text_pad(stdout, jstr(x, "name"), 30, 0);
        printf(" %16s\n", money(jmoney(x, "revenue"), b, sizeof(b)));
    }
    if (json_array_size(products) == 0)
        printf("  (no orders)\n");
    json_t *recv = json_object_get(view, "open_receivables");
    printf("\nopen receivables (as of %s)\n", as_of);
    kam_money total = 0;
    json_array_foreach(recv, i, x)
    {
        json_int_t od = json_integer_value(json_object_get(x, "days_overdue"));
        total += jmoney(x, "open");
        printf("  %-14s due %s %16s open %16s%s", jstr(x, "invoice"), jstr(x, "due"),
               money(jmoney(x, "amount"), b, sizeof(b)), money(jmoney(x, "open"), b2, sizeof(b2)),
               od > 0 ? "  overdue " : "\n");
        if (od > 0)
            printf("%lld days\n", (long long)od);
    }
    if (json_array_size(recv) == 0)
        printf("  (none)\n");
    else
        printf("  total open %s\n", money(total, b, sizeof(b)));
}

int kam_cmd_account(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'},
                                         {"as-of", required_argument, NULL, 'a'},
                                         {"months", required_argument, NULL, 'm'},
                                         {0}};
    const char *as_of = NULL;
    struct kam_err err;
    bool json = false;
    long months = 12;
    char *end, date[32];
    int c, code = 0, last;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j') {
            json = true;
        } else if (c == 'a') {
            as_of = optarg;
        } else if (c == 'm') {
            months = strtol(optarg, &end, 10);
            if (*end || months < 1 || months > KAM_TREND_MAX_MONTHS)
                return kam_cli_usage("account", "--months '%s' is not a number from 1 to %d",
                                     optarg, KAM_TREND_MAX_MONTHS);
        } else {
            return kam_cli_usage("account", "unknown option");
        }
    }
    if (argc - optind != 1)
        return kam_cli_usage("account", "expected one account CODE");
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    json_t *view = NULL;
    /* The CLI's message names its option; the engine gets the date checked. */
    enum kam_rc rc = as_of ? kam_cli_as_of(st, as_of, &last, date, sizeof(date), &err) : KAM_OK;
    if (rc == KAM_OK)
        rc = kam_engine_account_view(st, argv[optind], NULL, as_of ? date : NULL, (int)months,
                                     &view, &err);
    kam_store_close(st);
    if (rc != KAM_OK)
        return kam_cli_fail(&err);
    if (json)
        kam_cli_json(view);
    else {
        print_view(view);
        json_decref(view);
    }
    return 0;
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

/* --- edit --------------------------------------------------------------------------------- */

/* version_of: the account's current version, to edit at when --version is not given. */
static int version_seen(void *ctx, int64_t id, const struct kam_value *vals, int64_t version,
                        const char *created_at, const char *updated_at)
{
    (void)id;
    (void)vals;
    (void)created_at;
    (void)updated_at;
    *(int64_t *)ctx = version;
    return 0;
}

/* FIELD=VALUE into vals and mask, typed by the column; an empty VALUE clears the field (or gives
 * its default). 1 after the usage message. */
static int edit_arg(const char *arg, struct kam_value *vals, uint64_t *mask)
{
    const char *eq = strchr(arg, '=');
    char name[64];
    if (eq == NULL || eq == arg || (size_t)(eq - arg) >= sizeof(name))
        return kam_cli_usage("edit", "'%s' is not FIELD=VALUE", arg);
    snprintf(name, sizeof(name), "%.*s", (int)(eq - arg), arg);
    int i = kam_table_col(&kam_accounts, name);
    if (i < 0 || !(KAM_ACCOUNT_EDITABLE & (1ull << i)))
        return kam_cli_usage("edit", "'%s' is not an account field that can be changed", name);
    const char *v = eq + 1;
    const struct kam_column *c = &kam_accounts.cols[i];
    *mask |= 1ull << i;
    if (*v == '\0') {
        vals[i] = (struct kam_value){.null = true};
        return 0;
    }
    if (c->type == KAM_V_MONEY) {
        kam_money m;
        struct kam_err e;
        kam_err_clear(&e);
        if (kam_money_parse(v, strlen(v), &m, &e) != KAM_OK)
            return kam_cli_usage("edit", "%s: %s", name, e.msg);
        vals[i] = (struct kam_value){.i = m};
    } else if (c->type == KAM_V_INT) {
        char *end;
        long long n = strtoll(v, &end, 10);
        if (*end != '\0')
            return kam_cli_usage("edit", "%s: '%s' is not a whole number", name, v);
        vals[i] = (struct kam_value){.i = n};
    } else {
        vals[i] = (struct kam_value){.s = v, .len = strlen(v)};
    }
    return 0;
}

/* Without --version (*version 0): the version stored now, so that a change made meanwhile
 * still conflicts. */
static enum kam_rc current_version(struct kam_store *st, const char *account, int64_t *version,
                                   struct kam_err *err)
{
    struct kam_scope all;
    if (*version != 0)
        return KAM_OK;
    kam_scope_init(&all, KAM_ROLE_ADMIN, "", NULL);
    return st->ops->account_get_scoped(st, account, &all, version_seen, version, err);
}

/* The --version N of edit and delete into *version (0 when absent); 1 after the usage message. */
static int version_option(const char *cmd, int argc, char **argv, int64_t *version)
{
    static const struct option opts[] = {{"version", required_argument, NULL, 'v'}, {0}};
    char *end;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'v')
            return kam_cli_usage(cmd, "unknown option");
        *version = strtoll(optarg, &end, 10);
        if (*end || *version < 1)
            return kam_cli_usage(cmd, "--version '%s' is not a version (1, 2, ...)", optarg);
    }
    return 0;
}

int kam_cmd_edit(struct kam_cli *cli, int argc, char **argv)
{
    struct kam_value vals[KAM_ACC_NCOLS];
    struct kam_err err;
    uint64_t mask = 0;
    int64_t version = 0;
    int code = 0;

    if (version_option("edit", argc, argv, &version) != 0)
        return 1;
    if (argc - optind < 2)
        return kam_cli_usage("edit", "expected an account CODE and at least one FIELD=VALUE");
    for (size_t i = 0; i < KAM_ACC_NCOLS; i++)
        vals[i] = (struct kam_value){.null = true};
    for (int k = optind + 1; k < argc; k++)
        if (edit_arg(argv[k], vals, &mask) != 0)
            return 1;
    const char *account = argv[optind];
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    enum kam_rc rc = current_version(st, account, &version, &err);
    int64_t before = version;
    if (rc == KAM_OK)
        rc = kam_engine_account_update(st, kam_cli_actor(), NULL, account, vals, mask, &version,
                                       &err);
    kam_store_close(st);
    if (rc != KAM_OK)
        return kam_cli_fail(&err);
    if (version == before)
        printf("%s: nothing changed (version %lld)\n", account, (long long)version);
    else
        printf("%s: version %lld\n", account, (long long)version);
    return 0;
}

/* A problem of the one record: its field and what is wrong. */
static void add_problem(void *ctx, const struct kam_import_problem *p)
{
    (void)ctx;
    if (p->field && p->field[0])
        fprintf(stderr, "kam add: %s: %s\n", p->field, p->msg);
    else
        fprintf(stderr, "kam add: %s\n", p->msg);
}

/* kam add KIND FIELD=VALUE...: one record, as POST /api/v1/accounts (and the account's contacts,
 * orders, payments, and products) makes it: the import's rules, create-only, audited. */
int kam_cmd_add(struct kam_cli *cli, int argc, char **argv)
{
    static const struct {
        const char *name;
        enum kam_import_kind kind;
    } kinds[] = {{"account", KAM_IMPORT_ACCOUNTS},
                 {"contact", KAM_IMPORT_CONTACTS},
                 {"product", KAM_IMPORT_PRODUCTS},
                 {"order", KAM_IMPORT_ORDERS},
                 {"payment", KAM_IMPORT_PAYMENTS}};
    struct kam_err err;
    int code = 0;
    size_t k = 0;

    if (argc < 3)
        return kam_cli_usage("add", "expected KIND and at least one FIELD=VALUE");
    while (k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(kinds[k].name, argv[1]) != 0)
        k++;
    if (k == sizeof(kinds) / sizeof(kinds[0]))
        return kam_cli_usage("add", "'%s' is not account, contact, product, order or payment",
                             argv[1]);
    size_t n = (size_t)argc - 2;
    struct kam_field_value *f = kam_xcalloc(n, sizeof(*f));
    char **names = kam_xcalloc(n, sizeof(*names));
    for (size_t i = 0; i < n; i++) {
        const char *arg = argv[i + 2], *eq = strchr(arg, '=');
        names[i] = kam_xstrdup(arg);
        if (eq != NULL)
            names[i][eq - arg] = '\0';
        if (eq == NULL || eq == arg || !kam_import_field_known(kinds[k].kind, names[i])) {
            int r =
                kam_cli_usage("add", "'%s' is not FIELD=VALUE with a field of %s (docs/import.md)",
                              arg, kinds[k].name);
            for (size_t j = 0; j <= i; j++)
                free(names[j]);
            free(names);
            free(f);
            return r;
        }
        f[i] = (struct kam_field_value){names[i], eq + 1};
    }
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    enum kam_rc rc = KAM_OK;
    if (st != NULL) {
        kam_err_clear(&err);
        rc = kam_engine_record_create(st, kam_cli_actor(), NULL, kinds[k].kind, f, n, add_problem,
                                      NULL, &err);
        kam_store_close(st);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(f);
    if (st == NULL)
        return code;
    if (rc != KAM_OK)
        return kam_cli_fail(&err);
    printf("added the %s\n", kinds[k].name);
    return 0;
}

/* kam delete CODE [--version N]: as DELETE /api/v1/accounts/{code}. */
int kam_cmd_delete(struct kam_cli *cli, int argc, char **argv)
{
    struct kam_err err;
    int64_t version = 0;
    int code = 0;

    if (version_option("delete", argc, argv, &version) != 0)
        return 1;
    if (argc - optind != 1)
        return kam_cli_usage("delete", "expected one account CODE");
    const char *account = argv[optind];
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    enum kam_rc rc = current_version(st, account, &version, &err);
    if (rc == KAM_OK)
        rc = kam_engine_account_delete(st, kam_cli_actor(), NULL, account, version, &err);
    kam_store_close(st);
    if (rc != KAM_OK)
        return kam_cli_fail(&err);
    printf("deleted %s\n", account);
    return 0;
}
