/* The records around an account through the API: create an account, delete one, its contacts,
 * order lines and payments (a page at a time, and one at a time created), its tags, and the
 * product catalogue.
 *
 * Creating goes through kam_engine_record_create, which reads the record as a CSV file of one
 * row with the import's rules, so a record made here is exactly one `kam import` would make
 * (types, references, the rollups an order line moves), and is audited. The handlers only map
 * JSON members to the import's fields: a string as it is, a whole number as its digits, null as
 * empty; a member that is no field of the kind, or of another JSON type, is a 400 naming it.
 * What the import refuses is a 422 naming the field. docs/api.md. */
#include "http/http.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/engine.h"

#define MAX_FIELD_ERRORS 32

/* The member names of the records' columns as JSON ("code":), written once for the process:
 * a list page writes thousands of them. A name too long for its slot is written by kam_jw_key
 * each time (len 0). */
enum { KEYS_TABLES = 4, KEYS_COLS = 48, KEY_TEXT = KAM_JW_KEY_SLOT };
static const struct kam_table *const keyed_tables[KEYS_TABLES] = {&kam_accounts, &kam_contacts,
                                                                  &kam_products, &kam_payments};
static struct {
    char text[KEYS_COLS][KEY_TEXT];
    unsigned char len[KEYS_COLS];
} table_keys[KEYS_TABLES];
static pthread_once_t keys_once = PTHREAD_ONCE_INIT;

static void render_keys(void)
{
    struct kam_jw j;
    kam_jw_init(&j, 0);
    for (int t = 0; t < KEYS_TABLES; t++) {
        for (size_t i = 0; i < keyed_tables[t]->ncols && i < KEYS_COLS; i++) {
            kam_jw_reset(&j);
            kam_jw_obj(&j);
            kam_jw_key(&j, keyed_tables[t]->cols[i].name); /* {"name": */
            if (j.len - 1 < KEY_TEXT) {
                memcpy(table_keys[t].text[i], j.data + 1, j.len - 1);
                table_keys[t].len[i] = (unsigned char)(j.len - 1);
            }
        }
    }
    kam_jw_release(&j);
}

/* A record's columns as JSON members: money as exact decimal strings, a reference as the code it
 * points to. */
void kam_http_record_fields(struct kam_jw *w, const struct kam_table *t, int64_t id,
                            const struct kam_value *vals)
{
    int k = 0;
    pthread_once(&keys_once, render_keys);
    while (k < KEYS_TABLES && keyed_tables[k] != t)
        k++;
    kam_jw_kint(w, "id", id);
    for (size_t i = 0; i < t->ncols; i++) {
        const struct kam_column *c = &t->cols[i];
        const struct kam_value *v = &vals[i];
        if (k < KEYS_TABLES && i < KEYS_COLS && table_keys[k].len[i] > 0)
            kam_jw_key_text(w, table_keys[k].text[i], table_keys[k].len[i]);
        else
            kam_jw_key(w, c->name);
        if (v->null)
            kam_jw_null(w);
        else if (c->type == KAM_V_INT)
            kam_jw_int(w, v->i);
        else if (c->type == KAM_V_MONEY)
            kam_jw_money(w, v->i);
        else
            kam_jw_strn(w, v->s, v->len);
    }
}

/* The page and per_page parameters of a list; false after the 400. */
static bool paging(struct kam_http_req *req, struct kam_http_resp *resp, int64_t *page,
                   int64_t *per_page)
{
    return kam_http_int_param(req, resp, "page", 1, 1, INT32_MAX, page) &&
           kam_http_int_param(req, resp, "per_page", 50, 1, 500, per_page);
}

void kam_http_list_end(struct kam_jw *w, int64_t total, int64_t page, int64_t per_page)
{
    kam_jw_arr_end(w);
    kam_jw_kint(w, "total", total);
    /* As the account list: the next page's number as a string, null on the last page. */
    kam_jw_key(w, "next");
    if (total > page * per_page) {
        char next[24];
        snprintf(next, sizeof(next), "%lld", (long long)page + 1);
        kam_jw_str(w, next);
    } else {
        kam_jw_null(w);
    }
    kam_jw_kint(w, "page", page);
    kam_jw_kint(w, "per_page", per_page);
    kam_jw_obj_end(w);
}

/* The id of the path's account when the caller's scope sees it; false after the 404 (one
 * answer for a missing code and one outside the scope). */
static bool path_account(struct kam_http_req *req, struct kam_http_resp *resp, int64_t *id)
{
    struct kam_err err;
    kam_err_clear(&err);
    if (req->st->ops->account_id_scoped(req->st, req->params[0], &req->scope, id, &err) == KAM_OK)
        return true;
    kam_problem_err(resp, &err);
    return false;
}

/* The same for a write: also the 403 of a read-only role, after the 404 (an account outside
 * the scope is not even said to exist). */
static bool writable_account(struct kam_http_req *req, struct kam_http_resp *resp, int64_t *id)
{
    if (!path_account(req, resp, id))
        return false;
    if (!req->scope.read_only)
        return true;
    kam_problem(resp, 403, "your role may not change accounts", NULL, 0);
    return false;
}

/* --- one account's records ----------------------------------------------------------------- */

/* Contacts and payments come in id order from the store; a page of them is picked as they
 * pass. Payments are listed newest first: their page counts from the end, and its items are
 * kept (each as its JSON text) to be written in reverse. */
struct rows_page {
    struct kam_jw *w;
    const struct kam_table *t;
    int64_t n, first, last; /* rows seen; the page's first and last row number, from 1 */
    struct kam_arena *arena;
    char **kept; /* reverse: the page's items, in store order */
    size_t nkept;
};

static int count_row(void *ctx, int64_t id, const struct kam_value *vals)
{
    (void)id, (void)vals;
    ++*(int64_t *)ctx;
    return 0;
}

static int page_row(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct rows_page *p = ctx;
    p->n++;
    if (p->n < p->first || p->n > p->last)
        return 0;
    if (p->kept == NULL) {
        kam_jw_obj(p->w);
        kam_http_record_fields(p->w, p->t, id, vals);
        kam_jw_obj_end(p->w);
        return 0;
    }
    struct kam_jw one;
    kam_jw_init(&one, 0);
    kam_jw_obj(&one);
    kam_http_record_fields(&one, p->t, id, vals);
    kam_jw_obj_end(&one);
    p->kept[p->nkept++] = kam_arena_strdup(p->arena, one.data);
    kam_jw_release(&one);
    return 0;
}

/* One account's records of t, a page; newest_first reverses the store's id order (the rows of
 * one account are few: its contacts, its invoices, so counting them first is cheap). */
static void account_rows(struct kam_http_req *req, struct kam_http_resp *resp,
                         const struct kam_table *t, bool newest_first)
{
    struct kam_err err;
    int64_t id = 0, page, per_page, total = 0;
    kam_err_clear(&err);
    if (!paging(req, resp, &page, &per_page) || !path_account(req, resp, &id))
        return;
    struct rows_page p = {.w = &resp->body,
                          .t = t,
                          .first = (page - 1) * per_page + 1,
                          .last = page * per_page,
                          .arena = req->arena};
    enum kam_rc rc = KAM_OK;
    if (newest_first) {
        if ((rc = req->st->ops->each(req->st, t, id, count_row, &total, &err)) != KAM_OK) {
            kam_problem_err(resp, &err);
            return;
        }
        /* Row k from the end is row total + 1 - k from the start. */
        p.first = total + 1 - page * per_page;
        p.last = total - (page - 1) * per_page;
        p.kept = kam_arena_alloc(req->arena, (size_t)per_page * sizeof(*p.kept));
    }
    kam_jw_obj(p.w);
    kam_jw_key(p.w, "items");
    kam_jw_arr(p.w);
    if ((rc = req->st->ops->each(req->st, t, id, page_row, &p, &err)) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    for (size_t i = p.nkept; i-- > 0;)
        kam_jw_raw(p.w, p.kept[i], strlen(p.kept[i]));
    kam_http_list_end(p.w, newest_first ? total : p.n, page, per_page);
}

void kam_http_contacts_list(struct kam_http_req *req, struct kam_http_resp *resp)
{
    account_rows(req, resp, &kam_contacts, false);
}

void kam_http_payments_list(struct kam_http_req *req, struct kam_http_resp *resp)
{
    account_rows(req, resp, &kam_payments, true);
}

static void order_fields(struct kam_jw *w, const struct kam_order_line *l, const char *sku,
                         const char *product_name)
{
    kam_jw_obj(w);
    kam_jw_kstr(w, "order_id", l->order_id);
    kam_jw_kint(w, "line_no", l->line_no);
    kam_jw_kstr(w, "date", l->date);
    kam_jw_kstr(w, "product", sku);
    kam_jw_kstr(w, "product_name", product_name);
    kam_jw_key(w, "quantity");
    kam_jw_money(w, l->quantity);
    kam_jw_key(w, "unit_price");
    kam_jw_money(w, l->unit_price);
    kam_jw_key(w, "amount");
    kam_jw_money(w, l->amount);
    kam_jw_key(w, "cost");
    if (l->cost == KAM_NONE)
        kam_jw_null(w);
    else
        kam_jw_money(w, l->cost);
    kam_jw_key(w, "discount");
    kam_jw_money(w, l->discount);
    kam_jw_kstr(w, "channel", l->channel[0] ? l->channel : NULL);
    kam_jw_kstr(w, "region", l->region[0] ? l->region : NULL);
    kam_jw_obj_end(w);
}

static int order_row(void *ctx, const struct kam_order_line *l, const char *sku,
                     const char *product_name)
{
    order_fields(ctx, l, sku, product_name);
    return 0;
}

void kam_http_orders_list(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_err err;
    int64_t id = 0, page, per_page, total = 0;
    kam_err_clear(&err);
    if (!paging(req, resp, &page, &per_page) || !path_account(req, resp, &id))
        return;
    struct kam_jw *w = &resp->body;
    kam_jw_obj(w);
    kam_jw_key(w, "items");
    kam_jw_arr(w);
    if (req->st->ops->order_page(req->st, id, per_page, (page - 1) * per_page, &total, order_row, w,
                                 &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_http_list_end(w, total, page, per_page);
}

/* --- creating ------------------------------------------------------------------------------ */

struct field_errors {
    struct kam_problem_field f[MAX_FIELD_ERRORS];
    size_t n;
    struct kam_arena *arena;
};

static void field_error(struct field_errors *e, const char *field, const char *message)
{
    if (e->n < MAX_FIELD_ERRORS)
        e->f[e->n++] = (struct kam_problem_field){kam_arena_strdup(e->arena, field),
                                                  kam_arena_strdup(e->arena, message)};
}

/* The import's problems with the one row: each names its field. */
static void on_problem(void *ctx, const struct kam_import_problem *p)
{
    field_error(ctx, p->field && p->field[0] ? p->field : "body", p->msg);
}

/* The body's members as the fields of kind (account, from the path, added for an account's
 * records); false after the 400 naming every member at fault. */
static bool body_fields(struct kam_http_req *req, struct kam_http_resp *resp,
                        enum kam_import_kind kind, const char *account,
                        struct kam_field_value **out, size_t *n)
{
    json_t *body = NULL, *j;
    const char *key;
    struct field_errors bad = {.arena = req->arena};
    char num[24];
    if (!kam_http_body_json(req, resp, &body))
        return false;
    size_t cap = json_object_size(body) + 1;
    struct kam_field_value *f = kam_arena_alloc(req->arena, cap * sizeof(*f));
    *n = 0;
    json_object_foreach(body, key, j)
    {
        const char *v = NULL;
        if (!kam_import_field_known(kind, key)) {
            field_error(&bad, key, "is not a field of this record (docs/import.md lists them)");
            continue;
        }
        if (json_is_string(j) && strlen(json_string_value(j)) == json_string_length(j)) {
            v = json_string_value(j);
        } else if (json_is_integer(j)) {
            snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(j));
            v = num;
        } else if (json_is_null(j)) {
            v = "";
        } else {
            field_error(&bad, key,
                        "is a string (an exact decimal for money, \"12.5\"), a whole number or "
                        "null");
            continue;
        }
        if (account != NULL && strcmp(key, "account") == 0) {
            if (strcmp(v, account) != 0)
                field_error(&bad, key, "is the account of the path: leave it out");
            continue;
        }
        f[(*n)++] = (struct kam_field_value){kam_arena_strdup(req->arena, key),
                                             kam_arena_strdup(req->arena, v)};
    }
    json_decref(body);
    if (account != NULL)
        f[(*n)++] = (struct kam_field_value){"account", account};
    if (bad.n > 0) {
        kam_problem(resp, 400, "the body is an object of the record's fields", bad.f, bad.n);
        return false;
    }
    *out = f;
    return true;
}

static const char *value_of(const struct kam_field_value *f, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(f[i].name, name) == 0)
            return f[i].value;
    return "";
}

/* The record just created, as its list gives it. */
struct found {
    struct kam_jw *w;
    const struct kam_table *t;
    const char *name; /* contacts: the one with this name */
    const char *product_name;
    struct kam_arena *arena;
};

static int found_row(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct found *f = ctx;
    if (f->name != NULL && (vals[KAM_CON_NAME].len != strlen(f->name) ||
                            memcmp(vals[KAM_CON_NAME].s, f->name, vals[KAM_CON_NAME].len) != 0))
        return 0;
    kam_jw_obj(f->w);
    kam_http_record_fields(f->w, f->t, id, vals);
    kam_jw_obj_end(f->w);
    return 1;
}

static int product_name_row(void *ctx, int64_t id, const struct kam_value *vals)
{
    struct found *f = ctx;
    (void)id;
    f->product_name = kam_arena_strndup(f->arena, vals[KAM_PRO_NAME].s, vals[KAM_PRO_NAME].len);
    return 0;
}

/* Answers the record of kind just created from f: 201 with it as its list or GET gives it. */
static void created(struct kam_http_req *req, struct kam_http_resp *resp, enum kam_import_kind kind,
                    const struct kam_field_value *f, size_t n, int64_t account_id)
{
    struct kam_store *st = req->st;
    struct kam_err err;
    struct found fd = {.w = &resp->body, .arena = req->arena};
    enum kam_rc rc = KAM_OK;
    kam_err_clear(&err);
    switch (kind) {
    case KAM_IMPORT_ACCOUNTS: {
        const char *code = value_of(f, n, "code");
        kam_http_account_answer(req, resp, code);
        if (strlen(code) < sizeof(resp->location) - 20 &&
            strspn(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") ==
                strlen(code))
            snprintf(resp->location, sizeof(resp->location), "/api/v1/accounts/%s", code);
        break;
    }
    case KAM_IMPORT_CONTACTS:
        fd.t = &kam_contacts;
        fd.name = value_of(f, n, "name");
        rc = st->ops->each(st, &kam_contacts, account_id, found_row, &fd, &err);
        break;
    case KAM_IMPORT_PRODUCTS:
        fd.t = &kam_products;
        rc = st->ops->get(st, &kam_products, value_of(f, n, "sku"), found_row, &fd, &err);
        break;
    case KAM_IMPORT_PAYMENTS:
        fd.t = &kam_payments;
        rc = st->ops->get(st, &kam_payments, value_of(f, n, "invoice"), found_row, &fd, &err);
        break;
    case KAM_IMPORT_ORDERS: {
        struct kam_order_line l;
        const char *line = value_of(f, n, "line_no"), *sku = value_of(f, n, "product");
        rc = st->ops->get(st, &kam_products, sku, product_name_row, &fd, &err);
        if (rc == KAM_OK)
            rc = st->ops->order_find(st, value_of(f, n, "order_id"), *line ? atoll(line) : 1, &l,
                                     &err);
        if (rc == KAM_OK)
            order_fields(&resp->body, &l, sku, fd.product_name);
        break;
    }
    default:
        KAM_BUG("created: not a record kind");
    }
    if (rc != KAM_OK)
        kam_problem_err(resp, &err);
}

/* POST of a record of kind; account: the path's account (its records), NULL for an account or
 * a product. */
static void create(struct kam_http_req *req, struct kam_http_resp *resp, enum kam_import_kind kind,
                   bool of_account)
{
    struct kam_field_value *f = NULL;
    struct field_errors bad = {.arena = req->arena};
    struct kam_err err;
    size_t n = 0;
    int64_t account_id = 0;

    kam_err_clear(&err);
    if (req->scope.read_only) {
        kam_problem(resp, 403, "your role may not change records", NULL, 0);
        return;
    }
    if (of_account && !path_account(req, resp, &account_id))
        return;
    if (kind == KAM_IMPORT_PRODUCTS && req->scope.kind != KAM_SCOPE_ALL) {
        kam_problem(resp, 403, "only those who see every account add products", NULL, 0);
        return;
    }
    if (!body_fields(req, resp, kind, of_account ? req->params[0] : NULL, &f, &n))
        return;
    enum kam_rc rc = kam_engine_record_create(req->st, req->user.username, &req->scope, kind, f, n,
                                              on_problem, &bad, &err);
    if (rc == KAM_ERR_INVALID) {
        if (bad.n == 0)
            field_error(&bad, err.field[0] ? err.field : "body", err.msg);
        kam_problem(resp, 422, bad.n == 1 ? bad.f[0].message : "the record is not valid", bad.f,
                    bad.n);
        return;
    }
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err); /* 404 outside the scope, 409 exists */
        return;
    }
    created(req, resp, kind, f, n, account_id);
}

void kam_http_account_post(struct kam_http_req *req, struct kam_http_resp *resp)
{
    create(req, resp, KAM_IMPORT_ACCOUNTS, false);
}

void kam_http_contact_post(struct kam_http_req *req, struct kam_http_resp *resp)
{
    create(req, resp, KAM_IMPORT_CONTACTS, true);
}

void kam_http_order_post(struct kam_http_req *req, struct kam_http_resp *resp)
{
    create(req, resp, KAM_IMPORT_ORDERS, true);
}

void kam_http_payment_post(struct kam_http_req *req, struct kam_http_resp *resp)
{
    create(req, resp, KAM_IMPORT_PAYMENTS, true);
}

void kam_http_product_post(struct kam_http_req *req, struct kam_http_resp *resp)
{
    create(req, resp, KAM_IMPORT_PRODUCTS, false);
}

/* --- the catalogue and the tags ----------------------------------------------------------------
 */

void kam_http_products_list(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_err err;
    int64_t page, per_page;
    kam_err_clear(&err);
    if (!paging(req, resp, &page, &per_page))
        return;
    struct rows_page p = {.w = &resp->body,
                          .t = &kam_products,
                          .first = (page - 1) * per_page + 1,
                          .last = page * per_page};
    kam_jw_obj(p.w);
    kam_jw_key(p.w, "items");
    kam_jw_arr(p.w);
    if (req->st->ops->each(req->st, &kam_products, 0, page_row, &p, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_http_list_end(p.w, p.n, page, per_page);
}

struct tags_out {
    struct kam_jw *w;
    int64_t n;
};

static int tag_row(void *ctx, const char *name, const char *color, int64_t accounts)
{
    struct tags_out *o = ctx;
    kam_jw_obj(o->w);
    kam_jw_kstr(o->w, "name", name);
    kam_jw_kstr(o->w, "color", color && *color ? color : NULL);
    if (accounts >= 0)
        kam_jw_kint(o->w, "accounts", accounts);
    kam_jw_obj_end(o->w);
    o->n++;
    return 0;
}

/* Every tag with its number of accounts (account_id 0), or one account's tags. */
static void tags_answer(struct kam_http_req *req, struct kam_http_resp *resp, int64_t account_id)
{
    struct kam_err err;
    struct tags_out o = {&resp->body, 0};
    kam_err_clear(&err);
    kam_jw_obj(o.w);
    kam_jw_key(o.w, "items");
    kam_jw_arr(o.w);
    if (req->st->ops->tag_list(req->st, account_id, tag_row, &o, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_arr_end(o.w);
    kam_jw_kint(o.w, "total", o.n);
    kam_jw_obj_end(o.w);
}

void kam_http_tags_list(struct kam_http_req *req, struct kam_http_resp *resp)
{
    tags_answer(req, resp, 0);
}

void kam_http_account_tags(struct kam_http_req *req, struct kam_http_resp *resp)
{
    int64_t id = 0;
    if (path_account(req, resp, &id))
        tags_answer(req, resp, id);
}

/* PUT (add, with an optional body {"color": "#rrggbb"} for a new tag) or DELETE of the path's
 * tag on the path's account; both answer the account's tags. */
static void tag_edit(struct kam_http_req *req, struct kam_http_resp *resp, bool add)
{
    struct kam_err err;
    json_t *body = NULL;
    const char *color = NULL;
    int64_t id = 0;
    kam_err_clear(&err);
    if (!writable_account(req, resp, &id))
        return;
    if (add && req->body_len > 0) {
        if (!kam_http_body_json(req, resp, &body))
            return;
        json_t *c = json_object_get(body, "color");
        if (json_object_size(body) != (c != NULL) || (c != NULL && !json_is_string(c))) {
            json_decref(body);
            struct kam_problem_field f = {"color", "the body is {\"color\": \"#rrggbb\"} or empty"};
            kam_problem(resp, 400, "the body is {\"color\": \"#rrggbb\"} or empty", &f, 1);
            return;
        }
        color = c ? kam_arena_strdup(req->arena, json_string_value(c)) : NULL;
        json_decref(body);
    }
    enum kam_rc rc = kam_engine_tag(req->st, req->user.username, &req->scope, req->params[0],
                                    req->params[1], color, add, &err);
    if (rc == KAM_ERR_INVALID) {
        struct kam_problem_field f = {err.field, err.msg};
        kam_problem(resp, 422, err.msg, &f, 1);
        return;
    }
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    tags_answer(req, resp, id);
}

void kam_http_tag_put(struct kam_http_req *req, struct kam_http_resp *resp)
{
    tag_edit(req, resp, true);
}

void kam_http_tag_delete(struct kam_http_req *req, struct kam_http_resp *resp)
{
    tag_edit(req, resp, false);
}

/* --- deleting an account ------------------------------------------------------------- */

void kam_http_account_delete(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_err err;
    int64_t id = 0, version = 0;
    kam_err_clear(&err);
    if (!writable_account(req, resp, &id) ||
        !kam_http_int_param(req, resp, "version", 0, 1, INT64_MAX, &version))
        return;
    /* The version read: ?version=N or If-Match: "N" (the ETag of GET), as a PATCH takes it. */
    int64_t im = kam_http_if_match(req);
    struct kam_problem_field f = {"version", "is required: ?version=N or If-Match"};
    if (im < 0)
        f = (struct kam_problem_field){"If-Match", "is the ETag of GET /api/v1/accounts/{code}"};
    else if (im > 0 && version > 0 && im != version)
        f.message = "differs from the If-Match header: send one version";
    else if (version == 0)
        version = im;
    if (im < 0 || (im > 0 && version != im) || version == 0) {
        kam_problem(resp, 400, "say which version you read: ?version=N or If-Match, such as \"3\"",
                    &f, 1);
        return;
    }
    if (kam_engine_account_delete(req->st, req->user.username, &req->scope, req->params[0], version,
                                  &err) != KAM_OK)
        kam_problem_err(resp, &err);
}
