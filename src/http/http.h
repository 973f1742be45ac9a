/* The pieces of the HTTP server that its modules share: a request as the handlers see it, the
 * response they fill, and the route table (routes.c) that ties paths to handlers.
 *
 * A handler gets a request whose user is already authenticated and allowed on the route (the
 * server checks the route's flags before calling it), reads the store through req->st (this
 * server thread's own connection) with req->scope, and writes its JSON into resp->body. It never
 * touches libmicrohttpd: query values and headers come through kam_http_query and
 * kam_http_header. docs/api.md. */
#ifndef KAM_HTTP_HTTP_H
#define KAM_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/access.h"
#include "http/json_writer.h"
#include "store/store.h"
#include "util/err.h"
#include "util/mem.h"

#define KAM_HTTP_MAX_PARAMS 4 /* {code}-style parameters in one path */

struct kam_http_server;
struct kam_http_route;

enum kam_http_auth { KAM_HTTP_AUTH_NONE, KAM_HTTP_AUTH_COOKIE, KAM_HTTP_AUTH_BEARER };

struct kam_http_req {
    const char *method, *path;
    const struct kam_http_route *route;
    const char *params[KAM_HTTP_MAX_PARAMS]; /* the path's {parameters}, in order, arena-owned */
    const char *body;                        /* the request body, NUL-terminated; "" when none */
    size_t body_len;
    struct kam_arena *arena; /* freed when the request ends */
    struct kam_store *st;    /* this thread's connection */
    struct kam_http_server *srv;
    void *conn;      /* the connection, for kam_http_query and kam_http_header only */
    char client[64]; /* the client's address, for the login rate limit */
    /* Who asks: set by kam_http_authenticate. */
    enum kam_http_auth auth;
    struct kam_user user;
    struct kam_scope scope;
    struct kam_session session; /* when auth is COOKIE */
};

struct kam_http_resp {
    int status;
    struct kam_jw body;
    const char *content_type; /* NULL: application/json */
    char set_cookie[256];     /* "" none */
    char allow[64];           /* 405: the methods the path takes */
    int retry_after;          /* seconds, 0 none (429) */
    bool www_authenticate;    /* 401: say which schemes we take */
    char etag[32];            /* "" none; else the ETag header's value, quotes included */
    char location[64];        /* "" none; else the Location header (a 202's job URL) */
    /* A file to download (exports.c) instead of body's JSON: malloc'd bytes the server sends
     * and frees, raw_len of them; NULL: the body. Set it last, after anything that may fail. */
    char *raw;
    size_t raw_len;
    char disposition[96]; /* "" none; else the Content-Disposition header */
};

/* The value of query parameter name, or NULL. Borrowed for the request. */
const char *kam_http_query(const struct kam_http_req *req, const char *name);
/* The value of request header name (case-insensitive), or NULL. */
const char *kam_http_header(const struct kam_http_req *req, const char *name);
/* The value of cookie name, or NULL. */
const char *kam_http_cookie(const struct kam_http_req *req, const char *name);

typedef void (*kam_http_handler)(struct kam_http_req *req, struct kam_http_resp *resp);

enum kam_route_flags {
    KAM_ROUTE_PUBLIC = 1u << 0,    /* no authentication */
    KAM_ROUTE_ALL_SCOPE = 1u << 1, /* only users who see every account (admin, director) */
    KAM_ROUTE_BODY = 1u << 2,      /* takes a JSON request body */
    /* takes a CSV file as its body (text/csv, optionally with a charset) up to the server's
     * --max-import-body instead of --max-body; a JSON body is refused */
    KAM_ROUTE_CSV = 1u << 3,
    /* may run as a background job: ?async=true answers 202 with a Job (jobs.h) */
    KAM_ROUTE_ASYNC = 1u << 4,
    /* answers a file to download (resp->raw), not JSON: the route's response names its media
     * types, space-separated, each a binary string in the OpenAPI document */
    KAM_ROUTE_FILE = 1u << 5,
    /* a GET whose answer depends only on the database, the user and the request's path and
     * query: the server keeps it until the database changes (kept.h) */
    KAM_ROUTE_KEPT = 1u << 6,
};

/* A query parameter a route takes, for validation and the OpenAPI document. */
struct kam_http_param {
    const char *name;
    const char *type; /* "string" or "integer" */
    const char *description;
};

struct kam_http_route {
    const char *method;  /* "GET", ... */
    const char *pattern; /* "/api/v1/accounts/{code}" */
    kam_http_handler handler;
    unsigned flags;   /* enum kam_route_flags */
    unsigned actions; /* enum kam_action_flags the user's role needs (0: reading the scope) */
    const char *summary;
    const struct kam_http_param *query; /* {NULL}-terminated, NULL when none */
    int status;                         /* the status of success */
    const char *request;  /* the request body's schema in the OpenAPI components, or NULL */
    const char *response; /* the success body's schema, or NULL when there is none (a
                           * KAM_ROUTE_FILE route: its media types) */
};

extern const struct kam_http_route kam_http_routes[];
extern const size_t kam_http_route_count;

/* The route for method and path: path parameters copied into params (arena-owned). NULL when
 * none; then allow gets the methods the path takes ("" when the path is unknown). */
const struct kam_http_route *kam_http_route_match(const char *method, const char *path,
                                                  struct kam_arena *arena, const char **params,
                                                  char *allow, size_t allow_n);

/* --- problems (problem.c) ------------------------------------------------------------------- */

/* One field in a validation problem's errors list. */
struct kam_problem_field {
    const char *field, *message;
};

/* The HTTP status and problem type ("not-found") of an error code. */
int kam_problem_status(enum kam_rc rc);
const char *kam_problem_type(enum kam_rc rc);
/* The problem type of an HTTP status the server answers by itself (403, 405, 415, 429, ...) or
 * of one an error code maps to; "about:blank" for any other. */
const char *kam_problem_type_of_status(int status);
/* The title of a status ("Not Found"). */
const char *kam_problem_title(int status);

/* Replaces resp with an application/problem+json answer: status, type, title and detail, and
 * errors when nfields > 0. */
void kam_problem(struct kam_http_resp *resp, int status, const char *detail,
                 const struct kam_problem_field *fields, size_t nfields);
/* The same for an error: its status and type, its message as detail, its field (when set) as
 * the one entry of errors. */
void kam_problem_err(struct kam_http_resp *resp, const struct kam_err *err);

/* --- authentication (session.c) ------------------------------------------------------------- */

/* Fills req's user, scope and auth from a bearer token or the session cookie, and for a cookie
 * checks the CSRF header on writes. false after writing the problem (401, 403) into resp. */
bool kam_http_authenticate(struct kam_http_req *req, struct kam_http_resp *resp);

/* The login rate limiter: fixed-size, in memory, shared by the server's threads. */
struct kam_ratelimit;
struct kam_ratelimit *kam_ratelimit_new(void);
void kam_ratelimit_free(struct kam_ratelimit *rl);
struct kam_ratelimit *kam_http_server_ratelimit(struct kam_http_server *srv);
/* How many requests other than GET and HEAD the server has answered (results kept by a thread
 * are stale once it moves). */
uint64_t kam_http_server_writes(struct kam_http_server *srv);

/* Whether the server speaks HTTPS (its session cookie is then Secure). */
bool kam_http_server_tls(const struct kam_http_server *srv);
/* The server's background jobs (jobs.h) and their routes (jobs.c). */
struct kam_jobs *kam_http_server_jobs(struct kam_http_server *srv);
void kam_http_job_get(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_jobs_list(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_job_delete(struct kam_http_req *req, struct kam_http_resp *resp);

void kam_http_session_post(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_session_get(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_session_delete(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_openapi(struct kam_http_req *req, struct kam_http_resp *resp);

/* The scoring routes (scoring.c). */
void kam_http_score_get(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_rating_put(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_pin_put(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_model_get(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_model_put(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_model_validate(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_score_run(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_changes(struct kam_http_req *req, struct kam_http_resp *resp);

/* POST /imports/{kind} (imports.c). */
void kam_http_import(struct kam_http_req *req, struct kam_http_resp *resp);

/* PATCH /accounts/{code} (accounts.c) and GET /audit (audit.c). */
void kam_http_account_patch(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_audit(struct kam_http_req *req, struct kam_http_resp *resp);

/* The analysis routes (analysis.c). */
void kam_http_metrics_get(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_pareto(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_lifecycle(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_trend(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_rfm(struct kam_http_req *req, struct kam_http_resp *resp);
/* The "scope" member of a scoped analysis: which accounts its figures cover, {"kind":"all"},
 * {"kind":"team","team":T} or {"kind":"own","user":U}. */
void kam_http_scope_json(struct kam_jw *w, const struct kam_scope *scope);
void kam_http_account_view(struct kam_http_req *req, struct kam_http_resp *resp);
/* users.c: users, teams and tokens for the administrator. */
void kam_http_users_list(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_users_post(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_users_patch(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_users_password(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_teams_list(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_teams_post(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_tokens_list(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_tokens_post(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_tokens_delete(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_tiers(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_review(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_matrix(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_whitespace(struct kam_http_req *req, struct kam_http_resp *resp);

/* The account list's filters and sort (role, region, owner, tag, search, tier, stage, sort,
 * limit) from the query into *q, with the caller's scope and the trailing twelve months of
 * `kam accounts`. false after the 400 naming the bad parameter (or the store's problem). */
bool kam_http_account_filters(struct kam_http_req *req, struct kam_http_resp *resp,
                              struct kam_account_query *q);
/* The ids (arena-owned) of the accounts of the caller's scope in quadrant (core, potential,
 * direct, inferior, unplaced) of the value matrix GET /analyses/matrix shows (analysis.c);
 * false after the 400 naming a bad quadrant, or another problem. */
bool kam_http_quadrant_ids(struct kam_http_req *req, struct kam_http_resp *resp,
                           const char *quadrant, const int64_t **ids, size_t *n);
/* GET /exports/accounts (exports.c). */
void kam_http_export_accounts(struct kam_http_req *req, struct kam_http_resp *resp);

/* A whole number query parameter in [min, max] into *out (def when absent). false after a 400
 * problem naming the parameter. */
bool kam_http_int_param(struct kam_http_req *req, struct kam_http_resp *resp, const char *name,
                        int64_t def, int64_t min, int64_t max, int64_t *out);

/* Parses the request body as a JSON object (jansson; the caller decrefs *out). false after a 400
 * problem naming the line, column and position of the error. */
struct json_t;
bool kam_http_body_json(struct kam_http_req *req, struct kam_http_resp *resp, struct json_t **out);

/* The version of an If-Match header: "n", the ETag of GET /accounts/{code}. 0 when absent, -1
 * when it is not one of ours (a list, a weak tag, "*"). (accounts.c) */
int64_t kam_http_if_match(const struct kam_http_req *req);

/* Answers the account code as GET /accounts/{code} does: its columns, version and times, with
 * the version as ETag; the 404 of a missing code when it is outside the user's scope. */
void kam_http_account_answer(struct kam_http_req *req, struct kam_http_resp *resp,
                             const char *code);

/* A record's columns of table t as members of the current object (records.c): id, then each
 * column by name; money as exact decimal strings, a reference as the code it points to. */
void kam_http_record_fields(struct kam_jw *w, const struct kam_table *t, int64_t id,
                            const struct kam_value *vals);
/* Closes a page's "items" array and its object with "total", "next" (the next page's number
 * as a string, null on the last page), "page" and "per_page" (records.c). */
void kam_http_list_end(struct kam_jw *w, int64_t total, int64_t page, int64_t per_page);
/* The records around an account (records.c). */
void kam_http_account_post(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_account_delete(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_contacts_list(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_contact_post(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_orders_list(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_order_post(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_payments_list(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_payment_post(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_products_list(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_product_post(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_tags_list(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_account_tags(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_tag_put(struct kam_http_req *req, struct kam_http_resp *resp);
void kam_http_tag_delete(struct kam_http_req *req, struct kam_http_resp *resp);

/* Writes a user as JSON: username, display_name, role, team (no hash, no version). */
void kam_http_user_json(struct kam_jw *w, const struct kam_user *u);

#endif
