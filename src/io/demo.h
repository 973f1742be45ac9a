/* The demo company: a deterministic, realistic data set for trying kam without real data.
 *
 * A made-up Chinese supplier of industrial and consumer goods with its accounts (every supply-chain
 * role, groups, owners), products, contacts, order lines over a few years and invoices with their
 * payments, written as the CSV files that `kam import` reads, then imported and tagged. The data
 * is a pure function of the options: the same options give byte-identical files on the same
 * build, and nothing depends on the clock. docs/demo.md describes the content and how to add a
 * section. DOMAIN.md: "Pareto analysis", "Scope", "Tags", "Relationship levels". */
#ifndef KAM_IO_DEMO_H
#define KAM_IO_DEMO_H

#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

struct kam_demo_opts {
    uint64_t seed;
    int accounts;         /* 1 .. KAM_DEMO_MAX_ACCOUNTS, default 2000 */
    int products;         /* 1 .. KAM_DEMO_MAX_PRODUCTS, default 200 */
    int years;            /* 1 .. KAM_DEMO_MAX_YEARS of orders ending at end_date, default 3 */
    const char *end_date; /* ISO "2025-12-31" (default), fixed so the demo never reads the clock */
};

#define KAM_DEMO_MAX_ACCOUNTS 100000
#define KAM_DEMO_MAX_PRODUCTS 9999
#define KAM_DEMO_MAX_YEARS    10
/* accounts * years: 35-45 order lines each, all built in memory before they are written
 * (100000 is about 4 million lines, 500 MB and a minute) */
#define KAM_DEMO_MAX_ACCOUNT_YEARS 100000

/* What kam_demo_generate wrote: rows per file, and account-tag links added. */
struct kam_demo_report {
    int64_t accounts, products, contacts, order_lines, payments, tagged;
    int64_t ratings; /* rating rows (kam import ratings): key accounts and the major band */
    int64_t users;   /* demo logins (docs/users.md), password "kam-demo"; existing ones kept */
};

/* Fills o with the defaults: seed 1, 2000 accounts, 200 products, 3 years to 2025-12-31. */
void kam_demo_opts_default(struct kam_demo_opts *o);

/* Writes accounts.csv, products.csv, contacts.csv, orders.csv, payments.csv and ratings.csv into
 * dir, which
 * must exist (each file goes to a temporary name first, then is renamed). Borrows o and dir.
 * KAM_ERR_USAGE for options below 1 or a bad end date, KAM_ERR_TOO_LARGE above the
 * KAM_DEMO_MAX_* limits, KAM_ERR_IO when a file cannot be written. */
KAM_MUST_CHECK enum kam_rc kam_demo_write_csv(const struct kam_demo_opts *o, const char *dir,
                                              struct kam_err *err);

/* Writes the CSV files into a private temporary directory (mkdtemp under $TMPDIR or /tmp),
 * imports them into st in the order accounts, products, contacts, orders, payments (each
 * all-or-nothing), tags accounts in one transaction, imports the ratings, adds the demo teams and
 * users that are missing (audited, actor "demo"), and removes the temporary files whatever
 * happens. Fills *rep on success. Returns the errors of kam_demo_write_csv, an
 * import error as the import reported it (files imported before it stay imported), or a store
 * error. */
KAM_MUST_CHECK enum kam_rc kam_demo_generate(struct kam_store *st, const struct kam_demo_opts *o,
                                             struct kam_demo_report *rep, struct kam_err *err);

#endif
