/* POST /api/v1/imports/{kind}: `kam import` over HTTP. The body is the CSV file itself; the query
 * carries the CLI's options; the answer is the import report as JSON, with the line-numbered
 * problems and, when rows are rejected rather than fatal, the reject file's text.
 *
 * The import is the CLI's: one call of kam_import_run (io/import.c) reading the body from
 * memory, in one transaction with its audit entry, so a failed import leaves the database as it
 * was and a successful one is audited exactly once. With ?async=true the file and the options
 * are copied into a background job (jobs.h) and the answer is 202 with the job's URL; the job's
 * result is the same report, its progress the rows read. Not here: gzip bodies, multipart
 * forms, --map-file (a path on the server; ?map carries the same mappings). */
#include "http/http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http/jobs.h"
#include "io/import.h"

#define MAX_ERRORS 100 /* the problems listed, as `kam import` prints; the rest are counted */
/* The reject file's text in the answer stops growing here: a UI offers it as a download, and
 * the answer is built in memory. */
#define MAX_REJECTS (4 * 1024 * 1024)

struct problem_item {
    int64_t line, column;
    const char *field, *msg; /* arena-owned */
};

struct problems {
    struct kam_arena *arena;
    struct problem_item items[MAX_ERRORS];
    size_t n;
    int64_t total;
};

static void on_problem(void *ctx, const struct kam_import_problem *p)
{
    struct problems *ps = ctx;
    if (ps->total++ >= MAX_ERRORS)
        return;
    struct problem_item *it = &ps->items[ps->n++];
    it->line = p->line;
    it->column = p->column;
    it->field = kam_arena_strdup(ps->arena, p->field);
    it->msg = kam_arena_strdup(ps->arena, p->msg);
}

/* ?name=true|false into *out (false when absent). false after the 400 naming it. */
static bool flag_param(struct kam_http_req *req, struct kam_http_resp *resp, const char *name,
                       bool *out)
{
    const char *v = kam_http_query(req, name);
    char detail[120];
    *out = v != NULL && strcmp(v, "true") == 0;
    if (v == NULL || strcmp(v, "true") == 0 || strcmp(v, "false") == 0)
        return true;
    struct kam_problem_field f = {name, "is true or false"};
    snprintf(detail, sizeof(detail), "query parameter '%s' is true or false", name);
    kam_problem(resp, 400, detail, &f, 1);
    return false;
}

/* The charset parameter of the Content-Type, arena-owned; NULL when there is none. */
static const char *charset_of(struct kam_http_req *req)
{
    const char *p = kam_http_header(req, "Content-Type");
    while (p && (p = strchr(p, ';')) != NULL) {
        p += 1 + strspn(p + 1, " \t");
        if (strncasecmp(p, "charset=", 8) != 0)
            continue;
        p += 8;
        p += *p == '"';
        size_t len = strcspn(p, "\"; \t");
        return len ? kam_arena_strndup(req->arena, p, len) : NULL;
    }
    return NULL;
}

/* The options of the query into o: false after a 400. The charset of the Content-Type stands
 * for ?encoding when that is absent; both must then agree. */
static bool read_options(struct kam_http_req *req, struct kam_http_resp *resp,
                         struct kam_import_opts *o, bool *reject)
{
    const char *charset = charset_of(req);
    o->map = kam_http_query(req, "map");
    o->date_format = kam_http_query(req, "date_format");
    o->encoding = kam_http_query(req, "encoding");
    if (!flag_param(req, resp, "dry_run", &o->dry_run) ||
        !flag_param(req, resp, "create_missing", &o->create_missing) ||
        !flag_param(req, resp, "reject", reject))
        return false;
    if (o->encoding && charset && strcasecmp(o->encoding, charset) != 0) {
        char detail[200];
        struct kam_problem_field f = {"encoding", "differs from the Content-Type's charset"};
        snprintf(detail, sizeof(detail),
                 "query parameter 'encoding' (%.40s) differs from the charset of the "
                 "Content-Type (%.40s)",
                 o->encoding, charset);
        kam_problem(resp, 400, detail, &f, 1);
        return false;
    }
    if (o->encoding == NULL)
        o->encoding = charset;
    return true;
}

/* The counts, as `kam import --json` names them. */
static void report_fields(struct kam_jw *w, const struct kam_import_opts *o,
                          const struct kam_import_report *rep)
{
    kam_jw_kstr(w, "kind", kam_import_kind_name(o->kind));
    kam_jw_key(w, "dry_run");
    kam_jw_bool(w, o->dry_run);
    kam_jw_key(w, "written");
    kam_jw_bool(w, rep->written);
    kam_jw_kint(w, "rows", rep->rows);
    kam_jw_kint(w, "inserted", rep->inserted);
    kam_jw_kint(w, "updated", rep->updated);
    kam_jw_kint(w, "unchanged", rep->unchanged);
    kam_jw_kint(w, "rejected", rep->rejected);
    kam_jw_kint(w, "created_accounts", rep->created_accounts);
    kam_jw_kint(w, "created_products", rep->created_products);
    kam_jw_key(w, "seconds");
    kam_jw_double(w, rep->seconds);
    kam_jw_key(w, "rows_per_second");
    kam_jw_double(w, rep->seconds > 0 ? (double)rep->rows / rep->seconds : 0);
}

static void problem_item(struct kam_jw *w, int64_t line, int64_t column, const char *field,
                         const char *msg)
{
    kam_jw_obj(w);
    kam_jw_key(w, "line");
    if (line > 0)
        kam_jw_int(w, line);
    else
        kam_jw_null(w);
    kam_jw_key(w, "column");
    if (column > 0)
        kam_jw_int(w, column);
    else
        kam_jw_null(w);
    kam_jw_kstr(w, "field", field && field[0] ? field : NULL);
    kam_jw_kstr(w, "message", msg);
    kam_jw_obj_end(w);
}

/* The problems found, then (not NULL) the error that stopped the import, when it names a line. */
static void errors_list(struct kam_jw *w, const struct problems *ps, const struct kam_err *fatal)
{
    kam_jw_key(w, "errors");
    kam_jw_arr(w);
    for (size_t i = 0; i < ps->n; i++)
        problem_item(w, ps->items[i].line, ps->items[i].column, ps->items[i].field,
                     ps->items[i].msg);
    if (fatal && fatal->line > 0)
        problem_item(w, fatal->line, 0, fatal->field, fatal->msg);
    kam_jw_arr_end(w);
    kam_jw_kint(w, "errors_total", ps->total + (fatal && fatal->line > 0));
}

/* 422: the file's content is wrong and nothing was written; the problem carries the report. */
static void refused(struct kam_http_resp *resp, const struct kam_import_opts *o,
                    const struct kam_import_report *rep, const struct problems *ps,
                    const struct kam_err *err)
{
    struct kam_jw *w = &resp->body;
    resp->status = 422;
    resp->content_type = "application/problem+json";
    kam_jw_reset(w);
    kam_jw_obj(w);
    /* The type says what is wrong (invalid, encoding, too-large); the status, that the body was
     * understood as a CSV file and could not be imported. */
    kam_jw_kstr(w, "type", kam_problem_type(err->code));
    kam_jw_kstr(w, "title", kam_problem_title(422));
    kam_jw_kint(w, "status", 422);
    kam_jw_kstr(w, "detail", err->msg);
    errors_list(w, ps, err);
    kam_jw_key(w, "report");
    kam_jw_obj(w);
    report_fields(w, o, rep);
    kam_jw_obj_end(w);
    kam_jw_obj_end(w);
}

static void answer(struct kam_http_resp *resp, const struct kam_import_opts *o,
                   const struct kam_import_report *rep, const struct problems *ps,
                   const char *rejects, size_t rejects_len)
{
    struct kam_jw *w = &resp->body;
    kam_jw_obj(w);
    report_fields(w, o, rep);
    errors_list(w, ps, NULL);
    kam_jw_key(w, "rejects_csv");
    if (o->reject_stream)
        kam_jw_strn(w, rejects, rejects_len);
    else
        kam_jw_null(w);
    kam_jw_kint(w, "rejects_omitted", rep->reject_omitted);
    kam_jw_obj_end(w);
}

/* Runs the import of o (its data, options and actor set) on st and writes the answer into resp:
 * the report, the 422 of a refused file, or the problem. The synchronous route and the job share
 * it. */
static void run_import(struct kam_store *st, struct kam_import_opts *o, bool reject,
                       struct kam_arena *arena, struct kam_http_resp *resp)
{
    struct problems *ps = kam_arena_alloc(arena, sizeof(*ps));
    struct kam_import_report rep;
    struct kam_err err;
    char *rejects = NULL;
    size_t rejects_len = 0;

    memset(ps, 0, sizeof(*ps));
    ps->arena = arena;
    kam_err_clear(&err);
    o->on_problem = on_problem;
    o->reject_max = MAX_REJECTS;
    if (reject && (o->reject_stream = open_memstream(&rejects, &rejects_len)) == NULL)
        KAM_BUG("open_memstream failed"); /* only out of memory, which aborts elsewhere too */
    enum kam_rc rc = kam_import_run(st, o, NULL, ps, &rep, &err);
    if (o->reject_stream && fclose(o->reject_stream) != 0 && rc == KAM_OK)
        rc = kam_err_set(&err, KAM_ERR_IO, "cannot keep the rejected rows in memory");
    if (rc == KAM_OK)
        answer(resp, o, &rep, ps, rejects, rejects_len);
    else if (rc == KAM_ERR_INVALID || rc == KAM_ERR_ENCODING || rc == KAM_ERR_TOO_LARGE)
        refused(resp, o, &rep, ps, &err);
    else
        kam_problem_err(resp, &err);
    free(rejects);
}

/* --- as a background job -----------------------------------------------------------------------
 */

/* What an import job needs once the request is gone: the file and the options, copied. */
struct import_job {
    struct kam_import_opts o;
    bool reject;
    int64_t lines; /* newlines in the file: the rows to expect, for the progress */
    char *map, *date_format, *encoding, *data;
};

static void import_job_free(void *p)
{
    struct import_job *j = p;
    free(j->map);
    free(j->date_format);
    free(j->encoding);
    free(j->data);
    free(j);
}

static char *dup_or_null(const char *s)
{
    return s ? kam_xstrdup(s) : NULL;
}

static void import_progress(void *ctx, int64_t rows)
{
    struct kam_job *job = ctx;
    const struct import_job *j = kam_job_payload(job);
    int64_t total = j->lines > rows ? j->lines : rows;
    /* Reading and checking the rows is most of an import; the commit is the rest. */
    (void)kam_job_progress(job, "rows", rows, total, 95.0 * (double)rows / (double)total);
}

static void import_job_run(struct kam_job *job, struct kam_store *st, const char *actor,
                           const char *arg, struct kam_http_resp *resp)
{
    struct import_job *j = kam_job_payload(job);
    struct kam_arena arena;
    (void)arg;
    kam_arena_init(&arena);
    j->o.actor = actor;
    j->o.progress = import_progress;
    j->o.progress_ctx = job;
    (void)kam_job_progress(job, "rows", 0, j->lines, 0);
    run_import(st, &j->o, j->reject, &arena, resp);
    kam_arena_release(&arena);
}

/* Queues the import of the request's body with o's options: 202 with the job's URL. */
static void queue_import(struct kam_http_req *req, struct kam_http_resp *resp,
                         const struct kam_import_opts *o, bool reject)
{
    struct import_job *j = kam_xcalloc(1, sizeof(*j));
    int64_t id;
    j->o = *o;
    j->reject = reject;
    j->map = dup_or_null(o->map);
    j->date_format = dup_or_null(o->date_format);
    j->encoding = dup_or_null(o->encoding);
    j->data = kam_xmalloc(req->body_len + 1);
    memcpy(j->data, req->body, req->body_len);
    j->data[req->body_len] = '\0';
    j->o.map = j->map;
    j->o.date_format = j->date_format;
    j->o.encoding = j->encoding;
    j->o.data = j->data;
    j->o.data_len = req->body_len;
    for (const char *p = j->data; (p = memchr(p, '\n', req->body_len - (size_t)(p - j->data))); p++)
        j->lines++;
    j->lines = j->lines > 0 ? j->lines - 1 : 0; /* the header */
    enum kam_jobs_submit r = kam_jobs_submit_payload(
        kam_http_server_jobs(req->srv), "import", false, req->user.username, import_job_run,
        kam_import_kind_name(o->kind), j, import_job_free, &id);
    kam_http_job_queued(resp, r, id, "an import");
}

void kam_http_import(struct kam_http_req *req, struct kam_http_resp *resp)
{
    struct kam_import_opts o = {.path = "the request body",
                                .data = req->body,
                                .data_len = req->body_len,
                                .actor = req->user.username};
    bool reject = false, async = false;

    if (!kam_import_kind_parse(req->params[0], &o.kind)) {
        char detail[200];
        snprintf(detail, sizeof(detail),
                 "there is no import of '%.40s': accounts, contacts, products, orders, payments "
                 "or ratings",
                 req->params[0]);
        kam_problem(resp, 404, detail, NULL, 0);
        return;
    }
    if (!read_options(req, resp, &o, &reject) || !flag_param(req, resp, "async", &async))
        return;
    if (async)
        queue_import(req, resp, &o, reject);
    else
        run_import(req->st, &o, reject, req->arena, resp);
}
