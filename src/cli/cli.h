/* Shared pieces of the `kam` command: the command table entry, store opening and the uniform
 * error report. */
#ifndef KAM_CLI_CLI_H
#define KAM_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#include "engine/engine.h"
#include "store/store.h"
#include "util/err.h"

struct kam_cli {
    const char *db; /* --db, KAM_DB or ./kam.db */
};

struct kam_command {
    const char *name;
    const char *args; /* usage after the name */
    const char *summary;
    int (*run)(struct kam_cli *cli, int argc, char **argv);
    bool creates; /* may create the database */
};

extern const struct kam_command kam_commands[];

/* Prints "kam: <message>" (with "FILE:LINE: " when the error has a line) and returns the exit
 * code of err->code. */
/* Who the audit log names for a CLI write: the OS user ($USER), else "cli" (whoever runs the CLI
 * owns the database file anyway). */
const char *kam_cli_actor(void);
int kam_cli_fail(const struct kam_err *err);
/* Prints a usage error for the command and returns 1. */
int kam_cli_usage(const char *command, const char *fmt, ...) KAM_PRINTF(2, 3);
/* Opens the store or reports why not (returns NULL). */
struct kam_store *kam_cli_open(const struct kam_cli *cli, unsigned flags, int *exit_code);
/* Dumps j (stolen) to stdout, indented, with a final newline. */
void kam_cli_json(json_t *j);

/* yyyymm "as of" month and date of the data: the last order date unless as_of is given. */
enum kam_rc kam_cli_as_of(struct kam_store *st, const char *as_of, int *month, char *date, size_t n,
                          struct kam_err *err);

/* --- the identification engine's commands (engine_common.c) ------------------------------- */

enum kam_cli_output { KAM_CLI_OUT_TABLE, KAM_CLI_OUT_JSON, KAM_CLI_OUT_CSV };

/* The options the engine commands share; a command with more embeds this. */
struct kam_cli_engine_opts {
    struct kam_engine_opts e; /* --as-of, --window */
    enum kam_cli_output out;  /* --json, --csv */
    int64_t limit;            /* --limit: rows of the table, 0 all */
};

/* getopt_long values of the shared options; a command numbers its own from KAM_CLI_OPT_NEXT. */
enum {
    KAM_CLI_OPT_AS_OF = 1000,
    KAM_CLI_OPT_WINDOW,
    KAM_CLI_OPT_JSON,
    KAM_CLI_OPT_CSV,
    KAM_CLI_OPT_LIMIT,
    KAM_CLI_OPT_NEXT
};

/* The struct option entries of all five shared options, in this order (getopt lists ambiguous
 * abbreviations in table order). A command that takes only some lists them itself. */
#define KAM_CLI_ENGINE_OPTIONS                                                                     \
    {"as-of", required_argument, NULL, KAM_CLI_OPT_AS_OF},                                         \
        {"window", required_argument, NULL, KAM_CLI_OPT_WINDOW},                                   \
        {"json", no_argument, NULL, KAM_CLI_OPT_JSON},                                             \
        {"csv", no_argument, NULL, KAM_CLI_OPT_CSV},                                               \
    {                                                                                              \
        "limit", required_argument, NULL, KAM_CLI_OPT_LIMIT                                        \
    }

/* Handles getopt_long's result c for command cmd when it is a shared option: 0 when it is one,
 * 1 after a usage error for a bad value, -1 when c is not a shared option. */
int kam_cli_engine_opt(const char *cmd, int c, struct kam_cli_engine_opts *o);
/* Opens the store and computes the portfolio as of e; 0, or the exit code after reporting why
 * not (then *st is closed). The caller releases p and closes *st. */
int kam_cli_open_portfolio(struct kam_cli *cli, const struct kam_engine_opts *e,
                           struct kam_store **st, struct kam_portfolio *p);
/* A command that takes only the shared options (metrics, rfm): parses them into *o (its limit
 * preset by the caller), refuses any argument, then opens the portfolio as above. */
int kam_cli_engine_command(struct kam_cli *cli, const char *cmd, int argc, char **argv,
                           struct kam_cli_engine_opts *o, struct kam_store **st,
                           struct kam_portfolio *p);

int kam_cmd_init(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_import(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_accounts(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_account(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_tag(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_export(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_demo(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_summary(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_trend(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_edit(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_add(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_delete(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_tiers(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_metrics(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_pareto(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_rfm(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_matrix(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_whitespace(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_model(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_rate(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_pin(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_score(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_explain(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_changes(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_review(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_lifecycle(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_team(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_user(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_token(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_audit(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_serve(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_version(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_help(struct kam_cli *cli, int argc, char **argv);

#endif
