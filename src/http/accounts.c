/* PATCH /api/v1/accounts/{code}: edit an account's profile under optimistic concurrency.
 *
 * The handler only maps the request: the JSON body's members to account column values (400 with
 * every field at fault when a member is unknown, not editable or of the wrong JSON type), the
 * version the client read (the body's "version" or If-Match, 400 when neither), then calls
 * kam_engine_account_update, which checks the values against the rules of the data model (422),
 * the row-level access (404 like a missing code), the version (409 naming the current one), and
 * writes the changed fields with their audit entry in one transaction. A CLI command would call
 * the same engine function. The answer is the account as GET /accounts/{code} gives it.
 *
 * What it does not do: create or delete accounts, or edit contacts, tags and the other records
 * (later slices). DOMAIN.md "key account": the account profile. */
#include "http/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/engine.h"

#define MAX_FIELD_ERRORS 32 /* a body may name any number of members: the list is bounded */

struct patch {
    struct kam_value vals[KAM_ACC_NCOLS];
    uint64_t mask;
    int64_t version; /* 0: not given */
    struct kam_problem_field bad[MAX_FIELD_ERRORS];
    size_t nbad;
};

static void bad_field(struct patch *p, const char *field, const char *message)
{
    if (p->nbad < MAX_FIELD_ERRORS)
        p->bad[p->nbad++] = (struct kam_problem_field){field, message};
}

/* A string member as a value: borrowed from the body, which outlives the engine call. */
static bool text_value(const json_t *j, struct kam_value *v)
{
    if (json_is_null(j)) {
        *v = (struct kam_value){.null = true};
        return true;
    }
    if (!json_is_string(j) || strlen(json_string_value(j)) != json_string_length(j))
        return false; /* not a string, or one with a NUL inside */
    *v = (struct kam_value){.s = json_string_value(j), .len = json_string_length(j)};
    return true;
}

/* One member of the body into p: its JSON type must be the column's (money as a decimal
 * string, as the API writes it). The rules on the value itself are the engine's. */
static void member(struct patch *p, struct kam_arena *arena, const char *key, const json_t *j)
{
    int i = kam_table_col(&kam_accounts, key);
    if (strcmp(key, "version") == 0) {
        if (!json_is_integer(j) || json_integer_value(j) < 1)
            bad_field(p, "version", "is the account's version you read: a whole number from 1");
        else
            p->version = json_integer_value(j);
        return;
    }
    if (i < 0 || !(KAM_ACCOUNT_EDITABLE & (1ull << i))) {
        bad_field(p, kam_arena_strdup(arena, key),
                  i >= 0 || strcmp(key, "id") == 0 || strcmp(key, "created_at") == 0 ||
                          strcmp(key, "updated_at") == 0
                      ? "cannot be changed"
                      : "is not an account field");
        return;
    }
    const struct kam_column *c = &kam_accounts.cols[i];
    struct kam_value *v = &p->vals[i];
    p->mask |= 1ull << i;
    if (c->type == KAM_V_INT) {
        if (json_is_null(j))
            *v = (struct kam_value){.null = true};
        else if (json_is_integer(j))
            *v = (struct kam_value){.i = json_integer_value(j)};
        else
            bad_field(p, c->name, "is a whole number or null");
        return;
    }
    if (!text_value(j, v)) {
        bad_field(p, c->name,
                  c->type == KAM_V_MONEY ? "is an exact decimal in a string (\"1200.5\") or null"
                  : c->type == KAM_V_REF ? "is an account code or null"
                                         : "is a string or null");
        return;
    }
    if (c->type == KAM_V_MONEY && !v->null) {
        struct kam_err e;
        kam_money m;
        kam_err_clear(&e);
        if (kam_money_parse(v->s, v->len, &m, &e) != KAM_OK)
            bad_field(p, c->name, kam_arena_strdup(arena, e.msg));
        else
            *v = (struct kam_value){.i = m};
    }
}

int64_t kam_http_if_match(const struct kam_http_req *req)
{
    const char *h = kam_http_header(req, "If-Match");
    char *end;
    if (h == NULL)
        return 0;
    while (*h == ' ')
        h++;
    if (h[0] != '"' || h[1] < '1' || h[1] > '9')
        return -1;
    errno = 0;
    long long v = strtoll(h + 1, &end, 10);
    if (errno != 0 || end[0] != '"' || end[strspn(end + 1, " ") + 1] != '\0')
        return -1;
    return v;
}

/* The body and If-Match into p; false after the 400 naming every field at fault. */
static bool read_patch(struct kam_http_req *req, struct kam_http_resp *resp, const json_t *body,
                       struct patch *p)
{
    const char *key;
    json_t *j;
    for (size_t i = 0; i < KAM_ACC_NCOLS; i++)
        p->vals[i].null = true;
    json_object_foreach((json_t *)body, key, j) member(p, req->arena, key, j);
    int64_t hv = kam_http_if_match(req);
    if (hv < 0)
        bad_field(p, "If-Match", "is the ETag of GET /api/v1/accounts/{code}, such as \"3\"");
    else if (hv > 0 && p->version > 0 && hv != p->version)
        bad_field(p, "version", "differs from the If-Match header: send one version");
    else if (hv > 0)
        p->version = hv;
    if (p->version == 0 && hv == 0)
        bad_field(p, "version",
                  "is required: the version you read (GET /api/v1/accounts/{code} gives it, and "
                  "its ETag), in the body or as If-Match");
    if (p->nbad == 0)
        return true;
    kam_problem(resp, 400,
                "the body is an object of the account fields to change and the version you read",
                p->bad, p->nbad);
    return false;
}

static int account_seen(void *ctx, int64_t id, const struct kam_value *vals, int64_t version,
                        const char *created_at, const char *updated_at)
{
    (void)ctx, (void)id, (void)vals, (void)version, (void)created_at, (void)updated_at;
    return 0;
}

void kam_http_account_patch(struct kam_http_req *req, struct kam_http_resp *resp)
{
    const char *code = req->params[0];
    struct kam_err err;
    json_t *body = NULL;

    kam_err_clear(&err);
    /* Outside the scope first, as every account route: the same 404 as a missing code, before
     * anything about the body is said. */
    if (req->st->ops->account_get_scoped(req->st, code, &req->scope, account_seen, NULL, &err) !=
        KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    if (req->scope.read_only) {
        kam_problem(resp, 403, "your role may not change accounts", NULL, 0);
        return;
    }
    if (!kam_http_body_json(req, resp, &body))
        return;
    struct patch *p = kam_arena_alloc(req->arena, sizeof(*p));
    memset(p, 0, sizeof(*p));
    if (!read_patch(req, resp, body, p)) {
        json_decref(body);
        return;
    }
    int64_t version = p->version;
    enum kam_rc rc = kam_engine_account_update(req->st, req->user.username, &req->scope, code,
                                               p->vals, p->mask, &version, &err);
    json_decref(body);
    if (rc == KAM_ERR_INVALID) {
        struct kam_problem_field f = {err.field, err.msg};
        kam_problem(resp, 422, err.msg, &f, err.field[0] ? 1 : 0);
        return;
    }
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err); /* 404, 409 with the current version, 500 */
        return;
    }
    kam_http_account_answer(req, resp, code);
}
