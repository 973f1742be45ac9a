/* The identification engine's commands: metrics, pareto, rfm. Each computes the portfolio as of
 * a date (src/engine), prints a table, or with --json the whole result, or with --csv the
 * per-account table. */
#include "cli/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/pareto.h"
#include "core/rfm.h"
#include "engine/engine.h"
#include "io/export.h"
#include "util/date.h"
#include "util/mem.h"
#include "util/money.h"
#include "util/text.h"

static json_t *num(double v)
{
    return isnan(v) ? json_null() : json_real(v);
}

static const char *day_text(int64_t day, char *buf, size_t n)
{
    if (day == KAM_NONE)
        return "";
    struct kam_date d = kam_date_from_days(day);
    return kam_date_str(&d, buf, n);
}

static json_t *day_json(int64_t day)
{
    char b[KAM_DATE_STRLEN];
    return day == KAM_NONE ? json_null() : json_string(day_text(day, b, sizeof(b)));
}

static const char *money(kam_money v, char *buf, size_t n)
{
    return kam_money_fmt(v, 2, 1, buf, n);
}

static const char *pct(double v, char *buf, size_t n)
{
    if (isnan(v))
        snprintf(buf, n, "-");
    else
        snprintf(buf, n, "%.1f%%", v * 100);
    return buf;
}

/* --- metrics ------------------------------------------------------------------------------ */

static json_t *metrics_json(const struct kam_portfolio *p, size_t i)
{
    const struct kam_metrics *m = &p->m[i];
    json_t *j = json_object();
    json_object_set_new(j, "code", json_string(p->codes[i]));
    json_object_set_new(j, "name", json_string(p->names[i]));
    for (size_t k = 0; k < kam_metric_count; k++) {
        const char *name = kam_metric_defs[k].name;
        double v = kam_metric_value(m, k);
        kam_money mv;
        if (kam_metric_money(m, k, &mv)) { /* money stays exact */
            json_object_set_new(j, name, kam_money_json(mv));
        } else if (kam_metric_defs[k].type == KAM_METRIC_REAL) {
            json_object_set_new(j, name, num(v));
        } else {
            json_object_set_new(j, name, isnan(v) ? json_null() : json_integer((json_int_t)v));
        }
    }
    json_object_set_new(j, "first_purchase", day_json(m->first_purchase));
    json_object_set_new(j, "last_purchase", day_json(m->last_purchase));
    json_object_set_new(j, "stage", json_string(kam_lifecycle_stage_name(p->stage[i].stage)));
    json_t *series = json_array();
    for (size_t k = 0; k < KAM_ENGINE_SERIES; k++)
        json_array_append_new(series, kam_money_json(p->series[i * KAM_ENGINE_SERIES + k]));
    json_object_set_new(j, "series", series);
    return j;
}

static void metrics_csv(const struct kam_portfolio *p, const size_t *order)
{
    fputs("code,name", stdout);
    for (size_t k = 0; k < kam_metric_count; k++)
        printf(",%s", kam_metric_defs[k].name);
    fputs(",first_purchase,last_purchase,stage\n", stdout);
    for (size_t r = 0; r < p->n; r++) {
        size_t i = order[r];
        json_t *j = metrics_json(p, i);
        kam_csv_write_field(stdout, p->codes[i], strlen(p->codes[i]));
        fputc(',', stdout);
        kam_csv_write_field(stdout, p->names[i], strlen(p->names[i]));
        for (size_t k = 0; k < kam_metric_count; k++) {
            json_t *v = json_object_get(j, kam_metric_defs[k].name);
            fputc(',', stdout);
            if (json_is_string(v))
                fputs(json_string_value(v), stdout);
            else if (json_is_integer(v))
                printf("%lld", (long long)json_integer_value(v));
            else if (json_is_real(v))
                printf("%.6g", json_real_value(v));
        }
        char b1[KAM_DATE_STRLEN], b2[KAM_DATE_STRLEN];
        printf(",%s,%s,%s\n", day_text(p->m[i].first_purchase, b1, sizeof(b1)),
               day_text(p->m[i].last_purchase, b2, sizeof(b2)),
               kam_lifecycle_stage_name(p->stage[i].stage));
        json_decref(j);
    }
}

int kam_cmd_metrics(struct kam_cli *cli, int argc, char **argv)
{
    struct kam_cli_engine_opts o = {.limit = 20};
    struct kam_store *st;
    struct kam_portfolio p;
    struct kam_err err;
    int code = kam_cli_engine_command(cli, "metrics", argc, argv, &o, &st, &p);
    if (code != 0)
        return code;
    if (kam_engine_save_metrics(st, &p, &err) != KAM_OK) {
        code = kam_cli_fail(&err);
        goto out;
    }
    /* Accounts by window revenue, largest first, then by id. */
    size_t *order = kam_xmalloc(p.n * sizeof(*order));
    for (size_t i = 0; i < p.n; i++)
        order[i] = i;
    kam_portfolio_rank_by_revenue(&p, order, p.n, KAM_RANK_TIE_INDEX);
    if (o.out == KAM_CLI_OUT_JSON) {
        json_t *items = json_array();
        for (size_t r = 0; r < p.n; r++)
            json_array_append_new(items, metrics_json(&p, order[r]));
        kam_cli_json(json_pack("{s:s,s:i,s:i,s:o}", "as_of", p.as_of, "window_months",
                               p.period.window_months, "accounts", (json_int_t)p.n, "items",
                               items));
    } else if (o.out == KAM_CLI_OUT_CSV) {
        metrics_csv(&p, order);
    } else {
        printf("Metrics of %zu accounts as of %s, window %d months (stored). Top by window "
               "revenue:\n",
               p.n, p.as_of, p.period.window_months);
        printf("%-10s %-28s %16s %8s %7s %8s %8s %-11s\n", "code", "name", "revenue", "growth",
               "orders", "recency", "margin", "stage");
        for (size_t r = 0; r < p.n && (o.limit == 0 || (int64_t)r < o.limit); r++) {
            size_t i = order[r];
            const struct kam_metrics *m = &p.m[i];
            char b1[48], b2[16], b3[16];
            kam_text_pad(stdout, p.codes[i], 10, 0);
            fputc(' ', stdout);
            kam_text_pad(stdout, p.names[i], 28, 0);
            printf(" %16s %8s %7lld %8lld %8s %-11s\n", money(m->revenue, b1, sizeof(b1)),
                   pct(m->growth, b2, sizeof(b2)), (long long)m->orders, (long long)m->recency_days,
                   pct(m->margin_pct, b3, sizeof(b3)), kam_lifecycle_stage_name(p.stage[i].stage));
        }
    }
    free(order);
out:
    kam_portfolio_release(&p);
    kam_store_close(st);
    return code;
}

/* --- pareto ------------------------------------------------------------------------------- */

int kam_cmd_pareto(struct kam_cli *cli, int argc, char **argv)
{
    enum { OPT_BY = KAM_CLI_OPT_NEXT, OPT_ABC };
    static const struct option opts[] = {KAM_CLI_ENGINE_OPTIONS,
                                         {"by", required_argument, NULL, OPT_BY},
                                         {"abc", required_argument, NULL, OPT_ABC},
                                         {0}};
    struct kam_cli_engine_opts o = {.limit = 10};
    struct kam_abc_limits limits = {KAM_ABC_A_DEFAULT, KAM_ABC_B_DEFAULT};
    bool by_margin = false;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == OPT_BY) {
            if (strcmp(optarg, "revenue") != 0 && strcmp(optarg, "margin") != 0)
                return kam_cli_usage("pareto", "--by takes revenue or margin, not '%s'", optarg);
            by_margin = strcmp(optarg, "margin") == 0;
        } else if (c == OPT_ABC) {
            if (!kam_abc_parse(optarg, &limits))
                return kam_cli_usage(
                    "pareto", "--abc takes the A and B limits in %%, e.g. 80,95, not '%s'", optarg);
        } else if (kam_cli_engine_opt("pareto", c, &o) != 0) {
            return 1;
        }
    }
    if (optind != argc)
        return kam_cli_usage("pareto", "unexpected argument '%s'", argv[optind]);

    struct kam_store *st;
    struct kam_portfolio p;
    struct kam_err err;
    int code = kam_cli_open_portfolio(cli, &o.e, &st, &p);
    if (code != 0)
        return code;
    struct kam_pareto_report rep;
    if (kam_engine_pareto(&p, by_margin, &limits, &rep, &err) != KAM_OK) {
        code = kam_cli_fail(&err);
        goto out;
    }
    const struct kam_pareto_item *items = rep.items;
    const struct kam_pareto_point *curve = rep.curve;
    const enum kam_abc *abc = rep.abc;
    const struct kam_top_share ts = rep.top;
    const struct kam_abc_summary sum = rep.classes;
    size_t pop = rep.population;
    double gini = rep.gini;
    const char *basis = by_margin ? "margin" : "revenue";
    if (o.out == KAM_CLI_OUT_JSON) {
        json_t *pts = json_array(), *classes = json_object(), *accounts = json_array();
        for (size_t i = 0; i < pop; i++)
            json_array_append_new(pts, json_pack("{s:f,s:f,s:o}", "x", curve[i].x, "y", curve[i].y,
                                                 "cum", kam_money_json(curve[i].cum)));
        for (int k = KAM_ABC_A; k <= KAM_ABC_C; k++)
            json_object_set_new(classes, kam_pareto_abc_name((enum kam_abc)k),
                                json_pack("{s:I,s:o}", "accounts", (json_int_t)sum.count[k],
                                          "value", kam_money_json(sum.revenue[k])));
        for (size_t r = 0; r < p.n; r++) {
            size_t i = (size_t)items[r].key;
            json_array_append_new(accounts,
                                  json_pack("{s:s,s:s,s:o,s:s}", "code", p.codes[i], "name",
                                            p.names[i], "value", kam_money_json(items[r].value),
                                            "class", kam_pareto_abc_name(abc[r])));
        }
        kam_cli_json(
            json_pack("{s:s,s:s,s:I,s:o,s:I,s:o,s:f,s:I,s:f,s:{s:f,s:f},s:o,s:o,s:o}", "as_of",
                      p.as_of, "by", basis, "population", (json_int_t)ts.population, "total",
                      kam_money_json(ts.total), "top20_k", (json_int_t)ts.k, "top20_value",
                      kam_money_json(ts.top), "top20_share", ts.share, "accounts_to_80",
                      (json_int_t)ts.k80, "gini", gini, "abc_limits", "a", limits.a / 100.0, "b",
                      limits.b / 100.0, "classes", classes, "curve", pts, "accounts", accounts));
    } else if (o.out == KAM_CLI_OUT_CSV) {
        printf("rank,code,name,%s,cum_share,class\n", basis);
        for (size_t r = 0; r < p.n; r++) {
            size_t i = (size_t)items[r].key;
            char b[48];
            printf("%zu,", r + 1);
            kam_csv_write_field(stdout, p.codes[i], strlen(p.codes[i]));
            fputc(',', stdout);
            kam_csv_write_field(stdout, p.names[i], strlen(p.names[i]));
            printf(",%s,", kam_money_str(items[r].value, b, sizeof(b)));
            if (r < pop)
                printf("%.6f", curve[r].y);
            printf(",%s\n", kam_pareto_abc_name(abc[r]));
        }
    } else {
        char b1[48], b2[48];
        printf("Pareto by net %s as of %s: %lld accounts with %s > 0, total %s\n", basis, p.as_of,
               (long long)ts.population, basis, money(ts.total, b1, sizeof(b1)));
        printf("Top 20 %% (%lld accounts) bring %s = %.3f %%\n", (long long)ts.k,
               money(ts.top, b2, sizeof(b2)), ts.share * 100);
        printf("%lld accounts (%.2f %%) make 80 %%; Gini %.4f\n", (long long)ts.k80,
               ts.population ? 100.0 * (double)ts.k80 / (double)ts.population : 0.0, gini);
        printf("ABC (A < %.0f %%, B < %.0f %%):", limits.a / 100.0, limits.b / 100.0);
        for (int k = KAM_ABC_A; k <= KAM_ABC_C; k++)
            printf("  %s %lld accounts %s", kam_pareto_abc_name((enum kam_abc)k),
                   (long long)sum.count[k], money(sum.revenue[k], b1, sizeof(b1)));
        printf("\n%4s %-10s %-28s %16s %8s %s\n", "rank", "code", "name", basis, "cum", "class");
        for (size_t r = 0; r < pop && (o.limit == 0 || (int64_t)r < o.limit); r++) {
            size_t i = (size_t)items[r].key;
            printf("%4zu ", r + 1);
            kam_text_pad(stdout, p.codes[i], 10, 0);
            fputc(' ', stdout);
            kam_text_pad(stdout, p.names[i], 28, 0);
            printf(" %16s %7.2f%% %s\n", money(items[r].value, b1, sizeof(b1)), curve[r].y * 100,
                   kam_pareto_abc_name(abc[r]));
        }
    }
out:
    kam_pareto_report_release(&rep);
    kam_portfolio_release(&p);
    kam_store_close(st);
    return code;
}

/* --- rfm ---------------------------------------------------------------------------------- */

int kam_cmd_rfm(struct kam_cli *cli, int argc, char **argv)
{
    struct kam_cli_engine_opts o = {.limit = 20};
    struct kam_store *st;
    struct kam_portfolio p;
    struct kam_err err;
    int code = kam_cli_engine_command(cli, "rfm", argc, argv, &o, &st, &p);
    if (code != 0)
        return code;
    struct kam_rfm_report rep;
    if (kam_engine_rfm(&p, &rep, &err) != KAM_OK) {
        code = kam_cli_fail(&err);
        goto out;
    }
    const struct kam_rfm *out = rep.rfm;
    const size_t *order = rep.order;
    const int64_t *count = rep.count;
    if (o.out == KAM_CLI_OUT_JSON) {
        json_t *segs = json_object(), *accounts = json_array();
        for (int k = 0; k < KAM_RFM_SEGMENTS; k++)
            json_object_set_new(segs, kam_rfm_segment_name((enum kam_rfm_segment)k),
                                json_integer(count[k]));
        for (size_t r = 0; r < p.n; r++) {
            size_t i = order[r];
            json_array_append_new(
                accounts,
                json_pack("{s:s,s:s,s:o,s:I,s:I,s:o,s:i,s:i,s:i,s:s}", "code", p.codes[i], "name",
                          p.names[i], "last_purchase", day_json(p.m[i].last_purchase), "recency",
                          (json_int_t)out[i].recency, "frequency", (json_int_t)p.m[i].orders_total,
                          "monetary", kam_money_json(p.m[i].revenue_total), "r", out[i].r, "f",
                          out[i].f, "m", out[i].m, "segment",
                          kam_rfm_segment_name(out[i].segment)));
        }
        kam_cli_json(
            json_pack("{s:s,s:o,s:o}", "as_of", p.as_of, "segments", segs, "accounts", accounts));
    } else if (o.out == KAM_CLI_OUT_CSV) {
        puts("code,name,last_purchase,recency,frequency,monetary,r,f,m,segment");
        for (size_t r = 0; r < p.n; r++) {
            size_t i = order[r];
            char b[48], d[KAM_DATE_STRLEN];
            kam_csv_write_field(stdout, p.codes[i], strlen(p.codes[i]));
            fputc(',', stdout);
            kam_csv_write_field(stdout, p.names[i], strlen(p.names[i]));
            printf(",%s,%lld,%lld,%s,%d,%d,%d,%s\n", day_text(p.m[i].last_purchase, d, sizeof(d)),
                   (long long)out[i].recency, (long long)p.m[i].orders_total,
                   kam_money_str(p.m[i].revenue_total, b, sizeof(b)), out[i].r, out[i].f, out[i].m,
                   kam_rfm_segment_name(out[i].segment));
        }
    } else {
        printf("RFM as of %s (recency in days, frequency in purchase orders, monetary in net "
               "revenue):\n",
               p.as_of);
        for (int k = 1; k < KAM_RFM_SEGMENTS; k++)
            printf("  %-20s %8lld\n", kam_rfm_segment_name((enum kam_rfm_segment)k),
                   (long long)count[k]);
        printf("  %-20s %8lld\n", "no purchase", (long long)count[KAM_RFM_NONE]);
        printf("%-10s %-28s %8s %6s %16s %5s %s\n", "code", "name", "recency", "freq", "monetary",
               "RFM", "segment");
        for (size_t r = 0; r < p.n && (o.limit == 0 || (int64_t)r < o.limit); r++) {
            size_t i = order[r];
            char b[48];
            kam_text_pad(stdout, p.codes[i], 10, 0);
            fputc(' ', stdout);
            kam_text_pad(stdout, p.names[i], 28, 0);
            printf(" %8lld %6lld %16s   %d%d%d %s\n", (long long)out[i].recency,
                   (long long)p.m[i].orders_total, money(p.m[i].revenue_total, b, sizeof(b)),
                   out[i].r, out[i].f, out[i].m, kam_rfm_segment_name(out[i].segment));
        }
    }
out:
    kam_rfm_report_release(&rep);
    kam_portfolio_release(&p);
    kam_store_close(st);
    return code;
}
