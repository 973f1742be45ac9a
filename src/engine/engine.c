/* The metrics pass: accounts are read once (id, code, name, estimated purchases), then the
 * inputs of CHUNK accounts at a time are gathered from four range queries that return them in
 * account order, and each account's metrics and lifecycle stage computed from pointers into
 * those arrays. Memory is the per-account results plus one chunk of inputs. */
#include "engine/engine.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/date.h"
#include "util/map.h"
#include "util/mem.h"

enum { CHUNK = 4096 };

/* A growable array of T with the account id beside each element. */
#define VEC(T)                                                                                     \
    struct {                                                                                       \
        int64_t *acc;                                                                              \
        T *v;                                                                                      \
        size_t n, cap;                                                                             \
    }

#define VEC_PUSH(vec, account, value)                                                              \
    do {                                                                                           \
        if ((vec).n == (vec).cap) {                                                                \
            (vec).cap = (vec).cap ? (vec).cap * 2 : 1024;                                          \
            (vec).acc = kam_xrealloc((vec).acc, (vec).cap * sizeof(*(vec).acc));                   \
            (vec).v = kam_xrealloc((vec).v, (vec).cap * sizeof(*(vec).v));                         \
        }                                                                                          \
        (vec).acc[(vec).n] = (account);                                                            \
        (vec).v[(vec).n++] = (value);                                                              \
    } while (0)

#define VEC_FREE(vec)                                                                              \
    do {                                                                                           \
        free((vec).acc);                                                                           \
        free((vec).v);                                                                             \
    } while (0)

struct activity {
    bool known;
    struct kam_metrics_activity a;
};

struct chunk {
    VEC(struct kam_metrics_month) months;
    VEC(struct kam_metrics_order) orders;
    VEC(struct kam_metrics_product) products;
    VEC(struct kam_metrics_invoice) invoices;
    /* The kept activity of the accounts with cells; known false when it is not kept. */
    VEC(struct activity) activity;
    bool rows; /* orders and products were read (the activity does not serve every account) */
    int32_t *category; /* product id -> category index, -1 = none (ids up to nproduct_ids) */
    size_t nproduct_ids;
    int64_t ncategories;
};

static int on_month(void *ctx, int64_t account, int month, const struct kam_rollup *r)
{
    struct chunk *c = ctx;
    VEC_PUSH(c->months, account, ((struct kam_metrics_month){month, *r}));
    return 0;
}

static int on_activity(void *ctx, int64_t account, const struct kam_metrics_activity *a)
{
    struct chunk *c = ctx;
    struct activity v = {.known = a != NULL};
    if (a != NULL)
        v.a = *a;
    VEC_PUSH(c->activity, account, v);
    return 0;
}

static int on_order(void *ctx, int64_t account, int64_t day, bool purchase)
{
    struct chunk *c = ctx;
    VEC_PUSH(c->orders, account, ((struct kam_metrics_order){day, purchase}));
    return 0;
}

static int on_product(void *ctx, int64_t account, int64_t product, int first_month, int64_t lines)
{
    struct chunk *c = ctx;
    int32_t cat = product > 0 && (size_t)product < c->nproduct_ids ? c->category[product] : -1;
    /* A product the account only returned has no first month: it counts as never bought. */
    struct kam_metrics_product p = {
        .first_month = first_month > 0 ? first_month : 999912, .category = cat, .lines = lines};
    VEC_PUSH(c->products, account, p);
    return 0;
}

struct categories {
    struct chunk *c;
    struct kam_strmap names; /* category -> index */
};

/* Every product's category as a small index, once per run: the cells then need no join. */
static int on_product_row(void *ctx, int64_t id, const struct kam_value *v)
{
    struct categories *k = ctx;
    struct chunk *c = k->c;
    if (id <= 0)
        return 0;
    if ((size_t)id >= c->nproduct_ids) {
        size_t n = c->nproduct_ids ? c->nproduct_ids : 1024;
        while (n <= (size_t)id)
            n *= 2;
        c->category = kam_xrealloc(c->category, n * sizeof(*c->category));
        for (size_t i = c->nproduct_ids; i < n; i++)
            c->category[i] = -1;
        c->nproduct_ids = n;
    }
    const struct kam_value *cat = &v[KAM_PRO_CATEGORY];
    if (cat->null)
        return 0;
    size_t len = strlen(cat->s);
    int64_t idx;
    if (!kam_strmap_get(&k->names, cat->s, len, &idx)) {
        idx = c->ncategories++;
        kam_strmap_put(&k->names, cat->s, len, idx);
    }
    c->category[id] = (int32_t)idx;
    return 0;
}

static int on_invoice(void *ctx, int64_t account, kam_money amount, kam_money paid_amount,
                      int64_t issued, int64_t due, int64_t paid)
{
    struct chunk *c = ctx;
    struct kam_metrics_invoice v = {amount, paid_amount, issued, due, paid};
    VEC_PUSH(c->invoices, account, v);
    return 0;
}

struct account_list {
    struct kam_portfolio *p;
    kam_money *est;
    size_t cap;
};

static int on_account(void *ctx, int64_t id, const char *code, const char *name, kam_money est)
{
    struct account_list *a = ctx;
    struct kam_portfolio *p = a->p;
    if (p->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 1024;
        p->ids = kam_xrealloc(p->ids, a->cap * sizeof(*p->ids));
        p->codes = kam_xrealloc(p->codes, a->cap * sizeof(*p->codes));
        p->names = kam_xrealloc(p->names, a->cap * sizeof(*p->names));
        a->est = kam_xrealloc(a->est, a->cap * sizeof(*a->est));
    }
    p->ids[p->n] = id;
    p->codes[p->n] = kam_arena_strdup(&p->strings, code);
    p->names[p->n] = kam_arena_strdup(&p->strings, name);
    a->est[p->n] = est;
    p->n++;
    return 0;
}

/* Advances *i over acc[0..n) (ascending account ids) past the accounts below id; *start is
 * then the first element of id, and the count of id's elements is returned. */
static size_t span(const int64_t *acc, size_t n, size_t *i, int64_t id, size_t *start)
{
    while (*i < n && acc[*i] < id)
        (*i)++;
    *start = *i;
    while (*i < n && acc[*i] == id)
        (*i)++;
    return *i - *start;
}

#define SPAN(vec, i, id, start) span((vec).acc, (vec).n, (i), (id), (start))

static enum kam_rc resolve_as_of(struct kam_store *st, const struct kam_engine_opts *o,
                                 struct kam_portfolio *p, struct kam_err *err)
{
    struct kam_date d;
    if (o->as_of != NULL) {
        if (kam_date_parse_iso(o->as_of, strlen(o->as_of), &d, err) != KAM_OK) {
            err->code = KAM_ERR_USAGE;
            return kam_err_prefix(err, "--as-of '%s'", o->as_of);
        }
    } else {
        int64_t last = 0, max_id = 0;
        enum kam_rc rc = st->ops->extent(st, &last, &max_id, err);
        if (rc != KAM_OK)
            return rc;
        d = kam_date_from_days(last); /* no orders: 1970-01-01, every figure 0 */
    }
    int w = o->window_months ? o->window_months : 12;
    if (w < 1 || w > 120)
        return kam_err_set(err, KAM_ERR_USAGE, "--window must be 1..120 months, not %d", w);
    d.has_time = false;
    char buf[KAM_DATE_STRLEN];
    memcpy(p->as_of, kam_date_str(&d, buf, sizeof(buf)), sizeof(p->as_of) - 1);
    p->as_of[sizeof(p->as_of) - 1] = '\0';
    p->period = (struct kam_metrics_period){kam_date_days(&d), d.year * 100 + d.month, w};
    p->series_from = kam_month_add(p->period.as_of_month, 1 - KAM_ENGINE_SERIES);
    return KAM_OK;
}

static void chunk_clear(struct chunk *c)
{
    c->months.n = c->orders.n = c->products.n = c->invoices.n = c->activity.n = 0;
    c->rows = false;
}

/* Metrics of accounts [from, to) of p, whose inputs are in c. */
static enum kam_rc compute_chunk(struct kam_portfolio *p, const kam_money *est, size_t from,
                                 size_t to, const struct chunk *c, uint32_t *marks,
                                 struct kam_err *err)
{
    size_t im = 0, io = 0, ip = 0, iv = 0, ia = 0, s;
    for (size_t k = from; k < to; k++) {
        int64_t id = p->ids[k];
        /* k + 1: distinct for every account of the run, never the zero the marks start at */
        struct kam_metrics_input in = {
            .est_annual_purchases = est[k], .category_marks = marks, .mark = (uint32_t)k + 1};
        in.nmonths = SPAN(c->months, &im, id, &s);
        in.months = c->months.v + s;
        in.norders = SPAN(c->orders, &io, id, &s);
        in.orders = c->orders.v + s;
        in.nproducts = SPAN(c->products, &ip, id, &s);
        in.products = c->products.v + s;
        in.ninvoices = SPAN(c->invoices, &iv, id, &s);
        in.invoices = c->invoices.v + s;
        /* Without orders and products read, an account without kept activity has none. */
        if (SPAN(c->activity, &ia, id, &s) == 1 && !c->rows)
            in.activity = &c->activity.v[s].a;
        enum kam_rc rc = kam_metrics_compute(&p->period, &in, &p->m[k], err);
        if (rc != KAM_OK)
            return kam_err_prefix(err, "account %s", p->codes[k]);
        kam_money *series = &p->series[k * KAM_ENGINE_SERIES];
        kam_metrics_series(in.months, in.nmonths, p->series_from, series, KAM_ENGINE_SERIES);
        /* The stage reads the last 36 months: enough for its rules (windows of 6, lost after
         * 12, mature at 12); an older first purchase counts as 36 months ago. */
        rc = kam_lifecycle_compute(series, KAM_ENGINE_SERIES, NULL, &p->stage[k], err);
        if (rc != KAM_OK)
            return kam_err_prefix(err, "account %s", p->codes[k]);
    }
    return KAM_OK;
}

/* One reader: the chunks first, first + step, ... of the portfolio, on its own connection and
 * with its own buffers; the results go to disjoint rows of the portfolio. */
struct worker {
    struct kam_store *st;
    struct kam_portfolio *p;
    const kam_money *est;
    const struct chunk *shared; /* the product categories */
    const size_t *bounds;       /* chunk i is the accounts [bounds[i], bounds[i + 1]) */
    size_t nchunks;
    size_t first, step;
    atomic_bool *stop;   /* set by the first reader that fails */
    atomic_size_t *done; /* accounts computed by all the readers, for progress */
    atomic_size_t *kept; /* of which from their kept activity (no orders or products read) */
    kam_score_progress_fn progress;
    void *progress_ctx;
    pthread_t thread;
    enum kam_rc rc;
    struct kam_err err;
};

/* Adds a chunk's accounts to the count and tells the caller: a chunk's end is a safe point to
 * stop at, since nothing has been written. */
static enum kam_rc tell_progress(struct worker *w, size_t accounts)
{
    size_t done = atomic_fetch_add(w->done, accounts) + accounts;
    if (w->progress == NULL || w->progress(w->progress_ctx, KAM_SCORE_METRICS, done, w->p->n) == 0)
        return KAM_OK;
    return kam_err_set(&w->err, KAM_ERR_STORE, "the run was stopped before it was stored");
}

static void *read_chunks(void *arg)
{
    struct worker *w = arg;
    struct kam_store *st = w->st;
    struct kam_portfolio *p = w->p;
    struct chunk c = {0};
    c.category = w->shared->category;
    c.nproduct_ids = w->shared->nproduct_ids;
    uint32_t *marks = kam_xcalloc((size_t)w->shared->ncategories + 1, sizeof(*marks));
    enum kam_rc rc = KAM_OK;
    for (size_t i = w->first; i < w->nchunks && rc == KAM_OK; i += w->step) {
        if (atomic_load(w->stop))
            break;
        size_t from = w->bounds[i], to = w->bounds[i + 1];
        int64_t lo = p->ids[from], hi = p->ids[to - 1];
        chunk_clear(&c);
        bool kept = false;
        if ((rc = st->ops->months_range(st, lo, hi, on_month, &c, &w->err)) == KAM_OK &&
            (rc = st->ops->activity_range(st, lo, hi, on_activity, &c, &kept, &w->err)) == KAM_OK) {
            c.rows = !kept;
            for (size_t i = 0; i < c.activity.n && !c.rows; i++)
                c.rows = !c.activity.v[i].known ||
                         !kam_metrics_activity_fits(&p->period, &c.activity.v[i].a);
        }
        if (rc == KAM_OK && c.rows &&
            (rc = st->ops->orders_range(st, lo, hi, on_order, &c, &w->err)) == KAM_OK)
            rc = st->ops->product_cells_range(st, lo, hi, on_product, &c, &w->err);
        if (rc == KAM_OK &&
            (rc = st->ops->invoices_range(st, lo, hi, on_invoice, &c, &w->err)) == KAM_OK) {
            if (!c.rows)
                atomic_fetch_add(w->kept, to - from);
            rc = compute_chunk(p, w->est, from, to, &c, marks, &w->err);
        }
        if (rc == KAM_OK)
            rc = tell_progress(w, to - from);
    }
    if (rc != KAM_OK)
        atomic_store(w->stop, true);
    free(marks);
    VEC_FREE(c.months);
    VEC_FREE(c.orders);
    VEC_FREE(c.products);
    VEC_FREE(c.invoices);
    VEC_FREE(c.activity);
    w->rc = rc;
    return NULL;
}

/* Readers: one per core up to MAX_READERS, and no more than there are chunks. The environment
 * variable KAM_ENGINE_READERS (1..MAX_READERS) overrides the core count: the tests compare one
 * reader with several, and an operator can leave a core free. */
enum { MAX_READERS = 4 };

static size_t readers_for(size_t chunks)
{
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    const char *env = getenv("KAM_ENGINE_READERS");
    if (env != NULL && env[0] >= '1' && env[0] <= '0' + MAX_READERS && env[1] == '\0')
        cores = env[0] - '0';
    size_t r = cores > 0 ? (size_t)cores : 1;
    if (r > MAX_READERS)
        r = MAX_READERS;
    return r < chunks ? r : chunks;
}

/* The chunks of p into bounds (p->n + 1 entries), their number returned: CHUNK accounts each.
 * A scope's accounts are scattered over the ids, and a chunk reads the rows of every account
 * between its first and last id (the range queries know no scope), so there a chunk also ends
 * before it spans CHUNK ids: memory stays one chunk of inputs, whatever the scope. */
static size_t chunk_bounds(const struct kam_portfolio *p, bool scoped, size_t *bounds)
{
    size_t n = 0;
    for (size_t from = 0; from < p->n; n++) {
        size_t to = from + CHUNK < p->n ? from + CHUNK : p->n;
        if (scoped) {
            size_t end = from + 1;
            while (end < to && p->ids[end] - p->ids[from] < CHUNK)
                end++;
            to = end;
        }
        bounds[n] = from;
        from = to;
    }
    bounds[n] = p->n;
    return n;
}

/* The accounts of the portfolio: every one, or (o->scope) those the store reads for the scope,
 * with the account list's rule. */
static enum kam_rc read_accounts(struct kam_store *st, const struct kam_engine_opts *o,
                                 struct account_list *a, struct kam_err *err)
{
    enum kam_rc rc = st->ops->account_heads(st, o->scope, on_account, a, err);
    if (rc == KAM_OK && a->p->n == 0 && o->scope != NULL && o->scope->kind != KAM_SCOPE_ALL)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "there are no accounts in the user's scope");
    return rc;
}

enum kam_rc kam_engine_portfolio(struct kam_store *st, const struct kam_engine_opts *o,
                                 struct kam_portfolio *p, struct kam_err *err)
{
    return kam_engine_portfolio_with(st, o, NULL, NULL, p, err);
}

enum kam_rc kam_engine_portfolio_with(struct kam_store *st, const struct kam_engine_opts *o,
                                      kam_score_progress_fn progress, void *ctx,
                                      struct kam_portfolio *p, struct kam_err *err)
{
    memset(p, 0, sizeof(*p));
    kam_arena_init(&p->strings);
    struct chunk shared = {0};
    struct worker w[MAX_READERS];
    size_t nw = 0, *bounds = NULL, nchunks = 0;
    atomic_bool stop = false;
    atomic_size_t done = 0, kept = 0;
    enum kam_rc rc = resolve_as_of(st, o, p, err);
    if (rc != KAM_OK)
        return rc;
    struct account_list a = {p, NULL, 0};
    if ((rc = read_accounts(st, o, &a, err)) != KAM_OK)
        goto out;
    if (p->n == 0) {
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "there are no accounts: import some first");
        goto out;
    }
    p->m = kam_xcalloc(p->n, sizeof(*p->m));
    p->stage = kam_xcalloc(p->n, sizeof(*p->stage));
    p->series = kam_xcalloc(p->n * KAM_ENGINE_SERIES, sizeof(*p->series));
    struct categories cats = {&shared, {0}};
    kam_strmap_init(&cats.names);
    rc = st->ops->each(st, &kam_products, 0, on_product_row, &cats, err);
    kam_strmap_release(&cats.names);
    if (rc != KAM_OK)
        goto out;

    if (progress != NULL && progress(ctx, KAM_SCORE_METRICS, 0, p->n) != 0) {
        rc = kam_err_set(err, KAM_ERR_STORE, "the run was stopped before it was stored");
        goto out;
    }
    bounds = kam_xmalloc((p->n + 1) * sizeof(*bounds));
    nchunks = chunk_bounds(p, o->scope != NULL && o->scope->kind != KAM_SCOPE_ALL, bounds);
    /* Reader 0 uses the caller's connection; the others open their own. A reader that cannot
     * be opened is simply not started: fewer threads, same result. */
    size_t want = readers_for(nchunks);
    for (nw = 0; nw < want; nw++) {
        struct kam_store *rst = st;
        if (nw > 0 && st->ops->reopen(st, &rst, &w[nw].err) != KAM_OK)
            break;
        w[nw] = (struct worker){.st = rst, .p = p, .est = a.est, .shared = &shared, .first = nw};
        w[nw].bounds = bounds;
        w[nw].nchunks = nchunks;
        w[nw].stop = &stop;
        w[nw].done = &done;
        w[nw].kept = &kept;
        w[nw].progress = progress;
        w[nw].progress_ctx = ctx;
    }
    for (size_t i = 0; i < nw; i++)
        w[i].step = nw;
    size_t started = 1;
    for (; started < nw; started++)
        if (pthread_create(&w[started].thread, NULL, read_chunks, &w[started]) != 0)
            break;
    if (started < nw) { /* the chunks of the readers not started are not read: give up */
        atomic_store(&stop, true);
        rc = kam_err_set(err, KAM_ERR_STORE, "cannot start a reader thread");
    }
    read_chunks(&w[0]);
    for (size_t i = 1; i < started; i++)
        pthread_join(w[i].thread, NULL);
    for (size_t i = 0; i < started && rc == KAM_OK; i++)
        if (w[i].rc != KAM_OK) {
            *err = w[i].err;
            rc = w[i].rc;
        }
    if (rc == KAM_OK) {
        kam_metrics_share(p->m, p->n);
        p->kept_activity = atomic_load(&kept);
    }
out:
    for (size_t i = 1; i < nw; i++)
        kam_store_close(w[i].st);
    free(shared.category);
    free(a.est);
    free(bounds);
    if (rc != KAM_OK)
        kam_portfolio_release(p);
    return rc;
}

void kam_portfolio_release(struct kam_portfolio *p)
{
    kam_arena_release(&p->strings);
    free(p->ids);
    free(p->codes);
    free(p->names);
    free(p->m);
    free(p->stage);
    free(p->series);
    memset(p, 0, sizeof(*p));
}

ptrdiff_t kam_portfolio_find(const struct kam_portfolio *p, const char *code)
{
    for (size_t i = 0; i < p->n; i++)
        if (strcmp(p->codes[i], code) == 0)
            return (ptrdiff_t)i;
    return -1;
}

enum kam_rc kam_engine_save_metrics(struct kam_store *st, const struct kam_portfolio *p,
                                    struct kam_err *err)
{
    enum kam_rc rc = st->ops->begin(st, err);
    for (size_t i = 0; i < p->n && rc == KAM_OK; i++) {
        struct kam_metrics_row row = {.window_months = p->period.window_months,
                                      .m = p->m[i],
                                      .stage = kam_lifecycle_stage_name(p->stage[i].stage)};
        memcpy(row.as_of, p->as_of, sizeof(row.as_of));
        rc = st->ops->metrics_put(st, p->ids[i], &row, err);
    }
    if (rc == KAM_OK)
        return st->ops->commit(st, err);
    struct kam_err ignored;
    (void)st->ops->rollback(st, &ignored);
    return rc;
}
