/* Two portfolio analyses of the identification engine on top of kam_engine_portfolio: the value
 * matrix (DOMAIN.md "Value matrix", 客户价值矩阵) and whitespace, the cross-sell gaps against
 * peers. This file only gathers inputs (accounts' role, industry and wallet estimate, the latest
 * run's tiers, ratings, the account product rollup) and calls the formulas of src/core/matrix.c
 * and src/core/whitespace.c; it writes nothing.
 *
 * Category revenue comes from account_products, which the import keeps over all time: there is
 * no per-window amount, and rescanning order lines per account is what the rollups are there to
 * avoid. So whitespace is an all-time view, limited to products first bought by the as-of month
 * (as the metrics' products are). */
#include "engine/engine.h"

#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "io/model.h"
#include "util/map.h"
#include "util/mem.h"

enum { CHUNK = 4096 };

static const char *const peers_names[] = {
    [KAM_PEERS_ROLE] = "role", [KAM_PEERS_INDUSTRY] = "industry", [KAM_PEERS_TIER] = "tier"};

int kam_peers_find(const char *name)
{
    for (size_t i = 0; i < sizeof(peers_names) / sizeof(peers_names[0]); i++)
        if (strcmp(peers_names[i], name) == 0)
            return (int)i;
    return -1;
}

const char *kam_peers_name(enum kam_peers by)
{
    if ((unsigned)by >= sizeof(peers_names) / sizeof(peers_names[0]))
        KAM_BUG("peer kind out of range");
    return peers_names[by];
}

/* Index of account id in p (ids ascending, as kam_engine_portfolio reads them), -1 when absent. */
static ptrdiff_t index_of(const struct kam_portfolio *p, int64_t id)
{
    size_t lo = 0, hi = p->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < p->n && p->ids[lo] == id ? (ptrdiff_t)lo : -1;
}

/* What the portfolio does not keep of an account: role, industry (NULL when none) and the
 * estimated annual purchases (KAM_NONE when none); arrays parallel to p, strings in arena. */
struct attrs {
    const struct kam_portfolio *p;
    struct kam_arena *arena;
    const char **role, **industry;
    kam_money *est;
};

static int on_account(void *ctx, int64_t id, const struct kam_value *v)
{
    struct attrs *a = ctx;
    ptrdiff_t i = index_of(a->p, id);
    if (i < 0)
        return 0; /* created after the portfolio was read: not part of this analysis */
    const struct kam_value *r = &v[KAM_ACC_ROLE], *ind = &v[KAM_ACC_INDUSTRY];
    a->role[i] = r->null ? "" : kam_arena_strndup(a->arena, r->s, r->len);
    a->industry[i] =
        ind->null || ind->len == 0 ? NULL : kam_arena_strndup(a->arena, ind->s, ind->len);
    const struct kam_value *e = &v[KAM_ACC_EST_ANNUAL_PURCHASES];
    a->est[i] = e->null ? KAM_NONE : e->i;
    return 0;
}

static enum kam_rc load_attrs(struct kam_store *st, const struct kam_portfolio *p,
                              struct kam_arena *arena, struct attrs *a, struct kam_err *err)
{
    a->p = p;
    a->arena = arena;
    a->role = kam_arena_alloc(arena, p->n * sizeof(*a->role));
    a->industry = kam_arena_alloc(arena, p->n * sizeof(*a->industry));
    a->est = kam_arena_alloc(arena, p->n * sizeof(*a->est));
    for (size_t i = 0; i < p->n; i++) {
        a->role[i] = "";
        a->industry[i] = NULL;
        a->est[i] = KAM_NONE;
    }
    return st->ops->each(st, &kam_accounts, 0, on_account, a, err);
}

/* --- whitespace --------------------------------------------------------------------------- */

static int on_run(void *ctx, const struct kam_run *run)
{
    *(int64_t *)ctx = run->id;
    return 1; /* the newest is enough */
}

struct tiers {
    const struct kam_portfolio *p;
    struct kam_arena *arena;
    const char **tier; /* n, NULL when the account is not in the run */
};

static int on_score(void *ctx, const struct kam_score_row *row)
{
    struct tiers *t = ctx;
    ptrdiff_t i = index_of(t->p, row->account_id);
    if (i >= 0 && row->tier != NULL && row->tier[0] != '\0')
        t->tier[i] = kam_arena_strdup(t->arena, row->tier);
    return 0;
}

/* The distinct product categories, indexed in product id order of first appearance. */
struct cats {
    struct kam_strmap map; /* name -> index */
    struct kam_arena *arena;
    const char **names;
    size_t n, cap;
};

static int on_product(void *ctx, int64_t id, const struct kam_value *v)
{
    struct cats *c = ctx;
    const struct kam_value *cat = &v[KAM_PRO_CATEGORY];
    int64_t k;
    (void)id;
    if (cat->null || cat->len == 0 || kam_strmap_get(&c->map, cat->s, cat->len, &k))
        return 0;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 64;
        c->names = kam_xrealloc(c->names, c->cap * sizeof(*c->names));
    }
    c->names[c->n] = kam_arena_strndup(c->arena, cat->s, cat->len);
    kam_strmap_put(&c->map, cat->s, cat->len, (int64_t)c->n++);
    return 0;
}

/* State of the product rollup scan. */
struct scan {
    struct kam_ws_portfolio *w;
    const struct kam_portfolio *p;
    const struct kam_strmap *cats;
    int as_of_month;
    size_t cursor; /* rows come by account: the index of the last account seen */
    struct kam_err *err;
    enum kam_rc rc;
};

static int on_account_product(void *ctx, int64_t account, int64_t product, const char *category,
                              int first_month, const struct kam_rollup *r)
{
    struct scan *s = ctx;
    int64_t c;
    (void)product;
    /* Products without a category cannot be compared; a product first bought after the as-of
     * month (or only ever returned: first month 0) is not bought yet. */
    if (category == NULL || first_month <= 0 || first_month > s->as_of_month)
        return 0;
    if (!kam_strmap_get(s->cats, category, strlen(category), &c))
        return 0; /* a product created after the categories were read */
    while (s->cursor < s->p->n && s->p->ids[s->cursor] < account)
        s->cursor++;
    if (s->cursor == s->p->n || s->p->ids[s->cursor] != account)
        return 0;
    kam_money *cell = &s->w->rev[s->cursor * s->w->ncat + (size_t)c];
    if (__builtin_add_overflow(*cell, r->revenue, cell)) {
        s->rc = kam_err_set(s->err, KAM_ERR_TOO_LARGE,
                            "account %s: the revenue of category '%s' is too large",
                            s->p->codes[s->cursor], category);
        return 1;
    }
    return 0;
}

/* The group name of account i: "tier:key" from the run, else "industry:X", else "role:R". */
static const char *group_name(enum kam_peers by, const struct attrs *a, const struct tiers *t,
                              size_t i, char *buf, size_t n)
{
    if (by == KAM_PEERS_TIER && t->tier[i] != NULL)
        snprintf(buf, n, "tier:%s", t->tier[i]);
    else if (by == KAM_PEERS_INDUSTRY && a->industry[i] != NULL)
        snprintf(buf, n, "industry:%s", a->industry[i]);
    else
        snprintf(buf, n, "role:%s", a->role[i]);
    return buf;
}

enum kam_rc kam_engine_whitespace(struct kam_store *st, const struct kam_portfolio *p,
                                  enum kam_peers by, const struct kam_ws_rule *rule,
                                  struct kam_ws_portfolio *out, struct kam_err *err)
{
    struct kam_ws_portfolio *w = out;
    struct kam_strmap groups;
    struct cats cats = {.arena = &out->arena};
    struct attrs a;
    struct tiers t = {p, &w->arena, NULL};
    enum kam_rc rc;

    memset(w, 0, sizeof(*w));
    kam_arena_init(&w->arena);
    kam_strmap_init(&cats.map);
    kam_strmap_init(&groups);
    w->by = by;
    w->rule = *rule;
    w->n = p->n;
    if ((rc = kam_whitespace_check(rule, err)) != KAM_OK)
        goto out;
    if ((rc = load_attrs(st, p, &w->arena, &a, err)) != KAM_OK)
        goto out;
    t.tier = kam_arena_alloc(&w->arena, p->n * sizeof(*t.tier));
    for (size_t i = 0; i < p->n; i++)
        t.tier[i] = NULL;
    if (by == KAM_PEERS_TIER) {
        if ((rc = st->ops->run_list(st, 1, on_run, &w->run, err)) != KAM_OK)
            goto out;
        if (w->run > 0 && (rc = st->ops->score_each(st, w->run, 0, on_score, &t, err)) != KAM_OK)
            goto out;
    }

    /* Peer groups: a dense index per distinct name, in account order. */
    w->group = kam_arena_alloc(&w->arena, p->n * sizeof(*w->group));
    w->groups = kam_arena_alloc(&w->arena, p->n * sizeof(*w->groups));
    for (size_t i = 0; i < p->n; i++) {
        char buf[512];
        const char *name = group_name(by, &a, &t, i, buf, sizeof(buf));
        int64_t g;
        if (!kam_strmap_get(&groups, name, strlen(name), &g)) {
            g = (int64_t)w->ngroups;
            w->groups[w->ngroups++] = kam_arena_strdup(&w->arena, name);
            kam_strmap_put(&groups, name, strlen(name), g);
        }
        w->group[i] = (uint32_t)g;
    }

    /* Categories, then every account's revenue by category from the product rollup. */
    if ((rc = st->ops->each(st, &kam_products, 0, on_product, &cats, err)) != KAM_OK)
        goto out;
    w->ncat = cats.n;
    w->categories = kam_arena_alloc(&w->arena, w->ncat * sizeof(*w->categories));
    if (w->ncat > 0)
        memcpy(w->categories, cats.names, w->ncat * sizeof(*w->categories));
    w->rev = kam_arena_alloc(&w->arena, p->n * w->ncat * sizeof(*w->rev));
    memset(w->rev, 0, p->n * w->ncat * sizeof(*w->rev));
    struct scan s = {w, p, &cats.map, p->period.as_of_month, 0, err, KAM_OK};
    for (size_t from = 0; from < p->n && w->ncat > 0; from += CHUNK) {
        size_t to = from + CHUNK < p->n ? from + CHUNK : p->n;
        s.cursor = from;
        rc = st->ops->products_range(st, p->ids[from], p->ids[to - 1], on_account_product, &s, err);
        if (rc == KAM_OK)
            rc = s.rc;
        if (rc != KAM_OK)
            goto out;
    }

    w->peers = kam_arena_alloc(&w->arena, w->ngroups * w->ncat * sizeof(*w->peers));
    kam_whitespace_peers(w->group, p->n, w->ngroups, w->rev, w->ncat, w->peers, &w->arena);
    w->worth = kam_arena_alloc(&w->arena, p->n * sizeof(*w->worth));
    w->gaps = kam_arena_alloc(&w->arena, p->n * sizeof(*w->gaps));
    struct kam_ws_gap *gaps = kam_arena_alloc(&w->arena, w->ncat * sizeof(*gaps));
    for (size_t i = 0; i < p->n; i++) {
        size_t ng = 0;
        rc = kam_whitespace_gaps(&w->peers[(size_t)w->group[i] * w->ncat], &w->rev[i * w->ncat],
                                 w->ncat, rule, gaps, &ng, &w->worth[i], err);
        if (rc != KAM_OK) {
            rc = kam_err_prefix(err, "account %s", p->codes[i]);
            goto out;
        }
        w->gaps[i] = (int64_t)ng;
    }
out:
    free(cats.names);
    kam_strmap_release(&groups);
    kam_strmap_release(&cats.map);
    return rc;
}

void kam_ws_portfolio_release(struct kam_ws_portfolio *w)
{
    kam_arena_release(&w->arena);
    memset(w, 0, sizeof(*w));
}

/* --- value matrix ------------------------------------------------------------------------- */

/* The metrics whose unit is money, by field: they stay exact on the axis. */
static const struct {
    const char *name;
    size_t offset;
} money_metrics[] = {
    {"revenue", offsetof(struct kam_metrics, revenue)},
    {"revenue_prev", offsetof(struct kam_metrics, revenue_prev)},
    {"revenue_total", offsetof(struct kam_metrics, revenue_total)},
    {"margin", offsetof(struct kam_metrics, margin)},
    {"margin_total", offsetof(struct kam_metrics, margin_total)},
    {"avg_order_value", offsetof(struct kam_metrics, avg_order_value)},
    {"overdue", offsetof(struct kam_metrics, overdue)},
    {"receivables", offsetof(struct kam_metrics, receivables)},
};

static const char *const potential_kinds = "wallet, growth, whitespace or rating:NAME";

/* The current scoring model, without storing the default when none is stored yet (the analyses
 * write nothing). */
static enum kam_rc read_model(struct kam_store *st, struct kam_model **m, int64_t *version,
                              struct kam_err *err)
{
    char *text = NULL;
    enum kam_rc rc = st->ops->model_get(st, 0, version, &text, err);
    if (rc == KAM_ERR_NOT_FOUND) {
        *version = 0;
        return kam_model_parse(kam_model_default_json, strlen(kam_model_default_json), m, err);
    }
    if (rc == KAM_OK && (rc = kam_model_parse(text, strlen(text), m, err)) != KAM_OK)
        rc = kam_err_prefix(err, "stored model version %lld", (long long)*version);
    free(text);
    return rc;
}

struct rating_scan {
    const struct kam_portfolio *p;
    const char *name;
    double *values;
};

static int on_rating(void *ctx, int64_t account, const char *name, double value, const char *note)
{
    struct rating_scan *r = ctx;
    (void)note;
    ptrdiff_t i = strcmp(name, r->name) == 0 ? index_of(r->p, account) : -1;
    if (i >= 0)
        r->values[i] = value;
    return 0;
}

static enum kam_rc rating_axis(struct kam_store *st, const struct kam_portfolio *p,
                               const char *name, double *values, struct kam_err *err)
{
    struct kam_model *m = NULL;
    int64_t version;
    enum kam_rc rc = read_model(st, &m, &version, err);
    if (rc != KAM_OK)
        return rc;
    if (kam_model_rating_find(m, name) < 0) {
        char known[512] = "";
        for (size_t i = 0; i < m->nratings; i++)
            snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", i ? ", " : "",
                     m->ratings[i].name);
        if (version > 0)
            rc = kam_err_set(err, KAM_ERR_INVALID,
                             "--potential: the model (version %lld) has no rating '%s'; its "
                             "ratings: %s",
                             (long long)version, name, known);
        else
            rc = kam_err_set(err, KAM_ERR_INVALID,
                             "--potential: the default model has no rating '%s'; its ratings: %s",
                             name, known);
    }
    kam_model_free(m);
    if (rc != KAM_OK)
        return rc;
    for (size_t i = 0; i < p->n; i++)
        values[i] = NAN; /* not rated: unplaced */
    struct rating_scan r = {p, name, values};
    return st->ops->rating_each(st, 0, on_rating, &r, err);
}

/* Parses a threshold given as text for an axis of unit u into *t. */
static enum kam_rc parse_threshold(const char *option, const char *text, enum kam_axis_unit u,
                                   struct kam_axis_value *t, struct kam_err *err)
{
    memset(t, 0, sizeof(*t));
    if (u == KAM_AXIS_MONEY) {
        if (kam_money_parse(text, strlen(text), &t->money, err) != KAM_OK)
            return kam_err_set(err, KAM_ERR_USAGE,
                               "%s '%s' is not an amount of money (up to 4 decimals)", option,
                               text);
        return KAM_OK;
    }
    char *end;
    t->number = strtod(text, &end);
    if (end == text || *end != '\0' || !isfinite(t->number))
        return kam_err_set(err, KAM_ERR_USAGE,
                           "%s '%s' is not a number (ratios are fractions: 0.1 for 10 %%)", option,
                           text);
    return KAM_OK;
}

/* Fills the current axis of m from metric `name`. */
static enum kam_rc current_axis(const struct kam_portfolio *p, const char *name,
                                struct kam_value_matrix *m, struct kam_err *err)
{
    int k = kam_metric_find(name);
    if (k < 0) {
        char known[1024] = "";
        for (size_t i = 0; i < kam_metric_count; i++)
            snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", i ? ", " : "",
                     kam_metric_defs[i].name);
        return kam_err_set(err, KAM_ERR_USAGE, "--current: unknown metric '%s'; the metrics: %s",
                           name, known);
    }
    snprintf(m->current, sizeof(m->current), "%s", name);
    for (size_t j = 0; j < sizeof(money_metrics) / sizeof(money_metrics[0]); j++)
        if (strcmp(money_metrics[j].name, name) == 0) {
            kam_money *v = kam_arena_alloc(&m->arena, p->n * sizeof(*v));
            for (size_t i = 0; i < p->n; i++)
                memcpy(&v[i], (const char *)&p->m[i] + money_metrics[j].offset, sizeof(*v));
            m->cur = (struct kam_axis){KAM_AXIS_MONEY, v, NULL};
            return KAM_OK;
        }
    double *v = kam_arena_alloc(&m->arena, p->n * sizeof(*v));
    for (size_t i = 0; i < p->n; i++)
        v[i] = kam_metric_value(&p->m[i], (size_t)k); /* NaN when undefined: unplaced */
    m->cur = (struct kam_axis){KAM_AXIS_NUMBER, NULL, v};
    return KAM_OK;
}

/* Fills the potential axis of m from the potential `name`. */
static enum kam_rc potential_axis(struct kam_store *st, const struct kam_portfolio *p,
                                  const struct kam_matrix_opts *o, const char *name,
                                  struct kam_value_matrix *m, struct kam_err *err)
{
    enum kam_rc rc = KAM_OK;
    snprintf(m->potential, sizeof(m->potential), "%s", name);
    if (strcmp(name, "growth") == 0) {
        double *v = kam_arena_alloc(&m->arena, p->n * sizeof(*v));
        for (size_t i = 0; i < p->n; i++)
            v[i] = p->m[i].growth; /* NaN without revenue in the previous window */
        m->pot = (struct kam_axis){KAM_AXIS_NUMBER, NULL, v};
    } else if (strcmp(name, "wallet") == 0) {
        struct attrs a;
        if ((rc = load_attrs(st, p, &m->arena, &a, err)) != KAM_OK)
            return rc;
        kam_money *v = kam_arena_alloc(&m->arena, p->n * sizeof(*v));
        for (size_t i = 0; i < p->n; i++)
            v[i] = kam_matrix_wallet_headroom(a.est[i], p->m[i].revenue, p->period.window_months);
        m->pot = (struct kam_axis){KAM_AXIS_MONEY, v, NULL};
    } else if (strcmp(name, "whitespace") == 0) {
        struct kam_ws_portfolio w;
        rc = kam_engine_whitespace(st, p, o->peers, &o->rule, &w, err);
        kam_money *v = kam_arena_alloc(&m->arena, p->n * sizeof(*v));
        if (rc == KAM_OK)
            memcpy(v, w.worth, p->n * sizeof(*v));
        kam_ws_portfolio_release(&w);
        m->pot = (struct kam_axis){KAM_AXIS_MONEY, v, NULL};
    } else if (strncmp(name, "rating:", 7) == 0 && name[7] != '\0') {
        double *v = kam_arena_alloc(&m->arena, p->n * sizeof(*v));
        rc = rating_axis(st, p, name + 7, v, err);
        m->pot = (struct kam_axis){KAM_AXIS_NUMBER, NULL, v};
    } else {
        rc = kam_err_set(err, KAM_ERR_USAGE, "--potential takes %s, not '%s'", potential_kinds,
                         name);
    }
    return rc;
}

enum kam_rc kam_engine_matrix(struct kam_store *st, const struct kam_portfolio *p,
                              const struct kam_matrix_opts *o, struct kam_value_matrix *out,
                              struct kam_err *err)
{
    struct kam_value_matrix *m = out;
    enum kam_rc rc;

    memset(m, 0, sizeof(*m));
    kam_arena_init(&m->arena);
    if ((rc = current_axis(p, o->current ? o->current : "margin", m, err)) != KAM_OK)
        return rc;
    /* Check the thresholds' syntax before the (slower) potential is loaded. */
    struct kam_axis_value ct = {0}, pt = {0};
    if (o->current_threshold != NULL &&
        (rc = parse_threshold("--current-threshold", o->current_threshold, m->cur.unit, &ct,
                              err)) != KAM_OK)
        return rc;
    if ((rc = potential_axis(st, p, o, o->potential ? o->potential : "wallet", m, err)) != KAM_OK)
        return rc;
    if (o->potential_threshold != NULL &&
        (rc = parse_threshold("--potential-threshold", o->potential_threshold, m->pot.unit, &pt,
                              err)) != KAM_OK)
        return rc;
    m->placed =
        kam_matrix_medians(&m->cur, &m->pot, p->n, &m->cur_threshold, &m->pot_threshold, &m->arena);
    m->cur_median = o->current_threshold == NULL;
    m->pot_median = o->potential_threshold == NULL;
    if (!m->cur_median)
        m->cur_threshold = ct;
    if (!m->pot_median)
        m->pot_threshold = pt;
    kam_money *revenue = kam_arena_alloc(&m->arena, p->n * sizeof(*revenue));
    kam_money *margin = kam_arena_alloc(&m->arena, p->n * sizeof(*margin));
    for (size_t i = 0; i < p->n; i++) {
        revenue[i] = p->m[i].revenue;
        margin[i] = p->m[i].margin;
    }
    m->q = kam_arena_alloc(&m->arena, p->n * sizeof(*m->q));
    kam_matrix_assign(&m->cur, &m->pot, p->n, &m->cur_threshold, &m->pot_threshold, revenue, margin,
                      m->q, &m->sum);
    return KAM_OK;
}

void kam_value_matrix_release(struct kam_value_matrix *m)
{
    kam_arena_release(&m->arena);
    memset(m, 0, sizeof(*m));
}
