/* `kam`: the command-line front door. One table of subcommands; global options before the
 * command. Exit codes: 0 ok, 1 usage, 2 invalid input, 3 storage or I/O error (kam help). */
#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/date.h"

const struct kam_command kam_commands[] = {
    {"init", "[--currency CODE]", "create an empty database", kam_cmd_init, true},
    {"import", "KIND FILE [options]",
     "import a CSV file (accounts contacts products orders "
     "payments ratings)",
     kam_cmd_import, false},
    {"accounts",
     "[--role R] [--region R] [--owner O] [--tag T] [--search TEXT] "
     "[--sort name|revenue] [--limit N] "
     "[--json | --csv [--encoding utf-8|gb18030] | --xlsx FILE]",
     "list accounts", kam_cmd_accounts, false},
    {"account", "CODE [--as-of DATE] [--months N] [--json]", "one account's 360 view",
     kam_cmd_account, false},
    {"edit", "CODE FIELD=VALUE... [--version N]",
     "change an account's profile fields (audited; --version: fail if it changed since)",
     kam_cmd_edit, false},
    {"add", "account|contact|product|order|payment FIELD=VALUE...",
     "add one record by the import's rules (fails if it exists; audited)", kam_cmd_add, false},
    {"delete", "CODE [--version N]",
     "delete an account without orders, invoices or child accounts (audited)", kam_cmd_delete,
     false},
    {"tag", "add CODE TAG [--color C] | rm CODE TAG | list [CODE] [--json]", "tag accounts",
     kam_cmd_tag, false},
    {"export",
     "accounts|contacts|products|orders|payments [--json] [--output FILE] "
     "[--encoding utf-8|gb18030] [--xlsx FILE]",
     "export records as CSV, JSON or an xlsx workbook", kam_cmd_export, false},
    {"demo", "[--seed N] [--accounts N]", "generate the demo company into the database",
     kam_cmd_demo, true},
    {"summary", "[--json]", "the portfolio: revenue, top accounts, the 80:20 share",
     kam_cmd_summary, false},
    {"trend", "[--months N] [--json]",
     "the portfolio month by month: net revenue, margin, lines (default the last 24 months)",
     kam_cmd_trend, false},
    {"tiers", "[--json]",
     "the tiers of the latest scoring run: accounts and window revenue per tier, and the run "
     "before",
     kam_cmd_tiers, false},
    {"metrics", "[--as-of DATE] [--window 12m] [--limit N] [--json|--csv]",
     "compute and store every account's metrics and lifecycle stage", kam_cmd_metrics, false},
    {"pareto", "[--by revenue|margin] [--abc A,B] [--as-of DATE] [--limit N] [--json|--csv]",
     "the 80:20 curve, top-20 % share, Gini, ABC classes", kam_cmd_pareto, false},
    {"rfm", "[--as-of DATE] [--limit N] [--json|--csv]",
     "recency, frequency, monetary scores and segments", kam_cmd_rfm, false},
    {"matrix",
     "[--current METRIC] [--potential wallet|growth|whitespace|rating:NAME] "
     "[--current-threshold X] [--potential-threshold Y] [--quadrant Q] [--peers P] [--as-of DATE] "
     "[--window 12m] [--limit N] [--json|--csv]",
     "the value matrix: current against potential value in four quadrants", kam_cmd_matrix, false},
    {"whitespace",
     "[ACCOUNT] [--peers role|industry|tier] [--min-share PCT] [--below PCT] [--as-of DATE] "
     "[--limit N] [--json|--csv]",
     "cross-sell gaps: categories peers buy and an account does not", kam_cmd_whitespace, false},
    {"model", "show [--json] | set FILE | validate FILE | list [--json]",
     "the scoring model: show, store a new version, check a file, list versions", kam_cmd_model,
     false},
    {"rate", "ACCOUNT RATING VALUE [--note TEXT] | --clear ACCOUNT RATING",
     "enter a static rating of the scoring model", kam_cmd_rate, false},
    {"pin", "ACCOUNT key|major|ordinary|small|none", "pin an account's tier (none unpins)",
     kam_cmd_pin, false},
    {"score", "[--as-of DATE] [--json]",
     "compute metrics, scores and tiers of every account and store the run", kam_cmd_score, false},
    {"explain", "ACCOUNT [--json]", "why an account has its score and tier", kam_cmd_explain,
     false},
    {"changes", "[--json]", "tier upgrades and downgrades since the previous run", kam_cmd_changes,
     false},
    {"review",
     "[--reason R[,R]] [--limit N] [--decline-below PCT] [--promotion-within POINTS] "
     "[--scope TIER] [--json|--csv]",
     "periodic review: accounts below their tier, declining, unjustified or up for promotion",
     kam_cmd_review, false},
    {"lifecycle", "[--as-of DATE] [--stage S] [--limit N] [--json|--csv]",
     "every account's lifecycle stage with the rule that gave it, counts and revenue per stage",
     kam_cmd_lifecycle, false},
    {"team", "add NAME | list [--json]", "teams of users (managers see their team's accounts)",
     kam_cmd_team, false},
    {"user",
     "add USERNAME --role admin|director|manager|rep|viewer [--team T] [--name N] "
     "[--password-stdin] | passwd USERNAME [--password-stdin] | disable USERNAME | "
     "enable USERNAME | list [--json]",
     "users, their roles and passwords", kam_cmd_user, false},
    {"token", "create USERNAME [--name N] | revoke ID | list [USERNAME] [--json]",
     "API tokens: create (shown once), revoke, list", kam_cmd_token, false},
    {"audit", "[--limit N] [--json]", "the audit log: who changed what, when, before and after",
     kam_cmd_audit, false},
    {"serve",
     "[--listen ADDR:PORT] [--threads N] [--max-body BYTES] [--max-import-body BYTES] "
     "[--web DIR | --no-web] [--tls-cert FILE --tls-key FILE] [--no-kept-answers]",
     "the HTTP JSON API (docs/api.md) and the web UI (docs/web.md) until SIGINT or SIGTERM",
     kam_cmd_serve, false},
    {"version", "", "print the version", kam_cmd_version, false},
    {"help", "[COMMAND]", "this help", kam_cmd_help, false},
    {NULL, NULL, NULL, NULL, false},
};

const char *kam_cli_actor(void)
{
    const char *u = getenv("USER");
    return u != NULL && u[0] != '\0' ? u : "cli";
}

int kam_cli_fail(const struct kam_err *err)
{
    if (err->line > 0 && err->field[0])
        fprintf(stderr, "kam: line %lld: field %s: %s\n", (long long)err->line, err->field,
                err->msg);
    else if (err->line > 0)
        fprintf(stderr, "kam: line %lld: %s\n", (long long)err->line, err->msg);
    else
        fprintf(stderr, "kam: %s\n", err->msg[0] ? err->msg : kam_rc_str(err->code));
    return kam_rc_exit_code(err->code);
}

int kam_cli_usage(const char *command, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "kam %s: ", command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    for (const struct kam_command *c = kam_commands; c->name; c++)
        if (strcmp(c->name, command) == 0)
            fprintf(stderr, "\nusage: kam %s %s\n", c->name, c->args);
    return kam_rc_exit_code(KAM_ERR_USAGE);
}

struct kam_store *kam_cli_open(const struct kam_cli *cli, unsigned flags, int *exit_code)
{
    struct kam_store *st = NULL;
    struct kam_err err;
    kam_err_clear(&err);
    if (kam_store_open(cli->db, flags, &st, &err) != KAM_OK) {
        *exit_code = kam_cli_fail(&err);
        return NULL;
    }
    return st;
}

void kam_cli_json(json_t *j)
{
    json_dumpf(j, stdout, JSON_INDENT(2));
    fputc('\n', stdout);
    json_decref(j);
}

enum kam_rc kam_cli_as_of(struct kam_store *st, const char *as_of, int *month, char *date, size_t n,
                          struct kam_err *err)
{
    int first;
    if (as_of != NULL) {
        struct kam_date d;
        if (kam_date_parse_iso(as_of, strlen(as_of), &d, err) != KAM_OK)
            return kam_err_set(err, KAM_ERR_USAGE, "--as-of '%s' %s", as_of, err->msg);
        *month = d.year * 100 + d.month;
        snprintf(date, n, "%04d-%02d-%02d", d.year, d.month, d.day);
        return KAM_OK;
    }
    enum kam_rc rc = st->ops->order_months(st, &first, month, date, n, err);
    if (rc == KAM_OK && date[0] == '\0')
        snprintf(date, n, "%s", "");
    return rc;
}

int kam_cmd_version(struct kam_cli *cli, int argc, char **argv)
{
    (void)cli;
    (void)argc;
    (void)argv;
    printf("kam %s (schema %d)\n", KAM_VERSION, KAM_SCHEMA_VERSION);
    return 0;
}

int kam_cmd_help(struct kam_cli *cli, int argc, char **argv)
{
    (void)cli;
    if (argc > 1)
        for (const struct kam_command *c = kam_commands; c->name; c++)
            if (strcmp(c->name, argv[1]) == 0) {
                printf("usage: kam [--db PATH] %s %s\n  %s\n", c->name, c->args, c->summary);
                if (strcmp(c->name, "import") == 0)
                    printf("options:\n"
                           "  --map field=Header,...   map your headers to kam's fields\n"
                           "  --map-file PATH          the same, one mapping per line\n"
                           "  --date-format FMT        e.g. '%%m/%%d/%%Y %%H:%%M' (default ISO)\n"
                           "  --encoding ENC           utf-8 (default), gb18030, gbk\n"
                           "  --reject-file PATH       import valid rows, write invalid ones "
                           "here\n"
                           "  --dry-run                validate and report, write nothing\n"
                           "  --create-missing         orders: create unknown accounts and "
                           "products\n"
                           "See docs/import.md for the fields of each kind.\n");
                return 0;
            }
    printf("kam: key account management\n\n"
           "usage: kam [--db PATH] COMMAND [ARGS]\n"
           "  --db PATH   database file (default $KAM_DB, else ./kam.db)\n\n"
           "commands:\n");
    for (const struct kam_command *c = kam_commands; c->name; c++)
        printf("  %-9s %s\n", c->name, c->summary);
    printf("\nMost listings accept --json. 'kam help COMMAND' shows a command's arguments.\n\n"
           "exit codes:\n"
           "  0  success\n"
           "  1  usage error (unknown command or option, missing argument)\n"
           "  2  invalid input (a bad row or value, unknown account, duplicate key); nothing "
           "was written\n"
           "  3  storage or I/O error (cannot open, read or write a file or the database)\n");
    return 0;
}

int main(int argc, char **argv)
{
    struct kam_cli cli = {.db = getenv("KAM_DB")};
    int i = 1;

    if (cli.db == NULL || cli.db[0] == '\0')
        cli.db = "kam.db";
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--db") == 0 && i + 1 < argc) {
            cli.db = argv[i + 1];
            i += 2;
        } else if (strncmp(argv[i], "--db=", 5) == 0) {
            cli.db = argv[i] + 5;
            i++;
        } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            return kam_cmd_help(&cli, 1, argv);
        } else if (strcmp(argv[i], "--version") == 0) {
            return kam_cmd_version(&cli, 1, argv);
        } else {
            fprintf(stderr, "kam: unknown option '%s' (see 'kam help')\n", argv[i]);
            return 1;
        }
    }
    if (i >= argc) {
        kam_cmd_help(&cli, 1, argv);
        return 1;
    }
    for (const struct kam_command *c = kam_commands; c->name; c++)
        if (strcmp(c->name, argv[i]) == 0) {
            optind = 1;
            return c->run(&cli, argc - i, argv + i);
        }
    fprintf(stderr, "kam: unknown command '%s' (see 'kam help')\n", argv[i]);
    return 1;
}
