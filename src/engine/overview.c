/* The portfolio's monthly trend and its tiers: what the dashboard shows beside the Pareto curve
 * (`kam trend`, `kam tiers`, GET /api/v1/analyses/trend and /tiers; docs/method-review.md).
 *
 * Both read what the import and the scoring runs keep: the trend sums the monthly rollup cells,
 * the tiers count the latest run's rows and sum each account's window revenue stored with that
 * run's metrics. Nothing is recomputed from the order lines. The _scoped variants cover only the
 * accounts a user's scope sees (core/access.h), read so by the store; the CLI reads them all. */
#include "engine/engine.h"

#include <stdlib.h>
#include <string.h>

#include "util/map.h"

/* --- the monthly trend ------------------------------------------------------------------------ */

struct trend_fold {
    struct kam_trend *t;
    bool overflow;
};

static int fold_month(void *ctx, int64_t account_id, int month, const struct kam_rollup *r)
{
    struct trend_fold *f = ctx;
    (void)account_id;
    /* Months are yyyymm: the index is the count of months from the first one. */
    int i = (month / 100 - f->t->from / 100) * 12 + (month % 100 - f->t->from % 100);
    if (i < 0 || (size_t)i >= f->t->n)
        return 0;
    if (!kam_rollup_merge(&f->t->months[i].r, r)) {
        f->overflow = true;
        return 1;
    }
    return 0;
}

enum kam_rc kam_engine_trend(struct kam_store *st, int months, struct kam_trend *out,
                             struct kam_err *err)
{
    return kam_engine_trend_scoped(st, NULL, months, out, err);
}

enum kam_rc kam_engine_trend_scoped(struct kam_store *st, const struct kam_scope *scope, int months,
                                    struct kam_trend *out, struct kam_err *err)
{
    int first, last;
    memset(out, 0, sizeof(*out));
    if (months < 1 || months > KAM_TREND_MAX_MONTHS)
        return kam_err_set(err, KAM_ERR_USAGE, "months is 1 to %d, not %d", KAM_TREND_MAX_MONTHS,
                           months);
    enum kam_rc rc = st->ops->order_months(st, &first, &last, NULL, 0, err);
    if (rc != KAM_OK || last == 0)
        return rc; /* no orders: an empty trend */
    out->to = last;
    out->from = kam_month_add(last, -(months - 1));
    out->n = (size_t)months;
    out->months = kam_xcalloc(out->n, sizeof(*out->months));
    for (size_t i = 0; i < out->n; i++)
        out->months[i].month = kam_month_add(out->from, (int)i);
    struct trend_fold f = {out, false};
    /* The CLI's read stays the plain one; a scope is applied by the store in its query. */
    if (scope == NULL || scope->kind == KAM_SCOPE_ALL)
        rc = st->ops->rollup_each(st, 0, out->from, out->to, fold_month, &f, err);
    else
        rc = st->ops->rollup_each_scoped(st, scope, out->from, out->to, fold_month, &f, err);
    if (rc == KAM_OK && f.overflow)
        rc = kam_err_set(err, KAM_ERR_INVALID, "a monthly sum leaves the range of money");
    return rc;
}

void kam_trend_release(struct kam_trend *t)
{
    free(t->months);
    memset(t, 0, sizeof(*t));
}

/* --- the tiers of the latest run ---------------------------------------------------------------
 */

struct tier_fold {
    struct kam_tier_summary *s;
    struct kam_u64map tier;  /* account id -> tier + 1 in the latest run */
    struct kam_u64map scope; /* the ids of the accounts in scope, when scoped */
    bool scoped, previous, overflow;
};

static int tier_index(const char *name)
{
    for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL; t++)
        if (strcmp(name, kam_tier_name((enum kam_tier)t)) == 0)
            return t;
    return -1;
}

static int on_score(void *ctx, const struct kam_score_row *row)
{
    struct tier_fold *f = ctx;
    int t = tier_index(row->tier);
    uint32_t unused;
    if (t < 0 || (f->scoped && !kam_u64map_get(&f->scope, (uint64_t)row->account_id, &unused)))
        return 0;
    if (f->previous) {
        f->s->tiers[t].previous++;
        return 0;
    }
    f->s->tiers[t].accounts++;
    f->s->accounts++;
    bool inserted;
    *kam_u64map_upsert(&f->tier, (uint64_t)row->account_id, &inserted) = (uint32_t)t + 1;
    return 0;
}

static int on_metrics(void *ctx, int64_t account_id, const struct kam_metrics_row *row)
{
    struct tier_fold *f = ctx;
    uint32_t t;
    kam_money rev = row->m.revenue;
    if (!kam_u64map_get(&f->tier, (uint64_t)account_id, &t) || rev == KAM_NONE)
        return 0;
    if (__builtin_add_overflow(f->s->tiers[t - 1].revenue, rev, &f->s->tiers[t - 1].revenue) ||
        __builtin_add_overflow(f->s->revenue, rev, &f->s->revenue)) {
        f->overflow = true;
        return 1;
    }
    return 0;
}

static int on_run(void *ctx, const struct kam_run *run)
{
    struct kam_tier_summary *s = ctx;
    if (s->run == 0) {
        s->run = run->id;
        memcpy(s->as_of, run->as_of, sizeof(s->as_of));
        s->window_months = run->window_months;
        return 0;
    }
    s->previous_run = run->id;
    return 1;
}

/* Adds an account of the scope to the fold's set. */
static int on_scoped_account(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct tier_fold *f = ctx;
    bool inserted;
    (void)vals;
    *kam_u64map_upsert(&f->scope, (uint64_t)id, &inserted) = 1;
    return 0;
}

enum kam_rc kam_engine_tiers(struct kam_store *st, struct kam_tier_summary *out,
                             struct kam_err *err)
{
    return kam_engine_tiers_scoped(st, NULL, out, err);
}

enum kam_rc kam_engine_tiers_scoped(struct kam_store *st, const struct kam_scope *scope,
                                    struct kam_tier_summary *out, struct kam_err *err)
{
    struct tier_fold f = {out, {0}, {0}, false, false, false};
    memset(out, 0, sizeof(*out));
    for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL; t++)
        out->tiers[t].tier = kam_tier_name((enum kam_tier)t);
    enum kam_rc rc = st->ops->run_list(st, 2, on_run, out, err);
    if (rc != KAM_OK)
        return rc;
    if (out->run == 0)
        return kam_err_set(err, KAM_ERR_NOT_FOUND,
                           "no scoring run yet: run 'kam score' first, then 'kam tiers'");
    kam_u64map_init(&f.tier);
    kam_u64map_init(&f.scope);
    /* The run's rows hold no owner: the accounts of the scope, read by the store with the
     * account list's rule, decide which rows count. Every count and sum (and so every share)
     * is then of the scoped set. */
    f.scoped = scope != NULL && scope->kind != KAM_SCOPE_ALL;
    rc = f.scoped ? st->ops->account_each_scoped(st, scope, on_scoped_account, &f, err) : KAM_OK;
    if (rc == KAM_OK)
        rc = st->ops->score_each(st, out->run, 0, on_score, &f, err);
    if (rc == KAM_OK)
        rc = st->ops->metrics_each(st, 0, on_metrics, &f, err);
    if (rc == KAM_OK && out->previous_run) {
        f.previous = true;
        rc = st->ops->score_each(st, out->previous_run, 0, on_score, &f, err);
    }
    kam_u64map_release(&f.tier);
    kam_u64map_release(&f.scope);
    if (rc == KAM_OK && f.overflow)
        rc = kam_err_set(err, KAM_ERR_INVALID, "a tier's revenue leaves the range of money");
    return rc;
}
