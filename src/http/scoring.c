/* The scoring routes of the HTTP API: one account's explanation, setting a rating, pinning a
 * tier, reading, storing and validating the scoring model, running the scoring and the tier
 * changes between the two latest runs. Each calls the engine function its CLI command calls (kam
 * explain, kam rate, kam pin, kam model, kam score, kam changes), so both apply the same rules;
 * the handlers only check who asks, map the request and write the answer with the streaming
 * writer.
 *
 * A scoring run answers when it is stored, or with ?async=true runs as a background job
 * (jobs.h): 202 with the job's URL, progress from the engine's callback, one run at a time.
 * The engine functions write a rating, a pin, a model or a scoring run together with its audit
 * entry. DOMAIN.md "identification": scores,
 * tiers, ratings, pins, the model. */
#include "http/http.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "engine/engine.h"
#include "http/jobs.h"
#include "io/model.h"
#include "util/date.h"

/* Answers an error of a write's input as 422 with its field (the JSON path for a model), any
 * other error by the common table. */
static void unprocessable(struct kam_http_resp *resp, const struct kam_err *err, const char *field)
{
    if (err->code != KAM_ERR_INVALID) {
        kam_problem_err(resp, err);
        return;
    }
    struct kam_problem_field f = {err->field[0] ? err->field : field, err->msg};
    kam_problem(resp, 422, err->msg, &f, 1);
}

/* The id of the account code if the user may see it; false after the 404 (the same for a code
 * outside the scope and one that does not exist, as GET /accounts/{code}). */
static bool scoped_account(struct kam_http_req *req, struct kam_http_resp *resp, const char *code,
                           int64_t *id)
{
    struct kam_err err;
    kam_err_clear(&err);
    *id = 0;
    enum kam_rc rc = req->st->ops->account_id_scoped(req->st, code, &req->scope, id, &err);
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
        return false;
    }
    return true;
}

/* --- GET /accounts/{code}/score -------------------------------------------------------------- */

static int history_row(void *ctx, const struct kam_score_row *row, const struct kam_run *run)
{
    struct kam_jw *w = ctx;
    kam_jw_obj(w);
    kam_jw_kint(w, "run", row->run);
    kam_jw_kstr(w, "as_of", run->as_of);
    kam_jw_key(w, "score");
    kam_jw_double(w, row->score);
    kam_jw_kstr(w, "tier", row->tier);
    kam_jw_key(w, "pinned");
    kam_jw_bool(w, row->pinned);
    kam_jw_obj_end(w);
    return 0;
}

/* Indicators by the points they could still add, as kam explain: weight * (100 - points). */
static double headroom(const json_t *it)
{
    return json_number_value(json_object_get(it, "weight")) *
           (100 - json_number_value(json_object_get(it, "points")));
}

static int by_headroom(const void *a, const void *b)
{
    double x = headroom(*(json_t *const *)a), y = headroom(*(json_t *const *)b);
    return (x < y) - (x > y);
}

/* The explanation is one small object per account that the engine already hands over as a
 * jansson tree (it is stored as JSON): its members are serialised one by one here. Lists (the
 * history) are streamed, never built as a tree. */
void kam_http_score_get(struct kam_http_req *req, struct kam_http_resp *resp)
{
    const char *code = req->params[0];
    struct kam_explanation e = {"", "", NULL};
    struct kam_err err;
    struct kam_jw *w = &resp->body;
    int64_t id;

    kam_err_clear(&err);
    if (!scoped_account(req, resp, code, &id))
        return;
    enum kam_rc rc = kam_engine_explain(req->st, id, code, &e, &err);
    if (rc == KAM_ERR_NOT_FOUND) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "account '%.64s' is not scored yet: it has no scoring run (POST "
                 "/api/v1/scoring/runs)",
                 code);
        kam_problem(resp, 404, detail, NULL, 0);
        return;
    }
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_obj(w);
    kam_jw_kstr(w, "account", code);
    const char *key;
    json_t *v;
    json_object_foreach(e.json, key, v)
    {
        char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17));
        if (text == NULL)
            KAM_BUG("json_dumps failed on a stored explanation");
        kam_jw_key(w, key);
        kam_jw_raw(w, text, strlen(text));
        free(text);
    }
    kam_jw_kstr(w, "as_of", e.as_of);
    kam_jw_kstr(w, "stage", e.stage);
    /* The three indicators that could add the most points, as kam explain. */
    json_t *items = json_object_get(e.json, "items");
    size_t n = json_array_size(items);
    json_t **sorted = kam_arena_alloc(req->arena, (n + 1) * sizeof(*sorted));
    for (size_t i = 0; i < n; i++)
        sorted[i] = json_array_get(items, i);
    qsort(sorted, n, sizeof(*sorted), by_headroom);
    kam_jw_key(w, "would_move_most");
    kam_jw_arr(w);
    for (size_t i = 0; i < n && i < 3; i++) {
        kam_jw_obj(w);
        kam_jw_kstr(w, "indicator", json_string_value(json_object_get(sorted[i], "indicator")));
        kam_jw_key(w, "max_gain");
        kam_jw_double(w, headroom(sorted[i]));
        kam_jw_obj_end(w);
    }
    kam_jw_arr_end(w);
    json_decref(e.json);
    kam_jw_key(w, "history");
    kam_jw_arr(w);
    rc = req->st->ops->score_history(req->st, id, history_row, w, &err);
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_arr_end(w);
    kam_jw_obj_end(w);
}

/* The account of a write route and the request's JSON body (*body the caller's): false, with
 * the answer given, when the account is out of the user's scope (the 404 of a missing one), the
 * role is read-only (403), or the body is not JSON. The route needs KAM_ACTION_WRITE_ACCOUNTS;
 * an account the user reads is one the user may write (core/access.c: the scopes are the same). */
static bool writable_account(struct kam_http_req *req, struct kam_http_resp *resp, const char *code,
                             int64_t *id, json_t **body)
{
    if (!scoped_account(req, resp, code, id))
        return false;
    if (req->scope.read_only) {
        kam_problem(resp, 403, "your role may not change accounts", NULL, 0);
        return false;
    }
    return kam_http_body_json(req, resp, body);
}

/* --- PUT /accounts/{code}/ratings/{name} ----------------------------------------------------- */

void kam_http_rating_put(struct kam_http_req *req, struct kam_http_resp *resp)
{
    const char *code = req->params[0], *name = req->params[1];
    struct kam_err err;
    json_t *body = NULL;
    int64_t id;

    kam_err_clear(&err);
    if (!writable_account(req, resp, code, &id, &body))
        return;
    json_t *jv = json_object_get(body, "value"), *jn = json_object_get(body, "note");
    struct kam_problem_field bad[2];
    size_t nbad = 0;
    if (jv == NULL || !(json_is_number(jv) || json_is_null(jv)))
        bad[nbad++] = (struct kam_problem_field){"value", "is required: a number, or null to "
                                                          "clear the rating"};
    if (jn != NULL && !json_is_string(jn) && !json_is_null(jn))
        bad[nbad++] = (struct kam_problem_field){"note", "is a string when given"};
    if (nbad > 0) {
        json_decref(body);
        kam_problem(resp, 400, "the body is {\"value\": number or null, \"note\": string}", bad,
                    nbad);
        return;
    }
    double value = json_is_null(jv) ? NAN : json_number_value(jv);
    const char *note =
        json_is_string(jn) ? kam_arena_strdup(req->arena, json_string_value(jn)) : NULL;
    json_decref(body);

    /* The engine writes the rating and its audit entry in one transaction. */
    enum kam_rc rc = kam_engine_rate(req->st, req->user.username, code, name, value, note, &err);
    if (rc != KAM_OK) {
        unprocessable(resp, &err, "value");
        return;
    }
    struct kam_jw *w = &resp->body;
    kam_jw_obj(w);
    kam_jw_kstr(w, "account", code);
    kam_jw_kstr(w, "rating", name);
    kam_jw_key(w, "value");
    kam_jw_double(w, value); /* NaN (cleared) writes null */
    kam_jw_kstr(w, "note", isnan(value) ? NULL : note);
    kam_jw_obj_end(w);
}

/* --- PUT /accounts/{code}/pin ---------------------------------------------------------------- */

void kam_http_pin_put(struct kam_http_req *req, struct kam_http_resp *resp)
{
    const char *code = req->params[0];
    struct kam_err err;
    json_t *body = NULL;
    int64_t id;

    kam_err_clear(&err);
    if (!writable_account(req, resp, code, &id, &body))
        return;
    json_t *jt = json_object_get(body, "tier");
    if (jt == NULL || !(json_is_string(jt) || json_is_null(jt))) {
        json_decref(body);
        struct kam_problem_field f = {"tier", "is required: key, major, ordinary or small, or "
                                              "null to unpin"};
        kam_problem(resp, 400, "the body is {\"tier\": string or null}", &f, 1);
        return;
    }
    const char *tier =
        json_is_string(jt) ? kam_arena_strdup(req->arena, json_string_value(jt)) : NULL;
    json_decref(body);

    /* The engine writes the pin and its audit entry in one transaction. */
    enum kam_rc rc = kam_engine_pin(req->st, req->user.username, code, tier, &err);
    if (rc != KAM_OK) {
        unprocessable(resp, &err, "tier");
        return;
    }
    struct kam_jw *w = &resp->body;
    kam_jw_obj(w);
    kam_jw_kstr(w, "account", code);
    kam_jw_kstr(w, "tier", tier); /* NULL (unpinned) writes null */
    kam_jw_obj_end(w);
}

/* --- the model ------------------------------------------------------------------------------- */

void kam_http_model_get(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_model *m = NULL;
    struct kam_err err;
    char *body = NULL;
    int64_t version;

    kam_err_clear(&err);
    if (kam_engine_model(req->st, &m, &version, &body, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    struct kam_jw *w = &resp->body;
    kam_jw_obj(w);
    kam_jw_kint(w, "version", version);
    kam_jw_kstr(w, "name", m->name);
    kam_jw_key(w, "model");
    kam_jw_raw(w, body, strlen(body)); /* stored only after kam_model_parse accepted it */
    kam_jw_obj_end(w);
    free(body);
    kam_model_free(m);
}

void kam_http_model_put(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_err err;
    char name[128];
    int64_t version;

    kam_err_clear(&err);
    /* The engine stores the version and its audit entry in one transaction. */
    enum kam_rc rc = kam_engine_model_set(req->st, req->user.username, req->body, req->body_len,
                                          &version, name, sizeof(name), &err);
    if (rc != KAM_OK) {
        unprocessable(resp, &err, "body");
        return;
    }
    kam_jw_obj(&resp->body);
    kam_jw_kint(&resp->body, "version", version);
    kam_jw_kstr(&resp->body, "name", name);
    kam_jw_obj_end(&resp->body);
}

/* The checks of kam_engine_model_set, without storing anything. */
void kam_http_model_validate(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_err err;
    struct kam_model *m = NULL;
    char *canon = NULL;

    kam_err_clear(&err);
    enum kam_rc rc = kam_model_canonical(req->body, req->body_len, &canon, &err);
    if (rc == KAM_OK)
        rc = kam_model_parse(canon, strlen(canon), &m, &err);
    free(canon);
    if (rc != KAM_OK) {
        unprocessable(resp, &err, "body");
        return;
    }
    struct kam_jw *w = &resp->body;
    kam_jw_obj(w);
    kam_jw_key(w, "valid");
    kam_jw_bool(w, true);
    kam_jw_kstr(w, "name", m->name);
    kam_jw_kstr(w, "method", kam_model_method_name(m->method));
    kam_jw_kint(w, "indicators", (int64_t)m->nindicators);
    /* The weights the model gives, and where they come from: what an editor shows live. */
    kam_jw_key(w, "weights");
    kam_jw_obj(w);
    for (size_t i = 0; i < m->nindicators; i++) {
        kam_jw_key(w, m->indicators[i].name);
        kam_jw_double(w, m->score_indicators[i].weight);
    }
    kam_jw_obj_end(w);
    kam_jw_key(w, "ahp");
    if (m->weights_from_ahp) {
        kam_jw_obj(w);
        kam_jw_key(w, "lambda_max");
        kam_jw_double(w, m->ahp.lambda_max);
        kam_jw_key(w, "ci");
        kam_jw_double(w, m->ahp.ci);
        kam_jw_key(w, "ri");
        kam_jw_double(w, m->ahp.ri);
        kam_jw_key(w, "cr");
        kam_jw_double(w, m->ahp.cr);
        kam_jw_obj_end(w);
    } else {
        kam_jw_null(w);
    }
    kam_jw_obj_end(w);
    kam_model_free(m);
}

/* --- scoring runs and tier changes ----------------------------------------------------------- */

/* The fields of kam score --json: the answer of a run, synchronous or a job's result. */
static void outcome_json(struct kam_jw *w, const struct kam_score_outcome *o)
{
    kam_jw_obj(w);
    kam_jw_kint(w, "run", o->run);
    kam_jw_kint(w, "model_version", o->model_version);
    kam_jw_kstr(w, "as_of", o->as_of);
    kam_jw_kint(w, "accounts", (int64_t)o->accounts);
    kam_jw_key(w, "tiers");
    kam_jw_obj(w);
    kam_jw_kint(w, "key", o->tiers[0]);
    kam_jw_kint(w, "major", o->tiers[1]);
    kam_jw_kint(w, "ordinary", o->tiers[2]);
    kam_jw_kint(w, "small", o->tiers[3]);
    kam_jw_obj_end(w);
    kam_jw_kint(w, "pin_differs", o->pin_differs);
    kam_jw_kint(w, "missing_values", o->missing);
    kam_jw_kint(w, "kept_activity", (int64_t)o->kept_activity);
    kam_jw_key(w, "seconds");
    kam_jw_double(w, o->seconds);
    kam_jw_key(w, "phases");
    kam_jw_obj(w);
    kam_jw_key(w, "metrics");
    kam_jw_double(w, o->portfolio_seconds);
    kam_jw_key(w, "scores");
    kam_jw_double(w, o->score_seconds);
    kam_jw_key(w, "store");
    kam_jw_double(w, o->store_seconds);
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
}

/* 400 naming as_of, the one input of a run. */
static void bad_as_of(struct kam_http_resp *resp, const struct kam_err *err)
{
    struct kam_problem_field f = {"as_of", err->msg};
    kam_problem(resp, 400, err->msg, &f, 1);
}

/* Runs the scoring on st as actor and answers: 201 with the outcome, 400 for a bad as_of, the
 * problem of any other error. */
static void score_and_answer(struct kam_store *st, const char *actor,
                             const struct kam_score_opts *o, struct kam_http_resp *resp)
{
    struct kam_score_outcome out;
    struct kam_err err;
    kam_err_clear(&err);
    enum kam_rc rc = kam_engine_score_with(st, actor, o, &out, &err);
    if (rc == KAM_ERR_USAGE || rc == KAM_ERR_INVALID)
        bad_as_of(resp, &err);
    else if (rc != KAM_OK)
        kam_problem_err(resp, &err);
    else {
        resp->status = 201;
        outcome_json(&resp->body, &out);
    }
}

/* Where a run's time goes, from docs/benchmarks.md (100,000 accounts: metrics 70 %, scores
 * 8 %, storing 20 %): a job's percent is the phases before plus the done share of this one. */
static const double phase_from[] = {0, 72, 80}, phase_share[] = {72, 8, 20};

static int job_progress(void *ctx, enum kam_score_phase phase, size_t done, size_t total)
{
    double pct = phase_from[phase] + (total > 0 ? phase_share[phase] * (double)done / (double)total
                                                : phase_share[phase]);
    bool go_on =
        kam_job_progress(ctx, kam_score_phase_name(phase), (int64_t)done, (int64_t)total, pct);
    return go_on ? 0 : 1;
}

/* The job of POST /scoring/runs?async=true: arg is the as_of ("" for the default). */
static void score_job(struct kam_job *job, struct kam_store *st, const char *actor, const char *arg,
                      struct kam_http_resp *resp)
{
    struct kam_score_opts o = {arg[0] ? arg : NULL, job_progress, job};
    score_and_answer(st, actor, &o, resp);
}

/* ?async=true or false (the default); false after the 400. */
static bool async_param(struct kam_http_req *req, struct kam_http_resp *resp, bool *async)
{
    const char *s = kam_http_query(req, "async");
    *async = s != NULL && strcmp(s, "true") == 0;
    if (s == NULL || *async || strcmp(s, "false") == 0)
        return true;
    struct kam_problem_field f = {"async", "is true or false"};
    kam_problem(resp, 400, "query parameter 'async' is true or false", &f, 1);
    return false;
}

/* Checks as_of as the run will (a date, YYYY-MM-DD), so that a job never fails for it; false
 * after the 400. */
static bool valid_as_of(const char *as_of, struct kam_http_resp *resp)
{
    struct kam_date d;
    struct kam_err err;
    kam_err_clear(&err);
    if (as_of == NULL)
        return true;
    if (kam_date_parse_iso(as_of, strlen(as_of), &d, &err) == KAM_OK)
        return true;
    err.code = KAM_ERR_USAGE;
    kam_err_prefix(&err, "--as-of '%.40s'", as_of);
    bad_as_of(resp, &err);
    return false;
}

/* Queues the run as a job: 202 with its URL; 409 naming the run already queued or running
 * (one at a time: two runs would only wait for each other's write lock, and the second would
 * score the same data again); 503 when the server is stopping or the table is full. */
static void queue_run(struct kam_http_req *req, struct kam_http_resp *resp, const char *as_of)
{
    int64_t id;
    enum kam_jobs_submit r = kam_jobs_submit(kam_http_server_jobs(req->srv), "scoring.run", true,
                                             req->user.username, score_job, as_of, &id);
    kam_http_job_queued(resp, r, id, "a scoring run");
}

/* By default the answer comes when the run is stored (under a second for the demo, about 2 s
 * for 100,000 accounts, 17 s for a million: docs/benchmarks.md), holding a server thread;
 * ?async=true queues it as a background job instead. The same fields as kam score --json. */
void kam_http_score_run(struct kam_http_req *req, struct kam_http_resp *resp)
{
    const char *as_of = kam_http_query(req, "as_of");
    bool async;
    if (!async_param(req, resp, &async))
        return;
    if (async) {
        if (valid_as_of(as_of, resp))
            queue_run(req, resp, as_of);
        return;
    }
    struct kam_score_opts o = {.as_of = as_of};
    score_and_answer(req->st, req->user.username, &o, resp);
}

static int change_row(void *ctx, const struct kam_tier_change *c)
{
    struct kam_jw *w = ctx;
    kam_jw_obj(w);
    kam_jw_kstr(w, "code", c->code);
    kam_jw_kstr(w, "name", c->name);
    kam_jw_kstr(w, "from", c->from);
    kam_jw_kstr(w, "to", c->to);
    kam_jw_key(w, "score_from");
    kam_jw_double(w, c->score_from); /* NaN (not in the previous run) writes null */
    kam_jw_key(w, "score_to");
    kam_jw_double(w, c->score_to);
    kam_jw_obj_end(w);
    return 0;
}

/* Tier changes of the accounts of the caller's scope (the store gives the scope's accounts;
 * "scope" says which). */
void kam_http_changes(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_err err;
    struct kam_jw *w = &resp->body;
    int64_t latest = 0, previous = 0;

    kam_err_clear(&err);
    kam_jw_obj(w);
    kam_http_scope_json(w, &req->scope);
    kam_jw_key(w, "items");
    kam_jw_arr(w);
    if (kam_engine_changes_scoped(req->st, &req->scope, &latest, &previous, change_row, w, &err) !=
        KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_arr_end(w);
    kam_jw_kint(w, "run", latest);
    kam_jw_kint(w, "previous_run", previous);
    kam_jw_obj_end(w);
}
