/* The periodic review commands: `kam review` lists the candidates of the latest scoring run
 * under the four review reasons (DOMAIN.md "Periodic review", docs/method-review.md), and
 * `kam lifecycle` shows every account's lifecycle stage with the rule that gave it
 * (docs/method-lifecycle.md). Both print a table, or with --json the whole result, or with --csv
 * the per-account list. */
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

static json_t *num(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

static void csv_text(const char *s)
{
    kam_csv_write_field(stdout, s, strlen(s));
}

static void csv_num(double v)
{
    if (isfinite(v))
        printf("%.6g", v);
}

static bool parse_limit(const char *cmd, const char *s, int64_t *out)
{
    char *end;
    long long n = strtoll(s, &end, 10);
    if (*end != '\0' || n < 0 || end == s) {
        kam_cli_usage(cmd, "--limit takes a count (0: all), not '%s'", s);
        return false;
    }
    *out = n;
    return true;
}

/* --- review ------------------------------------------------------------------------------- */

static const char *const reason_titles[KAM_REVIEW_REASONS] = {
    [KAM_REVIEW_BELOW_TIER] = "its tier is better than its score now gives",
    [KAM_REVIEW_DECLINING] = "a key or major account that is shrinking or has stopped buying",
    [KAM_REVIEW_NO_JUSTIFICATION] = "a key account without a stated reason",
    [KAM_REVIEW_PROMOTION] = "its score gives, or nearly gives, a better tier",
};

struct review_out {
    enum kam_cli_output out;
    json_t *items;
    int last_reason;
    const struct kam_review_outcome *o;
};

static int on_review(void *ctx, const struct kam_review_item *it)
{
    struct review_out *ro = ctx;
    const struct kam_review_input *in = &it->in;
    const char *reason = kam_review_reason_name(it->f.reason);
    if (ro->out == KAM_CLI_OUT_JSON) {
        json_t *j = json_object();
        json_object_set_new(j, "reason", json_string(reason));
        json_object_set_new(j, "cause", json_string(kam_review_cause_name(it->f.cause)));
        json_object_set_new(j, "code", json_string(it->code));
        json_object_set_new(j, "name", json_string(it->name));
        json_object_set_new(j, "sentence", json_string(it->sentence));
        json_object_set_new(j, "score", num(in->score));
        json_object_set_new(j, "tier", json_string(kam_tier_name(in->tier)));
        json_object_set_new(j, "computed", json_string(kam_tier_name(in->computed)));
        json_object_set_new(j, "pinned", json_boolean(in->pinned));
        json_object_set_new(j, "to_next", num(in->to_next));
        json_object_set_new(j, "previous_tier",
                            in->prev_tier == KAM_TIER_NONE
                                ? json_null()
                                : json_string(kam_tier_name(in->prev_tier)));
        json_object_set_new(j, "previous_score", num(in->prev_score));
        json_object_set_new(j, "stage", json_string(kam_lifecycle_stage_name(in->stage)));
        json_object_set_new(j, "growth", num(in->growth));
        json_object_set_new(j, "has_justification", json_boolean(in->has_justification));
        json_array_append_new(ro->items, j);
        return 0;
    }
    if (ro->out == KAM_CLI_OUT_CSV) {
        printf("%s,%s,", reason, kam_review_cause_name(it->f.cause));
        csv_text(it->code);
        fputc(',', stdout);
        csv_text(it->name);
        printf(",%.4f,%s,%s,%d,", in->score, kam_tier_name(in->tier), kam_tier_name(in->computed),
               in->pinned ? 1 : 0);
        csv_num(in->to_next);
        printf(",%s,", in->prev_tier == KAM_TIER_NONE ? "" : kam_tier_name(in->prev_tier));
        csv_num(in->prev_score);
        printf(",%s,", kam_lifecycle_stage_name(in->stage));
        csv_num(in->growth);
        fputc(',', stdout);
        csv_text(it->sentence);
        fputc('\n', stdout);
        return 0;
    }
    if ((int)it->f.reason != ro->last_reason) {
        ro->last_reason = (int)it->f.reason;
        printf("\n%s (%lld): %s\n", reason, (long long)ro->o->count[it->f.reason],
               reason_titles[it->f.reason]);
    }
    printf("  ");
    kam_text_pad(stdout, it->code, 10, 0);
    fputc(' ', stdout);
    kam_text_pad(stdout, it->name, 28, 0);
    printf(" %s\n", it->sentence);
    return 0;
}

/* "-20", "-20%" or "-20 %": a percentage into a fraction. */
static bool parse_percent(const char *s, double *out)
{
    char *end;
    double v = strtod(s, &end);
    while (*end == ' ')
        end++;
    if (*end == '%')
        end++;
    if (end == s || *end != '\0' || !isfinite(v))
        return false;
    *out = v / 100;
    return true;
}

int kam_cmd_review(struct kam_cli *cli, int argc, char **argv)
{
    enum { OPT_REASON = KAM_CLI_OPT_NEXT, OPT_GROWTH, OPT_POINTS, OPT_SCOPE };
    static const struct option opts[] = {
        {"reason", required_argument, NULL, OPT_REASON},
        {"limit", required_argument, NULL, KAM_CLI_OPT_LIMIT},
        {"json", no_argument, NULL, KAM_CLI_OPT_JSON},
        {"csv", no_argument, NULL, KAM_CLI_OPT_CSV},
        {"decline-below", required_argument, NULL, OPT_GROWTH},
        {"promotion-within", required_argument, NULL, OPT_POINTS},
        {"scope", required_argument, NULL, OPT_SCOPE},
        {0},
    };
    struct kam_review_rules rules = KAM_REVIEW_RULES_DEFAULT;
    struct kam_cli_engine_opts eo = {.out = KAM_CLI_OUT_TABLE, .limit = -1};
    unsigned reasons = 0;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_REASON: {
            /* one reason, or several separated by commas; the option may repeat */
            char buf[128];
            snprintf(buf, sizeof(buf), "%s", optarg);
            for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok;
                 tok = strtok_r(NULL, ",", &save)) {
                int r = kam_review_reason_find(tok);
                if (r < 0)
                    return kam_cli_usage("review",
                                         "--reason takes below_tier, declining, no_justification "
                                         "or promotion, not '%s'",
                                         tok);
                reasons |= 1u << r;
            }
            break;
        }
        case KAM_CLI_OPT_LIMIT:
            if (!parse_limit("review", optarg, &eo.limit))
                return 1;
            break;
        case OPT_GROWTH:
            if (!parse_percent(optarg, &rules.decline_growth))
                return kam_cli_usage(
                    "review", "--decline-below takes a growth in %%, e.g. -20, not '%s'", optarg);
            break;
        case OPT_POINTS: {
            char *end;
            rules.promotion_points = strtod(optarg, &end);
            if (end == optarg || *end != '\0')
                return kam_cli_usage("review", "--promotion-within takes score points, not '%s'",
                                     optarg);
            break;
        }
        case OPT_SCOPE: {
            int t = KAM_TIER_NONE;
            for (int k = KAM_TIER_KEY; k <= KAM_TIER_SMALL; k++)
                if (strcmp(optarg, kam_tier_name((enum kam_tier)k)) == 0)
                    t = k;
            if (t == KAM_TIER_NONE)
                return kam_cli_usage(
                    "review", "--scope takes key, major, ordinary or small, not '%s'", optarg);
            rules.scope = (enum kam_tier)t;
            break;
        }
        default:
            if (kam_cli_engine_opt("review", c, &eo) != 0)
                return 1;
        }
    }
    if (optind != argc)
        return kam_cli_usage("review", "unexpected argument '%s'", argv[optind]);
    struct kam_err err;
    kam_err_clear(&err);
    if (kam_review_rules_check(&rules, &err) != KAM_OK)
        return kam_cli_usage("review", "%s", err.msg);
    if (eo.limit < 0) /* the table shows the top of each list; files get everything */
        eo.limit = eo.out == KAM_CLI_OUT_TABLE ? 20 : 0;
    enum kam_cli_output out = eo.out;

    int code = 0;
    struct kam_store *st = kam_cli_open(cli, 0, &code);
    if (st == NULL)
        return code;
    struct kam_review_outcome o;
    struct review_out ro = {out, out == KAM_CLI_OUT_JSON ? json_array() : NULL, -1, &o};
    if (out == KAM_CLI_OUT_CSV)
        printf("reason,cause,code,name,score,tier,computed,pinned,to_next,previous_tier,"
               "previous_score,stage,growth,sentence\n");
    if (out == KAM_CLI_OUT_TABLE) {
        /* The header needs the outcome: collect first, print after. */
        ro.out = KAM_CLI_OUT_JSON;
        ro.items = json_array();
    }
    if (kam_engine_review(st, &rules, reasons, eo.limit, on_review, &ro, &o, &err) != KAM_OK) {
        json_decref(ro.items);
        code = kam_cli_fail(&err);
        goto out;
    }
    json_t *counts = json_object();
    for (int r = 0; r < KAM_REVIEW_REASONS; r++)
        json_object_set_new(counts, kam_review_reason_name((enum kam_review_reason)r),
                            json_integer((json_int_t)o.count[r]));
    if (out == KAM_CLI_OUT_JSON) {
        kam_cli_json(json_pack(
            "{s:I,s:s,s:o,s:o,s:I,s:{s:f,s:f,s:s},s:o,s:o}", "run", (json_int_t)o.run, "as_of",
            o.as_of, "previous_run",
            o.previous_run ? json_integer((json_int_t)o.previous_run) : json_null(),
            "previous_as_of", o.previous_run ? json_string(o.previous_as_of) : json_null(),
            "accounts", (json_int_t)o.accounts, "rules", "decline_growth", rules.decline_growth,
            "promotion_points", rules.promotion_points, "scope", kam_tier_name(rules.scope),
            "counts", counts, "items", ro.items));
    } else if (out == KAM_CLI_OUT_TABLE) {
        json_decref(counts);
        printf("Periodic review of scoring run %lld (as of %s, %zu accounts)", (long long)o.run,
               o.as_of, o.accounts);
        if (o.previous_run)
            printf(" against run %lld (as of %s)", (long long)o.previous_run, o.previous_as_of);
        else
            printf("; no previous run to compare with");
        printf("\n");
        for (int r = 0; r < KAM_REVIEW_REASONS; r++)
            printf("%s%s %lld", r ? ", " : "", kam_review_reason_name((enum kam_review_reason)r),
                   (long long)o.count[r]);
        printf("\n");
        /* Replay the collected items as table rows. */
        struct review_out table = {KAM_CLI_OUT_TABLE, NULL, -1, &o};
        for (size_t i = 0; i < json_array_size(ro.items); i++) {
            json_t *j = json_array_get(ro.items, i);
            struct kam_review_item it = {
                .code = json_string_value(json_object_get(j, "code")),
                .name = json_string_value(json_object_get(j, "name")),
                .f = {(enum kam_review_reason)kam_review_reason_find(
                          json_string_value(json_object_get(j, "reason"))),
                      KAM_REVIEW_EMPTY},
                .sentence = json_string_value(json_object_get(j, "sentence")),
            };
            on_review(&table, &it);
        }
        if (json_array_size(ro.items) == 0)
            printf("nothing to review: every account in scope has a reason for its tier\n");
        json_decref(ro.items);
    } else {
        json_decref(counts);
    }
out:
    kam_store_close(st);
    return code;
}

/* --- lifecycle ---------------------------------------------------------------------------- */

int kam_cmd_lifecycle(struct kam_cli *cli, int argc, char **argv)
{
    enum { OPT_STAGE = KAM_CLI_OPT_NEXT };
    static const struct option opts[] = {
        {"as-of", required_argument, NULL, KAM_CLI_OPT_AS_OF},
        {"stage", required_argument, NULL, OPT_STAGE},
        {"limit", required_argument, NULL, KAM_CLI_OPT_LIMIT},
        {"json", no_argument, NULL, KAM_CLI_OPT_JSON},
        {"csv", no_argument, NULL, KAM_CLI_OPT_CSV},
        {0},
    };
    struct kam_cli_engine_opts eo = {.out = KAM_CLI_OUT_TABLE, .limit = -1};
    int stage = -1, c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case OPT_STAGE:
            for (int s = 0; s < KAM_LIFECYCLE_STAGES; s++)
                if (strcmp(optarg, kam_lifecycle_stage_name((enum kam_lifecycle_stage)s)) == 0)
                    stage = s;
            if (stage < 0)
                return kam_cli_usage("lifecycle",
                                     "--stage takes new, exploration, formation, stability, "
                                     "decline, dormant, lost or none, not '%s'",
                                     optarg);
            break;
        case KAM_CLI_OPT_LIMIT:
            if (!parse_limit("lifecycle", optarg, &eo.limit))
                return 1;
            break;
        default:
            if (kam_cli_engine_opt("lifecycle", c, &eo) != 0)
                return 1;
        }
    }
    if (optind != argc)
        return kam_cli_usage("lifecycle", "unexpected argument '%s'", argv[optind]);
    if (eo.limit < 0)
        eo.limit = eo.out == KAM_CLI_OUT_TABLE ? 20 : 0;
    enum kam_cli_output out = eo.out;

    struct kam_store *st;
    struct kam_portfolio p;
    int code = kam_cli_open_portfolio(cli, &eo.e, &st, &p);
    if (code != 0)
        return code;
    /* Counts and window revenue per stage; shares of the portfolio's net window revenue. */
    struct kam_lifecycle_summary sum;
    kam_engine_lifecycle_summary(&p, &sum);
    size_t *order = kam_xmalloc((p.n + 1) * sizeof(*order)), n = 0;
    for (size_t i = 0; i < p.n; i++)
        if (stage < 0 || (int)p.stage[i].stage == stage)
            order[n++] = i;
    kam_portfolio_rank_by_revenue(&p, order, n, KAM_RANK_TIE_CODE);
    if (eo.limit > 0 && (size_t)eo.limit < n)
        n = (size_t)eo.limit;

    char why[512], b1[48], b2[48];
    if (out == KAM_CLI_OUT_JSON) {
        json_t *stages = json_array(), *items = json_array();
        for (int k = 0; k < KAM_LIFECYCLE_STAGES; k++) {
            enum kam_lifecycle_stage s = kam_lifecycle_order[k];
            json_array_append_new(
                stages, json_pack("{s:s,s:I,s:o,s:o}", "stage", kam_lifecycle_stage_name(s),
                                  "accounts", (json_int_t)sum.count[s], "revenue",
                                  kam_money_json(sum.revenue[s]), "revenue_share",
                                  isnan(sum.share[s]) ? json_null() : json_real(sum.share[s])));
        }
        for (size_t k = 0; k < n; k++) {
            size_t i = order[k];
            const struct kam_lifecycle *lc = &p.stage[i];
            json_array_append_new(
                items,
                json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:I,s:I,s:I}", "code", p.codes[i],
                          "name", p.names[i], "stage", kam_lifecycle_stage_name(lc->stage),
                          "reason", kam_review_stage_reason(lc, NULL, why, sizeof(why)), "revenue",
                          kam_money_json(p.m[i].revenue), "trailing", kam_money_json(lc->trailing),
                          "previous", kam_money_json(lc->previous), "growth",
                          lc->has_growth ? json_real(lc->growth) : json_null(), "months_since_last",
                          (json_int_t)lc->months_since_last, "tenure_months",
                          (json_int_t)lc->tenure_months, "active_months",
                          (json_int_t)lc->active_months));
        }
        kam_cli_json(json_pack("{s:s,s:i,s:I,s:o,s:o,s:o}", "as_of", p.as_of, "window_months",
                               p.period.window_months, "accounts", (json_int_t)p.n, "total_revenue",
                               kam_money_json(sum.total), "stages", stages, "items", items));
    } else if (out == KAM_CLI_OUT_CSV) {
        printf("code,name,stage,revenue,trailing,previous,growth,months_since_last,"
               "tenure_months,active_months,reason\n");
        for (size_t k = 0; k < n; k++) {
            size_t i = order[k];
            const struct kam_lifecycle *lc = &p.stage[i];
            csv_text(p.codes[i]);
            fputc(',', stdout);
            csv_text(p.names[i]);
            printf(",%s,%s,%s,", kam_lifecycle_stage_name(lc->stage),
                   kam_money_str(p.m[i].revenue, b1, sizeof(b1)),
                   kam_money_str(lc->trailing, b2, sizeof(b2)));
            printf("%s,", kam_money_str(lc->previous, b1, sizeof(b1)));
            csv_num(lc->has_growth ? lc->growth : NAN);
            printf(",%lld,%lld,%lld,", (long long)lc->months_since_last,
                   (long long)lc->tenure_months, (long long)lc->active_months);
            csv_text(kam_review_stage_reason(lc, NULL, why, sizeof(why)));
            fputc('\n', stdout);
        }
    } else {
        printf("Lifecycle stages of %zu accounts as of %s (revenue: the last %d months)\n", p.n,
               p.as_of, p.period.window_months);
        printf("%-12s %8s %18s %8s\n", "stage", "accounts", "revenue", "share");
        for (int k = 0; k < KAM_LIFECYCLE_STAGES; k++) {
            enum kam_lifecycle_stage s = kam_lifecycle_order[k];
            printf("%-12s %8lld %18s ", kam_lifecycle_stage_name(s), (long long)sum.count[s],
                   kam_money_fmt(sum.revenue[s], 2, 1, b1, sizeof(b1)));
            if (!isnan(sum.share[s]))
                printf("%7.1f%%\n", 100.0 * sum.share[s]);
            else
                printf("%8s\n", "-");
        }
        printf("\n%s by revenue:\n", stage >= 0 ? "The stage's accounts" : "Accounts");
        for (size_t k = 0; k < n; k++) {
            size_t i = order[k];
            kam_text_pad(stdout, p.codes[i], 10, 0);
            fputc(' ', stdout);
            kam_text_pad(stdout, p.names[i], 28, 0);
            printf(" %-11s %s\n", kam_lifecycle_stage_name(p.stage[i].stage),
                   kam_review_stage_reason(&p.stage[i], NULL, why, sizeof(why)));
        }
    }
    free(order);
    kam_portfolio_release(&p);
    kam_store_close(st);
    return code;
}
