/* The identification engine: metrics of every account as of a date, read from the store in
 * account-id chunks (rollups, orders, products, invoices; never the order lines), with the
 * lifecycle stage, and the portfolio analyses and scoring built on them. The CLI and the HTTP
 * API call these functions; they print nothing. */
#ifndef KAM_ENGINE_ENGINE_H
#define KAM_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "core/lifecycle.h"
#include "core/metrics.h"
#include "core/pareto.h"
#include "core/rfm.h"
#include "io/import.h"
#include "store/store.h"
#include "util/err.h"
#include "util/mem.h"

/* Months of monthly revenue kept per account for the lifecycle and the charts. */
#define KAM_ENGINE_SERIES 36

struct kam_engine_opts {
    const char *as_of; /* YYYY-MM-DD; NULL: the day of the last order */
    int window_months; /* 0: 12 */
    /* The accounts of this scope only (the HTTP API), read by the store with the account list's
     * rule: every figure, share and median is then of that set. NULL: every account (the CLI,
     * scoring runs). */
    const struct kam_scope *scope;
};

/* Every account's metrics, by account id. */
struct kam_portfolio {
    char as_of[11];
    struct kam_metrics_period period;
    size_t n;
    int64_t *ids;
    const char **codes, **names; /* in strings */
    struct kam_arena strings;
    struct kam_metrics *m;
    struct kam_lifecycle *stage;
    kam_money *series; /* n x KAM_ENGINE_SERIES: the months up to as-of, oldest first */
    int series_from;   /* yyyymm of series[0] */
    /* Accounts whose purchases and breadth came from their kept activity, without reading
     * their orders and products (struct kam_metrics_activity; docs/method-metrics.md). */
    size_t kept_activity;
};

/* Computes the portfolio. KAM_ERR_INVALID for a bad as-of or window, KAM_ERR_NOT_FOUND when
 * there are no accounts (in o->scope). Reads with extra connections (st->ops->reopen, one per
 * core): call it outside a write transaction on st, whose changes the other connections would
 * not see. */
KAM_MUST_CHECK enum kam_rc kam_engine_portfolio(struct kam_store *st,
                                                const struct kam_engine_opts *o,
                                                struct kam_portfolio *out, struct kam_err *err);
void kam_portfolio_release(struct kam_portfolio *p);

/* Index of the account with this code, -1 when absent. */
ptrdiff_t kam_portfolio_find(const struct kam_portfolio *p, const char *code);

/* Stores every account's metrics and stage (account_metrics) in one transaction; an
 * explanation stored by an earlier scoring run is dropped with the metrics it explained. */
KAM_MUST_CHECK enum kam_rc
kam_engine_save_metrics(struct kam_store *st, const struct kam_portfolio *p, struct kam_err *err);

/* --- scoring ------------------------------------------------------------------------------ */

struct kam_model;

/* The current scoring model: the latest stored version, or, when none is stored, the default
 * (docs/scoring-model.md), which is then stored as version 1. *body (may be NULL) gets the
 * stored text, the caller's to free. */
KAM_MUST_CHECK enum kam_rc kam_engine_model(struct kam_store *st, struct kam_model **model,
                                            int64_t *version, char **body, struct kam_err *err);

/* What a scoring run did. */
struct kam_score_outcome {
    int64_t run, model_version;
    char as_of[11];
    size_t accounts;
    int64_t tiers[4];     /* accounts per tier used (key, major, ordinary, small) */
    int64_t pin_differs;  /* pinned accounts whose score gives another tier */
    int64_t missing;      /* indicator values that were missing, over all accounts */
    size_t kept_activity; /* accounts whose orders and products were not read (kam_portfolio) */
    double seconds;       /* the whole run; it splits into: */
    double portfolio_seconds, score_seconds, store_seconds; /* metrics, scores and tiers, storing */
};

/* Computes metrics, scores and tiers of every account as of as_of (NULL: the day of the last
 * order) with the current model (its window), and stores the run, the scores, the metrics with
 * each account's explanation and the audit entry of actor ("score.run", key the run id, after
 * {as_of, model_version, accounts}) in one transaction. */
KAM_MUST_CHECK enum kam_rc kam_engine_score(struct kam_store *st, const char *actor,
                                            const char *as_of, struct kam_score_outcome *out,
                                            struct kam_err *err);

/* The phases of a scoring run, in order: metrics (read per chunk of accounts), scores and
 * tiers (in memory), storing (one transaction). */
enum kam_score_phase { KAM_SCORE_METRICS, KAM_SCORE_SCORES, KAM_SCORE_STORE };
/* "metrics", "scores", "store". */
const char *kam_score_phase_name(enum kam_score_phase phase);

/* Told how far a run is: done of total accounts are through phase. Called from the reader
 * threads during the metrics phase, several at once: it must be thread-safe and quick. Nonzero
 * asks the run to stop at this safe point: nothing is stored (a storing transaction begun is
 * rolled back) and the run fails with KAM_ERR_STORE. */
typedef int (*kam_score_progress_fn)(void *ctx, enum kam_score_phase phase, size_t done,
                                     size_t total);

struct kam_score_opts {
    const char *as_of;              /* NULL: the day of the last order */
    kam_score_progress_fn progress; /* NULL: none */
    void *progress_ctx;
};

/* kam_engine_score with options: the same run, telling o->progress how far it is (after each
 * chunk of accounts read, every 1024 accounts stored). */
KAM_MUST_CHECK enum kam_rc kam_engine_score_with(struct kam_store *st, const char *actor,
                                                 const struct kam_score_opts *o,
                                                 struct kam_score_outcome *out,
                                                 struct kam_err *err);

/* kam_engine_portfolio telling progress (may be NULL) the accounts computed after each chunk,
 * as the KAM_SCORE_METRICS phase; a nonzero answer stops the readers (KAM_ERR_STORE). */
KAM_MUST_CHECK enum kam_rc kam_engine_portfolio_with(struct kam_store *st,
                                                     const struct kam_engine_opts *o,
                                                     kam_score_progress_fn progress, void *ctx,
                                                     struct kam_portfolio *out,
                                                     struct kam_err *err);

/* One account's latest explanation: the JSON object of its score (model version, method,
 * score, tier, computed tier, pinned, to_next, items with indicator, group, source, raw, points,
 * weight, contribution and from), its as-of and lifecycle stage. json is the caller's. */
struct kam_explanation {
    char as_of[11], stage[16];
    json_t *json;
};

/* The explanation the latest scoring run stored for the account (code names it in messages),
 * named with that run's model version. KAM_ERR_NOT_FOUND when it has not been scored. */
KAM_MUST_CHECK enum kam_rc kam_engine_explain(struct kam_store *st, int64_t account_id,
                                              const char *code, struct kam_explanation *out,
                                              struct kam_err *err);

/* --- Pareto and lifecycle summaries of a portfolio (portfolio_analyses.c) ------------------- */

/* "80,95": the A and B limits of the ABC classes in %, 0 <= A <= B <= 100; false otherwise. */
bool kam_abc_parse(const char *s, struct kam_abc_limits *l);

/* The Pareto analysis of p on the net basis: all-time net revenue (by_margin: margin) up to
 * as-of. items[0..p->n) ranked (key = index into p), curve[0..population), abc parallel to
 * items; the caller releases it with kam_pareto_report_release. The errors of kam_pareto_abc. */
struct kam_pareto_report {
    struct kam_pareto_item *items;
    struct kam_pareto_point *curve;
    enum kam_abc *abc;
    size_t population;
    struct kam_top_share top;
    double gini;
    struct kam_abc_summary classes;
};
KAM_MUST_CHECK enum kam_rc kam_engine_pareto(const struct kam_portfolio *p, bool by_margin,
                                             const struct kam_abc_limits *limits,
                                             struct kam_pareto_report *out, struct kam_err *err);
void kam_pareto_report_release(struct kam_pareto_report *r);

/* RFM of every account of the portfolio (docs/method-pareto-rfm.md): rfm[i] for account i,
 * count per segment, and order: the accounts by all-time net revenue, largest first. Release
 * with kam_rfm_report_release(), also after an error. */
struct kam_rfm_report {
    struct kam_rfm *rfm;
    size_t *order;
    int64_t count[KAM_RFM_SEGMENTS];
    struct kam_arena arena;
};
KAM_MUST_CHECK enum kam_rc kam_engine_rfm(const struct kam_portfolio *p, struct kam_rfm_report *out,
                                          struct kam_err *err);
void kam_rfm_report_release(struct kam_rfm_report *r);

/* The stages in the order of an account's life: new, exploration, formation, stability,
 * decline, dormant, lost, none. */
extern const enum kam_lifecycle_stage kam_lifecycle_order[KAM_LIFECYCLE_STAGES];

/* Accounts, window revenue and its share (NaN when the total is <= 0) per lifecycle stage,
 * indexed by enum kam_lifecycle_stage. */
struct kam_lifecycle_summary {
    int64_t count[KAM_LIFECYCLE_STAGES];
    kam_money revenue[KAM_LIFECYCLE_STAGES];
    double share[KAM_LIFECYCLE_STAGES];
    kam_money total;
};
void kam_engine_lifecycle_summary(const struct kam_portfolio *p, struct kam_lifecycle_summary *out);

/* How accounts of equal window revenue are ordered by kam_portfolio_rank_by_revenue. */
enum kam_rank_tie {
    KAM_RANK_TIE_INDEX, /* the portfolio's order (account id) */
    KAM_RANK_TIE_CODE,  /* account code, bytewise */
};
/* Sorts order[0..n), indices into p, by window revenue, largest first, then by tie. */
void kam_portfolio_rank_by_revenue(const struct kam_portfolio *p, size_t *order, size_t n,
                                   enum kam_rank_tie tie);

/* --- writes (edits.c): each checks its input, then writes with its audit entry (actor: who acts,
 * a username or the CLI's OS user) in one transaction -------------------------------------------
 */

/* The id of the account with this code; KAM_ERR_NOT_FOUND ("account 'X' does not exist"). */
KAM_MUST_CHECK enum kam_rc kam_engine_account_id(struct kam_store *st, const char *code,
                                                 int64_t *id, struct kam_err *err);
/* Validates the model text (JSON, format 1) and stores it as the next version (*version; its
 * name into name[0..name_size) when name is not NULL), audited as "model.set". The errors of
 * kam_model_parse, with their JSON paths; nothing is stored then. */
KAM_MUST_CHECK enum kam_rc kam_engine_model_set(struct kam_store *st, const char *actor,
                                                const char *text, size_t len, int64_t *version,
                                                char *name, size_t name_size, struct kam_err *err);
/* Sets the account's rating (NaN clears it) after checking the account and that the current
 * model has the rating and the value is on its scale; KAM_ERR_INVALID naming what is wrong
 * (err->field: code, name or value). Audited as "rating.set" or "rating.clear". */
KAM_MUST_CHECK enum kam_rc kam_engine_rate(struct kam_store *st, const char *actor,
                                           const char *code, const char *name, double value,
                                           const char *note, struct kam_err *err);
/* Pins the account's tier ("key", "major", "ordinary", "small"; NULL unpins), audited as
 * "pin.set" or "pin.clear". */
KAM_MUST_CHECK enum kam_rc kam_engine_pin(struct kam_store *st, const char *actor, const char *code,
                                          const char *tier, struct kam_err *err);

/* The account columns a person may edit: every one but the code, the natural key that orders,
 * payments and imports refer to. */
#define KAM_ACCOUNT_EDITABLE (((1ull << KAM_ACC_NCOLS) - 1) & ~(1ull << KAM_ACC_CODE))

/* Edits the columns in mask (within KAM_ACCOUNT_EDITABLE) of the account code to vals (all
 * KAM_ACC_NCOLS of them, in kam_accounts order; text borrowed, the parent as its code text),
 * if the account is in scope (NULL: every account, the CLI) and its version is still *version.
 * Values follow the import's rules (an empty text clears the field or gives its default); a new
 * parent must be an account the scope sees, a new owner must keep the account in the scope.
 * Only the fields whose value differs are written, with the "account.update" audit entry of
 * their before and after values, in one transaction; *version becomes the new version (the
 * same when nothing differed). KAM_ERR_INVALID with err->field naming the column,
 * KAM_ERR_NOT_FOUND for a missing or out-of-scope code (one message for both),
 * KAM_ERR_CONFLICT naming the current version when *version is stale. */
KAM_MUST_CHECK enum kam_rc kam_engine_account_update(struct kam_store *st, const char *actor,
                                                     const struct kam_scope *scope,
                                                     const char *code, const struct kam_value *vals,
                                                     uint64_t mask, int64_t *version,
                                                     struct kam_err *err);

/* Deletes the account with this code if scope sees it and its version is still version, with
 * its contacts, tags, ratings, pin and score history, audited as "account.delete" with every
 * field before. KAM_ERR_NOT_FOUND (missing or out of scope, one message), KAM_ERR_CONFLICT for
 * a stale version or an account that has orders, invoices or child accounts (its history
 * stays: close it with its status instead). */
KAM_MUST_CHECK enum kam_rc kam_engine_account_delete(struct kam_store *st, const char *actor,
                                                     const struct kam_scope *scope,
                                                     const char *code, int64_t version,
                                                     struct kam_err *err);
/* Adds (add) or removes tag name on an account the scope sees; a new tag takes color
 * ("#rgb" or "#rrggbb", may be NULL). Audited as "tag.add" or "tag.remove" on the account. Removing
 * a tag the account does not have is KAM_ERR_NOT_FOUND; KAM_ERR_INVALID (err->field name or color)
 * for a name that is empty, over 64 bytes or has tabs or newlines, or a malformed color. */
KAM_MUST_CHECK enum kam_rc kam_engine_tag(struct kam_store *st, const char *actor,
                                          const struct kam_scope *scope, const char *code,
                                          const char *name, const char *color, bool add,
                                          struct kam_err *err);

/* One field of a record to create: the import's column name and its text (NULL or "": empty). */
struct kam_field_value {
    const char *name, *value;
};
/* Creates one record of kind (accounts, contacts, products, orders, payments) from its fields,
 * read by the CSV import with all its rules (types, references, the rollups of an order line)
 * as a file of one row, with create_only: a record whose key exists is KAM_ERR_EXISTS and
 * nothing is written. The scope's rules: a new account's owner must keep it in the scope (a rep
 * or manager who gives none owns it), its parent must be one the scope sees; a contact's, order
 * line's or payment's account must be one the scope sees (KAM_ERR_NOT_FOUND otherwise, as a
 * missing code); products need a scope that sees every account; a read-only scope may not
 * (KAM_ERR_AUTH). Problems with a field go to on_problem (the import's, with the field named)
 * and give KAM_ERR_INVALID. Audited as "<entity>.create" (account, contact, product,
 * order_line, payment) with the fields given, in the same transaction. */
KAM_MUST_CHECK enum kam_rc
kam_engine_record_create(struct kam_store *st, const char *actor, const struct kam_scope *scope,
                         enum kam_import_kind kind, const struct kam_field_value *f, size_t n,
                         kam_import_problem_fn on_problem, void *ctx, struct kam_err *err);

/* One tier change between the two latest runs. */
struct kam_tier_change {
    int64_t account_id;
    const char *code, *name, *from, *to; /* from "" when the account was not in the run */
    double score_from, score_to;
};

/* Tier changes of the latest run against the one before; fn gets upgrades first (by how far
 * they moved), then downgrades. *latest and *previous get the run ids (0 when none). */
KAM_MUST_CHECK enum kam_rc kam_engine_changes(struct kam_store *st, int64_t *latest,
                                              int64_t *previous,
                                              int (*fn)(void *ctx, const struct kam_tier_change *c),
                                              void *ctx, struct kam_err *err);
/* kam_engine_changes of the accounts scope sees (NULL: every account), as the store gives them
 * (account_each_scoped); the run ids are the portfolio's. */
KAM_MUST_CHECK enum kam_rc
kam_engine_changes_scoped(struct kam_store *st, const struct kam_scope *scope, int64_t *latest,
                          int64_t *previous, int (*fn)(void *ctx, const struct kam_tier_change *c),
                          void *ctx, struct kam_err *err);

/* --- portfolio analyses: value matrix and whitespace (analysis.c, docs/method-matrix.md) --- */

#include "core/matrix.h"
#include "core/whitespace.h"

/* Who an account's peers are: the same supply-chain role, industry, or tier of the latest
 * scoring run. An account without an industry, or without a tier in that run, is grouped by
 * its role instead. */
enum kam_peers { KAM_PEERS_ROLE, KAM_PEERS_INDUSTRY, KAM_PEERS_TIER };
/* The kind called name ("role", "industry", "tier"), -1 when none is. */
int kam_peers_find(const char *name);
const char *kam_peers_name(enum kam_peers by);

/* The whitespace of every account of a portfolio. Arrays are parallel to the portfolio's
 * accounts (n of them) and belong to arena. */
struct kam_ws_portfolio {
    enum kam_peers by;
    struct kam_ws_rule rule;
    int64_t run; /* tier peers: the scoring run read, 0 when there is none */
    size_t n, ncat, ngroups;
    const char **categories;   /* ncat names, in product id order of first appearance */
    const char **groups;       /* ngroups names: "role:dealer", "industry:...", "tier:key" */
    uint32_t *group;           /* n: the account's group */
    kam_money *rev;            /* n x ncat: all-time net revenue by category (products first
                                * bought by the as-of month) */
    struct kam_ws_peer *peers; /* ngroups x ncat */
    kam_money *worth;          /* n: total worth of the account's gaps */
    int64_t *gaps;             /* n: its number of gaps */
    struct kam_arena arena;
};

/* Computes the whitespace of p's accounts with peers by `by` and the gap rule (account
 * products and the products' categories from the store; nothing is written). *out is the
 * caller's, released with kam_ws_portfolio_release() (also after an error). KAM_ERR_INVALID for
 * a rule out of range, KAM_ERR_TOO_LARGE when a worth leaves kam_money. */
KAM_MUST_CHECK enum kam_rc kam_engine_whitespace(struct kam_store *st,
                                                 const struct kam_portfolio *p, enum kam_peers by,
                                                 const struct kam_ws_rule *rule,
                                                 struct kam_ws_portfolio *out, struct kam_err *err);
void kam_ws_portfolio_release(struct kam_ws_portfolio *w);

struct kam_matrix_opts {
    const char *current;   /* a metric of kam_metric_defs; NULL: "margin" (window) */
    const char *potential; /* "wallet", "growth", "whitespace" or "rating:NAME"; NULL: wallet */
    const char *current_threshold;   /* a number in the axis' unit; NULL: the median */
    const char *potential_threshold; /* the same for the potential axis */
    enum kam_peers peers;            /* whitespace potential: the peers and the rule */
    struct kam_ws_rule rule;
};

/* The value matrix of a portfolio. Arrays are parallel to the portfolio's accounts and belong
 * to arena. */
struct kam_value_matrix {
    char current[64], potential[80]; /* the axes' names ("margin", "wallet", "rating:x") */
    struct kam_axis cur, pot;
    struct kam_axis_value cur_threshold, pot_threshold;
    bool cur_median, pot_median; /* the threshold is the median of the placed accounts */
    size_t placed;               /* accounts with both values known */
    enum kam_quadrant *q;
    struct kam_matrix_summary sum; /* with window revenue and margin */
    struct kam_arena arena;
};

/* Computes the value matrix of p (nothing is written). *out is the caller's, released with
 * kam_value_matrix_release() (also after an error). KAM_ERR_USAGE for an unknown metric or
 * potential or a threshold that is not a number; KAM_ERR_INVALID for a rating the current model
 * does not have; the errors of kam_engine_whitespace() for potential whitespace. */
KAM_MUST_CHECK enum kam_rc kam_engine_matrix(struct kam_store *st, const struct kam_portfolio *p,
                                             const struct kam_matrix_opts *o,
                                             struct kam_value_matrix *out, struct kam_err *err);
void kam_value_matrix_release(struct kam_value_matrix *m);

/* --- periodic review (docs/method-review.md) ---------------------------------------------- */

#include "core/review.h"

/* One review candidate: an account, the reason it is listed and the numbers behind it. */
struct kam_review_item {
    int64_t account_id;
    const char *code, *name;
    struct kam_review_input in;
    struct kam_review_finding f;
    const char *sentence; /* kam_review_sentence() */
};

struct kam_review_outcome {
    int64_t run, previous_run; /* previous_run 0 when there is none */
    char as_of[11], previous_as_of[11];
    size_t accounts;                   /* accounts in the latest run */
    int64_t count[KAM_REVIEW_REASONS]; /* candidates per reason, before the filter and limit */
};

/* The review candidates of the latest scoring run, against the one before when there is one,
 * by rules (NULL: KAM_REVIEW_RULES_DEFAULT). fn gets the findings of the reasons in the mask
 * reasons (bit r for reason r; 0: all) by reason, most urgent first, at most limit per reason
 * (0: all); strings are borrowed for the call. KAM_ERR_NOT_FOUND when no run is stored,
 * KAM_ERR_INVALID for rules out of range, store errors. */
KAM_MUST_CHECK enum kam_rc
kam_engine_review(struct kam_store *st, const struct kam_review_rules *rules, unsigned reasons,
                  int64_t limit, int (*fn)(void *ctx, const struct kam_review_item *it), void *ctx,
                  struct kam_review_outcome *out, struct kam_err *err);
/* kam_engine_review of the scored accounts scope sees (NULL: every account), as the store
 * gives them (account_each_scoped): out->accounts and the counts are of that set. */
KAM_MUST_CHECK enum kam_rc
kam_engine_review_scoped(struct kam_store *st, const struct kam_scope *scope,
                         const struct kam_review_rules *rules, unsigned reasons, int64_t limit,
                         int (*fn)(void *ctx, const struct kam_review_item *it), void *ctx,
                         struct kam_review_outcome *out, struct kam_err *err);

/* --- the portfolio summary (summary.c): `kam summary`, GET /api/v1/summary ----------------- */

#include "core/pareto.h"

/* One of the largest accounts by net revenue. */
struct kam_summary_account {
    const char *code, *name; /* in the summary's arena */
    kam_money revenue;       /* all-time net revenue */
    double share;            /* of pareto.total (the revenue of accounts above 0); 0 when 0 */
};

/* The whole portfolio at a glance, over every account or (kam_engine_summary_scoped) over the
 * accounts of a scope. */
struct kam_summary {
    char currency[16];               /* the database's currency, "CNY" when unset */
    struct kam_counts counts;        /* rows per table */
    int first_month;                 /* yyyymm of the first order, 0 when there are none */
    int last_month;                  /* yyyymm of the last order, 0 when there are none */
    char last_date[32];              /* YYYY-MM-DD of the last order, "" when there are none */
    kam_money net;                   /* net revenue of the accounts covered */
    struct kam_top_share pareto;     /* the top 20 % of the accounts with revenue above 0 */
    double gini;                     /* of net revenue over the accounts ranked */
    size_t ntop;                     /* at most top_n */
    struct kam_summary_account *top; /* ntop, largest first (ties by code) */
    struct kam_arena arena;
};

/* Fills *out (the caller's, released with kam_summary_release(), also after an error) with the
 * summary and the top_n largest accounts. Store errors (KAM_ERR_STORE). */
KAM_MUST_CHECK enum kam_rc kam_engine_summary(struct kam_store *st, size_t top_n,
                                              struct kam_summary *out, struct kam_err *err);
/* kam_engine_summary over the accounts scope sees (NULL: every account), as the store reads
 * them (counts_scoped, revenues_scoped): counts (products: the whole catalogue), net revenue,
 * the 80:20 figures and the top list are of that set. The months and the last order date stay
 * the portfolio's. */
KAM_MUST_CHECK enum kam_rc kam_engine_summary_scoped(struct kam_store *st,
                                                     const struct kam_scope *scope, size_t top_n,
                                                     struct kam_summary *out, struct kam_err *err);
void kam_summary_release(struct kam_summary *s);

/* --- the portfolio over time and by tier (overview.c) ---------------------------------------- */

#define KAM_TREND_MAX_MONTHS 120

/* One month of the whole portfolio: the sums of its accounts' rollup cells. */
struct kam_trend_month {
    int month; /* yyyymm */
    struct kam_rollup r;
};

/* The last n months up to the month of the last order, every month present (zero when no
 * order); n = 0 when there are no orders. */
struct kam_trend {
    int from, to;
    size_t n;
    struct kam_trend_month *months;
};

/* Fills *out (release with kam_trend_release(), also after an error) with the last `months`
 * months (1..KAM_TREND_MAX_MONTHS, else KAM_ERR_USAGE). */
KAM_MUST_CHECK enum kam_rc kam_engine_trend(struct kam_store *st, int months, struct kam_trend *out,
                                            struct kam_err *err);
/* kam_engine_trend summing only the cells of the accounts scope sees (NULL: every account), as
 * the store reads them (rollup_each_scoped). The months are still those up to the last order of
 * the whole portfolio, so that every user's trend ends in the same month. */
KAM_MUST_CHECK enum kam_rc kam_engine_trend_scoped(struct kam_store *st,
                                                   const struct kam_scope *scope, int months,
                                                   struct kam_trend *out, struct kam_err *err);
void kam_trend_release(struct kam_trend *t);

/* The tiers of the latest scoring run: accounts per tier, their window revenue as stored with
 * the run's metrics, and the count per tier in the run before (0 when there is none). */
struct kam_tier_summary {
    int64_t run, previous_run;
    char as_of[11];
    int window_months;
    int64_t accounts;
    kam_money revenue; /* window revenue of the scored accounts */
    struct {
        const char *tier;
        int64_t accounts, previous;
        kam_money revenue;
    } tiers[KAM_TIER_SMALL + 1];
};

/* Fills *out. KAM_ERR_NOT_FOUND when there is no scoring run yet. */
KAM_MUST_CHECK enum kam_rc kam_engine_tiers(struct kam_store *st, struct kam_tier_summary *out,
                                            struct kam_err *err);
/* kam_engine_tiers counting only the scored accounts scope sees (NULL: every account), in both
 * runs: counts, revenues and shares are of that set. */
KAM_MUST_CHECK enum kam_rc kam_engine_tiers_scoped(struct kam_store *st,
                                                   const struct kam_scope *scope,
                                                   struct kam_tier_summary *out,
                                                   struct kam_err *err);

/* --- one account's 360 view (account_view.c) -------------------------------------------------- */

/* The view of `kam account CODE --json` into *out (new reference): account (its record),
 * currency, as_of, contacts, tags, months (the last `months`, 1..KAM_TREND_MAX_MONTHS, up to
 * as_of's month: revenue, cost, costed_revenue), top_products (5) and open_receivables as of
 * as_of. as_of is YYYY-MM-DD or NULL for the day of the last order. scope NULL reads any
 * account; otherwise an account outside it is KAM_ERR_NOT_FOUND like a missing code. */
KAM_MUST_CHECK enum kam_rc kam_engine_account_view(struct kam_store *st, const char *code,
                                                   const struct kam_scope *scope, const char *as_of,
                                                   int months, json_t **out, struct kam_err *err);

#endif
