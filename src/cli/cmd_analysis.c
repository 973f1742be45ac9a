/* The portfolio analyses of the identification engine: `kam matrix` (the value matrix,
 * 客户价值矩阵) and `kam whitespace` (cross-sell gaps against peers). Each computes the portfolio
 * as of a date (src/engine), prints a table, or with --json the whole result, or with --csv the
 * per-account (or per-category) table. Nothing is written to the database. Definitions:
 * docs/method-matrix.md. */
#include "cli/cli.h"

#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "io/export.h"
#include "util/mem.h"
#include "util/money.h"
#include "util/text.h"

/* The shared options, plus the peer group and the gap rule of whitespace (and of matrix with
 * --potential whitespace). */
struct common {
    struct kam_cli_engine_opts c;
    enum kam_peers peers;
    struct kam_ws_rule rule;
};

enum {
    OPT_PEERS = KAM_CLI_OPT_NEXT,
    OPT_MIN_SHARE,
    OPT_BELOW,
    OPT_CURRENT,
    OPT_POTENTIAL,
    OPT_CURRENT_THRESHOLD,
    OPT_POTENTIAL_THRESHOLD,
    OPT_QUADRANT,
};

#define COMMON_OPTIONS                                                                             \
    KAM_CLI_ENGINE_OPTIONS, {"peers", required_argument, NULL, OPT_PEERS},                         \
        {"min-share", required_argument, NULL, OPT_MIN_SHARE},                                     \
    {                                                                                              \
        "below", required_argument, NULL, OPT_BELOW                                                \
    }

/* A percentage 0..100 with up to two decimals into basis points. */
static bool parse_pct(const char *s, int32_t *bp)
{
    char *end;
    double v = strtod(s, &end);
    if (end == s || (*end != '\0' && strcmp(end, "%") != 0) || !(v >= 0 && v <= 100))
        return false;
    *bp = (int32_t)llround(v * 100);
    return true;
}

/* Handles an option both commands take; 0 when c is one, 1 (usage, reported) when its value is
 * bad, -1 otherwise. */
static int common_opt(const char *cmd, int c, struct common *o)
{
    switch (c) {
    case OPT_PEERS: {
        int k = kam_peers_find(optarg);
        if (k < 0)
            return kam_cli_usage(cmd, "--peers takes role, industry or tier, not '%s'", optarg);
        o->peers = (enum kam_peers)k;
        return 0;
    }
    case OPT_MIN_SHARE:
        if (!parse_pct(optarg, &o->rule.min_share))
            return kam_cli_usage(cmd, "--min-share takes a percentage 0..100, not '%s'", optarg);
        return 0;
    case OPT_BELOW:
        if (!parse_pct(optarg, &o->rule.below))
            return kam_cli_usage(cmd, "--below takes a percentage 0..100, not '%s'", optarg);
        return 0;
    default:
        return kam_cli_engine_opt(cmd, c, &o->c);
    }
}

static void common_init(struct common *o, int64_t limit)
{
    memset(o, 0, sizeof(*o));
    o->c.limit = limit;
    o->peers = KAM_PEERS_ROLE;
    o->rule = (struct kam_ws_rule){KAM_WS_MIN_SHARE_DEFAULT, KAM_WS_BELOW_DEFAULT};
}

static const char *money(kam_money v, char *buf, size_t n)
{
    return kam_money_fmt(v, 2, 1, buf, n);
}

static void pad(const char *s, size_t width)
{
    kam_text_pad(stdout, s, width, 0);
    fputc(' ', stdout);
}

/* --- matrix ------------------------------------------------------------------------------- */

/* Account i's value on axis a as display text, "-" when unknown. */
static const char *axis_text(const struct kam_axis *a, size_t i, char *buf, size_t n)
{
    if (!kam_axis_known(a, i))
        snprintf(buf, n, "-");
    else if (a->unit == KAM_AXIS_MONEY)
        money(a->money[i], buf, n);
    else
        snprintf(buf, n, "%.4g", a->number[i]);
    return buf;
}

/* The exact value for CSV: money as kam_money_str, numbers to 6 significant digits, "" when
 * unknown. */
static const char *axis_csv(const struct kam_axis *a, size_t i, char *buf, size_t n)
{
    if (!kam_axis_known(a, i))
        buf[0] = '\0';
    else if (a->unit == KAM_AXIS_MONEY)
        kam_money_str(a->money[i], buf, n);
    else
        snprintf(buf, n, "%.6g", a->number[i]);
    return buf;
}

static json_t *axis_json(const struct kam_axis *a, size_t i)
{
    if (!kam_axis_known(a, i))
        return json_null();
    return a->unit == KAM_AXIS_MONEY ? kam_money_json(a->money[i]) : json_real(a->number[i]);
}

static json_t *threshold_json(const struct kam_axis *a, const struct kam_axis_value *t)
{
    return a->unit == KAM_AXIS_MONEY ? kam_money_json(t->money) : json_real(t->number);
}

static const char *threshold_text(const struct kam_axis *a, const struct kam_axis_value *t,
                                  char *buf, size_t n)
{
    if (a->unit == KAM_AXIS_MONEY)
        return money(t->money, buf, n);
    snprintf(buf, n, "%.4g", t->number);
    return buf;
}

/* The accounts of a quadrant in display order: current value, largest first; then potential;
 * then account id (the portfolio's order). */
static const struct kam_value_matrix *sort_m;
static int cmp_axis(const struct kam_axis *a, size_t x, size_t y)
{
    bool kx = kam_axis_known(a, x), ky = kam_axis_known(a, y);
    if (kx != ky)
        return kx ? -1 : 1;
    if (!kx)
        return 0;
    if (a->unit == KAM_AXIS_MONEY)
        return (a->money[x] < a->money[y]) - (a->money[x] > a->money[y]);
    return (a->number[x] < a->number[y]) - (a->number[x] > a->number[y]);
}

static int by_value(const void *pa, const void *pb)
{
    size_t x = *(const size_t *)pa, y = *(const size_t *)pb;
    int c = cmp_axis(&sort_m->cur, x, y);
    if (c == 0)
        c = cmp_axis(&sort_m->pot, x, y);
    return c != 0 ? c : (x > y) - (x < y);
}

static const char *const quadrant_help[KAM_QUADRANTS] = {
    [KAM_QUADRANT_UNPLACED] = "potential or current value unknown",
    [KAM_QUADRANT_CORE] = "high current, high potential",
    [KAM_QUADRANT_POTENTIAL] = "low current, high potential",
    [KAM_QUADRANT_DIRECT] = "high current, low potential",
    [KAM_QUADRANT_INFERIOR] = "low current, low potential",
};

/* Table and JSON order: the four quadrants, then the unplaced accounts. */
static const enum kam_quadrant quadrant_order[KAM_QUADRANTS] = {
    KAM_QUADRANT_CORE, KAM_QUADRANT_POTENTIAL, KAM_QUADRANT_DIRECT, KAM_QUADRANT_INFERIOR,
    KAM_QUADRANT_UNPLACED};

static const char *potential_help(const char *name)
{
    if (strcmp(name, "wallet") == 0)
        return "share-of-wallet headroom: estimated annual purchases - annualised window revenue";
    if (strcmp(name, "growth") == 0)
        return "revenue growth against the previous window";
    if (strcmp(name, "whitespace") == 0)
        return "cross-sell gap worth against peers (all-time category revenue)";
    return "static rating";
}

int kam_cmd_matrix(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {
        COMMON_OPTIONS,
        {"current", required_argument, NULL, OPT_CURRENT},
        {"potential", required_argument, NULL, OPT_POTENTIAL},
        {"current-threshold", required_argument, NULL, OPT_CURRENT_THRESHOLD},
        {"potential-threshold", required_argument, NULL, OPT_POTENTIAL_THRESHOLD},
        {"quadrant", required_argument, NULL, OPT_QUADRANT},
        {0}};
    struct common o;
    struct kam_matrix_opts mo = {0};
    int only = -1, c;
    common_init(&o, 10);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_CURRENT:
            if (kam_metric_find(optarg) < 0)
                return kam_cli_usage("matrix",
                                     "--current takes a metric (see docs/method-metrics.md), "
                                     "not '%s'",
                                     optarg);
            mo.current = optarg;
            break;
        case OPT_POTENTIAL:
            if (strcmp(optarg, "wallet") != 0 && strcmp(optarg, "growth") != 0 &&
                strcmp(optarg, "whitespace") != 0 &&
                (strncmp(optarg, "rating:", 7) != 0 || optarg[7] == '\0'))
                return kam_cli_usage("matrix",
                                     "--potential takes wallet, growth, whitespace or "
                                     "rating:NAME, not '%s'",
                                     optarg);
            mo.potential = optarg;
            break;
        case OPT_CURRENT_THRESHOLD:
            mo.current_threshold = optarg;
            break;
        case OPT_POTENTIAL_THRESHOLD:
            mo.potential_threshold = optarg;
            break;
        case OPT_QUADRANT:
            only = kam_quadrant_find(optarg);
            if (only < 0)
                return kam_cli_usage(
                    "matrix",
                    "--quadrant takes core, potential, direct, inferior or unplaced, "
                    "not '%s'",
                    optarg);
            break;
        default:
            if (common_opt("matrix", c, &o) != 0)
                return 1;
        }
    }
    if (optind != argc)
        return kam_cli_usage("matrix", "unexpected argument '%s'", argv[optind]);
    mo.peers = o.peers;
    mo.rule = o.rule;

    struct kam_store *st;
    struct kam_portfolio p;
    struct kam_value_matrix m;
    struct kam_err err;
    int code = kam_cli_open_portfolio(cli, &o.c.e, &st, &p);
    if (code != 0)
        return code;
    size_t *order = NULL;
    if (kam_engine_matrix(st, &p, &mo, &m, &err) != KAM_OK) {
        code = kam_cli_fail(&err);
        goto out;
    }
    order = kam_xmalloc((p.n ? p.n : 1) * sizeof(*order));
    for (size_t i = 0; i < p.n; i++)
        order[i] = i;
    sort_m = &m;
    if (p.n > 1)
        qsort(order, p.n, sizeof(*order), by_value);

    if (o.c.out == KAM_CLI_OUT_CSV) {
        puts("code,name,current,potential,quadrant");
        for (size_t r = 0; r < p.n; r++) {
            size_t i = order[r];
            char b1[48], b2[48];
            if (only >= 0 && m.q[i] != (enum kam_quadrant)only)
                continue;
            kam_csv_write_field(stdout, p.codes[i], strlen(p.codes[i]));
            fputc(',', stdout);
            kam_csv_write_field(stdout, p.names[i], strlen(p.names[i]));
            printf(",%s,%s,%s\n", axis_csv(&m.cur, i, b1, sizeof(b1)),
                   axis_csv(&m.pot, i, b2, sizeof(b2)), kam_quadrant_name(m.q[i]));
        }
    } else if (o.c.out == KAM_CLI_OUT_JSON) {
        json_t *quads = json_object();
        for (size_t k = 0; k < KAM_QUADRANTS; k++) {
            enum kam_quadrant q = quadrant_order[k];
            if (only >= 0 && q != (enum kam_quadrant)only)
                continue;
            json_t *items = json_array();
            for (size_t r = 0; r < p.n; r++) {
                size_t i = order[r];
                if (m.q[i] == q)
                    json_array_append_new(
                        items,
                        json_pack("{s:s,s:s,s:o,s:o,s:o,s:o}", "code", p.codes[i], "name",
                                  p.names[i], "current", axis_json(&m.cur, i), "potential",
                                  axis_json(&m.pot, i), "revenue", kam_money_json(p.m[i].revenue),
                                  "margin", kam_money_json(p.m[i].margin)));
            }
            json_object_set_new(quads, kam_quadrant_name(q),
                                json_pack("{s:I,s:o,s:o,s:o}", "accounts",
                                          (json_int_t)m.sum.count[q], "revenue",
                                          kam_money_json(m.sum.revenue[q]), "margin",
                                          kam_money_json(m.sum.margin[q]), "items", items));
        }
        kam_cli_json(
            json_pack("{s:s,s:i,s:I,s:I,s:I,s:{s:s,s:s,s:o,s:s},s:{s:s,s:s,s:o,s:s},s:o}", "as_of",
                      p.as_of, "window_months", p.period.window_months, "accounts", (json_int_t)p.n,
                      "placed", (json_int_t)m.placed, "unplaced",
                      (json_int_t)m.sum.count[KAM_QUADRANT_UNPLACED], "current", "measure",
                      m.current, "unit", m.cur.unit == KAM_AXIS_MONEY ? "money" : "number",
                      "threshold", threshold_json(&m.cur, &m.cur_threshold), "threshold_from",
                      m.cur_median ? "median" : "given", "potential", "measure", m.potential,
                      "unit", m.pot.unit == KAM_AXIS_MONEY ? "money" : "number", "threshold",
                      threshold_json(&m.pot, &m.pot_threshold), "threshold_from",
                      m.pot_median ? "median" : "given", "quadrants", quads));
    } else {
        char b1[48], b2[48], b3[48];
        printf("Value matrix of %zu accounts as of %s, window %d months\n", p.n, p.as_of,
               p.period.window_months);
        printf("current:   %s (window metric); high when >= %s (%s)\n", m.current,
               threshold_text(&m.cur, &m.cur_threshold, b1, sizeof(b1)),
               m.cur_median ? "median" : "given");
        printf("potential: %s (%s); high when >= %s (%s)\n", m.potential,
               potential_help(m.potential),
               threshold_text(&m.pot, &m.pot_threshold, b2, sizeof(b2)),
               m.pot_median ? "median" : "given");
        printf("%-10s %-34s %8s %16s %16s\n", "quadrant", "", "accounts", "revenue", "margin");
        for (size_t k = 0; k < KAM_QUADRANTS; k++) {
            enum kam_quadrant q = quadrant_order[k];
            printf("%-10s %-34s %8lld %16s %16s\n", kam_quadrant_name(q), quadrant_help[q],
                   (long long)m.sum.count[q], money(m.sum.revenue[q], b1, sizeof(b1)),
                   money(m.sum.margin[q], b2, sizeof(b2)));
        }
        for (size_t k = 0; k < KAM_QUADRANTS; k++) {
            enum kam_quadrant q = quadrant_order[k];
            if ((only >= 0 && q != (enum kam_quadrant)only) || m.sum.count[q] == 0)
                continue;
            printf("\n%s (%s), accounts: %lld\n", kam_quadrant_name(q), quadrant_help[q],
                   (long long)m.sum.count[q]);
            printf("  %-10s %-28s %16s %16s\n", "code", "name", "current", "potential");
            int64_t shown = 0;
            for (size_t r = 0; r < p.n; r++) {
                size_t i = order[r];
                if (m.q[i] != q)
                    continue;
                if (o.c.limit > 0 && shown == o.c.limit) {
                    printf("  ... %lld more (--limit 0 shows all)\n",
                           (long long)(m.sum.count[q] - shown));
                    break;
                }
                fputs("  ", stdout);
                pad(p.codes[i], 10);
                pad(p.names[i], 28);
                printf("%16s %16s\n", axis_text(&m.cur, i, b1, sizeof(b1)),
                       axis_text(&m.pot, i, b3, sizeof(b3)));
                shown++;
            }
        }
    }
out:
    free(order);
    kam_value_matrix_release(&m);
    kam_portfolio_release(&p);
    kam_store_close(st);
    return code;
}

/* --- whitespace --------------------------------------------------------------------------- */

static void ws_header(const struct kam_portfolio *p, const struct kam_ws_portfolio *w)
{
    printf("Whitespace as of %s, peers by %s", p->as_of, kam_peers_name(w->by));
    if (w->by == KAM_PEERS_TIER && w->run > 0)
        printf(" (scoring run %lld)", (long long)w->run);
    else if (w->by == KAM_PEERS_TIER)
        printf(" (no scoring run yet: by role)");
    printf("; a gap: bought by >= %.4g %% of the peers, the account below %.4g %% of their "
           "median\n",
           w->rule.min_share / 100.0, w->rule.below / 100.0);
    printf("Category revenue is all-time net revenue (the product rollup keeps no per-window "
           "amounts)\n");
}

/* One account's gaps. */
static int ws_account(const struct kam_portfolio *p, const struct kam_ws_portfolio *w, size_t i,
                      const struct common *o)
{
    struct kam_ws_gap *gaps = kam_xmalloc((w->ncat ? w->ncat : 1) * sizeof(*gaps));
    const struct kam_ws_peer *peers = &w->peers[(size_t)w->group[i] * w->ncat];
    size_t ng = 0;
    kam_money total = 0;
    struct kam_err err;
    int code = 0;
    if (kam_whitespace_gaps(peers, &w->rev[i * w->ncat], w->ncat, &w->rule, gaps, &ng, &total,
                            &err) != KAM_OK) {
        code = kam_cli_fail(&err);
        goto out;
    }
    const char *group = w->groups[w->group[i]];
    int64_t members = w->ncat > 0 ? peers[0].members : 0;
    if (o->c.out == KAM_CLI_OUT_CSV) {
        puts("category,peers,buyers,share,peer_median,revenue,worth");
        for (size_t k = 0; k < ng; k++) {
            const struct kam_ws_peer *pr = &peers[gaps[k].category];
            const char *cat = w->categories[gaps[k].category];
            char b1[48], b2[48], b3[48];
            kam_csv_write_field(stdout, cat, strlen(cat));
            printf(",%lld,%lld,%.6g,%s,%s,%s\n", (long long)pr->members, (long long)pr->buyers,
                   (double)pr->buyers / (double)pr->members, kam_money_str(pr->median, b1, 48),
                   kam_money_str(gaps[k].revenue, b2, 48), kam_money_str(gaps[k].worth, b3, 48));
        }
    } else if (o->c.out == KAM_CLI_OUT_JSON) {
        json_t *items = json_array();
        for (size_t k = 0; k < ng; k++) {
            const struct kam_ws_peer *pr = &peers[gaps[k].category];
            json_array_append_new(items, json_pack("{s:s,s:I,s:I,s:f,s:o,s:o,s:o}", "category",
                                                   w->categories[gaps[k].category], "peers",
                                                   (json_int_t)pr->members, "buyers",
                                                   (json_int_t)pr->buyers, "share",
                                                   (double)pr->buyers / (double)pr->members,
                                                   "peer_median", kam_money_json(pr->median),
                                                   "revenue", kam_money_json(gaps[k].revenue),
                                                   "worth", kam_money_json(gaps[k].worth)));
        }
        kam_cli_json(json_pack("{s:s,s:s,s:s,s:s,s:s,s:I,s:f,s:f,s:s,s:o,s:o}", "as_of", p->as_of,
                               "code", p->codes[i], "name", p->names[i], "peers",
                               kam_peers_name(w->by), "group", group, "members",
                               (json_int_t)members, "min_share", w->rule.min_share / 10000.0,
                               "below", w->rule.below / 10000.0, "revenue_basis", "all-time",
                               "worth", kam_money_json(total), "gaps", items));
    } else {
        char b1[48], b2[48], b3[48];
        ws_header(p, w);
        printf("%s %s: peer group %s (%lld accounts, the account included); gaps: %zu, worth %s\n",
               p->codes[i], p->names[i], group, (long long)members, ng,
               money(total, b1, sizeof(b1)));
        if (ng > 0)
            printf("%-20s %6s %7s %16s %16s %16s\n", "category", "peers", "buying", "peer median",
                   "revenue", "worth");
        for (size_t k = 0; k < ng; k++) {
            const struct kam_ws_peer *pr = &peers[gaps[k].category];
            pad(w->categories[gaps[k].category], 20);
            printf("%6lld %6.1f%% %16s %16s %16s\n", (long long)pr->members,
                   100.0 * (double)pr->buyers / (double)pr->members,
                   money(pr->median, b1, sizeof(b1)), money(gaps[k].revenue, b2, sizeof(b2)),
                   money(gaps[k].worth, b3, sizeof(b3)));
        }
    }
out:
    free(gaps);
    return code;
}

/* Accounts by total gap worth, largest first, then by id. */
static const struct kam_ws_portfolio *sort_w;
static int by_worth(const void *pa, const void *pb)
{
    size_t x = *(const size_t *)pa, y = *(const size_t *)pb;
    kam_money wx = sort_w->worth[x], wy = sort_w->worth[y];
    if (wx != wy)
        return wx > wy ? -1 : 1;
    return (x > y) - (x < y);
}

int kam_cmd_whitespace(struct kam_cli *cli, int argc, char **argv)
{
    static const struct option opts[] = {COMMON_OPTIONS, {0}};
    struct common o;
    int c;
    common_init(&o, 20);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (common_opt("whitespace", c, &o) != 0)
            return 1;
    if (argc - optind > 1)
        return kam_cli_usage("whitespace", "unexpected argument '%s'", argv[optind + 1]);
    const char *account = optind < argc ? argv[optind] : NULL;

    struct kam_store *st;
    struct kam_portfolio p;
    struct kam_ws_portfolio w;
    struct kam_err err;
    int code = kam_cli_open_portfolio(cli, &o.c.e, &st, &p);
    if (code != 0)
        return code;
    size_t *order = NULL;
    ptrdiff_t one = -1;
    if (account != NULL && (one = kam_portfolio_find(&p, account)) < 0) {
        kam_err_set(&err, KAM_ERR_NOT_FOUND, "account '%s' does not exist", account);
        code = kam_cli_fail(&err);
        memset(&w, 0, sizeof(w));
        goto out;
    }
    if (kam_engine_whitespace(st, &p, o.peers, &o.rule, &w, &err) != KAM_OK) {
        code = kam_cli_fail(&err);
        goto out;
    }
    if (one >= 0) {
        code = ws_account(&p, &w, (size_t)one, &o);
        goto out;
    }
    order = kam_xmalloc((p.n ? p.n : 1) * sizeof(*order));
    for (size_t i = 0; i < p.n; i++)
        order[i] = i;
    sort_w = &w;
    if (p.n > 1)
        qsort(order, p.n, sizeof(*order), by_worth);
    if (o.c.out == KAM_CLI_OUT_CSV) {
        puts("code,name,group,gaps,worth");
        for (size_t r = 0; r < p.n; r++) {
            size_t i = order[r];
            const char *g = w.groups[w.group[i]];
            char b[48];
            kam_csv_write_field(stdout, p.codes[i], strlen(p.codes[i]));
            fputc(',', stdout);
            kam_csv_write_field(stdout, p.names[i], strlen(p.names[i]));
            fputc(',', stdout);
            kam_csv_write_field(stdout, g, strlen(g));
            printf(",%lld,%s\n", (long long)w.gaps[i], kam_money_str(w.worth[i], b, sizeof(b)));
        }
    } else if (o.c.out == KAM_CLI_OUT_JSON) {
        json_t *items = json_array(), *groups = json_array();
        for (size_t g = 0; g < w.ngroups; g++) {
            int64_t members = 0;
            for (size_t i = 0; i < p.n; i++)
                members += w.group[i] == g;
            json_array_append_new(groups, json_pack("{s:s,s:I}", "group", w.groups[g], "members",
                                                    (json_int_t)members));
        }
        for (size_t r = 0; r < p.n; r++) {
            size_t i = order[r];
            json_array_append_new(
                items, json_pack("{s:s,s:s,s:s,s:I,s:o}", "code", p.codes[i], "name", p.names[i],
                                 "group", w.groups[w.group[i]], "gaps", (json_int_t)w.gaps[i],
                                 "worth", kam_money_json(w.worth[i])));
        }
        kam_cli_json(json_pack("{s:s,s:s,s:I,s:f,s:f,s:s,s:I,s:o,s:o}", "as_of", p.as_of, "peers",
                               kam_peers_name(w.by), "run", (json_int_t)w.run, "min_share",
                               w.rule.min_share / 10000.0, "below", w.rule.below / 10000.0,
                               "revenue_basis", "all-time", "categories", (json_int_t)w.ncat,
                               "groups", groups, "items", items));
    } else {
        ws_header(&p, &w);
        printf("%4s %-10s %-28s %-22s %5s %16s\n", "rank", "code", "name", "peer group", "gaps",
               "worth");
        for (size_t r = 0; r < p.n && (o.c.limit == 0 || (int64_t)r < o.c.limit); r++) {
            size_t i = order[r];
            char b[48];
            printf("%4zu ", r + 1);
            pad(p.codes[i], 10);
            pad(p.names[i], 28);
            pad(w.groups[w.group[i]], 22);
            printf("%5lld %16s\n", (long long)w.gaps[i], money(w.worth[i], b, sizeof(b)));
        }
    }
out:
    free(order);
    kam_ws_portfolio_release(&w);
    kam_portfolio_release(&p);
    kam_store_close(st);
    return code;
}
