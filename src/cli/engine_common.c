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

int kam_cli_engine_command(struct kam_cli *cli, const char *cmd, int argc, char **argv,
                           struct kam_cli_engine_opts *o, struct kam_store **st,
                           struct kam_portfolio *p)
{
    static const struct option opts[] = {KAM_CLI_ENGINE_OPTIONS, {0}};
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1)
        if (kam_cli_engine_opt(cmd, c, o) != 0)
            return 1;
    if (optind != argc)
        return kam_cli_usage(cmd, "unexpected argument '%s'", argv[optind]);
    return kam_cli_open_portfolio(cli, &o->e, st, p);
}
