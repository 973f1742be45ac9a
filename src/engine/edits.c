/* The writes people make to the identification engine: a new version of the scoring model, a
 * static rating, a pinned tier; and to an account's profile, under optimistic concurrency. Each
 * checks its input (against the current model, the data model's rules, the writer's scope) and
 * writes, with its audit entry (who, what, before and after), in one transaction, so the CLI and
 * the HTTP API share the same rules and leave the database as it was when anything is
 * refused. */
#include <math.h>
#include <stdarg.h>
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

/* --- account profile edits ----------------------------------------------------------------- */

/* A column value as it reads in the API and the audit log: money as its exact decimal text, the
 * parent as its code, null when absent. */
static json_t *column_json(const struct kam_column *c, const struct kam_value *v)
{
    char buf[40];
    if (v->null)
        return json_null();
    if (c->type == KAM_V_INT)
        return json_integer((json_int_t)v->i);
    if (c->type == KAM_V_MONEY)
        return json_string(kam_money_str(v->i, buf, sizeof(buf)));
    return json_stringn(v->s, v->len);
}

/* KAM_ERR_INVALID about column c: the message is "<column> " and then fmt. */
static enum kam_rc field_error(struct kam_err *err, const struct kam_column *c, const char *fmt,
                               ...) KAM_PRINTF(3, 4);
static enum kam_rc field_error(struct kam_err *err, const struct kam_column *c, const char *fmt,
                               ...)
{
    char msg[sizeof(err->msg) - 80];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    kam_err_set(err, KAM_ERR_INVALID, "%s %s", c->name, msg);
    snprintf(err->field, sizeof(err->field), "%s", c->name);
    return KAM_ERR_INVALID;
}

/* The rules of the import's record_row (io/import.c) for one new value, v adjusted in place: an
 * empty text clears the field, or gives it its default; enumerations, USCC, years and
 * non-negative amounts are checked. */
static enum kam_rc check_value(const struct kam_column *c, struct kam_value *v, struct kam_err *err)
{
    char msg[200];
    if (!v->null && v->len == 0 && c->type != KAM_V_INT && c->type != KAM_V_MONEY)
        v->null = true;
    if (v->null) {
        if (c->flags & KAM_COL_REQUIRED)
            return field_error(err, c, "is required");
        if (c->def)
            *v = (struct kam_value){.s = c->def, .len = strlen(c->def)};
        return KAM_OK;
    }
    if ((c->flags & KAM_COL_USCC) && kam_uscc_check(v->s, v->len, err) != KAM_OK) {
        snprintf(msg, sizeof(msg), "%.180s", err->msg);
        return field_error(err, c, "is not valid: %s", msg);
    }
    if (c->type == KAM_V_ENUM && kam_enum_index(c->enum_names, v->s, v->len) < 0) {
        msg[0] = '\0';
        for (int k = 0; c->enum_names[k]; k++)
            snprintf(msg + strlen(msg), sizeof(msg) - strlen(msg), "%s%s", k ? ", " : "",
                     c->enum_names[k]);
        return field_error(err, c, "is one of: %s", msg);
    }
    if ((c->flags & KAM_COL_YEAR) && (v->i < 1000 || v->i > 9999))
        return field_error(err, c, "is not a year: %lld", (long long)v->i);
    if ((c->flags & KAM_COL_NONNEG) && v->i < 0)
        return field_error(err, c, "must not be negative");
    return KAM_OK;
}

static int parent_id_row(void *ctx, int64_t id, const struct kam_value *vals, int64_t version,
                         const char *created_at, const char *updated_at)
{
    (void)vals, (void)version, (void)created_at, (void)updated_at;
    *(int64_t *)ctx = id;
    return 0;
}

/* The parent, given by its code, to its id: only an account the scope sees, so that a parent
 * cannot probe for codes outside it. */
static enum kam_rc resolve_parent(struct kam_store *st, const struct kam_scope *scope,
                                  const char *code, struct kam_value *v, struct kam_err *err)
{
    const struct kam_column *c = &kam_accounts.cols[KAM_ACC_PARENT];
    char parent[256];
    if (v->null)
        return KAM_OK;
    snprintf(parent, sizeof(parent), "%.*s", (int)v->len, v->s);
    if (strcmp(parent, code) == 0)
        return field_error(err, c, "cannot be the account itself");
    int64_t id = 0;
    enum kam_rc rc = st->ops->account_get_scoped(st, parent, scope, parent_id_row, &id, err);
    if (rc == KAM_ERR_NOT_FOUND)
        return field_error(err, c, "'%s': there is no such account", parent);
    v->i = id;
    return rc;
}

/* A new owner must leave the account where the writer sees it: a rep keeps their accounts, a
 * manager may hand one to a member of their team; only those who see every account (admin,
 * director) give accounts to anyone, or to no one. */
static enum kam_rc check_owner(struct kam_store *st, const struct kam_scope *scope,
                               const struct kam_value *v, struct kam_err *err)
{
    const struct kam_column *c = &kam_accounts.cols[KAM_ACC_OWNER];
    char owner[KAM_LOGIN_MAX + 1] = "";
    struct kam_user u;
    if (scope == NULL || scope->kind == KAM_SCOPE_ALL)
        return KAM_OK;
    if (!v->null)
        snprintf(owner, sizeof(owner), "%.*s", (int)v->len, v->s);
    memset(&u, 0, sizeof(u));
    enum kam_rc rc = owner[0] ? st->ops->user_get(st, owner, &u, err) : KAM_ERR_NOT_FOUND;
    if (rc != KAM_OK && rc != KAM_ERR_NOT_FOUND)
        return rc;
    kam_err_clear(err);
    if (v->null || (size_t)v->len > KAM_LOGIN_MAX || !kam_scope_may(scope, true, owner, u.team))
        return field_error(
            err, c, "'%s' would take the account out of what you may see: give it to %s", owner,
            scope->kind == KAM_SCOPE_TEAM ? "a member of your team" : "yourself");
    return KAM_OK;
}

struct account_edit {
    const char *actor, *code;
    const struct kam_scope *scope;
    const struct kam_value *vals;
    uint64_t mask;
    int64_t *version;
};

struct current {
    const uint64_t mask;
    int64_t version;
    json_t *cols[KAM_ACC_NCOLS]; /* the stored values of the columns in mask */
};

static int current_row(void *ctx, int64_t id, const struct kam_value *vals, int64_t version,
                       const char *created_at, const char *updated_at)
{
    struct current *cur = ctx;
    (void)id, (void)created_at, (void)updated_at;
    cur->version = version;
    for (size_t i = 0; i < kam_accounts.ncols; i++)
        if (cur->mask & (1ull << i))
            cur->cols[i] = column_json(&kam_accounts.cols[i], &vals[i]);
    return 0;
}

/* Inside the transaction: the account as the scope sees it, its version, then only the columns
 * whose value differs are written and audited. */
static enum kam_rc edit_account(struct kam_store *st, const void *ctx, struct kam_err *err)
{
    const struct account_edit *e = ctx;
    struct current cur = {.mask = e->mask};
    json_t *before = json_object(), *after = json_object();
    uint64_t changed = 0;
    enum kam_rc rc = st->ops->account_get_scoped(st, e->code, e->scope, current_row, &cur, err);
    if (rc == KAM_OK && cur.version != *e->version)
        rc = kam_err_set(err, KAM_ERR_CONFLICT,
                         "account '%s' was changed by someone else (version %lld, not %lld): read "
                         "it again and retry",
                         e->code, (long long)cur.version, (long long)*e->version);
    for (size_t i = 0; rc == KAM_OK && i < kam_accounts.ncols; i++) {
        if (!(e->mask & (1ull << i)))
            continue;
        const struct kam_column *c = &kam_accounts.cols[i];
        json_t *now = column_json(c, &e->vals[i]);
        if (json_equal(now, cur.cols[i])) {
            json_decref(now);
            continue;
        }
        changed |= 1ull << i;
        json_object_set(before, c->name, cur.cols[i]);
        json_object_set_new(after, c->name, now);
    }
    if (rc == KAM_OK && changed != 0) {
        rc = st->ops->account_update(st, e->code, e->vals, changed, e->version, err);
        if (rc == KAM_ERR_INVALID && (changed & (1ull << KAM_ACC_PARENT)) && !err->field[0])
            snprintf(err->field, sizeof(err->field), "parent"); /* the hierarchy's cycle */
    }
    if (rc == KAM_OK && changed != 0) {
        rc = audit(st, e->actor, "account.update", "account", e->code, before, after, err);
        before = after = NULL;
    }
    json_decref(before);
    json_decref(after);
    for (size_t i = 0; i < kam_accounts.ncols; i++)
        json_decref(cur.cols[i]);
    return rc;
}

enum kam_rc kam_engine_account_update(struct kam_store *st, const char *actor,
                                      const struct kam_scope *scope, const char *code,
                                      const struct kam_value *vals, uint64_t mask, int64_t *version,
                                      struct kam_err *err)
{
    struct kam_value v[KAM_ACC_NCOLS];
    enum kam_rc rc = KAM_OK;

    if (mask & ~KAM_ACCOUNT_EDITABLE)
        KAM_BUG("kam_engine_account_update: a column that cannot be edited in the mask");
    memcpy(v, vals, sizeof(v));
    for (size_t i = 0; rc == KAM_OK && i < kam_accounts.ncols; i++)
        if (mask & (1ull << i))
            rc = check_value(&kam_accounts.cols[i], &v[i], err);
    if (rc == KAM_OK && (mask & (1ull << KAM_ACC_PARENT)))
        rc = resolve_parent(st, scope, code, &v[KAM_ACC_PARENT], err);
    if (rc == KAM_OK && (mask & (1ull << KAM_ACC_OWNER)))
        rc = check_owner(st, scope, &v[KAM_ACC_OWNER], err);
    if (rc != KAM_OK)
        return rc;
    struct account_edit e = {actor, code, scope, v, mask, version};
    return in_transaction(st, edit_account, &e, err);
}

/* --- deleting an account ------------------------------------------------------------------- */

struct account_removal {
    const char *actor, *code;
    const struct kam_scope *scope;
    int64_t version;
};

static enum kam_rc remove_account(struct kam_store *st, const void *ctx, struct kam_err *err)
{
    const struct account_removal *r = ctx;
    struct current cur = {.mask = (1ull << KAM_ACC_NCOLS) - 1};
    enum kam_rc rc = st->ops->account_get_scoped(st, r->code, r->scope, current_row, &cur, err);
    json_t *before = json_object();
    for (size_t i = 0; i < kam_accounts.ncols; i++)
        if (cur.cols[i] != NULL)
            json_object_set_new(before, kam_accounts.cols[i].name, cur.cols[i]);
    if (rc == KAM_OK)
        rc = st->ops->account_delete(st, r->code, r->version, err);
    if (rc == KAM_OK) {
        json_object_set_new(before, "version", json_integer((json_int_t)cur.version));
        return audit(st, r->actor, "account.delete", "account", r->code, before, NULL, err);
    }
    json_decref(before);
    return rc;
}

enum kam_rc kam_engine_account_delete(struct kam_store *st, const char *actor,
                                      const struct kam_scope *scope, const char *code,
                                      int64_t version, struct kam_err *err)
{
    struct account_removal r = {actor, code, scope, version};
    return in_transaction(st, remove_account, &r, err);
}

/* --- tags ------------------------------------------------------------------------------------ */

struct tag_edit {
    const char *actor, *code, *name, *color;
    const struct kam_scope *scope;
    bool add;
};

static enum kam_rc edit_tag(struct kam_store *st, const void *ctx, struct kam_err *err)
{
    const struct tag_edit *t = ctx;
    int64_t id = 0;
    enum kam_rc rc = st->ops->account_get_scoped(st, t->code, t->scope, parent_id_row, &id, err);
    if (rc != KAM_OK)
        return rc;
    rc = t->add ? st->ops->tag_add(st, id, t->name, t->color, err)
                : st->ops->tag_rm(st, id, t->name, err);
    if (rc != KAM_OK)
        return rc;
    json_t *v = json_pack("{s:s}", "tag", t->name);
    if (t->add && t->color != NULL)
        json_object_set_new(v, "color", json_string(t->color));
    return audit(st, t->actor, t->add ? "tag.add" : "tag.remove", "account", t->code,
                 t->add ? NULL : v, t->add ? v : NULL, err);
}

enum kam_rc kam_engine_tag(struct kam_store *st, const char *actor, const struct kam_scope *scope,
                           const char *code, const char *name, const char *color, bool add,
                           struct kam_err *err)
{
    size_t n = strlen(name);
    if (n == 0 || n > 64 || strcspn(name, "\t\r\n") != n) {
        kam_err_set(err, KAM_ERR_INVALID, "a tag name is 1 to 64 bytes without tabs or newlines");
        snprintf(err->field, sizeof(err->field), "name");
        return KAM_ERR_INVALID;
    }
    size_t cn = color ? strlen(color) : 0;
    if (color != NULL && (color[0] != '#' || (cn != 4 && cn != 7) ||
                          strspn(color + 1, "0123456789abcdefABCDEF") != cn - 1)) {
        kam_err_set(err, KAM_ERR_INVALID, "color is #rgb or #rrggbb, such as #e6a23c: '%.40s'",
                    color);
        snprintf(err->field, sizeof(err->field), "color");
        return KAM_ERR_INVALID;
    }
    struct tag_edit t = {actor, code, name, color, scope, add};
    return in_transaction(st, edit_tag, &t, err);
}

/* --- creating one record --------------------------------------------------------------------- */

/* A growing text: the one-row CSV file a new record is read from. */
struct text_buf {
    char *p;
    size_t len, cap;
};

static void buf_put(struct text_buf *b, const char *v, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->p = kam_xrealloc(b->p, b->cap);
    }
    memcpy(b->p + b->len, v, n);
    b->len += n;
    b->p[b->len] = '\0';
}

/* v as one CSV field (RFC 4180): quoted, with its quotes doubled, when it holds a comma, a
 * quote or a line break. */
static void csv_field(struct text_buf *b, const char *v)
{
    if (strpbrk(v, ",\"\r\n") == NULL) {
        buf_put(b, v, strlen(v));
        return;
    }
    buf_put(b, "\"", 1);
    for (const char *q; (q = strchr(v, '"')) != NULL; v = q + 1)
        buf_put(b, v, (size_t)(q - v) + 1), buf_put(b, "\"", 1);
    buf_put(b, v, strlen(v));
    buf_put(b, "\"", 1);
}

static const char *field_of(const struct kam_field_value *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].name, name) == 0)
            return f[i].value ? f[i].value : "";
    return NULL;
}

/* The audit key of a record: its natural key, parts joined by '/'. */
static void record_key(enum kam_import_kind kind, const struct kam_field_value *f, size_t n,
                       char *key, size_t size)
{
    const char *a = NULL, *b = NULL;
    switch (kind) {
    case KAM_IMPORT_ACCOUNTS:
        a = field_of(f, n, "code");
        break;
    case KAM_IMPORT_CONTACTS:
        a = field_of(f, n, "account"), b = field_of(f, n, "name");
        break;
    case KAM_IMPORT_PRODUCTS:
        a = field_of(f, n, "sku");
        break;
    case KAM_IMPORT_ORDERS:
        a = field_of(f, n, "order_id"), b = field_of(f, n, "line_no");
        if (b == NULL || !*b)
            b = "1";
        break;
    default:
        a = field_of(f, n, "invoice");
        break;
    }
    snprintf(key, size, "%s%s%s", a ? a : "", b ? "/" : "", b ? b : "");
}

static const char *const record_entities[KAM_IMPORT_KIND_COUNT] = {
    [KAM_IMPORT_ACCOUNTS] = "account", [KAM_IMPORT_CONTACTS] = "contact",
    [KAM_IMPORT_PRODUCTS] = "product", [KAM_IMPORT_ORDERS] = "order_line",
    [KAM_IMPORT_PAYMENTS] = "payment",
};

/* The scope's rules for a new record: an account's owner keeps it in the scope (a rep's and a
 * manager's own login when none is given), its parent is one the scope sees; another record's
 * account is one the scope sees (404 like a missing code otherwise); the product catalogue is
 * for those who see every account. *owner is set when the owner was filled in. */
static enum kam_rc check_new_record(struct kam_store *st, const struct kam_scope *scope,
                                    enum kam_import_kind kind, const struct kam_field_value *f,
                                    size_t n, const char **owner, struct kam_err *err)
{
    *owner = NULL;
    if (scope == NULL || scope->kind == KAM_SCOPE_ALL)
        return KAM_OK;
    if (kind == KAM_IMPORT_PRODUCTS)
        return kam_err_set(err, KAM_ERR_AUTH,
                           "only those who see every account add products to the catalogue");
    if (kind != KAM_IMPORT_ACCOUNTS) {
        const char *code = field_of(f, n, "account");
        int64_t id = 0;
        return st->ops->account_get_scoped(st, code ? code : "", scope, parent_id_row, &id, err);
    }
    const char *o = field_of(f, n, "owner"), *p = field_of(f, n, "parent");
    const char *code = field_of(f, n, "code");
    if (o == NULL || !*o)
        o = *owner = scope->login;
    struct kam_value ov = {.s = o, .len = strlen(o)};
    enum kam_rc rc = check_owner(st, scope, &ov, err);
    if (rc == KAM_OK && p != NULL && *p) {
        struct kam_value pv = {.s = p, .len = strlen(p)};
        rc = resolve_parent(st, scope, code ? code : "", &pv, err);
    }
    return rc;
}

enum kam_rc kam_engine_record_create(struct kam_store *st, const char *actor,
                                     const struct kam_scope *scope, enum kam_import_kind kind,
                                     const struct kam_field_value *f, size_t n,
                                     kam_import_problem_fn on_problem, void *ctx,
                                     struct kam_err *err)
{
    const char *owner = NULL;
    char key[256];
    if (kind >= KAM_IMPORT_KIND_COUNT || record_entities[kind] == NULL)
        KAM_BUG("kam_engine_record_create: not a record kind");
    if (scope != NULL && scope->read_only)
        return kam_err_set(err, KAM_ERR_AUTH, "your role may not change records");
    enum kam_rc rc = check_new_record(st, scope, kind, f, n, &owner, err);
    if (rc != KAM_OK)
        return rc;

    /* The record as a CSV file of one row, read by the import with its rules. */
    struct text_buf csv = {0};
    json_t *after = json_object();
    for (int row = 0; row < 2; row++) {
        for (size_t i = 0; i < n + (owner != NULL); i++) {
            const char *name = i < n ? f[i].name : "owner";
            const char *v = i < n ? (f[i].value ? f[i].value : "") : owner;
            if (i > 0)
                buf_put(&csv, ",", 1);
            csv_field(&csv, row ? v : name);
            if (row && *v)
                json_object_set_new(after, name, json_string(v));
        }
        buf_put(&csv, "\n", 1);
    }
    record_key(kind, f, n, key, sizeof(key));
    char *a = json_dumps(after, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(after);
    char action[32];
    snprintf(action, sizeof(action), "%s.create", record_entities[kind]);
    struct kam_audit_entry e = {
        .action = action, .entity = record_entities[kind], .entity_key = key, .after = a};
    struct kam_import_opts o = {.kind = kind,
                                .path = "the request",
                                .data = csv.p,
                                .data_len = csv.len,
                                .actor = actor,
                                .audit = &e,
                                .create_only = true,
                                .on_problem = on_problem};
    struct kam_import_report rep;
    rc = kam_import_run(st, &o, NULL, ctx, &rep, err);
    free(a);
    free(csv.p);
    if (rc == KAM_ERR_INVALID && rep.existing > 0)
        return kam_err_set(err, KAM_ERR_EXISTS, "%s '%s' already exists", record_entities[kind],
                           key);
    if (rc == KAM_ERR_INVALID && rep.errors > 0)
        return kam_err_set(err, KAM_ERR_INVALID, "the %s was not created: %lld problem%s",
                           record_entities[kind], (long long)rep.errors, rep.errors > 1 ? "s" : "");
    return rc;
}
