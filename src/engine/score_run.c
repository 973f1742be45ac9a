/* A scoring run: the portfolio's metrics (engine.c) and the ratings become the value matrix of
 * the model's indicators; weighted points or fuzzy evaluation give each account a score, the
 * tier rule a tier (pinned tiers kept and flagged), and the run, the scores and each account's
 * explanation are stored in one transaction, with the run's audit entry. docs/scoring-model.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "engine/engine.h"
#include "io/model.h"
#include "util/map.h"
#include "util/mem.h"

enum kam_rc kam_engine_model(struct kam_store *st, struct kam_model **model, int64_t *version,
                             char **body, struct kam_err *err)
{
    char *text = NULL;
    enum kam_rc rc = st->ops->model_get(st, 0, version, &text, err);
    if (rc == KAM_ERR_NOT_FOUND) {
        if ((rc = kam_model_canonical(kam_model_default_json, strlen(kam_model_default_json), &text,
                                      err)) != KAM_OK)
            return rc;
        if ((rc = st->ops->begin(st, err)) == KAM_OK) {
            rc = st->ops->model_save(st, "default", text, version, err);
            struct kam_err ignored;
            rc = rc == KAM_OK ? st->ops->commit(st, err) : (st->ops->rollback(st, &ignored), rc);
        }
    }
    if (rc == KAM_OK && (rc = kam_model_parse(text, strlen(text), model, err)) != KAM_OK)
        rc = kam_err_prefix(err, "stored model version %lld", (long long)*version);
    if (rc == KAM_OK && body != NULL)
        *body = text;
    else
        free(text);
    return rc;
}

struct ratings {
    const struct kam_model *model;
    struct kam_u64map slot; /* account id -> row in values */
    double *values;         /* n x nratings, NaN when not rated */
};

static int on_rating(void *ctx, int64_t account, const char *name, double value, const char *note)
{
    struct ratings *r = ctx;
    (void)note;
    int k = kam_model_rating_find(r->model, name);
    uint32_t row;
    if (k >= 0 && kam_u64map_get(&r->slot, (uint64_t)account, &row))
        r->values[(size_t)row * r->model->nratings + (size_t)k] = value;
    return 0; /* ratings of indicators the model does not use are kept, not used */
}

struct pins {
    struct kam_u64map *slot;
    enum kam_tier *tier;
};

static int on_pin(void *ctx, int64_t account, const char *tier)
{
    struct pins *p = ctx;
    uint32_t row;
    if (!kam_u64map_get(p->slot, (uint64_t)account, &row))
        return 0;
    for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL; t++)
        if (strcmp(tier, kam_tier_name((enum kam_tier)t)) == 0)
            p->tier[row] = (enum kam_tier)t;
    return 0;
}

static const char *const source_names[] = {"value", "missing", "uncovered"};

static json_t *number(double v)
{
    return isfinite(v) ? json_real(v) : json_null();
}

/* The explanation of one account's score, stored with its metrics as bytes and turned into
 * JSON only when someone asks (kam_engine_explain): building the JSON of every account of a
 * large portfolio cost more than the whole scoring. Format 1, little-endian:
 *   0: format (1), 1: indicators k, 2: method, 3: tier, 4: computed tier, 5: pinned,
 *   8: model version (int64), 16: score, 24: points to the next tier (NaN when none),
 *   32 + 25 i: indicator i's raw value, points and weight (IEEE doubles) and source (a byte). */
enum { EX_FORMAT = 1, EX_HEAD = 32, EX_ITEM = 25 };
#define EX_SIZE(k) ((size_t)EX_HEAD + (size_t)(k)*EX_ITEM)

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static void put_f64(unsigned char *p, double d)
{
    uint64_t v;
    memcpy(&v, &d, sizeof(v));
    put_u64(p, v);
}

static double get_f64(const unsigned char *p)
{
    uint64_t v = get_u64(p);
    double d;
    memcpy(&d, &v, sizeof(d));
    return d;
}

static size_t encode_explanation(unsigned char *buf, const struct kam_model *m, int64_t version,
                                 const struct kam_score_result *r, const struct kam_tier_result *t)
{
    size_t k = m->nindicators;
    memset(buf, 0, EX_HEAD);
    buf[0] = EX_FORMAT;
    buf[1] = (unsigned char)k;
    buf[2] = (unsigned char)m->method;
    buf[3] = (unsigned char)t->tier;
    buf[4] = (unsigned char)t->computed;
    buf[5] = t->pinned;
    put_u64(buf + 8, (uint64_t)version);
    put_f64(buf + 16, r->score);
    put_f64(buf + 24, t->to_next);
    for (size_t i = 0; i < k; i++) {
        unsigned char *p = buf + EX_HEAD + i * EX_ITEM;
        put_f64(p, r->items[i].raw);
        put_f64(p + 8, r->items[i].points);
        put_f64(p + 16, r->items[i].weight);
        p[24] = (unsigned char)r->items[i].source;
    }
    return EX_SIZE(k);
}

static const char *tier_byte(unsigned char b)
{
    return b <= KAM_TIER_SMALL ? kam_tier_name((enum kam_tier)b) : "?";
}

/* The JSON of an encoded explanation, named with the indicators of its model version m. */
static enum kam_rc decode_explanation(const unsigned char *b, size_t size,
                                      const struct kam_model *m, json_t **out, struct kam_err *err)
{
    size_t k = b[1];
    if (size != EX_SIZE(k) || k != m->nindicators)
        return kam_err_set(err, KAM_ERR_STORE,
                           "the stored explanation (%zu bytes) does not match its model version: "
                           "run kam score again",
                           size);
    json_t *items = json_array();
    for (size_t i = 0; i < k; i++) {
        const struct kam_model_indicator *ind = &m->indicators[i];
        const unsigned char *p = b + EX_HEAD + i * EX_ITEM;
        double points = get_f64(p + 8), weight = get_f64(p + 16);
        json_array_append_new(
            items, json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:s}", "indicator", ind->name, "group",
                             kam_model_group_name(ind->group), "source",
                             ind->source == KAM_MODEL_METRIC ? "metric" : "rating", "raw",
                             number(get_f64(p)), "points", number(points), "weight", number(weight),
                             "contribution", number(weight * points), "from",
                             source_names[p[24] < 3 ? p[24] : 0]));
    }
    *out =
        json_pack("{s:I,s:s,s:f,s:s,s:s,s:b,s:o,s:o}", "model_version", (json_int_t)get_u64(b + 8),
                  "method", kam_model_method_name((enum kam_model_method)b[2]), "score",
                  get_f64(b + 16), "tier", tier_byte(b[3]), "computed", tier_byte(b[4]), "pinned",
                  b[5] != 0, "to_next", number(get_f64(b + 24)), "items", items);
    return KAM_OK;
}

struct latest_metrics {
    char as_of[11], stage[16];
    unsigned char *ex;
    size_t size;
};

static int on_latest(void *ctx, int64_t id, const struct kam_metrics_row *row)
{
    struct latest_metrics *l = ctx;
    (void)id;
    snprintf(l->as_of, sizeof(l->as_of), "%s", row->as_of);
    snprintf(l->stage, sizeof(l->stage), "%s", row->stage);
    if (row->explanation != NULL) {
        l->size = row->explanation_size;
        l->ex = kam_xmalloc(l->size + 1);
        memcpy(l->ex, row->explanation, l->size);
    }
    return 1;
}

enum kam_rc kam_engine_explain(struct kam_store *st, int64_t account_id, const char *code,
                               struct kam_explanation *out, struct kam_err *err)
{
    struct latest_metrics l = {"", "", NULL, 0};
    struct kam_model *m = NULL;
    char *body = NULL;
    int64_t version = 0;
    memset(out, 0, sizeof(*out));
    enum kam_rc rc = st->ops->metrics_each(st, account_id, on_latest, &l, err);
    if (rc == KAM_OK && l.ex == NULL)
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "account '%s' has not been scored: run kam score",
                         code);
    if (rc == KAM_OK && (l.size < EX_HEAD || l.ex[0] != EX_FORMAT))
        rc = kam_err_set(err, KAM_ERR_STORE,
                         "the stored explanation of account '%s' is not in a known format: run "
                         "kam score again",
                         code);
    if (rc == KAM_OK)
        rc = st->ops->model_get(st, (int64_t)get_u64(l.ex + 8), &version, &body, err);
    if (rc == KAM_OK && (rc = kam_model_parse(body, strlen(body), &m, err)) != KAM_OK)
        rc = kam_err_prefix(err, "stored model version %lld", (long long)version);
    if (rc == KAM_OK && (rc = decode_explanation(l.ex, l.size, m, &out->json, err)) == KAM_OK) {
        memcpy(out->as_of, l.as_of, sizeof(out->as_of));
        memcpy(out->stage, l.stage, sizeof(out->stage));
    }
    kam_model_free(m);
    free(body);
    free(l.ex);
    return rc;
}

/* Fuzzy method: the evaluation's score, with the weighted memberships as the items. */
static enum kam_rc fuzzy_scores(const struct kam_model *m, const double *values, size_t n,
                                struct kam_score_item *items, struct kam_score_result *out,
                                struct kam_err *err)
{
    size_t k = m->nindicators;
    struct kam_fuzzy_result fr;
    for (size_t a = 0; a < n; a++) {
        enum kam_rc rc = kam_fuzzy_evaluate(&m->fuzzy, values + a * k, &fr, err);
        if (rc != KAM_OK)
            return rc;
        struct kam_score_result *r = &out[a];
        memset(r, 0, sizeof(*r));
        r->score = fr.score;
        r->nitems = k;
        r->items = items + a * k;
        r->missing = fr.missing;
        for (size_t i = 0; i < k; i++) {
            /* An indicator's points: the grade scores weighted by its memberships. */
            double mass = 0, pts = 0;
            for (size_t g = 0; g < fr.ngrades; g++) {
                mass += fr.r[i][g];
                pts += fr.r[i][g] * m->fuzzy.grades[g].score;
            }
            r->items[i] = (struct kam_score_item){
                .raw = values[a * k + i],
                .points = mass > 0 ? pts / mass : 0,
                .weight = fr.w[i],
                .contribution = mass > 0 ? fr.w[i] * pts / mass : 0,
                .source = isnan(values[a * k + i]) ? KAM_SCORE_FROM_MISSING : KAM_SCORE_FROM_VALUE,
            };
        }
    }
    return KAM_OK;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Appends the run's audit entry ("score.run", key the run id, after {as_of, model_version,
 * accounts}) inside the caller's transaction. */
static enum kam_rc audit_run(struct kam_store *st, const char *actor, const struct kam_run *run,
                             struct kam_err *err)
{
    char key[24];
    snprintf(key, sizeof(key), "%lld", (long long)run->id);
    json_t *after =
        json_pack("{s:s,s:I,s:I}", "as_of", run->as_of, "model_version",
                  (json_int_t)run->model_version, "accounts", (json_int_t)run->accounts);
    char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    json_decref(after);
    if (a == NULL)
        KAM_BUG("json_pack failed on a scoring run's audit entry");
    struct kam_audit_entry e = {
        .actor = actor, .action = "score.run", .entity = "run", .entity_key = key, .after = a};
    enum kam_rc rc = st->ops->audit_append(st, &e, err);
    free(a);
    return rc;
}

const char *kam_score_phase_name(enum kam_score_phase phase)
{
    static const char *const names[] = {"metrics", "scores", "store"};
    return (size_t)phase < sizeof(names) / sizeof(names[0]) ? names[phase] : "?";
}

/* How often the storing phase tells its progress: often enough for a smooth bar, rarely
 * enough to cost nothing beside 1024 rows written. */
enum { STORE_PROGRESS_EVERY = 1024 };

/* Tells o's progress callback; KAM_ERR_STORE when it asks to stop (the caller is at a safe
 * point: nothing written, or a transaction it rolls back). */
static enum kam_rc tell(const struct kam_score_opts *o, enum kam_score_phase phase, size_t done,
                        size_t total, struct kam_err *err)
{
    if (o->progress == NULL || o->progress(o->progress_ctx, phase, done, total) == 0)
        return KAM_OK;
    return kam_err_set(err, KAM_ERR_STORE, "the run was stopped before it was stored");
}

/* Stores the run with its audit entry. The account ids were read at data version `seen`: when
 * no other connection has committed since, they all still exist and the foreign-key lookups (a
 * third of the time of storing) are skipped; otherwise the transaction is checked as usual. */
static enum kam_rc store_run(struct kam_store *st, const char *actor, const struct kam_portfolio *p,
                             const struct kam_model *m, int64_t seen, struct kam_run *run,
                             const struct kam_score_result *res,
                             const struct kam_tier_result *tiers, const struct kam_score_opts *o,
                             struct kam_err *err)
{
    unsigned char ex[EX_SIZE(KAM_SCORE_MAX_INDICATORS)];
    int64_t now_version = 0;
    struct kam_err ignored;
    enum kam_rc rc = st->ops->begin_trusted(st, err);
    if (rc == KAM_OK && (rc = st->ops->data_version(st, &now_version, err)) == KAM_OK &&
        now_version != seen) {
        (void)st->ops->rollback(st, &ignored); /* nothing written yet */
        rc = st->ops->begin(st, err);
    }
    if (rc == KAM_OK)
        rc = st->ops->run_add(st, run, &run->id, err);
    for (size_t a = 0; a < p->n && rc == KAM_OK; a++) {
        if (a > 0 && a % STORE_PROGRESS_EVERY == 0 &&
            (rc = tell(o, KAM_SCORE_STORE, a, p->n, err)) != KAM_OK)
            break;
        const char *stage = kam_lifecycle_stage_name(p->stage[a].stage);
        struct kam_score_row row = {
            .run = run->id,
            .account_id = p->ids[a],
            .score = res[a].score,
            .tier = kam_tier_name(tiers[a].tier),
            .computed = kam_tier_name(tiers[a].computed),
            .stage = stage,
            .pinned = tiers[a].pinned,
            .to_next = tiers[a].to_next,
        };
        if ((rc = st->ops->score_add(st, run->id, &row, err)) != KAM_OK)
            break;
        struct kam_metrics_row mr = {.window_months = p->period.window_months,
                                     .m = p->m[a],
                                     .stage = stage,
                                     .explanation = ex};
        mr.explanation_size = encode_explanation(ex, m, run->model_version, &res[a], &tiers[a]);
        memcpy(mr.as_of, p->as_of, sizeof(mr.as_of));
        rc = st->ops->metrics_put(st, p->ids[a], &mr, err);
    }
    if (rc == KAM_OK)
        rc = audit_run(st, actor, run, err);
    if (rc == KAM_OK)
        return st->ops->commit(st, err);
    (void)st->ops->rollback(st, &ignored);
    return rc;
}

enum kam_rc kam_engine_score(struct kam_store *st, const char *actor, const char *as_of,
                             struct kam_score_outcome *out, struct kam_err *err)
{
    struct kam_score_opts o = {.as_of = as_of};
    return kam_engine_score_with(st, actor, &o, out, err);
}

enum kam_rc kam_engine_score_with(struct kam_store *st, const char *actor,
                                  const struct kam_score_opts *so, struct kam_score_outcome *out,
                                  struct kam_err *err)
{
    double t0 = now();
    struct kam_model *m = NULL;
    int64_t version = 0;
    memset(out, 0, sizeof(*out));
    enum kam_rc rc = kam_engine_model(st, &m, &version, NULL, err);
    if (rc != KAM_OK)
        return rc;
    struct kam_portfolio p;
    struct kam_engine_opts o = {.as_of = so->as_of, .window_months = m->window_months};
    int64_t seen = 0;
    if ((rc = st->ops->data_version(st, &seen, err)) != KAM_OK ||
        (rc = kam_engine_portfolio_with(st, &o, so->progress, so->progress_ctx, &p, err)) !=
            KAM_OK) {
        kam_model_free(m);
        return rc;
    }
    double t1 = now();
    out->portfolio_seconds = t1 - t0;
    out->kept_activity = p.kept_activity;
    size_t n = p.n, k = m->nindicators;
    struct ratings r = {m, {0}, NULL};
    kam_u64map_init(&r.slot);
    for (size_t a = 0; a < n; a++) {
        bool inserted;
        *kam_u64map_upsert(&r.slot, (uint64_t)p.ids[a], &inserted) = (uint32_t)a;
    }
    r.values = kam_xmalloc((n * m->nratings + 1) * sizeof(double));
    for (size_t i = 0; i < n * m->nratings; i++)
        r.values[i] = NAN;
    double *values = kam_xmalloc(n * k * sizeof(double));
    double *work = kam_xmalloc(n * sizeof(double));
    struct kam_score_result *res = kam_xmalloc(n * sizeof(*res));
    struct kam_score_item *items = kam_xmalloc(n * k * sizeof(*items));
    struct kam_tier_result *tiers = kam_xmalloc(n * sizeof(*tiers));
    enum kam_tier *pinned = kam_xmalloc(n * sizeof(*pinned));
    for (size_t a = 0; a < n; a++)
        pinned[a] = KAM_TIER_NONE;
    struct pins pins = {&r.slot, pinned};

    if ((rc = tell(so, KAM_SCORE_SCORES, 0, n, err)) != KAM_OK ||
        (rc = st->ops->rating_each(st, 0, on_rating, &r, err)) != KAM_OK ||
        (rc = st->ops->pin_each(st, on_pin, &pins, err)) != KAM_OK)
        goto out;
    for (size_t a = 0; a < n; a++)
        for (size_t i = 0; i < k; i++) {
            const struct kam_model_indicator *ind = &m->indicators[i];
            values[a * k + i] = ind->source == KAM_MODEL_METRIC
                                    ? kam_metric_value(&p.m[a], ind->index)
                                    : r.values[a * m->nratings + ind->index];
        }
    rc = m->method == KAM_MODEL_FUZZY ? fuzzy_scores(m, values, n, items, res, err)
                                      : kam_score_run(&m->score, values, n, work, items, res, err);
    if (rc != KAM_OK)
        goto out;
    for (size_t a = 0; a < n; a++)
        work[a] = res[a].score;
    if ((rc = kam_score_tiers(&m->tiers, work, pinned, n, values /* scratch, n >= n */, tiers,
                              err)) != KAM_OK)
        goto out;
    out->score_seconds = now() - t1;
    /* The last point to stop at before anything is written. */
    if ((rc = tell(so, KAM_SCORE_STORE, 0, n, err)) != KAM_OK)
        goto out;

    struct kam_run run = {
        .window_months = p.period.window_months, .model_version = version, .accounts = (int64_t)n};
    memcpy(run.as_of, p.as_of, sizeof(run.as_of));
    time_t wall = time(NULL);
    struct tm tm;
    gmtime_r(&wall, &tm);
    strftime(run.started_at, sizeof(run.started_at), "%Y-%m-%dT%H:%M:%SZ", &tm);
    run.seconds = now() - t0;
    double t2 = now();
    if ((rc = store_run(st, actor, &p, m, seen, &run, res, tiers, so, err)) != KAM_OK)
        goto out;
    out->store_seconds = now() - t2;
    /* Stored: nothing is left to stop, whatever the answer. */
    if (so->progress != NULL)
        (void)so->progress(so->progress_ctx, KAM_SCORE_STORE, n, n);

    out->run = run.id;
    out->model_version = version;
    memcpy(out->as_of, p.as_of, sizeof(out->as_of));
    out->accounts = n;
    for (size_t a = 0; a < n; a++) {
        out->tiers[tiers[a].tier]++;
        out->pin_differs += tiers[a].pin_differs;
        out->missing += res[a].missing;
    }
    out->seconds = now() - t0;
out:
    kam_u64map_release(&r.slot);
    free(r.values);
    free(values);
    free(work);
    free(res);
    free(items);
    free(tiers);
    free(pinned);
    kam_portfolio_release(&p);
    kam_model_free(m);
    return rc;
}

/* --- changes ------------------------------------------------------------------------------ */

struct run_ids {
    int64_t ids[2];
    int n;
};

static int on_run(void *ctx, const struct kam_run *run)
{
    struct run_ids *r = ctx;
    r->ids[r->n++] = run->id;
    return r->n == 2;
}

struct snapshot {
    size_t n, cap;
    int64_t *account;
    double *score;
    char (*tier)[12];
    const struct kam_u64map *scope; /* the ids of the accounts in scope; NULL: every account */
};

static int on_score(void *ctx, const struct kam_score_row *row)
{
    struct snapshot *s = ctx;
    uint32_t unused;
    if (s->scope != NULL && !kam_u64map_get(s->scope, (uint64_t)row->account_id, &unused))
        return 0;
    if (s->n == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->account = kam_xrealloc(s->account, s->cap * sizeof(*s->account));
        s->score = kam_xrealloc(s->score, s->cap * sizeof(*s->score));
        s->tier = kam_xrealloc(s->tier, s->cap * sizeof(*s->tier));
    }
    s->account[s->n] = row->account_id;
    s->score[s->n] = row->score;
    snprintf(s->tier[s->n], sizeof(s->tier[0]), "%s", row->tier);
    s->n++;
    return 0;
}

static int tier_rank(const char *t)
{
    for (int i = KAM_TIER_KEY; i <= KAM_TIER_SMALL; i++)
        if (strcmp(t, kam_tier_name((enum kam_tier)i)) == 0)
            return i;
    return KAM_TIER_SMALL + 1; /* not scored before: below small */
}

struct change {
    size_t cur, prev; /* prev = SIZE_MAX: new */
    int steps;        /* > 0 upgrade by that many tiers */
};

static int by_change(const void *a, const void *b)
{
    const struct change *x = a, *y = b;
    if ((x->steps > 0) != (y->steps > 0))
        return x->steps > 0 ? -1 : 1;
    int ax = abs(x->steps), ay = abs(y->steps);
    if (ax != ay)
        return ay - ax;
    return x->cur < y->cur ? -1 : x->cur > y->cur;
}

struct names {
    struct kam_u64map slot;
    char **codes, **names;
    size_t n, cap;
};

static int on_name(void *ctx, int64_t id, const struct kam_value *v)
{
    struct names *nm = ctx;
    if (nm->n == nm->cap) {
        nm->cap = nm->cap ? nm->cap * 2 : 1024;
        nm->codes = kam_xrealloc(nm->codes, nm->cap * sizeof(*nm->codes));
        nm->names = kam_xrealloc(nm->names, nm->cap * sizeof(*nm->names));
    }
    bool inserted;
    *kam_u64map_upsert(&nm->slot, (uint64_t)id, &inserted) = (uint32_t)nm->n;
    nm->codes[nm->n] = kam_xstrdup(v[KAM_ACC_CODE].s);
    nm->names[nm->n] = kam_xstrdup(v[KAM_ACC_NAME].s);
    nm->n++;
    return 0;
}

enum kam_rc kam_engine_changes(struct kam_store *st, int64_t *latest, int64_t *previous,
                               int (*fn)(void *ctx, const struct kam_tier_change *c), void *ctx,
                               struct kam_err *err)
{
    return kam_engine_changes_scoped(st, NULL, latest, previous, fn, ctx, err);
}

static int on_scope_id(void *ctx, int64_t id, const struct kam_value *v)
{
    bool inserted;
    (void)v;
    *kam_u64map_upsert(ctx, (uint64_t)id, &inserted) = 1;
    return 0;
}

/* The rows of both runs (of the scope's accounts only, when scoped) and the accounts' names. The
 * runs' rows hold no owner: the scope's account ids, as the store gives them, decide. */
static enum kam_rc read_changes(struct kam_store *st, const struct kam_scope *scope,
                                const struct run_ids *runs, struct kam_u64map *ids,
                                struct snapshot *cur, struct snapshot *prev, struct names *nm,
                                struct kam_err *err)
{
    enum kam_rc rc;
    bool scoped = scope != NULL && scope->kind != KAM_SCOPE_ALL;
    if (scoped) {
        if ((rc = st->ops->account_each_scoped(st, scope, on_scope_id, ids, err)) != KAM_OK)
            return rc;
        cur->scope = prev->scope = ids;
    }
    if ((rc = st->ops->score_each(st, runs->ids[0], 0, on_score, cur, err)) != KAM_OK ||
        (rc = st->ops->score_each(st, runs->ids[1], 0, on_score, prev, err)) != KAM_OK)
        return rc;
    return scoped ? st->ops->account_each_scoped(st, scope, on_name, nm, err)
                  : st->ops->each(st, &kam_accounts, 0, on_name, nm, err);
}

enum kam_rc kam_engine_changes_scoped(struct kam_store *st, const struct kam_scope *scope,
                                      int64_t *latest, int64_t *previous,
                                      int (*fn)(void *ctx, const struct kam_tier_change *c),
                                      void *ctx, struct kam_err *err)
{
    struct run_ids runs = {{0, 0}, 0};
    struct snapshot cur = {0}, prev = {0};
    struct names nm = {0};
    struct change *ch = NULL;
    struct kam_u64map ids;
    kam_u64map_init(&nm.slot);
    kam_u64map_init(&ids);
    *latest = *previous = 0;
    enum kam_rc rc = st->ops->run_list(st, 2, on_run, &runs, err);
    if (rc != KAM_OK || runs.n < 2) {
        *latest = runs.n > 0 ? runs.ids[0] : 0;
        goto out;
    }
    *latest = runs.ids[0];
    *previous = runs.ids[1];
    if ((rc = read_changes(st, scope, &runs, &ids, &cur, &prev, &nm, err)) != KAM_OK)
        goto out;
    /* Both lists are by account id: walk them together. */
    ch = kam_xmalloc((cur.n + 1) * sizeof(*ch));
    size_t nch = 0, j = 0;
    for (size_t i = 0; i < cur.n; i++) {
        while (j < prev.n && prev.account[j] < cur.account[i])
            j++;
        bool was = j < prev.n && prev.account[j] == cur.account[i];
        int from = was ? tier_rank(prev.tier[j]) : KAM_TIER_SMALL + 1;
        int to = tier_rank(cur.tier[i]);
        if (from != to)
            ch[nch++] = (struct change){i, was ? j : SIZE_MAX, from - to};
    }
    qsort(ch, nch, sizeof(*ch), by_change);
    for (size_t c = 0; c < nch; c++) {
        uint32_t row = 0;
        size_t i = ch[c].cur, pj = ch[c].prev;
        bool named = kam_u64map_get(&nm.slot, (uint64_t)cur.account[i], &row);
        struct kam_tier_change tc = {
            .account_id = cur.account[i],
            .code = named ? nm.codes[row] : "",
            .name = named ? nm.names[row] : "",
            .from = pj == SIZE_MAX ? "" : prev.tier[pj],
            .to = cur.tier[i],
            .score_from = pj == SIZE_MAX ? NAN : prev.score[pj],
            .score_to = cur.score[i],
        };
        if (fn(ctx, &tc) != 0)
            break;
    }
out:
    free(ch);
    free(cur.account);
    free(cur.score);
    free(cur.tier);
    free(prev.account);
    free(prev.score);
    free(prev.tier);
    for (size_t i = 0; i < nm.n; i++) {
        free(nm.codes[i]);
        free(nm.names[i]);
    }
    free(nm.codes);
    free(nm.names);
    kam_u64map_release(&nm.slot);
    kam_u64map_release(&ids);
    return rc;
}
