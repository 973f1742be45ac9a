/* The identification engine: metrics of every account as of a date, read from the store in
 * account-id chunks (rollups, orders, products, invoices; never the order lines), with the
 * lifecycle stage, and the portfolio analyses and scoring built on them. The CLI and the HTTP
 * API call these functions; they print nothing. */
#ifndef KAM_ENGINE_ENGINE_H
#define KAM_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/lifecycle.h"
#include "core/metrics.h"
#include "store/store.h"
#include "util/err.h"

/* Months of monthly revenue kept per account for the lifecycle and the charts. */
#define KAM_ENGINE_SERIES 36

struct kam_engine_opts {
    const char *as_of; /* YYYY-MM-DD; NULL: the day of the last order */
    int window_months; /* 0: 12 */
};

/* Every account's metrics, by account id. */
struct kam_portfolio {
    char as_of[11];
    struct kam_metrics_period period;
    size_t n;
    int64_t *ids;
    char **codes, **names;
    struct kam_metrics *m;
    struct kam_lifecycle *stage;
    kam_money *series; /* n x KAM_ENGINE_SERIES: the months up to as-of, oldest first */
    int series_from;   /* yyyymm of series[0] */
};

/* Computes the portfolio. KAM_ERR_INVALID for a bad as-of or window, KAM_ERR_NOT_FOUND when
 * there are no accounts. */
KAM_MUST_CHECK enum kam_rc kam_engine_portfolio(struct kam_store *st,
                                                const struct kam_engine_opts *o,
                                                struct kam_portfolio *out, struct kam_err *err);
void kam_portfolio_release(struct kam_portfolio *p);

/* Index of the account with this code, -1 when absent. */
ptrdiff_t kam_portfolio_find(const struct kam_portfolio *p, const char *code);

/* Stores every account's metrics and stage (account_metrics) in one transaction;
 * explanations[i] may be NULL (or the array NULL). */
KAM_MUST_CHECK enum kam_rc kam_engine_save_metrics(struct kam_store *st,
                                                   const struct kam_portfolio *p,
                                                   char *const *explanations, struct kam_err *err);

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
    int64_t tiers[4];    /* accounts per tier used (key, major, ordinary, small) */
    int64_t pin_differs; /* pinned accounts whose score gives another tier */
    int64_t missing;     /* indicator values that were missing, over all accounts */
    double seconds;
};

/* Computes metrics, scores and tiers of every account as of o->as_of with the current model
 * (its window), and stores the run, the scores and the metrics with each account's
 * explanation, in one transaction. */
KAM_MUST_CHECK enum kam_rc kam_engine_score(struct kam_store *st, const char *as_of,
                                            struct kam_score_outcome *out, struct kam_err *err);

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

#endif
