/* What the identification engine's commands (metrics, pareto, rfm, matrix, whitespace,
 * lifecycle, review) share: the options --as-of, --window, --json, --csv and --limit, opening
 * the portfolio, and ranking accounts by window revenue. Each command keeps its own options and
 * output; this file prints nothing but the usage errors of the shared options. */
#include "cli/cli.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

int kam_cli_engine_opt(const char *cmd, int c, struct kam_cli_engine_opts *o)
{
    char *end;
    switch (c) {
    case KAM_CLI_OPT_AS_OF:
        o->e.as_of = optarg;
        return 0;
    case KAM_CLI_OPT_WINDOW: {
        long w = strtol(optarg, &end, 10);
        if (*end == 'm')
            end++;
        if (*end != '\0' || w < 1 || w > 120)
            return kam_cli_usage(cmd, "--window takes 1..120 months (12 or 12m), not '%s'", optarg);
        o->e.window_months = (int)w;
        return 0;
    }
    case KAM_CLI_OPT_JSON:
        o->out = KAM_CLI_OUT_JSON;
        return 0;
    case KAM_CLI_OPT_CSV:
        o->out = KAM_CLI_OUT_CSV;
        return 0;
    case KAM_CLI_OPT_LIMIT: {
        long long n = strtoll(optarg, &end, 10);
        if (end == optarg || *end != '\0' || n < 0)
            return kam_cli_usage(cmd, "--limit takes a count, not '%s'", optarg);
        o->limit = n;
        return 0;
    }
    default:
        return -1;
    }
}

int kam_cli_open_portfolio(struct kam_cli *cli, const struct kam_engine_opts *e,
                           struct kam_store **st, struct kam_portfolio *p)
{
    int code;
    struct kam_err err;
    kam_err_clear(&err); /* the engine sets code and message only: no stray line or field */
    if ((*st = kam_cli_open(cli, 0, &code)) == NULL)
        return code;
    if (kam_engine_portfolio(*st, e, p, &err) != KAM_OK) {
        kam_store_close(*st);
        return kam_cli_fail(&err);
    }
    return 0;
}

/* One account to rank: the sort key copied next to the index, so qsort needs no global. */
struct ranked {
    kam_money revenue;
    const char *code;
    size_t index;
};

static int by_revenue(const struct ranked *x, const struct ranked *y)
{
    if (x->revenue != y->revenue)
        return x->revenue > y->revenue ? -1 : 1;
    return 0;
}

static int by_revenue_index(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    int c = by_revenue(x, y);
    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

static int by_revenue_code(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    int c = by_revenue(x, y);
    return c != 0 ? c : strcmp(x->code, y->code);
}

void kam_cli_rank_by_revenue(const struct kam_portfolio *p, size_t *order, size_t n,
                             enum kam_cli_tie tie)
{
    struct ranked *r = kam_xmalloc(n * sizeof(*r));
    for (size_t k = 0; k < n; k++)
        r[k] = (struct ranked){p->m[order[k]].revenue, p->codes[order[k]], order[k]};
    qsort(r, n, sizeof(*r), tie == KAM_CLI_TIE_CODE ? by_revenue_code : by_revenue_index);
    for (size_t k = 0; k < n; k++)
        order[k] = r[k].index;
    free(r);
}
