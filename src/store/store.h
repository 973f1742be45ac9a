/* The storage interface: everything kam keeps goes through these operations.
 *
 * A backend is a struct of function pointers, like SQLite's VFS; SQLite implements it now
 * (store_sqlite.c) and PostgreSQL will implement the same operations and pass the same contract
 * suite (tests/store). No SQL and no backend type crosses this header. Strings handed to
 * callbacks are borrowed for the duration of the call. Money is kam_money; months are yyyymm
 * integers (201012). */
#ifndef KAM_STORE_STORE_H
#define KAM_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "core/metrics.h"
#include "core/order.h"
#include "core/record.h"
#include "util/err.h"

#define KAM_SCHEMA_VERSION 8

enum kam_put { KAM_PUT_INSERTED, KAM_PUT_UPDATED, KAM_PUT_UNCHANGED };

/* One stored record of a table, values in the table's column order (REF columns carry the
 * referred natural key as text and its id in i). Return non-zero to stop an iteration. */
typedef int (*kam_row_fn)(void *ctx, int64_t id, const struct kam_value *vals);

enum kam_account_sort { KAM_SORT_NAME, KAM_SORT_REVENUE };

/* A listed account with what the plain list callback does not carry (the HTTP API needs the
 * version for its optimistic concurrency). */
struct kam_account_item {
    int64_t id;
    const struct kam_value *vals; /* the columns, in kam_accounts order */
    kam_money ttm_revenue, total_revenue;
    int64_t version;
    /* The account in the latest scoring run: tier and lifecycle stage (NULL when it was not
     * scored) and score (NaN then). */
    const char *tier, *stage;
    double score;
};
typedef int (*kam_account_item_fn)(void *ctx, const struct kam_account_item *it);

struct kam_account_query {
    const char *role, *region, *owner, *tag, *text; /* NULL = any; text matches code or name */
    enum kam_account_sort sort;
    int ttm_from;   /* yyyymm: trailing revenue counts months >= ttm_from ... */
    int ttm_to;     /* ... and <= ttm_to */
    int64_t limit;  /* 0 = no limit */
    int64_t offset; /* skip this many first (with or without a limit) */
    /* Row-level access: only the accounts this scope may read (owner = login, or owner among
     * the usernames of the team). NULL = every account (the CLI, run by the database's owner). */
    const struct kam_scope *scope;
    /* The tier ("key", ...) and lifecycle stage ("stability", ...) the account has in the
     * latest scoring run; NULL = any. An account the latest run did not score matches neither. */
    const char *tier, *stage;
    /* When ids is not NULL: only the accounts with these ids (nids of them, possibly none), on
     * top of the other filters. */
    const int64_t *ids;
    size_t nids;
    /* When set, account_list calls item with each account instead of fn (fn may be NULL). */
    kam_account_item_fn item;
};

/* A listed account: its columns, trailing-twelve-month and all-time net revenue. */
typedef int (*kam_account_fn)(void *ctx, int64_t id, const struct kam_value *vals,
                              kam_money ttm_revenue, kam_money total_revenue);
typedef int (*kam_key_fn)(void *ctx, const char *key, size_t len, int64_t id);
typedef int (*kam_order_fn)(void *ctx, const struct kam_order_line *l, const char *account_code,
                            const char *sku);
typedef int (*kam_month_fn)(void *ctx, int64_t account_id, int month, const struct kam_rollup *r);
typedef int (*kam_revenue_fn)(void *ctx, int64_t account_id, const char *code, const char *name,
                              kam_money revenue);
typedef int (*kam_tag_fn)(void *ctx, const char *name, const char *color, int64_t accounts);

/* Record counts; order_lines is the sum of the rollup's line counts, which the import keeps
 * equal to the number of lines. */
struct kam_counts {
    int64_t accounts, contacts, products, order_lines, payments, tags;
};

/* A scoring run. */
struct kam_run {
    int64_t id;
    char as_of[11]; /* YYYY-MM-DD */
    int window_months;
    int64_t model_version;
    char started_at[21]; /* YYYY-MM-DDTHH:MM:SSZ */
    double seconds;
    int64_t accounts;
};

/* One account's result in a run; tiers by name ("key", ...), stage by lifecycle name. */
struct kam_score_row {
    int64_t run, account_id;
    double score;
    const char *tier, *computed, *stage;
    bool pinned;
    double to_next; /* NaN when none */
};

/* An account's latest metrics as stored. */
struct kam_metrics_row {
    char as_of[11];
    int window_months;
    struct kam_metrics m;
    const char *stage;
    /* The latest score's explanation, bytes the engine encodes (score_run.c); NULL when none. */
    const void *explanation;
    size_t explanation_size;
};

/* A kam user (schema 3). Plain data: strings are copied in. */
#define KAM_PASSWORD_HASH_MAX 128 /* libsodium's crypto_pwhash_STRBYTES */
#define KAM_TOKEN_HASH_BYTES  32  /* BLAKE2b-256 of a token */

struct kam_user {
    int64_t id;
    char username[KAM_LOGIN_MAX + 1];
    char display_name[KAM_DISPLAY_NAME_MAX + 1]; /* "" when none */
    enum kam_role role;
    char team[KAM_LOGIN_MAX + 1]; /* team name, "" when none */
    char password_hash[KAM_PASSWORD_HASH_MAX];
    bool disabled;
    char created_at[21], updated_at[21]; /* YYYY-MM-DDTHH:MM:SSZ */
    int64_t version;
};

/* An API token as stored: only its hash. Times are "" when not (yet) set. */
struct kam_token {
    int64_t id, user_id;
    char username[KAM_LOGIN_MAX + 1];
    char name[KAM_DISPLAY_NAME_MAX + 1]; /* "" when none */
    unsigned char hash[KAM_TOKEN_HASH_BYTES];
    char created_at[21], last_used_at[21], revoked_at[21];
};

/* A signed-in browser session (schema 4). The session id and its CSRF token are random and
 * shown once, in the cookie and the login answer; only their BLAKE2b hashes are stored. Times
 * are YYYY-MM-DDTHH:MM:SSZ (UTC). */
#define KAM_SESSION_HASH_BYTES 32

struct kam_session {
    int64_t id, user_id;
    char username[KAM_LOGIN_MAX + 1];
    unsigned char hash[KAM_SESSION_HASH_BYTES];      /* of the cookie's session id */
    unsigned char csrf_hash[KAM_SESSION_HASH_BYTES]; /* of the CSRF token */
    char created_at[21], expires_at[21], last_seen_at[21];
};

/* An account read by code with its version (optimistic concurrency) and times. */
typedef int (*kam_account_get_fn)(void *ctx, int64_t id, const struct kam_value *vals,
                                  int64_t version, const char *created_at, const char *updated_at);

/* One entry of the audit log. before and after are JSON objects, NULL when none (a creation has
 * no before). On append, id and at are ignored: the store numbers and timestamps the entry. */
struct kam_audit_entry {
    int64_t id;
    char at[21];
    const char *actor, *action, *entity, *entity_key, *before, *after;
};

/* Which audit entries to list, newest first. Each filter is an exact match, NULL for any. */
struct kam_audit_query {
    const char *actor, *action, *entity, *key; /* key: the entity_key (an account code, ...) */
    const char *since; /* YYYY-MM-DD: entries at or after that day (UTC); NULL for all */
    int64_t limit;     /* at most this many (0 = all) ... */
    int64_t offset;    /* ... after skipping this many of the newest */
};

/* When something was read from the database (see the stamp op). */
struct kam_stamp {
    bool known;
    int64_t v[2];
};

/* Whether a and b are both known and the same: nothing was written between them. */
static inline bool kam_stamp_same(const struct kam_stamp *a, const struct kam_stamp *b)
{
    return a->known && b->known && a->v[0] == b->v[0] && a->v[1] == b->v[1];
}

struct kam_store;

struct kam_store_ops {
    const char *backend;
    void (*close)(struct kam_store *st);

    /* One write transaction at a time; nothing is visible to others before commit. */
    enum kam_rc (*begin)(struct kam_store *st, struct kam_err *err);
    enum kam_rc (*commit)(struct kam_store *st, struct kam_err *err);
    /* Like begin, for a writer that resolves every reference itself inside the transaction
     * (the import): the backend may skip its own reference checks until commit or rollback. */
    enum kam_rc (*begin_trusted)(struct kam_store *st, struct kam_err *err);
    enum kam_rc (*rollback)(struct kam_store *st, struct kam_err *err);

    /* Installation settings (currency, ...). get: KAM_ERR_NOT_FOUND when unset; the text is
     * copied into buf, truncated to n. */
    enum kam_rc (*meta_get)(struct kam_store *st, const char *key, char *buf, size_t n,
                            struct kam_err *err);
    enum kam_rc (*meta_set)(struct kam_store *st, const char *key, const char *value,
                            struct kam_err *err);

    /* Inserts or updates the record of t whose key columns equal vals; only the columns in mask
     * (bit i = column i) are written on update, all given ones on insert. REF columns must carry
     * the resolved id in i. *res tells what happened, *id the record's id. */
    enum kam_rc (*upsert)(struct kam_store *st, const struct kam_table *t,
                          const struct kam_value *vals, uint64_t mask, enum kam_put *res,
                          int64_t *id, struct kam_err *err);
    /* The record of t whose first key column is key (accounts: code). KAM_ERR_NOT_FOUND. */
    enum kam_rc (*get)(struct kam_store *st, const struct kam_table *t, const char *key,
                       kam_row_fn fn, void *ctx, struct kam_err *err);
    /* Every record of t, in id order; account_id > 0 restricts to one account's records (the
     * account itself, its contacts or payments; products ignore it). */
    enum kam_rc (*each)(struct kam_store *st, const struct kam_table *t, int64_t account_id,
                        kam_row_fn fn, void *ctx, struct kam_err *err);
    /* Natural key and id of every record of t (accounts, products), to resolve references. */
    enum kam_rc (*keys)(struct kam_store *st, const struct kam_table *t, kam_key_fn fn, void *ctx,
                        struct kam_err *err);
    /* Sets an account's parent (0 = none); *changed (may be NULL) tells whether it differed.
     * KAM_ERR_INVALID when it would make a cycle. */
    enum kam_rc (*set_parent)(struct kam_store *st, int64_t account_id, int64_t parent_id,
                              bool *changed, struct kam_err *err);

    /* Inserts the line unless its (order_id, line_no) exists; *inserted tells which and *id is
     * the line's id. A new order_id creates the order for l->account_id; all lines of an order
     * belong to its account: KAM_ERR_CONFLICT when l names another. line_no is 1..65535.
     * The caller guarantees that the account and product ids exist (the import resolves them
     * in the same transaction); the store does not check them again, for speed. */
    enum kam_rc (*order_insert)(struct kam_store *st, const struct kam_order_line *l,
                                bool *inserted, int64_t *id, struct kam_err *err);
    /* The stored line with this key into *out (strings valid until the next call).
     * KAM_ERR_NOT_FOUND. */
    enum kam_rc (*order_find)(struct kam_store *st, const char *order_id, int64_t line_no,
                              struct kam_order_line *out, struct kam_err *err);
    /* The account of order order_id into *account. KAM_ERR_NOT_FOUND. */
    enum kam_rc (*order_owner)(struct kam_store *st, const char *order_id, int64_t *account,
                               struct kam_err *err);
    /* Replaces the values of line id with those of l (same order, line and account). */
    enum kam_rc (*order_update)(struct kam_store *st, int64_t id, const struct kam_order_line *l,
                                struct kam_err *err);
    /* Largest order line id so far (0 when none): lines of orders created later have larger
     * ids. */
    enum kam_rc (*order_max_id)(struct kam_store *st, int64_t *out, struct kam_err *err);
    /* Order lines in id order, all or of one account. */
    enum kam_rc (*order_each)(struct kam_store *st, int64_t account_id, kam_order_fn fn, void *ctx,
                              struct kam_err *err);

    /* Adds delta to the monthly rollup cell of the account; a cell left with all zeros is
     * removed. */
    enum kam_rc (*rollup_add)(struct kam_store *st, int64_t account_id, int month,
                              const struct kam_rollup *delta, struct kam_err *err);
    /* After rollup_add of an import's cells: months[i] gained lines[i] order lines (negative:
     * lost), and the cells of accounts[0..naccounts) (ascending, distinct) changed. Keeps what
     * is read from the rollup on every list: the months with orders (order_months) and each
     * account's all-time and trailing-twelve-month revenue, up to the last month with orders
     * (account_list), and its activity (activity_range). When that last month moves, or a
     * product's category changed since, every account's is recomputed. accounts must hold every
     * account of a changed order line, even when its cells' sums did not move (a line's day
     * within its month, its product). Called with nothing changed (naccounts 0) it still
     * brings the kept activity up to a changed catalogue. */
    enum kam_rc (*rollup_totals)(struct kam_store *st, const int *months, const int64_t *lines,
                                 size_t nmonths, const int64_t *accounts, size_t naccounts,
                                 struct kam_err *err);
    /* Rollup cells of one account (0 = all) with from <= month <= to, by account then month. */
    enum kam_rc (*rollup_each)(struct kam_store *st, int64_t account_id, int from, int to,
                               kam_month_fn fn, void *ctx, struct kam_err *err);
    /* An account's products by net revenue, largest first: fn gets sku, name and their sums
     * (computed from the account's order lines). */
    enum kam_rc (*top_products)(struct kam_store *st, int64_t account_id, int64_t limit,
                                int (*fn)(void *ctx, const char *sku, const char *name,
                                          const struct kam_rollup *r),
                                void *ctx, struct kam_err *err);
    /* Net revenue of every account over all time (accounts without orders give 0). */
    enum kam_rc (*revenues)(struct kam_store *st, kam_revenue_fn fn, void *ctx,
                            struct kam_err *err);
    /* First and last order month (yyyymm), 0 when there are no orders, and (last_date not NULL)
     * the day of the last order, YYYY-MM-DD ("" when none); an order's day is its earliest
     * line's. */
    enum kam_rc (*order_months)(struct kam_store *st, int *first, int *last, char *last_date,
                                size_t n, struct kam_err *err);

    enum kam_rc (*account_list)(struct kam_store *st, const struct kam_account_query *q,
                                kam_account_fn fn, void *ctx, struct kam_err *err);
    /* How many accounts account_list would give for q without its limit and offset (its sort,
     * fn and item do not matter): one count over the same conditions, without reading the
     * rows. */
    enum kam_rc (*account_count)(struct kam_store *st, const struct kam_account_query *q,
                                 int64_t *n, struct kam_err *err);

    /* Tags: add creates the tag when new (color may be NULL); rm of an absent link is
     * KAM_ERR_NOT_FOUND. list: every tag with its account count (account_id 0) or one
     * account's tags. */
    enum kam_rc (*tag_add)(struct kam_store *st, int64_t account_id, const char *name,
                           const char *color, struct kam_err *err);
    enum kam_rc (*tag_rm)(struct kam_store *st, int64_t account_id, const char *name,
                          struct kam_err *err);
    enum kam_rc (*tag_list)(struct kam_store *st, int64_t account_id, kam_tag_fn fn, void *ctx,
                            struct kam_err *err);

    enum kam_rc (*counts)(struct kam_store *st, struct kam_counts *out, struct kam_err *err);

    /* --- what the identification engine reads and writes (schema 2) --- */

    /* Adds delta to the account's product rollup (like rollup_add); first_month (yyyymm of a
     * purchase line, 0 when none) lowers the cell's first month. */
    enum kam_rc (*product_add)(struct kam_store *st, int64_t account_id, int64_t product_id,
                               int first_month, const struct kam_rollup *delta,
                               struct kam_err *err);

    /* The inputs of the metrics for the accounts with lo <= id <= hi, each ordered by account:
     * monthly cells (by month), orders (day, purchase flag), products (by category, then
     * product; category NULL when none) and invoices (days since 1970-01-01; paid KAM_NONE
     * when unpaid, paid_amount KAM_NONE when not given). */
    enum kam_rc (*months_range)(struct kam_store *st, int64_t lo, int64_t hi, kam_month_fn fn,
                                void *ctx, struct kam_err *err);
    /* The activity rollup_totals keeps of the accounts with lo <= id <= hi that have cells,
     * by account; a NULL a for one whose activity is not kept (a database from before schema
     * 7 until its next import). *kept false: nothing is kept at all (a product changed its
     * category since), and fn is not called. An account with no cells (none given) has no
     * orders and no products. */
    enum kam_rc (*activity_range)(struct kam_store *st, int64_t lo, int64_t hi,
                                  int (*fn)(void *ctx, int64_t account_id,
                                            const struct kam_metrics_activity *a),
                                  void *ctx, bool *kept, struct kam_err *err);
    enum kam_rc (*orders_range)(struct kam_store *st, int64_t lo, int64_t hi,
                                int (*fn)(void *ctx, int64_t account_id, int64_t day,
                                          bool purchase),
                                void *ctx, struct kam_err *err);
    enum kam_rc (*products_range)(struct kam_store *st, int64_t lo, int64_t hi,
                                  int (*fn)(void *ctx, int64_t account_id, int64_t product_id,
                                            const char *category, int first_month,
                                            const struct kam_rollup *r),
                                  void *ctx, struct kam_err *err);
    /* The same cells, narrow and fast for the metrics: product id, first month and lines, by
     * account then product (no category: the caller maps product ids itself). */
    enum kam_rc (*product_cells_range)(struct kam_store *st, int64_t lo, int64_t hi,
                                       int (*fn)(void *ctx, int64_t account_id, int64_t product_id,
                                                 int first_month, int64_t lines),
                                       void *ctx, struct kam_err *err);
    enum kam_rc (*invoices_range)(struct kam_store *st, int64_t lo, int64_t hi,
                                  int (*fn)(void *ctx, int64_t account_id, kam_money amount,
                                            kam_money paid_amount, int64_t issued, int64_t due,
                                            int64_t paid),
                                  void *ctx, struct kam_err *err);
    /* A number that changes whenever another connection commits (not this one's commits):
     * taken before reading and again inside a later write transaction, equal values prove that
     * nothing read in between has changed. */
    enum kam_rc (*data_version)(struct kam_store *st, int64_t *out, struct kam_err *err);
    /* What the database holds, as this connection sees it: two known stamps that are equal
     * (kam_stamp_same) prove that no row was written in between, through this connection or
     * another. Not known inside a transaction (a rollback would leave its changes' stamp
     * behind). A schema change through this connection moves neither count: kam makes none
     * after opening (migrations run at open). */
    enum kam_rc (*stamp)(struct kam_store *st, struct kam_stamp *out, struct kam_err *err);
    /* Another connection to the same database, for a second thread (each connection is used
     * by one thread at a time); *out is the caller's, closed with kam_store_close. */
    enum kam_rc (*reopen)(struct kam_store *st, struct kam_store **out, struct kam_err *err);
    /* The last order day (days since 1970-01-01) and the largest account id; 0 when none. */
    enum kam_rc (*extent)(struct kam_store *st, int64_t *last_day, int64_t *max_account,
                          struct kam_err *err);

    /* Ratings: set (NaN value removes it), and every rating of one account (0 = all) by
     * account then name. */
    enum kam_rc (*rating_set)(struct kam_store *st, int64_t account_id, const char *name,
                              double value, const char *note, struct kam_err *err);
    enum kam_rc (*rating_each)(struct kam_store *st, int64_t account_id,
                               int (*fn)(void *ctx, int64_t account_id, const char *name,
                                         double value, const char *note),
                               void *ctx, struct kam_err *err);

    /* Scoring models: save adds a version (*version gets it); get copies the body of a
     * version (0 = the latest) into a malloc'd *body. KAM_ERR_NOT_FOUND when none. */
    enum kam_rc (*model_save)(struct kam_store *st, const char *name, const char *body,
                              int64_t *version, struct kam_err *err);
    enum kam_rc (*model_get)(struct kam_store *st, int64_t version, int64_t *got, char **body,
                             struct kam_err *err);
    enum kam_rc (*model_list)(struct kam_store *st,
                              int (*fn)(void *ctx, int64_t version, const char *name,
                                        const char *created_at),
                              void *ctx, struct kam_err *err);

    /* Pinned tiers ("key", "major", "ordinary", "small"; NULL unpins). */
    enum kam_rc (*pin_set)(struct kam_store *st, int64_t account_id, const char *tier,
                           struct kam_err *err);
    enum kam_rc (*pin_each)(struct kam_store *st,
                            int (*fn)(void *ctx, int64_t account_id, const char *tier), void *ctx,
                            struct kam_err *err);

    /* A scoring run and its rows. run_add records the run (*id), score_add one account's
     * result, metrics_put replaces the account's latest metrics and, when it carries one, its
     * explanation (metrics computed without a score, `kam metrics`, keep the latest run's
     * explanation). */
    enum kam_rc (*run_add)(struct kam_store *st, const struct kam_run *run, int64_t *id,
                           struct kam_err *err);
    enum kam_rc (*score_add)(struct kam_store *st, int64_t run, const struct kam_score_row *row,
                             struct kam_err *err);
    enum kam_rc (*metrics_put)(struct kam_store *st, int64_t account_id,
                               const struct kam_metrics_row *row, struct kam_err *err);
    /* Runs, newest first (limit 0 = all). */
    enum kam_rc (*run_list)(struct kam_store *st, int64_t limit,
                            int (*fn)(void *ctx, const struct kam_run *run), void *ctx,
                            struct kam_err *err);
    /* The rows of a run, by account id; account_id 0 = every account. */
    enum kam_rc (*score_each)(struct kam_store *st, int64_t run, int64_t account_id,
                              int (*fn)(void *ctx, const struct kam_score_row *row), void *ctx,
                              struct kam_err *err);
    /* One account's rows over every run, oldest first (row->run set). */
    enum kam_rc (*score_history)(struct kam_store *st, int64_t account_id,
                                 int (*fn)(void *ctx, const struct kam_score_row *row,
                                           const struct kam_run *run),
                                 void *ctx, struct kam_err *err);
    /* The latest metrics of one account (0 = every account, by id). KAM_ERR_NOT_FOUND when
     * one account has none. */
    enum kam_rc (*metrics_each)(struct kam_store *st, int64_t account_id,
                                int (*fn)(void *ctx, int64_t account_id,
                                          const struct kam_metrics_row *row),
                                void *ctx, struct kam_err *err);

    /* --- users, teams, tokens, audit log (schema 3) --- */

    /* Teams: add gives KAM_ERR_EXISTS for a name taken; list gives every team by name with its
     * number of users. */
    enum kam_rc (*team_add)(struct kam_store *st, const char *name, int64_t *id,
                            struct kam_err *err);
    enum kam_rc (*team_list)(struct kam_store *st,
                             int (*fn)(void *ctx, int64_t id, const char *name, int64_t users),
                             void *ctx, struct kam_err *err);
    /* Users. add stores u (id, times and version ignored; the version starts at 1) and sets
     * *id: KAM_ERR_EXISTS for a username taken, KAM_ERR_NOT_FOUND for an unknown team.
     * get: the user called username into *out, KAM_ERR_NOT_FOUND. list: every user by
     * username. */
    enum kam_rc (*user_add)(struct kam_store *st, const struct kam_user *u, int64_t *id,
                            struct kam_err *err);
    enum kam_rc (*user_get)(struct kam_store *st, const char *username, struct kam_user *out,
                            struct kam_err *err);
    enum kam_rc (*user_list)(struct kam_store *st, int (*fn)(void *ctx, const struct kam_user *u),
                             void *ctx, struct kam_err *err);
    /* Writes display name, role, team, password hash and disabled of the user called
     * u->username, if its stored version is still u->version; on success u->version and
     * u->updated_at take the new values. KAM_ERR_CONFLICT when the version is stale (someone
     * changed the user since it was read), KAM_ERR_NOT_FOUND for an unknown user or team. */
    enum kam_rc (*user_update)(struct kam_store *st, struct kam_user *u, struct kam_err *err);
    /* Tokens. add stores a token hash for a user (name may be NULL) and sets *id; find: the
     * token with this hash, revoked or not (the caller checks revoked_at), KAM_ERR_NOT_FOUND;
     * get: by id, KAM_ERR_NOT_FOUND; revoke sets revoked_at unless already set (*changed tells
     * which, may be NULL), KAM_ERR_NOT_FOUND; touch sets last_used_at to now when the stored value
     * is a minute old or more (a write per request would cost every GET a transaction); each: one
     * user's tokens (user_id 0 = all) by id. */
    enum kam_rc (*token_add)(struct kam_store *st, int64_t user_id, const char *name,
                             const unsigned char hash[KAM_TOKEN_HASH_BYTES], int64_t *id,
                             struct kam_err *err);
    enum kam_rc (*token_find)(struct kam_store *st, const unsigned char hash[KAM_TOKEN_HASH_BYTES],
                              struct kam_token *out, struct kam_err *err);
    enum kam_rc (*token_get)(struct kam_store *st, int64_t id, struct kam_token *out,
                             struct kam_err *err);
    enum kam_rc (*token_revoke)(struct kam_store *st, int64_t id, bool *changed,
                                struct kam_err *err);
    enum kam_rc (*token_touch)(struct kam_store *st, int64_t id, struct kam_err *err);
    enum kam_rc (*token_each)(struct kam_store *st, int64_t user_id,
                              int (*fn)(void *ctx, const struct kam_token *t), void *ctx,
                              struct kam_err *err);
    /* The audit log: append records e (actor, action and entity required); list gives the
     * entries q matches, newest first, within its limit and offset, and (total not NULL) how
     * many entries match in all. */
    enum kam_rc (*audit_append)(struct kam_store *st, const struct kam_audit_entry *e,
                                struct kam_err *err);
    enum kam_rc (*audit_list)(struct kam_store *st, const struct kam_audit_query *q, int64_t *total,
                              int (*fn)(void *ctx, const struct kam_audit_entry *e), void *ctx,
                              struct kam_err *err);

    /* --- sessions and scoped reads for the HTTP server (schema 4) --- */

    /* Sessions. add stores s (user_id, hash, csrf_hash, expires_at; id, times and username are
     * set by the store) and sets *id: KAM_ERR_NOT_FOUND for an unknown user, KAM_ERR_INVALID for
     * a hash taken. find: the session with this hash that has not expired, with its username,
     * into *out; KAM_ERR_NOT_FOUND when absent or expired (the same answer for both). touch sets
     * last_seen_at to now. end deletes the session with this hash; *ended (may be NULL) tells
     * whether there was one. purge deletes every expired session, *n (may be NULL) how many. */
    enum kam_rc (*session_add)(struct kam_store *st, const struct kam_session *s, int64_t *id,
                               struct kam_err *err);
    enum kam_rc (*session_find)(struct kam_store *st,
                                const unsigned char hash[KAM_SESSION_HASH_BYTES],
                                struct kam_session *out, struct kam_err *err);
    enum kam_rc (*session_touch)(struct kam_store *st, int64_t id, struct kam_err *err);
    enum kam_rc (*session_end)(struct kam_store *st,
                               const unsigned char hash[KAM_SESSION_HASH_BYTES], bool *ended,
                               struct kam_err *err);
    enum kam_rc (*session_purge)(struct kam_store *st, int64_t *n, struct kam_err *err);
    /* The account with this code, if scope (NULL = every account) may read it: fn gets its id,
     * columns, version and times. KAM_ERR_NOT_FOUND when it does not exist or is outside the
     * scope, with the same message for both, so that a caller cannot learn which codes exist
     * (row-level access, core/access.h, in the query itself). */
    enum kam_rc (*account_get_scoped)(struct kam_store *st, const char *code,
                                      const struct kam_scope *scope, kam_account_get_fn fn,
                                      void *ctx, struct kam_err *err);
    /* The id of that account alone, with the same rule and errors: for routes that only need
     * to know the caller may see it (its metrics, records, score). */
    enum kam_rc (*account_id_scoped)(struct kam_store *st, const char *code,
                                     const struct kam_scope *scope, int64_t *id,
                                     struct kam_err *err);

    /* --- account edits (the HTTP API's PATCH, schema 4) --- */

    /* Writes the columns in mask (bit i = column i of kam_accounts; never the code) of the
     * account with this code, if its stored version is still *version: the check is in the
     * UPDATE itself. The parent (REF) carries the parent's id in i, null for none. On success
     * *version is the new version and updated_at is now. KAM_ERR_CONFLICT naming the stored
     * version when it is not *version (someone changed the account since it was read),
     * KAM_ERR_NOT_FOUND for an unknown code, KAM_ERR_INVALID when the parent would make the
     * group hierarchy a cycle or a value breaks the schema. The caller checks the values and
     * the access (engine/edits.c) and holds the transaction with the audit entry. */
    enum kam_rc (*account_update)(struct kam_store *st, const char *code,
                                  const struct kam_value *vals, uint64_t mask, int64_t *version,
                                  struct kam_err *err);
    /* Deletes the account with this code if its stored version is still version, with its
     * contacts, tags, ratings, pin, scores and metrics. KAM_ERR_CONFLICT naming the stored
     * version when it is stale, and naming what remains when the account has order lines,
     * invoices or child accounts: business history is never deleted with an account (close it
     * with its status instead). KAM_ERR_NOT_FOUND for an unknown code. The caller checks the
     * access and holds the transaction with the audit entry. */
    enum kam_rc (*account_delete)(struct kam_store *st, const char *code, int64_t version,
                                  struct kam_err *err);

    /* --- one account's records, a page at a time (the HTTP API) --- */

    /* The account's order lines, newest order first (the order's day, then its id; lines in
     * line order), at most limit (0 = all) after skipping offset; *total (may be NULL) is how
     * many lines the account has. fn gets the line, the product's sku and name. */
    enum kam_rc (*order_page)(struct kam_store *st, int64_t account_id, int64_t limit,
                              int64_t offset, int64_t *total,
                              int (*fn)(void *ctx, const struct kam_order_line *l, const char *sku,
                                        const char *product_name),
                              void *ctx, struct kam_err *err);

    /* --- the portfolio analyses within a scope (the HTTP API) --- */

    /* Each takes the scope of account_list (NULL or KAM_SCOPE_ALL = every account) and applies
     * it in the query itself, with the same rule, so that an analysis never covers an account
     * the list would hide. account_each_scoped: the accounts in scope by id, columns in
     * kam_accounts order (as each on kam_accounts). rollup_each_scoped: the monthly cells with
     * from <= month <= to of the accounts in scope, by account then month. revenues_scoped:
     * revenues of the accounts in scope. counts_scoped: the counts of the accounts in scope and
     * of their contacts, order lines, payments and tags; products are the whole catalogue. */
    enum kam_rc (*account_each_scoped)(struct kam_store *st, const struct kam_scope *scope,
                                       kam_row_fn fn, void *ctx, struct kam_err *err);
    /* The same accounts, by id, with only what a metrics pass needs of them (the estimated
     * annual purchases KAM_NONE when unknown): a fraction of the cost of whole rows. */
    enum kam_rc (*account_heads)(struct kam_store *st, const struct kam_scope *scope,
                                 int (*fn)(void *ctx, int64_t id, const char *code,
                                           const char *name, kam_money est_annual_purchases),
                                 void *ctx, struct kam_err *err);
    enum kam_rc (*rollup_each_scoped)(struct kam_store *st, const struct kam_scope *scope, int from,
                                      int to, kam_month_fn fn, void *ctx, struct kam_err *err);
    enum kam_rc (*revenues_scoped)(struct kam_store *st, const struct kam_scope *scope,
                                   kam_revenue_fn fn, void *ctx, struct kam_err *err);
    enum kam_rc (*counts_scoped)(struct kam_store *st, const struct kam_scope *scope,
                                 struct kam_counts *out, struct kam_err *err);
};

struct kam_store {
    const struct kam_store_ops *ops;
};

enum kam_store_flags {
    KAM_STORE_CREATE = 1u << 0, /* create the database when it does not exist */
};

/* Opens (and migrates to KAM_SCHEMA_VERSION) the database at path. *out is the caller's, closed
 * with kam_store_close. KAM_ERR_NOT_FOUND when it does not exist and CREATE is not given,
 * KAM_ERR_SCHEMA when it is newer than this build, KAM_ERR_STORE otherwise. */
KAM_MUST_CHECK enum kam_rc kam_store_open(const char *path, unsigned flags, struct kam_store **out,
                                          struct kam_err *err);
void kam_store_close(struct kam_store *st);

KAM_MUST_CHECK enum kam_rc kam_store_open_sqlite(const char *path, unsigned flags,
                                                 struct kam_store **out, struct kam_err *err);

/* yyyymm arithmetic: months between, and adding n months. */
int kam_month_add(int yyyymm, int n);

#endif
