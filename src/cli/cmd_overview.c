/* `kam trend` and `kam tiers`: the portfolio month by month, and the tiers of the latest
 * scoring run (src/engine/overview.c). The web dashboard shows the same figures through
 * GET /api/v1/analyses/trend and /tiers. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/engine.h"
#include "io/export.h"
#include "util/money.h"

static const char *money(kam_money v, char *buf, size_t n)
{
    return kam_money_fmt(v, 2, 1, buf, n);
}

int kam_cmd_trend(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        {"months", required_argument, NULL, 'm'}, {"json", no_argument, NULL, 'j'}, {0}};
    struct kam_trend t;
    struct kam_err err;
    bool json = false;
    long months = 24;
    char *end, a[48], b[48];
    int c, code = 0;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'j') {
            json = true;
        } else if (c == 'm') {
            months = strtol(optarg, &end, 10);
            if (*end || months < 1 || months > KAM_TREND_MAX_MONTHS)
                return kam_cli_usage("trend", "--months '%s' is not a number from 1 to %d", optarg,
                                     KAM_TREND_MAX_MONTHS);
        } else {
            return kam_cli_usage("trend", "unknown option");
        }
    }
    if (optind != argc)
        return kam_cli_usage("trend", "unexpected argument '%s'", argv[optind]);
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    enum kam_rc rc = kam_engine_trend(st, (int)months, &t, &err);
    kam_store_close(st);
    if (rc != KAM_OK) {
        kam_trend_release(&t);
        return kam_cli_fail(&err);
    }
    if (json) {
        json_t *items = json_array();
        for (size_t i = 0; i < t.n; i++) {
            const struct kam_rollup *r = &t.months[i].r;
            char m[24];
            snprintf(m, sizeof(m), "%04d-%02d", t.months[i].month / 100, t.months[i].month % 100);
            json_array_append_new(
                items, json_pack("{s:s,s:o,s:o,s:o,s:o,s:I}", "month", m, "revenue",
                                 kam_money_json(r->revenue), "margin",
                                 kam_money_json(r->costed_revenue - r->cost), "costed_revenue",
                                 kam_money_json(r->costed_revenue), "returns",
                                 kam_money_json(r->returns), "lines", (json_int_t)r->lines));
        }
        kam_cli_json(json_pack("{s:I,s:o}", "months", (json_int_t)t.n, "items", items));
    } else if (t.n == 0) {
        printf("no orders yet\n");
    } else {
        printf("month    %18s %18s %8s %10s\n", "net revenue", "margin", "margin %", "lines");
        for (size_t i = 0; i < t.n; i++) {
            const struct kam_rollup *r = &t.months[i].r;
            kam_money margin = r->costed_revenue - r->cost;
            printf("%04d-%02d  %18s %18s ", t.months[i].month / 100, t.months[i].month % 100,
                   money(r->revenue, a, sizeof(a)), money(margin, b, sizeof(b)));
            if (r->costed_revenue > 0)
                printf("%7.1f%% ", 100.0 * (double)margin / (double)r->costed_revenue);
            else
                printf("%8s ", "-");
            printf("%10lld\n", (long long)r->lines);
        }
    }
    kam_trend_release(&t);
    return 0;
}

int kam_cmd_tiers(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {{"json", no_argument, NULL, 'j'}, {0}};
    struct kam_tier_summary s;
    struct kam_err err;
    bool json = false;
    char b[48];
    int c, code = 0;

    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'j')
            return kam_cli_usage("tiers", "unknown option");
        json = true;
    }
    if (optind != argc)
        return kam_cli_usage("tiers", "unexpected argument '%s'", argv[optind]);
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    kam_err_clear(&err);
    enum kam_rc rc = kam_engine_tiers(st, &s, &err);
    kam_store_close(st);
    if (rc != KAM_OK)
        return kam_cli_fail(&err);
    if (json) {
        json_t *tiers = json_array();
        for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL; t++)
            json_array_append_new(
                tiers,
                json_pack("{s:s,s:I,s:o,s:f,s:f,s:o}", "tier", s.tiers[t].tier, "accounts",
                          (json_int_t)s.tiers[t].accounts, "revenue",
                          kam_money_json(s.tiers[t].revenue), "account_share",
                          s.accounts ? (double)s.tiers[t].accounts / (double)s.accounts : 0.0,
                          "revenue_share",
                          s.revenue > 0 ? (double)s.tiers[t].revenue / (double)s.revenue : 0.0,
                          "previous",
                          s.previous_run ? json_integer(s.tiers[t].previous) : json_null()));
        kam_cli_json(
            json_pack("{s:I,s:o,s:s,s:i,s:I,s:o,s:o}", "run", (json_int_t)s.run, "previous_run",
                      s.previous_run ? json_integer(s.previous_run) : json_null(), "as_of", s.as_of,
                      "window_months", s.window_months, "accounts", (json_int_t)s.accounts,
                      "revenue", kam_money_json(s.revenue), "tiers", tiers));
    } else {
        printf("run %lld as of %s: %lld accounts, window revenue %s (%d months)\n",
               (long long)s.run, s.as_of, (long long)s.accounts, money(s.revenue, b, sizeof(b)),
               s.window_months);
        printf("tier      accounts   share   %18s   share   previous run\n", "revenue");
        for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL; t++) {
            printf("%-9s %8lld %6.1f%%   %18s %6.1f%%   ", s.tiers[t].tier,
                   (long long)s.tiers[t].accounts,
                   s.accounts ? 100.0 * (double)s.tiers[t].accounts / (double)s.accounts : 0.0,
                   money(s.tiers[t].revenue, b, sizeof(b)),
                   s.revenue > 0 ? 100.0 * (double)s.tiers[t].revenue / (double)s.revenue : 0.0);
            if (s.previous_run)
                printf("%lld\n", (long long)s.tiers[t].previous);
            else
                printf("-\n");
        }
    }
    return 0;
}
