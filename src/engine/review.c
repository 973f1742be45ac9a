/* The periodic review (DOMAIN.md "Periodic review", 定期盘点): the candidates of the latest
 * scoring run under the four review reasons of core/review.h, each with its sentence and the
 * numbers behind it. Reads only what is stored: the two latest runs and their scores, each
 * account's latest metrics (for the growth) and the accounts (code, name, justification).
 *
 * Within a scope (the HTTP API's managers, reps and viewers) only the scored accounts the store
 * gives for the scope are reviewed: the run's rows hold no owner, so the scope's account ids
 * (account_each_scoped, the account list's rule) decide which rows are read in.
 *
 * Deliberately not here: computing anything again (a review judges the stored run, so what it
 * says matches `kam explain` and `kam changes`), and printing. docs/method-review.md. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "util/map.h"
#include "util/mem.h"

struct runs {
    struct kam_run run[2];
    int n;
};

static int on_run(void *ctx, const struct kam_run *run)
{
    struct runs *r = ctx;
    r->run[r->n++] = *run;
    return r->n == 2;
}

static enum kam_tier tier_of(const char *name)
{
    for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL; t++)
        if (strcmp(name, kam_tier_name((enum kam_tier)t)) == 0)
            return (enum kam_tier)t;
    return KAM_TIER_NONE;
}

static enum kam_lifecycle_stage stage_of(const char *name)
{
    for (int s = 0; s < KAM_LIFECYCLE_STAGES; s++)
        if (strcmp(name, kam_lifecycle_stage_name((enum kam_lifecycle_stage)s)) == 0)
            return (enum kam_lifecycle_stage)s;
    return KAM_LIFECYCLE_NONE;
}

/* Everything known about the accounts of the latest run, by row. */
struct facts {
    size_t n, cap;
    int64_t *id;
    struct kam_review_input *in;
    const char **code, **name;
    struct kam_u64map slot;  /* account id -> row */
    struct kam_u64map scope; /* the ids of the accounts in scope, when scoped */
    bool scoped;
    struct kam_arena arena; /* codes and names */
};

static int on_scoped_account(void *ctx, int64_t id, const struct kam_value *v)
{
    struct facts *f = ctx;
    bool inserted;
    (void)v;
    *kam_u64map_upsert(&f->scope, (uint64_t)id, &inserted) = 1;
    return 0;
}

static int on_latest(void *ctx, const struct kam_score_row *row)
{
    struct facts *f = ctx;
    uint32_t unused;
    if (f->scoped && !kam_u64map_get(&f->scope, (uint64_t)row->account_id, &unused))
        return 0;
    if (f->n == f->cap) {
        f->cap = f->cap ? f->cap * 2 : 1024;
        f->id = kam_xrealloc(f->id, f->cap * sizeof(*f->id));
        f->in = kam_xrealloc(f->in, f->cap * sizeof(*f->in));
        f->code = kam_xrealloc(f->code, f->cap * sizeof(*f->code));
        f->name = kam_xrealloc(f->name, f->cap * sizeof(*f->name));
    }
    bool inserted;
    *kam_u64map_upsert(&f->slot, (uint64_t)row->account_id, &inserted) = (uint32_t)f->n;
    f->id[f->n] = row->account_id;
    f->code[f->n] = f->name[f->n] = "";
    f->in[f->n] = (struct kam_review_input){
        .score = row->score,
        .tier = tier_of(row->tier),
        .computed = tier_of(row->computed),
        .pinned = row->pinned,
        .to_next = row->to_next,
        .prev_score = NAN,
        .prev_tier = KAM_TIER_NONE,
        .stage = stage_of(row->stage),
        .growth = NAN,
        .has_justification = false,
    };
    f->n++;
    return 0;
}

static int on_previous(void *ctx, const struct kam_score_row *row)
{
    struct facts *f = ctx;
    uint32_t i;
    if (kam_u64map_get(&f->slot, (uint64_t)row->account_id, &i)) {
        f->in[i].prev_score = row->score;
        f->in[i].prev_tier = tier_of(row->tier);
    }
    return 0;
}

static int on_metrics(void *ctx, int64_t account_id, const struct kam_metrics_row *row)
{
    struct facts *f = ctx;
    uint32_t i;
    if (kam_u64map_get(&f->slot, (uint64_t)account_id, &i))
        f->in[i].growth = row->m.growth;
    return 0;
}

/* A justification of blanks only (ASCII white space, the ideographic space U+3000) is none. */
static bool stated(const char *s, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        if (s[k] == ' ' || s[k] == '\t' || s[k] == '\r' || s[k] == '\n')
            continue;
        if (k + 2 < len && memcmp(s + k, "\xe3\x80\x80", 3) == 0) {
            k += 2;
            continue;
        }
        return true;
    }
    return false;
}

static int on_account(void *ctx, int64_t id, const struct kam_value *v)
{
    struct facts *f = ctx;
    uint32_t i;
    if (!kam_u64map_get(&f->slot, (uint64_t)id, &i))
        return 0; /* created after the run: not reviewed until it is scored */
    f->code[i] = kam_arena_strndup(&f->arena, v[KAM_ACC_CODE].s, v[KAM_ACC_CODE].len);
    f->name[i] = kam_arena_strndup(&f->arena, v[KAM_ACC_NAME].s, v[KAM_ACC_NAME].len);
    const struct kam_value *j = &v[KAM_ACC_JUSTIFICATION];
    f->in[i].has_justification = !j->null && stated(j->s, j->len);
    return 0;
}

/* One finding with its place in the list. */
struct entry {
    size_t row;
    struct kam_review_finding f;
    int primary;      /* smaller first */
    double secondary; /* smaller first */
};

static int by_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->f.reason != y->f.reason)
        return x->f.reason < y->f.reason ? -1 : 1;
    if (x->primary != y->primary)
        return x->primary < y->primary ? -1 : 1;
    if (x->secondary != y->secondary)
        return x->secondary < y->secondary ? -1 : 1;
    return (x->row > y->row) - (x->row < y->row);
}

static int best_tier(const struct kam_review_input *in)
{
    int t = in->tier == KAM_TIER_NONE ? KAM_TIER_SMALL + 1 : in->tier;
    if (in->prev_tier != KAM_TIER_NONE && in->prev_tier < t)
        t = in->prev_tier;
    return t;
}

/* The order within each list: the most urgent first. below_tier: the biggest drop, then the
 * best score; declining: the best tier, then the steepest growth; no_justification: the best
 * score; promotion: pins first, then the closest to the next tier. */
static void place(struct entry *e, const struct kam_review_input *in)
{
    switch (e->f.reason) {
    case KAM_REVIEW_BELOW_TIER: {
        int held = e->f.cause == KAM_REVIEW_PINNED_ABOVE ? in->tier : in->prev_tier;
        int now = e->f.cause == KAM_REVIEW_PINNED_ABOVE ? in->computed : in->tier;
        e->primary = held - now; /* negative: more tiers lost sorts first */
        e->secondary = -in->score;
        break;
    }
    case KAM_REVIEW_DECLINING:
        e->primary = best_tier(in);
        e->secondary = isnan(in->growth) ? INFINITY : in->growth;
        break;
    case KAM_REVIEW_NO_JUSTIFICATION:
        e->primary = 0;
        e->secondary = -in->score;
        break;
    case KAM_REVIEW_PROMOTION:
        e->primary = e->f.cause == KAM_REVIEW_PINNED_BELOW ? 0 : 1;
        e->secondary = e->f.cause == KAM_REVIEW_PINNED_BELOW ? -in->score : in->to_next;
        break;
    }
}

enum kam_rc kam_engine_review(struct kam_store *st, const struct kam_review_rules *rules,
                              unsigned reasons, int64_t limit,
                              int (*fn)(void *ctx, const struct kam_review_item *it), void *ctx,
                              struct kam_review_outcome *out, struct kam_err *err)
{
    return kam_engine_review_scoped(st, NULL, rules, reasons, limit, fn, ctx, out, err);
}

/* The facts of the latest run's accounts (of the scope, when f->scoped) into f. */
static enum kam_rc read_facts(struct kam_store *st, const struct kam_scope *scope,
                              const struct kam_review_outcome *out, struct facts *f,
                              struct kam_err *err)
{
    enum kam_rc rc = KAM_OK;
    if (f->scoped &&
        (rc = st->ops->account_each_scoped(st, scope, on_scoped_account, f, err)) != KAM_OK)
        return rc;
    if ((rc = st->ops->score_each(st, out->run, 0, on_latest, f, err)) != KAM_OK ||
        (out->previous_run &&
         (rc = st->ops->score_each(st, out->previous_run, 0, on_previous, f, err)) != KAM_OK) ||
        (rc = st->ops->metrics_each(st, 0, on_metrics, f, err)) != KAM_OK)
        return rc;
    return f->scoped ? st->ops->account_each_scoped(st, scope, on_account, f, err)
                     : st->ops->each(st, &kam_accounts, 0, on_account, f, err);
}

enum kam_rc kam_engine_review_scoped(struct kam_store *st, const struct kam_scope *scope,
                                     const struct kam_review_rules *rules, unsigned reasons,
                                     int64_t limit,
                                     int (*fn)(void *ctx, const struct kam_review_item *it),
                                     void *ctx, struct kam_review_outcome *out, struct kam_err *err)
{
    static const struct kam_review_rules defaults = KAM_REVIEW_RULES_DEFAULT;
    const struct kam_review_rules *r = rules ? rules : &defaults;
    struct runs runs = {.n = 0};
    struct facts f = {0};
    struct entry *list = NULL;
    size_t nlist = 0;
    enum kam_rc rc;

    memset(out, 0, sizeof(*out));
    kam_u64map_init(&f.slot);
    kam_u64map_init(&f.scope);
    f.scoped = scope != NULL && scope->kind != KAM_SCOPE_ALL;
    kam_arena_init(&f.arena);
    if ((rc = kam_review_rules_check(r, err)) != KAM_OK)
        goto out;
    if ((rc = st->ops->run_list(st, 2, on_run, &runs, err)) != KAM_OK)
        goto out;
    if (runs.n == 0) {
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND,
                         "no scoring run yet: run 'kam score' first, then 'kam review'");
        goto out;
    }
    out->run = runs.run[0].id;
    memcpy(out->as_of, runs.run[0].as_of, sizeof(out->as_of));
    if (runs.n == 2) {
        out->previous_run = runs.run[1].id;
        memcpy(out->previous_as_of, runs.run[1].as_of, sizeof(out->previous_as_of));
    }
    if ((rc = read_facts(st, scope, out, &f, err)) != KAM_OK)
        goto out;
    out->accounts = f.n;

    list = kam_xmalloc((f.n * KAM_REVIEW_REASONS + 1) * sizeof(*list));
    for (size_t i = 0; i < f.n; i++) {
        struct kam_review_finding found[KAM_REVIEW_REASONS];
        size_t k = kam_review_classify(&f.in[i], r, found);
        for (size_t j = 0; j < k; j++) {
            out->count[found[j].reason]++;
            if (reasons != 0 && !(reasons & (1u << found[j].reason)))
                continue;
            struct entry *e = &list[nlist++];
            *e = (struct entry){.row = i, .f = found[j]};
            place(e, &f.in[i]);
        }
    }
    qsort(list, nlist, sizeof(*list), by_entry);
    int64_t shown[KAM_REVIEW_REASONS] = {0};
    for (size_t k = 0; k < nlist; k++) {
        const struct entry *e = &list[k];
        if (limit > 0 && shown[e->f.reason] >= limit)
            continue;
        shown[e->f.reason]++;
        char sentence[512];
        struct kam_review_item it = {
            .account_id = f.id[e->row],
            .code = f.code[e->row],
            .name = f.name[e->row],
            .in = f.in[e->row],
            .f = e->f,
            .sentence = kam_review_sentence(&f.in[e->row], r, &e->f, sentence, sizeof(sentence)),
        };
        if (fn(ctx, &it) != 0)
            break;
    }
out:
    free(list);
    free(f.id);
    free(f.in);
    free(f.code);
    free(f.name);
    kam_u64map_release(&f.slot);
    kam_u64map_release(&f.scope);
    kam_arena_release(&f.arena);
    return rc;
}
