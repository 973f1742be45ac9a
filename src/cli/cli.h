/* Shared pieces of the `kam` command: the command table entry, store opening and the uniform
 * error report. */
#ifndef KAM_CLI_CLI_H
#define KAM_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

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

int kam_cmd_init(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_import(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_accounts(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_account(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_tag(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_export(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_demo(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_summary(struct kam_cli *cli, int argc, char **argv);
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
int kam_cmd_version(struct kam_cli *cli, int argc, char **argv);
int kam_cmd_help(struct kam_cli *cli, int argc, char **argv);

#endif
