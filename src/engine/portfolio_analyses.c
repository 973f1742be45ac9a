/* The Pareto analysis and the lifecycle summary of a computed portfolio, as one call each, so
 * that `kam pareto` / `kam lifecycle` and their HTTP routes share the computation and differ only
 * in how they write it (docs/method-pareto-rfm.md, docs/method-lifecycle.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/mem.h"

bool kam_abc_parse(const char *s, struct kam_abc_limits *l)
{
    double a, b;
    char tail;
    if (sscanf(s, "%lf,%lf%c", &a, &b, &tail) != 2 || !(a >= 0 && a <= b && b <= 100))
        return false;
    l->a = (int32_t)llround(a * 100);
    l->b = (int32_t)llround(b * 100);
    return true;
}

enum kam_rc kam_engine_pareto(const struct kam_portfolio *p, bool by_margin,
                              const struct kam_abc_limits *limits, struct kam_pareto_report *out,
                              struct kam_err *err)
{
    size_t n = p->n ? p->n : 1;
    memset(out, 0, sizeof(*out));
    out->items = kam_xmalloc(n * sizeof(*out->items));
    out->curve = kam_xmalloc(n * sizeof(*out->curve));
    out->abc = kam_xmalloc(n * sizeof(*out->abc));
    kam_money *values = kam_xmalloc(n * sizeof(*values));
    /* The net basis: all-time net revenue (or margin) up to as-of; the key is the index. */
    for (size_t i = 0; i < p->n; i++)
        out->items[i] = (struct kam_pareto_item){(int64_t)i, by_margin ? p->m[i].margin_total
                                                                       : p->m[i].revenue_total};
    out->population = kam_pareto_sort(out->items, p->n);
    kam_pareto_curve(out->items, p->n, out->curve);
    for (size_t i = 0; i < p->n; i++)
        values[i] = out->items[i].value;
    kam_pareto_top_share(values, p->n, 0.2, &out->top);
    free(values);
    out->gini = kam_pareto_gini(out->items, p->n);
    enum kam_rc rc = kam_pareto_abc(out->items, p->n, limits, out->abc, &out->classes, err);
    if (rc != KAM_OK)
        kam_pareto_report_release(out);
    return rc;
}

void kam_pareto_report_release(struct kam_pareto_report *r)
{
    free(r->items);
    free(r->curve);
    free(r->abc);
    memset(r, 0, sizeof(*r));
}

const enum kam_lifecycle_stage kam_lifecycle_order[KAM_LIFECYCLE_STAGES] = {
    KAM_LIFECYCLE_NEW,       KAM_LIFECYCLE_EXPLORATION, KAM_LIFECYCLE_FORMATION,
    KAM_LIFECYCLE_STABILITY, KAM_LIFECYCLE_DECLINE,     KAM_LIFECYCLE_DORMANT,
    KAM_LIFECYCLE_LOST,      KAM_LIFECYCLE_NONE,
};

void kam_engine_lifecycle_summary(const struct kam_portfolio *p, struct kam_lifecycle_summary *out)
{
    __int128 rev[KAM_LIFECYCLE_STAGES] = {0}, total = 0;
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < p->n; i++) {
        out->count[p->stage[i].stage]++;
        rev[p->stage[i].stage] += p->m[i].revenue;
        total += p->m[i].revenue;
    }
    /* The sums of kam_money window revenues: each fits, and so does their sum for any real
     * portfolio; a share is computed from the exact 128-bit sums. */
    for (int s = 0; s < KAM_LIFECYCLE_STAGES; s++) {
        out->revenue[s] = (kam_money)rev[s];
        out->share[s] = total > 0 ? (double)rev[s] / (double)total : NAN;
    }
    out->total = (kam_money)total;
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

void kam_portfolio_rank_by_revenue(const struct kam_portfolio *p, size_t *order, size_t n,
                                   enum kam_rank_tie tie)
{
    struct ranked *r = kam_xmalloc(n * sizeof(*r));
    for (size_t k = 0; k < n; k++)
        r[k] = (struct ranked){p->m[order[k]].revenue, p->codes[order[k]], order[k]};
    qsort(r, n, sizeof(*r), tie == KAM_RANK_TIE_CODE ? by_revenue_code : by_revenue_index);
    for (size_t k = 0; k < n; k++)
        order[k] = r[k].index;
    free(r);
}

/* --- RFM over the portfolio (kam rfm, GET /api/v1/analyses/rfm) ------------------------------- */

enum kam_rc kam_engine_rfm(const struct kam_portfolio *p, struct kam_rfm_report *out,
                           struct kam_err *err)
{
    memset(out, 0, sizeof(*out));
    kam_arena_init(&out->arena);
    out->rfm = kam_xmalloc((p->n + 1) * sizeof(*out->rfm));
    out->order = kam_xmalloc((p->n + 1) * sizeof(*out->order));
    struct kam_rfm_input *in = kam_xmalloc((p->n + 1) * sizeof(*in));
    for (size_t i = 0; i < p->n; i++)
        in[i] = (struct kam_rfm_input){p->ids[i], p->m[i].last_purchase, p->m[i].orders_total,
                                       p->m[i].revenue_total};
    enum kam_rc rc = kam_rfm_score(in, p->n, p->period.as_of, out->rfm, &out->arena, err);
    free(in);
    if (rc != KAM_OK)
        return rc;
    for (size_t i = 0; i < p->n; i++)
        out->count[out->rfm[i].segment]++;
    /* Accounts by all-time net revenue, largest first (the sort of the Pareto items). */
    struct kam_pareto_item *items = kam_xmalloc((p->n + 1) * sizeof(*items));
    for (size_t i = 0; i < p->n; i++)
        items[i] = (struct kam_pareto_item){(int64_t)i, p->m[i].revenue_total};
    kam_pareto_sort(items, p->n);
    for (size_t i = 0; i < p->n; i++)
        out->order[i] = (size_t)items[i].key;
    free(items);
    return KAM_OK;
}

void kam_rfm_report_release(struct kam_rfm_report *r)
{
    free(r->rfm);
    free(r->order);
    kam_arena_release(&r->arena);
    memset(r, 0, sizeof(*r));
}
