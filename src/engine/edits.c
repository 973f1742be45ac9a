/* The writes people make to the identification engine: a new version of the scoring model, a
 * static rating, a pinned tier. Each checks its input against the current model and writes, with
 * its audit entry (who, what, before and after), in one transaction, so the CLI and the HTTP API
 * share the same rules and leave the database as it was when anything is refused. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

/* Appends an audit entry inside the caller's transaction; takes before and after (JSON objects,
 * NULL for none). */
static enum kam_rc audit(struct kam_store *st, const char *actor, const char *action,
                         const char *entity, const char *key, json_t *before, json_t *after,
                         struct kam_err *err)
{
    char *b = before ? json_dumps(before, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    char *a = after ? json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
    struct kam_audit_entry e = {.actor = actor,
                                .action = action,
                                .entity = entity,
                                .entity_key = key,
                                .before = b,
                                .after = a};
    enum kam_rc rc = st->ops->audit_append(st, &e, err);
    free(b);
    free(a);
    json_decref(before);
    json_decref(after);
    return rc;
}

/* A rating value as JSON: an integer when it is one (4, not 4.0). */
static json_t *rating_number(double v)
{
    return v == floor(v) && fabs(v) < 9007199254740992.0 ? json_integer((json_int_t)v)
                                                         : json_real(v);
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
    const char *name, *canon, *actor;
    int64_t *version;
};

static enum kam_rc save_model(struct kam_store *st, const void *ctx, struct kam_err *err)
{
    const struct model_save *s = ctx;
    int64_t old = 0;
    char *old_body = NULL;
    enum kam_rc rc = st->ops->model_get(st, 0, &old, &old_body, err);
    free(old_body);
    if (rc == KAM_ERR_NOT_FOUND) {
        old = 0;
        kam_err_clear(err);
        rc = KAM_OK;
    }
    if (rc == KAM_OK)
        rc = st->ops->model_save(st, s->name, s->canon, s->version, err);
    if (rc == KAM_OK) {
        char key[24];
        snprintf(key, sizeof(key), "%lld", (long long)*s->version);
        rc =
            audit(st, s->actor, "model.set", "model", key,
                  old ? json_pack("{s:I}", "version", (json_int_t)old) : NULL,
                  json_pack("{s:I,s:s}", "version", (json_int_t)*s->version, "name", s->name), err);
    }
    return rc;
}

enum kam_rc kam_engine_model_set(struct kam_store *st, const char *actor, const char *text,
                                 size_t len, int64_t *version, char *name, size_t name_size,
                                 struct kam_err *err)
{
    char *canon = NULL;
    struct kam_model *m = NULL;
    enum kam_rc rc = kam_model_canonical(text, len, &canon, err);
    if (rc == KAM_OK)
        rc = kam_model_parse(canon, strlen(canon), &m, err);
    if (rc == KAM_OK) {
        struct model_save s = {m->name, canon, actor, version};
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
    const char *code, *name, *note, *actor;
    double value;
};

struct prior {
    const char *name;
    json_t *json; /* {"value", "note"} of the rating before, NULL when none */
};

static int on_prior(void *ctx, int64_t account, const char *name, double value, const char *note)
{
    struct prior *p = ctx;
    (void)account;
    if (strcmp(name, p->name) == 0 && p->json == NULL)
        p->json = json_pack("{s:o,s:s?}", "value", rating_number(value), "note", note);
    return 0;
}

static enum kam_rc set_rating(struct kam_store *st, const void *ctx, struct kam_err *err)
{
    const struct rating *r = ctx;
    struct prior before = {r->name, NULL};
    enum kam_rc rc = st->ops->rating_each(st, r->account, on_prior, &before, err);
    if (rc == KAM_OK)
        rc = st->ops->rating_set(st, r->account, r->name, r->value, r->note, err);
    if (rc == KAM_OK) {
        char key[256];
        snprintf(key, sizeof(key), "%s/%s", r->code, r->name);
        json_t *after = isnan(r->value) ? NULL
                                        : json_pack("{s:o,s:s?}", "value", rating_number(r->value),
                                                    "note", r->note);
        rc = audit(st, r->actor, isnan(r->value) ? "rating.clear" : "rating.set", "rating", key,
                   before.json, after, err);
        before.json = NULL;
    }
    json_decref(before.json);
    return rc;
}

enum kam_rc kam_engine_rate(struct kam_store *st, const char *actor, const char *code,
                            const char *name, double value, const char *note, struct kam_err *err)
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
        struct rating r = {id, code, name, note, actor, value};
        rc = in_transaction(st, set_rating, &r, err);
    }
    kam_model_free(m);
    return rc;
}

struct pin {
    int64_t account;
    const char *code, *tier, *actor;
};

struct prior_pin {
    int64_t account;
    const char *tier; /* static storage: one of the tier names */
};

static int on_pin(void *ctx, int64_t account, const char *tier)
{
    struct prior_pin *p = ctx;
    for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL && account == p->account; t++)
        if (strcmp(tier, kam_tier_name((enum kam_tier)t)) == 0)
            p->tier = kam_tier_name((enum kam_tier)t);
    return 0;
}

static enum kam_rc set_pin(struct kam_store *st, const void *ctx, struct kam_err *err)
{
    const struct pin *p = ctx;
    struct prior_pin before = {p->account, NULL};
    enum kam_rc rc = st->ops->pin_each(st, on_pin, &before, err);
    if (rc == KAM_OK)
        rc = st->ops->pin_set(st, p->account, p->tier, err);
    if (rc == KAM_OK)
        rc = audit(st, p->actor, p->tier ? "pin.set" : "pin.clear", "pin", p->code,
                   before.tier ? json_pack("{s:s}", "tier", before.tier) : NULL,
                   p->tier ? json_pack("{s:s}", "tier", p->tier) : NULL, err);
    return rc;
}

enum kam_rc kam_engine_pin(struct kam_store *st, const char *actor, const char *code,
                           const char *tier, struct kam_err *err)
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
    struct pin p = {id, code, tier, actor};
    return in_transaction(st, set_pin, &p, err);
}
