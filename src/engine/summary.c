/* The portfolio summary (`kam summary`, GET /api/v1/summary): the row counts, the months with
 * orders, net revenue, the 80:20 figures (share of the top 20 %, accounts making 80 %, Gini;
 * DOMAIN.md "Pareto") and the largest accounts by net revenue.
 *
 * Revenue comes from the monthly rollup (store revenues), never from a scan of the order lines;
 * net basis: returns and cancellations count negative (docs/methods.md). Within a scope (the
 * HTTP API's managers, reps and viewers) the store reads only the accounts of the scope, so the
 * counts, the net revenue, the 80:20 figures and the top list are all of that set. Deliberately
 * not here: any formatting (the CLI and the HTTP API print the same figures their own way). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/pareto.h"
#include "engine/engine.h"
#include "util/mem.h"

struct acct_rev {
    int64_t id;
    kam_money revenue;
    const char *code, *name;
};

struct revs {
    struct kam_arena *arena;
    struct acct_rev *v;
    size_t n, cap;
};

static int add_rev(void *ctx, int64_t id, const char *code, const char *name, kam_money revenue)
{
    struct revs *r = ctx;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->v = kam_xrealloc(r->v, r->cap * sizeof(*r->v));
    }
    r->v[r->n++] = (struct acct_rev){id, revenue, kam_arena_strdup(r->arena, code),
                                     kam_arena_strdup(r->arena, name)};
    return 0;
}

/* Largest revenue first; equal revenues by code, so the top list is the same on every run. */
static int by_revenue(const void *a, const void *b)
{
    const struct acct_rev *x = a, *y = b;
    if (x->revenue != y->revenue)
        return x->revenue < y->revenue ? 1 : -1;
    return strcmp(x->code, y->code);
}

enum kam_rc kam_engine_summary(struct kam_store *st, size_t top_n, struct kam_summary *out,
                               struct kam_err *err)
{
    return kam_engine_summary_scoped(st, NULL, top_n, out, err);
}

enum kam_rc kam_engine_summary_scoped(struct kam_store *st, const struct kam_scope *scope,
                                      size_t top_n, struct kam_summary *out, struct kam_err *err)
{
    /* The CLI's reads stay the plain ones; a scope is applied by the store in its queries. */
    bool all = scope == NULL || scope->kind == KAM_SCOPE_ALL;
    struct revs r = {0};
    kam_money *values = NULL;
    struct kam_pareto_item *items = NULL;
    enum kam_rc rc;

    memset(out, 0, sizeof(*out));
    kam_arena_init(&out->arena);
    r.arena = &out->arena;
    /* A database without the setting is in the default currency, as everywhere else. */
    if (st->ops->meta_get(st, "currency", out->currency, sizeof(out->currency), err) != KAM_OK) {
        kam_err_clear(err);
        snprintf(out->currency, sizeof(out->currency), "CNY");
    }
    rc = all ? st->ops->counts(st, &out->counts, err)
             : st->ops->counts_scoped(st, scope, &out->counts, err);
    if (rc != KAM_OK)
        goto out;
    rc = st->ops->order_months(st, &out->first_month, &out->last_month, out->last_date,
                               sizeof(out->last_date), err);
    if (rc != KAM_OK)
        goto out;
    rc = all ? st->ops->revenues(st, add_rev, &r, err)
             : st->ops->revenues_scoped(st, scope, add_rev, &r, err);
    if (rc != KAM_OK)
        goto out;

    values = kam_xmalloc((r.n + 1) * sizeof(*values));
    items = kam_xmalloc((r.n + 1) * sizeof(*items));
    for (size_t i = 0; i < r.n; i++) {
        out->net += r.v[i].revenue;
        values[i] = r.v[i].revenue;
        items[i] = (struct kam_pareto_item){.key = r.v[i].id, .value = r.v[i].revenue};
    }
    kam_pareto_top_share(values, r.n, 0.2, &out->pareto);
    kam_pareto_sort(items, r.n);
    out->gini = kam_pareto_gini(items, r.n);

    if (r.n > 1) /* an empty scope has no array: qsort(NULL, 0) is undefined */
        qsort(r.v, r.n, sizeof(*r.v), by_revenue);
    out->ntop = r.n < top_n ? r.n : top_n;
    out->top = kam_arena_alloc(&out->arena, (out->ntop + 1) * sizeof(*out->top));
    for (size_t i = 0; i < out->ntop; i++)
        out->top[i] = (struct kam_summary_account){
            .code = r.v[i].code,
            .name = r.v[i].name,
            .revenue = r.v[i].revenue,
            .share =
                out->pareto.total > 0 ? (double)r.v[i].revenue / (double)out->pareto.total : 0.0,
        };
out:
    free(items);
    free(values);
    free(r.v);
    return rc;
}

void kam_summary_release(struct kam_summary *s)
{
    if (s == NULL)
        return;
    kam_arena_release(&s->arena);
    s->top = NULL;
    s->ntop = 0;
}
