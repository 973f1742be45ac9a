/* The read-only analysis routes of the HTTP API: one account's stored metrics, the Pareto
 * analysis, the lifecycle stages, the periodic review and the value matrix. Each reads what its CLI
 * command reads (kam metrics stores what GET /accounts/{code}/metrics answers; kam pareto, kam
 * lifecycle, kam review and kam matrix compute with the same engine and core functions) and answers
 * the field names of its
 * --json output, streamed with the JSON writer.
 *
 * Every analysis here is computed within the caller's scope: the engine reads only the accounts
 * the store gives for the scope (the account list's rule, in the query), and the answer's
 * "scope" member says which accounts the figures cover. One account's metrics are scoped like
 * the account itself. DOMAIN.md "Identify": metrics, Pareto/ABC, lifecycle,
 * periodic review, value matrix. */
#include "http/http.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/order.h"
#include "core/pareto.h"
#include "engine/engine.h"
#include "util/date.h"

/* A 400 naming the query parameter name, with msg as its message. */
static void bad_param(struct kam_http_resp *resp, const char *name, const char *msg)
{
    char detail[300];
    struct kam_problem_field f = {name, msg};
    snprintf(detail, sizeof(detail), "query parameter '%.40s': %.200s", name, msg);
    kam_problem(resp, 400, detail, &f, 1);
}

/* The last portfolio computed on this server thread, kept for the next request that asks for the
 * same one: the dashboard asks for Pareto, lifecycle and matrix at once, and each would
 * otherwise read and compute every account again (about 110 ms each on the demo company). It is
 * valid while the key (scope and as_of) is the same, no other connection has committed
 * (PRAGMA data_version) and the server has answered no write (kam_http_server_writes: this
 * thread's own commits do not move data_version). Portfolios of more than PF_CACHE_MAX
 * accounts are not kept: a million accounts take hundreds of MB per thread. */
#define PF_CACHE_MAX 100000

struct pf_cache {
    bool valid;
    char key[200];
    int64_t data_version;
    uint64_t writes;
    struct kam_portfolio p;
};

static pthread_key_t pf_key;
static pthread_once_t pf_once = PTHREAD_ONCE_INIT;

static void pf_free(void *v)
{
    struct pf_cache *c = v;
    if (c->valid)
        kam_portfolio_release(&c->p);
    free(c);
}

static void pf_init(void)
{
    if (pthread_key_create(&pf_key, pf_free) != 0)
        KAM_BUG("pthread_key_create failed");
}

static struct pf_cache *pf_cache(void)
{
    pthread_once(&pf_once, pf_init);
    struct pf_cache *c = pthread_getspecific(pf_key);
    if (c == NULL) {
        c = kam_xcalloc(1, sizeof(*c));
        if (pthread_setspecific(pf_key, c) != 0)
            KAM_BUG("pthread_setspecific failed");
    }
    return c;
}

/* Computes the portfolio of the caller's scope (the store reads only its accounts) as of ?as_of=
 * (the day of the last order when absent), or takes this thread's kept one; false after the
 * problem: 400 naming as_of for a bad date, the common table for the rest. Release it with
 * portfolio_release, which leaves a kept one alone. */
static bool portfolio(struct kam_http_req *req, struct kam_http_resp *resp, struct kam_portfolio *p)
{
    struct kam_engine_opts o = {.as_of = kam_http_query(req, "as_of"), .scope = &req->scope};
    struct pf_cache *c = pf_cache();
    struct kam_err err;
    int64_t version = -1;
    char key[sizeof(c->key)];

    kam_err_clear(&err);
    snprintf(key, sizeof(key), "%d|%s|%s|%s", (int)req->scope.kind, req->scope.login,
             req->scope.team, o.as_of ? o.as_of : "");
    uint64_t writes = kam_http_server_writes(req->srv);
    if (req->st->ops->data_version(req->st, &version, &err) != KAM_OK)
        version = -1;
    kam_err_clear(&err);
    if (c->valid && version >= 0 && c->data_version == version && c->writes == writes &&
        strcmp(c->key, key) == 0) {
        *p = c->p;
        return true;
    }
    enum kam_rc rc = kam_engine_portfolio(req->st, &o, p, &err);
    if (rc == KAM_OK) {
        if (c->valid)
            kam_portfolio_release(&c->p);
        c->valid = version >= 0 && p->n <= PF_CACHE_MAX;
        if (c->valid) {
            c->p = *p;
            c->data_version = version;
            c->writes = writes;
            snprintf(c->key, sizeof(c->key), "%s", key);
        }
        return true;
    }
    if ((rc == KAM_ERR_INVALID || rc == KAM_ERR_USAGE) && o.as_of != NULL)
        bad_param(resp, "as_of", err.msg);
    else
        kam_problem_err(resp, &err);
    return false;
}

static void portfolio_release(struct kam_portfolio *p)
{
    struct pf_cache *c = pf_cache();
    if (!(c->valid && c->p.ids == p->ids))
        kam_portfolio_release(p);
}

static void day_json(struct kam_jw *w, int64_t day)
{
    char b[KAM_DATE_STRLEN];
    if (day == KAM_NONE) {
        kam_jw_null(w);
        return;
    }
    struct kam_date d = kam_date_from_days(day);
    kam_jw_str(w, kam_date_str(&d, b, sizeof(b)));
}

/* --- GET /accounts/{code}/metrics ------------------------------------------------------------ */

struct metrics_out {
    struct kam_jw *w;
    const char *code;
};

/* The fields of one item of `kam metrics --json` but the series (not stored). */
static int metrics_row(void *ctx, int64_t account_id, const struct kam_metrics_row *row)
{
    struct metrics_out *mo = ctx;
    struct kam_jw *w = mo->w;
    const struct kam_metrics *m = &row->m;
    (void)account_id;
    kam_jw_obj(w);
    kam_jw_kstr(w, "account", mo->code);
    kam_jw_kstr(w, "as_of", row->as_of);
    kam_jw_kint(w, "window_months", row->window_months);
    for (size_t k = 0; k < kam_metric_count; k++) {
        double v = kam_metric_value(m, k);
        kam_money mv;
        kam_jw_key(w, kam_metric_defs[k].name);
        if (kam_metric_money(m, k, &mv)) /* money stays exact */
            kam_jw_money(w, mv);
        else if (kam_metric_defs[k].type == KAM_METRIC_REAL || isnan(v))
            kam_jw_double(w, v); /* NaN writes null */
        else
            kam_jw_int(w, (int64_t)v);
    }
    kam_jw_key(w, "first_purchase");
    day_json(w, m->first_purchase);
    kam_jw_key(w, "last_purchase");
    day_json(w, m->last_purchase);
    kam_jw_kstr(w, "stage", row->stage);
    kam_jw_obj_end(w);
    return 0;
}

void kam_http_metrics_get(struct kam_http_req *req, struct kam_http_resp *resp)
{
    const char *code = req->params[0];
    struct kam_err err;
    int64_t id = 0;

    kam_err_clear(&err);
    /* Outside the scope is the 404 of a missing code, as GET /accounts/{code}. */
    enum kam_rc rc = req->st->ops->account_id_scoped(req->st, code, &req->scope, &id, &err);
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    struct metrics_out mo = {&resp->body, code};
    rc = req->st->ops->metrics_each(req->st, id, metrics_row, &mo, &err);
    if (rc == KAM_ERR_NOT_FOUND) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "account '%.64s' has no metrics yet: none were stored since it was added (POST "
                 "/api/v1/scoring/runs or kam metrics store them)",
                 code);
        kam_problem(resp, 404, detail, NULL, 0);
    } else if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
    }
}

/* --- GET /analyses/pareto -------------------------------------------------------------------- */

/* The net basis of kam pareto: all-time net revenue (or margin) up to as-of, ranked by the core
 * functions kam pareto calls; the fields of its --json but the per-account list. Within the
 * caller's scope: the population, shares and Gini are of the scope's accounts. */
void kam_http_pareto(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_abc_limits limits = {KAM_ABC_A_DEFAULT, KAM_ABC_B_DEFAULT};
    const char *by = kam_http_query(req, "by"), *abc_s = kam_http_query(req, "abc");
    struct kam_portfolio p;
    struct kam_err err;
    struct kam_jw *w = &resp->body;

    kam_err_clear(&err);
    if (by != NULL && strcmp(by, "revenue") != 0 && strcmp(by, "margin") != 0) {
        bad_param(resp, "by", "is revenue or margin");
        return;
    }
    bool by_margin = by != NULL && strcmp(by, "margin") == 0;
    if (abc_s != NULL && !kam_abc_parse(abc_s, &limits)) {
        bad_param(resp, "abc", "is the A and B limits in %, e.g. 80,95");
        return;
    }
    int64_t points;
    if (!kam_http_int_param(req, resp, "points", 1000, 0, INT32_MAX, &points))
        return;
    if (points == 1) {
        bad_param(resp, "points", "is 0 (every account) or 2 and more: the first and the last");
        return;
    }
    if (!portfolio(req, resp, &p))
        return;
    struct kam_pareto_report rep;
    if (kam_engine_pareto(&p, by_margin, &limits, &rep, &err) != KAM_OK) {
        portfolio_release(&p);
        kam_problem_err(resp, &err);
        return;
    }
    const struct kam_pareto_point *curve = rep.curve;
    const struct kam_top_share ts = rep.top;
    const struct kam_abc_summary sum = rep.classes;
    size_t pop = rep.population;
    double gini = rep.gini;
    kam_jw_obj(w);
    kam_http_scope_json(w, &req->scope);
    kam_jw_kstr(w, "as_of", p.as_of);
    kam_jw_kstr(w, "by", by_margin ? "margin" : "revenue");
    kam_jw_kint(w, "population", ts.population);
    kam_jw_key(w, "total");
    kam_jw_money(w, ts.total);
    kam_jw_kint(w, "top20_k", ts.k);
    kam_jw_key(w, "top20_value");
    kam_jw_money(w, ts.top);
    kam_jw_key(w, "top20_share");
    kam_jw_double(w, ts.share);
    kam_jw_kint(w, "accounts_to_80", ts.k80);
    kam_jw_key(w, "gini");
    kam_jw_double(w, gini);
    kam_jw_key(w, "abc_limits");
    kam_jw_obj(w);
    kam_jw_key(w, "a");
    kam_jw_double(w, limits.a / 100.0);
    kam_jw_key(w, "b");
    kam_jw_double(w, limits.b / 100.0);
    kam_jw_obj_end(w);
    kam_jw_key(w, "classes");
    kam_jw_obj(w);
    for (int k = KAM_ABC_A; k <= KAM_ABC_C; k++) {
        kam_jw_key(w, kam_pareto_abc_name((enum kam_abc)k));
        kam_jw_obj(w);
        kam_jw_kint(w, "accounts", sum.count[k]);
        kam_jw_key(w, "value");
        kam_jw_money(w, sum.revenue[k]);
        kam_jw_obj_end(w);
    }
    kam_jw_obj_end(w);
    /* A curve of a million accounts would be 70 MB: `points` of them, evenly spaced in rank,
     * draw the same line. */
    size_t n = points == 0 || (size_t)points >= pop ? pop : (size_t)points;
    kam_jw_key(w, "curve");
    kam_jw_arr(w);
    for (size_t k = 0; k < n; k++) {
        size_t i = n == pop ? k : (size_t)((double)k * (double)(pop - 1) / (double)(n - 1) + 0.5);
        kam_jw_obj(w);
        kam_jw_key(w, "x");
        kam_jw_double(w, curve[i].x);
        kam_jw_key(w, "y");
        kam_jw_double(w, curve[i].y);
        kam_jw_key(w, "cum");
        kam_jw_money(w, curve[i].cum);
        kam_jw_obj_end(w);
    }
    kam_jw_arr_end(w);
    kam_jw_obj_end(w);
    kam_pareto_report_release(&rep);
    portfolio_release(&p);
}

/* --- GET /analyses/lifecycle ----------------------------------------------------------------- */

static void lifecycle_item(struct kam_jw *w, const struct kam_portfolio *p, size_t i)
{
    const struct kam_lifecycle *lc = &p->stage[i];
    char why[512];
    kam_jw_obj(w);
    kam_jw_kstr(w, "code", p->codes[i]);
    kam_jw_kstr(w, "name", p->names[i]);
    kam_jw_kstr(w, "stage", kam_lifecycle_stage_name(lc->stage));
    kam_jw_kstr(w, "reason", kam_review_stage_reason(lc, NULL, why, sizeof(why)));
    kam_jw_key(w, "revenue");
    kam_jw_money(w, p->m[i].revenue);
    kam_jw_key(w, "trailing");
    kam_jw_money(w, lc->trailing);
    kam_jw_key(w, "previous");
    kam_jw_money(w, lc->previous);
    kam_jw_key(w, "growth");
    kam_jw_double(w, lc->has_growth ? lc->growth : NAN);
    kam_jw_kint(w, "months_since_last", lc->months_since_last);
    kam_jw_kint(w, "tenure_months", lc->tenure_months);
    kam_jw_kint(w, "active_months", lc->active_months);
    kam_jw_obj_end(w);
}

void kam_http_lifecycle(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_portfolio p;
    struct kam_jw *w = &resp->body;
    int64_t limit;

    if (!kam_http_int_param(req, resp, "limit", 0, 1, INT32_MAX, &limit) ||
        !portfolio(req, resp, &p))
        return;
    /* Counts and window revenue per stage; shares of the net window revenue of the portfolio
     * of the caller's scope. */
    struct kam_lifecycle_summary sum;
    kam_engine_lifecycle_summary(&p, &sum);
    kam_jw_obj(w);
    kam_http_scope_json(w, &req->scope);
    kam_jw_kstr(w, "as_of", p.as_of);
    kam_jw_kint(w, "window_months", p.period.window_months);
    kam_jw_kint(w, "accounts", (int64_t)p.n);
    kam_jw_key(w, "total_revenue");
    kam_jw_money(w, sum.total);
    kam_jw_key(w, "stages");
    kam_jw_arr(w);
    for (int k = 0; k < KAM_LIFECYCLE_STAGES; k++) {
        enum kam_lifecycle_stage s = kam_lifecycle_order[k];
        kam_jw_obj(w);
        kam_jw_kstr(w, "stage", kam_lifecycle_stage_name(s));
        kam_jw_kint(w, "accounts", sum.count[s]);
        kam_jw_key(w, "revenue");
        kam_jw_money(w, sum.revenue[s]);
        kam_jw_key(w, "revenue_share");
        kam_jw_double(w, sum.share[s]);
        kam_jw_obj_end(w);
    }
    kam_jw_arr_end(w);
    /* The per-account list only when asked for: the largest `limit` accounts. */
    if (limit > 0) {
        size_t *order = kam_arena_alloc(req->arena, (p.n + 1) * sizeof(*order));
        for (size_t i = 0; i < p.n; i++)
            order[i] = i;
        kam_portfolio_rank_by_revenue(&p, order, p.n, KAM_RANK_TIE_CODE); /* as kam lifecycle */
        size_t n = (size_t)limit < p.n ? (size_t)limit : p.n;
        kam_jw_key(w, "items");
        kam_jw_arr(w);
        for (size_t k = 0; k < n; k++)
            lifecycle_item(w, &p, order[k]);
        kam_jw_arr_end(w);
    }
    kam_jw_obj_end(w);
    portfolio_release(&p);
}

/* --- GET /review ----------------------------------------------------------------------------- */

static int review_item(void *ctx, const struct kam_review_item *it)
{
    struct kam_jw *w = ctx;
    const struct kam_review_input *in = &it->in;
    kam_jw_obj(w);
    kam_jw_kstr(w, "reason", kam_review_reason_name(it->f.reason));
    kam_jw_kstr(w, "cause", kam_review_cause_name(it->f.cause));
    kam_jw_kstr(w, "code", it->code);
    kam_jw_kstr(w, "name", it->name);
    kam_jw_kstr(w, "sentence", it->sentence);
    kam_jw_key(w, "score");
    kam_jw_double(w, in->score);
    kam_jw_kstr(w, "tier", kam_tier_name(in->tier));
    kam_jw_kstr(w, "computed", kam_tier_name(in->computed));
    kam_jw_key(w, "pinned");
    kam_jw_bool(w, in->pinned);
    kam_jw_key(w, "to_next");
    kam_jw_double(w, in->to_next);
    kam_jw_kstr(w, "previous_tier",
                in->prev_tier == KAM_TIER_NONE ? NULL : kam_tier_name(in->prev_tier));
    kam_jw_key(w, "previous_score");
    kam_jw_double(w, in->prev_score);
    kam_jw_kstr(w, "stage", kam_lifecycle_stage_name(in->stage));
    kam_jw_key(w, "growth");
    kam_jw_double(w, in->growth);
    kam_jw_key(w, "has_justification");
    kam_jw_bool(w, in->has_justification);
    kam_jw_obj_end(w);
    return 0;
}

/* The default rules of kam review; every reason, at most ?limit= per reason (0, default: all). */
void kam_http_review(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_review_rules rules = KAM_REVIEW_RULES_DEFAULT;
    struct kam_review_outcome o;
    struct kam_err err;
    struct kam_jw *w = &resp->body;
    int64_t limit;

    kam_err_clear(&err);
    if (!kam_http_int_param(req, resp, "limit", 0, 0, INT32_MAX, &limit))
        return;
    kam_jw_obj(w);
    kam_http_scope_json(w, &req->scope);
    kam_jw_key(w, "items");
    kam_jw_arr(w);
    if (kam_engine_review_scoped(req->st, &req->scope, &rules, 0, limit, review_item, w, &o,
                                 &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_arr_end(w);
    kam_jw_kint(w, "run", o.run);
    kam_jw_kstr(w, "as_of", o.as_of);
    kam_jw_key(w, "previous_run");
    if (o.previous_run)
        kam_jw_int(w, o.previous_run);
    else
        kam_jw_null(w);
    kam_jw_kstr(w, "previous_as_of", o.previous_run ? o.previous_as_of : NULL);
    kam_jw_kint(w, "accounts", (int64_t)o.accounts);
    kam_jw_key(w, "rules");
    kam_jw_obj(w);
    kam_jw_key(w, "decline_growth");
    kam_jw_double(w, rules.decline_growth);
    kam_jw_key(w, "promotion_points");
    kam_jw_double(w, rules.promotion_points);
    kam_jw_kstr(w, "scope", kam_tier_name(rules.scope));
    kam_jw_obj_end(w);
    kam_jw_key(w, "counts");
    kam_jw_obj(w);
    for (int r = 0; r < KAM_REVIEW_REASONS; r++)
        kam_jw_kint(w, kam_review_reason_name((enum kam_review_reason)r), o.count[r]);
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
}

/* --- GET /analyses/matrix -------------------------------------------------------------------- */

/* An account in a quadrant's display order: current value, largest first, then potential,
 * unknown values last, then account id (kam matrix's order). Values are copied next to the
 * index so that qsort needs no global (the server's threads share this file). */
struct placed {
    bool cur_known, pot_known;
    double cur, pot; /* money as a double only to order: exact values are written */
    kam_money cur_m, pot_m;
    size_t index;
};

static int cmp_known(bool kx, bool ky)
{
    return kx != ky ? (kx ? -1 : 1) : 0;
}

static int by_value(const void *pa, const void *pb)
{
    const struct placed *x = pa, *y = pb;
    int c = cmp_known(x->cur_known, y->cur_known);
    if (c == 0 && x->cur_known)
        c = x->cur_m != y->cur_m ? (x->cur_m < y->cur_m) - (x->cur_m > y->cur_m)
                                 : (x->cur < y->cur) - (x->cur > y->cur);
    if (c == 0)
        c = cmp_known(x->pot_known, y->pot_known);
    if (c == 0 && x->pot_known)
        c = x->pot_m != y->pot_m ? (x->pot_m < y->pot_m) - (x->pot_m > y->pot_m)
                                 : (x->pot < y->pot) - (x->pot > y->pot);
    return c != 0 ? c : (x->index > y->index) - (x->index < y->index);
}

static void axis_value(struct kam_jw *w, const struct kam_axis *a, size_t i)
{
    if (!kam_axis_known(a, i))
        kam_jw_null(w);
    else if (a->unit == KAM_AXIS_MONEY)
        kam_jw_money(w, a->money[i]);
    else
        kam_jw_double(w, a->number[i]);
}

static void axis_json(struct kam_jw *w, const char *key, const char *measure,
                      const struct kam_axis *a, const struct kam_axis_value *t, bool median)
{
    kam_jw_key(w, key);
    kam_jw_obj(w);
    kam_jw_kstr(w, "measure", measure);
    kam_jw_kstr(w, "unit", a->unit == KAM_AXIS_MONEY ? "money" : "number");
    kam_jw_key(w, "threshold");
    if (a->unit == KAM_AXIS_MONEY)
        kam_jw_money(w, t->money);
    else
        kam_jw_double(w, t->number);
    kam_jw_kstr(w, "threshold_from", median ? "median" : "given");
    kam_jw_obj_end(w);
}

/* The four quadrants, then the unplaced accounts, as kam matrix. */
static const enum kam_quadrant quadrant_order[KAM_QUADRANTS] = {
    KAM_QUADRANT_CORE, KAM_QUADRANT_POTENTIAL, KAM_QUADRANT_DIRECT, KAM_QUADRANT_INFERIOR,
    KAM_QUADRANT_UNPLACED};

/* A 400 for the engine's message about one of its options ("--current-threshold 'x' is ..."),
 * said of the query parameter with the same name (current_threshold), which it names. */
static void option_problem(struct kam_http_resp *resp, const char *msg)
{
    char name[40], detail[1100];
    size_t n = 0;
    if (strncmp(msg, "--", 2) != 0) {
        kam_problem(resp, 400, msg, NULL, 0);
        return;
    }
    for (msg += 2; *msg && *msg != ':' && *msg != ' ' && n + 1 < sizeof(name); msg++)
        name[n++] = *msg == '-' ? '_' : *msg;
    name[n] = '\0';
    snprintf(detail, sizeof(detail), "query parameter '%s'%s", name, msg);
    struct kam_problem_field f = {name, detail};
    kam_problem(resp, 400, detail, &f, 1);
}

/* The value matrix of the caller's scope with the default options (those of GET
 * /analyses/matrix), of the kept portfolio when there is one; false after the problem. An
 * empty scope gives a matrix of no accounts (*empty set). */
static bool scope_matrix(struct kam_http_req *req, struct kam_http_resp *resp,
                         struct kam_portfolio *p, struct kam_value_matrix *m, bool *empty)
{
    struct kam_matrix_opts mo = {0};
    struct kam_err err;
    kam_err_clear(&err);
    memset(m, 0, sizeof(*m));
    *empty = false;
    mo.peers = KAM_PEERS_ROLE;
    mo.rule = (struct kam_ws_rule){KAM_WS_MIN_SHARE_DEFAULT, KAM_WS_BELOW_DEFAULT};
    int64_t n = 0;
    /* A scope without accounts has no portfolio to compute (KAM_ERR_NOT_FOUND). */
    struct kam_account_query q = {.scope = &req->scope};
    if (req->st->ops->account_count(req->st, &q, &n, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return false;
    }
    if (n == 0) {
        *empty = true;
        return true;
    }
    if (!portfolio(req, resp, p))
        return false;
    if (kam_engine_matrix(req->st, p, &mo, m, &err) != KAM_OK) {
        kam_value_matrix_release(m);
        portfolio_release(p);
        kam_problem_err(resp, &err);
        return false;
    }
    return true;
}

bool kam_http_quadrant_ids(struct kam_http_req *req, struct kam_http_resp *resp,
                           const char *quadrant, const int64_t **ids, size_t *n)
{
    struct kam_portfolio p;
    struct kam_value_matrix m;
    bool empty;
    int want = kam_quadrant_find(quadrant);
    *ids = NULL;
    *n = 0;
    if (want < 0) {
        struct kam_problem_field f = {"quadrant",
                                      "is core, potential, direct, inferior or unplaced"};
        kam_problem(resp, 400, "query parameter 'quadrant' is not a quadrant", &f, 1);
        return false;
    }
    if (!scope_matrix(req, resp, &p, &m, &empty))
        return false;
    int64_t *out = kam_arena_alloc(req->arena, (empty ? 0 : p.n) * sizeof(*out) + 1);
    for (size_t i = 0; !empty && i < p.n; i++)
        if ((int)m.q[i] == want)
            out[(*n)++] = p.ids[i];
    *ids = out;
    if (!empty) {
        kam_value_matrix_release(&m);
        portfolio_release(&p);
    }
    return true;
}

/* The account's place in the value matrix of the caller's scope, as the view's "matrix"
 * member: its quadrant and its value and the threshold on each axis; null when the account is
 * not in the portfolio. */
static json_t *matrix_position(struct kam_http_req *req, struct kam_http_resp *resp,
                               const char *code, bool *ok)
{
    struct kam_portfolio p;
    struct kam_value_matrix m;
    bool empty;
    *ok = scope_matrix(req, resp, &p, &m, &empty);
    if (!*ok || empty)
        return json_null();
    ptrdiff_t i = kam_portfolio_find(&p, code);
    struct kam_jw w;
    kam_jw_init(&w, 0);
    if (i < 0) {
        kam_jw_null(&w);
    } else {
        kam_jw_obj(&w);
        kam_jw_kstr(&w, "quadrant", kam_quadrant_name(m.q[i]));
        axis_json(&w, "current", m.current, &m.cur, &m.cur_threshold, m.cur_median);
        axis_json(&w, "potential", m.potential, &m.pot, &m.pot_threshold, m.pot_median);
        kam_jw_key(&w, "value");
        kam_jw_obj(&w);
        kam_jw_key(&w, "current");
        axis_value(&w, &m.cur, (size_t)i);
        kam_jw_key(&w, "potential");
        axis_value(&w, &m.pot, (size_t)i);
        kam_jw_obj_end(&w);
        kam_jw_kint(&w, "placed", (int64_t)m.placed);
        kam_jw_obj_end(&w);
    }
    json_t *j = json_loads(w.data, JSON_DECODE_ANY, NULL);
    kam_jw_release(&w);
    kam_value_matrix_release(&m);
    portfolio_release(&p);
    return j ? j : json_null();
}

/* The value matrix with kam matrix's default options (current: window margin; potential:
 * share-of-wallet headroom; both thresholds the medians), computed by kam_engine_matrix over the
 * portfolio of the caller's scope: the medians are those of the scope's accounts. */
void kam_http_matrix(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_matrix_opts mo = {0};
    struct kam_portfolio p;
    struct kam_value_matrix m;
    struct kam_err err;
    struct kam_jw *w = &resp->body;

    int64_t limit;
    if (!kam_http_int_param(req, resp, "limit", 1000, 0, INT32_MAX, &limit))
        return;
    kam_err_clear(&err);
    mo.peers = KAM_PEERS_ROLE;
    mo.rule = (struct kam_ws_rule){KAM_WS_MIN_SHARE_DEFAULT, KAM_WS_BELOW_DEFAULT};
    /* The axes and thresholds of `kam matrix --current --potential --current-threshold
     * --potential-threshold --peers`. */
    mo.current = kam_http_query(req, "current");
    mo.potential = kam_http_query(req, "potential");
    mo.current_threshold = kam_http_query(req, "current_threshold");
    mo.potential_threshold = kam_http_query(req, "potential_threshold");
    const char *peers = kam_http_query(req, "peers");
    if (peers != NULL) {
        int by = kam_peers_find(peers);
        if (by < 0) {
            bad_param(resp, "peers", "is role, industry or tier");
            return;
        }
        mo.peers = (enum kam_peers)by;
    }
    if (!portfolio(req, resp, &p))
        return;
    if (kam_engine_matrix(req->st, &p, &mo, &m, &err) != KAM_OK) {
        kam_value_matrix_release(&m);
        portfolio_release(&p);
        if (err.code == KAM_ERR_USAGE || err.code == KAM_ERR_INVALID)
            option_problem(resp, err.msg); /* an axis or threshold of the query */
        else
            kam_problem_err(resp, &err);
        return;
    }
    struct placed *order = kam_arena_alloc(req->arena, (p.n + 1) * sizeof(*order));
    for (size_t i = 0; i < p.n; i++) {
        struct placed *o = &order[i];
        *o = (struct placed){kam_axis_known(&m.cur, i), kam_axis_known(&m.pot, i), 0, 0, 0, 0, i};
        if (o->cur_known && m.cur.unit == KAM_AXIS_MONEY)
            o->cur_m = m.cur.money[i];
        else if (o->cur_known)
            o->cur = m.cur.number[i];
        if (o->pot_known && m.pot.unit == KAM_AXIS_MONEY)
            o->pot_m = m.pot.money[i];
        else if (o->pot_known)
            o->pot = m.pot.number[i];
    }
    qsort(order, p.n, sizeof(*order), by_value);
    kam_jw_obj(w);
    kam_http_scope_json(w, &req->scope);
    kam_jw_kstr(w, "as_of", p.as_of);
    kam_jw_kint(w, "window_months", p.period.window_months);
    kam_jw_kint(w, "accounts", (int64_t)p.n);
    kam_jw_kint(w, "placed", (int64_t)m.placed);
    kam_jw_kint(w, "unplaced", m.sum.count[KAM_QUADRANT_UNPLACED]);
    axis_json(w, "current", m.current, &m.cur, &m.cur_threshold, m.cur_median);
    axis_json(w, "potential", m.potential, &m.pot, &m.pot_threshold, m.pot_median);
    kam_jw_key(w, "quadrants");
    kam_jw_obj(w);
    for (size_t k = 0; k < KAM_QUADRANTS; k++) {
        enum kam_quadrant q = quadrant_order[k];
        kam_jw_key(w, kam_quadrant_name(q));
        kam_jw_obj(w);
        kam_jw_kint(w, "accounts", m.sum.count[q]);
        kam_jw_key(w, "revenue");
        kam_jw_money(w, m.sum.revenue[q]);
        kam_jw_key(w, "margin");
        kam_jw_money(w, m.sum.margin[q]);
        kam_jw_key(w, "items");
        kam_jw_arr(w);
        int64_t listed = 0;
        for (size_t r = 0; r < p.n && (limit == 0 || listed < limit); r++) {
            size_t i = order[r].index;
            if (m.q[i] != q)
                continue;
            listed++;
            kam_jw_obj(w);
            kam_jw_kstr(w, "code", p.codes[i]);
            kam_jw_kstr(w, "name", p.names[i]);
            kam_jw_key(w, "current");
            axis_value(w, &m.cur, i);
            kam_jw_key(w, "potential");
            axis_value(w, &m.pot, i);
            kam_jw_key(w, "revenue");
            kam_jw_money(w, p.m[i].revenue);
            kam_jw_key(w, "margin");
            kam_jw_money(w, p.m[i].margin);
            kam_jw_obj_end(w);
        }
        kam_jw_arr_end(w);
        kam_jw_obj_end(w);
    }
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
    kam_value_matrix_release(&m);
    portfolio_release(&p);
}

/* --- the portfolio month by month, and by tier ------------------------------------------------ */

void kam_http_scope_json(struct kam_jw *w, const struct kam_scope *scope)
{
    kam_jw_key(w, "scope");
    kam_jw_obj(w);
    switch (scope->kind) {
    case KAM_SCOPE_ALL:
        kam_jw_kstr(w, "kind", "all");
        break;
    case KAM_SCOPE_TEAM:
        kam_jw_kstr(w, "kind", "team");
        kam_jw_kstr(w, "team", scope->team);
        break;
    case KAM_SCOPE_OWN:
        kam_jw_kstr(w, "kind", "own");
        kam_jw_kstr(w, "user", scope->login);
        break;
    }
    kam_jw_obj_end(w);
}

/* As `kam trend --json` over the accounts of the caller's scope: the last `months` months
 * (default 24) up to the portfolio's last order. */
void kam_http_trend(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_jw *w = &resp->body;
    struct kam_trend t;
    struct kam_err err;
    int64_t months;

    if (!kam_http_int_param(req, resp, "months", 24, 1, KAM_TREND_MAX_MONTHS, &months))
        return;
    kam_err_clear(&err);
    if (kam_engine_trend_scoped(req->st, &req->scope, (int)months, &t, &err) != KAM_OK) {
        kam_trend_release(&t);
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_obj(w);
    kam_http_scope_json(w, &req->scope);
    kam_jw_kint(w, "months", (int64_t)t.n);
    kam_jw_key(w, "items");
    kam_jw_arr(w);
    for (size_t i = 0; i < t.n; i++) {
        const struct kam_rollup *r = &t.months[i].r;
        char m[24];
        snprintf(m, sizeof(m), "%04d-%02d", t.months[i].month / 100, t.months[i].month % 100);
        kam_jw_obj(w);
        kam_jw_kstr(w, "month", m);
        kam_jw_key(w, "revenue");
        kam_jw_money(w, r->revenue);
        kam_jw_key(w, "margin");
        kam_jw_money(w, r->costed_revenue - r->cost);
        kam_jw_key(w, "costed_revenue");
        kam_jw_money(w, r->costed_revenue);
        kam_jw_key(w, "returns");
        kam_jw_money(w, r->returns);
        kam_jw_kint(w, "lines", r->lines);
        kam_jw_obj_end(w);
    }
    kam_jw_arr_end(w);
    kam_jw_obj_end(w);
    kam_trend_release(&t);
}

/* As `kam tiers --json` over the scored accounts of the caller's scope: the tiers of the latest
 * run with their window revenue. */
void kam_http_tiers(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_jw *w = &resp->body;
    struct kam_tier_summary s;
    struct kam_err err;

    kam_err_clear(&err);
    if (kam_engine_tiers_scoped(req->st, &req->scope, &s, &err) != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_obj(w);
    kam_http_scope_json(w, &req->scope);
    kam_jw_kint(w, "run", s.run);
    kam_jw_key(w, "previous_run");
    if (s.previous_run)
        kam_jw_int(w, s.previous_run);
    else
        kam_jw_null(w);
    kam_jw_kstr(w, "as_of", s.as_of);
    kam_jw_kint(w, "window_months", s.window_months);
    kam_jw_kint(w, "accounts", s.accounts);
    kam_jw_key(w, "revenue");
    kam_jw_money(w, s.revenue);
    kam_jw_key(w, "tiers");
    kam_jw_arr(w);
    for (int t = KAM_TIER_KEY; t <= KAM_TIER_SMALL; t++) {
        kam_jw_obj(w);
        kam_jw_kstr(w, "tier", s.tiers[t].tier);
        kam_jw_kint(w, "accounts", s.tiers[t].accounts);
        kam_jw_key(w, "revenue");
        kam_jw_money(w, s.tiers[t].revenue);
        kam_jw_key(w, "account_share");
        kam_jw_double(w, s.accounts ? (double)s.tiers[t].accounts / (double)s.accounts : 0.0);
        kam_jw_key(w, "revenue_share");
        kam_jw_double(w, s.revenue > 0 ? (double)s.tiers[t].revenue / (double)s.revenue : 0.0);
        kam_jw_key(w, "previous");
        if (s.previous_run)
            kam_jw_int(w, s.tiers[t].previous);
        else
            kam_jw_null(w);
        kam_jw_obj_end(w);
    }
    kam_jw_arr_end(w);
    kam_jw_obj_end(w);
}

/* --- one account's 360 view ------------------------------------------------------------------ */

/* As `kam account CODE --json`, within the user's scope (outside it: 404 like a missing code). */
void kam_http_account_view(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_err err;
    int64_t months;
    json_t *view;

    if (!kam_http_int_param(req, resp, "months", 12, 1, KAM_TREND_MAX_MONTHS, &months))
        return;
    const char *as_of = kam_http_query(req, "as_of");
    kam_err_clear(&err);
    enum kam_rc rc = kam_engine_account_view(req->st, req->params[0], &req->scope, as_of,
                                             (int)months, &view, &err);
    if (rc == KAM_ERR_USAGE && as_of != NULL) {
        bad_param(resp, "as_of", err.msg);
        return;
    }
    if (rc != KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    bool ok;
    json_t *pos = matrix_position(req, resp, req->params[0], &ok);
    if (!ok) {
        json_decref(pos);
        json_decref(view);
        return;
    }
    json_object_set_new(view, "matrix", pos);
    char *text = json_dumps(view, JSON_COMPACT);
    json_decref(view);
    if (text == NULL)
        KAM_BUG("json_dumps failed on an account view");
    kam_jw_raw(&resp->body, text, strlen(text));
    free(text);
}

/* --- RFM ---------------------------------------------------------------------------------- */

/* As `kam rfm --json` over the caller's scope: the segment counts of every account, and the
 * `limit` largest accounts by all-time net revenue (default 100; 0: all) with their R, F, M. */
void kam_http_rfm(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_jw *w = &resp->body;
    struct kam_portfolio p;
    struct kam_rfm_report rep;
    struct kam_err err;
    int64_t limit;

    if (!kam_http_int_param(req, resp, "limit", 100, 0, INT32_MAX, &limit) ||
        !portfolio(req, resp, &p))
        return;
    kam_err_clear(&err);
    if (kam_engine_rfm(&p, &rep, &err) != KAM_OK) {
        kam_rfm_report_release(&rep);
        portfolio_release(&p);
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_obj(w);
    kam_http_scope_json(w, &req->scope);
    kam_jw_kstr(w, "as_of", p.as_of);
    kam_jw_kint(w, "accounts_total", (int64_t)p.n);
    kam_jw_key(w, "segments");
    kam_jw_obj(w);
    for (int k = 0; k < KAM_RFM_SEGMENTS; k++)
        kam_jw_kint(w, kam_rfm_segment_name((enum kam_rfm_segment)k), rep.count[k]);
    kam_jw_obj_end(w);
    size_t n = limit == 0 || (size_t)limit > p.n ? p.n : (size_t)limit;
    kam_jw_key(w, "accounts");
    kam_jw_arr(w);
    for (size_t r = 0; r < n; r++) {
        size_t i = rep.order[r];
        const struct kam_rfm *x = &rep.rfm[i];
        kam_jw_obj(w);
        kam_jw_kstr(w, "code", p.codes[i]);
        kam_jw_kstr(w, "name", p.names[i]);
        kam_jw_key(w, "last_purchase");
        day_json(w, p.m[i].last_purchase);
        kam_jw_kint(w, "recency", x->recency);
        kam_jw_kint(w, "frequency", p.m[i].orders_total);
        kam_jw_key(w, "monetary");
        kam_jw_money(w, p.m[i].revenue_total);
        kam_jw_kint(w, "r", x->r);
        kam_jw_kint(w, "f", x->f);
        kam_jw_kint(w, "m", x->m);
        kam_jw_kstr(w, "segment", kam_rfm_segment_name(x->segment));
        kam_jw_obj_end(w);
    }
    kam_jw_arr_end(w);
    kam_jw_obj_end(w);
    kam_rfm_report_release(&rep);
    portfolio_release(&p);
}

/* --- whitespace --------------------------------------------------------------------------- */

/* ?name= as a percentage 0..100 (up to two decimals) into basis points; def when absent. false
 * after the 400. */
static bool pct_param(struct kam_http_req *req, struct kam_http_resp *resp, const char *name,
                      int32_t def, int32_t *bp)
{
    const char *s = kam_http_query(req, name);
    char *end;
    *bp = def;
    if (s == NULL)
        return true;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !(v >= 0 && v <= 100)) {
        bad_param(resp, name, "is a percentage from 0 to 100");
        return false;
    }
    *bp = (int32_t)(v * 100 + 0.5);
    return true;
}

/* One account's cross-sell gaps, as `kam whitespace CODE --json`: the categories its peers (the
 * accounts of the caller's scope with the same role, industry or tier) buy and it does not, or
 * far less, with their worth. */
void kam_http_whitespace(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_ws_rule rule;
    struct kam_ws_portfolio w;
    struct kam_portfolio p;
    struct kam_err err;
    struct kam_jw *jw = &resp->body;
    enum kam_peers by = KAM_PEERS_ROLE;
    const char *peers = kam_http_query(req, "peers");

    if (peers != NULL && kam_peers_find(peers) < 0) {
        bad_param(resp, "peers", "is role, industry or tier");
        return;
    }
    if (peers != NULL)
        by = (enum kam_peers)kam_peers_find(peers);
    if (!pct_param(req, resp, "min_share", KAM_WS_MIN_SHARE_DEFAULT, &rule.min_share) ||
        !pct_param(req, resp, "below", KAM_WS_BELOW_DEFAULT, &rule.below))
        return;
    kam_err_clear(&err);
    /* Outside the scope reads as a missing code, before any analysis. */
    int64_t id = 0;
    if (req->st->ops->account_id_scoped(req->st, req->params[0], &req->scope, &id, &err) !=
        KAM_OK) {
        kam_problem_err(resp, &err);
        return;
    }
    if (!portfolio(req, resp, &p))
        return;
    ptrdiff_t i = kam_portfolio_find(&p, req->params[0]);
    memset(&w, 0, sizeof(w));
    if (i < 0 || kam_engine_whitespace(req->st, &p, by, &rule, &w, &err) != KAM_OK) {
        if (i < 0)
            kam_err_set(&err, KAM_ERR_NOT_FOUND, "account '%s' does not exist", req->params[0]);
        kam_ws_portfolio_release(&w);
        portfolio_release(&p);
        kam_problem_err(resp, &err);
        return;
    }
    struct kam_ws_gap *gaps = kam_arena_alloc(req->arena, (w.ncat ? w.ncat : 1) * sizeof(*gaps));
    const struct kam_ws_peer *pr = &w.peers[(size_t)w.group[i] * w.ncat];
    size_t ng = 0;
    kam_money total = 0;
    if (kam_whitespace_gaps(pr, &w.rev[(size_t)i * w.ncat], w.ncat, &w.rule, gaps, &ng, &total,
                            &err) != KAM_OK) {
        kam_ws_portfolio_release(&w);
        portfolio_release(&p);
        kam_problem_err(resp, &err);
        return;
    }
    kam_jw_obj(jw);
    kam_http_scope_json(jw, &req->scope);
    kam_jw_kstr(jw, "as_of", p.as_of);
    kam_jw_kstr(jw, "code", p.codes[i]);
    kam_jw_kstr(jw, "name", p.names[i]);
    kam_jw_kstr(jw, "peers", kam_peers_name(w.by));
    kam_jw_kstr(jw, "group", w.groups[w.group[i]]);
    kam_jw_kint(jw, "members", w.ncat > 0 ? pr[0].members : 0);
    kam_jw_key(jw, "min_share");
    kam_jw_double(jw, w.rule.min_share / 10000.0);
    kam_jw_key(jw, "below");
    kam_jw_double(jw, w.rule.below / 10000.0);
    kam_jw_kstr(jw, "revenue_basis", "all-time");
    kam_jw_key(jw, "worth");
    kam_jw_money(jw, total);
    kam_jw_key(jw, "gaps");
    kam_jw_arr(jw);
    for (size_t k = 0; k < ng; k++) {
        const struct kam_ws_peer *c = &pr[gaps[k].category];
        kam_jw_obj(jw);
        kam_jw_kstr(jw, "category", w.categories[gaps[k].category]);
        kam_jw_kint(jw, "peers", c->members);
        kam_jw_kint(jw, "buyers", c->buyers);
        kam_jw_key(jw, "share");
        kam_jw_double(jw, (double)c->buyers / (double)c->members);
        kam_jw_key(jw, "peer_median");
        kam_jw_money(jw, c->median);
        kam_jw_key(jw, "revenue");
        kam_jw_money(jw, gaps[k].revenue);
        kam_jw_key(jw, "worth");
        kam_jw_money(jw, gaps[k].worth);
        kam_jw_obj_end(jw);
    }
    kam_jw_arr_end(jw);
    kam_jw_obj_end(jw);
    kam_ws_portfolio_release(&w);
    portfolio_release(&p);
}
