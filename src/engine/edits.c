/* The writes people make to the identification engine: a new version of the scoring model, a
 * static rating, a pinned tier. Each checks its input against the current model and writes in
 * one transaction, so the CLI and the HTTP API share the same rules and leave the database as it
 * was when anything is refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "io/model.h"

/* One write in its own transaction: fn(st, ctx, err) between begin and commit. */
static enum kam_rc in_transaction(struct kam_store *st,
                                  enum kam_rc (*fn)(struct kam_store *, const void *,
                                                    struct kam_err *),
                                  const void *ctx, struct kam_err *err)
{
    enum kam_rc rc = st->ops->begin(st, err);
    if (rc != KAM_OK)
        return rc;
    if ((rc = fn(st, ctx, err)) == KAM_OK)
        return st->ops->commit(st, err);
    struct kam_err ignored;
    (void)st->ops->rollback(st, &ignored); /* the write's error is the one to report */
    return rc;
}

static int id_of_row(void *ctx, int64_t id, const struct kam_value *v)
{
    (void)v;
    *(int64_t *)ctx = id;
    return 0;
}

enum kam_rc kam_engine_account_id(struct kam_store *st, const char *code, int64_t *id,
                                  struct kam_err *err)
{
    *id = 0;
    enum kam_rc rc = st->ops->get(st, &kam_accounts, code, id_of_row, id, err);
    if (rc == KAM_ERR_NOT_FOUND || (rc == KAM_OK && *id == 0))
        rc = kam_err_set(err, KAM_ERR_NOT_FOUND, "account '%s' does not exist", code);
    return rc;
}

struct model_save {
    const char *name, *canon;
    int64_t *version;
};

static enum kam_rc save_model(struct kam_store *st, const void *ctx, struct kam_err *err)
{
    const struct model_save *s = ctx;
    return st->ops->model_save(st, s->name, s->canon, s->version, err);
}

enum kam_rc kam_engine_model_set(struct kam_store *st, const char *text, size_t len,
                                 int64_t *version, char *name, size_t name_size,
                                 struct kam_err *err)
{
    char *canon = NULL;
    struct kam_model *m = NULL;
    enum kam_rc rc = kam_model_canonical(text, len, &canon, err);
    if (rc == KAM_OK)
        rc = kam_model_parse(canon, strlen(canon), &m, err);
    if (rc == KAM_OK) {
        struct model_save s = {m->name, canon, version};
        rc = in_transaction(st, save_model, &s, err);
    }
    if (rc == KAM_OK && name != NULL)
        snprintf(name, name_size, "%s", m->name);
    kam_model_free(m);
    free(canon);
    return rc;
}

struct rating {
    int64_t account;
    const char *name, *note;
    double value;
};

static enum kam_rc set_rating(struct kam_store *st, const void *ctx, struct kam_err *err)
{
    const struct rating *r = ctx;
    return st->ops->rating_set(st, r->account, r->name, r->value, r->note, err);
}

enum kam_rc kam_engine_rate(struct kam_store *st, const char *code, const char *name, double value,
                            const char *note, struct kam_err *err)
{
    struct kam_model *m = NULL;
    int64_t version, id = 0;
    enum kam_rc rc = kam_engine_model(st, &m, &version, NULL, err);
    if (rc == KAM_OK && (rc = kam_engine_account_id(st, code, &id, err)) == KAM_ERR_NOT_FOUND) {
        err->code = rc = KAM_ERR_INVALID; /* a reference in the input, not a missing resource */
        snprintf(err->field, sizeof(err->field), "code");
    }
    int k = rc == KAM_OK ? kam_model_rating_find(m, name) : -1;
    if (rc == KAM_OK && k < 0) {
        char known[512] = "";
        for (size_t i = 0; i < m->nratings; i++)
            snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", i ? ", " : "",
                     m->ratings[i].name);
        rc = kam_err_set(err, KAM_ERR_INVALID,
                         "the model (version %lld) has no rating '%s'; its ratings: %s",
                         (long long)version, name, known);
        snprintf(err->field, sizeof(err->field), "name"); /* the HTTP API names the field */
    }
    if (rc == KAM_OK && !isnan(value) &&
        (!isfinite(value) || value < m->ratings[k].min || value > m->ratings[k].max)) {
        rc = kam_err_set(err, KAM_ERR_INVALID, "rating %s: %g is outside %g..%g", name, value,
                         m->ratings[k].min, m->ratings[k].max);
        snprintf(err->field, sizeof(err->field), "value");
    }
    if (rc == KAM_OK) {
        struct rating r = {id, name, note, value};
        rc = in_transaction(st, set_rating, &r, err);
    }
    kam_model_free(m);
    return rc;
}

struct pin {
    int64_t account;
    const char *tier;
};

static enum kam_rc set_pin(struct kam_store *st, const void *ctx, struct kam_err *err)
{
    const struct pin *p = ctx;
    return st->ops->pin_set(st, p->account, p->tier, err);
}

enum kam_rc kam_engine_pin(struct kam_store *st, const char *code, const char *tier,
                           struct kam_err *err)
{
    bool known = tier == NULL;
    for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL && !known; t++)
        known = strcmp(tier, kam_tier_name((enum kam_tier)t)) == 0;
    if (!known)
        return kam_err_set(err, KAM_ERR_INVALID,
                           "tier is key, major, ordinary or small (none unpins), not '%s'", tier);
    int64_t id = 0;
    enum kam_rc rc = kam_engine_account_id(st, code, &id, err);
    if (rc == KAM_ERR_NOT_FOUND)
        err->code = rc = KAM_ERR_INVALID;
    if (rc != KAM_OK)
        return rc;
    struct pin p = {id, tier};
    return in_transaction(st, set_pin, &p, err);
}
