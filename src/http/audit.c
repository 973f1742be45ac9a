/* GET /api/v1/audit: the audit log for administrators, newest first, filtered and paginated like
 * the account list. It reads through the store's audit_list, as `kam audit` does; the filters
 * are in the query, and the total is a count of the same query.
 *
 * What it does not do: write entries (each write appends its own, in its transaction) or show
 * what the entries never hold (passwords, hashes, tokens). DOMAIN.md "Who uses it": the
 * administrator reads who changed what. */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "util/date.h"

#define PER_PAGE_DEFAULT 50
#define PER_PAGE_MAX     500 /* as the account list: bounds a response's size */

/* A stored before or after as JSON: the text every writer produced with jansson, checked again
 * here so that a row changed outside kam cannot break the answer (it is then null). */
static void entry_json(struct kam_jw *w, const char *key, const char *text)
{
    kam_jw_key(w, key);
    json_t *j = text ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    char *out = j ? json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (out != NULL)
        kam_jw_raw(w, out, strlen(out));
    else
        kam_jw_null(w);
    free(out);
    json_decref(j);
}

static int audit_row(void *ctx, const struct kam_audit_entry *e)
{
    struct kam_jw *w = ctx;
    kam_jw_obj(w);
    kam_jw_kint(w, "id", e->id);
    kam_jw_kstr(w, "at", e->at);
    kam_jw_kstr(w, "actor", e->actor);
    kam_jw_kstr(w, "action", e->action);
    kam_jw_kstr(w, "entity", e->entity);
    kam_jw_kstr(w, "key", e->entity_key); /* NULL writes null */
    entry_json(w, "before", e->before);
    entry_json(w, "after", e->after);
    kam_jw_obj_end(w);
    return 0;
}

/* ?since= as a day; false after the 400 naming it. */
static bool since_param(struct kam_http_req *req, struct kam_http_resp *resp, const char **out)
{
    struct kam_date d;
    struct kam_err err;
    const char *s = kam_http_query(req, "since");
    *out = s;
    kam_err_clear(&err);
    if (s == NULL || (strlen(s) == 10 && kam_date_parse_iso(s, 10, &d, &err) == KAM_OK))
        return true;
    struct kam_problem_field f = {"since", "is a day, YYYY-MM-DD"};
    kam_problem(resp, 400, "query parameter 'since' is a day, YYYY-MM-DD", &f, 1);
    return false;
}

void kam_http_audit(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_audit_query q = {0};
    struct kam_jw *w = &resp->body;
    struct kam_err err;
    int64_t page, per_page, total = 0;

    kam_err_clear(&err);
    q.actor = kam_http_query(req, "actor");
    q.action = kam_http_query(req, "action");
    q.entity = kam_http_query(req, "entity");
    q.key = kam_http_query(req, "key");
    if (!since_param(req, resp, &q.since) ||
        !kam_http_int_param(req, resp, "page", 1, 1, INT32_MAX, &page) ||
        !kam_http_int_param(req, resp, "per_page", PER_PAGE_DEFAULT, 1, PER_PAGE_MAX, &per_page))
        return;
    q.limit = per_page;
    q.offset = (page - 1) * per_page;
    kam_jw_obj(w);
    kam_jw_key(w, "items");
    kam_jw_arr(w);
    if (req->st->ops->audit_list(req->st, &q, &total, audit_row, w, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_http_list_end(w, total, page, per_page);
}
