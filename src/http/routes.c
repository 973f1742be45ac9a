/* The route table of the HTTP API and the handlers of the read-only routes: health, the account
 * list, one account and the portfolio summary. Sessions are in session.c, the account edit in
 * accounts.c, the scoring routes in scoring.c, the analyses in analysis.c, the OpenAPI document
 * in openapi.c.
 *
 * One static table: method, path pattern, handler, what the caller needs, a summary and the
 * query parameters. The server matches requests against it, openapi.c writes the document from
 * it, and tests/http checks the two agree. Handlers read through the same store operations as
 * the CLI (account_list is `kam accounts`), with the signed-in user's scope in the query, so a
 * row outside the scope is never read, counted or shown. */
#include "http/http.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lifecycle.h"
#include "core/record.h"
#include "core/score.h"
#include "engine/engine.h"

/* --- health ---------------------------------------------------------------------------------- */

static void health(struct kam_http_req *req, struct kam_http_resp *resp)
{
    (void)req;
    kam_jw_obj(&resp->body);
    kam_jw_kstr(&resp->body, "status", "ok");
    kam_jw_kint(&resp->body, "schema", KAM_SCHEMA_VERSION);
    kam_jw_obj_end(&resp->body);
}

/* --- accounts -------------------------------------------------------------------------------- */

#define PER_PAGE_DEFAULT 50
#define PER_PAGE_MAX     500 /* a page is built in memory: this bounds a response's size */

bool kam_http_int_param(struct kam_http_req *req, struct kam_http_resp *resp, const char *name,
                        int64_t def, int64_t min, int64_t max, int64_t *out)
{
    const char *s = kam_http_query(req, name);
    char msg[160];
    char *end;
    *out = def;
    if (s == NULL)
        return true;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || v < min || v > max) {
        snprintf(msg, sizeof(msg), "'%.40s' is not a whole number from %lld to %lld", s,
                 (long long)min, (long long)max);
        struct kam_problem_field f = {name, msg};
        char detail[200];
        snprintf(detail, sizeof(detail), "query parameter '%s': %s", name, msg);
        kam_problem(resp, 400, detail, &f, 1);
        return false;
    }
    *out = v;
    return true;
}

/* One account of a list page, with what its row in a table shows: its columns, the version a
 * PATCH must carry (a list is enough to edit from), its revenues and its latest tier, score and
 * lifecycle stage (null when the latest run did not score it). */
static int page_row(void *ctx, const struct kam_account_item *it)
{
    struct kam_jw *w = ctx;
    kam_jw_obj(w);
    kam_http_record_fields(w, &kam_accounts, it->id, it->vals);
    kam_jw_kint(w, "version", it->version);
    kam_jw_key(w, "ttm_revenue");
    kam_jw_money(w, it->ttm_revenue);
    kam_jw_key(w, "total_revenue");
    kam_jw_money(w, it->total_revenue);
    kam_jw_kstr(w, "tier", it->tier);
    kam_jw_key(w, "score");
    kam_jw_double(w, it->score);
    kam_jw_kstr(w, "stage", it->stage);
    kam_jw_obj_end(w);
    return 0;
}

/* ?tier= and ?stage= (of the latest scoring run) into q; false after the 400 naming the one
 * that is not a tier or a lifecycle stage. */
static bool latest_run_filters(struct kam_http_req *req, struct kam_http_resp *resp,
                               struct kam_account_query *q)
{
    bool tier_ok = true, stage_ok = true;
    q->tier = kam_http_query(req, "tier");
    q->stage = kam_http_query(req, "stage");
    if (q->tier) {
        tier_ok = false;
        for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL; t++)
            tier_ok = tier_ok || strcmp(q->tier, kam_tier_name((enum kam_tier)t)) == 0;
    }
    if (q->stage) {
        stage_ok = false;
        for (int s = KAM_LIFECYCLE_NONE; s < KAM_LIFECYCLE_STAGES; s++)
            stage_ok = stage_ok ||
                       strcmp(q->stage, kam_lifecycle_stage_name((enum kam_lifecycle_stage)s)) == 0;
    }
    if (!tier_ok) {
        struct kam_problem_field f = {"tier", "is key, major, ordinary or small"};
        kam_problem(resp, 400, "query parameter 'tier' is not a tier", &f, 1);
    } else if (!stage_ok) {
        struct kam_problem_field f = {"stage", "is new, exploration, formation, stability, "
                                               "decline, dormant, lost or none"};
        kam_problem(resp, 400, "query parameter 'stage' is not a lifecycle stage", &f, 1);
    }
    return tier_ok && stage_ok;
}

bool kam_http_account_filters(struct kam_http_req *req, struct kam_http_resp *resp,
                              struct kam_account_query *qp)
{
    struct kam_account_query q = {.scope = &req->scope};
    struct kam_err err;
    int64_t limit;
    int first, last;

    kam_err_clear(&err);
    q.role = kam_http_query(req, "role");
    q.region = kam_http_query(req, "region");
    q.owner = kam_http_query(req, "owner");
    q.tag = kam_http_query(req, "tag");
    q.text = kam_http_query(req, "search");
    if (q.role && kam_enum_index(kam_role_names, q.role, strlen(q.role)) < 0) {
        struct kam_problem_field f = {"role", "not a supply-chain role: end_user, distributor, "
                                              "dealer, wholesaler, agent, supplier or internal"};
        kam_problem(resp, 400, "query parameter 'role' is not a known role", &f, 1);
        return false;
    }
    if (!latest_run_filters(req, resp, &q))
        return false;
    const char *quadrant = kam_http_query(req, "quadrant");
    if (quadrant != NULL && !kam_http_quadrant_ids(req, resp, quadrant, &q.ids, &q.nids))
        return false;
    const char *sort = kam_http_query(req, "sort");
    if (sort == NULL || strcmp(sort, "name") == 0) {
        q.sort = KAM_SORT_NAME;
    } else if (strcmp(sort, "revenue") == 0) {
        q.sort = KAM_SORT_REVENUE;
    } else {
        struct kam_problem_field f = {"sort", "is name or revenue"};
        kam_problem(resp, 400, "query parameter 'sort' is name or revenue", &f, 1);
        return false;
    }
    if (!kam_http_int_param(req, resp, "limit", 0, 1, INT64_MAX, &limit))
        return false;
    q.limit = limit;
    /* Trailing twelve months up to the last month with orders, as `kam accounts`. */
    enum kam_rc rc = req->st->ops->order_months(req->st, &first, &last, NULL, 0, &err);
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
        return false;
    }
    q.ttm_to = last;
    q.ttm_from = last ? kam_month_add(last, -11) : 0;
    *qp = q;
    return true;
}

/* A page of the list: the total is one count over the same conditions, and only the page's
 * rows are read (LIMIT and OFFSET), so the cost follows the page, not the accounts that match
 * (but for the sort, which SQLite does over the matching rows). */
static void accounts_list(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_account_query q;
    struct kam_err err;
    int64_t page, per_page, total = 0;

    kam_err_clear(&err);
    if (!kam_http_int_param(req, resp, "page", 1, 1, INT32_MAX, &page) ||
        !kam_http_int_param(req, resp, "per_page", PER_PAGE_DEFAULT, 1, PER_PAGE_MAX, &per_page) ||
        !kam_http_account_filters(req, resp, &q))
        return;
    enum kam_rc rc = req->st->ops->account_count(req->st, &q, &total, &err);
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    if (q.limit > 0 && total > q.limit)
        total = q.limit; /* ?limit= caps the list before it is paged */
    int64_t offset = (page - 1) * per_page, left = total - offset;
    struct kam_jw *w = &resp->body;
    kam_jw_obj(w);
    kam_jw_key(w, "items");
    kam_jw_arr(w);
    if (left > 0) {
        q.item = page_row;
        q.offset = offset;
        q.limit = left < per_page ? left : per_page;
        if ((rc = req->st->ops->account_list(req->st, &q, NULL, w, &err)) != KAM_OK) {
            kam_problem_err(resp, &err);
            return;
        }
    }
    kam_http_list_end(w, total, page, per_page);
}

static int account_row(void *ctx, int64_t id, const struct kam_value *vals, int64_t version,
                       const char *created_at, const char *updated_at)
{
    struct kam_http_resp *resp = ctx;
    struct kam_jw *w = &resp->body;
    kam_jw_obj(w);
    kam_http_record_fields(w, &kam_accounts, id, vals);
    kam_jw_kint(w, "version", version);
    kam_jw_kstr(w, "created_at", created_at);
    kam_jw_kstr(w, "updated_at", updated_at);
    kam_jw_obj_end(w);
    /* The version is the entity tag: a client sends it back as If-Match with its PATCH. */
    snprintf(resp->etag, sizeof(resp->etag), "\"%lld\"", (long long)version);
    return 0;
}

void kam_http_account_answer(struct kam_http_req *req, struct kam_http_resp *resp, const char *code)
{
    struct kam_err err;
    kam_err_clear(&err);
    /* Outside the scope is answered exactly like a missing code: the store gives both the
     * same error and message. */
    enum kam_rc rc =
        req->st->ops->account_get_scoped(req->st, code, &req->scope, account_row, resp, &err);
    if (rc != KAM_OK) {
        resp->etag[0] = '\0';
        kam_problem_err(resp, &err);
    }
}

static void account_get(struct kam_http_req *req, struct kam_http_resp *resp)
{
    kam_http_account_answer(req, resp, req->params[0]);
}

/* --- summary --------------------------------------------------------------------------------- */

#define SUMMARY_TOP 10 /* the largest accounts listed, as `kam summary` */

/* The portfolio summary with the field names of `kam summary --json`; one engine function
 * computes both. It covers the accounts of the caller's scope (the store reads only those), and
 * its "scope" member says which. */
static void summary(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_summary s;
    struct kam_err err;
    struct kam_jw *w = &resp->body;

    kam_err_clear(&err);
    enum kam_rc rc = kam_engine_summary_scoped(req->st, &req->scope, SUMMARY_TOP, &s, &err);
    if (rc != KAM_OK) {
        kam_summary_release(&s);
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_obj(w);
    kam_http_scope_json(w, &req->scope);
    kam_jw_kstr(w, "currency", s.currency);
    kam_jw_key(w, "counts");
    kam_jw_obj(w);
    kam_jw_kint(w, "accounts", s.counts.accounts);
    kam_jw_kint(w, "contacts", s.counts.contacts);
    kam_jw_kint(w, "products", s.counts.products);
    kam_jw_kint(w, "order_lines", s.counts.order_lines);
    kam_jw_kint(w, "payments", s.counts.payments);
    kam_jw_obj_end(w);
    kam_jw_kstr(w, "last_order_date", s.last_date[0] ? s.last_date : NULL);
    kam_jw_key(w, "net_revenue");
    kam_jw_money(w, s.net);
    kam_jw_key(w, "pareto");
    kam_jw_obj(w);
    kam_jw_kint(w, "population", s.pareto.population);
    kam_jw_key(w, "population_revenue");
    kam_jw_money(w, s.pareto.total);
    kam_jw_kint(w, "top_k", s.pareto.k);
    kam_jw_key(w, "top_revenue");
    kam_jw_money(w, s.pareto.top);
    kam_jw_key(w, "top_share");
    kam_jw_double(w, s.pareto.share);
    kam_jw_kint(w, "accounts_to_80", s.pareto.k80);
    kam_jw_key(w, "gini");
    kam_jw_double(w, s.gini);
    kam_jw_obj_end(w);
    kam_jw_key(w, "top_accounts");
    kam_jw_arr(w);
    for (size_t i = 0; i < s.ntop; i++) {
        kam_jw_obj(w);
        kam_jw_kstr(w, "code", s.top[i].code);
        kam_jw_kstr(w, "name", s.top[i].name);
        kam_jw_key(w, "revenue");
        kam_jw_money(w, s.top[i].revenue);
        kam_jw_key(w, "share");
        kam_jw_double(w, s.top[i].share);
        kam_jw_obj_end(w);
    }
    kam_jw_arr_end(w);
    kam_jw_obj_end(w);
    kam_summary_release(&s);
}

/* --- the table ------------------------------------------------------------------------------- */

/* The account list's filters and sort, shared by the list and its export. */
#define ACCOUNT_FILTERS                                                                            \
    {"role", "string", "supply-chain role: end_user, distributor, dealer, ..."},                   \
        {"region", "string", "region, exactly"},                                                   \
        {"owner", "string", "owner's username (within what the caller may see)"},                  \
        {"tag", "string", "accounts with this tag"},                                               \
        {"search", "string", "text in the code or name, case-insensitive"},                        \
        {"tier", "string", "tier in the latest scoring run: key, major, ordinary or small"},       \
        {"stage", "string",                                                                        \
         "lifecycle stage in the latest scoring run: new, exploration, formation, stability, "     \
         "decline, dormant, lost or none"},                                                        \
        {"quadrant", "string",                                                                     \
         "value matrix quadrant among the caller's accounts, as GET /analyses/matrix: core, "      \
         "potential, direct, inferior or unplaced"},                                               \
    {                                                                                              \
        "sort", "string", "name (default) or revenue (trailing twelve months, largest first)"      \
    }
/* The day an analysis is computed as of. */
#define AS_OF_PARAM                                                                                \
    {                                                                                              \
        "as_of", "string", "YYYY-MM-DD (default: the day of the last order)"                       \
    }

static const struct kam_http_param account_query[] = {
    ACCOUNT_FILTERS,
    {"limit", "integer", "at most this many accounts in all (before pagination)"},
    {"page", "integer", "page number, from 1"},
    {"per_page", "integer", "accounts per page, 1 to 500 (default 50)"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param page_query[] = {
    {"page", "integer", "page number, from 1"},
    {"per_page", "integer", "entries per page, 1 to 500 (default 50)"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param version_query[] = {
    {"version", "integer", "the version you read (or send If-Match)"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param score_query[] = {
    {"as_of", "string", "YYYY-MM-DD to score as of (default: the day of the last order)"},
    {"async", "string",
     "true: run as a background job, answer 202 with its URL (Location); false (default): "
     "answer when the run is stored"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param matrix_query[] = {
    AS_OF_PARAM,
    {"current", "string", "the current value's metric (kam metrics' names; default margin)"},
    {"potential", "string",
     "wallet (default: share-of-wallet headroom), growth, whitespace or "
     "rating:NAME"},
    {"current_threshold", "string", "a number in the axis' unit (default: the median)"},
    {"potential_threshold", "string", "the same for the potential axis"},
    {"peers", "string", "whitespace potential: the peers, role (default), industry or tier"},
    {"limit", "integer",
     "items listed per quadrant, largest current value first (default 1000; 0: all); the "
     "counts and sums are always of every account"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param whitespace_query[] = {
    AS_OF_PARAM,
    {"peers", "string", "the peer groups: role (default), industry or tier"},
    {"min_share", "string", "a gap's category is bought by at least this % of the peers (50)"},
    {"below", "string", "and the account buys below this % of the peers' median (25)"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param pareto_query[] = {
    {"by", "string", "revenue (default) or margin: all-time net, up to as_of"},
    {"abc", "string", "the A and B limits in % (default 80,95)"},
    AS_OF_PARAM,
    {"points", "integer",
     "curve points, evenly spaced in rank, the first and the last always in (default 1000; 0: "
     "one per account)"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param view_query[] = {
    AS_OF_PARAM,
    {"months", "integer", "months of revenue up to as_of's month, 1 to 120 (default 12)"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param rfm_query[] = {
    AS_OF_PARAM,
    {"limit", "integer",
     "accounts listed, largest all-time net revenue first (default 100; 0: all)"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param trend_query[] = {
    {"months", "integer", "the last N months up to the last order, 1 to 120 (default 24)"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param lifecycle_query[] = {
    AS_OF_PARAM,
    {"limit", "integer", "list this many accounts, largest window revenue first (default: none)"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param review_query[] = {
    {"limit", "integer", "at most this many candidates per reason (default 0: all)"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param tokens_query[] = {
    {"user", "string", "only this user's tokens"},
    {NULL, NULL, NULL},
};

static const struct kam_http_param audit_query[] = {
    {"actor", "string", "who acted: a username, the CLI's OS user, demo"},
    {"action", "string", "what was done: account.update, user.add, pin.set, ..."},
    {"entity", "string", "the kind of record: account, user, team, token, rating, pin, ..."},
    {"key", "string", "the record's key: an account code, a username, ..."},
    {"since", "string", "YYYY-MM-DD: entries of that day (UTC) and later"},
    {"page", "integer", "page number, from 1"},
    {"per_page", "integer", "entries per page, 1 to 500 (default 50)"},
    {NULL, NULL, NULL},
};

/* The list's filters (account_query without the pages) and the file's format. */
static const struct kam_http_param export_query[] = {
    {"format", "string", "csv (default) or xlsx"},
    {"encoding", "string", "csv only: utf-8 (default) or gb18030 (Excel on a Chinese Windows)"},
    ACCOUNT_FILTERS,
    {"limit", "integer", "at most this many accounts"},
    {NULL, NULL, NULL},
};

/* The options of `kam import`, by the same meaning (docs/import.md). */
static const struct kam_http_param import_query[] = {
    {"dry_run", "string", "true: validate and report, write nothing (--dry-run)"},
    {"reject", "string",
     "true: import the valid rows and return the invalid ones as rejects_csv (--reject-file); "
     "false (default): all-or-nothing"},
    {"encoding", "string",
     "utf-8 (default), gb18030 or gbk (--encoding); else the charset of the Content-Type"},
    {"date_format", "string", "strftime-style date format such as %d/%m/%Y (--date-format)"},
    {"map", "string", "field=Header,field=Header: your column names (--map)"},
    {"create_missing", "string",
     "true: orders create unknown accounts and products from the row (--create-missing)"},
    {"async", "string",
     "true: run as a background job, answer 202 with its URL (Location); its result is the "
     "report; false (default): answer when the import is over"},
    {NULL, NULL, NULL},
};

const struct kam_http_route kam_http_routes[] = {
    {"GET", "/api/v1/health", health, KAM_ROUTE_PUBLIC, 0, "whether the server is up", NULL, 200,
     NULL, "Health"},
    {"GET", "/api/v1/openapi.json", kam_http_openapi, KAM_ROUTE_PUBLIC, 0,
     "this API as an OpenAPI 3.1 document", NULL, 200, NULL, NULL},
    {"POST", "/api/v1/session", kam_http_session_post, KAM_ROUTE_PUBLIC | KAM_ROUTE_BODY, 0,
     "sign in: sets the session cookie, returns the user and the CSRF token", NULL, 200, "Login",
     "Session"},
    {"GET", "/api/v1/session", kam_http_session_get, 0, 0, "the signed-in user", NULL, 200, NULL,
     "Session"},
    {"DELETE", "/api/v1/session", kam_http_session_delete, 0, 0,
     "sign out: ends the session and clears the cookie", NULL, 204, NULL, NULL},
    {"GET", "/api/v1/accounts", accounts_list, KAM_ROUTE_KEPT, 0,
     "the accounts the user may see, filtered, sorted and paginated", account_query, 200, NULL,
     "AccountList"},
    {"GET", "/api/v1/accounts/{code}", account_get, KAM_ROUTE_KEPT, 0,
     "one account with its version (404 when missing or not visible)", NULL, 200, NULL, "Account"},
    {"POST", "/api/v1/accounts", kam_http_account_post, KAM_ROUTE_BODY, KAM_ACTION_WRITE_ACCOUNTS,
     "create an account from the fields of `kam import accounts` (the import's rules; a rep or "
     "manager who names no owner owns it); 409 when the code exists; audited",
     NULL, 201, "NewRecord", "Account"},
    {"DELETE", "/api/v1/accounts/{code}", kam_http_account_delete, 0, KAM_ACTION_WRITE_ACCOUNTS,
     "delete an account at the version read (?version= or If-Match), with its contacts, tags, "
     "ratings and score history; 409 when it has orders, invoices or child accounts (close it "
     "with its status instead); audited",
     version_query, 204, NULL, NULL},
    {"GET", "/api/v1/accounts/{code}/contacts", kam_http_contacts_list, KAM_ROUTE_KEPT, 0,
     "the account's contacts, in the order they were added", page_query, 200, NULL, "ContactList"},
    {"POST", "/api/v1/accounts/{code}/contacts", kam_http_contact_post, KAM_ROUTE_BODY,
     KAM_ACTION_WRITE_ACCOUNTS,
     "add a contact to the account (the fields of `kam import contacts`); 409 when the name "
     "exists there; audited",
     NULL, 201, "NewRecord", "Contact"},
    {"GET", "/api/v1/accounts/{code}/orders", kam_http_orders_list, KAM_ROUTE_KEPT, 0,
     "the account's order lines, newest order first", page_query, 200, NULL, "OrderLineList"},
    {"POST", "/api/v1/accounts/{code}/orders", kam_http_order_post, KAM_ROUTE_BODY,
     KAM_ACTION_WRITE_ACCOUNTS,
     "add an order line (the fields of `kam import orders`; line_no 1 when not given): the "
     "monthly and product rollups move with it; 409 when the line exists; audited",
     NULL, 201, "NewRecord", "OrderLine"},
    {"GET", "/api/v1/accounts/{code}/payments", kam_http_payments_list, KAM_ROUTE_KEPT, 0,
     "the account's invoices and their payments, newest first", page_query, 200, NULL,
     "PaymentList"},
    {"POST", "/api/v1/accounts/{code}/payments", kam_http_payment_post, KAM_ROUTE_BODY,
     KAM_ACTION_WRITE_ACCOUNTS,
     "add an invoice (the fields of `kam import payments`); 409 when the invoice exists; "
     "audited",
     NULL, 201, "NewRecord", "Payment"},
    {"GET", "/api/v1/accounts/{code}/tags", kam_http_account_tags, KAM_ROUTE_KEPT, 0,
     "the account's tags", NULL, 200, NULL, "TagList"},
    {"PUT", "/api/v1/accounts/{code}/tags/{name}", kam_http_tag_put, 0, KAM_ACTION_WRITE_ACCOUNTS,
     "tag the account (a new tag takes the body's color, optional); answers its tags; audited",
     NULL, 200, "TagColor", "TagList"},
    {"DELETE", "/api/v1/accounts/{code}/tags/{name}", kam_http_tag_delete, 0,
     KAM_ACTION_WRITE_ACCOUNTS, "untag the account; answers its tags; audited", NULL, 200, NULL,
     "TagList"},
    {"GET", "/api/v1/tags", kam_http_tags_list, KAM_ROUTE_KEPT, 0,
     "every tag with its number of accounts (of the whole company)", NULL, 200, NULL, "TagList"},
    {"GET", "/api/v1/products", kam_http_products_list, KAM_ROUTE_KEPT, 0, "the product catalogue",
     page_query, 200, NULL, "ProductList"},
    {"POST", "/api/v1/products", kam_http_product_post, KAM_ROUTE_BODY | KAM_ROUTE_ALL_SCOPE,
     KAM_ACTION_WRITE_ACCOUNTS,
     "add a product (the fields of `kam import products`); 409 when the sku exists; audited", NULL,
     201, "NewRecord", "Product"},
    {"PATCH", "/api/v1/accounts/{code}", kam_http_account_patch, KAM_ROUTE_BODY,
     KAM_ACTION_WRITE_ACCOUNTS,
     "change fields of an account the user may write, at the version read (body \"version\" or "
     "If-Match; 409 when stale); audited; answers the account as GET does",
     NULL, 200, "AccountPatch", "Account"},
    {"GET", "/api/v1/audit", kam_http_audit, 0, KAM_ACTION_READ_AUDIT,
     "the audit log, newest first, filtered and paginated (admin only, 403 for others)",
     audit_query, 200, NULL, "AuditList"},
    {"GET", "/api/v1/users", kam_http_users_list, 0, KAM_ACTION_MANAGE_USERS,
     "every user, as `kam user list --json` (admin only)", NULL, 200, NULL, "UserList"},
    {"POST", "/api/v1/users", kam_http_users_post, KAM_ROUTE_BODY, KAM_ACTION_MANAGE_USERS,
     "add a user with a password (Argon2id), as `kam user add`; audited (admin only)", NULL, 201,
     "NewUser", "User"},
    {"PATCH", "/api/v1/users/{username}", kam_http_users_patch, KAM_ROUTE_BODY,
     KAM_ACTION_MANAGE_USERS,
     "change a user's display name, role, team or disabled at the version read (409 when "
     "stale); audited (admin only)",
     NULL, 200, "UserPatch", "User"},
    {"PUT", "/api/v1/users/{username}/password", kam_http_users_password, KAM_ROUTE_BODY,
     KAM_ACTION_MANAGE_USERS, "set a user's password, as `kam user passwd`; audited (admin only)",
     NULL, 204, "Password", NULL},
    {"GET", "/api/v1/teams", kam_http_teams_list, 0, KAM_ACTION_MANAGE_USERS,
     "the teams with their number of users (admin only)", NULL, 200, NULL, "TeamList"},
    {"POST", "/api/v1/teams", kam_http_teams_post, KAM_ROUTE_BODY, KAM_ACTION_MANAGE_USERS,
     "add a team, as `kam team add`; audited (admin only)", NULL, 201, "NewTeam", "Team"},
    {"GET", "/api/v1/tokens", kam_http_tokens_list, 0, KAM_ACTION_MANAGE_USERS,
     "API tokens, never their text (admin only)", tokens_query, 200, NULL, "TokenList"},
    {"POST", "/api/v1/tokens", kam_http_tokens_post, KAM_ROUTE_BODY, KAM_ACTION_MANAGE_USERS,
     "create an API token for a user; its text is in this answer only; audited (admin only)", NULL,
     201, "NewToken", "Token"},
    {"DELETE", "/api/v1/tokens/{id}", kam_http_tokens_delete, 0, KAM_ACTION_MANAGE_USERS,
     "revoke a token, as `kam token revoke`; audited (admin only)", NULL, 204, NULL, NULL},
    {"GET", "/api/v1/summary", summary, KAM_ROUTE_KEPT, 0,
     "the portfolio summary of `kam summary --json`, over the accounts the user may see (scope)",
     NULL, 200, NULL, "Summary"},
    {"GET", "/api/v1/accounts/{code}/score", kam_http_score_get, KAM_ROUTE_KEPT, 0,
     "the account's latest score explanation, as `kam explain --json` (404 when missing, not "
     "visible or not scored yet)",
     NULL, 200, NULL, "Explanation"},
    {"PUT", "/api/v1/accounts/{code}/ratings/{name}", kam_http_rating_put, KAM_ROUTE_BODY,
     KAM_ACTION_WRITE_ACCOUNTS,
     "set (or, with null, clear) one static rating of an account the user may write; audited", NULL,
     200, "RatingSet", "Rating"},
    {"PUT", "/api/v1/accounts/{code}/pin", kam_http_pin_put, KAM_ROUTE_BODY,
     KAM_ACTION_WRITE_ACCOUNTS,
     "pin (or, with null, unpin) the tier of an account the user may write; audited", NULL, 200,
     "PinSet", "Pin"},
    {"GET", "/api/v1/model", kam_http_model_get, KAM_ROUTE_KEPT, 0,
     "the current scoring model as stored, with its version", NULL, 200, NULL, "Model"},
    {"PUT", "/api/v1/model", kam_http_model_put, KAM_ROUTE_BODY, KAM_ACTION_SET_MODEL,
     "store a new version of the scoring model (admin only; 422 with the JSON path when "
     "invalid); audited",
     NULL, 200, "ModelDocument", "ModelVersion"},
    {"POST", "/api/v1/model/validate", kam_http_model_validate, KAM_ROUTE_BODY, 0,
     "check a scoring model without storing it (422 with the JSON path when invalid)", NULL, 200,
     "ModelDocument", "ModelValidation"},
    {"POST", "/api/v1/scoring/runs", kam_http_score_run, KAM_ROUTE_ASYNC, KAM_ACTION_SCORE,
     "score every account now (admin and director), as `kam score --json`; with async=true as a "
     "background job (202, one run at a time: 409 while one is queued or running)",
     score_query, 201, NULL, "ScoreRun"},
    {"GET", "/api/v1/jobs", kam_http_jobs_list, 0, 0,
     "the caller's background jobs (an admin's: everyone's), newest first", NULL, 200, NULL,
     "JobList"},
    {"DELETE", "/api/v1/jobs/{id}", kam_http_job_delete, 0, 0,
     "cancel a queued or running job (its owner, admin): a scoring run stops before it stores "
     "anything; answers the job, which ends cancelled; 409 when it is over",
     NULL, 200, NULL, "Job"},
    {"GET", "/api/v1/jobs/{id}", kam_http_job_get, 0, 0,
     "a background job: state, progress, and its result or problem once over (404 for another "
     "user's job, but to an admin)",
     NULL, 200, NULL, "Job"},
    {"GET", "/api/v1/changes", kam_http_changes, KAM_ROUTE_KEPT, 0,
     "tier changes of the latest run against the one before, as `kam changes --json`, among "
     "the accounts the user may see (scope)",
     NULL, 200, NULL, "TierChanges"},
    {"GET", "/api/v1/accounts/{code}/metrics", kam_http_metrics_get, KAM_ROUTE_KEPT, 0,
     "the account's latest stored metrics and lifecycle stage (404 when missing, not visible or "
     "no metrics stored yet)",
     NULL, 200, NULL, "AccountMetrics"},
    {"GET", "/api/v1/analyses/pareto", kam_http_pareto, KAM_ROUTE_KEPT, 0,
     "the Pareto and ABC analysis of `kam pareto --json` without the per-account list, over the "
     "accounts the user may see (scope)",
     pareto_query, 200, NULL, "Pareto"},
    {"GET", "/api/v1/analyses/lifecycle", kam_http_lifecycle, KAM_ROUTE_KEPT, 0,
     "accounts and window revenue per lifecycle stage, as `kam lifecycle --json`, over the "
     "accounts the user may see (scope)",
     lifecycle_query, 200, NULL, "Lifecycle"},
    {"GET", "/api/v1/accounts/{code}/view", kam_http_account_view, KAM_ROUTE_KEPT, 0,
     "one account's 360 view as `kam account CODE --json`: profile, contacts, tags, monthly "
     "revenue, top products, open receivables (scope: 404 outside it)",
     view_query, 200, NULL, "AccountView"},
    {"GET", "/api/v1/analyses/rfm", kam_http_rfm, KAM_ROUTE_KEPT, 0,
     "RFM segments of the accounts in the caller's scope and the largest of them with their R, "
     "F and M, as `kam rfm --json`",
     rfm_query, 200, NULL, "Rfm"},
    {"GET", "/api/v1/analyses/trend", kam_http_trend, KAM_ROUTE_KEPT, 0,
     "the portfolio month by month (net revenue, margin, returns, lines), as `kam trend --json`, "
     "over the accounts the user may see (scope)",
     trend_query, 200, NULL, "Trend"},
    {"GET", "/api/v1/analyses/tiers", kam_http_tiers, KAM_ROUTE_KEPT, 0,
     "accounts and window revenue per tier in the latest scoring run, and the run before, as "
     "`kam tiers --json`, over the scored accounts the user may see (scope; 404 before any run)",
     NULL, 200, NULL, "Tiers"},
    {"GET", "/api/v1/review", kam_http_review, KAM_ROUTE_KEPT, 0,
     "the periodic review candidates of the latest scoring run, as `kam review --json`, among "
     "the accounts the user may see (scope)",
     review_query, 200, NULL, "Review"},
    {"GET", "/api/v1/accounts/{code}/whitespace", kam_http_whitespace, KAM_ROUTE_KEPT, 0,
     "the account's cross-sell gaps among the caller's accounts (`kam whitespace CODE --json`): "
     "categories its peers buy and it does not, with their worth",
     whitespace_query, 200, NULL, "Whitespace"},
    {"GET", "/api/v1/analyses/matrix", kam_http_matrix, KAM_ROUTE_KEPT, 0,
     "the value matrix of `kam matrix --json` with its default options, over the accounts the "
     "user may see (scope)",
     matrix_query, 200, NULL, "Matrix"},
    {"POST", "/api/v1/imports/{kind}", kam_http_import, KAM_ROUTE_CSV | KAM_ROUTE_ASYNC,
     KAM_ACTION_IMPORT,
     "import a CSV file (the body, text/csv) as `kam import KIND` does: accounts, contacts, "
     "products, orders, payments or ratings; all-or-nothing (422 with the report when invalid) "
     "unless reject=true; audited (admin and director, 403 for others)",
     import_query, 200, "ImportFile", "ImportReport"},
    {"GET", "/api/v1/exports/accounts", kam_http_export_accounts, KAM_ROUTE_FILE, 0,
     "the accounts the user may see, filtered and sorted as GET /accounts, as a file: CSV "
     "(UTF-8 or GB18030) or xlsx, with ttm_revenue and total_revenue; at most 1,000,000 rows "
     "(413 beyond); not audited (a read)",
     export_query, 200, NULL,
     "text/csv application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"},
};

const size_t kam_http_route_count = sizeof(kam_http_routes) / sizeof(kam_http_routes[0]);

/* Matches path against pattern segment by segment; a {name} segment takes any non-empty
 * segment. Parameters are copied into the arena. */
static bool match(const char *pattern, const char *path, struct kam_arena *arena,
                  const char **params)
{
    size_t np = 0;
    while (*pattern && *path) {
        if (*pattern == '{') {
            const char *end = path;
            while (*end != '\0' && *end != '/')
                end++;
            size_t len = (size_t)(end - path);
            if (len == 0 || np >= KAM_HTTP_MAX_PARAMS)
                return false;
            if (params)
                params[np] = kam_arena_strndup(arena, path, len);
            np++;
            path = end;
            while (*pattern != '\0' && *pattern != '}')
                pattern++;
            if (*pattern == '\0')
                KAM_BUG("route pattern without '}'");
            pattern++;
        } else if (*pattern++ != *path++) {
            return false;
        }
    }
    return *pattern == '\0' && *path == '\0';
}

const struct kam_http_route *kam_http_route_match(const char *method, const char *path,
                                                  struct kam_arena *arena, const char **params,
                                                  char *allow, size_t allow_n)
{
    /* Every pattern starts with the API's prefix: compared once, then from after it. */
    static const char api[] = "/api/v1/";
    const size_t skip = sizeof(api) - 1;
    allow[0] = '\0';
    if (strncmp(path, api, skip) != 0)
        return NULL;
    for (size_t i = 0; i < kam_http_route_count; i++) {
        const struct kam_http_route *r = &kam_http_routes[i];
        if (strncmp(r->pattern, api, skip) == 0 && strcmp(r->method, method) == 0 &&
            match(r->pattern + skip, path + skip, arena, NULL)) {
            match(r->pattern + skip, path + skip, arena, params);
            return r;
        }
    }
    for (size_t i = 0; i < kam_http_route_count; i++) {
        const struct kam_http_route *r = &kam_http_routes[i];
        if (strncmp(r->pattern, api, skip) == 0 &&
            match(r->pattern + skip, path + skip, arena, NULL)) {
            size_t len = strlen(allow);
            snprintf(allow + len, allow_n - len, "%s%s", len ? ", " : "", r->method);
        }
    }
    return NULL;
}
